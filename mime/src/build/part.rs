//! [`PartBuilder`]: one MIME entity (a leaf or a multipart) and how it is
//! written: its Content-* fields, its transfer encoding, its boundaries.

use std::borrow::Cow;

use super::header::{self, FieldWriter};
use super::{BuildError, amp};
use crate::transfer::{self, BodyStats};

/// How a part is presented (RFC 2183).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Shown in the body (`inline`), e.g. an image referenced by Content-ID.
    Inline,
    /// Offered as a file (`attachment`).
    Attachment,
}

#[derive(Debug, Clone)]
enum Body<'a> {
    Text(Cow<'a, str>),
    Bytes(Cow<'a, [u8]>),
    Multipart(Vec<PartBuilder<'a>>),
    Message(Cow<'a, [u8]>),
}

/// One MIME part: a text, a file, an attached message, or a multipart of
/// further parts, nested as deep as the caller likes.
///
/// Content-Transfer-Encoding is chosen from the bytes when the part is
/// written: `7bit` when every line is short ASCII, `8bit` only when the
/// transport allows it, otherwise quoted-printable for mostly-ASCII text
/// and base64 for the rest. Text is sent with CRLF line breaks (its
/// canonical form), whatever the input used.
///
/// ```
/// use mailwire_mime::build::{MessageBuilder, PartBuilder};
///
/// let tree = PartBuilder::multipart("mixed", vec![
///     PartBuilder::text("See the attached log."),
///     PartBuilder::binary("application/gzip", &b"\x1f\x8b\x08\x00"[..]).attachment("log.gz"),
/// ]);
/// let bytes = MessageBuilder::new().from("ops@example.com").to("dev@example.com").root(tree).to_vec()?;
/// assert!(bytes.windows(9).any(|w| w == b"base64\r\n\r\n" || w == b"filename="));
/// # Ok::<(), mailwire_mime::build::BuildError>(())
/// ```
#[derive(Debug, Clone)]
pub struct PartBuilder<'a> {
    media_type: Cow<'a, str>,
    params: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    body: Body<'a>,
    disposition: Option<Disposition>,
    filename: Option<Cow<'a, str>>,
    content_id: Option<Cow<'a, str>>,
    description: Option<Cow<'a, str>>,
    charset: Option<Cow<'a, str>>,
    headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> PartBuilder<'a> {
    fn with_body(media_type: impl Into<Cow<'a, str>>, body: Body<'a>) -> Self {
        PartBuilder {
            media_type: media_type.into(),
            params: Vec::new(),
            body,
            disposition: None,
            filename: None,
            content_id: None,
            description: None,
            charset: None,
            headers: Vec::new(),
        }
    }

    /// A `text/plain` part.
    pub fn text(text: impl Into<Cow<'a, str>>) -> Self {
        Self::with_body("text/plain", Body::Text(text.into()))
    }

    /// A `text/html` part.
    pub fn html(html: impl Into<Cow<'a, str>>) -> Self {
        Self::with_body("text/html", Body::Text(html.into()))
    }

    /// An AMP for Email part (`text/x-amp-html`); the document is checked
    /// ([`amp::check_amp`]) when the message is written.
    pub fn amp(doc: impl Into<Cow<'a, str>>) -> Self {
        Self::with_body("text/x-amp-html", Body::Text(doc.into()))
    }

    /// Text of any `text/*` type (e.g. `text/calendar`).
    pub fn text_of_type(media_type: impl Into<Cow<'a, str>>, text: impl Into<Cow<'a, str>>) -> Self {
        Self::with_body(media_type, Body::Text(text.into()))
    }

    /// Bytes of any type (`image/png`, `application/pdf`, …).
    pub fn binary(media_type: impl Into<Cow<'a, str>>, bytes: impl Into<Cow<'a, [u8]>>) -> Self {
        Self::with_body(media_type, Body::Bytes(bytes.into()))
    }

    /// A `multipart/<subtype>` (`mixed`, `alternative`, `related`, …) of
    /// `parts`, in order.
    pub fn multipart(subtype: &str, parts: Vec<PartBuilder<'a>>) -> Self {
        Self::with_body(format!("multipart/{subtype}"), Body::Multipart(parts))
    }

    /// An attached message (`message/rfc822`), given as its raw bytes.
    pub fn message(raw: impl Into<Cow<'a, [u8]>>) -> Self {
        Self::with_body("message/rfc822", Body::Message(raw.into()))
    }

    /// Adds a part to a multipart (ignored for other parts).
    pub fn push(mut self, part: PartBuilder<'a>) -> Self {
        if let Body::Multipart(parts) = &mut self.body {
            parts.push(part);
        }
        self
    }

    /// Marks the part as an attachment named `filename`.
    pub fn attachment(mut self, filename: impl Into<Cow<'a, str>>) -> Self {
        self.disposition = Some(Disposition::Attachment);
        self.filename = Some(filename.into());
        self
    }

    /// Marks the part as inline (shown in the body).
    pub fn inline(mut self) -> Self {
        self.disposition = Some(Disposition::Inline);
        self
    }

    /// Sets the file name (written as RFC 2231 `filename*` when long or
    /// non-ASCII, with the legacy `name=` beside it).
    pub fn filename(mut self, filename: impl Into<Cow<'a, str>>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// Sets the Content-ID (with or without its angle brackets), which an
    /// HTML part refers to as `cid:…`.
    pub fn content_id(mut self, cid: impl Into<Cow<'a, str>>) -> Self {
        self.content_id = Some(cid.into());
        self
    }

    /// Sets Content-Description.
    pub fn description(mut self, text: impl Into<Cow<'a, str>>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Sends a text part in `charset` (any label `encoding_rs` knows)
    /// instead of UTF-8; text the charset cannot represent is refused.
    pub fn charset(mut self, charset: impl Into<Cow<'a, str>>) -> Self {
        self.charset = Some(charset.into());
        self
    }

    /// Adds a Content-Type parameter (e.g. `method=REQUEST` for calendars).
    pub fn param(mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Adds a header field to the part (unstructured text, encoded as
    /// needed).
    pub fn header(mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The part's media type.
    pub fn media_type(&self) -> &str {
        &self.media_type
    }

    /// About how many bytes the written part takes.
    pub(crate) fn size_hint(&self) -> usize {
        256 + match &self.body {
            Body::Text(t) => t.len() * 11 / 10,
            Body::Bytes(b) => b.len() * 137 / 100,
            Body::Message(m) => m.len(),
            Body::Multipart(parts) => parts.iter().map(PartBuilder::size_hint).sum(),
        }
    }

    /// Writes the part: header fields, blank line, body.
    pub(crate) fn write(&self, r: &mut Render, out: &mut Vec<u8>) -> Result<(), BuildError> {
        let (main, sub) = split_media_type(&self.media_type)?;
        let header_start = out.len();
        let encoded = self.encode_body(r)?;
        let boundary = matches!(self.body, Body::Multipart(_)).then(|| r.next_boundary());

        let mut w = FieldWriter::new(out, r.eol, "Content-Type");
        w.word(b" ", format!("{main}/{sub}").as_bytes());
        if let Some(charset) = &encoded.charset {
            header::param(&mut w, "charset", charset);
        }
        if let Some(b) = &boundary {
            header::param(&mut w, "boundary", b);
        }
        for (name, value) in &self.params {
            check_param_name(name)?;
            header::param(&mut w, name, value);
        }
        if let Some(f) = &self.filename {
            header::legacy_param(&mut w, "name", f);
        }
        finish(w, "Content-Type")?;
        if let Some(cte) = encoded.cte {
            let mut w = FieldWriter::new(out, r.eol, "Content-Transfer-Encoding");
            w.word(b" ", cte.as_bytes());
            finish(w, "Content-Transfer-Encoding")?;
        }
        if self.disposition.is_some() || self.filename.is_some() {
            let mut w = FieldWriter::new(out, r.eol, "Content-Disposition");
            let kind = match self.disposition {
                Some(Disposition::Inline) => "inline",
                _ => "attachment",
            };
            w.word(b" ", kind.as_bytes());
            if let Some(f) = &self.filename {
                header::param(&mut w, "filename", f);
            }
            finish(w, "Content-Disposition")?;
        }
        if let Some(cid) = &self.content_id {
            let id = header::msg_id(cid)
                .ok_or_else(|| BuildError::InvalidId { field: "Content-ID".into(), id: cid.to_string() })?;
            let mut w = FieldWriter::new(out, r.eol, "Content-ID");
            w.word(b" ", id.as_bytes());
            finish(w, "Content-ID")?;
        }
        if let Some(d) = &self.description {
            let mut w = FieldWriter::new(out, r.eol, "Content-Description");
            header::unstructured(&mut w, d);
            finish(w, "Content-Description")?;
        }
        for (name, value) in &self.headers {
            super::message::check_not_reserved(name)?;
            super::message::write_text_field(out, r.eol, name, value)?;
        }
        out.extend_from_slice(r.eol);
        // Caller text is in the header block: it is checked for boundaries.
        r.foreign.push((header_start, out.len()));

        match (&self.body, boundary) {
            (Body::Multipart(parts), Some(b)) => {
                if parts.is_empty() {
                    return Err(BuildError::EmptyMultipart { content_type: self.media_type.to_string() });
                }
                let start = out.len();
                for part in parts {
                    out.extend_from_slice(b"--");
                    out.extend_from_slice(b.as_bytes());
                    out.extend_from_slice(r.eol);
                    part.write(r, out)?;
                    out.extend_from_slice(r.eol);
                }
                out.extend_from_slice(b"--");
                out.extend_from_slice(b.as_bytes());
                out.extend_from_slice(b"--");
                out.extend_from_slice(r.eol);
                r.multiparts.push(Multipart { start, end: out.len(), boundary: b });
            }
            _ => match &encoded.body {
                Content::AsIs(bytes) => {
                    r.foreign.push((out.len(), out.len() + bytes.len()));
                    out.extend_from_slice(bytes);
                }
                Content::QuotedPrintable(bytes) => transfer::encode_quoted_printable(bytes, true, r.eol, out),
                Content::Base64(bytes) => {
                    transfer::encode_base64(bytes, r.eol, out);
                    // The delimiter or the end of the message brings its own
                    // line break (an empty body wrote none to take back).
                    if !bytes.is_empty() && out.ends_with(r.eol) {
                        out.truncate(out.len() - r.eol.len());
                    }
                }
            },
        }
        Ok(())
    }

    /// The body's bytes as they will be written, with the charset and the
    /// Content-Transfer-Encoding they need (none for a multipart).
    fn encode_body(&self, r: &Render) -> Result<Encoded<'_>, BuildError> {
        let text_type = self.media_type.len() > 5 && self.media_type[..5].eq_ignore_ascii_case("text/");
        match &self.body {
            Body::Multipart(_) => {
                Ok(Encoded { body: Content::AsIs(Cow::Borrowed(b"")), cte: None, charset: None })
            }
            Body::Message(raw) => {
                let stats = BodyStats::of(raw);
                let short = stats.longest_line <= header::MAX_LINE && !stats.nul;
                let seven = short && stats.non_ascii == 0;
                let eight = r.allow_8bit && short && !stats.bare_cr;
                if !seven && !eight {
                    return Err(BuildError::EightBitMessage);
                }
                let body = Content::AsIs(convert_line_breaks(raw, r.eol));
                Ok(Encoded { body, cte: Some(if seven { "7bit" } else { "8bit" }), charset: None })
            }
            Body::Text(text) => {
                if self.media_type.eq_ignore_ascii_case("text/x-amp-html") {
                    amp::check_amp(text)?;
                }
                match self.encode_charset(text)? {
                    (Cow::Borrowed(bytes), charset) => Ok(encode_text(bytes, r, Some(charset))),
                    (Cow::Owned(bytes), charset) => {
                        Ok(encode_text(&bytes, r, Some(charset)).into_owned_body())
                    }
                }
            }
            Body::Bytes(bytes) if text_type => Ok(encode_text(bytes, r, None)),
            Body::Bytes(bytes) => Ok(Encoded {
                body: Content::Base64(Cow::Borrowed(bytes)),
                cte: Some("base64"),
                charset: None,
            }),
        }
    }

    fn encode_charset<'t>(&self, text: &'t str) -> Result<(Cow<'t, [u8]>, String), BuildError> {
        let Some(label) = &self.charset else { return Ok((Cow::Borrowed(text.as_bytes()), "utf-8".into())) };
        let enc = encoding_rs::Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| BuildError::InvalidParameter {
                name: "charset".into(),
                reason: "unknown charset",
            })?
            .output_encoding();
        let (bytes, _, unmappable) = enc.encode(text);
        if unmappable || !within_registered_charset(enc, &bytes) {
            return Err(BuildError::Unmappable { charset: enc.name() });
        }
        Ok((bytes, enc.name().to_ascii_lowercase()))
    }
}

/// Whether `bytes` use only the registered charset its label names.
/// `encoding_rs` encodes "EUC-KR", "Shift_JIS" and "Big5" as the Windows
/// and HKSCS supersets (UHC, windows-31j, Big5-HKSCS), whose extra codes
/// readers that follow the registered tables (Python among them) cannot
/// decode; such text is refused rather than sent under a wrong label.
fn within_registered_charset(enc: &'static encoding_rs::Encoding, bytes: &[u8]) -> bool {
    type Test = fn(u8) -> bool;
    let codes = |single: Test, lead: Test, trail: Test| {
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 || single(b) {
                i += 1;
            } else if lead(b) && bytes.get(i + 1).is_some_and(|&t| trail(t)) {
                i += 2;
            } else {
                return false;
            }
        }
        true
    };
    let none: Test = |_| false;
    let any: Test = |_| true;
    if enc == encoding_rs::EUC_KR {
        // KS X 1001 in EUC: both bytes 0xA1..=0xFE.
        let euc: Test = |b| (0xA1..=0xFE).contains(&b);
        codes(none, euc, euc)
    } else if enc == encoding_rs::SHIFT_JIS {
        // JIS X 0208 rows: leads 0x81–0x84, 0x88–0x9F, 0xE0–0xEA; one-byte kana.
        codes(|b| (0xA1..=0xDF).contains(&b), |b| matches!(b, 0x81..=0x84 | 0x88..=0x9F | 0xE0..=0xEA), any)
    } else if enc == encoding_rs::BIG5 {
        codes(none, |b| (0xA1..=0xF9).contains(&b), any)
    } else {
        true
    }
}

/// Writes `part` at the end of `out`, choosing boundaries again until none
/// of them, and none of `outer` (the boundaries of the multiparts the part
/// will sit in), occurs inside the content. On error `out` may hold a
/// partial part; the caller truncates.
pub(crate) fn write_checked(
    part: &PartBuilder<'_>,
    r: &mut Render,
    out: &mut Vec<u8>,
    outer: &[&[u8]],
) -> Result<(), BuildError> {
    let start = out.len();
    for _ in 0..32 {
        part.write(r, out)?;
        if r.boundaries_hold(out) {
            let written = &out[start..];
            if let Some(b) = outer.iter().find(|b| memchr::memmem::find(written, b).is_some()) {
                return Err(BuildError::BoundaryInContent {
                    boundary: String::from_utf8_lossy(b).into_owned(),
                });
            }
            return Ok(());
        }
        out.truncate(start);
        r.reseed();
    }
    Err(BuildError::BoundaryInContent { boundary: "=_mw…".into() })
}

/// A leaf body, with what its header says about it.
struct Encoded<'b> {
    body: Content<'b>,
    cte: Option<&'static str>,
    charset: Option<String>,
}

/// The bytes of a leaf and how they go out (encoded straight into the
/// output, after the header fields).
enum Content<'b> {
    /// Written as they are (7bit, 8bit).
    AsIs(Cow<'b, [u8]>),
    /// Text, written quoted-printable.
    QuotedPrintable(Cow<'b, [u8]>),
    /// Written base64.
    Base64(Cow<'b, [u8]>),
}

impl Encoded<'_> {
    fn into_owned_body<'x>(self) -> Encoded<'x> {
        let body = match self.body {
            Content::AsIs(b) => Content::AsIs(Cow::Owned(b.into_owned())),
            Content::QuotedPrintable(b) => Content::QuotedPrintable(Cow::Owned(b.into_owned())),
            Content::Base64(b) => Content::Base64(Cow::Owned(b.into_owned())),
        };
        Encoded { body, cte: self.cte, charset: self.charset }
    }
}

/// Chooses 7bit, 8bit, quoted-printable or base64 for text bytes.
fn encode_text<'b>(bytes: &'b [u8], r: &Render, charset: Option<String>) -> Encoded<'b> {
    let stats = BodyStats::of(bytes);
    let plain = !stats.nul && !stats.bare_cr && stats.controls == 0 && stats.longest_line <= header::MAX_LINE;
    if plain && (stats.non_ascii == 0 || r.allow_8bit) {
        let cte = if stats.non_ascii == 0 { "7bit" } else { "8bit" };
        return Encoded { body: Content::AsIs(convert_line_breaks(bytes, r.eol)), cte: Some(cte), charset };
    }
    let escaped = stats.non_ascii + stats.controls;
    // Quoted-printable while at most a quarter of the bytes need escapes:
    // it stays readable and about as short as base64.
    if escaped * 4 <= stats.len {
        Encoded {
            body: Content::QuotedPrintable(Cow::Borrowed(bytes)),
            cte: Some("quoted-printable"),
            charset,
        }
    } else {
        // Text inside base64 is in canonical form: CRLF line breaks.
        let canonical = convert_line_breaks(bytes, b"\r\n");
        Encoded { body: Content::Base64(canonical), cte: Some("base64"), charset }
    }
}

/// Rewrites LF and CRLF line breaks as `eol` (a lone CR is left alone).
pub(crate) fn convert_line_breaks<'b>(bytes: &'b [u8], eol: &[u8]) -> Cow<'b, [u8]> {
    let crlf = eol == b"\r\n";
    let needs = memchr::memchr_iter(b'\n', bytes).any(|i| (i > 0 && bytes[i - 1] == b'\r') != crlf);
    if !needs {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32 + 2);
    let mut last = 0;
    for i in memchr::memchr_iter(b'\n', bytes) {
        let end = if i > 0 && bytes[i - 1] == b'\r' { i - 1 } else { i };
        out.extend_from_slice(&bytes[last..end]);
        out.extend_from_slice(eol);
        last = i + 1;
    }
    out.extend_from_slice(&bytes[last..]);
    Cow::Owned(out)
}

fn split_media_type(t: &str) -> Result<(&str, &str), BuildError> {
    let bad = || BuildError::InvalidContentType { content_type: t.to_string() };
    let (main, sub) = t.split_once('/').ok_or_else(bad)?;
    let token = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| (33..=126).contains(&b) && !b"()<>@,;:\\\"/[]?=".contains(&b))
    };
    if token(main) && token(sub) { Ok((main, sub)) } else { Err(bad()) }
}

fn check_param_name(name: &str) -> Result<(), BuildError> {
    let ok = !name.is_empty()
        && name.bytes().all(|b| (33..=126).contains(&b) && !b"()<>@,;:\\\"/[]?=*'%".contains(&b))
        && !["charset", "boundary", "name"].iter().any(|r| name.eq_ignore_ascii_case(r));
    if ok {
        Ok(())
    } else {
        Err(BuildError::InvalidParameter {
            name: name.to_string(),
            reason: "not a parameter name the caller may set",
        })
    }
}

pub(crate) fn finish(w: FieldWriter<'_>, field: &str) -> Result<(), BuildError> {
    w.finish().map_err(|reason| BuildError::InvalidHeaderValue { field: field.to_string(), reason })
}

/// A multipart written, whose boundary is checked once the whole message
/// is out.
pub(crate) struct Multipart {
    start: usize,
    end: usize,
    boundary: String,
}

/// What writing a message needs to know, and what it records.
pub(crate) struct Render {
    pub(crate) eol: &'static [u8],
    pub(crate) allow_8bit: bool,
    seed: u64,
    counter: u64,
    multiparts: Vec<Multipart>,
    /// Where caller bytes were written as they are (header blocks, 7bit
    /// and 8bit bodies): the only places a boundary could occur by chance.
    foreign: Vec<(usize, usize)>,
}

impl Render {
    /// A renderer writing `eol` line breaks; `seed` picks the boundaries.
    pub(crate) fn new(eol: &'static [u8], allow_8bit: bool, seed: u64) -> Self {
        Render { eol, allow_8bit, seed, counter: 0, multiparts: Vec::new(), foreign: Vec::new() }
    }

    /// `=_` cannot occur in base64 or quoted-printable output, so only 7bit
    /// and 8bit content can collide; [`Render::boundaries_hold`] checks.
    fn next_boundary(&mut self) -> String {
        self.counter += 1;
        format!("=_mw{:016x}", splitmix(self.seed ^ self.counter.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
    }

    /// Whether no boundary occurs inside the caller bytes of its multipart
    /// (delimiters are written by us, and base64 or quoted-printable cannot
    /// hold `=_`).
    pub(crate) fn boundaries_hold(&self, out: &[u8]) -> bool {
        self.multiparts.iter().all(|m| {
            let finder = memchr::memmem::Finder::new(m.boundary.as_bytes());
            self.foreign
                .iter()
                .filter(|&&(s, e)| s >= m.start && e <= m.end)
                .all(|&(s, e)| finder.find(&out[s..e]).is_none())
        })
    }

    /// Starts again with other boundaries (after a collision).
    pub(crate) fn reseed(&mut self) {
        self.seed = splitmix(self.seed.wrapping_add(1));
        self.counter = 0;
        self.multiparts.clear();
        self.foreign.clear();
    }
}

pub(crate) fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}
