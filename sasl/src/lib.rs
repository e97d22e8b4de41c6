//! # mailwire-sasl
//!
//! Sans-IO SASL (RFC 4422) for mailwire's SMTP (`AUTH`, RFC 4954), IMAP
//! (`AUTHENTICATE`) and POP3 (`AUTH`, RFC 5034) crates, client and server
//! side, for these mechanisms:
//!
//! | mechanism | spec | secret |
//! | --- | --- | --- |
//! | `SCRAM-SHA-256`, `SCRAM-SHA-256-PLUS` | RFC 5802, RFC 7677 | password (server stores keys only) |
//! | `CRAM-MD5` | RFC 2195 | password (server stores plaintext) |
//! | `PLAIN` | RFC 4616 | password |
//! | `LOGIN` | draft-murchison-sasl-login | password |
//! | `OAUTHBEARER` | RFC 7628 | OAuth 2.0 bearer token |
//! | `XOAUTH2` | Google / Microsoft | OAuth 2.0 bearer token |
//!
//! This crate works on raw bytes: the protocol crate base64-decodes each
//! challenge or response before handing it over and base64-encodes what it
//! gets back, and deals with line framing, cancellation (`*`) and reply
//! codes. Nothing here does I/O, reads a clock or draws random numbers: the
//! caller supplies nonces ([`Nonce::from_random`]) and, for CRAM-MD5, the
//! time.
//!
//! ## The flow
//!
//! *Client.* Pick a mechanism with [`Mechanism::best`], make a
//! [`ClientSession`], send [`ClientSession::initial_response`] with the
//! command if the protocol allows, answer every challenge with
//! [`ClientSession::step`], and when the server says it succeeded, call
//! [`ClientSession::finish`], which refuses a success that came too early
//! (a SCRAM server must prove that it knows the password).
//!
//! *Server.* Make a [`ServerSession`] when the client names a mechanism,
//! feed it the initial response or send [`ServerSession::initial_challenge`],
//! and act on each [`ServerStep`]: send a `Challenge`, check a password
//! (`VerifyPassword` → [`ServerSession::password_result`]), look up a user
//! (`NeedSecret` → [`ServerSession::provide_scram`] or
//! [`ServerSession::provide_password`]), check a token (`VerifyToken` →
//! [`ServerSession::token_result`]), until `Success` or `Failure`.
//!
//! Out-of-order calls return [`SaslError::UnexpectedCall`]; nothing panics,
//! whatever the peer sends. Every message is capped at [`MAX_MESSAGE_LEN`]
//! and SCRAM iteration counts at [`MAX_ITERATIONS`]. The pure parsers in
//! [`wire`] are the surface for fuzzing.
//!
//! ## Example: PLAIN
//!
//! ```
//! use mailwire_sasl::*;
//!
//! let creds = Credentials::password("tim", "tanstaaftanstaaf");
//! let mech = Mechanism::best(["LOGIN", "PLAIN"], &creds).unwrap();
//! let mut client = ClientSession::new(mech, &creds, None)?;
//! let mut server = ServerSession::new(mech, ServerConfig::new())?;
//!
//! // C: AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm
//! let ir = client.initial_response().unwrap();
//! assert_eq!(ir, b"\0tim\0tanstaaftanstaaf");
//! let ServerStep::VerifyPassword { username, password, .. } = server.step(&ir)? else { panic!() };
//! let ok = username == "tim" && password == "tanstaaftanstaaf"; // the application's check
//! let ServerStep::Success { username, .. } = server.password_result(ok)? else { panic!() };
//! assert_eq!(username, "tim");
//! // S: 235 2.7.0 Authentication successful
//! client.finish(None)?;
//! # Ok::<(), SaslError>(())
//! ```
//!
//! ## Example: SCRAM-SHA-256
//!
//! ```
//! use mailwire_sasl::*;
//!
//! // The server stores only this, made when the password was set.
//! let stored = ScramCredentials::derive("pencil", b"per-user random salt", 4096)?;
//!
//! let creds = Credentials::password("user", "pencil");
//! // Fresh randomness from the application's CSPRNG for every exchange.
//! let client_nonce = Nonce::from_random(&[1u8; 18])?;
//! let server_nonce = Nonce::from_random(&[2u8; 18])?;
//!
//! let mut client = ClientSession::new(Mechanism::ScramSha256, &creds, Some(client_nonce))?;
//! let config = ServerConfig::new().with_nonce(server_nonce);
//! let mut server = ServerSession::new(Mechanism::ScramSha256, config)?;
//!
//! // client-first (initial response)
//! let client_first = client.initial_response().unwrap();
//! let ServerStep::NeedSecret { username, .. } = server.step(&client_first)? else { panic!() };
//! assert_eq!(username, "user");
//! // server-first
//! let ServerStep::Challenge(server_first) = server.provide_scram(stored)? else { panic!() };
//! // client-final
//! let ClientStep::Respond(client_final) = client.step(&server_first)? else { panic!() };
//! // server-final: SMTP sends it as a 334 challenge, the client answers
//! // with an empty line, then the server sends 235.
//! let ServerStep::Success { final_data: Some(server_final), .. } = server.step(&client_final)? else {
//!     panic!()
//! };
//! assert_eq!(client.step(&server_final)?, ClientStep::Done); // server signature verified
//! client.finish(None)?;
//! # Ok::<(), SaslError>(())
//! ```
//!
//! ## SASLprep
//!
//! SCRAM passwords are prepared with SASLprep (RFC 4013) by [`saslprep`],
//! which implements the mapping steps but not Unicode NFKC normalisation:
//! it refuses passwords that are not ASCII after mapping
//! ([`SaslPrepError::NonAscii`]) rather than prepare them wrongly.
//! [`Mechanism::best`] then falls back to a mechanism that sends the
//! password as it is. PLAIN, LOGIN and CRAM-MD5 never prepare passwords.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
mod credentials;
mod crypto;
mod error;
mod mechanism;
mod saslprep;
mod server;
pub mod wire;

pub use client::{ClientSession, ClientStep};
pub use credentials::{ChannelBinding, Credentials, Nonce, Secret};
pub use error::{SaslError, SaslPrepError};
pub use mechanism::Mechanism;
pub use saslprep::saslprep;
pub use server::{ScramCredentials, ServerConfig, ServerSession, ServerStep, oauth_error_json};

/// The longest message (challenge or response, after base64 decoding)
/// either side accepts: 16 KiB, room for the largest OAuth tokens in use.
pub const MAX_MESSAGE_LEN: usize = 16 * 1024;

/// The largest SCRAM iteration count accepted, from a server's message or
/// for [`ScramCredentials::derive`]. A malicious server could otherwise make
/// the client spin in PBKDF2 for hours.
pub const MAX_ITERATIONS: u32 = 1_000_000;
