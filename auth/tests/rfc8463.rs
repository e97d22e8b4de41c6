//! RFC 8463 appendix A (`../shared/corpus/auth/dkim/rfc8463-appendix-a`):
//! both signatures of the example verify, re-signing with the Ed25519 key
//! gives the published signature byte for byte, and changing a byte of the
//! header or the body makes both fail.

use std::path::PathBuf;

use mailwire_auth::dkim::{Canon, KeyPolicy, Signer, SigningKey, Status, Verifier, VerifyOptions, verify};
use mailwire_auth::dns::MemoryResolver;

fn corpus(test: &str) -> Option<PathBuf> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/auth/dkim/rfc8463-appendix-a");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test}: {} is missing, and CI=true", dir.display());
    }
    eprintln!("SKIP: {test}: {} is not there (the shared corpora); test not run", dir.display());
    None
}

/// The example's signatures are from 2018; verify at a time after them.
fn options() -> VerifyOptions {
    // The RSA key of the example is 1024 bits: accepted, flagged weak.
    VerifyOptions { policy: KeyPolicy::default(), ..VerifyOptions::at(1_600_000_000) }
}

#[test]
fn both_example_signatures_verify() {
    let Some(dir) = corpus("both_example_signatures_verify") else { return };
    let zone = MemoryResolver::from_zone_file(&std::fs::read_to_string(dir.join("zone")).unwrap()).unwrap();
    let signed = std::fs::read(dir.join("signed.eml")).unwrap();
    let results = verify(&signed, &zone, &options());
    assert_eq!(results.len(), 2);
    for r in &results {
        assert_eq!(r.status, Status::Pass, "{r:?}");
        assert_eq!(r.domain.as_deref(), Some("football.example.com"));
    }
    assert!(!results[0].weak_key, "Ed25519 is not weak");
    assert!(results[1].weak_key, "RSA-1024 is under the 2048-bit warning size");
    // A caller who wants 2048 bits: the RSA signature fails, with why.
    let strict =
        VerifyOptions { policy: KeyPolicy { min_rsa_bits: 2048, ..KeyPolicy::default() }, ..options() };
    let results = verify(&signed, &zone, &strict);
    assert_eq!(results[0].status, Status::Pass);
    assert_eq!(results[1].status, Status::Fail);
    assert_eq!(results[1].failure, Some(mailwire_auth::dkim::Failure::KeyTooShort { bits: 1024, min: 2048 }));

    // One changed byte in a signed header, then in the body.
    let header = String::from_utf8(signed.clone()).unwrap().replace("Is dinner ready?", "Is dinner ready!");
    let body = String::from_utf8(signed).unwrap().replace("hungry yet?", "hungry yet!");
    for (what, message) in [("header", header), ("body", body)] {
        let results = verify(message.as_bytes(), &zone, &options());
        assert!(results.iter().all(|r| r.status == Status::Fail), "{what}: {results:?}");
    }
}

#[test]
fn ed25519_resigning_reproduces_the_published_signature() {
    let Some(dir) = corpus("ed25519_resigning_reproduces_the_published_signature") else { return };
    let seed_b64 = std::fs::read_to_string(dir.join("brisbane.ed25519.seed.b64")).unwrap();
    let seed = base64_simd::STANDARD.decode_to_vec(seed_b64.trim()).unwrap();
    let key = SigningKey::ed25519_from_seed(&seed).unwrap();
    // The key's public half is the published p=.
    assert!(key.key_record().ends_with("p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="));
    // Our canonical data for the published Ed25519 signature, signed with
    // the published key, is the published b= (Ed25519 is deterministic).
    let signed = std::fs::read(dir.join("signed.eml")).unwrap();
    let v = Verifier::new(&signed, options());
    let b = key.sign_raw(v.signed_data(0).unwrap(), None).unwrap();
    assert_eq!(
        base64_simd::STANDARD.encode_to_string(&b),
        "9/dsDChY0YMTtD5Eyw3wx7x22BlSJP7M5ECbJ7GWrR45nXlTCGb8l0YBo0wBLR++X5LqmsxXaOYLLJe46l10AQ=="
    );
    // Signing the unsigned message ourselves, with the same choices: the
    // body hash is the published one, and the result verifies.
    let message = std::fs::read(dir.join("message.eml")).unwrap();
    let signer = Signer::new(key, "football.example.com", "brisbane")
        .with_canonicalization(Canon::Simple, Canon::Simple)
        .with_identity("@football.example.com")
        .with_timestamp(1_518_460_054)
        .with_headers(["from", "to", "subject", "date", "message-id", "from", "subject", "date"]);
    let field = signer.sign(&message, None).unwrap();
    assert!(field.contains("bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ="), "{field}");
    let zone = MemoryResolver::from_zone_file(&std::fs::read_to_string(dir.join("zone")).unwrap()).unwrap();
    let ours = [field.as_bytes(), &message].concat();
    assert_eq!(verify(&ours, &zone, &options())[0].status, Status::Pass);
}

/// dkimpy's RSA-2048 test key (ring refuses to sign with RSA keys under
/// 2048 bits, as RFC 8301 advises): every canonicalisation pair signs and
/// verifies, with the key published as SubjectPublicKeyInfo.
#[test]
fn rsa_signing_in_every_canonicalisation_verifies() {
    let Some(dir) = corpus("rsa_signing_in_every_canonicalisation_verifies") else { return };
    let dkimpy = dir.join("../dkimpy-1.1.8/data");
    let message = std::fs::read(dir.join("message.eml")).unwrap();
    let rng = mailwire_auth::SystemRandom::new();
    for pem in ["2048_testkey.key", "2048_testkey_PKCS8.key"] {
        let key = SigningKey::from_pem(&std::fs::read(dkimpy.join(pem)).unwrap()).unwrap();
        let mut zone = MemoryResolver::new();
        zone.add_txt("test._domainkey.football.example.com", &[key.key_record().as_bytes()]);
        let pairs = [
            (Canon::Simple, Canon::Simple),
            (Canon::Relaxed, Canon::Relaxed),
            (Canon::Simple, Canon::Relaxed),
            (Canon::Relaxed, Canon::Simple),
        ];
        for (h, b) in pairs {
            let key = SigningKey::from_pem(&std::fs::read(dkimpy.join(pem)).unwrap()).unwrap();
            let signer = Signer::new(key, "football.example.com", "test")
                .with_canonicalization(h, b)
                .with_timestamp(1_527_915_362);
            let field = signer.sign(&message, Some(&rng)).unwrap();
            let signed = [field.as_bytes(), &message].concat();
            let r = &verify(&signed, &zone, &options())[0];
            assert_eq!(r.status, Status::Pass, "{pem} {h:?}/{b:?}: {r:?}\n{field}");
            assert!(!r.weak_key);
        }
    }
}
