//! The mail store under the example IMAP server: a Maildir++ tree.
//!
//! - INBOX is the tree's root (`DIR/cur`, `DIR/new`, `DIR/tmp`); every
//!   other mailbox is a sub-folder `DIR/.Name`, with `.` as the hierarchy
//!   delimiter (`Archive.2024` is `DIR/.Archive.2024`). Names are UTF-8 as
//!   given; `INBOX` (and the first part of `INBOX.x`) is case-insensitive.
//! - UIDs live in `mailwire-uidlist` in each mailbox directory: a first
//!   line `uidvalidity uidnext`, then one `uid basename` line per message
//!   (the basename is the file name up to `:2,`), optionally followed by a
//!   tab and the keywords that have no letter (see below). It is rewritten
//!   through a temporary file and a rename. UIDs strictly increase and are
//!   never reused; files that someone else drops into `new/` or `cur/` get
//!   the next UIDs at the next [`Store::snapshot`], in file name order.
//! - Flags are the Maildir info letters (`:2,DFRST`, in ASCII order);
//!   keywords are the letters `a`–`z`, numbered by `mailwire-keywords`
//!   (lines `index keyword`, as Dovecot's `dovecot-keywords`). Keywords
//!   beyond 26 are kept on the message's uidlist line.
//! - Internal date is the file's mtime, size its length in bytes.
//! - One `Store` per tree at a time: all threads of the server share it
//!   (operations are serialised by one mutex), and other processes may
//!   only deliver (drop files into `new/` or `cur/`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Display;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The per-mailbox UID list file.
const UIDLIST: &str = "mailwire-uidlist";
/// The per-mailbox keyword table (letter `a` + index).
const KEYWORDS: &str = "mailwire-keywords";
/// Keywords that can have a letter in the file name.
const LETTERS: usize = 26;
/// The longest mailbox name accepted (the directory name adds a dot).
const MAX_NAME: usize = 200;

/// A message's flags: the system flags and the keywords.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    /// `\Seen` (Maildir `S`).
    pub seen: bool,
    /// `\Answered` (Maildir `R`).
    pub answered: bool,
    /// `\Flagged` (Maildir `F`).
    pub flagged: bool,
    /// `\Deleted` (Maildir `T`).
    pub deleted: bool,
    /// `\Draft` (Maildir `D`).
    pub draft: bool,
    /// Keywords (`$Forwarded`, `Work`, ...): no spaces, controls or leading `\`.
    pub keywords: BTreeSet<String>,
}

/// One message as a snapshot sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMeta {
    /// The message's UID.
    pub uid: u32,
    /// Its flags.
    pub flags: Flags,
    /// Its size in bytes (the file's length).
    pub size: u64,
    /// Its internal date in Unix seconds (the file's mtime).
    pub internal_date: i64,
    file: String,
}

impl MessageMeta {
    /// The message's current file name in `cur/` (for diagnostics).
    pub fn file_name(&self) -> &str {
        &self.file
    }
}

/// A mailbox's state at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The mailbox's UIDVALIDITY.
    pub uid_validity: u32,
    /// The UID the next message will get.
    pub uid_next: u32,
    /// The messages, in ascending UID order.
    pub messages: Vec<MessageMeta>,
    /// The mailbox's [`Store::generation`] when the snapshot was taken.
    pub generation: u64,
}

/// One entry of [`Store::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxInfo {
    /// The mailbox name (`INBOX`, `Archive.2024`).
    pub name: String,
    /// False for a name that only exists as the parent of other mailboxes
    /// (`Archive` when only `Archive.2024` exists): LIST shows it
    /// `\NonExistent` / `\Noselect`.
    pub exists: bool,
    /// Whether some mailbox lies below this one.
    pub has_children: bool,
    /// A special-use attribute guessed from the name (`\Sent`, `\Drafts`,
    /// `\Trash`, `\Junk`, `\Archive`).
    pub special_use: Option<&'static str>,
}

/// The Maildir++ store, shared by all connections.
pub struct Store {
    root: PathBuf,
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    /// Mailboxes scanned so far, by canonical name.
    folders: HashMap<String, Folder>,
    /// Change counters by canonical name; never removed.
    generations: HashMap<String, u64>,
    /// The last UIDVALIDITY handed out (a re-created mailbox gets a new one
    /// even within the same second).
    last_uid_validity: u32,
}

#[derive(Clone)]
struct Folder {
    uid_validity: u32,
    uid_next: u32,
    /// Index = letter - `a`; an empty string is an unused slot.
    keywords: Vec<String>,
    messages: BTreeMap<u32, Entry>,
}

#[derive(Clone, PartialEq, Eq)]
struct Entry {
    base: String,
    /// The full file name in `cur/`.
    file: String,
    size: u64,
    mtime: i64,
    /// Keywords without a letter.
    extra: Vec<String>,
}

/// A located message: its path, entry and flags.
struct Found {
    path: PathBuf,
    entry: Entry,
    flags: Flags,
}

impl Store {
    /// Opens the tree at `root`, creating INBOX's `cur/`, `new/` and `tmp/`
    /// if missing.
    pub fn open(root: &Path) -> io::Result<Store> {
        for sub in ["cur", "new", "tmp"] {
            let dir = root.join(sub);
            fs::create_dir_all(&dir).map_err(|e| ctx(e, format!("creating {}", dir.display())))?;
        }
        Ok(Store { root: root.to_path_buf(), state: Mutex::new(State::default()), changed: Condvar::new() })
    }

    /// All mailboxes: INBOX first, then the others sorted by name, with
    /// the parents that only exist as names in between.
    pub fn list(&self) -> io::Result<Vec<MailboxInfo>> {
        let _state = self.lock();
        let existing = self.existing()?;
        let mut all: BTreeSet<String> = existing.clone();
        for name in &existing {
            for (i, _) in name.match_indices('.') {
                all.insert(name[..i].to_string());
            }
        }
        all.remove("INBOX");
        let has_children = |name: &str| {
            let prefix = format!("{name}.");
            existing.range(prefix.clone()..).next().is_some_and(|n| n.starts_with(&prefix))
        };
        let mut out = vec![MailboxInfo {
            name: "INBOX".to_string(),
            exists: true,
            has_children: has_children("INBOX"),
            special_use: None,
        }];
        for name in all {
            out.push(MailboxInfo {
                exists: existing.contains(&name),
                has_children: has_children(&name),
                special_use: special_use(&name),
                name,
            });
        }
        Ok(out)
    }

    /// Whether `mailbox` exists (`INBOX` always does, in any case).
    pub fn exists(&self, mailbox: &str) -> bool {
        canonical(mailbox).is_ok_and(|name| is_mailbox(&self.dir(&name)))
    }

    /// Creates `mailbox` (a trailing `.` is dropped). Refuses empty names,
    /// names with `/`, controls, `*` or `%`, a leading or doubled `.`, and
    /// existing mailboxes. Missing parents are not created (Maildir++ needs
    /// none).
    pub fn create(&self, mailbox: &str) -> io::Result<()> {
        let trimmed = mailbox.strip_suffix('.').unwrap_or(mailbox);
        let name = canonical(trimmed)?;
        if name.contains(['*', '%']) {
            return Err(invalid(format!("mailbox name {mailbox:?} contains a wildcard")));
        }
        let mut state = self.lock();
        let dir = self.dir(&name);
        if name == "INBOX" || dir.exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("mailbox {name:?} already exists"),
            ));
        }
        fs::create_dir(&dir).map_err(|e| ctx(e, format!("creating mailbox {name:?}")))?;
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir(dir.join(sub)).map_err(|e| ctx(e, format!("creating mailbox {name:?}")))?;
        }
        fs::write(dir.join("maildirfolder"), b"")
            .map_err(|e| ctx(e, format!("creating mailbox {name:?}")))?;
        state.folders.remove(&name);
        state.rescan(&name, &dir)?;
        Ok(())
    }

    /// Deletes `mailbox` and its messages (not INBOX). Mailboxes below it
    /// stay.
    pub fn delete(&self, mailbox: &str) -> io::Result<()> {
        let name = canonical(mailbox)?;
        if name == "INBOX" {
            return Err(invalid("INBOX cannot be deleted".to_string()));
        }
        let mut state = self.lock();
        let dir = self.dir(&name);
        if !is_mailbox(&dir) {
            return Err(not_found(&name));
        }
        // Out of sight first (list ignores `..` names), then removed.
        let trash = self.root.join(format!("..mailwire-deleted.{}", unique_base()));
        fs::rename(&dir, &trash).map_err(|e| ctx(e, format!("deleting mailbox {name:?}")))?;
        // The mailbox is gone already; a leftover directory is harmless.
        let _ = fs::remove_dir_all(&trash);
        state.folders.remove(&name);
        state.bump(&name);
        self.changed.notify_all();
        Ok(())
    }

    /// Renames `from` to `to`, with the mailboxes below it. Renaming INBOX
    /// moves its messages into a new mailbox `to` and leaves INBOX empty
    /// (and its children where they are).
    pub fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        let from = canonical(from)?;
        let to = canonical(to)?;
        if to.contains(['*', '%']) {
            return Err(invalid(format!("mailbox name {to:?} contains a wildcard")));
        }
        if to == "INBOX" || self.dir(&to).exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("mailbox {to:?} already exists"),
            ));
        }
        if from == "INBOX" {
            self.create(&to)?;
            let uids: Vec<u32> = self.snapshot("INBOX")?.messages.iter().map(|m| m.uid).collect();
            self.move_messages("INBOX", &uids, &to)?;
            return Ok(());
        }
        let mut state = self.lock();
        let mut sources = Vec::new();
        if is_mailbox(&self.dir(&from)) {
            sources.push(from.clone());
        }
        let prefix = format!("{from}.");
        sources.extend(self.existing()?.into_iter().filter(|n| n.starts_with(&prefix)));
        if sources.is_empty() {
            return Err(not_found(&from));
        }
        let mut moves = Vec::new();
        for source in &sources {
            let target = format!("{to}{}", &source[from.len()..]);
            if target.len() > MAX_NAME {
                return Err(invalid(format!("mailbox name {target:?} is too long")));
            }
            if self.dir(&target).exists() {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("mailbox {target:?} already exists"),
                ));
            }
            moves.push((source.clone(), target));
        }
        let mut result = Ok(());
        for (source, target) in &moves {
            state.folders.remove(source);
            state.folders.remove(target);
            state.bump(source);
            state.bump(target);
            if result.is_ok() {
                result = fs::rename(self.dir(source), self.dir(target))
                    .map_err(|e| ctx(e, format!("renaming {source:?} to {target:?}")));
            }
        }
        self.changed.notify_all();
        result
    }

    /// Rescans `mailbox` and returns its state: files in `new/` move to
    /// `cur/` (with a `:2,` info), new files get UIDs, vanished ones are
    /// dropped. A change found on disk bumps the generation.
    pub fn snapshot(&self, mailbox: &str) -> io::Result<Snapshot> {
        let name = canonical(mailbox)?;
        let mut state = self.lock();
        let dir = self.dir(&name);
        let folder = state.rescan(&name, &dir)?.clone();
        let messages = folder
            .messages
            .iter()
            .map(|(&uid, e)| MessageMeta {
                uid,
                flags: folder.flags_of(e),
                size: e.size,
                internal_date: e.mtime,
                file: e.file.clone(),
            })
            .collect();
        Ok(Snapshot {
            uid_validity: folder.uid_validity,
            uid_next: folder.uid_next,
            messages,
            generation: state.generation(&name),
        })
    }

    /// The bytes of message `uid`, exactly as stored.
    pub fn read(&self, mailbox: &str, uid: u32) -> io::Result<Vec<u8>> {
        let name = canonical(mailbox)?;
        let dir = self.dir(&name);
        // Read outside the lock; a rename in between (flags) means retry.
        for _ in 0..3 {
            let found = self.lock().locate(&name, &dir, uid)?.ok_or_else(|| no_message(&name, uid))?;
            match fs::read(&found.path) {
                Ok(bytes) => return Ok(bytes),
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(ctx(e, format!("reading {}", found.path.display()))),
            }
        }
        Err(no_message(&name, uid))
    }

    /// Replaces the flags of message `uid` (renames its file).
    pub fn set_flags(&self, mailbox: &str, uid: u32, flags: &Flags) -> io::Result<()> {
        check_flags(flags)?;
        let name = canonical(mailbox)?;
        let dir = self.dir(&name);
        let mut state = self.lock();
        let found = state.locate(&name, &dir, uid)?.ok_or_else(|| no_message(&name, uid))?;
        let folder = state.folder(&name, &dir)?;
        let (letters, extra, table_changed) = folder.render(flags, info_of(&found.entry.file));
        if table_changed {
            save_keywords(&dir, &folder.keywords)?;
        }
        let file = format!("{}:2,{letters}", found.entry.base);
        if file == found.entry.file && extra == found.entry.extra {
            return Ok(());
        }
        if file != found.entry.file {
            let target = dir.join("cur").join(&file);
            fs::rename(&found.path, &target)
                .map_err(|e| ctx(e, format!("renaming {}", found.path.display())))?;
        }
        let extra_changed = extra != found.entry.extra;
        if let Some(entry) = folder.messages.get_mut(&uid) {
            entry.file = file;
            entry.extra = extra;
        }
        if extra_changed {
            save_uidlist(&dir, folder)?;
        }
        state.bump(&name);
        self.changed.notify_all();
        Ok(())
    }

    /// Adds a message (written to `tmp/`, renamed into `cur/`), with the
    /// file's mtime set to `internal_date` when given. Returns
    /// (UIDVALIDITY, UID).
    pub fn append(
        &self,
        mailbox: &str,
        message: &[u8],
        flags: &Flags,
        internal_date: Option<i64>,
    ) -> io::Result<(u32, u32)> {
        check_flags(flags)?;
        let name = canonical(mailbox)?;
        let dir = self.dir(&name);
        if !is_mailbox(&dir) {
            return Err(not_found(&name));
        }
        let mtime = internal_date
            .map(|t| system_time(t).ok_or_else(|| invalid(format!("internal date {t} is out of range"))))
            .transpose()?;
        let base = unique_base();
        let tmp = dir.join("tmp").join(&base);
        let written = fs::write(&tmp, message).and_then(|()| match mtime {
            Some(t) => fs::File::options().write(true).open(&tmp)?.set_modified(t),
            None => Ok(()),
        });
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(ctx(e, format!("writing {}", tmp.display())));
        }
        let mut state = self.lock();
        let result = state.deliver(&name, &dir, &tmp, &base, flags, "", Deliver::Rename);
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        let uid = result?;
        let folder = state.folder(&name, &dir)?;
        let uid_validity = folder.uid_validity;
        let saved = save_uidlist(&dir, folder);
        state.bump(&name);
        self.changed.notify_all();
        saved.map(|()| (uid_validity, uid))
    }

    /// Copies the messages `uids` (missing ones are skipped) of `from` into
    /// `to`, flags and internal dates kept. Returns (source UID, new UID)
    /// pairs.
    pub fn copy(&self, from: &str, uids: &[u32], to: &str) -> io::Result<Vec<(u32, u32)>> {
        self.transfer(from, uids, to, false)
    }

    /// Moves the messages `uids` (missing ones are skipped) of `from` into
    /// `to`, flags and internal dates kept. Returns (source UID, new UID)
    /// pairs.
    pub fn move_messages(&self, from: &str, uids: &[u32], to: &str) -> io::Result<Vec<(u32, u32)>> {
        self.transfer(from, uids, to, true)
    }

    /// Removes the messages `uids` (missing ones are skipped), whatever
    /// their flags: the caller picks the `\Deleted` ones.
    pub fn expunge(&self, mailbox: &str, uids: &[u32]) -> io::Result<()> {
        let name = canonical(mailbox)?;
        let dir = self.dir(&name);
        let mut state = self.lock();
        let mut removed = false;
        let mut result = Ok(());
        for &uid in uids {
            let found = match state.locate(&name, &dir, uid) {
                Ok(Some(found)) => found,
                Ok(None) => continue,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            match fs::remove_file(&found.path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    result = Err(ctx(e, format!("removing {}", found.path.display())));
                    break;
                }
            }
            if let Some(folder) = state.folders.get_mut(&name) {
                folder.messages.remove(&uid);
            }
            removed = true;
        }
        if removed {
            if let Some(folder) = state.folders.get(&name) {
                let saved = save_uidlist(&dir, folder);
                result = result.and(saved);
            }
            state.bump(&name);
            self.changed.notify_all();
        }
        result
    }

    /// The change counter of `mailbox`: bumped by every change made through
    /// this store (and by a snapshot that finds changes on disk).
    pub fn generation(&self, mailbox: &str) -> u64 {
        self.lock().generation(&key(mailbox))
    }

    /// Blocks until `generation(mailbox) != seen` or `timeout` passes;
    /// returns the generation then.
    pub fn wait_for_change(&self, mailbox: &str, seen: u64, timeout: Duration) -> u64 {
        let name = key(mailbox);
        let deadline = Instant::now().checked_add(timeout);
        let mut state = self.lock();
        loop {
            let generation = state.generation(&name);
            if generation != seen {
                return generation;
            }
            let left = match deadline {
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left,
                    _ => return generation,
                },
                None => Duration::from_secs(3600),
            };
            state = match self.changed.wait_timeout(state, left) {
                Ok((state, _)) => state,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    fn transfer(&self, from: &str, uids: &[u32], to: &str, remove: bool) -> io::Result<Vec<(u32, u32)>> {
        let from = canonical(from)?;
        let to = canonical(to)?;
        let from_dir = self.dir(&from);
        let to_dir = self.dir(&to);
        let mut state = self.lock();
        state.folder(&from, &from_dir)?;
        state.folder(&to, &to_dir)?;
        let mut pairs = Vec::new();
        let mut result = Ok(());
        for &uid in uids {
            let found = match state.locate(&from, &from_dir, uid) {
                Ok(Some(found)) => found,
                Ok(None) => continue,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            let how = if remove { Deliver::Rename } else { Deliver::Link };
            let base = unique_base();
            let info = info_of(&found.entry.file);
            match state.deliver(&to, &to_dir, &found.path, &base, &found.flags, info, how) {
                Ok(new_uid) => pairs.push((uid, new_uid)),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
            if remove {
                if let Some(folder) = state.folders.get_mut(&from) {
                    folder.messages.remove(&uid);
                }
            }
        }
        if remove && !pairs.is_empty() {
            if let Some(folder) = state.folders.get(&from) {
                let saved = save_uidlist(&from_dir, folder);
                result = result.and(saved);
            }
            state.bump(&from);
        }
        if !pairs.is_empty() {
            if let Some(folder) = state.folders.get(&to) {
                let saved = save_uidlist(&to_dir, folder);
                result = result.and(saved);
            }
            state.bump(&to);
            self.changed.notify_all();
        }
        result.map(|()| pairs)
    }

    /// The mailboxes other than INBOX that exist on disk.
    fn existing(&self) -> io::Result<BTreeSet<String>> {
        let listing = |e| ctx(e, format!("listing {}", self.root.display()));
        let mut existing = BTreeSet::new();
        for entry in fs::read_dir(&self.root).map_err(listing)? {
            let entry = entry.map_err(listing)?;
            let file_name = entry.file_name();
            let Some(name) = file_name.to_str().and_then(|n| n.strip_prefix('.')) else { continue };
            // Only names that map back to this directory: not `.INBOX`,
            // `.inbox.x` or `..mailwire-deleted...`.
            if canonical(name).ok().as_deref() == Some(name) && name != "INBOX" && is_mailbox(&entry.path()) {
                existing.insert(name.to_string());
            }
        }
        Ok(existing)
    }

    fn dir(&self, canonical: &str) -> PathBuf {
        if canonical == "INBOX" { self.root.clone() } else { self.root.join(format!(".{canonical}")) }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// How [`State::deliver`] puts a file into `cur/`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Deliver {
    Rename,
    /// A hard link, or a copy with the same mtime where links fail.
    Link,
}

impl State {
    fn generation(&self, name: &str) -> u64 {
        self.generations.get(name).copied().unwrap_or(0)
    }

    fn bump(&mut self, name: &str) {
        *self.generations.entry(name.to_string()).or_insert(0) += 1;
    }

    /// The cached folder, scanned on first use.
    fn folder(&mut self, name: &str, dir: &Path) -> io::Result<&mut Folder> {
        if !self.folders.contains_key(name) {
            let (folder, _) = sync(name, dir, &mut self.last_uid_validity)?;
            self.folders.insert(name.to_string(), folder);
        }
        self.folders.get_mut(name).ok_or_else(|| not_found(name))
    }

    /// Scans the folder again; bumps the generation if it changed.
    fn rescan(&mut self, name: &str, dir: &Path) -> io::Result<&mut Folder> {
        let (folder, written) = match sync(name, dir, &mut self.last_uid_validity) {
            Ok(scanned) => scanned,
            Err(e) => {
                self.folders.remove(name);
                return Err(e);
            }
        };
        let changed = match self.folders.get(name) {
            Some(old) => {
                old.uid_validity != folder.uid_validity
                    || old.keywords != folder.keywords
                    || !old
                        .messages
                        .iter()
                        .map(|(u, e)| (u, &e.file, &e.extra))
                        .eq(folder.messages.iter().map(|(u, e)| (u, &e.file, &e.extra)))
            }
            None => written,
        };
        if changed {
            self.bump(name);
        }
        self.folders.insert(name.to_string(), folder);
        self.folders.get_mut(name).ok_or_else(|| not_found(name))
    }

    /// Message `uid`, rescanning once if its file has moved.
    fn locate(&mut self, name: &str, dir: &Path, uid: u32) -> io::Result<Option<Found>> {
        for attempt in 0..2 {
            let folder = if attempt == 0 { self.folder(name, dir)? } else { self.rescan(name, dir)? };
            let Some(entry) = folder.messages.get(&uid) else { return Ok(None) };
            let path = dir.join("cur").join(&entry.file);
            if path.is_file() {
                let flags = folder.flags_of(entry);
                return Ok(Some(Found { path, entry: entry.clone(), flags }));
            }
        }
        Ok(None)
    }

    /// Puts `source` into `cur/` of mailbox `name` as `base:2,<flags>`
    /// and gives it the next UID (the caller saves the uidlist).
    #[allow(clippy::too_many_arguments)]
    fn deliver(
        &mut self,
        name: &str,
        dir: &Path,
        source: &Path,
        base: &str,
        flags: &Flags,
        old_info: &str,
        how: Deliver,
    ) -> io::Result<u32> {
        let folder = self.folder(name, dir)?;
        let (letters, extra, table_changed) = folder.render(flags, old_info);
        if table_changed {
            save_keywords(dir, &folder.keywords)?;
        }
        let uid = folder.uid_next;
        let uid_next =
            uid.checked_add(1).ok_or_else(|| invalid(format!("mailbox {name:?} is out of UIDs")))?;
        let file = format!("{base}:2,{letters}");
        let target = dir.join("cur").join(&file);
        let placed = match how {
            Deliver::Rename => fs::rename(source, &target),
            Deliver::Link => {
                fs::hard_link(source, &target).or_else(|_| copy_file(source, dir, base, &target))
            }
        };
        placed.map_err(|e| ctx(e, format!("storing into mailbox {name:?}")))?;
        let meta = fs::metadata(&target).map_err(|e| ctx(e, format!("reading {}", target.display())))?;
        folder.uid_next = uid_next;
        folder.messages.insert(
            uid,
            Entry { base: base.to_string(), file, size: meta.len(), mtime: mtime_of(&meta), extra },
        );
        Ok(uid)
    }
}

impl Folder {
    fn flags_of(&self, entry: &Entry) -> Flags {
        let mut flags = Flags::default();
        for c in info_of(&entry.file).chars() {
            match c {
                'D' => flags.draft = true,
                'F' => flags.flagged = true,
                'R' => flags.answered = true,
                'S' => flags.seen = true,
                'T' => flags.deleted = true,
                'a'..='z' => {
                    let index = usize::from(c as u8 - b'a');
                    if let Some(k) = self.keywords.get(index).filter(|k| !k.is_empty()) {
                        flags.keywords.insert(k.clone());
                    }
                }
                _ => {}
            }
        }
        flags.keywords.extend(entry.extra.iter().cloned());
        flags
    }

    /// The info letters for `flags` (keeping unknown capitals of
    /// `old_info`, such as `P`), the keywords without a letter, and whether
    /// the keyword table grew.
    fn render(&mut self, flags: &Flags, old_info: &str) -> (String, Vec<String>, bool) {
        let mut letters: BTreeSet<char> =
            old_info.chars().filter(|c| c.is_ascii_uppercase() && !"DFRST".contains(*c)).collect();
        for (on, c) in [
            (flags.draft, 'D'),
            (flags.flagged, 'F'),
            (flags.answered, 'R'),
            (flags.seen, 'S'),
            (flags.deleted, 'T'),
        ] {
            if on {
                letters.insert(c);
            }
        }
        let mut extra: Vec<String> = Vec::new();
        let mut grew = false;
        for keyword in &flags.keywords {
            let index = match self.keywords.iter().position(|k| k.eq_ignore_ascii_case(keyword)) {
                Some(i) => Some(i),
                None if self.keywords.len() < LETTERS => {
                    self.keywords.push(keyword.clone());
                    grew = true;
                    Some(self.keywords.len() - 1)
                }
                None => None,
            };
            match index.and_then(|i| u8::try_from(i).ok()) {
                Some(i) => {
                    letters.insert(char::from(b'a' + i));
                }
                None => {
                    if !extra.iter().any(|k| k.eq_ignore_ascii_case(keyword)) {
                        extra.push(keyword.clone());
                    }
                }
            }
        }
        (letters.into_iter().collect(), extra, grew)
    }
}

/// Reads the uidlist and keyword table, moves `new/` into `cur/`, scans
/// `cur/` and reconciles; writes the uidlist if anything changed (the
/// `bool`).
fn sync(name: &str, dir: &Path, last_uid_validity: &mut u32) -> io::Result<(Folder, bool)> {
    if !is_mailbox(dir) {
        return Err(not_found(name));
    }
    let cur = dir.join("cur");
    for sub in ["new", "tmp"] {
        fs::create_dir_all(dir.join(sub))
            .map_err(|e| ctx(e, format!("creating {}", dir.join(sub).display())))?;
    }
    let (uid_validity, mut uid_next, known, mut dirty) = match read_uidlist(dir)? {
        Some((validity, next, known)) => (validity, next, known, false),
        None => (fresh_uid_validity(last_uid_validity), 1, Vec::new(), true),
    };
    let keywords = read_keywords(dir)?;

    // new/ → cur/, with an info part.
    let new = dir.join("new");
    for file in sorted_names(&new)? {
        let path = new.join(&file);
        match file.to_str() {
            Some(f) if f.starts_with('.') => {}
            Some(f) if !f.chars().any(char::is_control) => {
                let target = if f.contains(':') { f.to_string() } else { format!("{f}:2,") };
                if cur.join(&target).exists() {
                    place_fresh(&path, &cur, info_of(f))?;
                } else {
                    rename_quiet(&path, &cur.join(&target))?;
                }
            }
            _ => {
                place_fresh(&path, &cur, "")?;
            }
        }
    }

    // cur/: one entry per base name; a name we cannot record (not UTF-8,
    // controls, a base seen already) is renamed to a fresh one.
    let mut by_base: BTreeMap<String, Entry> = BTreeMap::new();
    for file in sorted_names(&cur)? {
        let mut path = cur.join(&file);
        let mut file = match file.to_str() {
            Some(f) if f.starts_with('.') => continue,
            Some(f) => f.to_string(),
            None => match place_fresh(&path, &cur, "")? {
                Some(fresh) => fresh,
                None => continue,
            },
        };
        let base = base_of(&file);
        if base.is_empty() || file.chars().any(char::is_control) || by_base.contains_key(base) {
            let old = path.clone();
            file = match place_fresh(&old, &cur, info_of(&file))? {
                Some(fresh) => fresh,
                None => continue,
            };
            dirty = true;
        }
        path = cur.join(&file);
        let meta = match fs::metadata(&path) {
            Ok(meta) if meta.is_file() => meta,
            Ok(_) => continue,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(ctx(e, format!("reading {}", path.display()))),
        };
        let base = base_of(&file).to_string();
        by_base.insert(
            base.clone(),
            Entry { base, file, size: meta.len(), mtime: mtime_of(&meta), extra: Vec::new() },
        );
    }

    let mut messages = BTreeMap::new();
    for (uid, base, extra) in known {
        match by_base.remove(&base) {
            Some(mut entry) => {
                entry.extra = extra;
                messages.insert(uid, entry);
            }
            None => dirty = true,
        }
    }
    // by_base iterates in base-name order: the delivery order of Maildir names.
    for (_, entry) in by_base {
        let uid = uid_next;
        uid_next = uid.checked_add(1).ok_or_else(|| invalid(format!("mailbox {name:?} is out of UIDs")))?;
        messages.insert(uid, entry);
        dirty = true;
    }
    let folder = Folder { uid_validity, uid_next, keywords, messages };
    if dirty {
        save_uidlist(dir, &folder)?;
    }
    Ok((folder, dirty))
}

/// (uidvalidity, uidnext, [(uid, base, extra keywords)]), or `None` when
/// the file does not exist.
#[allow(clippy::type_complexity)]
fn read_uidlist(dir: &Path) -> io::Result<Option<(u32, u32, Vec<(u32, String, Vec<String>)>)>> {
    let path = dir.join(UIDLIST);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ctx(e, format!("reading {}", path.display()))),
    };
    let mut lines = text.lines();
    let header = lines.next().unwrap_or("");
    let mut fields = header.split(' ');
    let (Some(Ok(validity)), Some(Ok(mut next))) =
        (fields.next().map(str::parse::<u32>), fields.next().map(str::parse::<u32>))
    else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: bad first line {header:?} (want `uidvalidity uidnext`)", path.display()),
        ));
    };
    if validity == 0 || next == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: zero in the first line", path.display()),
        ));
    }
    let mut known = Vec::new();
    let mut uids = HashSet::new();
    let mut bases = HashSet::new();
    for line in lines {
        // Malformed lines are dropped: their files get new UIDs.
        let Some((uid, rest)) = line.split_once(' ') else { continue };
        let Ok(uid) = uid.parse::<u32>() else { continue };
        let (base, extra) = rest.split_once('\t').unwrap_or((rest, ""));
        if uid == 0 || base.is_empty() || !uids.insert(uid) || !bases.insert(base.to_string()) {
            continue;
        }
        if uid >= next {
            next = uid.saturating_add(1);
        }
        let extra = extra.split(' ').filter(|k| !k.is_empty()).map(str::to_string).collect();
        known.push((uid, base.to_string(), extra));
    }
    Ok(Some((validity, next, known)))
}

fn save_uidlist(dir: &Path, folder: &Folder) -> io::Result<()> {
    let mut text = format!("{} {}\n", folder.uid_validity, folder.uid_next);
    for (uid, entry) in &folder.messages {
        text.push_str(&format!("{uid} {}", entry.base));
        if !entry.extra.is_empty() {
            text.push('\t');
            text.push_str(&entry.extra.join(" "));
        }
        text.push('\n');
    }
    write_replace(&dir.join(UIDLIST), text.as_bytes())
}

fn read_keywords(dir: &Path) -> io::Result<Vec<String>> {
    let path = dir.join(KEYWORDS);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ctx(e, format!("reading {}", path.display()))),
    };
    let mut keywords: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some((index, keyword)) = line.split_once(' ') else { continue };
        let Ok(index) = index.parse::<usize>() else { continue };
        if index >= LETTERS || check_keyword(keyword).is_err() {
            continue;
        }
        if keywords.len() <= index {
            keywords.resize(index + 1, String::new());
        }
        keywords[index] = keyword.to_string();
    }
    Ok(keywords)
}

fn save_keywords(dir: &Path, keywords: &[String]) -> io::Result<()> {
    let mut text = String::new();
    for (i, k) in keywords.iter().enumerate().filter(|(_, k)| !k.is_empty()) {
        text.push_str(&format!("{i} {k}\n"));
    }
    write_replace(&dir.join(KEYWORDS), text.as_bytes())
}

/// Writes `path` through a temporary file and a rename.
fn write_replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, bytes)
        .and_then(|()| fs::rename(&tmp, path))
        .map_err(|e| ctx(e, format!("writing {}", path.display())))
}

/// Copies `source` to `target` through `dir/tmp`, keeping its mtime.
fn copy_file(source: &Path, dir: &Path, base: &str, target: &Path) -> io::Result<()> {
    let tmp = dir.join("tmp").join(base);
    let result = fs::copy(source, &tmp)
        .and_then(|_| {
            let mtime = fs::metadata(source)?.modified()?;
            fs::File::options().write(true).open(&tmp)?.set_modified(mtime)
        })
        .and_then(|()| fs::rename(&tmp, target));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Renames `path` into `cur` under a fresh base name, keeping `info`;
/// the new file name, or `None` if the file vanished.
fn place_fresh(path: &Path, cur: &Path, info: &str) -> io::Result<Option<String>> {
    let file = format!("{}:2,{info}", unique_base());
    Ok(rename_quiet(path, &cur.join(&file))?.then_some(file))
}

/// A rename where a vanished source is no error (`false`).
fn rename_quiet(from: &Path, to: &Path) -> io::Result<bool> {
    match fs::rename(from, to) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(ctx(e, format!("renaming {} to {}", from.display(), to.display()))),
    }
}

/// The file names in `dir`, sorted.
fn sorted_names(dir: &Path) -> io::Result<Vec<std::ffi::OsString>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| ctx(e, format!("listing {}", dir.display())))? {
        names.push(entry.map_err(|e| ctx(e, format!("listing {}", dir.display())))?.file_name());
    }
    names.sort();
    Ok(names)
}

/// The part of a Maildir file name before its info (`:`).
fn base_of(file: &str) -> &str {
    file.split(':').next().unwrap_or(file)
}

/// The flag letters of a Maildir file name (after `:2,`).
fn info_of(file: &str) -> &str {
    match file.split_once(':') {
        Some((_, info)) => info.strip_prefix("2,").unwrap_or(""),
        None => "",
    }
}

/// Validates `name` and spells INBOX's part in capitals.
fn canonical(name: &str) -> io::Result<String> {
    let problem = if name.is_empty() {
        Some("is empty")
    } else if name.len() > MAX_NAME {
        Some("is too long")
    } else if name.contains('/') {
        Some("contains `/`")
    } else if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else if name.starts_with('.') || name.ends_with('.') || name.contains("..") {
        Some("has an empty part between `.` delimiters")
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(invalid(format!("mailbox name {name:?} {problem}")));
    }
    let (first, rest) = match name.split_once('.') {
        Some((first, rest)) => (first, Some(rest)),
        None => (name, None),
    };
    Ok(match (first.eq_ignore_ascii_case("INBOX"), rest) {
        (true, Some(rest)) => format!("INBOX.{rest}"),
        (true, None) => "INBOX".to_string(),
        (false, _) => name.to_string(),
    })
}

/// The generation key of `mailbox`, also for names that do not validate.
fn key(mailbox: &str) -> String {
    canonical(mailbox).unwrap_or_else(|_| mailbox.to_string())
}

fn is_mailbox(dir: &Path) -> bool {
    dir.join("cur").is_dir()
}

/// A special-use attribute guessed from a top-level name (or one right
/// below INBOX).
fn special_use(name: &str) -> Option<&'static str> {
    let leaf = match name.split_once('.') {
        None => name,
        Some((first, rest)) if first == "INBOX" && !rest.contains('.') => rest,
        Some(_) => return None,
    };
    match leaf.to_lowercase().as_str() {
        "sent" | "sent items" | "sent messages" | "sent mail" => Some("\\Sent"),
        "drafts" | "draft" => Some("\\Drafts"),
        "trash" | "deleted items" | "deleted messages" | "bin" => Some("\\Trash"),
        "junk" | "spam" | "junk e-mail" | "junk email" => Some("\\Junk"),
        "archive" | "archives" => Some("\\Archive"),
        _ => None,
    }
}

fn check_flags(flags: &Flags) -> io::Result<()> {
    flags.keywords.iter().try_for_each(|k| check_keyword(k))
}

fn check_keyword(keyword: &str) -> io::Result<()> {
    if keyword.is_empty()
        || keyword.starts_with('\\')
        || keyword.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid(format!("bad keyword {keyword:?}")));
    }
    Ok(())
}

/// A new Maildir base name, unique for this host: time, pid, a counter.
fn unique_base() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static HOST: OnceLock<String> = OnceLock::new();
    let host = HOST.get_or_init(|| {
        let name = fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let name: String = name
            .trim()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' })
            .collect();
        if name.is_empty() { "localhost".to_string() } else { name }
    });
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}.M{}P{}Q{n}.{host}", now.as_secs(), now.subsec_micros(), std::process::id())
}

/// A UIDVALIDITY: the time in seconds, above the last one handed out.
fn fresh_uid_validity(last: &mut u32) -> u32 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let now = u32::try_from(now).unwrap_or(u32::MAX).max(1);
    let value = if now > *last { now } else { last.saturating_add(1) };
    *last = value;
    value
}

fn mtime_of(meta: &fs::Metadata) -> i64 {
    meta.modified().map(unix_seconds).unwrap_or(0)
}

fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            let d = e.duration();
            let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            -secs - i64::from(d.subsec_nanos() > 0)
        }
    }
}

fn system_time(secs: i64) -> Option<SystemTime> {
    let d = Duration::from_secs(secs.unsigned_abs());
    if secs >= 0 { UNIX_EPOCH.checked_add(d) } else { UNIX_EPOCH.checked_sub(d) }
}

fn ctx(e: io::Error, what: impl Display) -> io::Error {
    io::Error::new(e.kind(), format!("{what}: {e}"))
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

fn not_found(name: &str) -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, format!("no mailbox {name:?}"))
}

fn no_message(name: &str, uid: u32) -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, format!("no message with UID {uid} in {name:?}"))
}
