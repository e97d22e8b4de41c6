//! The server side of every mechanism.

use core::fmt;

use crate::client::Keys;
use crate::wire::{self, CbFlag};
use crate::{ChannelBinding, MAX_ITERATIONS, Mechanism, Nonce, SaslError, crypto, saslprep};

/// What a server needs besides the client's messages: caller-supplied
/// randomness, its host name, the time, and the connection's channel
/// binding.
///
/// ```
/// use mailwire_sasl::{Nonce, ServerConfig};
///
/// let config = ServerConfig::new()
///     .with_nonce(Nonce::from_random(&[7u8; 18])?)
///     .with_hostname("mail.example.com")
///     .with_timestamp(1_700_000_000);
/// # Ok::<(), mailwire_sasl::SaslError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Fresh randomness for this exchange: the server nonce of SCRAM and the
    /// random part of the CRAM-MD5 challenge. Required by those mechanisms.
    pub nonce: Option<Nonce>,
    /// The server's host name, for the CRAM-MD5 challenge
    /// `<random.timestamp@hostname>`. Required by CRAM-MD5.
    pub hostname: String,
    /// The current time (any unit, conventionally Unix seconds), for the
    /// CRAM-MD5 challenge.
    pub timestamp: u64,
    /// The TLS channel binding of this connection, if the server offers
    /// SCRAM-SHA-256-PLUS on it. Required by SCRAM-SHA-256-PLUS; with it,
    /// SCRAM-SHA-256 refuses clients that say the server does not offer
    /// -PLUS (GS2 flag `y`), as RFC 5802 §6 requires to detect a downgrade.
    pub channel_binding: Option<ChannelBinding>,
}

impl ServerConfig {
    /// An empty configuration (enough for PLAIN, LOGIN, XOAUTH2 and
    /// OAUTHBEARER).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the nonce.
    pub fn with_nonce(mut self, nonce: Nonce) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// Sets the host name.
    pub fn with_hostname(mut self, hostname: impl Into<String>) -> Self {
        self.hostname = hostname.into();
        self
    }

    /// Sets the timestamp.
    pub fn with_timestamp(mut self, timestamp: u64) -> Self {
        self.timestamp = timestamp;
        self
    }

    /// Sets the channel binding of the connection.
    pub fn with_channel_binding(mut self, channel_binding: ChannelBinding) -> Self {
        self.channel_binding = Some(channel_binding);
        self
    }
}

/// What a server stores for a SCRAM-SHA-256 user instead of the password
/// (RFC 5802 §3).
///
/// `Debug` does not print the keys.
///
/// ```
/// use mailwire_sasl::ScramCredentials;
///
/// let stored = ScramCredentials::derive("pencil", b"a per-user random salt", 4096)?;
/// assert_eq!(stored.iterations, 4096);
/// # Ok::<(), mailwire_sasl::SaslError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ScramCredentials {
    /// The salt (random, per user; 16 bytes or more is customary).
    pub salt: Vec<u8>,
    /// The PBKDF2 iteration count (RFC 7677 asks for at least 4096).
    pub iterations: u32,
    /// `StoredKey = H(HMAC(SaltedPassword, "Client Key"))`.
    pub stored_key: [u8; 32],
    /// `ServerKey = HMAC(SaltedPassword, "Server Key")`.
    pub server_key: [u8; 32],
}

impl ScramCredentials {
    /// Derives the stored credentials from a password (prepared with
    /// [`saslprep`](crate::saslprep), which refuses non-ASCII passwords), a
    /// salt and an iteration count from 1 to [`MAX_ITERATIONS`].
    pub fn derive(password: &str, salt: &[u8], iterations: u32) -> Result<Self, SaslError> {
        let password = saslprep(password)?;
        let this = Self { salt: salt.to_vec(), iterations, stored_key: [0; 32], server_key: [0; 32] };
        this.check()?;
        let keys = Keys::derive(password.as_bytes(), salt, iterations);
        Ok(Self { stored_key: keys.stored_key, server_key: keys.server_key, ..this })
    }

    fn check(&self) -> Result<(), SaslError> {
        if self.salt.is_empty() {
            return Err(SaslError::InvalidArgument { what: "SCRAM salt", reason: "must not be empty" });
        }
        if self.salt.len() > 1024 {
            return Err(SaslError::InvalidArgument { what: "SCRAM salt", reason: "longer than 1024 bytes" });
        }
        if !(1..=MAX_ITERATIONS).contains(&self.iterations) {
            return Err(SaslError::InvalidArgument {
                what: "SCRAM iteration count",
                reason: "must be between 1 and MAX_ITERATIONS",
            });
        }
        Ok(())
    }
}

impl fmt::Debug for ScramCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramCredentials")
            .field("salt", &self.salt)
            .field("iterations", &self.iterations)
            .field("stored_key", &"<redacted>")
            .field("server_key", &"<redacted>")
            .finish()
    }
}

/// What the server does next, as returned by [`ServerSession::step`] and
/// the answering methods.
#[derive(Clone, PartialEq, Eq)]
pub enum ServerStep {
    /// Send this challenge (base64-encoded by the protocol crate) and pass
    /// the client's answer to [`ServerSession::step`].
    Challenge(Vec<u8>),
    /// PLAIN, LOGIN: check the password, then call
    /// [`ServerSession::password_result`]. Check also that `username` may
    /// act as `authzid`, if one is given.
    VerifyPassword {
        /// The authorization identity, if the client asked for one.
        authzid: Option<String>,
        /// The authentication identity.
        username: String,
        /// The password, as sent (not SASLprep-ed).
        password: String,
    },
    /// SCRAM: look the user up and call [`ServerSession::provide_scram`];
    /// CRAM-MD5: look the user up and call
    /// [`ServerSession::provide_password`]. For an unknown user, call
    /// [`ServerSession::unknown_user`].
    NeedSecret {
        /// The authorization identity, if the client asked for one.
        authzid: Option<String>,
        /// The authentication identity.
        username: String,
    },
    /// XOAUTH2, OAUTHBEARER: validate the token, then call
    /// [`ServerSession::token_result`].
    VerifyToken {
        /// Always `None`: the GS2 `a=` identity of OAUTHBEARER is returned
        /// as `username`, since the token itself names who authenticates.
        authzid: Option<String>,
        /// XOAUTH2 `user=`; OAUTHBEARER GS2 `a=` (empty if absent). Check
        /// that the token's owner may act as this user.
        username: String,
        /// The bearer token.
        token: String,
    },
    /// Authentication succeeded. Check that `username` may act as
    /// `authzid`, if one is given (the mechanisms only prove who the client
    /// is).
    ///
    /// `final_data` is the mechanism's last message (SCRAM server-final).
    /// SMTP (RFC 4954) and POP3 (RFC 5034) cannot carry data in their
    /// success reply: send it as a challenge, wait for the client's (empty)
    /// answer and then send the success reply without passing that answer
    /// here. IMAP may send it either way.
    Success {
        /// The authorization identity, if the client asked for one.
        authzid: Option<String>,
        /// The authenticated identity.
        username: String,
        /// Data to send with (or just before) the success reply.
        final_data: Option<Vec<u8>>,
    },
    /// Authentication failed; send the protocol's failure reply (SMTP `535`,
    /// IMAP `NO`, POP3 `-ERR`). The error is for logs, not for the client.
    Failure(SaslError),
}

impl fmt::Debug for ServerStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Challenge(c) => f.debug_tuple("Challenge").field(&String::from_utf8_lossy(c)).finish(),
            Self::VerifyPassword { authzid, username, .. } => f
                .debug_struct("VerifyPassword")
                .field("authzid", authzid)
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Self::NeedSecret { authzid, username } => {
                f.debug_struct("NeedSecret").field("authzid", authzid).field("username", username).finish()
            }
            Self::VerifyToken { authzid, username, .. } => f
                .debug_struct("VerifyToken")
                .field("authzid", authzid)
                .field("username", username)
                .field("token", &"<redacted>")
                .finish(),
            Self::Success { authzid, username, final_data } => f
                .debug_struct("Success")
                .field("authzid", authzid)
                .field("username", username)
                .field("final_data", &final_data.as_deref().map(String::from_utf8_lossy))
                .finish(),
            Self::Failure(e) => f.debug_tuple("Failure").field(e).finish(),
        }
    }
}

/// Builds an RFC 7628 §3.2.2 error document for
/// [`ServerSession::token_result`], with JSON string escaping.
///
/// ```
/// assert_eq!(
///     mailwire_sasl::oauth_error_json("invalid_token", Some("mail"), None),
///     r#"{"status":"invalid_token","scope":"mail"}"#,
/// );
/// ```
pub fn oauth_error_json(status: &str, scope: Option<&str>, openid_configuration: Option<&str>) -> String {
    fn push_string(out: &mut String, s: &str) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    let mut out = String::from("{\"status\":");
    push_string(&mut out, status);
    if let Some(scope) = scope {
        out.push_str(",\"scope\":");
        push_string(&mut out, scope);
    }
    if let Some(url) = openid_configuration {
        out.push_str(",\"openid-configuration\":");
        push_string(&mut out, url);
    }
    out.push('}');
    out
}

/// The server side of a SASL exchange.
///
/// 1. [`ServerSession::new`] when the client names a mechanism.
/// 2. If the client sent an initial response, pass it to
///    [`step`](Self::step). Otherwise send
///    [`initial_challenge`](Self::initial_challenge) (an empty challenge when
///    it is `None`) and pass the client's answer to `step`.
/// 3. Act on each [`ServerStep`]: send challenges and pass the answers to
///    `step`; answer `VerifyPassword`, `NeedSecret` and `VerifyToken` with
///    the matching method; end with `Success` or `Failure`.
///
/// A client's cancellation (`*`) is recognised by the protocol crate, which
/// then calls [`abort`](Self::abort) (or drops the session) and replies
/// with its own error (SMTP `501`, IMAP `BAD`, POP3 `-ERR`). Calls made out
/// of order return [`SaslError::UnexpectedCall`] and leave the session as it
/// was; every problem with the client's messages is a
/// [`ServerStep::Failure`], after which the session is finished.
#[derive(Debug)]
pub struct ServerSession {
    mechanism: Mechanism,
    state: State,
    /// SCRAM: the server nonce; CRAM-MD5: the challenge.
    nonce: String,
    channel_binding: Option<ChannelBinding>,
}

enum State {
    Plain,
    LoginUsername,
    LoginPassword { username: String },
    AwaitPasswordResult { authzid: Option<String>, username: String },
    CramMd5,
    CramMd5AwaitPassword { username: String, digest: [u8; 16] },
    Token,
    AwaitTokenResult { authzid: Option<String>, username: String },
    TokenRejected,
    ScramFirst,
    ScramAwaitSecret(Box<ScramFirst>),
    ScramFinal(Box<ScramFinal>),
    Finished,
}

struct ScramFirst {
    authzid: Option<String>,
    username: String,
    /// `c=` contents the client must send: GS2 header plus binding data.
    cbind: Vec<u8>,
    client_nonce: String,
    bare: String,
}

struct ScramFinal {
    first: ScramFirst,
    nonce: String,
    server_first: String,
    credentials: ScramCredentials,
    /// The user is unknown: fail at the end, whatever the proof.
    unknown: bool,
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            State::Plain | State::Token | State::ScramFirst | State::CramMd5 | State::LoginUsername => {
                "waiting for the client's first message"
            }
            State::LoginPassword { .. } => "waiting for the LOGIN password",
            State::AwaitPasswordResult { .. } => "waiting for password_result",
            State::CramMd5AwaitPassword { .. } => "waiting for provide_password or unknown_user",
            State::AwaitTokenResult { .. } => "waiting for token_result",
            State::TokenRejected => "waiting for the client to acknowledge the token error",
            State::ScramAwaitSecret(_) => "waiting for provide_scram or unknown_user",
            State::ScramFinal(_) => "waiting for the SCRAM client-final message",
            State::Finished => "finished",
        }
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn is_atext_or_dot(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b)
}

impl ServerSession {
    /// Starts an exchange for `mechanism`.
    ///
    /// Fails with [`SaslError::MissingNonce`] if a SCRAM or CRAM-MD5 session
    /// gets no nonce, and with [`SaslError::InvalidArgument`] if CRAM-MD5 gets
    /// no valid host name or SCRAM-SHA-256-PLUS no channel binding.
    pub fn new(mechanism: Mechanism, config: ServerConfig) -> Result<Self, SaslError> {
        let nonce = || {
            config.nonce.as_ref().map(|n| n.as_str().to_owned()).ok_or(SaslError::MissingNonce { mechanism })
        };
        let (state, nonce) = match mechanism {
            Mechanism::Plain => (State::Plain, String::new()),
            Mechanism::Login => (State::LoginUsername, String::new()),
            Mechanism::XOAuth2 | Mechanism::OAuthBearer => (State::Token, String::new()),
            Mechanism::CramMd5 => {
                let random = nonce()?;
                if !random.bytes().all(is_atext_or_dot) {
                    return Err(SaslError::InvalidArgument {
                        what: "nonce",
                        reason: "CRAM-MD5 needs a nonce made of RFC 5322 atext characters",
                    });
                }
                let host = &config.hostname;
                if host.is_empty() || host.len() > 255 || !host.bytes().all(is_atext_or_dot) {
                    return Err(SaslError::InvalidArgument {
                        what: "hostname",
                        reason: "CRAM-MD5 needs a host name of 1 to 255 atext characters or dots",
                    });
                }
                (State::CramMd5, format!("<{random}.{}@{host}>", config.timestamp))
            }
            Mechanism::ScramSha256 | Mechanism::ScramSha256Plus => {
                if mechanism == Mechanism::ScramSha256Plus
                    && config.channel_binding.as_ref().is_none_or(|cb| cb.data().is_empty())
                {
                    return Err(SaslError::InvalidArgument {
                        what: "server configuration",
                        reason: "SCRAM-SHA-256-PLUS needs the connection's channel binding data",
                    });
                }
                (State::ScramFirst, nonce()?)
            }
        };
        Ok(Self { mechanism, state, nonce, channel_binding: config.channel_binding })
    }

    /// The mechanism in use.
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// The challenge to send if the client gave no initial response:
    /// `Username:` for LOGIN, `<random.timestamp@host>` for CRAM-MD5, and
    /// `None` (send an empty challenge) for the mechanisms where the client
    /// speaks first. `None` once the exchange has started.
    pub fn initial_challenge(&self) -> Option<Vec<u8>> {
        match self.state {
            State::LoginUsername => Some(b"Username:".to_vec()),
            State::CramMd5 => Some(self.nonce.as_bytes().to_vec()),
            _ => None,
        }
    }

    /// Whether the exchange has ended (success, failure or abort).
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished)
    }

    /// Ends the exchange because the client cancelled it (`*`) or the
    /// connection went away. Every later call returns
    /// [`SaslError::UnexpectedCall`].
    pub fn abort(&mut self) {
        self.state = State::Finished;
    }

    fn failed(&self, error: SaslError) -> ServerStep {
        ServerStep::Failure(error)
    }

    fn auth_failed(&self) -> ServerStep {
        ServerStep::Failure(SaslError::AuthenticationFailed { mechanism: self.mechanism })
    }

    /// Processes a response from the client (already decoded from base64).
    pub fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        let state = core::mem::replace(&mut self.state, State::Finished);
        let result = match state {
            State::Plain => self.plain(response),
            State::LoginUsername => match wire::parse_login_field(response) {
                Ok(username) => {
                    self.state = State::LoginPassword { username: username.to_owned() };
                    Ok(b"Password:".to_vec())
                }
                Err(e) => Err(e),
            }
            .map(ServerStep::Challenge),
            State::LoginPassword { username } => wire::parse_login_field(response).map(|password| {
                self.state = State::AwaitPasswordResult { authzid: None, username: username.clone() };
                ServerStep::VerifyPassword { authzid: None, username, password: password.to_owned() }
            }),
            State::CramMd5 => wire::parse_cram_md5_response(response).map(|r| {
                self.state =
                    State::CramMd5AwaitPassword { username: r.username.to_owned(), digest: r.digest };
                ServerStep::NeedSecret { authzid: None, username: r.username.to_owned() }
            }),
            State::Token => self.token(response),
            State::TokenRejected => {
                // The client acknowledged the error document (empty response
                // or ^A); whatever it sent, the exchange fails.
                Ok(self.auth_failed())
            }
            State::ScramFirst => self.scram_first(response),
            State::ScramFinal(fin) => self.scram_final(response, *fin),
            state @ (State::AwaitPasswordResult { .. }
            | State::CramMd5AwaitPassword { .. }
            | State::AwaitTokenResult { .. }
            | State::ScramAwaitSecret(_)
            | State::Finished) => {
                let err = SaslError::UnexpectedCall { call: "step", state: state.name() };
                self.state = state;
                return Err(err);
            }
        };
        Ok(match result {
            Ok(step) => step,
            Err(e) => {
                self.state = State::Finished;
                self.failed(e)
            }
        })
    }

    fn plain(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        let msg = wire::parse_plain(response)?;
        let authzid = msg.authzid.map(str::to_owned);
        let username = msg.authcid.to_owned();
        self.state = State::AwaitPasswordResult { authzid: authzid.clone(), username: username.clone() };
        Ok(ServerStep::VerifyPassword { authzid, username, password: msg.password.to_owned() })
    }

    fn token(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        let (username, token) = if self.mechanism == Mechanism::XOAuth2 {
            let msg = wire::parse_xoauth2(response)?;
            (msg.user.to_owned(), msg.token.to_owned())
        } else {
            let msg = wire::parse_oauthbearer(response)?;
            (msg.authzid.map(|a| a.into_owned()).unwrap_or_default(), msg.token.to_owned())
        };
        self.state = State::AwaitTokenResult { authzid: None, username: username.clone() };
        Ok(ServerStep::VerifyToken { authzid: None, username, token })
    }

    fn scram_first(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        let first = wire::parse_scram_client_first(response)?;
        let cb_reason = |reason| Err(SaslError::ChannelBinding { reason });
        let mut cbind = first.gs2.raw.as_bytes().to_vec();
        match (self.mechanism, first.gs2.cb_flag, &self.channel_binding) {
            (Mechanism::ScramSha256Plus, CbFlag::Used(kind), Some(cb)) => {
                if kind != cb.kind() {
                    return cb_reason(
                        "the client asked for a channel binding type this server does not offer",
                    );
                }
                cbind.extend_from_slice(cb.data());
            }
            (Mechanism::ScramSha256Plus, _, _) => {
                return cb_reason(
                    "SCRAM-SHA-256-PLUS was chosen but the client does not bind (GS2 flag n or y)",
                );
            }
            (_, CbFlag::Used(_), _) => {
                return cb_reason("the client asked for channel binding with a mechanism without -PLUS");
            }
            (_, CbFlag::NotOffered, Some(_)) => {
                return cb_reason(
                    "downgrade detected: the client could bind but thinks -PLUS is not offered",
                );
            }
            (_, CbFlag::NotOffered | CbFlag::NotSupported, _) => {}
        }
        let scram = ScramFirst {
            authzid: first.gs2.authzid.map(|a| a.into_owned()),
            username: first.username.into_owned(),
            cbind,
            client_nonce: first.nonce.to_owned(),
            bare: first.bare.to_owned(),
        };
        let step =
            ServerStep::NeedSecret { authzid: scram.authzid.clone(), username: scram.username.clone() };
        self.state = State::ScramAwaitSecret(Box::new(scram));
        Ok(step)
    }

    fn scram_server_first(
        &mut self,
        first: ScramFirst,
        credentials: ScramCredentials,
        unknown: bool,
    ) -> ServerStep {
        let nonce = format!("{}{}", first.client_nonce, self.nonce);
        let server_first =
            format!("r={nonce},s={},i={}", crypto::b64_encode(&credentials.salt), credentials.iterations);
        let challenge = server_first.clone().into_bytes();
        self.state =
            State::ScramFinal(Box::new(ScramFinal { first, nonce, server_first, credentials, unknown }));
        ServerStep::Challenge(challenge)
    }

    fn scram_final(&mut self, response: &[u8], fin: ScramFinal) -> Result<ServerStep, SaslError> {
        let msg = wire::parse_scram_client_final(response)?;
        if !crypto::ct_eq(&msg.channel_binding, &fin.first.cbind) {
            return Err(SaslError::ChannelBinding {
                reason: "the client's channel binding (c=) does not match this connection",
            });
        }
        if msg.nonce != fin.nonce {
            return Err(SaslError::NonceMismatch);
        }
        let auth_message = [
            fin.first.bare.as_bytes(),
            b",",
            fin.server_first.as_bytes(),
            b",",
            msg.without_proof.as_bytes(),
        ];
        let creds = &fin.credentials;
        let client_signature = crypto::hmac_sha256(&creds.stored_key, &auth_message);
        let mut client_key = [0u8; 32];
        let proof_ok = msg.proof.len() == 32 && {
            for ((k, p), s) in client_key.iter_mut().zip(&msg.proof).zip(client_signature) {
                *k = p ^ s;
            }
            crypto::ct_eq(&crypto::sha256(&client_key), &creds.stored_key)
        };
        if !proof_ok || fin.unknown {
            return Ok(self.auth_failed());
        }
        let server_signature = crypto::hmac_sha256(&creds.server_key, &auth_message);
        let final_data = format!("v={}", crypto::b64_encode(&server_signature)).into_bytes();
        Ok(ServerStep::Success {
            authzid: fin.first.authzid,
            username: fin.first.username,
            final_data: Some(final_data),
        })
    }

    /// Answers [`ServerStep::VerifyPassword`] (PLAIN, LOGIN): whether the
    /// password is right.
    pub fn password_result(&mut self, valid: bool) -> Result<ServerStep, SaslError> {
        match core::mem::replace(&mut self.state, State::Finished) {
            State::AwaitPasswordResult { authzid, username } if valid => {
                Ok(ServerStep::Success { authzid, username, final_data: None })
            }
            State::AwaitPasswordResult { .. } => Ok(self.auth_failed()),
            state => Err(self.unexpected(state, "password_result")),
        }
    }

    /// Answers [`ServerStep::NeedSecret`] for CRAM-MD5 with the user's
    /// plaintext password.
    pub fn provide_password(&mut self, password: &str) -> Result<ServerStep, SaslError> {
        match core::mem::replace(&mut self.state, State::Finished) {
            State::CramMd5AwaitPassword { username, digest } => {
                let expected = crypto::hmac_md5(password.as_bytes(), self.nonce.as_bytes());
                if crypto::ct_eq(&expected, &digest) {
                    Ok(ServerStep::Success { authzid: None, username, final_data: None })
                } else {
                    Ok(self.auth_failed())
                }
            }
            state => Err(self.unexpected(state, "provide_password")),
        }
    }

    /// Answers [`ServerStep::NeedSecret`] for SCRAM with the user's stored
    /// credentials; returns the server-first challenge. Fails with
    /// [`SaslError::InvalidArgument`] (leaving the session waiting) if the
    /// credentials are out of range.
    pub fn provide_scram(&mut self, credentials: ScramCredentials) -> Result<ServerStep, SaslError> {
        match core::mem::replace(&mut self.state, State::Finished) {
            State::ScramAwaitSecret(first) => {
                if let Err(e) = credentials.check() {
                    self.state = State::ScramAwaitSecret(first);
                    return Err(e);
                }
                Ok(self.scram_server_first(*first, credentials, false))
            }
            state => Err(self.unexpected(state, "provide_scram")),
        }
    }

    /// Answers [`ServerStep::NeedSecret`] when the user does not exist.
    ///
    /// CRAM-MD5 fails at once (the client has sent everything already).
    /// SCRAM carries on with a made-up salt and fails at the end, so that
    /// the client cannot tell an unknown user from a wrong password by the
    /// shape of the exchange (RFC 5802 §9). The made-up salt depends on the
    /// session nonce, so a client probing twice sees two salts; a server
    /// that cares should instead call [`provide_scram`](Self::provide_scram)
    /// with credentials derived from a salt it keys on the username.
    pub fn unknown_user(&mut self) -> Result<ServerStep, SaslError> {
        match core::mem::replace(&mut self.state, State::Finished) {
            State::CramMd5AwaitPassword { .. } => Ok(self.auth_failed()),
            State::ScramAwaitSecret(first) => {
                let seed = crypto::hmac_sha256(self.nonce.as_bytes(), &[first.username.as_bytes()]);
                let credentials = ScramCredentials {
                    salt: seed[..16].to_vec(),
                    iterations: 4096,
                    stored_key: seed,
                    server_key: seed,
                };
                Ok(self.scram_server_first(*first, credentials, true))
            }
            state => Err(self.unexpected(state, "unknown_user")),
        }
    }

    /// Answers [`ServerStep::VerifyToken`] (XOAUTH2, OAUTHBEARER): `Ok(())`
    /// if the token is valid, or `Err` with a JSON error document for the
    /// client (see [`oauth_error_json`]). On `Err` the returned step is a
    /// challenge carrying the document; the client answers it and the next
    /// [`step`](Self::step) returns the failure.
    pub fn token_result(&mut self, result: Result<(), String>) -> Result<ServerStep, SaslError> {
        match core::mem::replace(&mut self.state, State::Finished) {
            State::AwaitTokenResult { authzid, username } => match result {
                Ok(()) => Ok(ServerStep::Success { authzid, username, final_data: None }),
                Err(json) => {
                    self.state = State::TokenRejected;
                    Ok(ServerStep::Challenge(json.into_bytes()))
                }
            },
            state => Err(self.unexpected(state, "token_result")),
        }
    }

    fn unexpected(&mut self, state: State, call: &'static str) -> SaslError {
        let err = SaslError::UnexpectedCall { call, state: state.name() };
        self.state = state;
        err
    }
}
