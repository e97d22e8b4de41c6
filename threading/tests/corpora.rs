//! Real mail from the shared corpora: a mailing-list month against the
//! archive's own thread index, two git-list threads, and notmuch's ghost
//! root, parent-priority and loop cases.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::io::Read;

use mailwire_threading::{
    ConversationStyle, JwzOptions, Message, Threader, Threads, conversations, jwz, references,
};
use serde_json::Value;

/// The thread (as a set of message positions) each message ends up in.
fn placement(threads: &Threads) -> HashMap<u64, usize> {
    let mut at = HashMap::new();
    for (i, root) in threads.roots().enumerate() {
        for m in root.messages() {
            at.insert(m, i);
        }
    }
    at
}

/// fedora-devel-list, January 2010: 292 messages, and MHonArc's thread
/// index (an independent implementation, which flattens deep replies and
/// misthreads a few). Thread membership must agree for at least 97% of
/// the messages under JWZ and under RFC 5256 REFERENCES.
#[test]
fn fedora_devel_month_agrees_with_the_archive_index() {
    let Some(dir) =
        support::corpus("fedora_devel_month_agrees_with_the_archive_index", "fedora-devel-2010-01")
    else {
        return;
    };
    let mbox = std::fs::read(dir.join("2010-January.mbox")).unwrap();
    let fields = support::read_mbox(&mbox);
    assert_eq!(fields.len(), 292);
    let messages: Vec<Message<'_>> = fields.iter().enumerate().map(|(i, f)| f.message(i as u64)).collect();
    let expected: Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected-threads.json")).unwrap()).unwrap();
    fn walk(n: &Value, out: &mut Vec<u64>) {
        out.push(n["mbox_index"].as_u64().unwrap());
        for c in n["children"].as_array().into_iter().flatten() {
            walk(c, out);
        }
    }
    let index: Vec<Vec<u64>> = expected["threads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let mut v = Vec::new();
            walk(t, &mut v);
            v
        })
        .collect();
    for (name, threads) in
        [("jwz", jwz(&messages, &JwzOptions::default())), ("references", references(&messages))]
    {
        let at = placement(&threads);
        // A message agrees when it shares a thread with its index thread's
        // root, or is that root.
        let agree: usize =
            index.iter().map(|t| t.iter().filter(|m| at.get(m) == at.get(&t[0])).count()).sum();
        let share = agree as f64 / 292.0;
        // And the other way: a message of ours agrees when the archive
        // puts it in the thread of our thread's root (no over-merging).
        let index_of: HashMap<u64, usize> =
            index.iter().enumerate().flat_map(|(i, t)| t.iter().map(move |&m| (m, i))).collect();
        let kept_apart: usize = threads
            .roots()
            .map(|r| {
                let members = r.messages();
                let home = index_of.get(&members[0]);
                members.iter().filter(|m| index_of.get(m) == home).count()
            })
            .sum();
        eprintln!(
            "fedora-devel 2010-01, {name}: {agree}/292 messages in the archive's thread, {kept_apart}/292 \
             with only the archive thread's messages; {} threads (archive: {})",
            threads.len(),
            index.len()
        );
        assert!(share >= 0.97, "{name}: only {agree}/292 agree with the archive's threads");
        assert!(kept_apart as f64 / 292.0 >= 0.97, "{name}: threads merged that the archive keeps apart");
    }
}

fn gunzip(path: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()).read_to_end(&mut out).unwrap();
    out
}

/// Two complete git-list threads (public-inbox mboxrd): each file is one
/// thread whose root is the message in its `_op` file.
#[test]
fn git_list_threads_are_one_thread_each() {
    let Some(dir) = support::corpus("git_list_threads_are_one_thread_each", "meli-git-list-threads") else {
        return;
    };
    for (name, count) in [("PATCH-Put-sha1dc-on-a-diet", 36), ("git-am-breakage-with-MIME-decoding", 7)] {
        let thread = support::read_mbox(&gunzip(&dir.join(format!("{name}.mbox.gz"))));
        let op = support::read_mbox(&gunzip(&dir.join(format!("{name}_op.mbox.gz"))));
        assert_eq!(thread.len(), count, "{name}");
        let messages: Vec<Message<'_>> =
            thread.iter().enumerate().map(|(i, f)| f.message(i as u64)).collect();
        for threads in [references(&messages), jwz(&messages, &JwzOptions::default())] {
            assert_eq!(threads.len(), 1, "{name}: {}", threads.to_imap());
            let root = threads.roots().next().unwrap();
            let root_id = &thread[root.message().unwrap() as usize].message_id;
            assert_eq!(root_id, &op[0].message_id, "{name}: the first post is the root");
            assert_eq!(root.messages().len(), count);
        }
        let convs = conversations(&messages, ConversationStyle::References);
        assert_eq!(convs.len(), 1, "{name}");
    }
}

/// Reads a Maildir-style folder of single messages (sorted by file name).
fn folder(dir: &std::path::Path) -> Vec<(String, support::Fields)> {
    let mut files: Vec<_> =
        std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let raw = std::fs::read(&p).unwrap();
            let mut mbox = b"From x Thu Jan  1 00:00:00 1970\n".to_vec();
            mbox.extend_from_slice(&raw);
            (p.file_name().unwrap().to_string_lossy().into_owned(), support::read_mbox(&mbox).remove(0))
        })
        .collect()
}

/// notmuch's ghost root: a "fake root" whose References go through the
/// real root and a message that does not exist, and an RT ticket thread
/// whose ticket id is never a message. RFC 5256 steps 1 and 3 give, by
/// hand: real-root → child → {grand-child → great-grand-child,
/// grand-child2, fake-root (its missing parent pruned)}, and the ticket's
/// dummy holding the first post (with its auto-reply) and the resolution.
#[test]
fn notmuch_ghost_root_parent_priority_and_loops() {
    let Some(dir) = support::corpus("notmuch_ghost_root_parent_priority_and_loops", "notmuch-corpora") else {
        return;
    };
    let ghost = folder(&dir.join("threading/ghost-root"));
    let messages: Vec<Message<'_>> =
        ghost.iter().enumerate().map(|(i, (_, f))| f.message(i as u64)).collect();
    let name = |i: u64| ghost[i as usize].0.as_str();
    let threads = references(&messages);
    let mut shapes: Vec<String> = threads
        .roots()
        .map(|r| {
            r.descendants()
                .map(|(depth, n)| format!("{}{}", "  ".repeat(depth), n.message().map_or("(dummy)", name)))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    shapes.sort();
    assert_eq!(shapes.len(), 2, "{shapes:#?}");
    assert_eq!(
        shapes[0],
        "(dummy)\n  1529425589.M615261P21663.len:2,S\n    1532672447.R3166642290392477575.len:2,S\n  1532672447.R6968667928580738175.len:2,S"
    );
    let real: BTreeSet<&str> = shapes[1].lines().map(str::trim).collect();
    assert!(shapes[1].starts_with("real-root\n  child\n"), "{}", shapes[1]);
    assert_eq!(
        real,
        BTreeSet::from([
            "real-root",
            "child",
            "fake-root",
            "grand-child",
            "grand-child2",
            "great-grand-child"
        ])
    );
    assert!(shapes[1].contains("    grand-child\n      great-grand-child"), "{}", shapes[1]);

    // parent-priority: the child's References name a root that does not
    // exist (a typo) while its In-Reply-To names the real one. RFC 5256
    // trusts References: the grand-child's References (child, root) first
    // make the root a child of the child, then the root itself arrives
    // with no references, and step 1.B breaks that link. Two threads:
    // root → grand-child, and the child under its missing parent. notmuch
    // prefers In-Reply-To here and makes one thread; we follow the RFC in
    // every mode (mail-threading's fixture "conflicting references beat
    // In-Reply-To" asks the same).
    let pp = folder(&dir.join("threading/parent-priority/cur"));
    let messages: Vec<Message<'_>> = pp.iter().enumerate().map(|(i, (_, f))| f.message(i as u64)).collect();
    let threads = references(&messages);
    let by_name = |n: Option<u64>| n.map_or("(dummy)", |i| pp[i as usize].0.as_str());
    let shapes: Vec<Vec<&str>> =
        threads.roots().map(|r| r.descendants().map(|(_, n)| by_name(n.message())).collect()).collect();
    assert_eq!(shapes, [vec!["root", "grand-child"], vec!["child"]]);

    // Two messages answering each other: one thread, no loop.
    let lp = folder(&dir.join("broken/loop"));
    let messages: Vec<Message<'_>> = lp.iter().enumerate().map(|(i, (_, f))| f.message(i as u64)).collect();
    let mut t = Threader::new();
    for m in &messages {
        t.add(m);
    }
    let threads = t.references();
    assert_eq!(threads.len(), 1);
    assert_eq!(threads.message_count(), 2);
    assert_eq!(lp[threads.roots().next().unwrap().message().unwrap() as usize].0, "loop-21");
}
