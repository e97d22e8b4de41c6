//! The scanner under every grammar parser: a cursor over one framed
//! message, with the lexical rules (atoms, strings, literals, numbers)
//! that commands and responses share.
//!
//! The message is whole (see [`crate::frame`]), so running out of bytes is
//! an error here, never a reason to wait.

use bytes::Bytes;

use crate::Limits;
use crate::chars;
use crate::error::{ErrorKind, ParseError};
use crate::string::{Atom, Form, Str, Tag, Text};

/// A position in one framed message.
pub(crate) struct Cursor<'b> {
    buf: &'b Bytes,
    pos: usize,
    pub(crate) limits: &'b Limits,
    depth: usize,
}

pub(crate) type PResult<T> = Result<T, ParseError>;

impl<'b> Cursor<'b> {
    pub(crate) fn new(buf: &'b Bytes, limits: &'b Limits) -> Self {
        Cursor { buf, pos: 0, limits, depth: 0 }
    }

    /// Current offset.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Moves back to an earlier offset (for a rule that looked ahead).
    pub(crate) fn set_pos(&mut self, pos: usize) {
        self.pos = pos.min(self.buf.len());
    }

    pub(crate) fn rest(&self) -> &'b [u8] {
        &self.buf[self.pos..]
    }

    pub(crate) fn is_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    pub(crate) fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.buf.get(self.pos + ahead).copied()
    }

    pub(crate) fn advance(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }

    /// The bytes `start..end` of the message, shared.
    pub(crate) fn slice(&self, start: usize, end: usize) -> Bytes {
        self.buf.slice(start..end)
    }

    /// An error at the current position.
    pub(crate) fn err(&self, rule: &'static str, kind: ErrorKind) -> ParseError {
        let kind = if self.is_end() && matches!(kind, ErrorKind::Expected(_)) {
            ErrorKind::UnexpectedEnd
        } else {
            kind
        };
        ParseError::new(self.pos, rule, kind)
    }

    /// "Expected `what`" at the current position.
    pub(crate) fn expected(&self, rule: &'static str, what: &'static str) -> ParseError {
        self.err(rule, ErrorKind::Expected(what))
    }

    pub(crate) fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn expect(&mut self, b: u8, rule: &'static str, what: &'static str) -> PResult<()> {
        if self.eat(b) { Ok(()) } else { Err(self.expected(rule, what)) }
    }

    pub(crate) fn sp(&mut self, rule: &'static str) -> PResult<()> {
        self.expect(b' ', rule, "SP")
    }

    /// The end of the message: CRLF (a bare LF is tolerated) and nothing
    /// after it.
    pub(crate) fn crlf(&mut self, rule: &'static str) -> PResult<()> {
        self.eat(b'\r');
        if !self.eat(b'\n') {
            return Err(self.err(rule, ErrorKind::TrailingData));
        }
        if !self.is_end() {
            return Err(self.err(rule, ErrorKind::TrailingData));
        }
        Ok(())
    }

    /// Whether the message ends here (CRLF or LF next).
    pub(crate) fn at_line_end(&self) -> bool {
        matches!(self.peek(), Some(b'\r') | Some(b'\n') | None)
    }

    /// Consumes `word` if it comes next, ignoring ASCII case; does not
    /// check what follows.
    pub(crate) fn eat_ci(&mut self, word: &[u8]) -> bool {
        let rest = self.rest();
        if rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word) {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    /// Consumes `word` if it comes next as a whole word (followed by a
    /// byte that cannot continue an atom), ignoring ASCII case.
    pub(crate) fn eat_word(&mut self, word: &[u8]) -> bool {
        let rest = self.rest();
        if rest.len() >= word.len()
            && rest[..word.len()].eq_ignore_ascii_case(word)
            && rest.get(word.len()).is_none_or(|&b| !chars::is_atom_char(b))
        {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    /// The next keyword: the ATOM-CHARs up to a delimiter or `[`, for
    /// matching against the known names (case-insensitively). Empty if
    /// none.
    pub(crate) fn keyword(&mut self) -> &'b [u8] {
        let rest = self.rest();
        let n = rest.iter().position(|&b| !chars::is_atom_char(b) || b == b'[').unwrap_or(rest.len());
        self.pos += n;
        &rest[..n]
    }

    /// `atom`.
    pub(crate) fn atom(&mut self, rule: &'static str) -> PResult<Atom> {
        let start = self.pos;
        let n = self.rest().iter().position(|&b| !chars::is_atom_char(b)).unwrap_or(self.rest().len());
        if n == 0 {
            return Err(self.expected(rule, "an atom"));
        }
        self.pos += n;
        Ok(Atom::unchecked(self.slice(start, start + n)))
    }

    /// `tag`.
    pub(crate) fn tag(&mut self, rule: &'static str) -> PResult<Tag> {
        let start = self.pos;
        let n = self.rest().iter().position(|&b| !chars::is_tag_char(b)).unwrap_or(self.rest().len());
        if n == 0 {
            return Err(self.expected(rule, "a tag"));
        }
        self.pos += n;
        Ok(Tag::unchecked(self.slice(start, start + n)))
    }

    /// `astring`: an atom (with `]` allowed), a quoted string or a literal.
    pub(crate) fn astring(&mut self, rule: &'static str) -> PResult<Str> {
        match self.peek() {
            Some(b'"') => self.quoted(rule),
            Some(b'{') => self.literal(rule),
            // `~` starts a literal8 only before `{`; otherwise it is an
            // ATOM-CHAR (`~peter/mail`).
            Some(b'~') if self.peek_at(1) == Some(b'{') => self.literal(rule),
            _ => {
                let start = self.pos;
                let n =
                    self.rest().iter().position(|&b| !chars::is_astring_char(b)).unwrap_or(self.rest().len());
                if n == 0 {
                    return Err(self.expected(rule, "an astring"));
                }
                self.pos += n;
                Ok(Str::with_form(self.slice(start, start + n), Form::Atom))
            }
        }
    }

    /// `string`: a quoted string or a literal.
    pub(crate) fn string(&mut self, rule: &'static str) -> PResult<Str> {
        match self.peek() {
            Some(b'"') => self.quoted(rule),
            Some(b'{') | Some(b'~') => self.literal(rule),
            _ => Err(self.expected(rule, "a string")),
        }
    }

    /// `nstring`: a string or NIL.
    pub(crate) fn nstring(&mut self, rule: &'static str) -> PResult<Option<Str>> {
        if self.eat_word(b"NIL") {
            return Ok(None);
        }
        self.string(rule).map(Some)
    }

    /// `NIL`, if next.
    pub(crate) fn nil(&mut self) -> bool {
        self.eat_word(b"NIL")
    }

    /// `quoted`. Backslash escapes are undone; 8-bit bytes are kept (UTF-8
    /// in IMAP4rev2 and UTF8=ACCEPT, and tolerated otherwise).
    pub(crate) fn quoted(&mut self, rule: &'static str) -> PResult<Str> {
        self.expect(b'"', rule, "'\"'")?;
        let start = self.pos;
        let rest = self.rest();
        let Some(i) = memchr::memchr3(b'"', b'\\', b'\n', rest) else {
            self.pos = self.buf.len();
            return Err(self.expected(rule, "'\"'"));
        };
        if rest[i] == b'"' {
            if rest[..i].contains(&b'\r') {
                return Err(self.expected(rule, "a quoted string without CR"));
            }
            self.pos += i + 1;
            return Ok(Str::with_form(self.slice(start, start + i), Form::Quoted));
        }
        // Escapes: copy.
        let mut out = Vec::with_capacity(i + 16);
        loop {
            match self.peek() {
                None | Some(b'\r') | Some(b'\n') => return Err(self.expected(rule, "'\"'")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Str::with_form(Bytes::from(out), Form::Quoted));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c @ (b'"' | b'\\')) => {
                            out.push(c);
                            self.pos += 1;
                        }
                        _ => return Err(self.expected(rule, "'\"' or '\\' after '\\'")),
                    }
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// `literal`, `literal8` (`~{N}`) or a non-synchronising literal.
    pub(crate) fn literal(&mut self, rule: &'static str) -> PResult<Str> {
        let binary = self.eat(b'~');
        self.expect(b'{', rule, "'{'")?;
        let length = self.number64(rule)?;
        let non_sync = self.eat(b'+');
        self.expect(b'}', rule, "'}'")?;
        self.eat(b'\r');
        self.expect(b'\n', rule, "CRLF after the literal header")?;
        let start = self.pos;
        let end = usize::try_from(length)
            .ok()
            .and_then(|l| start.checked_add(l))
            .filter(|&end| end <= self.buf.len())
            .ok_or_else(|| self.err(rule, ErrorKind::UnexpectedEnd))?;
        let data = self.slice(start, end);
        if !binary && data.contains(&0) {
            return Err(self.err(rule, ErrorKind::Expected("no NUL in a literal (use literal8)")));
        }
        self.pos = end;
        let form = match (binary, non_sync) {
            (true, _) => Form::Literal8,
            (false, true) => Form::LiteralNonSync,
            (false, false) => Form::Literal,
        };
        Ok(Str::with_form(data, form))
    }

    /// The rest of the line as `text` (possibly empty).
    pub(crate) fn text(&mut self) -> Text {
        let start = self.pos;
        let rest = self.rest();
        let n = memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
        self.pos += n;
        Text::unchecked(self.slice(start, start + n))
    }

    fn digits(&mut self, rule: &'static str) -> PResult<u64> {
        let start = self.pos;
        let mut n: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(d - b'0')))
                .ok_or_else(|| ParseError::new(start, rule, ErrorKind::Number))?;
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.expected(rule, "a number"));
        }
        Ok(n)
    }

    /// `number`: 32-bit unsigned.
    pub(crate) fn number(&mut self, rule: &'static str) -> PResult<u32> {
        let start = self.pos;
        let n = self.digits(rule)?;
        u32::try_from(n).map_err(|_| ParseError::new(start, rule, ErrorKind::Number))
    }

    /// `nz-number`.
    pub(crate) fn nz_number(&mut self, rule: &'static str) -> PResult<std::num::NonZeroU32> {
        let start = self.pos;
        let n = self.number(rule)?;
        std::num::NonZeroU32::new(n).ok_or_else(|| ParseError::new(start, rule, ErrorKind::Number))
    }

    /// `number64`: 63-bit unsigned.
    pub(crate) fn number64(&mut self, rule: &'static str) -> PResult<u64> {
        let start = self.pos;
        let n = self.digits(rule)?;
        if n > i64::MAX as u64 {
            return Err(ParseError::new(start, rule, ErrorKind::Number));
        }
        Ok(n)
    }

    /// Enters a nested list, checking [`Limits::max_depth`].
    pub(crate) fn enter(&mut self, rule: &'static str) -> PResult<()> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(self.err(rule, ErrorKind::Limit("nesting depth")));
        }
        Ok(())
    }

    /// Leaves a nested list.
    pub(crate) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Pushes onto a list, checking [`Limits::max_items`].
    pub(crate) fn push<T>(&self, list: &mut Vec<T>, item: T, rule: &'static str) -> PResult<()> {
        if list.len() >= self.limits.max_items {
            return Err(self.err(rule, ErrorKind::Limit("list items")));
        }
        list.push(item);
        Ok(())
    }

    /// A parenthesised, space-separated list: `"(" [item *(SP item)] ")"`
    /// (`allow_empty` for `"(" ")"`).
    pub(crate) fn paren_list<T>(
        &mut self,
        rule: &'static str,
        allow_empty: bool,
        mut item: impl FnMut(&mut Self) -> PResult<T>,
    ) -> PResult<Vec<T>> {
        self.expect(b'(', rule, "'('")?;
        self.enter(rule)?;
        let mut out = Vec::new();
        if self.eat(b')') {
            self.leave();
            if !allow_empty {
                return Err(self.expected(rule, "a list item"));
            }
            return Ok(out);
        }
        loop {
            let value = item(self)?;
            self.push(&mut out, value, rule)?;
            if self.eat(b')') {
                break;
            }
            self.sp(rule)?;
        }
        self.leave();
        Ok(out)
    }
}
