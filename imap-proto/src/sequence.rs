//! Sequence sets: `1:4,7,9:*` (message sequence numbers or UIDs), and
//! `$`, the saved search result (RFC 5182).

use std::fmt;
use std::num::NonZeroU32;

use crate::encode::Writer;
use crate::error::ErrorKind;
use crate::lex::{Cursor, PResult};
use crate::string::ValueError;

/// One end of a range: a number, or `*` (the largest number in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeqNumber {
    /// A message sequence number or UID.
    Value(NonZeroU32),
    /// `*`: the largest number in use in the mailbox.
    Largest,
}

impl SeqNumber {
    /// The number, with `*` standing for `largest`.
    pub fn resolve(self, largest: u32) -> u32 {
        match self {
            SeqNumber::Value(n) => n.get(),
            SeqNumber::Largest => largest,
        }
    }
}

/// `seq-number` or `seq-range`: `n`, or `a:b` in either order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeqRange {
    /// The first end, as written.
    pub start: SeqNumber,
    /// The second end, as written (the same as `start` for one number).
    pub end: SeqNumber,
}

impl SeqRange {
    /// One number.
    pub fn single(n: NonZeroU32) -> SeqRange {
        SeqRange { start: SeqNumber::Value(n), end: SeqNumber::Value(n) }
    }

    /// The range as `low..=high`, with `*` standing for `largest`.
    pub fn resolve(&self, largest: u32) -> std::ops::RangeInclusive<u32> {
        let a = self.start.resolve(largest);
        let b = self.end.resolve(largest);
        a.min(b)..=a.max(b)
    }
}

/// A `sequence-set`, or `$`.
///
/// Never empty: made by parsing, from [`SequenceSet::new`] (which refuses
/// an empty list), or by the constructors.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SequenceSet {
    /// Empty only for `$`.
    ranges: Vec<SeqRange>,
}

impl SequenceSet {
    /// A set of ranges; at least one.
    pub fn new(ranges: Vec<SeqRange>) -> Result<SequenceSet, ValueError> {
        if ranges.is_empty() {
            return Err(ValueError { what: "sequence-set", why: "needs at least one number or range" });
        }
        Ok(SequenceSet { ranges })
    }

    /// One number; `None` for 0.
    pub fn single(n: u32) -> Option<SequenceSet> {
        NonZeroU32::new(n).map(|n| SequenceSet { ranges: vec![SeqRange::single(n)] })
    }

    /// `a:b`; `None` if either is 0.
    pub fn range(a: u32, b: u32) -> Option<SequenceSet> {
        Some(SequenceSet {
            ranges: vec![SeqRange {
                start: SeqNumber::Value(NonZeroU32::new(a)?),
                end: SeqNumber::Value(NonZeroU32::new(b)?),
            }],
        })
    }

    /// `n:*`: from `n` to the largest (`1:*` is every message).
    pub fn from_onwards(n: NonZeroU32) -> SequenceSet {
        SequenceSet { ranges: vec![SeqRange { start: SeqNumber::Value(n), end: SeqNumber::Largest }] }
    }

    /// `1:*`.
    pub fn all() -> SequenceSet {
        SequenceSet::from_onwards(NonZeroU32::MIN)
    }

    /// The set of these numbers, as compact ranges (sorted, merged).
    /// `None` if there are none, or a 0.
    pub fn from_numbers(numbers: impl IntoIterator<Item = u32>) -> Option<SequenceSet> {
        let mut v: Vec<u32> = numbers.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        let mut ranges = Vec::new();
        let mut i = 0;
        while i < v.len() {
            let start = v[i];
            let mut end = start;
            while i + 1 < v.len() && v[i + 1] == end + 1 {
                i += 1;
                end = v[i];
            }
            let (s, e) = (NonZeroU32::new(start)?, NonZeroU32::new(end)?);
            ranges.push(SeqRange { start: SeqNumber::Value(s), end: SeqNumber::Value(e) });
            i += 1;
        }
        SequenceSet::new(ranges).ok()
    }

    /// `$`: the result saved by `SEARCH RETURN (SAVE)` (RFC 5182).
    pub fn saved_result() -> SequenceSet {
        SequenceSet { ranges: Vec::new() }
    }

    /// Whether this is `$`.
    pub fn is_saved_result(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The ranges (empty for `$`).
    pub fn ranges(&self) -> &[SeqRange] {
        &self.ranges
    }

    /// Whether `n` is in the set, `*` standing for `largest`.
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        self.ranges.iter().any(|r| r.resolve(largest).contains(&n))
    }

    /// Every number in the set, ascending, without repeats, `*` standing
    /// for `largest`; numbers above `largest` are left out (a client may
    /// name UIDs that no longer exist).
    pub fn iter(&self, largest: u32) -> impl Iterator<Item = u32> + '_ {
        let mut spans: Vec<(u32, u32)> = self
            .ranges
            .iter()
            .map(|r| {
                let r = r.resolve(largest);
                (*r.start(), (*r.end()).min(largest))
            })
            .filter(|(a, b)| a <= b)
            .collect();
        spans.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(spans.len());
        for (a, b) in spans {
            match merged.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        merged.into_iter().flat_map(|(a, b)| a..=b)
    }

    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<SequenceSet> {
        const RULE: &str = "sequence-set";
        if c.eat(b'$') {
            return Ok(SequenceSet::saved_result());
        }
        let mut ranges = Vec::new();
        loop {
            let start = seq_number(c)?;
            let end = if c.eat(b':') { seq_number(c)? } else { start };
            c.push(&mut ranges, SeqRange { start, end }, RULE)?;
            if !c.eat(b',') {
                break;
            }
        }
        Ok(SequenceSet { ranges })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        if self.ranges.is_empty() {
            w.byte(b'$');
            return;
        }
        for (i, r) in self.ranges.iter().enumerate() {
            if i > 0 {
                w.byte(b',');
            }
            encode_number(w, r.start);
            if r.end != r.start {
                w.byte(b':');
                encode_number(w, r.end);
            }
        }
    }
}

fn seq_number(c: &mut Cursor<'_>) -> PResult<SeqNumber> {
    if c.eat(b'*') {
        return Ok(SeqNumber::Largest);
    }
    if !matches!(c.peek(), Some(b'0'..=b'9')) {
        return Err(c.err("seq-number", ErrorKind::Expected("a number or '*'")));
    }
    Ok(SeqNumber::Value(c.nz_number("seq-number")?))
}

fn encode_number(w: &mut Writer, n: SeqNumber) {
    match n {
        SeqNumber::Value(n) => {
            w.number(u64::from(n.get()));
        }
        SeqNumber::Largest => {
            w.byte(b'*');
        }
    }
}

impl fmt::Display for SequenceSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut w = Writer::default();
        self.encode(&mut w);
        f.write_str(&String::from_utf8_lossy(w.as_bytes()))
    }
}

impl std::str::FromStr for SequenceSet {
    type Err = crate::error::ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let buf = bytes::Bytes::copy_from_slice(s.as_bytes());
        let limits = crate::Limits::default();
        let mut c = Cursor::new(&buf, &limits);
        let set = SequenceSet::parse(&mut c)?;
        if !c.is_end() {
            return Err(c.err("sequence-set", ErrorKind::TrailingData));
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_iterate() {
        let set: SequenceSet = "2,4:7,9,12:*".parse().unwrap();
        assert_eq!(set.to_string(), "2,4:7,9,12:*");
        assert_eq!(set.iter(15).collect::<Vec<_>>(), [2, 4, 5, 6, 7, 9, 12, 13, 14, 15]);
        let set: SequenceSet = "*:4,5:7".parse().unwrap();
        assert_eq!(set.iter(10).collect::<Vec<_>>(), [4, 5, 6, 7, 8, 9, 10]);
        assert!(set.contains(10, 10));
        assert!("0".parse::<SequenceSet>().is_err());
        assert!("1,".parse::<SequenceSet>().is_err());
        assert!("$".parse::<SequenceSet>().unwrap().is_saved_result());
    }

    #[test]
    fn from_numbers_is_compact() {
        let set = SequenceSet::from_numbers([5, 1, 2, 3, 9, 10]).unwrap();
        assert_eq!(set.to_string(), "1:3,5,9:10");
        assert!(SequenceSet::from_numbers([]).is_none());
    }
}
