//! Conformance of the structured-field parsers (`date`, `ids`,
//! `received`; `list.json` is mail-parser's comma-separated text lists,
//! compared in `field_vectors_text.rs`) against mail-parser 1.0.1's header vectors
//! (`../shared/corpus/mime/mail-parser-1.0.1/{date,id,received}.json`,
//! each a JSON array of `{"header": raw value, "expected": parsed}` in
//! mail-parser's own shape).
//!
//! Every vector is compared. Where mail-parser's expectation is a policy we
//! deliberately do not share, the case is listed in the `*_KNOWN` table of
//! that file with a one-line reason; a listed case must still differ (and,
//! for `Received:`, differ in exactly the listed fields), so the lists stay
//! true. The counts are printed (`cargo test -- --nocapture`).
//!
//! Shape mapping (not a loosening: these are the two models side by side):
//! - dates compare the local civil fields and the offset in minutes
//!   (mail-parser's `-0000` and `+0000` are both offset 0 here);
//! - `Received:` compares `from`, `from_ip`, `from_iprev`, `by`, `via`,
//!   `with`, `id`, `for`, TLS and the date. mail-parser's `helo`,
//!   `helo_cmd` and `ident` have no counterpart here and are not compared.
//!   Our `with` is the protocol text as written, so it is classified the
//!   way mail-parser's protocol enum is (`local-esmtps` → `ESMTPS`,
//!   `Microsoft SMTPSVC` → `SMTP`) before comparing. Our `tls` is the TLS
//!   text as written, so it must contain mail-parser's `tls_cipher` and
//!   name its `tls_version`. Our `from` keeps an address literal as written
//!   (`[192.0.2.1]`) and our `from_ip` also carries a `from` domain that is
//!   an address, where mail-parser has it only in `from`.

mod support;

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::Path;

use mailwire_mime::date::{DateTime, parse_date};
use mailwire_mime::ids::parse_message_ids;
use mailwire_mime::received::{Received, parse_received};
use serde_json::Value;

/// date.json: (exact header, why our answer differs).
const DATE_KNOWN: &[(&str, &str)] = &[
    (
        " 4 8 15 16 23 42, 4 8 15 16 23 42, 4 8 15 16 23 42, ",
        "RFC 5322 3.3: time-of-day needs ':' separators; six bare numbers are not a date",
    ),
    (
        "Tue, 1 Jul 2003 10:52:37 +5 \n",
        "short zone digits are hours, as mail-parser itself reads \"+5\" without the space",
    ),
    (
        "Tue, 1 Jul 2003 10:52:37 +530\n",
        "3-digit zone is hmm (+05:30), as mail-parser itself reads \"+530 \" with a space",
    ),
    (
        "Tue, 1 Jul 2003 10:52:37\n",
        "missing zone is offset 0 (our policy), as mail-parser does for \"...37 \\n\"",
    ),
    (
        "Tue, 1 Jul 2003 10:52:37",
        "missing zone is offset 0 (our policy), as mail-parser does for \"...37 \\n\"",
    ),
    (
        "Wed, 27 Jun 99 04:11 GMT\n",
        "valid obs-date (RFC 5322 4.3); mail-parser accepts it only with a trailing space",
    ),
    (
        "Tue, 1 Jul 2003 10:52:37 est",
        "RFC 5234 literals are case-insensitive: \"est\" is EST, -0500 (RFC 5322 4.3)",
    ),
    ("Tue, 1 Xul 2003 10:52:37 +0200", "\"Xul\" is no month (RFC 5322 3.3); guessing July is not safe"),
    ("Tue, 1 Xul 2003 10:52:37 -0000", "\"Xul\" is no month (RFC 5322 3.3); guessing July is not safe"),
    ("Tue, 32 Jul 2003 25:61:61 +0200", "day 32, hour 25, minute 61 are out of range (RFC 5322 3.3): None"),
    ("1 Jul 121 10:52:37 +0200", "RFC 5322 4.3: a three-digit year is added to 1900 (2021), not year 121"),
    (
        "Tue, 1 Jul 2003 10:52:37 +0200 foo-bar",
        "the zone +0200 is valid; trailing text after the date-time is ignored",
    ),
    (
        "Tue, 1 Jul 2003 10:52:37 +0200 x-y",
        "the zone +0200 is valid; trailing text after the date-time is ignored",
    ),
    (
        "Tue, 1 Jul 2003 10:52:37 +0200 foo-",
        "the zone +0200 is valid; trailing text after the date-time is ignored",
    ),
    (
        "Tue, 1 Jul 2003 10:52:37 +0200; x",
        "the zone +0200 is valid; trailing text after the date-time is ignored",
    ),
    (
        "Tue, 1 Jul 2003 10:52:37 +05 (IST)\n",
        "\"+05\" is five hours (as mail-parser reads \"+05\\n\"); the comment is CFWS",
    ),
    ("Tue, 1 Jul 2003 10:52:37 +1 x-\n", "\"+1\" is one hour east; trailing text after the zone is ignored"),
    (
        "Tue, 1 Jul 2003 10:52:37 +3(7 +5",
        "the zone is +3; the unclosed comment after it is ignored, not added",
    ),
    ("Tue, 1 Jul 2003 10:52:37 5\n", "an unsigned number is no zone: unknown zone = -0000 (RFC 5322 4.3)"),
    ("Tue, 1 Jul 2003 10:52:37 5+,", "an unsigned number is no zone: unknown zone = -0000 (RFC 5322 4.3)"),
    ("Tue, 1 Jul 2003 10:52:37 -+5\n", "\"-+5\" is no zone: unknown zone = -0000 (RFC 5322 4.3)"),
];

/// id.json: (exact header, why our answer differs).
const ID_KNOWN: &[(&str, &str)] = &[
    (
        "<1234   @   local(blah)  .machine .example>\n",
        "RFC 5322 A.6.3 / 4.5.4: CFWS in obs-id is not part of the id: 1234@local.machine.example",
    ),
    ("< a b >\n", "white space inside the brackets is CFWS, not id text (RFC 5322 4.5.4)"),
    ("<a\r\n b>\r\n", "folding inside the brackets is CFWS, not id text (RFC 5322 2.2.3, 4.5.4)"),
    ("<a<b>c>\n", "'<' cannot be in a msg-id: the id restarts after the second '<'"),
    ("a@b <c\n <d@e>\n", "'<' cannot be in a msg-id: the id restarts after the second '<', giving d@e"),
    (
        "foo <bar\n",
        "an unclosed '<' gives no id; \"foo\" is a phrase, not a bare id (value is not one token)",
    ),
    ("foo <> bar\n", "empty <> is skipped; the rest is phrase text, not an id"),
    ("a>b\n", "'>' cannot be in a msg-id (RFC 5322 3.6.4), so the bare token is not an id"),
];

/// received.json: (substring that picks exactly one header, the fields
/// that differ, why).
const RECEIVED_KNOWN: &[(&str, &[&str], &str)] = &[
    // from_iprev: the reverse name written in TCP-info is reported as is.
    (
        "(localhost [IPv6:::1])",
        &["from_iprev"],
        "TCP-info (RFC 5321 4.4) names the peer 'localhost': reported as written",
    ),
    (
        "av0001.technodiva.com (localhost [127.0.0.1])",
        &["from_iprev"],
        "TCP-info (RFC 5321 4.4) names the peer 'localhost': reported as written",
    ),
    (
        "from Agni (localhost [::ffff:127.0.0.1])",
        &["from_iprev"],
        "TCP-info (RFC 5321 4.4) names the peer 'localhost': reported as written",
    ),
    (
        "from localhost (localhost [127.0.0.1]) (uid 500)",
        &["from_iprev"],
        "TCP-info (RFC 5321 4.4) names the peer 'localhost': reported as written",
    ),
    (
        "(localhost [[UNIX: localhost]])",
        &["from_iprev"],
        "TCP-info (RFC 5321 4.4) names the peer 'localhost': reported as written",
    ),
    (
        "from maroon.pobox.com (localhost [127.0.0.1])",
        &["from_iprev"],
        "TCP-info (RFC 5321 4.4) names the peer 'localhost': reported as written",
    ),
    // from_ip: qmail writes the peer address as `(remoteinfo@remoteip)`.
    (
        "(foobar@213.228.0.169)",
        &["from_ip"],
        "qmail '(info@ip)': ip is the TCP peer address (TCPREMOTEIP), so it is from_ip",
    ),
    (
        "(Owner50@207.213.27.129)",
        &["from_ip"],
        "qmail '(info@ip)': ip is the TCP peer address (TCPREMOTEIP), so it is from_ip",
    ),
    (
        "(benelli@80.167.158.170)",
        &["from_ip"],
        "qmail '(info@ip)': ip is the TCP peer address (TCPREMOTEIP), so it is from_ip",
    ),
    (
        "(baldusi@200.69.254.217 with plain)",
        &["from_ip"],
        "qmail '(info@ip)': ip is the TCP peer address (TCPREMOTEIP), so it is from_ip",
    ),
    (
        "(?dXqpg3b0hiH9faI2OxLT94P/YKDD3rQ1?@64.253.199.166)",
        &["from_ip"],
        "qmail '(info@ip)': ip is the TCP peer address (TCPREMOTEIP), so it is from_ip",
    ),
    (
        "(lucilleskinner@93.124.107.183 with login)",
        &["from_ip"],
        "qmail '(info@ip)': ip is the TCP peer address (TCPREMOTEIP), so it is from_ip",
    ),
    // id: RFC 5321 ID = Atom / msg-id, and '/' is atext.
    (
        "id EE/20-30863-33CE1054",
        &["id"],
        "'/' is atext (RFC 5322 3.2.3): the Atom id is EE/20-30863-33CE1054, not EE",
    ),
    (
        "id 8B/57-16227-3764EB44",
        &["id"],
        "'/' is atext (RFC 5322 3.2.3): the Atom id is 8B/57-16227-3764EB44, not 8B",
    ),
    (
        "id 52/92-02454-89FBA054",
        &["id"],
        "'/' is atext (RFC 5322 3.2.3): the Atom id is 52/92-02454-89FBA054, not 52",
    ),
    // date: obsolete zones have defined meanings; asctime is read correctly.
    (
        "Wed, 12 Feb 2003 14:22:21 PST",
        &["date"],
        "RFC 5322 4.3: PST is -0800 (mail-parser's date.json agrees; its Received path says -0000)",
    ),
    (
        "Fri, 02 Jun 2006 08:15:21 PDT",
        &["date"],
        "RFC 5322 4.3: PDT is -0700 (mail-parser's date.json agrees; its Received path says -0000)",
    ),
    (
        "Fri Feb 07 10:18:12 2003 -0800",
        &["date"],
        "asctime date read as 2003-02-07 10:18:12 -0800; mail-parser's 2010-07-02 18:12:211 is out of range",
    ),
    (
        "Sun Nov 13 14:50:12 2005",
        &["date"],
        "asctime date read as 2005-11-13 14:50:12; mail-parser's month 13 / hour 50 is out of range",
    ),
    (
        "Sun Nov 13 15:38:52 2005",
        &["date"],
        "asctime date read as 2005-11-13 15:38:52; mail-parser's month 13 / hour 38 is out of range",
    ),
    (
        "Thu, 02 Apr 2020 07:53:55.516 +0000",
        &["date"],
        "fractional seconds skipped: 07:53:55 +0000; mail-parser drops the seconds and the zone",
    ),
    (
        "1 Jan 2020 10:11:12 -9999",
        &["date"],
        "zone -9999 is out of range (RFC 5322 3.3: minutes 99 > 59): date None",
    ),
    (
        "Fri Sep 14 14:36:56 EDT 2018",
        &["date", "from"],
        "date(1) form read as 2018-09-14 14:36:56 -0400 (mail-parser: month 14); from is the HELO text as written",
    ),
    // other clauses
    (
        "by alpha by uid 7791",
        &["by"],
        "a repeated clause keeps its first value: 'by alpha' (the second 'by uid' is qmail-scanner text)",
    ),
    (
        "from Unknown/Local ([?.?.?.?])",
        &["from"],
        "the from domain is reported as written ('Unknown/Local'), not cut at '/'",
    ),
    (
        "; Thu, 20 Mar 03 10:06:43 +0100 for <asrg@ietf.org>",
        &["for_"],
        "RFC 5321 4.4: the date-time ends the Stamp; a 'for' after it is not a clause",
    ),
    (
        "(qmail 84907 invoked from network)",
        &["from"],
        "text in a comment is not a from clause (RFC 5321 4.4): 'network' is not a host",
    ),
    (
        "(Postfix, from userid 1002)",
        &["from"],
        "text in a comment is not a from clause (RFC 5321 4.4): 'userid' is not a host",
    ),
    (
        "server-7.tower-with AES256-GCM-SHA384 encrypted SMTP",
        &["tls"],
        "no 'with' keyword here ('tower-with' is one word), so no with clause to take the cipher from",
    ),
];

fn vectors(dir: &Path, name: &str) -> Vec<(String, Value)> {
    let path = dir.join(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let json: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let Value::Array(items) = json else {
        panic!("{} is not a JSON array", path.display());
    };
    items
        .into_iter()
        .map(|item| {
            let header = item["header"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: vector without a header string: {item}"))
                .to_owned();
            (header, item["expected"].clone())
        })
        .collect()
}

/// Agreement bookkeeping for one vector file.
struct Tally {
    name: &'static str,
    total: usize,
    agreed: usize,
    known: usize,
    failures: Vec<String>,
    known_used: BTreeSet<usize>,
}

impl Tally {
    fn new(name: &'static str) -> Self {
        Tally { name, total: 0, agreed: 0, known: 0, failures: Vec::new(), known_used: BTreeSet::new() }
    }

    /// Counts one vector: agreeing, a listed difference, or a failure (a
    /// listed case that agrees now, or an unlisted disagreement).
    fn record(&mut self, header: &str, agrees: bool, known: Option<usize>, diff: impl FnOnce() -> String) {
        match (agrees, known) {
            (true, None) => self.agreed += 1,
            (false, Some(i)) => {
                self.known += 1;
                self.known_used.insert(i);
            }
            (true, Some(i)) => {
                self.failures.push(format!("listed as a known difference (#{i}) but agrees now: {header:?}"))
            }
            (false, None) => self.failures.push(format!("{header:?}: {}", diff())),
        }
    }

    fn finish(self, known_len: usize) {
        let mut failures = self.failures;
        for i in 0..known_len {
            if !self.known_used.contains(&i) {
                failures.push(format!(
                    "{}: known-difference entry #{i} matched no differing vector (stale?)",
                    self.name
                ));
            }
        }
        eprintln!(
            "{}: {}/{} vectors agree with mail-parser, {} deliberate differences, {} unexplained",
            self.name,
            self.agreed,
            self.total,
            self.known,
            failures.len()
        );
        assert!(
            failures.is_empty(),
            "{} failures in {}:\n{}",
            failures.len(),
            self.name,
            failures.join("\n")
        );
    }
}

// ---------------------------------------------------------------------------
// date.json

/// mail-parser's date shape as (y, m, d, h, mi, s, offset minutes).
fn expected_date(v: &Value) -> Option<(i64, i64, i64, i64, i64, i64, i64)> {
    if v.is_null() {
        return None;
    }
    let f = |k: &str| v[k].as_i64().unwrap_or_else(|| panic!("date field {k} missing in {v}"));
    let sign = if v["tz_before_gmt"].as_bool().unwrap_or(false) { -1 } else { 1 };
    Some((
        f("year"),
        f("month"),
        f("day"),
        f("hour"),
        f("minute"),
        f("second"),
        sign * (f("tz_hour") * 60 + f("tz_minute")),
    ))
}

fn our_date(d: Option<DateTime>) -> Option<(i64, i64, i64, i64, i64, i64, i64)> {
    d.map(|d| {
        (
            d.year(),
            i64::from(d.month()),
            i64::from(d.day()),
            i64::from(d.hour()),
            i64::from(d.minute()),
            i64::from(d.second()),
            i64::from(d.offset_minutes),
        )
    })
}

fn show_date(d: Option<(i64, i64, i64, i64, i64, i64, i64)>) -> String {
    match d {
        None => "None".to_owned(),
        Some((y, mo, d, h, mi, s, off)) => format!(
            "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} {}{:02}{:02}",
            if off < 0 { '-' } else { '+' },
            off.abs() / 60,
            off.abs() % 60
        ),
    }
}

#[test]
fn date_vectors() {
    let Some(dir) = support::corpus("mime/mail-parser-1.0.1") else {
        return;
    };
    let mut tally = Tally::new("date.json");
    for (header, expected) in vectors(&dir, "date.json") {
        tally.total += 1;
        let want = expected_date(&expected);
        let got = our_date(parse_date(header.as_bytes()));
        let known = DATE_KNOWN.iter().position(|(h, _)| *h == header);
        tally.record(&header, got == want, known, || {
            format!("ours {} mail-parser {}", show_date(got), show_date(want))
        });
    }
    tally.finish(DATE_KNOWN.len());
}

// ---------------------------------------------------------------------------
// id.json

#[test]
fn id_vectors() {
    let Some(dir) = support::corpus("mime/mail-parser-1.0.1") else {
        return;
    };
    let mut tally = Tally::new("id.json");
    for (header, expected) in vectors(&dir, "id.json") {
        tally.total += 1;
        let want: Vec<String> = match &expected {
            Value::Null => Vec::new(),
            Value::Array(a) => a.iter().map(|s| s.as_str().expect("id strings").to_owned()).collect(),
            other => panic!("unexpected id expectation {other}"),
        };
        let got: Vec<String> =
            parse_message_ids(header.as_bytes()).into_iter().map(|c| c.into_owned()).collect();
        let known = ID_KNOWN.iter().position(|(h, _)| *h == header);
        tally.record(&header, got == want, known, || format!("ours {got:?} mail-parser {want:?}"));
    }
    tally.finish(ID_KNOWN.len());
}

// ---------------------------------------------------------------------------
// received.json

/// An address written as mail-parser's `IpAddr` host: `[1.2.3.4]`,
/// `[IPv6:::1]`, `[1.2.3.4]:25` or plain.
fn host_ip(s: &str) -> Option<IpAddr> {
    let s = s.strip_prefix('[').map_or(s, |r| r.split(']').next().unwrap_or(r));
    let s = s.strip_prefix("IPv6:").or_else(|| s.strip_prefix("ipv6:")).unwrap_or(s);
    s.parse().ok()
}

/// mail-parser's protocol classification of a `with` text.
fn protocol_class(with: &str) -> Option<&'static str> {
    let up = with.to_ascii_uppercase();
    if up.contains("ESMTP-TLS") {
        return Some("ESMTPS");
    }
    let mut local = false;
    for w in up.split(|c: char| !c.is_ascii_alphanumeric()) {
        let class = match w {
            "SMTP" | "SMTPSVC" | "BSMTP" => "SMTP",
            "ESMTP" => "ESMTP",
            "ESMTPA" => "ESMTPA",
            "ESMTPS" => "ESMTPS",
            "ESMTPSA" => "ESMTPSA",
            "LMTP" => "LMTP",
            "LMTPA" => "LMTPA",
            "HTTP" | "HTTPREST" => "HTTP",
            "IMAP" => "IMAP",
            "POP3" => "POP3",
            "LOCAL" => {
                local = true;
                continue;
            }
            _ => continue,
        };
        return Some(class);
    }
    local.then_some("Local")
}

/// Whether a TLS text names mail-parser's version (`TLSv1_3` etc.).
fn names_tls_version(tls: &str, version: &str) -> bool {
    let digits = version.trim_start_matches("TLSv").replace('_', "");
    let norm: String = tls
        .to_ascii_uppercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .replace("TLSV", "TLS");
    if norm.contains(&format!("TLS{digits}")) {
        return true;
    }
    // `TLSv1` and `TLSv1/SSLv3` mean 1.0.
    if let Some(major) = digits.strip_suffix('0') {
        let pat = format!("TLS{major}");
        return norm
            .match_indices(&pat)
            .any(|(at, _)| !norm[at + pat.len()..].chars().next().is_some_and(|c| c.is_ascii_digit()));
    }
    false
}

fn host_matches(ours: Option<&str>, want: &Value) -> bool {
    match (ours, want) {
        (None, Value::Null) => true,
        (Some(o), Value::Object(m)) => {
            if let Some(name) = m.get("Name").and_then(Value::as_str) {
                o == name
            } else if let Some(ip) = m.get("IpAddr").and_then(Value::as_str) {
                host_ip(o).is_some() && host_ip(o) == ip.parse().ok()
            } else {
                false
            }
        }
        _ => false,
    }
}

fn str_matches(ours: Option<&str>, want: &Value) -> bool {
    ours == want.as_str()
}

/// The fields where our parse differs from mail-parser's expectation.
fn received_diff(r: &Received<'_>, e: &Value) -> BTreeSet<&'static str> {
    let null = Value::Null;
    let get = |k: &str| if e.is_null() { &null } else { &e[k] };
    let mut diff = BTreeSet::new();
    if !host_matches(r.from.as_deref(), get("from")) {
        diff.insert("from");
    }
    let want_ip = get("from_ip")
        .as_str()
        .or_else(|| get("from")["IpAddr"].as_str())
        .and_then(|s| s.parse::<IpAddr>().ok());
    if r.from_ip != want_ip {
        diff.insert("from_ip");
    }
    if !str_matches(r.from_iprev.as_deref(), get("from_iprev")) {
        diff.insert("from_iprev");
    }
    if !host_matches(r.by.as_deref(), get("by")) {
        diff.insert("by");
    }
    for (field, ours) in [("via", r.via.as_deref()), ("id", r.id.as_deref()), ("for_", r.for_.as_deref())] {
        if !str_matches(ours, get(field)) {
            diff.insert(field);
        }
    }
    if r.with.as_deref().and_then(protocol_class) != get("with").as_str() {
        diff.insert("with");
    }
    let cipher = get("tls_cipher").as_str();
    let version = get("tls_version").as_str();
    let tls_ok = match (r.tls.as_deref(), cipher, version) {
        (None, None, None) => true,
        (Some(t), c, v) if c.is_some() || v.is_some() => {
            c.is_none_or(|c| t.contains(c)) && v.is_none_or(|v| names_tls_version(t, v))
        }
        _ => false,
    };
    if !tls_ok {
        diff.insert("tls");
    }
    if our_date(r.date) != expected_date(get("date")) {
        diff.insert("date");
    }
    diff
}

#[test]
fn received_vectors() {
    let Some(dir) = support::corpus("mime/mail-parser-1.0.1") else {
        return;
    };
    let items = vectors(&dir, "received.json");
    for (i, (key, _, _)) in RECEIVED_KNOWN.iter().enumerate() {
        let n = items.iter().filter(|(h, _)| h.contains(key)).count();
        assert_eq!(n, 1, "RECEIVED_KNOWN #{i} {key:?} matches {n} vectors, not 1");
    }
    let mut tally = Tally::new("received.json");
    for (header, expected) in &items {
        tally.total += 1;
        let r = parse_received(header.as_bytes());
        let diff = received_diff(&r, expected);
        let known = RECEIVED_KNOWN.iter().position(|(key, _, _)| header.contains(key));
        match known {
            None if diff.is_empty() => tally.agreed += 1,
            None => tally.failures.push(format!(
                "{header:?}\n    differs in {diff:?}\n    ours: {r:?}\n    mail-parser: {expected}"
            )),
            Some(i) => {
                let listed: BTreeSet<&str> = RECEIVED_KNOWN[i].1.iter().copied().collect();
                if diff == listed {
                    tally.known += 1;
                    tally.known_used.insert(i);
                } else {
                    tally.known_used.insert(i);
                    tally.failures.push(format!(
                        "{header:?}\n    listed as differing in {listed:?} but differs in {diff:?}\n    ours: {r:?}\n    mail-parser: {expected}"
                    ));
                }
            }
        }
    }
    tally.finish(RECEIVED_KNOWN.len());
}
