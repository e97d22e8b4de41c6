//! Authentication-Results values: parsing never panics, and whatever
//! parses is written (one line and folded) and parses back equal.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire_auth::results::AuthResults;

fuzz_target!(|data: &[u8]| {
    if let Ok(ar) = AuthResults::parse(data) {
        let line = ar.to_header_value();
        assert_eq!(AuthResults::parse(line.as_bytes()).as_ref(), Ok(&ar), "{line}");
        let field = ar.to_field();
        assert!(field.ends_with("\r\n"));
        assert_eq!(AuthResults::parse_field(field.as_bytes()).as_ref(), Ok(&ar), "{field}");
    }
    let _ = AuthResults::parse_arc(data);
});
