//! No input makes the parser panic, hang or balloon: every message of the
//! shared corpora is truncated, bit-flipped and spliced with another, and
//! every accessor is exercised on the result. Plus hand-made hostile input
//! that tests the limits.

mod support;

use mailwire_mime::mbox::MboxReader;
use mailwire_mime::{DefectKind, Limits, Message};

/// Exercises everything a user can ask of a parsed message.
fn exercise(input: &[u8]) -> usize {
    let msg = Message::parse(input);
    let mut work = 0;
    for (id, part) in msg.parts().iter().enumerate() {
        for f in part.headers() {
            work += f.text().len() + f.addresses().len() + f.ids().len();
            work += usize::from(f.date().is_some());
        }
        let h = part.headers();
        work += h.received().count() + h.list_urls("List-Unsubscribe").len();
        work += usize::from(h.list_id().is_some()) + usize::from(h.content_disposition().is_some());
        work += part.filename().map_or(0, |f| f.len());
        let (text, defects) = part.decode_text();
        work += text.len() + defects.len();
        assert!(part.body_offset() <= part.end_offset() && part.end_offset() <= input.len());
        assert!(part.header_offset() <= part.body_offset());
        if let Some(root) = msg.nested_message(id) {
            work += msg.body_structure(root).attachments.len();
        }
    }
    let s = msg.body_structure(0);
    work += s.text.len() + s.html.len() + s.attachments.len() + msg.roles(0).len();
    work + MboxReader::new(input).map(|m| m.unquoted().len()).sum::<usize>()
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn corpus_messages() -> Option<Vec<Vec<u8>>> {
    let dir = support::corpus("mime")?;
    let files =
        support::files(&dir, &|n| n.ends_with(".eml") || (n.starts_with("msg_") && n.ends_with(".txt")));
    Some(files.iter().filter_map(|p| std::fs::read(p).ok()).collect())
}

#[test]
fn truncated_flipped_and_spliced_corpus() {
    let Some(msgs) = corpus_messages() else {
        return;
    };
    assert!(msgs.len() > 240, "corpus unexpectedly small: {}", msgs.len());
    let mut rng = Rng(0x6d61_696c_7769_7265);
    let mut cases = 0usize;
    for (i, m) in msgs.iter().enumerate() {
        let big = m.len() > 200_000;
        let rounds = if big { 3 } else { 12 };
        exercise(m);
        for _ in 0..rounds {
            let cut = rng.below(m.len() + 1);
            exercise(&m[..cut]);
            let mut flipped = m.clone();
            for _ in 0..1 + rng.below(8) {
                if flipped.is_empty() {
                    break;
                }
                let at = rng.below(flipped.len());
                flipped[at] ^= 1 << rng.below(8);
            }
            exercise(&flipped);
            let other = &msgs[rng.below(msgs.len())];
            let mut spliced = m[..rng.below(m.len() + 1)].to_vec();
            spliced.extend_from_slice(&other[rng.below(other.len() + 1)..]);
            exercise(&spliced);
            cases += 3;
        }
        if i % 50 == 0 {
            eprintln!("robustness: {i}/{} messages", msgs.len());
        }
    }
    eprintln!("robustness: {cases} mutated messages parsed and fully decoded without a panic");
}

#[test]
fn deep_nesting_is_capped() {
    let mut msg = Vec::new();
    for i in 0..5000 {
        msg.extend_from_slice(
            format!("Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n").as_bytes(),
        );
    }
    msg.extend_from_slice(b"\r\nleaf\r\n");
    let parsed = Message::parse(&msg);
    assert!(parsed.parts().len() <= Limits::DEFAULT.max_depth + 2);
    assert!(parsed.defects().any(|d| d.kind == DefectKind::TooDeep));
    exercise(&msg);

    let mut nested = Vec::new();
    for _ in 0..5000 {
        nested.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
    }
    let parsed = Message::parse(&nested);
    assert!(parsed.defects().any(|d| d.kind == DefectKind::TooDeep));
    exercise(&nested);
}

#[test]
fn part_count_and_header_count_are_capped() {
    let mut msg = b"Content-Type: multipart/mixed; boundary=x\r\n\r\n".to_vec();
    for _ in 0..30_000 {
        msg.extend_from_slice(b"--x\r\n\r\n");
    }
    let parsed = Message::parse(&msg);
    assert_eq!(parsed.parts().len(), Limits::DEFAULT.max_parts);
    assert!(parsed.defects().any(|d| d.kind == DefectKind::TooManyParts));

    let mut many = Vec::new();
    for i in 0..20_000 {
        many.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\nbody");
    let parsed = Message::parse(&many);
    assert_eq!(parsed.headers().len(), Limits::DEFAULT.max_headers);
    assert!(parsed.defects().any(|d| d.kind == DefectKind::TooManyHeaders));

    let long = [b"Subject: ".as_slice(), &vec![b'a'; 2 << 20], b"\r\n\r\nbody"].concat();
    let parsed = Message::parse_with(&long, &Limits::DEFAULT);
    assert!(parsed.subject().is_none());
    assert!(parsed.defects().any(|d| d.kind == DefectKind::HeaderTooLong));
}

#[test]
fn hostile_bytes() {
    let cases: &[&[u8]] = &[
        b"",
        b"\r\n",
        b"\n\n\n",
        b":",
        b": : :\r\n\r\n",
        b"\0\0\0\0",
        b"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n--\r\n",
        b"Content-Type: multipart/mixed; boundary=-\r\n\r\n---\r\n---\r\n-----\r\n",
        b"Content-Type: text/plain; charset*0*=utf-8'';charset*99999=x\r\n\r\n",
        b"Subject: =?=?=?=?utf-8?b?====?=?q?=?=\r\n\r\n",
        b"From: ((((((((((((((((((((((((((((\r\n\r\n",
        b"From: \"\\\r\n\r\n",
        b"Content-Transfer-Encoding: base64\r\n\r\n====A===B==",
        b"Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n\x7f\x7f\x7f\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n=\r\n=\r\n=4",
        b"Content-Type: message/rfc822\r\n",
        b"Date: Mon, 99 Foo 99999999999999999999 99:99:99 +9999\r\n\r\n",
    ];
    for c in cases {
        exercise(c);
    }
}
