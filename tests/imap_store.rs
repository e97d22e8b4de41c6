//! The example IMAP server's Maildir++ store (`examples/imap_server/store.rs`)
//! on real directories: bytes, UIDs that persist, flags as Maildir info
//! letters and keywords, copy/move/expunge, the mailbox tree, mail dropped
//! in by hand, generations and waiting for a change, refused names.

#[allow(dead_code)]
#[path = "../examples/imap_server/store.rs"]
mod store;

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use store::{Flags, Store};

/// A unique directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("mailwire-store-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const MSG: &[u8] = b"From: a@example.org\r\nSubject: hi\r\n\r\nbody line\r\n";

fn uids(store: &Store, mailbox: &str) -> Vec<u32> {
    store.snapshot(mailbox).expect("snapshot").messages.iter().map(|m| m.uid).collect()
}

/// The file names in `dir`.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .collect();
    v.sort();
    v
}

fn keywords(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn append_then_read_is_byte_exact_with_size_date_and_flags() {
    let dir = TempDir::new("append");
    let store = Store::open(&dir.0).expect("open");
    assert!(dir.0.join("cur").is_dir() && dir.0.join("new").is_dir() && dir.0.join("tmp").is_dir());
    let flags = Flags { seen: true, draft: true, ..Flags::default() };
    let (validity, uid) = store.append("INBOX", MSG, &flags, Some(1_700_000_000)).expect("append");
    assert_ne!(validity, 0);
    assert_eq!(uid, 1);
    let (_, uid2) = store.append("inbox", b"x\r\n", &Flags::default(), Some(-86_400)).expect("append");
    assert_eq!(uid2, 2);
    assert_eq!(store.read("INBOX", 1).expect("read"), MSG);
    assert_eq!(store.read("INBOX", 2).expect("read"), b"x\r\n");

    let snap = store.snapshot("INBOX").expect("snapshot");
    assert_eq!(snap.uid_validity, validity);
    assert_eq!(snap.uid_next, 3);
    let m = &snap.messages[0];
    assert_eq!((m.uid, m.size, m.internal_date), (1, MSG.len() as u64, 1_700_000_000));
    assert_eq!(m.flags, flags);
    assert!(m.file_name().ends_with(":2,DS"), "{}", m.file_name());
    assert_eq!(snap.messages[1].internal_date, -86_400);
    // Nothing left in tmp/ or new/; both messages in cur/.
    assert!(names(&dir.0.join("tmp")).is_empty());
    assert!(names(&dir.0.join("new")).is_empty());
    assert_eq!(names(&dir.0.join("cur")).len(), 2);
}

#[test]
fn uids_persist_across_open_and_are_never_reused() {
    let dir = TempDir::new("persist");
    let validity = {
        let store = Store::open(&dir.0).expect("open");
        for _ in 0..3 {
            store.append("INBOX", MSG, &Flags::default(), None).expect("append");
        }
        store.expunge("INBOX", &[2, 3]).expect("expunge");
        store.snapshot("INBOX").expect("snapshot").uid_validity
    };
    let store = Store::open(&dir.0).expect("open again");
    let snap = store.snapshot("INBOX").expect("snapshot");
    assert_eq!(snap.uid_validity, validity);
    assert_eq!(snap.uid_next, 4);
    assert_eq!(uids(&store, "INBOX"), [1]);
    assert_eq!(store.append("INBOX", MSG, &Flags::default(), None).expect("append").1, 4);
    let list = std::fs::read_to_string(dir.0.join("mailwire-uidlist")).expect("uidlist");
    assert!(list.starts_with(&format!("{validity} 5\n")), "{list}");
    assert_eq!(list.lines().count(), 3, "{list}");
}

#[test]
fn flags_and_keywords_round_trip_as_info_letters() {
    let dir = TempDir::new("flags");
    let store = Store::open(&dir.0).expect("open");
    store.append("INBOX", MSG, &Flags::default(), None).expect("append");
    let flags = Flags {
        seen: true,
        flagged: true,
        answered: true,
        deleted: true,
        draft: false,
        keywords: keywords(&["$Forwarded", "Work"]),
    };
    store.set_flags("INBOX", 1, &flags).expect("set");
    let snap = store.snapshot("INBOX").expect("snapshot");
    assert_eq!(snap.messages[0].flags, flags);
    assert_eq!(names(&dir.0.join("cur")).len(), 1);
    let file = &names(&dir.0.join("cur"))[0];
    assert!(file.ends_with(":2,FRSTab"), "{file}");
    let table = std::fs::read_to_string(dir.0.join("mailwire-keywords")).expect("keywords");
    assert_eq!(table, "0 $Forwarded\n1 Work\n");
    // A keyword that differs only in case reuses the letter and spelling.
    store.set_flags("INBOX", 1, &Flags { keywords: keywords(&["work"]), ..Flags::default() }).expect("set");
    assert_eq!(store.snapshot("INBOX").expect("snapshot").messages[0].flags.keywords, keywords(&["Work"]));
    assert!(names(&dir.0.join("cur"))[0].ends_with(":2,b"));
    // Cleared.
    store.set_flags("INBOX", 1, &Flags::default()).expect("clear");
    assert!(names(&dir.0.join("cur"))[0].ends_with(":2,"));
    assert_eq!(store.read("INBOX", 1).expect("read"), MSG);

    // More than 26 keywords: the rest live in the uidlist, across a reopen.
    let many: BTreeSet<String> = (0..30).map(|i| format!("k{i:02}")).collect();
    let all = Flags { seen: true, keywords: many.clone(), ..Flags::default() };
    store.set_flags("INBOX", 1, &all).expect("set many");
    drop(store);
    let store = Store::open(&dir.0).expect("reopen");
    let got = &store.snapshot("INBOX").expect("snapshot").messages[0].flags;
    assert!(got.seen);
    assert_eq!(got.keywords, many);
    let line = std::fs::read_to_string(dir.0.join("mailwire-uidlist")).expect("uidlist");
    assert!(line.lines().nth(1).is_some_and(|l| l.ends_with("\tk24 k25 k26 k27 k28 k29")), "{line}");
}

#[test]
fn copy_move_and_expunge() {
    let dir = TempDir::new("copy");
    let store = Store::open(&dir.0).expect("open");
    let seen = Flags { seen: true, keywords: keywords(&["$Work"]), ..Flags::default() };
    store.append("INBOX", MSG, &seen, Some(1_600_000_000)).expect("append");
    store.append("INBOX", b"second\r\n", &Flags::default(), None).expect("append");
    store.create("Archive").expect("create");

    let pairs = store.copy("INBOX", &[1, 2, 99], "Archive").expect("copy");
    assert_eq!(pairs, [(1, 1), (2, 2)]);
    let archive = store.snapshot("Archive").expect("snapshot");
    assert_eq!(archive.messages[0].flags, seen);
    assert_eq!(archive.messages[0].internal_date, 1_600_000_000);
    assert_eq!(store.read("Archive", 1).expect("read"), MSG);
    assert_eq!(uids(&store, "INBOX"), [1, 2]);

    let before = store.generation("INBOX");
    let pairs = store.move_messages("INBOX", &[1], "Archive").expect("move");
    assert_eq!(pairs, [(1, 3)]);
    assert!(store.generation("INBOX") > before);
    assert_eq!(uids(&store, "INBOX"), [2]);
    assert_eq!(uids(&store, "Archive"), [1, 2, 3]);
    assert_eq!(store.read("Archive", 3).expect("read"), MSG);
    assert_eq!(store.snapshot("Archive").expect("snapshot").messages[2].flags, seen);
    assert_eq!(store.read("INBOX", 1).expect_err("moved").kind(), ErrorKind::NotFound);

    store.expunge("Archive", &[1, 3, 42]).expect("expunge");
    assert_eq!(uids(&store, "Archive"), [2]);
    assert_eq!(names(&dir.0.join(".Archive/cur")).len(), 1);
    assert_eq!(store.copy("INBOX", &[2], "Nowhere").expect_err("no target").kind(), ErrorKind::NotFound);
    // Copy into the same mailbox gives a new UID.
    assert_eq!(store.copy("INBOX", &[2], "INBOX").expect("self copy"), [(2, 3)]);
}

#[test]
fn mailbox_tree_create_list_rename_delete() {
    let dir = TempDir::new("tree");
    let store = Store::open(&dir.0).expect("open");
    for name in ["Sent", "Archive.2024", "Work", "Work.Projects", "Junk", "INBOX.Drafts", "Zeta.Trash"] {
        store.create(name).expect(name);
    }
    assert!(dir.0.join(".Archive.2024/cur").is_dir());
    let list = store.list().expect("list");
    let shown: Vec<(&str, bool, bool, Option<&str>)> =
        list.iter().map(|m| (m.name.as_str(), m.exists, m.has_children, m.special_use)).collect();
    assert_eq!(
        shown,
        [
            ("INBOX", true, true, None),
            ("Archive", false, true, Some("\\Archive")),
            ("Archive.2024", true, false, None),
            ("INBOX.Drafts", true, false, Some("\\Drafts")),
            ("Junk", true, false, Some("\\Junk")),
            ("Sent", true, false, Some("\\Sent")),
            ("Work", true, true, None),
            ("Work.Projects", true, false, None),
            ("Zeta", false, true, None),
            ("Zeta.Trash", true, false, None),
        ]
    );
    assert!(store.exists("inbox") && store.exists("Work.Projects") && !store.exists("Archive"));
    assert!(store.exists("inbox.Drafts"));

    // Rename carries children and messages (same UIDs).
    store.append("Work.Projects", MSG, &Flags::default(), None).expect("append");
    let validity = store.snapshot("Work.Projects").expect("snapshot").uid_validity;
    store.rename("Work", "Play").expect("rename");
    assert!(!store.exists("Work") && !store.exists("Work.Projects"));
    assert!(store.exists("Play") && store.exists("Play.Projects"));
    let snap = store.snapshot("Play.Projects").expect("snapshot");
    assert_eq!((snap.uid_validity, snap.messages.len(), snap.messages[0].uid), (validity, 1, 1));
    assert_eq!(store.rename("Play", "Sent").expect_err("taken").kind(), ErrorKind::AlreadyExists);
    assert_eq!(store.rename("Nope", "Other").expect_err("missing").kind(), ErrorKind::NotFound);
    // Renaming an implied parent moves its children.
    store.rename("Archive", "Old").expect("rename parent");
    assert!(store.exists("Old.2024") && !store.exists("Archive.2024"));

    // Delete leaves the children.
    store.delete("Play").expect("delete");
    assert!(!store.exists("Play") && store.exists("Play.Projects"));
    assert!(!dir.0.join(".Play").exists());
    assert_eq!(store.delete("Play").expect_err("gone").kind(), ErrorKind::NotFound);
    assert_eq!(store.delete("INBOX").expect_err("inbox").kind(), ErrorKind::InvalidInput);

    // Re-created mailboxes get a new UIDVALIDITY, even within the second.
    store.create("Again").expect("create");
    let first = store.snapshot("Again").expect("snapshot").uid_validity;
    store.delete("Again").expect("delete");
    store.create("Again").expect("create again");
    assert_ne!(store.snapshot("Again").expect("snapshot").uid_validity, first);

    // Renaming INBOX moves its messages and leaves it (and its children).
    store.append("INBOX", MSG, &Flags::default(), None).expect("append");
    store.rename("INBOX", "Saved").expect("rename inbox");
    assert!(uids(&store, "INBOX").is_empty());
    assert_eq!(uids(&store, "Saved"), [1]);
    assert_eq!(store.read("Saved", 1).expect("read"), MSG);
    assert!(store.exists("INBOX.Drafts"));
    // The trailing delimiter in CREATE is dropped.
    store.create("Lists.").expect("create with delimiter");
    assert!(store.exists("Lists"));
}

#[test]
fn files_dropped_in_by_hand_get_the_next_uids() {
    let dir = TempDir::new("drop");
    let store = Store::open(&dir.0).expect("open");
    store.append("INBOX", MSG, &Flags::default(), None).expect("append");
    let before = store.snapshot("INBOX").expect("snapshot");

    std::fs::write(dir.0.join("new").join("1800000000.M1P1.test"), b"new one\r\n").expect("drop");
    std::fs::write(dir.0.join("cur").join("1800000001.M1P1.test:2,S"), b"seen one\r\n").expect("drop");
    let snap = store.snapshot("INBOX").expect("snapshot");
    assert!(snap.generation > before.generation, "a rescan that finds mail bumps the generation");
    assert_eq!(snap.messages.iter().map(|m| m.uid).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(snap.uid_next, 4);
    assert!(!snap.messages[1].flags.seen && snap.messages[2].flags.seen);
    assert_eq!(store.read("INBOX", 2).expect("read"), b"new one\r\n");
    assert!(names(&dir.0.join("new")).is_empty());
    assert!(names(&dir.0.join("cur")).contains(&"1800000000.M1P1.test:2,".to_string()));
    // Nothing changed: the same generation.
    assert_eq!(store.snapshot("INBOX").expect("snapshot").generation, snap.generation);

    // A file removed by hand vanishes; a folder made by hand is a mailbox.
    std::fs::remove_file(dir.0.join("cur").join("1800000000.M1P1.test:2,")).expect("rm");
    assert_eq!(uids(&store, "INBOX"), [1, 3]);
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.0.join(".Hand").join(sub)).expect("mkdir");
    }
    std::fs::write(dir.0.join(".Hand/cur/a"), b"a\r\n").expect("drop");
    assert_eq!(uids(&store, "Hand"), [1]);
    // A flag change made by hand (a rename) is seen too.
    std::fs::rename(dir.0.join(".Hand/cur/a"), dir.0.join(".Hand/cur/a:2,F")).expect("rename");
    assert!(store.snapshot("Hand").expect("snapshot").messages[0].flags.flagged);
    assert_eq!(store.read("Hand", 1).expect("read"), b"a\r\n");
}

#[test]
fn generations_and_waiting_for_a_change() {
    let dir = TempDir::new("wait");
    let store = Arc::new(Store::open(&dir.0).expect("open"));
    let g0 = store.generation("INBOX");
    store.append("INBOX", MSG, &Flags::default(), None).expect("append");
    let g1 = store.generation("INBOX");
    assert!(g1 > g0);
    store.set_flags("INBOX", 1, &Flags { seen: true, ..Flags::default() }).expect("flags");
    let g2 = store.generation("inbox");
    assert!(g2 > g1);
    store.expunge("INBOX", &[1]).expect("expunge");
    let g3 = store.generation("INBOX");
    assert!(g3 > g2);

    // Times out when nothing changes.
    let start = Instant::now();
    assert_eq!(store.wait_for_change("INBOX", g3, Duration::from_millis(150)), g3);
    assert!(start.elapsed() >= Duration::from_millis(150));
    // Returns at once when the generation already differs.
    assert_eq!(store.wait_for_change("INBOX", g0, Duration::from_secs(10)), g3);

    // Wakes when another thread appends.
    let waiter = {
        let store = Arc::clone(&store);
        std::thread::spawn(move || {
            let start = Instant::now();
            (store.wait_for_change("INBOX", g3, Duration::from_secs(20)), start.elapsed())
        })
    };
    std::thread::sleep(Duration::from_millis(100));
    store.append("INBOX", MSG, &Flags::default(), None).expect("append");
    let (seen, waited) = waiter.join().expect("waiter");
    assert!(seen > g3);
    assert!(waited < Duration::from_secs(10), "{waited:?}");
    // Changes elsewhere leave INBOX's generation alone.
    store.create("Other").expect("create");
    store.append("Other", MSG, &Flags::default(), None).expect("append");
    assert_eq!(store.generation("INBOX"), seen);
}

#[test]
fn bad_names_and_flags_are_refused() {
    let dir = TempDir::new("bad");
    let store = Store::open(&dir.0).expect("open");
    for name in ["", "a/b", ".hidden", "a..b", ".", "..", "a..", "x*", "y%", "tab\there"] {
        let e = store.create(name).expect_err(name);
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{name:?}: {e}");
    }
    // Nothing was made on disk.
    assert_eq!(names(&dir.0), ["cur", "new", "tmp"]);
    assert_eq!(store.create("INBOX").expect_err("inbox").kind(), ErrorKind::AlreadyExists);
    assert_eq!(store.create("inbox").expect_err("inbox").kind(), ErrorKind::AlreadyExists);
    store.create("Sent").expect("create");
    assert_eq!(store.create("Sent").expect_err("twice").kind(), ErrorKind::AlreadyExists);
    assert_eq!(store.snapshot("../etc").expect_err("escape").kind(), ErrorKind::InvalidInput);
    assert_eq!(store.snapshot("Missing").expect_err("missing").kind(), ErrorKind::NotFound);
    assert_eq!(
        store.append("Missing", MSG, &Flags::default(), None).expect_err("missing").kind(),
        ErrorKind::NotFound
    );
    assert_eq!(store.read("INBOX", 7).expect_err("no uid").kind(), ErrorKind::NotFound);
    assert_eq!(
        store.set_flags("INBOX", 7, &Flags::default()).expect_err("no uid").kind(),
        ErrorKind::NotFound
    );
    for keyword in ["", "two words", "\\Seen"] {
        let flags = Flags { keywords: keywords(&[keyword]), ..Flags::default() };
        let e = store.append("INBOX", MSG, &flags, None).expect_err(keyword);
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{keyword:?}");
    }
    assert!(uids(&store, "INBOX").is_empty());
    assert!(!store.exists("a/b") && !store.exists(""));
}
