//! # mailwire-imap
//!
//! Sans-IO IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod capability;
mod chars;
pub mod command;
pub mod datetime;
pub mod encode;
pub mod error;
pub mod flag;
pub mod frame;
pub mod id;
mod lex;
mod limits;
pub mod mailbox;
pub mod response;
pub mod section;
pub mod sequence;
pub mod status;
pub mod string;

pub use limits::Limits;
