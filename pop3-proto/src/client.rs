//! The client side of a POP3 session, sans-IO.
//!
//! The application owns the socket (and TLS). It feeds what it reads into
//! [`ClientSession::feed`], writes what [`ClientSession::poll_transmit`]
//! hands out, and reacts to [`ClientSession::poll_event`]. The session does
//! the AUTHORIZATION state by itself: it reads the greeting (and its APOP
//! timestamp), asks for CAPA, upgrades with STLS when offered or required
//! ([`ClientEvent::StartTls`] says when to switch the transport; what was
//! learnt before TLS is forgotten and CAPA asked again), and logs in with
//! the best method the server offers: SASL (SCRAM over CRAM-MD5 over
//! PLAIN/LOGIN), then APOP, then USER/PASS. Unless
//! [`ClientConfig::allow_plaintext_without_tls`] is set, no method that
//! sends the password in the clear is used on a connection without TLS.
//!
//! After [`ClientEvent::Ready`], each call ([`stat`](ClientSession::stat),
//! [`list`](ClientSession::list), [`retr`](ClientSession::retr), …) sends a
//! command — all at once when the server announced PIPELINING, one at a
//! time otherwise — and each answer comes back as a typed event, in order.
//! RETR and TOP stream: the message arrives in [`ClientEvent::MessageData`]
//! chunks with the byte-stuffing removed, then [`ClientEvent::MessageEnd`].
//!
//! ```
//! use mailwire_pop3::client::{ClientConfig, ClientEvent, ClientSession};
//! use mailwire_sasl::Credentials;
//!
//! let mut config = ClientConfig::new(Credentials::password("mrose", "tanstaaf"));
//! config.allow_plaintext_without_tls = true; // this example has no TLS
//! let mut c = ClientSession::new(config);
//! let server: [&[u8]; 6] = [
//!     b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
//!     b"-ERR unknown command\r\n", // an RFC 1939 server: no CAPA
//!     b"+OK maildrop has 1 message (369 octets)\r\n", // APOP accepted
//!     b"+OK 1 369\r\n",
//!     b"+OK 369 octets\r\nSubject: hi\r\n\r\n..dot\r\n.\r\n",
//!     b"+OK dewey POP3 server signing off\r\n",
//! ];
//! let mut sent = Vec::new();
//! let mut message = Vec::new();
//! for chunk in server {
//!     c.feed(chunk);
//!     while let Some(event) = c.poll_event() {
//!         match event {
//!             ClientEvent::Ready { .. } => {
//!                 c.stat().unwrap();
//!                 c.retr(1).unwrap();
//!                 c.quit().unwrap();
//!             }
//!             ClientEvent::Stat { count, size } => assert_eq!((count, size), (1, 369)),
//!             ClientEvent::MessageData { data, .. } => message.extend_from_slice(&data),
//!             _ => {}
//!         }
//!     }
//!     while let Some(bytes) = c.poll_transmit() {
//!         sent.extend_from_slice(&bytes);
//!     }
//! }
//! assert_eq!(message, b"Subject: hi\r\n\r\n.dot\r\n");
//! assert_eq!(
//!     String::from_utf8(sent).unwrap(),
//!     "CAPA\r\nAPOP mrose c4c9334bac560ecc979e58001b3e22fb\r\nSTAT\r\nRETR 1\r\nQUIT\r\n"
//! );
//! assert!(c.is_closed());
//! ```

use std::collections::VecDeque;
use std::fmt;

use mailwire_sasl::{
    ClientSession as SaslClient, ClientStep, Credentials, Mechanism, Nonce, SaslError, Secret,
};

use crate::apop;
use crate::capability::Capabilities;
use crate::command::{Command, InitialResponse, MAX_COMMAND_LEN};
use crate::multiline::Unstuffer;
use crate::response::{
    Language, Response, ResponseError, ResponseErrorKind, ScanListing, Status, UniqueId, parse_continuation,
};

/// When to use STLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartTls {
    /// Never.
    Never,
    /// When the server offers it.
    IfOffered,
    /// Always: a server that does not offer it is an error.
    Required,
}

/// How a client logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// AUTH with a SASL mechanism (RFC 5034).
    Sasl(Mechanism),
    /// APOP (RFC 1939 §7).
    Apop,
    /// USER and PASS.
    UserPass,
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthMethod::Sasl(m) => write!(f, "AUTH {m}"),
            AuthMethod::Apop => f.write_str("APOP"),
            AuthMethod::UserPass => f.write_str("USER/PASS"),
        }
    }
}

/// How the client behaves. [`ClientConfig::new`] gives the defaults: STLS
/// when offered, every login method, nothing in the clear without TLS,
/// pipelining when offered.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Who to log in as.
    pub credentials: Credentials,
    /// STLS policy.
    pub stls: StartTls,
    /// The transport is already TLS (implicit TLS, port 995).
    pub tls_active: bool,
    /// Allow USER/PASS and the SASL mechanisms that send the secret in the
    /// clear (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) without TLS.
    pub allow_plaintext_without_tls: bool,
    /// Try AUTH (SASL) when the server offers it.
    pub use_sasl: bool,
    /// Try APOP when the greeting has a timestamp.
    pub use_apop: bool,
    /// Try USER/PASS.
    pub use_user: bool,
    /// Send UTF8 (RFC 6856) before logging in when the server offers it.
    pub utf8: bool,
    /// Pipeline commands when the server offers PIPELINING.
    pub pipelining: bool,
    /// Random bytes for the SCRAM nonce (at least 16; sans-IO: none are
    /// drawn here). Without them SCRAM is not used.
    pub nonce: Vec<u8>,
    /// The longest response line accepted (default 64 KiB; RFC 2449 says
    /// 512 octets, which real servers exceed).
    pub max_line_len: usize,
    /// The most bytes a LIST, UIDL, CAPA or LANG answer may hold (default
    /// 64 MiB: about a million messages).
    pub max_listing_len: usize,
}

impl ClientConfig {
    /// The defaults, logging in with `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        ClientConfig {
            credentials,
            stls: StartTls::IfOffered,
            tls_active: false,
            allow_plaintext_without_tls: false,
            use_sasl: true,
            use_apop: true,
            use_user: true,
            utf8: false,
            pipelining: true,
            nonce: Vec::new(),
            max_line_len: 64 << 10,
            max_listing_len: 64 << 20,
        }
    }
}

/// What the session tells the application.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// A status line arrived (every one, for logs; multi-line data is not
    /// repeated here).
    Response(Response),
    /// The capabilities the server announced (after TLS, again).
    Capabilities(Capabilities),
    /// The `+OK` to STLS arrived: switch the transport to TLS, then call
    /// [`ClientSession::tls_established`].
    StartTls,
    /// Logged in; the session is in the TRANSACTION state.
    Authenticated(AuthMethod),
    /// Commands may be sent now.
    Ready {
        /// What the server announced (`None`: it does not know CAPA).
        capabilities: Option<Capabilities>,
    },
    /// STAT's answer.
    Stat {
        /// Messages in the maildrop (deleted ones not counted).
        count: u32,
        /// Their total size in octets.
        size: u64,
    },
    /// `LIST`'s answer: every message's size.
    Listing(Vec<ScanListing>),
    /// `LIST msg`'s answer.
    Scan(ScanListing),
    /// `UIDL`'s answer: every message's unique id.
    UniqueIds(Vec<UniqueId>),
    /// `UIDL msg`'s answer.
    UniqueId(UniqueId),
    /// `LANG`'s answer: the languages the server offers.
    Languages(Vec<Language>),
    /// A chunk of a message (RETR) or of its top (TOP), un-stuffed.
    MessageData {
        /// The message number.
        msg: u32,
        /// The bytes.
        data: Vec<u8>,
    },
    /// The message (or its top) is complete.
    MessageEnd {
        /// The message number.
        msg: u32,
    },
    /// A command without data in its answer succeeded (DELE, NOOP, RSET,
    /// `LANG tag`, QUIT).
    Done {
        /// The command.
        command: Command,
        /// The `+OK` line.
        response: Response,
    },
    /// The server answered a command `-ERR` (no such message, …). The
    /// session goes on, except after QUIT.
    Refused {
        /// The command.
        command: Command,
        /// The `-ERR` line, with its response code if any.
        response: Response,
    },
    /// Something went wrong that ends the session (after it, only
    /// [`ClientEvent::Closed`]).
    Failed(ClientError),
    /// The session is over: close the connection.
    Closed,
}

/// Why a session could not go on, or a call was refused.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClientError {
    /// The greeting was `-ERR`.
    Greeting(Response),
    /// STLS is required and the server does not offer it.
    StlsNotOffered,
    /// STLS was refused.
    Stls(Response),
    /// No login method fits: what the server offers needs the secret in
    /// the clear without TLS, or does not fit the credentials.
    NoAuthMethod {
        /// The SASL mechanisms offered.
        offered: Vec<String>,
        /// Whether a method was left out only because it sends the secret
        /// in the clear without TLS.
        plaintext_refused: bool,
    },
    /// The server refused the login; its response code says why
    /// (`[AUTH]`, `[IN-USE]`, `[LOGIN-DELAY]`, `[SYS/TEMP]`).
    Auth {
        /// How the client tried.
        method: AuthMethod,
        /// The `-ERR` line.
        response: Response,
    },
    /// The SASL exchange went wrong (a bad server message).
    Sasl(SaslError),
    /// A response could not be read.
    Protocol(ResponseError),
    /// The server sent something when nothing was asked.
    Unexpected(Response),
    /// An argument the command cannot carry (a message number of 0, a
    /// malformed language tag).
    InvalidArgument(&'static str),
    /// The call does not fit the session's state (a command before
    /// `Ready` or after QUIT, `tls_established` without STLS).
    NotReady,
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Greeting(r) => write!(f, "the server refused the session: {r}"),
            ClientError::StlsNotOffered => f.write_str("STLS is required but the server does not offer it"),
            ClientError::Stls(r) => write!(f, "STLS refused: {r}"),
            ClientError::NoAuthMethod { offered, plaintext_refused } => {
                write!(f, "no login method fits (SASL offered: {})", offered.join(" "))?;
                if *plaintext_refused {
                    f.write_str("; the others would send the password in the clear without TLS")?;
                }
                Ok(())
            }
            ClientError::Auth { method, response } => write!(f, "{method} login refused: {response}"),
            ClientError::Sasl(e) => write!(f, "SASL exchange failed: {e}"),
            ClientError::Protocol(e) => write!(f, "unreadable response: {e}"),
            ClientError::Unexpected(r) => write!(f, "unexpected response: {r}"),
            ClientError::InvalidArgument(why) => write!(f, "invalid argument: {why}"),
            ClientError::NotReady => f.write_str("the session is not ready for that"),
        }
    }
}

impl std::error::Error for ClientError {}

/// Where the session is.
#[derive(Debug)]
enum Phase {
    Greeting,
    Capa,
    Stls,
    AwaitingTls,
    Utf8,
    User,
    Pass,
    Apop,
    Sasl(Box<SaslClient>),
    /// Ready: transaction commands in flight, in order.
    Transaction,
    Closed,
}

/// How the data after a `+OK` line is read.
#[derive(Debug)]
enum Reading {
    /// Status lines.
    Status,
    /// A RETR or TOP body.
    Body { msg: u32, unstuffer: Unstuffer },
    /// The lines of a listing (LIST, UIDL, CAPA, LANG).
    Lines { lines: Vec<Vec<u8>>, size: usize },
}

/// One POP3 client session (one connection).
#[derive(Debug)]
pub struct ClientSession {
    config: ClientConfig,
    input: Vec<u8>,
    out: Vec<u8>,
    events: VecDeque<ClientEvent>,
    phase: Phase,
    reading: Reading,
    /// The command whose answer is being read (CAPA, AUTH list, or a
    /// transaction command).
    inflight: VecDeque<Command>,
    /// Commands waiting for the answer before them (no PIPELINING).
    queued: VecDeque<Command>,
    timestamp: Option<String>,
    caps: Option<Capabilities>,
    tls: bool,
    quit_sent: bool,
    closed: bool,
    /// An initial response too long for the AUTH line, sent at the first
    /// (empty) challenge.
    late_initial_response: Option<Vec<u8>>,
    /// The SASL exchange failed on our side; `*` was sent.
    sasl_error: Option<SaslError>,
}

impl ClientSession {
    /// A session for a new connection; it waits for the greeting.
    pub fn new(config: ClientConfig) -> Self {
        let tls = config.tls_active;
        ClientSession {
            config,
            input: Vec::new(),
            out: Vec::new(),
            events: VecDeque::new(),
            phase: Phase::Greeting,
            reading: Reading::Status,
            inflight: VecDeque::new(),
            queued: VecDeque::new(),
            timestamp: None,
            caps: None,
            tls,
            quit_sent: false,
            closed: false,
            late_initial_response: None,
            sasl_error: None,
        }
    }

    /// Bytes read from the server.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.closed || matches!(self.phase, Phase::AwaitingTls) {
            return;
        }
        if self.input.is_empty() {
            // Straight from the caller's buffer: a large RETR is not copied
            // into ours.
            let used = self.process(bytes);
            if !self.closed && !matches!(self.phase, Phase::AwaitingTls) {
                self.input.extend_from_slice(&bytes[used..]);
            }
        } else {
            self.input.extend_from_slice(bytes);
            let input = std::mem::take(&mut self.input);
            let used = self.process(&input);
            if !self.closed && !matches!(self.phase, Phase::AwaitingTls) {
                self.input = input;
                self.input.drain(..used);
            }
        }
        if !self.closed
            && !matches!(self.reading, Reading::Body { .. })
            && self.input.len() > self.config.max_line_len
        {
            self.fail(ClientError::Protocol(ResponseError::new(
                ResponseErrorKind::TooLong,
                self.input.len(),
            )));
        }
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

    /// Whether commands may be sent ([`ClientEvent::Ready`] came, QUIT not
    /// sent).
    pub fn is_ready(&self) -> bool {
        matches!(self.phase, Phase::Transaction) && !self.quit_sent && !self.closed
    }

    /// What the server announced in its last CAPA answer.
    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.caps.as_ref()
    }

    /// The APOP timestamp of the greeting, if it had one.
    pub fn apop_timestamp(&self) -> Option<&str> {
        self.timestamp.as_deref()
    }

    /// Whether the transport is TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// The transport is now TLS: ask CAPA again (RFC 2595 §4: the
    /// capabilities may change).
    pub fn tls_established(&mut self) -> Result<(), ClientError> {
        if !matches!(self.phase, Phase::AwaitingTls) {
            return Err(ClientError::NotReady);
        }
        self.tls = true;
        self.caps = None;
        self.input.clear();
        self.capa();
        Ok(())
    }

    /// `STAT`: answered by [`ClientEvent::Stat`].
    pub fn stat(&mut self) -> Result<(), ClientError> {
        self.request(Command::Stat)
    }

    /// `LIST` (every message: [`ClientEvent::Listing`]) or `LIST msg`
    /// ([`ClientEvent::Scan`]).
    pub fn list(&mut self, msg: Option<u32>) -> Result<(), ClientError> {
        check_number(msg)?;
        self.request(Command::List(msg))
    }

    /// `UIDL` ([`ClientEvent::UniqueIds`]) or `UIDL msg`
    /// ([`ClientEvent::UniqueId`]).
    pub fn uidl(&mut self, msg: Option<u32>) -> Result<(), ClientError> {
        check_number(msg)?;
        self.request(Command::Uidl(msg))
    }

    /// `RETR msg`: the message comes in [`ClientEvent::MessageData`]
    /// chunks, then [`ClientEvent::MessageEnd`].
    pub fn retr(&mut self, msg: u32) -> Result<(), ClientError> {
        check_number(Some(msg))?;
        self.request(Command::Retr(msg))
    }

    /// `TOP msg lines`: the header and `lines` lines of the body, as RETR.
    pub fn top(&mut self, msg: u32, lines: u32) -> Result<(), ClientError> {
        check_number(Some(msg))?;
        self.request(Command::Top { msg, lines })
    }

    /// `DELE msg`: [`ClientEvent::Done`]; removed only at QUIT.
    pub fn dele(&mut self, msg: u32) -> Result<(), ClientError> {
        check_number(Some(msg))?;
        self.request(Command::Dele(msg))
    }

    /// `NOOP`.
    pub fn noop(&mut self) -> Result<(), ClientError> {
        self.request(Command::Noop)
    }

    /// `RSET`: unmark the deleted messages.
    pub fn rset(&mut self) -> Result<(), ClientError> {
        self.request(Command::Rset)
    }

    /// `LANG` ([`ClientEvent::Languages`]) or `LANG tag` ([`ClientEvent::Done`]).
    pub fn lang(&mut self, tag: Option<&str>) -> Result<(), ClientError> {
        if tag.is_some_and(|t| {
            t.is_empty() || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'*')
        }) {
            return Err(ClientError::InvalidArgument("a language tag is letters, digits and hyphens, or *"));
        }
        self.request(Command::Lang(tag.map(str::to_string)))
    }

    /// `QUIT`: in the TRANSACTION state the server removes the deleted
    /// messages (UPDATE), then the session closes. Allowed at any time
    /// before the session is closed.
    pub fn quit(&mut self) -> Result<(), ClientError> {
        if self.closed || self.quit_sent {
            return Err(ClientError::NotReady);
        }
        if !matches!(self.phase, Phase::Transaction) {
            // Before login: say goodbye and stop.
            self.quit_sent = true;
            Command::Quit.write(&mut self.out);
            self.close();
            return Ok(());
        }
        self.request(Command::Quit)
    }

    fn request(&mut self, command: Command) -> Result<(), ClientError> {
        if !self.is_ready() {
            return Err(ClientError::NotReady);
        }
        if command == Command::Quit {
            self.quit_sent = true;
        }
        if self.pipelining() || (self.inflight.is_empty() && self.queued.is_empty()) {
            command.write(&mut self.out);
            self.inflight.push_back(command);
        } else {
            self.queued.push_back(command);
        }
        Ok(())
    }

    fn pipelining(&self) -> bool {
        self.config.pipelining && self.caps.as_ref().is_some_and(|c| c.pipelining)
    }

    /// Reads what `input` holds; returns how much of it was used.
    fn process(&mut self, input: &[u8]) -> usize {
        let mut pos = 0;
        while !self.closed && !matches!(self.phase, Phase::AwaitingTls) && pos < input.len() {
            if let Reading::Body { msg, unstuffer } = &mut self.reading {
                let msg = *msg;
                let mut data = Vec::new();
                pos += unstuffer.push(&input[pos..], &mut data);
                let done = unstuffer.is_done();
                if !data.is_empty() {
                    self.events.push_back(ClientEvent::MessageData { msg, data });
                }
                if done {
                    self.reading = Reading::Status;
                    self.events.push_back(ClientEvent::MessageEnd { msg });
                    self.complete();
                }
                continue;
            }
            let Some(nl) = memchr::memchr(b'\n', &input[pos..]) else { break };
            let line = &input[pos..pos + nl + 1];
            pos += nl + 1;
            if line.len() > self.config.max_line_len {
                self.fail(ClientError::Protocol(ResponseError::new(ResponseErrorKind::TooLong, line.len())));
                break;
            }
            if let Reading::Lines { lines, size } = &mut self.reading {
                let content = crate::command::strip_eol(line);
                if content == b"." {
                    let Reading::Lines { lines, .. } = std::mem::replace(&mut self.reading, Reading::Status)
                    else {
                        unreachable!()
                    };
                    self.listing(lines);
                    continue;
                }
                *size += line.len();
                if *size > self.config.max_listing_len {
                    let at = *size;
                    self.fail(ClientError::Protocol(ResponseError::new(ResponseErrorKind::TooLarge, at)));
                    break;
                }
                let content = content.strip_prefix(b".").unwrap_or(content);
                lines.push(content.to_vec());
                continue;
            }
            self.line(line);
        }
        pos
    }

    /// A status line (or an AUTH continuation).
    fn line(&mut self, line: &[u8]) {
        if let Phase::Sasl(_) = self.phase {
            if let Some(b64) = parse_continuation(line) {
                return self.challenge(b64);
            }
        }
        let response = match Response::parse(line) {
            Ok(r) => r,
            Err(e) => return self.fail(ClientError::Protocol(e)),
        };
        self.events.push_back(ClientEvent::Response(response.clone()));
        match std::mem::replace(&mut self.phase, Phase::Closed) {
            Phase::Greeting => self.greeting(response),
            Phase::Capa => self.capa_answer(response),
            Phase::Stls => {
                if response.is_ok() {
                    self.phase = Phase::AwaitingTls;
                    self.events.push_back(ClientEvent::StartTls);
                } else if self.config.stls == StartTls::Required {
                    self.fail(ClientError::Stls(response));
                } else {
                    self.after_tls_decision();
                }
            }
            Phase::AwaitingTls => {}
            Phase::Utf8 => self.authenticate(),
            Phase::User => {
                if response.is_ok() {
                    self.phase = Phase::Pass;
                    let Secret::Password(p) = &self.config.credentials.secret else { return };
                    Command::Pass(p.clone()).write(&mut self.out);
                } else {
                    self.fail(ClientError::Auth { method: AuthMethod::UserPass, response });
                }
            }
            Phase::Pass => self.login_answer(AuthMethod::UserPass, response),
            Phase::Apop => self.login_answer(AuthMethod::Apop, response),
            Phase::Sasl(mut sasl) => {
                let method = AuthMethod::Sasl(sasl.mechanism());
                if let Some(e) = self.sasl_error.take() {
                    // The answer to our `*`.
                    return self.fail(ClientError::Sasl(e));
                }
                if response.is_ok() {
                    if let Err(e) = sasl.finish(None) {
                        return self.fail(ClientError::Sasl(e));
                    }
                }
                self.login_answer(method, response);
            }
            Phase::Transaction => {
                self.phase = Phase::Transaction;
                self.transaction_answer(response);
            }
            Phase::Closed => {}
        }
    }

    fn greeting(&mut self, response: Response) {
        if !response.is_ok() {
            return self.fail(ClientError::Greeting(response));
        }
        self.timestamp = response.apop_timestamp().map(str::to_string);
        self.capa();
    }

    fn capa(&mut self) {
        self.phase = Phase::Capa;
        Command::Capa.write(&mut self.out);
    }

    fn capa_answer(&mut self, response: Response) {
        if response.is_ok() {
            self.phase = Phase::Capa;
            self.reading = Reading::Lines { lines: Vec::new(), size: 0 };
            return;
        }
        // An RFC 1939 server: no CAPA, nothing known.
        self.caps = None;
        self.after_capa();
    }

    fn listing(&mut self, lines: Vec<Vec<u8>>) {
        if let Phase::Capa = self.phase {
            let text: Vec<String> = lines.iter().map(|l| String::from_utf8_lossy(l).into_owned()).collect();
            let caps = Capabilities::parse(text.iter().map(String::as_str));
            self.events.push_back(ClientEvent::Capabilities(caps.clone()));
            self.caps = Some(caps);
            return self.after_capa();
        }
        let Some(command) = self.inflight.front().cloned() else { return };
        let event = match command {
            Command::List(None) => lines
                .iter()
                .map(|l| ScanListing::parse(l))
                .collect::<Result<_, _>>()
                .map(ClientEvent::Listing),
            Command::Uidl(None) => {
                lines.iter().map(|l| UniqueId::parse(l)).collect::<Result<_, _>>().map(ClientEvent::UniqueIds)
            }
            Command::Lang(None) => {
                lines.iter().map(|l| Language::parse(l)).collect::<Result<_, _>>().map(ClientEvent::Languages)
            }
            _ => {
                return self.fail(ClientError::Protocol(ResponseError::new(ResponseErrorKind::BadStatus, 0)));
            }
        };
        match event {
            Ok(e) => {
                self.events.push_back(e);
                self.complete();
            }
            Err(e) => self.fail(ClientError::Protocol(e)),
        }
    }

    fn after_capa(&mut self) {
        self.phase = Phase::Closed;
        let offered = self.caps.as_ref().is_some_and(|c| c.stls);
        if !self.tls && self.config.stls != StartTls::Never {
            if offered {
                self.phase = Phase::Stls;
                Command::Stls.write(&mut self.out);
                return;
            }
            if self.config.stls == StartTls::Required {
                return self.fail(ClientError::StlsNotOffered);
            }
        }
        self.after_tls_decision();
    }

    fn after_tls_decision(&mut self) {
        if self.config.utf8 && self.caps.as_ref().is_some_and(|c| c.utf8.is_some()) {
            self.phase = Phase::Utf8;
            Command::Utf8.write(&mut self.out);
            return;
        }
        self.authenticate();
    }

    /// Whether the secret may go in the clear.
    fn plaintext_ok(&self) -> bool {
        self.tls || self.config.allow_plaintext_without_tls
    }

    /// Picks the login method and sends its first command.
    fn authenticate(&mut self) {
        let creds = self.config.credentials.clone();
        let offered: Vec<String> = self.caps.as_ref().map(|c| c.sasl.clone()).unwrap_or_default();
        let mut plaintext_refused = false;
        if self.config.use_sasl {
            let usable: Vec<&str> = offered
                .iter()
                .map(String::as_str)
                .filter(|name| {
                    let Some(m) = Mechanism::from_name(name) else { return false };
                    if is_scram(m) && self.config.nonce.len() < 16 {
                        return false;
                    }
                    if m.sends_secret_in_clear() && !self.plaintext_ok() {
                        plaintext_refused |= m.supports(&creds);
                        return false;
                    }
                    true
                })
                .collect();
            if let Some(mech) = Mechanism::best(usable, &creds) {
                return self.start_sasl(mech, &creds);
            }
        }
        let password = match &creds.secret {
            Secret::Password(p) => Some(p.clone()),
            _ => None,
        };
        if let (true, Some(stamp), Some(password)) = (self.config.use_apop, &self.timestamp, &password) {
            let digest = apop::digest(stamp, password);
            self.phase = Phase::Apop;
            Command::Apop { name: creds.username.clone(), digest }.write(&mut self.out);
            return;
        }
        let user_offered = self.caps.as_ref().is_none_or(|c| c.user);
        if self.config.use_user && user_offered && password.is_some() {
            if self.plaintext_ok() {
                self.phase = Phase::User;
                Command::User(creds.username.clone()).write(&mut self.out);
                return;
            }
            plaintext_refused = true;
        }
        self.fail(ClientError::NoAuthMethod { offered, plaintext_refused });
    }

    fn start_sasl(&mut self, mech: Mechanism, creds: &Credentials) {
        let nonce = if is_scram(mech) { Nonce::from_random(&self.config.nonce).ok() } else { None };
        let mut sasl = match SaslClient::new(mech, creds, nonce) {
            Ok(s) => s,
            Err(e) => return self.fail(ClientError::Sasl(e)),
        };
        let name = mech.name().to_string();
        let mut command = Command::Auth { mechanism: Some(name.clone()), initial_response: None };
        if let Some(ir) = sasl.initial_response() {
            let initial_response = Some(if ir.is_empty() {
                InitialResponse::Empty
            } else {
                InitialResponse::Base64(base64_simd::STANDARD.encode_to_string(&ir))
            });
            let with_ir = Command::Auth { mechanism: Some(name), initial_response };
            // RFC 5034 §4: an initial response that would make the line
            // longer than 255 octets is sent after the server's empty
            // challenge instead.
            if with_ir.to_bytes().len() <= MAX_COMMAND_LEN {
                command = with_ir;
            } else {
                self.late_initial_response = Some(ir);
            }
        }
        command.write(&mut self.out);
        self.phase = Phase::Sasl(Box::new(sasl));
    }

    /// A `+ base64` challenge during AUTH.
    fn challenge(&mut self, b64: &[u8]) {
        let Phase::Sasl(sasl) = &mut self.phase else { return };
        if self.sasl_error.is_some() {
            return;
        }
        let step = match base64_simd::STANDARD.decode_to_vec(b64) {
            Ok(challenge) => {
                if let Some(ir) = self.late_initial_response.take() {
                    // The empty challenge that asks for the initial response.
                    self.out.extend_from_slice(base64_simd::STANDARD.encode_to_string(&ir).as_bytes());
                    self.out.extend_from_slice(b"\r\n");
                    return;
                }
                sasl.step(&challenge)
            }
            Err(_) => Err(SaslError::Malformed {
                mechanism: sasl.mechanism(),
                reason: "the challenge is not base64",
            }),
        };
        match step {
            Ok(ClientStep::Respond(bytes)) => {
                self.out.extend_from_slice(base64_simd::STANDARD.encode_to_string(&bytes).as_bytes());
                self.out.extend_from_slice(b"\r\n");
            }
            // SCRAM's server-final, verified: answer with an empty line.
            Ok(ClientStep::Done) => self.out.extend_from_slice(b"\r\n"),
            Err(e) => {
                // RFC 5034 §4: cancel with `*`; the server answers -ERR.
                self.sasl_error = Some(e);
                self.out.extend_from_slice(b"*\r\n");
            }
        }
    }

    fn login_answer(&mut self, method: AuthMethod, response: Response) {
        if !response.is_ok() {
            return self.fail(ClientError::Auth { method, response });
        }
        self.phase = Phase::Transaction;
        self.events.push_back(ClientEvent::Authenticated(method));
        self.events.push_back(ClientEvent::Ready { capabilities: self.caps.clone() });
    }

    /// The status line answering the oldest command in flight.
    fn transaction_answer(&mut self, response: Response) {
        let Some(command) = self.inflight.front().cloned() else {
            return self.fail(ClientError::Unexpected(response));
        };
        if response.status == Status::Err {
            self.events.push_back(ClientEvent::Refused { command, response });
            return self.complete();
        }
        match command {
            Command::Retr(msg) | Command::Top { msg, .. } => {
                self.reading = Reading::Body { msg, unstuffer: Unstuffer::new() };
            }
            Command::List(None) | Command::Uidl(None) | Command::Lang(None) => {
                self.reading = Reading::Lines { lines: Vec::new(), size: 0 };
            }
            Command::Stat => match response.stat() {
                Some((count, size)) => {
                    self.events.push_back(ClientEvent::Stat { count, size });
                    self.complete();
                }
                None => {
                    self.fail(ClientError::Protocol(ResponseError::new(ResponseErrorKind::BadListing, 4)))
                }
            },
            Command::List(Some(_)) => match ScanListing::parse(response.text.as_bytes()) {
                Ok(l) => {
                    self.events.push_back(ClientEvent::Scan(l));
                    self.complete();
                }
                Err(e) => self.fail(ClientError::Protocol(e)),
            },
            Command::Uidl(Some(_)) => match UniqueId::parse(response.text.as_bytes()) {
                Ok(u) => {
                    self.events.push_back(ClientEvent::UniqueId(u));
                    self.complete();
                }
                Err(e) => self.fail(ClientError::Protocol(e)),
            },
            command => {
                self.events.push_back(ClientEvent::Done { command, response });
                self.complete();
            }
        }
    }

    /// The oldest command in flight is fully answered.
    fn complete(&mut self) {
        let Some(done) = self.inflight.pop_front() else { return };
        if done == Command::Quit {
            return self.close();
        }
        if self.inflight.is_empty() {
            if let Some(next) = self.queued.pop_front() {
                next.write(&mut self.out);
                self.inflight.push_back(next);
            }
        }
    }

    fn fail(&mut self, error: ClientError) {
        if self.closed {
            return;
        }
        self.events.push_back(ClientEvent::Failed(error));
        if !self.quit_sent && !matches!(self.phase, Phase::AwaitingTls) {
            self.quit_sent = true;
            Command::Quit.write(&mut self.out);
        }
        self.close();
    }

    fn close(&mut self) {
        self.phase = Phase::Closed;
        self.closed = true;
        self.input.clear();
        self.events.push_back(ClientEvent::Closed);
    }
}

fn check_number(msg: Option<u32>) -> Result<(), ClientError> {
    if msg == Some(0) { Err(ClientError::InvalidArgument("message numbers start at 1")) } else { Ok(()) }
}

fn is_scram(m: Mechanism) -> bool {
    matches!(m, Mechanism::ScramSha256 | Mechanism::ScramSha256Plus)
}
