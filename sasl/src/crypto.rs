//! The few cryptographic primitives the mechanisms need, as infallible
//! helpers over the RustCrypto crates.

use hmac::digest::KeyInit;
use hmac::digest::generic_array::GenericArray;
use hmac::{Hmac, Mac};
use md5::Md5;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The HMAC block size of both SHA-256 and MD5.
const BLOCK: usize = 64;

/// Pads (or first hashes) an HMAC key to the block size, exactly as HMAC
/// itself does (RFC 2104 §2), so that keying cannot fail.
fn block_key<D: Digest>(key: &[u8]) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        let digest = D::digest(key);
        block[..digest.len()].copy_from_slice(&digest);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    block
}

/// HMAC-SHA-256 of the concatenation of `parts`.
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let block = block_key::<Sha256>(key);
    let mut mac = <Hmac<Sha256> as KeyInit>::new(GenericArray::from_slice(&block));
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// HMAC-MD5 (for CRAM-MD5).
pub(crate) fn hmac_md5(key: &[u8], data: &[u8]) -> [u8; 16] {
    let block = block_key::<Md5>(key);
    let mut mac = <Hmac<Md5> as KeyInit>::new(GenericArray::from_slice(&block));
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// SHA-256.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SCRAM's `Hi()`: PBKDF2-HMAC-SHA-256 with one output block.
pub(crate) fn salted_password(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    pbkdf2::pbkdf2_hmac_array::<Sha256, 32>(password, salt, iterations)
}

/// Constant-time equality of two byte strings (the lengths are not secret).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Standard padded base64, as SCRAM uses.
pub(crate) fn b64_encode(data: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(data)
}

/// Standard unpadded base64 (for nonces).
pub(crate) fn b64_encode_nopad(data: &[u8]) -> String {
    base64_simd::STANDARD_NO_PAD.encode_to_string(data)
}

/// Decodes standard padded base64; `None` if it is not valid.
pub(crate) fn b64_decode(text: &str) -> Option<Vec<u8>> {
    base64_simd::STANDARD.decode_to_vec(text.as_bytes()).ok()
}

/// Lower-case hex.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Decodes exactly 16 bytes of hex (either case).
pub(crate) fn hex_decode_16(text: &[u8]) -> Option<[u8; 16]> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    if text.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (o, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        *o = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case_1_and_long_keys() {
        // RFC 4231 test case 1.
        let mac = hmac_sha256(&[0x0b; 20], &[b"Hi There"]);
        assert_eq!(hex_lower(&mac), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        // RFC 4231 test case 6: a 131-byte key, hashed first.
        let mac = hmac_sha256(&[0xaa; 131], &[b"Test Using Larger Than Block-Size Key - Hash Key First"]);
        assert_eq!(hex_lower(&mac), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        // Split input gives the same MAC.
        assert_eq!(hmac_sha256(b"k", &[b"ab", b"c"]), hmac_sha256(b"k", &[b"abc"]));
    }

    #[test]
    fn hmac_md5_matches_rfc2104() {
        // RFC 2104 appendix, second test.
        let mac = hmac_md5(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex_lower(&mac), "750c783e6ab0b503eaa86e310a5db738");
    }

    #[test]
    fn hex_round_trip() {
        let bytes: [u8; 16] = *b"\x00\x01\x7f\x80\xffabcdefghijk";
        assert_eq!(hex_decode_16(hex_lower(&bytes).as_bytes()), Some(bytes));
        assert_eq!(hex_decode_16(b"0123"), None);
        assert_eq!(hex_decode_16(&[b'g'; 32]), None);
    }
}
