//! STATUS items (RFC 9051 §6.3.11, and the extensions' additions).

use crate::encode::Writer;
use crate::error::ErrorKind;
use crate::lex::{Cursor, PResult};

/// A STATUS data item name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusItem {
    /// `MESSAGES`: the number of messages.
    Messages,
    /// `RECENT` (IMAP4rev1).
    Recent,
    /// `UIDNEXT`.
    UidNext,
    /// `UIDVALIDITY`.
    UidValidity,
    /// `UNSEEN`: messages without `\Seen`.
    Unseen,
    /// `DELETED` (IMAP4rev2): messages with `\Deleted`.
    Deleted,
    /// `DELETED-STORAGE` (RFC 9208): octets that expunging would free.
    DeletedStorage,
    /// `SIZE` (RFC 8438): the total size in octets.
    Size,
    /// `HIGHESTMODSEQ` (RFC 7162).
    HighestModSeq,
    /// `APPENDLIMIT` (RFC 7889).
    AppendLimit,
    /// `MAILBOXID` (RFC 8474).
    MailboxId,
}

const NAMES: &[(&str, StatusItem)] = &[
    ("MESSAGES", StatusItem::Messages),
    ("RECENT", StatusItem::Recent),
    ("UIDNEXT", StatusItem::UidNext),
    ("UIDVALIDITY", StatusItem::UidValidity),
    ("UNSEEN", StatusItem::Unseen),
    ("DELETED", StatusItem::Deleted),
    ("DELETED-STORAGE", StatusItem::DeletedStorage),
    ("SIZE", StatusItem::Size),
    ("HIGHESTMODSEQ", StatusItem::HighestModSeq),
    ("APPENDLIMIT", StatusItem::AppendLimit),
    ("MAILBOXID", StatusItem::MailboxId),
];

impl StatusItem {
    /// The item's name.
    pub fn name(self) -> &'static str {
        NAMES.iter().find(|(_, i)| *i == self).map(|(n, _)| *n).unwrap_or("")
    }

    /// The item with this name (any case).
    pub fn from_name(name: &[u8]) -> Option<StatusItem> {
        NAMES.iter().find(|(n, _)| name.eq_ignore_ascii_case(n.as_bytes())).map(|(_, i)| *i)
    }

    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<StatusItem> {
        let start = c.pos();
        let word = c.keyword();
        StatusItem::from_name(word)
            .ok_or_else(|| crate::error::ParseError::new(start, "status-att", ErrorKind::UnknownKeyword))
    }

    pub(crate) fn encode(self, w: &mut Writer) {
        w.raw(self.name().as_bytes());
    }
}
