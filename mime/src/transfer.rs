//! Content-Transfer-Encoding decoders (RFC 2045 §6), tolerant of real mail:
//! base64 with junk, line noise and bad padding; quoted-printable with
//! invalid escapes and trailing whitespace; x-uuencode.

use std::borrow::Cow;

use crate::defect::DefectKind;

/// A Content-Transfer-Encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
    // Fast path: well-formed base64, decoded in one SIMD pass over the
    // line contents gathered without their line breaks.
    if let Some(v) = decode_base64_lines(body) {
        return (v, None);
    }
    // Slow path: split at padding, keep alphabet bytes only.
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 3);
    let mut junk = false;
    let mut alpha = Vec::new();
    for run in body.split(|&b| b == b'=') {
        alpha.clear();
        alpha.extend(run.iter().copied().filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/'));
        junk |= run
            .iter()
            .any(|b| !b.is_ascii_whitespace() && !b.is_ascii_alphanumeric() && *b != b'+' && *b != b'/');
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

/// The fast path of [`decode_base64`]: lines of one length (as every
/// encoder writes them) are found by position, without a search for each
/// line end, and decoded one by one; any irregularity falls back to a line
/// search. `None` when the data is not plain, well-formed base64.
fn decode_base64_lines(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0u8; body.len() / 4 * 3 + 3];
    let mut o = 0;
    let first = memchr::memchr(b'\n', body).unwrap_or(body.len());
    let cr = first > 0 && body[first - 1] == b'\r';
    let width = first - usize::from(cr);
    let stride = first + 1;
    let mut pos = 0;
    if width > 0 && width % 4 == 0 {
        // Full lines of whole groups decode straight from the input into
        // the output (SIMD, no copy); the padded last line goes to the tail.
        while pos + stride <= body.len()
            && body[pos + stride - 1] == b'\n'
            && (!cr || body[pos + width] == b'\r')
            && body[pos + width - 1] != b'='
        {
            let dst = base64_simd::Out::from_slice(&mut out[o..]);
            o += base64_simd::STANDARD_NO_PAD.decode(&body[pos..pos + width], dst).ok()?.len();
            pos += stride;
        }
    }
    // The rest (the last lines, or everything for odd layouts): gathered
    // without whitespace, decoded by WHATWG forgiving rules (optional
    // padding; non-zero trailing bits, common as in `/f==`, ignored).
    let mut tail = Vec::with_capacity(body.len() - pos);
    let mut rest = &body[pos..];
    while let Some(i) = memchr::memchr(b'\n', rest) {
        tail.extend_from_slice(rest[..i].trim_ascii());
        rest = &rest[i + 1..];
    }
    tail.extend_from_slice(rest.trim_ascii());
    let decoded = base64_simd::forgiving_decode_inplace(&mut tail).ok()?;
    out[o..o + decoded.len()].copy_from_slice(decoded);
    o += decoded.len();
    out.truncate(o);
    Some(out)
}

/// Decodes quoted-printable: `=XX` escapes (either case), soft line breaks
/// (`=` at the end of a line, whitespace after it allowed), trailing
/// whitespace on lines dropped. Invalid escapes are kept as written.
pub fn decode_qp(body: &[u8]) -> (Vec<u8>, Option<DefectKind>) {
    let n = body.len();
    let mut out = Vec::with_capacity(n);
    let mut bad = false;
    let mut i = 0;
    // Where the raw run that produced the end of `out` began in `body`, if
    // the end of `out` is a raw run: only raw bytes may be trimmed at a line
    // end (an encoded `=20` is content).
    let mut run: Option<usize> = None;
    while i < n {
        match body[i] {
            b'\n' => {
                let mut cr = false;
                if let Some(start) = run.take() {
                    let raw = &body[start..i];
                    let (raw, had_cr) = match raw.strip_suffix(b"\r") {
                        Some(r) => (r, true),
                        None => (raw, false),
                    };
                    cr = had_cr;
                    // RFC 2045 §6.7 rule 3: trailing whitespace was added
                    // in transport; the line break stays as written.
                    let drop = (i - start) - trim_wsp_end(raw).len();
                    out.truncate(out.len() - drop);
                }
                out.extend_from_slice(if cr { b"\r\n" } else { b"\n" });
                i += 1;
            }
            b'=' => {
                run = None;
                // Runs of escapes (binary content) stay in this loop.
                while i + 2 < n && body[i] == b'=' {
                    let (hi, lo) = (HEX[usize::from(body[i + 1])], HEX[usize::from(body[i + 2])]);
                    if hi | lo >= 16 {
                        break;
                    }
                    out.push(hi << 4 | lo);
                    i += 3;
                }
                if body.get(i) == Some(&b'=') {
                    i = soft_break_or_literal(body, i, &mut out, &mut bad);
                }
            }
            _ => {
                let start = i;
                i = next_eq_or_lf(body, i + 1);
                out.extend_from_slice(&body[start..i]);
                run = Some(start);
            }
        }
    }
    // The last line has no line break; its trailing whitespace goes too.
    if let Some(start) = run {
        let drop = (n - start) - trim_wsp_end(&body[start..]).len();
        out.truncate(out.len() - drop);
    }
    (out, bad.then_some(DefectKind::InvalidQuotedPrintable))
}

/// The first `=` or LF at or after `i` (or the end), eight bytes at a time.
fn next_eq_or_lf(b: &[u8], mut i: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = b.get(i..i + 8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else { break };
        let w = u64::from_le_bytes(bytes);
        // A byte of `x` is zero where `w` has the byte sought; the lowest
        // flagged byte is exact (borrows only run upwards).
        let (x, y) = (w ^ (LO * u64::from(b'=')), w ^ (LO * u64::from(b'\n')));
        let hit = ((x.wrapping_sub(LO) & !x) | (y.wrapping_sub(LO) & !y)) & HI;
        if hit != 0 {
            return i + (hit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && b[i] != b'=' && b[i] != b'\n' {
        i += 1;
    }
    i
}

/// `=` at `at` not followed by two hex digits: a soft line break (`=`,
/// optional whitespace, line end) is skipped; anything else is kept as a
/// literal `=` and reported. Returns where decoding continues.
fn soft_break_or_literal(body: &[u8], at: usize, out: &mut Vec<u8>, bad: &mut bool) -> usize {
    let ws = body[at + 1..].iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
    let after = at + 1 + ws;
    match &body[after..] {
        [b'\r', b'\n', ..] => after + 2,
        [b'\n', ..] => after + 1,
        [] => after,
        _ => {
            *bad = true;
            out.push(b'=');
            at + 1
        }
    }
}

/// Hex digit values; 0xff for anything else.
const HEX: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

fn trim_wsp_end(b: &[u8]) -> &[u8] {
    let n = b.iter().rev().take_while(|c| matches!(c, b' ' | b'\t')).count();
    &b[..b.len() - n]
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
        // Encoded spaces are content; raw trailing spaces are not.
        assert_eq!(decode_qp(b"a=20 \r\nb=20\nc  ").0, b"a \r\nb \nc");
        assert_eq!(decode_qp(b"soft  =  \r\nend=").0, b"soft  end");
    }

    #[test]
    fn word_at_a_time_scan_matches_a_byte_scan() {
        let hay: Vec<u8> =
            (0..400u32).map(|i| [b'a', b'=', b'\n', 0x80, b'<', 0xff][(i * 7 % 23 % 6) as usize]).collect();
        for start in 0..hay.len() {
            for len in [0, 1, 7, 8, 9, 17, 64] {
                let end = (start + len).min(hay.len());
                let slice = &hay[..end];
                let naive = (start..end).find(|&i| slice[i] == b'=' || slice[i] == b'\n').unwrap_or(end);
                assert_eq!(next_eq_or_lf(slice, start.min(end)), naive.max(start.min(end)));
            }
        }
    }

    #[test]
    fn uuencode() {
        let enc = b"begin 644 cat.txt\n#0V%T\n`\nend\n";
        assert_eq!(decode_uu(enc), (b"Cat".to_vec(), None));
    }
}
