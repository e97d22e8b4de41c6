//! Sends an .eml file through a real SMTP server.
//!
//! ```text
//! cargo run --example smtp_send -- --server HOST:PORT [--starttls|--tls] [--ca PEM] \
//!     [--auth USER:PASS] [--helo NAME] [--lmtp] --from ADDR --to ADDR... FILE
//! ```
//!
//! - `--starttls` requires STARTTLS (the session refuses to go on without
//!   it); `--tls` is implicit TLS (port 465). Without either, no TLS.
//! - `--ca PEM` trusts the certificates in that file instead of the
//!   Mozilla roots; the name checked is HOST.
//! - `--auth USER:PASS` authenticates with the best mechanism the server
//!   offers (SCRAM-SHA-256 > CRAM-MD5 > PLAIN > LOGIN).
//! - `--from ""` sends the null reverse-path.
//!
//! Pipelining and CHUNKING (BDAT) are used when the server offers them.
//! Every reply the server sends is printed (`<- `), then one line per
//! recipient. The exit status is 0 only when every recipient accepted the
//! message.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::ExitCode;

use mailwire_sasl::Credentials;
use mailwire_smtp::client::{
    ClientConfig, ClientEvent, ClientSession, StartTls, Transaction, TransactionResult,
};

mod net;

#[derive(Default)]
struct Args {
    server: String,
    starttls: bool,
    tls: bool,
    ca: Option<PathBuf>,
    auth: Option<(String, String)>,
    helo: Option<String>,
    lmtp: bool,
    from: Option<String>,
    to: Vec<String>,
    file: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args::default();
    let mut bare = Vec::new();
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--server" => a.server = value("--server")?,
            "--starttls" => a.starttls = true,
            "--tls" => a.tls = true,
            "--ca" => a.ca = Some(value("--ca")?.into()),
            "--auth" => {
                let v = value("--auth")?;
                let (u, p) = v.split_once(':').ok_or("--auth takes USER:PASS")?;
                a.auth = Some((u.to_string(), p.to_string()));
            }
            "--helo" => a.helo = Some(value("--helo")?),
            "--lmtp" => a.lmtp = true,
            "--from" => a.from = Some(value("--from")?),
            "--to" => a.to.push(value("--to")?),
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            _ => bare.push(arg),
        }
    }
    // `--to A B C FILE`: the last bare word is the file, the others more
    // recipients.
    a.file = bare.pop().map(PathBuf::from);
    a.to.extend(bare);
    if a.server.is_empty() || a.from.is_none() || a.to.is_empty() || a.file.is_none() {
        return Err("usage: smtp_send --server HOST:PORT [--starttls|--tls] [--ca PEM] [--auth USER:PASS] \
                    --from ADDR --to ADDR... FILE"
            .into());
    }
    if a.starttls && a.tls {
        return Err("--starttls and --tls exclude each other".into());
    }
    Ok(a)
}

fn main() -> ExitCode {
    match parse_args().and_then(|a| run(&a)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("smtp_send: {e}");
            ExitCode::from(2)
        }
    }
}

/// Sends the message; `Ok(true)` when every recipient took it.
fn run(a: &Args) -> Result<bool, String> {
    let file = a.file.as_deref().ok_or("no FILE")?;
    let message = std::fs::read(file).map_err(|e| format!("reading {}: {e}", file.display()))?;
    let host = a.server.rsplit_once(':').map_or(a.server.as_str(), |(h, _)| h).trim_matches(['[', ']']);
    let tcp = TcpStream::connect(&a.server).map_err(|e| format!("connecting to {}: {e}", a.server))?;
    tcp.set_read_timeout(Some(mailwire_smtp::timeouts::DATA_TERMINATION)).ok();
    let mut conn = net::Conn::Plain(tcp);
    let tls = net::client_config(a.ca.as_deref()).map_err(|e| format!("TLS configuration: {e}"))?;
    if a.tls {
        conn.upgrade_client(tls.clone(), host).map_err(|e| format!("TLS: {e}"))?;
    }

    let mut config = ClientConfig::new(a.helo.clone().unwrap_or_else(|| "localhost".into()));
    config.lmtp = a.lmtp;
    config.tls_active = a.tls;
    config.starttls = if a.starttls { StartTls::Required } else { StartTls::Never };
    config.credentials = a.auth.as_ref().map(|(u, p)| Credentials::password(u.clone(), p.clone()));
    config.nonce = net::random(24);
    let mut session = ClientSession::new(config);

    let to: Vec<&str> = a.to.iter().map(String::as_str).collect();
    let tx =
        Transaction::new(a.from.as_deref().unwrap_or(""), &to).map_err(|e| format!("bad address: {e}"))?;
    let mut tx = Some(tx);
    let mut message = Some(message);
    let mut result: Option<TransactionResult> = None;
    let mut failed = false;
    let mut buf = vec![0; 64 * 1024];
    loop {
        while let Some(bytes) = session.poll_transmit() {
            conn.write_all(&bytes).and_then(|()| conn.flush()).map_err(|e| format!("write: {e}"))?;
        }
        while let Some(event) = session.poll_event() {
            match event {
                ClientEvent::Reply(r) => {
                    for line in String::from_utf8_lossy(&r.to_bytes()).lines() {
                        println!("<- {line}");
                    }
                }
                ClientEvent::StartTls => {
                    conn.upgrade_client(tls.clone(), host).map_err(|e| format!("STARTTLS: {e}"))?;
                    session.tls_established().map_err(|e| e.to_string())?;
                }
                ClientEvent::Ready { .. } => {
                    if let (Some(t), Some(m)) = (tx.take(), message.take()) {
                        if let Err(e) = session.send(t, m) {
                            eprintln!("smtp_send: {e}");
                            failed = true;
                            session.quit();
                        }
                    }
                }
                ClientEvent::Sent(r) => {
                    result = Some(r);
                    session.quit();
                }
                ClientEvent::Failed(e) => {
                    eprintln!("smtp_send: {e}");
                    failed = true;
                }
                _ => {}
            }
        }
        while let Some(bytes) = session.poll_transmit() {
            conn.write_all(&bytes).and_then(|()| conn.flush()).map_err(|e| format!("write: {e}"))?;
        }
        if session.is_closed() {
            break;
        }
        let n = conn.read(&mut buf).map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            eprintln!("smtp_send: the server closed the connection");
            failed = true;
            break;
        }
        session.feed(&buf[..n]);
    }
    let Some(r) = result else { return Ok(false) };
    let finals = r.final_replies();
    for (rcpt, reply) in &r.recipients {
        let fin = finals.iter().find(|(a, _)| a == rcpt).map(|(_, f)| f);
        match fin {
            Some(f) if f.is_positive_completion() => println!("{rcpt}: accepted ({})", f.code.get()),
            Some(f) => println!("{rcpt}: refused after the data ({} {})", f.code.get(), f.first_line()),
            None => println!("{rcpt}: refused ({} {})", reply.code.get(), reply.first_line()),
        }
    }
    let all =
        r.refused().is_empty() && finals.iter().all(|(_, f)| f.is_positive_completion()) && r.delivered();
    Ok(all && !failed)
}
