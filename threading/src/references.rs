//! Steps 2 to 6 of RFC 5256 REFERENCES (root set, pruning, sorting,
//! merging by subject, sorting), the JWZ variants of step 5, and
//! ORDEREDSUBJECT.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::graph::NONE;
use crate::subject::{Prefixes, compare_key_into};
use crate::threader::Threader;
use crate::tree::{NodeData, Threads};

/// When JWZ merges threads that share a base subject but no references
/// (RFC 5256 step 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectMerge {
    /// Never: only references make threads.
    Never,
    /// Only a reply (`Re:`, `Fwd:`, … by its subject) that has no valid
    /// `In-Reply-To` or `References` — from a client that dropped them —
    /// joins the thread of its base subject; threads with references of
    /// their own, and originals, stay apart however alike their subjects
    /// (mail-threading's choice, close to notmuch's).
    Headerless,
    /// Only when the two threads' dates (their roots', or a dummy's first
    /// child's) are at most this many seconds apart: "Re: hello" next week
    /// is not the "hello" of last year. Threads are taken oldest first; one
    /// too far from the group its subject has so far starts a new group.
    WithinSeconds(i64),
    /// Always, as RFC 5256 does.
    Always,
}

/// JWZ's choices. [`JwzOptions::default`] is the client-friendly set:
/// merge by subject only the threads that lack threading headers
/// ([`SubjectMerge::Headerless`]), and remove localised reply prefixes;
/// [`JwzOptions::rfc5256`] is exactly `THREAD=REFERENCES`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwzOptions {
    /// When to merge threads by subject.
    pub subject_merge: SubjectMerge,
    /// The reply prefixes removed before comparing subjects.
    pub prefixes: Prefixes,
}

impl Default for JwzOptions {
    fn default() -> Self {
        JwzOptions { subject_merge: SubjectMerge::Headerless, prefixes: Prefixes::localized() }
    }
}

impl JwzOptions {
    /// RFC 5256 REFERENCES: always merge by subject, RFC prefixes only.
    pub fn rfc5256() -> JwzOptions {
        JwzOptions { subject_merge: SubjectMerge::Always, prefixes: Prefixes::rfc5256() }
    }
}

/// Builds the output forest from the container graph (steps 2 and 3),
/// then sorts (4), merges by subject (5) and sorts again (6).
pub(crate) fn finish(t: &Threader, options: &JwzOptions) -> Threads {
    let mut out = prune(t);
    // (4) Sort the roots; a dummy by its first child.
    out.sort_roots();
    if options.subject_merge != SubjectMerge::Never {
        let subjects = SubjectOf::new(t, &options.prefixes);
        merge_by_subject(&mut out, &subjects, options.subject_merge);
        // (6) Sort every set of siblings.
        out.sort_with(|n| (n.date, n.seq));
    }
    out
}

/// Steps 2 and 3: the root set, with dummies pruned. A dummy without
/// children goes; one with children is replaced by them, except at the
/// top, where it stays unless it has only one child.
fn prune(t: &Threader) -> Threads {
    let g = &t.graph;
    let mut out = Threads::default();
    // Post-order over each root's tree; `results` holds, per visited
    // container, the output nodes replacing it.
    let mut results: Vec<u32> = Vec::new();
    let mut stack: Vec<(u32, bool, usize)> = Vec::new();
    for (root, c) in g.containers.iter().enumerate() {
        if c.parent != NONE || (c.entry == NONE && c.first_child == NONE) {
            continue;
        }
        stack.push((root as u32, false, 0));
        while let Some((c, expanded, mark)) = stack.pop() {
            if !expanded {
                stack.push((c, true, results.len()));
                for child in g.children(c) {
                    stack.push((child, false, 0));
                }
                continue;
            }
            let children: Vec<u32> = results.drain(mark..).collect();
            let container = &g.containers[c as usize];
            let at_top = container.parent == NONE;
            if container.entry != NONE {
                let e = &t.entries[container.entry as usize];
                out.nodes.push(NodeData {
                    message: Some(e.id),
                    date: e.date,
                    seq: e.seq,
                    children,
                    entry: container.entry,
                });
                results.push((out.nodes.len() - 1) as u32);
            } else if children.is_empty() {
            } else if !at_top || children.len() == 1 {
                results.extend(children);
            } else {
                out.nodes.push(NodeData { message: None, date: 0, seq: 0, children, entry: NONE });
                results.push((out.nodes.len() - 1) as u32);
            }
        }
        out.roots.append(&mut results);
    }
    out
}

/// Base subjects of the messages, by entry, with the prefix set chosen.
struct SubjectOf<'t> {
    t: &'t Threader,
    /// Entry → (subject key, is a reply or forward), when the prefixes
    /// are not RFC 5256's (else the entries' own are used).
    other: Vec<(u32, bool)>,
}

impl<'t> SubjectOf<'t> {
    fn new(t: &'t Threader, prefixes: &Prefixes) -> SubjectOf<'t> {
        let mut other = Vec::new();
        if !prefixes.is_rfc5256() {
            let mut keys: HashMap<String, u32, RandomState> = HashMap::default();
            keys.insert(String::new(), 0);
            let mut scratch = String::new();
            other = t
                .entries
                .iter()
                .map(|e| {
                    if e.dead {
                        return (0, false);
                    }
                    let reply = compare_key_into(&e.raw_subject, prefixes, &mut scratch);
                    let n = match keys.get(scratch.as_str()) {
                        Some(&n) => n,
                        None => {
                            let n = keys.len() as u32;
                            keys.insert(scratch.clone(), n);
                            n
                        }
                    };
                    (n, reply)
                })
                .collect();
        }
        SubjectOf { t, other }
    }

    fn of(&self, entry: u32) -> (u32, bool) {
        match self.other.get(entry as usize) {
            Some(&s) => s,
            None => self.t.entries.get(entry as usize).map_or((0, false), |e| (e.subject, e.reply)),
        }
    }

    /// Whether the message has no valid references.
    fn headerless(&self, entry: u32) -> bool {
        self.t.entries.get(entry as usize).is_some_and(|e| e.links.refs.is_empty())
    }
}

/// Step 5: threads with the same base subject gathered.
fn merge_by_subject(out: &mut Threads, subjects: &SubjectOf, policy: SubjectMerge) {
    // The thread subject: the root's, or a dummy's first child's.
    let thread_subject = |out: &Threads, n: u32| -> (u32, bool) {
        let node = &out.nodes[n as usize];
        let entry = match node.message {
            Some(_) => node.entry,
            None => node.children.first().map_or(NONE, |&c| out.nodes[c as usize].entry),
        };
        subjects.of(entry)
    };
    let is_dummy = |out: &Threads, n: u32| out.nodes[n as usize].message.is_none();
    let reply = |out: &Threads, n: u32| !is_dummy(out, n) && thread_subject(out, n).1;

    // (B) One thread per subject in the table. With a time window the
    // table is filled as (C) goes instead: a thread too far from the one
    // in the table starts a new group for its subject.
    let mut table: HashMap<u32, u32, RandomState> = HashMap::default();
    let windowed = matches!(policy, SubjectMerge::WithinSeconds(_));
    for &r in out.roots.iter().filter(|_| !windowed) {
        let (subject, _) = thread_subject(out, r);
        if subject == 0 {
            continue;
        }
        match table.get(&subject) {
            None => {
                table.insert(subject, r);
            }
            Some(&t) => {
                if !is_dummy(out, t) && (is_dummy(out, r) || (reply(out, t) && !reply(out, r))) {
                    table.insert(subject, r);
                }
            }
        }
    }
    // (C) Merge the others into it.
    let roots = out.roots.clone();
    let mut gone = vec![false; out.nodes.len()];
    let mut replaced: HashMap<u32, u32, RandomState> = HashMap::default();
    for r in roots {
        let (subject, _) = thread_subject(out, r);
        if subject == 0 {
            continue;
        }
        let Some(&t) = table.get(&subject) else {
            if windowed {
                table.insert(subject, r);
            }
            continue;
        };
        if t == r {
            continue;
        }
        match policy {
            SubjectMerge::WithinSeconds(window) => {
                let (a, b) = (out.nodes[t as usize].date, out.nodes[r as usize].date);
                if a.abs_diff(b) > window.unsigned_abs() {
                    table.insert(subject, r);
                    continue;
                }
            }
            SubjectMerge::Headerless => {
                // Only a reply (by its subject) without valid references
                // moves; two originals with one subject stay apart.
                let headerless = !is_dummy(out, r) && subjects.headerless(out.nodes[r as usize].entry);
                if !(headerless && reply(out, r)) {
                    continue;
                }
            }
            SubjectMerge::Never | SubjectMerge::Always => {}
        }
        match (is_dummy(out, t), is_dummy(out, r)) {
            (true, true) => {
                let moved = std::mem::take(&mut out.nodes[r as usize].children);
                out.nodes[t as usize].children.extend(moved);
            }
            (true, false) => out.nodes[t as usize].children.push(r),
            (false, _) if reply(out, r) && !reply(out, t) => out.nodes[t as usize].children.push(r),
            _ => {
                let (date, seq) = (out.nodes[t as usize].date, out.nodes[t as usize].seq);
                out.nodes.push(NodeData { message: None, date, seq, children: vec![t, r], entry: NONE });
                gone.push(false);
                let dummy = (out.nodes.len() - 1) as u32;
                table.insert(subject, dummy);
                replaced.insert(t, dummy);
            }
        }
        gone[r as usize] = true;
    }
    // The root list: merged threads gone, replaced ones swapped for their
    // dummy (following chains of replacements).
    // (Step 6 sorts them again, so their order here does not matter.)
    let mut placed = vec![false; out.nodes.len()];
    let mut roots = Vec::with_capacity(out.roots.len());
    for &r in &out.roots {
        if gone[r as usize] {
            continue;
        }
        let mut n = r;
        while let Some(&d) = replaced.get(&n) {
            n = d;
        }
        if !placed[n as usize] {
            placed[n as usize] = true;
            roots.push(n);
        }
    }
    out.roots = roots;
}

/// ORDEREDSUBJECT: messages grouped by base subject; each group is its
/// first message (by sent date) with the others as its children; the
/// groups ordered by the date of their first message.
pub(crate) fn ordered_subject(t: &Threader) -> Threads {
    let mut order: Vec<u32> = t.live_entries().map(|(i, _)| i).collect();
    order.sort_by_key(|&i| {
        let e = &t.entries[i as usize];
        (e.subject, e.date, e.seq)
    });
    let mut out = Threads::default();
    let mut i = 0;
    while i < order.len() {
        let subject = t.entries[order[i] as usize].subject;
        let mut j = i;
        while j < order.len() && t.entries[order[j] as usize].subject == subject {
            j += 1;
        }
        let node = |out: &mut Threads, entry: u32| {
            let e = &t.entries[entry as usize];
            out.nodes.push(NodeData {
                message: Some(e.id),
                date: e.date,
                seq: e.seq,
                children: Vec::new(),
                entry,
            });
            (out.nodes.len() - 1) as u32
        };
        let first = node(&mut out, order[i]);
        for &e in &order[i + 1..j] {
            let child = node(&mut out, e);
            out.nodes[first as usize].children.push(child);
        }
        out.roots.push(first);
        i = j;
    }
    out.roots.sort_by_key(|&r| (out.nodes[r as usize].date, out.nodes[r as usize].seq));
    out
}
