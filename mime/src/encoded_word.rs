//! RFC 2047 encoded words and the decoding of unstructured header text.
//!
//! An encoded word is `=?charset?B|Q?text?=`. Decoding is tolerant of what
//! real mail does wrong:
//!
//! - encoded words glued to text or to each other without the required
//!   whitespace (`[SPAM]=?utf-8?q?caf=C3=A9?=suffix`);
//! - lower-case `b`/`q`, RFC 2231 language suffixes (`=?utf-8*en?Q?…?=`),
//!   missing base64 padding, unknown charset labels (decoded as UTF-8 or
//!   windows-1252);
//! - multi-byte characters split across adjacent words: adjacent words in
//!   the same charset are joined *before* charset conversion;
//! - raw 8-bit and UTF-8 text outside encoded words (RFC 6532): valid UTF-8
//!   is taken as is, anything else as windows-1252.
//!
//! Whitespace between two adjacent encoded words is dropped, as RFC 2047
//! §6.2 says; folding (a line break and the whitespace around it) reads as
//! one space.

use std::borrow::Cow;

use crate::charset;

/// One encoded word found in header text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedWord<'a> {
    /// The charset label as written (language suffix included).
    pub charset: &'a [u8],
    /// The decoded bytes, still in `charset`.
    pub bytes: Vec<u8>,
    /// How many input bytes the word spans, `=?` to `?=` inclusive.
    pub len: usize,
}

/// Tries to decode an encoded word at the start of `input` (which must begin
/// with `=?`). `None` if it is not a well-formed encoded word.
pub fn parse_encoded_word(input: &[u8]) -> Option<EncodedWord<'_>> {
    let rest = input.strip_prefix(b"=?")?;
    let q1 = rest.iter().take(76).position(|&b| b == b'?')?;
    let charset = &rest[..q1];
    if charset.is_empty() || charset.iter().any(|&b| b <= b' ' || b >= 0x7f || b == b'=') {
        return None;
    }
    let rest = &rest[q1 + 1..];
    let (&enc, rest) = rest.split_first()?;
    let rest = rest.strip_prefix(b"?")?;
    let end = memchr::memmem::find(rest, b"?=")?;
    let text = &rest[..end];
    let bytes = match enc {
        b'Q' | b'q' => decode_q(text)?,
        b'B' | b'b' => decode_b(text)?,
        _ => return None,
    };
    Some(EncodedWord { charset, bytes, len: 2 + q1 + 1 + 2 + end + 2 })
}

fn decode_q(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' => {
                let hi = hex(*text.get(i + 1)?)?;
                let lo = hex(*text.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 2;
            }
            b'\r' | b'\n' => {
                // A fold inside the word: the line break and the
                // indentation after it are not part of the text.
                while matches!(text.get(i + 1), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                    i += 1;
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

fn decode_b(text: &[u8]) -> Option<Vec<u8>> {
    let clean: Vec<u8> = text.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    let clean = trim_padding(&clean);
    base64_simd::forgiving_decode_to_vec(clean).ok()
}

/// Drops `=` padding (and anything after it): the lenient engine accepts
/// unpadded input, and real mail pads wrongly more often than not.
fn trim_padding(b: &[u8]) -> &[u8] {
    let end = memchr::memchr(b'=', b).unwrap_or(b.len());
    let b = &b[..end];
    // A lone sextet cannot encode a byte: drop it rather than fail.
    if b.len() % 4 == 1 { &b[..b.len() - 1] } else { b }
}

pub(crate) fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Accumulates decoded header text: literal runs, encoded words (adjacent
/// ones in one charset joined before conversion) and whitespace.
#[derive(Default)]
pub(crate) struct TextBuilder {
    out: String,
    /// Bytes of adjacent encoded words in one charset, not yet converted.
    pending: Vec<u8>,
    pending_charset: Vec<u8>,
    /// Whitespace seen after an encoded word: dropped if another follows.
    held_space: String,
    last_was_word: bool,
}

impl TextBuilder {
    /// Appends literal text (raw 8-bit decoded as UTF-8 or windows-1252).
    pub(crate) fn push_literal(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.flush_pending();
        self.out.push_str(&self.held_space);
        self.held_space.clear();
        self.out.push_str(&charset::decode_fallback(bytes).0);
        self.last_was_word = false;
    }

    /// Appends already decoded text.
    pub(crate) fn push_str(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.flush_pending();
        self.out.push_str(&self.held_space);
        self.held_space.clear();
        self.out.push_str(s);
        self.last_was_word = false;
    }

    /// Appends whitespace; held back while it follows an encoded word.
    pub(crate) fn push_space(&mut self, ws: &str) {
        if self.last_was_word {
            self.held_space.push_str(ws);
        } else {
            self.out.push_str(ws);
        }
    }

    /// Appends a decoded encoded word.
    pub(crate) fn push_word(&mut self, word: EncodedWord<'_>) {
        let same = self.last_was_word && self.pending_charset.eq_ignore_ascii_case(word.charset);
        if !same {
            self.flush_pending();
            self.pending_charset.clear();
            self.pending_charset.extend_from_slice(word.charset);
        }
        self.held_space.clear();
        self.pending.extend_from_slice(&word.bytes);
        self.last_was_word = true;
    }

    fn flush_pending(&mut self) {
        if !self.pending_charset.is_empty() {
            let (text, _) = charset::decode_text(Some(&self.pending_charset), &self.pending);
            self.out.push_str(&text);
            self.pending.clear();
            self.pending_charset.clear();
        }
    }

    /// The text so far, with trailing held whitespace dropped.
    pub(crate) fn finish(mut self) -> String {
        self.flush_pending();
        self.out
    }
}

/// Decodes an unstructured header value (Subject, Comments, …): unfolds it,
/// decodes encoded words and raw 8-bit text, and trims the ends.
///
/// ```
/// use mailwire_mime::decode_unstructured;
/// assert_eq!(decode_unstructured(b" =?utf-8?q?caf=C3?=\r\n =?UTF-8?q?=A9?= ok\r\n"), "café ok");
/// assert_eq!(decode_unstructured(b"Re: plain"), "Re: plain");
/// ```
pub fn decode_unstructured(raw: &[u8]) -> Cow<'_, str> {
    let trimmed = raw.trim_ascii();
    let simple =
        memchr::memmem::find(trimmed, b"=?").is_none() && !trimmed.iter().any(|&b| b == b'\r' || b == b'\n');
    if simple {
        if let Ok(s) = std::str::from_utf8(trimmed) {
            return Cow::Borrowed(s);
        }
    }
    let mut tb = TextBuilder::default();
    decode_into(&mut tb, trimmed);
    Cow::Owned(tb.finish().trim_matches(|c| c == ' ' || c == '\t').to_string())
}

/// Decodes a comma-separated list of phrases (`Keywords:`,
/// `Content-Language:`): the value is split at commas outside encoded
/// words, each item decoded like unstructured text; empty items are dropped.
///
/// ```
/// use mailwire_mime::encoded_word::decode_text_list;
/// assert_eq!(decode_text_list(b"=?utf-8?q?a,b?=, caf\xc3\xa9 ,, x"), ["a,b", "café", "x"]);
/// ```
pub fn decode_text_list(raw: &[u8]) -> Vec<Cow<'_, str>> {
    let mut out = Vec::new();
    let (mut i, mut start) = (0, 0);
    while i <= raw.len() {
        if i < raw.len() && raw[i] == b'=' && raw.get(i + 1) == Some(&b'?') {
            if let Some(word) = parse_encoded_word(&raw[i..]) {
                i += word.len;
                continue;
            }
        }
        if i == raw.len() || raw[i] == b',' {
            let item = &raw[start..i];
            if !item.trim_ascii().is_empty() {
                out.push(decode_unstructured(item));
            }
            start = i + 1;
        }
        i += 1;
    }
    out
}

/// Decodes header text (encoded words, folding, raw 8-bit) into a builder.
pub(crate) fn decode_into(tb: &mut TextBuilder, text: &[u8]) {
    let mut i = 0;
    let mut lit_start = 0;
    while i < text.len() {
        let b = text[i];
        if b == b' ' || b == b'\t' || b == b'\r' || b == b'\n' {
            tb.push_literal(&text[lit_start..i]);
            let start = i;
            let mut folded = false;
            while i < text.len() && matches!(text[i], b' ' | b'\t' | b'\r' | b'\n') {
                folded |= matches!(text[i], b'\r' | b'\n');
                i += 1;
            }
            // Only ASCII whitespace here, so this is valid UTF-8. Unfolding
            // (RFC 5322 §2.2.3) removes the line breaks and keeps the rest.
            let ws = std::str::from_utf8(&text[start..i]).unwrap_or(" ");
            if !folded {
                tb.push_space(ws);
            } else {
                let kept: String = ws.chars().filter(|&c| c != '\r' && c != '\n').collect();
                tb.push_space(if kept.is_empty() { " " } else { &kept });
            }
            lit_start = i;
            continue;
        }
        if b == b'=' && text.get(i + 1) == Some(&b'?') {
            if let Some(word) = parse_encoded_word(&text[i..]) {
                tb.push_literal(&text[lit_start..i]);
                i += word.len;
                tb.push_word(word);
                lit_start = i;
                continue;
            }
        }
        i += 1;
    }
    tb.push_literal(&text[lit_start..]);
}

/// Decodes a string that may consist of encoded words (a quoted parameter
/// value, a quoted display name), leaving other text as is.
pub(crate) fn decode_words_in(text: &str) -> Cow<'_, str> {
    if !text.contains("=?") {
        return Cow::Borrowed(text);
    }
    let mut tb = TextBuilder::default();
    decode_into(&mut tb, text.as_bytes());
    Cow::Owned(tb.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2047_section8_examples() {
        let cases: &[(&[u8], &str)] = &[
            (b"(=?ISO-8859-1?Q?a?=)", "(a)"),
            (b"=?ISO-8859-1?Q?a?= b", "a b"),
            (b"=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab"),
            (b"=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=", "ab"),
            (b"=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=", "ab"),
            (b"=?ISO-8859-1?Q?a_b?=", "a b"),
            (b"=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=", "a b"),
        ];
        for (raw, want) in cases {
            assert_eq!(decode_unstructured(raw), *want, "{}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn tolerates_common_violations() {
        assert_eq!(
            decode_unstructured(b"[SPAM]=?utf-8?q?caf=C3=A9?=suffix"),
            "[SPAM]café".to_string() + "suffix"
        );
        assert_eq!(decode_unstructured(b"=?UTF-8?b?w6k?="), "é");
        assert_eq!(decode_unstructured(b"=?x-unknown?q?a?="), "a");
        assert_eq!(decode_unstructured(b"=?utf-8?q?caf=C3?= =?iso-8859-1?q?=A9?="), "caf\u{FFFD}©");
        assert_eq!(decode_unstructured(b"=?utf-8?q?a?= =?utf-8?q?=ZZ?="), "a =?utf-8?q?=ZZ?=");
        assert_eq!(decode_unstructured("été\r\n €".as_bytes()), "été €");
        assert_eq!(decode_unstructured(b"caf\xe9"), "café");
        assert_eq!(
            decode_unstructured(b"let's = try =?iso-8859-1? to break"),
            "let's = try =?iso-8859-1? to break"
        );
        assert_eq!(decode_unstructured(b"x   =?utf-8?q?a?=   y"), "x   a   y");
    }

    #[test]
    fn words_split_inside_a_character_join_before_conversion() {
        // U+3042 is E3 81 82; split across two B words.
        assert_eq!(decode_unstructured(b"=?utf-8?B?44E=?= =?utf-8?B?gg==?="), "\u{3042}");
    }
}
