//! Mailing-list fields: the URL lists of `List-Help:`, `List-Unsubscribe:`,
//! `List-Subscribe:`, `List-Post:`, `List-Owner:` and `List-Archive:`
//! (RFC 2369), and the `List-Id:` identifier (RFC 2919).
//!
//! [`parse_list_urls`] returns the URLs of a comma-separated list of
//! `<url>` with comments. It tolerates white space and line folding inside
//! the brackets (removed, as RFC 2369 section 2 asks), comments and quoted
//! strings anywhere outside them, missing or doubled commas, and, when a
//! sender forgot every bracket, bare `scheme:...` tokens. `List-Post: NO`
//! (posting not allowed) gives an empty list.
//!
//! [`parse_list_id`] reads `[phrase] <list-id>`: the phrase may be a quoted
//! string (unquoted here), a run of atoms or absent; comments are dropped.
//! Encoded words (RFC 2047) in the phrase are returned as written. A value
//! that is a single bare token is taken as the list id.
//!
//! Both read up to the end of the header field (the first line break not
//! followed by white space) and borrow from the input whenever the result
//! is written contiguously in valid UTF-8.
//!
//! ```
//! use mailwire_mime::list::{parse_list_id, parse_list_urls};
//!
//! let urls = parse_list_urls(b"<mailto:list-request@example.com?subject=help> (List Instructions),\r\n <https://example.com/help>");
//! assert_eq!(urls, ["mailto:list-request@example.com?subject=help", "https://example.com/help"]);
//!
//! let id = parse_list_id(b"\"The Example List\" <list.example.com>").unwrap();
//! assert_eq!(id.description.as_deref(), Some("The Example List"));
//! assert_eq!(id.id, "list.example.com");
//! ```

use std::borrow::Cow;

use crate::date::{field_end, is_ws, skip_comment, skip_quoted};

/// A parsed `List-Id:` value (RFC 2919).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ListId<'a> {
    /// The phrase before the id, unquoted, with comments removed and white
    /// space collapsed; `None` when there is none. Encoded words are left
    /// as written.
    pub description: Option<Cow<'a, str>>,
    /// The list identifier, without the angle brackets
    /// (e.g. `list-header.nisto.com`).
    pub id: Cow<'a, str>,
}

/// The URLs of an RFC 2369 `List-*` field, in order, without the angle
/// brackets and with any white space inside them removed.
///
/// ```
/// use mailwire_mime::list::parse_list_urls;
///
/// assert_eq!(parse_list_urls(b"<ftp://ftp.host.com/list.txt> (FTP),\r\n <mailto:list@host.com?subject=help>"),
///            ["ftp://ftp.host.com/list.txt", "mailto:list@host.com?subject=help"]);
/// assert_eq!(parse_list_urls(b"<http://www.host.com/list/\r\n archive/>"),
///            ["http://www.host.com/list/archive/"]);
/// assert!(parse_list_urls(b"NO (posting not allowed on this list)").is_empty());
/// ```
pub fn parse_list_urls(raw: &[u8]) -> Vec<Cow<'_, str>> {
    let value = field_end(raw);
    let mut urls = Vec::new();
    let mut saw_bracket = false;
    let mut i = 0;
    while let Some(&b) = value.get(i) {
        match b {
            b'(' => i = skip_comment(value, i).unwrap_or(value.len()),
            b'"' => i = skip_quoted(value, i).unwrap_or(value.len()),
            b'<' => {
                saw_bracket = true;
                let start = i + 1;
                let Some(len) = memchr::memchr(b'>', value.get(start..).unwrap_or_default()) else {
                    break;
                };
                let inner = value.get(start..start + len).unwrap_or_default();
                if let Some(url) = without_ws(inner) {
                    urls.push(url);
                }
                i = start + len + 1;
            }
            _ => i += 1,
        }
    }
    if !saw_bracket {
        bare_urls(value, &mut urls);
    }
    urls
}

/// Parses an RFC 2919 `List-Id:` value: `[phrase] <list-id>`.
///
/// Returns `None` when there is no (non-empty) list id.
///
/// ```
/// use mailwire_mime::list::parse_list_id;
///
/// let id = parse_list_id(b"List Header Mailing List <list-header.nisto.com>").unwrap();
/// assert_eq!(id.description.as_deref(), Some("List Header Mailing List"));
/// assert_eq!(id.id, "list-header.nisto.com");
///
/// let id = parse_list_id(b"<commonspace-users.list-id.within.com>").unwrap();
/// assert_eq!(id.description, None);
/// assert!(parse_list_id(b"no brackets here").is_none());
/// ```
pub fn parse_list_id(raw: &[u8]) -> Option<ListId<'_>> {
    let value = field_end(raw);
    let mut i = 0;
    while let Some(&b) = value.get(i) {
        match b {
            b'(' => i = skip_comment(value, i).unwrap_or(value.len()),
            b'"' => i = skip_quoted(value, i).unwrap_or(value.len()),
            b'<' => {
                let start = i + 1;
                let len = memchr::memchr(b'>', value.get(start..)?)?;
                let id = without_ws(value.get(start..start + len)?)?;
                let description = phrase(value.get(..i)?);
                return Some(ListId { description, id });
            }
            _ => i += 1,
        }
    }
    // No brackets: a lone token is the id itself.
    let mut tokens = Tokens::new(value);
    let (start, end) = tokens.next()?;
    if tokens.next().is_some() {
        return None;
    }
    let token = value.get(start..end)?;
    if token.first() == Some(&b'"') {
        return None;
    }
    Some(ListId { description: None, id: String::from_utf8_lossy(token) })
}

/// The bytes with white space removed, borrowed when there was none;
/// `None` when nothing is left.
fn without_ws(inner: &[u8]) -> Option<Cow<'_, str>> {
    let start = inner.iter().position(|&b| !is_ws(b))?;
    let end = inner.iter().rposition(|&b| !is_ws(b))? + 1;
    let trimmed = inner.get(start..end)?;
    if trimmed.iter().any(|&b| is_ws(b)) {
        let joined: Vec<u8> = trimmed.iter().copied().filter(|&b| !is_ws(b)).collect();
        Some(Cow::Owned(String::from_utf8_lossy(&joined).into_owned()))
    } else {
        Some(String::from_utf8_lossy(trimmed))
    }
}

/// Bracket-less fallback: every comma-separated item that is one token
/// shaped like `scheme:rest`.
fn bare_urls<'a>(value: &'a [u8], urls: &mut Vec<Cow<'a, str>>) {
    for item in value.split(|&b| b == b',') {
        let mut tokens = Tokens::new(item);
        let Some((start, end)) = tokens.next() else {
            continue;
        };
        if tokens.next().is_some() {
            continue;
        }
        let Some(token) = item.get(start..end) else {
            continue;
        };
        if looks_like_url(token) {
            urls.push(String::from_utf8_lossy(token));
        }
    }
}

/// `scheme ":" 1*char` with an RFC 3986 scheme.
fn looks_like_url(token: &[u8]) -> bool {
    let Some(colon) = memchr::memchr(b':', token) else {
        return false;
    };
    let (scheme, rest) = token.split_at(colon);
    rest.len() > 1
        && scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// Iterates over the words of a value outside comments: quoted strings
/// (with their quotes) and runs of other non-space bytes.
struct Tokens<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Tokens<'a> {
    fn new(s: &'a [u8]) -> Self {
        Tokens { s, pos: 0 }
    }
}

impl Iterator for Tokens<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        loop {
            let b = *self.s.get(self.pos)?;
            if is_ws(b) {
                self.pos += 1;
            } else if b == b'(' {
                self.pos = skip_comment(self.s, self.pos).unwrap_or(self.s.len());
            } else {
                break;
            }
        }
        let start = self.pos;
        if self.s.get(start) == Some(&b'"') {
            self.pos = skip_quoted(self.s, start).unwrap_or(self.s.len());
        } else {
            while self.s.get(self.pos).is_some_and(|&b| !is_ws(b) && b != b'(' && b != b'"') {
                self.pos += 1;
            }
        }
        Some((start, self.pos))
    }
}

/// The display phrase before the `<`: words joined by single spaces,
/// quoted strings unquoted, comments dropped. Borrowed when the phrase is
/// a single contiguous run (one quoted string, or atoms separated by
/// single spaces).
fn phrase(s: &[u8]) -> Option<Cow<'_, str>> {
    let mut words = Tokens::new(s);
    let (first_start, first_end) = words.next()?;
    let mut last_end = first_end;
    let mut contiguous = true;
    let mut quoted = s.get(first_start) == Some(&b'"');
    let mut count = 1usize;
    for (start, end) in words {
        count += 1;
        quoted |= s.get(start) == Some(&b'"');
        if s.get(last_end..start) != Some(b" ") {
            contiguous = false;
        }
        last_end = end;
    }
    if count == 1 && quoted {
        let inner = s.get(first_start + 1..first_end)?;
        let inner = inner.strip_suffix(b"\"").unwrap_or(inner);
        if !inner.iter().any(|&b| b == b'\\' || b == b'\r' || b == b'\n') {
            return non_empty(String::from_utf8_lossy(inner));
        }
    } else if contiguous && !quoted {
        return non_empty(String::from_utf8_lossy(s.get(first_start..last_end)?));
    }
    // General case: rebuild the phrase.
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    for (start, end) in Tokens::new(s) {
        if !out.is_empty() {
            out.push(b' ');
        }
        let word = s.get(start..end).unwrap_or_default();
        if word.first() == Some(&b'"') {
            unquote_into(word, &mut out);
        } else {
            out.extend_from_slice(word);
        }
    }
    non_empty(Cow::Owned(String::from_utf8_lossy(&out).into_owned()))
}

/// Appends the content of a quoted string (with its quotes), resolving
/// quoted pairs and dropping line breaks.
fn unquote_into(word: &[u8], out: &mut Vec<u8>) {
    let inner = word.get(1..).unwrap_or_default();
    let inner = inner.strip_suffix(b"\"").unwrap_or(inner);
    let mut escaped = false;
    for &b in inner {
        if escaped {
            out.push(b);
            escaped = false;
        } else if b == b'\\' {
            escaped = true;
        } else if b != b'\r' && b != b'\n' {
            out.push(b);
        }
    }
}

fn non_empty(s: Cow<'_, str>) -> Option<Cow<'_, str>> {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        None
    } else if trimmed.len() == s.len() {
        Some(s)
    } else {
        Some(Cow::Owned(trimmed.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(s: &[u8]) -> Vec<String> {
        parse_list_urls(s).into_iter().map(Cow::into_owned).collect()
    }

    #[test]
    fn rfc2369_examples() {
        assert_eq!(
            urls(b"<mailto:list@host.com?subject=help> (List Instructions)"),
            ["mailto:list@host.com?subject=help"]
        );
        assert_eq!(
            urls(b"<mailto:list-manager@host.com?body=info>"),
            ["mailto:list-manager@host.com?body=info"]
        );
        assert_eq!(urls(b"<mailto:list-info@host.com> (Info about the list)"), ["mailto:list-info@host.com"]);
        assert_eq!(
            urls(b"<http://www.host.com/list/>, <mailto:list-info@host.com>"),
            ["http://www.host.com/list/", "mailto:list-info@host.com"]
        );
        assert_eq!(
            urls(b"<ftp://ftp.host.com/list.txt> (FTP),\r\n    <mailto:list@host.com?subject=help>"),
            ["ftp://ftp.host.com/list.txt", "mailto:list@host.com?subject=help"]
        );
        assert_eq!(
            urls(b"<mailto:list@host.com?subject=unsubscribe>"),
            ["mailto:list@host.com?subject=unsubscribe"]
        );
        assert_eq!(
            urls(b"(Use this command to join the list)\r\n   <mailto:list-manager@host.com?body=subscribe%20list>"),
            ["mailto:list-manager@host.com?body=subscribe%20list"]
        );
        assert_eq!(
            urls(b"<mailto:moderator@host.com> (Postings are Moderated)"),
            ["mailto:moderator@host.com"]
        );
        assert_eq!(
            urls(b"<mailto:moderator@host.com?subject=list%20posting>"),
            ["mailto:moderator@host.com?subject=list%20posting"]
        );
        assert!(urls(b"NO (posting not allowed on this list)").is_empty());
        assert_eq!(urls(b"<mailto:listmom@host.com> (Contact Person for Help)"), ["mailto:listmom@host.com"]);
        assert_eq!(urls(b"<mailto:listmom@host.com?Subject=list>"), ["mailto:listmom@host.com?Subject=list"]);
        assert_eq!(urls(b"<ftp://ftp.host.com/pub/list/archive/>"), ["ftp://ftp.host.com/pub/list/archive/"]);
        assert_eq!(
            urls(b"<http://www.host.com/list/archive/> (Web Archive)"),
            ["http://www.host.com/list/archive/"]
        );
    }

    #[test]
    fn tolerated_list_urls() {
        let got = parse_list_urls(b"<http://a/\r\n b>,,<mailto:x@y>");
        assert!(matches!(&got[0], Cow::Owned(s) if s == "http://a/b"));
        assert!(matches!(got[1], Cow::Borrowed("mailto:x@y")));
        assert_eq!(urls(b"\"<not-a-url>\" <mailto:a@b>"), ["mailto:a@b"]);
        assert_eq!(urls(b"(comment <x:y>) <mailto:a@b>"), ["mailto:a@b"]);
        assert_eq!(urls(b"< mailto:a@b >"), ["mailto:a@b"]);
        assert_eq!(urls(b"https://x.example/u?id=1, mailto:a@b"), ["https://x.example/u?id=1", "mailto:a@b"]);
        assert!(urls(b"<>").is_empty());
        assert!(urls(b"<mailto:a@b").is_empty());
        assert_eq!(urls(b"<mailto:a@b>\r\nList-Post: <mailto:c@d>"), ["mailto:a@b"]);
        assert!(urls(b"").is_empty());
    }

    #[test]
    fn rfc2919_examples() {
        let id = parse_list_id(b"List Header Mailing List <list-header.nisto.com>").unwrap();
        assert!(matches!(id.description, Some(Cow::Borrowed("List Header Mailing List"))));
        assert!(matches!(id.id, Cow::Borrowed("list-header.nisto.com")));
        let id = parse_list_id(b"<commonspace-users.list-id.within.com>").unwrap();
        assert_eq!(id.description, None);
        assert_eq!(id.id, "commonspace-users.list-id.within.com");
        let id = parse_list_id(b"\"Lena's Personal Joke List\"\r\n         <lenas-jokes.da39efc25c530ad145d41b86f7420c3b.021999.localhost>")
            .unwrap();
        assert!(matches!(id.description, Some(Cow::Borrowed("Lena's Personal Joke List"))));
        assert_eq!(id.id, "lenas-jokes.da39efc25c530ad145d41b86f7420c3b.021999.localhost");
        let id = parse_list_id(b"\"An internal CMU List\" <0Jks9449.list-id.cmu.edu>").unwrap();
        assert_eq!(id.description.as_deref(), Some("An internal CMU List"));
        assert_eq!(id.id, "0Jks9449.list-id.cmu.edu");
        let id = parse_list_id(b"<da39efc25c530ad145d41b86f7420c3b.052000.localhost>").unwrap();
        assert_eq!(id.id, "da39efc25c530ad145d41b86f7420c3b.052000.localhost");
    }

    #[test]
    fn tolerated_list_ids() {
        let id = parse_list_id(b"  Dev   (the devs) \"list \\\"x\\\"\" <dev.example.org> (c)").unwrap();
        assert_eq!(id.description.as_deref(), Some("Dev list \"x\""));
        assert_eq!(id.id, "dev.example.org");
        let id = parse_list_id(b"=?utf-8?q?Caf=C3=A9?= <cafe.example.org>").unwrap();
        assert_eq!(id.description.as_deref(), Some("=?utf-8?q?Caf=C3=A9?="));
        let id = parse_list_id(b"\"\" < dev.example.org >").unwrap();
        assert_eq!(id.description, None);
        assert_eq!(id.id, "dev.example.org");
        let id = parse_list_id(b"\"a <b>\" <real.example>").unwrap();
        assert_eq!(id.description.as_deref(), Some("a <b>"));
        assert_eq!(id.id, "real.example");
        let id = parse_list_id(b" bare.example.org \r\n").unwrap();
        assert_eq!(id.id, "bare.example.org");
        assert_eq!(id.description, None);
        assert!(parse_list_id(b"<>").is_none());
        assert!(parse_list_id(b"Name <unclosed").is_none());
        assert!(parse_list_id(b"").is_none());
        assert!(parse_list_id(b"\"just a phrase\"").is_none());
    }

    #[test]
    fn never_panics() {
        let s: &[u8] = b"\"a\\\"(<b>)\" (<c>\" <d\xff> , e:f <";
        for i in 0..=s.len() {
            let _ = parse_list_urls(&s[..i]);
            let _ = parse_list_urls(&s[i..]);
            let _ = parse_list_id(&s[..i]);
            let _ = parse_list_id(&s[i..]);
        }
    }
}
