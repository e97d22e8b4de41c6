//! Reads the input as what an IMAP client sends: every message the framer
//! finds is parsed as a command; a parsed command is written (in each
//! literal mode) and parses back equal, and its written form is a fixed
//! point. `AuthenticateData` and `is_idle_done` take every line. Then a
//! `ServerSession` is fed the input in pieces (a login accepted, every
//! command answered OK): no panic, nothing after `Closed`, and everything it
//! sends parses as responses.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use mailwire_imap::Limits;
use mailwire_imap::command::{self, AuthenticateData, Command};
use mailwire_imap::encode::{LiteralMode, Writer};
use mailwire_imap::error::DecodeError;
use mailwire_imap::response;
use mailwire_imap::server::{ServerConfig, ServerEvent, ServerSession};

fn check_commands(input: &[u8]) {
    let limits = Limits::server();
    let mut rest = Bytes::copy_from_slice(input);
    while !rest.is_empty() {
        match command::decode(&rest, &limits) {
            Ok((c, used)) => {
                assert!(used > 0 && used <= rest.len());
                for (mode, utf8) in [
                    (LiteralMode::Synchronizing, false),
                    (LiteralMode::NonSyncAll, true),
                    (LiteralMode::NonSyncSmall, false),
                ] {
                    let mut w = Writer::client(mode, utf8);
                    c.encode(&mut w);
                    let bytes = Bytes::from(w.finish().into_bytes());
                    let back = Command::parse(&bytes, &limits)
                        .unwrap_or_else(|e| panic!("{c:?} written as {:?} does not parse: {e}", String::from_utf8_lossy(&bytes)));
                    assert_eq!(back, c, "written as {:?}", String::from_utf8_lossy(&bytes));
                    let mut w2 = Writer::client(mode, utf8);
                    back.encode(&mut w2);
                    assert_eq!(w2.finish().as_bytes(), &bytes[..], "not a fixed point");
                }
                rest = rest.slice(used..);
            }
            Err(DecodeError::Incomplete { .. }) => break,
            Err(DecodeError::Parse(e)) => {
                let _ = e.to_string();
                // Skip the broken message's first line.
                match memchr::memchr(b'\n', &rest) {
                    Some(i) => rest = rest.slice(i + 1..),
                    None => break,
                }
            }
            Err(DecodeError::TooLong { .. }) => break,
        }
    }
    for line in input.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Ok(AuthenticateData::Response(bytes)) = AuthenticateData::parse(line) {
            let mut w = Writer::client(LiteralMode::Synchronizing, false);
            AuthenticateData::Response(bytes.clone()).encode(&mut w);
            let out = w.finish().into_bytes();
            let out = out.strip_suffix(b"\r\n").unwrap_or(&out);
            assert_eq!(AuthenticateData::parse(out).ok(), Some(AuthenticateData::Response(bytes)));
        }
        let _ = command::is_idle_done(line);
    }
}

fn run_server(input: &[u8], seed: u8) {
    let mut config = ServerConfig::new();
    config.allow_plaintext_without_tls = seed & 1 == 0;
    config.starttls = seed & 2 == 0;
    if seed & 4 != 0 {
        config.append_stream_threshold = Some(8);
    }
    let mut s = ServerSession::new(config);
    s.greet();
    let mut out = Vec::new();
    let mut closed = false;
    let step = 1 + usize::from(seed >> 3);
    for piece in input.chunks(step) {
        s.feed(piece);
        while let Some(ev) = s.poll_event() {
            assert!(!closed, "event after Closed: {ev:?}");
            match ev {
                ServerEvent::VerifyPassword { .. } => s.auth_password(true).expect("password decision"),
                ServerEvent::NeedSecret { .. } => s.auth_cram_password(None).expect("secret decision"),
                ServerEvent::VerifyToken { .. } => s.auth_token(false).expect("token decision"),
                ServerEvent::Command { .. } | ServerEvent::IdleDone { .. } | ServerEvent::AppendEnd { .. } => {
                    s.ok(None, "done").expect("finish")
                }
                ServerEvent::AppendStart { length, .. } => {
                    if length % 2 == 0 {
                        s.accept_append().expect("accept")
                    } else {
                        s.no(None, "refused").expect("refuse")
                    }
                }
                ServerEvent::StartTls => s.tls_established().expect("tls"),
                ServerEvent::Closed => closed = true,
                _ => {}
            }
        }
        while let Some(bytes) = s.poll_transmit() {
            out.extend_from_slice(&bytes);
        }
    }
    // Everything the server wrote parses as responses.
    let limits = Limits::default();
    let mut rest = Bytes::from(out);
    while !rest.is_empty() {
        match response::decode(&rest, &limits) {
            Ok((_, used)) => rest = rest.slice(used..),
            Err(e) => panic!("the server wrote {:?}: {e}", String::from_utf8_lossy(&rest)),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [seed, input @ ..] = data else { return };
    check_commands(input);
    run_server(input, *seed);
});
