//! Pure parsers for every message a peer can send, one function per
//! message.
//!
//! The sessions use these; they are public so that fuzz targets and
//! diagnostics can call them directly. Every function takes the raw
//! (already base64-decoded) bytes, never panics, never allocates more than a
//! small multiple of its input, and refuses input longer than
//! [`MAX_MESSAGE_LEN`] with [`SaslError::TooLong`].

use std::borrow::Cow;

use crate::{MAX_ITERATIONS, MAX_MESSAGE_LEN, Mechanism, SaslError, crypto};

/// Refuses input over the size limit.
pub(crate) fn check_len(msg: &[u8]) -> Result<(), SaslError> {
    if msg.len() > MAX_MESSAGE_LEN {
        return Err(SaslError::TooLong { len: msg.len(), max: MAX_MESSAGE_LEN });
    }
    Ok(())
}

fn utf8(msg: &[u8], mechanism: Mechanism) -> Result<&str, SaslError> {
    check_len(msg)?;
    core::str::from_utf8(msg).map_err(|_| SaslError::Malformed { mechanism, reason: "not valid UTF-8" })
}

const fn malformed(mechanism: Mechanism, reason: &'static str) -> SaslError {
    SaslError::Malformed { mechanism, reason }
}

const SCRAM: Mechanism = Mechanism::ScramSha256;

/// RFC 5802 `printable`: `%x21-2B / %x2D-7E`.
pub(crate) fn is_printable(b: u8) -> bool {
    (0x21..=0x7e).contains(&b) && b != b','
}

// ---------------------------------------------------------------- PLAIN

/// A PLAIN message (RFC 4616): `[authzid] NUL authcid NUL passwd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlainMessage<'a> {
    /// The authorization identity, `None` if empty.
    pub authzid: Option<&'a str>,
    /// The authentication identity (username).
    pub authcid: &'a str,
    /// The password.
    pub password: &'a str,
}

/// Parses a PLAIN client message (RFC 4616 §2).
pub fn parse_plain(msg: &[u8]) -> Result<PlainMessage<'_>, SaslError> {
    const M: Mechanism = Mechanism::Plain;
    let text = utf8(msg, M)?;
    let mut parts = text.split('\0');
    let (Some(authzid), Some(authcid), Some(password), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed(M, "expected exactly two NUL separators (authzid NUL authcid NUL passwd)"));
    };
    if authcid.is_empty() {
        return Err(malformed(M, "empty authentication identity"));
    }
    if password.is_empty() {
        return Err(malformed(M, "empty password"));
    }
    Ok(PlainMessage { authzid: (!authzid.is_empty()).then_some(authzid), authcid, password })
}

pub(crate) fn build_plain(authzid: Option<&str>, authcid: &str, password: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(authzid.map_or(0, str::len) + authcid.len() + password.len() + 2);
    out.extend_from_slice(authzid.unwrap_or("").as_bytes());
    out.push(0);
    out.extend_from_slice(authcid.as_bytes());
    out.push(0);
    out.extend_from_slice(password.as_bytes());
    out
}

// ---------------------------------------------------------------- LOGIN

/// Parses a LOGIN response (a username or a password): any non-empty UTF-8
/// text without NUL.
pub fn parse_login_field(msg: &[u8]) -> Result<&str, SaslError> {
    const M: Mechanism = Mechanism::Login;
    let text = utf8(msg, M)?;
    if text.is_empty() {
        return Err(malformed(M, "empty response"));
    }
    if text.contains('\0') {
        return Err(malformed(M, "NUL in response"));
    }
    Ok(text)
}

// ---------------------------------------------------------------- CRAM-MD5

/// A CRAM-MD5 client response (RFC 2195): `username SP hex-digest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CramMd5Response<'a> {
    /// The username (everything before the last space).
    pub username: &'a str,
    /// The HMAC-MD5 digest.
    pub digest: [u8; 16],
}

/// Parses a CRAM-MD5 client response (RFC 2195 §2).
pub fn parse_cram_md5_response(msg: &[u8]) -> Result<CramMd5Response<'_>, SaslError> {
    const M: Mechanism = Mechanism::CramMd5;
    let text = utf8(msg, M)?;
    let Some((username, hex)) = text.rsplit_once(' ') else {
        return Err(malformed(M, "expected `username SP digest`"));
    };
    if username.is_empty() || username.contains('\0') {
        return Err(malformed(M, "empty or NUL-containing username"));
    }
    let digest =
        crypto::hex_decode_16(hex.as_bytes()).ok_or(malformed(M, "digest is not 32 hexadecimal digits"))?;
    Ok(CramMd5Response { username, digest })
}

pub(crate) fn cram_md5_response(username: &str, password: &str, challenge: &[u8]) -> Vec<u8> {
    let digest = crypto::hmac_md5(password.as_bytes(), challenge);
    let mut out = Vec::with_capacity(username.len() + 33);
    out.extend_from_slice(username.as_bytes());
    out.push(b' ');
    out.extend_from_slice(crypto::hex_lower(&digest).as_bytes());
    out
}

// ---------------------------------------------------------------- tokens

/// RFC 6750 `b64token` characters, which both OAuth mechanisms carry.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/'))
}

/// Splits `Bearer <token>` (the scheme is case-insensitive).
fn bearer_token(value: &str, mechanism: Mechanism) -> Result<&str, SaslError> {
    let (scheme, token) =
        value.split_once(' ').ok_or(malformed(mechanism, "auth value is not `Bearer <token>`"))?;
    if !scheme.eq_ignore_ascii_case("Bearer") {
        return Err(malformed(mechanism, "auth scheme is not Bearer"));
    }
    if !is_b64token(token) {
        return Err(malformed(mechanism, "bearer token is empty or has characters outside b64token"));
    }
    Ok(token)
}

pub(crate) fn valid_token(token: &str) -> bool {
    is_b64token(token)
}

// ---------------------------------------------------------------- XOAUTH2

/// An XOAUTH2 client response: `user=USER ^A auth=Bearer TOKEN ^A ^A`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XOAuth2Message<'a> {
    /// The `user` value.
    pub user: &'a str,
    /// The bearer token.
    pub token: &'a str,
}

/// Parses an XOAUTH2 client response (Google's and Microsoft's format).
/// Unknown keys are ignored.
pub fn parse_xoauth2(msg: &[u8]) -> Result<XOAuth2Message<'_>, SaslError> {
    const M: Mechanism = Mechanism::XOAuth2;
    let text = utf8(msg, M)?;
    let body = text.strip_suffix("\x01\x01").ok_or(malformed(M, "missing the final ^A^A"))?;
    let (mut user, mut token) = (None, None);
    for pair in body.split('\x01') {
        let (key, value) = pair.split_once('=').ok_or(malformed(M, "field is not key=value"))?;
        let slot = match key {
            "user" => &mut user,
            "auth" => &mut token,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(malformed(M, "duplicate key"));
        }
    }
    let user = user.ok_or(malformed(M, "missing user="))?;
    if user.is_empty() || user.bytes().any(|b| b.is_ascii_control()) {
        return Err(malformed(M, "empty user or control characters in it"));
    }
    let token = bearer_token(token.ok_or(malformed(M, "missing auth="))?, M)?;
    Ok(XOAuth2Message { user, token })
}

pub(crate) fn build_xoauth2(user: &str, token: &str) -> Vec<u8> {
    format!("user={user}\x01auth=Bearer {token}\x01\x01").into_bytes()
}

// ---------------------------------------------------------------- GS2 / OAUTHBEARER

/// A GS2 channel binding flag (RFC 5801 `gs2-cb-flag`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CbFlag<'a> {
    /// `n`: the client does not support channel binding.
    NotSupported,
    /// `y`: the client supports channel binding but thinks the server does
    /// not.
    NotOffered,
    /// `p=name`: the client uses channel binding of this type.
    Used(&'a str),
}

/// A GS2 header (RFC 5801): `cb-flag "," [ "a=" authzid ] ","`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gs2Header<'a> {
    /// The channel binding flag.
    pub cb_flag: CbFlag<'a>,
    /// The authorization identity, unescaped.
    pub authzid: Option<Cow<'a, str>>,
    /// The header exactly as received, including its final comma.
    pub raw: &'a str,
}

/// Parses a GS2 header at the start of `text`; returns it and the rest.
fn parse_gs2_header(text: &str, mechanism: Mechanism) -> Result<(Gs2Header<'_>, &str), SaslError> {
    let (flag, rest) = text.split_once(',').ok_or(malformed(mechanism, "missing GS2 header"))?;
    let cb_flag = match flag {
        "n" => CbFlag::NotSupported,
        "y" => CbFlag::NotOffered,
        _ => match flag.strip_prefix("p=") {
            Some(name)
                if !name.is_empty()
                    && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') =>
            {
                CbFlag::Used(name)
            }
            _ => return Err(malformed(mechanism, "GS2 channel binding flag is not n, y or p=<name>")),
        },
    };
    let (authz, rest) = rest.split_once(',').ok_or(malformed(mechanism, "GS2 header is not terminated"))?;
    let authzid = if authz.is_empty() {
        None
    } else {
        let name = authz
            .strip_prefix("a=")
            .ok_or(malformed(mechanism, "GS2 authorization identity must start with a="))?;
        Some(decode_saslname(name, mechanism)?)
    };
    let raw = &text[..text.len() - rest.len()];
    Ok((Gs2Header { cb_flag, authzid, raw }, rest))
}

/// Decodes an RFC 5802 / RFC 5801 `saslname` (`=2C` is `,`, `=3D` is `=`).
fn decode_saslname(name: &str, mechanism: Mechanism) -> Result<Cow<'_, str>, SaslError> {
    if name.is_empty() {
        return Err(malformed(mechanism, "empty name"));
    }
    if name.contains('\0') {
        return Err(malformed(mechanism, "NUL in name"));
    }
    if !name.contains('=') {
        return Ok(Cow::Borrowed(name));
    }
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(pos) = rest.find('=') {
        out.push_str(&rest[..pos]);
        let esc = rest.get(pos..pos + 3);
        match esc {
            Some("=2C") | Some("=2c") => out.push(','),
            Some("=3D") | Some("=3d") => out.push('='),
            _ => return Err(malformed(mechanism, "'=' in a name not followed by 2C or 3D")),
        }
        rest = &rest[pos + 3..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// Encodes a `saslname` (the name must not contain NUL; checked by callers).
pub(crate) fn encode_saslname(name: &str) -> Cow<'_, str> {
    if !name.contains([',', '=']) {
        return Cow::Borrowed(name);
    }
    Cow::Owned(name.replace('=', "=3D").replace(',', "=2C"))
}

fn build_gs2_header(cb_flag: CbFlag<'_>, authzid: Option<&str>) -> String {
    let mut out = match cb_flag {
        CbFlag::NotSupported => "n,".to_owned(),
        CbFlag::NotOffered => "y,".to_owned(),
        CbFlag::Used(name) => format!("p={name},"),
    };
    if let Some(a) = authzid {
        out.push_str("a=");
        out.push_str(&encode_saslname(a));
    }
    out.push(',');
    out
}

/// An OAUTHBEARER client response (RFC 7628 §3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthBearerMessage<'a> {
    /// The GS2 `a=` identity, unescaped.
    pub authzid: Option<Cow<'a, str>>,
    /// The `host=` value.
    pub host: Option<&'a str>,
    /// The `port=` value.
    pub port: Option<u16>,
    /// The bearer token from `auth=Bearer <token>`.
    pub token: &'a str,
}

/// Parses an OAUTHBEARER client response (RFC 7628 §3.1):
/// `gs2-header ^A *(key=value ^A) ^A`. Unknown keys are ignored.
pub fn parse_oauthbearer(msg: &[u8]) -> Result<OAuthBearerMessage<'_>, SaslError> {
    const M: Mechanism = Mechanism::OAuthBearer;
    let text = utf8(msg, M)?;
    let (gs2, rest) = parse_gs2_header(text, M)?;
    if let CbFlag::Used(_) = gs2.cb_flag {
        return Err(malformed(M, "OAUTHBEARER does not support channel binding (GS2 flag p=)"));
    }
    let body = rest
        .strip_prefix('\x01')
        .and_then(|r| r.strip_suffix('\x01'))
        .ok_or(malformed(M, "key/value list must start and end with ^A"))?;
    let body = if body.is_empty() {
        body
    } else {
        body.strip_suffix('\x01').ok_or(malformed(M, "key/value pair not terminated by ^A"))?
    };
    let (mut host, mut port, mut auth) = (None, None, None);
    if !body.is_empty() {
        for pair in body.split('\x01') {
            let (key, value) = pair.split_once('=').ok_or(malformed(M, "field is not key=value"))?;
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(malformed(M, "key is not alphabetic"));
            }
            if !value.bytes().all(|b| matches!(b, 0x21..=0x7e | b' ' | b'\t' | b'\r' | b'\n')) {
                return Err(malformed(M, "value holds characters outside VCHAR / SP / HTAB / CR / LF"));
            }
            let slot = match key {
                "host" => &mut host,
                "port" => &mut port,
                "auth" => &mut auth,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(malformed(M, "duplicate key"));
            }
        }
    }
    let port = match port {
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|_| p.bytes().all(|b| b.is_ascii_digit()))
                .ok_or(malformed(M, "port is not a number from 0 to 65535"))?,
        ),
        None => None,
    };
    let token = bearer_token(auth.ok_or(malformed(M, "missing auth="))?, M)?;
    Ok(OAuthBearerMessage { authzid: gs2.authzid, host, port, token })
}

pub(crate) fn build_oauthbearer(
    authzid: Option<&str>,
    host: Option<&str>,
    port: Option<u16>,
    token: &str,
) -> Vec<u8> {
    let mut out = build_gs2_header(CbFlag::NotSupported, authzid);
    out.push('\x01');
    if let Some(h) = host {
        out.push_str("host=");
        out.push_str(h);
        out.push('\x01');
    }
    if let Some(p) = port {
        out.push_str(&format!("port={p}\x01"));
    }
    out.push_str("auth=Bearer ");
    out.push_str(token);
    out.push_str("\x01\x01");
    out.into_bytes()
}

// ---------------------------------------------------------------- SCRAM

/// A SCRAM client-first message (RFC 5802 §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScramClientFirst<'a> {
    /// The GS2 header.
    pub gs2: Gs2Header<'a>,
    /// The username, unescaped.
    pub username: Cow<'a, str>,
    /// The client nonce.
    pub nonce: &'a str,
    /// `client-first-message-bare`, as received (it enters the AuthMessage).
    pub bare: &'a str,
}

/// Splits an attribute `x=value`, checking the attribute name.
fn attr<'a>(part: Option<&'a str>, name: &'static str, reason: &'static str) -> Result<&'a str, SaslError> {
    part.and_then(|p| p.strip_prefix(name)).ok_or(malformed(SCRAM, reason))
}

fn scram_nonce(value: &str) -> Result<&str, SaslError> {
    if value.is_empty() || !value.bytes().all(is_printable) {
        return Err(malformed(SCRAM, "nonce is empty or not printable"));
    }
    Ok(value)
}

/// Checks the optional extensions after the mandatory attributes: each must
/// be `x=value` with a letter `x`.
fn check_extensions<'a>(parts: impl Iterator<Item = &'a str>) -> Result<(), SaslError> {
    for part in parts {
        let b = part.as_bytes();
        if b.len() < 2 || !b[0].is_ascii_alphabetic() || b[1] != b'=' {
            return Err(malformed(SCRAM, "extension is not attr=value"));
        }
    }
    Ok(())
}

/// Parses a SCRAM client-first message: `gs2-header [m=...,] n=user,r=nonce[,ext]`.
pub fn parse_scram_client_first(msg: &[u8]) -> Result<ScramClientFirst<'_>, SaslError> {
    let text = utf8(msg, SCRAM)?;
    let (gs2, bare) = parse_gs2_header(text, SCRAM)?;
    if bare.starts_with("m=") {
        return Err(malformed(SCRAM, "mandatory extension (m=) not supported"));
    }
    let mut parts = bare.split(',');
    let user = attr(parts.next(), "n=", "client-first message must start with n=")?;
    let username = decode_saslname(user, SCRAM)?;
    let nonce = scram_nonce(attr(parts.next(), "r=", "missing client nonce (r=)")?)?;
    check_extensions(parts)?;
    Ok(ScramClientFirst { gs2, username, nonce, bare })
}

/// A SCRAM server-first message (RFC 5802 §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScramServerFirst<'a> {
    /// The combined nonce (client nonce followed by the server's).
    pub nonce: &'a str,
    /// The salt, decoded.
    pub salt: Vec<u8>,
    /// The iteration count, between 1 and [`MAX_ITERATIONS`].
    pub iterations: u32,
}

/// Parses a SCRAM server-first message: `[m=...,] r=nonce,s=salt,i=count[,ext]`.
pub fn parse_scram_server_first(msg: &[u8]) -> Result<ScramServerFirst<'_>, SaslError> {
    let text = utf8(msg, SCRAM)?;
    if text.starts_with("m=") {
        return Err(malformed(SCRAM, "mandatory extension (m=) not supported"));
    }
    if let Some(e) = text.strip_prefix("e=") {
        return Err(server_rejected(e));
    }
    let mut parts = text.split(',');
    let nonce = scram_nonce(attr(parts.next(), "r=", "server-first message must start with r=")?)?;
    let salt_b64 = attr(parts.next(), "s=", "missing salt (s=)")?;
    let salt = crypto::b64_decode(salt_b64).ok_or(SaslError::InvalidBase64 { field: "s" })?;
    if salt.is_empty() {
        return Err(malformed(SCRAM, "empty salt"));
    }
    let count = attr(parts.next(), "i=", "missing iteration count (i=)")?;
    if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(SCRAM, "iteration count is not a decimal number"));
    }
    let count = count.bytes().fold(0u64, |n, d| n.saturating_mul(10).saturating_add(u64::from(d - b'0')));
    let iterations = u32::try_from(count)
        .ok()
        .filter(|&i| (1..=MAX_ITERATIONS).contains(&i))
        .ok_or(SaslError::InvalidIterationCount { count, max: MAX_ITERATIONS })?;
    check_extensions(parts)?;
    Ok(ScramServerFirst { nonce, salt, iterations })
}

/// A SCRAM client-final message (RFC 5802 §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScramClientFinal<'a> {
    /// The `c=` value, decoded: the GS2 header followed by any channel
    /// binding data.
    pub channel_binding: Vec<u8>,
    /// The combined nonce.
    pub nonce: &'a str,
    /// The client proof, decoded.
    pub proof: Vec<u8>,
    /// `client-final-message-without-proof`, as received (it enters the
    /// AuthMessage).
    pub without_proof: &'a str,
}

/// Parses a SCRAM client-final message: `c=cbind,r=nonce[,ext],p=proof`.
pub fn parse_scram_client_final(msg: &[u8]) -> Result<ScramClientFinal<'_>, SaslError> {
    let text = utf8(msg, SCRAM)?;
    let (without_proof, proof) =
        text.rsplit_once(",p=").ok_or(malformed(SCRAM, "missing client proof (p=)"))?;
    let proof = crypto::b64_decode(proof).ok_or(SaslError::InvalidBase64 { field: "p" })?;
    let mut parts = without_proof.split(',');
    let cbind = attr(parts.next(), "c=", "client-final message must start with c=")?;
    let channel_binding = crypto::b64_decode(cbind).ok_or(SaslError::InvalidBase64 { field: "c" })?;
    let nonce = scram_nonce(attr(parts.next(), "r=", "missing nonce (r=)")?)?;
    check_extensions(parts)?;
    Ok(ScramClientFinal { channel_binding, nonce, proof, without_proof })
}

/// A SCRAM server-final message (RFC 5802 §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScramServerFinal {
    /// `v=`: the server signature, decoded.
    Verifier(Vec<u8>),
    /// `e=`: the server's error value (such as `invalid-proof`).
    Error(String),
}

fn server_rejected(value: &str) -> SaslError {
    let value = value.split(',').next().unwrap_or("");
    SaslError::ServerRejected { error: value.chars().take(256).collect() }
}

/// Parses a SCRAM server-final message: `v=signature[,ext]` or `e=error[,ext]`.
pub fn parse_scram_server_final(msg: &[u8]) -> Result<ScramServerFinal, SaslError> {
    let text = utf8(msg, SCRAM)?;
    let first = text.split(',').next().unwrap_or("");
    if let Some(e) = first.strip_prefix("e=") {
        return Ok(ScramServerFinal::Error(e.chars().take(256).collect()));
    }
    let v =
        first.strip_prefix("v=").ok_or(malformed(SCRAM, "server-final message must start with v= or e="))?;
    let signature = crypto::b64_decode(v).ok_or(SaslError::InvalidBase64 { field: "v" })?;
    check_extensions(text.split(',').skip(1))?;
    Ok(ScramServerFinal::Verifier(signature))
}

pub(crate) struct ScramClientFirstOut {
    pub gs2_header: String,
    pub bare: String,
}

pub(crate) fn build_scram_client_first(
    cb_flag: CbFlag<'_>,
    authzid: Option<&str>,
    username: &str,
    nonce: &str,
) -> ScramClientFirstOut {
    let gs2_header = build_gs2_header(cb_flag, authzid);
    let bare = format!("n={},r={nonce}", encode_saslname(username));
    ScramClientFirstOut { gs2_header, bare }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saslname_round_trip() {
        for name in ["user", "a,b", "a=b", "=,=,", "x=2C"] {
            assert_eq!(decode_saslname(&encode_saslname(name), SCRAM).unwrap(), name);
        }
        assert!(decode_saslname("a=", SCRAM).is_err());
        assert!(decode_saslname("a=2", SCRAM).is_err());
        assert!(decode_saslname("a=41", SCRAM).is_err());
        assert!(decode_saslname("", SCRAM).is_err());
    }

    #[test]
    fn gs2_header_forms() {
        let (h, rest) = parse_gs2_header("n,,n=user", SCRAM).unwrap();
        assert_eq!((h.cb_flag, h.authzid, h.raw, rest), (CbFlag::NotSupported, None, "n,,", "n=user"));
        let (h, _) = parse_gs2_header("p=tls-exporter,a=ad=2Cmin,x", SCRAM).unwrap();
        assert_eq!(h.cb_flag, CbFlag::Used("tls-exporter"));
        assert_eq!(h.authzid.as_deref(), Some("ad,min"));
        assert_eq!(h.raw, "p=tls-exporter,a=ad=2Cmin,");
        for bad in ["", "n", "x,,", "n,b=x,", "p=,,", "p=a b,,", "n,a=,"] {
            assert!(parse_gs2_header(bad, SCRAM).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn iteration_counts() {
        let ok = parse_scram_server_first(b"r=ab,s=QUJD,i=1").unwrap();
        assert_eq!(ok.iterations, 1);
        for (msg, count) in [
            (&b"r=ab,s=QUJD,i=0"[..], 0u64),
            (b"r=ab,s=QUJD,i=1000001", 1_000_001),
            (b"r=ab,s=QUJD,i=99999999999999999999999", u64::MAX),
        ] {
            assert_eq!(
                parse_scram_server_first(msg),
                Err(SaslError::InvalidIterationCount { count, max: MAX_ITERATIONS })
            );
        }
        assert!(parse_scram_server_first(b"r=ab,s=QUJD,i=-1").is_err());
        assert!(parse_scram_server_first(b"r=ab,s=QUJD,i=").is_err());
        assert!(parse_scram_server_first(b"r=ab,s=QUJD,i=+5").is_err());
    }

    #[test]
    fn oauthbearer_shapes() {
        let m = parse_oauthbearer(b"n,,\x01auth=Bearer abc\x01\x01").unwrap();
        assert_eq!((m.authzid, m.host, m.port, m.token), (None, None, None, "abc"));
        assert!(parse_oauthbearer(b"n,,\x01\x01").is_err());
        assert!(parse_oauthbearer(b"n,,\x01auth=Bearer abc\x01").is_err());
        assert!(parse_oauthbearer(b"n,,\x01auth=Bearer abc\x01port=x\x01\x01").is_err());
        assert!(parse_oauthbearer(b"n,,\x01auth=Bearer abc\x01auth=Bearer d\x01\x01").is_err());
        assert!(parse_oauthbearer(b"p=tls-unique,,\x01auth=Bearer abc\x01\x01").is_err());
        assert!(parse_oauthbearer(b"n,,\x01auth=Basic abc\x01\x01").is_err());
    }
}
