//! IMAP's string-like values: atoms, tags, strings (atom, quoted or
//! literal on the wire) and human-readable text.
//!
//! Values hold their bytes in [`Bytes`]: a parsed value shares the
//! received buffer (no copy per field) and is still owned, `'static` and
//! cheap to clone.

use std::fmt;

use bytes::Bytes;

use crate::chars;

/// A value that cannot be represented on the wire as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    /// Which kind of value.
    pub what: &'static str,
    /// Why not.
    pub why: &'static str,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.what, self.why)
    }
}

impl std::error::Error for ValueError {}

fn ascii_str(bytes: &Bytes) -> &str {
    // Validated as ASCII on construction.
    std::str::from_utf8(bytes).unwrap_or("")
}

/// `atom`: one or more ATOM-CHARs (7-bit, no space, parentheses, braces,
/// wildcards, quotes, backslash or `]`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Atom(Bytes);

impl Atom {
    /// An atom, if `value` is one.
    pub fn new(value: impl Into<Bytes>) -> Result<Atom, ValueError> {
        let bytes = value.into();
        if bytes.is_empty() || !bytes.iter().all(|&b| chars::is_atom_char(b)) {
            return Err(ValueError { what: "atom", why: "must be 1 or more ATOM-CHARs" });
        }
        Ok(Atom(bytes))
    }

    /// An atom from a constant; panics if `value` is not an atom, which is
    /// a programming error caught at the first run.
    pub fn from_static(value: &'static str) -> Atom {
        match Atom::new(Bytes::from_static(value.as_bytes())) {
            Ok(atom) => atom,
            Err(_) => panic!("Atom::from_static: not an atom"),
        }
    }

    pub(crate) fn unchecked(bytes: Bytes) -> Atom {
        Atom(bytes)
    }

    /// The atom's text.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }

    /// The atom's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Whether the atom equals `other`, ignoring ASCII case (IMAP keywords
    /// are case-insensitive).
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other.as_bytes())
    }
}

impl fmt::Debug for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Atom({})", self.as_str())
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<&str> for Atom {
    type Error = ValueError;
    fn try_from(value: &str) -> Result<Self, ValueError> {
        Atom::new(Bytes::copy_from_slice(value.as_bytes()))
    }
}

/// A command tag: one or more ASTRING-CHARs other than `+`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(Bytes);

impl Tag {
    /// A tag, if `value` is one.
    pub fn new(value: impl Into<Bytes>) -> Result<Tag, ValueError> {
        let bytes = value.into();
        if bytes.is_empty() || !bytes.iter().all(|&b| chars::is_tag_char(b)) {
            return Err(ValueError { what: "tag", why: "must be 1 or more ASTRING-CHARs other than '+'" });
        }
        Ok(Tag(bytes))
    }

    pub(crate) fn unchecked(bytes: Bytes) -> Tag {
        Tag(bytes)
    }

    /// The tag's text.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }

    /// The tag's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({})", self.as_str())
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<&str> for Tag {
    type Error = ValueError;
    fn try_from(value: &str) -> Result<Self, ValueError> {
        Tag::new(Bytes::copy_from_slice(value.as_bytes()))
    }
}

/// How a string was (or is to be) written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Form {
    /// The writer chooses: an atom where the grammar allows one and the
    /// value is one, a quoted string when the value is short text, a
    /// literal otherwise.
    #[default]
    Auto,
    /// An atom (`astring` positions only).
    Atom,
    /// A quoted string.
    Quoted,
    /// A synchronising literal `{N}`.
    Literal,
    /// A non-synchronising literal `{N+}` (RFC 7888).
    LiteralNonSync,
    /// A binary literal `~{N}` (RFC 3516), which may hold NUL.
    Literal8,
}

/// An IMAP string: `astring`, `string` or the value of an `nstring`.
///
/// It holds the value's bytes (un-escaped) and the [`Form`] it came in, so
/// that a parsed message writes back to the same bytes. Equality and
/// hashing look at the bytes only. When written where its form is not
/// allowed, or cannot hold the bytes (an atom with a space, a quoted
/// string with a line break), the writer picks a form that can.
#[derive(Clone, Default)]
pub struct Str {
    bytes: Bytes,
    form: Form,
}

impl Str {
    /// A string the writer will write in whatever form fits.
    pub fn new(value: impl Into<Bytes>) -> Str {
        Str { bytes: value.into(), form: Form::Auto }
    }

    /// A string with a preferred form.
    pub fn with_form(value: impl Into<Bytes>, form: Form) -> Str {
        Str { bytes: value.into(), form }
    }

    /// The value's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The value's bytes, shared.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The form it came in, or is to be written in.
    pub fn form(&self) -> Form {
        self.form
    }

    /// The value as text, if it is UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.bytes).ok()
    }

    /// The value as text, with invalid UTF-8 replaced.
    pub fn to_string_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }

    /// Whether the value equals `other`, ignoring ASCII case.
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.bytes.eq_ignore_ascii_case(other.as_bytes())
    }

    /// The number of bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for Str {}

impl std::hash::Hash for Str {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes.hash(state)
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string_lossy())
    }
}

impl From<&str> for Str {
    fn from(value: &str) -> Str {
        Str::new(Bytes::copy_from_slice(value.as_bytes()))
    }
}

impl From<String> for Str {
    fn from(value: String) -> Str {
        Str::new(Bytes::from(value))
    }
}

impl From<&[u8]> for Str {
    fn from(value: &[u8]) -> Str {
        Str::new(Bytes::copy_from_slice(value))
    }
}

impl From<Vec<u8>> for Str {
    fn from(value: Vec<u8>) -> Str {
        Str::new(Bytes::from(value))
    }
}

impl From<Atom> for Str {
    fn from(value: Atom) -> Str {
        Str::with_form(value.0, Form::Atom)
    }
}

/// Human-readable text (`text` in the grammar): the rest of a status
/// response line. Never contains CR or LF.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Text(Bytes);

impl Text {
    /// Text, if `value` holds no CR, LF or NUL.
    pub fn new(value: impl Into<Bytes>) -> Result<Text, ValueError> {
        let bytes = value.into();
        if bytes.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(ValueError { what: "text", why: "must not contain CR, LF or NUL" });
        }
        Ok(Text(bytes))
    }

    pub(crate) fn unchecked(bytes: Bytes) -> Text {
        Text(bytes)
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The text, with invalid UTF-8 replaced.
    pub fn to_string_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string_lossy())
    }
}

impl TryFrom<&str> for Text {
    type Error = ValueError;
    fn try_from(value: &str) -> Result<Self, ValueError> {
        Text::new(Bytes::copy_from_slice(value.as_bytes()))
    }
}
