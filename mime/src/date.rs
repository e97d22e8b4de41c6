//! Dates: the RFC 5322 `date-time` of `Date:`, `Resent-Date:` and the
//! tail of `Received:` fields.
//!
//! [`parse_date`] reads the current syntax of RFC 5322 section 3.3 and the
//! obsolete one of section 4.3, and tolerates what real mail carries:
//!
//! - an optional day-of-week in any case, abbreviated or in full
//!   (`Tue`, `TUESDAY`), with or without the comma;
//! - folding white space and (nested) comments between any two tokens,
//!   including folded input with CR/LF inside;
//! - 2- and 3-digit years (section 4.3: `49` is 2049, `50` is 1950,
//!   `103` is 2003), a numeric month (`20 11 79`), missing seconds,
//!   fractional seconds (`07:53:55.516`);
//! - the obsolete zones `UT`, `GMT`, `EST`/`EDT`/`CST`/`CDT`/`MST`/`MDT`/
//!   `PST`/`PDT`, the military letters and unknown alphabetic zones (both
//!   mean `-0000`, i.e. offset 0, per section 4.3), `UTC`, `GMT+0200`,
//!   short numeric zones (`+5`, `+530`, `+02:00`), a trailing comment such
//!   as `(CEST)`, and a missing zone (offset 0);
//! - the asctime form `Mon Jan  2 15:04:05 2006` (also with a zone before
//!   or after the year, as `date(1)` writes it) and the ISO-like
//!   `2006-01-02 15:04:05` / `2006-01-02T15:04:05Z`;
//! - a whole `Received:` value: when the value does not start with a date,
//!   the text after its last `;` is tried.
//!
//! The value ends at the first line break that is not followed by white
//! space (the end of the header field), and anything after the zone is
//! ignored. Values out of range (`32 Jul`, `25:61`, a `-9999` zone, a year
//! before 1900) give `None`. The parser never panics and never allocates.
//!
//! ```
//! use mailwire_mime::date::parse_date;
//!
//! let d = parse_date(b"Thu,\r\n 13 Feb 1969 23:32 -0330 (Newfoundland Time)").unwrap();
//! assert_eq!(d.to_rfc3339(), "1969-02-13T23:32:00-03:30");
//! assert_eq!(d.timestamp, -27_723_480);
//! ```

use std::fmt::Write as _;

/// A point in time together with the zone offset written in the header.
///
/// Ordering, equality and hashing compare the instant first
/// (`timestamp`), then the offset, so two spellings of the same instant in
/// different zones are different values that sort next to each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DateTime {
    /// Seconds since 1970-01-01T00:00:00Z (UTC), leap seconds not counted.
    pub timestamp: i64,
    /// The zone offset written in the header, in minutes east of UTC
    /// (`+0200` is 120, `-0330` is -210; `-0000` and unknown zones are 0).
    pub offset_minutes: i16,
}

const SECS_PER_DAY: i64 = 86_400;
const MAX_OFFSET: i16 = 23 * 60 + 59;
const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTH_NAMES: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

impl DateTime {
    /// Builds a value from local civil fields and the zone offset (minutes
    /// east of UTC), or `None` when a field is out of range.
    ///
    /// Accepted: year 0..=9999 (proleptic Gregorian), month 1..=12, a day
    /// that exists in that month, hour 0..=23, minute 0..=59, second
    /// 0..=60 (a leap second `60` is counted as the first second of the
    /// next minute) and an offset within ±23:59.
    ///
    /// ```
    /// use mailwire_mime::date::DateTime;
    ///
    /// let d = DateTime::from_parts(2002, 10, 13, 14, 30, 0, 120).unwrap();
    /// assert_eq!(d.timestamp, 1_034_512_200);
    /// assert!(DateTime::from_parts(2003, 2, 29, 0, 0, 0, 0).is_none());
    /// assert!(DateTime::from_parts(9999, 12, 31, 23, 59, 60, 0).is_none());
    /// ```
    pub fn from_parts(
        year: i64,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        offset_minutes: i16,
    ) -> Option<Self> {
        if !(0..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
            || !(-MAX_OFFSET..=MAX_OFFSET).contains(&offset_minutes)
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let local = days * SECS_PER_DAY + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        // A leap second on 9999-12-31 would roll into year 10000, which no
        // date format here can write (found by the header_fields fuzzer).
        if local >= days_from_civil(10000, 1, 1) * SECS_PER_DAY {
            return None;
        }
        Some(DateTime { timestamp: local - i64::from(offset_minutes) * 60, offset_minutes })
    }

    /// Reads an RFC 3339 `date-time` (`2026-12-01T09:30:00+01:00`, `Z` or
    /// `z` for UTC, a space allowed for `T`, fractional seconds dropped).
    ///
    /// ```
    /// use mailwire_mime::date::DateTime;
    ///
    /// let d = DateTime::parse_rfc3339("2026-12-01T09:30:00.25+01:00").unwrap();
    /// assert_eq!(d.to_rfc5322(), "Tue, 1 Dec 2026 09:30:00 +0100");
    /// assert_eq!(DateTime::parse_rfc3339("2026-12-01T08:30:00Z").unwrap().timestamp, d.timestamp);
    /// assert!(DateTime::parse_rfc3339("2026-12-01").is_none());
    /// ```
    pub fn parse_rfc3339(s: &str) -> Option<Self> {
        let b = s.trim().as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let d = b.get(r)?;
            d.iter().all(u8::is_ascii_digit).then(|| d.iter().fold(0, |n, &c| n * 10 + u32::from(c - b'0')))
        };
        let sep = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
        if b.len() < 20
            || !sep(4, b"-")
            || !sep(7, b"-")
            || !sep(10, b"Tt ")
            || !sep(13, b":")
            || !sep(16, b":")
        {
            return None;
        }
        let mut i = 19;
        if b.get(i) == Some(&b'.') {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        let offset = match b.get(i)? {
            b'Z' | b'z' if b.len() == i + 1 => 0,
            &c @ (b'+' | b'-') if b.len() == i + 6 && b[i + 3] == b':' => {
                let m = i16::try_from(num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?).ok()?;
                if c == b'-' { -m } else { m }
            }
            _ => return None,
        };
        let small = |v: u32| u8::try_from(v).ok();
        DateTime::from_parts(
            i64::from(num(0..4)?),
            small(num(5..7)?)?,
            small(num(8..10)?)?,
            small(num(11..13)?)?,
            small(num(14..16)?)?,
            small(num(17..19)?)?,
            offset,
        )
    }

    /// Seconds since the epoch on the local wall clock of the offset.
    fn local_seconds(&self) -> i64 {
        self.timestamp.saturating_add(i64::from(self.offset_minutes).saturating_mul(60))
    }

    fn local_days(&self) -> i64 {
        self.local_seconds().div_euclid(SECS_PER_DAY)
    }

    fn local_second_of_day(&self) -> i64 {
        self.local_seconds().rem_euclid(SECS_PER_DAY)
    }

    fn civil(&self) -> (i64, u8, u8) {
        civil_from_days(self.local_days())
    }

    /// The local year (in the header's zone).
    pub fn year(&self) -> i64 {
        self.civil().0
    }

    /// The local month, 1 (January) to 12.
    pub fn month(&self) -> u8 {
        self.civil().1
    }

    /// The local day of the month, 1 to 31.
    pub fn day(&self) -> u8 {
        self.civil().2
    }

    /// The local hour, 0 to 23.
    pub fn hour(&self) -> u8 {
        // The value is below 24, so the narrowing cannot lose anything.
        (self.local_second_of_day() / 3600) as u8
    }

    /// The local minute, 0 to 59.
    pub fn minute(&self) -> u8 {
        (self.local_second_of_day() / 60 % 60) as u8
    }

    /// The local second, 0 to 59.
    pub fn second(&self) -> u8 {
        (self.local_second_of_day() % 60) as u8
    }

    /// The local day of the week as in ISO 8601: 1 = Monday … 7 = Sunday.
    pub fn weekday(&self) -> u8 {
        // 1970-01-01 was a Thursday (4).
        (self.local_days().rem_euclid(7) + 3) as u8 % 7 + 1
    }

    /// RFC 3339 text on the header's local clock with its offset, e.g.
    /// `2002-10-13T14:30:00+02:00`. `Z` is never written: offset 0 (also
    /// from `-0000` or an unknown zone) is written `+00:00`.
    pub fn to_rfc3339(&self) -> String {
        let (y, mo, d) = self.civil();
        let mut out = String::with_capacity(25);
        let _ = write!(
            out,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            y,
            mo,
            d,
            self.hour(),
            self.minute(),
            self.second()
        );
        self.write_offset(&mut out, true);
        out
    }

    /// RFC 5322 `date-time` text on the header's local clock, e.g.
    /// `Sun, 13 Oct 2002 14:30:00 +0200` (offset 0 is written `+0000`).
    pub fn to_rfc5322(&self) -> String {
        let (y, mo, d) = self.civil();
        let mut out = String::with_capacity(31);
        let dow = DAY_NAMES.get(usize::from(self.weekday()).saturating_sub(1)).copied().unwrap_or("Mon");
        let mon = MONTH_NAMES.get(usize::from(mo).saturating_sub(1)).copied().unwrap_or("Jan");
        let _ = write!(
            out,
            "{}, {} {} {:04} {:02}:{:02}:{:02} ",
            dow,
            d,
            mon,
            y,
            self.hour(),
            self.minute(),
            self.second()
        );
        self.write_offset(&mut out, false);
        out
    }

    fn write_offset(&self, out: &mut String, colon: bool) {
        let off = self.offset_minutes;
        let sign = if off < 0 { '-' } else { '+' };
        let abs = off.unsigned_abs();
        let _ = write!(out, "{}{:02}{}{:02}", sign, abs / 60, if colon { ":" } else { "" }, abs % 60);
    }
}

/// True for a leap year of the proleptic Gregorian calendar.
fn is_leap(year: i64) -> bool {
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`). `month` must be 1..=12 and `year` small enough
/// (the callers pass 0..=9999).
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let m = i64::from(month);
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // 0..=399
    let mp = (m + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // 0..=365
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // 0..=146096
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01
/// (H. Hinnant's `civil_from_days`). Any `i64` day count that comes from
/// a second count (|days| < 2^47) is handled without overflow.
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // 0..=365
    let mp = (5 * doy + 2) / 153; // 0..=11
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = yoe.saturating_add(era.saturating_mul(400));
    (if m <= 2 { y.saturating_add(1) } else { y }, m, d)
}

// ---------------------------------------------------------------------------
// Helpers shared by the structured-field modules (date, ids, list, received).

/// True for the white space bytes that may separate tokens of a (possibly
/// still folded) header value.
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The header value up to the end of the field: the first LF that is not
/// followed by a space or tab (a folded line continues, anything else is
/// the next header field or the blank line before the body).
pub(crate) fn field_end(raw: &[u8]) -> &[u8] {
    for lf in memchr::memchr_iter(b'\n', raw) {
        match raw.get(lf + 1) {
            Some(b' ' | b'\t') => {}
            _ => return raw.get(..lf).unwrap_or(raw),
        }
    }
    raw
}

/// Given `raw[start] == b'('`, the index just after the matching `)`
/// (comments nest; a backslash quotes the next byte), or `None` when the
/// comment is not closed.
pub(crate) fn skip_comment(raw: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while let Some(&b) = raw.get(i) {
        match b {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Given `raw[start] == b'"'`, the index just after the closing quote
/// (a backslash quotes the next byte), or `None` when it is not closed.
pub(crate) fn skip_quoted(raw: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while let Some(&b) = raw.get(i) {
        match b {
            b'\\' => i += 1,
            b'"' => return Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    None
}

// ---------------------------------------------------------------------------
// The date lexer and parser.

#[derive(Clone, Copy, Debug)]
enum Tok {
    /// A run of ASCII digits: its value (saturating) and length.
    Num { val: u32, len: u8 },
    /// A run of ASCII letters, as a byte range of the input.
    Alpha { start: usize, end: usize },
    /// Any other single byte (`:`, `+`, `-`, `.`, ...).
    Sym(u8),
}

/// Splits a date into tokens, dropping white space, commas and comments.
#[derive(Clone, Copy)]
struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn new(s: &'a [u8]) -> Self {
        Lexer { s, pos: 0 }
    }

    fn next(&mut self) -> Option<Tok> {
        loop {
            let b = *self.s.get(self.pos)?;
            if is_ws(b) || b == b',' {
                self.pos += 1;
            } else if b == b'(' {
                self.pos = skip_comment(self.s, self.pos).unwrap_or(self.s.len());
            } else {
                break;
            }
        }
        let start = self.pos;
        let b = *self.s.get(start)?;
        if b.is_ascii_digit() {
            let mut val: u32 = 0;
            let mut len: u8 = 0;
            while let Some(&d) = self.s.get(self.pos) {
                if !d.is_ascii_digit() {
                    break;
                }
                val = val.saturating_mul(10).saturating_add(u32::from(d - b'0'));
                len = len.saturating_add(1);
                self.pos += 1;
            }
            Some(Tok::Num { val, len })
        } else if b.is_ascii_alphabetic() {
            while self.s.get(self.pos).is_some_and(u8::is_ascii_alphabetic) {
                self.pos += 1;
            }
            Some(Tok::Alpha { start, end: self.pos })
        } else {
            self.pos += 1;
            Some(Tok::Sym(b))
        }
    }

    fn peek(&self) -> Option<Tok> {
        let mut copy = *self;
        copy.next()
    }

    fn word(&self, start: usize, end: usize) -> &'a [u8] {
        self.s.get(start..end).unwrap_or_default()
    }

    /// Consumes the next token when it is the symbol `sym`.
    fn eat_sym(&mut self, sym: u8) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(b)) if b == sym) {
            self.next();
            true
        } else {
            false
        }
    }

    /// A number of 1..=`max_len` digits.
    fn num(&mut self, max_len: u8) -> Option<(u32, u8)> {
        match self.next()? {
            Tok::Num { val, len } if len <= max_len => Some((val, len)),
            _ => None,
        }
    }
}

/// Parses an RFC 5322 `date-time`, tolerantly (see the module docs).
///
/// Returns `None` when no date can be read or a field is out of range.
///
/// ```
/// use mailwire_mime::date::parse_date;
///
/// let d = parse_date(b"Fri, 21 Nov 1997 09:55:06 -0600").unwrap();
/// assert_eq!(d.timestamp, 880_127_706);
/// assert_eq!(d.offset_minutes, -360);
/// assert_eq!(parse_date(b"21 Nov 97 09:55:06 GMT").unwrap().year(), 1997);
/// assert_eq!(parse_date(b"Mon Jan  2 15:04:05 2006").unwrap().to_rfc3339(),
///            "2006-01-02T15:04:05+00:00");
/// assert!(parse_date(b"Tue, 32 Jul 2003 10:52:37 +0200").is_none());
/// ```
pub fn parse_date(raw: &[u8]) -> Option<DateTime> {
    let value = field_end(raw);
    parse_value(value).or_else(|| {
        // A whole Received: value (or other text before the date): the
        // date-time follows the last semicolon.
        let semi = memchr::memrchr(b';', value)?;
        parse_value(value.get(semi + 1..)?)
    })
}

fn parse_value(s: &[u8]) -> Option<DateTime> {
    let mut lx = Lexer::new(s);
    // Stray punctuation before the date (`;_ Tue, ...`).
    while let Some(Tok::Sym(_)) = lx.peek() {
        lx.next();
    }
    if let Some(Tok::Alpha { start, end }) = lx.peek() {
        if is_day_name(lx.word(start, end)) {
            lx.next();
            lx.eat_sym(b'.');
        }
    }
    match lx.peek()? {
        Tok::Num { len: 1..=2, .. } => day_first(&mut lx),
        Tok::Num { len: 4, .. } => iso(&mut lx),
        Tok::Alpha { .. } => month_first(&mut lx),
        _ => None,
    }
}

/// `day month year time [zone]`: RFC 5322, with a numeric month allowed.
fn day_first(lx: &mut Lexer<'_>) -> Option<DateTime> {
    let (day, _) = lx.num(2)?;
    let month = match lx.next()? {
        Tok::Alpha { start, end } => month_number(lx.word(start, end))?,
        Tok::Num { val, len: 1..=2 } => u8::try_from(val).ok()?,
        _ => return None,
    };
    let (y, ylen) = lx.num(4)?;
    let year = full_year(y, ylen)?;
    let (hour, minute, second) = time(lx)?;
    let offset = zone(lx)?;
    build(year, month, day, hour, minute, second, offset)
}

/// `month day ...`: the asctime / `date(1)` forms
/// `Mon Jan  2 15:04:05 [zone] 2006 [zone]` and `Jan 2 2006 15:04:05 [zone]`.
fn month_first(lx: &mut Lexer<'_>) -> Option<DateTime> {
    let month = match lx.next()? {
        Tok::Alpha { start, end } => month_number(lx.word(start, end))?,
        _ => return None,
    };
    let (day, _) = lx.num(2)?;
    // Year before the time: the number is not followed by ':'.
    let mut probe = *lx;
    if let (Some(Tok::Num { val, len }), next) = (probe.next(), probe.peek()) {
        if !matches!(next, Some(Tok::Sym(b':'))) {
            *lx = probe;
            let year = full_year(val, len)?;
            let (hour, minute, second) = time(lx)?;
            let offset = zone(lx)?;
            return build(year, month, day, hour, minute, second, offset);
        }
    }
    let (hour, minute, second) = time(lx)?;
    let (year, offset) = match lx.peek()? {
        Tok::Num { val, len } => {
            lx.next();
            (full_year(val, len)?, zone(lx)?)
        }
        _ => {
            let offset = zone(lx)?;
            let (val, len) = lx.num(4)?;
            (full_year(val, len)?, offset)
        }
    };
    build(year, month, day, hour, minute, second, offset)
}

/// `yyyy-mm-dd[T| ]hh:mm[:ss] [zone]`.
fn iso(lx: &mut Lexer<'_>) -> Option<DateTime> {
    let (y, ylen) = lx.num(4)?;
    let year = full_year(y, ylen)?;
    if !lx.eat_sym(b'-') {
        return None;
    }
    let (month, _) = lx.num(2)?;
    if !lx.eat_sym(b'-') {
        return None;
    }
    let (day, _) = lx.num(2)?;
    if let Some(Tok::Alpha { start, end }) = lx.peek() {
        if lx.word(start, end).eq_ignore_ascii_case(b"t") {
            lx.next();
        }
    }
    let (hour, minute, second) = time(lx)?;
    let offset = zone(lx)?;
    build(year, u8::try_from(month).ok()?, day, hour, minute, second, offset)
}

fn build(
    year: i64,
    month: u8,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    offset: i16,
) -> Option<DateTime> {
    DateTime::from_parts(
        year,
        month,
        u8::try_from(day).ok()?,
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
        offset,
    )
}

/// `hh:mm[:ss[.fraction]]`, CFWS allowed around the colons.
fn time(lx: &mut Lexer<'_>) -> Option<(u32, u32, u32)> {
    let (hour, _) = lx.num(2)?;
    if !lx.eat_sym(b':') {
        return None;
    }
    let (minute, _) = lx.num(2)?;
    let mut second = 0;
    if lx.eat_sym(b':') {
        second = lx.num(2)?.0;
        let mut probe = *lx;
        if probe.eat_sym(b'.') && matches!(probe.next(), Some(Tok::Num { .. })) {
            *lx = probe;
        }
    }
    Some((hour, minute, second))
}

/// The zone, in minutes east of UTC. `Some(0)` for a missing or unknown
/// zone (RFC 5322 4.3: unknown zones mean `-0000`), `None` for a numeric
/// zone that is out of range.
fn zone(lx: &mut Lexer<'_>) -> Option<i16> {
    match lx.peek() {
        Some(Tok::Sym(sign @ (b'+' | b'-'))) => {
            lx.next();
            numeric_zone(lx, sign)
        }
        Some(Tok::Alpha { start, end }) => {
            lx.next();
            let word = lx.word(start, end);
            let named = [
                (&b"ut"[..], 0),
                (b"utc", 0),
                (b"gmt", 0),
                (b"z", 0),
                (b"est", -5 * 60),
                (b"edt", -4 * 60),
                (b"cst", -6 * 60),
                (b"cdt", -5 * 60),
                (b"mst", -7 * 60),
                (b"mdt", -6 * 60),
                (b"pst", -8 * 60),
                (b"pdt", -7 * 60),
            ];
            let offset = named.iter().find(|(name, _)| word.eq_ignore_ascii_case(name)).map(|&(_, off)| off);
            match offset {
                // `GMT+0200`, `UTC+02:00`: the numeric part is the offset.
                Some(0) if word.len() > 1 => match lx.peek() {
                    Some(Tok::Sym(sign @ (b'+' | b'-'))) => {
                        let mut probe = *lx;
                        probe.next();
                        if matches!(probe.peek(), Some(Tok::Num { .. })) {
                            *lx = probe;
                            numeric_zone(lx, sign)
                        } else {
                            Some(0)
                        }
                    }
                    _ => Some(0),
                },
                Some(off) => Some(off),
                // Military letters and other names: -0000.
                None => Some(0),
            }
        }
        _ => Some(0),
    }
}

/// The digits after a `+`/`-`: `hhmm`, `hmm` / `hhm`, `hh`, `h` or `hh:mm`.
fn numeric_zone(lx: &mut Lexer<'_>, sign: u8) -> Option<i16> {
    let (val, len) = match lx.peek() {
        Some(Tok::Num { val, len }) => (val, len),
        // A lone sign: not a zone we can read.
        _ => return Some(0),
    };
    lx.next();
    let (hours, minutes) = match len {
        1 | 2 => {
            let mut probe = *lx;
            match (probe.eat_sym(b':'), probe.next()) {
                (true, Some(Tok::Num { val: mm, len: 2 })) => {
                    *lx = probe;
                    (val, mm)
                }
                _ => (val, 0),
            }
        }
        // Three digits: `hmm` (`+530`) when that gives a real-world
        // minute count, else a truncated `hhm` (`+020` is `+0200`).
        3 if matches!(val % 100, 0 | 15 | 30 | 45) => (val / 100, val % 100),
        3 => (val / 10, val % 10 * 10),
        4 => (val / 100, val % 100),
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    // At most 23 * 60 + 59, so the conversion cannot fail.
    let total = i16::try_from(hours * 60 + minutes).ok()?;
    Some(if sign == b'-' { -total } else { total })
}

/// RFC 5322 4.3: a 2-digit year below 50 is 20xx, else 19xx; a 3-digit
/// year is added to 1900. One digit is read like two. Four-digit years
/// must be 1900 or later (section 3.3).
fn full_year(val: u32, len: u8) -> Option<i64> {
    let v = i64::from(val);
    match len {
        1 | 2 if v < 50 => Some(2000 + v),
        1 | 2 => Some(1900 + v),
        3 => Some(1900 + v),
        4 if v >= 1900 => Some(v),
        _ => None,
    }
}

fn month_number(word: &[u8]) -> Option<u8> {
    if word.len() != 3 {
        return None;
    }
    MONTH_NAMES
        .iter()
        .position(|m| word.eq_ignore_ascii_case(m.as_bytes()))
        .and_then(|i| u8::try_from(i + 1).ok())
}

/// A day-of-week name: its first three letters name a day (`Tue`,
/// `Tues`, `Tuesday`, `THU`, `Thur`).
fn is_day_name(word: &[u8]) -> bool {
    word.len() >= 3
        && word.len() <= 9
        && DAY_NAMES.iter().any(|d| word.get(..3).is_some_and(|p| p.eq_ignore_ascii_case(d.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<String> {
        parse_date(s.as_bytes()).map(|d| d.to_rfc3339())
    }

    #[test]
    fn civil_round_trip() {
        for days in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn extreme_timestamps_do_not_panic() {
        for ts in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX] {
            for off in [i16::MIN, -1439, 0, 1439, i16::MAX] {
                let d = DateTime { timestamp: ts, offset_minutes: off };
                let _ = (d.year(), d.month(), d.day(), d.weekday());
                let _ = (d.to_rfc3339(), d.to_rfc5322());
            }
        }
    }

    #[test]
    fn from_parts_validates() {
        assert!(DateTime::from_parts(2000, 2, 29, 0, 0, 0, 0).is_some());
        assert!(DateTime::from_parts(1900, 2, 29, 0, 0, 0, 0).is_none());
        assert!(DateTime::from_parts(2003, 4, 31, 0, 0, 0, 0).is_none());
        assert!(DateTime::from_parts(2003, 13, 1, 0, 0, 0, 0).is_none());
        assert!(DateTime::from_parts(2003, 1, 1, 24, 0, 0, 0).is_none());
        assert!(DateTime::from_parts(2003, 1, 1, 0, 60, 0, 0).is_none());
        assert!(DateTime::from_parts(2003, 1, 1, 0, 0, 61, 0).is_none());
        assert!(DateTime::from_parts(2003, 1, 1, 0, 0, 0, 1440).is_none());
        assert!(DateTime::from_parts(10_000, 1, 1, 0, 0, 0, 0).is_none());
        let leap = DateTime::from_parts(2016, 12, 31, 23, 59, 60, 0).unwrap();
        assert_eq!(leap.to_rfc3339(), "2017-01-01T00:00:00+00:00");
    }

    #[test]
    fn accessors_and_formatting() {
        let d = DateTime::from_parts(2002, 10, 13, 14, 30, 0, 120).unwrap();
        assert_eq!(
            (d.year(), d.month(), d.day(), d.hour(), d.minute(), d.second()),
            (2002, 10, 13, 14, 30, 0)
        );
        assert_eq!(d.weekday(), 7);
        assert_eq!(d.to_rfc3339(), "2002-10-13T14:30:00+02:00");
        assert_eq!(d.to_rfc5322(), "Sun, 13 Oct 2002 14:30:00 +0200");
        let n = parse_date(b"Thu, 13 Feb 1969 23:32:54 -0330").unwrap();
        assert_eq!(n.to_rfc5322(), "Thu, 13 Feb 1969 23:32:54 -0330");
        assert_eq!(n.weekday(), 4);
        let z = parse_date(b"1 Jan 2000 00:00 -0000").unwrap();
        assert_eq!(z.to_rfc3339(), "2000-01-01T00:00:00+00:00");
        assert_eq!(z.to_rfc5322(), "Sat, 1 Jan 2000 00:00:00 +0000");
    }

    #[test]
    fn rfc5322_appendix_a() {
        // A.1.1, A.1.2, A.3, A.4
        assert_eq!(p("Fri, 21 Nov 1997 09:55:06 -0600").as_deref(), Some("1997-11-21T09:55:06-06:00"));
        assert_eq!(p("Tue, 1 Jul 2003 10:52:37 +0200").as_deref(), Some("2003-07-01T10:52:37+02:00"));
        assert_eq!(p("Thu, 13 Feb 1969 23:32:54 -0330").as_deref(), Some("1969-02-13T23:32:54-03:30"));
        assert_eq!(p("Mon, 24 Nov 1997 14:22:01 -0800").as_deref(), Some("1997-11-24T14:22:01-08:00"));
        // A.4 trace fields
        assert_eq!(p(" 21 Nov 1997 10:05:43 -0600").as_deref(), Some("1997-11-21T10:05:43-06:00"));
        // A.5: folding white space everywhere, no seconds, trailing comment
        assert_eq!(
            p("Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n               -0330 (Newfoundland Time)\r\n")
                .as_deref(),
            Some("1969-02-13T23:32:00-03:30")
        );
        // A.6.2: obsolete zone, two-digit year, no day of week
        assert_eq!(p("21 Nov 97 09:55:06 GMT").as_deref(), Some("1997-11-21T09:55:06+00:00"));
        // A.6.3: comments and white space inside the time
        assert_eq!(
            p("Fri, 21 Nov 1997 09(comment):   55  :  06 -0600").as_deref(),
            Some("1997-11-21T09:55:06-06:00")
        );
    }

    #[test]
    fn tolerated_forms() {
        let cases = [
            ("TUESDAY, 1 jul 2003 10:52:37 +0200", "2003-07-01T10:52:37+02:00"),
            ("Tue 1 Jul 2003 10:52:37 +0200", "2003-07-01T10:52:37+02:00"),
            ("Thur, 2 Jan 2003 10:52:37 +0200", "2003-01-02T10:52:37+02:00"),
            ("1 Jul 2003 10:52:37 +0200 (CEST)", "2003-07-01T10:52:37+02:00"),
            ("1 Jul 2003 10:52:37 GMT+0200", "2003-07-01T10:52:37+02:00"),
            ("1 Jul 2003 10:52:37 GMT+02:00", "2003-07-01T10:52:37+02:00"),
            ("1 Jul 2003 10:52:37 UTC", "2003-07-01T10:52:37+00:00"),
            ("1 Jul 2003 10:52:37 UT", "2003-07-01T10:52:37+00:00"),
            ("1 Jul 2003 10:52:37 edt", "2003-07-01T10:52:37-04:00"),
            ("1 Jul 2003 10:52:37 CDT", "2003-07-01T10:52:37-05:00"),
            ("1 Jul 2003 10:52:37 MST", "2003-07-01T10:52:37-07:00"),
            ("1 Jul 2003 10:52:37 MDT", "2003-07-01T10:52:37-06:00"),
            ("1 Jul 2003 10:52:37 PST", "2003-07-01T10:52:37-08:00"),
            ("1 Jul 2003 10:52:37 CST", "2003-07-01T10:52:37-06:00"),
            ("1 Jul 2003 10:52:37 Q", "2003-07-01T10:52:37+00:00"),
            ("1 Jul 2003 10:52:37 CEST", "2003-07-01T10:52:37+00:00"),
            ("1 Jul 2003 10:52:37", "2003-07-01T10:52:37+00:00"),
            ("1 Jul 2003 10:52:37 -0000", "2003-07-01T10:52:37+00:00"),
            ("1 Jul 2003 10:52:37 +5", "2003-07-01T10:52:37+05:00"),
            ("1 Jul 2003 10:52:37 +530", "2003-07-01T10:52:37+05:30"),
            ("1 Jul 2003 10:52:37 -345", "2003-07-01T10:52:37-03:45"),
            ("1 Jul 2003 10:52:37 +020", "2003-07-01T10:52:37+02:00"),
            ("1 Jul 2003 10:52:37 +05:30", "2003-07-01T10:52:37+05:30"),
            ("1 Jul 2003 10:52:37.123 +0200", "2003-07-01T10:52:37+02:00"),
            ("1 Jul 2003 10:52:37 +0200; trailing junk", "2003-07-01T10:52:37+02:00"),
            ("1 Jul 103 10:52:37 +0200", "2003-07-01T10:52:37+02:00"),
            ("1 Jul 49 10:52 +0200", "2049-07-01T10:52:00+02:00"),
            ("1 Jul 50 10:52 +0200", "1950-07-01T10:52:00+02:00"),
            ("20 11 79 05:34:27 -0300", "1979-11-20T05:34:27-03:00"),
            ("Mon Jan  2 15:04:05 2006", "2006-01-02T15:04:05+00:00"),
            ("Fri Feb 07 10:18:12 2003 -0800", "2003-02-07T10:18:12-08:00"),
            ("Fri Sep 14 14:36:56 EDT 2018", "2018-09-14T14:36:56-04:00"),
            ("Jan 2 2006 15:04:05 +0100", "2006-01-02T15:04:05+01:00"),
            ("2006-01-02 15:04:05", "2006-01-02T15:04:05+00:00"),
            ("2006-01-02T15:04:05Z", "2006-01-02T15:04:05+00:00"),
            ("2006-01-02T15:04:05.5-07:00", "2006-01-02T15:04:05-07:00"),
            ("_ Tue, 21 Jul 2009 14:34:14 +0200", "2009-07-21T14:34:14+02:00"),
            ("Sat, 29 Feb 2020 23:59:59 +1400", "2020-02-29T23:59:59+14:00"),
            (
                "from a by b with SMTP id x;\r\n\tMon, 10 Oct 2022 10:31:15 -0700 (PDT)",
                "2022-10-10T10:31:15-07:00",
            ),
            ("1 Jul 2003 ((nested) comment) 10:52:37 +0200", "2003-07-01T10:52:37+02:00"),
            ("1 Jul 2003 10:52:37 +0200\r\nX-Next: -0500", "2003-07-01T10:52:37+02:00"),
        ];
        for (input, want) in cases {
            assert_eq!(p(input).as_deref(), Some(want), "{input:?}");
        }
    }

    #[test]
    fn rejected() {
        // Would roll into year 10000 and not round-trip (fuzzer finding).
        assert_eq!(parse_date(b"Fri, 31 Dec 9999 23:59:60 +0000"), None);
        for input in [
            "",
            "   \r\n",
            "garbage",
            "Tue, 32 Jul 2003 10:52:37 +0200",
            "Tue, 29 Feb 2003 10:52:37 +0200",
            "Tue, 1 Jul 2003 25:52:37 +0200",
            "Tue, 1 Jul 2003 10:60:37 +0200",
            "Tue, 1 Jul 2003 10:52:61 +0200",
            "Tue, 1 Jul 2003 10:52:37 -9999",
            "Tue, 1 Jul 2003 10:52:37 +123456",
            "Tue, 1 Xul 2003 10:52:37 +0200",
            "Tue, 1 June 2003 10:52:37 +0200",
            "Tue, 7 00 2026 19:14:51 +0000",
            "1 Jul 1899 10:52:37 +0200",
            "1 Jul 20031 10:52:37 +0200",
            "1 Jul 2003 10 52 37",
            "1 Jul 2003",
            "Tue, 1 Jul 2003 ((unclosed)\ncomment) 10:52:37 +0200",
            "99999999999999999999 Jul 2003 10:52:37 +0200",
        ] {
            assert_eq!(p(input), None, "{input:?}");
        }
    }

    #[test]
    fn never_panics_on_prefixes_and_bytes() {
        let samples: [&[u8]; 4] = [
            b"Thu, 13 Feb 1969 23:32:54 -0330 (x)",
            b"Mon Jan  2 15:04:05 EDT 2006",
            b"2006-01-02T15:04:05.123+02:00",
            b"\xff(\\\x00;((;+-:9999999999999999999:99 \xe9\r\n",
        ];
        for s in samples {
            for i in 0..=s.len() {
                let _ = parse_date(&s[..i]);
                let _ = parse_date(&s[i..]);
            }
        }
        for b in 0..=255u8 {
            let _ = parse_date(&[b; 40]);
        }
    }

    #[test]
    fn field_end_and_comment_helpers() {
        assert_eq!(field_end(b"a\r\n b\r\nc"), b"a\r\n b\r");
        assert_eq!(field_end(b"a\n\n b"), b"a");
        assert_eq!(field_end(b"a\n"), b"a");
        assert_eq!(skip_comment(b"(a(b)c)d", 0), Some(7));
        assert_eq!(skip_comment(b"(a\\)b)d", 0), Some(6));
        assert_eq!(skip_comment(b"(a(b)", 0), None);
        assert_eq!(skip_quoted(b"\"a\\\"b\"c", 0), Some(6));
        assert_eq!(skip_quoted(b"\"ab", 0), None);
    }
}
