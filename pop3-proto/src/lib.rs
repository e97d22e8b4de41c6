//! # mailwire-pop3
//!
//! Sans-IO POP3: the wire types and both sides of a session. The caller
//! owns the socket, TLS and the clock; the session says what to send and
//! what happened.
//!
//! | RFC | what | here |
//! | --- | --- | --- |
//! | 1939 | POP3: USER, PASS, APOP, STAT, LIST, RETR, DELE, NOOP, RSET, QUIT, TOP, UIDL | [`command`], [`response`], [`apop`] |
//! | 2449 | CAPA, the standard capabilities, RESP-CODES, LOGIN-DELAY, IN-USE, PIPELINING, EXPIRE, IMPLEMENTATION, line limits | [`capability`], [`response::ResponseCode`] |
//! | 2595 | STLS | both sessions |
//! | 3206 | `SYS/TEMP`, `SYS/PERM`, `AUTH` response codes | [`response::ResponseCode`] |
//! | 5034 | AUTH with SASL, initial responses, `*` to cancel | both sessions, over `mailwire-sasl` |
//! | 6856 | UTF8, LANG | [`command`], both sessions |
//!
//! - **Wire types**: [`command::Command`] (parse and write every command),
//!   [`response::Response`] (`+OK`/`-ERR` with response codes),
//!   listings ([`response::ScanListing`], [`response::UniqueId`]),
//!   [`capability::Capabilities`].
//! - **Multi-line data** as streams: [`multiline::Unstuffer`] removes the
//!   byte-stuffing from chunks of any size and finds the end even when it
//!   is split across reads; [`multiline::Stuffer`] writes a message (CRLF
//!   line ends, stuffed dots) and cuts it for TOP.
//! - **Sessions**: [`client::ClientSession`] and [`server::ServerSession`]
//!   have the shape of the SMTP and IMAP crates': `feed` what was read,
//!   write what `poll_transmit` returns, handle what `poll_event` returns,
//!   answer decisions with typed calls. Out-of-order calls are typed errors;
//!   no input makes them panic or grow without bound.
//! - **Authentication** is the `mailwire-sasl` crate, shared with SMTP and
//!   IMAP; this crate adds only the POP3 framing (`+ ` challenges, base64
//!   lines, the 255-octet rule for initial responses).
//! - [`timeouts`]: RFC 1939's autologout timer, for the caller's clock.
//!
//! Our client downloading from our server, in memory:
//!
//! ```
//! use mailwire_pop3::client::{ClientConfig, ClientEvent, ClientSession};
//! use mailwire_pop3::server::{MessageInfo, ServerConfig, ServerEvent, ServerSession};
//! use mailwire_sasl::{Credentials, Mechanism};
//!
//! let message = b"Subject: hi\r\n\r\n.a line with a dot\r\n";
//!
//! let mut config = ServerConfig::new("pop.example.org");
//! config.tls_active = true; // as if on port 995
//! config.sasl_mechanisms = vec![Mechanism::Plain];
//! let mut server = ServerSession::new(config);
//!
//! let mut config = ClientConfig::new(Credentials::password("ann", "secret"));
//! config.tls_active = true;
//! let mut client = ClientSession::new(config);
//!
//! server.greet();
//! let mut received = Vec::new();
//! while !(client.is_closed() && server.is_closed()) {
//!     // The two transports: each side's output is the other's input.
//!     while let Some(bytes) = server.poll_transmit() {
//!         client.feed(&bytes);
//!     }
//!     while let Some(bytes) = client.poll_transmit() {
//!         server.feed(&bytes);
//!     }
//!     while let Some(event) = server.poll_event() {
//!         match event {
//!             ServerEvent::VerifyPassword { username, password, .. } => {
//!                 server.auth_password(username == "ann" && password == "secret").unwrap()
//!             }
//!             // Lock the maildrop and list it: one message.
//!             ServerEvent::OpenMaildrop { .. } => {
//!                 let info = MessageInfo::new(message.len() as u64, "id-1").unwrap();
//!                 server.open_maildrop(vec![info]).unwrap()
//!             }
//!             ServerEvent::Retrieve { .. } => server.message(message).unwrap(),
//!             // QUIT: remove what was deleted, then sign off.
//!             ServerEvent::Update { deleted } => {
//!                 assert_eq!(deleted[0].uid, "id-1");
//!                 server.accept().unwrap()
//!             }
//!             _ => {}
//!         }
//!     }
//!     while let Some(event) = client.poll_event() {
//!         match event {
//!             ClientEvent::Ready { .. } => {
//!                 client.retr(1).unwrap();
//!                 client.dele(1).unwrap();
//!                 client.quit().unwrap();
//!             }
//!             ClientEvent::MessageData { data, .. } => received.extend_from_slice(&data),
//!             ClientEvent::Failed(e) => panic!("{e}"),
//!             _ => {}
//!         }
//!     }
//! }
//! assert_eq!(received, message);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod apop;
pub mod capability;
pub mod client;
pub mod command;
pub mod multiline;
pub mod response;
pub mod server;
pub mod timeouts;
