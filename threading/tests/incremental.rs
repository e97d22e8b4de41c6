//! Incremental equals rebuild: random mailboxes (reply trees, missing
//! parents, duplicate and missing IDs, loops, subject collisions, date
//! ties) changed by random adds and removes; after every change, every
//! algorithm on the kept state gives exactly what a fresh build from the
//! remaining messages (in their order) gives.

use mailwire_threading::{ConversationStyle, JwzOptions, Message, SubjectMerge, Threader, Threads};
use proptest::prelude::*;

/// A generated message.
#[derive(Debug, Clone)]
struct Gen {
    id: u64,
    message_id: String,
    in_reply_to: String,
    references: String,
    subject: String,
    date: i64,
}

impl Gen {
    fn message(&self) -> Message<'_> {
        Message::new(self.id, &self.message_id, &self.in_reply_to, &self.references, &self.subject, self.date)
    }
}

/// Turns raw choices into a mailbox: message `i` may reply to an earlier
/// (or later: a loop or an early reply) message or to an id that never
/// arrives, with References, In-Reply-To or both.
fn mailbox(choices: &[(u8, u8, u8, u8, u8)]) -> Vec<Gen> {
    let n = choices.len();
    let id_of = |k: usize| format!("<m{k}@x>");
    let subjects = ["alpha", "beta", "Re: alpha", "[list] beta", "Fwd: gamma", "", "gamma (fwd)"];
    choices
        .iter()
        .enumerate()
        .map(|(i, &(parent, kind, subj, date, idk))| {
            let target = parent as usize % (n + 3);
            let target_id = if target < n { id_of(target) } else { format!("<ghost{target}@x>") };
            let grand = if target < n && choices[target].0 as usize % (n + 3) < n {
                format!("{} ", id_of(choices[target].0 as usize % (n + 3)))
            } else {
                String::new()
            };
            let (irt, refs) = match kind % 5 {
                0 => (String::new(), String::new()),
                1 => (target_id.clone(), String::new()),
                2 => (String::new(), format!("{grand}{target_id}")),
                3 => (target_id.clone(), format!("{grand}{target_id}")),
                _ => ("garbage".to_string(), "<not an id>".to_string()),
            };
            let message_id = match idk % 6 {
                0 => String::new(),
                1 => id_of(i.saturating_sub(1)), // a duplicate
                _ => id_of(i),
            };
            Gen {
                id: 1000 + i as u64,
                message_id,
                in_reply_to: irt,
                references: refs,
                subject: subjects[subj as usize % subjects.len()].to_string(),
                // Few distinct dates: ties are common.
                date: i64::from(date % 8) * 3600,
            }
        })
        .collect()
}

fn all_results(t: &Threader) -> (Threads, Threads, Threads, Threads, String, String) {
    let window = JwzOptions { subject_merge: SubjectMerge::WithinSeconds(7200), ..JwzOptions::default() };
    let conv = |style| format!("{:?}", t.conversations(style));
    (
        t.references(),
        t.ordered_subject(),
        t.jwz(&JwzOptions::default()),
        t.jwz(&window),
        conv(ConversationStyle::References),
        conv(ConversationStyle::SubjectChecked { max_size: 3 }),
    )
}

fn rebuilt(present: &[Gen]) -> Threader {
    let mut t = Threader::new();
    for g in present {
        t.add(&g.message());
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn incremental_equals_rebuild(
        choices in proptest::collection::vec(any::<(u8, u8, u8, u8, u8)>(), 1..40),
        ops in proptest::collection::vec(any::<(bool, u8)>(), 0..60),
    ) {
        let all = mailbox(&choices);
        let mut t = Threader::new();
        let mut present: Vec<Gen> = Vec::new();
        let mut next = 0;
        // Start with half, then apply the operations.
        while next < all.len() / 2 {
            t.add(&all[next].message());
            present.push(all[next].clone());
            next += 1;
        }
        for (add, pick) in ops {
            if add && next < all.len() {
                t.add(&all[next].message());
                present.push(all[next].clone());
                next += 1;
            } else if !present.is_empty() {
                let victim = present.remove(pick as usize % present.len());
                prop_assert!(t.remove(victim.id));
                prop_assert!(!t.remove(victim.id));
            }
            prop_assert_eq!(t.len(), present.len());
            let fresh = rebuilt(&present);
            prop_assert_eq!(all_results(&t), all_results(&fresh));
        }
        // Every message appears exactly once in every result.
        let (refs, ordered, jwz, _, _, _) = all_results(&t);
        for threads in [refs, ordered, jwz] {
            let mut ids: Vec<u64> = threads.memberships().concat();
            ids.sort_unstable();
            let mut want: Vec<u64> = present.iter().map(|g| g.id).collect();
            want.sort_unstable();
            prop_assert_eq!(ids, want);
        }
    }
}

/// Many removals in a row make the state compact itself; results stay
/// those of a rebuild.
#[test]
fn compaction_keeps_the_results() {
    let choices: Vec<(u8, u8, u8, u8, u8)> = (0..3000u32)
        .map(|i| ((i * 7 % 251) as u8, (i % 5) as u8, (i % 7) as u8, (i % 8) as u8, (i % 6) as u8))
        .collect();
    let all = mailbox(&choices);
    let mut t = Threader::new();
    for g in &all {
        t.add(&g.message());
    }
    let mut present = all.clone();
    for g in all.iter().take(2500) {
        assert!(t.remove(g.id));
        present.remove(0);
    }
    assert_eq!(all_results(&t), all_results(&rebuilt(&present)));
    // Adding after compaction keeps arrival order.
    let extra = Gen {
        id: 1,
        message_id: "<new@x>".into(),
        in_reply_to: String::new(),
        references: "<m2999@x>".to_string(),
        subject: "x".into(),
        date: 0,
    };
    t.add(&extra.message());
    present.push(extra);
    assert_eq!(all_results(&t), all_results(&rebuilt(&present)));
}

/// Adding a message whose id is present replaces it.
#[test]
fn re_adding_an_id_replaces_the_message() {
    let mut t = Threader::new();
    t.add(&Message::new(1, "<a@x>", "", "", "one", 0));
    t.add(&Message::new(2, "<b@x>", "", "<a@x>", "Re: one", 1));
    t.add(&Message::new(2, "<b@x>", "", "", "two", 1));
    assert_eq!(t.len(), 2);
    assert_eq!(t.references().to_imap(), "(1)(2)");
}
