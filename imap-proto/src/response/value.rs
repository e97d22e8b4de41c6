//! Helpers shared by the response parsers, and [`ExtValue`], the generic
//! value of extension data that this crate does not know in detail.

use crate::chars;
use crate::encode::Writer;
use crate::lex::{Cursor, PResult};
use crate::string::{Form, Str};

/// A value in an extension's syntax: RFC 9051's `tagged-ext-val` (unknown
/// LIST-EXTENDED items, unknown ESEARCH return data), `body-extension`
/// (future BODYSTRUCTURE fields), and the values of FETCH items this
/// crate does not know.
///
/// Tokens (numbers, sequence sets, atoms) are kept as [`Str`] in
/// [`Form::Atom`], strings in the form they came in, so that a parsed
/// value writes back to the same bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExtValue {
    /// `NIL`.
    Nil,
    /// A token (number, sequence set, atom) or a string.
    Str(Str),
    /// A parenthesised list of values.
    List(Vec<ExtValue>),
}

impl ExtValue {
    /// A token such as `42` or `1:5,7` (written without quotes where it
    /// can be).
    pub fn token(value: &str) -> ExtValue {
        ExtValue::Str(Str::with_form(bytes::Bytes::copy_from_slice(value.as_bytes()), Form::Atom))
    }

    /// The value as a number, if it is a token of digits.
    pub fn as_number(&self) -> Option<u64> {
        match self {
            ExtValue::Str(s) => s.as_str()?.parse().ok(),
            _ => None,
        }
    }

    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<ExtValue> {
        const RULE: &str = "tagged-ext-val";
        match c.peek() {
            Some(b'(') => {
                c.advance(1);
                c.enter(RULE)?;
                let mut items = Vec::new();
                loop {
                    skip_sp(c);
                    if c.eat(b')') {
                        break;
                    }
                    let item = ExtValue::parse(c)?;
                    c.push(&mut items, item, RULE)?;
                    if !matches!(c.peek(), Some(b' ') | Some(b')')) {
                        return Err(c.expected(RULE, "SP or ')'"));
                    }
                }
                c.leave();
                Ok(ExtValue::List(items))
            }
            Some(b'"') | Some(b'{') => Ok(ExtValue::Str(c.string(RULE)?)),
            Some(b'~') if c.peek_at(1) == Some(b'{') => Ok(ExtValue::Str(c.string(RULE)?)),
            _ => {
                if c.nil() {
                    return Ok(ExtValue::Nil);
                }
                let start = c.pos();
                let n = c.rest().iter().position(|&b| !is_token_char(b)).unwrap_or(c.rest().len());
                if n == 0 {
                    return Err(c.expected(RULE, "a value"));
                }
                c.advance(n);
                Ok(ExtValue::Str(Str::with_form(c.slice(start, start + n), Form::Atom)))
            }
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        match self {
            ExtValue::Nil => {
                w.raw(b"NIL");
            }
            ExtValue::Str(s) => {
                let b = s.as_bytes();
                let token = matches!(s.form(), Form::Atom | Form::Auto)
                    && !b.is_empty()
                    && b.iter().all(|&x| is_token_char(x))
                    && !b.eq_ignore_ascii_case(b"NIL");
                if token {
                    w.raw(b);
                } else {
                    w.string(s);
                }
            }
            ExtValue::List(items) => {
                w.list(items, |w, v| v.encode(w));
            }
        }
    }
}

/// A byte of a token: an ASTRING-CHAR, or `*` (in sequence sets).
fn is_token_char(b: u8) -> bool {
    chars::is_astring_char(b) || b == b'*'
}

/// Skips any spaces.
#[inline]
pub(crate) fn skip_sp(c: &mut Cursor<'_>) {
    while c.peek() == Some(b' ') {
        c.advance(1);
    }
}

/// One or more spaces (servers sometimes send two).
#[inline]
pub(crate) fn sp(c: &mut Cursor<'_>, rule: &'static str) -> PResult<()> {
    c.sp(rule)?;
    skip_sp(c);
    Ok(())
}

/// Whether a list goes on: skips spaces, and says `false` (having eaten
/// it) at the closing `)`. An error if neither a space nor `)` is next.
#[inline]
pub(crate) fn list_next(c: &mut Cursor<'_>, rule: &'static str) -> PResult<bool> {
    match c.peek() {
        Some(b')') => {
            c.advance(1);
            Ok(false)
        }
        Some(b' ') => {
            skip_sp(c);
            Ok(!c.eat(b')'))
        }
        _ => Err(c.expected(rule, "SP or ')'")),
    }
}

/// The end of a response: optional trailing spaces, then CRLF.
pub(crate) fn end(c: &mut Cursor<'_>, rule: &'static str) -> PResult<()> {
    skip_sp(c);
    c.crlf(rule)
}

/// `word` in upper case in `buf`, or empty if it is too long to be a
/// keyword this crate knows.
#[inline]
pub(crate) fn upper<'a>(word: &[u8], buf: &'a mut [u8; 24]) -> &'a [u8] {
    if word.len() > buf.len() {
        return &[];
    }
    for (d, s) in buf.iter_mut().zip(word) {
        *d = s.to_ascii_uppercase();
    }
    &buf[..word.len()]
}

/// A string where the grammar allows an atom or a quoted string
/// (`charset`): an atom if the form allows and the value is one.
pub(crate) fn encode_atom_or_string(w: &mut Writer, s: &Str) {
    let b = s.as_bytes();
    if matches!(s.form(), Form::Atom | Form::Auto)
        && !b.is_empty()
        && b.iter().all(|&x| chars::is_atom_char(x))
        && !b.eq_ignore_ascii_case(b"NIL")
    {
        w.raw(b);
    } else {
        w.string(s);
    }
}

/// A quoted single character (a hierarchy delimiter): `"/"`, `"\\"`.
pub(crate) fn parse_delimiter(c: &mut Cursor<'_>, rule: &'static str) -> PResult<Option<char>> {
    if c.nil() {
        return Ok(None);
    }
    let start = c.pos();
    let s = c.quoted(rule)?;
    let mut chars = s.as_str().map(|s| s.chars());
    match chars.as_mut().map(|it| (it.next(), it.next())) {
        Some((Some(ch), None)) => Ok(Some(ch)),
        _ => Err(crate::error::ParseError::new(
            start,
            rule,
            crate::error::ErrorKind::Expected("one character or NIL"),
        )),
    }
}

/// Writes a delimiter: `"/"` or `NIL`.
pub(crate) fn encode_delimiter(w: &mut Writer, d: Option<char>) {
    match d {
        None => {
            w.raw(b"NIL");
        }
        Some(ch) => {
            let mut buf = [0u8; 4];
            w.quoted(ch.encode_utf8(&mut buf).as_bytes());
        }
    }
}
