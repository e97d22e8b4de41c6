//! Header fields: the splitter (exact bytes and offsets, in order) and the
//! typed accessors built on it.
//!
//! There is one header splitter in the suite: DKIM signing and verification
//! (`mailwire-auth`) read the same [`HeaderField`]s, so the bytes they hash
//! are exactly the bytes that arrived.

use std::borrow::Cow;

use crate::address::{self, Address};
use crate::content_type::{self, ContentDisposition, ContentType};
use crate::date::{self, DateTime};
use crate::defect::{Defect, DefectKind};
use crate::encoded_word::decode_unstructured;
use crate::ids;
use crate::limits::Limits;
use crate::list::{self, ListId};
use crate::received::{self, Received};

/// One header field, borrowed from the message bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderField<'a> {
    /// Validated as printable ASCII by the splitter.
    name: &'a [u8],
    field: &'a [u8],
    value_start: usize,
    value_end: usize,
    offset: usize,
}

impl<'a> HeaderField<'a> {
    /// The field name as written (without trailing whitespace before `:`).
    pub fn name(&self) -> &'a str {
        // Printable ASCII (checked when the header was split): always UTF-8.
        std::str::from_utf8(self.name).unwrap_or("")
    }

    /// Whether the name equals `name`, ignoring ASCII case.
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }

    /// The raw value: every byte after the `:` up to, not including, the
    /// line break that ends the field. Folding is kept.
    pub fn raw_value(&self) -> &'a [u8] {
        &self.field[self.value_start..self.value_end]
    }

    /// The whole field exactly as received: name, colon, value, folding and
    /// the final line break (what DKIM `simple` canonicalisation hashes).
    pub fn raw_field(&self) -> &'a [u8] {
        self.field
    }

    /// Byte offset of the field's first byte in the parsed input.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Byte offset of the value (just after the `:`).
    pub fn value_offset(&self) -> usize {
        self.offset + self.value_start
    }

    /// Byte offset just past the field's final line break.
    pub fn end_offset(&self) -> usize {
        self.offset + self.field.len()
    }

    /// The value unfolded (line breaks before whitespace removed, RFC 5322
    /// §2.2.3) but otherwise raw; leading and trailing whitespace trimmed.
    pub fn unfolded(&self) -> Cow<'a, [u8]> {
        unfold(self.raw_value())
    }

    /// The value as unstructured text: unfolded, encoded words and raw
    /// 8-bit decoded (see [`decode_unstructured`]).
    pub fn text(&self) -> Cow<'a, str> {
        decode_unstructured(self.raw_value())
    }

    /// The value as an address list (From, To, Cc, Reply-To, …).
    pub fn addresses(&self) -> Vec<Address<'a>> {
        address::parse_address_list(self.raw_value())
    }

    /// The value as a date (Date, Resent-Date, …).
    pub fn date(&self) -> Option<DateTime> {
        date::parse_date(self.raw_value())
    }

    /// The value as a list of message ids, without angle brackets.
    pub fn ids(&self) -> Vec<Cow<'a, str>> {
        ids::parse_message_ids(self.raw_value())
    }
}

/// Removes folding: every CR and LF, keeping the whitespace that follows.
/// Also trims both ends.
pub fn unfold(raw: &[u8]) -> Cow<'_, [u8]> {
    let raw = raw.trim_ascii();
    if memchr::memchr2(b'\r', b'\n', raw).is_none() {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(raw.iter().copied().filter(|&b| b != b'\r' && b != b'\n').collect())
}

/// The header fields of one entity, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers<'a> {
    fields: Vec<HeaderField<'a>>,
}

impl<'a> Headers<'a> {
    /// Every field in order.
    pub fn iter(&self) -> std::slice::Iter<'_, HeaderField<'a>> {
        self.fields.iter()
    }

    /// The fields as a slice.
    pub fn as_slice(&self) -> &[HeaderField<'a>] {
        &self.fields
    }

    /// How many fields there are.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The first field with this name (ASCII case-insensitive).
    pub fn get(&self, name: &str) -> Option<&HeaderField<'a>> {
        self.fields.iter().find(|f| f.is(name))
    }

    /// Every field with this name, in order.
    pub fn get_all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s HeaderField<'a>> + 's {
        self.fields.iter().filter(move |f| f.is(name))
    }

    /// The first field's raw value.
    pub fn get_raw(&self, name: &str) -> Option<&'a [u8]> {
        self.get(name).map(|f| f.raw_value())
    }

    fn addresses(&self, name: &str) -> Vec<Address<'a>> {
        self.get(name).map(|f| f.addresses()).unwrap_or_default()
    }

    /// `From:` addresses.
    pub fn from(&self) -> Vec<Address<'a>> {
        self.addresses("From")
    }

    /// `Sender:` addresses.
    pub fn sender(&self) -> Vec<Address<'a>> {
        self.addresses("Sender")
    }

    /// `Reply-To:` addresses.
    pub fn reply_to(&self) -> Vec<Address<'a>> {
        self.addresses("Reply-To")
    }

    /// `To:` addresses.
    pub fn to(&self) -> Vec<Address<'a>> {
        self.addresses("To")
    }

    /// `Cc:` addresses.
    pub fn cc(&self) -> Vec<Address<'a>> {
        self.addresses("Cc")
    }

    /// `Bcc:` addresses.
    pub fn bcc(&self) -> Vec<Address<'a>> {
        self.addresses("Bcc")
    }

    /// `Subject:` decoded.
    pub fn subject(&self) -> Option<Cow<'a, str>> {
        self.get("Subject").map(|f| f.text())
    }

    /// `Date:` parsed; `None` when absent or unreadable.
    pub fn date(&self) -> Option<DateTime> {
        self.get("Date").and_then(|f| f.date())
    }

    /// `Message-ID:` without angle brackets.
    pub fn message_id(&self) -> Option<Cow<'a, str>> {
        self.get("Message-ID").and_then(|f| ids::parse_message_id(f.raw_value()))
    }

    /// `In-Reply-To:` ids.
    pub fn in_reply_to(&self) -> Vec<Cow<'a, str>> {
        self.get("In-Reply-To").map(|f| f.ids()).unwrap_or_default()
    }

    /// `References:` ids, oldest first.
    pub fn references(&self) -> Vec<Cow<'a, str>> {
        self.get("References").map(|f| f.ids()).unwrap_or_default()
    }

    /// `Received:` fields parsed, newest (topmost) first.
    pub fn received(&self) -> impl Iterator<Item = Received<'a>> + '_ {
        self.get_all("Received").map(|f| received::parse_received(f.raw_value()))
    }

    /// `List-Id:` (RFC 2919).
    pub fn list_id(&self) -> Option<ListId<'a>> {
        self.get("List-Id").and_then(|f| list::parse_list_id(f.raw_value()))
    }

    /// The URLs of a `List-*` field (RFC 2369): `List-Unsubscribe`,
    /// `List-Post`, `List-Help`, `List-Subscribe`, `List-Owner`,
    /// `List-Archive`.
    pub fn list_urls(&self, name: &str) -> Vec<Cow<'a, str>> {
        self.get(name).map(|f| list::parse_list_urls(f.raw_value())).unwrap_or_default()
    }

    /// `Content-Type:` parsed, if present and readable.
    pub fn content_type(&self) -> Option<ContentType<'a>> {
        self.get("Content-Type").and_then(|f| content_type::parse_content_type(f.raw_value()))
    }

    /// `Content-Disposition:` parsed.
    pub fn content_disposition(&self) -> Option<ContentDisposition<'a>> {
        self.get("Content-Disposition").and_then(|f| content_type::parse_content_disposition(f.raw_value()))
    }

    /// `Content-Transfer-Encoding:` as a trimmed token (comments dropped).
    pub fn content_transfer_encoding(&self) -> Option<&'a str> {
        let raw = self.get_raw("Content-Transfer-Encoding")?;
        let tok = token_before_comment(raw);
        if tok.is_empty() { None } else { std::str::from_utf8(tok).ok() }
    }

    /// `Content-ID:` without angle brackets.
    pub fn content_id(&self) -> Option<Cow<'a, str>> {
        self.get("Content-ID").and_then(|f| ids::parse_message_id(f.raw_value()))
    }

    /// `Content-Description:` decoded.
    pub fn content_description(&self) -> Option<Cow<'a, str>> {
        self.get("Content-Description").map(|f| f.text())
    }

    /// `Content-Location:` unfolded.
    pub fn content_location(&self) -> Option<Cow<'a, str>> {
        self.get("Content-Location").map(|f| f.text())
    }

    /// `Content-Language:` tags.
    pub fn content_language(&self) -> Vec<&'a str> {
        self.get_raw("Content-Language")
            .and_then(|raw| std::str::from_utf8(raw).ok())
            .map(|s| s.split(',').map(str::trim).filter(|t| !t.is_empty()).collect())
            .unwrap_or_default()
    }

    /// `Keywords:` phrases, decoded (every Keywords field, in order).
    pub fn keywords(&self) -> Vec<Cow<'a, str>> {
        self.get_all("Keywords").flat_map(|f| crate::encoded_word::decode_text_list(f.raw_value())).collect()
    }

    /// `Comments:` decoded.
    pub fn comments(&self) -> Option<Cow<'a, str>> {
        self.get("Comments").map(|f| f.text())
    }

    /// `MIME-Version:` as written (trimmed).
    pub fn mime_version(&self) -> Option<&'a str> {
        let raw = self.get_raw("MIME-Version")?;
        std::str::from_utf8(token_before_comment(raw)).ok()
    }
}

impl<'s, 'a> IntoIterator for &'s Headers<'a> {
    type Item = &'s HeaderField<'a>;
    type IntoIter = std::slice::Iter<'s, HeaderField<'a>>;
    fn into_iter(self) -> Self::IntoIter {
        self.fields.iter()
    }
}

/// The first token of a value, before any `(comment)`, trimmed.
fn token_before_comment(raw: &[u8]) -> &[u8] {
    let end = memchr::memchr(b'(', raw).unwrap_or(raw.len());
    let tok = raw[..end].trim_ascii();
    // Folding inside a token is not meaningful; stop at the first whitespace.
    let stop = tok.iter().position(|b| b.is_ascii_whitespace()).unwrap_or(tok.len());
    &tok[..stop]
}

/// Splits the header block that starts at `start` in `input` (and may not
/// run past `end`). Returns the fields and the offset where the body starts.
pub(crate) fn split_headers<'a>(
    input: &'a [u8],
    start: usize,
    end: usize,
    limits: &Limits,
    defects: &mut Vec<Defect>,
) -> (Headers<'a>, usize) {
    let mut fields: Vec<HeaderField<'a>> = Vec::with_capacity(16);
    let mut pos = start;
    let mut too_many = false;
    // The field being accumulated: (start, colon, name).
    let mut open: Option<(usize, usize, &'a [u8])> = None;
    let mut close = |open: &mut Option<(usize, usize, &'a [u8])>,
                     upto: usize,
                     fields: &mut Vec<HeaderField<'a>>,
                     defects: &mut Vec<Defect>| {
        if let Some((fstart, colon, name)) = open.take() {
            if upto - fstart > limits.max_header_size {
                defects.push(Defect { kind: DefectKind::HeaderTooLong, offset: fstart });
                return;
            }
            if fields.len() >= limits.max_headers {
                if !too_many {
                    too_many = true;
                    defects.push(Defect { kind: DefectKind::TooManyHeaders, offset: fstart });
                }
                return;
            }
            let field = &input[fstart..upto];
            let mut value_end = field.len();
            if field.ends_with(b"\n") {
                value_end -= 1;
                if field[..value_end].ends_with(b"\r") {
                    value_end -= 1;
                }
            }
            fields.push(HeaderField {
                name,
                field,
                value_start: colon - fstart + 1,
                value_end: value_end.max(colon - fstart + 1),
                offset: fstart,
            });
        }
    };
    // The loop ends with (where the body starts, where the last field ends).
    let (body_start, field_end) = loop {
        if pos >= end {
            if !(fields.is_empty() && open.is_none() && pos == start) {
                defects.push(Defect { kind: DefectKind::NoBody, offset: end });
            }
            break (end, end);
        }
        let next = match memchr::memchr(b'\n', &input[pos..end]) {
            Some(i) => pos + i + 1,
            None => end,
        };
        let line = &input[pos..next];
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if content.is_empty() {
            break (next, pos);
        }
        if content[0] == b' ' || content[0] == b'\t' {
            if open.is_none() && pos == start {
                defects.push(Defect { kind: DefectKind::FirstLineIsContinuation, offset: pos });
            }
            // A continuation line extends the open field (if any).
            pos = next;
            continue;
        }
        if pos == start && content.starts_with(b"From ") {
            // An mbox envelope line left on the message: not a header.
            pos = next;
            continue;
        }
        let Some(colon) = memchr::memchr(b':', content) else {
            // Not a field: the body starts here (no empty line before it).
            defects.push(Defect { kind: DefectKind::MissingHeaderBodySeparator, offset: pos });
            break (pos, pos);
        };
        close(&mut open, pos, &mut fields, defects);
        let name = content[..colon].trim_ascii_end();
        if !name.is_empty() && name.iter().all(|&b| (33..=126).contains(&b)) {
            // Validated as printable ASCII just above.
            open = Some((pos, pos + colon, name));
        } else {
            // `Fr om: x`, `:x`, names with controls or 8-bit bytes: a broken
            // field, skipped (with its continuation lines) so that it can
            // neither smuggle a header in nor end the header block.
            defects.push(Defect { kind: DefectKind::InvalidHeaderName, offset: pos });
        }
        pos = next;
    };
    close(&mut open, field_end, &mut fields, defects);
    (Headers { fields }, body_start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &[u8]) -> (Headers<'_>, usize, Vec<Defect>) {
        let mut d = Vec::new();
        let (h, b) = split_headers(input, 0, input.len(), &Limits::DEFAULT, &mut d);
        (h, b, d)
    }

    #[test]
    fn exact_bytes_and_offsets() {
        let msg = b"From: a@b\r\nSubject: hi\r\n there\r\n\r\nbody";
        let (h, body, d) = split(msg);
        assert!(d.is_empty());
        assert_eq!(h.len(), 2);
        assert_eq!(h.as_slice()[0].raw_field(), b"From: a@b\r\n");
        assert_eq!(h.as_slice()[1].raw_value(), b" hi\r\n there");
        assert_eq!(h.as_slice()[1].offset(), 11);
        assert_eq!(h.as_slice()[1].value_offset(), 19);
        assert_eq!(h.as_slice()[1].end_offset(), 32);
        assert_eq!(&msg[body..], b"body");
        assert_eq!(h.subject().as_deref(), Some("hi there"));
    }

    #[test]
    fn lf_only_and_missing_separator() {
        let (h, body, d) = split(b"A: 1\nB: 2\nnot a header\nmore");
        assert_eq!(h.len(), 2);
        assert_eq!(body, 10);
        assert_eq!(d[0].kind, DefectKind::MissingHeaderBodySeparator);
    }

    #[test]
    fn headers_without_body() {
        let (h, body, d) = split(b"A: 1\r\nB: 2");
        assert_eq!(h.len(), 2);
        assert_eq!(h.as_slice()[1].raw_value(), b" 2");
        assert_eq!(body, 10);
        assert_eq!(d[0].kind, DefectKind::NoBody);
    }

    #[test]
    fn limits_are_defects() {
        let mut d = Vec::new();
        let input = b"A: 1\nB: 2\nC: 3\n\n";
        let limits = Limits::DEFAULT.with_max_headers(2);
        let (h, _) = split_headers(input, 0, input.len(), &limits, &mut d);
        assert_eq!(h.len(), 2);
        assert_eq!(d[0].kind, DefectKind::TooManyHeaders);
    }
}
