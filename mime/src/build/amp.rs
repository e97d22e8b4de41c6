//! Checking AMP for Email documents, the `text/x-amp-html` part of a message.
//!
//! [`check_amp`] holds a document against the required markup of the AMP for
//! Email format (amp.dev, "AMP for Email format") before it goes into a
//! message. A document must:
//!
//! - start with `<!doctype html>` (case-insensitive; whitespace and a BOM may
//!   precede it);
//! - have an `<html>` start tag carrying `⚡4email` or `amp4email`;
//! - have `<head>` (before `<body>`) and `<body>`, and end its body with
//!   `</body>`, so that a truncated document is caught;
//! - have `<meta charset="utf-8">` as the first child of `<head>`;
//! - load the AMP runtime in `<head>`:
//!   `<script async src="https://cdn.ampproject.org/v0.js"></script>`;
//! - hide itself until the runtime runs, in `<head>`:
//!   `<style amp4email-boilerplate>body{visibility:hidden}</style>`;
//! - load every other script from `https://cdn.ampproject.org/`: custom
//!   JavaScript is forbidden (inline `<script type="application/json">`, the
//!   data of `<amp-state>`, is allowed);
//! - keep at most one `<style amp-custom>`, of at most
//!   [`AmpLimits::max_css_bytes`], and stay within
//!   [`AmpLimits::max_document_bytes`] in all.
//!
//! This is a structural check, not the AMP validator: it does not check which
//! tags, attributes and CSS properties are allowed. The scanner skips
//! `<!-- comments -->`, reads `<script>`, `<style>`, `<title>` and
//! `<textarea>` content as text, runs in linear time and never panics.
//!
//! ```
//! use mailwire_mime::build::amp::check_amp;
//!
//! let doc = r#"<!doctype html>
//! <html ⚡4email>
//! <head>
//! <meta charset="utf-8">
//! <script async src="https://cdn.ampproject.org/v0.js"></script>
//! <style amp4email-boilerplate>body{visibility:hidden}</style>
//! </head>
//! <body>Hello, world.</body>
//! </html>"#;
//! assert_eq!(check_amp(doc), Ok(()));
//! assert!(check_amp("<!doctype html><html><body>Hi</body></html>").is_err());
//! ```

use memchr::{memchr, memmem};
use std::fmt;

/// Where every script of an AMP email must come from.
const CDN: &str = "https://cdn.ampproject.org/";
/// The content of `<style amp4email-boilerplate>`, give or take whitespace and a `;`.
const BOILERPLATE: &str = "body{visibility:hidden}";
/// Elements whose content is text, not markup.
const RAW_TEXT: [&[u8]; 4] = [b"script", b"style", b"title", b"textarea"];

/// Size limits for an AMP document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmpLimits {
    /// Largest document in bytes; default 200,000 (Gmail's limit on the AMP MIME part).
    pub max_document_bytes: usize,
    /// Largest `<style amp-custom>` content in bytes; default 75,000, the AMP for Email limit.
    pub max_css_bytes: usize,
}

impl Default for AmpLimits {
    fn default() -> Self {
        AmpLimits { max_document_bytes: 200_000, max_css_bytes: 75_000 }
    }
}

/// What is wrong with an AMP document. Offsets are byte offsets of a tag's `<`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AmpError {
    /// The document is larger than [`AmpLimits::max_document_bytes`].
    DocumentTooLarge {
        /// Size of the document in bytes.
        size: usize,
        /// The limit it exceeds.
        limit: usize,
    },
    /// The document does not start with `<!doctype html>`.
    MissingDoctype,
    /// There is no `<html>` start tag.
    MissingHtml,
    /// The `<html>` tag has neither `⚡4email` nor `amp4email`.
    NotAmp4Email {
        /// Offset of the `<html>` tag.
        offset: usize,
    },
    /// There is no `<head>` start tag before `<body>`.
    MissingHead,
    /// `<head>` has no `<meta charset="utf-8">`.
    MissingCharset,
    /// `<meta charset="utf-8">` is in `<head>` but not its first child.
    CharsetNotFirst {
        /// Offset of the `<meta>` tag.
        offset: usize,
    },
    /// `<head>` does not load the AMP runtime `https://cdn.ampproject.org/v0.js` with `async`.
    MissingRuntime,
    /// `<head>` has no `<style amp4email-boilerplate>`.
    MissingBoilerplate,
    /// The `<style amp4email-boilerplate>` holds something else than `body{visibility:hidden}`.
    BadBoilerplate {
        /// Offset of the `<style>` tag.
        offset: usize,
    },
    /// There is no `<body>` start tag.
    MissingBody,
    /// The body is never closed by `</body>`: the document is likely truncated.
    UnclosedBody,
    /// A `<script>` does not load from `https://cdn.ampproject.org/`.
    CustomScript {
        /// Offset of the `<script>` tag.
        offset: usize,
    },
    /// A second `<style amp-custom>`; only one is allowed.
    DuplicateAmpCustom {
        /// Offset of the second `<style>` tag.
        offset: usize,
    },
    /// The `<style amp-custom>` content is larger than [`AmpLimits::max_css_bytes`].
    CssTooLarge {
        /// Size of the CSS in bytes.
        size: usize,
        /// The limit it exceeds.
        limit: usize,
    },
}

impl fmt::Display for AmpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use AmpError::*;
        match self {
            DocumentTooLarge { size, limit } => write!(f, "AMP document is {size} bytes, limit {limit}"),
            MissingDoctype => f.write_str("AMP document does not start with `<!doctype html>`"),
            MissingHtml => f.write_str("AMP document has no `<html ⚡4email>` tag"),
            NotAmp4Email { offset } => write!(f, "`<html>` at byte {offset} lacks `⚡4email` or `amp4email`"),
            MissingHead => f.write_str("AMP document has no `<head>` before `<body>`"),
            MissingCharset => f.write_str("AMP `<head>` has no `<meta charset=\"utf-8\">`"),
            CharsetNotFirst { offset } => {
                write!(f, "`<meta charset>` at byte {offset} is not first in `<head>`")
            }
            MissingRuntime => write!(f, "AMP `<head>` lacks the runtime `<script async src=\"{CDN}v0.js\">`"),
            MissingBoilerplate => {
                write!(f, "AMP `<head>` lacks `<style amp4email-boilerplate>{BOILERPLATE}`")
            }
            BadBoilerplate { offset } => write!(f, "boilerplate at byte {offset} is not `{BOILERPLATE}`"),
            MissingBody => f.write_str("AMP document has no `<body>`"),
            UnclosedBody => f.write_str("AMP document has no `</body>`; is it truncated?"),
            CustomScript { offset } => write!(f, "custom script at byte {offset}: only {CDN} is allowed"),
            DuplicateAmpCustom { offset } => write!(f, "a second `<style amp-custom>` at byte {offset}"),
            CssTooLarge { size, limit } => write!(f, "`<style amp-custom>` is {size} bytes, limit {limit}"),
        }
    }
}

impl std::error::Error for AmpError {}

/// Checks an AMP for Email document with [`AmpLimits::default`].
pub fn check_amp(doc: &str) -> Result<(), AmpError> {
    check_amp_with(doc, &AmpLimits::default())
}

/// Checks an AMP for Email document against the required markup and `limits`.
///
/// The first problem found is returned: the document size, the doctype, then
/// problems at a tag in document order, then markers missing at the end.
pub fn check_amp_with(doc: &str, limits: &AmpLimits) -> Result<(), AmpError> {
    if doc.len() > limits.max_document_bytes {
        return Err(AmpError::DocumentTooLarge { size: doc.len(), limit: limits.max_document_bytes });
    }
    if !starts_with_doctype(doc.as_bytes()) {
        return Err(AmpError::MissingDoctype);
    }
    let mut seen = Seen::default();
    let mut scanner = Scanner { doc: doc.as_bytes(), pos: 0, attrs: Vec::new() };
    while let Some(token) = scanner.next_token() {
        match token {
            Token::Start(tag) => seen.start(&tag, &scanner.attrs, limits)?,
            Token::End(name) => seen.end(name),
        }
    }
    seen.finish()
}

/// `<!doctype html>` after an optional BOM and whitespace.
fn starts_with_doctype(doc: &[u8]) -> bool {
    let doc = doc.strip_prefix("\u{feff}".as_bytes()).unwrap_or(doc).trim_ascii_start();
    let Some(rest) = strip_prefix_ci(doc, b"<!doctype") else { return false };
    let html = rest.trim_ascii_start();
    html.len() < rest.len()
        && strip_prefix_ci(html, b"html").is_some_and(|end| end.trim_ascii_start().starts_with(b">"))
}

fn strip_prefix_ci<'a>(s: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let (head, tail) = s.split_at_checked(prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then_some(tail)
}

/// Whether the CSS matches `\s*body\s*{\s*visibility:\s*hidden;?\s*}\s*`, as the AMP validator asks.
fn is_boilerplate(css: &[u8]) -> bool {
    let mut rest = css;
    for token in ["body", "{", "visibility:", "hidden", ";", "}"] {
        let trimmed = if token == ";" { rest } else { rest.trim_ascii_start() };
        match trimmed.strip_prefix(token.as_bytes()) {
            Some(after) => rest = after,
            None if token == ";" => {}
            None => return false,
        }
    }
    rest.trim_ascii().is_empty()
}

/// One attribute: its name (compared ignoring ASCII case) and raw value (`None` when bare).
type Attr<'a> = (&'a [u8], Option<&'a [u8]>);

fn attr<'a>(attrs: &[Attr<'a>], name: &str) -> Option<&'a [u8]> {
    attrs.iter().find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes())).map(|(_, v)| v.unwrap_or(b""))
}

/// The markers found so far.
#[derive(Debug, Default)]
struct Seen {
    html: bool,
    in_head: bool,
    head: bool,
    body: bool,
    body_closed: bool,
    first_in_head: Option<usize>,
    charset: Option<usize>,
    runtime: bool,
    boilerplate: bool,
    amp_custom: bool,
}

impl Seen {
    fn start(&mut self, tag: &Tag<'_>, attrs: &[Attr<'_>], limits: &AmpLimits) -> Result<(), AmpError> {
        let &Tag { offset, name, text } = tag;
        let is = |t: &str| name.eq_ignore_ascii_case(t.as_bytes());
        let has = |a: &str| attr(attrs, a).is_some();
        let in_head = self.in_head;
        if in_head && self.first_in_head.is_none() {
            self.first_in_head = Some(offset);
        }
        if is("html") && !self.html {
            self.html = true;
            if !has("⚡4email") && !has("amp4email") {
                return Err(AmpError::NotAmp4Email { offset });
            }
        } else if is("head") && !self.head && !self.body {
            (self.in_head, self.head) = (true, true);
        } else if is("body") && !self.body {
            (self.in_head, self.body) = (false, true);
        } else if is("meta") && in_head && self.charset.is_none() {
            if attr(attrs, "charset").is_some_and(|v| v.trim_ascii().eq_ignore_ascii_case(b"utf-8")) {
                self.charset = Some(offset);
            }
        } else if is("script") {
            match attr(attrs, "src").map(<[u8]>::trim_ascii) {
                Some(src) => match strip_prefix_ci(src, CDN.as_bytes()) {
                    Some(path) => self.runtime |= in_head && path == b"v0.js" && has("async"),
                    None => return Err(AmpError::CustomScript { offset }),
                },
                None if attr(attrs, "type")
                    .is_some_and(|t| t.trim_ascii().eq_ignore_ascii_case(b"application/json")) => {}
                None => return Err(AmpError::CustomScript { offset }),
            }
        } else if is("style") {
            if has("amp4email-boilerplate") && in_head {
                if !is_boilerplate(text) {
                    return Err(AmpError::BadBoilerplate { offset });
                }
                self.boilerplate = true;
            }
            if has("amp-custom") {
                if self.amp_custom {
                    return Err(AmpError::DuplicateAmpCustom { offset });
                }
                self.amp_custom = true;
                if text.len() > limits.max_css_bytes {
                    return Err(AmpError::CssTooLarge { size: text.len(), limit: limits.max_css_bytes });
                }
            }
        }
        Ok(())
    }

    fn end(&mut self, name: &[u8]) {
        if name.eq_ignore_ascii_case(b"head") {
            self.in_head = false;
        } else if name.eq_ignore_ascii_case(b"body") {
            self.body_closed |= self.body;
        }
    }

    fn finish(self) -> Result<(), AmpError> {
        let charset = AmpError::CharsetNotFirst { offset: self.charset.unwrap_or(0) };
        let checks = [
            (self.html, AmpError::MissingHtml),
            (self.head, AmpError::MissingHead),
            (self.charset.is_some(), AmpError::MissingCharset),
            (self.charset == self.first_in_head, charset),
            (self.runtime, AmpError::MissingRuntime),
            (self.boilerplate, AmpError::MissingBoilerplate),
            (self.body, AmpError::MissingBody),
            (self.body_closed, AmpError::UnclosedBody),
        ];
        checks.into_iter().find(|(ok, _)| !ok).map_or(Ok(()), |(_, err)| Err(err))
    }
}

/// A start tag, its attributes left in [`Scanner::attrs`].
struct Tag<'a> {
    offset: usize,
    name: &'a [u8],
    /// The content of a raw-text element (`<script>`, `<style>`...), empty for the others.
    text: &'a [u8],
}

/// What the [`Scanner`] finds.
enum Token<'a> {
    /// A start tag.
    Start(Tag<'a>),
    /// An end tag, by name.
    End(&'a [u8]),
}

/// A forward-only tag scanner; every byte is looked at a bounded number of times.
struct Scanner<'a> {
    doc: &'a [u8],
    pos: usize,
    attrs: Vec<Attr<'a>>,
}

fn ends_name(b: u8) -> bool {
    b.is_ascii_whitespace() || b == b'/' || b == b'>'
}

impl<'a> Scanner<'a> {
    /// The next tag, or `None` at the end of the document or inside an unterminated tag.
    fn next_token(&mut self) -> Option<Token<'a>> {
        let doc = self.doc;
        loop {
            let lt = self.pos + memchr(b'<', doc.get(self.pos..)?)?;
            let rest = doc.get(lt..)?;
            let second = rest.get(1).copied();
            if rest.starts_with(b"<!--") {
                // `<!-->` and `<!--->` are complete comments, hence the search from 2.
                self.pos = lt + 2 + memmem::find(rest.get(2..)?, b"-->")? + 3;
            } else if second.is_some_and(|b| b.is_ascii_alphabetic()) {
                return self.start_tag(lt);
            } else if second == Some(b'/') && rest.get(2).is_some_and(u8::is_ascii_alphabetic) {
                let name_len = rest[2..].iter().position(|&b| ends_name(b)).unwrap_or(rest.len() - 2);
                self.pos = lt + memchr(b'>', rest)? + 1;
                return Some(Token::End(&rest[2..2 + name_len]));
            } else if matches!(second, Some(b'!' | b'?' | b'/')) {
                self.pos = lt + memchr(b'>', rest)? + 1; // doctype or bogus comment
            } else {
                self.pos = lt + 1; // a lone `<` in text
            }
        }
    }

    fn start_tag(&mut self, lt: usize) -> Option<Token<'a>> {
        let doc = self.doc;
        let at = |i: usize| doc.get(i).copied();
        let skip = |mut i: usize, while_: fn(u8) -> bool| {
            while at(i).is_some_and(while_) {
                i += 1;
            }
            i
        };
        self.attrs.clear();
        let mut i = skip(lt + 1, |b| !ends_name(b));
        let name = doc.get(lt + 1..i)?;
        loop {
            i = skip(i, |b| b.is_ascii_whitespace() || b == b'/');
            if at(i)? == b'>' {
                break;
            }
            // An attribute name may start with `=`; it ends at whitespace, `/`, `>` or `=`.
            let name_start = i;
            i = skip(i + 1, |b| !ends_name(b) && b != b'=');
            let attr_name = doc.get(name_start..i)?;
            let mut value = None;
            let eq = skip(i, |b| b.is_ascii_whitespace());
            if at(eq) == Some(b'=') {
                i = skip(eq + 1, |b| b.is_ascii_whitespace());
                match at(i)? {
                    quote @ (b'"' | b'\'') => {
                        let close = i + 1 + memchr(quote, doc.get(i + 1..)?)?;
                        value = doc.get(i + 1..close);
                        i = close + 1;
                    }
                    _ => {
                        let start = i;
                        i = skip(i, |b| !b.is_ascii_whitespace() && b != b'>');
                        value = doc.get(start..i);
                    }
                }
            }
            self.attrs.push((attr_name, value));
        }
        let content = i + 1;
        self.pos = content;
        let mut text: &[u8] = b"";
        if RAW_TEXT.iter().any(|raw| name.eq_ignore_ascii_case(raw)) {
            self.pos = find_end_tag(doc, content, name).unwrap_or(doc.len());
            text = doc.get(content..self.pos)?;
        }
        Some(Token::Start(Tag { offset: lt, name, text }))
    }
}

/// Offset of the `</name` that ends a raw-text element whose content starts at `from`.
fn find_end_tag(doc: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut at = from;
    loop {
        let lt = at + memmem::find(doc.get(at..)?, b"</")?;
        let after = doc.get(lt + 2..)?;
        let name_matches = after.get(..name.len()).is_some_and(|n| n.eq_ignore_ascii_case(name));
        if name_matches && after.get(name.len()).is_some_and(|&b| ends_name(b)) {
            return Some(lt);
        }
        at = lt + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "<!doctype html>\n<html ⚡4email data-css-strict lang=\"en\">\n<head>\n\
        <meta charset=\"utf-8\">\n<script async src=\"https://cdn.ampproject.org/v0.js\"></script>\n\
        <script async custom-element=\"amp-form\" src=\"https://cdn.ampproject.org/v0/amp-form-0.1.js\"></script>\n\
        <style amp4email-boilerplate>body{visibility:hidden}</style>\n\
        <style amp-custom>h1 { color: red }</style>\n</head>\n<body>\n<h1>Hello</h1>\n</body>\n</html>\n";

    /// `VALID` with `from` replaced by `to`, checked.
    fn edited(from: &str, to: &str) -> Result<(), AmpError> {
        assert!(VALID.contains(from), "{from:?} is not in the document");
        check_amp(&VALID.replacen(from, to, 1))
    }

    #[test]
    fn valid_documents() {
        assert_eq!(check_amp(VALID), Ok(()));
        assert_eq!(edited("⚡4email", "AMP4EMAIL"), Ok(()));
        assert_eq!(edited("<!doctype html>", " \r\n<!DOCTYPE  HTML >"), Ok(()));
        assert_eq!(edited("\"utf-8\"", "UTF-8 /"), Ok(()));
        assert_eq!(edited("<meta charset=\"utf-8\">", "<META Charset='utf-8'>"), Ok(()));
        assert_eq!(edited("visibility:hidden}", "\n  visibility: hidden;\n}\n"), Ok(()));
        assert_eq!(edited("async src", "src=https://cdn.ampproject.org/v0.js async data-x"), Ok(()));
        let state = "<amp-state id=s><script type=\"application/json\">{\"a\": \"<b>\"}</script></amp-state>";
        assert_eq!(edited("<h1>Hello</h1>", state), Ok(()));
        // The spec's own example, with its formatted boilerplate and no `<style amp-custom>`.
        let spec = "<!DOCTYPE html>\n<html ⚡4email>\n  <head>\n    <meta charset=\"utf-8\" />\n    \
            <style amp4email-boilerplate>\n      body {\n        visibility: hidden;\n      }\n    </style>\n    \
            <script async src=\"https://cdn.ampproject.org/v0.js\"></script>\n  </head>\n  <body>\n    \
            Hello, world.\n  </body>\n</html>\n";
        assert_eq!(check_amp(spec), Ok(()));
    }

    #[test]
    fn each_missing_marker_has_its_error() {
        let at = |marker: &str| VALID.find(marker).unwrap_or(usize::MAX);
        let runtime = "async src=\"https://cdn.ampproject.org/v0.js\"";
        for (from, to, want) in [
            ("<!doctype html>", "", AmpError::MissingDoctype),
            ("<!doctype html>", "<!doctype xhtml>", AmpError::MissingDoctype),
            ("<html ⚡4email", "<body", AmpError::MissingHtml),
            (" ⚡4email", "", AmpError::NotAmp4Email { offset: at("<html") }),
            ("⚡4email", "⚡", AmpError::NotAmp4Email { offset: at("<html") }),
            ("<head>", "", AmpError::MissingHead),
            ("utf-8", "iso-8859-1", AmpError::MissingCharset),
            ("<meta charset=\"utf-8\">", "", AmpError::MissingCharset),
            ("v0.js\"", "v0.mjs\"", AmpError::MissingRuntime),
            (runtime, &runtime[6..], AmpError::MissingRuntime),
            (" amp4email-boilerplate", "", AmpError::MissingBoilerplate),
            ("hidden}", "visible}", AmpError::BadBoilerplate { offset: at("<style amp4") }),
            ("<body>", "", AmpError::MissingBody),
            ("</body>", "", AmpError::UnclosedBody),
        ] {
            assert_eq!(edited(from, to), Err(want), "{from:?} -> {to:?}");
        }
        let meta = "<meta charset=\"utf-8\">\n";
        let doc = VALID.replacen(meta, "", 1).replacen("</head>", &format!("{meta}</head>"), 1);
        let offset = doc.find("<meta").unwrap_or(0);
        assert_eq!(check_amp(&doc), Err(AmpError::CharsetNotFirst { offset }));
        let message = AmpError::CharsetNotFirst { offset: 42 }.to_string();
        assert!(message.contains("<meta charset>") && message.contains("byte 42"), "{message}");
    }

    #[test]
    fn custom_scripts_are_rejected() {
        let at = VALID.find("<h1>").unwrap_or(0);
        for script in [
            "<script>alert(1)</script>",
            "<SCRIPT src=\"https://example.com/x.js\"></SCRIPT>",
            "<script async src=\"https://cdn.ampproject.org.evil.example/v0.js\"></script>",
            "<script src=\"//cdn.ampproject.org/v0.js\"></script>",
            "<script type=module>import 'x'</script>",
        ] {
            let result = edited("<h1>", &format!("{script}<h1>"));
            assert_eq!(result, Err(AmpError::CustomScript { offset: at }), "{script}");
        }
        let err = AmpError::CustomScript { offset: 7 }.to_string();
        assert!(err.contains("byte 7") && err.contains(CDN), "{err}");
    }

    #[test]
    fn size_limits() {
        let css = "h1 { color: red }".len();
        let tight = AmpLimits { max_css_bytes: css - 1, ..AmpLimits::default() };
        assert_eq!(check_amp_with(VALID, &tight), Err(AmpError::CssTooLarge { size: css, limit: css - 1 }));
        assert_eq!(check_amp_with(VALID, &AmpLimits { max_css_bytes: css, ..tight }), Ok(()));
        let second = "</style>\n<style amp-custom>p{}</style>";
        let doc = VALID.replacen("</style>\n</head>", &format!("{second}\n</head>"), 1);
        let offset = doc.rfind("<style amp-custom>").unwrap_or(0);
        assert_eq!(check_amp(&doc), Err(AmpError::DuplicateAmpCustom { offset }));
        let small = AmpLimits { max_document_bytes: VALID.len() - 1, ..AmpLimits::default() };
        let size = VALID.len();
        assert_eq!(check_amp_with(VALID, &small), Err(AmpError::DocumentTooLarge { size, limit: size - 1 }));
        let huge = VALID.replacen("Hello", &"x".repeat(200_000), 1);
        assert!(matches!(check_amp(&huge), Err(AmpError::DocumentTooLarge { .. })));
    }

    #[test]
    fn markers_in_comments_and_text_do_not_count() {
        let runtime = "<script async src=\"https://cdn.ampproject.org/v0.js\"></script>";
        let hidden = format!("<!-- {runtime} -->");
        assert_eq!(edited(runtime, &hidden), Err(AmpError::MissingRuntime));
        assert_eq!(edited("<body>", "<!--<body>-->"), Err(AmpError::MissingBody));
        assert_eq!(edited("</body>", "<!-- </body> -->"), Err(AmpError::UnclosedBody));
        assert_eq!(edited("</body>", "<textarea></body></textarea>"), Err(AmpError::UnclosedBody));
        assert_eq!(edited("<h1>", "<!-- <script>alert(1)</script> --><h1>"), Ok(()));
        assert_eq!(edited("<h1>", "<p title='<script>x</script>'>a < b</p><h1>"), Ok(()));
        assert_eq!(edited("color: red", "content: '<script>'"), Ok(()));
        assert_eq!(edited("<h1>", "<!--><!---><h1>"), Ok(()));
    }

    #[test]
    fn truncations_never_panic_and_fail_before_the_closing_body() {
        let closed = VALID.find("</body>").unwrap_or(0) + "</body>".len();
        for end in (0..=VALID.len()).filter(|&end| VALID.is_char_boundary(end)) {
            let result = check_amp(&VALID[..end]);
            assert_eq!(result.is_ok(), end >= closed, "prefix of {end} bytes gave {result:?}");
        }
        for junk in ["", "<", "</", "<!", "<!--", "<a", "<a b", "<a b=", "<a b='", "<a =>", "<script", "</x"]
        {
            assert!(check_amp(&format!("<!doctype html>{junk}")).is_err(), "{junk}");
        }
        let many = format!("<!doctype html><script type=application/json>{}", "</".repeat(50_000));
        assert_eq!(check_amp(&many), Err(AmpError::MissingHtml));
    }
}
