//! Downloads a POP3 mailbox into a Maildir folder or an mbox file, and
//! only what is new on the next run.
//!
//! ```text
//! cargo run --example pop3_fetch -- --server HOST:PORT --user USER \
//!     (--maildir DIR | --mbox FILE) [--tls | --stls | --no-stls] [--ca PEM] \
//!     [--tls-name NAME] [--state FILE] [--delete] [--auth sasl|apop|user] \
//!     [--allow-plaintext]
//! ```
//!
//! - The password is read from the `POP3_PASSWORD` environment variable
//!   (or `--pass PASS`, which other users of the machine can see).
//! - `--tls` speaks TLS from the first byte (port 995); otherwise STLS is
//!   used when the server offers it, `--stls` requires it and `--no-stls`
//!   never sends it. Certificates are checked against the Mozilla roots,
//!   or against `--ca PEM` only; the name checked is the host of
//!   `--server`, or `--tls-name`.
//! - The login is the best the server offers (SCRAM-SHA-256, CRAM-MD5,
//!   PLAIN, LOGIN, then APOP, then USER/PASS); `--auth` keeps to one kind.
//!   Nothing that sends the password in the clear is used without TLS
//!   unless `--allow-plaintext`.
//! - `--state FILE` (default: `.pop3-uidl` inside the Maildir, or
//!   `FILE.uidl` next to the mbox) keeps the UIDL ids already downloaded:
//!   a second run downloads only the others. Without UIDL on the server,
//!   every message is downloaded every time.
//! - Each message is written as the server sent it (un-stuffed, CRLF line
//!   ends): into `DIR/tmp` and renamed into `DIR/new`, streamed to disk in
//!   chunks; or appended to the mbox (mboxrd quoting, a `From ` line
//!   before each message).
//! - `--delete` marks every downloaded message (this run's and earlier
//!   runs') deleted, so the server removes them at QUIT; only messages
//!   safely on disk are marked.
//! - One line per message and a summary go to standard output; an error
//!   exits 1.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mailwire_mime::DateTime;
use mailwire_pop3::client::{ClientConfig, ClientEvent, ClientSession, StartTls};
use mailwire_pop3::command::Command;
use mailwire_sasl::Credentials;

mod net;

/// Where messages go.
enum Store {
    Maildir(PathBuf),
    Mbox(PathBuf),
}

struct Options {
    server: String,
    tls_name: String,
    implicit_tls: bool,
    ca: Option<PathBuf>,
    config: ClientConfig,
    store: Store,
    state: PathBuf,
    delete: bool,
}

fn main() {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("pop3_fetch: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(options) {
        eprintln!("pop3_fetch: {e}");
        std::process::exit(1);
    }
}

fn parse_args() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let (mut server, mut user, mut pass) = (None, None, std::env::var("POP3_PASSWORD").ok());
    let (mut maildir, mut mbox, mut state, mut ca, mut tls_name) = (None, None, None, None, None);
    let (mut implicit_tls, mut delete, mut plaintext) = (false, false, false);
    let mut stls = StartTls::IfOffered;
    let mut auth = None;
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--server" => server = Some(value()?),
            "--user" => user = Some(value()?),
            "--pass" => pass = Some(value()?),
            "--maildir" => maildir = Some(PathBuf::from(value()?)),
            "--mbox" => mbox = Some(PathBuf::from(value()?)),
            "--state" => state = Some(PathBuf::from(value()?)),
            "--ca" => ca = Some(PathBuf::from(value()?)),
            "--tls-name" => tls_name = Some(value()?),
            "--auth" => auth = Some(value()?),
            "--tls" => implicit_tls = true,
            "--stls" => stls = StartTls::Required,
            "--no-stls" => stls = StartTls::Never,
            "--delete" => delete = true,
            "--allow-plaintext" => plaintext = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let server = server.ok_or("--server HOST:PORT is required")?;
    let user = user.ok_or("--user is required")?;
    let pass = pass.ok_or("set POP3_PASSWORD (or --pass)")?;
    let store = match (maildir, mbox) {
        (Some(d), None) => Store::Maildir(d),
        (None, Some(f)) => Store::Mbox(f),
        _ => return Err("give one of --maildir DIR and --mbox FILE".into()),
    };
    let state = state.unwrap_or_else(|| match &store {
        Store::Maildir(d) => d.join(".pop3-uidl"),
        Store::Mbox(f) => f.with_extension("uidl"),
    });
    let host = server.rsplit_once(':').map_or(server.as_str(), |(h, _)| h).to_string();
    let mut config = ClientConfig::new(Credentials::password(user, pass));
    config.tls_active = implicit_tls;
    config.stls = stls;
    config.allow_plaintext_without_tls = plaintext;
    config.nonce = net::random(24);
    match auth.as_deref() {
        None => {}
        Some("sasl") => (config.use_apop, config.use_user) = (false, false),
        Some("apop") => (config.use_sasl, config.use_user) = (false, false),
        Some("user") => (config.use_sasl, config.use_apop) = (false, false),
        Some(other) => return Err(format!("--auth {other}: use sasl, apop or user")),
    }
    Ok(Options { tls_name: tls_name.unwrap_or(host), server, implicit_tls, ca, config, store, state, delete })
}

/// What the session has learnt about the mailbox.
#[derive(Default)]
struct Mailbox {
    /// Message number to UIDL id (empty when the server has no UIDL).
    uids: Option<BTreeMap<u32, String>>,
}

fn run(options: Options) -> Result<(), String> {
    let tls = net::client_config(options.ca.as_deref()).map_err(|e| format!("TLS set-up: {e}"))?;
    let tcp =
        TcpStream::connect(&options.server).map_err(|e| format!("connecting to {}: {e}", options.server))?;
    tcp.set_read_timeout(Some(mailwire_pop3::timeouts::CLIENT_RESPONSE)).map_err(|e| e.to_string())?;
    let mut conn = net::Conn::Plain(tcp);
    if options.implicit_tls {
        conn.upgrade_client(tls.clone(), &options.tls_name).map_err(|e| format!("TLS: {e}"))?;
    }
    let mut known = read_state(&options.state)?;
    let mut session = ClientSession::new(options.config.clone());
    let mut mailbox = Mailbox::default();
    let mut wanted = BTreeSet::new();
    let mut writer: Option<MessageWriter> = None;
    let mut failure = None;
    let (mut fetched, mut bytes, mut deleted) = (0usize, 0u64, 0usize);
    let mut buf = vec![0u8; 64 << 10];
    loop {
        while let Some(event) = session.poll_event() {
            match event {
                ClientEvent::Authenticated(method) => println!("logged in with {method}"),
                ClientEvent::Ready { .. } => {
                    session.uidl(None).map_err(|e| e.to_string())?;
                    session.list(None).map_err(|e| e.to_string())?;
                }
                ClientEvent::UniqueIds(ids) => {
                    mailbox.uids = Some(ids.into_iter().map(|u| (u.msg, u.uid)).collect())
                }
                ClientEvent::Refused { command: Command::Uidl(None), response } => {
                    println!("no UIDL ({response}): downloading everything");
                    mailbox.uids = Some(BTreeMap::new());
                }
                ClientEvent::Listing(list) => {
                    let uids = mailbox.uids.clone().unwrap_or_default();
                    for l in &list {
                        if uids.get(&l.msg).is_some_and(|u| known.contains(u)) {
                            if options.delete {
                                session.dele(l.msg).map_err(|e| e.to_string())?;
                            }
                        } else {
                            session.retr(l.msg).map_err(|e| e.to_string())?;
                            wanted.insert(l.msg);
                        }
                    }
                    // QUIT (and with it the removal of what is marked) only
                    // once every new message is safely on disk.
                    if wanted.is_empty() {
                        session.quit().map_err(|e| e.to_string())?;
                    }
                }
                ClientEvent::MessageData { msg, data } => {
                    if writer.is_none() {
                        writer = Some(MessageWriter::new(&options.store, msg, fetched)?);
                    }
                    if let Some(w) = writer.as_mut() {
                        w.write(&data)?;
                    }
                }
                ClientEvent::MessageEnd { msg } => {
                    let w = match writer.take() {
                        Some(w) => w,
                        None => MessageWriter::new(&options.store, msg, fetched)?,
                    };
                    let (path, size) = w.finish()?;
                    let uid = mailbox.uids.as_ref().and_then(|u| u.get(&msg)).cloned();
                    if let Some(uid) = &uid {
                        append_state(&options.state, uid)?;
                        known.insert(uid.clone());
                    }
                    println!(
                        "fetched {msg} ({size} bytes, uid {}) -> {}",
                        uid.as_deref().unwrap_or("-"),
                        path.display()
                    );
                    fetched += 1;
                    bytes += size;
                    if options.delete {
                        session.dele(msg).map_err(|e| e.to_string())?;
                    }
                    wanted.remove(&msg);
                    if wanted.is_empty() {
                        session.quit().map_err(|e| e.to_string())?;
                    }
                }
                ClientEvent::Done { command: Command::Dele(_), .. } => deleted += 1,
                ClientEvent::Refused { command, response } => {
                    return Err(format!("{command} refused: {response}"));
                }
                ClientEvent::StartTls => {
                    conn.upgrade_client(tls.clone(), &options.tls_name).map_err(|e| format!("TLS: {e}"))?;
                    session.tls_established().map_err(|e| e.to_string())?;
                    println!("STLS: TLS established");
                }
                ClientEvent::Failed(e) => failure = Some(e.to_string()),
                _ => {}
            }
        }
        while let Some(out) = session.poll_transmit() {
            conn.write_all(&out).map_err(|e| format!("writing: {e}"))?;
        }
        conn.flush().map_err(|e| format!("writing: {e}"))?;
        if session.is_closed() {
            break;
        }
        let n = conn.read(&mut buf).map_err(|e| format!("reading: {e}"))?;
        if n == 0 {
            return Err("the server closed the connection".into());
        }
        session.feed(&buf[..n]);
    }
    if let Some(e) = failure {
        return Err(e);
    }
    println!("{fetched} new message(s), {bytes} bytes; {deleted} deleted on the server");
    Ok(())
}

/// The UIDL ids already downloaded: one per line.
fn read_state(path: &Path) -> Result<HashSet<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text.lines().filter(|l| !l.is_empty()).map(str::to_string).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HashSet::new()),
        Err(e) => Err(format!("reading {}: {e}", path.display())),
    }
}

/// Records `uid` once its message is on disk.
fn append_state(path: &Path, uid: &str) -> Result<(), String> {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    writeln!(f, "{uid}").and_then(|_| f.sync_data()).map_err(|e| format!("{}: {e}", path.display()))
}

/// One message on its way to disk.
enum MessageWriter {
    /// Streamed into `tmp/`, renamed into `new/` when complete.
    Maildir { file: File, tmp: PathBuf, new: PathBuf, size: u64 },
    /// Collected, then appended to the mbox with its `From ` line.
    Mbox { path: PathBuf, data: Vec<u8> },
}

impl MessageWriter {
    fn new(store: &Store, msg: u32, n: usize) -> Result<MessageWriter, String> {
        match store {
            Store::Maildir(dir) => {
                for sub in ["tmp", "new", "cur"] {
                    std::fs::create_dir_all(dir.join(sub)).map_err(|e| format!("{}: {e}", dir.display()))?;
                }
                let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
                let name = format!(
                    "{}.M{}P{}Q{n}R{msg}.pop3_fetch",
                    now.as_secs(),
                    now.subsec_micros(),
                    std::process::id()
                );
                let tmp = dir.join("tmp").join(&name);
                let file = File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
                Ok(MessageWriter::Maildir { file, tmp, new: dir.join("new").join(name), size: 0 })
            }
            Store::Mbox(path) => Ok(MessageWriter::Mbox { path: path.clone(), data: Vec::new() }),
        }
    }

    fn write(&mut self, chunk: &[u8]) -> Result<(), String> {
        match self {
            MessageWriter::Maildir { file, tmp, size, .. } => {
                *size += chunk.len() as u64;
                file.write_all(chunk).map_err(|e| format!("{}: {e}", tmp.display()))
            }
            MessageWriter::Mbox { data, .. } => {
                data.extend_from_slice(chunk);
                Ok(())
            }
        }
    }

    /// Makes the message durable; returns where it went and its size.
    fn finish(self) -> Result<(PathBuf, u64), String> {
        match self {
            MessageWriter::Maildir { file, tmp, new, size } => {
                file.sync_all().map_err(|e| format!("{}: {e}", tmp.display()))?;
                std::fs::rename(&tmp, &new).map_err(|e| format!("{}: {e}", new.display()))?;
                Ok((new, size))
            }
            MessageWriter::Mbox { path, data } => {
                let mut out = format!("From MAILER-DAEMON {}\n", asctime_now()).into_bytes();
                // mboxrd: one more `>` before any `>*From ` line.
                for line in data.split_inclusive(|&b| b == b'\n') {
                    let quotes = line.iter().take_while(|&&b| b == b'>').count();
                    if line[quotes..].starts_with(b"From ") {
                        out.push(b'>');
                    }
                    out.extend_from_slice(line);
                }
                if !out.ends_with(b"\n") {
                    out.push(b'\n');
                }
                out.push(b'\n');
                let mut f = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                f.write_all(&out)
                    .and_then(|_| f.sync_data())
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                Ok((path, data.len() as u64))
            }
        }
    }
}

/// The current time as an mbox `From ` line wants it (`Thu Jan  1 00:00:00 1970`).
fn asctime_now() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let t = DateTime { timestamp: i64::try_from(secs).unwrap_or(0), offset_minutes: 0 };
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!(
        "{} {} {:>2} {:02}:{:02}:{:02} {}",
        DAYS[usize::from(t.weekday() % 7)],
        MONTHS[usize::from(t.month().clamp(1, 12) - 1)],
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.year()
    )
}
