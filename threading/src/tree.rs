//! The result of threading: a forest of threads, each a tree of messages
//! and *dummies* (messages that are referenced but not present, kept when
//! they hold siblings together).
//!
//! Walk it with [`Threads::roots`] and [`Node::children`], or
//! [`Node::descendants`]; re-sort it with [`Threads::sort_by_date`] or
//! [`Threads::sort_by_arrival`]; write it as an IMAP `THREAD` response with
//! [`Threads::to_imap`].
//!
//! ```
//! use mailwire_threading::{Message, references};
//!
//! let msgs = [
//!     Message::new(1, "<a@x>", "", "", "hello", 10),
//!     Message::new(2, "<b@x>", "<a@x>", "", "Re: hello", 20),
//!     Message::new(3, "<c@x>", "<a@x>", "<a@x>", "Re: hello", 30),
//! ];
//! let threads = references(&msgs);
//! assert_eq!(threads.to_imap(), "(1 (2)(3))");
//! let root = threads.roots().next().unwrap();
//! assert_eq!(root.message(), Some(1));
//! assert_eq!(root.children().map(|c| c.message().unwrap()).collect::<Vec<_>>(), [2, 3]);
//! assert_eq!(threads.message_count(), 3);
//! ```

use std::fmt::Write;

/// Where a node's data lives in a [`Threads`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodeData {
    /// The caller's id, or `None` for a dummy.
    pub message: Option<u64>,
    /// Sent date (sorting key); for a dummy, its first child's.
    pub date: i64,
    /// Arrival position (the tie-breaker).
    pub seq: u64,
    /// Children, as indices into `Threads::nodes`.
    pub children: Vec<u32>,
    /// The threader's entry of the message (u32::MAX for a dummy).
    pub entry: u32,
}

/// A forest of threads. Two forests are equal when they have the same
/// threads in the same order, node for node (messages, dummies, dates and
/// the order of children), however they were built.
#[derive(Debug, Clone, Default)]
pub struct Threads {
    pub(crate) nodes: Vec<NodeData>,
    pub(crate) roots: Vec<u32>,
}

/// One node of a thread: a message, or a dummy standing for a missing one.
#[derive(Debug, Clone, Copy)]
pub struct Node<'t> {
    threads: &'t Threads,
    index: u32,
}

impl<'t> Node<'t> {
    fn data(&self) -> &'t NodeData {
        &self.threads.nodes[self.index as usize]
    }

    /// The caller's id of the message, or `None` for a dummy.
    pub fn message(&self) -> Option<u64> {
        self.data().message
    }

    /// Whether this node stands for a message that is not there.
    pub fn is_dummy(&self) -> bool {
        self.data().message.is_none()
    }

    /// The sent date the node sorts by (a dummy: its first child's).
    pub fn date(&self) -> i64 {
        self.data().date
    }

    /// The node's children, in order.
    pub fn children(&self) -> impl ExactSizeIterator<Item = Node<'t>> + 't {
        let threads = self.threads;
        self.data().children.iter().map(move |&index| Node { threads, index })
    }

    /// This node and everything under it, depth first, with each node's
    /// depth below this one.
    pub fn descendants(&self) -> impl Iterator<Item = (usize, Node<'t>)> + 't {
        let mut stack = vec![(0usize, *self)];
        std::iter::from_fn(move || {
            let (depth, node) = stack.pop()?;
            let children: Vec<Node<'t>> = node.children().collect();
            stack.extend(children.into_iter().rev().map(|c| (depth + 1, c)));
            Some((depth, node))
        })
    }

    /// The ids of the messages of this subtree, depth first.
    pub fn messages(&self) -> Vec<u64> {
        self.descendants().filter_map(|(_, n)| n.message()).collect()
    }
}

impl PartialEq for Threads {
    fn eq(&self, other: &Threads) -> bool {
        if self.roots.len() != other.roots.len() {
            return false;
        }
        let mut stack: Vec<(u32, u32)> =
            self.roots.iter().copied().zip(other.roots.iter().copied()).collect();
        while let Some((a, b)) = stack.pop() {
            let (a, b) = (&self.nodes[a as usize], &other.nodes[b as usize]);
            if a.message != b.message || a.date != b.date || a.children.len() != b.children.len() {
                return false;
            }
            stack.extend(a.children.iter().copied().zip(b.children.iter().copied()));
        }
        true
    }
}

impl Eq for Threads {}

impl Threads {
    /// The threads, in order.
    pub fn roots(&self) -> impl ExactSizeIterator<Item = Node<'_>> + '_ {
        self.roots.iter().map(move |&index| Node { threads: self, index })
    }

    /// How many threads.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    /// Whether there are no threads.
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// How many messages (dummies not counted).
    pub fn message_count(&self) -> usize {
        self.nodes.iter().filter(|n| n.message.is_some()).count()
    }

    /// Every thread's messages, depth first: thread membership without the
    /// tree.
    pub fn memberships(&self) -> Vec<Vec<u64>> {
        self.roots().map(|r| r.messages()).collect()
    }

    /// The threads as an IMAP `THREAD` response's data (RFC 5256 §4):
    /// `(1 (2)(3 4))((5)(6))`, the caller's ids as the numbers. Prefix
    /// `* THREAD ` for the whole response line.
    pub fn to_imap(&self) -> String {
        self.to_imap_with(|id| id)
    }

    /// [`to_imap`](Self::to_imap) with each caller id turned into the
    /// number to send by `number` (a UID into a sequence number after
    /// expunges, say).
    pub fn to_imap_with(&self, number: impl Fn(u64) -> u64 + Copy) -> String {
        let mut out = String::new();
        for root in self.roots() {
            out.push('(');
            write_members(&mut out, root, number);
            out.push(')');
        }
        out
    }

    /// Sorts every set of siblings by sent date (ties by arrival), and the
    /// threads by their roots' dates (a dummy: its first child's). This is
    /// RFC 5256's order; the algorithms here return it already.
    pub fn sort_by_date(&mut self) {
        self.sort_with(|n| (n.date, n.seq));
    }

    /// Sorts every set of siblings, and the threads, by arrival (the order
    /// messages were given in).
    pub fn sort_by_arrival(&mut self) {
        self.sort_with(|n| (0, n.seq));
    }

    /// Sorts the threads newest first by their latest message, as mail
    /// clients list conversations; siblings stay as they are.
    pub fn sort_threads_by_latest(&mut self) {
        let latest: Vec<(i64, u64)> = self
            .roots
            .iter()
            .map(|&r| {
                let node = Node { threads: self, index: r };
                node.descendants()
                    .filter(|(_, n)| !n.is_dummy())
                    .map(|(_, n)| (n.data().date, n.data().seq))
                    .max()
                    .unwrap_or((i64::MIN, 0))
            })
            .collect();
        let mut order: Vec<usize> = (0..self.roots.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(latest[i]));
        self.roots = order.into_iter().map(|i| self.roots[i]).collect();
    }

    /// RFC 5256 step 4: the roots sorted by date (ties by arrival), a
    /// dummy root by its first child after sorting its children.
    pub(crate) fn sort_roots(&mut self) {
        for i in 0..self.roots.len() {
            let r = self.roots[i] as usize;
            if self.nodes[r].message.is_none() {
                let mut children = std::mem::take(&mut self.nodes[r].children);
                children.sort_by_key(|&c| (self.nodes[c as usize].date, self.nodes[c as usize].seq));
                if let Some(&first) = children.first() {
                    self.nodes[r].date = self.nodes[first as usize].date;
                    self.nodes[r].seq = self.nodes[first as usize].seq;
                }
                self.nodes[r].children = children;
            }
        }
        let mut roots = std::mem::take(&mut self.roots);
        roots.sort_by_key(|&r| (self.nodes[r as usize].date, self.nodes[r as usize].seq));
        self.roots = roots;
    }

    /// Sorts siblings bottom-up by `key`; a dummy takes its first child's
    /// key once its children are sorted.
    pub(crate) fn sort_with(&mut self, key: impl Fn(&NodeData) -> (i64, u64) + Copy) {
        // Post-order: children before parents.
        let mut order = Vec::with_capacity(self.nodes.len());
        let mut stack: Vec<(u32, bool)> = self.roots.iter().rev().map(|&r| (r, false)).collect();
        while let Some((n, expanded)) = stack.pop() {
            if expanded {
                order.push(n);
                continue;
            }
            stack.push((n, true));
            for &c in self.nodes[n as usize].children.iter().rev() {
                stack.push((c, false));
            }
        }
        for n in order {
            let mut children = std::mem::take(&mut self.nodes[n as usize].children);
            children.sort_by_key(|&c| key(&self.nodes[c as usize]));
            if self.nodes[n as usize].message.is_none() {
                if let Some(&first) = children.first() {
                    let (date, seq) = (self.nodes[first as usize].date, self.nodes[first as usize].seq);
                    self.nodes[n as usize].date = date;
                    self.nodes[n as usize].seq = seq;
                }
            }
            self.nodes[n as usize].children = children;
        }
        let mut roots = std::mem::take(&mut self.roots);
        roots.sort_by_key(|&r| key(&self.nodes[r as usize]));
        self.roots = roots;
    }
}

/// `thread-members / thread-nested` of RFC 5256 §4 for `node`.
fn write_members(out: &mut String, node: Node<'_>, number: impl Fn(u64) -> u64 + Copy) {
    let mut node = node;
    loop {
        if let Some(id) = node.message() {
            if !out.ends_with('(') {
                out.push(' ');
            }
            let _ = write!(out, "{}", number(id));
        }
        let mut children = node.children();
        match children.len() {
            0 => return,
            // A single child continues the same list (a dummy cannot be
            // followed by one child: pruning promotes it).
            1 if !node.is_dummy() => node = children.next().expect("one child"),
            _ => {
                if node.message().is_some() {
                    out.push(' ');
                }
                for child in children {
                    out.push('(');
                    write_members(out, child, number);
                    out.push(')');
                }
                return;
            }
        }
    }
}

#[cfg(feature = "serde")]
mod serde_impl {
    use super::{Node, Threads};
    use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

    /// A thread tree as nested JSON: `[{"message": 1, "date": 10,
    /// "children": [...]}, ...]`; a dummy has `"message": null`.
    impl Serialize for Threads {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(self.len()))?;
            for root in self.roots() {
                seq.serialize_element(&NodeSer(root))?;
            }
            seq.end()
        }
    }

    struct NodeSer<'t>(Node<'t>);
    struct Children<'t>(Node<'t>);

    impl Serialize for NodeSer<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(3))?;
            map.serialize_entry("message", &self.0.message())?;
            map.serialize_entry("date", &self.0.date())?;
            map.serialize_entry("children", &Children(self.0))?;
            map.end()
        }
    }

    impl Serialize for Children<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(self.0.children().len()))?;
            for c in self.0.children() {
                seq.serialize_element(&NodeSer(c))?;
            }
            seq.end()
        }
    }
}
