//! RFC 5256 threading against Dovecot: the same mailboxes threaded by a
//! real Dovecot 2.3 (`THREAD REFERENCES UTF-8 ALL` and `THREAD
//! ORDEREDSUBJECT UTF-8 ALL`, asked with Python's `imaplib`,
//! `tests/oracle/imap_thread.py`) and by our `thread` example on an mbox of
//! the same messages must give identical `* THREAD` lines.
//!
//! The mailboxes are generated (a deterministic PRNG, one seed each, 5 to
//! 60 messages): random reply trees whose messages carry `References`,
//! `In-Reply-To` or both (sometimes truncated, contradicting each other, or
//! with a phrase), parents that were never delivered, duplicate and missing
//! `Message-ID`s, subjects shared by unrelated threads with and without
//! `Re:`/`Fwd:`/`[list]` prefixes, `(fwd)` trailers and `[Fwd: …]`
//! wrappers, identical `Date` headers, dates out of order, and messages
//! without a (valid) `Date`, whose sent date is then the internal date.
//! Each message goes into a fresh user's INBOX (CRLF) as a Maildir file
//! whose mtime — Dovecot's internal date for Maildir — is the date of the
//! message's `From ` line in the mbox. The test checks that Dovecot's
//! sequence order is the delivery order and that its INTERNALDATEs are the
//! From-line dates before it compares the threads.
//!
//! Then come directed cases: small mailboxes for one rule each (message-ID
//! syntax, which header wins, base-subject corner cases, RFC 5051 subject
//! comparison, sent-date forms), where the RFCs give one answer and Dovecot
//! gives it too; the cases where Dovecot does not are listed (and left out)
//! after [`directed`]. An empty mailbox is checked on its own: Dovecot
//! answers `* THREAD ` (with a space), RFC 5256 and we `* THREAD`.
//!
//! When the answers differ, a generated mailbox is minimised (delta
//! debugging: messages dropped while the answers still differ, each
//! candidate asked of Dovecot again) and printed, message by message.
//!
//! `THREADING_INTEROP_SEEDS=A..B` runs other seeds (default `0..30`);
//! `THREADING_INTEROP_MBOX=A.mbox,B.mbox` compares those mailboxes instead
//! (internal dates from the From lines) and prints both answers for each.
//!
//! Needs root, Dovecot and python3 (scripts/install-peers.sh); skips
//! otherwise, and fails under `CI=true`.

mod support_peers;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use mailwire_mime::DateTime;
use serde_json::Value;
use support_peers::dovecot::{self, Dovecot};
use support_peers::{Scratch, example, require, root, run_with_limit};

const TEST: &str = "threading_interop";

// ---------------------------------------------------------------------
// The generator.

/// splitmix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// lo..=hi.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One message to deliver.
#[derive(Debug, Clone)]
struct Mail {
    /// `X-Mailwire-Tag`: seed and the message's place in the reply tree.
    tag: String,
    /// The message as delivered: CRLF line ends.
    raw: Vec<u8>,
    /// The internal date: the Maildir file's mtime and the From line's date.
    internal: i64,
    /// The generator's topic and whether the message replies to another
    /// (for the statistics only).
    topic: usize,
    reply: bool,
}

impl Mail {
    /// A message of `headers` (values may be folded with CRLF + WSP) and
    /// a one-line body.
    fn new(tag: String, headers: &[(&str, String)], internal: i64, topic: usize, reply: bool) -> Mail {
        let mut out = String::new();
        for (name, value) in headers {
            let _ = write!(out, "{name}: {value}\r\n");
        }
        let _ = write!(out, "\r\nThis is message {tag}.\r\n");
        Mail { tag, raw: out.into_bytes(), internal, topic, reply }
    }

    /// The header fields, unfolded only as far as the raw value goes
    /// (CRLF kept), as text.
    fn headers(&self) -> Vec<(String, String)> {
        let text = String::from_utf8_lossy(&self.raw);
        let head = text.split("\r\n\r\n").next().unwrap_or("");
        let mut out: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some((_, v)) = out.last_mut() {
                    v.push_str("\r\n");
                    v.push_str(line);
                }
            } else if let Some((name, value)) = line.split_once(':') {
                out.push((name.to_string(), value.trim_start_matches(' ').to_string()));
            }
        }
        out
    }
}

/// A node of the reply tree; some are never delivered.
struct Post {
    id: Option<String>,
    parent: Option<usize>,
    topic: usize,
    date: i64,
    /// The IDs a full `References:` of a reply to this post would list.
    chain: Vec<String>,
}

const TOPICS: &[&str] = &[
    "lunch",
    "Release 1.2 plan",
    "build is broken",
    "Meeting notes",
    "hello",
    "[PATCH] fix the parser",
    "Q3 budget",
    "lunch today?",
    "Re-org",
    "Fwding rules",
    "Café menu",
    "CAFÉ MENU",
    "Cafe\u{301} menu",
    "Grüße aus Köln",
    "ÜBER UNS",
];

const ZONES: &[i16] = &[0, 0, 60, 120, -300, -420, 330, -180];

/// An RFC 5322 date, sometimes without the weekday or with `GMT`.
fn rfc5322_date(rng: &mut Rng, secs: i64) -> String {
    let zone = *rng.pick(ZONES);
    let mut text = DateTime { timestamp: secs, offset_minutes: zone }.to_rfc5322();
    if rng.chance(10) {
        if let Some((_, rest)) = text.split_once(", ") {
            text = rest.to_string();
        }
    }
    if zone == 0 && rng.chance(30) {
        text = text.replace("+0000", "GMT");
    }
    text
}

/// Base64 (for RFC 2047 B-words).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() { ABC[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

/// `text` as RFC 2047 encoded words (UTF-8, Q or B, a word per few
/// characters).
fn encode_words(rng: &mut Rng, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let b = rng.chance(30);
    let mut words = Vec::new();
    for piece in chars.chunks(12) {
        let piece: String = piece.iter().collect();
        if b {
            words.push(format!("=?UTF-8?B?{}?=", base64(piece.as_bytes())));
        } else {
            let mut q = String::new();
            for &byte in piece.as_bytes() {
                match byte {
                    b' ' => q.push('_'),
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'!' | b'*' | b'+' | b'/' => {
                        q.push(byte as char)
                    }
                    _ => {
                        let _ = write!(q, "={byte:02X}");
                    }
                }
            }
            words.push(format!("=?utf-8?q?{q}?="));
        }
    }
    words.join(if rng.chance(20) { "\r\n " } else { " " })
}

/// The `Subject:` value of a decoded subject: as it is when ASCII (mostly),
/// else encoded, all of it or only after an ASCII prefix.
fn subject_header(rng: &mut Rng, decoded: &str) -> String {
    if decoded.is_ascii() && !rng.chance(4) {
        return decoded.to_string();
    }
    let split = if rng.chance(50) { decoded.find(|c: char| !c.is_ascii()).unwrap_or(0) } else { 0 };
    // Encode from a word boundary (an encoded word must stand alone).
    let split = decoded[..split].rfind(' ').map_or(0, |i| i + 1);
    format!("{}{}", &decoded[..split], encode_words(rng, &decoded[split..]))
}

/// A `Date:` in an older or sloppier form than RFC 5322's.
fn odd_date(rng: &mut Rng, secs: i64) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let named: &[(&str, i16)] = &[("EST", -300), ("PDT", -420), ("UT", 0), ("CET", 0), ("-0000", 0)];
    let (zone_text, offset) = match rng.below(3) {
        0 => {
            let (n, o) = *rng.pick(named);
            (n.to_string(), o)
        }
        _ => {
            let o = *rng.pick(ZONES);
            (format!("{}{:02}{:02}", if o < 0 { '-' } else { '+' }, o.abs() / 60, o.abs() % 60), o)
        }
    };
    let d = DateTime { timestamp: secs, offset_minutes: offset };
    let (wd, mon) = (DAYS[d.weekday() as usize - 1], MONTHS[d.month() as usize - 1]);
    let (day, year, h, m, sec) = (d.day(), d.year(), d.hour(), d.minute(), d.second());
    match rng.below(8) {
        0 => format!("{wd}, {day} {mon} {:02} {h:02}:{m:02}:{sec:02} {zone_text}", year % 100),
        1 => format!("{day} {mon} {year} {h:02}:{m:02} {zone_text}"),
        2 => format!("{wd}, {day} {mon} {year} {h:02}:{m:02}:{sec:02} {zone_text} (zone)"),
        3 => format!("{wd}, {day} {} {year} {h:02}:{m:02}:{sec:02} {zone_text}", mon.to_lowercase()),
        4 => format!("{wd}, {day:02} {mon} {year} {h:02}:{m:02}:{sec:02}   {zone_text}"),
        5 => format!("{wd},{day} {mon} {year} {h:02}:{m:02}:{sec:02} {zone_text}"),
        6 => format!("{}, {day} {mon} {year} {h:02}:{m:02}:{sec:02} {zone_text}", wd.to_uppercase()),
        _ => format!("{wd}, {day} {mon} {year} {h:02}:{m:02}:{sec:02}"),
    }
}

/// How a message names the ID `id` (`<local@domain>`): as it is, or with
/// the local part quoted (RFC 5256 §3: the same ID).
fn render_id(rng: &mut Rng, id: &str) -> String {
    match id.strip_prefix('<').and_then(|r| r.strip_suffix('>')).and_then(|r| r.rsplit_once('@')) {
        Some((local, domain)) if !local.contains('"') && rng.chance(3) => format!("<\"{local}\"@{domain}>"),
        _ => id.to_string(),
    }
}

fn subject(rng: &mut Rng, topic: &str, reply: bool) -> Option<String> {
    if rng.chance(3) {
        return None;
    }
    if rng.chance(3) {
        return Some(
            rng.pick(&["", "Re:", "[list]", "Re: [list]", "(fwd)", "Re: Re:", "[fwd: ]", "Fwd: [list]"])
                .to_string(),
        );
    }
    let t = match rng.below(10) {
        0 => topic.to_uppercase(),
        1 => topic.to_lowercase(),
        _ => topic.to_string(),
    };
    const REPLY: &[&str] = &[
        "Re: {}",
        "Re: {}",
        "Re: {}",
        "RE: {}",
        "re:{}",
        "Re: Re: {}",
        "Re[2]: {}",
        "Re [3] : {}",
        "Fwd: {}",
        "Fw: {}",
        "FWD: Re: {}",
        "[list] Re: {}",
        "Re: [list] {}",
        "[list] {}",
        "{} (fwd)",
        "Re: {} (Fwd)",
        "[Fwd: {}]",
        "Re: [Fwd: Re: {}]",
        "Re:  {}",
        "Re:\t{}",
        "{}",
        "{}  ",
        "{}(fwd)",
        "[Fwd: {} (fwd)]",
        "Re :{}",
        "Fwd:Re:Fw: {}",
        "re: [list] RE: [list] {}",
        "[list] [Fwd: {}]",
    ];
    const ROOT: &[&str] =
        &["[list] {}", "Re: {}", "Fwd: {}", "{} (fwd)", "[Fwd: {}]", "[list][other] {}", " {}"];
    let form = if reply {
        *rng.pick(REPLY)
    } else if rng.chance(20) {
        *rng.pick(ROOT)
    } else {
        "{}"
    };
    Some(form.replace("{}", &t))
}

/// The header value listing `ids`, folded when long.
fn id_list(rng: &mut Rng, ids: &[String]) -> String {
    let mut out = String::new();
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            let fold = *rng.pick(&["\r\n ", "\r\n\t"]);
            out.push_str(if i % 3 == 0 { fold } else { " " });
        }
        out.push_str(id);
    }
    out
}

/// The messages of mailbox `seed`, in delivery order.
fn generate(seed: u64) -> Vec<Mail> {
    let mut rng = Rng::new(seed);
    let n = match seed {
        0 => 5,
        1 => 60,
        _ => 5 + rng.below(56),
    };
    let phantoms = rng.below(n / 6 + 2);
    let total = n + phantoms;
    let k = 2 + rng.below(4);
    let mut topics: Vec<usize> = Vec::new();
    while topics.len() < k {
        let t = rng.below(TOPICS.len());
        if !topics.contains(&t) {
            topics.push(t);
        }
    }
    let mut clock = 1_700_000_000 + rng.range(0, 86_400 * 365);
    let mut posts: Vec<Post> = Vec::with_capacity(total);
    for j in 0..total {
        let parent = (j > 0 && rng.chance(65))
            .then(|| if rng.chance(60) { j - 1 - rng.below(j.min(4)) } else { rng.below(j) });
        let topic = match parent {
            Some(p) if rng.chance(88) => posts[p].topic,
            _ => topics[rng.below(k)],
        };
        let id = if rng.chance(7) {
            None
        } else if j > 0 && rng.chance(10) {
            posts[rng.below(j)].id.clone() // a duplicate (or, by chance, none)
        } else if rng.chance(3) {
            Some(format!("<p{j}.s{seed}.{:x}.no-domain>", rng.next() % 0xffff)) // no `@`
        } else {
            let domain = rng.pick(&["example.org", "mail.example.net", "lists.example.com"]);
            Some(format!("<p{j}.s{seed}.{:x}@{domain}>", rng.next() % 0xffff))
        };
        let chain = match parent {
            Some(p) => {
                let mut c = posts[p].chain.clone();
                c.extend(posts[p].id.clone());
                c
            }
            None if rng.chance(5) => vec![format!("<lost{j}.s{seed}@elsewhere.example>")],
            None => Vec::new(),
        };
        clock += rng.range(20, 5_400);
        posts.push(Post { id, parent, topic, date: clock, chain });
    }
    // Which posts are never delivered: the missing parents.
    let mut missing = HashSet::new();
    while missing.len() < phantoms {
        missing.insert(rng.below(total));
    }
    let mut order: Vec<usize> = (0..total).filter(|j| !missing.contains(j)).collect();
    for i in 0..order.len().saturating_sub(1) {
        if rng.chance(12) {
            order.swap(i, i + 1);
        }
    }
    if rng.chance(40) && order.len() > 2 {
        let m = order.remove(rng.below(order.len()));
        let at = rng.below(order.len() + 1);
        order.insert(at, m);
    }

    let mut mails: Vec<Mail> = Vec::with_capacity(n);
    let mut previous: Option<(String, i64)> = None; // the last Date header and its time
    for &j in &order {
        let post = &posts[j];
        let mut headers: Vec<(&str, String)> = Vec::new();
        headers.push(("From", format!("user{}@example.org", rng.below(5))));
        headers.push(("To", "list@example.org".into()));
        let reply = post.parent.is_some();
        if let Some(s) = subject(&mut rng, TOPICS[post.topic], reply) {
            let v = subject_header(&mut rng, &s);
            headers.push(("Subject", v));
        }
        // The sent date: usually the post's, sometimes a tie or out of order.
        let mut date = post.date;
        if rng.chance(10) {
            date -= rng.range(60, 3 * 86_400);
        }
        let date_header = match rng.below(100) {
            0..6 => None,
            6..8 => Some("sometime next week".to_string()),
            8..20 if previous.is_some() => previous.clone().map(|(text, _)| text),
            20..24 if previous.is_some() => previous.as_ref().map(|&(_, secs)| rfc5322_date(&mut rng, secs)),
            24..30 => Some(odd_date(&mut rng, date)),
            _ => Some(rfc5322_date(&mut rng, date)),
        };
        let sent = date_header.as_deref().and_then(|d| mailwire_mime::parse_date(d.as_bytes()));
        if let (Some(text), Some(d)) = (&date_header, sent) {
            previous = Some((text.clone(), d.timestamp));
        }
        if let Some(d) = date_header {
            headers.push(("Date", d));
        }
        if let Some(id) = &post.id {
            let id = render_id(&mut rng, id);
            let v = if rng.chance(4) { format!("{id} (generated)") } else { id };
            headers.push(("Message-ID", v));
        }
        let parent_id = post.parent.and_then(|p| posts[p].id.clone());
        let chain = &post.chain;
        let (refs, irt): (Vec<String>, Option<String>) = if chain.is_empty() {
            (Vec::new(), None)
        } else {
            match rng.below(100) {
                0..40 => (chain.clone(), parent_id.clone()),
                40..60 => (chain.clone(), None),
                60..78 => (Vec::new(), parent_id.clone().or_else(|| chain.last().cloned())),
                78..86 if chain.len() > 3 => {
                    let mut short = vec![chain[0].clone()];
                    short.extend(chain[chain.len() - 2..].iter().cloned());
                    (short, parent_id.clone())
                }
                86..91 => {
                    let id = parent_id.clone().or_else(|| chain.last().cloned()).unwrap_or_default();
                    let phrase = match rng.below(3) {
                        0 => format!("{id} (Ann's message of yesterday)"),
                        1 => format!("\"Ann Other\" {id}"),
                        _ => format!("Your message of Monday {id}"),
                    };
                    (Vec::new(), Some(phrase))
                }
                91..96 if chain.len() > 1 => (chain.clone(), Some(chain[chain.len() - 2].clone())),
                96..100 if chain.len() > 1 && parent_id.is_some() => {
                    (chain[..chain.len() - 1].to_vec(), parent_id.clone())
                }
                _ => (chain.clone(), parent_id.clone()),
            }
        };
        // Rarer damage: the message's own ID, a repeated ID, the order
        // shuffled, an ID of a later message (a loop), an ID in other case.
        let mut refs = refs;
        if !refs.is_empty() {
            if rng.chance(2) {
                let at = rng.below(refs.len() + 1);
                refs.insert(at, post.id.clone().unwrap_or_else(|| refs[0].clone()));
            }
            if rng.chance(2) {
                let dup = refs[rng.below(refs.len())].clone();
                let at = rng.below(refs.len() + 1);
                refs.insert(at, dup);
            }
            if rng.chance(3) {
                for i in (1..refs.len()).rev() {
                    refs.swap(i, rng.below(i + 1));
                }
            }
            if rng.chance(3) && j + 1 < total {
                let later = j + 1 + rng.below(total - j - 1);
                if let Some(id) = posts[later].id.clone() {
                    let at = rng.below(refs.len() + 1);
                    refs.insert(at, id);
                }
            }
            if rng.chance(2) {
                let i = rng.below(refs.len());
                refs[i] = refs[i].to_uppercase();
            }
        }
        let irt = match irt {
            Some(first) if rng.chance(3) => {
                let other = posts[rng.below(total)].id.clone().unwrap_or_default();
                Some(format!("{first} {other}"))
            }
            other => other,
        };
        if let Some(irt) = irt {
            let v = render_id(&mut rng, &irt);
            headers.push(("In-Reply-To", v));
        }
        if !refs.is_empty() {
            let refs: Vec<String> = refs.iter().map(|r| render_id(&mut rng, r)).collect();
            let v = id_list(&mut rng, &refs);
            headers.push(("References", v));
        }
        headers.push(("X-Mailwire-Tag", format!("s{seed}.p{j}")));
        // The internal date: a little after the sent date, or a tie with
        // the previous message's sent date.
        let internal = match &previous {
            Some((_, secs)) if rng.chance(25) => *secs,
            _ => date + rng.range(1, 900),
        };
        mails.push(Mail::new(format!("s{seed}.p{j}"), &headers, internal, post.topic, reply));
    }
    mails
}

// ---------------------------------------------------------------------
// Directed cases: small mailboxes for one rule each, where RFC 5256 (with
// RFC 5322 for IDs and dates, RFC 5051 for comparing subjects) gives one
// answer and Dovecot gives it too. (Where Dovecot does not, the case is
// left out: see the end of this section.)

/// `=?utf-8?b?…?=` of `text`.
fn b_word(text: &str) -> String {
    format!("=?utf-8?b?{}?=", base64(text.as_bytes()))
}

/// A mailbox of messages given as header lines (`\n`-separated); message
/// `i` has internal date 2024-01-01 + `i` minutes.
fn case(name: &str, messages: &[String]) -> (String, Vec<Mail>) {
    let mails = messages
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let tag = format!("{name}.{}", i + 1);
            let mut headers: Vec<(&str, String)> = text
                .lines()
                .map(|l| {
                    l.split_once(": ").map_or((l, String::new()), |(n, v)| (n, v.replace('\u{1}', "\r\n")))
                })
                .collect();
            headers.push(("X-Mailwire-Tag", tag.clone()));
            Mail::new(tag, &headers, 1_704_067_200 + 60 * i as i64, 0, false)
        })
        .collect();
    (format!("case {name}"), mails)
}

/// Two messages linked only through the ID in question (different
/// subjects, so subjects cannot join them).
fn link_case(name: &str, own: &str, second: &str) -> (String, Vec<Mail>) {
    let one = format!("Subject: one\nDate: Mon, 1 Jan 2024 01:00:00 +0000\nMessage-ID: {own}");
    let two = format!("Subject: two\nDate: Mon, 1 Jan 2024 02:00:00 +0000\nMessage-ID: <two@x>\n{second}");
    case(name, &[one, two])
}

/// Two messages whose subjects are the question (no references).
fn subject_case(name: &str, a: &str, b: &str) -> (String, Vec<Mail>) {
    let m = |s: &str, h: u32, id: &str| {
        format!("Subject: {s}\nDate: Mon, 1 Jan 2024 0{h}:00:00 +0000\nMessage-ID: <{id}@x>")
    };
    case(name, &[m(a, 1, "a"), m(b, 2, "b")])
}

/// A message dated `probe` (internal date 1995) among twelve with known
/// dates from 1990 to 2070, all with one subject: where ORDEREDSUBJECT
/// puts it shows the sent date taken.
fn date_case(name: &str, probe: &str) -> (String, Vec<Mail>) {
    const KNOWN: [&str; 12] = [
        "Mon, 1 Jan 1990 00:00:00 +0000",
        "Sat, 1 Jan 2000 00:00:00 +0000",
        "Sun, 31 Dec 2023 12:00:00 +0000",
        "Mon, 1 Jan 2024 00:00:00 +0000",
        "Mon, 1 Jan 2024 02:00:00 +0000",
        "Mon, 1 Jan 2024 04:00:00 +0000",
        "Mon, 1 Jan 2024 06:00:00 +0000",
        "Mon, 1 Jan 2024 12:00:00 +0000",
        "Tue, 2 Jan 2024 12:00:00 +0000",
        "Fri, 1 Mar 2024 00:00:00 +0000",
        "Sat, 2 Mar 2024 12:00:00 +0000",
        "Wed, 1 Jan 2070 00:00:00 +0000",
    ];
    let mut messages = vec![format!("Subject: p\nDate: {probe}\nMessage-ID: <probe@x>")];
    messages.extend(
        KNOWN.iter().enumerate().map(|(k, d)| format!("Subject: p\nDate: {d}\nMessage-ID: <k{k}@x>")),
    );
    let (name, mut mails) = case(name, &messages);
    mails[0].internal = 788_918_400; // 1995-01-01
    for m in &mut mails[1..] {
        m.internal = 2_524_608_000; // 2050-01-01
    }
    (name, mails)
}

fn directed() -> Vec<(String, Vec<Mail>)> {
    let s = |v: &[&str]| -> Vec<String> { v.iter().map(|x| x.to_string()).collect() };
    let mut out = vec![
        // Message IDs (RFC 5256 §3 and step 1; RFC 5322 msg-id).
        link_case("id-without-at", "<abc.nodomain>", "In-Reply-To: <abc.nodomain>"),
        link_case("id-without-at-refs", "<abc.nodomain>", "References: <abc.nodomain>"),
        link_case("id-comment", "<abc(c)@x>", "References: <abc@x>"),
        link_case("id-obs-spaces", "<abc @ x>", "References: <abc@x>"),
        link_case("id-quoted-local", "<\"abc\"@x>", "References: <abc@x>"),
        link_case("id-quoted-space", "<\"a b\"@x>", "References: <\"a b\"@x>"),
        link_case("id-without-brackets", "abc@x", "References: abc@x"),
        link_case("ref-without-brackets", "<abc@x>", "References: abc@x"),
        link_case("id-case", "<abc@X>", "References: <abc@x>"),
        link_case("irt-second-id", "<abc@x>", "In-Reply-To: <zzz@x> <abc@x>"),
        link_case("irt-phrase", "<abc@x>", "In-Reply-To: foo <abc@x>"),
        link_case("irt-invalid-first", "<abc@x>", "In-Reply-To: <foo> <abc@x>"),
        link_case("refs-invalid-last", "<abc@x>", "References: <abc@x> <foo>"),
        link_case("refs-win-over-irt", "<abc@x>", "In-Reply-To: <abc@x>\nReferences: <zzz@x> <foo>"),
        link_case("refs-empty-last", "<abc@x>", "References: <abc@x> <>"),
        link_case("refs-junk-then-irt", "<abc@x>", "In-Reply-To: <abc@x>\nReferences: junk"),
        link_case("refs-own-id-last", "<abc@x>", "References: <abc@x> <two@x>"),
        link_case("refs-folded", "<abc@x>", "References: <r1@x>\u{1}\t<r2@x>\u{1} <abc@x>"),
        case(
            "refs-skip-invalid-middle",
            &s(&[
                "Subject: one\nMessage-ID: <a@x>",
                "Subject: two\nMessage-ID: <foo>",
                "Subject: three\nMessage-ID: <c@x>\nReferences: <a@x> <foo>",
            ]),
        ),
        case(
            "first-irt-header",
            &s(&[
                "Subject: one\nMessage-ID: <a@x>",
                "Subject: two\nMessage-ID: <b@x>",
                "Subject: three\nMessage-ID: <c@x>\nIn-Reply-To: <b@x>\nIn-Reply-To: <a@x>",
            ]),
        ),
        case(
            "first-references-header",
            &s(&[
                "Subject: one\nMessage-ID: <a@x>",
                "Subject: two\nMessage-ID: <b@x>",
                "Subject: three\nMessage-ID: <c@x>\nReferences: <b@x>\nReferences: <a@x>",
            ]),
        ),
        case(
            "first-message-id-header",
            &s(&[
                "Subject: one\nMessage-ID: <a@x>",
                "Subject: two\nMessage-ID: <b@x>\nMessage-ID: <a2@x>",
                "Subject: three\nMessage-ID: <c@x>\nReferences: <a2@x>",
            ]),
        ),
        case(
            "first-id-of-message-id",
            &s(&[
                "Subject: one\nMessage-ID: <a@x> <b@x>",
                "Subject: three\nMessage-ID: <c@x>\nReferences: <b@x>",
            ]),
        ),
        case(
            "first-subject-header",
            &s(&["Subject: one\nMessage-ID: <a@x>", "Subject: two\nSubject: one\nMessage-ID: <b@x>"]),
        ),
        case(
            "mutual-references",
            &s(&[
                "Subject: one\nMessage-ID: <a@x>\nReferences: <b@x>",
                "Subject: two\nMessage-ID: <b@x>\nReferences: <a@x>",
                "Subject: three\nMessage-ID: <c@x>\nReferences: <b@x> <a@x>",
            ]),
        ),
        case(
            "grandchild-first",
            &s(&[
                "Subject: three\nDate: Mon, 1 Jan 2024 03:00:00 +0000\nMessage-ID: <c@x>\nReferences: <a@x> <b@x>",
                "Subject: two\nDate: Mon, 1 Jan 2024 02:00:00 +0000\nMessage-ID: <b@x>\nReferences: <a@x>",
                "Subject: one\nDate: Mon, 1 Jan 2024 01:00:00 +0000\nMessage-ID: <a@x>",
            ]),
        ),
        case(
            "dummy-root-one-child-then-subject",
            &s(&[
                "Subject: Re: lost\nDate: Mon, 1 Jan 2024 03:00:00 +0000\nMessage-ID: <c@x>\nReferences: <gone@x>",
                "Subject: lost\nDate: Mon, 1 Jan 2024 02:00:00 +0000\nMessage-ID: <b@x>",
                "Subject: Re: lost\nDate: Mon, 1 Jan 2024 01:00:00 +0000\nMessage-ID: <d@x>\nReferences: <gone2@x>",
                "Subject: Re: lost\nDate: Mon, 1 Jan 2024 01:00:00 +0000\nMessage-ID: <e@x>\nReferences: <gone2@x>",
            ]),
        ),
    ];
    let long: Vec<String> = (0..400).map(|i| format!("<r{i}@x>")).collect();
    out.push(case(
        "long-references",
        &[
            "Subject: one\nMessage-ID: <a@x>".to_string(),
            format!("Subject: three\nMessage-ID: <c@x>\nReferences: <a@x> {}", long.join(" ")),
        ],
    ));
    // Base subjects (RFC 5256 §2.1) and encoded words.
    for (name, a, b) in [
        ("latin1-word", "=?iso-8859-1?q?Caf=E9?=".to_string(), b_word("Café")),
        ("raw-8bit", "Café".to_string(), b_word("Café")),
        ("broken-base64", "=?utf-8?b?###?=".into(), "###".into()),
        ("encoded-re", "=?utf-8?q?Re=3A?= hello".into(), "hello".into()),
        ("adjacent-words", "=?utf-8?q?hel?= =?utf-8?q?lo?=".into(), "hello".into()),
        ("word-then-text", "=?utf-8?q?hel?= lo".into(), "hel lo".into()),
        ("only-white-space", "   ".into(), "\t".into()),
        ("re-blob-counts", "Re: Re[2]: Fwd[3]: x".into(), "x".into()),
        ("unclosed-fwd-wrapper", "[fwd: x".into(), "x".into()),
        ("fwd-wrapper-then-trailer", "[Fwd: x] (fwd)".into(), "x".into()),
        ("re-re-no-colon", "re:re".into(), "re".into()),
        ("blobs-then-text", "[a] [b] x".into(), "x".into()),
        ("blobs-only", "[a] [b]".into(), "[b]".into()),
        ("blobs-only-adjacent", "[a][b]".into(), "[a]".into()),
        ("re-blob-only", "Re: [a]".into(), "[a]".into()),
        ("empty-fwd-wrapper", "[fwd: ]".into(), "".into()),
        ("fwd-wrapper-re", "[Fwd: Re: x]".into(), "x".into()),
        ("tab-inside", "a\tb".into(), "a b".into()),
        ("trailer-then-space", "x (fwd) ".into(), "x".into()),
        ("trailer-without-space", "x(fwd)".into(), "x".into()),
        ("space-before-colon", "Fw : x".into(), "x".into()),
        ("re-blob-no-space", "Re[x]:y".into(), "y".into()),
        ("leading-space", " Re: x".into(), "x".into()),
        ("re-blob-re", "Re: [x] Re: y".into(), "y".into()),
        ("mixed-case-fwd", "FwD: x".into(), "x".into()),
        ("nested-wrappers", "[fwd: [fwd: x]]".into(), "x".into()),
        ("wrapper-not-at-end", "[fwd: x] y".into(), "x] y".into()),
        ("folded", "a\u{1}  b".into(), "a b".into()),
        // Comparing base subjects: i;unicode-casemap (RFC 5256 §7, RFC 5051):
        // simple titlecase, then the UnicodeData decompositions.
        ("upper-lower-accented", b_word("ÉCOLE"), b_word("école")),
        ("nfc-nfd", b_word("Café"), b_word("Cafe\u{301}")),
        ("accent-matters", b_word("Café"), "Cafe".into()),
        ("no-break-space", b_word("a\u{a0}b"), "a b".into()),
        ("fullwidth", b_word("ＡＢＣ"), "abc".into()),
        ("superscript", b_word("x²"), "x2".into()),
        ("final-sigma-upper", b_word("ΟΔΟΣ"), b_word("οδος")),
        ("final-sigma", b_word("οδοσ"), b_word("οδος")),
        ("kelvin-sign", b_word("\u{212a}"), "k".into()),
        ("ohm-sign", b_word("\u{2126}"), b_word("ω")),
        ("titlecase-digraph", b_word("ǅ"), b_word("ǆ")),
        ("ligature", b_word("\u{fb01}le"), "file".into()),
        ("sharp-s", b_word("Straße"), "STRASSE".into()),
        ("dotted-capital-i", b_word("İstanbul"), "istanbul".into()),
    ] {
        out.push(subject_case(name, &a, &b));
    }
    // Sent dates (RFC 5256 §2.2, RFC 5322 §3.3 and §4.3).
    for (name, probe) in [
        ("two-digit-24", "Mon, 1 Jan 24 03:00:00 +0000"),
        ("two-digit-49", "Mon, 1 Jan 49 03:00:00 +0000"),
        ("two-digit-70", "Mon, 1 Jan 70 03:00:00 +0000"),
        ("two-digit-99", "Fri, 1 Jan 99 00:00:00 +0000"),
        ("comment-after-zone", "Mon, 1 Jan 2024 03:00:00 +0000 (UTC)"),
        ("comment-inside", "Mon, 1 Jan (x) 2024 03:00:00 +0000"),
        ("no-seconds", "Mon, 1 Jan 2024 03:00 +0000"),
        ("no-zone", "Mon, 1 Jan 2024 03:00:00"),
        ("minus-zero-zone", "Mon, 1 Jan 2024 03:00:00 -0000"),
        ("ut", "Mon, 1 Jan 2024 03:00:00 UT"),
        ("edt", "Mon, 1 Jan 2024 03:00:00 EDT"),
        ("military-z", "Mon, 1 Jan 2024 03:00:00 Z"),
        ("unknown-zone", "Mon, 1 Jan 2024 03:00:00 BST"),
        ("leap-second", "Mon, 1 Jan 2024 03:00:60 +0000"),
        ("one-digit-hour", "Mon, 1 Jan 2024 3:00:00 +0000"),
        ("wrong-weekday", "Fri, 1 Jan 2024 03:00:00 +0000"),
        ("trailing-garbage", "Mon, 1 Jan 2024 03:00:00 +0000 garbage here"),
        ("one-second-after-epoch", "Thu, 1 Jan 1970 00:00:01 +0000"),
        ("year-2100", "Fri, 1 Jan 2100 00:00:00 +0000"),
        ("february-31", "Sat, 31 Feb 2024 00:00:00 +0000"),
        ("hour-24", "Mon, 1 Jan 2024 24:00:00 +0000"),
        ("day-0", "Mon, 0 Jan 2024 03:00:00 +0000"),
        ("empty", ""),
        ("dashes", "Mon, 1-Jan-2024 03:00:00 +0000"),
        ("month-with-dot", "Mon, 1 Jan. 2024 03:00:00 +0000"),
        ("year-first", "2024 Jan 1 03:00:00 +0000"),
    ] {
        out.push(date_case(name, probe));
    }
    out
}

// Left out of the directed cases, because Dovecot 2.3 does not give the
// RFC's answer (found with THREADING_INTEROP_MBOX):
// - `* THREAD ` for an empty mailbox (RFC 5256 §4: `"THREAD" [SP
//   1*thread-list]`); checked exactly in the test below.
// - Sent dates: exactly 1970-01-01T00:00:00Z is taken as "no date" (the
//   internal date is used); dates before 1970 or after 2106 wrap around as
//   unsigned 32-bit numbers (1965 sorts after 2070, 2107 before 1990); the
//   two-digit years 50-69 are read as 2050-2069 (RFC 5322 §4.3: 1950-1969);
//   three-digit years are refused (§4.3: add 1900); military zones are
//   read as RFC 822 offsets (A = +0100, Y = -1200; §4.3: all -0000);
//   lower-case zone names (`est`) are unknown zones (ABNF is
//   case-insensitive).
// - `<@x>` is a valid ID for Dovecot (RFC 5322 id-left is not empty).
// - U+212B ANGSTROM SIGN is not the same as `å`: Dovecot decomposes it
//   one level (to U+00C5) only; RFC 5051 decomposes fully.
// - Hangul syllables equal their conjoining jamo for Dovecot (it
//   decomposes them algorithmically); RFC 5051 uses only the
//   decompositions of UnicodeData.txt, which has none for them.
// - `Re： x` (a full-width colon) has base subject `x` for Dovecot, which
//   extracts the base subject after the RFC 5051 mapping (U+FF1A becomes
//   `:`); RFC 5256 §2.1's ABNF has only `:`.
// Left out because no RFC decides them: dates outside RFC 5322's syntax
// (asctime and ISO 8601 forms, no comma after the weekday, numeric months,
// fractional seconds, `Received:`-like text, `03.00.00`, `January`,
// `GMT+0200`, `+02:00`, `+100`, `+0060`, `+2400`, `+01000`), where
// Dovecot's parser and mailwire-mime's accept different sets; and an
// encoded word in an unknown charset (`=?x-unknown?q?abc?=` is not `abc`
// for Dovecot, it is for us).

/// What the generated mailboxes hold, for the statistics.
fn features(mails: &[Mail]) -> Vec<&'static str> {
    use mailwire_threading::msgid::{first_id, ids};
    let mut out = Vec::new();
    let headers: Vec<HashMap<String, String>> = mails
        .iter()
        .map(|m| m.headers().into_iter().rev().map(|(n, v)| (n.to_ascii_lowercase(), v)).collect())
        .collect();
    let get = |i: usize, name: &str| headers[i].get(name).map(String::as_str);
    let own: Vec<Option<String>> =
        (0..mails.len()).map(|i| get(i, "message-id").and_then(first_id).map(String::from)).collect();
    let delivered: HashSet<&String> = own.iter().flatten().collect();
    let referenced: Vec<String> = (0..mails.len())
        .flat_map(|i| {
            let mut found: Vec<String> = ids(get(i, "references").unwrap_or("")).map(String::from).collect();
            found.extend(first_id(get(i, "in-reply-to").unwrap_or("")).map(String::from));
            found
        })
        .collect();
    let mut flag = |on: bool, name: &'static str| {
        if on {
            out.push(name);
        }
    };
    flag(referenced.iter().any(|id| !delivered.contains(id)), "missing parent");
    flag(delivered.len() < own.iter().flatten().count(), "duplicate Message-ID");
    flag(own.iter().any(Option::is_none), "no Message-ID");
    let has = |i: usize, h: &str| get(i, h).is_some();
    let n = mails.len();
    flag((0..n).any(|i| has(i, "references") && !has(i, "in-reply-to")), "References only");
    flag((0..n).any(|i| !has(i, "references") && has(i, "in-reply-to")), "In-Reply-To only");
    flag((0..n).any(|i| has(i, "references") && has(i, "in-reply-to")), "both");
    let dates: Vec<Option<&str>> = (0..n).map(|i| get(i, "date")).collect();
    let mut seen = HashSet::new();
    flag(dates.iter().flatten().any(|d| !seen.insert(*d)), "identical Date");
    let secs: Vec<Option<i64>> = dates
        .iter()
        .map(|d| d.and_then(|d| mailwire_mime::parse_date(d.as_bytes())).map(|d| d.timestamp))
        .collect();
    flag(secs.windows(2).any(|w| matches!(w, [Some(a), Some(b)] if b < a)), "dates out of order");
    flag(secs.iter().any(Option::is_none), "no valid Date");
    let subjects: Vec<String> = (0..n)
        .map(|i| {
            mailwire_mime::decode_unstructured(get(i, "subject").unwrap_or("").as_bytes()).to_lowercase()
        })
        .collect();
    flag(subjects.iter().any(|s| s.contains("re:") || s.contains("re[")), "Re:");
    flag(subjects.iter().any(|s| s.contains("fw")), "Fwd:");
    flag(subjects.iter().any(|s| s.contains("[list]")), "[list]");
    flag(subjects.iter().any(|s| s.contains("(fwd)")), "(fwd)");
    flag(subjects.iter().any(|s| !s.is_ascii()), "non-ASCII subject");
    flag((0..n).any(|i| get(i, "subject").is_some_and(|s| s.contains("=?"))), "encoded subject");
    let mut roots: HashMap<usize, usize> = HashMap::new();
    for m in mails.iter().filter(|m| !m.reply) {
        *roots.entry(m.topic).or_default() += 1;
    }
    flag(roots.values().any(|&c| c > 1), "unrelated threads share a subject");
    out
}

// ---------------------------------------------------------------------
// Asking Dovecot and our example.

/// `Www Mmm dd HH:MM:SS YYYY` (UTC), the date of an mbox `From ` line.
fn asctime(secs: i64) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let d = DateTime { timestamp: secs, offset_minutes: 0 };
    format!(
        "{} {} {:2} {:02}:{:02}:{:02} {}",
        DAYS[d.weekday() as usize - 1],
        MONTHS[d.month() as usize - 1],
        d.day(),
        d.hour(),
        d.minute(),
        d.second(),
        d.year()
    )
}

/// The mbox (mboxrd) of `mails`, with LF line ends.
fn mbox(mails: &[Mail]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in mails {
        out.extend_from_slice(format!("From user@example.org {}\n", asctime(m.internal)).as_bytes());
        for line in m.raw.split_inclusive(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\n").unwrap_or(line);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let quotes = line.iter().take_while(|&&b| b == b'>').count();
            if line[quotes..].starts_with(b"From ") {
                out.push(b'>');
            }
            out.extend_from_slice(line);
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algo {
    References,
    OrderedSubject,
}

impl Algo {
    const ALL: [Algo; 2] = [Algo::References, Algo::OrderedSubject];

    fn arg(self) -> &'static str {
        match self {
            Algo::References => "references",
            Algo::OrderedSubject => "orderedsubject",
        }
    }
}

/// Both answers for one mailbox.
#[derive(Debug, Default)]
struct Outcome {
    dovecot: [String; 2],
    ours: [String; 2],
    /// Set-up problems (order, internal dates): these must not happen.
    problems: Vec<String>,
}

impl Outcome {
    fn differs(&self, algo: Algo) -> bool {
        let i = algo as usize;
        self.dovecot[i] != self.ours[i]
    }
}

struct Harness {
    server: &'static Dovecot,
    scratch: Scratch,
    users: AtomicUsize,
    oracle_runs: AtomicUsize,
}

impl Harness {
    /// Delivers each mailbox to a fresh user, asks Dovecot about all of
    /// them at once, and runs our example on each mbox.
    fn run(&self, mailboxes: &[&[Mail]]) -> Vec<Outcome> {
        let mut jobs = Vec::new();
        let mut files = Vec::new();
        for mails in mailboxes {
            let k = self.users.fetch_add(1, Ordering::Relaxed);
            let user = self.server.new_user(&format!("thread{k}"));
            for m in mails.iter() {
                let path = user.deliver(None, &m.raw);
                let when = SystemTime::UNIX_EPOCH + Duration::from_secs(m.internal as u64);
                std::fs::File::options()
                    .write(true)
                    .open(&path)
                    .and_then(|f| f.set_modified(when))
                    .unwrap_or_else(|e| panic!("setting the mtime of {}: {e}", path.display()));
            }
            let file = self.scratch.join(&format!("thread{k}.mbox"));
            std::fs::write(&file, mbox(mails)).expect("writing the mbox");
            files.push(file);
            jobs.push(serde_json::json!({"user": user.name, "pass": user.pass}));
        }
        let run = self.oracle_runs.fetch_add(1, Ordering::Relaxed);
        let jobs_file = self.scratch.join(&format!("jobs{run}.json"));
        std::fs::write(&jobs_file, serde_json::to_vec(&jobs).expect("JSON")).expect("writing the jobs");
        let mut cmd = Command::new("python3");
        cmd.arg(root().join("tests/oracle/imap_thread.py"))
            .arg("127.0.0.1")
            .arg(self.server.imap.to_string())
            .arg(&jobs_file);
        let out = run_with_limit(cmd, Duration::from_secs(120));
        assert!(
            out.status.success(),
            "tests/oracle/imap_thread.py failed:\n{}{}\nDovecot's log:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.server.log()
        );
        let answers: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("oracle line {l:?}: {e}")))
            .collect();
        assert_eq!(answers.len(), mailboxes.len(), "one answer per mailbox");
        mailboxes
            .iter()
            .zip(&answers)
            .zip(&files)
            .map(|((mails, answer), file)| self.outcome(mails, answer, file))
            .collect()
    }

    fn outcome(&self, mails: &[Mail], answer: &Value, file: &Path) -> Outcome {
        let mut o = Outcome::default();
        let user = answer["user"].as_str().unwrap_or("?");
        if answer["exists"].as_u64() != Some(mails.len() as u64) {
            o.problems.push(format!(
                "{user}: Dovecot has {} messages, we delivered {}",
                answer["exists"],
                mails.len()
            ));
        }
        let tags: Vec<&str> =
            answer["tags"].as_array().into_iter().flatten().map(|t| t.as_str().unwrap_or("")).collect();
        let ours: Vec<&str> = mails.iter().map(|m| m.tag.as_str()).collect();
        if tags != ours {
            o.problems.push(format!(
                "{user}: Dovecot's sequence order {tags:?} is not the delivery order {ours:?}"
            ));
        }
        let uids: Vec<u64> =
            answer["uids"].as_array().into_iter().flatten().filter_map(Value::as_u64).collect();
        if !uids.windows(2).all(|w| w[0] < w[1]) {
            o.problems.push(format!("{user}: UIDs not increasing: {uids:?}"));
        }
        let internal: Vec<i64> =
            answer["internal"].as_array().into_iter().flatten().filter_map(Value::as_i64).collect();
        let expected: Vec<i64> = mails.iter().map(|m| m.internal).collect();
        if internal != expected {
            o.problems.push(format!(
                "{user}: Dovecot's INTERNALDATEs {internal:?} are not the Maildir mtimes {expected:?}"
            ));
        }
        for algo in Algo::ALL {
            let i = algo as usize;
            o.dovecot[i] = answer[algo.arg()].as_str().unwrap_or("").to_string();
            let mut cmd = Command::new(example("thread"));
            cmd.arg("--algorithm").arg(algo.arg()).arg(file);
            let out = run_with_limit(cmd, Duration::from_secs(30));
            assert!(
                out.status.success(),
                "thread {}: {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
            assert!(
                stdout.ends_with('\n') && stdout.lines().count() == 1,
                "thread --algorithm {} printed more than one line: {stdout:?}",
                algo.arg()
            );
            o.ours[i] = stdout.trim_end_matches('\n').to_string();
        }
        o
    }

    /// Delta debugging: a smallest subsequence of `mails` (no message can
    /// be dropped) on which the `algo` answers still differ.
    fn minimise(&self, mails: &[Mail], algo: Algo, deadline: Instant) -> Vec<Mail> {
        let mut current: Vec<Mail> = mails.to_vec();
        let mut parts = 2usize;
        while current.len() >= 2 && Instant::now() < deadline {
            let size = current.len().div_ceil(parts);
            let chunks: Vec<std::ops::Range<usize>> =
                (0..current.len()).step_by(size).map(|s| s..(s + size).min(current.len())).collect();
            let mut candidates: Vec<Vec<Mail>> = chunks.iter().map(|r| current[r.clone()].to_vec()).collect();
            if chunks.len() > 2 {
                for r in &chunks {
                    let mut rest = current[..r.start].to_vec();
                    rest.extend_from_slice(&current[r.end..]);
                    candidates.push(rest);
                }
            }
            let refs: Vec<&[Mail]> = candidates.iter().map(Vec::as_slice).collect();
            let outcomes = self.run(&refs);
            match outcomes.iter().position(|o| o.differs(algo)) {
                Some(i) if i < chunks.len() => {
                    current = candidates.swap_remove(i);
                    parts = 2;
                }
                Some(i) => {
                    current = candidates.swap_remove(i);
                    parts = (parts - 1).max(2);
                }
                None if parts >= current.len() => break,
                None => parts = (parts * 2).min(current.len()),
            }
        }
        current
    }
}

/// A mailbox, message by message, for the report.
fn describe(mails: &[Mail]) -> String {
    let mut out = String::new();
    for (i, m) in mails.iter().enumerate() {
        let _ = writeln!(out, "  {}. {} (internal date {})", i + 1, m.tag, asctime(m.internal));
        for (name, value) in m.headers() {
            if ["subject", "date", "message-id", "in-reply-to", "references"]
                .contains(&&*name.to_ascii_lowercase())
            {
                let _ = writeln!(out, "       {name}: {}", value.replace("\r\n", "\\r\\n"));
            }
        }
    }
    out
}

/// The messages of an mbox file, for `THREADING_INTEROP_MBOX`: CRLF, a
/// tag header added, the From line's date as the internal date.
fn from_mbox(path: &str) -> Vec<Mail> {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    mailwire_mime::mbox::MboxReader::new(&data)
        .enumerate()
        .map(|(i, m)| {
            let tag = format!("mbox.{}", i + 1);
            let mut raw = format!("X-Mailwire-Tag: {tag}\r\n").into_bytes();
            for line in m.unquoted().split_inclusive(|&b| b == b'\n') {
                let line = line.strip_suffix(b"\n").unwrap_or(line);
                raw.extend_from_slice(line.strip_suffix(b"\r").unwrap_or(line));
                raw.extend_from_slice(b"\r\n");
            }
            let internal = m.date().map_or(0, |d| d.timestamp);
            Mail { tag, raw, internal, topic: 0, reply: false }
        })
        .collect()
}

fn seeds() -> std::ops::Range<u64> {
    let Ok(spec) = std::env::var("THREADING_INTEROP_SEEDS") else { return 0..30 };
    let (a, b) = spec.split_once("..").unwrap_or_else(|| panic!("THREADING_INTEROP_SEEDS={spec}: want A..B"));
    a.parse().expect("seed")..b.parse().expect("seed")
}

#[test]
fn thread_answers_equal_dovecots() {
    if !require(TEST, "dovecot (run as root)", dovecot::available()) {
        return;
    }
    let started = Instant::now();
    let harness = Harness {
        server: dovecot::shared(),
        scratch: Scratch::new(TEST),
        users: AtomicUsize::new(0),
        oracle_runs: AtomicUsize::new(0),
    };
    // THREADING_INTEROP_MBOX=A.mbox,B.mbox compares those mailboxes instead.
    let files = std::env::var("THREADING_INTEROP_MBOX").ok();
    let mailboxes: Vec<(String, Vec<Mail>)> = match &files {
        Some(list) => list.split(',').map(|f| (f.to_string(), from_mbox(f))).collect(),
        None => seeds().map(|seed| (format!("seed {seed}"), generate(seed))).collect(),
    };
    let generated = mailboxes.len();
    let mut mailboxes = mailboxes;
    if files.is_none() {
        mailboxes.extend(directed());
    }

    // How often each hard case occurs.
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    for (_, mails) in &mailboxes[..generated] {
        for f in features(mails) {
            *counts.entry(f).or_default() += 1;
        }
    }
    let mut stats: Vec<(&str, usize)> = counts.iter().map(|(k, v)| (*k, *v)).collect();
    stats.sort();
    eprintln!("{TEST}: mailboxes with each case (of {generated}): {stats:?}");

    let mut refs: Vec<&[Mail]> = mailboxes.iter().map(|(_, m)| m.as_slice()).collect();
    refs.push(&[]);
    let mut outcomes = harness.run(&refs);
    // An empty mailbox: RFC 5256 §4 has `thread-data = "THREAD" [SP
    // 1*thread-list]`, so `* THREAD` alone; Dovecot sends `* THREAD ` (a
    // space and no thread-list), which we do not copy.
    let empty = outcomes.pop().expect("the empty mailbox's outcome");
    assert!(empty.problems.is_empty(), "{:?}", empty.problems);
    assert_eq!(empty.dovecot, ["* THREAD ", "* THREAD "], "Dovecot's answers for an empty mailbox");
    assert_eq!(empty.ours, ["* THREAD", "* THREAD"], "our answers for an empty mailbox");
    let messages: usize = mailboxes.iter().map(|(_, m)| m.len()).sum();
    let compared = started.elapsed();

    let mut report = String::new();
    let mut differences = 0;
    // Directed cases are small already; generated ones are minimised
    // (smallest first, within a time budget).
    let mut to_minimise: Vec<(usize, Algo)> = Vec::new();
    for (k, ((name, mails), outcome)) in mailboxes.iter().zip(&outcomes).enumerate() {
        if files.is_some() {
            for algo in Algo::ALL {
                let i = algo as usize;
                let same = if outcome.differs(algo) { "DIFFER" } else { "same" };
                eprintln!(
                    "{name} {}: {same}: Dovecot {:?}, ours {:?}",
                    algo.arg(),
                    outcome.dovecot[i],
                    outcome.ours[i]
                );
            }
        }
        for p in &outcome.problems {
            let _ = writeln!(report, "{name}: set-up problem: {p}");
        }
        for algo in Algo::ALL {
            if !outcome.differs(algo) {
                continue;
            }
            differences += 1;
            let i = algo as usize;
            let _ = writeln!(
                report,
                "{name} ({} messages), THREAD {}:\n  Dovecot: {}\n  ours:    {}",
                mails.len(),
                algo.arg().to_uppercase(),
                outcome.dovecot[i],
                outcome.ours[i]
            );
            if mails.len() <= 3 {
                if algo == Algo::References || !outcome.differs(Algo::References) {
                    let _ = write!(report, "{}", describe(mails));
                }
            } else {
                to_minimise.push((k, algo));
            }
        }
    }
    to_minimise.sort_by_key(|&(k, _)| mailboxes[k].1.len());
    let deadline = Instant::now() + Duration::from_secs(60);
    for (n, &(k, algo)) in to_minimise.iter().enumerate().take(4) {
        if Instant::now() >= deadline {
            break;
        }
        let (name, mails) = &mailboxes[k];
        let i = algo as usize;
        let small = harness.minimise(mails, algo, deadline);
        let again = harness.run(&[&small]);
        let file: PathBuf = harness.scratch.join(&format!("minimal-{}.mbox", n + 1));
        std::fs::write(&file, mbox(&small)).expect("writing the minimal mbox");
        let _ = writeln!(
            report,
            "{name}, THREAD {} minimised to {} messages ({}):\n{}  Dovecot: {}\n  ours:    {}",
            algo.arg().to_uppercase(),
            small.len(),
            file.display(),
            describe(&small),
            again[0].dovecot[i],
            again[0].ours[i]
        );
    }
    let setup_problems = outcomes.iter().map(|o| o.problems.len()).sum::<usize>();
    assert!(
        report.is_empty(),
        "{differences} THREAD answers differ from Dovecot's, {setup_problems} set-up problems ({} mailboxes, \
         {messages} messages compared):\n{report}",
        mailboxes.len() + 1
    );
    // The generator must keep producing the hard cases.
    let cases: &[&str] = if files.is_some() {
        &[]
    } else {
        &[
            "missing parent",
            "duplicate Message-ID",
            "no Message-ID",
            "References only",
            "In-Reply-To only",
            "both",
            "identical Date",
            "dates out of order",
            "no valid Date",
            "Re:",
            "Fwd:",
            "[list]",
            "(fwd)",
            "unrelated threads share a subject",
        ]
    };
    for case in cases {
        let c = counts.get(case).copied().unwrap_or(0);
        assert!(c * 2 >= generated, "only {c} of {generated} mailboxes have the case {case:?}");
    }
    println!(
        "{TEST}: {generated} generated and {} directed mailboxes ({messages} messages) and an empty one threaded \
         by Dovecot and by us: THREAD REFERENCES and ORDEREDSUBJECT identical, sequence order and internal \
         dates checked ({compared:.2?})",
        mailboxes.len() - generated
    );
}
