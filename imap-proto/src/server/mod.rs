//! The server side of an IMAP session, sans-IO.
//!
//! [`ServerSession`] does the parts of IMAP that are the same for every
//! server, and hands the rest to the application as typed events:
//!
//! - **States** (RFC 9051 §3): not authenticated, authenticated, selected,
//!   logout. A command not allowed in the current state is answered `BAD`
//!   without reaching the application.
//! - **Framing and literals**: a synchronising literal is accepted with a
//!   `+` continuation request when it fits [`ServerConfig::limits`]
//!   (`max_literal`, the APPENDLIMIT), and refused with `NO [TOOBIG]`
//!   otherwise; a non-synchronising literal that does not fit ends the
//!   session (RFC 7888 §4 allows nothing better: its bytes are already on
//!   the way). With [`ServerConfig::append_stream_threshold`], a large
//!   APPEND is offered to the application ([`ServerEvent::AppendStart`])
//!   and its message passes through in chunks, never buffered whole.
//! - **CAPABILITY, NOOP-free housekeeping, LOGOUT, STARTTLS**, and
//!   **LOGIN / AUTHENTICATE** through `mailwire-sasl` (SASL-IR included),
//!   with the credential checks left to the application
//!   ([`ServerEvent::VerifyPassword`] and friends). LOGIN and plaintext
//!   mechanisms are refused before TLS unless allowed.
//! - **IDLE**: the `+ idling`, then [`ServerEvent::Idle`]; the
//!   application pushes updates with [`ServerSession::data`] until the
//!   client's `DONE` ([`ServerEvent::IdleDone`]).
//! - **Everything else** arrives as [`ServerEvent::Command`]: answer with
//!   untagged [`ServerSession::data`] and finish with
//!   [`ServerSession::ok`], [`ServerSession::no`] or
//!   [`ServerSession::bad`]. Commands are handled one at a time, in
//!   order; pipelined ones wait in the buffer (bounded by the limits).
//!   SELECT/EXAMINE move to the selected state when finished `OK`, and
//!   CLOSE/UNSELECT back.

use std::collections::VecDeque;
use std::fmt;

use bytes::{Bytes, BytesMut};
use mailwire_sasl::{
    Mechanism, ScramCredentials, ServerConfig as SaslConfig, ServerSession as SaslServer, ServerStep,
};

use crate::Limits;
use crate::capability::Capability;
use crate::command::{AuthenticateData, Command, CommandBody, StateClass};
use crate::encode::Writer;
use crate::error::DecodeError;
use crate::frame::{Frame, Framer};
use crate::response::{Code, Continue, Data, Response, StatusKind, StatusResponse};
use crate::string::{Tag, Text};

/// How the server behaves.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The greeting's text.
    pub greeting: String,
    /// The capabilities to announce besides those the session manages
    /// (`IMAP4rev1`, `STARTTLS`, `LOGINDISABLED`, `AUTH=…`, `SASL-IR` are
    /// added as the state allows).
    pub capabilities: Vec<Capability>,
    /// The transport is already TLS (port 993).
    pub tls_active: bool,
    /// Offer STARTTLS (the application must be able to switch).
    pub starttls: bool,
    /// The SASL mechanisms to offer.
    pub sasl_mechanisms: Vec<Mechanism>,
    /// Allow LOGIN and plaintext mechanisms before TLS (loopback tests).
    pub allow_plaintext_without_tls: bool,
    /// Bounds on commands ([`Limits::server`] by default).
    pub limits: Limits,
    /// BAD responses before the session ends (default 10).
    pub max_bad_commands: u32,
    /// Failed logins before the session ends (default 3).
    pub max_failed_logins: u32,
    /// Random bytes that SCRAM nonces are drawn from (at least 16; SCRAM is
    /// not offered without them).
    pub nonce: Vec<u8>,
    /// Stream APPEND literals longer than this ([`ServerEvent::AppendStart`],
    /// [`ServerEvent::AppendData`], [`ServerEvent::AppendEnd`]) instead of
    /// buffering them; `None` (the default) buffers every literal up to
    /// `limits.max_literal`. Literals of other commands are never streamed.
    pub append_stream_threshold: Option<u64>,
}

impl ServerConfig {
    /// Defaults: IMAP4rev1 with IDLE, NAMESPACE, UIDPLUS, MOVE, UNSELECT,
    /// ENABLE, LITERAL+ (the application adds what it implements), PLAIN
    /// only, nothing in the clear before TLS.
    pub fn new() -> Self {
        ServerConfig {
            greeting: "IMAP server ready".into(),
            capabilities: vec![
                Capability::Idle,
                Capability::Namespace,
                Capability::UidPlus,
                Capability::Move,
                Capability::Unselect,
                Capability::Enable,
                Capability::LiteralPlus,
                Capability::Id,
            ],
            tls_active: false,
            starttls: false,
            sasl_mechanisms: vec![Mechanism::Plain],
            allow_plaintext_without_tls: false,
            limits: Limits::server(),
            max_bad_commands: 10,
            max_failed_logins: 3,
            nonce: Vec::new(),
            append_stream_threshold: None,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig::new()
    }
}

/// The session's state (RFC 9051 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Before login.
    NotAuthenticated,
    /// Logged in, no mailbox selected.
    Authenticated,
    /// A mailbox is selected.
    Selected {
        /// Opened with EXAMINE (or refused write access).
        read_only: bool,
    },
    /// LOGOUT or a fatal error: the connection is closing.
    Logout,
}

/// What the session tells the application. Those marked *decision* wait
/// for the answer named.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ServerEvent {
    /// *Decision*: a command to carry out. Send untagged responses with
    /// [`ServerSession::data`] and finish with [`ServerSession::ok`],
    /// [`ServerSession::no`] or [`ServerSession::bad`].
    Command {
        /// Its tag.
        tag: Tag,
        /// The command.
        body: CommandBody,
    },
    /// *Decision*: check a password (LOGIN, AUTHENTICATE PLAIN or LOGIN);
    /// answer [`ServerSession::auth_password`].
    VerifyPassword {
        /// The authorisation identity, if the client asked for one.
        authzid: Option<String>,
        /// The user.
        username: String,
        /// The password.
        password: String,
    },
    /// *Decision*: SCRAM needs the user's stored keys (answer
    /// [`ServerSession::auth_scram`]); CRAM-MD5 the password
    /// ([`ServerSession::auth_cram_password`]).
    NeedSecret {
        /// The mechanism.
        mechanism: Mechanism,
        /// The user.
        username: String,
    },
    /// *Decision*: check an OAuth bearer token; answer
    /// [`ServerSession::auth_token`].
    VerifyToken {
        /// The user.
        username: String,
        /// The token.
        token: String,
    },
    /// The client logged in (the tagged OK has been queued).
    Authenticated {
        /// Who (the authorisation identity if one was given).
        username: String,
    },
    /// IDLE began (`+ idling` is queued): push updates with
    /// [`ServerSession::data`] as they happen.
    Idle {
        /// The IDLE command's tag.
        tag: Tag,
    },
    /// *Decision*: the client sent DONE: finish the IDLE command with
    /// [`ServerSession::ok`].
    IdleDone {
        /// The IDLE command's tag.
        tag: Tag,
    },
    /// *Decision*: an APPEND whose message is longer than
    /// [`ServerConfig::append_stream_threshold`]. Accept with
    /// [`ServerSession::accept_append`] (the message then arrives as
    /// [`ServerEvent::AppendData`] chunks), or refuse with
    /// [`ServerSession::no`] (`TRYCREATE`, `TOOBIG`, `OVERQUOTA` …).
    AppendStart {
        /// The command's tag.
        tag: Tag,
        /// The target mailbox.
        mailbox: crate::mailbox::Mailbox,
        /// The flags to set.
        flags: Vec<crate::flag::Flag>,
        /// The internal date asked for.
        date: Option<crate::datetime::DateTime>,
        /// The message's length in octets.
        length: u64,
        /// Sent as literal8 (`~{N}`, RFC 3516).
        binary: bool,
    },
    /// The next chunk of an accepted streamed APPEND.
    AppendData(Bytes),
    /// *Decision*: the streamed message is complete: store it, then finish
    /// with [`ServerSession::ok`] (with `APPENDUID`) or [`ServerSession::no`].
    AppendEnd {
        /// The command's tag.
        tag: Tag,
    },
    /// The OK to STARTTLS is queued: write it, switch the transport to TLS,
    /// then call [`ServerSession::tls_established`].
    StartTls,
    /// The session is over: write what is left and close the connection.
    Closed,
}

/// A call that does not fit the session's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerError {
    /// No decision of that kind is pending.
    NoDecisionPending,
    /// [`ServerSession::tls_established`] without an accepted STARTTLS.
    NotStartingTls,
    /// The session is closed.
    Closed,
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServerError::NoDecisionPending => "no decision of that kind is pending",
            ServerError::NotStartingTls => "no STARTTLS was accepted",
            ServerError::Closed => "the session is closed",
        })
    }
}

impl std::error::Error for ServerError {}

/// What the session waits for.
#[derive(Debug)]
enum Mode {
    /// Reading commands.
    Commands,
    /// The application is carrying out a command.
    Command { tag: Tag, body_kind: Pending },
    /// AUTHENTICATE: reading the client's responses.
    Auth { tag: Tag, sasl: Box<SaslServer>, awaiting_app: bool, final_sent: bool },
    /// LOGIN: the application checks the password.
    Login { tag: Tag, username: String },
    /// IDLE: reading DONE.
    Idle { tag: Tag },
    /// Waiting for the application to finish IDLE after DONE.
    IdleDone { tag: Tag },
    /// A streamed APPEND waits for the application's yes or no.
    AppendDecision { tag: Tag, length: u64, sync: bool },
    /// Passing a streamed APPEND's octets to the application (or, when
    /// `discard`, dropping those of a refused non-synchronising literal).
    AppendData { tag: Tag, remaining: u64, discard: bool },
    /// After the literal: the rest of the command line (CRLF).
    AppendTail { tag: Tag, discard: bool },
    /// The OK to STARTTLS is out; waiting for the handshake.
    StartingTls,
    /// Over.
    Closed,
}

/// What finishing the current command does to the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Plain,
    Select { read_only: bool },
    Deselect,
}

/// The server side of one IMAP connection.
#[derive(Debug)]
pub struct ServerSession {
    config: ServerConfig,
    input: BytesMut,
    framer: Framer,
    out: Vec<u8>,
    events: VecDeque<ServerEvent>,
    mode: Mode,
    state: State,
    tls: bool,
    bad_commands: u32,
    failed_logins: u32,
    nonces_drawn: u64,
    utf8: bool,
    /// A literal was refused: drop input up to the end of this command line.
    discard_line: bool,
    /// Who authenticated, until the SCRAM server-final is acknowledged.
    pending_user: Option<String>,
    greeted: bool,
}

impl ServerSession {
    /// A session for a new connection. Call [`ServerSession::greet`] first.
    pub fn new(config: ServerConfig) -> Self {
        // Literals over the streaming threshold (never more than
        // max_literal) stop the framer, for an APPEND to be streamed.
        let framer = match config.append_stream_threshold {
            Some(t) => Framer::stopping_at_literals_over(t.min(config.limits.max_literal)),
            None => Framer::new(),
        };
        ServerSession {
            tls: config.tls_active,
            config,
            input: BytesMut::new(),
            framer,
            out: Vec::new(),
            events: VecDeque::new(),
            mode: Mode::Commands,
            state: State::NotAuthenticated,
            bad_commands: 0,
            failed_logins: 0,
            nonces_drawn: 0,
            utf8: false,
            discard_line: false,
            pending_user: None,
            greeted: false,
        }
    }

    /// Queues the greeting, `* OK [CAPABILITY …] text`.
    pub fn greet(&mut self) {
        if self.greeted {
            return;
        }
        self.greeted = true;
        let code = Some(Code::Capability(self.capabilities()));
        let text = self.config.greeting.clone();
        self.status(None, StatusKind::Ok, code, &text);
    }

    /// Bytes read from the client.
    pub fn feed(&mut self, bytes: &[u8]) {
        if matches!(self.mode, Mode::Closed | Mode::StartingTls) {
            return;
        }
        self.input.extend_from_slice(bytes);
        self.run();
    }

    /// Bytes to write to the client, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        (!self.out.is_empty()).then(|| std::mem::take(&mut self.out))
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// Whether the session is over.
    pub fn is_closed(&self) -> bool {
        matches!(self.mode, Mode::Closed)
    }

    /// The state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether the transport is TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether the client enabled UTF8=ACCEPT (RFC 6855).
    pub fn is_utf8(&self) -> bool {
        self.utf8
    }

    /// The capabilities announced now (they change with TLS and login).
    pub fn capabilities(&self) -> Vec<Capability> {
        let mut caps = vec![Capability::Imap4rev1];
        if self.state == State::NotAuthenticated {
            if self.config.starttls && !self.tls {
                caps.push(Capability::StartTls);
            }
            let clear_ok = self.tls || self.config.allow_plaintext_without_tls;
            if !clear_ok {
                caps.push(Capability::LoginDisabled);
            }
            for m in self.offered_mechanisms() {
                caps.push(Capability::Auth(crate::string::Atom::from_static(m.name())));
            }
            caps.push(Capability::SaslIr);
        }
        for cap in &self.config.capabilities {
            if !caps.contains(cap) {
                caps.push(cap.clone());
            }
        }
        caps
    }

    fn offered_mechanisms(&self) -> Vec<Mechanism> {
        let clear_ok = self.tls || self.config.allow_plaintext_without_tls;
        self.config
            .sasl_mechanisms
            .iter()
            .copied()
            .filter(|m| clear_ok || !m.sends_secret_in_clear())
            .filter(|m| !is_scram(*m) || self.config.nonce.len() >= 16)
            .collect()
    }

    /// Queues an untagged data response (FETCH, EXISTS, EXPUNGE …) — as
    /// part of a command's answer, or an update at any time while
    /// authenticated (during IDLE, before a command's completion).
    pub fn data(&mut self, data: Data) {
        if matches!(self.mode, Mode::Closed) {
            return;
        }
        self.write(&Response::Data(data));
    }

    /// Queues an untagged status response (`* OK [UIDNEXT 4] …`,
    /// `* NO [ALERT] …`).
    pub fn untagged(&mut self, kind: StatusKind, code: Option<Code>, text: &str) {
        if matches!(self.mode, Mode::Closed) {
            return;
        }
        self.status(None, kind, code, text);
    }

    /// Finishes the current command with `OK`.
    pub fn ok(&mut self, code: Option<Code>, text: &str) -> Result<(), ServerError> {
        self.finish(StatusKind::Ok, code, text)
    }

    /// Finishes the current command with `NO` (it failed).
    pub fn no(&mut self, code: Option<Code>, text: &str) -> Result<(), ServerError> {
        self.finish(StatusKind::No, code, text)
    }

    /// Finishes the current command with `BAD` (it was wrong).
    pub fn bad(&mut self, code: Option<Code>, text: &str) -> Result<(), ServerError> {
        self.finish(StatusKind::Bad, code, text)
    }

    /// Accepts the streamed APPEND of [`ServerEvent::AppendStart`]: its
    /// octets follow as [`ServerEvent::AppendData`].
    pub fn accept_append(&mut self) -> Result<(), ServerError> {
        let Mode::AppendDecision { tag, length, sync } = std::mem::replace(&mut self.mode, Mode::Commands)
        else {
            return Err(ServerError::NoDecisionPending);
        };
        if sync {
            self.continuation("Ready for literal data");
        }
        self.mode = Mode::AppendData { tag, remaining: length, discard: false };
        self.run();
        Ok(())
    }

    /// Ends the session with `* BYE text` (shutdown, autologout).
    pub fn bye(&mut self, text: &str) {
        if matches!(self.mode, Mode::Closed) {
            return;
        }
        self.status(None, StatusKind::Bye, None, text);
        self.close();
    }

    fn finish(&mut self, kind: StatusKind, code: Option<Code>, text: &str) -> Result<(), ServerError> {
        let (tag, pending) = match std::mem::replace(&mut self.mode, Mode::Commands) {
            Mode::Command { tag, body_kind } => (tag, body_kind),
            Mode::IdleDone { tag } => (tag, Pending::Plain),
            Mode::AppendDecision { tag, length, sync } if kind != StatusKind::Ok => {
                // Refused before its octets: a synchronising literal is
                // never sent; a non-synchronising one is on its way and is
                // dropped.
                if !sync {
                    self.mode = Mode::AppendData { tag: tag.clone(), remaining: length, discard: true };
                }
                if kind == StatusKind::Bad {
                    self.bad_commands += 1;
                }
                self.status(Some(tag), kind, code, text);
                self.run();
                return Ok(());
            }
            other => {
                self.mode = other;
                return Err(ServerError::NoDecisionPending);
            }
        };
        let ok = kind == StatusKind::Ok;
        match pending {
            Pending::Select { read_only } => {
                self.state = if ok { State::Selected { read_only } } else { State::Authenticated };
            }
            Pending::Deselect if ok => self.state = State::Authenticated,
            _ => {}
        }
        if kind == StatusKind::Bad {
            self.bad_commands += 1;
        }
        self.status(Some(tag), kind, code, text);
        if self.bad_commands >= self.config.max_bad_commands {
            self.bye("Too many invalid commands");
            return Ok(());
        }
        self.run();
        Ok(())
    }

    /// The transport is now TLS: forget what was received in the clear.
    pub fn tls_established(&mut self) -> Result<(), ServerError> {
        if !matches!(self.mode, Mode::StartingTls) {
            return Err(ServerError::NotStartingTls);
        }
        self.tls = true;
        self.input.clear();
        self.framer.reset();
        self.mode = Mode::Commands;
        Ok(())
    }

    /// Answers [`ServerEvent::VerifyPassword`].
    pub fn auth_password(&mut self, ok: bool) -> Result<(), ServerError> {
        if let Mode::Login { .. } = &self.mode {
            let Mode::Login { tag, username } = std::mem::replace(&mut self.mode, Mode::Commands) else {
                return Err(ServerError::NoDecisionPending);
            };
            self.login_result(tag, ok.then_some(username));
            self.run();
            return Ok(());
        }
        self.sasl_answer(|s| s.password_result(ok))
    }

    /// Answers [`ServerEvent::NeedSecret`] for SCRAM (`None`: no such user).
    pub fn auth_scram(&mut self, credentials: Option<ScramCredentials>) -> Result<(), ServerError> {
        self.sasl_answer(|s| match credentials {
            Some(c) => s.provide_scram(c),
            None => s.unknown_user(),
        })
    }

    /// Answers [`ServerEvent::NeedSecret`] for CRAM-MD5 (`None`: no such
    /// user).
    pub fn auth_cram_password(&mut self, password: Option<&str>) -> Result<(), ServerError> {
        self.sasl_answer(|s| match password {
            Some(p) => s.provide_password(p),
            None => s.unknown_user(),
        })
    }

    /// Answers [`ServerEvent::VerifyToken`].
    pub fn auth_token(&mut self, ok: bool) -> Result<(), ServerError> {
        self.sasl_answer(|s| {
            s.token_result(if ok {
                Ok(())
            } else {
                Err(mailwire_sasl::oauth_error_json("invalid_token", None, None))
            })
        })
    }

    fn sasl_answer(
        &mut self,
        f: impl FnOnce(&mut SaslServer) -> Result<ServerStep, mailwire_sasl::SaslError>,
    ) -> Result<(), ServerError> {
        let Mode::Auth { sasl, awaiting_app, .. } = &mut self.mode else {
            return Err(ServerError::NoDecisionPending);
        };
        if !*awaiting_app {
            return Err(ServerError::NoDecisionPending);
        }
        *awaiting_app = false;
        let step = f(sasl);
        self.sasl_step(step);
        self.run();
        Ok(())
    }

    // ---- internals ----

    fn write(&mut self, response: &Response) {
        let mut w = Writer::server(self.utf8);
        response.encode(&mut w);
        self.out.extend_from_slice(w.finish().as_bytes());
    }

    fn status(&mut self, tag: Option<Tag>, kind: StatusKind, code: Option<Code>, text: &str) {
        let text = Text::new(Bytes::copy_from_slice(text.as_bytes()))
            .unwrap_or_else(|_| Text::unchecked(Bytes::from_static(b"(text withheld)")));
        self.write(&Response::Status(StatusResponse { tag, kind, code, text }));
    }

    fn continuation(&mut self, text: &str) {
        let text = Text::unchecked(Bytes::copy_from_slice(text.as_bytes()));
        self.write(&Response::Continue(Continue { code: None, text }));
    }

    fn close(&mut self) {
        if !matches!(self.mode, Mode::Closed) {
            self.mode = Mode::Closed;
            self.state = State::Logout;
            self.input.clear();
            self.events.push_back(ServerEvent::Closed);
        }
    }

    /// Processes buffered input as far as the mode allows.
    fn run(&mut self) {
        loop {
            match &self.mode {
                Mode::Commands => {
                    if !self.next_command() {
                        return;
                    }
                }
                Mode::Auth { awaiting_app: false, .. } => {
                    let Some(line) = self.take_line() else { return };
                    self.auth_line(&line);
                }
                Mode::Idle { .. } => {
                    let Some(line) = self.take_line() else { return };
                    let Mode::Idle { tag } = std::mem::replace(&mut self.mode, Mode::Commands) else {
                        return;
                    };
                    if crate::command::is_idle_done(&line) {
                        self.mode = Mode::IdleDone { tag: tag.clone() };
                        self.events.push_back(ServerEvent::IdleDone { tag });
                    } else {
                        self.bad_commands += 1;
                        self.status(Some(tag), StatusKind::Bad, None, "Expected DONE");
                    }
                }
                Mode::AppendData { .. } => {
                    let Mode::AppendData { tag, remaining, discard } =
                        std::mem::replace(&mut self.mode, Mode::Commands)
                    else {
                        return;
                    };
                    let n = remaining.min(self.input.len() as u64) as usize;
                    let chunk = self.input.split_to(n).freeze();
                    if !discard && !chunk.is_empty() {
                        self.events.push_back(ServerEvent::AppendData(chunk));
                    }
                    let remaining = remaining - n as u64;
                    if remaining > 0 {
                        self.mode = Mode::AppendData { tag, remaining, discard };
                        return;
                    }
                    self.mode = Mode::AppendTail { tag, discard };
                }
                Mode::AppendTail { .. } => {
                    let Some(line) = self.take_line() else { return };
                    let Mode::AppendTail { tag, discard } = std::mem::replace(&mut self.mode, Mode::Commands)
                    else {
                        return;
                    };
                    if discard {
                        continue;
                    }
                    if line.iter().all(|&b| b == b' ') {
                        self.mode = Mode::Command { tag: tag.clone(), body_kind: Pending::Plain };
                        self.events.push_back(ServerEvent::AppendEnd { tag });
                    } else {
                        // MULTIAPPEND and CATENATE are not supported.
                        self.bad_commands += 1;
                        self.status(Some(tag), StatusKind::Bad, None, "Unexpected data after the message");
                    }
                }
                _ => return,
            }
        }
    }

    /// One line (CRLF removed), if a whole one is buffered.
    fn take_line(&mut self) -> Option<Vec<u8>> {
        let nl = memchr::memchr(b'\n', &self.input)?;
        let mut line = self.input.split_to(nl + 1).to_vec();
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Some(line)
    }

    /// Frames, parses and dispatches one command. `false` when more input
    /// is needed or the mode changed.
    fn next_command(&mut self) -> bool {
        if self.discard_line {
            let Some(nl) = memchr::memchr(b'\n', &self.input) else {
                self.input.clear();
                return false;
            };
            let _ = self.input.split_to(nl + 1);
            self.discard_line = false;
        }
        let mut limits = self.config.limits;
        if self.config.append_stream_threshold.is_some() {
            // Literals above the threshold are decided on (and streamed)
            // when they start; the rest stay under max_literal, checked
            // below.
            limits.max_literal = u64::MAX;
            limits.max_message = u64::MAX;
        }
        match self.framer.scan(&self.input, &limits) {
            Ok(Frame::Incomplete) => false,
            Ok(Frame::LargeLiteral(progress)) => {
                self.large_literal(progress);
                !matches!(self.mode, Mode::Closed | Mode::AppendDecision { .. })
            }
            Ok(Frame::AwaitingLiteral(_)) => {
                self.continuation("Ready for literal data");
                false
            }
            Ok(Frame::Complete(end)) => {
                let message = self.input.split_to(end).freeze();
                self.framer.reset();
                self.dispatch(&message);
                true
            }
            Err(DecodeError::TooLong { what }) => {
                self.too_long(what);
                !matches!(self.mode, Mode::Closed)
            }
            Err(_) => {
                self.bye("Protocol error");
                false
            }
        }
    }

    /// A literal over the streaming threshold: an APPEND's message is
    /// offered to the application; anything else is refused as too long.
    fn large_literal(&mut self, progress: crate::frame::LiteralProgress) {
        let header = progress.header;
        let line = &self.input[..progress.data_start];
        let open = line.iter().rposition(|&b| b == b'{').unwrap_or(0);
        let start = if open > 0 && line[open - 1] == b'~' { open - 1 } else { open };
        // The command as if its literal were empty.
        let mut probe = line[..start].to_vec();
        probe.extend_from_slice(if header.binary { b"~{0}\r\n\r\n" } else { b"{0}\r\n\r\n" });
        let parsed = Command::parse(&Bytes::from(probe), &self.config.limits);
        let line_tag = leading_tag(line);
        let _ = self.input.split_to(progress.data_start);
        self.framer.reset();
        match parsed {
            Ok(Command { tag, body: CommandBody::Append { mailbox, flags, date, .. } })
                if self.state != State::NotAuthenticated =>
            {
                self.mode = Mode::AppendDecision {
                    tag: tag.clone(),
                    length: header.length,
                    sync: header.synchronizing,
                };
                self.events.push_back(ServerEvent::AppendStart {
                    tag,
                    mailbox,
                    flags,
                    date,
                    length: header.length,
                    binary: header.binary,
                });
            }
            other => {
                let tag = other.ok().map(|c| c.tag).or(line_tag);
                if header.synchronizing {
                    self.status(tag, StatusKind::No, Some(Code::TooBig), "Literal too large");
                } else {
                    let tag = tag.unwrap_or_else(|| Tag::unchecked(Bytes::from_static(b"*")));
                    self.mode =
                        Mode::AppendData { tag: tag.clone(), remaining: header.length, discard: true };
                    self.status(Some(tag), StatusKind::No, Some(Code::TooBig), "Literal too large");
                }
            }
        }
    }

    /// A line or literal over the limits.
    fn too_long(&mut self, what: &'static str) {
        let literal = self.framer.literal_in_progress();
        let tag = leading_tag(&self.input);
        self.framer.reset();
        match (what, literal, tag) {
            // A synchronising literal not sent yet: refuse the command,
            // drop its line, go on (RFC 9051 §4.3; RFC 7889 TOOBIG).
            ("literal length", None, Some(tag)) | ("message length", None, Some(tag))
                if last_line_has_sync_literal(&self.input) =>
            {
                self.input.clear();
                self.status(Some(tag), StatusKind::No, Some(Code::TooBig), "Literal too large");
            }
            _ => {
                self.status(None, StatusKind::Bad, None, "Line or literal too long");
                self.bye("Too much data");
            }
        }
    }

    fn dispatch(&mut self, message: &Bytes) {
        let command = match Command::parse(message, &self.config.limits) {
            Ok(c) => c,
            Err(e) => {
                let tag = leading_tag(message);
                self.bad_commands += 1;
                let text = format!("{e}");
                match tag {
                    Some(tag) => self.status(Some(tag), StatusKind::Bad, None, &text),
                    None => self.status(None, StatusKind::Bad, None, &text),
                }
                if self.bad_commands >= self.config.max_bad_commands {
                    self.bye("Too many invalid commands");
                }
                return;
            }
        };
        let Command { tag, body } = command;
        if !self.allowed(&body) {
            self.bad_commands += 1;
            let text = match self.state {
                State::NotAuthenticated => "Not authenticated",
                State::Authenticated => "No mailbox selected",
                _ => "Not allowed in this state",
            };
            self.status(Some(tag), StatusKind::Bad, None, text);
            if self.bad_commands >= self.config.max_bad_commands {
                self.bye("Too many invalid commands");
            }
            return;
        }
        match body {
            CommandBody::Capability => {
                let caps = self.capabilities();
                self.write(&Response::Data(Data::Capability(caps)));
                self.status(Some(tag), StatusKind::Ok, None, "Capability completed");
            }
            CommandBody::Logout => {
                self.status(None, StatusKind::Bye, None, "Logging out");
                self.status(Some(tag), StatusKind::Ok, None, "Logout completed");
                self.close();
            }
            CommandBody::StartTls => {
                if self.tls || !self.config.starttls {
                    self.bad_commands += 1;
                    self.status(Some(tag), StatusKind::Bad, None, "STARTTLS not available");
                    return;
                }
                self.status(Some(tag), StatusKind::Ok, None, "Begin TLS negotiation now");
                self.mode = Mode::StartingTls;
                self.events.push_back(ServerEvent::StartTls);
            }
            CommandBody::Login { username, password } => {
                if !(self.tls || self.config.allow_plaintext_without_tls) {
                    self.status(
                        Some(tag),
                        StatusKind::No,
                        Some(Code::PrivacyRequired),
                        "LOGIN needs TLS first",
                    );
                    return;
                }
                let username = username.to_string_lossy().into_owned();
                let password = password.to_string_lossy().into_owned();
                self.mode = Mode::Login { tag, username: username.clone() };
                self.events.push_back(ServerEvent::VerifyPassword { authzid: None, username, password });
            }
            CommandBody::Authenticate { mechanism, initial_response } => {
                self.start_auth(tag, mechanism.as_str(), initial_response);
            }
            CommandBody::Idle => {
                self.continuation("idling");
                self.mode = Mode::Idle { tag: tag.clone() };
                self.events.push_back(ServerEvent::Idle { tag });
            }
            CommandBody::Enable(caps) => {
                // What this session itself honours: UTF8=ACCEPT. Others
                // the application announced are reported enabled too.
                let mut enabled = Vec::new();
                for cap in caps {
                    let offered = self.config.capabilities.contains(&cap);
                    if offered && !enabled.contains(&cap) {
                        if cap == Capability::Utf8Accept {
                            self.utf8 = true;
                        }
                        enabled.push(cap);
                    }
                }
                self.write(&Response::Data(Data::Enabled(enabled)));
                self.status(Some(tag), StatusKind::Ok, None, "Enabled");
            }
            body => {
                let pending = match &body {
                    CommandBody::Select { .. } => Pending::Select { read_only: false },
                    CommandBody::Examine { .. } => Pending::Select { read_only: true },
                    CommandBody::Close | CommandBody::Unselect => Pending::Deselect,
                    _ => Pending::Plain,
                };
                if matches!(pending, Pending::Select { .. }) && matches!(self.state, State::Selected { .. }) {
                    // RFC 7162 §3.2.11 / RFC 9051 §6.3.2: selecting another
                    // mailbox closes this one first.
                    self.state = State::Authenticated;
                    self.status(None, StatusKind::Ok, Some(Code::Closed), "Previous mailbox closed");
                }
                self.mode = Mode::Command { tag: tag.clone(), body_kind: pending };
                self.events.push_back(ServerEvent::Command { tag, body });
            }
        }
    }

    fn allowed(&self, body: &CommandBody) -> bool {
        matches!(
            (body.state_class(), self.state),
            (StateClass::Any, _)
                | (StateClass::NotAuthenticated, State::NotAuthenticated)
                | (StateClass::Authenticated, State::Authenticated | State::Selected { .. })
                | (StateClass::Selected, State::Selected { .. })
        )
    }

    fn next_nonce(&mut self) -> Option<mailwire_sasl::Nonce> {
        let nonce =
            mailwire_sasl::Nonce::derive(&self.config.nonce, "mailwire-imap SASL nonce", self.nonces_drawn)
                .ok()?;
        self.nonces_drawn += 1;
        Some(nonce)
    }

    fn start_auth(&mut self, tag: Tag, name: &str, initial_response: Option<Bytes>) {
        let mechanism = Mechanism::from_name(name).filter(|m| self.offered_mechanisms().contains(m));
        let Some(mechanism) = mechanism else {
            self.status(Some(tag), StatusKind::No, None, "Unsupported authentication mechanism");
            return;
        };
        let mut config = SaslConfig::new();
        if is_scram(mechanism) {
            match self.next_nonce() {
                Some(n) => config = config.with_nonce(n),
                None => {
                    self.status(Some(tag), StatusKind::No, None, "Unsupported authentication mechanism");
                    return;
                }
            }
        }
        let sasl = match SaslServer::new(mechanism, config) {
            Ok(s) => s,
            Err(_) => {
                self.status(Some(tag), StatusKind::No, None, "Unsupported authentication mechanism");
                return;
            }
        };
        let challenge = sasl.initial_challenge();
        self.mode = Mode::Auth { tag, sasl: Box::new(sasl), awaiting_app: false, final_sent: false };
        match initial_response {
            Some(ir) => {
                let step = self.with_sasl(|s| s.step(&ir));
                self.sasl_step(step);
            }
            None => {
                let challenge = challenge.unwrap_or_default();
                self.continuation(&base64_simd::STANDARD.encode_to_string(&challenge));
            }
        }
    }

    fn with_sasl(
        &mut self,
        f: impl FnOnce(&mut SaslServer) -> Result<ServerStep, mailwire_sasl::SaslError>,
    ) -> Result<ServerStep, mailwire_sasl::SaslError> {
        match &mut self.mode {
            Mode::Auth { sasl, .. } => f(sasl),
            _ => Err(mailwire_sasl::SaslError::UnexpectedCall { call: "step", state: "not authenticating" }),
        }
    }

    /// A line from the client during AUTHENTICATE.
    fn auth_line(&mut self, line: &[u8]) {
        if let Mode::Auth { final_sent: true, .. } = &self.mode {
            // The empty answer to the server-final challenge.
            return self.auth_success_pending();
        }
        match AuthenticateData::parse(line) {
            Ok(AuthenticateData::Cancel) => self.auth_failed("Authentication cancelled", StatusKind::Bad),
            Ok(AuthenticateData::Response(bytes)) => {
                let step = self.with_sasl(|s| s.step(&bytes));
                self.sasl_step(step);
            }
            Err(_) => self.auth_failed("Invalid base64", StatusKind::Bad),
        }
    }

    fn sasl_step(&mut self, step: Result<ServerStep, mailwire_sasl::SaslError>) {
        match step {
            Ok(ServerStep::Challenge(c)) => {
                self.continuation(&base64_simd::STANDARD.encode_to_string(&c));
            }
            Ok(ServerStep::VerifyPassword { authzid, username, password }) => {
                self.set_awaiting();
                self.events.push_back(ServerEvent::VerifyPassword { authzid, username, password });
            }
            Ok(ServerStep::NeedSecret { username, .. }) => {
                self.set_awaiting();
                let mechanism = match &self.mode {
                    Mode::Auth { sasl, .. } => sasl.mechanism(),
                    _ => Mechanism::Plain,
                };
                self.events.push_back(ServerEvent::NeedSecret { mechanism, username });
            }
            Ok(ServerStep::VerifyToken { username, token, .. }) => {
                self.set_awaiting();
                self.events.push_back(ServerEvent::VerifyToken { username, token });
            }
            Ok(ServerStep::Success { authzid, username, final_data }) => {
                let who = authzid.unwrap_or(username);
                match final_data {
                    // SCRAM's server-final: as a challenge, then OK after
                    // the client's empty answer (the form every client
                    // knows).
                    Some(data) => {
                        self.continuation(&base64_simd::STANDARD.encode_to_string(&data));
                        if let Mode::Auth { final_sent, .. } = &mut self.mode {
                            *final_sent = true;
                        }
                        self.pending_user = Some(who);
                    }
                    None => {
                        let Mode::Auth { tag, .. } = std::mem::replace(&mut self.mode, Mode::Commands) else {
                            return;
                        };
                        self.login_result(tag, Some(who));
                    }
                }
            }
            Ok(ServerStep::Failure(_)) | Err(_) => self.auth_failed("Authentication failed", StatusKind::No),
        }
    }

    fn auth_success_pending(&mut self) {
        let Mode::Auth { tag, .. } = std::mem::replace(&mut self.mode, Mode::Commands) else { return };
        let who = self.pending_user.take();
        self.login_result(tag, who);
    }

    fn set_awaiting(&mut self) {
        if let Mode::Auth { awaiting_app, .. } = &mut self.mode {
            *awaiting_app = true;
        }
    }

    fn auth_failed(&mut self, text: &str, kind: StatusKind) {
        let Mode::Auth { tag, .. } = std::mem::replace(&mut self.mode, Mode::Commands) else { return };
        if kind == StatusKind::No {
            self.login_failed(tag);
        } else {
            self.status(Some(tag), kind, None, text);
        }
    }

    fn login_result(&mut self, tag: Tag, user: Option<String>) {
        match user {
            Some(username) => {
                self.state = State::Authenticated;
                let caps = self.capabilities();
                self.status(Some(tag), StatusKind::Ok, Some(Code::Capability(caps)), "Logged in");
                self.events.push_back(ServerEvent::Authenticated { username });
            }
            None => self.login_failed(tag),
        }
    }

    fn login_failed(&mut self, tag: Tag) {
        self.failed_logins += 1;
        self.status(Some(tag), StatusKind::No, Some(Code::AuthenticationFailed), "Authentication failed");
        if self.failed_logins >= self.config.max_failed_logins {
            self.bye("Too many failed logins");
        }
    }
}

fn is_scram(m: Mechanism) -> bool {
    matches!(m, Mechanism::ScramSha256 | Mechanism::ScramSha256Plus)
}

/// The tag a broken command started with, for its BAD answer.
fn leading_tag(input: &[u8]) -> Option<Tag> {
    let end = input.iter().position(|&b| !crate::chars::is_tag_char(b)).unwrap_or(input.len());
    if end == 0 || input.get(end) != Some(&b' ') {
        return None;
    }
    Tag::new(Bytes::copy_from_slice(&input[..end])).ok()
}

/// Whether the last complete line of `input` ends with a synchronising
/// literal header (the client waits, so refusing it loses nothing).
fn last_line_has_sync_literal(input: &[u8]) -> bool {
    let Some(nl) = input.iter().rposition(|&b| b == b'\n') else { return false };
    let line = &input[..nl];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let start = line.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    crate::frame::literal_header(&line[start..]).is_some_and(|h| h.synchronizing) && nl + 1 == input.len()
}
