//! # mailwire-sasl
//!
//! SASL mechanisms for SMTP, IMAP and POP3 (being written).
#![forbid(unsafe_code)]
#![warn(missing_docs)]
