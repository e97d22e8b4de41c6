//! What the client authenticates with, and the caller-supplied inputs
//! (randomness, channel binding) that a sans-IO library cannot make itself.

use core::fmt;

use crate::SaslError;
use crate::crypto;

/// The secret half of [`Credentials`].
///
/// `Debug` never prints the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// A password, for PLAIN, LOGIN, CRAM-MD5 and SCRAM.
    Password(String),
    /// An OAuth 2.0 access token, for XOAUTH2 and OAUTHBEARER (without the
    /// `Bearer ` prefix).
    BearerToken(String),
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Password(_) => f.write_str("Password(<redacted>)"),
            Self::BearerToken(_) => f.write_str("BearerToken(<redacted>)"),
        }
    }
}

/// What a client authenticates with: who it is, who it wants to act as,
/// and its secret; plus the connection facts some mechanisms carry
/// (OAUTHBEARER's host and port, SCRAM-PLUS's channel binding).
///
/// ```
/// use mailwire_sasl::Credentials;
///
/// let creds = Credentials::password("tim", "tanstaaftanstaaf").with_authzid("admin");
/// let oauth = Credentials::bearer_token("user@example.com", "ya29.token")
///     .with_host_port("imap.example.com", 993);
/// # let _ = (creds, oauth);
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Credentials {
    /// The authorization identity: the user to act as, if not oneself
    /// (PLAIN, SCRAM and OAUTHBEARER carry one; LOGIN, CRAM-MD5 and XOAUTH2
    /// cannot).
    pub authzid: Option<String>,
    /// The authentication identity (the login name). For OAUTHBEARER it is
    /// sent as the GS2 `a=` identity when no `authzid` is set, as mail
    /// clients do; it may be empty there, since the token names the user.
    pub username: String,
    /// The password or token.
    pub secret: Secret,
    /// OAUTHBEARER: the server's host name (`host=` key), optional.
    pub host: Option<String>,
    /// OAUTHBEARER: the server's port (`port=` key), optional.
    pub port: Option<u16>,
    /// SCRAM: the TLS channel binding of this connection, if the
    /// application has it. With it, SCRAM-SHA-256-PLUS becomes usable and
    /// plain SCRAM-SHA-256 tells the server "I could bind, but you did not
    /// offer -PLUS" (GS2 flag `y`), which lets a server that does offer it
    /// detect a downgrade.
    pub channel_binding: Option<ChannelBinding>,
}

impl Credentials {
    /// Credentials with a password.
    pub fn password(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self::new(username.into(), Secret::Password(password.into()))
    }

    /// Credentials with an OAuth 2.0 bearer token.
    pub fn bearer_token(username: impl Into<String>, token: impl Into<String>) -> Self {
        Self::new(username.into(), Secret::BearerToken(token.into()))
    }

    fn new(username: String, secret: Secret) -> Self {
        Self { authzid: None, username, secret, host: None, port: None, channel_binding: None }
    }

    /// Sets the authorization identity (act as this user).
    pub fn with_authzid(mut self, authzid: impl Into<String>) -> Self {
        self.authzid = Some(authzid.into());
        self
    }

    /// Sets the host and port that OAUTHBEARER reports to the server.
    pub fn with_host_port(mut self, host: impl Into<String>, port: u16) -> Self {
        self.host = Some(host.into());
        self.port = Some(port);
        self
    }

    /// Sets the TLS channel binding of the connection (for SCRAM).
    pub fn with_channel_binding(mut self, channel_binding: ChannelBinding) -> Self {
        self.channel_binding = Some(channel_binding);
        self
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("authzid", &self.authzid)
            .field("username", &self.username)
            .field("secret", &self.secret)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("channel_binding", &self.channel_binding)
            .finish()
    }
}

/// TLS channel binding data for SCRAM-SHA-256-PLUS (RFC 5929, RFC 9266),
/// obtained by the application from its TLS library.
///
/// With rustls, `tls-exporter` data is
/// `conn.export_keying_material(&mut [0u8; 32], b"EXPORTER-Channel-Binding", None)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelBinding {
    kind: String,
    data: Vec<u8>,
}

impl ChannelBinding {
    /// `tls-exporter` (RFC 9266), the binding type for TLS 1.3.
    pub fn tls_exporter(data: Vec<u8>) -> Self {
        Self { kind: "tls-exporter".to_owned(), data }
    }

    /// `tls-server-end-point` (RFC 5929): the hash of the server's certificate.
    pub fn tls_server_end_point(data: Vec<u8>) -> Self {
        Self { kind: "tls-server-end-point".to_owned(), data }
    }

    /// `tls-unique` (RFC 5929), for TLS 1.2 and earlier only.
    pub fn tls_unique(data: Vec<u8>) -> Self {
        Self { kind: "tls-unique".to_owned(), data }
    }

    /// Channel binding of another type. The name must be 1 to 64 characters
    /// of ASCII letters, digits, `.` and `-` (RFC 5056 `cb-name`), and the
    /// data must not be empty.
    pub fn new(kind: &str, data: Vec<u8>) -> Result<Self, SaslError> {
        if kind.is_empty()
            || kind.len() > 64
            || !kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        {
            return Err(SaslError::InvalidArgument {
                what: "channel binding type",
                reason: "must be 1 to 64 ASCII letters, digits, '.' or '-'",
            });
        }
        if data.is_empty() {
            return Err(SaslError::InvalidArgument {
                what: "channel binding data",
                reason: "must not be empty",
            });
        }
        Ok(Self { kind: kind.to_owned(), data })
    }

    /// The channel binding type, such as `tls-exporter`.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The channel binding data.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
}

/// A nonce made from caller-supplied randomness (this crate has no random
/// number generator of its own).
///
/// SCRAM clients and servers and CRAM-MD5 servers need one per exchange;
/// never reuse a nonce.
///
/// ```
/// use mailwire_sasl::Nonce;
///
/// let random = [0x5au8; 18]; // in real code: 18 bytes from a CSPRNG
/// let nonce = Nonce::from_random(&random)?;
/// assert_eq!(nonce.as_str().len(), 24);
/// # Ok::<(), mailwire_sasl::SaslError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nonce(String);

impl Nonce {
    /// The fewest random bytes [`Nonce::from_random`] accepts (128 bits).
    pub const MIN_RANDOM_BYTES: usize = 16;
    /// The longest nonce accepted, in characters.
    pub const MAX_LEN: usize = 256;

    /// Makes a nonce from random bytes (at least
    /// [`MIN_RANDOM_BYTES`](Self::MIN_RANDOM_BYTES), at most 192), encoded as
    /// unpadded base64 so that it is printable.
    pub fn from_random(random: &[u8]) -> Result<Self, SaslError> {
        if random.len() < Self::MIN_RANDOM_BYTES {
            return Err(SaslError::InvalidArgument {
                what: "nonce randomness",
                reason: "at least 16 random bytes are needed",
            });
        }
        if random.len() > Self::MAX_LEN / 4 * 3 {
            return Err(SaslError::InvalidArgument {
                what: "nonce randomness",
                reason: "at most 192 random bytes are accepted",
            });
        }
        Ok(Self(crypto::b64_encode_nopad(random)))
    }

    /// The `counter`-th nonce of a session whose random `seed` (at least
    /// [`MIN_RANDOM_BYTES`](Self::MIN_RANDOM_BYTES)) was drawn once: SHA-256
    /// of `label`, the seed and the counter, so one seed serves every
    /// exchange of a session and no two exchanges share a nonce. `label`
    /// keeps protocols apart (`"mailwire-imap SASL nonce"`).
    pub fn derive(seed: &[u8], label: &str, counter: u64) -> Result<Self, SaslError> {
        use sha2::{Digest, Sha256};
        if seed.len() < Self::MIN_RANDOM_BYTES {
            return Err(SaslError::InvalidArgument {
                what: "nonce seed",
                reason: "at least 16 random bytes are needed",
            });
        }
        let mut hash = Sha256::new();
        hash.update(label.as_bytes());
        hash.update(seed);
        hash.update(counter.to_le_bytes());
        Self::from_random(&hash.finalize()[..24])
    }

    /// Uses an already printable string as the nonce: 1 to
    /// [`MAX_LEN`](Self::MAX_LEN) characters from `!` to `~`, except `,`
    /// (RFC 5802 `printable`). Meant for test vectors and for callers that
    /// make their own nonces; the caller is responsible for its randomness.
    pub fn new(printable: impl Into<String>) -> Result<Self, SaslError> {
        let s = printable.into();
        if s.is_empty() || s.len() > Self::MAX_LEN || !s.bytes().all(crate::wire::is_printable) {
            return Err(SaslError::InvalidArgument {
                what: "nonce",
                reason: "must be 1 to 256 printable ASCII characters other than ','",
            });
        }
        Ok(Self(s))
    }

    /// The nonce as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
