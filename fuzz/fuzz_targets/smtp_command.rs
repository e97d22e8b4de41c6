//! Parses the input as one SMTP command line. A parsed command must write
//! one canonical line that parses back to the same command; a refused one
//! must carry a 5xx reply with a class-5 enhanced code and one ASCII line
//! of text. The input (as UTF-8) is also read as a mailbox, as paths and
//! as xtext, each with its round trip.
#![no_main]

use std::hint::black_box;

use libfuzzer_sys::fuzz_target;
use mailwire_smtp::command::{
    AddressError, Command, CommandError, ForwardPath, Limits, Mailbox, ReversePath, decode_sasl_base64,
};
use mailwire_smtp::reply::ReplyCode;
use mailwire_smtp::xtext;

fn check_error(e: &CommandError, data: &[u8]) {
    let (code, (class, subject, detail)) = e.reply_code();
    assert!((500..=599).contains(&code), "{e:?} has reply code {code}");
    assert!(ReplyCode::new(code).is_some(), "{e:?}: {code} is not a reply code");
    assert_eq!(class, 5, "{e:?} has enhanced code {class}.{subject}.{detail}");
    assert!(subject <= 999 && detail <= 999, "{e:?}: {class}.{subject}.{detail}");
    assert_eq!(e.code(), code);
    assert_eq!(e.enhanced_code(), (class, subject, detail));
    let text = e.to_string();
    assert!(
        text.is_ascii() && !text.contains(['\r', '\n', '\0']),
        "reply text of {e:?} for {:?} is not one ASCII line: {text:?}",
        String::from_utf8_lossy(data)
    );
}

/// An error that only a limit caused (the line's or a path's length).
fn is_limit_error(e: &CommandError) -> bool {
    matches!(
        e,
        CommandError::LineTooLong { .. }
            | CommandError::InvalidSender(AddressError::PathTooLong { .. })
            | CommandError::InvalidRecipient(AddressError::PathTooLong { .. })
    )
}

fn check_command(cmd: &Command, data: &[u8], within_limits: bool) {
    let wire = cmd.to_bytes();
    let mut written = Vec::new();
    cmd.write(&mut written);
    assert_eq!(wire, written, "to_bytes and write differ");
    assert!(wire.ends_with(b"\r\n"), "{wire:?} does not end with CRLF");
    let body = &wire[..wire.len() - 2];
    assert!(
        !body.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)),
        "{cmd:?} writes more than one line: {:?}",
        String::from_utf8_lossy(&wire)
    );
    assert!(body.starts_with(cmd.verb().as_bytes()), "{cmd:?} written as {wire:?}");
    // The canonical form parses back to the same command (without limits:
    // xtext-encoding ENVID, AUTH= and ORCPT may lengthen the line).
    match Command::parse_with(&wire, &Limits::NONE) {
        Ok(back) => assert_eq!(
            &back,
            cmd,
            "round trip: {:?} -> {:?}",
            String::from_utf8_lossy(data),
            String::from_utf8_lossy(&wire)
        ),
        Err(e) => panic!(
            "round trip: {:?} -> {:?} does not parse: {e:?}",
            String::from_utf8_lossy(data),
            String::from_utf8_lossy(&wire)
        ),
    }
    // Under the default limits the only possible difference is a length:
    // the line's (xtext may lengthen it), or the path's if the input's
    // path was already over the limit.
    match Command::parse(&wire) {
        Ok(back) => assert_eq!(&back, cmd),
        Err(CommandError::LineTooLong { .. }) => {}
        Err(e) if !within_limits && is_limit_error(&e) => {}
        Err(e) => panic!("{:?} is refused under the default limits: {e:?}", String::from_utf8_lossy(&wire)),
    }
    assert_eq!(cmd.validate(), Ok(()), "validate() refuses the parsed {cmd:?}");
    if let Err(e) = cmd.reject_unknown_params() {
        assert!(!cmd.unknown_params().is_empty());
        assert_eq!(e.reply_code(), (555, (5, 5, 4)));
        check_error(&e, data);
    }
    match cmd.decode_initial_response() {
        Ok(_) => {}
        Err(e) => {
            assert_eq!(e, CommandError::InvalidBase64);
            check_error(&e, data);
        }
    }
    match cmd {
        Command::Mail { from, params } => {
            black_box((from.is_null(), from.is_ascii(), params.is_empty()));
            if let Some(m) = from.mailbox() {
                check_mailbox(m);
            }
            if let Some(mailwire_smtp::command::AuthParam::Mailbox(m)) = &params.auth {
                check_mailbox(m);
            }
        }
        Command::Rcpt { to, params } => {
            black_box((to.is_postmaster(), to.is_ascii(), params.is_empty()));
            if let Some(m) = to.mailbox() {
                check_mailbox(m);
            }
        }
        _ => {}
    }
}

/// Accessors of a mailbox, and that it can be rebuilt from its parts.
fn check_mailbox(m: &Mailbox) {
    let (lp, domain) = (m.local_part(), m.domain());
    assert_eq!(format!("{lp}@{domain}"), m.as_str(), "{m:?} splits badly");
    black_box((m.host(), m.is_ascii(), m.is_quoted()));
    let value = m.local_part_unquoted();
    match Mailbox::from_parts(&value, domain) {
        Ok(rebuilt) => {
            assert_eq!(rebuilt.local_part_unquoted(), value, "{m:?} rebuilt as {rebuilt:?}");
            assert_eq!(rebuilt.domain(), domain);
        }
        Err(e) => panic!("{m:?} cannot be rebuilt from ({value:?}, {domain:?}): {e:?}"),
    }
    assert_eq!(Mailbox::parse(m.as_str()).as_ref(), Ok(m));
}

fn check_xtext(s: &str) {
    let valid = xtext::is_valid(s.as_bytes());
    let bytes = xtext::decode_bytes(s.as_bytes());
    assert_eq!(valid, bytes.is_ok(), "is_valid and decode_bytes disagree on {s:?}");
    match xtext::decode(s) {
        Ok(decoded) => {
            assert_eq!(bytes.as_deref(), Ok(decoded.as_bytes()));
            let encoded = xtext::encode(&decoded);
            assert_eq!(encoded.len(), xtext::encoded_len(decoded.as_bytes()));
            assert!(
                encoded.bytes().all(|b| (33..=126).contains(&b) && b != b'='),
                "encode({decoded:?}) = {encoded:?} is not xtext"
            );
            assert_eq!(xtext::decode(&encoded).as_deref(), Ok(decoded.as_str()), "xtext round trip of {s:?}");
            // The canonical encoding is a fixed point.
            assert_eq!(xtext::encode(&xtext::decode(&encoded).unwrap_or_default()), encoded);
        }
        Err(xtext::XtextError::InvalidUtf8) => assert!(bytes.is_ok()),
        Err(_) => assert!(bytes.is_err()),
    }
}

fn check_bytes_xtext(data: &[u8]) {
    let mut encoded = Vec::new();
    xtext::encode_into(data, &mut encoded);
    assert_eq!(encoded.len(), xtext::encoded_len(data));
    assert!(xtext::is_valid(&encoded));
    assert_eq!(xtext::decode_bytes(&encoded).as_deref(), Ok(data), "xtext round trip of bytes");
}

fuzz_target!(|data: &[u8]| {
    let parsed = Command::parse(data);
    let check = Limits::RFC5321.check_line(data);
    match &parsed {
        Ok(cmd) => {
            assert_eq!(check, Ok(()), "check_line refuses a line that parses");
            check_command(cmd, data, true);
        }
        Err(e) => {
            check_error(e, data);
            if let Err(c) = &check {
                assert_eq!(c, e, "check_line and parse disagree");
            }
        }
    }

    // Without limits: the same result unless the line was too long.
    let unlimited = Command::parse_with(data, &Limits::NONE);
    match (&parsed, &unlimited) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(e), Ok(cmd)) if is_limit_error(e) => check_command(cmd, data, false),
        (Err(e), Err(u)) if is_limit_error(e) => check_error(u, data),
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("limits change the result: {a:?} vs {b:?}"),
    }

    // With a CRLF added: the same command (or a longer line).
    if !data.ends_with(b"\r\n") {
        let mut with_crlf = data.to_vec();
        with_crlf.extend_from_slice(b"\r\n");
        match (&parsed, Command::parse(&with_crlf)) {
            (Ok(a), Ok(b)) => assert_eq!(a, &b, "CRLF changes the command"),
            (Err(a), Err(b)) => assert_eq!(a, &b, "CRLF changes the error"),
            (a, b) => panic!("CRLF changes the result: {a:?} vs {b:?}"),
        }
    }

    check_bytes_xtext(data);
    if let Ok(s) = std::str::from_utf8(data) {
        check_xtext(s);
        black_box(decode_sasl_base64(s).ok());
        if let Ok(m) = Mailbox::parse(s) {
            assert_eq!(m.as_str(), s);
            check_mailbox(&m);
        }
        if let Ok(p) = ReversePath::parse(s) {
            assert_eq!(ReversePath::parse(&p.to_string()).as_ref(), Ok(&p), "reverse-path {s:?}");
        }
        if let Ok(p) = ForwardPath::parse(s) {
            assert_eq!(ForwardPath::parse(&p.to_string()).as_ref(), Ok(&p), "forward-path {s:?}");
        }
    }
});
