//! Our client against our server, in memory: every login method, STLS,
//! pipelining on and off, streaming at every chunk size, TOP, UPDATE, the
//! maildrop lock, and the refusals.

use mailwire_pop3::client::{AuthMethod, ClientConfig, ClientError, ClientEvent, ClientSession, StartTls};
use mailwire_pop3::response::ResponseCode;
use mailwire_pop3::server::{MessageInfo, ServerConfig, ServerEvent, ServerSession, maildrop_in_use};
use mailwire_sasl::{Credentials, Mechanism, ScramCredentials};

/// The mailbox side: one user, some messages.
struct App {
    messages: Vec<Vec<u8>>,
    password: String,
    scram: ScramCredentials,
    locked: bool,
    removed: Vec<String>,
    server_events: Vec<String>,
}

impl App {
    fn new(messages: Vec<Vec<u8>>) -> App {
        App {
            messages,
            password: "tanstaaf".into(),
            scram: ScramCredentials::derive("tanstaaf", b"salt of the earth", 4096).unwrap(),
            locked: false,
            removed: Vec::new(),
            server_events: Vec::new(),
        }
    }

    fn handle(&mut self, s: &mut ServerSession, event: ServerEvent) {
        self.server_events.push(format!("{event:?}"));
        match event {
            ServerEvent::VerifyPassword { username, password, .. } => {
                s.auth_password(username == "mrose" && password == self.password).unwrap()
            }
            ServerEvent::ApopSecret { username } => {
                s.auth_apop((username == "mrose").then_some(self.password.as_str())).unwrap()
            }
            ServerEvent::NeedSecret { mechanism: Mechanism::CramMd5, username } => {
                s.auth_cram_password((username == "mrose").then_some(self.password.as_str())).unwrap()
            }
            ServerEvent::NeedSecret { username, .. } => {
                s.auth_scram((username == "mrose").then(|| self.scram.clone())).unwrap()
            }
            ServerEvent::VerifyToken { token, .. } => s.auth_token(token == self.password).unwrap(),
            ServerEvent::OpenMaildrop { .. } if self.locked => s.reject(maildrop_in_use()).unwrap(),
            ServerEvent::OpenMaildrop { .. } => {
                let list = self
                    .messages
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        MessageInfo::new(mailwire_pop3::multiline::wire_size(m), format!("uid-{i}")).unwrap()
                    })
                    .collect();
                s.open_maildrop(list).unwrap()
            }
            ServerEvent::Retrieve { index, .. } => {
                // In pieces, as a file would be read.
                for piece in self.messages[index].clone().chunks(7) {
                    if !s.message_chunk(piece).unwrap() {
                        break;
                    }
                }
                s.message_end().unwrap();
            }
            ServerEvent::Update { deleted } => {
                self.removed = deleted.into_iter().map(|d| d.uid).collect();
                s.accept().unwrap();
            }
            ServerEvent::StartTls => s.tls_established().unwrap(),
            _ => {}
        }
    }
}

/// What the client saw, and the wire in each direction.
struct Run {
    events: Vec<ClientEvent>,
    to_server: Vec<Vec<u8>>,
}

/// Runs a session to its end: bytes cross in chunks of `chunk`, and
/// `script` answers the client's events.
fn run(
    client: &mut ClientSession,
    server: &mut ServerSession,
    app: &mut App,
    chunk: usize,
    mut script: impl FnMut(&mut ClientSession, &ClientEvent),
) -> Run {
    server.greet();
    let mut run = Run { events: Vec::new(), to_server: Vec::new() };
    for _ in 0..100_000 {
        let mut progress = false;
        while let Some(bytes) = server.poll_transmit() {
            progress = true;
            for piece in bytes.chunks(chunk) {
                client.feed(piece);
            }
        }
        while let Some(event) = client.poll_event() {
            progress = true;
            if event == ClientEvent::StartTls {
                client.tls_established().unwrap();
            }
            script(client, &event);
            run.events.push(event);
        }
        while let Some(bytes) = client.poll_transmit() {
            progress = true;
            run.to_server.push(bytes.clone());
            server.feed(&bytes);
        }
        while let Some(event) = server.poll_event() {
            progress = true;
            app.handle(server, event);
        }
        if !progress {
            return run;
        }
    }
    panic!("the session did not settle");
}

fn messages() -> Vec<Vec<u8>> {
    vec![
        b"From: a@example.com\r\nSubject: one\r\n\r\nHello\r\n.\r\n..two dots\r\n".to_vec(),
        b"Subject: lf only\n\nline 1\nline 2\n.\nline 4\n".to_vec(),
        b"Subject: empty body\r\n\r\n".to_vec(),
        [&b"Subject: big\r\n\r\n"[..], &b"0123456789 .abcdef\r\n".repeat(5000)].concat(),
    ]
}

/// The message as the client receives it: CRLF line ends, ending in one.
fn on_the_wire(m: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut prev = 0u8;
    for &b in m {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    if !out.ends_with(b"\r\n") && !out.is_empty() {
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn tls_server() -> ServerConfig {
    let mut config = ServerConfig::new("pop.example");
    config.stls = true;
    config.sasl_mechanisms =
        vec![Mechanism::ScramSha256, Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5];
    config.nonce = vec![7; 24];
    config.apop_timestamp = Some("<42.1700000000@pop.example>".into());
    config
}

fn client_config() -> ClientConfig {
    let mut config = ClientConfig::new(Credentials::password("mrose", "tanstaaf"));
    config.nonce = vec![9; 24];
    config
}

/// Downloads everything: UIDL, LIST, RETR of each, DELE of each, QUIT.
fn download_all(c: &mut ClientSession, e: &ClientEvent) {
    match e {
        ClientEvent::Ready { .. } => {
            c.uidl(None).unwrap();
            c.list(None).unwrap();
        }
        ClientEvent::Listing(l) => {
            for s in l {
                c.retr(s.msg).unwrap();
                c.dele(s.msg).unwrap();
            }
            c.quit().unwrap();
        }
        _ => {}
    }
}

/// The events without the status-line traces, and with each message's
/// chunks joined (how the bytes were split differs from run to run).
fn merged(events: Vec<ClientEvent>) -> Vec<ClientEvent> {
    let mut out: Vec<ClientEvent> = Vec::new();
    for e in events {
        match (out.last_mut(), e) {
            (_, ClientEvent::Response(_)) => {}
            (
                Some(ClientEvent::MessageData { msg: a, data }),
                ClientEvent::MessageData { msg: b, data: more },
            ) if *a == b => data.extend_from_slice(&more),
            (_, e) => out.push(e),
        }
    }
    out
}

fn downloaded(events: &[ClientEvent]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for e in events {
        match e {
            ClientEvent::MessageData { msg, data } => {
                let i = *msg as usize - 1;
                if out.len() <= i {
                    out.resize(i + 1, Vec::new());
                }
                out[i].extend_from_slice(data);
            }
            ClientEvent::Failed(err) => panic!("session failed: {err}"),
            _ => {}
        }
    }
    out
}

#[test]
fn stls_then_scram_downloads_everything_at_every_chunk_size() {
    for chunk in [1, 2, 3, 5, 64, 1 << 20] {
        let mut app = App::new(messages());
        let mut c = ClientSession::new(client_config());
        let mut s = ServerSession::new(tls_server());
        let r = run(&mut c, &mut s, &mut app, chunk, download_all);
        assert!(r.events.contains(&ClientEvent::StartTls), "chunk {chunk}");
        assert!(r.events.contains(&ClientEvent::Authenticated(AuthMethod::Sasl(Mechanism::ScramSha256))));
        let want: Vec<Vec<u8>> = messages().iter().map(|m| on_the_wire(m)).collect();
        assert_eq!(downloaded(&r.events), want, "chunk {chunk}");
        assert_eq!(app.removed, ["uid-0", "uid-1", "uid-2", "uid-3"]);
        assert!(c.is_closed() && s.is_closed());
        let uids = r.events.iter().find_map(|e| match e {
            ClientEvent::UniqueIds(u) => Some(u.iter().map(|u| u.uid.clone()).collect::<Vec<_>>()),
            _ => None,
        });
        assert_eq!(uids.unwrap(), ["uid-0", "uid-1", "uid-2", "uid-3"]);
    }
}

#[test]
fn pipelining_sends_in_one_batch_and_gives_the_same_answers() {
    let mut results = Vec::new();
    for pipelining in [true, false] {
        let mut app = App::new(messages());
        let mut config = client_config();
        config.pipelining = pipelining;
        let mut c = ClientSession::new(config);
        let mut s = ServerSession::new(tls_server());
        let r = run(&mut c, &mut s, &mut app, 4096, download_all);
        let batch = r
            .to_server
            .iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .find(|b| b.contains("RETR 1"));
        let batch = batch.unwrap();
        if pipelining {
            assert!(batch.starts_with("RETR 1\r\nDELE 1\r\nRETR 2\r\n"), "{batch:?}");
            assert!(batch.ends_with("DELE 4\r\nQUIT\r\n"));
        } else {
            assert_eq!(batch, "RETR 1\r\n");
        }
        results.push(merged(r.events));
    }
    // Not assert_eq: the events hold 100 KB of message.
    assert!(results[0] == results[1], "pipelined and one-by-one sessions differ");
}

#[test]
fn plaintext_is_refused_without_tls_on_both_sides() {
    // The client will not send a password in the clear...
    let mut config = ServerConfig::new("pop.example");
    config.plaintext_without_tls = true;
    let mut app = App::new(messages());
    let mut c = ClientSession::new(ClientConfig::new(Credentials::password("mrose", "tanstaaf")));
    let mut s = ServerSession::new(config);
    let r = run(&mut c, &mut s, &mut app, 4096, |_, _| {});
    assert!(r.events.contains(&ClientEvent::Failed(ClientError::NoAuthMethod {
        offered: vec![],
        plaintext_refused: true
    })));
    assert!(!r.to_server.iter().any(|b| b.starts_with(b"USER")));

    // ...and the server will not take one.
    let mut app = App::new(messages());
    let mut s = ServerSession::new(ServerConfig::new("pop.example"));
    s.greet();
    s.poll_transmit();
    s.feed(b"USER mrose\r\nAUTH PLAIN AG1yb3NlAHRhbnN0YWFm\r\nCAPA\r\n");
    while let Some(e) = s.poll_event() {
        app.handle(&mut s, e);
    }
    let wire = String::from_utf8(s.poll_transmit().unwrap()).unwrap();
    let mut lines = wire.lines();
    assert!(lines.next().unwrap().starts_with("-ERR [AUTH] Plaintext authentication disallowed"));
    assert_eq!(lines.next(), Some("-ERR Unsupported authentication mechanism"));
    assert!(app.server_events.is_empty());
}

#[test]
fn every_login_method() {
    type Setup = Box<dyn Fn(&mut ClientConfig, &mut ServerConfig)>;
    let cases: Vec<(&str, Setup, AuthMethod)> = vec![
        ("scram", Box::new(|_, _| {}), AuthMethod::Sasl(Mechanism::ScramSha256)),
        ("cram-md5", Box::new(|c, _| c.nonce.clear()), AuthMethod::Sasl(Mechanism::CramMd5)),
        (
            "plain",
            Box::new(|c, s| {
                c.nonce.clear();
                s.sasl_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
            }),
            AuthMethod::Sasl(Mechanism::Plain),
        ),
        (
            "login",
            Box::new(|c, s| {
                c.nonce.clear();
                s.sasl_mechanisms = vec![Mechanism::Login];
            }),
            AuthMethod::Sasl(Mechanism::Login),
        ),
        ("apop", Box::new(|c, _| c.use_sasl = false), AuthMethod::Apop),
        (
            "user",
            Box::new(|c, _| {
                c.use_sasl = false;
                c.use_apop = false;
            }),
            AuthMethod::UserPass,
        ),
    ];
    for (name, setup, method) in cases {
        let mut cc = client_config();
        let mut sc = tls_server();
        setup(&mut cc, &mut sc);
        let mut app = App::new(messages());
        let mut c = ClientSession::new(cc);
        let mut s = ServerSession::new(sc);
        let r = run(&mut c, &mut s, &mut app, 4096, |c, e| {
            if let ClientEvent::Ready { .. } = e {
                c.stat().unwrap();
                c.quit().unwrap();
            }
        });
        assert!(r.events.contains(&ClientEvent::Authenticated(method)), "{name}: {:?}", r.events);
        assert!(r.events.iter().any(|e| matches!(e, ClientEvent::Stat { count: 4, .. })), "{name}");
        assert!(c.is_closed() && s.is_closed(), "{name}");
    }
}

#[test]
fn wrong_passwords_fail_with_the_auth_code() {
    for use_sasl in [true, false] {
        let mut cc = ClientConfig::new(Credentials::password("mrose", "wrong"));
        cc.use_sasl = use_sasl;
        cc.use_apop = false;
        let mut app = App::new(messages());
        let mut c = ClientSession::new(cc);
        let mut s = ServerSession::new(tls_server());
        let r = run(&mut c, &mut s, &mut app, 4096, |_, _| {});
        let failure = r.events.iter().find_map(|e| match e {
            ClientEvent::Failed(ClientError::Auth { response, .. }) => Some(response.clone()),
            _ => None,
        });
        assert_eq!(failure.unwrap().code, Some(ResponseCode::Auth), "sasl {use_sasl}");
        assert!(c.is_closed() && s.is_closed());
    }
}

#[test]
fn a_locked_maildrop_is_reported_in_use() {
    let mut app = App::new(messages());
    app.locked = true;
    let mut c = ClientSession::new(client_config());
    let mut s = ServerSession::new(tls_server());
    let r = run(&mut c, &mut s, &mut app, 4096, |_, _| {});
    let failure = r.events.iter().find_map(|e| match e {
        ClientEvent::Failed(ClientError::Auth { response, .. }) => Some(response.clone()),
        _ => None,
    });
    let response = failure.unwrap();
    assert_eq!(response.code, Some(ResponseCode::InUse));
    assert!(response.code.unwrap().is_temporary());
}

#[test]
fn top_and_single_listings() {
    let mut app = App::new(messages());
    let mut c = ClientSession::new(client_config());
    let mut s = ServerSession::new(tls_server());
    let r = run(&mut c, &mut s, &mut app, 4096, |c, e| {
        if let ClientEvent::Ready { .. } = e {
            c.top(1, 1).unwrap();
            c.top(2, 0).unwrap();
            c.top(4, 2).unwrap();
            c.list(Some(3)).unwrap();
            c.uidl(Some(2)).unwrap();
            c.list(Some(9)).unwrap();
            c.noop().unwrap();
            c.quit().unwrap();
        }
    });
    let tops = downloaded(&r.events);
    assert_eq!(tops[0], b"From: a@example.com\r\nSubject: one\r\n\r\nHello\r\n");
    assert_eq!(tops[1], b"Subject: lf only\r\n\r\n");
    assert_eq!(tops[3], b"Subject: big\r\n\r\n0123456789 .abcdef\r\n0123456789 .abcdef\r\n");
    assert!(r.events.iter().any(|e| matches!(e, ClientEvent::Scan(l) if l.msg == 3 && l.size == 23)));
    assert!(r.events.iter().any(|e| matches!(e, ClientEvent::UniqueId(u) if u.uid == "uid-1")));
    assert!(
        r.events.iter().any(
            |e| matches!(e, ClientEvent::Refused { response, .. } if response.text == "no such message")
        )
    );
    // Nothing was deleted.
    assert!(app.removed.is_empty());
}

#[test]
fn a_long_initial_response_waits_for_the_empty_challenge() {
    // A 300-character token makes `AUTH XOAUTH2 <ir>` longer than 255.
    let token = "t".repeat(300);
    let mut cc = ClientConfig::new(Credentials::bearer_token("mrose", token.clone()));
    cc.tls_active = true;
    let mut sc = ServerConfig::new("pop.example");
    sc.tls_active = true;
    sc.sasl_mechanisms = vec![Mechanism::XOAuth2];
    let mut app = App::new(messages());
    app.password = token;
    let mut c = ClientSession::new(cc);
    let mut s = ServerSession::new(sc);
    let r = run(&mut c, &mut s, &mut app, 4096, |c, e| {
        if let ClientEvent::Ready { .. } = e {
            c.quit().unwrap();
        }
    });
    assert!(r.to_server.iter().any(|b| b == b"AUTH XOAUTH2\r\n"));
    assert!(r.to_server.iter().all(|b| b.len() <= 255 || !b.starts_with(b"AUTH")));
    assert!(r.events.contains(&ClientEvent::Authenticated(AuthMethod::Sasl(Mechanism::XOAuth2))));
}

#[test]
fn stls_discards_what_was_sent_with_it_in_the_clear() {
    let mut s = ServerSession::new(tls_server());
    s.greet();
    s.poll_transmit();
    // An attacker appends a command to the client's STLS.
    s.feed(b"STLS\r\nUSER mrose\r\n");
    assert_eq!(s.poll_event(), Some(ServerEvent::StartTls));
    assert_eq!(s.poll_transmit().unwrap(), b"+OK Begin TLS negotiation\r\n");
    s.tls_established().unwrap();
    assert_eq!(s.poll_transmit(), None, "the injected USER was answered");
    s.feed(b"CAPA\r\n");
    let capa = String::from_utf8(s.poll_transmit().unwrap()).unwrap();
    assert!(!capa.contains("STLS"));
    assert!(capa.contains("SASL SCRAM-SHA-256 PLAIN LOGIN CRAM-MD5\r\n"));

    // And the client drops what the server sent after its +OK.
    let mut c = ClientSession::new(client_config());
    c.feed(b"+OK ready\r\n+OK\r\nSTLS\r\n.\r\n");
    c.feed(b"+OK begin\r\n+OK injected\r\n");
    let events: Vec<_> = std::iter::from_fn(|| c.poll_event()).collect();
    assert_eq!(events.last(), Some(&ClientEvent::StartTls));
    c.tls_established().unwrap();
    let sent: Vec<u8> = std::iter::from_fn(|| c.poll_transmit()).flatten().collect();
    assert_eq!(sent, b"CAPA\r\nSTLS\r\nCAPA\r\n");
    assert_eq!(c.poll_event(), None);
}

#[test]
fn stls_required_but_not_offered_fails() {
    let mut cc = client_config();
    cc.stls = StartTls::Required;
    let mut sc = tls_server();
    sc.stls = false;
    let mut app = App::new(messages());
    let mut c = ClientSession::new(cc);
    let mut s = ServerSession::new(sc);
    let r = run(&mut c, &mut s, &mut app, 4096, |_, _| {});
    assert!(r.events.contains(&ClientEvent::Failed(ClientError::StlsNotOffered)));
}

#[test]
fn too_many_bad_commands_or_failed_logins_close_the_session() {
    let mut s = ServerSession::new(ServerConfig::new("pop.example"));
    s.greet();
    for _ in 0..9 {
        s.feed(b"XYZZY\r\n");
    }
    assert!(!s.is_closed());
    s.feed(b"XYZZY\r\n");
    assert!(s.is_closed());
    let wire = String::from_utf8(s.poll_transmit().unwrap()).unwrap();
    assert!(wire.ends_with("-ERR Too many bad commands, closing\r\n"));

    let mut config = ServerConfig::new("pop.example");
    config.plaintext_without_tls = true;
    let mut s = ServerSession::new(config);
    s.greet();
    for i in 0..3 {
        s.feed(b"USER u\r\nPASS p\r\n");
        let Some(ServerEvent::VerifyPassword { .. }) = s.poll_event() else { panic!("no check {i}") };
        s.auth_password(false).unwrap();
    }
    assert!(s.is_closed());
    assert_eq!(s.poll_event(), Some(ServerEvent::Closed));
}

#[test]
fn out_of_order_calls_are_errors() {
    let mut c = ClientSession::new(client_config());
    assert_eq!(c.stat(), Err(ClientError::NotReady));
    assert_eq!(c.tls_established(), Err(ClientError::NotReady));
    assert!(matches!(c.retr(0), Err(ClientError::InvalidArgument(_))));
    let mut s = ServerSession::new(ServerConfig::new("pop.example"));
    assert!(s.accept().is_err());
    assert!(s.message(b"x").is_err());
    assert!(s.open_maildrop(vec![]).is_err());
    assert!(s.auth_password(true).is_err());
    assert!(s.tls_established().is_err());
}

#[test]
fn utf8_and_lang() {
    use mailwire_pop3::response::Language;
    let mut sc = tls_server();
    sc.utf8 = true;
    sc.languages = vec![
        Language { tag: "en".into(), description: "English".into() },
        Language { tag: "fr".into(), description: "Français".into() },
    ];
    let mut cc = client_config();
    cc.utf8 = true;
    let mut app = App::new(messages());
    let mut c = ClientSession::new(cc);
    let mut s = ServerSession::new(sc);
    let r = run(&mut c, &mut s, &mut app, 4096, |c, e| {
        if let ClientEvent::Ready { capabilities } = e {
            assert!(capabilities.as_ref().unwrap().lang);
            c.lang(None).unwrap();
            c.lang(Some("FR")).unwrap();
            c.lang(Some("de")).unwrap();
            c.quit().unwrap();
        }
    });
    assert!(r.to_server.iter().any(|b| b == b"UTF8\r\n"));
    assert!(s.is_utf8());
    assert_eq!(s.language(), Some("fr"));
    assert!(
        r.events.iter().any(
            |e| matches!(e, ClientEvent::Languages(l) if l.len() == 2 && l[1].description == "Français")
        )
    );
    assert!(
        r.events
            .iter()
            .any(|e| matches!(e, ClientEvent::Refused { command, .. } if command.to_string() == "LANG de"))
    );
    assert!(matches!(
        c.lang(Some("not a tag")),
        Err(ClientError::InvalidArgument(_)) | Err(ClientError::NotReady)
    ));
}

#[test]
fn each_auth_of_a_session_gets_its_own_scram_nonce() {
    let mut s = ServerSession::new(tls_server());
    s.greet();
    s.poll_transmit();
    let mut server_firsts = Vec::new();
    for _ in 0..2 {
        // client-first "n,,n=mrose,r=abc", then cancel.
        s.feed(b"AUTH SCRAM-SHA-256 biwsbj1tcm9zZSxyPWFiYw==\r\n");
        let Some(ServerEvent::NeedSecret { username, .. }) = s.poll_event() else { panic!("no NeedSecret") };
        assert_eq!(username, "mrose");
        s.auth_scram(Some(App::new(vec![]).scram)).unwrap();
        let line = String::from_utf8(s.poll_transmit().unwrap()).unwrap();
        let b64 = line.strip_prefix("+ ").unwrap().trim_end();
        server_firsts.push(String::from_utf8(base64_simd::STANDARD.decode_to_vec(b64).unwrap()).unwrap());
        s.feed(b"*\r\n");
        assert_eq!(s.poll_transmit().unwrap(), b"-ERR Authentication cancelled\r\n");
    }
    assert!(server_firsts[0].starts_with("r=abc"));
    assert_ne!(server_firsts[0], server_firsts[1], "the same SCRAM nonce was used twice");
}
