//! Our client against our server, in memory: every combination of
//! pipelining, CHUNKING, STARTTLS, AUTH mechanism and LMTP delivers the
//! message byte for byte, and refusals come back per recipient.

use mailwire_sasl::{Credentials, Mechanism, ScramCredentials};
use mailwire_smtp::client::{
    ClientConfig, ClientEvent, ClientSession, StartTls, Transaction, TransactionResult,
};
use mailwire_smtp::enhanced::{Class, EnhancedCode};
use mailwire_smtp::reply::{Reply, ReplyCode};
use mailwire_smtp::server::{ServerConfig, ServerEvent, ServerSession};

struct Outcome {
    results: Vec<TransactionResult>,
    delivered: Vec<(Vec<String>, Vec<u8>)>,
    failed: Option<String>,
    mechanism: Option<Mechanism>,
}

/// Runs one connection: the client sends `messages` in turn, then QUIT.
fn run(client: ClientConfig, server: ServerConfig, messages: &[(&str, &[&str], &[u8])]) -> Outcome {
    let mut c = ClientSession::new(client);
    let mut s = ServerSession::new(server);
    let salt = b"0123456789abcdef";
    s.set_nonce(&[7; 24]);
    s.greet();
    let mut out = Outcome { results: Vec::new(), delivered: Vec::new(), failed: None, mechanism: None };
    let mut queue = messages.iter();
    let mut starting_tls = (false, false);
    for _round in 0..10_000 {
        let mut progressed = false;
        while let Some(bytes) = s.poll_transmit() {
            // Deliver in small pieces to exercise the parsers' buffering.
            for piece in bytes.chunks(7) {
                c.feed(piece);
            }
            progressed = true;
        }
        while let Some(bytes) = c.poll_transmit() {
            for piece in bytes.chunks(5) {
                s.feed(piece);
            }
            progressed = true;
        }
        while let Some(e) = s.poll_event() {
            progressed = true;
            match e {
                ServerEvent::Mail { .. } => s.accept().unwrap(),
                ServerEvent::Rcpt { to, .. } => {
                    if to.to_string().contains("nobody") {
                        let r = Reply::new(
                            ReplyCode::MAILBOX_UNAVAILABLE,
                            Some(EnhancedCode::new(Class::Permanent, 1, 1)),
                            "No such user",
                        );
                        s.reject(r).unwrap();
                    } else {
                        s.accept().unwrap();
                    }
                }
                ServerEvent::Message { envelope, data } => {
                    let to = envelope.recipients.iter().map(|(r, _)| r.to_string()).collect();
                    out.delivered.push((to, data));
                    s.accept().unwrap();
                }
                ServerEvent::VerifyPassword { username, password, .. } => {
                    s.auth_password(username == "user" && password == "pass").unwrap()
                }
                ServerEvent::NeedSecret { username, mechanism: Mechanism::CramMd5 } => {
                    s.auth_cram_password((username == "user").then_some("pass")).unwrap();
                }
                ServerEvent::NeedSecret { username, .. } => {
                    let creds =
                        (username == "user").then(|| ScramCredentials::derive("pass", salt, 4096).unwrap());
                    s.auth_scram(creds).unwrap();
                }
                ServerEvent::StartTls => starting_tls.0 = true,
                _ => {}
            }
        }
        while let Some(e) = c.poll_event() {
            progressed = true;
            match e {
                ClientEvent::Ready { .. } => match queue.next() {
                    Some((from, to, m)) => c.send(Transaction::new(from, to).unwrap(), m.to_vec()).unwrap(),
                    None => c.quit(),
                },
                ClientEvent::Sent(r) => {
                    out.results.push(r);
                    match queue.next() {
                        Some((from, to, m)) => {
                            c.send(Transaction::new(from, to).unwrap(), m.to_vec()).unwrap()
                        }
                        None => c.quit(),
                    }
                }
                ClientEvent::StartTls => starting_tls.1 = true,
                ClientEvent::Authenticated(m) => out.mechanism = Some(m),
                ClientEvent::Failed(e) => out.failed = Some(e.to_string()),
                _ => {}
            }
        }
        if starting_tls == (true, true) {
            // Both sides "switch the transport" (in memory: nothing to do).
            starting_tls = (false, false);
            s.tls_established().unwrap();
            c.tls_established().unwrap();
            progressed = true;
        }
        if c.is_closed() && s.is_closed() || !progressed {
            break;
        }
    }
    out
}

const MESSAGE: &[u8] =
    b"From: a@example.com\r\nTo: b@example.org\r\nSubject: test\r\n\r\n.leading dot\r\n..two\r\n\
line with 8-bit \xc3\xa9\r\n.\r\nlast\r\n";

fn server() -> ServerConfig {
    let mut s = ServerConfig::new("mx.example.org");
    s.auth_mechanisms = vec![Mechanism::ScramSha256, Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5];
    s.starttls = true;
    s
}

#[test]
fn every_shape_of_session_delivers_the_exact_bytes() {
    let mut shapes = 0;
    for pipelining in [true, false] {
        for chunking in [true, false] {
            for starttls in [StartTls::Never, StartTls::Required] {
                for auth in [None, Some("SCRAM-SHA-256"), Some("PLAIN"), Some("LOGIN"), Some("CRAM-MD5")] {
                    let mut client = ClientConfig::new("client.example");
                    client.pipelining = pipelining;
                    client.chunking = chunking;
                    client.chunk_size = 16;
                    client.starttls = starttls;
                    client.nonce = vec![9; 24];
                    let mut srv = server();
                    srv.auth_without_tls = true;
                    if let Some(m) = auth {
                        client.credentials = Some(Credentials::password("user", "pass"));
                        srv.auth_mechanisms = vec![Mechanism::from_name(m).unwrap()];
                    }
                    let to: &[&str] = &["b@example.org", "nobody@example.org", "c@example.org"];
                    let out = run(
                        client,
                        srv,
                        &[("a@example.com", to, MESSAGE), ("", &["d@example.org"], b"x\r\n")],
                    );
                    let what =
                        format!("pipelining {pipelining}, chunking {chunking}, {starttls:?}, {auth:?}");
                    assert_eq!(out.failed, None, "{what}");
                    assert_eq!(out.delivered.len(), 2, "{what}");
                    assert_eq!(out.delivered[0].1, MESSAGE, "{what}");
                    assert_eq!(out.delivered[0].0, ["<b@example.org>", "<c@example.org>"], "{what}");
                    assert_eq!(out.delivered[1].1, b"x\r\n", "{what}");
                    let r = &out.results[0];
                    assert_eq!(r.accepted(), ["b@example.org", "c@example.org"], "{what}");
                    assert_eq!(r.refused()[0].1.code.get(), 550, "{what}");
                    assert!(r.delivered() && out.results[1].delivered(), "{what}");
                    assert_eq!(out.mechanism.map(|m| m.name()), auth, "{what}");
                    shapes += 1;
                }
            }
        }
    }
    assert_eq!(shapes, 40);
}

#[test]
fn wrong_password_ends_the_session_with_the_reply() {
    let mut client = ClientConfig::new("client.example");
    client.starttls = StartTls::Never;
    client.credentials = Some(Credentials::password("user", "wrong"));
    client.nonce = vec![1; 24];
    let mut srv = server();
    srv.auth_without_tls = true;
    let out = run(client, srv, &[("a@example.com", &["b@example.org"], b"x\r\n")]);
    assert!(out.failed.as_deref().is_some_and(|f| f.contains("535")), "{:?}", out.failed);
    assert!(out.delivered.is_empty());
}

#[test]
fn lmtp_gives_one_final_reply_per_recipient() {
    for chunking in [false, true] {
        let mut client = ClientConfig::new("client.example");
        client.lmtp = true;
        client.chunking = chunking;
        let mut srv = ServerConfig::new("lmtp.example.org");
        srv.lmtp = true;
        let out = run(
            client,
            srv,
            &[("a@example.com", &["b@example.org", "nobody@x.org", "c@example.org"], MESSAGE)],
        );
        assert_eq!(out.failed, None);
        let r = &out.results[0];
        assert_eq!(r.data.len(), 2, "one reply per accepted recipient (chunking {chunking})");
        assert_eq!(r.final_replies().len(), 2);
        assert_eq!(out.delivered[0].1, MESSAGE);
    }
}

#[test]
fn all_recipients_refused_sends_no_message() {
    for pipelining in [true, false] {
        for chunking in [true, false] {
            let mut client = ClientConfig::new("client.example");
            client.pipelining = pipelining;
            client.chunking = chunking;
            let out = run(
                client,
                ServerConfig::new("mx"),
                &[
                    ("a@example.com", &["nobody@example.org"], b"x\r\n"),
                    ("a@example.com", &["b@example.org"], b"y\r\n"),
                ],
            );
            let what = format!("pipelining {pipelining}, chunking {chunking}");
            assert_eq!(out.failed, None, "{what}");
            assert!(!out.results[0].delivered(), "{what}");
            assert_eq!(out.delivered.len(), 1, "{what}");
            assert_eq!(out.delivered[0].1, b"y\r\n", "the next transaction still works ({what})");
            assert!(out.results[1].delivered(), "{what}");
        }
    }
}

#[test]
fn size_and_8bit_checks_happen_before_sending() {
    let mut c = ClientSession::new(ClientConfig::new("c"));
    c.feed(b"220 mx\r\n");
    c.feed(b"250-mx\r\n250 SIZE 10\r\n");
    while c.poll_event().is_some() {}
    let tx = Transaction::new("a@b.c", &["d@e.f"]).unwrap();
    let e = c.send(tx.clone(), vec![b'x'; 11]).unwrap_err();
    assert_eq!(e.to_string(), "message of 11 bytes exceeds the server's SIZE 10");
    let e = c.send(tx.clone(), b"\xc3\xa9\r\n".to_vec()).unwrap_err();
    assert!(e.to_string().contains("8BITMIME"), "{e}");
    let utf8 = Transaction::new("j\u{f6}rg@b.c", &["d@e.f"]).unwrap();
    assert!(c.send(utf8, b"x\r\n".to_vec()).unwrap_err().to_string().contains("SMTPUTF8"));
    assert!(c.send(tx, b"ok\r\n".to_vec()).is_ok(), "the session is still usable");
}
