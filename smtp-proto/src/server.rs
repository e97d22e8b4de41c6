//! The server side of an SMTP or LMTP session, sans-IO.
//!
//! The application owns the socket (and TLS). It feeds what it reads into
//! [`ServerSession::feed`], writes what [`ServerSession::poll_transmit`]
//! hands out, and answers the decisions [`ServerSession::poll_event`]
//! asks for: each MAIL FROM, each RCPT TO, each message, each credential
//! check. While a decision is pending the session reads no further input
//! (pipelined commands wait in its buffer) and sends no further replies,
//! so replies always go out in command order.
//!
//! ```
//! use mailwire_smtp::server::{ServerConfig, ServerEvent, ServerSession};
//!
//! let mut s = ServerSession::new(ServerConfig::new("mx.example.org"));
//! s.greet();
//! s.feed(b"EHLO client.example\r\n");
//! // After the EHLO reply (PIPELINING offered): one pipelined group.
//! s.feed(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
//! let mut wire = Vec::new();
//! loop {
//!     while let Some(bytes) = s.poll_transmit() {
//!         wire.extend_from_slice(&bytes);
//!     }
//!     match s.poll_event() {
//!         Some(ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. }) => s.accept().unwrap(),
//!         Some(ServerEvent::Message { envelope, data }) => {
//!             assert_eq!(envelope.recipients[0].0.to_string(), "<b@example.org>");
//!             assert_eq!(data, b"Hi\r\n");
//!             s.accept().unwrap();
//!         }
//!         Some(_) => {}
//!         None if !wire.ends_with(b"354 Start mail input; end with <CRLF>.<CRLF>\r\n") => break,
//!         None => s.feed(b"Hi\r\n.\r\nQUIT\r\n"),
//!     }
//! }
//! let wire = String::from_utf8(wire).unwrap();
//! let lines: Vec<&str> = wire.lines().collect();
//! assert_eq!(lines[0], "220 mx.example.org ESMTP mailwire");
//! assert_eq!(lines[1], "250-mx.example.org Hello");
//! assert_eq!(
//!     &lines[lines.len() - 5..],
//!     [
//!         "250 2.1.0 Ok",
//!         "250 2.1.5 Ok",
//!         "354 Start mail input; end with <CRLF>.<CRLF>",
//!         "250 2.0.0 Ok: queued",
//!         "221 2.0.0 mx.example.org closing connection",
//!     ]
//! );
//! assert!(s.is_closed());
//! ```

use std::collections::VecDeque;
use std::fmt;

use mailwire_sasl::{Mechanism, ScramCredentials, ServerSession as SaslServer, ServerStep};

use crate::capability::{Capabilities, Capability};
use crate::command::{Body, Command, CommandError, ForwardPath, Limits, MailParams, RcptParams, ReversePath};
use crate::data::DotUnstuffer;
use crate::enhanced::{Class, EnhancedCode};
use crate::reply::{Reply, ReplyCode};

/// What a server offers and allows. [`ServerConfig::new`] gives the
/// defaults: every extension but STARTTLS and AUTH, 25 MiB messages, 100
/// recipients (RFC 5321 §4.5.3.1.8's minimum), 10 errors.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The name in the greeting and in EHLO.
    pub hostname: String,
    /// Text after `220 <hostname> ESMTP` in the greeting.
    pub greeting: String,
    /// LMTP (RFC 2033): LHLO instead of EHLO/HELO, one reply per recipient
    /// after the data.
    pub lmtp: bool,
    /// The largest message accepted, announced as SIZE.
    pub max_message_size: usize,
    /// The most recipients in one transaction (more get 452 4.5.3).
    pub max_recipients: usize,
    /// Errors (bad syntax, bad sequence) before the session answers 421
    /// and closes.
    pub max_errors: usize,
    /// Command line limits.
    pub limits: Limits,
    /// Announce STARTTLS (the caller has a certificate).
    pub starttls: bool,
    /// The transport is already TLS (implicit TLS, port 465).
    pub tls_active: bool,
    /// SASL mechanisms to offer.
    pub auth_mechanisms: Vec<Mechanism>,
    /// Offer AUTH before TLS too (default: only over TLS, RFC 4954 §4).
    pub auth_without_tls: bool,
    /// Refuse MAIL before AUTH (530 5.7.0), for submission servers.
    pub auth_required: bool,
    /// Announce PIPELINING (RFC 2920).
    pub pipelining: bool,
    /// Announce CHUNKING and BINARYMIME (RFC 3030).
    pub chunking: bool,
    /// Announce 8BITMIME (RFC 6152).
    pub eightbitmime: bool,
    /// Announce SMTPUTF8 (RFC 6531).
    pub smtputf8: bool,
    /// Announce DSN (RFC 3461).
    pub dsn: bool,
    /// Announce ENHANCEDSTATUSCODES (RFC 2034); replies carry them anyway
    /// only when announced.
    pub enhanced_status_codes: bool,
    /// Refuse (554 5.5.0, then close) a client that sends more before a
    /// reply it must wait for: any command when PIPELINING was not
    /// offered, or one after a command that ends a pipelined group (RFC
    /// 2920 §3.1). Spam engines do this; compliant clients never do.
    /// Authenticated clients are exempt, as in Postfix's
    /// `smtpd_forbid_unauth_pipelining`.
    pub reject_improper_pipelining: bool,
    /// Unprocessed input kept while a decision is pending, at most; more
    /// ends the session (421).
    pub max_buffered_input: usize,
    /// Randomness source for SASL nonces: the application refills it with
    /// [`ServerSession::set_nonce`] before each AUTH (sans-IO: no RNG here).
    pub nonce: Vec<u8>,
}

impl ServerConfig {
    /// The defaults for a server named `hostname`.
    pub fn new(hostname: impl Into<String>) -> Self {
        ServerConfig {
            hostname: hostname.into(),
            greeting: "mailwire".into(),
            lmtp: false,
            max_message_size: 25 << 20,
            max_recipients: 100,
            max_errors: 10,
            // DSN needs at least 1036 octets (RFC 3461 §5); 2048 as Postfix.
            limits: Limits { max_line_len: 2048, ..Limits::RFC5321 },
            starttls: false,
            tls_active: false,
            auth_mechanisms: Vec::new(),
            auth_without_tls: false,
            auth_required: false,
            pipelining: true,
            chunking: true,
            eightbitmime: true,
            smtputf8: true,
            dsn: true,
            enhanced_status_codes: true,
            reject_improper_pipelining: true,
            max_buffered_input: 1 << 20,
            nonce: Vec::new(),
        }
    }
}

/// The envelope of a message: what MAIL and RCPT said, and how the client
/// got there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The name the client gave in EHLO/HELO/LHLO.
    pub helo: String,
    /// Whether the client used EHLO (or LHLO) rather than HELO.
    pub extended: bool,
    /// MAIL FROM.
    pub from: ReversePath,
    /// MAIL parameters.
    pub mail_params: MailParams,
    /// Accepted recipients, in order.
    pub recipients: Vec<(ForwardPath, RcptParams)>,
    /// Whether the session was under TLS.
    pub tls: bool,
    /// The authenticated user, if any.
    pub authenticated: Option<String>,
    /// Whether the data came by BDAT (CHUNKING) rather than DATA.
    pub chunked: bool,
}

/// What the session tells the application. Those marked *decision* wait
/// for [`ServerSession::accept`] or [`ServerSession::reject`] (or, for
/// AUTH, the calls named).
#[derive(Debug)]
#[non_exhaustive]
pub enum ServerEvent {
    /// The client said EHLO/HELO/LHLO (already answered).
    Hello {
        /// The name it gave.
        domain: String,
        /// EHLO or LHLO.
        extended: bool,
    },
    /// *Decision*: MAIL FROM. Accepting answers 250 2.1.0.
    Mail {
        /// The reverse-path.
        from: ReversePath,
        /// Its parameters.
        params: MailParams,
    },
    /// *Decision*: RCPT TO. Accepting answers 250 2.1.5.
    Rcpt {
        /// The forward-path.
        to: ForwardPath,
        /// Its parameters.
        params: RcptParams,
    },
    /// *Decision*: a whole message. Accepting answers 250 2.0.0 (in LMTP,
    /// once per recipient; or answer each with
    /// [`ServerSession::reply_per_recipient`]).
    Message {
        /// Who sent it, to whom.
        envelope: Envelope,
        /// The message, un-stuffed, exactly as the client sent it.
        data: Vec<u8>,
    },
    /// The 220 to STARTTLS is in the transmit queue: write it, switch the
    /// transport to TLS, then call [`ServerSession::tls_established`].
    StartTls,
    /// *Decision*: check a password (PLAIN, LOGIN); answer
    /// [`ServerSession::auth_password`].
    VerifyPassword {
        /// The authorisation identity, if the client asked for one.
        authzid: Option<String>,
        /// The user.
        username: String,
        /// The password.
        password: String,
    },
    /// *Decision*: SCRAM needs the user's stored keys (answer
    /// [`ServerSession::auth_scram`]) and CRAM-MD5 the user's password
    /// (answer [`ServerSession::auth_cram_password`]).
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
    /// AUTH succeeded (235 sent).
    Authenticated {
        /// The user.
        username: String,
        /// The authorisation identity, if any.
        authzid: Option<String>,
    },
    /// The session is over (QUIT, too many errors, or a fatal error): write
    /// what is left to transmit and close the connection.
    Closed,
}

/// A call that does not fit the session's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerError {
    /// [`accept`](ServerSession::accept) or [`reject`](ServerSession::reject)
    /// with no decision pending, or the wrong kind of answer for it.
    NoDecisionPending,
    /// [`tls_established`](ServerSession::tls_established) without a
    /// STARTTLS in progress.
    NotStartingTls,
    /// A reply with the wrong count or class for the decision.
    BadAnswer(&'static str),
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::NoDecisionPending => f.write_str("no decision of that kind is pending"),
            ServerError::NotStartingTls => f.write_str("no STARTTLS is in progress"),
            ServerError::BadAnswer(why) => write!(f, "answer does not fit the decision: {why}"),
        }
    }
}

impl std::error::Error for ServerError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Mail,
    Rcpt,
    Message,
    Auth,
}

#[derive(Debug)]
enum Mode {
    /// Reading command lines.
    Commands,
    /// Reading DATA.
    Data(DotUnstuffer),
    /// Reading a BDAT chunk: bytes still to read, and whether it is the
    /// last.
    Bdat { remaining: u64, last: bool, refused: Option<Reply> },
    /// Discarding an overlong command line up to its end (`auth`: an AUTH
    /// command or a SASL response, answered 500 5.5.6).
    Discard { auth: bool },
    /// Reading SASL responses.
    Auth(Box<SaslServer>),
    /// SCRAM's server-final was sent; the client answers with an empty
    /// line before the 235.
    AuthFinal { username: String, authzid: Option<String> },
    /// Waiting for the transport to become TLS.
    StartingTls,
    /// Over.
    Closed,
}

#[derive(Debug, Default)]
struct Transaction {
    from: Option<(ReversePath, MailParams)>,
    recipients: Vec<(ForwardPath, RcptParams)>,
    pending_rcpt: Option<(ForwardPath, RcptParams)>,
    data: Vec<u8>,
    chunked: bool,
}

/// One SMTP or LMTP server session (one connection).
#[derive(Debug)]
pub struct ServerSession {
    config: ServerConfig,
    input: Vec<u8>,
    out: Vec<u8>,
    events: VecDeque<ServerEvent>,
    mode: Mode,
    pending: Option<Pending>,
    greeted: bool,
    early_talker: bool,
    helo: Option<(String, bool)>,
    tls: bool,
    authenticated: Option<String>,
    tx: Transaction,
    errors: usize,
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
            pending: None,
            greeted: false,
            early_talker: false,
            helo: None,
            tls,
            authenticated: None,
            tx: Transaction::default(),
            errors: 0,
        }
    }

    /// Sends the greeting (a server may wait a little first, to catch
    /// clients that talk before it: those get 554 and the session closes).
    pub fn greet(&mut self) {
        if self.greeted {
            return;
        }
        self.greeted = true;
        if self.early_talker {
            // RFC 5321 §3.1: a 554 greeting, then 503 to everything but QUIT.
            let reply = Reply::new(
                ReplyCode::TRANSACTION_FAILED,
                enh(5, 5, 1),
                &format!("{} Protocol error: command sent before the greeting", self.config.hostname),
            );
            self.send(&reply);
            return;
        }
        let kind = if self.config.lmtp { "LMTP" } else { "ESMTP" };
        let text = format!("{} {kind} {}", self.config.hostname, self.config.greeting);
        self.send(&Reply::new(ReplyCode::SERVICE_READY, None, text.trim_end()));
        self.process();
    }

    /// Bytes read from the client.
    pub fn feed(&mut self, bytes: &[u8]) {
        if matches!(self.mode, Mode::Closed) || bytes.is_empty() {
            return;
        }
        if !self.greeted {
            self.early_talker = true;
            return;
        }
        if matches!(self.mode, Mode::StartingTls) {
            // Plaintext after STARTTLS and before the handshake is an
            // injection attempt (CVE-2011-0411): dropped.
            return;
        }
        self.input.extend_from_slice(bytes);
        if self.input.len() > self.config.max_buffered_input && self.pending.is_some() {
            self.send(&Reply::new(
                ReplyCode::SERVICE_NOT_AVAILABLE,
                enh(4, 7, 0),
                "Too much pipelined input",
            ));
            self.close();
            return;
        }
        self.process();
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

    /// Fresh randomness for the next SASL exchange's nonce or challenge.
    pub fn set_nonce(&mut self, random: &[u8]) {
        self.config.nonce = random.to_vec();
    }

    /// Accepts the pending MAIL, RCPT or message.
    pub fn accept(&mut self) -> Result<(), ServerError> {
        let reply = match self.pending {
            Some(Pending::Mail) => Reply::new(ReplyCode::OK, enh(2, 1, 0), "Ok"),
            Some(Pending::Rcpt) => Reply::new(ReplyCode::OK, enh(2, 1, 5), "Ok"),
            Some(Pending::Message) if self.config.lmtp => {
                let n = self.tx.recipients.len();
                let ok = Reply::new(ReplyCode::OK, enh(2, 0, 0), "Ok: delivered");
                return self.reply_per_recipient(vec![ok; n]);
            }
            Some(Pending::Message) => Reply::new(ReplyCode::OK, enh(2, 0, 0), "Ok: queued"),
            _ => return Err(ServerError::NoDecisionPending),
        };
        self.answer(reply, true);
        Ok(())
    }

    /// Refuses the pending MAIL, RCPT or message with `reply` (a 4xx or
    /// 5xx).
    pub fn reject(&mut self, reply: Reply) -> Result<(), ServerError> {
        if !matches!(self.pending, Some(Pending::Mail | Pending::Rcpt | Pending::Message)) {
            return Err(ServerError::NoDecisionPending);
        }
        if reply.code.get() < 400 {
            return Err(ServerError::BadAnswer("a rejection is a 4xx or 5xx reply"));
        }
        if self.pending == Some(Pending::Message) && self.config.lmtp {
            let n = self.tx.recipients.len();
            return self.reply_per_recipient(vec![reply; n]);
        }
        self.answer(reply, false);
        Ok(())
    }

    /// LMTP: one reply per accepted recipient, in RCPT order.
    pub fn reply_per_recipient(&mut self, replies: Vec<Reply>) -> Result<(), ServerError> {
        if self.pending != Some(Pending::Message) || !self.config.lmtp {
            return Err(ServerError::NoDecisionPending);
        }
        if replies.len() != self.tx.recipients.len() {
            return Err(ServerError::BadAnswer("one reply per accepted recipient"));
        }
        for r in &replies {
            self.send(r);
        }
        self.pending = None;
        self.tx = Transaction::default();
        self.process();
        Ok(())
    }

    /// Answers [`ServerEvent::VerifyPassword`].
    pub fn auth_password(&mut self, ok: bool) -> Result<(), ServerError> {
        self.auth_answer(|s| s.password_result(ok))
    }

    /// Answers [`ServerEvent::NeedSecret`] for SCRAM (`None`: no such user;
    /// the exchange runs to its end and fails without saying so).
    pub fn auth_scram(&mut self, creds: Option<ScramCredentials>) -> Result<(), ServerError> {
        self.auth_answer(|s| match creds {
            Some(c) => s.provide_scram(c),
            None => s.unknown_user(),
        })
    }

    /// Answers [`ServerEvent::NeedSecret`] for CRAM-MD5 (`None`: no such
    /// user).
    pub fn auth_cram_password(&mut self, password: Option<&str>) -> Result<(), ServerError> {
        self.auth_answer(|s| match password {
            Some(p) => s.provide_password(p),
            None => s.unknown_user(),
        })
    }

    /// Answers [`ServerEvent::VerifyToken`].
    pub fn auth_token(&mut self, ok: bool) -> Result<(), ServerError> {
        self.auth_answer(|s| {
            s.token_result(if ok {
                Ok(())
            } else {
                Err(mailwire_sasl::oauth_error_json("invalid_token", None, None))
            })
        })
    }

    /// The transport is now TLS: the session starts over (RFC 3207 §4.2:
    /// the client must say EHLO again, and nothing from before is kept).
    pub fn tls_established(&mut self) -> Result<(), ServerError> {
        if !matches!(self.mode, Mode::StartingTls) {
            return Err(ServerError::NotStartingTls);
        }
        self.tls = true;
        self.mode = Mode::Commands;
        self.helo = None;
        self.authenticated = None;
        self.tx = Transaction::default();
        self.input.clear();
        Ok(())
    }

    fn auth_answer(
        &mut self,
        f: impl FnOnce(&mut SaslServer) -> Result<ServerStep, mailwire_sasl::SaslError>,
    ) -> Result<(), ServerError> {
        if self.pending != Some(Pending::Auth) {
            return Err(ServerError::NoDecisionPending);
        }
        let Mode::Auth(sasl) = &mut self.mode else { return Err(ServerError::NoDecisionPending) };
        let step =
            f(sasl).map_err(|_| ServerError::BadAnswer("the SASL exchange does not expect that answer"))?;
        self.pending = None;
        self.sasl_step(step);
        self.process();
        Ok(())
    }

    /// Sends the decision's reply and moves on.
    fn answer(&mut self, reply: Reply, accepted: bool) {
        match self.pending.take() {
            Some(Pending::Mail) if !accepted => self.tx.from = None,
            Some(Pending::Rcpt) => {
                let rcpt = self.tx.pending_rcpt.take();
                if let (true, Some(r)) = (accepted, rcpt) {
                    self.tx.recipients.push(r);
                }
            }
            Some(Pending::Message) => self.tx = Transaction::default(),
            _ => {}
        }
        self.send(&reply);
        self.process();
    }

    fn send(&mut self, reply: &Reply) {
        if self.config.enhanced_status_codes {
            reply.write(&mut self.out);
        } else {
            reply.write_without_enhanced(&mut self.out);
        }
    }

    fn close(&mut self) {
        self.mode = Mode::Closed;
        // A decision still pending dies with the session: answering it
        // must not send anything after the last reply.
        self.pending = None;
        self.input.clear();
        self.events.push_back(ServerEvent::Closed);
    }

    fn error(&mut self, reply: Reply) {
        self.send(&reply);
        self.errors += 1;
        if self.errors >= self.config.max_errors {
            self.send(&Reply::new(
                ReplyCode::SERVICE_NOT_AVAILABLE,
                enh(4, 7, 0),
                &format!("{} Too many errors, closing connection", self.config.hostname),
            ));
            self.close();
        }
    }

    /// Works through buffered input until it runs out or a decision is
    /// needed.
    fn process(&mut self) {
        while self.pending.is_none() && !self.input.is_empty() {
            match &mut self.mode {
                Mode::Closed | Mode::StartingTls => {
                    self.input.clear();
                    return;
                }
                Mode::Data(dec) => {
                    let used = dec.feed(&self.input, &mut self.tx.data);
                    let done = dec.is_done();
                    self.input.drain(..used);
                    if done {
                        self.end_of_data();
                    }
                }
                Mode::Bdat { remaining, .. } => {
                    let take = usize::try_from(*remaining).unwrap_or(usize::MAX).min(self.input.len());
                    let room = self.config.max_message_size.saturating_sub(self.tx.data.len());
                    self.tx.data.extend_from_slice(&self.input[..take.min(room)]);
                    if take > room {
                        // Counted past the limit so the 552 comes after the chunk.
                        self.tx.data.push(0);
                    }
                    self.input.drain(..take);
                    *remaining -= take as u64;
                    if *remaining == 0 {
                        self.end_of_chunk();
                    }
                }
                Mode::Discard { auth } => match memchr::memchr(b'\n', &self.input) {
                    Some(i) => {
                        let detail = if *auth { 6 } else { 2 };
                        self.input.drain(..=i);
                        self.mode = Mode::Commands;
                        self.error(Reply::new(ReplyCode::SYNTAX_ERROR, enh(5, 5, detail), "Line too long"));
                    }
                    None => self.input.clear(),
                },
                Mode::Commands | Mode::Auth(_) | Mode::AuthFinal { .. } => {
                    let nl = memchr::memchr(b'\n', &self.input);
                    let line_len = nl.unwrap_or(self.input.len());
                    if line_len > self.config.limits.longest_line() {
                        // Too long, whether its end is here yet or not: the
                        // same reply either way, however the input was split.
                        let sasl = matches!(self.mode, Mode::Auth(_) | Mode::AuthFinal { .. });
                        let auth = sasl
                            || matches!(
                                self.config.limits.check_line(&self.input[..line_len]),
                                Err(CommandError::LineTooLong { auth: true, .. })
                            );
                        self.mode = Mode::Discard { auth };
                        continue;
                    }
                    let Some(nl) = nl else { return };
                    let line: Vec<u8> = self.input.drain(..=nl).collect();
                    if matches!(self.mode, Mode::Auth(_) | Mode::AuthFinal { .. }) {
                        self.auth_line(&line);
                    } else {
                        self.command_line(&line);
                    }
                }
            }
        }
    }

    fn command_line(&mut self, line: &[u8]) {
        // A command ended by a bare LF is read as if it ended in CRLF, as
        // Postfix does; in message data only CRLF . CRLF ends the data.
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let cmd = match Command::parse_with(line, &self.config.limits) {
            Ok(cmd) => cmd,
            Err(CommandError::Empty) => {
                return self.error(Reply::new(ReplyCode::SYNTAX_ERROR, enh(5, 5, 2), "Error: bad syntax"));
            }
            Err(e) => {
                let (code, (c, s, d)) = e.reply_code();
                let code = ReplyCode::new(code).unwrap_or(ReplyCode::SYNTAX_ERROR);
                return self.error(Reply::new(code, enh(c, s, d), &e.to_string()));
            }
        };
        if self.early_talker && cmd != Command::Quit {
            return self.error(Reply::new(
                ReplyCode::BAD_SEQUENCE,
                enh(5, 5, 1),
                "Error: no SMTP service here",
            ));
        }
        let must_wait = self.must_wait_after(&cmd);
        self.dispatch(cmd);
        // A client that did not wait for the reply where it must (RFC 2920
        // §3.1; every command when PIPELINING was not offered) is refused.
        if must_wait && !self.input.is_empty() && !self.is_closed() && !matches!(self.mode, Mode::StartingTls)
        {
            self.input.clear();
            // The decision the command asked for is moot now.
            self.events.retain(|e| {
                !matches!(
                    e,
                    ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. } | ServerEvent::Message { .. }
                )
            });
            self.send(&Reply::new(
                ReplyCode::TRANSACTION_FAILED,
                enh(5, 5, 0),
                "Error: improper use of SMTP command pipelining",
            ));
            self.close();
        }
    }

    /// Whether the client must wait for the reply to `cmd` before sending
    /// more: always without PIPELINING (offered only after EHLO/LHLO), and
    /// with it after EHLO, DATA, VRFY, EXPN, HELP and NOOP, which end a
    /// group (RFC 2920 §3.1). BDAT's data follows it by design; QUIT and
    /// STARTTLS handle what follows themselves.
    fn must_wait_after(&self, cmd: &Command) -> bool {
        if !self.config.reject_improper_pipelining
            || self.authenticated.is_some()
            || matches!(cmd, Command::Bdat { .. } | Command::Quit | Command::StartTls)
        {
            return false;
        }
        let pipelining = self.config.pipelining && self.helo.as_ref().is_some_and(|(_, extended)| *extended);
        !pipelining
            || matches!(
                cmd,
                Command::Ehlo { .. }
                    | Command::Helo { .. }
                    | Command::Lhlo { .. }
                    | Command::Data
                    | Command::Vrfy { .. }
                    | Command::Expn { .. }
                    | Command::Help { .. }
                    | Command::Noop { .. }
            )
    }

    fn dispatch(&mut self, cmd: Command) {
        match cmd {
            Command::Ehlo { domain } | Command::Helo { domain } if self.config.lmtp => {
                let _ = domain;
                self.error(Reply::new(ReplyCode::SYNTAX_ERROR, enh(5, 5, 1), "Error: LMTP needs LHLO"));
            }
            Command::Lhlo { .. } if !self.config.lmtp => self.error(unrecognized()),
            Command::Ehlo { domain } | Command::Lhlo { domain } => self.hello(domain, true),
            Command::Helo { domain } => self.hello(domain, false),
            Command::Mail { from, params } => self.mail(from, params),
            Command::Rcpt { to, params } => self.rcpt(to, params),
            Command::Data => self.data(),
            Command::Bdat { size, last } => self.bdat(size, last),
            Command::Rset => {
                self.tx = Transaction::default();
                self.send(&Reply::new(ReplyCode::OK, enh(2, 0, 0), "Ok"));
            }
            Command::Noop { .. } => self.send(&Reply::new(ReplyCode::OK, enh(2, 0, 0), "Ok")),
            Command::Vrfy { .. } => self.send(&Reply::new(
                ReplyCode::CANNOT_VRFY,
                enh(2, 5, 0),
                "Cannot VRFY user, but will accept message and attempt delivery",
            )),
            Command::Expn { .. } => {
                self.error(Reply::new(ReplyCode::NOT_IMPLEMENTED, enh(5, 5, 1), "EXPN not available"))
            }
            Command::Help { .. } => self.send(&Reply::new(
                ReplyCode::HELP,
                enh(2, 0, 0),
                "See RFC 5321: https://www.rfc-editor.org/rfc/rfc5321",
            )),
            Command::Quit => {
                let host = self.config.hostname.clone();
                self.send(&Reply::new(
                    ReplyCode::CLOSING,
                    enh(2, 0, 0),
                    &format!("{host} closing connection"),
                ));
                self.close();
            }
            Command::StartTls => self.starttls(),
            Command::Auth { mechanism, initial_response } => {
                self.auth(&mechanism, initial_response.as_deref())
            }
        }
    }

    fn hello(&mut self, domain: String, extended: bool) {
        self.tx = Transaction::default();
        self.helo = Some((domain.clone(), extended));
        let reply = if extended {
            self.capabilities().to_reply(&self.config.hostname, Some("Hello"))
        } else {
            Reply::new(ReplyCode::OK, None, &self.config.hostname)
        };
        self.send(&reply);
        self.events.push_back(ServerEvent::Hello { domain, extended });
    }

    fn offers_auth(&self) -> bool {
        !self.config.auth_mechanisms.is_empty() && (self.tls || self.config.auth_without_tls)
    }

    fn capabilities(&self) -> Capabilities {
        let c = &self.config;
        let mut caps = Capabilities::new(c.hostname.clone());
        let flags = [
            (c.pipelining, Capability::Pipelining),
            (true, Capability::Size(Some(c.max_message_size as u64))),
            (c.eightbitmime, Capability::EightBitMime),
            (c.smtputf8, Capability::SmtpUtf8),
            (c.chunking, Capability::Chunking),
            (c.chunking, Capability::BinaryMime),
            (c.dsn, Capability::Dsn),
            (c.enhanced_status_codes, Capability::EnhancedStatusCodes),
            (c.starttls && !self.tls, Capability::StartTls),
        ];
        for (on, cap) in flags {
            if on {
                caps.push(cap);
            }
        }
        if self.offers_auth() && self.authenticated.is_none() {
            caps.push(Capability::Auth(c.auth_mechanisms.iter().map(|m| m.name().into()).collect()));
        }
        caps
    }

    fn mail(&mut self, from: ReversePath, params: MailParams) {
        let bad = |c: u16, e: (u8, u16, u16), t: &str| {
            Reply::new(ReplyCode::new(c).unwrap_or(ReplyCode::SYNTAX_ERROR), enh(e.0, e.1, e.2), t)
        };
        let refusal = if self.helo.is_none() {
            Some(bad(503, (5, 5, 1), "Error: send HELO/EHLO first"))
        } else if self.tx.from.is_some() {
            Some(bad(503, (5, 5, 1), "Error: nested MAIL command"))
        } else if self.config.auth_required && self.authenticated.is_none() {
            Some(bad(530, (5, 7, 0), "Authentication required"))
        } else if params.size.is_some_and(|s| s > self.config.max_message_size as u64) {
            Some(Reply::message_too_big())
        } else if matches!(params.body, Some(Body::EightBitMime)) && !self.config.eightbitmime
            || matches!(params.body, Some(Body::BinaryMime)) && !self.config.chunking
            || params.smtputf8 && !self.config.smtputf8
            || (params.ret.is_some() || params.envid.is_some()) && !self.config.dsn
            || !params.unknown.is_empty()
        {
            Some(bad(555, (5, 5, 4), "MAIL FROM parameters not recognized or not implemented"))
        } else if !from.is_ascii() && !params.smtputf8 {
            // RFC 6531 §3.5: 550 for MAIL, 553 for RCPT.
            Some(bad(550, (5, 6, 7), "Non-ASCII address without SMTPUTF8"))
        } else {
            None
        };
        match refusal {
            Some(r) => self.error(r),
            None => {
                self.tx.from = Some((from.clone(), params.clone()));
                self.pending = Some(Pending::Mail);
                self.events.push_back(ServerEvent::Mail { from, params });
            }
        }
    }

    fn rcpt(&mut self, to: ForwardPath, params: RcptParams) {
        let smtputf8 = self.tx.from.as_ref().is_some_and(|(_, p)| p.smtputf8);
        if self.tx.from.is_none() {
            return self.error(need_mail());
        }
        // RFC 5321 §4.1.1.11: unrecognised parameters get 555.
        if !params.unknown.is_empty()
            || (params.notify.is_some() || params.orcpt.is_some()) && !self.config.dsn
        {
            return self.error(Reply::new(
                ReplyCode::PARAMETERS_NOT_RECOGNIZED,
                enh(5, 5, 4),
                "RCPT TO parameters not recognized or not implemented",
            ));
        }
        if self.tx.recipients.len() >= self.config.max_recipients {
            return self.send(&Reply::new(
                ReplyCode::INSUFFICIENT_STORAGE,
                enh(4, 5, 3),
                "Too many recipients",
            ));
        }
        if !to.is_ascii() && !smtputf8 {
            return self.error(Reply::new(
                ReplyCode::MAILBOX_NAME_NOT_ALLOWED,
                enh(5, 6, 7),
                "Non-ASCII address without SMTPUTF8",
            ));
        }
        self.tx.pending_rcpt = Some((to.clone(), params.clone()));
        self.pending = Some(Pending::Rcpt);
        self.events.push_back(ServerEvent::Rcpt { to, params });
    }

    fn data(&mut self) {
        if self.tx.from.is_none() {
            return self.error(need_mail());
        }
        if self.tx.recipients.is_empty() {
            return self.error(no_recipients());
        }
        if self.tx.chunked || self.tx.from.as_ref().is_some_and(|(_, p)| p.body == Some(Body::BinaryMime)) {
            return self.error(Reply::new(
                ReplyCode::BAD_SEQUENCE,
                enh(5, 5, 1),
                "Error: DATA after BDAT or with BINARYMIME",
            ));
        }
        self.send(&Reply::new(ReplyCode::START_MAIL_INPUT, None, "Start mail input; end with <CRLF>.<CRLF>"));
        self.mode = Mode::Data(DotUnstuffer::new(self.config.max_message_size));
    }

    fn end_of_data(&mut self) {
        let Mode::Data(dec) = std::mem::replace(&mut self.mode, Mode::Commands) else { return };
        if dec.too_large() {
            self.tx = Transaction::default();
            return self.send(&Reply::message_too_big());
        }
        self.deliver(false);
    }

    fn bdat(&mut self, size: u64, last: bool) {
        let refused = if !self.config.chunking {
            Some(unrecognized())
        } else if self.tx.from.is_none() {
            Some(need_mail())
        } else if self.tx.recipients.is_empty() {
            Some(no_recipients())
        } else {
            None
        };
        // The chunk's bytes follow whatever the answer (RFC 3030 §2); only
        // an accepted chunk makes the transaction a BDAT one.
        self.tx.chunked |= refused.is_none();
        self.mode = Mode::Bdat { remaining: size, last, refused };
        if size == 0 {
            self.end_of_chunk();
        }
    }

    fn end_of_chunk(&mut self) {
        let Mode::Bdat { last, refused, .. } = std::mem::replace(&mut self.mode, Mode::Commands) else {
            return;
        };
        if let Some(r) = refused {
            self.tx.data.clear();
            return self.error(r);
        }
        if self.tx.data.len() > self.config.max_message_size {
            self.tx = Transaction::default();
            return self.send(&Reply::message_too_big());
        }
        if last {
            self.deliver(true);
        } else {
            let n = self.tx.data.len();
            self.send(&Reply::new(ReplyCode::OK, enh(2, 0, 0), &format!("{n} octets received")));
        }
    }

    fn deliver(&mut self, chunked: bool) {
        let Some((from, mail_params)) = self.tx.from.clone() else { return };
        let (helo, extended) = self.helo.clone().unwrap_or_default();
        let envelope = Envelope {
            helo,
            extended,
            from,
            mail_params,
            recipients: self.tx.recipients.clone(),
            tls: self.tls,
            authenticated: self.authenticated.clone(),
            chunked,
        };
        let data = std::mem::take(&mut self.tx.data);
        self.pending = Some(Pending::Message);
        self.events.push_back(ServerEvent::Message { envelope, data });
    }

    fn starttls(&mut self) {
        if self.tls || !self.config.starttls {
            return self.error(Reply::new(
                ReplyCode::NOT_IMPLEMENTED,
                enh(5, 5, 1),
                "STARTTLS not available",
            ));
        }
        self.send(&Reply::new(ReplyCode::SERVICE_READY, enh(2, 0, 0), "Ready to start TLS"));
        // Whatever the client pipelined after STARTTLS is dropped.
        self.input.clear();
        self.mode = Mode::StartingTls;
        self.events.push_back(ServerEvent::StartTls);
    }

    fn auth(&mut self, mechanism: &str, initial: Option<&str>) {
        let code = |c: u16| ReplyCode::new(c).unwrap_or(ReplyCode::SYNTAX_ERROR);
        if self.authenticated.is_some() || self.tx.from.is_some() || self.helo.is_none() {
            return self.error(Reply::new(code(503), enh(5, 5, 1), "Error: AUTH not allowed now"));
        }
        if !self.config.auth_mechanisms.is_empty() && !self.tls && !self.config.auth_without_tls {
            return self.error(Reply::new(
                code(538),
                enh(5, 7, 11),
                "Encryption required for requested authentication mechanism",
            ));
        }
        let Some(mech) = Mechanism::from_name(mechanism)
            .filter(|m| self.offers_auth() && self.config.auth_mechanisms.contains(m))
        else {
            return self.error(Reply::new(code(504), enh(5, 5, 4), "Unrecognized authentication type"));
        };
        let mut sasl_config = mailwire_sasl::ServerConfig::default();
        if let Ok(nonce) = mailwire_sasl::Nonce::from_random(&self.config.nonce) {
            sasl_config = sasl_config.with_nonce(nonce);
        }
        sasl_config = sasl_config.with_hostname(self.config.hostname.clone());
        let sasl = match SaslServer::new(mech, sasl_config) {
            Ok(s) => s,
            Err(_) => {
                return self.send(&Reply::new(code(454), enh(4, 7, 0), "Temporary authentication failure"));
            }
        };
        self.mode = Mode::Auth(Box::new(sasl));
        match initial {
            Some(ir) => self.auth_response(ir.as_bytes()),
            None => {
                let Mode::Auth(s) = &mut self.mode else { return };
                let challenge = s.initial_challenge().unwrap_or_default();
                self.challenge(&challenge);
            }
        }
    }

    fn challenge(&mut self, bytes: &[u8]) {
        let text = base64_simd::STANDARD.encode_to_string(bytes);
        self.send(&Reply::new(ReplyCode::AUTH_CONTINUE, None, &text));
    }

    fn auth_line(&mut self, line: &[u8]) {
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text == b"*" {
            self.mode = Mode::Commands;
            return self.error(Reply::new(
                ReplyCode::PARAMETER_SYNTAX_ERROR,
                enh(5, 0, 0),
                "Authentication cancelled",
            ));
        }
        if let Mode::AuthFinal { .. } = self.mode {
            let Mode::AuthFinal { username, authzid } = std::mem::replace(&mut self.mode, Mode::Commands)
            else {
                return;
            };
            if text.is_empty() || text == b"=" {
                return self.authenticated(username, authzid);
            }
            return self.error(Reply::new(
                ReplyCode::AUTH_INVALID,
                enh(5, 7, 8),
                "Authentication credentials invalid",
            ));
        }
        self.auth_response(text);
    }

    /// A base64 response (`=` is an empty one).
    fn auth_response(&mut self, b64: &[u8]) {
        let decoded = if b64 == b"=" { Ok(Vec::new()) } else { base64_simd::STANDARD.decode_to_vec(b64) };
        let Ok(bytes) = decoded else {
            self.mode = Mode::Commands;
            return self.error(Reply::new(ReplyCode::PARAMETER_SYNTAX_ERROR, enh(5, 5, 2), "Invalid base64"));
        };
        let Mode::Auth(s) = &mut self.mode else { return };
        match s.step(&bytes) {
            Ok(step) => self.sasl_step(step),
            Err(_) => {
                self.mode = Mode::Commands;
                self.error(Reply::new(
                    ReplyCode::AUTH_INVALID,
                    enh(5, 7, 8),
                    "Authentication credentials invalid",
                ));
            }
        }
    }

    fn sasl_step(&mut self, step: ServerStep) {
        match step {
            ServerStep::Challenge(c) => self.challenge(&c),
            ServerStep::VerifyPassword { authzid, username, password } => {
                self.pending = Some(Pending::Auth);
                self.events.push_back(ServerEvent::VerifyPassword { authzid, username, password });
            }
            ServerStep::NeedSecret { username, .. } => {
                let mechanism = match &self.mode {
                    Mode::Auth(s) => s.mechanism(),
                    _ => Mechanism::Plain,
                };
                self.pending = Some(Pending::Auth);
                self.events.push_back(ServerEvent::NeedSecret { mechanism, username });
            }
            ServerStep::VerifyToken { username, token, .. } => {
                self.pending = Some(Pending::Auth);
                self.events.push_back(ServerEvent::VerifyToken { username, token });
            }
            ServerStep::Success { authzid, username, final_data } => {
                if let Some(data) = final_data {
                    // SCRAM's server-final: a challenge the client answers
                    // with an empty line, then 235.
                    self.challenge(&data);
                    self.mode = Mode::AuthFinal { username, authzid };
                    return;
                }
                self.mode = Mode::Commands;
                self.authenticated(username, authzid);
            }
            ServerStep::Failure(_) => {
                self.mode = Mode::Commands;
                self.error(Reply::new(
                    ReplyCode::AUTH_INVALID,
                    enh(5, 7, 8),
                    "Authentication credentials invalid",
                ));
            }
        }
    }
}

/// An enhanced status code from its three numbers.
fn enh(class: u8, subject: u16, detail: u16) -> Option<EnhancedCode> {
    Class::from_digit(class).map(|c| EnhancedCode::new(c, subject, detail))
}

impl ServerSession {
    fn authenticated(&mut self, username: String, authzid: Option<String>) {
        self.authenticated = Some(username.clone());
        self.send(&Reply::new(ReplyCode::AUTH_SUCCEEDED, enh(2, 7, 0), "Authentication successful"));
        self.events.push_back(ServerEvent::Authenticated { username, authzid });
    }
}

/// `503 5.5.1`: a transaction command before MAIL.
fn need_mail() -> Reply {
    Reply::new(ReplyCode::BAD_SEQUENCE, enh(5, 5, 1), "Error: need MAIL command")
}

/// `554 5.5.1`: DATA or BDAT when no recipient was accepted.
fn no_recipients() -> Reply {
    Reply::new(ReplyCode::TRANSACTION_FAILED, enh(5, 5, 1), "Error: no valid recipients")
}

fn unrecognized() -> Reply {
    Reply::new(ReplyCode::SYNTAX_ERROR, enh(5, 5, 1), "Error: command not recognized")
}
