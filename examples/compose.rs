//! Builds a message from a JSON spec and writes it to stdout (CRLF line
//! breaks).
//!
//! ```text
//! cargo run --example compose -- examples/data/compose/spec.json
//! ```
//!
//! The spec (every key optional except a body; unknown keys are ignored):
//!
//! ```text
//! {"from": "Name <a@b>", "to": ["..."], "cc": ["..."], "bcc": ["..."], "reply_to": "...",
//!  "subject": "...", "date": "RFC 3339", "message_id": "<...>",
//!  "text": "...", "html": "...", "amp": "...",
//!  "attachments": [{"path": "...", "filename": "...", "content_type": "..."}],
//!  "inline": [{"path": "...", "cid": "...", "content_type": "..."}],
//!  "headers": [["Name", "value"]]}
//! ```
//!
//! - Addresses are RFC 5322 text (`"Ann <ann@example.com>"` or a bare
//!   address); `to`, `cc` and `bcc` are lists; Bcc is never written.
//! - `date` is RFC 3339 (`2026-12-01T09:30:00+01:00`); without it the
//!   current time (UTC) is used. `message_id` without it is generated for
//!   the From domain from the clock and the process's hash seed (an
//!   example's randomness; a real program passes its own).
//! - `path`s are read relative to the spec file's folder. `filename`
//!   defaults to the path's file name; `content_type` to a guess from the
//!   extension (`application/octet-stream` when unknown).
//! - `headers` values are text, encoded as needed.
//!
//! A value the builder refuses (an AMP document without its markers, a
//! header value that cannot be written, an invalid address) ends the
//! program with the error's message on stderr and exit status 1.

use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use mailwire_mime::DateTime;
use mailwire_mime::build::{MessageBuilder, PartBuilder, generate_message_id};
use serde_json::Value;

fn main() -> ExitCode {
    let Some(spec_path) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: compose SPEC.json");
        return ExitCode::from(2);
    };
    match run(&spec_path) {
        Ok(bytes) => {
            use std::io::Write;
            if std::io::stdout().lock().write_all(&bytes).is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("compose: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Files are kept here so that the builder can borrow them.
struct File {
    bytes: Vec<u8>,
    name: String,
    content_type: String,
    cid: Option<String>,
}

fn run(spec_path: &Path) -> Result<Vec<u8>, String> {
    let text = std::fs::read_to_string(spec_path).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    let spec: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    let dir = spec_path.parent().unwrap_or(Path::new("."));
    let attachments = files(&spec, "attachments", dir)?;
    let inline = files(&spec, "inline", dir)?;

    let mut b = MessageBuilder::new();
    if let Some(from) = str_of(&spec, "from")? {
        b = b.from(from);
    }
    if let Some(reply_to) = str_of(&spec, "reply_to")? {
        b = b.reply_to(reply_to);
    }
    for addr in list_of(&spec, "to")? {
        b = b.to(addr);
    }
    for addr in list_of(&spec, "cc")? {
        b = b.cc(addr);
    }
    for addr in list_of(&spec, "bcc")? {
        b = b.bcc(addr);
    }
    if let Some(subject) = str_of(&spec, "subject")? {
        b = b.subject(subject);
    }
    b = b.date(match str_of(&spec, "date")? {
        Some(d) => DateTime::parse_rfc3339(d).ok_or_else(|| format!("date {d:?} is not RFC 3339"))?,
        None => now(),
    });
    b = b.message_id(match str_of(&spec, "message_id")? {
        Some(id) => id.to_string(),
        None => {
            let from = str_of(&spec, "from")?.unwrap_or("");
            let domain = from.rsplit('@').next().unwrap_or("").trim_end_matches('>').trim();
            let domain = if domain.is_empty() { "localhost" } else { domain };
            generate_message_id(domain, random()).map_err(|e| e.to_string())?
        }
    });
    if let Some(t) = str_of(&spec, "text")? {
        b = b.text(t);
    }
    if let Some(h) = str_of(&spec, "html")? {
        b = b.html(h);
    }
    if let Some(a) = str_of(&spec, "amp")? {
        b = b.amp(a);
    }
    for f in &inline {
        b = b.inline(f.content_type.as_str(), f.cid.as_deref().unwrap_or(&f.name), &f.bytes[..]);
    }
    for f in &attachments {
        b = b.attach(PartBuilder::binary(f.content_type.as_str(), &f.bytes[..]).attachment(f.name.as_str()));
    }
    for pair in spec.get("headers").and_then(Value::as_array).into_iter().flatten() {
        match pair.as_array().map(Vec::as_slice) {
            Some([Value::String(name), Value::String(value)]) => b = b.header(name.as_str(), value.as_str()),
            _ => return Err(format!("headers: expected [\"Name\", \"value\"], got {pair}")),
        }
    }
    b.to_vec().map_err(|e| e.to_string())
}

fn str_of<'s>(spec: &'s Value, key: &str) -> Result<Option<&'s str>, String> {
    match spec.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("{key}: expected a string, got {other}")),
    }
}

fn list_of<'s>(spec: &'s Value, key: &str) -> Result<Vec<&'s str>, String> {
    match spec.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().ok_or_else(|| format!("{key}: expected strings, got {v}")))
            .collect(),
        Some(other) => Err(format!("{key}: expected a list of strings, got {other}")),
    }
}

fn files(spec: &Value, key: &str, dir: &Path) -> Result<Vec<File>, String> {
    let mut out = Vec::new();
    for item in spec.get(key).and_then(Value::as_array).into_iter().flatten() {
        let path = str_of(item, "path")?.ok_or_else(|| format!("{key}: every entry needs a \"path\""))?;
        let full = dir.join(path);
        let bytes = std::fs::read(&full).map_err(|e| format!("{}: {e}", full.display()))?;
        let name = match str_of(item, "filename")? {
            Some(n) => n.to_string(),
            None => Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        };
        let content_type = match str_of(item, "content_type")? {
            Some(t) => t.to_string(),
            None => guess_type(path).to_string(),
        };
        out.push(File { bytes, name, content_type, cid: str_of(item, "cid")?.map(str::to_string) });
    }
    Ok(out)
}

fn guess_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "ics" => "text/calendar",
        "zip" => "application/zip",
        "json" => "application/json",
        "eml" => "message/rfc822",
        _ => "application/octet-stream",
    }
}

fn now() -> DateTime {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    DateTime { timestamp: i64::try_from(secs).unwrap_or(0), offset_minutes: 0 }
}

/// 16 bytes that differ between runs (not cryptographic: an example).
fn random() -> [u8; 16] {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let a = RandomState::new().hash_one(nanos);
    let b = RandomState::new().hash_one(a);
    let mut out = [0; 16];
    out[..8].copy_from_slice(&a.to_le_bytes());
    out[8..].copy_from_slice(&b.to_le_bytes());
    out
}
