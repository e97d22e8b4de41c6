//! Side-by-side SMTP wire-parsing benchmark: mailwire-smtp vs Stalwart's
//! smtp-proto 0.2.5. See README.md ("SMTP").
//!
//! Three groups, each with `Throughput::Bytes(input bytes)` and the
//! functions `mailwire` and `smtp-proto` (plus one extra variant each in
//! `commands` and `replies`, see below):
//!
//! - `commands`: a client transcript of 30 sessions (EHLO, STARTTLS, AUTH
//!   PLAIN with an initial response, MAIL FROM with SIZE/BODY/SMTPUTF8,
//!   RCPT TO with and without NOTIFY/ORCPT, DATA or BDAT 1000 LAST, NOOP,
//!   RSET, QUIT), split into lines (each with its CRLF) once, outside the
//!   timing; one iteration parses every line:
//!   `mailwire_smtp::command::Command::parse(line)` (owned `Command`) and
//!   `smtp_proto::Request::parse(&mut line.iter())` (a `Request<Cow<str>>`
//!   borrowing the line where nothing needs decoding).
//!   `smtp-proto-owned` adds `Request::into_owned()`, so that both sides
//!   end with owned values.
//! - `replies`: the server side of 30 sessions (greeting, Postfix-like EHLO
//!   before and after STARTTLS, 235, 250 2.1.0, 250 2.1.5, 354, 250 2.0.0
//!   queued as, 221, Gmail-style multi-line 4xx/5xx rejections), one byte
//!   stream parsed reply by reply: `Reply::parse(&stream[pos..])` and
//!   `smtp_proto::response::parser::ResponseReceiver::parse(&mut iter)` +
//!   `reset()` (each one `String`, lines joined by `\n`).
//!   `mailwire-stream` uses the incremental `ReplyParser` (`feed` the whole
//!   stream once, then `next_reply` until `None`).
//! - `ehlo`: one 12-line EHLO reply into capabilities:
//!   `Capabilities::parse(bytes)` and `EhloResponse::parse(&mut iter)`.
//!
//! Before measuring, both sides parse every input once outside the timing:
//! every command and reply must parse without error, and the verbs, paths,
//! SIZE, ORCPT, reply codes, enhanced codes, reply texts and capabilities
//! must agree; then each timed function runs once and must count every
//! command, reply or extension. The timed functions are `#[inline(never)]`
//! so that a profiler (or callgrind on `--bench nothing`, which runs only
//! this check) sees each as one symbol.

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use mailwire_smtp::capability::{Capabilities, Capability};
use mailwire_smtp::command::Command;
use mailwire_smtp::reply::{Reply, ReplyParser};
use smtp_proto::response::parser::ResponseReceiver;
use smtp_proto::{EhloResponse, Request, Response};

const SESSIONS: usize = 30;

// ---------------------------------------------------------------- inputs

/// AUTH PLAIN initial responses (`\0user\0password`, base64).
const PLAIN: [&str; 3] = [
    "AGFsaWNlQGV4YW1wbGUub3JnAGNvcnJlY3QgaG9yc2UgYmF0dGVyeSBzdGFwbGU=",
    "AGJvYgBzM2NyM3QtUGFzc3cwcmQh",
    "AG1haWxlckByZWxheS5leGFtcGxlLmNvbQBodW50ZXIyaHVudGVyMg==",
];

const SENDERS: [&str; 5] = [
    "newsletter-bounces+alice=example.net@lists.example.org",
    "bob.smith@example.com",
    "billing@invoices.example-shop.de",
    "noreply@notifications.example.io",
    "carol_jones@mail.example.co.uk",
];

const UTF8_SENDERS: [&str; 2] = ["jürgen.müller@bücher.example", "用户@例子.example"];

const RCPTS: [&str; 7] = [
    "alice@example.net",
    "dave.wilson@corp.example.com",
    "team-announce@lists.example.org",
    "erin+receipts@example.net",
    "frank@sub.domain.example.info",
    "grace.hopper@navy.example.mil",
    "heidi@example.fr",
];

/// The client side: one command line (with CRLF) per element.
fn command_lines() -> Vec<Vec<u8>> {
    let mut out: Vec<String> = Vec::new();
    for i in 0..SESSIONS {
        let client = format!("client{}.example.org", i % 7);
        out.push(format!("EHLO {client}"));
        out.push("STARTTLS".into());
        out.push(format!("EHLO {client}"));
        if i % 3 != 2 {
            out.push(format!("AUTH PLAIN {}", PLAIN[i % 3]));
        }
        let bdat = i % 3 == 0;
        let body = if bdat { "BINARYMIME" } else { "8BITMIME" };
        let size = 1_000 + i * 7_919;
        match i % 5 {
            1 => out.push(format!(
                "MAIL FROM:<{}> SIZE={size} BODY={body} SMTPUTF8",
                UTF8_SENDERS[i % 2]
            )),
            4 => out.push(format!("MAIL FROM:<> SIZE={size} BODY={body}")),
            _ => out.push(format!("MAIL FROM:<{}> SIZE={size} BODY={body}", SENDERS[i % 5])),
        }
        for k in 0..1 + i % 4 {
            let to = RCPTS[(i + k) % RCPTS.len()];
            match (i + k) % 3 {
                0 => out.push(format!("RCPT TO:<{to}>")),
                1 => {
                    // ORCPT is xtext: `+` as `+2B`, `=` as `+3D`.
                    let orcpt = to.replace('+', "+2B").replace('=', "+3D");
                    out.push(format!("RCPT TO:<{to}> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;{orcpt}"));
                }
                _ => out.push(format!("RCPT TO:<{to}> NOTIFY=NEVER")),
            }
        }
        if i % 5 == 0 {
            out.push("NOOP".into());
        }
        if bdat {
            out.push("BDAT 1000 LAST".into());
        } else {
            out.push("DATA".into());
        }
        if i % 4 == 2 {
            out.push("RSET".into());
        }
        out.push("QUIT".into());
    }
    out.into_iter().map(|l| format!("{l}\r\n").into_bytes()).collect()
}

/// The 12-line EHLO reply of a Postfix server: STARTTLS before TLS, AUTH
/// after it.
fn ehlo_reply(host: &str, tls: bool) -> String {
    let mut lines = vec![
        host.to_string(),
        "PIPELINING".into(),
        "SIZE 52428800".into(),
        "VRFY".into(),
        "ETRN".into(),
    ];
    if tls {
        lines.push("AUTH PLAIN LOGIN".into());
    } else {
        lines.push("STARTTLS".into());
    }
    lines.extend(
        ["ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING", "BINARYMIME"].map(String::from),
    );
    multi(250, None, &lines.iter().map(String::as_str).collect::<Vec<_>>())
}

/// A reply in wire form: `code-` on every line but the last, the enhanced
/// code (if any) on every line.
fn multi(code: u16, enhanced: Option<&str>, lines: &[&str]) -> String {
    let mut s = String::new();
    for (k, l) in lines.iter().enumerate() {
        let sep = if k + 1 == lines.len() { ' ' } else { '-' };
        match enhanced {
            Some(e) => s.push_str(&format!("{code}{sep}{e} {l}\r\n")),
            None => s.push_str(&format!("{code}{sep}{l}\r\n")),
        }
    }
    s
}

const GMAIL_NO_SUCH_USER: [&str; 4] = [
    "The email account that you tried to reach does not exist. Please try",
    "double-checking the recipient's email address for typos or",
    "unnecessary spaces. For more information, go to",
    " https://support.google.com/mail/?p=NoSuchUser 41be03b00d2f7-5f2c3a1b9e4si1234567a12.123 - gsmtp",
];

const GMAIL_RATE: [&str; 5] = [
    "The user you are trying to contact is receiving mail at a rate that",
    "prevents additional messages from being delivered. Please resend your",
    "message at a later time. If the user is able to receive mail at that",
    "time, your message will be delivered. For more information, go to",
    " https://support.google.com/mail/?p=ReceivingRate d9443c01a7336-21c3f2b1a9bsi98765432a1.456 - gsmtp",
];

const GMAIL_UNSOLICITED: [&str; 4] = [
    "[203.0.113.7      12] Our system has detected that this message is",
    "likely unsolicited mail. To reduce the amount of spam sent to Gmail,",
    "this message has been blocked. For more information, go to",
    " https://support.google.com/mail/?p=UnsolicitedMessageError 5b1f17b1804b1-43c1a2b3c4dsi1234567a5.789 - gsmtp",
];

const GMAIL_RATE_LIMITED: [&str; 5] = [
    "[198.51.100.23      15] Our system has detected an unusual rate of",
    "unsolicited mail originating from your IP address. To protect our",
    "users from spam, mail sent from your IP address has been temporarily",
    "rate limited. For more information, go to",
    " https://support.google.com/mail/?p=UnsolicitedRateLimitError a640c23a62f3a-aa1b2c3d4e5si1234567a66.12 - gsmtp",
];

/// The server side: one byte stream of replies.
fn reply_stream() -> Vec<u8> {
    let mut s = String::new();
    for i in 0..SESSIONS {
        let host = format!("mx{}.example.net", i % 4);
        s.push_str(&format!("220 {host} ESMTP Postfix (Debian/GNU)\r\n"));
        s.push_str(&ehlo_reply(&host, false));
        s.push_str("220 2.0.0 Ready to start TLS\r\n");
        s.push_str(&ehlo_reply(&host, true));
        if i % 3 != 2 {
            s.push_str("235 2.7.0 Authentication successful\r\n");
        }
        s.push_str("250 2.1.0 Ok\r\n");
        for k in 0..1 + i % 4 {
            match (i + k) % 11 {
                3 => s.push_str(&multi(550, Some("5.1.1"), &GMAIL_NO_SUCH_USER)),
                7 => s.push_str(&multi(450, Some("4.2.1"), &GMAIL_RATE)),
                _ => s.push_str("250 2.1.5 Ok\r\n"),
            }
        }
        match i % 7 {
            5 => s.push_str(&multi(550, Some("5.7.1"), &GMAIL_UNSOLICITED)),
            6 => s.push_str(&multi(421, Some("4.7.0"), &GMAIL_RATE_LIMITED)),
            _ => {
                if i % 3 != 0 {
                    s.push_str("354 End data with <CR><LF>.<CR><LF>\r\n");
                }
                s.push_str(&format!("250 2.0.0 Ok: queued as 4Xy{:07X}z{:04}\r\n", i * 104_729, i));
            }
        }
        if i % 4 == 2 {
            s.push_str("250 2.0.0 Ok\r\n");
        }
        s.push_str("221 2.0.0 Bye\r\n");
    }
    s.into_bytes()
}

// ---------------------------------------------------------------- the timed work

#[inline(never)]
fn mw_commands(lines: &[Vec<u8>]) -> usize {
    let mut n = 0;
    for line in lines {
        if let Ok(c) = Command::parse(line) {
            black_box(&c);
            n += 1;
        }
    }
    n
}

#[inline(never)]
fn sp_commands(lines: &[Vec<u8>]) -> usize {
    let mut n = 0;
    for line in lines {
        if let Ok(r) = Request::parse(&mut line.iter()) {
            black_box(&r);
            n += 1;
        }
    }
    n
}

#[inline(never)]
fn sp_commands_owned(lines: &[Vec<u8>]) -> usize {
    let mut n = 0;
    for line in lines {
        if let Ok(r) = Request::parse(&mut line.iter()) {
            black_box(r.into_owned());
            n += 1;
        }
    }
    n
}

#[inline(never)]
fn mw_replies(stream: &[u8]) -> usize {
    let (mut n, mut pos) = (0, 0);
    while pos < stream.len() {
        match Reply::parse(&stream[pos..]) {
            Ok((r, used)) => {
                black_box(&r);
                pos += used;
                n += 1;
            }
            Err(_) => break,
        }
    }
    n
}

#[inline(never)]
fn mw_replies_stream(stream: &[u8]) -> usize {
    let mut p = ReplyParser::new();
    p.feed(stream);
    let mut n = 0;
    while let Some(r) = p.next_reply() {
        if let Ok(r) = r {
            black_box(&r);
            n += 1;
        }
    }
    n
}

#[inline(never)]
fn sp_replies(stream: &[u8]) -> usize {
    let mut rx = ResponseReceiver::default();
    let mut it = stream.iter();
    let mut n = 0;
    while !it.as_slice().is_empty() {
        match rx.parse(&mut it) {
            Ok(r) => {
                black_box(&r);
                n += 1;
                rx.reset();
            }
            Err(_) => break,
        }
    }
    n
}

#[inline(never)]
fn mw_ehlo(bytes: &[u8]) -> usize {
    let (caps, _) = Capabilities::parse(bytes).expect("mailwire EHLO");
    let n = caps.list.len();
    black_box(caps);
    n
}

#[inline(never)]
fn sp_ehlo(bytes: &[u8]) -> usize {
    let r = EhloResponse::parse(&mut bytes.iter()).expect("smtp-proto EHLO");
    let n = r.capabilities.count_ones() as usize;
    black_box(r);
    n
}

// ---------------------------------------------------------------- sanity

fn check_commands(lines: &[Vec<u8>]) {
    use mailwire_smtp::command::Command as C;
    let (mut mails, mut rcpts, mut orcpts) = (0, 0, 0);
    for line in lines {
        let shown = String::from_utf8_lossy(line);
        let mw = Command::parse(line).unwrap_or_else(|e| panic!("mailwire rejects {shown:?}: {e}"));
        let sp = Request::parse(&mut line.iter()).unwrap_or_else(|e| panic!("smtp-proto rejects {shown:?}: {e:?}"));
        assert_eq!(mw.verb(), sp.name(), "verb of {shown:?}");
        match (&mw, &sp) {
            (C::Ehlo { domain }, Request::Ehlo { host }) => assert_eq!(domain, host),
            (C::Mail { from, params }, Request::Mail { from: sp }) => {
                mails += 1;
                assert_eq!(from.mailbox().map_or("", |m| m.as_str()), sp.address, "{shown:?}");
                assert_eq!(params.size, Some(sp.size as u64), "{shown:?}");
                assert_eq!(params.smtputf8, sp.flags & smtp_proto::MAIL_SMTPUTF8 != 0, "{shown:?}");
            }
            (C::Rcpt { to, params }, Request::Rcpt { to: sp }) => {
                rcpts += 1;
                assert_eq!(to.mailbox().map_or("", |m| m.as_str()), sp.address, "{shown:?}");
                let mw_orcpt = params.orcpt.as_ref().map(|o| o.address.as_str());
                assert_eq!(mw_orcpt, sp.orcpt.as_deref(), "{shown:?}");
                orcpts += usize::from(mw_orcpt.is_some());
                let mw_never = params.notify.is_some_and(|n| n.is_never());
                assert_eq!(mw_never, sp.flags & smtp_proto::RCPT_NOTIFY_NEVER != 0, "{shown:?}");
            }
            (C::Auth { mechanism, initial_response }, Request::Auth { mechanism: m, initial_response: ir }) => {
                assert_eq!(mechanism, "PLAIN");
                assert_eq!(*m, smtp_proto::AUTH_PLAIN);
                assert_eq!(initial_response.as_deref(), Some(ir.as_ref()));
            }
            (C::Bdat { size, last }, Request::Bdat { chunk_size, is_last }) => {
                assert_eq!((*size, *last), (*chunk_size as u64, *is_last));
            }
            _ => {}
        }
    }
    let bytes: usize = lines.iter().map(Vec::len).sum();
    eprintln!(
        "commands: {} lines, {bytes} B; both parse all ({mails} MAIL, {rcpts} RCPT, {orcpts} with ORCPT); \
         verbs, paths, SIZE, SMTPUTF8, NOTIFY=NEVER, ORCPT, AUTH, BDAT agree",
        lines.len()
    );
    assert_eq!(mw_commands(lines), lines.len());
    assert_eq!(sp_commands(lines), lines.len());
    assert_eq!(sp_commands_owned(lines), lines.len());
}

fn check_replies(stream: &[u8]) {
    let mut mw = Vec::new();
    let mut pos = 0;
    while pos < stream.len() {
        let (r, used) = Reply::parse(&stream[pos..])
            .unwrap_or_else(|e| panic!("mailwire rejects the reply at {pos}: {e}"));
        mw.push(r);
        pos += used;
    }
    let mut sp: Vec<Response<String>> = Vec::new();
    let mut rx = ResponseReceiver::default();
    let mut it = stream.iter();
    while !it.as_slice().is_empty() {
        let at = stream.len() - it.as_slice().len();
        sp.push(rx.parse(&mut it).unwrap_or_else(|e| panic!("smtp-proto rejects the reply at {at}: {e:?}")));
        rx.reset();
    }
    let mut parser = ReplyParser::new();
    parser.feed(stream);
    let mut streamed = Vec::new();
    while let Some(r) = parser.next_reply() {
        streamed.push(r.expect("ReplyParser"));
    }
    assert_eq!(mw.len(), sp.len(), "number of replies");
    assert_eq!(mw, streamed, "Reply::parse and ReplyParser");
    let (mut multiline, mut same_text) = (0, 0);
    for (k, (a, b)) in mw.iter().zip(&sp).enumerate() {
        assert_eq!(u16::from(a.code), b.code, "code of reply {k}");
        let esc = a.enhanced.map(|e| e.to_string());
        let sp_esc = (b.esc != [0, 0, 0]).then(|| format!("{}.{}.{}", b.esc[0], b.esc[1], b.esc[2]));
        assert_eq!(esc, sp_esc, "enhanced code of reply {k}");
        assert_eq!(a.line_count(), b.message.split('\n').count(), "lines of reply {k}");
        multiline += usize::from(a.is_multiline());
        // Text: the same lines, modulo spaces at the ends of each line.
        let ta: Vec<&str> = a.lines().map(str::trim).collect();
        let tb: Vec<&str> = b.message.split('\n').map(str::trim).collect();
        if ta == tb {
            same_text += 1;
        } else {
            eprintln!("  reply {k}: texts differ: {:?} / {:?}", a.text(), b.message);
        }
    }
    let lines: usize = mw.iter().map(Reply::line_count).sum();
    eprintln!(
        "replies: {} replies ({multiline} multi-line, {lines} lines), {} B; codes, enhanced codes and \
         line counts agree, texts agree for {same_text}; ReplyParser = Reply::parse",
        mw.len(),
        stream.len()
    );
    assert_eq!(same_text, mw.len());
    assert_eq!(mw_replies(stream), mw.len());
    assert_eq!(mw_replies_stream(stream), mw.len());
    assert_eq!(sp_replies(stream), mw.len());
}

fn check_ehlo(bytes: &[u8]) {
    use smtp_proto::*;
    let (caps, used) = Capabilities::parse(bytes).expect("mailwire EHLO");
    assert_eq!(used, bytes.len());
    let sp = EhloResponse::parse(&mut bytes.iter()).expect("smtp-proto EHLO");
    assert_eq!(caps.domain, sp.hostname);
    let mut flags = 0u32;
    for c in &caps.list {
        flags |= match c {
            Capability::Size(_) => EXT_SIZE,
            Capability::Pipelining => EXT_PIPELINING,
            Capability::EightBitMime => EXT_8BIT_MIME,
            Capability::SmtpUtf8 => EXT_SMTP_UTF8,
            Capability::StartTls => EXT_START_TLS,
            Capability::Auth(_) => EXT_AUTH,
            Capability::Chunking => EXT_CHUNKING,
            Capability::BinaryMime => EXT_BINARY_MIME,
            Capability::Dsn => EXT_DSN,
            Capability::EnhancedStatusCodes => EXT_ENHANCED_STATUS_CODES,
            Capability::Vrfy => EXT_VRFY,
            Capability::Etrn => EXT_ETRN,
            other => panic!("unexpected capability {other:?}"),
        };
    }
    assert_eq!(flags, sp.capabilities, "capabilities");
    assert_eq!(caps.size(), Some(sp.size as u64), "SIZE");
    let mut auth = 0u64;
    for m in caps.auth_mechanisms() {
        auth |= match m.as_ref() {
            "PLAIN" => AUTH_PLAIN,
            "LOGIN" => AUTH_LOGIN,
            other => panic!("unexpected mechanism {other}"),
        };
    }
    assert_eq!(auth, sp.auth_mechanisms, "AUTH mechanisms");
    assert_eq!(mw_ehlo(bytes), caps.list.len());
    assert_eq!(sp_ehlo(bytes), caps.list.len());
    let lines = bytes.iter().filter(|&&b| b == b'\n').count();
    eprintln!(
        "ehlo: {lines} lines, {} B; domain, {} extensions, SIZE and AUTH mechanisms agree",
        bytes.len(),
        caps.list.len()
    );
}

fn main() {
    let lines = command_lines();
    let stream = reply_stream();
    let ehlo = ehlo_reply("mx1.example.net", true).into_bytes();

    eprintln!("Both libraries parse every input once, outside the timing (must agree):");
    check_commands(&lines);
    check_replies(&stream);
    check_ehlo(&ehlo);
    eprintln!();

    let mut c = Criterion::default().configure_from_args();

    let bytes: usize = lines.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("commands");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("mailwire", |b| b.iter(|| mw_commands(black_box(&lines))));
    g.bench_function("smtp-proto", |b| b.iter(|| sp_commands(black_box(&lines))));
    g.bench_function("smtp-proto-owned", |b| b.iter(|| sp_commands_owned(black_box(&lines))));
    g.finish();

    let mut g = c.benchmark_group("replies");
    g.throughput(Throughput::Bytes(stream.len() as u64));
    g.bench_function("mailwire", |b| b.iter(|| mw_replies(black_box(&stream))));
    g.bench_function("smtp-proto", |b| b.iter(|| sp_replies(black_box(&stream))));
    g.bench_function("mailwire-stream", |b| b.iter(|| mw_replies_stream(black_box(&stream))));
    g.finish();

    let mut g = c.benchmark_group("ehlo");
    g.throughput(Throughput::Bytes(ehlo.len() as u64));
    g.bench_function("mailwire", |b| b.iter(|| mw_ehlo(black_box(&ehlo))));
    g.bench_function("smtp-proto", |b| b.iter(|| sp_ehlo(black_box(&ehlo))));
    g.finish();

    c.final_summary();
}
