//! DKIM (RFC 6376), with RFC 8301's algorithm and key-size rules and RFC
//! 8463's Ed25519: signing ([`Signer`]) and verification ([`Verifier`]).
//!
//! Verification is sans-IO: [`Verifier::new`] reads the message (or
//! [`Verifier::from_header`] the header, with the body streamed in
//! afterwards), [`Verifier::queries`] lists the key records it needs, the
//! caller answers each with [`Verifier::answer`], and
//! [`Verifier::results`] gives one [`DkimResult`] per signature, each
//! evaluated on its own. [`verify`] does the exchange with a
//! [`Resolver`](crate::dns::Resolver).
//!
//! ```
//! use mailwire_auth::dkim::{Algorithm, Signer, SigningKey, Status, verify, VerifyOptions};
//! use mailwire_auth::dns::MemoryResolver;
//!
//! // RFC 8032's test key 1 (an Ed25519 seed) and its public key.
//! let seed = [0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
//!             0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60];
//! let key = SigningKey::ed25519_from_seed(&seed)?;
//! let signer = Signer::new(key, "example.com", "sel").with_timestamp(1_700_000_000);
//! let message = b"From: a@example.com\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nHello.\r\n";
//! let field = signer.sign(message, None)?;
//! assert!(field.starts_with("DKIM-Signature: v=1; a=ed25519-sha256;"));
//!
//! let mut dns = MemoryResolver::new();
//! dns.add_txt("sel._domainkey.example.com", &[b"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="]);
//! let signed = [field.as_bytes(), &message[..]].concat();
//! let results = verify(&signed, &dns, &VerifyOptions::at(1_700_000_100));
//! assert_eq!(results[0].status, Status::Pass);
//! # Ok::<(), mailwire_auth::dkim::SignError>(())
//! ```

use std::fmt;

mod canon;
mod key;
mod sign;
mod signature;
pub(crate) mod tags;
mod verify;

pub use canon::BodyHasher;
pub use key::KeyRecord;
pub use sign::{DEFAULT_HEADERS, SignError, Signer, SigningKey};
pub use signature::{MAX_SIGNED_HEADERS, Signature};
pub use verify::{DkimResult, KeyPolicy, Verifier, VerifyOptions, verify};

/// A signing algorithm (`a=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `rsa-sha256`.
    RsaSha256,
    /// `rsa-sha1`: verified only, and weak (RFC 8301 forbids signing with
    /// it and treating it as valid).
    RsaSha1,
    /// `ed25519-sha256` (RFC 8463).
    Ed25519Sha256,
}

impl Algorithm {
    /// The name in `a=`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::RsaSha256 => "rsa-sha256",
            Algorithm::RsaSha1 => "rsa-sha1",
            Algorithm::Ed25519Sha256 => "ed25519-sha256",
        }
    }

    pub(crate) fn from_name(name: &[u8]) -> Result<Algorithm, Failure> {
        let name = tags::trim(name);
        [Algorithm::RsaSha256, Algorithm::RsaSha1, Algorithm::Ed25519Sha256]
            .into_iter()
            .find(|a| a.name().as_bytes().eq_ignore_ascii_case(name))
            .ok_or_else(|| Failure::UnsupportedAlgorithm(String::from_utf8_lossy(name).into_owned()))
    }

    /// The hash it uses.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            Algorithm::RsaSha1 => HashAlgorithm::Sha1,
            _ => HashAlgorithm::Sha256,
        }
    }

    /// The key type it needs.
    pub fn key_type(self) -> KeyType {
        match self {
            Algorithm::Ed25519Sha256 => KeyType::Ed25519,
            _ => KeyType::Rsa,
        }
    }
}

/// A hash algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-1 (verification of old signatures only).
    Sha1,
}

impl HashAlgorithm {
    /// The digest length in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha1 => 20,
        }
    }

    /// The name in a key record's `h=`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha1 => "sha1",
        }
    }
}

/// A key type (`k=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// RSA.
    Rsa,
    /// Ed25519 (RFC 8463).
    Ed25519,
}

/// A canonicalisation algorithm (`c=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Canon {
    /// `simple`: almost nothing changed.
    Simple,
    /// `relaxed`: white space and header-name case normalised.
    Relaxed,
}

impl Canon {
    /// The name in `c=`.
    pub fn name(self) -> &'static str {
        match self {
            Canon::Simple => "simple",
            Canon::Relaxed => "relaxed",
        }
    }

    fn from_name(name: &str) -> Result<Canon, Failure> {
        match name.trim().to_ascii_lowercase().as_str() {
            "simple" => Ok(Canon::Simple),
            "relaxed" => Ok(Canon::Relaxed),
            other => Err(Failure::UnsupportedCanonicalization(other.to_string())),
        }
    }
}

/// The result of one signature (RFC 8601's `dkim=` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Status {
    /// The signature verified.
    Pass,
    /// It did not: the message changed, or the signature is wrong.
    Fail,
    /// It verified but the local policy does not accept it (rsa-sha1,
    /// a key the caller's policy refuses).
    Policy,
    /// It could not be checked for now (a DNS failure): try later.
    TempError,
    /// It can never be checked: malformed, or its key is missing,
    /// revoked or unusable.
    PermError,
    /// There was no signature.
    None,
}

impl Status {
    /// The RFC 8601 result name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Policy => "policy",
            Status::TempError => "temperror",
            Status::PermError => "permerror",
            Status::None => "none",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a signature did not pass, precisely.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// A tag list is malformed (what was wrong).
    Syntax {
        /// What was expected.
        what: &'static str,
    },
    /// A tag appears twice.
    DuplicateTag(String),
    /// A required tag is missing.
    MissingTag(&'static str),
    /// A value is not base64.
    BadBase64(&'static str),
    /// A value is longer than allowed.
    TooLong {
        /// What.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// `v=` is not 1.
    UnsupportedVersion,
    /// `a=` names an algorithm we do not know.
    UnsupportedAlgorithm(String),
    /// `c=` names a canonicalisation we do not know.
    UnsupportedCanonicalization(String),
    /// `h=` does not include From.
    FromNotSigned,
    /// `i=` is not in `d=` (or, for a `t=s` key, not exactly `d=`).
    IdentityNotInDomain,
    /// `x=` has passed.
    Expired {
        /// The expiry.
        expiration: u64,
        /// The time of the check.
        now: u64,
    },
    /// There is no key record (NXDOMAIN, or no TXT record).
    KeyNotFound,
    /// More than one TXT record, none of them a valid key.
    KeyRecordAmbiguous,
    /// The key record's `v=` is wrong or not first.
    KeyVersion,
    /// The key record is malformed or the key unreadable.
    BadKey(&'static str),
    /// The key's `k=` is unknown.
    UnknownKeyType(String),
    /// The key was revoked (`p=` empty).
    KeyRevoked,
    /// The key's type does not match the algorithm.
    KeyTypeMismatch,
    /// The key's `h=` does not allow the hash.
    HashNotAllowed,
    /// The key's `s=` does not include email.
    ServiceNotAllowed,
    /// The RSA key is shorter than the policy allows.
    KeyTooShort {
        /// Its length.
        bits: usize,
        /// The least accepted.
        min: usize,
    },
    /// The body hash does not match `bh=`: the body changed.
    BodyHashMismatch,
    /// The signature does not verify: the signed header fields changed, or
    /// the key is not the signer's.
    SignatureMismatch,
    /// The DNS lookup failed for now.
    DnsTemporary(String),
    /// rsa-sha1 (RFC 8301: not to be treated as valid).
    WeakAlgorithm,
}

impl Failure {
    /// The RFC 8601 result this failure gives.
    pub fn status(&self) -> Status {
        match self {
            Failure::BodyHashMismatch | Failure::SignatureMismatch | Failure::KeyTooShort { .. } => {
                Status::Fail
            }
            Failure::DnsTemporary(_) => Status::TempError,
            Failure::WeakAlgorithm => Status::Policy,
            _ => Status::PermError,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Syntax { what } => write!(f, "malformed: expected {what}"),
            Failure::DuplicateTag(t) => write!(f, "tag {t}= appears twice"),
            Failure::MissingTag(t) => write!(f, "required tag {t}= is missing"),
            Failure::BadBase64(t) => write!(f, "{t} is not base64"),
            Failure::TooLong { what, len, max } => write!(f, "{what} of {len} bytes exceeds {max}"),
            Failure::UnsupportedVersion => f.write_str("v= is not 1"),
            Failure::UnsupportedAlgorithm(a) => write!(f, "unsupported algorithm {a}"),
            Failure::UnsupportedCanonicalization(c) => write!(f, "unsupported canonicalization {c}"),
            Failure::FromNotSigned => f.write_str("h= does not include From"),
            Failure::IdentityNotInDomain => f.write_str("i= is not within d="),
            Failure::Expired { expiration, now } => {
                write!(f, "signature expired at {expiration} (now {now})")
            }
            Failure::KeyNotFound => f.write_str("no key record"),
            Failure::KeyRecordAmbiguous => f.write_str("several TXT records and no valid key among them"),
            Failure::KeyVersion => f.write_str("key record v= is not DKIM1 or not first"),
            Failure::BadKey(why) => write!(f, "bad key: {why}"),
            Failure::UnknownKeyType(k) => write!(f, "unknown key type {k}"),
            Failure::KeyRevoked => f.write_str("key revoked"),
            Failure::KeyTypeMismatch => f.write_str("key type does not match the algorithm"),
            Failure::HashNotAllowed => f.write_str("the key's h= does not allow this hash"),
            Failure::ServiceNotAllowed => f.write_str("the key's s= does not allow email"),
            Failure::KeyTooShort { bits, min } => write!(f, "RSA key of {bits} bits is shorter than {min}"),
            Failure::BodyHashMismatch => f.write_str("body hash did not verify"),
            Failure::SignatureMismatch => f.write_str("signature did not verify"),
            Failure::DnsTemporary(why) => write!(f, "key lookup failed: {why}"),
            Failure::WeakAlgorithm => f.write_str("rsa-sha1 is too weak (RFC 8301)"),
        }
    }
}

impl std::error::Error for Failure {}
