//! A small IMAP server over a Maildir++ tree, good enough for real
//! clients.
//!
//! ```text
//! cargo run --example imap_server -- --listen 127.0.0.1:1143 --maildir DIR \
//!     --user USER:PASS [--tls-cert PEM --tls-key PEM] [--implicit-tls] [--require-tls]
//! ```
//!
//! - `DIR` is a Maildir++ tree: INBOX at its root (`cur`, `new`, `tmp`),
//!   other mailboxes as `.Name` sub-folders (`.Archive.2024` is
//!   `Archive.2024`; the hierarchy delimiter is `.`). UIDs are kept in a
//!   `mailwire-uidlist` file in each folder, flags in the file names
//!   (`:2,FRS`), keywords as letters (`a`–`z`).
//! - One user (`--user USER:PASS`), logging in with LOGIN or AUTHENTICATE
//!   PLAIN (with SASL-IR). With `--tls-cert` and `--tls-key`, STARTTLS is
//!   offered (or, with `--implicit-tls`, TLS from the first byte). A
//!   password is accepted in the clear only on a loopback address, unless
//!   `--require-tls`.
//! - Commands: CAPABILITY, NOOP, LOGOUT, STARTTLS, LOGIN, AUTHENTICATE,
//!   ENABLE, ID, NAMESPACE, LIST, LSUB, STATUS, CREATE, DELETE, RENAME,
//!   SUBSCRIBE, UNSUBSCRIBE, SELECT, EXAMINE, FETCH (flags, internal date,
//!   size, ENVELOPE, BODYSTRUCTURE, BODY and BINARY sections with partial
//!   ranges, RFC822 items), STORE, SEARCH (the common keys), COPY, MOVE,
//!   EXPUNGE, CLOSE, UNSELECT, CHECK, APPEND, IDLE, and the UID forms.
//! - Connections are threads sharing one store: a change made by one
//!   (APPEND, STORE, EXPUNGE, MOVE) reaches the others as EXISTS, FETCH
//!   FLAGS and EXPUNGE responses on their next command, or at once while
//!   they IDLE.
//! - It prints `imap_server listening on ADDR` when ready, and one line per
//!   connection.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mailwire_imap::server::{ServerConfig, ServerEvent, ServerSession};

#[path = "imap_server/mailbox.rs"]
mod mailbox;
#[path = "imap_server/message.rs"]
mod message;
mod net;
#[path = "imap_server/search.rs"]
mod search;
// The store offers more than this server uses (change generations, file
// names for diagnostics).
#[allow(dead_code)]
#[path = "imap_server/store.rs"]
mod store;

use mailbox::Connection;
use store::Store;

/// What the server was started with.
pub struct Options {
    listen: String,
    maildir: PathBuf,
    user: String,
    pass: String,
    tls: Option<Arc<rustls::ServerConfig>>,
    implicit_tls: bool,
    require_tls: bool,
}

fn main() {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("imap_server: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(options) {
        eprintln!("imap_server: {e}");
        std::process::exit(1);
    }
}

fn parse_args() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let (mut listen, mut maildir, mut user, mut cert, mut key) = (None, None, None, None, None);
    let (mut implicit_tls, mut require_tls) = (false, false);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--listen" => listen = Some(value()?),
            "--maildir" => maildir = Some(PathBuf::from(value()?)),
            "--user" => user = Some(value()?),
            "--tls-cert" => cert = Some(PathBuf::from(value()?)),
            "--tls-key" => key = Some(PathBuf::from(value()?)),
            "--implicit-tls" => implicit_tls = true,
            "--require-tls" => require_tls = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let user = user.ok_or("--user USER:PASS is required")?;
    let (user, pass) = user.split_once(':').ok_or("--user takes USER:PASS")?;
    let tls = match (cert, key) {
        (Some(c), Some(k)) => Some(net::server_config(&c, &k).map_err(|e| format!("TLS: {e}"))?),
        (None, None) => None,
        _ => return Err("--tls-cert and --tls-key go together".into()),
    };
    if implicit_tls && tls.is_none() {
        return Err("--implicit-tls needs --tls-cert and --tls-key".into());
    }
    Ok(Options {
        listen: listen.ok_or("--listen ADDR is required")?,
        maildir: maildir.ok_or("--maildir DIR is required")?,
        user: user.into(),
        pass: pass.into(),
        tls,
        implicit_tls,
        require_tls,
    })
}

fn run(options: Options) -> Result<(), String> {
    let store =
        Arc::new(Store::open(&options.maildir).map_err(|e| format!("{}: {e}", options.maildir.display()))?);
    let listener = TcpListener::bind(&options.listen).map_err(|e| format!("{}: {e}", options.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("imap_server listening on {addr}");
    let options = Arc::new(options);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let (store, options) = (store.clone(), options.clone());
        std::thread::spawn(move || {
            let peer = stream.peer_addr().map(|a| a.to_string()).unwrap_or_default();
            println!("connection from {peer}");
            match serve(stream, &store, &options) {
                Ok(()) => println!("connection from {peer} closed"),
                Err(e) => println!("connection from {peer}: {e}"),
            }
        });
    }
    Ok(())
}

/// How often a connection looks at the store for changes while it waits
/// for the client (IDLE).
const POLL: Duration = Duration::from_millis(100);

fn serve(tcp: TcpStream, store: &Store, options: &Options) -> io::Result<()> {
    let loopback = tcp.local_addr().is_ok_and(|a| a.ip().is_loopback());
    tcp.set_read_timeout(Some(POLL))?;
    let mut conn = net::Conn::Plain(tcp);
    if options.implicit_tls {
        if let Some(tls) = &options.tls {
            conn.upgrade_server(tls.clone())?;
        }
    }
    let mut config = ServerConfig::new();
    config.greeting = "mailwire imap_server ready".into();
    config.tls_active = options.implicit_tls;
    config.starttls = options.tls.is_some() && !options.implicit_tls;
    config.allow_plaintext_without_tls = loopback && !options.require_tls;
    config.capabilities.extend([
        mailwire_imap::capability::Capability::Children,
        mailwire_imap::capability::Capability::SpecialUse,
        mailwire_imap::capability::Capability::Binary,
    ]);
    let mut session = ServerSession::new(config);
    let mut state = Connection::new(store);
    session.greet();
    let mut buf = vec![0u8; 64 << 10];
    let mut idling = false;
    loop {
        while let Some(event) = session.poll_event() {
            match event {
                ServerEvent::VerifyPassword { username, password, .. } => {
                    let ok = username == options.user && password == options.pass;
                    let _ = session.auth_password(ok);
                }
                ServerEvent::NeedSecret { .. } => {
                    let _ = session.auth_cram_password(None);
                }
                ServerEvent::VerifyToken { .. } => {
                    let _ = session.auth_token(false);
                }
                ServerEvent::Command { tag: _, body } => state.command(&mut session, body),
                ServerEvent::Idle { .. } => idling = true,
                ServerEvent::IdleDone { .. } => {
                    idling = false;
                    state.updates(&mut session);
                    let _ = session.ok(None, "IDLE terminated");
                }
                ServerEvent::StartTls => {
                    flush(&mut session, &mut conn)?;
                    if let Some(tls) = &options.tls {
                        conn.upgrade_server(tls.clone())?;
                    }
                    let _ = session.tls_established();
                }
                ServerEvent::Closed => {
                    flush(&mut session, &mut conn)?;
                    return Ok(());
                }
                _ => {}
            }
        }
        flush(&mut session, &mut conn)?;
        match conn.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => session.feed(&buf[..n]),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                if idling {
                    state.updates(&mut session);
                }
            }
            Err(e) => return Err(e),
        }
    }
}

fn flush(session: &mut ServerSession, conn: &mut net::Conn) -> io::Result<()> {
    while let Some(out) = session.poll_transmit() {
        conn.write_all(&out)?;
    }
    conn.flush()
}
