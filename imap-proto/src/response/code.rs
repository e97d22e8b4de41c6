//! Response codes: the `[…]` at the start of a status response's text
//! (RFC 9051 §7.1, RFC 5530 and the extensions).

use bytes::Bytes;

use crate::capability::Capability;
use crate::encode::Writer;
use crate::flag::Flag;
use crate::lex::{Cursor, PResult};
use crate::sequence::SequenceSet;
use crate::string::{Atom, Str};

use super::value::{encode_atom_or_string, skip_sp, upper};

/// A response code (`resp-text-code`): machine-readable information at
/// the start of a status response's text, such as `[UIDNEXT 4392]` or
/// `[TRYCREATE]`.
///
/// Codes this crate does not know, and known codes whose arguments do not
/// parse, are kept as [`Code::Other`] with their raw text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// `ALERT`: the text must be shown to the user.
    Alert,
    /// `BADCHARSET`: the SEARCH charset is not supported; the list, if
    /// any, names the ones that are.
    BadCharset(Vec<Str>),
    /// `CAPABILITY …`: the capabilities, saving a CAPABILITY command.
    Capability(Vec<Capability>),
    /// `PARSE`: a message's header could not be parsed.
    Parse,
    /// `PERMANENTFLAGS (…)`: the flags a client can change permanently;
    /// `\*` means new keywords can be made.
    PermanentFlags(Vec<Flag>),
    /// `READ-ONLY`: the mailbox is selected read-only.
    ReadOnly,
    /// `READ-WRITE`: the mailbox is selected read-write.
    ReadWrite,
    /// `TRYCREATE`: the target mailbox of APPEND/COPY/MOVE does not exist
    /// and could be created.
    TryCreate,
    /// `UIDNEXT n`: the next UID to be assigned.
    UidNext(u32),
    /// `UIDVALIDITY n`.
    UidValidity(u32),
    /// `UNSEEN n` (IMAP4rev1): the first message without `\Seen`.
    Unseen(u32),
    /// `APPENDUID validity uids` (RFC 4315): the UIDs an APPEND assigned.
    AppendUid {
        /// The target mailbox's UIDVALIDITY.
        uid_validity: u32,
        /// The new messages' UIDs (one, or a set after MULTIAPPEND).
        uids: SequenceSet,
    },
    /// `COPYUID validity source destination` (RFC 4315): the UIDs a COPY
    /// or MOVE assigned, in the order of the source UIDs.
    CopyUid {
        /// The target mailbox's UIDVALIDITY.
        uid_validity: u32,
        /// The source messages' UIDs.
        source: SequenceSet,
        /// Their UIDs in the target mailbox.
        destination: SequenceSet,
    },
    /// `UIDNOTSTICKY` (RFC 4315): the mailbox does not keep UIDs.
    UidNotSticky,
    /// `HIGHESTMODSEQ n` (RFC 7162).
    HighestModSeq(u64),
    /// `NOMODSEQ` (RFC 7162): the mailbox has no mod-sequences.
    NoModSeq,
    /// `MODIFIED set` (RFC 7162): the messages a conditional STORE did
    /// not change.
    Modified(SequenceSet),
    /// `CLOSED` (RFC 7162, RFC 9051): the previously selected mailbox is
    /// closed.
    Closed,
    /// `COMPRESSIONACTIVE` (RFC 4978).
    CompressionActive,
    /// `OVERQUOTA` (RFC 5530, RFC 9208).
    OverQuota,
    /// `TOOBIG` (RFC 4469, RFC 7889): a message or literal is too big.
    TooBig,
    /// `METADATA …` (RFC 5464).
    Metadata(MetadataCode),
    /// `UNAVAILABLE` (RFC 5530): a subsystem is down.
    Unavailable,
    /// `AUTHENTICATIONFAILED` (RFC 5530).
    AuthenticationFailed,
    /// `AUTHORIZATIONFAILED` (RFC 5530).
    AuthorizationFailed,
    /// `EXPIRED` (RFC 5530).
    Expired,
    /// `PRIVACYREQUIRED` (RFC 5530): needs TLS first.
    PrivacyRequired,
    /// `CONTACTADMIN` (RFC 5530).
    ContactAdmin,
    /// `NOPERM` (RFC 5530).
    NoPerm,
    /// `INUSE` (RFC 5530).
    InUse,
    /// `EXPUNGEISSUED` (RFC 5530).
    ExpungeIssued,
    /// `CORRUPTION` (RFC 5530).
    Corruption,
    /// `SERVERBUG` (RFC 5530).
    ServerBug,
    /// `CLIENTBUG` (RFC 5530).
    ClientBug,
    /// `CANNOT` (RFC 5530).
    Cannot,
    /// `LIMIT` (RFC 5530).
    Limit,
    /// `ALREADYEXISTS` (RFC 5530).
    AlreadyExists,
    /// `NONEXISTENT` (RFC 5530).
    NonExistent,
    /// `HASCHILDREN` (RFC 9051): DELETE of a mailbox that has children.
    HasChildren,
    /// `NOTSAVED` (RFC 5182): the search result was not saved.
    NotSaved,
    /// `UNKNOWN-CTE` (RFC 3516): BINARY of an unknown transfer encoding.
    UnknownCte,
    /// `USEATTR` (RFC 6154): the special-use attribute is not supported.
    UseAttr,
    /// `MAILBOXID (id)` (RFC 8474): the id of a created mailbox.
    MailboxId(Str),
    /// Any other code: its name and the raw text after the space, if any.
    Other {
        /// The code's name.
        name: Atom,
        /// What follows the name up to `]` (without the space).
        value: Option<Bytes>,
    },
}

/// The argument of the `METADATA` response code (RFC 5464 §4.2.1,
/// §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetadataCode {
    /// `LONGENTRIES n`: values longer than MAXSIZE were left out; the
    /// longest is `n` octets.
    LongEntries(u32),
    /// `MAXSIZE n`: the largest value the server accepts.
    MaxSize(u32),
    /// `TOOMANY`: too many annotations.
    TooMany,
    /// `NOPRIVATE`: private annotations are not supported.
    NoPrivate,
}

/// The codes without arguments, with their names.
const SIMPLE: &[(&str, Code)] = &[
    ("ALERT", Code::Alert),
    ("PARSE", Code::Parse),
    ("READ-ONLY", Code::ReadOnly),
    ("READ-WRITE", Code::ReadWrite),
    ("TRYCREATE", Code::TryCreate),
    ("UIDNOTSTICKY", Code::UidNotSticky),
    ("NOMODSEQ", Code::NoModSeq),
    ("CLOSED", Code::Closed),
    ("COMPRESSIONACTIVE", Code::CompressionActive),
    ("OVERQUOTA", Code::OverQuota),
    ("TOOBIG", Code::TooBig),
    ("UNAVAILABLE", Code::Unavailable),
    ("AUTHENTICATIONFAILED", Code::AuthenticationFailed),
    ("AUTHORIZATIONFAILED", Code::AuthorizationFailed),
    ("EXPIRED", Code::Expired),
    ("PRIVACYREQUIRED", Code::PrivacyRequired),
    ("CONTACTADMIN", Code::ContactAdmin),
    ("NOPERM", Code::NoPerm),
    ("INUSE", Code::InUse),
    ("EXPUNGEISSUED", Code::ExpungeIssued),
    ("CORRUPTION", Code::Corruption),
    ("SERVERBUG", Code::ServerBug),
    ("CLIENTBUG", Code::ClientBug),
    ("CANNOT", Code::Cannot),
    ("LIMIT", Code::Limit),
    ("ALREADYEXISTS", Code::AlreadyExists),
    ("NONEXISTENT", Code::NonExistent),
    ("HASCHILDREN", Code::HasChildren),
    ("NOTSAVED", Code::NotSaved),
    ("UNKNOWN-CTE", Code::UnknownCte),
    ("USEATTR", Code::UseAttr),
];

const RULE: &str = "resp-text-code";

impl Code {
    /// The code's name (`"UIDNEXT"`).
    pub fn name(&self) -> &str {
        match self {
            Code::BadCharset(_) => "BADCHARSET",
            Code::Capability(_) => "CAPABILITY",
            Code::PermanentFlags(_) => "PERMANENTFLAGS",
            Code::UidNext(_) => "UIDNEXT",
            Code::UidValidity(_) => "UIDVALIDITY",
            Code::Unseen(_) => "UNSEEN",
            Code::AppendUid { .. } => "APPENDUID",
            Code::CopyUid { .. } => "COPYUID",
            Code::HighestModSeq(_) => "HIGHESTMODSEQ",
            Code::Modified(_) => "MODIFIED",
            Code::Metadata(_) => "METADATA",
            Code::MailboxId(_) => "MAILBOXID",
            Code::Other { name, .. } => name.as_str(),
            simple => SIMPLE.iter().find(|(_, c)| c == simple).map(|(n, _)| *n).unwrap_or(""),
        }
    }

    /// `"[" resp-text-code "]"`, at the `[`. `None` (with the cursor back
    /// at the `[`) when what follows is not a code after all: the text
    /// then starts with the `[`.
    pub(crate) fn parse_bracketed(c: &mut Cursor<'_>) -> Option<Code> {
        let open = c.pos();
        c.advance(1);
        let after = c.pos();
        if let Ok(code) = Code::parse_known(c) {
            if c.eat(b']') {
                return Some(code);
            }
        }
        c.set_pos(after);
        if let Some(code) = Code::parse_other(c) {
            return Some(code);
        }
        c.set_pos(open);
        None
    }

    /// A code with its arguments as the grammar has them.
    fn parse_known(c: &mut Cursor<'_>) -> PResult<Code> {
        let word = c.keyword();
        let mut buf = [0u8; 24];
        Ok(match upper(word, &mut buf) {
            b"CAPABILITY" => Code::Capability(Capability::parse_list(c)?),
            b"PERMANENTFLAGS" => {
                c.sp(RULE)?;
                Code::PermanentFlags(flat_list(c, Flag::parse)?)
            }
            b"BADCHARSET" => {
                if c.eat(b' ') {
                    Code::BadCharset(flat_list(c, |c| {
                        if c.peek() == Some(b'"') {
                            c.quoted("charset")
                        } else {
                            Ok(Str::from(c.atom("charset")?))
                        }
                    })?)
                } else {
                    Code::BadCharset(Vec::new())
                }
            }
            b"UIDNEXT" => Code::UidNext(number_arg(c)?),
            b"UIDVALIDITY" => Code::UidValidity(number_arg(c)?),
            b"UNSEEN" => Code::Unseen(number_arg(c)?),
            b"APPENDUID" => {
                let uid_validity = number_arg(c)?;
                c.sp(RULE)?;
                Code::AppendUid { uid_validity, uids: SequenceSet::parse(c)? }
            }
            b"COPYUID" => {
                let uid_validity = number_arg(c)?;
                c.sp(RULE)?;
                let source = SequenceSet::parse(c)?;
                c.sp(RULE)?;
                Code::CopyUid { uid_validity, source, destination: SequenceSet::parse(c)? }
            }
            b"HIGHESTMODSEQ" => {
                c.sp(RULE)?;
                Code::HighestModSeq(c.number64(RULE)?)
            }
            b"MODIFIED" => {
                c.sp(RULE)?;
                Code::Modified(SequenceSet::parse(c)?)
            }
            b"METADATA" => {
                c.sp(RULE)?;
                let word = c.keyword();
                let mut buf = [0u8; 24];
                Code::Metadata(match upper(word, &mut buf) {
                    b"LONGENTRIES" => MetadataCode::LongEntries(number_arg(c)?),
                    b"MAXSIZE" => MetadataCode::MaxSize(number_arg(c)?),
                    b"TOOMANY" => MetadataCode::TooMany,
                    b"NOPRIVATE" => MetadataCode::NoPrivate,
                    _ => return Err(c.expected(RULE, "LONGENTRIES, MAXSIZE, TOOMANY or NOPRIVATE")),
                })
            }
            b"MAILBOXID" => {
                c.sp(RULE)?;
                c.expect(b'(', RULE, "'('")?;
                let id = c.atom("objectid")?;
                c.expect(b')', RULE, "')'")?;
                Code::MailboxId(Str::from(id))
            }
            name => match SIMPLE.iter().find(|(n, _)| n.as_bytes() == name) {
                Some((_, code)) => code.clone(),
                None => return Err(c.expected(RULE, "a known code")),
            },
        })
    }

    /// `atom [SP 1*<any TEXT-CHAR except "]">] "]"`.
    fn parse_other(c: &mut Cursor<'_>) -> Option<Code> {
        let name = c.atom(RULE).ok()?;
        if c.eat(b']') {
            return Some(Code::Other { name, value: None });
        }
        if !c.eat(b' ') {
            return None;
        }
        let rest = c.rest();
        let i = memchr::memchr3(b']', b'\r', b'\n', rest)?;
        if rest.get(i) != Some(&b']') {
            return None;
        }
        let start = c.pos();
        let value = c.slice(start, start + i);
        c.advance(i + 1);
        Some(Code::Other { name, value: Some(value) })
    }

    /// Writes the code without the brackets.
    pub(crate) fn encode(&self, w: &mut Writer) {
        match self {
            Code::BadCharset(list) => {
                w.raw(b"BADCHARSET");
                if !list.is_empty() {
                    w.sp().list(list, encode_atom_or_string);
                }
            }
            Code::Capability(caps) => {
                w.raw(b"CAPABILITY");
                Capability::encode_list(caps, w);
            }
            Code::PermanentFlags(flags) => {
                w.raw(b"PERMANENTFLAGS ");
                Flag::encode_list(flags, w);
            }
            Code::UidNext(n) => {
                w.raw(b"UIDNEXT ").number(u64::from(*n));
            }
            Code::UidValidity(n) => {
                w.raw(b"UIDVALIDITY ").number(u64::from(*n));
            }
            Code::Unseen(n) => {
                w.raw(b"UNSEEN ").number(u64::from(*n));
            }
            Code::AppendUid { uid_validity, uids } => {
                w.raw(b"APPENDUID ").number(u64::from(*uid_validity)).sp();
                uids.encode(w);
            }
            Code::CopyUid { uid_validity, source, destination } => {
                w.raw(b"COPYUID ").number(u64::from(*uid_validity)).sp();
                source.encode(w);
                w.sp();
                destination.encode(w);
            }
            Code::HighestModSeq(n) => {
                w.raw(b"HIGHESTMODSEQ ").number(*n);
            }
            Code::Modified(set) => {
                w.raw(b"MODIFIED ");
                set.encode(w);
            }
            Code::Metadata(m) => {
                w.raw(b"METADATA ");
                match m {
                    MetadataCode::LongEntries(n) => w.raw(b"LONGENTRIES ").number(u64::from(*n)),
                    MetadataCode::MaxSize(n) => w.raw(b"MAXSIZE ").number(u64::from(*n)),
                    MetadataCode::TooMany => w.raw(b"TOOMANY"),
                    MetadataCode::NoPrivate => w.raw(b"NOPRIVATE"),
                };
            }
            Code::MailboxId(id) => {
                w.raw(b"MAILBOXID (").raw(id.as_bytes()).byte(b')');
            }
            Code::Other { name, value } => {
                w.raw(name.as_bytes());
                if let Some(v) = value {
                    w.sp().raw(v);
                }
            }
            simple => {
                w.raw(simple.name().as_bytes());
            }
        }
    }
}

/// `SP number` (a UID, UIDVALIDITY …; 0 is tolerated).
fn number_arg(c: &mut Cursor<'_>) -> PResult<u32> {
    c.sp(RULE)?;
    c.number(RULE)
}

/// `"(" [item *(SP item)] ")"` of flat items (no nesting, so no depth to
/// restore if the code turns out not to parse); `NIL` is taken as empty.
fn flat_list<T>(c: &mut Cursor<'_>, mut item: impl FnMut(&mut Cursor<'_>) -> PResult<T>) -> PResult<Vec<T>> {
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
        let v = item(c)?;
        c.push(&mut out, v, RULE)?;
        skip_sp(c);
        if c.eat(b')') {
            return Ok(out);
        }
        if matches!(c.peek(), Some(b']') | Some(b'\r') | Some(b'\n') | None) {
            return Err(c.expected(RULE, "')'"));
        }
    }
}

impl From<Atom> for Code {
    /// The code with this name and no arguments (a known one, or
    /// [`Code::Other`]).
    fn from(name: Atom) -> Code {
        let mut buf = [0u8; 24];
        let up = upper(name.as_bytes(), &mut buf);
        match SIMPLE.iter().find(|(n, _)| n.as_bytes() == up) {
            Some((_, code)) => code.clone(),
            None => Code::Other { name, value: None },
        }
    }
}
