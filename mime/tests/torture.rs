//! Mark Crispin's MIME torture test: the part tree must be exactly the one
//! in `expected-structure.txt` (what Python's email package and CPython's
//! own torture test give).

mod support;

use mailwire_mime::{Message, PartBody, PartId};

fn tree(msg: &Message<'_>, id: PartId, depth: usize, out: &mut String) {
    let p = &msg.parts()[id];
    out.push_str(&"    ".repeat(depth));
    out.push_str(&p.content_type().mime_type());
    out.push('\n');
    match p.body() {
        PartBody::Multipart { children, .. } => {
            for &c in children {
                tree(msg, c, depth + 1, out);
            }
        }
        PartBody::Message { root } => tree(msg, *root, depth + 1, out),
        PartBody::Leaf => {}
    }
}

#[test]
fn crispin_torture_tree() {
    let Some(dir) = support::corpus("mime/crispin-torture") else {
        return;
    };
    let raw = std::fs::read(dir.join("torture-test.eml")).unwrap();
    let expected = std::fs::read_to_string(dir.join("expected-structure.txt")).unwrap();
    let msg = Message::parse(&raw);
    let mut got = String::new();
    tree(&msg, 0, 0, &mut got);
    assert_eq!(got.trim_end(), expected.trim_end());
    // Every leaf decodes; the torture test has no broken encodings.
    for p in msg.parts() {
        assert_eq!(p.decode().1, None, "decoding defect in a {} part", p.content_type().mime_type());
    }
}
