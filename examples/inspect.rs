//! Prints a message as JSON.
//!
//! ```text
//! cargo run --example inspect -- FILE [--compact]
//! ```
//!
//! `FILE` is an RFC 5322 message (`-` reads standard input). The output has
//! exactly this shape; keys may be added in later versions but these are
//! never renamed:
//!
//! ```text
//! MESSAGE = {"headers": [{"name", "raw", "value"}], "from": [ADDR], "sender": [ADDR], "reply_to": [ADDR],
//!            "to": [ADDR], "cc": [ADDR], "bcc": [ADDR], "subject": str|null, "date": "RFC 3339"|null,
//!            "message_id": str|null, "in_reply_to": [str], "references": [str], "root": PART}
//! ADDR    = {"name": str|null, "address": str|null, "group": str|null}   (a group member carries its group's name)
//! PART    = {"content_type": "type/subtype" (lower case), "params": {name: decoded value}, "disposition": str|null,
//!            "filename": str|null, "charset": str|null, "transfer_encoding": str|null, "size": decoded byte count,
//!            "sha256": hex of the decoded bytes, "text": decoded UTF-8 for text/* parts else null,
//!            "parts": [PART] for multipart/*, "message": MESSAGE|null for message/rfc822 and message/global,
//!            "defects": [str]}
//! ```
//!
//! Added keys: each PART also has `role` (`container`, `text`, `html`,
//! `attachment`: its single RFC 8621 role in its message), `content_id`,
//! and `offset_header` / `offset_body` / `offset_end` (byte offsets into
//! FILE). An empty group is one ADDR with only `group` set. Containers
//! (multipart, message/rfc822) have `size` 0 and the SHA-256 of nothing.
//! See `mailwire_mime::summary` for the details.

use std::io::Read as _;
use std::process::ExitCode;

use mailwire_mime::Message;
use mailwire_mime::summary::MessageSummary;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let compact = args.iter().any(|a| a == "--compact");
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: inspect FILE [--compact]   (FILE may be - for standard input)");
        return ExitCode::from(2);
    };
    let data = if path == "-" {
        let mut v = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut v) {
            eprintln!("inspect: reading standard input: {e}");
            return ExitCode::FAILURE;
        }
        v
    } else {
        match std::fs::read(path) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("inspect: {path}: {e}");
                return ExitCode::FAILURE;
            }
        }
    };
    let msg = Message::parse(&data);
    let summary = MessageSummary::new(&msg);
    let json = if compact { serde_json::to_string(&summary) } else { serde_json::to_string_pretty(&summary) };
    match json {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("inspect: {e}");
            ExitCode::FAILURE
        }
    }
}
