//! Our POP3 client (the `pop3_fetch` example, built on
//! `mailwire_pop3::client`) against Dovecot's POP3 server on loopback:
//! plaintext USER/PASS, STLS with SASL PLAIN, and implicit TLS; every
//! message compared byte for byte with the file Dovecot serves; UIDL state
//! across runs; `--delete`; mbox output.
//!
//! Dovecot is started once for this test binary (see
//! `support_peers/dovecot.rs`); each test has its own user and Maildir.
//! Without Dovecot (or not as root) the tests print `SKIP:`, and fail
//! under `CI=true`.

mod support_peers;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support_peers::dovecot::{self, MailUser};
use support_peers::{Scratch, example, require, run_with_limit};

fn dovecot_or_skip(test: &str) -> Option<&'static dovecot::Dovecot> {
    require(test, "dovecot (run as root; scripts/install-peers.sh)", dovecot::available())
        .then(dovecot::shared)
}

/// `count` messages with what breaks naive clients: lines that start with
/// dots, `From ` lines, 8-bit text, an empty body, long lines, one large
/// message. CRLF line ends, as Dovecot serves them unchanged.
fn messages(seed: u64, count: usize) -> Vec<Vec<u8>> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    (0..count)
        .map(|i| {
            let mut m = format!(
                "From: Sender {i} <s{i}@example.com>\r\nTo: rcpt@example.org\r\nSubject: test {seed}/{i}\r\n\
                 Message-ID: <{seed}.{i}@example.com>\r\nMIME-Version: 1.0\r\n\
                 Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            )
            .into_bytes();
            let lines = match i % 5 {
                0 => 0,
                4 if i == 4 => 20_000,
                _ => 1 + next() % 40,
            };
            for l in 0..lines {
                let line = match next() % 7 {
                    0 => ".".to_string(),
                    1 => format!("..leading dots {l}"),
                    2 => format!("From the desk of {l}"),
                    3 => "Grüße, ça va? 日本語".to_string(),
                    4 => "x".repeat(next() % 900),
                    5 => String::new(),
                    _ => format!("line {l} of message {i}"),
                };
                m.extend_from_slice(line.as_bytes());
                m.extend_from_slice(b"\r\n");
            }
            m
        })
        .collect()
}

/// Runs `pop3_fetch` with `args`, the user's password in the environment.
fn fetch(user: &MailUser, args: &[OsString]) -> String {
    let mut cmd = Command::new(example("pop3_fetch"));
    cmd.args(args).env("POP3_PASSWORD", &user.pass);
    let out = run_with_limit(cmd, Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "pop3_fetch {args:?} failed:\n{stdout}\n{}\nDovecot's log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        dovecot::shared().log()
    );
    stdout
}

fn args(items: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    items.iter().map(|a| a.as_ref().to_os_string()).collect()
}

/// The files of a Maildir's new/ and cur/, as a multiset of contents.
fn contents(dir: &Path) -> BTreeMap<Vec<u8>, usize> {
    let mut out = BTreeMap::new();
    for sub in ["new", "cur"] {
        let Ok(rd) = std::fs::read_dir(dir.join(sub)) else { continue };
        for e in rd.flatten() {
            *out.entry(std::fs::read(e.path()).expect("reading a fetched file")).or_default() += 1;
        }
    }
    out
}

fn multiset(messages: &[Vec<u8>]) -> BTreeMap<Vec<u8>, usize> {
    let mut out = BTreeMap::new();
    for m in messages {
        *out.entry(m.clone()).or_default() += 1;
    }
    out
}

/// What Dovecot holds for `user`, read from its Maildir.
fn served(user: &MailUser) -> Vec<Vec<u8>> {
    user.messages(None).into_iter().map(|(_, bytes)| bytes).collect()
}

#[test]
fn fetch_byte_exact_over_plaintext_stls_and_implicit_tls() {
    let Some(d) = dovecot_or_skip("fetch_byte_exact_over_plaintext_stls_and_implicit_tls") else { return };
    let cases: [(&str, u16, &[&str], &str); 3] = [
        ("plain", d.pop3, &["--no-stls", "--auth", "user", "--allow-plaintext"], "logged in with USER/PASS"),
        ("stls", d.pop3, &["--stls", "--auth", "sasl"], "logged in with AUTH PLAIN"),
        ("tls", d.pop3s, &["--tls"], "logged in with AUTH PLAIN"),
    ];
    for (i, (name, port, extra, login)) in cases.into_iter().enumerate() {
        let user = d.new_user(&format!("pop3-{name}"));
        let msgs = messages(i as u64 + 1, 12);
        for m in &msgs {
            user.deliver(None, m);
        }
        let out = Scratch::new(&format!("pop3-fetch-{name}"));
        let server = format!("127.0.0.1:{port}");
        let maildir = out.join("Maildir");
        let mut a =
            args(&[&"--server", &server, &"--user", &user.name, &"--maildir", &maildir, &"--ca", &d.ca]);
        a.extend(extra.iter().map(OsString::from));
        let stdout = fetch(&user, &a);
        assert!(stdout.contains(login), "{name}: {stdout}");
        if name == "stls" {
            assert!(stdout.contains("STLS: TLS established"), "{stdout}");
        }
        assert!(stdout.contains("12 new message(s)"), "{name}: {stdout}");
        // Byte for byte what Dovecot serves, which is what we delivered.
        assert_eq!(multiset(&served(&user)), multiset(&msgs));
        assert!(
            contents(&maildir) == multiset(&msgs),
            "{name}: fetched messages differ from Dovecot's files"
        );
        assert_eq!(served(&user).len(), 12, "nothing was deleted without --delete");
    }
}

#[test]
fn a_second_run_fetches_only_new_messages_and_delete_empties_the_server() {
    let Some(d) = dovecot_or_skip("a_second_run_fetches_only_new_messages_and_delete_empties_the_server")
    else {
        return;
    };
    let user = d.new_user("pop3-incremental");
    let first = messages(10, 5);
    for m in &first {
        user.deliver(None, m);
    }
    let out = Scratch::new("pop3-incremental");
    let maildir = out.join("Maildir");
    let server = format!("127.0.0.1:{}", d.pop3);
    let base = args(&[&"--server", &server, &"--user", &user.name, &"--maildir", &maildir, &"--ca", &d.ca]);
    assert!(fetch(&user, &base).contains("5 new message(s)"));
    assert!(fetch(&user, &base).contains("0 new message(s)"), "a run without new mail downloaded again");
    let second = messages(11, 3);
    for m in &second {
        user.deliver(None, m);
    }
    let stdout = fetch(&user, &base);
    assert!(stdout.contains("3 new message(s)"), "{stdout}");
    let all: Vec<Vec<u8>> = first.iter().chain(&second).cloned().collect();
    assert!(contents(&maildir) == multiset(&all), "the Maildir does not hold each message once");

    // --delete: nothing new to fetch, everything known is removed at QUIT.
    let mut delete = base.clone();
    delete.push("--delete".into());
    let stdout = fetch(&user, &delete);
    assert!(stdout.contains("0 new message(s)") && stdout.contains("8 deleted on the server"), "{stdout}");
    assert!(served(&user).is_empty(), "Dovecot still holds messages after DELE + QUIT");
}

#[test]
fn fetch_into_an_mbox_file() {
    let Some(d) = dovecot_or_skip("fetch_into_an_mbox_file") else { return };
    let user = d.new_user("pop3-mbox");
    let msgs = messages(20, 6);
    for m in &msgs {
        user.deliver(None, m);
    }
    let out = Scratch::new("pop3-mbox");
    let mbox = out.join("inbox.mbox");
    let server = format!("127.0.0.1:{}", d.pop3);
    let a =
        args(&[&"--server", &server, &"--user", &user.name, &"--mbox", &mbox, &"--ca", &d.ca, &"--delete"]);
    let stdout = fetch(&user, &a);
    assert!(stdout.contains("6 new message(s)") && stdout.contains("6 deleted"), "{stdout}");
    let file = std::fs::read(&mbox).expect("the mbox");
    let read: Vec<Vec<u8>> =
        mailwire_mime::mbox::MboxReader::new(&file).map(|m| m.unquoted().into_owned()).collect();
    assert_eq!(read.len(), 6);
    assert!(multiset(&read) == multiset(&msgs), "messages read back from the mbox differ");
    assert!(served(&user).is_empty());
}
