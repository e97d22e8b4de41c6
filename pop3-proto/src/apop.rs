//! APOP (RFC 1939 §7): the client proves it knows the shared secret by
//! sending MD5(timestamp ‖ secret), the timestamp being the one in the
//! server's greeting. MD5 is weak and the server must keep the secret in
//! the clear; APOP is offered here because old servers have nothing
//! better, and SASL (SCRAM) is preferred whenever it is offered.
//!
//! ```
//! use mailwire_pop3::apop;
//!
//! // RFC 1939's own example.
//! let digest = apop::digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf");
//! assert_eq!(digest, "c4c9334bac560ecc979e58001b3e22fb");
//! assert!(apop::verify("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf", &digest));
//! assert!(!apop::verify("<1896.697170952@dbc.mtview.ca.us>", "wrong", &digest));
//! ```

use md5::{Digest, Md5};
use subtle::ConstantTimeEq;

/// The APOP digest: 32 lowercase hex digits.
pub fn digest(timestamp: &str, secret: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(timestamp.as_bytes());
    md5.update(secret.as_bytes());
    let hash = md5.finalize();
    let mut hex = String::with_capacity(32);
    for b in hash {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 15)]));
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Whether `given` (hex, either case) is the digest of `timestamp` and
/// `secret`, compared in constant time.
pub fn verify(timestamp: &str, secret: &str, given: &str) -> bool {
    let expected = digest(timestamp, secret);
    let given = given.to_ascii_lowercase();
    expected.len() == given.len() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// A greeting timestamp, `<random.time@host>`, from the caller's
/// randomness and clock (sans-IO: neither is read here). RFC 1939 asks
/// that it differ for every greeting.
pub fn timestamp(random: u64, unix_time: u64, host: &str) -> String {
    format!("<{random:x}.{unix_time}@{host}>")
}
