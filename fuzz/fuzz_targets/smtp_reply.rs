//! Reads the input (after its first byte) as what a server sends: replies
//! in a stream. The first byte chooses where the stream is split in two.
//! Checks that `ReplyParser` gives the same replies and errors whether the
//! stream comes whole, in two pieces or byte by byte, that it agrees with
//! `Reply::parse`, that every reply survives `write` and parsing again,
//! and that `Capabilities::parse` agrees with `Capabilities::from_reply`
//! and its capabilities survive `Display` and `Capability::parse_line`.
//! `EnhancedCode::parse` runs on the stream as text.
#![no_main]

use std::hint::black_box;

use libfuzzer_sys::fuzz_target;
use mailwire_smtp::capability::{Capabilities, Capability, CapabilityError};
use mailwire_smtp::enhanced::EnhancedCode;
use mailwire_smtp::reply::{Reply, ReplyError, ReplyLimits, ReplyParser};

type Item = Result<Reply, ReplyError>;

/// Feeds the pieces in turn, taking every reply out after each one.
fn run<'a>(limits: ReplyLimits, pieces: impl IntoIterator<Item = &'a [u8]>) -> (Vec<Item>, usize, bool) {
    let mut p = ReplyParser::with_limits(limits);
    let mut out = Vec::new();
    for piece in pieces {
        p.feed(piece);
        while let Some(r) = p.next_reply() {
            out.push(r);
            assert!(out.len() <= 1 << 16, "runaway parser");
        }
    }
    (out, p.buffered(), p.is_mid_reply())
}

/// Limits under which a written reply always parses (lossy UTF-8 and the
/// enhanced code on every line may lengthen lines).
const LOOSE: ReplyLimits = ReplyLimits::DEFAULT.with_max_line_length(usize::MAX / 4).with_max_lines(usize::MAX / 4);

/// `write` then parse gives `r` back; `r` must have no CR in its text
/// (`write` turns it into a space).
fn roundtrip(r: &Reply) -> Reply {
    let wire = r.to_bytes();
    let (back, used) = match Reply::parse_with(&wire, &LOOSE) {
        Ok(v) => v,
        Err(e) => panic!("{r:?} written as {:?} does not parse: {e:?}", String::from_utf8_lossy(&wire)),
    };
    assert_eq!(used, wire.len(), "{:?} is more than one reply", String::from_utf8_lossy(&wire));
    back
}

/// The number of lines (through `text()`, whose lines are joined by LF).
fn line_count(r: &Reply) -> usize {
    r.text().split('\n').count()
}

fn check_reply(r: &Reply) {
    let code = r.code.get();
    assert!((200..=599).contains(&code));
    black_box((r.first_line(), r.text(), r.is_multiline(), r.code.class(), r.code.category(), r.to_string()));
    let back = roundtrip(r);
    if r.text().contains('\r') {
        // A bare CR in the text is written as a space: the text (and so
        // whether the first line starts with an enhanced code) may change,
        // but what comes back is a fixed point.
        assert_eq!(back.code, r.code);
        assert_eq!(line_count(&back), line_count(r));
        assert_eq!(roundtrip(&back), back, "second round trip of {r:?}");
    } else {
        assert_eq!(back, *r, "round trip of {:?}", String::from_utf8_lossy(&r.to_bytes()));
    }
    // Without the enhanced code the lines come back as they were.
    let mut plain = Vec::new();
    r.write_without_enhanced(&mut plain);
    match Reply::parse_with(&plain, &LOOSE) {
        Ok((b, used)) => {
            assert_eq!(used, plain.len());
            assert_eq!(b.code, r.code);
            assert_eq!(line_count(&b), line_count(r));
        }
        Err(e) => panic!("{r:?} written without enhanced code does not parse: {e:?}"),
    }
}

fn check_capabilities(stream: &[u8]) {
    let caps = Capabilities::parse(stream);
    match (Reply::parse(stream), &caps) {
        (Ok((r, n)), Ok((c, m))) => {
            assert_eq!(n, *m);
            assert_eq!(Capabilities::from_reply(&r).as_ref(), Ok(c), "from_reply and parse disagree");
        }
        (Ok((r, _)), Err(CapabilityError::NotAccepted { code })) => {
            assert_eq!(r.code, *code);
            assert_ne!(code.get(), 250);
        }
        (Err(a), Err(CapabilityError::Reply(b))) => assert_eq!(a, *b),
        (a, b) => panic!("Reply::parse and Capabilities::parse disagree: {a:?} vs {b:?}"),
    }
    let Ok((caps, _)) = caps else { return };
    black_box((
        caps.size(),
        caps.auth_mechanisms(),
        caps.supports_auth("PLAIN"),
        caps.mt_priority_policy(),
        caps.future_release(),
        caps.deliver_by_min(),
        caps.supports_pipelining(),
        caps.supports_chunking(),
        caps.other_params("XCLIENT"),
    ));
    assert!(caps.list.iter().filter(|c| matches!(c, Capability::Auth(_))).count() <= 1, "two AUTH entries");
    for cap in &caps.list {
        let line = cap.to_string();
        assert_eq!(Capability::parse_line(&line).as_ref(), Some(cap), "capability {cap:?} written as {line:?}");
        black_box((cap.kind(), cap.keyword()));
    }
    // What a server would send with the same extensions reads back the same.
    // (Not when a bare CR would become a space, nor when the domain itself
    // reads as an enhanced code, which parsing would take off.)
    let first = caps.to_reply(&caps.domain, caps.text.as_deref());
    let first = first.first_line();
    if !caps.domain.is_empty() && !first.contains('\r') && EnhancedCode::parse_prefix(first.as_bytes()).is_none() {
        let reply = caps.to_reply(&caps.domain, caps.text.as_deref());
        let wire = reply.to_bytes();
        let (back, _) = Reply::parse_with(&wire, &LOOSE).expect("to_reply output parses");
        let back = Capabilities::from_reply(&back).expect("a 250 reply");
        assert_eq!(back, caps, "to_reply of {caps:?}: {:?}", String::from_utf8_lossy(&wire));
    }
}

fn check_enhanced(stream: &[u8]) {
    black_box(EnhancedCode::parse_prefix(stream));
    let text = String::from_utf8_lossy(stream);
    if let Ok(code) = EnhancedCode::parse(&text) {
        let s = code.to_string();
        assert_eq!(EnhancedCode::parse(&s), Ok(code), "{code:?} written as {s:?}");
        assert_eq!(EnhancedCode::parse_prefix(text.as_bytes()), Some((code, text.len())));
        let mut w = Vec::new();
        code.write(&mut w);
        assert_eq!(w, s.as_bytes());
        black_box((code.description(), code.subject_description(), code.class_description(), code.registry_entry()));
    }
}

fuzz_target!(|data: &[u8]| {
    let [first, stream @ ..] = data else { return };
    let k = usize::from(*first);
    let split = if k & 0x80 == 0 { k.min(stream.len()) } else { stream.len() * (k & 0x7f) / 0x7f };
    let (a, b) = stream.split_at(split);

    for limits in [
        ReplyLimits::DEFAULT,
        ReplyLimits::DEFAULT.with_max_line_length(24).with_max_lines(3),
    ] {
        let whole = run(limits, [stream]);
        let halves = run(limits, [a, b]);
        assert_eq!(whole, halves, "split at {split} changes the result");
        let bytes = run(limits, stream.chunks(1));
        assert_eq!(whole, bytes, "byte-by-byte feeding changes the result");
        let (replies, buffered, mid) = whole;
        if !mid {
            assert_eq!(buffered, 0);
        }

        // Reply::parse reads the first reply the same way.
        match (Reply::parse_with(stream, &limits), replies.first()) {
            (Ok((r, _)), Some(Ok(p))) => assert_eq!(&r, p),
            (Err(ReplyError::Incomplete), None) => {}
            (Err(e), Some(Err(p))) => assert_eq!(&e, p),
            (a, b) => panic!("Reply::parse and ReplyParser disagree: {a:?} vs {b:?}"),
        }
        for r in replies.iter().flatten() {
            check_reply(r);
        }
    }

    check_capabilities(stream);
    check_enhanced(stream);
});
