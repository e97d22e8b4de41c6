//! What is wrong with a message: defects are reported, never fatal.

use std::fmt;

/// A defect found in a message, with the byte offset (into the input given
/// to [`Message::parse`](crate::Message::parse)) where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Defect {
    /// What is wrong.
    pub kind: DefectKind,
    /// Where, as a byte offset into the parsed input.
    pub offset: usize,
}

/// The kinds of defect the parser reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum DefectKind {
    /// A line in the header block is neither a field nor a continuation; the
    /// body was taken to start there (no empty line separated them).
    MissingHeaderBodySeparator,
    /// A header line has a colon but no valid field name before it (empty,
    /// or with spaces, control or 8-bit bytes); the line was skipped.
    InvalidHeaderName,
    /// The first header line is indented, so it continues nothing; skipped.
    FirstLineIsContinuation,
    /// The input ends inside the header block (no body at all).
    NoBody,
    /// A `multipart/*` entity has no `boundary` parameter; kept as a leaf
    /// (an attachment, in the body view).
    MissingBoundary,
    /// No delimiter line of the multipart's boundary was found: the entity
    /// is kept as a leaf, so its bytes stay readable (as an attachment).
    StartBoundaryNotFound,
    /// The closing delimiter (`--boundary--`) is missing; the last part
    /// runs to the end of its parent.
    MissingFinalBoundary,
    /// An entity declares `Content-Type` more than once; the first wins.
    DuplicateContentType,
    /// `Content-Type` could not be parsed; the default type was assumed.
    InvalidContentType,
    /// The Content-Transfer-Encoding is not one that RFC 2045 defines (nor
    /// `x-uuencode`); the body is passed through undecoded.
    UnknownTransferEncoding,
    /// Base64 body with characters outside the alphabet or a truncated
    /// final group; decoded as far as possible.
    InvalidBase64,
    /// Quoted-printable body with `=` not followed by two hex digits or a
    /// line break; the bytes were kept as written.
    InvalidQuotedPrintable,
    /// uuencoded body without a `begin` line or with malformed lines.
    InvalidUuencode,
    /// A text part's charset is unknown; decoded as UTF-8 or windows-1252.
    UnknownCharset,
    /// A text part contains byte sequences that are invalid in its charset;
    /// they were replaced by U+FFFD.
    MalformedText,
    /// A message/rfc822 or message/global body is transfer-encoded (RFC 2046
    /// forbids it); it is kept as an opaque leaf.
    EncodedMessage,
    /// Nesting is deeper than [`Limits::max_depth`](crate::Limits); the
    /// entity is kept as an opaque leaf.
    TooDeep,
    /// More entities than [`Limits::max_parts`](crate::Limits); the rest
    /// of the parent is not split into parts.
    TooManyParts,
    /// More header fields than [`Limits::max_headers`](crate::Limits);
    /// later fields were skipped.
    TooManyHeaders,
    /// A header field longer than [`Limits::max_header_size`](crate::Limits);
    /// it was skipped.
    HeaderTooLong,
}

impl DefectKind {
    /// A short, stable, kebab-case name (used in JSON summaries).
    pub fn name(self) -> &'static str {
        match self {
            DefectKind::MissingHeaderBodySeparator => "missing-header-body-separator",
            DefectKind::InvalidHeaderName => "invalid-header-name",
            DefectKind::FirstLineIsContinuation => "first-line-is-continuation",
            DefectKind::NoBody => "no-body",
            DefectKind::MissingBoundary => "missing-boundary",
            DefectKind::StartBoundaryNotFound => "start-boundary-not-found",
            DefectKind::MissingFinalBoundary => "missing-final-boundary",
            DefectKind::DuplicateContentType => "duplicate-content-type",
            DefectKind::InvalidContentType => "invalid-content-type",
            DefectKind::UnknownTransferEncoding => "unknown-transfer-encoding",
            DefectKind::InvalidBase64 => "invalid-base64",
            DefectKind::InvalidQuotedPrintable => "invalid-quoted-printable",
            DefectKind::InvalidUuencode => "invalid-uuencode",
            DefectKind::UnknownCharset => "unknown-charset",
            DefectKind::MalformedText => "malformed-text",
            DefectKind::EncodedMessage => "encoded-message",
            DefectKind::TooDeep => "too-deep",
            DefectKind::TooManyParts => "too-many-parts",
            DefectKind::TooManyHeaders => "too-many-headers",
            DefectKind::HeaderTooLong => "header-too-long",
        }
    }
}

impl fmt::Display for DefectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}
