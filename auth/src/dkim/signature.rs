//! The DKIM-Signature header field (RFC 6376 §3.5): parsed, checked and
//! written.

use super::tags::{self, base64};
use super::{Algorithm, Canon, Failure};

/// A parsed DKIM-Signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// `a=`.
    pub algorithm: Algorithm,
    /// `b=`: the signature, decoded.
    pub signature: Vec<u8>,
    /// `bh=`: the body hash, decoded.
    pub body_hash: Vec<u8>,
    /// `c=`: header and body canonicalisation (default simple/simple).
    pub canon: (Canon, Canon),
    /// `d=`: the signing domain (as written).
    pub domain: String,
    /// `h=`: the signed header field names, in order (as written).
    pub headers: Vec<String>,
    /// `i=`: the agent or user identifier (default `@d`).
    pub identity: String,
    /// `l=`: the body length signed, if any.
    pub length: Option<u64>,
    /// `s=`: the selector.
    pub selector: String,
    /// `t=`: the signing time.
    pub timestamp: Option<u64>,
    /// `x=`: the expiry time.
    pub expiration: Option<u64>,
    /// `z=`: copied header fields (`name:value`, QP-decoded).
    pub copied_headers: Vec<String>,
}

/// The most header names `h=` may list.
pub const MAX_SIGNED_HEADERS: usize = 256;

impl Signature {
    /// Parses a DKIM-Signature value, checking what RFC 6376 §6.1.1 asks:
    /// every required tag, `v=1`, an algorithm and canonicalisation we
    /// know, `From` among the signed fields, `i=` within `d=`, `x=` not
    /// before `t=`.
    pub fn parse(value: &[u8]) -> Result<Signature, Failure> {
        let tags = tags::parse(value)?;
        let get = |name: &str| tags.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        let text = |name: &'static str| -> Result<Option<String>, Failure> {
            match get(name) {
                None => Ok(None),
                Some(v) => {
                    String::from_utf8(v.to_vec()).map(Some).map_err(|_| Failure::Syntax { what: name })
                }
            }
        };
        let required = |name: &'static str| get(name).ok_or(Failure::MissingTag(name));
        match required("v")? {
            b"1" => {}
            _ => return Err(Failure::UnsupportedVersion),
        }
        let algorithm = Algorithm::from_name(required("a")?)?;
        let signature = base64(required("b")?, "b=")?;
        let body_hash = base64(required("bh")?, "bh=")?;
        if body_hash.len() != algorithm.hash().digest_len() {
            return Err(Failure::Syntax { what: "bh= of the hash's length" });
        }
        let canon = match get("c") {
            None => (Canon::Simple, Canon::Simple),
            Some(c) => {
                let c = std::str::from_utf8(c).map_err(|_| Failure::Syntax { what: "c=" })?;
                let (h, b) = c.split_once('/').unwrap_or((c, "simple"));
                (Canon::from_name(h)?, Canon::from_name(b)?)
            }
        };
        let domain = text("d")?.ok_or(Failure::MissingTag("d"))?;
        if domain.is_empty() || !domain.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') {
            return Err(Failure::Syntax { what: "d= (a domain name)" });
        }
        let h = text("h")?.ok_or(Failure::MissingTag("h"))?;
        let headers: Vec<String> =
            h.split(':').map(|n| n.trim_matches(|c: char| c.is_ascii_whitespace()).to_string()).collect();
        if headers.len() > MAX_SIGNED_HEADERS || headers.iter().any(|n| n.is_empty()) {
            return Err(Failure::Syntax { what: "h= (header names separated by ':')" });
        }
        if !headers.iter().any(|n| n.eq_ignore_ascii_case("from")) {
            return Err(Failure::FromNotSigned);
        }
        let identity = match text("i")? {
            Some(i) => decode_qp(&i)?,
            None => format!("@{domain}"),
        };
        let id_domain =
            identity.rsplit_once('@').map(|(_, d)| d).ok_or(Failure::Syntax { what: "i= with an '@'" })?;
        if !is_subdomain(id_domain, &domain) {
            return Err(Failure::IdentityNotInDomain);
        }
        let number = |name: &'static str| -> Result<Option<u64>, Failure> {
            match get(name) {
                None => Ok(None),
                Some(v) if !v.is_empty() && v.len() <= 20 && v.iter().all(u8::is_ascii_digit) => {
                    std::str::from_utf8(v)
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .map(Some)
                        .ok_or(Failure::Syntax { what: name })
                }
                Some(_) => Err(Failure::Syntax { what: name }),
            }
        };
        let length = number("l")?;
        let timestamp = number("t")?;
        let expiration = number("x")?;
        if let (Some(t), Some(x)) = (timestamp, expiration) {
            if x < t {
                return Err(Failure::Syntax { what: "x= not before t=" });
            }
        }
        if let Some(q) = get("q") {
            if !q.split(|&b| b == b':').any(|m| tags::trim(m).eq_ignore_ascii_case(b"dns/txt")) {
                return Err(Failure::Syntax { what: "q= naming dns/txt" });
            }
        }
        let selector = text("s")?.ok_or(Failure::MissingTag("s"))?;
        if selector.is_empty()
            || !selector.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
        {
            return Err(Failure::Syntax { what: "s= (a selector)" });
        }
        let copied_headers = match text("z")? {
            None => Vec::new(),
            Some(z) => z.split('|').map(|f| decode_qp(f.trim())).collect::<Result<_, _>>()?,
        };
        Ok(Signature {
            algorithm,
            signature,
            body_hash,
            canon,
            domain,
            headers,
            identity,
            length,
            selector,
            timestamp,
            expiration,
            copied_headers,
        })
    }

    /// The DNS name of the key: `selector._domainkey.domain`.
    pub fn key_name(&self) -> String {
        format!("{}._domainkey.{}", self.selector, self.domain)
    }
}

/// Whether `sub` is `domain` or below it (ASCII case-insensitive).
pub(crate) fn is_subdomain(sub: &str, domain: &str) -> bool {
    let (sub, domain) = (sub.to_ascii_lowercase(), domain.to_ascii_lowercase());
    sub == domain || sub.ends_with(&format!(".{domain}"))
}

/// DKIM-quoted-printable (RFC 6376 §2.11) decoded.
fn decode_qp(s: &str) -> Result<String, Failure> {
    if !s.contains('=') {
        return Ok(s.chars().filter(|c| !c.is_ascii_whitespace()).collect());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'=' => {
                let hex = b.get(i + 1..i + 3).ok_or(Failure::Syntax { what: "a quoted-printable escape" })?;
                let v = std::str::from_utf8(hex)
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or(Failure::Syntax { what: "a quoted-printable escape" })?;
                out.push(v);
                i += 3;
            }
            c if c.is_ascii_whitespace() => i += 1,
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// DKIM-quoted-printable encoded, for `z=` and `i=`.
pub(crate) fn encode_qp(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let safe = (0x21..=0x3a).contains(&b) || b == 0x3c || (0x3e..=0x7e).contains(&b);
        if safe && b != b'|' {
            out.push(b as char);
        } else {
            out.push_str(&format!("={b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC: &[u8] = b" v=1; a=rsa-sha256; s=brisbane; d=example.com;\r\n      c=simple/simple; q=dns/txt; i=joe@football.example.com;\r\n      h=Received : From : To : Subject : Date : Message-ID;\r\n      bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n      b=AuUoFEfDxTDkHlLXSZEpZj79LICEps6eda7W3deTVFOk4yAUoqOB\r\n      4nujc7YopdG5dWLSdNg6xNAZpOPr+kHxt1IrE+NahM6L/LbvaHut\r\n      KVdkLLkpVaVVQPzeRDI009SO2Il5Lu7rDNH6mZckBdrIx0orEtZV\r\n      4bmp/YzhwvcubU4=;";

    #[test]
    fn the_rfc_6376_example_signature() {
        // RFC 6376 §3.5's i= is joe@football.example.com, which is not
        // in d=example.com's tree... it is: football.example.com.
        let s = Signature::parse(RFC).unwrap();
        assert_eq!(s.algorithm, Algorithm::RsaSha256);
        assert_eq!(s.headers, ["Received", "From", "To", "Subject", "Date", "Message-ID"]);
        assert_eq!(s.key_name(), "brisbane._domainkey.example.com");
        assert_eq!(s.identity, "joe@football.example.com");
        assert_eq!(s.body_hash.len(), 32);
    }

    #[test]
    fn checks() {
        let base = "v=1; a=rsa-sha256; d=example.com; s=sel; h=from:to; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA";
        assert!(Signature::parse(base.as_bytes()).is_ok());
        let bad = |s: &str, f: Failure| assert_eq!(Signature::parse(s.as_bytes()).unwrap_err(), f, "{s}");
        bad(&base.replace("v=1", "v=2"), Failure::UnsupportedVersion);
        bad(&base.replace("h=from:to", "h=to"), Failure::FromNotSigned);
        bad(&base.replace("; s=sel", ""), Failure::MissingTag("s"));
        bad(&format!("{base}; i=joe@other.com"), Failure::IdentityNotInDomain);
        bad(&format!("{base}; s=again"), Failure::DuplicateTag("s".into()));
        bad(&base.replace("a=rsa-sha256", "a=rsa-md5"), Failure::UnsupportedAlgorithm("rsa-md5".into()));
        bad(&format!("{base}; t=20; x=10"), Failure::Syntax { what: "x= not before t=" });
        bad(&format!("{base}; l=-1"), Failure::Syntax { what: "l" });
        bad(
            &base.replace("bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=", "bh=AAAA"),
            Failure::Syntax { what: "bh= of the hash's length" },
        );
        bad(&base.replace("b=AAAA", "b=A!AA"), Failure::BadBase64("b="));
    }

    #[test]
    fn quoted_printable() {
        assert_eq!(decode_qp("joe=40x.com").unwrap(), "joe@x.com");
        assert_eq!(encode_qp("Subject: a;b|c"), "Subject:=20a=3Bb=7Cc");
    }
}
