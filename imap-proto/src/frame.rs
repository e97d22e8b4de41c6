//! Message framing: where one IMAP message (a command or a response, its
//! lines and literals) ends in a stream of bytes.
//!
//! An IMAP message is a line ending in CRLF, unless the line ends with a
//! literal header (`{N}`, `{N+}`, `~{N}`): then N octets follow and the
//! message goes on with another line. [`Framer`] finds the end
//! incrementally (each byte is looked at once, however the stream is cut)
//! so that the grammar parsers always see a whole message.

use crate::Limits;
use crate::error::{DecodeError, LiteralHeader};

/// Incremental framing state for one message at a time.
#[derive(Debug, Clone, Default)]
pub struct Framer {
    /// Bytes of the buffer already looked at.
    scanned: usize,
    /// Start of the current line.
    line_start: usize,
    /// End of the literal being received, if in one.
    literal_end: Option<usize>,
    /// The literal being received.
    literal: Option<(LiteralHeader, usize)>,
    /// Whether [`Frame::AwaitingLiteral`] was reported for it.
    announced: bool,
    /// Report literals longer than this ([`Frame::LargeLiteral`]).
    stop_over: Option<u64>,
}

/// What [`Framer::scan`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// `buffer[..end]` is one whole message.
    Complete(usize),
    /// More bytes are needed.
    Incomplete,
    /// A line ended with a synchronising literal header and the literal
    /// has not arrived: the sender waits for a continuation request
    /// (`+ …`). Reported once per literal; scanning again goes on
    /// waiting for its bytes.
    AwaitingLiteral(LiteralHeader),
    /// A literal longer than the framer's stopping length
    /// ([`Framer::stopping_at_literals_over`]) begins: the caller takes its
    /// bytes itself (a client streaming a large body), then calls
    /// [`Framer::reset`].
    LargeLiteral(LiteralProgress),
}

/// A literal that is being received: its header and where its data start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiteralProgress {
    /// The header.
    pub header: LiteralHeader,
    /// Offset in the buffer of the literal's first octet.
    pub data_start: usize,
}

impl Framer {
    /// A framer at the start of a message.
    pub fn new() -> Self {
        Framer::default()
    }

    /// A framer that stops at every literal longer than `length`
    /// ([`Frame::LargeLiteral`]), whether or not its bytes are there.
    pub fn stopping_at_literals_over(length: u64) -> Self {
        Framer { stop_over: Some(length), ..Framer::default() }
    }

    /// Looks at `buffer` (the bytes of the current message received so
    /// far, starting at its first byte; the same bytes and more on each
    /// call) and says whether it holds a whole message.
    ///
    /// After [`Frame::Complete`], the framer is reset for the next
    /// message, which starts at `buffer[end..]`: drop those `end` bytes
    /// before scanning again.
    pub fn scan(&mut self, buffer: &[u8], limits: &Limits) -> Result<Frame, DecodeError> {
        loop {
            if let Some(end) = self.literal_end {
                if buffer.len() < end {
                    if let Some((header, _)) = self.literal {
                        if header.synchronizing && !self.announced {
                            self.announced = true;
                            return Ok(Frame::AwaitingLiteral(header));
                        }
                    }
                    return Ok(Frame::Incomplete);
                }
                self.scanned = end;
                self.line_start = end;
                self.literal_end = None;
                self.literal = None;
                self.announced = false;
            }
            let from = self.scanned.min(buffer.len());
            let Some(nl) = memchr::memchr(b'\n', &buffer[from..]) else {
                self.scanned = buffer.len();
                if buffer.len() - self.line_start > limits.max_line {
                    return Err(DecodeError::TooLong { what: "line length" });
                }
                return Ok(Frame::Incomplete);
            };
            let nl = from + nl;
            if nl - self.line_start > limits.max_line {
                return Err(DecodeError::TooLong { what: "line length" });
            }
            let mut line = &buffer[self.line_start..nl];
            if let [rest @ .., b'\r'] = line {
                line = rest;
            }
            match literal_header(line) {
                Some(header) => {
                    if header.length > limits.max_literal {
                        return Err(DecodeError::TooLong { what: "literal length" });
                    }
                    let data_start = nl + 1;
                    let end = (data_start as u64).saturating_add(header.length);
                    if end > limits.max_message {
                        return Err(DecodeError::TooLong { what: "message length" });
                    }
                    self.literal_end = Some(end as usize);
                    self.literal = Some((header, data_start));
                    self.announced = false;
                    if self.stop_over.is_some_and(|max| header.length > max) {
                        return Ok(Frame::LargeLiteral(LiteralProgress { header, data_start }));
                    }
                }
                None => {
                    *self = Framer { stop_over: self.stop_over, ..Framer::default() };
                    return Ok(Frame::Complete(nl + 1));
                }
            }
        }
    }

    /// The literal being received, if the message has stopped in one.
    pub fn literal_in_progress(&self) -> Option<LiteralProgress> {
        self.literal.map(|(header, data_start)| LiteralProgress { header, data_start })
    }

    /// Forgets the current message (after an error, or when the caller
    /// takes a literal's bytes itself).
    pub fn reset(&mut self) {
        *self = Framer { stop_over: self.stop_over, ..Framer::default() };
    }
}

/// Finds one whole message at the start of `buffer`, without keeping
/// state: `Ok(Some(end))` when `buffer[..end]` is one.
pub fn frame(buffer: &[u8], limits: &Limits) -> Result<Option<usize>, DecodeError> {
    match Framer::new().scan(buffer, limits)? {
        Frame::Complete(end) => Ok(Some(end)),
        Frame::Incomplete | Frame::AwaitingLiteral(_) | Frame::LargeLiteral(_) => Ok(None),
    }
}

/// The literal header at the end of `line` (CRLF removed), if any.
pub fn literal_header(line: &[u8]) -> Option<LiteralHeader> {
    let [before @ .., b'}'] = line else {
        return None;
    };
    let (digits_end, synchronizing) = match before {
        [rest @ .., b'+'] => (rest.len(), false),
        _ => (before.len(), true),
    };
    let digits_and_before = &before[..digits_end];
    let open = digits_and_before.iter().rposition(|&b| b == b'{')?;
    let digits = &digits_and_before[open + 1..];
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let length = digits.iter().fold(0u64, |n, &d| n.saturating_mul(10).saturating_add(u64::from(d - b'0')));
    let binary = open > 0 && digits_and_before[open - 1] == b'~';
    Some(LiteralHeader { length, synchronizing, binary })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        assert_eq!(
            literal_header(b"A1 LOGIN {3}"),
            Some(LiteralHeader { length: 3, synchronizing: true, binary: false })
        );
        assert_eq!(
            literal_header(b"A1 APPEND x ~{10+}"),
            Some(LiteralHeader { length: 10, synchronizing: false, binary: true })
        );
        assert_eq!(literal_header(b"A1 LOGIN {}"), None);
        assert_eq!(literal_header(b"A1 LOGIN {x}"), None);
        assert_eq!(literal_header(b"* OK done"), None);
    }

    #[test]
    fn framing_across_cuts() {
        let msg = b"* 1 FETCH (BODY[] {5}\r\nab\r\nc BODY[1] {0}\r\n)\r\n* 2 EXISTS\r\n";
        let end = msg.len() - b"* 2 EXISTS\r\n".len();
        for cut in 0..msg.len() {
            let mut framer = Framer::new();
            let limits = Limits::default();
            let first = framer.scan(&msg[..cut], &limits).unwrap();
            if cut >= end {
                assert_eq!(first, Frame::Complete(end));
                continue;
            }
            assert!(matches!(first, Frame::Incomplete | Frame::AwaitingLiteral(_)), "{first:?}");
            let mut second = framer.scan(msg, &limits).unwrap();
            if matches!(second, Frame::AwaitingLiteral(_)) {
                second = framer.scan(msg, &limits).unwrap();
            }
            assert_eq!(second, Frame::Complete(end));
        }
    }

    #[test]
    fn sync_literal_announced_once() {
        let limits = Limits::default();
        let mut framer = Framer::new();
        let a = framer.scan(b"A1 LOGIN {3}\r\n", &limits).unwrap();
        assert!(matches!(a, Frame::AwaitingLiteral(h) if h.length == 3));
        assert_eq!(framer.scan(b"A1 LOGIN {3}\r\nab", &limits).unwrap(), Frame::Incomplete);
        assert_eq!(framer.scan(b"A1 LOGIN {3}\r\nabc {1+}\r\nx\r\n", &limits).unwrap(), Frame::Complete(27));
    }

    #[test]
    fn limits_hold() {
        let limits = Limits { max_line: 8, ..Limits::default() };
        assert!(Framer::new().scan(b"A1 NOOP NOOP", &limits).is_err());
        let limits = Limits { max_literal: 8, ..Limits::default() };
        assert!(Framer::new().scan(b"A1 X {9}\r\n", &limits).is_err());
    }
}
