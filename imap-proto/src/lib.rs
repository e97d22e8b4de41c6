//! # mailwire-imap
//!
//! Sans-IO IMAP: IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051) with the
//! extensions real servers announce. Two layers:
//!
//! - **The codec**: [`command::Command`] and [`response::Response`] parse
//!   from bytes and write to bytes, in both directions, with types that
//!   cannot hold what the grammar forbids (a [`sequence::SequenceSet`] is
//!   never empty, a [`string::Tag`] never holds `+`, a [`string::Str`]
//!   written where an atom cannot hold it becomes a quoted string or a
//!   literal). Parsed values share the received buffer ([`bytes::Bytes`]):
//!   no copy per field, yet owned and `'static`. Every string remembers the
//!   form it came in, so a parsed message writes back to the same bytes.
//!   [`frame::Framer`] finds where a message ends in a stream (literals
//!   included), incrementally.
//! - **Sessions**: [`client::ClientSession`] and [`server::ServerSession`]
//!   have the shape of the SMTP and POP3 crates' sessions: `feed` what was
//!   read, write what `poll_transmit` returns, handle what `poll_event`
//!   returns. They do tags, the continuation dance of literals and
//!   AUTHENTICATE (through `mailwire-sasl`), pipelining, STARTTLS, IDLE,
//!   the four states, and the mailbox state a client must track; a large
//!   literal (a `BODY[]` of hundreds of MiB) passes through the client in
//!   chunks.
//!
//! | RFC | what | here |
//! | --- | --- | --- |
//! | 3501, 9051 | IMAP4rev1, IMAP4rev2: every command and response | [`command`], [`response`] |
//! | 2177 | IDLE | both sessions |
//! | 2342 | NAMESPACE | [`command::CommandBody::Namespace`], [`response::Data::Namespace`] |
//! | 2971 | ID | [`id`] |
//! | 3516 | BINARY, literal8 | [`section`], [`string::Form::Literal8`] |
//! | 4315 | UIDPLUS | [`response::Code`] (APPENDUID, COPYUID), `UID EXPUNGE` |
//! | 4731, 5182 | ESEARCH, SEARCHRES | [`command::SearchReturn`], [`response::Data::ESearch`], `$` in [`sequence::SequenceSet`] |
//! | 4959 | SASL-IR | both sessions |
//! | 4978 | COMPRESS=DEFLATE (negotiation; the caller compresses) | [`command::CommandBody::Compress`] |
//! | 5161 | ENABLE | both sessions |
//! | 5256 | SORT, THREAD (the grammar; the algorithm is `mailwire-threading`'s) | [`command`], [`response`] |
//! | 5258, 5819, 6154 | LIST-EXTENDED, LIST-STATUS, SPECIAL-USE | [`command::ListCommand`], [`flag::MailboxAttribute`] |
//! | 5464 | METADATA | [`command`], [`response`] |
//! | 5530 | response codes | [`response::Code`] |
//! | 6851 | MOVE | [`command::CommandBody::Move`] |
//! | 6855 | UTF8=ACCEPT, UTF-8 mailbox names | [`mailbox`], both sessions |
//! | 7162 | CONDSTORE, QRESYNC, VANISHED | [`command::SelectParams`], [`response::Data::Vanished`] |
//! | 7888 | LITERAL+, LITERAL- | [`encode::LiteralMode`] |
//! | 7889 | APPENDLIMIT | [`capability::Capability::AppendLimit`] |
//! | 9208 | QUOTA | [`command`], [`response`] |
//! | Gmail | X-GM-EXT-1: X-GM-MSGID, X-GM-THRID, X-GM-LABELS, X-GM-RAW | [`command`], [`response`] |
//!
//! Bad input never panics: parse errors are a [`error::ParseError`]
//! naming the grammar rule and the byte offset; sizes, counts and nesting
//! are bounded by [`Limits`].
//!
//! Our client logging in to our server and fetching a message, in memory:
//!
//! ```
//! use mailwire_imap::client::{ClientConfig, ClientEvent, ClientSession};
//! use mailwire_imap::command::{CommandBody, FetchAttribute, FetchItems, SelectParams};
//! use mailwire_imap::mailbox::Mailbox;
//! use mailwire_imap::response::{Code, Data, FetchItem};
//! use mailwire_imap::section::Section;
//! use mailwire_imap::sequence::SequenceSet;
//! use mailwire_imap::server::{ServerConfig, ServerEvent, ServerSession};
//! use mailwire_imap::string::Str;
//! use mailwire_sasl::Credentials;
//!
//! let message = b"Subject: hi\r\n\r\nHello\r\n";
//!
//! let mut config = ServerConfig::new();
//! config.tls_active = true; // as if on port 993
//! let mut server = ServerSession::new(config);
//! let mut config = ClientConfig::new(Some(Credentials::password("ann", "secret")));
//! config.tls_active = true;
//! let mut client = ClientSession::new(config);
//!
//! server.greet();
//! let mut body = None;
//! for _ in 0..20 {
//!     // The two transports: each side's output is the other's input.
//!     while let Some(bytes) = server.poll_transmit() {
//!         client.feed(&bytes);
//!     }
//!     while let Some(bytes) = client.poll_transmit() {
//!         server.feed(&bytes);
//!     }
//!     while let Some(event) = client.poll_event() {
//!         match event {
//!             ClientEvent::Ready => {
//!                 let select = CommandBody::Select { mailbox: Mailbox::Inbox, params: SelectParams::default() };
//!                 client.send(select).unwrap();
//!                 let items = FetchItems::List(vec![FetchAttribute::BodySection {
//!                     section: Section::whole(),
//!                     partial: None,
//!                     peek: true,
//!                 }]);
//!                 let set = SequenceSet::single(1).unwrap();
//!                 client.send(CommandBody::Fetch { uid: false, set, items, changed_since: None, vanished: false }).unwrap();
//!             }
//!             ClientEvent::Data(Data::Fetch { items, .. }) => {
//!                 if let Some(FetchItem::BodySection { data, .. }) = items.into_iter().next() {
//!                     body = data;
//!                 }
//!             }
//!             _ => {}
//!         }
//!     }
//!     while let Some(event) = server.poll_event() {
//!         match event {
//!             ServerEvent::VerifyPassword { username, password, .. } => {
//!                 server.auth_password(username == "ann" && password == "secret").unwrap()
//!             }
//!             ServerEvent::Command { body: CommandBody::Select { .. }, .. } => {
//!                 server.data(Data::Exists(1));
//!                 server.ok(Some(Code::ReadWrite), "SELECT completed").unwrap();
//!             }
//!             ServerEvent::Command { body: CommandBody::Fetch { .. }, .. } => {
//!                 let data = Some(Str::from(&message[..]));
//!                 let item = FetchItem::BodySection { section: Section::whole(), origin: None, data };
//!                 server.data(Data::Fetch { seq: 1.try_into().unwrap(), items: vec![item] });
//!                 server.ok(None, "FETCH completed").unwrap();
//!             }
//!             _ => {}
//!         }
//!     }
//! }
//! assert_eq!(body.unwrap().as_bytes(), message);
//! assert_eq!(client.mailbox().exists, 1);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod capability;
mod chars;
pub mod client;
pub mod command;
pub mod datetime;
pub mod encode;
pub mod error;
pub mod flag;
pub mod frame;
pub mod id;
mod lex;
mod limits;
pub mod mailbox;
pub mod response;
pub mod section;
pub mod sequence;
pub mod server;
pub mod status;
pub mod string;

pub use limits::Limits;
