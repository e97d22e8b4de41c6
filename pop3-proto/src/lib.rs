//! # mailwire-pop3
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod apop;
pub mod capability;
pub mod client;
pub mod command;
pub mod multiline;
pub mod response;
pub mod server;
pub mod timeouts;

/// Whether a SASL mechanism carries the secret as it is, readable by
/// anyone on the path without TLS (PLAIN, LOGIN and the bearer tokens).
pub(crate) fn sends_secret_in_clear(m: mailwire_sasl::Mechanism) -> bool {
    use mailwire_sasl::Mechanism;
    matches!(m, Mechanism::Plain | Mechanism::Login | Mechanism::XOAuth2 | Mechanism::OAuthBearer)
}
