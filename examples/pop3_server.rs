//! A POP3 server for one user and one Maildir folder, one thread per
//! connection.
//!
//! ```text
//! cargo run --example pop3_server -- --listen 127.0.0.1:PORT --maildir DIR \
//!     --user USER:PASS [--tls-cert PEM --tls-key PEM] [--implicit-tls] \
//!     [--hostname NAME] [--allow-plaintext]
//! ```
//!
//! - The maildrop is the Maildir folder DIR: every file in `DIR/new` and
//!   `DIR/cur` is one message, in the order of the file names. A file is
//!   sent as it is stored; files are expected to hold CRLF line ends (a
//!   bare LF goes out as CRLF, and LIST and STAT count it so, with
//!   `multiline::WireSize`).
//! - UIDL ids stay the same across sessions and restarts: a file's base
//!   name (the part before `:2,`) when it is 1 to 70 printable ASCII
//!   characters not starting with `~`, otherwise `~` and the MD5 of the
//!   name in hex.
//! - Logins: USER/PASS, APOP (a fresh greeting timestamp per connection)
//!   and AUTH with SCRAM-SHA-256, PLAIN, LOGIN or CRAM-MD5, all for the one
//!   `--user`. With `--tls-cert` and `--tls-key`, STLS is offered (or,
//!   with `--implicit-tls`, TLS starts with the first byte, as on port
//!   995), and the methods that send the password in the clear (USER/PASS,
//!   PLAIN, LOGIN) are refused before TLS unless `--allow-plaintext`.
//!   Without a certificate there is no TLS at all and they are allowed
//!   (for testing on loopback; never expose such a server).
//! - The maildrop is locked for one session at a time (RFC 1939 §4): a
//!   second login while a session holds it gets `-ERR [IN-USE]`. The
//!   listing is taken at login, so messages arriving later wait for the
//!   next session. Messages marked with DELE are removed at QUIT, and only
//!   then: a connection that drops or times out (after
//!   `timeouts::AUTOLOGOUT` of silence) removes nothing. A file that
//!   another program moves or removes during a session cannot be
//!   retrieved by it (`-ERR [SYS/TEMP]`).
//! - The line `pop3_server listening on ADDR` is printed once the socket
//!   accepts connections. Bad arguments: a message and exit code 2.

use std::collections::HashSet;
use std::ffi::OsString;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use mailwire_pop3::apop;
use mailwire_pop3::multiline::WireSize;
use mailwire_pop3::response::{Response, ResponseCode, is_valid_uid};
use mailwire_pop3::server::{
    MessageInfo, ServerConfig, ServerError, ServerEvent, ServerSession, maildrop_in_use, temporary_failure,
};
use mailwire_sasl::{Mechanism, ScramCredentials};

mod net;

/// What every connection shares.
struct Settings {
    maildir: PathBuf,
    hostname: String,
    tls: Option<Arc<rustls::ServerConfig>>,
    implicit_tls: bool,
    allow_plaintext: bool,
    user: String,
    pass: String,
    /// The SCRAM keys of `pass`, derived once at start.
    scram: ScramCredentials,
    /// Whether a session holds the maildrop (RFC 1939 §4: exclusive
    /// access).
    locked: Mutex<bool>,
}

/// Messages are read and sent in pieces of this size.
const CHUNK: usize = 64 * 1024;

/// Runs the server; bad arguments (or a socket that cannot be bound)
/// exit with code 2.
fn main() {
    if let Err(e) = run() {
        eprintln!("pop3_server: {e}");
        std::process::exit(2);
    }
}

/// Parses the arguments, then accepts connections for ever.
fn run() -> Result<(), String> {
    let mut listen = None;
    let mut maildir = None;
    let mut user = None;
    let (mut cert, mut key) = (None, None);
    let mut hostname = "localhost".to_string();
    let (mut implicit_tls, mut allow_plaintext) = (false, false);
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--listen" => listen = Some(value("--listen")?),
            "--maildir" => maildir = Some(PathBuf::from(value("--maildir")?)),
            "--user" => {
                let v = value("--user")?;
                let (u, p) = v.split_once(':').ok_or("--user takes USER:PASS")?;
                if u.is_empty() {
                    return Err("--user takes USER:PASS".into());
                }
                user = Some((u.to_string(), p.to_string()));
            }
            "--tls-cert" => cert = Some(PathBuf::from(value("--tls-cert")?)),
            "--tls-key" => key = Some(PathBuf::from(value("--tls-key")?)),
            "--implicit-tls" => implicit_tls = true,
            "--hostname" => hostname = value("--hostname")?,
            "--allow-plaintext" => allow_plaintext = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let (Some(listen), Some(dir), Some((user, pass))) = (listen, maildir, user) else {
        return Err("usage: pop3_server --listen 127.0.0.1:PORT --maildir DIR --user USER:PASS \
                    [--tls-cert PEM --tls-key PEM] [--implicit-tls] [--hostname NAME] [--allow-plaintext]"
            .into());
    };
    let tls = match (cert, key) {
        (Some(c), Some(k)) => Some(net::server_config(&c, &k).map_err(|e| format!("TLS: {e}"))?),
        (None, None) => None,
        _ => return Err("--tls-cert and --tls-key go together".into()),
    };
    if implicit_tls && tls.is_none() {
        return Err("--implicit-tls needs --tls-cert and --tls-key".into());
    }
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(dir.join(sub)).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let scram =
        ScramCredentials::derive(&pass, &net::random(16), 4096).map_err(|e| format!("--user: {e}"))?;
    let settings = Arc::new(Settings {
        maildir: dir,
        hostname,
        tls,
        implicit_tls,
        allow_plaintext,
        user,
        pass,
        scram,
        locked: Mutex::new(false),
    });
    let listener = TcpListener::bind(&listen).map_err(|e| format!("{listen}: {e}"))?;
    println!("pop3_server listening on {}", listener.local_addr().map_err(|e| e.to_string())?);
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let settings = settings.clone();
        std::thread::spawn(move || {
            let peer = stream.peer_addr().map(|a| a.to_string()).unwrap_or_default();
            if let Err(e) = serve(stream, &settings) {
                eprintln!("pop3_server: {peer}: {e}");
            }
        });
    }
    Ok(())
}

/// The maildrop's lock, held while a session is in TRANSACTION; dropping
/// it (at `Closed`, or when the connection fails) releases it.
struct Lock<'a>(&'a Mutex<bool>);

impl<'a> Lock<'a> {
    /// Takes the lock, unless another session holds it.
    fn take(locked: &'a Mutex<bool>) -> Option<Lock<'a>> {
        let mut held = locked.lock().unwrap_or_else(|e| e.into_inner());
        if *held {
            return None;
        }
        *held = true;
        Some(Lock(locked))
    }
}

impl Drop for Lock<'_> {
    fn drop(&mut self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = false;
    }
}

/// A session's open maildrop: the lock and the files, message 1 first.
struct Maildrop<'a> {
    _lock: Lock<'a>,
    files: Vec<PathBuf>,
}

/// One connection: pumps bytes between the socket and the session.
fn serve(stream: TcpStream, settings: &Settings) -> std::io::Result<()> {
    // RFC 1939 §3: the autologout timer; a timeout ends the connection
    // without UPDATE (the error drops the maildrop, and with it the lock).
    stream.set_read_timeout(Some(mailwire_pop3::timeouts::AUTOLOGOUT))?;
    stream.set_write_timeout(Some(mailwire_pop3::timeouts::AUTOLOGOUT))?;
    let mut conn = net::Conn::Plain(stream);
    let mut config = ServerConfig::new(settings.hostname.clone());
    if let (Some(tls), true) = (&settings.tls, settings.implicit_tls) {
        conn.upgrade_server(tls.clone())?;
        config.tls_active = true;
    }
    config.stls = settings.tls.is_some() && !settings.implicit_tls;
    config.plaintext_without_tls = settings.allow_plaintext || settings.tls.is_none();
    config.sasl_mechanisms =
        vec![Mechanism::ScramSha256, Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5];
    let random = u64::from_le_bytes(net::random(8).try_into().unwrap_or_default());
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    config.apop_timestamp = Some(apop::timestamp(random, now, &settings.hostname));
    config.implementation = Some("mailwire pop3_server example".into());
    // The seed every AUTH of this session draws its SCRAM nonce from.
    config.nonce = net::random(24);
    let mut session = ServerSession::new(config);
    session.greet();
    let mut maildrop = None;
    let mut buf = vec![0; CHUNK];
    loop {
        transmit(&mut session, &mut conn)?;
        while let Some(event) = session.poll_event() {
            handle(&mut session, &mut conn, settings, &mut maildrop, event)?;
            if session.is_closed() {
                // Release the lock before the client reads the last reply,
                // so that its next login finds the maildrop free.
                maildrop = None;
            }
            transmit(&mut session, &mut conn)?;
        }
        if session.is_closed() {
            if let net::Conn::Server(tls) = &mut conn {
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
            return Ok(());
        }
        let n = match conn.read(&mut buf) {
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(std::io::Error::new(
                    ErrorKind::TimedOut,
                    "autologout: the client was silent too long",
                ));
            }
            other => other?,
        };
        if n == 0 {
            return Ok(());
        }
        session.feed(&buf[..n]);
    }
}

/// Writes out what the session has to send.
fn transmit(session: &mut ServerSession, conn: &mut net::Conn) -> std::io::Result<()> {
    while let Some(bytes) = session.poll_transmit() {
        conn.write_all(&bytes)?;
        conn.flush()?;
    }
    Ok(())
}

/// Answers one event of the session.
fn handle<'s>(
    session: &mut ServerSession,
    conn: &mut net::Conn,
    settings: &'s Settings,
    maildrop: &mut Option<Maildrop<'s>>,
    event: ServerEvent,
) -> std::io::Result<()> {
    let ok = |e: Result<(), ServerError>| e.map_err(std::io::Error::other);
    let is_user = |name: &str| name == settings.user;
    match event {
        ServerEvent::StartTls => {
            if let Some(tls) = &settings.tls {
                conn.upgrade_server(tls.clone())?;
                ok(session.tls_established())?;
            }
        }
        ServerEvent::VerifyPassword { authzid, username, password } => {
            let good =
                is_user(&username) && password == settings.pass && authzid.as_deref().is_none_or(is_user);
            ok(session.auth_password(good))?;
        }
        ServerEvent::ApopSecret { username } => {
            ok(session.auth_apop(is_user(&username).then_some(settings.pass.as_str())))?;
        }
        ServerEvent::NeedSecret { mechanism: Mechanism::CramMd5, username } => {
            ok(session.auth_cram_password(is_user(&username).then_some(settings.pass.as_str())))?;
        }
        ServerEvent::NeedSecret { username, .. } => {
            ok(session.auth_scram(is_user(&username).then(|| settings.scram.clone())))?;
        }
        ServerEvent::VerifyToken { .. } => ok(session.auth_token(false))?,
        ServerEvent::OpenMaildrop { username, .. } => {
            if !is_user(&username) {
                // An authorisation identity other than the user's own.
                let refusal = Response::err_with(ResponseCode::Auth, "Not authorised for that maildrop");
                return ok(session.reject(refusal));
            }
            let Some(lock) = Lock::take(&settings.locked) else {
                return ok(session.reject(maildrop_in_use()));
            };
            match list(&settings.maildir) {
                Ok((files, infos)) => {
                    ok(session.open_maildrop(infos))?;
                    *maildrop = Some(Maildrop { _lock: lock, files });
                }
                Err(e) => {
                    eprintln!("pop3_server: {}: {e}", settings.maildir.display());
                    ok(session.reject(temporary_failure("The maildrop cannot be read now")))?;
                }
            }
        }
        ServerEvent::Retrieve { index, .. } => {
            let Some(path) = maildrop.as_ref().and_then(|m| m.files.get(index)) else {
                return ok(session.reject(temporary_failure("No such message in the maildrop")));
            };
            retrieve(session, conn, path)?;
        }
        ServerEvent::Update { deleted } => {
            let files = maildrop.as_ref().map(|m| m.files.as_slice()).unwrap_or_default();
            let mut failed = false;
            for d in &deleted {
                let Some(path) = files.get(d.index) else { continue };
                match std::fs::remove_file(path) {
                    Err(e) if e.kind() != ErrorKind::NotFound => {
                        eprintln!("pop3_server: removing {}: {e}", path.display());
                        failed = true;
                    }
                    _ => {}
                }
            }
            if failed {
                ok(session.reject(temporary_failure("Some deleted messages could not be removed")))?;
            } else {
                ok(session.accept())?;
            }
        }
        ServerEvent::Closed => *maildrop = None,
        _ => {}
    }
    Ok(())
}

/// Sends the file at `path` in chunks, writing each out before reading
/// the next, and stops early when TOP has what it needs. A file that
/// cannot be read is refused (`-ERR` before the `+OK`; after it, the
/// session closes).
fn retrieve(session: &mut ServerSession, conn: &mut net::Conn, path: &Path) -> std::io::Result<()> {
    let ok = |e| std::io::Error::other(e);
    let refuse = |session: &mut ServerSession, e: std::io::Error| {
        eprintln!("pop3_server: {}: {e}", path.display());
        session.reject(temporary_failure("The message cannot be read now")).map_err(ok)
    };
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return refuse(session, e),
    };
    let mut buf = vec![0; CHUNK];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return refuse(session, e),
        };
        let more = session.message_chunk(&buf[..n]).map_err(ok)?;
        transmit(session, conn)?;
        if !more {
            break;
        }
    }
    session.message_end().map_err(ok)
}

/// The maildrop's files (those in `new` and `cur`, sorted by name) and
/// their sizes and unique ids.
fn list(maildir: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<MessageInfo>)> {
    let mut found: Vec<(OsString, PathBuf)> = Vec::new();
    for sub in ["new", "cur"] {
        for entry in std::fs::read_dir(maildir.join(sub))? {
            let entry = entry?;
            let name = entry.file_name();
            if name.as_encoded_bytes().starts_with(b".") || !entry.file_type()?.is_file() {
                continue;
            }
            found.push((name, entry.path()));
        }
    }
    found.sort();
    let mut seen = HashSet::new();
    let mut files = Vec::with_capacity(found.len());
    let mut infos = Vec::with_capacity(found.len());
    for (name, path) in found {
        let size = match file_wire_size(&path) {
            Ok(size) => size,
            // Gone since the listing (another program moved it): skip it.
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        let mut uid = unique_id(name.as_encoded_bytes());
        if !seen.insert(uid.clone()) {
            // The same base name twice (in `new` and `cur`): the path tells
            // them apart.
            uid = hashed_uid(path.as_os_str().as_encoded_bytes());
            seen.insert(uid.clone());
        }
        let info = MessageInfo::new(size, uid).ok_or_else(|| std::io::Error::other("invalid unique id"))?;
        files.push(path);
        infos.push(info);
    }
    Ok((files, infos))
}

/// The size of the file on the wire (CRLF line ends), read in chunks.
fn file_wire_size(path: &Path) -> std::io::Result<u64> {
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0; CHUNK];
    let mut size = WireSize::new();
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Ok(size.total()),
            Ok(n) => size.push(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// A Maildir file's unique id: its base name (before the `:2,` info) if
/// that is a valid id and does not start with `~`, else a hashed one.
fn unique_id(file_name: &[u8]) -> String {
    let base = match info_start(file_name) {
        Some(i) => &file_name[..i],
        None => file_name,
    };
    match std::str::from_utf8(base) {
        Ok(s) if is_valid_uid(s) && !s.starts_with('~') => s.to_string(),
        _ => hashed_uid(base),
    }
}

/// The position of the Maildir info separator (`:2,`), if any.
fn info_start(name: &[u8]) -> Option<usize> {
    name.windows(3).position(|w| w == b":2,")
}

/// `~` and the MD5 of `bytes` in hex (`apop::digest` is MD5 of its two
/// arguments, joined): 33 characters, never equal to a plain base name.
fn hashed_uid(bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("~{}", apop::digest("mailwire-uid:", &hex))
}
