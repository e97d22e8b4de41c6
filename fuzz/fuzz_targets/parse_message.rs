//! Parses the input as a whole message and asks for everything a user can
//! ask for, checking the offset invariants that must hold for any input.
//! The same bytes are also read as an mbox file.
#![no_main]

use std::hint::black_box;

use libfuzzer_sys::fuzz_target;
use mailwire_mime::mbox::MboxReader;
use mailwire_mime::summary::MessageSummary;
use mailwire_mime::{Limits, Message, PartBody};

fuzz_target!(|data: &[u8]| {
    let msg = Message::parse_with(data, &Limits::DEFAULT);
    assert!(
        std::ptr::eq(msg.input(), data),
        "input() is not the parsed slice"
    );
    assert!(
        !msg.parts().is_empty(),
        "a message always has a top-level entity"
    );

    for (id, part) in msg.parts().iter().enumerate() {
        // Offsets of the entity.
        let (h, b, e) = (part.header_offset(), part.body_offset(), part.end_offset());
        assert!(
            h <= b && b <= e && e <= data.len(),
            "part {id}: header {h} body {b} end {e} len {}",
            data.len()
        );

        // Every header field: offsets, raw bytes and every typed view.
        for f in part.headers().iter() {
            let (o, fe) = (f.offset(), f.end_offset());
            assert!(
                o < fe && fe <= data.len(),
                "part {id} field {:?}: offset {o} end {fe} len {}",
                f.name(),
                data.len()
            );
            assert!(
                f.raw_field() == &data[o..fe],
                "part {id} field {:?}: raw_field differs from data[{o}..{fe}]",
                f.name()
            );
            black_box(f.name());
            black_box(f.raw_value());
            black_box(f.value_offset());
            black_box(f.text());
            black_box(f.addresses());
            black_box(f.ids());
            black_box(f.date());
            black_box(f.unfolded());
        }

        // Typed header accessors.
        let hs = part.headers();
        black_box(hs.received().count());
        black_box(hs.list_id());
        black_box(hs.list_urls("List-Unsubscribe"));
        black_box(hs.content_disposition());
        black_box(hs.content_id());
        black_box(hs.content_type());
        black_box(hs.content_transfer_encoding());
        black_box(hs.subject());
        black_box(hs.from());
        black_box(hs.message_id());
        black_box(hs.references());

        // The entity itself.
        black_box(part.content_type().mime_type());
        black_box(part.disposition());
        black_box(part.charset());
        black_box(part.filename());
        black_box(part.raw_body());
        black_box(part.decode());
        black_box(part.decode_text());
        black_box(part.text());
        match part.body() {
            PartBody::Multipart {
                children,
                preamble,
                epilogue,
            } => {
                for &c in children {
                    assert!(c < msg.parts().len(), "part {id}: child {c} out of range");
                    assert_eq!(
                        msg.parts()[c].parent(),
                        Some(id),
                        "part {id}: child {c} parent"
                    );
                }
                assert!(preamble.start <= preamble.end && preamble.end <= data.len());
                if let Some(ep) = epilogue {
                    assert!(ep.start <= ep.end && ep.end <= data.len());
                }
            }
            PartBody::Message { root } => {
                assert!(
                    *root < msg.parts().len(),
                    "part {id}: nested root {root} out of range"
                );
            }
            PartBody::Leaf => {}
        }

        // Nested messages: their own RFC 8621 view.
        if let Some(root) = msg.nested_message(id) {
            black_box(msg.body_structure(root));
            black_box(msg.roles(root));
            black_box(MessageSummary::of(&msg, root));
        }
    }

    black_box(msg.body_structure(0));
    black_box(msg.roles(0));
    black_box(msg.defects().count());
    black_box(msg.text_body(0));
    black_box(msg.html_body(0));
    black_box(msg.attachments().count());
    black_box(MessageSummary::new(&msg));

    // The same bytes as an mbox file.
    for m in MboxReader::new(data) {
        black_box(m.envelope_sender());
        black_box(m.unquoted());
    }
});
