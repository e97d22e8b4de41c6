//! Untagged data responses (RFC 9051 §7.2–§7.5 and the extensions).

use std::num::NonZeroU32;

use bytes::Bytes;

use crate::capability::Capability;
use crate::encode::Writer;
use crate::error::{ErrorKind, ParseError};
use crate::flag::{Flag, MailboxAttribute};
use crate::id::{IdParams, encode_id_params, parse_id_params};
use crate::lex::{Cursor, PResult};
use crate::mailbox::Mailbox;
use crate::section::Section;
use crate::sequence::SequenceSet;
use crate::status::StatusItem;
use crate::string::{Atom, Str};

use super::body::BodyStructure;
use super::envelope::Envelope;
use super::fetch::FetchItem;
use super::value::{ExtValue, encode_delimiter, end, list_next, parse_delimiter, skip_sp, sp, upper};

/// An untagged response other than a status response: `* 23 EXISTS`,
/// `* LIST …`, `* 12 FETCH (…)` …
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Data {
    /// `CAPABILITY …`.
    Capability(Vec<Capability>),
    /// `ENABLED …` (RFC 5161): the extensions ENABLE turned on.
    Enabled(Vec<Capability>),
    /// `LIST …`: one mailbox.
    List(ListItem),
    /// `LSUB …` (IMAP4rev1): one subscribed mailbox.
    Lsub(ListItem),
    /// `STATUS mailbox (…)`.
    Status {
        /// The mailbox.
        mailbox: Mailbox,
        /// The numeric items, in the order sent.
        items: Vec<(StatusItem, u64)>,
        /// `MAILBOXID (id)` (RFC 8474), if sent (written after `items`).
        mailbox_id: Option<Str>,
    },
    /// `SEARCH n…` (IMAP4rev1, and IMAP4rev2 servers that also speak
    /// IMAP4rev1).
    Search {
        /// The matching sequence numbers or UIDs.
        numbers: Vec<u32>,
        /// `(MODSEQ n)` (RFC 7162): the highest mod-sequence of the
        /// matches.
        mod_seq: Option<u64>,
    },
    /// `ESEARCH …` (RFC 4731, RFC 9051).
    ESearch(ESearch),
    /// `FLAGS (…)`: the flags defined in the selected mailbox.
    Flags(Vec<Flag>),
    /// `n EXISTS`: the number of messages.
    Exists(u32),
    /// `n RECENT` (IMAP4rev1).
    Recent(u32),
    /// `n EXPUNGE`: message `n` is gone; later numbers move down by one.
    Expunge(NonZeroU32),
    /// `n FETCH (…)`.
    Fetch {
        /// The message's sequence number.
        seq: NonZeroU32,
        /// The data items.
        items: Vec<FetchItem>,
    },
    /// `NAMESPACE personal other shared` (RFC 2342, RFC 9051); `None` is
    /// NIL.
    Namespace {
        /// The personal namespaces.
        personal: Option<Vec<NamespaceDesc>>,
        /// Other users' namespaces.
        other: Option<Vec<NamespaceDesc>>,
        /// Shared namespaces.
        shared: Option<Vec<NamespaceDesc>>,
    },
    /// `ID (…)` or `ID NIL` (RFC 2971): the server's identity.
    Id(IdParams),
    /// `SORT n…` (RFC 5256).
    Sort {
        /// The sequence numbers or UIDs, sorted.
        numbers: Vec<u32>,
        /// `(MODSEQ n)` (RFC 7162).
        mod_seq: Option<u64>,
    },
    /// `THREAD (…)(…)` (RFC 5256).
    Thread(Vec<Thread>),
    /// `QUOTA root (…)` (RFC 9208).
    Quota {
        /// The quota root.
        root: Str,
        /// Its resources.
        resources: Vec<QuotaResource>,
    },
    /// `QUOTAROOT mailbox root…` (RFC 9208).
    QuotaRoot {
        /// The mailbox.
        mailbox: Mailbox,
        /// Its quota roots.
        roots: Vec<Str>,
    },
    /// `METADATA mailbox …` (RFC 5464); the mailbox is `""` for server
    /// annotations.
    Metadata {
        /// The mailbox.
        mailbox: Mailbox,
        /// The entries.
        entries: MetadataEntries,
    },
    /// `VANISHED [(EARLIER)] uids` (RFC 7162): expunged UIDs.
    Vanished {
        /// `(EARLIER)`: an answer to FETCH/SELECT … VANISHED, not a new
        /// expunge.
        earlier: bool,
        /// The UIDs.
        uids: SequenceSet,
    },
    /// A response this crate does not know (`* XLIST …`, `* ACL …`,
    /// `* 3 FOO`): kept raw.
    Other {
        /// The number before the name, for `* n NAME …`.
        number: Option<u32>,
        /// The response's name.
        name: Atom,
        /// What follows the name and a space, up to the final CRLF
        /// (literals included).
        data: Option<Bytes>,
    },
}

/// A LIST or LSUB response's mailbox (RFC 9051 `mailbox-list`, RFC 5258).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListItem {
    /// The attributes (`\HasChildren`, `\Sent` …).
    pub attributes: Vec<MailboxAttribute>,
    /// The hierarchy delimiter; `None` (NIL) for a flat namespace.
    pub delimiter: Option<char>,
    /// The mailbox.
    pub mailbox: Mailbox,
    /// LIST-EXTENDED data items (`CHILDINFO`, `OLDNAME` …), if any.
    pub extended: Vec<ListExtendedItem>,
}

/// One `mbox-list-extended-item` (RFC 5258, RFC 9051).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListExtendedItem {
    /// `CHILDINFO ("SUBSCRIBED" …)`: children match the selection
    /// options named.
    ChildInfo(Vec<Str>),
    /// `OLDNAME (mailbox)`: the mailbox's name before a RENAME, or as the
    /// client wrote it before the server canonicalised it.
    OldName(Mailbox),
    /// Any other item: its tag and value.
    Other {
        /// The item's tag.
        tag: Str,
        /// Its value.
        value: ExtValue,
    },
}

/// `namespace-descr`: a namespace's prefix and delimiter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NamespaceDesc {
    /// The prefix (`""`, `"INBOX."`, `"#shared/"`).
    pub prefix: Str,
    /// The hierarchy delimiter.
    pub delimiter: Option<char>,
    /// `namespace-response-extension`s: name and values.
    pub extensions: Vec<(Str, Vec<Str>)>,
}

/// An ESEARCH response (RFC 4731, RFC 9051 §7.3.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ESearch {
    /// `(TAG "…")`: the tag of the command it answers.
    pub tag: Option<Str>,
    /// `UID`: the numbers are UIDs.
    pub uid: bool,
    /// The return data.
    pub data: Vec<ESearchData>,
}

/// One `search-return-data` item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ESearchData {
    /// `MIN n`.
    Min(u32),
    /// `MAX n`.
    Max(u32),
    /// `ALL set`.
    All(SequenceSet),
    /// `COUNT n`.
    Count(u32),
    /// `MODSEQ n` (RFC 7162).
    ModSeq(u64),
    /// Any other item (`ADDTO`, `PARTIAL` …): its name and value.
    Other {
        /// The item's name.
        name: Atom,
        /// Its value.
        value: ExtValue,
    },
}

/// One thread of a THREAD response (RFC 5256 `thread-list`): messages
/// each answering the previous one, then (if it branches) the
/// sub-threads.
///
/// `(3 6 (4 23)(44 7 96))` is members `[3, 6]` and two children.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Thread {
    /// The chain of messages at the start of the thread.
    pub members: Vec<u32>,
    /// The branches after the last member.
    pub children: Vec<Thread>,
}

/// One `quota-resource` (RFC 9208): a resource's usage and limit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuotaResource {
    /// `STORAGE` (KiB), `MESSAGE`, `MAILBOX`, `ANNOTATION-STORAGE` …
    pub name: Atom,
    /// The current usage.
    pub usage: u64,
    /// The limit.
    pub limit: u64,
}

/// The entries of a METADATA response (RFC 5464 §4.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MetadataEntries {
    /// `(entry value …)`: entries with their values (NIL: no value).
    Values(Vec<(Str, Option<Str>)>),
    /// `entry …`: the names of entries that changed (unsolicited).
    Names(Vec<Str>),
}

impl Data {
    /// The items of a FETCH response; empty for other data.
    pub fn fetch_items(&self) -> &[FetchItem] {
        match self {
            Data::Fetch { items, .. } => items,
            _ => &[],
        }
    }

    /// A FETCH response's UID.
    pub fn uid(&self) -> Option<NonZeroU32> {
        self.fetch_items().iter().find_map(|i| match i {
            FetchItem::Uid(u) => Some(*u),
            _ => None,
        })
    }

    /// A FETCH response's FLAGS.
    pub fn flags(&self) -> Option<&[Flag]> {
        self.fetch_items().iter().find_map(|i| match i {
            FetchItem::Flags(f) => Some(f.as_slice()),
            _ => None,
        })
    }

    /// A FETCH response's ENVELOPE.
    pub fn envelope(&self) -> Option<&Envelope> {
        self.fetch_items().iter().find_map(|i| match i {
            FetchItem::Envelope(e) => Some(&**e),
            _ => None,
        })
    }

    /// A FETCH response's BODYSTRUCTURE (or else BODY).
    pub fn body_structure(&self) -> Option<&BodyStructure> {
        let items = self.fetch_items();
        items
            .iter()
            .find_map(|i| match i {
                FetchItem::BodyStructure(b) => Some(&**b),
                _ => None,
            })
            .or_else(|| {
                items.iter().find_map(|i| match i {
                    FetchItem::Body(b) => Some(&**b),
                    _ => None,
                })
            })
    }

    /// A FETCH response's `BODY[section]` data (any origin); `None` if
    /// absent or NIL.
    pub fn body_section(&self, section: &Section) -> Option<&Str> {
        self.fetch_items().iter().find_map(|i| match i {
            FetchItem::BodySection { section: s, data, .. } if s == section => data.as_ref(),
            _ => None,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        match self {
            Data::Capability(caps) => {
                w.raw(b"CAPABILITY");
                Capability::encode_list(caps, w);
            }
            Data::Enabled(caps) => {
                w.raw(b"ENABLED");
                Capability::encode_list(caps, w);
            }
            Data::List(item) => {
                w.raw(b"LIST ");
                item.encode(w);
            }
            Data::Lsub(item) => {
                w.raw(b"LSUB ");
                item.encode(w);
            }
            Data::Status { mailbox, items, mailbox_id } => {
                w.raw(b"STATUS ");
                mailbox.encode(w);
                w.raw(b" (");
                for (i, (item, n)) in items.iter().enumerate() {
                    if i > 0 {
                        w.sp();
                    }
                    item.encode(w);
                    w.sp().number(*n);
                }
                if let Some(id) = mailbox_id {
                    if !items.is_empty() {
                        w.sp();
                    }
                    w.raw(b"MAILBOXID (").raw(id.as_bytes()).byte(b')');
                }
                w.byte(b')');
            }
            Data::Search { numbers, mod_seq } => {
                w.raw(b"SEARCH");
                encode_numbers(numbers, *mod_seq, w);
            }
            Data::Sort { numbers, mod_seq } => {
                w.raw(b"SORT");
                encode_numbers(numbers, *mod_seq, w);
            }
            Data::ESearch(e) => e.encode(w),
            Data::Flags(flags) => {
                w.raw(b"FLAGS ");
                Flag::encode_list(flags, w);
            }
            Data::Exists(n) => {
                w.number(u64::from(*n)).raw(b" EXISTS");
            }
            Data::Recent(n) => {
                w.number(u64::from(*n)).raw(b" RECENT");
            }
            Data::Expunge(n) => {
                w.number(u64::from(n.get())).raw(b" EXPUNGE");
            }
            Data::Fetch { seq, items } => {
                w.number(u64::from(seq.get())).raw(b" FETCH ");
                w.list(items, |w, i| i.encode(w));
            }
            Data::Namespace { personal, other, shared } => {
                w.raw(b"NAMESPACE ");
                encode_namespace(personal, w);
                w.sp();
                encode_namespace(other, w);
                w.sp();
                encode_namespace(shared, w);
            }
            Data::Id(params) => {
                w.raw(b"ID ");
                encode_id_params(params, w);
            }
            Data::Thread(threads) => {
                w.raw(b"THREAD");
                if !threads.is_empty() {
                    w.sp();
                    for t in threads {
                        t.encode(w);
                    }
                }
            }
            Data::Quota { root, resources } => {
                w.raw(b"QUOTA ").astring(root).sp();
                w.list(resources, |w, r| {
                    w.raw(r.name.as_bytes()).sp().number(r.usage).sp().number(r.limit);
                });
            }
            Data::QuotaRoot { mailbox, roots } => {
                w.raw(b"QUOTAROOT ");
                mailbox.encode(w);
                for r in roots {
                    w.sp().astring(r);
                }
            }
            Data::Metadata { mailbox, entries } => {
                w.raw(b"METADATA ");
                mailbox.encode(w);
                w.sp();
                match entries {
                    MetadataEntries::Values(values) => {
                        w.list(values, |w, (entry, value)| {
                            w.astring(entry).sp().nstring(value.as_ref());
                        });
                    }
                    MetadataEntries::Names(names) => {
                        for (i, n) in names.iter().enumerate() {
                            if i > 0 {
                                w.sp();
                            }
                            w.astring(n);
                        }
                    }
                }
            }
            Data::Vanished { earlier, uids } => {
                w.raw(b"VANISHED ");
                if *earlier {
                    w.raw(b"(EARLIER) ");
                }
                uids.encode(w);
            }
            Data::Other { number, name, data } => {
                if let Some(n) = number {
                    w.number(u64::from(*n)).sp();
                }
                w.raw(name.as_bytes());
                if let Some(d) = data {
                    w.sp().raw(d);
                }
            }
        }
    }
}

/// The rest of an untagged response after `* n ` (at the name): EXISTS,
/// RECENT, EXPUNGE, FETCH, or an unknown one.
pub(crate) fn parse_numbered(c: &mut Cursor<'_>, n: u32, n_at: usize) -> PResult<Data> {
    let start = c.pos();
    let word = c.keyword();
    let mut buf = [0u8; 24];
    let nz = || NonZeroU32::new(n).ok_or_else(|| ParseError::new(n_at, "nz-number", ErrorKind::Number));
    let data = match upper(word, &mut buf) {
        b"EXISTS" => Data::Exists(n),
        b"RECENT" => Data::Recent(n),
        b"EXPUNGE" => Data::Expunge(nz()?),
        b"FETCH" => {
            let seq = nz()?;
            sp(c, "message-data")?;
            let items = FetchItem::parse_list(c)?;
            Data::Fetch { seq, items }
        }
        b"" => return Err(c.expected("message-data", "EXISTS, EXPUNGE, FETCH or RECENT")),
        _ => return parse_other(c, Some(n), start),
    };
    end(c, "message-data")?;
    Ok(data)
}

/// An untagged data response at its name (which is `word`, already read;
/// the cursor is after it); `Ok(None)` if `word` is not a data response
/// name this crate knows.
pub(crate) fn parse_named(c: &mut Cursor<'_>, upper_word: &[u8]) -> PResult<Option<Data>> {
    let data = match upper_word {
        b"CAPABILITY" => Data::Capability(Capability::parse_list(c)?),
        b"ENABLED" => Data::Enabled(Capability::parse_list(c)?),
        b"LIST" => {
            sp(c, "mailbox-data")?;
            Data::List(ListItem::parse(c)?)
        }
        b"LSUB" => {
            sp(c, "mailbox-data")?;
            Data::Lsub(ListItem::parse(c)?)
        }
        b"STATUS" => parse_status(c)?,
        b"SEARCH" => {
            let (numbers, mod_seq) = parse_numbers(c, "mailbox-data")?;
            Data::Search { numbers, mod_seq }
        }
        b"SORT" => {
            let (numbers, mod_seq) = parse_numbers(c, "sort-data")?;
            Data::Sort { numbers, mod_seq }
        }
        b"ESEARCH" => Data::ESearch(ESearch::parse(c)?),
        b"FLAGS" => {
            sp(c, "mailbox-data")?;
            if c.nil() { Data::Flags(Vec::new()) } else { Data::Flags(flag_list(c)?) }
        }
        b"NAMESPACE" => {
            sp(c, "namespace-response")?;
            let personal = parse_namespace(c)?;
            sp(c, "namespace-response")?;
            let other = parse_namespace(c)?;
            sp(c, "namespace-response")?;
            let shared = parse_namespace(c)?;
            Data::Namespace { personal, other, shared }
        }
        b"ID" => {
            sp(c, "id-response")?;
            Data::Id(parse_id_params(c)?)
        }
        b"THREAD" => {
            let mut threads = Vec::new();
            skip_sp(c);
            while c.peek() == Some(b'(') {
                let t = Thread::parse(c)?;
                c.push(&mut threads, t, "thread-data")?;
                skip_sp(c);
            }
            Data::Thread(threads)
        }
        b"QUOTA" => {
            const RULE: &str = "quota-response";
            sp(c, RULE)?;
            let root = c.astring("quota-root-name")?;
            sp(c, RULE)?;
            let mut resources = Vec::new();
            c.expect(b'(', RULE, "'('")?;
            skip_sp(c);
            if !c.eat(b')') {
                loop {
                    let name = c.atom("resource-name")?;
                    sp(c, RULE)?;
                    let usage = c.number64("resource-usage")?;
                    sp(c, RULE)?;
                    let limit = c.number64("resource-limit")?;
                    c.push(&mut resources, QuotaResource { name, usage, limit }, RULE)?;
                    if !list_next(c, RULE)? {
                        break;
                    }
                }
            }
            Data::Quota { root, resources }
        }
        b"QUOTAROOT" => {
            sp(c, "quotaroot-response")?;
            let mailbox = Mailbox::parse(c)?;
            let mut roots = Vec::new();
            while c.eat(b' ') {
                skip_sp(c);
                if c.at_line_end() {
                    break;
                }
                let r = c.astring("quota-root-name")?;
                c.push(&mut roots, r, "quotaroot-response")?;
            }
            Data::QuotaRoot { mailbox, roots }
        }
        b"METADATA" => {
            const RULE: &str = "metadata-resp";
            sp(c, RULE)?;
            let mailbox = Mailbox::parse(c)?;
            sp(c, RULE)?;
            let entries = if c.eat(b'(') {
                let mut values = Vec::new();
                skip_sp(c);
                if !c.eat(b')') {
                    loop {
                        let entry = c.astring("entry")?;
                        sp(c, RULE)?;
                        let value = c.nstring("value")?;
                        c.push(&mut values, (entry, value), RULE)?;
                        if !list_next(c, RULE)? {
                            break;
                        }
                    }
                }
                MetadataEntries::Values(values)
            } else {
                let mut names = Vec::new();
                loop {
                    let n = c.astring("entry")?;
                    c.push(&mut names, n, RULE)?;
                    skip_sp(c);
                    if c.at_line_end() {
                        break;
                    }
                }
                MetadataEntries::Names(names)
            };
            Data::Metadata { mailbox, entries }
        }
        b"VANISHED" => {
            const RULE: &str = "expunged-resp";
            sp(c, RULE)?;
            let earlier = if c.eat(b'(') {
                if !c.eat_word(b"EARLIER") {
                    return Err(c.expected(RULE, "EARLIER"));
                }
                c.expect(b')', RULE, "')'")?;
                sp(c, RULE)?;
                true
            } else {
                false
            };
            Data::Vanished { earlier, uids: SequenceSet::parse(c)? }
        }
        _ => return Ok(None),
    };
    end(c, "response-data")?;
    Ok(Some(data))
}

/// An unknown response at the end of its name (which started at
/// `name_start`): the rest is kept raw.
pub(crate) fn parse_other(c: &mut Cursor<'_>, number: Option<u32>, name_start: usize) -> PResult<Data> {
    let name = Atom::unchecked(c.slice(name_start, c.pos()));
    let rest = c.rest();
    let body_len = match rest {
        [.., b'\r', b'\n'] => rest.len() - 2,
        [.., b'\n'] => rest.len() - 1,
        _ => return Err(c.err("response-data", ErrorKind::UnexpectedEnd)),
    };
    if body_len == 0 {
        c.crlf("response-data")?;
        return Ok(Data::Other { number, name, data: None });
    }
    c.sp("response-data")?;
    let start = c.pos();
    let data = c.slice(start, start + body_len - 1);
    c.advance(body_len - 1);
    c.crlf("response-data")?;
    Ok(Data::Other { number, name, data: Some(data) })
}

/// `"(" [flag *(SP flag)] ")"`, tolerating extra spaces.
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

/// `*(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]`;
/// trailing spaces are tolerated.
fn parse_numbers(c: &mut Cursor<'_>, rule: &'static str) -> PResult<(Vec<u32>, Option<u64>)> {
    let mut numbers = Vec::new();
    let mut mod_seq = None;
    while c.eat(b' ') {
        match c.peek() {
            Some(b'0'..=b'9') => {
                let n = c.number(rule)?;
                c.push(&mut numbers, n, rule)?;
            }
            Some(b'(') => {
                c.advance(1);
                if !c.eat_word(b"MODSEQ") {
                    return Err(c.expected("search-sort-mod-seq", "MODSEQ"));
                }
                sp(c, "search-sort-mod-seq")?;
                mod_seq = Some(c.number64("mod-sequence-value")?);
                skip_sp(c);
                c.expect(b')', "search-sort-mod-seq", "')'")?;
                break;
            }
            Some(b' ') => {}
            _ => break,
        }
    }
    Ok((numbers, mod_seq))
}

fn encode_numbers(numbers: &[u32], mod_seq: Option<u64>, w: &mut Writer) {
    for n in numbers {
        w.sp().number(u64::from(*n));
    }
    if let Some(m) = mod_seq {
        w.raw(b" (MODSEQ ").number(m).byte(b')');
    }
}

/// `"STATUS" SP mailbox SP "(" [status-att-list] ")"`, after the name.
fn parse_status(c: &mut Cursor<'_>) -> PResult<Data> {
    const RULE: &str = "status-att-list";
    sp(c, "mailbox-data")?;
    let mailbox = Mailbox::parse(c)?;
    sp(c, "mailbox-data")?;
    c.expect(b'(', RULE, "'('")?;
    let mut items = Vec::new();
    let mut mailbox_id = None;
    skip_sp(c);
    if !c.eat(b')') {
        loop {
            let start = c.pos();
            let word = c.keyword();
            if word.is_empty() {
                return Err(c.expected(RULE, "a status item"));
            }
            sp(c, RULE)?;
            match StatusItem::from_name(word) {
                Some(StatusItem::MailboxId) => {
                    c.expect(b'(', RULE, "'('")?;
                    mailbox_id = Some(Str::from(c.atom("objectid")?));
                    c.expect(b')', RULE, "')'")?;
                }
                Some(item) => {
                    let n = c.number64(RULE)?;
                    c.push(&mut items, (item, n), RULE)?;
                }
                None => return Err(ParseError::new(start, "status-att", ErrorKind::UnknownKeyword)),
            }
            if !list_next(c, RULE)? {
                break;
            }
        }
    }
    Ok(Data::Status { mailbox, items, mailbox_id })
}

impl ListItem {
    /// `mailbox-list`, at the `(`.
    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<ListItem> {
        const RULE: &str = "mailbox-list";
        c.expect(b'(', RULE, "'('")?;
        let mut attributes = Vec::new();
        skip_sp(c);
        if !c.eat(b')') {
            loop {
                let a = MailboxAttribute::parse(c)?;
                c.push(&mut attributes, a, "mbx-list-flags")?;
                if !list_next(c, "mbx-list-flags")? {
                    break;
                }
            }
        }
        sp(c, RULE)?;
        let delimiter = parse_delimiter(c, RULE)?;
        sp(c, RULE)?;
        let mailbox = Mailbox::parse(c)?;
        let mut extended = Vec::new();
        skip_sp(c);
        if c.eat(b'(') {
            skip_sp(c);
            if !c.eat(b')') {
                loop {
                    let item = ListExtendedItem::parse(c)?;
                    c.push(&mut extended, item, "mbox-list-extended")?;
                    if !list_next(c, "mbox-list-extended")? {
                        break;
                    }
                }
            }
        }
        Ok(ListItem { attributes, delimiter, mailbox, extended })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.list(&self.attributes, |w, a| a.encode(w)).sp();
        encode_delimiter(w, self.delimiter);
        w.sp();
        self.mailbox.encode(w);
        if !self.extended.is_empty() {
            w.sp().list(&self.extended, |w, e| e.encode(w));
        }
    }

    /// Whether the mailbox has an attribute.
    pub fn has(&self, attribute: &MailboxAttribute) -> bool {
        self.attributes.contains(attribute)
    }
}

impl ListExtendedItem {
    /// The item's value is read generically, then recognised: so an
    /// item that is not quite CHILDINFO or OLDNAME stays [`Other`] and
    /// writes back as it came.
    ///
    /// [`Other`]: ListExtendedItem::Other
    fn parse(c: &mut Cursor<'_>) -> PResult<ListExtendedItem> {
        const RULE: &str = "mbox-list-extended-item";
        let tag = c.astring(RULE)?;
        sp(c, RULE)?;
        let value = ExtValue::parse(c)?;
        Ok(match value {
            ExtValue::List(list)
                if tag.eq_ignore_case("CHILDINFO") && list.iter().all(|v| matches!(v, ExtValue::Str(_))) =>
            {
                ListExtendedItem::ChildInfo(
                    list.into_iter()
                        .filter_map(|v| match v {
                            ExtValue::Str(s) => Some(s),
                            _ => None,
                        })
                        .collect(),
                )
            }
            ExtValue::List(mut list)
                if tag.eq_ignore_case("OLDNAME")
                    && list.len() == 1
                    && matches!(list[0], ExtValue::Str(_)) =>
            {
                match list.pop() {
                    Some(ExtValue::Str(name)) => ListExtendedItem::OldName(Mailbox::from_wire(name)),
                    _ => return Err(c.expected(RULE, "a mailbox")),
                }
            }
            value => ListExtendedItem::Other { tag, value },
        })
    }

    fn encode(&self, w: &mut Writer) {
        match self {
            ListExtendedItem::ChildInfo(list) => {
                w.raw(b"\"CHILDINFO\" ");
                w.list(list, |w, s| {
                    w.string(s);
                });
            }
            ListExtendedItem::OldName(m) => {
                w.raw(b"\"OLDNAME\" (");
                m.encode(w);
                w.byte(b')');
            }
            ListExtendedItem::Other { tag, value } => {
                w.astring(tag).sp();
                value.encode(w);
            }
        }
    }
}

/// `"(" string *(SP string) ")"` (flat: nothing to undo on failure but
/// the position).
fn flat_strings(c: &mut Cursor<'_>) -> PResult<Vec<Str>> {
    const RULE: &str = "string-list";
    c.expect(b'(', RULE, "'('")?;
    let mut out = Vec::new();
    skip_sp(c);
    if c.eat(b')') {
        return Ok(out);
    }
    loop {
        let s = c.astring(RULE)?;
        c.push(&mut out, s, RULE)?;
        if !list_next(c, RULE)? {
            return Ok(out);
        }
    }
}

/// `namespace`: `NIL` or `"(" 1*namespace-descr ")"` (`()` and spaces
/// between descriptions are tolerated).
fn parse_namespace(c: &mut Cursor<'_>) -> PResult<Option<Vec<NamespaceDesc>>> {
    const RULE: &str = "namespace";
    if c.nil() {
        return Ok(None);
    }
    c.expect(b'(', RULE, "'(' or NIL")?;
    let mut out = Vec::new();
    loop {
        skip_sp(c);
        if c.eat(b')') {
            return Ok(Some(out));
        }
        c.expect(b'(', "namespace-descr", "'('")?;
        skip_sp(c);
        let prefix = c.string("namespace-descr")?;
        sp(c, "namespace-descr")?;
        let delimiter = parse_delimiter(c, "namespace-descr")?;
        let mut extensions = Vec::new();
        loop {
            skip_sp(c);
            if c.eat(b')') {
                break;
            }
            const EXT: &str = "namespace-response-extension";
            let name = c.string(EXT)?;
            sp(c, EXT)?;
            let values = flat_strings(c)?;
            c.push(&mut extensions, (name, values), EXT)?;
        }
        c.push(&mut out, NamespaceDesc { prefix, delimiter, extensions }, RULE)?;
    }
}

fn encode_namespace(ns: &Option<Vec<NamespaceDesc>>, w: &mut Writer) {
    let Some(list) = ns else {
        w.raw(b"NIL");
        return;
    };
    w.byte(b'(');
    for d in list {
        w.byte(b'(').string(&d.prefix).sp();
        encode_delimiter(w, d.delimiter);
        for (name, values) in &d.extensions {
            w.sp().string(name).sp();
            w.list(values, |w, v| {
                w.string(v);
            });
        }
        w.byte(b')');
    }
    w.byte(b')');
}

impl ESearch {
    /// The `ALL` set, if returned.
    pub fn all(&self) -> Option<&SequenceSet> {
        self.data.iter().find_map(|d| match d {
            ESearchData::All(s) => Some(s),
            _ => None,
        })
    }

    /// The `COUNT`, if returned.
    pub fn count(&self) -> Option<u32> {
        self.data.iter().find_map(|d| match d {
            ESearchData::Count(n) => Some(*n),
            _ => None,
        })
    }

    /// After `ESEARCH`.
    fn parse(c: &mut Cursor<'_>) -> PResult<ESearch> {
        const RULE: &str = "esearch-response";
        let mut e = ESearch::default();
        skip_sp(c);
        if c.eat(b'(') {
            skip_sp(c);
            if !c.eat_word(b"TAG") {
                return Err(c.expected("search-correlator", "TAG"));
            }
            sp(c, "search-correlator")?;
            e.tag = Some(c.astring("tag-string")?);
            skip_sp(c);
            c.expect(b')', "search-correlator", "')'")?;
            skip_sp(c);
        }
        if c.eat_word(b"UID") {
            e.uid = true;
            skip_sp(c);
        }
        while !c.at_line_end() {
            let start = c.pos();
            let word = c.keyword();
            if word.is_empty() {
                return Err(c.expected(RULE, "search return data"));
            }
            sp(c, RULE)?;
            let mut buf = [0u8; 24];
            let item = match upper(word, &mut buf) {
                b"MIN" => ESearchData::Min(c.number(RULE)?),
                b"MAX" => ESearchData::Max(c.number(RULE)?),
                b"COUNT" => ESearchData::Count(c.number(RULE)?),
                b"ALL" => ESearchData::All(SequenceSet::parse(c)?),
                b"MODSEQ" => ESearchData::ModSeq(c.number64(RULE)?),
                _ => ESearchData::Other {
                    name: Atom::unchecked(c.slice(start, start + word.len())),
                    value: ExtValue::parse(c)?,
                },
            };
            c.push(&mut e.data, item, RULE)?;
            if !c.at_line_end() {
                c.sp(RULE)?;
                skip_sp(c);
            }
        }
        Ok(e)
    }

    fn encode(&self, w: &mut Writer) {
        w.raw(b"ESEARCH");
        if let Some(tag) = &self.tag {
            w.raw(b" (TAG ").string(tag).byte(b')');
        }
        if self.uid {
            w.raw(b" UID");
        }
        for d in &self.data {
            w.sp();
            match d {
                ESearchData::Min(n) => {
                    w.raw(b"MIN ").number(u64::from(*n));
                }
                ESearchData::Max(n) => {
                    w.raw(b"MAX ").number(u64::from(*n));
                }
                ESearchData::Count(n) => {
                    w.raw(b"COUNT ").number(u64::from(*n));
                }
                ESearchData::ModSeq(n) => {
                    w.raw(b"MODSEQ ").number(*n);
                }
                ESearchData::All(s) => {
                    w.raw(b"ALL ");
                    s.encode(w);
                }
                ESearchData::Other { name, value } => {
                    w.raw(name.as_bytes()).sp();
                    value.encode(w);
                }
            }
        }
    }
}

impl Thread {
    /// All the messages of the thread, depth first.
    pub fn messages(&self) -> Vec<u32> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut Vec<u32>) {
        out.extend_from_slice(&self.members);
        for c in &self.children {
            c.collect(out);
        }
    }

    /// `thread-list`, at the `(`.
    fn parse(c: &mut Cursor<'_>) -> PResult<Thread> {
        const RULE: &str = "thread-list";
        c.expect(b'(', RULE, "'('")?;
        c.enter(RULE)?;
        let mut t = Thread::default();
        loop {
            skip_sp(c);
            match c.peek() {
                Some(b'0'..=b'9') => {
                    let n = c.number("thread-members")?;
                    c.push(&mut t.members, n, RULE)?;
                    if !matches!(c.peek(), Some(b' ') | Some(b')') | Some(b'(')) {
                        return Err(c.expected(RULE, "SP or ')'"));
                    }
                }
                Some(b'(') => {
                    while c.peek() == Some(b'(') {
                        let child = Thread::parse(c)?;
                        c.push(&mut t.children, child, "thread-nested")?;
                        skip_sp(c);
                    }
                    c.expect(b')', RULE, "')'")?;
                    break;
                }
                Some(b')') => {
                    c.advance(1);
                    break;
                }
                _ => return Err(c.expected(RULE, "a number, '(' or ')'")),
            }
        }
        c.leave();
        Ok(t)
    }

    fn encode(&self, w: &mut Writer) {
        w.byte(b'(');
        for (i, n) in self.members.iter().enumerate() {
            if i > 0 {
                w.sp();
            }
            w.number(u64::from(*n));
        }
        if !self.members.is_empty() && !self.children.is_empty() {
            w.sp();
        }
        for c in &self.children {
            c.encode(w);
        }
        w.byte(b')');
    }
}
