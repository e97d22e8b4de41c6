//! RFC 1939 §10's example session, both sides: our server answers the
//! RFC's client lines with the RFC's server lines, and our client, fed the
//! RFC's server lines, sends the RFC's client lines.

use mailwire_pop3::client::{AuthMethod, ClientConfig, ClientEvent, ClientSession};
use mailwire_pop3::server::{MessageInfo, ServerConfig, ServerEvent, ServerSession};
use mailwire_sasl::Credentials;

const TIMESTAMP: &str = "<1896.697170952@dbc.mtview.ca.us>";

/// Two messages of 120 and 200 octets, as in the RFC.
fn messages() -> [Vec<u8>; 2] {
    let make = |n: usize, size: usize| {
        let mut m = format!("Subject: message {n}\r\n\r\n").into_bytes();
        while m.len() < size - 2 {
            m.push(b'x');
        }
        m.extend_from_slice(b"\r\n");
        assert_eq!(m.len(), size);
        m
    };
    [make(1, 120), make(2, 200)]
}

/// What the server sends for a RETR of `m`: the status line, the message,
/// the end.
fn retr_answer(m: &[u8]) -> String {
    format!("+OK {} octets\r\n{}.\r\n", m.len(), String::from_utf8_lossy(m))
}

#[test]
fn our_server_answers_the_rfc_client() {
    let msgs = messages();
    let mut config = ServerConfig::new("dewey");
    config.apop_timestamp = Some(TIMESTAMP.into());
    config.greeting = Some("POP3 server ready".into());
    let mut s = ServerSession::new(config);
    s.greet();
    let mut dialogue: Vec<(&str, String)> = vec![
        (
            "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
            "+OK mrose's maildrop has 2 messages (320 octets)\r\n".into(),
        ),
        ("STAT\r\n", "+OK 2 320\r\n".into()),
        ("LIST\r\n", "+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n".into()),
        ("RETR 1\r\n", retr_answer(&msgs[0])),
        ("DELE 1\r\n", "+OK message 1 deleted\r\n".into()),
        ("RETR 2\r\n", retr_answer(&msgs[1])),
        ("DELE 2\r\n", "+OK message 2 deleted\r\n".into()),
        ("QUIT\r\n", "+OK dewey POP3 server signing off (maildrop empty)\r\n".into()),
    ];
    dialogue.reverse();
    let greeting = s.poll_transmit().unwrap();
    assert_eq!(greeting, format!("+OK POP3 server ready {TIMESTAMP}\r\n").as_bytes());
    let mut removed = Vec::new();
    while let Some((line, expected)) = dialogue.pop() {
        s.feed(line.as_bytes());
        while let Some(event) = s.poll_event() {
            match event {
                ServerEvent::ApopSecret { username } => {
                    assert_eq!(username, "mrose");
                    s.auth_apop(Some("tanstaaf")).unwrap();
                }
                ServerEvent::OpenMaildrop { username, .. } => {
                    assert_eq!(username, "mrose");
                    let list = msgs
                        .iter()
                        .enumerate()
                        .map(|(i, m)| MessageInfo::new(m.len() as u64, format!("u{i}")).unwrap());
                    s.open_maildrop(list.collect()).unwrap();
                }
                ServerEvent::Retrieve { index, top: None, .. } => s.message(&msgs[index]).unwrap(),
                ServerEvent::Update { deleted } => {
                    removed = deleted.iter().map(|d| d.uid.clone()).collect();
                    s.accept().unwrap();
                }
                ServerEvent::Closed => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        let sent = s.poll_transmit().unwrap_or_default();
        assert_eq!(String::from_utf8_lossy(&sent), expected, "answer to {line:?}");
    }
    assert_eq!(removed, ["u0", "u1"]);
    assert!(s.is_closed());
}

#[test]
fn our_client_speaks_the_rfc_client_lines() {
    let msgs = messages();
    let mut config = ClientConfig::new(Credentials::password("mrose", "tanstaaf"));
    // No TLS here; APOP does not send the secret anyway.
    config.use_user = false;
    let mut c = ClientSession::new(config);
    let server: Vec<String> = vec![
        format!("+OK POP3 server ready {TIMESTAMP}\r\n"),
        // The RFC predates CAPA.
        "-ERR unknown command\r\n".into(),
        "+OK mrose's maildrop has 2 messages (320 octets)\r\n".into(),
        "+OK 2 320\r\n".into(),
        "+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n".into(),
        retr_answer(&msgs[0]),
        "+OK message 1 deleted\r\n".into(),
        retr_answer(&msgs[1]),
        "+OK message 2 deleted\r\n".into(),
        "+OK dewey POP3 server signing off (maildrop empty)\r\n".into(),
    ];
    let mut sent = String::new();
    let mut got: Vec<Vec<u8>> = vec![Vec::new(), Vec::new()];
    let mut events = Vec::new();
    for chunk in &server {
        c.feed(chunk.as_bytes());
        while let Some(event) = c.poll_event() {
            match &event {
                ClientEvent::Ready { capabilities } => {
                    assert_eq!(capabilities, &None);
                    c.stat().unwrap();
                }
                ClientEvent::Stat { count: 2, size: 320 } => c.list(None).unwrap(),
                ClientEvent::Listing(l) => {
                    assert_eq!(l.iter().map(|s| (s.msg, s.size)).collect::<Vec<_>>(), [(1, 120), (2, 200)]);
                    c.retr(1).unwrap();
                }
                ClientEvent::MessageData { msg, data } => got[*msg as usize - 1].extend_from_slice(data),
                ClientEvent::MessageEnd { msg } => c.dele(*msg).unwrap(),
                ClientEvent::Done { command, .. } => match command.to_string().as_str() {
                    "DELE 1" => c.retr(2).unwrap(),
                    "DELE 2" => c.quit().unwrap(),
                    "QUIT" => {}
                    other => panic!("unexpected Done for {other}"),
                },
                _ => {}
            }
            events.push(event);
        }
        while let Some(bytes) = c.poll_transmit() {
            sent.push_str(&String::from_utf8(bytes).unwrap());
        }
    }
    assert_eq!(
        sent,
        "CAPA\r\nAPOP mrose c4c9334bac560ecc979e58001b3e22fb\r\nSTAT\r\nLIST\r\nRETR 1\r\nDELE 1\r\nRETR 2\r\nDELE 2\r\nQUIT\r\n"
    );
    assert_eq!(got, msgs);
    assert!(events.contains(&ClientEvent::Authenticated(AuthMethod::Apop)));
    assert_eq!(events.last(), Some(&ClientEvent::Closed));
    assert!(c.is_closed());
}

/// RFC 1939 §5-7's per-command examples that answer -ERR.
#[test]
fn the_rfc_refusals() {
    let mut config = ServerConfig::new("dewey");
    config.plaintext_without_tls = true;
    let mut s = ServerSession::new(config);
    s.greet();
    s.poll_transmit();
    let answer = |s: &mut ServerSession, line: &str| {
        s.feed(line.as_bytes());
        while let Some(event) = s.poll_event() {
            match event {
                ServerEvent::VerifyPassword { password, .. } => {
                    s.auth_password(password == "secret").unwrap()
                }
                ServerEvent::OpenMaildrop { .. } => s
                    .open_maildrop(vec![
                        MessageInfo::new(120, "a").unwrap(),
                        MessageInfo::new(200, "b").unwrap(),
                    ])
                    .unwrap(),
                ServerEvent::Update { .. } => s.accept().unwrap(),
                _ => {}
            }
        }
        String::from_utf8(s.poll_transmit().unwrap_or_default()).unwrap()
    };
    assert_eq!(answer(&mut s, "STAT\r\n"), "-ERR Not allowed before login\r\n");
    assert_eq!(answer(&mut s, "PASS secret\r\n"), "-ERR No username given; send USER first\r\n");
    assert_eq!(answer(&mut s, "USER frated\r\n"), "+OK\r\n");
    assert_eq!(answer(&mut s, "PASS wrong\r\n"), "-ERR [AUTH] Authentication failed\r\n");
    // PASS must follow USER immediately.
    assert_eq!(answer(&mut s, "USER frated\r\n"), "+OK\r\n");
    assert_eq!(answer(&mut s, "NOOP\r\n"), "+OK\r\n");
    assert_eq!(answer(&mut s, "PASS secret\r\n"), "-ERR No username given; send USER first\r\n");
    assert_eq!(
        answer(&mut s, "USER frated\r\nPASS secret\r\n"),
        "+OK\r\n+OK frated's maildrop has 2 messages (320 octets)\r\n"
    );
    assert_eq!(answer(&mut s, "LIST 3\r\n"), "-ERR no such message\r\n");
    assert_eq!(answer(&mut s, "DELE 1\r\n"), "+OK message 1 deleted\r\n");
    assert_eq!(answer(&mut s, "DELE 1\r\n"), "-ERR message 1 already deleted\r\n");
    assert_eq!(answer(&mut s, "RETR 1\r\n"), "-ERR message 1 already deleted\r\n");
    assert_eq!(answer(&mut s, "STAT\r\n"), "+OK 1 200\r\n");
    assert_eq!(answer(&mut s, "LIST\r\n"), "+OK 1 message (200 octets)\r\n2 200\r\n.\r\n");
    assert_eq!(answer(&mut s, "RSET\r\n"), "+OK maildrop has 2 messages (320 octets)\r\n");
    assert_eq!(answer(&mut s, "UIDL\r\n"), "+OK\r\n1 a\r\n2 b\r\n.\r\n");
    assert_eq!(answer(&mut s, "UIDL 2\r\n"), "+OK 2 b\r\n");
    assert_eq!(answer(&mut s, "USER again\r\n"), "-ERR Not allowed after login\r\n");
    assert_eq!(answer(&mut s, "QUIT\r\n"), "+OK dewey POP3 server signing off (2 messages left)\r\n");
    assert!(s.is_closed());
}
