//! Enhanced mail system status codes (RFC 3463, RFC 5248): `class.subject.detail`,
//! as in `550 5.1.1 User unknown`, advertised by the `ENHANCEDSTATUSCODES`
//! EHLO keyword (RFC 2034) and carried in DSNs (RFC 3464).
//!
//! [`EnhancedCode`] parses a code from the start of a reply's text
//! ([`EnhancedCode::parse_prefix`]) or on its own ([`EnhancedCode::parse`],
//! [`str::parse`]), prints it back, and tells what it means: the class
//! ([`Class`]: success, persistent transient or permanent failure), the subject
//! ([`Subject`]: addressing, mailbox, mail system, network, protocol, content,
//! security) and, for registered codes, the registry's title
//! ([`EnhancedCode::description`]).
//!
//! # The registry table
//!
//! [`REGISTRY`] is the IANA "Simple Mail Transfer Protocol (SMTP) Enhanced
//! Status Codes" registry's *Enumerated Status Codes* sub-registry, one entry
//! per `X.subject.detail` with its "Sample Text" as the title. It was written
//! from the RFC texts in `../shared/rfc`: RFC 3463 section 3 (X.0.0 to X.7.7,
//! the registry's initial values per RFC 5248 section 2.4), RFC 5248 section 2.4
//! (X.7.10, X.7.13, X.7.14), RFC 4954 section 6 (X.5.6, X.7.8, X.7.9, X.7.11,
//! X.7.12), RFC 6531 section 4 (X.6.7 to X.6.10), RFC 7505 section 6 (X.1.10,
//! X.7.27), RFC 8617 section 10.4 (X.7.29) and RFC 8689 (X.7.30). The entries
//! whose defining RFC is not in `../shared/rfc` — X.1.9 (RFC 3886), X.6.6
//! (RFC 4468), X.3.6, X.7.15 and X.7.16 (RFC 6710), X.7.17 to X.7.19
//! (RFC 7293), X.7.20 to X.7.26 (RFC 7372) and X.7.28 — carry the titles the
//! IANA registry gives them; their `reference` says where they come from.
//! Where RFC 3463's Appendix A and its section 3 disagree (X.1.5, X.1.6, X.4.3,
//! X.4.5), the registry follows section 3, and so does this table.
//!
//! ```
//! use mailwire_smtp::enhanced::{Class, EnhancedCode, Subject};
//!
//! let code: EnhancedCode = "5.1.1".parse().unwrap();
//! assert_eq!(code, EnhancedCode::BAD_DESTINATION_MAILBOX);
//! assert!(code.is_permanent());
//! assert_eq!(code.subject_category(), Subject::Addressing);
//! assert_eq!(code.description(), Some("Bad destination mailbox address"));
//! assert_eq!(code.subject_description(), Some("Addressing Status"));
//!
//! // At the start of a reply's text, with the text that follows:
//! let (code, used) = EnhancedCode::parse_prefix(b"4.2.2 Mailbox full").unwrap();
//! assert_eq!((code.class, code.subject, code.detail), (Class::PersistentTransient, 2, 2));
//! assert_eq!(used, 6);
//! ```

use std::fmt;
use std::str::FromStr;

/// The first part of an enhanced status code: did the delivery attempt
/// succeed, and if not, may a later attempt succeed (RFC 3463 section 2)?
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Class {
    /// `2.X.X`: success; the detail may report a transformation done on the way.
    Success = 2,
    /// `4.X.X`: persistent transient failure; the message is valid and a later
    /// attempt may succeed.
    PersistentTransient = 4,
    /// `5.X.X`: permanent failure; resending the same message will not help.
    Permanent = 5,
}

impl Class {
    /// The class for its digit (2, 4 or 5), or `None` for any other.
    pub const fn from_digit(digit: u8) -> Option<Class> {
        match digit {
            2 => Some(Class::Success),
            4 => Some(Class::PersistentTransient),
            5 => Some(Class::Permanent),
            _ => None,
        }
    }

    /// The class's digit: 2, 4 or 5.
    pub const fn digit(self) -> u8 {
        self as u8
    }

    /// The registry's summary of the class: "Success", "Persistent Transient
    /// Failure" or "Permanent Failure".
    pub const fn description(self) -> &'static str {
        match self {
            Class::Success => "Success",
            Class::PersistentTransient => "Persistent Transient Failure",
            Class::Permanent => "Permanent Failure",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.digit())
    }
}

/// The second part of an enhanced status code: where the problem probably
/// lies (RFC 3463 section 2). A bounce classifier's first question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    /// `X.0.X`: other or undefined status; only the class is known.
    Other,
    /// `X.1.X`: addressing status (originator or destination address: syntax
    /// or validity). Usually the sender's to correct.
    Addressing,
    /// `X.2.X`: mailbox status (the mailbox exists, but something about it:
    /// full, disabled, message too long for it).
    Mailbox,
    /// `X.3.X`: mail system status (the destination system: full, not
    /// accepting mail, message too big).
    MailSystem,
    /// `X.4.X`: network and routing status (no answer, bad connection, DNS,
    /// routing loops, expired delivery time).
    Network,
    /// `X.5.X`: mail delivery protocol status (invalid commands, syntax,
    /// too many recipients).
    Protocol,
    /// `X.6.X`: message content or media status (unsupported media, failed
    /// conversions, non-ASCII addresses).
    Content,
    /// `X.7.X`: security or policy status (not authorized, authentication,
    /// encryption, SPF/DKIM/ARC, spam policy).
    Security,
    /// A subject that no registered category has (8 and above).
    Unregistered(u16),
}

impl Subject {
    /// The category of a subject number.
    pub const fn from_code(subject: u16) -> Subject {
        match subject {
            0 => Subject::Other,
            1 => Subject::Addressing,
            2 => Subject::Mailbox,
            3 => Subject::MailSystem,
            4 => Subject::Network,
            5 => Subject::Protocol,
            6 => Subject::Content,
            7 => Subject::Security,
            n => Subject::Unregistered(n),
        }
    }

    /// The subject number (the `1` of `5.1.1`).
    pub const fn code(self) -> u16 {
        match self {
            Subject::Other => 0,
            Subject::Addressing => 1,
            Subject::Mailbox => 2,
            Subject::MailSystem => 3,
            Subject::Network => 4,
            Subject::Protocol => 5,
            Subject::Content => 6,
            Subject::Security => 7,
            Subject::Unregistered(n) => n,
        }
    }

    /// The registry's summary of the subject ("Addressing Status", "Mailbox
    /// Status", …), or `None` for an unregistered subject.
    pub const fn description(self) -> Option<&'static str> {
        Some(match self {
            Subject::Other => "Other or Undefined Status",
            Subject::Addressing => "Addressing Status",
            Subject::Mailbox => "Mailbox Status",
            Subject::MailSystem => "Mail System Status",
            Subject::Network => "Network and Routing Status",
            Subject::Protocol => "Mail Delivery Protocol Status",
            Subject::Content => "Message Content or Media Status",
            Subject::Security => "Security or Policy Status",
            Subject::Unregistered(_) => return None,
        })
    }
}

/// An enhanced mail system status code, `class.subject.detail` (RFC 3463).
///
/// Equality compares all three parts; to ask about the condition whatever
/// the class, compare [`subject`](Self::subject) and [`detail`](Self::detail)
/// or use [`is`](Self::is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EnhancedCode {
    /// Success, persistent transient failure or permanent failure.
    pub class: Class,
    /// The subject sub-code, 0 to 999 (see [`Subject`]).
    pub subject: u16,
    /// The detail sub-code, 0 to 999.
    pub detail: u16,
}

/// One entry of the enumerated status code registry (see [`REGISTRY`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistryEntry {
    /// The subject sub-code (`X.subject.detail`).
    pub subject: u16,
    /// The detail sub-code.
    pub detail: u16,
    /// The registry's "Sample Text", e.g. "Bad destination mailbox address".
    pub title: &'static str,
    /// The document that defines the code, e.g. "RFC 3463".
    pub reference: &'static str,
    /// The registry marks the code deprecated (only X.6.10, a duplicate of
    /// X.6.8).
    pub deprecated: bool,
}

const fn entry(subject: u16, detail: u16, title: &'static str, reference: &'static str) -> RegistryEntry {
    RegistryEntry { subject, detail, title, reference, deprecated: false }
}

/// The enumerated status codes of the IANA registry, sorted by subject and
/// detail; the module documentation says where each group comes from.
pub static REGISTRY: &[RegistryEntry] = &[
    entry(0, 0, "Other undefined Status", "RFC 3463"),
    entry(1, 0, "Other address status", "RFC 3463"),
    entry(1, 1, "Bad destination mailbox address", "RFC 3463"),
    entry(1, 2, "Bad destination system address", "RFC 3463"),
    entry(1, 3, "Bad destination mailbox address syntax", "RFC 3463"),
    entry(1, 4, "Destination mailbox address ambiguous", "RFC 3463"),
    entry(1, 5, "Destination address valid", "RFC 3463"),
    entry(1, 6, "Destination mailbox has moved, No forwarding address", "RFC 3463"),
    entry(1, 7, "Bad sender's mailbox address syntax", "RFC 3463"),
    entry(1, 8, "Bad sender's system address", "RFC 3463"),
    entry(1, 9, "Message relayed to non-compliant mailer", "RFC 3886"),
    entry(1, 10, "Recipient address has null MX", "RFC 7505"),
    entry(2, 0, "Other or undefined mailbox status", "RFC 3463"),
    entry(2, 1, "Mailbox disabled, not accepting messages", "RFC 3463"),
    entry(2, 2, "Mailbox full", "RFC 3463"),
    entry(2, 3, "Message length exceeds administrative limit", "RFC 3463"),
    entry(2, 4, "Mailing list expansion problem", "RFC 3463"),
    entry(3, 0, "Other or undefined mail system status", "RFC 3463"),
    entry(3, 1, "Mail system full", "RFC 3463"),
    entry(3, 2, "System not accepting network messages", "RFC 3463"),
    entry(3, 3, "System not capable of selected features", "RFC 3463"),
    entry(3, 4, "Message too big for system", "RFC 3463"),
    entry(3, 5, "System incorrectly configured", "RFC 3463"),
    entry(3, 6, "Requested priority was changed", "RFC 6710"),
    entry(4, 0, "Other or undefined network or routing status", "RFC 3463"),
    entry(4, 1, "No answer from host", "RFC 3463"),
    entry(4, 2, "Bad connection", "RFC 3463"),
    entry(4, 3, "Directory server failure", "RFC 3463"),
    entry(4, 4, "Unable to route", "RFC 3463"),
    entry(4, 5, "Mail system congestion", "RFC 3463"),
    entry(4, 6, "Routing loop detected", "RFC 3463"),
    entry(4, 7, "Delivery time expired", "RFC 3463"),
    entry(5, 0, "Other or undefined protocol status", "RFC 3463"),
    entry(5, 1, "Invalid command", "RFC 3463"),
    entry(5, 2, "Syntax error", "RFC 3463"),
    entry(5, 3, "Too many recipients", "RFC 3463"),
    entry(5, 4, "Invalid command arguments", "RFC 3463"),
    entry(5, 5, "Wrong protocol version", "RFC 3463"),
    entry(5, 6, "Authentication Exchange line is too long", "RFC 4954"),
    entry(6, 0, "Other or undefined media error", "RFC 3463"),
    entry(6, 1, "Media not supported", "RFC 3463"),
    entry(6, 2, "Conversion required and prohibited", "RFC 3463"),
    entry(6, 3, "Conversion required but not supported", "RFC 3463"),
    entry(6, 4, "Conversion with loss performed", "RFC 3463"),
    entry(6, 5, "Conversion Failed", "RFC 3463"),
    entry(6, 6, "Message content not available", "RFC 4468"),
    entry(6, 7, "Non-ASCII addresses not permitted for that sender/recipient", "RFC 6531"),
    entry(6, 8, "UTF-8 string reply is required, but not permitted by the SMTP client", "RFC 6531"),
    entry(
        6,
        9,
        "UTF-8 header message cannot be transferred to one or more recipients, so the message must be rejected",
        "RFC 6531",
    ),
    RegistryEntry {
        subject: 6,
        detail: 10,
        title: "UTF-8 string reply is required, but not permitted by the SMTP client",
        reference: "RFC 6531 (a duplicate of X.6.8, deprecated)",
        deprecated: true,
    },
    entry(7, 0, "Other or undefined security status", "RFC 3463"),
    entry(7, 1, "Delivery not authorized, message refused", "RFC 3463"),
    entry(7, 2, "Mailing list expansion prohibited", "RFC 3463"),
    entry(7, 3, "Security conversion required but not possible", "RFC 3463"),
    entry(7, 4, "Security features not supported", "RFC 3463"),
    entry(7, 5, "Cryptographic failure", "RFC 3463"),
    entry(7, 6, "Cryptographic algorithm not supported", "RFC 3463"),
    entry(7, 7, "Message integrity failure", "RFC 3463"),
    entry(7, 8, "Authentication credentials invalid", "RFC 4954"),
    entry(7, 9, "Authentication mechanism is too weak", "RFC 4954"),
    entry(7, 10, "Encryption Needed", "RFC 5248"),
    entry(7, 11, "Encryption required for requested authentication mechanism", "RFC 4954"),
    entry(7, 12, "A password transition is needed", "RFC 4954"),
    entry(7, 13, "User Account Disabled", "RFC 5248"),
    entry(7, 14, "Trust relationship required", "RFC 5248"),
    entry(7, 15, "Priority Level is too low", "RFC 6710"),
    entry(7, 16, "Message is too big for the specified priority", "RFC 6710"),
    entry(7, 17, "Mailbox owner has changed", "RFC 7293"),
    entry(7, 18, "Domain owner has changed", "RFC 7293"),
    entry(7, 19, "RRVS test cannot be completed", "RFC 7293"),
    entry(7, 20, "No passing DKIM signature found", "RFC 7372"),
    entry(7, 21, "No acceptable DKIM signature found", "RFC 7372"),
    entry(7, 22, "No valid author-matched DKIM signature found", "RFC 7372"),
    entry(7, 23, "SPF validation failed", "RFC 7372"),
    entry(7, 24, "SPF validation error", "RFC 7372"),
    entry(7, 25, "Reverse DNS validation failed", "RFC 7372"),
    entry(7, 26, "Multiple authentication checks failed", "RFC 7372"),
    entry(7, 27, "Sender address has null MX", "RFC 7505"),
    entry(7, 28, "Mail flood detected", "IANA registry"),
    entry(7, 29, "ARC validation failure", "RFC 8617"),
    entry(7, 30, "REQUIRETLS support required", "RFC 8689"),
];

/// Looks a code up in [`REGISTRY`], whatever its class.
pub fn registry_entry(subject: u16, detail: u16) -> Option<&'static RegistryEntry> {
    REGISTRY.binary_search_by(|e| (e.subject, e.detail).cmp(&(subject, detail))).ok().map(|i| &REGISTRY[i])
}

impl EnhancedCode {
    /// A code from its three parts.
    pub const fn new(class: Class, subject: u16, detail: u16) -> EnhancedCode {
        EnhancedCode { class, subject, detail }
    }

    /// The same condition in another class (`MAILBOX_FULL.with_class(Class::Permanent)`
    /// is 5.2.2).
    pub const fn with_class(self, class: Class) -> EnhancedCode {
        EnhancedCode { class, ..self }
    }

    /// `2.0.0` Other undefined status, the generic success.
    pub const SUCCESS: EnhancedCode = EnhancedCode::new(Class::Success, 0, 0);
    /// `2.1.0` Other address status: the usual reply to an accepted `MAIL FROM`.
    pub const SENDER_OK: EnhancedCode = EnhancedCode::new(Class::Success, 1, 0);
    /// `2.1.5` Destination address valid: the usual reply to an accepted `RCPT TO`.
    pub const DESTINATION_VALID: EnhancedCode = EnhancedCode::new(Class::Success, 1, 5);
    /// `2.6.0` Other or undefined media status: the usual reply to an accepted message.
    pub const MESSAGE_ACCEPTED: EnhancedCode = EnhancedCode::new(Class::Success, 6, 0);
    /// `2.7.0` Other security status: the reply to a successful `AUTH` (RFC 4954).
    pub const AUTH_SUCCEEDED: EnhancedCode = EnhancedCode::new(Class::Success, 7, 0);
    /// `4.0.0` Other undefined status, transient.
    pub const TRANSIENT_FAILURE: EnhancedCode = EnhancedCode::new(Class::PersistentTransient, 0, 0);
    /// `5.0.0` Other undefined status, permanent.
    pub const PERMANENT_FAILURE: EnhancedCode = EnhancedCode::new(Class::Permanent, 0, 0);
    /// `5.1.1` Bad destination mailbox address ("user unknown").
    pub const BAD_DESTINATION_MAILBOX: EnhancedCode = EnhancedCode::new(Class::Permanent, 1, 1);
    /// `5.1.2` Bad destination system address (the domain does not exist or
    /// takes no mail).
    pub const BAD_DESTINATION_SYSTEM: EnhancedCode = EnhancedCode::new(Class::Permanent, 1, 2);
    /// `5.1.3` Bad destination mailbox address syntax.
    pub const BAD_DESTINATION_SYNTAX: EnhancedCode = EnhancedCode::new(Class::Permanent, 1, 3);
    /// `5.1.6` Destination mailbox has moved, no forwarding address.
    pub const MAILBOX_MOVED: EnhancedCode = EnhancedCode::new(Class::Permanent, 1, 6);
    /// `5.1.7` Bad sender's mailbox address syntax.
    pub const BAD_SENDER_SYNTAX: EnhancedCode = EnhancedCode::new(Class::Permanent, 1, 7);
    /// `5.1.8` Bad sender's system address.
    pub const BAD_SENDER_SYSTEM: EnhancedCode = EnhancedCode::new(Class::Permanent, 1, 8);
    /// `5.1.10` Recipient address has null MX (RFC 7505).
    pub const RECIPIENT_NULL_MX: EnhancedCode = EnhancedCode::new(Class::Permanent, 1, 10);
    /// `5.2.1` Mailbox disabled, not accepting messages.
    pub const MAILBOX_DISABLED: EnhancedCode = EnhancedCode::new(Class::Permanent, 2, 1);
    /// `4.2.2` Mailbox full (RFC 3463 says to use it as a transient failure;
    /// many servers send 5.2.2).
    pub const MAILBOX_FULL: EnhancedCode = EnhancedCode::new(Class::PersistentTransient, 2, 2);
    /// `5.2.3` Message length exceeds administrative (per-mailbox) limit.
    pub const MESSAGE_TOO_BIG_FOR_MAILBOX: EnhancedCode = EnhancedCode::new(Class::Permanent, 2, 3);
    /// `4.3.0` Other or undefined mail system status, transient (a local error).
    pub const SYSTEM_ERROR: EnhancedCode = EnhancedCode::new(Class::PersistentTransient, 3, 0);
    /// `5.3.0` Other or undefined mail system status, permanent.
    pub const SYSTEM_FAILURE: EnhancedCode = EnhancedCode::new(Class::Permanent, 3, 0);
    /// `4.3.1` Mail system full.
    pub const MAIL_SYSTEM_FULL: EnhancedCode = EnhancedCode::new(Class::PersistentTransient, 3, 1);
    /// `4.3.2` System not accepting network messages (shutting down, overloaded).
    pub const SYSTEM_NOT_ACCEPTING: EnhancedCode = EnhancedCode::new(Class::PersistentTransient, 3, 2);
    /// `5.3.4` Message too big for system.
    pub const MESSAGE_TOO_BIG: EnhancedCode = EnhancedCode::new(Class::Permanent, 3, 4);
    /// `4.4.1` No answer from host.
    pub const NO_ANSWER: EnhancedCode = EnhancedCode::new(Class::PersistentTransient, 4, 1);
    /// `4.4.2` Bad connection.
    pub const BAD_CONNECTION: EnhancedCode = EnhancedCode::new(Class::PersistentTransient, 4, 2);
    /// `4.4.3` Directory server failure (DNS unreachable).
    pub const DIRECTORY_FAILURE: EnhancedCode = EnhancedCode::new(Class::PersistentTransient, 4, 3);
    /// `5.4.4` Unable to route.
    pub const UNABLE_TO_ROUTE: EnhancedCode = EnhancedCode::new(Class::Permanent, 4, 4);
    /// `4.4.5` Mail system congestion.
    pub const CONGESTION: EnhancedCode = EnhancedCode::new(Class::PersistentTransient, 4, 5);
    /// `4.4.6` Routing loop detected.
    pub const ROUTING_LOOP: EnhancedCode = EnhancedCode::new(Class::PersistentTransient, 4, 6);
    /// `4.4.7` Delivery time expired.
    pub const DELIVERY_EXPIRED: EnhancedCode = EnhancedCode::new(Class::PersistentTransient, 4, 7);
    /// `5.5.1` Invalid command (out of sequence or unsupported).
    pub const INVALID_COMMAND: EnhancedCode = EnhancedCode::new(Class::Permanent, 5, 1);
    /// `5.5.2` Syntax error.
    pub const SYNTAX_ERROR: EnhancedCode = EnhancedCode::new(Class::Permanent, 5, 2);
    /// `4.5.3` Too many recipients (the client should send the rest in
    /// another transaction).
    pub const TOO_MANY_RECIPIENTS: EnhancedCode = EnhancedCode::new(Class::PersistentTransient, 5, 3);
    /// `5.5.4` Invalid command arguments.
    pub const INVALID_ARGUMENTS: EnhancedCode = EnhancedCode::new(Class::Permanent, 5, 4);
    /// `5.5.6` Authentication exchange line is too long (RFC 4954).
    pub const AUTH_LINE_TOO_LONG: EnhancedCode = EnhancedCode::new(Class::Permanent, 5, 6);
    /// `5.6.1` Media not supported.
    pub const MEDIA_NOT_SUPPORTED: EnhancedCode = EnhancedCode::new(Class::Permanent, 6, 1);
    /// `5.6.3` Conversion required but not supported (e.g. 8-bit to 7-bit).
    pub const CONVERSION_NOT_SUPPORTED: EnhancedCode = EnhancedCode::new(Class::Permanent, 6, 3);
    /// `5.6.7` Non-ASCII addresses not permitted for that sender/recipient (RFC 6531).
    pub const NON_ASCII_NOT_PERMITTED: EnhancedCode = EnhancedCode::new(Class::Permanent, 6, 7);
    /// `5.7.0` Other or undefined security status: "Authentication required"
    /// (RFC 4954).
    pub const SECURITY_FAILURE: EnhancedCode = EnhancedCode::new(Class::Permanent, 7, 0);
    /// `4.7.0` Other security status, transient: "Temporary authentication
    /// failure" (RFC 4954), "TLS not available".
    pub const TEMPORARY_SECURITY_FAILURE: EnhancedCode = EnhancedCode::new(Class::PersistentTransient, 7, 0);
    /// `5.7.1` Delivery not authorized, message refused (relaying denied,
    /// policy rejections).
    pub const NOT_AUTHORIZED: EnhancedCode = EnhancedCode::new(Class::Permanent, 7, 1);
    /// `5.7.8` Authentication credentials invalid (RFC 4954).
    pub const AUTH_CREDENTIALS_INVALID: EnhancedCode = EnhancedCode::new(Class::Permanent, 7, 8);
    /// `5.7.9` Authentication mechanism is too weak (RFC 4954).
    pub const AUTH_MECHANISM_TOO_WEAK: EnhancedCode = EnhancedCode::new(Class::Permanent, 7, 9);
    /// `5.7.10` Encryption needed (RFC 5248).
    pub const ENCRYPTION_NEEDED: EnhancedCode = EnhancedCode::new(Class::Permanent, 7, 10);
    /// `5.7.11` Encryption required for requested authentication mechanism (RFC 4954).
    pub const ENCRYPTION_REQUIRED: EnhancedCode = EnhancedCode::new(Class::Permanent, 7, 11);
    /// `4.7.12` A password transition is needed (RFC 4954).
    pub const PASSWORD_TRANSITION: EnhancedCode = EnhancedCode::new(Class::PersistentTransient, 7, 12);
    /// `5.7.13` User account disabled (RFC 5248).
    pub const ACCOUNT_DISABLED: EnhancedCode = EnhancedCode::new(Class::Permanent, 7, 13);
    /// `5.7.23` SPF validation failed (RFC 7372).
    pub const SPF_FAILED: EnhancedCode = EnhancedCode::new(Class::Permanent, 7, 23);
    /// `5.7.26` Multiple authentication checks failed (RFC 7372).
    pub const AUTHENTICATION_CHECKS_FAILED: EnhancedCode = EnhancedCode::new(Class::Permanent, 7, 26);
    /// `5.7.27` Sender address has null MX (RFC 7505).
    pub const SENDER_NULL_MX: EnhancedCode = EnhancedCode::new(Class::Permanent, 7, 27);
    /// `5.7.30` REQUIRETLS support required (RFC 8689).
    pub const REQUIRETLS_REQUIRED: EnhancedCode = EnhancedCode::new(Class::Permanent, 7, 30);

    /// Parses a whole string as a code (`"5.1.1"`). Each number may have one
    /// to three digits (RFC 3463 `1*3digit`); leading zeros, which the RFC
    /// forbids senders to write, are accepted.
    pub fn parse(s: &str) -> Result<EnhancedCode, EnhancedCodeError> {
        let bytes = s.as_bytes();
        let (code, end) = scan(bytes)?;
        if end != bytes.len() {
            return Err(EnhancedCodeError::TrailingData { position: end });
        }
        Ok(code)
    }

    /// Reads a code at the start of a reply line's text (`"5.1.1 User
    /// unknown"`), as RFC 2034 servers write it. The code must be followed by
    /// a space or tab, which is consumed too, or by the end of the text (a
    /// reply that is only `250 2.0.0`). Returns the code and how many bytes it
    /// used, or `None` when the text does not start with a code (`"2.0 ok"`,
    /// `"1.2.3.4"`, `"5.1.1x"`).
    pub fn parse_prefix(text: &[u8]) -> Option<(EnhancedCode, usize)> {
        let (code, end) = scan(text).ok()?;
        match text.get(end) {
            None => Some((code, end)),
            Some(b' ' | b'\t') => Some((code, end + 1)),
            Some(_) => None,
        }
    }

    /// True for `2.X.X`.
    pub const fn is_success(self) -> bool {
        matches!(self.class, Class::Success)
    }

    /// True for `4.X.X`: a persistent transient failure, worth retrying.
    pub const fn is_transient(self) -> bool {
        matches!(self.class, Class::PersistentTransient)
    }

    /// True for `5.X.X`: a permanent failure.
    pub const fn is_permanent(self) -> bool {
        matches!(self.class, Class::Permanent)
    }

    /// True for `4.X.X` and `5.X.X`.
    pub const fn is_failure(self) -> bool {
        !self.is_success()
    }

    /// The subject's category: addressing, mailbox, mail system, network,
    /// protocol, content or security.
    pub const fn subject_category(self) -> Subject {
        Subject::from_code(self.subject)
    }

    /// True when the code is `X.subject.detail` in any class
    /// (`code.is(1, 1)` for "user unknown", be it 4.1.1 or 5.1.1).
    pub const fn is(self, subject: u16, detail: u16) -> bool {
        self.subject == subject && self.detail == detail
    }

    /// True when subject and detail equal `other`'s, whatever the classes.
    pub const fn same_condition(self, other: EnhancedCode) -> bool {
        self.is(other.subject, other.detail)
    }

    /// True for `X.1.X`, addressing status.
    pub const fn is_addressing(self) -> bool {
        self.subject == 1
    }

    /// True for `X.2.X`, mailbox status.
    pub const fn is_mailbox(self) -> bool {
        self.subject == 2
    }

    /// True for `X.3.X`, mail system status.
    pub const fn is_mail_system(self) -> bool {
        self.subject == 3
    }

    /// True for `X.4.X`, network and routing status.
    pub const fn is_network(self) -> bool {
        self.subject == 4
    }

    /// True for `X.5.X`, mail delivery protocol status.
    pub const fn is_protocol(self) -> bool {
        self.subject == 5
    }

    /// True for `X.6.X`, message content or media status.
    pub const fn is_content(self) -> bool {
        self.subject == 6
    }

    /// True for `X.7.X`, security or policy status.
    pub const fn is_security(self) -> bool {
        self.subject == 7
    }

    /// The registry's title for `X.subject.detail` ("Bad destination mailbox
    /// address" for 5.1.1 and 4.1.1 alike), or `None` for an unregistered code.
    pub fn description(self) -> Option<&'static str> {
        self.registry_entry().map(|e| e.title)
    }

    /// The registry's summary of the subject ("Addressing Status" for X.1.X),
    /// or `None` for an unregistered subject.
    pub const fn subject_description(self) -> Option<&'static str> {
        self.subject_category().description()
    }

    /// The registry's summary of the class ("Permanent Failure" for 5.X.X).
    pub const fn class_description(self) -> &'static str {
        self.class.description()
    }

    /// The registry entry for `X.subject.detail`, if it is registered.
    pub fn registry_entry(self) -> Option<&'static RegistryEntry> {
        registry_entry(self.subject, self.detail)
    }

    /// Writes the code (`5.1.10`) into `out`, without allocating.
    pub fn write(self, out: &mut Vec<u8>) {
        out.push(b'0' + self.class.digit());
        out.push(b'.');
        push_number(out, self.subject);
        out.push(b'.');
        push_number(out, self.detail);
    }
}

/// Appends a number of at most three digits (larger ones are written in full).
fn push_number(out: &mut Vec<u8>, n: u16) {
    if n >= 1000 {
        out.extend_from_slice(n.to_string().as_bytes());
    } else if n >= 100 {
        out.extend_from_slice(&[b'0' + (n / 100) as u8, b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8]);
    } else if n >= 10 {
        out.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]);
    } else {
        out.push(b'0' + n as u8);
    }
}

/// Scans `class.subject.detail` at the start of `bytes`; returns the code and
/// the index just after it.
fn scan(bytes: &[u8]) -> Result<(EnhancedCode, usize), EnhancedCodeError> {
    let class = match bytes.first() {
        Some(&d @ b'0'..=b'9') => match Class::from_digit(d - b'0') {
            Some(class) => class,
            None => return Err(EnhancedCodeError::InvalidClass { found: Some(d) }),
        },
        other => return Err(EnhancedCodeError::InvalidClass { found: other.copied() }),
    };
    if bytes.get(1) != Some(&b'.') {
        return Err(EnhancedCodeError::InvalidSubject { position: 1 });
    }
    let (subject, end) = scan_number(bytes, 2).ok_or(EnhancedCodeError::InvalidSubject { position: 2 })?;
    if bytes.get(end) != Some(&b'.') {
        return Err(EnhancedCodeError::InvalidSubject { position: end });
    }
    let (detail, end) =
        scan_number(bytes, end + 1).ok_or(EnhancedCodeError::InvalidDetail { position: end + 1 })?;
    if matches!(bytes.get(end), Some(b'0'..=b'9' | b'.')) {
        // A fourth digit, or a fourth part ("1.2.3.4"): not a status code.
        return Err(EnhancedCodeError::InvalidDetail { position: end });
    }
    Ok((EnhancedCode { class, subject, detail }, end))
}

/// One to three digits at `start`; the value and the index after them.
fn scan_number(bytes: &[u8], start: usize) -> Option<(u16, usize)> {
    let mut value = 0u16;
    let mut i = start;
    while let Some(&d @ b'0'..=b'9') = bytes.get(i) {
        if i - start == 3 {
            return None;
        }
        value = value * 10 + u16::from(d - b'0');
        i += 1;
    }
    (i > start).then_some((value, i))
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class.digit(), self.subject, self.detail)
    }
}

impl FromStr for EnhancedCode {
    type Err = EnhancedCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EnhancedCode::parse(s)
    }
}

/// Why a string is not an enhanced status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnhancedCodeError {
    /// The first character is not the class digit 2, 4 or 5.
    InvalidClass {
        /// The byte found instead, or `None` for empty input.
        found: Option<u8>,
    },
    /// No `.` and one to three digits of subject where expected.
    InvalidSubject {
        /// Byte offset of the problem.
        position: usize,
    },
    /// No `.` and one to three digits of detail where expected, or a fourth
    /// digit or part after them.
    InvalidDetail {
        /// Byte offset of the problem.
        position: usize,
    },
    /// A valid code followed by more text.
    TrailingData {
        /// Byte offset where the code ended.
        position: usize,
    },
}

impl fmt::Display for EnhancedCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            EnhancedCodeError::InvalidClass { found: None } => {
                f.write_str("empty enhanced status code: expected class.subject.detail, e.g. 5.1.1")
            }
            EnhancedCodeError::InvalidClass { found: Some(b) } => write!(
                f,
                "enhanced status code must start with the class 2, 4 or 5, found {:?}",
                char::from(b).escape_default().to_string()
            ),
            EnhancedCodeError::InvalidSubject { position } => write!(
                f,
                "enhanced status code: expected \".\" and a subject of 1 to 3 digits at byte {position}"
            ),
            EnhancedCodeError::InvalidDetail { position } => write!(
                f,
                "enhanced status code: expected a detail of 1 to 3 digits ending the code at byte {position}"
            ),
            EnhancedCodeError::TrailingData { position } => {
                write!(f, "enhanced status code followed by unexpected text at byte {position}")
            }
        }
    }
}

impl std::error::Error for EnhancedCodeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_and_unique() {
        for pair in REGISTRY.windows(2) {
            assert!((pair[0].subject, pair[0].detail) < (pair[1].subject, pair[1].detail), "{pair:?}");
        }
        assert!(REGISTRY.iter().all(|e| registry_entry(e.subject, e.detail) == Some(e)));
    }

    #[test]
    fn parse_and_print() {
        for s in ["2.0.0", "5.1.1", "4.7.12", "5.1.10", "2.999.999"] {
            assert_eq!(EnhancedCode::parse(s).unwrap().to_string(), s);
            let mut out = Vec::new();
            EnhancedCode::parse(s).unwrap().write(&mut out);
            assert_eq!(out, s.as_bytes());
        }
        assert_eq!(EnhancedCode::parse("5.01.001").unwrap(), EnhancedCode::BAD_DESTINATION_MAILBOX);
        for bad in
            ["", "3.1.1", "5", "5.", "5.1", "5.1.", "5..1", "5.1000.1", "5.1.1000", "5.1.1.1", "5.1.1 ", "x"]
        {
            assert!(EnhancedCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn prefix() {
        assert_eq!(
            EnhancedCode::parse_prefix(b"5.1.1 User"),
            Some((EnhancedCode::BAD_DESTINATION_MAILBOX, 6))
        );
        assert_eq!(EnhancedCode::parse_prefix(b"2.0.0"), Some((EnhancedCode::SUCCESS, 5)));
        assert_eq!(EnhancedCode::parse_prefix(b"2.0.0\tok"), Some((EnhancedCode::SUCCESS, 6)));
        assert_eq!(EnhancedCode::parse_prefix(b"2.0.0ok"), None);
        assert_eq!(EnhancedCode::parse_prefix(b"1.2.3.4 x"), None);
        assert_eq!(EnhancedCode::parse_prefix(b"2.0.0.1"), None);
        assert_eq!(EnhancedCode::parse_prefix(b"mx.example.com"), None);
    }

    #[test]
    fn meaning() {
        let c = EnhancedCode::MAILBOX_FULL.with_class(Class::Permanent);
        assert_eq!(c.to_string(), "5.2.2");
        assert!(c.is_permanent() && c.is_mailbox() && c.same_condition(EnhancedCode::MAILBOX_FULL));
        assert_eq!(c.description(), Some("Mailbox full"));
        assert_eq!(c.class_description(), "Permanent Failure");
        assert_eq!(EnhancedCode::new(Class::Success, 9, 1).subject_category(), Subject::Unregistered(9));
        assert_eq!(EnhancedCode::new(Class::Success, 9, 1).description(), None);
        assert_eq!(EnhancedCode::new(Class::Permanent, 1, 99).description(), None);
        assert_eq!(
            EnhancedCode::new(Class::Permanent, 1, 99).subject_description(),
            Some("Addressing Status")
        );
    }
}
