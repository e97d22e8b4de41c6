//! Content-Transfer-Encoding decoders (RFC 2045 §6), tolerant of real mail:
//! base64 with junk, line noise and bad padding; quoted-printable with
//! invalid escapes and trailing whitespace; x-uuencode.

use std::borrow::Cow;

use crate::defect::DefectKind;
use crate::encoded_word::hex;

/// A Content-Transfer-Encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferEncoding {
    /// `7bit` (also the default).
    SevenBit,
    /// `8bit`.
    EightBit,
    /// `binary`.
    Binary,
    /// `quoted-printable`.
    QuotedPrintable,
    /// `base64`.
    Base64,
    /// `x-uuencode` (also `uuencode`, `x-uue`).
    Uuencode,
    /// Anything else: the body is passed through as is.
    Unknown,
}

impl TransferEncoding {
    /// Reads a Content-Transfer-Encoding token (case-insensitive).
    pub fn from_token(tok: &str) -> TransferEncoding {
        let t = tok.trim();
        let is = |s: &str| t.eq_ignore_ascii_case(s);
        if is("7bit") || is("7-bit") {
            TransferEncoding::SevenBit
        } else if is("8bit") || is("8-bit") {
            TransferEncoding::EightBit
        } else if is("binary") {
            TransferEncoding::Binary
        } else if is("quoted-printable") {
            TransferEncoding::QuotedPrintable
        } else if is("base64") {
            TransferEncoding::Base64
        } else if is("x-uuencode") || is("uuencode") || is("x-uue") {
            TransferEncoding::Uuencode
        } else {
            TransferEncoding::Unknown
        }
    }

    /// Whether the body bytes are the content (no decoding needed).
    pub fn is_identity(self) -> bool {
        matches!(
            self,
            TransferEncoding::SevenBit
                | TransferEncoding::EightBit
                | TransferEncoding::Binary
                | TransferEncoding::Unknown
        )
    }

    /// Decodes `body`. The defect, if any, says what was wrong; the bytes
    /// are always the best reading of the input.
    pub fn decode(self, body: &[u8]) -> (Cow<'_, [u8]>, Option<DefectKind>) {
        match self {
            TransferEncoding::Base64 => {
                let (v, d) = decode_base64(body);
                (Cow::Owned(v), d)
            }
            TransferEncoding::QuotedPrintable => {
                let (v, d) = decode_qp(body);
                (Cow::Owned(v), d)
            }
            TransferEncoding::Uuencode => {
                let (v, d) = decode_uu(body);
                (Cow::Owned(v), d)
            }
            _ => (Cow::Borrowed(body), None),
        }
    }
}

/// Decodes base64, skipping whitespace, and — on the slow path — every byte
/// outside the alphabet. Padding in the middle starts a new encoded run
/// (concatenated base64 is common).
pub fn decode_base64(body: &[u8]) -> (Vec<u8>, Option<DefectKind>) {
    // Fast path: well-formed base64 with line breaks (SIMD; WHATWG
    // "forgiving" rules: whitespace skipped, padding optional).
    if let Ok(v) = base64_simd::forgiving_decode_to_vec(body) {
        return (v, None);
    }
    // Slow path: split at padding, keep alphabet bytes only.
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 3);
    let mut junk = false;
    let mut alpha = Vec::new();
    for run in body.split(|&b| b == b'=') {
        alpha.clear();
        alpha.extend(run.iter().copied().filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/'));
        junk |= run.iter().any(|b| !b.is_ascii_whitespace() && !b.is_ascii_alphanumeric() && *b != b'+' && *b != b'/');
        if alpha.len() % 4 == 1 {
            alpha.pop();
            junk = true;
        }
        match base64_simd::forgiving_decode_to_vec(&alpha) {
            Ok(v) => out.extend_from_slice(&v),
            Err(_) => junk = true,
        }
    }
    (out, junk.then_some(DefectKind::InvalidBase64))
}

/// Decodes quoted-printable: `=XX` escapes (either case), soft line breaks
/// (`=` at the end of a line, whitespace after it allowed), trailing
/// whitespace on lines dropped. Invalid escapes are kept as written.
pub fn decode_qp(body: &[u8]) -> (Vec<u8>, Option<DefectKind>) {
    let mut out = Vec::with_capacity(body.len());
    let mut bad = false;
    let mut rest = body;
    while !rest.is_empty() {
        let (line, eol, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => {
                let line = &rest[..i];
                let (line, eol): (&[u8], &[u8]) = match line.strip_suffix(b"\r") {
                    Some(l) => (l, b"\r\n"),
                    None => (line, b"\n"),
                };
                (line, eol, &rest[i + 1..])
            }
            None => (rest, &b""[..], &rest[rest.len()..]),
        };
        let line = line.trim_ascii_end();
        let mut soft = false;
        let mut i = 0;
        while i < line.len() {
            let Some(eq) = memchr::memchr(b'=', &line[i..]) else {
                out.extend_from_slice(&line[i..]);
                break;
            };
            out.extend_from_slice(&line[i..i + eq]);
            i += eq;
            if i + 1 == line.len() {
                soft = true;
                break;
            }
            match (line.get(i + 1).copied().and_then(hex), line.get(i + 2).copied().and_then(hex)) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                }
                _ => {
                    bad = true;
                    out.push(b'=');
                    i += 1;
                }
            }
        }
        if !soft {
            out.extend_from_slice(eol);
        }
        rest = next;
    }
    (out, bad.then_some(DefectKind::InvalidQuotedPrintable))
}

/// Decodes uuencoded data (`begin MODE NAME` … `end`). Without a `begin`
/// line the lines are decoded anyway and a defect is reported.
pub fn decode_uu(body: &[u8]) -> (Vec<u8>, Option<DefectKind>) {
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut bad = false;
    let mut started = false;
    for line in body.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !started {
            if line.starts_with(b"begin ") || line == b"begin" {
                started = true;
            }
            continue;
        }
        if line.starts_with(b"end") && line[3..].trim_ascii().is_empty() {
            break;
        }
        let Some((&len_ch, data)) = line.split_first() else {
            continue;
        };
        let n = usize::from(len_ch.wrapping_sub(b' ') & 0x3f);
        if n == 0 {
            continue;
        }
        let mut chunk = Vec::with_capacity(n + 3);
        for quad in data.chunks(4) {
            let mut g = [0u8; 4];
            for (k, &c) in quad.iter().enumerate() {
                if !(b' '..=b'`').contains(&c) {
                    bad = true;
                }
                g[k] = c.wrapping_sub(b' ') & 0x3f;
            }
            chunk.extend_from_slice(&[g[0] << 2 | g[1] >> 4, g[1] << 4 | g[2] >> 2, g[2] << 6 | g[3]]);
        }
        if chunk.len() < n {
            bad = true;
        }
        chunk.truncate(n);
        out.extend_from_slice(&chunk);
    }
    if !started {
        bad = true;
    }
    (out, bad.then_some(DefectKind::InvalidUuencode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_clean_and_junk() {
        assert_eq!(decode_base64(b"aGVsbG8g\r\nd29ybGQ=\r\n"), (b"hello world".to_vec(), None));
        assert_eq!(decode_base64(b"aGVsbG8").0, b"hello");
        let (v, d) = decode_base64(b"aGVs!!bG8g\r\nd29y bGQ=\r\n");
        assert_eq!(v, b"hello world");
        assert_eq!(d, Some(DefectKind::InvalidBase64));
        // Two concatenated encodings.
        assert_eq!(decode_base64(b"aGk=\r\naGk=\r\n").0, b"hihi");
    }

    #[test]
    fn qp_soft_breaks_and_bad_escapes() {
        assert_eq!(decode_qp(b"caf=C3=A9 =\r\nbar  \r\nx").0, "café bar\r\nx".as_bytes());
        let (v, d) = decode_qp(b"a=ZZb=\n");
        assert_eq!(v, b"a=ZZb");
        assert_eq!(d, Some(DefectKind::InvalidQuotedPrintable));
        assert_eq!(decode_qp(b"=3d=3D").0, b"==");
    }

    #[test]
    fn uuencode() {
        let enc = b"begin 644 cat.txt\n#0V%T\n`\nend\n";
        assert_eq!(decode_uu(enc), (b"Cat".to_vec(), None));
    }
}
