//! The Authentication-Results header field (RFC 8601), written by the hop
//! that checks a message and read by the hops and the mail reader after it.
//!
//! An [`AuthResults`] is one field: the authentication service identifier
//! (`authserv-id`) of whoever did the checks, an optional version, and one
//! [`MethodResult`] per check (`dkim=pass header.d=example.com …`), or none
//! at all (`example.org; none`).
//!
//! - **Writing**: [`AuthResults::to_field`] gives the whole field,
//!   `Authentication-Results: …\r\n`, folded at 78 columns between the
//!   elements of each result (each result starts its own line); `Display`
//!   and [`AuthResults::to_header_value`] give the value on one line. Values
//!   that are not RFC 2045 tokens (nor addresses such as `@example.com`)
//!   are quoted; reasons always are. Nothing written can end the field
//!   early or add a field: control characters are never emitted.
//! - **Reading**: [`AuthResults::parse`] (the value) and
//!   [`AuthResults::parse_field`] (with the `Authentication-Results:` name)
//!   accept comments and folding everywhere RFC 8601 allows them, any case
//!   in keywords, version numbers, quoted or bare values, unknown methods,
//!   results and properties (kept as `Other`), and the common deviations of
//!   real servers (a trailing `;`, bare `action=none` properties, unquoted
//!   `/` and `=` in `header.b`). Errors are typed and carry the byte
//!   position; [`ResultsLimits`] caps counts and sizes. No input panics.
//! - **ARC** (RFC 8617): [`AuthResults::parse_arc`] and
//!   [`AuthResults::to_arc_field`] handle `ARC-Authentication-Results`,
//!   which is the same payload after an `i=N;` instance tag.
//!
//! Comments are skipped when reading: they carry no meaning (RFC 8601
//! §2.7.6); the machine-readable explanation is the `reason`.
//!
//! Consumers should only trust a field whose `authserv_id` names their own
//! ADMD (RFC 8601 §5), should ignore results whose `version` they do not
//! know (§2.6), and must not act on properties of unknown types (§2.3).
//!
//! ```
//! use mailwire_auth::results::{AuthResults, Method, MethodResult, PropertyType, ResultKind};
//!
//! // The border MTA records what it found…
//! let recorded = AuthResults::new("mx.example.org")
//!     .result(MethodResult::dkim(ResultKind::Pass, None, "example.com", "sel1", Some("abcd1234")))
//!     .result(
//!         MethodResult::new(Method::Spf, ResultKind::Fail)
//!             .reason("not permitted")
//!             .property(PropertyType::Smtp, "mailfrom", "sender@example.com"),
//!     );
//! let field = recorded.to_field();
//! assert_eq!(
//!     field,
//!     "Authentication-Results: mx.example.org;\r\n\
//!      \tdkim=pass header.d=example.com header.s=sel1 header.b=abcd1234;\r\n\
//!      \tspf=fail reason=\"not permitted\" smtp.mailfrom=sender@example.com\r\n"
//! );
//!
//! // …and the next hop reads it back.
//! let read = AuthResults::parse_field(field.as_bytes())?;
//! assert_eq!(read, recorded);
//! let dkim = &read.results[0];
//! assert_eq!(dkim.method, Method::Dkim);
//! assert_eq!(dkim.get(&PropertyType::Header, "d"), Some("example.com"));
//! # Ok::<(), mailwire_auth::results::ResultsError>(())
//! ```

use std::fmt;
use std::str::FromStr;

/// The field name, as this module writes it.
pub const FIELD_NAME: &str = "Authentication-Results";

/// The ARC variant's field name (RFC 8617 §4.1.1).
pub const ARC_FIELD_NAME: &str = "ARC-Authentication-Results";

/// Lines are folded to stay within this many characters, CRLF excluded
/// (RFC 5322 §2.1.1), unless a single word is longer.
const FOLD_WIDTH: usize = 78;

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

/// One Authentication-Results field: who checked (`authserv_id`) and what
/// they found.
///
/// An empty `results` is the `none` form: the service ran but checked
/// nothing (RFC 8601 `no-result`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AuthResults {
    /// The authentication service identifier: the ADMD (usually its domain
    /// name) that did the checks. Consumers trust only their own.
    pub authserv_id: String,
    /// The version of RFC 8601's syntax (`example.org 1; none`); `None`
    /// means version 1 implicitly.
    pub version: Option<u32>,
    /// The results, in field order. Empty means `none`.
    pub results: Vec<MethodResult>,
}

/// One `method=result` statement with its reason and properties, such as
/// `dkim=pass header.d=example.com header.s=sel`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MethodResult {
    /// The authentication method that was applied.
    pub method: Method,
    /// The method's version (`dkim/1=pass`); `None` means version 1.
    pub version: Option<u32>,
    /// What the method concluded.
    pub result: ResultKind,
    /// The `reason="…"` clause: a free-form explanation.
    pub reason: Option<String>,
    /// The `ptype.property=value` statements, in field order.
    pub properties: Vec<Property>,
}

/// An authentication method (IANA "Email Authentication Methods").
///
/// Names are matched without regard to ASCII case; [`Method::Other`] holds
/// any other name, lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(into = "String", from = "String")
)]
#[non_exhaustive]
pub enum Method {
    /// `dkim`: DKIM signatures (RFC 6376, RFC 8601 §2.7.1).
    Dkim,
    /// `spf`: the Sender Policy Framework (RFC 7208, RFC 8601 §2.7.2).
    Spf,
    /// `dmarc`: DMARC (RFC 7489).
    Dmarc,
    /// `arc`: the Authenticated Received Chain (RFC 8617).
    Arc,
    /// `auth`: SMTP AUTH (RFC 4954, RFC 8601 §2.7.4).
    Auth,
    /// `dkim-atps`: authorized third-party signatures (RFC 6541).
    DkimAtps,
    /// `iprev`: reverse-DNS check of the client (RFC 8601 §3).
    Iprev,
    /// Any other method (`vbr`, `smime`, `bimi`, extensions), lowercased.
    Other(String),
}

/// The result of a method (IANA "Email Authentication Result Names").
///
/// DKIM's results are `none`, `pass`, `fail`, `policy`, `neutral`,
/// `temperror` and `permerror` (RFC 8601 §2.7.1); SPF adds `softfail`.
/// Names are matched without regard to ASCII case; [`ResultKind::Other`]
/// holds any other name, lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(into = "String", from = "String")
)]
#[non_exhaustive]
pub enum ResultKind {
    /// `pass`: the check succeeded.
    Pass,
    /// `fail`: the check failed.
    Fail,
    /// `softfail`: SPF's weak failure.
    SoftFail,
    /// `neutral`: no assertion either way (DKIM: the signature could not be
    /// processed).
    Neutral,
    /// `none`: nothing to check (DKIM: unsigned; SPF: no record).
    None,
    /// `temperror`: a transient error, such as a DNS timeout.
    TempError,
    /// `permerror`: a permanent error, such as a malformed record.
    PermError,
    /// `policy`: the check passed but local policy rejected it (§2.4).
    Policy,
    /// `hardfail`: RFC 5451's name for SPF `fail`, deprecated since
    /// RFC 7001; read for compatibility.
    HardFail,
    /// Any other result, lowercased.
    Other(String),
}

/// One `ptype.property=value` statement, such as `header.d=example.com`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Property {
    /// Where the value came from: `smtp`, `header`, `body` or `policy`.
    pub ptype: PropertyType,
    /// Which item: `mailfrom`, `helo` (for `smtp`), a DKIM tag such as `d`,
    /// `s`, `i`, `b` (for `header`), `from`, … Kept as written.
    pub name: String,
    /// The value, unquoted (`example.com`, `@example.com`,
    /// `user@example.com`).
    pub value: String,
}

/// The type of a property (IANA "Email Authentication Property Types").
///
/// Names are matched without regard to ASCII case; [`PropertyType::Other`]
/// holds any other name, lowercased. `Other("")` stands for a property
/// written without a type, as some servers write `action=none`: it is read
/// and written back as `name=value`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(into = "String", from = "String")
)]
#[non_exhaustive]
pub enum PropertyType {
    /// `smtp`: a parameter of an SMTP command (`smtp.mailfrom`).
    Smtp,
    /// `header`: taken from the header, or a DKIM signature tag
    /// (`header.d`).
    Header,
    /// `body`: taken from the body.
    Body,
    /// `policy`: a local policy decision (`policy.iprev`, §2.4).
    Policy,
    /// Any other type, lowercased; empty for an untyped property.
    Other(String),
}

/// Caps applied by the parser, so that no field costs unbounded time or
/// memory. Exceeding one is an error naming the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResultsLimits {
    /// Most results (`method=result` statements) in one field.
    pub max_results: usize,
    /// Most properties in one result.
    pub max_properties: usize,
    /// Longest value, keyword or reason, in bytes after unquoting.
    pub max_value_len: usize,
    /// Longest input accepted, in bytes.
    pub max_input_len: usize,
}

impl ResultsLimits {
    /// The default limits: 64 results, 64 properties per result, values of
    /// 1024 bytes, 64 KiB of input.
    pub const DEFAULT: ResultsLimits =
        ResultsLimits { max_results: 64, max_properties: 64, max_value_len: 1024, max_input_len: 64 * 1024 };

    /// Limits with every cap at its default.
    pub const fn new() -> Self {
        Self::DEFAULT
    }

    /// Sets [`max_results`](Self::max_results).
    pub const fn with_max_results(mut self, n: usize) -> Self {
        self.max_results = n;
        self
    }

    /// Sets [`max_properties`](Self::max_properties).
    pub const fn with_max_properties(mut self, n: usize) -> Self {
        self.max_properties = n;
        self
    }

    /// Sets [`max_value_len`](Self::max_value_len).
    pub const fn with_max_value_len(mut self, n: usize) -> Self {
        self.max_value_len = n;
        self
    }

    /// Sets [`max_input_len`](Self::max_input_len).
    pub const fn with_max_input_len(mut self, n: usize) -> Self {
        self.max_input_len = n;
        self
    }
}

impl Default for ResultsLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why bytes are not a valid Authentication-Results field. Positions are
/// byte offsets into the slice given to the parse function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResultsError {
    /// The value is empty, or only whitespace and comments.
    Empty,
    /// Something other than what the grammar allows here.
    Syntax {
        /// Offset of the offending byte (the input's length at its end).
        position: usize,
        /// What would have been valid.
        expected: Expected,
        /// The byte found; `None` at the end of the input.
        found: Option<u8>,
    },
    /// A `(` comment is never closed.
    UnterminatedComment {
        /// Offset of the comment's `(`.
        position: usize,
    },
    /// A `"` quoted string is never closed.
    UnterminatedQuotedString {
        /// Offset of the opening `"`.
        position: usize,
    },
    /// A value is not valid UTF-8 (RFC 6532 allows UTF-8 only).
    InvalidUtf8 {
        /// Offset of the value.
        position: usize,
    },
    /// A version or instance number does not fit in a `u32`.
    NumberTooLarge {
        /// Offset of the number's first digit.
        position: usize,
    },
    /// A second `reason=` in one result.
    DuplicateReason {
        /// Offset of the second `reason`.
        position: usize,
    },
    /// An ARC instance (`i=`) outside 1 to 50 (RFC 8617 §3.9).
    InvalidArcInstance {
        /// Offset of the number.
        position: usize,
    },
    /// More results than [`ResultsLimits::max_results`].
    TooManyResults {
        /// Offset of the first result over the limit.
        position: usize,
        /// The limit in force.
        limit: usize,
    },
    /// More properties in one result than
    /// [`ResultsLimits::max_properties`].
    TooManyProperties {
        /// Offset of the first property over the limit.
        position: usize,
        /// The limit in force.
        limit: usize,
    },
    /// A value, keyword or reason longer than
    /// [`ResultsLimits::max_value_len`].
    ValueTooLong {
        /// Offset of the value.
        position: usize,
        /// The limit in force.
        limit: usize,
    },
    /// An input longer than [`ResultsLimits::max_input_len`].
    InputTooLong {
        /// The input's length.
        length: usize,
        /// The limit in force.
        limit: usize,
    },
}

/// What the parser expected where it failed (see [`ResultsError::Syntax`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expected {
    /// The field name and `:` ([`AuthResults::parse_field`]).
    FieldName,
    /// The ARC instance tag `i=N` and `;` ([`AuthResults::parse_arc`]).
    ArcInstance,
    /// The authentication service identifier.
    AuthservId,
    /// `;` introducing a result or `none`.
    Semicolon,
    /// A method name (`dkim`, `spf`, …).
    Method,
    /// A method version number after `/`.
    MethodVersion,
    /// `=` between the method and its result.
    MethodEquals,
    /// A result keyword (`pass`, `fail`, …).
    Result,
    /// A reason, a property, `;` or the end of the field.
    Property,
    /// `.` between a property type and name (or `=` for an untyped one).
    DotOrEquals,
    /// A property name after `.`.
    PropertyName,
    /// `=` after a property name.
    PropertyEquals,
    /// A value: a token or a quoted string.
    Value,
    /// Text inside a quoted string (control characters are not allowed).
    QuotedText,
    /// The end of the field (nothing may follow `none`).
    End,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::FieldName => "the field name followed by ':'",
            Expected::ArcInstance => "the ARC instance tag 'i=' with a number, then ';'",
            Expected::AuthservId => "an authentication service identifier (authserv-id)",
            Expected::Semicolon => "';' followed by a result or 'none'",
            Expected::Method => "a method name such as dkim or spf",
            Expected::MethodVersion => "a method version number after '/'",
            Expected::MethodEquals => "'=' between the method and its result",
            Expected::Result => "a result keyword such as pass or fail",
            Expected::Property => "a reason, a property (ptype.property=value), ';' or the end of the field",
            Expected::DotOrEquals => "'.' between the property type and the property name",
            Expected::PropertyName => "a property name after '.'",
            Expected::PropertyEquals => "'=' after the property name",
            Expected::Value => "a value (a token or a quoted string)",
            Expected::QuotedText => "text inside the quoted string (control characters are not allowed)",
            Expected::End => "the end of the field after 'none'",
        })
    }
}

impl fmt::Display for ResultsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ResultsError::Empty => {
                f.write_str("Authentication-Results: empty value (no authentication service identifier)")
            }
            ResultsError::Syntax { position, expected, found } => {
                write!(f, "Authentication-Results: expected {expected} at byte {position}, found ")?;
                match found {
                    None => f.write_str("the end of the input"),
                    Some(b) if b.is_ascii_graphic() => write!(f, "'{}'", char::from(b)),
                    Some(b) => write!(f, "byte 0x{b:02x}"),
                }
            }
            ResultsError::UnterminatedComment { position } => {
                write!(f, "Authentication-Results: the comment opened at byte {position} is never closed")
            }
            ResultsError::UnterminatedQuotedString { position } => {
                write!(
                    f,
                    "Authentication-Results: the quoted string opened at byte {position} is never closed"
                )
            }
            ResultsError::InvalidUtf8 { position } => {
                write!(f, "Authentication-Results: the value at byte {position} is not valid UTF-8")
            }
            ResultsError::NumberTooLarge { position } => {
                write!(f, "Authentication-Results: the number at byte {position} is too large")
            }
            ResultsError::DuplicateReason { position } => {
                write!(f, "Authentication-Results: a second reason for the same result at byte {position}")
            }
            ResultsError::InvalidArcInstance { position } => write!(
                f,
                "ARC-Authentication-Results: the instance at byte {position} is not between 1 and 50"
            ),
            ResultsError::TooManyResults { position, limit } => write!(
                f,
                "Authentication-Results: more than {limit} results (the one at byte {position} is over the limit)"
            ),
            ResultsError::TooManyProperties { position, limit } => write!(
                f,
                "Authentication-Results: more than {limit} properties in one result (the one at byte {position} is over the limit)"
            ),
            ResultsError::ValueTooLong { position, limit } => {
                write!(f, "Authentication-Results: the value at byte {position} is longer than {limit} bytes")
            }
            ResultsError::InputTooLong { length, limit } => write!(
                f,
                "Authentication-Results: the field is {length} bytes long, more than the limit of {limit}"
            ),
        }
    }
}

impl std::error::Error for ResultsError {}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

fn lower(name: &str) -> String {
    name.to_ascii_lowercase()
}

impl Method {
    /// The method for a name, ignoring ASCII case (`DKIM` is [`Method::Dkim`]).
    pub fn from_name(name: &str) -> Method {
        match lower(name).as_str() {
            "dkim" => Method::Dkim,
            "spf" => Method::Spf,
            "dmarc" => Method::Dmarc,
            "arc" => Method::Arc,
            "auth" => Method::Auth,
            "dkim-atps" => Method::DkimAtps,
            "iprev" => Method::Iprev,
            _ => Method::Other(lower(name)),
        }
    }

    /// The registered name, as written in the field (`dkim`, `dkim-atps`, …).
    pub fn as_str(&self) -> &str {
        match self {
            Method::Dkim => "dkim",
            Method::Spf => "spf",
            Method::Dmarc => "dmarc",
            Method::Arc => "arc",
            Method::Auth => "auth",
            Method::DkimAtps => "dkim-atps",
            Method::Iprev => "iprev",
            Method::Other(s) => s,
        }
    }
}

impl ResultKind {
    /// The result for a name, ignoring ASCII case (`PASS` is
    /// [`ResultKind::Pass`]).
    pub fn from_name(name: &str) -> ResultKind {
        match lower(name).as_str() {
            "pass" => ResultKind::Pass,
            "fail" => ResultKind::Fail,
            "softfail" => ResultKind::SoftFail,
            "neutral" => ResultKind::Neutral,
            "none" => ResultKind::None,
            "temperror" => ResultKind::TempError,
            "permerror" => ResultKind::PermError,
            "policy" => ResultKind::Policy,
            "hardfail" => ResultKind::HardFail,
            _ => ResultKind::Other(lower(name)),
        }
    }

    /// The registered name, as written in the field (`pass`, `temperror`, …).
    pub fn as_str(&self) -> &str {
        match self {
            ResultKind::Pass => "pass",
            ResultKind::Fail => "fail",
            ResultKind::SoftFail => "softfail",
            ResultKind::Neutral => "neutral",
            ResultKind::None => "none",
            ResultKind::TempError => "temperror",
            ResultKind::PermError => "permerror",
            ResultKind::Policy => "policy",
            ResultKind::HardFail => "hardfail",
            ResultKind::Other(s) => s,
        }
    }
}

impl PropertyType {
    /// The property type for a name, ignoring ASCII case (`Header` is
    /// [`PropertyType::Header`]); the empty name is the untyped
    /// `Other("")`.
    pub fn from_name(name: &str) -> PropertyType {
        match lower(name).as_str() {
            "smtp" => PropertyType::Smtp,
            "header" => PropertyType::Header,
            "body" => PropertyType::Body,
            "policy" => PropertyType::Policy,
            _ => PropertyType::Other(lower(name)),
        }
    }

    /// The registered name, as written in the field (`smtp`, `header`, …).
    pub fn as_str(&self) -> &str {
        match self {
            PropertyType::Smtp => "smtp",
            PropertyType::Header => "header",
            PropertyType::Body => "body",
            PropertyType::Policy => "policy",
            PropertyType::Other(s) => s,
        }
    }

    fn is_untyped(&self) -> bool {
        matches!(self, PropertyType::Other(s) if s.is_empty())
    }
}

macro_rules! name_conversions {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $t {
            fn from(name: &str) -> Self {
                Self::from_name(name)
            }
        }

        impl From<String> for $t {
            fn from(name: String) -> Self {
                Self::from_name(&name)
            }
        }

        impl From<$t> for String {
            fn from(value: $t) -> String {
                value.as_str().to_owned()
            }
        }
    };
}

name_conversions!(Method);
name_conversions!(ResultKind);
name_conversions!(PropertyType);

// ---------------------------------------------------------------------------
// Construction
// ---------------------------------------------------------------------------

impl AuthResults {
    /// A field for `authserv_id` with no results yet (written as `none`
    /// until a result is added).
    pub fn new(authserv_id: impl Into<String>) -> Self {
        AuthResults { authserv_id: authserv_id.into(), version: None, results: Vec::new() }
    }

    /// Sets the field's version (written after the authserv-id).
    pub fn version(mut self, version: u32) -> Self {
        self.version = Some(version);
        self
    }

    /// Adds a result at the end.
    pub fn result(mut self, result: MethodResult) -> Self {
        self.results.push(result);
        self
    }

    /// Adds a result at the end, in place.
    pub fn push(&mut self, result: MethodResult) {
        self.results.push(result);
    }

    /// Whether this is the `none` form: no results.
    pub fn is_none(&self) -> bool {
        self.results.is_empty()
    }

    /// The results of one method, in field order.
    pub fn results_for<'s>(&'s self, method: &'s Method) -> impl Iterator<Item = &'s MethodResult> + 's {
        self.results.iter().filter(move |r| &r.method == method)
    }
}

impl MethodResult {
    /// A result with no reason and no properties.
    pub fn new(method: Method, result: ResultKind) -> Self {
        MethodResult { method, version: None, result, reason: None, properties: Vec::new() }
    }

    /// A DKIM result for one signature (RFC 8601 §2.7.1, RFC 6008):
    /// `dkim=<result> [reason="…"] header.d=<d> header.s=<s> header.b=<b>`.
    ///
    /// `b_prefix` is the start of the signature's `b=` tag (RFC 6008
    /// advises at least 8 characters) that tells signatures of the same
    /// domain apart; whitespace in it is dropped. An empty `d`, `s` or
    /// `b_prefix` is left out, for results such as `dkim=none`.
    pub fn dkim(result: ResultKind, reason: Option<&str>, d: &str, s: &str, b_prefix: Option<&str>) -> Self {
        let mut r = MethodResult::new(Method::Dkim, result);
        r.reason = reason.map(str::to_owned);
        if !d.is_empty() {
            r = r.property(PropertyType::Header, "d", d);
        }
        if !s.is_empty() {
            r = r.property(PropertyType::Header, "s", s);
        }
        if let Some(b) = b_prefix {
            let b: String = b.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            if !b.is_empty() {
                r = r.property(PropertyType::Header, "b", b);
            }
        }
        r
    }

    /// Sets the method version (`dkim/1=pass`).
    pub fn version(mut self, version: u32) -> Self {
        self.version = Some(version);
        self
    }

    /// Sets the reason (written `reason="…"`).
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Adds a property at the end (`ptype.name=value`).
    pub fn property(
        mut self,
        ptype: PropertyType,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.properties.push(Property::new(ptype, name, value));
        self
    }

    /// The value of the first property of this type and name (the name
    /// compared without regard to ASCII case).
    pub fn get(&self, ptype: &PropertyType, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|p| &p.ptype == ptype && p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.as_str())
    }
}

impl Property {
    /// A property `ptype.name=value`.
    pub fn new(ptype: PropertyType, name: impl Into<String>, value: impl Into<String>) -> Self {
        Property { ptype, name: name.into(), value: value.into() }
    }
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// RFC 2045 `tspecials`.
fn is_tspecial(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')'
            | b'<'
            | b'>'
            | b'@'
            | b','
            | b';'
            | b':'
            | b'\\'
            | b'"'
            | b'/'
            | b'['
            | b']'
            | b'?'
            | b'='
    )
}

/// An RFC 2045 token: printable US-ASCII, no space, no tspecials.
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() && !is_tspecial(b))
}

/// A DKIM `domain-name` (RFC 6376 §3.5): dot-separated labels of letters,
/// digits and inner hyphens.
fn is_domain_name(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            match (b.first(), b.last()) {
                (Some(f), Some(l)) => {
                    f.is_ascii_alphanumeric()
                        && l.is_ascii_alphanumeric()
                        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
                }
                _ => false,
            }
        })
}

/// A dot-atom local-part, restricted to the characters that no reader
/// mistakes for structure.
fn is_simple_local_part(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|atom| {
            !atom.is_empty()
                && atom.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-^_`{|}~".contains(&b))
        })
}

/// RFC 8601's `[ [ local-part ] "@" ] domain-name` form of a pvalue.
fn is_address_form(s: &str) -> bool {
    match s.rsplit_once('@') {
        Some((local, domain)) => (local.is_empty() || is_simple_local_part(local)) && is_domain_name(domain),
        None => false,
    }
}

/// Writes a quoted-string. Backslash and quote are escaped; ASCII control
/// characters other than tab cannot appear in a header field at all and
/// are written as spaces.
fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\t' => out.push(c),
            c if c.is_ascii_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes a keyword, replacing what a keyword cannot hold by `-`.
fn push_keyword(out: &mut String, s: &str, allow_dot: bool) {
    if s.is_empty() {
        out.push('-');
        return;
    }
    for c in s.chars() {
        if (c.is_ascii() && is_keyword_byte(c as u8)) || (allow_dot && c == '.') {
            out.push(c);
        } else {
            out.push('-');
        }
    }
}

fn push_value(out: &mut String, s: &str) {
    if is_token(s) {
        out.push_str(s);
    } else {
        push_quoted(out, s);
    }
}

fn push_pvalue(out: &mut String, s: &str) {
    if is_token(s) || is_address_form(s) {
        out.push_str(s);
    } else {
        push_quoted(out, s);
    }
}

impl fmt::Display for Property {
    /// `ptype.name=value` (or `name=value` when untyped), value quoted if
    /// needed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        if self.ptype.is_untyped() {
            push_keyword(&mut s, &self.name, false);
        } else {
            push_keyword(&mut s, self.ptype.as_str(), false);
            s.push('.');
            push_keyword(&mut s, &self.name, true);
        }
        s.push('=');
        push_pvalue(&mut s, &self.value);
        f.write_str(&s)
    }
}

impl MethodResult {
    /// The words of this result, in order: methodspec, reason, properties.
    fn words(&self) -> Vec<String> {
        let mut words = Vec::with_capacity(2 + self.properties.len());
        let mut spec = String::new();
        push_keyword(&mut spec, self.method.as_str(), false);
        if let Some(v) = self.version {
            spec.push('/');
            spec.push_str(&v.to_string());
        }
        spec.push('=');
        push_keyword(&mut spec, self.result.as_str(), false);
        words.push(spec);
        if let Some(reason) = &self.reason {
            let mut w = String::from("reason=");
            push_quoted(&mut w, reason);
            words.push(w);
        }
        for p in &self.properties {
            words.push(p.to_string());
        }
        words
    }
}

impl fmt::Display for MethodResult {
    /// One `resinfo` without the leading `;`: `dkim=pass header.d=…`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words().join(" "))
    }
}

impl AuthResults {
    /// The groups of words of the field: the authserv-id (and version),
    /// then one group per result (or `none`). Groups are separated by `;`.
    fn groups(&self) -> Vec<Vec<String>> {
        let mut head = String::new();
        push_value(&mut head, &self.authserv_id);
        let mut first = vec![head];
        if let Some(v) = self.version {
            first.push(v.to_string());
        }
        let mut groups = vec![first];
        if self.results.is_empty() {
            groups.push(vec!["none".to_owned()]);
        } else {
            groups.extend(self.results.iter().map(MethodResult::words));
        }
        groups
    }

    /// The field value on one line, without the name or line break:
    /// `example.com; dkim=pass header.d=example.com` (the same as
    /// `Display`).
    pub fn to_header_value(&self) -> String {
        join_groups(&self.groups())
    }

    /// The whole field, `Authentication-Results: …\r\n`, folded to 78
    /// columns: on one line if it fits, otherwise each result starts a new
    /// line, and a result that does not fit is folded between its elements
    /// (CRLF + TAB). Tokens are never split; a quoted reason longer than a
    /// line is folded at its own spaces.
    pub fn to_field(&self) -> String {
        fold(FIELD_NAME, &self.groups(), 1)
    }

    /// The `ARC-Authentication-Results: i=<instance>; …\r\n` field of an
    /// ARC set (RFC 8617 §4.1.1), folded like [`to_field`](Self::to_field).
    pub fn to_arc_field(&self, instance: u32) -> String {
        let mut groups = vec![vec![format!("i={instance}")]];
        groups.extend(self.groups());
        fold(ARC_FIELD_NAME, &groups, 2)
    }
}

impl fmt::Display for AuthResults {
    /// The field value on one line ([`AuthResults::to_header_value`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_header_value())
    }
}

/// The words with their group separators attached: every group but the
/// last ends in `;`. The flag marks the first word of each group from
/// `head` on (the results, which start their own lines when folded).
fn words_with_separators(groups: &[Vec<String>], head: usize) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    for (gi, group) in groups.iter().enumerate() {
        let last_group = gi + 1 == groups.len();
        for (wi, word) in group.iter().enumerate() {
            let mut w = word.clone();
            if wi + 1 == group.len() && !last_group {
                w.push(';');
            }
            out.push((wi == 0 && gi >= head, w));
        }
    }
    out
}

fn join_groups(groups: &[Vec<String>]) -> String {
    let words: Vec<String> = words_with_separators(groups, 0).into_iter().map(|(_, w)| w).collect();
    words.join(" ")
}

fn is_wsp(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Splits a word before the blanks it contains (only quoted strings
/// contain any): each piece after the first starts with its blanks, which
/// become the folding whitespace if a line break is put before them.
fn segments(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev_wsp = false;
    for (i, c) in word.char_indices() {
        if is_wsp(c) && !prev_wsp && i > start {
            out.push(&word[start..i]);
            start = i;
        }
        prev_wsp = is_wsp(c);
    }
    out.push(&word[start..]);
    out
}

/// Folds the field `name: groups…`; the groups before `head` share the
/// first line.
fn fold(name: &str, groups: &[Vec<String>], head: usize) -> String {
    let words = words_with_separators(groups, head);
    let single = join_groups(groups);
    let mut out = String::with_capacity(name.len() + single.len() + 16);
    out.push_str(name);
    out.push(':');
    if name.chars().count() + 1 + 1 + single.chars().count() <= FOLD_WIDTH {
        out.push(' ');
        out.push_str(&single);
        out.push_str("\r\n");
        return out;
    }
    let mut col = name.chars().count() + 1;
    for (i, (starts_group, word)) in words.iter().enumerate() {
        let len = word.chars().count();
        // A quoted string too long for a line of its own is folded at its
        // own blanks; only its first piece needs to fit here.
        let split = 1 + len > FOLD_WIDTH && word.contains(is_wsp);
        let need = if split { segments(word).first().map_or(len, |s| s.chars().count()) } else { len };
        if i == 0 {
            out.push(' ');
            col += 1;
        } else if *starts_group || col + 1 + need > FOLD_WIDTH {
            out.push_str("\r\n\t");
            col = 1;
        } else {
            out.push(' ');
            col += 1;
        }
        if split && col + len > FOLD_WIDTH {
            for seg in segments(word) {
                let seg_len = seg.chars().count();
                if seg.starts_with(is_wsp) && col + seg_len > FOLD_WIDTH && col > 1 {
                    out.push_str("\r\n");
                    col = 0;
                }
                out.push_str(seg);
                col += seg_len;
            }
        } else {
            out.push_str(word);
            col += len;
        }
    }
    out.push_str("\r\n");
    out
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// Letters, digits, `-` and `_` (RFC 5321 `Keyword`, with `_` tolerated).
fn is_keyword_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    /// No `=` (so that a missing authserv-id is an error, not a misreading).
    AuthservId,
    Reason,
    /// `=` and `/` tolerated (unquoted base64 in `header.b`); a quoted
    /// local-part may be followed by `@domain`.
    PValue,
}

/// Bytes of an unquoted value, read leniently: RFC 2045 token characters
/// plus the tspecials that cannot end a value (`@`, `/`, `=`, …) and UTF-8.
fn is_value_byte(b: u8, kind: ValueKind) -> bool {
    match b {
        0..=0x20 | 0x7f => false,
        b'(' | b')' | b';' | b'"' | b'\\' => false,
        b'=' => kind != ValueKind::AuthservId,
        _ => true,
    }
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    limits: ResultsLimits,
}

impl<'a> Parser<'a> {
    fn new(s: &'a [u8], limits: ResultsLimits) -> Result<Self, ResultsError> {
        if s.len() > limits.max_input_len {
            return Err(ResultsError::InputTooLong { length: s.len(), limit: limits.max_input_len });
        }
        Ok(Parser { s, pos: 0, limits })
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn err(&self, expected: Expected) -> ResultsError {
        ResultsError::Syntax { position: self.pos, expected, found: self.peek() }
    }

    /// Skips whitespace, line breaks (folding) and comments; says whether
    /// anything was skipped.
    fn cfws(&mut self) -> Result<bool, ResultsError> {
        let start = self.pos;
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'(' => self.comment()?,
                _ => break,
            }
        }
        Ok(self.pos > start)
    }

    /// Skips one comment, nested comments and quoted pairs included.
    fn comment(&mut self) -> Result<(), ResultsError> {
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(());
                    }
                }
                b'\\' if !self.at_end() => self.pos += 1,
                _ => {}
            }
        }
        Err(ResultsError::UnterminatedComment { position: start })
    }

    fn check_len(&self, len: usize, start: usize) -> Result<(), ResultsError> {
        if len > self.limits.max_value_len {
            Err(ResultsError::ValueTooLong { position: start, limit: self.limits.max_value_len })
        } else {
            Ok(())
        }
    }

    /// A keyword (`allow_dot` for property names); `None` if there is none
    /// here.
    fn keyword(&mut self, allow_dot: bool) -> Result<Option<String>, ResultsError> {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if is_keyword_byte(b) || (allow_dot && b == b'.') {
                self.pos += 1;
                self.check_len(self.pos - start, start)?;
            } else {
                break;
            }
        }
        if self.pos == start {
            return Ok(None);
        }
        // Keyword bytes are ASCII.
        Ok(Some(self.s[start..self.pos].iter().map(|&b| char::from(b)).collect()))
    }

    /// A decimal number that fits in a `u32`; `None` if no digit is here.
    fn number(&mut self) -> Result<Option<u32>, ResultsError> {
        let start = self.pos;
        let mut n: u32 = 0;
        while let Some(b @ b'0'..=b'9') = self.peek() {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u32::from(b - b'0')))
                .ok_or(ResultsError::NumberTooLarge { position: start })?;
            self.pos += 1;
        }
        Ok(if self.pos == start { None } else { Some(n) })
    }

    /// A quoted string, unquoted and unfolded; `self.pos` is at the `"`.
    fn quoted(&mut self) -> Result<Vec<u8>, ResultsError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(ResultsError::UnterminatedQuotedString { position: start });
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\r' | b'\n' => self.pos += 1,
                b'\\' => {
                    self.pos += 1;
                    match self.peek() {
                        None => return Err(ResultsError::UnterminatedQuotedString { position: start }),
                        Some(c) if c != b'\t' && (c < 0x20 || c == 0x7f) => {
                            return Err(self.err(Expected::QuotedText));
                        }
                        Some(c) => {
                            out.push(c);
                            self.pos += 1;
                        }
                    }
                }
                c if c != b'\t' && (c < 0x20 || c == 0x7f) => return Err(self.err(Expected::QuotedText)),
                c => {
                    out.push(c);
                    self.pos += 1;
                }
            }
            self.check_len(out.len(), start)?;
        }
    }

    /// A value: a quoted string or a run of value bytes; `None` if neither
    /// starts here.
    fn value(&mut self, kind: ValueKind) -> Result<Option<String>, ResultsError> {
        let start = self.pos;
        let bytes = if self.peek() == Some(b'"') {
            let unquoted = self.quoted()?;
            if kind == ValueKind::PValue && self.peek() == Some(b'@') {
                // `"local part"@domain`: an address; keep it as written.
                self.run(start, kind)?;
                self.s[start..self.pos].iter().copied().filter(|&b| b != b'\r' && b != b'\n').collect()
            } else {
                unquoted
            }
        } else {
            self.run(start, kind)?;
            if self.pos == start {
                return Ok(None);
            }
            self.s[start..self.pos].to_vec()
        };
        String::from_utf8(bytes).map(Some).map_err(|_| ResultsError::InvalidUtf8 { position: start })
    }

    fn run(&mut self, start: usize, kind: ValueKind) -> Result<(), ResultsError> {
        while let Some(b) = self.peek() {
            if !is_value_byte(b, kind) {
                break;
            }
            self.pos += 1;
            self.check_len(self.pos - start, start)?;
        }
        Ok(())
    }

    /// `authres-payload`, to the end of the input.
    fn payload(&mut self) -> Result<AuthResults, ResultsError> {
        self.cfws()?;
        if self.at_end() {
            return Err(ResultsError::Empty);
        }
        let Some(authserv_id) = self.value(ValueKind::AuthservId)? else {
            return Err(self.err(Expected::AuthservId));
        };
        let mut version = None;
        if self.cfws()? && matches!(self.peek(), Some(b'0'..=b'9')) {
            version = self.number()?;
            self.cfws()?;
        }
        let mut results: Vec<MethodResult> = Vec::new();
        let mut none = false;
        loop {
            match self.peek() {
                None if none || !results.is_empty() => break,
                Some(b';') if !none => self.pos += 1,
                _ if none => return Err(self.err(Expected::End)),
                _ if results.is_empty() => return Err(self.err(Expected::Semicolon)),
                // A result's parse stops only at `;` or the end.
                _ => return Err(self.err(Expected::Property)),
            }
            self.cfws()?;
            if self.at_end() {
                if results.is_empty() {
                    return Err(self.err(Expected::Method));
                }
                // A trailing `;`, as some servers write.
                break;
            }
            let start = self.pos;
            let Some(method) = self.keyword(false)? else {
                return Err(self.err(Expected::Method));
            };
            self.cfws()?;
            if results.is_empty() && method.eq_ignore_ascii_case("none") {
                // `none` alone is no-result; followed by `=` or `/` it is
                // a method of that name.
                match self.peek() {
                    None => {
                        none = true;
                        continue;
                    }
                    Some(b';') => return Err(self.err(Expected::End)),
                    _ => {}
                }
            }
            if results.len() >= self.limits.max_results {
                return Err(ResultsError::TooManyResults { position: start, limit: self.limits.max_results });
            }
            results.push(self.resinfo(&method)?);
        }
        Ok(AuthResults { authserv_id, version, results })
    }

    /// The rest of a `resinfo` after the method name and CFWS: version,
    /// `=`, result, reason and properties, up to `;` or the end.
    fn resinfo(&mut self, method: &str) -> Result<MethodResult, ResultsError> {
        let mut version = None;
        if self.peek() == Some(b'/') {
            self.pos += 1;
            self.cfws()?;
            version = Some(self.number()?.ok_or_else(|| self.err(Expected::MethodVersion))?);
            self.cfws()?;
        }
        if self.peek() != Some(b'=') {
            return Err(self.err(Expected::MethodEquals));
        }
        self.pos += 1;
        self.cfws()?;
        let Some(result) = self.keyword(false)? else {
            return Err(self.err(Expected::Result));
        };
        let mut r = MethodResult::new(Method::from_name(method), ResultKind::from_name(&result));
        r.version = version;
        loop {
            self.cfws()?;
            if matches!(self.peek(), None | Some(b';')) {
                return Ok(r);
            }
            let start = self.pos;
            let Some(word) = self.keyword(false)? else {
                return Err(self.err(Expected::Property));
            };
            self.cfws()?;
            match self.peek() {
                Some(b'.') => {
                    self.pos += 1;
                    self.cfws()?;
                    let Some(name) = self.keyword(true)? else {
                        return Err(self.err(Expected::PropertyName));
                    };
                    self.cfws()?;
                    if self.peek() != Some(b'=') {
                        return Err(self.err(Expected::PropertyEquals));
                    }
                    self.pos += 1;
                    let value = self.pvalue()?;
                    self.add_property(
                        &mut r,
                        start,
                        Property::new(PropertyType::from_name(&word), name, value),
                    )?;
                }
                Some(b'=') if word.eq_ignore_ascii_case("reason") => {
                    if r.reason.is_some() {
                        return Err(ResultsError::DuplicateReason { position: start });
                    }
                    self.pos += 1;
                    self.cfws()?;
                    let Some(reason) = self.value(ValueKind::Reason)? else {
                        return Err(self.err(Expected::Value));
                    };
                    r.reason = Some(reason);
                }
                Some(b'=') => {
                    // An untyped property, such as Microsoft's `action=none`.
                    self.pos += 1;
                    let value = self.pvalue()?;
                    let p = Property::new(PropertyType::Other(String::new()), word, value);
                    self.add_property(&mut r, start, p)?;
                }
                _ => return Err(self.err(Expected::DotOrEquals)),
            }
        }
    }

    /// `pvalue` after the `=`; an empty value is tolerated.
    fn pvalue(&mut self) -> Result<String, ResultsError> {
        self.cfws()?;
        Ok(self.value(ValueKind::PValue)?.unwrap_or_default())
    }

    fn add_property(&self, r: &mut MethodResult, start: usize, p: Property) -> Result<(), ResultsError> {
        if r.properties.len() >= self.limits.max_properties {
            return Err(ResultsError::TooManyProperties {
                position: start,
                limit: self.limits.max_properties,
            });
        }
        r.properties.push(p);
        Ok(())
    }

    /// Skips `name:` (name compared without regard to ASCII case, blanks
    /// tolerated before the colon).
    fn field_name(&mut self, name: &str) -> Result<(), ResultsError> {
        let n = name.len();
        match self.s.get(..n) {
            Some(got) if got.eq_ignore_ascii_case(name.as_bytes()) => self.pos = n,
            _ => return Err(self.err(Expected::FieldName)),
        }
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        if self.peek() != Some(b':') {
            return Err(self.err(Expected::FieldName));
        }
        self.pos += 1;
        Ok(())
    }

    /// `arc-info`'s instance: `i=N ;` (RFC 8617 §4.1.1).
    fn arc_instance(&mut self) -> Result<u32, ResultsError> {
        self.cfws()?;
        if self.peek() != Some(b'i') {
            return Err(self.err(Expected::ArcInstance));
        }
        self.pos += 1;
        self.cfws()?;
        if self.peek() != Some(b'=') {
            return Err(self.err(Expected::ArcInstance));
        }
        self.pos += 1;
        self.cfws()?;
        let start = self.pos;
        let Some(i) = self.number()? else {
            return Err(self.err(Expected::ArcInstance));
        };
        if !(1..=50).contains(&i) {
            return Err(ResultsError::InvalidArcInstance { position: start });
        }
        self.cfws()?;
        if self.peek() != Some(b';') {
            return Err(self.err(Expected::ArcInstance));
        }
        self.pos += 1;
        Ok(i)
    }
}

impl AuthResults {
    /// Parses a field value (everything after `Authentication-Results:`,
    /// folding and a final line break included or not), with the default
    /// [`ResultsLimits`].
    pub fn parse(value: &[u8]) -> Result<AuthResults, ResultsError> {
        Self::parse_with_limits(value, ResultsLimits::DEFAULT)
    }

    /// Parses a field value with the given limits.
    pub fn parse_with_limits(value: &[u8], limits: ResultsLimits) -> Result<AuthResults, ResultsError> {
        let mut p = Parser::new(value, limits)?;
        p.payload()
    }

    /// Parses a whole field, `Authentication-Results: …` (the name in any
    /// case), with the default limits. Positions in errors count from the
    /// field's first byte.
    pub fn parse_field(raw_field: &[u8]) -> Result<AuthResults, ResultsError> {
        let mut p = Parser::new(raw_field, ResultsLimits::DEFAULT)?;
        p.field_name(FIELD_NAME)?;
        p.payload()
    }

    /// Parses an `ARC-Authentication-Results` value, `i=N; authres-payload`
    /// (RFC 8617 §4.1.1), into the instance (1 to 50) and the results.
    pub fn parse_arc(value: &[u8]) -> Result<(u32, AuthResults), ResultsError> {
        let mut p = Parser::new(value, ResultsLimits::DEFAULT)?;
        let i = p.arc_instance()?;
        Ok((i, p.payload()?))
    }

    /// Parses a whole `ARC-Authentication-Results: i=N; …` field.
    pub fn parse_arc_field(raw_field: &[u8]) -> Result<(u32, AuthResults), ResultsError> {
        let mut p = Parser::new(raw_field, ResultsLimits::DEFAULT)?;
        p.field_name(ARC_FIELD_NAME)?;
        let i = p.arc_instance()?;
        Ok((i, p.payload()?))
    }
}

impl FromStr for AuthResults {
    type Err = ResultsError;

    /// Parses a field value ([`AuthResults::parse`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuthResults::parse(s.as_bytes())
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> AuthResults {
        match AuthResults::parse(s.as_bytes()) {
            Ok(r) => r,
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    fn pf(s: &str) -> AuthResults {
        match AuthResults::parse_field(s.as_bytes()) {
            Ok(r) => r,
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    fn err(s: &[u8]) -> ResultsError {
        match AuthResults::parse(s) {
            Ok(r) => panic!("{:?} parsed as {r:?}", String::from_utf8_lossy(s)),
            Err(e) => e,
        }
    }

    fn prop(ptype: PropertyType, name: &str, value: &str) -> Property {
        Property::new(ptype, name, value)
    }

    use PropertyType::{Header, Policy, Smtp};

    // --- RFC 8601 Appendix B ------------------------------------------

    #[test]
    fn rfc8601_b2_none_with_version() {
        let r = pf("Authentication-Results: example.org 1; none\r\n");
        assert_eq!(r, AuthResults { authserv_id: "example.org".into(), version: Some(1), results: vec![] });
        assert!(r.is_none());
        assert_eq!(r.to_string(), "example.org 1; none");
    }

    #[test]
    fn rfc8601_b3_spf() {
        let r =
            pf("Authentication-Results: example.com;\r\n          spf=pass smtp.mailfrom=example.net\r\n");
        assert_eq!(
            r,
            AuthResults::new("example.com").result(
                MethodResult::new(Method::Spf, ResultKind::Pass).property(Smtp, "mailfrom", "example.net")
            )
        );
    }

    #[test]
    fn rfc8601_b4_single_mta() {
        let a = pf("Authentication-Results: example.com;\r\n          \
                    auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n          \
                    spf=pass smtp.mailfrom=example.net\r\n");
        assert_eq!(
            a,
            AuthResults::new("example.com")
                .result(MethodResult::new(Method::Auth, ResultKind::Pass).property(
                    Smtp,
                    "auth",
                    "sender@example.net"
                ))
                .result(MethodResult::new(Method::Spf, ResultKind::Pass).property(
                    Smtp,
                    "mailfrom",
                    "example.net"
                ))
        );
        let b =
            pf("Authentication-Results: example.com; iprev=pass\r\n          policy.iprev=192.0.2.200\r\n");
        assert_eq!(
            b,
            AuthResults::new("example.com").result(
                MethodResult::new(Method::Iprev, ResultKind::Pass).property(Policy, "iprev", "192.0.2.200")
            )
        );
    }

    #[test]
    fn rfc8601_b5_different_mtas() {
        let a = pf("Authentication-Results: example.com;\r\n          \
                    dkim=pass (good signature) header.d=example.com\r\n");
        assert_eq!(
            a,
            AuthResults::new("example.com").result(
                MethodResult::new(Method::Dkim, ResultKind::Pass).property(Header, "d", "example.com")
            )
        );
        let b = pf("Authentication-Results: example.com;\r\n          \
                    auth=pass (cram-md5) smtp.auth=sender@example.com;\r\n          \
                    spf=fail smtp.mailfrom=example.com\r\n");
        assert_eq!(
            b,
            AuthResults::new("example.com")
                .result(MethodResult::new(Method::Auth, ResultKind::Pass).property(
                    Smtp,
                    "auth",
                    "sender@example.com"
                ))
                .result(MethodResult::new(Method::Spf, ResultKind::Fail).property(
                    Smtp,
                    "mailfrom",
                    "example.com"
                ))
        );
    }

    #[test]
    fn rfc8601_b6_multi_tiered() {
        let a = pf("Authentication-Results: example.com;\r\n      \
                    dkim=pass reason=\"good signature\"\r\n        \
                    header.i=@mail-router.example.net;\r\n      \
                    dkim=fail reason=\"bad signature\"\r\n        \
                    header.i=@newyork.example.com\r\n");
        assert_eq!(
            a,
            AuthResults::new("example.com")
                .result(MethodResult::new(Method::Dkim, ResultKind::Pass).reason("good signature").property(
                    Header,
                    "i",
                    "@mail-router.example.net"
                ))
                .result(MethodResult::new(Method::Dkim, ResultKind::Fail).reason("bad signature").property(
                    Header,
                    "i",
                    "@newyork.example.com"
                ))
        );
        let b = pf("Authentication-Results: example.net;\r\n      \
                    dkim=pass (good signature) header.i=@newyork.example.com\r\n");
        assert_eq!(
            b,
            AuthResults::new("example.net").result(
                MethodResult::new(Method::Dkim, ResultKind::Pass).property(
                    Header,
                    "i",
                    "@newyork.example.com"
                )
            )
        );
    }

    #[test]
    fn rfc8601_b7_comment_heavy() {
        let r = pf("Authentication-Results: foo.example.net (foobar) 1 (baz);\r\n    \
                    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n      \
                    policy (A dot can go here) . (like that) expired\r\n      \
                    (this surprised me) = (as I wasn't expecting it) 1362471462\r\n");
        assert_eq!(
            r,
            AuthResults::new("foo.example.net").version(1).result(
                MethodResult::new(Method::Dkim, ResultKind::Fail).version(1).property(
                    Policy,
                    "expired",
                    "1362471462"
                )
            )
        );
    }

    #[test]
    fn rfc8601_section_examples() {
        // §2.4
        let r = p("example.com; dkim=policy policy.dkim-rules=unsigned-subject");
        assert_eq!(r.results[0].result, ResultKind::Policy);
        assert_eq!(r.results[0].properties, vec![prop(Policy, "dkim-rules", "unsigned-subject")]);
        // §2.7.4
        let r = p("example.com; auth=pass smtp.auth=client@c.example smtp.mailfrom=bob@b.example");
        assert_eq!(
            r.results[0].properties,
            vec![prop(Smtp, "auth", "client@c.example"), prop(Smtp, "mailfrom", "bob@b.example")]
        );
        // §2.7.6: an extension method, kept.
        let r =
            pf("Authentication-Results: example.com;\r\n          foo=pass bar.baz=blob (2 of 3 tests OK)");
        assert_eq!(r.results[0].method, Method::Other("foo".into()));
        assert_eq!(r.results[0].properties, vec![prop(PropertyType::Other("bar".into()), "baz", "blob")]);
    }

    // --- RFC 8617 (ARC) examples ----------------------------------------

    const AAR_3: &str = "ARC-Authentication-Results: i=3; clochette.example.org; spf=fail\r\n    \
        smtp.from=jqd@d1.example; dkim=fail (512-bit key)\r\n    \
        header.i=@d1.example; dmarc=fail; arc=pass (as.2.gmail.example=pass,\r\n    \
        ams.2.gmail.example=pass, as.1.lists.example.org=pass,\r\n    \
        ams.1.lists.example.org=fail (message has been altered))\r\n";

    fn clochette() -> AuthResults {
        AuthResults::new("clochette.example.org")
            .result(MethodResult::new(Method::Spf, ResultKind::Fail).property(Smtp, "from", "jqd@d1.example"))
            .result(MethodResult::new(Method::Dkim, ResultKind::Fail).property(Header, "i", "@d1.example"))
            .result(MethodResult::new(Method::Dmarc, ResultKind::Fail))
            .result(MethodResult::new(Method::Arc, ResultKind::Pass))
    }

    #[test]
    fn rfc8617_examples() {
        let (i, r) = AuthResults::parse_arc_field(AAR_3.as_bytes()).unwrap();
        assert_eq!((i, r), (3, clochette()));
        let ar = AAR_3.replacen("ARC-Authentication-Results: i=3;", "Authentication-Results:", 1);
        assert_eq!(pf(&ar), clochette());

        let (i, r) = AuthResults::parse_arc(
            b" i=2; gmail.example; spf=fail\r\n    smtp.from=jqd@d1.example; dkim=fail (512-bit key)\r\n    \
              header.i=@example.org; dmarc=fail; arc=pass\r\n    \
              (as.1.lists.example.org=pass, ams.1.lists.example.org=pass)",
        )
        .unwrap();
        assert_eq!(i, 2);
        assert_eq!(r.authserv_id, "gmail.example");
        assert_eq!(r.results.len(), 4);

        let (i, r) = AuthResults::parse_arc_field(
            b"ARC-Authentication-Results: i=1; lists.example.org; spf=pass\r\n    \
              smtp.mfrom=jqd@d1.example; dkim=pass (512-bit key)\r\n    header.i=@d1.example; dmarc=pass\r\n",
        )
        .unwrap();
        assert_eq!(i, 1);
        assert_eq!(
            r,
            AuthResults::new("lists.example.org")
                .result(MethodResult::new(Method::Spf, ResultKind::Pass).property(
                    Smtp,
                    "mfrom",
                    "jqd@d1.example"
                ))
                .result(MethodResult::new(Method::Dkim, ResultKind::Pass).property(
                    Header,
                    "i",
                    "@d1.example"
                ))
                .result(MethodResult::new(Method::Dmarc, ResultKind::Pass))
        );
    }

    #[test]
    fn arc_round_trip_and_errors() {
        let field = clochette().to_arc_field(3);
        assert_eq!(
            field,
            "ARC-Authentication-Results: i=3; clochette.example.org;\r\n\
             \tspf=fail smtp.from=jqd@d1.example;\r\n\
             \tdkim=fail header.i=@d1.example;\r\n\
             \tdmarc=fail;\r\n\
             \tarc=pass\r\n"
        );
        assert_eq!(AuthResults::parse_arc_field(field.as_bytes()).unwrap(), (3, clochette()));
        assert!(matches!(
            AuthResults::parse_arc(b"i=0; a; none"),
            Err(ResultsError::InvalidArcInstance { .. })
        ));
        assert!(matches!(
            AuthResults::parse_arc(b"i=51; a; none"),
            Err(ResultsError::InvalidArcInstance { .. })
        ));
        assert!(matches!(
            AuthResults::parse_arc(b"a; none"),
            Err(ResultsError::Syntax { position: 0, expected: Expected::ArcInstance, .. })
        ));
        assert!(matches!(
            AuthResults::parse_arc(b"i=1 a; none"),
            Err(ResultsError::Syntax { expected: Expected::ArcInstance, .. })
        ));
    }

    // --- Real-world shapes --------------------------------------------

    #[test]
    fn gmail_style() {
        let r = pf("Authentication-Results: mx.google.com;\r\n       \
            dkim=pass header.i=@example.com header.s=20230601 header.b=\"Ab/cD+12\";\r\n       \
            spf=pass (google.com: domain of bounce@example.com designates 192.0.2.1 as permitted sender) \
            smtp.mailfrom=bounce@example.com;\r\n       \
            dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com\r\n");
        assert_eq!(r.authserv_id, "mx.google.com");
        assert_eq!(r.results.len(), 3);
        assert_eq!(r.results[0].get(&Header, "b"), Some("Ab/cD+12"));
        assert_eq!(r.results[0].get(&Header, "S"), Some("20230601"));
        assert_eq!(r.results[1].get(&Smtp, "mailfrom"), Some("bounce@example.com"));
        assert_eq!(r.results[2].get(&Header, "from"), Some("example.com"));
        assert_eq!(r.results_for(&Method::Dmarc).count(), 1);
    }

    #[test]
    fn missing_authserv_id_is_an_error() {
        // Seen from some servers: the authserv-id left out. "spf" must not
        // silently become the identifier.
        let e = err(b"spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com; dkim=none");
        assert_eq!(e, ResultsError::Syntax { position: 3, expected: Expected::Semicolon, found: Some(b'=') });
    }

    #[test]
    fn microsoft_style_with_authserv_id() {
        let r = p("mx.example.com; spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com; dkim=none \
                   (message not signed) header.d=none;dmarc=none action=none header.from=example.com;\
                   compauth=pass reason=100");
        assert_eq!(r.results.len(), 4);
        assert_eq!(r.results[1].get(&Header, "d"), Some("none"));
        assert_eq!(
            r.results[2].properties,
            vec![
                prop(PropertyType::Other(String::new()), "action", "none"),
                prop(Header, "from", "example.com")
            ]
        );
        assert_eq!(r.results[3].method, Method::Other("compauth".into()));
        assert_eq!(r.results[3].reason.as_deref(), Some("100"));
        // The untyped property is written back untyped.
        assert!(r.to_string().contains("dmarc=none action=none header.from=example.com"));
        assert_eq!(p(&r.to_string()), r);
    }

    #[test]
    fn trailing_semicolon_and_unquoted_base64() {
        let r = p("example.com; dkim=pass header.b=ab/cd+e= header.d=example.com;");
        assert_eq!(r.results.len(), 1);
        assert_eq!(r.results[0].get(&Header, "b"), Some("ab/cd+e="));
        assert_eq!(r.results[0].get(&Header, "d"), Some("example.com"));
    }

    // --- Reading details ----------------------------------------------

    #[test]
    fn case_insensitive_keywords() {
        let r = p("Example.COM; DKIM=PASS HEADER.D=Example.com; Spf=SoftFail SMTP.MailFrom=x; X-Foo=Weird");
        assert_eq!(r.authserv_id, "Example.COM");
        assert_eq!(r.results[0].method, Method::Dkim);
        assert_eq!(r.results[0].result, ResultKind::Pass);
        assert_eq!(r.results[0].properties, vec![prop(Header, "D", "Example.com")]);
        assert_eq!(r.results[0].get(&Header, "d"), Some("Example.com"));
        assert_eq!(r.results[1].result, ResultKind::SoftFail);
        assert_eq!(r.results[1].properties[0].ptype, Smtp);
        assert_eq!(r.results[2].method, Method::Other("x-foo".into()));
        assert_eq!(r.results[2].result, ResultKind::Other("weird".into()));
        assert_eq!(p("a; NONE"), AuthResults::new("a"));
        assert_eq!(p("a;dkim=HardFail").results[0].result, ResultKind::HardFail);
    }

    #[test]
    fn every_registered_name() {
        for m in [
            Method::Dkim,
            Method::Spf,
            Method::Dmarc,
            Method::Arc,
            Method::Auth,
            Method::DkimAtps,
            Method::Iprev,
        ] {
            assert_eq!(Method::from_name(&m.as_str().to_ascii_uppercase()), m);
        }
        for k in [
            ResultKind::Pass,
            ResultKind::Fail,
            ResultKind::SoftFail,
            ResultKind::Neutral,
            ResultKind::None,
            ResultKind::TempError,
            ResultKind::PermError,
            ResultKind::Policy,
            ResultKind::HardFail,
        ] {
            assert_eq!(ResultKind::from_name(&k.as_str().to_ascii_uppercase()), k);
        }
        for t in [PropertyType::Smtp, PropertyType::Header, PropertyType::Body, PropertyType::Policy] {
            assert_eq!(PropertyType::from_name(&t.as_str().to_ascii_uppercase()), t);
        }
        assert_eq!(String::from(Method::DkimAtps), "dkim-atps");
        assert_eq!(Method::from("VBR"), Method::Other("vbr".into()));
    }

    #[test]
    fn versions() {
        let r = p("example.com 1; dkim/1=pass; spf / 2 = fail");
        assert_eq!(r.version, Some(1));
        assert_eq!(r.results[0].version, Some(1));
        assert_eq!(r.results[1].version, Some(2));
        assert_eq!(r.to_string(), "example.com 1; dkim/1=pass; spf/2=fail");
        assert!(matches!(err(b"a 99999999999; none"), ResultsError::NumberTooLarge { position: 2 }));
        assert!(matches!(
            err(b"a; dkim/=pass"),
            ResultsError::Syntax { position: 8, expected: Expected::MethodVersion, found: Some(b'=') }
        ));
        // A number glued to the authserv-id is part of it.
        assert_eq!(p("a1; none").authserv_id, "a1");
    }

    #[test]
    fn quoted_values_and_reasons() {
        let r = p(r#""mx \"one\"" ; dkim=fail reason="bad \"sig\" \\ here" header.d="example.com"
                    smtp.mailfrom = "john doe"@example.com header.i = "@x.example""#);
        assert_eq!(r.authserv_id, "mx \"one\"");
        let d = &r.results[0];
        assert_eq!(d.reason.as_deref(), Some("bad \"sig\" \\ here"));
        assert_eq!(d.get(&Header, "d"), Some("example.com"));
        assert_eq!(d.get(&Smtp, "mailfrom"), Some("\"john doe\"@example.com"));
        assert_eq!(d.get(&Header, "i"), Some("@x.example"));
        // Unquoted reason, reason after properties, folded quoted string.
        let r = p("a; dkim=fail header.d=x reason=expired; spf=none reason=\"two\r\n words\"");
        assert_eq!(r.results[0].reason.as_deref(), Some("expired"));
        assert_eq!(r.results[1].reason.as_deref(), Some("two words"));
        // UTF-8 (RFC 6532).
        let r = p("b\u{fc}cher.example; dkim=pass header.d=b\u{fc}cher.example reason=\"gr\u{fc}n\"");
        assert_eq!(r.authserv_id, "b\u{fc}cher.example");
        assert_eq!(r.results[0].get(&Header, "d"), Some("b\u{fc}cher.example"));
    }

    #[test]
    fn pvalue_address_forms() {
        let r = p("a; auth=pass smtp.auth=user@example.com header.i=@example.com smtp.mailfrom=<> x.y=");
        let ps = &r.results[0].properties;
        assert_eq!(ps[0].value, "user@example.com");
        assert_eq!(ps[1].value, "@example.com");
        assert_eq!(ps[2].value, "<>");
        assert_eq!(ps[3].value, "");
        // Written back: addresses bare, `<>` and "" quoted.
        assert_eq!(
            r.to_string(),
            "a; auth=pass smtp.auth=user@example.com header.i=@example.com smtp.mailfrom=\"<>\" x.y=\"\""
        );
        assert_eq!(p(&r.to_string()), r);
    }

    #[test]
    fn unknown_methods_and_properties_kept() {
        let r = p("a; bimi=pass header.d=example.com header.selector=default policy.indicator-uri=x; \
                   x-new/3=strange body.part.2=abc smtp.remote-ip=192.0.2.1");
        assert_eq!(r.results[0].method, Method::Other("bimi".into()));
        assert_eq!(r.results[0].properties[1], prop(Header, "selector", "default"));
        let x = &r.results[1];
        assert_eq!((x.method.as_str(), x.version, x.result.as_str()), ("x-new", Some(3), "strange"));
        assert_eq!(x.properties[0], prop(PropertyType::Body, "part.2", "abc"));
        assert_eq!(x.properties[1], prop(Smtp, "remote-ip", "192.0.2.1"));
        assert_eq!(p(&r.to_string()), r);
    }

    #[test]
    fn comments_everywhere() {
        let r =
            p("(c0) a (c1 (nested \\) still) done) ; (c2) dkim (c3) = (c4) pass (c5) header (c6) . (c7) d \
                   (c8) = (c9) example.com (c10) ; (c11) none=pass (c12)");
        assert_eq!(r.authserv_id, "a");
        assert_eq!(r.results[0].properties, vec![prop(Header, "d", "example.com")]);
        // A method named "none" (followed by '=') is a method, not no-result.
        assert_eq!(r.results[1].method, Method::Other("none".into()));
        let r = p("a; spf=pass(comment)smtp.mailfrom=x(c)");
        assert_eq!(r.results[0].get(&Smtp, "mailfrom"), Some("x"));
    }

    #[test]
    fn from_str_and_trailing_crlf() {
        let r: AuthResults = "example.com; spf=pass smtp.mailfrom=example.net\r\n".parse().unwrap();
        assert_eq!(r.results[0].get(&Smtp, "mailfrom"), Some("example.net"));
        assert_eq!(pf("authentication-results : a; none"), AuthResults::new("a"));
    }

    // --- Writing ------------------------------------------------------

    #[test]
    fn dkim_constructor_rfc6008() {
        let r = MethodResult::dkim(ResultKind::Pass, None, "example.com", "sel", Some("abcd1234"));
        assert_eq!(r.to_string(), "dkim=pass header.d=example.com header.s=sel header.b=abcd1234");
        let r = MethodResult::dkim(
            ResultKind::Fail,
            Some("bad signature"),
            "example.com",
            "s1",
            Some("ab/c +d="),
        );
        assert_eq!(
            r.to_string(),
            "dkim=fail reason=\"bad signature\" header.d=example.com header.s=s1 header.b=\"ab/c+d=\""
        );
        let r = MethodResult::dkim(ResultKind::None, None, "", "", None);
        assert_eq!(r.to_string(), "dkim=none");
        assert!(r.properties.is_empty());
    }

    #[test]
    fn builder_and_display() {
        let ar = AuthResults::new("mx.example.org")
            .version(1)
            .result(
                MethodResult::new(Method::Spf, ResultKind::SoftFail)
                    .property(Smtp, "mailfrom", "user@example.com")
                    .property(Smtp, "helo", "mail.example.com"),
            )
            .result(MethodResult::new(Method::Iprev, ResultKind::Pass).property(Policy, "iprev", "192.0.2.1"))
            .result(MethodResult::new(Method::Dmarc, ResultKind::Pass).property(
                Header,
                "from",
                "example.com",
            ));
        assert_eq!(
            ar.to_header_value(),
            "mx.example.org 1; spf=softfail smtp.mailfrom=user@example.com smtp.helo=mail.example.com; \
             iprev=pass policy.iprev=192.0.2.1; dmarc=pass header.from=example.com"
        );
        assert_eq!(ar.to_string(), ar.to_header_value());
        assert_eq!(
            AuthResults::new("example.org").to_field(),
            "Authentication-Results: example.org; none\r\n"
        );
        let mut ar2 = AuthResults::new("x");
        ar2.push(MethodResult::new(Method::Auth, ResultKind::Pass));
        assert_eq!(ar2.to_string(), "x; auth=pass");
    }

    #[test]
    fn quoting_rules() {
        let ar = AuthResults::new("my host/1").result(
            MethodResult::new(Method::Dkim, ResultKind::Pass)
                .reason("a \"quoted\" \\ word")
                .property(Header, "d", "example.com")
                .property(Header, "i", "first.last+tag@sub.example.com")
                .property(Header, "i", "@example.com")
                .property(Header, "x", "a b")
                .property(Header, "x", "semi;colon")
                .property(Header, "x", "@")
                .property(Header, "x", "b\u{fc}cher")
                .property(Header, "x", "a=b@example.com"),
        );
        assert_eq!(
            ar.to_string(),
            "\"my host/1\"; dkim=pass reason=\"a \\\"quoted\\\" \\\\ word\" header.d=example.com \
             header.i=first.last+tag@sub.example.com header.i=@example.com header.x=\"a b\" \
             header.x=\"semi;colon\" header.x=\"@\" header.x=\"b\u{fc}cher\" header.x=\"a=b@example.com\""
        );
        assert_eq!(p(&ar.to_string()), ar);
    }

    #[test]
    fn writer_never_injects() {
        let ar = AuthResults::new("a\r\nBcc: x@y").result(
            MethodResult::new(Method::Other("x; dkim".into()), ResultKind::Other("pass\r\nX: y".into()))
                .reason("line\r\nbreak\0")
                .property(PropertyType::Other("h d".into()), "n;m", "v\r\n"),
        );
        let field = ar.to_field();
        check_folding(&field);
        assert!(!field.contains('\0'));
        let back = pf(&field);
        assert_eq!(back.results.len(), 1);
        assert_eq!(back.results[0].method, Method::Other("x--dkim".into()));
        assert_eq!(back.results[0].result, ResultKind::Other("pass--x--y".into()));
        assert_eq!(back.results[0].reason.as_deref(), Some("line  break "));
        assert_eq!(back.results[0].properties, vec![prop(PropertyType::Other("h-d".into()), "n-m", "v  ")]);
        assert_eq!(back.authserv_id, "a  Bcc: x@y");
    }

    /// Every line within the width unless it is one long word, each fold
    /// is CRLF + WSP, and the field ends with CRLF.
    fn check_folding(field: &str) {
        assert!(field.ends_with("\r\n"), "{field:?}");
        let body = &field[..field.len() - 2];
        for (i, line) in body.split("\r\n").enumerate() {
            assert!(!line.contains('\r') && !line.contains('\n'), "{field:?}");
            if i > 0 {
                assert!(line.starts_with([' ', '\t']), "fold without whitespace: {field:?}");
                assert!(!line.trim().is_empty(), "whitespace-only line: {field:?}");
            }
            // The first line holds the field name and at least one word.
            let words = line.split([' ', '\t']).filter(|w| !w.is_empty()).count();
            let alone = if i == 0 { 2 } else { 1 };
            assert!(line.chars().count() <= FOLD_WIDTH || words <= alone, "line too long: {field:?}");
        }
    }

    #[test]
    fn folding() {
        let ar = AuthResults::new("mx.example.org")
            .result(MethodResult::dkim(
                ResultKind::Pass,
                None,
                "example.com",
                "selector-2024-with-a-long-name",
                Some("abcdefgh"),
            ))
            .result(
                MethodResult::new(Method::Spf, ResultKind::Pass)
                    .property(Smtp, "mailfrom", "a-rather-long-local-part@bounces.example.com")
                    .property(Smtp, "helo", "outbound-mail-relay-17.example.com"),
            )
            .result(MethodResult::new(Method::Dmarc, ResultKind::Pass).property(
                Header,
                "from",
                "example.com",
            ));
        let field = ar.to_field();
        assert_eq!(
            field,
            "Authentication-Results: mx.example.org;\r\n\
             \tdkim=pass header.d=example.com header.s=selector-2024-with-a-long-name\r\n\
             \theader.b=abcdefgh;\r\n\
             \tspf=pass smtp.mailfrom=a-rather-long-local-part@bounces.example.com\r\n\
             \tsmtp.helo=outbound-mail-relay-17.example.com;\r\n\
             \tdmarc=pass header.from=example.com\r\n"
        );
        check_folding(&field);
        assert_eq!(pf(&field), ar);
        // Short fields stay on one line.
        let short = AuthResults::new("example.com").result(
            MethodResult::new(Method::Spf, ResultKind::Pass).property(Smtp, "mailfrom", "example.net"),
        );
        assert_eq!(
            short.to_field(),
            "Authentication-Results: example.com; spf=pass smtp.mailfrom=example.net\r\n"
        );
    }

    #[test]
    fn folding_long_reason_and_long_token() {
        let reason = "the body hash did not verify because the message was modified after signing \
                      by a mailing list that appended a footer to every message it relays";
        let ar = AuthResults::new("mx.example.org")
            .result(MethodResult::dkim(ResultKind::Fail, Some(reason), "example.com", "s", None))
            .result(MethodResult::new(Method::Spf, ResultKind::Pass).property(
                Smtp,
                "mailfrom",
                "x".repeat(100),
            ));
        let field = ar.to_field();
        check_folding(&field);
        assert!(field.contains(&format!("\r\n\tsmtp.mailfrom={}\r\n", "x".repeat(100))), "{field}");
        assert_eq!(pf(&field), ar);
    }

    // --- Malformed input ----------------------------------------------

    #[test]
    fn malformed_inputs_are_errors() {
        assert_eq!(err(b""), ResultsError::Empty);
        assert_eq!(err(b"  \r\n (only a comment) "), ResultsError::Empty);
        assert_eq!(err(b"a; dkim=pass (unterminated"), ResultsError::UnterminatedComment { position: 13 });
        assert_eq!(err(b"(never closed (nested)"), ResultsError::UnterminatedComment { position: 0 });
        assert_eq!(
            err(b"a; dkim=pass reason=\"open"),
            ResultsError::UnterminatedQuotedString { position: 20 }
        );
        assert_eq!(
            err(b"a; dkim=pass reason=\"x\\"),
            ResultsError::UnterminatedQuotedString { position: 20 }
        );
        assert_eq!(
            err(b"a; dkim pass"),
            ResultsError::Syntax { position: 8, expected: Expected::MethodEquals, found: Some(b'p') }
        );
        assert_eq!(
            err(b"a; dkim="),
            ResultsError::Syntax { position: 8, expected: Expected::Result, found: None }
        );
        assert_eq!(
            err(b"a; dkim=pass header.d"),
            ResultsError::Syntax { position: 21, expected: Expected::PropertyEquals, found: None }
        );
        assert_eq!(
            err(b"a; dkim=pass header."),
            ResultsError::Syntax { position: 20, expected: Expected::PropertyName, found: None }
        );
        assert_eq!(
            err(b"a; dkim=pass header"),
            ResultsError::Syntax { position: 19, expected: Expected::DotOrEquals, found: None }
        );
        assert_eq!(
            err(b"a; dkim=pass reason="),
            ResultsError::Syntax { position: 20, expected: Expected::Value, found: None }
        );
        assert_eq!(
            err(b"a"),
            ResultsError::Syntax { position: 1, expected: Expected::Semicolon, found: None }
        );
        assert_eq!(
            err(b"a b; none"),
            ResultsError::Syntax { position: 2, expected: Expected::Semicolon, found: Some(b'b') }
        );
        assert_eq!(err(b"a;"), ResultsError::Syntax { position: 2, expected: Expected::Method, found: None });
        assert_eq!(
            err(b"a; ; dkim=pass"),
            ResultsError::Syntax { position: 3, expected: Expected::Method, found: Some(b';') }
        );
        assert_eq!(
            err(b"a; none; dkim=pass"),
            ResultsError::Syntax { position: 7, expected: Expected::End, found: Some(b';') }
        );
        assert_eq!(
            err(b"a; none x"),
            ResultsError::Syntax { position: 8, expected: Expected::MethodEquals, found: Some(b'x') }
        );
        assert_eq!(
            err(b"=; none"),
            ResultsError::Syntax { position: 0, expected: Expected::AuthservId, found: Some(b'=') }
        );
        // The authserv-id is required: a bare result list is not misread.
        assert_eq!(
            err(b"dkim=pass header.d=x"),
            ResultsError::Syntax { position: 4, expected: Expected::Semicolon, found: Some(b'=') }
        );
        assert_eq!(
            err(b"a; dkim=pass header.d=x }"),
            ResultsError::Syntax { position: 24, expected: Expected::Property, found: Some(b'}') }
        );
        assert_eq!(err(b"a; dkim=pass reason=x reason=y"), ResultsError::DuplicateReason { position: 22 });
        assert_eq!(err(b"a; dkim=pass x=\xff\xfe"), ResultsError::InvalidUtf8 { position: 15 });
        assert_eq!(
            err(b"a; dkim=pass reason=\"nul\0\""),
            ResultsError::Syntax { position: 24, expected: Expected::QuotedText, found: Some(0) }
        );
        assert!(matches!(err(b"\x00\x01\x02garbage"), ResultsError::Syntax { position: 0, .. }));
        assert!(matches!(err(b")))"), ResultsError::Syntax { position: 0, .. }));
        assert!(matches!(
            AuthResults::parse_field(b"Received: a; none"),
            Err(ResultsError::Syntax { position: 0, expected: Expected::FieldName, .. })
        ));
        assert!(matches!(
            AuthResults::parse_field(b"Authentication-Results a; none"),
            Err(ResultsError::Syntax { position: 23, expected: Expected::FieldName, .. })
        ));
    }

    #[test]
    fn limits() {
        let many: String =
            std::iter::once("a".to_owned()).chain((0..65).map(|_| "; spf=pass".to_owned())).collect();
        assert!(matches!(err(many.as_bytes()), ResultsError::TooManyResults { limit: 64, .. }));
        let ok: String =
            std::iter::once("a".to_owned()).chain((0..64).map(|_| "; spf=pass".to_owned())).collect();
        assert_eq!(p(&ok).results.len(), 64);

        let props: String = std::iter::once("a; dkim=pass".to_owned())
            .chain((0..65).map(|i| format!(" header.x{i}=v")))
            .collect();
        assert!(matches!(err(props.as_bytes()), ResultsError::TooManyProperties { limit: 64, .. }));

        let long = format!("a; dkim=pass header.d={}", "x".repeat(1025));
        assert_eq!(err(long.as_bytes()), ResultsError::ValueTooLong { position: 22, limit: 1024 });
        let long = format!("a; dkim=pass reason=\"{}\"", "x".repeat(1025));
        assert_eq!(err(long.as_bytes()), ResultsError::ValueTooLong { position: 20, limit: 1024 });
        let long = format!("a; {}=pass", "k".repeat(1025));
        assert_eq!(err(long.as_bytes()), ResultsError::ValueTooLong { position: 3, limit: 1024 });

        let huge = vec![b' '; 100_000];
        assert_eq!(err(&huge), ResultsError::InputTooLong { length: 100_000, limit: 64 * 1024 });
        let huge = vec![b'('; 60_000];
        assert_eq!(err(&huge), ResultsError::UnterminatedComment { position: 0 });

        let strict = ResultsLimits::new().with_max_results(1).with_max_value_len(4);
        assert!(matches!(
            AuthResults::parse_with_limits(b"a; spf=pass; dkim=pass", strict),
            Err(ResultsError::TooManyResults { position: 13, limit: 1 })
        ));
        assert!(matches!(
            AuthResults::parse_with_limits(b"abcde; none", strict),
            Err(ResultsError::ValueTooLong { position: 0, limit: 4 })
        ));
        assert_eq!(ResultsLimits::default(), ResultsLimits::DEFAULT);
    }

    #[test]
    fn error_messages_name_position_and_expectation() {
        let e = err(b"a; dkim pass");
        assert_eq!(
            e.to_string(),
            "Authentication-Results: expected '=' between the method and its result at byte 8, found 'p'"
        );
        assert!(err(b"a; dkim=pass (x").to_string().contains("byte 13"));
        assert!(err(b"a;").to_string().contains("the end of the input"));
        assert!(err(b"a; dkim=pass reason=\"\x01\"").to_string().contains("byte 0x01"));
    }

    #[test]
    fn every_prefix_of_valid_fields_is_handled() {
        for field in [
            AAR_3,
            "Authentication-Results: foo.example.net (foobar) 1 (baz); dkim (x) / 1 = fail \
                              policy . expired = 1362471462; spf=pass reason=\"a \\\" b\" smtp.mailfrom=\"q r\"@s.t",
        ] {
            let bytes = field.as_bytes();
            for end in 0..=bytes.len() {
                let _ = AuthResults::parse(&bytes[..end]);
                let _ = AuthResults::parse_field(&bytes[..end]);
                let _ = AuthResults::parse_arc_field(&bytes[..end]);
                let _ = AuthResults::parse(&bytes[end..]);
            }
        }
    }

    // --- Property tests -----------------------------------------------

    fn keyword() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9][a-zA-Z0-9_-]{0,10}"
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[\t -~\\x{80}-\\x{d7ff}\\x{e000}-\\x{10ffff}]{0,30}",
            "[a-z0-9.+-]{1,10}@[a-z0-9]{1,8}\\.[a-z]{2,4}",
            "@[a-z0-9]{1,8}\\.[a-z]{2,4}",
            "[A-Za-z0-9+/=]{1,16}",
            "[ \"\\\\();=@a]{0,12}",
        ]
    }

    fn ptype() -> impl Strategy<Value = PropertyType> {
        prop_oneof![
            Just(PropertyType::Smtp),
            Just(PropertyType::Header),
            Just(PropertyType::Body),
            Just(PropertyType::Policy),
            Just(PropertyType::Other(String::new())),
            keyword().prop_map(|k| PropertyType::from_name(&k)),
        ]
    }

    fn property() -> impl Strategy<Value = Property> {
        (ptype(), "[a-zA-Z0-9][a-zA-Z0-9_.-]{0,8}", text()).prop_map(|(ptype, mut name, value)| {
            if ptype.is_untyped() {
                // Untyped names cannot contain '.' nor be "reason".
                name = name.replace('.', "-");
                if name.eq_ignore_ascii_case("reason") {
                    name.push('x');
                }
            }
            Property { ptype, name, value }
        })
    }

    fn method_result() -> impl Strategy<Value = MethodResult> {
        (
            keyword().prop_map(|k| Method::from_name(&k)),
            proptest::option::of(any::<u32>()),
            keyword().prop_map(|k| ResultKind::from_name(&k)),
            proptest::option::of(text()),
            proptest::collection::vec(property(), 0..5),
        )
            .prop_map(|(method, version, result, reason, properties)| MethodResult {
                method,
                version,
                result,
                reason,
                properties,
            })
    }

    fn auth_results() -> impl Strategy<Value = AuthResults> {
        (text(), proptest::option::of(any::<u32>()), proptest::collection::vec(method_result(), 0..5))
            .prop_map(|(authserv_id, version, results)| AuthResults { authserv_id, version, results })
    }

    proptest! {
        #[test]
        fn round_trip(ar in auth_results()) {
            let line = ar.to_header_value();
            prop_assert_eq!(AuthResults::parse(line.as_bytes()), Ok(ar.clone()), "{}", line);
            let field = ar.to_field();
            check_folding(&field);
            prop_assert_eq!(AuthResults::parse_field(field.as_bytes()), Ok(ar.clone()), "{}", field);
            let arc = ar.to_arc_field(7);
            prop_assert_eq!(AuthResults::parse_arc_field(arc.as_bytes()), Ok((7, ar)), "{}", arc);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = AuthResults::parse(&bytes);
            let _ = AuthResults::parse_field(&bytes);
            let _ = AuthResults::parse_arc(&bytes);
        }

        #[test]
        fn grammar_soup_never_panics(s in "[a-z0-9 ;=./@\"\\\\()\r\n\t]{0,200}") {
            if let Ok(ar) = AuthResults::parse(s.as_bytes()) {
                // Whatever parses writes back to something that parses the same.
                prop_assert_eq!(AuthResults::parse(ar.to_string().as_bytes()), Ok(ar.clone()));
            }
        }
    }
}
