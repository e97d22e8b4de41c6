//! The command codec against the client examples of RFC 3501 §6, RFC 9051
//! §6 and the extension RFCs, Gmail's X-GM-EXT-1, what real clients send,
//! and malformed input.

use std::num::NonZeroU32;

use bytes::Bytes;
use mailwire_imap::Limits;
use mailwire_imap::capability::Capability;
use mailwire_imap::command::*;
use mailwire_imap::encode::{LiteralMode, Writer};
use mailwire_imap::error::{DecodeError, ErrorKind, ParseError};
use mailwire_imap::flag::{Flag, MailboxAttribute};
use mailwire_imap::mailbox::Mailbox;
use mailwire_imap::section::{Section, SectionText};
use mailwire_imap::sequence::SequenceSet;
use mailwire_imap::status::StatusItem;
use mailwire_imap::string::{Form, Str};

// ----- helpers -----

fn try_parse(line: &[u8]) -> Result<Command, ParseError> {
    Command::parse(&Bytes::copy_from_slice(line), &Limits::server())
}

/// Parses `example` + CRLF.
fn parse(example: &str) -> Command {
    let wire = format!("{example}\r\n");
    try_parse(wire.as_bytes()).unwrap_or_else(|e| panic!("{example:?}: {e}"))
}

fn encode(cmd: &Command, mode: LiteralMode) -> String {
    let mut w = Writer::client(mode, false);
    cmd.encode(&mut w);
    String::from_utf8(w.finish().into_bytes()).expect("test examples are UTF-8")
}

/// The example parses, and writes back as `canonical` (or as itself);
/// the written form parses to the same command.
fn check(example: &str, canonical: Option<&str>) -> Command {
    let cmd = parse(example);
    let mode = if example.contains("+}") { LiteralMode::NonSyncAll } else { LiteralMode::Synchronizing };
    let expected = format!("{}\r\n", canonical.unwrap_or(example));
    let written = encode(&cmd, mode);
    assert_eq!(written, expected, "re-encoding {example:?}");
    assert_eq!(parse(canonical.unwrap_or(example)), cmd, "re-parsing {written:?}");
    cmd
}

fn body(example: &str) -> CommandBody {
    check(example, None).body
}

fn seq(s: &str) -> SequenceSet {
    s.parse().unwrap()
}

fn s(v: &str) -> Str {
    Str::from(v)
}

fn mbox(name: &str) -> Mailbox {
    Mailbox::from_wire(Str::from(name))
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

const APPEND_3501: &str = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.COM>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.siam.edu\r\n\
Message-Id: <B27397-0100000@Blurdybloop.COM>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

const APPEND_9051: &str = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.example>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.siam.edu.example\r\n\
Message-Id: <B27397-0100000@Blurdybloop.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

const APPEND_4315: &str = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@example.com>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@example.com\r\n\
Message-Id: <B27397-0100000@example.com>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

/// Every client command example (without its final CRLF), and its
/// canonical re-encoding where that differs (lowercase names, bare flag
/// lists, `()` selections …).
const EXAMPLES: &[(&str, Option<&str>)] = &[
    // RFC 3501 §6.1 / RFC 9051 §6.1
    ("abcd CAPABILITY", None),
    ("efgh STARTTLS", None),
    ("ijkl CAPABILITY", None),
    ("a002 NOOP", None),
    ("a047 NOOP", None),
    ("A023 LOGOUT", None),
    // §6.2
    ("a001 CAPABILITY", None),
    ("a002 STARTTLS", None),
    ("a003 CAPABILITY", None),
    ("a004 LOGIN joe password", None),
    ("A001 AUTHENTICATE GSSAPI", None),
    ("a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=", None),
    ("A01 STARTTLS", None),
    ("A02 CAPABILITY", None),
    ("A03 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=", None),
    ("C01 CAPABILITY", None),
    ("A01 AUTHENTICATE PLAIN", None),
    ("A01 AUTHENTICATE EXTERNAL =", None),
    ("A01 AUTHENTICATE EXTERNAL", None),
    ("a001 LOGIN SMITH SESAME", None),
    // §6.3
    ("t1 CAPABILITY", None),
    ("t2 ENABLE CONDSTORE X-GOOD-IDEA", None),
    ("t3 CAPABILITY", None),
    ("a1 ENABLE CONDSTORE", None),
    ("A142 SELECT INBOX", None),
    ("A143 SELECT Drafts", None),
    ("A932 EXAMINE blurdybloop", None),
    ("A003 CREATE owatagusiam/", None),
    ("A004 CREATE owatagusiam/blurdybloop", None),
    ("A005 CREATE NonNormalized", None),
    ("A682 LIST \"\" *", None),
    ("A683 DELETE blurdybloop", None),
    ("A684 DELETE foo", None),
    ("A685 DELETE foo/bar", None),
    ("A686 LIST \"\" *", None),
    ("A687 DELETE foo", None),
    ("A82 LIST \"\" *", None),
    ("A83 DELETE blurdybloop", None),
    ("A84 DELETE foo", None),
    ("A85 LIST \"\" *", None),
    ("A86 LIST \"\" %", None),
    ("A683 RENAME blurdybloop sarasoop", None),
    ("A684 RENAME foo zowie", None),
    ("A685 LIST \"\" *", None),
    ("Z432 LIST \"\" *", None),
    ("Z433 RENAME INBOX old-mail", None),
    ("Z434 LIST \"\" *", None),
    ("1001 RENAME X Y", None),
    ("1002 SUBSCRIBE Y", None),
    ("1003 UNSUBSCRIBE X", None),
    ("A002 SUBSCRIBE #news.comp.mail.mime", None),
    ("A002 UNSUBSCRIBE #news.comp.mail.mime", None),
    ("A101 LIST \"\" \"\"", None),
    ("A102 LIST #news.comp.mail.misc \"\"", None),
    ("A103 LIST /usr/staff/jones \"\"", None),
    ("A202 LIST ~/Mail/ %", None),
    ("A01 LIST \"\" \"*\"", None),
    ("A02 LIST (SUBSCRIBED) \"\" \"*\"", None),
    ("A03 LIST () \"\" \"%\" RETURN (CHILDREN)", Some("A03 LIST \"\" \"%\" RETURN (CHILDREN)")),
    ("A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)", None),
    ("A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"", None),
    ("A06 LIST (REMOTE) \"\" \"*\" RETURN (SUBSCRIBED)", None),
    ("C01 LIST \"\" \"*\"", None),
    ("CA3 LIST \"\" \"%\" RETURN (CHILDREN)", None),
    ("C02 LIST (SUBSCRIBED) \"\" \"*\"", None),
    ("C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"", None),
    ("C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)", None),
    ("D01 LIST \"\" \"*\"", None),
    ("D02 LIST (SUBSCRIBED) \"\" \"*\"", None),
    ("D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*2\"", None),
    ("D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*\"", None),
    ("a1 LIST \"\" (\"foo\")", Some("a1 LIST \"\" \"foo\"")),
    ("a2 LIST (SUBSCRIBED) \"\" \"foo/*\"", None),
    ("a3 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" foo RETURN (CHILDREN)", None),
    ("a1 LIST (REMOTE) \"\" *", None),
    ("a2 LIST () \"\" %", Some("a2 LIST \"\" %")),
    ("a3 LIST (REMOTE) \"\" %", None),
    ("a3.1 LIST \"\" (% music/rock)", None),
    ("A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))", None),
    ("A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (STATUS (MESSAGES))", None),
    ("A001 NAMESPACE", None),
    ("A002 CREATE \"INBOX.Sent Mail\"", None),
    ("A002 LIST (SPECIAL-USE) \"\" \"*\"", None),
    ("A003 LIST (SPECIAL-USE) \"#mh/\" \"*\"", None),
    ("A004 CREATE \"Sent Mail\"", None),
    ("A005 CREATE \"Delete Items\"", None),
    ("A006 CREATE \"#mh/Deleted Items\"", None),
    ("A002 LIST \"\" \"Other Users/%\"", None),
    ("A002 LIST \"\" \"#Users/%\"", None),
    ("A003 LIST \"\" \"#Users/Mike/%\"", None),
    ("A002 LIST \"\" \"~mark/%\"", None),
    ("A042 STATUS blurdybloop (UIDNEXT MESSAGES)", None),
    ("A002 LSUB \"#news.\" \"comp.mail.*\"", None),
    ("A003 LSUB \"#news.\" \"comp.%\"", None),
    ("A004 COPY 2:4 meeting", None),
    ("A005 UID COPY 305:310 meeting", None),
    ("A006 COPY 2 funny", None),
    ("A007 SELECT funny", None),
    ("A001 SELECT INBOX", None),
    ("A002 IDLE", None),
    ("A003 FETCH 4 ALL", None),
    ("A004 IDLE", None),
    ("A005 FETCH 3 ALL", None),
    ("A006 IDLE", None),
    // §6.4
    ("FXXZ CHECK", None),
    ("A341 CLOSE", None),
    ("A342 UNSELECT", None),
    ("A202 EXPUNGE", None),
    ("A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", None),
    ("A283 SEARCH TEXT \"string not in mailbox\"", None),
    ("A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX", None),
    ("A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", None),
    ("A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", None),
    ("A284 SEARCH TEXT \"string not in mailbox\"", None),
    ("A285 SEARCH CHARSET UTF-8 TEXT {12}\r\nотпуск", None),
    ("A284 SEARCH RETURN (MIN) UNSEEN", None),
    ("A285 UID SEARCH RETURN (MIN MAX) 1:5000", None),
    ("A286 SEARCH RETURN (COUNT) DELETED", None),
    ("A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994", None),
    ("A283 FETCH $ (UID INTERNALDATE FLAGS BODY.PEEK[HEADER])", None),
    ("A300 SEARCH RETURN (SAVE) SINCE 1-Jan-2004 NOT FROM \"Smith\"", None),
    ("A301 UID SEARCH UID $ SMALLER 4096", None),
    ("A301 UID SEARCH $ SMALLER 4096", None),
    ("P282 SEARCH RETURN (SAVE) SINCE 1-Feb-1994 NOT FROM \"Smith\"", None),
    ("P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8+}\r\nмать", None),
    ("B282 SEARCH RETURN (SAVE) SINCE 1-Feb-1994 NOT FROM \"Smith\"", None),
    ("B283 SEARCH RETURN (SAVE) CHARSET KOI8-R (OR $ 1,3000:3021) TEXT {4}\r\nXXXX", None),
    ("E282 SEARCH RETURN (SAVE) SINCE 28-Oct-2006", None),
    ("E283 COPY $ \"Other Messages\"", None),
    ("F282 SEARCH RETURN (SAVE) KEYWORD $Junk", None),
    ("F283 COPY $ \"Junk\"", None),
    ("F284 STORE $ +FLAGS.Silent (\\Deleted)", Some("F284 STORE $ +FLAGS.SILENT (\\Deleted)")),
    ("G282 SEARCH RETURN (SAVE) KEYWORD $Junk", None),
    ("G283 SEARCH RETURN (ALL) SINCE 28-Oct-2006", None),
    ("H282 SEARCH RETURN (SAVE) KEYWORD $Junk", None),
    ("H283 SEARCH RETURN (SAVE) SINCE 28-Oct-2006", None),
    ("C282 SEARCH RETURN (ALL) SINCE 12-Feb-2006", None),
    ("C283 SEARCH RETURN (ALL SAVE) SINCE 12-Feb-2006", None),
    ("C284 SEARCH RETURN (SAVE MIN) SINCE 12-Feb-2006", None),
    ("C285 SEARCH RETURN (MAX SAVE MIN) SINCE 12-Feb-2006 NOT FROM \"Smith\"", None),
    ("C286 SEARCH RETURN (MAX SAVE MIN COUNT) SINCE 12-Feb-2006 NOT FROM \"Smith\"", None),
    ("C286 SEARCH RETURN (ALL SAVE MIN) SINCE 12-Feb-2006 NOT FROM \"Smith\"", None),
    ("A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])", None),
    ("A003 STORE 2:4 +FLAGS (\\Deleted)", None),
    ("A003 COPY 2:4 MEETING", None),
    ("a UID MOVE 42:69 foo", None),
    ("A003 UID EXPUNGE 3000:3002", None),
    ("A999 UID FETCH 4827313:4828442 FLAGS", Some("A999 UID FETCH 4827313:4828442 (FLAGS)")),
    ("a441 CAPABILITY", None),
    // §7.1 and §5.5 (server responses discussed with these commands)
    ("o356 RENAME this that", None),
    ("b LOGIN \"fred\" \"foo\"", None),
    ("c1 AUTHENTICATE PLAIN", None),
    ("c2 AUTHENTICATE PLAIN", None),
    ("l create \"///////\"", Some("l CREATE \"///////\"")),
    ("k1 select \"/archive/projects/experiment-iv\"", Some("k1 SELECT \"/archive/projects/experiment-iv\"")),
    (
        "k2 status \"/archive/projects/experiment-iv\" (messages)",
        Some("k2 STATUS \"/archive/projects/experiment-iv\" (MESSAGES)"),
    ),
    ("e login \"fred\" \"foo\"", Some("e LOGIN \"fred\" \"foo\"")),
    ("h search from maria@example.com", Some("h SEARCH FROM maria@example.com")),
    ("m356 DELETE Notes", None),
    ("g delete \"/archive/projects/experiment-iv\"", Some("g DELETE \"/archive/projects/experiment-iv\"")),
    ("m STORE 42 FLAGS f1 f2 f3 f4 f5", Some("m STORE 42 FLAGS (f1 f2 f3 f4 f5)")),
    ("p RENAME this that", None),
    ("n1 uid copy 1:* oldmail", Some("n1 UID COPY 1:* oldmail")),
    ("d select inbox", Some("d SELECT INBOX")),
    ("A001 LOGIN fred blurdybloop", None),
    ("A222 COPY 1:2 owatagusiam", None),
    ("A223 COPY 3:200 blurdybloop", None),
    ("A443 EXPUNGE", None),
    // §5.5 / §7.5 literals
    ("A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man", None),
    // Appendix: sample sessions
    ("a000 starttls", Some("a000 STARTTLS")),
    ("A001 AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=", None),
    ("babc ENABLE IMAP4rev2", None),
    ("a001 login mrc secret", Some("a001 LOGIN mrc secret")),
    ("a002 select inbox", Some("a002 SELECT INBOX")),
    ("a003 fetch 12 full", Some("a003 FETCH 12 FULL")),
    ("a004 fetch 12 body[header]", Some("a004 FETCH 12 (BODY[HEADER])")),
    ("a005 store 12 +flags \\deleted", Some("a005 STORE 12 +FLAGS (\\Deleted)")),
    ("a006 logout", Some("a006 LOGOUT")),
    // RFC 2177 IDLE: above. RFC 2342 NAMESPACE: above (A001 NAMESPACE …).
    // RFC 2971 ID
    ("a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")", None),
    ("a042 ID NIL", None),
    // RFC 4315 UIDPLUS
    (". UID EXPUNGE 3000:3002", None),
    // RFC 4978 COMPRESS
    ("a starttls", Some("a STARTTLS")),
    ("b login arnt tnra", Some("b LOGIN arnt tnra")),
    ("c compress deflate", Some("c COMPRESS deflate")),
    ("c COMPRESS DEFLATE", None),
    // RFC 5256 SORT and THREAD
    ("A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994", None),
    ("A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL", None),
    ("A284 SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"", None),
    (
        "A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000",
        Some("A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-Mar-2000"),
    ),
    ("A284 THREAD ORDEREDSUBJECT US-ASCII TEXT \"gewp\"", None),
    ("A285 THREAD REFERENCES UTF-8 SINCE 5-MAR-2000", Some("A285 THREAD REFERENCES UTF-8 SINCE 5-Mar-2000")),
    // RFC 5258 LIST-EXTENDED (beyond RFC 9051's copies)
    ("BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")", None),
    ("a1 LIST \"\" (\"foo\" \"foo/*\")", None),
    // RFC 5819 LIST-STATUS (its example has no space before the reference)
    (
        "A02 LIST (SUBSCRIBED RECURSIVEMATCH)\"\" % RETURN (STATUS (MESSAGES))",
        Some("A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (STATUS (MESSAGES))"),
    ),
    // RFC 6154 SPECIAL-USE and CREATE-SPECIAL-USE
    ("t1 CREATE MySpecial (USE (\\Drafts \\Sent))", None),
    ("t2 CREATE MySpecial (USE (\\Drafts))", None),
    ("t3 CREATE Foo/Bar (USE (\\All))", None),
    ("t1 LIST \"\" \"%\" RETURN (SPECIAL-USE)", None),
    ("t1 LIST (SPECIAL-USE) \"\" \"*\"", None),
    // RFC 6851 MOVE: above. RFC 7162 CONDSTORE / QRESYNC
    ("a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted)", None),
    ("a104 STORE * (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted $Processed)", None),
    ("c101 STORE 50 (UNCHANGEDSINCE 12121230045) -FLAGS.SILENT (\\Deleted)", None),
    ("d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)", None),
    ("a102 STORE 12 (UNCHANGEDSINCE 0) +FLAGS.SILENT ($MDNSent)", None),
    ("a106 STORE 100:150 (UNCHANGEDSINCE 212030000000) +FLAGS.SILENT ($Processed)", None),
    ("a107 NOOP", None),
    ("b108 STORE 101 (UNCHANGEDSINCE 303011130956) +FLAGS.SILENT ($Processed)", None),
    (
        "B001 STORE 1:7 (UNCHANGEDSINCE 320172338) +FLAGS (\\SEEN)",
        Some("B001 STORE 1:7 (UNCHANGEDSINCE 320172338) +FLAGS (\\Seen)"),
    ),
    ("b003 STORE 2 (UNCHANGEDSINCE 320172340) +FLAGS (\\Seen)", None),
    ("s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)", None),
    ("a FETCH 1:3 (MODSEQ)", None),
    ("A160 STORE 7 +FLAGS.SILENT (\\Deleted)", None),
    ("C180 NOOP", None),
    ("A240 STORE 7 +FLAGS.SILENT (\\Seen)", None),
    ("A330 STORE 7 -FLAGS.SILENT (\\Answered \\Seen)", None),
    ("a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338", None),
    ("t SEARCH OR NOT MODSEQ 720162338 LARGER 50000", None),
    ("A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)", None),
    ("A142 SELECT INBOX (CONDSTORE)", None),
    ("a SEARCH RETURN (ALL) MODSEQ 1234", None),
    ("a SORT RETURN (ALL) (DATE) UTF-8 MODSEQ 1234", None),
    ("A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))", None),
    ("A03 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))", None),
    ("A04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997))", None),
    (
        "B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))",
        None,
    ),
    ("s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345)", None),
    ("s101 UID SEARCH 300:500", None),
    ("s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)", None),
    ("A202 CLOSE", None),
    (
        "A150 STORE 1:2 (UNCHANGEDSINCE 96) +FLAGS.SILENT \\Seen",
        Some("A150 STORE 1:2 (UNCHANGEDSINCE 96) +FLAGS.SILENT (\\Seen)"),
    ),
    ("A151 STORE 3 +FLAGS.SILENT \\Seen", Some("A151 STORE 3 +FLAGS.SILENT (\\Seen)")),
    ("A142 SELECT INBOX (QRESYNC (3857529045 20010715194032001 1:198))", None),
    // RFC 7888 LITERAL+
    ("A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man", None),
    ("A001 LOGIN \"FRED FOOBAR\" \"fat man\"", None),
    // RFC 9208 QUOTA (and RFC 2087's)
    ("G0001 GETQUOTA \"!partition/sda4\"", None),
    ("G0002 GETQUOTAROOT INBOX", None),
    ("S0000 GETQUOTA \"#user/alice\"", None),
    ("S0001 SETQUOTA \"#user/alice\" (STORAGE 510)", None),
    ("S0002 SETQUOTA \"!partition/sda4\" (STORAGE 99999999)", None),
    ("S0003 STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)", None),
    ("A003 SETQUOTA \"\" (STORAGE 512)", None),
    ("A003 SETQUOTA \"\" ()", None),
    ("A004 SETQUOTA \"\" (STORAGE 512 MESSAGE 10000)", None),
    // RFC 5464 METADATA
    ("a GETMETADATA \"\" /shared/comment", None),
    ("a GETMETADATA \"INBOX\" /private/comment", Some("a GETMETADATA INBOX /private/comment")),
    (
        "a GETMETADATA \"INBOX\" (/shared/comment /private/comment)",
        Some("a GETMETADATA INBOX (/shared/comment /private/comment)"),
    ),
    (
        "a GETMETADATA \"INBOX\" (MAXSIZE 1024) (/shared/comment /private/comment)",
        Some("a GETMETADATA (MAXSIZE 1024) INBOX (/shared/comment /private/comment)"),
    ),
    (
        "a GETMETADATA \"INBOX\" (DEPTH 1) (/private/filters/values)",
        Some("a GETMETADATA (DEPTH 1) INBOX /private/filters/values"),
    ),
    ("a GETMETADATA (MAXSIZE 1024 DEPTH infinity) INBOX (/shared/comment /private/comment)", None),
    ("a SETMETADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)", None),
    ("a SETMETADATA INBOX (/private/comment NIL)", None),
    (
        "a SETMETADATA INBOX (/private/comment \"My new comment\" /shared/comment \"This one is for you!\")",
        None,
    ),
    ("a SETMETADATA INBOX (/private/comment \"My new comment\")", None),
    (
        "a GETMETADATA \"INBOX\" /private/comment /shared/comment",
        Some("a GETMETADATA INBOX (/private/comment /shared/comment)"),
    ),
    ("a NOOP", None),
    // RFC 3516 BINARY
    ("A1 FETCH 1 (BINARY[1]<0.1000> BINARY.PEEK[2.1] BINARY.SIZE[1] BINARY[])", None),
    // Gmail X-GM-EXT-1
    ("a005 SEARCH X-GM-RAW \"has:attachment in:unread\"", None),
    ("a006 FETCH 1:4 (X-GM-MSGID)", None),
    ("a007 UID SEARCH X-GM-MSGID 1278455344230334865", None),
    ("a008 FETCH 1:4 (X-GM-THRID)", None),
    ("a009 SEARCH X-GM-THRID 1266894439832287888", None),
    ("a010 FETCH 1:4 (X-GM-LABELS)", None),
    ("a011 UID SEARCH X-GM-LABELS foo", None),
    ("a012 SEARCH X-GM-LABELS \\Important", None),
    ("a013 SEARCH X-GM-LABELS \"\\\\Starred\"", None),
    ("a014 STORE 1 +X-GM-LABELS (foo)", None),
    ("a015 STORE 1 -X-GM-LABELS (\\Inbox \"Muy Importante\")", None),
    ("a016 UID STORE 1:3 X-GM-LABELS.SILENT (\\Important bar)", None),
    ("a017 SEARCH X-GM-MSGID 18446744073709551615", None),
    ("a018 UID FETCH 1:* (UID X-GM-MSGID X-GM-THRID X-GM-LABELS FLAGS)", None),
    // What real clients send
    ("A1 UID fetch 1:* (FLAGS)", Some("A1 UID FETCH 1:* (FLAGS)")),
    ("A2 FETCH 1:* (FLAGS)", None),
    ("A3 UID FETCH 1:5 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Subject)])", None),
    ("A4 SELECT \"INBOX\"", Some("A4 SELECT INBOX")),
    ("A5 LIST \"\" \"%\"", None),
    ("A6 STORE 1 +FLAGS.SILENT (\\Deleted)", None),
    ("A7 ID NIL", None),
    ("A8 ENABLE QRESYNC", None),
    ("A9 UID EXPUNGE 3:5", None),
    ("A10 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)", None),
    ("A11 FETCH 1 (BODY.PEEK[]<0.2048> BODYSTRUCTURE ENVELOPE INTERNALDATE)", None),
    ("A12 FETCH 2 (BODY[1.2.MIME] BODY[2.TEXT] BODY[HEADER.FIELDS.NOT (Received)])", None),
    ("A13 FETCH 1 (RFC822 RFC822.HEADER RFC822.TEXT BODY)", None),
    ("A14 FETCH 1 (PREVIEW EMAILID THREADID SAVEDATE)", None),
    ("A15 FETCH 1 (PREVIEW (LAZY))", None),
    ("A16 SEARCH UNDELETED UNSEEN NOT OR (FROM alice SUBJECT hi) BCC bob", None),
    ("A17 SEARCH HEADER Message-ID \"<x@y>\" LARGER 10 SMALLER 999 UID 1:4,7", None),
    ("A18 SEARCH OLDER 3600 YOUNGER 60 EMAILID M6d99ac3275bb4e THREADID T64b478a75b7ea9", None),
    (
        "A19 SEARCH SENTBEFORE 1-Jan-2020 SENTON 2-Jan-2020 SENTSINCE 3-Jan-2020 BEFORE 4-Jan-2020 ON 5-Jan-2020",
        None,
    ),
    ("A20 SEARCH NEW OLD RECENT ANSWERED UNANSWERED DRAFT UNDRAFT FLAGGED UNFLAGGED DELETED SEEN", None),
    ("A21 SEARCH KEYWORD $Forwarded UNKEYWORD NonJunk CC carol TO dave BODY lunch", None),
    ("A22 search charset utf-8 subject {5}\r\nhéé", Some("A22 SEARCH CHARSET utf-8 SUBJECT {5}\r\nhéé")),
    ("A23 SEARCH MODSEQ \"/flags/$Junk\" priv 5 MODSEQ \"/flags/\\\\Seen\" shared 6", None),
    ("A24 EXAMINE INBOX (CONDSTORE QRESYNC (1 2))", None),
    ("A25 UID SORT RETURN (MIN MAX) (REVERSE ARRIVAL DISPLAYFROM) UTF-8 ALL", None),
    ("A26 UID THREAD REFERENCES UTF-8 UNDELETED", None),
    ("A27 MOVE 1:3 Archive", None),
    ("A28 UID SEARCH RETURN (PARTIAL) ALL", None),
    (
        "A29 LIST (SUBSCRIBED) \"\" \"*\" RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UIDNEXT HIGHESTMODSEQ))",
        None,
    ),
    ("A30 APPEND INBOX {5+}\r\nhello", None),
    (
        "A31 AUTHENTICATE XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB2RjlkZnQ0cVVUYzJOdmIzUmxia05sYjIxOGk9AQE=",
        None,
    ),
    ("A32 SEARCH CHARSET \"UTF-8\" TEXT \"x\"", None),
];

#[test]
fn every_example_parses_and_writes_back() {
    for (example, canonical) in EXAMPLES {
        check(example, *canonical);
    }
}

#[test]
fn appends_with_literals() {
    // RFC 3501 §6.3.11: the literal is the message with its final CRLF.
    let example = format!("A003 APPEND saved-messages (\\Seen) {{310}}\r\n{APPEND_3501}");
    assert_eq!(APPEND_3501.len(), 310);
    let cmd = check(&example, None);
    let CommandBody::Append { mailbox, flags, date, message } = &cmd.body else { panic!("{cmd:?}") };
    assert_eq!(mailbox, &mbox("saved-messages"));
    assert_eq!(flags, &[Flag::Seen]);
    assert_eq!(date, &None);
    assert_eq!(message.as_bytes(), APPEND_3501.as_bytes());
    assert_eq!(message.form(), Form::Literal);
    // The client stops after the literal header.
    let pieces: Vec<_> = cmd.to_bytes().pieces().map(<[u8]>::to_vec).collect();
    assert_eq!(pieces.len(), 2);
    assert_eq!(pieces[0], b"A003 APPEND saved-messages (\\Seen) {310}\r\n");

    // RFC 9051 §6.3.12 (both examples) and RFC 9208's copy.
    assert_eq!(APPEND_9051.len(), 326);
    check(&format!("A003 APPEND saved-messages (\\Seen) {{326}}\r\n{APPEND_9051}"), None);
    assert_eq!(APPEND_4315.len(), 297);
    let cmd = check(&format!("A003 APPEND saved-messages (\\Seen) {{297+}}\r\n{APPEND_4315}"), None);
    assert!(!cmd.to_bytes().has_waits());
    // RFC 4315 §3
    check(&format!("A003 APPEND saved-messages (\\Seen) {{297}}\r\n{APPEND_4315}"), None);

    // A date-time with a space-padded day (RFC 9051's date-day-fixed),
    // as Dovecot's tests send it.
    let cmd = check(
        &format!("A004 APPEND INBOX (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" {{310}}\r\n{APPEND_3501}"),
        Some(&format!("A004 APPEND INBOX (\\Seen) \"07-Feb-1994 21:52:25 -0800\" {{310}}\r\n{APPEND_3501}")),
    );
    let CommandBody::Append { date: Some(date), .. } = &cmd.body else { panic!() };
    assert_eq!((date.date.day, date.hour, date.offset_minutes), (7, 21, -480));

    // RFC 3516: literal8 (may hold NUL).
    let cmd = parse("A005 APPEND Drafts (\\Draft $MDNSent) ~{5}\r\nab\0cd");
    let CommandBody::Append { message, flags, .. } = &cmd.body else { panic!() };
    assert_eq!(message.as_bytes(), b"ab\0cd");
    assert_eq!(message.form(), Form::Literal8);
    assert_eq!(flags, &[Flag::Draft, Flag::new("$MDNSent").unwrap()]);
    assert_eq!(cmd.to_bytes().as_bytes(), b"A005 APPEND Drafts (\\Draft $MDNSent) ~{5}\r\nab\0cd\r\n");
    // A NUL is refused in an ordinary literal.
    assert!(try_parse(b"A005 APPEND Drafts {5}\r\nab\0cd\r\n").is_err());
    // A message made without a form is written as a literal, literal8 if
    // it holds NUL.
    let cmd = Command::new(
        "A6".try_into().unwrap(),
        CommandBody::Append { mailbox: Mailbox::Inbox, flags: vec![], date: None, message: Str::from("hi") },
    );
    assert_eq!(cmd.to_bytes().as_bytes(), b"A6 APPEND INBOX {2}\r\nhi\r\n");
}

#[test]
fn typed_fields() {
    assert_eq!(
        body("a004 LOGIN joe password"),
        CommandBody::Login { username: s("joe"), password: s("password") }
    );
    let CommandBody::Login { username, password } =
        parse("A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man").body
    else {
        panic!()
    };
    assert_eq!((username.as_bytes(), password.as_bytes()), (&b"FRED FOOBAR"[..], &b"fat man"[..]));
    assert_eq!(username.form(), Form::Literal);

    assert_eq!(
        body("a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q="),
        CommandBody::Authenticate {
            mechanism: "PLAIN".try_into().unwrap(),
            initial_response: Some(Bytes::from_static(b"test\0test\0test")),
        }
    );
    assert_eq!(
        body("A01 AUTHENTICATE EXTERNAL ="),
        CommandBody::Authenticate {
            mechanism: "EXTERNAL".try_into().unwrap(),
            initial_response: Some(Bytes::new())
        }
    );
    assert_eq!(
        body("A01 AUTHENTICATE EXTERNAL"),
        CommandBody::Authenticate { mechanism: "EXTERNAL".try_into().unwrap(), initial_response: None }
    );
    let CommandBody::Authenticate { initial_response: Some(ir), .. } =
        body("A001 AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=")
    else {
        panic!()
    };
    assert_eq!(&ir[..], b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO");

    assert_eq!(
        body("t2 ENABLE CONDSTORE X-GOOD-IDEA"),
        CommandBody::Enable(vec![Capability::CondStore, Capability::new("X-GOOD-IDEA").unwrap()])
    );
    assert_eq!(body("babc ENABLE IMAP4rev2"), CommandBody::Enable(vec![Capability::Imap4rev2]));
    assert_eq!(
        body("A142 SELECT INBOX"),
        CommandBody::Select { mailbox: Mailbox::Inbox, params: SelectParams::default() }
    );
    assert_eq!(
        body("A142 SELECT INBOX (CONDSTORE)"),
        CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: SelectParams { condstore: true, qresync: None }
        }
    );
    let CommandBody::Select { params, .. } = body(
        "B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))",
    ) else {
        panic!()
    };
    let q = params.qresync.unwrap();
    assert_eq!(q.uid_validity, nz(67890007));
    assert_eq!(q.mod_seq, 90060115194045000);
    assert_eq!(q.known_uids, Some(seq("1:29997")));
    let (seqs, uids) = q.seq_match.unwrap();
    assert_eq!(seqs, seq("5000,7500,9000,9990:9999"));
    assert_eq!(uids.ranges().len(), 13);

    assert_eq!(
        body("t1 CREATE MySpecial (USE (\\Drafts \\Sent))"),
        CommandBody::Create {
            mailbox: mbox("MySpecial"),
            special_use: vec![MailboxAttribute::Drafts, MailboxAttribute::Sent]
        }
    );
    assert_eq!(
        body("Z433 RENAME INBOX old-mail"),
        CommandBody::Rename { from: Mailbox::Inbox, to: mbox("old-mail") }
    );
    assert_eq!(
        body("A042 STATUS blurdybloop (UIDNEXT MESSAGES)"),
        CommandBody::Status {
            mailbox: mbox("blurdybloop"),
            items: vec![StatusItem::UidNext, StatusItem::Messages]
        }
    );
    assert_eq!(
        body("A002 LSUB \"#news.\" \"comp.mail.*\""),
        CommandBody::Lsub { reference: mbox("#news."), pattern: s("comp.mail.*") }
    );
    assert_eq!(body("A682 LIST \"\" *"), CommandBody::List(ListCommand::new(mbox(""), "*")));
    let CommandBody::List(l) = body(
        "A29 LIST (SUBSCRIBED) \"\" \"*\" RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UIDNEXT HIGHESTMODSEQ))",
    ) else {
        panic!()
    };
    assert_eq!(l.selection, [ListSelection::Subscribed]);
    assert_eq!(
        l.returns,
        [
            ListReturn::Children,
            ListReturn::SpecialUse,
            ListReturn::Status(vec![StatusItem::Messages, StatusItem::UidNext, StatusItem::HighestModSeq]),
        ]
    );
    let CommandBody::List(l) = body("a3.1 LIST \"\" (% music/rock)") else { panic!() };
    assert_eq!(l.patterns, [s("%"), s("music/rock")]);

    assert_eq!(
        body("a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")"),
        CommandBody::Id(Some(vec![
            (s("name"), Some(s("sodr"))),
            (s("version"), Some(s("19.34"))),
            (s("vendor"), Some(s("Pink Floyd Music Limited"))),
        ]))
    );
    assert_eq!(body("a042 ID NIL"), CommandBody::Id(None));

    assert_eq!(
        body("S0001 SETQUOTA \"#user/alice\" (STORAGE 510)"),
        CommandBody::SetQuota { root: s("#user/alice"), limits: vec![("STORAGE".try_into().unwrap(), 510)] }
    );
    assert_eq!(body("G0002 GETQUOTAROOT INBOX"), CommandBody::GetQuotaRoot(Mailbox::Inbox));
    assert_eq!(body("G0001 GETQUOTA \"!partition/sda4\""), CommandBody::GetQuota(s("!partition/sda4")));
    let CommandBody::Status { items, .. } = body("S0003 STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)")
    else {
        panic!()
    };
    assert_eq!(items, [StatusItem::Messages, StatusItem::Deleted, StatusItem::DeletedStorage]);

    assert_eq!(
        parse("a GETMETADATA \"INBOX\" (MAXSIZE 1024) (/shared/comment /private/comment)").body,
        CommandBody::GetMetadata {
            options: MetadataOptions { max_size: Some(1024), depth: None },
            mailbox: Mailbox::Inbox,
            entries: vec![s("/shared/comment"), s("/private/comment")],
        }
    );
    assert_eq!(
        body("a GETMETADATA (MAXSIZE 1024 DEPTH infinity) INBOX (/shared/comment /private/comment)"),
        CommandBody::GetMetadata {
            options: MetadataOptions { max_size: Some(1024), depth: Some(MetadataDepth::Infinity) },
            mailbox: Mailbox::Inbox,
            entries: vec![s("/shared/comment"), s("/private/comment")],
        }
    );
    assert_eq!(
        body("a SETMETADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)"),
        CommandBody::SetMetadata {
            mailbox: Mailbox::Inbox,
            entries: vec![(s("/private/comment"), Some(s("My new comment across\r\ntwo lines.")))],
        }
    );
    assert_eq!(
        body("a SETMETADATA INBOX (/private/comment NIL)"),
        CommandBody::SetMetadata { mailbox: Mailbox::Inbox, entries: vec![(s("/private/comment"), None)] }
    );
    assert_eq!(body("c COMPRESS DEFLATE"), CommandBody::Compress("DEFLATE".try_into().unwrap()));
    assert_eq!(body("A003 UID EXPUNGE 3000:3002"), CommandBody::UidExpunge(seq("3000:3002")));
    assert_eq!(
        body("a UID MOVE 42:69 foo"),
        CommandBody::Move { uid: true, set: seq("42:69"), mailbox: mbox("foo") }
    );
    assert_eq!(
        body("E283 COPY $ \"Other Messages\""),
        CommandBody::Copy { uid: false, set: SequenceSet::saved_result(), mailbox: mbox("Other Messages") }
    );
}

#[test]
fn typed_search() {
    use SearchKey::*;
    let date = |y, m, d| mailwire_imap::datetime::Date::new(y, m, d).unwrap();
    assert_eq!(
        body("A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\""),
        CommandBody::Search {
            uid: false,
            charset: None,
            criteria: vec![Flagged, Since(date(1994, 2, 1)), Not(Box::new(From(s("Smith"))))],
            returns: None,
        }
    );
    assert_eq!(
        body("A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX"),
        CommandBody::Search {
            uid: false,
            charset: Some(s("UTF-8")),
            criteria: vec![Text(s("XXXXXX"))],
            returns: None
        }
    );
    let CommandBody::Search { criteria, .. } = body("A285 SEARCH CHARSET UTF-8 TEXT {12}\r\nотпуск")
    else {
        panic!()
    };
    assert_eq!(criteria, [Text(s("отпуск"))]);
    assert_eq!(
        body("A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\""),
        CommandBody::Search {
            uid: false,
            charset: None,
            criteria: vec![Flagged, Since(date(1994, 2, 1)), Not(Box::new(From(s("Smith"))))],
            returns: Some(vec![SearchReturn::Min, SearchReturn::Count]),
        }
    );
    let CommandBody::Search { returns, .. } =
        body("A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"")
    else {
        panic!()
    };
    assert_eq!(returns, Some(vec![]));
    assert_eq!(
        body("A301 UID SEARCH UID $ SMALLER 4096"),
        CommandBody::Search {
            uid: true,
            charset: None,
            criteria: vec![Uid(mailwire_imap::sequence::SequenceSet::saved_result()), Smaller(4096)],
            returns: None,
        }
    );
    assert_eq!(
        body("P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8+}\r\nмать"),
        CommandBody::Search {
            uid: false,
            charset: Some(s("UTF-8")),
            criteria: vec![
                And(vec![Or(
                    Box::new(SequenceSet(mailwire_imap::sequence::SequenceSet::saved_result())),
                    Box::new(SequenceSet(seq("1,3000:3021")))
                )]),
                Text(s("мать")),
            ],
            returns: None,
        }
    );
    let CommandBody::Search { criteria, .. } = body("a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338")
    else {
        panic!()
    };
    assert_eq!(criteria, [ModSeq { entry: Some((s("/flags/\\draft"), EntryType::All)), mod_seq: 620162338 }]);
    let CommandBody::Search { criteria, .. } = body("t SEARCH OR NOT MODSEQ 720162338 LARGER 50000") else {
        panic!()
    };
    assert_eq!(
        criteria,
        [Or(Box::new(Not(Box::new(ModSeq { entry: None, mod_seq: 720162338 }))), Box::new(Larger(50000)))]
    );
    let CommandBody::Search { criteria, .. } = body("F282 SEARCH RETURN (SAVE) KEYWORD $Junk") else {
        panic!()
    };
    assert_eq!(criteria, [Keyword("$Junk".try_into().unwrap())]);
    let CommandBody::Search { criteria, .. } =
        body("A17 SEARCH HEADER Message-ID \"<x@y>\" LARGER 10 SMALLER 999 UID 1:4,7")
    else {
        panic!()
    };
    assert_eq!(criteria, [Header(s("Message-ID"), s("<x@y>")), Larger(10), Smaller(999), Uid(seq("1:4,7"))]);
    let CommandBody::Search { criteria, .. } =
        body("A18 SEARCH OLDER 3600 YOUNGER 60 EMAILID M6d99ac3275bb4e THREADID T64b478a75b7ea9")
    else {
        panic!()
    };
    assert_eq!(criteria[..2], [Older(3600), Younger(60)]);

    // Gmail
    assert_eq!(
        body("a005 SEARCH X-GM-RAW \"has:attachment in:unread\""),
        CommandBody::Search {
            uid: false,
            charset: None,
            criteria: vec![XGmRaw(s("has:attachment in:unread"))],
            returns: None
        }
    );
    let CommandBody::Search { criteria, uid, .. } = body("a007 UID SEARCH X-GM-MSGID 1278455344230334865")
    else {
        panic!()
    };
    assert!(uid);
    assert_eq!(criteria, [XGmMsgId(1278455344230334865)]);
    let CommandBody::Search { criteria, .. } = body("a017 SEARCH X-GM-MSGID 18446744073709551615") else {
        panic!()
    };
    assert_eq!(criteria, [XGmMsgId(u64::MAX)]);
    let CommandBody::Search { criteria, .. } = body("a009 SEARCH X-GM-THRID 1266894439832287888") else {
        panic!()
    };
    assert_eq!(criteria, [XGmThrId(1266894439832287888)]);
    let CommandBody::Search { criteria, .. } = body("a012 SEARCH X-GM-LABELS \\Important") else { panic!() };
    assert_eq!(criteria, [XGmLabels(s("\\Important"))]);
    let CommandBody::Search { criteria, .. } = body("a013 SEARCH X-GM-LABELS \"\\\\Starred\"") else {
        panic!()
    };
    assert_eq!(criteria, [XGmLabels(s("\\Starred"))]);

    // SORT and THREAD
    assert_eq!(
        body("A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL"),
        CommandBody::Sort {
            uid: false,
            keys: vec![
                SortKey { reverse: false, criterion: SortCriterion::Subject },
                SortKey { reverse: true, criterion: SortCriterion::Date },
            ],
            charset: s("UTF-8"),
            criteria: vec![All],
            returns: None,
        }
    );
    let CommandBody::Sort { returns, criteria, .. } = body("a SORT RETURN (ALL) (DATE) UTF-8 MODSEQ 1234")
    else {
        panic!()
    };
    assert_eq!(returns, Some(vec![SearchReturn::All]));
    assert_eq!(criteria, [ModSeq { entry: None, mod_seq: 1234 }]);
    assert_eq!(
        parse("A285 THREAD REFERENCES UTF-8 SINCE 5-MAR-2000").body,
        CommandBody::Thread {
            uid: false,
            algorithm: "REFERENCES".try_into().unwrap(),
            charset: s("UTF-8"),
            criteria: vec![Since(date(2000, 3, 5))],
        }
    );
    let CommandBody::Search { returns, .. } = body("A28 UID SEARCH RETURN (PARTIAL) ALL") else { panic!() };
    assert_eq!(returns, Some(vec![SearchReturn::Other("PARTIAL".try_into().unwrap())]));
}

#[test]
fn typed_fetch_and_store() {
    use FetchAttribute::*;
    assert_eq!(
        body("A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])"),
        CommandBody::Fetch {
            uid: false,
            set: seq("2:4"),
            items: FetchItems::List(vec![
                Flags,
                BodySection {
                    section: Section {
                        part: vec![],
                        text: Some(SectionText::HeaderFields(vec![s("DATE"), s("FROM")]))
                    },
                    partial: None,
                    peek: false,
                },
            ]),
            changed_since: None,
            vanished: false,
        }
    );
    let CommandBody::Fetch { items, uid, set, .. } = parse("A999 UID FETCH 4827313:4828442 FLAGS").body
    else {
        panic!()
    };
    assert!(uid);
    assert_eq!(set, seq("4827313:4828442"));
    assert_eq!(items, FetchItems::List(vec![Flags]));
    let CommandBody::Fetch { items, .. } = body("a003 FETCH 12 FULL") else { panic!() };
    assert_eq!(items, FetchItems::Macro(FetchMacro::Full));
    assert_eq!(items.attributes(), [Flags, InternalDate, Rfc822Size, Envelope, Body]);
    let CommandBody::Fetch { items, set, .. } =
        body("A283 FETCH $ (UID INTERNALDATE FLAGS BODY.PEEK[HEADER])")
    else {
        panic!()
    };
    assert!(set.is_saved_result());
    assert_eq!(
        items,
        FetchItems::List(vec![
            Uid,
            InternalDate,
            Flags,
            BodySection { section: Section::header(), partial: None, peek: true }
        ])
    );
    let CommandBody::Fetch { changed_since, vanished, .. } =
        body("s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)")
    else {
        panic!()
    };
    assert_eq!((changed_since, vanished), (Some(12345), true));
    let CommandBody::Fetch { items, .. } =
        body("A1 FETCH 1 (BINARY[1]<0.1000> BINARY.PEEK[2.1] BINARY.SIZE[1] BINARY[])")
    else {
        panic!()
    };
    let partial = mailwire_imap::section::Partial { origin: 0, length: nz(1000) };
    assert_eq!(
        items,
        FetchItems::List(vec![
            Binary { part: vec![nz(1)], partial: Some(partial), peek: false },
            Binary { part: vec![nz(2), nz(1)], partial: None, peek: true },
            BinarySize { part: vec![nz(1)] },
            Binary { part: vec![], partial: None, peek: false },
        ])
    );
    let CommandBody::Fetch { items, .. } =
        body("a018 UID FETCH 1:* (UID X-GM-MSGID X-GM-THRID X-GM-LABELS FLAGS)")
    else {
        panic!()
    };
    assert_eq!(items, FetchItems::List(vec![Uid, XGmMsgId, XGmThrId, XGmLabels, Flags]));

    assert_eq!(
        body("a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted)"),
        CommandBody::Store {
            uid: true,
            set: seq("6,4,8"),
            action: StoreAction::Add,
            silent: true,
            kind: StoreKind::Flags(vec![Flag::Deleted]),
            unchanged_since: Some(12121230045),
        }
    );
    assert_eq!(
        parse("a005 store 12 +flags \\deleted").body,
        CommandBody::Store {
            uid: false,
            set: seq("12"),
            action: StoreAction::Add,
            silent: false,
            kind: StoreKind::Flags(vec![Flag::Deleted]),
            unchanged_since: None,
        }
    );
    let CommandBody::Store { kind, action, .. } = parse("m STORE 42 FLAGS f1 f2 f3 f4 f5").body else {
        panic!()
    };
    assert_eq!(action, StoreAction::Replace);
    assert_eq!(kind, StoreKind::Flags((1..=5).map(|i| Flag::new(&format!("f{i}")).unwrap()).collect()));
    let CommandBody::Store { kind, action, silent, .. } =
        body("a015 STORE 1 -X-GM-LABELS (\\Inbox \"Muy Importante\")")
    else {
        panic!()
    };
    assert_eq!((action, silent), (StoreAction::Remove, false));
    assert_eq!(kind, StoreKind::GmLabels(vec![s("\\Inbox"), s("Muy Importante")]));
    let CommandBody::Store { kind, action, silent, .. } =
        body("a016 UID STORE 1:3 X-GM-LABELS.SILENT (\\Important bar)")
    else {
        panic!()
    };
    assert_eq!((action, silent), (StoreAction::Replace, true));
    assert_eq!(kind, StoreKind::GmLabels(vec![s("\\Important"), s("bar")]));
}

#[test]
fn authenticate_exchange() {
    // RFC 3501 §6.2.2 (GSSAPI), with the editorial line breaks removed.
    let first = "YIIB+wYJKoZIhvcSAQICAQBuggHqMIIB5qADAgEFoQMCAQ6iBwMFACAAAACjggEmYYIBIjCCAR6gAwIBBaESGxB1Lndhc2hpbmd0\
b24uZWR1oi0wK6ADAgEDoSQwIhsEaW1hcBsac2hpdmFtcy5jYWMud2FzaGluZ3Rvbi5lZHWjgdMwgdCgAwIBAaEDAgEDooHDBIHA\
cS1GSa5b+fXnPZNmXB9SjL8Ollj2SKyb+3S0iXMljen/jNkpJXAleKTz6BQPzj8duz8EtoOuNfKgweViyn/9B9bccy1uuAE2HI0y\
C/PHXNNU9ZrBziJ8Lm0tTNc98kUpjXnHZhsMcz5Mx2GR6dGknbI0iaGcRerMUsWOuBmKKKRmVMMdR9T3EZdpqsBd7jZCNMWotjhi\
vd5zovQlFqQ2Wjc2+y46vKP/iXxWIuQJuDiisyXF0Y8+5GTpALpHDc1/pIGmMIGjoAMCAQGigZsEgZg2on5mSuxoDHEA1w9bcW9n\
FdFxDKpdrQhVGVRDIzcCMCTzvUboqb5KjY1NJKJsfjRQiBYBdENKfzK+g5DlV8nrw81uOcP8NOQCLR5XkoMHC0Dr/80ziQzbNqhx\
O6652Npft0LQwJvenwDI13YxpwOdMXzkWZN/XrEqOWp6GCgXTBvCyLWLlWnbaUkZdEYbKHBPjd8t/1x5Yg==";
    for line in [first, "", "YDMGCSqGSIb3EgECAgIBAAD/////3LQBHXTpFfZgrejpLlLImPwkhbfa2QteAQAgAG1yYwE="] {
        let wire = format!("{line}\r\n");
        let data = AuthenticateData::parse(wire.as_bytes()).unwrap();
        let mut w = Writer::client(LiteralMode::Synchronizing, false);
        data.encode(&mut w);
        assert_eq!(w.finish().as_bytes(), wire.as_bytes());
    }
    // RFC 4959 §3: the response after an empty challenge.
    assert_eq!(
        AuthenticateData::parse(b"dGVzdAB0ZXN0AHRlc3Q=\r\n").unwrap(),
        AuthenticateData::Response(b"test\0test\0test".to_vec())
    );
    assert_eq!(AuthenticateData::parse(b"*\r\n").unwrap(), AuthenticateData::Cancel);
    assert_eq!(AuthenticateData::parse(b"\r\n").unwrap(), AuthenticateData::Response(vec![]));
    // Missing padding is tolerated.
    assert_eq!(AuthenticateData::parse(b"dGVzdA\r\n").unwrap(), AuthenticateData::Response(b"test".to_vec()));
    let e = AuthenticateData::parse(b"dGV!zdA==\r\n").unwrap_err();
    assert_eq!((e.rule, e.offset), ("authenticate", 3));
    let mut w = Writer::client(LiteralMode::Synchronizing, false);
    AuthenticateData::Cancel.encode(&mut w);
    assert_eq!(w.finish().as_bytes(), b"*\r\n");
}

#[test]
fn idle_done() {
    assert!(is_idle_done(b"DONE\r\n"));
    assert!(is_idle_done(b"done\n"));
    assert!(is_idle_done(b"Done"));
    assert!(!is_idle_done(b"DONE X\r\n"));
    assert!(!is_idle_done(b"A1 DONE\r\n"));
}

#[test]
fn decoding_from_a_stream() {
    let limits = Limits::server();
    let buf = Bytes::from_static(b"A1 NOOP\r\nA2 LOGIN {3}\r\nabc pass\r\nA3 IDLE\r\n");
    let (cmd, n) = decode(&buf, &limits).unwrap();
    assert_eq!((cmd.tag.as_str(), cmd.body, n), ("A1", CommandBody::Noop, 9));
    let rest = buf.slice(n..);
    let (cmd, m) = decode(&rest, &limits).unwrap();
    assert_eq!(cmd.body, CommandBody::Login { username: s("abc"), password: s("pass") });
    let (cmd, _) = decode(&rest.slice(m..), &limits).unwrap();
    assert_eq!(cmd.body, CommandBody::Idle);

    // Waiting for a continuation request.
    let buf = Bytes::from_static(b"A044 BLURDYBLOOP {102856}\r\n");
    match decode(&buf, &limits) {
        Err(DecodeError::Incomplete { literal: Some(h) }) => {
            assert_eq!((h.length, h.synchronizing), (102856, true));
        }
        other => panic!("{other:?}"),
    }
    // Once some of the literal is there, no more continuation is due.
    let buf = Bytes::from_static(b"A2 LOGIN {3}\r\nab");
    assert_eq!(decode(&buf, &limits), Err(DecodeError::Incomplete { literal: None }));
    let buf = Bytes::from_static(b"A2 LOGIN {3+}\r\n");
    assert_eq!(decode(&buf, &limits), Err(DecodeError::Incomplete { literal: None }));
    let buf = Bytes::from_static(b"A2 NOOP");
    assert_eq!(decode(&buf, &limits), Err(DecodeError::Incomplete { literal: None }));
    // The command is complete but unknown: a parse error.
    let buf = Bytes::from_static(b"A044 BLURDYBLOOP {3}\r\nabc\r\n");
    match decode(&buf, &limits) {
        Err(DecodeError::Parse(e)) => {
            assert_eq!((e.offset, e.rule, e.kind), (5, "command", ErrorKind::UnknownKeyword));
        }
        other => panic!("{other:?}"),
    }
    // Too long.
    let big = format!("A1 APPEND INBOX {{{}}}\r\n", 1u64 << 40);
    assert!(matches!(decode(&Bytes::from(big), &limits), Err(DecodeError::TooLong { .. })));
}

#[test]
fn states_and_names() {
    let state = |s: &str| parse(s).body.state_class();
    assert_eq!(state("a CAPABILITY"), StateClass::Any);
    assert_eq!(state("a ID NIL"), StateClass::Any);
    assert_eq!(state("a LOGOUT"), StateClass::Any);
    assert_eq!(state("a STARTTLS"), StateClass::NotAuthenticated);
    assert_eq!(state("a LOGIN u p"), StateClass::NotAuthenticated);
    assert_eq!(state("a AUTHENTICATE PLAIN"), StateClass::NotAuthenticated);
    assert_eq!(state("a ENABLE QRESYNC"), StateClass::Authenticated);
    assert_eq!(state("a SELECT INBOX"), StateClass::Authenticated);
    assert_eq!(state("a IDLE"), StateClass::Authenticated);
    assert_eq!(state("a APPEND INBOX {1}\r\nx"), StateClass::Authenticated);
    assert_eq!(state("a GETQUOTAROOT INBOX"), StateClass::Authenticated);
    assert_eq!(state("a FETCH 1 ALL"), StateClass::Selected);
    assert_eq!(state("a UID EXPUNGE 1"), StateClass::Selected);
    assert_eq!(state("a CLOSE"), StateClass::Selected);
    assert_eq!(state("a SORT (DATE) UTF-8 ALL"), StateClass::Selected);
    let cmd = parse("a UID FETCH 1 FLAGS");
    assert_eq!((cmd.body.name(), cmd.is_uid()), ("FETCH", true));
    assert_eq!(parse("a UID EXPUNGE 1").body.name(), "EXPUNGE");
    assert!(!parse("a EXPUNGE").is_uid());
}

#[test]
fn tolerance() {
    // Extra spaces, trailing spaces, lowercase, bare LF.
    assert_eq!(parse("A1  FETCH  1:*  (FLAGS) ").body, parse("A1 FETCH 1:* (FLAGS)").body);
    assert_eq!(try_parse(b"A1 noop\n").unwrap().body, CommandBody::Noop);
    assert_eq!(parse("A1 STORE 1 +FLAGS(\\Seen)").body, parse("A1 STORE 1 +FLAGS (\\Seen)").body);
    assert_eq!(parse("a1 uid store 1 flags ()").body, parse("a1 UID STORE 1 FLAGS ()").body);
    assert_eq!(parse("A1 LIST (\"SUBSCRIBED\") \"\" *").body, parse("A1 LIST (SUBSCRIBED) \"\" *").body);
    assert_eq!(parse("A1 search since \"1-Feb-1994\"").body, parse("A1 SEARCH SINCE 1-Feb-1994").body);
    assert_eq!(parse("A1 SEARCH ALL ").body, parse("A1 SEARCH ALL").body);
    assert_eq!(parse("A1 AUTHENTICATE PLAIN ").body, parse("A1 AUTHENTICATE PLAIN").body);
    assert_eq!(parse("A1 AUTHENTICATE PLAIN dGVzdA").body, parse("A1 AUTHENTICATE PLAIN dGVzdA==").body);
    assert_eq!(parse("A1 ENABLE QRESYNC ").body, CommandBody::Enable(vec![Capability::QResync]));
    assert_eq!(parse("A1 select \"inbox\"").body, parse("A1 SELECT INBOX").body);
    assert_eq!(
        parse("A1 login {4}\r\nuser \"pa ss\"").body,
        CommandBody::Login { username: s("user"), password: s("pa ss") }
    );
}

// ----- malformed input -----

fn all_valid_messages() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = EXAMPLES.iter().map(|(e, _)| format!("{e}\r\n").into_bytes()).collect();
    out.push(format!("A003 APPEND saved-messages (\\Seen) {{310}}\r\n{APPEND_3501}\r\n").into_bytes());
    out.push(b"A005 APPEND Drafts (\\Draft) \" 7-Feb-1994 21:52:25 -0800\" ~{5}\r\nab\0cd\r\n".to_vec());
    out
}

#[test]
fn truncations_never_panic() {
    let limits = Limits::server();
    for msg in all_valid_messages() {
        for end in 0..msg.len() {
            let cut = Bytes::copy_from_slice(&msg[..end]);
            let _ = Command::parse(&cut, &limits);
            let _ = decode(&cut, &limits);
        }
        // The whole message decodes.
        let whole = Bytes::copy_from_slice(&msg);
        let (_, n) =
            decode(&whole, &limits).unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(&msg)));
        assert_eq!(n, msg.len());
    }
}

#[test]
fn corruptions_never_panic() {
    let limits = Limits::server();
    let replacements = [
        0u8, b' ', b'(', b')', b'"', b'{', b'}', b'\\', b'\r', b'\n', 0xff, b'*', b'9', b'0', b'[', b'~',
        b'$',
    ];
    let mut errors = 0;
    for msg in all_valid_messages() {
        for i in 0..msg.len() {
            for &r in &replacements {
                let mut bad = msg.clone();
                bad[i] = r;
                let bad = Bytes::from(bad);
                if Command::parse(&bad, &limits).is_err() {
                    errors += 1;
                }
                let _ = decode(&bad, &limits);
            }
            // Deleting a byte, too.
            let mut bad = msg.clone();
            bad.remove(i);
            let _ = Command::parse(&Bytes::from(bad), &limits);
        }
    }
    assert!(errors > 1000);
}

#[test]
fn nesting_is_bounded() {
    let limits = Limits::server();
    let deep = format!("A1 SEARCH {}ALL{}\r\n", "(".repeat(10_000), ")".repeat(10_000));
    let e = Command::parse(&Bytes::from(deep), &limits).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit("nesting depth"));
    assert_eq!(e.rule, "search-key");
    let deep = format!("A1 SEARCH {}ALL\r\n", "NOT ".repeat(10_000));
    assert_eq!(
        Command::parse(&Bytes::from(deep), &limits).unwrap_err().kind,
        ErrorKind::Limit("nesting depth")
    );
    let deep = format!("A1 SEARCH {}ALL{}\r\n", "OR ALL (".repeat(10_000), ")".repeat(10_000));
    assert_eq!(
        Command::parse(&Bytes::from(deep), &limits).unwrap_err().kind,
        ErrorKind::Limit("nesting depth")
    );
    // Within the limit it parses.
    let ok = format!("A1 SEARCH {}ALL{}\r\n", "(".repeat(20), ")".repeat(20));
    assert!(Command::parse(&Bytes::from(ok), &limits).is_ok());
    // Item counts are bounded too.
    let small = Limits { max_items: 10, ..Limits::server() };
    let many = format!("A1 SEARCH{}\r\n", " ALL".repeat(11));
    assert_eq!(Command::parse(&Bytes::from(many), &small).unwrap_err().kind, ErrorKind::Limit("list items"));
    let many = format!("A1 FETCH 1 ({})\r\n", ["UID"; 11].join(" "));
    assert_eq!(Command::parse(&Bytes::from(many), &small).unwrap_err().kind, ErrorKind::Limit("list items"));
}

#[test]
fn errors_name_rule_and_offset() {
    let cases: &[(&str, &str, usize, ErrorKind)] = &[
        ("A442 XPIG-LATIN", "command", 5, ErrorKind::UnknownKeyword),
        ("* OK hello", "tag", 0, ErrorKind::Expected("a tag")),
        ("+ go", "tag", 0, ErrorKind::Expected("a tag")),
        ("A1", "command", 2, ErrorKind::Expected("SP")),
        ("A1 ", "command", 3, ErrorKind::Expected("a command name")),
        ("A1 NOOP extra", "command", 8, ErrorKind::TrailingData),
        ("A1 FETCH 0 FLAGS", "seq-number", 9, ErrorKind::Number),
        ("A1 FETCH 1, FLAGS", "seq-number", 11, ErrorKind::Expected("a number or '*'")),
        ("A1 FETCH 1 (FLAGS BOGUS)", "fetch-att", 18, ErrorKind::UnknownKeyword),
        ("A1 FETCH 1 ()", "fetch", 13, ErrorKind::Expected("a list item")),
        ("A1 FETCH 1 BODY.PEEK", "section", 20, ErrorKind::Expected("'['")),
        ("A1 FETCH 1 BODY[HEADER.FIELDS ()]", "header-list", 32, ErrorKind::Expected("a list item")),
        ("A1 FETCH 1 FLAGS (CHANGEDSINCE x)", "mod-sequence-value", 31, ErrorKind::Expected("a number")),
        ("A1 UID FROB 1", "uid", 7, ErrorKind::UnknownKeyword),
        ("A1 LOGIN user", "login", 13, ErrorKind::Expected("SP")),
        ("A1 LOGIN user (", "password", 14, ErrorKind::Expected("an astring")),
        ("A1 SELECT INBOX (FOO)", "select-params", 17, ErrorKind::UnknownKeyword),
        ("A1 SELECT INBOX (QRESYNC (0 1))", "uidvalidity", 26, ErrorKind::Number),
        ("A1 STORE 1 FLAGZ (\\Seen)", "store-att-flags", 11, ErrorKind::UnknownKeyword),
        ("A1 STORE 1 (UNCHANGEDSINCE 5 X) FLAGS ()", "store-modifier", 29, ErrorKind::UnknownKeyword),
        ("A1 SEARCH SINCE 31-Feb-2020", "date", 16, ErrorKind::Expected("a valid date")),
        ("A1 SEARCH FOO", "search-key", 10, ErrorKind::UnknownKeyword),
        ("A1 SEARCH", "search", 9, ErrorKind::Expected("SP")),
        ("A1 SEARCH (ALL", "search-key", 14, ErrorKind::Expected("SP")),
        ("A1 SEARCH LARGER 99999999999999999999", "search-key", 17, ErrorKind::Number),
        ("A1 SEARCH X-GM-MSGID 18446744073709551616", "search-key", 21, ErrorKind::Number),
        ("A1 SEARCH MODSEQ \"/flags/x\" nobody 5", "entry-type-req", 28, ErrorKind::UnknownKeyword),
        ("A1 SORT () UTF-8 ALL", "sort-criteria", 10, ErrorKind::Expected("a list item")),
        ("A1 SORT (NAME) UTF-8 ALL", "sort-key", 9, ErrorKind::UnknownKeyword),
        ("A1 AUTHENTICATE PLAIN ###", "initial-resp", 22, ErrorKind::Expected("base64 or '='")),
        ("A1 AUTHENTICATE PLAIN dGV=zdA", "initial-resp", 22, ErrorKind::Expected("base64")),
        ("A1 AUTHENTICATE (PLAIN)", "auth-type", 16, ErrorKind::Expected("an atom")),
        ("A1 APPEND INBOX hello", "append-data", 16, ErrorKind::Expected("a literal")),
        ("A1 APPEND INBOX \"hello\" {1}\r\nx", "date-time", 17, ErrorKind::Expected("a digit")),
        ("A1 STATUS INBOX ()", "status", 18, ErrorKind::Expected("a list item")),
        ("A1 STATUS INBOX (MESSAGES FOO)", "status-att", 26, ErrorKind::UnknownKeyword),
        ("A1 ENABLE", "enable", 9, ErrorKind::Expected("a capability")),
        ("A1 LIST \"\" * RETURN (CHILDREN", "list-return-opts", 29, ErrorKind::Expected("SP")),
        ("A1 LIST \"\" * FOO", "list-return-opts", 13, ErrorKind::Expected("RETURN")),
        ("A1 CREATE x (FOO)", "create-param", 13, ErrorKind::UnknownKeyword),
        ("A1 GETMETADATA (DEPTH 2) INBOX /a", "scope-opt", 22, ErrorKind::UnknownKeyword),
        ("A1 SETMETADATA INBOX (/a)", "entry-value", 24, ErrorKind::Expected("SP")),
        ("A1 ID (\"name\")", "id-params-list", 13, ErrorKind::Expected("SP")),
        ("A1 LOGIN \"unterminated", "userid", 22, ErrorKind::Expected("'\"'")),
        ("A1 LOGIN u {5}\r\nab", "password", 16, ErrorKind::UnexpectedEnd),
    ];
    let mut wrong = Vec::new();
    for (input, rule, offset, kind) in cases {
        let wire = format!("{input}\r\n");
        match try_parse(wire.as_bytes()) {
            Ok(cmd) => wrong.push(format!("{input:?} parsed: {cmd:?}")),
            Err(e) if (e.rule, e.offset, &e.kind) != (*rule, *offset, kind) => {
                wrong.push(format!("{input:?}: {:?}", (e.rule, e.offset, &e.kind)))
            }
            Err(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
