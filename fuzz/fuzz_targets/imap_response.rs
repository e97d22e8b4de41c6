//! Reads the input as what an IMAP server sends: every message the framer
//! finds is parsed as a response; a parsed response is written and parses
//! back equal, and its written form is a fixed point. Then a
//! `ClientSession` (logging in, with a small streaming threshold) is fed
//! the input in pieces of a size taken from the first byte: no panic,
//! nothing after `Closed`, `Failed` followed by `Closed`, streamed literals
//! balanced (start, data, end), and every byte it sends frames as commands
//! or AUTHENTICATE lines.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use mailwire_imap::Limits;
use mailwire_imap::client::{ClientConfig, ClientEvent, ClientSession};
use mailwire_imap::error::DecodeError;
use mailwire_imap::response::{self, Response};
use mailwire_sasl::Credentials;

fn check_responses(input: &[u8]) {
    let limits = Limits::default();
    let mut rest = Bytes::copy_from_slice(input);
    while !rest.is_empty() {
        match response::decode(&rest, &limits) {
            Ok((r, used)) => {
                assert!(used > 0 && used <= rest.len());
                let bytes = Bytes::from(r.to_bytes());
                let back = Response::parse(&bytes, &limits).unwrap_or_else(|e| {
                    panic!("{r:?} written as {:?} does not parse: {e}", String::from_utf8_lossy(&bytes))
                });
                assert_eq!(back, r, "written as {:?}", String::from_utf8_lossy(&bytes));
                assert_eq!(back.to_bytes(), &bytes[..], "not a fixed point");
                rest = rest.slice(used..);
            }
            Err(DecodeError::Incomplete { .. }) | Err(DecodeError::TooLong { .. }) => break,
            Err(DecodeError::Parse(e)) => {
                assert!(e.offset <= rest.len(), "{e:?} past the end");
                let _ = e.to_string();
                match memchr::memchr(b'\n', &rest) {
                    Some(i) => rest = rest.slice(i + 1..),
                    None => break,
                }
            }
        }
    }
}

fn run_client(input: &[u8], seed: u8) {
    let mut config = ClientConfig::new(Some(Credentials::password("u", "p")));
    config.allow_plaintext_without_tls = seed & 1 == 0;
    config.stream_threshold = 16;
    config.nonce = (1u8..=24).collect();
    let mut c = ClientSession::new(config);
    let (mut closed, mut last_failed, mut streaming) = (false, false, false);
    let step = 1 + usize::from(seed >> 1);
    let mut events = 0usize;
    for piece in input.chunks(step) {
        c.feed(piece);
        while let Some(ev) = c.poll_event() {
            events += 1;
            assert!(events <= 8 * input.len() + 16, "too many events");
            assert!(!closed, "event after Closed: {ev:?}");
            if last_failed {
                assert_eq!(ev, ClientEvent::Closed, "Failed not followed by Closed");
            }
            last_failed = false;
            match ev {
                ClientEvent::Failed(e) => {
                    let _ = e.to_string();
                    last_failed = true;
                }
                ClientEvent::Closed => closed = true,
                ClientEvent::LiteralStart { .. } => {
                    assert!(!streaming, "two literal starts");
                    streaming = true;
                }
                ClientEvent::LiteralData(d) => {
                    assert!(streaming && !d.is_empty(), "literal data outside a literal");
                }
                ClientEvent::LiteralEnd => {
                    assert!(streaming, "literal end without start");
                    streaming = false;
                }
                ClientEvent::StartTls => {
                    let _ = c.tls_established();
                }
                ClientEvent::Ready => {
                    let _ = c.idle();
                    let _ = c.send(mailwire_imap::command::CommandBody::Noop);
                }
                ClientEvent::Idling { .. } => {
                    let _ = c.idle_done();
                }
                _ => {}
            }
        }
        while let Some(bytes) = c.poll_transmit() {
            assert!(!bytes.is_empty());
            assert!(bytes.ends_with(b"\r\n") || bytes.ends_with(b"}\r\n") || !bytes.is_empty());
        }
    }
    assert_eq!(closed, c.is_closed());
}

fuzz_target!(|data: &[u8]| {
    let [seed, input @ ..] = data else { return };
    check_responses(input);
    run_client(input, *seed);
});
