//! Message IDs as threading compares them: the `<…>` tokens of a
//! `Message-ID:`, `In-Reply-To:` or `References:` value, normalised so that
//! quoting does not hide a match (RFC 5256 §3: `<"01KF8J"@x>` and
//! `<01KF8J@x>` are the same ID), and compared case-sensitively.
//!
//! A *valid* ID has the form `<left@right>`; whatever is not (phrases in
//! `In-Reply-To:`, empty brackets, a bracket without `@`) is skipped, as
//! RFC 5256 asks ("the first valid Message ID").
//!
//! ```
//! use mailwire_threading::msgid::{first_id, ids};
//!
//! let refs: Vec<_> = ids("<a@x> (comment) \"phrase\" <\"b c\"@y>\r\n <bad> <d@z>").collect();
//! assert_eq!(refs, ["a@x", "b c@y", "d@z"]);
//! assert_eq!(first_id("Your message of Monday <m1@host>").as_deref(), Some("m1@host"));
//! assert_eq!(first_id("no id here"), None);
//! ```

use std::borrow::Cow;

/// The valid message IDs of a header value, in order, normalised and
/// without brackets.
pub fn ids(value: &str) -> impl Iterator<Item = Cow<'_, str>> {
    let mut at = 0;
    std::iter::from_fn(move || next_id(value, &mut at))
}

/// The first valid message ID of a header value.
pub fn first_id(value: &str) -> Option<Cow<'_, str>> {
    next_id(value, &mut 0)
}

/// The next valid `<left@right>` at or after `*at`.
fn next_id<'a>(value: &'a str, at: &mut usize) -> Option<Cow<'a, str>> {
    let bytes = value.as_bytes();
    while *at < bytes.len() {
        // Jump to the next byte that matters.
        match memchr::memchr3(b'(', b'"', b'<', &bytes[*at..]) {
            None => {
                *at = bytes.len();
                return None;
            }
            Some(k) => *at += k,
        }
        match bytes[*at] {
            b'(' => *at = skip_comment(bytes, *at),
            b'"' => *at = skip_quoted(bytes, *at),
            _ => {
                let (id, next) = bracketed(value, *at);
                *at = next;
                if id.is_some() {
                    return id;
                }
            }
        }
    }
    None
}

/// The ID whose `<` is at `open`, if valid, and where to go on: one pass
/// that finds the `>`, the last `@` and whether anything needs the slow
/// path (a stray `<` restarts the ID after it).
fn bracketed(value: &str, open: usize) -> (Option<Cow<'_, str>>, usize) {
    let bytes = value.as_bytes();
    let mut start = open + 1;
    let mut at_sign = None;
    let mut special = false;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => {
                if special {
                    return normalized(value, start);
                }
                let ok = at_sign.is_some_and(|a| a > start && a + 1 < i);
                return (ok.then(|| Cow::Borrowed(&value[start..i])), i + 1);
            }
            b'<' => {
                start = i + 1;
                at_sign = None;
                special = false;
            }
            b'@' => at_sign = Some(i),
            b'"' | b'(' | b' ' | b'\t' | b'\r' | b'\n' | b'\\' => special = true,
            _ => {}
        }
        i += 1;
    }
    (None, bytes.len())
}

/// The slow path: quoted strings unquoted, comments and white space
/// dropped (the obsolete `<1234 @ local(blah) .machine .example>`).
fn normalized(value: &str, start: usize) -> (Option<Cow<'_, str>>, usize) {
    let bytes = value.as_bytes();
    let mut out = String::new();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => {
                let ok = valid(&out);
                return (ok.then_some(Cow::Owned(out)), i + 1);
            }
            b'(' => i = skip_comment(bytes, i),
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' && i + 1 < bytes.len() {
                        i += 1;
                    }
                    let c = value[i..].chars().next().unwrap_or(' ');
                    out.push(c);
                    i += c.len_utf8();
                }
                i += 1;
            }
            _ => {
                let c = value[i..].chars().next().unwrap_or(' ');
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    (None, bytes.len())
}

/// `left@right`, both sides non-empty.
fn valid(id: &str) -> bool {
    match id.rfind('@') {
        Some(at) => at > 0 && at + 1 < id.len(),
        None => false,
    }
}

fn skip_comment(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

fn skip_quoted(bytes: &[u8], open: usize) -> usize {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'"' => return i + 1,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(v: &str) -> Vec<String> {
        ids(v).map(Cow::into_owned).collect()
    }

    #[test]
    fn normalisation() {
        assert_eq!(all("<\"01KF8JCEOCBS0045PS\"@xxx.yyy.com>"), ["01KF8JCEOCBS0045PS@xxx.yyy.com"]);
        assert_eq!(all("<1234 @ local(blah) .machine .example>"), ["1234@local.machine.example"]);
        assert_eq!(all("<\"a\\\"b\"@x>"), ["a\"b@x"]);
        assert_eq!(all("<a@b> <A@B>"), ["a@b", "A@B"]);
    }

    #[test]
    fn invalid_ids_are_skipped() {
        assert_eq!(all("<> <nobrackets> <@x> <x@> <ok@x>"), ["ok@x"]);
        assert_eq!(all("<unclosed@x"), Vec::<String>::new());
        assert_eq!(all("<a<b@c>"), ["b@c"]);
        assert_eq!(all("\"<in@quotes>\" (<in@comment>) <real@x>"), ["real@x"]);
        assert_eq!(all("(unclosed <a@b>"), Vec::<String>::new());
    }

    #[test]
    fn borrowed_on_the_fast_path() {
        assert!(matches!(first_id(" <m@h>"), Some(Cow::Borrowed("m@h"))));
    }
}
