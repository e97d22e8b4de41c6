//! The server session: the RFCs' own dialogues replayed against it (RFC 5321
//! Appendix D, RFC 2920, RFC 3030, RFC 3207, RFC 4954, RFC 2033), sequence
//! errors, limits, malformed input with the reply each gets, SMTP smuggling,
//! and a property test: any byte stream, split anyhow, gives the same
//! well-formed replies and never a panic.
//!
//! Line endings of commands: only CRLF ends a command line. A line ended by a
//! bare LF is one line, refused with `500 5.5.2` (bare LF), and the session
//! carries on with the next line. Postfix ≥ 3.9 (`smtpd_forbid_bare_newline
//! = normal`, its default) instead accepts a command ended by a bare LF as if
//! it ended in CRLF, and only its `strict` setting refuses it (and then
//! disconnects); the strict answer here follows `command.rs`, which treats
//! a bare LF like a NUL. Message data is another matter: there a bare LF is
//! content, and only CRLF `.` CRLF ends the data (see `smuggling_*`).

use mailwire_sasl::{ClientSession, ClientStep, Credentials, Mechanism, Nonce, ScramCredentials};
use mailwire_smtp::capability::Capabilities;
use mailwire_smtp::command::{Body, Limits};
use mailwire_smtp::reply::{Reply, ReplyCode, ReplyParser};
use mailwire_smtp::server::{Envelope, ServerConfig, ServerError, ServerEvent, ServerSession};
use proptest::prelude::*;

const HOST: &str = "mx.example.org";

// ---------------------------------------------------------------------------
// the driver
// ---------------------------------------------------------------------------

/// What a policy answers to an event.
enum Answer {
    /// Not a decision, or leave the decision pending (the test answers it).
    Nothing,
    Accept,
    Reject(Reply),
    PerRecipient(Vec<Reply>),
    Password(bool),
    Scram(Option<ScramCredentials>),
    CramPassword(Option<&'static str>),
    Token(bool),
}

/// An event as the tests look at it.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Hello(String, bool),
    Mail(String),
    Rcpt(String),
    Message(Box<Envelope>, Vec<u8>),
    StartTls,
    VerifyPassword(Option<String>, String, String),
    NeedSecret(Mechanism, String),
    VerifyToken(String, String),
    Authenticated(String),
    Closed,
}

fn seen(ev: &ServerEvent) -> Seen {
    match ev {
        ServerEvent::Hello { domain, extended } => Seen::Hello(domain.clone(), *extended),
        ServerEvent::Mail { from, .. } => Seen::Mail(from.to_string()),
        ServerEvent::Rcpt { to, .. } => Seen::Rcpt(to.to_string()),
        ServerEvent::Message { envelope, data } => Seen::Message(Box::new(envelope.clone()), data.clone()),
        ServerEvent::StartTls => Seen::StartTls,
        ServerEvent::VerifyPassword { authzid, username, password } => {
            Seen::VerifyPassword(authzid.clone(), username.clone(), password.clone())
        }
        ServerEvent::NeedSecret { mechanism, username } => Seen::NeedSecret(*mechanism, username.clone()),
        ServerEvent::VerifyToken { username, token } => Seen::VerifyToken(username.clone(), token.clone()),
        ServerEvent::Authenticated { username, .. } => Seen::Authenticated(username.clone()),
        ServerEvent::Closed => Seen::Closed,
        other => panic!("unexpected event {other:?}"),
    }
}

type Policy = Box<dyn FnMut(&ServerEvent) -> Answer>;

/// Feeds client bytes into a session, answers its decisions with a policy,
/// and collects what it sends as parsed replies (so that anything that is
/// not a well-formed reply fails the test), checking that nothing is sent
/// once the session said `Closed`.
struct Driver {
    s: ServerSession,
    policy: Policy,
    parser: ReplyParser,
    wire: Vec<u8>,
    replies: Vec<Reply>,
    replies_taken: usize,
    seen: Vec<Seen>,
    seen_taken: usize,
    closed: bool,
}

impl Driver {
    /// A session that has not greeted yet.
    fn new(config: ServerConfig, policy: impl FnMut(&ServerEvent) -> Answer + 'static) -> Driver {
        Driver {
            s: ServerSession::new(config),
            policy: Box::new(policy),
            parser: ReplyParser::new(),
            wire: Vec::new(),
            replies: Vec::new(),
            replies_taken: 0,
            seen: Vec::new(),
            seen_taken: 0,
            closed: false,
        }
    }

    /// A session that has sent its greeting, not yet taken.
    fn start(config: ServerConfig, policy: impl FnMut(&ServerEvent) -> Answer + 'static) -> Driver {
        let mut d = Driver::new(config, policy);
        d.s.greet();
        d.pump();
        d
    }

    /// A session that has sent its greeting (checked and taken).
    fn greeted(config: ServerConfig, policy: impl FnMut(&ServerEvent) -> Answer + 'static) -> Driver {
        let mut d = Driver::start(config, policy);
        assert_eq!(d.take(), ["220"]);
        d
    }

    fn feed(&mut self, bytes: impl AsRef<[u8]>) {
        self.s.feed(bytes.as_ref());
        self.pump();
    }

    /// Answers events until there are none left.
    fn pump(&mut self) {
        loop {
            self.transmit();
            let Some(ev) = self.s.poll_event() else { break };
            let answer = (self.policy)(&ev);
            let ev = seen(&ev);
            self.closed |= ev == Seen::Closed;
            self.seen.push(ev);
            let result = match answer {
                Answer::Nothing => Ok(()),
                Answer::Accept => self.s.accept(),
                Answer::Reject(r) => self.s.reject(r),
                Answer::PerRecipient(r) => self.s.reply_per_recipient(r),
                Answer::Password(ok) => self.s.auth_password(ok),
                Answer::Scram(c) => self.s.auth_scram(c),
                Answer::CramPassword(p) => self.s.auth_cram_password(p),
                Answer::Token(ok) => self.s.auth_token(ok),
            };
            result.expect("the answer fits the decision");
        }
    }

    fn transmit(&mut self) {
        while let Some(bytes) = self.s.poll_transmit() {
            assert!(!bytes.is_empty(), "poll_transmit gave an empty buffer");
            assert!(!self.closed, "sent after Closed: {:?}", String::from_utf8_lossy(&bytes));
            self.wire.extend_from_slice(&bytes);
            self.parser.feed(&bytes);
            while let Some(r) = self.parser.next_reply() {
                match r {
                    Ok(r) => self.replies.push(r),
                    Err(e) => panic!("malformed reply ({e}) in {:?}", String::from_utf8_lossy(&self.wire)),
                }
            }
        }
    }

    /// Replies sent since the last take.
    fn take_replies(&mut self) -> Vec<Reply> {
        let new = self.replies[self.replies_taken..].to_vec();
        self.replies_taken = self.replies.len();
        new
    }

    /// Replies sent since the last take, as `code` or `code enhanced-code`.
    fn take(&mut self) -> Vec<String> {
        self.take_replies().iter().map(summary).collect()
    }

    /// Events since the last take.
    fn take_seen(&mut self) -> Vec<Seen> {
        let new = self.seen[self.seen_taken..].to_vec();
        self.seen_taken = self.seen.len();
        new
    }

    /// The messages delivered so far (and not taken with `take_seen`).
    fn messages(&self) -> Vec<(Envelope, Vec<u8>)> {
        self.seen[self.seen_taken..]
            .iter()
            .filter_map(|s| match s {
                Seen::Message(e, d) => Some(((**e).clone(), d.clone())),
                _ => None,
            })
            .collect()
    }

    fn accept(&mut self) {
        self.s.accept().expect("a decision is pending");
        self.pump();
    }

    /// EHLO, returning the reply's capabilities.
    fn ehlo(&mut self) -> Capabilities {
        self.feed("EHLO client.example\r\n");
        let r = self.take_replies();
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].code.get(), 250);
        assert_eq!(r[0].first_line(), format!("{HOST} Hello"));
        Capabilities::from_reply(&r[0]).expect("an EHLO reply")
    }

    /// EHLO, MAIL and RCPT, all accepted by the policy.
    fn open(&mut self) {
        self.ehlo();
        self.feed("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n");
        assert_eq!(self.take(), ["250 2.1.0", "250 2.1.5"]);
    }
}

fn summary(r: &Reply) -> String {
    match r.enhanced {
        Some(e) => format!("{} {e}", r.code),
        None => r.code.to_string(),
    }
}

fn reply(code: u16, enhanced: &str, text: &str) -> Reply {
    Reply::new(ReplyCode::new(code).unwrap(), Some(enhanced.parse().unwrap()), text)
}

/// The tests feed whole transcripts at once, which a real client would
/// only do with PIPELINING: the pipelining check is off here and has its
/// own tests below.
fn config() -> ServerConfig {
    let mut c = ServerConfig::new(HOST);
    c.reject_improper_pipelining = false;
    c
}

/// Accepts every MAIL, RCPT, message and credential.
fn accept_all(ev: &ServerEvent) -> Answer {
    match ev {
        ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. } | ServerEvent::Message { .. } => Answer::Accept,
        ServerEvent::VerifyPassword { .. } => Answer::Password(true),
        ServerEvent::NeedSecret { mechanism: Mechanism::CramMd5, .. } => Answer::CramPassword(Some("pw")),
        ServerEvent::NeedSecret { .. } => Answer::Scram(None),
        ServerEvent::VerifyToken { .. } => Answer::Token(true),
        _ => Answer::Nothing,
    }
}

/// Leaves every decision to the test.
fn hold(_: &ServerEvent) -> Answer {
    Answer::Nothing
}

fn b64(bytes: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    base64_simd::STANDARD.decode_to_vec(text.as_bytes()).expect("base64")
}

/// Replays an RFC dialogue in lock-step: each run of client lines is fed in
/// one piece, and the replies the server sends then must have the codes of
/// the run of server lines that follows (a `ddd-` line continues a reply).
/// `<...>` lines are stage directions; `<CR><LF>` at the end of a client
/// line stands for its line ending.
fn replay(d: &mut Driver, dialogue: &str, client: &str, server: &str) {
    let mut steps: Vec<(Vec<u8>, Vec<u16>)> = vec![(Vec::new(), Vec::new())];
    for line in dialogue.lines() {
        let line = line.trim_start();
        if let Some(text) = line.strip_prefix(client) {
            let text = text.strip_prefix(' ').unwrap_or(text);
            if text.starts_with('<') && text.ends_with('>') {
                continue;
            }
            if !steps.last().unwrap().1.is_empty() {
                steps.push((Vec::new(), Vec::new()));
            }
            let bytes = &mut steps.last_mut().unwrap().0;
            match text.strip_suffix("<CR><LF>") {
                Some(t) => bytes.extend_from_slice(t.as_bytes()),
                None => bytes.extend_from_slice(text.as_bytes()),
            }
            bytes.extend_from_slice(b"\r\n");
        } else if let Some(text) = line.strip_prefix(server) {
            let text = text.strip_prefix(' ').unwrap_or(text);
            if text.starts_with('<') {
                continue;
            }
            if text.as_bytes().get(3) != Some(&b'-') {
                steps.last_mut().unwrap().1.push(text[..3].parse().unwrap());
            }
        }
    }
    for (bytes, codes) in steps {
        if !bytes.is_empty() {
            d.feed(&bytes);
        }
        let got: Vec<u16> = d.take_replies().iter().map(|r| r.code.get()).collect();
        assert_eq!(got, codes, "replies after {:?}", String::from_utf8_lossy(&bytes));
    }
}

// ---------------------------------------------------------------------------
// RFC 5321 Appendix D
// ---------------------------------------------------------------------------

const D1: &str = "
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250 HELP
      C: MAIL FROM:<Smith@bar.com>
      S: 250 OK
      C: RCPT TO:<Jones@foo.com>
      S: 250 OK
      C: RCPT TO:<Green@foo.com>
      S: 550 No such user here
      C: RCPT TO:<Brown@foo.com>
      S: 250 OK
      C: DATA
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Blah blah blah...
      C: ...etc. etc. etc.
      C: .
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
";

/// No mailbox for Green at foo.com.
fn no_green(ev: &ServerEvent) -> Answer {
    match ev {
        ServerEvent::Rcpt { to, .. } if to.to_string().contains("Green") => {
            Answer::Reject(reply(550, "5.1.1", "No such user here"))
        }
        _ => accept_all(ev),
    }
}

#[test]
fn rfc5321_d1_typical_transaction() {
    let mut d = Driver::start(config(), no_green);
    replay(&mut d, D1, "C:", "S:");
    let seen = d.take_seen();
    let messages: Vec<_> = seen
        .iter()
        .filter_map(|s| match s {
            Seen::Message(e, data) => Some((e, data)),
            _ => None,
        })
        .collect();
    assert_eq!(messages.len(), 1);
    let (envelope, data) = messages[0];
    assert_eq!(envelope.helo, "bar.com");
    assert!(envelope.extended);
    assert_eq!(envelope.from.to_string(), "<Smith@bar.com>");
    let rcpts: Vec<String> = envelope.recipients.iter().map(|(p, _)| p.to_string()).collect();
    assert_eq!(rcpts, ["<Jones@foo.com>", "<Brown@foo.com>"]);
    assert!(!envelope.chunked && !envelope.tls && envelope.authenticated.is_none());
    // The leading dot of "...etc" is un-stuffed.
    assert_eq!(data, b"Blah blah blah...\r\n..etc. etc. etc.\r\n");
    assert_eq!(seen.last(), Some(&Seen::Closed));
    assert!(d.s.is_closed());
}

#[test]
fn rfc5321_d2_aborted_transaction() {
    let dialogue = "
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250 HELP
      C: MAIL FROM:<Smith@bar.com>
      S: 250 OK
      C: RCPT TO:<Jones@foo.com>
      S: 250 OK
      C: RCPT TO:<Green@foo.com>
      S: 550 No such user here
      C: RSET
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
";
    let mut d = Driver::start(config(), no_green);
    replay(&mut d, dialogue, "C:", "S:");
    assert!(d.messages().is_empty());
    assert!(d.s.is_closed());
}

#[test]
fn rfc5321_d3_relayed_mail() {
    let step1 = "
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250 HELP
      C: MAIL FROM:<JQP@bar.com>
      S: 250 OK
      C: RCPT TO:<Jones@XYZ.COM>
      S: 250 OK
      C: DATA
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Date: Thu, 21 May 1998 05:33:29 -0700
      C: From: John Q. Public <JQP@bar.com>
      C: Subject: The Next Meeting of the Board
      C: To: Jones@xyz.com
      C:
      C: Bill:
      C: The next meeting of the board of directors will be
      C: on Tuesday.
      C: John.
      C: .
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
";
    let mut d = Driver::start(config(), accept_all);
    replay(&mut d, step1, "C:", "S:");
    let messages = d.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0.recipients[0].0.to_string(), "<Jones@XYZ.COM>");
    assert_eq!(
        messages[0].1,
        b"Date: Thu, 21 May 1998 05:33:29 -0700\r\nFrom: John Q. Public <JQP@bar.com>\r\n\
          Subject: The Next Meeting of the Board\r\nTo: Jones@xyz.com\r\n\r\nBill:\r\n\
          The next meeting of the board of directors will be\r\non Tuesday.\r\nJohn.\r\n"
    );

    // Step 2, relay host to destination host: the EHLO reply there is one
    // line; ours lists extensions, so only the code is compared.
    let step2 = "
           S: 220 xyz.com Simple Mail Transfer Service Ready
           C: EHLO foo.com
           S: 250 xyz.com is on the air
           C: MAIL FROM:<JQP@bar.com>
           S: 250 OK
           C: RCPT TO:<Jones@XYZ.COM>
           S: 250 OK
           C: DATA
           S: 354 Start mail input; end with <CRLF>.<CRLF>
           C: Received: from bar.com by foo.com ; Thu, 21 May 1998
           C:     05:33:29 -0700
           C: Date: Thu, 21 May 1998 05:33:22 -0700
           C: From: John Q. Public <JQP@bar.com>
           C: Subject:  The Next Meeting of the Board
           C: To: Jones@xyz.com
           C:
           C: Bill:
           C: The next meeting of the board of directors will be
           C: on Tuesday.
           C:                         John.
           C: .
           S: 250 OK
           C: QUIT
           S: 221 foo.com Service closing transmission channel
";
    let mut d = Driver::start(config(), accept_all);
    replay(&mut d, step2, "C:", "S:");
    let messages = d.messages();
    assert_eq!(messages.len(), 1);
    let data = String::from_utf8(messages[0].1.clone()).unwrap();
    assert!(
        data.starts_with("Received: from bar.com by foo.com ; Thu, 21 May 1998\r\n    05:33:29 -0700\r\n")
    );
    assert!(data.ends_with("\r\n                        John.\r\n"));
}

#[test]
fn rfc5321_d4_verifying_and_sending() {
    // The RFC's server verifies Crispin (250); this one never reveals
    // whether a user exists and answers 252 (RFC 5321 §3.5.3), so the
    // dialogue is replayed with 252 there.
    let dialogue = "
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250-VRFY
      S: 250 HELP
      C: VRFY Crispin
      S: 252 Mark Crispin <Admin.MRC@foo.com>
      C: MAIL FROM:<EAK@bar.com>
      S: 250 OK
      C: RCPT TO:<Admin.MRC@foo.com>
      S: 250 OK
      C: DATA
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Blah blah blah...
      C: ...etc. etc. etc.
      C: .
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
";
    let mut d = Driver::start(config(), accept_all);
    replay(&mut d, dialogue, "C:", "S:");
    assert_eq!(d.messages().len(), 1);
    // VRFY is not an error: it does not count towards max_errors.
    let mut c = config();
    c.max_errors = 1;
    let mut d = Driver::greeted(c, accept_all);
    d.feed("VRFY Crispin\r\nVRFY Crispin\r\nNOOP\r\n");
    assert_eq!(d.take(), ["252 2.5.0", "252 2.5.0", "250 2.0.0"]);
}

// ---------------------------------------------------------------------------
// RFC 2920 pipelining
// ---------------------------------------------------------------------------

#[test]
fn rfc2920_pipelined_transaction() {
    let dialogue = r#"
   S: <wait for open connection>
   C: <open connection to server>
   S: 220 innosoft.com SMTP service ready
   C: EHLO dbc.mtview.ca.us
   S: 250-innosoft.com
   S: 250 PIPELINING
   C: MAIL FROM:<mrose@dbc.mtview.ca.us>
   C: RCPT TO:<ned@innosoft.com>
   C: RCPT TO:<dan@innosoft.com>
   C: RCPT TO:<kvc@innosoft.com>
   C: DATA
   S: 250 sender <mrose@dbc.mtview.ca.us> OK
   S: 250 recipient <ned@innosoft.com> OK
   S: 250 recipient <dan@innosoft.com> OK
   S: 250 recipient <kvc@innosoft.com> OK
   S: 354 enter mail, end with line containing only "."
   C: Hello.
   C: .
   C: QUIT
   S: 250 message sent
   S: 221 goodbye
"#;
    let mut d = Driver::start(config(), accept_all);
    replay(&mut d, dialogue, "C:", "S:");
    let messages = d.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0.recipients.len(), 3);
    assert_eq!(messages[0].1, b"Hello.\r\n");
}

#[test]
fn rfc2920_pipelined_transaction_all_recipients_refused() {
    let dialogue = "
   S: 220 innosoft.com SMTP service ready
   C: EHLO dbc.mtview.ca.us
   S: 250-innosoft.com
   S: 250 PIPELINING
   C: MAIL FROM:<mrose@dbc.mtview.ca.us>
   C: RCPT TO:<nsb@thumper.bellcore.com>
   C: RCPT TO:<galvin@tis.com>
   C: DATA
   S: 250 sender <mrose@dbc.mtview.ca.us> OK
   S: 550 remote mail to <nsb@thumper.bellore.com> not allowed
   S: 550 remote mail to <galvin@tis.com> not allowed
   S: 554 no valid recipients given
   C: QUIT
   S: 221 goodbye
";
    let no_relay = |ev: &ServerEvent| match ev {
        ServerEvent::Rcpt { .. } => Answer::Reject(reply(550, "5.7.1", "Relaying denied")),
        _ => accept_all(ev),
    };
    let mut d = Driver::start(config(), no_relay);
    replay(&mut d, dialogue, "C:", "S:");
    assert!(d.messages().is_empty());
}

#[test]
fn pipelined_commands_wait_for_each_decision_in_order() {
    let mut d = Driver::greeted(config(), hold);
    d.ehlo();
    d.take_seen();
    d.feed(
        "MAIL FROM:<mrose@dbc.mtview.ca.us>\r\nRCPT TO:<ned@innosoft.com>\r\nRCPT TO:<dan@innosoft.com>\r\n\
         DATA\r\nHello.\r\n.\r\nNOOP\r\n",
    );
    // Only the first decision is asked, and nothing is answered yet.
    assert_eq!(d.take_seen(), [Seen::Mail("<mrose@dbc.mtview.ca.us>".into())]);
    assert!(d.take().is_empty());
    // More input while a decision is pending waits too.
    d.feed("QUIT\r\n");
    assert!(d.take().is_empty() && d.take_seen().is_empty());
    assert_eq!(d.s.auth_password(true), Err(ServerError::NoDecisionPending));

    d.accept();
    assert_eq!(d.take(), ["250 2.1.0"]);
    assert_eq!(d.take_seen(), [Seen::Rcpt("<ned@innosoft.com>".into())]);
    d.s.reject(reply(550, "5.1.1", "No such user")).unwrap();
    d.pump();
    assert_eq!(d.take(), ["550 5.1.1"]);
    assert_eq!(d.take_seen(), [Seen::Rcpt("<dan@innosoft.com>".into())]);
    d.accept();
    // DATA is answered without a decision; the message is the next one.
    assert_eq!(d.take(), ["250 2.1.5", "354"]);
    let seen = d.take_seen();
    assert_eq!(seen.len(), 1);
    let Seen::Message(envelope, data) = &seen[0] else { panic!("{seen:?}") };
    assert_eq!(envelope.recipients.len(), 1);
    assert_eq!(envelope.recipients[0].0.to_string(), "<dan@innosoft.com>");
    assert_eq!(data, b"Hello.\r\n");
    // A rejection must be 4xx or 5xx.
    assert_eq!(d.s.reject(Reply::ok()), Err(ServerError::BadAnswer("a rejection is a 4xx or 5xx reply")));
    d.accept();
    assert_eq!(d.take(), ["250 2.0.0", "250 2.0.0", "221 2.0.0"]);
    assert_eq!(d.take_seen(), [Seen::Closed]);
    assert_eq!(d.s.accept(), Err(ServerError::NoDecisionPending));
}

// ---------------------------------------------------------------------------
// RFC 3030 CHUNKING
// ---------------------------------------------------------------------------

#[test]
fn rfc3030_bdat_last() {
    let dialogue = "
   R: <wait for connection on TCP port 25>
   S: <open connection to server>
   R: 220 cnri.reston.va.us SMTP service ready
   S: EHLO ymir.claremont.edu
   R: 250-cnri.reston.va.us says hello
   R: 250 CHUNKING
   S: MAIL FROM:<Sam@Random.com>
   R: 250 <Sam@Random.com> Sender ok
   S: RCPT TO:<Susan@Random.com>
   R: 250 <Susan@random.com> Recipient ok
   S: BDAT 86 LAST
   S: To: Susan@random.com<CR><LF>
   S: From: Sam@random.com<CR><LF>
   S: Subject: This is a bodyless test message<CR><LF>
   R: 250 Message OK, 86 octets received
   S: QUIT
   R: 221 Goodbye
";
    let mut d = Driver::start(config(), accept_all);
    replay(&mut d, dialogue, "S:", "R:");
    let messages = d.messages();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].0.chunked);
    assert_eq!(
        messages[0].1,
        b"To: Susan@random.com\r\nFrom: Sam@random.com\r\nSubject: This is a bodyless test message\r\n"
    );
}

#[test]
fn rfc3030_pipelined_binarymime_chunks() {
    let mut d = Driver::greeted(config(), accept_all);
    let caps = d.ehlo();
    assert!(caps.has_keyword("CHUNKING") && caps.has_keyword("BINARYMIME") && caps.has_keyword("PIPELINING"));
    d.feed(
        "MAIL FROM:<ned@ymir.claremont.edu> BODY=BINARYMIME\r\nRCPT TO:<gvaudre@cnri.reston.va.us>\r\n\
         RCPT TO:<jstewart@cnri.reston.va.us>\r\n",
    );
    assert_eq!(d.take(), ["250 2.1.0", "250 2.1.5", "250 2.1.5"]);
    let first: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let rest: Vec<u8> = (0..324u32).map(|i| (i * 7 % 256) as u8).collect();
    let mut wire = b"BDAT 100000\r\n".to_vec();
    wire.extend_from_slice(&first);
    wire.extend_from_slice(b"BDAT 324\r\n");
    wire.extend_from_slice(&rest);
    wire.extend_from_slice(b"BDAT 0 LAST\r\n");
    d.feed(&wire);
    assert_eq!(d.take(), ["250 2.0.0", "250 2.0.0", "250 2.0.0"]);
    let messages = d.messages();
    assert_eq!(messages.len(), 1);
    let (envelope, data) = &messages[0];
    assert!(envelope.chunked);
    assert_eq!(envelope.mail_params.body, Some(Body::BinaryMime));
    assert_eq!(envelope.recipients.len(), 2);
    assert_eq!(data.len(), 100_324);
    assert_eq!(&data[..100_000], &first[..]);
    assert_eq!(&data[100_000..], &rest[..]);
    d.feed("QUIT\r\n");
    assert_eq!(d.take(), ["221 2.0.0"]);
}

#[test]
fn bdat_and_data_do_not_mix() {
    let mut d = Driver::greeted(config(), accept_all);
    d.open();
    d.feed("BDAT 3\r\nabcDATA\r\n");
    assert_eq!(d.take(), ["250 2.0.0", "503 5.5.1"]);
    d.feed("BDAT 3 LAST\r\ndef");
    assert_eq!(d.take(), ["250 2.0.0"]);
    assert_eq!(d.messages()[0].1, b"abcdef");
    // BODY=BINARYMIME needs BDAT.
    d.take_seen();
    d.feed("MAIL FROM:<a@example.com> BODY=BINARYMIME\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
    assert_eq!(d.take(), ["250 2.1.0", "250 2.1.5", "503 5.5.1"]);
}

/// The chunks, and a "." line, "QUIT" and "BDAT" inside them, are data.
const BDAT_STREAM: &[u8] = b"BDAT 12\r\nQUIT\r\n.\r\nBDABDAT 0\r\nBDAT 8 LAST\r\nDATA\r\n\r\nNOOP\r\n";

fn bdat_run(cuts: &[usize]) -> (Vec<String>, Vec<(Envelope, Vec<u8>)>) {
    let mut d = Driver::greeted(config(), accept_all);
    d.open();
    let mut at = 0;
    for &c in cuts {
        d.feed(&BDAT_STREAM[at..c]);
        at = c;
    }
    d.feed(&BDAT_STREAM[at..]);
    (d.take(), d.messages())
}

#[test]
fn bdat_chunks_split_at_every_offset() {
    let (replies, messages) = bdat_run(&[]);
    assert_eq!(replies, ["250 2.0.0", "250 2.0.0", "250 2.0.0", "250 2.0.0"]);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].1, b"QUIT\r\n.\r\nBDADATA\r\n\r\n");
    let n = BDAT_STREAM.len();
    for i in 0..=n {
        for j in i..=n {
            assert_eq!(bdat_run(&[i, j]), (replies.clone(), messages.clone()), "split at {i} and {j}");
        }
    }
    let every: Vec<usize> = (1..n).collect();
    assert_eq!(bdat_run(&every), (replies, messages), "one byte at a time");
}

#[test]
fn bdat_zero_last() {
    let mut d = Driver::greeted(config(), accept_all);
    d.open();
    d.feed("BDAT 0 LAST\r\n");
    assert_eq!(d.take(), ["250 2.0.0"]);
    assert_eq!(d.messages()[0].1, b"");
    d.take_seen();
    d.feed("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT 3\r\nabcBDAT 0 LAST\r\n");
    assert_eq!(d.take(), ["250 2.1.0", "250 2.1.5", "250 2.0.0", "250 2.0.0"]);
    assert_eq!(d.messages()[0].1, b"abc");
}

#[test]
fn bdat_without_chunking_offered() {
    let mut c = config();
    c.chunking = false;
    let mut d = Driver::greeted(c, accept_all);
    let caps = d.ehlo();
    assert!(!caps.has_keyword("CHUNKING") && !caps.has_keyword("BINARYMIME"));
    d.feed("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n");
    assert_eq!(d.take(), ["250 2.1.0", "250 2.1.5"]);
    // The chunk's bytes are read and dropped, never run as commands (the
    // "QUIT" here is in the chunk), then the command is refused.
    d.feed("BDAT 6 LAST\r\nQUIT\r\nNOOP\r\n");
    assert_eq!(d.take(), ["500 5.5.1", "250 2.0.0"]);
    assert!(d.messages().is_empty() && !d.s.is_closed());
    // The transaction is intact, and DATA still works.
    d.feed("DATA\r\nx\r\n.\r\n");
    assert_eq!(d.take(), ["354", "250 2.0.0"]);
    assert_eq!(d.messages()[0].1, b"x\r\n");
    assert!(!d.messages()[0].0.chunked);
    // MAIL BODY=BINARYMIME is refused without CHUNKING.
    d.feed("MAIL FROM:<a@example.com> BODY=BINARYMIME\r\n");
    assert_eq!(d.take(), ["555 5.5.4"]);
}

#[test]
fn bdat_refused_before_mail_consumes_its_chunk_then_replies() {
    let mut d = Driver::greeted(config(), accept_all);
    d.ehlo();
    d.feed("BDAT 6\r\nQUIT\r\n");
    assert_eq!(d.take(), ["503 5.5.1"]);
    assert!(!d.s.is_closed());
    // Split across feeds, the reply still comes after the chunk.
    d.feed("BDAT 10 LAST\r\nRSET\r\n");
    assert!(d.take().is_empty());
    d.feed("NOOP");
    assert_eq!(d.take(), ["503 5.5.1"]);
    // A refused BDAT leaves no trace in the next transaction: DATA works.
    d.feed("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\n");
    assert_eq!(d.take(), ["250 2.1.0", "250 2.1.5", "354", "250 2.0.0"]);
    let messages = d.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].1, b"x\r\n");
    assert!(!messages[0].0.chunked);
}

#[test]
fn bdat_refused_without_recipients() {
    let no_rcpt = |ev: &ServerEvent| match ev {
        ServerEvent::Rcpt { .. } => Answer::Reject(reply(550, "5.1.1", "No such user")),
        _ => accept_all(ev),
    };
    let mut d = Driver::greeted(config(), no_rcpt);
    d.ehlo();
    d.feed("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT 6 LAST\r\nRSET\r\nNOOP\r\n");
    assert_eq!(d.take(), ["250 2.1.0", "550 5.1.1", "554 5.5.1", "250 2.0.0"]);
    assert!(d.messages().is_empty());
}

// ---------------------------------------------------------------------------
// RFC 3207 STARTTLS
// ---------------------------------------------------------------------------

fn tls_config() -> ServerConfig {
    let mut c = config();
    c.starttls = true;
    c.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
    c
}

#[test]
fn rfc3207_starttls() {
    let mut d = Driver::greeted(tls_config(), accept_all);
    let caps = d.ehlo();
    assert!(caps.has_keyword("STARTTLS"));
    // No AUTH over plaintext (RFC 4954 §4).
    assert!(caps.auth_mechanisms().is_empty());
    d.feed("STARTTLS\r\n");
    let r = d.take_replies();
    assert_eq!(r.iter().map(summary).collect::<Vec<_>>(), ["220 2.0.0"]);
    assert!(d.wire.ends_with(b"220 2.0.0 Ready to start TLS\r\n"));
    assert_eq!(d.take_seen().last(), Some(&Seen::StartTls));
    assert!(!d.s.is_tls());
    d.s.tls_established().unwrap();
    assert!(d.s.is_tls());
    assert_eq!(d.s.tls_established(), Err(ServerError::NotStartingTls));
    // The session starts over: EHLO is needed again.
    d.feed("MAIL FROM:<a@example.com>\r\n");
    assert_eq!(d.take(), ["503 5.5.1"]);
    let caps = d.ehlo();
    assert!(!caps.has_keyword("STARTTLS"));
    assert_eq!(caps.auth_mechanisms(), ["PLAIN", "LOGIN"]);
    // No second STARTTLS.
    d.feed("STARTTLS\r\n");
    assert_eq!(d.take(), ["502 5.5.1"]);
    d.feed("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\n");
    assert_eq!(d.take(), ["250 2.1.0", "250 2.1.5", "354", "250 2.0.0"]);
    assert!(d.messages()[0].0.tls);
}

#[test]
fn rfc3207_bytes_pipelined_after_starttls_are_discarded() {
    // The classic command injection (CVE-2011-0411): plaintext sent with
    // STARTTLS must not be run once TLS is up.
    let mut d = Driver::greeted(tls_config(), accept_all);
    d.ehlo();
    d.feed("STARTTLS\r\nMAIL FROM:<evil@example.net>\r\nRCPT TO:<victim@example.org>\r\n");
    assert_eq!(d.take(), ["220 2.0.0"]);
    // And more plaintext before the handshake is done.
    d.feed("DATA\r\n");
    assert!(d.take().is_empty());
    d.s.tls_established().unwrap();
    d.pump();
    assert!(d.take().is_empty());
    d.ehlo();
    // Had the MAIL survived, this RCPT would be accepted.
    d.feed("RCPT TO:<victim@example.org>\r\n");
    assert_eq!(d.take(), ["503 5.5.1"]);
    let seen = d.take_seen();
    assert!(!seen.iter().any(|s| matches!(s, Seen::Mail(_) | Seen::Rcpt(_))), "{seen:?}");
}

#[test]
fn starttls_not_offered() {
    let mut d = Driver::greeted(config(), accept_all);
    assert!(!d.ehlo().has_keyword("STARTTLS"));
    d.feed("STARTTLS\r\nNOOP\r\n");
    assert_eq!(d.take(), ["502 5.5.1", "250 2.0.0"]);
    assert_eq!(d.s.tls_established(), Err(ServerError::NotStartingTls));
    d.feed("STARTTLS now\r\n");
    assert_eq!(d.take(), ["501 5.5.2"]);
}

#[test]
fn starttls_on_implicit_tls_is_refused() {
    let mut c = tls_config();
    c.tls_active = true;
    let mut d = Driver::greeted(c, accept_all);
    let caps = d.ehlo();
    assert!(!caps.has_keyword("STARTTLS"));
    assert_eq!(caps.auth_mechanisms(), ["PLAIN", "LOGIN"]);
    d.feed("STARTTLS\r\n");
    assert_eq!(d.take(), ["502 5.5.1"]);
}

// ---------------------------------------------------------------------------
// RFC 4954 AUTH
// ---------------------------------------------------------------------------

fn auth_config() -> ServerConfig {
    let mut c = config();
    c.tls_active = true;
    c.auth_mechanisms = vec![
        Mechanism::ScramSha256,
        Mechanism::CramMd5,
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::XOAuth2,
    ];
    c.nonce = vec![42; 18];
    c
}

/// One user, "test" with password "1234" (RFC 4954's examples).
fn users(ev: &ServerEvent) -> Answer {
    match ev {
        ServerEvent::VerifyPassword { username, password, .. } => {
            Answer::Password(username == "test" && password == "1234")
        }
        ServerEvent::NeedSecret { mechanism: Mechanism::CramMd5, username } => {
            Answer::CramPassword((username == "test").then_some("1234"))
        }
        ServerEvent::NeedSecret { username, .. } => Answer::Scram(
            (username == "test").then(|| ScramCredentials::derive("1234", b"salt of test", 4096).unwrap()),
        ),
        ServerEvent::VerifyToken { token, .. } => Answer::Token(token == "ya29.token"),
        _ => accept_all(ev),
    }
}

#[test]
fn rfc4954_auth_plain_with_initial_response() {
    let mut d = Driver::greeted(auth_config(), users);
    let caps = d.ehlo();
    assert_eq!(caps.auth_mechanisms(), ["SCRAM-SHA-256", "CRAM-MD5", "PLAIN", "LOGIN", "XOAUTH2"]);
    d.take_seen();
    d.feed("AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n");
    assert_eq!(d.take(), ["235 2.7.0"]);
    assert!(d.wire.ends_with(b"235 2.7.0 Authentication successful\r\n"));
    assert_eq!(
        d.take_seen(),
        [
            Seen::VerifyPassword(Some("test".into()), "test".into(), "1234".into()),
            Seen::Authenticated("test".into())
        ]
    );
    // No AUTH in EHLO once authenticated; the envelope says who.
    assert!(d.ehlo().auth_mechanisms().is_empty());
    d.feed("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\n");
    assert_eq!(d.take(), ["250 2.1.0", "250 2.1.5", "354", "250 2.0.0"]);
    assert_eq!(d.messages()[0].0.authenticated.as_deref(), Some("test"));
}

#[test]
fn rfc4954_auth_plain_without_initial_response() {
    let mut d = Driver::greeted(auth_config(), users);
    d.ehlo();
    d.feed("AUTH PLAIN\r\n");
    assert_eq!(d.take(), ["334"]);
    // "a 334 reply with no text part ... the complete response line is "334 "".
    assert!(d.wire.ends_with(b"\r\n334 \r\n"));
    d.feed("dGVzdAB0ZXN0ADEyMzQ=\r\n");
    assert_eq!(d.take(), ["235 2.7.0"]);
}

#[test]
fn auth_login() {
    let mut d = Driver::greeted(auth_config(), users);
    d.ehlo();
    d.feed("AUTH LOGIN\r\n");
    let r = d.take_replies();
    assert_eq!(r.len(), 1);
    assert_eq!((r[0].code.get(), unb64(r[0].first_line())), (334, b"Username:".to_vec()));
    d.feed(format!("{}\r\n", b64(b"test")));
    let r = d.take_replies();
    assert_eq!((r[0].code.get(), unb64(r[0].first_line())), (334, b"Password:".to_vec()));
    d.feed(format!("{}\r\n", b64(b"1234")));
    assert_eq!(d.take(), ["235 2.7.0"]);
    // LOGIN with the user name as initial response, as deployed clients send it.
    let mut d = Driver::greeted(auth_config(), users);
    d.ehlo();
    d.feed(format!("AUTH LOGIN {}\r\n", b64(b"test")));
    assert_eq!(d.take(), ["334"]);
    d.feed(format!("{}\r\n", b64(b"1234")));
    assert_eq!(d.take(), ["235 2.7.0"]);
}

/// AUTH SCRAM-SHA-256 driven by our SASL client; the replies it got.
fn scram(password: &str) -> (Driver, Vec<String>) {
    let mut d = Driver::greeted(auth_config(), users);
    d.ehlo();
    d.take_seen();
    let creds = Credentials::password("test", password);
    let nonce = Nonce::from_random(&[1; 18]).unwrap();
    let mut client = ClientSession::new(Mechanism::ScramSha256, &creds, Some(nonce)).unwrap();
    let client_first = client.initial_response().unwrap();
    d.feed(format!("AUTH SCRAM-SHA-256 {}\r\n", b64(&client_first)));
    assert_eq!(d.take_seen(), [Seen::NeedSecret(Mechanism::ScramSha256, "test".into())]);
    let mut codes = Vec::new();
    let r = d.take_replies();
    assert_eq!(r.len(), 1);
    codes.push(summary(&r[0]));
    let ClientStep::Respond(client_final) = client.step(&unb64(r[0].first_line())).unwrap() else {
        panic!("SCRAM client wanted no client-final")
    };
    d.feed(format!("{}\r\n", b64(&client_final)));
    let r = d.take_replies();
    assert_eq!(r.len(), 1);
    codes.push(summary(&r[0]));
    if r[0].code.get() == 334 {
        // The server-final comes as a challenge; the client verifies the
        // server's signature and answers with an empty line.
        assert_eq!(client.step(&unb64(r[0].first_line())).unwrap(), ClientStep::Done);
        d.feed("\r\n");
        let r = d.take_replies();
        codes.extend(r.iter().map(summary));
        client.finish(None).unwrap();
    }
    (d, codes)
}

#[test]
fn rfc4954_auth_scram_sha_256_with_our_client() {
    let (mut d, codes) = scram("1234");
    assert_eq!(codes, ["334", "334", "235 2.7.0"]);
    assert_eq!(d.take_seen(), [Seen::Authenticated("test".into())]);
    let (_, codes) = scram("wrong");
    assert_eq!(codes, ["334", "535 5.7.8"]);
}

#[test]
fn scram_final_answered_with_something_else_fails() {
    let mut d = Driver::greeted(auth_config(), users);
    d.ehlo();
    let creds = Credentials::password("test", "1234");
    let mut client =
        ClientSession::new(Mechanism::ScramSha256, &creds, Some(Nonce::from_random(&[1; 18]).unwrap()))
            .unwrap();
    d.feed(format!("AUTH SCRAM-SHA-256 {}\r\n", b64(&client.initial_response().unwrap())));
    let r = d.take_replies();
    let ClientStep::Respond(fin) = client.step(&unb64(r[0].first_line())).unwrap() else { panic!() };
    d.feed(format!("{}\r\n", b64(&fin)));
    assert_eq!(d.take(), ["334"]);
    d.feed("dGVzdA==\r\n");
    assert_eq!(d.take(), ["535 5.7.8"]);
    // And `*` there cancels.
    let mut d = Driver::greeted(auth_config(), users);
    d.ehlo();
    let mut client =
        ClientSession::new(Mechanism::ScramSha256, &creds, Some(Nonce::from_random(&[1; 18]).unwrap()))
            .unwrap();
    d.feed(format!("AUTH SCRAM-SHA-256 {}\r\n", b64(&client.initial_response().unwrap())));
    let r = d.take_replies();
    let ClientStep::Respond(fin) = client.step(&unb64(r[0].first_line())).unwrap() else { panic!() };
    d.feed(format!("{}\r\n*\r\n", b64(&fin)));
    assert_eq!(d.take(), ["334", "501 5.0.0"]);
}

#[test]
fn scram_unknown_user_fails_at_the_end() {
    let mut d = Driver::greeted(auth_config(), users);
    d.ehlo();
    let creds = Credentials::password("nobody", "1234");
    let mut client =
        ClientSession::new(Mechanism::ScramSha256, &creds, Some(Nonce::from_random(&[1; 18]).unwrap()))
            .unwrap();
    d.feed(format!("AUTH SCRAM-SHA-256 {}\r\n", b64(&client.initial_response().unwrap())));
    let r = d.take_replies();
    assert_eq!(r[0].code.get(), 334);
    let ClientStep::Respond(fin) = client.step(&unb64(r[0].first_line())).unwrap() else { panic!() };
    d.feed(format!("{}\r\n", b64(&fin)));
    assert_eq!(d.take(), ["535 5.7.8"]);
}

#[test]
fn scram_without_a_nonce_is_a_temporary_failure() {
    let mut c = auth_config();
    c.nonce = Vec::new();
    let mut d = Driver::greeted(c, users);
    d.ehlo();
    d.feed("AUTH SCRAM-SHA-256 biwsbj10ZXN0LHI9YWJjZGVmZ2hpamtsbW5vcA==\r\n");
    assert_eq!(d.take(), ["454 4.7.0"]);
    d.s.set_nonce(&[9; 18]);
    d.feed("AUTH SCRAM-SHA-256 biwsbj10ZXN0LHI9YWJjZGVmZ2hpamtsbW5vcA==\r\n");
    assert_eq!(d.take(), ["334"]);
}

#[test]
fn auth_cram_md5_with_our_client() {
    let mut d = Driver::greeted(auth_config(), users);
    d.ehlo();
    d.feed("AUTH CRAM-MD5\r\n");
    let r = d.take_replies();
    assert_eq!(r[0].code.get(), 334);
    let challenge = unb64(r[0].first_line());
    assert!(challenge.starts_with(b"<") && challenge.ends_with(format!("@{HOST}>").as_bytes()));
    let creds = Credentials::password("test", "1234");
    let mut client = ClientSession::new(Mechanism::CramMd5, &creds, None).unwrap();
    let ClientStep::Respond(resp) = client.step(&challenge).unwrap() else { panic!() };
    d.feed(format!("{}\r\n", b64(&resp)));
    assert_eq!(d.take(), ["235 2.7.0"]);
}

#[test]
fn auth_xoauth2_token() {
    let ir = |token: &str| b64(format!("user=test\x01auth=Bearer {token}\x01\x01").as_bytes());
    let mut d = Driver::greeted(auth_config(), users);
    d.ehlo();
    d.feed(format!("AUTH XOAUTH2 {}\r\n", ir("ya29.token")));
    assert_eq!(d.take(), ["235 2.7.0"]);
    // A bad token: the error document as a challenge, then 535 once the
    // client acknowledges it.
    let mut d = Driver::greeted(auth_config(), users);
    d.ehlo();
    d.feed(format!("AUTH XOAUTH2 {}\r\n", ir("expired")));
    assert_eq!(d.take(), ["334"]);
    d.feed("\r\n");
    assert_eq!(d.take(), ["535 5.7.8"]);
}

#[test]
fn auth_wrong_password_then_retry() {
    let mut d = Driver::greeted(auth_config(), users);
    d.ehlo();
    d.feed(format!("AUTH PLAIN {}\r\n", b64(b"\0test\0wrong")));
    assert_eq!(d.take(), ["535 5.7.8"]);
    assert!(d.wire.ends_with(b"535 5.7.8 Authentication credentials invalid\r\n"));
    d.feed(format!("NOOP\r\nAUTH PLAIN {}\r\n", b64(b"\0test\x001234")));
    assert_eq!(d.take(), ["250 2.0.0", "235 2.7.0"]);
}

#[test]
fn auth_before_tls_is_refused() {
    let mut d = Driver::greeted(tls_config(), accept_all);
    d.ehlo();
    d.feed(format!("AUTH PLAIN {}\r\n", b64(b"\0test\x001234")));
    assert_eq!(d.take(), ["538 5.7.11"]);
    // After STARTTLS, it works.
    d.feed("STARTTLS\r\n");
    assert_eq!(d.take(), ["220 2.0.0"]);
    d.s.tls_established().unwrap();
    d.ehlo();
    d.feed(format!("AUTH PLAIN {}\r\n", b64(b"\0test\x001234")));
    assert_eq!(d.take(), ["235 2.7.0"]);
    // auth_without_tls offers it over plaintext.
    let mut c = tls_config();
    c.auth_without_tls = true;
    let mut d = Driver::greeted(c, accept_all);
    assert_eq!(d.ehlo().auth_mechanisms(), ["PLAIN", "LOGIN"]);
    d.feed(format!("AUTH PLAIN {}\r\n", b64(b"\0test\x001234")));
    assert_eq!(d.take(), ["235 2.7.0"]);
}

#[test]
fn auth_cancelled_with_star() {
    let mut d = Driver::greeted(auth_config(), users);
    d.ehlo();
    d.feed("AUTH LOGIN\r\n*\r\n");
    // RFC 4954 §4: the server MUST reject the AUTH command with 501.
    assert_eq!(d.take(), ["334", "501 5.0.0"]);
    d.feed("AUTH PLAIN\r\n*\r\n");
    assert_eq!(d.take(), ["334", "501 5.0.0"]);
    // Then AUTH works again.
    d.feed(format!("AUTH PLAIN {}\r\n", b64(b"\0test\x001234")));
    assert_eq!(d.take(), ["235 2.7.0"]);
}

#[test]
fn auth_twice_is_refused() {
    let mut d = Driver::greeted(auth_config(), users);
    d.ehlo();
    d.feed(format!("AUTH PLAIN {}\r\n", b64(b"\0test\x001234")));
    assert_eq!(d.take(), ["235 2.7.0"]);
    d.feed(format!("AUTH PLAIN {}\r\n", b64(b"\0test\x001234")));
    assert_eq!(d.take(), ["503 5.5.1"]);
}

#[test]
fn auth_out_of_place_and_malformed() {
    let mut c = auth_config();
    c.max_errors = 100;
    let mut d = Driver::greeted(c, users);
    // Before EHLO.
    d.feed(format!("AUTH PLAIN {}\r\n", b64(b"\0test\x001234")));
    assert_eq!(d.take(), ["503 5.5.1"]);
    d.ehlo();
    // An unknown or unoffered mechanism.
    d.feed("AUTH GSSAPI\r\nAUTH OAUTHBEARER\r\n");
    assert_eq!(d.take(), ["504 5.5.4", "504 5.5.4"]);
    // Not base64 (RFC 4954 §4: 501 5.5.2), in the initial response and in a response.
    d.feed("AUTH PLAIN !!!!\r\nAUTH PLAIN\r\n=AAA\r\n");
    assert_eq!(d.take(), ["501 5.5.2", "334", "501 5.5.2"]);
    // A well-formed PLAIN message is needed.
    d.feed(format!("AUTH PLAIN {}\r\n", b64(b"no NULs here")));
    assert_eq!(d.take(), ["535 5.7.8"]);
    // During a transaction.
    d.feed(format!("MAIL FROM:<a@example.com>\r\nAUTH PLAIN {}\r\n", b64(b"\0test\x001234")));
    assert_eq!(d.take(), ["250 2.1.0", "503 5.5.1"]);
    // A response line over the limit ends the exchange with 500 5.5.6.
    d.feed("RSET\r\nAUTH PLAIN\r\n");
    assert_eq!(d.take(), ["250 2.0.0", "334"]);
    d.feed(vec![b'A'; 20_000]);
    d.feed("AAAA\r\nNOOP\r\n");
    assert_eq!(d.take(), ["500 5.5.6", "250 2.0.0"]);
    // An AUTH command line over the limit too.
    d.feed(format!("AUTH PLAIN {}\r\nNOOP\r\n", "A".repeat(20_000)));
    assert_eq!(d.take(), ["500 5.5.6", "250 2.0.0"]);
}

#[test]
fn auth_required_refuses_mail_before_auth() {
    let mut c = auth_config();
    c.auth_required = true;
    let mut d = Driver::greeted(c, users);
    d.ehlo();
    d.feed("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n");
    assert_eq!(d.take(), ["530 5.7.0", "503 5.5.1"]);
    assert!(d.wire.ends_with(b"530 5.7.0 Authentication required\r\n503 5.5.1 Error: need MAIL command\r\n"));
    // RSET, NOOP and EHLO are allowed without it.
    d.feed("NOOP\r\nRSET\r\n");
    assert_eq!(d.take(), ["250 2.0.0", "250 2.0.0"]);
    d.feed(format!("AUTH PLAIN {}\r\nMAIL FROM:<a@example.com>\r\n", b64(b"\0test\x001234")));
    assert_eq!(d.take(), ["235 2.7.0", "250 2.1.0"]);
}

// ---------------------------------------------------------------------------
// RFC 2033 LMTP
// ---------------------------------------------------------------------------

fn lmtp_config() -> ServerConfig {
    let mut c = config();
    c.lmtp = true;
    c
}

#[test]
fn rfc2033_lmtp_per_recipient_replies() {
    let dialogue = "
   S: 220 foo.edu LMTP server ready
   C: LHLO foo.edu
   S: 250-foo.edu
   S: 250-PIPELINING
   S: 250 SIZE
   C: MAIL FROM:<chris@bar.com>
   S: 250 OK
   C: RCPT TO:<pat@foo.edu>
   S: 250 OK
   C: RCPT TO:<jones@foo.edu>
   S: 550 No such user here
   C: RCPT TO:<green@foo.edu>
   S: 250 OK
   C: DATA
   S: 354 Start mail input; end with <CRLF>.<CRLF>
   C: Blah blah blah...
   C: ...etc. etc. etc.
   C: .
   S: 250 OK
   S: 452 <green@foo.edu> is temporarily over quota
   C: QUIT
   S: 221 foo.edu closing connection
";
    let policy = |ev: &ServerEvent| match ev {
        ServerEvent::Rcpt { to, .. } if to.to_string().contains("jones") => {
            Answer::Reject(reply(550, "5.1.1", "No such user here"))
        }
        ServerEvent::Message { envelope, .. } => {
            let rcpts: Vec<String> = envelope.recipients.iter().map(|(p, _)| p.to_string()).collect();
            assert_eq!(rcpts, ["<pat@foo.edu>", "<green@foo.edu>"]);
            Answer::PerRecipient(vec![
                reply(250, "2.1.5", "<pat@foo.edu> OK"),
                reply(452, "4.2.2", "<green@foo.edu> is temporarily over quota"),
            ])
        }
        _ => accept_all(ev),
    };
    let mut d = Driver::start(lmtp_config(), policy);
    assert_eq!(d.take_replies()[0].first_line(), format!("{HOST} LMTP mailwire"));
    // The greeting was taken; replay the rest.
    let rest = dialogue.replace("S: 220 foo.edu LMTP server ready", "");
    replay(&mut d, &rest, "C:", "S:");
    assert!(d.wire.ends_with(
        b"354 Start mail input; end with <CRLF>.<CRLF>\r\n250 2.1.5 <pat@foo.edu> OK\r\n\
          452 4.2.2 <green@foo.edu> is temporarily over quota\r\n221 2.0.0 mx.example.org closing connection\r\n"
    ));
    assert_eq!(d.take_seen()[0], Seen::Hello("foo.edu".into(), true));
}

#[test]
fn lmtp_accept_and_reject_answer_every_recipient() {
    let mut d = Driver::greeted(lmtp_config(), hold);
    d.feed("LHLO client.example\r\nMAIL FROM:<a@example.com>\r\n");
    assert_eq!(d.take(), ["250"]);
    d.accept();
    for r in ["RCPT TO:<b@example.org>\r\n", "RCPT TO:<c@example.org>\r\n", "RCPT TO:<d@example.org>\r\n"] {
        d.feed(r);
        d.accept();
    }
    assert_eq!(d.take(), ["250 2.1.0", "250 2.1.5", "250 2.1.5", "250 2.1.5"]);
    d.feed("DATA\r\nx\r\n.\r\n");
    assert_eq!(d.take(), ["354"]);
    // One reply per recipient: the wrong count is refused.
    assert_eq!(
        d.s.reply_per_recipient(vec![Reply::ok()]),
        Err(ServerError::BadAnswer("one reply per accepted recipient"))
    );
    d.accept();
    assert_eq!(d.take(), ["250 2.0.0", "250 2.0.0", "250 2.0.0"]);

    d.feed("MAIL FROM:<a@example.com>\r\n");
    d.accept();
    d.feed("RCPT TO:<b@example.org>\r\n");
    d.accept();
    d.feed("RCPT TO:<c@example.org>\r\n");
    d.accept();
    d.feed("BDAT 1 LAST\r\nx");
    assert_eq!(d.take(), ["250 2.1.0", "250 2.1.5", "250 2.1.5"]);
    d.s.reject(reply(452, "4.3.1", "Insufficient system storage")).unwrap();
    d.pump();
    assert_eq!(d.take(), ["452 4.3.1", "452 4.3.1"]);
}

#[test]
fn lmtp_refuses_ehlo_and_helo_and_smtp_refuses_lhlo() {
    let mut d = Driver::greeted(lmtp_config(), accept_all);
    d.feed("EHLO client.example\r\nHELO client.example\r\nMAIL FROM:<a@example.com>\r\n");
    assert_eq!(d.take(), ["500 5.5.1", "500 5.5.1", "503 5.5.1"]);
    d.feed("LHLO client.example\r\n");
    let r = d.take_replies();
    assert_eq!(r.len(), 1);
    assert!(Capabilities::from_reply(&r[0]).unwrap().has_keyword("PIPELINING"));

    let mut d = Driver::greeted(config(), accept_all);
    d.feed("LHLO client.example\r\n");
    assert_eq!(d.take(), ["500 5.5.1"]);
    assert_eq!(d.s.reply_per_recipient(vec![]), Err(ServerError::NoDecisionPending));
}

// ---------------------------------------------------------------------------
// sequence errors
// ---------------------------------------------------------------------------

#[test]
fn mail_before_ehlo() {
    let mut d = Driver::greeted(config(), accept_all);
    d.feed("MAIL FROM:<a@example.com>\r\n");
    assert_eq!(d.take(), ["503 5.5.1"]);
    // HELO is enough, and answers with one line.
    d.feed("HELO client.example\r\nMAIL FROM:<a@example.com>\r\n");
    assert_eq!(d.take(), ["250", "250 2.1.0"]);
    assert!(d.wire.ends_with(format!("250 {HOST}\r\n250 2.1.0 Ok\r\n").as_bytes()));
    assert_eq!(d.take_seen()[0], Seen::Hello("client.example".into(), false));
}

#[test]
fn rcpt_and_data_out_of_sequence() {
    let mut d = Driver::greeted(config(), accept_all);
    d.ehlo();
    d.feed("RCPT TO:<b@example.org>\r\nDATA\r\n");
    assert_eq!(d.take(), ["503 5.5.1", "503 5.5.1"]);
    d.feed("MAIL FROM:<a@example.com>\r\nDATA\r\n");
    // RFC 5321 §3.3 allows 503 or 554 here.
    assert_eq!(d.take(), ["250 2.1.0", "554 5.5.1"]);
    // A refused MAIL opens no transaction.
    let mut d = Driver::greeted(config(), |ev: &ServerEvent| match ev {
        ServerEvent::Mail { .. } => Answer::Reject(reply(550, "5.7.1", "Sender refused")),
        _ => accept_all(ev),
    });
    d.ehlo();
    d.feed("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
    assert_eq!(d.take(), ["550 5.7.1", "503 5.5.1", "503 5.5.1"]);
}

#[test]
fn nested_mail() {
    let mut d = Driver::greeted(config(), accept_all);
    d.ehlo();
    d.feed("MAIL FROM:<a@example.com>\r\nMAIL FROM:<other@example.com>\r\nRCPT TO:<b@example.org>\r\n");
    assert_eq!(d.take(), ["250 2.1.0", "503 5.5.1", "250 2.1.5"]);
    d.feed("DATA\r\nx\r\n.\r\n");
    assert_eq!(d.take(), ["354", "250 2.0.0"]);
    // The first sender stands.
    assert_eq!(d.messages()[0].0.from.to_string(), "<a@example.com>");
}

#[test]
fn rset_clears_the_transaction() {
    let mut d = Driver::greeted(config(), accept_all);
    d.open();
    d.feed("RSET\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
    assert_eq!(d.take(), ["250 2.0.0", "503 5.5.1", "503 5.5.1"]);
    // The EHLO is kept.
    d.feed("MAIL FROM:<c@example.com>\r\nRCPT TO:<d@example.org>\r\nDATA\r\nx\r\n.\r\n");
    assert_eq!(d.take(), ["250 2.1.0", "250 2.1.5", "354", "250 2.0.0"]);
    let (envelope, _) = &d.messages()[0];
    assert_eq!(envelope.from.to_string(), "<c@example.com>");
    assert_eq!(envelope.recipients.len(), 1);
    assert_eq!(envelope.recipients[0].0.to_string(), "<d@example.org>");
    // RSET needs no EHLO.
    let mut d = Driver::greeted(config(), accept_all);
    d.feed("RSET\r\n");
    assert_eq!(d.take(), ["250 2.0.0"]);
}

#[test]
fn new_ehlo_clears_the_transaction() {
    let mut d = Driver::greeted(config(), accept_all);
    d.open();
    d.ehlo();
    d.feed("RCPT TO:<b@example.org>\r\nDATA\r\n");
    assert_eq!(d.take(), ["503 5.5.1", "503 5.5.1"]);
    d.feed(
        "HELO other.example\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\n",
    );
    assert_eq!(d.take(), ["250", "250 2.1.0", "250 2.1.5", "354", "250 2.0.0"]);
    let (envelope, _) = &d.messages()[0];
    assert_eq!((envelope.helo.as_str(), envelope.extended), ("other.example", false));
}

#[test]
fn other_commands() {
    let mut d = Driver::greeted(config(), accept_all);
    d.feed("NOOP\r\nNOOP anything\r\nHELP\r\nHELP MAIL\r\nVRFY postmaster\r\nEXPN staff\r\n");
    assert_eq!(d.take(), ["250 2.0.0", "250 2.0.0", "214 2.0.0", "214 2.0.0", "252 2.5.0", "502 5.5.1"]);
    d.feed("DATA extra\r\nRSET now\r\nQUIT now\r\n");
    assert_eq!(d.take(), ["501 5.5.2", "501 5.5.2", "501 5.5.2"]);
    assert!(!d.s.is_closed());
    d.feed("quit\r\nNOOP\r\n");
    assert_eq!(d.take(), ["221 2.0.0"]);
    assert!(d.s.is_closed());
    assert_eq!(d.take_seen().last(), Some(&Seen::Closed));
    d.feed("NOOP\r\n");
    assert!(d.take().is_empty());
}

#[test]
fn without_enhanced_status_codes() {
    let mut c = config();
    c.enhanced_status_codes = false;
    let mut d = Driver::greeted(c, accept_all);
    assert!(!d.ehlo().has_keyword("ENHANCEDSTATUSCODES"));
    d.feed("MAIL FROM:<a@example.com>\r\nFOO\r\n");
    assert_eq!(d.take(), ["250", "500"]);
    assert!(d.wire.ends_with(b"250 Ok\r\n500 command \"FOO\" unrecognized\r\n"));
}

// ---------------------------------------------------------------------------
// limits
// ---------------------------------------------------------------------------

#[test]
fn size_parameter_over_the_maximum() {
    let mut c = config();
    c.max_message_size = 1000;
    let mut d = Driver::greeted(c, accept_all);
    assert_eq!(d.ehlo().size(), Some(1000));
    d.feed("MAIL FROM:<a@example.com> SIZE=1001\r\n");
    assert_eq!(d.take(), ["552 5.3.4"]);
    d.feed("MAIL FROM:<a@example.com> SIZE=1000\r\n");
    assert_eq!(d.take(), ["250 2.1.0"]);
}

#[test]
fn data_over_the_maximum() {
    let mut c = config();
    c.max_message_size = 100;
    let mut d = Driver::greeted(c, accept_all);
    d.open();
    let big = "x".repeat(98) + "\r\n" + "y\r\n";
    d.feed(format!("DATA\r\n{big}"));
    // Nothing until the end of the data.
    assert_eq!(d.take(), ["354"]);
    d.feed(".\r\n");
    assert_eq!(d.take(), ["552 5.3.4"]);
    assert!(d.messages().is_empty());
    // The session stays usable, and the transaction is over.
    d.feed("RCPT TO:<b@example.org>\r\n");
    assert_eq!(d.take(), ["503 5.5.1"]);
    let exact = "x".repeat(98) + "\r\n";
    d.feed(format!("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n{exact}.\r\n"));
    assert_eq!(d.take(), ["250 2.1.0", "250 2.1.5", "354", "250 2.0.0"]);
    assert_eq!(d.messages()[0].1.len(), 100);
}

#[test]
fn bdat_over_the_maximum() {
    let mut c = config();
    c.max_message_size = 100;
    let mut d = Driver::greeted(c, accept_all);
    d.open();
    d.feed(format!("BDAT 60\r\n{}BDAT 41 LAST\r\n{}", "x".repeat(60), "y".repeat(40)));
    assert_eq!(d.take(), ["250 2.0.0"]);
    d.feed("y");
    assert_eq!(d.take(), ["552 5.3.4"]);
    assert!(d.messages().is_empty());
    d.feed("NOOP\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n");
    assert_eq!(d.take(), ["250 2.0.0", "250 2.1.0", "250 2.1.5"]);
    d.feed(format!("BDAT 100 LAST\r\n{}", "z".repeat(100)));
    assert_eq!(d.take(), ["250 2.0.0"]);
    assert_eq!(d.messages()[0].1.len(), 100);
}

#[test]
fn too_many_recipients() {
    let mut c = config();
    c.max_recipients = 2;
    let mut d = Driver::greeted(c, accept_all);
    d.ehlo();
    d.take_seen();
    d.feed(
        "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\n\
         RCPT TO:<d@example.org>\r\nDATA\r\nx\r\n.\r\n",
    );
    assert_eq!(d.take(), ["250 2.1.0", "250 2.1.5", "250 2.1.5", "452 4.5.3", "354", "250 2.0.0"]);
    let seen = d.take_seen();
    assert_eq!(seen.iter().filter(|s| matches!(s, Seen::Rcpt(_))).count(), 2, "{seen:?}");
    let Some(Seen::Message(envelope, _)) = seen.last() else { panic!("{seen:?}") };
    assert_eq!(envelope.recipients.len(), 2);
    // Refused recipients do not count.
    let mut c = config();
    c.max_recipients = 1;
    let mut d = Driver::greeted(c, |ev: &ServerEvent| match ev {
        ServerEvent::Rcpt { to, .. } if to.to_string().contains("nobody") => {
            Answer::Reject(reply(550, "5.1.1", "No such user"))
        }
        _ => accept_all(ev),
    });
    d.ehlo();
    d.feed("MAIL FROM:<a@example.com>\r\nRCPT TO:<nobody@example.org>\r\nRCPT TO:<b@example.org>\r\n");
    assert_eq!(d.take(), ["250 2.1.0", "550 5.1.1", "250 2.1.5"]);
}

#[test]
fn command_line_over_the_limit() {
    let mut d = Driver::greeted(config(), accept_all);
    d.ehlo();
    // 2048 octets with the CRLF is the limit (as Postfix's line_length_limit).
    let at_limit = format!("NOOP {}\r\n", "x".repeat(2048 - 7));
    assert_eq!(at_limit.len(), 2048);
    d.feed(&at_limit);
    assert_eq!(d.take(), ["250 2.0.0"]);
    let over = format!("NOOP {}\r\nNOOP\r\n", "x".repeat(2048 - 6));
    d.feed(&over);
    assert_eq!(d.take(), ["500 5.5.2", "250 2.0.0"]);
    // A line far over the limit, fed in pieces: not kept in memory, and the
    // session resyncs at the next line (the "QUIT" at its end is not run).
    let mut huge = "MAIL FROM:<a@example.com> ".to_string();
    huge.push_str(&"x".repeat(100_000));
    huge.push_str(" QUIT\r\n");
    for piece in huge.as_bytes().chunks(1000) {
        d.feed(piece);
    }
    d.feed("NOOP\r\n");
    assert_eq!(d.take(), ["500 5.5.2", "250 2.0.0"]);
    // The same line in one piece gives the same reply.
    d.feed(format!("{huge}NOOP\r\n"));
    assert_eq!(d.take(), ["500 5.5.2", "250 2.0.0"]);
    assert!(!d.s.is_closed());
    // The transaction was not touched.
    d.feed("MAIL FROM:<a@example.com>\r\n");
    assert_eq!(d.take(), ["250 2.1.0"]);
}

#[test]
fn overlong_line_gets_the_same_reply_however_it_is_split() {
    let mut c = config();
    c.limits = Limits { max_line_len: 64, max_auth_line_len: 128, max_path_len: 64 };
    c.auth_mechanisms = vec![Mechanism::Plain];
    c.auth_without_tls = true;
    for line in [
        format!("NOOP {}\r\n", "x".repeat(100)),
        format!("NOOP {}\r\n", "x".repeat(200)),
        format!("{}\r\n", "x".repeat(200)),
        format!("AUTH PLAIN {}\r\n", "A".repeat(100)),
        format!("AUTH PLAIN {}\r\n", "A".repeat(200)),
    ] {
        let run = |cuts: &[usize]| {
            let mut d = Driver::greeted(c.clone(), accept_all);
            d.ehlo();
            let start = d.wire.len();
            let input = format!("{line}NOOP\r\n");
            let mut at = 0;
            for &cut in cuts {
                d.feed(&input.as_bytes()[at..cut]);
                at = cut;
            }
            d.feed(&input.as_bytes()[at..]);
            d.wire[start..].to_vec()
        };
        let whole = run(&[]);
        for cut in 1..line.len() {
            assert_eq!(run(&[cut]), whole, "{line:?} split at {cut}");
        }
    }
}

#[test]
fn too_many_errors_close_the_session() {
    let mut c = config();
    c.max_errors = 3;
    let mut d = Driver::greeted(c, accept_all);
    d.feed("FOO\r\nMAIL FROM:<a@example.com>\r\nNOOP\r\nBAR\r\nBAZ\r\nNOOP\r\n");
    assert_eq!(d.take(), ["500 5.5.1", "503 5.5.1", "250 2.0.0", "500 5.5.1", "421 4.7.0"]);
    assert!(d.wire.ends_with(format!("421 4.7.0 {HOST} Too many errors, closing connection\r\n").as_bytes()));
    assert_eq!(d.take_seen(), [Seen::Closed]);
    assert!(d.s.is_closed());
    d.feed("NOOP\r\n");
    assert!(d.take().is_empty());
}

#[test]
fn too_much_pipelined_input_while_a_decision_is_pending() {
    let mut c = config();
    c.max_buffered_input = 1000;
    let mut d = Driver::greeted(c, hold);
    d.ehlo();
    d.feed("MAIL FROM:<a@example.com>\r\n");
    assert_eq!(d.take_seen().last(), Some(&Seen::Mail("<a@example.com>".into())));
    d.feed("NOOP\r\n".repeat(100));
    assert!(d.take().is_empty());
    d.feed("NOOP\r\n".repeat(100));
    assert_eq!(d.take(), ["421 4.7.0"]);
    assert_eq!(d.take_seen(), [Seen::Closed]);
    assert!(d.s.is_closed());
    // The decision died with the session: nothing more is sent.
    assert_eq!(d.s.accept(), Err(ServerError::NoDecisionPending));
    d.pump();
    assert!(d.take().is_empty());
    // Without a decision pending, the same input is simply worked through.
    let mut c = config();
    c.max_buffered_input = 1000;
    let mut d = Driver::greeted(c, accept_all);
    d.feed("NOOP\r\n".repeat(1000));
    assert_eq!(d.take().len(), 1000);
}

// ---------------------------------------------------------------------------
// malformed input
// ---------------------------------------------------------------------------

/// Feeds each line to a fresh session after EHLO and MAIL, and checks the
/// reply, then that the session still answers NOOP (and still has the
/// transaction).
fn after_mail(cases: &[(&[u8], &str)]) {
    for &(input, expected) in cases {
        let mut d = Driver::greeted(config(), accept_all);
        d.ehlo();
        d.feed("MAIL FROM:<a@example.com>\r\n");
        d.take();
        d.feed(input);
        assert_eq!(d.take(), [expected], "{:?}", String::from_utf8_lossy(input));
        d.feed("NOOP\r\nRCPT TO:<b@example.org>\r\n");
        assert_eq!(d.take(), ["250 2.0.0", "250 2.1.5"], "after {:?}", String::from_utf8_lossy(input));
    }
}

#[test]
fn garbage() {
    after_mail(&[
        (b"\x01\x02\x03\r\n", "500 5.5.1"),
        (b"GET / HTTP/1.1\r\n", "500 5.5.1"),
        (b"\r\n", "500 5.5.2"),
        (b"   \r\n", "500 5.5.2"),
        (b"\xff\xfe\xfd\r\n", "500 5.5.1"),
        (b"MAILFROM:<a@example.com>\r\n", "500 5.5.1"),
        (b"\x1b[A\r\n", "500 5.5.1"),
    ]);
}

#[test]
fn nul_bytes() {
    after_mail(&[
        (b"NOOP\0\r\n", "500 5.5.2"),
        (b"\0\r\n", "500 5.5.2"),
        (b"RCPT TO:<b\0@example.org>\r\n", "500 5.5.2"),
        (b"RC\0PT TO:<b@example.org>\r\n", "500 5.5.2"),
    ]);
}

#[test]
fn bare_cr() {
    // A bare CR never splits a line: "RSET" here is not run.
    after_mail(&[
        (b"NOOP\rRSET\r\n", "500 5.5.2"),
        (b"RCPT TO:<b@example.org>\rDATA\r\n", "500 5.5.2"),
        (b"\r\r\n", "500 5.5.2"),
    ]);
}

#[test]
fn bare_lf() {
    // A command ended by a bare LF is read as if it ended in CRLF, as
    // Postfix's default does (smtpd_forbid_bare_newline = normal).
    after_mail(&[(b"NOOP\n", "250 2.0.0"), (b"HELP\n", "214 2.0.0"), (b"\n", "500 5.5.2")]);
    let mut d = Driver::greeted(config(), accept_all);
    d.feed("EHLO client.example\nMAIL FROM:<a@example.com>\r\nEHLO client.example\r\nQUIT\n");
    let r = d.take();
    assert_eq!(r, ["250", "250 2.1.0", "250", "221 2.0.0"]);
    assert!(d.s.is_closed());
}

#[test]
fn truncated_commands() {
    after_mail(&[
        (b"MAIL FRO\r\n", "501 5.5.2"),
        (b"RCPT TO:<\r\n", "501 5.1.3"),
        (b"RCPT TO:\r\n", "501 5.5.2"),
        (b"RCPT TO:<b@\r\n", "501 5.1.3"),
        (b"RCPT TO:<b@example.org\r\n", "501 5.1.3"),
        (b"RCPT\r\n", "501 5.5.2"),
        (b"RCP\r\n", "500 5.5.1"),
        (b"BDAT\r\n", "501 5.5.2"),
        (b"BDAT 1x\r\n", "501 5.5.2"),
        (b"AUTH\r\n", "501 5.5.2"),
    ]);
    let mut d = Driver::greeted(config(), accept_all);
    d.ehlo();
    d.feed("EHLO\r\nMAIL FROM:\r\nMAIL FROM:<a@example.com\r\n");
    assert_eq!(d.take(), ["501 5.5.2", "501 5.5.2", "501 5.1.7"]);
    // A command without its line end waits for the rest.
    d.feed("MAIL FROM:<a@exa");
    assert!(d.take().is_empty());
    d.feed("mple.com>\r");
    assert!(d.take().is_empty());
    d.feed("\n");
    assert_eq!(d.take(), ["250 2.1.0"]);
}

#[test]
fn eight_bit_bytes_in_commands() {
    after_mail(&[
        (b"NOOP \xff\xfe\r\n", "501 5.5.2"),
        (b"RCPT TO:<\xff@example.org>\r\n", "501 5.1.3"),
        (b"RCPT TO:<b@example.org> NOTIFY=\xe9\r\n", "501 5.5.4"),
        (b"\xc3\xa9HLO client.example\r\n", "500 5.5.1"),
        (b"EHLO h\xc3\xa9.example\r\n", "501 5.5.2"),
    ]);
}

#[test]
fn non_ascii_addresses_need_smtputf8() {
    let mut d = Driver::greeted(config(), accept_all);
    assert!(d.ehlo().has_keyword("SMTPUTF8"));
    // RFC 6531 §3.5: 550 5.6.7 for MAIL, 553 5.6.7 for RCPT.
    d.feed("MAIL FROM:<jösé@example.com>\r\n");
    assert_eq!(d.take(), ["550 5.6.7"]);
    d.feed("MAIL FROM:<a@example.com>\r\nRCPT TO:<bø@example.org>\r\nRCPT TO:<b@exämple.org>\r\nRSET\r\n");
    assert_eq!(d.take(), ["250 2.1.0", "553 5.6.7", "553 5.6.7", "250 2.0.0"]);
    d.take_seen();
    d.feed("MAIL FROM:<jösé@example.com> SMTPUTF8\r\nRCPT TO:<bø@exämple.org>\r\nDATA\r\nx\r\n.\r\n");
    assert_eq!(d.take(), ["250 2.1.0", "250 2.1.5", "354", "250 2.0.0"]);
    let seen = d.take_seen();
    assert_eq!(seen[0], Seen::Mail("<jösé@example.com>".into()));
    assert_eq!(seen[1], Seen::Rcpt("<bø@exämple.org>".into()));
    let Seen::Message(envelope, _) = &seen[2] else { panic!("{seen:?}") };
    assert!(envelope.mail_params.smtputf8);
    // SMTPUTF8 not offered: the parameter is refused.
    let mut c = config();
    c.smtputf8 = false;
    let mut d = Driver::greeted(c, accept_all);
    assert!(!d.ehlo().has_keyword("SMTPUTF8"));
    d.feed("MAIL FROM:<jösé@example.com> SMTPUTF8\r\nMAIL FROM:<jösé@example.com>\r\n");
    assert_eq!(d.take(), ["555 5.5.4", "550 5.6.7"]);
}

#[test]
fn unknown_mail_parameters() {
    let mut c = config();
    c.eightbitmime = false;
    let mut d = Driver::greeted(c, accept_all);
    d.ehlo();
    d.feed("MAIL FROM:<a@example.com> BODY=8BITMIME\r\nMAIL FROM:<a@example.com> SIZE=x\r\n");
    assert_eq!(d.take(), ["555 5.5.4", "501 5.5.2"]);
}

#[test]
fn unrecognized_parameters_get_555() {
    // RFC 5321 §4.1.1.11: a parameter the server does not recognise or
    // cannot implement gets 555; so do DSN's when DSN is not offered.
    let mut d = Driver::greeted(config(), accept_all);
    d.ehlo();
    d.take_seen();
    d.feed("MAIL FROM:<a@example.com> FOO=bar\r\nMAIL FROM:<a@example.com> XYZ\r\n");
    assert_eq!(d.take(), ["555 5.5.4", "555 5.5.4"]);
    d.feed("MAIL FROM:<a@example.com> RET=HDRS ENVID=x\r\nRCPT TO:<b@example.org> FOO=bar\r\n");
    assert_eq!(d.take(), ["250 2.1.0", "555 5.5.4"]);
    d.feed("RCPT TO:<b@example.org> NOTIFY=NEVER ORCPT=rfc822;b@example.org\r\n");
    assert_eq!(d.take(), ["250 2.1.5"]);
    assert_eq!(d.take_seen(), [Seen::Mail("<a@example.com>".into()), Seen::Rcpt("<b@example.org>".into())]);
    let mut c = config();
    c.dsn = false;
    let mut d = Driver::greeted(c, accept_all);
    assert!(!d.ehlo().has_keyword("DSN"));
    d.feed("MAIL FROM:<a@example.com> RET=HDRS\r\nMAIL FROM:<a@example.com> ENVID=x\r\nMAIL FROM:<a@example.com>\r\n");
    assert_eq!(d.take(), ["555 5.5.4", "555 5.5.4", "250 2.1.0"]);
    d.feed("RCPT TO:<b@example.org> NOTIFY=NEVER\r\nRCPT TO:<b@example.org> ORCPT=rfc822;b@example.org\r\n");
    assert_eq!(d.take(), ["555 5.5.4", "555 5.5.4"]);
}

// ---------------------------------------------------------------------------
// early talkers
// ---------------------------------------------------------------------------

#[test]
fn early_talker_gets_554_then_503_until_quit() {
    // RFC 5321 §3.1: after a 554 greeting the server answers 503 to every
    // command but QUIT.
    let mut d = Driver::new(config(), accept_all);
    d.feed("EHLO client.example\r\n");
    assert!(d.take().is_empty() && d.take_seen().is_empty());
    d.s.greet();
    d.pump();
    assert_eq!(d.take(), ["554 5.5.1"]);
    d.feed("EHLO client.example\r\nMAIL FROM:<a@example.com>\r\n");
    assert_eq!(d.take(), ["503 5.5.1", "503 5.5.1"]);
    assert!(!d.s.is_closed());
    d.feed("QUIT\r\n");
    assert_eq!(d.take(), ["221 2.0.0"]);
    assert_eq!(d.take_seen(), [Seen::Closed]);
}

#[test]
fn greeting() {
    let mut d = Driver::new(config(), accept_all);
    d.s.greet();
    d.s.greet();
    d.pump();
    assert_eq!(d.wire, format!("220 {HOST} ESMTP mailwire\r\n").as_bytes());
}

// ---------------------------------------------------------------------------
// SMTP smuggling
// ---------------------------------------------------------------------------

#[test]
fn smuggling_only_crlf_dot_crlf_ends_the_data() {
    for fake_end in ["\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r", "\r\n.\r", "\r.\r\n"] {
        let mut d = Driver::greeted(config(), accept_all);
        d.open();
        d.take_seen();
        let smuggled = "MAIL FROM:<admin@example.org>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\n";
        let body = format!("Subject: hi\r\n\r\nhello{fake_end}{smuggled}evil\r\n");
        d.feed(format!("DATA\r\n{body}"));
        assert_eq!(d.take(), ["354"], "{fake_end:?}");
        assert!(d.take_seen().is_empty(), "{fake_end:?} ended the data");
        d.feed(".\r\nQUIT\r\n");
        assert_eq!(d.take(), ["250 2.0.0", "221 2.0.0"], "{fake_end:?}");
        let seen = d.take_seen();
        assert_eq!(seen.len(), 2, "{seen:?}");
        let Seen::Message(_, data) = &seen[0] else { panic!("{seen:?}") };
        let text = String::from_utf8(data.clone()).unwrap();
        assert!(text.ends_with(&format!("{smuggled}evil\r\n")), "{fake_end:?}: {text:?}");
        assert!(text.starts_with("Subject: hi\r\n\r\nhello"));
    }
}

#[test]
fn smuggling_end_of_data_split_across_feeds() {
    let input = b"DATA\r\na\n.\nb\r\n..c\r\n.\r\nNOOP\r\n";
    for cut in 0..=input.len() {
        let mut d = Driver::greeted(config(), accept_all);
        d.open();
        d.feed(&input[..cut]);
        d.feed(&input[cut..]);
        assert_eq!(d.take(), ["354", "250 2.0.0", "250 2.0.0"], "cut at {cut}");
        assert_eq!(d.messages()[0].1, b"a\n.\nb\r\n.c\r\n", "cut at {cut}");
    }
}

// ---------------------------------------------------------------------------
// property: any input, any split
// ---------------------------------------------------------------------------

fn fuzz_config(lmtp: bool) -> ServerConfig {
    let mut c = config();
    c.lmtp = lmtp;
    c.max_message_size = 64;
    c.max_recipients = 2;
    c.max_errors = 40;
    c.limits = Limits { max_line_len: 64, max_auth_line_len: 128, max_path_len: 64 };
    c.starttls = true;
    c.auth_without_tls = true;
    c.auth_mechanisms = vec![
        Mechanism::ScramSha256,
        Mechanism::CramMd5,
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::XOAuth2,
    ];
    c.nonce = vec![7; 18];
    c
}

const FRAGMENTS: &[&str] = &[
    "EHLO c.example\r\n",
    "HELO c.example\r\n",
    "LHLO c.example\r\n",
    "MAIL FROM:<a@example.com>\r\n",
    "MAIL FROM:<> SIZE=100\r\n",
    "MAIL FROM:<a@example.com> BODY=BINARYMIME\r\n",
    "MAIL FROM:<ö@example.com> SMTPUTF8\r\n",
    "MAIL FROM:<ö@example.com>\r\n",
    "RCPT TO:<b@example.org>\r\n",
    "RCPT TO:<c@example.org> NOTIFY=NEVER\r\n",
    "RCPT TO:<ü@example.org>\r\n",
    "RCPT TO:<Postmaster>\r\n",
    "DATA\r\n",
    "line of text\r\n",
    ".\r\n",
    "..\r\n",
    "\r\n.\r\n",
    "\n.\n",
    "BDAT 5\r\n",
    "BDAT 0 LAST\r\n",
    "BDAT 3 LAST\r\n",
    "BDAT 70\r\n",
    "RSET\r\n",
    "NOOP\r\n",
    "VRFY x\r\n",
    "EXPN x\r\n",
    "HELP\r\n",
    "AUTH PLAIN AHUAcA==\r\n",
    "AUTH PLAIN\r\n",
    "AHUAcA==\r\n",
    "AUTH LOGIN\r\n",
    "dQ==\r\n",
    "*\r\n",
    "=\r\n",
    "AUTH SCRAM-SHA-256 biwsbj11LHI9YWJjZGVmZ2hpamtsbW5vcA==\r\n",
    "AUTH CRAM-MD5\r\n",
    "dSAwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg==\r\n",
    "AUTH XOAUTH2 dXNlcj11AWF1dGg9QmVhcmVyIHQBAQ==\r\n",
];

const CONTROL: &[&[u8]] = &[b"\r", b"\n", b"\0", b"\r\n", b" ", b"\xff"];

/// Rare: each ends what can be tested (STARTTLS: no TLS is ever established).
const ENDINGS: &[&str] = &["QUIT\r\n", "STARTTLS\r\n"];

/// Whole steps of a transaction, so that random streams get far.
const STEPS: &[&str] = &[
    "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n",
    "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: x\r\n\r\n..body\r\n.\r\n",
    "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nBDAT 4 LAST\r\nabcd",
    "DATA\r\nSubject: x\r\n\r\nbody\r\n.\r\n",
    "DATA\r\n",
    "BDAT 4 LAST\r\nabcd",
    "BDAT 2\r\n.\r",
];

fn fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        60 => prop::sample::select(FRAGMENTS).prop_map(|s| s.as_bytes().to_vec()),
        25 => prop::sample::select(STEPS).prop_map(|s| s.as_bytes().to_vec()),
        10 => prop::collection::vec(any::<u8>(), 0..12),
        8 => prop::sample::select(CONTROL).prop_map(<[u8]>::to_vec),
        4 => (1usize..300).prop_map(|n| vec![b'x'; n]),
        1 => prop::sample::select(ENDINGS).prop_map(|s| s.as_bytes().to_vec()),
    ]
}

fn stream_and_cuts() -> impl Strategy<Value = (Vec<u8>, Vec<usize>)> {
    prop::collection::vec(fragment(), 0..50).prop_map(|f| f.concat()).prop_flat_map(|s| {
        let n = s.len();
        (Just(s), prop::collection::vec(0..=n, 0..8))
    })
}

/// Everything the session sent, and every event, for `input` fed in the
/// pieces that `cuts` marks.
fn fuzz_run(config: &ServerConfig, input: &[u8], cuts: &[usize]) -> (Vec<u8>, Vec<Seen>) {
    let mut d = Driver::start(config.clone(), accept_all);
    let mut cuts = cuts.to_vec();
    cuts.sort_unstable();
    let mut at = 0;
    for c in cuts {
        d.feed(&input[at..c]);
        at = c;
    }
    d.feed(&input[at..]);
    // Only whole replies: nothing half-written is left.
    assert!(!d.parser.is_mid_reply(), "a reply is cut off: {:?}", String::from_utf8_lossy(&d.wire));
    for r in &d.replies {
        assert!((200..600).contains(&r.code.get()), "{r:?}");
    }
    (d.wire, d.seen)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_input_any_split_same_well_formed_replies(
        (input, cuts) in stream_and_cuts(),
        lmtp in any::<bool>(),
        hello in any::<bool>(),
    ) {
        let config = fuzz_config(lmtp);
        // Most streams start with the right greeting, to get further.
        let (input, cuts) = match (hello, lmtp) {
            (false, _) => (input, cuts),
            (true, lmtp) => {
                let hello: &[u8] = if lmtp { b"LHLO c.example\r\n" } else { b"EHLO c.example\r\n" };
                let cuts = cuts.iter().map(|c| c + hello.len()).collect();
                ([hello, &input].concat(), cuts)
            }
        };
        let whole = fuzz_run(&config, &input, &[]);
        let split = fuzz_run(&config, &input, &cuts);
        prop_assert_eq!(&split.0, &whole.0, "output differs when split at {:?}", cuts);
        prop_assert_eq!(&split.1, &whole.1, "events differ when split at {:?}", cuts);
        let bytewise: Vec<usize> = (1..input.len()).collect();
        let bytewise = fuzz_run(&config, &input, &bytewise);
        prop_assert_eq!(&bytewise.0, &whole.0, "output differs when fed byte by byte");
        prop_assert_eq!(&bytewise.1, &whole.1, "events differ when fed byte by byte");
    }
}

#[test]
fn improper_pipelining_is_refused() {
    let strict = || {
        let mut c = ServerConfig::new(HOST);
        c.reject_improper_pipelining = true;
        c
    };
    // Without PIPELINING (HELO), a client that sends MAIL and RCPT together.
    let mut d = Driver::greeted(strict(), accept_all);
    d.feed("HELO client.example\r\n");
    assert_eq!(d.take(), ["250"]);
    d.feed("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n");
    assert_eq!(d.take(), ["554 5.5.0"]);
    assert!(d.s.is_closed());
    // With PIPELINING, MAIL/RCPT/DATA in one group are fine; the message
    // sent before the 354 is not.
    let mut d = Driver::greeted(strict(), accept_all);
    d.feed("EHLO client.example\r\n");
    d.take();
    d.feed("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
    assert_eq!(d.take(), ["250 2.1.0", "250 2.1.5", "354"]);
    d.feed("x\r\n.\r\n");
    assert_eq!(d.take(), ["250 2.0.0"]);
    d.feed("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\n");
    assert_eq!(d.take(), ["250 2.1.0", "250 2.1.5", "354", "554 5.5.0"]);
    assert!(d.s.is_closed());
    // EHLO ends a group: a command right behind it is improper.
    let mut d = Driver::greeted(strict(), accept_all);
    d.feed("EHLO client.example\r\nMAIL FROM:<a@example.com>\r\n");
    let r = d.take();
    assert_eq!(r.last().map(String::as_str), Some("554 5.5.0"));
}
