//! SMTP, ESMTP and LMTP commands: parsing one command line into an owned
//! [`Command`], and writing a [`Command`] in its canonical wire form.
//!
//! Covered: EHLO, HELO, LHLO (RFC 2033), MAIL and RCPT with their paths and
//! parameters, DATA, BDAT (RFC 3030), RSET, VRFY, EXPN, HELP, NOOP, QUIT,
//! STARTTLS (RFC 3207) and AUTH (RFC 4954). Known MAIL parameters: SIZE
//! (RFC 1870), BODY (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531), RET and ENVID
//! (RFC 3461), AUTH (RFC 4954), REQUIRETLS (RFC 8689), MT-PRIORITY
//! (RFC 6710), HOLDFOR and HOLDUNTIL (RFC 4865), BY (RFC 2852). Known RCPT
//! parameters: NOTIFY and ORCPT (RFC 3461). Any other parameter is kept in
//! `unknown`, for the session to accept or refuse with 555
//! ([`Command::reject_unknown_params`]).
//!
//! # Parsing
//!
//! [`Command::parse`] takes one line without its CRLF (a trailing CRLF is
//! also accepted and ignored) and never panics. Every error is a
//! [`CommandError`] whose [`reply_code`](CommandError::reply_code) is the
//! reply RFC 5321 and the extension RFCs prescribe, so that a server can
//! answer with it directly.
//!
//! The parser is strict about the grammar of RFC 5321 §4.1.2 (paths,
//! mailboxes, domains, address literals, parameters) with these documented
//! tolerances for what deployed clients send:
//!
//! - verbs, `FROM:`/`TO:` and parameter keywords are case-insensitive;
//! - one or more spaces or tabs may separate the verb, the path and the
//!   parameters, and spaces may follow `FROM:` / `TO:`
//!   (`MAIL FROM: <a@example.com>`), as Postfix accepts;
//! - trailing spaces and tabs are ignored (RFC 5321 §4.1.1 asks servers to);
//! - source routes (`<@a,@b:user@c>`) are accepted and dropped (RFC 5321
//!   §4.1.1.3 and Appendix C);
//! - text after the domain of EHLO/HELO/LHLO is ignored (RFC 5321 §4.1.1.1);
//! - non-ASCII UTF-8 is accepted in mailboxes, in VRFY/EXPN arguments and in
//!   parameter values (RFC 6531): whether it was allowed (SMTPUTF8) is the
//!   session's call, see [`Mailbox::is_ascii`].
//!
//! Line length is checked against [`Limits`]; the default is RFC 5321's 512
//! octets (including CRLF) for commands, and 12288 octets for AUTH (RFC 4954
//! §4). A server that advertises extensions which lengthen MAIL or RCPT
//! (SIZE, DSN, AUTH, SMTPUTF8, …) must raise [`Limits::max_line_len`]
//! (RFC 3461 §5.4 asks for at least [`MAX_DSN_LINE_LEN`]).
//!
//! # Writing
//!
//! [`Command::write`] appends the canonical form with CRLF, and
//! `Command::parse(&wire) == Ok(command)` holds for every command that
//! [`Command::validate`] accepts (for parsed commands, always).
//!
//! ```
//! use mailwire_smtp::command::{Body, Command, ReversePath};
//!
//! let cmd = Command::parse(b"mail from: <alice@example.org> SIZE=1234 BODY=8bitmime").unwrap();
//! let Command::Mail { from, params } = &cmd else { unreachable!() };
//! assert_eq!(from.mailbox().unwrap().domain(), "example.org");
//! assert_eq!(params.size, Some(1234));
//! assert_eq!(params.body, Some(Body::EightBitMime));
//!
//! let mut wire = Vec::new();
//! cmd.write(&mut wire);
//! assert_eq!(wire, b"MAIL FROM:<alice@example.org> SIZE=1234 BODY=8BITMIME\r\n");
//!
//! let err = Command::parse(b"RCPT TO:<bob@exa mple.com>").unwrap_err();
//! assert_eq!(err.reply_code(), (501, (5, 1, 3)));
//! ```

use std::borrow::Cow;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use crate::xtext;

// ---------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------

/// RFC 5321 §4.5.3.1.4: the longest command line, including the verb and
/// the CRLF, that every server must accept.
pub const MAX_LINE_LEN: usize = 512;
/// RFC 3461 §5.4: the command line length a server that offers DSN must
/// at least accept.
pub const MAX_DSN_LINE_LEN: usize = 1036;
/// RFC 4954 §4: a line length "sufficient for handling of deployed
/// authentication mechanisms", used by default for AUTH command lines.
pub const MAX_AUTH_LINE_LEN: usize = 12288;
/// RFC 5321 §4.5.3.1.3: the longest reverse-path or forward-path, including
/// the angle brackets and any source route.
pub const MAX_PATH_LEN: usize = 256;
/// RFC 5321 §4.5.3.1.2: the longest domain; always enforced.
pub const MAX_DOMAIN_LEN: usize = 255;
/// RFC 5321 §4.5.3.1.1: the longest local-part. Not enforced by the parser
/// (deployed VERP and SRS addresses exceed it); offered for servers that
/// want to.
pub const MAX_LOCAL_PART_LEN: usize = 64;

/// Size limits applied by [`Command::parse_with`].
///
/// Lengths are in octets and, for lines, include the CRLF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest command line other than AUTH (default [`MAX_LINE_LEN`]).
    pub max_line_len: usize,
    /// Longest AUTH command line (default [`MAX_AUTH_LINE_LEN`]).
    pub max_auth_line_len: usize,
    /// Longest reverse-path or forward-path (default [`MAX_PATH_LEN`]).
    pub max_path_len: usize,
}

impl Limits {
    /// RFC 5321's limits: 512-octet lines, 256-octet paths, and 12288-octet
    /// AUTH lines (RFC 4954).
    pub const RFC5321: Limits = Limits {
        max_line_len: MAX_LINE_LEN,
        max_auth_line_len: MAX_AUTH_LINE_LEN,
        max_path_len: MAX_PATH_LEN,
    };

    /// No limits at all (used by [`Command::validate`]).
    pub const NONE: Limits =
        Limits { max_line_len: usize::MAX, max_auth_line_len: usize::MAX, max_path_len: usize::MAX };

    /// The longest line any command may have under these limits: a session
    /// that has buffered this many octets without finding CRLF can give up
    /// on the line.
    #[must_use]
    pub const fn longest_line(&self) -> usize {
        if self.max_line_len > self.max_auth_line_len { self.max_line_len } else { self.max_auth_line_len }
    }

    /// Checks the length of `line` (with or without its CRLF) against these
    /// limits, choosing the AUTH limit when the line starts with `AUTH`.
    /// [`Command::parse_with`] performs the same check.
    pub fn check_line(&self, line: &[u8]) -> Result<(), CommandError> {
        let (body, wire_len) = split_crlf(line);
        self.check_len(wire_len, matches!(Verb::at_start(body), Some((Verb::Auth, _))))
    }

    fn check_len(&self, wire_len: usize, auth: bool) -> Result<(), CommandError> {
        let max = if auth { self.max_auth_line_len } else { self.max_line_len };
        if wire_len > max { Err(CommandError::LineTooLong { len: wire_len, max, auth }) } else { Ok(()) }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::RFC5321
    }
}

// ---------------------------------------------------------------------------
// Character classes
// ---------------------------------------------------------------------------

const C_ATEXT: u8 = 1; // RFC 5322 atext, plus UTF-8 (RFC 6531)
const C_LETDIG: u8 = 2; // ALPHA / DIGIT, plus UTF-8 (U-labels)
const C_QTEXT: u8 = 4; // qtextSMTP, plus UTF-8
const C_DCONTENT: u8 = 8; // dcontent of a general address literal
const C_VALUE: u8 = 16; // esmtp-value, plus UTF-8
const C_KEYWORD: u8 = 32; // ALPHA / DIGIT / "-"
const C_TEXT: u8 = 64; // free text: anything but controls (HT allowed)
const C_LDH: u8 = 128; // C_LETDIG plus "-": the octets of a domain label

// No class holds NUL, CR or LF: `Command::parse_with` relies on it to look
// for them only in lines it refuses.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut c = 0;
        let utf8 = b >= 0x80;
        if b.is_ascii_alphanumeric()
            || utf8
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'/'
                    | b'='
                    | b'?'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'{'
                    | b'|'
                    | b'}'
                    | b'~'
            )
        {
            c |= C_ATEXT;
        }
        if b.is_ascii_alphanumeric() || utf8 {
            c |= C_LETDIG;
        }
        if matches!(b, 32..=33 | 35..=91 | 93..=126) || utf8 {
            c |= C_QTEXT;
        }
        if matches!(b, 33..=90 | 94..=126) {
            c |= C_DCONTENT;
        }
        if matches!(b, 33..=60 | 62..=126) || utf8 {
            c |= C_VALUE;
        }
        if b.is_ascii_alphanumeric() || b == b'-' {
            c |= C_KEYWORD;
        }
        if (b >= 0x20 && b != 0x7F) || b == b'\t' {
            c |= C_TEXT;
        }
        if b.is_ascii_alphanumeric() || utf8 || b == b'-' {
            c |= C_LDH;
        }
        t[i] = c;
        i += 1;
    }
    t
};

#[inline]
fn class(b: u8, c: u8) -> bool {
    CLASS[usize::from(b)] & c != 0
}

/// The offset of the first octet at or after `i` that is not in class `c`
/// (`s.len()` if there is none).
#[inline]
fn skip(s: &[u8], i: usize, c: u8) -> usize {
    let rest = s.get(i..).unwrap_or_default();
    i + rest.iter().position(|&b| !class(b, c)).unwrap_or(rest.len())
}

// Eight octets at a time, for the long fields (AUTH responses, parameter
// values): each function sets the high bit of every octet of a word that
// is not in the set, exactly (no carry crosses octets: `w & LOW7` plus at
// most 0x7F stays below 0x100), so the lowest set bit marks the first.
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// ASCII octets below 33 or equal to 127 (controls, SP, DEL).
#[inline]
const fn ascii_ctl_or_sp(w: u64) -> u64 {
    let low7 = w & LOW7;
    // Bit 7 clear in `low7 + 95` below 33; set in `low7 + 1` at 127.
    (!(low7 + 0x5F5F_5F5F_5F5F_5F5F) | (low7 + 0x0101_0101_0101_0101)) & !w & HIGH
}

/// Octets that are not printable ASCII (33..=126).
#[inline]
const fn not_printable(w: u64) -> u64 {
    ascii_ctl_or_sp(w) | (w & HIGH)
}

/// Octets not in [`C_VALUE`]: ASCII below 33, "=" and DEL.
#[inline]
const fn not_value(w: u64) -> u64 {
    // Bit 7 clear in `x + 0x7F` only where `x` is 0, i.e. the octet is "=".
    let x = (w & LOW7) ^ 0x3D3D_3D3D_3D3D_3D3D;
    ascii_ctl_or_sp(w) | (!(x + LOW7) & !w & HIGH)
}

/// The offset of the first octet at or after `i` that `bad` marks (or
/// `s.len()`), eight octets at a time.
#[inline]
fn skip_words(s: &[u8], i: usize, bad: fn(u64) -> u64) -> usize {
    let mut words = s.get(i..).unwrap_or_default().chunks_exact(8);
    let mut at = i;
    for word in &mut words {
        let found = bad(u64::from_le_bytes(<[u8; 8]>::try_from(word).unwrap_or_default()));
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    // The last few octets, padded with NULs (which every `bad` marks).
    let last = words.remainder().iter().rev().fold(0, |w, &b| (w << 8) | u64::from(b));
    at + (bad(last).trailing_zeros() / 8) as usize
}

/// The offset of the first octet of `s` that is not printable ASCII
/// (33..=126), or `s.len()`.
#[inline]
fn printable_len(s: &[u8]) -> usize {
    skip_words(s, 0, not_printable)
}

#[inline]
fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn trim_start_ws(mut s: &[u8]) -> &[u8] {
    while let [b, rest @ ..] = s {
        if !is_ws(*b) {
            break;
        }
        s = rest;
    }
    s
}

fn trim_end_ws(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., b] = s {
        if !is_ws(*b) {
            break;
        }
        s = rest;
    }
    s
}

/// Splits off a trailing CRLF; returns the line and its length on the wire.
fn split_crlf(line: &[u8]) -> (&[u8], usize) {
    match line {
        [body @ .., b'\r', b'\n'] => (body, line.len()),
        _ => (line, line.len().saturating_add(2)),
    }
}

/// Iterator over tokens separated by runs of SP / HT.
struct Tokens<'a> {
    s: &'a [u8],
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let s = trim_start_ws(self.s);
        if s.is_empty() {
            self.s = s;
            return None;
        }
        let end = s.iter().position(|&b| is_ws(b)).unwrap_or(s.len());
        self.s = &s[end..];
        Some(&s[..end])
    }
}

fn tokens(s: &[u8]) -> Tokens<'_> {
    Tokens { s }
}

/// A short, printable rendering of untrusted bytes for error messages.
fn escaped(b: &[u8]) -> String {
    const CAP: usize = 32;
    let mut s = b[..b.len().min(CAP)].escape_ascii().to_string();
    if b.len() > CAP {
        s.push_str("...");
    }
    s
}

/// Whether `s` is `upper` (upper-case ASCII, at most 8 octets) in any
/// case: letters compare without their case bit, other octets exactly, in
/// one comparison of two words.
#[inline]
fn is_word<const N: usize>(s: &[u8], upper: &[u8; N]) -> bool {
    const { assert!(N <= 8) };
    let Ok(s) = <&[u8; N]>::try_from(s) else {
        return false;
    };
    let (mut got, mut want, mut case) = ([0u8; 8], [0u8; 8], [0u8; 8]);
    got[..N].copy_from_slice(s);
    want[..N].copy_from_slice(upper);
    for (c, u) in case.iter_mut().zip(upper) {
        if u.is_ascii_uppercase() {
            *c = 0x20;
        }
    }
    let case = u64::from_le_bytes(case);
    u64::from_le_bytes(got) | case == u64::from_le_bytes(want) | case
}

/// `s` after the prefix `upper` (see [`is_word`]), if it starts with it.
fn strip_word<'a, const N: usize>(s: &'a [u8], upper: &[u8; N]) -> Option<&'a [u8]> {
    if s.get(..N).is_some_and(|head| is_word(head, upper)) { Some(&s[N..]) } else { None }
}

enum NumError {
    Syntax,
    Overflow,
}

fn parse_u64(s: &[u8]) -> Result<u64, NumError> {
    if s.is_empty() {
        return Err(NumError::Syntax);
    }
    if s.len() <= 19 {
        // At most 9999999999999999999 < u64::MAX: no overflow possible.
        let mut n: u64 = 0;
        for &b in s {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return Err(NumError::Syntax);
            }
            n = n * 10 + u64::from(d);
        }
        return Ok(n);
    }
    if !s.iter().all(u8::is_ascii_digit) {
        return Err(NumError::Syntax);
    }
    let mut n: u64 = 0;
    for &b in s {
        n = n.checked_mul(10).and_then(|n| n.checked_add(u64::from(b - b'0'))).ok_or(NumError::Overflow)?;
    }
    Ok(n)
}

/// The text being parsed, and the same octets as `&str` when they are all
/// UTF-8. A command line is validated once, so that each field copied out
/// of it is a slice of an already checked `&str` rather than octets checked
/// again; lines that are not UTF-8 throughout fall back to checking each
/// field.
#[derive(Clone, Copy)]
struct Src<'a> {
    bytes: &'a [u8],
    text: Option<&'a str>,
}

impl<'a> Src<'a> {
    fn new(bytes: &'a [u8]) -> Src<'a> {
        Src { bytes, text: std::str::from_utf8(bytes).ok() }
    }

    fn from_str(text: &'a str) -> Src<'a> {
        Src { bytes: text.as_bytes(), text: Some(text) }
    }

    /// `part`, a sub-slice of the text, as `&str` if it is UTF-8.
    #[inline]
    fn str(&self, part: &'a [u8]) -> Option<&'a str> {
        if let Some(text) = self.text {
            // Where `part` starts in the text: two live slices cannot
            // overlap unless they share memory, so a range inside the text
            // holds `part`'s very octets. A `part` from elsewhere (or cut
            // inside a character) misses, and is checked on its own.
            let start = part.as_ptr().addr().wrapping_sub(self.bytes.as_ptr().addr());
            if let Some(s) = start.checked_add(part.len()).and_then(|end| text.get(start..end)) {
                return Some(s);
            }
        }
        std::str::from_utf8(part).ok()
    }

    /// Owned copy of `part`, whose octets are already known to be ASCII (or
    /// UTF-8).
    #[inline]
    fn owned(&self, part: &'a [u8]) -> String {
        self.str(part).map_or_else(|| String::from_utf8_lossy(part).into_owned(), str::to_owned)
    }
}

/// Offset of the first NUL, CR or LF.
fn find_bad_byte(line: &[u8]) -> Option<usize> {
    if line.len() < 32 {
        line.iter().position(|&b| matches!(b, 0 | b'\r' | b'\n'))
    } else {
        memchr::memchr3(0, b'\r', b'\n', line)
    }
}

/// [`CommandError::InvalidByte`] for the first NUL, CR or LF of `line`.
fn invalid_byte(line: &[u8]) -> Option<CommandError> {
    find_bad_byte(line).map(|position| CommandError::InvalidByte { byte: line[position], position })
}

fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

fn push_i64(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    push_u64(out, n.unsigned_abs());
}

/// Appends free text, never letting CR, LF or NUL through (they become
/// spaces), so that one command is always exactly one line.
fn push_text(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    if memchr::memchr3(b'\r', b'\n', 0, b).is_none() {
        out.extend_from_slice(b);
    } else {
        out.extend(b.iter().map(|&c| if matches!(c, b'\r' | b'\n' | 0) { b' ' } else { c }));
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Why a mailbox or a path is not valid (RFC 5321 §4.1.2, §4.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddressError {
    /// `<>` where a mailbox is required (RCPT TO, AUTH=).
    NullPath,
    /// The path does not start with `<`.
    MissingAngleBrackets,
    /// The path has no closing `>`.
    Unterminated,
    /// A source route (`@a,@b:`) is malformed.
    InvalidSourceRoute,
    /// The local-part is neither a dot-string nor a quoted string.
    InvalidLocalPart,
    /// A quoted local-part has no closing `"`.
    UnterminatedQuotedString,
    /// There is no `@domain` after the local-part.
    MissingAt,
    /// The domain is not a sequence of letter-digit-hyphen labels.
    InvalidDomain,
    /// The address literal is not an IPv4, IPv6 or general literal.
    InvalidAddressLiteral,
    /// The domain is longer than [`MAX_DOMAIN_LEN`] octets.
    DomainTooLong,
    /// The path is longer than the configured limit.
    PathTooLong {
        /// Its length in octets, including `<` and `>`.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The address contains octets that are not UTF-8.
    InvalidUtf8,
    /// Something other than a space follows the path's closing `>`, or
    /// follows a mailbox.
    TrailingCharacters,
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            AddressError::NullPath => f.write_str("the null path <> is not allowed here"),
            AddressError::MissingAngleBrackets => f.write_str("the address must be enclosed in <>"),
            AddressError::Unterminated => f.write_str("the path has no closing \">\""),
            AddressError::InvalidSourceRoute => f.write_str("malformed source route"),
            AddressError::InvalidLocalPart => f.write_str("invalid local-part"),
            AddressError::UnterminatedQuotedString => f.write_str("unterminated quoted local-part"),
            AddressError::MissingAt => f.write_str("missing \"@domain\""),
            AddressError::InvalidDomain => f.write_str("invalid domain"),
            AddressError::InvalidAddressLiteral => f.write_str("invalid address literal"),
            AddressError::DomainTooLong => write!(f, "domain longer than {MAX_DOMAIN_LEN} octets"),
            AddressError::PathTooLong { len, max } => write!(f, "path too long ({len} octets, limit {max})"),
            AddressError::InvalidUtf8 => f.write_str("the address is not UTF-8"),
            AddressError::TrailingCharacters => f.write_str("unexpected characters after the address"),
        }
    }
}

impl std::error::Error for AddressError {}

/// Why a command line was refused. [`reply_code`](Self::reply_code) gives
/// the reply a server should send; `Display` gives a one-line, ASCII-only
/// explanation suitable as reply text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandError {
    /// The line is empty (or only spaces). 500 5.5.2.
    Empty,
    /// The line is longer than the limit (RFC 5321 §4.5.3.1.4). 500 5.5.2,
    /// or 500 5.5.6 for AUTH (RFC 4954 §4).
    LineTooLong {
        /// Length of the line in octets, including CRLF.
        len: usize,
        /// The limit that applied.
        max: usize,
        /// Whether the line was an AUTH command.
        auth: bool,
    },
    /// A NUL, or a CR or LF that is not the line's final CRLF. 500 5.5.2.
    InvalidByte {
        /// The octet.
        byte: u8,
        /// Its offset in the line.
        position: usize,
    },
    /// The verb is not one this crate knows. 500 5.5.1.
    UnknownCommand {
        /// The verb as received, escaped and truncated for display.
        verb: String,
    },
    /// The arguments do not match the command's syntax. 501 5.5.2.
    Syntax {
        /// The command (upper-case verb).
        command: &'static str,
        /// What was expected.
        reason: &'static str,
    },
    /// The reverse-path of MAIL is invalid. 501 5.1.7.
    InvalidSender(AddressError),
    /// The forward-path of RCPT is invalid. 501 5.1.3.
    InvalidRecipient(AddressError),
    /// A MAIL or RCPT parameter is malformed (bad keyword, missing or
    /// unexpected value, bad xtext, bad syntax of the value). 501 5.5.2.
    InvalidParameter {
        /// The keyword (upper-case for known ones; escaped otherwise).
        keyword: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A parameter value is well-formed but out of range or not one of the
    /// defined values (`MT-PRIORITY=12`, `BODY=9BIT`). 501 5.5.4.
    InvalidParameterValue {
        /// The keyword.
        keyword: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A parameter appears twice (RFC 3461 §4.5 and generally). 501 5.5.2.
    DuplicateParameter {
        /// The keyword, as received the second time.
        keyword: String,
    },
    /// Two parameters that exclude each other (HOLDFOR and HOLDUNTIL).
    /// 501 5.5.4.
    ConflictingParameters {
        /// The first keyword.
        first: &'static str,
        /// The second keyword.
        second: &'static str,
    },
    /// A parameter the server does not recognise (RFC 5321 §4.1.1.11);
    /// produced by [`Command::reject_unknown_params`], not by parsing.
    /// 555 5.5.4.
    UnrecognizedParameter {
        /// The keyword, as received.
        keyword: String,
    },
    /// An AUTH response that is not valid base64 (RFC 4954 §4). 501 5.5.2.
    InvalidBase64,
    /// [`Command::validate`]: a field of a constructed command cannot be
    /// written so that it parses back to the same command. 501 5.5.2.
    NotRepresentable {
        /// The command (upper-case verb).
        command: &'static str,
    },
}

impl CommandError {
    /// The reply for this error: the basic code and the enhanced status
    /// code (RFC 3463) as `(class, subject, detail)`.
    ///
    /// | error | reply |
    /// | --- | --- |
    /// | empty line, NUL / bare CR / bare LF, line too long | 500 5.5.2 |
    /// | AUTH line too long | 500 5.5.6 |
    /// | unknown verb | 500 5.5.1 |
    /// | syntax of arguments or parameters, duplicate parameter, bad base64 | 501 5.5.2 |
    /// | bad reverse-path (MAIL) | 501 5.1.7 |
    /// | bad forward-path (RCPT) | 501 5.1.3 |
    /// | parameter value out of range / undefined, conflicting parameters | 501 5.5.4 |
    /// | unrecognised parameter | 555 5.5.4 |
    #[must_use]
    pub fn reply_code(&self) -> (u16, (u8, u16, u16)) {
        match self {
            CommandError::Empty | CommandError::InvalidByte { .. } => (500, (5, 5, 2)),
            CommandError::LineTooLong { auth: true, .. } => (500, (5, 5, 6)),
            CommandError::LineTooLong { auth: false, .. } => (500, (5, 5, 2)),
            CommandError::UnknownCommand { .. } => (500, (5, 5, 1)),
            CommandError::Syntax { .. }
            | CommandError::InvalidParameter { .. }
            | CommandError::DuplicateParameter { .. }
            | CommandError::InvalidBase64
            | CommandError::NotRepresentable { .. } => (501, (5, 5, 2)),
            CommandError::InvalidSender(_) => (501, (5, 1, 7)),
            CommandError::InvalidRecipient(_) => (501, (5, 1, 3)),
            CommandError::InvalidParameterValue { .. } | CommandError::ConflictingParameters { .. } => {
                (501, (5, 5, 4))
            }
            CommandError::UnrecognizedParameter { .. } => (555, (5, 5, 4)),
        }
    }

    /// The basic reply code alone (`reply_code().0`).
    #[must_use]
    pub fn code(&self) -> u16 {
        self.reply_code().0
    }

    /// The enhanced status code alone (`reply_code().1`).
    #[must_use]
    pub fn enhanced_code(&self) -> (u8, u16, u16) {
        self.reply_code().1
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Empty => f.write_str("empty command line"),
            CommandError::LineTooLong { len, max, .. } => {
                write!(f, "line too long ({len} octets, limit {max})")
            }
            CommandError::InvalidByte { byte: 0, position } => write!(f, "NUL octet at offset {position}"),
            CommandError::InvalidByte { byte, position } => {
                let name = if *byte == b'\r' { "bare CR" } else { "bare LF" };
                write!(f, "{name} at offset {position}")
            }
            CommandError::UnknownCommand { verb } => write!(f, "command \"{verb}\" unrecognized"),
            CommandError::Syntax { command, reason } => write!(f, "syntax error in {command}: {reason}"),
            CommandError::InvalidSender(e) => write!(f, "bad sender address syntax: {e}"),
            CommandError::InvalidRecipient(e) => write!(f, "bad recipient address syntax: {e}"),
            CommandError::InvalidParameter { keyword, reason } => {
                write!(f, "syntax error in parameter {keyword}: {reason}")
            }
            CommandError::InvalidParameterValue { keyword, reason } => {
                write!(f, "invalid value for parameter {keyword}: {reason}")
            }
            CommandError::DuplicateParameter { keyword } => write!(f, "parameter {keyword} given twice"),
            CommandError::ConflictingParameters { first, second } => {
                write!(f, "parameters {first} and {second} cannot be used together")
            }
            CommandError::UnrecognizedParameter { keyword } => {
                write!(f, "parameter {keyword} unrecognized")
            }
            CommandError::InvalidBase64 => f.write_str("invalid base64 in authentication response"),
            CommandError::NotRepresentable { command } => {
                write!(f, "{command} command has a field that cannot be written on the wire")
            }
        }
    }
}

impl std::error::Error for CommandError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CommandError::InvalidSender(e) | CommandError::InvalidRecipient(e) => Some(e),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------

/// A mailbox (`Local-part "@" ( Domain / address-literal )`, RFC 5321
/// §4.1.2), kept as the text received, with accessors for its parts.
///
/// The local-part keeps its wire form: a quoted local-part keeps its quotes
/// and backslashes ([`local_part`](Self::local_part)), and
/// [`local_part_unquoted`](Self::local_part_unquoted) gives its value.
/// Non-ASCII UTF-8 (RFC 6531) is accepted; [`is_ascii`](Self::is_ascii)
/// tells whether SMTPUTF8 is needed. Equality is exact (case-sensitive).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox {
    text: String,
    at: usize,
}

impl Mailbox {
    /// Parses a bare mailbox (no angle brackets), e.g. `user@example.com`,
    /// `"john smith"@[192.0.2.1]`.
    pub fn parse(s: &str) -> Result<Mailbox, AddressError> {
        let b = s.as_bytes();
        let (end, at) = scan_mailbox(b, 0)?;
        if end != b.len() {
            return Err(AddressError::TrailingCharacters);
        }
        Ok(Mailbox { text: s.to_owned(), at })
    }

    /// Builds a mailbox from an unquoted local-part value and a domain (or
    /// address literal, with its brackets), quoting the local-part when it
    /// is not a dot-string. Fails when the local-part contains control
    /// characters or the domain is invalid.
    pub fn from_parts(local_part: &str, domain: &str) -> Result<Mailbox, AddressError> {
        let mut text = String::with_capacity(local_part.len() + domain.len() + 3);
        if is_dot_string(local_part.as_bytes()) {
            text.push_str(local_part);
        } else {
            text.push('"');
            for c in local_part.chars() {
                match c {
                    '"' | '\\' => {
                        text.push('\\');
                        text.push(c);
                    }
                    ' '..='~' => text.push(c),
                    c if !c.is_ascii() => text.push(c),
                    _ => return Err(AddressError::InvalidLocalPart),
                }
            }
            text.push('"');
        }
        text.push('@');
        text.push_str(domain);
        Mailbox::parse(&text)
    }

    /// The whole mailbox as on the wire.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The local-part as on the wire (a quoted local-part keeps its quotes).
    #[must_use]
    pub fn local_part(&self) -> &str {
        self.text.get(..self.at).unwrap_or("")
    }

    /// Whether the local-part is a quoted string.
    #[must_use]
    pub fn is_quoted(&self) -> bool {
        self.text.starts_with('"')
    }

    /// The value of the local-part: quotes removed and quoted pairs
    /// resolved (`"a\"b"` gives `a"b`). Borrowed when it was not quoted.
    #[must_use]
    pub fn local_part_unquoted(&self) -> Cow<'_, str> {
        let lp = self.local_part();
        match lp.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            None => Cow::Borrowed(lp),
            Some(inner) if !inner.contains('\\') => Cow::Borrowed(inner),
            Some(inner) => {
                let mut out = String::with_capacity(inner.len());
                let mut chars = inner.chars();
                while let Some(c) = chars.next() {
                    if c == '\\' {
                        if let Some(n) = chars.next() {
                            out.push(n);
                        }
                    } else {
                        out.push(c);
                    }
                }
                Cow::Owned(out)
            }
        }
    }

    /// The domain, or the address literal with its brackets.
    #[must_use]
    pub fn domain(&self) -> &str {
        self.text.get(self.at + 1..).unwrap_or("")
    }

    /// The domain, interpreted: a name, or the address of a literal.
    #[must_use]
    pub fn host(&self) -> Host<'_> {
        let d = self.domain();
        match d.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            None => Host::Domain(d),
            Some(lit) => match lit.split_once(':') {
                None => parse_ipv4_literal(lit.as_bytes()).map_or(Host::Domain(d), Host::Ipv4),
                Some((tag, rest)) if tag.eq_ignore_ascii_case("IPv6") => {
                    Ipv6Addr::from_str(rest).map_or(Host::Domain(d), Host::Ipv6)
                }
                Some((tag, content)) => Host::General { tag, content },
            },
        }
    }

    /// Whether the mailbox is all ASCII (if not, the client must have given
    /// the SMTPUTF8 parameter, RFC 6531 §3.4).
    #[must_use]
    pub fn is_ascii(&self) -> bool {
        self.text.is_ascii()
    }

    /// The mailbox text.
    #[must_use]
    pub fn into_string(self) -> String {
        self.text
    }
}

impl FromStr for Mailbox {
    type Err = AddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mailbox::parse(s)
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl AsRef<str> for Mailbox {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// The domain part of a [`Mailbox`], interpreted (RFC 5321 §4.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host<'a> {
    /// A domain name (possibly with U-labels).
    Domain(&'a str),
    /// An IPv4 address literal, `[192.0.2.1]`.
    Ipv4(Ipv4Addr),
    /// An IPv6 address literal, `[IPv6:2001:db8::1]`.
    Ipv6(Ipv6Addr),
    /// A general address literal, `[tag:content]`.
    General {
        /// The standardized tag.
        tag: &'a str,
        /// The content after the colon.
        content: &'a str,
    },
}

/// The argument of MAIL FROM: the null path `<>` or a mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReversePath {
    /// `<>`, used for notifications (RFC 5321 §3.6.3, §4.5.5).
    Null,
    /// `<mailbox>`.
    Mailbox(Mailbox),
}

impl ReversePath {
    /// Parses `<>` or `<mailbox>` (source routes dropped), with no length
    /// limit.
    pub fn parse(s: &str) -> Result<ReversePath, AddressError> {
        let (path, end) = scan_path(s.as_bytes(), false, usize::MAX, Src::from_str(s))?;
        if end != s.len() {
            return Err(AddressError::TrailingCharacters);
        }
        match path {
            Path::Null => Ok(ReversePath::Null),
            Path::Mailbox(m) => Ok(ReversePath::Mailbox(m)),
            Path::Postmaster => Err(AddressError::MissingAt),
        }
    }

    /// The mailbox, unless the path is null.
    #[must_use]
    pub fn mailbox(&self) -> Option<&Mailbox> {
        match self {
            ReversePath::Null => None,
            ReversePath::Mailbox(m) => Some(m),
        }
    }

    /// Whether this is `<>`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, ReversePath::Null)
    }

    /// Whether the path is all ASCII.
    #[must_use]
    pub fn is_ascii(&self) -> bool {
        self.mailbox().is_none_or(Mailbox::is_ascii)
    }
}

impl fmt::Display for ReversePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReversePath::Null => f.write_str("<>"),
            ReversePath::Mailbox(m) => write!(f, "<{m}>"),
        }
    }
}

/// The argument of RCPT TO: a mailbox, or the bare `<Postmaster>` (RFC 5321
/// §4.1.1.3; `<Postmaster@domain>` is an ordinary mailbox).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ForwardPath {
    /// `<Postmaster>` (matched case-insensitively, written `<Postmaster>`).
    Postmaster,
    /// `<mailbox>`.
    Mailbox(Mailbox),
}

impl ForwardPath {
    /// Parses `<Postmaster>` or `<mailbox>` (source routes dropped), with no
    /// length limit.
    pub fn parse(s: &str) -> Result<ForwardPath, AddressError> {
        let (path, end) = scan_path(s.as_bytes(), true, usize::MAX, Src::from_str(s))?;
        if end != s.len() {
            return Err(AddressError::TrailingCharacters);
        }
        match path {
            Path::Null => Err(AddressError::NullPath),
            Path::Mailbox(m) => Ok(ForwardPath::Mailbox(m)),
            Path::Postmaster => Ok(ForwardPath::Postmaster),
        }
    }

    /// The mailbox, unless the path is `<Postmaster>`.
    #[must_use]
    pub fn mailbox(&self) -> Option<&Mailbox> {
        match self {
            ForwardPath::Postmaster => None,
            ForwardPath::Mailbox(m) => Some(m),
        }
    }

    /// Whether this is the bare `<Postmaster>`.
    #[must_use]
    pub fn is_postmaster(&self) -> bool {
        matches!(self, ForwardPath::Postmaster)
    }

    /// Whether the path is all ASCII.
    #[must_use]
    pub fn is_ascii(&self) -> bool {
        self.mailbox().is_none_or(Mailbox::is_ascii)
    }
}

impl fmt::Display for ForwardPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForwardPath::Postmaster => f.write_str("<Postmaster>"),
            ForwardPath::Mailbox(m) => write!(f, "<{m}>"),
        }
    }
}

fn is_dot_string(s: &[u8]) -> bool {
    !s.is_empty()
        && s.split(|&b| b == b'.').all(|atom| !atom.is_empty() && atom.iter().all(|&b| class(b, C_ATEXT)))
}

/// Scans `Local-part "@" ( Domain / address-literal )` from `i`; returns
/// the offset after it and the offset of the `@`.
fn scan_mailbox(s: &[u8], mut i: usize) -> Result<(usize, usize), AddressError> {
    if s.get(i) == Some(&b'"') {
        i += 1;
        loop {
            match s.get(i) {
                None => return Err(AddressError::UnterminatedQuotedString),
                Some(b'"') => {
                    i += 1;
                    break;
                }
                Some(b'\\') => match s.get(i + 1) {
                    Some(&c) if (32..=126).contains(&c) => i += 2,
                    None => return Err(AddressError::UnterminatedQuotedString),
                    Some(_) => return Err(AddressError::InvalidLocalPart),
                },
                Some(&c) if class(c, C_QTEXT) => i += 1,
                Some(_) => return Err(AddressError::InvalidLocalPart),
            }
        }
    } else {
        loop {
            let atom = i;
            i = skip(s, i, C_ATEXT);
            if i == atom {
                return Err(match s.get(i) {
                    None | Some(b'>') if atom > 0 && s.get(atom - 1) != Some(&b'.') => {
                        AddressError::MissingAt
                    }
                    _ => AddressError::InvalidLocalPart,
                });
            }
            if s.get(i) == Some(&b'.') {
                i += 1;
            } else {
                break;
            }
        }
    }
    let at = i;
    match s.get(i) {
        Some(b'@') => {}
        None | Some(b'>') => return Err(AddressError::MissingAt),
        Some(_) => return Err(AddressError::InvalidLocalPart),
    }
    let end = scan_host(s, i + 1)?;
    Ok((end, at))
}

/// Scans `Domain / address-literal` from `i`; returns the offset after it.
fn scan_host(s: &[u8], i: usize) -> Result<usize, AddressError> {
    if s.get(i) != Some(&b'[') {
        return scan_domain(s, i);
    }
    let start = i + 1;
    let j = skip(s, start, C_DCONTENT);
    if s.get(j) != Some(&b']') {
        return Err(AddressError::InvalidAddressLiteral);
    }
    if !is_valid_literal(&s[start..j]) {
        return Err(AddressError::InvalidAddressLiteral);
    }
    if j + 1 - i > MAX_DOMAIN_LEN {
        return Err(AddressError::DomainTooLong);
    }
    Ok(j + 1)
}

/// Scans `sub-domain *("." sub-domain)` from `i` (labels of letters,
/// digits, hyphens and UTF-8, not starting or ending with a hyphen).
fn scan_domain(s: &[u8], mut i: usize) -> Result<usize, AddressError> {
    let start = i;
    loop {
        if !s.get(i).is_some_and(|&b| class(b, C_LETDIG)) {
            return Err(AddressError::InvalidDomain);
        }
        i = skip(s, i + 1, C_LDH);
        if s[i - 1] == b'-' {
            return Err(AddressError::InvalidDomain);
        }
        if s.get(i) == Some(&b'.') {
            i += 1;
        } else {
            break;
        }
    }
    if i - start > MAX_DOMAIN_LEN {
        return Err(AddressError::DomainTooLong);
    }
    Ok(i)
}

fn parse_ipv4_literal(s: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = s.split(|&b| b == b'.');
    for o in &mut octets {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let v = p.iter().fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
        *o = u8::try_from(v).ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(Ipv4Addr::from(octets))
}

/// The content of `[...]`: IPv4, `IPv6:` address or `tag:dcontent`.
fn is_valid_literal(lit: &[u8]) -> bool {
    match lit.iter().position(|&b| b == b':') {
        None => parse_ipv4_literal(lit).is_some(),
        Some(colon) => {
            let (tag, content) = (&lit[..colon], &lit[colon + 1..]);
            if tag.eq_ignore_ascii_case(b"IPv6") {
                std::str::from_utf8(content).ok().and_then(|c| Ipv6Addr::from_str(c).ok()).is_some()
            } else {
                // Standardized-tag = Ldh-str: ends with a letter or digit.
                !tag.is_empty()
                    && tag.iter().all(|&b| class(b, C_KEYWORD))
                    && tag.last().is_some_and(u8::is_ascii_alphanumeric)
                    && !content.is_empty()
            }
        }
    }
}

enum Path {
    Null,
    Postmaster,
    Mailbox(Mailbox),
}

/// Scans a path starting at `s[0] == '<'`; returns it and the offset after
/// the closing `>`.
#[inline]
fn scan_path<'a>(
    s: &'a [u8],
    allow_postmaster: bool,
    max_len: usize,
    src: Src<'a>,
) -> Result<(Path, usize), AddressError> {
    if s.first() != Some(&b'<') {
        return Err(AddressError::MissingAngleBrackets);
    }
    if s.get(1) == Some(&b'>') {
        return Ok((Path::Null, 2));
    }
    let mut i = 1;
    if s.get(i) == Some(&b'@') {
        // A-d-l ":" — accepted and ignored.
        loop {
            i = scan_domain(s, i + 1).map_err(|_| AddressError::InvalidSourceRoute)?;
            match s.get(i) {
                Some(b',') if s.get(i + 1) == Some(&b'@') => i += 1,
                Some(b':') => {
                    i += 1;
                    break;
                }
                _ => return Err(AddressError::InvalidSourceRoute),
            }
        }
    }
    if allow_postmaster {
        if let Some(rest) = s.get(i..i + 11) {
            if rest[10] == b'>' && rest[..10].eq_ignore_ascii_case(b"postmaster") {
                let end = i + 11;
                if end > max_len {
                    return Err(AddressError::PathTooLong { len: end, max: max_len });
                }
                return Ok((Path::Postmaster, end));
            }
        }
    }
    let start = i;
    let (end, at) = match scan_mailbox(s, i) {
        Ok(v) => v,
        Err(AddressError::MissingAt) if s.get(i..).is_some_and(|r| !r.contains(&b'>')) => {
            return Err(AddressError::Unterminated);
        }
        Err(e) => return Err(e),
    };
    match s.get(end) {
        Some(b'>') => {}
        None => return Err(AddressError::Unterminated),
        Some(_) if s[start..].contains(&b'>') => return Err(AddressError::InvalidDomain),
        Some(_) => return Err(AddressError::Unterminated),
    }
    if end + 1 > max_len {
        return Err(AddressError::PathTooLong { len: end + 1, max: max_len });
    }
    let text = src.str(&s[start..end]).ok_or(AddressError::InvalidUtf8)?;
    Ok((Path::Mailbox(Mailbox { text: text.to_owned(), at: at - start }), end + 1))
}

/// What follows the path: nothing, or whitespace and parameters.
fn after_path(s: &[u8], end: usize) -> Result<&[u8], AddressError> {
    match s.get(end) {
        None => Ok(&[]),
        Some(&b) if is_ws(b) => Ok(trim_start_ws(&s[end..])),
        Some(_) => Err(AddressError::TrailingCharacters),
    }
}

// ---------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------

/// The BODY parameter of MAIL (RFC 6152, RFC 3030).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Body {
    /// `BODY=7BIT`.
    SevenBit,
    /// `BODY=8BITMIME` (RFC 6152).
    EightBitMime,
    /// `BODY=BINARYMIME` (RFC 3030; requires BDAT).
    BinaryMime,
}

impl Body {
    /// The keyword as written on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Body::SevenBit => "7BIT",
            Body::EightBitMime => "8BITMIME",
            Body::BinaryMime => "BINARYMIME",
        }
    }
}

/// The RET parameter of MAIL (RFC 3461 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ret {
    /// `RET=FULL`: return the whole message in failure DSNs.
    Full,
    /// `RET=HDRS`: return only the header.
    Hdrs,
}

impl Ret {
    /// The keyword as written on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Ret::Full => "FULL",
            Ret::Hdrs => "HDRS",
        }
    }
}

/// The AUTH parameter of MAIL (RFC 4954 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthParam {
    /// `AUTH=<>`: the original submitter is not known.
    Unknown,
    /// `AUTH=mailbox` (decoded from xtext).
    Mailbox(Mailbox),
}

/// HOLDFOR or HOLDUNTIL on MAIL (RFC 4865); the two exclude each other.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FutureRelease {
    /// `HOLDFOR=seconds`.
    For(u64),
    /// `HOLDUNTIL=date-time`, the RFC 3339 text as received (checked for
    /// syntax, not converted).
    Until(String),
}

/// The by-mode of the BY parameter (RFC 2852 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByMode {
    /// `N`: notify (a delayed DSN) if not delivered in time.
    Notify,
    /// `R`: return the message if not delivered in time.
    Return,
}

/// The BY parameter of MAIL (RFC 2852): `BY=seconds;mode[T]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeliverBy {
    /// The by-time in seconds, -999999999..=999999999; positive for
    /// [`ByMode::Return`].
    pub seconds: i64,
    /// What to do when the time passes.
    pub mode: ByMode,
    /// Whether trace is requested (`T`).
    pub trace: bool,
}

/// The largest absolute by-time of RFC 2852 (`1*9DIGIT`).
pub const MAX_BY_TIME: i64 = 999_999_999;

/// Parameters of MAIL FROM. Absent parameters are `None` / `false`;
/// anything not recognised is kept in `unknown`, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MailParams {
    /// `SIZE=` (RFC 1870): the declared message size in octets.
    pub size: Option<u64>,
    /// `BODY=` (RFC 6152, RFC 3030).
    pub body: Option<Body>,
    /// `SMTPUTF8` (RFC 6531).
    pub smtputf8: bool,
    /// `RET=` (RFC 3461).
    pub ret: Option<Ret>,
    /// `ENVID=` (RFC 3461), decoded from xtext.
    pub envid: Option<String>,
    /// `AUTH=` (RFC 4954), decoded from xtext.
    pub auth: Option<AuthParam>,
    /// `REQUIRETLS` (RFC 8689).
    pub requiretls: bool,
    /// `MT-PRIORITY=` (RFC 6710), -9..=9.
    pub mt_priority: Option<i8>,
    /// `HOLDFOR=` / `HOLDUNTIL=` (RFC 4865).
    pub hold: Option<FutureRelease>,
    /// `BY=` (RFC 2852).
    pub by: Option<DeliverBy>,
    /// Other parameters: keyword as received, and value if any.
    pub unknown: Vec<(String, Option<String>)>,
}

/// The NOTIFY parameter of RCPT (RFC 3461 §4.1): `NEVER`, or a non-empty
/// set of SUCCESS, FAILURE and DELAY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Notify(u8);

impl Notify {
    /// `NOTIFY=NEVER`.
    pub const NEVER: Notify = Notify(0);
    /// `NOTIFY=SUCCESS`.
    pub const SUCCESS: Notify = Notify(1);
    /// `NOTIFY=FAILURE`.
    pub const FAILURE: Notify = Notify(2);
    /// `NOTIFY=DELAY`.
    pub const DELAY: Notify = Notify(4);

    /// A set of conditions; `None` if all three are false (use
    /// [`Notify::NEVER`] for that).
    #[must_use]
    pub const fn on(success: bool, failure: bool, delay: bool) -> Option<Notify> {
        let bits = (success as u8) | (failure as u8) << 1 | (delay as u8) << 2;
        if bits == 0 { None } else { Some(Notify(bits)) }
    }

    /// The union of two sets of conditions (`NEVER` is the empty set).
    #[must_use]
    pub const fn union(self, other: Notify) -> Notify {
        Notify(self.0 | other.0)
    }

    /// Whether this is `NEVER`.
    #[must_use]
    pub const fn is_never(self) -> bool {
        self.0 == 0
    }

    /// Whether SUCCESS is requested.
    #[must_use]
    pub const fn success(self) -> bool {
        self.0 & 1 != 0
    }

    /// Whether FAILURE is requested.
    #[must_use]
    pub const fn failure(self) -> bool {
        self.0 & 2 != 0
    }

    /// Whether DELAY is requested.
    #[must_use]
    pub const fn delay(self) -> bool {
        self.0 & 4 != 0
    }

    fn write(self, out: &mut Vec<u8>) {
        if self.is_never() {
            out.extend_from_slice(b"NEVER");
            return;
        }
        let mut first = true;
        for (on, name) in [(self.success(), "SUCCESS"), (self.failure(), "FAILURE"), (self.delay(), "DELAY")]
        {
            if on {
                if !first {
                    out.push(b',');
                }
                out.extend_from_slice(name.as_bytes());
                first = false;
            }
        }
    }
}

/// The ORCPT parameter of RCPT (RFC 3461 §4.2): `addr-type;xtext`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OriginalRecipient {
    /// The address type as received, usually `rfc822` (compare it
    /// case-insensitively).
    pub addr_type: String,
    /// The address, decoded from xtext. (For the `utf-8` type of RFC 6533,
    /// its `\x{...}` escapes are left as they are.)
    pub address: String,
}

/// Parameters of RCPT TO.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RcptParams {
    /// `NOTIFY=` (RFC 3461).
    pub notify: Option<Notify>,
    /// `ORCPT=` (RFC 3461).
    pub orcpt: Option<OriginalRecipient>,
    /// Other parameters: keyword as received, and value if any.
    pub unknown: Vec<(String, Option<String>)>,
}

/// The parameter `param` (up to the next space) has a bad keyword.
fn bad_keyword(param: &[u8]) -> CommandError {
    let tok = &param[..param.iter().position(|&b| is_ws(b)).unwrap_or(param.len())];
    let shown = tok.iter().position(|&b| b == b'=').map_or(tok, |eq| &tok[..eq]);
    CommandError::InvalidParameter {
        keyword: escaped(shown),
        reason: "a keyword is a letter or digit followed by letters, digits and hyphens",
    }
}

/// An `esmtp-param`, `keyword["=" value]` (RFC 5321 §4.1.2).
struct Param<'a> {
    kw: &'a [u8],
    val: Option<&'a [u8]>,
}

/// Iterator over the parameters of MAIL or RCPT, separated by runs of SP /
/// HT; the keyword and value are checked against RFC 5321's grammar as
/// they are split off, in one pass.
struct Params<'a> {
    s: &'a [u8],
}

impl<'a> Params<'a> {
    // Always inlined: a `Result` this large comes back through memory.
    #[inline(always)]
    fn split(&mut self) -> Result<Param<'a>, CommandError> {
        let s = self.s;
        let k = skip(s, 0, C_KEYWORD);
        let kw = &s[..k];
        if kw.first().is_none_or(|b| !b.is_ascii_alphanumeric()) {
            return Err(bad_keyword(s));
        }
        let (val, end) = match s.get(k) {
            None => (None, k),
            Some(&b) if is_ws(b) => (None, k),
            Some(b'=') => {
                let end = skip_words(s, k + 1, not_value);
                if s.get(end).is_some_and(|&b| !is_ws(b)) {
                    return Err(CommandError::InvalidParameter {
                        keyword: escaped(kw),
                        reason: "the value contains \"=\" or a control character",
                    });
                }
                if end == k + 1 {
                    return Err(CommandError::InvalidParameter {
                        keyword: escaped(kw),
                        reason: "empty value after \"=\"",
                    });
                }
                (Some(&s[k + 1..end]), end)
            }
            Some(_) => return Err(bad_keyword(s)),
        };
        self.s = trim_start_ws(&s[end..]);
        Ok(Param { kw, val })
    }
}

impl<'a> Iterator for Params<'a> {
    type Item = Result<Param<'a>, CommandError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.s.is_empty() { None } else { Some(self.split()) }
    }
}

fn params(s: &[u8]) -> Params<'_> {
    Params { s: trim_start_ws(s) }
}

fn param_err(keyword: &'static str, reason: &'static str) -> CommandError {
    CommandError::InvalidParameter { keyword: keyword.to_owned(), reason }
}

fn value_err(keyword: &'static str, reason: &'static str) -> CommandError {
    CommandError::InvalidParameterValue { keyword: keyword.to_owned(), reason }
}

fn dup(kw: &[u8]) -> CommandError {
    CommandError::DuplicateParameter { keyword: escaped(kw) }
}

fn need_value<'a>(keyword: &'static str, val: Option<&'a [u8]>) -> Result<&'a [u8], CommandError> {
    val.ok_or_else(|| param_err(keyword, "a value is required"))
}

fn no_value(keyword: &'static str, val: Option<&[u8]>) -> Result<(), CommandError> {
    match val {
        None => Ok(()),
        Some(_) => Err(param_err(keyword, "this parameter takes no value")),
    }
}

fn push_unknown<'a>(
    unknown: &mut Vec<(String, Option<String>)>,
    Param { kw, val }: Param<'a>,
    src: Src<'a>,
) -> Result<(), CommandError> {
    if unknown.iter().any(|(k, _)| k.as_bytes().eq_ignore_ascii_case(kw)) {
        return Err(dup(kw));
    }
    // The keyword is ASCII (checked by Params).
    let k = src.owned(kw);
    let v = match val {
        None => None,
        Some(v) => Some(
            src.str(v)
                .ok_or_else(|| CommandError::InvalidParameter {
                    keyword: k.clone(),
                    reason: "the value is not UTF-8",
                })?
                .to_owned(),
        ),
    };
    unknown.push((k, v));
    Ok(())
}

#[inline]
fn xtext_value<'a>(keyword: &'static str, v: &'a [u8], src: Src<'a>) -> Result<String, CommandError> {
    let decoded = match src.str(v) {
        // Params has excluded "=", SP and controls: without "+" the value
        // is xtext standing for itself.
        Some(s) if !v.contains(&b'+') => return Ok(s.to_owned()),
        Some(s) => xtext::decode(s),
        // Not UTF-8 as it stands, but hexchars may complete a character.
        None => xtext::decode_bytes(v)
            .and_then(|bytes| String::from_utf8(bytes).map_err(|_| xtext::XtextError::InvalidUtf8)),
    };
    decoded.map_err(|e| match e {
        xtext::XtextError::InvalidUtf8 => param_err(keyword, "the decoded value is not UTF-8"),
        _ => param_err(keyword, "invalid xtext"),
    })
}

#[derive(Clone, Copy)]
enum MailKw {
    Size,
    Body,
    SmtpUtf8,
    Ret,
    Envid,
    Auth,
    RequireTls,
    MtPriority,
    HoldFor,
    HoldUntil,
    By,
}

fn mail_keyword(kw: &[u8]) -> Option<MailKw> {
    let eq = |s: &[u8]| kw.eq_ignore_ascii_case(s);
    Some(match kw.len() {
        2 if is_word(kw, b"BY") => MailKw::By,
        3 if is_word(kw, b"RET") => MailKw::Ret,
        4 if is_word(kw, b"SIZE") => MailKw::Size,
        4 if is_word(kw, b"BODY") => MailKw::Body,
        4 if is_word(kw, b"AUTH") => MailKw::Auth,
        5 if is_word(kw, b"ENVID") => MailKw::Envid,
        7 if is_word(kw, b"HOLDFOR") => MailKw::HoldFor,
        8 if is_word(kw, b"SMTPUTF8") => MailKw::SmtpUtf8,
        9 if eq(b"HOLDUNTIL") => MailKw::HoldUntil,
        10 if eq(b"REQUIRETLS") => MailKw::RequireTls,
        11 if eq(b"MT-PRIORITY") => MailKw::MtPriority,
        _ => return None,
    })
}

fn parse_mail_params<'a>(s: &'a [u8], src: Src<'a>) -> Result<MailParams, CommandError> {
    let mut p = MailParams::default();
    for param in params(s) {
        let param = param?;
        let (kw, val) = (param.kw, param.val);
        let Some(known) = mail_keyword(kw) else {
            push_unknown(&mut p.unknown, param, src)?;
            continue;
        };
        match known {
            MailKw::Size => {
                if p.size.is_some() {
                    return Err(dup(kw));
                }
                let v = need_value("SIZE", val)?;
                p.size = Some(parse_u64(v).map_err(|e| match e {
                    NumError::Syntax => param_err("SIZE", "the value must be decimal digits"),
                    NumError::Overflow => value_err("SIZE", "the value is too large"),
                })?);
            }
            MailKw::Body => {
                if p.body.is_some() {
                    return Err(dup(kw));
                }
                let v = need_value("BODY", val)?;
                p.body = Some(if is_word(v, b"7BIT") {
                    Body::SevenBit
                } else if is_word(v, b"8BITMIME") {
                    Body::EightBitMime
                } else if v.eq_ignore_ascii_case(b"BINARYMIME") {
                    Body::BinaryMime
                } else {
                    return Err(value_err("BODY", "expected 7BIT, 8BITMIME or BINARYMIME"));
                });
            }
            MailKw::SmtpUtf8 => {
                if p.smtputf8 {
                    return Err(dup(kw));
                }
                no_value("SMTPUTF8", val)?;
                p.smtputf8 = true;
            }
            MailKw::Ret => {
                if p.ret.is_some() {
                    return Err(dup(kw));
                }
                let v = need_value("RET", val)?;
                p.ret = Some(if is_word(v, b"FULL") {
                    Ret::Full
                } else if is_word(v, b"HDRS") {
                    Ret::Hdrs
                } else {
                    return Err(value_err("RET", "expected FULL or HDRS"));
                });
            }
            MailKw::Envid => {
                if p.envid.is_some() {
                    return Err(dup(kw));
                }
                p.envid = Some(xtext_value("ENVID", need_value("ENVID", val)?, src)?);
            }
            MailKw::Auth => {
                if p.auth.is_some() {
                    return Err(dup(kw));
                }
                let decoded = xtext_value("AUTH", need_value("AUTH", val)?, src)?;
                p.auth = Some(if decoded == "<>" {
                    AuthParam::Unknown
                } else {
                    AuthParam::Mailbox(
                        Mailbox::parse(&decoded)
                            .map_err(|_| value_err("AUTH", "expected a mailbox or <>"))?,
                    )
                });
            }
            MailKw::RequireTls => {
                if p.requiretls {
                    return Err(dup(kw));
                }
                no_value("REQUIRETLS", val)?;
                p.requiretls = true;
            }
            MailKw::MtPriority => {
                if p.mt_priority.is_some() {
                    return Err(dup(kw));
                }
                p.mt_priority = Some(parse_priority(need_value("MT-PRIORITY", val)?)?);
            }
            MailKw::HoldFor | MailKw::HoldUntil => {
                if let Some(prev) = &p.hold {
                    let same = matches!(
                        (prev, known),
                        (FutureRelease::For(_), MailKw::HoldFor)
                            | (FutureRelease::Until(_), MailKw::HoldUntil)
                    );
                    return Err(if same {
                        dup(kw)
                    } else {
                        CommandError::ConflictingParameters { first: "HOLDFOR", second: "HOLDUNTIL" }
                    });
                }
                p.hold = Some(if let MailKw::HoldFor = known {
                    let v = need_value("HOLDFOR", val)?;
                    FutureRelease::For(parse_u64(v).map_err(|e| match e {
                        NumError::Syntax => param_err("HOLDFOR", "the value must be decimal digits"),
                        NumError::Overflow => value_err("HOLDFOR", "the value is too large"),
                    })?)
                } else {
                    let v = need_value("HOLDUNTIL", val)?;
                    if !is_rfc3339_date_time(v) {
                        return Err(param_err("HOLDUNTIL", "the value must be an RFC 3339 date-time"));
                    }
                    // ASCII, checked by is_rfc3339_date_time.
                    FutureRelease::Until(src.owned(v))
                });
            }
            MailKw::By => {
                if p.by.is_some() {
                    return Err(dup(kw));
                }
                p.by = Some(parse_by(need_value("BY", val)?)?);
            }
        }
    }
    Ok(p)
}

/// RFC 6710 §3: `priority-value = [ "+" / "-" ] DIGIT`, -9..=9.
fn parse_priority(v: &[u8]) -> Result<i8, CommandError> {
    let (neg, digits) = match v {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, v),
    };
    match digits {
        [d] if d.is_ascii_digit() => {
            let n = (d - b'0') as i8;
            Ok(if neg { -n } else { n })
        }
        _ if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => {
            Err(value_err("MT-PRIORITY", "the priority must be between -9 and 9"))
        }
        _ => Err(param_err("MT-PRIORITY", "expected an optional sign and one digit")),
    }
}

/// RFC 2852 §4: `by-time ";" by-mode [by-trace]`.
fn parse_by(v: &[u8]) -> Result<DeliverBy, CommandError> {
    let semi =
        memchr::memchr(b';', v).ok_or_else(|| param_err("BY", "expected by-time;by-mode, e.g. BY=120;R"))?;
    let (time, mode) = (&v[..semi], &v[semi + 1..]);
    let (neg, digits) = match time {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, time),
    };
    let n = parse_u64(digits).map_err(|e| match e {
        NumError::Syntax => param_err("BY", "the by-time must be an optionally signed number"),
        NumError::Overflow => value_err("BY", "the by-time must be between -999999999 and 999999999"),
    })?;
    if digits.len() > 9 || n > MAX_BY_TIME as u64 {
        return Err(value_err("BY", "the by-time must be between -999999999 and 999999999"));
    }
    let seconds = if neg { -(n as i64) } else { n as i64 };
    let (mode, trace) = match mode {
        [m] => (*m, false),
        [m, t] if t.eq_ignore_ascii_case(&b'T') => (*m, true),
        _ => return Err(param_err("BY", "the by-mode must be N or R, optionally followed by T")),
    };
    let mode = match mode.to_ascii_uppercase() {
        b'N' => ByMode::Notify,
        b'R' => ByMode::Return,
        _ => return Err(param_err("BY", "the by-mode must be N or R, optionally followed by T")),
    };
    if mode == ByMode::Return && seconds <= 0 {
        return Err(value_err("BY", "by-mode R requires a by-time greater than zero"));
    }
    Ok(DeliverBy { seconds, mode, trace })
}

/// RFC 3339 §5.6 `date-time` (with "T" and "Z" in either case).
fn is_rfc3339_date_time(v: &[u8]) -> bool {
    fn num(v: &[u8], at: usize, len: usize) -> Option<u32> {
        let s = v.get(at..at + len)?;
        if !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(s.iter().fold(0u32, |a, &d| a * 10 + u32::from(d - b'0')))
    }
    let check = || -> Option<()> {
        let _year = num(v, 0, 4)?;
        let month = num(v, 5, 2)?;
        let day = num(v, 8, 2)?;
        let hour = num(v, 11, 2)?;
        let minute = num(v, 14, 2)?;
        let second = num(v, 17, 2)?;
        if v[4] != b'-'
            || v[7] != b'-'
            || !v[10].eq_ignore_ascii_case(&b'T')
            || v[13] != b':'
            || v[16] != b':'
        {
            return None;
        }
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let mut i = 19;
        if v.get(i) == Some(&b'.') {
            let n = v.get(i + 1..)?.iter().take_while(|b| b.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            i += 1 + n;
        }
        match v.get(i)? {
            b'Z' | b'z' if v.len() == i + 1 => Some(()),
            b'+' | b'-' => {
                let oh = num(v, i + 1, 2)?;
                let om = num(v, i + 4, 2)?;
                (v.get(i + 3) == Some(&b':') && v.len() == i + 6 && oh <= 23 && om <= 59).then_some(())
            }
            _ => None,
        }
    };
    check().is_some()
}

fn parse_rcpt_params<'a>(s: &'a [u8], src: Src<'a>) -> Result<RcptParams, CommandError> {
    let mut p = RcptParams::default();
    for param in params(s) {
        let param = param?;
        let (kw, val) = (param.kw, param.val);
        if is_word(kw, b"NOTIFY") {
            if p.notify.is_some() {
                return Err(dup(kw));
            }
            p.notify = Some(parse_notify(need_value("NOTIFY", val)?)?);
        } else if is_word(kw, b"ORCPT") {
            if p.orcpt.is_some() {
                return Err(dup(kw));
            }
            let v = need_value("ORCPT", val)?;
            let semi = v.iter().position(|&b| b == b';').ok_or_else(|| {
                param_err("ORCPT", "expected addr-type;address, e.g. ORCPT=rfc822;user@example.com")
            })?;
            let (ty, addr) = (&v[..semi], &v[semi + 1..]);
            if ty.is_empty() || !ty.iter().all(|&b| b.is_ascii() && class(b, C_ATEXT)) {
                return Err(param_err("ORCPT", "the addr-type must be an atom"));
            }
            if addr.is_empty() {
                return Err(param_err("ORCPT", "the address is empty"));
            }
            p.orcpt = Some(OriginalRecipient {
                addr_type: src.owned(ty),
                address: xtext_value("ORCPT", addr, src)?,
            });
        } else {
            push_unknown(&mut p.unknown, param, src)?;
        }
    }
    Ok(p)
}

/// RFC 3461 §4.1: `"NEVER" / 1#notify-list-element`.
fn parse_notify(v: &[u8]) -> Result<Notify, CommandError> {
    if is_word(v, b"NEVER") {
        return Ok(Notify::NEVER);
    }
    let mut n = Notify(0);
    for item in v.split(|&b| b == b',') {
        n = n.union(if is_word(item, b"SUCCESS") {
            Notify::SUCCESS
        } else if is_word(item, b"FAILURE") {
            Notify::FAILURE
        } else if is_word(item, b"DELAY") {
            Notify::DELAY
        } else if is_word(item, b"NEVER") {
            return Err(value_err("NOTIFY", "NEVER must appear by itself"));
        } else if item.is_empty() {
            return Err(param_err("NOTIFY", "empty element in the list"));
        } else {
            return Err(value_err(
                "NOTIFY",
                "expected NEVER, or SUCCESS, FAILURE and DELAY separated by commas",
            ));
        });
    }
    Ok(n)
}

fn write_unknown(out: &mut Vec<u8>, unknown: &[(String, Option<String>)]) {
    for (k, v) in unknown {
        out.push(b' ');
        push_text(out, k);
        if let Some(v) = v {
            out.push(b'=');
            push_text(out, v);
        }
    }
}

impl MailParams {
    /// Whether no parameter at all was given.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == MailParams::default()
    }

    fn write(&self, out: &mut Vec<u8>) {
        if let Some(n) = self.size {
            out.extend_from_slice(b" SIZE=");
            push_u64(out, n);
        }
        if let Some(b) = self.body {
            out.extend_from_slice(b" BODY=");
            out.extend_from_slice(b.as_str().as_bytes());
        }
        if self.smtputf8 {
            out.extend_from_slice(b" SMTPUTF8");
        }
        if let Some(r) = self.ret {
            out.extend_from_slice(b" RET=");
            out.extend_from_slice(r.as_str().as_bytes());
        }
        if let Some(e) = &self.envid {
            out.extend_from_slice(b" ENVID=");
            xtext::encode_into(e.as_bytes(), out);
        }
        match &self.auth {
            None => {}
            Some(AuthParam::Unknown) => out.extend_from_slice(b" AUTH=<>"),
            Some(AuthParam::Mailbox(m)) => {
                out.extend_from_slice(b" AUTH=");
                xtext::encode_into(m.as_str().as_bytes(), out);
            }
        }
        if self.requiretls {
            out.extend_from_slice(b" REQUIRETLS");
        }
        if let Some(p) = self.mt_priority {
            out.extend_from_slice(b" MT-PRIORITY=");
            push_i64(out, i64::from(p));
        }
        match &self.hold {
            None => {}
            Some(FutureRelease::For(n)) => {
                out.extend_from_slice(b" HOLDFOR=");
                push_u64(out, *n);
            }
            Some(FutureRelease::Until(t)) => {
                out.extend_from_slice(b" HOLDUNTIL=");
                push_text(out, t);
            }
        }
        if let Some(by) = self.by {
            out.extend_from_slice(b" BY=");
            push_i64(out, by.seconds);
            out.extend_from_slice(match (by.mode, by.trace) {
                (ByMode::Notify, false) => b";N",
                (ByMode::Notify, true) => b";NT",
                (ByMode::Return, false) => b";R",
                (ByMode::Return, true) => b";RT",
            });
        }
        write_unknown(out, &self.unknown);
    }
}

impl RcptParams {
    /// Whether no parameter at all was given.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == RcptParams::default()
    }

    fn write(&self, out: &mut Vec<u8>) {
        if let Some(n) = self.notify {
            out.extend_from_slice(b" NOTIFY=");
            n.write(out);
        }
        if let Some(o) = &self.orcpt {
            out.extend_from_slice(b" ORCPT=");
            push_text(out, &o.addr_type);
            out.push(b';');
            xtext::encode_into(o.address.as_bytes(), out);
        }
        write_unknown(out, &self.unknown);
    }
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

/// One SMTP / ESMTP / LMTP command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `EHLO domain` (RFC 5321 §4.1.1.1). The domain is the first word of
    /// the argument, any printable ASCII (not checked as a domain name).
    Ehlo {
        /// The client's domain or address literal.
        domain: String,
    },
    /// `HELO domain`.
    Helo {
        /// The client's domain.
        domain: String,
    },
    /// `LHLO domain` (RFC 2033 §4.1).
    Lhlo {
        /// The client's domain.
        domain: String,
    },
    /// `MAIL FROM:<reverse-path> [parameters]`.
    Mail {
        /// The sender, or `<>`.
        from: ReversePath,
        /// The parameters.
        params: MailParams,
    },
    /// `RCPT TO:<forward-path> [parameters]`.
    Rcpt {
        /// The recipient.
        to: ForwardPath,
        /// The parameters.
        params: RcptParams,
    },
    /// `DATA`.
    Data,
    /// `BDAT chunk-size [LAST]` (RFC 3030); the chunk's octets follow the
    /// line.
    Bdat {
        /// Octets in the chunk.
        size: u64,
        /// Whether this is the last chunk.
        last: bool,
    },
    /// `RSET`.
    Rset,
    /// `VRFY string [SMTPUTF8]` (RFC 5321 §4.1.1.6, RFC 6531 §3.7.4).
    Vrfy {
        /// The argument: the rest of the line, without a final `SMTPUTF8`.
        arg: String,
        /// Whether `SMTPUTF8` was given.
        smtputf8: bool,
    },
    /// `EXPN string [SMTPUTF8]`.
    Expn {
        /// The argument: the rest of the line, without a final `SMTPUTF8`.
        arg: String,
        /// Whether `SMTPUTF8` was given.
        smtputf8: bool,
    },
    /// `HELP [string]`.
    Help {
        /// The argument, if any.
        arg: Option<String>,
    },
    /// `NOOP [string]` (the argument should be ignored).
    Noop {
        /// The argument, if any.
        arg: Option<String>,
    },
    /// `QUIT`.
    Quit,
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `AUTH mechanism [initial-response]` (RFC 4954 §4).
    Auth {
        /// The SASL mechanism name, upper-cased.
        mechanism: String,
        /// The initial response as sent: base64 text, or `=` for an empty
        /// response. See [`Command::decode_initial_response`].
        initial_response: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Ehlo,
    Helo,
    Lhlo,
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Vrfy,
    Expn,
    Help,
    Noop,
    Quit,
    StartTls,
    Auth,
}

const fn kw4(s: &[u8; 4]) -> u32 {
    u32::from_be_bytes(*s)
}

const K_EHLO: u32 = kw4(b"EHLO");
const K_HELO: u32 = kw4(b"HELO");
const K_LHLO: u32 = kw4(b"LHLO");
const K_MAIL: u32 = kw4(b"MAIL");
const K_RCPT: u32 = kw4(b"RCPT");
const K_DATA: u32 = kw4(b"DATA");
const K_BDAT: u32 = kw4(b"BDAT");
const K_RSET: u32 = kw4(b"RSET");
const K_VRFY: u32 = kw4(b"VRFY");
const K_EXPN: u32 = kw4(b"EXPN");
const K_HELP: u32 = kw4(b"HELP");
const K_NOOP: u32 = kw4(b"NOOP");
const K_QUIT: u32 = kw4(b"QUIT");
const K_AUTH: u32 = kw4(b"AUTH");

impl Verb {
    fn lookup(tok: &[u8]) -> Option<Verb> {
        match *tok {
            [a, b, c, d] => {
                // Clearing bit 5 upper-cases ASCII letters; since every verb
                // is letters only, no other octet can then compare equal.
                Some(match u32::from_be_bytes([a, b, c, d]) & 0xDFDF_DFDF {
                    K_EHLO => Verb::Ehlo,
                    K_HELO => Verb::Helo,
                    K_LHLO => Verb::Lhlo,
                    K_MAIL => Verb::Mail,
                    K_RCPT => Verb::Rcpt,
                    K_DATA => Verb::Data,
                    K_BDAT => Verb::Bdat,
                    K_RSET => Verb::Rset,
                    K_VRFY => Verb::Vrfy,
                    K_EXPN => Verb::Expn,
                    K_HELP => Verb::Help,
                    K_NOOP => Verb::Noop,
                    K_QUIT => Verb::Quit,
                    K_AUTH => Verb::Auth,
                    _ => return None,
                })
            }
            _ if tok.eq_ignore_ascii_case(b"STARTTLS") => Some(Verb::StartTls),
            _ => None,
        }
    }

    /// The verb `line` starts with, and its length: the first word, when it
    /// is a verb (every verb has 4 letters, or 8 for STARTTLS).
    fn at_start(line: &[u8]) -> Option<(Verb, usize)> {
        let word_ends_at = |n: usize| line.get(n).is_none_or(|&b| is_ws(b));
        match *line {
            [a, b, c, d, ..] if word_ends_at(4) => Verb::lookup(&[a, b, c, d]).map(|v| (v, 4)),
            _ if word_ends_at(8) && line.get(..8).is_some_and(|w| is_word(w, b"STARTTLS")) => {
                Some((Verb::StartTls, 8))
            }
            _ => None,
        }
    }

    const fn name(self) -> &'static str {
        match self {
            Verb::Ehlo => "EHLO",
            Verb::Helo => "HELO",
            Verb::Lhlo => "LHLO",
            Verb::Mail => "MAIL",
            Verb::Rcpt => "RCPT",
            Verb::Data => "DATA",
            Verb::Bdat => "BDAT",
            Verb::Rset => "RSET",
            Verb::Vrfy => "VRFY",
            Verb::Expn => "EXPN",
            Verb::Help => "HELP",
            Verb::Noop => "NOOP",
            Verb::Quit => "QUIT",
            Verb::StartTls => "STARTTLS",
            Verb::Auth => "AUTH",
        }
    }
}

fn syntax(verb: Verb, reason: &'static str) -> CommandError {
    CommandError::Syntax { command: verb.name(), reason }
}

fn no_args(verb: Verb, args: &[u8]) -> Result<(), CommandError> {
    if args.is_empty() { Ok(()) } else { Err(syntax(verb, "this command takes no arguments")) }
}

/// EHLO / HELO / LHLO: the domain (the first word, printable ASCII) and the
/// text after it, which is ignored.
fn hello_domain(verb: Verb, args: &[u8]) -> Result<(&[u8], &[u8]), CommandError> {
    if args.is_empty() {
        return Err(syntax(verb, "a domain or address literal is required"));
    }
    let end = printable_len(args);
    if args.get(end).is_some_and(|&b| !is_ws(b)) {
        return Err(syntax(verb, "the domain must be printable ASCII"));
    }
    Ok(args.split_at(end))
}

fn text_arg<'a>(verb: Verb, s: &'a [u8], src: Src<'a>) -> Result<String, CommandError> {
    if !s.iter().all(|&b| class(b, C_TEXT)) {
        return Err(syntax(verb, "the argument contains a control character"));
    }
    src.str(s).map(str::to_owned).ok_or_else(|| syntax(verb, "the argument is not UTF-8"))
}

/// VRFY / EXPN: `String [SP "SMTPUTF8"]`.
fn string_arg<'a>(verb: Verb, args: &'a [u8], src: Src<'a>) -> Result<(String, bool), CommandError> {
    if args.is_empty() {
        return Err(syntax(verb, "an argument is required"));
    }
    let (arg, smtputf8) = match args.iter().rposition(|&b| is_ws(b)) {
        Some(sp) if is_word(&args[sp + 1..], b"SMTPUTF8") => (trim_end_ws(&args[..sp]), true),
        _ => (args, false),
    };
    Ok((text_arg(verb, arg, src)?, smtputf8))
}

fn opt_text_arg<'a>(verb: Verb, args: &'a [u8], src: Src<'a>) -> Result<Option<String>, CommandError> {
    if args.is_empty() { Ok(None) } else { text_arg(verb, args, src).map(Some) }
}

fn parse_bdat(args: &[u8]) -> Result<Command, CommandError> {
    let mut t = tokens(args);
    let size = t.next().ok_or_else(|| syntax(Verb::Bdat, "expected BDAT chunk-size [LAST]"))?;
    let size = parse_u64(size).map_err(|e| match e {
        NumError::Syntax => syntax(Verb::Bdat, "the chunk size must be decimal digits"),
        NumError::Overflow => CommandError::InvalidParameterValue {
            keyword: "chunk-size".to_owned(),
            reason: "the chunk size is too large",
        },
    })?;
    let last = match t.next() {
        None => false,
        Some(l) if is_word(l, b"LAST") => true,
        Some(_) => return Err(syntax(Verb::Bdat, "expected BDAT chunk-size [LAST]")),
    };
    if t.next().is_some() {
        return Err(syntax(Verb::Bdat, "expected BDAT chunk-size [LAST]"));
    }
    Ok(Command::Bdat { size, last })
}

/// AUTH: `mechanism [SP initial-response]`; `args` starts and ends with a
/// word.
fn parse_auth<'a>(args: &'a [u8], src: Src<'a>) -> Result<Command, CommandError> {
    const USAGE: &str = "expected AUTH mechanism [initial-response]";
    if args.is_empty() {
        return Err(syntax(Verb::Auth, USAGE));
    }
    // RFC 4422 §3.1: 1*20 of upper-case letters, digits, "-" and "_".
    let m = args.iter().position(|&b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    let m = m.unwrap_or(args.len());
    if m > 20 || args.get(m).is_some_and(|&b| !is_ws(b)) {
        return Err(syntax(Verb::Auth, "invalid SASL mechanism name"));
    }
    let (mech, rest) = args.split_at(m);
    let rest = trim_start_ws(rest);
    let initial_response = if rest.is_empty() {
        None
    } else {
        match rest.get(printable_len(rest)) {
            None => Some(src.owned(rest)),
            // `args` ends with a word: a third one follows.
            Some(&b) if is_ws(b) => return Err(syntax(Verb::Auth, USAGE)),
            Some(_) => return Err(CommandError::InvalidBase64),
        }
    };
    let mut mechanism = src.owned(mech);
    mechanism.make_ascii_uppercase();
    Ok(Command::Auth { mechanism, initial_response })
}

fn parse_mail<'a>(args: &'a [u8], limits: &Limits, src: Src<'a>) -> Result<Command, CommandError> {
    let rest = strip_word(args, b"FROM:")
        .ok_or_else(|| syntax(Verb::Mail, "expected MAIL FROM:<reverse-path> [parameters]"))?;
    let rest = trim_start_ws(rest);
    if rest.is_empty() {
        return Err(syntax(Verb::Mail, "missing reverse-path after FROM:"));
    }
    let (path, end) =
        scan_path(rest, false, limits.max_path_len, src).map_err(CommandError::InvalidSender)?;
    let from = match path {
        Path::Null => ReversePath::Null,
        Path::Mailbox(m) => ReversePath::Mailbox(m),
        Path::Postmaster => return Err(CommandError::InvalidSender(AddressError::MissingAt)),
    };
    let params = after_path(rest, end).map_err(CommandError::InvalidSender)?;
    Ok(Command::Mail { from, params: parse_mail_params(params, src)? })
}

fn parse_rcpt<'a>(args: &'a [u8], limits: &Limits, src: Src<'a>) -> Result<Command, CommandError> {
    let rest = strip_word(args, b"TO:")
        .ok_or_else(|| syntax(Verb::Rcpt, "expected RCPT TO:<forward-path> [parameters]"))?;
    let rest = trim_start_ws(rest);
    if rest.is_empty() {
        return Err(syntax(Verb::Rcpt, "missing forward-path after TO:"));
    }
    let (path, end) =
        scan_path(rest, true, limits.max_path_len, src).map_err(CommandError::InvalidRecipient)?;
    let to = match path {
        Path::Null => return Err(CommandError::InvalidRecipient(AddressError::NullPath)),
        Path::Mailbox(m) => ForwardPath::Mailbox(m),
        Path::Postmaster => ForwardPath::Postmaster,
    };
    let params = after_path(rest, end).map_err(CommandError::InvalidRecipient)?;
    Ok(Command::Rcpt { to, params: parse_rcpt_params(params, src)? })
}

/// Parses the line after its length was checked, except that NUL, CR and LF
/// are left to the caller: the grammar of every argument excludes them,
/// except the text ignored after an EHLO / HELO / LHLO domain, which is
/// searched here.
fn parse_args(line: &[u8], verb: Option<(Verb, usize)>, limits: &Limits) -> Result<Command, CommandError> {
    let line = trim_end_ws(line);
    if line.is_empty() {
        return Err(CommandError::Empty);
    }
    let Some((verb, verb_len)) = verb else {
        let word = &line[..line.iter().position(|&b| is_ws(b)).unwrap_or(line.len())];
        return Err(CommandError::UnknownCommand { verb: escaped(word) });
    };
    let args = trim_start_ws(line.get(verb_len..).unwrap_or_default());
    let src = || Src::new(line);
    match verb {
        Verb::Ehlo | Verb::Helo | Verb::Lhlo => {
            let (domain, ignored) = hello_domain(verb, args)?;
            if !ignored.is_empty() {
                if let Some(e) = invalid_byte(line) {
                    return Err(e);
                }
            }
            let domain = src().owned(domain);
            Ok(match verb {
                Verb::Ehlo => Command::Ehlo { domain },
                Verb::Helo => Command::Helo { domain },
                _ => Command::Lhlo { domain },
            })
        }
        Verb::Mail => parse_mail(args, limits, src()),
        Verb::Rcpt => parse_rcpt(args, limits, src()),
        Verb::Data => no_args(verb, args).map(|()| Command::Data),
        Verb::Bdat => parse_bdat(args),
        Verb::Rset => no_args(verb, args).map(|()| Command::Rset),
        Verb::Vrfy => string_arg(verb, args, src()).map(|(arg, smtputf8)| Command::Vrfy { arg, smtputf8 }),
        Verb::Expn => string_arg(verb, args, src()).map(|(arg, smtputf8)| Command::Expn { arg, smtputf8 }),
        Verb::Help => Ok(Command::Help { arg: opt_text_arg(verb, args, src())? }),
        Verb::Noop => Ok(Command::Noop { arg: opt_text_arg(verb, args, src())? }),
        Verb::Quit => no_args(verb, args).map(|()| Command::Quit),
        Verb::StartTls => no_args(verb, args).map(|()| Command::StartTls),
        Verb::Auth => parse_auth(args, src()),
    }
}

/// Decodes a SASL response sent in base64 (RFC 4954 §4): `=` is the empty
/// response; anything that is not strict, padded base64 is
/// [`CommandError::InvalidBase64`] (501 5.5.2). The `*` that cancels an
/// exchange is the session's to recognise before calling this.
pub fn decode_sasl_base64(text: &str) -> Result<Vec<u8>, CommandError> {
    if text == "=" {
        return Ok(Vec::new());
    }
    base64_simd::STANDARD.decode_to_vec(text.as_bytes()).map_err(|_| CommandError::InvalidBase64)
}

impl Command {
    /// Parses one command line (without CRLF; a trailing CRLF is ignored)
    /// under the default [`Limits`].
    pub fn parse(line: &[u8]) -> Result<Command, CommandError> {
        Command::parse_with(line, &Limits::RFC5321)
    }

    /// Parses one command line under the given limits.
    pub fn parse_with(line: &[u8], limits: &Limits) -> Result<Command, CommandError> {
        let (line, wire_len) = split_crlf(line);
        let verb = Verb::at_start(line);
        limits.check_len(wire_len, matches!(verb, Some((Verb::Auth, _))))?;
        // A NUL, CR or LF anywhere refuses the line before anything else
        // does. No accepted line can hold one (see parse_args), so only a
        // refused line is searched for them.
        match parse_args(line, verb, limits) {
            Ok(command) => Ok(command),
            Err(e) => Err(invalid_byte(line).unwrap_or(e)),
        }
    }

    /// The verb, upper-case (`"MAIL"`, `"STARTTLS"`…).
    #[must_use]
    pub fn verb(&self) -> &'static str {
        match self {
            Command::Ehlo { .. } => "EHLO",
            Command::Helo { .. } => "HELO",
            Command::Lhlo { .. } => "LHLO",
            Command::Mail { .. } => "MAIL",
            Command::Rcpt { .. } => "RCPT",
            Command::Data => "DATA",
            Command::Bdat { .. } => "BDAT",
            Command::Rset => "RSET",
            Command::Vrfy { .. } => "VRFY",
            Command::Expn { .. } => "EXPN",
            Command::Help { .. } => "HELP",
            Command::Noop { .. } => "NOOP",
            Command::Quit => "QUIT",
            Command::StartTls => "STARTTLS",
            Command::Auth { .. } => "AUTH",
        }
    }

    /// Appends the canonical wire form of the command, with CRLF.
    ///
    /// Known parameters are written in a fixed order (SIZE, BODY, SMTPUTF8,
    /// RET, ENVID, AUTH, REQUIRETLS, MT-PRIORITY, HOLDFOR/HOLDUNTIL, BY;
    /// NOTIFY, ORCPT), then unknown ones in their order; ENVID, AUTH= and
    /// ORCPT are xtext-encoded. Free-text fields are written as they are,
    /// except that CR, LF and NUL become spaces, so the output is always
    /// exactly one line; [`validate`](Self::validate) tells whether a
    /// constructed command survives the trip.
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Command::Ehlo { domain } | Command::Helo { domain } | Command::Lhlo { domain } => {
                out.extend_from_slice(self.verb().as_bytes());
                out.push(b' ');
                push_text(out, domain);
            }
            Command::Mail { from, params } => {
                out.extend_from_slice(b"MAIL FROM:<");
                if let ReversePath::Mailbox(m) = from {
                    out.extend_from_slice(m.as_str().as_bytes());
                }
                out.push(b'>');
                params.write(out);
            }
            Command::Rcpt { to, params } => {
                out.extend_from_slice(b"RCPT TO:<");
                match to {
                    ForwardPath::Postmaster => out.extend_from_slice(b"Postmaster"),
                    ForwardPath::Mailbox(m) => out.extend_from_slice(m.as_str().as_bytes()),
                }
                out.push(b'>');
                params.write(out);
            }
            Command::Bdat { size, last } => {
                out.extend_from_slice(b"BDAT ");
                push_u64(out, *size);
                if *last {
                    out.extend_from_slice(b" LAST");
                }
            }
            Command::Vrfy { arg, smtputf8 } | Command::Expn { arg, smtputf8 } => {
                out.extend_from_slice(self.verb().as_bytes());
                out.push(b' ');
                push_text(out, arg);
                if *smtputf8 {
                    out.extend_from_slice(b" SMTPUTF8");
                }
            }
            Command::Help { arg } | Command::Noop { arg } => {
                out.extend_from_slice(self.verb().as_bytes());
                if let Some(arg) = arg {
                    out.push(b' ');
                    push_text(out, arg);
                }
            }
            Command::Auth { mechanism, initial_response } => {
                out.extend_from_slice(b"AUTH ");
                push_text(out, mechanism);
                if let Some(ir) = initial_response {
                    out.push(b' ');
                    push_text(out, ir);
                }
            }
            Command::Data | Command::Rset | Command::Quit | Command::StartTls => {
                out.extend_from_slice(self.verb().as_bytes());
            }
        }
        out.extend_from_slice(b"\r\n");
    }

    /// The canonical wire form, with CRLF, as a new vector.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        self.write(&mut out);
        out
    }

    /// Checks that [`write`](Self::write) produces a line that parses back
    /// to this very command (line and path lengths are not limited here).
    /// Parsed commands always pass; a constructed one fails when a field
    /// holds what the grammar does not allow (a space in an EHLO domain, a
    /// lower-case AUTH mechanism, `MT-PRIORITY=12`, an empty ENVID…).
    pub fn validate(&self) -> Result<(), CommandError> {
        let wire = self.to_bytes();
        match Command::parse_with(&wire, &Limits::NONE) {
            Ok(parsed) if parsed == *self => Ok(()),
            Ok(_) => Err(CommandError::NotRepresentable { command: self.verb() }),
            Err(e) => Err(e),
        }
    }

    /// The unrecognised MAIL or RCPT parameters (empty for other commands).
    #[must_use]
    pub fn unknown_params(&self) -> &[(String, Option<String>)] {
        match self {
            Command::Mail { params, .. } => &params.unknown,
            Command::Rcpt { params, .. } => &params.unknown,
            _ => &[],
        }
    }

    /// For a server that supports no parameter beyond the ones this crate
    /// knows: fails with [`CommandError::UnrecognizedParameter`] (555 5.5.4,
    /// RFC 5321 §4.1.1.11) naming the first unknown parameter.
    pub fn reject_unknown_params(&self) -> Result<(), CommandError> {
        match self.unknown_params().first() {
            None => Ok(()),
            Some((k, _)) => Err(CommandError::UnrecognizedParameter { keyword: k.clone() }),
        }
    }

    /// For AUTH: the initial response decoded from base64 (`=` gives an
    /// empty response), or `None` if there is none or this is not AUTH.
    /// Invalid base64 is [`CommandError::InvalidBase64`] (501 5.5.2, RFC
    /// 4954 §4).
    pub fn decode_initial_response(&self) -> Result<Option<Vec<u8>>, CommandError> {
        match self {
            Command::Auth { initial_response: Some(ir), .. } => decode_sasl_base64(ir).map(Some),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verb_lookup_is_exact() {
        assert_eq!(Verb::lookup(b"mail"), Some(Verb::Mail));
        assert_eq!(Verb::lookup(b"MaIl"), Some(Verb::Mail));
        assert_eq!(Verb::lookup(b"starttls"), Some(Verb::StartTls));
        // Octets that differ from letters only in bit 5.
        assert_eq!(Verb::lookup(b"M\x01IL"), None);
        assert_eq!(Verb::lookup(b"\xcdAIL"), None);
        assert_eq!(Verb::lookup(b"MAI"), None);
        assert_eq!(Verb::lookup(b""), None);
    }

    #[test]
    fn no_class_admits_nul_cr_lf() {
        for b in [0, b'\r', b'\n'] {
            assert_eq!(CLASS[usize::from(b)], 0, "{b}");
        }
    }

    #[test]
    fn word_at_a_time_scans() {
        // Every octet in every lane, among neighbours of several kinds:
        // exactly the octets outside the set are marked.
        let marks = |w: &[u8; 8], bad: &dyn Fn(u8) -> bool| {
            w.iter().enumerate().filter(|&(_, &b)| bad(b)).fold(0u64, |m, (k, _)| m | 0x80 << (8 * k))
        };
        for b in 0..=255u8 {
            for lane in 0..8 {
                for fill in [b'a', b'=', b' ', b'!', b'~', 0x7F, 0x80, 0xFF, 0] {
                    let mut w = [fill; 8];
                    w[lane] = b;
                    let word = u64::from_le_bytes(w);
                    assert_eq!(not_printable(word), marks(&w, &|x| !(33..=126).contains(&x)), "{w:?}");
                    assert_eq!(not_value(word), marks(&w, &|x| !class(x, C_VALUE)), "{w:?}");
                }
            }
        }
        // Whole scans, from every start to every end (so every tail length).
        let line = b"SIZE=123 NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+2Bb@example.org X=\xc3\xa9\x7f=y\tz~";
        for end in 0..=line.len() {
            let s = &line[..end];
            for i in 0..=end {
                assert_eq!(skip_words(s, i, not_value), skip(s, i, C_VALUE), "{i}..{end}");
                let printable = s[i..].iter().position(|b| !(33..=126).contains(b)).unwrap_or(end - i);
                assert_eq!(printable_len(&s[i..]), printable, "{i}..{end}");
            }
        }
    }

    #[test]
    fn words_compare_like_eq_ignore_ascii_case() {
        fn check<const N: usize>(word: &[u8; N]) {
            let mut s = *word;
            for k in 0..N {
                for b in 0..=255u8 {
                    s[k] = b;
                    assert_eq!(is_word(&s, word), s.eq_ignore_ascii_case(word), "{s:?}");
                }
                s[k] = word[k].to_ascii_lowercase();
            }
            assert!(is_word(&s, word));
            assert!(!is_word(&s[..N - 1], word));
        }
        check(b"FROM:");
        check(b"TO:");
        check(b"SMTPUTF8");
        check(b"8BITMIME");
        check(b"STARTTLS");
        check(b"BY");
    }

    #[test]
    fn src_slices_only_its_own_text() {
        let line = b"RCPT TO:<j\xc3\xb8ran@example.com>";
        let src = Src::new(line);
        assert!(src.text.is_some());
        assert_eq!(src.str(&line[9..21]), Some("j\u{f8}ran@examp"));
        // Cut inside "\xc3\xb8": not UTF-8.
        assert_eq!(src.str(&line[9..11]), None);
        assert_eq!(src.str(&line[11..13]), None);
        // A slice of other memory with the same octets is checked on its own.
        let other = line[9..21].to_vec();
        assert_eq!(src.str(&other), Some("j\u{f8}ran@examp"));
        assert_eq!(src.str(&[]), Some(""));
        // A line that is not UTF-8 throughout: each field on its own.
        let bad = b"MAIL FROM:<a@b.example> X=\xff Y=\xc3\xa9";
        let src = Src::new(bad);
        assert!(src.text.is_none());
        assert_eq!(src.str(&bad[11..22]), Some("a@b.example"));
        assert_eq!(src.str(&bad[26..27]), None);
        assert_eq!(src.str(&bad[30..32]), Some("\u{e9}"));
    }

    #[test]
    fn classes() {
        assert!(class(b'a', C_ATEXT) && class(b'~', C_ATEXT) && !class(b'.', C_ATEXT));
        assert!(!class(b'"', C_QTEXT) && !class(b'\\', C_QTEXT) && class(b' ', C_QTEXT));
        assert!(!class(b'=', C_VALUE) && !class(b' ', C_VALUE));
        assert!(!class(b'[', C_DCONTENT) && !class(b']', C_DCONTENT) && !class(b'\\', C_DCONTENT));
    }

    #[test]
    fn numbers() {
        let mut v = Vec::new();
        push_u64(&mut v, 0);
        push_u64(&mut v, u64::MAX);
        push_i64(&mut v, -5);
        push_i64(&mut v, i64::MIN);
        assert_eq!(v, b"018446744073709551615-5-9223372036854775808");
        assert!(matches!(parse_u64(b"18446744073709551616"), Err(NumError::Overflow)));
        assert!(matches!(parse_u64(b"1x"), Err(NumError::Syntax)));
    }

    #[test]
    fn rfc3339() {
        for ok in [
            "2026-12-01T16:30:38Z",
            "1985-04-12t23:20:50.52z",
            "1996-12-19T16:39:57-08:00",
            "1990-12-31T23:59:60Z",
        ] {
            assert!(is_rfc3339_date_time(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "2026-13-01T00:00:00Z",
            "2026-12-01 16:30:38Z",
            "2026-12-01T16:30:38",
            "2026-12-01T16:30:38.Z",
            "x",
        ] {
            assert!(!is_rfc3339_date_time(bad.as_bytes()), "{bad}");
        }
    }
}
