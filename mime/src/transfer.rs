//! Content-Transfer-Encoding (RFC 2045 §6).
//!
//! Decoders, tolerant of real mail: base64 with junk, line noise and bad
//! padding; quoted-printable with invalid escapes and trailing whitespace;
//! x-uuencode. Encoders, strict, for a message builder:
//! [`encode_base64`], [`encode_quoted_printable`], and [`BodyStats`] to
//! choose between them.

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

// ---------------------------------------------------------------------------
// Encoders (what a message builder writes)

/// The longest base64 line (RFC 2045 §6.8): 76 characters, 57 input bytes.
const B64_LINE: usize = 76;

/// Encodes `input` as base64 (RFC 2045 §6.8, standard alphabet, padded)
/// and appends it to `out`: lines of 76 characters, each followed by `eol`
/// (the last line too, when the input is not empty). An empty input
/// writes nothing.
///
/// The whole input is encoded in one SIMD pass; the lines are then moved
/// apart in place to make room for the line breaks.
///
/// ```
/// use mailwire_mime::transfer::encode_base64;
///
/// let mut out = Vec::new();
/// encode_base64(b"hello", b"\r\n", &mut out);
/// assert_eq!(out, b"aGVsbG8=\r\n");
/// ```
pub fn encode_base64(input: &[u8], eol: &[u8], out: &mut Vec<u8>) {
    match eol {
        b"\r\n" => encode_base64_lines(input, b"\r\n", out),
        b"\n" => encode_base64_lines(input, b"\n", out),
        _ => encode_base64_lines(input, eol, out),
    }
}

/// Encodes 64 lines at a time into a scratch block (one SIMD pass), then
/// appends them line by line; with `eol` a constant the line copies are
/// fixed-size moves, not calls.
#[inline(always)]
fn encode_base64_lines(input: &[u8], eol: &[u8], out: &mut Vec<u8>) {
    const LINE_IN: usize = B64_LINE / 4 * 3;
    const BLOCK_LINES: usize = 64;
    let b64 = base64_simd::STANDARD;
    let enc = b64.encoded_length(input.len());
    out.reserve(enc + enc.div_ceil(B64_LINE) * eol.len());
    let mut scratch = [0u8; B64_LINE * BLOCK_LINES];
    for block in input.chunks(LINE_IN * BLOCK_LINES) {
        let encoded = b64.encode(block, base64_simd::Out::from_slice(&mut scratch));
        let mut lines = encoded.chunks_exact(B64_LINE);
        for line in &mut lines {
            if let Ok(line) = <&[u8; B64_LINE]>::try_from(line) {
                out.extend_from_slice(line);
            }
            out.extend_from_slice(eol);
        }
        if !lines.remainder().is_empty() {
            out.extend_from_slice(lines.remainder());
            out.extend_from_slice(eol);
        }
    }
}

/// The longest quoted-printable line (RFC 2045 §6.7 rule 5), the `=` of a
/// soft line break included.
const QP_LINE: usize = 76;

/// QP byte class: written as is (33..=126 except `=`).
const QP_SAFE: u8 = 0;
/// QP byte class: SP or TAB, written as is unless it ends an encoded line.
const QP_WSP: u8 = 1;
/// QP byte class: always written as `=XX`.
const QP_ESC: u8 = 2;
/// QP byte class (text mode): CR, a hard line break when LF follows, else `=0D`.
const QP_CR: u8 = 3;
/// QP byte class (text mode): LF, a hard line break.
const QP_LF: u8 = 4;

/// The class of every byte, for text mode (`true`) or binary mode.
const fn qp_classes(text: bool) -> [u8; 256] {
    let mut t = [QP_ESC; 256];
    let mut b = 33;
    while b <= 126 {
        t[b] = QP_SAFE;
        b += 1;
    }
    t[b'=' as usize] = QP_ESC;
    t[b' ' as usize] = QP_WSP;
    t[b'\t' as usize] = QP_WSP;
    if text {
        t[b'\r' as usize] = QP_CR;
        t[b'\n' as usize] = QP_LF;
    }
    t
}

/// Byte classes for text mode.
static QP_TEXT: [u8; 256] = qp_classes(true);
/// Byte classes for binary mode (CR and LF are escaped).
static QP_BINARY: [u8; 256] = qp_classes(false);

/// Uppercase hex digits (RFC 2045 §6.7 rule 1 requires uppercase).
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Appends the escape `=XX` of `b`.
#[inline]
fn qp_escape(b: u8, out: &mut Vec<u8>) {
    out.extend_from_slice(&[b'=', HEX_UPPER[usize::from(b >> 4)], HEX_UPPER[usize::from(b & 15)]]);
}

/// Encodes `input` as quoted-printable (RFC 2045 §6.7) and appends it to
/// `out`.
///
/// - `text == true`: CRLF and lone LF in the input are hard line breaks,
///   written as `eol`; a lone CR is `=0D`.
/// - `text == false` (binary data): CR and LF are encoded (`=0D`, `=0A`),
///   so only soft line breaks appear.
///
/// Output lines are at most 76 characters, the `=` of a soft line break
/// included, and an `=XX` escape is never split. SP and TAB at the end of
/// an encoded line (before a hard break or at the very end of the input)
/// are encoded (`=20`, `=09`); `=` and bytes outside 33..=126 other than SP
/// and TAB are escaped with uppercase hex. For mbox and SMTP safety an
/// output line beginning with `From ` gets its `F` escaped (`=46`), and a
/// line that is exactly `.` becomes `=2E`. No line break is added that was
/// not in the input: the caller writes the line break before the next
/// delimiter.
///
/// ```
/// use mailwire_mime::transfer::encode_quoted_printable;
///
/// let mut out = Vec::new();
/// encode_quoted_printable("Grüße \nFrom me".as_bytes(), true, b"\r\n", &mut out);
/// assert_eq!(out, b"Gr=C3=BC=C3=9Fe=20\r\n=46rom me");
/// ```
pub fn encode_quoted_printable(input: &[u8], text: bool, eol: &[u8], out: &mut Vec<u8>) {
    let class = if text { &QP_TEXT } else { &QP_BINARY };
    let n = input.len();
    // The worst case (every byte escaped, a soft break after every 25
    // escapes), so that the loop never grows the buffer (for an `eol` of up
    // to three bytes, which a lone LF may become).
    out.reserve(n.saturating_mul(3).saturating_add((n / 25 + 1).saturating_mul(eol.len() + 1)));
    let mut col = 0;
    let mut i = 0;
    while i < n {
        let b = input[i];
        let c = class[usize::from(b)];
        // A run of bytes written as they are, as long as a soft break still
        // fits after it; SP and TAB that end the encoded line are left to
        // the slow path. (`F` and `.` at the start of a line are too.)
        if c <= QP_WSP && col < QP_LINE - 1 && (col > 0 || (b != b'F' && b != b'.')) {
            let limit = n.min(i + (QP_LINE - 1 - col));
            let mut j = i;
            while let Some(Ok(w)) = input.get(j..j + 8).filter(|_| j + 8 <= limit).map(<[u8; 8]>::try_from) {
                if !qp_plain8(u64::from_le_bytes(w)) {
                    break;
                }
                j += 8;
            }
            let run = &input[j..limit];
            j += run.iter().position(|&x| class[usize::from(x)] > QP_WSP).unwrap_or(run.len());
            if j == n || (text && (input[j] == b'\n' || input[j..].starts_with(b"\r\n"))) {
                while j > i && matches!(input[j - 1], b' ' | b'\t') {
                    j -= 1;
                }
            }
            if j > i {
                out.extend_from_slice(&input[i..j]);
                col += j - i;
                i = j;
                continue;
            }
        }
        // A run of escapes (binary data, 8-bit text) and the safe bytes
        // among them, as long as a soft break still fits after each. Past
        // the first escape the line is not at column 0, so `F` and `.` are
        // safe here.
        if c == QP_ESC && col + 3 < QP_LINE {
            while let Some(&x) = input.get(i) {
                match class[usize::from(x)] {
                    QP_ESC if col + 3 < QP_LINE => {
                        qp_escape(x, out);
                        col += 3;
                    }
                    QP_SAFE if col + 1 < QP_LINE => {
                        out.push(x);
                        col += 1;
                    }
                    _ => break,
                }
                i += 1;
            }
            continue;
        }
        // Hard line breaks (text mode only: the binary table has no CR/LF).
        if c == QP_LF || (c == QP_CR && input.get(i + 1) == Some(&b'\n')) {
            out.extend_from_slice(eol);
            col = 0;
            i += if c == QP_LF { 1 } else { 2 };
            continue;
        }
        // Whether this byte ends its encoded line (a hard break or the end
        // of the input follows), so that it may take the 76th column.
        let last = match input.get(i + 1) {
            None => true,
            Some(b'\n') => text,
            Some(b'\r') => text && input.get(i + 2) == Some(&b'\n'),
            Some(_) => false,
        };
        let escape = match c {
            QP_SAFE => {
                col == 0 && ((b == b'F' && input[i + 1..].starts_with(b"rom ")) || (b == b'.' && last))
            }
            QP_WSP => last,
            _ => true,
        };
        let width = if escape { 3 } else { 1 };
        if col + width + usize::from(!last) > QP_LINE {
            // Soft line break; the byte is looked at again at column 0.
            out.push(b'=');
            out.extend_from_slice(eol);
            col = 0;
            continue;
        }
        if escape {
            qp_escape(b, out);
        } else {
            out.push(b);
        }
        col += width;
        i += 1;
    }
}

/// Whether eight bytes are all written as they are in quoted-printable
/// (SP and 33..=126 except `=`); `false` may also mean "look closer".
fn qp_plain8(w: u64) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let below_space = w.wrapping_sub(LO * 0x20) & !w;
    let del_or_high = w | w.wrapping_add(LO);
    let x = w ^ (LO * b'=' as u64);
    let equals = x.wrapping_sub(LO) & !x;
    (below_space | del_or_high | equals) & HI == 0
}

/// What a body's bytes need from a transfer encoding: the facts a message
/// builder weighs to choose between 7bit, 8bit, quoted-printable and
/// base64. Computed in one pass by [`BodyStats::of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BodyStats {
    /// Length in bytes.
    pub len: usize,
    /// Bytes >= 0x80.
    pub non_ascii: usize,
    /// Whether there is a NUL (0x00) byte.
    pub nul: bool,
    /// Whether there is a CR not followed by LF.
    pub bare_cr: bool,
    /// C0 controls other than NUL, TAB, CR and LF (0x01–0x08, 0x0B, 0x0C,
    /// 0x0E–0x1F), and DEL (0x7F).
    pub controls: usize,
    /// The longest line in bytes, not counting its CR LF or LF (a bare CR
    /// counts as a byte of its line).
    pub longest_line: usize,
    /// Whether some line ends in SP or TAB (before its CR LF or LF, or at
    /// the end of the input).
    pub trailing_space: bool,
    /// Whether the input ends with LF (so also with CR LF).
    pub ends_with_newline: bool,
}

/// [`BodyStats`] byte flag: a byte >= 0x80.
const STAT_8BIT: u8 = 1;
/// [`BodyStats`] byte flag: a control counted in `controls`.
const STAT_CTL: u8 = 2;
/// [`BodyStats`] byte flag: NUL.
const STAT_NUL: u8 = 4;
/// [`BodyStats`] byte flag: CR.
const STAT_CR: u8 = 8;
/// [`BodyStats`] byte flag: LF.
const STAT_LF: u8 = 16;

/// The [`BodyStats`] flags of every byte.
static STAT_FLAGS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            0 => STAT_NUL,
            b'\r' => STAT_CR,
            b'\n' => STAT_LF,
            b'\t' => 0,
            0x01..=0x1f | 0x7f => STAT_CTL,
            0x80.. => STAT_8BIT,
            _ => 0,
        };
        b += 1;
    }
    t
};

impl BodyStats {
    /// Computes the statistics of `input` in one pass: eight bytes at a
    /// time while they are printable ASCII or 8-bit, byte by byte around
    /// controls and line breaks.
    ///
    /// ```
    /// use mailwire_mime::transfer::BodyStats;
    ///
    /// let s = BodyStats::of(b"Hello \r\nw\xc3\xb6rld\n");
    /// assert_eq!((s.longest_line, s.non_ascii, s.trailing_space), (6, 2, true));
    /// assert!(s.ends_with_newline && !s.bare_cr);
    /// ```
    pub fn of(input: &[u8]) -> BodyStats {
        const LO: u64 = 0x0101_0101_0101_0101;
        const HI: u64 = 0x8080_8080_8080_8080;
        let n = input.len();
        let mut s =
            BodyStats { len: n, ends_with_newline: input.last() == Some(&b'\n'), ..BodyStats::default() };
        let mut line_start = 0;
        let mut i = 0;
        while i < n {
            if let Some(Ok(bytes)) = input.get(i..i + 8).map(<[u8; 8]>::try_from) {
                let w = u64::from_le_bytes(bytes);
                // Flags (exact as to "any") a byte < 0x20, or a DEL.
                let low = w.wrapping_sub(LO * 0x20) & !w;
                let x = w ^ (LO * 0x7f);
                let del = x.wrapping_sub(LO) & !x;
                if (low | del) & HI == 0 {
                    // The high bits, moved to the low bit of each byte and
                    // summed into the top byte (no popcnt on baseline x86-64).
                    s.non_ascii += (((w & HI) >> 7).wrapping_mul(LO) >> 56) as usize;
                    i += 8;
                    continue;
                }
            }
            let end = n.min(i + 8);
            let mut seen = 0;
            for k in i..end {
                let f = STAT_FLAGS[usize::from(input[k])];
                s.non_ascii += usize::from(f & STAT_8BIT);
                s.controls += usize::from((f & STAT_CTL) >> 1);
                seen |= f;
                if f & STAT_LF != 0 {
                    s.end_line(input, line_start, k, true);
                    line_start = k + 1;
                } else if f & STAT_CR != 0 {
                    s.bare_cr |= input.get(k + 1) != Some(&b'\n');
                }
            }
            s.nul |= seen & STAT_NUL != 0;
            i = end;
        }
        if line_start < n {
            s.end_line(input, line_start, n, false);
        }
        s
    }

    /// Takes the line `input[start..end]` into account (`lf`: it was ended
    /// by LF, so a CR before it is part of the line break).
    fn end_line(&mut self, input: &[u8], start: usize, mut end: usize, lf: bool) {
        if lf && end > start && input[end - 1] == b'\r' {
            end -= 1;
        }
        self.longest_line = self.longest_line.max(end - start);
        if end > start && matches!(input[end - 1], b' ' | b'\t') {
            self.trailing_space = true;
        }
    }
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
