//! Random valid commands of every kind write and parse back to
//! themselves, whatever the literal mode and UTF-8 setting.

use std::num::NonZeroU32;

use bytes::Bytes;
use mailwire_imap::Limits;
use mailwire_imap::capability::Capability;
use mailwire_imap::command::*;
use mailwire_imap::datetime::{Date, DateTime};
use mailwire_imap::encode::{LiteralMode, Writer};
use mailwire_imap::flag::{Flag, MailboxAttribute};
use mailwire_imap::mailbox::Mailbox;
use mailwire_imap::section::{Partial, Section, SectionText};
use mailwire_imap::sequence::{SeqNumber, SeqRange, SequenceSet};
use mailwire_imap::status::StatusItem;
use mailwire_imap::string::{Atom, Form, Str, Tag};
use proptest::prelude::*;

fn atom() -> impl Strategy<Value = Atom> {
    "[A-Za-z0-9$_.=-]{1,10}".prop_map(|s| Atom::new(Bytes::from(s)).unwrap())
}

/// An atom that is no known keyword (for the `Other` variants).
fn x_atom() -> impl Strategy<Value = Atom> {
    "[A-Za-z0-9]{1,8}".prop_map(|s| Atom::new(Bytes::from(format!("X-{s}"))).unwrap())
}

fn tag() -> impl Strategy<Value = Tag> {
    "[A-Za-z0-9._-]{1,8}".prop_map(|s| Tag::new(Bytes::from(s)).unwrap())
}

fn form() -> impl Strategy<Value = Form> {
    prop_oneof![
        Just(Form::Auto),
        Just(Form::Atom),
        Just(Form::Quoted),
        Just(Form::Literal),
        Just(Form::LiteralNonSync)
    ]
}

/// Bytes without NUL: mostly printable, sometimes anything.
fn text_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => "[ -~]{0,16}".prop_map(String::into_bytes),
        1 => "[a-z]{0,4}[ \u{e9}\u{43f}\"\\\\(){}*%~\\]\\[]{0,4}".prop_map(String::into_bytes),
        1 => proptest::collection::vec(1u8..=255, 0..24),
    ]
}

fn string() -> impl Strategy<Value = Str> {
    (text_bytes(), form()).prop_map(|(b, f)| Str::with_form(b, f))
}

fn mailbox() -> impl Strategy<Value = Mailbox> {
    prop_oneof![1 => Just(Mailbox::Inbox), 6 => string().prop_map(Mailbox::from_wire)]
}

fn nz() -> impl Strategy<Value = NonZeroU32> {
    prop_oneof![1u32..100, 1u32..=u32::MAX].prop_map(|n| NonZeroU32::new(n).unwrap())
}

fn seq_number() -> impl Strategy<Value = SeqNumber> {
    prop_oneof![4 => nz().prop_map(SeqNumber::Value), 1 => Just(SeqNumber::Largest)]
}

fn sequence_set() -> impl Strategy<Value = SequenceSet> {
    prop_oneof![
        8 => proptest::collection::vec((seq_number(), seq_number()), 1..4).prop_map(|v| {
            SequenceSet::new(v.into_iter().map(|(start, end)| SeqRange { start, end }).collect()).unwrap()
        }),
        1 => Just(SequenceSet::saved_result()),
    ]
}

fn mod_seq() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..1000, 0u64..=i64::MAX as u64]
}

fn flag() -> impl Strategy<Value = Flag> {
    prop_oneof![
        Just(Flag::Seen),
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Draft),
        atom().prop_map(Flag::Keyword),
        x_atom().prop_map(Flag::Extension),
    ]
}

fn flags() -> impl Strategy<Value = Vec<Flag>> {
    proptest::collection::vec(flag(), 0..4)
}

fn date() -> impl Strategy<Value = Date> {
    (1000u16..=9999, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (date(), 0u8..24, 0u8..60, 0u8..61, -1439i16..=1439)
        .prop_map(|(d, h, mi, s, z)| DateTime::new(d, h, mi, s, z).unwrap())
}

fn capability() -> impl Strategy<Value = Capability> {
    proptest::sample::select(vec![
        "CONDSTORE",
        "QRESYNC",
        "UTF8=ACCEPT",
        "IMAP4rev2",
        "X-GOOD-IDEA",
        "METADATA",
        "AUTH=PLAIN",
    ])
    .prop_map(|n| Capability::new(n).unwrap())
}

fn status_item() -> impl Strategy<Value = StatusItem> {
    proptest::sample::select(vec![
        StatusItem::Messages,
        StatusItem::Recent,
        StatusItem::UidNext,
        StatusItem::UidValidity,
        StatusItem::Unseen,
        StatusItem::Deleted,
        StatusItem::DeletedStorage,
        StatusItem::Size,
        StatusItem::HighestModSeq,
        StatusItem::AppendLimit,
        StatusItem::MailboxId,
    ])
}

fn status_items() -> impl Strategy<Value = Vec<StatusItem>> {
    proptest::collection::vec(status_item(), 1..4)
}

fn special_use() -> impl Strategy<Value = MailboxAttribute> {
    proptest::sample::select(vec![
        "All",
        "Archive",
        "Drafts",
        "Flagged",
        "Junk",
        "Sent",
        "Trash",
        "Important",
        "XMine",
    ])
    .prop_map(|n| MailboxAttribute::from_name(n).unwrap())
}

fn part() -> impl Strategy<Value = Vec<NonZeroU32>> {
    proptest::collection::vec((1u32..30).prop_map(|n| NonZeroU32::new(n).unwrap()), 0..3)
}

fn section() -> impl Strategy<Value = Section> {
    let names = || proptest::collection::vec(string(), 1..3);
    (
        part(),
        prop_oneof![
            Just(None),
            Just(Some(SectionText::Header)),
            Just(Some(SectionText::Text)),
            Just(Some(SectionText::Mime)),
            names().prop_map(|n| Some(SectionText::HeaderFields(n))),
            names().prop_map(|n| Some(SectionText::HeaderFieldsNot(n))),
        ],
    )
        .prop_map(|(part, text)| {
            // MIME needs a part number.
            let text = if part.is_empty() && text == Some(SectionText::Mime) { None } else { text };
            Section { part, text }
        })
}

fn partial() -> impl Strategy<Value = Option<Partial>> {
    proptest::option::of((any::<u32>(), nz()).prop_map(|(origin, length)| Partial { origin, length }))
}

fn fetch_attribute() -> impl Strategy<Value = FetchAttribute> {
    use FetchAttribute::*;
    prop_oneof![
        proptest::sample::select(vec![
            Envelope,
            Flags,
            InternalDate,
            Rfc822,
            Rfc822Header,
            Rfc822Size,
            Rfc822Text,
            Body,
            BodyStructure,
            Uid,
            ModSeq,
            XGmMsgId,
            XGmThrId,
            XGmLabels,
            Preview { lazy: false },
            Preview { lazy: true },
            EmailId,
            ThreadId,
            SaveDate,
        ]),
        (section(), partial(), any::<bool>()).prop_map(|(section, partial, peek)| BodySection {
            section,
            partial,
            peek
        }),
        (part(), partial(), any::<bool>()).prop_map(|(part, partial, peek)| Binary { part, partial, peek }),
        part().prop_map(|part| BinarySize { part }),
    ]
}

fn fetch_items() -> impl Strategy<Value = FetchItems> {
    prop_oneof![
        proptest::sample::select(vec![FetchMacro::All, FetchMacro::Fast, FetchMacro::Full])
            .prop_map(FetchItems::Macro),
        proptest::collection::vec(fetch_attribute(), 1..5).prop_map(FetchItems::List),
    ]
}

fn gm_label() -> impl Strategy<Value = Str> {
    prop_oneof![
        string(),
        proptest::sample::select(vec!["\\Inbox", "\\Sent", "\\Important", "\\Starred", "\\Draft"])
            .prop_map(Str::from),
    ]
}

fn search_key() -> impl Strategy<Value = SearchKey> {
    use SearchKey::*;
    let leaf = prop_oneof![
        proptest::sample::select(vec![
            All, Answered, Deleted, Draft, Flagged, New, Old, Recent, Seen, Unanswered, Undeleted, Undraft,
            Unflagged, Unseen,
        ]),
        string().prop_map(Bcc),
        string().prop_map(Body),
        string().prop_map(Cc),
        string().prop_map(From),
        string().prop_map(Subject),
        string().prop_map(Text),
        string().prop_map(To),
        string().prop_map(XGmRaw),
        date().prop_map(Before),
        date().prop_map(On),
        date().prop_map(Since),
        date().prop_map(SentBefore),
        date().prop_map(SentOn),
        date().prop_map(SentSince),
        (string(), string()).prop_map(|(n, v)| Header(n, v)),
        atom().prop_map(Keyword),
        atom().prop_map(Unkeyword),
        mod_seq().prop_map(Larger),
        mod_seq().prop_map(Smaller),
        sequence_set().prop_map(Uid),
        sequence_set().prop_map(SequenceSet),
        (
            proptest::option::of((
                "[A-Za-z$\\\\]{1,8}".prop_map(|f| Str::from(format!("/flags/{f}"))),
                proptest::sample::select(vec![EntryType::Private, EntryType::Shared, EntryType::All]),
            )),
            mod_seq()
        )
            .prop_map(|(entry, mod_seq)| ModSeq { entry, mod_seq }),
        any::<u32>().prop_map(Older),
        any::<u32>().prop_map(Younger),
        any::<u64>().prop_map(XGmMsgId),
        any::<u64>().prop_map(XGmThrId),
        gm_label().prop_map(XGmLabels),
        atom().prop_map(EmailId),
        atom().prop_map(ThreadId),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|k| Not(Box::new(k))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Or(Box::new(a), Box::new(b))),
            proptest::collection::vec(inner, 1..4).prop_map(And),
        ]
    })
}

fn criteria() -> impl Strategy<Value = Vec<SearchKey>> {
    proptest::collection::vec(search_key(), 1..4)
}

fn returns() -> impl Strategy<Value = Option<Vec<SearchReturn>>> {
    proptest::option::of(proptest::collection::vec(
        prop_oneof![
            Just(SearchReturn::Min),
            Just(SearchReturn::Max),
            Just(SearchReturn::All),
            Just(SearchReturn::Count),
            Just(SearchReturn::Save),
            x_atom().prop_map(SearchReturn::Other),
        ],
        0..4,
    ))
}

fn sort_key() -> impl Strategy<Value = SortKey> {
    use SortCriterion::*;
    (
        any::<bool>(),
        proptest::sample::select(vec![Arrival, Cc, Date, From, Size, Subject, To, DisplayFrom, DisplayTo]),
    )
        .prop_map(|(reverse, criterion)| SortKey { reverse, criterion })
}

fn select_params() -> impl Strategy<Value = SelectParams> {
    (
        any::<bool>(),
        proptest::option::of(
            (
                nz(),
                mod_seq(),
                proptest::option::of(sequence_set()),
                proptest::option::of((sequence_set(), sequence_set())),
            )
                .prop_map(|(uid_validity, mod_seq, known_uids, seq_match)| QResyncParams {
                    uid_validity,
                    mod_seq,
                    known_uids,
                    seq_match,
                }),
        ),
    )
        .prop_map(|(condstore, qresync)| SelectParams { condstore, qresync })
}

fn list_command() -> impl Strategy<Value = ListCommand> {
    (
        mailbox(),
        proptest::collection::vec(string(), 1..4),
        proptest::collection::vec(
            prop_oneof![
                Just(ListSelection::Subscribed),
                Just(ListSelection::Remote),
                Just(ListSelection::RecursiveMatch),
                Just(ListSelection::SpecialUse),
                x_atom().prop_map(ListSelection::Other),
            ],
            0..3,
        ),
        proptest::collection::vec(
            prop_oneof![
                Just(ListReturn::Subscribed),
                Just(ListReturn::Children),
                Just(ListReturn::SpecialUse),
                status_items().prop_map(ListReturn::Status),
                x_atom().prop_map(ListReturn::Other),
            ],
            0..3,
        ),
    )
        .prop_map(|(reference, patterns, selection, returns)| ListCommand {
            reference,
            patterns,
            selection,
            returns,
        })
}

/// An APPEND message: a literal, literal8 when it may hold NUL.
fn message() -> impl Strategy<Value = Str> {
    prop_oneof![
        (text_bytes(), prop_oneof![Just(Form::Literal), Just(Form::LiteralNonSync), Just(Form::Auto)])
            .prop_map(|(b, f)| Str::with_form(b, f)),
        (proptest::collection::vec(any::<u8>(), 0..40), prop_oneof![Just(Form::Literal8), Just(Form::Auto)])
            .prop_map(|(b, f)| Str::with_form(b, f)),
    ]
}

/// A SETMETADATA value: any bytes (literal8 when they hold NUL), or NIL.
fn metadata_value() -> impl Strategy<Value = Option<Str>> {
    proptest::option::of(prop_oneof![
        string(),
        proptest::collection::vec(any::<u8>(), 0..20).prop_map(|b| Str::with_form(b, Form::Literal8)),
    ])
}

fn body() -> impl Strategy<Value = CommandBody> {
    use CommandBody as B;
    let any_state = prop_oneof![
        Just(B::Capability),
        Just(B::Noop),
        Just(B::Logout),
        proptest::option::of(proptest::collection::vec((string(), proptest::option::of(string())), 0..3))
            .prop_map(B::Id),
        proptest::collection::vec(capability(), 1..4).prop_map(B::Enable),
        Just(B::StartTls),
        (atom(), proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40).prop_map(Bytes::from)))
            .prop_map(|(mechanism, initial_response)| B::Authenticate { mechanism, initial_response }),
        (string(), string()).prop_map(|(username, password)| B::Login { username, password }),
    ];
    let authenticated = prop_oneof![
        (mailbox(), select_params()).prop_map(|(mailbox, params)| B::Select { mailbox, params }),
        (mailbox(), select_params()).prop_map(|(mailbox, params)| B::Examine { mailbox, params }),
        (mailbox(), proptest::collection::vec(special_use(), 0..3))
            .prop_map(|(mailbox, special_use)| B::Create { mailbox, special_use }),
        mailbox().prop_map(B::Delete),
        (mailbox(), mailbox()).prop_map(|(from, to)| B::Rename { from, to }),
        mailbox().prop_map(B::Subscribe),
        mailbox().prop_map(B::Unsubscribe),
        list_command().prop_map(B::List),
        (mailbox(), string()).prop_map(|(reference, pattern)| B::Lsub { reference, pattern }),
        Just(B::Namespace),
        (mailbox(), status_items()).prop_map(|(mailbox, items)| B::Status { mailbox, items }),
        (mailbox(), flags(), proptest::option::of(date_time()), message())
            .prop_map(|(mailbox, flags, date, message)| B::Append { mailbox, flags, date, message }),
        Just(B::Idle),
        string().prop_map(B::GetQuota),
        mailbox().prop_map(B::GetQuotaRoot),
        (string(), proptest::collection::vec((atom(), mod_seq()), 0..3))
            .prop_map(|(root, limits)| B::SetQuota { root, limits }),
        (
            proptest::option::of(any::<u32>()),
            proptest::option::of(proptest::sample::select(vec![
                MetadataDepth::Zero,
                MetadataDepth::One,
                MetadataDepth::Infinity
            ])),
            mailbox(),
            proptest::collection::vec(string(), 1..3),
        )
            .prop_map(|(max_size, depth, mailbox, entries)| B::GetMetadata {
                options: MetadataOptions { max_size, depth },
                mailbox,
                entries,
            }),
        (mailbox(), proptest::collection::vec((string(), metadata_value()), 1..3))
            .prop_map(|(mailbox, entries)| B::SetMetadata { mailbox, entries }),
        atom().prop_map(B::Compress),
    ];
    let selected = prop_oneof![
        Just(B::Check),
        Just(B::Close),
        Just(B::Unselect),
        Just(B::Expunge),
        sequence_set().prop_map(B::UidExpunge),
        (any::<bool>(), proptest::option::of(string()), criteria(), returns())
            .prop_map(|(uid, charset, criteria, returns)| B::Search { uid, charset, criteria, returns }),
        (any::<bool>(), sequence_set(), fetch_items(), proptest::option::of(mod_seq()), any::<bool>())
            .prop_map(|(uid, set, items, changed_since, vanished)| B::Fetch {
                uid,
                set,
                items,
                changed_since,
                vanished
            }),
        (
            any::<bool>(),
            sequence_set(),
            proptest::sample::select(vec![StoreAction::Replace, StoreAction::Add, StoreAction::Remove]),
            any::<bool>(),
            prop_oneof![
                flags().prop_map(StoreKind::Flags),
                proptest::collection::vec(gm_label(), 0..3).prop_map(StoreKind::GmLabels),
            ],
            proptest::option::of(mod_seq()),
        )
            .prop_map(|(uid, set, action, silent, kind, unchanged_since)| B::Store {
                uid,
                set,
                action,
                silent,
                kind,
                unchanged_since
            }),
        (any::<bool>(), sequence_set(), mailbox()).prop_map(|(uid, set, mailbox)| B::Copy {
            uid,
            set,
            mailbox
        }),
        (any::<bool>(), sequence_set(), mailbox()).prop_map(|(uid, set, mailbox)| B::Move {
            uid,
            set,
            mailbox
        }),
        (any::<bool>(), proptest::collection::vec(sort_key(), 1..3), string(), criteria(), returns())
            .prop_map(|(uid, keys, charset, criteria, returns)| B::Sort {
                uid,
                keys,
                charset,
                criteria,
                returns
            }),
        (any::<bool>(), atom(), string(), criteria())
            .prop_map(|(uid, algorithm, charset, criteria)| B::Thread { uid, algorithm, charset, criteria }),
    ];
    prop_oneof![any_state, authenticated, selected]
}

fn literal_mode() -> impl Strategy<Value = LiteralMode> {
    prop_oneof![
        Just(LiteralMode::Synchronizing),
        Just(LiteralMode::NonSyncAll),
        Just(LiteralMode::NonSyncSmall)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn commands_round_trip(tag in tag(), body in body(), mode in literal_mode(), utf8 in any::<bool>()) {
        let cmd = Command::new(tag, body);
        let mut w = Writer::client(mode, utf8);
        cmd.encode(&mut w);
        let encoded = w.finish();
        let bytes = Bytes::copy_from_slice(encoded.as_bytes());
        let limits = Limits::default();
        let parsed = Command::parse(&bytes, &limits);
        prop_assert!(parsed.is_ok(), "{:?}\n{:?}\n{:?}", cmd, String::from_utf8_lossy(&bytes), parsed);
        prop_assert_eq!(parsed.unwrap(), cmd.clone());
        // The stream decoder finds the same command, and all of it.
        let (decoded, n) = decode(&bytes, &limits).unwrap();
        prop_assert_eq!(n, bytes.len());
        prop_assert_eq!(decoded, cmd.clone());
        // Parsing is idempotent on the written form.
        let again = Command::parse(&bytes, &limits).unwrap();
        let mut w = Writer::client(mode, utf8);
        again.encode(&mut w);
        let rewritten = w.finish();
        prop_assert_eq!(rewritten.as_bytes(), encoded.as_bytes());
    }
}
