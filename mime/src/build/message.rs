//! [`MessageBuilder`]: the header of a message and the everyday body shape
//! (text, AMP and HTML alternatives, inline images, attachments).

use std::borrow::Cow;
use std::io::Write;

use super::BuildError;
use super::header::{self, FieldWriter};
use super::part::{self, PartBuilder, Render};
use crate::address::{Address, Mailbox, parse_address_list};
use crate::date::DateTime;

/// The line break written between lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineEnding {
    /// `\r\n`, what SMTP and every RFC require (the default).
    #[default]
    Crlf,
    /// `\n`, for local mailboxes and tools that expect it.
    Lf,
}

impl LineEnding {
    fn bytes(self) -> &'static [u8] {
        match self {
            LineEnding::Crlf => b"\r\n",
            LineEnding::Lf => b"\n",
        }
    }
}

/// An address as given to the builder: text to parse (`"Ann <ann@example.com>"`,
/// also several separated by commas) or an already split mailbox or group.
#[derive(Debug, Clone)]
pub enum AddressInput<'a> {
    /// Text in RFC 5322 form.
    Text(Cow<'a, str>),
    /// A mailbox or group.
    Address(Address<'a>),
}

impl<'a> From<&'a str> for AddressInput<'a> {
    fn from(s: &'a str) -> Self {
        AddressInput::Text(Cow::Borrowed(s))
    }
}

impl From<String> for AddressInput<'_> {
    fn from(s: String) -> Self {
        AddressInput::Text(Cow::Owned(s))
    }
}

impl<'a> From<&'a String> for AddressInput<'a> {
    fn from(s: &'a String) -> Self {
        AddressInput::Text(Cow::Borrowed(s))
    }
}

/// `(display name, address)`.
impl<'a> From<(&'a str, &'a str)> for AddressInput<'a> {
    fn from((name, address): (&'a str, &'a str)) -> Self {
        AddressInput::Address(Address::Mailbox(Mailbox {
            name: Some(Cow::Borrowed(name)),
            address: Some(Cow::Borrowed(address)),
        }))
    }
}

impl<'a> From<Address<'a>> for AddressInput<'a> {
    fn from(a: Address<'a>) -> Self {
        AddressInput::Address(a)
    }
}

impl<'a> From<Mailbox<'a>> for AddressInput<'a> {
    fn from(m: Mailbox<'a>) -> Self {
        AddressInput::Address(Address::Mailbox(m))
    }
}

/// Builds a message: header fields from typed values, and the body from
/// text, HTML, AMP, inline images and attachments, or from any tree of
/// [`PartBuilder`]s.
///
/// The body shape is the one every client renders:
///
/// ```text
/// multipart/mixed                    (when there are attachments)
/// ├── multipart/alternative          (when there is more than one of text, AMP, HTML)
/// │   ├── text/plain
/// │   ├── text/x-amp-html            (AMP before HTML, never last)
/// │   └── multipart/related          (when there are inline images)
/// │       ├── text/html
/// │       └── image/png; Content-ID: <logo>
/// └── application/pdf; attachment
/// ```
///
/// Nothing is read from a clock or a random source: give the Date and the
/// Message-ID (see [`generate_message_id`]), or leave them for the
/// submission server to add. `Bcc` recipients are kept for the SMTP
/// envelope ([`MessageBuilder::recipients`]) and never written.
///
/// ```
/// use mailwire_mime::build::MessageBuilder;
/// use mailwire_mime::{DateTime, Message};
///
/// let bytes = MessageBuilder::new()
///     .from(("Jörg Müller", "joerg@example.de"))
///     .to("Ann <ann@example.com>")
///     .bcc("audit@example.de")
///     .subject("Grüße")
///     .date(DateTime::from_parts(2026, 12, 1, 9, 30, 0, 60).unwrap())
///     .message_id("<1@example.de>")
///     .text("Hallo Ann,\nbis morgen.")
///     .html("<p>Hallo Ann,</p><p>bis morgen.</p>")
///     .attachment("text/csv", "zahlen.csv", &b"a,b\n1,2\n"[..])
///     .to_vec()?;
///
/// let msg = Message::parse(&bytes);
/// assert_eq!(msg.subject().as_deref(), Some("Grüße"));
/// assert_eq!(msg.text_body(0).as_deref(), Some("Hallo Ann,\r\nbis morgen."));
/// assert!(msg.headers().get("Bcc").is_none());
/// assert_eq!(msg.attachments().next().unwrap().filename().as_deref(), Some("zahlen.csv"));
/// # Ok::<(), mailwire_mime::build::BuildError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MessageBuilder<'a> {
    from: Vec<AddressInput<'a>>,
    sender: Vec<AddressInput<'a>>,
    reply_to: Vec<AddressInput<'a>>,
    to: Vec<AddressInput<'a>>,
    cc: Vec<AddressInput<'a>>,
    bcc: Vec<AddressInput<'a>>,
    subject: Option<Cow<'a, str>>,
    date: Option<DateTime>,
    message_id: Option<Cow<'a, str>>,
    in_reply_to: Vec<Cow<'a, str>>,
    references: Vec<Cow<'a, str>>,
    list_unsubscribe: Vec<Cow<'a, str>>,
    one_click: bool,
    headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    raw_headers: Vec<(Cow<'a, str>, Cow<'a, [u8]>)>,
    text: Option<Cow<'a, str>>,
    html: Option<Cow<'a, str>>,
    amp: Option<Cow<'a, str>>,
    inline: Vec<PartBuilder<'a>>,
    attachments: Vec<PartBuilder<'a>>,
    root: Option<PartBuilder<'a>>,
    line_ending: LineEnding,
    allow_8bit: bool,
    utf8_headers: bool,
    boundary_seed: Option<u64>,
}

impl<'a> MessageBuilder<'a> {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an author (`From`; several are allowed, then set a Sender).
    pub fn from(mut self, addr: impl Into<AddressInput<'a>>) -> Self {
        self.from.push(addr.into());
        self
    }

    /// Sets `Sender`.
    pub fn sender(mut self, addr: impl Into<AddressInput<'a>>) -> Self {
        self.sender = vec![addr.into()];
        self
    }

    /// Adds a `Reply-To` address.
    pub fn reply_to(mut self, addr: impl Into<AddressInput<'a>>) -> Self {
        self.reply_to.push(addr.into());
        self
    }

    /// Adds a `To` recipient (text may hold several, comma-separated).
    pub fn to(mut self, addr: impl Into<AddressInput<'a>>) -> Self {
        self.to.push(addr.into());
        self
    }

    /// Adds a `Cc` recipient.
    pub fn cc(mut self, addr: impl Into<AddressInput<'a>>) -> Self {
        self.cc.push(addr.into());
        self
    }

    /// Adds a blind recipient: part of [`recipients`](Self::recipients),
    /// never written to the message.
    pub fn bcc(mut self, addr: impl Into<AddressInput<'a>>) -> Self {
        self.bcc.push(addr.into());
        self
    }

    /// Sets the Subject (any text; encoded as needed).
    pub fn subject(mut self, subject: impl Into<Cow<'a, str>>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Sets the Date.
    pub fn date(mut self, date: DateTime) -> Self {
        self.date = Some(date);
        self
    }

    /// Sets the Message-ID (`<left@right>`, brackets optional).
    pub fn message_id(mut self, id: impl Into<Cow<'a, str>>) -> Self {
        self.message_id = Some(id.into());
        self
    }

    /// Adds an id to In-Reply-To.
    pub fn in_reply_to(mut self, id: impl Into<Cow<'a, str>>) -> Self {
        self.in_reply_to.push(id.into());
        self
    }

    /// Adds an id to References.
    pub fn references(mut self, id: impl Into<Cow<'a, str>>) -> Self {
        self.references.push(id.into());
        self
    }

    /// Adds a List-Unsubscribe URI (`https:` or `mailto:`, RFC 2369).
    pub fn list_unsubscribe(mut self, uri: impl Into<Cow<'a, str>>) -> Self {
        self.list_unsubscribe.push(uri.into());
        self
    }

    /// Announces one-click unsubscription (RFC 8058:
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`), which needs an
    /// `https:` List-Unsubscribe URI. Sign both headers with DKIM.
    pub fn list_unsubscribe_one_click(mut self) -> Self {
        self.one_click = true;
        self
    }

    /// Adds a header field whose value is text, encoded as needed.
    pub fn header(mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds a header field whose value is written exactly as given (already
    /// in wire form, folding included). Refused if it holds a CR or LF that
    /// is not folding, a NUL, or a line past 998 octets.
    pub fn header_raw(mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, [u8]>>) -> Self {
        self.raw_headers.push((name.into(), value.into()));
        self
    }

    /// The plain-text body.
    pub fn text(mut self, text: impl Into<Cow<'a, str>>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// The HTML body.
    pub fn html(mut self, html: impl Into<Cow<'a, str>>) -> Self {
        self.html = Some(html.into());
        self
    }

    /// The AMP for Email body, checked when written
    /// ([`check_amp`](super::amp::check_amp)).
    pub fn amp(mut self, doc: impl Into<Cow<'a, str>>) -> Self {
        self.amp = Some(doc.into());
        self
    }

    /// An inline image (or other part) the HTML refers to as `cid:<cid>`.
    pub fn inline(
        mut self,
        media_type: impl Into<Cow<'a, str>>,
        cid: impl Into<Cow<'a, str>>,
        bytes: impl Into<Cow<'a, [u8]>>,
    ) -> Self {
        self.inline.push(PartBuilder::binary(media_type, bytes).inline().content_id(cid));
        self
    }

    /// An attached file.
    pub fn attachment(
        mut self,
        media_type: impl Into<Cow<'a, str>>,
        filename: impl Into<Cow<'a, str>>,
        bytes: impl Into<Cow<'a, [u8]>>,
    ) -> Self {
        self.attachments.push(PartBuilder::binary(media_type, bytes).attachment(filename));
        self
    }

    /// An attached part of any kind (a message, a tree, …).
    pub fn attach(mut self, part: PartBuilder<'a>) -> Self {
        self.attachments.push(part);
        self
    }

    /// Uses `part` as the whole body instead of text/HTML/AMP/attachments.
    pub fn root(mut self, part: PartBuilder<'a>) -> Self {
        self.root = Some(part);
        self
    }

    /// The line break to write (CRLF by default).
    pub fn line_ending(mut self, eol: LineEnding) -> Self {
        self.line_ending = eol;
        self
    }

    /// Allows `8bit` bodies (the transport announced 8BITMIME); otherwise
    /// every body is 7-bit clean.
    pub fn allow_8bit(mut self, yes: bool) -> Self {
        self.allow_8bit = yes;
        self
    }

    /// Allows UTF-8 in addresses (RFC 6532, for SMTPUTF8 transports).
    pub fn allow_utf8_headers(mut self, yes: bool) -> Self {
        self.utf8_headers = yes;
        self
    }

    /// Seeds the boundary generator. Without a seed boundaries come from a
    /// hash of the header fields, so the same input gives the same bytes.
    pub fn boundary_seed(mut self, seed: u64) -> Self {
        self.boundary_seed = Some(seed);
        self
    }

    /// Every recipient address (To, Cc and Bcc), for the SMTP envelope.
    pub fn recipients(&self) -> Result<Vec<String>, BuildError> {
        let mut out = Vec::new();
        for (field, list) in [("To", &self.to), ("Cc", &self.cc), ("Bcc", &self.bcc)] {
            for input in list {
                for_each_address(field, input, |a| {
                    for m in Address::flatten(std::slice::from_ref(a)).map(|(_, m)| m) {
                        let addr = m.address.as_deref().unwrap_or("");
                        header::addr_spec(addr, self.utf8_headers).map_err(|reason| {
                            BuildError::InvalidAddress { field: field.into(), address: addr.into(), reason }
                        })?;
                        out.push(addr.to_string());
                    }
                    Ok(())
                })?;
            }
        }
        Ok(out)
    }

    /// Writes the message into a new vector.
    pub fn to_vec(&self) -> Result<Vec<u8>, BuildError> {
        let mut out = Vec::with_capacity(self.size_hint());
        self.write_into(&mut out)?;
        Ok(out)
    }

    /// Writes the message to `w`.
    pub fn write_to<W: Write>(&self, mut w: W) -> Result<(), BuildError> {
        w.write_all(&self.to_vec()?)?;
        Ok(())
    }

    /// Appends the message to `out`; on error `out` is left as it was.
    pub fn write_into(&self, out: &mut Vec<u8>) -> Result<(), BuildError> {
        let base = out.len();
        let result = self.write_unchecked(out);
        if result.is_err() {
            out.truncate(base);
        }
        result
    }

    fn write_unchecked(&self, out: &mut Vec<u8>) -> Result<(), BuildError> {
        let eol = self.line_ending.bytes();
        let base = out.len();
        self.write_header(out, eol)?;
        let seed = self.boundary_seed.unwrap_or_else(|| seed_of(&out[base..]));
        let owned;
        let root = match &self.root {
            Some(root) => root,
            None => {
                owned = self.body_tree()?;
                &owned
            }
        };
        part::write_checked(root, &mut Render::new(eol, self.allow_8bit, seed), out, &[])
    }

    fn size_hint(&self) -> usize {
        let recipients = self.to.len() + self.cc.len() + self.from.len() + self.reply_to.len();
        let headers: usize = self.headers.iter().map(|(n, v)| n.len() + v.len() * 2 + 4).sum();
        let texts = [&self.text, &self.html, &self.amp]
            .iter()
            .filter_map(|t| t.as_ref())
            .map(|t| t.len())
            .sum::<usize>();
        let files: usize = self.attachments.iter().chain(&self.inline).map(|p| p.size_hint()).sum();
        1024 + recipients * 64 + headers + texts * 11 / 10 + files
    }

    /// The body tree of text/AMP/HTML, inline parts and attachments.
    fn body_tree(&self) -> Result<PartBuilder<'a>, BuildError> {
        if self.amp.is_some() && self.html.is_none() {
            return Err(BuildError::AmpWithoutHtml);
        }
        let mut alternatives = Vec::new();
        if let Some(t) = &self.text {
            alternatives.push(PartBuilder::text(t.clone()));
        }
        if let Some(a) = &self.amp {
            alternatives.push(PartBuilder::amp(a.clone()));
        }
        let mut mixed = Vec::new();
        if let Some(h) = &self.html {
            let html = PartBuilder::html(h.clone());
            if self.inline.is_empty() {
                alternatives.push(html);
            } else {
                let mut related = vec![html];
                related.extend(self.inline.iter().cloned());
                alternatives.push(PartBuilder::multipart("related", related));
            }
        }
        match alternatives.len() {
            0 => {}
            1 => mixed.extend(alternatives),
            _ => mixed.push(PartBuilder::multipart("alternative", alternatives)),
        }
        if self.html.is_none() {
            mixed.extend(self.inline.iter().cloned());
        }
        mixed.extend(self.attachments.iter().cloned());
        match mixed.len() {
            0 => Err(BuildError::NoBody),
            1 => Ok(mixed.remove(0)),
            _ => Ok(PartBuilder::multipart("mixed", mixed)),
        }
    }

    fn write_header(&self, out: &mut Vec<u8>, eol: &'static [u8]) -> Result<(), BuildError> {
        if let Some(date) = &self.date {
            let mut w = FieldWriter::new(out, eol, "Date");
            w.word(b" ", date.to_rfc5322().as_bytes());
            part::finish(w, "Date")?;
        }
        self.address_field(out, eol, "From", &self.from)?;
        self.address_field(out, eol, "Sender", &self.sender)?;
        self.address_field(out, eol, "Reply-To", &self.reply_to)?;
        self.address_field(out, eol, "To", &self.to)?;
        self.address_field(out, eol, "Cc", &self.cc)?;
        // Bcc: checked like the others, never written.
        self.address_field(&mut Vec::new(), eol, "Bcc", &self.bcc)?;
        if let Some(s) = &self.subject {
            write_text_field(out, eol, "Subject", s)?;
        }
        if let Some(id) = &self.message_id {
            id_field(out, eol, "Message-ID", std::slice::from_ref(id))?;
        }
        id_field(out, eol, "In-Reply-To", &self.in_reply_to)?;
        id_field(out, eol, "References", &self.references)?;
        self.list_unsubscribe_fields(out, eol)?;
        for (name, value) in &self.headers {
            check_not_reserved(name)?;
            write_text_field(out, eol, name, value)?;
        }
        for (name, value) in &self.raw_headers {
            check_not_reserved(name)?;
            write_raw_field(out, eol, name, value)?;
        }
        out.extend_from_slice(b"MIME-Version: 1.0");
        out.extend_from_slice(eol);
        Ok(())
    }

    fn address_field(
        &self,
        out: &mut Vec<u8>,
        eol: &'static [u8],
        field: &str,
        list: &[AddressInput<'_>],
    ) -> Result<(), BuildError> {
        if list.is_empty() {
            return Ok(());
        }
        let mut w = FieldWriter::new(out, eol, field);
        let mut first = true;
        for input in list {
            for_each_address(field, input, |a| {
                if !first {
                    w.glue(b",");
                }
                first = false;
                write_address(&mut w, field, a, self.utf8_headers)
            })?;
        }
        part::finish(w, field)
    }

    fn list_unsubscribe_fields(&self, out: &mut Vec<u8>, eol: &'static [u8]) -> Result<(), BuildError> {
        if self.list_unsubscribe.is_empty() && !self.one_click {
            return Ok(());
        }
        let bad = |reason| BuildError::InvalidHeaderValue { field: "List-Unsubscribe".into(), reason };
        let mut w = FieldWriter::new(out, eol, "List-Unsubscribe");
        for (k, uri) in self.list_unsubscribe.iter().enumerate() {
            if uri.is_empty() || uri.bytes().any(|b| !(33..=126).contains(&b) || b == b'<' || b == b'>') {
                return Err(bad("a URI must be printable ASCII without spaces or angle brackets"));
            }
            if k > 0 {
                w.glue(b",");
            }
            w.word(b" ", format!("<{uri}>").as_bytes());
        }
        part::finish(w, "List-Unsubscribe")?;
        if self.one_click {
            if !self.list_unsubscribe.iter().any(|u| u.len() > 8 && u[..8].eq_ignore_ascii_case("https://")) {
                return Err(bad("one-click unsubscription (RFC 8058) needs an https URI"));
            }
            out.extend_from_slice(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click");
            out.extend_from_slice(eol);
        }
        Ok(())
    }
}

/// Resolves one input to addresses and hands each to `f`.
fn for_each_address(
    field: &str,
    input: &AddressInput<'_>,
    mut f: impl FnMut(&Address<'_>) -> Result<(), BuildError>,
) -> Result<(), BuildError> {
    match input {
        AddressInput::Address(a) => f(a),
        AddressInput::Text(text) => {
            let bad = |reason| BuildError::InvalidAddress {
                field: field.into(),
                address: text.to_string(),
                reason,
            };
            if text.bytes().any(|b| b < 32 && b != b'\t') {
                return Err(bad("line break or control character"));
            }
            let list = parse_address_list(text.as_bytes());
            if list.is_empty() {
                return Err(bad("no address"));
            }
            list.iter().try_for_each(f)
        }
    }
}

fn write_address(
    w: &mut FieldWriter<'_>,
    field: &str,
    a: &Address<'_>,
    utf8: bool,
) -> Result<(), BuildError> {
    let mailbox = |w: &mut FieldWriter<'_>, m: &Mailbox<'_>| -> Result<(), BuildError> {
        let addr = m.address.as_deref().unwrap_or("");
        let spec = header::addr_spec(addr, utf8).map_err(|reason| BuildError::InvalidAddress {
            field: field.into(),
            address: addr.into(),
            reason,
        })?;
        match m.name.as_deref().filter(|n| !n.trim().is_empty()) {
            Some(name) => {
                header::phrase(w, b" ", name.trim());
                w.angle_word(spec.as_bytes());
            }
            None => w.word(b" ", spec.as_bytes()),
        }
        Ok(())
    };
    match a {
        Address::Mailbox(m) => mailbox(w, m),
        Address::Group(g) => {
            let name = g
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or("undisclosed-recipients");
            header::phrase(w, b" ", name);
            w.glue(b":");
            for (k, m) in g.members.iter().enumerate() {
                if k > 0 {
                    w.glue(b",");
                }
                mailbox(w, m)?;
            }
            w.glue(b";");
            Ok(())
        }
    }
}

/// Refuses an extra header that the builder writes itself or never writes.
pub(crate) fn check_not_reserved(name: &str) -> Result<(), BuildError> {
    const RESERVED: [&str; 4] = ["Content-Type", "Content-Transfer-Encoding", "MIME-Version", "Bcc"];
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
        return Err(BuildError::ReservedHeader { name: name.into() });
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), BuildError> {
    if header::valid_name(name) { Ok(()) } else { Err(BuildError::InvalidHeaderName { name: name.into() }) }
}

/// Writes `name: text` with the text encoded as unstructured.
pub(crate) fn write_text_field(
    out: &mut Vec<u8>,
    eol: &'static [u8],
    name: &str,
    text: &str,
) -> Result<(), BuildError> {
    check_name(name)?;
    let mut w = FieldWriter::new(out, eol, name);
    header::unstructured(&mut w, text);
    part::finish(w, name)
}

/// Writes `name: value` with the value as given, after checking that it
/// cannot end the field early: every CR LF (or LF) must be followed by
/// whitespace, and no line may pass 998 octets.
pub(crate) fn write_raw_field(
    out: &mut Vec<u8>,
    eol: &'static [u8],
    name: &str,
    value: &[u8],
) -> Result<(), BuildError> {
    check_name(name)?;
    let bad = |reason| BuildError::InvalidHeaderValue { field: name.into(), reason };
    let mut lines = Vec::new();
    let mut rest = value;
    loop {
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (rest[..i].strip_suffix(b"\r").unwrap_or(&rest[..i]), Some(&rest[i + 1..])),
            None => (rest, None),
        };
        if line.iter().any(|&b| b == b'\r' || b == 0) {
            return Err(bad("bare CR or NUL"));
        }
        if !lines.is_empty() && !line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            return Err(bad("a line break not followed by whitespace would end the field"));
        }
        if line.iter().all(|&b| b == b' ' || b == b'\t') && !lines.is_empty() {
            return Err(bad("a folded line holds only whitespace"));
        }
        lines.push(line);
        match next {
            Some(n) => rest = n,
            None => break,
        }
    }
    if lines.first().map_or(0, |l| l.len() + name.len() + 1) > header::MAX_LINE
        || lines.iter().skip(1).any(|l| l.len() > header::MAX_LINE)
    {
        return Err(bad("a line would pass 998 octets"));
    }
    out.extend_from_slice(name.as_bytes());
    out.push(b':');
    for (k, line) in lines.iter().enumerate() {
        if k > 0 {
            out.extend_from_slice(eol);
        } else if !line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            out.push(b' ');
        }
        out.extend_from_slice(line);
    }
    out.extend_from_slice(eol);
    Ok(())
}

fn id_field(
    out: &mut Vec<u8>,
    eol: &'static [u8],
    field: &str,
    ids: &[Cow<'_, str>],
) -> Result<(), BuildError> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut w = FieldWriter::new(out, eol, field);
    for id in ids {
        let id = header::msg_id(id)
            .ok_or_else(|| BuildError::InvalidId { field: field.into(), id: id.to_string() })?;
        w.word(b" ", id.as_bytes());
    }
    part::finish(w, field)
}

/// A new Message-ID: `<random@domain>`, the random part 26 base32
/// characters from the caller's 16 random bytes (e.g. from `getrandom`).
///
/// ```
/// let id = mailwire_mime::build::generate_message_id("example.com", [7; 16]).unwrap();
/// assert_eq!(id, "<hyboqd4ahyboqd4ahyboqd4aha@example.com>");
/// ```
pub fn generate_message_id(domain: &str, random: [u8; 16]) -> Result<String, BuildError> {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut n = u128::from_be_bytes(random);
    let mut left = String::with_capacity(26);
    for _ in 0..26 {
        left.push(char::from(ALPHABET[(n & 31) as usize]));
        n >>= 5;
    }
    header::msg_id(&format!("{left}@{domain}"))
        .filter(|_| !domain.contains('@'))
        .ok_or_else(|| BuildError::InvalidId { field: "Message-ID".into(), id: format!("{left}@{domain}") })
}

/// A quick hash of the header block (eight bytes at a time) to seed the
/// boundaries; not for security: collisions are checked for anyway.
fn seed_of(bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(8);
    let mut h = bytes.len() as u64;
    for w in &mut words {
        let w = u64::from_le_bytes(<[u8; 8]>::try_from(w).unwrap_or_default());
        h = (h ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    part::splitmix(h)
}
