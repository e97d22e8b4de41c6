//! The "xtext" encoding of RFC 3461 §4, used by the `ENVID` and `ORCPT`
//! parameters (RFC 3461) and by `AUTH=` on MAIL (RFC 4954).
//!
//! ```text
//! xtext   = *( xchar / hexchar )
//! xchar   = any ASCII CHAR between "!" (33) and "~" (126) inclusive,
//!           except for "+" and "="
//! hexchar = ASCII "+" immediately followed by two upper case
//!           hexadecimal digits
//! ```
//!
//! [`encode`] always produces the canonical form: every octet outside
//! 33..=126, and `+` and `=`, becomes `+XX` with upper-case hex digits, and
//! nothing else is encoded.
//!
//! [`decode`] is liberal in two ways:
//!
//! - lower-case hex digits are accepted (`+2b` decodes like `+2B`);
//! - octets of 128 and above pass through unchanged, because RFC 6531 §3.3
//!   extends `esmtp-value` with UTF-8 and SMTPUTF8 clients send raw UTF-8 in
//!   these parameters.
//!
//! Everything else that is not xtext is an error: a bare `=`, a space or a
//! control character, a `+` not followed by two hex digits.
//!
//! ```
//! use mailwire_smtp::xtext;
//!
//! assert_eq!(xtext::encode("e=mc2@example.com"), "e+3Dmc2@example.com");
//! assert_eq!(xtext::decode("e+3Dmc2@example.com").unwrap(), "e=mc2@example.com");
//! assert!(xtext::decode("a=b").is_err());
//! ```

use std::fmt;

/// Why a string is not valid xtext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum XtextError {
    /// An octet that may not appear unencoded in xtext (a space, a control
    /// character, DEL or `=`).
    InvalidChar {
        /// Offset of the octet in the input.
        position: usize,
        /// The octet itself.
        byte: u8,
    },
    /// A `+` that is not followed by two hexadecimal digits.
    InvalidHexchar {
        /// Offset of the `+` in the input.
        position: usize,
    },
    /// The decoded octets are not UTF-8 (only [`decode`] reports this;
    /// [`decode_bytes`] returns the octets as they are).
    InvalidUtf8,
}

impl fmt::Display for XtextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            XtextError::InvalidChar { position, byte } => write!(
                f,
                "invalid xtext: octet 0x{byte:02X} at offset {position} must be encoded as +{byte:02X}"
            ),
            XtextError::InvalidHexchar { position } => write!(
                f,
                "invalid xtext: \"+\" at offset {position} is not followed by two hexadecimal digits"
            ),
            XtextError::InvalidUtf8 => f.write_str("invalid xtext: the decoded value is not UTF-8"),
        }
    }
}

impl std::error::Error for XtextError {}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Whether `byte` may stand for itself in xtext (an `xchar`).
#[inline]
pub const fn is_xchar(byte: u8) -> bool {
    matches!(byte, 33..=126) && byte != b'+' && byte != b'='
}

/// Encodes `input` as canonical xtext.
#[must_use]
pub fn encode(input: &str) -> String {
    let mut out = Vec::with_capacity(input.len());
    encode_into(input.as_bytes(), &mut out);
    // Only ASCII is ever pushed, so this cannot fail; fall back to a lossy
    // conversion rather than panic.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Appends the canonical xtext encoding of `input` to `out`.
pub fn encode_into(input: &[u8], out: &mut Vec<u8>) {
    out.reserve(input.len());
    let mut start = 0;
    for (i, &b) in input.iter().enumerate() {
        if !is_xchar(b) {
            out.extend_from_slice(&input[start..i]);
            out.extend_from_slice(&[b'+', HEX_UPPER[usize::from(b >> 4)], HEX_UPPER[usize::from(b & 0x0F)]]);
            start = i + 1;
        }
    }
    out.extend_from_slice(&input[start..]);
}

/// Length of the canonical xtext encoding of `input`, without encoding it.
#[must_use]
pub fn encoded_len(input: &[u8]) -> usize {
    input.iter().map(|&b| if is_xchar(b) { 1 } else { 3 }).sum()
}

#[inline]
fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// Decodes xtext into octets (see the module documentation for what is
/// tolerated).
pub fn decode_bytes(input: &[u8]) -> Result<Vec<u8>, XtextError> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    let mut start = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'+' {
            let hi = input.get(i + 1).copied().and_then(hex_value);
            let lo = input.get(i + 2).copied().and_then(hex_value);
            match (hi, lo) {
                (Some(hi), Some(lo)) => {
                    out.extend_from_slice(&input[start..i]);
                    out.push(hi << 4 | lo);
                    i += 3;
                    start = i;
                }
                _ => return Err(XtextError::InvalidHexchar { position: i }),
            }
        } else if is_xchar(b) || b >= 0x80 {
            i += 1;
        } else {
            return Err(XtextError::InvalidChar { position: i, byte: b });
        }
    }
    out.extend_from_slice(&input[start..]);
    Ok(out)
}

/// Decodes xtext into a string; the decoded octets must be UTF-8.
pub fn decode(input: &str) -> Result<String, XtextError> {
    // While every hexchar stands for ASCII, the output is `input`'s text
    // between hexchars (cut next to ASCII octets, so still UTF-8) and ASCII
    // characters: it is built as a string, with no second UTF-8 check.
    let b = input.as_bytes();
    let mut out = String::with_capacity(b.len());
    let (mut i, mut start) = (0, 0);
    while i < b.len() {
        let c = b[i];
        if c == b'+' {
            let hi = b.get(i + 1).copied().and_then(hex_value);
            let lo = b.get(i + 2).copied().and_then(hex_value);
            let (Some(hi), Some(lo)) = (hi, lo) else {
                return Err(XtextError::InvalidHexchar { position: i });
            };
            let octet = hi << 4 | lo;
            if !octet.is_ascii() {
                // Part of a multi-byte character (or not UTF-8 at all).
                let bytes = decode_bytes(b)?;
                return String::from_utf8(bytes).map_err(|_| XtextError::InvalidUtf8);
            }
            out.push_str(input.get(start..i).unwrap_or_default());
            out.push(char::from(octet));
            i += 3;
            start = i;
        } else if is_xchar(c) || c >= 0x80 {
            i += 1;
        } else {
            return Err(XtextError::InvalidChar { position: i, byte: c });
        }
    }
    out.push_str(input.get(start..).unwrap_or_default());
    Ok(out)
}

/// Whether `input` decodes without error (the same rules as [`decode_bytes`]).
#[must_use]
pub fn is_valid(input: &[u8]) -> bool {
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'+' {
            let ok = input.get(i + 1).copied().and_then(hex_value).is_some()
                && input.get(i + 2).copied().and_then(hex_value).is_some();
            if !ok {
                return false;
            }
            i += 3;
        } else if is_xchar(b) || b >= 0x80 {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_only_what_must_be() {
        assert_eq!(encode("abc"), "abc");
        assert_eq!(encode("a+b=c d"), "a+2Bb+3Dc+20d");
        assert_eq!(encode("\u{e9}"), "+C3+A9");
        assert_eq!(encode(""), "");
        assert_eq!(encode("\x7f\x00~!"), "+7F+00~!");
        assert_eq!(encoded_len(b"a+b=c d"), encode("a+b=c d").len());
    }

    #[test]
    fn decodes() {
        assert_eq!(decode("a+2Bb+3Dc+20d").unwrap(), "a+b=c d");
        assert_eq!(decode("a+2bb").unwrap(), "a+b");
        assert_eq!(decode("+41").unwrap(), "A");
        assert_eq!(decode("+C3+A9").unwrap(), "\u{e9}");
        assert_eq!(decode("j\u{f8}ran").unwrap(), "j\u{f8}ran");
        assert_eq!(decode("").unwrap(), "");
    }

    #[test]
    fn rejects() {
        assert_eq!(decode("a=b"), Err(XtextError::InvalidChar { position: 1, byte: b'=' }));
        assert_eq!(decode("a b"), Err(XtextError::InvalidChar { position: 1, byte: b' ' }));
        assert_eq!(decode("ab+"), Err(XtextError::InvalidHexchar { position: 2 }));
        assert_eq!(decode("ab+4"), Err(XtextError::InvalidHexchar { position: 2 }));
        assert_eq!(decode("+4G"), Err(XtextError::InvalidHexchar { position: 0 }));
        assert_eq!(decode("+FF"), Err(XtextError::InvalidUtf8));
        assert_eq!(decode_bytes(b"+FF").unwrap(), vec![0xFF]);
        assert!(!is_valid(b"a=b"));
        assert!(!is_valid(b"+4"));
        assert!(is_valid(b"+4a"));
    }

    #[test]
    fn round_trip_all_bytes() {
        let all: Vec<u8> = (0..=255).collect();
        let mut enc = Vec::new();
        encode_into(&all, &mut enc);
        assert!(enc.iter().all(|&b| is_xchar(b) || b == b'+'));
        assert_eq!(decode_bytes(&enc).unwrap(), all);
    }
}
