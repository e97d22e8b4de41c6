//! The body view for readers: which parts are the text body, which the HTML
//! body and which are attachments, by the algorithm of RFC 8621 §4.1.4
//! (JMAP Mail's `textBody`, `htmlBody` and `attachments`).
//!
//! In short: `multipart/*` entities are walked, never listed. A leaf is a
//! *body* part when its disposition is not `attachment`, its type is
//! `text/plain`, `text/html` or `image|audio|video/*`, and it is the first
//! part of its multipart or (outside multipart/related) has no file name
//! or is media. Inside `multipart/alternative` plain text goes to
//! `textBody`, HTML to `htmlBody`; elsewhere a body part goes to both lists
//! (so an HTML-only message still has a `textBody`, and vice versa).
//! Everything else, `message/rfc822` included, is an attachment; media that
//! is shown inline where only one of the two bodies exists is also listed as
//! an attachment.
//!
//! RFC 8621 lets one part sit in several lists. [`Message::roles`] gives
//! each part exactly one [`PartRole`] as well: multiparts are containers,
//! leaves in a body list of their own type are `Text` or `Html`, all other
//! leaves are attachments.

use crate::message::{Message, PartBody, PartId};

/// The RFC 8621 lists of one message, as part indices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BodyStructure {
    /// `textBody`: the parts to show to a plain-text reader, in order.
    pub text: Vec<PartId>,
    /// `htmlBody`: the parts to show to an HTML reader, in order.
    pub html: Vec<PartId>,
    /// `attachments`: everything a reader would offer to save.
    pub attachments: Vec<PartId>,
}

/// The one role each part plays in its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PartRole {
    /// A `multipart/*` entity (or the top entity of a nested message's
    /// tree, for the message that contains it, see `Outside`).
    Container,
    /// Part of the plain-text body.
    Text,
    /// Part of the HTML body.
    Html,
    /// An attachment (files, media, attached messages).
    Attachment,
    /// Inside a nested message: it has a role in that message, not in this one.
    Outside,
}

impl PartRole {
    /// A stable lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            PartRole::Container => "container",
            PartRole::Text => "text",
            PartRole::Html => "html",
            PartRole::Attachment => "attachment",
            PartRole::Outside => "outside",
        }
    }
}

fn is_inline_media(main: &str) -> bool {
    matches!(main, "image" | "audio" | "video")
}

pub(crate) fn body_structure(msg: &Message<'_>, root: PartId) -> BodyStructure {
    let mut s = BodyStructure::default();
    if msg.part(root).is_some() {
        walk(msg, &[root], "mixed", false, Some(&mut s.html), Some(&mut s.text), &mut s.attachments);
    }
    s
}

#[allow(clippy::too_many_arguments)]
fn walk(
    msg: &Message<'_>,
    parts: &[PartId],
    multipart_type: &str,
    in_alternative: bool,
    mut html: Option<&mut Vec<PartId>>,
    mut text: Option<&mut Vec<PartId>>,
    attachments: &mut Vec<PartId>,
) {
    let text_len = text.as_ref().map(|t| t.len());
    let html_len = html.as_ref().map(|h| h.len());
    for (i, &id) in parts.iter().enumerate() {
        let Some(part) = msg.part(id) else { continue };
        let ct = part.content_type();
        let main = ct.main_type();
        let sub = ct.subtype().unwrap_or("");
        if let PartBody::Multipart { children, .. } = part.body() {
            let alt = in_alternative || sub == "alternative";
            walk(msg, children, sub, alt, html.as_deref_mut(), text.as_deref_mut(), attachments);
            continue;
        }
        let is_plain = main == "text" && sub == "plain";
        let is_html = main == "text" && sub == "html";
        let media = is_inline_media(main);
        let not_attachment = part.disposition().is_none_or(|d| !d.is_attachment());
        let inline = not_attachment
            && (is_plain || is_html || media)
            && (i == 0 || (multipart_type != "related" && (media || part.filename().is_none())));
        if !inline {
            attachments.push(id);
            continue;
        }
        if multipart_type == "alternative" {
            match (is_plain, is_html) {
                (true, _) => {
                    if let Some(t) = text.as_deref_mut() {
                        t.push(id)
                    }
                }
                (_, true) => {
                    if let Some(h) = html.as_deref_mut() {
                        h.push(id)
                    }
                }
                _ => attachments.push(id),
            }
            continue;
        }
        if in_alternative {
            if is_plain {
                html = None;
            }
            if is_html {
                text = None;
            }
        }
        if let Some(t) = text.as_deref_mut() {
            t.push(id);
        }
        if let Some(h) = html.as_deref_mut() {
            h.push(id);
        }
        if (text.is_none() || html.is_none()) && media {
            attachments.push(id);
        }
    }
    if multipart_type == "alternative" {
        if let (Some(t), Some(h)) = (text, html) {
            let (tl, hl) = (text_len.unwrap_or(0), html_len.unwrap_or(0));
            if tl == t.len() && hl != h.len() {
                t.extend_from_slice(&h[hl..]);
            } else if hl == h.len() && tl != t.len() {
                h.extend_from_slice(&t[tl..]);
            }
        }
    }
}

pub(crate) fn roles(msg: &Message<'_>, root: PartId) -> Vec<PartRole> {
    let s = body_structure(msg, root);
    let mut roles = vec![PartRole::Outside; msg.parts().len()];
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        let Some(part) = msg.part(id) else { continue };
        match part.body() {
            PartBody::Multipart { children, .. } => {
                roles[id] = PartRole::Container;
                stack.extend_from_slice(children);
            }
            _ => {
                let ct = part.content_type();
                roles[id] = if ct.is("text", "html") && s.html.contains(&id) {
                    PartRole::Html
                } else if ct.is_main("text") && !ct.is("text", "html") && s.text.contains(&id) {
                    PartRole::Text
                } else {
                    PartRole::Attachment
                };
            }
        }
    }
    roles
}
