//! Errors: what was wrong and where.

use std::fmt;

/// What a parser found wrong, at which byte of the message it was given.
///
/// `offset` counts from the first byte of the message (the tag or `*`),
/// across any literals it contains, so it can be shown against the raw
/// bytes received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset in the message where the problem was found.
    pub offset: usize,
    /// The grammar rule being parsed (RFC 9051 names where they exist,
    /// such as `"sequence-set"` or `"body-type-1part"`).
    pub rule: &'static str,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// The kinds of [`ParseError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Something other than what the rule allows; the text says what was
    /// expected (`"SP"`, `"a number"`, `"')'"`).
    Expected(&'static str),
    /// The message ended before the rule was complete.
    UnexpectedEnd,
    /// A number is larger than its type allows (RFC 9051: `number` is a
    /// 32-bit unsigned, `number64` 63 bits), or zero where `nz-number` is
    /// required.
    Number,
    /// A keyword (command name, fetch item, search key …) that is not known.
    UnknownKeyword,
    /// Text that should be UTF-8 or 7-bit is not.
    Encoding,
    /// A limit of [`crate::Limits`] was reached (named in the text).
    Limit(&'static str),
    /// The bytes after a complete message, before its CRLF.
    TrailingData,
}

impl ParseError {
    /// A new error.
    pub fn new(offset: usize, rule: &'static str, kind: ErrorKind) -> Self {
        ParseError { offset, rule, kind }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Expected(what) => write!(f, "expected {what}"),
            ErrorKind::UnexpectedEnd => f.write_str("unexpected end of input"),
            ErrorKind::Number => f.write_str("number out of range"),
            ErrorKind::UnknownKeyword => f.write_str("unknown keyword"),
            ErrorKind::Encoding => f.write_str("invalid character encoding"),
            ErrorKind::Limit(what) => write!(f, "limit exceeded: {what}"),
            ErrorKind::TrailingData => f.write_str("unexpected data before the line end"),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} in {} at byte {}", self.kind, self.rule, self.offset)
    }
}

impl std::error::Error for ParseError {}

/// Why a message could not be decoded from a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The buffer does not hold a whole message yet: read more and try
    /// again. When the message is waiting for a synchronising literal,
    /// `literal` says how long it is (a server answers with a
    /// continuation request, or refuses).
    Incomplete {
        /// The literal the sender announced and now waits to send.
        literal: Option<LiteralHeader>,
    },
    /// The message is complete but does not parse.
    Parse(ParseError),
    /// The message is longer than the limits allow; `consumed` bytes (the
    /// line with the offending literal header, when the limit is on a
    /// literal) can be skipped.
    TooLong {
        /// Which limit.
        what: &'static str,
    },
}

/// A literal header `{N}`, `{N+}` or `~{N}` at the end of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiteralHeader {
    /// The literal's length in octets.
    pub length: u64,
    /// `true` for `{N}`: the sender waits for a continuation request.
    pub synchronizing: bool,
    /// `true` for RFC 3516's `~{N}` (literal8: may contain NUL).
    pub binary: bool,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Incomplete { .. } => f.write_str("incomplete message"),
            DecodeError::Parse(e) => e.fmt(f),
            DecodeError::TooLong { what } => write!(f, "message too long: {what}"),
        }
    }
}

impl std::error::Error for DecodeError {}

impl From<ParseError> for DecodeError {
    fn from(e: ParseError) -> Self {
        DecodeError::Parse(e)
    }
}
