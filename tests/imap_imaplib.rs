//! Python's `imaplib` against `examples/imap_server` on loopback (driven by
//! `tests/oracle/imaplib_client.py`, which prints what it saw as JSON and
//! parses ENVELOPE and BODYSTRUCTURE with its own small parser):
//!
//! - read: LIST, SELECT, FETCH of UID, FLAGS, RFC822.SIZE, INTERNALDATE,
//!   ENVELOPE, BODYSTRUCTURE and BODY[] for every message (bytes exact,
//!   envelope fields and part structure as the messages say), sections
//!   (HEADER.FIELDS, TEXT, a part, a partial range), SEARCH, STATUS.
//! - write: STORE (+FLAGS, -FLAGS, UID STORE) seen by a second
//!   connection; APPEND, CREATE, COPY, MOVE, EXPUNGE, with the second
//!   connection seeing the moved message and the EXPUNGE.
//! - IDLE: the EXISTS of a message appended by another connection.
//! - STARTTLS with the test certificate, then the read scenario.
//!
//! A missing python3 skips the tests with a `SKIP:` line, and fails them
//! under `CI=true`.

mod support_peers;

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use support_peers::{Peer, Scratch, example, port_of, require, root, run_with_limit, runs};

const USER: &str = "ann";
const PASS: &str = "s3cret pass";

fn crlf(text: &str) -> Vec<u8> {
    text.replace("\r\n", "\n").replace('\n', "\r\n").into_bytes()
}

/// The INBOX messages, in UID order.
fn messages() -> Vec<Vec<u8>> {
    let mut big = crlf("From: big@example.org\nTo: ann@example.org\nSubject: large\n\n");
    for i in 0..3000 {
        big.extend_from_slice(
            format!("line {i}: some text to make the message larger than a few KB\r\n").as_bytes(),
        );
    }
    vec![
        crlf(
            "From: Bob <bob@example.org>\nTo: ann@example.org\nSubject: plain\nDate: Tue, 1 Dec 2026 10:00:00 +0100\nMessage-ID: <p1@example.org>\n\nHello, Ann.\n",
        ),
        crlf(
            "From: \"Smith, J\" <js@example.org>\nTo: a@example.org, b@example.org\nCc: c@example.org\nSubject: mixed\nIn-Reply-To: <p1@example.org>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: multipart/alternative; boundary=\"b2\"\n\n--b2\nContent-Type: text/plain; charset=utf-8\n\nplain part\n--b2\nContent-Type: text/html; charset=utf-8\n\n<p>html part</p>\n--b2--\n--b1\nContent-Type: application/octet-stream; name=\"x.bin\"\nContent-Disposition: attachment; filename=\"x.bin\"\nContent-Transfer-Encoding: base64\n\nAAECAwQF\n--b1--\n",
        ),
        crlf(
            "From: c@example.org\nSubject: =?UTF-8?Q?caf=C3=A9?= \"quoted\"\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\nFrom: inner@example.org\nSubject: inner\n\ninner body\n",
        ),
        big,
    ]
}

/// A Maildir++ tree with the messages in INBOX's `cur/` (names sort in
/// order) and an empty `.Sent` folder.
fn write_tree(dir: &Path) {
    for sub in ["cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"] {
        std::fs::create_dir_all(dir.join(sub)).expect("maildir");
    }
    for (i, m) in messages().iter().enumerate() {
        let name = format!("17000000{:02}.M{i}P1.test:2,", i + 1);
        std::fs::write(dir.join("cur").join(name), m).expect("message");
    }
}

fn our_server(dir: &Scratch, maildir: &Path, log: &str, extra: &[OsString]) -> Peer {
    let mut args: Vec<OsString> = ["--listen", "127.0.0.1:0", "--maildir"].map(OsString::from).to_vec();
    args.push(maildir.into());
    args.extend(["--user".into(), format!("{USER}:{PASS}").into()]);
    args.extend(extra.iter().cloned());
    Peer::start(
        "imap_server",
        example("imap_server").as_os_str(),
        &args,
        "imap_server listening on ",
        dir.join(&format!("{log}.log")),
    )
}

fn python(test: &str) -> bool {
    require(test, "python3", runs("python3", &["--version"]))
}

fn run_scenario(dir: &Scratch, server: &Peer, scenario: &str, tls: Option<&Path>) -> Value {
    let job = json!({
        "port": port_of(&server.addr), "user": USER, "pass": PASS,
        "cafile": tls, "starttls": tls.is_some(), "scenario": scenario,
    });
    let file = dir.join(&format!("{scenario}.json"));
    std::fs::write(&file, serde_json::to_vec(&job).expect("json")).expect("job");
    let mut cmd = Command::new("python3");
    cmd.arg(root().join("tests/oracle/imaplib_client.py")).arg(&file);
    let out = run_with_limit(cmd, Duration::from_secs(60));
    assert!(
        out.status.success(),
        "{scenario}: imaplib_client.py failed: {}\nserver log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.log_text()
    );
    serde_json::from_slice(&out.stdout).expect("imaplib_client.py prints JSON")
}

fn latin1(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    s.chars().map(|c| u8::try_from(u32::from(c)).expect("Latin-1")).collect()
}

fn check_read(r: &Value) {
    let caps: Vec<&str> =
        r["capabilities"].as_array().expect("caps").iter().filter_map(Value::as_str).collect();
    for cap in ["IMAP4REV1", "IDLE", "MOVE", "UIDPLUS"] {
        assert!(caps.iter().any(|c| c.eq_ignore_ascii_case(cap)), "{cap} missing from {caps:?}");
    }
    let list: Vec<&str> = r["list"].as_array().expect("list").iter().filter_map(Value::as_str).collect();
    assert!(list.iter().any(|l| l.ends_with("INBOX")), "{list:?}");
    assert!(list.iter().any(|l| l.contains("\\Sent") && l.ends_with("Sent")), "special use: {list:?}");
    let msgs = messages();
    assert_eq!(r["exists"], msgs.len());
    let got = r["messages"].as_array().expect("messages");
    assert_eq!(got.len(), msgs.len());
    let mut last_uid = 0;
    for (m, want) in got.iter().zip(&msgs) {
        assert_eq!(latin1(&m["body"]), *want, "BODY[] of message {}", m["seq"]);
        assert_eq!(m["size"], want.len(), "RFC822.SIZE of message {}", m["seq"]);
        let uid = m["uid"].as_u64().expect("uid");
        assert!(uid > last_uid, "UIDs ascend");
        last_uid = uid;
        assert!(
            m["internaldate"].as_str().is_some_and(|d| d.len() == 26),
            "INTERNALDATE {}",
            m["internaldate"]
        );
    }
    let env = |i: usize| &got[i]["envelope"];
    assert_eq!(env(0)["subject"], "plain");
    assert_eq!(env(0)["date"], "Tue, 1 Dec 2026 10:00:00 +0100");
    assert_eq!(env(0)["from"], json!([["Bob", "bob", "example.org"]]));
    assert_eq!(env(0)["message_id"], "<p1@example.org>");
    assert_eq!(env(1)["from"], json!([["Smith, J", "js", "example.org"]]));
    assert_eq!(env(1)["to"].as_array().map(Vec::len), Some(2));
    assert_eq!(env(1)["in_reply_to"], "<p1@example.org>");
    assert_eq!(env(2)["subject"], "=?UTF-8?Q?caf=C3=A9?= \"quoted\"");
    assert_eq!(got[0]["structure"]["type"], "text/plain");
    assert_eq!(
        got[1]["structure"],
        json!({"type": "multipart/mixed", "parts": [
            {"type": "multipart/alternative", "parts": [
                {"type": "text/plain", "size": 10}, {"type": "text/html", "size": 16}]},
            {"type": "application/octet-stream", "size": 8}]})
    );
    assert_eq!(got[2]["structure"]["type"], "message/rfc822");
    // Sections of message 2 (UID FETCH keys by sequence number).
    let s = &r["sections"]["2"];
    assert_eq!(s["BODY[HEADER.FIELDS (SUBJECT)]"], "Subject: mixed\r\n\r\n");
    assert_eq!(s["BODY[]<0>"], "From: \"Smith, J\" <js");
    assert_eq!(s["BODY[1]"].as_str().map(|t| t.contains("plain part")), Some(true), "{s}");
    let s = &r["sections"]["1"];
    assert_eq!(s["BODY[TEXT]"], "Hello, Ann.\r\n");
    assert_eq!(s["BODY[1]"], "Hello, Ann.\r\n");
    let uid_of = |i: usize| got[i]["uid"].clone();
    assert_eq!(r["search_subject"], json!([uid_of(0)]));
    assert_eq!(r["search_all"], json!([1, 2, 3, 4]));
    assert_eq!(r["search_larger"], json!([4]));
    let status = r["status"].as_str().expect("status");
    assert!(status.contains("MESSAGES 4"), "{status}");
    assert!(status.contains("UNSEEN 4"), "{status}");
}

#[test]
fn imaplib_reads_every_message() {
    if !python("imaplib_reads_every_message") {
        return;
    }
    let dir = Scratch::new("imaplib-read");
    let maildir = dir.join("mail");
    write_tree(&maildir);
    let server = our_server(&dir, &maildir, "read", &[]);
    let r = run_scenario(&dir, &server, "read", None);
    check_read(&r);
    // Reading with PEEK changed nothing on disk: no \Seen.
    for e in std::fs::read_dir(maildir.join("cur")).expect("cur") {
        let name = e.expect("entry").file_name().into_string().expect("name");
        assert!(!name.rsplit(":2,").next().unwrap_or("").contains('S'), "{name} became \\Seen");
    }
}

#[test]
fn imaplib_writes_and_a_second_connection_sees_it() {
    if !python("imaplib_writes_and_a_second_connection_sees_it") {
        return;
    }
    let dir = Scratch::new("imaplib-write");
    let maildir = dir.join("mail");
    write_tree(&maildir);
    let server = our_server(&dir, &maildir, "write", &[]);
    let r = run_scenario(&dir, &server, "write", None);
    assert_eq!(r["store_add"], "OK");
    assert_eq!(r["flags_seen_by_b"]["1"], json!(["$Work", "\\Flagged"]));
    assert_eq!(r["flags_seen_by_b"]["2"], json!(["$Work"]));
    assert_eq!(r["flags_seen_by_b"]["3"], json!(["\\Answered", "\\Seen"]));
    assert_eq!(r["flags_seen_by_b"]["4"], json!([]));
    assert_eq!(r["append"][0], "OK");
    assert!(r["append"][1].as_str().is_some_and(|t| t.contains("APPENDUID")), "{}", r["append"]);
    assert_eq!(r["create"], "OK");
    assert_eq!(r["copy"], "OK");
    assert!(r["copies_status"].as_str().is_some_and(|s| s.contains("MESSAGES 1")), "{}", r["copies_status"]);
    assert_eq!(r["move"], "OK");
    assert_eq!(r["archive_exists_b"], 1);
    assert_eq!(
        latin1(&r["archive_body_b"]),
        b"From: py@example.org\r\nSubject: appended by imaplib\r\n\r\nappended {3}\r\nbody\r\n".to_vec()
    );
    assert_eq!(r["archive_flags_b"], json!(["\\Draft"]));
    assert_eq!(r["expunge"][0], "OK");
    assert_eq!(r["expunge_seen_by_b"], json!(["1"]));
    let list: Vec<&str> =
        r["list_after"].as_array().expect("list").iter().filter_map(Value::as_str).collect();
    assert!(list.iter().any(|l| l.ends_with("Archive")), "{list:?}");
    // On disk: INBOX lost the moved message, Archive has none left.
    let count = |sub: &str| {
        ["cur", "new"]
            .iter()
            .map(|d| std::fs::read_dir(maildir.join(sub).join(d)).map_or(0, |r| r.count()))
            .sum::<usize>()
    };
    assert_eq!(count(""), 4);
    assert_eq!(count(".Archive"), 0);
    assert_eq!(count(".Copies"), 1);
}

#[test]
fn imaplib_idle_sees_an_append_from_another_connection() {
    if !python("imaplib_idle_sees_an_append_from_another_connection") {
        return;
    }
    let dir = Scratch::new("imaplib-idle");
    let maildir = dir.join("mail");
    write_tree(&maildir);
    let server = our_server(&dir, &maildir, "idle", &[]);
    let r = run_scenario(&dir, &server, "idle", None);
    assert_eq!(r["before"], 4);
    assert!(r["continuation"].as_str().is_some_and(|c| c.starts_with('+')), "{}", r["continuation"]);
    assert_eq!(r["update"], "* 5 EXISTS\r\n");
    assert!(r["done"].as_str().is_some_and(|d| d.contains(" OK")), "{}", r["done"]);
}

#[test]
fn imaplib_over_starttls() {
    if !python("imaplib_over_starttls")
        || !require("imaplib_over_starttls", "openssl", runs("openssl", &["version"]))
    {
        return;
    }
    let tls = support_peers::test_certs();
    let dir = Scratch::new("imaplib-tls");
    let maildir = dir.join("mail");
    write_tree(&maildir);
    let extra: Vec<OsString> = vec![
        "--tls-cert".into(),
        tls.cert.clone().into(),
        "--tls-key".into(),
        tls.key.clone().into(),
        "--require-tls".into(),
    ];
    let server = our_server(&dir, &maildir, "tls", &extra);
    let r = run_scenario(&dir, &server, "read", Some(&tls.ca));
    check_read(&r);
}
