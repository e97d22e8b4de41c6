//! SASLprep (RFC 4013), the subset that needs no Unicode tables.

use std::borrow::Cow;

use crate::SaslPrepError;

/// Prepares a password (or other string) with SASLprep, RFC 4013.
///
/// Implemented honestly within what can be done without Unicode
/// normalisation tables:
///
/// 1. Mapping (RFC 4013 §2.1): characters "commonly mapped to nothing"
///    (RFC 3454 table B.1: soft hyphen, zero-width joiners, variation
///    selectors, BOM, ...) are removed, and non-ASCII space characters
///    (table C.1.2) become U+0020 SPACE.
/// 2. Normalisation (§2.2) is Unicode NFKC, which this crate does not
///    implement. For an ASCII string NFKC changes nothing, so the mapped
///    string is accepted only if it is ASCII; otherwise
///    [`SaslPrepError::NonAscii`] is returned.
/// 3. Prohibited output (§2.3): for ASCII that is the control characters
///    (U+0000 to U+001F and U+007F), refused with
///    [`SaslPrepError::Prohibited`]. The bidirectional and unassigned code
///    point checks (§2.4, §2.5) cannot fail on ASCII.
///
/// Every string accepted is therefore prepared exactly as RFC 4013 says.
///
/// ```
/// use mailwire_sasl::{saslprep, SaslPrepError};
///
/// assert_eq!(saslprep("pencil").unwrap(), "pencil");
/// assert_eq!(saslprep("I\u{00AD}X").unwrap(), "IX"); // RFC 4013 §3, example 1
/// assert_eq!(saslprep("a\u{00A0}b").unwrap(), "a b");
/// assert_eq!(saslprep("\u{0007}"), Err(SaslPrepError::Prohibited)); // example 6
/// assert_eq!(saslprep("\u{00AA}"), Err(SaslPrepError::NonAscii)); // NFKC would give "a"
/// ```
pub fn saslprep(input: &str) -> Result<Cow<'_, str>, SaslPrepError> {
    if input.bytes().all(|b| b.is_ascii() && !is_ascii_control(b)) {
        return Ok(Cow::Borrowed(input));
    }
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        if mapped_to_nothing(c) {
            continue;
        }
        let c = if non_ascii_space(c) { ' ' } else { c };
        if !c.is_ascii() {
            return Err(SaslPrepError::NonAscii);
        }
        if is_ascii_control(c as u8) {
            return Err(SaslPrepError::Prohibited);
        }
        out.push(c);
    }
    Ok(Cow::Owned(out))
}

fn is_ascii_control(b: u8) -> bool {
    b < 0x20 || b == 0x7f
}

/// RFC 3454 table B.1.
fn mapped_to_nothing(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{1806}'
            | '\u{180B}'..='\u{180D}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
    )
}

/// RFC 3454 table C.1.2.
fn non_ascii_space(c: char) -> bool {
    matches!(c, '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200B}' | '\u{202F}' | '\u{205F}' | '\u{3000}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4013_examples() {
        // §3: the examples this subset can prepare, and those it must refuse.
        assert_eq!(saslprep("I\u{00AD}X").unwrap(), "IX");
        assert_eq!(saslprep("user").unwrap(), "user");
        assert_eq!(saslprep("USER").unwrap(), "USER");
        assert_eq!(saslprep("\u{0007}"), Err(SaslPrepError::Prohibited));
        // "\u{00AA}" -> "a" and "\u{2168}" -> "IX" need NFKC: refused, not guessed.
        assert_eq!(saslprep("\u{00AA}"), Err(SaslPrepError::NonAscii));
        assert_eq!(saslprep("\u{2168}"), Err(SaslPrepError::NonAscii));
        // "\u{0627}\u{0031}" is a bidi violation; refused either way.
        assert!(saslprep("\u{0627}\u{0031}").is_err());
    }

    #[test]
    fn mapping() {
        assert_eq!(saslprep("a\u{3000}b\u{2003}c").unwrap(), "a b c");
        assert_eq!(saslprep("\u{FEFF}p\u{200B}w\u{FE0F}").unwrap(), "pw");
        assert!(matches!(saslprep("plain"), Ok(Cow::Borrowed("plain"))));
        assert_eq!(saslprep(""), Ok(Cow::Borrowed("")));
        assert_eq!(saslprep("tab\there"), Err(SaslPrepError::Prohibited));
        assert_eq!(saslprep("del\u{7f}"), Err(SaslPrepError::Prohibited));
        assert_eq!(saslprep("caf\u{e9}"), Err(SaslPrepError::NonAscii));
    }
}
