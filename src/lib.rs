//! # mailwire
//!
//! Embeddable, sans-IO email. Each protocol and format lives in its own
//! crate; this facade re-exports them behind feature flags, so that
//! `cargo add mailwire --features mime` is all a program needs.
//!
//! | feature | module | crate |
//! | --- | --- | --- |
//! | `mime` | [`mime`] | `mailwire-mime`: RFC 5322 / MIME parsing, building and editing |
//! | `sasl` | `sasl` | `mailwire-sasl`: SASL mechanisms, client and server |
//! | `smtp` | `smtp` | `mailwire-smtp`: SMTP/ESMTP/LMTP wire types and sessions |
//! | `imap` | `imap` | `mailwire-imap`: IMAP4rev1/rev2 codec, client and server sessions |
//! | `pop3` | `pop3` | `mailwire-pop3`: POP3 wire types and sessions |
//! | `auth` | `auth` | `mailwire-auth`: DKIM sign and verify, Authentication-Results, the DNS hand-off |
//! | `threading` | `threading` | `mailwire-threading`: RFC 5256 and JWZ threading, conversations |
//! | `serde` | — | serde support on every enabled crate's stored types |
//! | `full` | — | every crate |
//!
//! *Sans-IO* means the crates turn bytes into typed values and back, and
//! drive protocol state machines, but never open sockets, spawn threads,
//! read clocks or pick an async runtime: the application owns all I/O.
//!
//! ```
//! # #[cfg(feature = "mime")] {
//! use mailwire::mime::Message;
//!
//! let msg = Message::parse(b"Subject: hello\r\n\r\nbody\r\n");
//! assert_eq!(msg.subject().as_deref(), Some("hello"));
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

/// RFC 5322 / MIME messages: parse, build, edit (the `mailwire-mime` crate).
#[cfg(feature = "mime")]
pub use mailwire_mime as mime;

/// SASL mechanisms, client and server side (the `mailwire-sasl` crate).
#[cfg(feature = "sasl")]
pub use mailwire_sasl as sasl;

/// SMTP, ESMTP and LMTP wire types and sessions (the `mailwire-smtp` crate).
#[cfg(feature = "smtp")]
pub use mailwire_smtp as smtp;

/// IMAP4rev1 and IMAP4rev2: the codec for commands and responses, and
/// client and server sessions (the `mailwire-imap` crate).
#[cfg(feature = "imap")]
pub use mailwire_imap as imap;

/// POP3 wire types and sessions (the `mailwire-pop3` crate).
#[cfg(feature = "pop3")]
pub use mailwire_pop3 as pop3;

/// Threading: RFC 5256 REFERENCES and ORDEREDSUBJECT, JWZ, conversations
/// (the `mailwire-threading` crate).
#[cfg(feature = "threading")]
pub use mailwire_threading as threading;

/// DKIM signing and verification, Authentication-Results, and the DNS
/// hand-off SPF, DMARC and ARC will share (the `mailwire-auth` crate).
#[cfg(feature = "auth")]
pub use mailwire_auth as auth;
