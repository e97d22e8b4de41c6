//! Our client and our server in memory, and each against scripted peers:
//! logins (SASL-IR PLAIN, LOGIN, SCRAM-SHA-256 with a server-final
//! challenge, refusal), synchronising literals waiting for `+`, LITERAL+,
//! pipelining and its limits, STARTTLS (injected plaintext discarded on
//! both sides), IDLE, state checks, TOOBIG literals, streaming of large
//! literals cut anywhere, and EXPUNGE / VANISHED renumbering.

use bytes::Bytes;
use mailwire_imap::client::{ClientConfig, ClientEvent, ClientSession, StartTls, State as ClientState};
use mailwire_imap::command::{Command, CommandBody, SelectParams};
use mailwire_imap::mailbox::Mailbox;
use mailwire_imap::response::{Data, StatusKind};
use mailwire_imap::server::{ServerConfig, ServerEvent, ServerSession, State as ServerState};
use mailwire_imap::string::Str;
use mailwire_imap::{Limits, command};
use mailwire_sasl::{Credentials, Mechanism, ScramCredentials};

fn client_events(c: &mut ClientSession) -> Vec<ClientEvent> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

fn sent(c: &mut ClientSession) -> String {
    let mut out = Vec::new();
    while let Some(b) = c.poll_transmit() {
        out.extend_from_slice(&b);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn written(s: &mut ServerSession) -> String {
    let mut out = Vec::new();
    while let Some(b) = s.poll_transmit() {
        out.extend_from_slice(&b);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A client that logs in by hand, fed a greeting with capabilities.
fn manual_client(caps: &str) -> ClientSession {
    let mut config = ClientConfig::new(None);
    config.tls_active = true;
    let mut c = ClientSession::new(config);
    c.feed(format!("* OK [CAPABILITY IMAP4rev1 {caps}] ready\r\n").as_bytes());
    let ev = client_events(&mut c);
    assert!(ev.contains(&ClientEvent::Ready), "{ev:?}");
    c
}

/// Runs client and server against each other until neither has anything
/// to say; the server's decisions are made by `decide`.
fn pump(
    c: &mut ClientSession,
    s: &mut ServerSession,
    decide: &mut dyn FnMut(&mut ServerSession, ServerEvent),
) -> Vec<ClientEvent> {
    let mut events = Vec::new();
    for _ in 0..100 {
        let mut quiet = true;
        while let Some(b) = s.poll_transmit() {
            quiet = false;
            c.feed(&b);
        }
        while let Some(b) = c.poll_transmit() {
            quiet = false;
            s.feed(&b);
        }
        while let Some(e) = s.poll_event() {
            quiet = false;
            decide(s, e);
        }
        while let Some(e) = c.poll_event() {
            quiet = false;
            events.push(e);
        }
        if quiet {
            break;
        }
    }
    events
}

fn accept_all(s: &mut ServerSession, e: ServerEvent) {
    match e {
        ServerEvent::VerifyPassword { username, password, .. } => {
            s.auth_password(username == "ann" && password == "secret").unwrap()
        }
        ServerEvent::NeedSecret { .. } => {
            let creds = ScramCredentials::derive("secret", b"salt-salt-salt!!", 4096).unwrap();
            s.auth_scram(Some(creds)).unwrap()
        }
        ServerEvent::Command { body: CommandBody::Select { .. }, .. } => {
            s.data(Data::Exists(3));
            s.ok(None, "selected").unwrap()
        }
        ServerEvent::Command { .. } | ServerEvent::IdleDone { .. } => s.ok(None, "done").unwrap(),
        ServerEvent::StartTls => s.tls_established().unwrap(),
        _ => {}
    }
}

fn server(mechanisms: Vec<Mechanism>) -> ServerSession {
    let mut config = ServerConfig::new();
    config.tls_active = true;
    config.sasl_mechanisms = mechanisms;
    config.nonce = vec![9; 24];
    let mut s = ServerSession::new(config);
    s.greet();
    s
}

fn auto_client(mechanisms_ok: bool) -> ClientSession {
    let mut config =
        ClientConfig::new(Some(Credentials::password("ann", if mechanisms_ok { "secret" } else { "wrong" })));
    config.tls_active = true;
    config.nonce = vec![7; 24];
    ClientSession::new(config)
}

#[test]
fn automatic_login_with_each_mechanism() {
    for mechs in [
        vec![Mechanism::Plain],
        vec![Mechanism::Login],
        vec![Mechanism::ScramSha256, Mechanism::Plain],
        vec![],
    ] {
        let mut s = server(mechs.clone());
        let mut c = auto_client(true);
        let events = pump(&mut c, &mut s, &mut accept_all);
        assert!(events.contains(&ClientEvent::Authenticated), "{mechs:?}: {events:?}");
        assert!(events.contains(&ClientEvent::Ready), "{mechs:?}: {events:?}");
        assert_eq!(c.state(), ClientState::Authenticated);
        assert_eq!(s.state(), ServerState::Authenticated);
    }
}

#[test]
fn refused_login_fails_the_automatic_session() {
    let mut s = server(vec![Mechanism::Plain]);
    let mut c = auto_client(false);
    let events = pump(&mut c, &mut s, &mut accept_all);
    assert!(events.iter().any(|e| matches!(e, ClientEvent::Failed(_))), "{events:?}");
    assert!(c.is_closed());
}

#[test]
fn no_password_in_the_clear_before_tls() {
    let mut config = ClientConfig::new(Some(Credentials::password("ann", "secret")));
    config.starttls = StartTls::Never;
    let mut c = ClientSession::new(config);
    c.feed(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
    let events = client_events(&mut c);
    assert!(events.iter().any(|e| matches!(e, ClientEvent::Failed(_))), "{events:?}");
    assert_eq!(sent(&mut c), "", "nothing may be sent");
}

#[test]
fn synchronising_literal_waits_for_the_continuation() {
    let mut c = manual_client("");
    let body = CommandBody::Append {
        mailbox: Mailbox::Inbox,
        flags: vec![],
        date: None,
        message: Str::from("Subject: x\r\n\r\nhi\r\n"),
    };
    let tag = c.send(body).unwrap();
    let first = sent(&mut c);
    assert!(first.ends_with("{18}\r\n"), "{first:?}");
    c.send(CommandBody::Noop).unwrap();
    assert_eq!(sent(&mut c), "", "nothing more before the `+`");
    c.feed(b"+ go ahead\r\n");
    let rest = sent(&mut c);
    assert!(rest.starts_with("Subject: x\r\n\r\nhi\r\n\r\n"), "{rest:?}");
    assert!(rest.ends_with("NOOP\r\n"), "the NOOP follows: {rest:?}");
    c.feed(format!("{tag} OK APPEND done\r\n").as_bytes());
    assert!(client_events(&mut c).iter().any(|e| matches!(e, ClientEvent::Done { tag: t, .. } if *t == tag)));
}

#[test]
fn literal_plus_sends_at_once() {
    let mut config = ClientConfig::new(None);
    config.tls_active = true;
    let mut c = ClientSession::new(config);
    c.feed(b"* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n");
    client_events(&mut c);
    c.login("ann", "pass\r\nword").unwrap();
    let out = sent(&mut c);
    assert!(out.contains("{10+}\r\npass\r\nword\r\n"), "{out:?}");
}

#[test]
fn sequence_numbers_wait_for_expunging_commands() {
    let mut c = manual_client("");
    let fetch = |set: &str, uid: bool| CommandBody::Fetch {
        uid,
        set: set.parse().unwrap(),
        items: mailwire_imap::command::FetchItems::List(vec![mailwire_imap::command::FetchAttribute::Flags]),
        changed_since: None,
        vanished: false,
    };
    let t1 = c.send(fetch("1", false)).unwrap();
    c.send(fetch("2", false)).unwrap();
    assert_eq!(sent(&mut c).lines().count(), 2, "FETCH after FETCH is pipelined");
    c.feed(format!("{t1} OK\r\n").as_bytes());
    let t3 = c.send(CommandBody::Expunge).unwrap();
    c.send(fetch("3", false)).unwrap();
    let out = sent(&mut c);
    assert!(out.contains("EXPUNGE") && !out.contains("FETCH 3"), "{out:?}");
    c.send(fetch("4", true)).unwrap();
    c.feed(format!("{t3} OK\r\n").as_bytes());
    let out = sent(&mut c);
    assert!(out.contains("FETCH 3") && out.contains("UID FETCH 4"), "{out:?}");
}

#[test]
fn starttls_discards_what_came_in_the_clear() {
    // Client: a response injected after the OK is not read.
    let mut config = ClientConfig::new(Some(Credentials::password("ann", "secret")));
    config.starttls = StartTls::Required;
    let mut c = ClientSession::new(config);
    c.feed(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n");
    assert!(sent(&mut c).contains("STARTTLS"));
    c.feed(b"A1 OK begin\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n");
    let events = client_events(&mut c);
    assert!(events.contains(&ClientEvent::StartTls), "{events:?}");
    assert!(
        !events.iter().any(|e| matches!(e, ClientEvent::Capabilities(c) if c.len() > 3)),
        "the injected capabilities were read: {events:?}"
    );
    c.tls_established().unwrap();
    assert!(c.capabilities().is_empty());
    assert!(sent(&mut c).contains("CAPABILITY"));

    // Server: a command pipelined after STARTTLS is dropped.
    let mut config = ServerConfig::new();
    config.starttls = true;
    let mut s = ServerSession::new(config);
    s.greet();
    written(&mut s);
    s.feed(b"a STARTTLS\r\nb LOGIN ann secret\r\n");
    assert!(written(&mut s).contains("a OK"));
    assert_eq!(s.poll_event(), Some(ServerEvent::StartTls));
    s.tls_established().unwrap();
    assert_eq!(s.poll_event(), None);
    assert_eq!(written(&mut s), "");
}

#[test]
fn idle_and_done() {
    let mut s = server(vec![Mechanism::Plain]);
    let mut c = auto_client(true);
    pump(&mut c, &mut s, &mut accept_all);
    c.send(CommandBody::Select { mailbox: Mailbox::Inbox, params: SelectParams::default() }).unwrap();
    pump(&mut c, &mut s, &mut accept_all);
    assert_eq!(c.mailbox().exists, 3);
    let tag = c.idle().unwrap();
    let mut idling = false;
    let events = pump(&mut c, &mut s, &mut |s, e| {
        if let ServerEvent::Idle { .. } = e {
            idling = true;
            s.data(Data::Exists(4));
        } else {
            accept_all(s, e)
        }
    });
    assert!(idling);
    assert!(events.contains(&ClientEvent::Idling { tag: tag.clone() }), "{events:?}");
    assert!(events.contains(&ClientEvent::Data(Data::Exists(4))));
    assert_eq!(c.mailbox().exists, 4);
    c.idle_done().unwrap();
    let events = pump(&mut c, &mut s, &mut accept_all);
    assert!(events.iter().any(|e| matches!(e, ClientEvent::Done { tag: t, status } if *t == tag && status.kind == StatusKind::Ok)), "{events:?}");
}

#[test]
fn wrong_state_is_bad_without_reaching_the_application() {
    let mut s = server(vec![Mechanism::Plain]);
    written(&mut s);
    s.feed(b"a FETCH 1 FLAGS\r\nb SELECT INBOX\r\nc NOOP\r\n");
    let out = written(&mut s);
    assert!(out.contains("a BAD"), "{out}");
    assert!(out.contains("b BAD"), "{out}");
    assert!(matches!(s.poll_event(), Some(ServerEvent::Command { body: CommandBody::Noop, .. })));
}

#[test]
fn too_big_literal_is_refused_and_the_session_goes_on() {
    let mut config = ServerConfig::new();
    config.tls_active = true;
    config.limits = Limits { max_literal: 100, ..Limits::server() };
    let mut s = ServerSession::new(config);
    s.greet();
    s.feed(b"a LOGIN ann secret\r\n");
    if let Some(ServerEvent::VerifyPassword { .. }) = s.poll_event() {
        s.auth_password(true).unwrap();
    }
    while s.poll_event().is_some() {}
    written(&mut s);
    s.feed(b"b APPEND INBOX {1000}\r\n");
    let out = written(&mut s);
    assert!(out.contains("b NO [TOOBIG]"), "{out}");
    s.feed(b"c APPEND INBOX {5}\r\n");
    assert!(written(&mut s).starts_with("+ "));
    s.feed(b"hello\r\n");
    assert!(matches!(s.poll_event(), Some(ServerEvent::Command { body: CommandBody::Append { .. }, .. })));
}

#[test]
fn large_literals_stream_wherever_the_input_is_cut() {
    let body: Vec<u8> = (0..5000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let mut wire = b"* 7 FETCH (UID 9 BODY[] {5000}\r\n".to_vec();
    wire.extend_from_slice(&body);
    wire.extend_from_slice(b" FLAGS (\\Seen))\r\n* 8 EXISTS\r\n");
    for step in [1, 7, 100, 4999, 6000] {
        let mut config = ClientConfig::new(None);
        config.stream_threshold = 1000;
        let mut c = ClientSession::new(config);
        c.feed(b"* PREAUTH hi\r\n");
        client_events(&mut c);
        let mut got = Vec::new();
        let mut events = Vec::new();
        for piece in wire.chunks(step) {
            c.feed(piece);
            for e in client_events(&mut c) {
                match e {
                    ClientEvent::LiteralData(d) => got.extend_from_slice(&d),
                    other => events.push(other),
                }
            }
        }
        assert_eq!(got, body, "step {step}");
        assert!(matches!(&events[0], ClientEvent::LiteralStart { seq: 7, length: 5000, .. }), "{events:?}");
        assert_eq!(events[1], ClientEvent::LiteralEnd);
        let ClientEvent::Data(Data::Fetch { items, .. }) = &events[2] else { panic!("{events:?}") };
        assert_eq!(items.len(), 3, "{items:?}");
        assert_eq!(events[3], ClientEvent::Data(Data::Exists(8)));
    }
}

#[test]
fn expunge_and_vanished_renumber() {
    let mut c = manual_client("");
    let tag =
        c.send(CommandBody::Select { mailbox: Mailbox::Inbox, params: SelectParams::default() }).unwrap();
    c.feed(b"* 4 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\n");
    c.feed(format!("{tag} OK [READ-WRITE] done\r\n").as_bytes());
    c.feed(b"* 1 FETCH (UID 10)\r\n* 2 FETCH (UID 20)\r\n* 3 FETCH (UID 30)\r\n* 4 FETCH (UID 40)\r\n");
    assert_eq!(c.mailbox().uid_validity, Some(7));
    c.feed(b"* 2 EXPUNGE\r\n");
    assert_eq!((c.mailbox().exists, c.mailbox().uid(2), c.mailbox().seq(40)), (3, Some(30), Some(3)));
    c.feed(b"* VANISHED 10,40\r\n");
    assert_eq!((c.mailbox().exists, c.mailbox().uid(1)), (1, Some(30)));
    c.feed(b"* VANISHED (EARLIER) 30\r\n");
    assert_eq!(c.mailbox().exists, 1, "VANISHED (EARLIER) changes nothing");
}

#[test]
fn server_parses_pipelined_commands_in_order() {
    let mut s = server(vec![Mechanism::Plain]);
    s.feed(b"a LOGIN ann secret\r\nb NOOP\r\nc LIST \"\" *\r\n");
    let Some(ServerEvent::VerifyPassword { .. }) = s.poll_event() else { panic!() };
    assert_eq!(s.poll_event(), None, "one decision at a time");
    s.auth_password(true).unwrap();
    assert!(matches!(s.poll_event(), Some(ServerEvent::Authenticated { .. })));
    assert!(matches!(s.poll_event(), Some(ServerEvent::Command { body: CommandBody::Noop, .. })));
    s.ok(None, "ok").unwrap();
    assert!(matches!(s.poll_event(), Some(ServerEvent::Command { body: CommandBody::List(_), .. })));
    let out = written(&mut s);
    assert!(out.contains("a OK") && out.contains("b OK"), "{out}");
    // What the server wrote parses as responses.
    let mut rest = Bytes::from(out.into_bytes());
    while !rest.is_empty() {
        let (_, used) = mailwire_imap::response::decode(&rest, &Limits::default()).unwrap();
        rest = rest.slice(used..);
    }
    let _ = (Command::parse, command::decode);
}

/// A logged-in server that streams APPENDs over 1000 octets.
fn streaming_server() -> ServerSession {
    let mut config = ServerConfig::new();
    config.tls_active = true;
    config.append_stream_threshold = Some(1000);
    let mut s = ServerSession::new(config);
    s.greet();
    s.feed(b"a LOGIN ann secret\r\n");
    let Some(ServerEvent::VerifyPassword { .. }) = s.poll_event() else { panic!("no login") };
    s.auth_password(true).unwrap();
    while s.poll_event().is_some() {}
    written(&mut s);
    s
}

#[test]
fn large_appends_stream_through_the_server() {
    let message: Vec<u8> = (0..5000u32).map(|i| b'a' + (i % 26) as u8).collect();
    for step in [1, 9, 1000, 6000] {
        let mut s = streaming_server();
        let mut wire = b"b APPEND INBOX (\\Seen) {5000}\r\n".to_vec();
        let header = wire.len();
        s.feed(&wire);
        let Some(ServerEvent::AppendStart { mailbox, flags, length, binary, .. }) = s.poll_event() else {
            panic!("no AppendStart")
        };
        assert_eq!(
            (mailbox, flags, length, binary),
            (Mailbox::Inbox, vec![mailwire_imap::flag::Flag::Seen], 5000, false)
        );
        assert_eq!(written(&mut s), "", "no `+` before the application accepts");
        s.accept_append().unwrap();
        assert!(written(&mut s).starts_with("+ "));
        wire.extend_from_slice(&message);
        wire.extend_from_slice(b"\r\nc NOOP\r\n");
        let mut got = Vec::new();
        let mut ended = false;
        for piece in wire[header..].chunks(step) {
            s.feed(piece);
            while let Some(e) = s.poll_event() {
                match e {
                    ServerEvent::AppendData(d) => {
                        assert!(!ended);
                        got.extend_from_slice(&d);
                    }
                    ServerEvent::AppendEnd { tag } => {
                        assert_eq!(tag.as_str(), "b");
                        ended = true;
                        s.ok(None, "APPEND completed").unwrap();
                    }
                    ServerEvent::Command { body: CommandBody::Noop, .. } => {
                        assert!(ended, "NOOP before the APPEND ended");
                        s.ok(None, "NOOP completed").unwrap();
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
        assert!(ended && got == message, "step {step}: {} octets", got.len());
        let out = written(&mut s);
        assert!(out.contains("b OK APPEND") && out.ends_with("c OK NOOP completed\r\n"), "{out}");
    }
}

#[test]
fn refused_streamed_appends_and_large_literals_elsewhere() {
    // A non-synchronising literal refused: its octets are dropped, the
    // next command is read.
    let mut s = streaming_server();
    let mut wire = b"b APPEND Nope {3000+}\r\n".to_vec();
    wire.extend_from_slice(&[b'x'; 3000]);
    wire.extend_from_slice(b"\r\nc NOOP\r\n");
    s.feed(&wire);
    assert!(matches!(s.poll_event(), Some(ServerEvent::AppendStart { length: 3000, .. })));
    s.no(Some(mailwire_imap::response::Code::TryCreate), "no such mailbox").unwrap();
    assert!(matches!(s.poll_event(), Some(ServerEvent::Command { body: CommandBody::Noop, .. })));
    assert!(written(&mut s).contains("b NO [TRYCREATE]"));
    // A synchronising one refused: nothing more is sent for it.
    s.ok(None, "NOOP").unwrap();
    s.feed(b"d APPEND INBOX {3000}\r\n");
    assert!(matches!(s.poll_event(), Some(ServerEvent::AppendStart { .. })));
    s.no(Some(mailwire_imap::response::Code::TooBig), "too big").unwrap();
    let out = written(&mut s);
    assert!(out.contains("d NO [TOOBIG]") && !out.contains("+ "), "{out}");
    // A large literal in another command is too big, and the session goes on.
    s.feed(b"e LOGIN {5000}\r\nf NOOP\r\n");
    assert!(written(&mut s).contains("e NO [TOOBIG]"));
    assert!(matches!(s.poll_event(), Some(ServerEvent::Command { body: CommandBody::Noop, .. })));
}
