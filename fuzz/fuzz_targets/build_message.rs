//! Splits the input into field values, builds a message from them, and
//! checks what the builder promises: it never panics; when it accepts the
//! values, the output parses without defects, keeps the subject and the
//! attachment bytes, adds no header field the caller did not ask for, and
//! has no line past 998 octets. Also runs the AMP checker on one value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire_mime::Message;
use mailwire_mime::build::{MessageBuilder, PartBuilder, amp};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut v = text.split('\u{1}');
    let mut next = || v.next().unwrap_or("");
    let (name, addr, subject, header, filename, body, bytes) =
        (next(), next(), next(), next(), next(), next(), next());
    let _ = amp::check_amp(body);
    let tree = PartBuilder::multipart(
        "mixed",
        vec![
            PartBuilder::text(body),
            PartBuilder::binary("application/octet-stream", bytes.as_bytes()).attachment(filename),
        ],
    );
    let built = MessageBuilder::new()
        .from((name, addr))
        .to(addr)
        .subject(subject)
        .header("X-Fuzz", header)
        .root(tree)
        .to_vec();
    let Ok(out) = built else { return };
    for line in out.split(|&b| b == b'\n') {
        assert!(line.len() <= 999, "line of {} octets", line.len());
    }
    let msg = Message::parse(&out);
    assert_eq!(msg.defects().count(), 0, "{}", String::from_utf8_lossy(&out));
    assert_eq!(msg.subject().as_deref().unwrap_or(""), subject.trim_matches([' ', '\t']));
    let attachment = msg.attachments().next().expect("the attachment");
    assert_eq!(&*attachment.decoded(), bytes.as_bytes());
    let allowed = ["from", "to", "subject", "x-fuzz", "mime-version", "content-type", "content-transfer-encoding", "content-disposition"];
    for part in msg.parts() {
        for f in part.headers() {
            assert!(allowed.iter().any(|a| f.is(a)), "unexpected field {}", f.name());
        }
    }
});
