//! The DNS hand-off: evaluations never resolve anything themselves. They
//! say which records they need ([`Query`]) and are resumed with what the
//! caller's resolver found ([`Answer`]), so any resolver, cache or test
//! fixture can stand behind them. DKIM asks for TXT records; SPF, DMARC and
//! ARC use the same types.
//!
//! [`Resolver`] is a small blocking convenience on top ([`MemoryResolver`]
//! holds a zone in memory, for tests and the examples); the core is the
//! query/answer exchange.
//!
//! ```
//! use mailwire_auth::dns::{Answer, MemoryResolver, Query, RecordType, Resolver};
//!
//! let zone = MemoryResolver::from_zone_file(r#"
//! brisbane._domainkey.example.com TXT "v=DKIM1; k=ed25519; " "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
//! "#).unwrap();
//! let q = Query::txt("brisbane._domainkey.example.com");
//! let Answer::Records(records) = zone.resolve(&q) else { panic!() };
//! // The strings of one record are joined.
//! assert!(records[0].starts_with(b"v=DKIM1; k=ed25519; p=11qY"));
//! assert_eq!(zone.resolve(&Query::txt("nope.example")), Answer::NotFound);
//! ```

use std::collections::HashMap;
use std::fmt;

/// A DNS record type the evaluations ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordType {
    /// TXT (DKIM keys, SPF and DMARC policies).
    Txt,
    /// A (IPv4 addresses).
    A,
    /// AAAA (IPv6 addresses).
    Aaaa,
    /// MX (mail exchangers).
    Mx,
    /// PTR (reverse names).
    Ptr,
}

impl RecordType {
    /// The type's mnemonic (`TXT`, `A`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Txt => "TXT",
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Mx => "MX",
            RecordType::Ptr => "PTR",
        }
    }
}

/// A record the evaluation needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Query {
    /// The owner name, without a trailing dot, in lower case.
    pub name: String,
    /// The record type.
    pub rtype: RecordType,
}

impl Query {
    /// A TXT query for `name`.
    pub fn txt(name: impl Into<String>) -> Query {
        let mut name = name.into();
        name.make_ascii_lowercase();
        if name.ends_with('.') {
            name.pop();
        }
        Query { name, rtype: RecordType::Txt }
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.rtype.as_str())
    }
}

/// What the resolver found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The records, in the form of the type: for TXT, each record's
    /// character-strings joined (RFC 6376 §3.6.2.2, RFC 7208 §3.3); for A
    /// and AAAA the address bytes; for MX and PTR the names.
    Records(Vec<Vec<u8>>),
    /// NXDOMAIN, or the name exists with no record of this type: a
    /// definite "no".
    NotFound,
    /// The lookup failed for now (SERVFAIL, a timeout, …): try again later.
    TempError(String),
}

/// A blocking resolver: the convenience for simple callers.
pub trait Resolver {
    /// Looks `query` up.
    fn resolve(&self, query: &Query) -> Answer;
}

/// Records held in memory: a zone file's worth of test data, or a cache.
#[derive(Debug, Clone, Default)]
pub struct MemoryResolver {
    records: HashMap<(String, RecordType), Vec<Vec<u8>>>,
    temp_errors: HashMap<String, String>,
}

impl MemoryResolver {
    /// An empty zone.
    pub fn new() -> MemoryResolver {
        MemoryResolver::default()
    }

    /// Adds a TXT record made of these character-strings.
    pub fn add_txt(&mut self, name: &str, strings: &[&[u8]]) {
        let q = Query::txt(name);
        self.records.entry((q.name, RecordType::Txt)).or_default().push(strings.concat());
    }

    /// Makes every lookup of `name` a temporary failure.
    pub fn fail(&mut self, name: &str, why: &str) {
        self.temp_errors.insert(Query::txt(name).name, why.to_string());
    }

    /// Reads lines `NAME TXT "string" "string"…` (RFC 1035 master-file
    /// strings: `\"`, `\\` and `\DDD` escapes; `;` starts a comment outside
    /// quotes; blank lines skipped). Other record types are not read.
    pub fn from_zone_file(text: &str) -> Result<MemoryResolver, ZoneError> {
        let mut zone = MemoryResolver::new();
        for (n, line) in text.lines().enumerate() {
            let line_no = n + 1;
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with(';') || trimmed.starts_with('#') {
                continue;
            }
            let (name, rest) = trimmed
                .split_once(|c: char| c.is_ascii_whitespace())
                .ok_or(ZoneError { line: line_no, what: "a name, TXT and strings" })?;
            let rest = rest.trim_start();
            let rest = rest
                .strip_prefix("TXT")
                .or_else(|| rest.strip_prefix("txt"))
                .ok_or(ZoneError { line: line_no, what: "the type TXT after the name" })?;
            let strings = parse_strings(rest).map_err(|what| ZoneError { line: line_no, what })?;
            let refs: Vec<&[u8]> = strings.iter().map(Vec::as_slice).collect();
            zone.add_txt(name, &refs);
        }
        Ok(zone)
    }
}

impl Resolver for MemoryResolver {
    fn resolve(&self, query: &Query) -> Answer {
        if let Some(why) = self.temp_errors.get(&query.name) {
            return Answer::TempError(why.clone());
        }
        match self.records.get(&(query.name.clone(), query.rtype)) {
            Some(r) if !r.is_empty() => Answer::Records(r.clone()),
            _ => Answer::NotFound,
        }
    }
}

/// The character-strings of a master-file TXT line.
fn parse_strings(s: &str) -> Result<Vec<Vec<u8>>, &'static str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' => i += 1,
            b';' => break,
            b'"' => {
                i += 1;
                let mut cur = Vec::new();
                loop {
                    match b.get(i) {
                        None => return Err("a closing quote"),
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(b'\\') => {
                            let digits = b.get(i + 1..i + 4).filter(|d| d.iter().all(u8::is_ascii_digit));
                            match digits {
                                Some(d) => {
                                    let v = (d[0] - b'0') as u32 * 100
                                        + (d[1] - b'0') as u32 * 10
                                        + (d[2] - b'0') as u32;
                                    cur.push(u8::try_from(v).map_err(|_| "a \\DDD escape below 256")?);
                                    i += 4;
                                }
                                None => {
                                    cur.push(*b.get(i + 1).ok_or("a character after \\")?);
                                    i += 2;
                                }
                            }
                        }
                        Some(&c) => {
                            cur.push(c);
                            i += 1;
                        }
                    }
                }
                out.push(cur);
            }
            _ => {
                // An unquoted string runs to white space.
                let end = b[i..].iter().position(|c| c.is_ascii_whitespace()).map_or(b.len(), |e| i + e);
                out.push(b[i..end].to_vec());
                i = end;
            }
        }
    }
    if out.is_empty() {
        return Err("at least one string");
    }
    Ok(out)
}

/// A zone-file line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneError {
    /// The line number (1-based).
    pub line: usize,
    /// What was expected.
    pub what: &'static str,
}

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "zone file line {}: expected {}", self.line, self.what)
    }
}

impl std::error::Error for ZoneError {}
