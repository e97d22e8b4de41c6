//! Property tests: whatever the peer sends, no step panics, and every
//! failure is a typed error.

use mailwire_sasl::*;
use proptest::prelude::*;

const CB: [u8; 4] = [1, 2, 3, 4];

fn any_mechanism() -> impl Strategy<Value = Mechanism> {
    proptest::sample::select(Mechanism::ALL.to_vec())
}

fn server(mech: Mechanism) -> ServerSession {
    let config = ServerConfig::new()
        .with_nonce(Nonce::new("SNONCE").unwrap())
        .with_hostname("h.example")
        .with_channel_binding(ChannelBinding::tls_exporter(CB.to_vec()));
    ServerSession::new(mech, config).unwrap()
}

fn creds(mech: Mechanism) -> Credentials {
    let creds = if mech.uses_password() {
        Credentials::password("user", "pencil")
    } else {
        Credentials::bearer_token("user", "tok")
    };
    // Only -PLUS clients bind: a plain SCRAM client with binding data would
    // (rightly) be refused as a downgrade by a server that offers -PLUS.
    if mech == Mechanism::ScramSha256Plus {
        creds.with_channel_binding(ChannelBinding::tls_exporter(CB.to_vec()))
    } else {
        creds
    }
}

fn client(mech: Mechanism) -> ClientSession {
    ClientSession::new(mech, &creds(mech), Some(Nonce::new("CNONCE").unwrap())).unwrap()
}

/// Answers whatever the server asks the application, with a coin for the
/// verdict; returns the next challenge, or `None` once the exchange is over.
fn answer(server: &mut ServerSession, step: ServerStep, yes: bool) -> Option<Vec<u8>> {
    let mut step = step;
    loop {
        step = match step {
            ServerStep::Challenge(c) => return Some(c),
            ServerStep::VerifyPassword { .. } => server.password_result(yes).unwrap(),
            ServerStep::NeedSecret { .. } if server.mechanism() == Mechanism::CramMd5 => {
                if yes { server.provide_password("pencil") } else { server.unknown_user() }.unwrap()
            }
            ServerStep::NeedSecret { .. } => if yes {
                server.provide_scram(ScramCredentials::derive("pencil", b"salt", 2).unwrap())
            } else {
                server.unknown_user()
            }
            .unwrap(),
            ServerStep::VerifyToken { .. } => {
                server.token_result(if yes { Ok(()) } else { Err("{}".into()) }).unwrap()
            }
            ServerStep::Success { .. } | ServerStep::Failure(_) => return None,
        };
    }
}

/// Feeds messages to a server; errors must only be out-of-order calls (after
/// the end).
fn feed_server(mut server: ServerSession, messages: &[Vec<u8>], yes: bool) {
    for msg in messages {
        match server.step(msg) {
            Ok(step) => {
                let _ = answer(&mut server, step, yes);
            }
            Err(e) => {
                assert!(matches!(e, SaslError::UnexpectedCall { .. }), "{e:?}");
                assert!(server.is_finished());
            }
        }
    }
}

/// The valid message our own client sends first, to mutate.
fn valid_first(mech: Mechanism) -> Vec<u8> {
    let mut c = client(mech);
    c.initial_response().unwrap_or_else(|| match mech {
        Mechanism::CramMd5 => b"user 0123456789abcdef0123456789abcdef".to_vec(),
        _ => b"user".to_vec(),
    })
}

fn mutate(mut msg: Vec<u8>, edits: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    for &(at, byte) in edits {
        if !msg.is_empty() {
            let i = at % msg.len();
            msg[i] = byte;
        }
    }
    if let Some(cut) = cut {
        msg.truncate(cut % (msg.len() + 1));
    }
    msg
}

fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        any::<u8>(),
        proptest::sample::select(vec![
            b',', b'=', 0u8, 1, b' ', b'n', b'p', b'y', b'r', b'm', b'e', b'v', 0xff
        ])
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn servers_survive_random_bytes(
        mech in any_mechanism(),
        messages in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 1..4),
        yes: bool,
    ) {
        feed_server(server(mech), &messages, yes);
    }

    #[test]
    fn servers_survive_mutated_messages(
        mech in any_mechanism(),
        edits in proptest::collection::vec((any::<usize>(), interesting_byte()), 0..4),
        cut in proptest::option::of(any::<usize>()),
        later in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..3),
        yes: bool,
    ) {
        let first = mutate(valid_first(mech), &edits, cut);
        let mut messages = vec![first];
        messages.extend(later);
        feed_server(server(mech), &messages, yes);
    }

    #[test]
    fn scram_server_survives_mutated_client_final(
        plus: bool,
        edits in proptest::collection::vec((any::<usize>(), interesting_byte()), 0..4),
        cut in proptest::option::of(any::<usize>()),
        yes: bool,
    ) {
        let mech = if plus { Mechanism::ScramSha256Plus } else { Mechanism::ScramSha256 };
        let mut c = client(mech);
        let mut s = server(mech);
        let step = s.step(&c.initial_response().unwrap()).unwrap();
        let server_first = answer(&mut s, step, yes).unwrap();
        let ClientStep::Respond(client_final) = c.step(&server_first).unwrap() else { panic!() };
        let msg = mutate(client_final, &edits, cut);
        let step = s.step(&msg).unwrap();
        let ended = matches!(step, ServerStep::Success { .. } | ServerStep::Failure(_));
        prop_assert!(ended, "{:?}", step);
        if edits.is_empty() && cut.is_none() && yes {
            let succeeded = matches!(step, ServerStep::Success { .. });
            prop_assert!(succeeded, "{:?}", step);
        }
    }

    #[test]
    fn clients_survive_random_challenges(
        mech in any_mechanism(),
        take_initial: bool,
        challenges in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 1..4),
    ) {
        let mut c = client(mech);
        if take_initial {
            let _ = c.initial_response();
        }
        for ch in &challenges {
            let _ = c.step(ch);
        }
        let _ = c.finish(None);
        let _ = c.finish(Some(&challenges[0]));
    }

    #[test]
    fn scram_client_survives_mutated_server_messages(
        plus: bool,
        edits in proptest::collection::vec((any::<usize>(), interesting_byte()), 0..4),
        cut in proptest::option::of(any::<usize>()),
        final_edits in proptest::collection::vec((any::<usize>(), interesting_byte()), 0..3),
    ) {
        let mech = if plus { Mechanism::ScramSha256Plus } else { Mechanism::ScramSha256 };
        let mut c = client(mech);
        let mut s = server(mech);
        let step = s.step(&c.initial_response().unwrap()).unwrap();
        let server_first = answer(&mut s, step, true).unwrap();
        let mutated = mutate(server_first.clone(), &edits, cut);
        match c.step(&mutated) {
            Ok(ClientStep::Respond(client_final)) if mutated == server_first => {
                let ServerStep::Success { final_data: Some(fin), .. } = s.step(&client_final).unwrap() else {
                    panic!("our own exchange failed")
                };
                let fin_mutated = mutate(fin.clone(), &final_edits, None);
                let r = c.step(&fin_mutated);
                if fin_mutated == fin {
                    prop_assert_eq!(r, Ok(ClientStep::Done));
                } else {
                    prop_assert!(r.is_err());
                }
            }
            Ok(ClientStep::Respond(_)) => {}
            Ok(ClientStep::Done) => panic!("done after server-first"),
            Err(e) => prop_assert!(!e.is_misuse(), "{:?}", e),
        }
    }

    #[test]
    fn wire_parsers_never_panic(msg in proptest::collection::vec(any::<u8>(), 0..128)) {
        let _ = wire::parse_plain(&msg);
        let _ = wire::parse_login_field(&msg);
        let _ = wire::parse_cram_md5_response(&msg);
        let _ = wire::parse_xoauth2(&msg);
        let _ = wire::parse_oauthbearer(&msg);
        let _ = wire::parse_scram_client_first(&msg);
        let _ = wire::parse_scram_server_first(&msg);
        let _ = wire::parse_scram_client_final(&msg);
        let _ = wire::parse_scram_server_final(&msg);
    }

    #[test]
    fn saslprep_never_panics_and_is_idempotent(s in any::<String>()) {
        if let Ok(prepared) = saslprep(&s) {
            prop_assert!(prepared.is_ascii());
            prop_assert_eq!(saslprep(&prepared).unwrap(), prepared.clone());
        }
    }

    #[test]
    fn plain_round_trips(
        authzid in proptest::option::of("[^\\x00]{1,20}"),
        user in "[^\\x00]{1,20}",
        password in "[^\\x00]{1,20}",
    ) {
        let mut creds = Credentials::password(user.clone(), password.clone());
        creds.authzid = authzid.clone();
        let mut c = ClientSession::new(Mechanism::Plain, &creds, None).unwrap();
        let msg = c.initial_response().unwrap();
        let parsed = wire::parse_plain(&msg).unwrap();
        prop_assert_eq!(parsed.authzid, authzid.as_deref());
        prop_assert_eq!(parsed.authcid, user.as_str());
        prop_assert_eq!(parsed.password, password.as_str());
    }

    #[test]
    fn scram_names_round_trip(user in "[^\\x00]{1,20}", authzid in proptest::option::of("[^\\x00]{1,20}")) {
        let mut creds = Credentials::password(user.clone(), "pencil");
        creds.authzid = authzid.clone();
        let mut c = ClientSession::new(Mechanism::ScramSha256, &creds, Some(Nonce::new("n").unwrap())).unwrap();
        let mut s = server(Mechanism::ScramSha256);
        let step = s.step(&c.initial_response().unwrap()).unwrap();
        prop_assert_eq!(step, ServerStep::NeedSecret { authzid, username: user });
    }
}
