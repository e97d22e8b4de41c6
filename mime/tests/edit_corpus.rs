//! The editor on every message of the shared MIME corpus: a Subject set (or
//! added), Received fields removed, a field prepended, and all three at
//! once. Each time, the output must be the input with exactly the edited
//! byte ranges changed, and must parse to the same part tree.

mod support;

use mailwire_mime::build::{LineEnding, PartBuilder};
use mailwire_mime::{Editor, Message, PartBody, PartId};

/// The new Subject, and how the editor writes it (RFC 2047 for the
/// non-ASCII words only, folded at 78).
const SUBJECT: &str = "Geänderter Betreff – größer als 78 Zeichen, damit er gefaltet werden muss: überall";
const SUBJECT_FIELD: &str = "Subject: =?utf-8?q?Ge=C3=A4nderter?= Betreff =?utf-8?b?4oCTIGdyw7bDn2Vy?= als{eol} \
                             78 Zeichen, damit er gefaltet werden muss: =?utf-8?q?=C3=BCberall?={eol}";
const X_TEST: &str = "X-Test: edited by mailwire{eol}";

fn field(template: &str, eol: LineEnding) -> Vec<u8> {
    let eol = match eol {
        LineEnding::Crlf => "\r\n",
        LineEnding::Lf => "\n",
    };
    template.replace("{eol}", eol).into_bytes()
}

fn messages() -> Option<Vec<(String, Vec<u8>)>> {
    let dir = support::corpus("mime")?;
    let files =
        support::files(&dir, &|n| n.ends_with(".eml") || (n.starts_with("msg_") && n.ends_with(".txt")));
    let mut out = Vec::new();
    for p in files {
        let name = p.strip_prefix(&dir).unwrap_or(&p).display().to_string();
        out.push((name, std::fs::read(&p).expect("corpus file readable")));
    }
    Some(out)
}

/// The media type of every part, in order.
fn shape(msg: &Message<'_>) -> Vec<String> {
    msg.parts().iter().map(|p| p.content_type().mime_type()).collect()
}

fn names(msg: &Message<'_>) -> Vec<String> {
    msg.headers().iter().map(|f| f.name().to_ascii_lowercase()).collect()
}

/// `input` with `edits` (sorted, non-overlapping ranges and their new
/// bytes) applied: what the output must be, byte for byte.
fn spliced(input: &[u8], edits: &[(std::ops::Range<usize>, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut pos = 0;
    for (range, bytes) in edits {
        assert!(range.start >= pos, "edits out of order");
        out.extend_from_slice(&input[pos..range.start]);
        out.extend_from_slice(bytes);
        pos = range.end;
    }
    out.extend_from_slice(&input[pos..]);
    out
}

/// Where a field added at the end of the root header block goes: the
/// start of the blank line ending it, or the body's start without one.
fn end_of_root_header(msg: &Message<'_>) -> usize {
    let input = msg.input();
    let root = msg.root();
    let (h, b) = (root.header_offset(), root.body_offset());
    let block = &input[h..b];
    for blank in [&b"\r\n"[..], b"\n"] {
        if let Some(rest) = block.strip_suffix(blank) {
            if rest.is_empty() || rest.ends_with(b"\n") {
                return b - blank.len();
            }
        }
    }
    b
}

/// Checks that `out` has the same tree as `msg` and returns it parsed.
fn same_tree<'o>(name: &str, what: &str, msg: &Message<'_>, out: &'o [u8]) -> Message<'o> {
    let edited = Message::parse(out);
    assert_eq!(shape(&edited), shape(msg), "{name}: {what} changed the part tree");
    edited
}

#[test]
fn edit_every_corpus_message() {
    let Some(messages) = messages() else {
        return;
    };
    assert!(messages.len() >= 250, "expected the shared MIME corpus, found {} messages", messages.len());
    let (mut replaced, mut added, mut received, mut bytes) = (0, 0, 0, 0);
    for (name, input) in &messages {
        let msg = Message::parse(input);
        let eol = Editor::new(&msg).line_ending();
        let subject = field(SUBJECT_FIELD, eol);
        let x_test = field(X_TEST, eol);
        bytes += input.len();

        // 1. Subject set: the old field's bytes (or nothing, at the end of
        // the header block) replaced by the new field; nothing else.
        let mut ed = Editor::new(&msg);
        ed.set_header(0, "Subject", SUBJECT).unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = ed.to_vec();
        let (range, new) = match msg.headers().get("Subject") {
            Some(f) => {
                replaced += 1;
                (f.offset()..f.end_offset(), subject.clone())
            }
            None => {
                added += 1;
                let at = end_of_root_header(&msg);
                let mut new = Vec::new();
                if at > 0 && input[at - 1] != b'\n' {
                    // A header block that ends without a line break.
                    new.extend_from_slice(&field("{eol}", eol));
                }
                new.extend_from_slice(&subject);
                (at..at, new)
            }
        };
        assert!(
            out == spliced(input, &[(range.clone(), &new)]),
            "{name}: Subject edit changed bytes outside {range:?}"
        );
        let edited = same_tree(name, "Subject edit", &msg, &out);
        assert_eq!(edited.subject().as_deref(), Some(SUBJECT), "{name}");
        let mut streamed = Vec::new();
        ed.write_to(&mut streamed).unwrap();
        assert!(streamed == out, "{name}: write_to differs from to_vec");

        // 2. Every Received field removed, each with its folded lines.
        let fields: Vec<_> = msg.headers().get_all("Received").map(|f| f.offset()..f.end_offset()).collect();
        let mut ed = Editor::new(&msg);
        assert_eq!(ed.remove_header(0, "Received"), fields.len(), "{name}");
        let out = ed.to_vec();
        let edits: Vec<_> = fields.iter().map(|r| (r.clone(), &b""[..])).collect();
        assert!(out == spliced(input, &edits), "{name}: Received removal changed other bytes");
        let edited = same_tree(name, "Received removal", &msg, &out);
        let mut expect = names(&msg);
        expect.retain(|n| n != "received");
        assert_eq!(names(&edited), expect, "{name}");
        assert_eq!(edited.subject(), msg.subject(), "{name}");
        received += usize::from(!fields.is_empty());

        // 3. A field prepended: inserted before the first field (after an
        // mbox From_ line), nothing else changed.
        let mut ed = Editor::new(&msg);
        ed.prepend_header("X-Test", "edited by mailwire").unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = ed.to_vec();
        // The point where `out` first differs from `input` may lie inside
        // the inserted bytes (when they begin like what follows them): the
        // insertion point is at or before it, and at or before the first
        // field, at a line start.
        let differs = input.iter().zip(&out).take_while(|(a, b)| a == b).count();
        let limit = msg.headers().as_slice().first().map_or(msg.root().body_offset(), |f| f.offset());
        let at = (0..=differs.min(limit)).rev().find(|&p| out == spliced(input, &[(p..p, &x_test)]));
        let at =
            at.unwrap_or_else(|| panic!("{name}: prepend changed other bytes, or inserted below {limit}"));
        assert!(at == 0 || input[at - 1] == b'\n', "{name}: X-Test inserted inside a line at {at}");
        let edited = same_tree(name, "prepend", &msg, &out);
        let mut expect = names(&msg);
        expect.insert(0, "x-test".into());
        assert_eq!(names(&edited), expect, "{name}");

        // 4. All three on one editor: the splices combine.
        let mut ed = Editor::new(&msg);
        ed.prepend_header("X-Test", "edited by mailwire").unwrap();
        ed.set_header(0, "Subject", SUBJECT).unwrap();
        ed.remove_header(0, "Received");
        let out = ed.to_vec();
        let edited = same_tree(name, "combined edit", &msg, &out);
        assert_eq!(edited.subject().as_deref(), Some(SUBJECT), "{name}");
        assert_eq!(edited.headers().get_all("Received").count(), 0, "{name}");
        assert_eq!(edited.headers().as_slice()[0].name(), "X-Test", "{name}");
    }
    eprintln!(
        "edit corpus: {} messages ({bytes} bytes): Subject replaced in {replaced}, added to {added}; \
         Received removed from {received}",
        messages.len()
    );
}

/// How many parts `id` spans: itself and everything nested in it.
fn subtree(msg: &Message<'_>, id: PartId) -> usize {
    let inside = |mut p: PartId| loop {
        if p == id {
            return true;
        }
        match msg.parts()[p].parent() {
            Some(q) => p = q,
            None => return false,
        }
    };
    (id..msg.parts().len()).take_while(|&p| inside(p)).count()
}

/// `out` is `input` with one contiguous range replaced: returns the
/// lengths of the common prefix and suffix.
fn one_change(input: &[u8], out: &[u8]) -> (usize, usize) {
    let prefix = input.iter().zip(out).take_while(|(a, b)| a == b).count();
    let max = input.len().min(out.len()) - prefix;
    let suffix = input.iter().rev().zip(out.iter().rev()).take(max).take_while(|(a, b)| a == b).count();
    (prefix, suffix)
}

#[test]
fn part_edits_on_every_corpus_multipart() {
    let Some(messages) = messages() else {
        return;
    };
    let (mut added, mut removed, mut refused) = (0, 0, 0);
    for (name, input) in &messages {
        let msg = Message::parse(input);
        for (id, part) in msg.parts().iter().enumerate() {
            let PartBody::Multipart { children, .. } = part.body() else { continue };
            // A part added before the close delimiter: one more part, the
            // bytes before and after the insertion untouched.
            let mut ed = Editor::new(&msg);
            match ed.add_part(id, &PartBuilder::text("added by the editor\n")) {
                Ok(_) => {
                    let out = ed.to_vec();
                    let edited = Message::parse(&out);
                    assert_eq!(edited.parts().len(), msg.parts().len() + 1, "{name}: add_part({id})");
                    let (prefix, suffix) = one_change(input, &out);
                    assert_eq!(prefix + suffix, input.len(), "{name}: add_part({id}) changed other bytes");
                    assert!(
                        prefix <= part.end_offset(),
                        "{name}: add_part({id}) wrote outside the multipart"
                    );
                    added += 1;
                }
                Err(_) => refused += 1,
            }
            // The last child removed (when it is not the only one): its
            // parts gone, nothing else changed but the removed range.
            if children.len() < 2 {
                continue;
            }
            let Some(&last) = children.last() else { continue };
            let mut ed = Editor::new(&msg);
            match ed.remove_part(last) {
                Ok(_) => {
                    let out = ed.to_vec();
                    let edited = Message::parse(&out);
                    let expect = msg.parts().len() - subtree(&msg, last);
                    assert_eq!(edited.parts().len(), expect, "{name}: remove_part({last})");
                    let (prefix, suffix) = one_change(input, &out);
                    assert!(prefix + suffix <= input.len(), "{name}: remove_part({last}) grew the message?");
                    assert!(prefix <= msg.parts()[last].header_offset(), "{name}: remove_part({last})");
                    removed += 1;
                }
                Err(_) => refused += 1,
            }
        }
    }
    assert!(added > 50 && removed > 20, "too few part edits ran: {added} added, {removed} removed");
    eprintln!("edit corpus: parts added to {added} multiparts, removed from {removed}; {refused} refused");
}
