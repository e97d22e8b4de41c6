//! `Received:` trace fields (RFC 5321 section 4.4, RFC 5322 section 3.6.7).
//!
//! [`parse_received`] splits a value into its clauses — `from`, `by`,
//! `via`, `with`, `id`, `for` — and the date after the last `;`. Keywords
//! are matched in any case and in any order; a clause that appears twice
//! keeps its first value. It also extracts:
//!
//! - the connecting IP address and its reverse name from the TCP-info
//!   comment after the `from` domain. Every common layout is read:
//!   Postfix/Sendmail `(host [ip])`, `(unknown [ip])`, Exim
//!   `([ip]:port helo=x)`, qmail `(HELO x) (user@ip)`, Microsoft `(ip)`,
//!   `[ip]` without parentheses, `IPv6:` literals and `%zone` suffixes.
//!   When there is no TCP-info address and the `from` domain is itself an
//!   address (`from [10.0.0.1]`, `from 10.0.0.1`), that address is used;
//! - the TLS parameters that MTAs write in comments (Postfix `(using
//!   TLSv1.3 with cipher ...)`, Exchange `(version=TLS1_2, cipher=...)`,
//!   Exim `(TLS1.2:ECDHE...)`, Sendmail `(version=TLSv1/SSLv3 ...)`) or in
//!   the `with` clause (`ESMTP/TLS/cipher`, `... encrypted SMTP`);
//! - the whole-comment `from` clause some gateways write
//!   (`(from user@localhost) by ...`).
//!
//! Comments elsewhere are ignored (qmail's `(qmail 123 invoked from
//! network)` is not a `from` clause), as is unknown text between clauses.
//! The value ends at the first line break that is not followed by white
//! space. Nothing is allocated unless a value is not valid UTF-8.
//!
//! ```
//! use mailwire_mime::received::parse_received;
//!
//! let r = parse_received(b"from mail.example.org (mail.example.org [192.0.2.7])\r\n\
//!     \t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n\
//!     \tby mx.example.net (Postfix) with ESMTPS id 4Qx2; Tue, 29 Aug 2023 16:20:12 +0000");
//! assert_eq!(r.from.as_deref(), Some("mail.example.org"));
//! assert_eq!(r.from_ip, Some("192.0.2.7".parse().unwrap()));
//! assert_eq!(r.by.as_deref(), Some("mx.example.net"));
//! assert_eq!(r.with.as_deref(), Some("ESMTPS"));
//! assert_eq!(r.id.as_deref(), Some("4Qx2"));
//! assert!(r.tls.as_deref().unwrap().starts_with("using TLSv1.3"));
//! assert_eq!(r.date.unwrap().to_rfc3339(), "2023-08-29T16:20:12+00:00");
//! ```

use std::borrow::Cow;
use std::net::IpAddr;

use crate::date::{DateTime, field_end, is_ws, parse_date, skip_comment, skip_quoted};

/// The clauses of a `Received:` field. Every part is optional; a value
/// with nothing recognisable gives all `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Received<'a> {
    /// The `from` domain as written: the name the client gave in its
    /// HELO/EHLO, or an address literal (`[192.0.2.1]`, kept with its
    /// brackets); angle brackets and a trailing comma are removed.
    pub from: Option<Cow<'a, str>>,
    /// The connecting address: from the TCP-info comment, a bracketed
    /// literal after the `from` domain, or the `from` domain itself when it
    /// is an address.
    pub from_ip: Option<IpAddr>,
    /// The reverse-DNS name of the client from the TCP-info comment
    /// (`from x (this.name [192.0.2.1])`). Placeholders such as `unknown`
    /// are not reported.
    pub from_iprev: Option<Cow<'a, str>>,
    /// The `by` domain: the host that added the field.
    pub by: Option<Cow<'a, str>>,
    /// The `via` link (e.g. `TCP`, `smtpd`, `HTTP`).
    pub via: Option<Cow<'a, str>>,
    /// The `with` protocol as written (`ESMTPS`, `local`, `LMTPA`, or a
    /// vendor phrase such as `Microsoft SMTP Server`).
    pub with: Option<Cow<'a, str>>,
    /// The `id` clause (queue id), without angle brackets.
    pub id: Option<Cow<'a, str>>,
    /// The `for` address, without angle brackets.
    pub for_: Option<Cow<'a, str>>,
    /// The TLS description as written by the MTA: the text of the comment
    /// that describes the TLS session (e.g. `using TLSv1.3 with cipher
    /// TLS_AES_256_GCM_SHA384 (256/256 bits)` or `version=TLS1_2,
    /// cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384`), or the TLS part of
    /// the `with` clause.
    pub tls: Option<Cow<'a, str>>,
    /// The date after the last `;`, if it parses.
    pub date: Option<DateTime>,
}

/// Parses a `Received:` value (see the module docs). Never fails: the
/// parts that cannot be found are `None`.
///
/// ```
/// use mailwire_mime::received::parse_received;
///
/// // RFC 5322 appendix A.4
/// let r = parse_received(b"from x.y.test\r\n   by example.net\r\n   via TCP\r\n   with ESMTP\r\n   id ABC12345\r\n   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600");
/// assert_eq!(r.from.as_deref(), Some("x.y.test"));
/// assert_eq!(r.via.as_deref(), Some("TCP"));
/// assert_eq!(r.for_.as_deref(), Some("mary@example.net"));
/// assert_eq!(r.date.unwrap().offset_minutes, -360);
///
/// // qmail
/// let r = parse_received(b"from unknown (HELO mail.example.com) (192.0.2.9)\r\n  by mx.example.net with SMTP; 12 Feb 2003 18:23:19 -0000");
/// assert_eq!(r.from_ip, Some("192.0.2.9".parse().unwrap()));
/// assert_eq!(r.from_iprev, None);
/// ```
pub fn parse_received(raw: &[u8]) -> Received<'_> {
    let value = field_end(raw);

    // The date follows the last `;` outside comments and quoted strings.
    let mut last_semi = None;
    let mut lexer = Lexer::new(value, 0, value.len());
    while let Some(tok) = lexer.next() {
        if let Tok::Semi(at) = tok {
            last_semi = Some(at);
        }
    }
    let clauses_end = last_semi.unwrap_or(value.len());

    let mut st = State::default();
    let mut first = true;
    let mut lexer = Lexer::new(value, 0, clauses_end);
    while let Some(tok) = lexer.next() {
        match tok {
            Tok::Comment(start, end) if first && starts_with_from(value, start, end) => {
                // `(from host [ip]) by ...`: the comment is the from clause.
                let mut inner = Lexer::new(value, start, end);
                while let Some(tok) = inner.next() {
                    st.feed(value, tok);
                }
                st.expect = Expect::Nothing;
            }
            _ => st.feed(value, tok),
        }
        first = false;
    }

    let mut out = st.out;
    if out.from_ip.is_none() {
        if let Some(from) = &out.from {
            out.from_ip = ip_literal(from.as_bytes());
        }
    }
    if let (None, Some(with)) = (&out.tls, &out.with) {
        out.tls = tls_in_with(with);
    }
    out.date = last_semi.and_then(|at| value.get(at + 1..)).and_then(parse_date);
    out
}

#[derive(Clone, Copy, Debug)]
enum Tok {
    /// A word: `[start, end)` of the value.
    Word(usize, usize),
    /// A comment: the range between its parentheses.
    Comment(usize, usize),
    /// A `;` at this index.
    Semi(usize),
}

/// Splits a range of the value into words, comments and semicolons.
/// Square brackets and quoted strings hold white space inside a word.
struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
    end: usize,
}

impl<'a> Lexer<'a> {
    fn new(s: &'a [u8], pos: usize, end: usize) -> Self {
        Lexer { s, pos, end: end.min(s.len()) }
    }

    fn byte(&self, i: usize) -> Option<u8> {
        if i < self.end { self.s.get(i).copied() } else { None }
    }

    fn next(&mut self) -> Option<Tok> {
        while self.byte(self.pos).is_some_and(is_ws) {
            self.pos += 1;
        }
        let start = self.pos;
        match self.byte(start)? {
            b'(' => {
                let close = skip_comment(self.s, start).filter(|&c| c <= self.end).unwrap_or(self.end);
                self.pos = close;
                // `close` is just after `)` when the comment is closed.
                let inner_end = if self.s.get(close.wrapping_sub(1)) == Some(&b')') && close > start + 1 {
                    close - 1
                } else {
                    close
                };
                Some(Tok::Comment(start + 1, inner_end.max(start + 1)))
            }
            b';' => {
                self.pos += 1;
                Some(Tok::Semi(start))
            }
            _ => {
                while let Some(b) = self.byte(self.pos) {
                    match b {
                        b'(' | b';' => break,
                        _ if is_ws(b) => break,
                        b'[' => self.pos = bracket_end(self.s, self.pos, self.end),
                        b'"' => {
                            self.pos = skip_quoted(self.s, self.pos)
                                .filter(|&e| e <= self.end)
                                .unwrap_or(self.pos + 1)
                        }
                        _ => self.pos += 1,
                    }
                }
                Some(Tok::Word(start, self.pos))
            }
        }
    }
}

/// Given `s[open] == b'['`, the index after the matching `]` (brackets
/// nest), or `open + 1` when it is not closed before `end`.
fn bracket_end(s: &[u8], open: usize, end: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < end {
        match s.get(i) {
            Some(b'[') => depth += 1,
            Some(b']') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            Some(b'\r' | b'\n' | b';') | None => break,
            _ => {}
        }
        i += 1;
    }
    open + 1
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Expect {
    #[default]
    Nothing,
    /// After `from`: the domain.
    FromName,
    /// After the `from` domain: TCP-info comments and `[ip]`.
    FromInfo,
    By,
    Via,
    /// After `with`: the protocol, `n` words taken so far.
    With(u8),
    Id,
    For,
}

#[derive(Default)]
struct State<'a> {
    out: Received<'a>,
    expect: Expect,
    seen_from: bool,
    seen_by: bool,
    seen_via: bool,
    seen_with: bool,
    seen_id: bool,
    seen_for: bool,
    with_range: Option<(usize, usize)>,
}

impl<'a> State<'a> {
    fn feed(&mut self, s: &'a [u8], tok: Tok) {
        match tok {
            Tok::Semi(_) => self.expect = Expect::Nothing,
            Tok::Comment(start, end) => {
                let inner = s.get(start..end).unwrap_or_default();
                if self.out.tls.is_none() && is_tls_comment(inner) {
                    self.out.tls = Some(text(trim(inner)));
                } else if matches!(self.expect, Expect::FromName | Expect::FromInfo) {
                    self.tcp_info(inner);
                    self.expect = Expect::FromInfo;
                    return;
                }
                if self.expect != Expect::FromInfo {
                    self.expect = Expect::Nothing;
                }
            }
            Tok::Word(start, end) => {
                let word = s.get(start..end).unwrap_or_default();
                if let Some(next) = self.keyword(word) {
                    self.expect = next;
                    return;
                }
                match self.expect {
                    Expect::FromName => {
                        self.out.from = value_text(word);
                        self.expect = Expect::FromInfo;
                    }
                    Expect::FromInfo => {
                        if word.first() == Some(&b'[') && self.out.from_ip.is_none() {
                            self.out.from_ip = ip_literal(word);
                        }
                    }
                    Expect::By => {
                        self.out.by = value_text(word);
                        self.expect = Expect::Nothing;
                    }
                    Expect::Via => {
                        self.out.via = value_text(word);
                        self.expect = Expect::Nothing;
                    }
                    Expect::Id => {
                        self.out.id = value_text(word);
                        self.expect = Expect::Nothing;
                    }
                    Expect::For => {
                        let v = strip_angles(word);
                        if memchr::memchr(b'@', v).is_some() || v.eq_ignore_ascii_case(b"postmaster") {
                            self.out.for_ = value_text(word);
                        }
                        self.expect = Expect::Nothing;
                    }
                    Expect::With(n) => {
                        // A vendor phrase (`Microsoft SMTP Server`) runs
                        // on for up to three words; a protocol name, a
                        // comma or a number (a date without `;`) ends it.
                        let trailing_comma = word.last() == Some(&b',');
                        if n > 0 && (trailing_comma || word.first().is_some_and(u8::is_ascii_digit)) {
                            self.expect = Expect::Nothing;
                            return;
                        }
                        self.with_range = match self.with_range {
                            Some((ws, _)) if n > 0 => Some((ws, end)),
                            _ => Some((start, end)),
                        };
                        if let Some((ws, we)) = self.with_range {
                            self.out.with = s.get(ws..we).and_then(value_text);
                        }
                        self.expect = if trailing_comma || n >= 2 || (n == 0 && is_protocol_name(word)) {
                            Expect::Nothing
                        } else {
                            Expect::With(n + 1)
                        };
                    }
                    Expect::Nothing => {}
                }
            }
        }
    }

    /// The state after a clause keyword, or `None` when `word` is not one.
    /// A repeated clause is read but not stored.
    fn keyword(&mut self, word: &[u8]) -> Option<Expect> {
        let (seen, next) = if word.eq_ignore_ascii_case(b"from") {
            (&mut self.seen_from, Expect::FromName)
        } else if word.eq_ignore_ascii_case(b"by") {
            (&mut self.seen_by, Expect::By)
        } else if word.eq_ignore_ascii_case(b"via") {
            (&mut self.seen_via, Expect::Via)
        } else if word.eq_ignore_ascii_case(b"with") {
            (&mut self.seen_with, Expect::With(0))
        } else if word.eq_ignore_ascii_case(b"id") {
            (&mut self.seen_id, Expect::Id)
        } else if word.eq_ignore_ascii_case(b"for") {
            (&mut self.seen_for, Expect::For)
        } else {
            return None;
        };
        if *seen {
            return Some(Expect::Nothing);
        }
        *seen = true;
        Some(next)
    }

    /// Reads a TCP-info comment: the first address literal (bracketed
    /// preferred) and the reverse name written before it.
    fn tcp_info(&mut self, inner: &'a [u8]) {
        if self.out.from_ip.is_some() {
            return;
        }
        let mut bracket_ip = None;
        let mut bare_ip = None;
        let mut iprev = None;
        let mut candidate: Option<&'a [u8]> = None;
        let mut skip_next = false;
        let mut count = 0usize;
        let mut only: Option<&'a [u8]> = None;
        for (depth, token) in InfoTokens::new(inner) {
            count += 1;
            only = Some(token);
            if skip_next {
                skip_next = false;
                candidate = None;
                continue;
            }
            if token.eq_ignore_ascii_case(b"helo")
                || token.eq_ignore_ascii_case(b"ehlo")
                || token.eq_ignore_ascii_case(b"lhlo")
                || token.eq_ignore_ascii_case(b"account")
                || token.last() == Some(&b'=')
            {
                // The next token is the HELO argument or an account name.
                skip_next = true;
                candidate = None;
            } else if token.first() == Some(&b'[') {
                if bracket_ip.is_none() {
                    bracket_ip = ip_literal(token);
                }
                if let (Some(name), None, 0) = (candidate, iprev, depth) {
                    iprev = Some(name);
                }
                candidate = None;
            } else if let Some(at) = memchr::memrchr(b'@', token) {
                // qmail `(user@ip)`: the address is the peer's.
                if bare_ip.is_none() {
                    bare_ip = token.get(at + 1..).and_then(ip_literal);
                }
                candidate = None;
            } else if let Some(ip) = ip_literal(token) {
                if bare_ip.is_none() {
                    bare_ip = Some(ip);
                }
                candidate = None;
            } else if depth == 0 && is_host_name(strip_angles(token)) {
                candidate = Some(strip_angles(token));
            } else {
                candidate = None;
            }
        }
        let ip = bracket_ip.or(bare_ip);
        if iprev.is_none() && ip.is_none() && count == 1 {
            // `(host.name)` alone: a reverse name without an address.
            iprev = only.map(strip_angles).filter(|t| is_host_name(t) && memchr::memchr(b'.', t).is_some());
        }
        if let Some(ip) = ip {
            self.out.from_ip = Some(ip);
        }
        if self.out.from_iprev.is_none() {
            self.out.from_iprev = iprev.filter(|name| !is_placeholder(name)).map(text);
        }
    }
}

/// Words of a TCP-info comment with their nesting depth: separated by
/// white space, commas and parentheses; a `[` starts a new word that runs
/// to the matching `]`.
struct InfoTokens<'a> {
    s: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> InfoTokens<'a> {
    fn new(s: &'a [u8]) -> Self {
        InfoTokens { s, pos: 0, depth: 0 }
    }
}

impl<'a> Iterator for InfoTokens<'a> {
    type Item = (usize, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match *self.s.get(self.pos)? {
                b'(' => self.depth += 1,
                b')' => self.depth = self.depth.saturating_sub(1),
                b',' => {}
                b if is_ws(b) => {}
                _ => break,
            }
            self.pos += 1;
        }
        let start = self.pos;
        if self.s.get(start) == Some(&b'[') {
            self.pos = bracket_end(self.s, start, self.s.len());
        }
        while let Some(&b) = self.s.get(self.pos) {
            if is_ws(b) || matches!(b, b'(' | b')' | b',') || (b == b'[' && self.pos > start) {
                break;
            }
            self.pos += 1;
        }
        // `pos > start` always holds here: the first byte is not a separator.
        Some((self.depth, self.s.get(start..self.pos.max(start + 1))?))
    }
}

/// `(from ...)`: a comment whose first word is `from`.
fn starts_with_from(s: &[u8], start: usize, end: usize) -> bool {
    let inner = trim(s.get(start..end).unwrap_or_default());
    inner.len() > 5
        && inner.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(b"from"))
        && inner.get(4).is_some_and(|&b| is_ws(b))
}

/// True for a comment that describes a TLS session: a word starting with
/// one of the markers below (so `tls.example.com` does not count).
fn is_tls_comment(inner: &[u8]) -> bool {
    const MARKERS: [&[u8]; 8] =
        [b"tlsv", b"tls1", b"tls-1", b"tls:", b"tls_cipher", b"sslv", b"cipher", b"version=tls"];
    (0..inner.len()).any(|i| {
        let at_word_start = i == 0 || inner.get(i - 1).is_some_and(|b| !b.is_ascii_alphanumeric());
        at_word_start
            && MARKERS.iter().any(|m| inner.get(i..i + m.len()).is_some_and(|w| w.eq_ignore_ascii_case(m)))
    })
}

/// The TLS part of a `with` clause: `ESMTP/TLS/cipher` gives `TLS/cipher`,
/// `cipher encrypted SMTP` gives `cipher`.
fn tls_in_with<'a>(with: &Cow<'a, str>) -> Option<Cow<'a, str>> {
    let w = with.as_bytes();
    let part = match memchr::memchr(b'/', w) {
        Some(slash) => {
            find_ignore_case(w.get(slash + 1..)?, b"tls")?;
            slash + 1..w.len()
        }
        None => match find_ignore_case(w, b" encrypted ")? {
            0 => return None,
            at => 0..at,
        },
    };
    match with {
        Cow::Borrowed(b) => b.get(part).map(Cow::Borrowed),
        Cow::Owned(o) => o.get(part).map(|p| Cow::Owned(p.to_owned())),
    }
}

/// The index of the first ASCII-case-insensitive occurrence of `needle`.
fn find_ignore_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
}

/// A `with` value that is a protocol name by itself (RFC 3848 and the
/// common private ones), possibly with Exim's `local-` prefix.
fn is_protocol_name(word: &[u8]) -> bool {
    const NAMES: [&[u8]; 20] = [
        b"smtp",
        b"esmtp",
        b"esmtpa",
        b"esmtps",
        b"esmtpsa",
        b"lmtp",
        b"lmtpa",
        b"lmtps",
        b"lmtpsa",
        b"utf8smtp",
        b"utf8smtpa",
        b"utf8smtps",
        b"utf8smtpsa",
        b"http",
        b"https",
        b"imap",
        b"pop3",
        b"local",
        b"bsmtp",
        b"smtps",
    ];
    let w = strip_angles(word);
    let w = match w.get(..6) {
        Some(p) if p.eq_ignore_ascii_case(b"local-") => w.get(6..).unwrap_or_default(),
        _ => w,
    };
    NAMES.iter().any(|n| w.eq_ignore_ascii_case(n))
}

/// An IP address written as `[1.2.3.4]`, `[IPv6:::1]`, `[1.2.3.4]:25`,
/// `[(1.2.3.4)]`, `1.2.3.4:25`, `fe80::1%6` or plain.
fn ip_literal(token: &[u8]) -> Option<IpAddr> {
    let mut t = token;
    if t.first() == Some(&b'[') {
        let close = memchr::memchr(b']', t)?;
        t = t.get(1..close)?;
    }
    let t = trim(t);
    let t = t.strip_prefix(b"(").unwrap_or(t);
    let t = t.strip_suffix(b")").unwrap_or(t);
    let t = match t.get(..5) {
        Some(p) if p.eq_ignore_ascii_case(b"ipv6:") => t.get(5..)?,
        _ => t,
    };
    let t = match memchr::memchr(b'%', t) {
        Some(pct) => t.get(..pct)?,
        None => t,
    };
    if t.is_empty() || t.len() > 45 {
        return None;
    }
    let s = std::str::from_utf8(t).ok()?;
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    // `1.2.3.4:port`
    let (host, port) = s.rsplit_once(':')?;
    if !host.contains(':') && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
        return host.parse().ok();
    }
    None
}

/// A DNS name as written in TCP-info: letters, digits, `-`, `_` and `.`,
/// with at least one letter, not an address.
fn is_host_name(t: &[u8]) -> bool {
    !t.is_empty()
        && t.iter().any(u8::is_ascii_alphabetic)
        && t.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !t.starts_with(b"-")
        && !t.starts_with(b".")
}

/// Names MTAs write when there is no verified reverse name.
fn is_placeholder(name: &[u8]) -> bool {
    ["unknown", "unverified", "softdnserr"].iter().any(|p| name.eq_ignore_ascii_case(p.as_bytes()))
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_ws(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|&b| !is_ws(b)).map_or(start, |e| e + 1);
    s.get(start..end).unwrap_or_default()
}

fn strip_angles(word: &[u8]) -> &[u8] {
    let w = word.strip_suffix(b",").unwrap_or(word);
    match (w.first(), w.last()) {
        (Some(b'<'), Some(b'>')) if w.len() >= 2 => w.get(1..w.len() - 1).unwrap_or_default(),
        _ => w,
    }
}

fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// A clause value: angle brackets and a trailing comma removed; `None`
/// when nothing is left.
fn value_text(word: &[u8]) -> Option<Cow<'_, str>> {
    let v = strip_angles(word);
    (!v.is_empty()).then(|| text(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn rfc5322_appendix_a4() {
        let r = parse_received(
            b"from x.y.test\r\n   by example.net\r\n   via TCP\r\n   with ESMTP\r\n   id ABC12345\r\n   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600\r\n",
        );
        assert_eq!(r.from.as_deref(), Some("x.y.test"));
        assert_eq!(r.by.as_deref(), Some("example.net"));
        assert_eq!(r.via.as_deref(), Some("TCP"));
        assert_eq!(r.with.as_deref(), Some("ESMTP"));
        assert_eq!(r.id.as_deref(), Some("ABC12345"));
        assert_eq!(r.for_.as_deref(), Some("mary@example.net"));
        assert_eq!(r.date.unwrap().to_rfc3339(), "1997-11-21T10:05:43-06:00");
        let r = parse_received(b"from node.example by x.y.test; 21 Nov 1997 10:01:22 -0600");
        assert_eq!(r.from.as_deref(), Some("node.example"));
        assert_eq!(r.by.as_deref(), Some("x.y.test"));
        assert!(r.date.is_some());
    }

    #[test]
    fn postfix() {
        let r = parse_received(b"from mail-qw0-f46.google.com (mail-qw0-f46.google.com [209.85.216.46])\r\n\tby maroon.pobox.com (Postfix) with ESMTPS id 70BCC40A1DB\r\n\tfor <a@b.example>; Wed, 15 Jun 2011 10:42:13 -0400 (EDT)\r\n");
        assert_eq!(r.from.as_deref(), Some("mail-qw0-f46.google.com"));
        assert_eq!(r.from_ip, ip("209.85.216.46"));
        assert_eq!(r.from_iprev.as_deref(), Some("mail-qw0-f46.google.com"));
        assert_eq!(r.by.as_deref(), Some("maroon.pobox.com"));
        assert_eq!(r.with.as_deref(), Some("ESMTPS"));
        assert_eq!(r.id.as_deref(), Some("70BCC40A1DB"));
        assert_eq!(r.for_.as_deref(), Some("a@b.example"));
        assert_eq!(r.date.unwrap().offset_minutes, -240);
        assert!(matches!(r.from, Some(Cow::Borrowed(_))));

        let r = parse_received(b"from localhost (unknown [IPv6:2001:db8::1]) by h (Postfix) with ESMTP id X; Mon, 28 Aug 2023 02:21:37 -0700");
        assert_eq!(r.from_ip, ip("2001:db8::1"));
        assert_eq!(r.from_iprev, None);
        let r = parse_received(
            b"by oak.ein.cz (Postfix, from userid 1002) id DABBD1BED3; Thu, 13 Feb 2003 14:02:21 +0100 (CET)",
        );
        assert_eq!(r.from, None);
        assert_eq!(r.by.as_deref(), Some("oak.ein.cz"));
        assert_eq!(r.id.as_deref(), Some("DABBD1BED3"));
    }

    #[test]
    fn exim_sendmail_qmail() {
        let r = parse_received(b"from [192.0.2.5] (port=52313 helo=client.example) by mx.example with esmtps (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256) (Exim 4.92) (envelope-from <a@b>) id 1abc-0001-XY for c@d; Fri, 30 Jun 2006 08:11:35 -0400");
        assert_eq!(r.from.as_deref(), Some("[192.0.2.5]"));
        assert_eq!(r.from_ip, ip("192.0.2.5"));
        assert_eq!(r.with.as_deref(), Some("esmtps"));
        assert_eq!(r.tls.as_deref(), Some("TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256"));
        assert_eq!(r.id.as_deref(), Some("1abc-0001-XY"));
        assert_eq!(r.for_.as_deref(), Some("c@d"));

        let r = parse_received(b"from host.example (host.example [198.51.100.7] (may be forged)) by mx.example (8.14.4/8.14.4) with ESMTP id p5FEg8Xx012345 (version=TLSv1/SSLv3 cipher=DHE-RSA-AES256-SHA bits=256 verify=NO) for <u@mx.example>; Wed, 15 Jun 2011 10:42:13 -0400");
        assert_eq!(r.from_ip, ip("198.51.100.7"));
        assert_eq!(r.from_iprev.as_deref(), Some("host.example"));
        assert_eq!(
            r.tls.as_deref(),
            Some("version=TLSv1/SSLv3 cipher=DHE-RSA-AES256-SHA bits=256 verify=NO")
        );

        let r = parse_received(b"(qmail 84907 invoked from network); 13 Feb 2003 20:59:28 -0000");
        assert_eq!(r.from, None);
        assert!(r.date.is_some());
        let r = parse_received(
            b"from unknown (HELO x.example) (joe@203.0.113.4) by mx with SMTP; 12 Feb 2003 18:23:19 -0000",
        );
        assert_eq!(r.from_ip, ip("203.0.113.4"));
        let r = parse_received(b"(from user@localhost) by home.example.com (8.12.11/8.12.11/Submit) id iBADHRP6011034; Fri, 10 Dec 2004 13:17:27 GMT");
        assert_eq!(r.from.as_deref(), Some("user@localhost"));
        assert_eq!(r.by.as_deref(), Some("home.example.com"));
    }

    #[test]
    fn gmail_and_microsoft() {
        let r = parse_received(b"by 2002:a05:6a10:a24a:b0:4f6:5d07:c9b8 with SMTP id u10csp1339pxb;\r\n        Mon, 10 Oct 2022 10:31:15 -0700 (PDT)");
        assert_eq!(r.by.as_deref(), Some("2002:a05:6a10:a24a:b0:4f6:5d07:c9b8"));
        assert_eq!(r.with.as_deref(), Some("SMTP"));
        assert_eq!(r.id.as_deref(), Some("u10csp1339pxb"));
        assert_eq!(r.date.unwrap().offset_minutes, -420);

        let r = parse_received(b"from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\r\n        by mx.google.com with SMTPS id a1sor123.2022.10.10.10.31.15\r\n        for <u@example.com>\r\n        (Google Transport Security);\r\n        Mon, 10 Oct 2022 10:31:15 -0700 (PDT)");
        assert_eq!(r.from_iprev.as_deref(), Some("mail-sor-f41.google.com."));
        assert_eq!(r.from_ip, ip("209.85.220.41"));
        assert_eq!(r.with.as_deref(), Some("SMTPS"));
        assert_eq!(r.for_.as_deref(), Some("u@example.com"));
        assert_eq!(r.tls, None);

        let r = parse_received(b"from DB6PR07MB3286.eurprd07.prod.outlook.com (2603:10a6:6:1a::33) by DB6PR07MB3384.eurprd07.prod.outlook.com (2603:10a6:6:1b::11) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.1143.11; Thu, 13 Sep 2018 14:47:44 +0000");
        assert_eq!(r.from_ip, ip("2603:10a6:6:1a::33"));
        assert_eq!(r.with.as_deref(), Some("Microsoft SMTP Server"));
        assert_eq!(r.tls.as_deref(), Some("version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));
        assert_eq!(r.id.as_deref(), Some("15.20.1143.11"));

        let r = parse_received(b"from mail pickup service by mail1.example.com with Microsoft SMTPSVC; Thu, 13 Feb 2003 19:05:39 -0500");
        assert_eq!(r.from.as_deref(), Some("mail"));
        assert_eq!(r.with.as_deref(), Some("Microsoft SMTPSVC"));
        let r = parse_received(b"from x ([fe80::19bd:c588:dd17:5226%6]) by y with mapi id 15.20.1943.023; Wed, 5 Jun 2019 10:17:08 +0000");
        assert_eq!(r.from_ip, ip("fe80::19bd:c588:dd17:5226"));
    }

    #[test]
    fn with_clause_extent() {
        let with = |v: &[u8]| parse_received(v).with.map(Cow::into_owned);
        assert_eq!(
            with(b"from a by b with ESMTP id X Thu, 20 Feb 2003 16:13:20 -0700").as_deref(),
            Some("ESMTP")
        );
        assert_eq!(with(b"from a by b with ESMTP Thu, 20 Feb 2003 16:13:20 -0700").as_deref(), Some("ESMTP"));
        assert_eq!(with(b"from a by b with Foo Thu, 20 Feb 2003").as_deref(), Some("Foo"));
        assert_eq!(with(b"from a by b with Foo 20 Feb 2003").as_deref(), Some("Foo"));
        assert_eq!(
            with(b"from a by b with MailEnable ESMTP; 1 Jan 2020 00:00 +0000").as_deref(),
            Some("MailEnable ESMTP")
        );
        assert_eq!(with(b"from a by b with local-esmtps (x) id 1").as_deref(), Some("local-esmtps"));
        assert_eq!(
            with(b"from a by b with Internet Mail Service (5.5) id 1").as_deref(),
            Some("Internet Mail Service")
        );
    }

    #[test]
    fn with_tls_forms() {
        let r = parse_received(
            b"from a by b with ESMTP/TLS/DHE-RSA-AES256-GCM-SHA384; 02 Sep 2023 04:24:06 +0200",
        );
        assert_eq!(r.with.as_deref(), Some("ESMTP/TLS/DHE-RSA-AES256-GCM-SHA384"));
        assert_eq!(r.tls.as_deref(), Some("TLS/DHE-RSA-AES256-GCM-SHA384"));
        let r = parse_received(b"from a (HELO a) (192.0.2.1) by server-7.tower-1.messagelabs.com with DHE-RSA-AES256-GCM-SHA384 encrypted SMTP; 13 Sep 2018 14:47:44 -0000");
        assert_eq!(r.tls.as_deref(), Some("DHE-RSA-AES256-GCM-SHA384"));
        assert_eq!(r.from_ip, ip("192.0.2.1"));
    }

    #[test]
    fn degenerate_inputs() {
        assert_eq!(parse_received(b""), Received::default());
        assert_eq!(parse_received(b"  \r\n"), Received::default());
        assert_eq!(parse_received(b"(comment only)"), Received::default());
        let r = parse_received(b"from x by y\r\nX-Next: from z");
        assert_eq!(r.by.as_deref(), Some("y"));
        let r = parse_received(b"from \xff\xfe by y");
        assert!(matches!(r.from, Some(Cow::Owned(_))));
        let s: &[u8] = b"from [a (b [1.2.3.4 \"x (helo= ;)] by <> with a, b id for <@>; 1 Jan 2020 (";
        for i in 0..=s.len() {
            let _ = parse_received(&s[..i]);
            let _ = parse_received(&s[i..]);
        }
    }

    /// Random inputs over an alphabet of the bytes these parsers treat
    /// specially: no parser of the four field modules may panic.
    /// `MAILWIRE_FIELD_FUZZ=n` runs `n` inputs instead of 20 000.
    #[test]
    fn random_inputs_never_panic() {
        const ALPHABET: &[u8] = b"()<>[]\\\";:,.@+-/=%_ \t\r\n019aZTfromby\xc3\xa9\xff";
        const WORDS: [&[u8]; 12] = [
            b"from ",
            b" by ",
            b" with ",
            b" id ",
            b" for ",
            b" via ",
            b"Jul ",
            b"Tue, ",
            b"GMT",
            b"12:34:56",
            b"IPv6:",
            b"helo=",
        ];
        let iters =
            std::env::var("MAILWIRE_FIELD_FUZZ").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000u64);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut buf = Vec::new();
        for _ in 0..iters {
            buf.clear();
            let len = next() % 64;
            for _ in 0..len {
                let r = next();
                if r % 5 == 0 {
                    buf.extend_from_slice(WORDS[(r / 5 % WORDS.len() as u64) as usize]);
                } else {
                    buf.push(ALPHABET[(r / 5 % ALPHABET.len() as u64) as usize]);
                }
            }
            let _ = parse_received(&buf);
            if let Some(d) = crate::date::parse_date(&buf) {
                let _ = (d.to_rfc3339(), d.to_rfc5322(), d.weekday());
            }
            let _ = crate::ids::parse_message_ids(&buf);
            let _ = crate::list::parse_list_urls(&buf);
            let _ = crate::list::parse_list_id(&buf);
        }
    }

    #[test]
    fn ip_literals() {
        assert_eq!(ip_literal(b"[192.0.2.1]"), ip("192.0.2.1"));
        assert_eq!(ip_literal(b"[192.0.2.1]:25"), ip("192.0.2.1"));
        assert_eq!(ip_literal(b"[192.0.2.1:25]"), ip("192.0.2.1"));
        assert_eq!(ip_literal(b"192.0.2.1:25"), ip("192.0.2.1"));
        assert_eq!(ip_literal(b"[(192.0.2.1)]"), ip("192.0.2.1"));
        assert_eq!(ip_literal(b"[IPv6:::1]"), ip("::1"));
        assert_eq!(ip_literal(b"[ipv6:2001:db8::1]"), ip("2001:db8::1"));
        assert_eq!(ip_literal(b"::ffff:127.0.0.1"), ip("::ffff:127.0.0.1"));
        assert_eq!(ip_literal(b"[10.0.8.6.13219]"), None);
        assert_eq!(ip_literal(b"[local]"), None);
        assert_eq!(ip_literal(b"0"), None);
    }
}
