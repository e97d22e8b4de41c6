//! Conversations: flat groups of messages, in the two styles users know.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::graph::NONE;
use crate::threader::Threader;

/// How messages are grouped into conversations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationStyle {
    /// Every message linked to another through `Message-ID`,
    /// `In-Reply-To` or `References` (directly or through others) is in
    /// its conversation: the connected components of the references, as
    /// notmuch and public-inbox group them. Subjects play no part.
    References,
    /// A message joins the conversation of a message it references (or
    /// that references it) only if their base subjects are the same, and
    /// only while that conversation has fewer than `max_size` messages, as
    /// Gmail groups them: a reply that changed the subject starts a new
    /// conversation, and an endless thread is split.
    SubjectChecked {
        /// The most messages in one conversation.
        max_size: usize,
    },
}

/// One conversation: its messages (caller ids) by sent date, oldest
/// first.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Conversation {
    /// The messages, oldest first (ties in arrival order).
    pub messages: Vec<u64>,
    /// The sent date of the newest message.
    pub latest: i64,
}

/// Union-find over entries.
struct Sets {
    parent: Vec<u32>,
}

impl Sets {
    fn new(n: usize) -> Sets {
        Sets { parent: (0..n as u32).collect() }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[a.max(b) as usize] = a.min(b);
        }
    }
}

pub(crate) fn group(t: &Threader, style: ConversationStyle) -> Vec<Conversation> {
    let n = t.entries.len();
    let mut sets = Sets::new(n);
    // The first live entry that carries or mentions each ID.
    let mut holder: Vec<u32> = vec![NONE; t.ids.len()];
    match style {
        ConversationStyle::References => {
            for (e, entry) in t.live_entries() {
                for &id in std::iter::once(&entry.links.own).chain(&entry.links.refs).filter(|&&i| i != NONE)
                {
                    let h = &mut holder[id as usize];
                    if *h == NONE {
                        *h = e;
                    } else {
                        sets.union(*h, e);
                    }
                }
            }
        }
        ConversationStyle::SubjectChecked { max_size } => {
            // By sent date, so that a parent is usually placed first.
            let mut order: Vec<u32> = t.live_entries().map(|(e, _)| e).collect();
            order.sort_by_key(|&e| (t.entries[e as usize].date, t.entries[e as usize].seq));
            let mut size: Vec<usize> = vec![1; n];
            // Entries by their own ID, and who references each ID.
            let mut owner: Vec<u32> = vec![NONE; t.ids.len()];
            let mut referrers: HashMap<u32, Vec<u32>, RandomState> = HashMap::default();
            for &e in &order {
                let entry = &t.entries[e as usize];
                // Candidates: what it references, newest reference first,
                // then what already references it.
                let mut candidates: Vec<u32> = entry
                    .links
                    .refs
                    .iter()
                    .rev()
                    .filter_map(|&id| Some(owner[id as usize]).filter(|&o| o != NONE))
                    .collect();
                if entry.links.own != NONE {
                    candidates.extend(referrers.get(&entry.links.own).into_iter().flatten().copied());
                }
                for c in candidates {
                    if t.entries[c as usize].subject != entry.subject {
                        continue;
                    }
                    let root = sets.find(c);
                    if size[root as usize] < max_size.max(1) {
                        let total = size[root as usize] + 1;
                        sets.union(root, e);
                        let joined = sets.find(e);
                        size[joined as usize] = total;
                        break;
                    }
                }
                if entry.links.own != NONE && owner[entry.links.own as usize] == NONE {
                    owner[entry.links.own as usize] = e;
                }
                for &id in &entry.links.refs {
                    referrers.entry(id).or_default().push(e);
                }
            }
        }
    }
    let mut groups: HashMap<u32, Vec<u32>, RandomState> = HashMap::default();
    for (e, _) in t.live_entries() {
        groups.entry(sets.find(e)).or_default().push(e);
    }
    let mut out: Vec<((i64, u64), Conversation)> = groups
        .into_values()
        .map(|mut members| {
            members.sort_by_key(|&e| (t.entries[e as usize].date, t.entries[e as usize].seq));
            let first = &t.entries[members[0] as usize];
            let latest = members.iter().map(|&e| t.entries[e as usize].date).max().unwrap_or(i64::MIN);
            let messages = members.iter().map(|&e| t.entries[e as usize].id).collect();
            ((first.date, first.seq), Conversation { messages, latest })
        })
        .collect();
    // Oldest first by their first message, as the threads are.
    out.sort_by_key(|(key, _)| *key);
    out.into_iter().map(|(_, c)| c).collect()
}
