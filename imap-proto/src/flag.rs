//! Message flags and mailbox attributes.

use bytes::Bytes;

use crate::encode::Writer;
use crate::lex::{Cursor, PResult};
use crate::string::Atom;

/// A message flag: a system flag, a keyword, or (in the places that allow
/// them) `\Recent` and `\*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Flag {
    /// `\Seen`.
    Seen,
    /// `\Answered`.
    Answered,
    /// `\Flagged`.
    Flagged,
    /// `\Deleted`.
    Deleted,
    /// `\Draft`.
    Draft,
    /// `\Recent` (IMAP4rev1 only; in FETCH FLAGS and FLAGS responses).
    Recent,
    /// `\*` in PERMANENTFLAGS: new keywords may be created.
    Wildcard,
    /// Another `\Name` flag (a future system flag).
    Extension(Atom),
    /// A keyword (`$Forwarded`, `$Junk`, `NonJunk` …).
    Keyword(Atom),
}

impl Flag {
    /// The flag named `name` (`"\\Seen"`, `"$Forwarded"`), if it is one.
    pub fn new(name: &str) -> Option<Flag> {
        let bytes = Bytes::copy_from_slice(name.as_bytes());
        if let Some(rest) = name.strip_prefix('\\') {
            if rest == "*" {
                return Some(Flag::Wildcard);
            }
            let atom = Atom::new(bytes.slice(1..)).ok()?;
            return Some(Flag::system(atom));
        }
        Atom::new(bytes).ok().map(Flag::Keyword)
    }

    fn system(name: Atom) -> Flag {
        let s = name.as_bytes();
        if s.eq_ignore_ascii_case(b"Seen") {
            Flag::Seen
        } else if s.eq_ignore_ascii_case(b"Answered") {
            Flag::Answered
        } else if s.eq_ignore_ascii_case(b"Flagged") {
            Flag::Flagged
        } else if s.eq_ignore_ascii_case(b"Deleted") {
            Flag::Deleted
        } else if s.eq_ignore_ascii_case(b"Draft") {
            Flag::Draft
        } else if s.eq_ignore_ascii_case(b"Recent") {
            Flag::Recent
        } else {
            Flag::Extension(name)
        }
    }

    /// The flag as written (`\Seen`, `$Forwarded`).
    pub fn to_wire(&self) -> String {
        match self {
            Flag::Seen => "\\Seen".into(),
            Flag::Answered => "\\Answered".into(),
            Flag::Flagged => "\\Flagged".into(),
            Flag::Deleted => "\\Deleted".into(),
            Flag::Draft => "\\Draft".into(),
            Flag::Recent => "\\Recent".into(),
            Flag::Wildcard => "\\*".into(),
            Flag::Extension(a) => format!("\\{a}"),
            Flag::Keyword(a) => a.as_str().to_owned(),
        }
    }

    /// The flag's character in a Maildir file name (`S`, `R`, `F`, `T`,
    /// `D`), for the five system flags that have one.
    pub fn maildir_char(&self) -> Option<char> {
        Some(match self {
            Flag::Seen => 'S',
            Flag::Answered => 'R',
            Flag::Flagged => 'F',
            Flag::Deleted => 'T',
            Flag::Draft => 'D',
            _ => return None,
        })
    }

    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<Flag> {
        if c.eat(b'\\') {
            if c.eat(b'*') {
                return Ok(Flag::Wildcard);
            }
            return Ok(Flag::system(c.atom("flag")?));
        }
        Ok(Flag::Keyword(c.atom("flag-keyword")?))
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        match self {
            Flag::Seen => w.raw(b"\\Seen"),
            Flag::Answered => w.raw(b"\\Answered"),
            Flag::Flagged => w.raw(b"\\Flagged"),
            Flag::Deleted => w.raw(b"\\Deleted"),
            Flag::Draft => w.raw(b"\\Draft"),
            Flag::Recent => w.raw(b"\\Recent"),
            Flag::Wildcard => w.raw(b"\\*"),
            Flag::Extension(a) => w.byte(b'\\').raw(a.as_bytes()),
            Flag::Keyword(a) => w.raw(a.as_bytes()),
        };
    }

    /// `flag-list`: `"(" [flag *(SP flag)] ")"`.
    pub(crate) fn parse_list(c: &mut Cursor<'_>) -> PResult<Vec<Flag>> {
        c.paren_list("flag-list", true, Flag::parse)
    }

    /// Writes a `flag-list`.
    pub(crate) fn encode_list(flags: &[Flag], w: &mut Writer) {
        w.list(flags, |w, f| f.encode(w));
    }
}

/// A mailbox attribute in a LIST or LSUB response (RFC 9051 `mbx-list-flags`,
/// RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MailboxAttribute {
    /// `\Noinferiors`: no child mailboxes can exist.
    NoInferiors,
    /// `\Noselect`: cannot be selected.
    NoSelect,
    /// `\Marked`.
    Marked,
    /// `\Unmarked`.
    Unmarked,
    /// `\NonExistent` (RFC 5258).
    NonExistent,
    /// `\Subscribed` (RFC 5258).
    Subscribed,
    /// `\Remote` (RFC 5258).
    Remote,
    /// `\HasChildren` (RFC 5258).
    HasChildren,
    /// `\HasNoChildren` (RFC 5258).
    HasNoChildren,
    /// `\All` (RFC 6154).
    All,
    /// `\Archive` (RFC 6154).
    Archive,
    /// `\Drafts` (RFC 6154).
    Drafts,
    /// `\Flagged` (RFC 6154).
    Flagged,
    /// `\Junk` (RFC 6154).
    Junk,
    /// `\Sent` (RFC 6154).
    Sent,
    /// `\Trash` (RFC 6154).
    Trash,
    /// `\Important` (RFC 8457).
    Important,
    /// Any other `\Name`.
    Other(Atom),
}

const ATTRIBUTES: &[(&str, MailboxAttribute)] = &[
    ("Noinferiors", MailboxAttribute::NoInferiors),
    ("Noselect", MailboxAttribute::NoSelect),
    ("Marked", MailboxAttribute::Marked),
    ("Unmarked", MailboxAttribute::Unmarked),
    ("NonExistent", MailboxAttribute::NonExistent),
    ("Subscribed", MailboxAttribute::Subscribed),
    ("Remote", MailboxAttribute::Remote),
    ("HasChildren", MailboxAttribute::HasChildren),
    ("HasNoChildren", MailboxAttribute::HasNoChildren),
    ("All", MailboxAttribute::All),
    ("Archive", MailboxAttribute::Archive),
    ("Drafts", MailboxAttribute::Drafts),
    ("Flagged", MailboxAttribute::Flagged),
    ("Junk", MailboxAttribute::Junk),
    ("Sent", MailboxAttribute::Sent),
    ("Trash", MailboxAttribute::Trash),
    ("Important", MailboxAttribute::Important),
];

impl MailboxAttribute {
    /// The attribute's name without the backslash.
    pub fn name(&self) -> &str {
        match self {
            MailboxAttribute::Other(a) => a.as_str(),
            known => ATTRIBUTES.iter().find(|(_, a)| a == known).map(|(n, _)| *n).unwrap_or(""),
        }
    }

    /// Whether this is one of RFC 6154's special-use attributes.
    pub fn is_special_use(&self) -> bool {
        use MailboxAttribute::*;
        matches!(self, All | Archive | Drafts | Flagged | Junk | Sent | Trash | Important)
    }

    /// The attribute named `name` (without the backslash; any case).
    pub fn from_name(name: &str) -> Option<MailboxAttribute> {
        let atom = Atom::new(Bytes::copy_from_slice(name.as_bytes())).ok()?;
        Some(Self::from_atom(atom))
    }

    fn from_atom(atom: Atom) -> MailboxAttribute {
        ATTRIBUTES
            .iter()
            .find(|(n, _)| atom.eq_ignore_case(n))
            .map(|(_, a)| a.clone())
            .unwrap_or(MailboxAttribute::Other(atom))
    }

    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<MailboxAttribute> {
        c.expect(b'\\', "mbx-list-flag", "'\\'")?;
        Ok(Self::from_atom(c.atom("mbx-list-flag")?))
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.byte(b'\\').raw(self.name().as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(Flag::new("\\seen"), Some(Flag::Seen));
        assert_eq!(Flag::new("$Forwarded").unwrap().to_wire(), "$Forwarded");
        assert_eq!(Flag::new("\\*"), Some(Flag::Wildcard));
        assert_eq!(Flag::new("two words"), None);
        assert_eq!(MailboxAttribute::from_name("haschildren"), Some(MailboxAttribute::HasChildren));
        assert!(MailboxAttribute::Sent.is_special_use());
    }
}
