//! Our client against our server, for every mechanism.

use mailwire_sasl::*;

const PASSWORD: &str = "correct horse battery staple";
const TOKEN: &str = "ya29.a0AfH6SMB-valid_token";

#[derive(Debug, PartialEq)]
enum Outcome {
    Success { authzid: Option<String>, username: String },
    ServerFailure(SaslError),
    ClientError(SaslError),
}

fn config() -> ServerConfig {
    ServerConfig::new()
        .with_nonce(Nonce::from_random(&[0x42; 18]).unwrap())
        .with_hostname("mail.example.com")
        .with_timestamp(1_700_000_000)
}

/// Runs a whole exchange; the server's application knows PASSWORD and TOKEN
/// for every user. `final_in_success` sends SCRAM's server-final message
/// with the success reply instead of in a challenge.
fn run_with(mech: Mechanism, creds: &Credentials, config: ServerConfig, final_in_success: bool) -> Outcome {
    let mut client = ClientSession::new(mech, creds, Some(Nonce::from_random(&[0x17; 24]).unwrap())).unwrap();
    let mut server = ServerSession::new(mech, config).unwrap();
    let mut step = match client.initial_response() {
        Some(ir) => server.step(&ir).unwrap(),
        None => ServerStep::Challenge(server.initial_challenge().unwrap_or_default()),
    };
    for _ in 0..10 {
        step = match step {
            ServerStep::Challenge(c) => match client.step(&c) {
                Ok(ClientStep::Respond(r)) => server.step(&r).unwrap(),
                Ok(ClientStep::Done) => panic!("client done before the server decided"),
                Err(e) => return Outcome::ClientError(e),
            },
            ServerStep::VerifyPassword { password, .. } => {
                server.password_result(password == PASSWORD).unwrap()
            }
            ServerStep::NeedSecret { .. } if mech == Mechanism::CramMd5 => {
                server.provide_password(PASSWORD).unwrap()
            }
            ServerStep::NeedSecret { .. } => server
                .provide_scram(ScramCredentials::derive(PASSWORD, b"0123456789abcdef", 4096).unwrap())
                .unwrap(),
            ServerStep::VerifyToken { token, .. } => server
                .token_result(if token == TOKEN {
                    Ok(())
                } else {
                    Err(oauth_error_json("invalid_token", None, None))
                })
                .unwrap(),
            ServerStep::Success { authzid, username, final_data } => {
                assert!(server.is_finished());
                let finished = match final_data {
                    Some(data) if final_in_success => client.finish(Some(&data)),
                    Some(data) => {
                        assert_eq!(client.step(&data).unwrap(), ClientStep::Done);
                        client.finish(None)
                    }
                    None => client.finish(None),
                };
                return match finished {
                    Ok(()) => Outcome::Success { authzid, username },
                    Err(e) => Outcome::ClientError(e),
                };
            }
            ServerStep::Failure(e) => {
                assert!(server.is_finished());
                assert!(matches!(server.step(b""), Err(SaslError::UnexpectedCall { .. })));
                return Outcome::ServerFailure(e);
            }
        };
    }
    panic!("exchange did not end");
}

fn run(mech: Mechanism, creds: &Credentials) -> Outcome {
    run_with(mech, creds, config(), false)
}

fn ok(username: &str) -> Outcome {
    Outcome::Success { authzid: None, username: username.into() }
}

fn failed(mechanism: Mechanism) -> Outcome {
    Outcome::ServerFailure(SaslError::AuthenticationFailed { mechanism })
}

const PASSWORD_MECHS: [Mechanism; 4] =
    [Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5, Mechanism::ScramSha256];

#[test]
fn password_mechanisms_right_and_wrong() {
    for mech in PASSWORD_MECHS {
        assert_eq!(run(mech, &Credentials::password("alice", PASSWORD)), ok("alice"), "{mech}");
        assert_eq!(run(mech, &Credentials::password("alice", "wrong")), failed(mech), "{mech}");
    }
}

#[test]
fn scram_final_data_in_success_reply() {
    let creds = Credentials::password("alice", PASSWORD);
    assert_eq!(run_with(Mechanism::ScramSha256, &creds, config(), true), ok("alice"));
}

#[test]
fn token_mechanisms_right_and_wrong() {
    for mech in [Mechanism::XOAuth2, Mechanism::OAuthBearer] {
        assert_eq!(run(mech, &Credentials::bearer_token("bob@example.com", TOKEN)), ok("bob@example.com"));
        let creds = Credentials::bearer_token("bob@example.com", "expired");
        let mut client = ClientSession::new(mech, &creds, None).unwrap();
        let mut server = ServerSession::new(mech, ServerConfig::new()).unwrap();
        let ServerStep::VerifyToken { token, .. } = server.step(&client.initial_response().unwrap()).unwrap()
        else {
            panic!()
        };
        assert_eq!(token, "expired");
        let json = oauth_error_json("invalid_token", Some("mail"), None);
        let ServerStep::Challenge(c) = server.token_result(Err(json.clone())).unwrap() else { panic!() };
        let ClientStep::Respond(r) = client.step(&c).unwrap() else { panic!() };
        assert_eq!(server.step(&r).unwrap(), failed(mech).into_failure_step());
        assert_eq!(client.server_error(), Some(json.as_str()));
        assert_eq!(client.finish(None), Err(SaslError::OAuth { json }));
    }
}

trait IntoFailureStep {
    fn into_failure_step(self) -> ServerStep;
}

impl IntoFailureStep for Outcome {
    fn into_failure_step(self) -> ServerStep {
        match self {
            Outcome::ServerFailure(e) => ServerStep::Failure(e),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn oauthbearer_identity_host_and_port() {
    let creds = Credentials::bearer_token("", TOKEN);
    assert_eq!(run(Mechanism::OAuthBearer, &creds), ok(""));
    let creds = Credentials::bearer_token("u,=ser", TOKEN).with_host_port("imap.example.com", 993);
    let mut client = ClientSession::new(Mechanism::OAuthBearer, &creds, None).unwrap();
    let ir = client.initial_response().unwrap();
    assert!(ir.starts_with(b"n,a=u=2C=3Dser,\x01host=imap.example.com\x01port=993\x01auth=Bearer "));
    assert_eq!(run(Mechanism::OAuthBearer, &creds), ok("u,=ser"));
    // An explicit authzid takes the a= slot.
    let creds = Credentials::bearer_token("me", TOKEN).with_authzid("shared");
    assert_eq!(run(Mechanism::OAuthBearer, &creds), ok("shared"));
}

#[test]
fn authorization_identities() {
    for mech in [Mechanism::Plain, Mechanism::ScramSha256] {
        let creds = Credentials::password("admin", PASSWORD).with_authzid("alice");
        assert_eq!(
            run(mech, &creds),
            Outcome::Success { authzid: Some("alice".into()), username: "admin".into() }
        );
    }
    // Names that need saslname escaping in SCRAM, and UTF-8 names.
    let creds = Credentials::password("a,b=c", PASSWORD).with_authzid("=x,");
    assert_eq!(
        run(Mechanism::ScramSha256, &creds),
        Outcome::Success { authzid: Some("=x,".into()), username: "a,b=c".into() }
    );
    assert_eq!(run(Mechanism::ScramSha256, &Credentials::password("jürgen", PASSWORD)), ok("jürgen"));
    assert_eq!(run(Mechanism::Plain, &Credentials::password("jürgen", "pässwörd")), failed(Mechanism::Plain));
}

#[test]
fn scram_saslprep_maps_before_hashing() {
    // Soft hyphen and a no-break space are mapped: the same keys as the plain form.
    let creds = Credentials::password("alice", "correct\u{00A0}horse battery stap\u{00AD}le");
    assert_eq!(run(Mechanism::ScramSha256, &creds), ok("alice"));
    // Non-ASCII passwords cannot be prepared without NFKC: refused, typed.
    let creds = Credentials::password("alice", "pässwörd");
    assert_eq!(
        ClientSession::new(Mechanism::ScramSha256, &creds, Some(Nonce::from_random(&[1; 16]).unwrap()))
            .unwrap_err(),
        SaslError::SaslPrep(SaslPrepError::NonAscii)
    );
    assert_eq!(
        ScramCredentials::derive("pässwörd", b"salt", 4096).unwrap_err(),
        SaslError::SaslPrep(SaslPrepError::NonAscii)
    );
    // ... and best() falls back to a mechanism that sends it as it is.
    assert_eq!(Mechanism::best(["SCRAM-SHA-256", "PLAIN"], &creds), Some(Mechanism::Plain));
}

fn plus_config(data: &[u8]) -> ServerConfig {
    config().with_channel_binding(ChannelBinding::tls_exporter(data.to_vec()))
}

#[test]
fn scram_plus_channel_binding() {
    let creds = Credentials::password("alice", PASSWORD)
        .with_channel_binding(ChannelBinding::tls_exporter(vec![9; 32]));
    assert_eq!(run_with(Mechanism::ScramSha256Plus, &creds, plus_config(&[9; 32]), false), ok("alice"));
    // A different channel (a man in the middle terminating TLS).
    assert_eq!(
        run_with(Mechanism::ScramSha256Plus, &creds, plus_config(&[8; 32]), false),
        Outcome::ServerFailure(SaslError::ChannelBinding {
            reason: "the client's channel binding (c=) does not match this connection"
        })
    );
    // A binding type the server does not offer.
    let other = Credentials::password("alice", PASSWORD)
        .with_channel_binding(ChannelBinding::tls_server_end_point(vec![9; 32]));
    assert!(matches!(
        run_with(Mechanism::ScramSha256Plus, &other, plus_config(&[9; 32]), false),
        Outcome::ServerFailure(SaslError::ChannelBinding { .. })
    ));
    // The client could bind and the server offers -PLUS, yet plain SCRAM was
    // chosen: a downgrade (RFC 5802 §6, flag "y").
    assert!(matches!(
        run_with(Mechanism::ScramSha256, &creds, plus_config(&[9; 32]), false),
        Outcome::ServerFailure(SaslError::ChannelBinding { .. })
    ));
    // "y" to a server that offers no -PLUS is fine, and so is "n" to one that does.
    assert_eq!(run_with(Mechanism::ScramSha256, &creds, config(), false), ok("alice"));
    let plain = Credentials::password("alice", PASSWORD);
    assert_eq!(run_with(Mechanism::ScramSha256, &plain, plus_config(&[9; 32]), false), ok("alice"));
    let mut c = ClientSession::new(Mechanism::ScramSha256, &creds, Some(Nonce::new("abc").unwrap())).unwrap();
    assert!(c.initial_response().unwrap().starts_with(b"y,,n=alice,r=abc"));
    let mut c =
        ClientSession::new(Mechanism::ScramSha256Plus, &creds, Some(Nonce::new("abc").unwrap())).unwrap();
    assert!(c.initial_response().unwrap().starts_with(b"p=tls-exporter,,n=alice,r=abc"));
}

#[test]
fn unknown_users() {
    // SCRAM: the exchange runs to its end and fails there.
    let creds = Credentials::password("nobody", PASSWORD);
    let mut client =
        ClientSession::new(Mechanism::ScramSha256, &creds, Some(Nonce::new("cn").unwrap())).unwrap();
    let mut server = ServerSession::new(Mechanism::ScramSha256, config()).unwrap();
    assert!(matches!(
        server.step(&client.initial_response().unwrap()).unwrap(),
        ServerStep::NeedSecret { .. }
    ));
    let ServerStep::Challenge(server_first) = server.unknown_user().unwrap() else { panic!() };
    let first = wire::parse_scram_server_first(&server_first).unwrap();
    assert_eq!((first.salt.len(), first.iterations), (16, 4096));
    let ClientStep::Respond(client_final) = client.step(&server_first).unwrap() else { panic!() };
    assert_eq!(server.step(&client_final).unwrap(), failed(Mechanism::ScramSha256).into_failure_step());
    // CRAM-MD5: fails at once.
    let mut server = ServerSession::new(Mechanism::CramMd5, config()).unwrap();
    server.step(b"nobody 0123456789abcdef0123456789abcdef").unwrap();
    assert_eq!(server.unknown_user().unwrap(), failed(Mechanism::CramMd5).into_failure_step());
}

#[test]
fn client_first_mechanisms_without_initial_response() {
    // IMAP without SASL-IR: the server sends an empty challenge first.
    let cases = [
        (Mechanism::Plain, Credentials::password("alice", PASSWORD)),
        (Mechanism::ScramSha256, Credentials::password("alice", PASSWORD)),
        (Mechanism::XOAuth2, Credentials::bearer_token("alice", TOKEN)),
        (Mechanism::OAuthBearer, Credentials::bearer_token("alice", TOKEN)),
    ];
    for (mech, creds) in cases {
        let mut client = ClientSession::new(mech, &creds, Some(Nonce::new("abc").unwrap())).unwrap();
        let mut server = ServerSession::new(mech, config()).unwrap();
        assert_eq!(server.initial_challenge(), None);
        assert!(!client.is_complete());
        let ClientStep::Respond(first) = client.step(b"").unwrap() else { panic!() };
        assert_eq!(client.initial_response(), None, "already sent");
        assert!(!matches!(server.step(&first).unwrap(), ServerStep::Failure(_)), "{mech}");
    }
}

#[test]
fn login_with_username_as_initial_response() {
    // Some clients send `AUTH LOGIN <base64 username>`.
    let mut server = ServerSession::new(Mechanism::Login, ServerConfig::new()).unwrap();
    assert_eq!(server.step(b"alice").unwrap(), ServerStep::Challenge(b"Password:".to_vec()));
    assert_eq!(server.initial_challenge(), None);
    assert!(matches!(server.step(PASSWORD.as_bytes()).unwrap(), ServerStep::VerifyPassword { .. }));
    assert_eq!(server.password_result(false).unwrap(), failed(Mechanism::Login).into_failure_step());
}

#[test]
fn choosing_a_mechanism() {
    let pw = Credentials::password("alice", PASSWORD);
    let tok = Credentials::bearer_token("alice", TOKEN);
    let all = [
        "login",
        "Plain",
        "CRAM-MD5",
        "SCRAM-SHA-256",
        "SCRAM-SHA-256-PLUS",
        "XOAUTH2",
        "OAUTHBEARER",
        "NTLM",
    ];
    assert_eq!(Mechanism::best(all, &pw), Some(Mechanism::ScramSha256));
    assert_eq!(Mechanism::best(["LOGIN", "PLAIN", "CRAM-MD5"], &pw), Some(Mechanism::CramMd5));
    assert_eq!(Mechanism::best(["LOGIN", "PLAIN"], &pw), Some(Mechanism::Plain));
    assert_eq!(Mechanism::best(["LOGIN", "GSSAPI"], &pw), Some(Mechanism::Login));
    assert_eq!(Mechanism::best(["XOAUTH2", "OAUTHBEARER"], &pw), None);
    assert_eq!(Mechanism::best(all, &tok), Some(Mechanism::OAuthBearer));
    assert_eq!(Mechanism::best(["XOAUTH2", "PLAIN"], &tok), Some(Mechanism::XOAuth2));
    assert_eq!(Mechanism::best([], &tok), None);
    let bound = pw.clone().with_channel_binding(ChannelBinding::tls_exporter(vec![1; 32]));
    assert_eq!(Mechanism::best(all, &bound), Some(Mechanism::ScramSha256Plus));
    // An authorization identity rules out LOGIN, CRAM-MD5 and XOAUTH2.
    let authz = pw.clone().with_authzid("bob");
    assert_eq!(Mechanism::best(["LOGIN", "CRAM-MD5", "PLAIN"], &authz), Some(Mechanism::Plain));
    assert_eq!(Mechanism::best(["LOGIN", "CRAM-MD5"], &authz), None);
    assert_eq!(Mechanism::best(["XOAUTH2"], &tok.clone().with_authzid("bob")), None);
}

#[test]
fn mechanism_names() {
    for mech in Mechanism::ALL {
        assert_eq!(Mechanism::from_name(mech.name()), Some(mech));
        assert_eq!(Mechanism::from_name(&mech.name().to_ascii_lowercase()), Some(mech));
        assert_eq!(mech.to_string(), mech.name());
    }
    assert_eq!(Mechanism::from_name("SCRAM-SHA-1"), None);
    assert_eq!(Mechanism::from_name(""), None);
    assert!(!Mechanism::Login.has_initial_response() && !Mechanism::CramMd5.has_initial_response());
    assert!(Mechanism::Plain.has_initial_response() && Mechanism::ScramSha256.has_initial_response());
}

#[test]
fn nonces() {
    assert!(Nonce::from_random(&[0; 15]).is_err());
    assert_eq!(Nonce::from_random(&[0xff; 16]).unwrap().as_str(), "/////////////////////w");
    assert!(Nonce::from_random(&[0; 193]).is_err());
    assert!(Nonce::from_random(&[0; 192]).is_ok());
    for bad in ["", "a,b", "a b", "é", "\x01"] {
        assert!(Nonce::new(bad).is_err(), "{bad:?}");
    }
    assert!(Nonce::new("x".repeat(257)).is_err());
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let creds = Credentials::password("alice", PASSWORD);
    let text = format!("{creds:?}");
    assert!(!text.contains("horse") && text.contains("redacted"), "{text}");
    let text = format!("{:?}", Credentials::bearer_token("a", TOKEN));
    assert!(!text.contains("valid_token"), "{text}");
    let mut server = ServerSession::new(Mechanism::Plain, ServerConfig::new()).unwrap();
    let step = server.step(b"\0alice\0hunter2").unwrap();
    assert!(!format!("{step:?}").contains("hunter2"));
    let mut client = ClientSession::new(Mechanism::Login, &creds, None).unwrap();
    assert!(!format!("{client:?}").contains("horse"));
    client.step(b"Username:").unwrap();
    assert!(!format!("{client:?}").contains("horse"));
    let step = client.step(b"Password:").unwrap();
    assert_eq!(format!("{step:?}"), format!("Respond(<{} bytes>)", PASSWORD.len()));
    for mech in [Mechanism::Plain, Mechanism::ScramSha256, Mechanism::CramMd5] {
        let client = ClientSession::new(mech, &creds, Some(Nonce::new("n").unwrap())).unwrap();
        let text = format!("{client:?}");
        assert!(!text.contains("horse") && !text.contains("104"), "{text}");
    }
    let client =
        ClientSession::new(Mechanism::XOAuth2, &Credentials::bearer_token("a", TOKEN), None).unwrap();
    assert!(!format!("{client:?}").contains("valid_token"));
}
