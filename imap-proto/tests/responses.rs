//! The response codec against the server examples of RFC 3501 and RFC
//! 9051 (§6–§7), the extension RFCs and real servers (Dovecot, Gmail,
//! Exchange, iCloud): each parses, writes back to the same bytes where the
//! example is canonical, and has the typed fields it should. Then
//! malformed, truncated, corrupted and deeply nested input: typed errors,
//! never a panic.

use std::num::NonZeroU32;

use bytes::Bytes;
use mailwire_imap::Limits;
use mailwire_imap::capability::Capability;
use mailwire_imap::encode::Writer;
use mailwire_imap::error::{DecodeError, ErrorKind, ParseError};
use mailwire_imap::flag::{Flag, MailboxAttribute};
use mailwire_imap::mailbox::Mailbox;
use mailwire_imap::response::{
    self, BodyStructure, Code, Continue, Data, ESearchData, ExtValue, FetchItem, Language, ListExtendedItem,
    MetadataCode, MetadataEntries, Response, SingleKind, StatusKind, StatusResponse,
};
use mailwire_imap::section::{Section, SectionText};
use mailwire_imap::status::StatusItem;

fn crlf(line: &str) -> Bytes {
    Bytes::from(format!("{line}\r\n"))
}

fn parse(message: &[u8]) -> Response {
    let b = Bytes::copy_from_slice(message);
    match Response::parse(&b, &Limits::default()) {
        Ok(r) => r,
        Err(e) => panic!("{:?} does not parse: {e}", String::from_utf8_lossy(message)),
    }
}

fn try_parse(message: &[u8]) -> Result<Response, ParseError> {
    Response::parse(&Bytes::copy_from_slice(message), &Limits::default())
}

fn write_utf8(r: &Response) -> Vec<u8> {
    let mut w = Writer::server(true);
    r.encode(&mut w);
    w.finish().into_bytes()
}

/// Parses, checks that the written form parses back equal and is a fixed
/// point, and returns the response and its written bytes.
fn round(message: &[u8]) -> (Response, Vec<u8>) {
    let r = parse(message);
    let bytes = r.to_bytes();
    let back = parse(&bytes);
    assert_eq!(
        back,
        r,
        "{:?} written as {:?}",
        String::from_utf8_lossy(message),
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(back.to_bytes(), bytes, "not a fixed point");
    (r, bytes)
}

/// A canonical response: written back byte for byte.
fn exact(line: &str) -> Response {
    let message = crlf(line);
    let (r, bytes) = round(&message);
    assert_eq!(String::from_utf8_lossy(&bytes), line.to_owned() + "\r\n", "not written back the same");
    r
}

/// A response that is written back in a normalised form.
fn normalized(line: &str, written: &str) -> Response {
    let (r, bytes) = round(&crlf(line));
    assert_eq!(String::from_utf8_lossy(&bytes), written.to_owned() + "\r\n");
    r
}

fn status(r: &Response) -> &StatusResponse {
    match r {
        Response::Status(s) => s,
        other => panic!("not a status response: {other:?}"),
    }
}

fn data(r: &Response) -> &Data {
    match r {
        Response::Data(d) => d,
        other => panic!("not data: {other:?}"),
    }
}

fn fetch(r: &Response) -> (u32, &[FetchItem]) {
    match data(r) {
        Data::Fetch { seq, items } => (seq.get(), items),
        other => panic!("not FETCH: {other:?}"),
    }
}

fn s(v: &Option<mailwire_imap::string::Str>) -> Option<String> {
    v.as_ref().map(|v| v.to_string_lossy().into_owned())
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

// ------------------------------------------------------------ RFC 3501

/// RFC 3501 §6–§7: every one-line server example.
const RFC3501: &[&str] = &[
    "* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI",
    "abcd OK CAPABILITY completed",
    "efgh OK STARTLS completed",
    "* CAPABILITY IMAP4rev1 AUTH=GSSAPI AUTH=PLAIN",
    "ijkl OK CAPABILITY completed",
    "a002 OK NOOP completed",
    "* 22 EXPUNGE",
    "* 23 EXISTS",
    "* 3 RECENT",
    "* 14 FETCH (FLAGS (\\Seen \\Deleted))",
    "a047 OK NOOP completed",
    "* BYE IMAP4rev1 Server logging out",
    "A023 OK LOGOUT completed",
    "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED",
    "a001 OK CAPABILITY completed",
    "a002 OK Begin TLS negotiation now",
    "* CAPABILITY IMAP4rev1 AUTH=PLAIN",
    "a003 OK CAPABILITY completed",
    "a004 OK LOGIN completed",
    "+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMC",
    "+ YDMGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHe",
    "A001 OK GSSAPI authentication successful",
    "* 172 EXISTS",
    "* 1 RECENT",
    "* OK [UNSEEN 12] Message 12 is first unseen",
    "* OK [UIDVALIDITY 3857529045] UIDs valid",
    "* OK [UIDNEXT 4392] Predicted next UID",
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
    "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited",
    "A142 OK [READ-WRITE] SELECT completed",
    "* 17 EXISTS",
    "* 2 RECENT",
    "* OK [UNSEEN 8] Message 8 is first unseen",
    "* OK [PERMANENTFLAGS ()] No permanent flags permitted",
    "A932 OK [READ-ONLY] EXAMINE completed",
    "A003 OK CREATE completed",
    "* LIST () \"/\" blurdybloop",
    "* LIST (\\Noselect) \"/\" foo",
    "* LIST () \"/\" foo/bar",
    "A682 OK LIST completed",
    "A684 NO Name \"foo\" has inferior hierarchical names",
    "A685 OK DELETE Completed",
    "* LIST () \".\" blurdybloop",
    "* LIST () \".\" foo",
    "* LIST () \".\" foo.bar",
    "* LIST (\\Noselect) \".\" foo",
    "* LIST () \"/\" sarasoop",
    "* LIST (\\Noselect) \"/\" zowie",
    "* LIST () \"/\" zowie/bar",
    "* LIST () \".\" INBOX",
    "* LIST () \".\" INBOX.bar",
    "* LIST () \".\" old-mail",
    "Z434 OK LIST completed",
    "A002 OK SUBSCRIBE completed",
    "* LIST (\\Noselect) \"/\" \"\"",
    "* LIST (\\Noselect) \".\" #news.",
    "* LIST (\\Noselect) \"/\" /",
    "* LIST (\\Noselect) \"/\" ~/Mail/foo",
    "* LIST () \"/\" ~/Mail/meetings",
    "* LSUB () \".\" #news.comp.mail.mime",
    "* LSUB () \".\" #news.comp.mail.misc",
    "A002 OK LSUB completed",
    "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)",
    "A042 OK STATUS completed",
    "+ Ready for literal data",
    "A003 OK APPEND completed",
    "FXXZ OK CHECK Completed",
    "* 3 EXPUNGE",
    "* 5 EXPUNGE",
    "* 8 EXPUNGE",
    "* SEARCH 2 84 882",
    "* SEARCH",
    "* SEARCH 43",
    "* 2 FETCH (FLAGS (\\Deleted \\Seen))",
    "* 3 FETCH (FLAGS (\\Deleted))",
    "* 4 FETCH (FLAGS (\\Deleted \\Flagged \\Seen))",
    "* 23 FETCH (FLAGS (\\Seen) UID 4827313)",
    "* 24 FETCH (FLAGS (\\Seen) UID 4827943)",
    "* 25 FETCH (FLAGS (\\Seen) UID 4828442)",
    "* CAPABILITY IMAP4rev1 XPIG-LATIN",
    "* XPIG-LATIN ow-nay eaking-spay ig-pay atin-lay",
    "A442 OK XPIG-LATIN ompleted-cay",
    "* OK [ALERT] System shutdown in 10 minutes",
    "* NO Disk is 98% full, please delete unnecessary data",
    "A223 NO COPY failed: disk is full",
    "* BAD Command line too long",
    "* BAD Empty command line",
    "* BAD Disk crash, attempting salvage to a new disk!",
    "* OK Salvage successful, no data lost",
    "+ Ready for additional command text",
    "A044 BAD No such command as \"BLURDYBLOOP\"",
    "* OK IMAP4rev1 server ready",
    "* PREAUTH IMAP4rev1 server logged in as Smith",
    "* BYE Autologout; idle for too long",
    "* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI XPIG-LATIN",
    "* SEARCH 2 3 6",
    "* 5 RECENT",
    "* 44 EXPUNGE",
    "* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827)",
    "* 18 EXISTS",
    "* OK [UNSEEN 17] Message 17 is the first unseen message",
    "* 12 FETCH (FLAGS (\\Seen \\Deleted))",
    "* BYE IMAP4rev1 server terminating connection",
];

#[test]
fn rfc3501_examples_round_trip_exactly() {
    for line in RFC3501 {
        exact(line);
    }
    // `+` alone, as in the GSSAPI exchange, is written with its space.
    normalized("+", "+ ");
    // The attribute is written in its registered spelling.
    normalized("* LSUB (\\NoSelect) \".\" #news.comp.mail", "* LSUB (\\Noselect) \".\" #news.comp.mail");
}

#[test]
fn rfc3501_typed_fields() {
    let r = exact("* OK [UIDVALIDITY 3857529045] UIDs valid");
    assert_eq!(status(&r).code, Some(Code::UidValidity(3_857_529_045)));
    assert_eq!(status(&r).text.as_bytes(), b"UIDs valid");
    assert!(status(&r).tag.is_none());
    let r = exact("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited");
    assert_eq!(status(&r).code, Some(Code::PermanentFlags(vec![Flag::Deleted, Flag::Seen, Flag::Wildcard])));
    let r = exact("A142 OK [READ-WRITE] SELECT completed");
    assert_eq!(r.tag().map(|t| t.as_str()), Some("A142"));
    assert_eq!(status(&r).code, Some(Code::ReadWrite));
    assert!(status(&r).is_ok());
    let r = exact("A223 NO COPY failed: disk is full");
    assert_eq!(status(&r).kind, StatusKind::No);
    let r = exact("* PREAUTH IMAP4rev1 server logged in as Smith");
    assert_eq!(status(&r).kind, StatusKind::PreAuth);
    assert!(exact("* BYE Autologout; idle for too long").is_bye());

    let r = exact("* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI XPIG-LATIN");
    let Data::Capability(caps) = data(&r) else { panic!() };
    assert_eq!(caps.len(), 4);
    assert_eq!(caps[0], Capability::Imap4rev1);
    assert_eq!(caps[1], Capability::StartTls);
    assert_eq!(caps[2].to_string(), "AUTH=GSSAPI");
    assert_eq!(caps[3].to_string(), "XPIG-LATIN");

    let r = exact("* LIST (\\Noselect) \"/\" ~/Mail/foo");
    let Data::List(item) = data(&r) else { panic!() };
    assert_eq!(item.attributes, vec![MailboxAttribute::NoSelect]);
    assert_eq!(item.delimiter, Some('/'));
    assert_eq!(item.mailbox.as_bytes(), b"~/Mail/foo");
    let r = exact("* LIST () \".\" INBOX");
    let Data::List(item) = data(&r) else { panic!() };
    assert!(item.mailbox.is_inbox());
    let r = exact("* LIST (\\Noselect) \"/\" \"\"");
    let Data::List(item) = data(&r) else { panic!() };
    assert_eq!(item.mailbox.as_bytes(), b"");

    let r = exact("* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)");
    let Data::Status { mailbox, items, mailbox_id } = data(&r) else { panic!() };
    assert_eq!(mailbox.as_bytes(), b"blurdybloop");
    assert_eq!(items, &[(StatusItem::Messages, 231), (StatusItem::UidNext, 44292)]);
    assert!(mailbox_id.is_none());

    let r = exact("* SEARCH 2 84 882");
    assert_eq!(data(&r), &Data::Search { numbers: vec![2, 84, 882], mod_seq: None });
    assert_eq!(data(&exact("* SEARCH")), &Data::Search { numbers: vec![], mod_seq: None });
    assert_eq!(data(&exact("* 23 EXISTS")), &Data::Exists(23));
    assert_eq!(data(&exact("* 5 RECENT")), &Data::Recent(5));
    assert_eq!(data(&exact("* 44 EXPUNGE")), &Data::Expunge(nz(44)));

    let r = exact("* 23 FETCH (FLAGS (\\Seen) UID 4827313)");
    let (seq, items) = fetch(&r);
    assert_eq!(seq, 23);
    assert_eq!(items, &[FetchItem::Flags(vec![Flag::Seen]), FetchItem::Uid(nz(4_827_313))]);
    assert_eq!(data(&r).uid(), Some(nz(4_827_313)));

    let r = exact("* XPIG-LATIN ow-nay eaking-spay ig-pay atin-lay");
    let Data::Other { number, name, data: rest } = data(&r) else { panic!() };
    assert_eq!((number, name.as_str()), (&None, "XPIG-LATIN"));
    assert_eq!(rest.as_deref(), Some(&b"ow-nay eaking-spay ig-pay atin-lay"[..]));

    let r = exact("+ Ready for additional command text");
    let Response::Continue(k) = &r else { panic!() };
    assert_eq!(k.text.as_bytes(), b"Ready for additional command text");
    let r = exact("+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMC");
    let Response::Continue(k) = &r else { panic!() };
    assert_eq!(k.decode_base64().map(|v| v.len()), Some(36));
}

/// RFC 3501 §8 (and RFC 9051 §8): the sample session's FETCH responses.
#[test]
fn rfc3501_sample_fetches() {
    let full = "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" \
         RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
         \"IMAP4rev1 WG mtg summary and minutes\" \
         ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
         ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
         ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
         ((NIL NIL \"imap\" \"cac.washington.edu\")) \
         ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")\
         (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
         \"<B27397-0100000@cac.washington.edu>\") \
         BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))";
    let r = exact(full);
    let (seq, items) = fetch(&r);
    assert_eq!((seq, items.len()), (12, 5));
    let FetchItem::InternalDate(d) = &items[1] else { panic!() };
    assert_eq!((d.date.day, d.date.month, d.date.year, d.offset_minutes), (17, 7, 1996, -420));
    assert_eq!(items[2], FetchItem::Rfc822Size(4286));
    let env = data(&r).envelope().unwrap();
    assert_eq!(s(&env.subject).as_deref(), Some("IMAP4rev1 WG mtg summary and minutes"));
    assert_eq!(s(&env.from[0].name).as_deref(), Some("Terry Gray"));
    assert_eq!(env.from[0].email().as_deref(), Some("gray@cac.washington.edu"));
    assert_eq!(env.cc.len(), 2);
    assert_eq!(s(&env.cc[1].mailbox).as_deref(), Some("KLENSIN"));
    assert!(env.bcc.is_empty() && env.in_reply_to.is_none());
    assert_eq!(s(&env.message_id).as_deref(), Some("<B27397-0100000@cac.washington.edu>"));
    let FetchItem::Body(body) = &items[4] else { panic!() };
    let BodyStructure::Single { media_type, subtype, fields, kind, extension } = &**body else { panic!() };
    assert_eq!((media_type.as_bytes(), subtype.as_bytes()), (&b"TEXT"[..], &b"PLAIN"[..]));
    assert_eq!(fields.param("charset").map(|v| v.as_bytes()), Some(&b"US-ASCII"[..]));
    assert_eq!((fields.encoding.as_bytes(), fields.octets), (&b"7BIT"[..], 3028));
    assert_eq!(kind, &SingleKind::Text { lines: 92 });
    assert!(extension.is_none());
    assert_eq!(body.mime_type(), "text/plain");

    let header = "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
                  From: Terry Gray <gray@cac.washington.edu>\r\n\
                  Subject: IMAP4rev1 WG mtg summary and minutes\r\n\
                  To: imap@cac.washington.edu\r\n\
                  cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
                  Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
                  MIME-Version: 1.0\r\n\
                  Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
                  \r\n";
    assert_eq!(header.len(), 342);
    let message = format!("* 12 FETCH (BODY[HEADER] {{342}}\r\n{header})\r\n");
    let (r, bytes) = round(message.as_bytes());
    assert_eq!(bytes, message.as_bytes());
    let body = data(&r).body_section(&Section::header()).unwrap();
    assert_eq!(body.as_bytes(), header.as_bytes());
    // The literal shares the message's buffer: no copy.
    let (_, items) = fetch(&r);
    let FetchItem::BodySection { section, origin, data: Some(d) } = &items[0] else { panic!() };
    assert_eq!((section.text.as_ref(), *origin), (Some(&SectionText::Header), None));
    assert_eq!(d.len(), 342);
}

// ------------------------------------------------------------ RFC 9051

/// RFC 9051 §6–§7: the one-line server examples not already in RFC 3501
/// (and the wrapped ones, joined).
const RFC9051: &[&str] = &[
    "* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI",
    "* CAPABILITY IMAP4rev2 AUTH=GSSAPI AUTH=PLAIN",
    "* 14 FETCH (UID 1305 FLAGS (\\Seen \\Deleted))",
    "* BYE IMAP4rev2 Server logging out",
    "* CAPABILITY IMAP4rev2 STARTTLS LOGINDISABLED",
    "* CAPABILITY IMAP4rev2 AUTH=PLAIN",
    "a004 OK Success (tls protection)",
    "* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED] Server ready",
    "A01 OK STARTTLS completed",
    "* CAPABILITY IMAP4rev2 AUTH=PLAIN AUTH=EXTERNAL",
    "* CAPABILITY IMAP4rev2 ID LITERAL+ X-GOOD-IDEA",
    "t1 OK foo",
    "* ENABLED X-GOOD-IDEA",
    "* ENABLED CONDSTORE",
    "a1 OK Conditional Store enabled",
    "* LIST () \"/\" INBOX",
    "* OK [CLOSED] Previous mailbox is now closed",
    "* OK [UIDVALIDITY 9877410381] UIDs valid",
    "* OK [UIDNEXT 102] Predicted next UID",
    "* LIST () \"/\" Drafts",
    "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\Answered \\Flagged \\Draft \\*)] System flags and keywords allowed",
    "A143 OK [READ-WRITE] SELECT completed",
    "* LIST () \"/\" \"Normalized\" (\"OLDNAME\" (\"NonNormalized\"))",
    "* LIST (\\Subscribed \\NonExistent) \"/\" \"Fruit/Peach\"",
    "* LIST (\\NonExistent) \".\" \"INBOX.DeletedMailbox\"",
    "* LIST () \"/\" \"NewMailbox\" (\"OLDNAME\" (\"OldMailbox\"))",
    "* LIST () \"/\" \"Fruit\"",
    "* LIST () \"/\" \"Fruit/Apple\"",
    "* LIST (\\Subscribed) \"/\" \"Fruit/Banana\"",
    "* LIST (\\HasChildren) \"/\" \"Fruit\"",
    "* LIST (\\HasNoChildren) \"/\" \"Tofu\"",
    "* LIST (\\Remote \\HasNoChildren) \"/\" \"Bread\"",
    "* LIST (\\HasChildren \\Remote) \"/\" \"Meat\"",
    "* LIST (\\Remote \\Subscribed) \"/\" \"Bread\"",
    "* LIST () \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))",
    "* LIST (\\Subscribed) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))",
    "* LIST (\\NonExistent) \"/\" \"qux2\" (\"CHILDINFO\" (\"SUBSCRIBED\"))",
    "* LIST (\\Subscribed \\NonExistent) \"/\" foo/bar",
    "* LIST (\\HasNoChildren) \"/\" foo (\"CHILDINFO\" (\"SUBSCRIBED\"))",
    "* LIST (\\NonExistent \\HasChildren) \"/\" music",
    "* STATUS \"foo\" (MESSAGES 30 UNSEEN 29)",
    "A01 OK List completed.",
    "* NAMESPACE ((\"\" \"/\")) NIL NIL",
    "* NAMESPACE NIL NIL ((\"\" \".\"))",
    "* NAMESPACE ((\"\" \"/\")) NIL ((\"Public Folders/\" \"/\"))",
    "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\")(\"#ftp/\" \"/\")(\"#news.\" \".\"))",
    "* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL",
    "* LIST (\\NonExistent \\Archive) \"/\" Archives",
    "* LIST (\\NonExistent \\Drafts) \"/\" Drafts",
    "* LIST (\\NonExistent \\Junk) \"/\" Junk",
    "* LIST (\\NonExistent \\Sent) \"/\" \"Sent Mail\"",
    "* LIST (\\NonExistent \\Trash) \"/\" \"Deleted Items\"",
    "* NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\")) NIL",
    "* LIST () \"/\" \"Other Users/Mike\"",
    "* NAMESPACE ((\"\" \"/\")) ((\"#Users/\" \"/\")) NIL",
    "A002 NO The requested item could not be found.",
    "* LIST () \"/\" \"~mark/INBOX\"",
    "A004 OK [COPYUID 38505 304,319:320 3956:3958] Done",
    "A005 OK No matching messages, so nothing copied",
    "* 1 EXISTS",
    "* OK [UIDVALIDITY 3857529045] Validity session-only",
    "* OK [UIDNEXT 2] Predicted next UID",
    "* NO [UIDNOTSTICKY] Non-persistent UIDs",
    "* OK [PERMANENTFLAGS (\\Deleted \\Seen)] Limited",
    "* LIST () \".\" funny",
    "* FLAGS (\\Deleted \\Seen \\Flagged)",
    "* OK [UIDVALIDITY 1]",
    "* OK [UIDNEXT 1]",
    "+ idling",
    "A002 OK IDLE terminated",
    "* ESEARCH (TAG \"A282\") MIN 2 COUNT 3",
    "* ESEARCH (TAG \"A283\") ALL 2,10:11",
    "* ESEARCH (TAG \"A284\")",
    "+ Ready for literal text",
    "* ESEARCH (TAG \"A285\") ALL 43",
    "* ESEARCH (TAG \"A284\") MIN 4",
    "* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800",
    "* ESEARCH (TAG \"A286\") COUNT 15",
    "A282 OK SEARCH completed, result saved",
    "* ESEARCH (TAG \"A301\") UID ALL 17,900,901",
    "* ESEARCH (TAG \"P283\") ALL 882,1102,3003,3005:3006",
    "B283 NO [BADCHARSET UTF-8] KOI8-R is not supported",
    "* ESEARCH (TAG \"G283\") ALL 3:15,27,29:103",
    "* ESEARCH (TAG \"C286\") MIN 2 MAX 21 COUNT 8",
    "* ESEARCH (TAG \"C286\") MIN 2 ALL 2,10:15,21",
    "* OK [COPYUID 432432 42:69 1202:1229]",
    "a OK Done",
    "* CAPABILITY IMAP4rev2 XPIG-LATIN",
    "o356 NO [ALREADYEXISTS] Mailbox \"that\" already exists",
    "b NO [AUTHENTICATIONFAILED] Authentication failed",
    "c1 NO [AUTHORIZATIONFAILED] No such authorization-ID",
    "l NO [CANNOT] Adjacent slashes are not supported",
    "k1 OK [READ-ONLY] Done",
    "k2 OK [CLIENTBUG] Done",
    "e NO [CONTACTADMIN]",
    "i NO [CORRUPTION] Cannot open mailbox",
    "d NO [EXPIRED] That password isn't valid any more",
    "* ESEARCH (TAG \"h\") ALL 1:3,5,8,13,21,42",
    "o356 NO [HASCHILDREN] Mailbox \"Notes\" has children",
    "g NO [INUSE] Mailbox in use",
    "m NO [LIMIT] At most 32 flags in one mailbox supported",
    "p NO [NONEXISTENT] No such mailbox",
    "f NO [NOPERM] Access denied",
    "n1 NO [OVERQUOTA] Sorry",
    "n2 OK [OVERQUOTA] You are now over your soft quota",
    "d NO [PRIVACYREQUIRED] Connection offers no privacy",
    "j NO [SERVERBUG] This should not happen",
    "a NO [UNAVAILABLE] User's backend down for maintenance",
    "* OK IMAP4rev2 server ready",
    "* PREAUTH IMAP4rev2 server logged in as Smith",
    "* ENABLED CONDSTORE QRESYNC",
    "* CAPABILITY STARTTLS AUTH=GSSAPI IMAP4rev2 LOGINDISABLED",
    "* LIST (\\Marked) \":\" Tables (tablecloth ((\"edge\" \"lacy\") (\"color\" \"red\")) Sample \"text\")",
    "* LIST () \":\" Tables:new (tablecloth (\"edge\" \"lacy\") Sample (\"text\" \"more text\"))",
    "* ESEARCH UID COUNT 17 ALL 4:18,21,28",
    "* ESEARCH (TAG \"a567\") UID COUNT 17 ALL 4:18,21,28",
    "* ESEARCH COUNT 18 ALL 1:17,21",
    "* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827 UID 447)",
    "* BYE IMAP4rev2 server terminating connection",
];

#[test]
fn rfc9051_examples_round_trip_exactly() {
    for line in RFC9051 {
        exact(line);
    }
    // Non-canonical spellings in the examples: INBOX in any case or
    // quoted is INBOX, registered attribute spellings, single spaces,
    // CHILDINFO quoted as the RFC's own examples have it.
    normalized(
        "* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"",
        "* LIST (\\Marked \\Noinferiors) \"/\" INBOX",
    );
    normalized("* LIST () \".\"  \"INBOX\"", "* LIST () \".\" INBOX");
    normalized("* STATUS \"INBOX\" (MESSAGES 17 UNSEEN 16)", "* STATUS INBOX (MESSAGES 17 UNSEEN 16)");
    normalized("* LIST (\\NoSelect) \".\" \"bar\"", "* LIST (\\Noselect) \".\" \"bar\"");
    normalized(
        "* LIST () \".\" \"foo\" (CHILDINFO (\"SUBSCRIBED\"))",
        "* LIST () \".\" \"foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))",
    );
    normalized("* NAMESPACE ((\"INBOX.\" \".\")) NIL  NIL", "* NAMESPACE ((\"INBOX.\" \".\")) NIL NIL");
    normalized(
        "* LIST () \"/\" INBOX (\"OLDNAME\" (\"inbox\"))",
        "* LIST () \"/\" INBOX (\"OLDNAME\" (INBOX))",
    );
}

#[test]
fn rfc9051_typed_fields() {
    let r = exact("* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED] Server ready");
    let Some(Code::Capability(caps)) = &status(&r).code else { panic!() };
    assert_eq!(
        caps,
        &[
            Capability::Imap4rev2,
            Capability::StartTls,
            Capability::new("AUTH=GSSAPI").unwrap(),
            Capability::LoginDisabled
        ]
    );

    let r = exact("A004 OK [COPYUID 38505 304,319:320 3956:3958] Done");
    let Some(Code::CopyUid { uid_validity, source, destination }) = &status(&r).code else { panic!() };
    assert_eq!(*uid_validity, 38505);
    assert_eq!(source.iter(u32::MAX).collect::<Vec<_>>(), [304, 319, 320]);
    assert_eq!(destination.iter(u32::MAX).collect::<Vec<_>>(), [3956, 3957, 3958]);

    let r = exact("B283 NO [BADCHARSET UTF-8] KOI8-R is not supported");
    assert_eq!(
        status(&r).code,
        Some(Code::Other {
            name: "BADCHARSET".try_into().unwrap(),
            value: Some(Bytes::from_static(b"UTF-8"))
        })
    );
    let r = exact("B283 NO [BADCHARSET (UTF-8 \"US-ASCII\")] KOI8-R is not supported");
    let Some(Code::BadCharset(list)) = &status(&r).code else { panic!() };
    assert_eq!(list.len(), 2);

    let r = exact("e NO [CONTACTADMIN]");
    assert_eq!(status(&r).code, Some(Code::ContactAdmin));
    assert!(status(&r).text.as_bytes().is_empty());
    assert_eq!(status(&exact("* OK [CLOSED] Previous mailbox is now closed")).code, Some(Code::Closed));

    let r = exact("* LIST () \"/\" \"NewMailbox\" (\"OLDNAME\" (\"OldMailbox\"))");
    let Data::List(item) = data(&r) else { panic!() };
    assert_eq!(item.extended, vec![ListExtendedItem::OldName(Mailbox::from_wire("OldMailbox".into()))]);
    let r = exact("* LIST () \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))");
    let Data::List(item) = data(&r) else { panic!() };
    assert_eq!(item.extended, vec![ListExtendedItem::ChildInfo(vec!["SUBSCRIBED".into()])]);
    let r = exact("* LIST (\\NonExistent \\Sent) \"/\" \"Sent Mail\"");
    let Data::List(item) = data(&r) else { panic!() };
    assert!(item.has(&MailboxAttribute::Sent) && item.attributes[1].is_special_use());
    let r = exact(
        "* LIST (\\Marked) \":\" Tables (tablecloth ((\"edge\" \"lacy\") (\"color\" \"red\")) Sample \"text\")",
    );
    let Data::List(item) = data(&r) else { panic!() };
    assert_eq!(item.delimiter, Some(':'));
    assert_eq!(item.extended.len(), 2);
    let ListExtendedItem::Other { tag, value: ExtValue::List(v) } = &item.extended[0] else { panic!() };
    assert_eq!((tag.as_bytes(), v.len()), (&b"tablecloth"[..], 2));

    let r = exact("* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL");
    let Data::Namespace { personal: Some(p), other: None, shared: None } = data(&r) else { panic!() };
    assert_eq!(p.len(), 2);
    assert_eq!(p[1].prefix.as_bytes(), b"#mh/");
    assert_eq!(p[1].extensions[0].0.as_bytes(), b"X-PARAM");
    assert_eq!(p[1].extensions[0].1.len(), 2);

    let r = exact("* ESEARCH (TAG \"a567\") UID COUNT 17 ALL 4:18,21,28");
    let Data::ESearch(e) = data(&r) else { panic!() };
    assert_eq!(e.tag.as_ref().map(|t| t.as_bytes()), Some(&b"a567"[..]));
    assert!(e.uid);
    assert_eq!(e.count(), Some(17));
    assert_eq!(e.all().unwrap().iter(u32::MAX).count(), 17);
    let r = exact("* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800");
    let Data::ESearch(e) = data(&r) else { panic!() };
    assert_eq!(e.data, vec![ESearchData::Min(7), ESearchData::Max(3800)]);

    let r = exact("* ENABLED CONDSTORE QRESYNC");
    assert_eq!(data(&r), &Data::Enabled(vec![Capability::CondStore, Capability::QResync]));
}

// --------------------------------------------------------- extensions

#[test]
fn condstore_qresync() {
    // RFC 7162.
    for line in [
        "* OK [HIGHESTMODSEQ 715194045007]",
        "* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences",
        "* 1 FETCH (UID 4 MODSEQ (12121231000))",
        "* 50 FETCH (MODSEQ (12111230047))",
        "d105 OK [MODIFIED 7,9] Conditional STORE failed",
        "* 7 FETCH (MODSEQ (320162342) FLAGS (\\Seen \\Deleted))",
        "* 101 FETCH (MODSEQ (303011130956) FLAGS ($Processed))",
        "* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)",
        "* VANISHED (EARLIER) 41,43:116,118,120:211,214:540",
        "* VANISHED (EARLIER) 300:310,405,411",
        "* VANISHED 405,407,410,425",
        "* VANISHED 1",
        "* OK [CLOSED]",
        "* OK [HIGHESTMODSEQ 90060115205545359] Highest mailbox mod-sequence",
        "A202 OK [HIGHESTMODSEQ 20010715194045319] expunged",
        "* ESEARCH (TAG \"a\") ALL 1:3,5 MODSEQ 1236",
        "* ESEARCH (TAG \"a\") ALL 5,3,2,1 MODSEQ 1236",
        "* 1 FETCH (UID 4 MODSEQ (65402) FLAGS (\\Seen))",
        "* OK [HIGHESTMODSEQ 99] VANISHED reply with MODSEQ 100 is delayed",
    ] {
        exact(line);
    }
    normalized(
        "* 1 FETCH (MODSEQ (320172342) FLAGS (\\SEEN))",
        "* 1 FETCH (MODSEQ (320172342) FLAGS (\\Seen))",
    );
    assert_eq!(
        status(&exact("* OK [HIGHESTMODSEQ 715194045007]")).code,
        Some(Code::HighestModSeq(715_194_045_007))
    );
    let r = exact("* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)");
    assert_eq!(
        data(&r),
        &Data::Search { numbers: vec![2, 5, 6, 7, 11, 12, 18, 19, 20, 23], mod_seq: Some(917_162_500) }
    );
    let r = exact("* VANISHED (EARLIER) 300:310,405,411");
    let Data::Vanished { earlier, uids } = data(&r) else { panic!() };
    assert!(*earlier);
    assert_eq!(uids.iter(u32::MAX).count(), 13);
    let r = exact("d105 OK [MODIFIED 7,9] Conditional STORE failed");
    let Some(Code::Modified(set)) = &status(&r).code else { panic!() };
    assert_eq!(set.iter(100).collect::<Vec<_>>(), [7, 9]);
    let r = exact("* 1 FETCH (UID 4 MODSEQ (12121231000))");
    assert_eq!(fetch(&r).1[1], FetchItem::ModSeq(12_121_231_000));
    let r = exact("* ESEARCH (TAG \"a\") ALL 1:3,5 MODSEQ 1236");
    let Data::ESearch(e) = data(&r) else { panic!() };
    assert_eq!(e.data[1], ESearchData::ModSeq(1236));
}

#[test]
fn uidplus_namespace_id_quota() {
    // RFC 4315.
    let r = exact("A003 OK [APPENDUID 38505 3955] APPEND completed");
    let Some(Code::AppendUid { uid_validity: 38505, uids }) = &status(&r).code else { panic!() };
    assert_eq!(uids.to_string(), "3955");
    exact("* NO [UIDNOTSTICKY] Non-persistent UIDs");
    // RFC 2342.
    for line in [
        "* NAMESPACE ((\"\" \"/\")) NIL NIL",
        "* NAMESPACE NIL NIL ((\"\" \".\"))",
        "* NAMESPACE ((\"\" \"/\")) NIL ((\"Public Folders/\" \"/\"))",
        "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) NIL",
    ] {
        exact(line);
    }
    let r = exact("* NAMESPACE ((\"INBOX.\" \".\")) NIL ((\"\\\\\" \"\\\\\"))");
    let Data::Namespace { shared: Some(sh), .. } = data(&r) else { panic!() };
    assert_eq!((sh[0].prefix.as_bytes(), sh[0].delimiter), (&b"\\"[..], Some('\\')));
    // RFC 2971.
    assert_eq!(data(&exact("* ID NIL")), &Data::Id(None));
    let r = exact(
        "* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" \"5.5\" \
         \"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\")",
    );
    let Data::Id(Some(params)) = data(&r) else { panic!() };
    assert_eq!(params.len(), 5);
    assert_eq!(s(&params[0].1).as_deref(), Some("Cyrus"));
    // RFC 9208.
    for line in [
        "* QUOTA \"!partition/sda4\" (STORAGE 104 10923847)",
        "* QUOTAROOT INBOX \"#user/alice\" \"!partition/sda4\"",
        "* QUOTA \"#user/alice\" (MESSAGE 42 1000)",
        "* QUOTA \"#user/alice\" (STORAGE 54 111 MESSAGE 42 1000)",
        "* STATUS INBOX (MESSAGES 12 DELETED 4 DELETED-STORAGE 8)",
        "* QUOTA \"\" (STORAGE 10 512)",
        "* QUOTAROOT INBOX \"\"",
        "* QUOTAROOT comp.mail.mime",
        "A003 NO [OVERQUOTA] APPEND Failed",
        "* NO [OVERQUOTA] Soft quota has been exceeded",
    ] {
        exact(line);
    }
    let r = exact("* QUOTA \"#user/alice\" (STORAGE 54 111 MESSAGE 42 1000)");
    let Data::Quota { root, resources } = data(&r) else { panic!() };
    assert_eq!(root.as_bytes(), b"#user/alice");
    assert_eq!((resources[1].name.as_str(), resources[1].usage, resources[1].limit), ("MESSAGE", 42, 1000));
    let r = exact("* QUOTAROOT INBOX \"#user/alice\" \"!partition/sda4\"");
    let Data::QuotaRoot { mailbox, roots } = data(&r) else { panic!() };
    assert!(mailbox.is_inbox());
    assert_eq!(roots.len(), 2);
    let r = exact("* QUOTAROOT comp.mail.mime");
    let Data::QuotaRoot { roots, .. } = data(&r) else { panic!() };
    assert!(roots.is_empty());
}

#[test]
fn metadata_list_extended_status_sort_thread_enable_special_use() {
    // RFC 5464.
    for line in [
        "* METADATA \"\" (/shared/comment \"Shared comment\")",
        "* METADATA Archive (/private/comment \"My own comment\")",
        "* METADATA \"Sent Items\" (/shared/comment \"Shared comment\" /private/comment \"My own comment\")",
        "a OK [METADATA LONGENTRIES 2199] GETMETADATA complete",
        "a NO [METADATA TOOMANY] SETMETADATA failed",
        "a NO [METADATA MAXSIZE 1024] Annotation too large",
        "a NO [METADATA NOPRIVATE] Private annotations not supported",
        "* METADATA \"\" /shared/comment",
        "* METADATA INBOX /shared/comment /private/comment",
        "* METADATA INBOX (/private/comment NIL)",
    ] {
        exact(line);
    }
    // RFC 5464's examples quote INBOX; it is written as an atom.
    normalized(
        "* METADATA \"INBOX\" (/private/comment \"My own comment\")",
        "* METADATA INBOX (/private/comment \"My own comment\")",
    );
    let r = exact("* METADATA INBOX /shared/comment /private/comment");
    let Data::Metadata { entries: MetadataEntries::Names(names), .. } = data(&r) else { panic!() };
    assert_eq!(names.len(), 2);
    let r = exact("* METADATA \"\" (/shared/comment \"Shared comment\")");
    let Data::Metadata { mailbox, entries: MetadataEntries::Values(v) } = data(&r) else { panic!() };
    assert_eq!(mailbox.as_bytes(), b"");
    assert_eq!(s(&v[0].1).as_deref(), Some("Shared comment"));
    assert_eq!(
        status(&exact("a OK [METADATA LONGENTRIES 2199] GETMETADATA complete")).code,
        Some(Code::Metadata(MetadataCode::LongEntries(2199)))
    );
    // A literal value (RFC 5464 §4.4 example).
    let (small, boss) =
        ("SMALLER 5000 NOT FROM \"boss@x.com\"", "FROM \"boss@x.com\" OR FROM \"bigboss@x.com\"");
    let message = format!(
        "* METADATA INBOX (/private/filters/values/small {{{}}}\r\n{small} /private/filters/values/boss {{{}}}\r\n{boss})\r\n",
        small.len(),
        boss.len()
    );
    let (r, bytes) = round(message.as_bytes());
    assert_eq!(bytes, message.as_bytes());
    let Data::Metadata { entries: MetadataEntries::Values(v), .. } = data(&r) else { panic!() };
    assert_eq!(v.len(), 2);
    assert_eq!(v[1].1.as_ref().map(|x| x.as_bytes()), Some(boss.as_bytes()));

    // RFC 5258 / RFC 5819.
    exact("* LIST (\\Subscribed \\HasChildren) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))");
    exact("* LIST () \"/\" \"baz2\" (\"CHILDINFO\" (\"SUBSCRIBED\" \"REMOTE\"))");
    normalized("* STATUS \"INBOX\" (MESSAGES 17)", "* STATUS INBOX (MESSAGES 17)");
    // RFC 8474.
    let r = exact("* STATUS foo (MAILBOXID (F2212ea87-6097-4256-9d51-71338625))");
    let Data::Status { mailbox_id: Some(id), .. } = data(&r) else { panic!() };
    assert_eq!(id.as_bytes(), b"F2212ea87-6097-4256-9d51-71338625");
    let r = exact("3 OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Completed");
    assert!(matches!(status(&r).code, Some(Code::MailboxId(_))));
    let r = exact("* 1 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9))");
    assert_eq!(fetch(&r).1[0], FetchItem::EmailId("M6d99ac3275bb4e".into()));
    let r = exact("* 1 FETCH (EMAILID (M00000001) THREADID NIL)");
    assert_eq!(fetch(&r).1[1], FetchItem::ThreadId(None));

    // RFC 5256.
    assert_eq!(data(&exact("* SORT 5 3 4 1 2")), &Data::Sort { numbers: vec![5, 3, 4, 1, 2], mod_seq: None });
    exact("* SORT");
    exact("* THREAD");
    exact("* THREAD (166)(167)(168)(169)(172)(170)(171)");
    let r = exact("* THREAD (166)(167)(168)(169)(172)((170)(179))");
    let Data::Thread(threads) = data(&r) else { panic!() };
    assert_eq!(threads.len(), 6);
    assert_eq!((threads[5].members.len(), threads[5].children.len()), (0, 2));
    let r = exact("* THREAD (2)(3 6 (4 23)(44 7 96))");
    let Data::Thread(threads) = data(&r) else { panic!() };
    assert_eq!(threads[1].members, vec![3, 6]);
    assert_eq!(threads[1].children[1].members, vec![44, 7, 96]);
    assert_eq!(threads[1].messages(), vec![3, 6, 4, 23, 44, 7, 96]);
    exact("* THREAD ((3)(5))");

    // RFC 5161.
    exact("* CAPABILITY IMAP4rev1 ID LITERAL+ ENABLE X-GOOD-IDEA");
    // RFC 6154.
    let r = exact("* LIST (\\HasNoChildren \\Sent) \"/\" \"[Gmail]/Sent Mail\"");
    let Data::List(item) = data(&r) else { panic!() };
    assert_eq!(item.attributes, vec![MailboxAttribute::HasNoChildren, MailboxAttribute::Sent]);
    exact("* LIST (\\All \\HasNoChildren) \"/\" \"[Gmail]/All Mail\"");
    exact("* LIST (\\Flagged \\HasNoChildren \\Important) \"/\" Starred");
    exact("t1 NO [USEATTR] \\All not supported");
    // RFC 4978, RFC 5182, RFC 3516.
    exact("c NO [COMPRESSIONACTIVE] DEFLATE active via TLS");
    exact("A1 NO [NOTSAVED] Search result not saved");
    exact("A1 NO [UNKNOWN-CTE] Can't decode x-uuencode");
    normalized(
        "* OK [CAPABILITY IMAP4REV1 STARTTLS COMPRESS=DEFLATE]",
        "* OK [CAPABILITY IMAP4rev1 STARTTLS COMPRESS=DEFLATE]",
    );
    let r = exact("* 1 FETCH (BINARY.SIZE[1] 2712 BINARY[1] ~{5}\r\nab\0cd)");
    let (_, items) = fetch(&r);
    assert_eq!(items[0], FetchItem::BinarySize { part: vec![nz(1)], size: 2712 });
    let FetchItem::Binary { part, data: Some(d) } = &items[1] else { panic!() };
    assert_eq!((part.as_slice(), d.as_bytes()), (&[nz(1)][..], &b"ab\0cd"[..]));
}

// --------------------------------------------------------- real servers

/// A Dovecot `UID FETCH … (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE
/// BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (DATE FROM)])` answer: a group
/// address, a comma in a name, nested multiparts with extension data, a
/// message/rfc822 part, an attachment disposition, a language list.
#[test]
fn dovecot_fetch() {
    let header = "Date: Thu, 14 Mar 2024 09:26:50 +0100\r\nFrom: Ann <ann@example.com>\r\n\r\n";
    let line = format!(
        "* 7 FETCH (UID 101 FLAGS (\\Seen $Forwarded) INTERNALDATE \"14-Mar-2024 09:26:53 +0100\" \
         RFC822.SIZE 48213 ENVELOPE (\"Thu, 14 Mar 2024 09:26:50 +0100\" \
         \"=?utf-8?q?Quartalsbericht_=E2=80=93_Q1?=\" ((\"Ann Example\" NIL \"ann\" \"example.com\")) \
         ((\"Ann Example\" NIL \"ann\" \"example.com\")) ((\"Ann Example\" NIL \"ann\" \"example.com\")) \
         ((\"Bob\" NIL \"bob\" \"example.org\")(\"Smith, John\" NIL \"john.smith\" \"corp.example.com\")) \
         ((NIL NIL \"team\" NIL)(NIL NIL \"carol\" \"example.net\")(NIL NIL NIL NIL)) NIL \
         \"<0@example.org>\" \"<1234.5678@example.com>\") BODYSTRUCTURE \
         ((((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 1204 38 NIL NIL NIL NIL)\
         (\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 8821 170 NIL NIL NIL NIL) \
         \"alternative\" (\"boundary\" \"b2\") NIL NIL NIL)\
         (\"image\" \"png\" (\"name\" \"chart.png\") \"<part1.abc@example.com>\" NIL \"base64\" 23112 NIL \
         (\"inline\" (\"filename\" \"chart.png\")) NIL NIL) \"related\" (\"boundary\" \"b1\" \"type\" \
         \"multipart/alternative\") NIL NIL NIL)\
         (\"application\" \"pdf\" (\"name\" \"report.pdf\") NIL NIL \"base64\" 14320 NIL \
         (\"attachment\" (\"filename\" \"report.pdf\" \"size\" \"10464\")) NIL NIL)\
         (\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 912 (\"Wed, 13 Mar 2024 18:00:00 +0000\" \"Original\" \
         ((NIL NIL \"x\" \"example.net\")) ((NIL NIL \"x\" \"example.net\")) ((NIL NIL \"x\" \"example.net\")) \
         ((NIL NIL \"ann\" \"example.com\")) NIL NIL NIL \"<orig@example.net>\") \
         (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 20 1 NIL NIL NIL NIL) 21 NIL \
         (\"attachment\" NIL) NIL NIL) \"mixed\" (\"boundary\" \"b0\") NIL (\"en\" \"de\") \
         \"http://example.com/x\") BODY[HEADER.FIELDS (DATE FROM)] {{{}}}\r\n{header})",
        header.len()
    );
    let (r, bytes) = round(crlf(&line).as_ref());
    assert_eq!(String::from_utf8_lossy(&bytes), line.clone() + "\r\n");
    let d = data(&r);
    let (seq, items) = fetch(&r);
    assert_eq!((seq, items.len(), d.uid()), (7, 7, Some(nz(101))));
    assert_eq!(d.flags(), Some(&[Flag::Seen, Flag::Keyword("$Forwarded".try_into().unwrap())][..]));
    let env = d.envelope().unwrap();
    assert_eq!(s(&env.subject).as_deref(), Some("=?utf-8?q?Quartalsbericht_=E2=80=93_Q1?="));
    assert_eq!(s(&env.to[1].name).as_deref(), Some("Smith, John"));
    assert_eq!(env.cc.len(), 3);
    assert!(env.cc[0].is_group_marker() && s(&env.cc[0].mailbox).as_deref() == Some("team"));
    assert_eq!(env.cc[1].email().as_deref(), Some("carol@example.net"));
    assert!(env.cc[2].is_group_marker() && env.cc[2].mailbox.is_none());
    assert_eq!(s(&env.in_reply_to).as_deref(), Some("<0@example.org>"));

    let body = d.body_structure().unwrap();
    assert_eq!(body.parts().len(), 3);
    assert_eq!(body.mime_type(), "multipart/mixed");
    assert_eq!(
        body.describe(),
        "multipart/mixed [multipart/related [multipart/alternative [text/plain, text/html], image/png], \
         application/pdf, message/rfc822 [text/plain]]"
    );
    assert_eq!(body.part(&[1, 1, 2]).unwrap().mime_type(), "text/html");
    assert_eq!(body.part(&[1, 2]).unwrap().filename().map(|f| f.as_bytes()), Some(&b"chart.png"[..]));
    assert_eq!(body.part(&[2]).unwrap().disposition().map(|d| d.kind.as_bytes()), Some(&b"attachment"[..]));
    assert_eq!(body.part(&[3, 1]).unwrap().mime_type(), "text/plain");
    assert!(body.part(&[4]).is_none() && body.part(&[0]).is_none());
    let BodyStructure::Multipart { extension: Some(ext), .. } = body else { panic!() };
    assert_eq!(ext.params.as_ref().unwrap()[0].1.as_bytes(), b"b0");
    assert_eq!(ext.more.present, 3);
    assert_eq!(ext.more.language, Some(Language::List(vec!["en".into(), "de".into()])));
    assert_eq!(s(&ext.more.location).as_deref(), Some("http://example.com/x"));
    let BodyStructure::Single { kind: SingleKind::Message { envelope, body: inner, lines }, .. } =
        &body.parts()[2]
    else {
        panic!()
    };
    assert_eq!((s(&envelope.subject).as_deref(), *lines), (Some("Original"), 21));
    assert_eq!(inner.mime_type(), "text/plain");
    let section =
        Section { part: vec![], text: Some(SectionText::HeaderFields(vec!["DATE".into(), "FROM".into()])) };
    assert_eq!(d.body_section(&section).map(|b| b.as_bytes()), Some(header.as_bytes()));
}

/// Gmail: X-GM-MSGID, X-GM-THRID, X-GM-LABELS with system labels bare and
/// quoted, and the examples of Google's IMAP extensions page.
#[test]
fn gmail_fetch() {
    for line in [
        "* 1 FETCH (X-GM-MSGID 1278455344230334865)",
        "* 1 FETCH (X-GM-THRID 1266894439832287888)",
        "* 1 FETCH (X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\"))",
        "* 1 FETCH (X-GM-LABELS (foo))",
        "* 1 FETCH (X-GM-LABELS ())",
        "* 3 FETCH (X-GM-THRID 18446744073709551615 UID 9)",
        "* LIST (\\HasNoChildren) \"/\" \"INBOX/With Space\"",
        "* LIST (\\HasChildren \\Noselect) \"/\" \"[Gmail]\"",
        "* ESEARCH (TAG \"A1\") UID ALL 1:4,9",
    ] {
        exact(line);
    }
    let line = "* 12 FETCH (X-GM-THRID 1266894439832287888 X-GM-MSGID 1278455344230334865 \
                X-GM-LABELS (\\Inbox \"\\\\Important\" \"foo bar\" work) UID 4711 FLAGS (\\Seen) \
                MODSEQ (2811)";
    let line = format!("{line})");
    let r = exact(&line);
    let (_, items) = fetch(&r);
    assert_eq!(items[0], FetchItem::XGmThrId(1_266_894_439_832_287_888));
    assert_eq!(items[1], FetchItem::XGmMsgId(1_278_455_344_230_334_865));
    let FetchItem::XGmLabels(labels) = &items[2] else { panic!() };
    let labels: Vec<_> = labels.iter().map(|l| l.to_string_lossy().into_owned()).collect();
    assert_eq!(labels, ["\\Inbox", "\\Important", "foo bar", "work"]);
    let r = exact("* 3 FETCH (X-GM-THRID 18446744073709551615 UID 9)");
    assert_eq!(fetch(&r).1[0], FetchItem::XGmThrId(u64::MAX));
    assert!(try_parse(b"* 3 FETCH (X-GM-THRID 18446744073709551616)\r\n").is_err());
}

/// What real servers send that the grammar does not allow (or only
/// barely): read as the nearest valid response.
#[test]
fn real_server_quirks() {
    // Status responses without text, without the space, lowercase.
    let r = normalized("* OK [UIDNEXT 5] ", "* OK [UIDNEXT 5]");
    assert_eq!(status(&r).code, Some(Code::UidNext(5)));
    exact("* OK [UIDNEXT 5]");
    exact("* OK");
    normalized("* OK ", "* OK");
    let r = normalized("* OK[UIDVALIDITY 3] x", "* OK [UIDVALIDITY 3] x");
    assert_eq!(status(&r).code, Some(Code::UidValidity(3)));
    let r = normalized("a1 ok [read-write] done", "a1 OK [READ-WRITE] done");
    assert_eq!(status(&r).code, Some(Code::ReadWrite));
    normalized("* 3 exists", "* 3 EXISTS");
    normalized("* 1 fetch (uid 1 flags (\\seen))", "* 1 FETCH (UID 1 FLAGS (\\Seen))");
    normalized("* NO [alert] quota", "* NO [ALERT] quota");
    exact("* NO [ALERT] Your account will be suspended");
    exact("* BYE");
    // `[` that is not a code is text.
    let r = exact("* OK [not-a-code");
    assert_eq!((status(&r).code.as_ref(), status(&r).text.as_bytes()), (None, &b"[not-a-code"[..]));
    let r = exact("* OK [] empty");
    assert_eq!(status(&r).code, None);
    // Unknown codes and known ones with unexpected arguments are kept raw.
    let r = exact("* OK [X-DOVECOT-WHATEVER 1 2 3] fine");
    assert!(
        matches!(&status(&r).code, Some(Code::Other { name, value: Some(v) }) if name.as_str() == "X-DOVECOT-WHATEVER" && &v[..] == b"1 2 3")
    );
    let r = exact("* OK [UIDNEXT soon] fine");
    assert!(matches!(&status(&r).code, Some(Code::Other { .. })));
    exact("* OK [REFERRAL imap://a/b] see there");
    normalized("* OK [CAPABILITY IMAP4rev1 IDLE ] x", "* OK [CAPABILITY IMAP4rev1 IDLE] x");
    // Continuation requests.
    let r = normalized("+", "+ ");
    assert_eq!(r, Response::Continue(Continue::default()));
    exact("+ ");
    let r = exact("+ dGVzdA==");
    let Response::Continue(k) = &r else { panic!() };
    assert_eq!(k.decode_base64().as_deref(), Some(&b"test"[..]));
    let Response::Continue(k) = &exact("+ dGVzdA") else { panic!() };
    assert_eq!(k.decode_base64().as_deref(), Some(&b"test"[..]));
    let Response::Continue(k) = &exact("+ not base64!") else { panic!() };
    assert_eq!(k.decode_base64(), None);
    let r = exact("+ [ALERT] go ahead");
    let Response::Continue(k) = &r else { panic!() };
    assert_eq!(k.code, Some(Code::Alert));
    // Extra spaces, empty SEARCH, trailing space.
    normalized("* 1 FETCH (UID 1 FLAGS (\\Seen) )", "* 1 FETCH (UID 1 FLAGS (\\Seen))");
    normalized("* 1 FETCH ( UID 1  FLAGS ( \\Seen  \\Draft ) )", "* 1 FETCH (UID 1 FLAGS (\\Seen \\Draft))");
    normalized("* SEARCH 1 2 ", "* SEARCH 1 2");
    normalized("* SEARCH ", "* SEARCH");
    normalized("* STATUS \"INBOX\" (MESSAGES 1 UIDNEXT 2 )", "* STATUS INBOX (MESSAGES 1 UIDNEXT 2)");
    let r = exact("* STATUS x (UIDNEXT 2 MESSAGES 1)");
    let Data::Status { items, .. } = data(&r) else { panic!() };
    assert_eq!(items[0], (StatusItem::UidNext, 2));
    exact("* STATUS x ()");
    // BODY[] as NIL; a zero-length literal (a body the session streamed).
    let r = exact("* 1 FETCH (UID 1 BODY[] NIL)");
    assert_eq!(
        fetch(&r).1[1],
        FetchItem::BodySection { section: Section::whole(), origin: None, data: None }
    );
    let r = exact("* 1 FETCH (UID 1 BODY[] {0}\r\n)");
    assert_eq!(data(&r).body_section(&Section::whole()).map(|b| b.len()), Some(0));
    let r = exact("* 1 FETCH (BODY[1.2.MIME] \"x\" BODY[]<100> \"partial\")");
    let FetchItem::BodySection { origin, .. } = &fetch(&r).1[1] else { panic!() };
    assert_eq!(*origin, Some(100));
    // Mailbox names as atom, quoted or literal; delimiters.
    exact("* LIST () \"/\" {5}\r\nab\"cd");
    exact("* LIST () \"\\\\\" \"a\\\\b\"");
    let r = exact("* LIST (\\Noselect) NIL \"\"");
    let Data::List(item) = data(&r) else { panic!() };
    assert_eq!(item.delimiter, None);
    exact("* LIST () \".\" \"Sent Items\"");
    // UTF-8 (IMAP4rev2 / UTF8=ACCEPT): kept, written quoted when allowed.
    let line = "* LIST () \"/\" \"Entw\u{fc}rfe\"";
    let r = parse(crlf(line).as_ref());
    assert_eq!(String::from_utf8(write_utf8(&r)).unwrap(), line.to_owned() + "\r\n");
    round(crlf(line).as_ref());
    // Unknown untagged responses are kept raw.
    let r = exact("* XLIST (\\HasNoChildren \\Inbox) \"/\" \"Inbox\"");
    assert!(matches!(data(&r), Data::Other { name, .. } if name.as_str() == "XLIST"));
    let r = exact("* 3 XFOO bar");
    assert!(matches!(data(&r), Data::Other { number: Some(3), .. }));
    exact("* MYRIGHTS INBOX lrswipkxtecda");
    exact("* NOTHING");
    // Unknown FETCH items: a generic value.
    let r = exact("* 1 FETCH (X-SAVEDATE \"1-Jan-2024 00:00:00 +0000\" X-FOO (1 (2 \"three\") NIL) UID 3)");
    assert!(matches!(&fetch(&r).1[1], FetchItem::Other { value: ExtValue::List(v), .. } if v.len() == 3));
    assert_eq!(data(&r).uid(), Some(nz(3)));
    exact("* 1 FETCH (SAVEDATE \"01-Jan-2024 00:00:00 +0000\" PREVIEW \"Hello there\")");
    exact("* 1 FETCH (SAVEDATE NIL PREVIEW NIL)");
    // NIL where a list belongs.
    let r = normalized("* 1 FETCH (FLAGS NIL X-GM-LABELS NIL)", "* 1 FETCH (FLAGS () X-GM-LABELS ())");
    assert_eq!(fetch(&r).1[0], FetchItem::Flags(vec![]));
    normalized("* FLAGS NIL", "* FLAGS ()");
    let r = normalized("* OK [PERMANENTFLAGS NIL] none", "* OK [PERMANENTFLAGS ()] none");
    assert_eq!(status(&r).code, Some(Code::PermanentFlags(vec![])));
    normalized("* OK [BADCHARSET ()] x", "* OK [BADCHARSET] x");
    // A multipart with a NIL subtype (read as "").
    normalized(
        "* 1 FETCH (BODY ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) NIL))",
        "* 1 FETCH (BODY ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) \"\"))",
    );
    // Bare LF line ends.
    let r = parse(b"* 4 EXISTS\n");
    assert_eq!(r.to_bytes(), b"* 4 EXISTS\r\n");
}

#[test]
fn bodystructure_quirks() {
    // Exchange: NILs and zero sizes.
    let r = exact("* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 0 0))");
    let Some(BodyStructure::Single { fields, kind, .. }) = data(&r).body_structure() else { panic!() };
    assert_eq!((fields.params.as_ref(), fields.octets, kind), (None, 0, &SingleKind::Text { lines: 0 }));
    // Empty parameter list `()`, kept as such.
    let r = exact("* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" () NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL))");
    let Some(BodyStructure::Single { fields, extension: Some(ext), .. }) = data(&r).body_structure() else {
        panic!()
    };
    assert_eq!(fields.params, Some(vec![]));
    assert_eq!(ext.more.present, 3);
    // Language as one string; extension data cut short at each point.
    exact(
        "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"8bit\" 10 1 NIL NIL \"en\"))",
    );
    for cut in [
        "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1)",
        "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1 NIL)",
        "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1 NIL NIL)",
        "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1 NIL NIL NIL)",
        "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL)",
        "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL 42 (\"future\" (1 2)))",
        "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1) \"mixed\")",
        "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1) \"mixed\" NIL)",
        "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1) \"mixed\" (\"boundary\" \"x\") NIL)",
        "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1) \"mixed\" (\"boundary\" \"x\") NIL NIL)",
        "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1) \"mixed\" (\"boundary\" \"x\") NIL NIL NIL)",
        "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1)(\"image\" \"gif\" NIL NIL NIL \"base64\" 4) \"mixed\")",
        "(\"image\" \"gif\" NIL NIL NIL \"base64\" 4 \"md5==\")",
    ] {
        exact(&format!("* 1 FETCH (BODYSTRUCTURE {cut})"));
        exact(&format!("* 1 FETCH (BODY {cut})"));
    }
    let r = exact("* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1 NIL NIL))");
    let Some(BodyStructure::Single { extension: Some(ext), .. }) = data(&r).body_structure() else {
        panic!()
    };
    assert_eq!(ext.more.present, 1);
    // iCloud and maddy: NIL encoding (read as ""); mail.ru: NIL parameter
    // value.
    let r = normalized(
        "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"CHARSET\" \"UTF-8\") NIL NIL NIL 1694 51 NIL NIL NIL NIL))",
        "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"CHARSET\" \"UTF-8\") NIL NIL \"\" 1694 51 NIL NIL NIL NIL))",
    );
    let Some(BodyStructure::Single { fields, .. }) = data(&r).body_structure() else { panic!() };
    assert!(fields.encoding.is_empty());
    normalized(
        "* 1 FETCH (BODYSTRUCTURE (\"application\" \"pdf\" (\"name\" NIL) NIL NIL \"base64\" 10))",
        "* 1 FETCH (BODYSTRUCTURE (\"application\" \"pdf\" (\"name\" \"\") NIL NIL \"base64\" 10))",
    );
    // Exchange: a bare string as the disposition.
    let r = normalized(
        "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"ISO-8859-1\") NIL NIL \"QUOTED-PRINTABLE\" 850 31 NIL \"inline\" NIL NIL))",
        "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"ISO-8859-1\") NIL NIL \"QUOTED-PRINTABLE\" 850 31 NIL (\"inline\" NIL) NIL NIL))",
    );
    assert_eq!(
        data(&r).body_structure().unwrap().disposition().map(|d| d.kind.as_bytes()),
        Some(&b"inline"[..])
    );
    // Domino: two spaces; a text part without a line count.
    normalized(
        "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\"  (\"charset\" \"UTF-8\") NIL NIL \"base64\" 232 4 NIL NIL NIL)(\"message\" \"delivery-status\"  NIL NIL NIL \"7BIT\" 421 NIL NIL NIL) \"report\" (\"report-type\" \"delivery-status\") NIL NIL))",
        "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"UTF-8\") NIL NIL \"base64\" 232 4 NIL NIL NIL)(\"message\" \"delivery-status\" NIL NIL NIL \"7BIT\" 421 NIL NIL NIL) \"report\" (\"report-type\" \"delivery-status\") NIL NIL))",
    );
    let r = exact("* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10))");
    let Some(BodyStructure::Single { kind, .. }) = data(&r).body_structure() else { panic!() };
    assert_eq!(kind, &SingleKind::Basic);
    // Spaces between the parts of a multipart.
    normalized(
        "* 1 FETCH (BODY ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) (\"text\" \"html\" NIL NIL NIL \"7bit\" 1 1) \"alternative\"))",
        "* 1 FETCH (BODY ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"text\" \"html\" NIL NIL NIL \"7bit\" 1 1) \"alternative\"))",
    );
    // Envelope quirks: `()` for an empty address list, spaces between
    // addresses.
    normalized(
        "* 1 FETCH (ENVELOPE (NIL NIL () NIL NIL ((NIL NIL \"a\" \"b\") (NIL NIL \"c\" \"d\")) NIL NIL NIL NIL))",
        "* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL ((NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\")) NIL NIL NIL NIL))",
    );
}

// ------------------------------------------------------------- decode

#[test]
fn decode_frames_and_parses() {
    let stream =
        Bytes::from_static(b"* 1 FETCH (BODY[] {5}\r\nab\r\nc)\r\n* 2 EXISTS\r\nA1 OK done\r\n* 3 EXP");
    let limits = Limits::default();
    let (r, used) = response::decode(&stream, &limits).unwrap();
    assert_eq!(fetch(&r).1.len(), 1);
    let rest = stream.slice(used..);
    let (r, used) = response::decode(&rest, &limits).unwrap();
    assert_eq!(data(&r), &Data::Exists(2));
    let rest = rest.slice(used..);
    let (r, used) = response::decode(&rest, &limits).unwrap();
    assert!(status(&r).is_ok());
    let rest = rest.slice(used..);
    assert_eq!(response::decode(&rest, &limits), Err(DecodeError::Incomplete { literal: None }));
    let bad = Bytes::from_static(b"* 1 FETCH (UID x)\r\n");
    assert!(matches!(response::decode(&bad, &limits), Err(DecodeError::Parse(_))));
    // Framing limits apply.
    let small = Limits { max_line: 8, ..Limits::default() };
    assert!(matches!(
        response::decode(&crlf("* 1 EXISTS and more"), &small),
        Err(DecodeError::TooLong { .. })
    ));
}

// ------------------------------------------------------- bad input

fn err(line: &[u8]) -> ParseError {
    match try_parse(line) {
        Err(e) => e,
        Ok(r) => panic!("{:?} parsed: {r:?}", String::from_utf8_lossy(line)),
    }
}

#[test]
fn errors_name_the_rule_and_offset() {
    let e = err(b"* 1 FETCH (UID 0)\r\n");
    assert_eq!((e.rule, e.offset, &e.kind), ("uniqueid", 15, &ErrorKind::Number));
    let e = err(b"* 0 EXPUNGE\r\n");
    assert_eq!((e.rule, e.offset, &e.kind), ("nz-number", 2, &ErrorKind::Number));
    let e = err(b"* 1 FETCH (ENVELOPE (\"d\" \"s\" NIL NIL NIL NIL NIL NIL NIL))\r\n");
    assert_eq!((e.rule, e.offset), ("envelope", 56));
    assert_eq!(e.kind, ErrorKind::Expected("SP"));
    let e = err(b"A1 FOO bar\r\n");
    assert_eq!((e.rule, e.offset), ("resp-cond-state", 3));
    let e = err(b"* LIST () \"ab\" x\r\n");
    assert_eq!(
        (e.rule, e.offset, &e.kind),
        ("mailbox-list", 10, &ErrorKind::Expected("one character or NIL"))
    );
    let e = err(b"* 1 FETCH (BODY[1.0] NIL)\r\n");
    assert_eq!((e.rule, e.offset), ("section", 18));
    let e = err(b"* 1 FETCH (INTERNALDATE \"31-Feb-2024 00:00:00 +0000\")\r\n");
    assert_eq!((e.rule, e.offset), ("date-time", 25));
    let e = err(b"* SEARCH 1 x\r\n");
    assert_eq!((e.rule, e.offset, &e.kind), ("response-data", 11, &ErrorKind::TrailingData));
    let e = err(b"* 1 FETCH (UID 1\r\n");
    assert_eq!((e.rule, e.offset), ("msg-att", 16));
    let e = err(b"* 1 FETCH (BODY[] {10}\r\nabc)\r\n");
    assert_eq!((e.rule, e.kind), ("BODY[]", ErrorKind::UnexpectedEnd));
    let e = err(b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" x))\r\n");
    assert_eq!((e.rule, e.offset), ("body-fld-octets", 60));
    let e = err(b"* STATUS x (FOO 1)\r\n");
    assert_eq!((e.rule, e.offset, &e.kind), ("status-att", 12, &ErrorKind::UnknownKeyword));
    let e = err(b"* (\r\n");
    assert_eq!((e.rule, e.offset), ("response-data", 2));
    let e = err(b"* 1 FETCH (UID 1)");
    assert_eq!((e.rule, e.offset), ("message-data", 17));
    let e = err(b"");
    assert_eq!(e.kind, ErrorKind::UnexpectedEnd);
}

#[test]
fn deep_nesting_is_a_limit_error() {
    let depth = 10_000;
    for item in ["BODYSTRUCTURE", "BODY", "X-UNKNOWN"] {
        let line = format!("* 1 FETCH ({item} {}{})\r\n", "(".repeat(depth), ")".repeat(depth));
        let e = err(line.as_bytes());
        assert_eq!(e.kind, ErrorKind::Limit("nesting depth"), "{item}");
    }
    let line = format!("* THREAD {}1{}\r\n", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(err(line.as_bytes()).kind, ErrorKind::Limit("nesting depth"));
    // message/rfc822 inside message/rfc822 …
    let mut body = String::from("(\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)");
    let env = "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)";
    for _ in 0..200 {
        body = format!("(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 1 {env} {body} 1)");
    }
    let e = err(format!("* 1 FETCH (BODYSTRUCTURE {body})\r\n").as_bytes());
    assert_eq!(e.kind, ErrorKind::Limit("nesting depth"));
    // Within the limit, it parses.
    let line = format!("* 1 FETCH (X-UNKNOWN {}1{})\r\n", "(".repeat(60), ")".repeat(60));
    round(line.as_bytes());
    // Item counts are bounded too.
    let limits = Limits { max_items: 10, ..Limits::default() };
    let line = crlf(&format!("* SEARCH{}", " 1".repeat(11)));
    assert_eq!(Response::parse(&line, &limits).unwrap_err().kind, ErrorKind::Limit("list items"));
}

/// Valid responses of every kind, for the truncation and corruption runs.
fn samples() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = RFC3501.iter().chain(RFC9051).map(|l| crlf(l).to_vec()).collect();
    out.extend(
        [
            "* 1 FETCH (UID 4 MODSEQ (12121231000) X-GM-LABELS (\\Inbox \"a b\") X-GM-MSGID 1 BODY[]<0> {3}\r\nabc)",
            "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 912 (NIL \"s\" ((NIL NIL \"x\" \"y\")) NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) 2 NIL (\"attachment\" (\"filename\" \"a\")) (\"en\") NIL 1 (2)) \"mixed\" (\"boundary\" \"b\") NIL \"en\" NIL))",
            "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996\" \"subj\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) NIL NIL ((NIL NIL \"imap\" \"cac.washington.edu\")) NIL NIL NIL \"<B27397@cac>\"))",
            "* VANISHED (EARLIER) 300:310,405,411",
            "* THREAD (2)(3 6 (4 23)(44 7 96))",
            "* METADATA \"INBOX\" (/private/comment {3}\r\nabc /shared/x NIL)",
            "* QUOTA \"\" (STORAGE 10 512)",
            "* ID (\"name\" \"Cyrus\" \"version\" NIL)",
            "A1 OK [APPENDUID 38505 3955] done",
            "* 1 FETCH (BINARY[1] ~{3}\r\na\0b BINARY.SIZE[1.2] 5 EMAILID (M1) THREADID NIL)",
        ]
        .iter()
        .map(|l| crlf(l).to_vec()),
    );
    out
}

/// A parsed response writes back to bytes that parse equal (as the fuzz
/// target checks).
fn check_fixed_point(r: &Response) {
    let bytes = r.to_bytes();
    let back = Response::parse(&Bytes::from(bytes.clone()), &Limits::default()).unwrap_or_else(|e| {
        panic!("{r:?} written as {:?} does not parse: {e}", String::from_utf8_lossy(&bytes))
    });
    assert_eq!(&back, r, "written as {:?}", String::from_utf8_lossy(&bytes));
    assert_eq!(back.to_bytes(), bytes);
}

#[test]
fn every_truncation_fails_cleanly() {
    for message in samples() {
        for cut in 0..message.len() {
            match try_parse(&message[..cut]) {
                Err(e) => assert!(e.offset <= cut, "{e:?} past the end"),
                // Only the cut after the final LF keeps a whole response
                // (a cut before it never has the line end).
                Ok(r) => check_fixed_point(&r),
            }
            // Truncated, then terminated.
            let mut terminated = message[..cut].to_vec();
            terminated.extend_from_slice(b"\r\n");
            if let Ok(r) = try_parse(&terminated) {
                check_fixed_point(&r);
            }
        }
    }
}

#[test]
fn single_byte_corruptions_fail_cleanly() {
    let replacements = [
        b'(', b')', b' ', b'"', b'\\', b'{', b'}', b'[', b']', b'0', b'9', b'A', b'*', b'~', b'\r', b'\n', 0,
        0x80, 0xff,
    ];
    let mut parsed = 0usize;
    for message in samples() {
        for i in 0..message.len() {
            for &b in &replacements {
                let mut m = message.clone();
                m[i] = b;
                if let Ok(r) = try_parse(&m) {
                    parsed += 1;
                    check_fixed_point(&r);
                }
            }
            let mut m = message.clone();
            m.remove(i);
            if let Ok(r) = try_parse(&m) {
                check_fixed_point(&r);
            }
        }
    }
    assert!(parsed > 1000);
}
