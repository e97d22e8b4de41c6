//! Step 1 of RFC 5256 REFERENCES (and of JWZ): the graph of message
//! containers linked parent to child by the references, kept up to date as
//! messages come and go.
//!
//! Adding a message runs step 1 for it, as the batch algorithm would when
//! it reaches that message. Removing one re-runs step 1 for the messages
//! of its *component* (the messages linked to it through the IDs they
//! mention) in their original order: no other message can see the
//! difference, so the graph is always the one a rebuild would give.

use foldhash::fast::RandomState;

pub(crate) const NONE: u32 = u32::MAX;

/// A container: a message, or a dummy for an ID that is referenced.
#[derive(Debug, Clone)]
pub(crate) struct Container {
    /// The entry (message) in it, or NONE for a dummy.
    pub entry: u32,
    pub parent: u32,
    pub first_child: u32,
    pub next_sibling: u32,
    pub prev_sibling: u32,
    /// The ID this container is registered under in the ID table, if any
    /// (messages without an ID, and duplicates, have none).
    pub id: u32,
}

impl Container {
    fn new() -> Container {
        Container {
            entry: NONE,
            parent: NONE,
            first_child: NONE,
            next_sibling: NONE,
            prev_sibling: NONE,
            id: NONE,
        }
    }
}

/// One message as step 1 needs it.
#[derive(Debug, Clone)]
pub(crate) struct Links {
    /// Its own ID (interned), or NONE.
    pub own: u32,
    /// Its references (interned IDs), in order.
    pub refs: Vec<u32>,
}

/// The container graph.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    pub containers: Vec<Container>,
    /// Interned ID → its container (NONE: no container now).
    pub by_id: Vec<u32>,
    /// Interned ID → entries that mention it (own ID or reference); only
    /// kept when removals must be supported.
    pub mentions: Vec<Vec<u32>>,
    pub track_mentions: bool,
    /// Containers free for reuse.
    free: Vec<u32>,
}

/// Interns message IDs: every ID's bytes in one arena, the table holding
/// only their numbers (no allocation per ID, one cache line per probe).
#[derive(Debug, Default)]
pub(crate) struct Ids {
    table: hashbrown::HashTable<u32>,
    bytes: String,
    spans: Vec<(u32, u32)>,
    hasher: RandomState,
}

impl Ids {
    fn text<'a>(bytes: &'a str, spans: &[(u32, u32)], n: u32) -> &'a str {
        let (start, len) = spans[n as usize];
        &bytes[start as usize..(start + len) as usize]
    }

    pub fn intern(&mut self, id: &str) -> u32 {
        use std::hash::BuildHasher;
        let hash = self.hasher.hash_one(id);
        let (bytes, spans) = (&self.bytes, &self.spans);
        if let Some(&n) = self.table.find(hash, |&n| Ids::text(bytes, spans, n) == id) {
            return n;
        }
        let n = self.spans.len() as u32;
        self.spans.push((self.bytes.len() as u32, id.len() as u32));
        self.bytes.push_str(id);
        let (bytes, spans, hasher) = (&self.bytes, &self.spans, &self.hasher);
        self.table.insert_unique(hash, n, |&k| hasher.hash_one(Ids::text(bytes, spans, k)));
        n
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn with_capacity(n: usize) -> Ids {
        Ids {
            table: hashbrown::HashTable::with_capacity(n),
            bytes: String::with_capacity(n * 32),
            spans: Vec::with_capacity(n),
            hasher: RandomState::default(),
        }
    }
}

impl Graph {
    pub fn new(track_mentions: bool) -> Graph {
        Graph { track_mentions, ..Graph::default() }
    }

    fn ensure_id(&mut self, id: u32) {
        let need = id as usize + 1;
        if self.by_id.len() < need {
            self.by_id.resize(need, NONE);
            if self.track_mentions {
                self.mentions.resize_with(need, Vec::new);
            }
        }
    }

    fn alloc(&mut self) -> u32 {
        match self.free.pop() {
            Some(c) => {
                self.containers[c as usize] = Container::new();
                c
            }
            None => {
                self.containers.push(Container::new());
                (self.containers.len() - 1) as u32
            }
        }
    }

    /// The container for an interned ID, a new dummy if there is none.
    fn container_for(&mut self, id: u32) -> u32 {
        self.ensure_id(id);
        let c = self.by_id[id as usize];
        if c != NONE {
            return c;
        }
        let c = self.alloc();
        self.containers[c as usize].id = id;
        self.by_id[id as usize] = c;
        c
    }

    /// Records which IDs `entry` mentions (for removals).
    pub fn note_mentions(&mut self, entry: u32, links: &Links) {
        if !self.track_mentions {
            return;
        }
        for &id in std::iter::once(&links.own).chain(&links.refs).filter(|&&i| i != NONE) {
            self.ensure_id(id);
            let list = &mut self.mentions[id as usize];
            if list.last() != Some(&entry) {
                list.push(entry);
            }
        }
    }

    /// Step 1 for one message: returns the container it now lives in.
    pub fn link_message(&mut self, entry: u32, links: &Links) -> u32 {
        // (A) Its own container: the dummy for its ID, or a fresh one for
        // a missing or duplicate ID.
        let own = if links.own == NONE {
            self.alloc()
        } else {
            let c = self.container_for(links.own);
            if self.containers[c as usize].entry == NONE { c } else { self.alloc() }
        };
        self.containers[own as usize].entry = entry;
        // Link the references in order, parent to child.
        let mut prev = NONE;
        for &r in &links.refs {
            let c = self.container_for(r);
            if prev != NONE && self.containers[c as usize].parent == NONE && !self.would_loop(prev, c) {
                self.attach(prev, c);
            }
            prev = c;
        }
        // (B) The last reference is the parent.
        if self.containers[own as usize].parent != NONE {
            self.detach(own);
        }
        if prev != NONE && !self.would_loop(prev, own) {
            self.attach(prev, own);
        }
        own
    }

    /// Whether making `parent` the parent of `child` would make a loop:
    /// `parent` is `child` or one of its descendants.
    fn would_loop(&self, parent: u32, child: u32) -> bool {
        if parent == child {
            return true;
        }
        if self.containers[child as usize].first_child == NONE {
            return false;
        }
        let mut p = self.containers[parent as usize].parent;
        while p != NONE {
            if p == child {
                return true;
            }
            p = self.containers[p as usize].parent;
        }
        false
    }

    fn attach(&mut self, parent: u32, child: u32) {
        let first = self.containers[parent as usize].first_child;
        {
            let c = &mut self.containers[child as usize];
            c.parent = parent;
            c.next_sibling = first;
            c.prev_sibling = NONE;
        }
        if first != NONE {
            self.containers[first as usize].prev_sibling = child;
        }
        self.containers[parent as usize].first_child = child;
    }

    fn detach(&mut self, child: u32) {
        let Container { parent, next_sibling: next, prev_sibling: prev, .. } =
            self.containers[child as usize];
        if parent == NONE {
            return;
        }
        if prev != NONE {
            self.containers[prev as usize].next_sibling = next;
        } else {
            self.containers[parent as usize].first_child = next;
        }
        if next != NONE {
            self.containers[next as usize].prev_sibling = prev;
        }
        let c = &mut self.containers[child as usize];
        c.parent = NONE;
        c.next_sibling = NONE;
        c.prev_sibling = NONE;
    }

    /// The children of a container (in no particular order).
    pub fn children(&self, c: u32) -> impl Iterator<Item = u32> + '_ {
        let mut next = self.containers[c as usize].first_child;
        std::iter::from_fn(move || {
            (next != NONE).then(|| {
                let c = next;
                next = self.containers[c as usize].next_sibling;
                c
            })
        })
    }

    /// The entries of the component of `entry`: every entry reachable
    /// through the IDs mentioned (needs `track_mentions`).
    pub fn component<'l>(&self, entry: u32, links_of: impl Fn(u32) -> Option<&'l Links>) -> Vec<u32> {
        let mut seen_entries = std::collections::HashSet::<u32, RandomState>::default();
        let mut seen_ids = std::collections::HashSet::<u32, RandomState>::default();
        let mut stack = vec![entry];
        seen_entries.insert(entry);
        while let Some(e) = stack.pop() {
            let Some(links) = links_of(e) else { continue };
            for &id in std::iter::once(&links.own).chain(&links.refs).filter(|&&i| i != NONE) {
                if !seen_ids.insert(id) {
                    continue;
                }
                for &other in self.mentions.get(id as usize).into_iter().flatten() {
                    if seen_entries.insert(other) {
                        stack.push(other);
                    }
                }
            }
        }
        let mut out: Vec<u32> = seen_entries.into_iter().collect();
        out.sort_unstable();
        out
    }

    /// Unlinks every container of the IDs mentioned by `entries` and the
    /// containers of those entries, so that step 1 can run for them again.
    pub fn reset(&mut self, entries: &[u32], links_of: impl Fn(u32) -> Option<Links>, container_of: &[u32]) {
        let mut doomed: Vec<u32> = Vec::new();
        for &e in entries {
            if let Some(&c) = container_of.get(e as usize) {
                if c != NONE {
                    doomed.push(c);
                }
            }
            if let Some(links) = links_of(e) {
                for &id in std::iter::once(&links.own).chain(&links.refs).filter(|&&i| i != NONE) {
                    if let Some(&c) = self.by_id.get(id as usize) {
                        if c != NONE {
                            doomed.push(c);
                            self.by_id[id as usize] = NONE;
                        }
                    }
                }
            }
        }
        doomed.sort_unstable();
        doomed.dedup();
        for &c in &doomed {
            self.containers[c as usize] = Container::new();
            self.free.push(c);
        }
    }

    /// Forgets that `entry` mentions its IDs.
    pub fn forget_mentions(&mut self, entry: u32, links: &Links) {
        if !self.track_mentions {
            return;
        }
        for &id in std::iter::once(&links.own).chain(&links.refs).filter(|&&i| i != NONE) {
            if let Some(list) = self.mentions.get_mut(id as usize) {
                list.retain(|&e| e != entry);
            }
        }
    }
}
