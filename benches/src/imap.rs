//! Synthetic IMAP server response streams for benches/imap.rs, built
//! deterministically in code (no files): what Dovecot sends for a
//! `UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE
//! BODYSTRUCTURE BODY.PEEK[])`, the same without the literals, Gmail's
//! `X-GM-*` FETCH items, and the small responses of a typical session.
//!
//! Every stream knows how many responses it holds (and how many of them
//! are `* n FETCH`), so the bench can check that each library parses all
//! of them. The FETCH data follows RFC 9051's grammar as Dovecot writes
//! it: the envelope's display names and subjects are the raw header values
//! (encoded words kept), NIL for absent fields, sender and reply-to
//! defaulted to from; BODYSTRUCTURE with the extension data Dovecot sends
//! (`NIL NIL NIL NIL` for md5, disposition, language and location of a
//! leaf, `(params) NIL NIL NIL` for a multipart), body parts of a
//! multipart not separated by spaces, octets and lines that match the
//! message in the literal.

use std::fmt::Write as _;

/// One response stream and what it must parse into.
pub struct Stream {
    /// The criterion group name.
    pub name: &'static str,
    /// The bytes a server sends, CRLF line ends, literals inline.
    pub bytes: Vec<u8>,
    /// Responses in the stream: every library must return this many.
    pub responses: usize,
    /// How many of them are `* n FETCH`.
    pub fetches: usize,
}

/// Number of messages in the two FETCH streams.
pub const MESSAGES: usize = 100;

/// Number of lines in the Gmail stream.
pub const GMAIL_LINES: usize = 400;

/// Number of sessions in the mixed-small stream.
pub const SESSIONS: usize = 20;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo)
    }
}

// ------------------------------------------------------------- the pieces

/// (display name as in the header, unquoted; mailbox; host)
type Person = (Option<&'static str>, &'static str, &'static str);

const PEOPLE: &[Person] = &[
    (Some("=?utf-8?q?Ann_M=C3=BCller?="), "ann", "example.com"),
    (Some("Smith, John"), "john.smith", "corp.example.com"),
    (None, "bob", "example.org"),
    (Some("Carol Jones"), "carol_jones", "mail.example.co.uk"),
    (Some("=?iso-8859-1?q?Fran=E7ois_Dupont?="), "f.dupont", "example.fr"),
    (Some("GitHub"), "notifications", "github.example.com"),
    (Some("=?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?="), "juergen", "buecher.example"),
    (Some("O'Brien, Patrick"), "pobrien", "example.ie"),
    (Some("The \"Ops\" Team"), "ops", "lists.example.org"),
    (Some("billing"), "billing", "invoices.example-shop.de"),
    (None, "noreply+bounces-4711", "notifications.example.io"),
    (Some("Dave Wilson"), "dave.wilson", "corp.example.com"),
];

/// The mailbox owner: in To (or Cc) of most messages.
const ME: Person = (Some("Bob Example"), "bob", "example.org");

const SUBJECTS: &[Option<&str>] = &[
    Some("=?utf-8?q?Quartalsbericht_=E2=80=93_Q4?="),
    Some("Re: [dev] \"quoted\" words in the subject"),
    Some("Your invoice #2026-1204 is ready"),
    Some("=?UTF-8?B?8J+OiSBQYXJ0eSBvbiBGcmlkYXkh?="),
    Some("Fwd: meeting notes (draft)"),
    None,
    Some("Re: =?utf-8?q?R=C3=A9sum=C3=A9?= for the backend role"),
    Some("Backup of C:\\Users\\bob\\Documents failed"),
    Some("[mailwire/mailwire] Fix literal+ handling in the decoder (#412)"),
    Some("=?UTF-8?B?w5xiZXJzaWNodDogQmVzdGVsbHVuZ2VuIE3DpHJ6?="),
    Some("Weekly digest: 12 new posts in rust-lang/users"),
    Some(""),
    Some("=?UTF-8?B?5pel5pys6Kqe44Gu44OG44K544OI?= (test)"),
];

/// The vocabulary of the message bodies.
const WORDS: &str = "the quarterly report is attached please review numbers before Friday budget and \
                     schedule meeting notes follow up of server mailbox we should release next week \
                     thanks for your patience a to in on with deploy backup invoice team";

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const ZONES: [&str; 4] = ["+0100", "+0000", "-0500", "+0900"];

const ATTACHMENTS: &[(&str, &str, &str)] = &[
    ("application", "pdf", "report-2026-12.pdf"),
    ("image", "png", "chart.png"),
    ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet", "budget.xlsx"),
    ("application", "zip", "logs.zip"),
];

/// An IMAP quoted string (`"` and `\` escaped), or NIL.
fn quoted(s: Option<&str>) -> String {
    match s {
        None => "NIL".into(),
        Some(s) => {
            let mut q = String::with_capacity(s.len() + 2);
            q.push('"');
            for c in s.chars() {
                if c == '"' || c == '\\' {
                    q.push('\\');
                }
                q.push(c);
            }
            q.push('"');
            q
        }
    }
}

/// `("name" NIL "mailbox" "host")`
fn env_address(p: &Person) -> String {
    format!("({} NIL {} {})", quoted(p.0), quoted(Some(p.1)), quoted(Some(p.2)))
}

/// An address list, or NIL when empty.
fn env_addresses(ps: &[Person]) -> String {
    if ps.is_empty() {
        return "NIL".into();
    }
    let mut s = String::from("(");
    for p in ps {
        s.push_str(&env_address(p));
    }
    s.push(')');
    s
}

/// The header form: `Name <mailbox@host>`, quoting names with specials.
fn header_address(p: &Person) -> String {
    match p.0 {
        None => format!("{}@{}", p.1, p.2),
        Some(n) if n.contains([',', '"', '\'']) => {
            format!("{} <{}@{}>", quoted(Some(n)), p.1, p.2)
        }
        Some(n) => format!("{n} <{}@{}>", p.1, p.2),
    }
}

fn header_addresses(ps: &[Person]) -> String {
    ps.iter().map(header_address).collect::<Vec<_>>().join(",\r\n ")
}

fn token(rng: &mut Rng, n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..n).map(|_| A[rng.below(A.len())] as char).collect()
}

fn message_id(rng: &mut Rng, host: &str) -> String {
    match rng.below(3) {
        0 => format!("<CA{}+{}=@mail.gmail.com>", token(rng, 30), token(rng, 12)),
        1 => format!("<{:016x}.{}@{host}>", rng.next(), rng.below(100_000)),
        _ => format!("<{}-{}-{}@{host}>", token(rng, 8), token(rng, 4), token(rng, 12)),
    }
}

/// ASCII prose: CRLF-terminated lines of at most 72 characters, about
/// `bytes` long.
fn prose(rng: &mut Rng, bytes: usize) -> String {
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let (mut s, mut col) = (String::new(), 0);
    while s.len() < bytes {
        let w = *rng.pick(&words);
        if col + w.len() + 1 > 72 {
            s.push_str("\r\n");
            col = 0;
        } else if col > 0 {
            s.push(' ');
            col += 1;
        }
        s.push_str(w);
        col += w.len();
    }
    s.push_str("\r\n");
    s
}

/// Base64 of pseudo-random bytes, 76-character CRLF lines.
fn base64_lines(rng: &mut Rng, len: usize) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
    let mut out = String::new();
    let mut col = 0;
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 { A[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if c.len() > 2 { A[n as usize & 63] as char } else { '=' });
        col += 4;
        if col == 76 {
            out.push_str("\r\n");
            col = 0;
        }
    }
    if col != 0 {
        out.push_str("\r\n");
    }
    out
}

fn lines_of(s: &str) -> usize {
    s.matches('\n').count()
}

/// One leaf's BODYSTRUCTURE, Dovecot style (extension data included).
fn leaf(ty: &str, sub: &str, params: &str, enc: &str, body: &str, disposition: &str) -> String {
    let lines = if ty == "text" { format!(" {}", lines_of(body)) } else { String::new() };
    format!("(\"{ty}\" \"{sub}\" {params} NIL NIL \"{enc}\" {}{lines} NIL {disposition} NIL NIL)", body.len())
}

/// One message: its header/FETCH fields, its BODYSTRUCTURE and its bytes.
struct Msg {
    uid: u32,
    flags: &'static str,
    internaldate: String,
    envelope: String,
    bodystructure: String,
    raw: String,
}

const FLAGS: &[&str] = &[
    "\\Seen",
    "\\Seen",
    "\\Seen",
    "\\Seen \\Answered",
    "",
    "\\Seen $Forwarded",
    "\\Flagged \\Seen",
    "\\Seen $NotJunk",
];

fn message(rng: &mut Rng, seq: usize) -> Msg {
    let uid = 4000 + seq as u32 * 3 + rng.below(3) as u32;
    let day = 1 + rng.below(28);
    let (month, zone) = (rng.below(12), *rng.pick(&ZONES));
    let (h, m, s) = (rng.below(24), rng.below(60), rng.below(60));
    let date = format!("{}, {day} {} 2026 {h:02}:{m:02}:{s:02} {zone}", DAYS[rng.below(7)], MONTHS[month]);
    let internaldate = format!("{day:02}-{}-2026 {h:02}:{:02}:{s:02} +0100", MONTHS[month], (m + 1) % 60);

    let from = *rng.pick(PEOPLE);
    let mut to = vec![ME];
    for _ in 0..rng.below(3) {
        to.push(*rng.pick(PEOPLE));
    }
    let undisclosed = rng.below(12) == 0;
    let cc: Vec<Person> = (0..[0, 0, 1, 2][rng.below(4)]).map(|_| *rng.pick(PEOPLE)).collect();
    let subject = *rng.pick(SUBJECTS);
    let msgid = message_id(rng, from.2);
    let in_reply_to = (rng.below(3) == 0).then(|| message_id(rng, "example.org"));
    let reply_to = (rng.below(5) == 0).then(|| *rng.pick(PEOPLE));

    let env_to = if undisclosed {
        "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL))".to_string()
    } else {
        env_addresses(&to)
    };
    let envelope = format!(
        "({} {} {} {} {} {} {} NIL {} {})",
        quoted(Some(&date)),
        quoted(subject),
        env_addresses(&[from]),
        env_addresses(&[from]),
        env_addresses(&[reply_to.unwrap_or(from)]),
        env_to,
        env_addresses(&cc),
        quoted(in_reply_to.as_deref()),
        quoted(Some(&msgid)),
    );

    let mut hdr = String::new();
    let _ = write!(
        hdr,
        "Return-Path: <{}@{}>\r\nDelivered-To: bob@example.org\r\n\
         Received: from mx{}.{} (mx.{} [192.0.2.{}])\r\n\tby mail.example.org with LMTP id {}\r\n\t\
         for <bob@example.org>; {date}\r\n",
        from.1,
        from.2,
        rng.below(4),
        from.2,
        from.2,
        1 + rng.below(250),
        token(rng, 22),
    );
    let _ = write!(hdr, "From: {}\r\n", header_address(&from));
    if let Some(r) = reply_to {
        let _ = write!(hdr, "Reply-To: {}\r\n", header_address(&r));
    }
    if undisclosed {
        hdr.push_str("To: undisclosed-recipients:;\r\n");
    } else {
        let _ = write!(hdr, "To: {}\r\n", header_addresses(&to));
    }
    if !cc.is_empty() {
        let _ = write!(hdr, "Cc: {}\r\n", header_addresses(&cc));
    }
    if let Some(s) = subject {
        let _ = write!(hdr, "Subject: {s}\r\n");
    }
    let _ = write!(hdr, "Date: {date}\r\nMessage-ID: {msgid}\r\n");
    if let Some(r) = &in_reply_to {
        let _ = write!(hdr, "In-Reply-To: {r}\r\nReferences: {r}\r\n");
    }
    hdr.push_str("MIME-Version: 1.0\r\n");

    let kind = rng.below(20);
    let (bodystructure, raw) = if kind < 10 {
        // Single-part text/plain.
        let len = rng.range(1200, 3600);
        let body = prose(rng, len);
        let (charset, enc) =
            *rng.pick(&[("utf-8", "7bit"), ("us-ascii", "7bit"), ("utf-8", "quoted-printable")]);
        let bs = leaf("text", "plain", &format!("(\"charset\" \"{charset}\")"), enc, &body, "NIL");
        let raw = format!(
            "{hdr}Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: {enc}\r\n\r\n{body}"
        );
        (bs, raw)
    } else {
        // multipart/alternative (text/plain, text/html), inside a
        // multipart/mixed with one attachment for most.
        let len = rng.range(500, 1500);
        let plain = prose(rng, len);
        let mut html = String::from("<html><head><meta charset=3D\"utf-8\"></head><body>\r\n");
        for line in plain.split("\r\n").filter(|l| !l.is_empty()) {
            let _ = write!(html, "<p>{line}</p>\r\n");
        }
        html.push_str("</body></html>\r\n");
        let alt_b = format!(
            "----=_Part_{}_{}.{}",
            rng.below(100_000),
            rng.below(1_000_000),
            1_700_000_000_000u64 + rng.next() % 100_000_000
        );
        let ctp = "(\"charset\" \"utf-8\")";
        let alt_bs = format!(
            "{}{} \"alternative\" (\"boundary\" {}) NIL NIL NIL",
            leaf("text", "plain", ctp, "quoted-printable", &plain, "NIL"),
            leaf("text", "html", ctp, "quoted-printable", &html, "NIL"),
            quoted(Some(&alt_b))
        );
        let alt_body = format!(
            "--{alt_b}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
             {plain}\r\n--{alt_b}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
             {html}\r\n--{alt_b}--\r\n"
        );
        if kind < 13 {
            let bs = format!("({alt_bs})");
            let raw = format!(
                "{hdr}Content-Type: multipart/alternative;\r\n boundary=\"{alt_b}\"\r\n\r\n{alt_body}"
            );
            (bs, raw)
        } else {
            let (ty, sub, name) = *rng.pick(ATTACHMENTS);
            let len = rng.range(1200, 3600);
            let data = base64_lines(rng, len);
            let mix_b = format!("=_{}", token(rng, 24));
            let att_bs = leaf(
                ty,
                sub,
                &format!("(\"name\" {})", quoted(Some(name))),
                "base64",
                &data,
                &format!("(\"attachment\" (\"filename\" {}))", quoted(Some(name))),
            );
            let bs =
                format!("(({alt_bs}){att_bs} \"mixed\" (\"boundary\" {}) NIL NIL NIL)", quoted(Some(&mix_b)));
            let raw = format!(
                "{hdr}Content-Type: multipart/mixed; boundary=\"{mix_b}\"\r\n\r\nThis is a multi-part message in MIME format.\r\n\
                 --{mix_b}\r\nContent-Type: multipart/alternative;\r\n boundary=\"{alt_b}\"\r\n\r\n{alt_body}\r\n\
                 --{mix_b}\r\nContent-Type: {ty}/{sub}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\n{data}\r\n--{mix_b}--\r\n"
            );
            (bs, raw)
        }
    };
    Msg { uid, flags: FLAGS[rng.below(FLAGS.len())], internaldate, envelope, bodystructure, raw }
}

fn messages() -> Vec<Msg> {
    let mut rng = Rng(0x1A2B_3C4D_5E6F_7081);
    (0..MESSAGES).map(|i| message(&mut rng, i)).collect()
}

const FETCH_DONE: &str = "a7 OK Fetch completed (0.012 + 0.000 + 0.011 secs).\r\n";

/// `fetch-literals`: 100 `* n FETCH (UID FLAGS INTERNALDATE RFC822.SIZE
/// ENVELOPE BODYSTRUCTURE BODY[] {N}…)` and the tagged OK.
pub fn fetch_literals() -> Stream {
    let mut s = String::new();
    let msgs = messages();
    for (i, m) in msgs.iter().enumerate() {
        let _ = write!(
            s,
            "* {} FETCH (UID {} FLAGS ({}) INTERNALDATE \"{}\" RFC822.SIZE {} ENVELOPE {} BODYSTRUCTURE {} BODY[] {{{}}}\r\n{})\r\n",
            i + 1,
            m.uid,
            m.flags,
            m.internaldate,
            m.raw.len(),
            m.envelope,
            m.bodystructure,
            m.raw.len(),
            m.raw
        );
    }
    s.push_str(FETCH_DONE);
    Stream { name: "fetch-literals", bytes: s.into_bytes(), responses: msgs.len() + 1, fetches: msgs.len() }
}

/// `fetch-headers`: the same messages, `* n FETCH (UID FLAGS ENVELOPE
/// BODYSTRUCTURE)` only (no literals: the grammar itself).
pub fn fetch_headers() -> Stream {
    let mut s = String::new();
    let msgs = messages();
    for (i, m) in msgs.iter().enumerate() {
        let _ = write!(
            s,
            "* {} FETCH (UID {} FLAGS ({}) ENVELOPE {} BODYSTRUCTURE {})\r\n",
            i + 1,
            m.uid,
            m.flags,
            m.envelope,
            m.bodystructure
        );
    }
    s.push_str(FETCH_DONE);
    Stream { name: "fetch-headers", bytes: s.into_bytes(), responses: msgs.len() + 1, fetches: msgs.len() }
}

/// `gmail`: `* n FETCH (X-GM-THRID … X-GM-MSGID … X-GM-LABELS (…) UID n
/// FLAGS (…))`, as Gmail answers `FETCH 1:* (X-GM-THRID X-GM-MSGID
/// X-GM-LABELS UID FLAGS)`.
pub fn gmail() -> Stream {
    const LABELS: &[&str] = &[
        "(\\Inbox \\Sent Important \"Muy Importante\")",
        "(\\Inbox)",
        "()",
        "(\\Inbox \\Important)",
        "(\"[Gmail]/Sent Mail\" \\Sent)",
        "(\\Inbox Work/Projects \"Travel 2026\")",
        "(\\Starred \\Inbox \\Important Receipts)",
    ];
    let mut rng = Rng(0x0BAD_F00D_DEAD_BEEF);
    let mut s = String::new();
    let mut thrid = 1_278_455_344_230_334_865u64;
    for i in 0..GMAIL_LINES {
        let msgid = 1_278_455_344_230_334_865u64 + i as u64 * 7_919_123 + rng.next() % 1_000_000;
        if rng.below(3) != 0 {
            thrid = msgid;
        }
        let _ = write!(
            s,
            "* {} FETCH (X-GM-THRID {thrid} X-GM-MSGID {msgid} X-GM-LABELS {} UID {} FLAGS ({}))\r\n",
            i + 1,
            rng.pick(LABELS),
            100 + i * 2,
            rng.pick(FLAGS)
        );
    }
    s.push_str("a3 OK Success\r\n");
    Stream { name: "gmail", bytes: s.into_bytes(), responses: GMAIL_LINES + 1, fetches: GMAIL_LINES }
}

/// `mixed-small`: 20 short sessions of what a client reads besides
/// message data: greeting, CAPABILITY, LIST, STATUS, SELECT's untagged
/// data, SEARCH, EXPUNGE, a FETCH of flags, IDLE's continuation, BYE,
/// tagged OK/NO.
pub fn mixed_small() -> Stream {
    const CAPS: &str = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES \
                        THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN \
                        NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT \
                        SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY \
                        PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE";
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut lines: Vec<String> = Vec::new();
    let mut fetches = 0;
    for i in 0..SESSIONS {
        let exists = 100 + rng.below(5000);
        let uidnext = 4000 + rng.below(100_000);
        lines.push(
            "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] \
             Dovecot (Debian) ready."
                .into(),
        );
        lines.push(format!("a1 OK [CAPABILITY {CAPS}] Logged in"));
        lines.push("* LIST (\\HasNoChildren) \".\" INBOX".into());
        lines.push("* LIST (\\HasNoChildren \\Sent) \".\" Sent".into());
        lines.push("* LIST (\\HasNoChildren \\Drafts) \".\" Drafts".into());
        lines.push("* LIST (\\HasChildren) \".\" Archive".into());
        lines.push("* LIST (\\HasNoChildren) \".\" \"Archive.2025 Q4\"".into());
        lines.push("* LIST (\\HasNoChildren \\Junk) \".\" Junk".into());
        lines.push("* LIST (\\HasNoChildren \\Trash) \".\" Trash".into());
        lines.push("a2 OK List completed (0.001 + 0.000 secs).".into());
        lines.push(format!(
            "* STATUS \"Archive.2025 Q4\" (MESSAGES {} UIDNEXT {} UIDVALIDITY {} UNSEEN {})",
            rng.below(9000),
            uidnext,
            1_700_000_000 + rng.below(100_000_000),
            rng.below(40)
        ));
        lines.push("a3 OK Status completed (0.001 + 0.000 secs).".into());
        lines
            .push("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded $NotJunk $Junk)".into());
        lines.push(
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded $NotJunk $Junk \\*)] \
             Flags permitted."
                .into(),
        );
        lines.push(format!("* {exists} EXISTS"));
        lines.push("* 0 RECENT".into());
        lines.push(format!("* OK [UNSEEN {}] First unseen.", 1 + rng.below(exists)));
        lines.push(format!("* OK [UIDVALIDITY {}] UIDs valid", 3_857_529_045u64 - i as u64 * 1013));
        lines.push(format!("* OK [UIDNEXT {uidnext}] Predicted next UID"));
        lines.push(format!("* OK [HIGHESTMODSEQ {}] Highest", 9000 + rng.below(100_000)));
        lines.push("a4 OK [READ-WRITE] Select completed (0.002 + 0.000 + 0.001 secs).".into());
        let hits: Vec<String> =
            (0..1 + rng.below(12)).map(|k| (2 + k * 80 + rng.below(80)).to_string()).collect();
        lines.push(format!("* SEARCH {}", hits.join(" ")));
        lines.push("a5 OK Search completed (0.004 + 0.000 + 0.003 secs).".into());
        lines.push("* SEARCH".into());
        lines.push("a6 OK Search completed (0.001 + 0.000 secs).".into());
        let seq = 1 + rng.below(exists);
        lines.push(format!("* {seq} FETCH (FLAGS (\\Seen \\Deleted))"));
        fetches += 1;
        lines.push("a7 OK Store completed (0.001 + 0.000 secs).".into());
        lines.push(format!("* {seq} EXPUNGE"));
        lines.push(format!("* {} EXISTS", exists - 1));
        lines.push("a8 OK Expunge completed (0.002 + 0.000 + 0.001 secs).".into());
        lines.push("a9 NO [TRYCREATE] Mailbox doesn't exist: Archive.2024".into());
        lines.push("+ idling".into());
        lines.push(format!("* {exists} EXISTS"));
        lines.push(format!("* {} FETCH (UID {} FLAGS ())", exists, uidnext));
        fetches += 1;
        lines.push("a10 OK Idle completed (0.001 + 31.526 + 31.525 secs).".into());
        lines.push("* BYE Logging out".into());
        lines.push("a11 OK Logout completed (0.001 + 0.000 secs).".into());
    }
    let responses = lines.len();
    let mut s = String::new();
    for l in lines {
        s.push_str(&l);
        s.push_str("\r\n");
    }
    Stream { name: "mixed-small", bytes: s.into_bytes(), responses, fetches }
}

/// Every stream, in the order the bench runs them.
pub fn streams() -> Vec<Stream> {
    vec![fetch_literals(), fetch_headers(), gmail(), mixed_small()]
}
