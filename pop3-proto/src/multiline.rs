//! Multi-line answers as streams (RFC 1939 §3): a line that starts with
//! `.` gets another `.` in front (byte-stuffing), and a line holding only
//! `.` ends the answer.
//!
//! [`Unstuffer`] takes what a client reads, in chunks of any size, and
//! gives back the data with the stuffing removed, finding the end even
//! when it is split across reads. [`Stuffer`] does the opposite for a
//! server: it takes a message in chunks, writes CRLF line ends (a bare LF
//! becomes CRLF), stuffs dots, and ends the answer; for TOP it stops after
//! the header and the requested number of body lines.
//!
//! ```
//! use mailwire_pop3::multiline::{Stuffer, Unstuffer};
//!
//! let mut wire = Vec::new();
//! let mut s = Stuffer::new();
//! s.push(b"Subject: x\n\n.hidden\n", &mut wire);
//! s.finish(&mut wire);
//! assert_eq!(wire, b"Subject: x\r\n\r\n..hidden\r\n.\r\n");
//!
//! // Read back one byte at a time.
//! let mut u = Unstuffer::new();
//! let mut body = Vec::new();
//! for b in &wire {
//!     let used = u.push(std::slice::from_ref(b), &mut body);
//!     assert_eq!(used, 1);
//! }
//! assert!(u.is_done());
//! assert_eq!(body, b"Subject: x\r\n\r\n.hidden\r\n");
//! ```

/// Removes byte-stuffing from a multi-line answer and finds its end.
#[derive(Debug, Clone)]
pub struct Unstuffer {
    /// At the start of a line.
    line_start: bool,
    /// Bytes held back at a line start: `.` or `.\r`, which may be the
    /// start of the terminator.
    held: Vec<u8>,
    done: bool,
}

impl Default for Unstuffer {
    fn default() -> Self {
        Unstuffer::new()
    }
}

impl Unstuffer {
    /// A decoder at the start of the data (just after the `+OK` line).
    pub fn new() -> Unstuffer {
        Unstuffer { line_start: true, held: Vec::new(), done: false }
    }

    /// Whether the terminating `.` line was seen.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Decodes `input` into `out` and returns how many bytes of `input`
    /// belong to the answer: all of them until the end is found, then the
    /// count up to and including the terminator line (the rest is the next
    /// response). A terminator of `.` LF, as some servers send, is
    /// accepted too.
    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) -> usize {
        let mut i = 0;
        while i < input.len() && !self.done {
            if self.line_start {
                // Decide what the line starts with, holding back `.` and
                // `.\r` until the next byte shows what they are.
                if self.held.is_empty() && input[i] != b'.' {
                    self.line_start = false;
                    continue;
                }
                self.held.push(input[i]);
                i += 1;
                match self.held.as_slice() {
                    [b'.'] | [b'.', b'\r'] => continue,
                    [b'.', b'\n'] | [b'.', b'\r', b'\n'] => {
                        self.held.clear();
                        self.done = true;
                    }
                    [b'.', rest @ ..] => {
                        // A stuffed line: drop the first dot.
                        out.extend_from_slice(rest);
                        self.line_start = rest.ends_with(b"\n");
                        self.held.clear();
                    }
                    _ => unreachable!("held always starts with a dot"),
                }
                continue;
            }
            // Inside a line: copy up to and including the next LF.
            match memchr::memchr(b'\n', &input[i..]) {
                Some(n) => {
                    out.extend_from_slice(&input[i..i + n + 1]);
                    i += n + 1;
                    self.line_start = true;
                }
                None => {
                    out.extend_from_slice(&input[i..]);
                    i = input.len();
                }
            }
        }
        i
    }
}

/// Byte-stuffs a message for RETR or TOP, in chunks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stuffer {
    line_start: bool,
    /// The last byte written was CR (its LF may come in the next chunk).
    after_cr: bool,
    /// TOP: body lines still to send (`None`: everything).
    body_lines: Option<u32>,
    /// TOP: still in the header.
    in_header: bool,
    /// TOP: the current header line is empty so far.
    header_line_empty: bool,
    /// TOP: everything asked for has been written.
    full: bool,
    /// Octets written, terminator excluded.
    written: u64,
}

impl Default for Stuffer {
    fn default() -> Self {
        Stuffer::new()
    }
}

impl Stuffer {
    /// For RETR: the whole message.
    pub fn new() -> Stuffer {
        Stuffer {
            line_start: true,
            after_cr: false,
            body_lines: None,
            in_header: true,
            header_line_empty: true,
            full: false,
            written: 0,
        }
    }

    /// For TOP: the header, the empty line after it, and `lines` lines of
    /// the body.
    pub fn top(lines: u32) -> Stuffer {
        Stuffer { body_lines: Some(lines), ..Stuffer::new() }
    }

    /// Whether TOP has written all it was asked for (further input is
    /// ignored; the caller may stop reading the message).
    pub fn is_full(&self) -> bool {
        self.full
    }

    /// The octets of message data written so far, stuffing included and
    /// the terminator excluded.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Appends the wire form of `chunk` to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        out.reserve(chunk.len() + chunk.len() / 64 + 4);
        let mut i = 0;
        while i < chunk.len() && !self.full {
            let b = chunk[i];
            if self.after_cr && b != b'\n' {
                // A bare CR: keep it, as it is part of no line end.
                self.after_cr = false;
            }
            if self.line_start {
                self.line_start = false;
                self.header_line_empty = true;
                if b == b'.' {
                    out.push(b'.');
                }
            }
            if self.body_lines.is_some() {
                // TOP: byte by byte, to count lines.
                self.top_byte(b, out);
                i += 1;
                continue;
            }
            // RETR: copy up to the next CR or LF in one go.
            let run_end = memchr::memchr2(b'\r', b'\n', &chunk[i..]).map_or(chunk.len(), |n| i + n);
            if run_end > i {
                out.extend_from_slice(&chunk[i..run_end]);
                i = run_end;
                continue;
            }
            self.line_end_byte(b, out);
            i += 1;
        }
        self.written += (out.len() - start) as u64;
    }

    /// Writes CR or LF, making every line end CRLF.
    fn line_end_byte(&mut self, b: u8, out: &mut Vec<u8>) -> bool {
        if b == b'\r' {
            out.push(b'\r');
            self.after_cr = true;
            false
        } else if b == b'\n' {
            if !self.after_cr {
                out.push(b'\r');
            }
            out.push(b'\n');
            self.after_cr = false;
            self.line_start = true;
            true
        } else {
            out.push(b);
            false
        }
    }

    fn top_byte(&mut self, b: u8, out: &mut Vec<u8>) {
        let is_eol_byte = b == b'\r' || b == b'\n';
        if !is_eol_byte {
            self.header_line_empty = false;
        }
        let line_ended = self.line_end_byte(b, out);
        if !line_ended {
            return;
        }
        if self.in_header {
            if self.header_line_empty {
                // The empty line after the header.
                self.in_header = false;
                self.full = self.body_lines == Some(0);
            }
            return;
        }
        if let Some(n) = &mut self.body_lines {
            *n = n.saturating_sub(1);
            self.full = *n == 0;
        }
    }

    /// Ends the answer: the line end the data lacks (CRLF, or only LF
    /// after a final bare CR), then `.` CRLF.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.after_cr {
            // A message ending in a bare CR: complete the line end.
            out.push(b'\n');
            self.written += 1;
        } else if !self.line_start {
            out.extend_from_slice(b"\r\n");
            self.written += 2;
        }
        out.extend_from_slice(b".\r\n");
    }
}

/// The size of `message` as [`Stuffer`] sends it, without the stuffing
/// and the terminator: every line end CRLF, and a final line end added when
/// the message lacks one. This is what LIST and STAT must report (RFC 1939
/// §11: sizes count CRLF line ends, before byte-stuffing). For a message
/// read in pieces, use [`WireSize`].
pub fn wire_size(message: &[u8]) -> u64 {
    let mut size = WireSize::new();
    size.push(message);
    size.total()
}

/// [`wire_size`] over a message read in chunks of any size.
///
/// ```
/// use mailwire_pop3::multiline::{WireSize, wire_size};
///
/// let message = b"Subject: x\n\nbody\r\nend";
/// let mut size = WireSize::new();
/// for chunk in message.chunks(3) {
///     size.push(chunk);
/// }
/// assert_eq!(size.total(), wire_size(message));
/// assert_eq!(size.total(), 25); // 21 bytes, two LFs gain a CR, a CRLF is added at the end
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WireSize {
    bytes: u64,
    /// Line feeds without a CR before them.
    bare_lf: u64,
    last: Option<u8>,
}

impl WireSize {
    /// Nothing counted yet.
    pub fn new() -> WireSize {
        WireSize::default()
    }

    /// Counts the next chunk.
    pub fn push(&mut self, chunk: &[u8]) {
        let Some(&last) = chunk.last() else { return };
        let lf = memchr::memchr_iter(b'\n', chunk).count() as u64;
        let crlf = memchr::memmem::find_iter(chunk, b"\r\n").count() as u64;
        // A CRLF split between the previous chunk and this one.
        let split = u64::from(self.last == Some(b'\r') && chunk[0] == b'\n');
        self.bare_lf += lf - crlf - split;
        self.bytes += chunk.len() as u64;
        self.last = Some(last);
    }

    /// The size on the wire of everything pushed.
    pub fn total(&self) -> u64 {
        let final_eol = match self.last {
            None | Some(b'\n') => 0,
            Some(b'\r') => 1,
            Some(_) => 2,
        };
        self.bytes + self.bare_lf + final_eol
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stuff(msg: &[u8], top: Option<u32>) -> Vec<u8> {
        let mut s = top.map_or_else(Stuffer::new, Stuffer::top);
        let mut out = Vec::new();
        s.push(msg, &mut out);
        s.finish(&mut out);
        out
    }

    fn unstuff(wire: &[u8]) -> (Vec<u8>, usize, bool) {
        let mut u = Unstuffer::new();
        let mut out = Vec::new();
        let used = u.push(wire, &mut out);
        (out, used, u.is_done())
    }

    #[test]
    fn stuffing() {
        assert_eq!(stuff(b"a\r\n.b\r\n..c\r\n.\r\n", None), b"a\r\n..b\r\n...c\r\n..\r\n.\r\n");
        assert_eq!(stuff(b"no final eol", None), b"no final eol\r\n.\r\n");
        assert_eq!(stuff(b"lf\nonly\n", None), b"lf\r\nonly\r\n.\r\n");
        assert_eq!(stuff(b"bare\rcr\r", None), b"bare\rcr\r\n.\r\n");
        assert_eq!(stuff(b"", None), b".\r\n");
        assert_eq!(stuff(b".", None), b"..\r\n.\r\n");
    }

    #[test]
    fn top_cuts_after_the_body_lines() {
        let msg = b"A: 1\r\nB: 2\r\n\r\nline 1\r\n.line 2\r\nline 3\r\n";
        assert_eq!(stuff(msg, Some(0)), b"A: 1\r\nB: 2\r\n\r\n.\r\n");
        assert_eq!(stuff(msg, Some(2)), b"A: 1\r\nB: 2\r\n\r\nline 1\r\n..line 2\r\n.\r\n");
        assert_eq!(stuff(msg, Some(99)), stuff(msg, None));
        // No empty line: the whole header, nothing else.
        assert_eq!(stuff(b"A: 1\nB: 2", Some(1)), b"A: 1\r\nB: 2\r\n.\r\n");
    }

    #[test]
    fn unstuffing_finds_the_end_and_stops_there() {
        let (body, used, done) = unstuff(b"a\r\n..b\r\n.\r\n+OK next");
        assert_eq!(body, b"a\r\n.b\r\n");
        assert_eq!(used, 11);
        assert!(done);
        assert_eq!(unstuff(b".\r\n"), (Vec::new(), 3, true));
        assert_eq!(unstuff(b"x\n.\n"), (b"x\n".to_vec(), 4, true));
        // ".x" at a line start loses its dot; "a.b" keeps it.
        assert_eq!(unstuff(b".x a.b\r\n").0, b"x a.b\r\n");
        assert!(!unstuff(b"a\r\n.").2);
    }

    #[test]
    fn every_split_gives_the_same_result() {
        let msg = b"From: a\r\n\r\n.\r\n..\r\nx.\r\n.y\r\nend";
        let wire = stuff(msg, None);
        for cut in 0..=wire.len() {
            let mut u = Unstuffer::new();
            let mut out = Vec::new();
            let a = u.push(&wire[..cut], &mut out);
            let b = u.push(&wire[cut..], &mut out);
            assert_eq!(a + b, wire.len());
            assert!(u.is_done());
            assert_eq!(out, b"From: a\r\n\r\n.\r\n..\r\nx.\r\n.y\r\nend\r\n");
        }
    }

    #[test]
    fn wire_size_is_what_the_stuffer_sends() {
        assert_eq!(wire_size(b"a\r\nb\n"), 6);
        assert_eq!(wire_size(b""), 0);
        for msg in [&b"no final eol"[..], b"bare cr at end\r", b"x\n.y\r\n", b"a\rb\n", b".", b""] {
            let sent = stuff(msg, None);
            let dots =
                sent.windows(3).filter(|w| w == b"\n..").count() + usize::from(sent.starts_with(b".."));
            assert_eq!(wire_size(msg), (sent.len() - 3 - dots) as u64, "{:?}", String::from_utf8_lossy(msg));
        }
    }
}
