//! Threads the messages of an mbox file.
//!
//! ```text
//! cargo run --example thread -- [--algorithm references|orderedsubject|jwz|conversations]
//!                               [--style subject|references] [--max-size N] [--json] FILE.mbox
//! ```
//!
//! The messages are numbered 1..N in mbox order (their IMAP sequence
//! numbers). A message's sent date is its `Date:` header, or, when that
//! is missing or does not parse, the date of its mbox `From ` line (its
//! internal date), as RFC 5256 §2.2 asks.
//!
//! - `references` (the default) and `orderedsubject` print exactly the
//!   untagged IMAP response an RFC 5256 server gives to `THREAD REFERENCES`
//!   / `THREAD ORDEREDSUBJECT` over the whole mailbox, e.g.
//!   `* THREAD (1 2)(3 (4)(5))`, and `* THREAD` alone for an empty mailbox
//!   (RFC 5256 §4; Dovecot sends `* THREAD ` with a space).
//! - `jwz` (with `JwzOptions::default()`: subject merges only within 30
//!   days, localised reply prefixes removed) prints an indented tree, one
//!   line per message with its number, sent date and subject; a message
//!   that is referenced but not in the mailbox shows as `(missing)`.
//! - `conversations` prints each conversation and its messages, oldest
//!   first. `--style subject` (the default) is
//!   `ConversationStyle::SubjectChecked { max_size }` with `--max-size`
//!   (default 100); `--style references` is `ConversationStyle::References`.
//!
//! `--json` prints the result with serde_json instead: the thread trees
//! (`[{"message": 1 | null, "date": SECS, "children": [...]}]`) for
//! `references`, `orderedsubject` and `jwz`, the conversations
//! (`[{"messages": [1, 2], "latest": SECS}]`) for `conversations`.
//!
//! Errors go to standard error, with exit status 2.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use mailwire_mime::DateTime;
use mailwire_mime::mbox::MboxReader;
use mailwire_threading::{ConversationStyle, JwzOptions, Message, Threads};

/// One message of the mbox: its threading fields, and the `From ` line's
/// date (the internal date) for when it has no valid `Date:`.
struct Fields {
    fields: mailwire_threading::Fields,
    internal: i64,
}

impl Fields {
    fn message(&self, id: u64) -> Message<'_> {
        self.fields.message(id, self.internal)
    }

    /// The sent date: the `Date:` header, or else the internal date.
    fn date(&self) -> i64 {
        self.fields.date.unwrap_or(self.internal)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    References,
    OrderedSubject,
    Jwz,
    Conversations,
}

struct Options {
    algorithm: Algorithm,
    style: ConversationStyle,
    json: bool,
    path: String,
}

const USAGE: &str = "usage: thread [--algorithm references|orderedsubject|jwz|conversations] \
                     [--style subject|references] [--max-size N] [--json] FILE.mbox";

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut algorithm = Algorithm::References;
    let mut by_references = false;
    let mut max_size = 100usize;
    let mut json = false;
    let mut path = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--algorithm" | "-a" => {
                algorithm = match value("--algorithm")?.to_ascii_lowercase().as_str() {
                    "references" => Algorithm::References,
                    "orderedsubject" => Algorithm::OrderedSubject,
                    "jwz" => Algorithm::Jwz,
                    "conversations" => Algorithm::Conversations,
                    other => return Err(format!("unknown algorithm {other:?}")),
                }
            }
            "--style" => {
                by_references = match value("--style")?.as_str() {
                    "references" => true,
                    "subject" | "subject-checked" => false,
                    other => return Err(format!("unknown conversation style {other:?}")),
                }
            }
            "--max-size" => {
                let v = value("--max-size")?;
                max_size = v.parse().map_err(|_| format!("--max-size {v:?}: not a number"))?;
            }
            "--json" => json = true,
            "--help" | "-h" => return Err(String::new()),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            file => {
                if path.replace(file.to_string()).is_some() {
                    return Err("more than one FILE".into());
                }
            }
        }
    }
    let path = path.ok_or("no FILE given")?;
    let style = if by_references {
        ConversationStyle::References
    } else {
        ConversationStyle::SubjectChecked { max_size }
    };
    Ok(Options { algorithm, style, json, path })
}

/// Every message of an mbox file, in order.
fn read_mbox(data: &[u8]) -> Vec<Fields> {
    MboxReader::new(data)
        .map(|m| {
            let raw = m.unquoted();
            let parsed = mailwire_mime::Message::parse_headers(&raw);
            Fields {
                fields: mailwire_threading::Fields::of(&parsed),
                internal: m.date().map_or(0, |d| d.timestamp),
            }
        })
        .collect()
}

/// `2024-05-01 09:30:00` (UTC).
fn show_date(secs: i64) -> String {
    let text = DateTime { timestamp: secs, offset_minutes: 0 }.to_rfc3339();
    text.strip_suffix("+00:00").unwrap_or(&text).replacen('T', " ", 1)
}

/// One line of a tree or list: number, date and subject (control
/// characters shown as spaces).
fn line(fields: &[Fields], id: u64) -> String {
    let f = &fields[id as usize - 1];
    let subject: String = f.fields.subject.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let subject = if subject.trim().is_empty() { "(no subject)" } else { subject.as_str() };
    format!("{id:>5}  {}  {subject}", show_date(f.date()))
}

/// The threads as an indented tree, a blank line between threads.
fn tree(out: &mut String, threads: &Threads, fields: &[Fields]) {
    for (i, root) in threads.roots().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (depth, node) in root.descendants() {
            let text = match node.message() {
                Some(id) => line(fields, id),
                None => "(missing)".into(),
            };
            let _ = writeln!(out, "{}{text}", "  ".repeat(depth));
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(&args) {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("thread: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let data = match std::fs::read(&options.path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("thread: {}: {e}", options.path);
            return ExitCode::from(2);
        }
    };
    let fields = read_mbox(&data);
    let messages: Vec<Message<'_>> = fields.iter().zip(1..).map(|(f, id)| f.message(id)).collect();
    let json = match (options.json, options.algorithm) {
        (false, _) => None,
        (true, Algorithm::References) => {
            Some(serde_json::to_string_pretty(&mailwire_threading::references(&messages)))
        }
        (true, Algorithm::OrderedSubject) => {
            Some(serde_json::to_string_pretty(&mailwire_threading::ordered_subject(&messages)))
        }
        (true, Algorithm::Jwz) => {
            Some(serde_json::to_string_pretty(&mailwire_threading::jwz(&messages, &JwzOptions::default())))
        }
        (true, Algorithm::Conversations) => {
            Some(serde_json::to_string_pretty(&mailwire_threading::conversations(&messages, options.style)))
        }
    };
    let mut out = String::new();
    match json {
        Some(Ok(text)) => out = text + "\n",
        Some(Err(e)) => {
            eprintln!("thread: writing JSON: {e}");
            return ExitCode::from(2);
        }
        None => match options.algorithm {
            Algorithm::References | Algorithm::OrderedSubject => {
                let threads = if options.algorithm == Algorithm::References {
                    mailwire_threading::references(&messages)
                } else {
                    mailwire_threading::ordered_subject(&messages)
                };
                let data = threads.to_imap();
                out = if data.is_empty() { "* THREAD\n".into() } else { format!("* THREAD {data}\n") };
            }
            Algorithm::Jwz => {
                tree(&mut out, &mailwire_threading::jwz(&messages, &JwzOptions::default()), &fields)
            }
            Algorithm::Conversations => {
                let conversations = mailwire_threading::conversations(&messages, options.style);
                for (i, c) in conversations.iter().enumerate() {
                    let n = c.messages.len();
                    let plural = if n == 1 { "" } else { "s" };
                    let blank = if i > 0 { "\n" } else { "" };
                    let latest = show_date(c.latest);
                    let _ =
                        writeln!(out, "{blank}conversation {} ({n} message{plural}, latest {latest})", i + 1);
                    for &id in &c.messages {
                        let _ = writeln!(out, "  {}", line(&fields, id));
                    }
                }
            }
        },
    }
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        // `thread … | head`: the reader has all it wanted.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("thread: writing to standard output: {e}");
            ExitCode::from(2)
        }
    }
}
