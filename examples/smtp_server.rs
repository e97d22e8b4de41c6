//! A receiving SMTP server that delivers into a Maildir folder, one thread
//! per connection.
//!
//! ```text
//! cargo run --example smtp_server -- --listen 127.0.0.1:PORT --maildir DIR \
//!     [--tls-cert PEM --tls-key PEM] [--auth USER:PASS] [--max-size BYTES] \
//!     [--hostname NAME] [--auth-without-tls] [--lmtp]
//! ```
//!
//! - STARTTLS is offered when a certificate and key are given; AUTH
//!   (SCRAM-SHA-256, PLAIN, LOGIN, CRAM-MD5) when `--auth` is, and then
//!   only under TLS unless `--auth-without-tls`. PIPELINING, CHUNKING,
//!   BINARYMIME, 8BITMIME, SMTPUTF8, DSN, SIZE and ENHANCEDSTATUSCODES are
//!   always offered.
//! - Every recipient is accepted (this is a test sink: it listens where
//!   you tell it, relays nothing, and delivers only to DIR).
//! - Each message becomes one file in `DIR/new` (written in `DIR/tmp`,
//!   then renamed): a `Return-Path:` line and one `Received:` field that
//!   the server adds, then the message exactly as the client sent it
//!   (un-stuffed).
//! - The port's line `smtp_server listening on ADDR` is printed once the
//!   socket accepts connections.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use mailwire_mime::DateTime;
use mailwire_sasl::{Mechanism, ScramCredentials};
use mailwire_smtp::server::{Envelope, ServerConfig, ServerEvent, ServerSession};

mod net;

struct Settings {
    maildir: PathBuf,
    hostname: String,
    tls: Option<Arc<rustls::ServerConfig>>,
    auth: Option<(String, String, ScramCredentials)>,
    auth_without_tls: bool,
    max_size: usize,
    lmtp: bool,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn main() {
    if let Err(e) = run() {
        eprintln!("smtp_server: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut listen = None;
    let mut maildir = None;
    let (mut cert, mut key) = (None, None);
    let mut settings = Settings {
        maildir: PathBuf::new(),
        hostname: "localhost".into(),
        tls: None,
        auth: None,
        auth_without_tls: false,
        max_size: 25 << 20,
        lmtp: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--listen" => listen = Some(value("--listen")?),
            "--maildir" => maildir = Some(PathBuf::from(value("--maildir")?)),
            "--tls-cert" => cert = Some(PathBuf::from(value("--tls-cert")?)),
            "--tls-key" => key = Some(PathBuf::from(value("--tls-key")?)),
            "--auth" => {
                let v = value("--auth")?;
                let (u, p) = v.split_once(':').ok_or("--auth takes USER:PASS")?;
                let salt = net::random(16);
                let scram = ScramCredentials::derive(p, &salt, 4096).map_err(|e| format!("--auth: {e}"))?;
                settings.auth = Some((u.to_string(), p.to_string(), scram));
            }
            "--max-size" => {
                settings.max_size = value("--max-size")?.parse().map_err(|_| "--max-size takes BYTES")?
            }
            "--hostname" => settings.hostname = value("--hostname")?,
            "--auth-without-tls" => settings.auth_without_tls = true,
            "--lmtp" => settings.lmtp = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let (Some(listen), Some(dir)) = (listen, maildir) else {
        return Err(
            "usage: smtp_server --listen 127.0.0.1:PORT --maildir DIR [--tls-cert PEM --tls-key PEM] \
                    [--auth USER:PASS] [--max-size BYTES]"
                .into(),
        );
    };
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(dir.join(sub)).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    settings.maildir = dir;
    settings.tls = match (cert, key) {
        (Some(c), Some(k)) => Some(net::server_config(&c, &k).map_err(|e| format!("TLS: {e}"))?),
        (None, None) => None,
        _ => return Err("--tls-cert and --tls-key go together".into()),
    };
    let listener = TcpListener::bind(&listen).map_err(|e| format!("{listen}: {e}"))?;
    println!("smtp_server listening on {}", listener.local_addr().map_err(|e| e.to_string())?);
    let settings = Arc::new(settings);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let settings = settings.clone();
        std::thread::spawn(move || {
            let peer = stream.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
            if let Err(e) = serve(stream, &settings, &peer) {
                eprintln!("smtp_server: {peer}: {e}");
            }
        });
    }
    Ok(())
}

fn serve(stream: TcpStream, settings: &Settings, peer: &str) -> std::io::Result<()> {
    stream.set_read_timeout(Some(mailwire_smtp::timeouts::SERVER))?;
    let mut conn = net::Conn::Plain(stream);
    let mut config = ServerConfig::new(settings.hostname.clone());
    config.lmtp = settings.lmtp;
    config.max_message_size = settings.max_size;
    config.starttls = settings.tls.is_some();
    config.auth_without_tls = settings.auth_without_tls;
    if settings.auth.is_some() {
        config.auth_mechanisms =
            vec![Mechanism::ScramSha256, Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5];
    }
    let mut session = ServerSession::new(config);
    session.set_nonce(&net::random(24));
    session.greet();
    let mut buf = vec![0; 64 * 1024];
    loop {
        while let Some(bytes) = session.poll_transmit() {
            conn.write_all(&bytes)?;
            conn.flush()?;
        }
        while let Some(event) = session.poll_event() {
            handle(&mut session, &mut conn, settings, peer, event)?;
            while let Some(bytes) = session.poll_transmit() {
                conn.write_all(&bytes)?;
                conn.flush()?;
            }
        }
        if session.is_closed() {
            return Ok(());
        }
        let n = conn.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        session.feed(&buf[..n]);
    }
}

fn handle(
    session: &mut ServerSession,
    conn: &mut net::Conn,
    settings: &Settings,
    peer: &str,
    event: ServerEvent,
) -> std::io::Result<()> {
    let user = settings.auth.as_ref();
    let ok = |e: Result<(), mailwire_smtp::server::ServerError>| e.map_err(std::io::Error::other);
    match event {
        ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. } => ok(session.accept())?,
        ServerEvent::Message { envelope, data } => match deliver(settings, peer, &envelope, &data) {
            Ok(()) => ok(session.accept())?,
            Err(e) => {
                eprintln!("smtp_server: delivery failed: {e}");
                let reply = mailwire_smtp::reply::Reply::local_error();
                ok(session.reject(reply))?;
            }
        },
        ServerEvent::StartTls => {
            if let Some(tls) = &settings.tls {
                conn.upgrade_server(tls.clone())?;
                ok(session.tls_established())?;
            }
        }
        ServerEvent::VerifyPassword { username, password, .. } => {
            session.set_nonce(&net::random(24));
            ok(session.auth_password(user.is_some_and(|(u, p, _)| *u == username && *p == password)))?;
        }
        ServerEvent::NeedSecret { mechanism: Mechanism::CramMd5, username } => {
            ok(session.auth_cram_password(user.filter(|(u, ..)| *u == username).map(|(_, p, _)| p.as_str())))?;
        }
        ServerEvent::NeedSecret { username, .. } => {
            ok(session.auth_scram(user.filter(|(u, ..)| *u == username).map(|(.., s)| s.clone())))?;
        }
        ServerEvent::VerifyToken { .. } => ok(session.auth_token(false))?,
        ServerEvent::Authenticated { .. } => session.set_nonce(&net::random(24)),
        _ => {}
    }
    Ok(())
}

/// Writes the message into `DIR/tmp`, then renames it into `DIR/new`.
fn deliver(settings: &Settings, peer: &str, env: &Envelope, data: &[u8]) -> std::io::Result<()> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = format!(
        "{}.M{}P{}Q{n}.{}",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        settings.hostname
    );
    let date =
        DateTime { timestamp: i64::try_from(now.as_secs()).unwrap_or(0), offset_minutes: 0 }.to_rfc5322();
    // RFC 3848: ESMTP, plus S for TLS and A for AUTH; LMTP likewise.
    let proto = format!(
        "{}{}{}",
        if settings.lmtp {
            "LMTP"
        } else if env.extended {
            "ESMTP"
        } else {
            "SMTP"
        },
        if env.tls { "S" } else { "" },
        if env.authenticated.is_some() { "A" } else { "" }
    );
    let mut out = Vec::with_capacity(data.len() + 256);
    out.extend_from_slice(format!("Return-Path: {}\r\n", env.from).as_bytes());
    let helo: String = env.helo.chars().filter(|c| c.is_ascii_graphic()).collect();
    let mut received = format!(
        "Received: from {helo} ([{peer}])\r\n\tby {} (mailwire) with {proto} id {n}",
        settings.hostname
    );
    if let [(only, _)] = env.recipients.as_slice() {
        received.push_str(&format!("\r\n\tfor {only}"));
    }
    received.push_str(&format!("; {date}\r\n"));
    out.extend_from_slice(received.as_bytes());
    out.extend_from_slice(data);
    let tmp = settings.maildir.join("tmp").join(&name);
    write_synced(&tmp, &out)?;
    std::fs::rename(&tmp, settings.maildir.join("new").join(&name))
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
