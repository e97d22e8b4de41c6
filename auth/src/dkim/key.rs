//! DKIM key records (RFC 6376 §3.6.1, RFC 8463): `v=DKIM1; k=rsa; p=…`
//! read from the TXT record at `selector._domainkey.domain`.

use super::tags::{self, base64};
use super::{Failure, KeyType};

/// A parsed key record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// `k=`: the key type (default rsa).
    pub key_type: KeyType,
    /// `h=`: the hash algorithms allowed (empty: all).
    pub hashes: Vec<String>,
    /// `s=`: the service types (default `*`).
    pub services: Vec<String>,
    /// `t=y`: the domain is testing DKIM; verifiers must not treat the
    /// result differently from unsigned mail.
    pub testing: bool,
    /// `t=s`: `i=` must be in `d=` exactly, not in a subdomain.
    pub strict: bool,
    /// `p=`: the public key, in the form `ring` verifies: the RSA key as a
    /// PKCS#1 RSAPublicKey, the Ed25519 key as its 32 bytes. Empty when the
    /// key was revoked (`p=`).
    pub public_key: Vec<u8>,
    /// The RSA modulus length in bits (0 for Ed25519).
    pub bits: usize,
}

impl KeyRecord {
    /// Parses a key record (the TXT strings already joined).
    pub fn parse(record: &[u8]) -> Result<KeyRecord, Failure> {
        let tags = tags::parse(record)?;
        if let Some(pos) = tags.iter().position(|(n, _)| *n == "v") {
            // v= must come first and be DKIM1.
            if pos != 0 || tags[pos].1 != b"DKIM1" {
                return Err(Failure::KeyVersion);
            }
        }
        let get = |name: &str| tags.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        let list = |v: Option<&[u8]>| -> Vec<String> {
            v.map(|v| {
                String::from_utf8_lossy(v)
                    .split(':')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
        };
        let key_type = match get("k").map(tags::trim) {
            None | Some(b"rsa") => KeyType::Rsa,
            Some(b"ed25519") => KeyType::Ed25519,
            Some(other) => return Err(Failure::UnknownKeyType(String::from_utf8_lossy(other).into_owned())),
        };
        let hashes = list(get("h"));
        let services = list(get("s"));
        let flags = list(get("t"));
        let p = get("p").ok_or(Failure::MissingTag("p"))?;
        let raw = base64(p, "p=")?;
        let (public_key, bits) = if raw.is_empty() {
            (Vec::new(), 0)
        } else {
            match key_type {
                KeyType::Rsa => rsa_public_key(&raw)?,
                KeyType::Ed25519 => {
                    if raw.len() != 32 {
                        return Err(Failure::BadKey("an Ed25519 key is 32 bytes"));
                    }
                    (raw, 0)
                }
            }
        };
        Ok(KeyRecord {
            key_type,
            hashes,
            services: if services.is_empty() { vec!["*".into()] } else { services },
            testing: flags.iter().any(|f| f == "y"),
            strict: flags.iter().any(|f| f == "s"),
            public_key,
            bits,
        })
    }

    /// Whether the key was revoked (`p=` empty).
    pub fn is_revoked(&self) -> bool {
        self.public_key.is_empty()
    }
}

/// A DER element: (tag, content, rest).
fn der(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&len0, rest) = rest.split_first()?;
    let (len, rest) = if len0 < 0x80 {
        (len0 as usize, rest)
    } else {
        let n = (len0 & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, &b| (a << 8) | b as usize);
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// The RSA key of `p=`: SubjectPublicKeyInfo (what RFC 6376 says) or a
/// bare RSAPublicKey (what some signers publish). Returns the
/// RSAPublicKey DER and the modulus length in bits.
fn rsa_public_key(raw: &[u8]) -> Result<(Vec<u8>, usize), Failure> {
    const RSA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    let bad = Failure::BadKey("not an RSA SubjectPublicKeyInfo or RSAPublicKey");
    let (tag, outer, _) = der(raw).ok_or(bad.clone())?;
    if tag != 0x30 {
        return Err(bad);
    }
    let (first_tag, first, rest) = der(outer).ok_or(bad.clone())?;
    let rsa_public_key: &[u8] = if first_tag == 0x30 {
        // SPKI: AlgorithmIdentifier, then the key in a BIT STRING.
        let (oid_tag, oid, _) = der(first).ok_or(bad.clone())?;
        if oid_tag != 0x06 || oid != RSA_OID {
            return Err(Failure::BadKey("the key is not an RSA key"));
        }
        let (bs_tag, bits, _) = der(rest).ok_or(bad.clone())?;
        if bs_tag != 0x03 || bits.first() != Some(&0) {
            return Err(bad);
        }
        &bits[1..]
    } else {
        raw
    };
    // RSAPublicKey: SEQUENCE { INTEGER n, INTEGER e }.
    let (tag, seq, _) = der(rsa_public_key).ok_or(bad.clone())?;
    let (ntag, n, rest) = der(seq).ok_or(bad.clone())?;
    let (etag, _, _) = der(rest).ok_or(bad.clone())?;
    if tag != 0x30 || ntag != 0x02 || etag != 0x02 {
        return Err(bad);
    }
    let n = match n.iter().position(|&b| b != 0) {
        Some(start) => &n[start..],
        None => return Err(bad),
    };
    let bits = n.len() * 8 - n[0].leading_zeros() as usize;
    Ok((rsa_public_key.to_vec(), bits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records() {
        let ed =
            KeyRecord::parse(b"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=").unwrap();
        assert_eq!(ed.key_type, KeyType::Ed25519);
        assert_eq!(ed.public_key.len(), 32);
        let revoked = KeyRecord::parse(b"v=DKIM1; p=").unwrap();
        assert!(revoked.is_revoked());
        assert_eq!(KeyRecord::parse(b"k=rsa; v=DKIM1; p=").unwrap_err(), Failure::KeyVersion);
        assert_eq!(KeyRecord::parse(b"v=DKIM1").unwrap_err(), Failure::MissingTag("p"));
        assert!(matches!(KeyRecord::parse(b"k=dsa; p=AAAA"), Err(Failure::UnknownKeyType(_))));
        assert!(matches!(KeyRecord::parse(b"k=ed25519; p=AAAA"), Err(Failure::BadKey(_))));
        assert!(matches!(KeyRecord::parse(b"p=AAAA"), Err(Failure::BadKey(_))));
        let t = KeyRecord::parse(b"t=y:s; s=email; h=sha256; p=").unwrap();
        assert!(t.testing && t.strict);
        assert_eq!(t.services, ["email"]);
    }
}
