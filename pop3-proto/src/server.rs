//! The server side of a POP3 session, sans-IO.
//!
//! The application owns the socket (and TLS) and the mailbox. It feeds
//! what it reads into [`ServerSession::feed`], writes what
//! [`ServerSession::poll_transmit`] hands out, and answers the decisions
//! [`ServerSession::poll_event`] asks for. The session keeps RFC 1939's
//! states:
//!
//! - **AUTHORIZATION**: USER/PASS, APOP and AUTH (SASL) are checked by the
//!   application ([`ServerEvent::VerifyPassword`],
//!   [`ServerEvent::ApopSecret`], [`ServerEvent::NeedSecret`],
//!   [`ServerEvent::VerifyToken`]); STLS, CAPA, UTF8, LANG and QUIT are
//!   answered here. Failed logins are counted and end the session at
//!   [`ServerConfig::max_auth_failures`].
//! - Once the credentials are good, [`ServerEvent::OpenMaildrop`] asks the
//!   application to **lock** the maildrop (RFC 1939 §4: exclusive access)
//!   and list its messages ([`ServerSession::open_maildrop`]), or to refuse
//!   with `-ERR [IN-USE]` when another session holds the lock
//!   ([`ServerSession::reject`] with [`maildrop_in_use`]).
//! - **TRANSACTION**: STAT, LIST, UIDL, DELE, RSET and NOOP are answered
//!   from that listing; DELE only marks. RETR and TOP ask for the message
//!   ([`ServerEvent::Retrieve`]); the application hands its bytes over,
//!   whole or in chunks, and the session writes CRLF line ends, stuffs the
//!   dots and, for TOP, stops after the requested lines.
//! - **UPDATE**: QUIT in TRANSACTION gives [`ServerEvent::Update`] with the
//!   messages marked deleted; only then does the application remove them.
//!   A connection that ends any other way (no QUIT, a timeout) removes
//!   nothing. At [`ServerEvent::Closed`] the application releases the lock.
//!
//! While a decision is pending the session reads no further input
//! (pipelined commands wait in its buffer), so answers go out in order.
//!
//! ```
//! use mailwire_pop3::server::{MessageInfo, ServerConfig, ServerEvent, ServerSession};
//!
//! let mut config = ServerConfig::new("dewey.example");
//! config.plaintext_without_tls = true; // this example has no TLS
//! let mut s = ServerSession::new(config);
//! s.greet();
//! s.feed(b"USER mrose\r\nPASS tanstaaf\r\nSTAT\r\nRETR 1\r\nDELE 1\r\nQUIT\r\n");
//! let mut wire = Vec::new();
//! let mut removed = Vec::new();
//! loop {
//!     while let Some(bytes) = s.poll_transmit() {
//!         wire.extend_from_slice(&bytes);
//!     }
//!     match s.poll_event() {
//!         Some(ServerEvent::VerifyPassword { username, password, .. }) => {
//!             s.auth_password(username == "mrose" && password == "tanstaaf").unwrap()
//!         }
//!         Some(ServerEvent::OpenMaildrop { .. }) => {
//!             s.open_maildrop(vec![MessageInfo::new(21, "uid-1").unwrap()]).unwrap()
//!         }
//!         Some(ServerEvent::Retrieve { index, .. }) => {
//!             assert_eq!(index, 0);
//!             s.message(b"Subject: x\r\n\r\n.hi\r\n").unwrap();
//!         }
//!         Some(ServerEvent::Update { deleted }) => {
//!             removed = deleted;
//!             s.accept().unwrap();
//!         }
//!         Some(ServerEvent::Closed) => break,
//!         Some(_) => {}
//!         None => break,
//!     }
//! }
//! assert_eq!(removed.len(), 1);
//! assert_eq!(removed[0].uid, "uid-1");
//! let wire = String::from_utf8(wire).unwrap();
//! assert!(wire.starts_with("+OK dewey.example POP3 server ready\r\n"));
//! assert!(wire.contains("+OK 1 21\r\n+OK 21 octets\r\nSubject: x\r\n\r\n..hi\r\n.\r\n"));
//! assert!(wire.ends_with("+OK dewey.example POP3 server signing off (maildrop empty)\r\n"));
//! assert!(s.is_closed());
//! ```

use std::collections::VecDeque;
use std::fmt;

use mailwire_sasl::{Mechanism, ScramCredentials, ServerSession as SaslServer, ServerStep};

use crate::apop;
use crate::capability::{Capabilities, Expire, LoginDelay};
use crate::command::{Command, CommandErrorKind, InitialResponse, MAX_COMMAND_LEN};
use crate::multiline::Stuffer;
use crate::response::{Language, Response, ResponseCode, is_valid_uid};

/// What a server offers and allows. [`ServerConfig::new`] gives the
/// defaults: USER/PASS, no SASL, no STLS, no secret in the clear without
/// TLS, 10 bad commands, 3 failed logins.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The server's name, in the greeting and the sign-off.
    pub hostname: String,
    /// The greeting's text after `+OK` (default: `<hostname> POP3 server
    /// ready`).
    pub greeting: Option<String>,
    /// The APOP timestamp to put in the greeting (see
    /// [`apop::timestamp`]); `None`: no APOP.
    pub apop_timestamp: Option<String>,
    /// Offer STLS (the caller has a certificate).
    pub stls: bool,
    /// The transport is already TLS (implicit TLS, port 995).
    pub tls_active: bool,
    /// The SASL mechanisms AUTH offers.
    pub sasl_mechanisms: Vec<Mechanism>,
    /// Offer USER/PASS.
    pub user_pass: bool,
    /// Accept secrets in the clear (USER/PASS, PLAIN, LOGIN, XOAUTH2,
    /// OAUTHBEARER) without TLS. Off by default: such logins get
    /// `-ERR [AUTH]` before STLS.
    pub plaintext_without_tls: bool,
    /// `IMPLEMENTATION` text in CAPA, if any.
    pub implementation: Option<String>,
    /// `EXPIRE` in CAPA, if any.
    pub expire: Option<Expire>,
    /// `LOGIN-DELAY` in CAPA, if any (the application enforces it, with
    /// `-ERR [LOGIN-DELAY]` from [`ServerSession::reject`]).
    pub login_delay: Option<LoginDelay>,
    /// Offer the UTF8 command (RFC 6856).
    pub utf8: bool,
    /// The languages LANG offers (none: no LANG).
    pub languages: Vec<Language>,
    /// Bad commands (unknown, malformed, wrong state) before the session
    /// closes.
    pub max_errors: usize,
    /// Failed logins before the session closes.
    pub max_auth_failures: usize,
    /// Unprocessed input kept while a decision is pending; more ends the
    /// session. At least one AUTH line (a SASL message of
    /// [`mailwire_sasl::MAX_MESSAGE_LEN`] in base64, about 21.8 KB) is
    /// always accepted, whatever the value.
    pub max_buffered_input: usize,
    /// At least 16 random bytes from the application's CSPRNG, fresh for
    /// each session (sans-IO: no RNG here). Each AUTH draws its own SCRAM
    /// nonce from them (SHA-256 of these bytes and a counter), so one seed
    /// serves a whole session; [`ServerSession::set_nonce`] reseeds.
    /// Without them SCRAM is refused (`-ERR [SYS/TEMP]`).
    pub nonce: Vec<u8>,
}

impl ServerConfig {
    /// The defaults for a server named `hostname`.
    pub fn new(hostname: impl Into<String>) -> Self {
        ServerConfig {
            hostname: hostname.into(),
            greeting: None,
            apop_timestamp: None,
            stls: false,
            tls_active: false,
            sasl_mechanisms: Vec::new(),
            user_pass: true,
            plaintext_without_tls: false,
            implementation: None,
            expire: None,
            login_delay: None,
            utf8: false,
            languages: Vec::new(),
            max_errors: 10,
            max_auth_failures: 3,
            max_buffered_input: 64 << 10,
            nonce: Vec::new(),
        }
    }
}

/// A message of the maildrop, as the application lists it when the
/// maildrop is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageInfo {
    /// Its size in octets with CRLF line ends (see
    /// [`multiline::wire_size`](crate::multiline::wire_size)).
    pub size: u64,
    /// Its unique id: stable across sessions, 1 to 70 characters in
    /// 0x21..=0x7E.
    pub uid: String,
}

impl MessageInfo {
    /// A message of `size` octets with unique id `uid`; `None` if the uid
    /// is not valid.
    pub fn new(size: u64, uid: impl Into<String>) -> Option<MessageInfo> {
        let uid = uid.into();
        is_valid_uid(&uid).then_some(MessageInfo { size, uid })
    }
}

/// A message marked deleted, handed over at UPDATE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deleted {
    /// Its message number (1-based).
    pub msg: u32,
    /// Its index in the list given to [`ServerSession::open_maildrop`].
    pub index: usize,
    /// Its unique id.
    pub uid: String,
}

/// How a client logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginMethod {
    /// USER and PASS.
    UserPass,
    /// APOP.
    Apop,
    /// AUTH with a SASL mechanism.
    Sasl(Mechanism),
}

/// What the session tells the application. Those marked *decision* wait
/// for the answer named (or [`ServerSession::reject`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerEvent {
    /// *Decision*: check a password (USER/PASS, AUTH PLAIN or LOGIN);
    /// answer [`ServerSession::auth_password`].
    VerifyPassword {
        /// The authorisation identity, if the client asked for one.
        authzid: Option<String>,
        /// The user.
        username: String,
        /// The password.
        password: String,
    },
    /// *Decision*: APOP needs the user's secret in the clear; answer
    /// [`ServerSession::auth_apop`] (`None`: no such user).
    ApopSecret {
        /// The user.
        username: String,
    },
    /// *Decision*: SCRAM needs the user's stored keys (answer
    /// [`ServerSession::auth_scram`]), CRAM-MD5 the password (answer
    /// [`ServerSession::auth_cram_password`]).
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
    /// *Decision*: the credentials are good. Lock the maildrop for
    /// exclusive access and list its messages
    /// ([`ServerSession::open_maildrop`]), or refuse
    /// ([`ServerSession::reject`], e.g. [`maildrop_in_use`]).
    OpenMaildrop {
        /// The user whose maildrop to open (the authorisation identity if
        /// one was given and accepted, else the login name).
        username: String,
        /// How the user logged in.
        method: LoginMethod,
    },
    /// *Decision*: RETR or TOP. Answer with the message's bytes as stored
    /// ([`ServerSession::message`], or [`ServerSession::message_chunk`]
    /// then [`ServerSession::message_end`]), or refuse.
    Retrieve {
        /// The message number.
        msg: u32,
        /// Its index in the list given to [`ServerSession::open_maildrop`].
        index: usize,
        /// Its unique id.
        uid: String,
        /// TOP: the number of body lines wanted (the session cuts).
        top: Option<u32>,
    },
    /// *Decision*: QUIT in TRANSACTION: remove these messages now, then
    /// [`ServerSession::accept`] (or refuse: `-ERR`, and nothing should
    /// have been removed).
    Update {
        /// The messages marked deleted (possibly none).
        deleted: Vec<Deleted>,
    },
    /// The `+OK` to STLS is in the transmit queue: write it, switch the
    /// transport to TLS, then call [`ServerSession::tls_established`].
    StartTls,
    /// The session is over: write what is left, close the connection and
    /// release the maildrop's lock.
    Closed,
}

/// A call that does not fit the session's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerError {
    /// No decision of that kind is pending.
    NoDecisionPending,
    /// [`tls_established`](ServerSession::tls_established) without STLS.
    NotStartingTls,
    /// An answer that does not fit (a `+OK` given to `reject`, an invalid
    /// unique id, …).
    BadAnswer(&'static str),
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::NoDecisionPending => f.write_str("no decision of that kind is pending"),
            ServerError::NotStartingTls => f.write_str("no STLS is in progress"),
            ServerError::BadAnswer(why) => write!(f, "answer does not fit the decision: {why}"),
        }
    }
}

impl std::error::Error for ServerError {}

/// `-ERR [IN-USE]`: another session holds the maildrop's lock.
pub fn maildrop_in_use() -> Response {
    Response::err_with(ResponseCode::InUse, "Mailbox is locked by another POP3 session")
}

/// `-ERR [SYS/TEMP]`: a temporary problem (the message cannot be read,
/// the maildrop cannot be opened now).
pub fn temporary_failure(text: impl Into<String>) -> Response {
    Response::err_with(ResponseCode::SysTemp, text)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pending {
    /// A credential check; `method` for the maildrop after it.
    Credentials {
        method: LoginMethod,
        apop: Option<(String, String)>,
    },
    Maildrop {
        username: String,
        method: LoginMethod,
    },
    Retrieve {
        msg: u32,
        top: Option<u32>,
        started: bool,
        stuffer: Box<Stuffer>,
    },
    Update,
}

#[derive(Debug)]
enum Mode {
    Commands,
    /// Reading SASL responses.
    Auth(Box<SaslServer>),
    /// SCRAM's server-final was sent; the client answers with an empty
    /// line before the `+OK`.
    AuthFinal {
        username: String,
        authzid: Option<String>,
        mechanism: Mechanism,
    },
    /// Discarding an overlong line up to its end.
    Discard,
    StartingTls,
    Closed,
}

#[derive(Debug, Clone)]
struct Entry {
    info: MessageInfo,
    deleted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Authorization { user: Option<String> },
    Transaction,
    Update,
}

/// The longest AUTH response line: a SASL message of
/// [`mailwire_sasl::MAX_MESSAGE_LEN`] in base64, and CRLF.
const MAX_AUTH_LINE: usize = mailwire_sasl::MAX_MESSAGE_LEN / 3 * 4 + 8;

/// One POP3 server session (one connection).
#[derive(Debug)]
pub struct ServerSession {
    config: ServerConfig,
    input: Vec<u8>,
    out: Vec<u8>,
    events: VecDeque<ServerEvent>,
    mode: Mode,
    state: State,
    pending: Option<Pending>,
    maildrop: Vec<Entry>,
    greeted: bool,
    tls: bool,
    utf8: bool,
    language: Option<String>,
    errors: usize,
    auth_failures: usize,
    /// Nonces drawn from `config.nonce` so far.
    nonces_drawn: u64,
}

impl ServerSession {
    /// A session for a new connection. Nothing is sent until
    /// [`greet`](Self::greet).
    pub fn new(config: ServerConfig) -> Self {
        let tls = config.tls_active;
        ServerSession {
            config,
            input: Vec::new(),
            out: Vec::new(),
            events: VecDeque::new(),
            mode: Mode::Commands,
            state: State::Authorization { user: None },
            pending: None,
            maildrop: Vec::new(),
            greeted: false,
            tls,
            utf8: false,
            language: None,
            errors: 0,
            auth_failures: 0,
            nonces_drawn: 0,
        }
    }

    /// Sends the greeting (with the APOP timestamp, if configured).
    pub fn greet(&mut self) {
        if self.greeted {
            return;
        }
        self.greeted = true;
        let mut text = self
            .config
            .greeting
            .clone()
            .unwrap_or_else(|| format!("{} POP3 server ready", self.config.hostname));
        if let Some(stamp) = &self.config.apop_timestamp {
            text.push(' ');
            text.push_str(stamp);
        }
        self.send(&Response::ok(text));
        self.run();
    }

    /// Bytes read from the client.
    pub fn feed(&mut self, bytes: &[u8]) {
        if matches!(self.mode, Mode::Closed | Mode::StartingTls) {
            return;
        }
        self.input.extend_from_slice(bytes);
        if self.greeted {
            self.run();
        }
        if self.input.len() > self.config.max_buffered_input.max(MAX_AUTH_LINE) && !self.is_closed() {
            self.input.clear();
            self.send(&Response::err("Too much input while waiting, closing"));
            self.close();
        }
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

    /// Whether the transport is TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether the client entered UTF-8 mode (RFC 6856).
    pub fn is_utf8(&self) -> bool {
        self.utf8
    }

    /// The language the client chose with LANG, if any.
    pub fn language(&self) -> Option<&str> {
        self.language.as_deref()
    }

    /// New random bytes to draw SASL nonces from (at least 16).
    pub fn set_nonce(&mut self, random: &[u8]) {
        self.config.nonce = random.to_vec();
        self.nonces_drawn = 0;
    }

    /// A nonce for one AUTH: distinct for every AUTH of the session.
    fn next_nonce(&mut self) -> Option<mailwire_sasl::Nonce> {
        let nonce =
            mailwire_sasl::Nonce::derive(&self.config.nonce, "mailwire-pop3 SASL nonce", self.nonces_drawn)
                .ok()?;
        self.nonces_drawn += 1;
        Some(nonce)
    }

    /// The transport is now TLS.
    pub fn tls_established(&mut self) -> Result<(), ServerError> {
        if !matches!(self.mode, Mode::StartingTls) {
            return Err(ServerError::NotStartingTls);
        }
        self.tls = true;
        self.mode = Mode::Commands;
        self.input.clear();
        self.run();
        Ok(())
    }

    /// Answers [`ServerEvent::VerifyPassword`].
    pub fn auth_password(&mut self, ok: bool) -> Result<(), ServerError> {
        if matches!(self.pending, Some(Pending::Credentials { method: LoginMethod::UserPass, .. })) {
            self.credentials_result(ok, None);
            return Ok(());
        }
        self.sasl_answer(|s| s.password_result(ok))
    }

    /// Answers [`ServerEvent::ApopSecret`] with the user's secret (`None`:
    /// no such user; the client sees the same failure as a wrong digest).
    pub fn auth_apop(&mut self, secret: Option<&str>) -> Result<(), ServerError> {
        let Some(Pending::Credentials { apop: Some((username, digest)), .. }) = &self.pending else {
            return Err(ServerError::NoDecisionPending);
        };
        let stamp = self.config.apop_timestamp.as_deref().unwrap_or_default();
        let ok = secret.is_some_and(|s| apop::verify(stamp, s, digest));
        let username = username.clone();
        self.credentials_result(ok, Some(username));
        Ok(())
    }

    /// Answers [`ServerEvent::NeedSecret`] for SCRAM (`None`: no such user).
    pub fn auth_scram(&mut self, creds: Option<ScramCredentials>) -> Result<(), ServerError> {
        self.sasl_answer(|s| match creds {
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

    /// Answers [`ServerEvent::OpenMaildrop`]: the maildrop is locked and
    /// holds these messages (message 1 first). The session enters
    /// TRANSACTION.
    pub fn open_maildrop(&mut self, messages: Vec<MessageInfo>) -> Result<(), ServerError> {
        let Some(Pending::Maildrop { username, .. }) = &self.pending else {
            return Err(ServerError::NoDecisionPending);
        };
        let owner = username.clone();
        if u32::try_from(messages.len()).is_err() {
            return Err(ServerError::BadAnswer("more than 2^32-1 messages"));
        }
        if messages.iter().any(|m| !is_valid_uid(&m.uid)) {
            return Err(ServerError::BadAnswer("a unique id is not 1 to 70 printable ASCII characters"));
        }
        self.pending = None;
        self.maildrop = messages.into_iter().map(|info| Entry { info, deleted: false }).collect();
        self.state = State::Transaction;
        let (count, size) = self.totals();
        // RFC 2449 §4: a response line is at most 512 octets; a long login
        // name is cut.
        let owner: String = owner.chars().take(64).collect();
        let text = format!("{owner}'s maildrop has {count} message{} ({size} octets)", plural(count));
        self.send(&Response::ok(text));
        self.run();
        Ok(())
    }

    /// Answers [`ServerEvent::Retrieve`] with the whole message, as stored.
    pub fn message(&mut self, bytes: &[u8]) -> Result<(), ServerError> {
        self.message_chunk(bytes)?;
        self.message_end()
    }

    /// Answers [`ServerEvent::Retrieve`] with the next chunk of the
    /// message. Returns `false` when TOP has all it needs (further chunks
    /// are ignored; call [`message_end`](Self::message_end)). Write out
    /// [`poll_transmit`](Self::poll_transmit) between chunks to keep
    /// memory flat.
    pub fn message_chunk(&mut self, bytes: &[u8]) -> Result<bool, ServerError> {
        let Some(Pending::Retrieve { msg, top, started, stuffer }) = &mut self.pending else {
            return Err(ServerError::NoDecisionPending);
        };
        if !*started {
            *started = true;
            let line = match top {
                Some(_) => Response::ok(""),
                None => {
                    let size = self.maildrop[*msg as usize - 1].info.size;
                    Response::ok(format!("{size} octets"))
                }
            };
            line.write(&mut self.out);
        }
        stuffer.push(bytes, &mut self.out);
        Ok(!stuffer.is_full())
    }

    /// Ends the answer to [`ServerEvent::Retrieve`].
    pub fn message_end(&mut self) -> Result<(), ServerError> {
        if !matches!(self.pending, Some(Pending::Retrieve { .. })) {
            return Err(ServerError::NoDecisionPending);
        }
        self.message_chunk(&[])?;
        let Some(Pending::Retrieve { mut stuffer, .. }) = self.pending.take() else {
            return Err(ServerError::NoDecisionPending);
        };
        stuffer.finish(&mut self.out);
        self.run();
        Ok(())
    }

    /// Answers [`ServerEvent::Update`]: the deleted messages are removed.
    pub fn accept(&mut self) -> Result<(), ServerError> {
        if self.pending != Some(Pending::Update) {
            return Err(ServerError::NoDecisionPending);
        }
        self.pending = None;
        let left = self.maildrop.iter().filter(|e| !e.deleted).count();
        let status = if left == 0 {
            "maildrop empty".to_string()
        } else {
            format!("{left} message{} left", plural(left))
        };
        self.send(&Response::ok(format!("{} POP3 server signing off ({status})", self.config.hostname)));
        self.close();
        Ok(())
    }

    /// Refuses the pending decision with `response` (a `-ERR` line): a
    /// maildrop that cannot be locked ([`maildrop_in_use`]), a message
    /// that cannot be read, an UPDATE that failed, a login refused for a
    /// reason of the application's own (`[LOGIN-DELAY]`, `[SYS/TEMP]`; not
    /// counted as a failed login).
    pub fn reject(&mut self, response: Response) -> Result<(), ServerError> {
        if response.is_ok() {
            return Err(ServerError::BadAnswer("a refusal is a -ERR response"));
        }
        match self.pending.take() {
            None => return Err(ServerError::NoDecisionPending),
            Some(Pending::Retrieve { started: true, .. }) => {
                // Too late for -ERR: the +OK is out. Nothing can repair the
                // answer but closing.
                self.send(&Response::err("message could not be read in full, closing"));
                self.close();
                return Ok(());
            }
            Some(Pending::Update) => {
                self.send(&response);
                self.close();
                return Ok(());
            }
            Some(Pending::Credentials { .. } | Pending::Maildrop { .. }) => {
                self.mode = Mode::Commands;
                self.state = State::Authorization { user: None };
            }
            Some(Pending::Retrieve { .. }) => {}
        }
        self.send(&response);
        self.run();
        Ok(())
    }

    fn sasl_answer(
        &mut self,
        f: impl FnOnce(&mut SaslServer) -> Result<ServerStep, mailwire_sasl::SaslError>,
    ) -> Result<(), ServerError> {
        if !matches!(self.pending, Some(Pending::Credentials { method: LoginMethod::Sasl(_), .. })) {
            return Err(ServerError::NoDecisionPending);
        }
        let Mode::Auth(sasl) = &mut self.mode else { return Err(ServerError::NoDecisionPending) };
        let step =
            f(sasl).map_err(|_| ServerError::BadAnswer("the SASL exchange does not expect that answer"))?;
        self.pending = None;
        self.sasl_step(step);
        self.run();
        Ok(())
    }

    /// The result of a USER/PASS or APOP check.
    fn credentials_result(&mut self, ok: bool, username: Option<String>) {
        let Some(Pending::Credentials { method, .. }) = self.pending.take() else { return };
        let username = match (username, &self.state) {
            (Some(u), _) => u,
            (None, State::Authorization { user: Some(u) }) => u.clone(),
            _ => String::new(),
        };
        if ok {
            self.credentials_ok(username, method);
        } else {
            self.login_failed();
        }
        self.run();
    }

    fn credentials_ok(&mut self, username: String, method: LoginMethod) {
        self.pending = Some(Pending::Maildrop { username: username.clone(), method });
        self.events.push_back(ServerEvent::OpenMaildrop { username, method });
    }

    fn login_failed(&mut self) {
        self.state = State::Authorization { user: None };
        self.auth_failures += 1;
        if self.auth_failures >= self.config.max_auth_failures {
            self.send(&Response::err_with(
                ResponseCode::Auth,
                "Authentication failed; too many failures, closing",
            ));
            return self.close();
        }
        self.send(&Response::err_with(ResponseCode::Auth, "Authentication failed"));
    }

    /// Processes buffered input while no decision is pending.
    fn run(&mut self) {
        while self.pending.is_none() && !matches!(self.mode, Mode::Closed | Mode::StartingTls) {
            let limit = match self.mode {
                Mode::Auth(_) | Mode::AuthFinal { .. } => MAX_AUTH_LINE,
                // AUTH lines may carry an initial response up to the
                // same size (some clients ignore RFC 5034's 255).
                _ => MAX_AUTH_LINE.max(MAX_COMMAND_LEN),
            };
            let Some(nl) = memchr::memchr(b'\n', &self.input) else {
                if self.input.len() > limit {
                    self.input.clear();
                    if !matches!(self.mode, Mode::Discard) {
                        self.mode = Mode::Discard;
                    }
                }
                break;
            };
            let line: Vec<u8> = self.input.drain(..=nl).collect();
            match std::mem::replace(&mut self.mode, Mode::Commands) {
                Mode::Discard => self.bad("Line too long"),
                Mode::Auth(sasl) => {
                    self.mode = Mode::Auth(sasl);
                    self.auth_line(&line);
                }
                Mode::AuthFinal { username, authzid, mechanism } => {
                    if crate::command::strip_eol(&line).is_empty() {
                        self.sasl_success(username, authzid, mechanism);
                    } else {
                        self.login_failed();
                    }
                }
                Mode::Commands => {
                    if line.len() > limit {
                        self.bad("Line too long");
                    } else {
                        self.command_line(&line);
                    }
                }
                mode @ (Mode::StartingTls | Mode::Closed) => self.mode = mode,
            }
        }
    }

    fn command_line(&mut self, line: &[u8]) {
        let command = match Command::parse(line) {
            Ok(c) => c,
            Err(e) => {
                return match e.kind {
                    CommandErrorKind::Unknown(_) | CommandErrorKind::Empty => self.bad("Unknown command"),
                    _ => self.bad(&e.to_string()),
                };
            }
        };
        if command.keyword() != "AUTH" && line.len() > MAX_COMMAND_LEN {
            return self.bad("Line too long");
        }
        match self.state.clone() {
            State::Authorization { user } => self.authorization(command, user),
            State::Transaction => self.transaction(command),
            State::Update => {}
        }
    }

    fn authorization(&mut self, command: Command, user: Option<String>) {
        // PASS must follow USER directly (RFC 1939 §7).
        self.state = State::Authorization { user: None };
        match command {
            Command::Capa => self.capa(),
            Command::Quit => {
                self.send(&Response::ok(format!("{} POP3 server signing off", self.config.hostname)));
                self.close();
            }
            Command::Noop => self.send(&Response::ok("")),
            Command::User(name) => {
                if !self.config.user_pass {
                    return self.bad("USER is not supported; use AUTH");
                }
                if !self.plaintext_ok() {
                    return self.plaintext_refused();
                }
                self.state = State::Authorization { user: Some(name) };
                self.send(&Response::ok(""));
            }
            Command::Pass(password) => {
                let Some(username) = user else { return self.bad("No username given; send USER first") };
                self.state = State::Authorization { user: Some(username.clone()) };
                self.pending = Some(Pending::Credentials { method: LoginMethod::UserPass, apop: None });
                self.events.push_back(ServerEvent::VerifyPassword { authzid: None, username, password });
            }
            Command::Apop { name, digest } => {
                if self.config.apop_timestamp.is_none() {
                    return self.bad("APOP is not supported");
                }
                self.pending = Some(Pending::Credentials {
                    method: LoginMethod::Apop,
                    apop: Some((name.clone(), digest)),
                });
                self.events.push_back(ServerEvent::ApopSecret { username: name });
            }
            Command::Auth { mechanism: None, .. } => {
                let mechanisms = self.offered_mechanisms();
                let mut lines: Vec<String> = mechanisms.iter().map(|m| m.name().to_string()).collect();
                lines.push(".".into());
                self.send(&Response::ok(""));
                for l in lines {
                    self.out.extend_from_slice(l.as_bytes());
                    self.out.extend_from_slice(b"\r\n");
                }
            }
            Command::Auth { mechanism: Some(m), initial_response } => self.auth(&m, initial_response),
            Command::Stls => {
                if self.tls || !self.config.stls {
                    return self.bad("STLS is not available");
                }
                self.send(&Response::ok("Begin TLS negotiation"));
                // Whatever the client sent after STLS was sent in the
                // clear: it must not be read as if it came over TLS.
                self.input.clear();
                self.mode = Mode::StartingTls;
                self.events.push_back(ServerEvent::StartTls);
            }
            Command::Utf8 => {
                if !self.config.utf8 {
                    return self.bad("UTF8 is not supported");
                }
                self.utf8 = true;
                self.send(&Response::ok("UTF8 enabled"));
            }
            Command::Lang(tag) => self.lang(tag),
            _ => self.bad("Not allowed before login"),
        }
    }

    fn transaction(&mut self, command: Command) {
        match command {
            Command::Stat => {
                let (count, size) = self.totals();
                self.send(&Response::ok(format!("{count} {size}")));
            }
            Command::List(None) => {
                let (count, size) = self.totals();
                self.send(&Response::ok(format!("{count} message{} ({size} octets)", plural(count))));
                let listing: Vec<String> =
                    self.live().map(|(msg, e)| format!("{msg} {}", e.info.size)).collect();
                self.lines(listing);
            }
            Command::List(Some(msg)) => {
                if let Some(e) = self.message_at(msg) {
                    let size = e.info.size;
                    self.send(&Response::ok(format!("{msg} {size}")));
                }
            }
            Command::Uidl(None) => {
                self.send(&Response::ok(""));
                let listing: Vec<String> =
                    self.live().map(|(msg, e)| format!("{msg} {}", e.info.uid)).collect();
                self.lines(listing);
            }
            Command::Uidl(Some(msg)) => {
                if let Some(e) = self.message_at(msg) {
                    let uid = e.info.uid.clone();
                    self.send(&Response::ok(format!("{msg} {uid}")));
                }
            }
            Command::Retr(msg) => self.retrieve(msg, None),
            Command::Top { msg, lines } => self.retrieve(msg, Some(lines)),
            Command::Dele(msg) => {
                if self.message_at(msg).is_some() {
                    self.maildrop[msg as usize - 1].deleted = true;
                    self.send(&Response::ok(format!("message {msg} deleted")));
                }
            }
            Command::Rset => {
                self.maildrop.iter_mut().for_each(|e| e.deleted = false);
                let (count, size) = self.totals();
                self.send(&Response::ok(format!(
                    "maildrop has {count} message{} ({size} octets)",
                    plural(count)
                )));
            }
            Command::Noop => self.send(&Response::ok("")),
            Command::Capa => self.capa(),
            Command::Lang(tag) => self.lang(tag),
            Command::Quit => {
                self.state = State::Update;
                let deleted = self
                    .maildrop
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.deleted)
                    .map(|(index, e)| Deleted { msg: index as u32 + 1, index, uid: e.info.uid.clone() })
                    .collect();
                self.pending = Some(Pending::Update);
                self.events.push_back(ServerEvent::Update { deleted });
            }
            _ => self.bad("Not allowed after login"),
        }
    }

    fn retrieve(&mut self, msg: u32, top: Option<u32>) {
        let Some(e) = self.message_at(msg) else { return };
        let uid = e.info.uid.clone();
        let stuffer = Box::new(top.map_or_else(Stuffer::new, Stuffer::top));
        self.pending = Some(Pending::Retrieve { msg, top, started: false, stuffer });
        self.events.push_back(ServerEvent::Retrieve { msg, index: msg as usize - 1, uid, top });
    }

    /// The message `msg` if it exists and is not deleted; otherwise the
    /// `-ERR` is sent.
    fn message_at(&mut self, msg: u32) -> Option<&Entry> {
        match self.maildrop.get((msg as usize).wrapping_sub(1)) {
            Some(e) if e.deleted => {
                self.send(&Response::err(format!("message {msg} already deleted")));
                None
            }
            Some(_) => self.maildrop.get(msg as usize - 1),
            None => {
                self.send(&Response::err("no such message"));
                None
            }
        }
    }

    fn live(&self) -> impl Iterator<Item = (usize, &Entry)> {
        self.maildrop.iter().enumerate().filter(|(_, e)| !e.deleted).map(|(i, e)| (i + 1, e))
    }

    fn totals(&self) -> (usize, u64) {
        self.live().fold((0, 0), |(n, s), (_, e)| (n + 1, s.saturating_add(e.info.size)))
    }

    /// Writes the lines of a multi-line answer, stuffed, and the end.
    fn lines(&mut self, lines: Vec<String>) {
        for l in lines {
            if l.starts_with('.') {
                self.out.push(b'.');
            }
            self.out.extend_from_slice(l.as_bytes());
            self.out.extend_from_slice(b"\r\n");
        }
        self.out.extend_from_slice(b".\r\n");
    }

    fn capabilities(&self) -> Capabilities {
        let authorization = matches!(self.state, State::Authorization { .. });
        Capabilities {
            top: true,
            user: self.config.user_pass && authorization,
            sasl: if authorization {
                self.offered_mechanisms().iter().map(|m| m.name().to_string()).collect()
            } else {
                Vec::new()
            },
            resp_codes: true,
            auth_resp_code: true,
            login_delay: self.config.login_delay,
            pipelining: true,
            expire: self.config.expire,
            uidl: true,
            implementation: self.config.implementation.clone(),
            stls: authorization && self.config.stls && !self.tls,
            utf8: (self.config.utf8 && authorization).then_some(false),
            lang: !self.config.languages.is_empty(),
            other: Vec::new(),
        }
    }

    fn capa(&mut self) {
        self.send(&Response::ok("Capability list follows"));
        let lines = self.capabilities().lines();
        self.lines(lines);
    }

    fn lang(&mut self, tag: Option<String>) {
        if self.config.languages.is_empty() {
            return self.bad("LANG is not supported");
        }
        match tag {
            None => {
                self.send(&Response::ok("Language listing follows"));
                let lines =
                    self.config.languages.iter().map(|l| format!("{} {}", l.tag, l.description)).collect();
                self.lines(lines);
            }
            Some(t) if t == "*" => {
                let first = self.config.languages[0].tag.clone();
                self.send(&Response::ok(format!("{first} language chosen")));
                self.language = Some(first);
            }
            Some(t) => match self.config.languages.iter().find(|l| l.tag.eq_ignore_ascii_case(&t)) {
                Some(l) => {
                    let tag = l.tag.clone();
                    self.send(&Response::ok(format!("{tag} language chosen")));
                    self.language = Some(tag);
                }
                None => self.send(&Response::err("Unknown language")),
            },
        }
    }

    fn plaintext_ok(&self) -> bool {
        self.tls || self.config.plaintext_without_tls
    }

    fn plaintext_refused(&mut self) {
        self.send(&Response::err_with(
            ResponseCode::Auth,
            "Plaintext authentication disallowed on non-secure connections; use STLS",
        ));
    }

    /// The SASL mechanisms offered now: those sending the secret in the
    /// clear only over TLS (or when allowed).
    fn offered_mechanisms(&self) -> Vec<Mechanism> {
        let plaintext_ok = self.plaintext_ok();
        self.config
            .sasl_mechanisms
            .iter()
            .copied()
            .filter(|&m| plaintext_ok || !m.sends_secret_in_clear())
            .collect()
    }

    fn auth(&mut self, mechanism: &str, initial: Option<InitialResponse>) {
        let Some(mech) = Mechanism::from_name(mechanism).filter(|m| self.config.sasl_mechanisms.contains(m))
        else {
            return self.bad("Unsupported authentication mechanism");
        };
        if !self.offered_mechanisms().contains(&mech) {
            return self.plaintext_refused();
        }
        if initial.is_some() && !mech.has_initial_response() {
            return self.bad("This mechanism takes no initial response");
        }
        let mut sasl_config =
            mailwire_sasl::ServerConfig::default().with_hostname(self.config.hostname.clone());
        if let Some(nonce) = self.next_nonce() {
            sasl_config = sasl_config.with_nonce(nonce);
        }
        let sasl = match SaslServer::new(mech, sasl_config) {
            Ok(s) => s,
            Err(_) => return self.send(&temporary_failure("Authentication is not available now")),
        };
        self.mode = Mode::Auth(Box::new(sasl));
        match initial {
            Some(InitialResponse::Empty) => self.auth_response(b""),
            Some(InitialResponse::Base64(b64)) => self.auth_response(b64.as_bytes()),
            None => {
                let Mode::Auth(s) = &self.mode else { return };
                let challenge = s.initial_challenge().unwrap_or_default();
                self.challenge(&challenge);
            }
        }
    }

    fn challenge(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(b"+ ");
        self.out.extend_from_slice(base64_simd::STANDARD.encode_to_string(bytes).as_bytes());
        self.out.extend_from_slice(b"\r\n");
    }

    fn auth_line(&mut self, line: &[u8]) {
        let text = crate::command::strip_eol(line);
        if text == b"*" {
            self.mode = Mode::Commands;
            return self.send(&Response::err("Authentication cancelled"));
        }
        self.auth_response(text);
    }

    fn auth_response(&mut self, b64: &[u8]) {
        let Ok(bytes) = base64_simd::STANDARD.decode_to_vec(b64) else {
            self.mode = Mode::Commands;
            return self.bad("Invalid base64 data");
        };
        let Mode::Auth(sasl) = &mut self.mode else { return };
        match sasl.step(&bytes) {
            Ok(step) => self.sasl_step(step),
            Err(_) => {
                self.mode = Mode::Commands;
                self.login_failed();
            }
        }
    }

    fn sasl_step(&mut self, step: ServerStep) {
        let mechanism = match &self.mode {
            Mode::Auth(s) => s.mechanism(),
            _ => Mechanism::Plain,
        };
        let method = LoginMethod::Sasl(mechanism);
        match step {
            ServerStep::Challenge(c) => self.challenge(&c),
            ServerStep::VerifyPassword { authzid, username, password } => {
                self.pending = Some(Pending::Credentials { method, apop: None });
                self.events.push_back(ServerEvent::VerifyPassword { authzid, username, password });
            }
            ServerStep::NeedSecret { username, .. } => {
                self.pending = Some(Pending::Credentials { method, apop: None });
                self.events.push_back(ServerEvent::NeedSecret { mechanism, username });
            }
            ServerStep::VerifyToken { username, token, .. } => {
                self.pending = Some(Pending::Credentials { method, apop: None });
                self.events.push_back(ServerEvent::VerifyToken { username, token });
            }
            ServerStep::Success { authzid, username, final_data } => {
                if let Some(data) = final_data {
                    // RFC 5034 §4: no data with +OK; SCRAM's server-final
                    // goes as a challenge the client answers empty.
                    self.challenge(&data);
                    self.mode = Mode::AuthFinal { username, authzid, mechanism };
                    return;
                }
                self.mode = Mode::Commands;
                self.sasl_success(username, authzid, mechanism);
            }
            ServerStep::Failure(_) => {
                self.mode = Mode::Commands;
                self.login_failed();
            }
        }
    }

    fn sasl_success(&mut self, username: String, authzid: Option<String>, mechanism: Mechanism) {
        self.mode = Mode::Commands;
        self.credentials_ok(authzid.unwrap_or(username), LoginMethod::Sasl(mechanism));
    }

    /// A bad command: `-ERR`, counted; too many close the session.
    fn bad(&mut self, text: &str) {
        self.errors += 1;
        if self.errors >= self.config.max_errors {
            self.send(&Response::err("Too many bad commands, closing"));
            return self.close();
        }
        self.send(&Response::err(text));
    }

    fn send(&mut self, response: &Response) {
        response.write(&mut self.out);
    }

    fn close(&mut self) {
        self.mode = Mode::Closed;
        self.pending = None;
        self.input.clear();
        self.events.push_back(ServerEvent::Closed);
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
