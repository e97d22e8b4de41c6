//! POP3 responses: the status line (`+OK` / `-ERR`, an optional RFC 2449
//! response code, text), the AUTH continuation (`+ base64`), and the lines
//! of the multi-line answers (scan listings, unique ids, STAT's numbers,
//! LANG's list).
//!
//! Response lines are at most 512 octets with the CRLF (RFC 2449 §4); the
//! client session allows longer ones up to its own limit, since real
//! servers exceed it in greetings and error texts.
//!
//! ```
//! use mailwire_pop3::response::{Response, ResponseCode, Status};
//!
//! let r = Response::parse(b"-ERR [IN-USE] Do you have another POP session running?\r\n").unwrap();
//! assert_eq!(r.status, Status::Err);
//! assert_eq!(r.code, Some(ResponseCode::InUse));
//! assert_eq!(r.text, "Do you have another POP session running?");
//! assert_eq!(r.to_bytes(), b"-ERR [IN-USE] Do you have another POP session running?\r\n");
//!
//! let stat = Response::parse(b"+OK 2 320").unwrap();
//! assert_eq!(stat.stat(), Some((2, 320)));
//! ```

use std::fmt;

use crate::command::strip_eol;

/// The longest response line RFC 2449 §4 allows, CRLF included.
pub const MAX_RESPONSE_LEN: usize = 512;

/// `+OK` or `-ERR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `+OK`.
    Ok,
    /// `-ERR`.
    Err,
}

/// A response code (RFC 2449 §8, the IANA registry): machine-readable
/// detail at the start of a response's text, in brackets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseCode {
    /// `IN-USE` (RFC 2449): the maildrop is locked by another session.
    InUse,
    /// `LOGIN-DELAY` (RFC 2449): logging in again this soon is refused.
    LoginDelay,
    /// `SYS/TEMP` (RFC 3206): a temporary system problem.
    SysTemp,
    /// `SYS/PERM` (RFC 3206): a permanent system problem.
    SysPerm,
    /// `AUTH` (RFC 3206): the credentials were wrong, not the system.
    Auth,
    /// `UTF8` (RFC 6856): the message cannot be sent without UTF-8 mode.
    Utf8,
    /// Any other code, as sent (hierarchical parts joined by `/`).
    Other(String),
}

impl ResponseCode {
    /// The code as it appears between the brackets.
    pub fn as_str(&self) -> &str {
        match self {
            ResponseCode::InUse => "IN-USE",
            ResponseCode::LoginDelay => "LOGIN-DELAY",
            ResponseCode::SysTemp => "SYS/TEMP",
            ResponseCode::SysPerm => "SYS/PERM",
            ResponseCode::Auth => "AUTH",
            ResponseCode::Utf8 => "UTF8",
            ResponseCode::Other(s) => s,
        }
    }

    /// The code for `text` (case-insensitive for the registered ones).
    pub fn from_name(text: &str) -> ResponseCode {
        [
            ResponseCode::InUse,
            ResponseCode::LoginDelay,
            ResponseCode::SysTemp,
            ResponseCode::SysPerm,
            ResponseCode::Auth,
            ResponseCode::Utf8,
        ]
        .into_iter()
        .find(|c| c.as_str().eq_ignore_ascii_case(text))
        .unwrap_or_else(|| ResponseCode::Other(text.to_string()))
    }

    /// Whether trying again later may succeed: `IN-USE`, `LOGIN-DELAY` and
    /// `SYS/TEMP`.
    pub fn is_temporary(&self) -> bool {
        matches!(self, ResponseCode::InUse | ResponseCode::LoginDelay | ResponseCode::SysTemp)
    }
}

impl fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status line: `+OK` or `-ERR`, a response code, the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// `+OK` or `-ERR`.
    pub status: Status,
    /// The response code, when the text starts with `[CODE]`.
    pub code: Option<ResponseCode>,
    /// The text after the status (and code), without CRLF. Bytes that are
    /// not UTF-8 are replaced (servers send Latin-1 greetings).
    pub text: String,
}

impl Response {
    /// `+OK text`.
    pub fn ok(text: impl Into<String>) -> Response {
        Response { status: Status::Ok, code: None, text: text.into() }
    }

    /// `-ERR text`.
    pub fn err(text: impl Into<String>) -> Response {
        Response { status: Status::Err, code: None, text: text.into() }
    }

    /// `-ERR [code] text`.
    pub fn err_with(code: ResponseCode, text: impl Into<String>) -> Response {
        Response { status: Status::Err, code: Some(code), text: text.into() }
    }

    /// Whether the status is `+OK`.
    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }

    /// Parses a status line (with or without CRLF). The status indicator is
    /// matched without regard to case, as some servers send `+ok`.
    pub fn parse(line: &[u8]) -> Result<Response, ResponseError> {
        let line = strip_eol(line);
        let (status, rest) = if line.len() >= 3 && line[..3].eq_ignore_ascii_case(b"+OK") {
            (Status::Ok, &line[3..])
        } else if line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"-ERR") {
            (Status::Err, &line[4..])
        } else {
            return Err(ResponseError::new(ResponseErrorKind::BadStatus, 0));
        };
        // RFC 1939: a space separates status and text; tolerate none
        // (`+OK.`) and several.
        if let Some(at) = memchr::memchr3(b'\r', b'\n', 0, rest) {
            return Err(ResponseError::new(
                ResponseErrorKind::ControlCharacter,
                line.len() - rest.len() + at,
            ));
        }
        let text = String::from_utf8_lossy(rest);
        let text = text.strip_prefix(' ').unwrap_or(&text);
        let (code, text) = split_code(text);
        Ok(Response { status, code, text: text.to_string() })
    }

    /// Appends the line, CRLF included.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(match self.status {
            Status::Ok => b"+OK",
            Status::Err => b"-ERR",
        });
        if let Some(code) = &self.code {
            out.extend_from_slice(b" [");
            out.extend_from_slice(code.as_str().as_bytes());
            out.push(b']');
        }
        if !self.text.is_empty() {
            out.push(b' ');
            // CR, LF and NUL cannot be in a line (parse refuses them).
            out.extend(self.text.bytes().filter(|&b| !matches!(b, b'\r' | b'\n' | 0)));
        }
        out.extend_from_slice(b"\r\n");
    }

    /// The line, CRLF included.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.text.len() + 8);
        self.write(&mut out);
        out
    }

    /// STAT's answer, `+OK count size` (RFC 1939 §5's drop listing), if the
    /// text starts with two numbers.
    pub fn stat(&self) -> Option<(u32, u64)> {
        let mut words = self.text.split_ascii_whitespace();
        let count = parse_decimal(words.next()?)?;
        let size = parse_decimal(words.next()?)?;
        Some((u32::try_from(count).ok()?, size))
    }

    /// The APOP timestamp of a greeting (`<1896.697170952@dbc.mtview.ca.us>`),
    /// brackets included, if there is one.
    pub fn apop_timestamp(&self) -> Option<&str> {
        let start = self.text.find('<')?;
        let len = self.text[start..].find('>')? + 1;
        let stamp = &self.text[start..start + len];
        let ok = stamp.len() > 2
            && stamp.contains('@')
            && stamp[1..len - 1].bytes().all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>');
        ok.then_some(stamp)
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.to_bytes();
        f.write_str(String::from_utf8_lossy(&bytes[..bytes.len() - 2]).as_ref())
    }
}

/// Splits `[CODE] text` into the code and the text.
fn split_code(text: &str) -> (Option<ResponseCode>, &str) {
    let Some(inner) = text.strip_prefix('[') else { return (None, text) };
    let Some(end) = inner.find(']') else { return (None, text) };
    let code = &inner[..end];
    let valid = !code.is_empty()
        && code.len() <= 64
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'/' || b == b'.');
    if !valid {
        return (None, text);
    }
    let rest = &inner[end + 1..];
    (Some(ResponseCode::from_name(code)), rest.strip_prefix(' ').unwrap_or(rest))
}

/// An AUTH continuation line, `+ base64` or `+` (RFC 5034 §4): the
/// base64 text, or `None` if the line is not one.
pub fn parse_continuation(line: &[u8]) -> Option<&[u8]> {
    let line = strip_eol(line);
    match line {
        [b'+'] => Some(&[]),
        [b'+', b' ', rest @ ..] => Some(rest),
        _ => None,
    }
}

fn parse_decimal(word: &str) -> Option<u64> {
    if word.is_empty() || word.len() > 19 || !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    word.parse().ok()
}

/// One line of a LIST answer: a message number and its size in octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScanListing {
    /// The message number.
    pub msg: u32,
    /// The size in octets, as the server counts it (CRLF line ends).
    pub size: u64,
}

impl ScanListing {
    /// Parses `msg size` (with anything after the size ignored, as RFC 1939
    /// §5 allows). The same form answers `LIST msg` after `+OK`.
    pub fn parse(line: &[u8]) -> Result<ScanListing, ResponseError> {
        let text = line_text(line)?;
        let mut words = text.split_ascii_whitespace();
        let msg = words.next().and_then(parse_decimal).and_then(|m| u32::try_from(m).ok()).filter(|&m| m > 0);
        let Some(msg) = msg else { return Err(ResponseError::new(ResponseErrorKind::BadListing, 0)) };
        let Some(size) = words.next().and_then(parse_decimal) else {
            return Err(ResponseError::new(ResponseErrorKind::BadListing, text.find(' ').unwrap_or(0)));
        };
        Ok(ScanListing { msg, size })
    }
}

impl fmt::Display for ScanListing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.msg, self.size)
    }
}

/// The longest unique id RFC 1939 §7 allows.
pub const MAX_UID_LEN: usize = 70;

/// One line of a UIDL answer: a message number and its unique id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UniqueId {
    /// The message number.
    pub msg: u32,
    /// The unique id: 1 to 70 characters in 0x21..=0x7E.
    pub uid: String,
}

impl UniqueId {
    /// Parses `msg uid`.
    pub fn parse(line: &[u8]) -> Result<UniqueId, ResponseError> {
        let text = line_text(line)?;
        let mut words = text.split_ascii_whitespace();
        let msg = words.next().and_then(parse_decimal).and_then(|m| u32::try_from(m).ok()).filter(|&m| m > 0);
        let Some(msg) = msg else { return Err(ResponseError::new(ResponseErrorKind::BadUniqueId, 0)) };
        let at = text.find(' ').unwrap_or(0) + 1;
        match words.next() {
            Some(uid) if is_valid_uid(uid) => Ok(UniqueId { msg, uid: uid.to_string() }),
            _ => Err(ResponseError::new(ResponseErrorKind::BadUniqueId, at)),
        }
    }
}

/// Whether `uid` is a valid unique id: 1 to 70 characters in 0x21..=0x7E.
pub fn is_valid_uid(uid: &str) -> bool {
    (1..=MAX_UID_LEN).contains(&uid.len()) && uid.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

impl fmt::Display for UniqueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.msg, self.uid)
    }
}

/// One line of a LANG answer (RFC 6856 §3): a language tag and its
/// description.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Language {
    /// The tag (`en`, `fr-CA`).
    pub tag: String,
    /// The description, in that language.
    pub description: String,
}

impl Language {
    /// Parses `tag SP description`.
    pub fn parse(line: &[u8]) -> Result<Language, ResponseError> {
        let text = line_text(line)?;
        let (tag, description) = text.split_once(' ').unwrap_or((text, ""));
        if tag.is_empty() || !tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(ResponseError::new(ResponseErrorKind::BadLanguage, 0));
        }
        Ok(Language { tag: tag.to_string(), description: description.to_string() })
    }
}

fn line_text(line: &[u8]) -> Result<&str, ResponseError> {
    let line = strip_eol(line);
    std::str::from_utf8(line).map_err(|e| ResponseError::new(ResponseErrorKind::NotUtf8, e.valid_up_to()))
}

/// Why a response line could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseError {
    /// What was wrong.
    pub kind: ResponseErrorKind,
    /// The byte offset in the line.
    pub at: usize,
}

impl ResponseError {
    pub(crate) fn new(kind: ResponseErrorKind, at: usize) -> ResponseError {
        ResponseError { kind, at }
    }
}

/// What was wrong with a response line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseErrorKind {
    /// The line starts with neither `+OK` nor `-ERR`.
    BadStatus,
    /// A CR or LF inside the line.
    ControlCharacter,
    /// A listing line is not `msg size`.
    BadListing,
    /// A UIDL line is not `msg uid` with a valid uid.
    BadUniqueId,
    /// A LANG line does not start with a language tag.
    BadLanguage,
    /// A line of a listing is not UTF-8.
    NotUtf8,
    /// A line is longer than the client allows.
    TooLong,
    /// A multi-line answer is larger than the client allows.
    TooLarge,
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ResponseErrorKind::BadStatus => "the response starts with neither +OK nor -ERR",
            ResponseErrorKind::ControlCharacter => "a CR, LF or NUL inside the response line",
            ResponseErrorKind::BadListing => "a scan listing is not \"msg size\"",
            ResponseErrorKind::BadUniqueId => "a unique-id listing is not \"msg uid\" with a valid uid",
            ResponseErrorKind::BadLanguage => "a LANG line does not start with a language tag",
            ResponseErrorKind::NotUtf8 => "a listing line is not UTF-8",
            ResponseErrorKind::TooLong => "the response line is longer than the limit",
            ResponseErrorKind::TooLarge => "the multi-line answer is larger than the limit",
        };
        write!(f, "{what} (at byte {})", self.at)
    }
}

impl std::error::Error for ResponseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        let r = Response::parse(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n").unwrap();
        assert!(r.is_ok());
        assert_eq!(r.apop_timestamp(), Some("<1896.697170952@dbc.mtview.ca.us>"));
        assert_eq!(Response::parse(b"+OK").unwrap(), Response::ok(""));
        assert_eq!(Response::parse(b"+ok fine").unwrap(), Response::ok("fine"));
        assert_eq!(Response::parse(b"-ERR").unwrap(), Response::err(""));
        let sys = Response::parse(b"-ERR [SYS/TEMP] try later").unwrap();
        assert_eq!(sys.code, Some(ResponseCode::SysTemp));
        assert!(sys.code.as_ref().unwrap().is_temporary());
        let other = Response::parse(b"-ERR [X-VENDOR/ODD] hmm").unwrap();
        assert_eq!(other.code, Some(ResponseCode::Other("X-VENDOR/ODD".into())));
        // Brackets that are not a code stay text.
        assert_eq!(Response::parse(b"-ERR [not a code] x").unwrap().code, None);
        assert_eq!(Response::parse(b"OK").unwrap_err().kind, ResponseErrorKind::BadStatus);
        assert_eq!(Response::parse(b"").unwrap_err().kind, ResponseErrorKind::BadStatus);
        assert_eq!(
            Response::parse(b"+OK a\rb").unwrap_err(),
            ResponseError::new(ResponseErrorKind::ControlCharacter, 5)
        );
        // Latin-1 text does not fail the line.
        assert_eq!(Response::parse(b"+OK caf\xe9").unwrap().text, "caf\u{fffd}");
    }

    #[test]
    fn no_timestamp_without_at_sign_or_closing_bracket() {
        assert_eq!(Response::ok("ready <abc>").apop_timestamp(), None);
        assert_eq!(Response::ok("ready <a@b").apop_timestamp(), None);
        assert_eq!(Response::ok("ready").apop_timestamp(), None);
    }

    #[test]
    fn listings() {
        assert_eq!(ScanListing::parse(b"1 120\r\n"), Ok(ScanListing { msg: 1, size: 120 }));
        assert_eq!(ScanListing::parse(b"2 200 extra info"), Ok(ScanListing { msg: 2, size: 200 }));
        assert!(ScanListing::parse(b"0 200").is_err());
        assert!(ScanListing::parse(b"x 200").is_err());
        assert_eq!(ScanListing::parse(b"3").unwrap_err().kind, ResponseErrorKind::BadListing);
        assert_eq!(
            UniqueId::parse(b"1 whqtswO00WBw418f9t5JxYwZ"),
            Ok(UniqueId { msg: 1, uid: "whqtswO00WBw418f9t5JxYwZ".into() })
        );
        assert!(UniqueId::parse(&[b"1 ", &[b'a'; 71][..]].concat()).is_err());
        assert!(UniqueId::parse(b"1").is_err());
        assert_eq!(Response::ok("2 320").stat(), Some((2, 320)));
        assert_eq!(Response::ok("two 320").stat(), None);
        assert_eq!(Language::parse(b"fr Francais").unwrap().tag, "fr");
    }

    #[test]
    fn continuation() {
        assert_eq!(parse_continuation(b"+ \r\n"), Some(&b""[..]));
        assert_eq!(parse_continuation(b"+\r\n"), Some(&b""[..]));
        assert_eq!(
            parse_continuation(b"+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"),
            Some(&b"PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"[..])
        );
        assert_eq!(parse_continuation(b"+OK"), None);
    }
}
