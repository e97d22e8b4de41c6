//! Capabilities (RFC 9051 §7.2.2 and the extensions that add them).

use std::fmt;

use bytes::Bytes;

use crate::encode::Writer;
use crate::lex::{Cursor, PResult};
use crate::string::Atom;

/// One capability a server announces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// `IMAP4rev1` (RFC 3501).
    Imap4rev1,
    /// `IMAP4rev2` (RFC 9051).
    Imap4rev2,
    /// `AUTH=<mechanism>`.
    Auth(Atom),
    /// `STARTTLS`.
    StartTls,
    /// `LOGINDISABLED`: LOGIN is refused (until TLS).
    LoginDisabled,
    /// `SASL-IR` (RFC 4959): AUTHENTICATE with an initial response.
    SaslIr,
    /// `IDLE` (RFC 2177).
    Idle,
    /// `LITERAL+` (RFC 7888).
    LiteralPlus,
    /// `LITERAL-` (RFC 7888).
    LiteralMinus,
    /// `ENABLE` (RFC 5161).
    Enable,
    /// `NAMESPACE` (RFC 2342).
    Namespace,
    /// `ID` (RFC 2971).
    Id,
    /// `UIDPLUS` (RFC 4315).
    UidPlus,
    /// `MOVE` (RFC 6851).
    Move,
    /// `CONDSTORE` (RFC 7162).
    CondStore,
    /// `QRESYNC` (RFC 7162).
    QResync,
    /// `ESEARCH` (RFC 4731).
    ESearch,
    /// `SEARCHRES` (RFC 5182).
    SearchRes,
    /// `SORT` (RFC 5256).
    Sort,
    /// `THREAD=<algorithm>` (RFC 5256).
    Thread(Atom),
    /// `LIST-EXTENDED` (RFC 5258).
    ListExtended,
    /// `LIST-STATUS` (RFC 5819).
    ListStatus,
    /// `SPECIAL-USE` (RFC 6154).
    SpecialUse,
    /// `CREATE-SPECIAL-USE` (RFC 6154).
    CreateSpecialUse,
    /// `CHILDREN` (RFC 3348).
    Children,
    /// `QUOTA` (RFC 2087 / RFC 9208).
    Quota,
    /// `METADATA` (RFC 5464).
    Metadata,
    /// `METADATA-SERVER` (RFC 5464).
    MetadataServer,
    /// `UNSELECT` (RFC 3691).
    Unselect,
    /// `COMPRESS=<algorithm>` (RFC 4978).
    Compress(Atom),
    /// `APPENDLIMIT` or `APPENDLIMIT=<n>` (RFC 7889).
    AppendLimit(Option<u64>),
    /// `BINARY` (RFC 3516).
    Binary,
    /// `UTF8=ACCEPT` (RFC 6855).
    Utf8Accept,
    /// `UTF8=ONLY` (RFC 6855).
    Utf8Only,
    /// `X-GM-EXT-1`: Gmail's labels, message and thread ids.
    XGmExt1,
    /// Any other capability.
    Other(Atom),
}

const SIMPLE: &[(&str, Capability)] = &[
    ("IMAP4rev1", Capability::Imap4rev1),
    ("IMAP4rev2", Capability::Imap4rev2),
    ("STARTTLS", Capability::StartTls),
    ("LOGINDISABLED", Capability::LoginDisabled),
    ("SASL-IR", Capability::SaslIr),
    ("IDLE", Capability::Idle),
    ("LITERAL+", Capability::LiteralPlus),
    ("LITERAL-", Capability::LiteralMinus),
    ("ENABLE", Capability::Enable),
    ("NAMESPACE", Capability::Namespace),
    ("ID", Capability::Id),
    ("UIDPLUS", Capability::UidPlus),
    ("MOVE", Capability::Move),
    ("CONDSTORE", Capability::CondStore),
    ("QRESYNC", Capability::QResync),
    ("ESEARCH", Capability::ESearch),
    ("SEARCHRES", Capability::SearchRes),
    ("SORT", Capability::Sort),
    ("LIST-EXTENDED", Capability::ListExtended),
    ("LIST-STATUS", Capability::ListStatus),
    ("SPECIAL-USE", Capability::SpecialUse),
    ("CREATE-SPECIAL-USE", Capability::CreateSpecialUse),
    ("CHILDREN", Capability::Children),
    ("QUOTA", Capability::Quota),
    ("METADATA", Capability::Metadata),
    ("METADATA-SERVER", Capability::MetadataServer),
    ("UNSELECT", Capability::Unselect),
    ("APPENDLIMIT", Capability::AppendLimit(None)),
    ("BINARY", Capability::Binary),
    ("UTF8=ACCEPT", Capability::Utf8Accept),
    ("UTF8=ONLY", Capability::Utf8Only),
    ("X-GM-EXT-1", Capability::XGmExt1),
];

impl Capability {
    /// The capability named by `atom` (any case).
    pub fn from_atom(atom: Atom) -> Capability {
        let s = atom.as_bytes();
        if let Some((_, cap)) = SIMPLE.iter().find(|(n, _)| s.eq_ignore_ascii_case(n.as_bytes())) {
            return cap.clone();
        }
        let sub = |prefix: &str| -> Option<Atom> {
            let p = prefix.len();
            (s.len() > p && s[..p].eq_ignore_ascii_case(prefix.as_bytes()))
                .then(|| Atom::unchecked(Bytes::copy_from_slice(&s[p..])))
        };
        if let Some(m) = sub("AUTH=") {
            return Capability::Auth(m);
        }
        if let Some(a) = sub("THREAD=") {
            return Capability::Thread(a);
        }
        if let Some(a) = sub("COMPRESS=") {
            return Capability::Compress(a);
        }
        if let Some(n) = sub("APPENDLIMIT=") {
            if let Ok(n) = n.as_str().parse() {
                return Capability::AppendLimit(Some(n));
            }
        }
        Capability::Other(atom)
    }

    /// The capability named `name`, if `name` is an atom.
    pub fn new(name: &str) -> Option<Capability> {
        Atom::try_from(name).ok().map(Capability::from_atom)
    }

    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<Capability> {
        Ok(Capability::from_atom(c.atom("capability")?))
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.raw(self.to_string().as_bytes());
    }

    /// `capability-data` after `CAPABILITY`: `*(SP capability)` (at the
    /// first SP).
    pub(crate) fn parse_list(c: &mut Cursor<'_>) -> PResult<Vec<Capability>> {
        let mut caps = Vec::new();
        while c.eat(b' ') {
            if c.at_line_end() || c.peek() == Some(b']') {
                break; // a trailing space, as some servers send
            }
            let cap = Capability::parse(c)?;
            c.push(&mut caps, cap, "capability-data")?;
        }
        Ok(caps)
    }

    /// Writes each capability preceded by a space.
    pub(crate) fn encode_list(caps: &[Capability], w: &mut Writer) {
        for cap in caps {
            w.sp();
            cap.encode(w);
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Capability::Auth(m) => write!(f, "AUTH={m}"),
            Capability::Thread(a) => write!(f, "THREAD={a}"),
            Capability::Compress(a) => write!(f, "COMPRESS={a}"),
            Capability::AppendLimit(Some(n)) => write!(f, "APPENDLIMIT={n}"),
            Capability::Other(a) => f.write_str(a.as_str()),
            simple => {
                let name = SIMPLE.iter().find(|(_, c)| c == simple).map(|(n, _)| *n).unwrap_or("");
                f.write_str(name)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(Capability::new("imap4REV1"), Some(Capability::Imap4rev1));
        assert_eq!(Capability::new("AUTH=PLAIN").unwrap().to_string(), "AUTH=PLAIN");
        assert_eq!(Capability::new("APPENDLIMIT=35651584"), Some(Capability::AppendLimit(Some(35_651_584))));
        assert_eq!(Capability::new("THREAD=REFERENCES").unwrap().to_string(), "THREAD=REFERENCES");
        assert_eq!(Capability::new("XLIST").unwrap().to_string(), "XLIST");
        assert_eq!(Capability::new("LITERAL+"), Some(Capability::LiteralPlus));
    }
}
