//! # mailwire-auth
//!
//! Sans-IO email authentication. This release has DKIM (RFC 6376, RFC
//! 8301, RFC 8463) and Authentication-Results (RFC 8601); SPF, DMARC and
//! ARC come next on the same DNS hand-off ([`dns`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod dkim;
pub mod dns;
/// An async resolver for the DNS hand-off, on hickory-resolver and tokio
/// (feature `hickory`).
#[cfg(feature = "hickory")]
pub mod hickory;
pub mod results;

/// ring's system RNG, for RSA signing (its blinding needs randomness; the
/// signer draws none of its own).
pub use ring::rand::SystemRandom;
