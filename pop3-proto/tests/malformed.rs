//! Bad input on both sides: no panic, no hang, bounded memory, and the
//! answers a real server gives; plus round trips of random values.

use mailwire_pop3::client::{ClientConfig, ClientError, ClientEvent, ClientSession};
use mailwire_pop3::command::{Command, InitialResponse};
use mailwire_pop3::multiline::{Stuffer, Unstuffer};
use mailwire_pop3::response::{Response, ResponseCode, ResponseErrorKind, Status};
use mailwire_pop3::server::{MessageInfo, ServerConfig, ServerEvent, ServerSession};
use mailwire_sasl::{Credentials, Mechanism};
use proptest::prelude::*;

/// A server that says yes to everything, fed `input` in one piece; returns
/// what it sent.
fn serve(input: &[u8]) -> (Vec<u8>, ServerSession) {
    let mut config = ServerConfig::new("pop.example");
    config.plaintext_without_tls = true;
    config.sasl_mechanisms = vec![Mechanism::Plain, Mechanism::ScramSha256, Mechanism::CramMd5];
    config.nonce = vec![1; 24];
    config.apop_timestamp = Some("<1.2@pop.example>".into());
    config.stls = true;
    let mut s = ServerSession::new(config);
    s.greet();
    s.feed(input);
    let mut out = Vec::new();
    for _ in 0..10_000 {
        while let Some(b) = s.poll_transmit() {
            out.extend_from_slice(&b);
        }
        let Some(event) = s.poll_event() else { break };
        let _ = match event {
            ServerEvent::VerifyPassword { .. } => s.auth_password(true),
            ServerEvent::ApopSecret { .. } => s.auth_apop(Some("x")),
            ServerEvent::NeedSecret { mechanism: Mechanism::CramMd5, .. } => s.auth_cram_password(Some("x")),
            ServerEvent::NeedSecret { .. } => s.auth_scram(None),
            ServerEvent::VerifyToken { .. } => s.auth_token(false),
            ServerEvent::OpenMaildrop { .. } => {
                s.open_maildrop(vec![MessageInfo::new(5, "a").unwrap(), MessageInfo::new(7, "b").unwrap()])
            }
            ServerEvent::Retrieve { .. } => s.message(b"abc\r\n"),
            ServerEvent::Update { .. } => s.accept(),
            ServerEvent::StartTls => s.tls_established(),
            _ => Ok(()),
        };
    }
    while let Some(b) = s.poll_transmit() {
        out.extend_from_slice(&b);
    }
    (out, s)
}

/// Every line a server sends is a status line, a continuation, or part of
/// a multi-line answer that ends with `.`.
fn assert_well_formed(out: &[u8]) {
    let text = String::from_utf8_lossy(out);
    assert!(out.is_empty() || out.ends_with(b"\r\n"), "unterminated output: {text:?}");
    let mut in_multi = false;
    for line in text.split_terminator("\r\n") {
        if in_multi {
            in_multi = line != ".";
            continue;
        }
        assert!(
            line.starts_with("+OK") || line.starts_with("-ERR") || line.starts_with("+ "),
            "not a status line: {line:?} in {text:?}"
        );
        in_multi = multi_line_answer(line);
    }
}

/// The status lines our server follows with data.
fn multi_line_answer(line: &str) -> bool {
    line == "+OK Capability list follows"
        || line.ends_with(" octets)") && !line.contains("maildrop")
        || line == "+OK"
        || line.ends_with(" octets") && line.starts_with("+OK ")
}

#[test]
fn nasty_server_input() {
    let long = [b"USER ".as_slice(), &[b'a'; 300], b"\r\n"].concat();
    let huge = vec![b'x'; 200_000];
    let cases: Vec<Vec<u8>> = vec![
        b"\r\n".to_vec(),
        b"\0\0\0\r\n".to_vec(),
        b"\xff\xfe\r\n".to_vec(),
        long,
        huge,
        b"USER a\r\nPASS\r\n".to_vec(),
        b"AUTH PLAIN !!!notbase64\r\n".to_vec(),
        b"AUTH PLAIN\r\n*\r\n".to_vec(),
        b"AUTH PLAIN\r\n@@@\r\n".to_vec(),
        b"AUTH SCRAM-SHA-256 =\r\n".to_vec(),
        b"AUTH CRAM-MD5 AAAA\r\n".to_vec(),
        b"AUTH X-UNKNOWN\r\n".to_vec(),
        b"APOP a\r\nAPOP a b c\r\n".to_vec(),
        b"USER a\r\nPASS b\r\nRETR 4294967295\r\nTOP 1 4294967295\r\nLIST 0\r\nDELE 99\r\n".to_vec(),
        b"USER a\r\nPASS b\r\nQUIT\r\nSTAT\r\nSTAT\r\n".to_vec(),
        b"STLS\r\nSTLS\r\nUSER a\r\n".to_vec(),
        b"QUIT".to_vec(),
        b"NOOP\nNOOP\rNOOP\r\n".to_vec(),
    ];
    for input in cases {
        let (out, s) = serve(&input);
        assert_well_formed(&out);
        let _ = s.is_closed();
    }
}

#[test]
fn an_overlong_line_gets_one_error_and_the_session_goes_on() {
    let mut input = b"NOOP ".to_vec();
    input.extend(std::iter::repeat_n(b'z', 100_000));
    input.extend_from_slice(b"\r\nNOOP\r\n");
    let (out, s) = serve(&input);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(&lines[1..], ["-ERR Line too long", "+OK"]);
    assert!(!s.is_closed());
}

#[test]
fn pending_decisions_bound_the_buffered_input() {
    let mut config = ServerConfig::new("pop.example");
    config.plaintext_without_tls = true;
    let mut s = ServerSession::new(config);
    s.greet();
    s.feed(b"USER a\r\nPASS b\r\n");
    // The password check is pending; the client keeps sending.
    for _ in 0..100 {
        s.feed(&[b'N'; 1024]);
    }
    assert!(s.is_closed());
}

/// Our client fed every prefix of a whole session's server side: no panic,
/// and at the cut the session is waiting or has failed, never invented.
#[test]
fn truncated_server_output_at_every_length() {
    let full: &[u8] =
        b"+OK ready <9.9@x>\r\n+OK\r\nUSER\r\nPIPELINING\r\nUIDL\r\n.\r\n+OK\r\n+OK logged in\r\n\
+OK 2 11\r\n+OK\r\n1 a\r\n2 b\r\n.\r\n+OK 5 octets\r\n..abc\r\n.\r\n+OK bye\r\n";
    let drive = |bytes: &[u8]| {
        let mut config = ClientConfig::new(Credentials::password("u", "p"));
        config.allow_plaintext_without_tls = true;
        config.use_apop = false;
        let mut c = ClientSession::new(config);
        let mut events = Vec::new();
        for b in bytes {
            c.feed(std::slice::from_ref(b));
            while let Some(e) = c.poll_event() {
                if let ClientEvent::Ready { .. } = e {
                    c.stat().unwrap();
                    c.uidl(None).unwrap();
                    c.retr(1).unwrap();
                    c.quit().unwrap();
                }
                events.push(e);
            }
        }
        events
    };
    let whole = drive(full);
    assert_eq!(whole.last(), Some(&ClientEvent::Closed), "{whole:?}");
    for cut in 0..full.len() {
        let events = drive(&full[..cut]);
        assert!(!events.iter().any(|e| matches!(e, ClientEvent::Failed(_))), "cut {cut}: {events:?}");
        assert!(events.len() <= whole.len());
    }
}

#[test]
fn garbage_from_the_server_fails_cleanly() {
    let cases: [&[u8]; 6] = [
        b"HELLO\r\n",
        b"+OK\r\n+OK\r\nSASL PLAIN\r\n.\r\n+ !!!!\r\n-ERR cancelled\r\n",
        b"+OK\r\n-ERR\r\n+OK\r\n+OK\r\n+OK not a stat\r\n",
        b"+OK\r\n-ERR\r\n+OK\r\n+OK\r\n+OK 1 2\r\n+OK\r\n1\r\n.\r\n",
        b"+OK\r\n-ERR\r\n+OK\r\n+OK\r\n+OK 1 2\r\n+OK\r\n1 a b\r\nextra\r\n.\r\n",
        b"+OK\r\n-ERR\r\n+OK\r\n+OK\r\n+OK 1 2\r\n+OK\r\n1 a\r\n.\r\n+OK unsolicited\r\n",
    ];
    for input in cases {
        let mut config = ClientConfig::new(Credentials::password("u", "p"));
        config.allow_plaintext_without_tls = true;
        config.use_apop = false;
        let mut c = ClientSession::new(config);
        let mut events = Vec::new();
        for b in input {
            c.feed(std::slice::from_ref(b));
            while let Some(e) = c.poll_event() {
                if let ClientEvent::Ready { .. } = e {
                    c.stat().unwrap();
                    c.uidl(None).unwrap();
                }
                events.push(e);
            }
        }
        assert!(
            events.iter().any(|e| matches!(e, ClientEvent::Failed(_))),
            "{:?}: {events:?}",
            String::from_utf8_lossy(input)
        );
        assert_eq!(events.last(), Some(&ClientEvent::Closed));
        assert!(c.is_closed());
    }
}

#[test]
fn an_endless_response_line_is_refused() {
    let mut c = ClientSession::new(ClientConfig::new(Credentials::password("u", "p")));
    for _ in 0..100 {
        c.feed(&[b'+'; 1024]);
    }
    let events: Vec<_> = std::iter::from_fn(|| c.poll_event()).collect();
    assert!(
        matches!(&events[0], ClientEvent::Failed(ClientError::Protocol(e)) if e.kind == ResponseErrorKind::TooLong)
    );
    assert!(c.is_closed());
}

fn arb_word() -> impl Strategy<Value = String> {
    "[!-~]{1,20}"
}

fn arb_command() -> impl Strategy<Value = Command> {
    let n = 1u32..;
    prop_oneof![
        arb_word().prop_map(Command::User),
        "[ -~]{1,40}".prop_filter("no leading space", |p| !p.starts_with(' ')).prop_map(Command::Pass),
        (arb_word(), "[0-9a-f]{32}").prop_map(|(name, digest)| Command::Apop { name, digest }),
        Just(Command::Stat),
        proptest::option::of(n.clone()).prop_map(Command::List),
        n.clone().prop_map(Command::Retr),
        n.clone().prop_map(Command::Dele),
        Just(Command::Noop),
        Just(Command::Rset),
        Just(Command::Quit),
        (n.clone(), any::<u32>()).prop_map(|(msg, lines)| Command::Top { msg, lines }),
        proptest::option::of(n).prop_map(Command::Uidl),
        Just(Command::Capa),
        Just(Command::Stls),
        (proptest::option::of("[A-Z0-9-]{1,20}"), proptest::option::of("[A-Za-z0-9+/]{1,40}={0,2}"))
            .prop_map(|(mechanism, ir)| {
                let initial_response = mechanism
                    .as_ref()
                    .and(ir)
                    .map(|b| if b == "=" { InitialResponse::Empty } else { InitialResponse::Base64(b) });
                Command::Auth { mechanism, initial_response }
            }),
        Just(Command::Utf8),
        proptest::option::of("[a-zA-Z-]{1,10}").prop_map(Command::Lang),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn commands_round_trip(command in arb_command()) {
        let bytes = command.to_bytes();
        prop_assert_eq!(Command::parse(&bytes), Ok(command));
    }

    #[test]
    fn responses_round_trip(ok in any::<bool>(), code in proptest::option::of(prop_oneof![
        Just(ResponseCode::InUse), Just(ResponseCode::LoginDelay), Just(ResponseCode::SysTemp),
        Just(ResponseCode::SysPerm), Just(ResponseCode::Auth), Just(ResponseCode::Utf8),
        "X-[A-Z]{1,8}(/[A-Z]{1,8})?".prop_map(ResponseCode::Other),
    ]), text in "([!-Z\\\\^-~][ -~]{0,60})?") {
        let r = Response { status: if ok { Status::Ok } else { Status::Err }, code, text };
        prop_assert_eq!(Response::parse(&r.to_bytes()), Ok(r));
    }

    #[test]
    fn stuffing_round_trips_through_any_split(
        lines in proptest::collection::vec("(\\.{0,3})[ -~]{0,10}", 0..20),
        lf in any::<bool>(),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let eol = if lf { "\n" } else { "\r\n" };
        let message: String = lines.iter().map(|l| format!("{l}{eol}")).collect();
        let mut wire = Vec::new();
        let mut s = Stuffer::new();
        s.push(message.as_bytes(), &mut wire);
        s.finish(&mut wire);
        wire.extend_from_slice(b"+OK next");
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(wire.len() + 1)).collect();
        points.sort();
        let mut u = Unstuffer::new();
        let mut out = Vec::new();
        let mut used = 0;
        let mut at = 0;
        for p in points.into_iter().chain([wire.len()]) {
            if p < at { continue; }
            used += u.push(&wire[at..p], &mut out);
            at = p;
            if u.is_done() { break; }
        }
        prop_assert!(u.is_done());
        prop_assert_eq!(&wire[used..], b"+OK next");
        let crlf: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
        prop_assert_eq!(&out, crlf.as_bytes());
        // What LIST would say is what arrived, however the file is read.
        let mut size = mailwire_pop3::multiline::WireSize::new();
        for piece in message.as_bytes().chunks(1 + cuts.len()) {
            size.push(piece);
        }
        prop_assert_eq!(size.total(), out.len() as u64);
        prop_assert_eq!(mailwire_pop3::multiline::wire_size(message.as_bytes()), out.len() as u64);
    }

    #[test]
    fn random_bytes_never_panic_either_side(input in proptest::collection::vec(any::<u8>(), 0..600)) {
        let (out, _) = serve(&input);
        assert_well_formed(&out);
        let mut c = ClientSession::new(ClientConfig::new(Credentials::password("u", "p")));
        c.feed(&input);
        while c.poll_event().is_some() {}
    }
}
