//! Dovecot's imaptest THREAD fixtures (`../shared/corpus/threading/
//! dovecot-imaptest`): each mbox threaded, with expunges and appends in
//! between, must give exactly the `* THREAD` data Dovecot answers.

mod support;

use mailwire_threading::Threader;
use serde_json::Value;

#[test]
fn every_imaptest_thread_fixture() {
    let Some(dir) = support::corpus("every_imaptest_thread_fixture", "dovecot-imaptest") else { return };
    let expected: Value = serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let mut checked = 0;
    for test in expected["tests"].as_array().unwrap() {
        let algorithm = test["algorithm"].as_str().unwrap();
        if algorithm == "SORT" {
            continue;
        }
        let name = test["name"].as_str().unwrap();
        let mbox = std::fs::read(dir.join(test["mbox"].as_str().unwrap())).unwrap();
        let messages = support::read_mbox(&mbox);
        // Stable keys are mbox positions; the IMAP numbers are the
        // sequence numbers of what is in the mailbox now.
        let mut present: Vec<u64> = Vec::new();
        let mut next = 0usize;
        let mut threader = Threader::new();
        let add = |threader: &mut Threader, present: &mut Vec<u64>, next: &mut usize| {
            threader.add(&messages[*next].message(*next as u64));
            present.push(*next as u64);
            *next += 1;
        };
        let steps = test["steps"].as_array().unwrap();
        let initial = test.get("initial_appends").and_then(Value::as_u64);
        for _ in 0..initial.map_or(messages.len(), |n| n as usize) {
            add(&mut threader, &mut present, &mut next);
        }
        for (i, step) in steps.iter().enumerate() {
            if let Some(expunge) = step.get("expunge").and_then(Value::as_array) {
                let doomed: Vec<u64> =
                    expunge.iter().map(|n| present[n.as_u64().unwrap() as usize - 1]).collect();
                for key in doomed {
                    assert!(threader.remove(key));
                    present.retain(|&k| k != key);
                }
            }
            if let Some(n) = step.get("append").and_then(Value::as_u64) {
                for _ in 0..n {
                    add(&mut threader, &mut present, &mut next);
                }
            }
            let threads = match algorithm {
                "REFERENCES" => threader.references(),
                "ORDEREDSUBJECT" => threader.ordered_subject(),
                other => panic!("unknown algorithm {other}"),
            };
            let seq = |key: u64| present.iter().position(|&k| k == key).unwrap() as u64 + 1;
            let got = threads.to_imap_with(seq);
            assert_eq!(got, step["expect"].as_str().unwrap(), "{name} step {i} ({})", test["notes"]);
            checked += 1;
        }
    }
    eprintln!("imaptest: {checked} THREAD answers identical to Dovecot's");
    assert!(checked >= 14);
}
