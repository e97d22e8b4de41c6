//! Verification (RFC 6376 §6), sans-IO: the verifier says which key
//! records it needs and is resumed with the answers.

use ring::signature::{
    ED25519, RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY, RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
    UnparsedPublicKey,
};

use super::canon::{self, BodyHasher};
use super::signature::Signature;
use super::{Algorithm, Canon, Failure, HashAlgorithm, KeyRecord, KeyType, Status};
use crate::dns::{Answer, Query, Resolver};

/// What the caller accepts of keys and algorithms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPolicy {
    /// RSA keys shorter than this fail (RFC 8301: 1024).
    pub min_rsa_bits: usize,
    /// RSA keys shorter than this pass with [`DkimResult::weak_key`] set
    /// (RFC 8301: signers use at least 2048).
    pub warn_rsa_bits: usize,
    /// Accept rsa-sha1 as `pass` (flagged weak) instead of `policy`.
    pub allow_sha1: bool,
}

impl Default for KeyPolicy {
    fn default() -> Self {
        KeyPolicy { min_rsa_bits: 1024, warn_rsa_bits: 2048, allow_sha1: false }
    }
}

/// How to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOptions {
    /// The time of the check, seconds since the epoch (for `x=`).
    pub now: u64,
    /// Key and algorithm policy.
    pub policy: KeyPolicy,
    /// Signatures evaluated at most (the rest are ignored: a message with
    /// thousands of signatures must not cost thousands of lookups).
    pub max_signatures: usize,
}

impl VerifyOptions {
    /// The defaults, checking at time `now`.
    pub fn at(now: u64) -> VerifyOptions {
        VerifyOptions { now, policy: KeyPolicy::default(), max_signatures: 10 }
    }
}

/// The result of one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DkimResult {
    /// The outcome.
    pub status: Status,
    /// Why it is not `pass`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_failure"))]
    pub failure: Option<Failure>,
    /// `d=`, if the signature got that far.
    pub domain: Option<String>,
    /// `s=`.
    pub selector: Option<String>,
    /// `i=` (or `@d`).
    pub identity: Option<String>,
    /// `a=`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_algorithm"))]
    pub algorithm: Option<Algorithm>,
    /// The first characters of `b=` (RFC 6008's `header.b`), to tell
    /// signatures apart.
    pub signature_prefix: Option<String>,
    /// With `l=`: body octets (canonical) signed, and in all; the rest was
    /// not signed and could have been added by anyone.
    pub body_length: Option<(u64, u64)>,
    /// The key is in testing mode (`t=y`): treat the message as if it were
    /// unsigned, whatever the status.
    pub testing: bool,
    /// The key or algorithm is weak (RSA under the policy's warning size,
    /// or rsa-sha1 accepted by policy).
    pub weak_key: bool,
}

#[cfg(feature = "serde")]
fn ser_failure<S: serde::Serializer>(f: &Option<Failure>, s: S) -> Result<S::Ok, S::Error> {
    match f {
        Some(f) => s.serialize_some(&f.to_string()),
        None => s.serialize_none(),
    }
}

#[cfg(feature = "serde")]
fn ser_algorithm<S: serde::Serializer>(a: &Option<Algorithm>, s: S) -> Result<S::Ok, S::Error> {
    match a {
        Some(a) => s.serialize_some(a.name()),
        None => s.serialize_none(),
    }
}

/// What a body hash depends on: canonicalisation, hash and `l=`.
type BodyKey = (Canon, HashAlgorithm, Option<u64>);

struct Pending {
    sig: Signature,
    /// The canonical header data the signature covers.
    signed: Vec<u8>,
    /// Which body hash (index into `hashers`).
    body: usize,
    key: Option<Result<KeyRecord, Failure>>,
}

/// One message's DKIM signatures being verified.
pub struct Verifier {
    sigs: Vec<Result<Pending, (Failure, Option<Signature>)>>,
    hashers: Vec<(BodyKey, Option<BodyHasher>)>,
    /// Finished body hashes: (hash, hashed, total).
    hashes: Vec<Option<(Vec<u8>, u64, u64)>>,
    options: VerifyOptions,
}

impl Verifier {
    /// Verifies a whole message.
    pub fn new(message: &[u8], options: VerifyOptions) -> Verifier {
        // One parse of the header serves both the fields and the split.
        let parsed = mailwire_mime::Message::parse_headers(message);
        let body = parsed.root().body_offset().min(message.len());
        let mut v = Verifier::from_fields(parsed.headers().as_slice(), options);
        v.update_body(&message[body..]);
        v
    }

    /// Starts with the header block (up to and including the empty line);
    /// the body follows through [`update_body`](Self::update_body), in
    /// chunks, as it arrives (an SMTP DATA stream).
    pub fn from_header(header: &[u8], options: VerifyOptions) -> Verifier {
        let parsed = mailwire_mime::Message::parse_headers(header);
        Verifier::from_fields(parsed.headers().as_slice(), options)
    }

    fn from_fields(fields: &[mailwire_mime::HeaderField<'_>], options: VerifyOptions) -> Verifier {
        let mut v = Verifier { sigs: Vec::new(), hashers: Vec::new(), hashes: Vec::new(), options };
        for (index, field) in fields.iter().enumerate().filter(|(_, f)| f.is("DKIM-Signature")) {
            if v.sigs.len() >= v.options.max_signatures {
                break;
            }
            let sig = match Signature::parse(field.raw_value()) {
                Ok(s) => s,
                Err(e) => {
                    v.sigs.push(Err((e, None)));
                    continue;
                }
            };
            // The header data: the h= fields bottom-up, then this field
            // with its b= value removed.
            let mut signed = Vec::with_capacity(1024);
            let mut used = vec![false; fields.len()];
            for name in &sig.headers {
                if let Some(i) =
                    (0..fields.len()).rev().find(|&i| !used[i] && i != index && fields[i].is(name))
                {
                    used[i] = true;
                    let f = &fields[i];
                    canon::header(sig.canon.0, f.name(), f.raw_field(), f.raw_value(), true, &mut signed);
                }
            }
            let (raw_field, raw_value) = without_b(field.raw_field(), field.raw_value());
            canon::header(sig.canon.0, field.name(), &raw_field, &raw_value, false, &mut signed);
            let key = (sig.canon.1, sig.algorithm.hash(), sig.length);
            let body = match v.hashers.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    v.hashers.push((key, Some(BodyHasher::new(key.0, key.1, key.2))));
                    v.hashes.push(None);
                    v.hashers.len() - 1
                }
            };
            v.sigs.push(Ok(Pending { sig, signed, body, key: None }));
        }
        v
    }

    /// The next chunk of the body.
    pub fn update_body(&mut self, chunk: &[u8]) {
        for (_, h) in &mut self.hashers {
            if let Some(h) = h {
                h.update(chunk);
            }
        }
    }

    /// The canonical header data signature `index` covers (the fields of
    /// its `h=` and itself without `b=`), for diagnosis; `None` when that
    /// signature could not be read.
    pub fn signed_data(&self, index: usize) -> Option<&[u8]> {
        self.sigs.get(index)?.as_ref().ok().map(|p| p.signed.as_slice())
    }

    /// The key records still needed (each name once).
    pub fn queries(&self) -> Vec<Query> {
        let mut out: Vec<Query> = Vec::new();
        for p in self.sigs.iter().flatten() {
            let q = Query::txt(p.sig.key_name());
            if p.key.is_none() && !out.contains(&q) {
                out.push(q);
            }
        }
        out
    }

    /// The resolver's answer to `query`.
    pub fn answer(&mut self, query: &Query, answer: &Answer) {
        let key = match answer {
            Answer::NotFound => Err(Failure::KeyNotFound),
            Answer::TempError(why) => Err(Failure::DnsTemporary(why.clone())),
            Answer::Records(records) => {
                let parsed: Vec<Result<KeyRecord, Failure>> =
                    records.iter().map(|r| KeyRecord::parse(r)).collect();
                match parsed.iter().find(|k| k.is_ok()) {
                    Some(Ok(k)) => Ok(k.clone()),
                    _ if parsed.len() == 1 => parsed.into_iter().next().unwrap_or(Err(Failure::KeyNotFound)),
                    _ if parsed.is_empty() => Err(Failure::KeyNotFound),
                    _ => Err(Failure::KeyRecordAmbiguous),
                }
            }
        };
        for p in self.sigs.iter_mut().flatten() {
            if p.key.is_none() && Query::txt(p.sig.key_name()) == *query {
                p.key = Some(key.clone());
            }
        }
    }

    /// One result per signature, in the order of the fields (`dkim=none`
    /// alone when there is none). Signatures whose key was never answered
    /// are `temperror`.
    pub fn results(&mut self) -> Vec<DkimResult> {
        for (i, (_, h)) in self.hashers.iter_mut().enumerate() {
            if let Some(h) = h.take() {
                self.hashes[i] = Some(h.finish());
            }
        }
        if self.sigs.is_empty() {
            return vec![DkimResult::none()];
        }
        (0..self.sigs.len()).map(|i| self.evaluate(i)).collect()
    }

    fn evaluate(&self, i: usize) -> DkimResult {
        let p = match &self.sigs[i] {
            Ok(p) => p,
            Err((f, sig)) => return DkimResult::failed(f.clone(), sig.as_ref()),
        };
        let sig = &p.sig;
        let mut result = DkimResult::failed(Failure::KeyNotFound, Some(sig));
        if let Some(x) = sig.expiration {
            if x < self.options.now {
                return with(&result, Failure::Expired { expiration: x, now: self.options.now });
            }
        }
        let key = match &p.key {
            None => return with(&result, Failure::DnsTemporary("no answer for the key record".into())),
            Some(Err(f)) => return with(&result, f.clone()),
            Some(Ok(k)) => k,
        };
        result.testing = key.testing;
        if key.is_revoked() {
            return with(&result, Failure::KeyRevoked);
        }
        if key.key_type != sig.algorithm.key_type() {
            return with(&result, Failure::KeyTypeMismatch);
        }
        if !key.hashes.is_empty() && !key.hashes.iter().any(|h| h == sig.algorithm.hash().name()) {
            return with(&result, Failure::HashNotAllowed);
        }
        if !key.services.iter().any(|s| s == "*" || s == "email") {
            return with(&result, Failure::ServiceNotAllowed);
        }
        if key.strict {
            let id_domain = sig.identity.rsplit_once('@').map_or("", |(_, d)| d);
            if !id_domain.eq_ignore_ascii_case(&sig.domain) {
                return with(&result, Failure::IdentityNotInDomain);
            }
        }
        let policy = &self.options.policy;
        if key.key_type == KeyType::Rsa && key.bits < policy.min_rsa_bits {
            return with(&result, Failure::KeyTooShort { bits: key.bits, min: policy.min_rsa_bits });
        }
        result.weak_key = key.key_type == KeyType::Rsa && key.bits < policy.warn_rsa_bits;
        let Some((hash, hashed, total)) = &self.hashes[p.body] else {
            return with(&result, Failure::BodyHashMismatch);
        };
        if let Some(l) = sig.length {
            if l > *total {
                return with(&result, Failure::Syntax { what: "l= no longer than the body" });
            }
            result.body_length = Some((*hashed, *total));
        }
        if *hash != sig.body_hash {
            return with(&result, Failure::BodyHashMismatch);
        }
        let ok = match sig.algorithm {
            Algorithm::RsaSha256 => {
                UnparsedPublicKey::new(&RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, &key.public_key)
                    .verify(&p.signed, &sig.signature)
                    .is_ok()
            }
            Algorithm::RsaSha1 => {
                UnparsedPublicKey::new(&RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY, &key.public_key)
                    .verify(&p.signed, &sig.signature)
                    .is_ok()
            }
            Algorithm::Ed25519Sha256 => {
                let digest = ring::digest::digest(&ring::digest::SHA256, &p.signed);
                UnparsedPublicKey::new(&ED25519, &key.public_key)
                    .verify(digest.as_ref(), &sig.signature)
                    .is_ok()
            }
        };
        if !ok {
            return with(&result, Failure::SignatureMismatch);
        }
        if sig.algorithm == Algorithm::RsaSha1 {
            if !policy.allow_sha1 {
                return with(&result, Failure::WeakAlgorithm);
            }
            result.weak_key = true;
        }
        DkimResult { status: Status::Pass, failure: None, ..result }
    }
}

/// `result` with `f` as its failure and status.
fn with(result: &DkimResult, f: Failure) -> DkimResult {
    DkimResult { status: f.status(), failure: Some(f), ..result.clone() }
}

impl DkimResult {
    /// `dkim=none`: the message has no signature.
    pub fn none() -> DkimResult {
        DkimResult {
            status: Status::None,
            failure: None,
            domain: None,
            selector: None,
            identity: None,
            algorithm: None,
            signature_prefix: None,
            body_length: None,
            testing: false,
            weak_key: false,
        }
    }

    fn failed(f: Failure, sig: Option<&Signature>) -> DkimResult {
        DkimResult {
            status: f.status(),
            domain: sig.map(|s| s.domain.clone()),
            selector: sig.map(|s| s.selector.clone()),
            identity: sig.map(|s| s.identity.clone()),
            algorithm: sig.map(|s| s.algorithm),
            signature_prefix: sig.map(|s| {
                let b = base64_simd::STANDARD.encode_to_string(&s.signature);
                b.chars().take(8).collect()
            }),
            failure: Some(f),
            ..DkimResult::none()
        }
    }
}

/// The field with the value of its `b=` tag removed (RFC 6376 §3.7: the
/// tag stays, `b=` with nothing after it up to the `;` or the end).
fn without_b(raw_field: &[u8], raw_value: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let value_start = raw_field.len() - raw_value.len() - line_end_len(raw_field);
    let mut value = raw_value.to_vec();
    let mut i = 0;
    let mut tag_start = 0;
    while i <= value.len() {
        if i == value.len() || value[i] == b';' {
            let spec = &value[tag_start..i];
            if let Some(eq) = spec.iter().position(|&b| b == b'=') {
                if super::tags::trim(&spec[..eq]) == b"b" {
                    value.drain(tag_start + eq + 1..i);
                    break;
                }
            }
            tag_start = i + 1;
        }
        i += 1;
    }
    let mut field = raw_field[..value_start].to_vec();
    field.extend_from_slice(&value);
    field.extend_from_slice(&raw_field[raw_field.len() - line_end_len(raw_field)..]);
    (field, value)
}

fn line_end_len(field: &[u8]) -> usize {
    if field.ends_with(b"\r\n") {
        2
    } else if field.ends_with(b"\n") {
        1
    } else {
        0
    }
}

/// Verifies every signature of `message`, asking `resolver` for the keys.
pub fn verify(message: &[u8], resolver: &dyn Resolver, options: &VerifyOptions) -> Vec<DkimResult> {
    let mut v = Verifier::new(message, options.clone());
    for q in v.queries() {
        let a = resolver.resolve(&q);
        v.answer(&q, &a);
    }
    v.results()
}
