//! Charset conversion to UTF-8.
//!
//! Every charset that [`encoding_rs`] knows is supported under every label
//! the WHATWG Encoding Standard gives it, plus the labels mail clients use
//! that the web does not (`cp932`, `cp936`, `cp949`, `ks_c_5601`,
//! `unicode-1-1-utf-7`, `utf8`…; `x-unknown` and other non-charsets fall back), and UTF-7 (RFC 2152), which
//! `encoding_rs` deliberately leaves out but old Outlook still sends.
//!
//! Like mail clients (and the WHATWG standard), `us-ascii` and `iso-8859-1`
//! decode as windows-1252: 8-bit bytes in mail that claims ASCII or Latin-1
//! are almost always windows-1252 in practice.

use std::borrow::Cow;

use encoding_rs::Encoding;

/// A charset that text can be converted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// One of the encodings of the WHATWG Encoding Standard.
    Whatwg(&'static Encoding),
    /// UTF-7 (RFC 2152).
    Utf7,
}

impl Charset {
    /// Looks a charset label up the way mail clients do (case-insensitive,
    /// surrounding quotes and whitespace ignored, an RFC 2231 `*language`
    /// suffix dropped). `None` for labels no mail client would recognise.
    pub fn from_label(label: &[u8]) -> Option<Charset> {
        let mut label = trim(label);
        if let Some(star) = label.iter().position(|&b| b == b'*') {
            label = &label[..star];
        }
        if label.len() >= 2 && (label[0] == b'"' || label[0] == b'\'') {
            label = trim(&label[1..label.len() - 1]);
        }
        if label.is_empty() || label.len() > 40 {
            return None;
        }
        // The labels on nearly all mail, without the table lookup.
        if label.eq_ignore_ascii_case(b"utf-8") {
            return Some(Charset::Whatwg(encoding_rs::UTF_8));
        }
        if label.eq_ignore_ascii_case(b"us-ascii") || label.eq_ignore_ascii_case(b"iso-8859-1") {
            return Some(Charset::Whatwg(encoding_rs::WINDOWS_1252));
        }
        if let Some(enc) = Encoding::for_label_no_replacement(label) {
            return Some(Charset::Whatwg(enc));
        }
        let mut buf = [0u8; 40];
        let lower = &mut buf[..label.len()];
        lower.copy_from_slice(label);
        lower.make_ascii_lowercase();
        let enc = match &*lower {
            b"utf-7" | b"utf7" | b"unicode-1-1-utf-7" | b"x-unicode-2-0-utf-7" | b"csunicode11utf7" => {
                return Some(Charset::Utf7);
            }
            b"utf8" | b"utf_8" | b"x-utf-8" | b"x-utf8" => encoding_rs::UTF_8,
            b"ascii" | b"us_ascii" | b"ansi_x3.4-1986" | b"iso646-us" | b"646" | b"iso8859-1"
            | b"iso_8859_1" | b"latin-1" | b"cp819" | b"ibm819" | b"iso-8859-1:1987" | b"cp-1252"
            | b"windows1252" => encoding_rs::WINDOWS_1252,
            b"cp932" | b"ms932" | b"ibm-943" | b"shift-jis" | b"sjis" | b"x-ms-cp932" => {
                encoding_rs::SHIFT_JIS
            }
            b"cp936" | b"ms936" | b"gb_2312" | b"euc-cn" | b"euccn" | b"x-euc-cn" | b"gb2312-80"
            | b"cp-936" => encoding_rs::GBK,
            b"gb-18030" | b"gb18030-2000" | b"gb18030-2005" => encoding_rs::GB18030,
            b"cp949" | b"ms949" | b"uhc" | b"ks_c_5601" | b"ks_c_5601-1989" | b"ksc5601" | b"ksc_5601"
            | b"euckr" | b"x-windows-949" => encoding_rs::EUC_KR,
            b"cp950" | b"ms950" | b"big5hkscs" | b"x-big5" => encoding_rs::BIG5,
            b"eucjp" | b"euc_jp" | b"x-eucjp" => encoding_rs::EUC_JP,
            b"iso2022jp" | b"iso-2022-jp-1" | b"iso-2022-jp-2" | b"iso-2022-jp-3" | b"csiso2022jp2" => {
                encoding_rs::ISO_2022_JP
            }
            b"ucs-2" | b"ucs2" | b"utf16" | b"utf-16-le" | b"unicode" | b"ucs-2le" => encoding_rs::UTF_16LE,
            b"utf-16-be" | b"ucs-2be" | b"unicodefffe" => encoding_rs::UTF_16BE,
            b"koi8r" | b"koi8_r" => encoding_rs::KOI8_R,
            b"koi8u" | b"koi8_u" => encoding_rs::KOI8_U,
            b"tis620" | b"tis-620-2533" | b"cp874" | b"windows874" => encoding_rs::WINDOWS_874,
            b"cp866" | b"ibm-866" => encoding_rs::IBM866,
            b"mac" | b"macroman" | b"mac-roman" | b"x-mac" => encoding_rs::MACINTOSH,
            _ => return windows_or_iso_without_dash(lower),
        };
        Some(Charset::Whatwg(enc))
    }

    /// The canonical name of the charset (`UTF-8`, `windows-1252`, `UTF-7`…).
    pub fn name(self) -> &'static str {
        match self {
            Charset::Whatwg(enc) => enc.name(),
            Charset::Utf7 => "UTF-7",
        }
    }

    /// Converts `bytes` to UTF-8, borrowing when no conversion is needed.
    /// Malformed sequences become U+FFFD; the flag says whether any did. A
    /// byte-order mark is text (U+FEFF) except between UTF-16LE and BE;
    /// [`Part::decode_text`](crate::Part::decode_text) drops one that
    /// starts a body.
    pub fn decode<'a>(self, bytes: &'a [u8]) -> (Cow<'a, str>, bool) {
        match self {
            Charset::Whatwg(enc) => {
                if enc == encoding_rs::UTF_8 {
                    return match validate_utf8(bytes) {
                        Ok(s) => (Cow::Borrowed(s), false),
                        Err(_) => (String::from_utf8_lossy(bytes), true),
                    };
                }
                // The label decides: a byte-order mark may only choose
                // between the two UTF-16s. (Sniffing would read "\xFF\xFE"
                // at the start of Latin-1 text as UTF-16.)
                if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                    let (text, _, had_errors) = enc.decode(bytes);
                    return (text, had_errors);
                }
                enc.decode_without_bom_handling(bytes)
            }
            Charset::Utf7 => {
                let (text, bad) = decode_utf7(bytes);
                (Cow::Owned(text), bad)
            }
        }
    }
}

/// `windows1251`, `iso8859-2`, `iso_8859-15`, `latin2`… the spellings that
/// old mailers invent for the two big families.
fn windows_or_iso_without_dash(lower: &[u8]) -> Option<Charset> {
    let mut canon = [0u8; 40];
    let digits = |s: &[u8]| !s.is_empty() && s.len() <= 4 && s.iter().all(u8::is_ascii_digit);
    let build = |prefix: &[u8], num: &[u8], canon: &mut [u8; 40]| -> Option<Charset> {
        let len = prefix.len() + num.len();
        canon[..prefix.len()].copy_from_slice(prefix);
        canon[prefix.len()..len].copy_from_slice(num);
        Encoding::for_label_no_replacement(&canon[..len]).map(Charset::Whatwg)
    };
    for prefix in [&b"windows"[..], b"win", b"cp", b"x-cp", b"ms-cp"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let rest = rest.strip_prefix(b"-").or_else(|| rest.strip_prefix(b"_")).unwrap_or(rest);
            if digits(rest) {
                return build(b"windows-", rest, &mut canon);
            }
        }
    }
    for prefix in [&b"iso8859"[..], b"iso_8859", b"iso-8859", b"iso 8859", b"8859"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let rest = rest.strip_prefix(b"-").or_else(|| rest.strip_prefix(b"_")).unwrap_or(rest);
            if digits(rest) {
                return build(b"iso-8859-", rest, &mut canon);
            }
        }
    }
    if let Some(rest) = lower.strip_prefix(b"latin") {
        let rest = rest.strip_prefix(b"-").unwrap_or(rest);
        let iso: &[u8] = match rest {
            b"1" => b"1",
            b"2" => b"2",
            b"3" => b"3",
            b"4" => b"4",
            b"5" => b"9",
            b"6" => b"10",
            b"7" => b"13",
            b"8" => b"14",
            b"9" => b"15",
            b"10" => b"16",
            _ => return None,
        };
        return build(b"iso-8859-", iso, &mut canon);
    }
    None
}

/// Converts `bytes` in the charset named by `label` to UTF-8.
///
/// An unknown label falls back to UTF-8 when the bytes are valid UTF-8 and
/// to windows-1252 otherwise, which is what mail clients show. The second
/// value is `true` when the label was unknown or malformed input had to be
/// replaced.
pub fn decode_text<'a>(label: Option<&[u8]>, bytes: &'a [u8]) -> (Cow<'a, str>, bool) {
    match label.and_then(Charset::from_label) {
        Some(cs) => cs.decode(bytes),
        None => {
            let (text, _) = decode_fallback(bytes);
            (text, label.is_some_and(|l| !trim(l).is_empty()))
        }
    }
}

/// Converts with `cs`, or, without a known charset, as UTF-8 when valid and
/// windows-1252 otherwise. The flag is `true` when malformed input in `cs`
/// had to be replaced.
pub(crate) fn decode_or_fallback(cs: Option<Charset>, bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match cs {
        Some(cs) => cs.decode(bytes),
        None => (decode_fallback(bytes).0, false),
    }
}

/// Bytes without a (known) charset: UTF-8 if they are valid UTF-8 (RFC 6532),
/// windows-1252 otherwise. The flag is `true` when windows-1252 was used.
pub fn decode_fallback(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match validate_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), false),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text, true)
        }
    }
}

/// UTF-8 validation: SIMD for long inputs, the standard library (less
/// set-up) for short ones such as header values.
pub(crate) fn validate_utf8(bytes: &[u8]) -> Result<&str, ()> {
    if bytes.len() < 64 {
        std::str::from_utf8(bytes).map_err(|_| ())
    } else {
        simdutf8::basic::from_utf8(bytes).map_err(|_| ())
    }
}

fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// Decodes UTF-7 (RFC 2152). Returns the text and whether anything malformed
/// had to be replaced.
fn decode_utf7(bytes: &[u8]) -> (String, bool) {
    let mut out = String::with_capacity(bytes.len());
    let mut bad = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b != b'+' {
            if b < 0x80 {
                out.push(b as char);
            } else {
                out.push('\u{FFFD}');
                bad = true;
            }
            i += 1;
            continue;
        }
        i += 1;
        if bytes.get(i) == Some(&b'-') {
            out.push('+');
            i += 1;
            continue;
        }
        // Base64 run of UTF-16BE code units.
        let (mut acc, mut nbits, mut units) = (0u32, 0u32, Vec::new());
        while i < bytes.len() {
            let v = match bytes[i] {
                c @ b'A'..=b'Z' => c - b'A',
                c @ b'a'..=b'z' => c - b'a' + 26,
                c @ b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                _ => break,
            };
            acc = (acc << 6) | u32::from(v);
            nbits += 6;
            if nbits >= 16 {
                nbits -= 16;
                units.push((acc >> nbits) as u16);
                acc &= (1 << nbits) - 1;
            }
            i += 1;
        }
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        for ch in char::decode_utf16(units) {
            out.push(ch.unwrap_or_else(|_| {
                bad = true;
                '\u{FFFD}'
            }));
        }
    }
    (out, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_map_like_mail_clients() {
        for (label, name) in [
            (&b"UTF-8"[..], "UTF-8"),
            (b"utf8", "UTF-8"),
            (b" \"iso-8859-1\" ", "windows-1252"),
            (b"us-ascii", "windows-1252"),
            (b"ks_c_5601-1987", "EUC-KR"),
            (b"cp932", "Shift_JIS"),
            (b"windows1251", "windows-1251"),
            (b"iso8859-2", "ISO-8859-2"),
            (b"ISO_8859-15", "ISO-8859-15"),
            (b"latin2", "ISO-8859-2"),
            (b"utf-8*en", "UTF-8"),
            (b"unicode-1-1-utf-7", "UTF-7"),
            (b"gb2312", "GBK"),
        ] {
            assert_eq!(Charset::from_label(label).map(Charset::name), Some(name), "{label:?}");
        }
        assert_eq!(Charset::from_label(b"x-no-such-charset"), None);
        assert_eq!(Charset::from_label(b""), None);
    }

    #[test]
    fn utf7_decodes_rfc2152_examples() {
        assert_eq!(decode_utf7(b"Hi Mom -+Jjo--!").0, "Hi Mom -\u{263A}-!");
        assert_eq!(decode_utf7(b"+ZeVnLIqe-").0, "\u{65E5}\u{672C}\u{8A9E}");
        assert_eq!(decode_utf7(b"A+ImIDkQ.").0, "A\u{2262}\u{391}.");
        assert_eq!(decode_utf7(b"1 +- 1").0, "1 + 1");
    }

    #[test]
    fn unknown_label_falls_back() {
        assert_eq!(decode_text(Some(b"bogus"), "é".as_bytes()), (Cow::Borrowed("é"), true));
        assert_eq!(decode_text(Some(b"bogus"), b"\xE9").0, "é");
        assert_eq!(decode_text(None, b"abc"), (Cow::Borrowed("abc"), false));
    }
}
