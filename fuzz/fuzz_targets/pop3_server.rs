//! Runs a whole POP3 server session on the input: six header bytes, a tape
//! of decisions (as long as the sixth byte says), then the client's bytes.
//!
//! Header: `0` STLS (0x01), TLS already (0x02), secrets in the clear
//! without TLS (0x04), UTF8 (0x08), LANG with two languages (0x10), APOP
//! with RFC 1939's timestamp (0x20), no USER/PASS (0x40), a nonce (0x80);
//! `1` the SASL mechanisms offered (one bit each, in `Mechanism::ALL`'s
//! order) and, 0x80, IMPLEMENTATION / EXPIRE / LOGIN-DELAY; `2`
//! max_errors (low nibble) and max_auth_failures (high nibble), 0 for the
//! default; `3` max_buffered_input (low 3 bits) and how many times the
//! client's bytes are sent (high nibble, 1 to 16); `4` the largest piece
//! the client's bytes are cut into and a seed for the piece sizes; `5` the
//! length of the tape.
//!
//! Each decision takes its answer from the tape (then from a fixed
//! sequence): passwords accepted, refused, or refused with a code; APOP
//! with the right secret, a wrong one or no user; CRAM-MD5 and SCRAM with
//! the password or no user; tokens; a maildrop of 0 to 5 messages (fixed
//! samples or bytes from the tape) or `[IN-USE]` / `[SYS/TEMP]`; a message
//! whole, in chunks then `message_end`, refused before it starts or cut
//! off by a refusal; UPDATE accepted or refused; STLS's switch done at once
//! or after the next piece; any decision may be held over the next piece,
//! and a wrong answer may be tried first (it must fail and change
//! nothing).
//!
//! Checks: no panic; every right answer is taken; nothing is sent and no
//! event comes after `Closed`; no password or token is asked for, and no
//! clear-text mechanism offered, without TLS unless allowed; retrieved
//! messages go out exactly as a model of the stuffer says, after `+OK
//! <size> octets`; UPDATE's list and sign-off agree with the maildrop; the
//! buffered input stays within the limit; and the whole output is CRLF
//! lines (no bare LF), starting with the greeting: status lines that parse
//! (`+OK` / `-ERR`, at most 512 octets) or `+ base64` continuations, and
//! multi-line answers (CAPA, LIST, UIDL, AUTH, LANG) whose lines read as
//! the configuration and the maildrop say, ending with `.`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mailwire_pop3::capability::{Capabilities, Expire, LoginDelay};
use mailwire_pop3::multiline::wire_size;
use mailwire_pop3::response::{Language, Response, ResponseCode, ScanListing, UniqueId, parse_continuation};
use mailwire_pop3::server::{
    LoginMethod, MessageInfo, ServerConfig, ServerError, ServerEvent, ServerSession, maildrop_in_use,
    temporary_failure,
};
use mailwire_sasl::{Mechanism, ScramCredentials};

const HOST: &str = "pop.test";
const STAMP: &str = "<1896.697170952@dbc.mtview.ca.us>";
const APOP_SECRET: &str = "tanstaaf";
const MAX_AUTH_LINE: usize = mailwire_sasl::MAX_MESSAGE_LEN / 3 * 4 + 8;
const CUT_OFF: &[u8] = b"-ERR message could not be read in full, closing\r\n";

const SAMPLES: [&[u8]; 8] = [
    b"Subject: hi\r\n\r\nbody\r\n",
    b"From: a\n\n.dot\n..two\n.\nend",
    b"",
    b"A: 1\r\nB: 2\r\n\r\nl1\r\n.l2\r\nl3\r\n",
    b"bare\rcr\r",
    b".\r\n",
    b"H: v\r\n\r\n.\r\n\r\n.\n",
    b"no header at all",
];

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn sends_secret_in_clear(m: Mechanism) -> bool {
    matches!(m, Mechanism::Plain | Mechanism::Login | Mechanism::XOAuth2 | Mechanism::OAuthBearer)
}

fn scram_credentials() -> ScramCredentials {
    static C: OnceLock<ScramCredentials> = OnceLock::new();
    C.get_or_init(|| ScramCredentials::derive("p", b"fuzz-salt-16byte", 16).expect("SCRAM credentials"))
        .clone()
}

/// What `Stuffer` sends for `msg` (`top`: TOP's body line count), with
/// `finish` or (`!finish`) only what `push` writes: every LF not after a
/// CR becomes CRLF, a bare CR stays, a line starting with `.` gets another,
/// TOP stops after the header's empty line (one of CRs only) and `n` more
/// lines; `finish` completes a last line without its line end and adds the
/// terminator.
fn stuff_model(msg: &[u8], top: Option<u32>, finish: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut in_header = true;
    let mut left = top;
    let mut full = false;
    let mut open_line: Option<&[u8]> = None;
    for line in msg.split_inclusive(|&b| b == b'\n') {
        if full {
            break;
        }
        if line[0] == b'.' {
            out.push(b'.');
        }
        let Some(body) = line.strip_suffix(b"\n") else {
            out.extend_from_slice(line);
            open_line = Some(line);
            break;
        };
        out.extend_from_slice(body);
        if !body.ends_with(b"\r") {
            out.push(b'\r');
        }
        out.push(b'\n');
        if let Some(n) = &mut left {
            if in_header {
                if body.iter().all(|&b| b == b'\r') {
                    in_header = false;
                    full = *n == 0;
                }
            } else {
                *n = n.saturating_sub(1);
                full = *n == 0;
            }
        }
    }
    if finish {
        match open_line {
            Some(l) if l.ends_with(b"\r") => out.push(b'\n'),
            Some(_) => out.extend_from_slice(b"\r\n"),
            None => {}
        }
        out.extend_from_slice(b".\r\n");
    }
    out
}

/// Decisions: the tape's bytes, then a fixed sequence.
struct Tape<'a> {
    bytes: &'a [u8],
    pos: usize,
    n: u32,
}

impl Tape<'_> {
    fn byte(&mut self) -> u8 {
        if let Some(&b) = self.bytes.get(self.pos) {
            self.pos += 1;
            return b;
        }
        self.n = self.n.wrapping_add(1);
        (self.n.wrapping_mul(0x9e37_79b9) >> 24) as u8
    }

    fn pick(&mut self, n: u8) -> u8 {
        self.byte() % n
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.byte()).collect()
    }
}

struct Rng(u32);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        self.0 >> 8
    }
}

fn config(o: &[u8; 5]) -> ServerConfig {
    let mut c = ServerConfig::new(HOST);
    c.stls = o[0] & 0x01 != 0;
    c.tls_active = o[0] & 0x02 != 0;
    c.plaintext_without_tls = o[0] & 0x04 != 0;
    c.utf8 = o[0] & 0x08 != 0;
    if o[0] & 0x10 != 0 {
        c.languages = vec![
            Language { tag: "en".into(), description: "English".into() },
            Language { tag: "fr-CA".into(), description: "Fran\u{e7}ais canadien".into() },
        ];
    }
    if o[0] & 0x20 != 0 {
        c.apop_timestamp = Some(STAMP.into());
    }
    c.user_pass = o[0] & 0x40 == 0;
    if o[0] & 0x80 != 0 {
        c.nonce = (10u8..34).collect();
    }
    c.sasl_mechanisms =
        Mechanism::ALL.iter().enumerate().filter(|(i, _)| o[1] >> i & 1 == 1).map(|(_, &m)| m).collect();
    if o[1] & 0x80 != 0 {
        c.implementation = Some("mailwire fuzz".into());
        c.expire = Some(Expire::days(30));
        c.login_delay = Some(LoginDelay { seconds: 60, per_user: false });
    }
    if o[2] & 0x0f != 0 {
        c.max_errors = usize::from(o[2] & 0x0f);
    }
    if o[2] >> 4 != 0 {
        c.max_auth_failures = usize::from(o[2] >> 4);
    }
    c.max_buffered_input = [64 << 10, 0, 64, 1024, 25_000, 40_000, 1 << 20, 100][usize::from(o[3] & 7)];
    c
}

/// The session's buffered input, read from its `Debug` form (there is no
/// accessor): the length of the `input` field.
fn buffered(s: &ServerSession) -> usize {
    let dbg = format!("{s:?}");
    let at = dbg.find(", input: [").expect("an input field in the session's Debug form") + ", input: [".len();
    let end = at + dbg[at..].find(']').expect("the end of the input field");
    let list = &dbg[at..end];
    if list.trim().is_empty() { 0 } else { list.matches(',').count() + 1 }
}

struct Message {
    info: MessageInfo,
    content: Vec<u8>,
}

/// How the lines of a multi-line answer are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Capa,
    Lang,
    /// LIST, with the count its `+OK` line gave.
    List(usize),
    /// UIDL or the AUTH list (both after a bare `+OK`).
    UidlOrAuth,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Greeting,
    Status,
    /// After a bare `+OK`: NOOP's or USER's answer, or a UIDL or AUTH
    /// listing; the next line says which.
    MaybeBlock,
    Block(Block),
}

struct App<'a> {
    tape: Tape<'a>,
    cfg: ServerConfig,
    maildrop: Option<Vec<Message>>,
    wire: Vec<u8>,
    /// Retrieve answers, checked against the model when sent.
    opaque: Vec<(usize, usize)>,
    /// Where in `wire` the transport became TLS.
    tls_from: Option<usize>,
    closed: bool,
    sealed: bool,
    events: usize,
    max_events: usize,
    held: Option<ServerEvent>,
    tls_pending: bool,
    may_hold: bool,
}

impl App<'_> {
    fn drain(&mut self, s: &mut ServerSession) {
        while let Some(bytes) = s.poll_transmit() {
            assert!(!self.sealed, "sent {:?} after Closed", show(&bytes));
            assert!(!bytes.is_empty());
            self.wire.extend_from_slice(&bytes);
        }
    }

    fn tls_now(&self, s: &ServerSession) -> bool {
        assert_eq!(s.is_tls(), self.cfg.tls_active || self.tls_from.is_some());
        s.is_tls()
    }

    fn plaintext_ok(&self, s: &ServerSession) -> bool {
        self.tls_now(s) || self.cfg.plaintext_without_tls
    }

    /// A wrong answer must fail and leave everything as it was.
    fn probe(&mut self, s: &mut ServerSession, ev: &ServerEvent) {
        let pick = self.tape.byte();
        if pick & 0x80 == 0 {
            return;
        }
        self.drain(s);
        let r = match (pick % 4, ev) {
            (0, _) => s.reject(Response::ok("not a refusal")),
            (1, ServerEvent::Update { .. }) | (1, ServerEvent::StartTls) => s.open_maildrop(Vec::new()),
            (1, _) => s.accept(),
            (2, ServerEvent::Retrieve { .. }) | (2, ServerEvent::StartTls) => s.auth_apop(Some(APOP_SECRET)),
            (2, _) => s.message_end(),
            (_, ServerEvent::StartTls) => s.accept(),
            (_, ServerEvent::OpenMaildrop { .. }) => {
                // An invalid unique id.
                let bad = MessageInfo { size: 1, uid: "bad uid".into() };
                match s.open_maildrop(vec![bad]) {
                    Err(ServerError::BadAnswer(_)) => Err(ServerError::NoDecisionPending),
                    Err(e) if s.is_closed() => Err(e),
                    other => panic!("an invalid unique id taken: {other:?}"),
                }
            }
            (_, _) => s.tls_established(),
        };
        assert!(r.is_err(), "wrong answer {} to {ev:?} taken", pick % 4);
        assert_eq!(s.poll_transmit(), None, "a wrong answer to {ev:?} sent something");
        let next = s.poll_event();
        assert!(
            next.is_none() || next == Some(ServerEvent::Closed),
            "a wrong answer to {ev:?} made {next:?}"
        );
        if let Some(next) = next {
            // Closed was already queued behind the decision.
            self.events += 1;
            self.on_closed(s, &next);
        }
    }

    fn on_closed(&mut self, s: &mut ServerSession, ev: &ServerEvent) {
        assert_eq!(*ev, ServerEvent::Closed);
        assert!(!self.closed, "two Closed events");
        assert!(s.is_closed());
        self.closed = true;
        self.drain(s);
        self.sealed = true;
    }

    /// `r` must be `Ok`, unless the session closed with the decision
    /// still queued (too much input), when it must fail.
    fn taken(&self, closed: bool, what: &str, r: Result<(), ServerError>) {
        match (closed, r) {
            (false, Ok(())) => {}
            (true, Err(_)) => {}
            (false, Err(e)) => panic!("{what} refused: {e:?}"),
            (true, Ok(())) => panic!("{what} taken after the session closed"),
        }
    }

    fn handle(&mut self, s: &mut ServerSession) {
        if let Some(ev) = self.held.take() {
            self.decide(s, ev);
        }
        if self.tls_pending {
            self.tls_pending = false;
            self.switch_tls(s);
        }
        loop {
            self.drain(s);
            let Some(ev) = s.poll_event() else { break };
            assert!(!self.closed, "event {ev:?} after Closed");
            self.events += 1;
            assert!(self.events <= self.max_events, "more than {} events", self.max_events);
            match ev {
                ServerEvent::Closed => self.on_closed(s, &ev),
                ServerEvent::StartTls => {
                    assert!(!s.is_tls(), "STLS over TLS");
                    assert!(self.cfg.stls, "STLS not offered");
                    self.probe(s, &ServerEvent::StartTls);
                    if self.may_hold && self.tape.pick(4) == 0 {
                        self.tls_pending = true;
                    } else {
                        self.switch_tls(s);
                    }
                }
                ev => {
                    if self.may_hold && self.tape.pick(5) == 0 {
                        assert!(self.held.is_none());
                        self.held = Some(ev);
                    } else {
                        self.decide(s, ev);
                    }
                }
            }
        }
    }

    fn switch_tls(&mut self, s: &mut ServerSession) {
        self.drain(s);
        let closed = s.is_closed();
        let r = s.tls_established();
        if closed {
            assert!(r.is_err());
            return;
        }
        r.expect("tls_established after StartTls");
        self.tls_from = Some(self.wire.len());
        assert!(s.is_tls());
        assert_eq!(s.tls_established(), Err(ServerError::NotStartingTls));
    }

    fn decide(&mut self, s: &mut ServerSession, ev: ServerEvent) {
        if !s.is_closed() {
            self.probe(s, &ev);
        }
        self.drain(s);
        let closed = s.is_closed();
        match ev {
            ServerEvent::VerifyPassword { password, .. } => {
                assert!(self.plaintext_ok(s), "a password asked for without TLS");
                let r = match self.tape.pick(4) {
                    0 => s.auth_password(false),
                    1 => s.reject(Response::err_with(ResponseCode::LoginDelay, "wait")),
                    2 => s.auth_password(password == "p"),
                    _ => s.auth_password(true),
                };
                self.taken(closed, "auth_password", r);
            }
            ServerEvent::ApopSecret { .. } => {
                assert!(self.cfg.apop_timestamp.is_some(), "APOP without a timestamp");
                let r = match self.tape.pick(3) {
                    0 => s.auth_apop(None),
                    1 => s.auth_apop(Some("wrong")),
                    _ => s.auth_apop(Some(APOP_SECRET)),
                };
                self.taken(closed, "auth_apop", r);
            }
            ServerEvent::NeedSecret { mechanism, .. } => {
                assert!(self.cfg.sasl_mechanisms.contains(&mechanism));
                let known = self.tape.pick(3) != 0;
                let r = match mechanism {
                    Mechanism::CramMd5 => s.auth_cram_password(known.then_some("p")),
                    Mechanism::ScramSha256 | Mechanism::ScramSha256Plus => {
                        s.auth_scram(known.then(scram_credentials))
                    }
                    m => panic!("NeedSecret for {m:?}"),
                };
                self.taken(closed, "the secret", r);
            }
            ServerEvent::VerifyToken { .. } => {
                assert!(self.plaintext_ok(s), "a token asked for without TLS");
                let ok = self.tape.pick(2) == 0;
                self.taken(closed, "auth_token", s.auth_token(ok));
            }
            ServerEvent::OpenMaildrop { method, .. } => {
                let clear = match method {
                    LoginMethod::UserPass => true,
                    LoginMethod::Sasl(m) => {
                        assert!(self.cfg.sasl_mechanisms.contains(&m));
                        sends_secret_in_clear(m)
                    }
                    LoginMethod::Apop => {
                        assert!(self.cfg.apop_timestamp.is_some());
                        false
                    }
                };
                if clear {
                    assert!(self.plaintext_ok(s), "logged in with a clear secret without TLS");
                }
                assert!(self.maildrop.is_none(), "a second maildrop");
                match self.tape.pick(6) {
                    0 => self.taken(closed, "maildrop_in_use", s.reject(maildrop_in_use())),
                    1 => self.taken(closed, "temporary_failure", s.reject(temporary_failure("try later"))),
                    _ => {
                        let messages = self.messages();
                        let infos = messages.iter().map(|m| m.info.clone()).collect();
                        let r = s.open_maildrop(infos);
                        self.taken(closed, "open_maildrop", r);
                        if !closed {
                            self.maildrop = Some(messages);
                        }
                    }
                }
            }
            ServerEvent::Retrieve { msg, index, uid, top } => self.retrieve(s, closed, msg, index, &uid, top),
            ServerEvent::Update { deleted } => {
                let drop = self.maildrop.as_ref().expect("UPDATE without a maildrop");
                let mut last = 0;
                for d in &deleted {
                    assert!(d.msg > last, "UPDATE's list is not in order: {deleted:?}");
                    last = d.msg;
                    assert_eq!(d.index, d.msg as usize - 1);
                    assert_eq!(d.uid, drop[d.index].info.uid);
                }
                let left = drop.len() - deleted.len();
                self.drain(s);
                let start = self.wire.len();
                if self.tape.pick(3) == 0 {
                    self.taken(closed, "refusing UPDATE", s.reject(Response::err("could not remove")));
                } else {
                    self.taken(closed, "accept", s.accept());
                    if !closed {
                        let status = match left {
                            0 => "maildrop empty".to_string(),
                            1 => "1 message left".to_string(),
                            n => format!("{n} messages left"),
                        };
                        self.drain(s);
                        let line = format!("+OK {HOST} POP3 server signing off ({status})\r\n");
                        assert_eq!(show(&self.wire[start..]), line);
                    }
                }
                if !closed {
                    assert!(s.is_closed(), "still open after UPDATE");
                }
            }
            ServerEvent::StartTls | ServerEvent::Closed => unreachable!(),
            other => panic!("unexpected event {other:?}"),
        }
    }

    fn messages(&mut self) -> Vec<Message> {
        let n = self.tape.pick(6);
        (0..n)
            .map(|i| {
                let pick = self.tape.byte();
                let content = if pick & 0x80 == 0 {
                    SAMPLES[usize::from(pick) % SAMPLES.len()].to_vec()
                } else {
                    let len = usize::from(pick & 0x3f);
                    self.tape.bytes(len)
                };
                let uid = if pick & 0x40 == 0 { format!("uid-{i}") } else { format!("~{i}.{pick}!") };
                let info = MessageInfo::new(wire_size(&content), uid).expect("a valid unique id");
                Message { info, content }
            })
            .collect()
    }

    fn retrieve(
        &mut self,
        s: &mut ServerSession,
        closed: bool,
        msg: u32,
        index: usize,
        uid: &str,
        top: Option<u32>,
    ) {
        let drop = self.maildrop.as_ref().expect("RETR without a maildrop");
        assert_eq!(index, msg as usize - 1);
        let m = drop.get(index).expect("RETR of a message that does not exist");
        assert_eq!(uid, m.info.uid);
        let content = m.content.clone();
        let mut expected = match top {
            Some(_) => b"+OK\r\n".to_vec(),
            None => format!("+OK {} octets\r\n", m.info.size).into_bytes(),
        };
        self.drain(s);
        let start = self.wire.len();
        match self.tape.pick(5) {
            0 => {
                self.taken(closed, "message", s.message(&content));
                expected.extend(stuff_model(&content, top, true));
            }
            1 => {
                self.taken(closed, "temporary_failure", s.reject(temporary_failure("cannot read it")));
                return;
            }
            2 => {
                // Part of it, then a refusal: the answer cannot be ended.
                let n = usize::from(self.tape.byte()) % (content.len() + 1);
                let r = s.message_chunk(&content[..n]).map(|_| ());
                self.taken(closed, "message_chunk", r);
                self.taken(closed, "a late refusal", s.reject(Response::err("disk error")));
                if closed {
                    return;
                }
                assert!(s.is_closed(), "still open after a message was cut off");
                expected.extend(stuff_model(&content[..n], top, false));
                expected.extend_from_slice(CUT_OFF);
            }
            _ => {
                let mut rest = &content[..];
                loop {
                    let n = (usize::from(self.tape.byte()) % 9).min(rest.len());
                    let (piece, tail) = rest.split_at(n);
                    rest = tail;
                    let more = s.message_chunk(piece);
                    if closed {
                        assert!(more.is_err());
                        return;
                    }
                    let more = more.expect("message_chunk");
                    self.drain(s);
                    if !more {
                        assert!(top.is_some(), "RETR said it was full");
                        break;
                    }
                    if rest.is_empty() && self.tape.pick(2) == 0 {
                        break;
                    }
                }
                s.message_end().expect("message_end");
                expected.extend(stuff_model(&content, top, true));
            }
        }
        if closed {
            return;
        }
        self.drain(s);
        let got = &self.wire[start..];
        assert!(
            got.starts_with(&expected),
            "message {msg} (top {top:?}) of {:?} sent as\n{:?}\nnot\n{:?}",
            show(&content),
            show(&got[..got.len().min(expected.len() + 40)]),
            show(&expected)
        );
        self.opaque.push((start, start + expected.len()));
    }

    fn tls_at(&self, pos: usize) -> bool {
        self.cfg.tls_active || self.tls_from.is_some_and(|t| pos >= t)
    }

    fn mechanism_offered(&self, name: &str, pos: usize) -> bool {
        let Some(m) = Mechanism::from_name(name) else { return false };
        name == m.name()
            && self.cfg.sasl_mechanisms.contains(&m)
            && (!sends_secret_in_clear(m) || self.tls_at(pos) || self.cfg.plaintext_without_tls)
    }

    /// The whole output, line by line.
    fn check_wire(&self) {
        let wire = &self.wire;
        let mut opaque = self.opaque.iter().peekable();
        let mut expect = Expect::Greeting;
        let mut block: Vec<String> = Vec::new();
        let mut last_msg = 0;
        let mut pos = 0;
        while pos < wire.len() {
            if let Some(&&(a, b)) = opaque.peek() {
                assert!(a >= pos, "a retrieve answer inside a line");
                if a == pos {
                    assert!(
                        matches!(expect, Expect::Status | Expect::MaybeBlock),
                        "a message inside {expect:?}"
                    );
                    expect = Expect::Status;
                    pos = b;
                    opaque.next();
                    continue;
                }
            }
            let Some(nl) = memchr(b'\n', &wire[pos..]) else {
                panic!("the output ends inside a line: {:?}", show(&wire[pos..]));
            };
            let end = pos + nl + 1;
            if let Some(&&(a, _)) = opaque.peek() {
                assert!(a >= end, "a retrieve answer starts inside a line");
            }
            let line = &wire[pos..end];
            assert!(line.ends_with(b"\r\n"), "bare LF at {pos}: {:?}", show(line));
            let text = &line[..line.len() - 2];
            assert!(!text.contains(&b'\r'), "bare CR at {pos}: {:?}", show(line));
            if expect == Expect::MaybeBlock {
                expect = if text.first().is_some_and(|&b| b == b'+' || b == b'-') {
                    Expect::Status
                } else {
                    last_msg = 0;
                    Expect::Block(Block::UidlOrAuth)
                };
            }
            match expect {
                Expect::Greeting => {
                    let mut greeting = format!("+OK {HOST} POP3 server ready");
                    if let Some(stamp) = &self.cfg.apop_timestamp {
                        greeting.push(' ');
                        greeting.push_str(stamp);
                    }
                    assert_eq!(show(text), greeting, "the greeting");
                    expect = Expect::Status;
                }
                Expect::Status | Expect::MaybeBlock => expect = self.status_line(text, pos, &mut block),
                Expect::Block(kind) if text == b"." => {
                    self.end_block(kind, &block, pos);
                    block.clear();
                    last_msg = 0;
                    expect = Expect::Status;
                }
                Expect::Block(kind) => {
                    assert!(!text.starts_with(b"."), "a listing line {:?} starting with a dot", show(text));
                    self.block_line(kind, text, pos, &mut last_msg);
                    block.push(show(text));
                }
            }
            pos = end;
        }
        assert!(opaque.next().is_none());
        assert!(
            matches!(expect, Expect::Status | Expect::MaybeBlock),
            "the output ends inside a multi-line answer ({expect:?})"
        );
    }

    fn status_line(&self, text: &[u8], pos: usize, block: &mut Vec<String>) -> Expect {
        if let Some(b64) = parse_continuation(text) {
            assert!(base64_decodes(b64), "continuation {:?} is not base64", show(text));
            return Expect::Status;
        }
        let r = match Response::parse(text) {
            Ok(r) => r,
            Err(e) => panic!("the session sent {:?}, which does not parse: {e}", show(text)),
        };
        assert!(text.starts_with(b"+OK") || text.starts_with(b"-ERR"), "status {:?}", show(text));
        // RFC 2449 §4: at most 512 octets with CRLF.
        assert!(text.len() + 2 <= 512, "a {}-octet response line", text.len() + 2);
        block.clear();
        if !r.is_ok() {
            return Expect::Status;
        }
        match r.text.as_str() {
            "Capability list follows" => Expect::Block(Block::Capa),
            "Language listing follows" => {
                assert!(!self.cfg.languages.is_empty());
                Expect::Block(Block::Lang)
            }
            "" => Expect::MaybeBlock,
            t => match list_count(t) {
                Some(n) => {
                    let _ = pos;
                    Expect::Block(Block::List(n))
                }
                None => Expect::Status,
            },
        }
    }

    fn block_line(&self, kind: Block, text: &[u8], pos: usize, last_msg: &mut u32) {
        let drop = self.maildrop.as_deref().unwrap_or(&[]);
        match kind {
            Block::Capa => {}
            Block::Lang => {
                let l = Language::parse(text).expect("a LANG line");
                assert!(self.cfg.languages.contains(&l), "language {l:?} not configured");
            }
            Block::List(_) => {
                let l = ScanListing::parse(text).expect("a LIST line");
                assert!(l.msg > *last_msg, "LIST out of order");
                *last_msg = l.msg;
                let m = drop.get(l.msg as usize - 1).expect("LIST of a message that does not exist");
                assert_eq!(l.size, m.info.size, "LIST gives a wrong size");
            }
            Block::UidlOrAuth => match UniqueId::parse(text) {
                Ok(u) => {
                    assert!(u.msg > *last_msg, "UIDL out of order");
                    *last_msg = u.msg;
                    let m = drop.get(u.msg as usize - 1).expect("UIDL of a message that does not exist");
                    assert_eq!(u.uid, m.info.uid, "UIDL gives a wrong uid");
                }
                Err(_) => {
                    let name = show(text);
                    assert!(self.mechanism_offered(&name, pos), "AUTH lists {name:?}");
                }
            },
        }
    }

    fn end_block(&self, kind: Block, block: &[String], pos: usize) {
        match kind {
            Block::Capa => {
                let caps = Capabilities::parse(block.iter().map(String::as_str));
                assert!(caps.top && caps.uidl && caps.resp_codes && caps.auth_resp_code && caps.pipelining);
                assert!(caps.other.is_empty(), "unknown capabilities {:?}", caps.other);
                assert!(!caps.user || self.cfg.user_pass, "USER announced");
                assert!(!caps.stls || (self.cfg.stls && !self.tls_at(pos)), "STLS announced");
                assert!(caps.utf8.is_none() || self.cfg.utf8, "UTF8 announced");
                assert_eq!(caps.lang, !self.cfg.languages.is_empty());
                assert_eq!(caps.implementation, self.cfg.implementation);
                assert_eq!(caps.expire, self.cfg.expire);
                assert_eq!(caps.login_delay, self.cfg.login_delay);
                for m in &caps.sasl {
                    assert!(self.mechanism_offered(m, pos), "CAPA announces SASL {m}");
                }
            }
            Block::List(n) => assert_eq!(block.len(), n, "LIST's count and lines disagree"),
            Block::Lang | Block::UidlOrAuth => {}
        }
    }
}

fn memchr(b: u8, s: &[u8]) -> Option<usize> {
    s.iter().position(|&c| c == b)
}

fn base64_decodes(b64: &[u8]) -> bool {
    if b64.len() % 4 != 0 {
        return false;
    }
    let pad = b64.iter().rev().take_while(|&&b| b == b'=').count();
    pad <= 2 && b64[..b64.len() - pad].iter().all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// LIST's `+OK` text, `N message(s) (S octets)`: N.
fn list_count(t: &str) -> Option<usize> {
    let words: Vec<&str> = t.split(' ').collect();
    let [n, msgs, size, octets] = words[..] else { return None };
    let digits = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    let size = size.strip_prefix('(')?;
    let ok = digits(n) && digits(size) && octets == "octets)" && matches!(msgs, "message" | "messages");
    if ok { n.parse().ok() } else { None }
}

fuzz_target!(|data: &[u8]| {
    let [o0, o1, o2, o3, o4, tlen, rest @ ..] = data else { return };
    let opts = [*o0, *o1, *o2, *o3, *o4];
    let (tape, stream) = rest.split_at(usize::from(*tlen).min(rest.len()));
    let cfg = config(&opts);
    let repeat = 1 + usize::from(o3 >> 4);
    let input = stream.repeat(repeat);
    let bound = cfg.max_buffered_input.max(MAX_AUTH_LINE);

    let mut s = ServerSession::new(cfg.clone());
    let mut app = App {
        tape: Tape { bytes: tape, pos: 0, n: 0 },
        cfg,
        maildrop: None,
        wire: Vec::new(),
        opaque: Vec::new(),
        tls_from: None,
        closed: false,
        sealed: false,
        events: 0,
        max_events: 2 * input.len() + 32,
        held: None,
        tls_pending: false,
        may_hold: true,
    };
    assert_eq!(s.poll_transmit(), None, "output before greet");
    s.greet();
    app.handle(&mut s);

    let max = [1usize, 2, 7, 32, 255, 1024, 4096, 1 << 16][usize::from(o4 & 7)];
    let mut rng = Rng(u32::from(*o4) << 8 | u32::from(*tlen));
    let mut fed = 0;
    let mut rest = &input[..];
    while !rest.is_empty() {
        let n = (1 + rng.next() as usize % max).min(rest.len());
        let (piece, tail) = rest.split_at(n);
        rest = tail;
        s.feed(piece);
        fed += n;
        app.handle(&mut s);
        // The buffered input stays within the limit (checked only once
        // enough was sent for it to matter: the Debug form is slow).
        if fed > bound {
            let b = buffered(&s);
            assert!(b <= bound, "{b} octets buffered, limit {bound}");
        }
        if s.is_closed() && fed > bound {
            assert_eq!(buffered(&s), 0);
        }
    }
    // Whatever was held is answered now.
    app.may_hold = false;
    app.handle(&mut s);
    app.handle(&mut s);
    assert!(app.held.is_none() && !app.tls_pending);
    assert_eq!(app.closed, s.is_closed(), "closed without a Closed event, or the reverse");
    if app.closed {
        s.feed(b"NOOP\r\nQUIT\r\n");
        app.handle(&mut s);
        assert_eq!(s.poll_transmit(), None);
        assert_eq!(s.accept(), Err(ServerError::NoDecisionPending));
    }
    app.check_wire();
});
