//! Side-by-side DKIM benchmark: mailwire-auth vs Stalwart's mail-auth
//! 0.15.1 (RustCrypto backend: `rsa` 0.9, `ed25519-dalek` 3, `sha2` 0.11).
//! See README.md ("DKIM").
//!
//! Groups `dkim-{sign,verify}-{rsa2048,ed25519}-{2k,64k,1m}`, each with
//! `Throughput::Bytes(message bytes)` and the functions `mailwire` and
//! `mail-auth`. The messages are generated once: a 1.4 KB header block
//! (three folded Received, From, To, Cc, Subject, Date, Message-ID,
//! In-Reply-To, References, MIME, List-*) and a plain-text body of 2 KB,
//! 64 KB or 1 MB (English-like prose wrapped at 60-72 columns, paragraphs,
//! quoted replies, some double spaces and trailing white space, CRLF).
//! Both sides sign the same 13 header fields (`h=`, one instance each) with
//! relaxed/relaxed canonicalisation and SHA-256.
//!
//! - sign: `Signer::sign(message, Some(&rng))` (the `DKIM-Signature:`
//!   field as a `String`) vs `DkimSigner::sign(message)` then
//!   `Signature::to_header()`: header parsing, header and body
//!   canonicalisation, both hashes, the private-key operation, base64 and
//!   the field.
//! - verify: the message signed by mailwire (its field prepended);
//!   `dkim::verify(message, &MemoryResolver, &VerifyOptions::at(now))` vs
//!   `AuthenticatedMessage::parse(message)` then
//!   `MessageAuthenticator::verify_dkim(Parameters::new(&m).with_cache(&c))`,
//!   the future polled once (it must be ready: the cache answers). Both
//!   sides parse the key record from the TXT string on every call
//!   (`MemoryResolver` hands out the raw record; the bench's mail-auth cache
//!   keeps the raw TXT string and runs `DomainKey::parse` in `get`), so
//!   each does header parsing, the signature tags, key record parsing,
//!   both canonicalisations, both hashes and the public-key check.
//!
//! Before measuring, every message is signed by both, and each side's
//! signature is verified by both (all four must pass). The timed functions
//! are `#[inline(never)]` so that a profiler sees each as one symbol.
//!
//! `MAILWIRE_DKIM_PHASES=1` prints, per message, how long each phase of
//! verification takes in mailwire (header parse, header canonicalisation,
//! body hash, key record, signature check) measured through the public API,
//! SHA-256 alone over the body, a prototype of a faster relaxed body hash
//! (checked against `BodyHasher`), and the Ed25519 and RSA operations alone
//! (ring vs ed25519-dalek).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::hint::black_box;
use std::task::{Context, Poll, Waker};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use criterion::{Criterion, Throughput};
use mail_auth::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::dkim::{Canonicalization, DkimSigner, DomainKey};
use mail_auth::dns::TxtRecordParser;
use mail_auth::headers::HeaderWriter;
use mail_auth::{
    AuthenticatedMessage, DkimResult as TheirResult, DnsCache, MessageAuthenticator, NoCache, Parameters,
    ResolverCache, TxtRecord,
};
use mailwire_auth::SystemRandom;
use mailwire_auth::dkim::{self, Signer, SigningKey, Status, VerifyOptions};
use mailwire_auth::dns::MemoryResolver;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;

/// Test keys only (generated with `openssl genpkey`).
const RSA_PEM: &[u8] = include_bytes!("../data/dkim-rsa-2048.pem");
const ED25519_PEM: &[u8] = include_bytes!("../data/dkim-ed25519.pem");

const DOMAIN: &str = "example.com";

/// The fields both sides sign (each present once in the messages).
const HEADERS: [&str; 13] = [
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "List-Id",
    "List-Unsubscribe",
];

const SIZES: [(&str, usize); 3] = [("2k", 2 * 1024), ("64k", 64 * 1024), ("1m", 1024 * 1024)];

// ---------------------------------------------------------------- inputs

#[rustfmt::skip]
const WORDS: &[&str] = &[
    "the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by",
    "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had",
    "they", "you", "were", "their", "one", "all", "we", "can", "her", "has", "there", "been", "if",
    "more", "when", "will", "would", "who", "so", "no", "meeting", "release", "schedule", "review",
    "deployment", "quarterly", "numbers", "attached", "please", "thanks", "regarding", "proposal",
    "server", "configuration", "mailbox", "delivery", "tomorrow", "afternoon", "discussion",
    "customer", "invoice", "question", "answer", "project", "timeline", "budget", "estimate",
    "feedback", "document", "version", "update", "agenda", "summary", "colleagues", "department",
    "(see", "below)", "e.g.", "i.e.", "etc.", "2026,", "v1.4.2", "10:30", "EUR", "100%",
    "https://intranet.example.com/wiki/Planning", "<alice@example.com>",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn header_block(size_name: &str) -> String {
    let mut h = String::new();
    h.push_str(
        "Received: from mail-relay.example.net (mail-relay.example.net [198.51.100.23])\r\n\
         \tby mx1.example.org (Postfix) with ESMTPS id 4ZxQ7k2TqNz9sWb\r\n\
         \tfor <bob@example.org>; Tue, 14 Apr 2026 10:31:07 +0200 (CEST)\r\n",
    );
    h.push_str(
        "Received: from smtp.example.com (smtp.example.com [203.0.113.5])\r\n\
         \tby mail-relay.example.net with ESMTPSA id 8a1f2c3d\r\n\
         \t(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\r\n\
         \tTue, 14 Apr 2026 08:31:05 +0000\r\n",
    );
    h.push_str(
        "Received: from [192.0.2.44] (laptop.example.com [192.0.2.44])\r\n\
         \tby smtp.example.com (Postfix) with ESMTPSA id 1C2D3E4F5A\r\n\
         \tTue, 14 Apr 2026 10:31:02 +0200 (CEST)\r\n",
    );
    h.push_str("From: Alice Example <alice@example.com>\r\n");
    h.push_str("To: Bob Receiver <bob@example.org>, \"Carol, the Reviewer\" <carol@example.org>\r\n");
    h.push_str("Cc: team-planning@lists.example.com\r\n");
    h.push_str(&format!(
        "Subject: Re: Q2 release schedule and  the deployment\r\n plan for the mail cluster ({size_name})\r\n"
    ));
    h.push_str("Date: Tue, 14 Apr 2026 10:31:00 +0200\r\n");
    h.push_str("Message-ID: <20260414083100.4F5A1C2D3E@smtp.example.com>\r\n");
    h.push_str("In-Reply-To: <CAB3x9Qm7=release-plan@mail.example.org>\r\n");
    h.push_str(
        "References: <CAA1y2Zp4=kickoff@mail.example.org>\r\n\
         \t<CAB3x9Qm7=release-plan@mail.example.org>\r\n",
    );
    h.push_str("MIME-Version: 1.0\r\n");
    h.push_str("Content-Type: text/plain; charset=\"utf-8\"; format=flowed\r\n");
    h.push_str("Content-Transfer-Encoding: 8bit\r\n");
    h.push_str("List-Id: Team planning <team-planning.lists.example.com>\r\n");
    h.push_str(
        "List-Unsubscribe: <mailto:team-planning-leave@lists.example.com>,\r\n \
         <https://lists.example.com/unsubscribe/team-planning>\r\n",
    );
    h.push_str("X-Mailer: Example Mail 12.3\r\n");
    h
}

/// Prose of about `size` bytes: wrapped lines, paragraphs, quoted blocks,
/// a signature separator ("-- " with its trailing space).
fn body(size: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut out = String::with_capacity(size + 128);
    out.push_str("Hi Bob,\r\n\r\n");
    while out.len() < size {
        let quoted = rng.below(6) == 0;
        let lines = 3 + rng.below(6);
        for _ in 0..lines {
            let mut line = String::from(if quoted { "> " } else { "" });
            let width = 60 + rng.below(13);
            while line.len() < width {
                if line.len() > 2 || (!quoted && !line.is_empty()) {
                    // Mostly one space; sometimes two (after a sentence).
                    line.push_str(if rng.below(25) == 0 { "  " } else { " " });
                }
                line.push_str(WORDS[rng.below(WORDS.len())]);
            }
            if rng.below(20) == 0 {
                line.push_str(" \t"); // trailing white space
            }
            out.push_str(&line);
            out.push_str("\r\n");
        }
        out.push_str("\r\n");
    }
    out.push_str("Best regards,\r\nAlice\r\n\r\n-- \r\nAlice Example, Release Engineering\r\n");
    out
}

struct Msg {
    name: &'static str,
    raw: Vec<u8>,
}

fn messages() -> Vec<Msg> {
    SIZES
        .iter()
        .enumerate()
        .map(|(i, &(name, size))| {
            let raw = format!("{}\r\n{}", header_block(name), body(size, 0x9e37_79b9_7f4a_7c15 + i as u64));
            Msg { name, raw: raw.into_bytes() }
        })
        .collect()
}

// ---------------------------------------------------------------- mail-auth plumbing

/// mail-auth's TXT cache, holding the raw record strings: `get` parses
/// the key record on every call (as mailwire does with the answer of its
/// resolver), so both sides do the key-record parsing.
struct RawTxtCache(HashMap<Box<str>, Vec<u8>>);

impl ResolverCache<Box<str>, TxtRecord> for RawTxtCache {
    fn get<Q>(&self, name: &Q) -> Option<TxtRecord>
    where
        Box<str>: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.get(name).map(|raw| TxtRecord::from(DomainKey::parse(raw)))
    }

    fn remove<Q>(&self, _: &Q) -> Option<TxtRecord>
    where
        Box<str>: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        None
    }

    fn insert(&self, _: Box<str>, _: TxtRecord, _: std::time::Instant) {}
}

struct Caches {
    txt: RawTxtCache,
}

impl DnsCache for Caches {
    type Txt = RawTxtCache;
    type Mx = NoCache;
    type Ipv4 = NoCache;
    type Ipv6 = NoCache;
    type Ptr = NoCache;

    fn txt(&self) -> Option<&RawTxtCache> {
        Some(&self.txt)
    }
    fn mx(&self) -> Option<&NoCache> {
        None
    }
    fn ipv4(&self) -> Option<&NoCache> {
        None
    }
    fn ipv6(&self) -> Option<&NoCache> {
        None
    }
    fn ptr(&self) -> Option<&NoCache> {
        None
    }
}

/// Polls `f` once: with every key in the cache, mail-auth's verifier never
/// waits, so this is the whole call (and proves no query was sent).
fn ready<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("mail-auth is waiting for DNS: the key should have come from the cache"),
    }
}

// ---------------------------------------------------------------- the sides

#[derive(Clone, Copy)]
enum Alg {
    Rsa,
    Ed25519,
}

impl Alg {
    fn name(self) -> &'static str {
        match self {
            Alg::Rsa => "rsa2048",
            Alg::Ed25519 => "ed25519",
        }
    }
    fn selector(self) -> &'static str {
        match self {
            Alg::Rsa => "rsa",
            Alg::Ed25519 => "ed",
        }
    }
    fn pem(self) -> &'static [u8] {
        match self {
            Alg::Rsa => RSA_PEM,
            Alg::Ed25519 => ED25519_PEM,
        }
    }
}

enum TheirSigner {
    Rsa(DkimSigner<RsaKey<Sha256>, mail_auth::signer::Ready>),
    Ed25519(DkimSigner<Ed25519Key, mail_auth::signer::Ready>),
}

fn our_signer(alg: Alg) -> Signer {
    let key = SigningKey::from_pem(alg.pem()).expect("our key");
    Signer::new(key, DOMAIN, alg.selector()).with_headers(HEADERS).with_timestamp(now())
}

fn their_signer(alg: Alg) -> TheirSigner {
    match alg {
        Alg::Rsa => {
            let der = PrivateKeyDer::from_pem_slice(RSA_PEM).expect("PEM");
            let key = RsaKey::<Sha256>::from_key_der(der).expect("mail-auth RSA key");
            TheirSigner::Rsa(
                DkimSigner::from_key(key)
                    .domain(DOMAIN)
                    .selector(alg.selector())
                    .headers(HEADERS)
                    .header_canonicalization(Canonicalization::Relaxed)
                    .body_canonicalization(Canonicalization::Relaxed),
            )
        }
        Alg::Ed25519 => {
            let der = PrivateKeyDer::from_pem_slice(ED25519_PEM).expect("PEM");
            let key = Ed25519Key::from_pkcs8_der(der.secret_der()).expect("mail-auth Ed25519 key");
            TheirSigner::Ed25519(
                DkimSigner::from_key(key)
                    .domain(DOMAIN)
                    .selector(alg.selector())
                    .headers(HEADERS)
                    .header_canonicalization(Canonicalization::Relaxed)
                    .body_canonicalization(Canonicalization::Relaxed),
            )
        }
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[inline(never)]
fn ours_sign(signer: &Signer, rng: &SystemRandom, msg: &[u8]) -> String {
    signer.sign(msg, Some(rng)).expect("mailwire signs")
}

#[inline(never)]
fn theirs_sign(signer: &TheirSigner, msg: &[u8]) -> String {
    match signer {
        TheirSigner::Rsa(s) => s.sign(msg).expect("mail-auth signs").to_header(),
        TheirSigner::Ed25519(s) => s.sign(msg).expect("mail-auth signs").to_header(),
    }
}

#[inline(never)]
fn ours_verify(msg: &[u8], zone: &MemoryResolver, opts: &VerifyOptions) -> usize {
    let results = dkim::verify(msg, zone, opts);
    results.iter().filter(|r| r.status == Status::Pass).count()
}

#[inline(never)]
fn theirs_verify(msg: &[u8], auth: &MessageAuthenticator, caches: &Caches) -> usize {
    let m = AuthenticatedMessage::parse(msg).expect("mail-auth parses");
    let out = ready(auth.verify_dkim(Parameters::new(&m).with_cache(caches)));
    out.iter().filter(|o| *o.result() == TheirResult::Pass).count()
}

fn signed(field: &str, msg: &[u8]) -> Vec<u8> {
    [field.as_bytes(), msg].concat()
}

/// µs per run of `f`: the mean over `n` runs, in the fastest of 7 batches
/// (the machine is shared: the fastest batch is the least disturbed).
fn time_us(n: usize, f: &mut dyn FnMut()) -> f64 {
    f();
    let n = n.div_ceil(7).max(1);
    (0..7)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// mailwire's verification split into phases through the public API (for
/// `MAILWIRE_DKIM_PHASES=1`): µs of each, as `time_us` measures.
#[allow(clippy::too_many_arguments)]
fn phases(
    label: &str,
    alg: Alg,
    unsigned: &[u8],
    msg: &[u8],
    signer: &Signer,
    record: &[u8],
    zone: &MemoryResolver,
    opts: &VerifyOptions,
) {
    let n = if msg.len() > 500_000 {
        70
    } else if msg.len() > 50_000 {
        700
    } else {
        3500
    };
    let parsed = mailwire_mime::Message::parse_headers(msg);
    let at = parsed.root().body_offset().min(msg.len());
    let (header, body) = (&msg[..at], &msg[at..]);
    let t_headers = time_us(n, &mut || {
        black_box(mailwire_mime::Message::parse_headers(black_box(header)));
    });
    let t_from_header = time_us(n, &mut || {
        black_box(dkim::Verifier::from_header(black_box(header), opts.clone()));
    });
    let t_body = time_us(n, &mut || {
        let mut h = dkim::BodyHasher::new(dkim::Canon::Relaxed, dkim::HashAlgorithm::Sha256, None);
        h.update(black_box(body));
        black_box(h.finish());
    });
    let t_key = time_us(n, &mut || {
        black_box(dkim::KeyRecord::parse(black_box(record)).ok());
    });
    let t_all = time_us(n, &mut || {
        black_box(dkim::verify(black_box(msg), zone, opts));
    });
    let t_sha = time_us(n, &mut || {
        black_box(ring::digest::digest(&ring::digest::SHA256, black_box(body)));
    });
    let t_proto = time_us(n, &mut || {
        black_box(proto_relaxed_body_hash(black_box(body)));
    });
    let rng = SystemRandom::new();
    let t_sign = time_us(n, &mut || {
        black_box(ours_sign(signer, &rng, black_box(unsigned)));
    });
    // The key operation alone over data of the size the signer signs (the
    // canonical header fields and the signature field: about 800 bytes).
    let key = SigningKey::from_pem(alg.pem()).expect("key");
    let data = [0x5au8; 800];
    let t_key_op = time_us(n.min(700), &mut || {
        black_box(key.sign_raw(black_box(&data), Some(&rng)).expect("sign"));
    });
    let mib = |t: f64| body.len() as f64 / t / 1.048_576;
    println!(
        "  {label:<12} verify {t_all:8.1} µs = header parse {t_headers:5.1} + rest of from_header (DKIM-Signature tags, \
         header canon) {:5.1} + body canon+hash {t_body:8.1} ({:4.0} MiB/s) + key record {t_key:4.1} + the rest \
         (public-key check, second header parse, results) {:6.1}",
        t_from_header - t_headers,
        mib(t_body),
        t_all - t_from_header - t_body - t_key,
    );
    println!(
        "  {:<12} body: SHA-256 alone {t_sha:8.1} µs ({:4.0} MiB/s); prototype relaxed canon+hash {t_proto:8.1} µs ({:4.0} MiB/s)",
        "",
        mib(t_sha),
        mib(t_proto),
    );
    println!(
        "  {:<12} sign {t_sign:8.1} µs = body canon+hash {t_body:8.1} + key operation (sign_raw, 800 bytes) {t_key_op:7.1} \
         + the rest (header parse, header canon, the field) {:6.1}",
        "",
        t_sign - t_body - t_key_op,
    );
}

/// A prototype of a faster relaxed body hash (for the phases report, not
/// used in the timed functions). Lines are found with `memchr`; in each,
/// the spots where relaxed canonicalisation changes something (a tab, two
/// white-space characters in a row, trailing white space, a bare LF) are
/// found with SIMD searches (`memmem` for two spaces, `memchr` for a tab),
/// not byte by byte. Lines with no such spot (and no held-back empty lines
/// before them) are hashed straight from the input, in runs of whole
/// lines; the others are copied segment by segment into a buffer hashed
/// every 16 KB. So `Context::update` sees few, large inputs.
fn proto_relaxed_body_hash(body: &[u8]) -> Vec<u8> {
    let two_spaces = memchr::memmem::Finder::new(b"  ");
    let spot = |s: &[u8]| -> Option<usize> {
        let a = two_spaces.find(s);
        let b = memchr::memchr(b'\t', s);
        let i = match (a, b) {
            (Some(a), Some(b)) => a.min(b),
            (x, None) | (None, x) => x?,
        };
        // Back to the start of the white-space run ("x \ty": the space).
        let mut i = i;
        while i > 0 && matches!(s[i - 1], b' ' | b'\t') {
            i -= 1;
        }
        Some(i)
    };
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024 + 1024);
    let mut pending = 0usize;
    let mut run_start = 0usize;
    let mut in_run = false;
    let mut pos = 0usize;
    while pos < body.len() {
        let (line_end, next) = match memchr::memchr(b'\n', &body[pos..]) {
            Some(i) => (pos + i, pos + i + 1),
            None => (body.len(), body.len()),
        };
        let line = &body[pos..line_end];
        let has_lf = next > line_end;
        let (content, crlf) = match line.split_last() {
            Some((b'\r', rest)) if has_lf => (rest, true),
            _ => (line, false),
        };
        let mut trimmed = content.len();
        while trimmed > 0 && matches!(content[trimmed - 1], b' ' | b'\t') {
            trimmed -= 1;
        }
        let text = &content[..trimmed];
        let first_spot = if trimmed > 0 { spot(text) } else { None };
        if crlf && pending == 0 && trimmed == content.len() && trimmed > 0 && first_spot.is_none() {
            // Canonical as it is: extend the run of verbatim lines.
            if !in_run {
                if !buf.is_empty() {
                    ctx.update(&buf);
                    buf.clear();
                }
                run_start = pos;
                in_run = true;
            }
        } else {
            if in_run {
                ctx.update(&body[run_start..pos]);
                in_run = false;
            }
            if trimmed == 0 {
                if has_lf {
                    pending += 1;
                }
            } else {
                for _ in 0..pending {
                    buf.extend_from_slice(b"\r\n");
                }
                pending = 0;
                let mut rest = text;
                let mut at = first_spot;
                while let Some(i) = at {
                    buf.extend_from_slice(&rest[..i]);
                    buf.push(b' ');
                    let mut j = i;
                    while matches!(rest[j], b' ' | b'\t') {
                        j += 1; // ends before the end: `text` is trimmed
                    }
                    rest = &rest[j..];
                    at = spot(rest);
                }
                buf.extend_from_slice(rest);
                buf.extend_from_slice(b"\r\n");
                if buf.len() >= 16 * 1024 {
                    ctx.update(&buf);
                    buf.clear();
                }
            }
        }
        pos = next;
    }
    if in_run {
        ctx.update(&body[run_start..]);
    }
    ctx.update(&buf);
    ctx.finish().as_ref().to_vec()
}

/// Crypto alone (`MAILWIRE_DKIM_PHASES=1`): ring (mailwire-auth's backend)
/// and ed25519-dalek 3 (mail-auth's), signing and verifying a 32-byte
/// digest, as DKIM does.
fn crypto_alone() {
    use ring::signature::{Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair, UnparsedPublicKey};
    let digest = [0x5au8; 32];
    let der = PrivateKeyDer::from_pem_slice(ED25519_PEM).expect("PEM");
    let ring_ed = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der.secret_der()).expect("ring ed25519");
    let seed: [u8; 32] = der.secret_der()[der.secret_der().len() - 32..].try_into().expect("seed");
    let dalek = ed25519_dalek::SigningKey::from_bytes(&seed);
    assert_eq!(dalek.verifying_key().as_bytes(), ring_ed.public_key().as_ref());
    let sig = ring_ed.sign(&digest);
    let public = UnparsedPublicKey::new(&ring::signature::ED25519, ring_ed.public_key().as_ref().to_vec());
    let dsig = ed25519_dalek::Signature::from_bytes(sig.as_ref().try_into().expect("64 bytes"));
    let n = 3000;
    let r_sign = time_us(n, &mut || {
        black_box(ring_ed.sign(black_box(&digest)));
    });
    let d_sign = time_us(n, &mut || {
        use ed25519_dalek::Signer as _;
        black_box(dalek.sign(black_box(&digest)));
    });
    let r_verify = time_us(n, &mut || {
        assert!(public.verify(black_box(&digest), sig.as_ref()).is_ok());
    });
    let d_verify = time_us(n, &mut || {
        assert!(dalek.verifying_key().verify_strict(black_box(&digest), &dsig).is_ok());
    });
    let d_parse_verify = time_us(n, &mut || {
        let vk = ed25519_dalek::VerifyingKey::from_bytes(dalek.verifying_key().as_bytes()).expect("key");
        assert!(vk.verify_strict(black_box(&digest), &dsig).is_ok());
    });
    println!(
        "crypto alone, Ed25519 over a 32-byte digest: sign ring {r_sign:.1} µs, ed25519-dalek {d_sign:.1} µs; \
         verify ring {r_verify:.1} µs, ed25519-dalek verify_strict {d_verify:.1} µs ({d_parse_verify:.1} µs with key decompression)"
    );
    let der = PrivateKeyDer::from_pem_slice(RSA_PEM).expect("PEM");
    let rsa = RsaKeyPair::from_pkcs8(der.secret_der()).expect("ring RSA");
    let rng = SystemRandom::new();
    let mut out = vec![0; rsa.public().modulus_len()];
    let data = [0x5au8; 600];
    let n = 300;
    let r_sign = time_us(n, &mut || {
        rsa.sign(&RSA_PKCS1_SHA256, &rng, black_box(&data), &mut out).expect("sign");
    });
    let public =
        UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, rsa.public().as_ref().to_vec());
    let sig = out.clone();
    let r_verify = time_us(n * 10, &mut || {
        assert!(public.verify(black_box(&data), &sig).is_ok());
    });
    println!("crypto alone, RSA-2048 (ring) over 600 bytes: sign {r_sign:.1} µs, verify {r_verify:.1} µs");
}

// ---------------------------------------------------------------- main

fn main() {
    let msgs = messages();
    let rng = SystemRandom::new();
    let algs = [Alg::Rsa, Alg::Ed25519];

    // Key records: published from our keys, read by both.
    let mut zone = MemoryResolver::new();
    let mut raw = HashMap::new();
    let mut records = HashMap::new();
    for alg in algs {
        let record = SigningKey::from_pem(alg.pem()).expect("key").key_record();
        let name = format!("{}._domainkey.{DOMAIN}", alg.selector());
        zone.add_txt(&name, &[record.as_bytes()]);
        raw.insert(format!("{name}.").into_boxed_str(), record.clone().into_bytes());
        records.insert(alg.name(), record);
    }
    let caches = Caches { txt: RawTxtCache(raw) };
    let auth = MessageAuthenticator::new_cloudflare().expect("resolver object (never queried)");
    let opts = VerifyOptions::at(now());

    let ours: Vec<Signer> = algs.iter().map(|&a| our_signer(a)).collect();
    let theirs: Vec<TheirSigner> = algs.iter().map(|&a| their_signer(a)).collect();

    // Agreement: each side's signature verifies on both sides.
    let mut verify_inputs = Vec::new();
    for (k, alg) in algs.iter().enumerate() {
        for m in &msgs {
            let a = signed(&ours_sign(&ours[k], &rng, &m.raw), &m.raw);
            let b = signed(&theirs_sign(&theirs[k], &m.raw), &m.raw);
            for (who, s) in [("mailwire", &a), ("mail-auth", &b)] {
                assert_eq!(
                    ours_verify(s, &zone, &opts),
                    1,
                    "{} {}: mailwire rejects {who}'s signature",
                    alg.name(),
                    m.name
                );
                assert_eq!(
                    theirs_verify(s, &auth, &caches),
                    1,
                    "{} {}: mail-auth rejects {who}'s signature",
                    alg.name(),
                    m.name
                );
            }
            println!(
                "{} {:>3}: message {:>8} bytes (header {} bytes, {:.0}% of the body lines changed by relaxed \
                 canonicalisation); both signatures verify on both sides",
                alg.name(),
                m.name,
                m.raw.len(),
                m.raw.len() - body_len(&m.raw),
                changed_lines(&m.raw[m.raw.len() - body_len(&m.raw)..]) * 100.0,
            );
            verify_inputs.push((*alg, m.name, k, a));
        }
    }

    if std::env::var_os("MAILWIRE_DKIM_PHASES").is_some() {
        crypto_alone();
        println!("mailwire verification phases (µs, fastest of 7 batches):");
        for (alg, name, k, s) in &verify_inputs {
            let at = s.len() - body_len(s);
            let body = &s[at..];
            let mut h = dkim::BodyHasher::new(dkim::Canon::Relaxed, dkim::HashAlgorithm::Sha256, None);
            h.update(body);
            assert_eq!(h.finish().0, proto_relaxed_body_hash(body), "prototype body hash differs");
            let unsigned = &msgs.iter().find(|m| m.name == *name).expect("message").raw;
            let label = format!("{} {name}", alg.name());
            phases(&label, *alg, unsigned, s, &ours[*k], records[alg.name()].as_bytes(), &zone, &opts);
        }
    }

    let mut c = Criterion::default().configure_from_args();
    for (k, alg) in algs.iter().enumerate() {
        for m in &msgs {
            let mut g = c.benchmark_group(format!("dkim-sign-{}-{}", alg.name(), m.name));
            g.throughput(Throughput::Bytes(m.raw.len() as u64));
            if m.raw.len() > 500_000 || matches!(alg, Alg::Rsa) {
                g.sample_size(30);
            }
            g.bench_function("mailwire", |b| {
                b.iter(|| black_box(ours_sign(&ours[k], &rng, black_box(&m.raw))))
            });
            g.bench_function("mail-auth", |b| {
                b.iter(|| black_box(theirs_sign(&theirs[k], black_box(&m.raw))))
            });
            g.finish();
        }
    }
    for (alg, name, _, s) in &verify_inputs {
        let mut g = c.benchmark_group(format!("dkim-verify-{}-{name}", alg.name()));
        g.throughput(Throughput::Bytes(s.len() as u64));
        if s.len() > 500_000 {
            g.sample_size(30);
        }
        g.bench_function("mailwire", |b| b.iter(|| black_box(ours_verify(black_box(s), &zone, &opts))));
        g.bench_function("mail-auth", |b| b.iter(|| black_box(theirs_verify(black_box(s), &auth, &caches))));
        g.finish();
    }
    c.final_summary();
}

/// The share of body lines that relaxed body canonicalisation changes (a
/// tab, two white-space characters in a row, trailing white space).
fn changed_lines(body: &[u8]) -> f64 {
    let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    let changed = lines
        .iter()
        .filter(|l| {
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            l.contains(&b'\t') || l.windows(2).any(|w| w == b"  ") || l.ends_with(b" ")
        })
        .count();
    changed as f64 / lines.len() as f64
}

fn body_len(msg: &[u8]) -> usize {
    let p = msg.windows(4).position(|w| w == b"\r\n\r\n").expect("header end");
    msg.len() - (p + 4)
}
