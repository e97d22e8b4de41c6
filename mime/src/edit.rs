//! Editing a parsed message without disturbing what is not edited.
//!
//! An [`Editor`] borrows a parsed [`Message`] and records edits as
//! *splices*: a byte range of the input and the bytes that replace it (an
//! empty range is an insertion, empty bytes a removal). Writing the result
//! ([`Editor::to_vec`], [`Editor::write_to`]) copies the input and applies
//! the splices, so the guarantee is simple:
//!
//! **every byte outside an edited range is copied unchanged, in order.**
//!
//! Header fields that are not edited keep their exact bytes (folding,
//! spacing, case, line breaks) and their order, so a DKIM signature over
//! untouched fields still verifies, as long as no field the signature signs
//! is changed, removed or added (verifiers take the *bottom-most* instance
//! of each signed name, so a field prepended at the top with
//! [`Editor::prepend_header`], where trace fields and `DKIM-Signature` go,
//! leaves them alone) and, for the body hash, the body is not touched.
//!
//! What the editor writes is written with the message's own line ending
//! (CRLF or LF, detected from its header block) and the builder's rules:
//! text values become RFC 2047 encoded words where they must and are folded
//! at 78 ([`FOLD_AT`](crate::build::FOLD_AT)); a value can never add a
//! header field (a line break ends up inside an encoded word, or a raw value
//! with one is refused); new parts get the lightest transfer encoding their
//! content allows and must not hold the boundary of any multipart they sit
//! in ([`BuildError::BoundaryInContent`]).
//!
//! Part ids are those of the parsed message: they do not shift when parts
//! are added or removed.
//!
//! ```
//! use mailwire_mime::{Editor, Message};
//!
//! let raw = b"Received: from mx.example.com by mail.example.org; Tue, 1 Dec 2026 08:00:01 +0100\r\n\
//! DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; h=from:to:date;\r\n\
//! \tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA==\r\n\
//! From: Ann <ann@example.com>\r\n\
//! To: bob@example.org\r\n\
//! Date: Tue, 1 Dec 2026 08:00:00 +0100\r\n\
//! Subject: Report\r\n\
//! \r\n\
//! Numbers attached.\r\n";
//!
//! let msg = Message::parse(raw);
//! let old = msg.headers().get("Subject").unwrap();
//! let (start, end) = (old.offset(), old.end_offset());
//!
//! let mut editor = Editor::new(&msg);
//! editor.set_header(0, "Subject", "Bericht für März")?;
//! let out = editor.to_vec();
//!
//! // Only the Subject field's bytes changed: everything before and after it
//! // (the DKIM-Signature and the fields it signs included) is identical.
//! let tail = raw.len() - end;
//! assert_eq!(&out[..start], &raw[..start]);
//! assert_eq!(&out[out.len() - tail..], &raw[end..]);
//! assert_eq!(&out[start..out.len() - tail], b"Subject: Bericht =?utf-8?q?f=C3=BCr_M=C3=A4rz?=\r\n");
//! assert_eq!(Message::parse(&out).subject().as_deref(), Some("Bericht für März"));
//! # Ok::<(), mailwire_mime::build::BuildError>(())
//! ```
//!
//! ## How edits combine
//!
//! The splices are kept sorted by position and never overlap. Edits are
//! resolved against the message *as edited so far*:
//!
//! - header edits see the part's fields as they will be written: a field
//!   set or added earlier is found (and replaced) by a later
//!   [`set_header`](Editor::set_header), removed by a later
//!   [`remove_header`](Editor::remove_header); a removed field is no longer
//!   there to set (setting that name again adds a field at the end);
//! - removing or replacing a part drops every earlier edit inside it; after
//!   that, edits inside it are refused with a typed error (and
//!   [`remove_header`](Editor::remove_header) there removes nothing);
//! - at one position, fields prepended at the top of the header come first
//!   (the newest topmost), then fields appended at its end (in call order),
//!   then new content; an insertion at the start of a replaced range comes
//!   before it.
//!
//! Every method checks everything before it records anything: an edit that
//! fails leaves the editor as it was.

use std::io::Write;

use crate::build::message::{write_raw_field, write_text_field};
use crate::build::part::{Render, splitmix, write_checked};
use crate::build::{BuildError, LineEnding, PartBuilder};
use crate::message::{Message, Part, PartBody, PartId};

/// What a splice does, and to which part of the parsed message.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tag {
    /// Replaces (or, with empty bytes, removes) the parsed field `index` of
    /// `part`; the range is the field's bytes.
    Field { part: PartId, index: usize },
    /// A field added to `part`'s header block (an insertion).
    Added { part: PartId, name: String },
    /// `part` rewritten: its header and body, or for a message's top-level
    /// entity the blank line and body after its kept fields.
    Replaced(PartId),
    /// `part` removed, with its delimiter line.
    Removed(PartId),
    /// A part added to the multipart `part` (an insertion before its close
    /// delimiter).
    NewChild(PartId),
}

impl Tag {
    fn part(&self) -> PartId {
        match self {
            Tag::Field { part, .. } | Tag::Added { part, .. } => *part,
            Tag::Replaced(p) | Tag::Removed(p) | Tag::NewChild(p) => *p,
        }
    }
}

/// Where insertions at one position go relative to each other.
const RANK_TOP: u8 = 0;
const RANK_BOTTOM: u8 = 1;
const RANK_CONTENT: u8 = 2;

/// One edit: `start..end` of the input is replaced by `bytes`.
#[derive(Debug, Clone)]
struct Splice {
    start: usize,
    end: usize,
    bytes: Vec<u8>,
    /// Order among insertions at the same position (see the `RANK_*`).
    rank: u8,
    tag: Tag,
}

/// Edits a parsed message: header fields set, added and removed, parts
/// replaced, removed and added, with every byte that is not edited written
/// back exactly as it was (see the [module documentation](self)).
///
/// ```
/// use mailwire_mime::build::PartBuilder;
/// use mailwire_mime::{Editor, Message};
///
/// let raw = b"Subject: hi\nContent-Type: multipart/mixed; boundary=XYZ\n\n--XYZ\n\nhello\n--XYZ--\n";
/// let msg = Message::parse(raw);
/// let mut editor = Editor::new(&msg);
/// editor.prepend_header("X-Spam-Score", "0.1")?;
/// editor.add_part(0, &PartBuilder::text("P.S. see you").attachment("ps.txt"))?;
/// let out = editor.to_vec();
/// let edited = Message::parse(&out);
/// assert!(out.starts_with(b"X-Spam-Score: 0.1\nSubject: hi\n"));
/// assert_eq!(edited.children(0).len(), 2);
/// assert_eq!(edited.attachments().next().unwrap().filename().as_deref(), Some("ps.txt"));
/// # Ok::<(), mailwire_mime::build::BuildError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Editor<'m, 'a> {
    msg: &'m Message<'a>,
    eol: &'static [u8],
    allow_8bit: bool,
    seed: u64,
    /// Sorted by position, never overlapping (see [`Editor::insert`]).
    splices: Vec<Splice>,
}

/// The error for an edit the editor refuses (an unknown part, a part
/// already removed or replaced, a structure it cannot edit safely).
fn refused(part: PartId, reason: &'static str) -> BuildError {
    BuildError::Edit { part, reason }
}

impl<'m, 'a> Editor<'m, 'a> {
    /// An editor with no edits yet. The line ending of everything it writes
    /// is the one of the message's first header line (CRLF when there is
    /// none). Bodies of new parts are 7-bit clean unless
    /// [`allow_8bit`](Self::allow_8bit) is set.
    pub fn new(msg: &'m Message<'a>) -> Self {
        let input = msg.input();
        let seed = splitmix(
            input
                .iter()
                .fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)),
        );
        Editor { msg, eol: detect_eol(msg), allow_8bit: false, seed, splices: Vec::new() }
    }

    /// Allows `8bit` bodies in parts written by [`replace_part`](Self::replace_part)
    /// and [`add_part`](Self::add_part) (the transport announced 8BITMIME).
    pub fn allow_8bit(&mut self, yes: bool) -> &mut Self {
        self.allow_8bit = yes;
        self
    }

    /// The line ending the editor writes (the message's own).
    pub fn line_ending(&self) -> LineEnding {
        if self.eol == b"\n" { LineEnding::Lf } else { LineEnding::Crlf }
    }

    /// The message being edited.
    pub fn message(&self) -> &'m Message<'a> {
        self.msg
    }

    /// Whether no edit has been recorded (the output equals the input).
    pub fn is_unchanged(&self) -> bool {
        self.splices.is_empty()
    }

    /// Sets the field `name` of `part` to `value`, written as unstructured
    /// text (RFC 2047 encoded words where needed, folded at 78).
    ///
    /// The *first* field of that name (ASCII case-insensitive, in the part
    /// as edited so far) is replaced in place, keeping its position; any
    /// further fields of that name are left alone. When there is none, the
    /// field is appended at the end of the part's header block. For
    /// structured values (addresses, ids, parameters) written exactly as
    /// given, use [`set_header_raw`](Self::set_header_raw).
    ///
    /// Changing `Content-Type` or `Content-Transfer-Encoding` changes how
    /// the part's existing body is read; that is the caller's intent, and is
    /// not checked.
    pub fn set_header(&mut self, part: PartId, name: &str, value: &str) -> Result<&mut Self, BuildError> {
        let mut bytes = Vec::new();
        write_text_field(&mut bytes, self.eol, name, value)?;
        self.set_field(part, name, bytes)?;
        Ok(self)
    }

    /// Like [`set_header`](Self::set_header), with the value written exactly
    /// as given (already in wire form, folding included). Refused if it
    /// holds a CR or LF that is not folding, a NUL, or a line past 998
    /// octets.
    pub fn set_header_raw(
        &mut self,
        part: PartId,
        name: &str,
        value: &[u8],
    ) -> Result<&mut Self, BuildError> {
        let mut bytes = Vec::new();
        write_raw_field(&mut bytes, self.eol, name, value)?;
        self.set_field(part, name, bytes)?;
        Ok(self)
    }

    /// Adds a field at the top of the message's header block, where trace
    /// fields (`Received`, `Authentication-Results`) and `DKIM-Signature`
    /// go. A later prepend goes above an earlier one. An mbox `From ` line
    /// at the very start stays first.
    pub fn prepend_header(&mut self, name: &str, value: &str) -> Result<&mut Self, BuildError> {
        self.check_header_edit(0, name)?;
        let mut bytes = Vec::new();
        write_text_field(&mut bytes, self.eol, name, value)?;
        self.add_field(0, name, bytes, RANK_TOP)?;
        Ok(self)
    }

    /// Adds a field at the end of `part`'s header block (after every other
    /// field, including ones appended earlier), whatever fields of that
    /// name there are.
    pub fn append_header(&mut self, part: PartId, name: &str, value: &str) -> Result<&mut Self, BuildError> {
        self.check_header_edit(part, name)?;
        let mut bytes = Vec::new();
        write_text_field(&mut bytes, self.eol, name, value)?;
        self.check_outer(part, &bytes)?;
        self.add_field(part, name, bytes, RANK_BOTTOM)?;
        Ok(self)
    }

    /// Removes every field named `name` (ASCII case-insensitive) from
    /// `part`, each with its folded lines and line break, and returns how
    /// many were removed: fields of the parsed message and fields added by
    /// this editor alike. Nothing is removed (0) from a part that is unknown,
    /// was removed or replaced, or lies inside one that was.
    pub fn remove_header(&mut self, part: PartId, name: &str) -> usize {
        let Some(p) = self.msg.part(part) else { return 0 };
        if self.check_live(part).is_err() || (self.is_replaced(part) && !self.is_top(part)) {
            return 0;
        }
        let before = self.splices.len();
        self.splices.retain(|s| !matches!(&s.tag, Tag::Added { part: q, name: n } if *q == part && n.eq_ignore_ascii_case(name)));
        let mut removed = before - self.splices.len();
        for (index, f) in p.headers().iter().enumerate() {
            if f.is(name)
                && !self.field_removed(part, index)
                && self.put_field(part, index, Vec::new()).is_ok()
            {
                removed += 1;
            }
        }
        removed
    }

    /// Rewrites `part` as `with` (its header fields and its body), written
    /// with the message's line ending. The new content must not hold the
    /// boundary of any multipart the part sits in.
    ///
    /// For the top-level entity of a message (the root, or the root of a
    /// nested `message/rfc822`), the header fields that belong to the
    /// *message* are kept in place, byte for byte: everything but the
    /// `Content-*` fields, which describe the body being replaced and are
    /// removed (so `From`, `Subject`, `Received`, `DKIM-Signature`,
    /// `MIME-Version`, … stay where they were). The new part's fields follow
    /// them, then its body. `MIME-Version: 1.0` is added when the message
    /// has none. After this, `Content-*` fields of that entity can no longer
    /// be edited (they come from `with`); its other fields can.
    ///
    /// Any other part is replaced whole, header and body; earlier edits
    /// inside it are dropped, later ones refused. Replacing a part again
    /// replaces the earlier replacement.
    pub fn replace_part(&mut self, part: PartId, with: &PartBuilder<'_>) -> Result<&mut Self, BuildError> {
        let p = self.part(part)?;
        self.check_live(part)?;
        let outer = self.delimiters_around(part, false);
        let mut bytes = Vec::new();
        self.render(with, &outer, &mut bytes)?;
        let msg = self.msg;
        if self.is_top(part) {
            let start = header_end(msg.input(), p);
            self.transact(|ed| {
                ed.splices.retain(|s| {
                    let q = s.tag.part();
                    let content_field = matches!(&s.tag, Tag::Added { name, .. } if is_content_field(name));
                    !((q != part && within(msg, q, part))
                        || (q == part
                            && (matches!(s.tag, Tag::Replaced(_) | Tag::NewChild(_)) || content_field)))
                });
                for (index, f) in p.headers().iter().enumerate() {
                    if is_content_field(f.name()) && !ed.field_removed(part, index) {
                        ed.put_field(part, index, Vec::new())?;
                    }
                }
                if ed.first_in_view(part, "MIME-Version").is_none() {
                    let mut mv = b"MIME-Version: 1.0".to_vec();
                    mv.extend_from_slice(ed.eol);
                    ed.add_field(part, "MIME-Version", mv, RANK_BOTTOM)?;
                }
                let s = Splice {
                    start,
                    end: p.end_offset(),
                    bytes,
                    rank: RANK_CONTENT,
                    tag: Tag::Replaced(part),
                };
                ed.insert(s)
            })?;
        } else {
            let s = Splice {
                start: p.header_offset(),
                end: p.end_offset(),
                bytes,
                rank: RANK_CONTENT,
                tag: Tag::Replaced(part),
            };
            self.transact(|ed| {
                ed.splices.retain(|s| !within(msg, s.tag.part(), part));
                ed.insert(s)
            })?;
        }
        Ok(self)
    }

    /// Removes a child of a multipart, with its delimiter line, as if it had
    /// never been there: the bytes around it are untouched. Refuses the
    /// root, a part that is not a child of a multipart (the root of a nested
    /// message: remove the `message/rfc822` part instead), and the last
    /// remaining child of a multipart ([`BuildError::EmptyMultipart`]:
    /// RFC 2046 requires at least one; counting children removed and added
    /// by this editor). When the multipart has no close delimiter and the
    /// part is its last child, the part's delimiter line becomes the close
    /// delimiter.
    pub fn remove_part(&mut self, part: PartId) -> Result<&mut Self, BuildError> {
        if part == 0 {
            return Err(refused(0, "the root cannot be removed (replace it instead)"));
        }
        let p = self.part(part)?;
        self.check_live(part)?;
        let not_child = || refused(part, "only a child of a multipart can be removed");
        let parent_id = p.parent().ok_or_else(not_child)?;
        let parent = self.part(parent_id)?;
        let PartBody::Multipart { children, preamble, .. } = parent.body() else {
            return Err(not_child());
        };
        let k = children.iter().position(|&c| c == part).ok_or_else(not_child)?;
        let boundary = boundary_of(parent).ok_or_else(not_child)?;
        let gone = children.iter().filter(|&&c| self.has(&Tag::Removed(c))).count();
        let added = self.splices.iter().filter(|s| s.tag == Tag::NewChild(parent_id)).count();
        if (children.len() + added).saturating_sub(gone) <= 1 {
            return Err(BuildError::EmptyMultipart { content_type: parent.content_type().mime_type() });
        }
        let input = self.msg.input();
        let prev_end = match k.checked_sub(1).and_then(|j| children.get(j)) {
            Some(&prev) => self.part(prev)?.end_offset(),
            None => preamble.end,
        };
        let start = after_line_break(input, prev_end);
        if !delimiter_at(input, start, boundary) {
            return Err(refused(part, "its delimiter line is not where the parse put it"));
        }
        let (end, bytes) = if p.end_offset() < parent.end_offset() {
            let next = after_line_break(input, p.end_offset());
            if !delimiter_at(input, next, boundary) {
                return Err(refused(part, "the next delimiter line is not where the parse put it"));
            }
            (next, Vec::new())
        } else {
            // The part runs to the end of an unclosed multipart: its
            // delimiter line becomes the close delimiter, so that the part
            // before keeps its content exactly.
            (p.end_offset(), [b"--", boundary, b"--"].concat())
        };
        let msg = self.msg;
        let s = Splice { start, end, bytes, rank: RANK_CONTENT, tag: Tag::Removed(part) };
        self.transact(|ed| {
            ed.splices.retain(|s| !within(msg, s.tag.part(), part));
            ed.insert(s)
        })?;
        Ok(self)
    }

    /// Adds `part` to the multipart `multipart`, after its last child (and
    /// after parts added earlier), just before the close delimiter, written
    /// with the message's line ending. The new part must not hold the
    /// boundary of that multipart or of any multipart around it.
    ///
    /// Refused for a part that is not a multipart (or whose parts could not
    /// be found), for a multipart with no close delimiter (where the new
    /// part would end is then unclear: a truncated message), and for a
    /// multipart that was replaced or removed.
    pub fn add_part(&mut self, multipart: PartId, part: &PartBuilder<'_>) -> Result<&mut Self, BuildError> {
        let m = self.part(multipart)?;
        self.check_live(multipart)?;
        if self.is_replaced(multipart) {
            return Err(refused(multipart, "the multipart was replaced"));
        }
        let PartBody::Multipart { children, preamble, epilogue } = m.body() else {
            return Err(refused(multipart, "not a multipart"));
        };
        let boundary = boundary_of(m).ok_or_else(|| refused(multipart, "not a multipart"))?;
        let last_end = match children.last() {
            Some(&c) => self.part(c)?.end_offset(),
            None => preamble.end,
        };
        let input = self.msg.input();
        let at = after_line_break(input, last_end);
        let closed = epilogue.is_some()
            && delimiter_at(input, at, boundary)
            && input.get(at + 2 + boundary.len()..).is_some_and(|r| r.starts_with(b"--"));
        if !closed {
            return Err(refused(multipart, "the multipart has no close delimiter"));
        }
        let outer = self.delimiters_around(multipart, true);
        let mut bytes = [b"--", boundary, self.eol].concat();
        self.render(part, &outer, &mut bytes)?;
        bytes.extend_from_slice(self.eol);
        self.insert(Splice { start: at, end: at, bytes, rank: RANK_CONTENT, tag: Tag::NewChild(multipart) })?;
        Ok(self)
    }

    /// The edited message.
    pub fn to_vec(&self) -> Vec<u8> {
        let chunks = self.chunks();
        let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
        for c in chunks {
            out.extend_from_slice(c);
        }
        out
    }

    /// Writes the edited message to `w`, without building it in memory.
    pub fn write_to<W: Write>(&self, mut w: W) -> std::io::Result<()> {
        for c in self.chunks() {
            w.write_all(c)?;
        }
        Ok(())
    }

    /// The output as a list of byte slices: untouched input between the
    /// splices, and the splices' bytes. Every splice starts a line: where
    /// the output before it does not end with a line break (a header block
    /// or a part that ends without one), one is written first.
    fn chunks(&self) -> Vec<&[u8]> {
        let input = self.msg.input();
        let mut out: Vec<&[u8]> = Vec::with_capacity(self.splices.len() * 3 + 1);
        let mut pos = 0;
        let mut last: Option<u8> = None;
        for s in &self.splices {
            let kept = input.get(pos..s.start).unwrap_or_default();
            if let Some(&b) = kept.last() {
                last = Some(b);
            }
            out.push(kept);
            if let Some(&b) = s.bytes.last() {
                if last.is_some_and(|l| l != b'\n') {
                    out.push(self.eol);
                }
                out.push(&s.bytes);
                last = Some(b);
            }
            pos = pos.max(s.end);
        }
        out.push(input.get(pos..).unwrap_or_default());
        out
    }

    fn part(&self, id: PartId) -> Result<&'m Part<'a>, BuildError> {
        self.msg.part(id).ok_or_else(|| refused(id, "no such part in the parsed message"))
    }

    /// Whether `id` is the top-level entity of a message: the root, or the
    /// root of a nested message/rfc822 or message/global.
    fn is_top(&self, id: PartId) -> bool {
        match self.msg.part(id).and_then(Part::parent) {
            None => true,
            Some(parent) => matches!(self.msg.part(parent).map(Part::body), Some(PartBody::Message { .. })),
        }
    }

    fn has(&self, tag: &Tag) -> bool {
        self.splices.iter().any(|s| &s.tag == tag)
    }

    fn is_replaced(&self, id: PartId) -> bool {
        self.has(&Tag::Replaced(id))
    }

    /// Refuses edits in a part that was removed, or that lies inside a part
    /// that was removed or replaced.
    fn check_live(&self, id: PartId) -> Result<(), BuildError> {
        self.part(id)?;
        let mut cur = Some(id);
        while let Some(p) = cur {
            if self.has(&Tag::Removed(p)) {
                return Err(refused(
                    id,
                    if p == id { "the part was removed" } else { "an enclosing part was removed" },
                ));
            }
            if p != id && self.is_replaced(p) {
                return Err(refused(id, "an enclosing part was replaced"));
            }
            cur = self.msg.part(p).and_then(Part::parent);
        }
        Ok(())
    }

    /// What a header edit of `name` in `part` must satisfy.
    fn check_header_edit(&self, part: PartId, name: &str) -> Result<(), BuildError> {
        self.check_live(part)?;
        if self.is_replaced(part) {
            if !self.is_top(part) {
                return Err(refused(part, "the part was replaced"));
            }
            if is_content_field(name) {
                return Err(refused(
                    part,
                    "the content was replaced: its Content-* fields come from the new part",
                ));
            }
        }
        Ok(())
    }

    fn set_field(&mut self, part: PartId, name: &str, bytes: Vec<u8>) -> Result<(), BuildError> {
        self.check_header_edit(part, name)?;
        self.check_outer(part, &bytes)?;
        match self.first_in_view(part, name) {
            Some(View::Added(i)) => {
                if let Some(s) = self.splices.get_mut(i) {
                    s.bytes = bytes;
                }
                Ok(())
            }
            Some(View::Parsed(index)) => self.put_field(part, index, bytes),
            None => self.add_field(part, name, bytes, RANK_BOTTOM),
        }
    }

    /// The first field named `name` in `part` as edited so far.
    fn first_in_view(&self, part: PartId, name: &str) -> Option<View> {
        let mut best: Option<((usize, u8, usize), View)> = None;
        let mut consider = |key, v| {
            if best.as_ref().is_none_or(|(k, _)| key < *k) {
                best = Some((key, v));
            }
        };
        if let Some((i, s)) = self.splices.iter().enumerate().find(
            |(_, s)| matches!(&s.tag, Tag::Added { part: q, name: n } if *q == part && n.eq_ignore_ascii_case(name)),
        ) {
            consider((s.start, 0, i), View::Added(i));
        }
        let fields = self.msg.part(part).map(|p| p.headers().as_slice()).unwrap_or_default();
        if let Some((index, f)) =
            fields.iter().enumerate().find(|(index, f)| f.is(name) && !self.field_removed(part, *index))
        {
            consider((f.offset(), 1, 0), View::Parsed(index));
        }
        best.map(|(_, v)| v)
    }

    fn field_removed(&self, part: PartId, index: usize) -> bool {
        self.splices.iter().any(|s| s.tag == Tag::Field { part, index } && s.bytes.is_empty())
    }

    /// Replaces (or with empty `bytes` removes) parsed field `index`.
    fn put_field(&mut self, part: PartId, index: usize, bytes: Vec<u8>) -> Result<(), BuildError> {
        let tag = Tag::Field { part, index };
        if let Some(s) = self.splices.iter_mut().find(|s| s.tag == tag) {
            s.bytes = bytes;
            return Ok(());
        }
        let f = self
            .part(part)?
            .headers()
            .as_slice()
            .get(index)
            .ok_or_else(|| refused(part, "no such header field"))?;
        self.insert(Splice { start: f.offset(), end: f.end_offset(), bytes, rank: RANK_CONTENT, tag })
    }

    /// Inserts a field at the top (`RANK_TOP`, root only) or the end
    /// (`RANK_BOTTOM`) of `part`'s header block.
    fn add_field(&mut self, part: PartId, name: &str, bytes: Vec<u8>, rank: u8) -> Result<(), BuildError> {
        let p = self.part(part)?;
        let input = self.msg.input();
        let at = if rank == RANK_TOP { header_start(input, p) } else { header_end(input, p) };
        self.insert(Splice {
            start: at,
            end: at,
            bytes,
            rank,
            tag: Tag::Added { part, name: name.to_string() },
        })
    }

    /// Refuses header bytes for `part` that would hold a delimiter line of
    /// a multipart around it (possible only through the field name).
    fn check_outer(&self, part: PartId, bytes: &[u8]) -> Result<(), BuildError> {
        let outer = self.delimiters_around(part, false);
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1))
            .filter(|&i| i < bytes.len());
        for i in line_starts {
            let line = &bytes[i..];
            if let Some(d) = outer.iter().find(|d| line.starts_with(d)) {
                return Err(BuildError::BoundaryInContent {
                    boundary: String::from_utf8_lossy(&d[2..]).into_owned(),
                });
            }
        }
        Ok(())
    }

    /// `--boundary` of every multipart around `part` (and of `part` itself
    /// when `include_self`).
    fn delimiters_around(&self, part: PartId, include_self: bool) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut cur = if include_self { Some(part) } else { self.msg.part(part).and_then(Part::parent) };
        while let Some(id) = cur {
            let Some(p) = self.msg.part(id) else { break };
            if matches!(p.body(), PartBody::Multipart { .. }) {
                if let Some(b) = boundary_of(p) {
                    out.push([b"--", b].concat());
                }
            }
            cur = p.parent();
        }
        out
    }

    /// Writes `part` at the end of `out`, refusing content that holds one
    /// of the `outer` delimiters; `out` is left as it was on error.
    fn render(&self, part: &PartBuilder<'_>, outer: &[Vec<u8>], out: &mut Vec<u8>) -> Result<(), BuildError> {
        let seed = splitmix(self.seed ^ (self.splices.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let mut r = Render::new(self.eol, self.allow_8bit, seed);
        let refs: Vec<&[u8]> = outer.iter().map(Vec::as_slice).collect();
        let base = out.len();
        write_checked(part, &mut r, out, &refs).map_err(|e| {
            out.truncate(base);
            match e {
                // The check was on `--boundary`; report the boundary itself.
                BuildError::BoundaryInContent { boundary } if boundary.starts_with("--") => {
                    BuildError::BoundaryInContent { boundary: boundary[2..].to_string() }
                }
                e => e,
            }
        })
    }

    /// Runs `f`; if it fails, the splices are restored as they were.
    fn transact(&mut self, f: impl FnOnce(&mut Self) -> Result<(), BuildError>) -> Result<(), BuildError> {
        let saved = self.splices.clone();
        let result = f(self);
        if result.is_err() {
            self.splices = saved;
        }
        result
    }

    /// Adds a splice, keeping the list sorted and free of overlaps.
    ///
    /// The rule: two non-empty ranges may touch but not share a byte; an
    /// insertion may sit at the start or end of a range but not inside it.
    /// Among splices at one position, insertions come before a range that
    /// starts there; insertions are ordered by rank (top of a header block,
    /// end of a header block, content), then by call order, except that a
    /// newer top insertion goes above older ones.
    fn insert(&mut self, s: Splice) -> Result<(), BuildError> {
        let empty = s.start == s.end;
        let overlaps = self.splices.iter().any(|t| {
            if empty {
                t.start < s.start && s.start < t.end
            } else if t.start == t.end {
                s.start < t.start && t.start < s.end
            } else {
                t.start < s.end && s.start < t.end
            }
        });
        if overlaps {
            return Err(refused(s.tag.part(), "the edit overlaps an earlier edit"));
        }
        let at = self
            .splices
            .iter()
            .position(|t| {
                t.start > s.start
                    || (t.start == s.start
                        && empty
                        && (t.start != t.end || t.rank > s.rank || (t.rank == s.rank && s.rank == RANK_TOP)))
            })
            .unwrap_or(self.splices.len());
        self.splices.insert(at, s);
        Ok(())
    }
}

/// A field found by [`Editor::first_in_view`].
enum View {
    /// A field added by the editor: index in the splice list.
    Added(usize),
    /// A parsed field: index in the part's header fields.
    Parsed(usize),
}

/// Whether `id` is `ancestor` or lies inside it.
fn within(msg: &Message<'_>, id: PartId, ancestor: PartId) -> bool {
    let mut cur = Some(id);
    while let Some(p) = cur {
        if p == ancestor {
            return true;
        }
        cur = msg.part(p).and_then(Part::parent);
    }
    false
}

fn is_content_field(name: &str) -> bool {
    name.as_bytes().get(..8).is_some_and(|p| p.eq_ignore_ascii_case(b"Content-"))
}

/// The boundary the parser split a multipart at.
fn boundary_of<'p>(p: &'p Part<'_>) -> Option<&'p [u8]> {
    p.content_type().boundary().filter(|b| !b.is_empty()).map(str::as_bytes)
}

/// The line ending of the first line of the root's header block (or of the
/// message); CRLF when there is no line break at all.
fn detect_eol(msg: &Message<'_>) -> &'static [u8] {
    let input = msg.input();
    let root = msg.root();
    let block = input.get(root.header_offset()..root.body_offset()).unwrap_or_default();
    let lf = memchr::memchr(b'\n', block)
        .map(|i| root.header_offset() + i)
        .or_else(|| memchr::memchr(b'\n', input));
    match lf {
        Some(i) if i > 0 && input.get(i - 1) == Some(&b'\r') => b"\r\n",
        Some(_) => b"\n",
        None => b"\r\n",
    }
}

/// `pos` moved past a line break (CRLF or LF) that starts there.
fn after_line_break(input: &[u8], pos: usize) -> usize {
    let rest = input.get(pos..).unwrap_or_default();
    if rest.starts_with(b"\r\n") {
        pos + 2
    } else if rest.starts_with(b"\n") {
        pos + 1
    } else {
        pos
    }
}

/// Whether a delimiter line `--boundary` starts at `pos` (a line start).
fn delimiter_at(input: &[u8], pos: usize, boundary: &[u8]) -> bool {
    let line_start = pos == 0 || input.get(pos - 1) == Some(&b'\n');
    let rest = input.get(pos..).unwrap_or_default();
    line_start && rest.starts_with(b"--") && rest[2..].starts_with(boundary)
}

/// Where a field is inserted at the end of `p`'s header block: the start of
/// the blank line that ends it, or where the block ends when there is no
/// blank line (the body's first line, or the end of the part).
fn header_end(input: &[u8], p: &Part<'_>) -> usize {
    let (h, b) = (p.header_offset(), p.body_offset());
    if b > h && input.get(b - 1) == Some(&b'\n') {
        let line = if b >= h + 2 && input.get(b - 2) == Some(&b'\r') { b - 2 } else { b - 1 };
        if line == h || input.get(line - 1) == Some(&b'\n') {
            return line;
        }
    }
    b
}

/// Where a field is inserted at the top of `p`'s header block: after an
/// mbox `From ` line at its very start and after any continuation lines
/// that follow (a field placed before those would take them over).
fn header_start(input: &[u8], p: &Part<'_>) -> usize {
    let end = header_end(input, p);
    let block = input.get(..end).unwrap_or_default();
    let next_line = |pos: usize| memchr::memchr(b'\n', &block[pos..]).map_or(end, |i| pos + i + 1);
    let mut pos = p.header_offset().min(end);
    if block[pos..].starts_with(b"From ") {
        pos = next_line(pos);
    }
    while pos < end && matches!(block[pos], b' ' | b'\t') {
        pos = next_line(pos);
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(out: &[u8], part: PartId) -> Vec<String> {
        let msg = Message::parse(out);
        msg.part(part).unwrap().headers().iter().map(|f| f.name().to_string()).collect()
    }

    fn edited(raw: &[u8], f: impl FnOnce(&mut Editor<'_, '_>)) -> Vec<u8> {
        let msg = Message::parse(raw);
        let mut ed = Editor::new(&msg);
        f(&mut ed);
        let out = ed.to_vec();
        let mut streamed = Vec::new();
        ed.write_to(&mut streamed).unwrap();
        assert_eq!(out, streamed);
        out
    }

    const CRLF: &[u8] = b"Received: from a by b; Tue, 1 Dec 2026 08:00:00 +0100\r\n\
From: ann@example.com\r\n\
Subject: old\r\n\x20folded\r\n\
To: bob@example.com\r\n\
\r\n\
body\r\n";

    const LF: &[u8] = b"From: ann@example.com\nSubject: old\nTo: bob@example.com\n\nbody\n";

    const MIXED: &[u8] = b"From: ann@example.com\r\n\
Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\
MIME-Version: 1.0\r\n\
\r\n\
preamble\r\n\
--XYZ\r\n\
Content-Type: text/plain\r\n\
\r\n\
one\r\n\
--XYZ\r\n\
Content-Type: text/plain\r\n\
\r\n\
two\r\n\
--XYZ\r\n\
Content-Type: text/plain\r\n\
\r\n\
three\r\n\
--XYZ--\r\n\
epilogue\r\n";

    #[test]
    fn no_edits_is_identity() {
        for raw in [CRLF, LF, MIXED, b"", b"no header at all", b"A: 1"] {
            assert_eq!(edited(raw, |_| {}), raw);
        }
    }

    #[test]
    fn line_ending_is_detected() {
        assert_eq!(Editor::new(&Message::parse(CRLF)).line_ending(), LineEnding::Crlf);
        assert_eq!(Editor::new(&Message::parse(LF)).line_ending(), LineEnding::Lf);
        assert_eq!(Editor::new(&Message::parse(b"")).line_ending(), LineEnding::Crlf);
    }

    #[test]
    fn set_header_replaces_in_place_crlf() {
        let out = edited(CRLF, |ed| {
            ed.set_header(0, "subject", "new").unwrap();
        });
        assert_eq!(
            out,
            b"Received: from a by b; Tue, 1 Dec 2026 08:00:00 +0100\r\n\
From: ann@example.com\r\n\
subject: new\r\n\
To: bob@example.com\r\n\
\r\n\
body\r\n"
        );
    }

    #[test]
    fn set_header_replaces_in_place_lf_and_encodes() {
        let out = edited(LF, |ed| {
            ed.set_header(0, "Subject", "Grüße").unwrap();
        });
        assert_eq!(
            out,
            b"From: ann@example.com\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\nTo: bob@example.com\n\nbody\n"
        );
        assert_eq!(Message::parse(&out).subject().as_deref(), Some("Grüße"));
    }

    #[test]
    fn set_header_appends_when_absent_and_keeps_others() {
        let raw = b"A: 1\r\nX: first\r\nX: second\r\n\r\nbody";
        let out = edited(raw, |ed| {
            ed.set_header(0, "X", "new").unwrap();
            ed.set_header(0, "Y", "added").unwrap();
        });
        assert_eq!(out, b"A: 1\r\nX: new\r\nX: second\r\nY: added\r\n\r\nbody");
    }

    #[test]
    fn set_header_twice_and_on_an_added_field() {
        let out = edited(LF, |ed| {
            ed.set_header(0, "Subject", "one").unwrap();
            ed.set_header(0, "Subject", "two").unwrap();
            ed.set_header(0, "X-New", "a").unwrap();
            ed.set_header(0, "x-new", "b").unwrap();
        });
        assert_eq!(out, b"From: ann@example.com\nSubject: two\nTo: bob@example.com\nx-new: b\n\nbody\n");
    }

    #[test]
    fn set_header_raw_writes_as_given_and_refuses_injection() {
        let out = edited(CRLF, |ed| {
            ed.set_header_raw(0, "To", b"Bob <bob@example.com>,\r\n Carol <carol@example.com>").unwrap();
        });
        let msg = Message::parse(&out);
        assert_eq!(msg.to().len(), 2);
        let msg = Message::parse(CRLF);
        let mut ed = Editor::new(&msg);
        let e = ed.set_header_raw(0, "To", b"bob@example.com\r\nBcc: eve@example.com").unwrap_err();
        assert!(matches!(e, BuildError::InvalidHeaderValue { .. }), "{e}");
        assert!(matches!(ed.set_header_raw(0, "To", b"x\ry"), Err(BuildError::InvalidHeaderValue { .. })));
        assert!(ed.is_unchanged());
    }

    #[test]
    fn values_with_line_breaks_cannot_add_fields() {
        for raw in [CRLF, LF] {
            let before = names(raw, 0);
            let out = edited(raw, |ed| {
                ed.set_header(0, "Subject", "hi\r\nBcc: eve@example.com\r\n\r\nbody").unwrap();
                ed.append_header(0, "X-A", "a\nX-Injected: yes").unwrap();
                ed.prepend_header("X-B", "b\r\n\r\nbody").unwrap();
            });
            let expect: Vec<String> =
                std::iter::once("X-B".to_string()).chain(before).chain(["X-A".to_string()]).collect();
            assert_eq!(names(&out, 0), expect);
            let msg = Message::parse(&out);
            assert!(msg.headers().get("Bcc").is_none() && msg.headers().get("X-Injected").is_none());
            assert_eq!(msg.subject().as_deref(), Some("hi\r\nBcc: eve@example.com\r\n\r\nbody"));
            assert_eq!(msg.root().raw_body(), if raw == CRLF { &b"body\r\n"[..] } else { &b"body\n"[..] });
        }
    }

    #[test]
    fn invalid_names_are_refused() {
        let msg = Message::parse(LF);
        let mut ed = Editor::new(&msg);
        for name in ["", "Bad Name", "A:B", "X\n", "Ü"] {
            assert!(
                matches!(ed.set_header(0, name, "v"), Err(BuildError::InvalidHeaderName { .. })),
                "{name:?}"
            );
            assert!(matches!(ed.prepend_header(name, "v"), Err(BuildError::InvalidHeaderName { .. })));
            assert!(matches!(ed.append_header(0, name, "v"), Err(BuildError::InvalidHeaderName { .. })));
        }
        assert!(ed.is_unchanged());
        assert!(ed.set_header(7, "X", "v").is_err());
    }

    #[test]
    fn prepend_goes_on_top_newest_first_and_after_mbox_line() {
        let out = edited(LF, |ed| {
            ed.prepend_header("Received", "one").unwrap();
            ed.prepend_header("DKIM-Signature", "two").unwrap();
        });
        assert_eq!(&out[..], &[&b"DKIM-Signature: two\nReceived: one\n"[..], LF].concat()[..]);
        let raw = b"From ann@example.com Tue Dec  1 08:00:00 2026\n continuation\nSubject: s\n\nbody\n";
        let out = edited(raw, |ed| {
            ed.prepend_header("X-Top", "t").unwrap();
        });
        assert_eq!(
            out,
            b"From ann@example.com Tue Dec  1 08:00:00 2026\n continuation\nX-Top: t\nSubject: s\n\nbody\n"
        );
        assert_eq!(names(&out, 0), ["X-Top", "Subject"]);
    }

    #[test]
    fn append_goes_at_the_end_in_call_order() {
        let out = edited(CRLF, |ed| {
            ed.append_header(0, "X-1", "a").unwrap();
            ed.append_header(0, "X-2", "b").unwrap();
            ed.prepend_header("X-0", "c").unwrap();
        });
        assert_eq!(
            out,
            [&b"X-0: c\r\n"[..], &CRLF[..CRLF.len() - 8], b"X-1: a\r\nX-2: b\r\n\r\nbody\r\n"].concat()
        );
    }

    #[test]
    fn header_blocks_without_blank_line_or_line_break() {
        // No body at all, last field without a line break.
        let out = edited(b"A: 1", |ed| {
            ed.append_header(0, "B", "2").unwrap();
        });
        assert_eq!(out, b"A: 1\r\nB: 2\r\n");
        let out = edited(b"A: 1", |ed| {
            ed.set_header(0, "A", "x").unwrap();
            ed.append_header(0, "B", "2").unwrap();
        });
        assert_eq!(out, b"A: x\r\nB: 2\r\n");
        assert_eq!(names(&out, 0), ["A", "B"]);
        // The body starts without a blank line: the field goes before it.
        let out = edited(b"A: 1\nbody line\n", |ed| {
            ed.append_header(0, "B", "2").unwrap();
        });
        assert_eq!(out, b"A: 1\nB: 2\nbody line\n");
        // Empty message and empty header block.
        let out = edited(b"", |ed| {
            ed.set_header(0, "A", "1").unwrap();
        });
        assert_eq!(out, b"A: 1\r\n");
        let out = edited(b"\nbody", |ed| {
            ed.prepend_header("A", "1").unwrap();
        });
        assert_eq!(out, b"A: 1\n\nbody");
        assert_eq!(
            edited(b"\nbody", |ed| {
                ed.append_header(0, "B", "2").unwrap();
                ed.prepend_header("A", "1").unwrap();
            }),
            b"A: 1\nB: 2\n\nbody"
        );
    }

    #[test]
    fn remove_header_removes_every_instance_with_folding() {
        let out = edited(CRLF, |ed| {
            assert_eq!(ed.remove_header(0, "SUBJECT"), 1);
            assert_eq!(ed.remove_header(0, "Subject"), 0);
            assert_eq!(ed.remove_header(0, "Nope"), 0);
        });
        assert_eq!(
            out,
            b"Received: from a by b; Tue, 1 Dec 2026 08:00:00 +0100\r\nFrom: ann@example.com\r\nTo: bob@example.com\r\n\r\nbody\r\n"
        );
        let raw = b"X: 1\nA: a\nX: 2\n  more\nX: 3\n\nbody";
        let out = edited(raw, |ed| assert_eq!(ed.remove_header(0, "x"), 3));
        assert_eq!(out, b"A: a\n\nbody");
    }

    #[test]
    fn overlapping_header_edits_resolve_against_the_edited_view() {
        // set then remove: the field is gone, counted once.
        let out = edited(LF, |ed| {
            ed.set_header(0, "Subject", "new").unwrap();
            assert_eq!(ed.remove_header(0, "Subject"), 1);
        });
        assert_eq!(out, b"From: ann@example.com\nTo: bob@example.com\n\nbody\n");
        // remove then set: added at the end.
        let out = edited(LF, |ed| {
            ed.remove_header(0, "Subject");
            ed.set_header(0, "Subject", "again").unwrap();
        });
        assert_eq!(out, b"From: ann@example.com\nTo: bob@example.com\nSubject: again\n\nbody\n");
        // Added fields are found by set and remove.
        let out = edited(LF, |ed| {
            ed.append_header(0, "X", "1").unwrap();
            ed.prepend_header("X", "0").unwrap();
            ed.set_header(0, "X", "top").unwrap();
            assert_eq!(ed.remove_header(0, "From"), 1);
        });
        assert_eq!(out, b"X: top\nSubject: old\nTo: bob@example.com\nX: 1\n\nbody\n");
        let out = edited(LF, |ed| {
            ed.append_header(0, "X", "1").unwrap();
            ed.prepend_header("X", "0").unwrap();
            assert_eq!(ed.remove_header(0, "X"), 2);
        });
        assert_eq!(out, LF);
        // A prepend at the first field's position and an edit of that field.
        let out = edited(LF, |ed| {
            ed.set_header(0, "From", "eve@example.com").unwrap();
            ed.prepend_header("X-Top", "t").unwrap();
        });
        assert_eq!(out, b"X-Top: t\nFrom: eve@example.com\nSubject: old\nTo: bob@example.com\n\nbody\n");
    }

    #[test]
    fn header_edits_in_parts() {
        let msg = Message::parse(MIXED);
        let kids = msg.children(0).to_vec();
        let mut ed = Editor::new(&msg);
        ed.set_header(kids[0], "Content-Type", "text/plain; charset=us-ascii").unwrap();
        ed.append_header(kids[1], "Content-ID", "<two@x>").unwrap();
        assert_eq!(ed.remove_header(kids[2], "content-type"), 1);
        let out = ed.to_vec();
        assert_eq!(
            out,
            &b"From: ann@example.com\r\n\
Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\
MIME-Version: 1.0\r\n\
\r\n\
preamble\r\n\
--XYZ\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\
\r\n\
one\r\n\
--XYZ\r\n\
Content-Type: text/plain\r\n\
Content-ID: <two@x>\r\n\
\r\n\
two\r\n\
--XYZ\r\n\
\r\n\
three\r\n\
--XYZ--\r\n\
epilogue\r\n"[..]
        );
        let e = Message::parse(&out);
        assert_eq!(e.children(0).len(), 3);
        assert_eq!(e.part(e.children(0)[1]).unwrap().headers().content_id().as_deref(), Some("two@x"));
    }

    #[test]
    fn header_names_cannot_forge_a_delimiter() {
        let raw =
            b"Content-Type: multipart/mixed; boundary=\"b: x\"\n\n--b: x\n\none\n--b: x\n\ntwo\n--b: x--\n";
        let msg = Message::parse(raw);
        assert_eq!(msg.children(0).len(), 2);
        let mut ed = Editor::new(&msg);
        let child = msg.children(0)[0];
        let e = ed.set_header(child, "--b", "x").unwrap_err();
        assert!(matches!(&e, BuildError::BoundaryInContent { boundary } if boundary == "b: x"), "{e}");
        assert!(ed.append_header(child, "--b", "x").is_err());
        assert!(ed.is_unchanged());
        // At the top level there is no multipart around: allowed.
        ed.set_header(0, "--b", "x").unwrap();
    }

    #[test]
    fn remove_part_first_middle_last() {
        let msg = Message::parse(MIXED);
        let kids = msg.children(0).to_vec();
        let text = |out: &[u8]| -> Vec<String> {
            let m = Message::parse(out);
            m.children(0).iter().map(|&c| m.part(c).unwrap().text().unwrap().into_owned()).collect()
        };
        let mut ed = Editor::new(&msg);
        ed.remove_part(kids[1]).unwrap();
        let out = ed.to_vec();
        assert_eq!(text(&out), ["one", "three"]);
        assert_eq!(
            out,
            &b"From: ann@example.com\r\n\
Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\
MIME-Version: 1.0\r\n\
\r\n\
preamble\r\n\
--XYZ\r\n\
Content-Type: text/plain\r\n\
\r\n\
one\r\n\
--XYZ\r\n\
Content-Type: text/plain\r\n\
\r\n\
three\r\n\
--XYZ--\r\n\
epilogue\r\n"[..]
        );
        ed.remove_part(kids[0]).unwrap();
        let out = ed.to_vec();
        assert_eq!(text(&out), ["three"]);
        let m = Message::parse(&out);
        let PartBody::Multipart { preamble, epilogue, .. } = m.root().body() else { panic!() };
        assert_eq!(&out[preamble.clone()], b"preamble");
        assert_eq!(&out[epilogue.clone().unwrap()], b"epilogue\r\n");
        // The last remaining child is refused; so are the root and removed parts.
        assert!(matches!(ed.remove_part(kids[2]), Err(BuildError::EmptyMultipart { .. })));
        assert!(ed.remove_part(0).is_err());
        assert!(ed.remove_part(kids[0]).is_err());
        assert!(ed.remove_part(99).is_err());

        let mut ed = Editor::new(&msg);
        ed.remove_part(kids[2]).unwrap();
        assert_eq!(text(&ed.to_vec()), ["one", "two"]);
        ed.remove_part(kids[1]).unwrap();
        assert_eq!(text(&ed.to_vec()), ["one"]);
    }

    #[test]
    fn remove_part_lf_and_unclosed() {
        let raw = b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n";
        let msg = Message::parse(raw);
        let kids = msg.children(0).to_vec();
        let mut ed = Editor::new(&msg);
        ed.remove_part(kids[1]).unwrap();
        let out = ed.to_vec();
        assert_eq!(out, b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b--");
        let m = Message::parse(&out);
        assert_eq!(m.children(0).len(), 1);
        assert_eq!(m.part(m.children(0)[0]).unwrap().text().as_deref(), Some("one"));
        assert_eq!(m.defects().count(), 0);
        // Unclosed: nowhere to add a part.
        assert!(Editor::new(&msg).add_part(0, &PartBuilder::text("x")).is_err());
    }

    #[test]
    fn edits_inside_removed_or_replaced_parts() {
        let msg = Message::parse(MIXED);
        let kids = msg.children(0).to_vec();
        // Edits before the removal are dropped with the part.
        let mut ed = Editor::new(&msg);
        ed.set_header(kids[1], "X-Gone", "1").unwrap();
        ed.replace_part(kids[1], &PartBuilder::text("replaced")).unwrap();
        ed.remove_part(kids[1]).unwrap();
        let out = ed.to_vec();
        assert!(!out.windows(6).any(|w| w == b"X-Gone") && !out.windows(8).any(|w| w == b"replaced"));
        assert_eq!(Message::parse(&out).children(0).len(), 2);
        // Edits after it are refused, and change nothing.
        let before = ed.to_vec();
        assert!(ed.set_header(kids[1], "X", "1").is_err());
        assert!(ed.append_header(kids[1], "X", "1").is_err());
        assert_eq!(ed.remove_header(kids[1], "Content-Type"), 0);
        assert!(ed.replace_part(kids[1], &PartBuilder::text("x")).is_err());
        assert_eq!(ed.to_vec(), before);
        // A replaced part: its header is gone too.
        let mut ed = Editor::new(&msg);
        ed.replace_part(kids[0], &PartBuilder::text("new one")).unwrap();
        assert!(ed.set_header(kids[0], "X", "1").is_err());
        assert_eq!(ed.remove_header(kids[0], "Content-Type"), 0);
        ed.replace_part(kids[0], &PartBuilder::text("newer one")).unwrap();
        let m = Message::parse(&ed.to_vec()).children(0).len();
        assert_eq!(m, 3);
    }

    #[test]
    fn replace_leaf_part_exact() {
        let msg = Message::parse(MIXED);
        let kids = msg.children(0).to_vec();
        let mut ed = Editor::new(&msg);
        ed.replace_part(kids[1], &PartBuilder::text("zwei")).unwrap();
        let out = ed.to_vec();
        let p = msg.part(kids[1]).unwrap();
        let new = b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nzwei";
        assert_eq!(out, [&MIXED[..p.header_offset()], &new[..], &MIXED[p.end_offset()..]].concat());
        let m = Message::parse(&out);
        assert_eq!(m.part(m.children(0)[1]).unwrap().text().as_deref(), Some("zwei"));
    }

    #[test]
    fn replace_with_a_multipart_and_refuse_outer_boundary() {
        let msg = Message::parse(MIXED);
        let kids = msg.children(0).to_vec();
        let mut ed = Editor::new(&msg);
        let alt = PartBuilder::multipart(
            "alternative",
            vec![PartBuilder::text("a"), PartBuilder::html("<p>a</p>")],
        );
        ed.replace_part(kids[0], &alt).unwrap();
        let out = ed.to_vec();
        let m = Message::parse(&out);
        assert_eq!(m.children(0).len(), 3);
        let first = m.children(0)[0];
        assert!(m.part(first).unwrap().content_type().is("multipart", "alternative"));
        assert_eq!(m.children(first).len(), 2);
        assert_eq!(m.defects().count(), 0);
        // Content that holds the boundary of the multipart around it.
        let e = ed.replace_part(kids[1], &PartBuilder::text("a line\n--XYZ\nfake part")).unwrap_err();
        assert!(matches!(&e, BuildError::BoundaryInContent { boundary } if boundary == "XYZ"), "{e}");
        assert!(ed.add_part(0, &PartBuilder::text("--XYZ--")).is_err());
        assert_eq!(ed.to_vec(), out);
    }

    #[test]
    fn replace_root_keeps_message_fields() {
        let raw = b"Received: from a by b; Tue, 1 Dec 2026 08:00:00 +0100\r\n\
From: ann@example.com\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\n\
Subject: s\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Gr=FC=DFe\r\n";
        let out = edited(raw, |ed| {
            ed.set_header(0, "Content-Type", "text/html").unwrap();
            ed.append_header(0, "Content-Language", "de").unwrap();
            ed.replace_part(0, &PartBuilder::text("Grüße")).unwrap();
            assert!(ed.set_header(0, "Content-Type", "text/plain").is_err());
            assert!(ed.prepend_header("content-id", "<x@y>").is_err());
            ed.set_header(0, "Subject", "t").unwrap();
        });
        assert_eq!(
            out,
            &b"Received: from a by b; Tue, 1 Dec 2026 08:00:00 +0100\r\n\
From: ann@example.com\r\n\
Subject: t\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
R3LDvMOfZQ=="[..]
        );
        assert_eq!(Message::parse(&out).text_body(0).as_deref(), Some("Grüße"));
        // With MIME-Version present it is kept, not added again; 8bit allowed.
        let out = edited(MIXED, |ed| {
            ed.allow_8bit(true);
            ed.replace_part(0, &PartBuilder::text("Grüße")).unwrap();
        });
        assert_eq!(
            out,
            "From: ann@example.com\r\nMIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße"
                .as_bytes()
        );
    }

    #[test]
    fn replace_root_then_edits_inside_are_refused() {
        let msg = Message::parse(MIXED);
        let kids = msg.children(0).to_vec();
        let mut ed = Editor::new(&msg);
        ed.set_header(kids[0], "X", "1").unwrap();
        ed.replace_part(0, &PartBuilder::text("flat")).unwrap();
        assert!(ed.set_header(kids[0], "X", "2").is_err());
        assert!(ed.remove_part(kids[1]).is_err());
        assert!(ed.add_part(0, &PartBuilder::text("x")).is_err());
        let out = ed.to_vec();
        let m = Message::parse(&out);
        assert_eq!(m.parts().len(), 1);
        assert_eq!(m.text_body(0).as_deref(), Some("flat"));
    }

    #[test]
    fn add_part_before_close_delimiter() {
        let msg = Message::parse(MIXED);
        let mut ed = Editor::new(&msg);
        ed.add_part(0, &PartBuilder::text("four")).unwrap();
        ed.add_part(
            0,
            &PartBuilder::binary("application/octet-stream", &b"\x00\x01"[..]).attachment("f.bin"),
        )
        .unwrap();
        let out = ed.to_vec();
        let close = MIXED.len() - b"--XYZ--\r\nepilogue\r\n".len();
        let new = b"--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nfour\r\n\
--XYZ\r\nContent-Type: application/octet-stream; name=\"f.bin\"\r\nContent-Transfer-Encoding: base64\r\n\
Content-Disposition: attachment; filename=f.bin\r\n\r\nAAE=\r\n";
        assert_eq!(out, [&MIXED[..close], &new[..], &MIXED[close..]].concat());
        let m = Message::parse(&out);
        assert_eq!(m.children(0).len(), 5);
        assert_eq!(m.defects().count(), 0);
        assert_eq!(&*m.attachments().next().unwrap().decoded(), b"\x00\x01");
        // Not a multipart.
        let kid = msg.children(0)[0];
        assert!(ed.add_part(kid, &PartBuilder::text("x")).is_err());
        // A removed last child and an added part.
        let mut ed = Editor::new(&msg);
        ed.add_part(0, &PartBuilder::text("four")).unwrap();
        ed.remove_part(msg.children(0)[2]).unwrap();
        let m = Message::parse(&ed.to_vec()).children(0).len();
        assert_eq!(m, 3);
    }

    #[test]
    fn add_part_lf_message_uses_lf() {
        let raw = b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b--\n";
        let out = edited(raw, |ed| {
            ed.add_part(0, &PartBuilder::text("two\r\nlines")).unwrap();
        });
        assert_eq!(
            out,
            &b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n\
--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 7bit\n\ntwo\nlines\n--b--\n"[..]
        );
        assert!(!out.contains(&b'\r'));
    }

    #[test]
    fn remove_only_child_after_adding_one() {
        let raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b--\r\n";
        let msg = Message::parse(raw);
        let only = msg.children(0)[0];
        let mut ed = Editor::new(&msg);
        assert!(matches!(ed.remove_part(only), Err(BuildError::EmptyMultipart { .. })));
        ed.add_part(0, &PartBuilder::text("two")).unwrap();
        ed.remove_part(only).unwrap();
        let out = ed.to_vec();
        assert_eq!(
            out,
            &b"Content-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\ntwo\r\n--b--\r\n"[..]
        );
    }

    #[test]
    fn nested_message_root() {
        let raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
Content-Type: message/rfc822\r\n\r\n\
Subject: inner\r\nContent-Type: text/plain\r\n\r\ninner body\r\n--b--\r\n";
        let msg = Message::parse(raw);
        let inner = msg.nested_message(msg.children(0)[0]).unwrap();
        assert!(Editor::new(&msg).remove_part(inner).is_err());
        let out = edited(raw, |ed| {
            ed.set_header(inner, "Subject", "changed").unwrap();
            ed.replace_part(inner, &PartBuilder::text("new inner")).unwrap();
        });
        let m = Message::parse(&out);
        let inner = m.nested_message(m.children(0)[0]).unwrap();
        let p = m.part(inner).unwrap();
        assert_eq!(p.headers().subject().as_deref(), Some("changed"));
        assert_eq!(p.headers().mime_version(), Some("1.0"));
        assert_eq!(p.text().as_deref(), Some("new inner"));
        assert_eq!(m.defects().count(), 0);
    }

    #[test]
    fn empty_child_parts() {
        let raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n--b\r\n\r\ntwo\r\n--b--\r\n";
        let msg = Message::parse(raw);
        let kids = msg.children(0).to_vec();
        assert_eq!(kids.len(), 2);
        let out = edited(raw, |ed| {
            ed.append_header(kids[0], "X", "1").unwrap();
        });
        let m = Message::parse(&out);
        assert_eq!(m.children(0).len(), 2);
        assert!(m.part(m.children(0)[0]).unwrap().headers().get("X").is_some());
        let out = edited(raw, |ed| {
            ed.remove_part(kids[0]).unwrap();
        });
        assert_eq!(out, b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\ntwo\r\n--b--\r\n");
    }

    #[test]
    fn insertions_at_one_point_keep_header_before_new_part() {
        // One empty child: its header block, and the place for a new part
        // before the close delimiter, are the same offset.
        let raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n--b--\r\n";
        let msg = Message::parse(raw);
        let child = msg.children(0)[0];
        let out = edited(raw, |ed| {
            ed.add_part(0, &PartBuilder::text("new")).unwrap();
            ed.append_header(child, "X", "1").unwrap();
        });
        assert_eq!(
            out,
            &b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nX: 1\r\n\
--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nnew\r\n--b--\r\n"[..]
        );
        let m = Message::parse(&out);
        let kids = m.children(0);
        assert_eq!(kids.len(), 2);
        assert!(m.part(kids[0]).unwrap().headers().get("X").is_some());
        assert_eq!(m.part(kids[1]).unwrap().text().as_deref(), Some("new"));
    }

    #[test]
    fn part_header_without_line_break_before_delimiter() {
        let raw =
            b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n--b--\r\n";
        let msg = Message::parse(raw);
        let child = msg.children(0)[0];
        let out = edited(raw, |ed| {
            ed.append_header(child, "X", "1").unwrap();
        });
        assert_eq!(
            out,
            b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\nX: 1\r\n\r\n--b--\r\n"
        );
        let m = Message::parse(&out);
        assert_eq!(names(&out, m.children(0)[0]), ["Content-Type", "X"]);
        let out = edited(raw, |ed| {
            ed.set_header(child, "Content-Type", "text/html").unwrap();
            ed.append_header(child, "X", "1").unwrap();
        });
        let m = Message::parse(&out);
        assert_eq!(m.children(0).len(), 1);
        assert_eq!(names(&out, m.children(0)[0]), ["Content-Type", "X"]);
        assert!(m.part(m.children(0)[0]).unwrap().content_type().is("text", "html"));
    }

    #[test]
    fn failed_edits_change_nothing() {
        let msg = Message::parse(MIXED);
        let kids = msg.children(0).to_vec();
        let mut ed = Editor::new(&msg);
        ed.set_header(0, "Subject", "kept").unwrap();
        let before = ed.to_vec();
        assert!(ed.replace_part(kids[0], &PartBuilder::text("--XYZ")).is_err());
        assert!(ed.replace_part(0, &PartBuilder::multipart("mixed", vec![])).is_err());
        assert!(ed.add_part(0, &PartBuilder::binary("no-slash", &b"x"[..])).is_err());
        assert!(ed.add_part(kids[0], &PartBuilder::text("x")).is_err());
        assert!(ed.set_header(0, "X", &"x".repeat(1200)).is_ok());
        assert!(ed.set_header_raw(0, "Y", "y".repeat(1200).as_bytes()).is_err());
        assert_eq!(ed.remove_header(0, "X"), 1);
        assert_eq!(ed.to_vec(), before);
    }
}
