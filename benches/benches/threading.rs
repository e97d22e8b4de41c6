//! Side-by-side threading benchmark: mailwire-threading vs mail-threading
//! 0.1.3 over 10k, 100k and 1M synthetic mailing-list messages. See
//! README.md ("Threading").
//!
//! The archive is generated once per size, outside the timing, from a
//! fixed seed (see [`generate`]): threads of 1 to 200 messages arriving
//! interleaved at ~300 messages a day, replies carrying the ancestor chain
//! in `References` (often truncated to the last ~10 ids, some only
//! `In-Reply-To`, a few with no headers at all), ~2% of the messages
//! missing from the archive (so their children's parents are missing),
//! duplicate deliveries and a few colliding ids, base subjects behind
//! `Re:`/`RE:`/`AW:`/`Fwd:`/`[list]` prefixes, dates increasing with
//! jitter (and a few bogus ones).
//!
//! Each size is one criterion group (`threading-10k`, `threading-100k`,
//! `threading-1M`) with `Throughput::Elements(messages)` and the functions
//!
//! - `mailwire-references`: `mailwire_threading::references(&msgs)`
//!   (RFC 5256 `THREAD=REFERENCES`);
//! - `mailwire-jwz`: `mailwire_threading::jwz(&msgs, &JwzOptions::default())`;
//! - `mailwire-threader`: `Threader::new()`, `add` of every message, then
//!   `references()` (the incremental state, with its removal bookkeeping);
//! - `mail-threading`: `mail_threading::thread_messages(&msgs)` (JWZ, its
//!   default options).
//!
//! Both sides get the same extracted header strings: mailwire the raw
//! values (`<a@x>`, a folded `References:` value), which it tokenises and
//! normalises itself; mail-threading the form its API takes (an
//! `Option<String>` per id field, the `References` ids as a
//! `Vec<String>` of `<…>` tokens, a `DateTime<Utc>`, a `String` caller id),
//! built outside the timing. Every timed function returns its result,
//! which is dropped inside the timing.
//!
//! Before measuring, the bench prints the archive's statistics and how far
//! mailwire's JWZ and mail-threading agree on thread membership (not
//! asserted: the algorithms differ on purpose in places). The filter
//! `nothing` runs only that. `MAILWIRE_THREADING_PHASES=1` also prints a
//! phase breakdown of mailwire's batch work, measured on a copy of its
//! steps written here against the public API (see [`phases`]).

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{Criterion, Throughput};
use mailwire_threading::{JwzOptions, Message, SubjectMerge, Threader, Threads};

const SIZES: [(usize, &str); 3] = [(10_000, "10k"), (100_000, "100k"), (1_000_000, "1M")];
const SEED: u64 = 0x6d61_696c_7769_7265; // "mailwire"

// ---------------------------------------------------------------- random

/// SplitMix64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Exponentially distributed with this mean.
    fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn chars(&mut self, out: &mut String, alphabet: &[u8], n: usize) {
        for _ in 0..n {
            out.push(alphabet[self.below(alphabet.len())] as char);
        }
    }
}

// ---------------------------------------------------------------- vocabulary

const LISTS: [&str; 10] = [
    "rust-dev",
    "linux-kernel",
    "postfix-users",
    "dovecot",
    "debian-devel",
    "python-ideas",
    "git",
    "mutt-users",
    "openbsd-misc",
    "pgsql-hackers",
];

const DOMAINS: [&str; 16] = [
    "example.org",
    "lists.example.net",
    "kernel.example.org",
    "mx.example.co.uk",
    "fastmail.example.com",
    "posteo.example.de",
    "gmx.example.de",
    "web.example.de",
    "proton.example.ch",
    "redhat.example.com",
    "suse.example.de",
    "debian.example.org",
    "mail.example.fr",
    "uni-example.edu",
    "corp.example.com",
    "localhost.localdomain",
];

#[rustfmt::skip]
const WORDS: [&str; 120] = [
    "patch", "build", "failure", "release", "candidate", "kernel", "driver", "memory", "leak", "crash",
    "regression", "performance", "cache", "lock", "deadlock", "race", "condition", "scheduler",
    "network", "socket", "timeout", "config", "option", "default", "change", "proposal", "rfc",
    "discussion", "question", "about", "support", "for", "new", "old", "api", "interface",
    "documentation", "typo", "fix", "test", "suite", "ci", "broken", "on", "arm64", "x86", "riscv",
    "windows", "macos", "linux", "freebsd", "compiler", "warning", "error", "message", "unicode",
    "utf-8", "encoding", "header", "parser", "mailbox", "imap", "smtp", "tls", "certificate", "expired",
    "dns", "resolver", "ipv6", "firewall", "package", "dependency", "upgrade", "downgrade", "version",
    "2.0", "3.1", "security", "advisory", "cve", "announcement", "meeting", "minutes", "agenda", "vote",
    "policy", "mirror", "download", "slow", "fast", "benchmark", "results", "plan", "roadmap",
    "feature", "request", "bug", "report", "workaround", "reproducer", "bisect", "commit", "revert",
    "merge", "window", "tree", "branch", "stable", "backport", "series", "review", "ack", "nack",
    "maintainer", "list", "archive", "spam", "filter", "quota", "disk",
];

/// Subjects many unrelated threads share (they exercise subject merging).
const COMMON: [&str; 24] = [
    "help",
    "question",
    "Question",
    "HELP!!!",
    "problem",
    "hello",
    "test",
    "Meeting notes",
    "weekly meeting",
    "Status update",
    "(no subject)",
    "bug",
    "Build failure",
    "Patch review",
    "update",
    "issue",
    "thanks",
    "Request for comments",
    "newbie question",
    "compile error",
    "segfault",
    "announcement",
    "Call for papers",
    "unsubscribe",
];

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_-";
const HEX: &[u8] = b"0123456789abcdef";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// A Message-ID token, `<…>`, in one of the styles MUAs and MTAs use.
fn new_message_id(rng: &mut Rng, serial: usize, time: i64) -> String {
    let mut s = String::with_capacity(72);
    s.push('<');
    match rng.below(10) {
        // Gmail: CA + ~40 base64 characters.
        0..=3 => {
            s.push_str("CA");
            rng.chars(&mut s, B64, 42);
            s.push_str("@mail.gmail.example.com");
        }
        // Date + random + serial (mutt, Postfix, many scripts).
        4..=5 => {
            s.push_str(&format!("{}.", 20_000_000_000_000 + time));
            rng.chars(&mut s, HEX, 8);
            s.push_str(&format!(".{serial}@"));
            s.push_str(rng.pick(&DOMAINS));
        }
        // UUID (Thunderbird, Apple Mail, ...).
        6..=7 => {
            for (i, n) in [8, 4, 4, 4, 12].into_iter().enumerate() {
                if i > 0 {
                    s.push('-');
                }
                rng.chars(&mut s, HEX, n);
            }
            s.push('@');
            s.push_str(rng.pick(&DOMAINS));
        }
        // Outlook/Exchange.
        8 => {
            rng.chars(&mut s, UPPER, 44);
            s.push_str("@PH0PR11MB5000.namprd11.prod.outlook.example.com");
        }
        // git send-email.
        _ => {
            s.push_str(&format!("{}-{}-1-git-send-email-", 20_000_000_000_000 + time, serial % 97));
            rng.chars(&mut s, B64, 6);
            s.push('@');
            s.push_str(rng.pick(&DOMAINS));
        }
    }
    // A quoted local part now and then (the slow, normalising path).
    if rng.chance(0.001) {
        let at = s.rfind('@').unwrap();
        s.insert(at, '"');
        s.insert(1, '"');
    }
    s.push('>');
    s
}

// ---------------------------------------------------------------- archive

/// One message's extracted header fields, as owned strings.
#[derive(Clone)]
struct Raw {
    id: u64,
    /// `<…>`, or empty when missing.
    message_id: String,
    /// `<…>`, or empty.
    in_reply_to: String,
    /// The raw `References:` value (folded when long), or empty.
    references: String,
    /// The same ids as `references`, each a `<…>` token.
    reference_tokens: Vec<String>,
    subject: String,
    date: i64,
}

/// What the generator keeps per message until the archive is laid out.
struct Gen {
    raw: Raw,
    thread: u32,
    /// Index (into the generated list) of the parent, if a reply.
    parent: Option<u32>,
    arrival: i64,
}

/// Statistics printed before measuring.
#[derive(Default, Debug)]
struct Stats {
    threads: usize,
    max_thread: usize,
    replies: usize,
    parent_missing: usize,
    refs_full: usize,
    refs_truncated: usize,
    refs_parent_only: usize,
    irt_only: usize,
    headerless: usize,
    duplicates: usize,
    collisions: usize,
    no_message_id: usize,
    bogus_dates: usize,
    out_of_order_dates: usize,
    max_refs: usize,
    mean_refs: f64,
}

/// A thread's size: 30% single messages, the rest skewed log-uniform in
/// 2..=200.
fn thread_size(rng: &mut Rng) -> usize {
    if rng.chance(0.3) {
        return 1;
    }
    let u = rng.unit().powf(1.6);
    ((2f64.ln() + u * (200f64.ln() - 2f64.ln())).exp().round() as usize).clamp(2, 200)
}

/// A mailing-list archive of exactly `n` messages, in arrival (mailbox)
/// order, the caller ids 1..=n in that order.
fn generate(n: usize) -> (Vec<Raw>, Stats) {
    let mut rng = Rng(SEED);
    let mut st = Stats::default();
    // The mean thread size, to space thread starts for ~300 messages a day.
    let mean_size = {
        let mut r = Rng(SEED ^ 1);
        (0..20_000).map(|_| thread_size(&mut r)).sum::<usize>() as f64 / 20_000.0
    };
    let thread_gap = 86_400.0 * mean_size / 300.0;
    let mut gens: Vec<Gen> = Vec::with_capacity(n + n / 3);
    // Full ancestry (indices into `gens`, root first) per generated message.
    let mut ancestry: Vec<Vec<u32>> = Vec::with_capacity(n + n / 3);
    // Base subject per generated message (inherited down a subtree).
    let mut bases: Vec<String> = Vec::with_capacity(n + n / 3);
    let mut start = 1_500_000_000f64;
    let mut thread = 0u32;
    // Generate beyond n: the archive is cut at the n-th arrival.
    while gens.len() < n + n / 4 + 50 {
        start += rng.exp(thread_gap);
        let size = thread_size(&mut rng);
        let list = rng.pick(&LISTS);
        let tagged = rng.chance(0.7);
        let base = if rng.chance(0.03) {
            rng.pick(&COMMON).to_string()
        } else {
            let words = 2 + rng.below(6);
            let mut b = String::new();
            for i in 0..words {
                if i > 0 {
                    b.push(' ');
                }
                let w = rng.pick(&WORDS);
                if i == 0 {
                    let mut c = w.chars();
                    let first = c.next().unwrap().to_ascii_uppercase();
                    b.push(first);
                    b.push_str(c.as_str());
                } else {
                    b.push_str(w);
                }
            }
            b
        };
        let first = gens.len();
        let mut send_of: Vec<f64> = Vec::with_capacity(size);
        for k in 0..size {
            let me = gens.len();
            let (parent, send) = if k == 0 {
                (None, start)
            } else {
                let p = match rng.below(100) {
                    0..=54 => k - 1,
                    55..=84 => rng.below(k),
                    _ => 0,
                };
                let delay = if rng.chance(0.6) { rng.exp(1_800.0) } else { rng.exp(6.0 * 3_600.0) };
                (Some((first + p) as u32), send_of[p] + 60.0 + delay)
            };
            send_of.push(send);
            let time = send as i64;
            // The id: usually fresh; a few collide with an earlier
            // message's (a broken generator); a few are missing.
            let message_id = if rng.chance(0.001) {
                st.no_message_id += 1;
                String::new()
            } else if me > 1000 && rng.chance(0.0005) {
                st.collisions += 1;
                gens[rng.below(me)].raw.message_id.clone()
            } else {
                new_message_id(&mut rng, me, time)
            };
            let anc: Vec<u32> = match parent {
                None => Vec::new(),
                Some(p) => {
                    let mut a = ancestry[p as usize].clone();
                    a.push(p);
                    a
                }
            };
            // The subject: the thread's base (or a changed one), with the
            // prefixes MUAs and list managers add.
            let mut my_base = match parent {
                None => base.clone(),
                Some(p) => bases[p as usize].clone(),
            };
            if parent.is_some() && rng.chance(0.02) {
                my_base = format!("{} (was: {my_base})", rng.pick(&WORDS));
            }
            let tag = if tagged { format!("[{list}] ") } else { String::new() };
            let subject = if parent.is_none() {
                if rng.chance(0.02) { format!("{tag}Fwd: {my_base}") } else { format!("{tag}{my_base}") }
            } else {
                match rng.below(100) {
                    0..=54 => format!("Re: {tag}{my_base}"),
                    55..=74 => format!("{tag}Re: {my_base}"),
                    75..=81 => format!("RE: {tag}{my_base}"),
                    82..=85 => format!("AW: {tag}{my_base}"),
                    86..=89 => format!("Re: Re: {tag}{my_base}"),
                    90..=91 => format!("Re[2]: {tag}{my_base}"),
                    92..=93 => format!("Fwd: {tag}{my_base}"),
                    94..=95 => format!("Re: {tag}{my_base} (fwd)"),
                    _ => format!("{tag}re:  {my_base}"),
                }
            };
            // Date: send time with clock jitter; a few far off.
            let date = if rng.chance(0.005) {
                st.bogus_dates += 1;
                let off = 86_400 + rng.below(2 * 365 * 86_400) as i64;
                if rng.chance(0.5) { time - off } else { time + off }
            } else {
                time + rng.below(121) as i64 - 60
            };
            let arrival =
                send + 2.0 + rng.exp(20.0) + if rng.chance(0.01) { rng.exp(6.0 * 3_600.0) } else { 0.0 };
            gens.push(Gen {
                raw: Raw {
                    id: 0,
                    message_id,
                    in_reply_to: String::new(),
                    references: String::new(),
                    reference_tokens: Vec::new(),
                    subject,
                    date,
                },
                thread,
                parent,
                arrival: arrival as i64,
            });
            ancestry.push(anc);
            bases.push(my_base);
        }
        thread += 1;
    }
    // The reply headers, from the ancestry of ids (a message without an ID
    // cannot be referenced: its children skip it).
    for i in 0..gens.len() {
        let Some(p) = gens[i].parent else { continue };
        let parent_id = gens[p as usize].raw.message_id.clone();
        let chain: Vec<&str> = ancestry[i]
            .iter()
            .map(|&a| gens[a as usize].raw.message_id.as_str())
            .filter(|s| !s.is_empty())
            .collect();
        let (irt, tokens): (String, Vec<&str>) = match rng.below(1000) {
            // Broken clients: nothing.
            0..=9 => (String::new(), Vec::new()),
            // In-Reply-To only.
            10..=89 => (parent_id.clone(), Vec::new()),
            // References with the parent only (some webmail).
            90..=139 => (parent_id.clone(), chain.last().into_iter().copied().collect()),
            // The whole chain, often truncated: the first and the last 9
            // (Thunderbird-like), or the last 10.
            _ => {
                let t = if chain.len() > 10 && rng.chance(0.6) {
                    if rng.chance(0.5) {
                        let mut t = vec![chain[0]];
                        t.extend_from_slice(&chain[chain.len() - 9..]);
                        t
                    } else {
                        chain[chain.len() - 10..].to_vec()
                    }
                } else {
                    chain
                };
                (parent_id.clone(), t)
            }
        };
        let tokens: Vec<String> = tokens.into_iter().map(String::from).collect();
        // Folded as in the message: a line break before an id that would
        // pass column 78.
        let mut refs = String::new();
        let mut col = "References: ".len();
        for (k, t) in tokens.iter().enumerate() {
            if k > 0 {
                if col + 1 + t.len() > 78 {
                    refs.push_str("\r\n ");
                    col = 1;
                } else {
                    refs.push(' ');
                    col += 1;
                }
            }
            refs.push_str(t);
            col += t.len();
        }
        let g = &mut gens[i].raw;
        g.in_reply_to = irt;
        g.references = refs;
        g.reference_tokens = tokens;
    }
    // Mailbox order: by arrival; the archive is the first n + 2%, less
    // ~2% missing (never archived), plus duplicate deliveries.
    let mut order: Vec<u32> = (0..gens.len() as u32).collect();
    order.sort_by_key(|&i| (gens[i as usize].arrival, i));
    let mut present = vec![false; gens.len()];
    let mut out: Vec<Raw> = Vec::with_capacity(n);
    let mut threads_seen = HashMap::<u32, usize>::new();
    for &i in &order {
        if out.len() == n {
            break;
        }
        if rng.chance(0.02) {
            continue;
        }
        present[i as usize] = true;
        let g = &gens[i as usize];
        out.push(g.raw.clone());
        *threads_seen.entry(g.thread).or_default() += 1;
        if out.len() < n && rng.chance(0.003) {
            st.duplicates += 1;
            out.push(g.raw.clone());
            *threads_seen.entry(g.thread).or_default() += 1;
        }
    }
    // Statistics over what is in the archive.
    let in_archive: Vec<u32> = order.iter().copied().filter(|&i| present[i as usize]).collect();
    for &i in &in_archive {
        let g = &gens[i as usize];
        if let Some(p) = g.parent {
            st.replies += 1;
            if !present[p as usize] {
                st.parent_missing += 1;
            }
            let full = ancestry[i as usize].len();
            let r = g.raw.reference_tokens.len();
            match (r, g.raw.in_reply_to.is_empty()) {
                (0, true) => st.headerless += 1,
                (0, false) => st.irt_only += 1,
                (1, _) if full > 1 => st.refs_parent_only += 1,
                _ if r < full => st.refs_truncated += 1,
                _ => st.refs_full += 1,
            }
        }
    }
    let total_refs: usize = out.iter().map(|r| r.reference_tokens.len()).sum();
    st.mean_refs = total_refs as f64 / out.len() as f64;
    st.max_refs = out.iter().map(|r| r.reference_tokens.len()).max().unwrap_or(0);
    st.threads = threads_seen.len();
    st.max_thread = threads_seen.values().copied().max().unwrap_or(0);
    for (k, r) in out.iter_mut().enumerate() {
        r.id = k as u64 + 1;
    }
    st.out_of_order_dates = out.windows(2).filter(|w| w[1].date < w[0].date).count();
    (out, st)
}

fn mailwire_messages(raw: &[Raw]) -> Vec<Message<'_>> {
    raw.iter()
        .map(|r| Message::new(r.id, &r.message_id, &r.in_reply_to, &r.references, &r.subject, r.date))
        .collect()
}

fn peer_messages(raw: &[Raw]) -> Vec<mail_threading::Message> {
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    raw.iter()
        .map(|r| mail_threading::Message {
            id: r.id.to_string(),
            message_id: opt(&r.message_id),
            in_reply_to: opt(&r.in_reply_to),
            references: r.reference_tokens.clone(),
            date: chrono::DateTime::from_timestamp(r.date, 0).expect("date in range"),
            subject: r.subject.clone(),
        })
        .collect()
}

// ---------------------------------------------------------------- timed

#[inline(never)]
fn mw_references(msgs: &[Message<'_>]) -> Threads {
    mailwire_threading::references(msgs)
}

#[inline(never)]
fn mw_jwz(msgs: &[Message<'_>]) -> Threads {
    mailwire_threading::jwz(msgs, &JwzOptions::default())
}

#[inline(never)]
fn mw_threader(msgs: &[Message<'_>]) -> Threads {
    let mut t = Threader::new();
    for m in msgs {
        t.add(m);
    }
    t.references()
}

#[inline(never)]
fn mt_thread(msgs: &[mail_threading::Message]) -> Vec<mail_threading::Thread> {
    mail_threading::thread_messages(msgs)
}

// ---------------------------------------------------------------- agreement

/// Thread number per message (caller id), from lists of members.
fn partition(groups: impl Iterator<Item = Vec<u64>>, n: usize) -> Vec<u32> {
    let mut of = vec![u32::MAX; n + 1];
    for (t, members) in groups.enumerate() {
        for m in members {
            of[m as usize] = t as u32;
        }
    }
    of
}

/// Per message (by caller id; 0 unused): whether its thread has other
/// members in one partition than in the other.
fn disagreeing(a: &[u32], b: &[u32]) -> Vec<bool> {
    let mut size_a: HashMap<u32, usize> = HashMap::new();
    let mut size_b: HashMap<u32, usize> = HashMap::new();
    let mut pair: HashMap<(u32, u32), usize> = HashMap::new();
    for (&x, &y) in a.iter().zip(b).skip(1) {
        *size_a.entry(x).or_default() += 1;
        *size_b.entry(y).or_default() += 1;
        *pair.entry((x, y)).or_default() += 1;
    }
    let mut out = vec![false; a.len()];
    for (i, (&x, &y)) in a.iter().zip(b).enumerate().skip(1) {
        let p = pair[&(x, y)];
        out[i] = !(p == size_a[&x] && p == size_b[&y]);
    }
    out
}

/// Share of messages whose thread has exactly the same members in both
/// partitions.
fn agreement(a: &[u32], b: &[u32]) -> f64 {
    let differ = disagreeing(a, b).iter().filter(|&&d| d).count();
    1.0 - differ as f64 / (a.len() - 1) as f64
}

/// Caller ids of the messages in a thread under a dummy root.
fn under_dummy_root(t: &Threads) -> Vec<u64> {
    t.roots().filter(|r| r.is_dummy()).flat_map(|r| r.messages()).collect()
}

fn mw_partition(t: &Threads, n: usize) -> Vec<u32> {
    assert_eq!(t.message_count(), n, "every message in one thread");
    partition(t.memberships().into_iter(), n)
}

fn mt_partition(threads: &[mail_threading::Thread], n: usize) -> Vec<u32> {
    let p = partition(threads.iter().map(|t| t.messages.iter().map(|m| m.parse().unwrap()).collect()), n);
    assert!(p[1..].iter().all(|&t| t != u32::MAX), "mail-threading lost a message");
    p
}

fn check(label: &str, raw: &[Raw], st: &Stats, mw: &[Message<'_>], mt: &[mail_threading::Message]) {
    let n = raw.len();
    let r = st.replies.max(1) as f64 / 100.0;
    eprintln!(
        "{label}: {n} messages, {} threads (largest {}), {} replies: {:.1}% parent not in the archive; \
         References full {:.1}%, truncated {:.1}%, parent only {:.1}%; In-Reply-To only {:.1}%; \
         no headers {:.1}%; {} duplicate deliveries, {} colliding ids, {} without Message-ID; \
         {} ids per References on average (max {}); {} bogus dates, {:.1}% dates earlier than the previous message's",
        st.threads,
        st.max_thread,
        st.replies,
        st.parent_missing as f64 / r,
        st.refs_full as f64 / r,
        st.refs_truncated as f64 / r,
        st.refs_parent_only as f64 / r,
        st.irt_only as f64 / r,
        st.headerless as f64 / r,
        st.duplicates,
        st.collisions,
        st.no_message_id,
        (st.mean_refs * 10.0).round() / 10.0,
        st.max_refs,
        st.bogus_dates,
        st.out_of_order_dates as f64 * 100.0 / n as f64,
    );
    let jwz = mw_jwz(mw);
    let refs = mw_references(mw);
    let threader = mw_threader(mw);
    assert_eq!(refs, threader, "Threader::references() == references()");
    let peer = mt_thread(mt);
    let (pj, pr, pp) = (mw_partition(&jwz, n), mw_partition(&refs, n), mt_partition(&peer, n));
    // Messages under a dummy root: a thread whose root is missing, which
    // mailwire keeps together and mail-threading splits into one thread
    // per child of the missing root.
    let under_dummy = under_dummy_root(&jwz).len();
    eprintln!(
        "  threads: mailwire jwz {}, references {}, mail-threading {}; {:.2}% of the messages in a jwz thread with a dummy root",
        jwz.len(),
        refs.len(),
        peer.len(),
        under_dummy as f64 * 100.0 / n as f64
    );
    // mail-threading's own policy: only header-less replies merge by subject.
    let headerless = mailwire_threading::jwz(
        mw,
        &JwzOptions { subject_merge: SubjectMerge::Headerless, ..JwzOptions::default() },
    );
    let ph = mw_partition(&headerless, n);
    // Where those two still differ: a missing root (see the strict check
    // below), and the two subject fallbacks' choices (below).
    let differ = disagreeing(&ph, &pp);
    let mut dummy = vec![false; n + 1];
    for m in under_dummy_root(&headerless) {
        dummy[m as usize] = true;
    }
    // Threads (by references alone) whose root is a reply (by its subject)
    // without reply headers, with replies of its own: mailwire's
    // Headerless merge moves it, mail-threading's fallback leaves it (its
    // thread has headers: the replies').
    let by_refs = mailwire_threading::jwz(
        mw,
        &JwzOptions { subject_merge: SubjectMerge::Never, ..JwzOptions::default() },
    );
    // The mailwire threads that took one in:
    let mut took_bare = std::collections::HashSet::new();
    for r in by_refs.roots() {
        let Some(id) = r.message() else { continue };
        let m = &raw[id as usize - 1];
        let reply = mailwire_threading::subject::compare_key(&m.subject).1;
        if reply && r.children().len() > 0 && m.references.is_empty() && m.in_reply_to.is_empty() {
            took_bare.insert(ph[id as usize]);
        }
    }
    // Single messages that are no reply and have no reply headers:
    // mail-threading's fallback merges them into a thread of the same
    // subject (any thread without headers moves), mailwire's Headerless
    // only moves replies. The mail-threading threads that took one in:
    let mut took_lone = std::collections::HashSet::new();
    for r in by_refs.roots() {
        let Some(id) = r.message() else { continue };
        let m = &raw[id as usize - 1];
        let original = !mailwire_threading::subject::compare_key(&m.subject).1;
        if original && r.children().len() == 0 && m.references.is_empty() && m.in_reply_to.is_empty() {
            took_lone.insert(pp[id as usize]);
        }
    }
    let (mut d_all, mut d_dummy, mut d_lone, mut d_bare) = (0usize, 0usize, 0usize, 0usize);
    for r in raw {
        let i = r.id as usize;
        if !differ[i] {
            continue;
        }
        d_all += 1;
        if dummy[i] {
            d_dummy += 1;
        } else if took_lone.contains(&pp[i]) {
            d_lone += 1;
        } else if took_bare.contains(&ph[i]) {
            d_bare += 1;
        }
    }
    eprintln!(
        "  same thread membership (share of messages whose thread has the same members): \
         jwz vs mail-threading {:.2}%, references vs mail-threading {:.2}%, \
         jwz with SubjectMerge::Headerless ({} threads) vs mail-threading {:.2}%",
        agreement(&pj, &pp) * 100.0,
        agreement(&pr, &pp) * 100.0,
        headerless.len(),
        agreement(&ph, &pp) * 100.0,
    );
    let pct = |k: usize| k as f64 * 100.0 / d_all.max(1) as f64;
    eprintln!(
        "  of the {d_all} messages where jwz-Headerless and mail-threading differ: {:.1}% under a dummy root (a missing root), \
         {:.1}% more in a mail-threading thread that took in a lone header-less original of the same subject, \
         {:.1}% more in a mailwire thread that took in a header-less reply with replies of its own, \
         {:.1}% other",
        pct(d_dummy),
        pct(d_lone),
        pct(d_bare),
        pct(d_all - d_dummy - d_lone - d_bare),
    );
    // Without subject merging on either side (references only); mail-threading
    // takes ~70 s per pass at 1M, so that size only on request.
    if n < 1_000_000 || std::env::var_os("MAILWIRE_THREADING_STRICT").is_some() {
        let strict_mw = mailwire_threading::jwz(
            mw,
            &JwzOptions { subject_merge: SubjectMerge::Never, ..JwzOptions::default() },
        );
        let strict_mt = mail_threading::thread_messages_with(
            mt,
            &mail_threading::ThreadingOptions { subject_merge: false, ..Default::default() },
        );
        let (sj, sp) = (mw_partition(&strict_mw, n), mt_partition(&strict_mt, n));
        let under_dummy = under_dummy_root(&strict_mw).len();
        eprintln!(
            "  without subject merging: {} and {} threads, same membership {:.2}% \
             ({:.2}% of the messages under a dummy root in mailwire's)",
            strict_mw.len(),
            strict_mt.len(),
            agreement(&sj, &sp) * 100.0,
            under_dummy as f64 * 100.0 / n as f64
        );
    }
    if std::env::var_os("MAILWIRE_THREADING_PHASES").is_some() {
        // Twice: the first pass warms the allocator and the caches up, as
        // criterion's warm-up does; the second is printed.
        phases::report(mw, false);
        phases::report(mw, true);
    }
}

// ---------------------------------------------------------------- phases

/// A phase breakdown of the batch work (`references()`), measured on a
/// copy of mailwire-threading's steps written against its public API
/// (`msgid`, `subject`) with the same data structures: the copy is for
/// attributing time, not a second implementation to keep.
mod phases {
    use std::collections::HashMap;
    use std::time::Instant;

    use foldhash::fast::RandomState;
    use mailwire_threading::subject::{Prefixes, compare_key, compare_key_with};
    use mailwire_threading::{Message, msgid};

    const NONE: u32 = u32::MAX;

    #[derive(Clone)]
    struct C {
        entry: u32,
        parent: u32,
        first_child: u32,
        next_sibling: u32,
        prev_sibling: u32,
    }
    const EMPTY: C =
        C { entry: NONE, parent: NONE, first_child: NONE, next_sibling: NONE, prev_sibling: NONE };

    pub fn report(msgs: &[Message<'_>], print: bool) {
        let n = msgs.len();
        let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
        let all = Instant::now();

        // 1. Message-ID tokenising + interning (as Threader::add).
        let t = Instant::now();
        let mut ids: HashMap<Box<str>, u32, RandomState> =
            HashMap::with_capacity_and_hasher(n + n / 2, RandomState::default());
        let mut intern = |id: &str| {
            if let Some(&k) = ids.get(id) {
                return k;
            }
            let k = ids.len() as u32;
            ids.insert(id.into(), k);
            k
        };
        let mut links: Vec<(u32, Vec<u32>)> = Vec::with_capacity(n);
        for m in msgs {
            let own = msgid::first_id(m.message_id).map_or(NONE, |id| intern(&id));
            let mut refs: Vec<u32> = msgid::ids(m.references).map(|id| intern(&id)).collect();
            if refs.is_empty()
                && let Some(id) = msgid::first_id(m.in_reply_to)
            {
                refs.push(intern(&id));
            }
            links.push((own, refs));
        }
        let nids = ids.len();
        let t_ids = ms(t);

        // 1b. Tokenising alone (no hashing), to split 1 in two.
        let t = Instant::now();
        let mut k = 0usize;
        for m in msgs {
            k += msgid::first_id(m.message_id).map_or(0, |s| s.len());
            k += msgid::ids(m.references).map(|s| s.len()).sum::<usize>();
        }
        std::hint::black_box(k);
        let t_tok = ms(t);

        // 2. Compared subjects (casemap + base subject) + interning.
        let t = Instant::now();
        let mut subjects: HashMap<Box<str>, u32, RandomState> = HashMap::with_hasher(RandomState::default());
        subjects.insert("".into(), 0);
        let mut subj: Vec<(u32, bool)> = Vec::with_capacity(n);
        for m in msgs {
            let (key, reply) = compare_key(m.subject);
            let s = match subjects.get(key.as_str()) {
                Some(&s) => s,
                None => {
                    let s = subjects.len() as u32;
                    subjects.insert(key.as_str().into(), s);
                    s
                }
            };
            subj.push((s, reply));
        }
        let t_subj = ms(t);

        // 2a. compare_key alone, to split 2 in two.
        let t = Instant::now();
        let mut k = 0usize;
        for m in msgs {
            k += compare_key(m.subject).0.len();
        }
        std::hint::black_box(k);
        let t_ckey = ms(t);

        // 2b. Entry bookkeeping: raw subject copy, caller-id map.
        let t = Instant::now();
        let mut by_id: HashMap<u64, u32, RandomState> =
            HashMap::with_capacity_and_hasher(n, RandomState::default());
        let raw: Vec<Box<str>> = msgs
            .iter()
            .enumerate()
            .map(|(i, m)| {
                by_id.insert(m.id, i as u32);
                m.subject.into()
            })
            .collect();
        std::hint::black_box((&by_id, &raw));
        let t_entry = ms(t);

        // 3. Linking (step 1).
        let t = Instant::now();
        let mut cs: Vec<C> = Vec::with_capacity(n + n / 2);
        let mut by: Vec<u32> = vec![NONE; nids];
        let mut loop_steps = 0u64;
        for (e, (own, refs)) in links.iter().enumerate() {
            let mut cont = |cs: &mut Vec<C>, id: u32| {
                if by[id as usize] != NONE {
                    return by[id as usize];
                }
                cs.push(EMPTY);
                by[id as usize] = (cs.len() - 1) as u32;
                by[id as usize]
            };
            let me = if *own == NONE {
                cs.push(EMPTY);
                (cs.len() - 1) as u32
            } else {
                let c = cont(&mut cs, *own);
                if cs[c as usize].entry == NONE {
                    c
                } else {
                    cs.push(EMPTY);
                    (cs.len() - 1) as u32
                }
            };
            cs[me as usize].entry = e as u32;
            let mut prev = NONE;
            for &r in refs {
                let c = cont(&mut cs, r);
                if prev != NONE && cs[c as usize].parent == NONE && !would_loop(&cs, prev, c, &mut loop_steps)
                {
                    attach(&mut cs, prev, c);
                }
                prev = c;
            }
            if cs[me as usize].parent != NONE {
                detach(&mut cs, me);
            }
            if prev != NONE && !would_loop(&cs, prev, me, &mut loop_steps) {
                attach(&mut cs, prev, me);
            }
        }
        let t_link = ms(t);

        // 4. Pruning into the output forest (steps 2-3), as references::prune.
        let t = Instant::now();
        struct Node {
            message: Option<u64>,
            entry: u32,
            date: i64,
            seq: u64,
            children: Vec<u32>,
        }
        let mut nodes: Vec<Node> = Vec::new();
        let mut roots: Vec<u32> = Vec::new();
        let mut results: Vec<u32> = Vec::new();
        let mut stack: Vec<(u32, bool, usize)> = Vec::new();
        for (root, c) in cs.iter().enumerate() {
            if c.parent != NONE || (c.entry == NONE && c.first_child == NONE) {
                continue;
            }
            stack.push((root as u32, false, 0));
            while let Some((c, expanded, mark)) = stack.pop() {
                if !expanded {
                    stack.push((c, true, results.len()));
                    let mut ch = cs[c as usize].first_child;
                    while ch != NONE {
                        stack.push((ch, false, 0));
                        ch = cs[ch as usize].next_sibling;
                    }
                    continue;
                }
                let children: Vec<u32> = results.drain(mark..).collect();
                let container = &cs[c as usize];
                let at_top = container.parent == NONE;
                if container.entry != NONE {
                    let m = &msgs[container.entry as usize];
                    nodes.push(Node {
                        message: Some(m.id),
                        entry: container.entry,
                        date: m.date,
                        seq: container.entry as u64,
                        children,
                    });
                    results.push((nodes.len() - 1) as u32);
                } else if children.is_empty() {
                } else if !at_top || children.len() == 1 {
                    results.extend(children);
                } else {
                    nodes.push(Node { message: None, entry: NONE, date: 0, seq: 0, children });
                    results.push((nodes.len() - 1) as u32);
                }
            }
            roots.append(&mut results);
        }
        let t_prune = ms(t);

        // 5. Sorting (step 4), as Threads::sort_with.
        let sort = |nodes: &mut Vec<Node>, roots: &mut Vec<u32>| {
            let mut order = Vec::with_capacity(nodes.len());
            let mut stack: Vec<(u32, bool)> = roots.iter().rev().map(|&r| (r, false)).collect();
            while let Some((n, expanded)) = stack.pop() {
                if expanded {
                    order.push(n);
                    continue;
                }
                stack.push((n, true));
                for &c in nodes[n as usize].children.iter().rev() {
                    stack.push((c, false));
                }
            }
            for n in order {
                let mut children = std::mem::take(&mut nodes[n as usize].children);
                children.sort_by_key(|&c| (nodes[c as usize].date, nodes[c as usize].seq));
                if nodes[n as usize].message.is_none()
                    && let Some(&first) = children.first()
                {
                    nodes[n as usize].date = nodes[first as usize].date;
                    nodes[n as usize].seq = nodes[first as usize].seq;
                }
                nodes[n as usize].children = children;
            }
            roots.sort_by_key(|&r| (nodes[r as usize].date, nodes[r as usize].seq));
        };
        let t = Instant::now();
        sort(&mut nodes, &mut roots);
        let t_sort = ms(t);

        // 6. Subject merge (step 5): the subject table over the roots,
        // subjects looked up by entry (as references::merge_by_subject).
        let t = Instant::now();
        let thread_subject = |nodes: &Vec<Node>, r: u32| {
            let node = &nodes[r as usize];
            let e = match node.message {
                Some(_) => node.entry,
                None => node.children.first().map_or(NONE, |&c| nodes[c as usize].entry),
            };
            subj.get(e as usize).copied().unwrap_or((0, false))
        };
        let mut table: HashMap<u32, u32, RandomState> = HashMap::default();
        let mut merged = 0usize;
        for &r in &roots {
            let (s, _) = thread_subject(&nodes, r);
            if s == 0 {
                continue;
            }
            if table.insert(s, r).is_some() {
                merged += 1;
            }
        }
        let roots2 = roots.clone();
        std::hint::black_box((&table, &roots2, merged));
        let t_merge = ms(t);

        // 7. Sorting again (step 6) on the unmerged forest: the same work.
        let t = Instant::now();
        sort(&mut nodes, &mut roots);
        let t_sort2 = ms(t);

        // 8. jwz only: compared subjects again with the localised
        // prefixes, owned keys (as references::SubjectOf::new).
        let t = Instant::now();
        let prefixes = Prefixes::localized();
        let mut keys: HashMap<String, u32, RandomState> = HashMap::default();
        keys.insert(String::new(), 0);
        let jwz_of: Vec<(u32, bool)> = raw
            .iter()
            .map(|r| {
                let (key, reply) = compare_key_with(r, &prefixes);
                let k = keys.len() as u32;
                (*keys.entry(key).or_insert(k), reply)
            })
            .collect();
        std::hint::black_box(&jwz_of);
        let t_jwz_subj = ms(t);

        // 9. Dropping, piece by piece.
        let t = Instant::now();
        drop(ids);
        let t_drop_ids = ms(t);
        let t = Instant::now();
        drop(links);
        let t_drop_links = ms(t);
        let t = Instant::now();
        drop((raw, subjects, subj, by_id, jwz_of, keys));
        let t_drop_entries = ms(t);
        let t = Instant::now();
        drop((nodes, roots));
        let t_drop_forest = ms(t);
        let t = Instant::now();
        drop((cs, by));
        let t_drop_graph = ms(t);
        let total = ms(all);
        if !print {
            return;
        }

        eprintln!(
            "  phases ({n} messages, {nids} distinct ids, {loop_steps} loop-check steps), ms and ns/msg:"
        );
        for (name, v) in [
            ("ids: tokenise + intern (hash map of Box<str>)", t_ids),
            ("  of which tokenising alone (msgid::ids)", t_tok),
            ("compared subject (casemap + base subject) + intern", t_subj),
            ("  of which compare_key alone", t_ckey),
            ("entry bookkeeping (raw subject Box<str>, caller-id map)", t_entry),
            ("linking (step 1)", t_link),
            ("prune into the forest (steps 2-3)", t_prune),
            ("sort (step 4)", t_sort),
            ("subject table over the roots (step 5, without the merging)", t_merge),
            ("sort again (step 6)", t_sort2),
            ("  jwz only: localised base subjects, owned keys, map", t_jwz_subj),
            ("drop the id table (Box<str> per id)", t_drop_ids),
            ("drop the reference lists (Vec<u32> per message)", t_drop_links),
            ("drop subjects, raw subjects, caller-id maps", t_drop_entries),
            ("drop the forest (Vec of children per node)", t_drop_forest),
            ("drop the containers", t_drop_graph),
            ("total for references() (all but the indented rows)", total - t_tok - t_ckey - t_jwz_subj),
        ] {
            eprintln!("    {name:<62} {v:>9.1} ms {:>7.1} ns/msg", v * 1e6 / n as f64);
        }
    }

    fn would_loop(cs: &[C], parent: u32, child: u32, steps: &mut u64) -> bool {
        if parent == child {
            return true;
        }
        if cs[child as usize].first_child == NONE {
            return false;
        }
        let mut p = cs[parent as usize].parent;
        while p != NONE {
            *steps += 1;
            if p == child {
                return true;
            }
            p = cs[p as usize].parent;
        }
        false
    }

    fn attach(cs: &mut [C], parent: u32, child: u32) {
        let first = cs[parent as usize].first_child;
        cs[child as usize].parent = parent;
        cs[child as usize].next_sibling = first;
        cs[child as usize].prev_sibling = NONE;
        if first != NONE {
            cs[first as usize].prev_sibling = child;
        }
        cs[parent as usize].first_child = child;
    }

    fn detach(cs: &mut [C], child: u32) {
        let C { parent, next_sibling: next, prev_sibling: prev, .. } = cs[child as usize];
        if parent == NONE {
            return;
        }
        if prev != NONE {
            cs[prev as usize].next_sibling = next;
        } else {
            cs[parent as usize].first_child = next;
        }
        if next != NONE {
            cs[next as usize].prev_sibling = prev;
        }
        let c = &mut cs[child as usize];
        c.parent = NONE;
        c.next_sibling = NONE;
        c.prev_sibling = NONE;
    }
}

// ---------------------------------------------------------------- main

fn main() {
    let mut c = Criterion::default().configure_from_args();
    for (n, label) in SIZES {
        let (raw, stats) = generate(n);
        let mw = mailwire_messages(&raw);
        let mt = peer_messages(&raw);
        if std::env::var_os("MAILWIRE_THREADING_NO_CHECK").is_none() {
            check(label, &raw, &stats, &mw, &mt);
        }

        let mut g = c.benchmark_group(format!("threading-{label}"));
        g.throughput(Throughput::Elements(n as u64));
        if n >= 1_000_000 {
            g.sample_size(10);
        } else if n >= 100_000 {
            g.sample_size(20);
        } else {
            g.sample_size(30);
        }
        g.bench_function("mailwire-references", |b| b.iter(|| mw_references(black_box(&mw))));
        g.bench_function("mailwire-jwz", |b| b.iter(|| mw_jwz(black_box(&mw))));
        g.bench_function("mailwire-threader", |b| b.iter(|| mw_threader(black_box(&mw))));
        g.bench_function("mail-threading", |b| b.iter(|| mt_thread(black_box(&mt))));
        g.finish();
    }
    c.final_summary();
}
