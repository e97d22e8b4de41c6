//! Building messages: [`MessageBuilder`] for the everyday case (text,
//! HTML and AMP alternatives, attachments, inline images) and
//! [`PartBuilder`] for any tree of parts.
//!
//! Every encoding decision is made here, from the content: header text
//! becomes RFC 2047 encoded words only where it must (never splitting a
//! character, never past 75 characters), lines are folded at 78 and never
//! pass 998, file names get RFC 2231 parameters with the legacy `name=`
//! beside them, and each part gets the lightest Content-Transfer-Encoding
//! its bytes allow. Caller text can never add a header field: a line break
//! ends up inside an encoded word or is refused with a [`BuildError`].

pub mod amp;
mod error;
pub(crate) mod header;
pub(crate) mod message;
pub(crate) mod part;
mod reply;

pub use error::BuildError;
pub use header::{FOLD_AT, MAX_LINE};
pub use message::{AddressInput, LineEnding, MessageBuilder, generate_message_id};
pub use part::{Disposition, PartBuilder};
pub use reply::{ReplyOptions, quote};
