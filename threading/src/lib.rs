//! # mailwire-threading
//!
//! Conversations from `Message-ID`, `In-Reply-To`, `References` and
//! `Subject`, for IMAP servers, mail clients and archives.
//!
//! | algorithm | for | here |
//! | --- | --- | --- |
//! | RFC 5256 `THREAD=REFERENCES` | IMAP servers: the answer Dovecot gives | [`references`], [`Threader::references`] |
//! | RFC 5256 `THREAD=ORDEREDSUBJECT` | IMAP servers | [`ordered_subject`], [`Threader::ordered_subject`] |
//! | JWZ, with its weak points handled | mail clients | [`jwz`], [`Threader::jwz`], [`JwzOptions`] |
//! | conversations: linked by references only, or subject-checked with a size cap | archives, clients | [`conversations`], [`Threader::conversations`] |
//!
//! The input is plain fields per message ([`Message`]): an id of the
//! caller's choosing (a sequence number, a UID, a database key), the raw
//! `Message-ID`, `In-Reply-To` and `References` values, the decoded
//! subject and the sent date. With the `mime` feature,
//! [`Message::from_mime`] takes them from a parsed `mailwire_mime::Message`.
//! The output is a [`Threads`] forest, easy to walk, to re-sort and (with
//! the `serde` feature) to serialise, and written as an IMAP `THREAD`
//! response by [`Threads::to_imap`].
//!
//! [`Threader`] keeps the state between calls: add and remove messages as
//! they come and go, and the threads are always those a rebuild from the
//! remaining messages would give, without a rebuild.
//!
//! ```
//! use mailwire_threading::{Message, Threader};
//!
//! let mut t = Threader::new();
//! t.add(&Message::new(1, "<a@x>", "", "", "lunch?", 100));
//! t.add(&Message::new(2, "<b@x>", "<a@x>", "<a@x>", "Re: lunch?", 200));
//! t.add(&Message::new(3, "<c@x>", "", "", "minutes", 150));
//! // A reply whose parent we never saw: held with its sibling by a dummy.
//! t.add(&Message::new(4, "<d@x>", "<zz@x>", "", "Re: plans", 300));
//! t.add(&Message::new(5, "<e@x>", "<zz@x>", "", "Re: plans", 310));
//! assert_eq!(t.references().to_imap(), "(1 2)(3)((4)(5))");
//! t.remove(2);
//! assert_eq!(t.references().to_imap(), "(1)(3)((4)(5))");
//! ```
//!
//! Base subjects (RFC 5256 §2.1, and the localised prefixes clients meet)
//! are in [`subject`]; message-ID normalisation in [`msgid`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod conversations;
mod graph;
pub mod msgid;
mod references;
pub mod subject;
mod threader;
mod tree;

pub use conversations::{Conversation, ConversationStyle};
pub use references::{JwzOptions, SubjectMerge};
pub use threader::Threader;
pub use tree::{Node, Threads};

/// One message's threading fields. The header values are raw (as in the
/// message, unfolded or not); the subject is decoded (RFC 2047 already
/// undone); an empty string stands for a missing field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    /// The caller's id for the message (for IMAP: the sequence number or
    /// UID that the `THREAD` response lists).
    pub id: u64,
    /// The `Message-ID` value.
    pub message_id: &'a str,
    /// The `In-Reply-To` value.
    pub in_reply_to: &'a str,
    /// The `References` value.
    pub references: &'a str,
    /// The decoded subject.
    pub subject: &'a str,
    /// The sent date, in seconds since the Unix epoch, UTC (RFC 5256 §2.2:
    /// the `Date` header, or the internal date when it is missing or
    /// invalid — the caller's choice to make).
    pub date: i64,
}

impl<'a> Message<'a> {
    /// A message from its fields (see the field docs).
    pub fn new(
        id: u64,
        message_id: &'a str,
        in_reply_to: &'a str,
        references: &'a str,
        subject: &'a str,
        date: i64,
    ) -> Message<'a> {
        Message { id, message_id, in_reply_to, references, subject, date }
    }
}

#[cfg(feature = "mime")]
mod from_mime {
    use std::borrow::Cow;

    /// The threading fields of a parsed message, owned: see
    /// [`Message::from_mime`](crate::Message::from_mime).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Fields {
        /// The `Message-ID` value.
        pub message_id: String,
        /// The `In-Reply-To` value.
        pub in_reply_to: String,
        /// The `References` value.
        pub references: String,
        /// The decoded subject.
        pub subject: String,
        /// The `Date`, if it parses.
        pub date: Option<i64>,
    }

    impl Fields {
        /// The fields of `message`.
        pub fn of(message: &mailwire_mime::Message<'_>) -> Fields {
            let raw = |name: &str| {
                message
                    .headers()
                    .get_raw(name)
                    .map(String::from_utf8_lossy)
                    .unwrap_or(Cow::Borrowed(""))
                    .into_owned()
            };
            Fields {
                message_id: raw("Message-ID"),
                in_reply_to: raw("In-Reply-To"),
                references: raw("References"),
                subject: message.subject().map(Cow::into_owned).unwrap_or_default(),
                date: message.date().map(|d| d.timestamp),
            }
        }

        /// A [`Message`](crate::Message) borrowing these fields, with
        /// `fallback_date` (the internal date) when there is no valid
        /// `Date`.
        pub fn message(&self, id: u64, fallback_date: i64) -> crate::Message<'_> {
            crate::Message {
                id,
                message_id: &self.message_id,
                in_reply_to: &self.in_reply_to,
                references: &self.references,
                subject: &self.subject,
                date: self.date.unwrap_or(fallback_date),
            }
        }
    }

    impl crate::Message<'_> {
        /// The threading fields of a parsed message (the `mime` feature):
        /// `Fields::of(message).message(id, internal_date)`.
        ///
        /// ```
        /// use mailwire_threading::{Message, references};
        ///
        /// let raw = b"Message-ID: <b@x>\r\nReferences: <a@x>\r\nSubject: =?utf-8?q?Re:_caf=C3=A9?=\r\n\r\n";
        /// let parsed = mailwire_mime::Message::parse(raw);
        /// let fields = Message::from_mime(&parsed);
        /// assert_eq!(fields.subject, "Re: café");
        /// let t = references(&[fields.message(7, 0)]);
        /// assert_eq!(t.to_imap(), "(7)");
        /// ```
        pub fn from_mime(message: &mailwire_mime::Message<'_>) -> Fields {
            Fields::of(message)
        }
    }
}

#[cfg(feature = "mime")]
pub use from_mime::Fields;

/// RFC 5256 `THREAD=REFERENCES` over `messages` (in mailbox order: the
/// order breaks ties of the sent date).
pub fn references(messages: &[Message<'_>]) -> Threads {
    Threader::batch(messages).references()
}

/// RFC 5256 `THREAD=ORDEREDSUBJECT` over `messages` (in mailbox order).
pub fn ordered_subject(messages: &[Message<'_>]) -> Threads {
    Threader::batch(messages).ordered_subject()
}

/// JWZ threading over `messages` with `options`.
pub fn jwz(messages: &[Message<'_>], options: &JwzOptions) -> Threads {
    Threader::batch(messages).jwz(options)
}

/// Conversations over `messages`.
pub fn conversations(messages: &[Message<'_>], style: ConversationStyle) -> Vec<Conversation> {
    Threader::batch(messages).conversations(style)
}
