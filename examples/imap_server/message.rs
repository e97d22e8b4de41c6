//! What FETCH shows of a message, computed from its bytes with
//! mailwire-mime: body sections (RFC 9051 §6.4.5 part numbering), BINARY's
//! decoded parts, ENVELOPE and BODYSTRUCTURE.

use std::num::NonZeroU32;

use bytes::Bytes;
use mailwire_imap::response::{
    Address, BodyFields, BodyParams, BodyStructure, Data, Disposition, Envelope, ExtensionData, Language,
    MultipartExtension, NamespaceDesc, SingleExtension, SingleKind,
};
use mailwire_imap::section::{Section, SectionText};
use mailwire_imap::string::Str;
use mailwire_mime::{Message, PartId};

/// The entity a part path names: the part, and whether the path went into
/// it (an empty path names the message itself).
fn resolve(msg: &Message<'_>, path: &[NonZeroU32]) -> Option<PartId> {
    let mut cur: PartId = 0; // the root
    for (i, n) in path.iter().enumerate() {
        let n = n.get() as usize;
        if i > 0 {
            // Into an attached message: its parts are numbered below it.
            if let Some(inner) = msg.nested_message(cur) {
                cur = inner;
            }
        }
        let part = msg.part(cur)?;
        if part.is_multipart() {
            cur = *msg.children(cur).get(n - 1)?;
        } else if n != 1 {
            return None;
        }
    }
    Some(cur)
}

/// The bytes of `section` of `bytes`, or `None` if there is no such part.
pub fn section(bytes: &Bytes, section: &Section) -> Option<Bytes> {
    let msg = Message::parse(bytes);
    let id = resolve(&msg, &section.part)?;
    let part = msg.part(id)?;
    // HEADER, TEXT and HEADER.FIELDS are about a message: the top one, or
    // the one a message/rfc822 part holds.
    let message_root = if section.part.is_empty() { Some(id) } else { msg.nested_message(id) };
    match &section.text {
        None if section.part.is_empty() => Some(bytes.clone()),
        None => Some(bytes.slice(part.body_offset()..part.end_offset())),
        Some(SectionText::Mime) => Some(bytes.slice(part.header_offset()..part.body_offset())),
        Some(SectionText::Header) => {
            let m = msg.part(message_root?)?;
            Some(bytes.slice(m.header_offset()..m.body_offset()))
        }
        Some(SectionText::Text) => {
            let m = msg.part(message_root?)?;
            Some(bytes.slice(m.body_offset()..m.end_offset()))
        }
        Some(SectionText::HeaderFields(names)) | Some(SectionText::HeaderFieldsNot(names)) => {
            let not = matches!(section.text, Some(SectionText::HeaderFieldsNot(_)));
            let m = msg.part(message_root?)?;
            let mut out = Vec::new();
            for field in m.headers().iter() {
                let listed = names.iter().any(|n| n.as_bytes().eq_ignore_ascii_case(field.name().as_bytes()));
                if listed != not {
                    out.extend_from_slice(field.raw_field());
                    if !out.ends_with(b"\n") {
                        out.extend_from_slice(b"\r\n");
                    }
                }
            }
            out.extend_from_slice(b"\r\n");
            Some(Bytes::from(out))
        }
    }
}

/// BINARY[part]: the part's content with its transfer encoding undone.
pub fn binary(bytes: &Bytes, path: &[NonZeroU32]) -> Option<Vec<u8>> {
    let msg = Message::parse(bytes);
    let id = resolve(&msg, path)?;
    let part = msg.part(id)?;
    if path.is_empty() {
        return Some(bytes.to_vec());
    }
    Some(part.decoded().into_owned())
}

/// ENVELOPE: the header fields as written (unfolded), and the address
/// lists parsed (RFC 9051 §7.5.2: sender and reply-to default to from).
pub fn envelope(bytes: &[u8]) -> Envelope {
    let msg = Message::parse_headers(bytes);
    let h = msg.headers();
    let raw = |name: &str| h.get(name).map(|f| Str::from(f.unfolded().into_owned()));
    let addresses = |name: &str| -> Vec<Address> {
        let Some(field) = h.get(name) else { return Vec::new() };
        let mut out = Vec::new();
        for a in mailwire_mime::parse_address_list(field.raw_value()) {
            match a {
                mailwire_mime::Address::Mailbox(m) => out.push(address(&m)),
                mailwire_mime::Address::Group(g) => {
                    // The group's start (NIL NIL "name" NIL), members, end.
                    let name = g.name.as_deref().unwrap_or_default();
                    out.push(Address { mailbox: Some(Str::from(name)), ..Address::default() });
                    out.extend(g.members.iter().map(address));
                    out.push(Address::default());
                }
            }
        }
        out
    };
    let from = addresses("From");
    let sender = if h.get("Sender").is_some() { addresses("Sender") } else { from.clone() };
    let reply_to = if h.get("Reply-To").is_some() { addresses("Reply-To") } else { from.clone() };
    Envelope {
        date: raw("Date"),
        subject: raw("Subject"),
        from,
        sender,
        reply_to,
        to: addresses("To"),
        cc: addresses("Cc"),
        bcc: addresses("Bcc"),
        in_reply_to: raw("In-Reply-To"),
        message_id: raw("Message-ID"),
    }
}

fn address(m: &mailwire_mime::Mailbox<'_>) -> Address {
    let addr = m.address.as_deref().unwrap_or_default();
    let (local, host) = match addr.rsplit_once('@') {
        Some((l, h)) => (l, Some(h)),
        None => (addr, None),
    };
    Address {
        name: m.name.as_deref().filter(|n| !n.is_empty()).map(Str::from),
        adl: None,
        mailbox: Some(Str::from(local)),
        // A missing domain must not read as a group marker.
        host: Some(Str::from(host.unwrap_or("missing-domain"))),
    }
}

/// NAMESPACE: one personal namespace, no prefix, `.` as the delimiter.
pub fn namespace() -> Data {
    let personal = NamespaceDesc { prefix: Str::from(""), delimiter: Some('.'), extensions: Vec::new() };
    Data::Namespace { personal: Some(vec![personal]), other: None, shared: None }
}

/// BODYSTRUCTURE (`extensible`) or BODY of a message.
pub fn body_structure(bytes: &[u8], extensible: bool) -> BodyStructure {
    let msg = Message::parse(bytes);
    structure_of(&msg, 0, extensible, 0)
}

fn params_of(params: &[mailwire_mime::Param<'_>]) -> BodyParams {
    if params.is_empty() {
        return None;
    }
    Some(params.iter().map(|p| (Str::from(p.name.as_ref()), Str::from(p.value.as_ref()))).collect())
}

fn structure_of(msg: &Message<'_>, id: PartId, extensible: bool, depth: usize) -> BodyStructure {
    let Some(part) = msg.part(id) else {
        return BodyStructure::Single {
            media_type: Str::from("text"),
            subtype: Str::from("plain"),
            fields: BodyFields { encoding: Str::from("7bit"), ..BodyFields::default() },
            kind: SingleKind::Text { lines: 0 },
            extension: None,
        };
    };
    let ct = part.content_type();
    let raw = |name: &str| part.headers().get(name).map(|f| Str::from(f.unfolded().into_owned()));
    let more = || ExtensionData {
        disposition: part
            .disposition()
            .map(|d| Disposition { kind: Str::from(d.kind()), params: params_of(d.params()) }),
        language: raw("Content-Language").map(Language::One),
        location: raw("Content-Location"),
        extensions: Vec::new(),
        present: 3,
    };
    if part.is_multipart() && depth < 32 {
        let parts = msg.children(id).iter().map(|&c| structure_of(msg, c, extensible, depth + 1)).collect();
        let subtype = Str::from(ct.subtype().unwrap_or("mixed"));
        let extension =
            extensible.then(|| Box::new(MultipartExtension { params: params_of(ct.params()), more: more() }));
        return BodyStructure::Multipart { parts, subtype, extension };
    }
    let body = part.raw_body();
    let lines = body.iter().filter(|&&b| b == b'\n').count() as u64
        + u64::from(!body.is_empty() && !body.ends_with(b"\n"));
    let mut params = params_of(ct.params());
    if params.is_none() && ct.is_main("text") {
        params = Some(vec![(Str::from("charset"), Str::from("us-ascii"))]);
    }
    let fields = BodyFields {
        params,
        id: raw("Content-ID"),
        description: raw("Content-Description"),
        encoding: raw("Content-Transfer-Encoding").unwrap_or_else(|| Str::from("7bit")),
        octets: body.len() as u32,
    };
    let kind = match msg.nested_message(id) {
        Some(inner) if depth < 32 => {
            let inner_bytes =
                msg.part(inner).map_or(&[][..], |p| &msg.input()[p.header_offset()..p.end_offset()]);
            SingleKind::Message {
                envelope: Box::new(envelope(inner_bytes)),
                body: Box::new(structure_of(msg, inner, extensible, depth + 1)),
                lines,
            }
        }
        _ if ct.is_main("text") => SingleKind::Text { lines },
        _ => SingleKind::Basic,
    };
    let extension = extensible.then(|| Box::new(SingleExtension { md5: raw("Content-MD5"), more: more() }));
    BodyStructure::Single {
        media_type: Str::from(ct.main_type()),
        subtype: Str::from(ct.subtype().unwrap_or("plain")),
        fields,
        kind,
        extension,
    }
}
