//! Interop tests of the SMTP examples against real peers on loopback.
//!
//! - Python's `smtplib` and `swaks` (with pipelining) send to our
//!   `examples/smtp_server`: plain, STARTTLS, STARTTLS + AUTH; every
//!   message in the Maildir is, after the `Return-Path:` line and the
//!   `Received:` field the server adds, exactly the bytes sent.
//! - Our `examples/smtp_send` sends to an `aiosmtpd` sink
//!   (`scripts/smtp_sink.py`): plain, STARTTLS, STARTTLS + AUTH, refused
//!   AUTH; every saved message is exactly the file sent. And to our own
//!   server, where it uses CHUNKING (BDAT).
//! - A load test: 20 concurrent `smtplib` clients × 50 messages into our
//!   server; all 1,000 arrive exactly once, bytes intact.
//!
//! A missing peer (python3, aiosmtpd, swaks, openssl) skips the test with
//! a `SKIP:` line, and fails it under `CI=true`. Each test starts the
//! servers it needs and stops them when it ends (see `support_peers`).
//! Counts and timings are printed: run with `-- --nocapture`.

mod support_peers;

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support_peers::{
    Peer, Scratch, TlsFiles, example, port_of, python_module, require, root, run_with_limit, runs,
};

const USER: &str = "user";
const PASS: &str = "s3cret pass";

// ---------------------------------------------------------------------------
// The messages

/// One message to send, with its envelope.
#[derive(Clone)]
struct Case {
    /// `TAG-NAME`, also the message's first header `X-Job:`.
    key: String,
    from: String,
    to: Vec<String>,
    /// For smtplib's `mail_options` (other clients choose their own).
    mail_options: Vec<String>,
    data: Vec<u8>,
}

/// The message set every test sends, each tagged `X-Job: TAG-NAME` so that
/// whoever received it can say which it was. All are CRLF-only and end
/// with CRLF (smtplib dot-stuffs after bare LFs too, and appends a CRLF to
/// a message without one: see scripts/smtp_sink.py).
fn corpus(tag: &str) -> Vec<Case> {
    let case = |name: &str, from: &str, to: &[&str], opts: &[&str], rest: Vec<u8>| {
        let key = format!("{tag}-{name}");
        let mut data = format!("X-Job: {key}\r\n").into_bytes();
        data.extend_from_slice(&rest);
        Case {
            key,
            from: from.into(),
            to: to.iter().map(|s| s.to_string()).collect(),
            mail_options: opts.iter().map(|s| s.to_string()).collect(),
            data,
        }
    };
    let text = |s: &str| s.replace('\n', "\r\n").into_bytes();
    let mut out = vec![
        case(
            "plain",
            "ann@example.test",
            &["bob@example.test"],
            &[],
            text("From: Ann <ann@example.test>\nTo: bob@example.test\nSubject: plain\n\nHello, Bob.\n"),
        ),
        case(
            "dots",
            "ann@example.test",
            &["bob@example.test"],
            &[],
            text(
                "From: ann@example.test\nSubject: leading dots\n\n.\n..\n...\n.starts with a dot\n\
                 ..two dots\n .space first\nmiddle . dot\n\n.\n",
            ),
        ),
        case(
            "multi",
            "ann@example.test",
            &["bob@example.test", "cy@example.test", "di@other.test"],
            &[],
            text(
                "From: ann@example.test\nTo: bob@example.test, cy@example.test\nBcc: di@other.test\nSubject: three\n\nFor three.\n",
            ),
        ),
        case(
            "bounce",
            "",
            &["postmaster@example.test"],
            &[],
            text("From: MAILER-DAEMON@example.test\nSubject: null reverse-path\n\nA bounce.\n"),
        ),
    ];
    // 8-bit body: UTF-8 text, and one line of raw Latin-1 octets.
    let mut eight = text(
        "From: ann@example.test\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\nMIME-Version: 1.0\n\
         Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n\
         Grüße aus Köln — ½ € ✓ 日本語\n.Ünïcödé after a dot\n",
    );
    eight.extend_from_slice(b"Latin-1: caf\xe9 na\xefve \xa0\xff\r\n");
    out.push(case("8bit", "ann@example.test", &["bob@example.test"], &["BODY=8BITMIME"], eight));
    // SMTPUTF8: internationalised addresses and headers (RFC 6531, 6532).
    out.push(case(
        "utf8addr",
        "jörg@bücher.example",
        &["ñandú@exämple.test"],
        &["SMTPUTF8", "BODY=8BITMIME"],
        text("From: Jörg <jörg@bücher.example>\nTo: ñandú@exämple.test\nSubject: Grüße\n\nÜber alles.\n"),
    ));
    // 300 KB: 76-character lines, every seventh starting with a dot, and
    // one line of exactly 998 octets (RFC 5321's limit).
    let mut big = text("From: ann@example.test\nSubject: 300 KB\n\n");
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
    big.extend_from_slice(b".\r\n");
    out.push(case("big", "ann@example.test", &["bob@example.test"], &[], big));
    for c in &out {
        assert_crlf_only(&c.key, &c.data);
    }
    out
}

/// Every CR is followed by LF, every LF preceded by CR, and the message
/// ends with CRLF.
fn assert_crlf_only(key: &str, data: &[u8]) {
    for (i, &b) in data.iter().enumerate() {
        if b == b'\n' {
            assert!(i > 0 && data[i - 1] == b'\r', "{key}: bare LF at {i}");
        }
        if b == b'\r' {
            assert!(data.get(i + 1) == Some(&b'\n'), "{key}: bare CR at {i}");
        }
    }
    assert!(data.ends_with(b"\r\n"), "{key}: does not end with CRLF");
}

/// The `X-Job:` value on a message's first line.
fn job_of(message: &[u8]) -> String {
    let line = message.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    line.strip_prefix("X-Job: ")
        .unwrap_or_else(|| panic!("message does not start with X-Job: {line:?}"))
        .trim_end()
        .to_string()
}

// ---------------------------------------------------------------------------
// Our server and its Maildir

/// Starts `examples/smtp_server` on a free loopback port, into `dir/Maildir`.
fn our_server(dir: &Scratch, extra: &[OsString]) -> Peer {
    let mut args: Vec<OsString> = ["--listen", "127.0.0.1:0", "--maildir"].map(OsString::from).to_vec();
    args.push(dir.join("Maildir").into());
    args.extend(extra.iter().cloned());
    Peer::start(
        "smtp_server",
        example("smtp_server").as_os_str(),
        &args,
        "smtp_server listening on ",
        dir.join("smtp_server.log"),
    )
}

fn tls_args(tls: &TlsFiles) -> Vec<OsString> {
    vec!["--tls-cert".into(), tls.cert.clone().into(), "--tls-key".into(), tls.key.clone().into()]
}

/// A message as our server delivered it: its trace fields and the rest.
struct Delivered {
    return_path: String,
    /// The `Received:` field's lines, without their CRLFs.
    received: Vec<String>,
    message: Vec<u8>,
}

/// Splits off the `Return-Path:` line and the `Received:` field (its first
/// line and the continuation lines, each starting with a TAB).
fn split_trace(raw: &[u8], name: &str) -> Delivered {
    let mut lines = Vec::new();
    let mut rest = raw;
    loop {
        let end = rest.windows(2).position(|w| w == b"\r\n").unwrap_or_else(|| panic!("{name}: no CRLF"));
        let (line, tail) = (&rest[..end], &rest[end + 2..]);
        if lines.len() >= 2 && !line.starts_with(b"\t") {
            break;
        }
        lines.push(String::from_utf8(line.to_vec()).unwrap_or_else(|_| panic!("{name}: trace not UTF-8")));
        rest = tail;
    }
    let return_path = lines[0]
        .strip_prefix("Return-Path: ")
        .unwrap_or_else(|| panic!("{name}: first line is not Return-Path: {:?}", lines[0]))
        .to_string();
    assert!(lines[1].starts_with("Received: from "), "{name}: second line is not Received: {:?}", lines[1]);
    let received = lines[1..].to_vec();
    assert!((2..=3).contains(&received.len()), "{name}: Received: folded over {} lines", received.len());
    Delivered { return_path, received, message: rest.to_vec() }
}

/// What a delivered message must look like.
struct Expect {
    data: Vec<u8>,
    from: String,
    to: Vec<String>,
    /// RFC 3848 protocol name in `with ...`.
    proto: &'static str,
}

impl Expect {
    fn new(case: &Case, proto: &'static str, data: Vec<u8>) -> Expect {
        Expect { data, from: case.from.clone(), to: case.to.clone(), proto }
    }
}

/// The files in `maildir/new`, with their names.
fn maildir_files(maildir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(maildir.join("new"))
        .expect("Maildir/new")
        .map(|e| {
            let e = e.expect("dir entry");
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("read"))
        })
        .collect();
    out.sort();
    let tmp = std::fs::read_dir(maildir.join("tmp")).expect("Maildir/tmp").count();
    assert_eq!(tmp, 0, "files left in Maildir/tmp");
    out
}

/// Every file in `maildir/new` is one of `expected` (by its `X-Job:`),
/// each exactly once, byte-exact after the trace fields, with the right
/// Return-Path and Received; returns how many matched.
fn check_maildir(maildir: &Path, expected: &HashMap<String, Expect>) -> usize {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (name, raw) in maildir_files(maildir) {
        let d = split_trace(&raw, &name);
        let key = job_of(&d.message);
        let e = expected.get(&key).unwrap_or_else(|| panic!("{name}: unexpected message {key}"));
        *seen.entry(key.clone()).or_default() += 1;
        if d.message != e.data {
            let at = d.message.iter().zip(&e.data).position(|(a, b)| a != b).unwrap_or(e.data.len());
            panic!(
                "{key}: delivered bytes differ from the bytes sent at offset {at} (got {} bytes, sent {}): \
                 got {:?}, sent {:?}",
                d.message.len(),
                e.data.len(),
                String::from_utf8_lossy(&d.message[at.saturating_sub(20)..(at + 20).min(d.message.len())]),
                String::from_utf8_lossy(&e.data[at.saturating_sub(20)..(at + 20).min(e.data.len())]),
            );
        }
        assert_eq!(d.return_path, format!("<{}>", e.from), "{key}: Return-Path");
        let received = d.received.join("\n");
        assert!(d.received[0].ends_with(" ([127.0.0.1])"), "{key}: peer not recorded: {received}");
        assert!(received.contains(&format!(" with {} id ", e.proto)), "{key}: want {}: {received}", e.proto);
        if let [only] = e.to.as_slice() {
            assert!(received.contains(&format!("\tfor <{only}>;")), "{key}: no `for <{only}>`: {received}");
            assert_eq!(d.received.len(), 3, "{key}: {received}");
        } else {
            assert!(!received.contains("\tfor "), "{key}: `for` with several recipients: {received}");
            assert_eq!(d.received.len(), 2, "{key}: {received}");
        }
    }
    for key in expected.keys() {
        assert_eq!(seen.get(key), Some(&1), "{key}: delivered {} times", seen.get(key).unwrap_or(&0));
    }
    seen.len()
}

// ---------------------------------------------------------------------------
// smtplib

/// Runs each job of `jobs.json` (a list of {id, port, file, from, to,
/// starttls, cafile, auth: [MECH, USER, PASS] | null, mail_options}) on
/// its own connection; prints one JSON line per job.
const SMTPLIB_JOBS: &str = r#"
import json, smtplib, ssl, sys
for j in json.load(open(sys.argv[1], encoding="utf-8")):
    r = {"id": j["id"], "ok": False}
    try:
        s = smtplib.SMTP("127.0.0.1", j["port"], local_hostname="smtplib.client.test", timeout=30)
        try:
            s.ehlo()
            if j["starttls"]:
                s.starttls(context=ssl.create_default_context(cafile=j["cafile"]))
                s.ehlo()
            if j["auth"]:
                mech, s.user, s.password = j["auth"]
                s.auth(mech, getattr(s, "auth_" + mech.lower().replace("-", "_")))
            with open(j["file"], "rb") as f:
                data = f.read()
            refused = s.sendmail(j["from"], j["to"], data, mail_options=j["mail_options"])
            r["ok"] = not refused
            r["refused"] = {k: v[0] for k, v in refused.items()}
        finally:
            try:
                s.quit()
            except Exception:
                s.close()
    except smtplib.SMTPResponseException as e:
        r["code"] = e.smtp_code
        r["error"] = repr(e)
    except Exception as e:
        r["error"] = repr(e)
    print(json.dumps(r), flush=True)
"#;

#[derive(Clone, Copy, PartialEq)]
enum Transport {
    Plain,
    StartTls,
    StartTlsAuth,
}

impl Transport {
    const ALL: [Transport; 3] = [Transport::Plain, Transport::StartTls, Transport::StartTlsAuth];

    fn name(self) -> &'static str {
        match self {
            Transport::Plain => "plain",
            Transport::StartTls => "starttls",
            Transport::StartTlsAuth => "starttls+auth",
        }
    }

    /// RFC 3848's name for what our server records.
    fn proto(self) -> &'static str {
        match self {
            Transport::Plain => "ESMTP",
            Transport::StartTls => "ESMTPS",
            Transport::StartTlsAuth => "ESMTPSA",
        }
    }
}

#[test]
fn smtplib_to_our_server() {
    const T: &str = "smtplib_to_our_server";
    if !require(T, "python3", runs("python3", &["--version"]))
        || !require(T, "openssl", runs("openssl", &["version"]))
    {
        return;
    }
    let started = Instant::now();
    let tls = support_peers::test_certs();
    let dir = Scratch::new("smtplib");
    let mut extra = tls_args(tls);
    extra.extend(["--auth".into(), format!("{USER}:{PASS}").into()]);
    let server = our_server(&dir, &extra);
    let port = port_of(&server.addr);

    let mechs = ["CRAM-MD5", "PLAIN", "LOGIN"];
    let mut jobs = Vec::new();
    let mut expected = HashMap::new();
    for (t, transport) in Transport::ALL.into_iter().enumerate() {
        for (i, case) in corpus(transport.name()).into_iter().enumerate() {
            let file = dir.join(&format!("{}.eml", case.key));
            std::fs::write(&file, &case.data).expect("write message");
            let auth = (transport == Transport::StartTlsAuth).then(|| [mechs[(t + i) % 3], USER, PASS]);
            jobs.push(serde_json::json!({
                "id": case.key, "port": port, "file": file, "from": case.from, "to": case.to,
                "starttls": transport != Transport::Plain, "cafile": tls.ca, "auth": auth,
                "mail_options": case.mail_options,
            }));
            expected.insert(case.key.clone(), Expect::new(&case, transport.proto(), case.data.clone()));
        }
    }
    // Wrong password: 535, nothing delivered.
    let refused = corpus("badauth").remove(0);
    let file = dir.join("badauth.eml");
    std::fs::write(&file, &refused.data).expect("write message");
    jobs.push(serde_json::json!({
        "id": "badauth", "port": port, "file": file, "from": refused.from, "to": refused.to,
        "starttls": true, "cafile": tls.ca, "auth": ["PLAIN", USER, "wrong"], "mail_options": [],
    }));
    let jobs_file = dir.join("jobs.json");
    std::fs::write(&jobs_file, serde_json::to_vec(&jobs).expect("json")).expect("write jobs");

    let mut cmd = Command::new("python3");
    cmd.arg("-c").arg(SMTPLIB_JOBS).arg(&jobs_file);
    let out = run_with_limit(cmd, Duration::from_secs(60));
    assert!(out.status.success(), "smtplib script failed: {}", String::from_utf8_lossy(&out.stderr));
    let results: BTreeMap<String, serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("result line");
            (v["id"].as_str().expect("id").to_string(), v)
        })
        .collect();
    assert_eq!(results.len(), jobs.len(), "one result per job: {results:?}");
    for (id, r) in &results {
        if id == "badauth" {
            assert_eq!(r["ok"], false, "wrong password accepted: {r}");
            assert_eq!(r["code"], 535, "wrong password: {r}");
        } else {
            assert_eq!(r["ok"], true, "{id}: {r}\nserver log:\n{}", server.log_text());
        }
    }
    let n = check_maildir(&dir.join("Maildir"), &expected);
    assert_eq!(n, expected.len());
    println!(
        "smtplib -> smtp_server: {n} of {} messages byte-exact ({} cases x plain/STARTTLS/STARTTLS+AUTH \
         with CRAM-MD5, PLAIN, LOGIN); wrong password refused with 535 and nothing delivered; {:.2?}",
        expected.len(),
        expected.len() / 3,
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------
// swaks

/// The message swaks 20201014 sends for `--data @FILE` (its `sub
/// process_args`): it replaces `%TOKENS%` and a literal `\n`, drops a
/// first line `From ...`, takes a last line "." as the end of the data and
/// drops it, stuffs dots, turns bare LFs into CRLF, and then always sends
/// CRLF "." CRLF — so the message received is the file plus one CRLF, or,
/// when the file ends with a line ".", the file without that line.
fn swaks_sends(case: &Case) -> Vec<u8> {
    let data = &case.data;
    let key = &case.key;
    assert!(!data.contains(&b'%') && !data.windows(2).any(|w| w == b"\\n"), "{key}: swaks rewrites tokens");
    assert!(!data.starts_with(b"From "), "{key}: swaks drops a From_ line");
    if data.ends_with(b"\r\n.\r\n") {
        data[..data.len() - 3].to_vec()
    } else {
        [data.as_slice(), b"\r\n"].concat()
    }
}

#[test]
fn swaks_to_our_server() {
    const T: &str = "swaks_to_our_server";
    if !require(T, "swaks", runs("swaks", &["--version"]))
        || !require(T, "openssl", runs("openssl", &["version"]))
    {
        return;
    }
    let started = Instant::now();
    let tls = support_peers::test_certs();
    let dir = Scratch::new("swaks");
    let mut extra = tls_args(tls);
    extra.extend(["--auth".into(), format!("{USER}:{PASS}").into()]);
    let server = our_server(&dir, &extra);

    // What swaks (20201014) makes of `--data @FILE` is checked by
    // `swaks_sends`; no corpus message has what else it rewrites. It has no
    // SMTPUTF8, so that case is left out.
    let mut runs_done = 0;
    let mut expected = HashMap::new();
    let plain = corpus("swaks").into_iter().filter(|c| c.key != "swaks-utf8addr");
    let secure = corpus("swaks-tls")
        .into_iter()
        .filter(|c| ["swaks-tls-dots", "swaks-tls-big", "swaks-tls-multi"].contains(&c.key.as_str()));
    for (case, transport) in
        plain.map(|c| (c, Transport::Plain)).chain(secure.map(|c| (c, Transport::StartTlsAuth)))
    {
        let file = dir.join(&format!("{}.eml", case.key));
        std::fs::write(&file, &case.data).expect("write message");
        let mut cmd = Command::new("swaks");
        cmd.args(["--server", &server.addr, "--helo", "swaks.client.test", "--pipeline"])
            .arg("--from")
            .arg(if case.from.is_empty() { "<>" } else { &case.from })
            .arg("--to")
            .arg(case.to.join(","))
            .arg("--data")
            .arg(format!("@{}", file.display()));
        if transport == Transport::StartTlsAuth {
            cmd.args(["-tls", "--tls-verify", "--tls-sni", "localhost", "--tls-ca-path"])
                .arg(&tls.ca)
                .args(["--auth", "PLAIN", "--auth-user", USER, "--auth-password", PASS]);
        }
        let out = run_with_limit(cmd, Duration::from_secs(30));
        let transcript = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: swaks failed ({}):\n{transcript}\n{}\nserver log:\n{}",
            case.key,
            out.status,
            String::from_utf8_lossy(&out.stderr),
            server.log_text()
        );
        // Pipelined: RCPT goes out right after MAIL, before MAIL's reply.
        let lines: Vec<&str> = transcript.lines().collect();
        let mail = lines.iter().position(|l| l.contains("> MAIL FROM:")).expect("MAIL in the transcript");
        assert!(
            lines[mail + 1].trim_start().starts_with(['-', '~']) && lines[mail + 1].contains("> RCPT TO:"),
            "{}: swaks did not pipeline:\n{transcript}",
            case.key
        );
        expected.insert(case.key.clone(), Expect::new(&case, transport.proto(), swaks_sends(&case)));
        runs_done += 1;
    }
    let n = check_maildir(&dir.join("Maildir"), &expected);
    assert_eq!(n, runs_done);
    println!(
        "swaks --pipeline -> smtp_server: {n} of {runs_done} messages byte-exact (as swaks sends a file), \
         3 of them with STARTTLS + AUTH PLAIN; {:.2?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------
// smtp_send

/// Runs `examples/smtp_send` with `args` and the message file.
fn smtp_send(args: &[OsString], case: &Case, file: &Path) -> std::process::Output {
    std::fs::write(file, &case.data).expect("write message");
    let mut cmd = Command::new(example("smtp_send"));
    cmd.args(args).arg("--from").arg(&case.from);
    for to in &case.to {
        cmd.arg("--to").arg(to);
    }
    cmd.arg(file);
    run_with_limit(cmd, Duration::from_secs(30))
}

fn send_args(addr: &str, transport: Transport, tls: &TlsFiles, password: &str) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["--server".into(), addr.into()];
    if transport != Transport::Plain {
        args.extend(["--starttls".into(), "--ca".into(), tls.ca.clone().into()]);
    }
    if transport == Transport::StartTlsAuth {
        args.extend(["--auth".into(), format!("{USER}:{password}").into()]);
    }
    args
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The sink's saved messages: `NNNN` → (.eml bytes, .json envelope).
fn sink_files(out: &Path) -> BTreeMap<String, (Vec<u8>, serde_json::Value)> {
    let mut m = BTreeMap::new();
    for e in std::fs::read_dir(out).expect("sink out") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "eml") {
            let stem = p.file_stem().expect("stem").to_string_lossy().into_owned();
            let meta = std::fs::read(p.with_extension("json")).expect("envelope json");
            let meta = serde_json::from_slice(&meta).expect("envelope json");
            m.insert(stem, (std::fs::read(&p).expect("eml"), meta));
        }
    }
    m
}

#[test]
fn smtp_send_to_aiosmtpd() {
    const T: &str = "smtp_send_to_aiosmtpd";
    if !require(T, "python3 with aiosmtpd", python_module("aiosmtpd"))
        || !require(T, "openssl", runs("openssl", &["version"]))
    {
        return;
    }
    let started = Instant::now();
    let tls = support_peers::test_certs();
    let dir = Scratch::new("aiosmtpd");
    let out_dir = dir.join("out");
    let sink_args: Vec<OsString> = vec![
        root().join("scripts/smtp_sink.py").into(),
        "--out".into(),
        out_dir.clone().into(),
        "--cert".into(),
        tls.cert.clone().into(),
        "--key".into(),
        tls.key.clone().into(),
        "--user".into(),
        format!("{USER}:{PASS}").into(),
    ];
    let sink = Peer::start(
        "smtp_sink.py",
        std::ffi::OsStr::new("python3"),
        &sink_args,
        "smtp_sink listening on ",
        dir.join("sink.log"),
    );
    // The name checked against the certificate: by IP, and by name.
    let by_name = format!("localhost:{}", port_of(&sink.addr));

    let mut sent: HashMap<String, (Case, Transport)> = HashMap::new();
    for transport in Transport::ALL {
        let addr = if transport == Transport::StartTlsAuth { &by_name } else { &sink.addr };
        for case in corpus(&format!("send-{}", transport.name())) {
            let out = smtp_send(&send_args(addr, transport, tls, PASS), &case, &dir.join("msg.eml"));
            assert!(
                out.status.success(),
                "{}: smtp_send failed:\n{}\nsink log:\n{}",
                case.key,
                text(&out),
                sink.log_text()
            );
            for to in &case.to {
                assert!(
                    text(&out).contains(&format!("{to}: accepted (250)")),
                    "{}: {to} not accepted:\n{}",
                    case.key,
                    text(&out)
                );
            }
            sent.insert(case.key.clone(), (case, transport));
        }
    }
    let before = sink_files(&out_dir).len();

    // AUTH refused: a wrong password, and AUTH without STARTTLS (the sink
    // offers AUTH only under TLS). Non-zero exit, nothing saved.
    let case = corpus("refused").remove(0);
    let wrong =
        smtp_send(&send_args(&sink.addr, Transport::StartTlsAuth, tls, "wrong"), &case, &dir.join("msg.eml"));
    assert!(!wrong.status.success(), "wrong password: smtp_send exited 0:\n{}", text(&wrong));
    assert!(text(&wrong).contains("535"), "wrong password: no 535 reply:\n{}", text(&wrong));
    let args: Vec<OsString> =
        vec!["--server".into(), sink.addr.clone().into(), "--auth".into(), format!("{USER}:{PASS}").into()];
    let no_tls = smtp_send(&args, &case, &dir.join("msg.eml"));
    assert!(!no_tls.status.success(), "AUTH not offered: smtp_send exited 0:\n{}", text(&no_tls));

    let saved = sink_files(&out_dir);
    assert_eq!(saved.len(), before, "a refused AUTH saved a message");
    assert_eq!(saved.len(), sent.len(), "sent {} messages, the sink saved {}", sent.len(), saved.len());
    let mut seen = HashMap::new();
    for (stem, (eml, meta)) in &saved {
        let key = job_of(eml);
        let (case, transport) = sent.get(&key).unwrap_or_else(|| panic!("{stem}: unexpected message {key}"));
        assert!(seen.insert(key.clone(), stem).is_none(), "{key} saved twice");
        assert!(
            eml == &case.data,
            "{key} ({stem}.eml): saved bytes differ from the file sent ({} vs {} bytes)",
            eml.len(),
            case.data.len()
        );
        // aiosmtpd keeps the null reverse-path as "<>"
        let from = if case.from.is_empty() { "<>" } else { &case.from };
        assert_eq!(meta["mail_from"], from, "{key}: MAIL FROM");
        assert_eq!(meta["rcpt_tos"], serde_json::json!(case.to), "{key}: RCPT TO");
        assert_eq!(meta["tls"], *transport != Transport::Plain, "{key}: TLS");
        let user = (*transport == Transport::StartTlsAuth).then_some(USER);
        assert_eq!(meta["auth_user"], serde_json::json!(user), "{key}: AUTH");
        assert_eq!(meta["smtp_utf8"], key.ends_with("-utf8addr"), "{key}: SMTPUTF8");
        // SIZE (the sink offers it) with the exact size; BODY=8BITMIME for 8-bit data
        let opts: Vec<&str> = meta["mail_options"]
            .as_array()
            .expect("mail_options")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert!(
            opts.contains(&format!("SIZE={}", case.data.len()).as_str()),
            "{key}: MAIL parameters {opts:?}"
        );
        let eight = key.ends_with("-8bit") || key.ends_with("-utf8addr");
        assert_eq!(opts.contains(&"BODY=8BITMIME"), eight, "{key}: MAIL parameters {opts:?}");
    }
    println!(
        "smtp_send -> aiosmtpd: {} of {} messages byte-exact ({} cases x plain/STARTTLS/STARTTLS+AUTH), \
         envelopes as sent; wrong password and AUTH-before-TLS refused, nothing saved; {:.2?}",
        seen.len(),
        sent.len(),
        sent.len() / 3,
        started.elapsed()
    );
}

/// A loopback TCP relay to `upstream` that records what clients send.
fn recording_proxy(upstream: String) -> (String, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
    let addr = listener.local_addr().expect("proxy addr").to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            let mut server = TcpStream::connect(&upstream).expect("proxy upstream");
            let (mut c2, mut s2) = (client.try_clone().expect("clone"), server.try_clone().expect("clone"));
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s2, &mut c2);
                let _ = c2.shutdown(Shutdown::Write);
            });
            let record = record.clone();
            std::thread::spawn(move || {
                let mut buf = [0; 16 * 1024];
                while let Ok(n @ 1..) = client.read(&mut buf) {
                    record.lock().expect("lock").extend_from_slice(&buf[..n]);
                    if server.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = server.shutdown(Shutdown::Write);
            });
        }
    });
    (addr, seen)
}

#[test]
fn smtp_send_to_our_server() {
    const T: &str = "smtp_send_to_our_server";
    if !require(T, "openssl", runs("openssl", &["version"])) {
        return;
    }
    let started = Instant::now();
    let tls = support_peers::test_certs();
    let dir = Scratch::new("send-ours");
    let mut extra = tls_args(tls);
    extra.extend(["--auth".into(), format!("{USER}:{PASS}").into()]);
    let server = our_server(&dir, &extra);
    let (proxy, recorded) = recording_proxy(server.addr.clone());

    let mut expected = HashMap::new();
    let mut plain = 0;
    for transport in [Transport::Plain, Transport::StartTlsAuth] {
        // Plain runs go through the recording relay, to see BDAT on the wire.
        let addr = if transport == Transport::Plain { &proxy } else { &server.addr };
        for case in corpus(&format!("ours-{}", transport.name())) {
            let out = smtp_send(&send_args(addr, transport, tls, PASS), &case, &dir.join("msg.eml"));
            assert!(
                out.status.success(),
                "{}: smtp_send failed:\n{}\nserver log:\n{}",
                case.key,
                text(&out),
                server.log_text()
            );
            plain += usize::from(transport == Transport::Plain);
            expected.insert(case.key.clone(), Expect::new(&case, transport.proto(), case.data.clone()));
        }
    }
    // smtp_send's replies are printed once it is done; the relay may still
    // be copying the last QUIT, which does not matter here.
    let wire = recorded.lock().expect("lock").clone();
    let bdat = wire.windows(5).filter(|w| w == b"BDAT ").count();
    let data =
        wire.windows(8).filter(|w| w == b"\r\nDATA\r\n").count() + usize::from(wire.starts_with(b"DATA\r\n"));
    assert_eq!(bdat, plain, "want one BDAT (CHUNKING) per plain message");
    assert_eq!(data, 0, "DATA used although the server offers CHUNKING");
    let n = check_maildir(&dir.join("Maildir"), &expected);
    println!(
        "smtp_send -> smtp_server: {n} of {} messages byte-exact, {plain} plain with BDAT seen on the wire, \
         {} with STARTTLS + AUTH; {:.2?}",
        expected.len(),
        expected.len() - plain,
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------
// Load

const CLIENTS: usize = 20;
const PER_CLIENT: usize = 50;

/// CLIENTS threads, each one connection sending its PER_CLIENT messages
/// (files cCC-sSS.eml) in turn; all start together.
const LOAD_CLIENTS: &str = r#"
import os, smtplib, sys, threading, time
port, src, clients, per = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
errors, sent = [], [0] * clients
go = threading.Barrier(clients + 1)
def client(c):
    msgs = [open(os.path.join(src, "c%02d-s%02d.eml" % (c, s)), "rb").read() for s in range(per)]
    try:
        go.wait(30)
        with smtplib.SMTP("127.0.0.1", port, local_hostname="load%02d.test" % c, timeout=60) as smtp:
            for s, m in enumerate(msgs):
                refused = smtp.sendmail("client%02d@load.test" % c, ["sink%d@load.test" % (s % 3)], m)
                if refused:
                    errors.append("c%02d-s%02d refused %r" % (c, s, refused))
                else:
                    sent[c] += 1
    except Exception as e:
        errors.append("client %02d: %r" % (c, e))
threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
for t in threads:
    t.start()
go.wait(30)
t0 = time.monotonic()
for t in threads:
    t.join()
print("sent %d errors %d seconds %.3f" % (sum(sent), len(errors), time.monotonic() - t0))
for e in errors[:20]:
    print(e)
"#;

/// Message `s` of client `c`: an X-Seq key, and a body of varied size with
/// dot lines.
fn load_message(c: usize, s: usize) -> Vec<u8> {
    let key = format!("c{c:02}-s{s:02}");
    let mut m = format!(
        "X-Seq: {key}\r\nFrom: client{c:02}@load.test\r\nTo: sink@load.test\r\nSubject: load {key}\r\n\
         Message-ID: <{key}@load.test>\r\n\r\n"
    );
    let lines = 1 + (c * 37 + s * 11) % 400;
    for i in 0..lines {
        match i % 9 {
            0 => m.push_str(".\r\n"),
            4 => m.push_str(&format!(".. {key} line {i}\r\n")),
            _ => m.push_str(&format!(
                "{key} line {i} {}\r\n",
                &"0123456789abcdefghijklmnopqrstuvwxyz"[..(i * 7) % 37]
            )),
        }
    }
    m.into_bytes()
}

#[test]
fn load_20_clients_x_50_messages() {
    const T: &str = "load_20_clients_x_50_messages";
    if !require(T, "python3", runs("python3", &["--version"])) {
        return;
    }
    let dir = Scratch::new("load");
    let server = our_server(&dir, &[]);
    let src = dir.join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    let mut expected = HashMap::new();
    let mut bytes = 0;
    for c in 0..CLIENTS {
        for s in 0..PER_CLIENT {
            let m = load_message(c, s);
            assert_crlf_only("load", &m);
            std::fs::write(src.join(format!("c{c:02}-s{s:02}.eml")), &m).expect("write");
            bytes += m.len();
            expected.insert(format!("c{c:02}-s{s:02}"), (m, format!("<client{c:02}@load.test>")));
        }
    }
    let started = Instant::now();
    let mut cmd = Command::new("python3");
    cmd.arg("-c").arg(LOAD_CLIENTS).arg(port_of(&server.addr).to_string()).arg(&src);
    cmd.arg(CLIENTS.to_string()).arg(PER_CLIENT.to_string());
    let out = run_with_limit(cmd, Duration::from_secs(120));
    let elapsed = started.elapsed();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "load clients failed: {report}{}", String::from_utf8_lossy(&out.stderr));
    let first = report.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("sent {} errors 0 ", CLIENTS * PER_CLIENT)),
        "{report}\nserver log:\n{}",
        server.log_text()
    );

    let mut seen: HashMap<String, usize> = HashMap::new();
    let files = maildir_files(&dir.join("Maildir"));
    for (name, raw) in &files {
        let d = split_trace(raw, name);
        let head =
            String::from_utf8_lossy(d.message.split(|&b| b == b'\r').next().unwrap_or_default()).into_owned();
        let key =
            head.strip_prefix("X-Seq: ").unwrap_or_else(|| panic!("{name}: no X-Seq first")).to_string();
        let (want, from) = expected.get(&key).unwrap_or_else(|| panic!("{name}: unknown {key}"));
        assert!(&d.message == want, "{key}: bytes differ ({} vs {})", d.message.len(), want.len());
        assert_eq!(&d.return_path, from, "{key}: Return-Path");
        *seen.entry(key).or_default() += 1;
    }
    let once = seen.values().filter(|&&n| n == 1).count();
    assert_eq!(files.len(), CLIENTS * PER_CLIENT, "files in Maildir/new");
    assert_eq!(once, CLIENTS * PER_CLIENT, "keys delivered exactly once");
    println!(
        "load: {CLIENTS} concurrent smtplib clients x {PER_CLIENT} messages ({:.1} MB) -> smtp_server: \
         {} files, {once} distinct messages each exactly once, bytes intact; sent in {:.2?} ({})",
        bytes as f64 / 1e6,
        files.len(),
        elapsed,
        first
    );
}
