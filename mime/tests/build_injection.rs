//! Header injection: a caller value holding CR, LF, NUL or header-like
//! text, in every field the builder takes, either comes back as the same
//! data when the message is parsed (ours and Python's `email`), or is
//! refused with a typed error. It never adds a field, a part or a
//! recipient.

use std::collections::BTreeSet;
use std::process::Command;

use mailwire_mime::build::{BuildError, MessageBuilder, PartBuilder};
use mailwire_mime::{Address, Message};

mod support;

const PAYLOADS: &[&str] = &[
    "x\r\nX-Injected: 1",
    "x\nX-Injected: 1",
    "x\rX-Injected: 1",
    "x\r\n\r\nX-Injected: 1",
    "x\r\n X-Injected: 1",
    "x\0X-Injected: 1",
    "x\r\nBcc: victim@example.org",
    "=?utf-8?q?x=0D=0AX-Injected:_1?=",
    "x\r\n--=_mw0000000000000000\r\nX-Injected: 1",
    "X-Injected: 1",
    "x\u{2028}X-Injected: 1",
    "x\u{85}X-Injected: 1",
];

/// One field the builder takes, and how to read it back.
struct Field {
    name: &'static str,
    /// A value the field accepts.
    clean: &'static str,
    set: fn(MessageBuilder<'static>, &'static str) -> MessageBuilder<'static>,
    /// The value as the parser gives it back, when the field kept it.
    get: fn(&Message<'_>) -> Option<String>,
}

fn base() -> MessageBuilder<'static> {
    MessageBuilder::new().from("a@example.com").to("b@example.com").text("body")
}

fn part_of(b: MessageBuilder<'static>, part: PartBuilder<'static>) -> MessageBuilder<'static> {
    b.attach(part)
}

fn attachment<'a>(msg: &Message<'a>) -> Option<mailwire_mime::Part<'a>> {
    msg.attachments().next().cloned()
}

fn first_name(list: Vec<Address<'_>>) -> Option<String> {
    Address::flatten(&list).next().and_then(|(_, m)| m.name.as_deref().map(str::to_string))
}

fn fields() -> Vec<Field> {
    vec![
        Field {
            name: "Subject",
            clean: "clean",
            set: |b, v| b.subject(v),
            get: |m| m.subject().map(|s| s.into_owned()),
        },
        Field {
            name: "extra header value",
            clean: "clean",
            set: |b, v| b.header("X-Note", v),
            get: |m| m.headers().get("X-Note").map(|f| f.text().into_owned()),
        },
        Field {
            name: "extra header name",
            clean: "X-Clean",
            set: |b, v| b.header(v, "value"),
            get: |_| None,
        },
        Field {
            name: "raw header value",
            clean: "clean",
            set: |b, v| b.header_raw("X-Raw", v.as_bytes()),
            // A raw value is wire form: it comes back as written, folding kept.
            get: |m| {
                m.headers()
                    .get_raw("X-Raw")
                    .map(|v| String::from_utf8_lossy(v.trim_ascii_start()).into_owned())
            },
        },
        Field {
            name: "From display name",
            clean: "clean",
            set: |_, v| MessageBuilder::new().from((v, "a@example.com")).to("b@example.com").text("body"),
            get: |m| first_name(m.from()),
        },
        Field {
            name: "From address",
            clean: "c@example.com",
            set: |b, v| b.from(("Name", v)),
            get: |_| None,
        },
        Field { name: "To text", clean: "c@example.com", set: |b, v| b.to(v), get: |_| None },
        Field {
            name: "Cc display name",
            clean: "clean",
            set: |b, v| b.cc((v, "c@example.com")),
            get: |m| first_name(m.cc()),
        },
        Field { name: "Bcc", clean: "c@example.com", set: |b, v| b.bcc(v), get: |_| None },
        Field { name: "Reply-To", clean: "c@example.com", set: |b, v| b.reply_to(v), get: |_| None },
        Field { name: "Sender", clean: "c@example.com", set: |b, v| b.sender(v), get: |_| None },
        Field { name: "Message-ID", clean: "<c@example.com>", set: |b, v| b.message_id(v), get: |_| None },
        Field { name: "In-Reply-To", clean: "<c@example.com>", set: |b, v| b.in_reply_to(v), get: |_| None },
        Field { name: "References", clean: "<c@example.com>", set: |b, v| b.references(v), get: |_| None },
        Field {
            name: "List-Unsubscribe",
            clean: "https://example.com/u",
            set: |b, v| b.list_unsubscribe(v),
            get: |_| None,
        },
        Field {
            name: "attachment filename",
            clean: "clean",
            set: |b, v| b.attachment("application/octet-stream", v, &b"data"[..]),
            get: |m| attachment(m).and_then(|p| p.filename().map(|f| f.into_owned())),
        },
        Field {
            name: "attachment media type",
            clean: "application/pdf",
            set: |b, v| b.attachment(v, "f.bin", &b"data"[..]),
            get: |_| None,
        },
        Field {
            name: "inline Content-ID",
            clean: "c@example.com",
            set: |b, v| b.html("<img src=cid:x>").inline("image/png", v, &b"png"[..]),
            get: |_| None,
        },
        Field {
            name: "Content-Description",
            clean: "clean",
            set: |b, v| part_of(b, PartBuilder::binary("application/pdf", &b"%PDF"[..]).description(v)),
            get: |m| attachment(m).and_then(|p| p.headers().content_description().map(|d| d.into_owned())),
        },
        Field {
            name: "part header",
            clean: "clean",
            set: |b, v| {
                part_of(
                    b,
                    PartBuilder::binary("application/pdf", &b"%PDF"[..])
                        .attachment("a.pdf")
                        .header("X-Part", v),
                )
            },
            get: |m| attachment(m).and_then(|p| p.headers().get("X-Part").map(|f| f.text().into_owned())),
        },
        Field {
            name: "Content-Type parameter value",
            clean: "clean",
            set: |b, v| {
                part_of(
                    b,
                    PartBuilder::binary("application/pdf", &b"%PDF"[..])
                        .attachment("a.pdf")
                        .param("x-info", v),
                )
            },
            get: |m| attachment(m).and_then(|p| p.content_type().param("x-info").map(str::to_string)),
        },
        Field {
            name: "Content-Type parameter name",
            clean: "x-a",
            set: |b, v| part_of(b, PartBuilder::binary("application/pdf", &b"%PDF"[..]).param(v, "1")),
            get: |_| None,
        },
        Field {
            name: "charset",
            clean: "utf-8",
            set: |b, v| part_of(b, PartBuilder::text("hello").charset(v)),
            get: |_| None,
        },
        Field {
            name: "text body",
            clean: "clean",
            set: |b, v| b.text(v),
            get: |m| m.text_body(0).map(|t| t.into_owned()),
        },
    ]
}

/// The header field names of every part, and how many parts there are.
fn shape(msg: &Message<'_>) -> (BTreeSet<String>, usize) {
    let names =
        msg.parts().iter().flat_map(|p| p.headers().iter().map(|f| f.name().to_ascii_lowercase())).collect();
    (names, msg.parts().len())
}

#[test]
fn no_value_in_any_field_adds_a_field_or_a_part() {
    let mut written = Vec::new();
    let (mut kept, mut refused) = (0, 0);
    for field in fields() {
        let clean =
            (field.set)(base(), field.clean).to_vec().unwrap_or_else(|e| panic!("{}: {e}", field.name));
        let (clean_names, clean_parts) = shape(&Message::parse(&clean));
        for &payload in PAYLOADS {
            match (field.set)(base(), payload).to_vec() {
                Ok(bytes) => {
                    let msg = Message::parse(&bytes);
                    let (names, parts) = shape(&msg);
                    assert!(
                        !names.contains("x-injected") && !names.contains("bcc"),
                        "{}: {payload:?} added a field:\n{}",
                        field.name,
                        String::from_utf8_lossy(&bytes)
                    );
                    assert!(
                        names.is_subset(&clean_names) || names == clean_names,
                        "{}: {payload:?}",
                        field.name
                    );
                    assert_eq!(parts, clean_parts, "{}: {payload:?} changed the parts", field.name);
                    assert_eq!(msg.defects().count(), 0, "{}: {payload:?}", field.name);
                    if let Some(back) = (field.get)(&msg) {
                        assert_eq!(normalise(&back), normalise(payload), "{}: not kept as data", field.name);
                    }
                    kept += 1;
                    written.push((field.name, payload, bytes));
                }
                Err(e) => {
                    assert!(!matches!(e, BuildError::Io(_)), "{}: {e}", field.name);
                    assert!(!e.to_string().is_empty());
                    refused += 1;
                }
            }
        }
    }
    println!("injection: {kept} values kept as data, {refused} refused, over {} fields", fields().len());
    assert!(kept > 0 && refused > 0);
    python_sees_no_injected_field(&written);
}

/// Line breaks in a body are CRLF once sent; elsewhere the value is exact.
fn normalise(s: &str) -> String {
    s.replace("\r\n", "\n")
}

#[test]
fn addresses_and_ids_with_breaks_are_refused_with_the_field_named() {
    let cases: Vec<(&str, MessageBuilder<'static>)> = vec![
        ("To", base().to("b@example.com\r\nBcc: x@y.z")),
        ("From", base().from(("n", "a@example.com\nX: y"))),
        ("Message-ID", base().message_id("<a@b>\r\nX: y")),
        ("References", base().references("<a@b> <c@d>")),
        ("X-Raw", base().header_raw("X-Raw", &b"a\r\nX-Injected: 1"[..])),
    ];
    for (field, b) in cases {
        let e = b.to_vec().expect_err(field);
        assert!(e.to_string().contains(field), "{field}: {e}");
    }
}

#[test]
fn a_raw_value_may_hold_folding() {
    let bytes = base().header_raw("X-Raw", &b"a\r\n b"[..]).to_vec().unwrap();
    let msg = Message::parse(&bytes);
    assert_eq!(msg.headers().get("X-Raw").unwrap().text(), "a b");
}

/// Python's `email` (default policy) must see the same fields: none added.
fn python_sees_no_injected_field(written: &[(&str, &str, Vec<u8>)]) {
    if !support::python3() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("mailwire-injection-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut paths = Vec::new();
    for (i, (_, _, bytes)) in written.iter().enumerate() {
        let p = dir.join(format!("{i}.eml"));
        std::fs::write(&p, bytes).unwrap();
        paths.push(p);
    }
    let script = concat!(
        "import sys, email, email.policy\n",
        "for p in sys.argv[1:]:\n",
        "    m = email.message_from_bytes(open(p, 'rb').read(), policy=email.policy.default)\n",
        "    names = sorted({k.lower() for part in m.walk() for k in part.keys()})\n",
        "    print(' '.join(names) + ' ' + str(len(list(m.walk()))))\n",
    );
    let out = Command::new("python3").arg("-c").arg(script).args(&paths).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    for ((field, payload, bytes), line) in written.iter().zip(stdout.lines()) {
        assert!(
            !line.split(' ').any(|n| n == "x-injected" || n == "bcc"),
            "python: {field}: {payload:?} added a field ({line}):\n{}",
            String::from_utf8_lossy(bytes)
        );
        let ours = Message::parse(bytes).parts().len();
        assert!(line.ends_with(&format!(" {ours}")), "python: {field}: {payload:?}: parts differ ({line})");
    }
    assert_eq!(stdout.lines().count(), written.len());
    println!("python: {} messages, no field added", written.len());
    let _ = std::fs::remove_dir_all(&dir);
}
