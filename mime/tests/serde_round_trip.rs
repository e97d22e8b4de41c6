//! The stored types survive a serde round trip (feature `serde`).

#[cfg(feature = "serde")]
#[test]
fn stored_types_round_trip_through_serde() {
    use mailwire_mime::{Address, parse_address_list, parse_content_type};
    let list = parse_address_list(b"\"Doe, J\" <j@x.test>, Team: a@b.test;");
    let json = serde_json::to_string(&list).unwrap();
    let back: Vec<Address<'_>> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, list);
    let ct = parse_content_type(b"text/plain; charset=utf-8; name*=utf-8''caf%C3%A9").unwrap();
    let back: mailwire_mime::ContentType<'_> =
        serde_json::from_str(&serde_json::to_string(&ct).unwrap()).unwrap();
    assert_eq!(back, ct);
}
