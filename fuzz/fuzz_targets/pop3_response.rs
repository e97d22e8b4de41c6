//! Reads the input as what a POP3 server sends. Four header bytes, then
//! the stream: a split byte (0-127 an offset, 128-255 a fraction of the
//! length), the client's options, the commands it sends when logged in,
//! and a seed for the sizes of the pieces it is fed.
//!
//! On every line of the stream: `Response::parse` (a parsed response is
//! written and parses back equal; a response built from the line's text
//! writes one line, which parses, into a fixed point), `parse_continuation` (never also a status line),
//! `ScanListing`, `UniqueId` and `Language` (written forms parse back
//! equal) and `Command::parse` (written form parses back equal).
//! `Capabilities::parse` of the lines equals `Capabilities::parse` of its
//! own `lines()`.
//!
//! `Unstuffer` gives the same data, count and end whether the stream comes
//! whole, in two pieces or byte by byte, and agrees with a line-by-line
//! model. `Stuffer` (RETR, and TOP with a line count) gives the same output
//! whole or in two pieces, agrees with a model (line ends CRLF, a bare CR
//! kept, a missing final line end added, dots stuffed, TOP cut after the
//! header's empty line and that many body lines), `written()` counts it,
//! and `Unstuffer` reads it back to the message with CRLF line ends, whose
//! length is `wire_size`.
//!
//! Then a `ClientSession` is fed the stream in pieces: no panic, nothing
//! after `Closed`, `Failed` directly followed by `Closed`, every answer
//! event matching the oldest command asked for, one command at a time
//! without PIPELINING, and everything sent is whole CRLF lines, each a
//! command or a SASL response.
#![no_main]

use std::hint::black_box;

use libfuzzer_sys::fuzz_target;
use mailwire_pop3::capability::Capabilities;
use mailwire_pop3::client::{ClientConfig, ClientError, ClientEvent, ClientSession, StartTls};
use mailwire_pop3::command::Command;
use mailwire_pop3::multiline::{Stuffer, Unstuffer, wire_size};
use mailwire_pop3::response::{
    Language, Response, ResponseCode, ResponseErrorKind, ScanListing, Status, UniqueId, is_valid_uid,
    parse_continuation,
};
use mailwire_sasl::Credentials;

fn strip_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// One line, CRLF-terminated, with no other CR or LF.
fn assert_one_line(w: &[u8], what: &dyn std::fmt::Debug) {
    assert!(w.ends_with(b"\r\n"), "{what:?} written as {:?}: no CRLF", show(w));
    let body = &w[..w.len() - 2];
    assert!(!body.contains(&b'\r') && !body.contains(&b'\n'), "{what:?} written as {:?}: two lines", show(w));
}

// ------------------------------------------------------------------ lines

fn check_response(line: &[u8]) {
    let parsed = Response::parse(line);
    match &parsed {
        Ok(r) => {
            let w = r.to_bytes();
            assert_one_line(&w, r);
            let prefix: &[u8] = if r.status == Status::Ok { b"+OK" } else { b"-ERR" };
            assert!(line[..prefix.len()].eq_ignore_ascii_case(prefix));
            assert_eq!(Response::parse(&w).as_ref(), Ok(r), "{:?} written as {:?}", show(line), show(&w));
            assert_eq!(r.to_string().as_bytes(), &w[..w.len() - 2]);
            if let Some(code) = &r.code {
                assert_eq!(&ResponseCode::from_name(code.as_str()), code);
                black_box(code.is_temporary());
            }
            if let Some(ts) = r.apop_timestamp() {
                assert!(ts.starts_with('<') && ts.ends_with('>') && ts.contains('@') && ts.len() > 2);
                assert!(r.text.contains(ts));
            }
            black_box((r.stat(), r.is_ok()));
        }
        Err(e) => {
            assert!(e.at <= line.len(), "{e:?} past the end of {:?}", show(line));
            black_box(e.to_string());
        }
    }
    if let Some(b64) = parse_continuation(line) {
        assert!(parsed.is_err(), "{:?} is both a continuation and a status line", show(line));
        assert!(strip_eol(line).ends_with(b64));
    }

    // A response built from any text: `write` drops CR, LF and NUL, so it
    // is one line that always parses; what comes back is a fixed point
    // (the text may start with what reads as a response code).
    let text = String::from_utf8_lossy(line).into_owned();
    let built = Response {
        status: if line.first().is_some_and(|b| b & 1 == 1) { Status::Err } else { Status::Ok },
        code: if line.len() % 3 == 0 { Some(ResponseCode::SysTemp) } else { None },
        text,
    };
    let w = built.to_bytes();
    assert_one_line(&w, &built);
    let back = Response::parse(&w).unwrap_or_else(|e| panic!("{built:?} written as {:?} does not parse: {e:?}", show(&w)));
    assert_eq!(back.status, built.status);
    let w2 = back.to_bytes();
    assert_eq!(Response::parse(&w2).as_ref(), Ok(&back), "second round trip of {built:?}");
}

fn check_listings(line: &[u8]) {
    if let Ok(l) = ScanListing::parse(line) {
        assert!(l.msg > 0);
        assert_eq!(ScanListing::parse(l.to_string().as_bytes()), Ok(l));
    }
    if let Ok(u) = UniqueId::parse(line) {
        assert!(u.msg > 0 && is_valid_uid(&u.uid));
        assert_eq!(UniqueId::parse(u.to_string().as_bytes()).as_ref(), Ok(&u));
    }
    if let Ok(l) = Language::parse(line) {
        assert!(!l.tag.is_empty());
        let w = format!("{} {}\r\n", l.tag, l.description);
        assert_eq!(Language::parse(w.as_bytes()).as_ref(), Ok(&l), "{:?}", show(line));
    }
}

fn check_command(line: &[u8]) {
    match Command::parse(line) {
        Ok(c) => {
            let w = c.to_bytes();
            assert_one_line(&w, &c);
            assert_eq!(Command::parse(&w).as_ref(), Ok(&c), "{:?} written as {:?}", show(line), show(&w));
            assert!(line.len() >= c.keyword().len().min(3));
            let shown = c.to_string();
            if let Command::Pass(_) = c {
                assert_eq!(shown, "PASS ***");
            } else {
                assert_eq!(shown.as_bytes(), &w[..w.len() - 2]);
            }
            black_box(c.is_multiline());
        }
        Err(e) => {
            black_box(e.to_string());
        }
    }
}

fn check_capabilities(stream: &[u8]) {
    let texts: Vec<String> = stream.split(|&b| b == b'\n').map(|l| show(l)).collect();
    let caps = Capabilities::parse(texts.iter().map(String::as_str));
    let lines = caps.lines();
    for l in &lines {
        assert!(!l.contains('\n'), "capability line {l:?}");
    }
    let back = Capabilities::parse(lines.iter().map(String::as_str));
    assert_eq!(back, caps, "lines {lines:?}");
    for m in &caps.sasl {
        assert!(!m.is_empty() && !m.bytes().any(|b| b.is_ascii_whitespace()));
        assert!(caps.offers_sasl(m) && caps.offers_sasl(&m.to_ascii_lowercase()));
    }
}

// ---------------------------------------------------------- multi-line data

/// What `Unstuffer` gives for `wire`, line by line: the data, how many
/// bytes belong to the answer, whether its end was found.
fn unstuff_model(wire: &[u8]) -> (Vec<u8>, usize, bool) {
    let mut out = Vec::new();
    let mut used = 0;
    for line in wire.split_inclusive(|&b| b == b'\n') {
        if line == b".\r\n" || line == b".\n" {
            return (out, used + line.len(), true);
        }
        used += line.len();
        match line {
            // The last, incomplete line: it may still become the end.
            b"." | b".\r" => {}
            [b'.', rest @ ..] => out.extend_from_slice(rest),
            _ => out.extend_from_slice(line),
        }
    }
    (out, used, false)
}

fn unstuff_pieces<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> (Vec<u8>, usize, bool) {
    let mut u = Unstuffer::new();
    let mut out = Vec::new();
    let mut used = 0;
    for piece in pieces {
        let was_done = u.is_done();
        let n = u.push(piece, &mut out);
        assert!(n <= piece.len());
        if was_done {
            assert_eq!(n, 0, "the unstuffer took more after the end");
        } else if !u.is_done() {
            assert_eq!(n, piece.len(), "the unstuffer left bytes before the end");
        }
        used += n;
    }
    (out, used, u.is_done())
}

/// What `Stuffer` sends for `msg` (`top`: TOP's body line count), with
/// `finish` or (`!finish`) only what `push` writes: every LF not after a
/// CR becomes CRLF, a bare CR stays, a line starting with `.` gets another,
/// TOP stops after the header's empty line (one of CRs only) and `n` more
/// lines; `finish` completes a last line without its line end and adds the
/// terminator.
fn stuff_model(msg: &[u8], top: Option<u32>, finish: bool) -> (Vec<u8>, bool) {
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
    (out, full)
}

/// `msg` with CRLF line ends, as a client reads it back from RETR.
fn normalized(msg: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(msg.len() + 8);
    for line in msg.split_inclusive(|&b| b == b'\n') {
        match line.strip_suffix(b"\n") {
            Some(body) => {
                out.extend_from_slice(body);
                if !body.ends_with(b"\r") {
                    out.push(b'\r');
                }
                out.push(b'\n');
            }
            None if line.ends_with(b"\r") => {
                out.extend_from_slice(line);
                out.push(b'\n');
            }
            None => {
                out.extend_from_slice(line);
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out
}

fn stuff_pieces<'a>(top: Option<u32>, pieces: impl IntoIterator<Item = &'a [u8]>) -> (Vec<u8>, bool, u64) {
    let mut s = top.map_or_else(Stuffer::new, Stuffer::top);
    let mut out = Vec::new();
    for piece in pieces {
        let before = out.len();
        let was_full = s.is_full();
        s.push(piece, &mut out);
        if was_full {
            assert_eq!(out.len(), before, "TOP wrote after it was full");
        }
    }
    let full = s.is_full();
    let before = out.len() as u64;
    let written_before = s.written();
    assert_eq!(written_before, before, "written() before finish");
    s.finish(&mut out);
    assert_eq!(s.written(), out.len() as u64 - 3, "written() counts all but the terminator");
    assert!(out.ends_with(b".\r\n"));
    (out, full, written_before)
}

fn check_multiline(stream: &[u8], split: usize, top_lines: u32) {
    let (a, b) = stream.split_at(split);

    // Unstuffer: pieces do not matter, and it reads as the model does.
    let whole = unstuff_pieces([stream]);
    assert_eq!(whole, unstuff_pieces([a, b]), "split at {split} changes the unstuffing");
    assert_eq!(whole, unstuff_pieces(stream.chunks(1)), "byte-by-byte unstuffing differs");
    assert_eq!(whole, unstuff_model(stream), "the unstuffer disagrees with the model");

    // Stuffer for RETR.
    let (wire, _, _) = stuff_pieces(None, [stream]);
    assert_eq!(stuff_pieces(None, [a, b]).0, wire, "split at {split} changes the stuffing");
    assert_eq!(wire, stuff_model(stream, None, true).0, "stuffing of {:?}", show(stream));
    let expected = normalized(stream);
    assert_eq!(wire_size(stream), expected.len() as u64, "wire_size of {:?}", show(stream));
    // Read back, with the next response behind it.
    let mut behind = wire.clone();
    behind.extend_from_slice(b"+OK next\r\n");
    let (data, used, done) = unstuff_pieces([&behind[..]]);
    assert!(done, "the stuffed message has no end: {:?}", show(&wire));
    assert_eq!(used, wire.len());
    assert_eq!(data, expected, "stuff then unstuff of {:?}", show(stream));
    let (data2, used2, done2) = unstuff_pieces(behind.chunks(1));
    assert_eq!((data2, used2, done2), (data, used, done));

    // Stuffer for TOP: the model, and pieces do not matter.
    for n in [0, top_lines] {
        let (wire, full, _) = stuff_pieces(Some(n), [stream]);
        let (wire2, full2, _) = stuff_pieces(Some(n), [a, b]);
        assert_eq!((&wire2, full2), (&wire, full), "split at {split} changes TOP {n}");
        assert_eq!((wire.clone(), full), stuff_model(stream, Some(n), true), "TOP {n} of {:?}", show(stream));
        let (data, used, done) = unstuff_pieces([&wire[..]]);
        assert!(done && used == wire.len());
        assert!(expected.starts_with(&data), "TOP {n} is not a prefix of the message");
        if !full {
            // Not cut: all of the message.
            assert_eq!(data, expected, "TOP {n} cut without being full");
        }
    }
}

// ------------------------------------------------------------------ client

struct Rng(u32);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        self.0 >> 8
    }
}

struct Client {
    c: ClientSession,
    pipelining_allowed: bool,
    act: u8,
    seed: u8,
    closed: bool,
    failed: bool,
    last_failed: bool,
    authenticated: bool,
    ready: bool,
    pipelining: bool,
    /// Transaction commands asked for, in order.
    issued: Vec<Command>,
    /// Transaction commands seen on the wire.
    sent: Vec<Command>,
    answered: usize,
    events: usize,
    max_events: usize,
    sealed: bool,
}

fn is_sasl_line(l: &[u8]) -> bool {
    l == b"*" || l.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
}

impl Client {
    fn drain(&mut self) {
        while let Some(bytes) = self.c.poll_transmit() {
            assert!(!self.sealed, "sent {:?} after closing", show(&bytes));
            assert!(!bytes.is_empty());
            assert!(bytes.ends_with(b"\r\n"), "transmit {:?} is not whole lines", show(&bytes));
            for line in bytes.split_inclusive(|&b| b == b'\n') {
                assert!(line.ends_with(b"\r\n"), "bare LF in {:?}", show(&bytes));
                let body = &line[..line.len() - 2];
                assert!(!body.contains(&b'\r'), "bare CR in {:?}", show(&bytes));
                let cmd = Command::parse(body);
                if self.ready {
                    let cmd = cmd.unwrap_or_else(|e| panic!("sent {:?} after Ready: {e}", show(line)));
                    let i = self.sent.len();
                    let fits = self.issued.get(i) == Some(&cmd);
                    assert!(
                        fits || (cmd == Command::Quit && self.c.is_closed()),
                        "sent {cmd:?} as command {i}, asked for {:?}",
                        self.issued
                    );
                    self.sent.push(cmd);
                } else {
                    assert!(cmd.is_ok() || is_sasl_line(body), "sent {:?} before Ready", show(line));
                }
            }
        }
    }

    /// Without PIPELINING one command at a time: checked once the answers
    /// read so far have all been counted.
    fn check_in_flight(&self) {
        if self.ready && !self.pipelining && !self.c.is_closed() {
            assert!(
                self.sent.len() <= self.answered + 1,
                "commands pipelined without PIPELINING: sent {:?}, {} answered",
                self.sent,
                self.answered
            );
        }
    }

    /// The answer to the oldest command asked for.
    fn answer(&mut self, ok: impl FnOnce(&Command) -> bool, ev: &ClientEvent) -> Command {
        assert!(self.ready, "{ev:?} before Ready");
        assert!(self.answered < self.sent.len(), "{ev:?} for a command not sent: {:?}", self.sent);
        let cmd = self.issued[self.answered].clone();
        assert!(ok(&cmd), "{ev:?} answers {cmd:?}");
        cmd
    }

    fn request(&mut self, cmd: Command, r: Result<(), ClientError>) {
        match r {
            Ok(()) => self.issued.push(cmd),
            Err(ClientError::InvalidArgument(_)) => {
                assert!(matches!(
                    cmd,
                    Command::List(Some(0))
                        | Command::Uidl(Some(0))
                        | Command::Retr(0)
                        | Command::Dele(0)
                        | Command::Top { msg: 0, .. }
                ));
            }
            Err(ClientError::NotReady) => assert!(self.c.is_closed(), "{cmd:?} refused while ready"),
            Err(e) => panic!("{cmd:?} refused: {e:?}"),
        }
    }

    fn on_ready(&mut self) {
        self.drain();
        self.ready = true;
        let (act, seed) = (self.act, self.seed);
        let m = u32::from(seed >> 4) % 4;
        let n = u32::from(seed >> 2) % 4;
        let one = m.max(1);
        if act & 0x01 != 0 {
            let r = self.c.stat();
            self.request(Command::Stat, r);
        }
        if act & 0x02 != 0 {
            let r = self.c.list(None);
            self.request(Command::List(None), r);
        }
        if act & 0x04 != 0 {
            let r = self.c.list(Some(m));
            self.request(Command::List(Some(m)), r);
        }
        if act & 0x08 != 0 {
            let r = self.c.uidl(None);
            self.request(Command::Uidl(None), r);
        }
        if act & 0x10 != 0 {
            let r = self.c.uidl(Some(one));
            self.request(Command::Uidl(Some(one)), r);
        }
        if act & 0x20 != 0 {
            let r = self.c.retr(one);
            self.request(Command::Retr(one), r);
        }
        if act & 0x40 != 0 {
            let r = self.c.top(m, n);
            self.request(Command::Top { msg: m, lines: n }, r);
        }
        if act & 0x80 != 0 {
            let r = self.c.dele(m);
            self.request(Command::Dele(m), r);
        }
        if seed & 0x01 == 0 {
            let r = self.c.quit();
            self.request(Command::Quit, r);
            assert!(matches!(self.c.stat(), Err(ClientError::NotReady)), "STAT accepted after QUIT");
        }
        self.drain();
    }

    fn events(&mut self) {
        self.drain();
        while let Some(ev) = self.c.poll_event() {
            assert!(!self.closed, "event {ev:?} after Closed");
            if self.last_failed {
                assert_eq!(ev, ClientEvent::Closed, "Failed not followed by Closed");
            }
            self.last_failed = false;
            self.events += 1;
            assert!(self.events <= self.max_events, "more than {} events", self.max_events);
            match &ev {
                ClientEvent::Failed(e) => {
                    assert!(!self.failed, "two Failed events");
                    black_box(e.to_string());
                    self.failed = true;
                    self.last_failed = true;
                }
                ClientEvent::Closed => {
                    assert!(self.c.is_closed());
                    self.closed = true;
                    self.drain();
                    self.sealed = true;
                }
                ClientEvent::StartTls => {
                    assert!(!self.c.is_tls());
                    // Read nothing more before the switch.
                    self.c.feed(b"+OK\r\n");
                    assert_eq!(self.c.poll_event(), None, "read input while waiting for TLS");
                    self.c.tls_established().expect("tls_established after StartTls");
                    assert!(self.c.is_tls());
                    assert!(matches!(self.c.tls_established(), Err(ClientError::NotReady)));
                }
                ClientEvent::Authenticated(m) => {
                    assert!(!self.authenticated, "two logins");
                    black_box(m.to_string());
                    self.authenticated = true;
                }
                ClientEvent::Ready { capabilities } => {
                    assert!(self.authenticated && !self.ready, "Ready without a login, or twice");
                    assert_eq!(capabilities.as_ref(), self.c.capabilities());
                    self.pipelining =
                        self.pipelining_allowed && capabilities.as_ref().is_some_and(|c| c.pipelining);
                    self.on_ready();
                }
                ClientEvent::Response(r) => {
                    assert_eq!(Response::parse(&r.to_bytes()).as_ref(), Ok(r));
                }
                ClientEvent::Capabilities(caps) => {
                    let lines = caps.lines();
                    assert_eq!(&Capabilities::parse(lines.iter().map(String::as_str)), caps);
                }
                ClientEvent::Stat { .. } => {
                    self.answer(|c| *c == Command::Stat, &ev);
                    self.answered += 1;
                }
                ClientEvent::Listing(l) => {
                    self.answer(|c| *c == Command::List(None), &ev);
                    assert!(l.iter().all(|s| s.msg > 0));
                    self.answered += 1;
                }
                ClientEvent::Scan(s) => {
                    self.answer(|c| matches!(c, Command::List(Some(_))), &ev);
                    assert!(s.msg > 0);
                    self.answered += 1;
                }
                ClientEvent::UniqueIds(u) => {
                    self.answer(|c| *c == Command::Uidl(None), &ev);
                    assert!(u.iter().all(|u| u.msg > 0 && is_valid_uid(&u.uid)));
                    self.answered += 1;
                }
                ClientEvent::UniqueId(u) => {
                    self.answer(|c| matches!(c, Command::Uidl(Some(_))), &ev);
                    assert!(u.msg > 0 && is_valid_uid(&u.uid));
                    self.answered += 1;
                }
                ClientEvent::Languages(_) => {
                    self.answer(|c| *c == Command::Lang(None), &ev);
                    self.answered += 1;
                }
                ClientEvent::MessageData { msg, data } => {
                    assert!(!data.is_empty(), "empty MessageData");
                    let msg = *msg;
                    self.answer(
                        |c| matches!(c, Command::Retr(m) | Command::Top { msg: m, .. } if *m == msg),
                        &ev,
                    );
                }
                ClientEvent::MessageEnd { msg } => {
                    let msg = *msg;
                    self.answer(
                        |c| matches!(c, Command::Retr(m) | Command::Top { msg: m, .. } if *m == msg),
                        &ev,
                    );
                    self.answered += 1;
                }
                ClientEvent::Done { command, response } => {
                    assert!(response.is_ok());
                    self.answer(|c| c == command, &ev);
                    self.answered += 1;
                }
                ClientEvent::Refused { command, response } => {
                    assert!(!response.is_ok());
                    self.answer(|c| c == command, &ev);
                    self.answered += 1;
                }
                _ => {}
            }
        }
        assert_eq!(self.closed, self.c.is_closed(), "closed without a Closed event, or the reverse");
        self.drain();
        self.check_in_flight();
    }
}

fn run_client(cfg: u8, act: u8, seed: u8, stream: &[u8]) {
    let mut config = ClientConfig::new(Credentials::password("u", "p"));
    config.allow_plaintext_without_tls = true;
    config.use_apop = cfg & 0x01 == 0;
    config.pipelining = cfg & 0x02 == 0;
    if cfg & 0x04 != 0 {
        config.nonce = (1u8..=24).collect();
    }
    config.use_sasl = cfg & 0x08 == 0;
    config.use_user = cfg & 0x10 == 0;
    config.utf8 = cfg & 0x20 != 0;
    match cfg >> 6 {
        0 => config.stls = StartTls::IfOffered,
        1 => config.stls = StartTls::Never,
        2 => config.stls = StartTls::Required,
        _ => config.tls_active = true,
    }
    if seed & 0x02 != 0 {
        config.max_line_len = 100;
        config.max_listing_len = 300;
    }
    let pipelining_allowed = config.pipelining;
    let mut c = ClientSession::new(config);
    assert!(matches!(c.stat(), Err(ClientError::NotReady)), "STAT before Ready");
    assert!(matches!(c.tls_established(), Err(ClientError::NotReady)));
    assert_eq!(c.poll_transmit(), None);
    let mut cl = Client {
        c,
        pipelining_allowed,
        act,
        seed,
        closed: false,
        failed: false,
        last_failed: false,
        authenticated: false,
        ready: false,
        pipelining: false,
        issued: Vec::new(),
        sent: Vec::new(),
        answered: 0,
        events: 0,
        max_events: 4 * stream.len() + 16,
        sealed: false,
    };
    let max = [1usize, 2, 3, 7, 16, 64, 512, 4096][usize::from(seed >> 5)];
    let mut rng = Rng(u32::from(seed) * 0x0101 + u32::from(act));
    let mut rest = stream;
    while !rest.is_empty() {
        let n = (1 + rng.next() as usize % max).min(rest.len());
        let (piece, tail) = rest.split_at(n);
        rest = tail;
        cl.c.feed(piece);
        cl.events();
    }
    // More input after the end changes nothing.
    if cl.closed {
        cl.c.feed(b"+OK\r\n-ERR\r\n");
        cl.events();
        assert!(matches!(cl.c.quit(), Err(ClientError::NotReady)));
        assert_eq!(cl.c.poll_transmit(), None);
    }
    if cl.failed {
        assert!(cl.closed);
    }
}

fuzz_target!(|data: &[u8]| {
    let [k, cfg, act, seed, stream @ ..] = data else { return };
    let k = usize::from(*k);
    let split = if k & 0x80 == 0 { k.min(stream.len()) } else { stream.len() * (k & 0x7f) / 0x7f };

    for line in stream.split_inclusive(|&b| b == b'\n') {
        check_response(line);
        check_listings(line);
        check_command(line);
    }
    check_capabilities(stream);
    check_multiline(stream, split, u32::from(*act % 8));
    run_client(*cfg, *act, *seed, stream);
});
