//! Verification outcomes one by one: every way a signature can fail or
//! be refused gives the status RFC 6376 / RFC 8601 ask, with its reason;
//! several signatures are evaluated independently; the body can stream;
//! malformed signatures and key records never panic.

use mailwire_auth::dkim::{
    BodyHasher, Canon, Failure, HashAlgorithm, Signer, SigningKey, Status, Verifier, VerifyOptions, verify,
};
use mailwire_auth::dns::{Answer, MemoryResolver, Query};
use proptest::prelude::*;

const SEED: [u8; 32] = [7; 32];
const MESSAGE: &[u8] = b"From: Ann <ann@example.com>\r\nTo: bob@example.org\r\nSubject: test\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nHello Bob.\r\n\r\n";

fn key() -> SigningKey {
    SigningKey::ed25519_from_seed(&SEED).unwrap()
}

fn zone_with(record: &str) -> MemoryResolver {
    let mut z = MemoryResolver::new();
    z.add_txt("sel._domainkey.example.com", &[record.as_bytes()]);
    z
}

fn good_zone() -> MemoryResolver {
    zone_with(&key().key_record())
}

fn sign(signer: Signer, message: &[u8]) -> Vec<u8> {
    [signer.sign(message, None).unwrap().as_bytes(), message].concat()
}

fn signer() -> Signer {
    Signer::new(key(), "example.com", "sel").with_timestamp(1_000)
}

fn one(message: &[u8], zone: &MemoryResolver, now: u64) -> mailwire_auth::dkim::DkimResult {
    verify(message, zone, &VerifyOptions::at(now)).remove(0)
}

#[test]
fn pass_and_the_ways_to_fail() {
    let signed = sign(signer(), MESSAGE);
    assert_eq!(one(&signed, &good_zone(), 2_000).status, Status::Pass);

    let cases: Vec<(&str, MemoryResolver, Status, Failure)> = vec![
        ("revoked", zone_with("v=DKIM1; k=ed25519; p="), Status::PermError, Failure::KeyRevoked),
        ("rsa key for ed25519", zone_with("v=DKIM1; k=rsa; p="), Status::PermError, Failure::KeyRevoked),
        ("no key", MemoryResolver::new(), Status::PermError, Failure::KeyNotFound),
        ("bad version", zone_with("v=DKIM2; p=AAAA"), Status::PermError, Failure::KeyVersion),
        (
            "wrong hash",
            zone_with(&format!("{}; h=sha1", key().key_record())),
            Status::PermError,
            Failure::HashNotAllowed,
        ),
        (
            "wrong service",
            zone_with(&format!("{}; s=tlsrpt", key().key_record())),
            Status::PermError,
            Failure::ServiceNotAllowed,
        ),
        (
            "another key",
            zone_with(&SigningKey::ed25519_from_seed(&[9; 32]).unwrap().key_record()),
            Status::Fail,
            Failure::SignatureMismatch,
        ),
    ];
    for (name, zone, status, failure) in cases {
        let r = one(&signed, &zone, 2_000);
        assert_eq!((r.status, r.failure), (status, Some(failure)), "{name}");
        assert_eq!(r.domain.as_deref(), Some("example.com"), "{name}");
    }
    let mut temp = MemoryResolver::new();
    temp.fail("sel._domainkey.example.com", "SERVFAIL");
    let r = one(&signed, &temp, 2_000);
    assert_eq!(r.status, Status::TempError);
    assert_eq!(r.failure, Some(Failure::DnsTemporary("SERVFAIL".into())));

    // Testing mode is reported, not hidden.
    let testing = one(&signed, &zone_with(&format!("{}; t=y", key().key_record())), 2_000);
    assert_eq!(testing.status, Status::Pass);
    assert!(testing.testing);
}

#[test]
fn expiry_and_strict_identity() {
    let signed = sign(signer().with_expiration(1_500), MESSAGE);
    assert_eq!(one(&signed, &good_zone(), 1_400).status, Status::Pass);
    let late = one(&signed, &good_zone(), 1_600);
    assert_eq!(late.failure, Some(Failure::Expired { expiration: 1_500, now: 1_600 }));
    assert_eq!(late.status, Status::PermError);
    // t=s: i= must be in d= exactly.
    let sub = sign(signer().with_identity("ann@mail.example.com"), MESSAGE);
    assert_eq!(one(&sub, &good_zone(), 2_000).status, Status::Pass);
    let strict = zone_with(&format!("{}; t=s", key().key_record()));
    assert_eq!(one(&sub, &strict, 2_000).failure, Some(Failure::IdentityNotInDomain));
}

#[test]
fn changes_break_it_and_l_says_how_much_was_signed() {
    let signed = sign(signer(), MESSAGE);
    let changed_body = [&signed[..], b"PS: added\r\n"].concat();
    assert_eq!(one(&changed_body, &good_zone(), 2_000).failure, Some(Failure::BodyHashMismatch));
    let s = String::from_utf8(signed.clone()).unwrap();
    let added_header = s.replacen("Subject: test\r\n", "Subject: test\r\nSubject: buy now\r\n", 1);
    assert_eq!(one(added_header.as_bytes(), &good_zone(), 2_000).failure, Some(Failure::SignatureMismatch));
    // Over-signed Reply-To: adding one, absent when signed, breaks it.
    let reply_to = s.replacen("To: bob", "Reply-To: evil@example.net\r\nTo: bob", 1);
    assert_eq!(one(reply_to.as_bytes(), &good_zone(), 2_000).status, Status::Fail);
    // Relaxed: refolding and case changes do not matter.
    let refolded = s.replacen("Subject: test", "subject:   test ", 1);
    assert_eq!(one(refolded.as_bytes(), &good_zone(), 2_000).status, Status::Pass);

    let with_l = sign(signer().with_body_length(true), MESSAGE);
    let appended = [&with_l[..], b"Unsigned text.\r\n"].concat();
    let r = one(&appended, &good_zone(), 2_000);
    assert_eq!(r.status, Status::Pass);
    assert_eq!(r.body_length, Some((12, 30)), "l= covers 12 canonical octets of 30");
    // l= longer than the body left: permerror.
    let cut = &with_l[..with_l.len() - 6];
    assert_eq!(one(cut, &good_zone(), 2_000).status, Status::PermError);
}

#[test]
fn signatures_are_evaluated_independently() {
    let first = sign(signer(), MESSAGE);
    let other = Signer::new(SigningKey::ed25519_from_seed(&[3; 32]).unwrap(), "example.net", "s2");
    let both = sign(other, &first);
    let mut zone = good_zone();
    // example.net's key is missing: its signature is permerror, ours still
    // passes.
    let results = verify(&both, &zone, &VerifyOptions::at(2_000));
    assert_eq!(results.iter().map(|r| r.status).collect::<Vec<_>>(), [Status::PermError, Status::Pass]);
    zone.add_txt(
        "s2._domainkey.example.net",
        &[SigningKey::ed25519_from_seed(&[3; 32]).unwrap().key_record().as_bytes()],
    );
    let results = verify(&both, &zone, &VerifyOptions::at(2_000));
    assert!(results.iter().all(|r| r.status == Status::Pass));
    // No signature at all: dkim=none.
    assert_eq!(one(MESSAGE, &zone, 2_000).status, Status::None);
}

#[test]
fn the_sans_io_exchange_and_streaming() {
    let signed = sign(signer().with_canonicalization(Canon::Simple, Canon::Relaxed), MESSAGE);
    let split = signed.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let mut v = Verifier::from_header(&signed[..split], VerifyOptions::at(2_000));
    for chunk in signed[split..].chunks(3) {
        v.update_body(chunk);
    }
    let queries = v.queries();
    assert_eq!(queries, [Query::txt("sel._domainkey.example.com")]);
    v.answer(&queries[0], &Answer::Records(vec![key().key_record().into_bytes()]));
    assert!(v.queries().is_empty());
    assert_eq!(v.results()[0].status, Status::Pass);
    // Never answered: temperror.
    let mut unanswered = Verifier::new(&signed, VerifyOptions::at(2_000));
    assert_eq!(unanswered.results()[0].status, Status::TempError);
}

#[test]
fn malformed_signatures_are_permerror_with_a_reason() {
    let signed = String::from_utf8(sign(signer(), MESSAGE)).unwrap();
    let mutations: Vec<(&str, String)> = vec![
        ("no b", signed.replacen("\tb=", "\txb=", 1)),
        ("bad base64", signed.replacen("bh=", "bh=!", 1)),
        ("duplicate", signed.replacen("v=1;", "v=1; v=1;", 1)),
        ("no from", {
            let h = signed.find("h=").unwrap();
            let end = h + signed[h..].find(';').unwrap();
            format!("{}h=To:Subject{}", &signed[..h], &signed[end..])
        }),
        ("huge", signed.replacen("v=1;", &format!("v=1; z={};", "A".repeat(20_000)), 1)),
        ("unknown a", signed.replacen("a=ed25519-sha256", "a=ed448-sha512", 1)),
    ];
    for (name, m) in mutations {
        let r = one(m.as_bytes(), &good_zone(), 2_000);
        assert_eq!(r.status, Status::PermError, "{name}: {r:?}");
        assert!(r.failure.is_some(), "{name}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any bytes as a signature value, a key record or a message: no
    /// panic, and a status always comes out.
    #[test]
    fn arbitrary_input_never_panics(sig in proptest::collection::vec(any::<u8>(), 0..300),
                                    record in proptest::collection::vec(any::<u8>(), 0..300),
                                    body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = mailwire_auth::dkim::Signature::parse(&sig);
        let _ = mailwire_auth::dkim::KeyRecord::parse(&record);
        let mut message = b"DKIM-Signature: ".to_vec();
        message.extend_from_slice(&sig);
        message.extend_from_slice(b"\r\nFrom: a@example.com\r\n\r\n");
        message.extend_from_slice(&body);
        let mut zone = MemoryResolver::new();
        zone.add_txt("sel._domainkey.example.com", &[&record]);
        let results = verify(&message, &zone, &VerifyOptions::at(0));
        prop_assert!(!results.is_empty());
    }

    /// The body hash does not depend on how the body is cut.
    #[test]
    fn body_hash_is_split_invariant(body in proptest::collection::vec(prop_oneof![Just(b'\r'), Just(b'\n'), Just(b' '), Just(b'\t'), Just(b'a')], 0..200),
                                    cut in any::<prop::sample::Index>(), relaxed in any::<bool>()) {
        let canon = if relaxed { Canon::Relaxed } else { Canon::Simple };
        let mut whole = BodyHasher::new(canon, HashAlgorithm::Sha256, None);
        whole.update(&body);
        let at = cut.index(body.len() + 1);
        let mut parts = BodyHasher::new(canon, HashAlgorithm::Sha256, None);
        parts.update(&body[..at]);
        parts.update(&body[at..]);
        prop_assert_eq!(whole.finish(), parts.finish());
    }
}
