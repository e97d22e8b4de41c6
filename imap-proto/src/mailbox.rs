//! Mailbox names: `INBOX`, modified UTF-7 (RFC 3501 §5.1.3) and UTF-8
//! names (RFC 6855, IMAP4rev2), and LIST patterns.

use std::borrow::Cow;

use bytes::Bytes;

use crate::chars;
use crate::encode::Writer;
use crate::lex::{Cursor, PResult};
use crate::string::{Form, Str};

/// A mailbox name as on the wire.
///
/// `INBOX` is case-insensitive and always parsed as [`Mailbox::Inbox`];
/// every other name is kept as sent: modified UTF-7 unless UTF8=ACCEPT is
/// in use, in which case it is UTF-8. [`Mailbox::name`] decodes either.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Mailbox {
    /// `INBOX`, in any case.
    Inbox,
    /// Any other name: its wire bytes.
    Other(Str),
}

impl Mailbox {
    /// The mailbox with these wire bytes.
    pub fn from_wire(name: Str) -> Mailbox {
        if name.eq_ignore_case("INBOX") { Mailbox::Inbox } else { Mailbox::Other(name) }
    }

    /// The mailbox named `name` (Unicode), encoded in modified UTF-7 for a
    /// server without UTF8=ACCEPT.
    pub fn new(name: &str) -> Mailbox {
        Mailbox::from_wire(Str::from(utf7_encode(name)))
    }

    /// The mailbox named `name`, sent as UTF-8 (after `ENABLE UTF8=ACCEPT`,
    /// or with IMAP4rev2).
    pub fn new_utf8(name: &str) -> Mailbox {
        Mailbox::from_wire(Str::from(name))
    }

    /// The wire bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Mailbox::Inbox => b"INBOX",
            Mailbox::Other(s) => s.as_bytes(),
        }
    }

    /// The name for people: modified UTF-7 decoded when the name is valid
    /// modified UTF-7, otherwise the bytes read as UTF-8 (lossily).
    pub fn name(&self) -> Cow<'_, str> {
        let bytes = self.as_bytes();
        if bytes.is_ascii() {
            if let Some(decoded) = utf7_decode(bytes) {
                return Cow::Owned(decoded);
            }
        }
        String::from_utf8_lossy(bytes)
    }

    /// Whether this is `INBOX`.
    pub fn is_inbox(&self) -> bool {
        matches!(self, Mailbox::Inbox)
    }

    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<Mailbox> {
        Ok(Mailbox::from_wire(c.astring("mailbox")?))
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        match self {
            Mailbox::Inbox => {
                w.raw(b"INBOX");
            }
            Mailbox::Other(s) => {
                w.astring(s);
            }
        }
    }
}

impl From<&str> for Mailbox {
    fn from(name: &str) -> Mailbox {
        Mailbox::new(name)
    }
}

/// `list-mailbox`: a LIST pattern (`%` and `*` are wildcards), as an atom
/// of list-chars or a string.
pub(crate) fn parse_list_mailbox(c: &mut Cursor<'_>) -> PResult<Str> {
    match c.peek() {
        Some(b'"') | Some(b'{') => c.string("list-mailbox"),
        Some(b'~') if c.peek_at(1) == Some(b'{') => c.string("list-mailbox"),
        _ => {
            let start = c.pos();
            let n = c.rest().iter().position(|&b| !chars::is_list_char(b)).unwrap_or(c.rest().len());
            if n == 0 {
                return Err(c.expected("list-mailbox", "a mailbox pattern"));
            }
            c.advance(n);
            Ok(Str::with_form(c.slice(start, start + n), Form::Atom))
        }
    }
}

/// Writes a `list-mailbox`.
pub(crate) fn encode_list_mailbox(w: &mut Writer, pattern: &Str) {
    let b = pattern.as_bytes();
    if matches!(pattern.form(), Form::Atom | Form::Auto)
        && !b.is_empty()
        && b.iter().all(|&x| chars::is_list_char(x))
    {
        w.raw(b);
    } else {
        w.string(pattern);
    }
}

/// Encodes a Unicode name in modified UTF-7 (RFC 3501 §5.1.3).
pub fn utf7_encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    let flush = |pending: &mut Vec<u16>, out: &mut String| {
        if pending.is_empty() {
            return;
        }
        let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
        let b64 = base64_simd::STANDARD_NO_PAD.encode_to_string(&bytes);
        out.push('&');
        out.push_str(&b64.replace('/', ","));
        out.push('-');
        pending.clear();
    };
    for ch in name.chars() {
        if (' '..='~').contains(&ch) {
            flush(&mut pending, &mut out);
            if ch == '&' {
                out.push_str("&-");
            } else {
                out.push(ch);
            }
        } else {
            let mut buf = [0u16; 2];
            pending.extend_from_slice(ch.encode_utf16(&mut buf));
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// Decodes a modified UTF-7 name; `None` if it is not valid modified
/// UTF-7 (an 8-bit byte, a bad base64 run, a lone surrogate, or a run that
/// encodes printable ASCII, which RFC 3501 forbids).
pub fn utf7_decode(wire: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(wire.len());
    let mut i = 0;
    while i < wire.len() {
        let b = wire[i];
        if !(0x20..=0x7e).contains(&b) {
            return None;
        }
        if b != b'&' {
            out.push(b as char);
            i += 1;
            continue;
        }
        let end = i + 1 + wire[i + 1..].iter().position(|&x| x == b'-')?;
        let run = &wire[i + 1..end];
        if run.is_empty() {
            out.push('&');
        } else {
            let std: Vec<u8> = run.iter().map(|&x| if x == b',' { b'/' } else { x }).collect();
            if run.contains(&b'/') {
                return None;
            }
            let bytes = base64_simd::STANDARD_NO_PAD.decode_to_vec(&std).ok()?;
            if bytes.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = bytes.chunks(2).map(|p| u16::from_be_bytes([p[0], p[1]])).collect();
            for ch in char::decode_utf16(units) {
                let ch = ch.ok()?;
                if (' '..='~').contains(&ch) {
                    return None;
                }
                out.push(ch);
            }
        }
        i = end + 1;
    }
    Some(out)
}

impl From<Mailbox> for Bytes {
    fn from(m: Mailbox) -> Bytes {
        match m {
            Mailbox::Inbox => Bytes::from_static(b"INBOX"),
            Mailbox::Other(s) => s.bytes().clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3501_example() {
        // RFC 3501 §5.1.3: "~peter/mail/台北/日本語"
        let name = "~peter/mail/\u{53f0}\u{5317}/\u{65e5}\u{672c}\u{8a9e}";
        let wire = "~peter/mail/&U,BTFw-/&ZeVnLIqe-";
        assert_eq!(utf7_encode(name), wire);
        assert_eq!(utf7_decode(wire.as_bytes()).as_deref(), Some(name));
        assert_eq!(Mailbox::new(name).as_bytes(), wire.as_bytes());
        assert_eq!(Mailbox::new(name).name(), name);
    }

    #[test]
    fn ampersand_and_invalid() {
        assert_eq!(utf7_encode("Tom & Jerry"), "Tom &- Jerry");
        assert_eq!(utf7_decode(b"Tom &- Jerry").as_deref(), Some("Tom & Jerry"));
        assert_eq!(utf7_decode(b"&Jjo"), None);
        assert_eq!(utf7_decode(b"&AGE-"), None); // encodes 'a'
        assert_eq!(utf7_decode(b"&2D0-"), None); // lone surrogate
        assert_eq!(utf7_encode("\u{1F600}"), "&2D3eAA-");
        assert_eq!(utf7_decode(b"&2D3eAA-").as_deref(), Some("\u{1F600}"));
    }

    #[test]
    fn inbox_any_case() {
        assert!(Mailbox::from_wire(Str::from("iNbOx")).is_inbox());
        assert!(!Mailbox::from_wire(Str::from("INBOX.Sent")).is_inbox());
    }
}
