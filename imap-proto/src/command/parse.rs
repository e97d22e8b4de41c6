//! The command parser: `command = tag SP (command-any / command-auth /
//! command-nonauth / command-select) CRLF` (RFC 9051 §9), with the
//! extensions' commands.

use bytes::Bytes;

use super::{
    Command, CommandBody, MetadataDepth, MetadataOptions, QResyncParams, SelectParams, error_at, fetch, list,
    search, store,
};
use crate::capability::Capability;
use crate::chars;
use crate::datetime::DateTime;
use crate::error::{ErrorKind, ParseError};
use crate::flag::{Flag, MailboxAttribute};
use crate::id::parse_id_params;
use crate::lex::{Cursor, PResult};
use crate::mailbox::{Mailbox, parse_list_mailbox};
use crate::sequence::SequenceSet;
use crate::status::StatusItem;
use crate::string::{Atom, Str};

// ----- shared helpers -----

/// One or more spaces (clients sometimes send two).
pub(super) fn sp(c: &mut Cursor<'_>, rule: &'static str) -> PResult<()> {
    c.sp(rule)?;
    while c.eat(b' ') {}
    Ok(())
}

/// For an optional trailing argument: eats the spaces before it and says
/// whether something other than the line end follows.
pub(super) fn more(c: &mut Cursor<'_>) -> bool {
    if c.peek() != Some(b' ') {
        return false;
    }
    while c.eat(b' ') {}
    !c.at_line_end()
}

/// The keyword `word`, uppercased into `buf` for matching against the
/// known names; empty (matching nothing) when longer than `buf`.
pub(super) fn upper<'a>(word: &[u8], buf: &'a mut [u8; 24]) -> &'a [u8] {
    if word.len() > buf.len() {
        return &[];
    }
    let out = &mut buf[..word.len()];
    for (o, &b) in out.iter_mut().zip(word) {
        *o = b.to_ascii_uppercase();
    }
    out
}

/// The next keyword, uppercased; with its start offset.
pub(super) fn keyword<'a>(c: &mut Cursor<'_>, buf: &'a mut [u8; 24]) -> (usize, &'a [u8]) {
    let start = c.pos();
    let word = c.keyword();
    (start, upper(word, buf))
}

/// The keyword that started at `start` and ends here, as an atom.
pub(super) fn keyword_atom(c: &Cursor<'_>, start: usize, rule: &'static str) -> PResult<Atom> {
    if c.pos() == start {
        return Err(c.expected(rule, "an atom"));
    }
    Ok(Atom::unchecked(c.slice(start, c.pos())))
}

/// An unknown keyword that started at `start` (or nothing where one was
/// expected).
pub(super) fn unknown(c: &Cursor<'_>, start: usize, rule: &'static str, what: &'static str) -> ParseError {
    if c.pos() == start { c.expected(rule, what) } else { error_at(start, rule, ErrorKind::UnknownKeyword) }
}

/// A full 64-bit unsigned number (Gmail's X-GM-MSGID and X-GM-THRID go
/// beyond `number64`).
pub(super) fn number_u64(c: &mut Cursor<'_>, rule: &'static str) -> PResult<u64> {
    let start = c.pos();
    let rest = c.rest();
    let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 {
        return Err(c.expected(rule, "a number"));
    }
    let mut v: u64 = 0;
    for &d in rest.iter().take(n) {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
            .ok_or_else(|| error_at(start, rule, ErrorKind::Number))?;
    }
    c.advance(n);
    Ok(v)
}

/// `"(" item *(SP item) ")"` where each item is a keyword handled by
/// `item` (which reads any arguments after it); `allow_empty` for `()`.
pub(super) fn option_list(
    c: &mut Cursor<'_>,
    rule: &'static str,
    allow_empty: bool,
    mut item: impl FnMut(&mut Cursor<'_>) -> PResult<()>,
) -> PResult<()> {
    c.expect(b'(', rule, "'('")?;
    c.enter(rule)?;
    if c.eat(b')') {
        c.leave();
        if !allow_empty {
            return Err(c.expected(rule, "an option"));
        }
        return Ok(());
    }
    let mut count = 0usize;
    loop {
        count += 1;
        if count > c.limits.max_items {
            return Err(c.err(rule, ErrorKind::Limit("list items")));
        }
        item(c)?;
        if c.eat(b')') {
            break;
        }
        c.sp(rule)?;
    }
    c.leave();
    Ok(())
}

/// Decodes base64 (padding optional), for AUTHENTICATE; `offset` is where
/// `data` starts in the message, for the error.
pub(super) fn decode_base64(data: &[u8], offset: usize, rule: &'static str) -> PResult<Vec<u8>> {
    if let Ok(v) = base64_simd::STANDARD.decode_to_vec(data) {
        return Ok(v);
    }
    if let Ok(v) = base64_simd::STANDARD_NO_PAD.decode_to_vec(data) {
        return Ok(v);
    }
    let bad = data
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')))
        .unwrap_or(0);
    Err(error_at(offset + bad, rule, ErrorKind::Expected("base64")))
}

// ----- the command -----

pub(super) fn command(c: &mut Cursor<'_>) -> PResult<Command> {
    let tag = c.tag("tag")?;
    sp(c, "command")?;
    let body = body(c)?;
    while c.eat(b' ') {}
    c.crlf("command")?;
    Ok(Command { tag, body })
}

fn body(c: &mut Cursor<'_>) -> PResult<CommandBody> {
    const RULE: &str = "command";
    let mut buf = [0u8; 24];
    let (start, word) = keyword(c, &mut buf);
    Ok(match word {
        b"CAPABILITY" => CommandBody::Capability,
        b"NOOP" => CommandBody::Noop,
        b"LOGOUT" => CommandBody::Logout,
        b"ID" => {
            sp(c, "id")?;
            CommandBody::Id(parse_id_params(c)?)
        }
        b"ENABLE" => {
            let caps = Capability::parse_list(c)?;
            if caps.is_empty() {
                return Err(c.expected("enable", "a capability"));
            }
            CommandBody::Enable(caps)
        }
        b"STARTTLS" => CommandBody::StartTls,
        b"AUTHENTICATE" => authenticate(c)?,
        b"LOGIN" => {
            sp(c, "login")?;
            let username = c.astring("userid")?;
            sp(c, "login")?;
            let password = c.astring("password")?;
            CommandBody::Login { username, password }
        }
        b"SELECT" => {
            sp(c, "select")?;
            let mailbox = Mailbox::parse(c)?;
            CommandBody::Select { mailbox, params: select_params(c)? }
        }
        b"EXAMINE" => {
            sp(c, "examine")?;
            let mailbox = Mailbox::parse(c)?;
            CommandBody::Examine { mailbox, params: select_params(c)? }
        }
        b"CREATE" => create(c)?,
        b"DELETE" => {
            sp(c, "delete")?;
            CommandBody::Delete(Mailbox::parse(c)?)
        }
        b"RENAME" => {
            sp(c, "rename")?;
            let from = Mailbox::parse(c)?;
            sp(c, "rename")?;
            let to = Mailbox::parse(c)?;
            CommandBody::Rename { from, to }
        }
        b"SUBSCRIBE" => {
            sp(c, "subscribe")?;
            CommandBody::Subscribe(Mailbox::parse(c)?)
        }
        b"UNSUBSCRIBE" => {
            sp(c, "unsubscribe")?;
            CommandBody::Unsubscribe(Mailbox::parse(c)?)
        }
        b"LIST" => CommandBody::List(list::parse(c)?),
        b"LSUB" => {
            sp(c, "lsub")?;
            let reference = Mailbox::parse(c)?;
            sp(c, "lsub")?;
            let pattern = parse_list_mailbox(c)?;
            CommandBody::Lsub { reference, pattern }
        }
        b"NAMESPACE" => CommandBody::Namespace,
        b"STATUS" => {
            sp(c, "status")?;
            let mailbox = Mailbox::parse(c)?;
            sp(c, "status")?;
            let items = c.paren_list("status", false, StatusItem::parse)?;
            CommandBody::Status { mailbox, items }
        }
        b"APPEND" => append(c)?,
        b"IDLE" => CommandBody::Idle,
        b"GETQUOTA" => {
            sp(c, "getquota")?;
            CommandBody::GetQuota(c.astring("quota-root-name")?)
        }
        b"GETQUOTAROOT" => {
            sp(c, "getquotaroot")?;
            CommandBody::GetQuotaRoot(Mailbox::parse(c)?)
        }
        b"SETQUOTA" => {
            sp(c, "setquota")?;
            let root = c.astring("quota-root-name")?;
            sp(c, "setquota")?;
            let limits = c.paren_list("setquota-list", true, |c| {
                let name = c.atom("resource-name")?;
                c.sp("setquota-resource")?;
                let limit = c.number64("resource-limit")?;
                Ok((name, limit))
            })?;
            CommandBody::SetQuota { root, limits }
        }
        b"GETMETADATA" => get_metadata(c)?,
        b"SETMETADATA" => {
            sp(c, "setmetadata")?;
            let mailbox = Mailbox::parse(c)?;
            sp(c, "setmetadata")?;
            let entries = c.paren_list("entry-values", false, |c| {
                let entry = c.astring("entry")?;
                c.sp("entry-value")?;
                let value = if c.nil() { None } else { Some(c.string("value")?) };
                Ok((entry, value))
            })?;
            CommandBody::SetMetadata { mailbox, entries }
        }
        b"COMPRESS" => {
            sp(c, "compress")?;
            CommandBody::Compress(c.atom("algorithm")?)
        }
        b"CHECK" => CommandBody::Check,
        b"CLOSE" => CommandBody::Close,
        b"UNSELECT" => CommandBody::Unselect,
        b"EXPUNGE" => CommandBody::Expunge,
        b"UID" => {
            sp(c, "uid")?;
            let mut buf = [0u8; 24];
            let (start, word) = keyword(c, &mut buf);
            match word {
                b"EXPUNGE" => {
                    sp(c, "uid-expunge")?;
                    CommandBody::UidExpunge(SequenceSet::parse(c)?)
                }
                b"SEARCH" => search::parse_search(c, true)?,
                b"FETCH" => fetch::parse(c, true)?,
                b"STORE" => store::parse(c, true)?,
                b"COPY" => copy_or_move(c, true, false)?,
                b"MOVE" => copy_or_move(c, true, true)?,
                b"SORT" => search::parse_sort(c, true)?,
                b"THREAD" => search::parse_thread(c, true)?,
                _ => return Err(unknown(c, start, "uid", "COPY, MOVE, FETCH, SEARCH, STORE or EXPUNGE")),
            }
        }
        b"SEARCH" => search::parse_search(c, false)?,
        b"FETCH" => fetch::parse(c, false)?,
        b"STORE" => store::parse(c, false)?,
        b"COPY" => copy_or_move(c, false, false)?,
        b"MOVE" => copy_or_move(c, false, true)?,
        b"SORT" => search::parse_sort(c, false)?,
        b"THREAD" => search::parse_thread(c, false)?,
        _ => return Err(unknown(c, start, RULE, "a command name")),
    })
}

fn authenticate(c: &mut Cursor<'_>) -> PResult<CommandBody> {
    const RULE: &str = "authenticate";
    sp(c, RULE)?;
    let mechanism = c.atom("auth-type")?;
    let mut initial_response = None;
    if more(c) {
        if c.eat(b'=') {
            initial_response = Some(Bytes::new());
        } else {
            let start = c.pos();
            let rest = c.rest();
            let n = rest
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')))
                .unwrap_or(rest.len());
            if n == 0 {
                return Err(c.expected("initial-resp", "base64 or '='"));
            }
            let data = rest.get(..n).unwrap_or_default();
            let decoded = decode_base64(data, start, "initial-resp")?;
            c.advance(n);
            initial_response = Some(Bytes::from(decoded));
        }
    }
    Ok(CommandBody::Authenticate { mechanism, initial_response })
}

/// `[SP "(" select-param *(SP select-param) ")"]` (RFC 4466, RFC 7162).
fn select_params(c: &mut Cursor<'_>) -> PResult<SelectParams> {
    const RULE: &str = "select-params";
    let mut params = SelectParams::default();
    if !more(c) {
        return Ok(params);
    }
    option_list(c, RULE, false, |c| {
        let mut buf = [0u8; 24];
        let (start, word) = keyword(c, &mut buf);
        match word {
            b"CONDSTORE" => params.condstore = true,
            b"QRESYNC" => {
                sp(c, "qresync")?;
                params.qresync = Some(qresync(c)?);
            }
            _ => return Err(unknown(c, start, RULE, "CONDSTORE or QRESYNC")),
        }
        Ok(())
    })?;
    Ok(params)
}

/// `"(" uidvalidity SP mod-sequence-value [SP known-uids]
/// [SP seq-match-data] ")"`.
fn qresync(c: &mut Cursor<'_>) -> PResult<QResyncParams> {
    const RULE: &str = "qresync";
    c.expect(b'(', RULE, "'('")?;
    let uid_validity = c.nz_number("uidvalidity")?;
    sp(c, RULE)?;
    let mod_seq = c.number64("mod-sequence-value")?;
    let mut known_uids = None;
    let mut seq_match = None;
    while c.eat(b' ') {
        if c.eat(b'(') {
            let seqs = SequenceSet::parse(c)?;
            sp(c, "seq-match-data")?;
            let uids = SequenceSet::parse(c)?;
            c.expect(b')', "seq-match-data", "')'")?;
            seq_match = Some((seqs, uids));
            break;
        }
        if known_uids.is_some() {
            return Err(c.expected(RULE, "'(' or ')'"));
        }
        known_uids = Some(SequenceSet::parse(c)?);
    }
    c.expect(b')', RULE, "')'")?;
    Ok(QResyncParams { uid_validity, mod_seq, known_uids, seq_match })
}

/// `"CREATE" SP mailbox [SP "(" create-param *(SP create-param) ")"]`,
/// with RFC 6154's `USE (…)`.
fn create(c: &mut Cursor<'_>) -> PResult<CommandBody> {
    const RULE: &str = "create";
    sp(c, RULE)?;
    let mailbox = Mailbox::parse(c)?;
    let mut special_use = Vec::new();
    if more(c) {
        option_list(c, "create-params", false, |c| {
            let mut buf = [0u8; 24];
            let (start, word) = keyword(c, &mut buf);
            if word != b"USE" {
                return Err(unknown(c, start, "create-param", "USE"));
            }
            sp(c, "create-param")?;
            let attrs = c.paren_list("use-attrs", true, MailboxAttribute::parse)?;
            for a in attrs {
                c.push(&mut special_use, a, "use-attrs")?;
            }
            Ok(())
        })?;
    }
    Ok(CommandBody::Create { mailbox, special_use })
}

/// `"APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal`
/// (`literal8` with BINARY).
fn append(c: &mut Cursor<'_>) -> PResult<CommandBody> {
    const RULE: &str = "append";
    sp(c, RULE)?;
    let mailbox = Mailbox::parse(c)?;
    sp(c, RULE)?;
    let mut flags = Vec::new();
    if c.peek() == Some(b'(') {
        flags = Flag::parse_list(c)?;
        sp(c, RULE)?;
    }
    let mut date = None;
    if c.peek() == Some(b'"') {
        date = Some(DateTime::parse(c)?);
        sp(c, RULE)?;
    }
    if !matches!(c.peek(), Some(b'{') | Some(b'~')) {
        return Err(c.expected("append-data", "a literal"));
    }
    let message = c.literal("append-data")?;
    Ok(CommandBody::Append { mailbox, flags, date, message })
}

/// `"GETMETADATA" [SP getmetadata-options] SP mailbox SP entries`. The
/// options are also accepted after the mailbox, as RFC 5464's examples
/// have them.
fn get_metadata(c: &mut Cursor<'_>) -> PResult<CommandBody> {
    const RULE: &str = "getmetadata";
    sp(c, RULE)?;
    let mut options = MetadataOptions::default();
    let mut have_options = false;
    if c.peek() == Some(b'(') {
        options = metadata_options(c)?;
        have_options = true;
        sp(c, RULE)?;
    }
    let mailbox = Mailbox::parse(c)?;
    sp(c, RULE)?;
    if !have_options && c.peek() == Some(b'(') && looks_like_metadata_options(c.rest()) {
        options = metadata_options(c)?;
        sp(c, RULE)?;
    }
    let entries = if c.peek() == Some(b'(') {
        c.paren_list("entries", false, |c| c.astring("entry"))?
    } else {
        let mut entries = vec![c.astring("entry")?];
        // Several bare entries, as in RFC 5464 §4.4.1's examples.
        while more(c) {
            let e = c.astring("entry")?;
            c.push(&mut entries, e, "entries")?;
        }
        entries
    };
    Ok(CommandBody::GetMetadata { options, mailbox, entries })
}

fn looks_like_metadata_options(rest: &[u8]) -> bool {
    // `(MAXSIZE <digit>` or `(DEPTH <0, 1 or infinity>`.
    let inner = rest.get(1..).unwrap_or_default();
    let after = |w: &[u8]| match inner.get(..w.len()) {
        Some(head) if head.eq_ignore_ascii_case(w) => inner.get(w.len()).copied(),
        _ => None,
    };
    matches!(after(b"MAXSIZE "), Some(b'0'..=b'9'))
        || matches!(after(b"DEPTH "), Some(b'0' | b'1' | b'i' | b'I'))
}

/// `"(" getmetadata-option *(SP getmetadata-option) ")"`.
fn metadata_options(c: &mut Cursor<'_>) -> PResult<MetadataOptions> {
    const RULE: &str = "getmetadata-options";
    let mut options = MetadataOptions::default();
    option_list(c, RULE, false, |c| {
        let mut buf = [0u8; 24];
        let (start, word) = keyword(c, &mut buf);
        match word {
            b"MAXSIZE" => {
                sp(c, "maxsize-opt")?;
                options.max_size = Some(c.number("maxsize-opt")?);
            }
            b"DEPTH" => {
                sp(c, "scope-opt")?;
                let mut buf = [0u8; 24];
                let (start, word) = keyword(c, &mut buf);
                options.depth = Some(match word {
                    b"0" => MetadataDepth::Zero,
                    b"1" => MetadataDepth::One,
                    b"INFINITY" => MetadataDepth::Infinity,
                    _ => return Err(unknown(c, start, "scope-opt", "0, 1 or infinity")),
                });
            }
            _ => return Err(unknown(c, start, RULE, "MAXSIZE or DEPTH")),
        }
        Ok(())
    })?;
    Ok(options)
}

fn copy_or_move(c: &mut Cursor<'_>, uid: bool, is_move: bool) -> PResult<CommandBody> {
    let rule = if is_move { "move" } else { "copy" };
    sp(c, rule)?;
    let set = SequenceSet::parse(c)?;
    sp(c, rule)?;
    let mailbox = Mailbox::parse(c)?;
    Ok(if is_move {
        CommandBody::Move { uid, set, mailbox }
    } else {
        CommandBody::Copy { uid, set, mailbox }
    })
}

/// A Gmail label in STORE and SEARCH: an astring, or a system label
/// written like a flag (`\Inbox`, `\Important`).
pub(super) fn gm_label(c: &mut Cursor<'_>) -> PResult<Str> {
    if c.peek() == Some(b'\\') {
        let start = c.pos();
        c.advance(1);
        let n = c.rest().iter().take_while(|&&b| chars::is_atom_char(b)).count();
        if n == 0 {
            return Err(c.expected("x-gm-label", "a label name after '\\'"));
        }
        c.advance(n);
        return Ok(Str::with_form(c.slice(start, c.pos()), crate::string::Form::Atom));
    }
    c.astring("x-gm-label")
}
