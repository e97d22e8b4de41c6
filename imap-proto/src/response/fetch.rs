//! FETCH response data items (`msg-att`, RFC 9051 §7.5.2, and the
//! extensions' additions).

use std::num::NonZeroU32;

use crate::chars;
use crate::datetime::DateTime;
use crate::encode::Writer;
use crate::error::{ErrorKind, ParseError};
use crate::flag::Flag;
use crate::lex::{Cursor, PResult};
use crate::section::Section;
use crate::string::{Atom, Form, Str};

use super::body::BodyStructure;
use super::envelope::Envelope;
use super::value::{ExtValue, list_next, skip_sp, upper};

/// One data item of a FETCH response: `* 12 FETCH (UID 5 FLAGS (\Seen))`
/// has two.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FetchItem {
    /// `FLAGS (…)`.
    Flags(Vec<Flag>),
    /// `INTERNALDATE "…"`: when the server received the message.
    InternalDate(DateTime),
    /// `RFC822.SIZE n`: the message's size in octets.
    Rfc822Size(u64),
    /// `ENVELOPE (…)`.
    Envelope(Box<Envelope>),
    /// `BODY (…)`: the structure without extension data.
    Body(Box<BodyStructure>),
    /// `BODYSTRUCTURE (…)`: the structure with extension data.
    BodyStructure(Box<BodyStructure>),
    /// `BODY[section]<origin> nstring`: (part of) the message's content.
    ///
    /// A literal the client session streamed separately is empty here.
    BodySection {
        /// Which part.
        section: Section,
        /// The first octet's offset, for a partial fetch.
        origin: Option<u32>,
        /// The content; NIL if the server has none.
        data: Option<Str>,
    },
    /// `BINARY[part] nstring/literal8` (RFC 3516): a part with its
    /// transfer encoding undone.
    Binary {
        /// The part path (empty for the whole message).
        part: Vec<NonZeroU32>,
        /// The decoded content.
        data: Option<Str>,
    },
    /// `BINARY.SIZE[part] n` (RFC 3516): the decoded size.
    BinarySize {
        /// The part path.
        part: Vec<NonZeroU32>,
        /// The size in octets.
        size: u32,
    },
    /// `UID n`.
    Uid(NonZeroU32),
    /// `MODSEQ (n)` (RFC 7162).
    ModSeq(u64),
    /// `RFC822 nstring` (IMAP4rev1): the whole message.
    Rfc822(Option<Str>),
    /// `RFC822.HEADER nstring` (IMAP4rev1).
    Rfc822Header(Option<Str>),
    /// `RFC822.TEXT nstring` (IMAP4rev1).
    Rfc822Text(Option<Str>),
    /// `X-GM-MSGID n` (Gmail): the message's id, unsigned 64-bit.
    XGmMsgId(u64),
    /// `X-GM-THRID n` (Gmail): the thread's id, unsigned 64-bit.
    XGmThrId(u64),
    /// `X-GM-LABELS (…)` (Gmail): labels; system labels look like flags
    /// (`\Inbox`, `\Important`) and may come quoted.
    XGmLabels(Vec<Str>),
    /// `PREVIEW nstring` (RFC 8970): a short plain-text preview.
    Preview(Option<Str>),
    /// `EMAILID (id)` (RFC 8474).
    EmailId(Str),
    /// `THREADID (id)` or `THREADID NIL` (RFC 8474).
    ThreadId(Option<Str>),
    /// `SAVEDATE date-time` or `SAVEDATE NIL` (RFC 8514).
    SaveDate(Option<DateTime>),
    /// An item this crate does not know: its name and value.
    Other {
        /// The item's name.
        name: Atom,
        /// Its value.
        value: ExtValue,
    },
}

const RULE: &str = "msg-att";

impl FetchItem {
    /// `msg-att`: `"(" item *(SP item) ")"`, at the `(`. An empty list
    /// and extra spaces are tolerated.
    pub(crate) fn parse_list(c: &mut Cursor<'_>) -> PResult<Vec<FetchItem>> {
        c.expect(b'(', RULE, "'('")?;
        skip_sp(c);
        let mut items = Vec::with_capacity(8);
        if c.eat(b')') {
            return Ok(items);
        }
        loop {
            let item = FetchItem::parse(c)?;
            c.push(&mut items, item, RULE)?;
            if !list_next(c, RULE)? {
                return Ok(items);
            }
        }
    }

    fn parse(c: &mut Cursor<'_>) -> PResult<FetchItem> {
        let start = c.pos();
        let word = c.keyword();
        if word.is_empty() {
            return Err(c.expected(RULE, "a fetch item"));
        }
        let mut buf = [0u8; 24];
        let item = match upper(word, &mut buf) {
            b"UID" => {
                sp(c)?;
                FetchItem::Uid(c.nz_number("uniqueid")?)
            }
            b"FLAGS" => {
                sp(c)?;
                if c.nil() { FetchItem::Flags(Vec::new()) } else { FetchItem::Flags(flag_list(c)?) }
            }
            b"RFC822.SIZE" => {
                sp(c)?;
                FetchItem::Rfc822Size(c.number64("RFC822.SIZE")?)
            }
            b"INTERNALDATE" => {
                sp(c)?;
                FetchItem::InternalDate(DateTime::parse(c)?)
            }
            b"ENVELOPE" => {
                sp(c)?;
                FetchItem::Envelope(Box::new(Envelope::parse(c)?))
            }
            b"BODYSTRUCTURE" => {
                sp(c)?;
                FetchItem::BodyStructure(Box::new(BodyStructure::parse(c)?))
            }
            b"BODY" => {
                if c.peek() == Some(b'[') {
                    let section = Section::parse(c)?;
                    let origin = if c.eat(b'<') {
                        let n = c.number("origin")?;
                        c.expect(b'>', "origin", "'>'")?;
                        Some(n)
                    } else {
                        None
                    };
                    sp(c)?;
                    FetchItem::BodySection { section, origin, data: c.nstring("BODY[]")? }
                } else {
                    sp(c)?;
                    FetchItem::Body(Box::new(BodyStructure::parse(c)?))
                }
            }
            b"BINARY" => {
                let part = Section::parse_binary(c)?;
                sp(c)?;
                FetchItem::Binary { part, data: c.nstring("BINARY[]")? }
            }
            b"BINARY.SIZE" => {
                let part = Section::parse_binary(c)?;
                sp(c)?;
                FetchItem::BinarySize { part, size: c.number("BINARY.SIZE")? }
            }
            b"MODSEQ" => {
                sp(c)?;
                c.expect(b'(', "permsg-modsequence", "'('")?;
                skip_sp(c);
                let n = c.number64("permsg-modsequence")?;
                skip_sp(c);
                c.expect(b')', "permsg-modsequence", "')'")?;
                FetchItem::ModSeq(n)
            }
            b"RFC822" => {
                sp(c)?;
                FetchItem::Rfc822(c.nstring("RFC822")?)
            }
            b"RFC822.HEADER" => {
                sp(c)?;
                FetchItem::Rfc822Header(c.nstring("RFC822.HEADER")?)
            }
            b"RFC822.TEXT" => {
                sp(c)?;
                FetchItem::Rfc822Text(c.nstring("RFC822.TEXT")?)
            }
            b"X-GM-MSGID" => {
                sp(c)?;
                FetchItem::XGmMsgId(u64_full(c, "X-GM-MSGID")?)
            }
            b"X-GM-THRID" => {
                sp(c)?;
                FetchItem::XGmThrId(u64_full(c, "X-GM-THRID")?)
            }
            b"X-GM-LABELS" => {
                sp(c)?;
                FetchItem::XGmLabels(labels(c)?)
            }
            b"PREVIEW" => {
                sp(c)?;
                FetchItem::Preview(c.nstring("PREVIEW")?)
            }
            b"EMAILID" => {
                sp(c)?;
                FetchItem::EmailId(object_id(c)?)
            }
            b"THREADID" => {
                sp(c)?;
                FetchItem::ThreadId(if c.nil() { None } else { Some(object_id(c)?) })
            }
            b"SAVEDATE" => {
                sp(c)?;
                FetchItem::SaveDate(if c.nil() { None } else { Some(DateTime::parse(c)?) })
            }
            _ => {
                let name = Atom::unchecked(c.slice(start, c.pos()));
                sp(c)?;
                FetchItem::Other { name, value: ExtValue::parse(c)? }
            }
        };
        Ok(item)
    }

    /// The item's name as in the response (`"BODY[]"` items give `"BODY"`).
    pub fn name(&self) -> &str {
        match self {
            FetchItem::Flags(_) => "FLAGS",
            FetchItem::InternalDate(_) => "INTERNALDATE",
            FetchItem::Rfc822Size(_) => "RFC822.SIZE",
            FetchItem::Envelope(_) => "ENVELOPE",
            FetchItem::Body(_) | FetchItem::BodySection { .. } => "BODY",
            FetchItem::BodyStructure(_) => "BODYSTRUCTURE",
            FetchItem::Binary { .. } => "BINARY",
            FetchItem::BinarySize { .. } => "BINARY.SIZE",
            FetchItem::Uid(_) => "UID",
            FetchItem::ModSeq(_) => "MODSEQ",
            FetchItem::Rfc822(_) => "RFC822",
            FetchItem::Rfc822Header(_) => "RFC822.HEADER",
            FetchItem::Rfc822Text(_) => "RFC822.TEXT",
            FetchItem::XGmMsgId(_) => "X-GM-MSGID",
            FetchItem::XGmThrId(_) => "X-GM-THRID",
            FetchItem::XGmLabels(_) => "X-GM-LABELS",
            FetchItem::Preview(_) => "PREVIEW",
            FetchItem::EmailId(_) => "EMAILID",
            FetchItem::ThreadId(_) => "THREADID",
            FetchItem::SaveDate(_) => "SAVEDATE",
            FetchItem::Other { name, .. } => name.as_str(),
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        match self {
            FetchItem::Flags(flags) => {
                w.raw(b"FLAGS ");
                Flag::encode_list(flags, w);
            }
            FetchItem::InternalDate(d) => {
                w.raw(b"INTERNALDATE ");
                d.encode(w);
            }
            FetchItem::Rfc822Size(n) => {
                w.raw(b"RFC822.SIZE ").number(*n);
            }
            FetchItem::Envelope(e) => {
                w.raw(b"ENVELOPE ");
                e.encode(w);
            }
            FetchItem::Body(b) => {
                w.raw(b"BODY ");
                b.encode(w);
            }
            FetchItem::BodyStructure(b) => {
                w.raw(b"BODYSTRUCTURE ");
                b.encode(w);
            }
            FetchItem::BodySection { section, origin, data } => {
                w.raw(b"BODY");
                section.encode(w);
                if let Some(o) = origin {
                    w.byte(b'<').number(u64::from(*o)).byte(b'>');
                }
                w.sp().nstring(data.as_ref());
            }
            FetchItem::Binary { part, data } => {
                w.raw(b"BINARY");
                Section::encode_binary(part, w);
                w.sp().nstring(data.as_ref());
            }
            FetchItem::BinarySize { part, size } => {
                w.raw(b"BINARY.SIZE");
                Section::encode_binary(part, w);
                w.sp().number(u64::from(*size));
            }
            FetchItem::Uid(n) => {
                w.raw(b"UID ").number(u64::from(n.get()));
            }
            FetchItem::ModSeq(n) => {
                w.raw(b"MODSEQ (").number(*n).byte(b')');
            }
            FetchItem::Rfc822(s) => {
                w.raw(b"RFC822 ").nstring(s.as_ref());
            }
            FetchItem::Rfc822Header(s) => {
                w.raw(b"RFC822.HEADER ").nstring(s.as_ref());
            }
            FetchItem::Rfc822Text(s) => {
                w.raw(b"RFC822.TEXT ").nstring(s.as_ref());
            }
            FetchItem::XGmMsgId(n) => {
                w.raw(b"X-GM-MSGID ").number(*n);
            }
            FetchItem::XGmThrId(n) => {
                w.raw(b"X-GM-THRID ").number(*n);
            }
            FetchItem::XGmLabels(labels) => {
                w.raw(b"X-GM-LABELS ");
                w.list(labels, encode_label);
            }
            FetchItem::Preview(s) => {
                w.raw(b"PREVIEW ").nstring(s.as_ref());
            }
            FetchItem::EmailId(id) => {
                w.raw(b"EMAILID (").raw(id.as_bytes()).byte(b')');
            }
            FetchItem::ThreadId(id) => {
                w.raw(b"THREADID ");
                match id {
                    Some(id) => w.byte(b'(').raw(id.as_bytes()).byte(b')'),
                    None => w.raw(b"NIL"),
                };
            }
            FetchItem::SaveDate(d) => {
                w.raw(b"SAVEDATE ");
                match d {
                    Some(d) => d.encode(w),
                    None => {
                        w.raw(b"NIL");
                    }
                }
            }
            FetchItem::Other { name, value } => {
                w.raw(name.as_bytes()).sp();
                value.encode(w);
            }
        }
    }
}

/// The space after an item's name (more are tolerated).
#[inline]
fn sp(c: &mut Cursor<'_>) -> PResult<()> {
    super::value::sp(c, RULE)
}

/// `"(" [flag-fetch *(SP flag-fetch)] ")"`, tolerating extra spaces.
fn flag_list(c: &mut Cursor<'_>) -> PResult<Vec<Flag>> {
    const RULE: &str = "flag-list";
    c.expect(b'(', RULE, "'('")?;
    let mut out = Vec::new();
    skip_sp(c);
    if c.eat(b')') {
        return Ok(out);
    }
    loop {
        let f = Flag::parse(c)?;
        c.push(&mut out, f, RULE)?;
        if !list_next(c, RULE)? {
            return Ok(out);
        }
    }
}

/// An unsigned 64-bit number (Gmail's ids use the full range).
fn u64_full(c: &mut Cursor<'_>, rule: &'static str) -> PResult<u64> {
    let start = c.pos();
    let digits = c.rest().iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return Err(c.expected(rule, "a number"));
    }
    let mut n: u64 = 0;
    for &d in &c.rest()[..digits] {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
            .ok_or_else(|| ParseError::new(start, rule, ErrorKind::Number))?;
    }
    c.advance(digits);
    Ok(n)
}

/// `"(" objectid ")"` (RFC 8474).
fn object_id(c: &mut Cursor<'_>) -> PResult<Str> {
    const RULE: &str = "objectid";
    c.expect(b'(', RULE, "'('")?;
    let id = c.atom(RULE)?;
    c.expect(b')', RULE, "')'")?;
    Ok(Str::from(id))
}

/// Gmail's label list: `(\Inbox "\\Important" "foo bar" work)`; NIL is
/// taken as empty.
fn labels(c: &mut Cursor<'_>) -> PResult<Vec<Str>> {
    const RULE: &str = "X-GM-LABELS";
    let mut out = Vec::new();
    if c.nil() {
        return Ok(out);
    }
    c.expect(b'(', RULE, "'('")?;
    skip_sp(c);
    if c.eat(b')') {
        return Ok(out);
    }
    loop {
        let label = if c.peek() == Some(b'\\') {
            let start = c.pos();
            c.advance(1);
            let n = c.rest().iter().take_while(|&&b| chars::is_atom_char(b)).count();
            if n == 0 {
                return Err(c.expected(RULE, "a label"));
            }
            c.advance(n);
            Str::with_form(c.slice(start, start + 1 + n), Form::Atom)
        } else {
            c.astring(RULE)?
        };
        c.push(&mut out, label, RULE)?;
        if !list_next(c, RULE)? {
            return Ok(out);
        }
    }
}

/// A label: `\Name` as it came, anything else as an astring.
fn encode_label(w: &mut Writer, label: &Str) {
    let b = label.as_bytes();
    if let [b'\\', rest @ ..] = b {
        if matches!(label.form(), Form::Atom | Form::Auto)
            && !rest.is_empty()
            && rest.iter().all(|&x| chars::is_atom_char(x))
        {
            w.raw(b);
            return;
        }
    }
    w.astring(label);
}
