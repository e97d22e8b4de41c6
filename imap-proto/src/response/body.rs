//! The BODY and BODYSTRUCTURE fetch items (RFC 9051 §7.5.2): a message's
//! MIME structure as the server parsed it.

use bytes::Bytes;

use crate::encode::Writer;
use crate::lex::{Cursor, PResult};
use crate::string::{Form, Str};

use super::envelope::Envelope;
use super::value::{ExtValue, list_next, skip_sp, sp};

/// `body`: one MIME part, a leaf or a multipart.
///
/// The non-extensible `BODY` form has no extension data; `BODYSTRUCTURE`
/// has it as far as the server sent it (servers may stop after any
/// field). Whatever was present is kept, so a parsed structure writes
/// back to the same bytes.
///
/// Tolerated deviations (each read as the nearest valid form): `NIL`
/// where a media type, subtype, encoding or parameter value must be a
/// string (read as `""`), `()` for an empty parameter list, a bare
/// string as the disposition (Exchange), a language list or a single
/// language, repeated spaces, a TEXT part without a line count or a
/// MESSAGE/RFC822 part without an envelope (read as a basic part).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BodyStructure {
    /// A leaf part: `body-type-1part`.
    Single {
        /// The media type (`"TEXT"`, `"IMAGE"` …), as sent.
        media_type: Str,
        /// The media subtype (`"PLAIN"`, `"PNG"` …).
        subtype: Str,
        /// The fields every leaf has.
        fields: BodyFields,
        /// The fields of text and message parts.
        kind: SingleKind,
        /// `body-ext-1part`, if present.
        extension: Option<Box<SingleExtension>>,
    },
    /// A multipart: `body-type-mpart`.
    Multipart {
        /// The parts, at least one.
        parts: Vec<BodyStructure>,
        /// The subtype (`"MIXED"`, `"ALTERNATIVE"` …).
        subtype: Str,
        /// `body-ext-mpart`, if present.
        extension: Option<Box<MultipartExtension>>,
    },
}

/// `body-fields`: what every leaf part has.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct BodyFields {
    /// `body-fld-param`: the Content-Type parameters (`charset`, `name`
    /// …); `None` is NIL.
    pub params: BodyParams,
    /// `body-fld-id`: Content-ID.
    pub id: Option<Str>,
    /// `body-fld-desc`: Content-Description.
    pub description: Option<Str>,
    /// `body-fld-enc`: Content-Transfer-Encoding (`"7BIT"`, `"BASE64"` …).
    pub encoding: Str,
    /// `body-fld-octets`: the size of the part's body, encoded.
    pub octets: u32,
}

/// `body-fld-param`: attribute/value pairs, or `None` for NIL.
pub type BodyParams = Option<Vec<(Str, Str)>>;

/// The type-specific fields of a leaf part.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SingleKind {
    /// `body-type-basic`: no more fields.
    Basic,
    /// `body-type-text`: the size in lines.
    Text {
        /// `body-fld-lines`.
        lines: u64,
    },
    /// `body-type-msg` (MESSAGE/RFC822 and MESSAGE/GLOBAL): the enclosed
    /// message's envelope and structure, and the size in lines.
    Message {
        /// The enclosed message's envelope.
        envelope: Box<Envelope>,
        /// The enclosed message's structure.
        body: Box<BodyStructure>,
        /// `body-fld-lines`.
        lines: u64,
    },
}

/// `body-ext-1part`: the extension data of a leaf part.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SingleExtension {
    /// `body-fld-md5`: Content-MD5.
    pub md5: Option<Str>,
    /// The fields after it.
    pub more: ExtensionData,
}

/// `body-ext-mpart`: the extension data of a multipart.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MultipartExtension {
    /// `body-fld-param`: the Content-Type parameters (`boundary` …).
    pub params: BodyParams,
    /// The fields after them.
    pub more: ExtensionData,
}

/// The extension fields both kinds of part share: disposition, language,
/// location and any later `body-extension`s.
///
/// Servers may stop after any field: `present` says how many of
/// disposition, language and location were sent (0 to 3; the
/// `extensions` only come after all three). The writer sends at least
/// as many as the values need.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ExtensionData {
    /// `body-fld-dsp`: Content-Disposition.
    pub disposition: Option<Disposition>,
    /// `body-fld-lang`: Content-Language.
    pub language: Option<Language>,
    /// `body-fld-loc`: Content-Location.
    pub location: Option<Str>,
    /// Further `body-extension`s (future standards).
    pub extensions: Vec<ExtValue>,
    /// How many of disposition, language, location were present.
    pub present: u8,
}

/// `body-fld-dsp`: the disposition type and its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Disposition {
    /// `"inline"`, `"attachment"` …
    pub kind: Str,
    /// Its parameters (`filename` …).
    pub params: BodyParams,
}

/// `body-fld-lang`: one language tag, or a list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Language {
    /// A single string.
    One(Str),
    /// A parenthesised list.
    List(Vec<Str>),
}

impl Language {
    /// The language tags.
    pub fn tags(&self) -> &[Str] {
        match self {
            Language::One(s) => std::slice::from_ref(s),
            Language::List(v) => v,
        }
    }
}

impl BodyFields {
    /// The value of a Content-Type parameter (name compared ignoring
    /// case).
    pub fn param(&self, name: &str) -> Option<&Str> {
        find_param(&self.params, name)
    }
}

fn find_param<'a>(params: &'a BodyParams, name: &str) -> Option<&'a Str> {
    params.as_ref()?.iter().find(|(k, _)| k.eq_ignore_case(name)).map(|(_, v)| v)
}

impl ExtensionData {
    /// How many of disposition, language, location the writer sends.
    fn count(&self) -> u8 {
        let needed = if !self.extensions.is_empty() || self.location.is_some() {
            3
        } else if self.language.is_some() {
            2
        } else if self.disposition.is_some() {
            1
        } else {
            0
        };
        needed.max(self.present.min(3))
    }
}

impl BodyStructure {
    /// The parts of a multipart; empty for a leaf.
    pub fn parts(&self) -> &[BodyStructure] {
        match self {
            BodyStructure::Multipart { parts, .. } => parts,
            BodyStructure::Single { .. } => &[],
        }
    }

    /// Whether this is a multipart.
    pub fn is_multipart(&self) -> bool {
        matches!(self, BodyStructure::Multipart { .. })
    }

    /// `type/subtype` in lower case (`multipart/mixed`, `text/plain`).
    pub fn mime_type(&self) -> String {
        match self {
            BodyStructure::Single { media_type, subtype, .. } => {
                format!("{}/{}", media_type.to_string_lossy(), subtype.to_string_lossy()).to_ascii_lowercase()
            }
            BodyStructure::Multipart { subtype, .. } => {
                format!("multipart/{}", subtype.to_string_lossy()).to_ascii_lowercase()
            }
        }
    }

    /// The part at `path` (`[1, 2]` is part 1.2, as in `BODY[1.2]`); the
    /// empty path is this part. A leaf's part 1 is itself; a
    /// MESSAGE/RFC822 part's parts are those of the enclosed message.
    pub fn part(&self, path: &[u32]) -> Option<&BodyStructure> {
        let Some((&first, rest)) = path.split_first() else {
            return Some(self);
        };
        let index = usize::try_from(first).ok()?.checked_sub(1)?;
        let child = match self {
            BodyStructure::Multipart { parts, .. } => parts.get(index)?,
            // Part 1 of a message that is not multipart is its body.
            BodyStructure::Single { .. } if index == 0 => self,
            BodyStructure::Single { .. } => return None,
        };
        if rest.is_empty() {
            return Some(child);
        }
        match child {
            BodyStructure::Single { kind: SingleKind::Message { body, .. }, .. } => body.part(rest),
            BodyStructure::Multipart { .. } => child.part(rest),
            BodyStructure::Single { .. } => None,
        }
    }

    /// The Content-Disposition, if the extension data has one.
    pub fn disposition(&self) -> Option<&Disposition> {
        match self {
            BodyStructure::Single { extension, .. } => extension.as_ref()?.more.disposition.as_ref(),
            BodyStructure::Multipart { extension, .. } => extension.as_ref()?.more.disposition.as_ref(),
        }
    }

    /// The file name of an attachment: the disposition's `filename`, or
    /// the Content-Type's `name`.
    pub fn filename(&self) -> Option<&Str> {
        if let Some(f) = self.disposition().and_then(|d| find_param(&d.params, "filename")) {
            return Some(f);
        }
        match self {
            BodyStructure::Single { fields, .. } => fields.param("name"),
            BodyStructure::Multipart { .. } => None,
        }
    }

    /// A one-line summary: `multipart/mixed [text/plain, application/pdf]`.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        self.describe_into(&mut out);
        out
    }

    fn describe_into(&self, out: &mut String) {
        out.push_str(&self.mime_type());
        match self {
            BodyStructure::Multipart { parts, .. } => {
                out.push_str(" [");
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    p.describe_into(out);
                }
                out.push(']');
            }
            BodyStructure::Single { kind: SingleKind::Message { body, .. }, .. } => {
                out.push_str(" [");
                body.describe_into(out);
                out.push(']');
            }
            BodyStructure::Single { .. } => {}
        }
    }

    /// `body`, at the `(`.
    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<BodyStructure> {
        const RULE: &str = "body";
        c.expect(b'(', RULE, "'('")?;
        c.enter(RULE)?;
        skip_sp(c);
        let body = if c.peek() == Some(b'(') { parse_multipart(c)? } else { parse_single(c)? };
        c.leave();
        Ok(body)
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.byte(b'(');
        match self {
            BodyStructure::Single { media_type, subtype, fields, kind, extension } => {
                w.string(media_type).sp().string(subtype).sp();
                encode_params(&fields.params, w);
                w.sp().nstring(fields.id.as_ref()).sp();
                w.nstring(fields.description.as_ref()).sp();
                w.string(&fields.encoding).sp().number(u64::from(fields.octets));
                match kind {
                    SingleKind::Basic => {}
                    SingleKind::Text { lines } => {
                        w.sp().number(*lines);
                    }
                    SingleKind::Message { envelope, body, lines } => {
                        w.sp();
                        envelope.encode(w);
                        w.sp();
                        body.encode(w);
                        w.sp().number(*lines);
                    }
                }
                if let Some(ext) = extension {
                    w.sp().nstring(ext.md5.as_ref());
                    encode_more(&ext.more, w);
                }
            }
            BodyStructure::Multipart { parts, subtype, extension } => {
                for p in parts {
                    p.encode(w);
                }
                w.sp().string(subtype);
                if let Some(ext) = extension {
                    w.sp();
                    encode_params(&ext.params, w);
                    encode_more(&ext.more, w);
                }
            }
        }
        w.byte(b')');
    }
}

/// `body-type-1part` after the `(`, up to and including the `)`.
fn parse_single(c: &mut Cursor<'_>) -> PResult<BodyStructure> {
    const RULE: &str = "body-type-1part";
    let media_type = string_or_nil(c, "media-type")?;
    sp(c, RULE)?;
    let subtype = string_or_nil(c, "media-subtype")?;
    sp(c, RULE)?;
    let params = parse_params(c)?;
    sp(c, RULE)?;
    let id = c.nstring("body-fld-id")?;
    sp(c, RULE)?;
    let description = c.nstring("body-fld-desc")?;
    sp(c, RULE)?;
    let encoding = string_or_nil(c, "body-fld-enc")?;
    sp(c, RULE)?;
    let octets = c.number("body-fld-octets")?;
    let fields = BodyFields { params, id, description, encoding, octets };
    let mut kind = SingleKind::Basic;
    if !list_next(c, RULE)? {
        return Ok(BodyStructure::Single { media_type, subtype, fields, kind, extension: None });
    }
    if media_type.eq_ignore_case("TEXT") && matches!(c.peek(), Some(b'0'..=b'9')) {
        kind = SingleKind::Text { lines: c.number64("body-fld-lines")? };
    } else if media_type.eq_ignore_case("MESSAGE")
        && (subtype.eq_ignore_case("RFC822") || subtype.eq_ignore_case("GLOBAL"))
        && c.peek() == Some(b'(')
    {
        let envelope = Box::new(Envelope::parse(c)?);
        sp(c, "body-type-msg")?;
        let body = Box::new(BodyStructure::parse(c)?);
        sp(c, "body-type-msg")?;
        let lines = c.number64("body-fld-lines")?;
        kind = SingleKind::Message { envelope, body, lines };
    } else {
        let extension = parse_ext_1part(c)?;
        return Ok(BodyStructure::Single { media_type, subtype, fields, kind, extension });
    }
    if !list_next(c, RULE)? {
        return Ok(BodyStructure::Single { media_type, subtype, fields, kind, extension: None });
    }
    let extension = parse_ext_1part(c)?;
    Ok(BodyStructure::Single { media_type, subtype, fields, kind, extension })
}

/// `body-ext-1part` (at its first field) and the closing `)`.
fn parse_ext_1part(c: &mut Cursor<'_>) -> PResult<Option<Box<SingleExtension>>> {
    let md5 = c.nstring("body-fld-md5")?;
    let more = parse_more(c, "body-ext-1part")?;
    Ok(Some(Box::new(SingleExtension { md5, more })))
}

/// `body-type-mpart` after the `(`, at the first part, up to and
/// including the `)`.
fn parse_multipart(c: &mut Cursor<'_>) -> PResult<BodyStructure> {
    const RULE: &str = "body-type-mpart";
    let mut parts = Vec::new();
    loop {
        let part = BodyStructure::parse(c)?;
        c.push(&mut parts, part, RULE)?;
        skip_sp(c);
        if c.peek() != Some(b'(') {
            break;
        }
    }
    let subtype = string_or_nil(c, "media-subtype")?;
    if !list_next(c, RULE)? {
        return Ok(BodyStructure::Multipart { parts, subtype, extension: None });
    }
    let params = parse_params(c)?;
    let more = parse_more(c, "body-ext-mpart")?;
    Ok(BodyStructure::Multipart {
        parts,
        subtype,
        extension: Some(Box::new(MultipartExtension { params, more })),
    })
}

/// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP
/// body-extension)]]]` and the closing `)`.
fn parse_more(c: &mut Cursor<'_>, rule: &'static str) -> PResult<ExtensionData> {
    let mut more = ExtensionData::default();
    if !list_next(c, rule)? {
        return Ok(more);
    }
    more.disposition = parse_disposition(c)?;
    more.present = 1;
    if !list_next(c, rule)? {
        return Ok(more);
    }
    more.language = parse_language(c)?;
    more.present = 2;
    if !list_next(c, rule)? {
        return Ok(more);
    }
    more.location = c.nstring("body-fld-loc")?;
    more.present = 3;
    while list_next(c, rule)? {
        let v = ExtValue::parse(c)?;
        c.push(&mut more.extensions, v, "body-extension")?;
    }
    Ok(more)
}

fn encode_more(more: &ExtensionData, w: &mut Writer) {
    let n = more.count();
    if n >= 1 {
        w.sp();
        match &more.disposition {
            None => {
                w.raw(b"NIL");
            }
            Some(d) => {
                w.byte(b'(').string(&d.kind).sp();
                encode_params(&d.params, w);
                w.byte(b')');
            }
        }
    }
    if n >= 2 {
        w.sp();
        match &more.language {
            None => {
                w.raw(b"NIL");
            }
            Some(Language::One(s)) => {
                w.string(s);
            }
            Some(Language::List(v)) => {
                w.list(v, |w, s| {
                    w.string(s);
                });
            }
        }
    }
    if n >= 3 {
        w.sp().nstring(more.location.as_ref());
        for e in &more.extensions {
            w.sp();
            e.encode(w);
        }
    }
}

/// A `string`, with `NIL` read as the empty string.
fn string_or_nil(c: &mut Cursor<'_>, rule: &'static str) -> PResult<Str> {
    if c.nil() {
        return Ok(Str::with_form(Bytes::new(), Form::Quoted));
    }
    c.string(rule)
}

/// `body-fld-param`; `()` is kept as an empty list.
fn parse_params(c: &mut Cursor<'_>) -> PResult<BodyParams> {
    const RULE: &str = "body-fld-param";
    if c.nil() {
        return Ok(None);
    }
    c.expect(b'(', RULE, "'(' or NIL")?;
    let mut out = Vec::new();
    skip_sp(c);
    if c.eat(b')') {
        return Ok(Some(out));
    }
    loop {
        let name = c.string(RULE)?;
        sp(c, RULE)?;
        let value = string_or_nil(c, RULE)?;
        c.push(&mut out, (name, value), RULE)?;
        if !list_next(c, RULE)? {
            return Ok(Some(out));
        }
    }
}

fn encode_params(params: &BodyParams, w: &mut Writer) {
    match params {
        None => {
            w.raw(b"NIL");
        }
        Some(list) => {
            w.list(list, |w, (k, v)| {
                w.string(k).sp().string(v);
            });
        }
    }
}

/// `body-fld-dsp`; a bare string is taken as a disposition without
/// parameters.
fn parse_disposition(c: &mut Cursor<'_>) -> PResult<Option<Disposition>> {
    const RULE: &str = "body-fld-dsp";
    if c.nil() {
        return Ok(None);
    }
    if c.peek() != Some(b'(') {
        return Ok(Some(Disposition { kind: c.string(RULE)?, params: None }));
    }
    c.advance(1);
    skip_sp(c);
    let kind = c.string(RULE)?;
    sp(c, RULE)?;
    let params = parse_params(c)?;
    skip_sp(c);
    c.expect(b')', RULE, "')'")?;
    Ok(Some(Disposition { kind, params }))
}

/// `body-fld-lang`.
fn parse_language(c: &mut Cursor<'_>) -> PResult<Option<Language>> {
    const RULE: &str = "body-fld-lang";
    if c.nil() {
        return Ok(None);
    }
    if c.peek() != Some(b'(') {
        return Ok(Some(Language::One(c.string(RULE)?)));
    }
    c.advance(1);
    let mut out = Vec::new();
    skip_sp(c);
    if c.eat(b')') {
        return Ok(Some(Language::List(out)));
    }
    loop {
        let s = c.string(RULE)?;
        c.push(&mut out, s, RULE)?;
        if !list_next(c, RULE)? {
            return Ok(Some(Language::List(out)));
        }
    }
}
