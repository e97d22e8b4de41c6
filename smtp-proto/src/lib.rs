//! # mailwire-smtp
//!
//! Sans-IO SMTP (RFC 5321), ESMTP and LMTP (RFC 2033): the wire types and
//! both sides of a session. The caller owns the socket, TLS and the clock;
//! the session says what to send and what happened.
//!
//! - **Wire types**: [`command`] (every command and its ESMTP parameters:
//!   SIZE, BODY, SMTPUTF8, DSN, AUTH=, REQUIRETLS, MT-PRIORITY,
//!   FUTURERELEASE, DELIVERBY), [`reply`] (single and multi-line replies,
//!   an incremental parser), [`enhanced`] (RFC 3463 status codes with the
//!   IANA registry's meaning of each), [`capability`] (EHLO keywords),
//!   [`xtext`] (RFC 3461).
//! - **Message data**: [`data`] dot-stuffs and un-stuffs in chunks of any
//!   size, finds the end of data split across reads, and refuses the
//!   "SMTP smuggling" endings (only `CRLF . CRLF` ends a message).
//! - **Sessions**: [`client::ClientSession`] and [`server::ServerSession`]
//!   share one shape (as do the IMAP and POP3 crates'): `feed` the bytes
//!   read, write what `poll_transmit` returns, handle what `poll_event`
//!   returns, answer decisions with typed calls. Out-of-order calls are
//!   typed errors.
//! - **Authentication** is the `mailwire-sasl` crate, shared with IMAP and
//!   POP3; this crate adds only the SMTP framing (334 challenges, base64
//!   lines, `*` to cancel).
//! - [`timeouts`]: RFC 5321's timeouts, for the caller's clock.
//!
//! Our client talking to our server, in memory:
//!
//! ```
//! use mailwire_smtp::client::{ClientConfig, ClientEvent, ClientSession, Transaction};
//! use mailwire_smtp::server::{ServerConfig, ServerEvent, ServerSession};
//!
//! let mut client = ClientSession::new(ClientConfig::new("client.example"));
//! let mut server = ServerSession::new(ServerConfig::new("mx.example.org"));
//! server.greet();
//! let mut received = None;
//! while !(client.is_closed() && server.is_closed()) {
//!     // The two transports: here, each side's output is the other's input.
//!     while let Some(bytes) = server.poll_transmit() {
//!         client.feed(&bytes);
//!     }
//!     while let Some(bytes) = client.poll_transmit() {
//!         server.feed(&bytes);
//!     }
//!     while let Some(event) = server.poll_event() {
//!         match event {
//!             ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. } => server.accept().unwrap(),
//!             ServerEvent::Message { data, .. } => {
//!                 received = Some(data);
//!                 server.accept().unwrap();
//!             }
//!             _ => {}
//!         }
//!     }
//!     while let Some(event) = client.poll_event() {
//!         match event {
//!             ClientEvent::Ready { .. } => {
//!                 let tx = Transaction::new("ann@example.com", &["bob@example.org"]).unwrap();
//!                 client.send(tx, b"Subject: hi\r\n\r\n.dot\r\n".to_vec()).unwrap();
//!             }
//!             ClientEvent::Sent(result) => {
//!                 assert!(result.delivered());
//!                 client.quit();
//!             }
//!             _ => {}
//!         }
//!     }
//! }
//! assert_eq!(received.as_deref(), Some(&b"Subject: hi\r\n\r\n.dot\r\n"[..]));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod capability;
pub mod client;
pub mod command;
pub mod data;
pub mod enhanced;
pub mod reply;
pub mod server;
pub mod timeouts;
pub mod xtext;
