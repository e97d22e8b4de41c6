//! A tour of what mailwire can do so far, on sample messages written for
//! this project (`examples/data/`).
//!
//! ```text
//! cargo run --example tour
//! ```

use mailwire_mime::mbox::MboxReader;
use mailwire_mime::{Address, Message, PartBody, PartId, PartRole};

const SAMPLES: &[(&str, &[u8])] = &[
    ("newsletter.eml", include_bytes!("data/newsletter.eml")),
    ("report.eml", include_bytes!("data/report.eml")),
    ("broken.eml", include_bytes!("data/broken.eml")),
];

fn main() {
    println!("mailwire tour: parsing (mailwire-mime)\n");
    for (name, raw) in SAMPLES {
        println!("== {name} ({} bytes)", raw.len());
        let msg = Message::parse(raw);
        show_message(&msg, 0, 1);
        println!();
    }

    println!("== archive.mbox");
    for (i, entry) in MboxReader::new(include_bytes!("data/archive.mbox")).enumerate() {
        let unquoted = entry.unquoted();
        let msg = Message::parse(&unquoted);
        println!(
            "  message {} from {:?}: subject {:?}, body {:?}",
            i + 1,
            entry.envelope_sender().unwrap_or("?"),
            msg.subject().unwrap_or_default(),
            msg.text_body(0).unwrap_or_default().trim_end()
        );
    }
}

fn show_message(msg: &Message<'_>, root: PartId, indent: usize) {
    let pad = "  ".repeat(indent);
    let h = msg.part(root).map(|p| p.headers().clone()).unwrap_or_default();
    println!("{pad}subject : {:?}", h.subject().unwrap_or_default());
    for (label, list) in [("from", h.from()), ("to", h.to()), ("cc", h.cc())] {
        if !list.is_empty() {
            println!("{pad}{label:<8}: {}", describe(&list));
        }
    }
    if let Some(date) = h.date() {
        println!("{pad}date    : {} (unix {})", date.to_rfc3339(), date.timestamp);
    }
    if let Some(id) = h.message_id() {
        println!("{pad}msg-id  : {id}");
    }
    let refs = h.references();
    if !refs.is_empty() {
        println!("{pad}refs    : {}", refs.join(" "));
    }
    if let Some(list) = h.list_id() {
        println!("{pad}list-id : {}", list.id);
    }
    let unsub = h.list_urls("List-Unsubscribe");
    if !unsub.is_empty() {
        println!("{pad}unsub   : {}", unsub.join(", "));
    }
    for r in h.received() {
        println!(
            "{pad}received: from {} by {} ({})",
            r.from.as_deref().unwrap_or("?"),
            r.by.as_deref().unwrap_or("?"),
            r.date.map(|d| d.to_rfc3339()).unwrap_or_default()
        );
    }
    println!("{pad}tree:");
    let roles = msg.roles(root);
    show_tree(msg, root, &roles, indent + 1);
    let body = msg.body_structure(root);
    if let Some(&t) = body.text.first() {
        let text = msg.parts()[t].text().unwrap_or_default();
        println!("{pad}text body: {:?}", first_line(&text));
    }
    for &a in &body.attachments {
        let p = &msg.parts()[a];
        println!(
            "{pad}attachment: {} {:?}, {} bytes decoded",
            p.content_type().mime_type(),
            p.filename().unwrap_or_default(),
            p.decoded().len()
        );
    }
    if root == 0 {
        // Parse-time defects, then what decoding each part found.
        let mut defects: Vec<String> = msg.defects().map(|d| d.to_string()).collect();
        for p in msg.parts() {
            defects.extend(p.decode_text().1.iter().map(|d| d.to_string()));
        }
        if !defects.is_empty() {
            println!("{pad}defects: {}", defects.join("; "));
        }
    }
}

fn show_tree(msg: &Message<'_>, id: PartId, roles: &[PartRole], indent: usize) {
    let p = &msg.parts()[id];
    let pad = "  ".repeat(indent);
    let ct = p.content_type();
    let extra = match (p.charset(), p.transfer_encoding()) {
        (Some(cs), te) => format!(" charset={cs} {te:?}"),
        (None, te) => format!(" {te:?}"),
    };
    println!("{pad}- {} [{}]{extra}", ct.mime_type(), roles[id].name());
    match p.body() {
        PartBody::Multipart { children, .. } => {
            for &c in children {
                show_tree(msg, c, roles, indent + 1);
            }
        }
        PartBody::Message { root } => {
            println!("{pad}  (attached message)");
            show_message(msg, *root, indent + 2);
        }
        PartBody::Leaf => {}
    }
}

fn describe(list: &[Address<'_>]) -> String {
    let mut out = Vec::new();
    for (group, m) in Address::flatten(list) {
        let who = match (&m.name, &m.address) {
            (Some(n), Some(a)) => format!("{n} <{a}>"),
            (None, Some(a)) => a.to_string(),
            (Some(n), None) => n.to_string(),
            (None, None) => String::new(),
        };
        out.push(match group {
            Some(g) => format!("[{g}] {who}"),
            None => who,
        });
    }
    for a in list {
        if let Address::Group(g) = a {
            if g.members.is_empty() {
                out.push(format!("[{}] (empty group)", g.name.as_deref().unwrap_or("")));
            }
        }
    }
    out.join(", ")
}

fn first_line(text: &str) -> &str {
    text.lines().find(|l| !l.trim().is_empty()).unwrap_or("")
}
