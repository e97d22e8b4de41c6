//! FETCH: what to fetch (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162
//! MODSEQ, RFC 8474 object ids, RFC 8970 PREVIEW, Gmail's X-GM-*).

use std::num::NonZeroU32;

use super::CommandBody;
use super::parse::{keyword, more, option_list, sp, unknown};
use crate::encode::Writer;
use crate::lex::{Cursor, PResult};
use crate::section::{Partial, Section};
use crate::sequence::SequenceSet;

/// What a FETCH asks for: a macro or a list of attributes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FetchItems {
    /// `ALL`, `FAST` or `FULL`.
    Macro(FetchMacro),
    /// One attribute or a parenthesised list (never empty). Written in
    /// parentheses.
    List(Vec<FetchAttribute>),
}

impl FetchItems {
    /// The attributes asked for, macros expanded (RFC 9051 §6.4.5).
    pub fn attributes(&self) -> Vec<FetchAttribute> {
        match self {
            FetchItems::Macro(m) => m.expand().to_vec(),
            FetchItems::List(list) => list.clone(),
        }
    }
}

/// The FETCH macros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FetchMacro {
    /// `ALL`: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE.
    All,
    /// `FAST`: FLAGS INTERNALDATE RFC822.SIZE.
    Fast,
    /// `FULL`: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY.
    Full,
}

impl FetchMacro {
    /// The attributes the macro stands for.
    pub fn expand(self) -> &'static [FetchAttribute] {
        use FetchAttribute::*;
        match self {
            FetchMacro::All => &[Flags, InternalDate, Rfc822Size, Envelope],
            FetchMacro::Fast => &[Flags, InternalDate, Rfc822Size],
            FetchMacro::Full => &[Flags, InternalDate, Rfc822Size, Envelope, Body],
        }
    }

    /// The macro's name.
    pub fn name(self) -> &'static str {
        match self {
            FetchMacro::All => "ALL",
            FetchMacro::Fast => "FAST",
            FetchMacro::Full => "FULL",
        }
    }
}

/// A `fetch-att`: one thing to fetch about each message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FetchAttribute {
    /// `ENVELOPE`: the parsed header.
    Envelope,
    /// `FLAGS`.
    Flags,
    /// `INTERNALDATE`: when the server received the message.
    InternalDate,
    /// `RFC822` (IMAP4rev1): the whole message, like `BODY[]`.
    Rfc822,
    /// `RFC822.HEADER` (IMAP4rev1): like `BODY.PEEK[HEADER]`.
    Rfc822Header,
    /// `RFC822.SIZE`: the size in octets.
    Rfc822Size,
    /// `RFC822.TEXT` (IMAP4rev1): like `BODY[TEXT]`.
    Rfc822Text,
    /// `BODY`: the body structure without extension data.
    Body,
    /// `BODYSTRUCTURE`: the body structure with extension data.
    BodyStructure,
    /// `UID`.
    Uid,
    /// `BODY[section]<partial>` or `BODY.PEEK[…]`.
    BodySection {
        /// Which part of the message.
        section: Section,
        /// Octets `origin..origin+length` only.
        partial: Option<Partial>,
        /// `BODY.PEEK`: does not set `\Seen`.
        peek: bool,
    },
    /// `BINARY[part]<partial>` or `BINARY.PEEK[…]` (RFC 3516): the part
    /// with its content-transfer-encoding undone.
    Binary {
        /// The part number (`1.2` is `[1, 2]`); empty for the whole
        /// message.
        part: Vec<NonZeroU32>,
        /// Octets `origin..origin+length` only.
        partial: Option<Partial>,
        /// `BINARY.PEEK`: does not set `\Seen`.
        peek: bool,
    },
    /// `BINARY.SIZE[part]` (RFC 3516): the decoded size.
    BinarySize {
        /// The part number.
        part: Vec<NonZeroU32>,
    },
    /// `MODSEQ` (RFC 7162).
    ModSeq,
    /// `X-GM-MSGID`: Gmail's message id.
    XGmMsgId,
    /// `X-GM-THRID`: Gmail's thread id.
    XGmThrId,
    /// `X-GM-LABELS`: Gmail's labels.
    XGmLabels,
    /// `PREVIEW` (RFC 8970), `PREVIEW (LAZY)` when `lazy`.
    Preview {
        /// `LAZY`: the server may answer NIL rather than compute it now.
        lazy: bool,
    },
    /// `EMAILID` (RFC 8474).
    EmailId,
    /// `THREADID` (RFC 8474).
    ThreadId,
    /// `SAVEDATE` (RFC 8514).
    SaveDate,
}

impl FetchAttribute {
    /// `fetch-att`.
    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<FetchAttribute> {
        const RULE: &str = "fetch-att";
        use FetchAttribute::*;
        let mut buf = [0u8; 24];
        let (start, word) = keyword(c, &mut buf);
        Ok(match word {
            b"ENVELOPE" => Envelope,
            b"FLAGS" => Flags,
            b"INTERNALDATE" => InternalDate,
            b"RFC822" => Rfc822,
            b"RFC822.HEADER" => Rfc822Header,
            b"RFC822.SIZE" => Rfc822Size,
            b"RFC822.TEXT" => Rfc822Text,
            b"BODYSTRUCTURE" => BodyStructure,
            b"UID" => Uid,
            b"BODY" if c.peek() == Some(b'[') => body_section(c, false)?,
            b"BODY" => Body,
            b"BODY.PEEK" => body_section(c, true)?,
            b"BINARY" => binary(c, false)?,
            b"BINARY.PEEK" => binary(c, true)?,
            b"BINARY.SIZE" => BinarySize { part: Section::parse_binary(c)? },
            b"MODSEQ" => ModSeq,
            b"X-GM-MSGID" => XGmMsgId,
            b"X-GM-THRID" => XGmThrId,
            b"X-GM-LABELS" => XGmLabels,
            b"PREVIEW" => {
                let lazy = lazy_modifier(c);
                Preview { lazy }
            }
            b"EMAILID" => EmailId,
            b"THREADID" => ThreadId,
            b"SAVEDATE" => SaveDate,
            _ => return Err(unknown(c, start, RULE, "a fetch attribute")),
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        use FetchAttribute::*;
        match self {
            Envelope => w.raw(b"ENVELOPE"),
            Flags => w.raw(b"FLAGS"),
            InternalDate => w.raw(b"INTERNALDATE"),
            Rfc822 => w.raw(b"RFC822"),
            Rfc822Header => w.raw(b"RFC822.HEADER"),
            Rfc822Size => w.raw(b"RFC822.SIZE"),
            Rfc822Text => w.raw(b"RFC822.TEXT"),
            Body => w.raw(b"BODY"),
            BodyStructure => w.raw(b"BODYSTRUCTURE"),
            Uid => w.raw(b"UID"),
            BodySection { section, partial, peek } => {
                w.raw(if *peek { b"BODY.PEEK" } else { b"BODY" });
                section.encode(w);
                if let Some(p) = partial {
                    p.encode(w);
                }
                w
            }
            Binary { part, partial, peek } => {
                w.raw(if *peek { b"BINARY.PEEK" } else { b"BINARY" });
                Section::encode_binary(part, w);
                if let Some(p) = partial {
                    p.encode(w);
                }
                w
            }
            BinarySize { part } => {
                w.raw(b"BINARY.SIZE");
                Section::encode_binary(part, w);
                w
            }
            ModSeq => w.raw(b"MODSEQ"),
            XGmMsgId => w.raw(b"X-GM-MSGID"),
            XGmThrId => w.raw(b"X-GM-THRID"),
            XGmLabels => w.raw(b"X-GM-LABELS"),
            Preview { lazy: false } => w.raw(b"PREVIEW"),
            Preview { lazy: true } => w.raw(b"PREVIEW (LAZY)"),
            EmailId => w.raw(b"EMAILID"),
            ThreadId => w.raw(b"THREADID"),
            SaveDate => w.raw(b"SAVEDATE"),
        };
    }
}

fn body_section(c: &mut Cursor<'_>, peek: bool) -> PResult<FetchAttribute> {
    let section = Section::parse(c)?;
    let partial = if c.peek() == Some(b'<') { Some(Partial::parse(c)?) } else { None };
    Ok(FetchAttribute::BodySection { section, partial, peek })
}

fn binary(c: &mut Cursor<'_>, peek: bool) -> PResult<FetchAttribute> {
    let part = Section::parse_binary(c)?;
    let partial = if c.peek() == Some(b'<') { Some(Partial::parse(c)?) } else { None };
    Ok(FetchAttribute::Binary { part, partial, peek })
}

/// ` (LAZY)` after PREVIEW, if there.
fn lazy_modifier(c: &mut Cursor<'_>) -> bool {
    let rest = c.rest();
    const LAZY: &[u8] = b" (LAZY)";
    if rest.len() >= LAZY.len() && rest[..LAZY.len()].eq_ignore_ascii_case(LAZY) {
        c.advance(LAZY.len());
        true
    } else {
        false
    }
}

/// `"FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
/// "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]`, after FETCH.
pub(super) fn parse(c: &mut Cursor<'_>, uid: bool) -> PResult<CommandBody> {
    const RULE: &str = "fetch";
    sp(c, RULE)?;
    let set = SequenceSet::parse(c)?;
    sp(c, RULE)?;
    let items = if c.peek() == Some(b'(') {
        FetchItems::List(c.paren_list(RULE, false, FetchAttribute::parse)?)
    } else {
        let save = c.pos();
        let mut buf = [0u8; 24];
        let (_, word) = keyword(c, &mut buf);
        match word {
            b"ALL" => FetchItems::Macro(FetchMacro::All),
            b"FAST" => FetchItems::Macro(FetchMacro::Fast),
            b"FULL" => FetchItems::Macro(FetchMacro::Full),
            _ => {
                c.set_pos(save);
                FetchItems::List(vec![FetchAttribute::parse(c)?])
            }
        }
    };
    let mut changed_since = None;
    let mut vanished = false;
    if more(c) {
        option_list(c, "fetch-modifiers", false, |c| {
            let mut buf = [0u8; 24];
            let (start, word) = keyword(c, &mut buf);
            match word {
                b"CHANGEDSINCE" => {
                    sp(c, "fetch-modifier")?;
                    changed_since = Some(c.number64("mod-sequence-value")?);
                }
                b"VANISHED" => vanished = true,
                _ => return Err(unknown(c, start, "fetch-modifier", "CHANGEDSINCE or VANISHED")),
            }
            Ok(())
        })?;
    }
    Ok(CommandBody::Fetch { uid, set, items, changed_since, vanished })
}

/// Writes the FETCH arguments after `FETCH`.
pub(super) fn encode(
    w: &mut Writer,
    set: &SequenceSet,
    items: &FetchItems,
    changed_since: Option<u64>,
    vanished: bool,
) {
    w.raw(b"FETCH ");
    set.encode(w);
    w.sp();
    match items {
        FetchItems::Macro(m) => {
            w.raw(m.name().as_bytes());
        }
        FetchItems::List(list) => {
            w.list(list, |w, a| a.encode(w));
        }
    }
    if changed_since.is_some() || vanished {
        w.raw(b" (");
        if let Some(n) = changed_since {
            w.raw(b"CHANGEDSINCE ").number(n);
            if vanished {
                w.sp();
            }
        }
        if vanished {
            w.raw(b"VANISHED");
        }
        w.byte(b')');
    }
}
