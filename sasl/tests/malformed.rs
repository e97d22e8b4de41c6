//! Malformed peer messages and out-of-order calls: typed errors, no panics.

use mailwire_sasl::*;

const SCRAM: Mechanism = Mechanism::ScramSha256;

fn scram_config() -> ServerConfig {
    ServerConfig::new().with_nonce(Nonce::new("SERVERNONCE").unwrap())
}

fn malformed(mechanism: Mechanism, reason: &'static str) -> SaslError {
    SaslError::Malformed { mechanism, reason }
}

/// The server's verdict on one response for a fresh session.
fn server_first_step(mech: Mechanism, response: &[u8]) -> ServerStep {
    let config = scram_config().with_hostname("h.example");
    let mut server = ServerSession::new(mech, config).unwrap();
    let step = server.step(response).unwrap();
    if let ServerStep::Failure(_) = step {
        assert!(server.is_finished());
        assert!(matches!(server.step(b"x"), Err(SaslError::UnexpectedCall { call: "step", .. })));
    }
    step
}

fn assert_fails(mech: Mechanism, response: &[u8]) -> SaslError {
    match server_first_step(mech, response) {
        ServerStep::Failure(e) => {
            assert!(!e.is_misuse(), "{e:?}");
            assert!(!e.to_string().is_empty());
            e
        }
        other => panic!("{mech} accepted {:?}: {other:?}", String::from_utf8_lossy(response)),
    }
}

#[test]
fn plain_server_rejects() {
    let m = Mechanism::Plain;
    for bad in
        [&b""[..], b"\0", b"\0\0", b"tim", b"\0tim", b"\0tim\0", b"\0\0pw", b"a\0b\0c\0d", b"\0tim\0\xff\xfe"]
    {
        assert_fails(m, bad);
    }
    assert_eq!(assert_fails(m, b"\0tim\0"), malformed(m, "empty password"));
}

#[test]
fn login_server_rejects() {
    assert_eq!(assert_fails(Mechanism::Login, b""), malformed(Mechanism::Login, "empty response"));
    assert_fails(Mechanism::Login, b"a\0b");
    assert_fails(Mechanism::Login, b"\xc3");
    let mut server = ServerSession::new(Mechanism::Login, ServerConfig::new()).unwrap();
    server.step(b"tim").unwrap();
    assert!(matches!(server.step(b"").unwrap(), ServerStep::Failure(SaslError::Malformed { .. })));
}

#[test]
fn cram_md5_server_rejects() {
    let m = Mechanism::CramMd5;
    for bad in [
        &b""[..],
        b"tim",
        b"tim ",
        b" b913a602c7eda7a495b4e6e7334d3890",
        b"tim b913a602c7eda7a495b4e6e7334d389",
        b"tim b913a602c7eda7a495b4e6e7334d38900",
        b"tim g913a602c7eda7a495b4e6e7334d3890",
        b"tim\0 b913a602c7eda7a495b4e6e7334d3890",
    ] {
        assert_fails(m, bad);
    }
    // Upper-case hex is accepted.
    assert!(matches!(
        server_first_step(m, b"tim B913A602C7EDA7A495B4E6E7334D3890"),
        ServerStep::NeedSecret { .. }
    ));
}

#[test]
fn xoauth2_server_rejects() {
    let m = Mechanism::XOAuth2;
    for bad in [
        &b""[..],
        b"user=a\x01auth=Bearer t\x01",
        b"user=a\x01auth=Bearer t",
        b"auth=Bearer t\x01\x01",
        b"user=a\x01\x01",
        b"user=\x01auth=Bearer t\x01\x01",
        b"user=a\x01auth=Basic t\x01\x01",
        b"user=a\x01auth=Bearer \x01\x01",
        b"user=a\x01auth=Bearert\x01\x01",
        b"user=a\x01auth=Bearer t t\x01\x01",
        b"user=a\x01user=b\x01auth=Bearer t\x01\x01",
        b"user=a\x01noequals\x01auth=Bearer t\x01\x01",
    ] {
        assert_fails(m, bad);
    }
    // Unknown keys are ignored; the scheme is case-insensitive.
    assert!(matches!(
        server_first_step(m, b"user=a\x01x=y\x01auth=bearer t0k=\x01\x01"),
        ServerStep::VerifyToken { .. }
    ));
}

#[test]
fn oauthbearer_server_rejects() {
    let m = Mechanism::OAuthBearer;
    for bad in [
        &b""[..],
        b"\x01auth=Bearer t\x01\x01",
        b"n,\x01auth=Bearer t\x01\x01",
        b"x,,\x01auth=Bearer t\x01\x01",
        b"n,,auth=Bearer t\x01\x01",
        b"n,,\x01auth=Bearer t\x01",
        b"n,,\x01\x01",
        b"n,a=,\x01auth=Bearer t\x01\x01",
        b"n,a=x=41,\x01auth=Bearer t\x01\x01",
        b"n,,\x01port=99999\x01auth=Bearer t\x01\x01",
        b"n,,\x01port=+1\x01auth=Bearer t\x01\x01",
        b"n,,\x01h0st=x\x01auth=Bearer t\x01\x01",
        b"n,,\x01host=a\x00b\x01auth=Bearer t\x01\x01",
        b"p=tls-unique,,\x01auth=Bearer t\x01\x01",
    ] {
        assert_fails(m, bad);
    }
    // The `y` flag is accepted (RFC 7628 allows n or y), and so is the client's ^A.
    assert!(matches!(server_first_step(m, b"y,,\x01auth=Bearer t\x01\x01"), ServerStep::VerifyToken { .. }));
}

#[test]
fn scram_server_rejects_client_first() {
    for bad in [
        &b""[..],
        b"n,,",
        b"n,,n=user",
        b"n,,n=user,",
        b"n,,n=user,r=",
        b"n,,n=,r=abc",
        b"n,,r=abc,n=user",
        b"n,,m=ext,n=user,r=abc",
        b"n,n=user,r=abc",
        b"n,x=y,n=user,r=abc",
        b"q,,n=user,r=abc",
        b"n,,n=us=er,r=abc",
        b"n,,n=us=2Xer,r=abc",
        b"n,,n=user,r=a\x7fc",
        b"n,,n=user,r=abc,1=x",
        b"n,,n=user,r=abc,x",
        b"n,,n=us\xffer,r=abc",
        b"n,,n=us\0er,r=abc",
    ] {
        assert_fails(SCRAM, bad);
    }
    assert_eq!(
        assert_fails(SCRAM, b"n,,m=ext,n=user,r=abc"),
        malformed(SCRAM, "mandatory extension (m=) not supported")
    );
    assert!(matches!(assert_fails(SCRAM, b"p=tls-exporter,,n=user,r=abc"), SaslError::ChannelBinding { .. }));
    assert!(matches!(
        ServerSession::new(Mechanism::ScramSha256Plus, scram_config()),
        Err(SaslError::InvalidArgument { .. })
    ));
    // Optional extensions are fine.
    assert!(matches!(server_first_step(SCRAM, b"n,,n=user,r=abc,x=1"), ServerStep::NeedSecret { .. }));
}

/// A SCRAM server waiting for the client-final message of client nonce `abc`.
fn scram_server_at_final() -> ServerSession {
    let mut server = ServerSession::new(SCRAM, scram_config()).unwrap();
    server.step(b"n,,n=user,r=abc").unwrap();
    let ServerStep::Challenge(first) =
        server.provide_scram(ScramCredentials::derive("pencil", b"salt", 16).unwrap()).unwrap()
    else {
        panic!()
    };
    assert_eq!(first, b"r=abcSERVERNONCE,s=c2FsdA==,i=16");
    server
}

#[test]
fn scram_server_rejects_client_final() {
    let proof = "p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let cases: Vec<(String, Option<SaslError>)> = vec![
        (String::new(), None),
        ("c=biws".into(), None),
        ("c=biws,r=abcSERVERNONCE".into(), None),
        (
            format!("c=biws,r=abcSERVERNONCE,{proof}").replace("p=AAA", "p=!AA"),
            Some(SaslError::InvalidBase64 { field: "p" }),
        ),
        (format!("c=b!ws,r=abcSERVERNONCE,{proof}"), Some(SaslError::InvalidBase64 { field: "c" })),
        (format!("c=biw,r=abcSERVERNONCE,{proof}"), Some(SaslError::InvalidBase64 { field: "c" })),
        (format!("c=eSws,r=abcSERVERNONCE,{proof}"), None), // "y,," instead of "n,,"
        (format!("c=biws,r=abc,{proof}"), Some(SaslError::NonceMismatch)),
        (format!("c=biws,r=abcSERVERNONCEx,{proof}"), Some(SaslError::NonceMismatch)),
        (format!("r=abcSERVERNONCE,c=biws,{proof}"), None),
        (
            format!("c=biws,r=abcSERVERNONCE,{proof}"),
            Some(SaslError::AuthenticationFailed { mechanism: SCRAM }),
        ),
        ("c=biws,r=abcSERVERNONCE,p=AAAA".into(), Some(SaslError::AuthenticationFailed { mechanism: SCRAM })),
        ("c=biws,r=abcSERVERNONCE,p=".into(), Some(SaslError::AuthenticationFailed { mechanism: SCRAM })),
    ];
    for (msg, expected) in cases {
        let mut server = scram_server_at_final();
        let ServerStep::Failure(e) = server.step(msg.as_bytes()).unwrap() else { panic!("accepted {msg:?}") };
        if let Some(expected) = expected {
            assert_eq!(e, expected, "{msg:?}");
        }
        assert!(server.is_finished());
    }
}

/// A SCRAM client that sent `n,,n=user,r=abc`.
fn scram_client() -> ClientSession {
    let creds = Credentials::password("user", "pencil");
    let mut client = ClientSession::new(SCRAM, &creds, Some(Nonce::new("abc").unwrap())).unwrap();
    assert_eq!(client.initial_response().unwrap(), b"n,,n=user,r=abc");
    client
}

#[test]
fn scram_client_rejects_server_first() {
    let cases: Vec<(&[u8], Option<SaslError>)> = vec![
        (b"", None),
        (b"r=abcdef", None),
        (b"r=abcdef,s=c2FsdA==", None),
        (b"r=abcdef,s=c2FsdA==,i", None),
        (b"r=abcdef,s=c2FsdA==,i=", None),
        (b"r=abcdef,i=16,s=c2FsdA==", None),
        (b"s=c2FsdA==,r=abcdef,i=16", None),
        (b"m=x,r=abcdef,s=c2FsdA==,i=16", Some(malformed(SCRAM, "mandatory extension (m=) not supported"))),
        (b"r=abcdef,s=c2Fsd,i=16", Some(SaslError::InvalidBase64 { field: "s" })),
        (b"r=abcdef,s=c2F sdA==,i=16", Some(SaslError::InvalidBase64 { field: "s" })),
        (b"r=abcdef,s=,i=16", Some(malformed(SCRAM, "empty salt"))),
        (b"r=xbcdef,s=c2FsdA==,i=16", Some(SaslError::NonceMismatch)),
        (b"r=ab,s=c2FsdA==,i=16", Some(SaslError::NonceMismatch)),
        (b"r=abc,s=c2FsdA==,i=16", Some(SaslError::NonceMismatch)),
        (
            b"r=abcdef,s=c2FsdA==,i=0",
            Some(SaslError::InvalidIterationCount { count: 0, max: MAX_ITERATIONS }),
        ),
        (
            b"r=abcdef,s=c2FsdA==,i=1000001",
            Some(SaslError::InvalidIterationCount { count: 1_000_001, max: MAX_ITERATIONS }),
        ),
        (
            b"r=abcdef,s=c2FsdA==,i=4294967296",
            Some(SaslError::InvalidIterationCount { count: 4_294_967_296, max: MAX_ITERATIONS }),
        ),
        (b"r=abcdef,s=c2FsdA==,i=16x", None),
        (b"r=abcdef,s=c2FsdA==,i=16,", None),
        (b"r=abc\xffdef,s=c2FsdA==,i=16", Some(malformed(SCRAM, "not valid UTF-8"))),
        (b"e=unknown-user", Some(SaslError::ServerRejected { error: "unknown-user".into() })),
    ];
    for (msg, expected) in cases {
        let mut client = scram_client();
        let e = client.step(msg).expect_err(&String::from_utf8_lossy(msg));
        assert!(!e.is_misuse());
        if let Some(expected) = expected {
            assert_eq!(e, expected, "{:?}", String::from_utf8_lossy(msg));
        }
        // Dead after an error.
        assert!(matches!(client.step(b"v=x"), Err(SaslError::UnexpectedCall { .. })));
        assert!(client.finish(None).is_err());
    }
}

#[test]
fn scram_client_rejects_server_final() {
    let cases: Vec<(&[u8], SaslError)> = vec![
        (b"", malformed(SCRAM, "server-final message must start with v= or e=")),
        (b"x=1", malformed(SCRAM, "server-final message must start with v= or e=")),
        (b"v=", SaslError::ServerSignatureMismatch),
        (b"v=!!!!", SaslError::InvalidBase64 { field: "v" }),
        (b"v=AAAA", SaslError::ServerSignatureMismatch),
        (b"v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", SaslError::ServerSignatureMismatch),
        (b"e=invalid-proof", SaslError::ServerRejected { error: "invalid-proof".into() }),
        (b"e=other-error,x=y", SaslError::ServerRejected { error: "other-error".into() }),
    ];
    for (msg, expected) in cases {
        let mut client = scram_client();
        assert!(matches!(client.step(b"r=abcdef,s=c2FsdA==,i=16").unwrap(), ClientStep::Respond(_)));
        assert_eq!(client.step(msg), Err(expected), "{:?}", String::from_utf8_lossy(msg));
    }
    let mut client = scram_client();
    client.step(b"r=abcdef,s=c2FsdA==,i=16").unwrap();
    // Unexpected success data is refused, as is success before the final message.
    assert_eq!(client.finish(None), Err(SaslError::Incomplete { mechanism: SCRAM }));
    assert_eq!(client.finish(Some(b"v=AAAA")), Err(SaslError::ServerSignatureMismatch));
}

#[test]
fn oversize_messages() {
    let huge = vec![b'a'; MAX_MESSAGE_LEN + 1];
    let too_long = SaslError::TooLong { len: MAX_MESSAGE_LEN + 1, max: MAX_MESSAGE_LEN };
    for mech in Mechanism::ALL {
        let config =
            scram_config().with_hostname("h").with_channel_binding(ChannelBinding::tls_exporter(vec![1]));
        let mut server = ServerSession::new(mech, config).unwrap();
        assert_eq!(server.step(&huge).unwrap(), ServerStep::Failure(too_long.clone()), "{mech}");
    }
    for f in [
        wire::parse_plain(&huge).err(),
        wire::parse_login_field(&huge).err(),
        wire::parse_cram_md5_response(&huge).err(),
        wire::parse_xoauth2(&huge).err(),
        wire::parse_oauthbearer(&huge).err(),
        wire::parse_scram_client_first(&huge).err(),
        wire::parse_scram_server_first(&huge).err(),
        wire::parse_scram_client_final(&huge).err(),
        wire::parse_scram_server_final(&huge).err(),
    ] {
        assert_eq!(f, Some(too_long.clone()));
    }
    let mut client = scram_client();
    assert_eq!(client.step(&huge), Err(too_long.clone()));
    let creds = Credentials::password("u", "p");
    let mut client = ClientSession::new(Mechanism::CramMd5, &creds, None).unwrap();
    assert_eq!(client.step(&huge), Err(too_long));
    // Exactly at the limit is accepted by the framing check.
    let mut client = ClientSession::new(Mechanism::CramMd5, &creds, None).unwrap();
    assert!(client.step(&vec![b'<'; MAX_MESSAGE_LEN]).is_ok());
}

#[test]
fn client_rejects_unexpected_challenges() {
    let pw = Credentials::password("u", "p");
    // PLAIN gets a challenge after its response.
    let mut client = ClientSession::new(Mechanism::Plain, &pw, None).unwrap();
    client.initial_response().unwrap();
    assert!(matches!(client.step(b"what?"), Err(SaslError::Malformed { .. })));
    // A non-empty challenge before the initial response.
    let mut client = ClientSession::new(Mechanism::Plain, &pw, None).unwrap();
    assert!(matches!(client.step(b"hello"), Err(SaslError::Malformed { .. })));
    // CRAM-MD5 with an empty challenge.
    let mut client = ClientSession::new(Mechanism::CramMd5, &pw, None).unwrap();
    assert_eq!(client.step(b""), Err(malformed(Mechanism::CramMd5, "empty challenge")));
    // LOGIN: a third prompt.
    let mut client = ClientSession::new(Mechanism::Login, &pw, None).unwrap();
    client.step(b"Username:").unwrap();
    assert_eq!(client.finish(None), Err(SaslError::Incomplete { mechanism: Mechanism::Login }));
    client.step(b"Password:").unwrap();
    assert!(client.step(b"Again:").is_err());
    // XOAUTH2: a second challenge after the error document.
    let tok = Credentials::bearer_token("u", "t");
    let mut client = ClientSession::new(Mechanism::XOAuth2, &tok, None).unwrap();
    client.initial_response().unwrap();
    client.step(b"{}").unwrap();
    assert!(matches!(client.step(b"{}"), Err(SaslError::UnexpectedCall { call: "step", .. })));
    // Success data where the mechanism has none.
    let mut client = ClientSession::new(Mechanism::Plain, &pw, None).unwrap();
    client.initial_response().unwrap();
    assert!(client.finish(Some(b"data")).is_err());
    // Success before the initial response went out.
    let mut client = ClientSession::new(Mechanism::Plain, &pw, None).unwrap();
    assert_eq!(client.finish(None), Err(SaslError::Incomplete { mechanism: Mechanism::Plain }));
}

#[test]
fn unusable_credentials_and_configs() {
    let pw = Credentials::password("u", "p");
    let tok = Credentials::bearer_token("u", "t");
    let nonce = || Some(Nonce::new("n").unwrap());
    let unsupported = |m, c: &Credentials| {
        let e = ClientSession::new(m, c, nonce()).unwrap_err();
        assert!(e.is_misuse(), "{e:?}");
        assert!(!m.supports(c));
        e
    };
    for m in [Mechanism::XOAuth2, Mechanism::OAuthBearer] {
        unsupported(m, &pw);
    }
    for m in [Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5, SCRAM] {
        unsupported(m, &tok);
        unsupported(m, &Credentials::password("", "p"));
        unsupported(m, &Credentials::password("u", ""));
    }
    for m in [Mechanism::Login, Mechanism::CramMd5] {
        unsupported(m, &pw.clone().with_authzid("a"));
    }
    unsupported(Mechanism::XOAuth2, &tok.clone().with_authzid("a"));
    unsupported(Mechanism::Plain, &pw.clone().with_authzid(""));
    unsupported(Mechanism::Plain, &Credentials::password("u\0", "p"));
    unsupported(Mechanism::Plain, &Credentials::password("u", "p\0"));
    unsupported(SCRAM, &Credentials::password("u\0", "p"));
    unsupported(SCRAM, &Credentials::password("u", "p\u{7}"));
    unsupported(Mechanism::ScramSha256Plus, &pw);
    unsupported(Mechanism::XOAuth2, &Credentials::bearer_token("u", "t t"));
    unsupported(Mechanism::XOAuth2, &Credentials::bearer_token("u\x01", "t"));
    unsupported(Mechanism::OAuthBearer, &Credentials::bearer_token("u", "t\x01"));
    unsupported(Mechanism::OAuthBearer, &tok.clone().with_host_port("a\x01b", 1));
    assert_eq!(
        ClientSession::new(SCRAM, &pw, None).unwrap_err(),
        SaslError::MissingNonce { mechanism: SCRAM }
    );

    // Servers.
    let no_nonce = ServerConfig::new().with_hostname("h");
    assert!(matches!(ServerSession::new(SCRAM, no_nonce.clone()), Err(SaslError::MissingNonce { .. })));
    assert!(matches!(ServerSession::new(Mechanism::CramMd5, no_nonce), Err(SaslError::MissingNonce { .. })));
    assert!(matches!(
        ServerSession::new(Mechanism::CramMd5, scram_config()),
        Err(SaslError::InvalidArgument { .. })
    ));
    assert!(matches!(
        ServerSession::new(Mechanism::CramMd5, scram_config().with_hostname("a b")),
        Err(SaslError::InvalidArgument { .. })
    ));
    assert!(matches!(
        ServerSession::new(
            Mechanism::CramMd5,
            ServerConfig::new().with_nonce(Nonce::new("a<b").unwrap()).with_hostname("h")
        ),
        Err(SaslError::InvalidArgument { .. })
    ));
    assert!(ChannelBinding::new("tls-exporter", vec![]).is_err());
    assert!(ChannelBinding::new("bad name", vec![1]).is_err());
    assert!(ChannelBinding::new("", vec![1]).is_err());
    assert_eq!(ChannelBinding::new("x-custom", vec![1]).unwrap().kind(), "x-custom");

    // Stored SCRAM credentials out of range.
    assert!(ScramCredentials::derive("p", b"", 4096).is_err());
    assert!(ScramCredentials::derive("p", b"s", 0).is_err());
    assert!(ScramCredentials::derive("p", b"s", MAX_ITERATIONS + 1).is_err());
    let mut server = ServerSession::new(SCRAM, scram_config()).unwrap();
    server.step(b"n,,n=user,r=abc").unwrap();
    let mut bad = ScramCredentials::derive("p", b"s", 1).unwrap();
    bad.iterations = 0;
    assert!(matches!(server.provide_scram(bad), Err(SaslError::InvalidArgument { .. })));
    // The session is still waiting and accepts good credentials.
    assert!(matches!(
        server.provide_scram(ScramCredentials::derive("p", b"s", 1).unwrap()).unwrap(),
        ServerStep::Challenge(_)
    ));
}

#[test]
fn server_calls_out_of_order() {
    let unexpected = |r: Result<ServerStep, SaslError>| {
        let e = r.unwrap_err();
        assert!(matches!(e, SaslError::UnexpectedCall { .. }) && e.is_misuse(), "{e:?}");
    };
    let cfg = || scram_config().with_hostname("h");
    for mech in Mechanism::ALL {
        let cfg = cfg().with_channel_binding(ChannelBinding::tls_exporter(vec![1]));
        let mut s = ServerSession::new(mech, cfg).unwrap();
        unexpected(s.password_result(true));
        unexpected(s.provide_password("p"));
        unexpected(s.provide_scram(ScramCredentials::derive("p", b"s", 1).unwrap()));
        unexpected(s.unknown_user());
        unexpected(s.token_result(Ok(())));
        assert!(!s.is_finished(), "{mech}: a misuse must not end the exchange");
        s.abort();
        assert!(s.is_finished());
        unexpected(s.step(b""));
        assert_eq!(s.initial_challenge(), None);
    }
    // Waiting for the application: step is out of order, and the state survives.
    let mut s = ServerSession::new(Mechanism::Plain, ServerConfig::new()).unwrap();
    s.step(b"\0u\0p").unwrap();
    unexpected(s.step(b"\0u\0p"));
    unexpected(s.token_result(Ok(())));
    assert!(matches!(s.password_result(true).unwrap(), ServerStep::Success { .. }));
    unexpected(s.password_result(true));
    unexpected(s.step(b""));

    let mut s = ServerSession::new(SCRAM, scram_config()).unwrap();
    s.step(b"n,,n=user,r=abc").unwrap();
    unexpected(s.password_result(true));
    unexpected(s.provide_password("p"));
    unexpected(s.step(b"c=biws,r=abcSERVERNONCE,p=AAAA"));

    let mut s = ServerSession::new(Mechanism::XOAuth2, ServerConfig::new()).unwrap();
    s.step(b"user=a\x01auth=Bearer t\x01\x01").unwrap();
    unexpected(s.unknown_user());
    assert!(matches!(s.token_result(Ok(())).unwrap(), ServerStep::Success { .. }));
    unexpected(s.token_result(Ok(())));
}

#[test]
fn client_calls_out_of_order() {
    let creds = Credentials::password("user", "pencil");
    let mut client = ClientSession::new(SCRAM, &creds, Some(Nonce::new("abc").unwrap())).unwrap();
    assert!(client.initial_response().is_some());
    assert!(client.initial_response().is_none());
    client.step(b"r=abcdef,s=c2FsdA==,i=1").unwrap();
    // A wrong signature kills the session; nothing after it works.
    assert!(client.step(b"v=AAAA").is_err());
    assert!(matches!(client.step(b"v=AAAA"), Err(SaslError::UnexpectedCall { .. })));
    assert!(matches!(client.finish(None), Err(SaslError::UnexpectedCall { .. })));
}

#[test]
fn error_messages_are_helpful() {
    let cases = [
        (
            SaslError::InvalidIterationCount { count: 0, max: MAX_ITERATIONS },
            "SCRAM iteration count 0 is out of range",
        ),
        (SaslError::TooLong { len: 20000, max: MAX_MESSAGE_LEN }, "20000 bytes is longer than the limit"),
        (SaslError::MissingNonce { mechanism: SCRAM }, "SCRAM-SHA-256 needs a nonce"),
        (SaslError::SaslPrep(SaslPrepError::NonAscii), "NFKC"),
        (malformed(Mechanism::Plain, "empty password"), "malformed PLAIN message: empty password"),
        (SaslError::UnexpectedCall { call: "step", state: "finished" }, "`step` called out of order"),
    ];
    for (err, text) in cases {
        assert!(err.to_string().contains(text), "{err}");
    }
    let e: Box<dyn std::error::Error> = Box::new(SaslError::SaslPrep(SaslPrepError::Prohibited));
    assert!(e.source().is_some());
}
