//! The ENVELOPE fetch item (RFC 9051 §7.5.2): a message's main header
//! fields, parsed by the server.

use crate::encode::Writer;
use crate::lex::{Cursor, PResult};
use crate::string::Str;

use super::value::{list_next, skip_sp, sp};

/// `envelope`: the header fields a client shows in a message list.
///
/// Strings are the raw header values (encoded words such as
/// `=?utf-8?q?…?=` are not decoded); `None` is `NIL` (the field is
/// absent). An empty address list is written as `NIL`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Envelope {
    /// `Date:`.
    pub date: Option<Str>,
    /// `Subject:`.
    pub subject: Option<Str>,
    /// `From:`.
    pub from: Vec<Address>,
    /// `Sender:` (servers fill in From when it is absent).
    pub sender: Vec<Address>,
    /// `Reply-To:` (servers fill in From when it is absent).
    pub reply_to: Vec<Address>,
    /// `To:`.
    pub to: Vec<Address>,
    /// `Cc:`.
    pub cc: Vec<Address>,
    /// `Bcc:`.
    pub bcc: Vec<Address>,
    /// `In-Reply-To:`.
    pub in_reply_to: Option<Str>,
    /// `Message-ID:`.
    pub message_id: Option<Str>,
}

/// `address`: one mailbox of an address list, or a group marker.
///
/// RFC 5322 group syntax (`team: a@x, b@y;`) is a start marker (`host`
/// NIL, `mailbox` the group's name), the members, and an end marker
/// (`host` and `mailbox` NIL).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Address {
    /// The display name (the phrase, unquoted).
    pub name: Option<Str>,
    /// The source route (obsolete; almost always NIL).
    pub adl: Option<Str>,
    /// The local part, or the group name in a group start marker.
    pub mailbox: Option<Str>,
    /// The domain; NIL in group markers.
    pub host: Option<Str>,
}

impl Address {
    /// Whether this is a group start (`mailbox` is the group's name) or
    /// end marker rather than a mailbox.
    pub fn is_group_marker(&self) -> bool {
        self.host.is_none()
    }

    /// `mailbox@host`, when both are there.
    pub fn email(&self) -> Option<String> {
        match (&self.mailbox, &self.host) {
            (Some(m), Some(h)) => Some(format!("{}@{}", m.to_string_lossy(), h.to_string_lossy())),
            _ => None,
        }
    }

    fn parse(c: &mut Cursor<'_>) -> PResult<Address> {
        const RULE: &str = "address";
        c.expect(b'(', RULE, "'('")?;
        skip_sp(c);
        let name = c.nstring("addr-name")?;
        sp(c, RULE)?;
        let adl = c.nstring("addr-adl")?;
        sp(c, RULE)?;
        let mailbox = c.nstring("addr-mailbox")?;
        sp(c, RULE)?;
        let host = c.nstring("addr-host")?;
        skip_sp(c);
        c.expect(b')', RULE, "')'")?;
        Ok(Address { name, adl, mailbox, host })
    }

    fn encode(&self, w: &mut Writer) {
        w.byte(b'(');
        w.nstring(self.name.as_ref()).sp();
        w.nstring(self.adl.as_ref()).sp();
        w.nstring(self.mailbox.as_ref()).sp();
        w.nstring(self.host.as_ref()).byte(b')');
    }
}

/// `"(" 1*address ")" / nil`; `()` is tolerated as empty.
fn parse_addresses(c: &mut Cursor<'_>, rule: &'static str) -> PResult<Vec<Address>> {
    let mut out = Vec::new();
    if c.nil() {
        return Ok(out);
    }
    c.expect(b'(', rule, "'(' or NIL")?;
    skip_sp(c);
    while !c.eat(b')') {
        let a = Address::parse(c)?;
        c.push(&mut out, a, rule)?;
        skip_sp(c);
    }
    Ok(out)
}

fn encode_addresses(list: &[Address], w: &mut Writer) {
    if list.is_empty() {
        w.raw(b"NIL");
        return;
    }
    w.byte(b'(');
    for a in list {
        a.encode(w);
    }
    w.byte(b')');
}

impl Envelope {
    /// `envelope`, at the `(`.
    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<Envelope> {
        const RULE: &str = "envelope";
        c.expect(b'(', RULE, "'('")?;
        skip_sp(c);
        let date = c.nstring("env-date")?;
        sp(c, RULE)?;
        let subject = c.nstring("env-subject")?;
        sp(c, RULE)?;
        let from = parse_addresses(c, "env-from")?;
        sp(c, RULE)?;
        let sender = parse_addresses(c, "env-sender")?;
        sp(c, RULE)?;
        let reply_to = parse_addresses(c, "env-reply-to")?;
        sp(c, RULE)?;
        let to = parse_addresses(c, "env-to")?;
        sp(c, RULE)?;
        let cc = parse_addresses(c, "env-cc")?;
        sp(c, RULE)?;
        let bcc = parse_addresses(c, "env-bcc")?;
        sp(c, RULE)?;
        let in_reply_to = c.nstring("env-in-reply-to")?;
        sp(c, RULE)?;
        let message_id = c.nstring("env-message-id")?;
        if list_next(c, RULE)? {
            return Err(c.expected(RULE, "')'"));
        }
        Ok(Envelope { date, subject, from, sender, reply_to, to, cc, bcc, in_reply_to, message_id })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.byte(b'(');
        w.nstring(self.date.as_ref()).sp();
        w.nstring(self.subject.as_ref()).sp();
        for list in [&self.from, &self.sender, &self.reply_to, &self.to, &self.cc, &self.bcc] {
            encode_addresses(list, w);
            w.sp();
        }
        w.nstring(self.in_reply_to.as_ref()).sp();
        w.nstring(self.message_id.as_ref()).byte(b')');
    }
}
