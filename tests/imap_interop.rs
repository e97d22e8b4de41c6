//! mailwire-imap's client against Dovecot on 127.0.0.1 (one Dovecot for
//! this test binary, a user of its own per test): every message fetched
//! byte-exact, ENVELOPE and BODYSTRUCTURE parsed for all, flags stored and
//! read back, APPEND + MOVE + EXPUNGE seen from a second connection, IDLE
//! receiving the EXISTS of a message appended by another connection, and
//! the `imap_client` example end to end.
//!
//! Dovecot is started by `scripts/dovecot.sh` (needs root and the
//! `dovecot-imapd` package). Missing, the tests skip loudly, or fail
//! under `CI=true`.

#[path = "../examples/net/mod.rs"]
mod net;
mod support_peers;

use std::time::{Duration, Instant};

use mailwire_imap::client::{ClientConfig, ClientEvent, StartTls};
use mailwire_imap::command::{CommandBody, FetchAttribute, FetchItems, SelectParams, StoreAction, StoreKind};
use mailwire_imap::flag::Flag;
use mailwire_imap::mailbox::Mailbox;
use mailwire_imap::response::{Data, FetchItem, StatusKind};
use mailwire_imap::section::Section;
use mailwire_imap::sequence::SequenceSet;
use mailwire_imap::string::Str;
use mailwire_sasl::Credentials;
use net::imap::{ImapClient, Target};
use support_peers::dovecot::{self, MailUser};

fn dovecot_or_skip(test: &str) -> Option<&'static dovecot::Dovecot> {
    support_peers::require(test, "Dovecot (root, dovecot-imapd)", dovecot::available()).then(dovecot::shared)
}

/// A logged-in client of `user` over STARTTLS (PLAIN), streaming literals
/// above `stream_threshold`.
fn connect(d: &dovecot::Dovecot, user: &MailUser, stream_threshold: u64) -> ImapClient {
    let tls = net::client_config(Some(&d.ca)).expect("TLS config");
    let target = Target {
        addr: format!("127.0.0.1:{}", d.imap),
        tls_name: "localhost".into(),
        implicit_tls: false,
        tls,
    };
    let mut config = ClientConfig::new(Some(Credentials::password(user.name.as_str(), user.pass.as_str())));
    config.starttls = StartTls::Required;
    config.stream_threshold = stream_threshold;
    let client = ImapClient::connect(&target, config).expect("connect and log in to Dovecot");
    assert!(client.session.is_tls(), "STARTTLS was required");
    client
}

fn select(client: &mut ImapClient, name: &str) {
    let body = CommandBody::Select { mailbox: Mailbox::new(name), params: SelectParams::default() };
    client.run(body).expect("SELECT");
}

fn fetch(
    client: &mut ImapClient,
    uid: bool,
    set: &str,
    items: Vec<FetchAttribute>,
) -> Vec<(u32, Vec<FetchItem>)> {
    let set: SequenceSet = set.parse().expect("sequence set");
    let body =
        CommandBody::Fetch { uid, set, items: FetchItems::List(items), changed_since: None, vanished: false };
    let reply = client.run(body).expect("FETCH");
    reply
        .data
        .into_iter()
        .filter_map(|d| match d {
            Data::Fetch { seq, items } => Some((u32::from(seq), items)),
            _ => None,
        })
        .collect()
}

fn crlf(text: &str) -> Vec<u8> {
    text.replace("\r\n", "\n").replace('\n', "\r\n").into_bytes()
}

/// Messages with what their ENVELOPE subject and BODYSTRUCTURE part count
/// must be.
fn corpus() -> Vec<(Vec<u8>, &'static str, usize)> {
    let mut big = String::from("From: big@example.org\nTo: you@example.net\nSubject: big one\n\n");
    for i in 0..20_000 {
        big.push_str(&format!("line {i} of a long message, with some text to make it wide\n"));
    }
    vec![
        (
            crlf(
                "From: Ann <ann@example.org>\nTo: bob@example.net\nSubject: plain\nMessage-ID: <1@example.org>\n\nhello\n.\n..dots\n",
            ),
            "plain",
            1,
        ),
        (
            crlf(
                "From: \"Smith, J\" <js@example.org>\nTo: a@example.net, \"B\" <b@example.net>\nCc: Team: c@example.net, d@example.net;\nSubject: =?UTF-8?Q?caf=C3=A9?= {5}\nDate: Mon, 7 Feb 1994 21:52:25 -0800\nIn-Reply-To: <0@example.org>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\npreamble\n--b1\nContent-Type: multipart/alternative; boundary=\"b2\"\n\n--b2\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\ncafé\n--b2\nContent-Type: text/html; charset=utf-8\n\n<p>café</p>\n--b2--\n--b1\nContent-Type: application/pdf; name=\"r.pdf\"\nContent-Disposition: attachment; filename=\"r.pdf\"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b1--\n",
            ),
            "=?UTF-8?Q?caf=C3=A9?= {5}",
            2,
        ),
        (
            crlf(
                "From: x@example.org\nSubject: forwarded\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\nFrom: inner@example.org\nSubject: inner\n\ninner body\n",
            ),
            "forwarded",
            1,
        ),
        (crlf("From: y@example.org\nSubject: \"quoted\" \\ back\n\n"), "\"quoted\" \\ back", 1),
        (crlf("Subject: no from\n\nFrom the start of a line\n"), "no from", 1),
        (crlf(&big), "big one", 1),
    ]
}

fn body_section(items: &[FetchItem]) -> Option<&[u8]> {
    items.iter().find_map(|i| match i {
        FetchItem::BodySection { data: Some(d), .. } => Some(d.as_bytes()),
        _ => None,
    })
}

fn uid_of(items: &[FetchItem]) -> u32 {
    items
        .iter()
        .find_map(|i| match i {
            FetchItem::Uid(u) => Some(u32::from(*u)),
            _ => None,
        })
        .expect("UID in FETCH")
}

#[test]
fn every_message_byte_exact_with_envelope_and_bodystructure() {
    let Some(d) = dovecot_or_skip("every_message_byte_exact_with_envelope_and_bodystructure") else { return };
    let user = d.new_user("imap-fetch");
    let corpus = corpus();
    for (bytes, _, _) in &corpus {
        user.deliver(None, bytes);
    }
    // Nothing streams here: every BODY[] comes in its FETCH.
    let mut client = connect(d, &user, 16 << 20);
    select(&mut client, "INBOX");
    assert_eq!(client.session.mailbox().exists as usize, corpus.len());
    assert!(client.session.mailbox().uid_validity.is_some());
    let items = vec![
        FetchAttribute::Uid,
        FetchAttribute::Flags,
        FetchAttribute::Rfc822Size,
        FetchAttribute::Envelope,
        FetchAttribute::BodyStructure,
        FetchAttribute::BodySection { section: Section::whole(), partial: None, peek: true },
    ];
    let fetched = fetch(&mut client, false, "1:*", items);
    assert_eq!(fetched.len(), corpus.len());
    for ((seq, items), (bytes, subject, parts)) in fetched.iter().zip(&corpus) {
        let body = body_section(items).unwrap_or_else(|| panic!("message {seq}: no BODY[]"));
        assert_eq!(body, &bytes[..], "message {seq}: BODY[] differs from the delivered file");
        let size = items.iter().find_map(|i| match i {
            FetchItem::Rfc822Size(n) => Some(*n),
            _ => None,
        });
        assert_eq!(size, Some(bytes.len() as u64), "message {seq}: RFC822.SIZE");
        let envelope = items
            .iter()
            .find_map(|i| match i {
                FetchItem::Envelope(e) => Some(e),
                _ => None,
            })
            .unwrap_or_else(|| panic!("message {seq}: no ENVELOPE"));
        let got = envelope.subject.as_ref().map(|s| s.to_string_lossy().into_owned());
        assert_eq!(got.as_deref(), Some(*subject), "message {seq}: ENVELOPE subject");
        let structure = items
            .iter()
            .find_map(|i| match i {
                FetchItem::BodyStructure(b) => Some(b),
                _ => None,
            })
            .unwrap_or_else(|| panic!("message {seq}: no BODYSTRUCTURE"));
        assert_eq!(structure.parts().len().max(1), *parts, "message {seq}: parts of {structure:?}");
    }
    // The multipart one, in detail: From with a comma in the name, a group
    // in Cc, In-Reply-To.
    let env = fetched[1]
        .1
        .iter()
        .find_map(|i| match i {
            FetchItem::Envelope(e) => Some(e.clone()),
            _ => None,
        })
        .expect("envelope");
    assert_eq!(
        env.from[0].name.as_ref().map(|s| s.to_string_lossy().into_owned()).as_deref(),
        Some("Smith, J")
    );
    assert_eq!(env.to.len(), 2);
    assert_eq!(env.in_reply_to.as_ref().map(|s| s.as_bytes().to_vec()), Some(b"<0@example.org>".to_vec()));
    client.logout().expect("LOGOUT");
}

#[test]
fn large_literals_stream_in_chunks() {
    let Some(d) = dovecot_or_skip("large_literals_stream_in_chunks") else { return };
    let user = d.new_user("imap-stream");
    let mut big = crlf("From: big@example.org\nSubject: stream\n\n");
    while big.len() < 3 << 20 {
        big.extend_from_slice(
            b"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n",
        );
    }
    user.deliver(None, &big);
    user.deliver(None, &crlf("Subject: small\n\nsmall\n"));
    // Literals over 64 KiB stream; the small one comes whole.
    let mut client = connect(d, &user, 64 << 10);
    select(&mut client, "INBOX");
    let set: SequenceSet = "1:2".parse().expect("set");
    let items = FetchItems::List(vec![
        FetchAttribute::Uid,
        FetchAttribute::BodySection { section: Section::whole(), partial: None, peek: true },
    ]);
    let body = CommandBody::Fetch { uid: false, set, items, changed_since: None, vanished: false };
    let (mut streamed, mut chunks, mut starts, mut ends) = (Vec::new(), 0, 0, 0);
    let reply = client
        .run_with(body, &mut |event| match event {
            ClientEvent::LiteralStart { seq, item, length } => {
                starts += 1;
                assert_eq!((*seq, &item[..], *length), (1, &b"BODY[]"[..], big.len() as u64));
            }
            ClientEvent::LiteralData(chunk) => {
                chunks += 1;
                streamed.extend_from_slice(chunk);
            }
            ClientEvent::LiteralEnd => ends += 1,
            _ => {}
        })
        .expect("FETCH");
    assert_eq!((starts, ends), (1, 1));
    assert!(chunks > 1, "3 MiB came in {chunks} chunk(s)");
    assert!(streamed == big, "the streamed body differs ({} vs {} bytes)", streamed.len(), big.len());
    let fetches: Vec<_> = reply.data.iter().filter(|d| matches!(d, Data::Fetch { .. })).collect();
    assert_eq!(fetches.len(), 2);
    if let Data::Fetch { items, .. } = fetches[0] {
        assert_eq!(body_section(items), Some(&b""[..]), "the streamed literal is empty in the FETCH");
    }
    if let Data::Fetch { items, .. } = fetches[1] {
        assert_eq!(body_section(items), Some(&crlf("Subject: small\n\nsmall\n")[..]));
    }
}

#[test]
fn flags_stored_and_read_back() {
    let Some(d) = dovecot_or_skip("flags_stored_and_read_back") else { return };
    let user = d.new_user("imap-flags");
    for i in 0..3 {
        user.deliver(None, &crlf(&format!("Subject: m{i}\n\nbody {i}\n")));
    }
    let mut client = connect(d, &user, 1 << 20);
    select(&mut client, "INBOX");
    let keyword = Flag::new("$Work").expect("keyword");
    let store = |uid: bool, set: &str, action: StoreAction, flags: Vec<Flag>| CommandBody::Store {
        uid,
        set: set.parse().expect("set"),
        action,
        silent: false,
        kind: StoreKind::Flags(flags),
        unchanged_since: None,
    };
    client
        .run(store(false, "1:2", StoreAction::Add, vec![Flag::Flagged, keyword.clone()]))
        .expect("STORE +FLAGS");
    client.run(store(false, "2", StoreAction::Remove, vec![Flag::Flagged])).expect("STORE -FLAGS");
    let uid3 = {
        let f = fetch(&mut client, false, "3", vec![FetchAttribute::Uid]);
        uid_of(&f[0].1)
    };
    client
        .run(store(true, &uid3.to_string(), StoreAction::Replace, vec![Flag::Seen, Flag::Answered]))
        .expect("UID STORE");

    // Read back on a second connection, so nothing comes from a cache.
    let mut other = connect(d, &user, 1 << 20);
    select(&mut other, "INBOX");
    let flags: Vec<Vec<Flag>> = fetch(&mut other, false, "1:*", vec![FetchAttribute::Flags])
        .into_iter()
        .map(|(_, items)| {
            items
                .into_iter()
                .find_map(|i| match i {
                    FetchItem::Flags(f) => Some(f.into_iter().filter(|f| *f != Flag::Recent).collect()),
                    _ => None,
                })
                .expect("FLAGS")
        })
        .collect();
    let has = |v: &Vec<Flag>, f: &Flag| v.contains(f);
    assert!(has(&flags[0], &Flag::Flagged) && has(&flags[0], &keyword), "{:?}", flags[0]);
    assert!(!has(&flags[1], &Flag::Flagged) && has(&flags[1], &keyword), "{:?}", flags[1]);
    assert!(
        has(&flags[2], &Flag::Seen) && has(&flags[2], &Flag::Answered) && flags[2].len() == 2,
        "{:?}",
        flags[2]
    );
}

#[test]
fn append_move_expunge_seen_by_a_second_connection() {
    let Some(d) = dovecot_or_skip("append_move_expunge_seen_by_a_second_connection") else { return };
    let user = d.new_user("imap-append");
    let mut a = connect(d, &user, 1 << 20);
    let message = crlf("From: a@example.org\nSubject: appended\n\nappended body {3}\nwith a brace\n");
    let append = CommandBody::Append {
        mailbox: Mailbox::Inbox,
        flags: vec![Flag::Draft],
        date: None,
        message: Str::from(message.clone()),
    };
    let reply = a.run(append).expect("APPEND");
    assert!(reply.status.code.is_some(), "UIDPLUS: APPENDUID expected in {:?}", reply.status);
    a.run(CommandBody::Create { mailbox: Mailbox::new("Archive"), special_use: Vec::new() }).expect("CREATE");
    select(&mut a, "INBOX");
    assert_eq!(a.session.mailbox().exists, 1);
    let moved = a
        .run(CommandBody::Move {
            uid: false,
            set: "1".parse().expect("set"),
            mailbox: Mailbox::new("Archive"),
        })
        .expect("MOVE");
    assert!(
        moved.data.iter().any(|d| matches!(d, Data::Expunge(_) | Data::Vanished { .. })),
        "MOVE expunges"
    );
    assert_eq!(a.session.mailbox().exists, 0);

    // B sees the message in Archive, byte-exact, with its flag.
    let mut b = connect(d, &user, 1 << 20);
    select(&mut b, "Archive");
    assert_eq!(b.session.mailbox().exists, 1);
    let f = fetch(
        &mut b,
        false,
        "1",
        vec![
            FetchAttribute::Flags,
            FetchAttribute::BodySection { section: Section::whole(), partial: None, peek: true },
        ],
    );
    assert_eq!(body_section(&f[0].1), Some(&message[..]));
    assert!(f[0].1.iter().any(|i| matches!(i, FetchItem::Flags(fl) if fl.contains(&Flag::Draft))));

    // A deletes it from Archive; B's NOOP brings the EXPUNGE.
    select(&mut a, "Archive");
    let store = CommandBody::Store {
        uid: false,
        set: "1".parse().expect("set"),
        action: StoreAction::Add,
        silent: true,
        kind: StoreKind::Flags(vec![Flag::Deleted]),
        unchanged_since: None,
    };
    a.run(store).expect("STORE \\Deleted");
    a.run(CommandBody::Expunge).expect("EXPUNGE");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = b.run(CommandBody::Noop).expect("NOOP");
        if reply.data.iter().any(|d| matches!(d, Data::Expunge(n) if u32::from(*n) == 1)) {
            break;
        }
        assert!(Instant::now() < deadline, "B never saw the EXPUNGE");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(b.session.mailbox().exists, 0);
}

#[test]
fn idle_receives_the_exists_of_a_message_appended_elsewhere() {
    let Some(d) = dovecot_or_skip("idle_receives_the_exists_of_a_message_appended_elsewhere") else { return };
    let user = d.new_user("imap-idle");
    user.deliver(None, &crlf("Subject: first\n\none\n"));
    let mut a = connect(d, &user, 1 << 20);
    select(&mut a, "INBOX");
    assert_eq!(a.session.mailbox().exists, 1);

    let appender = {
        let mut b = connect(d, &user, 1 << 20);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(500));
            let append = CommandBody::Append {
                mailbox: Mailbox::Inbox,
                flags: Vec::new(),
                date: None,
                message: Str::from(crlf("Subject: second\n\ntwo\n")),
            };
            b.run(append).expect("APPEND from B");
        })
    };
    let mut exists = None;
    a.idle(Duration::from_secs(20), &mut |data| {
        if let Data::Exists(n) = data {
            exists = Some(*n);
            return false;
        }
        true
    })
    .expect("IDLE");
    appender.join().expect("appender");
    assert_eq!(exists, Some(2), "IDLE brought no EXISTS for the appended message");
    assert_eq!(a.session.mailbox().exists, 2);
    let done = a.run(CommandBody::Noop).expect("NOOP after IDLE");
    assert_eq!(done.status.kind, StatusKind::Ok);
}

#[test]
fn the_imap_client_example_end_to_end() {
    let Some(d) = dovecot_or_skip("the_imap_client_example_end_to_end") else { return };
    let user = d.new_user("imap-example");
    for (bytes, _, _) in corpus() {
        user.deliver(None, &bytes);
    }
    let scratch = support_peers::Scratch::new("imap-example");
    let out = scratch.join("downloaded.eml");
    let mut cmd = std::process::Command::new(support_peers::example("imap_client"));
    cmd.args(["--server", &format!("127.0.0.1:{}", d.imap), "--user", &user.name, "--pass", &user.pass])
        .args(["--ca", &d.ca.display().to_string(), "--tls-name", "localhost", "--starttls"])
        .args(["--newest", "3", "--download", "1", "--out", &out.display().to_string()])
        .args(["--search", "SUBJECT \"plain\"", "--idle", "1"]);
    let output = support_peers::run_with_limit(cmd, Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "imap_client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("logged in (TLS: true)"), "{stdout}");
    assert!(stdout.contains("mailbox \"INBOX\""), "{stdout}");
    assert!(stdout.contains(&format!("selected INBOX: {} messages", corpus().len())), "{stdout}");
    assert_eq!(stdout.matches("\nmessage ").count(), 3, "{stdout}");
    assert!(stdout.contains("search SUBJECT \"plain\": 1 found: 1"), "{stdout}");
    assert!(stdout.contains("logged out"), "{stdout}");
    assert_eq!(std::fs::read(&out).expect("downloaded file"), corpus()[0].0);
}

#[test]
fn the_imap_client_example_over_implicit_tls() {
    let Some(d) = dovecot_or_skip("the_imap_client_example_over_implicit_tls") else { return };
    let user = d.new_user("imap-imaps");
    user.deliver(None, &crlf("From: a@example.org\nSubject: over imaps\n\nbody\n"));
    let mut cmd = std::process::Command::new(support_peers::example("imap_client"));
    cmd.args(["--server", &format!("127.0.0.1:{}", d.imaps), "--user", &user.name, "--pass", &user.pass])
        .args(["--ca", &d.ca.display().to_string(), "--tls-name", "localhost", "--tls", "--newest", "1"]);
    let output = support_peers::run_with_limit(cmd, Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "imap_client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("logged in (TLS: true)"), "{stdout}");
    assert!(stdout.contains("subject: over imaps"), "{stdout}");
}
