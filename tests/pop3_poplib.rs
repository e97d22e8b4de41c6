//! Interop tests of `examples/pop3_server` with Python's `poplib` as the
//! client (driven by `tests/oracle/poplib_client.py`, which prints what
//! it got as JSON), on loopback:
//!
//! - plain: STAT, LIST, UIDL, TOP and RETR of six Maildir messages (dots
//!   at line starts, an empty body, 300 KB, 8-bit octets, names in `new`
//!   and `cur`, a name that is no valid unique id): sizes, ids and bytes
//!   exact; ids the same across two restarts; DELE + QUIT removes exactly
//!   the files deleted, a dropped connection removes nothing; SASL logins
//!   (SCRAM-SHA-256, PLAIN, LOGIN, CRAM-MD5, done by hand over poplib).
//! - STLS (and implicit TLS): USER is refused before TLS with
//!   `-ERR [AUTH]`, then STLS, USER/PASS and a byte-exact RETR.
//! - APOP: the right secret logs in, a wrong one gets `-ERR [AUTH]`.
//! - The lock: a second session gets `-ERR [IN-USE]` while the first
//!   holds the maildrop, and the first does not see files arriving after
//!   its login.
//!
//! A missing python3 (or openssl, for the TLS test) skips the test with a
//! `SKIP:` line, and fails it under `CI=true`.

mod support_peers;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support_peers::{Peer, Scratch, example, port_of, require, root, run_with_limit, runs};

/// The one user the server serves.
const USER: &str = "ann";
/// Its password (with a space: PASS takes the rest of the line).
const PASS: &str = "s3cret pass";

// ---------------------------------------------------------------------------
// The maildrop

/// One message file of the test maildrop.
struct Msg {
    /// The path under the Maildir, e.g. `new/NAME` or `cur/NAME:2,S`.
    rel: String,
    data: Vec<u8>,
}

/// Six messages, all with CRLF line ends and a final CRLF, named so that
/// sorting by file name gives this order.
fn messages() -> Vec<Msg> {
    let text = |s: &str| s.replace('\n', "\r\n").into_bytes();
    let msg = |rel: &str, data: Vec<u8>| Msg { rel: rel.to_string(), data };
    let mut out = vec![
        msg(
            "new/1700000001.M1P100.mailwire.test",
            text(
                "From: Bob <bob@example.test>\nTo: ann@example.test\nSubject: plain\n\nHello, Ann.\nLine two.\nLine three.\n",
            ),
        ),
        msg(
            "cur/1700000002.M2P100.mailwire.test:2,S",
            text(
                "From: bob@example.test\nSubject: leading dots\n\n.\n..\n...\n.starts with a dot\n\
                 ..two dots\n .space first\nmiddle . dot\n\n.\n",
            ),
        ),
        msg("new/1700000003.M3P100.mailwire.test", text("From: bob@example.test\nSubject: empty body\n\n")),
    ];
    // 300 KB: 76-character lines, every seventh starting with a dot, and
    // one line of 998 octets.
    let mut big = text("From: bob@example.test\nSubject: 300 KB\n\n");
    let mut i = 0;
    while big.len() < 300 * 1024 {
        let lead = if i % 7 == 0 { "." } else { "" };
        let line = format!("{lead}{i:06} {}", "abcdefghijklmnopqrstuvwxyz0123456789".repeat(2));
        big.extend_from_slice(&line.as_bytes()[..line.len().min(76)]);
        big.extend_from_slice(b"\r\n");
        if i == 1000 {
            big.extend_from_slice(&[b'x'; 998]);
            big.extend_from_slice(b"\r\n");
        }
        i += 1;
    }
    out.push(msg("cur/1700000004.M4P100.mailwire.test:2,RS", big));
    // 8-bit: UTF-8, and raw Latin-1 and other high octets.
    let mut eight = text(
        "From: =?utf-8?q?J=C3=B6rg?= <joerg@example.test>\nSubject: 8bit\nMIME-Version: 1.0\n\
         Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n\
         Grüße aus Köln — ½ € ✓ 日本語\n.Ünïcödé after a dot\n",
    );
    eight.extend_from_slice(b"Latin-1: caf\xe9 na\xefve \xa0\xff\x80\x81\xfe\r\n\tTAB first\r\n");
    out.push(msg("new/1700000005.M5P100.mailwire.test", eight));
    // A name that is no valid unique id (spaces, more than 70 characters).
    out.push(msg(
        "new/1700000006 a file name with spaces that is far longer than seventy characters.eml",
        text(
            "From: bob@example.test\nSubject: a folded\n  subject line\nX-Dots: ..\n\n..two dots\nbody\n\
             more\nlast\n",
        ),
    ));
    for m in &out {
        assert_crlf_only(&m.rel, &m.data);
    }
    out
}

/// Every CR is followed by LF, every LF preceded by CR, and the message
/// ends with CRLF.
fn assert_crlf_only(name: &str, data: &[u8]) {
    for (i, &b) in data.iter().enumerate() {
        if b == b'\n' {
            assert!(i > 0 && data[i - 1] == b'\r', "{name}: bare LF at {i}");
        }
        if b == b'\r' {
            assert!(data.get(i + 1) == Some(&b'\n'), "{name}: bare CR at {i}");
        }
    }
    assert!(data.ends_with(b"\r\n"), "{name}: does not end with CRLF");
}

/// Writes the messages into `maildir` (with `new`, `cur` and `tmp`).
fn write_maildir(maildir: &Path, msgs: &[Msg]) {
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).expect("maildir");
    }
    for m in msgs {
        std::fs::write(maildir.join(&m.rel), &m.data).expect("write message");
    }
}

/// The lines of a CRLF message as poplib returns them (no CRLFs).
fn crlf_lines(data: &[u8]) -> Vec<Vec<u8>> {
    if data.is_empty() {
        return Vec::new();
    }
    let mut lines = Vec::new();
    let mut rest = data.strip_suffix(b"\r\n").unwrap_or(data);
    while let Some(i) = rest.windows(2).position(|w| w == b"\r\n") {
        lines.push(rest[..i].to_vec());
        rest = &rest[i + 2..];
    }
    lines.push(rest.to_vec());
    lines
}

/// What TOP must give: the header, the empty line, `body_lines` body
/// lines (or fewer if the body is shorter).
fn top_lines(data: &[u8], body_lines: usize) -> Vec<Vec<u8>> {
    let lines = crlf_lines(data);
    let end = lines.iter().position(|l| l.is_empty()).map_or(lines.len(), |blank| blank + 1);
    let take = (end + body_lines).min(lines.len());
    lines[..take].to_vec()
}

// ---------------------------------------------------------------------------
// The server and the client

/// Starts `examples/pop3_server` on a free loopback port for `maildir`.
fn our_server(dir: &Scratch, maildir: &Path, log: &str, extra: &[OsString]) -> Peer {
    let mut args: Vec<OsString> = ["--listen", "127.0.0.1:0", "--maildir"].map(OsString::from).to_vec();
    args.push(maildir.into());
    args.extend(["--user".into(), format!("{USER}:{PASS}").into()]);
    args.extend(extra.iter().cloned());
    Peer::start(
        "pop3_server",
        example("pop3_server").as_os_str(),
        &args,
        "pop3_server listening on ",
        dir.join(&format!("{log}.log")),
    )
}

/// A poplib run: the steps, then one result per step.
struct Job {
    steps: Vec<Value>,
}

impl Job {
    /// No steps yet.
    fn new() -> Job {
        Job { steps: Vec::new() }
    }

    /// Adds a step (`[CONN, OP, ARG...]`) and returns its index in the
    /// results.
    fn step(&mut self, step: Value) -> usize {
        self.steps.push(step);
        self.steps.len() - 1
    }

    /// Runs the steps against `server` and returns the results.
    fn run(self, dir: &Scratch, name: &str, server: &Peer, tls: Option<(&Path, bool)>) -> Vec<Value> {
        let (cafile, implicit_tls) =
            tls.map_or((None, false), |(ca, implicit)| (Some(ca.to_path_buf()), implicit));
        let job = json!({
            "port": port_of(&server.addr), "cafile": cafile, "implicit_tls": implicit_tls, "steps": self.steps,
        });
        let file = dir.join(&format!("{name}.json"));
        std::fs::write(&file, serde_json::to_vec(&job).expect("json")).expect("write job");
        let mut cmd = Command::new("python3");
        cmd.arg(root().join("tests/oracle/poplib_client.py")).arg(&file);
        let out = run_with_limit(cmd, Duration::from_secs(60));
        assert!(
            out.status.success(),
            "{name}: poplib_client.py failed: {}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stderr),
            server.log_text()
        );
        let v: Value = serde_json::from_slice(&out.stdout).expect("poplib_client.py prints JSON");
        let results = v["results"].as_array().expect("results").clone();
        assert_eq!(results.len(), job["steps"].as_array().map_or(0, Vec::len), "{name}: one result per step");
        results
    }
}

/// The result, which must have succeeded.
fn ok<'a>(results: &'a [Value], i: usize, server: &Peer) -> &'a Value {
    let r = &results[i];
    assert_eq!(r["ok"], true, "step {i} failed: {r}\nserver log:\n{}", server.log_text());
    r
}

/// The error text of a result that must have failed.
fn err(results: &[Value], i: usize) -> &str {
    let r = &results[i];
    assert_eq!(r["ok"], false, "step {i} should have failed: {r}");
    r["error"].as_str().expect("error text")
}

/// A string of Latin-1 characters (one per octet) as bytes.
fn latin1(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    s.chars().map(|c| u8::try_from(u32::from(c)).expect("Latin-1 character")).collect()
}

/// A result's `lines`, as bytes.
fn lines_of(r: &Value) -> Vec<Vec<u8>> {
    r["lines"].as_array().expect("lines").iter().map(latin1).collect()
}

/// RETR's lines joined back into the message: CRLF after every line.
fn rejoin(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// UIDL's lines as `(msg, uid)`.
fn uidl(r: &Value) -> Vec<(usize, String)> {
    lines_of(r)
        .iter()
        .map(|l| {
            let l = String::from_utf8(l.clone()).expect("UIDL line is ASCII");
            let (n, uid) = l.split_once(' ').unwrap_or_else(|| panic!("UIDL line {l:?}"));
            (n.parse().expect("message number"), uid.to_string())
        })
        .collect()
}

/// STAT's count and size.
fn stat(r: &Value) -> (u64, u64) {
    (r["stat"][0].as_u64().expect("count"), r["stat"][1].as_u64().expect("size"))
}

/// The files under the Maildir's `new` and `cur`, as `sub/name`.
fn maildir_files(maildir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        for e in std::fs::read_dir(maildir.join(sub)).expect("read maildir").flatten() {
            out.push(format!("{sub}/{}", e.file_name().to_string_lossy()));
        }
    }
    out.sort();
    out
}

/// Whether python3 runs (poplib is in its standard library).
fn python() -> bool {
    runs("python3", &["--version"])
}

// ---------------------------------------------------------------------------
// The tests

/// (a) Plaintext on loopback: every listing and message exact, ids stable
/// across restarts, DELE only at QUIT, SASL logins.
#[test]
fn poplib_plain_stat_list_uidl_top_retr_dele() {
    const T: &str = "poplib_plain_stat_list_uidl_top_retr_dele";
    if !require(T, "python3", python()) {
        return;
    }
    let started = Instant::now();
    let dir = Scratch::new("poplib-plain");
    let maildir = dir.join("Maildir");
    let msgs = messages();
    write_maildir(&maildir, &msgs);
    let n = msgs.len();

    // Run 1: the ids only.
    let server = our_server(&dir, &maildir, "run1", &[]);
    let mut job = Job::new();
    job.step(json!(["a", "login_retry", USER, PASS]));
    let first_uidl = job.step(json!(["a", "uidl"]));
    job.step(json!(["a", "quit"]));
    let results = job.run(&dir, "run1", &server, None);
    let uids1 = uidl(ok(&results, first_uidl, &server));
    drop(server);

    // Run 2, after a restart: everything.
    let server = our_server(&dir, &maildir, "run2", &[]);
    let mut job = Job::new();
    let welcome = job.step(json!(["a", "welcome"]));
    let capa = job.step(json!(["a", "capa"]));
    job.step(json!(["a", "user", USER]));
    let login = job.step(json!(["a", "pass", PASS]));
    let st = job.step(json!(["a", "stat"]));
    let list = job.step(json!(["a", "list"]));
    let uid = job.step(json!(["a", "uidl"]));
    let tops: Vec<usize> = (1..=n).map(|i| job.step(json!(["a", "top", i, 2]))).collect();
    let retrs: Vec<usize> = (1..=n).map(|i| job.step(json!(["a", "retr", i]))).collect();
    let dele2 = job.step(json!(["a", "dele", 2]));
    let dele4 = job.step(json!(["a", "dele", 4]));
    let stat_after = job.step(json!(["a", "stat"]));
    let retr_deleted = job.step(json!(["a", "retr", 2]));
    let quit = job.step(json!(["a", "quit"]));
    let results = job.run(&dir, "run2", &server, None);

    let greeting = ok(&results, welcome, &server)["resp"].as_str().unwrap_or_default().to_string();
    assert!(greeting.starts_with("+OK ") && greeting.contains('<'), "greeting with APOP stamp: {greeting}");
    let caps = &ok(&results, capa, &server)["capa"];
    for c in ["TOP", "UIDL", "USER", "SASL", "RESP-CODES", "PIPELINING"] {
        assert!(caps.get(c).is_some(), "CAPA lacks {c}: {caps}");
    }
    assert!(caps.get("STLS").is_none(), "STLS offered without a certificate: {caps}");
    ok(&results, login, &server);
    let total: u64 = msgs.iter().map(|m| m.data.len() as u64).sum();
    assert_eq!(stat(ok(&results, st, &server)), (n as u64, total), "STAT");
    let listing: Vec<(usize, u64)> = lines_of(ok(&results, list, &server))
        .iter()
        .map(|l| {
            let l = String::from_utf8_lossy(l);
            let (a, b) = l.split_once(' ').expect("LIST line");
            (a.parse().expect("msg"), b.parse().expect("size"))
        })
        .collect();
    let expected: Vec<(usize, u64)> =
        msgs.iter().enumerate().map(|(i, m)| (i + 1, m.data.len() as u64)).collect();
    assert_eq!(listing, expected, "LIST sizes are the file sizes");
    let uids2 = uidl(ok(&results, uid, &server));
    assert_eq!(uids2.len(), n, "UIDL lists every message");
    let distinct: std::collections::HashSet<&String> = uids2.iter().map(|(_, u)| u).collect();
    assert_eq!(distinct.len(), n, "UIDL ids are distinct: {uids2:?}");
    assert_eq!(uids1, uids2, "UIDL ids survive a restart");
    // The base name is the id when it is a valid one (the `:2,` info cut);
    // the long name with spaces gets a hashed one.
    assert_eq!(uids2[0].1, "1700000001.M1P100.mailwire.test");
    assert_eq!(uids2[1].1, "1700000002.M2P100.mailwire.test");
    assert!(uids2[5].1.len() <= 70 && uids2[5].1.bytes().all(|b| (0x21..=0x7e).contains(&b)), "{uids2:?}");
    for (i, m) in msgs.iter().enumerate() {
        let r = ok(&results, tops[i], &server);
        assert_eq!(lines_of(r), top_lines(&m.data, 2), "TOP {} 2 of {}", i + 1, m.rel);
        let r = ok(&results, retrs[i], &server);
        let got = rejoin(&lines_of(r));
        assert!(
            got == m.data,
            "RETR {} differs from {} ({} vs {} octets)",
            i + 1,
            m.rel,
            got.len(),
            m.data.len()
        );
        assert_eq!(r["octets"].as_u64(), Some(m.data.len() as u64), "RETR {} octets", i + 1);
        let resp = r["resp"].as_str().unwrap_or_default();
        assert!(resp.starts_with(&format!("+OK {}", m.data.len())), "RETR {} status: {resp}", i + 1);
    }
    // The empty body's TOP is the header and the empty line.
    assert_eq!(lines_of(&results[tops[2]]).last(), Some(&Vec::new()));
    ok(&results, dele2, &server);
    ok(&results, dele4, &server);
    let gone = msgs[1].data.len() + msgs[3].data.len();
    assert_eq!(
        stat(ok(&results, stat_after, &server)),
        (n as u64 - 2, total - gone as u64),
        "STAT after DELE"
    );
    assert!(err(&results, retr_deleted).starts_with("-ERR"), "RETR of a deleted message");
    ok(&results, quit, &server);
    let mut left: Vec<String> = msgs.iter().map(|m| m.rel.clone()).collect();
    left.remove(3);
    left.remove(1);
    left.sort();
    assert_eq!(maildir_files(&maildir), left, "QUIT removed exactly messages 2 and 4");

    // A session that deletes and drops the connection removes nothing,
    // and the lock is free again after the drop.
    let mut job = Job::new();
    job.step(json!(["b", "login_retry", USER, PASS]));
    let dele = job.step(json!(["b", "dele", 1]));
    job.step(json!(["b", "close"]));
    let relogin = job.step(json!(["c", "login_retry", USER, PASS]));
    let st = job.step(json!(["c", "stat"]));
    job.step(json!(["c", "quit"]));
    let results = job.run(&dir, "run2-drop", &server, None);
    ok(&results, dele, &server);
    ok(&results, relogin, &server);
    assert_eq!(stat(ok(&results, st, &server)).0, n as u64 - 2, "nothing removed by the dropped session");
    assert_eq!(maildir_files(&maildir), left, "the dropped session removed nothing");
    drop(server);

    // Run 3, after another restart: the same ids for what is left; SASL.
    let server = our_server(&dir, &maildir, "run3", &[]);
    let mut job = Job::new();
    job.step(json!(["a", "login_retry", USER, PASS]));
    let uid = job.step(json!(["a", "uidl"]));
    let mut logins = Vec::new();
    for mech in ["SCRAM-SHA-256", "PLAIN", "LOGIN", "CRAM-MD5"] {
        job.step(json!(["a", "quit"]));
        logins.push((mech, job.step(json!(["a", "auth", mech, USER, PASS]))));
        logins.push((mech, job.step(json!(["a", "stat"]))));
    }
    job.step(json!(["a", "quit"]));
    let mut bad = Vec::new();
    for mech in ["SCRAM-SHA-256", "PLAIN", "CRAM-MD5"] {
        bad.push((mech, job.step(json!(["x", "auth", mech, USER, "wrong"]))));
    }
    let results = job.run(&dir, "run3", &server, None);
    let uids3 = uidl(ok(&results, uid, &server));
    let kept: Vec<String> = [0, 2, 4, 5].iter().map(|&i| uids2[i].1.clone()).collect();
    assert_eq!(
        uids3.iter().map(|(_, u)| u.clone()).collect::<Vec<_>>(),
        kept,
        "ids after the second restart"
    );
    for (mech, i) in logins {
        let r = &results[i];
        assert_eq!(r["ok"], true, "AUTH {mech}: {r}\nserver log:\n{}", server.log_text());
    }
    for (mech, i) in bad {
        let e = err(&results, i);
        assert!(e.starts_with("-ERR [AUTH]"), "{mech} with a wrong password: {e}");
    }
    eprintln!("{T}: {n} messages, 3 server runs, {:?}", started.elapsed());
}

/// (b) STLS: USER and PLAIN refused before it, byte-exact RETR after it;
/// and implicit TLS.
#[test]
fn poplib_stls_and_implicit_tls() {
    const T: &str = "poplib_stls_and_implicit_tls";
    if !require(T, "python3", python()) || !require(T, "openssl", runs("openssl", &["version"])) {
        return;
    }
    let started = Instant::now();
    let tls = support_peers::test_certs();
    let dir = Scratch::new("poplib-stls");
    let maildir = dir.join("Maildir");
    let msgs: Vec<Msg> = messages().into_iter().take(2).collect();
    write_maildir(&maildir, &msgs);
    let cert: Vec<OsString> =
        vec!["--tls-cert".into(), tls.cert.clone().into(), "--tls-key".into(), tls.key.clone().into()];

    let server = our_server(&dir, &maildir, "stls", &cert);
    let mut job = Job::new();
    let capa = job.step(json!(["a", "capa"]));
    let early_user = job.step(json!(["a", "user", USER]));
    let early_plain = job.step(json!(["a", "auth", "PLAIN", USER, PASS]));
    let stls = job.step(json!(["a", "stls"]));
    job.step(json!(["a", "user", USER]));
    let login = job.step(json!(["a", "pass", PASS]));
    let st = job.step(json!(["a", "stat"]));
    let retr = job.step(json!(["a", "retr", 1]));
    let quit = job.step(json!(["a", "quit"]));
    let results = job.run(&dir, "stls", &server, Some((&tls.ca, false)));
    let caps = &ok(&results, capa, &server)["capa"];
    assert!(caps.get("STLS").is_some(), "CAPA offers STLS: {caps}");
    let e = err(&results, early_user);
    assert!(e.starts_with("-ERR [AUTH]"), "USER before STLS: {e}");
    let e = err(&results, early_plain);
    assert!(e.starts_with("-ERR [AUTH]"), "AUTH PLAIN before STLS: {e}");
    ok(&results, stls, &server);
    ok(&results, login, &server);
    let total = (msgs[0].data.len() + msgs[1].data.len()) as u64;
    assert_eq!(stat(ok(&results, st, &server)), (2, total));
    assert!(rejoin(&lines_of(ok(&results, retr, &server))) == msgs[0].data, "RETR 1 over STLS is byte-exact");
    ok(&results, quit, &server);
    drop(server);

    let mut implicit = cert.clone();
    implicit.push("--implicit-tls".into());
    let server = our_server(&dir, &maildir, "implicit", &implicit);
    let mut job = Job::new();
    let capa = job.step(json!(["a", "capa"]));
    job.step(json!(["a", "user", USER]));
    let login = job.step(json!(["a", "pass", PASS]));
    let retr = job.step(json!(["a", "retr", 2]));
    job.step(json!(["a", "quit"]));
    let results = job.run(&dir, "implicit", &server, Some((&tls.ca, true)));
    let caps = &ok(&results, capa, &server)["capa"];
    assert!(caps.get("STLS").is_none(), "no STLS under implicit TLS: {caps}");
    ok(&results, login, &server);
    assert!(rejoin(&lines_of(ok(&results, retr, &server))) == msgs[1].data, "RETR 2 over TLS is byte-exact");
    assert_eq!(maildir_files(&maildir).len(), 2);
    eprintln!("{T}: STLS and implicit TLS, {:?}", started.elapsed());
}

/// (c) APOP: the right secret logs in, a wrong one or an unknown user
/// gets `-ERR [AUTH]`.
#[test]
fn poplib_apop() {
    const T: &str = "poplib_apop";
    if !require(T, "python3", python()) {
        return;
    }
    let dir = Scratch::new("poplib-apop");
    let maildir = dir.join("Maildir");
    let msgs: Vec<Msg> = messages().into_iter().take(3).collect();
    write_maildir(&maildir, &msgs);
    let server = our_server(&dir, &maildir, "apop", &[]);
    let mut job = Job::new();
    let wrong = job.step(json!(["a", "apop", USER, "wrong"]));
    let stranger = job.step(json!(["a", "apop", "nobody", PASS]));
    let right = job.step(json!(["a", "apop", USER, PASS]));
    let st = job.step(json!(["a", "stat"]));
    job.step(json!(["a", "quit"]));
    let results = job.run(&dir, "apop", &server, None);
    let e = err(&results, wrong);
    assert!(e.starts_with("-ERR [AUTH]"), "APOP with a wrong secret: {e}");
    let e = err(&results, stranger);
    assert!(e.starts_with("-ERR [AUTH]"), "APOP of an unknown user: {e}");
    ok(&results, right, &server);
    let total: u64 = msgs.iter().map(|m| m.data.len() as u64).sum();
    assert_eq!(stat(ok(&results, st, &server)), (3, total));
}

/// (d) The exclusive lock, and a listing fixed at login.
#[test]
fn poplib_maildrop_lock() {
    const T: &str = "poplib_maildrop_lock";
    if !require(T, "python3", python()) {
        return;
    }
    let dir = Scratch::new("poplib-lock");
    let maildir = dir.join("Maildir");
    let msgs: Vec<Msg> = messages().into_iter().take(3).collect();
    write_maildir(&maildir, &msgs);
    let server = our_server(&dir, &maildir, "lock", &[]);
    let late: PathBuf = maildir.join("new/1700000009.M9P100.mailwire.test");
    let mut job = Job::new();
    job.step(json!(["a", "user", USER]));
    let first = job.step(json!(["a", "pass", PASS]));
    job.step(json!(["b", "user", USER]));
    let second = job.step(json!(["b", "pass", PASS]));
    let apop = job.step(json!(["c", "apop", USER, PASS]));
    let write = job.step(json!(["-", "write", late, "Subject: late\r\n\r\narrived during a session\r\n"]));
    let st = job.step(json!(["a", "stat"]));
    job.step(json!(["a", "quit"]));
    // QUIT's +OK comes after the lock is released: no retry needed.
    job.step(json!(["b", "user", USER]));
    let again = job.step(json!(["b", "pass", PASS]));
    let st2 = job.step(json!(["b", "stat"]));
    job.step(json!(["b", "quit"]));
    let results = job.run(&dir, "lock", &server, None);
    ok(&results, first, &server);
    let e = err(&results, second);
    assert!(e.starts_with("-ERR [IN-USE]"), "a second session while the first holds the lock: {e}");
    let e = err(&results, apop);
    assert!(e.starts_with("-ERR [IN-USE]"), "APOP while the lock is held: {e}");
    ok(&results, write, &server);
    assert_eq!(stat(ok(&results, st, &server)).0, 3, "a file arriving during the session is not shown");
    ok(&results, again, &server);
    assert_eq!(stat(ok(&results, st2, &server)).0, 4, "the next session sees it");
}
