//! STORE: changing flags (RFC 9051 §6.4.6), with CONDSTORE's
//! UNCHANGEDSINCE (RFC 7162) and Gmail's X-GM-LABELS.

use super::CommandBody;
use super::parse::{gm_label, keyword, more, option_list, sp, unknown};
use super::write::gm_label as write_gm_label;
use crate::encode::Writer;
use crate::flag::Flag;
use crate::lex::{Cursor, PResult};
use crate::sequence::SequenceSet;
use crate::string::Str;

/// How STORE changes the flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreAction {
    /// `FLAGS`: replace them.
    Replace,
    /// `+FLAGS`: add these.
    Add,
    /// `-FLAGS`: remove these.
    Remove,
}

/// What STORE changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StoreKind {
    /// Flags.
    Flags(Vec<Flag>),
    /// Gmail labels (`X-GM-LABELS`); system labels look like flags
    /// (`\Inbox`, `\Important`).
    GmLabels(Vec<Str>),
}

/// `"STORE" SP sequence-set [store-modifiers] SP store-att-flags`, after
/// STORE.
pub(super) fn parse(c: &mut Cursor<'_>, uid: bool) -> PResult<CommandBody> {
    const RULE: &str = "store";
    sp(c, RULE)?;
    let set = SequenceSet::parse(c)?;
    sp(c, RULE)?;
    let mut unchanged_since = None;
    if c.peek() == Some(b'(') {
        option_list(c, "store-modifiers", false, |c| {
            let mut buf = [0u8; 24];
            let (start, word) = keyword(c, &mut buf);
            if word != b"UNCHANGEDSINCE" {
                return Err(unknown(c, start, "store-modifier", "UNCHANGEDSINCE"));
            }
            sp(c, "store-modifier")?;
            unchanged_since = Some(c.number64("mod-sequence-valzer")?);
            Ok(())
        })?;
        sp(c, RULE)?;
    }
    const ATT: &str = "store-att-flags";
    let action = if c.eat(b'+') {
        StoreAction::Add
    } else if c.eat(b'-') {
        StoreAction::Remove
    } else {
        StoreAction::Replace
    };
    let mut buf = [0u8; 24];
    let (start, word) = keyword(c, &mut buf);
    let (labels, silent) = match word {
        b"FLAGS" => (false, false),
        b"FLAGS.SILENT" => (false, true),
        b"X-GM-LABELS" => (true, false),
        b"X-GM-LABELS.SILENT" => (true, true),
        _ => return Err(unknown(c, start, ATT, "FLAGS or X-GM-LABELS")),
    };
    // `+FLAGS(\Seen)` without the space is tolerated.
    if c.peek() != Some(b'(') {
        sp(c, ATT)?;
    }
    let kind = if labels {
        StoreKind::GmLabels(list_or_bare(c, ATT, gm_label)?)
    } else {
        StoreKind::Flags(list_or_bare(c, ATT, Flag::parse)?)
    };
    Ok(CommandBody::Store { uid, set, action, silent, kind, unchanged_since })
}

/// `"(" [item *(SP item)] ")"` or `item *(SP item)` to the end of the
/// command.
fn list_or_bare<T>(
    c: &mut Cursor<'_>,
    rule: &'static str,
    mut item: impl FnMut(&mut Cursor<'_>) -> PResult<T>,
) -> PResult<Vec<T>> {
    if c.peek() == Some(b'(') {
        return c.paren_list(rule, true, item);
    }
    let mut out = Vec::new();
    loop {
        let value = item(c)?;
        c.push(&mut out, value, rule)?;
        if !more(c) {
            break;
        }
    }
    Ok(out)
}

/// Writes the STORE arguments after `STORE`.
pub(super) fn encode(
    w: &mut Writer,
    set: &SequenceSet,
    action: StoreAction,
    silent: bool,
    kind: &StoreKind,
    unchanged_since: Option<u64>,
) {
    w.raw(b"STORE ");
    set.encode(w);
    w.sp();
    if let Some(n) = unchanged_since {
        w.raw(b"(UNCHANGEDSINCE ").number(n).raw(b") ");
    }
    match action {
        StoreAction::Replace => {}
        StoreAction::Add => {
            w.byte(b'+');
        }
        StoreAction::Remove => {
            w.byte(b'-');
        }
    }
    match kind {
        StoreKind::Flags(flags) => {
            w.raw(if silent { b"FLAGS.SILENT " } else { b"FLAGS " });
            Flag::encode_list(flags, w);
        }
        StoreKind::GmLabels(labels) => {
            w.raw(if silent { b"X-GM-LABELS.SILENT " as &[u8] } else { b"X-GM-LABELS " });
            w.list(labels, write_gm_label);
        }
    }
}
