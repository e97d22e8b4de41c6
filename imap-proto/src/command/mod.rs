//! Commands (client to server): the types, the parser a server uses and
//! the writer a client uses.
//!
//! A command is a tag, a command name and its arguments (RFC 9051 §6,
//! RFC 3501 §6, and the extensions: ENABLE, IDLE, NAMESPACE, ID, UIDPLUS,
//! MOVE, CONDSTORE/QRESYNC, ESEARCH, SEARCHRES, SORT, THREAD,
//! LIST-EXTENDED, LIST-STATUS, SPECIAL-USE, QUOTA, METADATA, COMPRESS,
//! SASL-IR, BINARY, and Gmail's X-GM-EXT-1).
//!
//! [`Command::parse`] reads one framed command (see [`crate::frame`]);
//! [`decode`] frames and parses the first command of a buffer.
//! [`Command::encode`] writes one, recording where a client must wait for
//! a continuation request before a synchronising literal
//! ([`crate::encode::Encoded::pieces`]).
//!
//! The parser accepts what real clients send (lowercase names and
//! keywords, extra spaces, bare flag lists, quoted or literal strings
//! anywhere a string may be) and refuses the rest with a [`ParseError`]
//! naming the grammar rule and the byte offset. The writer is strict: it
//! writes the canonical form (uppercase keywords, parenthesised lists).

use std::num::NonZeroU32;

use bytes::Bytes;

use crate::Limits;
use crate::capability::Capability;
use crate::datetime::DateTime;
use crate::encode::{Encoded, LiteralMode, Writer};
use crate::error::{DecodeError, ErrorKind, ParseError};
use crate::flag::{Flag, MailboxAttribute};
use crate::frame::{Frame, Framer};
use crate::id::IdParams;
use crate::lex::Cursor;
use crate::mailbox::Mailbox;
use crate::sequence::SequenceSet;
use crate::status::StatusItem;
use crate::string::{Atom, Str, Tag};

mod fetch;
mod list;
mod parse;
mod search;
mod store;
mod write;

pub use fetch::{FetchAttribute, FetchItems, FetchMacro};
pub use list::{ListCommand, ListReturn, ListSelection};
pub use search::{EntryType, SearchKey, SearchReturn, SortCriterion, SortKey};
pub use store::{StoreAction, StoreKind};

/// One command: the tag the server echoes in its completion response, and
/// what is asked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Command {
    /// The tag (`A001`).
    pub tag: Tag,
    /// The command name and its arguments.
    pub body: CommandBody,
}

impl Command {
    /// A command.
    pub fn new(tag: Tag, body: CommandBody) -> Command {
        Command { tag, body }
    }

    /// Parses exactly one framed command: `message` holds the whole
    /// command, literals and the final CRLF included (see
    /// [`crate::frame::frame`]).
    pub fn parse(message: &Bytes, limits: &Limits) -> Result<Command, ParseError> {
        let mut c = Cursor::new(message, limits);
        parse::command(&mut c)
    }

    /// Writes the command, CRLF included. Synchronising literals are
    /// recorded by the writer (see [`Encoded::pieces`]).
    pub fn encode(&self, w: &mut Writer) {
        w.raw(self.tag.as_bytes()).sp();
        self.body.encode(w);
        w.crlf();
    }

    /// The command's bytes, with synchronising literals
    /// ([`LiteralMode::Synchronizing`]) and 7-bit quoted strings.
    pub fn to_bytes(&self) -> Encoded {
        let mut w = Writer::client(LiteralMode::Synchronizing, false);
        self.encode(&mut w);
        w.finish()
    }

    /// Whether this is a `UID` command (`UID FETCH`, `UID EXPUNGE` …).
    pub fn is_uid(&self) -> bool {
        self.body.is_uid()
    }
}

/// Frames and parses the first command in `buffer`: the command and the
/// number of bytes it took.
///
/// [`DecodeError::Incomplete`] when the buffer does not hold a whole
/// command yet; its `literal` is set when the client stopped after a
/// synchronising literal header and waits for a continuation request.
pub fn decode(buffer: &Bytes, limits: &Limits) -> Result<(Command, usize), DecodeError> {
    let mut framer = Framer::new();
    match framer.scan(buffer, limits)? {
        Frame::Complete(end) => {
            let message = buffer.slice(..end);
            let command = Command::parse(&message, limits)?;
            Ok((command, end))
        }
        Frame::Incomplete | Frame::AwaitingLiteral(_) | Frame::LargeLiteral(_) => {
            // Only a literal none of whose bytes have arrived waits for a
            // continuation request.
            let literal = framer
                .literal_in_progress()
                .filter(|p| p.header.synchronizing && p.data_start >= buffer.len())
                .map(|p| p.header);
            Err(DecodeError::Incomplete { literal })
        }
    }
}

/// In which session state a command is allowed (RFC 9051 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateClass {
    /// Any state (CAPABILITY, NOOP, LOGOUT, ID).
    Any,
    /// Not authenticated only (STARTTLS, AUTHENTICATE, LOGIN).
    NotAuthenticated,
    /// Authenticated or selected (SELECT, LIST, APPEND, ENABLE, IDLE …).
    Authenticated,
    /// Selected only (FETCH, STORE, SEARCH, EXPUNGE, CLOSE …).
    Selected,
}

/// A command name and its arguments.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CommandBody {
    // ----- any state -----
    /// `CAPABILITY`: asks for the capability list.
    Capability,
    /// `NOOP`: does nothing; lets the server send pending updates.
    Noop,
    /// `LOGOUT`: ends the session.
    Logout,
    /// `ID` (RFC 2971): the client's name and version, or `NIL`.
    Id(IdParams),
    /// `ENABLE` (RFC 5161): turns on extensions (`CONDSTORE`, `QRESYNC`,
    /// `UTF8=ACCEPT`, `IMAP4rev2` …). Authenticated state only.
    Enable(Vec<Capability>),

    // ----- not authenticated -----
    /// `STARTTLS`: starts TLS negotiation.
    StartTls,
    /// `AUTHENTICATE` with a SASL mechanism and, with SASL-IR (RFC 4959),
    /// an initial response.
    Authenticate {
        /// The SASL mechanism (`PLAIN`, `XOAUTH2`, `SCRAM-SHA-256` …).
        mechanism: Atom,
        /// The initial response, base64-decoded; `Some` of nothing for `=`
        /// (an empty initial response).
        initial_response: Option<Bytes>,
    },
    /// `LOGIN` with a user name and a password in the clear.
    Login {
        /// The user name.
        username: Str,
        /// The password.
        password: Str,
    },

    // ----- authenticated -----
    /// `SELECT`: opens a mailbox read-write.
    Select {
        /// The mailbox.
        mailbox: Mailbox,
        /// CONDSTORE / QRESYNC parameters (RFC 7162).
        params: SelectParams,
    },
    /// `EXAMINE`: opens a mailbox read-only.
    Examine {
        /// The mailbox.
        mailbox: Mailbox,
        /// CONDSTORE / QRESYNC parameters (RFC 7162).
        params: SelectParams,
    },
    /// `CREATE`, with CREATE-SPECIAL-USE's `(USE (…))` (RFC 6154).
    Create {
        /// The new mailbox.
        mailbox: Mailbox,
        /// Special-use attributes to give it (`\Drafts`, `\Sent` …); empty
        /// for none.
        special_use: Vec<MailboxAttribute>,
    },
    /// `DELETE`: removes a mailbox.
    Delete(Mailbox),
    /// `RENAME`.
    Rename {
        /// The existing name.
        from: Mailbox,
        /// The new name.
        to: Mailbox,
    },
    /// `SUBSCRIBE`.
    Subscribe(Mailbox),
    /// `UNSUBSCRIBE`.
    Unsubscribe(Mailbox),
    /// `LIST`, with LIST-EXTENDED (RFC 5258) and LIST-STATUS (RFC 5819).
    List(ListCommand),
    /// `LSUB` (IMAP4rev1; `LIST (SUBSCRIBED)` in IMAP4rev2).
    Lsub {
        /// The reference name.
        reference: Mailbox,
        /// The pattern (`%` and `*` are wildcards).
        pattern: Str,
    },
    /// `NAMESPACE` (RFC 2342).
    Namespace,
    /// `STATUS`: counters of a mailbox other than the selected one.
    Status {
        /// The mailbox.
        mailbox: Mailbox,
        /// The items asked for.
        items: Vec<StatusItem>,
    },
    /// `APPEND`: adds a message to a mailbox.
    Append {
        /// The mailbox.
        mailbox: Mailbox,
        /// Flags to set on the new message.
        flags: Vec<Flag>,
        /// Its internal date, if given.
        date: Option<DateTime>,
        /// The message: a literal ([`crate::string::Form::Literal8`] for
        /// BINARY's `~{N}`, RFC 3516).
        message: Str,
    },
    /// `IDLE` (RFC 2177): the client then waits for updates until it
    /// sends `DONE` (see [`is_idle_done`]).
    Idle,
    /// `GETQUOTA` (RFC 9208): the usage and limits of a quota root.
    GetQuota(Str),
    /// `GETQUOTAROOT` (RFC 9208): the quota roots of a mailbox.
    GetQuotaRoot(Mailbox),
    /// `SETQUOTA` (RFC 9208).
    SetQuota {
        /// The quota root.
        root: Str,
        /// The resources (`STORAGE`, `MESSAGE` …) and their new limits.
        limits: Vec<(Atom, u64)>,
    },
    /// `GETMETADATA` (RFC 5464).
    GetMetadata {
        /// `MAXSIZE` and `DEPTH`.
        options: MetadataOptions,
        /// The mailbox; the empty name for server annotations.
        mailbox: Mailbox,
        /// The entry names (`/private/comment`).
        entries: Vec<Str>,
    },
    /// `SETMETADATA` (RFC 5464).
    SetMetadata {
        /// The mailbox; the empty name for server annotations.
        mailbox: Mailbox,
        /// Entry names and values; `None` (NIL) removes an entry.
        entries: Vec<(Str, Option<Str>)>,
    },
    /// `COMPRESS` (RFC 4978), with the algorithm (`DEFLATE`).
    Compress(Atom),

    // ----- selected -----
    /// `CHECK` (IMAP4rev1): a checkpoint.
    Check,
    /// `CLOSE`: expunges silently and leaves the selected state.
    Close,
    /// `UNSELECT` (RFC 3691, IMAP4rev2): leaves the selected state without
    /// expunging.
    Unselect,
    /// `EXPUNGE`: removes the messages marked `\Deleted`.
    Expunge,
    /// `UID EXPUNGE` (RFC 4315): expunges only these UIDs.
    UidExpunge(SequenceSet),
    /// `SEARCH` or `UID SEARCH`, with ESEARCH's `RETURN (…)` (RFC 4731).
    Search {
        /// `UID SEARCH`.
        uid: bool,
        /// `CHARSET` of the strings in the criteria.
        charset: Option<Str>,
        /// The criteria, implicitly ANDed; never empty.
        criteria: Vec<SearchKey>,
        /// `RETURN (…)`; `None` for a plain SEARCH, `Some` of nothing for
        /// `RETURN ()` (an ESEARCH answer with `ALL`).
        returns: Option<Vec<SearchReturn>>,
    },
    /// `FETCH` or `UID FETCH`, with CONDSTORE/QRESYNC modifiers.
    Fetch {
        /// `UID FETCH`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// What to fetch.
        items: FetchItems,
        /// `CHANGEDSINCE` (RFC 7162).
        changed_since: Option<u64>,
        /// `VANISHED` (RFC 7162, UID FETCH only).
        vanished: bool,
    },
    /// `STORE` or `UID STORE`: changes flags (or Gmail labels).
    Store {
        /// `UID STORE`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// Replace, add or remove.
        action: StoreAction,
        /// `.SILENT`: no untagged FETCH answers.
        silent: bool,
        /// Flags or Gmail labels.
        kind: StoreKind,
        /// `UNCHANGEDSINCE` (RFC 7162).
        unchanged_since: Option<u64>,
    },
    /// `COPY` or `UID COPY`.
    Copy {
        /// `UID COPY`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// The destination.
        mailbox: Mailbox,
    },
    /// `MOVE` or `UID MOVE` (RFC 6851).
    Move {
        /// `UID MOVE`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// The destination.
        mailbox: Mailbox,
    },
    /// `SORT` or `UID SORT` (RFC 5256), with ESORT's `RETURN` (RFC 5267).
    Sort {
        /// `UID SORT`.
        uid: bool,
        /// The sort keys, most significant first; never empty.
        keys: Vec<SortKey>,
        /// The charset of the strings in the criteria.
        charset: Str,
        /// The search criteria; never empty.
        criteria: Vec<SearchKey>,
        /// `RETURN (…)`, as for SEARCH.
        returns: Option<Vec<SearchReturn>>,
    },
    /// `THREAD` or `UID THREAD` (RFC 5256).
    Thread {
        /// `UID THREAD`.
        uid: bool,
        /// The algorithm (`REFERENCES`, `ORDEREDSUBJECT`).
        algorithm: Atom,
        /// The charset of the strings in the criteria.
        charset: Str,
        /// The search criteria; never empty.
        criteria: Vec<SearchKey>,
    },
}

impl CommandBody {
    /// The command name, without `UID` (`"FETCH"` for `UID FETCH`; see
    /// [`CommandBody::is_uid`]).
    pub fn name(&self) -> &'static str {
        use CommandBody::*;
        match self {
            Capability => "CAPABILITY",
            Noop => "NOOP",
            Logout => "LOGOUT",
            Id(_) => "ID",
            Enable(_) => "ENABLE",
            StartTls => "STARTTLS",
            Authenticate { .. } => "AUTHENTICATE",
            Login { .. } => "LOGIN",
            Select { .. } => "SELECT",
            Examine { .. } => "EXAMINE",
            Create { .. } => "CREATE",
            Delete(_) => "DELETE",
            Rename { .. } => "RENAME",
            Subscribe(_) => "SUBSCRIBE",
            Unsubscribe(_) => "UNSUBSCRIBE",
            List(_) => "LIST",
            Lsub { .. } => "LSUB",
            Namespace => "NAMESPACE",
            Status { .. } => "STATUS",
            Append { .. } => "APPEND",
            Idle => "IDLE",
            GetQuota(_) => "GETQUOTA",
            GetQuotaRoot(_) => "GETQUOTAROOT",
            SetQuota { .. } => "SETQUOTA",
            GetMetadata { .. } => "GETMETADATA",
            SetMetadata { .. } => "SETMETADATA",
            Compress(_) => "COMPRESS",
            Check => "CHECK",
            Close => "CLOSE",
            Unselect => "UNSELECT",
            Expunge | UidExpunge(_) => "EXPUNGE",
            Search { .. } => "SEARCH",
            Fetch { .. } => "FETCH",
            Store { .. } => "STORE",
            Copy { .. } => "COPY",
            Move { .. } => "MOVE",
            Sort { .. } => "SORT",
            Thread { .. } => "THREAD",
        }
    }

    /// Whether this is a `UID` command: its numbers are UIDs, not message
    /// sequence numbers.
    pub fn is_uid(&self) -> bool {
        use CommandBody::*;
        match self {
            UidExpunge(_) => true,
            Search { uid, .. }
            | Fetch { uid, .. }
            | Store { uid, .. }
            | Copy { uid, .. }
            | Move { uid, .. }
            | Sort { uid, .. }
            | Thread { uid, .. } => *uid,
            _ => false,
        }
    }

    /// In which state RFC 9051 (and the extension that defines it) allows
    /// the command. A server answers `BAD` to a command in the wrong state.
    pub fn state_class(&self) -> StateClass {
        use CommandBody::*;
        match self {
            Capability | Noop | Logout | Id(_) => StateClass::Any,
            StartTls | Authenticate { .. } | Login { .. } => StateClass::NotAuthenticated,
            Enable(_)
            | Select { .. }
            | Examine { .. }
            | Create { .. }
            | Delete(_)
            | Rename { .. }
            | Subscribe(_)
            | Unsubscribe(_)
            | List(_)
            | Lsub { .. }
            | Namespace
            | Status { .. }
            | Append { .. }
            | Idle
            | GetQuota(_)
            | GetQuotaRoot(_)
            | SetQuota { .. }
            | GetMetadata { .. }
            | SetMetadata { .. }
            | Compress(_) => StateClass::Authenticated,
            Check
            | Close
            | Unselect
            | Expunge
            | UidExpunge(_)
            | Search { .. }
            | Fetch { .. }
            | Store { .. }
            | Copy { .. }
            | Move { .. }
            | Sort { .. }
            | Thread { .. } => StateClass::Selected,
        }
    }

    /// Writes the command name and arguments (no tag, no CRLF).
    pub fn encode(&self, w: &mut Writer) {
        write::body(self, w);
    }
}

/// `select-params` of SELECT and EXAMINE (RFC 4466, RFC 7162).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SelectParams {
    /// `CONDSTORE`: turns on CONDSTORE for the session.
    pub condstore: bool,
    /// `QRESYNC (…)`: resynchronises with what the client knows.
    pub qresync: Option<QResyncParams>,
}

/// The arguments of `QRESYNC` in SELECT/EXAMINE (RFC 7162 §3.2.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QResyncParams {
    /// The UIDVALIDITY the client last saw.
    pub uid_validity: NonZeroU32,
    /// The HIGHESTMODSEQ the client last saw.
    pub mod_seq: u64,
    /// The UIDs the client knows (all, if absent).
    pub known_uids: Option<SequenceSet>,
    /// Message sequence numbers and the UIDs they had
    /// (`known-sequence-set`, `known-uid-set`), to find expunges fast.
    pub seq_match: Option<(SequenceSet, SequenceSet)>,
}

/// The options of GETMETADATA (RFC 5464 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MetadataOptions {
    /// `MAXSIZE`: only values up to this many octets.
    pub max_size: Option<u32>,
    /// `DEPTH`: entries below each named one too.
    pub depth: Option<MetadataDepth>,
}

/// The value of GETMETADATA's `DEPTH` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetadataDepth {
    /// `0`: the named entries only (the default).
    Zero,
    /// `1`: and their children.
    One,
    /// `infinity`: and everything below.
    Infinity,
}

/// What a client sends inside an AUTHENTICATE exchange: a base64 line
/// answering a challenge, or `*` to cancel (RFC 9051 §6.2.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthenticateData {
    /// A response, base64-decoded (empty for an empty line).
    Response(Vec<u8>),
    /// `*`: the client cancels the exchange.
    Cancel,
}

impl AuthenticateData {
    /// Parses one line of an AUTHENTICATE exchange (the CRLF may be
    /// included). Base64 without padding is tolerated; `=` is read as an
    /// empty response.
    pub fn parse(line: &[u8]) -> Result<AuthenticateData, ParseError> {
        const RULE: &str = "authenticate";
        let line = strip_line_end(line);
        if line == b"*" {
            return Ok(AuthenticateData::Cancel);
        }
        if line.is_empty() || line == b"=" {
            return Ok(AuthenticateData::Response(Vec::new()));
        }
        parse::decode_base64(line, 0, RULE).map(AuthenticateData::Response)
    }

    /// Writes the line, CRLF included.
    pub fn encode(&self, w: &mut Writer) {
        match self {
            AuthenticateData::Response(bytes) => {
                w.raw(base64_simd::STANDARD.encode_to_string(bytes).as_bytes());
            }
            AuthenticateData::Cancel => {
                w.byte(b'*');
            }
        }
        w.crlf();
    }
}

/// Whether `line` is `DONE`, the end of IDLE (RFC 2177), in any case,
/// with CRLF, a bare LF or no line end.
pub fn is_idle_done(line: &[u8]) -> bool {
    strip_line_end(line).eq_ignore_ascii_case(b"DONE")
}

fn strip_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// An error at `offset` (for rules checked after the fact).
fn error_at(offset: usize, rule: &'static str, kind: ErrorKind) -> ParseError {
    ParseError::new(offset, rule, kind)
}
