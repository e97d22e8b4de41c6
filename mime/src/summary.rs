//! A serialisable, owned summary of a parsed message (feature `serde`).
//!
//! This is the shape `examples/inspect.rs` prints, and it is kept stable:
//! keys may be added, never renamed.
//!
//! ```text
//! MESSAGE = {"headers": [{"name", "raw", "value"}], "from": [ADDR], "sender": [ADDR], "reply_to": [ADDR],
//!            "to": [ADDR], "cc": [ADDR], "bcc": [ADDR], "subject": str|null, "date": "RFC 3339"|null,
//!            "message_id": str|null, "in_reply_to": [str], "references": [str], "root": PART}
//! ADDR    = {"name": str|null, "address": str|null, "group": str|null}
//! PART    = {"content_type": "type/subtype", "params": {name: value}, "disposition": str|null,
//!            "filename": str|null, "charset": str|null, "transfer_encoding": str|null,
//!            "size": decoded byte count, "sha256": hex, "text": str|null, "parts": [PART],
//!            "message": MESSAGE|null, "defects": [str], "role": str, "content_id": str|null,
//!            "offset_header": int, "offset_body": int, "offset_end": int}
//! ```
//!
//! A group member carries its group's name in `group`; an empty group is
//! one ADDR with only `group` set. `size` and `sha256` describe the decoded
//! content of leaves; containers (multipart, message/rfc822) have size 0.
//! `role` is the part's [`PartRole`] in its message.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::address::Address;
use crate::body::PartRole;
use crate::header::Headers;
use crate::message::{Message, PartBody, PartId};

/// A message's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSummary {
    /// Every header field of the top entity, in order.
    pub headers: Vec<HeaderSummary>,
    /// `From:`.
    pub from: Vec<AddrSummary>,
    /// `Sender:`.
    pub sender: Vec<AddrSummary>,
    /// `Reply-To:`.
    pub reply_to: Vec<AddrSummary>,
    /// `To:`.
    pub to: Vec<AddrSummary>,
    /// `Cc:`.
    pub cc: Vec<AddrSummary>,
    /// `Bcc:`.
    pub bcc: Vec<AddrSummary>,
    /// The decoded subject.
    pub subject: Option<String>,
    /// The date as RFC 3339 with the sender's offset.
    pub date: Option<String>,
    /// The Message-ID without brackets.
    pub message_id: Option<String>,
    /// In-Reply-To ids.
    pub in_reply_to: Vec<String>,
    /// References ids.
    pub references: Vec<String>,
    /// The top entity.
    pub root: PartSummary,
}

/// One header field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderSummary {
    /// The name as written.
    pub name: String,
    /// The raw value (lossy UTF-8), folding kept.
    pub raw: String,
    /// The value decoded as unstructured text.
    pub value: String,
}

/// One mailbox of an address list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddrSummary {
    /// Display name.
    pub name: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// The name of the group it belongs to.
    pub group: Option<String>,
}

/// One entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartSummary {
    /// `type/subtype`, lower case (the effective type, defaults applied).
    pub content_type: String,
    /// Content-Type parameters, decoded (first occurrence wins).
    pub params: BTreeMap<String, String>,
    /// The disposition type, lower case.
    pub disposition: Option<String>,
    /// The file name.
    pub filename: Option<String>,
    /// The charset parameter.
    pub charset: Option<String>,
    /// The Content-Transfer-Encoding, lower case.
    pub transfer_encoding: Option<String>,
    /// Decoded size in bytes (0 for containers).
    pub size: usize,
    /// SHA-256 of the decoded bytes, hex.
    pub sha256: String,
    /// Decoded UTF-8 text for `text/*` parts.
    pub text: Option<String>,
    /// Children of a multipart.
    pub parts: Vec<PartSummary>,
    /// The nested message of message/rfc822 and message/global.
    pub message: Option<Box<MessageSummary>>,
    /// Defect names (parsing and decoding).
    pub defects: Vec<String>,
    /// The part's role in its message.
    pub role: String,
    /// Content-ID without brackets.
    pub content_id: Option<String>,
    /// Offset of the entity's headers in the input.
    pub offset_header: usize,
    /// Offset of the body.
    pub offset_body: usize,
    /// Offset just past the body.
    pub offset_end: usize,
}

impl MessageSummary {
    /// Summarises the whole message.
    pub fn new(msg: &Message<'_>) -> Self {
        Self::of(msg, 0)
    }

    /// Summarises the message whose top entity is `root` (a nested one).
    pub fn of(msg: &Message<'_>, root: PartId) -> Self {
        let roles = msg.roles(root);
        let h = msg.part(root).map(|p| p.headers().clone()).unwrap_or_default();
        MessageSummary {
            headers: h
                .iter()
                .map(|f| HeaderSummary {
                    name: f.name().to_string(),
                    raw: String::from_utf8_lossy(f.raw_value()).into_owned(),
                    value: f.text().into_owned(),
                })
                .collect(),
            from: addrs(&h, "From"),
            sender: addrs(&h, "Sender"),
            reply_to: addrs(&h, "Reply-To"),
            to: addrs(&h, "To"),
            cc: addrs(&h, "Cc"),
            bcc: addrs(&h, "Bcc"),
            subject: h.subject().map(|s| s.into_owned()),
            date: h.date().map(|d| d.to_rfc3339()),
            message_id: h.message_id().map(|s| s.into_owned()),
            in_reply_to: h.in_reply_to().into_iter().map(|s| s.into_owned()).collect(),
            references: h.references().into_iter().map(|s| s.into_owned()).collect(),
            root: part(msg, root, &roles),
        }
    }
}

fn addrs(h: &Headers<'_>, name: &str) -> Vec<AddrSummary> {
    let list = h.get(name).map(|f| f.addresses()).unwrap_or_default();
    let mut out = Vec::new();
    for a in &list {
        let (group, members) = match a {
            Address::Mailbox(m) => (None, std::slice::from_ref(m)),
            Address::Group(g) => (Some(g.name.as_deref().unwrap_or("").to_string()), &g.members[..]),
        };
        if members.is_empty() {
            // An empty group is one ADDR carrying only its name.
            out.push(AddrSummary { name: None, address: None, group: group.clone() });
        }
        for m in members {
            out.push(AddrSummary {
                name: m.name.as_deref().map(str::to_string),
                address: m.address.as_deref().map(str::to_string),
                group: group.clone(),
            });
        }
    }
    out
}

fn part(msg: &Message<'_>, id: PartId, roles: &[PartRole]) -> PartSummary {
    let p = &msg.parts()[id];
    let ct = p.content_type();
    let mut params = BTreeMap::new();
    for prm in ct.params() {
        params.entry(prm.name.to_string()).or_insert_with(|| prm.value.to_string());
    }
    let mut defects: Vec<String> = p.defects().iter().map(|d| d.kind.name().to_string()).collect();
    let (size, sha256, text, parts, message) = match p.body() {
        PartBody::Multipart { children, .. } => {
            (0, hex_sha256(b""), None, children.iter().map(|&c| part(msg, c, roles)).collect(), None)
        }
        PartBody::Message { root } => {
            (0, hex_sha256(b""), None, Vec::new(), Some(Box::new(MessageSummary::of(msg, *root))))
        }
        PartBody::Leaf => {
            let (bytes, d) = p.decode();
            defects.extend(d.map(|d| d.kind.name().to_string()));
            let text = if p.is_text() {
                let (t, ds) = p.decode_text();
                for d in ds {
                    let name = d.kind.name().to_string();
                    if !defects.contains(&name) {
                        defects.push(name);
                    }
                }
                Some(t.into_owned())
            } else {
                None
            };
            (bytes.len(), hex_sha256(&bytes), text, Vec::new(), None)
        }
    };
    PartSummary {
        content_type: ct.mime_type(),
        params,
        disposition: p.disposition().map(|d| d.kind().to_string()),
        filename: p.filename().map(|f| f.into_owned()),
        charset: p.charset().map(str::to_string),
        transfer_encoding: p.headers().content_transfer_encoding().map(|t| t.to_ascii_lowercase()),
        size,
        sha256,
        text,
        parts,
        message,
        defects,
        role: roles.get(id).copied().unwrap_or(PartRole::Outside).name().to_string(),
        content_id: p.headers().content_id().map(|c| c.into_owned()),
        offset_header: p.header_offset(),
        offset_body: p.body_offset(),
        offset_end: p.end_offset(),
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    s
}
