//! The conformance fixtures of the `mail-threading` crate
//! (`../shared/corpus/threading/mail-threading-0.1.3/conformance`): flat
//! thread membership with roots, for JWZ with that crate's policy
//! (subject merge only for headerless replies, localised prefixes).
//! Where we differ on purpose, the fixture is listed in `DIFFERENCES`
//! with the reason, and the test checks that it still differs.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use mailwire_threading::subject::Prefixes;
use mailwire_threading::{JwzOptions, Message, SubjectMerge, jwz};
use serde_json::Value;

/// Fixtures whose expected output encodes a policy we do not share.
const DIFFERENCES: &[(&str, &str)] = &[(
    "prune-phantoms-disabled",
    "mail-threading can expose a missing ancestor as the public root; a dummy with one child is always \
     promoted here (RFC 5256 step 3), so the reply is its own root",
)];

/// (root, members) per thread, in our order.
type Flat = Vec<(String, BTreeSet<String>)>;

fn run(fixture: &Value) -> (Flat, Flat) {
    let input = fixture["input"].as_array().unwrap();
    let names: Vec<String> = input.iter().map(|m| m["id"].as_str().unwrap().to_string()).collect();
    let fields: Vec<(String, String, String, String, i64)> = input
        .iter()
        .map(|m| {
            let s = |k: &str| m[k].as_str().unwrap_or("").to_string();
            let refs =
                m["references"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect::<Vec<_>>();
            let date = mailwire_mime::DateTime::parse_rfc3339(m["date"].as_str().unwrap()).unwrap().timestamp;
            (s("message_id"), s("in_reply_to"), refs.join(" "), s("subject"), date)
        })
        .collect();
    let messages: Vec<Message<'_>> = fields
        .iter()
        .enumerate()
        .map(|(i, (id, irt, refs, subject, date))| Message::new(i as u64, id, irt, refs, subject, *date))
        .collect();
    let options = fixture.get("options").cloned().unwrap_or(Value::Null);
    let mut prefixes = Prefixes::localized();
    if let Some(custom) = options.get("subject_prefixes").and_then(Value::as_array) {
        let mut words: Vec<&str> = custom.iter().map(|w| w.as_str().unwrap()).collect();
        words.extend(["aw", "sv", "antw", "rv", "odp", "tr", "wg"]);
        prefixes = Prefixes::with(words);
    }
    let subject_merge = if options.get("subject_merge").and_then(Value::as_bool) == Some(false) {
        SubjectMerge::Never
    } else {
        SubjectMerge::Headerless
    };
    let threads = jwz(&messages, &JwzOptions { subject_merge, prefixes });
    let ours: Flat = threads
        .roots()
        .map(|r| {
            let root = r.message().map_or_else(|| "(dummy)".to_string(), |m| names[m as usize].clone());
            (root, r.messages().into_iter().map(|m| names[m as usize].clone()).collect())
        })
        .collect();
    let expected: Flat = fixture["expected"]["threads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let members = t["messages"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string());
            (t["root"].as_str().unwrap().to_string(), members.collect())
        })
        .collect();
    (ours, expected)
}

#[test]
fn mail_threading_conformance_fixtures() {
    let Some(dir) =
        support::corpus("mail_threading_conformance_fixtures", "mail-threading-0.1.3/conformance")
    else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    let differences: BTreeMap<&str, &str> = DIFFERENCES.iter().copied().collect();
    let (mut same, mut differ) = (0, 0);
    for path in files {
        let fixture: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let name = fixture["name"].as_str().unwrap().to_string();
        let (ours, expected) = run(&fixture);
        // Compared as sets: theirs orders threads by earliest message,
        // ours by root date (RFC 5256 step 6).
        let as_set = |f: &Flat| f.iter().cloned().collect::<BTreeSet<_>>();
        match differences.get(name.as_str()) {
            Some(why) => {
                assert_ne!(
                    as_set(&ours),
                    as_set(&expected),
                    "{name} now agrees: remove it from DIFFERENCES ({why})"
                );
                differ += 1;
            }
            None => {
                assert_eq!(as_set(&ours), as_set(&expected), "{name}: {}", fixture["description"]);
                same += 1;
            }
        }
    }
    eprintln!("mail-threading fixtures: {same} identical, {differ} deliberate differences");
    assert!(same >= 35);
}
