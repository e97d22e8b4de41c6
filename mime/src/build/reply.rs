//! Replies and forwards built from a parsed message: recipients, subject
//! prefix, the References chain (RFC 5322 §3.6.4), a quoted body.

use std::borrow::Cow;

use super::{MessageBuilder, PartBuilder};
use crate::address::{Address, Mailbox};
use crate::message::{Message, PartBody};

/// How to answer a message ([`MessageBuilder::reply`]).
#[derive(Debug, Clone, Default)]
pub struct ReplyOptions<'o> {
    /// Reply to everyone: the original's To and Cc become Cc.
    pub all: bool,
    /// The replier's own addresses, never made recipients.
    pub me: Vec<&'o str>,
    /// Quote the original text under an attribution line
    /// (`On <date>, <author> wrote:`).
    pub quote: bool,
}

impl MessageBuilder<'static> {
    /// A reply to `original` whose text is `answer` (followed by the quoted
    /// original when `options.quote`): To is the original's Reply-To, or
    /// else its From; Subject gets `Re: ` unless it has it; In-Reply-To is
    /// the original's Message-ID and References its References (or
    /// In-Reply-To) followed by that id. Set From, Date and Message-ID as
    /// for any message.
    ///
    /// ```
    /// use mailwire_mime::Message;
    /// use mailwire_mime::build::{MessageBuilder, ReplyOptions};
    ///
    /// let original = Message::parse(b"From: Ann <ann@example.com>\r\nTo: bob@example.com, cy@example.com\r\n\
    ///     Subject: Lunch?\r\nMessage-ID: <2@example.com>\r\nReferences: <1@example.com>\r\n\r\nNoon?\r\n");
    /// let options = ReplyOptions { all: true, me: vec!["bob@example.com"], quote: true };
    /// let reply = MessageBuilder::reply(&original, &options, "Yes!").from("bob@example.com").to_vec()?;
    ///
    /// let reply = Message::parse(&reply);
    /// assert_eq!(reply.subject().as_deref(), Some("Re: Lunch?"));
    /// assert_eq!(reply.headers().references(), ["1@example.com", "2@example.com"]);
    /// assert_eq!(reply.headers().get_raw("Cc"), Some(&b" cy@example.com"[..]));
    /// assert!(reply.text_body(0).unwrap().contains("Ann wrote:\r\n> Noon?"));
    /// # Ok::<(), mailwire_mime::build::BuildError>(())
    /// ```
    pub fn reply(original: &Message<'_>, options: &ReplyOptions<'_>, answer: &str) -> Self {
        let h = original.headers();
        let is_me = |m: &Mailbox<'_>| {
            m.address.as_deref().is_some_and(|a| options.me.iter().any(|me| me.eq_ignore_ascii_case(a)))
        };
        let reply_to = h.reply_to();
        let mut to = if reply_to.is_empty() { mailboxes(&h.from()) } else { mailboxes(&reply_to) };
        if to.iter().all(is_me) {
            // Answering one's own message: the same recipients again.
            to = mailboxes(&h.to());
        }
        let mut b = MessageBuilder::new();
        let mut seen: Vec<String> = Vec::new();
        for m in to {
            seen.push(m.address.as_deref().unwrap_or("").to_ascii_lowercase());
            b = b.to(m);
        }
        if options.all {
            for m in mailboxes(&h.to()).into_iter().chain(mailboxes(&h.cc())) {
                let key = m.address.as_deref().unwrap_or("").to_ascii_lowercase();
                if !is_me(&m) && !seen.contains(&key) {
                    seen.push(key);
                    b = b.cc(m);
                }
            }
        }
        b = b.subject(prefixed("Re:", original.subject().as_deref().unwrap_or("")));
        let mut refs = h.references();
        if refs.is_empty() {
            refs = h.in_reply_to().into_iter().take(1).collect();
        }
        if let Some(id) = original.message_id() {
            b = b.in_reply_to(id.to_string());
            refs.push(id);
        }
        for r in refs {
            b = b.references(r.into_owned());
        }
        let mut text = answer.to_string();
        if options.quote {
            text.push_str("\n\n");
            text.push_str(&quote(original));
        }
        b.text(text)
    }

    /// A forward of `original` with `note` as its text: the original is
    /// attached whole (`message/rfc822`, every byte kept) when
    /// `as_attachment`, otherwise its text follows a "Forwarded message"
    /// block and its attachments are attached again. Subject gets `Fwd: `.
    pub fn forward(original: &Message<'_>, note: &str, as_attachment: bool) -> Self {
        let subject = original.subject().unwrap_or_default();
        let b = MessageBuilder::new().subject(prefixed("Fwd:", &subject));
        if as_attachment {
            return b.text(note.to_string()).attach(PartBuilder::message(original.input().to_vec()));
        }
        let h = original.headers();
        let mut text = format!("{note}\n\n---------- Forwarded message ----------\n");
        let date =
            h.get_raw("Date").map(|d| String::from_utf8_lossy(&crate::header::unfold(d)).trim().to_string());
        let fields = [
            ("From", h.get("From").map(|f| f.text().into_owned())),
            ("Date", date),
            ("Subject", Some(subject.to_string())),
            ("To", h.get("To").map(|f| f.text().into_owned())),
            ("Cc", h.get("Cc").map(|f| f.text().into_owned())),
        ];
        for (label, value) in fields {
            if let Some(v) = value {
                text.push_str(&format!("{label}: {}\n", v.trim()));
            }
        }
        text.push('\n');
        text.push_str(&original.text_body(0).unwrap_or_default());
        let mut b = b.text(text);
        for part in original.attachments() {
            if matches!(part.body(), PartBody::Multipart { .. }) {
                continue;
            }
            let mut p = PartBuilder::binary(part.content_type().mime_type(), part.decoded().into_owned());
            if let Some(name) = part.filename() {
                p = p.attachment(name.into_owned());
            }
            b = b.attach(p);
        }
        b
    }
}

/// `prefix subject`, unless the subject already starts with `prefix`.
fn prefixed(prefix: &str, subject: &str) -> String {
    let s = subject.trim();
    if s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix) {
        s.to_string()
    } else {
        format!("{prefix} {s}")
    }
}

/// The original's first text body under `On <date>, <author> wrote:`, each
/// line prefixed with `> ` (`>` before an empty or already quoted line).
pub fn quote(original: &Message<'_>) -> String {
    let from = original.from();
    let author = Address::flatten(&from)
        .next()
        .and_then(|(_, m)| m.name.as_deref().or(m.address.as_deref()).map(str::to_string))
        .unwrap_or_else(|| "someone".to_string());
    let mut out = match original.date() {
        Some(d) => format!("On {}, {author} wrote:\n", d.to_rfc5322()),
        None => format!("{author} wrote:\n"),
    };
    let body = original.text_body(0).unwrap_or_default();
    for line in body.trim_end().lines() {
        out.push_str(if line.is_empty() || line.starts_with('>') { ">" } else { "> " });
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn mailboxes(list: &[Address<'_>]) -> Vec<Mailbox<'static>> {
    Address::flatten(list)
        .filter(|(_, m)| m.address.is_some())
        .map(|(_, m)| Mailbox {
            name: m.name.as_deref().map(|n| Cow::Owned(n.to_string())),
            address: m.address.as_deref().map(|a| Cow::Owned(a.to_string())),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL: &[u8] = b"From: Ann <ann@example.com>\r\nTo: bob@example.com\r\nCc: cy@example.com\r\n\
Reply-To: list@example.com\r\nDate: Tue, 1 Dec 2026 08:00:00 +0100\r\nSubject: Re: Plan\r\n\
Message-ID: <3@example.com>\r\nIn-Reply-To: <2@example.com>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nLine one\r\n\r\n> older\r\n\
--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=plan.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n--b--\r\n";

    #[test]
    fn reply_goes_to_reply_to_keeps_the_prefix_and_chains_references() {
        let original = Message::parse(ORIGINAL);
        let bytes = MessageBuilder::reply(&original, &ReplyOptions::default(), "ok").from("bob@example.com");
        let reply_bytes = bytes.to_vec().unwrap();
        let reply = Message::parse(&reply_bytes);
        assert_eq!(reply.headers().get_raw("To"), Some(&b" list@example.com"[..]));
        assert!(reply.headers().get("Cc").is_none(), "not reply-all");
        assert_eq!(reply.subject().as_deref(), Some("Re: Plan"), "no second Re:");
        assert_eq!(reply.headers().in_reply_to(), ["3@example.com"]);
        assert_eq!(reply.headers().references(), ["2@example.com", "3@example.com"]);
        assert_eq!(reply.text_body(0).as_deref(), Some("ok"));
    }

    #[test]
    fn quote_prefixes_every_line_under_an_attribution() {
        let original = Message::parse(ORIGINAL);
        assert_eq!(
            quote(&original),
            "On Tue, 1 Dec 2026 08:00:00 +0100, Ann wrote:\n> Line one\n>\n>> older\n"
        );
    }

    #[test]
    fn forward_attaches_the_original_whole_or_inlines_it_with_its_attachments() {
        let original = Message::parse(ORIGINAL);
        let whole = MessageBuilder::forward(&original, "FYI", true).from("bob@example.com").to_vec().unwrap();
        let whole = Message::parse(&whole);
        assert_eq!(whole.subject().as_deref(), Some("Fwd: Re: Plan"));
        let attached = whole.attachments().find(|p| p.content_type().is("message", "rfc822")).unwrap();
        assert_eq!(attached.raw_body(), ORIGINAL, "every byte of the original kept");

        let inline =
            MessageBuilder::forward(&original, "FYI", false).from("bob@example.com").to_vec().unwrap();
        let inline = Message::parse(&inline);
        let text = inline.text_body(0).unwrap();
        assert!(
            text.starts_with(
                "FYI\r\n\r\n---------- Forwarded message ----------\r\nFrom: Ann <ann@example.com>\r\n"
            ),
            "{text:?}"
        );
        assert!(text.ends_with("\r\n\r\nLine one\r\n\r\n> older"), "{text:?}");
        let pdf = inline.attachments().next().unwrap();
        assert_eq!((pdf.filename().as_deref(), &*pdf.decoded()), (Some("plan.pdf"), &b"%PDF"[..]));
    }
}
