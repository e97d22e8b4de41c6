//! The client side of an IMAP session, sans-IO.
//!
//! [`ClientSession`] has the shape of the SMTP and POP3 crates' sessions:
//! [`feed`](ClientSession::feed) it the bytes read from the server, write
//! out what [`poll_transmit`](ClientSession::poll_transmit) returns, and
//! handle what [`poll_event`](ClientSession::poll_event) returns.
//!
//! What it does for you:
//!
//! - **Tags**, and matching each tagged completion to its command
//!   ([`ClientEvent::Done`]).
//! - **Literals**: a command with a synchronising literal is sent in
//!   pieces, each after the server's `+` (or at once with `LITERAL+`, and
//!   for small literals with `LITERAL-` or IMAP4rev2).
//! - **Pipelining** where RFC 9051 §5.5 allows it: commands are sent
//!   without waiting for earlier ones, except after AUTHENTICATE, STARTTLS,
//!   IDLE and LOGOUT (which change what the connection is), and except that
//!   a command naming messages by sequence number waits while a command
//!   that may expunge is in progress (EXPUNGE responses would renumber
//!   under it).
//! - **Logging in** (when [`ClientConfig::credentials`] is set): the
//!   greeting, CAPABILITY, STARTTLS when offered or required, then
//!   AUTHENTICATE with the best SASL mechanism both sides know (with
//!   SASL-IR when offered), or LOGIN unless `LOGINDISABLED`; nothing that
//!   sends a password in the clear goes out before TLS unless allowed.
//! - **IDLE**: [`ClientSession::idle`], then updates arrive as
//!   [`ClientEvent::Data`] until [`ClientSession::idle_done`].
//! - **Mailbox state** ([`SelectedMailbox`]): EXISTS, RECENT, FLAGS,
//!   PERMANENTFLAGS, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ and read-only are
//!   tracked from the responses to SELECT/EXAMINE and afterwards; so is the
//!   UID of every message number that a FETCH revealed, renumbered on each
//!   EXPUNGE and VANISHED.
//! - **Large literals** stream: a literal above
//!   [`ClientConfig::stream_threshold`] arrives as
//!   [`ClientEvent::LiteralStart`], [`ClientEvent::LiteralData`] chunks and
//!   [`ClientEvent::LiteralEnd`], and is empty in the FETCH response that
//!   follows.

mod decoder;

use std::collections::VecDeque;
use std::fmt;

use bytes::Bytes;
use mailwire_sasl::{ClientSession as SaslClient, ClientStep, Credentials, Mechanism, Nonce, SaslError};

use crate::Limits;
use crate::capability::Capability;
use crate::command::{Command, CommandBody};
use crate::encode::{LiteralMode, Writer};
use crate::error::DecodeError;
use crate::flag::Flag;
use crate::mailbox::Mailbox;
use crate::response::{Code, Data, FetchItem, Response, StatusKind, StatusResponse};
use crate::string::{Atom, Str, Tag};
use decoder::{Decoded, Decoder};

/// When to use STARTTLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartTls {
    /// Never.
    Never,
    /// When the server announces it.
    IfOffered,
    /// Always; fail if the server does not announce it.
    Required,
}

/// How the client behaves. [`ClientConfig::new`] gives the defaults.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Log in with these after the greeting; `None` to log in by hand
    /// ([`ClientSession::login`], [`ClientSession::authenticate`]).
    pub credentials: Option<Credentials>,
    /// STARTTLS policy for the automatic login.
    pub starttls: StartTls,
    /// The transport is already TLS (port 993).
    pub tls_active: bool,
    /// Allow LOGIN and the SASL mechanisms that send the secret in the
    /// clear without TLS (RFC 9051 §11.1 says not to).
    pub allow_plaintext_without_tls: bool,
    /// Random bytes for SCRAM nonces (at least 16). Without them SCRAM is
    /// not used.
    pub nonce: Vec<u8>,
    /// Literals longer than this are streamed (default 1 MiB).
    pub stream_threshold: u64,
    /// Bounds on responses.
    pub limits: Limits,
    /// The tag prefix (default `"A"`: tags `A1`, `A2` …).
    pub tag_prefix: String,
}

impl ClientConfig {
    /// Defaults: STARTTLS when offered, no plaintext secrets before TLS,
    /// literals over 1 MiB streamed.
    pub fn new(credentials: Option<Credentials>) -> Self {
        ClientConfig {
            credentials,
            starttls: StartTls::IfOffered,
            tls_active: false,
            allow_plaintext_without_tls: false,
            nonce: Vec::new(),
            stream_threshold: 1 << 20,
            limits: Limits::default(),
            tag_prefix: "A".into(),
        }
    }
}

/// What the session tells the application.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The server's greeting (`OK` or `PREAUTH`; a `BYE` greeting ends the
    /// session with [`ClientError::Greeting`]).
    Greeting(StatusResponse),
    /// The server's capabilities (from CAPABILITY, or a CAPABILITY code).
    Capabilities(Vec<Capability>),
    /// The `OK` to STARTTLS arrived: switch the transport to TLS, then call
    /// [`ClientSession::tls_established`].
    StartTls,
    /// Logged in.
    Authenticated,
    /// The automatic part is over (greeting, TLS, login, capabilities):
    /// send commands.
    Ready,
    /// An untagged data response (after the session updated its state
    /// from it).
    Data(Data),
    /// An untagged `OK`, `NO`, `BAD` or `BYE` (alerts, warnings, codes such
    /// as UIDNEXT while selecting).
    Status(StatusResponse),
    /// A command completed: `status.kind` says how (`OK`, `NO`, `BAD`).
    Done {
        /// The command's tag, as [`ClientSession::send`] returned it.
        tag: Tag,
        /// The tagged response.
        status: StatusResponse,
    },
    /// The server accepted IDLE: updates arrive as [`ClientEvent::Data`]
    /// until [`ClientSession::idle_done`].
    Idling {
        /// The IDLE command's tag.
        tag: Tag,
    },
    /// A large literal begins (see [`ClientConfig::stream_threshold`]).
    LiteralStart {
        /// The message sequence number of the FETCH it is part of (0 if the
        /// literal is not in a FETCH).
        seq: u32,
        /// The item's name as sent (`BODY[]`, `BODY[1.2]<0>`, `BINARY[2]`).
        item: Bytes,
        /// Its length in octets.
        length: u64,
    },
    /// The next chunk of it.
    LiteralData(Bytes),
    /// It is complete; the FETCH response it belongs to follows (with
    /// that item empty).
    LiteralEnd,
    /// Something went wrong that ends the session (only
    /// [`ClientEvent::Closed`] follows).
    Failed(ClientError),
    /// The session is over (after LOGOUT, BYE or a failure): close the
    /// connection.
    Closed,
}

/// Why the session could not go on, or why a call was refused.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClientError {
    /// The greeting was `BYE`, or not a greeting.
    Greeting(Box<Response>),
    /// STARTTLS is required but not offered.
    StartTlsNotOffered,
    /// STARTTLS was refused.
    StartTls(Box<StatusResponse>),
    /// No login method fits: what the server offered and whether plaintext
    /// methods were left out for want of TLS.
    NoAuthMethod {
        /// Whether LOGIN or a plaintext mechanism would have been possible
        /// with TLS or with [`ClientConfig::allow_plaintext_without_tls`].
        plaintext_refused: bool,
    },
    /// The server refused the login.
    Auth(Box<StatusResponse>),
    /// The SASL exchange failed on our side.
    Sasl(SaslError),
    /// The server's bytes do not parse, or exceed the limits.
    Protocol(DecodeError),
    /// A response the protocol does not allow here (a continuation request
    /// nothing waits for, a tag we did not send).
    Unexpected(Box<Response>),
    /// The server said BYE.
    Bye(Box<StatusResponse>),
    /// A call made when it cannot be honoured (before the greeting, while
    /// waiting for TLS, after LOGOUT, IDLE twice …).
    NotReady(&'static str),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Greeting(r) => write!(f, "unexpected greeting: {r:?}"),
            ClientError::StartTlsNotOffered => {
                f.write_str("STARTTLS is required but the server does not offer it")
            }
            ClientError::StartTls(r) => write!(f, "STARTTLS refused: {}", r.text.to_string_lossy()),
            ClientError::NoAuthMethod { plaintext_refused: true } => {
                f.write_str("no login method without TLS (the server offers only plaintext ones)")
            }
            ClientError::NoAuthMethod { plaintext_refused: false } => {
                f.write_str("no login method in common with the server")
            }
            ClientError::Auth(r) => write!(f, "login refused: {}", r.text.to_string_lossy()),
            ClientError::Sasl(e) => write!(f, "SASL exchange failed: {e}"),
            ClientError::Protocol(e) => write!(f, "protocol error: {e}"),
            ClientError::Unexpected(r) => write!(f, "unexpected response: {r:?}"),
            ClientError::Bye(r) => write!(f, "server closed the session: {}", r.text.to_string_lossy()),
            ClientError::NotReady(why) => write!(f, "not now: {why}"),
        }
    }
}

impl std::error::Error for ClientError {}

/// The selected mailbox, as the responses have described it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SelectedMailbox {
    /// Its name.
    pub name: Option<Mailbox>,
    /// EXISTS: the number of messages.
    pub exists: u32,
    /// RECENT (IMAP4rev1).
    pub recent: u32,
    /// FLAGS: the flags that apply.
    pub flags: Vec<Flag>,
    /// PERMANENTFLAGS: the flags that can be changed for good.
    pub permanent_flags: Vec<Flag>,
    /// UIDVALIDITY.
    pub uid_validity: Option<u32>,
    /// UIDNEXT.
    pub uid_next: Option<u32>,
    /// UNSEEN (IMAP4rev1): the first unseen message.
    pub unseen: Option<u32>,
    /// HIGHESTMODSEQ (CONDSTORE), or `None` with NOMODSEQ.
    pub highest_mod_seq: Option<u64>,
    /// Opened read-only (EXAMINE, or `READ-ONLY`).
    pub read_only: bool,
    /// The UID of each message number (index 0 is message 1); 0 where no
    /// FETCH has said it yet.
    uids: Vec<u32>,
}

impl SelectedMailbox {
    /// The UID of message `seq`, if a FETCH has said it.
    pub fn uid(&self, seq: u32) -> Option<u32> {
        let i = usize::try_from(seq).ok()?.checked_sub(1)?;
        self.uids.get(i).copied().filter(|&u| u != 0)
    }

    /// The message number of `uid`, if known.
    pub fn seq(&self, uid: u32) -> Option<u32> {
        if uid == 0 {
            return None;
        }
        self.uids.iter().position(|&u| u == uid).map(|i| i as u32 + 1)
    }

    fn set_exists(&mut self, n: u32) {
        self.exists = n;
        // Bounded by the server's claim; a hostile count only costs what
        // it claims once, and is capped.
        let n = (n as usize).min(16 << 20);
        self.uids.resize(n, 0);
    }

    fn expunge(&mut self, seq: u32) {
        let i = seq as usize;
        if i >= 1 && i <= self.uids.len() {
            self.uids.remove(i - 1);
        }
        self.exists = self.exists.saturating_sub(1);
    }

    fn vanished(&mut self, uids: &crate::sequence::SequenceSet) {
        let largest = self.uids.iter().copied().max().unwrap_or(0);
        let before = self.uids.len();
        self.uids.retain(|&u| u == 0 || !uids.contains(u, largest));
        let gone = (before - self.uids.len()) as u32;
        self.exists = self.exists.saturating_sub(gone);
    }
}

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Waiting for the greeting.
    Greeting,
    /// Not authenticated.
    NotAuthenticated,
    /// Authenticated, no mailbox selected.
    Authenticated,
    /// A mailbox is selected.
    Selected,
    /// LOGOUT sent or BYE received.
    Logout,
}

/// The automatic login's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auto {
    Off,
    Greeting,
    Capability,
    StartTls,
    AwaitingTls,
    Login,
    PostLoginCapability,
    Done,
}

/// What a command in flight is, for what its completion does.
#[derive(Debug)]
enum Kind {
    Plain,
    /// Internal: asked by the automatic login.
    Capability {
        internal: bool,
    },
    Login,
    Authenticate(Box<SaslState>),
    StartTls,
    Idle {
        started: bool,
    },
    Select {
        mailbox: Mailbox,
        read_only: bool,
    },
    Deselect,
    Logout,
}

#[derive(Debug)]
struct SaslState {
    client: SaslClient,
    error: Option<SaslError>,
}

impl Kind {
    /// Nothing may be sent after it until it completes.
    fn is_exclusive(&self) -> bool {
        matches!(self, Kind::Authenticate(_) | Kind::StartTls | Kind::Idle { .. } | Kind::Logout)
    }
}

#[derive(Debug)]
struct Outgoing {
    tag: Tag,
    kind: Kind,
    /// Pieces still to send; the first goes when the command's turn comes,
    /// each next after a continuation request.
    pieces: VecDeque<Vec<u8>>,
    /// Uses message sequence numbers (waits for expunging commands).
    uses_seq: bool,
    /// May cause EXPUNGE responses.
    may_expunge: bool,
}

/// The client side of one IMAP connection.
#[derive(Debug)]
pub struct ClientSession {
    config: ClientConfig,
    decoder: Decoder,
    out: Vec<u8>,
    events: VecDeque<ClientEvent>,
    state: State,
    auto: Auto,
    tls: bool,
    caps: Vec<Capability>,
    caps_known: bool,
    next_tag: u64,
    /// Not yet started.
    queue: VecDeque<Outgoing>,
    /// Started; the front one may still have pieces to send.
    inflight: VecDeque<Outgoing>,
    mailbox: SelectedMailbox,
    /// The mailbox state being built by a SELECT in flight.
    selecting: Option<SelectedMailbox>,
    utf8: bool,
    /// A STARTTLS sent by hand was accepted: waiting for the handshake.
    awaiting_tls: bool,
    closed: bool,
}

impl ClientSession {
    /// A session for a new connection; it waits for the greeting.
    pub fn new(config: ClientConfig) -> Self {
        let auto = if config.credentials.is_some() { Auto::Greeting } else { Auto::Off };
        ClientSession {
            decoder: Decoder::new(config.limits, config.stream_threshold),
            tls: config.tls_active,
            config,
            out: Vec::new(),
            events: VecDeque::new(),
            state: State::Greeting,
            auto,
            caps: Vec::new(),
            caps_known: false,
            next_tag: 1,
            queue: VecDeque::new(),
            inflight: VecDeque::new(),
            mailbox: SelectedMailbox::default(),
            selecting: None,
            utf8: false,
            awaiting_tls: false,
            closed: false,
        }
    }

    /// Bytes read from the server.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.closed || self.auto == Auto::AwaitingTls || self.awaiting_tls {
            return;
        }
        let mut decoded = Vec::new();
        self.decoder.feed(bytes, &mut decoded);
        for item in decoded {
            if self.closed || self.auto == Auto::AwaitingTls || self.awaiting_tls {
                // Anything after the OK to STARTTLS was sent in the clear
                // and must not be used (RFC 9051 §6.2.1).
                self.decoder.clear();
                break;
            }
            match item {
                Decoded::Response(r) => self.response(r),
                Decoded::LiteralStart { prefix, length } => {
                    let (seq, item) = literal_context(&prefix);
                    self.events.push_back(ClientEvent::LiteralStart { seq, item, length });
                }
                Decoded::LiteralData(b) => self.events.push_back(ClientEvent::LiteralData(b)),
                Decoded::LiteralEnd => self.events.push_back(ClientEvent::LiteralEnd),
                Decoded::Error(e) => self.fail(ClientError::Protocol(e)),
            }
        }
        self.pump();
    }

    /// Bytes to write to the server, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        (!self.out.is_empty()).then(|| std::mem::take(&mut self.out))
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// Whether the session is over.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The session's state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The capabilities last announced.
    pub fn capabilities(&self) -> &[Capability] {
        &self.caps
    }

    /// Whether the server announced `cap`.
    pub fn has_capability(&self, cap: &Capability) -> bool {
        self.caps.contains(cap)
    }

    /// The selected mailbox (also after CLOSE: check [`ClientSession::state`]).
    pub fn mailbox(&self) -> &SelectedMailbox {
        &self.mailbox
    }

    /// Whether the transport is TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether commands are waiting to be sent or answered.
    pub fn is_busy(&self) -> bool {
        !self.queue.is_empty() || !self.inflight.is_empty()
    }

    /// Sends a command; returns its tag, which [`ClientEvent::Done`] will
    /// carry. AUTHENTICATE, STARTTLS, IDLE, SELECT/EXAMINE, CLOSE,
    /// UNSELECT and LOGOUT sent this way are tracked like their dedicated
    /// methods.
    pub fn send(&mut self, body: CommandBody) -> Result<Tag, ClientError> {
        self.check_open()?;
        let kind = match &body {
            CommandBody::Authenticate { .. } => {
                return Err(ClientError::NotReady("use ClientSession::authenticate for AUTHENTICATE"));
            }
            CommandBody::StartTls => Kind::StartTls,
            CommandBody::Idle => Kind::Idle { started: false },
            CommandBody::Login { .. } => Kind::Login,
            CommandBody::Select { mailbox, .. } => {
                Kind::Select { mailbox: mailbox.clone(), read_only: false }
            }
            CommandBody::Examine { mailbox, .. } => {
                Kind::Select { mailbox: mailbox.clone(), read_only: true }
            }
            CommandBody::Close | CommandBody::Unselect => Kind::Deselect,
            CommandBody::Logout => Kind::Logout,
            CommandBody::Capability => Kind::Capability { internal: false },
            _ => Kind::Plain,
        };
        if matches!(kind, Kind::Idle { .. })
            && self.inflight.iter().any(|o| matches!(o.kind, Kind::Idle { .. }))
        {
            return Err(ClientError::NotReady("already idling"));
        }
        Ok(self.enqueue(body, kind))
    }

    /// LOGIN with a user name and password. Refused before TLS unless
    /// [`ClientConfig::allow_plaintext_without_tls`], and when the server
    /// announced `LOGINDISABLED`.
    pub fn login(&mut self, username: &str, password: &str) -> Result<Tag, ClientError> {
        self.check_open()?;
        if !self.tls && !self.config.allow_plaintext_without_tls {
            return Err(ClientError::NoAuthMethod { plaintext_refused: true });
        }
        if self.caps.contains(&Capability::LoginDisabled) {
            return Err(ClientError::NotReady("the server announced LOGINDISABLED"));
        }
        let body = CommandBody::Login { username: Str::from(username), password: Str::from(password) };
        Ok(self.enqueue(body, Kind::Login))
    }

    /// AUTHENTICATE with `mechanism`, sending the initial response with the
    /// command when the server announced SASL-IR.
    pub fn authenticate(
        &mut self,
        mechanism: Mechanism,
        credentials: &Credentials,
    ) -> Result<Tag, ClientError> {
        self.check_open()?;
        if mechanism.sends_secret_in_clear() && !self.tls && !self.config.allow_plaintext_without_tls {
            return Err(ClientError::NoAuthMethod { plaintext_refused: true });
        }
        let nonce = match mechanism {
            Mechanism::ScramSha256 | Mechanism::ScramSha256Plus => {
                Nonce::from_random(&self.config.nonce).ok()
            }
            _ => None,
        };
        let mut client = SaslClient::new(mechanism, credentials, nonce).map_err(ClientError::Sasl)?;
        let initial_response = if self.caps.contains(&Capability::SaslIr) {
            client.initial_response().map(Bytes::from)
        } else {
            None
        };
        let body =
            CommandBody::Authenticate { mechanism: Atom::from_static(mechanism.name()), initial_response };
        Ok(self.enqueue(body, Kind::Authenticate(Box::new(SaslState { client, error: None }))))
    }

    /// STARTTLS. When its `OK` arrives, [`ClientEvent::StartTls`] says to
    /// switch the transport; then call [`ClientSession::tls_established`].
    pub fn starttls(&mut self) -> Result<Tag, ClientError> {
        self.check_open()?;
        Ok(self.enqueue(CommandBody::StartTls, Kind::StartTls))
    }

    /// The transport is now TLS: forget what was learnt in the clear and
    /// ask for the capabilities again (RFC 9051 §6.2.1).
    pub fn tls_established(&mut self) -> Result<(), ClientError> {
        if self.auto != Auto::AwaitingTls && !self.awaiting_tls {
            return Err(ClientError::NotReady("no STARTTLS was accepted"));
        }
        self.tls = true;
        self.caps.clear();
        self.caps_known = false;
        self.decoder.clear();
        if self.auto == Auto::AwaitingTls {
            self.auto = Auto::Capability;
            self.enqueue(CommandBody::Capability, Kind::Capability { internal: true });
        }
        self.awaiting_tls = false;
        self.pump();
        Ok(())
    }

    /// IDLE (RFC 2177): updates arrive as [`ClientEvent::Data`] after
    /// [`ClientEvent::Idling`], until [`ClientSession::idle_done`].
    pub fn idle(&mut self) -> Result<Tag, ClientError> {
        self.send(CommandBody::Idle)
    }

    /// Ends IDLE (sends `DONE`); the IDLE command then completes with
    /// [`ClientEvent::Done`].
    pub fn idle_done(&mut self) -> Result<(), ClientError> {
        let Some(o) = self.inflight.iter_mut().find(|o| matches!(o.kind, Kind::Idle { .. })) else {
            return Err(ClientError::NotReady("not idling"));
        };
        if let Kind::Idle { started } = &mut o.kind {
            if !*started {
                // DONE before the server's `+`: RFC 2177 requires waiting
                // for it; send DONE as soon as it comes.
                o.pieces.push_back(b"DONE\r\n".to_vec());
                return Ok(());
            }
        }
        self.out.extend_from_slice(b"DONE\r\n");
        Ok(())
    }

    /// LOGOUT.
    pub fn logout(&mut self) -> Result<Tag, ClientError> {
        self.send(CommandBody::Logout)
    }

    fn check_open(&self) -> Result<(), ClientError> {
        if self.closed || self.state == State::Logout {
            return Err(ClientError::NotReady("the session is over"));
        }
        if self.auto == Auto::AwaitingTls || self.awaiting_tls {
            return Err(ClientError::NotReady("waiting for the TLS handshake"));
        }
        Ok(())
    }

    fn tag(&mut self) -> Tag {
        let tag = format!("{}{}", self.config.tag_prefix, self.next_tag);
        self.next_tag += 1;
        Tag::new(Bytes::from(tag)).unwrap_or_else(|_| Tag::unchecked(Bytes::from_static(b"A")))
    }

    fn literal_mode(&self) -> LiteralMode {
        if self.caps.contains(&Capability::LiteralPlus) {
            LiteralMode::NonSyncAll
        } else if self.caps.contains(&Capability::LiteralMinus) || self.caps.contains(&Capability::Imap4rev2)
        {
            LiteralMode::NonSyncSmall
        } else {
            LiteralMode::Synchronizing
        }
    }

    fn enqueue(&mut self, body: CommandBody, kind: Kind) -> Tag {
        let tag = self.tag();
        let uses_seq = uses_sequence_numbers(&body);
        let may_expunge = may_expunge(&body);
        let command = Command::new(tag.clone(), body);
        let mut w = Writer::client(self.literal_mode(), self.utf8);
        command.encode(&mut w);
        let encoded = w.finish();
        let pieces = encoded.pieces().map(<[u8]>::to_vec).collect();
        self.queue.push_back(Outgoing { tag: tag.clone(), kind, pieces, uses_seq, may_expunge });
        self.pump();
        tag
    }

    /// Starts queued commands as far as the pipelining rules allow.
    fn pump(&mut self) {
        if self.closed || self.state == State::Greeting {
            return;
        }
        while let Some(next) = self.queue.front() {
            // The command before it is still being sent (waits for `+`).
            if self.inflight.iter().any(|o| !o.pieces.is_empty() && !matches!(o.kind, Kind::Idle { .. })) {
                return;
            }
            if self.inflight.iter().any(|o| o.kind.is_exclusive()) {
                return;
            }
            if next.kind.is_exclusive() && !self.inflight.is_empty() {
                return;
            }
            if next.uses_seq && self.inflight.iter().any(|o| o.may_expunge) {
                return;
            }
            let Some(mut cmd) = self.queue.pop_front() else { return };
            if let Some(first) = cmd.pieces.pop_front() {
                self.out.extend_from_slice(&first);
            }
            if let Kind::Select { .. } = cmd.kind {
                self.selecting = Some(SelectedMailbox::default());
            }
            self.inflight.push_back(cmd);
        }
    }

    fn fail(&mut self, error: ClientError) {
        if self.closed {
            return;
        }
        self.events.push_back(ClientEvent::Failed(error));
        self.close();
    }

    fn close(&mut self) {
        if !self.closed {
            self.closed = true;
            self.state = State::Logout;
            self.events.push_back(ClientEvent::Closed);
        }
    }

    fn response(&mut self, response: Response) {
        match response {
            Response::Status(status) => match status.tag.clone() {
                Some(tag) => self.tagged(tag, status),
                None => self.untagged_status(status),
            },
            Response::Data(data) => self.data(data),
            Response::Continue(cont) => self.continuation(cont),
        }
    }

    fn untagged_status(&mut self, status: StatusResponse) {
        if self.state == State::Greeting {
            return self.greeting(status);
        }
        if let Some(code) = &status.code {
            self.code(code);
        }
        let bye = status.kind == StatusKind::Bye;
        self.events.push_back(ClientEvent::Status(status.clone()));
        if bye {
            let logging_out = self.inflight.iter().any(|o| matches!(o.kind, Kind::Logout));
            if !logging_out {
                self.fail(ClientError::Bye(Box::new(status)));
            }
        }
    }

    fn greeting(&mut self, status: StatusResponse) {
        match status.kind {
            StatusKind::Ok => self.state = State::NotAuthenticated,
            StatusKind::PreAuth => self.state = State::Authenticated,
            _ => {
                return self.fail(ClientError::Greeting(Box::new(Response::Status(status))));
            }
        }
        if let Some(code) = &status.code {
            self.code(code);
        }
        self.events.push_back(ClientEvent::Greeting(status));
        if self.auto == Auto::Greeting {
            if self.state == State::Authenticated {
                self.auto = Auto::Done;
                self.events.push_back(ClientEvent::Authenticated);
                self.after_login();
            } else if self.caps_known {
                self.auto_next();
            } else {
                self.auto = Auto::Capability;
                self.enqueue(CommandBody::Capability, Kind::Capability { internal: true });
            }
        } else if self.auto == Auto::Off {
            self.events.push_back(ClientEvent::Ready);
        }
        self.pump();
    }

    /// The automatic login's next step once the capabilities are known.
    fn auto_next(&mut self) {
        let wants_tls = match self.config.starttls {
            StartTls::Never => false,
            StartTls::IfOffered => self.caps.contains(&Capability::StartTls),
            StartTls::Required => true,
        };
        if !self.tls && wants_tls {
            if !self.caps.contains(&Capability::StartTls) {
                return self.fail(ClientError::StartTlsNotOffered);
            }
            self.auto = Auto::StartTls;
            self.enqueue(CommandBody::StartTls, Kind::StartTls);
            return;
        }
        self.auto = Auto::Login;
        let Some(creds) = self.config.credentials.clone() else { return };
        let offered: Vec<String> = self
            .caps
            .iter()
            .filter_map(|c| match c {
                Capability::Auth(m) => Some(m.as_str().to_owned()),
                _ => None,
            })
            .collect();
        let plaintext_ok = self.tls || self.config.allow_plaintext_without_tls;
        let mut plaintext_refused = false;
        let usable = offered.iter().map(String::as_str).filter(|name| {
            let Some(m) = Mechanism::from_name(name) else { return false };
            let scram = matches!(m, Mechanism::ScramSha256 | Mechanism::ScramSha256Plus);
            if scram && self.config.nonce.len() < 16 {
                return false;
            }
            if m.sends_secret_in_clear() && !plaintext_ok {
                plaintext_refused = true;
                return false;
            }
            true
        });
        let best = Mechanism::best(usable.collect::<Vec<_>>(), &creds);
        if let Some(mechanism) = best {
            if let Err(e) = self.authenticate(mechanism, &creds) {
                self.fail(e);
            }
            return;
        }
        let password = match &creds.secret {
            mailwire_sasl::Secret::Password(p) => Some(p.clone()),
            mailwire_sasl::Secret::BearerToken(_) => None,
        };
        if let Some(password) = password {
            if !self.caps.contains(&Capability::LoginDisabled) {
                if plaintext_ok {
                    let body = CommandBody::Login {
                        username: Str::from(creds.username.as_str()),
                        password: Str::from(password.as_str()),
                    };
                    self.enqueue(body, Kind::Login);
                    return;
                }
                plaintext_refused = true;
            }
        }
        self.fail(ClientError::NoAuthMethod { plaintext_refused });
    }

    fn after_login(&mut self) {
        if self.caps_known {
            self.auto = Auto::Done;
            self.events.push_back(ClientEvent::Ready);
        } else {
            self.auto = Auto::PostLoginCapability;
            self.enqueue(CommandBody::Capability, Kind::Capability { internal: true });
        }
    }

    fn tagged(&mut self, tag: Tag, status: StatusResponse) {
        let Some(i) = self.inflight.iter().position(|o| o.tag == tag) else {
            return self.fail(ClientError::Unexpected(Box::new(Response::Status(status))));
        };
        let Some(cmd) = self.inflight.remove(i) else { return };
        if let Some(code) = &status.code {
            self.code(code);
        }
        let ok = status.kind == StatusKind::Ok;
        match cmd.kind {
            Kind::Capability { internal: true } => {
                if !ok {
                    return self.fail(ClientError::Unexpected(Box::new(Response::Status(status))));
                }
                match self.auto {
                    Auto::Capability => self.auto_next(),
                    Auto::PostLoginCapability => {
                        self.auto = Auto::Done;
                        self.events.push_back(ClientEvent::Ready);
                    }
                    _ => {}
                }
                self.pump();
                return;
            }
            Kind::Login | Kind::Authenticate(_) => {
                if let Kind::Authenticate(sasl) = &cmd.kind {
                    if let Some(e) = &sasl.error {
                        return self.fail(ClientError::Sasl(e.clone()));
                    }
                }
                if ok {
                    if let Kind::Authenticate(mut sasl) = cmd.kind {
                        if let Err(e) = sasl.client.finish(None) {
                            return self.fail(ClientError::Sasl(e));
                        }
                    }
                    self.state = State::Authenticated;
                    // Capabilities may change on login (RFC 9051 §6.2.3):
                    // those before it no longer hold unless the OK had them.
                    if !matches!(status.code, Some(Code::Capability(_))) {
                        self.caps_known = false;
                    }
                    self.events.push_back(ClientEvent::Authenticated);
                    if matches!(self.auto, Auto::Login) {
                        self.events.push_back(ClientEvent::Done { tag, status });
                        self.after_login();
                        self.pump();
                        return;
                    }
                } else if matches!(self.auto, Auto::Login) {
                    return self.fail(ClientError::Auth(Box::new(status)));
                }
            }
            Kind::StartTls => {
                if ok {
                    self.events.push_back(ClientEvent::StartTls);
                    if self.auto == Auto::StartTls {
                        self.auto = Auto::AwaitingTls;
                    } else {
                        self.awaiting_tls = true;
                    }
                    self.decoder.clear();
                    self.events.push_back(ClientEvent::Done { tag, status });
                    return;
                } else if self.auto == Auto::StartTls {
                    return self.fail(ClientError::StartTls(Box::new(status)));
                }
            }
            Kind::Select { mailbox, read_only } => {
                let mut selected = self.selecting.take().unwrap_or_default();
                if ok {
                    selected.name = Some(mailbox);
                    selected.read_only =
                        read_only || selected.read_only || matches!(status.code, Some(Code::ReadOnly));
                    self.mailbox = selected;
                    self.state = State::Selected;
                } else if self.state == State::Selected {
                    // A failed SELECT closes the mailbox that was selected.
                    self.state = State::Authenticated;
                    self.mailbox = SelectedMailbox::default();
                }
            }
            Kind::Deselect => {
                if ok {
                    self.state = State::Authenticated;
                    self.mailbox = SelectedMailbox::default();
                }
            }
            Kind::Logout => {
                self.events.push_back(ClientEvent::Done { tag, status });
                self.close();
                return;
            }
            Kind::Idle { .. } | Kind::Plain | Kind::Capability { internal: false } => {}
        }
        self.events.push_back(ClientEvent::Done { tag, status });
        self.pump();
    }

    /// The state a response code carries.
    fn code(&mut self, code: &Code) {
        let target = self.selecting.as_mut().unwrap_or(&mut self.mailbox);
        match code {
            Code::Capability(caps) => {
                self.caps = caps.clone();
                self.caps_known = true;
                self.events.push_back(ClientEvent::Capabilities(caps.clone()));
            }
            Code::PermanentFlags(flags) => target.permanent_flags = flags.clone(),
            Code::UidValidity(n) => target.uid_validity = Some(*n),
            Code::UidNext(n) => target.uid_next = Some(*n),
            Code::Unseen(n) => target.unseen = Some(*n),
            Code::HighestModSeq(n) => target.highest_mod_seq = Some(*n),
            Code::NoModSeq => target.highest_mod_seq = None,
            Code::ReadOnly => target.read_only = true,
            Code::ReadWrite => target.read_only = false,
            Code::Closed => {
                // RFC 7162 §3.2.11: the previous mailbox is closed; what
                // follows belongs to the one being selected.
            }
            _ => {}
        }
    }

    fn data(&mut self, data: Data) {
        let target = self.selecting.as_mut().unwrap_or(&mut self.mailbox);
        match &data {
            Data::Capability(caps) => {
                self.caps = caps.clone();
                self.caps_known = true;
                self.events.push_back(ClientEvent::Capabilities(caps.clone()));
            }
            Data::Enabled(caps) if caps.contains(&Capability::Utf8Accept) => self.utf8 = true,
            Data::Exists(n) => target.set_exists(*n),
            Data::Recent(n) => target.recent = *n,
            Data::Flags(flags) => target.flags = flags.clone(),
            Data::Expunge(seq) => target.expunge(u32::from(*seq)),
            Data::Vanished { earlier: false, uids } => target.vanished(uids),
            Data::Fetch { seq, items } => {
                let seq = u32::from(*seq);
                for item in items {
                    if let FetchItem::Uid(uid) = item {
                        let i = seq as usize;
                        if i >= 1 && i <= target.uids.len() {
                            target.uids[i - 1] = u32::from(*uid);
                        }
                    }
                }
            }
            _ => {}
        }
        self.events.push_back(ClientEvent::Data(data));
    }

    fn continuation(&mut self, cont: crate::response::Continue) {
        // The command being sent waits for it to send its next literal.
        if let Some(o) =
            self.inflight.iter_mut().find(|o| !o.pieces.is_empty() && !matches!(o.kind, Kind::Idle { .. }))
        {
            if let Some(piece) = o.pieces.pop_front() {
                self.out.extend_from_slice(&piece);
            }
            self.pump();
            return;
        }
        let Some(o) = self.inflight.back_mut() else {
            return self.fail(ClientError::Unexpected(Box::new(Response::Continue(cont))));
        };
        match &mut o.kind {
            Kind::Authenticate(sasl) => {
                let step = match cont.decode_base64() {
                    Some(challenge) => sasl.client.step(&challenge),
                    None => Err(SaslError::Malformed {
                        mechanism: sasl.client.mechanism(),
                        reason: "the challenge is not base64",
                    }),
                };
                match step {
                    Ok(ClientStep::Respond(bytes)) => {
                        self.out.extend_from_slice(base64_simd::STANDARD.encode_to_string(&bytes).as_bytes());
                        self.out.extend_from_slice(b"\r\n");
                    }
                    Ok(ClientStep::Done) => self.out.extend_from_slice(b"\r\n"),
                    Err(e) => {
                        // RFC 9051 §6.2.2: cancel with `*`; the server
                        // answers BAD.
                        sasl.error = Some(e);
                        self.out.extend_from_slice(b"*\r\n");
                    }
                }
            }
            Kind::Idle { started } if !*started => {
                *started = true;
                let tag = o.tag.clone();
                // DONE asked for before the `+`.
                let pending: Vec<Vec<u8>> = o.pieces.drain(..).collect();
                for p in pending {
                    self.out.extend_from_slice(&p);
                }
                self.events.push_back(ClientEvent::Idling { tag });
            }
            _ => self.fail(ClientError::Unexpected(Box::new(Response::Continue(cont)))),
        }
    }
}

/// Whether a command names messages by sequence number.
fn uses_sequence_numbers(body: &CommandBody) -> bool {
    match body {
        CommandBody::Fetch { uid, .. }
        | CommandBody::Store { uid, .. }
        | CommandBody::Copy { uid, .. }
        | CommandBody::Move { uid, .. }
        | CommandBody::Search { uid, .. }
        | CommandBody::Sort { uid, .. }
        | CommandBody::Thread { uid, .. } => !uid,
        _ => false,
    }
}

/// Whether a command may make the server send EXPUNGE responses while it is
/// in progress (RFC 9051 §7.5.1: any command but FETCH, STORE and SEARCH,
/// and their UID forms too).
fn may_expunge(body: &CommandBody) -> bool {
    !matches!(
        body,
        CommandBody::Fetch { uid: false, .. }
            | CommandBody::Store { uid: false, .. }
            | CommandBody::Search { uid: false, .. }
    )
}

/// The message number and item name of a streamed literal, from the
/// response's bytes up to its header (`* 12 FETCH (UID 5 BODY[1] {N}`).
fn literal_context(prefix: &[u8]) -> (u32, Bytes) {
    let mut seq = 0u32;
    if let Some(rest) = prefix.strip_prefix(b"* ") {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if let Ok(s) = std::str::from_utf8(&rest[..digits]) {
            seq = s.parse().unwrap_or(0);
        }
    }
    // The header is `{N}` or `~{N}` at the end of the line, after a space.
    let line = prefix.strip_suffix(b"\r\n").or_else(|| prefix.strip_suffix(b"\n")).unwrap_or(prefix);
    let open = line.iter().rposition(|&b| b == b'{').unwrap_or(0);
    let mut end = open;
    if end > 0 && line[end - 1] == b'~' {
        end -= 1;
    }
    while end > 0 && line[end - 1] == b' ' {
        end -= 1;
    }
    // The item name starts after the space or `(` before it, skipping any
    // `[...]` (which may contain spaces: HEADER.FIELDS (A B)).
    let mut start = end;
    let mut depth = 0usize;
    while start > 0 {
        let b = line[start - 1];
        match b {
            b']' => depth += 1,
            b'[' => depth = depth.saturating_sub(1),
            b' ' | b'(' if depth == 0 => break,
            _ => {}
        }
        start -= 1;
    }
    (seq, Bytes::copy_from_slice(&line[start..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_context_finds_the_item() {
        let (seq, item) = literal_context(b"* 12 FETCH (UID 5 BODY[HEADER.FIELDS (A B)] {100}\r\n");
        assert_eq!((seq, &item[..]), (12, &b"BODY[HEADER.FIELDS (A B)]"[..]));
        let (seq, item) = literal_context(b"* 3 FETCH (BINARY[1] ~{100}\r\n");
        assert_eq!((seq, &item[..]), (3, &b"BINARY[1]"[..]));
        let (seq, item) = literal_context(b"* 3 FETCH (BODY[]<0> {100}\r\n");
        assert_eq!((seq, &item[..]), (3, &b"BODY[]<0>"[..]));
    }
}
