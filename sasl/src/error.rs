//! The crate's error type.

use core::fmt;

use crate::Mechanism;

/// Why a password was refused by [`saslprep`](crate::saslprep).
///
/// This crate implements SASLprep (RFC 4013) without a Unicode
/// normalisation table: it maps non-ASCII spaces to SPACE and removes the
/// "commonly mapped to nothing" characters, and then accepts the result only
/// if it is ASCII, for which NFKC is the identity. The result is therefore
/// exactly what RFC 4013 prescribes for every password it accepts; the
/// passwords it cannot prepare honestly are refused with
/// [`SaslPrepError::NonAscii`] rather than prepared wrongly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SaslPrepError {
    /// The string still holds a non-ASCII character after mapping. Preparing
    /// it would need Unicode NFKC normalisation, which this crate does not
    /// carry; such passwords cannot be used with SCRAM here (PLAIN, LOGIN and
    /// CRAM-MD5 send passwords unprepared and still accept them).
    NonAscii,
    /// The string holds a character that RFC 4013 prohibits (an ASCII control
    /// character such as NUL, TAB or DEL).
    Prohibited,
}

impl fmt::Display for SaslPrepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NonAscii => f.write_str(
                "it contains non-ASCII characters, which would need Unicode NFKC normalisation \
                 (not supported by this crate; use an ASCII password or another mechanism)",
            ),
            Self::Prohibited => f.write_str("it contains a prohibited control character"),
        }
    }
}

impl std::error::Error for SaslPrepError {}

/// Everything that can go wrong in a SASL exchange.
///
/// Errors caused by the peer (malformed messages, wrong proofs) and errors
/// caused by the application (unusable credentials, calls made in the wrong
/// order) are both reported here; [`SaslError::is_misuse`] tells them apart.
/// No message ever contains a password, a token or key material.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SaslError {
    /// The mechanism cannot be used with the given credentials (a password
    /// mechanism with a bearer token, an authorization identity with LOGIN,
    /// an empty username, ...).
    UnsupportedCredentials {
        /// The mechanism that was asked for.
        mechanism: Mechanism,
        /// What is wrong with the credentials.
        reason: &'static str,
    },
    /// A value supplied by the application is unusable (an invalid nonce,
    /// hostname or channel binding name, SCRAM credentials out of range).
    InvalidArgument {
        /// The argument at fault.
        what: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The mechanism needs caller-supplied randomness (a [`Nonce`](crate::Nonce))
    /// and none was given.
    MissingNonce {
        /// The mechanism that needs it.
        mechanism: Mechanism,
    },
    /// A SCRAM password could not be prepared with SASLprep (RFC 4013).
    SaslPrep(SaslPrepError),
    /// A message from the peer is longer than [`MAX_MESSAGE_LEN`](crate::MAX_MESSAGE_LEN).
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The largest length accepted.
        max: usize,
    },
    /// A message from the peer does not follow the mechanism's syntax.
    Malformed {
        /// The mechanism whose syntax was broken.
        mechanism: Mechanism,
        /// The rule that failed.
        reason: &'static str,
    },
    /// A base64 field inside a SCRAM message does not decode.
    InvalidBase64 {
        /// The SCRAM attribute holding it (`s`, `c`, `p` or `v`).
        field: &'static str,
    },
    /// The SCRAM nonce from the peer does not continue our own nonce (server
    /// side: differs from the combined nonce we sent).
    NonceMismatch,
    /// The SCRAM iteration count is 0 or above [`MAX_ITERATIONS`](crate::MAX_ITERATIONS).
    InvalidIterationCount {
        /// The count received (saturated at `u64::MAX`).
        count: u64,
        /// The largest count accepted.
        max: u32,
    },
    /// Channel binding failed: unsupported type, data mismatch, or a
    /// downgrade (the client says the server does not offer `-PLUS` while it
    /// does).
    ChannelBinding {
        /// What went wrong.
        reason: &'static str,
    },
    /// The SCRAM server's signature is wrong: the server does not know the
    /// password, or the exchange was tampered with.
    ServerSignatureMismatch,
    /// The SCRAM server ended the exchange with an `e=` error attribute.
    ServerRejected {
        /// The server's error value, such as `invalid-proof` (at most 256
        /// characters are kept).
        error: String,
    },
    /// The OAuth server (XOAUTH2, OAUTHBEARER) rejected the token and sent an
    /// error document.
    OAuth {
        /// The server's JSON error document, as received (lossily decoded as
        /// UTF-8).
        json: String,
    },
    /// Server side: the credentials presented by the client are wrong (bad
    /// password, bad SCRAM proof, unknown user, rejected token).
    AuthenticationFailed {
        /// The mechanism in use.
        mechanism: Mechanism,
    },
    /// A method was called in a state where it is not allowed (for example
    /// `step` after the exchange ended, or `password_result` on a SCRAM
    /// session).
    UnexpectedCall {
        /// The method that was called.
        call: &'static str,
        /// The state the session was in.
        state: &'static str,
    },
    /// Client side: the server reported success before the exchange was
    /// complete (for SCRAM: before the server proved that it knows the
    /// password). Treat the authentication as failed.
    Incomplete {
        /// The mechanism in use.
        mechanism: Mechanism,
    },
}

impl SaslError {
    /// Whether the error comes from the application's own use of the API
    /// (unusable arguments, calls out of order) rather than from the peer.
    pub fn is_misuse(&self) -> bool {
        matches!(
            self,
            Self::UnsupportedCredentials { .. }
                | Self::InvalidArgument { .. }
                | Self::MissingNonce { .. }
                | Self::SaslPrep(_)
                | Self::UnexpectedCall { .. }
        )
    }
}

impl fmt::Display for SaslError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedCredentials { mechanism, reason } => {
                write!(f, "{mechanism} cannot be used with these credentials: {reason}")
            }
            Self::InvalidArgument { what, reason } => write!(f, "invalid {what}: {reason}"),
            Self::MissingNonce { mechanism } => write!(
                f,
                "{mechanism} needs a nonce from the caller's random number generator (pass a Nonce)"
            ),
            Self::SaslPrep(e) => write!(f, "the password cannot be prepared with SASLprep (RFC 4013): {e}"),
            Self::TooLong { len, max } => {
                write!(f, "SASL message of {len} bytes is longer than the limit of {max} bytes")
            }
            Self::Malformed { mechanism, reason } => write!(f, "malformed {mechanism} message: {reason}"),
            Self::InvalidBase64 { field } => {
                write!(f, "malformed SCRAM message: attribute {field}= is not valid base64")
            }
            Self::NonceMismatch => {
                f.write_str("SCRAM nonce mismatch: the peer's nonce does not continue the exchange's nonce")
            }
            Self::InvalidIterationCount { count, max } => {
                write!(f, "SCRAM iteration count {count} is out of range (must be 1 to {max})")
            }
            Self::ChannelBinding { reason } => write!(f, "SCRAM channel binding failed: {reason}"),
            Self::ServerSignatureMismatch => f.write_str(
                "SCRAM server signature mismatch: the server does not know the password \
                 or the exchange was tampered with",
            ),
            Self::ServerRejected { error } => write!(f, "the SCRAM server rejected the exchange: {error}"),
            Self::OAuth { json } => write!(f, "the server rejected the OAuth token: {json}"),
            Self::AuthenticationFailed { mechanism } => {
                write!(f, "{mechanism} authentication failed: wrong credentials")
            }
            Self::UnexpectedCall { call, state } => {
                write!(f, "`{call}` called out of order (the session is {state})")
            }
            Self::Incomplete { mechanism } => write!(
                f,
                "the server reported success before the {mechanism} exchange was complete \
                 (treat as an authentication failure)"
            ),
        }
    }
}

impl std::error::Error for SaslError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::SaslPrep(e) => Some(e),
            _ => None,
        }
    }
}

impl From<SaslPrepError> for SaslError {
    fn from(e: SaslPrepError) -> Self {
        Self::SaslPrep(e)
    }
}
