//! Conformance over the 202 messages of mail-parser 1.0.1's test corpus
//! (`../shared/corpus/mime/mail-parser-1.0.1/eml`): for each message, in
//! its LF form (`NNN.json`) and converted to CRLF (`NNN.crlf.json`), the
//! decoded subject, the addresses, the text and HTML bodies, and the
//! attachments' names and sizes must be what mail-parser's expected JSON
//! says.
//!
//! Where we disagree on purpose — where mail-parser's expectation encodes a
//! policy of its own and ours follows the RFC or Python's `email` — the case
//! is listed in `KNOWN`, one by one, with the reason. A listed case that
//! starts to agree fails the test too, so the list stays true.

mod support;

use std::collections::BTreeSet;

use mailwire_mime::{Address, Message, PartBody};
use serde_json::Value;

/// Raw 8-bit (Latin-1) text in a header: we read it as windows-1252, which
/// is what mail clients show; mail-parser turns each byte into U+FFFD.
const EIGHT_BIT_HEADER: &str = "8-bit header text read as windows-1252, not U+FFFD";
/// The same in an unencoded, raw 8-bit filename parameter.
const EIGHT_BIT_FILENAME: &str = "8-bit filename read as windows-1252, not U+FFFD";
/// A non-MIME message with an 8-bit body and no charset: windows-1252 (or
/// UTF-8 when valid) rather than U+FFFD.
const EIGHT_BIT_BODY: &str = "8-bit body without charset read as windows-1252, not U+FFFD";
/// `Content-Transfer-Encoding: x-uuencode`: we decode it; mail-parser
/// passes the uuencoded text through.
const UUENCODE: &str = "x-uuencode decoded by us, passed through by mail-parser";
/// The file ends in a lone CR after the last line; we keep it as content.
const LONE_CR: &str = "trailing lone CR kept as content";
/// A delimiter must start a line and be the whole line (RFC 2046 §5.1.1),
/// as Python's email package also requires; mail-parser follows Dovecot's
/// fallback that accepts delimiters mid-line or as the prefix of a longer
/// line, so the two split these messages differently.
const DELIMITER: &str = "delimiters only at line starts as whole lines (RFC 2046), no mid-line fallback";
/// Nested multiparts reusing their parent's boundary: each delimiter line
/// belongs to the outermost multipart that has that boundary, so an empty
/// last part appears; mail-parser drops it.
const SAME_BOUNDARY: &str = "nested multipart with the parent's boundary: empty final part kept";
/// A message/rfc822 body with no header block stays a nested message (as in
/// Python); mail-parser turns it into a text attachment.
const HEADERLESS_MESSAGE: &str = "header-less message/rfc822 kept as a message";
/// A base64 message/rfc822 (forbidden by RFC 2046 §5.2.1) stays an opaque
/// attachment with the `encoded-message` defect, as in Python; mail-parser
/// decodes and parses it.
const ENCODED_MESSAGE: &str = "encoded message/rfc822 kept opaque (attachment size = decoded bytes)";
/// A header-block line without a colon ends the header block (Python's
/// rule: RFC 5322 fields need a colon); mail-parser skips the line.
const COLONLESS_LINE: &str = "colon-less header line starts the body, as in Python";
/// Comments are not part of a display name (RFC 5322 §3.2.2, Python
/// agrees); mail-parser appends them in parentheses.
const COMMENT_IN_NAME: &str = "comments not appended to the display name";

/// (file stem relative to eml/, field, why we differ), one by one.
const KNOWN: &[(&str, &str, &str)] = &[
    ("legacy/010", "subject", EIGHT_BIT_HEADER),
    ("legacy/010", "address:To", EIGHT_BIT_HEADER),
    ("legacy/016", "attachments", EIGHT_BIT_FILENAME),
    ("legacy/017", "address:To", EIGHT_BIT_HEADER),
    ("legacy/017", "attachments", UUENCODE),
    ("legacy/020", "subject", EIGHT_BIT_HEADER),
    ("legacy/020", "address:To", EIGHT_BIT_HEADER),
    ("legacy/022", "subject", EIGHT_BIT_HEADER),
    ("legacy/022", "address:To", EIGHT_BIT_HEADER),
    ("legacy/023", "attachments", EIGHT_BIT_FILENAME),
    ("legacy/026", "attachments", EIGHT_BIT_FILENAME),
    ("legacy/027", "subject", EIGHT_BIT_HEADER),
    ("legacy/027", "address:To", EIGHT_BIT_HEADER),
    ("legacy/048", "text_body", UUENCODE),
    ("legacy/048", "html_body", UUENCODE),
    ("legacy/049", "text_body", LONE_CR),
    ("legacy/049", "html_body", LONE_CR),
    ("legacy/052", "subject", EIGHT_BIT_HEADER),
    ("legacy/052", "address:To", EIGHT_BIT_HEADER),
    ("legacy/052", "text_body", EIGHT_BIT_BODY),
    ("legacy/052", "html_body", EIGHT_BIT_BODY),
    ("malformed/003", "attachments", DELIMITER),
    ("malformed/004", "text_body", DELIMITER),
    ("malformed/004", "html_body", DELIMITER),
    ("malformed/004", "attachments", DELIMITER),
    ("malformed/005", "text_body", DELIMITER),
    ("malformed/005", "html_body", DELIMITER),
    ("malformed/005", "attachments", DELIMITER),
    ("malformed/007", "text_body", DELIMITER),
    ("malformed/007", "html_body", DELIMITER),
    ("malformed/013", "text_body", SAME_BOUNDARY),
    ("malformed/013", "html_body", SAME_BOUNDARY),
    ("malformed/013", "attachments", SAME_BOUNDARY),
    ("malformed/014", "text_body", SAME_BOUNDARY),
    ("malformed/014", "html_body", SAME_BOUNDARY),
    ("malformed/019", "text_body", DELIMITER),
    ("malformed/019", "html_body", DELIMITER),
    ("malformed/020", "text_body", DELIMITER),
    ("malformed/020", "html_body", DELIMITER),
    ("malformed/021", "text_body", DELIMITER),
    ("malformed/021", "html_body", DELIMITER),
    ("malformed/022", "attachments", HEADERLESS_MESSAGE),
    ("malformed/023", "text_body", DELIMITER),
    ("malformed/023", "html_body", DELIMITER),
    ("regressions/boundary-of-dashes", "attachments", DELIMITER),
    ("regressions/decode-problems", "attachments", UUENCODE),
    ("regressions/doubly-encoded-message", "attachments", ENCODED_MESSAGE),
    ("regressions/fallback-delimiter-after-text", "text_body", DELIMITER),
    ("regressions/fallback-delimiter-after-text", "html_body", DELIMITER),
    ("regressions/fallback-delimiter-mid-line", "text_body", DELIMITER),
    ("regressions/fallback-delimiter-mid-line", "html_body", DELIMITER),
    ("regressions/garbage-line-before-fold", "subject", COLONLESS_LINE),
    ("regressions/garbage-line-before-fold", "text_body", COLONLESS_LINE),
    ("regressions/garbage-line-before-fold", "html_body", COLONLESS_LINE),
    ("regressions/header-block-edge-cases", "text_body", COLONLESS_LINE),
    ("regressions/header-block-edge-cases", "html_body", COLONLESS_LINE),
    ("regressions/nested-encoded-message", "attachments", ENCODED_MESSAGE),
    ("regressions/no-delimiter-close-mid-line", "attachments", DELIMITER),
    ("regressions/readme-example", "address:From", COMMENT_IN_NAME),
    ("rfc/008", "attachments", ENCODED_MESSAGE),
    ("thirdparty/005", "text_body", DELIMITER),
    ("thirdparty/005", "html_body", DELIMITER),
];

#[derive(Default)]
struct Tally {
    checked: usize,
    agreed: usize,
    mismatches: Vec<String>,
}

#[test]
fn mail_parser_corpus_agrees() {
    let Some(dir) = support::corpus("mime/mail-parser-1.0.1/eml") else {
        return;
    };
    let emls = support::files(&dir, &|n| n.ends_with(".eml"));
    assert!(emls.len() >= 200, "expected the 202 messages, found {}", emls.len());
    let mut tally = Tally::default();
    let mut messages = 0;
    for eml in &emls {
        let stem = eml.strip_prefix(&dir).unwrap().with_extension("");
        let stem = stem.to_string_lossy().replace('\\', "/");
        let raw = std::fs::read(eml).unwrap();
        for (suffix, input) in [("json", to_lf(&raw)), ("crlf.json", to_crlf(&raw))] {
            let exp_path = eml.with_extension(suffix);
            let Ok(exp) = std::fs::read(&exp_path) else {
                continue;
            };
            let exp: Value = serde_json::from_slice(&exp).unwrap();
            messages += 1;
            compare(&stem, suffix, &input, &exp, &mut tally);
        }
    }
    let mut unexpected = Vec::new();
    let mut seen_known = BTreeSet::new();
    for m in &tally.mismatches {
        match KNOWN.iter().find(|(f, field, _)| m.starts_with(&format!("{f} {field} "))) {
            Some(k) => {
                seen_known.insert((k.0, k.1));
            }
            None => unexpected.push(m.clone()),
        }
    }
    let stale: Vec<_> = KNOWN.iter().filter(|k| !seen_known.contains(&(k.0, k.1))).collect();
    eprintln!(
        "mail-parser corpus: {} message forms, {} checks, {} agree, {} documented differences, {} unexpected",
        messages,
        tally.checked,
        tally.agreed,
        tally.mismatches.len() - unexpected.len(),
        unexpected.len()
    );
    for m in &unexpected {
        eprintln!("  MISMATCH {m}");
    }
    assert!(
        unexpected.is_empty(),
        "{} unexpected disagreements with mail-parser (see stderr)",
        unexpected.len()
    );
    assert!(stale.is_empty(), "documented differences that no longer occur: {stale:?}");
}

fn to_lf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, &b) in raw.iter().enumerate() {
        if b == b'\r' && raw.get(i + 1) == Some(&b'\n') {
            continue;
        }
        out.push(b);
    }
    out
}

fn to_crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 20);
    let mut prev = 0u8;
    for &b in raw {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

fn check(t: &mut Tally, stem: &str, field: &str, suffix: &str, ours: String, theirs: String) {
    t.checked += 1;
    if ours == theirs {
        t.agreed += 1;
    } else {
        let at = ours.chars().zip(theirs.chars()).take_while(|(a, b)| a == b).count();
        let window = |s: &str| s.chars().skip(at.saturating_sub(30)).take(90).collect::<String>();
        t.mismatches.push(format!(
            "{stem} {field} [{suffix}]: at char {at}: ours …{}… / mail-parser …{}…",
            window(&ours),
            window(&theirs)
        ));
    }
}

fn header<'v>(part: &'v Value, name: &str) -> Option<&'v Value> {
    part["headers"]
        .as_array()?
        .iter()
        .find(|h| h["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

fn compare(stem: &str, suffix: &str, input: &[u8], exp: &Value, t: &mut Tally) {
    let msg = Message::parse(input);
    let parts = exp["parts"].as_array().unwrap();
    let m0 = &exp["messages"][0];
    let root = &parts[m0["root"].as_u64().unwrap() as usize];

    // Subject.
    let theirs = header(root, "Subject").map(|h| match &h["value"] {
        Value::Object(o) => o.get("text").and_then(Value::as_str).unwrap_or("").to_string(),
        _ => String::new(),
    });
    check(t, stem, "subject", suffix, format!("{:?}", msg.subject()), format!("{:?}", theirs.as_deref()));

    // Addresses.
    for name in ["From", "To", "Cc", "Bcc", "Reply-To", "Sender"] {
        let Some(h) = header(root, name) else {
            continue;
        };
        let theirs = flatten_theirs(&h["value"]);
        let ours = msg.headers().get(name).map(|f| flatten_ours(&f.addresses())).unwrap_or_default();
        check(t, stem, &format!("address:{name}"), suffix, format!("{ours:?}"), format!("{theirs:?}"));
    }

    // Bodies and attachments.
    let body = msg.body_structure(0);
    for (list, key) in [(&body.text, "text_body"), (&body.html, "html_body")] {
        let ours: Vec<String> = list
            .iter()
            .map(|&id| {
                // Text parts compare as decoded text; media in a body list as bytes.
                let p = &msg.parts()[id];
                match p.is_text() {
                    true => p.decode_text().0.into_owned(),
                    false => String::from_utf8_lossy(&p.decoded()).into_owned(),
                }
            })
            .collect();
        let theirs: Vec<String> = m0[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| part_text(&parts[id.as_u64().unwrap() as usize]))
            .collect();
        check(t, stem, key, suffix, format!("{ours:?}"), format!("{theirs:?}"));
    }
    let ours: Vec<(Option<String>, usize)> = body
        .attachments
        .iter()
        .map(|&id| {
            let p = &msg.parts()[id];
            let size = match p.body() {
                PartBody::Message { .. } => 0,
                _ if p.is_text() => p.decode_text().0.len(),
                _ => p.decoded().len(),
            };
            (p.filename().map(|f| f.into_owned()), size)
        })
        .collect();
    let theirs: Vec<(Option<String>, usize)> = m0["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            let p = &parts[id.as_u64().unwrap() as usize];
            let size = match p["kind"].as_str() {
                Some("message") => 0,
                Some("text" | "html") => p["text"].as_str().map_or(0, str::len),
                _ => p["binary"]
                    .as_str()
                    .map_or(0, |b| base64_simd::STANDARD.decode_to_vec(b).map_or(0, |v| v.len())),
            };
            (attachment_name(p), size)
        })
        .collect();
    check(t, stem, "attachments", suffix, format!("{ours:?}"), format!("{theirs:?}"));
}

fn part_text(p: &Value) -> String {
    match p["text"].as_str() {
        Some(s) => s.to_string(),
        None => p["binary"]
            .as_str()
            .and_then(|b| base64_simd::STANDARD.decode_to_vec(b).ok())
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default(),
    }
}

fn attachment_name(p: &Value) -> Option<String> {
    let param = |hname: &str, pname: &str| -> Option<String> {
        let h = header(p, hname)?;
        let attrs = h["value"]["content_type"]["attributes"].as_array()?;
        attrs
            .iter()
            .find(|a| a[0].as_str().is_some_and(|n| n.eq_ignore_ascii_case(pname)))
            .and_then(|a| a[1].as_str().map(str::to_string))
    };
    param("Content-Disposition", "filename").or_else(|| param("Content-Type", "name"))
}

type Flat = Vec<(Option<String>, Option<String>, Option<String>)>;

fn flatten_ours(list: &[Address<'_>]) -> Flat {
    let mut out = Vec::new();
    for a in list {
        match a {
            Address::Mailbox(m) => out.push((
                None,
                m.name.as_deref().map(str::to_string),
                m.address.as_deref().map(str::to_string),
            )),
            Address::Group(g) => {
                let gname = Some(g.name.as_deref().unwrap_or("").to_string());
                if g.members.is_empty() {
                    out.push((gname.clone(), None, None));
                }
                for m in &g.members {
                    out.push((
                        gname.clone(),
                        m.name.as_deref().map(str::to_string),
                        m.address.as_deref().map(str::to_string),
                    ));
                }
            }
        }
    }
    out
}

fn flatten_theirs(v: &Value) -> Flat {
    let mut out = Vec::new();
    let Some(list) = v.get("address").and_then(Value::as_array) else {
        return out;
    };
    let s = |x: &Value| x.as_str().map(str::to_string);
    for a in list {
        if let Some(m) = a.get("mailbox") {
            out.push((None, s(&m["name"]), s(&m["address"])));
        } else if let Some(g) = a.get("group") {
            let gname = Some(g["name"].as_str().unwrap_or("").to_string());
            let members = g["mailboxes"].as_array().cloned().unwrap_or_default();
            if members.is_empty() {
                out.push((gname.clone(), None, None));
            }
            for m in &members {
                out.push((gname.clone(), s(&m["name"]), s(&m["address"])));
            }
        }
    }
    out
}
