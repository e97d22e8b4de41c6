//! Responses (server to client): RFC 3501 §7, RFC 9051 §7 and the
//! extensions' responses, with a parser that accepts what real servers
//! send and a writer that follows the grammar.
//!
//! A response is one framed message (see [`crate::frame`]): a line, and
//! any literals with the lines after them. [`Response::parse`] reads one;
//! [`decode`] frames and parses the first one in a buffer. Parsed values
//! share the message's bytes (no copy per string) and write back to the
//! same bytes where the input followed the grammar.
//!
//! ```
//! use bytes::Bytes;
//! use mailwire_imap::Limits;
//! use mailwire_imap::response::{Code, Response, StatusKind};
//!
//! let line = Bytes::from_static(b"* OK [UIDNEXT 4392] Predicted next UID\r\n");
//! let Response::Status(status) = Response::parse(&line, &Limits::default()).unwrap() else { panic!() };
//! assert_eq!(status.kind, StatusKind::Ok);
//! assert_eq!(status.code, Some(Code::UidNext(4392)));
//! ```

mod body;
mod code;
mod data;
mod envelope;
mod fetch;
mod value;

use bytes::Bytes;

use crate::Limits;
use crate::encode::Writer;
use crate::error::{DecodeError, ErrorKind, ParseError};
use crate::frame::frame;
use crate::lex::{Cursor, PResult};
use crate::string::{Tag, Text};

pub use body::{
    BodyFields, BodyParams, BodyStructure, Disposition, ExtensionData, Language, MultipartExtension,
    SingleExtension, SingleKind,
};
pub use code::{Code, MetadataCode};
pub use data::{
    Data, ESearch, ESearchData, ListExtendedItem, ListItem, MetadataEntries, NamespaceDesc, QuotaResource,
    Thread,
};
pub use envelope::{Address, Envelope};
pub use fetch::FetchItem;
pub use value::ExtValue;

use value::{skip_sp, upper};

/// One server response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Response {
    /// A status response: tagged or untagged OK, NO, BAD; untagged
    /// PREAUTH or BYE.
    Status(StatusResponse),
    /// Any other untagged response.
    Data(Data),
    /// A continuation request (`+ …`).
    Continue(Continue),
}

/// A status response (`resp-cond-state`, `resp-cond-auth`,
/// `resp-cond-bye`): `A1 OK [READ-WRITE] SELECT completed`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusResponse {
    /// The command's tag; `None` for an untagged (`*`) response.
    pub tag: Option<Tag>,
    /// OK, NO, BAD, PREAUTH or BYE.
    pub kind: StatusKind,
    /// The response code, if any.
    pub code: Option<Code>,
    /// The human-readable text (may be empty).
    pub text: Text,
}

/// The condition of a status response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusKind {
    /// `OK`: success (tagged) or information (untagged).
    Ok,
    /// `NO`: the command failed (tagged) or a warning (untagged).
    No,
    /// `BAD`: a protocol error.
    Bad,
    /// `PREAUTH` (greeting only): already authenticated.
    PreAuth,
    /// `BYE`: the server is closing the connection.
    Bye,
}

/// A continuation request (`continue-req`): the server is ready for the
/// rest of a command (a literal, IDLE's DONE) or sends a SASL challenge.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Continue {
    /// A response code, if the text had one.
    pub code: Option<Code>,
    /// The text, or the base64 of a SASL challenge.
    pub text: Text,
}

impl StatusKind {
    /// The keyword (`"OK"`).
    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Ok => "OK",
            StatusKind::No => "NO",
            StatusKind::Bad => "BAD",
            StatusKind::PreAuth => "PREAUTH",
            StatusKind::Bye => "BYE",
        }
    }

    fn from_upper(word: &[u8]) -> Option<StatusKind> {
        Some(match word {
            b"OK" => StatusKind::Ok,
            b"NO" => StatusKind::No,
            b"BAD" => StatusKind::Bad,
            b"PREAUTH" => StatusKind::PreAuth,
            b"BYE" => StatusKind::Bye,
            _ => return None,
        })
    }
}

impl StatusResponse {
    /// Whether this is OK (or PREAUTH).
    pub fn is_ok(&self) -> bool {
        matches!(self.kind, StatusKind::Ok | StatusKind::PreAuth)
    }

    /// The text, lossily as UTF-8.
    pub fn text_lossy(&self) -> std::borrow::Cow<'_, str> {
        self.text.to_string_lossy()
    }
}

impl Continue {
    /// The text decoded as base64 (a SASL challenge, RFC 9051 §6.2.2);
    /// `None` if it is not base64. Padding may be left out.
    pub fn decode_base64(&self) -> Option<Vec<u8>> {
        let text = self.text.as_bytes();
        let text = text.strip_suffix(b" ").unwrap_or(text);
        if text.is_empty() {
            return Some(Vec::new());
        }
        base64_simd::STANDARD
            .decode_to_vec(text)
            .or_else(|_| base64_simd::STANDARD_NO_PAD.decode_to_vec(text))
            .ok()
    }

    /// A continuation request carrying a SASL challenge, base64-encoded.
    pub fn challenge(data: &[u8]) -> Continue {
        let text = base64_simd::STANDARD.encode_to_string(data);
        Continue { code: None, text: Text::unchecked(Bytes::from(text)) }
    }
}

impl Response {
    /// Parses exactly one framed response (`message` includes the final
    /// CRLF, and any literals).
    pub fn parse(message: &Bytes, limits: &Limits) -> Result<Response, ParseError> {
        let mut c = Cursor::new(message, limits);
        parse_response(&mut c)
    }

    /// Writes it, CRLF included (literals as `{N}`: the server never
    /// waits).
    pub fn encode(&self, w: &mut Writer) {
        match self {
            Response::Status(s) => {
                match &s.tag {
                    Some(t) => w.raw(t.as_bytes()),
                    None => w.byte(b'*'),
                };
                w.sp().raw(s.kind.as_str().as_bytes());
                encode_resp_text(w, s.code.as_ref(), &s.text);
            }
            Response::Data(d) => {
                w.raw(b"* ");
                d.encode(w);
            }
            Response::Continue(k) => {
                w.raw(b"+ ");
                if let Some(code) = &k.code {
                    w.byte(b'[');
                    code.encode(w);
                    w.byte(b']');
                    if !k.text.as_bytes().is_empty() {
                        w.sp();
                    }
                }
                w.text(&k.text);
            }
        }
        w.crlf();
    }

    /// The bytes of [`Response::encode`] (7-bit quoted strings; 8-bit
    /// strings as literals).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::server(false);
        self.encode(&mut w);
        w.finish().into_bytes()
    }

    /// The tag of a tagged status response.
    pub fn tag(&self) -> Option<&Tag> {
        match self {
            Response::Status(s) => s.tag.as_ref(),
            _ => None,
        }
    }

    /// Whether this is an untagged `BYE`.
    pub fn is_bye(&self) -> bool {
        matches!(self, Response::Status(StatusResponse { kind: StatusKind::Bye, .. }))
    }
}

/// Frames and parses the first response in `buffer`: the response and
/// how many bytes it used. [`DecodeError::Incomplete`] when the buffer
/// does not hold a whole response yet.
pub fn decode(buffer: &Bytes, limits: &Limits) -> Result<(Response, usize), DecodeError> {
    match frame(buffer, limits)? {
        None => Err(DecodeError::Incomplete { literal: None }),
        Some(end) => {
            let message = if end == buffer.len() { buffer.clone() } else { buffer.slice(..end) };
            Ok((Response::parse(&message, limits)?, end))
        }
    }
}

/// ` [code] text`, each part only if present.
fn encode_resp_text(w: &mut Writer, code: Option<&Code>, text: &Text) {
    if let Some(code) = code {
        w.raw(b" [");
        code.encode(w);
        w.byte(b']');
    }
    if !text.as_bytes().is_empty() {
        w.sp().text(text);
    }
}

fn parse_response(c: &mut Cursor<'_>) -> PResult<Response> {
    match c.peek() {
        Some(b'*') => {
            c.advance(1);
            c.sp("response-data")?;
            skip_sp(c);
            parse_untagged(c)
        }
        Some(b'+') => {
            c.advance(1);
            if !c.at_line_end() {
                c.eat(b' ');
            }
            let (code, text) = resp_text(c)?;
            Ok(Response::Continue(Continue { code, text }))
        }
        _ => {
            let tag = c.tag("response-tagged")?;
            c.sp("response-tagged")?;
            skip_sp(c);
            let start = c.pos();
            let word = c.keyword();
            let mut buf = [0u8; 24];
            let Some(kind) = StatusKind::from_upper(upper(word, &mut buf)) else {
                return Err(ParseError::new(start, "resp-cond-state", ErrorKind::Expected("OK, NO or BAD")));
            };
            let (code, text) = status_text(c)?;
            Ok(Response::Status(StatusResponse { tag: Some(tag), kind, code, text }))
        }
    }
}

fn parse_untagged(c: &mut Cursor<'_>) -> PResult<Response> {
    if matches!(c.peek(), Some(b'0'..=b'9')) {
        let at = c.pos();
        let n = c.number("message-data")?;
        value::sp(c, "message-data")?;
        return Ok(Response::Data(data::parse_numbered(c, n, at)?));
    }
    let start = c.pos();
    let word = c.keyword();
    if word.is_empty() {
        return Err(c.expected("response-data", "a response name"));
    }
    let mut buf = [0u8; 24];
    let up = upper(word, &mut buf);
    if let Some(kind) = StatusKind::from_upper(up) {
        let (code, text) = status_text(c)?;
        return Ok(Response::Status(StatusResponse { tag: None, kind, code, text }));
    }
    if let Some(d) = data::parse_named(c, up)? {
        return Ok(Response::Data(d));
    }
    Ok(Response::Data(data::parse_other(c, None, start)?))
}

/// `[SP resp-text]` after a status keyword: nothing, or a space (left
/// out by some servers before `[`) and the text.
fn status_text(c: &mut Cursor<'_>) -> PResult<(Option<Code>, Text)> {
    if !c.at_line_end() {
        c.eat(b' ');
    }
    resp_text(c)
}

/// `resp-text` and the CRLF: `["[" resp-text-code "]" SP] [text]`. A `[`
/// that does not start a code is text.
fn resp_text(c: &mut Cursor<'_>) -> PResult<(Option<Code>, Text)> {
    let code = if c.peek() == Some(b'[') { Code::parse_bracketed(c) } else { None };
    if code.is_some() {
        c.eat(b' ');
    }
    let text = c.text();
    c.crlf("resp-text")?;
    Ok((code, text))
}
