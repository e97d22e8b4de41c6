//! The client side of an SMTP or LMTP session, sans-IO.
//!
//! The application owns the socket (and TLS). It feeds what it reads into
//! [`ClientSession::feed`], writes what [`ClientSession::poll_transmit`]
//! hands out, and reacts to [`ClientSession::poll_event`]. The session
//! does the rest: greeting, EHLO (HELO when EHLO is refused), STARTTLS
//! (the [`ClientEvent::StartTls`] event says when to switch the transport;
//! capabilities from before TLS are forgotten), AUTH with the best
//! mechanism the server offers, then one transaction per
//! [`ClientSession::send`]: MAIL, RCPT, DATA or BDAT, pipelined when the
//! server allows it, with each recipient's reply kept.
//!
//! ```
//! use mailwire_smtp::client::{ClientConfig, ClientEvent, ClientSession, Transaction};
//!
//! let mut c = ClientSession::new(ClientConfig::new("client.example"));
//! let server = [
//!     &b"220 mx.example.org ESMTP\r\n"[..],
//!     b"250-mx.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
//!     b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 No such user\r\n354 Go ahead\r\n",
//!     b"250 2.0.0 Ok: queued\r\n",
//!     b"221 2.0.0 Bye\r\n",
//! ];
//! let mut sent = Vec::new();
//! for chunk in server {
//!     c.feed(chunk);
//!     while let Some(bytes) = c.poll_transmit() {
//!         sent.extend_from_slice(&bytes);
//!     }
//!     while let Some(event) = c.poll_event() {
//!         match event {
//!             ClientEvent::Ready { .. } => {
//!                 let tx = Transaction::new("a@example.com", &["b@example.org", "nobody@example.org"]).unwrap();
//!                 c.send(tx, b"Subject: hi\r\n\r\nHello\r\n".to_vec()).unwrap();
//!             }
//!             ClientEvent::Sent(result) => {
//!                 assert_eq!(result.accepted(), ["b@example.org"]);
//!                 assert_eq!(result.refused()[0].1.code.get(), 550);
//!                 assert!(result.delivered());
//!                 c.quit();
//!             }
//!             _ => {}
//!         }
//!     }
//!     while let Some(bytes) = c.poll_transmit() {
//!         sent.extend_from_slice(&bytes);
//!     }
//! }
//! let sent = String::from_utf8(sent).unwrap();
//! // MAIL, both RCPTs and DATA went out in one batch (PIPELINING).
//! assert!(sent.contains("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<nobody@example.org>\r\nDATA\r\n"));
//! assert!(sent.ends_with("Hello\r\n.\r\nQUIT\r\n"));
//! assert!(c.is_closed());
//! ```

use std::collections::VecDeque;
use std::fmt;

use mailwire_sasl::{ClientSession as SaslClient, ClientStep, Credentials, Mechanism, Nonce, SaslError};

use crate::capability::Capabilities;
use crate::command::{AddressError, Body, Command, ForwardPath, MailParams, RcptParams, ReversePath};
use crate::data::{DotStuffer, bdat_chunks};
use crate::reply::{Reply, ReplyError, ReplyParser};

/// When to use STARTTLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartTls {
    /// Never.
    Never,
    /// When the server offers it (opportunistic).
    IfOffered,
    /// Always: a server that does not offer it is an error.
    Required,
}

/// How the client behaves. [`ClientConfig::new`] gives the defaults:
/// STARTTLS when offered, pipelining and CHUNKING when offered, no AUTH.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The name sent in EHLO/HELO/LHLO.
    pub helo_domain: String,
    /// LMTP (RFC 2033): LHLO, one reply per recipient after the data.
    pub lmtp: bool,
    /// STARTTLS policy.
    pub starttls: StartTls,
    /// The transport is already TLS (implicit TLS, port 465).
    pub tls_active: bool,
    /// Credentials for AUTH; the best mechanism offered is used.
    pub credentials: Option<Credentials>,
    /// Random bytes for the SCRAM nonce (sans-IO: none are drawn here; at
    /// least 16).
    pub nonce: Vec<u8>,
    /// Pipeline when the server offers PIPELINING.
    pub pipelining: bool,
    /// Use BDAT when the server offers CHUNKING.
    pub chunking: bool,
    /// BDAT chunk size.
    pub chunk_size: usize,
}

impl ClientConfig {
    /// The defaults, greeting as `helo_domain`.
    pub fn new(helo_domain: impl Into<String>) -> Self {
        ClientConfig {
            helo_domain: helo_domain.into(),
            lmtp: false,
            starttls: StartTls::IfOffered,
            tls_active: false,
            credentials: None,
            nonce: Vec::new(),
            pipelining: true,
            chunking: true,
            chunk_size: 1 << 20,
        }
    }
}

/// A mail transaction's envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// MAIL FROM.
    pub from: ReversePath,
    /// MAIL parameters of the caller's own (DSN's RET and ENVID, …); SIZE,
    /// BODY and SMTPUTF8 are set by the session.
    pub mail_params: MailParams,
    /// Recipients, each with its RCPT parameters.
    pub recipients: Vec<(ForwardPath, RcptParams)>,
}

impl Transaction {
    /// From `from` (`""` is the null reverse-path) to `to`.
    pub fn new(from: &str, to: &[&str]) -> Result<Transaction, AddressError> {
        let from =
            if from.is_empty() { ReversePath::Null } else { ReversePath::parse(&format!("<{from}>"))? };
        let recipients = to
            .iter()
            .map(|t| Ok((ForwardPath::parse(&format!("<{t}>"))?, RcptParams::default())))
            .collect::<Result<_, AddressError>>()?;
        Ok(Transaction { from, mail_params: MailParams::default(), recipients })
    }
}

/// How one transaction went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionResult {
    /// The reply to MAIL.
    pub mail: Reply,
    /// Each recipient (as given) and the reply to its RCPT.
    pub recipients: Vec<(String, Reply)>,
    /// The replies after the data: one in SMTP (the DATA/BDAT result), one
    /// per accepted recipient in LMTP; empty when the data was not sent.
    pub data: Vec<Reply>,
    /// Every reply of the transaction, in order (354 and BDAT replies
    /// included).
    pub replies: Vec<Reply>,
}

impl TransactionResult {
    /// The recipients the server accepted at RCPT.
    pub fn accepted(&self) -> Vec<&str> {
        self.recipients.iter().filter(|(_, r)| r.is_positive_completion()).map(|(a, _)| a.as_str()).collect()
    }

    /// The recipients the server refused at RCPT, with the reply.
    pub fn refused(&self) -> Vec<(&str, &Reply)> {
        self.recipients
            .iter()
            .filter(|(_, r)| !r.is_positive_completion())
            .map(|(a, r)| (a.as_str(), r))
            .collect()
    }

    /// Whether the message was accepted for at least one recipient.
    pub fn delivered(&self) -> bool {
        self.mail.is_positive_completion() && self.data.iter().any(Reply::is_positive_completion)
    }

    /// Per accepted recipient, the final reply for the message (in SMTP
    /// the one data reply for all).
    pub fn final_replies(&self) -> Vec<(&str, &Reply)> {
        let accepted = self.accepted();
        match self.data.len() {
            0 => Vec::new(),
            1 => accepted.into_iter().map(|a| (a, &self.data[0])).collect(),
            _ => accepted.into_iter().zip(&self.data).collect(),
        }
    }
}

/// What the session tells the application.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// A reply arrived (every reply, for logs and traces).
    Reply(Reply),
    /// The 220 to STARTTLS arrived: switch the transport to TLS, then call
    /// [`ClientSession::tls_established`].
    StartTls,
    /// AUTH succeeded.
    Authenticated(Mechanism),
    /// The session is ready for its first transaction
    /// ([`ClientSession::send`]); after each [`ClientEvent::Sent`] it is
    /// ready again ([`ClientSession::is_ready`]).
    Ready {
        /// What the server announced (after TLS, when TLS was used).
        capabilities: Capabilities,
    },
    /// A transaction ended.
    Sent(TransactionResult),
    /// Something went wrong that ends the session (after it, only
    /// [`ClientEvent::Closed`]).
    Failed(ClientError),
    /// The session is over: close the connection.
    Closed,
}

/// Why the session or a transaction could not go on.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClientError {
    /// The greeting was not 220.
    Greeting(Reply),
    /// EHLO and HELO (or LHLO) were refused.
    Hello(Reply),
    /// STARTTLS is required and the server does not offer it.
    StartTlsNotOffered,
    /// STARTTLS was refused.
    StartTls(Reply),
    /// Credentials were given and the server offers no AUTH.
    AuthNotOffered,
    /// No offered mechanism fits the credentials.
    NoCommonMechanism(Vec<String>),
    /// The server refused the credentials.
    Auth(Reply),
    /// The SASL exchange went wrong (a bad server message).
    Sasl(SaslError),
    /// The message is larger than the server's SIZE.
    MessageTooLarge {
        /// The message size.
        size: usize,
        /// The server's limit.
        max: u64,
    },
    /// The message has 8-bit bytes and the server lacks 8BITMIME.
    NeedsEightBitMime,
    /// An address is not ASCII and the server lacks SMTPUTF8.
    NeedsSmtpUtf8,
    /// A line is longer than 998 octets and the server lacks
    /// BINARYMIME with CHUNKING.
    LineTooLong,
    /// A reply could not be parsed.
    Protocol(ReplyError),
    /// The server closed the session (421) or answered out of turn.
    Unexpected(Reply),
    /// The call does not fit the session's state (e.g. `send` before
    /// `Ready`, or while a transaction is running).
    NotReady,
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Greeting(r) => write!(f, "server greeting refused the session: {r}"),
            ClientError::Hello(r) => write!(f, "EHLO/HELO refused: {r}"),
            ClientError::StartTlsNotOffered => {
                f.write_str("STARTTLS is required but the server does not offer it")
            }
            ClientError::StartTls(r) => write!(f, "STARTTLS refused: {r}"),
            ClientError::AuthNotOffered => f.write_str("credentials given but the server offers no AUTH"),
            ClientError::NoCommonMechanism(m) => {
                write!(f, "no offered SASL mechanism fits the credentials (offered: {})", m.join(" "))
            }
            ClientError::Auth(r) => write!(f, "authentication failed: {r}"),
            ClientError::Sasl(e) => write!(f, "SASL exchange failed: {e}"),
            ClientError::MessageTooLarge { size, max } => {
                write!(f, "message of {size} bytes exceeds the server's SIZE {max}")
            }
            ClientError::NeedsEightBitMime => {
                f.write_str("message has 8-bit data and the server lacks 8BITMIME")
            }
            ClientError::NeedsSmtpUtf8 => {
                f.write_str("an address is not ASCII and the server lacks SMTPUTF8")
            }
            ClientError::LineTooLong => {
                f.write_str("a line exceeds 998 octets and the server lacks BINARYMIME with CHUNKING")
            }
            ClientError::Protocol(e) => write!(f, "unreadable reply: {e}"),
            ClientError::Unexpected(r) => write!(f, "unexpected reply: {r}"),
            ClientError::NotReady => f.write_str("the session is not ready for that"),
        }
    }
}

impl std::error::Error for ClientError {}

/// What the next reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    Auth,
    Mail,
    Rcpt,
    Data,
    DataEnd,
    Bdat { last: bool },
    Rset,
    Quit,
}

#[derive(Debug)]
struct Running {
    recipients: Vec<String>,
    message: Vec<u8>,
    chunked: bool,
    result: TransactionResult,
    rcpts_seen: usize,
    data_replies_due: usize,
    /// Data goes out at the 354 (DATA); BDAT chunks are already out.
    data_pending: bool,
    failed: bool,
}

/// One SMTP or LMTP client session (one connection).
#[derive(Debug)]
pub struct ClientSession {
    config: ClientConfig,
    replies: ReplyParser,
    out: Vec<u8>,
    events: VecDeque<ClientEvent>,
    expect: VecDeque<Expect>,
    caps: Option<Capabilities>,
    tls: bool,
    authenticated: bool,
    sasl: Option<SaslClient>,
    running: Option<Running>,
    pending_rcpts: Vec<(ForwardPath, RcptParams)>,
    needs_rset: bool,
    ready: bool,
    closed: bool,
    awaiting_tls: bool,
}

impl ClientSession {
    /// A session for a new connection; it waits for the greeting.
    pub fn new(config: ClientConfig) -> Self {
        let tls = config.tls_active;
        ClientSession {
            config,
            replies: ReplyParser::new(),
            out: Vec::new(),
            events: VecDeque::new(),
            expect: VecDeque::from([Expect::Greeting]),
            caps: None,
            tls,
            authenticated: false,
            sasl: None,
            running: None,
            pending_rcpts: Vec::new(),
            needs_rset: false,
            ready: false,
            closed: false,
            awaiting_tls: false,
        }
    }

    /// Bytes read from the server.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.closed || self.awaiting_tls {
            return;
        }
        self.replies.feed(bytes);
        while !self.closed && !self.awaiting_tls {
            match self.replies.next_reply() {
                None => break,
                Some(Ok(reply)) => {
                    self.events.push_back(ClientEvent::Reply(reply.clone()));
                    self.on_reply(reply);
                }
                Some(Err(e)) => self.fail(ClientError::Protocol(e)),
            }
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

    /// Whether [`send`](Self::send) may be called now (after
    /// [`ClientEvent::Ready`], and again after each [`ClientEvent::Sent`]).
    pub fn is_ready(&self) -> bool {
        self.ready && !self.closed
    }

    /// What the server announced in its last EHLO.
    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.caps.as_ref()
    }

    /// The transport is now TLS: EHLO again (RFC 3207 §4.2).
    pub fn tls_established(&mut self) -> Result<(), ClientError> {
        if !self.awaiting_tls {
            return Err(ClientError::NotReady);
        }
        self.awaiting_tls = false;
        self.tls = true;
        self.caps = None;
        self.replies.reset();
        self.hello();
        Ok(())
    }

    /// Starts a transaction: checks the message against what the server
    /// announced, then sends MAIL, RCPT and the data (pipelined when
    /// allowed). The result comes as [`ClientEvent::Sent`].
    pub fn send(&mut self, tx: Transaction, message: Vec<u8>) -> Result<(), ClientError> {
        if !self.ready || self.running.is_some() || self.closed {
            return Err(ClientError::NotReady);
        }
        let caps = self.caps.clone().unwrap_or_else(|| Capabilities::new(String::new()));
        let eight_bit = message.iter().any(|&b| b >= 0x80);
        let long_lines =
            message.split(|&b| b == b'\n').any(|l| l.strip_suffix(b"\r").unwrap_or(l).len() > 998);
        let chunked = self.config.chunking && caps.supports_chunking();
        let binary = long_lines || message.contains(&0);
        if let Some(max) = caps.size().filter(|&m| m > 0) {
            if message.len() as u64 > max {
                return Err(ClientError::MessageTooLarge { size: message.len(), max });
            }
        }
        if binary && !(chunked && caps.supports_binarymime()) {
            return Err(ClientError::LineTooLong);
        }
        let carries_8bit = caps.supports_8bitmime() || chunked && caps.supports_binarymime();
        if eight_bit && !binary && !carries_8bit {
            return Err(ClientError::NeedsEightBitMime);
        }
        let utf8 = !tx.from.is_ascii() || tx.recipients.iter().any(|(r, _)| !r.is_ascii());
        if utf8 && !caps.supports_smtputf8() {
            return Err(ClientError::NeedsSmtpUtf8);
        }
        let mut params = tx.mail_params.clone();
        if caps.size().is_some() {
            params.size = Some(message.len() as u64);
        }
        if binary {
            params.body = Some(Body::BinaryMime);
        } else if eight_bit {
            params.body = Some(if caps.supports_8bitmime() { Body::EightBitMime } else { Body::BinaryMime });
        }
        params.smtputf8 |= utf8;

        if self.needs_rset {
            self.needs_rset = false;
            Command::Rset.write(&mut self.out);
            self.expect.push_back(Expect::Rset);
        }
        let pipelining = self.config.pipelining && caps.supports_pipelining();
        let recipients: Vec<String> = tx.recipients.iter().map(|(r, _)| display_path(r)).collect();
        self.running = Some(Running {
            recipients,
            message,
            chunked,
            result: TransactionResult {
                mail: Reply::ok(),
                recipients: Vec::new(),
                data: Vec::new(),
                replies: Vec::new(),
            },
            rcpts_seen: 0,
            data_replies_due: 0,
            data_pending: false,
            failed: false,
        });
        self.ready = false;
        Command::Mail { from: tx.from, params }.write(&mut self.out);
        self.expect.push_back(Expect::Mail);
        self.pending_rcpts = tx.recipients;
        if pipelining {
            self.send_rcpts_and_data();
        }
        Ok(())
    }

    /// Ends the session with QUIT.
    pub fn quit(&mut self) {
        if self.closed {
            return;
        }
        self.ready = false;
        Command::Quit.write(&mut self.out);
        self.expect.push_back(Expect::Quit);
    }
}

impl ClientSession {
    fn fail(&mut self, e: ClientError) {
        if self.closed {
            return;
        }
        self.events.push_back(ClientEvent::Failed(e));
        // A polite QUIT when the server is still talking to us.
        Command::Quit.write(&mut self.out);
        self.close();
    }

    fn close(&mut self) {
        self.closed = true;
        self.ready = false;
        self.events.push_back(ClientEvent::Closed);
    }

    fn hello(&mut self) {
        let domain = self.config.helo_domain.clone();
        let cmd = if self.config.lmtp { Command::Lhlo { domain } } else { Command::Ehlo { domain } };
        cmd.write(&mut self.out);
        self.expect.push_back(Expect::Ehlo);
    }

    fn on_reply(&mut self, reply: Reply) {
        let Some(expect) = self.expect.pop_front() else {
            // A 421 may come at any time; anything else unasked is an error.
            return self.fail(ClientError::Unexpected(reply));
        };
        if reply.code.get() == 421 && expect != Expect::Quit {
            return self.fail(ClientError::Unexpected(reply));
        }
        match expect {
            Expect::Greeting if reply.code.get() == 220 => self.hello(),
            Expect::Greeting => self.fail(ClientError::Greeting(reply)),
            Expect::Ehlo if reply.is_positive_completion() => match Capabilities::from_reply(&reply) {
                Ok(caps) => self.after_hello(caps),
                Err(_) => self.after_hello(Capabilities::new(String::new())),
            },
            Expect::Ehlo if !self.config.lmtp && reply.code.get() >= 500 => {
                let domain = self.config.helo_domain.clone();
                Command::Helo { domain }.write(&mut self.out);
                self.expect.push_back(Expect::Helo);
            }
            Expect::Helo if reply.is_positive_completion() => {
                self.after_hello(Capabilities::new(String::new()))
            }
            Expect::Ehlo | Expect::Helo => self.fail(ClientError::Hello(reply)),
            Expect::StartTls if reply.code.get() == 220 => {
                self.awaiting_tls = true;
                self.events.push_back(ClientEvent::StartTls);
            }
            Expect::StartTls if self.config.starttls == StartTls::Required => {
                self.fail(ClientError::StartTls(reply))
            }
            Expect::StartTls => self.after_tls_decision(),
            Expect::Auth => self.auth_reply(reply),
            Expect::Mail => self.mail_reply(reply),
            Expect::Rcpt => self.rcpt_reply(reply),
            Expect::Data => self.data_reply(reply),
            Expect::DataEnd | Expect::Bdat { .. } => self.data_end_reply(expect, reply),
            Expect::Rset => {}
            Expect::Quit => self.close(),
        }
    }

    fn after_hello(&mut self, caps: Capabilities) {
        self.caps = Some(caps);
        self.after_tls_decision_or_starttls();
    }

    fn after_tls_decision_or_starttls(&mut self) {
        let offered = self.caps.as_ref().is_some_and(Capabilities::supports_starttls);
        if !self.tls && self.config.starttls != StartTls::Never {
            if offered {
                Command::StartTls.write(&mut self.out);
                self.expect.push_back(Expect::StartTls);
                return;
            }
            if self.config.starttls == StartTls::Required {
                return self.fail(ClientError::StartTlsNotOffered);
            }
        }
        self.after_tls_decision();
    }

    fn after_tls_decision(&mut self) {
        if self.authenticated || self.config.credentials.is_none() {
            return self.become_ready();
        }
        let offered: Vec<String> = self
            .caps
            .as_ref()
            .map(|c| c.auth_mechanisms().iter().map(|m| m.to_string()).collect())
            .unwrap_or_default();
        if offered.is_empty() {
            return self.fail(ClientError::AuthNotOffered);
        }
        let Some(creds) = self.config.credentials.clone() else { return };
        let Some(mech) = Mechanism::best(offered.iter().map(String::as_str), &creds) else {
            return self.fail(ClientError::NoCommonMechanism(offered));
        };
        let nonce = Nonce::from_random(&self.config.nonce).ok();
        let mut sasl = match SaslClient::new(mech, &creds, nonce) {
            Ok(s) => s,
            Err(e) => return self.fail(ClientError::Sasl(e)),
        };
        let initial = sasl.initial_response().map(|ir| {
            if ir.is_empty() { "=".to_string() } else { base64_simd::STANDARD.encode_to_string(&ir) }
        });
        Command::Auth { mechanism: mech.name().to_string(), initial_response: initial }.write(&mut self.out);
        self.expect.push_back(Expect::Auth);
        self.sasl = Some(sasl);
    }

    fn auth_reply(&mut self, reply: Reply) {
        let Some(sasl) = self.sasl.as_mut() else { return };
        match reply.code.get() {
            334 => {
                let text = reply.first_line().trim();
                let Ok(challenge) = base64_simd::STANDARD.decode_to_vec(text) else {
                    return self.fail(ClientError::Unexpected(reply));
                };
                match sasl.step(&challenge) {
                    Ok(ClientStep::Respond(r)) => {
                        let line = base64_simd::STANDARD.encode_to_string(&r);
                        self.out.extend_from_slice(line.as_bytes());
                        self.out.extend_from_slice(b"\r\n");
                    }
                    Ok(ClientStep::Done) => self.out.extend_from_slice(b"\r\n"),
                    Err(e) => {
                        // Cancel the exchange (RFC 4954 §4), then end.
                        self.out.extend_from_slice(b"*\r\n");
                        return self.fail(ClientError::Sasl(e));
                    }
                }
                self.expect.push_back(Expect::Auth);
            }
            235 => {
                let mech = sasl.mechanism();
                if let Err(e) = sasl.finish(None) {
                    return self.fail(ClientError::Sasl(e));
                }
                self.sasl = None;
                self.authenticated = true;
                self.events.push_back(ClientEvent::Authenticated(mech));
                self.become_ready();
            }
            _ => self.fail(ClientError::Auth(reply)),
        }
    }

    fn become_ready(&mut self) {
        self.ready = true;
        let capabilities = self.caps.clone().unwrap_or_else(|| Capabilities::new(String::new()));
        self.events.push_back(ClientEvent::Ready { capabilities });
    }

    /// RCPTs for every recipient, then DATA (or the BDAT chunks).
    fn send_rcpts_and_data(&mut self) {
        for (to, params) in std::mem::take(&mut self.pending_rcpts) {
            Command::Rcpt { to, params }.write(&mut self.out);
            self.expect.push_back(Expect::Rcpt);
        }
        let Some(run) = self.running.as_mut() else { return };
        if run.chunked {
            let message = std::mem::take(&mut run.message);
            for (chunk, last) in bdat_chunks(&message, self.config.chunk_size) {
                Command::Bdat { size: chunk.len() as u64, last }.write(&mut self.out);
                self.out.extend_from_slice(chunk);
                self.expect.push_back(Expect::Bdat { last });
            }
        } else {
            Command::Data.write(&mut self.out);
            self.expect.push_back(Expect::Data);
            run.data_pending = true;
        }
    }

    fn pipelined(&self) -> bool {
        self.config.pipelining && self.caps.as_ref().is_some_and(Capabilities::supports_pipelining)
    }

    fn mail_reply(&mut self, reply: Reply) {
        let pipelined = self.pipelined();
        let Some(run) = self.running.as_mut() else { return };
        run.result.replies.push(reply.clone());
        let ok = reply.is_positive_completion();
        run.result.mail = reply;
        if !ok {
            run.failed = true;
            if !pipelined {
                self.finish_transaction();
            }
        } else if !pipelined {
            self.send_rcpts_and_data();
        }
    }

    fn rcpt_reply(&mut self, reply: Reply) {
        let Some(run) = self.running.as_mut() else { return };
        run.result.replies.push(reply.clone());
        let name = run.recipients.get(run.rcpts_seen).cloned().unwrap_or_default();
        run.rcpts_seen += 1;
        run.result.recipients.push((name, reply));
    }

    fn accepted_count(&self) -> usize {
        self.running
            .as_ref()
            .map_or(0, |r| r.result.recipients.iter().filter(|(_, r)| r.is_positive_completion()).count())
    }

    fn data_reply(&mut self, reply: Reply) {
        let accepted = self.accepted_count();
        let lmtp = self.config.lmtp;
        let Some(run) = self.running.as_mut() else { return };
        run.result.replies.push(reply.clone());
        if reply.code.get() != 354 {
            run.result.data.push(reply);
            return self.finish_transaction();
        }
        let message = std::mem::take(&mut run.message);
        let mut stuffer = DotStuffer::new();
        if accepted > 0 && !run.failed {
            stuffer.push(&message, &mut self.out);
        }
        // With no recipient accepted (pipelined), the data is empty.
        stuffer.finish(&mut self.out);
        run.data_pending = false;
        let due = if lmtp { accepted } else { 1 };
        run.data_replies_due = due;
        if accepted == 0 {
            run.failed = true;
        }
        for _ in 0..due.max(1) {
            self.expect.push_back(Expect::DataEnd);
        }
    }

    fn data_end_reply(&mut self, expect: Expect, reply: Reply) {
        let accepted = self.accepted_count();
        let lmtp = self.config.lmtp;
        let Some(run) = self.running.as_mut() else { return };
        run.result.replies.push(reply.clone());
        match expect {
            Expect::Bdat { last: false } => {
                if !reply.is_positive_completion() {
                    run.failed = true;
                }
            }
            Expect::Bdat { last: true } => {
                if lmtp && accepted > 1 {
                    run.result.data.push(reply);
                    for _ in 1..accepted {
                        self.expect.push_back(Expect::DataEnd);
                    }
                    run.data_replies_due = accepted - 1;
                    return;
                }
                run.result.data.push(reply);
                self.finish_transaction();
            }
            _ => {
                run.result.data.push(reply);
                run.data_replies_due = run.data_replies_due.saturating_sub(1);
                if run.data_replies_due == 0 {
                    self.finish_transaction();
                }
            }
        }
    }

    fn finish_transaction(&mut self) {
        let Some(run) = self.running.take() else { return };
        // Replies still due for this transaction (pipelined RCPTs after a
        // refused MAIL, a DATA that will be refused) are read and dropped.
        self.pending_rcpts.clear();
        let delivered = run.result.delivered();
        if !delivered || run.failed {
            self.needs_rset = true;
        }
        self.events.push_back(ClientEvent::Sent(run.result));
        self.drain_stale();
        // Ready again for the next transaction (no second Ready event).
        self.ready = true;
    }

    /// After a transaction ended early, replies to its remaining pipelined
    /// commands are still on their way: they are expected and ignored.
    fn drain_stale(&mut self) {
        for e in self.expect.iter_mut() {
            if matches!(e, Expect::Rcpt | Expect::Data | Expect::DataEnd | Expect::Bdat { .. }) {
                *e = Expect::Rset;
            }
        }
    }
}

fn display_path(p: &ForwardPath) -> String {
    match p.mailbox() {
        Some(m) => m.as_str().to_string(),
        None => "Postmaster".to_string(),
    }
}
