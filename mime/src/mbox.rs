//! Reading mbox files (RFC 4155): the mboxo and mboxrd variants.
//!
//! Each message starts with a `From ` line (the envelope sender and date)
//! at the start of the file or after an empty line. Writers quote body
//! lines that would look like one: mboxo turns `From ` into `>From `, mboxrd
//! also adds a `>` to lines that already start with `>…>From `, so only
//! mboxrd can be unquoted exactly. The reader borrows from the input and
//! unquotes only when asked.

use std::borrow::Cow;

/// How `From ` lines inside messages were quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MboxFormat {
    /// mboxo: `>From ` lines lose one `>`, `>>From ` lines stay as they are.
    Mboxo,
    /// mboxrd: any run of `>` before `From ` loses one `>` (exact round trip).
    #[default]
    Mboxrd,
}

/// One message of an mbox file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MboxMessage<'a> {
    /// The `From ` line without its line break (`From sender date`).
    pub from_line: &'a [u8],
    /// Offset of the `From ` line in the file.
    pub offset: usize,
    /// The message as stored (quoted `From ` lines still quoted), without
    /// the empty line that separates it from the next message.
    pub raw: &'a [u8],
    format: MboxFormat,
}

impl<'a> MboxMessage<'a> {
    /// The envelope sender written on the `From ` line.
    pub fn envelope_sender(&self) -> Option<&'a str> {
        let rest = self.from_line.strip_prefix(b"From ")?;
        let rest = rest.trim_ascii_start();
        let end = rest.iter().position(|b| b.is_ascii_whitespace()).unwrap_or(rest.len());
        std::str::from_utf8(&rest[..end]).ok()
    }

    /// The date on the `From ` line (asctime form, `Fri Feb 22 17:06:23
    /// 2008`, with an optional numeric zone after the year or before it;
    /// UTC without one): when the message was delivered, the usual
    /// internal date of an mbox message.
    ///
    /// ```
    /// use mailwire_mime::mbox::MboxReader;
    ///
    /// let mbox = b"From user@domain  Fri Feb 22 23:00:00 2008 +0200\nSubject: x\n\n";
    /// let m = MboxReader::new(mbox).next().unwrap();
    /// assert_eq!(m.date().unwrap().to_rfc3339(), "2008-02-22T23:00:00+02:00");
    /// ```
    pub fn date(&self) -> Option<crate::DateTime> {
        let line = std::str::from_utf8(self.from_line).ok()?;
        let mut words = line.split_ascii_whitespace().skip(2);
        const MONTHS: [&str; 12] =
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
        let _weekday = words.next()?;
        let month = words.next()?.to_ascii_lowercase();
        let month = MONTHS.iter().position(|m| month.starts_with(m))? as u8 + 1;
        let day: u8 = words.next()?.parse().ok()?;
        let mut time = words.next()?.split(':').map(|p| p.parse::<u8>().ok());
        let (hour, minute) = (time.next()??, time.next()??);
        let second = time.next().flatten().unwrap_or(0);
        let zone = |w: &str| -> Option<i16> {
            let sign = match w.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: i16 = w.get(1..5)?.parse().ok()?;
            Some(sign * (digits / 100 * 60 + digits % 100))
        };
        let mut offset = 0;
        let mut year = None;
        for w in words.take(2) {
            match zone(w) {
                Some(z) => offset = z,
                None if year.is_none() => year = w.parse::<i64>().ok(),
                None => {}
            }
        }
        crate::DateTime::from_parts(year?, month, day, hour, minute, second, offset)
    }

    /// The message bytes with the `From ` quoting removed. Borrowed when
    /// nothing was quoted.
    pub fn unquoted(&self) -> Cow<'a, [u8]> {
        let needs = self.raw.starts_with(b">") || memchr::memmem::find(self.raw, b"\n>").is_some();
        if !needs {
            return Cow::Borrowed(self.raw);
        }
        let mut out = Vec::with_capacity(self.raw.len());
        for line in self.raw.split_inclusive(|&b| b == b'\n') {
            let quotes = line.iter().take_while(|&&b| b == b'>').count();
            let quoted = quotes > 0
                && line[quotes..].starts_with(b"From ")
                && (self.format == MboxFormat::Mboxrd || quotes == 1);
            out.extend_from_slice(if quoted { &line[1..] } else { line });
        }
        Cow::Owned(out)
    }
}

/// Iterates over the messages of an mbox file held in memory.
///
/// ```
/// use mailwire_mime::mbox::MboxReader;
/// let mbox = b"From a@x Sat Jan  3 01:05:34 1996\nSubject: one\n\n>From here\n\nFrom b@y Sun Jan  4 01:05:34 1996\nSubject: two\n\nbody\n";
/// let msgs: Vec<_> = MboxReader::new(mbox).collect();
/// assert_eq!(msgs.len(), 2);
/// assert_eq!(msgs[0].envelope_sender(), Some("a@x"));
/// assert_eq!(&*msgs[0].unquoted(), b"Subject: one\n\nFrom here\n");
/// ```
#[derive(Debug, Clone)]
pub struct MboxReader<'a> {
    input: &'a [u8],
    pos: usize,
    format: MboxFormat,
}

impl<'a> MboxReader<'a> {
    /// A reader over mboxrd data (the default; also right for mboxo files
    /// that never had `>From ` in a body).
    pub fn new(input: &'a [u8]) -> Self {
        Self::with_format(input, MboxFormat::default())
    }

    /// A reader for a known variant.
    pub fn with_format(input: &'a [u8], format: MboxFormat) -> Self {
        let mut r = MboxReader { input, pos: 0, format };
        // Skip anything before the first `From ` line.
        r.pos = if input.starts_with(b"From ") { 0 } else { r.find_from(0).unwrap_or(input.len()) };
        r
    }

    /// The next `From ` line at or after `from` that starts a message.
    fn find_from(&self, from: usize) -> Option<usize> {
        let mut at = from;
        loop {
            let hit = at + memchr::memmem::find(&self.input[at..], b"\nFrom ")?;
            let line_start = hit + 1;
            let before = &self.input[..hit];
            if before.ends_with(b"\n") || before.ends_with(b"\n\r") || hit == 0 {
                return Some(line_start);
            }
            at = line_start;
        }
    }
}

impl<'a> Iterator for MboxReader<'a> {
    type Item = MboxMessage<'a>;

    fn next(&mut self) -> Option<MboxMessage<'a>> {
        if self.pos >= self.input.len() {
            return None;
        }
        let start = self.pos;
        let line_end =
            memchr::memchr(b'\n', &self.input[start..]).map_or(self.input.len(), |i| start + i + 1);
        let from_line = self.input[start..line_end].trim_ascii_end();
        let next = self.find_from(line_end.saturating_sub(1)).unwrap_or(self.input.len());
        let mut raw = &self.input[line_end.min(next)..next];
        // Drop the empty line that ends each message (RFC 4155 §2), the
        // last one's too when it is there.
        if next < self.input.len() || raw.ends_with(b"\n\n") || raw.ends_with(b"\n\r\n") {
            raw = raw.strip_suffix(b"\r\n").or_else(|| raw.strip_suffix(b"\n")).unwrap_or(raw);
        }
        self.pos = next;
        Some(MboxMessage { from_line, offset: start, raw, format: self.format })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_message_loses_its_terminating_empty_line_too() {
        let data = b"From a Mon Jan 1 00:00:00 2001\r\nX: 1\r\n\r\nbody\r\n\nFrom b Mon Jan 1 00:00:00 2001\r\nX: 2\r\n\r\nend\r\n\n";
        let raws: Vec<&[u8]> = MboxReader::new(data).map(|m| m.raw).collect();
        assert_eq!(raws, [&b"X: 1\r\n\r\nbody\r\n"[..], b"X: 2\r\n\r\nend\r\n"]);
        // Without the empty line, the last line stays.
        let raws: Vec<&[u8]> = MboxReader::new(b"From a x\nX: 1\n\nlast\n").map(|m| m.raw).collect();
        assert_eq!(raws, [&b"X: 1\n\nlast\n"[..]]);
    }

    #[test]
    fn mboxo_and_mboxrd_unquoting() {
        let data = b"From x Mon Jan 1 00:00:00 2001\n\n>From a\n>>From b\nFrom c is not a separator\n";
        let rd = MboxReader::new(data).next().unwrap();
        assert_eq!(&*rd.unquoted(), b"\nFrom a\n>From b\nFrom c is not a separator\n");
        let o = MboxReader::with_format(data, MboxFormat::Mboxo).next().unwrap();
        assert_eq!(&*o.unquoted(), b"\nFrom a\n>>From b\nFrom c is not a separator\n");
        assert_eq!(MboxReader::new(data).count(), 1);
    }

    #[test]
    fn empty_and_junk() {
        assert_eq!(MboxReader::new(b"").count(), 0);
        assert_eq!(MboxReader::new(b"junk\n\nFrom a b\nx\n").count(), 1);
    }
}
