//! A small IMAP client: logs in, lists the mailboxes, selects one, shows
//! the newest messages (ENVELOPE, FLAGS, BODYSTRUCTURE), downloads one,
//! searches, and IDLEs printing what changes.
//!
//! ```text
//! cargo run --example imap_client -- --server HOST:PORT --user USER \
//!     [--tls | --starttls | --no-starttls] [--ca PEM] [--tls-name NAME] \
//!     [--mailbox NAME] [--newest N] [--download UID --out FILE] \
//!     [--search CRITERIA] [--idle SECONDS] [--allow-plaintext]
//! ```
//!
//! - The password comes from `IMAP_PASSWORD` (or `--pass PASS`, which
//!   other users of the machine can see).
//! - `--tls` speaks TLS from the first byte (port 993); otherwise STARTTLS
//!   is used when offered (`--starttls` requires it, `--no-starttls` never
//!   sends it). Certificates are checked against the Mozilla roots, or
//!   `--ca PEM` only.
//! - The login is the best SASL mechanism the server offers (SCRAM-SHA-256,
//!   CRAM-MD5, PLAIN, LOGIN), or LOGIN; nothing that sends the password in
//!   the clear goes out without TLS unless `--allow-plaintext`.
//! - `--newest N` (default 10) messages of `--mailbox` (default INBOX) are
//!   shown, one block each. `--download UID` writes that message's
//!   `BODY.PEEK[]` to `--out FILE` (default `message-UID.eml`), streamed
//!   to disk in chunks. `--search` takes IMAP search criteria as typed
//!   on the wire (`UNSEEN FROM "ann"`) and prints the UIDs found.
//!   `--idle S` waits S seconds for changes and prints each update.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use mailwire_imap::Limits;
use mailwire_imap::client::{ClientConfig, ClientEvent, StartTls};
use mailwire_imap::command::{CommandBody, FetchAttribute, FetchItems, SelectParams};
use mailwire_imap::mailbox::Mailbox;
use mailwire_imap::response::{Data, FetchItem};
use mailwire_imap::section::Section;
use mailwire_imap::sequence::SequenceSet;
use mailwire_sasl::Credentials;

mod net;

use net::imap::{ImapClient, Target};

struct Options {
    target: Target,
    config: ClientConfig,
    mailbox: String,
    newest: u32,
    download: Option<u32>,
    out: Option<PathBuf>,
    search: Option<String>,
    idle: u64,
}

fn main() {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("imap_client: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(options) {
        eprintln!("imap_client: {e}");
        std::process::exit(1);
    }
}

fn parse_args() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let (mut server, mut user, mut pass, mut ca, mut tls_name) = (None, None, None, None, None);
    let mut implicit_tls = false;
    let mut starttls = StartTls::IfOffered;
    let mut allow_plaintext = false;
    let mut mailbox = "INBOX".to_string();
    let (mut newest, mut download, mut out, mut search, mut idle) = (10, None, None, None, 0);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--server" => server = Some(value()?),
            "--user" => user = Some(value()?),
            "--pass" => pass = Some(value()?),
            "--ca" => ca = Some(PathBuf::from(value()?)),
            "--tls-name" => tls_name = Some(value()?),
            "--tls" => implicit_tls = true,
            "--starttls" => starttls = StartTls::Required,
            "--no-starttls" => starttls = StartTls::Never,
            "--allow-plaintext" => allow_plaintext = true,
            "--mailbox" => mailbox = value()?,
            "--newest" => newest = value()?.parse().map_err(|_| "--newest needs a number")?,
            "--download" => download = Some(value()?.parse().map_err(|_| "--download needs a UID")?),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--search" => search = Some(value()?),
            "--idle" => idle = value()?.parse().map_err(|_| "--idle needs seconds")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let server = server.ok_or("--server HOST:PORT is required")?;
    let user = user.ok_or("--user is required")?;
    let pass = pass.or_else(|| std::env::var("IMAP_PASSWORD").ok()).ok_or("set IMAP_PASSWORD or --pass")?;
    let host = server.rsplit_once(':').map(|(h, _)| h.to_string()).unwrap_or(server.clone());
    let tls = net::client_config(ca.as_deref()).map_err(|e| format!("TLS set-up: {e}"))?;
    let mut config = ClientConfig::new(Some(Credentials::password(user, pass)));
    config.starttls = starttls;
    config.tls_active = implicit_tls;
    config.allow_plaintext_without_tls = allow_plaintext;
    config.nonce = net::random(24);
    config.limits = Limits::default();
    Ok(Options {
        target: Target { addr: server, tls_name: tls_name.unwrap_or(host), implicit_tls, tls },
        config,
        mailbox,
        newest,
        download,
        out,
        search,
        idle,
    })
}

fn run(options: Options) -> Result<(), String> {
    let err = |e: std::io::Error| e.to_string();
    let mut client = ImapClient::connect(&options.target, options.config).map_err(err)?;
    println!("logged in (TLS: {})", client.session.is_tls());
    let caps: Vec<String> = client.session.capabilities().iter().map(|c| c.to_string()).collect();
    println!("capabilities: {}", caps.join(" "));

    // LIST "" "*"
    let list = CommandBody::List(mailwire_imap::command::ListCommand::new(Mailbox::new(""), "*"));
    for data in client.run(list).map_err(err)?.data {
        if let Data::List(item) = data {
            let attrs: Vec<String> = item.attributes.iter().map(|a| format!("\\{}", a.name())).collect();
            println!("mailbox {:?} ({})", item.mailbox.name(), attrs.join(" "));
        }
    }

    let mailbox = Mailbox::new(&options.mailbox);
    let select = CommandBody::Select { mailbox, params: SelectParams::default() };
    client.run(select).map_err(err)?;
    let state = client.session.mailbox().clone();
    println!(
        "selected {}: {} messages, UIDVALIDITY {}, UIDNEXT {}",
        options.mailbox,
        state.exists,
        state.uid_validity.unwrap_or(0),
        state.uid_next.unwrap_or(0)
    );

    if state.exists > 0 && options.newest > 0 {
        let first = state.exists.saturating_sub(options.newest - 1).max(1);
        let set = SequenceSet::range(first, state.exists).ok_or("bad range")?;
        let items = FetchItems::List(vec![
            FetchAttribute::Uid,
            FetchAttribute::Flags,
            FetchAttribute::Rfc822Size,
            FetchAttribute::Envelope,
            FetchAttribute::BodyStructure,
        ]);
        let fetch = CommandBody::Fetch { uid: false, set, items, changed_since: None, vanished: false };
        for data in client.run(fetch).map_err(err)?.data {
            if let Data::Fetch { seq, items } = data {
                print_message(u32::from(seq), &items);
            }
        }
    }

    if let Some(uid) = options.download {
        let path = options.out.clone().unwrap_or_else(|| PathBuf::from(format!("message-{uid}.eml")));
        let size = download(&mut client, uid, &path)?;
        println!("downloaded UID {uid}: {size} bytes -> {}", path.display());
    }

    if let Some(criteria) = &options.search {
        let body = parse_search(criteria)?;
        for data in client.run(body).map_err(err)?.data {
            if let Data::Search { numbers, .. } = data {
                let uids: Vec<String> = numbers.iter().map(u32::to_string).collect();
                println!("search {criteria}: {} found: {}", uids.len(), uids.join(" "));
            }
        }
    }

    if options.idle > 0 {
        println!("idling for {} s", options.idle);
        client
            .idle(Duration::from_secs(options.idle), &mut |data| {
                println!("update: {}", describe(data));
                true
            })
            .map_err(err)?;
    }
    client.logout().map_err(err)?;
    println!("logged out");
    Ok(())
}

/// `UID FETCH uid BODY.PEEK[]`, written to `path` as it arrives.
fn download(client: &mut ImapClient, uid: u32, path: &PathBuf) -> Result<u64, String> {
    let mut file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut written = 0u64;
    let mut error = None;
    let set = SequenceSet::single(uid).ok_or("UID 0")?;
    let items = FetchItems::List(vec![FetchAttribute::BodySection {
        section: Section::whole(),
        partial: None,
        peek: true,
    }]);
    let fetch = CommandBody::Fetch { uid: true, set, items, changed_since: None, vanished: false };
    let reply = client
        .run_with(fetch, &mut |event| {
            // Large bodies stream; small ones come whole in the FETCH.
            if let ClientEvent::LiteralData(chunk) = event {
                written += chunk.len() as u64;
                if let Err(e) = file.write_all(chunk) {
                    error = Some(e.to_string());
                }
            }
        })
        .map_err(|e| e.to_string())?;
    if let Some(e) = error {
        return Err(e);
    }
    for data in reply.data {
        if let Data::Fetch { items, .. } = data {
            for item in items {
                if let FetchItem::BodySection { data: Some(bytes), .. } = item {
                    if !bytes.is_empty() {
                        file.write_all(bytes.as_bytes()).map_err(|e| e.to_string())?;
                        written += bytes.len() as u64;
                    }
                }
            }
        }
    }
    if written == 0 {
        return Err(format!("no message with UID {uid}"));
    }
    Ok(written)
}

/// The command for `UID SEARCH <criteria>`, parsed from the wire form.
fn parse_search(criteria: &str) -> Result<CommandBody, String> {
    let line = Bytes::from(format!("S UID SEARCH {criteria}\r\n"));
    let command = mailwire_imap::command::Command::parse(&line, &Limits::default())
        .map_err(|e| format!("--search: {e}"))?;
    Ok(command.body)
}

fn print_message(seq: u32, items: &[FetchItem]) {
    println!("message {seq}");
    for item in items {
        match item {
            FetchItem::Uid(uid) => println!("  uid: {uid}"),
            FetchItem::Flags(flags) => {
                let flags: Vec<String> = flags.iter().map(|f| f.to_wire()).collect();
                println!("  flags: {}", flags.join(" "));
            }
            FetchItem::Rfc822Size(size) => println!("  size: {size}"),
            FetchItem::Envelope(env) => {
                let text = |s: &Option<mailwire_imap::string::Str>| {
                    s.as_ref().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
                };
                println!("  date: {}", text(&env.date));
                println!("  subject: {}", text(&env.subject));
                for a in &env.from {
                    println!("  from: {} <{}@{}>", text(&a.name), text(&a.mailbox), text(&a.host));
                }
            }
            FetchItem::BodyStructure(body) => println!("  structure: {}", body.describe()),
            _ => {}
        }
    }
}

fn describe(data: &Data) -> String {
    match data {
        Data::Exists(n) => format!("{n} EXISTS"),
        Data::Expunge(n) => format!("{n} EXPUNGE"),
        Data::Recent(n) => format!("{n} RECENT"),
        Data::Fetch { seq, items } => format!("{seq} FETCH ({} items)", items.len()),
        other => format!("{other:?}"),
    }
}
