//! Base subjects (RFC 5256 §2.1): the subject with the `Re:`, `Fwd:`,
//! `[list]` and `(fwd)` artefacts removed, which SORT and THREAD compare.
//!
//! [`base_subject`] is RFC 5256's procedure exactly (servers and
//! disconnected clients "MUST use exactly this algorithm"), applied to a
//! subject whose encoded words are already decoded. [`base_subject_with`]
//! also removes the localised reply prefixes clients meet (`AW:`, `SV:`,
//! `回复:`, …) when asked: an IMAP server must not.
//!
//! ```
//! use mailwire_threading::subject::{Prefixes, base_subject, base_subject_with};
//!
//! let b = base_subject("Re: [mailwire-dev] Fwd: Re:  release  (fwd)");
//! assert_eq!(b.text, "release");
//! assert!(b.is_reply_or_forward);
//! assert_eq!(base_subject("[fwd: Re: lunch]").text, "lunch");
//! // A subject that is only a blob keeps it.
//! assert_eq!(base_subject("Re: [PATCH]").text, "[PATCH]");
//! // Localised prefixes only when asked.
//! assert_eq!(base_subject("AW: Termin").text, "AW: Termin");
//! assert_eq!(base_subject_with("AW: Termin", &Prefixes::localized()).text, "Termin");
//! ```
//!
//! Subjects are compared in the form [`compare_key`] gives: mapped by the
//! `i;unicode-casemap` collation RFC 5256 §7 requires, then reduced to the
//! base subject.

use std::borrow::Cow;

/// A base subject and what its extraction found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseSubject<'a> {
    /// The base subject text (whitespace normalised, artefacts removed).
    pub text: Cow<'a, str>,
    /// Whether extraction removed a `Re:`/`Fw:`/`Fwd:` leader, a `(fwd)`
    /// trailer or a `[fwd: …]` wrapper (RFC 5256 §3: "a reply or
    /// forward").
    pub is_reply_or_forward: bool,
}

/// The form in which SORT and THREAD compare subjects (RFC 5256 §7): the
/// subject mapped by the `i;unicode-casemap` collation (RFC 5051), then
/// its base subject extracted, and whether it is a reply or forward.
/// This is what an IMAP server compares, Dovecot included: `Café` in NFC
/// and in NFD, `ＡＢＣ` and `abc`, `x²` and `x2`, `a b` with a no-break
/// space and with a space are all the same subject.
///
/// ```
/// use mailwire_threading::subject::compare_key;
///
/// assert_eq!(compare_key("Re: Caf\u{e9}").0, compare_key("cafe\u{301}").0);
/// assert_eq!(compare_key("ＡＢＣ").0, compare_key("[x] abc").0);
/// assert!(compare_key("Re： x").1); // a full-width colon maps to ':'
/// ```
pub fn compare_key(subject: &str) -> (String, bool) {
    compare_key_with(subject, &Prefixes::rfc5256())
}

/// [`compare_key`] with extra reply prefixes removed.
pub fn compare_key_with(subject: &str, prefixes: &Prefixes) -> (String, bool) {
    let mut key = String::new();
    let reply = compare_key_into(subject, prefixes, &mut key);
    (key, reply)
}

/// [`compare_key_with`] into a buffer the caller reuses; returns whether
/// the subject is a reply or forward.
pub(crate) fn compare_key_into(subject: &str, prefixes: &Prefixes, key: &mut String) -> bool {
    key.clear();
    if subject.is_ascii() {
        // For ASCII the mapping is upper-casing, and every rule of the
        // extraction ignores case: extract first, then map the result.
        let base = extract(subject, &prefixes.words);
        key.push_str(&base.text);
        key.make_ascii_uppercase();
        return base.is_reply_or_forward;
    }
    let mapped = unicode_casemap(subject);
    let base = extract(&mapped, &prefixes.mapped);
    key.push_str(&base.text);
    base.is_reply_or_forward
}

/// `text` mapped by the `i;unicode-casemap` collation (RFC 5051 §2): each
/// character to its simple titlecase, then fully decomposed (canonical and
/// compatibility decompositions, applied recursively). ASCII text is only
/// upper-cased.
pub fn unicode_casemap(text: &str) -> Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    if text.is_ascii() {
        return if text.bytes().any(|b| b.is_ascii_lowercase()) {
            Cow::Owned(text.to_ascii_uppercase())
        } else {
            Cow::Borrowed(text)
        };
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        out.extend(std::iter::once(titlecase(c)).nfkd());
    }
    Cow::Owned(out)
}

/// The simple titlecase mapping of `c` (UnicodeData field 14): the
/// simple uppercase, except for the digraphs and the Greek letters with
/// ypogegrammeni, whose titlecase forms are their own characters.
fn titlecase(c: char) -> char {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        '\u{1F80}'..='\u{1F87}' | '\u{1F90}'..='\u{1F97}' | '\u{1FA0}'..='\u{1FA7}' => {
            char::from_u32(c as u32 + 8).unwrap_or(c)
        }
        '\u{1FB3}' => '\u{1FBC}',
        '\u{1FC3}' => '\u{1FCC}',
        '\u{1FF3}' => '\u{1FFC}',
        _ => {
            let mut upper = c.to_uppercase();
            match (upper.next(), upper.next()) {
                (Some(u), None) => u,
                // A full mapping to several characters (ß → SS): the
                // simple mapping keeps the character.
                _ => c,
            }
        }
    }
}

/// Extra reply and forward prefixes to remove besides RFC 5256's `re`,
/// `fw` and `fwd` (matched without regard to case, followed by optional
/// white space, an optional `[blob]` and `:` or the full-width `：`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefixes {
    /// In lower case, for subjects as written.
    words: Vec<String>,
    /// Mapped by `i;unicode-casemap`, for [`compare_key_with`].
    mapped: Vec<String>,
}

impl Prefixes {
    /// RFC 5256's prefixes only (what an IMAP server must use).
    pub fn rfc5256() -> Prefixes {
        Prefixes::default()
    }

    /// The reply and forward prefixes of common mail clients in other
    /// languages: German `AW`/`WG`, Scandinavian `SV`/`VS`/`VB`, Dutch
    /// `Antw`/`Doorst`, Italian `R`/`RIF`/`I`, French `TR`, Spanish
    /// `RV`/`RE`, Polish `ODP`/`PD`, Turkish `YNT`/`İLT`, Czech `Odp`/`PŘ`,
    /// Hungarian `VÁ`, Portuguese `ENC`, Finnish `VL`, Greek `ΑΠ`/`ΣΧΕΤ`/`ΠΡΘ`,
    /// Chinese `回复`/`回覆`/`答复`/`转发`/`轉寄`, Japanese `返信`/`転送`, Korean `회신`/`전달`.
    pub fn localized() -> Prefixes {
        let words = [
            "aw", "wg", "sv", "vs", "vb", "antw", "doorst", "r", "rif", "i", "tr", "rv", "odp", "pd", "ynt",
            "i̇lt", "přes", "př", "vá", "enc", "vl", "απ", "σχετ", "πρθ", "回复", "回覆", "答复", "转发",
            "轉寄", "返信", "転送", "회신", "전달",
        ];
        Prefixes::with(words)
    }

    /// These words (any case) as prefixes.
    pub fn with<'w>(words: impl IntoIterator<Item = &'w str>) -> Prefixes {
        let mut words: Vec<String> = words.into_iter().map(|w| w.to_lowercase()).collect();
        // Longest first, so that `antw` is tried before `a…`-prefixes.
        words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        let mapped = words.iter().map(|w| unicode_casemap(w).into_owned()).collect();
        Prefixes { words, mapped }
    }

    /// Whether only RFC 5256's prefixes are removed.
    pub fn is_rfc5256(&self) -> bool {
        self.words.is_empty()
    }
}

/// The RFC 5256 base subject of `subject` (already decoded from RFC 2047).
pub fn base_subject(subject: &str) -> BaseSubject<'_> {
    extract(subject, &[])
}

/// The base subject with `prefixes` removed as well as RFC 5256's.
pub fn base_subject_with<'a>(subject: &'a str, prefixes: &Prefixes) -> BaseSubject<'a> {
    extract(subject, &prefixes.words)
}

fn extract<'a>(subject: &'a str, extra: &[String]) -> BaseSubject<'a> {
    // (1) Tabs and continuations to spaces, runs of spaces to one.
    let normalized = normalize_space(subject);
    let mut s: &str = &normalized;
    let mut reply = false;
    loop {
        // (2) Trailers: "(fwd)" and white space, repeatedly.
        loop {
            if let Some(rest) = s.strip_suffix(' ') {
                s = rest;
            } else if s.len() >= 5
                && s.is_char_boundary(s.len() - 5)
                && s[s.len() - 5..].eq_ignore_ascii_case("(fwd)")
            {
                s = &s[..s.len() - 5];
                reply = true;
            } else {
                break;
            }
        }
        // (3)-(5) Leaders and blobs, until neither matches.
        loop {
            if let Some(rest) = strip_leader(s, extra) {
                s = rest.0;
                reply |= rest.1;
                continue;
            }
            if let Some(rest) = strip_blob(s) {
                if !rest.is_empty() {
                    s = rest;
                    continue;
                }
            }
            break;
        }
        // (6) A "[fwd: ...]" wrapper: remove it and start again at (2).
        if s.len() >= 6 && s.is_char_boundary(5) && s[..5].eq_ignore_ascii_case("[fwd:") && s.ends_with(']') {
            s = &s[5..s.len() - 1];
            reply = true;
            continue;
        }
        break;
    }
    let text = match normalized {
        Cow::Borrowed(all) => {
            let start = s.as_ptr() as usize - all.as_ptr() as usize;
            Cow::Borrowed(&all[start..start + s.len()])
        }
        Cow::Owned(_) => Cow::Owned(s.to_string()),
    };
    BaseSubject { text, is_reply_or_forward: reply }
}

/// Step (1): every tab, CR and LF becomes a space, runs of spaces one.
fn normalize_space(subject: &str) -> Cow<'_, str> {
    let bytes = subject.as_bytes();
    let clean = !bytes.iter().any(|&b| b == b'\t' || b == b'\r' || b == b'\n')
        && memchr::memmem::find(bytes, b"  ").is_none();
    if clean {
        return Cow::Borrowed(subject);
    }
    let mut out = String::with_capacity(subject.len());
    let mut space = false;
    for c in subject.chars() {
        if matches!(c, ' ' | '\t' | '\r' | '\n') {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    Cow::Owned(out)
}

/// Step (3): one subj-leader, `(*subj-blob subj-refwd) / WSP`. Returns the
/// rest and whether a reply/forward prefix was removed.
fn strip_leader<'a>(s: &'a str, extra: &[String]) -> Option<(&'a str, bool)> {
    if let Some(rest) = s.strip_prefix(' ') {
        return Some((rest, false));
    }
    // Any number of blobs, then re/fw/fwd.
    let mut t = s;
    loop {
        if let Some(rest) = strip_refwd(t, extra) {
            return Some((rest, true));
        }
        t = strip_blob(t)?;
    }
}

/// subj-refwd: `("re" / ("fw" ["d"])) *WSP [subj-blob] ":"`.
fn strip_refwd<'a>(s: &'a str, extra: &[String]) -> Option<&'a str> {
    // After the word: white space, an optional blob, then the colon.
    let after = |rest: &'a str| -> Option<&'a str> {
        let rest = rest.trim_start_matches(' ');
        let rest = match strip_blob(rest) {
            Some(after_blob) if after_blob.starts_with(':') || after_blob.starts_with('：') => after_blob,
            _ => rest,
        };
        rest.strip_prefix(':').or_else(|| if extra.is_empty() { None } else { rest.strip_prefix('：') })
    };
    let b = s.as_bytes();
    let starts = |w: &str| b.len() >= w.len() && b[..w.len()].eq_ignore_ascii_case(w.as_bytes());
    // Longest first: "fwd" before "fw".
    for (word, len) in [("fwd", 3), ("fw", 2), ("re", 2)] {
        if starts(word) {
            if let Some(rest) = after(&s[len..]) {
                return Some(rest);
            }
        }
    }
    let first = s.chars().next()?;
    extra.iter().find_map(|w| {
        // Cheap test of the first character before the full comparison.
        let w0 = w.chars().next()?;
        if first != w0 && !first.to_lowercase().eq(w0.to_lowercase()) {
            return None;
        }
        strip_prefix_fold(s, w).and_then(after)
    })
}

/// `s` without the prefix `word`, matched without regard to case.
fn strip_prefix_fold<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let mut chars = s.char_indices();
    for w in word.chars() {
        let (_, c) = chars.next()?;
        if c != w && !c.to_lowercase().eq(w.to_lowercase()) {
            return None;
        }
    }
    let end = chars.next().map_or(s.len(), |(i, _)| i);
    Some(&s[end..])
}

/// subj-blob: `"[" *BLOBCHAR "]" *WSP`; the rest of `s` after it.
fn strip_blob(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('[')?;
    let end = inner.find([']', '['])?;
    if inner.as_bytes()[end] != b']' {
        return None;
    }
    Some(inner[end + 1..].trim_start_matches(' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> (String, bool) {
        let r = base_subject(s);
        (r.text.into_owned(), r.is_reply_or_forward)
    }

    #[test]
    fn rfc5256_extraction() {
        assert_eq!(b("hello"), ("hello".into(), false));
        assert_eq!(b("Re: hello"), ("hello".into(), true));
        assert_eq!(b("RE:hello"), ("hello".into(), true));
        assert_eq!(b("Re : hello"), ("hello".into(), true));
        assert_eq!(b("Re[2]: hello"), ("hello".into(), true));
        assert_eq!(b("Re [2] : hello"), ("hello".into(), true));
        assert_eq!(b("Fw: Fwd: FW: hello"), ("hello".into(), true));
        assert_eq!(b("[list] Re: hello"), ("hello".into(), true));
        assert_eq!(b("[list] hello"), ("hello".into(), false));
        assert_eq!(b("[a][b]"), ("[b]".into(), false));
        assert_eq!(b("[a]"), ("[a]".into(), false));
        assert_eq!(b("hello (fwd)"), ("hello".into(), true));
        assert_eq!(b("hello (FWD) (fwd)  "), ("hello".into(), true));
        assert_eq!(b("[Fwd: Re: [x] hello (fwd)]"), ("hello".into(), true));
        assert_eq!(b("  \t a \r\n  b  "), ("a b".into(), false));
        assert_eq!(b(""), ("".into(), false));
        assert_eq!(b("Re:"), ("".into(), true));
        assert_eq!(b("Re: "), ("".into(), true));
        // Not a prefix: "Reply", "Fwding".
        assert_eq!(b("Reply: x"), ("Reply: x".into(), false));
        assert_eq!(b("Re-: x"), ("Re-: x".into(), false));
        // An unclosed blob stays.
        assert_eq!(b("[abc hello"), ("[abc hello".into(), false));
        // Non-ASCII stays intact.
        assert_eq!(b("Re: Grüße"), ("Grüße".into(), true));
    }

    #[test]
    fn borrowed_when_nothing_is_rewritten() {
        assert!(matches!(base_subject("Re: plain").text, Cow::Borrowed("plain")));
    }

    #[test]
    fn localized_prefixes() {
        let p = Prefixes::localized();
        let l = |s| base_subject_with(s, &p).text.into_owned();
        assert_eq!(l("AW: Termin"), "Termin");
        assert_eq!(l("Sv: Re: møte"), "møte");
        assert_eq!(l("回复：会议"), "会议");
        assert_eq!(l("Antw: x"), "x");
        assert_eq!(l("RE : x"), "x");
        assert_eq!(l("Awesome: x"), "Awesome: x");
        assert!(base_subject_with("WG: x", &p).is_reply_or_forward);
        // The same prefixes in the compared form, accents decomposed.
        assert_eq!(compare_key_with("Vá: Re: x", &p), ("X".to_string(), true));
        assert_eq!(compare_key_with("回复：会议", &p).0, compare_key("会议").0);
    }

    #[test]
    fn keys_use_the_unicode_casemap_collation() {
        let key = |s| compare_key(s).0;
        assert_eq!(key("Re: HeLLo"), "HELLO");
        assert_eq!(key("été"), key("ÉTÉ"));
        assert_eq!(key("Caf\u{e9}"), key("Cafe\u{301}"));
        assert_eq!(key("a\u{a0}b"), key("a b"));
        assert_eq!(key("ＡＢＣ"), key("abc"));
        assert_eq!(key("x²"), key("x2"));
        assert_eq!(key("οδοσ"), key("οδος"));
        assert_eq!(key("ǆ"), key("ǅ"));
        assert_ne!(key("ß"), key("ss"));
        assert!(compare_key("Re： x").1);
        assert_eq!(key("Re： x"), "X");
    }
}
