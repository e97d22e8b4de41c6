//! Shared code of the side-by-side benchmarks: corpus loading, the synthetic
//! multipart message, and the per-library "full parse" / "headers only"
//! workloads. Used by `benches/parse.rs` (criterion) and by
//! `src/bin/profile_driver.rs` (a plain loop for callgrind / perf). The
//! [`imap`] module builds the IMAP server response streams of
//! `benches/imap.rs` (std only).
//!
//! # What "equivalent work" means here
//!
//! `full_*`: parse the message, then for every leaf entity (nested messages
//! included) decode text parts to UTF-8 (`String`/`str`) and every other
//! leaf to bytes, and read the top-level Subject, From and Date.
//! `headers_*`: parse the message with the library's ordinary entry point,
//! then read the top-level Subject, From, To, Date and Message-ID; no body is
//! decoded. `header_block_*`: the same reads after each library's
//! header-only entry point (`Message::parse_headers`,
//! `MessageParser::parse_headers`, `mailparse::parse_headers`).
//!
//! Where the libraries differ in what they do eagerly (so the same calls do
//! not cost the same thing):
//! - mail-parser parses *every* header field of *every* part into its typed
//!   form during `parse` (addresses, dates, Received, ...), and computes the
//!   RFC 8621 body lists; its `subject()`/`from()`/`date()` are then lookups.
//!   mailwire-mime only splits fields and parses Content-Type /
//!   Content-Transfer-Encoding during `parse`; `subject()`, `from()`
//!   (allocates a `Vec<Address>`) and `date()` parse on each call. mailparse
//!   splits the fields and parses Content-Type eagerly; the accessors used
//!   here parse on each call and allocate `String`s.
//! - mail-parser transfer-decodes and parses base64/QP-encoded
//!   `message/rfc822` parts during `parse` (up to 3 levels); mailwire-mime
//!   keeps them as a leaf (we then `decoded()` them as bytes); mailparse
//!   does not open `message/rfc822` at all, so this harness parses the
//!   nested message itself (for 7bit/8bit/binary ones, zero-copy, mirroring
//!   mailwire-mime; encoded ones are decoded as bytes like mailwire-mime).
//! - mailparse's `get_body()` / `get_body_raw()` always return an owned
//!   `String` / `Vec<u8>` (a copy even for 7bit bodies); the other two
//!   borrow when no decoding is needed.
//! - mail-parser is called through `MessageParser::parse` (a fresh store per
//!   message, as a typical user would); `parse_with` and reused
//!   `MessageBuffers` would be faster still.
#![forbid(unsafe_code)]

pub mod imap;

use std::hint::black_box;
use std::path::{Path, PathBuf};

/// Per-call tally of what the workload decoded; summed in the sanity table
/// and black-boxed in the benchmarks.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Messages the library accepted.
    pub messages: usize,
    /// Text leaves decoded to a string.
    pub text_parts: usize,
    /// UTF-8 bytes of those strings.
    pub text_bytes: usize,
    /// Non-text leaves decoded to bytes.
    pub bin_parts: usize,
    /// Bytes of those.
    pub bin_bytes: usize,
}

impl Tally {
    fn text(&mut self, len: usize) {
        self.text_parts += 1;
        self.text_bytes += black_box(len);
    }
    fn bin(&mut self, len: usize) {
        self.bin_parts += 1;
        self.bin_bytes += black_box(len);
    }
    /// Adds another tally.
    pub fn add(&mut self, o: &Tally) {
        self.messages += o.messages;
        self.text_parts += o.text_parts;
        self.text_bytes += o.text_bytes;
        self.bin_parts += o.bin_parts;
        self.bin_bytes += o.bin_bytes;
    }
}

// ---------------------------------------------------------------- corpora

/// One named set of messages.
pub struct Corpus {
    /// Criterion group name.
    pub name: &'static str,
    /// The messages.
    pub messages: Vec<Vec<u8>>,
}

impl Corpus {
    /// Total input bytes (the throughput unit).
    pub fn bytes(&self) -> u64 {
        self.messages.iter().map(|m| m.len() as u64).sum()
    }
}

/// `shared/corpus/mime`, located from this package's manifest directory
/// (`$MAILWIRE_CORPUS_DIR` overrides it).
pub fn corpus_root() -> PathBuf {
    match std::env::var_os("MAILWIRE_CORPUS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/mime"),
    }
}

fn files_sorted(dir: &Path, keep: &dyn Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_sorted(&p, keep));
        } else if p.file_name().and_then(|n| n.to_str()).is_some_and(keep) {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn read_all(paths: &[PathBuf]) -> Vec<Vec<u8>> {
    paths.iter().map(|p| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))).collect()
}

/// The file corpora, or `None` (with the reason) when `shared/corpus/mime`
/// is absent.
pub fn load_file_corpora() -> Result<Vec<Corpus>, String> {
    let root = corpus_root();
    if !root.is_dir() {
        return Err(format!("corpus directory {} not found", root.display()));
    }
    let eml = files_sorted(&root.join("mail-parser-1.0.1/eml"), &|n| n.ends_with(".eml"));
    let py = files_sorted(&root.join("python-test_email"), &|n| n.starts_with("msg_") && n.ends_with(".txt"));
    let torture = root.join("crispin-torture/torture-test.eml");
    let mut out = Vec::new();
    if !eml.is_empty() {
        out.push(Corpus { name: "mail-parser-corpus", messages: read_all(&eml) });
    }
    if !py.is_empty() {
        out.push(Corpus { name: "python-email-corpus", messages: read_all(&py) });
    }
    if torture.is_file() {
        out.push(Corpus { name: "torture", messages: read_all(&[torture]) });
    }
    if out.is_empty() {
        return Err(format!("no messages under {}", root.display()));
    }
    Ok(out)
}

// ------------------------------------------------------ synthetic message

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn base64_lines(data: &[u8], out: &mut Vec<u8>) {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut line = 0;
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        let enc = [
            A[(n >> 18) as usize & 63],
            A[(n >> 12) as usize & 63],
            if c.len() > 1 { A[(n >> 6) as usize & 63] } else { b'=' },
            if c.len() > 2 { A[n as usize & 63] } else { b'=' },
        ];
        out.extend_from_slice(&enc);
        line += 4;
        if line == 76 {
            out.extend_from_slice(b"\r\n");
            line = 0;
        }
    }
    if line != 0 {
        out.extend_from_slice(b"\r\n");
    }
}

/// Quoted-printable, soft line breaks so no line exceeds 76 characters.
fn qp_lines(text: &str, out: &mut Vec<u8>) {
    for line in text.split('\n') {
        let mut col = 0;
        for &b in line.as_bytes() {
            let esc = !(b == b' ' || (b'!'..=b'~').contains(&b)) || b == b'=';
            let w = if esc { 3 } else { 1 };
            if col + w > 75 {
                out.extend_from_slice(b"=\r\n");
                col = 0;
            }
            if esc {
                out.extend_from_slice(format!("={b:02X}").as_bytes());
            } else {
                out.push(b);
            }
            col += w;
        }
        out.extend_from_slice(b"\r\n");
    }
}

const WORDS: &[&str] = &[
    "the",
    "quarterly",
    "report",
    "is",
    "attached",
    "Grüße",
    "from",
    "München",
    "please",
    "review",
    "naïve",
    "café",
    "numbers",
    "before",
    "Friday",
    "€",
    "budget",
    "and",
    "the",
    "schedule",
    "ß",
    "déjà",
    "vu",
    "meeting",
    "notes",
    "follow",
    "up",
    "résumé",
    "of",
];

fn prose(rng: &mut Rng, bytes: usize, sep: &str) -> String {
    let mut s = String::new();
    let mut col = 0;
    while s.len() < bytes {
        let w = WORDS[(rng.next() % WORDS.len() as u64) as usize];
        s.push_str(w);
        col += w.chars().count() + 1;
        if col > 60 {
            s.push_str(sep);
            col = 0;
        } else {
            s.push(' ');
        }
    }
    s
}

/// A ~50 KB multipart/mixed message, CRLF, 76-character lines: a
/// quoted-printable UTF-8 text/plain part, an 8bit UTF-8 text/html part and
/// three base64 attachments of pseudo-random bytes. Deterministic.
pub fn synthetic_multipart() -> Vec<u8> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut m = Vec::with_capacity(56 * 1024);
    m.extend_from_slice(
        b"Return-Path: <ann@example.com>\r\n\
Received: from mx.example.com (mx.example.com [192.0.2.1])\r\n\
\tby mail.example.org with ESMTPS id 4XyZ123; Tue, 1 Dec 2026 08:00:01 +0100\r\n\
From: =?utf-8?q?Ann_M=C3=BCller?= <ann@example.com>\r\n\
To: Bob <bob@example.org>, carol@example.org\r\n\
Cc: \"Team\" <team@example.org>\r\n\
Subject: =?utf-8?q?Quartalsbericht_=E2=80=93_Q4?= and attachments\r\n\
Date: Tue, 1 Dec 2026 08:00:00 +0100\r\n\
Message-ID: <20261201080000.12345@example.com>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"=_mixed_0123456789abcdef\"\r\n\
\r\n\
This is a multi-part message in MIME format.\r\n\
\r\n\
--=_mixed_0123456789abcdef\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n",
    );
    qp_lines(&prose(&mut rng, 7 * 1024, "\n"), &mut m);
    m.extend_from_slice(
        b"\r\n--=_mixed_0123456789abcdef\r\n\
Content-Type: text/html; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
<html><body>\r\n",
    );
    let html = prose(&mut rng, 7 * 1024, "</p>\r\n<p>");
    m.extend_from_slice(b"<p>");
    m.extend_from_slice(html.as_bytes());
    m.extend_from_slice(b"</p>\r\n</body></html>\r\n");
    for (i, (ct, name)) in [
        ("application/pdf", "report.pdf"),
        ("image/png", "chart.png"),
        ("application/octet-stream", "data.bin"),
    ]
    .iter()
    .enumerate()
    {
        m.extend_from_slice(
            format!(
                "\r\n--=_mixed_0123456789abcdef\r\n\
Content-Type: {ct}; name=\"{name}\"\r\n\
Content-Disposition: attachment; filename=\"{name}\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n"
            )
            .as_bytes(),
        );
        let len = 8 * 1024 + 512 * i;
        let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        base64_lines(&data, &mut m);
    }
    m.extend_from_slice(b"\r\n--=_mixed_0123456789abcdef--\r\n");
    m
}

// ----------------------------------------------------------- mailwire-mime

/// mailwire-mime full parse.
pub fn mailwire_full(raw: &[u8], t: &mut Tally) {
    let msg = mailwire_mime::Message::parse(raw);
    t.messages += 1;
    for p in msg.parts() {
        if matches!(p.body(), mailwire_mime::PartBody::Leaf) {
            if p.is_text() {
                t.text(p.decode_text().0.len());
            } else {
                t.bin(p.decoded().len());
            }
        }
    }
    black_box(msg.subject());
    black_box(msg.from());
    black_box(msg.date());
}

/// mailwire-mime headers only.
pub fn mailwire_headers(raw: &[u8], t: &mut Tally) {
    let msg = mailwire_mime::Message::parse(raw);
    read_mailwire_headers(&msg, t);
}

/// The header reads of the `headers_*` workloads.
fn read_mailwire_headers(msg: &mailwire_mime::Message<'_>, t: &mut Tally) {
    t.messages += 1;
    black_box(msg.subject());
    black_box(msg.from());
    black_box(msg.to());
    black_box(msg.date());
    black_box(msg.message_id());
}

/// mailwire-mime headers only, through `Message::parse_headers` (the top
/// header block alone; no MIME tree).
pub fn mailwire_header_block(raw: &[u8], t: &mut Tally) {
    let msg = mailwire_mime::Message::parse_headers(raw);
    read_mailwire_headers(&msg, t);
}

// ------------------------------------------------------------- mail-parser

pub use mail_parser::MessageParser;

/// mail-parser 1.x full parse. `parser` is built once
/// (`MessageParser::default()`), as its docs recommend.
pub fn mail_parser_full(parser: &MessageParser, raw: &[u8], t: &mut Tally) {
    use mail_parser::PartKind;
    let Some(msg) = parser.parse(raw) else {
        return;
    };
    t.messages += 1;
    // `parts()` is every part of every message, nested ones included.
    for part in msg.parts() {
        match part.kind() {
            PartKind::Text | PartKind::Html => {
                t.text(part.text().map_or(0, |s| s.len()));
            }
            PartKind::Binary | PartKind::InlineBinary => t.bin(part.decoded().len()),
            PartKind::Multipart | PartKind::Message(_) => {}
        }
    }
    let root = msg.root();
    black_box(root.subject());
    black_box(root.from());
    black_box(root.date());
}

/// mail-parser headers only (through `parse`, like the other two; its
/// `parse_headers` entry point would skip the MIME tree).
pub fn mail_parser_headers(parser: &MessageParser, raw: &[u8], t: &mut Tally) {
    let Some(msg) = parser.parse(raw) else {
        return;
    };
    read_mail_parser_headers(&msg, t);
}

/// The header reads of the `headers_*` workloads.
fn read_mail_parser_headers(msg: &mail_parser::Message<'_>, t: &mut Tally) {
    t.messages += 1;
    let root = msg.root();
    black_box(root.subject());
    black_box(root.from());
    black_box(root.to());
    black_box(root.date());
    black_box(root.message_id());
}

/// mail-parser headers only, through `MessageParser::parse_headers` (the
/// root header block; every field still parsed into its typed form).
pub fn mail_parser_header_block(parser: &MessageParser, raw: &[u8], t: &mut Tally) {
    let Some(msg) = parser.parse_headers(raw) else {
        return;
    };
    read_mail_parser_headers(&msg, t);
}

// --------------------------------------------------------------- mailparse

fn mailparse_walk(part: &mailparse::ParsedMail<'_>, t: &mut Tally, depth: usize) {
    use mailparse::body::Body;
    if !part.subparts.is_empty() {
        for sp in &part.subparts {
            mailparse_walk(sp, t, depth);
        }
        return;
    }
    let mime = part.ctype.mimetype.as_str();
    if mime.starts_with("text/") {
        t.text(part.get_body().map_or(0, |s| s.len()));
    } else if (mime == "message/rfc822" || mime == "message/global") && depth < 64 {
        // mailparse does not open nested messages: parse 7bit/8bit/binary
        // ones in place (as the other two do); decode encoded ones as bytes
        // (as mailwire-mime does).
        match part.get_body_encoded() {
            Body::SevenBit(b) | Body::EightBit(b) => mailparse_nested(b.get_raw(), t, depth),
            Body::Binary(b) => mailparse_nested(b.get_raw(), t, depth),
            _ => t.bin(part.get_body_raw().map_or(0, |v| v.len())),
        }
    } else {
        t.bin(part.get_body_raw().map_or(0, |v| v.len()));
    }
}

fn mailparse_nested(raw: &[u8], t: &mut Tally, depth: usize) {
    match mailparse::parse_mail(raw) {
        Ok(m) => mailparse_walk(&m, t, depth + 1),
        Err(_) => t.bin(raw.len()),
    }
}

/// mailparse full parse.
pub fn mailparse_full(raw: &[u8], t: &mut Tally) {
    use mailparse::MailHeaderMap;
    let Ok(mail) = mailparse::parse_mail(raw) else {
        return;
    };
    t.messages += 1;
    mailparse_walk(&mail, t, 0);
    black_box(mail.headers.get_first_value("Subject"));
    black_box(mail.headers.get_first_header("From").map(mailparse::addrparse_header));
    black_box(mail.headers.get_first_value("Date").map(|d| mailparse::dateparse(&d)));
}

/// mailparse headers only (through `parse_mail`, like the other two).
pub fn mailparse_headers(raw: &[u8], t: &mut Tally) {
    use mailparse::MailHeaderMap;
    let Ok(mail) = mailparse::parse_mail(raw) else {
        return;
    };
    t.messages += 1;
    let h = &mail.headers;
    black_box(h.get_first_value("Subject"));
    black_box(h.get_first_header("From").map(mailparse::addrparse_header));
    black_box(h.get_first_header("To").map(mailparse::addrparse_header));
    black_box(h.get_first_value("Date").map(|d| mailparse::dateparse(&d)));
    black_box(h.get_first_value("Message-ID").map(|d| mailparse::msgidparse(&d)));
}

/// mailparse headers only, through `mailparse::parse_headers`.
pub fn mailparse_header_block(raw: &[u8], t: &mut Tally) {
    use mailparse::MailHeaderMap;
    let Ok((h, _)) = mailparse::parse_headers(raw) else {
        return;
    };
    t.messages += 1;
    black_box(h.get_first_value("Subject"));
    black_box(h.get_first_header("From").map(mailparse::addrparse_header));
    black_box(h.get_first_header("To").map(mailparse::addrparse_header));
    black_box(h.get_first_value("Date").map(|d| mailparse::dateparse(&d)));
    black_box(h.get_first_value("Message-ID").map(|d| mailparse::msgidparse(&d)));
}

// ------------------------------------------------------------------ driver

/// The three libraries.
pub const LIBS: [&str; 3] = ["mailwire", "mail-parser", "mailparse"];

/// What one iteration does with each message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Parse, decode every leaf, read Subject/From/Date.
    Full,
    /// Parse with the message entry point, read five top-level fields.
    Headers,
    /// The same reads through each library's header-block entry point.
    HeaderBlock,
}

/// Runs one library's workload once over `msgs`.
pub fn run(lib: &str, work: Workload, parser: &MessageParser, msgs: &[Vec<u8>]) -> Tally {
    use Workload::*;
    let mut t = Tally::default();
    for m in msgs {
        let m = black_box(m.as_slice());
        match (lib, work) {
            ("mailwire", Full) => mailwire_full(m, &mut t),
            ("mailwire", Headers) => mailwire_headers(m, &mut t),
            ("mailwire", HeaderBlock) => mailwire_header_block(m, &mut t),
            ("mail-parser", Full) => mail_parser_full(parser, m, &mut t),
            ("mail-parser", Headers) => mail_parser_headers(parser, m, &mut t),
            ("mail-parser", HeaderBlock) => mail_parser_header_block(parser, m, &mut t),
            ("mailparse", Full) => mailparse_full(m, &mut t),
            ("mailparse", Headers) => mailparse_headers(m, &mut t),
            ("mailparse", HeaderBlock) => mailparse_header_block(m, &mut t),
            _ => panic!("unknown library {lib}"),
        }
    }
    t
}

/// Every benchmark group: (criterion group name, messages, workload).
pub type Group = (&'static str, Vec<Vec<u8>>, Workload);

/// Every benchmark group, in the order they run.
pub fn groups() -> Result<Vec<Group>, String> {
    let files = load_file_corpora()?;
    let mut out: Vec<Group> = Vec::new();
    let mut header_msgs = Vec::new();
    for c in files {
        if c.name != "torture" {
            header_msgs.extend(c.messages.iter().cloned());
        }
        out.push((c.name, c.messages, Workload::Full));
    }
    out.push(("multipart-50k", vec![synthetic_multipart()], Workload::Full));
    out.push(("headers-only", header_msgs.clone(), Workload::Headers));
    out.push(("headers-block", header_msgs, Workload::HeaderBlock));
    Ok(out)
}
