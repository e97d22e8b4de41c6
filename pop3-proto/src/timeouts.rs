//! POP3's timers, for the caller's clock (sans-IO: the sessions never read
//! one).

use std::time::Duration;

/// RFC 1939 §3: a server's inactivity autologout timer must be at least
/// 10 minutes. A server that times a client out closes the connection
/// without entering UPDATE: nothing marked deleted is removed.
pub const AUTOLOGOUT: Duration = Duration::from_secs(10 * 60);

/// How long a client waits for any response before giving up: just over
/// the server's own [`AUTOLOGOUT`], so that a slow but live server is not
/// abandoned.
pub const CLIENT_RESPONSE: Duration = Duration::from_secs(10 * 60 + 30);
