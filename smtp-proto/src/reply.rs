//! SMTP replies (RFC 5321 section 4.2): reply codes, single and multi-line
//! replies, an incremental parser for a client's side of the connection, and
//! the replies a server sends most.
//!
//! A reply is one or more lines `ddd-text` ended by one `ddd text` (or a bare
//! `ddd`), all with the same code. [`Reply`] keeps the code, the enhanced
//! status code of RFC 2034 when the first line starts with one (it is then
//! taken off every line that repeats it), and the lines' text, joined by
//! `\n` in one `String`.
//!
//! - [`Reply::parse`] reads one reply from the start of a slice and says how
//!   many bytes it used, or [`ReplyError::Incomplete`].
//! - [`ReplyParser`] is fed whatever the connection delivers, in chunks of any
//!   size, and hands out complete replies in order (pipelining: RFC 2920).
//! - [`Reply::write`] serialises a reply, with `-` continuations and the
//!   enhanced code on every line.
//!
//! Parsing tolerates what real servers send: bare LF line endings, a final
//! line that is only the code, text longer than RFC 5321's 512 octets (up to
//! [`ReplyLimits::max_line_length`]) and text that is not UTF-8 (replaced by
//! U+FFFD). It rejects, with a typed error naming the line and byte offset,
//! codes that are not three digits from 200 to 599, a fourth character that
//! is neither space nor hyphen, a code that changes inside a multi-line reply,
//! NUL bytes, and lines or replies over the limits. Memory is bounded by the
//! limits whatever the input.
//!
//! ```
//! use mailwire_smtp::enhanced::EnhancedCode;
//! use mailwire_smtp::reply::{Reply, ReplyCode, ReplyParser};
//!
//! let mut parser = ReplyParser::new();
//! parser.feed(b"250-mx.example.com\r\n250-PIPE");
//! assert!(parser.next_reply().is_none()); // not complete yet
//! parser.feed(b"LINING\r\n250 SIZE 1000\r\n550 5.1.1 No such user\r\n");
//!
//! let ehlo = parser.next_reply().unwrap().unwrap();
//! assert_eq!(ehlo.code, ReplyCode::OK);
//! assert!(ehlo.lines().eq(["mx.example.com", "PIPELINING", "SIZE 1000"]));
//! assert_eq!(ehlo.text(), "mx.example.com\nPIPELINING\nSIZE 1000");
//!
//! let rcpt = parser.next_reply().unwrap().unwrap();
//! assert!(rcpt.code.is_permanent_negative());
//! assert_eq!(rcpt.enhanced, Some(EnhancedCode::BAD_DESTINATION_MAILBOX));
//! assert_eq!(rcpt.first_line(), "No such user");
//! assert!(parser.next_reply().is_none());
//!
//! let mut out = Vec::new();
//! Reply::bad_sequence().write(&mut out);
//! assert_eq!(out, b"503 5.5.1 Bad sequence of commands\r\n");
//! ```

use std::fmt;

use memchr::{memchr, memchr2};

use crate::enhanced::EnhancedCode;

/// A three-digit SMTP reply code, 200 to 599 (RFC 5321 section 4.2).
///
/// The first digit is the class ([`ReplyClass`]), the second the category
/// ([`Category`]). Codes whose second digit is above 5 are outside RFC 5321's
/// grammar but are accepted (a client "MUST be prepared to handle codes not
/// specified", judging by the first digit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplyCode(u16);

/// The first digit of a reply code (RFC 5321 section 4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplyClass {
    /// `2yz`: the requested action has been completed.
    PositiveCompletion,
    /// `3yz`: accepted, waiting for more (354 after `DATA`, 334 during `AUTH`).
    PositiveIntermediate,
    /// `4yz`: not accepted, but the condition is temporary: try again later.
    TransientNegative,
    /// `5yz`: not accepted, and repeating it the same way will fail again.
    PermanentNegative,
}

/// The second digit of a reply code (RFC 5321 section 4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// `x0z`: syntax errors, and commands that fit no other category.
    Syntax,
    /// `x1z`: replies to requests for information (status, help).
    Information,
    /// `x2z`: replies about the transmission channel.
    Connections,
    /// `x3z` and `x4z`: not specified.
    Unspecified,
    /// `x5z`: the mail system's state for the requested transfer.
    MailSystem,
    /// `x6z` to `x9z`: outside RFC 5321's grammar.
    Unknown,
}

impl ReplyCode {
    /// The code if it is in 200..=599.
    pub const fn new(code: u16) -> Option<ReplyCode> {
        if code >= 200 && code <= 599 { Some(ReplyCode(code)) } else { None }
    }

    /// The code as a number.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// The class (first digit).
    pub const fn class(self) -> ReplyClass {
        match self.0 / 100 {
            2 => ReplyClass::PositiveCompletion,
            3 => ReplyClass::PositiveIntermediate,
            4 => ReplyClass::TransientNegative,
            _ => ReplyClass::PermanentNegative,
        }
    }

    /// The category (second digit).
    pub const fn category(self) -> Category {
        match self.0 / 10 % 10 {
            0 => Category::Syntax,
            1 => Category::Information,
            2 => Category::Connections,
            3 | 4 => Category::Unspecified,
            5 => Category::MailSystem,
            _ => Category::Unknown,
        }
    }

    /// The three digits, most significant first (`[2, 5, 0]`).
    pub const fn digits(self) -> [u8; 3] {
        [(self.0 / 100) as u8, (self.0 / 10 % 10) as u8, (self.0 % 10) as u8]
    }

    /// `2yz`: positive completion.
    pub const fn is_positive_completion(self) -> bool {
        self.0 / 100 == 2
    }

    /// `3yz`: positive intermediate (send more).
    pub const fn is_intermediate(self) -> bool {
        self.0 / 100 == 3
    }

    /// `4yz`: transient negative completion (try again later).
    pub const fn is_transient_negative(self) -> bool {
        self.0 / 100 == 4
    }

    /// `5yz`: permanent negative completion.
    pub const fn is_permanent_negative(self) -> bool {
        self.0 / 100 == 5
    }

    /// `2yz` or `3yz`.
    pub const fn is_positive(self) -> bool {
        self.0 < 400
    }

    /// `4yz` or `5yz`.
    pub const fn is_negative(self) -> bool {
        self.0 >= 400
    }

    fn ascii(self) -> [u8; 3] {
        let [a, b, c] = self.digits();
        [b'0' + a, b'0' + b, b'0' + c]
    }

    /// 211 System status, or system help reply.
    pub const SYSTEM_STATUS: ReplyCode = ReplyCode(211);
    /// 214 Help message.
    pub const HELP: ReplyCode = ReplyCode(214);
    /// 220 `<domain>` Service ready (the greeting; the reply to `STARTTLS`).
    pub const SERVICE_READY: ReplyCode = ReplyCode(220);
    /// 221 `<domain>` Service closing transmission channel.
    pub const CLOSING: ReplyCode = ReplyCode(221);
    /// 235 Authentication succeeded (RFC 4954).
    pub const AUTH_SUCCEEDED: ReplyCode = ReplyCode(235);
    /// 250 Requested mail action okay, completed.
    pub const OK: ReplyCode = ReplyCode(250);
    /// 251 User not local; will forward.
    pub const USER_NOT_LOCAL_WILL_FORWARD: ReplyCode = ReplyCode(251);
    /// 252 Cannot VRFY user, but will accept message and attempt delivery.
    pub const CANNOT_VRFY: ReplyCode = ReplyCode(252);
    /// 334 A SASL challenge, base64 (RFC 4954).
    pub const AUTH_CONTINUE: ReplyCode = ReplyCode(334);
    /// 354 Start mail input; end with `<CRLF>.<CRLF>`.
    pub const START_MAIL_INPUT: ReplyCode = ReplyCode(354);
    /// 421 `<domain>` Service not available, closing transmission channel.
    pub const SERVICE_NOT_AVAILABLE: ReplyCode = ReplyCode(421);
    /// 432 A password transition is needed (RFC 4954).
    pub const PASSWORD_TRANSITION: ReplyCode = ReplyCode(432);
    /// 450 Requested mail action not taken: mailbox unavailable (busy, greylisted).
    pub const MAILBOX_BUSY: ReplyCode = ReplyCode(450);
    /// 451 Requested action aborted: local error in processing.
    pub const LOCAL_ERROR: ReplyCode = ReplyCode(451);
    /// 452 Requested action not taken: insufficient system storage (also:
    /// too many recipients).
    pub const INSUFFICIENT_STORAGE: ReplyCode = ReplyCode(452);
    /// 454 Temporary authentication failure (RFC 4954); TLS not available
    /// (RFC 3207).
    pub const TEMPORARY_FAILURE: ReplyCode = ReplyCode(454);
    /// 455 Server unable to accommodate parameters.
    pub const PARAMETERS_NOT_ACCOMMODATED: ReplyCode = ReplyCode(455);
    /// 500 Syntax error, command unrecognized.
    pub const SYNTAX_ERROR: ReplyCode = ReplyCode(500);
    /// 501 Syntax error in parameters or arguments.
    pub const PARAMETER_SYNTAX_ERROR: ReplyCode = ReplyCode(501);
    /// 502 Command not implemented.
    pub const NOT_IMPLEMENTED: ReplyCode = ReplyCode(502);
    /// 503 Bad sequence of commands.
    pub const BAD_SEQUENCE: ReplyCode = ReplyCode(503);
    /// 504 Command parameter not implemented.
    pub const PARAMETER_NOT_IMPLEMENTED: ReplyCode = ReplyCode(504);
    /// 521 Host does not accept mail (RFC 7504).
    pub const NO_MAIL_SERVICE: ReplyCode = ReplyCode(521);
    /// 530 Authentication required (RFC 4954); must issue STARTTLS first (RFC 3207).
    pub const AUTH_REQUIRED: ReplyCode = ReplyCode(530);
    /// 534 Authentication mechanism is too weak (RFC 4954).
    pub const AUTH_TOO_WEAK: ReplyCode = ReplyCode(534);
    /// 535 Authentication credentials invalid (RFC 4954).
    pub const AUTH_INVALID: ReplyCode = ReplyCode(535);
    /// 538 Encryption required for requested authentication mechanism (RFC 4954).
    pub const ENCRYPTION_REQUIRED: ReplyCode = ReplyCode(538);
    /// 550 Requested action not taken: mailbox unavailable (not found, no
    /// access, policy).
    pub const MAILBOX_UNAVAILABLE: ReplyCode = ReplyCode(550);
    /// 551 User not local; please try `<forward-path>`.
    pub const USER_NOT_LOCAL: ReplyCode = ReplyCode(551);
    /// 552 Requested mail action aborted: exceeded storage allocation.
    pub const EXCEEDED_STORAGE: ReplyCode = ReplyCode(552);
    /// 553 Requested action not taken: mailbox name not allowed.
    pub const MAILBOX_NAME_NOT_ALLOWED: ReplyCode = ReplyCode(553);
    /// 554 Transaction failed (or, as a greeting, "No SMTP service here").
    pub const TRANSACTION_FAILED: ReplyCode = ReplyCode(554);
    /// 555 MAIL FROM/RCPT TO parameters not recognized or not implemented.
    pub const PARAMETERS_NOT_RECOGNIZED: ReplyCode = ReplyCode(555);
    /// 556 Domain does not accept mail (RFC 7504).
    pub const DOMAIN_NO_MAIL: ReplyCode = ReplyCode(556);
}

impl TryFrom<u16> for ReplyCode {
    type Error = InvalidReplyCode;

    fn try_from(code: u16) -> Result<Self, Self::Error> {
        ReplyCode::new(code).ok_or(InvalidReplyCode(code))
    }
}

impl From<ReplyCode> for u16 {
    fn from(code: ReplyCode) -> u16 {
        code.0
    }
}

impl PartialEq<u16> for ReplyCode {
    fn eq(&self, other: &u16) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A number that is not a reply code (outside 200..=599).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidReplyCode(pub u16);

impl fmt::Display for InvalidReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is not an SMTP reply code: reply codes are 200 to 599", self.0)
    }
}

impl std::error::Error for InvalidReplyCode {}

/// Caps on what parsing a reply may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplyLimits {
    /// Longest line, in bytes, not counting its line ending (at least 3 is
    /// used). RFC 5321 allows 512 with the CRLF; real servers send longer
    /// (Gmail's and Microsoft's rejections run to several hundred bytes).
    pub max_line_length: usize,
    /// Most lines in one reply.
    pub max_lines: usize,
    /// Most bytes a [`ReplyParser`] holds unparsed. Draining it with
    /// [`ReplyParser::next_reply`] after each [`ReplyParser::feed`] keeps it to
    /// one partial line plus the last chunk.
    pub max_buffered: usize,
}

impl ReplyLimits {
    /// The default limits: 4096-byte lines, 512 lines per reply, 1 MiB buffered.
    pub const DEFAULT: ReplyLimits =
        ReplyLimits { max_line_length: 4096, max_lines: 512, max_buffered: 1 << 20 };

    /// The default limits.
    pub const fn new() -> Self {
        Self::DEFAULT
    }

    /// Sets [`max_line_length`](Self::max_line_length).
    pub const fn with_max_line_length(mut self, n: usize) -> Self {
        self.max_line_length = n;
        self
    }

    /// Sets [`max_lines`](Self::max_lines) (at least 1 is used).
    pub const fn with_max_lines(mut self, n: usize) -> Self {
        self.max_lines = n;
        self
    }

    /// Sets [`max_buffered`](Self::max_buffered).
    pub const fn with_max_buffered(mut self, n: usize) -> Self {
        self.max_buffered = n;
        self
    }
}

impl Default for ReplyLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why bytes are not a valid reply. Positions are byte offsets: into the
/// slice for [`Reply::parse`], into everything fed so far for [`ReplyParser`];
/// line numbers count from 1 within the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplyError {
    /// The input ends before the reply's last line does ([`Reply::parse`]
    /// only; the parser waits instead).
    Incomplete,
    /// The line does not start with a reply code: three digits from 200 to 599.
    InvalidCode {
        /// Line number within the reply.
        line: usize,
        /// Offset of the line's first byte.
        offset: usize,
    },
    /// The code is followed by something other than a space, a hyphen or the
    /// end of the line (`2500 x`).
    InvalidSeparator {
        /// Line number within the reply.
        line: usize,
        /// Offset of the offending byte.
        offset: usize,
        /// The byte found.
        found: u8,
    },
    /// A line of a multi-line reply carries another code than the first line.
    MismatchedCode {
        /// Line number within the reply.
        line: usize,
        /// Offset of the line's first byte.
        offset: usize,
        /// The code of the reply's first line.
        expected: ReplyCode,
        /// The code found.
        found: u16,
    },
    /// A NUL byte (never valid in SMTP text).
    Nul {
        /// Line number within the reply.
        line: usize,
        /// Offset of the NUL.
        offset: usize,
    },
    /// A line longer than [`ReplyLimits::max_line_length`].
    LineTooLong {
        /// Line number within the reply.
        line: usize,
        /// Offset of the line's first byte.
        offset: usize,
        /// The limit in force.
        limit: usize,
    },
    /// A reply with more lines than [`ReplyLimits::max_lines`].
    TooManyLines {
        /// Offset of the first line over the limit.
        offset: usize,
        /// The limit in force.
        limit: usize,
    },
    /// More than [`ReplyLimits::max_buffered`] bytes were fed without being
    /// parsed; the excess was dropped, and parsing resumes at the next line.
    BufferFull {
        /// The limit in force.
        limit: usize,
    },
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ReplyError::Incomplete => f.write_str("incomplete SMTP reply: more input is needed"),
            ReplyError::InvalidCode { line, offset } => write!(
                f,
                "SMTP reply line {line} (byte {offset}) does not start with a reply code: three digits from 200 to 599"
            ),
            ReplyError::InvalidSeparator { line, offset, found } => write!(
                f,
                "SMTP reply line {line}: the code must be followed by a space, a hyphen or the line's end, found {:?} at byte {offset}",
                char::from(found).escape_default().to_string()
            ),
            ReplyError::MismatchedCode { line, offset, expected, found } => write!(
                f,
                "SMTP reply line {line} (byte {offset}) has code {found} but the multi-line reply started with {expected}"
            ),
            ReplyError::Nul { line, offset } => {
                write!(f, "SMTP reply line {line} contains a NUL byte at byte {offset}")
            }
            ReplyError::LineTooLong { line, offset, limit } => {
                write!(f, "SMTP reply line {line} (byte {offset}) is longer than the limit of {limit} bytes")
            }
            ReplyError::TooManyLines { offset, limit } => {
                write!(f, "SMTP reply has more than the limit of {limit} lines (byte {offset})")
            }
            ReplyError::BufferFull { limit } => write!(
                f,
                "more than {limit} bytes of SMTP replies were fed without being read; the excess was dropped \
                 (call next_reply() until it returns None after each feed())"
            ),
        }
    }
}

impl std::error::Error for ReplyError {}

/// One SMTP reply: its code, the enhanced status code if the first line has
/// one, and the text of its lines.
///
/// The text is kept as one `String`, the lines joined by `\n` (a line's text
/// never holds a LF): [`lines`](Self::lines) iterates over them,
/// [`first_line`](Self::first_line) and [`text`](Self::text) borrow.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reply {
    /// The reply code.
    pub code: ReplyCode,
    /// The enhanced status code at the start of the first line's text, if
    /// any (RFC 2034), whatever its class (a `250 5.0.0` is kept as sent).
    /// When present it is removed from every line that repeats it (a line
    /// that starts with another code keeps that code in its text), and
    /// [`write`](Self::write) puts it back on every line.
    pub enhanced: Option<EnhancedCode>,
    /// Each line's text, without the code, the separator, the enhanced code
    /// and the line ending, joined by `\n`. A reply has at least one line
    /// (possibly empty): the empty text is one empty line.
    text: String,
}

impl Reply {
    /// A reply with `text`; each `\n` in it (with a `\r` before it, if any)
    /// starts another line.
    pub fn new(code: ReplyCode, enhanced: Option<EnhancedCode>, text: &str) -> Reply {
        let text = if text.contains('\r') {
            let mut joined = String::with_capacity(text.len());
            for (i, line) in text.split('\n').enumerate() {
                if i > 0 {
                    joined.push('\n');
                }
                joined.push_str(line.strip_suffix('\r').unwrap_or(line));
            }
            joined
        } else {
            text.to_owned()
        };
        Reply { code, enhanced, text }
    }

    /// A reply with the given lines (no lines: one empty line). A line cannot
    /// hold a line break: a LF inside one is taken as a space, as
    /// [`write`](Self::write) would send it.
    pub fn from_lines<I, S>(code: ReplyCode, enhanced: Option<EnhancedCode>, lines: I) -> Reply
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut text = String::new();
        for (i, line) in lines.into_iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            let line = line.as_ref();
            if line.contains('\n') {
                text.push_str(&line.replace('\n', " "));
            } else {
                text.push_str(line);
            }
        }
        Reply { code, enhanced, text }
    }

    /// Parses one reply at the start of `input` with the default
    /// [`ReplyLimits`]. Returns the reply and the number of bytes it took
    /// (its last line's ending included), or [`ReplyError::Incomplete`] when
    /// `input` stops before the reply's last line ends. Errors in what is
    /// there are reported even when the reply is incomplete.
    pub fn parse(input: &[u8]) -> Result<(Reply, usize), ReplyError> {
        Reply::parse_with(input, &ReplyLimits::DEFAULT)
    }

    /// [`parse`](Self::parse) with other limits.
    pub fn parse_with(input: &[u8], limits: &ReplyLimits) -> Result<(Reply, usize), ReplyError> {
        let mut text = Vec::new();
        let (code, enhanced, used) =
            scan_reply(input, limits, |line, first, last| push_line(&mut text, line, first, last))?;
        Ok((Reply { code, enhanced, text: text_to_string(text) }, used))
    }

    /// Appends the reply in wire form: `ddd-` on every line but the last,
    /// `ddd ` on the last, the enhanced code (if any) after the separator on
    /// every line, CRLF after each. CR and NUL inside a line's text are
    /// written as spaces, so the output is always one well-formed reply.
    pub fn write(&self, out: &mut Vec<u8>) {
        self.write_inner(out, self.enhanced);
    }

    /// [`write`](Self::write) without the enhanced code, for a server that has
    /// not advertised `ENHANCEDSTATUSCODES`.
    pub fn write_without_enhanced(&self, out: &mut Vec<u8>) {
        self.write_inner(out, None);
    }

    /// The reply in wire form (see [`write`](Self::write)).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write(&mut out);
        out
    }

    fn write_inner(&self, out: &mut Vec<u8>, enhanced: Option<EnhancedCode>) {
        let code = self.code.ascii();
        let mut esc = Vec::new();
        if let Some(e) = enhanced {
            e.write(&mut esc);
        }
        let count = self.line_count();
        out.reserve(self.text.len() + count * (7 + esc.len()));
        let clean = memchr2(b'\r', 0, self.text.as_bytes()).is_none();
        for (i, line) in self.lines().enumerate() {
            let text = line.as_bytes();
            out.extend_from_slice(&code);
            out.push(if i + 1 == count { b' ' } else { b'-' });
            if !esc.is_empty() {
                out.extend_from_slice(&esc);
                if !text.is_empty() {
                    out.push(b' ');
                }
            }
            if clean {
                out.extend_from_slice(text);
            } else {
                out.extend(text.iter().map(|&b| if matches!(b, b'\r' | 0) { b' ' } else { b }));
            }
            out.extend_from_slice(b"\r\n");
        }
    }

    /// The lines' text, in order (at least one, possibly empty).
    pub fn lines(&self) -> std::str::Split<'_, char> {
        self.text.split('\n')
    }

    /// How many lines the reply has (at least 1).
    pub fn line_count(&self) -> usize {
        memchr::memchr_iter(b'\n', self.text.as_bytes()).count() + 1
    }

    /// The first line's text.
    pub fn first_line(&self) -> &str {
        self.text.split_once('\n').map_or(&self.text, |(first, _)| first)
    }

    /// All lines' text joined with `\n`.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The lines' text joined with `\n`, taken out of the reply.
    pub fn into_text(self) -> String {
        self.text
    }

    /// True for a multi-line reply.
    pub fn is_multiline(&self) -> bool {
        memchr(b'\n', self.text.as_bytes()).is_some()
    }

    /// `2yz`: positive completion.
    pub fn is_positive_completion(&self) -> bool {
        self.code.is_positive_completion()
    }

    /// `3yz`: positive intermediate.
    pub fn is_intermediate(&self) -> bool {
        self.code.is_intermediate()
    }

    /// `4yz`: transient negative completion.
    pub fn is_transient_negative(&self) -> bool {
        self.code.is_transient_negative()
    }

    /// `5yz`: permanent negative completion.
    pub fn is_permanent_negative(&self) -> bool {
        self.code.is_permanent_negative()
    }
}

/// Replies a server sends most, with RFC 5321's texts and the enhanced codes
/// RFC 3463, RFC 4954 and RFC 5248 give them. Each returns a new [`Reply`];
/// build one with [`Reply::new`] for other texts.
impl Reply {
    fn fixed(code: u16, enhanced: Option<EnhancedCode>, text: &str) -> Reply {
        Reply::from_lines(ReplyCode(code), enhanced, [text])
    }

    /// `220 <domain> <text>`: the greeting (RFC 5321 section 4.2; no enhanced
    /// code, as RFC 2034 is not in force before EHLO).
    pub fn service_ready(domain: &str, text: &str) -> Reply {
        let line = if text.is_empty() { domain.to_owned() } else { format!("{domain} {text}") };
        Reply::from_lines(ReplyCode::SERVICE_READY, None, [line])
    }

    /// `221 2.0.0 <domain> Service closing transmission channel`.
    pub fn closing(domain: &str) -> Reply {
        let line = format!("{domain} Service closing transmission channel");
        Reply::from_lines(ReplyCode::CLOSING, Some(EnhancedCode::SUCCESS), [line])
    }

    /// `250 2.0.0 Ok`.
    pub fn ok() -> Reply {
        Reply::fixed(250, Some(EnhancedCode::SUCCESS), "Ok")
    }

    /// `250 2.1.0 Ok`: the sender of `MAIL FROM` is accepted.
    pub fn sender_ok() -> Reply {
        Reply::fixed(250, Some(EnhancedCode::SENDER_OK), "Ok")
    }

    /// `250 2.1.5 Ok`: the recipient of `RCPT TO` is accepted.
    pub fn recipient_ok() -> Reply {
        Reply::fixed(250, Some(EnhancedCode::DESTINATION_VALID), "Ok")
    }

    /// `250 2.6.0 Message accepted`: the message after `DATA` or the last `BDAT`.
    pub fn message_accepted() -> Reply {
        Reply::fixed(250, Some(EnhancedCode::MESSAGE_ACCEPTED), "Message accepted")
    }

    /// `220 2.0.0 Ready to start TLS` (RFC 3207).
    pub fn ready_to_start_tls() -> Reply {
        Reply::fixed(220, Some(EnhancedCode::SUCCESS), "Ready to start TLS")
    }

    /// `235 2.7.0 Authentication successful` (RFC 4954).
    pub fn auth_succeeded() -> Reply {
        Reply::fixed(235, Some(EnhancedCode::AUTH_SUCCEEDED), "Authentication successful")
    }

    /// `334 <challenge>`: a SASL challenge, already base64 (RFC 4954; an empty
    /// challenge is written as `334 `).
    pub fn auth_challenge(challenge: &str) -> Reply {
        Reply::fixed(334, None, challenge)
    }

    /// `354 Start mail input; end with <CRLF>.<CRLF>`.
    pub fn start_mail_input() -> Reply {
        Reply::fixed(354, None, "Start mail input; end with <CRLF>.<CRLF>")
    }

    /// `421 4.3.2 Service not available, closing transmission channel`.
    pub fn service_not_available() -> Reply {
        Reply::fixed(
            421,
            Some(EnhancedCode::SYSTEM_NOT_ACCEPTING),
            "Service not available, closing transmission channel",
        )
    }

    /// `421 4.4.2 Timeout exceeded, closing transmission channel`.
    pub fn timeout() -> Reply {
        Reply::fixed(
            421,
            Some(EnhancedCode::BAD_CONNECTION),
            "Timeout exceeded, closing transmission channel",
        )
    }

    /// `451 4.3.0 Requested action aborted: local error in processing`.
    pub fn local_error() -> Reply {
        Reply::fixed(
            451,
            Some(EnhancedCode::SYSTEM_ERROR),
            "Requested action aborted: local error in processing",
        )
    }

    /// `452 4.3.1 Insufficient system storage`.
    pub fn insufficient_storage() -> Reply {
        Reply::fixed(452, Some(EnhancedCode::MAIL_SYSTEM_FULL), "Insufficient system storage")
    }

    /// `452 4.5.3 Too many recipients` (RFC 5321 section 4.5.3.1.10).
    pub fn too_many_recipients() -> Reply {
        Reply::fixed(452, Some(EnhancedCode::TOO_MANY_RECIPIENTS), "Too many recipients")
    }

    /// `454 4.7.0 Temporary authentication failure` (RFC 4954).
    pub fn temporary_auth_failure() -> Reply {
        Reply::fixed(454, Some(EnhancedCode::TEMPORARY_SECURITY_FAILURE), "Temporary authentication failure")
    }

    /// `454 4.7.0 TLS not available due to temporary reason` (RFC 3207).
    pub fn tls_not_available() -> Reply {
        Reply::fixed(
            454,
            Some(EnhancedCode::TEMPORARY_SECURITY_FAILURE),
            "TLS not available due to temporary reason",
        )
    }

    /// `500 5.5.1 Command unrecognized`.
    pub fn command_unrecognized() -> Reply {
        Reply::fixed(500, Some(EnhancedCode::INVALID_COMMAND), "Command unrecognized")
    }

    /// `500 5.5.2 Syntax error, command unrecognized`.
    pub fn syntax_error() -> Reply {
        Reply::fixed(500, Some(EnhancedCode::SYNTAX_ERROR), "Syntax error, command unrecognized")
    }

    /// `500 5.5.2 Line too long` (RFC 5321 section 4.5.3.1.4).
    pub fn line_too_long() -> Reply {
        Reply::fixed(500, Some(EnhancedCode::SYNTAX_ERROR), "Line too long")
    }

    /// `500 5.5.6 Authentication Exchange line is too long` (RFC 4954).
    pub fn auth_line_too_long() -> Reply {
        Reply::fixed(500, Some(EnhancedCode::AUTH_LINE_TOO_LONG), "Authentication Exchange line is too long")
    }

    /// `501 5.5.4 Syntax error in parameters or arguments`.
    pub fn syntax_error_in_parameters() -> Reply {
        Reply::fixed(501, Some(EnhancedCode::INVALID_ARGUMENTS), "Syntax error in parameters or arguments")
    }

    /// `502 5.5.1 Command not implemented`.
    pub fn command_not_implemented() -> Reply {
        Reply::fixed(502, Some(EnhancedCode::INVALID_COMMAND), "Command not implemented")
    }

    /// `503 5.5.1 Bad sequence of commands`.
    pub fn bad_sequence() -> Reply {
        Reply::fixed(503, Some(EnhancedCode::INVALID_COMMAND), "Bad sequence of commands")
    }

    /// `504 5.5.4 Command parameter not implemented`.
    pub fn parameter_not_implemented() -> Reply {
        Reply::fixed(504, Some(EnhancedCode::INVALID_ARGUMENTS), "Command parameter not implemented")
    }

    /// `530 5.7.0 Authentication required` (RFC 4954).
    pub fn auth_required() -> Reply {
        Reply::fixed(530, Some(EnhancedCode::SECURITY_FAILURE), "Authentication required")
    }

    /// `530 5.7.0 Must issue a STARTTLS command first` (RFC 3207).
    pub fn starttls_required() -> Reply {
        Reply::fixed(530, Some(EnhancedCode::SECURITY_FAILURE), "Must issue a STARTTLS command first")
    }

    /// `534 5.7.9 Authentication mechanism is too weak` (RFC 4954).
    pub fn auth_mechanism_too_weak() -> Reply {
        Reply::fixed(534, Some(EnhancedCode::AUTH_MECHANISM_TOO_WEAK), "Authentication mechanism is too weak")
    }

    /// `535 5.7.8 Authentication credentials invalid` (RFC 4954).
    pub fn auth_credentials_invalid() -> Reply {
        Reply::fixed(535, Some(EnhancedCode::AUTH_CREDENTIALS_INVALID), "Authentication credentials invalid")
    }

    /// `538 5.7.11 Encryption required for requested authentication mechanism` (RFC 4954).
    pub fn encryption_required() -> Reply {
        Reply::fixed(
            538,
            Some(EnhancedCode::ENCRYPTION_REQUIRED),
            "Encryption required for requested authentication mechanism",
        )
    }

    /// `550 5.1.1 Mailbox unavailable`: no such recipient.
    pub fn mailbox_unavailable() -> Reply {
        Reply::fixed(550, Some(EnhancedCode::BAD_DESTINATION_MAILBOX), "Mailbox unavailable")
    }

    /// `550 5.7.1 Relay access denied`.
    pub fn relay_denied() -> Reply {
        Reply::fixed(550, Some(EnhancedCode::NOT_AUTHORIZED), "Relay access denied")
    }

    /// `552 5.3.4 Message size exceeds fixed maximum message size` (RFC 1870).
    pub fn message_too_big() -> Reply {
        Reply::fixed(
            552,
            Some(EnhancedCode::MESSAGE_TOO_BIG),
            "Message size exceeds fixed maximum message size",
        )
    }

    /// `554 5.3.0 Transaction failed`.
    pub fn transaction_failed() -> Reply {
        Reply::fixed(554, Some(EnhancedCode::SYSTEM_FAILURE), "Transaction failed")
    }

    /// `554 5.5.1 No valid recipients` (the reply to `DATA` when every `RCPT`
    /// failed, RFC 2920).
    pub fn no_valid_recipients() -> Reply {
        Reply::fixed(554, Some(EnhancedCode::INVALID_COMMAND), "No valid recipients")
    }

    /// `555 5.5.4 MAIL FROM/RCPT TO parameters not recognized or not implemented`.
    pub fn parameters_not_recognized() -> Reply {
        Reply::fixed(
            555,
            Some(EnhancedCode::INVALID_ARGUMENTS),
            "MAIL FROM/RCPT TO parameters not recognized or not implemented",
        )
    }
}

impl fmt::Display for Reply {
    /// The reply as it travels, lines separated by `\n` and without the last
    /// line ending (for logs and error messages).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.line_count();
        for (i, line) in self.lines().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            let sep = if i + 1 == count { ' ' } else { '-' };
            write!(f, "{}{sep}", self.code)?;
            if let Some(e) = self.enhanced {
                write!(f, "{e}")?;
                if !line.is_empty() {
                    f.write_str(" ")?;
                }
            }
            f.write_str(line)?;
        }
        Ok(())
    }
}

/// Strips one CR before the (already removed) LF.
fn strip_cr(line: &[u8]) -> &[u8] {
    match line {
        [head @ .., b'\r'] => head,
        _ => line,
    }
}

/// True when a (possibly partial) line has a hyphen after its code: more lines
/// of the same reply follow it.
fn is_continuation(line: &[u8]) -> bool {
    line.get(3) == Some(&b'-')
}

/// The line length limit in force: never below 3, so that a line is only
/// too long once its separator is known.
fn line_limit(limits: &ReplyLimits) -> usize {
    limits.max_line_length.max(3)
}

/// A reply's text, with U+FFFD for what is not UTF-8 (a LF ends any broken
/// sequence, so this is the same as converting each line on its own).
fn text_to_string(text: Vec<u8>) -> String {
    String::from_utf8(text).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Room for the text of a multi-line reply, taken on its first line: a
/// typical EHLO reply or a multi-line rejection fits without growing.
const MULTI_LINE_TEXT: usize = 512;

/// Appends a line's text to a reply's text, after a `\n` unless it is the
/// first line. The first line sizes the buffer: exactly for a one-line
/// reply, [`MULTI_LINE_TEXT`] for a longer one.
fn push_line(text: &mut Vec<u8>, line: &[u8], first: bool, last: bool) {
    if first {
        text.reserve_exact(if last { line.len() } else { line.len().max(MULTI_LINE_TEXT) });
    } else {
        text.push(b'\n');
    }
    text.extend_from_slice(line);
}

/// The index of the first LF or NUL in `bytes`: where a line ends, or the
/// byte that makes it invalid. Most reply lines are short, and for those
/// looking at 8 bytes at a time costs less than a `memchr2` call; past the
/// first [`SHORT_LINE`] bytes `memchr2` takes over.
#[inline(always)]
fn find_lf_or_nul(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(word) = bytes.get(i..i + 8) {
        if let Some(k) = lf_or_nul_in(word.try_into().expect("8 bytes")) {
            return Some(i + k);
        }
        i += 8;
        if i == SHORT_LINE {
            return memchr2(b'\n', 0, &bytes[i..]).map(|k| i + k);
        }
    }
    bytes[i..].iter().position(|&b| b == b'\n' || b == 0).map(|k| i + k)
}

/// See [`find_lf_or_nul`]; a multiple of 8.
const SHORT_LINE: usize = 32;

/// The index of the first LF or NUL in 8 bytes.
fn lf_or_nul_in(word: [u8; 8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    const LFS: u64 = u64::from_ne_bytes([b'\n'; 8]);
    let word = u64::from_le_bytes(word);
    let lf = word ^ LFS;
    // The high bit of each zero byte (and maybe of bytes above one): the
    // lowest bit set is the first LF or NUL.
    let found = (word.wrapping_sub(ONES) & !word | lf.wrapping_sub(ONES) & !lf) & HIGH;
    (found != 0).then(|| found.trailing_zeros() as usize / 8)
}

/// Reads one reply at the start of `input`, handing each line's text (after
/// the code, the separator and a repeated enhanced code) to `on_line` with
/// whether it is the first and whether it is the last. Returns the code, the
/// enhanced code and the bytes used. The one scanner behind [`Reply::parse`]
/// and [`Capabilities::parse`](crate::capability::Capabilities::parse).
pub(crate) fn scan_reply(
    input: &[u8],
    limits: &ReplyLimits,
    mut on_line: impl FnMut(&[u8], bool, bool),
) -> Result<(ReplyCode, Option<EnhancedCode>, usize), ReplyError> {
    let mut asm = Assembler::new();
    let mut pos = 0;
    loop {
        let rest = &input[pos..];
        match find_lf_or_nul(rest) {
            Some(i) if rest[i] == b'\n' => {
                let (text, last) = asm.push(strip_cr(&rest[..i]), limits, pos)?;
                on_line(text, asm.count == 1, last);
                if last {
                    // `push` only accepts codes in range.
                    return Ok((ReplyCode(asm.code), asm.enhanced, pos + i + 1));
                }
                pos += i + 1;
            }
            Some(i) => {
                asm.check_partial(&rest[..i], limits, pos)?;
                return Err(ReplyError::Nul { line: asm.count + 1, offset: pos + i });
            }
            None => {
                asm.check_partial(rest, limits, pos)?;
                return Err(ReplyError::Incomplete);
            }
        }
    }
}

/// The state of a reply being read line by line: its code, its enhanced
/// code, and how many lines it has so far.
#[derive(Debug, Default)]
struct Assembler {
    code: u16,
    /// The code as the first line wrote it.
    digits: [u8; 3],
    enhanced: Option<EnhancedCode>,
    count: usize,
}

impl Assembler {
    const fn new() -> Self {
        Assembler { code: 0, digits: [0; 3], enhanced: None, count: 0 }
    }

    fn reset(&mut self) {
        self.count = 0;
        self.enhanced = None;
    }

    /// Checks the code and separator of a line (complete, or the start of
    /// one), in this order: digits, same code as the reply's first line,
    /// separator; returns the code, if three digits are there.
    fn check_code(&self, line: &[u8], offset: usize) -> Result<Option<u16>, ReplyError> {
        let line_no = self.count + 1;
        // The lines after the first mostly repeat its digits: nothing to check.
        let code = if self.count > 0 && line.get(..3) == Some(&self.digits[..]) {
            self.code
        } else {
            let bad_code = ReplyError::InvalidCode { line: line_no, offset };
            let mut code = 0u16;
            for (i, &b) in line.iter().take(3).enumerate() {
                let ok = if i == 0 { (b'2'..=b'5').contains(&b) } else { b.is_ascii_digit() };
                if !ok {
                    return Err(bad_code);
                }
                code = code * 10 + u16::from(b - b'0');
            }
            if line.len() < 3 {
                return Ok(None);
            }
            if self.count > 0 && code != self.code {
                return Err(ReplyError::MismatchedCode {
                    line: line_no,
                    offset,
                    expected: ReplyCode(self.code),
                    found: code,
                });
            }
            code
        };
        match line.get(3) {
            None | Some(b' ' | b'-') => {}
            Some(&sep) => {
                return Err(ReplyError::InvalidSeparator { line: line_no, offset: offset + 3, found: sep });
            }
        }
        Ok(Some(code))
    }

    /// Checks what has arrived of a line whose end has not: one line too
    /// many, a bad code or a line too long are reported without waiting for
    /// the rest. Nothing is checked before the byte after the code has
    /// arrived, so that errors, and how the parser resynchronises after them,
    /// do not depend on how the input was split.
    fn check_partial(&self, partial: &[u8], limits: &ReplyLimits, offset: usize) -> Result<(), ReplyError> {
        if partial.len() < 4 {
            return Ok(());
        }
        if self.count >= limits.max_lines.max(1) {
            return Err(ReplyError::TooManyLines { offset, limit: limits.max_lines.max(1) });
        }
        // A CR right after the code may be the start of its line ending; with
        // a byte after it, it is not.
        let head = if partial.len() == 4 && partial[3] == b'\r' { &partial[..3] } else { &partial[..4] };
        self.check_code(head, offset)?;
        // One more byte may be the CR of the line's CRLF.
        let max = line_limit(limits);
        if partial.len() > max.saturating_add(1) || (partial.len() > max && partial.last() != Some(&b'\r')) {
            return Err(ReplyError::LineTooLong { line: self.count + 1, offset, limit: max });
        }
        Ok(())
    }

    /// Takes a complete line (without its line ending) starting at `offset`.
    /// Returns its text and whether it was the reply's last line. The checks
    /// are those of [`check_partial`](Self::check_partial), in the same order.
    // Inlined into the line loops: the result then needs no memory.
    #[inline(always)]
    fn push<'l>(
        &mut self,
        line: &'l [u8],
        limits: &ReplyLimits,
        offset: usize,
    ) -> Result<(&'l [u8], bool), ReplyError> {
        let line_no = self.count + 1;
        if line_no > limits.max_lines.max(1) {
            return Err(ReplyError::TooManyLines { offset, limit: limits.max_lines.max(1) });
        }
        let code = match self.check_code(line, offset)? {
            Some(code) => code,
            None => return Err(ReplyError::InvalidCode { line: line_no, offset }),
        };
        let max = line_limit(limits);
        if line.len() > max {
            return Err(ReplyError::LineTooLong { line: line_no, offset, limit: max });
        }
        let last = !is_continuation(line);
        let mut text = line.get(4..).unwrap_or_default();
        if line_no == 1 {
            self.code = code;
            self.digits.copy_from_slice(&line[..3]);
            if let Some((e, used)) = EnhancedCode::parse_prefix(text) {
                self.enhanced = Some(e);
                text = &text[used..];
            }
        } else if let Some(e) = self.enhanced {
            match EnhancedCode::parse_prefix(text) {
                Some((found, used)) if found == e => text = &text[used..],
                _ => {}
            }
        }
        self.count = line_no;
        Ok((text, last))
    }
}

/// An incremental reply parser for the client side of a connection: feed it
/// bytes as they arrive, in chunks of any size, and take complete replies out
/// in order.
///
/// After an error the parser drops the rest of the bad reply (up to its last
/// line, as far as it can tell) and goes on with the next one, so one broken
/// reply does not hide the ones after it; a client will usually end the
/// session anyway. Memory stays within [`ReplyLimits`]: one partial line, one
/// reply being assembled, and at most `max_buffered` unparsed bytes.
#[derive(Debug)]
pub struct ReplyParser {
    buf: Vec<u8>,
    /// Start of the unparsed bytes in `buf`.
    pos: usize,
    /// Where the search for the current line's end resumes (`>= pos`).
    scanned: usize,
    /// Stream offset of `buf[0]`.
    base: usize,
    asm: Assembler,
    /// The text of the lines of the reply being read, joined by `\n`.
    text: Vec<u8>,
    /// Drop bytes up to and including the next LF.
    skip_line: bool,
    /// Drop lines up to and including the next one that is not a continuation.
    skip_reply: bool,
    /// Bytes were dropped by `feed` because the buffer was full.
    overflowed: bool,
    limits: ReplyLimits,
}

impl Default for ReplyParser {
    fn default() -> Self {
        ReplyParser::new()
    }
}

impl ReplyParser {
    /// A parser with the default [`ReplyLimits`].
    pub fn new() -> Self {
        ReplyParser::with_limits(ReplyLimits::DEFAULT)
    }

    /// A parser with other limits.
    pub fn with_limits(limits: ReplyLimits) -> Self {
        ReplyParser {
            buf: Vec::new(),
            pos: 0,
            scanned: 0,
            base: 0,
            asm: Assembler::new(),
            text: Vec::new(),
            skip_line: false,
            skip_reply: false,
            overflowed: false,
            limits,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &ReplyLimits {
        &self.limits
    }

    /// Adds bytes received from the server. Call [`next_reply`](Self::next_reply)
    /// until it returns `None` afterwards; bytes beyond
    /// [`ReplyLimits::max_buffered`] unparsed ones are dropped and reported as
    /// [`ReplyError::BufferFull`].
    pub fn feed(&mut self, mut data: &[u8]) {
        if self.pos == self.buf.len() {
            self.base = self.base.saturating_add(self.buf.len());
            self.buf.clear();
            self.pos = 0;
            self.scanned = 0;
            if self.skip_line {
                // Discard the rest of a dropped line without copying it.
                match memchr(b'\n', data) {
                    None => {
                        self.base = self.base.saturating_add(data.len());
                        return;
                    }
                    Some(i) => {
                        self.base = self.base.saturating_add(i + 1);
                        data = &data[i + 1..];
                        self.skip_line = false;
                    }
                }
            }
        } else if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.base = self.base.saturating_add(self.pos);
            self.scanned -= self.pos;
            self.pos = 0;
        }
        let room = self.limits.max_buffered.saturating_sub(self.buf.len());
        if data.len() > room {
            data = &data[..room];
            self.overflowed = true;
        }
        self.buf.extend_from_slice(data);
    }

    /// The next complete reply, or an error for a malformed one, or `None`
    /// when more input is needed.
    pub fn next_reply(&mut self) -> Option<Result<Reply, ReplyError>> {
        loop {
            if self.skip_line {
                match memchr(b'\n', &self.buf[self.scanned..]) {
                    Some(i) => {
                        self.pos = self.scanned + i + 1;
                        self.scanned = self.pos;
                        self.skip_line = false;
                    }
                    None => {
                        self.pos = self.buf.len();
                        self.scanned = self.pos;
                        return self.take_overflow();
                    }
                }
            }
            let found = find_lf_or_nul(&self.buf[self.scanned..]).map(|i| self.scanned + i);
            match found {
                Some(end) if self.buf[end] == b'\n' => {
                    let start = self.pos;
                    self.pos = end + 1;
                    self.scanned = self.pos;
                    let line = strip_cr(&self.buf[start..end]);
                    if self.skip_reply {
                        self.skip_reply = is_continuation(line);
                        continue;
                    }
                    match self.asm.push(line, &self.limits, self.base.saturating_add(start)) {
                        Ok((text, last)) => {
                            push_line(&mut self.text, text, self.asm.count == 1, last);
                            if last {
                                let reply = Reply {
                                    // `push` only accepts codes in range.
                                    code: ReplyCode(self.asm.code),
                                    enhanced: self.asm.enhanced,
                                    text: text_to_string(std::mem::take(&mut self.text)),
                                };
                                self.asm.reset();
                                return Some(Ok(reply));
                            }
                        }
                        Err(e) => {
                            self.skip_reply = is_continuation(line);
                            self.drop_reply();
                            return Some(Err(e));
                        }
                    }
                }
                Some(nul) => {
                    // A NUL before the line's end: the line is bad whatever follows.
                    let start = self.pos;
                    let continuation = is_continuation(&self.buf[start..nul]);
                    let error = if self.skip_reply {
                        None
                    } else {
                        Some(
                            match self.asm.check_partial(
                                &self.buf[start..nul],
                                &self.limits,
                                self.base.saturating_add(start),
                            ) {
                                Err(e) => e,
                                Ok(()) => ReplyError::Nul {
                                    line: self.asm.count + 1,
                                    offset: self.base.saturating_add(nul),
                                },
                            },
                        )
                    };
                    self.pos = nul + 1;
                    self.scanned = self.pos;
                    self.skip_line = true;
                    self.skip_reply = continuation;
                    if let Some(e) = error {
                        self.drop_reply();
                        return Some(Err(e));
                    }
                }
                None => {
                    self.scanned = self.buf.len();
                    let start = self.pos;
                    let partial = &self.buf[start..];
                    let result = if self.skip_reply {
                        // Still dropping a bad reply: only keep the line from growing.
                        if partial.len() > line_limit(&self.limits).saturating_add(1) {
                            Err(None)
                        } else {
                            Ok(())
                        }
                    } else {
                        self.asm
                            .check_partial(partial, &self.limits, self.base.saturating_add(start))
                            .map_err(Some)
                    };
                    if let Err(error) = result {
                        self.skip_reply = is_continuation(partial);
                        self.skip_line = true;
                        self.pos = self.buf.len();
                        self.scanned = self.pos;
                        if let Some(e) = error {
                            self.drop_reply();
                            return Some(Err(e));
                        }
                        continue;
                    }
                    return self.take_overflow();
                }
            }
        }
    }

    /// Forgets the reply being read.
    fn drop_reply(&mut self) {
        self.asm.reset();
        self.text.clear();
    }

    /// Reports a dropped excess once everything before it has been parsed.
    fn take_overflow(&mut self) -> Option<Result<Reply, ReplyError>> {
        if !self.overflowed {
            return None;
        }
        self.overflowed = false;
        self.drop_reply();
        self.skip_reply = false;
        // What follows the drop is the middle of some line.
        self.skip_line = true;
        self.pos = self.buf.len();
        self.scanned = self.pos;
        Some(Err(ReplyError::BufferFull { limit: self.limits.max_buffered }))
    }

    /// Bytes fed but not yet parsed into a reply (part of a line). After the
    /// `220` reply to `STARTTLS` this must be 0: bytes the server sent before
    /// the TLS handshake must not be taken as coming from inside it (the
    /// STARTTLS command injection attacks).
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// True while a multi-line reply has started but not ended, or part of a
    /// line is buffered.
    pub fn is_mid_reply(&self) -> bool {
        self.asm.count > 0 || self.buffered() > 0
    }

    /// Forgets everything buffered and any reply in progress (after STARTTLS,
    /// or to resynchronise). The limits stay.
    pub fn reset(&mut self) {
        let limits = self.limits;
        let base = self.base.saturating_add(self.buf.len());
        *self = ReplyParser::with_limits(limits);
        self.base = base;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(r: &Reply) -> Vec<&str> {
        r.lines().collect()
    }

    #[test]
    fn single_and_multi() {
        let (r, n) = Reply::parse(b"250 OK\r\nextra").unwrap();
        assert_eq!((r.code.get(), lines(&r), n), (250, vec!["OK"], 8));
        let (r, _) = Reply::parse(b"250-a\n250-b\r\n250\n").unwrap();
        assert_eq!(lines(&r), ["a", "b", ""]);
        assert_eq!(Reply::parse(b"250-a\r\n250 b\r"), Err(ReplyError::Incomplete));
        assert_eq!(Reply::parse(b""), Err(ReplyError::Incomplete));
    }

    #[test]
    fn enhanced_stripped() {
        let (r, _) = Reply::parse(b"550-5.1.1 The email account\r\n550 5.1.1 does not exist\r\n").unwrap();
        assert_eq!(r.enhanced, Some(EnhancedCode::BAD_DESTINATION_MAILBOX));
        assert_eq!(lines(&r), ["The email account", "does not exist"]);
        assert_eq!(r.to_bytes(), b"550-5.1.1 The email account\r\n550 5.1.1 does not exist\r\n");
        let (r, _) = Reply::parse(b"250 2.0.0\r\n").unwrap();
        assert_eq!((r.enhanced, lines(&r)), (Some(EnhancedCode::SUCCESS), vec![""]));
        assert_eq!(r.to_bytes(), b"250 2.0.0\r\n");
    }

    #[test]
    fn errors() {
        assert_eq!(Reply::parse(b"25\r\n"), Err(ReplyError::InvalidCode { line: 1, offset: 0 }));
        assert_eq!(
            Reply::parse(b"2500 x\r\n"),
            Err(ReplyError::InvalidSeparator { line: 1, offset: 3, found: b'0' })
        );
        assert_eq!(
            Reply::parse(b"250-a\r\n251 b\r\n"),
            Err(ReplyError::MismatchedCode { line: 2, offset: 7, expected: ReplyCode::OK, found: 251 })
        );
        assert_eq!(Reply::parse(b"250 a\0b\r\n"), Err(ReplyError::Nul { line: 1, offset: 5 }));
        assert_eq!(Reply::parse(b"199 x\r\n"), Err(ReplyError::InvalidCode { line: 1, offset: 0 }));
        assert_eq!(Reply::parse(b"hello"), Err(ReplyError::InvalidCode { line: 1, offset: 0 }));
    }

    #[test]
    fn parser_recovers() {
        let mut p = ReplyParser::new();
        p.feed(b"250-a\r\n251-b\r\n250 c\r\n220 ok\r\n");
        assert!(matches!(p.next_reply(), Some(Err(ReplyError::MismatchedCode { .. }))));
        assert_eq!(lines(&p.next_reply().unwrap().unwrap()), ["ok"]);
        assert!(p.next_reply().is_none());
        assert!(!p.is_mid_reply());
    }

    #[test]
    fn write_sanitises() {
        let r = Reply::from_lines(ReplyCode::OK, None, ["a\r\nb\0"]);
        assert_eq!(r.to_bytes(), b"250 a  b \r\n");
        assert_eq!(Reply::from_lines(ReplyCode::OK, None, Vec::<String>::new()).to_bytes(), b"250 \r\n");
        assert_eq!(lines(&Reply::new(ReplyCode::OK, None, "x\r\ny")), ["x", "y"]);
    }

    #[test]
    fn one_text() {
        // A line cannot hold a LF: from_lines takes it as a space.
        let r = Reply::from_lines(ReplyCode::OK, None, ["a\nb", "c"]);
        assert_eq!((r.text(), r.line_count(), r.first_line()), ("a b\nc", 2, "a b"));
        let r = Reply::new(ReplyCode::OK, None, "");
        assert_eq!((lines(&r), r.line_count(), r.is_multiline()), (vec![""], 1, false));
        // Not UTF-8: U+FFFD, line by line as if each were converted alone.
        let (r, _) = Reply::parse(b"250-a\xe6\x97\r\n250 \xffb\r\n").unwrap();
        assert_eq!(lines(&r), ["a\u{fffd}", "\u{fffd}b"]);
        let mut p = ReplyParser::new();
        p.feed(b"250-a\xe6\x97\r\n250 \xff");
        assert!(p.next_reply().is_none());
        p.feed(b"b\r\n");
        assert_eq!(p.next_reply(), Some(Ok(r)));
    }
}
