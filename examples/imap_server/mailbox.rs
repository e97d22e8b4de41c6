//! One connection's view of the store: the selected mailbox (its message
//! numbers, UIDs and flags as this client last heard them) and the
//! commands that read or change it.

use std::num::NonZeroU32;

use bytes::Bytes;
use mailwire_imap::command::{CommandBody, FetchAttribute, FetchItems, ListCommand, StoreAction, StoreKind};
use mailwire_imap::flag::{Flag, MailboxAttribute};
use mailwire_imap::mailbox::Mailbox;
use mailwire_imap::response::{Code, Data, FetchItem, ListItem, StatusKind};
use mailwire_imap::sequence::SequenceSet;
use mailwire_imap::server::ServerSession;
use mailwire_imap::status::StatusItem;
use mailwire_imap::string::{Atom, Str};

use crate::message;
use crate::search;
use crate::store::{Flags, Snapshot, Store};

/// A message as this connection knows it.
#[derive(Clone)]
pub struct Entry {
    pub uid: u32,
    pub flags: Flags,
}

/// The selected mailbox.
pub struct Selected {
    pub name: String,
    pub read_only: bool,
    pub view: Vec<Entry>,
}

/// A connection's state.
pub struct Connection<'s> {
    store: &'s Store,
    selected: Option<Selected>,
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// The store's name for a wire mailbox name.
fn store_name(mailbox: &Mailbox) -> String {
    match mailbox {
        Mailbox::Inbox => "INBOX".into(),
        other => other.name().into_owned(),
    }
}

/// The flags as IMAP flags.
pub fn imap_flags(flags: &Flags) -> Vec<Flag> {
    let mut out = Vec::new();
    let pairs = [
        (flags.seen, Flag::Seen),
        (flags.answered, Flag::Answered),
        (flags.flagged, Flag::Flagged),
        (flags.deleted, Flag::Deleted),
        (flags.draft, Flag::Draft),
    ];
    for (on, flag) in pairs {
        if on {
            out.push(flag);
        }
    }
    for k in &flags.keywords {
        if let Ok(atom) = Atom::try_from(k.as_str()) {
            out.push(Flag::Keyword(atom));
        }
    }
    out
}

/// IMAP flags as store flags (`\Recent` and `\*` ignored).
fn store_flags(flags: &[Flag]) -> Flags {
    let mut out = Flags::default();
    for f in flags {
        apply(&mut out, f, true);
    }
    out
}

fn apply(flags: &mut Flags, flag: &Flag, on: bool) {
    match flag {
        Flag::Seen => flags.seen = on,
        Flag::Answered => flags.answered = on,
        Flag::Flagged => flags.flagged = on,
        Flag::Deleted => flags.deleted = on,
        Flag::Draft => flags.draft = on,
        Flag::Keyword(k) => {
            if on {
                flags.keywords.insert(k.as_str().to_owned());
            } else {
                flags.keywords.remove(k.as_str());
            }
        }
        _ => {}
    }
}

/// Whether `name` matches a LIST pattern (`*` anything, `%` anything but
/// the delimiter), ignoring case for INBOX.
fn matches(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|i| matches(rest, &name[i..])),
        Some((b'%', rest)) => {
            let stop = name.iter().position(|&b| b == b'.').unwrap_or(name.len());
            (0..=stop).any(|i| matches(rest, &name[i..]))
        }
        Some((&c, rest)) => name.first() == Some(&c) && matches(rest, &name[1..]),
    }
}

impl<'s> Connection<'s> {
    pub fn new(store: &'s Store) -> Self {
        Connection { store, selected: None }
    }

    /// Carries out one command and finishes it.
    pub fn command(&mut self, s: &mut ServerSession, body: CommandBody) {
        let result = self.run(s, &body);
        // EXPUNGE must not be sent during FETCH, STORE or SEARCH (RFC 9051
        // §7.5.1); after other commands, changes by others are reported.
        let quiet = matches!(
            body,
            CommandBody::Fetch { uid: false, .. }
                | CommandBody::Store { uid: false, .. }
                | CommandBody::Search { uid: false, .. }
        );
        if !quiet {
            self.updates(s);
        }
        let _ = match result {
            Ok((code, text)) => s.ok(code, &text),
            Err(Failure::No(code, text)) => s.no(code, &text),
            Err(Failure::Bad(text)) => s.bad(None, &text),
        };
    }

    fn run(&mut self, s: &mut ServerSession, body: &CommandBody) -> Result<(Option<Code>, String), Failure> {
        match body {
            CommandBody::Noop | CommandBody::Check => Ok((None, "done".into())),
            CommandBody::Id(_) => {
                s.data(Data::Id(Some(vec![(Str::from("name"), Some(Str::from("mailwire imap_server")))])));
                Ok((None, "ID completed".into()))
            }
            CommandBody::Namespace => {
                s.data(message::namespace());
                Ok((None, "NAMESPACE completed".into()))
            }
            CommandBody::List(list) => self.list(s, list, false),
            CommandBody::Lsub { reference, pattern } => {
                let list = ListCommand::new(reference.clone(), pattern.clone());
                self.list(s, &list, true)
            }
            CommandBody::Status { mailbox, items } => {
                let snap = self.snapshot(mailbox)?;
                let values = items
                    .iter()
                    .filter_map(|&item| {
                        let v = match item {
                            StatusItem::Messages => snap.messages.len() as u64,
                            StatusItem::Recent => 0,
                            StatusItem::UidNext => u64::from(snap.uid_next),
                            StatusItem::UidValidity => u64::from(snap.uid_validity),
                            StatusItem::Unseen => {
                                snap.messages.iter().filter(|m| !m.flags.seen).count() as u64
                            }
                            StatusItem::Deleted => {
                                snap.messages.iter().filter(|m| m.flags.deleted).count() as u64
                            }
                            StatusItem::Size => snap.messages.iter().map(|m| m.size).sum(),
                            _ => return None,
                        };
                        Some((item, v))
                    })
                    .collect();
                s.data(Data::Status { mailbox: mailbox.clone(), items: values, mailbox_id: None });
                Ok((None, "STATUS completed".into()))
            }
            CommandBody::Create { mailbox, .. } => {
                self.store.create(&store_name(mailbox)).map_err(no)?;
                Ok((None, "CREATE completed".into()))
            }
            CommandBody::Delete(mailbox) => {
                self.store.delete(&store_name(mailbox)).map_err(no)?;
                Ok((None, "DELETE completed".into()))
            }
            CommandBody::Rename { from, to } => {
                self.store.rename(&store_name(from), &store_name(to)).map_err(no)?;
                Ok((None, "RENAME completed".into()))
            }
            CommandBody::Subscribe(_) | CommandBody::Unsubscribe(_) => Ok((None, "done".into())),
            CommandBody::Select { mailbox, .. } => self.select(s, mailbox, false),
            CommandBody::Examine { mailbox, .. } => self.select(s, mailbox, true),
            CommandBody::Append { mailbox, flags, date, message } => {
                let name = store_name(mailbox);
                if !self.store.exists(&name) {
                    return Err(Failure::No(Some(Code::TryCreate), "no such mailbox".into()));
                }
                let date = date.map(|d| d.to_unix());
                let (validity, uid) =
                    self.store.append(&name, message.as_bytes(), &store_flags(flags), date).map_err(no)?;
                let code = Code::AppendUid { uid_validity: validity, uids: uid_set(&[uid]) };
                Ok((Some(code), "APPEND completed".into()))
            }
            CommandBody::Close => {
                if let Some(sel) = &self.selected {
                    if !sel.read_only {
                        let gone: Vec<u32> =
                            sel.view.iter().filter(|e| e.flags.deleted).map(|e| e.uid).collect();
                        self.store.expunge(&sel.name, &gone).map_err(no)?;
                    }
                }
                self.selected = None;
                Ok((None, "CLOSE completed".into()))
            }
            CommandBody::Unselect => {
                self.selected = None;
                Ok((None, "UNSELECT completed".into()))
            }
            CommandBody::Expunge => self.expunge(None),
            CommandBody::UidExpunge(set) => self.expunge(Some(set)),
            CommandBody::Fetch { uid, set, items, .. } => self.fetch(s, *uid, set, items),
            CommandBody::Store { uid, set, action, silent, kind, .. } => {
                let StoreKind::Flags(flags) = kind else {
                    return Err(Failure::Bad("X-GM-LABELS is not supported".into()));
                };
                self.store_flags(s, *uid, set, *action, *silent, flags)
            }
            CommandBody::Search { uid, criteria, charset, .. } => {
                if charset
                    .as_ref()
                    .is_some_and(|c| !(c.eq_ignore_case("UTF-8") || c.eq_ignore_case("US-ASCII")))
                {
                    return Err(Failure::No(
                        Some(Code::BadCharset(vec![Str::from("UTF-8")])),
                        "charset".into(),
                    ));
                }
                let sel = self.selected.as_ref().ok_or(Failure::Bad("no mailbox selected".into()))?;
                let found = search::run(self.store, sel, criteria);
                let numbers = found.into_iter().map(|(seq, u)| if *uid { u } else { seq }).collect();
                s.data(Data::Search { numbers, mod_seq: None });
                Ok((None, "SEARCH completed".into()))
            }
            CommandBody::Copy { uid, set, mailbox } => self.copy(s, *uid, set, mailbox, false),
            CommandBody::Move { uid, set, mailbox } => self.copy(s, *uid, set, mailbox, true),
            other => Err(Failure::Bad(format!("{} is not supported here", other.name()))),
        }
    }

    fn snapshot(&self, mailbox: &Mailbox) -> Result<Snapshot, Failure> {
        let name = store_name(mailbox);
        if !self.store.exists(&name) {
            return Err(Failure::No(Some(Code::NonExistent), "no such mailbox".into()));
        }
        self.store.snapshot(&name).map_err(no)
    }

    fn list(
        &mut self,
        s: &mut ServerSession,
        list: &ListCommand,
        lsub: bool,
    ) -> Result<(Option<Code>, String), Failure> {
        for pattern in &list.patterns {
            if pattern.is_empty() {
                // The hierarchy delimiter and root (RFC 9051 §6.3.9).
                s.data(Data::List(ListItem {
                    attributes: vec![MailboxAttribute::NoSelect],
                    delimiter: Some('.'),
                    mailbox: Mailbox::Other(Str::from("")),
                    extended: Vec::new(),
                }));
                continue;
            }
            let mut full = list.reference.as_bytes().to_vec();
            full.extend_from_slice(pattern.as_bytes());
            for info in self.store.list().map_err(no)? {
                let wire = Mailbox::new(&info.name);
                let candidate = if wire.is_inbox() { b"INBOX".to_vec() } else { wire.as_bytes().to_vec() };
                let pattern_ci = if full.len() >= 5 && full[..5].eq_ignore_ascii_case(b"INBOX") {
                    let mut p = b"INBOX".to_vec();
                    p.extend_from_slice(&full[5..]);
                    p
                } else {
                    full.clone()
                };
                if !matches(&pattern_ci, &candidate) {
                    continue;
                }
                let mut attributes = vec![if info.has_children {
                    MailboxAttribute::HasChildren
                } else {
                    MailboxAttribute::HasNoChildren
                }];
                if let Some(special) =
                    info.special_use.and_then(|s| MailboxAttribute::from_name(s.trim_start_matches('\\')))
                {
                    attributes.push(special);
                }
                let item = ListItem { attributes, delimiter: Some('.'), mailbox: wire, extended: Vec::new() };
                s.data(if lsub { Data::Lsub(item) } else { Data::List(item) });
            }
        }
        Ok((None, if lsub { "LSUB completed" } else { "LIST completed" }.into()))
    }

    fn select(
        &mut self,
        s: &mut ServerSession,
        mailbox: &Mailbox,
        read_only: bool,
    ) -> Result<(Option<Code>, String), Failure> {
        self.selected = None;
        let snap = self.snapshot(mailbox)?;
        let flags = vec![Flag::Answered, Flag::Flagged, Flag::Deleted, Flag::Seen, Flag::Draft];
        s.data(Data::Flags(flags.clone()));
        s.data(Data::Exists(snap.messages.len() as u32));
        s.data(Data::Recent(0));
        let mut permanent = flags;
        permanent.push(Flag::Wildcard);
        s.untagged(StatusKind::Ok, Some(Code::PermanentFlags(permanent)), "Flags permitted");
        s.untagged(StatusKind::Ok, Some(Code::UidValidity(snap.uid_validity)), "UIDs valid");
        s.untagged(StatusKind::Ok, Some(Code::UidNext(snap.uid_next)), "Predicted next UID");
        if let Some(i) = snap.messages.iter().position(|m| !m.flags.seen) {
            s.untagged(StatusKind::Ok, Some(Code::Unseen(i as u32 + 1)), "First unseen");
        }
        self.selected = Some(Selected {
            name: store_name(mailbox),
            read_only,
            view: snap.messages.iter().map(|m| Entry { uid: m.uid, flags: m.flags.clone() }).collect(),
        });
        let code = if read_only { Code::ReadOnly } else { Code::ReadWrite };
        Ok((Some(code), if read_only { "EXAMINE completed" } else { "SELECT completed" }.into()))
    }

    /// The messages a set names: (sequence number, index in the view).
    fn resolve(&self, uid: bool, set: &SequenceSet) -> Vec<(u32, usize)> {
        let Some(sel) = &self.selected else { return Vec::new() };
        if uid {
            let largest = sel.view.last().map_or(0, |e| e.uid);
            sel.view
                .iter()
                .enumerate()
                .filter(|(_, e)| set.contains(e.uid, largest))
                .map(|(i, _)| (i as u32 + 1, i))
                .collect()
        } else {
            let n = sel.view.len() as u32;
            set.iter(n).map(|seq| (seq, seq as usize - 1)).collect()
        }
    }

    fn fetch(
        &mut self,
        s: &mut ServerSession,
        uid: bool,
        set: &SequenceSet,
        items: &FetchItems,
    ) -> Result<(Option<Code>, String), Failure> {
        let Some(sel) = &self.selected else { return Err(Failure::Bad("no mailbox selected".into())) };
        let mut attrs = items.attributes();
        if uid && !attrs.contains(&FetchAttribute::Uid) {
            attrs.insert(0, FetchAttribute::Uid);
        }
        let name = sel.name.clone();
        let read_only = sel.read_only;
        let snap = self.store.snapshot(&name).map_err(no)?;
        for (seq, index) in self.resolve(uid, set) {
            let Some(entry) = self.selected.as_ref().and_then(|s| s.view.get(index)).cloned() else {
                continue;
            };
            let Some(meta) = snap.messages.iter().find(|m| m.uid == entry.uid) else { continue };
            let needs_body = attrs.iter().any(|a| {
                !matches!(
                    a,
                    FetchAttribute::Uid
                        | FetchAttribute::Flags
                        | FetchAttribute::InternalDate
                        | FetchAttribute::Rfc822Size
                )
            });
            let bytes = if needs_body { self.store.read(&name, entry.uid).map_err(no)? } else { Vec::new() };
            let bytes = Bytes::from(bytes);
            let mut out = Vec::new();
            let mut set_seen = false;
            for attr in &attrs {
                match attr {
                    FetchAttribute::Uid => out.push(FetchItem::Uid(nz(entry.uid))),
                    FetchAttribute::Flags => out.push(FetchItem::Flags(imap_flags(&entry.flags))),
                    FetchAttribute::InternalDate => out.push(FetchItem::InternalDate(
                        mailwire_imap::datetime::DateTime::from_unix(meta.internal_date),
                    )),
                    FetchAttribute::Rfc822Size => out.push(FetchItem::Rfc822Size(meta.size)),
                    FetchAttribute::Envelope => {
                        out.push(FetchItem::Envelope(Box::new(message::envelope(&bytes))))
                    }
                    FetchAttribute::BodyStructure => {
                        out.push(FetchItem::BodyStructure(Box::new(message::body_structure(&bytes, true))))
                    }
                    FetchAttribute::Body => {
                        out.push(FetchItem::Body(Box::new(message::body_structure(&bytes, false))))
                    }
                    FetchAttribute::BodySection { section, partial, peek } => {
                        let data = message::section(&bytes, section)
                            .map(|d| d.slice(partial_range(partial, d.len())));
                        out.push(FetchItem::BodySection {
                            section: section.clone(),
                            origin: partial.map(|p| p.origin),
                            data: data.map(Str::new),
                        });
                        set_seen |= !peek;
                    }
                    FetchAttribute::Binary { part, partial, peek } => {
                        let data = message::binary(&bytes, part)
                            .map(|d| d[partial_range(partial, d.len())].to_vec());
                        let data = data.map(|d| Str::with_form(d, mailwire_imap::string::Form::Literal8));
                        out.push(FetchItem::Binary { part: part.clone(), data });
                        set_seen |= !peek;
                    }
                    FetchAttribute::BinarySize { part } => {
                        let size = message::binary(&bytes, part).map_or(0, |d| d.len() as u32);
                        out.push(FetchItem::BinarySize { part: part.clone(), size });
                    }
                    FetchAttribute::Rfc822 => {
                        out.push(FetchItem::Rfc822(Some(Str::new(bytes.clone()))));
                        set_seen = true;
                    }
                    FetchAttribute::Rfc822Header => {
                        let h = message::section(&bytes, &mailwire_imap::section::Section::header());
                        out.push(FetchItem::Rfc822Header(h.map(Str::new)));
                    }
                    FetchAttribute::Rfc822Text => {
                        let t = message::section(&bytes, &mailwire_imap::section::Section::text());
                        out.push(FetchItem::Rfc822Text(t.map(Str::new)));
                        set_seen = true;
                    }
                    _ => {}
                }
            }
            if set_seen && !read_only && !entry.flags.seen {
                let mut flags = entry.flags.clone();
                flags.seen = true;
                self.store.set_flags(&name, entry.uid, &flags).map_err(no)?;
                if let Some(e) = self.selected.as_mut().and_then(|s| s.view.get_mut(index)) {
                    e.flags = flags.clone();
                }
                if !attrs.contains(&FetchAttribute::Flags) {
                    out.push(FetchItem::Flags(imap_flags(&flags)));
                }
            }
            s.data(Data::Fetch { seq: nz(seq), items: out });
        }
        Ok((None, "FETCH completed".into()))
    }

    fn store_flags(
        &mut self,
        s: &mut ServerSession,
        uid: bool,
        set: &SequenceSet,
        action: StoreAction,
        silent: bool,
        flags: &[Flag],
    ) -> Result<(Option<Code>, String), Failure> {
        let targets = self.resolve(uid, set);
        let Some(sel) = self.selected.as_mut() else {
            return Err(Failure::Bad("no mailbox selected".into()));
        };
        if sel.read_only {
            return Err(Failure::No(None, "mailbox is read-only".into()));
        }
        let name = sel.name.clone();
        for (seq, index) in targets {
            let Some(entry) = sel.view.get_mut(index) else { continue };
            let mut new = match action {
                StoreAction::Replace => store_flags(flags),
                _ => entry.flags.clone(),
            };
            if action != StoreAction::Replace {
                for f in flags {
                    apply(&mut new, f, action == StoreAction::Add);
                }
            }
            self.store.set_flags(&name, entry.uid, &new).map_err(no)?;
            entry.flags = new;
            if !silent {
                let mut items = vec![FetchItem::Flags(imap_flags(&entry.flags))];
                if uid {
                    items.push(FetchItem::Uid(nz(entry.uid)));
                }
                s.data(Data::Fetch { seq: nz(seq), items });
            }
        }
        Ok((None, "STORE completed".into()))
    }

    fn copy(
        &mut self,
        s: &mut ServerSession,
        uid: bool,
        set: &SequenceSet,
        mailbox: &Mailbox,
        moving: bool,
    ) -> Result<(Option<Code>, String), Failure> {
        let targets = self.resolve(uid, set);
        let Some(sel) = &self.selected else { return Err(Failure::Bad("no mailbox selected".into())) };
        let to = store_name(mailbox);
        if !self.store.exists(&to) {
            return Err(Failure::No(Some(Code::TryCreate), "no such mailbox".into()));
        }
        let uids: Vec<u32> = targets.iter().filter_map(|&(_, i)| sel.view.get(i).map(|e| e.uid)).collect();
        if uids.is_empty() {
            return Ok((None, "nothing to do".into()));
        }
        let pairs = if moving {
            if sel.read_only {
                return Err(Failure::No(None, "mailbox is read-only".into()));
            }
            self.store.move_messages(&sel.name, &uids, &to).map_err(no)?
        } else {
            self.store.copy(&sel.name, &uids, &to).map_err(no)?
        };
        let validity = self.store.snapshot(&to).map_err(no)?.uid_validity;
        let source: Vec<u32> = pairs.iter().map(|p| p.0).collect();
        let dest: Vec<u32> = pairs.iter().map(|p| p.1).collect();
        let code =
            Code::CopyUid { uid_validity: validity, source: uid_set(&source), destination: uid_set(&dest) };
        if moving {
            // RFC 6851: COPYUID in an untagged OK, then the EXPUNGEs.
            s.untagged(StatusKind::Ok, Some(code), "Moved UIDs");
            return Ok((None, "MOVE completed".into()));
        }
        Ok((Some(code), "COPY completed".into()))
    }

    fn expunge(&mut self, only: Option<&SequenceSet>) -> Result<(Option<Code>, String), Failure> {
        let Some(sel) = &self.selected else { return Err(Failure::Bad("no mailbox selected".into())) };
        if sel.read_only {
            return Err(Failure::No(None, "mailbox is read-only".into()));
        }
        let largest = sel.view.last().map_or(0, |e| e.uid);
        let gone: Vec<u32> = sel
            .view
            .iter()
            .filter(|e| e.flags.deleted && only.is_none_or(|set| set.contains(e.uid, largest)))
            .map(|e| e.uid)
            .collect();
        // The EXPUNGE responses follow from `updates`.
        self.store.expunge(&sel.name, &gone).map_err(no)?;
        Ok((None, "EXPUNGE completed".into()))
    }

    /// Tells the client what changed in its mailbox since it last heard:
    /// EXPUNGE (highest number first, so earlier numbers hold), EXISTS for
    /// new messages, FETCH FLAGS for changed flags.
    pub fn updates(&mut self, s: &mut ServerSession) {
        let Some(sel) = self.selected.as_mut() else { return };
        let Ok(snap) = self.store.snapshot(&sel.name) else { return };
        let now: std::collections::HashMap<u32, &Flags> =
            snap.messages.iter().map(|m| (m.uid, &m.flags)).collect();
        let mut i = sel.view.len();
        while i > 0 {
            i -= 1;
            if !now.contains_key(&sel.view[i].uid) {
                sel.view.remove(i);
                s.data(Data::Expunge(nz(i as u32 + 1)));
            }
        }
        for (i, e) in sel.view.iter_mut().enumerate() {
            if let Some(flags) = now.get(&e.uid) {
                if **flags != e.flags {
                    e.flags = (*flags).clone();
                    s.data(Data::Fetch {
                        seq: nz(i as u32 + 1),
                        items: vec![FetchItem::Flags(imap_flags(&e.flags))],
                    });
                }
            }
        }
        let last = sel.view.last().map_or(0, |e| e.uid);
        let before = sel.view.len();
        for m in &snap.messages {
            if m.uid > last {
                sel.view.push(Entry { uid: m.uid, flags: m.flags.clone() });
            }
        }
        if sel.view.len() != before {
            s.data(Data::Exists(sel.view.len() as u32));
        }
    }
}

/// Why a command failed.
pub enum Failure {
    No(Option<Code>, String),
    Bad(String),
}

fn no(e: std::io::Error) -> Failure {
    let code = match e.kind() {
        std::io::ErrorKind::NotFound => Some(Code::NonExistent),
        std::io::ErrorKind::AlreadyExists => Some(Code::AlreadyExists),
        _ => None,
    };
    Failure::No(code, e.to_string())
}

/// The octets `<origin.length>` asks for, cut to what there is (all of
/// them without a partial).
fn partial_range(partial: &Option<mailwire_imap::section::Partial>, len: usize) -> std::ops::Range<usize> {
    match partial {
        Some(p) => {
            let start = (p.origin as usize).min(len);
            start..start.saturating_add(p.length.get() as usize).min(len)
        }
        None => 0..len,
    }
}

fn uid_set(uids: &[u32]) -> SequenceSet {
    SequenceSet::from_numbers(uids.iter().copied()).unwrap_or_else(SequenceSet::all)
}
