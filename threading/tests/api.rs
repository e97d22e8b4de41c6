//! The choices JWZ and conversations offer, and the thread tree's API.

use mailwire_threading::{
    ConversationStyle, JwzOptions, Message, SubjectMerge, Threader, conversations, jwz, ordered_subject,
    references,
};

const DAY: i64 = 86_400;

fn m<'a>(id: u64, msgid: &'a str, refs: &'a str, subject: &'a str, date: i64) -> Message<'a> {
    Message::new(id, msgid, "", refs, subject, date)
}

#[test]
fn subject_merge_policies() {
    // Two unrelated "Weekly report" threads a month apart, and a reply
    // that lost its headers.
    let msgs = [
        m(1, "<a@x>", "", "Weekly report", 0),
        m(2, "<b@x>", "<a@x>", "Re: Weekly report", DAY),
        m(3, "<c@x>", "", "Weekly report", 40 * DAY),
        m(4, "<d@x>", "", "Re: Weekly report", 41 * DAY),
    ];
    let with = |subject_merge| jwz(&msgs, &JwzOptions { subject_merge, ..JwzOptions::default() }).to_imap();
    assert_eq!(with(SubjectMerge::Never), "(1 2)(3)(4)");
    // Only the headerless reply moves, to the thread with its subject
    // that the table holds (the first original).
    assert_eq!(with(SubjectMerge::Headerless), "(1 (2)(4))(3)");
    assert_eq!(with(SubjectMerge::WithinSeconds(7 * DAY)), "(1 2)(3 4)");
    // RFC 5256 step 5: the two originals under a new dummy, the reply
    // joins the dummy.
    assert_eq!(with(SubjectMerge::Always), "((1 2)(3)(4))");
    assert_eq!(references(&msgs).to_imap(), with(SubjectMerge::Always));
}

#[test]
fn localized_prefixes_only_in_jwz() {
    let msgs = [m(1, "<a@x>", "", "Termin", 0), m(2, "<b@x>", "", "AW: Termin", 10)];
    assert_eq!(references(&msgs).to_imap(), "(1)(2)");
    assert_eq!(jwz(&msgs, &JwzOptions::default()).to_imap(), "(1 2)");
}

#[test]
fn ordered_subject_groups_flat() {
    let msgs = [
        m(1, "<a@x>", "", "b", 30),
        m(2, "<b@x>", "", "Re: a", 20),
        m(3, "<c@x>", "", "A", 25),
        m(4, "<d@x>", "", "re: B", 10),
        m(5, "<e@x>", "", "a", 20),
    ];
    // "a": 2 (20), 5 (20, later in the mailbox), 3 (25); "b": 4 (10), 1 (30).
    assert_eq!(ordered_subject(&msgs).to_imap(), "(4 1)(2 (5)(3))");
}

#[test]
fn conversations_in_both_styles() {
    let msgs = [
        m(1, "<a@x>", "", "Plans", 0),
        m(2, "<b@x>", "<a@x>", "Re: Plans", 10),
        m(3, "<c@x>", "<a@x> <b@x>", "Something else entirely", 20),
        m(4, "<d@x>", "<a@x> <b@x> <c@x>", "Re: Something else entirely", 30),
        m(5, "<e@x>", "<a@x>", "Re: Plans", 40),
        m(6, "<f@x>", "<a@x>", "Re: Plans", 50),
    ];
    let refs = conversations(&msgs, ConversationStyle::References);
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].messages, [1, 2, 3, 4, 5, 6]);
    assert_eq!(refs[0].latest, 50);
    let checked = conversations(&msgs, ConversationStyle::SubjectChecked { max_size: 3 });
    let groups: Vec<Vec<u64>> = checked.into_iter().map(|c| c.messages).collect();
    // The subject change starts a conversation; the third "Plans" reply
    // would make four, so 6 starts another.
    assert_eq!(groups, [vec![1, 2, 5], vec![3, 4], vec![6]]);
}

#[test]
fn a_reply_seen_before_its_parent_joins_it() {
    let msgs = [m(2, "<b@x>", "<a@x>", "Re: x", 10), m(1, "<a@x>", "", "x", 0)];
    assert_eq!(references(&msgs).to_imap(), "(1 2)");
    let c = conversations(&msgs, ConversationStyle::SubjectChecked { max_size: 10 });
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].messages, [1, 2]);
}

#[test]
fn walking_and_sorting_the_tree() {
    let msgs = [
        m(1, "<a@x>", "", "t", 100),
        m(2, "<b@x>", "<a@x>", "Re: t", 300),
        m(3, "<c@x>", "<a@x>", "Re: t", 200),
        m(4, "<d@x>", "<a@x> <c@x>", "Re: t", 250),
        m(5, "<e@x>", "", "u", 50),
    ];
    let mut t = references(&msgs);
    assert_eq!(t.to_imap(), "(5)(1 (3 4)(2))");
    let root = t.roots().nth(1).unwrap();
    let walk: Vec<(usize, u64)> = root.descendants().map(|(d, n)| (d, n.message().unwrap())).collect();
    assert_eq!(walk, [(0, 1), (1, 3), (2, 4), (1, 2)]);
    t.sort_by_arrival();
    assert_eq!(t.to_imap(), "(1 (2)(3 4))(5)");
    t.sort_threads_by_latest();
    assert_eq!(t.to_imap(), "(1 (2)(3 4))(5)");
    t.sort_by_date();
    assert_eq!(t.to_imap(), "(5)(1 (3 4)(2))");
    assert_eq!(t.to_imap_with(|id| id * 10), "(50)(10 (30 40)(20))");
    assert_eq!(t.memberships(), [vec![5], vec![1, 3, 4, 2]]);
}

#[test]
fn threads_serialise_as_nested_json() {
    let msgs = [m(1, "<a@x>", "<zz@x>", "t", 1), m(2, "<b@x>", "<zz@x>", "t", 2)];
    let t = references(&msgs);
    assert_eq!(t.to_imap(), "((1)(2))");
    let json = serde_json::to_value(&t).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{"message": null, "date": 1, "children": [
            {"message": 1, "date": 1, "children": []},
            {"message": 2, "date": 2, "children": []}
        ]}])
    );
    let c = serde_json::to_string(&conversations(&msgs, ConversationStyle::References)).unwrap();
    assert_eq!(c, r#"[{"messages":[1,2],"latest":2}]"#);
}

#[test]
fn empty_and_odd_inputs() {
    assert_eq!(references(&[]).to_imap(), "");
    assert!(ordered_subject(&[]).is_empty());
    let mut t = Threader::new();
    assert!(!t.remove(7));
    // A self-reference and a message referencing a later duplicate.
    t.add(&m(1, "<a@x>", "<a@x>", "", 0));
    t.add(&m(2, "<a@x>", "<a@x>", "", 0));
    assert_eq!(t.references().to_imap(), "(1 2)");
    assert_eq!(t.len(), 2);
}

#[test]
fn the_default_jwz_merges_only_headerless_replies() {
    assert_eq!(JwzOptions::default().subject_merge, SubjectMerge::Headerless);
}
