//! Treats the input as one raw header value and runs every field parser
//! and decoder on it. Checks that a parsed date survives a round trip
//! through its RFC 5322 text.
#![no_main]

use std::hint::black_box;

use libfuzzer_sys::fuzz_target;
use mailwire_mime::charset::Charset;
use mailwire_mime::encoded_word::parse_encoded_word;
use mailwire_mime::ids::parse_message_ids;
use mailwire_mime::list::{parse_list_id, parse_list_urls};
use mailwire_mime::received::parse_received;
use mailwire_mime::transfer::{decode_base64, decode_qp, decode_uu};
use mailwire_mime::{
    Address, decode_unstructured, parse_address_list, parse_content_disposition,
    parse_content_type, parse_date,
};

fuzz_target!(|data: &[u8]| {
    // Addresses.
    let addrs = parse_address_list(data);
    black_box(Address::flatten(&addrs).count());

    // Dates, with the round-trip property.
    if let Some(d) = parse_date(data) {
        black_box(d.to_rfc3339());
        black_box((
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minute(),
            d.second(),
            d.weekday(),
        ));
        let text = d.to_rfc5322();
        let back = parse_date(text.as_bytes());
        match back {
            Some(b) => assert!(
                b.timestamp == d.timestamp && b.offset_minutes == d.offset_minutes,
                "date round trip: {d:?} -> {text:?} -> {b:?}"
            ),
            None => panic!("date round trip: {d:?} -> {text:?} does not parse"),
        }
    }

    // Ids, lists, trace fields.
    black_box(parse_message_ids(data));
    black_box(parse_list_urls(data));
    black_box(parse_list_id(data));
    black_box(parse_received(data));

    // Content-Type / Content-Disposition, and their parameters.
    if let Some(ct) = parse_content_type(data) {
        black_box(ct.mime_type());
        black_box(ct.subtype());
        black_box(ct.params());
        black_box(ct.boundary());
        if let Some(cs) = ct.charset().and_then(|label| Charset::from_label(label.as_bytes())) {
            black_box(cs.decode(data));
        }
    }
    if let Some(cd) = parse_content_disposition(data) {
        black_box(cd.kind());
        black_box(cd.is_attachment());
        black_box(cd.params());
        black_box(cd.filename());
    }

    // Unstructured text and encoded words.
    black_box(decode_unstructured(data));
    if let Some(w) = data.starts_with(b"=?").then(|| parse_encoded_word(data)).flatten() {
        assert!(w.len >= 4 && w.len <= data.len(), "encoded word len {} of {}", w.len, data.len());
        if let Some(cs) = Charset::from_label(w.charset) {
            black_box(cs.decode(&w.bytes));
        }
    }

    // The input as a charset label, and the input decoded with it.
    if let Some(cs) = Charset::from_label(data) {
        black_box(cs.name());
        black_box(cs.decode(data));
    }

    // Transfer decoders.
    black_box(decode_base64(data));
    black_box(decode_qp(data));
    black_box(decode_uu(data));
});
