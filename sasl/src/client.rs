//! The client side of every mechanism.

use crate::wire::{self, CbFlag, ScramServerFinal};
use crate::{Credentials, Mechanism, Nonce, SaslError, Secret, crypto, saslprep};

/// What the client does next, as returned by [`ClientSession::step`].
///
/// `Debug` shows only the length of a response, which may hold a password.
#[derive(Clone, PartialEq, Eq)]
pub enum ClientStep {
    /// Send these bytes as the response (base64-encoded by the protocol
    /// crate). May be empty: send an empty response.
    Respond(Vec<u8>),
    /// The mechanism has nothing more to send and has verified everything
    /// it can (for SCRAM: the server's signature). If the data came in a
    /// challenge (SMTP `334`, IMAP `+`, POP3 `+`), answer it with an empty
    /// response; then wait for the server's verdict and call
    /// [`ClientSession::finish`].
    Done,
}

impl core::fmt::Debug for ClientStep {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Respond(r) => write!(f, "Respond(<{} bytes>)", r.len()),
            Self::Done => f.write_str("Done"),
        }
    }
}

/// Checks that `mechanism` can carry `credentials` (the rules behind
/// [`Mechanism::supports`]).
pub(crate) fn check_credentials(mechanism: Mechanism, creds: &Credentials) -> Result<(), SaslError> {
    let fail = |reason| Err(SaslError::UnsupportedCredentials { mechanism, reason });
    let secret = match (&creds.secret, mechanism.uses_password()) {
        (Secret::Password(p), true) => p,
        (Secret::BearerToken(t), false) => t,
        (Secret::Password(_), false) => return fail("this mechanism needs a bearer token, not a password"),
        (Secret::BearerToken(_), true) => return fail("this mechanism needs a password, not a bearer token"),
    };
    if secret.is_empty() {
        return fail("empty password or token");
    }
    let authzid = creds.authzid.as_deref();
    if authzid == Some("") {
        return fail("empty authorization identity (use None)");
    }
    if authzid.is_some() && matches!(mechanism, Mechanism::Login | Mechanism::CramMd5 | Mechanism::XOAuth2) {
        return fail("this mechanism cannot carry an authorization identity");
    }
    if creds.username.is_empty() && mechanism != Mechanism::OAuthBearer {
        return fail("empty username");
    }
    let has_nul = |s: &str| s.contains('\0');
    match mechanism {
        Mechanism::Plain => {
            if has_nul(&creds.username) || has_nul(secret) || authzid.is_some_and(has_nul) {
                return fail("PLAIN fields cannot contain NUL");
            }
        }
        Mechanism::Login | Mechanism::CramMd5 => {
            if has_nul(&creds.username) {
                return fail("the username cannot contain NUL");
            }
        }
        Mechanism::XOAuth2 | Mechanism::OAuthBearer => {
            if !wire::valid_token(secret) {
                return fail("the token has characters outside RFC 6750 b64token");
            }
            if creds.username.bytes().any(|b| b.is_ascii_control()) || authzid.is_some_and(has_nul) {
                return fail("the username cannot contain control characters");
            }
            if let Some(host) = &creds.host {
                if host.is_empty() || !host.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
                    return fail("the host must be non-empty visible ASCII");
                }
            }
        }
        Mechanism::ScramSha256 | Mechanism::ScramSha256Plus => {
            if has_nul(&creds.username) || authzid.is_some_and(has_nul) {
                return fail("SCRAM names cannot contain NUL");
            }
            saslprep(secret)?;
            if mechanism == Mechanism::ScramSha256Plus {
                match &creds.channel_binding {
                    Some(cb) if !cb.data().is_empty() => {}
                    _ => return fail("SCRAM-SHA-256-PLUS needs channel binding data"),
                }
            }
        }
    }
    Ok(())
}

/// The client side of a SASL exchange.
///
/// 1. [`ClientSession::new`] with the mechanism the server offered (see
///    [`Mechanism::best`]).
/// 2. If the protocol lets the client send an initial response with the
///    command, take [`initial_response`](Self::initial_response). Otherwise,
///    or if it returns `None`, send the bare command.
/// 3. For every challenge from the server (decoded from base64), call
///    [`step`](Self::step) and send what it says. An empty challenge before
///    the initial response was taken is answered with the initial response.
/// 4. When the server reports success, call [`finish`](Self::finish) with
///    the success data, if any: it fails if the server claims success
///    before the mechanism is complete (SCRAM: before it proved that it
///    knows the password). When the server reports failure, the session is
///    simply dropped; [`server_error`](Self::server_error) holds the OAuth
///    error document, if one came.
///
/// When `step` returns an error the exchange cannot go on: send the
/// protocol's cancellation (`*`) and drop the session.
///
/// `Debug` shows the mechanism and state, never the secret.
pub struct ClientSession {
    mechanism: Mechanism,
    initial: Option<Vec<u8>>,
    state: State,
    server_error: Option<String>,
}

impl core::fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientSession")
            .field("mechanism", &self.mechanism)
            .field("initial_response_pending", &self.initial.is_some())
            .field("state", &self.state)
            .field("server_error", &self.server_error)
            .finish()
    }
}

enum State {
    /// PLAIN, CRAM-MD5 and LOGIN after their last response; any further
    /// challenge is a protocol error.
    Sent,
    /// XOAUTH2 and OAUTHBEARER after the token: a challenge is an error
    /// document.
    TokenSent,
    /// The error document has been answered; the server will fail.
    TokenRejected,
    LoginUsername {
        username: String,
        password: String,
    },
    LoginPassword {
        password: String,
    },
    CramMd5 {
        username: String,
        password: String,
    },
    ScramFirst(Box<ScramClient>),
    ScramFinal {
        server_signature: [u8; 32],
    },
    Done,
    Failed,
}

impl core::fmt::Debug for State {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            State::Sent => "waiting for the outcome",
            State::TokenSent => "waiting for the outcome of the token",
            State::TokenRejected => "rejected by the server",
            State::LoginUsername { .. } => "waiting for the username prompt",
            State::LoginPassword { .. } => "waiting for the password prompt",
            State::CramMd5 { .. } => "waiting for the CRAM-MD5 challenge",
            State::ScramFirst(_) => "waiting for the SCRAM server-first message",
            State::ScramFinal { .. } => "waiting for the SCRAM server-final message",
            State::Done => "done",
            State::Failed => "failed",
        }
    }
}

struct ScramClient {
    password: String,
    nonce: String,
    bare: String,
    /// `c=` contents: the GS2 header plus any channel binding data.
    cbind: Vec<u8>,
}

impl ClientSession {
    /// Starts an exchange.
    ///
    /// `nonce` is required for SCRAM (fresh for every exchange) and ignored
    /// otherwise. Fails if the credentials do not fit the mechanism (see
    /// [`Mechanism::supports`]).
    pub fn new(
        mechanism: Mechanism,
        credentials: &Credentials,
        nonce: Option<Nonce>,
    ) -> Result<Self, SaslError> {
        check_credentials(mechanism, credentials)?;
        let creds = credentials;
        let secret = match &creds.secret {
            Secret::Password(s) | Secret::BearerToken(s) => s.as_str(),
        };
        let authzid = creds.authzid.as_deref();
        let (initial, state) = match mechanism {
            Mechanism::Plain => (Some(wire::build_plain(authzid, &creds.username, secret)), State::Sent),
            Mechanism::Login => {
                (None, State::LoginUsername { username: creds.username.clone(), password: secret.to_owned() })
            }
            Mechanism::CramMd5 => {
                (None, State::CramMd5 { username: creds.username.clone(), password: secret.to_owned() })
            }
            Mechanism::XOAuth2 => (Some(wire::build_xoauth2(&creds.username, secret)), State::TokenSent),
            Mechanism::OAuthBearer => {
                let identity = authzid.or((!creds.username.is_empty()).then_some(creds.username.as_str()));
                let msg = wire::build_oauthbearer(identity, creds.host.as_deref(), creds.port, secret);
                (Some(msg), State::TokenSent)
            }
            Mechanism::ScramSha256 | Mechanism::ScramSha256Plus => {
                let nonce = nonce.ok_or(SaslError::MissingNonce { mechanism })?;
                let password = saslprep(secret)?.into_owned();
                let binding = creds.channel_binding.as_ref();
                let cb_flag = match (mechanism, binding) {
                    (Mechanism::ScramSha256Plus, Some(cb)) => CbFlag::Used(cb.kind()),
                    (_, Some(_)) => CbFlag::NotOffered,
                    (_, None) => CbFlag::NotSupported,
                };
                let first = wire::build_scram_client_first(cb_flag, authzid, &creds.username, nonce.as_str());
                let mut cbind = first.gs2_header.clone().into_bytes();
                if let (Mechanism::ScramSha256Plus, Some(cb)) = (mechanism, binding) {
                    cbind.extend_from_slice(cb.data());
                }
                let msg = format!("{}{}", first.gs2_header, first.bare).into_bytes();
                let scram =
                    ScramClient { password, nonce: nonce.as_str().to_owned(), bare: first.bare, cbind };
                (Some(msg), State::ScramFirst(Box::new(scram)))
            }
        };
        Ok(Self { mechanism, initial, state, server_error: None })
    }

    /// The mechanism in use.
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// Takes the initial response, for protocols that send it with the
    /// command (SMTP `AUTH`, IMAP with `SASL-IR`, POP3 `AUTH`). Returns
    /// `None` for mechanisms without one (LOGIN, CRAM-MD5) and on every call
    /// after the first. Call it only if you are going to send the result;
    /// otherwise answer the server's empty challenge with
    /// [`step`](Self::step).
    ///
    /// An empty `Some` (never produced by these mechanisms) would be sent as
    /// `=` in SMTP and IMAP.
    pub fn initial_response(&mut self) -> Option<Vec<u8>> {
        self.initial.take()
    }

    /// The OAuth error document the server sent, if it rejected the token.
    pub fn server_error(&self) -> Option<&str> {
        self.server_error.as_deref()
    }

    /// Whether the client side of the exchange is complete, so that a
    /// success reply from the server can be trusted.
    pub fn is_complete(&self) -> bool {
        self.initial.is_none() && matches!(self.state, State::Sent | State::TokenSent | State::Done)
    }

    /// Processes a challenge from the server (already decoded from base64).
    pub fn step(&mut self, challenge: &[u8]) -> Result<ClientStep, SaslError> {
        let result = self.step_inner(challenge);
        if result.is_err() && !matches!(result, Err(SaslError::UnexpectedCall { .. })) {
            self.state = State::Failed;
        }
        result
    }

    fn step_inner(&mut self, challenge: &[u8]) -> Result<ClientStep, SaslError> {
        wire::check_len(challenge)?;
        let mechanism = self.mechanism;
        if let Some(initial) = self.initial.take() {
            if challenge.is_empty() {
                return Ok(ClientStep::Respond(initial));
            }
            return Err(SaslError::Malformed {
                mechanism,
                reason: "the server sent a non-empty challenge before the initial response",
            });
        }
        let unexpected = |state: &State| SaslError::UnexpectedCall { call: "step", state: state.name() };
        match core::mem::replace(&mut self.state, State::Failed) {
            State::Sent => Err(SaslError::Malformed {
                mechanism,
                reason: "the server sent a challenge after the final response",
            }),
            State::TokenSent => {
                // An error document: answer it with an empty response
                // (XOAUTH2) or a lone ^A (OAUTHBEARER, RFC 7628 §3.2.3), and
                // let the server fail the exchange.
                self.server_error = Some(String::from_utf8_lossy(challenge).into_owned());
                self.state = State::TokenRejected;
                Ok(ClientStep::Respond(if mechanism == Mechanism::OAuthBearer {
                    vec![1]
                } else {
                    Vec::new()
                }))
            }
            State::LoginUsername { username, password } => {
                // Servers word the prompts differently ("Username:",
                // "User Name", empty); the order is what counts.
                self.state = State::LoginPassword { password };
                Ok(ClientStep::Respond(username.into_bytes()))
            }
            State::LoginPassword { password } => {
                self.state = State::Sent;
                Ok(ClientStep::Respond(password.into_bytes()))
            }
            State::CramMd5 { username, password } => {
                if challenge.is_empty() {
                    return Err(SaslError::Malformed { mechanism, reason: "empty challenge" });
                }
                self.state = State::Sent;
                Ok(ClientStep::Respond(wire::cram_md5_response(&username, &password, challenge)))
            }
            State::ScramFirst(scram) => {
                let (response, server_signature) = scram.respond(challenge)?;
                self.state = State::ScramFinal { server_signature };
                Ok(ClientStep::Respond(response))
            }
            State::ScramFinal { server_signature } => {
                verify_server_final(challenge, &server_signature)?;
                self.state = State::Done;
                Ok(ClientStep::Done)
            }
            state @ (State::TokenRejected | State::Done | State::Failed) => {
                let err = unexpected(&state);
                self.state = state;
                Err(err)
            }
        }
    }

    /// Called when the server reports success, with the additional data
    /// that came with the success reply, if any (IMAP and some servers send
    /// the SCRAM server-final message there instead of in a challenge).
    ///
    /// Returns `Ok` only if the mechanism is complete; an error means the
    /// authentication must be treated as failed even though the server
    /// claimed success (for SCRAM: the server did not prove that it knows the
    /// password).
    pub fn finish(&mut self, success_data: Option<&[u8]>) -> Result<(), SaslError> {
        if let Some(data) = success_data.filter(|d| !d.is_empty()) {
            if matches!(self.state, State::ScramFinal { .. }) {
                return self.step(data).map(|_| ());
            }
            self.state = State::Failed;
            return Err(SaslError::Malformed {
                mechanism: self.mechanism,
                reason: "unexpected additional data with success",
            });
        }
        match &self.state {
            _ if self.initial.is_some() => Err(SaslError::Incomplete { mechanism: self.mechanism }),
            State::Sent | State::TokenSent | State::Done => {
                self.state = State::Done;
                Ok(())
            }
            State::TokenRejected => {
                Err(SaslError::OAuth { json: self.server_error.clone().unwrap_or_default() })
            }
            State::Failed => Err(SaslError::UnexpectedCall { call: "finish", state: "failed" }),
            _ => Err(SaslError::Incomplete { mechanism: self.mechanism }),
        }
    }
}

impl ScramClient {
    /// Answers the server-first message; returns the client-final message
    /// and the server signature to expect.
    fn respond(&self, server_first: &[u8]) -> Result<(Vec<u8>, [u8; 32]), SaslError> {
        let first = wire::parse_scram_server_first(server_first)?;
        if first.nonce.len() <= self.nonce.len() || !first.nonce.starts_with(&self.nonce) {
            return Err(SaslError::NonceMismatch);
        }
        let keys = Keys::derive(self.password.as_bytes(), &first.salt, first.iterations);
        let without_proof = format!("c={},r={}", crypto::b64_encode(&self.cbind), first.nonce);
        // parse_scram_server_first checked UTF-8, so the bytes are the text.
        let auth_message = [self.bare.as_bytes(), b",", server_first, b",", without_proof.as_bytes()];
        let client_signature = crypto::hmac_sha256(&keys.stored_key, &auth_message);
        let mut proof = keys.client_key;
        for (p, s) in proof.iter_mut().zip(client_signature) {
            *p ^= s;
        }
        let server_signature = crypto::hmac_sha256(&keys.server_key, &auth_message);
        let msg = format!("{without_proof},p={}", crypto::b64_encode(&proof));
        Ok((msg.into_bytes(), server_signature))
    }
}

fn verify_server_final(msg: &[u8], expected: &[u8; 32]) -> Result<(), SaslError> {
    match wire::parse_scram_server_final(msg)? {
        ScramServerFinal::Error(error) => Err(SaslError::ServerRejected { error }),
        ScramServerFinal::Verifier(signature) if crypto::ct_eq(&signature, expected) => Ok(()),
        ScramServerFinal::Verifier(_) => Err(SaslError::ServerSignatureMismatch),
    }
}

/// The SCRAM keys derived from a password (RFC 5802 §3).
pub(crate) struct Keys {
    pub client_key: [u8; 32],
    pub stored_key: [u8; 32],
    pub server_key: [u8; 32],
}

impl Keys {
    pub(crate) fn derive(password: &[u8], salt: &[u8], iterations: u32) -> Self {
        let salted = crypto::salted_password(password, salt, iterations);
        let client_key = crypto::hmac_sha256(&salted, &[b"Client Key"]);
        let server_key = crypto::hmac_sha256(&salted, &[b"Server Key"]);
        Self { client_key, stored_key: crypto::sha256(&client_key), server_key }
    }
}
