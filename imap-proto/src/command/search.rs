//! SEARCH keys and return options (RFC 9051 §6.4.4, RFC 4731 ESEARCH,
//! RFC 5182 SEARCHRES, RFC 7162 MODSEQ, RFC 5032 WITHIN, RFC 8474,
//! Gmail's X-GM-*), and SORT and THREAD (RFC 5256).

use super::CommandBody;
use super::parse::{gm_label, keyword, keyword_atom, more, number_u64, option_list, sp, unknown};
use super::write::gm_label as write_gm_label;
use crate::datetime::Date;
use crate::encode::Writer;
use crate::lex::{Cursor, PResult};
use crate::sequence::SequenceSet;
use crate::string::{Atom, Str};

/// A `search-key`: one criterion. A list of them is implicitly ANDed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SearchKey {
    /// `ALL`: every message.
    All,
    /// `ANSWERED`: with `\Answered`.
    Answered,
    /// `BCC string`: the Bcc header contains the string.
    Bcc(Str),
    /// `BEFORE date`: internal date earlier than the date.
    Before(Date),
    /// `BODY string`: the body contains the string.
    Body(Str),
    /// `CC string`.
    Cc(Str),
    /// `DELETED`: with `\Deleted`.
    Deleted,
    /// `DRAFT`: with `\Draft`.
    Draft,
    /// `FLAGGED`: with `\Flagged`.
    Flagged,
    /// `FROM string`.
    From(Str),
    /// `HEADER field-name string`: the field contains the string (any
    /// value, for an empty string).
    Header(Str, Str),
    /// `KEYWORD flag`: with the keyword.
    Keyword(Atom),
    /// `LARGER n`: larger than n octets.
    Larger(u64),
    /// `NEW` (IMAP4rev1): recent and unseen.
    New,
    /// `NOT key`.
    Not(Box<SearchKey>),
    /// `OLD` (IMAP4rev1): not recent.
    Old,
    /// `ON date`: internal date on the date.
    On(Date),
    /// `OR key1 key2`.
    Or(Box<SearchKey>, Box<SearchKey>),
    /// `RECENT` (IMAP4rev1): with `\Recent`.
    Recent,
    /// `SEEN`: with `\Seen`.
    Seen,
    /// `SENTBEFORE date`: Date header earlier than the date.
    SentBefore(Date),
    /// `SENTON date`.
    SentOn(Date),
    /// `SENTSINCE date`.
    SentSince(Date),
    /// `SINCE date`: internal date on or after the date.
    Since(Date),
    /// `SMALLER n`: smaller than n octets.
    Smaller(u64),
    /// `SUBJECT string`.
    Subject(Str),
    /// `TEXT string`: header or body contains the string.
    Text(Str),
    /// `TO string`.
    To(Str),
    /// `UID set`.
    Uid(SequenceSet),
    /// `UNANSWERED`.
    Unanswered,
    /// `UNDELETED`.
    Undeleted,
    /// `UNDRAFT`.
    Undraft,
    /// `UNFLAGGED`.
    Unflagged,
    /// `UNKEYWORD flag`.
    Unkeyword(Atom),
    /// `UNSEEN`.
    Unseen,
    /// A sequence set (or `$`, RFC 5182): those messages.
    SequenceSet(SequenceSet),
    /// `( key *(SP key) )`: all of them.
    And(Vec<SearchKey>),
    /// `MODSEQ [entry-name entry-type] mod-sequence` (RFC 7162): changed
    /// at or after the mod-sequence.
    ModSeq {
        /// The metadata item (`"/flags/\\draft"`) and whose (`priv`,
        /// `shared`, `all`).
        entry: Option<(Str, EntryType)>,
        /// The mod-sequence.
        mod_seq: u64,
    },
    /// `OLDER n` (RFC 5032): internal date more than n seconds ago.
    Older(u32),
    /// `YOUNGER n` (RFC 5032): internal date less than n seconds ago.
    Younger(u32),
    /// `X-GM-RAW string`: Gmail's own search syntax.
    XGmRaw(Str),
    /// `X-GM-MSGID id`: Gmail's message id.
    XGmMsgId(u64),
    /// `X-GM-THRID id`: Gmail's thread id.
    XGmThrId(u64),
    /// `X-GM-LABELS label`: has the Gmail label.
    XGmLabels(Str),
    /// `EMAILID id` (RFC 8474).
    EmailId(Atom),
    /// `THREADID id` (RFC 8474).
    ThreadId(Atom),
}

/// `entry-type-req` of MODSEQ search (RFC 7162).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryType {
    /// `priv`: the user's private metadata.
    Private,
    /// `shared`.
    Shared,
    /// `all`: either.
    All,
}

impl EntryType {
    fn name(self) -> &'static str {
        match self {
            EntryType::Private => "priv",
            EntryType::Shared => "shared",
            EntryType::All => "all",
        }
    }
}

/// A `search-return-opt` of ESEARCH (RFC 4731, RFC 5182).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SearchReturn {
    /// `MIN`: the lowest matching number.
    Min,
    /// `MAX`: the highest.
    Max,
    /// `ALL`: all of them, as a sequence set.
    All,
    /// `COUNT`: how many.
    Count,
    /// `SAVE` (RFC 5182): keep the result as `$`.
    Save,
    /// Another return option (an extension), without parameters.
    Other(Atom),
}

/// A SORT key (RFC 5256 `sort-criterion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SortKey {
    /// `REVERSE`: descending.
    pub reverse: bool,
    /// What to sort by.
    pub criterion: SortCriterion,
}

/// What SORT sorts by (RFC 5256, RFC 5957 DISPLAY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortCriterion {
    /// `ARRIVAL`: internal date.
    Arrival,
    /// `CC`: first Cc mailbox.
    Cc,
    /// `DATE`: the Date header.
    Date,
    /// `FROM`: first From mailbox.
    From,
    /// `SIZE`.
    Size,
    /// `SUBJECT`: base subject.
    Subject,
    /// `TO`: first To mailbox.
    To,
    /// `DISPLAYFROM` (RFC 5957): display name of From.
    DisplayFrom,
    /// `DISPLAYTO` (RFC 5957): display name of To.
    DisplayTo,
}

impl SortCriterion {
    /// The criterion's name.
    pub fn name(self) -> &'static str {
        match self {
            SortCriterion::Arrival => "ARRIVAL",
            SortCriterion::Cc => "CC",
            SortCriterion::Date => "DATE",
            SortCriterion::From => "FROM",
            SortCriterion::Size => "SIZE",
            SortCriterion::Subject => "SUBJECT",
            SortCriterion::To => "TO",
            SortCriterion::DisplayFrom => "DISPLAYFROM",
            SortCriterion::DisplayTo => "DISPLAYTO",
        }
    }
}

impl SearchKey {
    /// `search-key`.
    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<SearchKey> {
        const RULE: &str = "search-key";
        use SearchKey::*;
        match c.peek() {
            Some(b'(') => {
                c.advance(1);
                c.enter(RULE)?;
                let mut keys = Vec::new();
                loop {
                    let key = SearchKey::parse(c)?;
                    c.push(&mut keys, key, RULE)?;
                    if c.eat(b')') {
                        break;
                    }
                    sp(c, RULE)?;
                }
                c.leave();
                return Ok(And(keys));
            }
            Some(b'0'..=b'9' | b'*' | b'$') => {
                return Ok(SequenceSet(crate::sequence::SequenceSet::parse(c)?));
            }
            _ => {}
        }
        let mut buf = [0u8; 24];
        let (start, word) = keyword(c, &mut buf);
        Ok(match word {
            b"ALL" => All,
            b"ANSWERED" => Answered,
            b"DELETED" => Deleted,
            b"DRAFT" => Draft,
            b"FLAGGED" => Flagged,
            b"NEW" => New,
            b"OLD" => Old,
            b"RECENT" => Recent,
            b"SEEN" => Seen,
            b"UNANSWERED" => Unanswered,
            b"UNDELETED" => Undeleted,
            b"UNDRAFT" => Undraft,
            b"UNFLAGGED" => Unflagged,
            b"UNSEEN" => Unseen,
            b"BCC" => Bcc(string_arg(c)?),
            b"BODY" => Body(string_arg(c)?),
            b"CC" => Cc(string_arg(c)?),
            b"FROM" => From(string_arg(c)?),
            b"SUBJECT" => Subject(string_arg(c)?),
            b"TEXT" => Text(string_arg(c)?),
            b"TO" => To(string_arg(c)?),
            b"X-GM-RAW" => XGmRaw(string_arg(c)?),
            b"BEFORE" => Before(date_arg(c)?),
            b"ON" => On(date_arg(c)?),
            b"SINCE" => Since(date_arg(c)?),
            b"SENTBEFORE" => SentBefore(date_arg(c)?),
            b"SENTON" => SentOn(date_arg(c)?),
            b"SENTSINCE" => SentSince(date_arg(c)?),
            b"HEADER" => {
                sp(c, RULE)?;
                let name = c.astring("header-fld-name")?;
                sp(c, RULE)?;
                Header(name, c.astring(RULE)?)
            }
            b"KEYWORD" => {
                sp(c, RULE)?;
                Keyword(c.atom("flag-keyword")?)
            }
            b"UNKEYWORD" => {
                sp(c, RULE)?;
                Unkeyword(c.atom("flag-keyword")?)
            }
            b"LARGER" => {
                sp(c, RULE)?;
                Larger(c.number64(RULE)?)
            }
            b"SMALLER" => {
                sp(c, RULE)?;
                Smaller(c.number64(RULE)?)
            }
            b"UID" => {
                sp(c, RULE)?;
                Uid(crate::sequence::SequenceSet::parse(c)?)
            }
            b"NOT" => {
                sp(c, RULE)?;
                c.enter(RULE)?;
                let key = SearchKey::parse(c)?;
                c.leave();
                Not(Box::new(key))
            }
            b"OR" => {
                sp(c, RULE)?;
                c.enter(RULE)?;
                let a = SearchKey::parse(c)?;
                sp(c, RULE)?;
                let b = SearchKey::parse(c)?;
                c.leave();
                Or(Box::new(a), Box::new(b))
            }
            b"MODSEQ" => {
                sp(c, RULE)?;
                let entry = if matches!(c.peek(), Some(b'0'..=b'9')) {
                    None
                } else {
                    let name = c.astring("entry-name")?;
                    sp(c, RULE)?;
                    let mut buf = [0u8; 24];
                    let (start, word) = keyword(c, &mut buf);
                    let kind = match word {
                        b"PRIV" => EntryType::Private,
                        b"SHARED" => EntryType::Shared,
                        b"ALL" => EntryType::All,
                        _ => return Err(unknown(c, start, "entry-type-req", "priv, shared or all")),
                    };
                    sp(c, RULE)?;
                    Some((name, kind))
                };
                ModSeq { entry, mod_seq: c.number64("mod-sequence-valzer")? }
            }
            b"OLDER" => {
                sp(c, RULE)?;
                Older(c.number(RULE)?)
            }
            b"YOUNGER" => {
                sp(c, RULE)?;
                Younger(c.number(RULE)?)
            }
            b"X-GM-MSGID" => {
                sp(c, RULE)?;
                XGmMsgId(number_u64(c, RULE)?)
            }
            b"X-GM-THRID" => {
                sp(c, RULE)?;
                XGmThrId(number_u64(c, RULE)?)
            }
            b"X-GM-LABELS" => {
                sp(c, RULE)?;
                XGmLabels(gm_label(c)?)
            }
            b"EMAILID" => {
                sp(c, RULE)?;
                EmailId(c.atom("objectid")?)
            }
            b"THREADID" => {
                sp(c, RULE)?;
                ThreadId(c.atom("objectid")?)
            }
            _ => return Err(unknown(c, start, RULE, "a search key")),
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        use SearchKey::*;
        let simple: &[u8] = match self {
            All => b"ALL",
            Answered => b"ANSWERED",
            Deleted => b"DELETED",
            Draft => b"DRAFT",
            Flagged => b"FLAGGED",
            New => b"NEW",
            Old => b"OLD",
            Recent => b"RECENT",
            Seen => b"SEEN",
            Unanswered => b"UNANSWERED",
            Undeleted => b"UNDELETED",
            Undraft => b"UNDRAFT",
            Unflagged => b"UNFLAGGED",
            Unseen => b"UNSEEN",
            Bcc(s) => return string_key(w, b"BCC ", s),
            Body(s) => return string_key(w, b"BODY ", s),
            Cc(s) => return string_key(w, b"CC ", s),
            From(s) => return string_key(w, b"FROM ", s),
            Subject(s) => return string_key(w, b"SUBJECT ", s),
            Text(s) => return string_key(w, b"TEXT ", s),
            To(s) => return string_key(w, b"TO ", s),
            XGmRaw(s) => return string_key(w, b"X-GM-RAW ", s),
            Before(d) => return date_key(w, b"BEFORE ", d),
            On(d) => return date_key(w, b"ON ", d),
            Since(d) => return date_key(w, b"SINCE ", d),
            SentBefore(d) => return date_key(w, b"SENTBEFORE ", d),
            SentOn(d) => return date_key(w, b"SENTON ", d),
            SentSince(d) => return date_key(w, b"SENTSINCE ", d),
            Header(name, value) => {
                w.raw(b"HEADER ").astring(name).sp().astring(value);
                return;
            }
            Keyword(a) => {
                w.raw(b"KEYWORD ").raw(a.as_bytes());
                return;
            }
            Unkeyword(a) => {
                w.raw(b"UNKEYWORD ").raw(a.as_bytes());
                return;
            }
            Larger(n) => {
                w.raw(b"LARGER ").number(*n);
                return;
            }
            Smaller(n) => {
                w.raw(b"SMALLER ").number(*n);
                return;
            }
            Uid(set) => {
                w.raw(b"UID ");
                set.encode(w);
                return;
            }
            SequenceSet(set) => {
                set.encode(w);
                return;
            }
            Not(key) => {
                w.raw(b"NOT ");
                key.encode(w);
                return;
            }
            Or(a, b) => {
                w.raw(b"OR ");
                a.encode(w);
                w.sp();
                b.encode(w);
                return;
            }
            And(keys) => {
                w.list(keys, |w, k| k.encode(w));
                return;
            }
            ModSeq { entry, mod_seq } => {
                w.raw(b"MODSEQ ");
                if let Some((name, kind)) = entry {
                    // entry-flag-name is a quoted string.
                    w.string(name).sp().raw(kind.name().as_bytes()).sp();
                }
                w.number(*mod_seq);
                return;
            }
            Older(n) => {
                w.raw(b"OLDER ").number(u64::from(*n));
                return;
            }
            Younger(n) => {
                w.raw(b"YOUNGER ").number(u64::from(*n));
                return;
            }
            XGmMsgId(n) => {
                w.raw(b"X-GM-MSGID ").number(*n);
                return;
            }
            XGmThrId(n) => {
                w.raw(b"X-GM-THRID ").number(*n);
                return;
            }
            XGmLabels(label) => {
                w.raw(b"X-GM-LABELS ");
                write_gm_label(w, label);
                return;
            }
            EmailId(a) => {
                w.raw(b"EMAILID ").raw(a.as_bytes());
                return;
            }
            ThreadId(a) => {
                w.raw(b"THREADID ").raw(a.as_bytes());
                return;
            }
        };
        w.raw(simple);
    }
}

fn string_arg(c: &mut Cursor<'_>) -> PResult<Str> {
    sp(c, "search-key")?;
    c.astring("search-key")
}

fn date_arg(c: &mut Cursor<'_>) -> PResult<Date> {
    sp(c, "search-key")?;
    Date::parse(c)
}

fn string_key(w: &mut Writer, name: &[u8], s: &Str) {
    w.raw(name).astring(s);
}

fn date_key(w: &mut Writer, name: &[u8], d: &Date) {
    w.raw(name);
    d.encode(w);
}

/// `search-key *(SP search-key)` up to the end of the command.
fn criteria(c: &mut Cursor<'_>) -> PResult<Vec<SearchKey>> {
    let mut keys = Vec::new();
    loop {
        let key = SearchKey::parse(c)?;
        c.push(&mut keys, key, "search-program")?;
        if !more(c) {
            break;
        }
    }
    Ok(keys)
}

/// Writes criteria separated by spaces.
pub(super) fn encode_criteria(w: &mut Writer, keys: &[SearchKey]) {
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        k.encode(w);
    }
}

/// `[SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"]`.
fn return_opts(c: &mut Cursor<'_>) -> PResult<Option<Vec<SearchReturn>>> {
    const RULE: &str = "search-return-opts";
    let save = c.pos();
    if !c.eat(b' ') {
        return Ok(None);
    }
    while c.eat(b' ') {}
    if !c.eat_word(b"RETURN") {
        c.set_pos(save);
        return Ok(None);
    }
    sp(c, RULE)?;
    let mut out = Vec::new();
    option_list(c, RULE, true, |c| {
        let mut buf = [0u8; 24];
        let (start, word) = keyword(c, &mut buf);
        let opt = match word {
            b"MIN" => SearchReturn::Min,
            b"MAX" => SearchReturn::Max,
            b"ALL" => SearchReturn::All,
            b"COUNT" => SearchReturn::Count,
            b"SAVE" => SearchReturn::Save,
            _ => SearchReturn::Other(keyword_atom(c, start, "search-return-opt")?),
        };
        out.push(opt);
        Ok(())
    })?;
    Ok(Some(out))
}

/// Writes ` RETURN (…)` if there are return options.
pub(super) fn encode_returns(w: &mut Writer, returns: &Option<Vec<SearchReturn>>) {
    if let Some(list) = returns {
        w.raw(b" RETURN ");
        w.list(list, |w, r| {
            match r {
                SearchReturn::Min => w.raw(b"MIN"),
                SearchReturn::Max => w.raw(b"MAX"),
                SearchReturn::All => w.raw(b"ALL"),
                SearchReturn::Count => w.raw(b"COUNT"),
                SearchReturn::Save => w.raw(b"SAVE"),
                SearchReturn::Other(a) => w.raw(a.as_bytes()),
            };
        });
    }
}

/// `"SEARCH" [search-return-opts] SP ["CHARSET" SP charset SP]
/// search-key *(SP search-key)`, after SEARCH.
pub(super) fn parse_search(c: &mut Cursor<'_>, uid: bool) -> PResult<CommandBody> {
    const RULE: &str = "search";
    let returns = return_opts(c)?;
    sp(c, RULE)?;
    let mut charset = None;
    if c.eat_word(b"CHARSET") {
        sp(c, RULE)?;
        charset = Some(c.astring("charset")?);
        sp(c, RULE)?;
    }
    let criteria = criteria(c)?;
    Ok(CommandBody::Search { uid, charset, criteria, returns })
}

/// `"SORT" [search-return-opts] SP sort-criteria SP charset SP
/// search-key *(SP search-key)`, after SORT.
pub(super) fn parse_sort(c: &mut Cursor<'_>, uid: bool) -> PResult<CommandBody> {
    const RULE: &str = "sort";
    let returns = return_opts(c)?;
    sp(c, RULE)?;
    let keys = c.paren_list("sort-criteria", false, |c| {
        let mut buf = [0u8; 24];
        let (mut start, mut word) = keyword(c, &mut buf);
        let reverse = word == b"REVERSE";
        let mut buf2 = [0u8; 24];
        if reverse {
            c.sp("sort-criterion")?;
            (start, word) = keyword(c, &mut buf2);
        }
        let criterion = match word {
            b"ARRIVAL" => SortCriterion::Arrival,
            b"CC" => SortCriterion::Cc,
            b"DATE" => SortCriterion::Date,
            b"FROM" => SortCriterion::From,
            b"SIZE" => SortCriterion::Size,
            b"SUBJECT" => SortCriterion::Subject,
            b"TO" => SortCriterion::To,
            b"DISPLAYFROM" => SortCriterion::DisplayFrom,
            b"DISPLAYTO" => SortCriterion::DisplayTo,
            _ => return Err(unknown(c, start, "sort-key", "a sort key")),
        };
        Ok(SortKey { reverse, criterion })
    })?;
    sp(c, RULE)?;
    let charset = c.astring("charset")?;
    sp(c, RULE)?;
    let criteria = criteria(c)?;
    Ok(CommandBody::Sort { uid, keys, charset, criteria, returns })
}

/// `"THREAD" SP thread-alg SP charset SP search-key *(SP search-key)`,
/// after THREAD.
pub(super) fn parse_thread(c: &mut Cursor<'_>, uid: bool) -> PResult<CommandBody> {
    const RULE: &str = "thread";
    sp(c, RULE)?;
    let algorithm = c.atom("thread-alg")?;
    sp(c, RULE)?;
    let charset = c.astring("charset")?;
    sp(c, RULE)?;
    let criteria = criteria(c)?;
    Ok(CommandBody::Thread { uid, algorithm, charset, criteria })
}

/// Writes the sort criteria list.
pub(super) fn encode_sort_keys(w: &mut Writer, keys: &[SortKey]) {
    w.list(keys, |w, k| {
        if k.reverse {
            w.raw(b"REVERSE ");
        }
        w.raw(k.criterion.name().as_bytes());
    });
}
