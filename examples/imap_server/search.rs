//! SEARCH over the selected mailbox: the keys of RFC 9051 §6.4.4 that a
//! small server can answer (flags, sizes, dates, header and body text,
//! sequence and UID sets, and NOT / OR / groups of them).

use mailwire_imap::command::SearchKey;
use mailwire_imap::datetime::Date;
use mailwire_mime::Message;

use crate::mailbox::Selected;
use crate::store::{MessageMeta, Store};

/// One message being tested, its bytes read when a key needs them.
struct Candidate<'a> {
    seq: u32,
    uid: u32,
    count: u32,
    largest_uid: u32,
    meta: &'a MessageMeta,
    bytes: Option<Vec<u8>>,
    load: &'a dyn Fn(u32) -> Vec<u8>,
}

impl Candidate<'_> {
    fn bytes(&mut self) -> &[u8] {
        if self.bytes.is_none() {
            self.bytes = Some((self.load)(self.uid));
        }
        self.bytes.as_deref().unwrap_or_default()
    }

    /// Whether header `name` (every field of that name) contains `needle`.
    fn header_contains(&mut self, name: &str, needle: &[u8]) -> bool {
        let msg = Message::parse_headers(self.bytes());
        // An empty string matches every message with the field.
        msg.headers().get_all(name).any(|f| contains(f.text().as_bytes(), needle))
    }

    fn body_contains(&mut self, needle: &[u8]) -> bool {
        let msg = Message::parse(self.bytes());
        msg.parts().iter().any(|p| !p.is_multipart() && contains(&p.decoded(), needle))
    }

    fn sent_date(&mut self) -> Option<Date> {
        let msg = Message::parse_headers(self.bytes());
        let d = msg.date()?;
        // The date as written in its own zone (RFC 9051: "disregarding time
        // and timezone").
        let local = d.timestamp + i64::from(d.offset_minutes) * 60;
        Some(mailwire_imap::datetime::DateTime::from_unix(local).date)
    }

    fn internal_date(&self) -> Date {
        mailwire_imap::datetime::DateTime::from_unix(self.meta.internal_date).date
    }
}

/// Case-insensitive (ASCII) substring test.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return true;
    }
    haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

fn eval(key: &SearchKey, c: &mut Candidate<'_>) -> bool {
    let f = &c.meta.flags;
    match key {
        SearchKey::All => true,
        SearchKey::Answered => f.answered,
        SearchKey::Unanswered => !f.answered,
        SearchKey::Deleted => f.deleted,
        SearchKey::Undeleted => !f.deleted,
        SearchKey::Draft => f.draft,
        SearchKey::Undraft => !f.draft,
        SearchKey::Flagged => f.flagged,
        SearchKey::Unflagged => !f.flagged,
        SearchKey::Seen => f.seen,
        SearchKey::Unseen => !f.seen,
        // Nothing is \Recent here (IMAP4rev2 dropped it).
        SearchKey::Recent | SearchKey::New => false,
        SearchKey::Old => true,
        SearchKey::Keyword(k) => f.keywords.contains(k.as_str()),
        SearchKey::Unkeyword(k) => !f.keywords.contains(k.as_str()),
        SearchKey::Larger(n) => c.meta.size > *n,
        SearchKey::Smaller(n) => c.meta.size < *n,
        SearchKey::Before(d) => c.internal_date() < *d,
        SearchKey::On(d) => c.internal_date() == *d,
        SearchKey::Since(d) => c.internal_date() >= *d,
        SearchKey::SentBefore(d) => c.sent_date().is_some_and(|s| s < *d),
        SearchKey::SentOn(d) => c.sent_date().is_some_and(|s| s == *d),
        SearchKey::SentSince(d) => c.sent_date().is_some_and(|s| s >= *d),
        SearchKey::From(s) => c.header_contains("From", s.as_bytes()),
        SearchKey::To(s) => c.header_contains("To", s.as_bytes()),
        SearchKey::Cc(s) => c.header_contains("Cc", s.as_bytes()),
        SearchKey::Bcc(s) => c.header_contains("Bcc", s.as_bytes()),
        SearchKey::Subject(s) => c.header_contains("Subject", s.as_bytes()),
        SearchKey::Header(name, value) => {
            let name = name.to_string_lossy().into_owned();
            c.header_contains(&name, value.as_bytes())
        }
        SearchKey::Body(s) => c.body_contains(s.as_bytes()),
        SearchKey::Text(s) => {
            let needle = s.as_bytes().to_vec();
            contains(c.bytes(), &needle) || c.body_contains(&needle)
        }
        SearchKey::Uid(set) => set.contains(c.uid, c.largest_uid),
        SearchKey::SequenceSet(set) => set.contains(c.seq, c.count),
        SearchKey::Not(k) => !eval(k, c),
        SearchKey::Or(a, b) => eval(a, c) || eval(b, c),
        SearchKey::And(keys) => keys.iter().all(|k| eval(k, c)),
        SearchKey::Older(secs) => now() - c.meta.internal_date > i64::from(*secs),
        SearchKey::Younger(secs) => now() - c.meta.internal_date <= i64::from(*secs),
        _ => false,
    }
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// The messages of `sel` matching every key: (sequence number, UID).
pub fn run(store: &Store, sel: &Selected, criteria: &[SearchKey]) -> Vec<(u32, u32)> {
    let Ok(snap) = store.snapshot(&sel.name) else { return Vec::new() };
    let load = |uid: u32| store.read(&sel.name, uid).unwrap_or_default();
    let count = sel.view.len() as u32;
    let largest_uid = sel.view.last().map_or(0, |e| e.uid);
    let mut out = Vec::new();
    for (i, entry) in sel.view.iter().enumerate() {
        let Some(meta) = snap.messages.iter().find(|m| m.uid == entry.uid) else { continue };
        let mut c = Candidate {
            seq: i as u32 + 1,
            uid: entry.uid,
            count,
            largest_uid,
            meta,
            bytes: None,
            load: &load,
        };
        if criteria.iter().all(|k| eval(k, &mut c)) {
            out.push((c.seq, c.uid));
        }
    }
    out
}
