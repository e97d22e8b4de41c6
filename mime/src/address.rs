//! Address lists (RFC 5322 §3.4, RFC 6854 groups in From/Sender, and the
//! obsolete syntax of §4.4).
//!
//! The parser never fails: it reads what is there the way mail clients do.
//! Tolerated: comments anywhere (a comment stands in for a missing display
//! name, as in `postmaster (The Postmaster)`), obsolete routes
//! (`<@relay:user@host>`, kept as given), CFWS around the dots of an
//! address, unterminated quotes, brackets and groups, empty list elements,
//! UUCP bang paths (`host!user`, kept as given), encoded words in display
//! names (also inside quotes and glued to other text), raw UTF-8 (RFC 6532).

use std::borrow::Cow;

use crate::charset;
use crate::encoded_word::{self, TextBuilder};

/// One element of an address list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Address<'a> {
    /// A single mailbox.
    Mailbox(Mailbox<'a>),
    /// A named group of mailboxes (`Team: a@x, b@y;`), possibly empty.
    Group(Group<'a>),
}

/// A mailbox: display name and address, either of which may be missing in
/// real mail.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Mailbox<'a> {
    /// The display name, decoded.
    pub name: Option<Cow<'a, str>>,
    /// The address (`local@domain`, or whatever stood in its place).
    pub address: Option<Cow<'a, str>>,
}

/// A group (RFC 5322 §3.4, RFC 6854).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Group<'a> {
    /// The group's display name, decoded.
    pub name: Option<Cow<'a, str>>,
    /// The members, possibly none (`undisclosed-recipients:;`).
    pub members: Vec<Mailbox<'a>>,
}

impl<'a> Address<'a> {
    /// Every mailbox of the list, each with the name of its group (if any).
    pub fn flatten<'s>(
        list: &'s [Address<'a>],
    ) -> impl Iterator<Item = (Option<&'s str>, &'s Mailbox<'a>)> + 's {
        list.iter().flat_map(|a| {
            let (group, members): (Option<&str>, &[Mailbox<'a>]) = match a {
                Address::Mailbox(m) => (None, std::slice::from_ref(m)),
                Address::Group(g) => (g.name.as_deref(), &g.members),
            };
            members.iter().map(move |m| (group, m))
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Atom,
    Quoted,
    Comment,
    Literal,
    Special(u8),
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    /// Span in the input; for Quoted/Comment, the content without delimiters.
    start: usize,
    end: usize,
    space_before: bool,
}

fn tokenize(s: &[u8]) -> Vec<Token> {
    let mut out = Vec::with_capacity(s.len() / 4 + 4);
    let mut i = 0;
    let mut space = false;
    while i < s.len() {
        let b = s[i];
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                space = true;
                i += 1;
                continue;
            }
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < s.len() && s[i] != b'"' {
                    i += if s[i] == b'\\' { 2 } else { 1 };
                }
                let end = i.min(s.len());
                out.push(Token { kind: Kind::Quoted, start, end, space_before: space });
                i = (i + 1).min(s.len());
            }
            b'(' => {
                let start = i + 1;
                let mut depth = 0usize;
                let mut end = s.len();
                while i < s.len() {
                    match s[i] {
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                end = i;
                                break;
                            }
                        }
                        b'\\' => i += 1,
                        _ => {}
                    }
                    i += 1;
                }
                let end = end.min(s.len());
                out.push(Token { kind: Kind::Comment, start, end, space_before: space });
                i = (i + 1).min(s.len());
            }
            b'[' => {
                let start = i;
                while i < s.len() && s[i] != b']' {
                    i += 1;
                }
                i = (i + 1).min(s.len());
                out.push(Token { kind: Kind::Literal, start, end: i, space_before: space });
            }
            b'<' | b'>' | b':' | b';' | b'@' | b',' | b'.' => {
                out.push(Token { kind: Kind::Special(b), start: i, end: i + 1, space_before: space });
                i += 1;
            }
            b')' | b']' => {
                // Stray closers: not part of anything.
                i += 1;
                continue;
            }
            _ => {
                let start = i;
                while i < s.len() && !is_special(s[i]) {
                    if s[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let end = i.min(s.len());
                i = end;
                out.push(Token { kind: Kind::Atom, start, end, space_before: space });
            }
        }
        space = false;
    }
    out
}

fn is_special(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'"'
            | b'('
            | b')'
            | b'['
            | b'<'
            | b'>'
            | b':'
            | b';'
            | b'@'
            | b','
            | b'.'
    )
}

/// Parses an address list. Never fails; an empty or blank value gives an
/// empty list.
///
/// ```
/// use mailwire_mime::{parse_address_list, Address};
/// let list = parse_address_list(b"\"Doe, John\" <john@example.com>, Team: a@x.test, b@y.test;");
/// let Address::Mailbox(john) = &list[0] else { panic!() };
/// assert_eq!(john.name.as_deref(), Some("Doe, John"));
/// assert_eq!(john.address.as_deref(), Some("john@example.com"));
/// let Address::Group(team) = &list[1] else { panic!() };
/// assert_eq!(team.name.as_deref(), Some("Team"));
/// assert_eq!(team.members.len(), 2);
/// ```
pub fn parse_address_list(raw: &[u8]) -> Vec<Address<'_>> {
    let tokens = tokenize(raw);
    let mut out = Vec::new();
    let mut group: Option<Group<'_>> = None;
    // The current mailbox is the run of tokens since the last separator.
    let mut cur = 0;
    let mut in_angle = false;
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            Kind::Special(b'<') if !in_angle => in_angle = true,
            Kind::Special(b'>') if in_angle => in_angle = false,
            Kind::Special(b':') if !in_angle && starts_group(&tokens[cur..i], group.is_some()) => {
                // A second group whose predecessor lacked its `;` closes it.
                if let Some(g) = group.take() {
                    out.push(Address::Group(g));
                }
                let (phrase, comments) = phrase_and_comments(raw, &tokens[cur..i]);
                let name = phrase.or(comments);
                group = Some(Group { name, members: Vec::new() });
                cur = i + 1;
            }
            Kind::Special(b',') if !in_angle => {
                push_mailbox(raw, &tokens[cur..i], &mut group, &mut out);
                cur = i + 1;
            }
            Kind::Special(b';') if !in_angle || group.is_some() => {
                in_angle = false;
                push_mailbox(raw, &tokens[cur..i], &mut group, &mut out);
                cur = i + 1;
                if let Some(g) = group.take() {
                    out.push(Address::Group(g));
                }
            }
            _ => {}
        }
    }
    push_mailbox(raw, &tokens[cur..], &mut group, &mut out);
    if let Some(g) = group.take() {
        out.push(Address::Group(g));
    }
    // `:;` alone names nobody and nothing.
    out.retain(|a| !matches!(a, Address::Group(g) if g.name.is_none() && g.members.is_empty()));
    out
}

/// Whether a `:` after these tokens opens a group: a display name (or a
/// comment standing for one) without `@`, or nothing at all outside a group
/// (`: a@b;`, a group without a name).
fn starts_group(tokens: &[Token], in_group: bool) -> bool {
    let named = tokens.iter().any(|t| matches!(t.kind, Kind::Atom | Kind::Quoted | Kind::Comment));
    let has_at = tokens.iter().any(|t| t.kind == Kind::Special(b'@'));
    match in_group {
        false => named || tokens.is_empty(),
        true => named && !has_at,
    }
}

fn push_mailbox<'a>(raw: &'a [u8], cur: &[Token], group: &mut Option<Group<'a>>, out: &mut Vec<Address<'a>>) {
    if cur.is_empty() {
        return;
    }
    let mb = build_mailbox(raw, cur);
    if mb.name.is_none() && mb.address.is_none() {
        return;
    }
    match group {
        Some(g) => g.members.push(mb),
        None => out.push(Address::Mailbox(mb)),
    }
}

fn build_mailbox<'a>(raw: &'a [u8], tokens: &[Token]) -> Mailbox<'a> {
    let open = tokens.iter().position(|t| t.kind == Kind::Special(b'<'));
    if let Some(open) = open {
        let close = tokens[open..]
            .iter()
            .position(|t| t.kind == Kind::Special(b'>'))
            .map(|c| open + c)
            .unwrap_or(tokens.len());
        let pre = &tokens[..open];
        let inside = &tokens[open + 1..close];
        let post = tokens.get(close + 1..).unwrap_or(&[]);
        let address = addr_spec(raw, inside);
        let (phrase, pre_comments) = phrase_and_comments(raw, pre);
        // The usual case, `Name <addr>`, stops here.
        let name = phrase.or(pre_comments).or_else(|| {
            let (in_words, in_comments) = phrase_and_comments(raw, inside);
            in_comments
                .or_else(|| {
                    let (w, c) = phrase_and_comments(raw, post);
                    w.or(c)
                })
                .or(if address.is_none() { in_words } else { None })
        });
        return Mailbox { name, address };
    }
    let has_at = tokens.iter().any(|t| t.kind == Kind::Special(b'@'));
    let (phrase, comments) = phrase_and_comments(raw, tokens);
    let words = tokens.iter().filter(|t| matches!(t.kind, Kind::Atom | Kind::Quoted)).count();
    let bang = tokens.iter().any(|t| t.kind == Kind::Atom && raw[t.start..t.end].contains(&b'!'));
    if has_at || (words == 1 && (comments.is_some() || bang)) {
        return Mailbox { name: comments, address: addr_spec(raw, tokens) };
    }
    Mailbox { name: phrase.or(comments), address: None }
}

/// The address from the tokens of an addr-spec: comments dropped, words and
/// specials joined, a space kept between two words that had one.
fn addr_spec<'a>(raw: &'a [u8], tokens: &[Token]) -> Option<Cow<'a, str>> {
    let filtered: Vec<Token>;
    let parts: &[Token] = if tokens.iter().any(|t| t.kind == Kind::Comment) {
        filtered = tokens.iter().copied().filter(|t| t.kind != Kind::Comment).collect();
        &filtered
    } else {
        tokens
    };
    let (first, last) = (parts.first()?, parts.last()?);
    let contiguous =
        parts.windows(2).all(|w| w[0].end == w[1].start) && parts.iter().all(|t| t.kind != Kind::Quoted);
    if contiguous {
        let span = &raw[first.start..last.end];
        return Some(match std::str::from_utf8(span) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => charset::decode_fallback(span).0.into_owned().into(),
        });
    }
    let mut s = String::new();
    let mut prev_word = false;
    for t in parts {
        let is_word = matches!(t.kind, Kind::Atom | Kind::Quoted | Kind::Literal);
        if is_word && prev_word && t.space_before {
            s.push(' ');
        }
        match t.kind {
            Kind::Quoted => {
                // Kept in wire form: `"x\"y"@host` is one address, and
                // `"x"y"@host` would be another (Python agrees).
                s.push('"');
                for c in unescape(&raw[t.start..t.end]).chars() {
                    if c == '"' || c == '\\' {
                        s.push('\\');
                    }
                    s.push(c);
                }
                s.push('"');
            }
            _ => s.push_str(&charset::decode_fallback(&raw[t.start..t.end]).0),
        }
        prev_word = is_word;
    }
    (!s.is_empty()).then_some(Cow::Owned(s))
}

/// The display phrase (words, encoded words decoded) and the comments
/// (joined by spaces), each `None` when absent.
fn phrase_and_comments<'a>(raw: &'a [u8], tokens: &[Token]) -> (Option<Cow<'a, str>>, Option<Cow<'a, str>>) {
    let is_word = |t: &Token| !matches!(t.kind, Kind::Comment | Kind::Special(b'<') | Kind::Special(b'>'));
    let filtered: Vec<Token>;
    let words: &[Token] = if tokens.iter().all(is_word) {
        tokens
    } else {
        filtered = tokens.iter().copied().filter(is_word).collect();
        &filtered
    };
    let phrase = if words.is_empty() { None } else { Some(phrase_text(raw, words)) };
    let mut comments: Option<Cow<'a, str>> = None;
    for t in tokens.iter().filter(|t| t.kind == Kind::Comment) {
        let text = comment_text(&raw[t.start..t.end]);
        if text.is_empty() {
            continue;
        }
        comments = Some(match comments {
            None => text,
            Some(c) => Cow::Owned(format!("{c} {text}")),
        });
    }
    (phrase.filter(|p| !p.is_empty() || words.iter().any(|t| t.kind == Kind::Quoted)), comments)
}

fn phrase_text<'a>(raw: &'a [u8], words: &[Token]) -> Cow<'a, str> {
    // Zero-copy when the phrase is plain atoms separated by single spaces,
    // or one quoted string without escapes.
    if let [t] = words {
        if t.kind == Kind::Quoted {
            let inner = &raw[t.start..t.end];
            if !inner.iter().any(|&b| matches!(b, b'\\' | b'\r' | b'\n'))
                && memchr::memmem::find(inner, b"=?").is_none()
            {
                if let Ok(s) = std::str::from_utf8(inner) {
                    return Cow::Borrowed(s);
                }
            }
        }
    }
    let (first, last) = (&words[0], &words[words.len() - 1]);
    if words.iter().all(|t| t.kind != Kind::Quoted) {
        let span = &raw[first.start..last.end];
        let simple = words
            .windows(2)
            .all(|w| w[1].start == w[0].end || (w[1].start == w[0].end + 1 && raw[w[0].end] == b' '))
            && memchr::memmem::find(span, b"=?").is_none()
            && !span.contains(&b'\\');
        if simple {
            if let Ok(s) = std::str::from_utf8(span) {
                return Cow::Borrowed(s);
            }
        }
    }
    let mut tb = TextBuilder::default();
    for (k, t) in words.iter().enumerate() {
        if k > 0 {
            if raw[words[k - 1].end..t.start].contains(&b'(') {
                // A comment between two words separates them, even two
                // encoded words (which plain whitespace would join).
                tb.push_str(" ");
            } else if t.space_before {
                tb.push_space(" ");
            }
        }
        let bytes = &raw[t.start..t.end];
        match t.kind {
            Kind::Quoted => {
                // Encoded words inside quotes (forbidden, common) join their
                // neighbours outside the quotes like any adjacent words.
                let text = unescape(bytes);
                match text.contains("=?") {
                    true => encoded_word::decode_into(&mut tb, text.as_bytes()),
                    false => tb.push_str(&text),
                }
            }
            Kind::Atom if memchr::memmem::find(bytes, b"=?").is_some() => {
                encoded_word::decode_into(&mut tb, bytes)
            }
            Kind::Atom => tb.push_str(&unescape(bytes)),
            _ => tb.push_literal(bytes),
        }
    }
    Cow::Owned(tb.finish())
}

fn comment_text(inner: &[u8]) -> Cow<'_, str> {
    let text = unescape(inner);
    let text = text.trim();
    if text.contains("=?") {
        let mut tb = TextBuilder::default();
        encoded_word::decode_into(&mut tb, text.as_bytes());
        Cow::Owned(tb.finish())
    } else {
        Cow::Owned(text.to_string())
    }
}

/// Removes backslash escapes and line breaks; decodes raw 8-bit.
fn unescape(b: &[u8]) -> Cow<'_, str> {
    if !b.iter().any(|&c| matches!(c, b'\\' | b'\r' | b'\n')) {
        return charset::decode_fallback(b).0;
    }
    let mut v = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if i + 1 < b.len() => {
                v.push(b[i + 1]);
                i += 2;
                continue;
            }
            b'\\' | b'\r' | b'\n' => {}
            c => v.push(c),
        }
        i += 1;
    }
    Cow::Owned(charset::decode_fallback(&v).0.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailboxes(raw: &str) -> Vec<(Option<String>, Option<String>, Option<String>)> {
        let list = parse_address_list(raw.as_bytes());
        Address::flatten(&list)
            .map(|(g, m)| {
                (
                    g.map(str::to_string),
                    m.name.as_deref().map(str::to_string),
                    m.address.as_deref().map(str::to_string),
                )
            })
            .collect()
    }

    fn s(x: &str) -> Option<String> {
        Some(x.to_string())
    }

    #[test]
    fn rfc5322_appendix_a() {
        assert_eq!(
            mailboxes("John Doe <jdoe@machine.example>"),
            [(None, s("John Doe"), s("jdoe@machine.example"))]
        );
        assert_eq!(
            mailboxes("\"Joe Q. Public\" <john.q.public@example.com>"),
            [(None, s("Joe Q. Public"), s("john.q.public@example.com"))]
        );
        assert_eq!(
            mailboxes("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>"),
            [
                (None, s("Mary Smith"), s("mary@x.test")),
                (None, None, s("jdoe@example.org")),
                (None, s("Who?"), s("one@y.test"))
            ]
        );
        assert_eq!(
            mailboxes("<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>"),
            [(None, None, s("boss@nil.test")), (None, s("Giant; \"Big\" Box"), s("sysservices@example.net"))]
        );
        assert_eq!(
            mailboxes("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;"),
            [
                (s("A Group"), s("Ed Jones"), s("c@a.test")),
                (s("A Group"), None, s("joe@where.test")),
                (s("A Group"), s("John"), s("jdoe@one.test"))
            ]
        );
        let list = parse_address_list(b"Undisclosed recipients:;");
        assert_eq!(
            list,
            [Address::Group(Group { name: Some("Undisclosed recipients".into()), members: vec![] })]
        );
        assert_eq!(
            mailboxes("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>"),
            [(None, s("Pete"), s("pete@silly.test"))]
        );
        assert_eq!(
            mailboxes("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example"),
            [(None, s("Mary Smith"), s("@node.test:mary@example.net")), (None, None, s("jdoe@test.example"))]
        );
    }

    #[test]
    fn obsolete_and_broken_forms() {
        assert_eq!(mailboxes("postmaster (The Postmaster)"), [(None, s("The Postmaster"), s("postmaster"))]);
        assert_eq!(mailboxes("john@example.com (John)"), [(None, s("John"), s("john@example.com"))]);
        assert_eq!(mailboxes("John Doe"), [(None, s("John Doe"), None)]);
        assert_eq!(mailboxes("uunet!host!user"), [(None, None, s("uunet!host!user"))]);
        assert_eq!(mailboxes("John <a@b.com"), [(None, s("John"), s("a@b.com"))]);
        assert_eq!(
            mailboxes("=?utf-8?q?caf=C3?= =?UTF-8?q?=A9?= <a@b.com>"),
            [(None, s("café"), s("a@b.com"))]
        );
        assert_eq!(
            mailboxes("\"=?ISO-8859-1?Q?a?= b\" <test@test.com>"),
            [(None, s("a b"), s("test@test.com"))]
        );
        assert_eq!(mailboxes("Jöhn <j@ex.test>"), [(None, s("Jöhn"), s("j@ex.test"))]);
        assert!(parse_address_list(b"  \r\n").is_empty());
        // Stray closers once looped forever (found by the robustness test).
        assert_eq!(mailboxes("a) <b@c>]"), [(None, s("a"), s("b@c"))]);
    }

    #[test]
    fn borrows_when_it_can() {
        let list = parse_address_list(b"John Doe <jdoe@machine.example>");
        let Address::Mailbox(m) = &list[0] else { panic!() };
        assert!(matches!(m.name, Some(Cow::Borrowed(_))));
        assert!(matches!(m.address, Some(Cow::Borrowed(_))));
    }
}
