//! Conformance of the address, content-type, unstructured-text and
//! text-list parsers against mail-parser 1.0.1's header vectors
//! (`../shared/corpus/mime/mail-parser-1.0.1/{address,content_type,
//! unstructured,list}.json`).
//!
//! Our results are put in mail-parser's JSON shape and compared with its
//! expectation. Where mail-parser encodes a policy we deliberately do not
//! share, the vector is listed in that file's `*_KNOWN` table with the
//! reason; a listed vector must still differ, so the tables stay true.
//! Counts are printed (`cargo test -- --nocapture`).

mod support;

use mailwire_mime::encoded_word::decode_text_list;
use mailwire_mime::{Address, Mailbox, decode_unstructured, parse_address_list, parse_content_type};
use serde_json::{Value, json};

include!("support/field_text_known.rs");

fn vectors(name: &str) -> Option<Vec<(String, Value)>> {
    let dir = support::corpus("mime/mail-parser-1.0.1")?;
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    Some(
        json.as_array()
            .unwrap()
            .iter()
            .map(|v| (v["header"].as_str().unwrap().to_string(), v["expected"].clone()))
            .collect(),
    )
}

fn run(name: &str, known: &[(&str, &str)], ours: impl Fn(&str) -> Value) {
    let Some(items) = vectors(name) else { return };
    let (mut agreed, mut listed, mut failures) = (0, 0, Vec::new());
    let mut used = vec![false; known.len()];
    for (header, want) in &items {
        let got = ours(header);
        let k = known.iter().position(|(h, _)| h == header);
        match (got == *want, k) {
            (true, None) => agreed += 1,
            (false, Some(i)) => {
                listed += 1;
                used[i] = true;
            }
            (true, Some(i)) => failures.push(format!("listed #{i} but agrees now: {header:?}")),
            (false, None) => {
                failures.push(format!("{header:?}\n    ours        {got}\n    mail-parser {want}"))
            }
        }
    }
    for (i, u) in used.iter().enumerate() {
        if !u {
            failures.push(format!("known entry #{i} {:?} matched no vector", known[i].0));
        }
    }
    eprintln!(
        "{name}: {agreed}/{} vectors agree with mail-parser, {listed} deliberate differences, {} unexplained",
        items.len(),
        failures.len()
    );
    for f in &failures {
        eprintln!("  {f}");
    }
    assert!(failures.is_empty(), "{name}: {} unexplained disagreements", failures.len());
}

fn mailbox_json(m: &Mailbox<'_>) -> Value {
    json!({"name": m.name.as_deref(), "address": m.address.as_deref()})
}

#[test]
fn address_vectors() {
    run("address.json", ADDRESS_KNOWN, |h| {
        let list = parse_address_list(h.as_bytes());
        if list.is_empty() {
            return Value::Null;
        }
        Value::Array(
            list.iter()
                .map(|a| match a {
                    Address::Mailbox(m) => json!({"mailbox": mailbox_json(m)}),
                    Address::Group(g) => json!({"group": {
                        "name": g.name.as_deref(),
                        "mailboxes": g.members.iter().map(mailbox_json).collect::<Vec<_>>(),
                    }}),
                })
                .collect(),
        )
    });
}

#[test]
fn content_type_vectors() {
    run("content_type.json", CONTENT_TYPE_KNOWN, |h| {
        let Some(ct) = parse_content_type(h.as_bytes()) else { return Value::Null };
        let mut attrs = Vec::new();
        for p in ct.params() {
            if let Some(lang) = &p.language {
                attrs.push(json!([format!("{}-language", p.name), lang]));
            }
            attrs.push(json!([p.name, p.value]));
        }
        json!({
            "c_type": ct.main_type(),
            "c_subtype": ct.subtype(),
            "attributes": if attrs.is_empty() { Value::Null } else { Value::Array(attrs) },
        })
    });
}

#[test]
fn unstructured_vectors() {
    run("unstructured.json", UNSTRUCTURED_KNOWN, |h| json!(decode_unstructured(h.as_bytes())));
}

#[test]
fn text_list_vectors() {
    run("list.json", LIST_KNOWN, |h| {
        let items = decode_text_list(h.as_bytes());
        if items.is_empty() { Value::Null } else { json!(items) }
    });
}
