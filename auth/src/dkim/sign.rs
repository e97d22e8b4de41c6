//! Signing (RFC 6376 §5, RFC 8463): keys from PEM or an Ed25519 seed, the
//! header fields chosen and over-signed, the DKIM-Signature written.
//! Nothing here reads a clock or draws randomness of its own: the time is
//! given ([`Signer::with_timestamp`]) and RSA's blinding uses the RNG the
//! caller passes.

use std::fmt;

use ring::rand::SecureRandom;
use ring::signature::{Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;

use super::canon::{self, BodyHasher};
use super::signature::encode_qp;
use super::{Algorithm, Canon, HashAlgorithm};

/// The header fields signed by default, in this order; those present are
/// signed once per occurrence, and `From`, `To`, `Cc`, `Subject`, `Date`,
/// `Reply-To` and `Message-ID` once more (over-signing: a field added
/// later, even one that was absent, breaks the signature).
pub const DEFAULT_HEADERS: &[&str] = &[
    "From",
    "Reply-To",
    "Subject",
    "Date",
    "To",
    "Cc",
    "Message-ID",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Content-Disposition",
    "Sender",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "Feedback-ID",
];

const OVERSIGNED: &[&str] = &["From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID"];

/// A private key to sign with.
pub struct SigningKey {
    inner: Inner,
}

enum Inner {
    Rsa(Box<RsaKeyPair>),
    Ed25519(Box<Ed25519KeyPair>),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Rsa(k) => write!(f, "SigningKey(RSA, {} bits)", k.public().modulus_len() * 8),
            Inner::Ed25519(_) => f.write_str("SigningKey(Ed25519)"),
        }
    }
}

impl SigningKey {
    /// A key from PEM: RSA as PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8,
    /// Ed25519 as PKCS#8 (`BEGIN PRIVATE KEY`, what `openssl genpkey
    /// -algorithm ed25519` writes).
    pub fn from_pem(pem: &[u8]) -> Result<SigningKey, SignError> {
        let der = PrivateKeyDer::from_pem_slice(pem).map_err(|e| SignError::Key(format!("PEM: {e}")))?;
        match der {
            PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der())
                .map(|k| SigningKey { inner: Inner::Rsa(Box::new(k)) })
                .map_err(|e| SignError::Key(format!("RSA key: {e}"))),
            PrivateKeyDer::Pkcs8(k) => {
                let der = k.secret_pkcs8_der();
                let rsa = match RsaKeyPair::from_pkcs8(der) {
                    Ok(rsa) => return Ok(SigningKey { inner: Inner::Rsa(Box::new(rsa)) }),
                    Err(e) => e,
                };
                Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
                    .map(|k| SigningKey { inner: Inner::Ed25519(Box::new(k)) })
                    .map_err(|ed| {
                        // Say what the RSA reading found when the key is
                        // RSA (ring signs with 2048 bits or more only).
                        if ed.to_string().contains("WrongAlgorithm") {
                            SignError::Key(format!("RSA key: {rsa}"))
                        } else {
                            SignError::Key(format!("PKCS#8 key is neither RSA ({rsa}) nor Ed25519 ({ed})"))
                        }
                    })
            }
            _ => Err(SignError::Key("only RSA and Ed25519 keys sign DKIM".into())),
        }
    }

    /// An Ed25519 key from its 32-byte seed (RFC 8463 publishes keys so).
    pub fn ed25519_from_seed(seed: &[u8]) -> Result<SigningKey, SignError> {
        Ed25519KeyPair::from_seed_unchecked(seed)
            .map(|k| SigningKey { inner: Inner::Ed25519(Box::new(k)) })
            .map_err(|e| SignError::Key(format!("Ed25519 seed: {e}")))
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        match self.inner {
            Inner::Rsa(_) => Algorithm::RsaSha256,
            Inner::Ed25519(_) => Algorithm::Ed25519Sha256,
        }
    }

    /// The key record to publish at `selector._domainkey.domain`.
    pub fn key_record(&self) -> String {
        match &self.inner {
            Inner::Rsa(k) => {
                let spki = rsa_spki(k.public().as_ref());
                format!("v=DKIM1; k=rsa; p={}", base64_simd::STANDARD.encode_to_string(spki))
            }
            Inner::Ed25519(k) => {
                format!(
                    "v=DKIM1; k=ed25519; p={}",
                    base64_simd::STANDARD.encode_to_string(k.public_key().as_ref())
                )
            }
        }
    }

    /// Signs already-canonicalised header data (what a DKIM signature
    /// covers, e.g. from [`Verifier::signed_data`](super::Verifier::signed_data)):
    /// RSASSA-PKCS1-v1_5 with SHA-256, or Ed25519 over its SHA-256 (RFC
    /// 8463 §3). For re-signing and for checking test vectors.
    pub fn sign_raw(&self, data: &[u8], rng: Option<&dyn SecureRandom>) -> Result<Vec<u8>, SignError> {
        self.sign(data, rng)
    }

    fn sign(&self, data: &[u8], rng: Option<&dyn SecureRandom>) -> Result<Vec<u8>, SignError> {
        match &self.inner {
            Inner::Rsa(k) => {
                let rng = rng.ok_or(SignError::NeedsRandom)?;
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(&RSA_PKCS1_SHA256, rng, data, &mut sig).map_err(|_| SignError::Crypto)?;
                Ok(sig)
            }
            Inner::Ed25519(k) => {
                // RFC 8463 §3: Ed25519 signs the SHA-256 of the data.
                let digest = ring::digest::digest(&ring::digest::SHA256, data);
                Ok(k.sign(digest.as_ref()).as_ref().to_vec())
            }
        }
    }
}

/// The SubjectPublicKeyInfo DER of an RSAPublicKey.
fn rsa_spki(pkcs1: &[u8]) -> Vec<u8> {
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes: Vec<u8> = len.to_be_bytes().iter().copied().skip_while(|&b| b == 0).collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend(bytes);
        }
        out.extend_from_slice(content);
        out
    }
    let alg = tlv(0x30, &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00]);
    let bits = tlv(0x03, &[&[0u8][..], pkcs1].concat());
    tlv(0x30, &[alg, bits].concat())
}

/// Why a message could not be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// The key could not be read.
    Key(String),
    /// RSA signing needs the caller's RNG (for blinding); none was given.
    NeedsRandom,
    /// The message has no From field (RFC 6376 §5.4 requires signing it).
    NoFrom,
    /// The signing itself failed.
    Crypto,
    /// An option is invalid (what).
    Invalid(&'static str),
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::Key(e) => write!(f, "signing key: {e}"),
            SignError::NeedsRandom => f.write_str("RSA signing needs an RNG (pass ring's SystemRandom)"),
            SignError::NoFrom => f.write_str("the message has no From field"),
            SignError::Crypto => f.write_str("the signature could not be computed"),
            SignError::Invalid(what) => write!(f, "invalid option: {what}"),
        }
    }
}

impl std::error::Error for SignError {}

/// Signs messages for one domain and selector.
#[derive(Debug)]
pub struct Signer {
    key: SigningKey,
    domain: String,
    selector: String,
    canon: (Canon, Canon),
    headers: Option<Vec<String>>,
    identity: Option<String>,
    timestamp: Option<u64>,
    expiration: Option<u64>,
    body_length: bool,
    copy_headers: bool,
}

impl Signer {
    /// A signer with the defaults: relaxed/relaxed, [`DEFAULT_HEADERS`]
    /// over-signed, no `l=`, no `t=` unless given.
    pub fn new(key: SigningKey, domain: impl Into<String>, selector: impl Into<String>) -> Signer {
        Signer {
            key,
            domain: domain.into(),
            selector: selector.into(),
            canon: (Canon::Relaxed, Canon::Relaxed),
            headers: None,
            identity: None,
            timestamp: None,
            expiration: None,
            body_length: false,
            copy_headers: false,
        }
    }

    /// Header and body canonicalisation.
    pub fn with_canonicalization(mut self, header: Canon, body: Canon) -> Signer {
        self.canon = (header, body);
        self
    }

    /// Exactly these header field names in `h=` (in order, repeated
    /// names sign more instances; a name with no field over-signs it).
    pub fn with_headers<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Signer {
        self.headers = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// `i=`: the identity signed for (within the domain).
    pub fn with_identity(mut self, identity: impl Into<String>) -> Signer {
        self.identity = Some(identity.into());
        self
    }

    /// `t=`: the signing time (seconds since the epoch).
    pub fn with_timestamp(mut self, t: u64) -> Signer {
        self.timestamp = Some(t);
        self
    }

    /// `x=`: the expiry (seconds since the epoch).
    pub fn with_expiration(mut self, x: u64) -> Signer {
        self.expiration = Some(x);
        self
    }

    /// `l=`: sign the body length (off by default: it lets anyone append
    /// to the body).
    pub fn with_body_length(mut self, on: bool) -> Signer {
        self.body_length = on;
        self
    }

    /// `z=`: copy the signed header fields into the signature (for
    /// diagnosis).
    pub fn with_copied_headers(mut self, on: bool) -> Signer {
        self.copy_headers = on;
        self
    }

    /// A body hasher to stream the body through (see
    /// [`Signer::sign_with_body`]).
    pub fn body_hasher(&self) -> BodyHasher {
        BodyHasher::new(self.canon.1, HashAlgorithm::Sha256, None)
    }

    /// Signs a whole message; returns the `DKIM-Signature:` field to put
    /// on top of it (CRLF-terminated). `rng` is needed for RSA keys.
    pub fn sign(&self, message: &[u8], rng: Option<&dyn SecureRandom>) -> Result<String, SignError> {
        // One parse of the header serves both the fields and the split.
        let parsed = mailwire_mime::Message::parse_headers(message);
        let body = parsed.root().body_offset().min(message.len());
        let mut hasher = self.body_hasher();
        hasher.update(&message[body..]);
        self.sign_fields(parsed.headers().as_slice(), hasher, rng)
    }

    /// Signs a message whose body went through `body` (streamed), with
    /// `header` its header block.
    pub fn sign_with_body(
        &self,
        header: &[u8],
        body: BodyHasher,
        rng: Option<&dyn SecureRandom>,
    ) -> Result<String, SignError> {
        let parsed = mailwire_mime::Message::parse_headers(header);
        self.sign_fields(parsed.headers().as_slice(), body, rng)
    }

    fn sign_fields(
        &self,
        fields: &[mailwire_mime::HeaderField<'_>],
        body: BodyHasher,
        rng: Option<&dyn SecureRandom>,
    ) -> Result<String, SignError> {
        if !super::signature::is_subdomain(
            self.identity.as_deref().and_then(|i| i.rsplit_once('@')).map_or(&self.domain, |(_, d)| d),
            &self.domain,
        ) {
            return Err(SignError::Invalid("i= must be within d="));
        }
        if let (Some(t), Some(x)) = (self.timestamp, self.expiration) {
            if x < t {
                return Err(SignError::Invalid("x= before t="));
            }
        }
        let (bh, signed_len, _) = body.finish();
        if !fields.iter().any(|f| f.is("From")) {
            return Err(SignError::NoFrom);
        }
        let names: Vec<String> = match &self.headers {
            Some(h) => h.clone(),
            None => {
                let mut names = Vec::new();
                for &name in DEFAULT_HEADERS {
                    let count = fields.iter().filter(|f| f.is(name)).count();
                    let extra = usize::from(OVERSIGNED.contains(&name));
                    names.extend(std::iter::repeat_n(name.to_string(), count + extra));
                }
                names
            }
        };
        if !names.iter().any(|n| n.eq_ignore_ascii_case("from")) {
            return Err(SignError::Invalid("h= must include From"));
        }
        // The data: each named field, the last unused instance first.
        let mut data = Vec::with_capacity(fields.iter().map(|f| f.raw_field().len()).sum::<usize>() + 512);
        let mut used = vec![false; fields.len()];
        let mut copied = Vec::new();
        for name in &names {
            if let Some(i) = (0..fields.len()).rev().find(|&i| !used[i] && fields[i].is(name)) {
                used[i] = true;
                let f = &fields[i];
                canon::header(self.canon.0, f.name(), f.raw_field(), f.raw_value(), true, &mut data);
                if self.copy_headers {
                    let value =
                        String::from_utf8_lossy(&mailwire_mime::header::unfold(f.raw_value())).into_owned();
                    copied.push(encode_qp(&format!("{}:{}", f.name(), value)));
                }
            }
        }
        // The signature field with b= empty.
        let mut sig = format!(
            "DKIM-Signature: v=1; a={}; c={}/{}; d={}; s={};",
            self.key.algorithm().name(),
            self.canon.0.name(),
            self.canon.1.name(),
            self.domain,
            self.selector
        );
        let mut tail = Vec::new();
        if let Some(t) = self.timestamp {
            tail.push(format!("t={t};"));
        }
        if let Some(x) = self.expiration {
            tail.push(format!("x={x};"));
        }
        if let Some(i) = &self.identity {
            tail.push(format!("i={};", encode_qp(i)));
        }
        if self.body_length {
            tail.push(format!("l={signed_len};"));
        }
        tail.push(format!("h={};", names.join(":")));
        if !copied.is_empty() {
            tail.push(format!("z={};", copied.join("|")));
        }
        tail.push(format!("bh={};", base64_simd::STANDARD.encode_to_string(&bh)));
        let mut column = sig.len();
        for t in tail {
            if column + t.len() + 1 > 78 {
                sig.push_str("\r\n\t");
                column = 8;
            } else {
                sig.push(' ');
                column += 1;
            }
            sig.push_str(&t);
            column += t.len();
        }
        sig.push_str("\r\n\tb=");
        let value_start = "DKIM-Signature:".len();
        canon::header(
            self.canon.0,
            "DKIM-Signature",
            sig.as_bytes(),
            &sig.as_bytes()[value_start..],
            false,
            &mut data,
        );
        let b = base64_simd::STANDARD.encode_to_string(self.key.sign(&data, rng)?);
        // Fold b= at 72 columns (white space inside b= is ignored).
        let mut first = true;
        for chunk in b.as_bytes().chunks(70) {
            if !first {
                sig.push_str("\r\n\t ");
            }
            first = false;
            sig.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        }
        sig.push_str("\r\n");
        Ok(sig)
    }
}
