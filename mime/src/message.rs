//! The message: a tree of entities (parts) over the input bytes.
//!
//! [`Message::parse`] splits headers and finds multipart boundaries; it
//! copies no body bytes and decodes nothing. Transfer decoding and charset
//! conversion happen when a part's content is asked for.

use std::borrow::Cow;
use std::ops::Range;

use crate::body::{self, BodyStructure, PartRole};
use crate::charset::Charset;
use crate::content_type::{self, ContentDisposition, ContentType};
use crate::defect::{Defect, DefectKind};
use crate::header::{self, Headers};
use crate::limits::Limits;
use crate::transfer::TransferEncoding;

/// Index of a part in [`Message::parts`]. The top-level entity is `0`.
pub type PartId = usize;

/// A parsed message: every entity, nested messages included, in document
/// order (a parent before its children).
#[derive(Debug, Clone)]
pub struct Message<'a> {
    input: &'a [u8],
    parts: Vec<Part<'a>>,
}

/// What an entity's body holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartBody {
    /// Content: text, an attachment, or an entity that could not be opened.
    Leaf,
    /// A `multipart/*` body split at its boundary.
    Multipart {
        /// The parts, in order.
        children: Vec<PartId>,
        /// Bytes before the first delimiter (offsets in the input).
        preamble: Range<usize>,
        /// Bytes after the closing delimiter, if there was one.
        epilogue: Option<Range<usize>>,
    },
    /// A `message/rfc822` or `message/global` body: an entire message,
    /// whose top-level entity is `root`.
    Message {
        /// The nested message's top-level entity.
        root: PartId,
    },
}

/// One entity (RFC 2045 §2.4): header fields and a body.
#[derive(Debug, Clone)]
pub struct Part<'a> {
    headers: Headers<'a>,
    content_type: ContentType<'a>,
    encoding: TransferEncoding,
    header_offset: usize,
    body_offset: usize,
    end_offset: usize,
    raw_body: &'a [u8],
    body: PartBody,
    parent: Option<PartId>,
    depth: usize,
    defects: Vec<Defect>,
}

impl<'a> Message<'a> {
    /// Parses a message with the default [`Limits`]. Never fails: whatever
    /// is wrong is reported as [`Defect`]s on the parts.
    ///
    /// ```
    /// use mailwire_mime::Message;
    /// let raw = b"From: Ann <ann@example.com>\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\nHello\r\n";
    /// let msg = Message::parse(raw);
    /// assert_eq!(msg.subject().as_deref(), Some("Grüße"));
    /// assert_eq!(msg.text_body(0).as_deref(), Some("Hello\r\n"));
    /// ```
    pub fn parse(input: &'a [u8]) -> Message<'a> {
        Self::parse_with(input, &Limits::DEFAULT)
    }

    /// Parses a message with the given limits.
    pub fn parse_with(input: &'a [u8], limits: &Limits) -> Message<'a> {
        Self::parse_inner(input, limits, true)
    }

    /// Parses only the top-level header block: the body is one undecoded
    /// leaf and no MIME structure is looked for. For indexing, filtering and
    /// threading, where only header fields matter.
    ///
    /// ```
    /// use mailwire_mime::{Message, PartBody};
    /// let msg = Message::parse_headers(b"Subject: hi\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n...");
    /// assert_eq!(msg.subject().as_deref(), Some("hi"));
    /// assert_eq!(msg.root().body(), &PartBody::Leaf);
    /// ```
    pub fn parse_headers(input: &'a [u8]) -> Message<'a> {
        Self::parse_inner(input, &Limits::DEFAULT, false)
    }

    fn parse_inner(input: &'a [u8], limits: &Limits, open_bodies: bool) -> Message<'a> {
        let mut p = Parser {
            input,
            limits,
            parts: Vec::with_capacity(8),
            too_many_reported: false,
            dash_lines: None,
            open_bodies,
        };
        p.entity(0, input.len(), None, 0, false);
        Message { input, parts: p.parts }
    }

    /// The bytes this message was parsed from.
    pub fn input(&self) -> &'a [u8] {
        self.input
    }

    /// Every entity in document order; index 0 is the top-level entity.
    pub fn parts(&self) -> &[Part<'a>] {
        &self.parts
    }

    /// One entity.
    pub fn part(&self, id: PartId) -> Option<&Part<'a>> {
        self.parts.get(id)
    }

    /// The top-level entity.
    pub fn root(&self) -> &Part<'a> {
        &self.parts[0]
    }

    /// The top-level header fields.
    pub fn headers(&self) -> &Headers<'a> {
        &self.parts[0].headers
    }

    /// The decoded `Subject:`.
    pub fn subject(&self) -> Option<Cow<'a, str>> {
        self.headers().subject()
    }

    /// `From:` addresses.
    pub fn from(&self) -> Vec<crate::Address<'a>> {
        self.headers().from()
    }

    /// `To:` addresses.
    pub fn to(&self) -> Vec<crate::Address<'a>> {
        self.headers().to()
    }

    /// `Cc:` addresses.
    pub fn cc(&self) -> Vec<crate::Address<'a>> {
        self.headers().cc()
    }

    /// The parsed `Date:`.
    pub fn date(&self) -> Option<crate::DateTime> {
        self.headers().date()
    }

    /// The `Message-ID:` without brackets.
    pub fn message_id(&self) -> Option<Cow<'a, str>> {
        self.headers().message_id()
    }

    /// The children of a multipart entity (empty for other entities).
    pub fn children(&self, id: PartId) -> &[PartId] {
        match self.parts.get(id).map(|p| &p.body) {
            Some(PartBody::Multipart { children, .. }) => children,
            _ => &[],
        }
    }

    /// The top-level entity of the message nested in `id`, if `id` is a
    /// message/rfc822 or message/global entity.
    pub fn nested_message(&self, id: PartId) -> Option<PartId> {
        match self.parts.get(id)?.body {
            PartBody::Message { root } => Some(root),
            _ => None,
        }
    }

    /// The RFC 8621 body structure of the message whose top-level entity is
    /// `root` (0 for the message itself; see [`body`](mod@crate::body)).
    pub fn body_structure(&self, root: PartId) -> BodyStructure {
        body::body_structure(self, root)
    }

    /// Each part's single role in the message whose top-level entity is
    /// `root`, indexed like [`parts`](Self::parts) (parts outside that
    /// message get [`PartRole::Outside`]).
    pub fn roles(&self, root: PartId) -> Vec<PartRole> {
        body::roles(self, root)
    }

    /// The `index`-th text body part (RFC 8621 `textBody`) of the top-level
    /// message, decoded to UTF-8. HTML-only messages give their HTML here.
    pub fn text_body(&self, index: usize) -> Option<Cow<'a, str>> {
        let s = self.body_structure(0);
        self.parts.get(*s.text.get(index)?)?.text()
    }

    /// The `index`-th HTML body part (RFC 8621 `htmlBody`), decoded.
    pub fn html_body(&self, index: usize) -> Option<Cow<'a, str>> {
        let s = self.body_structure(0);
        self.parts.get(*s.html.get(index)?)?.text()
    }

    /// The attachments of the top-level message (RFC 8621 `attachments`).
    pub fn attachments(&self) -> impl Iterator<Item = &Part<'a>> + '_ {
        let s = self.body_structure(0);
        s.attachments.into_iter().filter_map(move |id| self.parts.get(id))
    }

    /// Every defect in every entity, in document order.
    pub fn defects(&self) -> impl Iterator<Item = &Defect> + '_ {
        self.parts.iter().flat_map(|p| p.defects.iter())
    }
}

impl<'a> Part<'a> {
    /// The entity's header fields.
    pub fn headers(&self) -> &Headers<'a> {
        &self.headers
    }

    /// The effective content type: the declared one, or the RFC 2046
    /// default (`text/plain`, or `message/rfc822` inside multipart/digest)
    /// when it is missing or unreadable.
    pub fn content_type(&self) -> &ContentType<'a> {
        &self.content_type
    }

    /// The parsed `Content-Disposition`, if any.
    pub fn disposition(&self) -> Option<ContentDisposition<'a>> {
        self.headers.content_disposition()
    }

    /// The transfer encoding that applies to the body.
    pub fn transfer_encoding(&self) -> TransferEncoding {
        self.encoding
    }

    /// The file name: Content-Disposition `filename`, else Content-Type
    /// `name` (both with RFC 2231 and RFC 2047 decoding).
    pub fn filename(&self) -> Option<Cow<'a, str>> {
        if let Some(cd) = self.disposition() {
            if let Some(p) = cd.into_params().into_iter().find(|p| p.name == "filename") {
                return Some(p.value);
            }
        }
        let name = self.content_type.params().iter().find(|p| p.name == "name");
        name.map(|p| p.value.clone())
    }

    /// The charset parameter, for text parts.
    pub fn charset(&self) -> Option<&str> {
        self.content_type.charset()
    }

    /// What the body holds.
    pub fn body(&self) -> &PartBody {
        &self.body
    }

    /// The parent entity, `None` for the top-level one.
    pub fn parent(&self) -> Option<PartId> {
        self.parent
    }

    /// Nesting depth (0 for the top-level entity).
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Offset of the entity's first header byte in the input.
    pub fn header_offset(&self) -> usize {
        self.header_offset
    }

    /// Offset of the body's first byte in the input.
    pub fn body_offset(&self) -> usize {
        self.body_offset
    }

    /// Offset just past the body (before the delimiter's line break).
    pub fn end_offset(&self) -> usize {
        self.end_offset
    }

    /// The body bytes as they are in the input (not decoded).
    pub fn raw_body(&self) -> &'a [u8] {
        self.raw_body
    }

    /// The defects found while parsing this entity (decoding defects are
    /// returned by [`decode`](Self::decode) and [`decode_text`](Self::decode_text)).
    pub fn defects(&self) -> &[Defect] {
        &self.defects
    }

    /// Whether the main type is `text`.
    pub fn is_text(&self) -> bool {
        self.content_type.is_main("text")
    }

    /// Whether this is a multipart entity.
    pub fn is_multipart(&self) -> bool {
        matches!(self.body, PartBody::Multipart { .. })
    }

    /// The body with its transfer encoding removed, and the defect found
    /// while decoding, if any. Borrowed unless decoding was needed.
    pub fn decode(&self) -> (Cow<'a, [u8]>, Option<Defect>) {
        let (bytes, d) = self.encoding.decode(self.raw_body);
        (bytes, d.map(|kind| Defect { kind, offset: self.body_offset }))
    }

    /// The body with its transfer encoding removed.
    pub fn decoded(&self) -> Cow<'a, [u8]> {
        self.decode().0
    }

    /// The decoded content converted to UTF-8 from its charset, and the
    /// defects met on the way. Any entity can be read as text; for non-text
    /// types that is rarely useful.
    pub fn decode_text(&self) -> (Cow<'a, str>, Vec<Defect>) {
        let (bytes, d) = self.decode();
        let mut defects: Vec<Defect> = d.into_iter().collect();
        let label = self.content_type.charset().map(str::as_bytes).filter(|l| !l.trim_ascii().is_empty());
        let charset = label.and_then(Charset::from_label);
        if label.is_some() && charset.is_none() {
            defects.push(Defect { kind: DefectKind::UnknownCharset, offset: self.header_offset });
        }
        let utf8ish = charset.is_none_or(|cs| cs == Charset::Whatwg(encoding_rs::UTF_8));
        let (text, bad) = match bytes {
            Cow::Borrowed(b) => crate::charset::decode_or_fallback(charset, b),
            Cow::Owned(v) => match utf8ish.then(|| crate::charset::validate_utf8(&v)) {
                // Decoded UTF-8 (or unlabelled) text: one SIMD validation and
                // a copy beat the standard library's validation of the buffer.
                Some(Ok(t)) => (Cow::Owned(t.to_owned()), false),
                _ => {
                    let (t, bad) = crate::charset::decode_or_fallback(charset, &v);
                    (Cow::Owned(t.into_owned()), bad)
                }
            },
        };
        if bad {
            defects.push(Defect { kind: DefectKind::MalformedText, offset: self.body_offset });
        }
        // A byte-order mark starting a body is not text; clients drop it.
        let text = match text {
            Cow::Borrowed(t) => Cow::Borrowed(t.strip_prefix('\u{FEFF}').unwrap_or(t)),
            Cow::Owned(t) if t.starts_with('\u{FEFF}') => Cow::Owned(t['\u{FEFF}'.len_utf8()..].to_owned()),
            owned => owned,
        };
        (text, defects)
    }

    /// The content as UTF-8 text for `text/*` entities; `None` otherwise.
    pub fn text(&self) -> Option<Cow<'a, str>> {
        self.is_text().then(|| self.decode_text().0)
    }
}

struct Parser<'a, 'l> {
    input: &'a [u8],
    limits: &'l Limits,
    parts: Vec<Part<'a>>,
    too_many_reported: bool,
    /// Every line start of the input that begins with `--`, found once (at
    /// the first multipart) so that nested multiparts do not rescan.
    dash_lines: Option<Vec<usize>>,
    /// Whether multipart and message bodies are opened (false: headers only).
    open_bodies: bool,
}

impl<'a> Parser<'a, '_> {
    /// Parses the entity in `start..end` and everything inside it.
    fn entity(
        &mut self,
        start: usize,
        end: usize,
        parent: Option<PartId>,
        depth: usize,
        in_digest: bool,
    ) -> PartId {
        let mut defects = Vec::new();
        let (headers, body_start) = header::split_headers(self.input, start, end, self.limits, &mut defects);
        let content_type = self.content_type_of(&headers, in_digest, start, &mut defects);
        let encoding = headers
            .content_transfer_encoding()
            .map(TransferEncoding::from_token)
            .unwrap_or(TransferEncoding::SevenBit);
        if encoding == TransferEncoding::Unknown {
            defects.push(Defect { kind: DefectKind::UnknownTransferEncoding, offset: start });
        }
        let id = self.parts.len();
        self.parts.push(Part {
            headers,
            content_type,
            encoding,
            header_offset: start,
            body_offset: body_start,
            end_offset: end,
            raw_body: &self.input[body_start..end],
            body: PartBody::Leaf,
            parent,
            depth,
            defects,
        });
        let ct = &self.parts[id].content_type;
        let body = if !self.open_bodies {
            PartBody::Leaf
        } else if ct.is_main("multipart") {
            let boundary = ct.boundary().filter(|b| !b.is_empty()).map(|b| b.as_bytes().to_vec());
            let digest = ct.is("multipart", "digest");
            match boundary {
                None => {
                    self.defect(id, DefectKind::MissingBoundary, start);
                    PartBody::Leaf
                }
                Some(_) if depth >= self.limits.max_depth => {
                    self.defect(id, DefectKind::TooDeep, start);
                    PartBody::Leaf
                }
                Some(b) => self.multipart(id, &b, body_start, end, depth, digest),
            }
        } else if ct.is("message", "rfc822") || ct.is("message", "global") {
            if !encoding.is_identity() {
                self.defect(id, DefectKind::EncodedMessage, start);
                PartBody::Leaf
            } else if depth >= self.limits.max_depth {
                self.defect(id, DefectKind::TooDeep, start);
                PartBody::Leaf
            } else if !self.room_for_part(id, body_start) {
                PartBody::Leaf
            } else {
                let root = self.entity(body_start, end, Some(id), depth + 1, false);
                PartBody::Message { root }
            }
        } else {
            PartBody::Leaf
        };
        self.parts[id].body = body;
        id
    }

    fn content_type_of(
        &self,
        headers: &Headers<'a>,
        in_digest: bool,
        start: usize,
        defects: &mut Vec<Defect>,
    ) -> ContentType<'a> {
        let mut fields = headers.get_all("Content-Type");
        let first = fields.next();
        if let Some(dup) = fields.next() {
            defects.push(Defect { kind: DefectKind::DuplicateContentType, offset: dup.offset() });
        }
        let default = || {
            if in_digest { ContentType::new("message", "rfc822") } else { ContentType::new("text", "plain") }
        };
        match first {
            None => default(),
            Some(f) => match content_type::parse_content_type(f.raw_value()) {
                Some(ct) if ct.subtype().is_some() => ct,
                Some(ct) => {
                    defects.push(Defect { kind: DefectKind::InvalidContentType, offset: f.offset() });
                    // RFC 2045 §5.2: a type without subtype means text/plain;
                    // its parameters (a `name`, say) are still worth keeping.
                    ContentType::new("text", "plain").with_params(ct.into_params())
                }
                None => {
                    defects
                        .push(Defect { kind: DefectKind::InvalidContentType, offset: start.max(f.offset()) });
                    // RFC 2045 §5.2: an unreadable Content-Type means text/plain.
                    ContentType::new("text", "plain")
                }
            },
        }
    }

    fn defect(&mut self, id: PartId, kind: DefectKind, offset: usize) {
        self.parts[id].defects.push(Defect { kind, offset });
    }

    fn room_for_part(&mut self, id: PartId, offset: usize) -> bool {
        if self.parts.len() < self.limits.max_parts {
            return true;
        }
        if !self.too_many_reported {
            self.too_many_reported = true;
            self.defect(id, DefectKind::TooManyParts, offset);
        }
        false
    }

    /// Splits a multipart body at its delimiter lines (RFC 2046 §5.1.1).
    fn multipart(
        &mut self,
        id: PartId,
        boundary: &[u8],
        start: usize,
        end: usize,
        depth: usize,
        digest: bool,
    ) -> PartBody {
        let lines = self.dash_lines.get_or_insert_with(|| dash_lines(self.input));
        let mut delims = Delimiters::new(lines, boundary, start, end);
        let Some(first) = delims.next(self.input, self.dash_lines.as_deref().unwrap_or(&[])) else {
            self.defect(id, DefectKind::StartBoundaryNotFound, start);
            return PartBody::Leaf;
        };
        let preamble = start..first.content_end;
        let mut children = Vec::new();
        let mut epilogue = None;
        let mut cur = first;
        loop {
            if cur.close {
                epilogue = Some(cur.line_end..end);
                break;
            }
            let next = delims.next(self.input, self.dash_lines.as_deref().unwrap_or(&[]));
            let part_end = next.as_ref().map_or(end, |d| d.content_end);
            if !self.room_for_part(id, cur.line_end) {
                epilogue = Some(cur.line_end..end);
                break;
            }
            children.push(self.entity(cur.line_end, part_end.max(cur.line_end), Some(id), depth + 1, digest));
            match next {
                Some(d) => cur = d,
                None => {
                    self.defect(id, DefectKind::MissingFinalBoundary, end);
                    break;
                }
            }
        }
        PartBody::Multipart { children, preamble, epilogue }
    }
}

/// A delimiter line found in a multipart body.
struct Delimiter {
    /// Where the content before it ends (its preceding line break excluded).
    content_end: usize,
    /// Just past the delimiter line (its line break included).
    line_end: usize,
    /// Whether it is the closing delimiter (`--boundary--`).
    close: bool,
}

/// Every line start in `input` that begins with `--` (candidate delimiter
/// lines), in order.
fn dash_lines(input: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    if input.starts_with(b"--") {
        out.push(0);
    }
    out.extend(memchr::memmem::find_iter(input, b"\n--").map(|i| i + 1));
    out
}

/// Iterates over the delimiter lines of one boundary in `start..end`,
/// checking only the line starts that begin with `--`.
struct Delimiters {
    boundary: Vec<u8>,
    /// Index of the next candidate in the dash-line list.
    next: usize,
    start: usize,
    end: usize,
}

impl Delimiters {
    fn new(lines: &[usize], boundary: &[u8], start: usize, end: usize) -> Self {
        Delimiters { boundary: boundary.to_vec(), next: lines.partition_point(|&p| p < start), start, end }
    }

    fn next(&mut self, input: &[u8], lines: &[usize]) -> Option<Delimiter> {
        while let Some(&hit) = lines.get(self.next) {
            if hit >= self.end {
                return None;
            }
            self.next += 1;
            let after = hit + 2 + self.boundary.len();
            if after > self.end || input[hit + 2..after] != self.boundary[..] {
                continue;
            }
            let line_end = match memchr::memchr(b'\n', &input[after..self.end]) {
                Some(i) => after + i + 1,
                None => self.end,
            };
            let rest = &input[after..line_end];
            let close = rest.starts_with(b"--");
            let tail = if close { &rest[2..] } else { rest };
            if !tail.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let mut content_end = hit;
            if hit != self.start {
                content_end -= 1;
                if content_end > self.start && input[content_end - 1] == b'\r' {
                    content_end -= 1;
                }
            }
            return Some(Delimiter { content_end, line_end, close });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_never_overrides_the_label() {
        // Found by the build_message fuzzer: encoding_rs sniffs BOMs unless
        // told not to, which read "\xFF\xFE" in Latin-1 as UTF-16.
        let raw = b"Subject: =?utf-8?b?77u/w6k=?=\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n\xff\xfeab";
        let msg = Message::parse(raw);
        assert_eq!(msg.subject().as_deref(), Some("\u{FEFF}\u{e9}"), "Python keeps it too");
        assert_eq!(msg.text_body(0).as_deref(), Some("\u{ff}\u{fe}ab"));
        let utf8 = Message::parse(b"Content-Type: text/plain; charset=utf-8\r\n\r\n\xef\xbb\xbfhi");
        assert_eq!(utf8.text_body(0).as_deref(), Some("hi"), "a BOM starting a body is dropped");
    }

    #[test]
    fn preamble_epilogue_and_nested_global() {
        let raw = b"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\npreamble\r\n--b\r\n\
Content-Type: message/global\r\n\r\nSubject: =?utf-8?q?inner?=\r\nFrom: J\xc3\xb6rg <j@x.test>\r\n\r\nhi\r\n\
--b--\r\nepilogue\r\n";
        let msg = Message::parse(raw);
        let PartBody::Multipart { children, preamble, epilogue } = msg.root().body() else { panic!() };
        assert_eq!(&raw[preamble.clone()], b"preamble");
        assert_eq!(&raw[epilogue.clone().unwrap()], b"epilogue\r\n");
        let inner = msg.nested_message(children[0]).unwrap();
        let h = msg.part(inner).unwrap().headers();
        assert_eq!(h.subject().as_deref(), Some("inner"));
        let crate::Address::Mailbox(m) = &h.from()[0] else { panic!() };
        assert_eq!(m.name.as_deref(), Some("Jörg"));
        assert_eq!(msg.part(inner).unwrap().text().as_deref(), Some("hi"));
        assert_eq!(msg.defects().count(), 0);
    }

    #[test]
    fn boundaries_only_at_line_starts_and_missing_close_reported() {
        let raw = b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\ntext --b inside\n--bx not a delimiter\n--b\n\nlast\n";
        let msg = Message::parse(raw);
        let kids = msg.children(0);
        assert_eq!(kids.len(), 2);
        assert_eq!(msg.parts()[kids[0]].text().as_deref(), Some("text --b inside\n--bx not a delimiter"));
        assert_eq!(msg.parts()[kids[1]].text().as_deref(), Some("last\n"));
        assert!(msg.defects().any(|d| d.kind == DefectKind::MissingFinalBoundary));
    }

    #[test]
    fn digest_children_default_to_message() {
        let raw = b"Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\nbody\r\n--d--\r\n";
        let msg = Message::parse(raw);
        let child = msg.children(0)[0];
        assert!(msg.parts()[child].content_type().is("message", "rfc822"));
        let inner = msg.nested_message(child).unwrap();
        assert_eq!(msg.parts()[inner].headers().subject().as_deref(), Some("one"));
    }

    #[test]
    fn decoding_is_lazy_and_borrowed_when_possible() {
        let raw = b"Content-Type: text/plain; charset=utf-8\r\n\r\nplain body";
        let msg = Message::parse(raw);
        assert!(matches!(msg.root().decoded(), Cow::Borrowed(_)));
        assert!(matches!(msg.root().text(), Some(Cow::Borrowed("plain body"))));
    }
}
