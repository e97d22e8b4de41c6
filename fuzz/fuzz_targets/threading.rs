//! Arbitrary header values and subjects into the threading state, with
//! adds and removes chosen by the input. Checks: no panic; every present
//! message appears exactly once in every result; the incremental state
//! equals a rebuild from the present messages; the IMAP form is balanced;
//! base subjects and message IDs are fixed points of their own extraction.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire_threading::subject::{base_subject, compare_key};
use mailwire_threading::{ConversationStyle, JwzOptions, Message, SubjectMerge, Threader, msgid};

/// One generated message: fields cut from the input.
struct Fields {
    id: u64,
    message_id: String,
    in_reply_to: String,
    references: String,
    subject: String,
    date: i64,
}

impl Fields {
    fn message(&self) -> Message<'_> {
        Message::new(self.id, &self.message_id, &self.in_reply_to, &self.references, &self.subject, self.date)
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let text = String::from_utf8_lossy(&data[1..]);
    // Fields are separated by '|', messages by '\n'; short fields point
    // at earlier messages so that references connect.
    let mut all: Vec<Fields> = Vec::new();
    for (i, line) in text.split('\n').take(64).enumerate() {
        let mut parts = line.split('|');
        let mut next = || parts.next().unwrap_or("").to_string();
        let expand = |s: String| {
            if s.len() <= 2 { s.bytes().map(|b| format!("<m{}@x> ", b % 16)).collect() } else { s }
        };
        let message_id = expand(next());
        let in_reply_to = expand(next());
        let references = expand(next());
        let subject = next();
        let date = next().bytes().fold(0i64, |d, b| d.wrapping_mul(31).wrapping_add(i64::from(b))) % 10;
        all.push(Fields { id: i as u64, message_id, in_reply_to, references, subject, date });
    }
    for f in &all {
        let base = base_subject(&f.subject);
        assert_eq!(
            base_subject(&base.text).text,
            base.text,
            "base subject is not a fixed point: {:?}",
            f.subject
        );
        let _ = compare_key(&f.subject);
        for id in msgid::ids(&f.references) {
            assert!(id.contains('@'));
        }
    }
    let ops = data[0];
    let mut t = Threader::new();
    let mut present: Vec<usize> = Vec::new();
    for (i, f) in all.iter().enumerate() {
        t.add(&f.message());
        present.push(i);
        // Remove one now and then, as the first byte says.
        if ops & (1 << (i % 8)) != 0 && present.len() > 1 {
            let victim = present.remove((i * 7) % present.len());
            assert!(t.remove(all[victim].id));
        }
    }
    let mut fresh = Threader::new();
    for &i in &present {
        fresh.add(&all[i].message());
    }
    let window = JwzOptions { subject_merge: SubjectMerge::WithinSeconds(3), ..JwzOptions::default() };
    let mut want: Vec<u64> = present.iter().map(|&i| all[i].id).collect();
    want.sort_unstable();
    for (a, b) in [
        (t.references(), fresh.references()),
        (t.ordered_subject(), fresh.ordered_subject()),
        (t.jwz(&JwzOptions::default()), fresh.jwz(&JwzOptions::default())),
        (t.jwz(&window), fresh.jwz(&window)),
    ] {
        assert!(a == b, "incremental {} != rebuild {}", a.to_imap(), b.to_imap());
        let mut ids = a.memberships().concat();
        ids.sort_unstable();
        assert_eq!(ids, want);
        let imap = a.to_imap();
        let mut depth = 0i32;
        for c in imap.chars() {
            depth += match c {
                '(' => 1,
                ')' => -1,
                _ => 0,
            };
            assert!(depth >= 0);
        }
        assert_eq!(depth, 0);
    }
    for style in [ConversationStyle::References, ConversationStyle::SubjectChecked { max_size: 3 }] {
        let c = t.conversations(style);
        assert_eq!(format!("{c:?}"), format!("{:?}", fresh.conversations(style)));
        let mut ids: Vec<u64> = c.iter().flat_map(|c| c.messages.iter().copied()).collect();
        ids.sort_unstable();
        assert_eq!(ids, want);
        if let ConversationStyle::SubjectChecked { max_size } = style {
            assert!(c.iter().all(|c| c.messages.len() <= max_size));
        }
    }
});
