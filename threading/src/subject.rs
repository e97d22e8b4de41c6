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

impl BaseSubject<'_> {
    /// The text in the form subjects are compared in: case-insensitive
    /// (Unicode lower case; ASCII-only text is only folded when it has
    /// capitals).
    pub fn key(&self) -> Cow<'_, str> {
        fold_case(&self.text)
    }
}

/// `text` folded for case-insensitive comparison.
pub fn fold_case(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        }
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

/// Extra reply and forward prefixes to remove besides RFC 5256's `re`,
/// `fw` and `fwd` (matched without regard to case, followed by optional
/// white space, an optional `[blob]` and `:` or the full-width `：`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefixes {
    words: Vec<String>,
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
        Prefixes { words }
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
    let after_word = refwd_word(s, extra)?;
    // Try each word length that matched (fw vs fwd): `after_word` holds the
    // candidates, longest first.
    after_word.into_iter().find_map(|rest| {
        let rest = rest.trim_start_matches(' ');
        let rest = match strip_blob(rest) {
            Some(after_blob) if after_blob.starts_with(':') || after_blob.starts_with('：') => after_blob,
            _ => rest,
        };
        rest.strip_prefix(':').or_else(|| if extra.is_empty() { None } else { rest.strip_prefix('：') })
    })
}

/// The text after each reply/forward word `s` starts with.
fn refwd_word<'a>(s: &'a str, extra: &[String]) -> Option<Vec<&'a str>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let starts = |w: &str| b.len() >= w.len() && b[..w.len()].eq_ignore_ascii_case(w.as_bytes());
    if starts("fwd") {
        out.push(&s[3..]);
    }
    if starts("fw") {
        out.push(&s[2..]);
    }
    if starts("re") {
        out.push(&s[2..]);
    }
    for w in extra {
        if let Some(rest) = strip_prefix_fold(s, w) {
            out.push(rest);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `s` without the prefix `word` (given in lower case), matched without
/// regard to case.
fn strip_prefix_fold<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let mut chars = s.char_indices();
    for w in word.chars() {
        let (_, c) = chars.next()?;
        if !c.to_lowercase().eq(std::iter::once(w)) && c != w {
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
    }

    #[test]
    fn keys_fold_case() {
        assert_eq!(base_subject("Re: HeLLo").key(), "hello");
        assert_eq!(base_subject("ÉTÉ").key(), "été");
    }
}
