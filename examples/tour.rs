//! A tour of what mailwire can do so far, on sample messages written for
//! this project (`examples/data/`): parsing, then building a message and
//! reading it back.
//!
//! ```text
//! cargo run --example tour
//! ```

use mailwire_mime::build::{MessageBuilder, PartBuilder};
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
    building();
}

/// A text + AMP + HTML message with an inline image and an attachment,
/// written, then parsed back.
fn building() {
    println!("\nmailwire tour: building (mailwire-mime::build)\n");
    let amp = include_str!("data/compose/spec.json");
    let amp = serde_json::from_str::<serde_json::Value>(amp).ok();
    let amp = amp.as_ref().and_then(|v| v["amp"].as_str()).unwrap_or_default().to_string();
    let logo = include_bytes!("data/compose/logo.png");
    // 2026-12-01T09:30:00+01:00, as a timestamp and an offset.
    let date = mailwire_mime::DateTime { timestamp: 1_796_113_800, offset_minutes: 60 };
    let built = MessageBuilder::new()
        .from(("Jörg Müller", "joerg@shop.example"))
        .to("Ann Lee <ann@example.com>")
        .bcc("audit@shop.example")
        .subject("Your November summary — 1,388 orders")
        .date(date)
        .message_id("<summary-2026-11@shop.example>")
        .list_unsubscribe("https://shop.example/unsubscribe?u=ann")
        .list_unsubscribe_one_click()
        .text("Hello Ann,\n\nNovember: 1,388 orders.\n")
        .amp(amp)
        .html("<p><img src=\"cid:logo@shop.example\"> November: 1,388 orders.</p>")
        .inline("image/png", "logo@shop.example", &logo[..])
        .attach(
            PartBuilder::text_of_type("text/csv", "month,orders\nNovember,1388\n")
                .attachment("Umsätze November.csv"),
        );
    let bytes = match built.to_vec() {
        Ok(b) => b,
        Err(e) => {
            println!("  refused: {e}");
            return;
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let header = text.split("\r\n\r\n").next().unwrap_or_default();
    println!("== built: {} bytes; the header as written:", bytes.len());
    for line in header.lines() {
        println!("  | {line}");
    }
    let msg = Message::parse(&bytes);
    println!("== parsed back:");
    show_message(&msg, 0, 1);
    let refused =
        MessageBuilder::new().from("a@example.com").html("<p>hi</p>").amp("<html><body>hi</body></html>");
    if let Err(e) = refused.to_vec() {
        println!("== an AMP part without its markers is refused:\n  {e}");
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
