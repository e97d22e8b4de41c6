//! The timeouts of RFC 5321 §4.5.3.2, as durations a caller arms on its
//! own clock (the sessions read no clock).
//!
//! A client waits at most this long for each reply; a server waits at
//! most [`SERVER`] for the next command.

use std::time::Duration;

/// Waiting for the 220 greeting (§4.5.3.2.1).
pub const GREETING: Duration = Duration::from_secs(5 * 60);
/// Waiting for the reply to MAIL (§4.5.3.2.2).
pub const MAIL: Duration = Duration::from_secs(5 * 60);
/// Waiting for the reply to each RCPT (§4.5.3.2.3).
pub const RCPT: Duration = Duration::from_secs(5 * 60);
/// Waiting for the 354 after DATA (§4.5.3.2.4).
pub const DATA_INITIATION: Duration = Duration::from_secs(2 * 60);
/// Between two writes of message data (each TCP send) (§4.5.3.2.5).
pub const DATA_BLOCK: Duration = Duration::from_secs(3 * 60);
/// Waiting for the reply after the final `.` (or the last BDAT chunk)
/// (§4.5.3.2.6).
pub const DATA_TERMINATION: Duration = Duration::from_secs(10 * 60);
/// A server waiting for the next command (§4.5.3.2.7).
pub const SERVER: Duration = Duration::from_secs(5 * 60);
/// Other replies (EHLO, RSET, STARTTLS, AUTH, QUIT): RFC 5321 names none;
/// this is the value of the MAIL timeout, which implementations use.
pub const OTHER: Duration = MAIL;
