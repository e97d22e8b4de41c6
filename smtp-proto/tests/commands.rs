//! Command parsing and writing: the RFCs' own examples, every verb, the
//! tolerated forms, malformed input with the exact reply each must get,
//! and property tests (round trip, no panics).

use std::net::{Ipv4Addr, Ipv6Addr};

use mailwire_smtp::command::{
    AddressError, AuthParam, Body, ByMode, Command, CommandError, DeliverBy, ForwardPath, FutureRelease,
    Host, Limits, MailParams, Mailbox, Notify, OriginalRecipient, RcptParams, Ret, ReversePath,
    decode_sasl_base64,
};
use mailwire_smtp::xtext;
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

fn parse(line: &str) -> Command {
    match Command::parse(line.as_bytes()) {
        Ok(c) => c,
        Err(e) => panic!("{line:?} failed to parse: {e}"),
    }
}

fn wire(cmd: &Command) -> String {
    String::from_utf8(cmd.to_bytes()).expect("ASCII or UTF-8 output")
}

/// The line parses, and writes back exactly as given (plus CRLF).
fn canonical(line: &str) -> Command {
    let cmd = parse(line);
    assert_eq!(wire(&cmd), format!("{line}\r\n"), "canonical form of {line:?}");
    assert_eq!(Command::parse(&cmd.to_bytes()).as_ref(), Ok(&cmd));
    cmd
}

/// The line is refused with exactly this reply.
#[track_caller]
fn refused(line: &[u8], code: u16, enhanced: (u8, u16, u16)) -> CommandError {
    refused_with(line, &Limits::default(), code, enhanced)
}

#[track_caller]
fn refused_with(line: &[u8], limits: &Limits, code: u16, enhanced: (u8, u16, u16)) -> CommandError {
    match Command::parse_with(line, limits) {
        Ok(c) => panic!("{:?} parsed as {c:?}", String::from_utf8_lossy(line)),
        Err(e) => {
            assert_eq!(
                e.reply_code(),
                (code, enhanced),
                "{:?}: {e} ({e:?})",
                String::from_utf8_lossy(&line[..line.len().min(80)])
            );
            assert_eq!(e.code(), code);
            assert_eq!(e.enhanced_code(), enhanced);
            let text = e.to_string();
            assert!(
                text.is_ascii() && !text.contains(['\r', '\n']),
                "reply text must be one ASCII line: {text:?}"
            );
            e
        }
    }
}

fn mbox(s: &str) -> Mailbox {
    Mailbox::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn mail(line: &str) -> (ReversePath, MailParams) {
    match parse(line) {
        Command::Mail { from, params } => (from, params),
        other => panic!("{line:?} is {other:?}"),
    }
}

fn rcpt(line: &str) -> (ForwardPath, RcptParams) {
    match parse(line) {
        Command::Rcpt { to, params } => (to, params),
        other => panic!("{line:?} is {other:?}"),
    }
}

const SYNTAX: (u16, (u8, u16, u16)) = (501, (5, 5, 2));
const VALUE: (u16, (u8, u16, u16)) = (501, (5, 5, 4));
const BAD_SENDER: (u16, (u8, u16, u16)) = (501, (5, 1, 7));
const BAD_RCPT: (u16, (u8, u16, u16)) = (501, (5, 1, 3));

#[track_caller]
fn refused_as(line: &str, (code, enhanced): (u16, (u8, u16, u16))) -> CommandError {
    refused(line.as_bytes(), code, enhanced)
}

// ---------------------------------------------------------------------------
// RFC examples
// ---------------------------------------------------------------------------

#[test]
fn rfc5321_appendix_d_client_lines() {
    // D.1 - D.4, every client command line.
    for line in [
        "EHLO bar.com",
        "MAIL FROM:<Smith@bar.com>",
        "RCPT TO:<Jones@foo.com>",
        "RCPT TO:<Green@foo.com>",
        "RCPT TO:<Brown@foo.com>",
        "DATA",
        "QUIT",
        "RSET",
        "MAIL FROM:<JQP@bar.com>",
        "RCPT TO:<Jones@XYZ.COM>",
        "EHLO foo.com",
        "VRFY Crispin",
        "MAIL FROM:<EAK@bar.com>",
        "RCPT TO:<Admin.MRC@foo.com>",
    ] {
        canonical(line);
    }
    assert_eq!(parse("EHLO bar.com"), Command::Ehlo { domain: "bar.com".into() });
    assert_eq!(parse("VRFY Crispin"), Command::Vrfy { arg: "Crispin".into(), smtputf8: false });
    let (from, params) = mail("MAIL FROM:<Smith@bar.com>");
    let m = from.mailbox().unwrap();
    assert_eq!((m.local_part(), m.domain()), ("Smith", "bar.com"));
    assert!(params.is_empty());
    let (to, params) = rcpt("RCPT TO:<Admin.MRC@foo.com>");
    assert_eq!(to.mailbox().unwrap().local_part(), "Admin.MRC");
    assert!(params.is_empty());
}

#[test]
fn rfc5321_source_routes_are_accepted_and_dropped() {
    // §4.1.1.3 and Appendix C.
    let (to, _) = rcpt("RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>");
    assert_eq!(to, ForwardPath::Mailbox(mbox("userc@d.bar.org")));
    assert_eq!(
        wire(&parse("RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>")),
        "RCPT TO:<userc@d.bar.org>\r\n"
    );
    let (to, _) = rcpt("RCPT TO:<@jkl.org:userc@d.bar.org>");
    assert_eq!(to.mailbox().unwrap().as_str(), "userc@d.bar.org");
    let (from, _) = mail("MAIL FROM:<@ONE,@TWO:JOE@THREE>");
    assert_eq!(from.mailbox().unwrap().as_str(), "JOE@THREE");
}

#[test]
fn rfc5321_postmaster() {
    for line in ["RCPT TO:<Postmaster>", "RCPT TO:<postmaster>", "rcpt to:<POSTMASTER>"] {
        assert_eq!(rcpt(line).0, ForwardPath::Postmaster, "{line}");
    }
    canonical("RCPT TO:<Postmaster>");
    assert!(rcpt("RCPT TO:<Postmaster>").0.is_postmaster());
    // With a domain it is an ordinary mailbox.
    let (to, _) = rcpt("RCPT TO:<Postmaster@example.com>");
    assert_eq!(to.mailbox().unwrap().domain(), "example.com");
    // In MAIL it is just a mailbox without a domain.
    let e = refused_as("MAIL FROM:<Postmaster>", BAD_SENDER);
    assert_eq!(e, CommandError::InvalidSender(AddressError::MissingAt));
}

#[test]
fn rfc3461_dsn_examples() {
    // §10.1, client lines (joined where the RFC folds them).
    let (from, params) = mail("MAIL FROM:<Alice@Example.ORG> RET=HDRS ENVID=QQ314159");
    assert_eq!(from.mailbox().unwrap().as_str(), "Alice@Example.ORG");
    assert_eq!(params.ret, Some(Ret::Hdrs));
    assert_eq!(params.envid.as_deref(), Some("QQ314159"));
    canonical("MAIL FROM:<Alice@Example.ORG> RET=HDRS ENVID=QQ314159");

    let (_, p) = rcpt("RCPT TO:<Bob@Example.COM> NOTIFY=SUCCESS ORCPT=rfc822;Bob@Example.COM");
    assert_eq!(p.notify, Some(Notify::SUCCESS));
    assert_eq!(
        p.orcpt,
        Some(OriginalRecipient { addr_type: "rfc822".into(), address: "Bob@Example.COM".into() })
    );
    canonical("RCPT TO:<Bob@Example.COM> NOTIFY=SUCCESS ORCPT=rfc822;Bob@Example.COM");

    let (_, p) = rcpt("RCPT TO:<Carol@Ivory.EDU> NOTIFY=FAILURE ORCPT=rfc822;Carol@Ivory.EDU");
    assert_eq!(p.notify, Some(Notify::FAILURE));
    let (_, p) = rcpt("RCPT TO:<Dana@Ivory.EDU> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Dana@Ivory.EDU");
    let n = p.notify.unwrap();
    assert!(n.success() && n.failure() && !n.delay() && !n.is_never());
    canonical("RCPT TO:<Dana@Ivory.EDU> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Dana@Ivory.EDU");
    let (_, p) = rcpt("RCPT TO:<Fred@Bombs.AF.MIL> NOTIFY=NEVER");
    assert!(p.notify.unwrap().is_never());
    canonical("RCPT TO:<Fred@Bombs.AF.MIL> NOTIFY=NEVER");
    let (_, p) = rcpt("RCPT TO:<Sam@Boondoggle.GOV> NOTIFY=SUCCESS ORCPT=rfc822;George@Tax-ME.GOV");
    assert_eq!(p.orcpt.unwrap().address, "George@Tax-ME.GOV");
    canonical("HELO Example.ORG");

    // Keywords and NOTIFY values in any case (§4.1 note b), any order.
    let (_, p) = rcpt("RCPT TO:<a@b.example> orcpt=RFC822;a@b.example notify=delay,Success");
    assert_eq!(p.notify, Notify::on(true, false, true));
    assert_eq!(p.orcpt.as_ref().unwrap().addr_type, "RFC822");
    assert_eq!(
        wire(&Command::Rcpt { to: ForwardPath::Mailbox(mbox("a@b.example")), params: p }),
        "RCPT TO:<a@b.example> NOTIFY=SUCCESS,DELAY ORCPT=RFC822;a@b.example\r\n"
    );
}

#[test]
fn rfc3461_xtext_in_envid_and_orcpt() {
    let (_, params) = mail("MAIL FROM:<a@example.org> ENVID=id+2B1+3D2+20x");
    assert_eq!(params.envid.as_deref(), Some("id+1=2 x"));
    canonical("MAIL FROM:<a@example.org> ENVID=id+2B1+3D2+20x");
    // Lower-case hex is tolerated on input, written upper-case.
    let cmd = parse("MAIL FROM:<a@example.org> ENVID=a+2bb");
    assert_eq!(wire(&cmd), "MAIL FROM:<a@example.org> ENVID=a+2Bb\r\n");

    let (_, p) = rcpt("RCPT TO:<e=mc2@example.com> ORCPT=rfc822;e+3Dmc2@example.com");
    assert_eq!(p.orcpt.unwrap().address, "e=mc2@example.com");
    canonical("RCPT TO:<e=mc2@example.com> ORCPT=rfc822;e+3Dmc2@example.com");
    let (_, p) = rcpt("RCPT TO:<x@example.com> ORCPT=rfc822;+22John+20Smith+22@example.com");
    assert_eq!(p.orcpt.unwrap().address, "\"John Smith\"@example.com");

    let cmd = Command::Mail {
        from: ReversePath::Null,
        params: MailParams { envid: Some("caf\u{e9} + tea = ok".into()), ..MailParams::default() },
    };
    assert_eq!(wire(&cmd), "MAIL FROM:<> ENVID=caf+C3+A9+20+2B+20tea+20+3D+20ok\r\n");
    assert_eq!(Command::parse(&cmd.to_bytes()), Ok(cmd));
}

#[test]
fn rfc4954_auth_examples() {
    let cmd = canonical("AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=");
    assert_eq!(
        cmd,
        Command::Auth { mechanism: "PLAIN".into(), initial_response: Some("dGVzdAB0ZXN0ADEyMzQ=".into()) }
    );
    assert_eq!(cmd.decode_initial_response(), Ok(Some(b"test\0test\x001234".to_vec())));

    let cmd = canonical("AUTH PLAIN");
    assert_eq!(cmd.decode_initial_response(), Ok(None));
    canonical("AUTH CRAM-MD5");
    let cmd = canonical("AUTH EXTERNAL =");
    assert_eq!(cmd.decode_initial_response(), Ok(Some(Vec::new())));
    assert_eq!(
        decode_sasl_base64("cmpzMyBlYzNhNTlmZWQzOTVhYmExZWM2MzY3YzRmNGI0MWFjMA==").unwrap(),
        b"rjs3 ec3a59fed395aba1ec6367c4f4b41ac0"
    );

    // MAIL FROM's AUTH parameter (§5.1).
    let (from, params) = mail("MAIL FROM:<e=mc2@example.com> AUTH=e+3Dmc2@example.com");
    assert_eq!(from.mailbox().unwrap().local_part(), "e=mc2");
    assert_eq!(params.auth, Some(AuthParam::Mailbox(mbox("e=mc2@example.com"))));
    canonical("MAIL FROM:<e=mc2@example.com> AUTH=e+3Dmc2@example.com");
    let (from, params) = mail("MAIL FROM:<john+@example.org> AUTH=<>");
    assert_eq!(from.mailbox().unwrap().local_part(), "john+");
    assert_eq!(params.auth, Some(AuthParam::Unknown));
    canonical("MAIL FROM:<john+@example.org> AUTH=<>");
}

#[test]
fn rfc3030_bdat_examples() {
    assert_eq!(canonical("BDAT 86 LAST"), Command::Bdat { size: 86, last: true });
    assert_eq!(canonical("BDAT 100000"), Command::Bdat { size: 100_000, last: false });
    assert_eq!(canonical("BDAT 324"), Command::Bdat { size: 324, last: false });
    assert_eq!(canonical("BDAT 0 LAST"), Command::Bdat { size: 0, last: true });
    assert_eq!(parse("bdat 5 last"), Command::Bdat { size: 5, last: true });
    assert_eq!(parse("BDAT 007"), Command::Bdat { size: 7, last: false });
    assert_eq!(parse("BDAT 18446744073709551615"), Command::Bdat { size: u64::MAX, last: false });
    let (_, params) = mail("MAIL FROM:<ned@ymir.claremont.edu> BODY=BINARYMIME");
    assert_eq!(params.body, Some(Body::BinaryMime));
    canonical("MAIL FROM:<ned@ymir.claremont.edu> BODY=BINARYMIME");
    canonical("MAIL FROM:<Sam@Random.com>");
}

#[test]
fn rfc2033_lmtp_example() {
    assert_eq!(canonical("LHLO foo.edu"), Command::Lhlo { domain: "foo.edu".into() });
    canonical("MAIL FROM:<chris@bar.com>");
    canonical("RCPT TO:<pat@foo.edu>");
    canonical("RCPT TO:<jones@foo.edu>");
    canonical("RCPT TO:<green@foo.edu>");
    canonical("DATA");
    canonical("QUIT");
}

#[test]
fn extension_rfc_examples() {
    // RFC 1870 SIZE.
    assert_eq!(mail("MAIL FROM:<ned@thor.innosoft.com> SIZE=500000").1.size, Some(500_000));
    canonical("MAIL FROM:<ned@thor.innosoft.com> SIZE=500000");
    // RFC 6152 8BITMIME.
    assert_eq!(mail("MAIL FROM:<ned@ymir.claremont.edu> BODY=8BITMIME").1.body, Some(Body::EightBitMime));
    assert_eq!(mail("MAIL FROM:<a@b.example> BODY=7BIT").1.body, Some(Body::SevenBit));
    // RFC 8689 REQUIRETLS.
    assert!(mail("MAIL FROM:<roger@example.org> REQUIRETLS").1.requiretls);
    canonical("MAIL FROM:<roger@example.org> REQUIRETLS");
    // RFC 3207 STARTTLS.
    assert_eq!(canonical("STARTTLS"), Command::StartTls);
    assert_eq!(parse("StartTLS"), Command::StartTls);
    // RFC 6710 MT-PRIORITY.
    for (v, n) in [("3", 3), ("+3", 3), ("-9", -9), ("9", 9), ("0", 0), ("-0", 0)] {
        assert_eq!(mail(&format!("MAIL FROM:<a@b.example> MT-PRIORITY={v}")).1.mt_priority, Some(n), "{v}");
    }
    canonical("MAIL FROM:<a@b.example> MT-PRIORITY=-4");
    // RFC 4865 FUTURERELEASE.
    assert_eq!(mail("MAIL FROM:<a@b.example> HOLDFOR=3600").1.hold, Some(FutureRelease::For(3600)));
    let (_, p) = mail("MAIL FROM:<a@b.example> HOLDUNTIL=2026-12-24T18:00:00+01:00");
    assert_eq!(p.hold, Some(FutureRelease::Until("2026-12-24T18:00:00+01:00".into())));
    canonical("MAIL FROM:<a@b.example> HOLDUNTIL=2026-12-24T17:00:00.5Z");
    // RFC 2852 DELIVERBY.
    let (_, p) = mail("MAIL FROM:<a@b.example> BY=120;R");
    assert_eq!(p.by, Some(DeliverBy { seconds: 120, mode: ByMode::Return, trace: false }));
    let (_, p) = mail("MAIL FROM:<a@b.example> BY=-60;nt");
    assert_eq!(p.by, Some(DeliverBy { seconds: -60, mode: ByMode::Notify, trace: true }));
    canonical("MAIL FROM:<a@b.example> BY=-60;NT");
    canonical("MAIL FROM:<a@b.example> BY=999999999;RT");
    assert_eq!(mail("MAIL FROM:<a@b.example> BY=+5;N").1.by.unwrap().seconds, 5);
    // RFC 6531 SMTPUTF8.
    let (from, p) = mail("MAIL FROM:<j\u{f8}ran@bl\u{e5}b\u{e6}rsyltet\u{f8}y.no> SMTPUTF8");
    assert!(p.smtputf8);
    let m = from.mailbox().unwrap();
    assert!(!m.is_ascii() && !from.is_ascii());
    assert_eq!(m.domain(), "bl\u{e5}b\u{e6}rsyltet\u{f8}y.no");
    canonical("MAIL FROM:<j\u{f8}ran@bl\u{e5}b\u{e6}rsyltet\u{f8}y.no> SMTPUTF8");
    let (to, _) = rcpt("RCPT TO:<\u{7528}\u{6237}@\u{4f8b}\u{5b50}.\u{5e7f}\u{544a}>");
    assert!(!to.is_ascii());
    assert_eq!(
        canonical("VRFY J\u{f8}ran SMTPUTF8"),
        Command::Vrfy { arg: "J\u{f8}ran".into(), smtputf8: true }
    );
    assert_eq!(canonical("EXPN list-x SMTPUTF8"), Command::Expn { arg: "list-x".into(), smtputf8: true });
}

#[test]
fn all_known_mail_parameters_together() {
    let line = "MAIL FROM:<a@b.example> SIZE=1 BODY=8BITMIME SMTPUTF8 RET=FULL ENVID=x AUTH=<> REQUIRETLS \
                MT-PRIORITY=2 HOLDFOR=10 BY=5;N X-EXT=v NOVALUE";
    let (_, p) = mail(line);
    assert_eq!(
        p,
        MailParams {
            size: Some(1),
            body: Some(Body::EightBitMime),
            smtputf8: true,
            ret: Some(Ret::Full),
            envid: Some("x".into()),
            auth: Some(AuthParam::Unknown),
            requiretls: true,
            mt_priority: Some(2),
            hold: Some(FutureRelease::For(10)),
            by: Some(DeliverBy { seconds: 5, mode: ByMode::Notify, trace: false }),
            unknown: vec![("X-EXT".into(), Some("v".into())), ("NOVALUE".into(), None)],
        }
    );
    canonical(line);
    // Any order in, canonical order out.
    let shuffled = "MAIL FROM:<a@b.example> X-EXT=v by=5;n mt-priority=2 Requiretls auth=<> envid=x NOVALUE \
                    ret=full smtputf8 body=8bitmime size=1 holdfor=10";
    let cmd = parse(shuffled);
    assert_eq!(
        wire(&cmd).replace("X-EXT=v NOVALUE", ""),
        format!("{line}\r\n").replace("X-EXT=v NOVALUE", "")
    );
}

// ---------------------------------------------------------------------------
// Every verb
// ---------------------------------------------------------------------------

#[test]
fn every_verb() {
    let cases: Vec<(&str, Command)> = vec![
        ("EHLO client.example", Command::Ehlo { domain: "client.example".into() }),
        ("HELO client.example", Command::Helo { domain: "client.example".into() }),
        ("LHLO client.example", Command::Lhlo { domain: "client.example".into() }),
        ("MAIL FROM:<>", Command::Mail { from: ReversePath::Null, params: MailParams::default() }),
        (
            "RCPT TO:<u@example.com>",
            Command::Rcpt { to: ForwardPath::Mailbox(mbox("u@example.com")), params: RcptParams::default() },
        ),
        ("DATA", Command::Data),
        ("BDAT 1", Command::Bdat { size: 1, last: false }),
        ("RSET", Command::Rset),
        ("VRFY user", Command::Vrfy { arg: "user".into(), smtputf8: false }),
        ("EXPN list", Command::Expn { arg: "list".into(), smtputf8: false }),
        ("HELP", Command::Help { arg: None }),
        ("HELP MAIL", Command::Help { arg: Some("MAIL".into()) }),
        ("NOOP", Command::Noop { arg: None }),
        ("NOOP anything at all", Command::Noop { arg: Some("anything at all".into()) }),
        ("QUIT", Command::Quit),
        ("STARTTLS", Command::StartTls),
        ("AUTH LOGIN", Command::Auth { mechanism: "LOGIN".into(), initial_response: None }),
    ];
    for (line, expected) in cases {
        let cmd = canonical(line);
        assert_eq!(cmd, expected, "{line}");
        assert_eq!(cmd.verb(), &line[..cmd.verb().len()]);
        assert_eq!(cmd.validate(), Ok(()));
        // Lower case works for every verb.
        assert_eq!(parse(&line.to_lowercase()).verb(), cmd.verb());
    }
}

#[test]
fn null_reverse_path() {
    let (from, params) = mail("MAIL FROM:<>");
    assert!(from.is_null() && from.mailbox().is_none() && from.is_ascii());
    assert!(params.is_empty());
    canonical("MAIL FROM:<> SIZE=100");
    assert_eq!(from.to_string(), "<>");
}

// ---------------------------------------------------------------------------
// Tolerated forms
// ---------------------------------------------------------------------------

#[test]
fn tolerant_forms() {
    let expected = parse("MAIL FROM:<a@example.com> SIZE=10");
    for line in [
        "mail from:<a@example.com> size=10",
        "MAIL FROM: <a@example.com> SIZE=10",
        "MAIL FROM:   <a@example.com> SIZE=10",
        "MAIL  FROM:<a@example.com>  SIZE=10",
        "MAIL\tFROM:<a@example.com>\tSIZE=10",
        "MAIL FROM:<a@example.com> SIZE=10   ",
        "MAIL FROM:<a@example.com> SIZE=10 \t ",
        "Mail From:<a@example.com> Size=10",
        "MAIL FROM:<a@example.com> SIZE=10\r\n",
    ] {
        assert_eq!(parse(line), expected, "{line:?}");
    }
    let expected = parse("RCPT TO:<b@example.com> NOTIFY=NEVER");
    for line in ["rcpt to: <b@example.com> notify=never", "RCPT TO:\t<b@example.com>  NOTIFY=Never "] {
        assert_eq!(parse(line), expected, "{line:?}");
    }
    // Trailing white space after commands without arguments.
    for (line, cmd) in [("DATA ", Command::Data), ("QUIT\t", Command::Quit), ("RSET  ", Command::Rset)] {
        assert_eq!(parse(line), cmd);
    }
    // EHLO: the RFC 2821 habit of text after the domain is ignored.
    assert_eq!(parse("EHLO [192.0.2.1] (my laptop)"), Command::Ehlo { domain: "[192.0.2.1]".into() });
    assert_eq!(parse("helo   x"), Command::Helo { domain: "x".into() });
    // Servers see non-conforming EHLO names; they are kept as sent.
    assert_eq!(parse("EHLO my_host"), Command::Ehlo { domain: "my_host".into() });
    // AUTH mechanism names are upper-cased.
    assert_eq!(parse("auth plain"), Command::Auth { mechanism: "PLAIN".into(), initial_response: None });
    assert_eq!(parse("AUTH  XOAUTH2  dGVzdA=="), parse("AUTH XOAUTH2 dGVzdA=="));
    // A CRLF at the end of the slice is accepted.
    assert_eq!(parse("NOOP\r\n"), Command::Noop { arg: None });
    assert_eq!(parse("VRFY  John Smith "), Command::Vrfy { arg: "John Smith".into(), smtputf8: false });
    assert_eq!(parse("VRFY SMTPUTF8"), Command::Vrfy { arg: "SMTPUTF8".into(), smtputf8: false });
    assert_eq!(parse("vrfy x smtputf8"), Command::Vrfy { arg: "x".into(), smtputf8: true });
}

// ---------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------

#[test]
fn quoted_local_parts() {
    let (to, _) = rcpt(r#"RCPT TO:<"john smith"@example.com>"#);
    let m = to.mailbox().unwrap();
    assert!(m.is_quoted());
    assert_eq!(m.local_part(), r#""john smith""#);
    assert_eq!(m.local_part_unquoted(), "john smith");
    assert_eq!(m.domain(), "example.com");
    canonical(r#"RCPT TO:<"john smith"@example.com>"#);

    let m = mbox(r#""a\"b\\c@d"@example.com"#);
    assert_eq!(m.local_part_unquoted(), r#"a"b\c@d"#);
    assert_eq!(m.domain(), "example.com");
    let m = mbox(r#"""@example.com"#);
    assert_eq!(m.local_part_unquoted(), "");
    // A quoted '>' does not end the path.
    let (to, _) = rcpt(r#"RCPT TO:<"a>b"@example.com> NOTIFY=NEVER"#);
    assert_eq!(to.mailbox().unwrap().local_part_unquoted(), "a>b");

    // from_parts quotes only when needed.
    assert_eq!(Mailbox::from_parts("john.smith", "example.com").unwrap().as_str(), "john.smith@example.com");
    assert_eq!(
        Mailbox::from_parts("john smith", "example.com").unwrap().as_str(),
        r#""john smith"@example.com"#
    );
    assert_eq!(Mailbox::from_parts("a\"b", "example.com").unwrap().as_str(), r#""a\"b"@example.com"#);
    assert_eq!(Mailbox::from_parts("a..b", "example.com").unwrap().local_part_unquoted(), "a..b");
    assert_eq!(Mailbox::from_parts("a\nb", "example.com"), Err(AddressError::InvalidLocalPart));
    assert_eq!(Mailbox::from_parts("a", "-x.com"), Err(AddressError::InvalidDomain));
}

#[test]
fn address_literals_and_hosts() {
    let m = mbox("u@[192.0.2.1]");
    assert_eq!(m.domain(), "[192.0.2.1]");
    assert_eq!(m.host(), Host::Ipv4(Ipv4Addr::new(192, 0, 2, 1)));
    assert_eq!(mbox("u@[001.002.003.004]").host(), Host::Ipv4(Ipv4Addr::new(1, 2, 3, 4)));
    let m = mbox("u@[IPv6:2001:db8::1]");
    assert_eq!(m.host(), Host::Ipv6("2001:db8::1".parse::<Ipv6Addr>().unwrap()));
    assert_eq!(mbox("u@[ipv6:::ffff:192.0.2.1]").host(), Host::Ipv6("::ffff:192.0.2.1".parse().unwrap()));
    assert_eq!(mbox("u@[x-tag:some+thing]").host(), Host::General { tag: "x-tag", content: "some+thing" });
    assert_eq!(mbox("u@Example.COM").host(), Host::Domain("Example.COM"));
    canonical("RCPT TO:<postmaster@[IPv6:2001:db8::1]>");
    canonical("MAIL FROM:<u@[192.0.2.1]>");
    for bad in
        ["u@[1.2.3]", "u@[1.2.3.256]", "u@[1.2.3.4.5]", "u@[IPv6:2001:db8::g]", "u@[]", "u@[x-:y]", "u@[x:]"]
    {
        assert_eq!(Mailbox::parse(bad), Err(AddressError::InvalidAddressLiteral), "{bad}");
    }
}

#[test]
fn mailbox_standalone_parsing() {
    assert_eq!("a@b.c".parse::<Mailbox>().unwrap().to_string(), "a@b.c");
    assert_eq!(Mailbox::parse("a@b.c "), Err(AddressError::TrailingCharacters));
    assert_eq!(Mailbox::parse("a"), Err(AddressError::MissingAt));
    assert_eq!(Mailbox::parse(""), Err(AddressError::InvalidLocalPart));
    assert_eq!(Mailbox::parse("a@"), Err(AddressError::InvalidDomain));
    assert_eq!(Mailbox::parse("a@b."), Err(AddressError::InvalidDomain));
    assert_eq!(Mailbox::parse(".a@b"), Err(AddressError::InvalidLocalPart));
    assert_eq!(Mailbox::parse(&format!("a@{}", "x".repeat(256))), Err(AddressError::DomainTooLong));
    assert_eq!(ReversePath::parse("<>"), Ok(ReversePath::Null));
    assert_eq!(ReversePath::parse("<a@b>").unwrap().to_string(), "<a@b>");
    assert_eq!(ForwardPath::parse("<>"), Err(AddressError::NullPath));
    assert_eq!(ForwardPath::parse("<postmaster>").unwrap().to_string(), "<Postmaster>");
    assert_eq!(ForwardPath::parse("<a@b> "), Err(AddressError::TrailingCharacters));
}

// ---------------------------------------------------------------------------
// Malformed input, each with its reply
// ---------------------------------------------------------------------------

#[test]
fn line_level_errors() {
    assert_eq!(refused(b"", 500, (5, 5, 2)), CommandError::Empty);
    assert_eq!(refused(b"   ", 500, (5, 5, 2)), CommandError::Empty);
    assert_eq!(refused(b"\r\n", 500, (5, 5, 2)), CommandError::Empty);
    // NUL, bare CR, bare LF anywhere.
    assert_eq!(refused(b"NOOP a\0b", 500, (5, 5, 2)), CommandError::InvalidByte { byte: 0, position: 6 });
    refused(b"MAIL FROM:<a\0@b.example>", 500, (5, 5, 2));
    refused(b"\0", 500, (5, 5, 2));
    assert_eq!(refused(b"NOOP a\rb", 500, (5, 5, 2)), CommandError::InvalidByte { byte: b'\r', position: 6 });
    assert_eq!(
        refused(b"NOOP\nQUIT", 500, (5, 5, 2)),
        CommandError::InvalidByte { byte: b'\n', position: 4 }
    );
    refused(b"QUIT\r", 500, (5, 5, 2));
    refused(b"QUIT\n", 500, (5, 5, 2));
    refused(b"QUIT\n\r", 500, (5, 5, 2));
    refused(b"RCPT TO:<a@b.example>\rNOTIFY=NEVER", 500, (5, 5, 2));
}

#[test]
fn line_length_limits() {
    // 512 octets with CRLF is the most RFC 5321 allows.
    let ok = format!("NOOP {}", "x".repeat(510 - 5));
    assert_eq!(ok.len() + 2, 512);
    assert!(Command::parse(ok.as_bytes()).is_ok());
    assert!(Limits::default().check_line(ok.as_bytes()).is_ok());
    let long = format!("NOOP {}", "x".repeat(506));
    let e = refused(long.as_bytes(), 500, (5, 5, 2));
    assert_eq!(e, CommandError::LineTooLong { len: 513, max: 512, auth: false });
    assert_eq!(Limits::default().check_line(long.as_bytes()), Err(e));

    // A 1000-octet line: too long by default, fine once the server raises
    // the limit (as it must when it offers DSN, RFC 3461 §5.4).
    let line = format!("MAIL FROM:<a@b.example> ENVID={}", "e".repeat(1000 - 30));
    assert_eq!(line.len(), 1000);
    refused(line.as_bytes(), 500, (5, 5, 2));
    let dsn = Limits { max_line_len: mailwire_smtp::command::MAX_DSN_LINE_LEN, ..Limits::default() };
    assert!(Command::parse_with(line.as_bytes(), &dsn).is_ok());
    let garbage = vec![b'z'; 1000];
    refused(&garbage, 500, (5, 5, 2));

    // AUTH lines get 12288 octets; beyond that, 500 5.5.6 (RFC 4954 §4).
    let ir = "QUFB".repeat(3000);
    let auth = format!("AUTH XOAUTH2 {ir}");
    assert!(auth.len() > 512 && auth.len() + 2 <= 12288);
    assert!(Command::parse(auth.as_bytes()).is_ok());
    let auth = format!("AUTH XOAUTH2 {}", "QUFB".repeat(3100));
    assert!(matches!(refused(auth.as_bytes(), 500, (5, 5, 6)), CommandError::LineTooLong { auth: true, .. }));
    let strict = Limits { max_auth_line_len: 512, ..Limits::default() };
    let auth = format!("AUTH PLAIN {}", "QUFB".repeat(130));
    refused_with(auth.as_bytes(), &strict, 500, (5, 5, 6));
    assert!(Command::parse_with(b"AUTH PLAIN QUFB", &strict).is_ok());
}

#[test]
fn unknown_commands() {
    for line in [
        &b"XYZZY"[..],
        b"MAILFROM:<a@b.example>",
        b"ETRN example.com",
        b"BURL imap://x LAST",
        b"MAI",
        b"STARTTLSX",
        b"M\xc3\xa4IL FROM:<a@b.example>",
        b"\x01\x02\x03",
        b"\xff\xfe\xfd\xfc",
        b" MAIL FROM:<a@b.example>",
        b"\x7f",
        b"12345",
    ] {
        refused(line, 500, (5, 5, 1));
    }
    let e = refused(b"FOO\xffbar x", 500, (5, 5, 1));
    assert_eq!(e, CommandError::UnknownCommand { verb: "FOO\\xffbar".into() });
    let e = refused(&[b'Q'; 400], 500, (5, 5, 1));
    assert!(e.to_string().len() < 100);
}

#[test]
fn mail_syntax_errors() {
    refused_as("MAIL", SYNTAX);
    refused_as("MAIL FRO", SYNTAX);
    refused_as("MAIL FROM", SYNTAX);
    refused_as("MAIL FROM:", SYNTAX);
    refused_as("MAIL FROM:   ", SYNTAX);
    refused_as("MAIL TO:<a@b.example>", SYNTAX);
    refused_as("MAIL FROM :<a@b.example>", SYNTAX);
    refused_as("MAIL <a@b.example>", SYNTAX);
    // The path itself: 501 5.1.7.
    for (line, why) in [
        ("MAIL FROM:a@b.example", AddressError::MissingAngleBrackets),
        ("MAIL FROM:<a@b.example", AddressError::Unterminated),
        ("MAIL FROM:<", AddressError::Unterminated),
        ("MAIL FROM:<a", AddressError::Unterminated),
        ("MAIL FROM:<a>", AddressError::MissingAt),
        ("MAIL FROM:<a@>", AddressError::InvalidDomain),
        ("MAIL FROM:<@b.example>", AddressError::InvalidSourceRoute),
        ("MAIL FROM:<a@b.example>SIZE=1", AddressError::TrailingCharacters),
        ("MAIL FROM:<a b@c.example>", AddressError::InvalidLocalPart),
        ("MAIL FROM:<<a@b.example>>", AddressError::InvalidLocalPart),
        ("MAIL FROM:<a@b.example.>", AddressError::InvalidDomain),
    ] {
        assert_eq!(refused_as(line, BAD_SENDER), CommandError::InvalidSender(why), "{line}");
    }
}

#[test]
fn rcpt_address_errors() {
    refused_as("RCPT", SYNTAX);
    refused_as("RCPT TO", SYNTAX);
    refused_as("RCPT TO:", SYNTAX);
    refused_as("RCPT FROM:<a@b.example>", SYNTAX);
    for (line, why) in [
        ("RCPT TO:<", AddressError::Unterminated),
        ("RCPT TO:<>", AddressError::NullPath),
        ("RCPT TO:b@example.com", AddressError::MissingAngleBrackets),
        ("RCPT TO:<b@example.com", AddressError::Unterminated),
        ("RCPT TO:<b>", AddressError::MissingAt),
        ("RCPT TO:<Postmasterx>", AddressError::MissingAt),
        ("RCPT TO:<a..b@example.com>", AddressError::InvalidLocalPart),
        ("RCPT TO:<.a@example.com>", AddressError::InvalidLocalPart),
        ("RCPT TO:<a.@example.com>", AddressError::InvalidLocalPart),
        ("RCPT TO:<a@b..example>", AddressError::InvalidDomain),
        ("RCPT TO:<a@-b.example>", AddressError::InvalidDomain),
        ("RCPT TO:<a@b-.example>", AddressError::InvalidDomain),
        ("RCPT TO:<a@b_c.example>", AddressError::InvalidDomain),
        ("RCPT TO:<a@exa mple.com>", AddressError::InvalidDomain),
        ("RCPT TO:<a@[1.2.3.256]>", AddressError::InvalidAddressLiteral),
        ("RCPT TO:<a@[IPv6:zz::1]>", AddressError::InvalidAddressLiteral),
        ("RCPT TO:<a@[1.2.3.4>", AddressError::InvalidAddressLiteral),
        ("RCPT TO:<a@b.example>x", AddressError::TrailingCharacters),
        ("RCPT TO:<@a:>", AddressError::MissingAt),
        ("RCPT TO:<@a,b:c@d.example>", AddressError::InvalidSourceRoute),
        ("RCPT TO:<@a;c@d.example>", AddressError::InvalidSourceRoute),
        ("RCPT TO:<@:c@d.example>", AddressError::InvalidSourceRoute),
        ("RCPT TO:<\"unterminated@x.example>", AddressError::UnterminatedQuotedString),
        ("RCPT TO:<\"a\\\u{e9}\"@x.example>", AddressError::InvalidLocalPart),
        ("RCPT TO:<\"a\tb\"@x.example>", AddressError::InvalidLocalPart),
        ("RCPT TO:<a\u{7f}@x.example>", AddressError::InvalidLocalPart),
    ] {
        assert_eq!(refused_as(line, BAD_RCPT), CommandError::InvalidRecipient(why), "{line}");
    }
    // 8-bit octets that are not UTF-8.
    assert_eq!(
        refused(b"RCPT TO:<\xff@x.example>", 501, (5, 1, 3)),
        CommandError::InvalidRecipient(AddressError::InvalidUtf8)
    );
    refused(b"MAIL FROM:<a@\xc3.example>", 501, (5, 1, 7));
    // Path longer than 256 octets (RFC 5321 §4.5.3.1.3): "501 Path too long".
    let long = format!("RCPT TO:<{}@example.com>", "a".repeat(300));
    assert!(matches!(
        refused_as(&long, BAD_RCPT),
        CommandError::InvalidRecipient(AddressError::PathTooLong { len: 314, max: 256 })
    ));
    let roomy = Limits { max_line_len: 1000, max_path_len: 1000, ..Limits::default() };
    assert!(Command::parse_with(long.as_bytes(), &roomy).is_ok());
    let path_254 = format!("MAIL FROM:<{}@b.example>", "a".repeat(244));
    assert!(Command::parse(path_254.as_bytes()).is_ok());
}

#[test]
fn eight_bit_outside_addresses() {
    refused(b"EHLO h\xc3\xa9.example", 501, (5, 5, 2));
    refused(b"HELO \xff", 501, (5, 5, 2));
    refused(b"MAIL FROM:<a@b.example> SIZE=1\xff", 501, (5, 5, 2));
    refused(b"MAIL FROM:<a@b.example> X\xc3\xa9=1", 501, (5, 5, 2));
    refused(b"MAIL FROM:<a@b.example> X-A=\xff", 501, (5, 5, 2));
    refused(b"NOOP \xff", 501, (5, 5, 2));
    refused(b"VRFY \xc3", 501, (5, 5, 2));
    refused(b"BDAT 1\xc3\xa9", 501, (5, 5, 2));
    refused(b"AUTH PL\xc3\xa9IN", 501, (5, 5, 2));
    refused(b"AUTH PLAIN \xc3\xa9", 501, (5, 5, 2));
    // Valid UTF-8 in an unknown parameter's value is allowed (RFC 6531 §3.3).
    let (_, p) = mail("MAIL FROM:<a@b.example> X-A=\u{e9}");
    assert_eq!(p.unknown, vec![("X-A".to_owned(), Some("\u{e9}".to_owned()))]);
    // Control characters other than NUL/CR/LF in free text.
    refused(b"NOOP a\x01b", 501, (5, 5, 2));
    refused(b"HELP \x1b[31m", 501, (5, 5, 2));
    refused(b"EHLO a\x7fb", 501, (5, 5, 2));
}

#[test]
fn other_argument_errors() {
    for line in [
        "EHLO",
        "HELO",
        "LHLO  ",
        "DATA x",
        "RSET all",
        "QUIT now",
        "STARTTLS x",
        "VRFY",
        "EXPN ",
        "BDAT",
        "BDAT x",
        "BDAT -1",
        "BDAT 1 LAST x",
        "BDAT 1 FIRST",
        "BDAT LAST",
        "AUTH",
        "AUTH TOOLONGMECHANISMNAME21",
        "AUTH PLAIN a b",
        "AUTH PL@IN",
    ] {
        refused_as(line, SYNTAX);
    }
    refused_as("BDAT 99999999999999999999999", VALUE);
    assert!(matches!(
        refused_as("AUTH PLAIN dGVzdA== x", SYNTAX),
        CommandError::Syntax { command: "AUTH", .. }
    ));
    // Base64 is checked when the response is decoded.
    for bad in ["!!!!", "AAA=BBBB", "=AAA", "dGVzdA", "dGVzdA=", "dG Vz"] {
        assert_eq!(decode_sasl_base64(bad), Err(CommandError::InvalidBase64), "{bad}");
        assert_eq!(CommandError::InvalidBase64.reply_code(), (501, (5, 5, 2)));
    }
    let cmd = parse("AUTH PLAIN !!!!");
    assert_eq!(cmd.decode_initial_response(), Err(CommandError::InvalidBase64));
    assert_eq!(parse("QUIT").decode_initial_response(), Ok(None));
}

#[test]
fn parameter_syntax_errors() {
    for line in [
        "MAIL FROM:<a@b.example> SIZE",
        "MAIL FROM:<a@b.example> SIZE=",
        "MAIL FROM:<a@b.example> SIZE=abc",
        "MAIL FROM:<a@b.example> SIZE=-1",
        "MAIL FROM:<a@b.example> SIZE=1k",
        "MAIL FROM:<a@b.example> BODY",
        "MAIL FROM:<a@b.example> SMTPUTF8=yes",
        "MAIL FROM:<a@b.example> REQUIRETLS=1",
        "MAIL FROM:<a@b.example> RET",
        "MAIL FROM:<a@b.example> ENVID",
        "MAIL FROM:<a@b.example> =x",
        "MAIL FROM:<a@b.example> -BAD=1",
        "MAIL FROM:<a@b.example> B@D=1",
        "MAIL FROM:<a@b.example> KEY=",
        "MAIL FROM:<a@b.example> KEY=a=b",
        "MAIL FROM:<a@b.example> MT-PRIORITY=x",
        "MAIL FROM:<a@b.example> MT-PRIORITY=+",
        "MAIL FROM:<a@b.example> MT-PRIORITY=--1",
        "MAIL FROM:<a@b.example> HOLDFOR=soon",
        "MAIL FROM:<a@b.example> HOLDUNTIL=tomorrow",
        "MAIL FROM:<a@b.example> HOLDUNTIL=2026-12-24",
        "MAIL FROM:<a@b.example> HOLDUNTIL=2026-13-24T00:00:00Z",
        "MAIL FROM:<a@b.example> BY=10",
        "MAIL FROM:<a@b.example> BY=10;X",
        "MAIL FROM:<a@b.example> BY=10;RX",
        "MAIL FROM:<a@b.example> BY=ten;R",
        "MAIL FROM:<a@b.example> BY=;R",
        "MAIL FROM:<a@b.example> BY=10;",
        "RCPT TO:<a@b.example> NOTIFY",
        "RCPT TO:<a@b.example> NOTIFY=SUCCESS,,DELAY",
        "RCPT TO:<a@b.example> NOTIFY=SUCCESS,",
        "RCPT TO:<a@b.example> ORCPT",
        "RCPT TO:<a@b.example> ORCPT=rfc822",
        "RCPT TO:<a@b.example> ORCPT=;a@b.example",
        "RCPT TO:<a@b.example> ORCPT=rfc822;",
        "RCPT TO:<a@b.example> ORCPT=rf(c;a@b.example",
    ] {
        assert!(
            matches!(refused_as(line, SYNTAX), CommandError::InvalidParameter { .. }),
            "{line} should be a parameter syntax error"
        );
    }
}

#[test]
fn bad_xtext() {
    for line in [
        "MAIL FROM:<a@b.example> ENVID=abc+4",
        "MAIL FROM:<a@b.example> ENVID=a+ZZb",
        "MAIL FROM:<a@b.example> ENVID=+",
        "MAIL FROM:<a@b.example> ENVID=+FF",
        "MAIL FROM:<a@b.example> AUTH=a+2",
        "MAIL FROM:<a@b.example> AUTH=+C3@b.example",
        "RCPT TO:<a@b.example> ORCPT=rfc822;a+2",
        "RCPT TO:<a@b.example> ORCPT=rfc822;a+g0@b.example",
    ] {
        let e = refused_as(line, SYNTAX);
        assert!(matches!(&e, CommandError::InvalidParameter { .. }), "{line}: {e:?}");
    }
    // AUTH= must decode to a mailbox or <>.
    refused_as("MAIL FROM:<a@b.example> AUTH=someone", VALUE);
    refused_as("MAIL FROM:<a@b.example> AUTH=+3C+3E+3E", VALUE);
    assert_eq!(mail("MAIL FROM:<a@b.example> AUTH=+3C+3E").1.auth, Some(AuthParam::Unknown));
}

#[test]
fn duplicate_parameters() {
    for line in [
        "MAIL FROM:<a@b.example> SIZE=1 SIZE=2",
        "MAIL FROM:<a@b.example> SIZE=1 size=1",
        "MAIL FROM:<a@b.example> BODY=7BIT BODY=8BITMIME",
        "MAIL FROM:<a@b.example> SMTPUTF8 smtputf8",
        "MAIL FROM:<a@b.example> RET=FULL RET=HDRS",
        "MAIL FROM:<a@b.example> ENVID=a ENVID=b",
        "MAIL FROM:<a@b.example> AUTH=<> AUTH=<>",
        "MAIL FROM:<a@b.example> REQUIRETLS REQUIRETLS",
        "MAIL FROM:<a@b.example> MT-PRIORITY=1 MT-PRIORITY=1",
        "MAIL FROM:<a@b.example> HOLDFOR=1 HOLDFOR=2",
        "MAIL FROM:<a@b.example> HOLDUNTIL=2026-12-24T00:00:00Z HOLDUNTIL=2026-12-24T00:00:00Z",
        "MAIL FROM:<a@b.example> BY=1;N BY=1;N",
        "MAIL FROM:<a@b.example> X-FOO x-foo=1",
        "RCPT TO:<a@b.example> NOTIFY=NEVER NOTIFY=NEVER",
        "RCPT TO:<a@b.example> ORCPT=rfc822;a@b.example ORCPT=rfc822;a@b.example",
        "RCPT TO:<a@b.example> X-BAR=1 X-BAR=2",
    ] {
        assert!(
            matches!(refused_as(line, SYNTAX), CommandError::DuplicateParameter { .. }),
            "{line} should be a duplicate"
        );
    }
    assert_eq!(
        refused_as("MAIL FROM:<a@b.example> HOLDFOR=1 HOLDUNTIL=2026-12-24T00:00:00Z", VALUE),
        CommandError::ConflictingParameters { first: "HOLDFOR", second: "HOLDUNTIL" }
    );
    refused_as("MAIL FROM:<a@b.example> HOLDUNTIL=2026-12-24T00:00:00Z HOLDFOR=1", VALUE);
}

#[test]
fn out_of_range_values() {
    for line in [
        "MAIL FROM:<a@b.example> SIZE=99999999999999999999999",
        "MAIL FROM:<a@b.example> SIZE=18446744073709551616",
        "MAIL FROM:<a@b.example> BODY=9BIT",
        "MAIL FROM:<a@b.example> BODY=8BIT",
        "MAIL FROM:<a@b.example> RET=ALL",
        "MAIL FROM:<a@b.example> MT-PRIORITY=10",
        "MAIL FROM:<a@b.example> MT-PRIORITY=-10",
        "MAIL FROM:<a@b.example> MT-PRIORITY=+99",
        "MAIL FROM:<a@b.example> HOLDFOR=99999999999999999999999",
        "MAIL FROM:<a@b.example> BY=1000000000;N",
        "MAIL FROM:<a@b.example> BY=-1000000000;N",
        "MAIL FROM:<a@b.example> BY=0999999999;N",
        "MAIL FROM:<a@b.example> BY=0;R",
        "MAIL FROM:<a@b.example> BY=-5;R",
        "RCPT TO:<a@b.example> NOTIFY=NEVER,SUCCESS",
        "RCPT TO:<a@b.example> NOTIFY=SUCCESS,NEVER",
        "RCPT TO:<a@b.example> NOTIFY=SOMETIMES",
        "RCPT TO:<a@b.example> NOTIFY=SUCCESS,ALWAYS",
    ] {
        assert!(
            matches!(refused_as(line, VALUE), CommandError::InvalidParameterValue { .. }),
            "{line} should be out of range"
        );
    }
    // The edges are fine.
    assert_eq!(mail("MAIL FROM:<a@b.example> SIZE=18446744073709551615").1.size, Some(u64::MAX));
    assert_eq!(mail("MAIL FROM:<a@b.example> BY=-999999999;N").1.by.unwrap().seconds, -999_999_999);
    assert_eq!(mail("MAIL FROM:<a@b.example> BY=1;R").1.by.unwrap().seconds, 1);
    assert_eq!(mail("MAIL FROM:<a@b.example> BY=0;N").1.by.unwrap().seconds, 0);
}

#[test]
fn unknown_parameters_are_kept_for_the_session() {
    let cmd = parse("MAIL FROM:<a@b.example> XVERP x-custom=Some-Value SIZE=5");
    assert_eq!(
        cmd.unknown_params(),
        &[("XVERP".to_owned(), None), ("x-custom".to_owned(), Some("Some-Value".to_owned()))]
    );
    let e = cmd.reject_unknown_params().unwrap_err();
    assert_eq!(e, CommandError::UnrecognizedParameter { keyword: "XVERP".into() });
    assert_eq!(e.reply_code(), (555, (5, 5, 4)));
    assert_eq!(parse("MAIL FROM:<a@b.example> SIZE=5").reject_unknown_params(), Ok(()));
    let cmd = parse("RCPT TO:<a@b.example> RRVS=2026-01-01T00:00:00Z;R");
    assert_eq!(cmd.reject_unknown_params().unwrap_err().code(), 555);
    assert!(parse("QUIT").unknown_params().is_empty());
    // MAIL parameters on RCPT (and vice versa) are unknown there.
    assert_eq!(parse("RCPT TO:<a@b.example> SIZE=1").unknown_params().len(), 1);
    assert_eq!(parse("MAIL FROM:<a@b.example> NOTIFY=NEVER").unknown_params().len(), 1);
}

#[test]
fn validate_and_write_never_inject_lines() {
    let cmd = Command::Ehlo { domain: "a\r\nMAIL FROM:<x@y>".into() };
    let bytes = cmd.to_bytes();
    assert_eq!(memchr_count(&bytes, b'\n'), 1);
    assert_eq!(memchr_count(&bytes, b'\r'), 1);
    assert!(bytes.ends_with(b"\r\n"));
    assert_eq!(cmd.validate(), Err(CommandError::NotRepresentable { command: "EHLO" }));

    let bad: Vec<Command> = vec![
        Command::Ehlo { domain: "two words".into() },
        Command::Ehlo { domain: String::new() },
        Command::Noop { arg: Some(String::new()) },
        Command::Noop { arg: Some(" padded".into()) },
        Command::Vrfy { arg: "x SMTPUTF8".into(), smtputf8: false },
        Command::Auth { mechanism: "plain".into(), initial_response: None },
        Command::Auth { mechanism: "PLAIN".into(), initial_response: Some("a b".into()) },
        Command::Mail {
            from: ReversePath::Null,
            params: MailParams { mt_priority: Some(12), ..MailParams::default() },
        },
        Command::Mail {
            from: ReversePath::Null,
            params: MailParams { envid: Some(String::new()), ..MailParams::default() },
        },
        Command::Mail {
            from: ReversePath::Null,
            params: MailParams {
                by: Some(DeliverBy { seconds: 0, mode: ByMode::Return, trace: false }),
                ..MailParams::default()
            },
        },
        Command::Mail {
            from: ReversePath::Null,
            params: MailParams { unknown: vec![("SIZE".into(), Some("1".into()))], ..MailParams::default() },
        },
        Command::Mail {
            from: ReversePath::Null,
            params: MailParams { unknown: vec![("BAD KEY".into(), None)], ..MailParams::default() },
        },
        Command::Rcpt {
            to: ForwardPath::Postmaster,
            params: RcptParams {
                orcpt: Some(OriginalRecipient { addr_type: "rfc 822".into(), address: "x".into() }),
                ..RcptParams::default()
            },
        },
    ];
    for cmd in bad {
        assert!(cmd.validate().is_err(), "{cmd:?} should not validate");
        let bytes = cmd.to_bytes();
        assert_eq!(memchr_count(&bytes, b'\n'), 1, "{cmd:?}");
    }
}

fn memchr_count(b: &[u8], c: u8) -> usize {
    b.iter().filter(|&&x| x == c).count()
}

#[test]
fn errors_display_and_source() {
    let e = Command::parse(b"RCPT TO:<a@b..c>").unwrap_err();
    assert_eq!(e.to_string(), "bad recipient address syntax: invalid domain");
    assert!(std::error::Error::source(&e).is_some());
    let e = Command::parse(b"MAIL FROM:<a@b.c> SIZE=1 SIZE=1").unwrap_err();
    assert_eq!(e.to_string(), "parameter SIZE given twice");
    let e = Command::parse(b"BLAH").unwrap_err();
    assert_eq!(e.to_string(), "command \"BLAH\" unrecognized");
    assert_eq!(
        format!("{}", xtext::decode("a=b").unwrap_err()),
        "invalid xtext: octet 0x3D at offset 1 must be encoded as +3D"
    );
}

// ---------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------

fn arb_local_part() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,8}(\\.[A-Za-z0-9_+-]{1,8}){0,2}",
        "[ -~]{0,10}",
        "[a-z\u{e9}\u{f8}\u{6f22}\u{5b57}]{1,6}",
    ]
}

fn arb_domain() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "([a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?\\.){0,3}[a-zA-Z]{2,6}",
        1 => any::<[u8; 4]>().prop_map(|o| format!("[{}]", Ipv4Addr::from(o))),
        1 => any::<[u16; 8]>().prop_map(|s| format!("[IPv6:{}]", Ipv6Addr::from(s))),
        1 => "[a-z][a-z0-9-]{0,5}[a-z0-9]:[!-Z^-~]{1,10}".prop_map(|s| format!("[{s}]")),
        1 => "(b\u{fc}cher|\u{4f8b}\u{5b50}|xn--bcher-kva)\\.(de|\u{5e7f}\u{544a})",
    ]
}

fn arb_mailbox() -> impl Strategy<Value = Mailbox> {
    (arb_local_part(), arb_domain()).prop_map(|(l, d)| {
        Mailbox::from_parts(&l, &d).unwrap_or_else(|e| panic!("from_parts({l:?}, {d:?}): {e}"))
    })
}

const KNOWN: [&str; 13] = [
    "SIZE",
    "BODY",
    "SMTPUTF8",
    "RET",
    "ENVID",
    "AUTH",
    "REQUIRETLS",
    "MT-PRIORITY",
    "HOLDFOR",
    "HOLDUNTIL",
    "BY",
    "NOTIFY",
    "ORCPT",
];

fn arb_unknown() -> impl Strategy<Value = Vec<(String, Option<String>)>> {
    prop::collection::vec(
        ("[A-Za-z0-9][A-Za-z0-9-]{0,8}", prop::option::of("[!-<>-~\u{e9}\u{4e2d}]{1,10}")),
        0..4,
    )
    .prop_map(|v| {
        let mut seen: Vec<String> = Vec::new();
        v.into_iter()
            .filter(|(k, _)| {
                let up = k.to_ascii_uppercase();
                if KNOWN.contains(&up.as_str()) || seen.contains(&up) {
                    return false;
                }
                seen.push(up);
                true
            })
            .collect()
    })
}

fn arb_rfc3339() -> impl Strategy<Value = String> {
    (
        0u32..10000,
        1u32..=12,
        1u32..=31,
        0u32..24,
        0u32..60,
        0u32..=60,
        prop::option::of(0u32..1000),
        0usize..4,
    )
        .prop_map(|(y, mo, d, h, mi, s, frac, zone)| {
            let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
            let zone = ["Z", "+01:00", "-08:30", "z"][zone];
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{zone}")
        })
}

fn arb_mail_params() -> impl Strategy<Value = MailParams> {
    let body =
        prop::option::of(prop_oneof![Just(Body::SevenBit), Just(Body::EightBitMime), Just(Body::BinaryMime)]);
    let ret = prop::option::of(prop_oneof![Just(Ret::Full), Just(Ret::Hdrs)]);
    let auth =
        prop::option::of(prop_oneof![Just(AuthParam::Unknown), arb_mailbox().prop_map(AuthParam::Mailbox)]);
    let hold = prop::option::of(prop_oneof![
        any::<u64>().prop_map(FutureRelease::For),
        arb_rfc3339().prop_map(FutureRelease::Until)
    ]);
    let by = prop::option::of(prop_oneof![
        (-999_999_999i64..=999_999_999, any::<bool>()).prop_map(|(seconds, trace)| DeliverBy {
            seconds,
            mode: ByMode::Notify,
            trace
        }),
        (1i64..=999_999_999, any::<bool>()).prop_map(|(seconds, trace)| DeliverBy {
            seconds,
            mode: ByMode::Return,
            trace
        }),
    ]);
    (
        (prop::option::of(any::<u64>()), body, any::<bool>(), ret, prop::option::of(".{1,20}")),
        (auth, any::<bool>(), prop::option::of(-9i8..=9), hold, by, arb_unknown()),
    )
        .prop_map(
            |((size, body, smtputf8, ret, envid), (auth, requiretls, mt_priority, hold, by, unknown))| {
                MailParams {
                    size,
                    body,
                    smtputf8,
                    ret,
                    envid,
                    auth,
                    requiretls,
                    mt_priority,
                    hold,
                    by,
                    unknown,
                }
            },
        )
}

fn arb_rcpt_params() -> impl Strategy<Value = RcptParams> {
    let notify = prop::option::of(
        (any::<bool>(), any::<bool>(), any::<bool>())
            .prop_map(|(s, f, d)| Notify::on(s, f, d).unwrap_or(Notify::NEVER)),
    );
    let orcpt = prop::option::of(
        ("(rfc822|utf-8|x400|[A-Za-z0-9!#$%&'*/?^_`{|}~-]{1,8})", ".{1,30}")
            .prop_map(|(addr_type, address)| OriginalRecipient { addr_type, address }),
    );
    (notify, orcpt, arb_unknown()).prop_map(|(notify, orcpt, unknown)| RcptParams { notify, orcpt, unknown })
}

/// Free text as VRFY/HELP/NOOP carry it: no leading or trailing blanks.
fn arb_text() -> impl Strategy<Value = String> {
    "[!-~\u{e9}\u{4e2d}]([ -~\u{e9}]{0,12}[!-~\u{4e2d}])?"
}

fn arb_command() -> impl Strategy<Value = Command> {
    let domain = "[!-~]{1,20}";
    prop_oneof![
        1 => domain.prop_map(|domain| Command::Ehlo { domain }),
        1 => domain.prop_map(|domain| Command::Helo { domain }),
        1 => domain.prop_map(|domain| Command::Lhlo { domain }),
        4 => (prop_oneof![Just(ReversePath::Null), arb_mailbox().prop_map(ReversePath::Mailbox)], arb_mail_params())
            .prop_map(|(from, params)| Command::Mail { from, params }),
        4 => (prop_oneof![Just(ForwardPath::Postmaster), arb_mailbox().prop_map(ForwardPath::Mailbox)], arb_rcpt_params())
            .prop_map(|(to, params)| Command::Rcpt { to, params }),
        1 => Just(Command::Data),
        1 => (any::<u64>(), any::<bool>()).prop_map(|(size, last)| Command::Bdat { size, last }),
        1 => Just(Command::Rset),
        1 => (arb_text(), any::<bool>())
            .prop_filter("a final SMTPUTF8 word is the flag", |(a, _)| {
                !a.rsplit_once(' ').is_some_and(|(_, w)| w.eq_ignore_ascii_case("SMTPUTF8"))
            })
            .prop_map(|(arg, smtputf8)| Command::Vrfy { arg, smtputf8 }),
        1 => (arb_text(), any::<bool>())
            .prop_filter("a final SMTPUTF8 word is the flag", |(a, _)| {
                !a.rsplit_once(' ').is_some_and(|(_, w)| w.eq_ignore_ascii_case("SMTPUTF8"))
            })
            .prop_map(|(arg, smtputf8)| Command::Expn { arg, smtputf8 }),
        1 => prop::option::of(arb_text()).prop_map(|arg| Command::Help { arg }),
        1 => prop::option::of(arb_text()).prop_map(|arg| Command::Noop { arg }),
        1 => Just(Command::Quit),
        1 => Just(Command::StartTls),
        1 => (
            "[A-Z0-9_-]{1,20}",
            prop::option::of(prop_oneof![
                Just("=".to_owned()),
                prop::collection::vec(any::<u8>(), 1..40).prop_map(|b| base64_encode(&b)),
            ])
        )
            .prop_map(|(mechanism, initial_response)| Command::Auth { mechanism, initial_response }),
    ]
}

fn base64_encode(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

const ALLOWED_REPLIES: [(u16, (u8, u16, u16)); 7] = [
    (500, (5, 5, 2)),
    (500, (5, 5, 6)),
    (500, (5, 5, 1)),
    (501, (5, 5, 2)),
    (501, (5, 1, 7)),
    (501, (5, 1, 3)),
    (501, (5, 5, 4)),
];

/// Parsing arbitrary input: no panic; errors carry a proper reply; what
/// parses writes back to something that parses to the same command.
fn check_any(input: &[u8]) {
    for limits in [Limits::default(), Limits::NONE] {
        match Command::parse_with(input, &limits) {
            Ok(cmd) => {
                let wire = cmd.to_bytes();
                assert_eq!(Command::parse_with(&wire, &Limits::NONE).as_ref(), Ok(&cmd), "{wire:?}");
                assert_eq!(cmd.validate(), Ok(()));
                let _ = cmd.decode_initial_response();
            }
            Err(e) => {
                assert!(ALLOWED_REPLIES.contains(&e.reply_code()), "{e:?}");
                let text = e.to_string();
                assert!(text.is_ascii() && !text.contains(['\r', '\n']), "{text:?}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn round_trip(cmd in arb_command()) {
        let wire = cmd.to_bytes();
        prop_assert!(wire.ends_with(b"\r\n"));
        prop_assert_eq!(wire.iter().filter(|&&b| b == b'\n').count(), 1);
        let parsed = Command::parse_with(&wire, &Limits::NONE);
        prop_assert_eq!(parsed.as_ref(), Ok(&cmd), "wire: {:?}", String::from_utf8_lossy(&wire));
        // Without the CRLF as well.
        let bare = Command::parse_with(&wire[..wire.len() - 2], &Limits::NONE);
        prop_assert_eq!(bare.as_ref(), Ok(&cmd));
        prop_assert_eq!(cmd.validate(), Ok(()));
    }

    #[test]
    fn mailbox_round_trip(m in arb_mailbox()) {
        let again = Mailbox::parse(m.as_str()).unwrap();
        prop_assert_eq!(&again, &m);
        prop_assert_eq!(again.domain(), m.domain());
        let rebuilt = Mailbox::from_parts(&m.local_part_unquoted(), m.domain()).unwrap();
        prop_assert_eq!(rebuilt.local_part_unquoted(), m.local_part_unquoted());
    }

    #[test]
    fn xtext_round_trip(s in any::<String>()) {
        let enc = xtext::encode(&s);
        prop_assert!(enc.bytes().all(|b| xtext::is_xchar(b) || b == b'+'));
        prop_assert_eq!(xtext::decode(&enc), Ok(s.clone()));
        prop_assert_eq!(xtext::encoded_len(s.as_bytes()), enc.len());
        prop_assert!(xtext::is_valid(enc.as_bytes()));
    }

    #[test]
    fn xtext_decode_never_panics(b in prop::collection::vec(any::<u8>(), 0..64)) {
        let r = xtext::decode_bytes(&b);
        prop_assert_eq!(r.is_ok(), xtext::is_valid(&b));
    }

    #[test]
    fn random_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..700)) {
        check_any(&input);
    }

    #[test]
    fn random_tails_never_panic(
        verb in prop_oneof![
            Just("MAIL FROM:<"), Just("MAIL FROM:"), Just("RCPT TO:<"), Just("RCPT TO:<a@b.example> "),
            Just("MAIL FROM:<a@b.example> "), Just("EHLO "), Just("AUTH "), Just("BDAT "), Just("VRFY "),
            Just("RCPT TO:<@"), Just("MAIL FROM:<\""), Just("RCPT TO:<a@["), Just(""),
        ],
        tail in "[ -~\t\u{e9}]{0,60}",
        raw in prop::collection::vec(any::<u8>(), 0..8),
    ) {
        let mut input = verb.as_bytes().to_vec();
        input.extend_from_slice(tail.as_bytes());
        check_any(&input);
        input.extend_from_slice(&raw);
        check_any(&input);
    }

    #[test]
    fn mutated_valid_commands_never_panic(cmd in arb_command(), pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut wire = cmd.to_bytes();
        wire.truncate(wire.len() - 2);
        if !wire.is_empty() {
            let i = pos.index(wire.len());
            wire[i] = byte;
            check_any(&wire);
            check_any(&wire[..i]);
        }
    }
}
