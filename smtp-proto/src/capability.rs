//! ESMTP capabilities: what a server's reply to `EHLO` advertises
//! (RFC 5321 section 4.1.1.1), read into typed values and written back.
//!
//! The first line of the reply is the server's domain and an optional
//! greeting; each later line is a keyword with parameters. Keywords are
//! matched without regard to case. The extensions known by name are SIZE
//! (RFC 1870), PIPELINING (RFC 2920), 8BITMIME (RFC 6152), SMTPUTF8
//! (RFC 6531), STARTTLS (RFC 3207), AUTH (RFC 4954), CHUNKING and BINARYMIME
//! (RFC 3030), DSN (RFC 3461), ENHANCEDSTATUSCODES (RFC 2034), REQUIRETLS
//! (RFC 8689), MT-PRIORITY (RFC 6710), FUTURERELEASE (RFC 4865), DELIVERBY
//! (RFC 2852), and RFC 5321's HELP, VRFY and EXPN, and ETRN (RFC 1985); any
//! other keyword is kept as [`Capability::Other`].
//!
//! ```
//! use mailwire_smtp::capability::{Capabilities, CapabilityKind};
//! use mailwire_smtp::reply::Reply;
//!
//! let ehlo = b"250-mx.example.com at your service\r\n250-SIZE 35882577\r\n\
//!              250-AUTH=LOGIN\r\n250-auth plain login\r\n250 PIPELINING\r\n";
//! let (reply, _) = Reply::parse(ehlo).unwrap();
//! let caps = Capabilities::from_reply(&reply).unwrap();
//! assert_eq!(caps.domain, "mx.example.com");
//! assert_eq!(caps.size(), Some(35882577));
//! assert_eq!(caps.auth_mechanisms(), ["LOGIN", "PLAIN"]);
//! assert!(caps.supports_pipelining() && !caps.has(CapabilityKind::StartTls));
//!
//! // A server writes its own:
//! let reply = caps.to_reply("mx.example.org", Some("Hello"));
//! assert_eq!(
//!     reply.to_bytes(),
//!     b"250-mx.example.org Hello\r\n250-SIZE 35882577\r\n250-AUTH LOGIN PLAIN\r\n250 PIPELINING\r\n"
//! );
//! ```
//!
//! Parameters that a known keyword's grammar does not allow (`SIZE abc`,
//! `FUTURERELEASE` without its two values) make the line an `Other`, so
//! nothing is misread and nothing is lost; for keywords that take no
//! parameters, stray ones are ignored (RFC 6531 requires that for SMTPUTF8).

use std::borrow::Cow;
use std::fmt;

use mailwire_sasl::Mechanism;

use crate::reply::{Reply, ReplyCode, ReplyError, ReplyLimits, scan_reply};

/// One extension advertised in an EHLO reply.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Capability {
    /// `SIZE [max]` (RFC 1870): the largest message the server accepts, in
    /// bytes. `Some(0)` means the server declares no fixed maximum; `None` that
    /// it gave no number.
    Size(Option<u64>),
    /// `PIPELINING` (RFC 2920): commands may be sent in batches.
    Pipelining,
    /// `8BITMIME` (RFC 6152): `BODY=8BITMIME` is accepted.
    EightBitMime,
    /// `SMTPUTF8` (RFC 6531): UTF-8 addresses and headers.
    SmtpUtf8,
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `AUTH mech...` (RFC 4954), mechanism names in upper case. The obsolete
    /// `AUTH=mech...` form that old Microsoft servers send is merged into it.
    /// The names of the mechanisms [`Mechanism::ALL`] lists are borrowed from
    /// it (no allocation for the usual ones); others are owned.
    Auth(Vec<Cow<'static, str>>),
    /// `CHUNKING` (RFC 3030): the `BDAT` command.
    Chunking,
    /// `BINARYMIME` (RFC 3030): `BODY=BINARYMIME` with `BDAT`.
    BinaryMime,
    /// `DSN` (RFC 3461): delivery status notification parameters.
    Dsn,
    /// `ENHANCEDSTATUSCODES` (RFC 2034): replies carry enhanced status codes.
    EnhancedStatusCodes,
    /// `REQUIRETLS` (RFC 8689).
    RequireTls,
    /// `MT-PRIORITY [policy]` (RFC 6710), e.g. `MIXER`, `STANAG4406`, `NSEP`.
    MtPriority(Option<String>),
    /// `FUTURERELEASE max-interval max-datetime` (RFC 4865).
    FutureRelease {
        /// The longest hold, in seconds.
        max_interval: u64,
        /// The latest release time, as the server wrote it (an RFC 3339 date-time).
        max_datetime: String,
    },
    /// `DELIVERBY [min-by-time]` (RFC 2852): the shortest by-time accepted, in seconds.
    DeliverBy(Option<u64>),
    /// `HELP` (RFC 5321).
    Help,
    /// `VRFY` (RFC 5321).
    Vrfy,
    /// `EXPN` (RFC 5321).
    Expn,
    /// `ETRN` (RFC 1985).
    Etrn,
    /// Any other keyword (upper-cased), or a known one with parameters it does
    /// not allow, with its parameters as sent.
    Other {
        /// The keyword, upper-cased.
        keyword: String,
        /// The parameters, split at spaces.
        params: Vec<String>,
    },
}

/// Which extension a [`Capability`] is, without its parameters: the argument
/// of [`Capabilities::has`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // Each variant is the `Capability` of the same name.
pub enum CapabilityKind {
    Size,
    Pipelining,
    EightBitMime,
    SmtpUtf8,
    StartTls,
    Auth,
    Chunking,
    BinaryMime,
    Dsn,
    EnhancedStatusCodes,
    RequireTls,
    MtPriority,
    FutureRelease,
    DeliverBy,
    Help,
    Vrfy,
    Expn,
    Etrn,
    /// Any [`Capability::Other`]; use [`Capabilities::has_keyword`] to ask for one.
    Other,
}

impl CapabilityKind {
    /// The EHLO keyword (`"8BITMIME"`), or `None` for `Other`.
    pub const fn keyword(self) -> Option<&'static str> {
        Some(match self {
            CapabilityKind::Size => "SIZE",
            CapabilityKind::Pipelining => "PIPELINING",
            CapabilityKind::EightBitMime => "8BITMIME",
            CapabilityKind::SmtpUtf8 => "SMTPUTF8",
            CapabilityKind::StartTls => "STARTTLS",
            CapabilityKind::Auth => "AUTH",
            CapabilityKind::Chunking => "CHUNKING",
            CapabilityKind::BinaryMime => "BINARYMIME",
            CapabilityKind::Dsn => "DSN",
            CapabilityKind::EnhancedStatusCodes => "ENHANCEDSTATUSCODES",
            CapabilityKind::RequireTls => "REQUIRETLS",
            CapabilityKind::MtPriority => "MT-PRIORITY",
            CapabilityKind::FutureRelease => "FUTURERELEASE",
            CapabilityKind::DeliverBy => "DELIVERBY",
            CapabilityKind::Help => "HELP",
            CapabilityKind::Vrfy => "VRFY",
            CapabilityKind::Expn => "EXPN",
            CapabilityKind::Etrn => "ETRN",
            CapabilityKind::Other => return None,
        })
    }

    /// The kind whose keyword this is (any case), or `Other`.
    pub fn from_keyword(keyword: &str) -> CapabilityKind {
        kind_of(keyword.as_bytes())
    }
}

/// [`CapabilityKind::from_keyword`] on bytes. Servers send the keywords
/// in upper case: those match as they are; others are upper-cased first.
fn kind_of(keyword: &[u8]) -> CapabilityKind {
    match kind_of_upper(keyword) {
        CapabilityKind::Other if keyword.iter().any(u8::is_ascii_lowercase) => {
            let mut buf = [0u8; "ENHANCEDSTATUSCODES".len()];
            if keyword.len() > buf.len() {
                return CapabilityKind::Other;
            }
            for (to, from) in buf.iter_mut().zip(keyword) {
                *to = from.to_ascii_uppercase();
            }
            kind_of_upper(&buf[..keyword.len()])
        }
        kind => kind,
    }
}

/// The kind whose upper-case keyword this is, or `Other`. Inlined so that
/// a `match` on the result (as in [`bare`]) folds into this one.
#[inline(always)]
fn kind_of_upper(keyword: &[u8]) -> CapabilityKind {
    use CapabilityKind as K;
    match keyword {
        b"SIZE" => K::Size,
        b"PIPELINING" => K::Pipelining,
        b"8BITMIME" => K::EightBitMime,
        b"SMTPUTF8" => K::SmtpUtf8,
        b"STARTTLS" => K::StartTls,
        b"AUTH" => K::Auth,
        b"CHUNKING" => K::Chunking,
        b"BINARYMIME" => K::BinaryMime,
        b"DSN" => K::Dsn,
        b"ENHANCEDSTATUSCODES" => K::EnhancedStatusCodes,
        b"REQUIRETLS" => K::RequireTls,
        b"MT-PRIORITY" => K::MtPriority,
        b"FUTURERELEASE" => K::FutureRelease,
        b"DELIVERBY" => K::DeliverBy,
        b"HELP" => K::Help,
        b"VRFY" => K::Vrfy,
        b"EXPN" => K::Expn,
        b"ETRN" => K::Etrn,
        _ => K::Other,
    }
}

/// A decimal number of digits only that fits in `u64`.
fn number(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u64, |n, &b| {
        if !b.is_ascii_digit() {
            return None;
        }
        n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    })
}

/// Text from the wire, with U+FFFD for what is not UTF-8.
fn lossy(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Takes the first word off `rest`: the bytes up to the next ASCII white
/// space, after any at the start (as `str::split_ascii_whitespace` splits).
/// `None` when only white space is left.
fn next_word<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let start = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    let from_start = &rest[start..];
    let len = from_start.iter().position(u8::is_ascii_whitespace).unwrap_or(from_start.len());
    let (word, tail) = from_start.split_at(len);
    *rest = tail;
    Some(word)
}

/// [`lossy`], upper-cased.
fn upper(bytes: &[u8]) -> String {
    let mut s = lossy(bytes);
    s.make_ascii_uppercase();
    s
}

impl Capability {
    /// Reads one line of an EHLO reply (after the first): a keyword and its
    /// parameters, separated by spaces. Returns `None` for a blank line.
    pub fn parse_line(line: &str) -> Option<Capability> {
        Capability::parse_bytes(line.as_bytes())
    }

    /// [`parse_line`](Self::parse_line) on the line as received: what is not
    /// UTF-8 in the text kept becomes U+FFFD.
    fn parse_bytes(line: &[u8]) -> Option<Capability> {
        // Most lines are one upper-case keyword and nothing else.
        let kind = kind_of_upper(line);
        if kind != CapabilityKind::Other {
            return Some(Capability::from_kind(kind, line, &[] as &[&[u8]]));
        }
        let mut rest = line;
        let keyword = next_word(&mut rest)?;
        // Most lines have at most a few parameters: no allocation for those.
        let mut few: [&[u8]; 4] = [&[]; 4];
        let mut n = 0;
        while let Some(word) = next_word(&mut rest) {
            if n == few.len() {
                let mut all: Vec<&[u8]> = few.to_vec();
                all.push(word);
                while let Some(word) = next_word(&mut rest) {
                    all.push(word);
                }
                return Some(Capability::from_words(keyword, &all));
            }
            few[n] = word;
            n += 1;
        }
        Some(Capability::from_words(keyword, &few[..n]))
    }

    /// The capability for a keyword (any case) and its parameters.
    pub fn from_parts(keyword: &str, params: &[&str]) -> Capability {
        Capability::from_words(keyword.as_bytes(), params)
    }

    /// [`from_parts`](Self::from_parts) on bytes.
    fn from_words<P: AsRef<[u8]>>(keyword: &[u8], params: &[P]) -> Capability {
        if keyword.len() > 5 && keyword[..5].eq_ignore_ascii_case(b"AUTH=") {
            // `AUTH=LOGIN PLAIN`: the first mechanism is glued to the keyword.
            return auth(Some(&keyword[5..]), params);
        }
        Capability::from_kind(kind_of(keyword), keyword, params)
    }

    /// The capability of a kind of keyword, with its parameters.
    fn from_kind<P: AsRef<[u8]>>(kind: CapabilityKind, keyword: &[u8], params: &[P]) -> Capability {
        let other = || Capability::Other {
            keyword: upper(keyword),
            params: params.iter().map(|p| lossy(p.as_ref())).collect(),
        };
        match (kind, params) {
            (CapabilityKind::Size, []) => Capability::Size(None),
            (CapabilityKind::Size, [n]) => {
                number(n.as_ref()).map_or_else(other, |n| Capability::Size(Some(n)))
            }
            (CapabilityKind::DeliverBy, []) => Capability::DeliverBy(None),
            (CapabilityKind::DeliverBy, [n]) => {
                number(n.as_ref()).map_or_else(other, |n| Capability::DeliverBy(Some(n)))
            }
            (CapabilityKind::MtPriority, []) => Capability::MtPriority(None),
            (CapabilityKind::MtPriority, [p]) => Capability::MtPriority(Some(lossy(p.as_ref()))),
            (CapabilityKind::FutureRelease, [interval, datetime]) => match number(interval.as_ref()) {
                Some(max_interval) => {
                    Capability::FutureRelease { max_interval, max_datetime: lossy(datetime.as_ref()) }
                }
                None => other(),
            },
            (CapabilityKind::Auth, _) => auth(None, params),
            (CapabilityKind::Pipelining, _) => Capability::Pipelining,
            (CapabilityKind::EightBitMime, _) => Capability::EightBitMime,
            (CapabilityKind::SmtpUtf8, _) => Capability::SmtpUtf8,
            (CapabilityKind::StartTls, _) => Capability::StartTls,
            (CapabilityKind::Chunking, _) => Capability::Chunking,
            (CapabilityKind::BinaryMime, _) => Capability::BinaryMime,
            (CapabilityKind::Dsn, _) => Capability::Dsn,
            (CapabilityKind::EnhancedStatusCodes, _) => Capability::EnhancedStatusCodes,
            (CapabilityKind::RequireTls, _) => Capability::RequireTls,
            (CapabilityKind::Help, _) => Capability::Help,
            (CapabilityKind::Vrfy, _) => Capability::Vrfy,
            (CapabilityKind::Expn, _) => Capability::Expn,
            (CapabilityKind::Etrn, _) => Capability::Etrn,
            _ => other(),
        }
    }

    /// Which extension this is.
    pub fn kind(&self) -> CapabilityKind {
        match self {
            Capability::Size(_) => CapabilityKind::Size,
            Capability::Pipelining => CapabilityKind::Pipelining,
            Capability::EightBitMime => CapabilityKind::EightBitMime,
            Capability::SmtpUtf8 => CapabilityKind::SmtpUtf8,
            Capability::StartTls => CapabilityKind::StartTls,
            Capability::Auth(_) => CapabilityKind::Auth,
            Capability::Chunking => CapabilityKind::Chunking,
            Capability::BinaryMime => CapabilityKind::BinaryMime,
            Capability::Dsn => CapabilityKind::Dsn,
            Capability::EnhancedStatusCodes => CapabilityKind::EnhancedStatusCodes,
            Capability::RequireTls => CapabilityKind::RequireTls,
            Capability::MtPriority(_) => CapabilityKind::MtPriority,
            Capability::FutureRelease { .. } => CapabilityKind::FutureRelease,
            Capability::DeliverBy(_) => CapabilityKind::DeliverBy,
            Capability::Help => CapabilityKind::Help,
            Capability::Vrfy => CapabilityKind::Vrfy,
            Capability::Expn => CapabilityKind::Expn,
            Capability::Etrn => CapabilityKind::Etrn,
            Capability::Other { .. } => CapabilityKind::Other,
        }
    }

    /// The EHLO keyword, upper-case (`"SIZE"`, or an `Other`'s own).
    pub fn keyword(&self) -> &str {
        match self {
            Capability::Other { keyword, .. } => keyword,
            known => known.kind().keyword().unwrap_or_default(),
        }
    }
}

impl fmt::Display for Capability {
    /// The capability as an EHLO line's text: `SIZE 10240000`, `AUTH PLAIN LOGIN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())?;
        match self {
            Capability::Size(Some(n)) | Capability::DeliverBy(Some(n)) => write!(f, " {n}"),
            Capability::MtPriority(Some(p)) => write!(f, " {p}"),
            Capability::FutureRelease { max_interval, max_datetime } => {
                write!(f, " {max_interval} {max_datetime}")
            }
            Capability::Auth(mechs) => mechs.iter().try_for_each(|m| write!(f, " {m}")),
            Capability::Other { params, .. } => params.iter().try_for_each(|p| write!(f, " {p}")),
            _ => Ok(()),
        }
    }
}

/// What an EHLO reply says: the server's domain, its greeting, and its
/// extensions in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// The domain (or address literal) on the first line.
    pub domain: String,
    /// The rest of the first line, if any (`"at your service, [192.0.2.1]"`).
    pub text: Option<String>,
    /// The extensions. All AUTH lines are merged into one [`Capability::Auth`],
    /// at the place of the first.
    pub list: Vec<Capability>,
}

impl Capabilities {
    /// An empty set for `domain`, to fill with [`push`](Self::push).
    pub fn new(domain: impl Into<String>) -> Self {
        Capabilities { domain: domain.into(), text: None, list: Vec::new() }
    }

    /// Reads an EHLO reply. Fails only when it is not a 250 reply.
    pub fn from_reply(reply: &Reply) -> Result<Self, CapabilityError> {
        if reply.code != ReplyCode::OK {
            return Err(CapabilityError::NotAccepted { code: reply.code });
        }
        let mut caps =
            Capabilities { list: Vec::with_capacity(reply.line_count()), ..Capabilities::default() };
        let mut lines = reply.lines();
        caps.set_greeting(lines.next().unwrap_or_default().as_bytes());
        for line in lines {
            caps.add_line(line.as_bytes());
        }
        Ok(caps)
    }

    /// Parses an EHLO reply from bytes, as [`Reply::parse`] does, straight
    /// into capabilities (without building the [`Reply`]); returns them and
    /// how many bytes the reply took.
    pub fn parse(input: &[u8]) -> Result<(Self, usize), CapabilityError> {
        let mut caps = Capabilities::default();
        let (code, _, used) = scan_reply(input, &ReplyLimits::DEFAULT, |text, first, _| {
            if first {
                caps.set_greeting(text);
                // Room for a typical EHLO reply.
                caps.list = Vec::with_capacity(12);
            } else {
                caps.add_line(text);
            }
        })
        .map_err(CapabilityError::Reply)?;
        if code != ReplyCode::OK {
            return Err(CapabilityError::NotAccepted { code });
        }
        Ok((caps, used))
    }

    /// Reads the first line: the domain, then the optional greeting text,
    /// separated by spaces or tabs.
    fn set_greeting(&mut self, first: &[u8]) {
        let first = trim_blanks_start(trim_blanks_end(first));
        let (domain, text) = match first.iter().position(|&b| b <= b' ' && is_blank(b)) {
            Some(i) => {
                let text = trim_blanks_start(&first[i + 1..]);
                (&first[..i], (!text.is_empty()).then(|| lossy(text)))
            }
            None => (first, None),
        };
        self.domain = lossy(domain);
        self.text = text;
    }

    /// Reads a line after the first.
    #[inline]
    fn add_line(&mut self, line: &[u8]) {
        // Most lines are one keyword in upper case, without parameters.
        if let Some(cap) = bare(kind_of_upper(line)) {
            self.list.push(cap);
        } else if let Some(cap) = Capability::parse_bytes(line) {
            self.push(cap);
        }
    }

    /// Adds an extension; AUTH mechanisms join an AUTH already there (each
    /// mechanism once).
    #[inline]
    pub fn push(&mut self, cap: Capability) {
        let Capability::Auth(mut mechs) = cap else {
            self.list.push(cap);
            return;
        };
        if let Some(Capability::Auth(have)) = self.list.iter_mut().find(|c| matches!(c, Capability::Auth(_)))
        {
            for m in mechs {
                if !have.contains(&m) {
                    have.push(m);
                }
            }
        } else {
            // Each mechanism once, in the order of their first mention.
            let mut k = 0;
            while k < mechs.len() {
                if mechs[..k].contains(&mechs[k]) {
                    mechs.remove(k);
                } else {
                    k += 1;
                }
            }
            self.list.push(Capability::Auth(mechs));
        }
    }

    /// The first extension of this kind.
    pub fn get(&self, kind: CapabilityKind) -> Option<&Capability> {
        self.list.iter().find(|c| c.kind() == kind)
    }

    /// True when an extension of this kind is advertised.
    pub fn has(&self, kind: CapabilityKind) -> bool {
        self.get(kind).is_some()
    }

    /// True when a keyword (any case) is advertised, known or not
    /// (`has_keyword("XCLIENT")`).
    pub fn has_keyword(&self, keyword: &str) -> bool {
        self.list.iter().any(|c| c.keyword().eq_ignore_ascii_case(keyword))
    }

    /// The parameters of an unknown keyword (any case), if advertised.
    pub fn other_params(&self, keyword: &str) -> Option<&[String]> {
        self.list.iter().find_map(|c| match c {
            Capability::Other { keyword: k, params } if k.eq_ignore_ascii_case(keyword) => {
                Some(params.as_slice())
            }
            _ => None,
        })
    }

    /// The SIZE limit in bytes, if SIZE was given with a number (`Some(0)`:
    /// no fixed limit, per RFC 1870).
    pub fn size(&self) -> Option<u64> {
        self.list.iter().find_map(|c| match c {
            Capability::Size(n) => *n,
            _ => None,
        })
    }

    /// The AUTH mechanisms, upper-case, in the server's order (empty without AUTH).
    pub fn auth_mechanisms(&self) -> &[Cow<'static, str>] {
        match self.get(CapabilityKind::Auth) {
            Some(Capability::Auth(mechs)) => mechs,
            _ => &[],
        }
    }

    /// True when AUTH lists `mechanism` (any case).
    pub fn supports_auth(&self, mechanism: &str) -> bool {
        self.auth_mechanisms().iter().any(|m| m.eq_ignore_ascii_case(mechanism))
    }

    /// The MT-PRIORITY policy name, if MT-PRIORITY was given with one.
    pub fn mt_priority_policy(&self) -> Option<&str> {
        self.list.iter().find_map(|c| match c {
            Capability::MtPriority(p) => p.as_deref(),
            _ => None,
        })
    }

    /// FUTURERELEASE's longest interval (seconds) and latest date-time.
    pub fn future_release(&self) -> Option<(u64, &str)> {
        self.list.iter().find_map(|c| match c {
            Capability::FutureRelease { max_interval, max_datetime } => {
                Some((*max_interval, max_datetime.as_str()))
            }
            _ => None,
        })
    }

    /// DELIVERBY's shortest by-time in seconds, if given with one.
    pub fn deliver_by_min(&self) -> Option<u64> {
        self.list.iter().find_map(|c| match c {
            Capability::DeliverBy(n) => *n,
            _ => None,
        })
    }

    /// PIPELINING (RFC 2920).
    pub fn supports_pipelining(&self) -> bool {
        self.has(CapabilityKind::Pipelining)
    }

    /// 8BITMIME (RFC 6152).
    pub fn supports_8bitmime(&self) -> bool {
        self.has(CapabilityKind::EightBitMime)
    }

    /// SMTPUTF8 (RFC 6531).
    pub fn supports_smtputf8(&self) -> bool {
        self.has(CapabilityKind::SmtpUtf8)
    }

    /// STARTTLS (RFC 3207).
    pub fn supports_starttls(&self) -> bool {
        self.has(CapabilityKind::StartTls)
    }

    /// CHUNKING (RFC 3030).
    pub fn supports_chunking(&self) -> bool {
        self.has(CapabilityKind::Chunking)
    }

    /// BINARYMIME (RFC 3030).
    pub fn supports_binarymime(&self) -> bool {
        self.has(CapabilityKind::BinaryMime)
    }

    /// DSN (RFC 3461).
    pub fn supports_dsn(&self) -> bool {
        self.has(CapabilityKind::Dsn)
    }

    /// ENHANCEDSTATUSCODES (RFC 2034).
    pub fn supports_enhanced_status_codes(&self) -> bool {
        self.has(CapabilityKind::EnhancedStatusCodes)
    }

    /// REQUIRETLS (RFC 8689).
    pub fn supports_requiretls(&self) -> bool {
        self.has(CapabilityKind::RequireTls)
    }

    /// The extensions in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Capability> {
        self.list.iter()
    }

    /// The EHLO reply a server sends: `250-domain greeting_text`, then one
    /// line per extension, the last with `250 ` (no enhanced codes: RFC 2034
    /// servers do not put them on EHLO replies).
    pub fn to_reply(&self, domain: &str, greeting_text: Option<&str>) -> Reply {
        let first = match greeting_text {
            Some(text) if !text.is_empty() => format!("{domain} {text}"),
            _ => domain.to_owned(),
        };
        let lines = std::iter::once(first).chain(self.list.iter().map(Capability::to_string));
        Reply::from_lines(ReplyCode::OK, None, lines)
    }
}

impl<'a> IntoIterator for &'a Capabilities {
    type Item = &'a Capability;
    type IntoIter = std::slice::Iter<'a, Capability>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

/// The capability of a known keyword that came without parameters, except
/// AUTH (merged by [`Capabilities::push`]) and FUTURERELEASE (which needs
/// two parameters: alone it is an `Other`).
fn bare(kind: CapabilityKind) -> Option<Capability> {
    use CapabilityKind as K;
    Some(match kind {
        K::Size => Capability::Size(None),
        K::Pipelining => Capability::Pipelining,
        K::EightBitMime => Capability::EightBitMime,
        K::SmtpUtf8 => Capability::SmtpUtf8,
        K::StartTls => Capability::StartTls,
        K::Chunking => Capability::Chunking,
        K::BinaryMime => Capability::BinaryMime,
        K::Dsn => Capability::Dsn,
        K::EnhancedStatusCodes => Capability::EnhancedStatusCodes,
        K::RequireTls => Capability::RequireTls,
        K::MtPriority => Capability::MtPriority(None),
        K::DeliverBy => Capability::DeliverBy(None),
        K::Help => Capability::Help,
        K::Vrfy => Capability::Vrfy,
        K::Expn => Capability::Expn,
        K::Etrn => Capability::Etrn,
        K::Auth | K::FutureRelease | K::Other => return None,
    })
}

/// `AUTH` with its mechanisms, upper-cased: `first`, if given, then `params`.
fn auth<P: AsRef<[u8]>>(first: Option<&[u8]>, params: &[P]) -> Capability {
    let mut mechs = Vec::with_capacity(params.len() + usize::from(first.is_some()));
    mechs.extend(first.map(mechanism));
    mechs.extend(params.iter().map(|p| mechanism(p.as_ref())));
    Capability::Auth(mechs)
}

/// A SASL mechanism's name, upper-cased: borrowed from [`Mechanism::name`]
/// for the mechanisms it knows.
fn mechanism(name: &[u8]) -> Cow<'static, str> {
    match Mechanism::ALL.into_iter().find(|m| m.name().as_bytes().eq_ignore_ascii_case(name)) {
        Some(known) => Cow::Borrowed(known.name()),
        None => Cow::Owned(upper(name)),
    }
}

/// A space or a tab: what separates the domain from the greeting text.
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t')
}

fn trim_blanks_start(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    s
}

fn trim_blanks_end(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Why a reply could not be read as an EHLO reply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CapabilityError {
    /// The server answered EHLO with something other than 250 (502 from a
    /// server without ESMTP: fall back to HELO; 421, 554: go away).
    NotAccepted {
        /// The reply's code.
        code: ReplyCode,
    },
    /// The bytes are not a valid reply ([`Capabilities::parse`] only).
    Reply(ReplyError),
}

impl fmt::Display for CapabilityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CapabilityError::NotAccepted { code } => {
                write!(f, "EHLO was answered with {code}, not 250: the server lists no extensions")
            }
            CapabilityError::Reply(e) => write!(f, "EHLO reply: {e}"),
        }
    }
}

impl std::error::Error for CapabilityError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CapabilityError::Reply(e) => Some(e),
            CapabilityError::NotAccepted { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(Capability::parse_line("size 100"), Some(Capability::Size(Some(100))));
        assert_eq!(Capability::parse_line("SIZE"), Some(Capability::Size(None)));
        assert_eq!(
            Capability::parse_line("SIZE big"),
            Some(Capability::Other { keyword: "SIZE".into(), params: vec!["big".into()] })
        );
        assert_eq!(Capability::parse_line("SMTPUTF8 ignored"), Some(Capability::SmtpUtf8));
        assert_eq!(Capability::parse_line("  "), None);
        assert_eq!(Capability::parse_line("Auth=Login"), Some(Capability::Auth(vec!["LOGIN".into()])));
        assert_eq!(
            Capability::parse_line("AUTH="),
            Some(Capability::Other { keyword: "AUTH=".into(), params: vec![] })
        );
        assert_eq!(
            Capability::parse_line("FUTURERELEASE 604800 2012-10-11T12:00:00Z"),
            Some(Capability::FutureRelease {
                max_interval: 604800,
                max_datetime: "2012-10-11T12:00:00Z".into()
            })
        );
        assert_eq!(Capability::parse_line("x-link2state").unwrap().keyword(), "X-LINK2STATE");
        for line in ["SIZE 1", "AUTH PLAIN LOGIN", "MT-PRIORITY MIXER", "DELIVERBY 240", "XCLIENT NAME ADDR"]
        {
            assert_eq!(Capability::parse_line(line).unwrap().to_string(), line);
        }
    }

    #[test]
    fn keywords_and_mechanisms() {
        assert_eq!(CapabilityKind::from_keyword("pipelining"), CapabilityKind::Pipelining);
        assert_eq!(CapabilityKind::from_keyword("EnhancedStatusCodes"), CapabilityKind::EnhancedStatusCodes);
        assert_eq!(CapabilityKind::from_keyword("SIZEX"), CapabilityKind::Other);
        assert_eq!(CapabilityKind::from_keyword("ENHANCEDSTATUSCODESX"), CapabilityKind::Other);
        // Known mechanisms are borrowed, the others owned; both upper-cased.
        let Some(Capability::Auth(mechs)) = Capability::parse_line("AUTH plain x-foo") else { panic!() };
        assert_eq!(mechs, ["PLAIN", "X-FOO"]);
        assert!(matches!(mechs[0], Cow::Borrowed(_)) && matches!(mechs[1], Cow::Owned(_)));
        assert_eq!(Capability::parse_line("FUTURERELEASE"), Capability::parse_line("futurerelease"));
        assert!(matches!(Capability::parse_line("FUTURERELEASE"), Some(Capability::Other { .. })));
    }

    #[test]
    fn parse_agrees_with_from_reply() {
        let ehlo: &[u8] = b"250-\xffmx.example.com  hi \xe6\r\n250-auth=login\r\n250-X\xffY a\xff\r\n\
                           250-Size 10\r\n250-AUTH PLAIN LOGIN login\r\n250 8bitmime\r\n";
        let (caps, used) = Capabilities::parse(ehlo).unwrap();
        assert_eq!(used, ehlo.len());
        assert_eq!(Capabilities::from_reply(&Reply::parse(ehlo).unwrap().0), Ok(caps.clone()));
        assert_eq!(
            (caps.domain.as_str(), caps.text.as_deref()),
            ("\u{fffd}mx.example.com", Some("hi \u{fffd}"))
        );
        assert_eq!(caps.auth_mechanisms(), ["LOGIN", "PLAIN"]);
        assert_eq!(caps.size(), Some(10));
        assert_eq!(caps.other_params("X\u{fffd}Y"), Some(&["a\u{fffd}".to_owned()][..]));
        assert!(caps.supports_8bitmime());
    }
}
