//! Helpers for the conformance tests: the shared corpora, and mbox files
//! read into threading fields.
#![allow(dead_code)]

use std::path::PathBuf;

use mailwire_mime::mbox::MboxReader;

/// `../shared/corpus/threading/SUB`, or `None` (with a SKIP line, or a
/// panic under `CI=true`) when the corpora are not there.
pub fn corpus(test: &str, sub: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/threading").join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test}: {} is missing, and CI=true", dir.display());
    }
    eprintln!("SKIP: {test}: {} is not there (the shared corpora); test not run", dir.display());
    None
}

/// A message of an mbox, with what threading needs, owned.
#[derive(Debug, Clone)]
pub struct Fields {
    pub message_id: String,
    pub in_reply_to: String,
    pub references: String,
    pub subject: String,
    /// The Date header, or else the From line's date (the internal date).
    pub date: i64,
}

impl Fields {
    pub fn message(&self, id: u64) -> mailwire_threading::Message<'_> {
        mailwire_threading::Message {
            id,
            message_id: &self.message_id,
            in_reply_to: &self.in_reply_to,
            references: &self.references,
            subject: &self.subject,
            date: self.date,
        }
    }
}

/// Every message of an mbox file.
pub fn read_mbox(data: &[u8]) -> Vec<Fields> {
    MboxReader::new(data)
        .map(|m| {
            let raw = m.unquoted();
            let parsed = mailwire_mime::Message::parse_headers(&raw);
            let header = |name: &str| {
                parsed
                    .headers()
                    .get_raw(name)
                    .map(|v| String::from_utf8_lossy(v).into_owned())
                    .unwrap_or_default()
            };
            let internal = m.date().map_or(0, |d| d.timestamp);
            Fields {
                message_id: header("Message-ID"),
                in_reply_to: header("In-Reply-To"),
                references: header("References"),
                subject: parsed.subject().map(|s| s.into_owned()).unwrap_or_default(),
                date: parsed.date().map_or(internal, |d| d.timestamp),
            }
        })
        .collect()
}
