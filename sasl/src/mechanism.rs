//! The SASL mechanisms this crate implements, and how to pick one.

use core::fmt;

use crate::Credentials;

/// A SASL mechanism.
///
/// ```
/// use mailwire_sasl::{Credentials, Mechanism};
///
/// assert_eq!(Mechanism::from_name("cram-md5"), Some(Mechanism::CramMd5));
/// assert_eq!(Mechanism::ScramSha256.name(), "SCRAM-SHA-256");
///
/// // The server said `AUTH=PLAIN LOGIN SCRAM-SHA-256 GSSAPI`.
/// let creds = Credentials::password("tim", "tanstaaftanstaaf");
/// let offered = ["PLAIN", "LOGIN", "SCRAM-SHA-256", "GSSAPI"];
/// assert_eq!(Mechanism::best(offered, &creds), Some(Mechanism::ScramSha256));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mechanism {
    /// `PLAIN` (RFC 4616): authorization identity, username and password in
    /// the clear. Use only over TLS.
    Plain,
    /// `LOGIN` (draft-murchison-sasl-login): username and password in the
    /// clear, each in answer to a server prompt. Obsolete; use only over TLS
    /// and only when PLAIN is not offered.
    Login,
    /// `CRAM-MD5` (RFC 2195): an HMAC-MD5 of a server challenge keyed with
    /// the password. Deprecated; the server has to store the plaintext
    /// password.
    CramMd5,
    /// `XOAUTH2` (Google, Microsoft): an OAuth 2.0 bearer token.
    XOAuth2,
    /// `OAUTHBEARER` (RFC 7628): an OAuth 2.0 bearer token, standardised.
    OAuthBearer,
    /// `SCRAM-SHA-256` (RFC 5802, RFC 7677): mutual password authentication
    /// without sending the password; the server stores only derived keys.
    ScramSha256,
    /// `SCRAM-SHA-256-PLUS`: SCRAM-SHA-256 bound to the TLS channel (needs
    /// channel binding data from the TLS library, see
    /// [`ChannelBinding`](crate::ChannelBinding)).
    ScramSha256Plus,
}

impl Mechanism {
    /// Every mechanism, strongest first within each kind of credential.
    pub const ALL: [Mechanism; 7] = [
        Mechanism::ScramSha256Plus,
        Mechanism::ScramSha256,
        Mechanism::CramMd5,
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::OAuthBearer,
        Mechanism::XOAuth2,
    ];

    /// The mechanism's registered name, as it appears on the wire
    /// (`AUTH PLAIN`, `AUTHENTICATE SCRAM-SHA-256`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Plain => "PLAIN",
            Self::Login => "LOGIN",
            Self::CramMd5 => "CRAM-MD5",
            Self::XOAuth2 => "XOAUTH2",
            Self::OAuthBearer => "OAUTHBEARER",
            Self::ScramSha256 => "SCRAM-SHA-256",
            Self::ScramSha256Plus => "SCRAM-SHA-256-PLUS",
        }
    }

    /// Looks a mechanism up by name, ignoring ASCII case. Returns `None`
    /// for mechanisms this crate does not implement.
    pub fn from_name(name: &str) -> Option<Mechanism> {
        Self::ALL.into_iter().find(|m| m.name().eq_ignore_ascii_case(name))
    }

    /// Whether the client speaks first: `true` for PLAIN, XOAUTH2,
    /// OAUTHBEARER and SCRAM, which have an initial response (sent with the
    /// command where the protocol allows it, SMTP `AUTH PLAIN <ir>`, IMAP
    /// `SASL-IR`, POP3 `AUTH PLAIN <ir>`); `false` for LOGIN and CRAM-MD5,
    /// where the server sends the first challenge.
    pub fn has_initial_response(self) -> bool {
        !matches!(self, Self::Login | Self::CramMd5)
    }

    /// Whether the mechanism carries the secret as it is, readable by
    /// anyone on the path without TLS: PLAIN, LOGIN and the bearer tokens
    /// (SCRAM and CRAM-MD5 never send it). Protocol sessions refuse these
    /// before TLS unless told otherwise.
    pub fn sends_secret_in_clear(self) -> bool {
        matches!(self, Self::Plain | Self::Login | Self::XOAuth2 | Self::OAuthBearer)
    }

    /// Whether the mechanism uses a password (as opposed to a bearer token).
    pub fn uses_password(self) -> bool {
        !matches!(self, Self::XOAuth2 | Self::OAuthBearer)
    }

    /// Whether [`ClientSession::new`](crate::ClientSession::new) would accept
    /// these credentials for this mechanism (the kind of secret, an
    /// authorization identity only where the mechanism carries one, channel
    /// binding data for `-PLUS`, a password SASLprep can prepare for SCRAM).
    pub fn supports(self, credentials: &Credentials) -> bool {
        crate::client::check_credentials(self, credentials).is_ok()
    }

    /// Picks the best of the mechanisms a server offered for these
    /// credentials, or `None` if none of them fits.
    ///
    /// With a password: SCRAM-SHA-256-PLUS (only with channel binding data) >
    /// SCRAM-SHA-256 > CRAM-MD5 > PLAIN > LOGIN. With a bearer token:
    /// OAUTHBEARER > XOAUTH2. Names this crate does not implement are
    /// ignored, and so are mechanisms that cannot carry the credentials (see
    /// [`Mechanism::supports`]): a password that SASLprep refuses skips SCRAM.
    pub fn best<'a>(
        offered: impl IntoIterator<Item = &'a str>,
        credentials: &Credentials,
    ) -> Option<Mechanism> {
        offered
            .into_iter()
            .filter_map(Mechanism::from_name)
            .filter(|m| m.supports(credentials))
            .max_by_key(|m| m.rank())
    }

    fn rank(self) -> u8 {
        match self {
            Self::ScramSha256Plus => 6,
            Self::ScramSha256 => 5,
            Self::CramMd5 => 4,
            Self::Plain => 3,
            Self::Login => 2,
            Self::OAuthBearer => 2,
            Self::XOAuth2 => 1,
        }
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
