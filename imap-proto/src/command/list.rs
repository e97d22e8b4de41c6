//! LIST (RFC 9051 §6.3.9), with LIST-EXTENDED's selection and return
//! options (RFC 5258), LIST-STATUS (RFC 5819) and SPECIAL-USE (RFC 6154).

use super::parse::{keyword, keyword_atom, more, option_list, sp};
use crate::encode::Writer;
use crate::lex::{Cursor, PResult};
use crate::mailbox::{Mailbox, encode_list_mailbox, parse_list_mailbox};
use crate::status::StatusItem;
use crate::string::{Atom, Str};

/// The arguments of LIST.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListCommand {
    /// The reference name (often `""`): the context the patterns are
    /// interpreted in.
    pub reference: Mailbox,
    /// The patterns (`%` matches within a level, `*` across levels);
    /// one, or several with LIST-EXTENDED. Never empty.
    pub patterns: Vec<Str>,
    /// Selection options (`LIST (SUBSCRIBED) …`); empty for none.
    pub selection: Vec<ListSelection>,
    /// Return options (`RETURN (CHILDREN)`); empty for none.
    pub returns: Vec<ListReturn>,
}

impl ListCommand {
    /// `LIST reference pattern`, without options.
    pub fn new(reference: Mailbox, pattern: impl Into<Str>) -> ListCommand {
        ListCommand { reference, patterns: vec![pattern.into()], selection: Vec::new(), returns: Vec::new() }
    }
}

/// A LIST selection option (RFC 5258 §3.1, RFC 6154).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListSelection {
    /// `SUBSCRIBED`: subscribed mailboxes only.
    Subscribed,
    /// `REMOTE`: remote mailboxes too.
    Remote,
    /// `RECURSIVEMATCH`: parents of matching mailboxes too (with another
    /// option).
    RecursiveMatch,
    /// `SPECIAL-USE` (RFC 6154): special-use mailboxes only.
    SpecialUse,
    /// Another option (an extension), without parameters.
    Other(Atom),
}

/// A LIST return option (RFC 5258 §3.2, RFC 5819, RFC 6154).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListReturn {
    /// `SUBSCRIBED`: mark subscribed mailboxes.
    Subscribed,
    /// `CHILDREN`: `\HasChildren` / `\HasNoChildren`.
    Children,
    /// `SPECIAL-USE` (RFC 6154): special-use attributes.
    SpecialUse,
    /// `STATUS (…)` (RFC 5819): a STATUS answer for each mailbox.
    Status(Vec<StatusItem>),
    /// Another option (an extension), without parameters.
    Other(Atom),
}

/// `"LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat
/// [SP list-return-opts]`, after LIST.
pub(super) fn parse(c: &mut Cursor<'_>) -> PResult<ListCommand> {
    const RULE: &str = "list";
    sp(c, RULE)?;
    let mut selection = Vec::new();
    if c.peek() == Some(b'(') {
        option_list(c, "list-select-opts", true, |c| {
            // list-select-base-opt-quoted: `"SUBSCRIBED"`.
            let quoted = c.eat(b'"');
            let mut buf = [0u8; 24];
            let (start, word) = keyword(c, &mut buf);
            let opt = match word {
                b"SUBSCRIBED" => ListSelection::Subscribed,
                b"REMOTE" => ListSelection::Remote,
                b"RECURSIVEMATCH" => ListSelection::RecursiveMatch,
                b"SPECIAL-USE" => ListSelection::SpecialUse,
                _ => ListSelection::Other(keyword_atom(c, start, "list-select-opt")?),
            };
            if quoted {
                c.expect(b'"', "list-select-opt", "'\"'")?;
            }
            c.push(&mut selection, opt, "list-select-opts")
        })?;
        // RFC 5819's example has no space before the reference.
        while c.eat(b' ') {}
    }
    let reference = Mailbox::parse(c)?;
    sp(c, RULE)?;
    let patterns = if c.peek() == Some(b'(') {
        c.paren_list("patterns", false, parse_list_mailbox)?
    } else {
        vec![parse_list_mailbox(c)?]
    };
    let mut returns = Vec::new();
    if more(c) {
        if !c.eat_word(b"RETURN") {
            return Err(c.expected("list-return-opts", "RETURN"));
        }
        sp(c, "list-return-opts")?;
        option_list(c, "list-return-opts", true, |c| {
            let mut buf = [0u8; 24];
            let (start, word) = keyword(c, &mut buf);
            let opt = match word {
                b"SUBSCRIBED" => ListReturn::Subscribed,
                b"CHILDREN" => ListReturn::Children,
                b"SPECIAL-USE" => ListReturn::SpecialUse,
                b"STATUS" => {
                    sp(c, "status-option")?;
                    ListReturn::Status(c.paren_list("status-option", false, StatusItem::parse)?)
                }
                _ => ListReturn::Other(keyword_atom(c, start, "return-option")?),
            };
            c.push(&mut returns, opt, "list-return-opts")
        })?;
    }
    Ok(ListCommand { reference, patterns, selection, returns })
}

/// Writes the LIST arguments after `LIST`.
pub(super) fn encode(list: &ListCommand, w: &mut Writer) {
    w.raw(b"LIST ");
    if !list.selection.is_empty() {
        w.list(&list.selection, |w, s| {
            match s {
                ListSelection::Subscribed => w.raw(b"SUBSCRIBED"),
                ListSelection::Remote => w.raw(b"REMOTE"),
                ListSelection::RecursiveMatch => w.raw(b"RECURSIVEMATCH"),
                ListSelection::SpecialUse => w.raw(b"SPECIAL-USE"),
                ListSelection::Other(a) => w.raw(a.as_bytes()),
            };
        });
        w.sp();
    }
    list.reference.encode(w);
    w.sp();
    match list.patterns.as_slice() {
        [one] => encode_list_mailbox(w, one),
        many => {
            w.list(many, encode_list_mailbox);
        }
    }
    if !list.returns.is_empty() {
        w.raw(b" RETURN ");
        w.list(&list.returns, |w, r| {
            match r {
                ListReturn::Subscribed => w.raw(b"SUBSCRIBED"),
                ListReturn::Children => w.raw(b"CHILDREN"),
                ListReturn::SpecialUse => w.raw(b"SPECIAL-USE"),
                ListReturn::Status(items) => {
                    w.raw(b"STATUS ");
                    w.list(items, |w, i| i.encode(w))
                }
                ListReturn::Other(a) => w.raw(a.as_bytes()),
            };
        });
    }
}
