//! Message data on the wire: dot-stuffing for DATA (RFC 5321 §4.5.2) as a
//! streaming encoder and decoder, and BDAT chunking (RFC 3030).
//!
//! Both directions take input in chunks of any size, so a message never
//! has to be in memory twice, and the end of data (`CRLF . CRLF`) is found
//! even when it is split across reads.
//!
//! **SMTP smuggling.** Only `CRLF . CRLF` ends the data: a `.` line ended
//! by a bare LF, or preceded by one, does not (the 2023 "SMTP smuggling"
//! attacks relied on servers that accepted `LF . LF` or `LF . CRLF`). The
//! [`DotStuffer`] never sends a bare LF or CR: it writes every line break
//! as CRLF, so nothing it sends can be read as two messages by any server.
//!
//! ```
//! use mailwire_smtp::data::{DotStuffer, DotUnstuffer};
//!
//! let mut wire = Vec::new();
//! let mut enc = DotStuffer::new();
//! enc.push(b"Subject: x\r\n\r\n.hidden\r\n", &mut wire);
//! enc.push(b"last line", &mut wire);
//! enc.finish(&mut wire);
//! assert_eq!(wire, b"Subject: x\r\n\r\n..hidden\r\nlast line\r\n.\r\n");
//!
//! let mut dec = DotUnstuffer::new(1 << 20);
//! let mut message = Vec::new();
//! let used = dec.feed(&wire[..10], &mut message);
//! assert_eq!(used, 10);
//! let used = dec.feed(&wire[10..], &mut message);
//! assert!(dec.is_done());
//! assert_eq!(used, wire.len() - 10);
//! assert_eq!(message, b"Subject: x\r\n\r\n.hidden\r\nlast line\r\n");
//! ```

/// The longest line SMTP allows in message data: 1000 octets with the
/// CRLF (RFC 5321 §4.5.3.1.6).
pub const MAX_DATA_LINE: usize = 1000;

/// Dot-stuffs message bytes for DATA, chunk by chunk.
///
/// A `.` at the start of a line is doubled; LF, CR and CRLF line breaks
/// are all written as CRLF; [`finish`](DotStuffer::finish) ends the last
/// line if needed and writes the terminating `.` line.
#[derive(Debug, Clone)]
pub struct DotStuffer {
    line_start: bool,
    after_cr: bool,
    line_len: usize,
    longest: usize,
    normalised: usize,
}

impl Default for DotStuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl DotStuffer {
    /// A stuffer at the start of the message.
    pub fn new() -> Self {
        DotStuffer { line_start: true, after_cr: false, line_len: 0, longest: 0, normalised: 0 }
    }

    /// Appends the stuffed form of `chunk` to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        out.reserve(chunk.len() + chunk.len() / 64 + 4);
        let mut i = 0;
        while i < chunk.len() {
            if self.after_cr {
                // A CR was written as CRLF; an LF right after it is that LF.
                self.after_cr = false;
                if chunk[i] == b'\n' {
                    i += 1;
                    continue;
                }
                self.normalised += 1;
            }
            if self.line_start && chunk[i] == b'.' {
                out.push(b'.');
            }
            // Copy up to the next line break in one go.
            let end = memchr::memchr2(b'\r', b'\n', &chunk[i..]).map_or(chunk.len(), |k| i + k);
            out.extend_from_slice(&chunk[i..end]);
            self.line_len += end - i;
            self.line_start = false;
            i = end;
            if i < chunk.len() {
                let b = chunk[i];
                out.extend_from_slice(b"\r\n");
                self.end_line();
                if b == b'\r' {
                    self.after_cr = true;
                } else {
                    // A bare LF (not after a CR, which is handled above).
                    self.normalised += 1;
                }
                i += 1;
            }
        }
    }

    fn end_line(&mut self) {
        self.longest = self.longest.max(self.line_len);
        self.line_len = 0;
        self.line_start = true;
    }

    /// Ends the data: a CRLF if the last line is open, then `.` CRLF. The
    /// stuffer is then ready for another message.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.after_cr {
            // A trailing lone CR was already written as CRLF.
            self.normalised += 1;
        } else if !self.line_start {
            out.extend_from_slice(b"\r\n");
            self.end_line();
        }
        out.extend_from_slice(b".\r\n");
        *self = DotStuffer { longest: self.longest, normalised: self.normalised, ..DotStuffer::new() };
    }

    /// The longest line seen so far, in octets without its line break
    /// (more than 998 is not allowed in DATA).
    pub fn longest_line(&self) -> usize {
        self.longest.max(self.line_len)
    }

    /// How many bare CRs and LFs were written as CRLF.
    pub fn normalised_line_breaks(&self) -> usize {
        self.normalised
    }
}

/// Dot-stuffs a whole message: `message` stuffed and terminated.
pub fn stuff(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 64 + 8);
    let mut s = DotStuffer::new();
    s.push(message, &mut out);
    s.finish(&mut out);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a line.
    LineStart,
    /// In a line.
    InLine,
    /// In a line, after a CR.
    Cr,
    /// After a `.` at the start of a line.
    Dot,
    /// After `.` CR at the start of a line.
    DotCr,
    /// The end of data has been read.
    Done,
}

/// Reads DATA from the wire, chunk by chunk: removes the stuffed dots,
/// finds `CRLF . CRLF`, and keeps the message bytes exactly otherwise.
///
/// Past `max_size` bytes of message the decoder keeps reading to the end
/// of data but stops storing ([`too_large`](DotUnstuffer::too_large)), so
/// the server can answer 552 at the right time. Lines longer than
/// [`MAX_DATA_LINE`] and bare line feeds are counted for the application
/// to judge; they never end the data.
#[derive(Debug, Clone)]
pub struct DotUnstuffer {
    state: State,
    max_size: usize,
    size: usize,
    line_len: usize,
    long_lines: usize,
    bare_lf: usize,
}

impl DotUnstuffer {
    /// A decoder at the start of the data, storing at most `max_size`
    /// bytes of message.
    pub fn new(max_size: usize) -> Self {
        DotUnstuffer { state: State::LineStart, max_size, size: 0, line_len: 0, long_lines: 0, bare_lf: 0 }
    }

    /// Takes `input` and appends message bytes to `out`. Returns how many
    /// bytes of `input` belong to the data: all of them until the end of
    /// data is found, then the count up to and including the final CRLF
    /// (what follows is the next command).
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> usize {
        let mut i = 0;
        while i < input.len() && self.state != State::Done {
            let b = input[i];
            match self.state {
                State::InLine => {
                    let end = memchr::memchr2(b'\r', b'\n', &input[i..]).map_or(input.len(), |k| i + k);
                    self.store(&input[i..end], out);
                    self.line_len += end - i;
                    i = end;
                    if i < input.len() {
                        self.line_break_or_cr(input[i], out);
                        i += 1;
                    }
                    continue;
                }
                State::LineStart => {
                    if b == b'.' {
                        self.state = State::Dot;
                    } else {
                        self.state = State::InLine;
                        continue;
                    }
                }
                State::Cr => {
                    if b == b'\n' {
                        self.store(b"\n", out);
                        self.end_line();
                    } else {
                        self.state = State::InLine;
                        continue;
                    }
                }
                State::Dot => {
                    if b == b'\r' {
                        self.state = State::DotCr;
                    } else {
                        // A stuffed dot: dropped; the rest of the line is
                        // content (even another dot).
                        self.line_len += 1;
                        self.state = State::InLine;
                        continue;
                    }
                }
                State::DotCr => {
                    if b == b'\n' {
                        self.state = State::Done;
                    } else {
                        // `.` CR x: the dot was stuffing, the CR content.
                        self.store(b"\r", out);
                        self.line_len += 2;
                        self.state = State::InLine;
                        continue;
                    }
                }
                State::Done => {}
            }
            i += 1;
        }
        i
    }

    fn line_break_or_cr(&mut self, b: u8, out: &mut Vec<u8>) {
        self.store(&[b], out);
        if b == b'\r' {
            self.state = State::Cr;
        } else {
            // A bare LF: content, counted, not a line start for the end of
            // data (so `LF . CRLF` cannot end the message).
            self.bare_lf += 1;
            self.line_len += 1;
        }
    }

    fn end_line(&mut self) {
        if self.line_len + 2 > MAX_DATA_LINE {
            self.long_lines += 1;
        }
        self.line_len = 0;
        self.state = State::LineStart;
    }

    fn store(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        let room = self.max_size.saturating_sub(self.size);
        out.extend_from_slice(&bytes[..bytes.len().min(room)]);
        self.size = self.size.saturating_add(bytes.len());
    }

    /// Whether the end of data has been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Whether the message passed `max_size` (what was stored is cut).
    pub fn too_large(&self) -> bool {
        self.size > self.max_size
    }

    /// The message size in bytes, counted past `max_size` too.
    pub fn size(&self) -> usize {
        self.size
    }

    /// How many lines were longer than [`MAX_DATA_LINE`].
    pub fn long_lines(&self) -> usize {
        self.long_lines
    }

    /// How many bare line feeds the data held.
    pub fn bare_line_feeds(&self) -> usize {
        self.bare_lf
    }
}

/// Splits a message into BDAT chunks of at most `chunk_size` bytes (at
/// least 1): `(chunk, last)` pairs. An empty message is one empty last
/// chunk (`BDAT 0 LAST`).
pub fn bdat_chunks(message: &[u8], chunk_size: usize) -> impl Iterator<Item = (&[u8], bool)> {
    let size = chunk_size.max(1);
    let count = message.len().div_ceil(size).max(1);
    (0..count).map(move |k| {
        let start = k * size;
        let end = (start + size).min(message.len());
        (&message[start.min(message.len())..end], k + 1 == count)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unstuff_in_pieces(wire: &[u8], piece: usize) -> (Vec<u8>, usize, DotUnstuffer) {
        let mut d = DotUnstuffer::new(usize::MAX);
        let mut out = Vec::new();
        let mut used = 0;
        for c in wire.chunks(piece.max(1)) {
            let n = d.feed(c, &mut out);
            used += n;
            if d.is_done() {
                break;
            }
        }
        (out, used, d)
    }

    #[test]
    fn stuffing_doubles_leading_dots_and_normalises_line_breaks() {
        assert_eq!(stuff(b""), b".\r\n");
        assert_eq!(stuff(b"."), b"..\r\n.\r\n");
        assert_eq!(stuff(b"a\r\n.\r\n"), b"a\r\n..\r\n.\r\n");
        assert_eq!(stuff(b"a\n.b\rc\r\n"), b"a\r\n..b\r\nc\r\n.\r\n");
        assert_eq!(stuff(b"a\r"), b"a\r\n.\r\n");
        let mut s = DotStuffer::new();
        let mut out = Vec::new();
        for b in b"x\r\n.y\r\n" {
            s.push(&[*b], &mut out);
        }
        s.finish(&mut out);
        assert_eq!(out, b"x\r\n..y\r\n.\r\n", "byte by byte, CR and LF in separate pushes");
    }

    #[test]
    fn unstuffing_finds_the_end_in_any_split_and_keeps_bytes() {
        let message = b"From: a\r\n\r\n.leading dot\r\n..two\r\nend\r\n";
        let mut wire = stuff(message);
        wire.extend_from_slice(b"QUIT\r\n");
        for piece in 1..wire.len() {
            let (out, used, d) = unstuff_in_pieces(&wire, piece);
            assert!(d.is_done(), "piece {piece}");
            assert_eq!(out, message, "piece {piece}");
            assert_eq!(&wire[used..], b"QUIT\r\n", "piece {piece}");
        }
    }

    #[test]
    fn only_crlf_dot_crlf_ends_data() {
        // Smuggling shapes: LF.LF, LF.CRLF, CRLF.LF do not end the data.
        let wire = b"a\n.\nb\n.\r\nc\r\n.\nd\r\n.\r\n";
        let (out, used, d) = unstuff_in_pieces(wire, 3);
        assert!(d.is_done());
        assert_eq!(used, wire.len());
        assert_eq!(out, b"a\n.\nb\n.\r\nc\r\n\nd\r\n");
        assert_eq!(d.bare_line_feeds(), 4);
    }

    #[test]
    fn an_empty_message_and_dot_cr_content() {
        let (out, used, d) = unstuff_in_pieces(b".\r\nNOOP\r\n", 1);
        assert!(d.is_done() && out.is_empty() && used == 3);
        let (out, _, d) = unstuff_in_pieces(b".\rx\r\n.\r\n", 2);
        assert!(d.is_done());
        assert_eq!(out, b"\rx\r\n");
    }

    #[test]
    fn size_and_line_limits_are_reported_not_fatal() {
        let mut wire = stuff(&b"x".repeat(1200));
        wire.extend_from_slice(b"MAIL FROM:<>\r\n");
        let mut d = DotUnstuffer::new(100);
        let mut out = Vec::new();
        let used = d.feed(&wire, &mut out);
        assert!(d.is_done() && d.too_large());
        assert_eq!(out.len(), 100);
        assert_eq!(d.size(), 1202);
        assert_eq!(d.long_lines(), 1);
        assert_eq!(&wire[used..], b"MAIL FROM:<>\r\n");
    }

    #[test]
    fn bdat_chunks_cover_the_message() {
        let m = b"0123456789";
        let chunks: Vec<_> = bdat_chunks(m, 4).collect();
        assert_eq!(chunks, [(&b"0123"[..], false), (&b"4567"[..], false), (&b"89"[..], true)]);
        assert_eq!(bdat_chunks(b"", 4).collect::<Vec<_>>(), [(&b""[..], true)]);
    }
}
