//! # mailwire-mime
//!
//! A zero-copy, lazy parser for RFC 5322 / MIME messages that accepts every
//! message that circulates and tells the truth about what is broken in it,
//! and a builder whose output every reader accepts and no caller value can
//! add a header field to ([`build`]).
//!
//! [`Message::parse`] splits the header block and the MIME tree (multipart,
//! nested `message/rfc822` and `message/global`) without copying a body
//! byte; header fields keep their exact bytes and offsets; typed values
//! (addresses, dates, ids, content types) are parsed when asked for;
//! transfer decoding and charset conversion happen when a part's content is
//! read. Nothing panics on any input: what is wrong is reported as a
//! [`Defect`] on the part, and [`Limits`] caps what input can make the
//! parser build.
//!
//! ```
//! use mailwire_mime::{Address, Message};
//!
//! let raw = b"From: =?utf-8?q?J=C3=B6rg?= <joerg@example.de>\r\n\
//! To: Team: ann@example.com, bob@example.com;\r\n\
//! Subject: Report\r\n\
//! Date: Tue, 1 Dec 2026 08:00:00 +0100\r\n\
//! Content-Type: multipart/mixed; boundary=b\r\n\
//! \r\n\
//! --b\r\n\
//! Content-Type: text/plain; charset=iso-8859-1\r\n\
//! Content-Transfer-Encoding: quoted-printable\r\n\
//! \r\n\
//! Gr=FC=DFe\r\n\
//! --b\r\n\
//! Content-Type: application/pdf\r\n\
//! Content-Disposition: attachment; filename*=utf-8''Bericht%20%C3%BC.pdf\r\n\
//! Content-Transfer-Encoding: base64\r\n\
//! \r\n\
//! JVBERi0xLjQK\r\n\
//! --b--\r\n";
//!
//! let msg = Message::parse(raw);
//! let Address::Mailbox(from) = &msg.from()[0] else { unreachable!() };
//! assert_eq!(from.name.as_deref(), Some("Jörg"));
//! let Address::Group(team) = &msg.to()[0] else { unreachable!() };
//! assert_eq!(team.members.len(), 2);
//! assert_eq!(msg.date().unwrap().to_rfc3339(), "2026-12-01T08:00:00+01:00");
//! assert_eq!(msg.text_body(0).as_deref(), Some("Grüße"));
//! let pdf = msg.attachments().next().unwrap();
//! assert_eq!(pdf.filename().as_deref(), Some("Bericht ü.pdf"));
//! assert_eq!(&*pdf.decoded(), b"%PDF-1.4\n");
//! assert_eq!(msg.defects().count(), 0);
//! ```
//!
//! Building, and reading back:
//!
//! ```
//! use mailwire_mime::Message;
//! use mailwire_mime::build::MessageBuilder;
//!
//! let bytes = MessageBuilder::new()
//!     .from(("Jörg", "joerg@example.de"))
//!     .to("ann@example.com")
//!     .subject("Grüße")
//!     .text("Hallo!")
//!     .attachment("application/pdf", "Bericht ü.pdf", &b"%PDF-1.4\n"[..])
//!     .to_vec()?;
//! let msg = Message::parse(&bytes);
//! assert_eq!(msg.subject().as_deref(), Some("Grüße"));
//! assert_eq!(msg.attachments().next().unwrap().filename().as_deref(), Some("Bericht ü.pdf"));
//! # Ok::<(), mailwire_mime::build::BuildError>(())
//! ```
//!
//! ## Where things are
//!
//! - [`message`]: the tree ([`Message`], [`Part`]) and body decoding;
//! - [`header`]: the header splitter and typed accessors ([`Headers`]);
//! - [`address`], [`date`], [`ids`], [`list`], [`received`],
//!   [`content_type`]: the field parsers, each usable on raw values;
//! - [`encoded_word`] (RFC 2047), [`charset`], [`transfer`] (base64,
//!   quoted-printable, uuencode): the decoders;
//! - [`body`]: the RFC 8621 body view (text, HTML, attachments);
//! - [`mbox`]: reading mbox files;
//! - [`build`]: writing messages ([`build::MessageBuilder`],
//!   [`build::PartBuilder`]), replies and forwards, AMP checks;
//! - [`edit`]: changing a parsed message, every untouched byte kept;
//! - `summary` (feature `serde`): an owned, serialisable summary.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod address;
pub mod body;
pub mod build;
pub mod charset;
pub mod content_type;
pub mod date;
pub mod defect;
pub mod edit;
pub mod encoded_word;
pub mod header;
pub mod ids;
pub mod limits;
pub mod list;
pub mod message;
pub mod received;
pub mod transfer;

pub use address::{Address, Group, Mailbox, parse_address_list};
pub use body::{BodyStructure, PartRole};
pub use content_type::{
    ContentDisposition, ContentType, Param, parse_content_disposition, parse_content_type,
};
pub use date::{DateTime, parse_date};
pub use defect::{Defect, DefectKind};
pub use edit::Editor;
pub use encoded_word::decode_unstructured;
pub use header::{HeaderField, Headers};
pub use limits::Limits;
pub use message::{Message, Part, PartBody, PartId};
pub use transfer::TransferEncoding;
pub mod mbox;
#[cfg(feature = "serde")]
pub mod summary;
