//! # mailwire-smtp
//!
//! Sans-IO SMTP (RFC 5321), ESMTP and LMTP (RFC 2033) (being written).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod capability;
pub mod client;
pub mod command;
pub mod data;
pub mod enhanced;
pub mod reply;
pub mod server;
pub mod timeouts;
pub mod xtext;
