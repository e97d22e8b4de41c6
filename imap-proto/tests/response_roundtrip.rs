//! Random valid responses of every kind (status responses with codes,
//! FETCH with envelopes, body structures, sections and literals, LIST,
//! SEARCH, ESEARCH, …) write and parse back to themselves, with 7-bit and
//! UTF-8 writers, and their written form is a fixed point.

use std::num::NonZeroU32;

use bytes::Bytes;
use mailwire_imap::Limits;
use mailwire_imap::capability::Capability;
use mailwire_imap::datetime::{Date, DateTime};
use mailwire_imap::encode::Writer;
use mailwire_imap::flag::{Flag, MailboxAttribute};
use mailwire_imap::mailbox::Mailbox;
use mailwire_imap::response::*;
use mailwire_imap::section::{Section, SectionText};
use mailwire_imap::sequence::{SeqNumber, SeqRange, SequenceSet};
use mailwire_imap::status::StatusItem;
use mailwire_imap::string::{Atom, Form, Str, Tag, Text};
use proptest::collection::vec;
use proptest::prelude::*;

fn atom() -> impl Strategy<Value = Atom> {
    "[A-Za-z][A-Za-z0-9.$_-]{0,9}".prop_map(|s| Atom::new(Bytes::from(s)).unwrap())
}

/// An atom that is no known keyword (for the `Other` variants).
fn x_atom() -> impl Strategy<Value = Atom> {
    "[A-Z0-9]{1,8}".prop_map(|s| Atom::new(Bytes::from(format!("X-{s}"))).unwrap())
}

fn tag() -> impl Strategy<Value = Tag> {
    "[A-Za-z0-9.]{1,8}".prop_map(|s| Tag::new(Bytes::from(s)).unwrap())
}

/// Bytes for a string: mostly printable, sometimes line breaks, UTF-8,
/// 8-bit (written as literals), or NUL (a literal8).
fn string_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => "[ -~]{0,16}".prop_map(String::into_bytes),
        1 => "[a-z]{0,4}[ \u{e9}\u{43f}\"\\\\(){}*%\\]\\[\r\n]{0,4}".prop_map(String::into_bytes),
        1 => vec(1u8..=255, 0..24),
    ]
}

fn form() -> impl Strategy<Value = Form> {
    prop_oneof![4 => Just(Form::Auto), 1 => Just(Form::Quoted), 1 => Just(Form::Literal)]
}

fn string() -> impl Strategy<Value = Str> {
    (string_bytes(), form()).prop_map(|(b, f)| Str::with_form(b, f))
}

fn nstring() -> impl Strategy<Value = Option<Str>> {
    prop::option::weighted(0.8, string())
}

/// A body's content, NUL included now and then.
fn content() -> impl Strategy<Value = Option<Str>> {
    prop_oneof![
        4 => nstring(),
        1 => vec(any::<u8>(), 0..40).prop_map(|b| Some(Str::new(b))),
    ]
}

fn mailbox() -> impl Strategy<Value = Mailbox> {
    prop_oneof![1 => Just(Mailbox::Inbox), 5 => string().prop_map(Mailbox::from_wire)]
}

/// Text: printable, not starting with `[` (that would be a code) and not
/// ending like a literal header.
fn text() -> impl Strategy<Value = Text> {
    "([ -Z\\\\^-z|~][ -z|~]{0,30})?".prop_map(|s| Text::try_from(s.as_str()).unwrap())
}

fn nz() -> impl Strategy<Value = NonZeroU32> {
    (1u32..=u32::MAX).prop_map(|n| NonZeroU32::new(n).unwrap())
}

fn small_nz() -> impl Strategy<Value = NonZeroU32> {
    (1u32..2000).prop_map(|n| NonZeroU32::new(n).unwrap())
}

fn u63() -> impl Strategy<Value = u64> {
    0..=i64::MAX as u64
}

fn seq_number() -> impl Strategy<Value = SeqNumber> {
    prop_oneof![6 => nz().prop_map(SeqNumber::Value), 1 => Just(SeqNumber::Largest)]
}

fn sequence_set() -> impl Strategy<Value = SequenceSet> {
    vec((seq_number(), prop::option::of(seq_number())), 1..4).prop_map(|v| {
        let ranges =
            v.into_iter().map(|(start, end)| SeqRange { start, end: end.unwrap_or(start) }).collect();
        SequenceSet::new(ranges).unwrap()
    })
}

fn flag() -> impl Strategy<Value = Flag> {
    prop_oneof![
        Just(Flag::Seen),
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Draft),
        Just(Flag::Recent),
        Just(Flag::Wildcard),
        x_atom().prop_map(Flag::Extension),
        atom().prop_map(Flag::Keyword),
    ]
}

fn capability() -> impl Strategy<Value = Capability> {
    prop_oneof![
        Just("IMAP4rev1".to_owned()),
        Just("IMAP4rev2".to_owned()),
        Just("IDLE".to_owned()),
        Just("LITERAL+".to_owned()),
        Just("AUTH=PLAIN".to_owned()),
        Just("APPENDLIMIT=35651584".to_owned()),
        "[A-Z]{1,8}(=[A-Z0-9]{1,5})?",
    ]
    .prop_map(|s| Capability::new(&s).unwrap())
}

fn code() -> BoxedStrategy<Code> {
    let simple = prop_oneof![
        Just(Code::Alert),
        Just(Code::Parse),
        Just(Code::ReadOnly),
        Just(Code::ReadWrite),
        Just(Code::TryCreate),
        Just(Code::UidNotSticky),
        Just(Code::NoModSeq),
        Just(Code::Closed),
        Just(Code::CompressionActive),
        Just(Code::OverQuota),
        Just(Code::TooBig),
        Just(Code::Unavailable),
        Just(Code::AuthenticationFailed),
        Just(Code::AuthorizationFailed),
        Just(Code::Expired),
        Just(Code::PrivacyRequired),
        Just(Code::ContactAdmin),
        Just(Code::NoPerm),
        Just(Code::InUse),
        Just(Code::ExpungeIssued),
        Just(Code::Corruption),
        Just(Code::ServerBug),
        Just(Code::ClientBug),
        Just(Code::Cannot),
        Just(Code::Limit),
        Just(Code::AlreadyExists),
        Just(Code::NonExistent),
        Just(Code::HasChildren),
        Just(Code::NotSaved),
        Just(Code::UnknownCte),
        Just(Code::UseAttr),
    ];
    let charset = prop_oneof![
        atom().prop_map(Str::from),
        "[ -Z^-~]{0,8}".prop_map(|s| Str::with_form(Bytes::from(s), Form::Quoted)),
    ];
    let metadata = prop_oneof![
        any::<u32>().prop_map(MetadataCode::LongEntries),
        any::<u32>().prop_map(MetadataCode::MaxSize),
        Just(MetadataCode::TooMany),
        Just(MetadataCode::NoPrivate),
    ];
    prop_oneof![
        4 => simple,
        1 => vec(charset, 0..3).prop_map(Code::BadCharset),
        1 => vec(capability(), 0..5).prop_map(Code::Capability),
        1 => vec(flag(), 0..5).prop_map(Code::PermanentFlags),
        1 => any::<u32>().prop_map(Code::UidNext),
        1 => any::<u32>().prop_map(Code::UidValidity),
        1 => any::<u32>().prop_map(Code::Unseen),
        1 => (any::<u32>(), sequence_set()).prop_map(|(uid_validity, uids)| Code::AppendUid { uid_validity, uids }),
        1 => (any::<u32>(), sequence_set(), sequence_set())
            .prop_map(|(uid_validity, source, destination)| Code::CopyUid { uid_validity, source, destination }),
        1 => u63().prop_map(Code::HighestModSeq),
        1 => sequence_set().prop_map(Code::Modified),
        1 => metadata.prop_map(Code::Metadata),
        1 => "[A-Za-z0-9_-]{1,20}".prop_map(|s| Code::MailboxId(Str::from(s.as_str()))),
        1 => (x_atom(), prop::option::of("[ -\\\\^-~]{0,12}"))
            .prop_map(|(name, value)| Code::Other { name, value: value.map(Bytes::from) }),
    ]
    .boxed()
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (1900u16..2100, 1u8..=12, 1u8..=28, 0u8..24, 0u8..60, 0u8..=60, -720i16..=840).prop_map(
        |(y, mo, d, h, mi, s, off)| DateTime::new(Date::new(y, mo, d).unwrap(), h, mi, s, off).unwrap(),
    )
}

fn address() -> impl Strategy<Value = Address> {
    (nstring(), nstring(), nstring(), nstring()).prop_map(|(name, adl, mailbox, host)| Address {
        name,
        adl,
        mailbox,
        host,
    })
}

fn addresses() -> BoxedStrategy<Vec<Address>> {
    vec(address(), 0..3).boxed()
}

fn envelope() -> BoxedStrategy<Envelope> {
    (
        (nstring(), nstring(), addresses(), addresses(), addresses()),
        (addresses(), addresses(), addresses(), nstring(), nstring()),
    )
        .prop_map(|((date, subject, from, sender, reply_to), (to, cc, bcc, in_reply_to, message_id))| {
            Envelope { date, subject, from, sender, reply_to, to, cc, bcc, in_reply_to, message_id }
        })
        .boxed()
}

fn params() -> impl Strategy<Value = BodyParams> {
    prop::option::of(vec((string(), string()), 0..3))
}

fn ext_value() -> BoxedStrategy<ExtValue> {
    let leaf = prop_oneof![
        Just(ExtValue::Nil),
        any::<u32>().prop_map(|n| ExtValue::token(&n.to_string())),
        string().prop_map(ExtValue::Str),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| vec(inner, 0..4).prop_map(ExtValue::List)).boxed()
}

/// A body-extension: NIL, numbers, strings and lists of them.
fn body_extension() -> BoxedStrategy<ExtValue> {
    let leaf = prop_oneof![
        Just(ExtValue::Nil),
        any::<u32>().prop_map(|n| ExtValue::token(&n.to_string())),
        string().prop_map(ExtValue::Str),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| vec(inner, 1..4).prop_map(ExtValue::List)).boxed()
}

fn extension_data() -> BoxedStrategy<ExtensionData> {
    let disposition =
        prop::option::of((string(), params()).prop_map(|(kind, params)| Disposition { kind, params }));
    let language = prop::option::of(prop_oneof![
        string().prop_map(Language::One),
        vec(string(), 0..3).prop_map(Language::List),
    ]);
    (0u8..=3, disposition, language, nstring(), vec(body_extension(), 0..3))
        .prop_map(|(present, disposition, language, location, extensions)| ExtensionData {
            disposition: if present >= 1 { disposition } else { None },
            language: if present >= 2 { language } else { None },
            location: if present >= 3 { location } else { None },
            extensions: if present >= 3 { extensions } else { Vec::new() },
            present,
        })
        .boxed()
}

fn body_fields() -> BoxedStrategy<BodyFields> {
    (params(), nstring(), nstring(), string(), any::<u32>())
        .prop_map(|(params, id, description, encoding, octets)| BodyFields {
            params,
            id,
            description,
            encoding,
            octets,
        })
        .boxed()
}

fn leaf() -> BoxedStrategy<BodyStructure> {
    let single_ext = prop::option::of(
        (nstring(), extension_data()).prop_map(|(md5, more)| Box::new(SingleExtension { md5, more })),
    );
    let kind = prop_oneof![
        ("(IMAGE|APPLICATION|audio|video)", "[A-Za-z]{1,8}").prop_map(|(t, s)| (t, s, None)),
        ("(TEXT|text)", "[A-Za-z]{1,8}", u63()).prop_map(|(t, s, lines)| (t, s, Some(lines))),
    ];
    (kind, body_fields(), single_ext)
        .prop_map(|((media_type, subtype, lines), fields, extension)| BodyStructure::Single {
            media_type: Str::from(media_type.as_str()),
            subtype: Str::from(subtype.as_str()),
            fields,
            kind: match lines {
                Some(lines) => SingleKind::Text { lines },
                None => SingleKind::Basic,
            },
            extension,
        })
        .boxed()
}

fn body() -> BoxedStrategy<BodyStructure> {
    leaf().prop_recursive(4, 16, 3, |inner| {
        let multipart_ext = prop::option::of(
            (params(), extension_data()).prop_map(|(params, more)| Box::new(MultipartExtension { params, more })),
        );
        let message = (body_fields(), envelope(), inner.clone(), u63()).prop_map(|(fields, envelope, body, lines)| {
            BodyStructure::Single {
                media_type: Str::from("MESSAGE"),
                subtype: Str::from("RFC822"),
                fields,
                kind: SingleKind::Message { envelope: Box::new(envelope), body: Box::new(body), lines },
                extension: None,
            }
        });
        prop_oneof![
            3 => (vec(inner, 1..4), "[A-Za-z]{1,10}", multipart_ext).prop_map(|(parts, subtype, extension)| {
                BodyStructure::Multipart { parts, subtype: Str::from(subtype.as_str()), extension }
            }),
            1 => message,
        ]
    })
    .boxed()
}

fn section() -> BoxedStrategy<Section> {
    let text = prop_oneof![
        Just(None),
        Just(Some(SectionText::Header)),
        Just(Some(SectionText::Text)),
        vec(atom().prop_map(Str::from), 1..3).prop_map(|v| Some(SectionText::HeaderFields(v))),
        vec(atom().prop_map(Str::from), 1..3).prop_map(|v| Some(SectionText::HeaderFieldsNot(v))),
    ];
    (vec(small_nz(), 0..3), text, any::<bool>())
        .prop_map(|(part, text, mime)| {
            let text = if mime && !part.is_empty() { Some(SectionText::Mime) } else { text };
            Section { part, text }
        })
        .boxed()
}

fn label() -> impl Strategy<Value = Str> {
    prop_oneof!["\\\\[A-Z][a-z]{1,8}".prop_map(|s| Str::with_form(Bytes::from(s), Form::Atom)), string(),]
}

fn fetch_item() -> BoxedStrategy<FetchItem> {
    prop_oneof![
        vec(flag(), 0..4).prop_map(FetchItem::Flags),
        nz().prop_map(FetchItem::Uid),
        u63().prop_map(FetchItem::Rfc822Size),
        date_time().prop_map(FetchItem::InternalDate),
        envelope().prop_map(|e| FetchItem::Envelope(Box::new(e))),
        body().prop_map(|b| FetchItem::BodyStructure(Box::new(b))),
        (section(), prop::option::of(any::<u32>()), content())
            .prop_map(|(section, origin, data)| FetchItem::BodySection { section, origin, data }),
        (vec(small_nz(), 0..3), content()).prop_map(|(part, data)| FetchItem::Binary { part, data }),
        (vec(small_nz(), 0..3), any::<u32>()).prop_map(|(part, size)| FetchItem::BinarySize { part, size }),
        u63().prop_map(FetchItem::ModSeq),
        content().prop_map(FetchItem::Rfc822),
        content().prop_map(FetchItem::Rfc822Header),
        content().prop_map(FetchItem::Rfc822Text),
        any::<u64>().prop_map(FetchItem::XGmMsgId),
        any::<u64>().prop_map(FetchItem::XGmThrId),
        vec(label(), 0..4).prop_map(FetchItem::XGmLabels),
        nstring().prop_map(FetchItem::Preview),
        "[A-Za-z0-9_-]{1,12}".prop_map(|s| FetchItem::EmailId(Str::from(s.as_str()))),
        prop::option::of("[A-Za-z0-9_-]{1,12}")
            .prop_map(|s| FetchItem::ThreadId(s.map(|s| Str::from(s.as_str())))),
        prop::option::of(date_time()).prop_map(FetchItem::SaveDate),
        (x_atom(), ext_value()).prop_map(|(name, value)| FetchItem::Other { name, value }),
    ]
    .boxed()
}

fn attribute() -> impl Strategy<Value = MailboxAttribute> {
    prop_oneof![
        Just(MailboxAttribute::NoInferiors),
        Just(MailboxAttribute::NoSelect),
        Just(MailboxAttribute::Marked),
        Just(MailboxAttribute::HasChildren),
        Just(MailboxAttribute::HasNoChildren),
        Just(MailboxAttribute::Subscribed),
        Just(MailboxAttribute::Sent),
        Just(MailboxAttribute::Trash),
        x_atom().prop_map(MailboxAttribute::Other),
    ]
}

fn delimiter() -> impl Strategy<Value = Option<char>> {
    prop::option::weighted(0.9, prop_oneof![Just('/'), Just('.'), Just('\\'), Just('"'), Just(':')])
}

fn list_item() -> BoxedStrategy<ListItem> {
    let extended = prop_oneof![
        vec(string(), 0..3).prop_map(ListExtendedItem::ChildInfo),
        mailbox().prop_map(ListExtendedItem::OldName),
        (x_atom().prop_map(Str::from), ext_value())
            .prop_map(|(tag, value)| ListExtendedItem::Other { tag, value }),
    ];
    (vec(attribute(), 0..4), delimiter(), mailbox(), vec(extended, 0..3))
        .prop_map(|(attributes, delimiter, mailbox, extended)| ListItem {
            attributes,
            delimiter,
            mailbox,
            extended,
        })
        .boxed()
}

fn status_item() -> impl Strategy<Value = StatusItem> {
    prop_oneof![
        Just(StatusItem::Messages),
        Just(StatusItem::Recent),
        Just(StatusItem::UidNext),
        Just(StatusItem::UidValidity),
        Just(StatusItem::Unseen),
        Just(StatusItem::Deleted),
        Just(StatusItem::DeletedStorage),
        Just(StatusItem::Size),
        Just(StatusItem::HighestModSeq),
        Just(StatusItem::AppendLimit),
    ]
}

fn esearch() -> BoxedStrategy<ESearch> {
    let item = prop_oneof![
        any::<u32>().prop_map(ESearchData::Min),
        any::<u32>().prop_map(ESearchData::Max),
        any::<u32>().prop_map(ESearchData::Count),
        sequence_set().prop_map(ESearchData::All),
        u63().prop_map(ESearchData::ModSeq),
        (x_atom(), ext_value()).prop_map(|(name, value)| ESearchData::Other { name, value }),
    ];
    (prop::option::of(string()), any::<bool>(), vec(item, 0..4))
        .prop_map(|(tag, uid, data)| ESearch { tag, uid, data })
        .boxed()
}

fn thread() -> BoxedStrategy<Thread> {
    let leaf = vec(1u32..5000, 1..4).prop_map(|members| Thread { members, children: Vec::new() });
    leaf.prop_recursive(4, 20, 3, |inner| {
        (vec(1u32..5000, 0..3), vec(inner, 2..4)).prop_map(|(members, children)| Thread { members, children })
    })
    .boxed()
}

fn namespace() -> BoxedStrategy<Option<Vec<NamespaceDesc>>> {
    let desc = (string(), delimiter(), vec((string(), vec(string(), 1..3)), 0..2))
        .prop_map(|(prefix, delimiter, extensions)| NamespaceDesc { prefix, delimiter, extensions });
    prop::option::of(vec(desc, 1..3)).boxed()
}

fn data() -> BoxedStrategy<Data> {
    let numbers = || (vec(any::<u32>(), 0..6), prop::option::of(u63()));
    prop_oneof![
        1 => vec(capability(), 0..5).prop_map(Data::Capability),
        1 => vec(capability(), 0..3).prop_map(Data::Enabled),
        1 => list_item().prop_map(Data::List),
        1 => list_item().prop_map(Data::Lsub),
        1 => (mailbox(), vec((status_item(), u63()), 0..4), prop::option::of("[A-Za-z0-9_-]{1,12}")).prop_map(
            |(mailbox, items, id)| Data::Status { mailbox, items, mailbox_id: id.map(|s| Str::from(s.as_str())) }
        ),
        1 => numbers().prop_map(|(numbers, mod_seq)| Data::Search { numbers, mod_seq }),
        1 => numbers().prop_map(|(numbers, mod_seq)| Data::Sort { numbers, mod_seq }),
        1 => esearch().prop_map(Data::ESearch),
        1 => vec(flag(), 0..5).prop_map(Data::Flags),
        1 => any::<u32>().prop_map(Data::Exists),
        1 => any::<u32>().prop_map(Data::Recent),
        1 => nz().prop_map(Data::Expunge),
        4 => (nz(), vec(fetch_item(), 0..6)).prop_map(|(seq, items)| Data::Fetch { seq, items }),
        1 => (namespace(), namespace(), namespace()).prop_map(|(personal, other, shared)| Data::Namespace { personal, other, shared }),
        1 => prop::option::of(vec((string(), nstring()), 0..4)).prop_map(Data::Id),
        1 => vec(thread(), 0..4).prop_map(Data::Thread),
        1 => (string(), vec((atom(), u63(), u63()), 0..3)).prop_map(|(root, r)| Data::Quota {
            root,
            resources: r.into_iter().map(|(name, usage, limit)| QuotaResource { name, usage, limit }).collect(),
        }),
        1 => (mailbox(), vec(string(), 0..3)).prop_map(|(mailbox, roots)| Data::QuotaRoot { mailbox, roots }),
        1 => (mailbox(), prop_oneof![
            vec((string(), content()), 0..3).prop_map(MetadataEntries::Values),
            vec(string(), 1..3).prop_map(MetadataEntries::Names),
        ])
            .prop_map(|(mailbox, entries)| Data::Metadata { mailbox, entries }),
        1 => (any::<bool>(), sequence_set()).prop_map(|(earlier, uids)| Data::Vanished { earlier, uids }),
        1 => (prop::option::of(any::<u32>()), x_atom(), prop::option::of("[ -z|~]{0,20}"))
            .prop_map(|(number, name, data)| Data::Other { number, name, data: data.map(Bytes::from) }),
    ]
    .boxed()
}

fn response() -> BoxedStrategy<Response> {
    let kind = prop_oneof![
        Just(StatusKind::Ok),
        Just(StatusKind::No),
        Just(StatusKind::Bad),
        Just(StatusKind::PreAuth),
        Just(StatusKind::Bye),
    ];
    let status = (prop::option::of(tag()), kind, prop::option::of(code()), text())
        .prop_map(|(tag, kind, code, text)| Response::Status(StatusResponse { tag, kind, code, text }));
    let cont = (prop::option::of(code()), text())
        .prop_map(|(code, text)| Response::Continue(Continue { code, text }));
    prop_oneof![2 => status, 1 => cont, 5 => data().prop_map(Response::Data)].boxed()
}

fn check(r: &Response, utf8: bool) -> Result<(), TestCaseError> {
    let mut w = Writer::server(utf8);
    r.encode(&mut w);
    let bytes = w.finish().into_bytes();
    let shown = String::from_utf8_lossy(&bytes).into_owned();
    let back = Response::parse(&Bytes::from(bytes.clone()), &Limits::default())
        .map_err(|e| TestCaseError::fail(format!("{shown:?} does not parse: {e}")))?;
    prop_assert_eq!(&back, r, "written as {:?}", shown);
    let mut w = Writer::server(utf8);
    back.encode(&mut w);
    prop_assert_eq!(&w.finish().into_bytes(), &bytes, "not a fixed point");
    // The framer finds the same message.
    let buf = Bytes::from(bytes.clone());
    let (framed, used) = mailwire_imap::response::decode(&buf, &Limits::default())
        .map_err(|e| TestCaseError::fail(format!("{shown:?} does not decode: {e}")))?;
    prop_assert_eq!(used, bytes.len());
    prop_assert_eq!(&framed, r);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn responses_round_trip(r in response()) {
        check(&r, false)?;
        check(&r, true)?;
    }

    #[test]
    fn fetches_round_trip(seq in nz(), items in vec(fetch_item(), 1..8)) {
        check(&Response::Data(Data::Fetch { seq, items }), false)?;
    }
}
