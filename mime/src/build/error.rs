//! The builder's error type.

use std::fmt;

use super::amp::AmpError;

/// Why a message could not be built. Every variant names the field or part
/// that was refused, so a caller can tell its user what to fix.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// A header name that is empty or holds a byte outside printable ASCII,
    /// a space or a colon.
    InvalidHeaderName {
        /// The name as given.
        name: String,
    },
    /// A value that cannot be written without changing the header's
    /// structure: a line break, NUL or other control in a field that cannot
    /// carry encoded words (message ids, raw values), or a line too long.
    InvalidHeaderValue {
        /// The field's name.
        field: String,
        /// What is wrong with the value.
        reason: &'static str,
    },
    /// A header the builder writes itself (`Content-Type`,
    /// `Content-Transfer-Encoding`, `MIME-Version`) or never writes (`Bcc`),
    /// given as an extra header.
    ReservedHeader {
        /// The field's name.
        name: String,
    },
    /// An address that is not `local@domain` (or a display name and one).
    InvalidAddress {
        /// The field it was given for (`To`, `From`, …).
        field: String,
        /// The address as given.
        address: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A message id or content id that is not `<left@right>`.
    InvalidId {
        /// The field (`Message-ID`, `Content-ID`, `References`, …).
        field: String,
        /// The id as given.
        id: String,
    },
    /// The AMP document lacks what AMP for Email requires.
    Amp(AmpError),
    /// An AMP body without an HTML one: AMP clients show the HTML part
    /// where AMP is not allowed, and ignore an AMP part that comes last.
    AmpWithoutHtml,
    /// A multipart with no parts (RFC 2046 requires at least one).
    EmptyMultipart {
        /// The multipart's media type.
        content_type: String,
    },
    /// A media type that is not `type/subtype` made of tokens.
    InvalidContentType {
        /// The type as given.
        content_type: String,
    },
    /// A parameter (filename, name, charset, …) that cannot be written.
    InvalidParameter {
        /// The parameter's name.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// An attached message (`message/rfc822`) with bytes that only an 8-bit
    /// transport carries; RFC 2046 forbids base64 there. Allow 8bit (see
    /// [`MessageBuilder::allow_8bit`](super::MessageBuilder::allow_8bit)).
    EightBitMessage,
    /// Text that the requested charset cannot represent.
    Unmappable {
        /// The charset's name.
        charset: &'static str,
    },
    /// Content (in a part that is sent as it is, 7bit or 8bit) holds the
    /// boundary of a multipart it would be placed in.
    BoundaryInContent {
        /// The boundary.
        boundary: String,
    },
    /// An edit of a parsed message ([`Editor`](crate::edit::Editor)) that
    /// cannot be made: an unknown part, a part already removed or replaced,
    /// a structure that cannot be edited safely.
    Edit {
        /// The part of the parsed message.
        part: usize,
        /// Why.
        reason: &'static str,
    },
    /// No body was given (no text, HTML, AMP, attachment or root part).
    NoBody,
    /// Writing to the output failed.
    Io(std::io::Error),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::InvalidHeaderName { name } => write!(f, "invalid header name {name:?}"),
            BuildError::InvalidHeaderValue { field, reason } => {
                write!(f, "invalid value for header {field}: {reason}")
            }
            BuildError::ReservedHeader { name } => {
                write!(f, "header {name} is written by the builder and cannot be given as an extra header")
            }
            BuildError::InvalidAddress { field, address, reason } => {
                write!(f, "invalid address {address:?} in {field}: {reason}")
            }
            BuildError::InvalidId { field, id } => {
                write!(f, "invalid id {id:?} in {field}: expected <left@right> without spaces or controls")
            }
            BuildError::Amp(e) => write!(f, "AMP part refused: {e}"),
            BuildError::AmpWithoutHtml => {
                f.write_str("an AMP body needs an HTML body beside it (the fallback AMP clients require)")
            }
            BuildError::EmptyMultipart { content_type } => {
                write!(f, "{content_type} has no parts (RFC 2046 requires at least one)")
            }
            BuildError::InvalidContentType { content_type } => {
                write!(f, "invalid media type {content_type:?}: expected type/subtype")
            }
            BuildError::InvalidParameter { name, reason } => write!(f, "invalid parameter {name}: {reason}"),
            BuildError::EightBitMessage => f.write_str(
                "attached message has 8-bit bytes or long lines and the transport is 7-bit \
                 (RFC 2046 forbids base64 for message/rfc822; allow 8bit)",
            ),
            BuildError::Unmappable { charset } => write!(f, "text cannot be represented in {charset}"),
            BuildError::BoundaryInContent { boundary } => {
                write!(f, "part content holds the boundary {boundary:?} of the multipart it would go in")
            }
            BuildError::Edit { part, reason } => write!(f, "cannot edit part {part}: {reason}"),
            BuildError::NoBody => {
                f.write_str("message has no body: give text, HTML, AMP, an attachment or a root part")
            }
            BuildError::Io(e) => write!(f, "writing the message failed: {e}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Amp(e) => Some(e),
            BuildError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<AmpError> for BuildError {
    fn from(e: AmpError) -> Self {
        BuildError::Amp(e)
    }
}

impl From<std::io::Error> for BuildError {
    fn from(e: std::io::Error) -> Self {
        BuildError::Io(e)
    }
}
