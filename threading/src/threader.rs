//! The threading state: messages added and removed over time.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::conversations::{self, Conversation, ConversationStyle};
use crate::graph::{Graph, Ids, Links, NONE};
use crate::references::{self, JwzOptions};
use crate::subject::{Prefixes, compare_key_into};
use crate::tree::Threads;
use crate::{Message, msgid};

/// One stored message.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub id: u64,
    pub date: i64,
    /// Arrival order: the tie-breaker of equal dates.
    pub seq: u64,
    /// The RFC 5256 base subject, interned (case-folded), for comparing.
    pub subject: u32,
    /// Whether the subject marks a reply or forward.
    pub reply: bool,
    /// The subject as given (for other prefix sets).
    pub raw_subject: Box<str>,
    pub links: Links,
    /// Removed.
    pub dead: bool,
}

/// Interned case-folded base subjects; 0 is the empty subject.
#[derive(Debug)]
pub(crate) struct Subjects {
    map: HashMap<Box<str>, u32, RandomState>,
}

impl Subjects {
    fn new() -> Subjects {
        let mut map = HashMap::with_hasher(RandomState::default());
        map.insert("".into(), 0);
        Subjects { map }
    }

    pub fn intern(&mut self, key: &str) -> u32 {
        if let Some(&n) = self.map.get(key) {
            return n;
        }
        let n = self.map.len() as u32;
        self.map.insert(key.into(), n);
        n
    }
}

/// Threading state that follows a mailbox as messages are added and
/// removed; every result is the one a rebuild from the current messages
/// (in the order they were added) would give.
///
/// ```
/// use mailwire_threading::{JwzOptions, Message, SubjectMerge, Threader};
///
/// let mut t = Threader::new();
/// t.add(&Message::new(10, "<a@x>", "", "", "Report", 1_000));
/// t.add(&Message::new(11, "<b@x>", "", "", "Re: report", 2_000)); // no headers, same subject
/// assert_eq!(t.references().to_imap(), "(10 11)"); // RFC 5256 merges by subject
/// let strict = JwzOptions { subject_merge: SubjectMerge::Never, ..JwzOptions::default() };
/// assert_eq!(t.jwz(&strict).to_imap(), "(10)(11)");
/// ```
#[derive(Debug)]
pub struct Threader {
    pub(crate) entries: Vec<Entry>,
    /// Caller id → entry.
    by_id: HashMap<u64, u32, RandomState>,
    pub(crate) ids: Ids,
    pub(crate) subjects: Subjects,
    pub(crate) graph: Graph,
    /// Entry → its container.
    pub(crate) container: Vec<u32>,
    next_seq: u64,
    live: usize,
    /// Reused for subject keys.
    scratch: String,
    rfc_prefixes: Prefixes,
}

impl Default for Threader {
    fn default() -> Self {
        Threader::new()
    }
}

impl Threader {
    /// An empty state that supports removals.
    pub fn new() -> Threader {
        Threader::with_mentions(true, 0)
    }

    fn with_mentions(track: bool, capacity: usize) -> Threader {
        Threader {
            entries: Vec::with_capacity(capacity),
            by_id: HashMap::with_capacity_and_hasher(capacity, RandomState::default()),
            ids: Ids::with_capacity(capacity + capacity / 2),
            subjects: Subjects::new(),
            graph: Graph::new(track),
            container: Vec::with_capacity(capacity),
            next_seq: 0,
            live: 0,
            scratch: String::new(),
            rfc_prefixes: Prefixes::rfc5256(),
        }
    }

    /// A state for one computation over `messages` (no removals: the
    /// bookkeeping they need is skipped).
    pub(crate) fn batch(messages: &[Message<'_>]) -> Threader {
        let mut t = Threader::with_mentions(false, messages.len());
        for m in messages {
            t.add(m);
        }
        t
    }

    /// How many messages are in the state.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Adds a message after those already added (it sorts after them when
    /// dates tie). A message whose id is already present replaces it.
    pub fn add(&mut self, message: &Message<'_>) {
        if self.by_id.contains_key(&message.id) && self.graph.track_mentions {
            self.remove(message.id);
        }
        let own = msgid::first_id(message.message_id).map_or(NONE, |id| self.ids.intern(&id));
        let mut refs: Vec<u32> = msgid::ids(message.references).map(|id| self.ids.intern(&id)).collect();
        if refs.is_empty() {
            if let Some(id) = msgid::first_id(message.in_reply_to) {
                refs.push(self.ids.intern(&id));
            }
        }
        let reply = compare_key_into(message.subject, &self.rfc_prefixes, &mut self.scratch);
        let subject = self.subjects.intern(&self.scratch);
        let entry = self.entries.len() as u32;
        let links = Links { own, refs };
        self.graph.note_mentions(entry, &links);
        let container = self.graph.link_message(entry, &links);
        self.container.push(container);
        self.entries.push(Entry {
            id: message.id,
            date: message.date,
            seq: self.next_seq,
            subject,
            reply,
            raw_subject: message.subject.into(),
            links,
            dead: false,
        });
        self.next_seq += 1;
        if self.graph.track_mentions {
            // (The batch state never removes, so it needs no index.)
            self.by_id.insert(message.id, entry);
        }
        self.live += 1;
    }

    /// Removes the message with the caller's id `id` (an IMAP expunge).
    /// Returns whether it was there.
    pub fn remove(&mut self, id: u64) -> bool {
        let Some(entry) = self.by_id.remove(&id) else { return false };
        if !self.graph.track_mentions {
            // Only the batch state skips the bookkeeping, and it is never
            // handed out.
            return false;
        }
        let entries = &self.entries;
        let component =
            self.graph.component(entry, |e| entries.get(e as usize).filter(|x| !x.dead).map(|x| &x.links));
        let snapshot: Vec<Option<Links>> =
            component.iter().map(|&e| self.entries.get(e as usize).map(|x| x.links.clone())).collect();
        let lookup = |e: u32| component.iter().position(|&c| c == e).and_then(|i| snapshot[i].clone());
        self.graph.reset(&component, lookup, &self.container);
        let links = self.entries[entry as usize].links.clone();
        self.graph.forget_mentions(entry, &links);
        self.entries[entry as usize].dead = true;
        self.container[entry as usize] = NONE;
        self.live -= 1;
        // Step 1 again for the rest of the component, in arrival order.
        for e in component.into_iter().filter(|&e| e != entry) {
            let links = self.entries[e as usize].links.clone();
            self.container[e as usize] = self.graph.link_message(e, &links);
        }
        self.compact_if_sparse();
        true
    }

    /// Drops removed entries once they are most of the state. The ID and
    /// subject tables are kept (their numbers are what the entries hold).
    fn compact_if_sparse(&mut self) {
        let dead = self.entries.len() - self.live;
        if dead < 1024 || dead < self.live {
            return;
        }
        let kept: Vec<Entry> = self.entries.drain(..).filter(|e| !e.dead).collect();
        let mut fresh = Threader::with_mentions(true, kept.len());
        fresh.ids = std::mem::take(&mut self.ids);
        fresh.subjects = std::mem::replace(&mut self.subjects, Subjects::new());
        fresh.next_seq = self.next_seq;
        for e in kept {
            let entry = fresh.entries.len() as u32;
            fresh.graph.note_mentions(entry, &e.links);
            let container = fresh.graph.link_message(entry, &e.links);
            fresh.container.push(container);
            fresh.by_id.insert(e.id, entry);
            fresh.entries.push(e);
            fresh.live += 1;
        }
        *self = fresh;
    }

    /// RFC 5256 `THREAD=REFERENCES`.
    pub fn references(&self) -> Threads {
        references::finish(self, &JwzOptions::rfc5256())
    }

    /// JWZ threading with `options`.
    pub fn jwz(&self, options: &JwzOptions) -> Threads {
        references::finish(self, options)
    }

    /// RFC 5256 `THREAD=ORDEREDSUBJECT`.
    pub fn ordered_subject(&self) -> Threads {
        references::ordered_subject(self)
    }

    /// Conversations in `style`.
    pub fn conversations(&self, style: ConversationStyle) -> Vec<Conversation> {
        conversations::group(self, style)
    }

    /// The live entries, in arrival order.
    pub(crate) fn live_entries(&self) -> impl Iterator<Item = (u32, &Entry)> + '_ {
        self.entries.iter().enumerate().filter(|(_, e)| !e.dead).map(|(i, e)| (i as u32, e))
    }
}
