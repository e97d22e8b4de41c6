//! Writing messages: the bytes, and where a client must stop and wait.
//!
//! A command with a synchronising literal cannot be sent in one go: the
//! client sends up to the literal header, waits for the server's `+`
//! continuation request, then sends the literal. [`Encoded`] holds the
//! bytes and those stopping points; the client session honours them.

use crate::chars;
use crate::string::{Form, Str, Text};

/// How literals in a command are announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LiteralMode {
    /// `{N}`: wait for a continuation request before each literal.
    #[default]
    Synchronizing,
    /// `{N+}` for every literal (the server announced `LITERAL+`, RFC 7888).
    NonSyncAll,
    /// `{N+}` for literals up to 4096 octets (`LITERAL-`, or IMAP4rev2),
    /// `{N}` above.
    NonSyncSmall,
}

/// One encoded message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Encoded {
    bytes: Vec<u8>,
    /// Offsets after which the sender waits for a continuation request.
    waits: Vec<usize>,
}

impl Encoded {
    /// All the bytes, as one would log them.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes, taken.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Whether a continuation request is needed partway.
    pub fn has_waits(&self) -> bool {
        !self.waits.is_empty()
    }

    /// The pieces to send: the first at once, each next one after a
    /// continuation request from the server.
    pub fn pieces(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0;
        let ends = self.waits.iter().copied().chain(std::iter::once(self.bytes.len()));
        ends.map(move |end| {
            let piece = &self.bytes[start..end];
            start = end;
            piece
        })
    }
}

/// The writer every `encode` goes through.
#[derive(Debug, Default)]
pub struct Writer {
    out: Vec<u8>,
    waits: Vec<usize>,
    /// How literals are announced (commands only; responses never wait).
    pub literal_mode: LiteralMode,
    /// Whether responses are written (no waiting on literals).
    pub server_side: bool,
    /// Whether quoted strings may carry UTF-8 (IMAP4rev2, or UTF8=ACCEPT
    /// enabled).
    pub utf8: bool,
}

/// Longest value the writer puts in a quoted string when the form is its
/// choice.
const MAX_AUTO_QUOTED: usize = 1024;

impl Writer {
    /// A writer for commands (client side).
    pub fn client(literal_mode: LiteralMode, utf8: bool) -> Self {
        Writer { literal_mode, utf8, ..Writer::default() }
    }

    /// A writer for responses (server side).
    pub fn server(utf8: bool) -> Self {
        Writer { server_side: true, utf8, ..Writer::default() }
    }

    /// The encoded message.
    pub fn finish(self) -> Encoded {
        Encoded { bytes: self.out, waits: self.waits }
    }

    /// Bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.out
    }

    /// Raw bytes (the caller knows they are valid here).
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.out.extend_from_slice(bytes);
        self
    }

    /// One raw byte.
    pub fn byte(&mut self, b: u8) -> &mut Self {
        self.out.push(b);
        self
    }

    /// A space.
    pub fn sp(&mut self) -> &mut Self {
        self.byte(b' ')
    }

    /// CRLF.
    pub fn crlf(&mut self) -> &mut Self {
        self.raw(b"\r\n")
    }

    /// A decimal number.
    pub fn number(&mut self, n: u64) -> &mut Self {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut n = n;
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&buf[i..]);
        self
    }

    /// `text` (the writer trusts [`Text`] to hold no line break).
    pub fn text(&mut self, text: &Text) -> &mut Self {
        self.raw(text.as_bytes())
    }

    /// An `astring`: an atom if the form allows and the value is one.
    pub fn astring(&mut self, s: &Str) -> &mut Self {
        let bytes = s.as_bytes();
        let atom_ok = !bytes.is_empty() && bytes.iter().all(|&b| chars::is_astring_char(b));
        match s.form() {
            Form::Atom | Form::Auto if atom_ok && !(s.form() == Form::Auto && is_nil(bytes)) => {
                self.raw(bytes)
            }
            _ => self.string(s),
        }
    }

    /// A `string`: quoted or literal.
    pub fn string(&mut self, s: &Str) -> &mut Self {
        let bytes = s.as_bytes();
        match s.form() {
            Form::Literal8 => self.literal(bytes, true, None),
            // A NUL can only travel in a literal8 (RFC 3516).
            Form::Literal => self.literal(bytes, bytes.contains(&0), Some(true)),
            Form::LiteralNonSync => self.literal(bytes, bytes.contains(&0), Some(false)),
            Form::Quoted if self.quotable(bytes) => self.quoted(bytes),
            _ if bytes.len() <= MAX_AUTO_QUOTED && self.quotable(bytes) => self.quoted(bytes),
            _ => self.literal(bytes, bytes.contains(&0), None),
        }
    }

    /// An `nstring`: a string or NIL.
    pub fn nstring(&mut self, s: Option<&Str>) -> &mut Self {
        match s {
            Some(s) => self.string(s),
            None => self.raw(b"NIL"),
        }
    }

    fn quotable(&self, bytes: &[u8]) -> bool {
        if bytes.iter().all(|&b| chars::is_text_char(b) && b != 0) {
            return true;
        }
        self.utf8
            && std::str::from_utf8(bytes).is_ok()
            && !bytes.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0))
    }

    /// A quoted string, escaping `"` and `\`.
    pub fn quoted(&mut self, bytes: &[u8]) -> &mut Self {
        self.out.reserve(bytes.len() + 2);
        self.out.push(b'"');
        for &b in bytes {
            if b == b'"' || b == b'\\' {
                self.out.push(b'\\');
            }
            self.out.push(b);
        }
        self.out.push(b'"');
        self
    }

    /// A literal. `sync`: `Some(true)` forces `{N}`, `Some(false)` forces
    /// `{N+}`, `None` follows [`Writer::literal_mode`]. Responses never
    /// use `+`.
    pub fn literal(&mut self, bytes: &[u8], binary: bool, sync: Option<bool>) -> &mut Self {
        let sync = if self.server_side {
            true
        } else {
            match sync {
                Some(s) => s,
                None => match self.literal_mode {
                    LiteralMode::Synchronizing => true,
                    LiteralMode::NonSyncAll => false,
                    LiteralMode::NonSyncSmall => bytes.len() > 4096,
                },
            }
        };
        if binary {
            self.out.push(b'~');
        }
        self.out.push(b'{');
        self.number(bytes.len() as u64);
        if !sync {
            self.out.push(b'+');
        }
        self.raw(b"}\r\n");
        if sync && !self.server_side {
            self.waits.push(self.out.len());
        }
        self.raw(bytes)
    }

    /// A parenthesised list, items separated by spaces.
    pub fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T)) -> &mut Self {
        self.byte(b'(');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.sp();
            }
            each(self, item);
        }
        self.byte(b')')
    }
}

fn is_nil(bytes: &[u8]) -> bool {
    bytes.eq_ignore_ascii_case(b"NIL")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let mut w = Writer::client(LiteralMode::Synchronizing, false);
        w.astring(&Str::from("INBOX")).sp();
        w.astring(&Str::from("a b")).sp();
        w.astring(&Str::from("say \"hi\"")).sp();
        w.astring(&Str::from("NIL")).sp();
        w.astring(&Str::from("line\r\nbreak"));
        let e = w.finish();
        assert_eq!(e.as_bytes(), b"INBOX \"a b\" \"say \\\"hi\\\"\" \"NIL\" {11}\r\nline\r\nbreak");
        let pieces: Vec<_> = e.pieces().collect();
        assert_eq!(pieces.len(), 2);
        assert!(pieces[0].ends_with(b"{11}\r\n"));
    }

    #[test]
    fn literal_modes() {
        let mut w = Writer::client(LiteralMode::NonSyncSmall, false);
        w.string(&Str::with_form("x", Form::Literal));
        w.string(&Str::from(vec![b'\n'; 5000]));
        let e = w.finish();
        assert!(e.as_bytes().starts_with(b"{1}\r\nx{5000}\r\n"));
        assert_eq!(e.pieces().count(), 3);
        let mut w = Writer::server(false);
        w.string(&Str::with_form("x", Form::LiteralNonSync));
        assert_eq!(w.finish().as_bytes(), b"{1}\r\nx");
    }

    #[test]
    fn numbers() {
        let mut w = Writer::server(false);
        w.number(0).sp().number(4294967295).sp().number(9_223_372_036_854_775_807);
        assert_eq!(w.finish().as_bytes(), b"0 4294967295 9223372036854775807");
    }
}
