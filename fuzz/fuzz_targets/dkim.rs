//! DKIM-Signature values, key records and whole messages from the input.
//! Checks: no panic and bounded work for any signature or key record; a
//! message with arbitrary signatures always gets a result per signature
//! (at most the cap); a parsed signature's key name is the selector and
//! domain it read; a parsed key record's RSA size is 0 only for
//! Ed25519 or revoked keys.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire_auth::dkim::{KeyRecord, KeyType, Signature, Status, VerifyOptions, verify};
use mailwire_auth::dns::MemoryResolver;

fuzz_target!(|data: &[u8]| {
    // Input: signature value | key record | body (split on the first two
    // 0xFF bytes).
    let mut parts = data.splitn(3, |&b| b == 0xff);
    let sig = parts.next().unwrap_or_default();
    let record = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();

    if let Ok(s) = Signature::parse(sig) {
        assert_eq!(s.key_name(), format!("{}._domainkey.{}", s.selector, s.domain));
        assert!(s.headers.iter().any(|h| h.eq_ignore_ascii_case("from")));
    }
    if let Ok(k) = KeyRecord::parse(record) {
        assert!(k.bits > 0 || k.key_type == KeyType::Ed25519 || k.is_revoked());
    }

    // A message carrying the signature (several times), with the key
    // under the name the signature asks for.
    let mut message = Vec::new();
    for _ in 0..3 {
        message.extend_from_slice(b"DKIM-Signature: ");
        message.extend_from_slice(sig);
        message.extend_from_slice(b"\r\n");
    }
    message.extend_from_slice(b"From: a@example.com\r\nSubject: x\r\n\r\n");
    message.extend_from_slice(body);
    let mut zone = MemoryResolver::new();
    let name =
        Signature::parse(sig).map(|s| s.key_name()).unwrap_or_else(|_| "x._domainkey.example.com".into());
    zone.add_txt(&name, &[record]);
    let results = verify(&message, &zone, &VerifyOptions::at(1_700_000_000));
    assert!(!results.is_empty() && results.len() <= 10);
    for r in results {
        assert_eq!(r.status == Status::Pass, r.failure.is_none() || r.status == Status::None);
    }
});
