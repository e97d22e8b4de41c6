//! Runs a whole server session on the input. The first byte picks the
//! configuration, the second a byte value after each occurrence of which
//! the rest is cut into the pieces fed one by one. Every decision is
//! answered, accept and reject in turn. Checks that the session never
//! panics, that every decision it asks for can be answered, that nothing
//! is sent after it closes, and that everything it sends is a sequence of
//! well-formed replies (enhanced codes, when announced, of the reply's
//! class), starting with the 220 greeting.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire_sasl::Mechanism;
use mailwire_smtp::command::Limits;
use mailwire_smtp::enhanced::{Class, EnhancedCode};
use mailwire_smtp::reply::{Reply, ReplyCode, ReplyParser};
use mailwire_smtp::server::{ServerConfig, ServerEvent, ServerSession};

const LMTP: u8 = 0x01;
const NO_CHUNKING: u8 = 0x02;
const AUTH: u8 = 0x04;
const AUTH_WITHOUT_TLS: u8 = 0x08;
const SMALL_LIMITS: u8 = 0x10;
const STARTTLS: u8 = 0x20;
const PLAIN_ESMTP: u8 = 0x40;
const AUTH_REQUIRED: u8 = 0x80;

fn config(opts: u8) -> ServerConfig {
    let mut c = ServerConfig::new("mx.test");
    c.lmtp = opts & LMTP != 0;
    c.chunking = opts & NO_CHUNKING == 0;
    if opts & AUTH != 0 {
        c.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
    }
    c.auth_without_tls = opts & AUTH_WITHOUT_TLS != 0;
    if opts & SMALL_LIMITS != 0 {
        c.max_message_size = 64;
        c.max_recipients = 2;
        c.max_errors = 3;
        c.limits = Limits { max_line_len: 64, max_auth_line_len: 128, max_path_len: 32 };
        c.max_buffered_input = 256;
    }
    c.starttls = opts & STARTTLS != 0;
    if opts & PLAIN_ESMTP != 0 {
        c.pipelining = false;
        c.eightbitmime = false;
        c.smtputf8 = false;
        c.dsn = false;
        c.enhanced_status_codes = false;
    }
    c.auth_required = opts & AUTH_REQUIRED != 0;
    c
}

fn rejection(n: usize) -> Reply {
    if n % 4 == 0 {
        Reply::new(ReplyCode::MAILBOX_BUSY, Some(EnhancedCode::new(Class::PersistentTransient, 2, 0)), "Try later")
    } else {
        Reply::new(ReplyCode::MAILBOX_UNAVAILABLE, Some(EnhancedCode::NOT_AUTHORIZED), "Refused")
    }
}

fuzz_target!(|data: &[u8]| {
    let [opts, sep, rest @ ..] = data else { return };
    let cfg = config(*opts);
    let (max_message, max_recipients, enhanced) =
        (cfg.max_message_size, cfg.max_recipients, cfg.enhanced_status_codes);
    let mut s = ServerSession::new(cfg);
    s.greet();

    let mut wire = Vec::new();
    let mut decisions = 0usize;
    let mut events = 0usize;
    let mut closed = false;
    // Every event comes from at least one input line; allow a margin.
    let max_events = 2 * rest.len() + 16;

    let mut handle = |s: &mut ServerSession, wire: &mut Vec<u8>, closed: &mut bool| loop {
        while let Some(bytes) = s.poll_transmit() {
            assert!(!*closed, "sent {:?} after closing", String::from_utf8_lossy(&bytes));
            wire.extend_from_slice(&bytes);
        }
        let Some(ev) = s.poll_event() else { break };
        assert!(!*closed, "event {ev:?} after closing");
        events += 1;
        assert!(events <= max_events, "more than {max_events} events for {} bytes", rest.len());
        let mut decide = || {
            decisions += 1;
            decisions % 2 == 1
        };
        match ev {
            ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. } => {
                let r = if decide() { s.accept() } else { s.reject(rejection(decisions)) };
                r.expect("answering MAIL/RCPT");
            }
            ServerEvent::Message { envelope, data } => {
                assert!(data.len() <= max_message, "a {}-octet message over the limit", data.len());
                assert!(!envelope.recipients.is_empty(), "a message without recipients");
                assert!(envelope.recipients.len() <= max_recipients, "too many recipients");
                let r = if decide() { s.accept() } else { s.reject(rejection(decisions)) };
                r.expect("answering a message");
            }
            ServerEvent::VerifyPassword { .. } => {
                let ok = decide();
                s.auth_password(ok).expect("answering VerifyPassword");
            }
            ServerEvent::NeedSecret { mechanism, .. } => {
                panic!("NeedSecret for {mechanism:?}, which is not offered")
            }
            ServerEvent::VerifyToken { .. } => panic!("VerifyToken, but no token mechanism is offered"),
            ServerEvent::StartTls => {
                s.tls_established().expect("tls_established after StartTls");
                assert!(s.is_tls());
            }
            ServerEvent::Closed => {
                assert!(s.is_closed());
                *closed = true;
            }
            ServerEvent::Hello { .. } | ServerEvent::Authenticated { .. } => {}
            _ => {}
        }
    };

    handle(&mut s, &mut wire, &mut closed);
    for piece in rest.split_inclusive(|b| b == sep) {
        s.feed(piece);
        handle(&mut s, &mut wire, &mut closed);
    }
    assert_eq!(closed, s.is_closed(), "closed without a Closed event, or the reverse");

    // Everything sent is a sequence of whole, well-formed replies.
    let mut p = ReplyParser::new();
    p.feed(&wire);
    let mut count = 0;
    while let Some(r) = p.next_reply() {
        let r = match r {
            Ok(r) => r,
            Err(e) => panic!("the session sent a malformed reply: {e}\n{}", String::from_utf8_lossy(&wire)),
        };
        if count == 0 {
            assert_eq!(r.code, ReplyCode::SERVICE_READY, "first reply is not the greeting");
        }
        count += 1;
        match r.enhanced {
            Some(e) if enhanced => assert_eq!(
                u16::from(e.class.digit()),
                r.code.get() / 100,
                "enhanced code {e} on a {} reply",
                r.code
            ),
            Some(e) => panic!("enhanced code {e} on {} although not announced", r.code),
            None => {}
        }
    }
    assert!(
        p.buffered() == 0 && !p.is_mid_reply(),
        "output ends inside a reply:\n{}",
        String::from_utf8_lossy(&wire)
    );
});
