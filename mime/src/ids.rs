//! Message identifiers: `Message-ID:`, `In-Reply-To:`, `References:`,
//! `Content-ID:` and `Resent-Message-ID:` (RFC 5322 section 3.6.4, with
//! the obsolete forms of section 4.5.4).
//!
//! [`parse_message_ids`] returns every `<id-left@id-right>` of the value,
//! in order, without the angle brackets. It tolerates:
//!
//! - comments and folding white space around and between the ids, and the
//!   obsolete phrases that old mailers put between them in `In-Reply-To:`
//!   and `References:` (`"Joe's message of ..." <id@x>` gives `id@x`;
//!   quoted strings and comments outside the brackets are skipped, so a
//!   `<...>` inside them is not taken for an id);
//! - comments and white space *inside* the brackets (the obsolete
//!   `<1234 @ local(blah) .machine .example>`): they are not part of the
//!   identifier and are removed, giving `1234@local.machine.example`;
//! - a stray `<` inside an id (the id restarts after it), commas between
//!   ids, empty `<>` (skipped);
//! - a value that is one bare token without brackets
//!   (`Message-ID: abc@example.com`), which is taken as the id;
//! - raw 8-bit bytes: valid UTF-8 is borrowed, anything else is converted
//!   lossily (`Cow::Owned`).
//!
//! The value ends at the first line break that is not followed by white
//! space (the end of the header field). The result borrows from the input
//! whenever the id is written without inner white space or comments.
//!
//! ```
//! use mailwire_mime::ids::parse_message_ids;
//!
//! let refs = parse_message_ids(b"<1234@local.machine.example>\r\n <3456@example.net>");
//! assert_eq!(refs, ["1234@local.machine.example", "3456@example.net"]);
//! ```

use std::borrow::Cow;

use crate::date::{field_end, is_ws, skip_comment, skip_quoted};

/// All message ids of a `Message-ID:`, `In-Reply-To:`, `References:`,
/// `Content-ID:` or `Resent-Message-ID:` value, in order, without the
/// angle brackets (see the module docs for what is tolerated).
///
/// ```
/// use mailwire_mime::ids::parse_message_ids;
///
/// let ids = parse_message_ids(
///     b"\"Joe D.'s message of Mon, 1 Jan\" <a@x> (comment) <b@y>");
/// assert_eq!(ids, ["a@x", "b@y"]);
/// assert_eq!(parse_message_ids(b" bare@example.com \r\n"), ["bare@example.com"]);
/// assert!(parse_message_ids(b"<>").is_empty());
/// ```
pub fn parse_message_ids(raw: &[u8]) -> Vec<Cow<'_, str>> {
    let value = field_end(raw);
    let mut ids = Vec::new();
    let mut i = 0;
    while let Some(id) = next_id(value, &mut i) {
        ids.push(id);
    }
    if ids.is_empty() {
        if let Some(token) = single_bare_token(value) {
            ids.push(String::from_utf8_lossy(token));
        }
    }
    ids
}

/// The next bracketed id at or after `*i`, moving `*i` past it.
fn next_id<'a>(value: &'a [u8], i: &mut usize) -> Option<Cow<'a, str>> {
    while let Some(&b) = value.get(*i) {
        match b {
            b'(' => *i = skip_comment(value, *i).unwrap_or(value.len()),
            b'"' => *i = skip_quoted(value, *i).unwrap_or(value.len()),
            b'<' => match bracketed(value, *i) {
                Some((id, next)) => {
                    *i = next;
                    if id.is_some() {
                        return id;
                    }
                }
                // Not closed: nothing after it can be an id.
                None => return None,
            },
            _ => *i += 1,
        }
    }
    None
}

/// The first message id of the value (see [`parse_message_ids`]), e.g. the
/// identifier of a `Message-ID:` or `Content-ID:` field.
///
/// ```
/// use mailwire_mime::ids::parse_message_id;
///
/// assert_eq!(parse_message_id(b" <part1.abc@example.com>").as_deref(),
///            Some("part1.abc@example.com"));
/// assert_eq!(parse_message_id(b"(none)"), None);
/// ```
pub fn parse_message_id(raw: &[u8]) -> Option<Cow<'_, str>> {
    let value = field_end(raw);
    next_id(value, &mut 0).or_else(|| single_bare_token(value).map(String::from_utf8_lossy))
}

/// Reads the id whose `<` is at `value[open]`. Returns the id (`None` when
/// empty) and the index after the closing `>`, or `None` when there is no
/// closing `>`.
fn bracketed(value: &[u8], open: usize) -> Option<(Option<Cow<'_, str>>, usize)> {
    let mut start = open + 1;
    let mut clean = true;
    let mut i = start;
    loop {
        match *value.get(i)? {
            b'>' => break,
            // A second `<`: the first one was stray; the id starts again.
            b'<' => {
                start = i + 1;
                clean = true;
                i = start;
            }
            b'(' => match skip_comment(value, i) {
                Some(end) => {
                    clean = false;
                    i = end;
                }
                None => i += 1,
            },
            b'"' => {
                let end = skip_quoted(value, i).unwrap_or(i + 1);
                if value.get(i..end).is_some_and(|q| q.iter().any(|&c| c == b'\r' || c == b'\n')) {
                    clean = false;
                }
                i = end;
            }
            b if is_ws(b) => {
                clean = false;
                i += 1;
            }
            _ => i += 1,
        }
    }
    let inner = value.get(start..i)?;
    let id = if clean {
        (!inner.is_empty()).then(|| String::from_utf8_lossy(inner))
    } else {
        let stripped = strip_cfws(inner);
        (!stripped.is_empty()).then(|| Cow::Owned(String::from_utf8_lossy(&stripped).into_owned()))
    };
    Some((id, i + 1))
}

/// The bytes of an id with its comments and white space removed; quoted
/// strings are kept as written (only their line breaks are dropped).
fn strip_cfws(inner: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while let Some(&b) = inner.get(i) {
        match b {
            b'(' => match skip_comment(inner, i) {
                Some(end) => i = end,
                None => {
                    out.push(b);
                    i += 1;
                }
            },
            b'"' => {
                let end = skip_quoted(inner, i).unwrap_or(inner.len());
                let quoted = inner.get(i..end).unwrap_or_default();
                out.extend(quoted.iter().copied().filter(|&c| c != b'\r' && c != b'\n'));
                i = end;
            }
            b if is_ws(b) => i += 1,
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// The value's only token when, comments and white space aside, it is a
/// single run without brackets, quotes or white space.
fn single_bare_token(value: &[u8]) -> Option<&[u8]> {
    let mut token: Option<(usize, usize)> = None;
    let mut i = 0;
    while let Some(&b) = value.get(i) {
        if is_ws(b) {
            i += 1;
        } else if b == b'(' {
            i = skip_comment(value, i).unwrap_or(value.len());
        } else {
            if token.is_some() {
                return None;
            }
            let start = i;
            while value.get(i).is_some_and(|&c| !is_ws(c) && c != b'(') {
                i += 1;
            }
            token = Some((start, i));
        }
    }
    let (start, end) = token?;
    let t = value.get(start..end)?;
    if t.iter().any(|&c| matches!(c, b'<' | b'>' | b'"')) {
        return None;
    }
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(s: &[u8]) -> Vec<String> {
        parse_message_ids(s).into_iter().map(Cow::into_owned).collect()
    }

    #[test]
    fn rfc5322_appendix_a() {
        // A.1.1 / A.2 / A.4
        assert_eq!(ids(b"<1234@local.machine.example>"), ["1234@local.machine.example"]);
        assert_eq!(
            ids(b"<1234@local.machine.example> <3456@example.net>"),
            ["1234@local.machine.example", "3456@example.net"]
        );
        assert_eq!(ids(b"<78910@example.net>"), ["78910@example.net"]);
        assert_eq!(ids(b"<5678.21-Nov-1997@example.com>"), ["5678.21-Nov-1997@example.com"]);
        // A.5: white space before (but not within) the identifier
        assert_eq!(ids(b"              <testabcd.1234@silly.test>"), ["testabcd.1234@silly.test"]);
        // A.6.3: obsolete CFWS inside the identifier
        assert_eq!(ids(b" <1234   @   local(blah)  .machine .example>"), ["1234@local.machine.example"]);
    }

    #[test]
    fn borrows_when_possible() {
        let raw = b" <a@b> <c\r\n @d> <\xe9@x>";
        let got = parse_message_ids(raw);
        assert!(matches!(got[0], Cow::Borrowed("a@b")));
        assert!(matches!(&got[1], Cow::Owned(s) if s == "c@d"));
        assert!(matches!(&got[2], Cow::Owned(s) if s == "\u{fffd}@x"));
        assert!(matches!(parse_message_id(b"x@y").unwrap(), Cow::Borrowed("x@y")));
        assert!(matches!(parse_message_id("<é@b>".as_bytes()).unwrap(), Cow::Borrowed("é@b")));
    }

    #[test]
    fn obsolete_phrases_and_oddities() {
        assert_eq!(
            ids(b"\"Joe's message of <fake@x>\" <real@x> Your message of Mon, 1 Jan <b@y>"),
            ["real@x", "b@y"]
        );
        assert_eq!(ids(b"(c <fake@x>) <a@b>,<c@d>"), ["a@b", "c@d"]);
        assert_eq!(ids(b"<\"quoted id\"@x>"), ["\"quoted id\"@x"]);
        assert_eq!(ids(b"<a(not closed@b>"), ["a(notclosed@b"]);
        assert_eq!(ids(b"<<a>>"), ["a"]);
        assert_eq!(ids(b"<a<b>c>"), ["b"]);
        assert_eq!(ids(b"<>\n <x@y>"), ["x@y"]);
        assert_eq!(ids(b"<a@b>\n\n<c@d>"), ["a@b"]);
        assert_eq!(ids(b"<a@b>\r\nReferences: <c@d>"), ["a@b"]);
        assert_eq!(ids(b"   m \n"), ["m"]);
        assert_eq!(ids(b"bare@x (comment)"), ["bare@x"]);
        assert!(ids(b"two bare").is_empty());
        assert!(ids(b"<a@b").is_empty());
        assert!(ids(b"< \r\n >").is_empty());
        assert!(ids(b"").is_empty());
        assert!(ids(b">").is_empty());
        assert!(ids(b"\"quoted\"").is_empty());
        assert_eq!(parse_message_id(b"<a@b> <c@d>").as_deref(), Some("a@b"));
    }

    #[test]
    fn never_panics() {
        let s: &[u8] = b"<a(b\"c<d>\\\"(e)>\"\xff <x> (\"";
        for i in 0..=s.len() {
            let _ = parse_message_ids(&s[..i]);
            let _ = parse_message_ids(&s[i..]);
        }
    }
}
