//! The Dovecot test peer (`tests/support_peers/dovecot.rs`) works: a user
//! of its own with messages put into its Maildir is served, byte for byte,
//! to Python's `poplib` (POP3, POP3 + STLS, POP3S) and `imaplib` (IMAP +
//! STARTTLS, IMAPS, including a Maildir++ folder).
//!
//! Needs root and Dovecot (scripts/install-peers.sh); skips otherwise, and
//! fails under `CI=true`.

mod support_peers;

use std::process::Command;
use std::time::{Duration, Instant};

use support_peers::{dovecot, require, run_with_limit};

/// Logs in over each transport and prints one line per check.
const CLIENT: &str = r#"
import imaplib, poplib, ssl, sys
host = "127.0.0.1"
pop3, pop3s, imap, imaps = map(int, sys.argv[1:5])
user, password, ca = sys.argv[5:8]
ctx = ssl.create_default_context(cafile=ca)

def pop(name, conn, stls=False):
    if stls:
        conn.stls(ctx)
    conn.user(user)
    conn.pass_(password)
    count, size = conn.stat()
    # poplib splits at CRLF and undoes dot-stuffing: CRLF-only messages rejoin exactly
    got = [b"\r\n".join(conn.retr(i)[1]) + b"\r\n" for i in range(1, count + 1)]
    print(name, count, size, *[m.hex() for m in got])
    conn.quit()

pop("pop3", poplib.POP3(host, pop3, timeout=10))
pop("pop3-stls", poplib.POP3(host, pop3, timeout=10), stls=True)
pop("pop3s", poplib.POP3_SSL(host, pop3s, context=ctx, timeout=10))

def imap_check(name, conn):
    conn.login(user, password)
    _, [inbox] = conn.select("INBOX", readonly=True)
    _, [archive] = conn.select("Archive", readonly=True)
    _, data = conn.fetch("1", "(BODY.PEEK[])")
    print(name, inbox.decode(), archive.decode(), data[0][1].hex())
    conn.logout()

conn = imaplib.IMAP4(host, imap, timeout=10)
conn.starttls(ctx)
imap_check("imap-starttls", conn)
imap_check("imaps", imaplib.IMAP4_SSL(host, imaps, ssl_context=ctx, timeout=10))
"#;

#[test]
fn pop3_and_imap_see_delivered_messages() {
    if !require("dovecot_smoke", "dovecot (run as root)", dovecot::available()) {
        return;
    }
    let started = Instant::now();
    let server = dovecot::shared();
    let startup = started.elapsed();
    let user = server.new_user("smoke");
    let first = b"From: a@example.org\r\nSubject: one\r\n\r\nfirst body\r\n".to_vec();
    let second = b"Subject: two\r\n\r\n.a line with a leading dot\r\nlast\r\n".to_vec();
    let filed = b"Subject: filed\r\n\r\nin the Archive folder\r\n".to_vec();
    user.deliver(None, &first);
    user.deliver(None, &second);
    user.deliver(Some("Archive"), &filed);
    assert_eq!(
        user.messages(None).into_iter().map(|(_, m)| m).collect::<Vec<_>>(),
        [first.clone(), second.clone()]
    );

    let mut cmd = Command::new("python3");
    cmd.arg("-c").arg(CLIENT);
    for port in [server.pop3, server.pop3s, server.imap, server.imaps] {
        cmd.arg(port.to_string());
    }
    cmd.arg(&user.name).arg(&user.pass).arg(&server.ca);
    let out = run_with_limit(cmd, Duration::from_secs(30));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the Python client failed:\n{stdout}{}\nDovecot's log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.log()
    );
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let size = first.len() + second.len();
    let mut expected = Vec::new();
    for name in ["pop3", "pop3-stls", "pop3s"] {
        expected.push(format!("{name} 2 {size} {} {}", hex(&first), hex(&second)));
    }
    for name in ["imap-starttls", "imaps"] {
        expected.push(format!("{name} 2 1 {}", hex(&filed)));
    }
    assert_eq!(stdout.lines().collect::<Vec<_>>(), expected, "Dovecot's log:\n{}", server.log());

    // Sessions moved the messages to cur/; clear() empties the folder.
    user.clear(None);
    assert!(user.messages(None).is_empty());
    assert_eq!(user.messages(Some("Archive")).len(), 1);
    println!(
        "dovecot_smoke: Dovecot up in {startup:.2?} (imap={} pop3={} imaps={} pop3s={}), checks done in {:.2?}",
        server.imap,
        server.pop3,
        server.imaps,
        server.pop3s,
        started.elapsed()
    );
}
