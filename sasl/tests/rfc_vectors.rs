//! Conformance tests on the specifications' own examples.

use mailwire_sasl::*;

fn b64(s: &str) -> Vec<u8> {
    base64_simd::STANDARD.decode_to_vec(s).unwrap()
}

const RFC7677_CLIENT_FIRST: &str = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
const RFC7677_SERVER_FIRST: &str =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const RFC7677_CLIENT_FINAL: &str = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const RFC7677_SERVER_FINAL: &str = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

#[test]
fn rfc7677_scram_sha256_client() {
    let creds = Credentials::password("user", "pencil");
    let nonce = Nonce::new("rOprNGfwEbeRWgbNEkqO").unwrap();
    let mut client = ClientSession::new(Mechanism::ScramSha256, &creds, Some(nonce)).unwrap();
    assert_eq!(client.initial_response().unwrap(), RFC7677_CLIENT_FIRST.as_bytes());
    assert_eq!(
        client.step(RFC7677_SERVER_FIRST.as_bytes()).unwrap(),
        ClientStep::Respond(RFC7677_CLIENT_FINAL.as_bytes().to_vec())
    );
    assert!(!client.is_complete());
    assert_eq!(client.step(RFC7677_SERVER_FINAL.as_bytes()).unwrap(), ClientStep::Done);
    assert!(client.is_complete());
    client.finish(None).unwrap();
}

#[test]
fn rfc7677_scram_sha256_client_with_final_data_in_success() {
    let creds = Credentials::password("user", "pencil");
    let nonce = Nonce::new("rOprNGfwEbeRWgbNEkqO").unwrap();
    let mut client = ClientSession::new(Mechanism::ScramSha256, &creds, Some(nonce)).unwrap();
    client.initial_response().unwrap();
    client.step(RFC7677_SERVER_FIRST.as_bytes()).unwrap();
    // Success before the server signature: refused.
    let mut early =
        ClientSession::new(Mechanism::ScramSha256, &creds, Some(Nonce::new("rOprNGfwEbeRWgbNEkqO").unwrap()))
            .unwrap();
    early.initial_response().unwrap();
    early.step(RFC7677_SERVER_FIRST.as_bytes()).unwrap();
    assert_eq!(early.finish(None), Err(SaslError::Incomplete { mechanism: Mechanism::ScramSha256 }));
    // The signature carried in the success reply instead.
    client.finish(Some(RFC7677_SERVER_FINAL.as_bytes())).unwrap();
}

#[test]
fn rfc7677_scram_sha256_server() {
    let config = ServerConfig::new().with_nonce(Nonce::new("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0").unwrap());
    let mut server = ServerSession::new(Mechanism::ScramSha256, config).unwrap();
    assert_eq!(server.initial_challenge(), None);
    assert_eq!(
        server.step(RFC7677_CLIENT_FIRST.as_bytes()).unwrap(),
        ServerStep::NeedSecret { authzid: None, username: "user".into() }
    );
    let salt = b64("W22ZaJ0SNY7soEsUEjb6gQ==");
    let stored = ScramCredentials::derive("pencil", &salt, 4096).unwrap();
    assert_eq!(
        server.provide_scram(stored).unwrap(),
        ServerStep::Challenge(RFC7677_SERVER_FIRST.as_bytes().to_vec())
    );
    assert_eq!(
        server.step(RFC7677_CLIENT_FINAL.as_bytes()).unwrap(),
        ServerStep::Success {
            authzid: None,
            username: "user".into(),
            final_data: Some(RFC7677_SERVER_FINAL.as_bytes().to_vec()),
        }
    );
    assert!(server.is_finished());
}

#[test]
fn rfc7677_stored_keys() {
    // RFC 7677's user, in the RFC 5803 storage format's terms.
    let stored = ScramCredentials::derive("pencil", &b64("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096).unwrap();
    assert_eq!(stored.stored_key.to_vec(), b64("WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="));
    assert_eq!(stored.server_key.to_vec(), b64("wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="));
    let debug = format!("{stored:?}");
    assert!(debug.contains("redacted") && !debug.contains("stored_key: ["), "{debug}");
}

#[test]
fn rfc7677_server_rejects_tampered_final() {
    let config = ServerConfig::new().with_nonce(Nonce::new("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0").unwrap());
    let mut server = ServerSession::new(Mechanism::ScramSha256, config).unwrap();
    server.step(RFC7677_CLIENT_FIRST.as_bytes()).unwrap();
    let stored = ScramCredentials::derive("pencil", &b64("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096).unwrap();
    server.provide_scram(stored).unwrap();
    let tampered = RFC7677_CLIENT_FINAL.replace("p=dHzb", "p=dHzc");
    assert_eq!(
        server.step(tampered.as_bytes()).unwrap(),
        ServerStep::Failure(SaslError::AuthenticationFailed { mechanism: Mechanism::ScramSha256 })
    );
}

#[test]
fn rfc7677_client_rejects_wrong_server_signature() {
    let creds = Credentials::password("user", "pencil");
    let nonce = Nonce::new("rOprNGfwEbeRWgbNEkqO").unwrap();
    let mut client = ClientSession::new(Mechanism::ScramSha256, &creds, Some(nonce)).unwrap();
    client.initial_response().unwrap();
    client.step(RFC7677_SERVER_FIRST.as_bytes()).unwrap();
    let wrong = RFC7677_SERVER_FINAL.replace("v=6", "v=7");
    assert_eq!(client.step(wrong.as_bytes()), Err(SaslError::ServerSignatureMismatch));
    // The session is dead; a later success claim is refused.
    assert!(client.finish(None).is_err());
}

#[test]
fn rfc2195_cram_md5_client() {
    let creds = Credentials::password("tim", "tanstaaftanstaaf");
    let mut client = ClientSession::new(Mechanism::CramMd5, &creds, None).unwrap();
    assert_eq!(client.initial_response(), None);
    // S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
    let challenge = b64("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
    assert_eq!(challenge, b"<1896.697170952@postoffice.reston.mci.net>");
    let ClientStep::Respond(response) = client.step(&challenge).unwrap() else { panic!() };
    assert_eq!(response, b"tim b913a602c7eda7a495b4e6e7334d3890");
    // C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
    assert_eq!(
        base64_simd::STANDARD.encode_to_string(&response),
        "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"
    );
    client.finish(None).unwrap();
}

#[test]
fn rfc2195_cram_md5_server() {
    let config = ServerConfig::new()
        .with_nonce(Nonce::new("1896").unwrap())
        .with_timestamp(697170952)
        .with_hostname("postoffice.reston.mci.net");
    let mut server = ServerSession::new(Mechanism::CramMd5, config.clone()).unwrap();
    assert_eq!(server.initial_challenge().unwrap(), b"<1896.697170952@postoffice.reston.mci.net>");
    assert_eq!(
        server.step(b"tim b913a602c7eda7a495b4e6e7334d3890").unwrap(),
        ServerStep::NeedSecret { authzid: None, username: "tim".into() }
    );
    assert_eq!(
        server.provide_password("tanstaaftanstaaf").unwrap(),
        ServerStep::Success { authzid: None, username: "tim".into(), final_data: None }
    );
    // The same response with the wrong stored password fails.
    let mut server = ServerSession::new(Mechanism::CramMd5, config).unwrap();
    server.step(b"tim b913a602c7eda7a495b4e6e7334d3890").unwrap();
    assert_eq!(
        server.provide_password("tanstaaf").unwrap(),
        ServerStep::Failure(SaslError::AuthenticationFailed { mechanism: Mechanism::CramMd5 })
    );
}

#[test]
fn rfc4616_plain_examples() {
    // §4: "\0tim\0tanstaaftanstaaf" and "Ursel\0Kurt\0xipj3plmq".
    let creds = Credentials::password("tim", "tanstaaftanstaaf");
    let mut client = ClientSession::new(Mechanism::Plain, &creds, None).unwrap();
    assert_eq!(client.initial_response().unwrap(), b"\0tim\0tanstaaftanstaaf");
    let creds = Credentials::password("Kurt", "xipj3plmq").with_authzid("Ursel");
    let mut client = ClientSession::new(Mechanism::Plain, &creds, None).unwrap();
    assert_eq!(client.initial_response().unwrap(), b"Ursel\0Kurt\0xipj3plmq");

    let mut server = ServerSession::new(Mechanism::Plain, ServerConfig::new()).unwrap();
    assert_eq!(
        server.step(b"Ursel\0Kurt\0xipj3plmq").unwrap(),
        ServerStep::VerifyPassword {
            authzid: Some("Ursel".into()),
            username: "Kurt".into(),
            password: "xipj3plmq".into(),
        }
    );
    assert_eq!(
        server.password_result(true).unwrap(),
        ServerStep::Success { authzid: Some("Ursel".into()), username: "Kurt".into(), final_data: None }
    );

    let mut server = ServerSession::new(Mechanism::Plain, ServerConfig::new()).unwrap();
    assert_eq!(
        server.step(b"\0tim\0tanstaaftanstaaf").unwrap(),
        ServerStep::VerifyPassword {
            authzid: None,
            username: "tim".into(),
            password: "tanstaaftanstaaf".into()
        }
    );
}

const RFC7628_IMAP_IR: &str = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
const RFC7628_TOKEN: &str = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";
const RFC7628_ERROR: &str = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=";

#[test]
fn rfc7628_oauthbearer_client() {
    // §4.1: the IMAP example's initial response, byte for byte.
    let creds = Credentials::bearer_token("user@example.com", RFC7628_TOKEN)
        .with_host_port("server.example.com", 143);
    let mut client = ClientSession::new(Mechanism::OAuthBearer, &creds, None).unwrap();
    let ir = client.initial_response().unwrap();
    assert_eq!(ir, b64(RFC7628_IMAP_IR));
    client.finish(None).unwrap();

    // §4.3: the failure exchange: the client answers the error with ^A.
    let mut client = ClientSession::new(Mechanism::OAuthBearer, &creds, None).unwrap();
    client.initial_response().unwrap();
    assert_eq!(client.step(&b64(RFC7628_ERROR)).unwrap(), ClientStep::Respond(b64("AQ==")));
    assert_eq!(client.server_error().unwrap(), String::from_utf8(b64(RFC7628_ERROR)).unwrap());
    assert!(matches!(client.finish(None), Err(SaslError::OAuth { json }) if json.contains("invalid_token")));
}

#[test]
fn rfc7628_oauthbearer_server() {
    let mut server = ServerSession::new(Mechanism::OAuthBearer, ServerConfig::new()).unwrap();
    assert_eq!(
        server.step(&b64(RFC7628_IMAP_IR)).unwrap(),
        ServerStep::VerifyToken {
            authzid: None,
            username: "user@example.com".into(),
            token: RFC7628_TOKEN.into()
        }
    );
    let ir = b64(RFC7628_IMAP_IR);
    let msg = wire::parse_oauthbearer(&ir).unwrap();
    assert_eq!((msg.host, msg.port), (Some("server.example.com"), Some(143)));

    // Failure as in §4.3: error challenge, ^A, failure.
    let json = oauth_error_json(
        "invalid_token",
        Some("example_scope"),
        Some("https://example.com/.well-known/openid-configuration"),
    );
    assert_eq!(json.as_bytes(), b64(RFC7628_ERROR));
    let ServerStep::Challenge(challenge) = server.token_result(Err(json)).unwrap() else { panic!() };
    assert_eq!(challenge, b64(RFC7628_ERROR));
    assert_eq!(
        server.step(b"\x01").unwrap(),
        ServerStep::Failure(SaslError::AuthenticationFailed { mechanism: Mechanism::OAuthBearer })
    );
}

#[test]
fn google_xoauth2_example() {
    // Google's published example initial response.
    const IR: &str = "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==";
    const TOKEN: &str = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg";
    let creds = Credentials::bearer_token("someuser@example.com", TOKEN);
    let mut client = ClientSession::new(Mechanism::XOAuth2, &creds, None).unwrap();
    assert_eq!(client.initial_response().unwrap(), b64(IR));

    let mut server = ServerSession::new(Mechanism::XOAuth2, ServerConfig::new()).unwrap();
    assert_eq!(
        server.step(&b64(IR)).unwrap(),
        ServerStep::VerifyToken {
            authzid: None,
            username: "someuser@example.com".into(),
            token: TOKEN.into()
        }
    );
    // Google's error challenge; the client answers with an empty response.
    let error = r#"{"status":"401","schemes":"bearer mac","scope":"https://mail.google.com/"}"#;
    assert_eq!(
        server.token_result(Err(error.into())).unwrap(),
        ServerStep::Challenge(error.as_bytes().to_vec())
    );
    assert_eq!(client.step(error.as_bytes()).unwrap(), ClientStep::Respond(Vec::new()));
    assert_eq!(
        server.step(b"").unwrap(),
        ServerStep::Failure(SaslError::AuthenticationFailed { mechanism: Mechanism::XOAuth2 })
    );
    assert_eq!(client.finish(None), Err(SaslError::OAuth { json: error.into() }));
}

#[test]
fn login_draft_example() {
    // draft-murchison-sasl-login §3: S: "Username:", C: "tim", S: "Password:", C: "tanstaaftanstaaf".
    let creds = Credentials::password("tim", "tanstaaftanstaaf");
    let mut client = ClientSession::new(Mechanism::Login, &creds, None).unwrap();
    let mut server = ServerSession::new(Mechanism::Login, ServerConfig::new()).unwrap();
    assert_eq!(client.initial_response(), None);
    let prompt = server.initial_challenge().unwrap();
    assert_eq!(prompt, b"Username:");
    let ClientStep::Respond(user) = client.step(&prompt).unwrap() else { panic!() };
    assert_eq!(user, b"tim");
    assert_eq!(server.step(&user).unwrap(), ServerStep::Challenge(b"Password:".to_vec()));
    let ClientStep::Respond(pass) = client.step(b"Password:").unwrap() else { panic!() };
    assert_eq!(pass, b"tanstaaftanstaaf");
    assert_eq!(
        server.step(&pass).unwrap(),
        ServerStep::VerifyPassword {
            authzid: None,
            username: "tim".into(),
            password: "tanstaaftanstaaf".into()
        }
    );
    assert!(matches!(server.password_result(true).unwrap(), ServerStep::Success { .. }));
    client.finish(None).unwrap();
}
