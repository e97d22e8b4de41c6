//! Replies, enhanced status codes and EHLO capabilities: the RFCs' own
//! examples (RFC 5321 Appendix D, RFC 2920, RFC 1870, RFC 3030, RFC 3207,
//! RFC 4954, RFC 6152, RFC 8689, RFC 2034), EHLO replies shaped like real
//! servers' (Postfix, Exchange, Gmail, Outlook.com, Exim, Sendmail), malformed
//! input, and property tests: any split of the input gives the same replies,
//! and what is written parses back to the same reply.

use mailwire_smtp::capability::{Capabilities, Capability, CapabilityError, CapabilityKind};
use mailwire_smtp::enhanced::{Class, EnhancedCode, Subject};
use mailwire_smtp::reply::{Category, Reply, ReplyClass, ReplyCode, ReplyError, ReplyLimits, ReplyParser};
use proptest::prelude::*;

/// The server's lines of an RFC dialogue (`S: ` or, in RFC 3030, `R: `),
/// without the `<wait for connection>` stage directions, joined with CRLF.
fn server_side(dialogue: &str, prefix: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for line in dialogue.lines() {
        let line = line.trim_start();
        if let Some(text) = line.strip_prefix(prefix) {
            if !text.starts_with('<') {
                out.extend_from_slice(text.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out
}

/// A reply's lines.
fn lines(r: &Reply) -> Vec<&str> {
    r.lines().collect()
}

/// Every reply in `input`, fed in one piece.
fn parse_all(input: &[u8]) -> Vec<Result<Reply, ReplyError>> {
    parse_split(input, &[input.len()], ReplyLimits::DEFAULT)
}

/// Every reply in `input`, fed in chunks of the given sizes (the rest in one).
fn parse_split(input: &[u8], sizes: &[usize], limits: ReplyLimits) -> Vec<Result<Reply, ReplyError>> {
    let mut parser = ReplyParser::with_limits(limits);
    let mut out = Vec::new();
    let mut rest = input;
    for &n in sizes {
        let n = n.min(rest.len());
        parser.feed(&rest[..n]);
        rest = &rest[n..];
        while let Some(r) = parser.next_reply() {
            out.push(r);
        }
    }
    parser.feed(rest);
    while let Some(r) = parser.next_reply() {
        out.push(r);
    }
    out
}

/// Every reply in `input`, one byte at a time.
fn parse_bytewise(input: &[u8], limits: ReplyLimits) -> Vec<Result<Reply, ReplyError>> {
    parse_split(input, &vec![1; input.len()], limits)
}

/// Every reply, read with repeated `Reply::parse` calls.
fn parse_repeatedly(mut input: &[u8]) -> Vec<Reply> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (reply, used) = Reply::parse(input).unwrap();
        out.push(reply);
        input = &input[used..];
    }
    out
}

fn ok_replies(input: &[u8]) -> Vec<Reply> {
    let all = parse_all(input);
    let replies: Vec<Reply> = all.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(replies, parse_repeatedly(input));
    assert_eq!(
        replies,
        parse_bytewise(input, ReplyLimits::DEFAULT).into_iter().map(|r| r.unwrap()).collect::<Vec<_>>()
    );
    replies
}

fn codes(replies: &[Reply]) -> Vec<u16> {
    replies.iter().map(|r| r.code.get()).collect()
}

fn caps(text: &str) -> Capabilities {
    let (caps, used) = Capabilities::parse(text.as_bytes()).unwrap();
    assert_eq!(used, text.len());
    caps
}

// RFC 5321 Appendix D.

const RFC5321_D1: &str = r#"
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250 HELP
      C: MAIL FROM:<Smith@bar.com>
      S: 250 OK
      C: RCPT TO:<Jones@foo.com>
      S: 250 OK
      C: RCPT TO:<Green@foo.com>
      S: 550 No such user here
      C: RCPT TO:<Brown@foo.com>
      S: 250 OK
      C: DATA
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Blah blah blah...
      C: ...etc. etc. etc.
      C: .
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
"#;

#[test]
fn rfc5321_d1_typical_transaction() {
    let replies = ok_replies(&server_side(RFC5321_D1, "S: "));
    assert_eq!(codes(&replies), [220, 250, 250, 250, 550, 250, 354, 250, 221]);
    assert_eq!(lines(&replies[0]), ["foo.com Simple Mail Transfer Service Ready"]);
    assert_eq!(lines(&replies[1]), ["foo.com greets bar.com", "8BITMIME", "SIZE", "DSN", "HELP"]);
    assert_eq!(lines(&replies[4]), ["No such user here"]);
    assert!(replies[4].code.is_permanent_negative() && replies[4].enhanced.is_none());
    assert_eq!(replies[6], Reply::start_mail_input());
    assert!(replies[6].code.is_intermediate());
    assert_eq!(replies[8].first_line(), "foo.com Service closing transmission channel");

    let ehlo = Capabilities::from_reply(&replies[1]).unwrap();
    assert_eq!(ehlo.domain, "foo.com");
    assert_eq!(ehlo.text.as_deref(), Some("greets bar.com"));
    assert_eq!(
        ehlo.list,
        [Capability::EightBitMime, Capability::Size(None), Capability::Dsn, Capability::Help]
    );
    assert!(ehlo.has(CapabilityKind::Size));
    assert_eq!(ehlo.size(), None);
}

#[test]
fn rfc5321_d2_to_d4() {
    let d2 = r#"
      S: 220 foo.com Simple Mail Transfer Service Ready
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250 HELP
      S: 250 OK
      S: 250 OK
      S: 550 No such user here
      S: 250 OK
      S: 221 foo.com Service closing transmission channel
"#;
    assert_eq!(codes(&ok_replies(&server_side(d2, "S: "))), [220, 250, 250, 250, 550, 250, 221]);

    // D.3 step 2: a single-line EHLO reply, no extensions.
    let step2 = r#"
           S: 220 xyz.com Simple Mail Transfer Service Ready
           C: EHLO foo.com
           S: 250 xyz.com is on the air
"#;
    let replies = ok_replies(&server_side(step2, "S: "));
    let ehlo = Capabilities::from_reply(&replies[1]).unwrap();
    assert_eq!((ehlo.domain.as_str(), ehlo.text.as_deref()), ("xyz.com", Some("is on the air")));
    assert!(ehlo.list.is_empty());

    // D.4: VRFY advertised, and its reply.
    let d4 = r#"
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250-VRFY
      S: 250 HELP
      C: VRFY Crispin
      S: 250 Mark Crispin <Admin.MRC@foo.com>
"#;
    let replies = ok_replies(&server_side(d4, "S: "));
    assert!(Capabilities::from_reply(&replies[0]).unwrap().has(CapabilityKind::Vrfy));
    assert_eq!(lines(&replies[1]), ["Mark Crispin <Admin.MRC@foo.com>"]);
}

// RFC 2920 section 3.

const RFC2920_PIPELINED: &str = r#"
   S: 220 innosoft.com SMTP service ready
   C: EHLO dbc.mtview.ca.us
   S: 250-innosoft.com
   S: 250 PIPELINING
   C: MAIL FROM:<mrose@dbc.mtview.ca.us>
   C: RCPT TO:<ned@innosoft.com>
   C: RCPT TO:<dan@innosoft.com>
   C: RCPT TO:<kvc@innosoft.com>
   C: DATA
   S: 250 sender <mrose@dbc.mtview.ca.us> OK
   S: 250 recipient <ned@innosoft.com> OK
   S: 250 recipient <dan@innosoft.com> OK
   S: 250 recipient <kvc@innosoft.com> OK
   S: 354 enter mail, end with line containing only "."
   C: .
   C: QUIT
   S: 250 message sent
   S: 221 goodbye
"#;

#[test]
fn rfc2920_pipelined_replies() {
    let replies = ok_replies(&server_side(RFC2920_PIPELINED, "S: "));
    assert_eq!(codes(&replies), [220, 250, 250, 250, 250, 250, 354, 250, 221]);
    let ehlo = Capabilities::from_reply(&replies[1]).unwrap();
    assert_eq!(ehlo.domain, "innosoft.com");
    assert_eq!(ehlo.text, None);
    assert!(ehlo.supports_pipelining());
    assert_eq!(lines(&replies[6]), [r#"enter mail, end with line containing only ".""#]);

    // The failing variants: every RCPT refused, then DATA refused (or, in the
    // last example, accepted and the empty message refused).
    let refused = r#"
   S: 220 innosoft.com SMTP service ready
   S: 250-innosoft.com
   S: 250 PIPELINING
   S: 250 sender <mrose@dbc.mtview.ca.us> OK
   S: 550 remote mail to <nsb@thumper.bellore.com> not allowed
   S: 550 remote mail to <galvin@tis.com> not allowed
   S: 554 no valid recipients given
   S: 221 goodbye
"#;
    let replies = ok_replies(&server_side(refused, "S: "));
    assert_eq!(codes(&replies), [220, 250, 250, 550, 550, 554, 221]);
    assert!(replies[3].code.is_permanent_negative());
    assert_eq!(replies[5].code.category(), Category::MailSystem);

    let accepted_then_refused = r#"
   S: 250 sender <mrose@dbc.mtview.ca.us> OK
   S: 550 remote mail to <nsb@thumper.bellore.com> not allowed
   S: 550 remote mail to <galvin@tis.com> not allowed
   S: 354 enter mail, end with line containing only "."
   S: 554 no valid recipients
   S: 221 goodbye
"#;
    assert_eq!(
        codes(&ok_replies(&server_side(accepted_then_refused, "S: "))),
        [250, 550, 550, 354, 554, 221]
    );

    // The non-pipelined example of section 3 answers HELO with one line.
    let helo = r#"
   S: 220 Innosoft.com SMTP service ready
   C: HELO dbc.mtview.ca.us
   S: 250 Innosoft.com
"#;
    assert_eq!(lines(&ok_replies(&server_side(helo, "S: "))[1]), ["Innosoft.com"]);
}

#[test]
fn rfc1870_size() {
    let dialogue = r#"
   S: <wait for connection on TCP port 25>
   C: <open connection to server>
   S: 220 sigurd.innosoft.com -- Server SMTP (PMDF V4.2-6 #1992)
   C: EHLO ymir.claremont.edu
   S: 250-sigurd.innosoft.com
   S: 250-EXPN
   S: 250-HELP
   S: 250 SIZE 1000000
   C: MAIL FROM:<ned@thor.innosoft.com> SIZE=500000
   S: 250 Address Ok.
   C: RCPT TO:<ned@innosoft.com>
   S: 250 ned@innosoft.com OK; can accomodate 500000 byte message
   C: RCPT TO:<ned@ymir.claremont.edu>
   S: 552 Channel size limit exceeded: ned@YMIR.CLAREMONT.EDU
   C: RCPT TO:<ned@hmcvax.claremont.edu>
   S: 452 Insufficient channel storage: ned@hmcvax.CLAREMONT.EDU
   C: DATA
   S: 354 Send message, ending in CRLF.CRLF.
   S: 250 Some recipients OK
   C: QUIT
   S: 221 Goodbye
"#;
    let replies = ok_replies(&server_side(dialogue, "S: "));
    assert_eq!(codes(&replies), [220, 250, 250, 250, 552, 452, 354, 250, 221]);
    let ehlo = Capabilities::from_reply(&replies[1]).unwrap();
    assert_eq!(ehlo.list, [Capability::Expn, Capability::Help, Capability::Size(Some(1_000_000))]);
    assert_eq!(ehlo.size(), Some(1_000_000));
    assert!(replies[5].code.is_transient_negative());
    assert_eq!(replies[5].code.class(), ReplyClass::TransientNegative);
}

#[test]
fn rfc3030_chunking_and_binarymime() {
    let simple = r#"
   R: <wait for connection on TCP port 25>
   S: <open connection to server>
   R: 220 cnri.reston.va.us SMTP service ready
   S: EHLO ymir.claremont.edu
   R: 250-cnri.reston.va.us says hello
   R: 250 CHUNKING
   S: MAIL FROM:<Sam@Random.com>
   R: 250 <Sam@Random.com> Sender ok
   S: RCPT TO:<Susan@Random.com>
   R: 250 <Susan@random.com> Recipient ok
   S: BDAT 86 LAST
   R: 250 Message OK, 86 octets received
   S: QUIT
   R: 221 Goodbye
"#;
    let replies = ok_replies(&server_side(simple, "R: "));
    assert_eq!(codes(&replies), [220, 250, 250, 250, 250, 221]);
    assert!(Capabilities::from_reply(&replies[1]).unwrap().supports_chunking());

    let pipelined = r#"
   R: 220 cnri.reston.va.us SMTP service ready
   R: 250-cnri.reston.va.us says hello
   R: 250-PIPELINING
   R: 250-BINARYMIME
   R: 250 CHUNKING
   R: 250 <ned@ymir.claremont.edu>... Sender and BINARYMIME ok
   R: 250 <gvaudre@cnri.reston.va.us>... Recipient ok
   R: 250 <jstewart@cnri.reston.va.us>... Recipient ok
   R: 250 100000 octets received
   R: 250 324 octets received
   R: 250 Message OK, 100324 octets received
   R: 221 Goodbye
"#;
    let replies = ok_replies(&server_side(pipelined, "R: "));
    assert_eq!(replies.len(), 9);
    let ehlo = Capabilities::from_reply(&replies[1]).unwrap();
    assert!(ehlo.supports_pipelining() && ehlo.supports_binarymime() && ehlo.supports_chunking());
    assert_eq!(ehlo.text.as_deref(), Some("says hello"));
    assert_eq!(replies[7].first_line(), "Message OK, 100324 octets received");
}

#[test]
fn rfc3207_starttls() {
    let dialogue = r#"
   S: 220 mail.imc.org SMTP service ready
   C: EHLO mail.example.com
   S: 250-mail.imc.org offers a warm hug of welcome
   S: 250-8BITMIME
   S: 250-STARTTLS
   S: 250 DSN
   C: STARTTLS
   S: 220 Go ahead
"#;
    let input = server_side(dialogue, "S: ");
    let mut parser = ReplyParser::new();
    parser.feed(&input);
    assert_eq!(parser.next_reply().unwrap().unwrap().code, ReplyCode::SERVICE_READY);
    let ehlo = Capabilities::from_reply(&parser.next_reply().unwrap().unwrap()).unwrap();
    assert!(ehlo.supports_starttls() && ehlo.supports_8bitmime() && ehlo.supports_dsn());
    assert_eq!(lines(&parser.next_reply().unwrap().unwrap()), ["Go ahead"]);
    // Nothing may be left over when the TLS handshake starts.
    assert_eq!(parser.buffered(), 0);
    assert!(!parser.is_mid_reply());

    // A server that sends more after its 220 (an injection) is visible.
    parser.feed(b"220 Go ahead\r\n250 injected\r");
    assert!(parser.next_reply().unwrap().is_ok());
    assert!(parser.buffered() > 0);
    parser.reset();
    assert_eq!(parser.buffered(), 0);
    assert!(parser.next_reply().is_none());
}

#[test]
fn rfc4954_auth() {
    let dialogue = r#"
   S: 250-smtp.example.com Hello client.example.com
   S: 250-AUTH GSSAPI DIGEST-MD5
   S: 250-ENHANCEDSTATUSCODES
   S: 250 STARTTLS
   C: STARTTLS
   S: 220 Ready to start TLS
   C: EHLO client.example.com
   S: 250-smtp.example.com Hello client.example.com
   S: 250 AUTH GSSAPI DIGEST-MD5 PLAIN
   C: AUTH PLAIN
   S: 334
   C: dGVzdAB0ZXN0ADEyMzQ=
   S: 235 2.7.0 Authentication successful
   C: AUTH CRAM-MD5
   S: 334 PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVk
"#;
    let replies = ok_replies(&server_side(dialogue, "S: "));
    assert_eq!(codes(&replies), [250, 220, 250, 334, 235, 334]);
    let before = Capabilities::from_reply(&replies[0]).unwrap();
    assert_eq!(before.auth_mechanisms(), ["GSSAPI", "DIGEST-MD5"]);
    assert!(before.supports_enhanced_status_codes() && before.supports_starttls());
    let after = Capabilities::from_reply(&replies[2]).unwrap();
    assert!(after.supports_auth("plain") && !after.supports_starttls());
    // `334` alone: an empty challenge.
    assert_eq!((replies[3].enhanced, lines(&replies[3])), (None, vec![""]));
    assert_eq!(replies[4], Reply::auth_succeeded());
    assert_eq!(replies[5].first_line(), "PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVk");

    // The examples' greeting is `220-smtp.example.com ESMTP Server` and the
    // RFC shows no last line: the parser keeps waiting for it.
    let mut parser = ReplyParser::new();
    parser.feed(b"220-smtp.example.com ESMTP Server\r\n");
    assert!(parser.next_reply().is_none());
    assert!(parser.is_mid_reply());
    assert_eq!(Reply::parse(b"220-smtp.example.com ESMTP Server\r\n"), Err(ReplyError::Incomplete));
    parser.feed(b"220 ready\r\n");
    assert_eq!(lines(&parser.next_reply().unwrap().unwrap()), ["smtp.example.com ESMTP Server", "ready"]);

    // Section 6's replies, as this crate builds them.
    let built: Vec<Vec<u8>> = [
        Reply::auth_succeeded(),
        Reply::temporary_auth_failure(),
        Reply::auth_mechanism_too_weak(),
        Reply::auth_credentials_invalid(),
        Reply::auth_line_too_long(),
        Reply::auth_required(),
        Reply::encryption_required(),
    ]
    .iter()
    .map(Reply::to_bytes)
    .collect();
    assert_eq!(
        built,
        [
            &b"235 2.7.0 Authentication successful\r\n"[..],
            b"454 4.7.0 Temporary authentication failure\r\n",
            b"534 5.7.9 Authentication mechanism is too weak\r\n",
            b"535 5.7.8 Authentication credentials invalid\r\n",
            b"500 5.5.6 Authentication Exchange line is too long\r\n",
            b"530 5.7.0 Authentication required\r\n",
            b"538 5.7.11 Encryption required for requested authentication mechanism\r\n",
        ]
    );
}

#[test]
fn rfc6152_rfc8689_ehlo() {
    let rfc6152 = r#"
   S: 220 dbc.mtview.ca.us SMTP service ready
   S: 250-dbc.mtview.ca.us says hello
   S: 250 8BITMIME
   S: 250 <ned@ymir.claremont.edu>... Sender and 8BITMIME ok
"#;
    let replies = ok_replies(&server_side(rfc6152, "S: "));
    assert!(Capabilities::from_reply(&replies[1]).unwrap().supports_8bitmime());

    let rfc8689 = r#"
    S: 220 mail.example.net ESMTP
    S: 250-mail.example.net Hello example.org [192.0.2.1]
    S: 250-SIZE 52428800
    S: 250-8BITMIME
    S: 250-PIPELINING
    S: 250-REQUIRETLS
    S: 250 HELP
    S: 250 OK
    S: 250 Accepted
    S: 354 Enter message, ending with "." on a line by itself
    S: 250 OK
"#;
    let replies = ok_replies(&server_side(rfc8689, "S: "));
    let ehlo = Capabilities::from_reply(&replies[1]).unwrap();
    assert_eq!(ehlo.text.as_deref(), Some("Hello example.org [192.0.2.1]"));
    assert_eq!(ehlo.size(), Some(52_428_800));
    assert!(ehlo.supports_requiretls() && ehlo.has(CapabilityKind::Help));
}

/// RFC 2034 section 6's example (RFC 2034 is not among `../shared/rfc`; the
/// dialogue is written from the RFC's published text).
#[test]
fn rfc2034_enhanced_status_codes() {
    let dialogue = r#"
   S: 220 dbc.mtview.ca.us SMTP service ready
   C: EHLO ymir.claremont.edu
   S: 250-dbc.mtview.ca.us says hello
   S: 250 ENHANCEDSTATUSCODES
   C: MAIL FROM:<ned@ymir.claremont.edu>
   S: 250 2.1.0 Originator <ned@ymir.claremont.edu> ok
   C: RCPT TO:<mrose@dbc.mtview.ca.us>
   S: 250 2.1.5 Recipient <mrose@dbc.mtview.ca.us> ok
   C: RCPT TO:<nosuchuser@dbc.mtview.ca.us>
   S: 550 5.1.1 Mailbox "nosuchuser" does not exist
   C: RCPT TO:<remoteuser@isi.edu>
   S: 551-5.7.1 Forwarding to remote hosts disabled
   S: 551 5.7.1 Select another host to act as your forwarder
   C: DATA
   S: 354 Send message, ending in CRLF.CRLF.
   C: .
   S: 250 2.6.0 Message accepted
   C: QUIT
   S: 221 2.0.0 Goodbye
"#;
    let input = server_side(dialogue, "S: ");
    let replies = ok_replies(&input);
    assert_eq!(codes(&replies), [220, 250, 250, 250, 550, 551, 354, 250, 221]);
    assert!(Capabilities::from_reply(&replies[1]).unwrap().supports_enhanced_status_codes());
    let enhanced: Vec<Option<String>> = replies.iter().map(|r| r.enhanced.map(|e| e.to_string())).collect();
    let expected = [
        None,
        None,
        Some("2.1.0"),
        Some("2.1.5"),
        Some("5.1.1"),
        Some("5.7.1"),
        None,
        Some("2.6.0"),
        Some("2.0.0"),
    ];
    assert_eq!(enhanced, expected.map(|e| e.map(String::from)));
    assert_eq!(replies[2].enhanced, Some(EnhancedCode::SENDER_OK));
    assert_eq!(replies[3].enhanced, Some(EnhancedCode::DESTINATION_VALID));
    assert_eq!(
        lines(&replies[5]),
        ["Forwarding to remote hosts disabled", "Select another host to act as your forwarder"]
    );
    assert_eq!(replies[7], Reply::message_accepted());
    // Written back, every reply is byte for byte what the server sent.
    let mut out = Vec::new();
    replies.iter().for_each(|r| r.write(&mut out));
    assert_eq!(out, input);

    let e = replies[4].enhanced.unwrap();
    assert!(e.is_permanent() && e.is_addressing());
    assert_eq!(e.description(), Some("Bad destination mailbox address"));
    let e = replies[5].enhanced.unwrap();
    assert_eq!(
        (e.subject_category(), e.subject_description()),
        (Subject::Security, Some("Security or Policy Status"))
    );
    assert_eq!(e.description(), Some("Delivery not authorized, message refused"));
}

// Real-world EHLO replies, in the shape their servers send them.

#[test]
fn postfix_ehlo() {
    let postfix = "250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n\
                   250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-AUTH=PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n\
                   250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n";
    let c = caps(postfix);
    assert_eq!((c.domain.as_str(), c.text.as_deref()), ("mail.example.com", None));
    assert_eq!(c.size(), Some(10_240_000));
    // Both AUTH lines become one, each mechanism once.
    assert_eq!(c.auth_mechanisms(), ["PLAIN", "LOGIN"]);
    assert_eq!(c.list.iter().filter(|c| c.kind() == CapabilityKind::Auth).count(), 1);
    for kind in [
        CapabilityKind::Pipelining,
        CapabilityKind::Vrfy,
        CapabilityKind::Etrn,
        CapabilityKind::StartTls,
        CapabilityKind::EnhancedStatusCodes,
        CapabilityKind::EightBitMime,
        CapabilityKind::Dsn,
        CapabilityKind::SmtpUtf8,
        CapabilityKind::Chunking,
    ] {
        assert!(c.has(kind), "{kind:?}");
    }
    assert!(!c.has(CapabilityKind::BinaryMime));
    assert_eq!(c.list.len(), 11);

    // Bare LF line endings give the same result.
    assert_eq!(caps(&postfix.replace("\r\n", "\n")), c);

    // Postfix's rejection texts.
    let (r, _) = Reply::parse(
        b"550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table\r\n",
    )
    .unwrap();
    assert_eq!(r.enhanced, Some(EnhancedCode::BAD_DESTINATION_MAILBOX));
    assert!(r.first_line().starts_with("<nobody@example.com>: Recipient"));
    let (r, _) = Reply::parse(b"554 5.7.1 <spam@example.net>: Relay access denied\r\n").unwrap();
    assert!(r.enhanced.unwrap().is_security());
    let (r, _) =
        Reply::parse(b"450 4.2.0 <a@example.org>: Recipient address rejected: Greylisted\r\n").unwrap();
    assert!(r.enhanced.unwrap().is_transient() && r.enhanced.unwrap().subject_category() == Subject::Mailbox);
}

#[test]
fn exchange_ehlo_with_old_auth_form() {
    let exchange = "250-mail.contoso.com Hello [192.0.2.10]\r\n250-TURN\r\n250-SIZE\r\n250-ETRN\r\n\
                    250-PIPELINING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-8bitmime\r\n250-BINARYMIME\r\n\
                    250-CHUNKING\r\n250-VRFY\r\n250-X-EXPS GSSAPI NTLM LOGIN\r\n250-X-EXPS=LOGIN\r\n\
                    250-AUTH GSSAPI NTLM LOGIN\r\n250-AUTH=LOGIN\r\n250-X-LINK2STATE\r\n250-XEXCH50\r\n250 OK\r\n";
    let c = caps(exchange);
    assert_eq!((c.domain.as_str(), c.text.as_deref()), ("mail.contoso.com", Some("Hello [192.0.2.10]")));
    assert_eq!(c.auth_mechanisms(), ["GSSAPI", "NTLM", "LOGIN"]);
    assert!(c.supports_8bitmime(), "keywords are case-insensitive");
    assert_eq!(c.get(CapabilityKind::Size), Some(&Capability::Size(None)));
    assert!(c.has_keyword("x-exps") && c.has_keyword("XEXCH50") && c.has_keyword("turn"));
    assert_eq!(c.other_params("X-EXPS").unwrap(), ["GSSAPI", "NTLM", "LOGIN"]);
    assert_eq!(
        c.list.last(),
        Some(&Capability::Other { keyword: "OK".into(), params: vec![] }),
        "Exchange's closing `250 OK` is kept as an unknown keyword"
    );

    // Exchange 2003 with only the old form.
    let c = caps("250-old.contoso.com Hello\r\n250-AUTH=LOGIN\r\n250 8BITMIME\r\n");
    assert_eq!(c.auth_mechanisms(), ["LOGIN"]);
    assert_eq!(c.get(CapabilityKind::Auth), Some(&Capability::Auth(vec!["LOGIN".into()])));

    // Exchange Online's replies.
    let (r, _) = Reply::parse(
        b"550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup\r\n",
    )
    .unwrap();
    assert_eq!(r.enhanced, Some(EnhancedCode::RECIPIENT_NULL_MX));
    assert_eq!(r.first_line(), "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup");
}

#[test]
fn gmail_ehlo_and_rejections() {
    let gmail = "250-smtp.gmail.com at your service, [203.0.113.5]\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n\
                 250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n";
    let c = caps(gmail);
    assert_eq!(c.text.as_deref(), Some("at your service, [203.0.113.5]"));
    assert_eq!(c.size(), Some(35_882_577));
    assert!(
        c.supports_smtputf8()
            && c.supports_chunking()
            && c.supports_pipelining()
            && c.auth_mechanisms().is_empty()
    );
    // After STARTTLS Gmail offers AUTH.
    let c = caps(
        "250-smtp.gmail.com at your service, [203.0.113.5]\r\n250-SIZE 35882577\r\n\
                  250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\r\n250 SMTPUTF8\r\n",
    );
    assert_eq!(
        c.auth_mechanisms(),
        ["LOGIN", "PLAIN", "XOAUTH2", "PLAIN-CLIENTTOKEN", "OAUTHBEARER", "XOAUTH"]
    );

    let bounce = b"550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n\
                   550-5.1.1 double-checking the recipient's email address for typos or\r\n\
                   550-5.1.1 unnecessary spaces. For more information, go to\r\n\
                   550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si123456wrb.12 - gsmtp\r\n";
    let (r, used) = Reply::parse(bounce).unwrap();
    assert_eq!(used, bounce.len());
    assert_eq!(r.enhanced, Some(EnhancedCode::BAD_DESTINATION_MAILBOX));
    assert_eq!(r.line_count(), 4);
    assert_eq!(lines(&r)[1], "double-checking the recipient's email address for typos or");
    // One space after the code is the separator; the second is the text's.
    assert_eq!(lines(&r)[3], " https://support.google.com/mail/?p=NoSuchUser a1si123456wrb.12 - gsmtp");
    assert_eq!(r.to_bytes(), bounce);

    let (r, _) =
        Reply::parse(b"421 4.7.0 Try again later, closing connection. (EHLO) a1si123 - gsmtp\r\n").unwrap();
    assert!(r.code.is_transient_negative() && r.enhanced.unwrap().is_transient());
    let (r, _) = Reply::parse(
        b"452-4.2.2 The recipient's inbox is out of storage space. Please direct the\r\n\
          452 4.2.2 recipient to https://support.google.com/mail/?p=OverQuotaTemp - gsmtp\r\n",
    )
    .unwrap();
    assert_eq!(r.enhanced, Some(EnhancedCode::MAILBOX_FULL));
    assert_eq!(r.enhanced.unwrap().description(), Some("Mailbox full"));
}

#[test]
fn outlook_exim_sendmail_ehlo() {
    let outlook = "250-BN8NAM11FT066.mail.protection.outlook.com Hello [198.51.100.7]\r\n250-SIZE 157286400\r\n\
                   250-PIPELINING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-8BITMIME\r\n\
                   250-BINARYMIME\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n";
    let c = caps(outlook);
    assert_eq!(c.size(), Some(157_286_400));
    assert!(c.supports_binarymime() && c.supports_dsn());

    let exim = "250-mx.example.net Hello client.example.org [192.0.2.1]\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n\
                250-PIPELINING\r\n250-PIPE_CONNECT\r\n250-AUTH PLAIN LOGIN\r\n250-CHUNKING\r\n250-STARTTLS\r\n\
                250-PRDR\r\n250 HELP\r\n";
    let c = caps(exim);
    assert!(c.has_keyword("PIPE_CONNECT") && c.has_keyword("prdr") && c.has(CapabilityKind::Help));
    assert_eq!(c.auth_mechanisms(), ["PLAIN", "LOGIN"]);

    let sendmail = "250-mail.example.com Hello client.example.org [192.0.2.1], pleased to meet you\r\n\
                    250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n\
                    250-ETRN\r\n250-AUTH DIGEST-MD5 CRAM-MD5\r\n250-DELIVERBY\r\n250 HELP\r\n";
    let c = caps(sendmail);
    assert_eq!(c.get(CapabilityKind::DeliverBy), Some(&Capability::DeliverBy(None)));
    assert_eq!(c.deliver_by_min(), None);
    assert!(c.has(CapabilityKind::Etrn));
}

#[test]
fn extension_parameters() {
    let c = caps(
        "250-mx.example.mil\r\n250-MT-PRIORITY MIXER\r\n250-FUTURERELEASE 604800 2012-10-11T12:00:00Z\r\n\
         250-DELIVERBY 120\r\n250-SIZE 0\r\n250 XCLIENT NAME ADDR PROTO HELO\r\n",
    );
    assert_eq!(c.mt_priority_policy(), Some("MIXER"));
    assert_eq!(c.future_release(), Some((604_800, "2012-10-11T12:00:00Z")));
    assert_eq!(c.deliver_by_min(), Some(120));
    assert_eq!(c.size(), Some(0), "SIZE 0: no fixed limit");
    assert_eq!(c.other_params("xclient").unwrap(), ["NAME", "ADDR", "PROTO", "HELO"]);

    // Parameters the grammar does not allow are kept, as unknown.
    let c = caps("250-mx\r\n250-SIZE lots\r\n250-FUTURERELEASE 604800\r\n250 DELIVERBY -1\r\n");
    assert!(!c.has(CapabilityKind::Size) && !c.has(CapabilityKind::FutureRelease));
    assert_eq!(c.size(), None);
    assert_eq!(c.list[0], Capability::Other { keyword: "SIZE".into(), params: vec!["lots".into()] });
    assert!(c.has_keyword("SIZE") && c.has_keyword("DELIVERBY"));
    // A number too large for u64 is not a size either.
    assert_eq!(caps("250-mx\r\n250 SIZE 99999999999999999999999\r\n").size(), None);

    // Not a 250 reply.
    assert_eq!(
        Capabilities::parse(b"502 5.5.1 Command not implemented\r\n"),
        Err(CapabilityError::NotAccepted { code: ReplyCode::NOT_IMPLEMENTED })
    );
    assert_eq!(Capabilities::parse(b"250-mx\r\n"), Err(CapabilityError::Reply(ReplyError::Incomplete)));
    assert!(CapabilityError::NotAccepted { code: ReplyCode::NOT_IMPLEMENTED }.to_string().contains("502"));
}

#[test]
fn capabilities_to_reply_round_trip() {
    let mut c = Capabilities::new("mx.example.org");
    for cap in [
        Capability::Size(Some(52_428_800)),
        Capability::Pipelining,
        Capability::EightBitMime,
        Capability::SmtpUtf8,
        Capability::StartTls,
        Capability::Auth(vec!["PLAIN".into(), "LOGIN".into()]),
        Capability::Chunking,
        Capability::BinaryMime,
        Capability::Dsn,
        Capability::EnhancedStatusCodes,
        Capability::RequireTls,
        Capability::MtPriority(Some("STANAG4406".into())),
        Capability::FutureRelease { max_interval: 86_400, max_datetime: "2030-01-01T00:00:00Z".into() },
        Capability::DeliverBy(Some(60)),
        Capability::Help,
        Capability::Vrfy,
        Capability::Expn,
        Capability::Etrn,
        Capability::Auth(vec!["PLAIN".into(), "SCRAM-SHA-256".into()]),
        Capability::Other { keyword: "XCLIENT".into(), params: vec!["NAME".into(), "ADDR".into()] },
    ] {
        c.push(cap);
    }
    assert_eq!(c.auth_mechanisms(), ["PLAIN", "LOGIN", "SCRAM-SHA-256"]);
    let reply = c.to_reply("mx.example.org", Some("ESMTP ready"));
    let bytes = reply.to_bytes();
    assert!(bytes.starts_with(b"250-mx.example.org ESMTP ready\r\n250-SIZE 52428800\r\n250-PIPELINING\r\n"));
    assert!(bytes.ends_with(b"250-ETRN\r\n250 XCLIENT NAME ADDR\r\n"));
    let (back, _) = Capabilities::parse(&bytes).unwrap();
    assert_eq!(back.list, c.list);
    assert_eq!(back.text.as_deref(), Some("ESMTP ready"));

    let bare = Capabilities::new("x").to_reply("mx.example.org", None);
    assert_eq!(bare.to_bytes(), b"250 mx.example.org\r\n");
}

// Reply codes and enhanced codes.

#[test]
fn reply_code_classes() {
    assert_eq!(ReplyCode::new(199), None);
    assert_eq!(ReplyCode::new(600), None);
    assert_eq!(ReplyCode::try_from(200).map(u16::from), Ok(200));
    assert!(ReplyCode::try_from(100).unwrap_err().to_string().contains("200 to 599"));
    let c = ReplyCode::new(354).unwrap();
    assert!(c.is_intermediate() && c.is_positive() && !c.is_negative());
    assert_eq!(
        (c.class(), c.category(), c.digits()),
        (ReplyClass::PositiveIntermediate, Category::MailSystem, [3, 5, 4])
    );
    assert_eq!(ReplyCode::SYNTAX_ERROR.category(), Category::Syntax);
    assert_eq!(ReplyCode::HELP.category(), Category::Information);
    assert_eq!(ReplyCode::SERVICE_NOT_AVAILABLE.category(), Category::Connections);
    assert_eq!(ReplyCode::AUTH_REQUIRED.category(), Category::Unspecified);
    assert_eq!(ReplyCode::new(299).unwrap().category(), Category::Unknown);
    assert!(ReplyCode::OK.is_positive_completion() && ReplyCode::OK == 250);
    assert!(
        ReplyCode::LOCAL_ERROR.is_transient_negative()
            && ReplyCode::MAILBOX_UNAVAILABLE.is_permanent_negative()
    );
}

#[test]
fn enhanced_codes_for_a_bounce_classifier() {
    let code: EnhancedCode = "4.4.7".parse().unwrap();
    assert!(code.is_transient() && !code.is_permanent() && code.is_failure() && code.is_network());
    assert_eq!(code, EnhancedCode::DELIVERY_EXPIRED);
    assert_eq!(code.description(), Some("Delivery time expired"));
    assert_eq!(code.subject_description(), Some("Network and Routing Status"));
    assert_eq!(code.class, Class::PersistentTransient);

    let categories: Vec<Subject> =
        ["5.0.0", "5.1.1", "5.2.2", "5.3.4", "4.4.1", "5.5.2", "5.6.1", "5.7.1", "5.8.1"]
            .iter()
            .map(|s| s.parse::<EnhancedCode>().unwrap().subject_category())
            .collect();
    assert_eq!(
        categories,
        [
            Subject::Other,
            Subject::Addressing,
            Subject::Mailbox,
            Subject::MailSystem,
            Subject::Network,
            Subject::Protocol,
            Subject::Content,
            Subject::Security,
            Subject::Unregistered(8),
        ]
    );
    // The registry's titles, whatever the class.
    for (code, title) in [
        ("5.1.10", "Recipient address has null MX"),
        ("4.7.12", "A password transition is needed"),
        ("5.7.26", "Multiple authentication checks failed"),
        ("5.7.29", "ARC validation failure"),
        ("5.7.30", "REQUIRETLS support required"),
        ("2.1.5", "Destination address valid"),
        ("5.6.7", "Non-ASCII addresses not permitted for that sender/recipient"),
    ] {
        assert_eq!(code.parse::<EnhancedCode>().unwrap().description(), Some(title), "{code}");
    }
    let e = EnhancedCode::parse("5.6.10").unwrap().registry_entry().unwrap();
    assert!(e.deprecated);
    assert!(EnhancedCode::parse("2.1.1").unwrap().same_condition(EnhancedCode::BAD_DESTINATION_MAILBOX));
    assert!(EnhancedCode::parse("4.1.1").unwrap().is(1, 1));
    assert!(EnhancedCode::parse("3.1.1").unwrap_err().to_string().contains("2, 4 or 5"));
}

// Malformed input.

#[test]
fn malformed_replies_are_typed_errors() {
    let cases: &[(&[u8], ReplyError)] = &[
        (b"25\r\n", ReplyError::InvalidCode { line: 1, offset: 0 }),
        (b"2500 x\r\n", ReplyError::InvalidSeparator { line: 1, offset: 3, found: b'0' }),
        (b"250x\r\n", ReplyError::InvalidSeparator { line: 1, offset: 3, found: b'x' }),
        (b"250\tOK\r\n", ReplyError::InvalidSeparator { line: 1, offset: 3, found: b'\t' }),
        (b"abc OK\r\n", ReplyError::InvalidCode { line: 1, offset: 0 }),
        (b"100 continue\r\n", ReplyError::InvalidCode { line: 1, offset: 0 }),
        (b"650 x\r\n", ReplyError::InvalidCode { line: 1, offset: 0 }),
        (b"2a0 x\r\n", ReplyError::InvalidCode { line: 1, offset: 0 }),
        (b"\r\n", ReplyError::InvalidCode { line: 1, offset: 0 }),
        (b"HTTP/1.1 400 Bad Request\r\n", ReplyError::InvalidCode { line: 1, offset: 0 }),
        (
            b"250-first\r\n251 second\r\n",
            ReplyError::MismatchedCode { line: 2, offset: 11, expected: ReplyCode::OK, found: 251 },
        ),
        (
            b"250-a\r\n250-b\r\n550 c\r\n",
            ReplyError::MismatchedCode { line: 3, offset: 14, expected: ReplyCode::OK, found: 550 },
        ),
        (b"250-a\r\n25\r\n", ReplyError::InvalidCode { line: 2, offset: 7 }),
        (b"250 O\0K\r\n", ReplyError::Nul { line: 1, offset: 5 }),
        (b"250-ok\r\n250\0", ReplyError::Nul { line: 2, offset: 11 }),
        (b"\0", ReplyError::Nul { line: 1, offset: 0 }),
    ];
    for (input, expected) in cases {
        assert_eq!(Reply::parse(input).unwrap_err(), *expected, "{:?}", String::from_utf8_lossy(input));
        let got = parse_all(input);
        assert_eq!(got.first(), Some(&Err(*expected)), "{:?}", String::from_utf8_lossy(input));
        assert_eq!(parse_bytewise(input, ReplyLimits::DEFAULT), got);
        assert!(!expected.to_string().is_empty());
    }
    // Garbage is refused as soon as four bytes show it, without a line end.
    assert_eq!(Reply::parse(b"GET / HTTP/1.1"), Err(ReplyError::InvalidCode { line: 1, offset: 0 }));
    assert_eq!(Reply::parse(b"25"), Err(ReplyError::Incomplete));
    assert_eq!(Reply::parse(b"250"), Err(ReplyError::Incomplete));
    assert_eq!(Reply::parse(b"250\r"), Err(ReplyError::Incomplete));
}

#[test]
fn overlong_lines_and_replies() {
    let limits = ReplyLimits::new().with_max_line_length(600).with_max_lines(4);
    // 600 bytes of line are fine, 601 are not, complete or not.
    let ok = [b"250 ".as_slice(), &[b'a'; 596], b"\r\n"].concat();
    assert!(Reply::parse_with(&ok, &limits).is_ok());
    let long = [b"250 ".as_slice(), &[b'a'; 597], b"\r\n"].concat();
    let err = ReplyError::LineTooLong { line: 1, offset: 0, limit: 600 };
    assert_eq!(Reply::parse_with(&long, &limits), Err(err));
    assert_eq!(Reply::parse_with(&long[..long.len() - 1], &limits), Err(err));
    assert_eq!(Reply::parse_with(&long[..long.len() - 2], &limits), Err(err));
    assert_eq!(Reply::parse_with(&long[..long.len() - 3], &limits), Err(ReplyError::Incomplete));
    assert!(err.to_string().contains("600"));

    // The default: real servers' long lines pass, 4096 is the cap.
    let gmail_long = [b"550 5.7.1 ".as_slice(), &[b'x'; 2000], b"\r\n"].concat();
    assert!(Reply::parse(&gmail_long).is_ok());
    let huge = [b"550 ".as_slice(), &[b'x'; 100_000]].concat();
    assert!(matches!(Reply::parse(&huge), Err(ReplyError::LineTooLong { limit: 4096, .. })));

    let five = b"250-1\r\n250-2\r\n250-3\r\n250-4\r\n250 5\r\n";
    assert_eq!(Reply::parse_with(five, &limits), Err(ReplyError::TooManyLines { offset: 28, limit: 4 }));
    assert!(Reply::parse_with(&five[7..], &limits).is_ok());
    let many = "250-x\r\n".repeat(511) + "250 end\r\n";
    assert_eq!(Reply::parse(many.as_bytes()).unwrap().0.line_count(), 512);
    let too_many = "250-x\r\n".repeat(700);
    assert!(matches!(Reply::parse(too_many.as_bytes()), Err(ReplyError::TooManyLines { limit: 512, .. })));

    // The parser drops an overlong reply whole, without buffering it, and
    // goes on with the next.
    let mut parser = ReplyParser::with_limits(limits);
    parser.feed(b"250-x\r\n250-");
    for _ in 0..1000 {
        parser.feed(&[b'y'; 1000]);
        while let Some(r) = parser.next_reply() {
            assert!(matches!(r, Err(ReplyError::LineTooLong { line: 2, offset: 7, limit: 600 })));
        }
        assert!(parser.buffered() <= 1000);
    }
    parser.feed(b"yyy\r\n250-more of the same reply\r\n250 last\r\n220 next\r\n");
    assert_eq!(lines(&parser.next_reply().unwrap().unwrap()), ["next"]);
    assert!(parser.next_reply().is_none());

    // Too many lines: dropped up to the reply's end.
    let mut parser = ReplyParser::with_limits(limits);
    parser.feed(five);
    parser.feed(b"221 bye\r\n");
    assert_eq!(parser.next_reply(), Some(Err(ReplyError::TooManyLines { offset: 28, limit: 4 })));
    assert_eq!(lines(&parser.next_reply().unwrap().unwrap()), ["bye"]);
}

#[test]
fn parser_buffer_is_capped() {
    let limits = ReplyLimits::new().with_max_buffered(64);
    let mut parser = ReplyParser::with_limits(limits);
    let stream = "250 ok\r\n".repeat(20);
    parser.feed(stream.as_bytes());
    let results: Vec<_> = std::iter::from_fn(|| parser.next_reply()).collect();
    assert_eq!(results.len(), 9);
    assert!(results[..8].iter().all(Result::is_ok));
    assert_eq!(results[8], Err(ReplyError::BufferFull { limit: 64 }));
    assert!(results[8].as_ref().unwrap_err().to_string().contains("next_reply"));
    // After the drop the parser resynchronises at the next line.
    parser.feed(b"250 lost\r\n221 bye\r\n");
    assert_eq!(lines(&parser.next_reply().unwrap().unwrap()), ["bye"]);
    assert_eq!(parser.buffered(), 0);
}

#[test]
fn non_utf8_text_is_replaced() {
    let (r, _) = Reply::parse(b"550 5.1.1 Utilisateur inconnu: \xe9t\xe9\r\n").unwrap();
    assert_eq!(lines(&r), ["Utilisateur inconnu: \u{fffd}t\u{fffd}"]);
    let (r, _) = Reply::parse("250 2.0.0 Grüße, 日本\r\n".as_bytes()).unwrap();
    assert_eq!(lines(&r), ["Grüße, 日本"]);
}

#[test]
fn server_replies() {
    let all: Vec<(Reply, &[u8])> = vec![
        (Reply::ok(), b"250 2.0.0 Ok\r\n"),
        (Reply::start_mail_input(), b"354 Start mail input; end with <CRLF>.<CRLF>\r\n"),
        (
            Reply::service_not_available(),
            b"421 4.3.2 Service not available, closing transmission channel\r\n",
        ),
        (Reply::command_unrecognized(), b"500 5.5.1 Command unrecognized\r\n"),
        (Reply::syntax_error(), b"500 5.5.2 Syntax error, command unrecognized\r\n"),
        (Reply::syntax_error_in_parameters(), b"501 5.5.4 Syntax error in parameters or arguments\r\n"),
        (Reply::bad_sequence(), b"503 5.5.1 Bad sequence of commands\r\n"),
        (Reply::auth_required(), b"530 5.7.0 Authentication required\r\n"),
        (Reply::message_too_big(), b"552 5.3.4 Message size exceeds fixed maximum message size\r\n"),
        (Reply::transaction_failed(), b"554 5.3.0 Transaction failed\r\n"),
        (Reply::service_ready("mx.example.org", "ESMTP"), b"220 mx.example.org ESMTP\r\n"),
        (
            Reply::closing("mx.example.org"),
            b"221 2.0.0 mx.example.org Service closing transmission channel\r\n",
        ),
        (Reply::ready_to_start_tls(), b"220 2.0.0 Ready to start TLS\r\n"),
        (Reply::auth_challenge(""), b"334 \r\n"),
        (Reply::auth_challenge("VXNlcm5hbWU6"), b"334 VXNlcm5hbWU6\r\n"),
    ];
    for (reply, wire) in &all {
        assert_eq!(&reply.to_bytes(), wire);
        assert_eq!(&Reply::parse(wire).unwrap().0, reply);
    }
    for reply in [
        Reply::sender_ok(),
        Reply::recipient_ok(),
        Reply::timeout(),
        Reply::local_error(),
        Reply::insufficient_storage(),
        Reply::too_many_recipients(),
        Reply::tls_not_available(),
        Reply::line_too_long(),
        Reply::command_not_implemented(),
        Reply::parameter_not_implemented(),
        Reply::starttls_required(),
        Reply::mailbox_unavailable(),
        Reply::relay_denied(),
        Reply::no_valid_recipients(),
        Reply::parameters_not_recognized(),
    ] {
        let e = reply.enhanced.unwrap();
        let class_digit = reply.code.digits()[0];
        assert_eq!(e.class.digit(), class_digit, "{reply}");
        assert!(e.description().is_some(), "{reply}");
        assert_eq!(Reply::parse(&reply.to_bytes()).unwrap().0, reply);
    }

    // Multi-line, with the enhanced code on every line; and without it.
    let r = Reply::new(
        ReplyCode::MAILBOX_UNAVAILABLE,
        Some(EnhancedCode::NOT_AUTHORIZED),
        "Rejected\nsee policy",
    );
    assert_eq!(r.to_bytes(), b"550-5.7.1 Rejected\r\n550 5.7.1 see policy\r\n");
    let mut plain = Vec::new();
    r.write_without_enhanced(&mut plain);
    assert_eq!(plain, b"550-Rejected\r\n550 see policy\r\n");
    assert_eq!(r.to_string(), "550-5.7.1 Rejected\n550 5.7.1 see policy");
    assert_eq!(r.text(), "Rejected\nsee policy");
    assert!(r.is_multiline() && r.is_permanent_negative());
}

// Properties.

#[derive(Debug, Clone)]
struct Case {
    reply: Reply,
}

fn arb_enhanced() -> impl Strategy<Value = EnhancedCode> {
    (
        prop_oneof![Just(Class::Success), Just(Class::PersistentTransient), Just(Class::Permanent)],
        0u16..1000,
        0u16..1000,
    )
        .prop_map(|(class, subject, detail)| EnhancedCode::new(class, subject, detail))
}

/// Line text as servers send it: empty, or not starting like an enhanced
/// code (so that a reply without one does not parse as having one).
fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z<\\[(][ -~]{0,70}",
        "[a-zA-Z][^\\r\\n\\x00]{0,30}",
        // Text that itself starts with a code, or with spaces.
        "[245]\\.[0-9]{1,3}\\.[0-9]{1,3} [ -~]{0,20}",
        " {1,3}[ -~]{0,20}",
    ]
}

fn arb_reply() -> impl Strategy<Value = Case> {
    (200u16..600, proptest::option::of(arb_enhanced()), proptest::collection::vec(arb_text(), 1..8)).prop_map(
        |(code, enhanced, mut lines)| {
            if enhanced.is_none() && EnhancedCode::parse_prefix(lines[0].as_bytes()).is_some() {
                // Such a first line would be read as carrying a code.
                lines[0].insert(0, 'x');
            }
            Case { reply: Reply::from_lines(ReplyCode::new(code).unwrap(), enhanced, lines) }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn write_then_parse_is_identity(case in arb_reply()) {
        let bytes = case.reply.to_bytes();
        let (parsed, used) = Reply::parse(&bytes).unwrap();
        prop_assert_eq!(&parsed, &case.reply);
        prop_assert_eq!(used, bytes.len());
        // With bare LF line ends as well.
        let lf = String::from_utf8(bytes.clone()).unwrap().replace("\r\n", "\n");
        prop_assert_eq!(Reply::parse(lf.as_bytes()).unwrap().0, case.reply.clone());
        // Every proper prefix is incomplete, never an error.
        for cut in [0, 1, 3, 4, bytes.len() / 2, bytes.len() - 1] {
            prop_assert_eq!(Reply::parse(&bytes[..cut]), Err(ReplyError::Incomplete));
        }
    }

    #[test]
    fn any_split_gives_the_same_replies(
        cases in proptest::collection::vec(arb_reply(), 1..12),
        splits in proptest::collection::vec(0usize..40, 0..60),
        bare_lf in any::<bool>(),
    ) {
        let expected: Vec<Reply> = cases.iter().map(|c| c.reply.clone()).collect();
        let mut stream = Vec::new();
        for r in &expected {
            r.write(&mut stream);
        }
        if bare_lf {
            stream = String::from_utf8(stream).unwrap().replace("\r\n", "\n").into_bytes();
        }
        let whole: Vec<Reply> = parse_all(&stream).into_iter().map(|r| r.unwrap()).collect();
        prop_assert_eq!(&whole, &expected);
        prop_assert_eq!(parse_repeatedly(&stream), expected.clone());
        let bytewise: Vec<Reply> =
            parse_bytewise(&stream, ReplyLimits::DEFAULT).into_iter().map(|r| r.unwrap()).collect();
        prop_assert_eq!(&bytewise, &expected);
        let split: Vec<Reply> =
            parse_split(&stream, &splits, ReplyLimits::DEFAULT).into_iter().map(|r| r.unwrap()).collect();
        prop_assert_eq!(&split, &expected);
    }

    #[test]
    fn garbage_never_panics_and_split_does_not_matter(
        chunks in proptest::collection::vec(
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..40),
                "(25[0-9][ -]?[ -~]{0,12}\\r?\\n){1,4}".prop_map(String::into_bytes),
                "[2-5][0-9]{0,3}[ -]?[a-z\\x00]{0,8}\\r?\\n?".prop_map(String::into_bytes),
                "[25][05]{0,3}[ \\r-]{0,2}[a\\r\\x00-]{0,6}\\r?\\n?".prop_map(String::into_bytes),
            ],
            0..12,
        ),
        splits in proptest::collection::vec(0usize..20, 0..40),
        max_line in 3usize..40,
        max_lines in 1usize..6,
    ) {
        let input = chunks.concat();
        let limits = ReplyLimits::new().with_max_line_length(max_line).with_max_lines(max_lines);
        let whole = parse_split(&input, &[input.len()], limits);
        prop_assert_eq!(&parse_bytewise(&input, limits), &whole);
        prop_assert_eq!(&parse_split(&input, &splits, limits), &whole);
        // The stateless parser agrees with the parser's first result.
        match (Reply::parse_with(&input, &limits), whole.first()) {
            (Ok((reply, _)), first) => prop_assert_eq!(first, Some(&Ok(reply))),
            (Err(ReplyError::Incomplete), first) => prop_assert_eq!(first, None),
            (Err(e), first) => prop_assert_eq!(first, Some(&Err(e))),
        }
        for r in whole.iter().flatten() {
            prop_assert!(r.line_count() <= max_lines);
            prop_assert!(r.lines().all(|l| l.len() <= max_line * 3));
            // What was parsed writes back to something that parses the same
            // (a bare CR inside a line's text is written as a space).
            if r.lines().all(|l| !l.contains('\r')) {
                prop_assert_eq!(&Reply::parse(&r.to_bytes()).unwrap().0, r);
            }
        }
    }

    #[test]
    fn capability_lines_round_trip(
        keyword in "[A-Za-z0-9][A-Za-z0-9-]{0,15}",
        params in proptest::collection::vec("[!-~]{1,10}", 0..4),
    ) {
        let line = std::iter::once(keyword.clone()).chain(params.iter().cloned()).collect::<Vec<_>>().join(" ");
        let cap = Capability::parse_line(&line).unwrap();
        prop_assert!(cap.keyword().eq_ignore_ascii_case(&keyword) || cap.kind() == CapabilityKind::Auth);
        // Printing and parsing again gives the same capability.
        prop_assert_eq!(Capability::parse_line(&cap.to_string()), Some(cap));
    }
}
