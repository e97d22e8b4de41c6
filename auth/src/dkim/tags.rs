//! The tag-list syntax of DKIM signatures and key records (RFC 6376
//! §3.2): `tag=value; tag=value`, white space (and folding) allowed
//! around tags, values and separators, duplicate tags an error.

use super::Failure;

/// The longest tag list read (a signature or a key record): far above
/// any real one (a 16384-bit RSA key is about 2.8 KB of base64).
pub const MAX_TAG_LIST: usize = 16 * 1024;

/// The tags of a list, in order, values trimmed of surrounding white
/// space (inner white space kept: base64 values strip it themselves).
pub(crate) fn parse(list: &[u8]) -> Result<Vec<(&str, &[u8])>, Failure> {
    if list.len() > MAX_TAG_LIST {
        return Err(Failure::TooLong { what: "tag list", len: list.len(), max: MAX_TAG_LIST });
    }
    let mut out: Vec<(&str, &[u8])> = Vec::new();
    for spec in list.split(|&b| b == b';') {
        let spec = trim(spec);
        if spec.is_empty() {
            // A trailing ';' (or an empty spec between two).
            continue;
        }
        let eq = memchr::memchr(b'=', spec).ok_or(Failure::Syntax { what: "a tag without '='" })?;
        let name = trim(&spec[..eq]);
        let value = trim(&spec[eq + 1..]);
        let valid_name = !name.is_empty()
            && name[0].is_ascii_alphabetic()
            && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid_name {
            return Err(Failure::Syntax { what: "a tag name that is not ALPHA *(ALNUM / \"_\")" });
        }
        let name = std::str::from_utf8(name).map_err(|_| Failure::Syntax { what: "a tag name" })?;
        if out.iter().any(|(n, _)| *n == name) {
            return Err(Failure::DuplicateTag(name.to_string()));
        }
        out.push((name, value));
    }
    Ok(out)
}

/// FWS trimmed from both ends (SP, HTAB, CR, LF).
pub(crate) fn trim(b: &[u8]) -> &[u8] {
    let is_ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let start = b.iter().position(|c| !is_ws(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !is_ws(c)).map_or(start, |e| e + 1);
    &b[start..end]
}

/// A base64 value with its folding white space removed, decoded.
pub(crate) fn base64(value: &[u8], what: &'static str) -> Result<Vec<u8>, Failure> {
    let clean: Vec<u8> =
        value.iter().copied().filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n')).collect();
    base64_simd::STANDARD.decode_to_vec(&clean).map_err(|_| Failure::BadBase64(what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_lists() {
        let tags = parse(b" v=1; a = rsa-sha256 ;\r\n\tb=ab cd\r\n ef;").unwrap();
        assert_eq!(tags, [("v", &b"1"[..]), ("a", b"rsa-sha256"), ("b", b"ab cd\r\n ef")]);
        assert!(matches!(parse(b"v=1; v=1"), Err(Failure::DuplicateTag(t)) if t == "v"));
        assert!(parse(b"v").is_err());
        assert!(parse(b"1v=1").is_err());
        assert_eq!(parse(b"").unwrap(), []);
        assert_eq!(base64(b"YW J j\r\n ZA==", "b").unwrap(), b"abcd");
        assert!(base64(b"!!", "b").is_err());
    }
}
