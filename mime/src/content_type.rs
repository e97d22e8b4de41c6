//! `Content-Type` and `Content-Disposition` (RFC 2045, RFC 2183) with
//! RFC 2231 parameters: continuations (`name*0=`, `name*1*=`), charsets and
//! languages (`name*=utf-8'en'%E2%98%95`), in any order.
//!
//! Tolerated: comments anywhere, whitespace around `/`, `;` and `=`, empty
//! parameters, unquoted values containing spaces or `=`, folded quoted
//! strings, and RFC 2047 encoded words inside parameter values (which
//! RFC 2047 §5 forbids and every big mailer sends).

use std::borrow::Cow;

use crate::charset::{self, Charset};
use crate::encoded_word::{self, hex};

/// One parameter, with its RFC 2231 pieces joined and decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Param<'a> {
    /// The attribute name, lower case, without RFC 2231 `*` suffixes.
    pub name: Cow<'a, str>,
    /// The decoded value.
    pub value: Cow<'a, str>,
    /// The RFC 2231 language tag, if one was given.
    pub language: Option<Cow<'a, str>>,
}

/// A parsed `Content-Type` value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ContentType<'a> {
    main: Cow<'a, str>,
    sub: Option<Cow<'a, str>>,
    params: Vec<Param<'a>>,
}

impl<'a> ContentType<'a> {
    /// Builds a content type from lower-case parts, without parameters.
    pub fn new(main: &'a str, sub: &'a str) -> Self {
        ContentType { main: lower(main), sub: Some(lower(sub)), params: Vec::new() }
    }

    /// The same type with these parameters.
    pub fn with_params(mut self, params: Vec<Param<'a>>) -> Self {
        self.params = params;
        self
    }

    /// Takes the parameters out.
    pub fn into_params(self) -> Vec<Param<'a>> {
        self.params
    }

    /// The main type, lower case (`text`).
    pub fn main_type(&self) -> &str {
        &self.main
    }

    /// The subtype, lower case (`plain`); `None` when the field gave none.
    pub fn subtype(&self) -> Option<&str> {
        self.sub.as_deref()
    }

    /// `type/subtype`, lower case.
    pub fn mime_type(&self) -> String {
        match &self.sub {
            Some(sub) => format!("{}/{}", self.main, sub),
            None => self.main.to_string(),
        }
    }

    /// Whether this is `main/sub` (lower-case arguments).
    pub fn is(&self, main: &str, sub: &str) -> bool {
        self.main == main && self.sub.as_deref() == Some(sub)
    }

    /// Whether the main type is `main` (lower-case argument).
    pub fn is_main(&self, main: &str) -> bool {
        self.main == main
    }

    /// The parameters in order.
    pub fn params(&self) -> &[Param<'a>] {
        &self.params
    }

    /// The first parameter named `name` (lower-case argument).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|p| p.name == name).map(|p| &*p.value)
    }

    /// The `charset` parameter.
    pub fn charset(&self) -> Option<&str> {
        self.param("charset")
    }

    /// The `boundary` parameter.
    pub fn boundary(&self) -> Option<&str> {
        self.param("boundary")
    }
}

/// A parsed `Content-Disposition` value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ContentDisposition<'a> {
    kind: Cow<'a, str>,
    params: Vec<Param<'a>>,
}

impl<'a> ContentDisposition<'a> {
    /// The disposition type, lower case (`inline`, `attachment`, …).
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// Whether the type is `attachment`.
    pub fn is_attachment(&self) -> bool {
        self.kind == "attachment"
    }

    /// Whether the type is `inline`.
    pub fn is_inline(&self) -> bool {
        self.kind == "inline"
    }

    /// The parameters in order.
    pub fn params(&self) -> &[Param<'a>] {
        &self.params
    }

    /// The first parameter named `name` (lower-case argument).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|p| p.name == name).map(|p| &*p.value)
    }

    /// Takes the parameters out.
    pub fn into_params(self) -> Vec<Param<'a>> {
        self.params
    }

    /// The `filename` parameter.
    pub fn filename(&self) -> Option<&str> {
        self.param("filename")
    }
}

/// Parses a `Content-Type` value. `None` when there is no type at all.
///
/// ```
/// use mailwire_mime::parse_content_type;
/// let ct = parse_content_type(b" Text/Plain; charset=\"UTF-8\"; name*=utf-8''caf%C3%A9.txt").unwrap();
/// assert!(ct.is("text", "plain"));
/// assert_eq!(ct.charset(), Some("UTF-8"));
/// assert_eq!(ct.param("name"), Some("café.txt"));
/// ```
pub fn parse_content_type(raw: &[u8]) -> Option<ContentType<'_>> {
    let mut p = Cursor::new(raw);
    p.skip_cfws();
    let main = p.token(|b| b == b'/' || b == b';');
    if main.is_empty() {
        return None;
    }
    p.skip_cfws();
    let sub = if p.eat(b'/') {
        p.skip_cfws();
        let sub = p.token(|b| b == b';');
        (!sub.is_empty()).then(|| lower(text_of(p.text, sub)))
    } else {
        None
    };
    let params = parse_params(&mut p);
    Some(ContentType { main: lower(text_of(p.text, main)), sub, params })
}

/// Parses a `Content-Disposition` value. `None` when there is no type.
pub fn parse_content_disposition(raw: &[u8]) -> Option<ContentDisposition<'_>> {
    let mut p = Cursor::new(raw);
    p.skip_cfws();
    let kind = p.token(|b| b == b';');
    if kind.is_empty() {
        return None;
    }
    let params = parse_params(&mut p);
    Some(ContentDisposition { kind: lower(text_of(p.text, kind)), params })
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
    /// `s` as text when it is valid UTF-8 (nearly always): tokens are then
    /// sliced from it without validating each one again.
    text: Option<&'a str>,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a [u8]) -> Self {
        Cursor { s, i: 0, text: std::str::from_utf8(s).ok() }
    }
}

/// `part` (a sub-slice of the field value) as text.
fn text_of<'a>(text: Option<&'a str>, part: &'a [u8]) -> Cow<'a, str> {
    if let Some(t) = text {
        // Offsets within the value; token edges are ASCII, so on char
        // boundaries.
        let off = (part.as_ptr() as usize).wrapping_sub(t.as_ptr() as usize);
        if let Some(s) = off.checked_add(part.len()).and_then(|end| t.get(off..end)) {
            return Cow::Borrowed(s);
        }
    }
    charset::decode_fallback(part).0
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn skip_cfws(&mut self) {
        while let Some(b) = self.peek() {
            if b.is_ascii_whitespace() {
                self.i += 1;
            } else if b == b'(' {
                self.skip_comment();
            } else {
                break;
            }
        }
    }

    fn skip_comment(&mut self) {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            self.i += 1;
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                b'\\' => self.i += 1,
                _ => {}
            }
        }
        self.i = self.i.min(self.s.len());
    }

    /// A run of bytes up to whitespace, a comment or a stop byte.
    fn token(&mut self, stop: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.i;
        while let Some(b) = self.peek() {
            if b.is_ascii_whitespace() || b == b'(' || stop(b) {
                break;
            }
            self.i += 1;
        }
        &self.s[start..self.i]
    }
}

/// A parameter as written, before RFC 2231 assembly.
struct RawParam<'a> {
    name: &'a [u8],
    section: Option<u32>,
    extended: bool,
    value: Cow<'a, [u8]>,
}

fn parse_params<'a>(p: &mut Cursor<'a>) -> Vec<Param<'a>> {
    let mut raw: Vec<RawParam<'a>> = Vec::new();
    // Junk between the type and the first `;` is ignored, unless it is a
    // parameter whose `;` was forgotten (`multipart/mixed\r\n\tboundary=x`).
    p.skip_cfws();
    if !starts_attribute(&p.s[p.i..]) {
        skip_to_semicolon(p);
    }
    loop {
        p.skip_cfws();
        while p.eat(b';') {
            p.skip_cfws();
        }
        if p.peek().is_none() {
            break;
        }
        let name = p.token(|b| b == b'=' || b == b';');
        p.skip_cfws();
        if name.is_empty() || !p.eat(b'=') {
            skip_to_semicolon(p);
            continue;
        }
        p.skip_cfws();
        let (value, quoted) = match p.eat(b'"') {
            true => (quoted_value(p), true),
            false => (unquoted_value(p), false),
        };
        if value.is_empty() && !quoted {
            continue;
        }
        if raw.len() >= 256 {
            continue;
        }
        let (name, section, extended) = split_rfc2231_name(name);
        if name.is_empty() {
            continue;
        }
        raw.push(RawParam { name, section, extended, value });
    }
    assemble(raw, p.text)
}

fn skip_to_semicolon(p: &mut Cursor<'_>) {
    while let Some(b) = p.peek() {
        if b == b';' {
            break;
        }
        if b == b'(' {
            p.skip_comment();
        } else {
            p.i += 1;
        }
    }
}

/// Whether `rest` (just after whitespace) starts a new `attribute=`: real
/// mail omits the `;` between folded parameters.
fn starts_attribute(rest: &[u8]) -> bool {
    if rest.starts_with(b"=?") {
        return false;
    }
    let n = rest
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'*'))
        .count();
    n > 0 && rest.get(n) == Some(&b'=')
}

fn quoted_value<'a>(p: &mut Cursor<'a>) -> Cow<'a, [u8]> {
    let start = p.i;
    let mut owned: Option<Vec<u8>> = None;
    while let Some(b) = p.peek() {
        match b {
            b'"' => {
                let v = match owned {
                    Some(v) => Cow::Owned(v),
                    None => Cow::Borrowed(&p.s[start..p.i]),
                };
                p.i += 1;
                return v;
            }
            b'\\' | b'\r' | b'\n' => {
                let v = owned.get_or_insert_with(|| p.s[start..p.i].to_vec());
                p.i += 1;
                if b == b'\\' {
                    if let Some(c) = p.peek() {
                        v.push(c);
                        p.i += 1;
                    }
                }
            }
            _ => {
                if let Some(v) = owned.as_mut() {
                    v.push(b);
                }
                p.i += 1;
            }
        }
    }
    // Unterminated: the rest of the field.
    match owned {
        Some(v) => Cow::Owned(v),
        None => Cow::Borrowed(&p.s[start..]),
    }
}

fn unquoted_value<'a>(p: &mut Cursor<'a>) -> Cow<'a, [u8]> {
    let start = p.i;
    while let Some(b) = p.peek() {
        if b == b';' {
            break;
        }
        if b.is_ascii_whitespace() {
            let ws = p.s[p.i..].iter().take_while(|b| b.is_ascii_whitespace()).count();
            if starts_attribute(&p.s[p.i + ws..]) {
                break;
            }
        }
        p.i += 1;
    }
    let mut v = p.s[start..p.i].trim_ascii();
    // A trailing comment: `charset=us-ascii (Plain text)`.
    if v.ends_with(b")") {
        if let Some(open) = v.iter().position(|&b| b == b'(') {
            if open > 0 && v[open - 1].is_ascii_whitespace() {
                v = v[..open].trim_ascii_end();
            }
        }
    }
    if memchr::memchr2(b'\r', b'\n', v).is_some() {
        Cow::Owned(v.iter().copied().filter(|&b| b != b'\r' && b != b'\n').collect())
    } else {
        Cow::Borrowed(v)
    }
}

/// `name*2*` → (`name`, Some(2), true); `name*` → (`name`, Some(0), true).
fn split_rfc2231_name(name: &[u8]) -> (&[u8], Option<u32>, bool) {
    let (name, extended) = match name.strip_suffix(b"*") {
        Some(n) => (n, true),
        None => (name, false),
    };
    if let Some(star) = name.iter().rposition(|&b| b == b'*') {
        let digits = &name[star + 1..];
        if !digits.is_empty() && digits.len() <= 4 && digits.iter().all(u8::is_ascii_digit) {
            let n = digits.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
            return (&name[..star], Some(n), extended);
        }
    }
    // `name*=charset'lang'text` is a one-section extended value.
    (name, extended.then_some(0), extended)
}

fn assemble<'a>(raw: Vec<RawParam<'a>>, text: Option<&'a str>) -> Vec<Param<'a>> {
    // The common case: no RFC 2231 sections to join.
    if raw.iter().all(|r| r.section.is_none()) {
        return raw.iter().map(|r| simple_param(r, text)).collect();
    }
    let mut out: Vec<Param<'_>> = Vec::with_capacity(raw.len());
    let mut done = vec![false; raw.len()];
    for i in 0..raw.len() {
        if done[i] {
            continue;
        }
        let first = &raw[i];
        if first.section.is_none() {
            done[i] = true;
            out.push(simple_param(first, text));
            continue;
        }
        // Gather every section of this name.
        let mut sections: Vec<&RawParam<'_>> = Vec::new();
        for (j, r) in raw.iter().enumerate().skip(i) {
            if !done[j] && r.section.is_some() && r.name.eq_ignore_ascii_case(first.name) {
                done[j] = true;
                sections.push(r);
            }
        }
        sections.sort_by_key(|r| r.section);
        sections.dedup_by_key(|r| r.section);
        // Extended sections are percent-decoded and converted from the
        // charset; plain sections are literal text. RFC 2231 puts the
        // charset'language' prefix on the first section only; a prefix on a
        // later extended section (a common mistake) is recognised by its
        // known charset label and removed too.
        let mut value = String::new();
        let mut bytes = Vec::new();
        let mut cs: Option<Charset> = None;
        let mut language = None;
        for (k, s) in sections.iter().enumerate() {
            if s.extended {
                let mut v: &[u8] = &s.value;
                let (c, l, rest) = split_charset_language(v);
                if rest.len() < v.len() && (k == 0 || Charset::from_label(c).is_some()) {
                    if cs.is_none() {
                        cs = Charset::from_label(c);
                        language = l;
                    }
                    v = rest;
                }
                percent_decode_into(v, &mut bytes);
            } else {
                flush_bytes(&mut value, &mut bytes, cs);
                value.push_str(&charset::decode_fallback(&s.value).0);
            }
        }
        flush_bytes(&mut value, &mut bytes, cs);
        let value = Cow::Owned(value);
        out.push(Param { name: lower(text_of(text, first.name)), value, language });
    }
    out
}

fn flush_bytes(value: &mut String, bytes: &mut Vec<u8>, cs: Option<Charset>) {
    if bytes.is_empty() {
        return;
    }
    value.push_str(&charset::decode_or_fallback(cs, bytes).0);
    bytes.clear();
}

fn simple_param<'a>(r: &RawParam<'a>, text: Option<&'a str>) -> Param<'a> {
    let name = lower(text_of(text, r.name));
    let value: Cow<'a, str> = match &r.value {
        Cow::Borrowed(b) => text_of(text, b),
        Cow::Owned(v) => Cow::Owned(charset::decode_fallback(v).0.into_owned()),
    };
    let value = match encoded_word::decode_words_in(&value) {
        Cow::Borrowed(_) => value,
        Cow::Owned(s) => Cow::Owned(s),
    };
    Param { name, value, language: None }
}

/// `utf-8'en'rest` → (`utf-8`, Some(`en`), `rest`). Tolerates a missing
/// language part; without quotes the whole value is text.
fn split_charset_language(v: &[u8]) -> (&[u8], Option<Cow<'static, str>>, &[u8]) {
    let Some(q1) = memchr::memchr(b'\'', v) else {
        return (b"", None, v);
    };
    let after = &v[q1 + 1..];
    match memchr::memchr(b'\'', after) {
        // Only a language tag may stand between the quotes; otherwise the
        // second quote is text (`iso-8859-1' (version '99)`).
        Some(q2) if after[..q2].iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-') => {
            let lang = &after[..q2];
            let lang = (!lang.is_empty()).then(|| Cow::Owned(String::from_utf8_lossy(lang).into_owned()));
            (&v[..q1], lang, &after[q2 + 1..])
        }
        _ => (&v[..q1], None, after),
    }
}

fn percent_decode_into(v: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < v.len() {
        if v[i] == b'%' {
            if let (Some(h), Some(l)) =
                (v.get(i + 1).copied().and_then(hex), v.get(i + 2).copied().and_then(hex))
            {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(v[i]);
        i += 1;
    }
}

fn lower<'a>(s: impl Into<Cow<'a, str>>) -> Cow<'a, str> {
    let s = s.into();
    if s.bytes().any(|b| b.is_ascii_uppercase()) { Cow::Owned(s.to_ascii_lowercase()) } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2045_and_comments() {
        let ct = parse_content_type(b" text/plain; charset =us-ascii (Plain text)").unwrap();
        assert!(ct.is("text", "plain"));
        assert_eq!(ct.charset(), Some("us-ascii"));
        let ct = parse_content_type(b"(hello) text (plain) / (world) plain (eod); charset=x").unwrap();
        assert!(ct.is("text", "plain"));
        assert_eq!(ct.charset(), Some("x"));
        let ct = parse_content_type(b"multipart/mixed; boundary=\"foo\r\n bar\"").unwrap();
        assert_eq!(ct.boundary(), Some("foo bar"));
        assert!(parse_content_type(b"/invalid").is_none());
        assert!(parse_content_type(b";charset=x").is_none());
    }

    #[test]
    fn rfc2231_examples() {
        let ct = parse_content_type(
            b"application/x-stuff;\r\n title*0*=us-ascii'en'This%20is%20even%20more%20\r\n title*1*=%2A%2A%2Afun%2A%2A%2A%20\r\n title*2=\"isn't it!\"",
        )
        .unwrap();
        assert_eq!(ct.param("title"), Some("This is even more ***fun*** isn't it!"));
        assert_eq!(ct.params()[0].language.as_deref(), Some("en"));
        let ct = parse_content_type(b"text/plain; name*1*=%A9.txt; name*0*=utf-8''caf%C3").unwrap();
        assert_eq!(ct.param("name"), Some("café.txt"));
        let cd = parse_content_disposition(b"attachment; filename*=iso-8859-1'es'%D1and%FA").unwrap();
        assert!(cd.is_attachment());
        assert_eq!(cd.filename(), Some("Ñandú"));
    }

    #[test]
    fn encoded_words_in_params() {
        let ct = parse_content_type(b"image/jpeg; name==?iso-8859-1?B?4Q==?= =?utf-8?B?w6k=?=.jpeg").unwrap();
        assert_eq!(ct.param("name"), Some("áé.jpeg"));
        let ct = parse_content_type(b"image/png; name=\"=?utf-8?q?caf=C3=A9?=.png\"").unwrap();
        assert_eq!(ct.param("name"), Some("café.png"));
    }
}
