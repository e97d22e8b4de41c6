//! Side-by-side message-building benchmark: mailwire-mime's
//! `build::MessageBuilder` vs mail-builder 2.0. See README.md ("build").
//!
//! Each group measures both libraries on the same input in one criterion
//! run (function ids `mailwire` and `mail-builder`), with
//! `Throughput::Bytes(size of mailwire's output)`. One iteration creates
//! the builder from borrowed inputs (both libraries' builders are cheap
//! handles on `Cow`s; mail-builder's writers consume the builder, so it
//! has to be made anew each time) and writes the message into a fresh
//! `Vec<u8>` (`to_vec` / `write_to_vec`, each sized by its own estimate).
//! The inputs themselves (texts, attachment bytes, address lists) are made
//! once, outside the timed closure.
//!
//! Before measuring, every group is built once by both libraries and both
//! outputs are parsed with `mailwire_mime::Message::parse`: subject,
//! recipients, text and HTML bodies and the attachments' names and decoded
//! bytes must agree, and each leaf's Content-Transfer-Encoding is printed,
//! so the comparison is of equivalent work. With `MAILWIRE_BUILD_DUMP=DIR`
//! the two outputs of each group are written to `DIR/<group>.<lib>.eml`.

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use mailwire_mime::build::MessageBuilder as MwBuilder;
use mailwire_mime::{DateTime, Message, PartBody};

/// 2026-12-01 09:30:00 +0000.
const DATE: (i64, u8, u8, u8, u8, u8) = (2026, 12, 1, 9, 30, 0);

/// The inputs of one group, shared by both builders.
struct Input {
    from: (String, String),
    to: Vec<(String, String)>,
    cc: Vec<(String, String)>,
    subject: String,
    message_id: String,
    headers: Vec<(String, String)>,
    text: String,
    html: Option<String>,
    attachments: Vec<(String, String, Vec<u8>)>,
}

fn date() -> DateTime {
    let (y, mo, d, h, mi, s) = DATE;
    DateTime::from_parts(y, mo, d, h, mi, s, 0).unwrap()
}

fn mailwire(input: &Input) -> Vec<u8> {
    let mut b = MwBuilder::new()
        .from((input.from.0.as_str(), input.from.1.as_str()))
        .subject(input.subject.as_str())
        .date(date())
        .message_id(input.message_id.as_str())
        .text(input.text.as_str());
    for (name, addr) in &input.to {
        b = b.to((name.as_str(), addr.as_str()));
    }
    for (name, addr) in &input.cc {
        b = b.cc((name.as_str(), addr.as_str()));
    }
    for (name, value) in &input.headers {
        b = b.header(name.as_str(), value.as_str());
    }
    if let Some(html) = &input.html {
        b = b.html(html.as_str());
    }
    for (ct, name, bytes) in &input.attachments {
        b = b.attachment(ct.as_str(), name.as_str(), bytes.as_slice());
    }
    b.to_vec().expect("mailwire builds")
}

fn mail_builder(input: &Input) -> Vec<u8> {
    use mail_builder::headers::address::Address;
    use mail_builder::headers::text::Text;
    fn list(l: &[(String, String)]) -> Address<'_> {
        Address::new_list(l.iter().map(|(n, a)| Address::new_address(Some(n.as_str()), a.as_str())).collect())
    }
    let mut b = mail_builder::MessageBuilder::new()
        .from((input.from.0.as_str(), input.from.1.as_str()))
        .to(list(&input.to));
    if !input.cc.is_empty() {
        b = b.cc(list(&input.cc));
    }
    b = b
        .subject(input.subject.as_str())
        .date(date().timestamp)
        .message_id(input.message_id.trim_matches(['<', '>']))
        .text_body(input.text.as_str());
    for (name, value) in &input.headers {
        b = b.header(name.as_str(), Text::new(value.as_str()));
    }
    if let Some(html) = &input.html {
        b = b.html_body(html.as_str());
    }
    for (ct, name, bytes) in &input.attachments {
        b = b.attachment(ct.as_str(), name.as_str(), bytes.as_slice());
    }
    b.write_to_vec().expect("mail-builder builds")
}

// ---------------------------------------------------------------- inputs

/// Deterministic pseudo-random bytes (xorshift64*).
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        out.extend_from_slice(&seed.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A PDF-like file: a text preamble, then binary streams.
fn pdf(len: usize, seed: u64) -> Vec<u8> {
    let mut out =
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n".to_vec();
    let mut k = 3;
    while out.len() < len {
        out.extend_from_slice(
            format!("{k} 0 obj\n<< /Length 4096 /Filter /FlateDecode >>\nstream\n").as_bytes(),
        );
        out.extend(noise(4096, seed + k));
        out.extend_from_slice(b"\nendstream\nendobj\n");
        k += 1;
    }
    out.truncate(len - 6);
    out.extend_from_slice(b"%%EOF\n");
    out
}

/// RFC 4180 CSV (CRLF, ASCII), about `len` bytes.
fn csv(len: usize) -> Vec<u8> {
    let cities = ["Berlin", "Paris", "Lyon", "Hamburg", "Zurich", "Wien", "Koeln", "Marseille"];
    let products = ["Abo Premium", "Abo Basis", "Einzelheft", "Sonderausgabe", "Digital"];
    let mut out = b"order_id,date,customer,city,product,quantity,unit_price,total\r\n".to_vec();
    let mut n: u64 = 100_000;
    while out.len() < len {
        n += 7;
        let q = n % 5 + 1;
        let price = 4.5 + (n % 17) as f64 * 1.25;
        out.extend_from_slice(
            format!(
                "{n},2026-11-{:02},customer-{:05},{},{},{q},{price:.2},{:.2}\r\n",
                n % 28 + 1,
                n % 9973,
                cities[(n % 8) as usize],
                products[(n % 5) as usize],
                price * q as f64
            )
            .as_bytes(),
        );
    }
    out
}

const PARAGRAPHS: [&str; 6] = [
    "Liebe Leserinnen und Leser, willkommen zur Dezember-Ausgabe unseres Newsletters. \
     Diesmal geht es um die Frühjahrsplanung, um neue Öffnungszeiten in München und Köln \
     und um die Ergebnisse unserer großen Umfrage.",
    "Chères lectrices, chers lecteurs : la réunion d'équipe aura lieu jeudi à Besançon. \
     Nous présenterons le bilan de l'année, les prévisions et le calendrier des événements \
     de l'été prochain.",
    "Our product team shipped three releases this month. The new export feature lets you \
     download every report as CSV or PDF, and the scheduler now handles time zones correctly \
     for all of our customers worldwide.",
    "Wichtig: Ab dem 15. Januar ändern sich die Zugangsdaten für das Kundenportal. Bitte \
     prüfen Sie Ihre hinterlegte E-Mail-Adresse und aktualisieren Sie gegebenenfalls Ihr \
     Passwort über die Schaltfläche „Konto verwalten“.",
    "Thanks to everyone who answered the survey: 1,284 responses, an average rating of 4.6, \
     and a long list of suggestions we will work through in the new year. The full results \
     are attached as a PDF, the raw figures as a CSV file.",
    "Pour toute question, répondez simplement à ce message ; notre équipe vous répondra \
     sous 48 heures. Bonne fin d'année et à très bientôt !",
];

/// Wraps `s` at 72 columns (by characters), LF line breaks.
fn wrap(s: &str, out: &mut String) {
    let mut col = 0;
    for word in s.split_whitespace() {
        let w = word.chars().count();
        if col > 0 && col + 1 + w > 72 {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += w;
    }
    out.push('\n');
}

/// A newsletter-like plain text of about `len` bytes (LF line breaks, as
/// programs usually hold text; both builders send CRLF).
fn text_body(len: usize) -> String {
    let mut out = String::from("Newsletter Dezember 2026 – Ausgabe 12\n\n");
    let mut k = 0;
    while out.len() < len {
        wrap(PARAGRAPHS[k % PARAGRAPHS.len()], &mut out);
        out.push('\n');
        k += 1;
    }
    out.push_str("-- \nMit freundlichen Grüßen\nIhr Redaktionsteam\n");
    out
}

/// A newsletter-like HTML document of about `len` bytes.
fn html_body(len: usize) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Newsletter Dezember 2026</title>\n<style>body{font-family:Helvetica,Arial,sans-serif;\
         color:#222;max-width:640px;margin:0 auto}h2{color:#0a5} .btn{background:#0a5;color:#fff;\
         padding:8px 16px;border-radius:4px;text-decoration:none}</style>\n</head>\n<body>\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\">\n",
    );
    let mut k = 0;
    while out.len() < len {
        let p = PARAGRAPHS[k % PARAGRAPHS.len()];
        out.push_str(&format!(
            "<tr><td style=\"padding:12px 24px\">\n<h2>Abschnitt {} – Neuigkeiten</h2>\n<p>{p}</p>\n\
             <p><a class=\"btn\" href=\"https://news.example.de/2026/12/artikel-{k}?utm_source=newsletter&amp;utm_medium=email\">\
             Weiterlesen</a></p>\n</td></tr>\n",
            k + 1
        ));
        k += 1;
    }
    out.push_str(
        "</table>\n<p style=\"font-size:11px;color:#888\">Sie erhalten diese E-Mail, weil Sie sich \
         angemeldet haben. <a href=\"https://news.example.de/abmelden\">Abmelden</a></p>\n</body>\n</html>\n",
    );
    out
}

fn pair(name: &str, addr: &str) -> (String, String) {
    (name.to_string(), addr.to_string())
}

fn typical() -> Input {
    Input {
        from: pair("Redaktion Müller & Söhne", "newsletter@example.de"),
        to: vec![pair("Ann Smith", "ann@example.com"), pair("Jörg Weiß", "joerg.weiss@example.de")],
        cc: vec![pair("François Lefèvre", "francois@example.fr")],
        subject: "Newsletter Dezember: Umfrageergebnisse & Öffnungszeiten".to_string(),
        message_id: "<20261201093000.4f2a9c@news.example.de>".to_string(),
        headers: Vec::new(),
        text: text_body(3 * 1024),
        html: Some(html_body(8 * 1024)),
        attachments: vec![
            ("application/pdf".into(), "umfrage-ergebnisse-2026.pdf".into(), pdf(60 * 1024, 1)),
            ("text/csv".into(), "bestellungen-november.csv".into(), csv(20 * 1024)),
        ],
    }
}

fn large_attachment() -> Input {
    let t = typical();
    Input {
        text: "Hallo,\n\nanbei das Archiv mit den Rohdaten (2 MB).\n\nGrüße\nJörg\n".to_string(),
        html: None,
        attachments: vec![("application/octet-stream".into(), "rohdaten-2026.bin".into(), noise(2 << 20, 7))],
        ..t
    }
}

fn headers_heavy() -> Input {
    let first = ["Ann", "Jörg", "François", "Zoë", "Björn", "Chloé", "Mikko", "Łukasz", "Sarah", "Günther"];
    let last = ["Smith", "Müller", "Lefèvre", "Østergaard", "Jensen", "Dubois", "Virtanen", "Kowalski"];
    let to = (0..50)
        .map(|k| {
            let (f, l) = (first[k % first.len()], last[k * 7 % last.len()]);
            let ascii_user: String = format!("{f}.{l}")
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_lowercase();
            (format!("{f} {l}"), format!("{ascii_user}{k}@example{}.com", k % 5))
        })
        .collect();
    Input {
        from: pair("Redaktion Müller & Söhne", "newsletter@example.de"),
        to,
        cc: vec![
            pair("François Lefèvre", "francois@example.fr"),
            pair("Team Support", "support@example.org"),
        ],
        subject: "Einladung zur Jahresabschlussfeier – Réunion de fin d'année à Besançon, \
                  Grüße aus München und Köln: Programm, Anfahrt, Übernachtung und Rückmeldung \
                  bis zum 15. Dezember erbeten"
            .to_string(),
        message_id: "<20261201093000.77aa01@mail.example.de>".to_string(),
        headers: vec![
            pair("X-Mailer", "Example Mailer 4.2 (build 2026-11-30)"),
            pair("Organization", "Müller & Söhne GmbH, Abteilung Öffentlichkeitsarbeit"),
            pair("List-Id", "Newsletter der Redaktion <news.example.de>"),
            pair("X-Campaign-Id", "dez-2026-jahresabschluss-einladung-0042"),
            pair("Keywords", "Einladung, Feier, Réunion, fin d'année, Übernachtung"),
            pair(
                "Comments",
                "Bitte leiten Sie diese Einladung an interessierte Kolleginnen und Kollegen weiter.",
            ),
            pair("X-Priority", "3 (Normal)"),
            pair("Auto-Submitted", "auto-generated"),
            pair("Precedence", "bulk"),
            pair("X-Entity-Ref-ID", "a1b2c3d4-e5f6-4711-8899-aabbccddeeff"),
        ],
        text: "Liebe Kolleginnen und Kollegen,\n\ndie Einladung finden Sie unten.\n\nViele Grüße\n"
            .to_string(),
        html: None,
        attachments: Vec::new(),
    }
}

// ---------------------------------------------------------------- sanity

fn norm(s: &str) -> String {
    s.replace("\r\n", "\n")
}

/// What a built message holds, read back with mailwire's parser: subject,
/// recipients, text and HTML bodies, attachments (name, decoded bytes), and
/// the Content-Transfer-Encoding of every leaf.
type Summary = (String, Vec<String>, String, String, Vec<(String, Vec<u8>)>, Vec<String>);

fn summary(bytes: &[u8]) -> Summary {
    let msg = Message::parse(bytes);
    let rcpts = msg
        .to()
        .iter()
        .chain(msg.cc().iter())
        .flat_map(|a| {
            mailwire_mime::Address::flatten(std::slice::from_ref(a))
                .map(|(_, m)| m.clone())
                .collect::<Vec<_>>()
        })
        .map(|m| format!("{:?} <{}>", m.name.as_deref().unwrap_or(""), m.address.as_deref().unwrap_or("")))
        .collect();
    let atts = msg
        .attachments()
        .map(|p| (p.filename().unwrap_or_default().into_owned(), p.decoded().into_owned()))
        .collect();
    let ctes = msg
        .parts()
        .iter()
        .filter(|p| matches!(p.body(), PartBody::Leaf))
        .map(|p| format!("{:?}", p.transfer_encoding()))
        .collect();
    (
        msg.subject().unwrap_or_default().into_owned(),
        rcpts,
        norm(&msg.text_body(0).unwrap_or_default()),
        norm(&msg.html_body(0).unwrap_or_default()),
        atts,
        ctes,
    )
}

fn sanity(name: &str, input: &Input) {
    let (mw, mb) = (mailwire(input), mail_builder(input));
    if let Some(dir) = std::env::var_os("MAILWIRE_BUILD_DUMP") {
        let dir = std::path::Path::new(&dir);
        std::fs::write(dir.join(format!("{name}.mailwire.eml")), &mw).expect("dump");
        std::fs::write(dir.join(format!("{name}.mail-builder.eml")), &mb).expect("dump");
    }
    let (a, b) = (summary(&mw), summary(&mb));
    let what = ["subject", "recipients", "text body", "HTML body", "attachments", "transfer encodings"];
    let same = [a.0 == b.0, a.1 == b.1, a.2 == b.2, a.3 == b.3, a.4 == b.4, a.5 == b.5];
    eprintln!(
        "{name:<17} mailwire {:>8} B, mail-builder {:>8} B; leaves {:?} / {:?}; {} attachment(s), {} recipient(s)",
        mw.len(),
        mb.len(),
        a.5,
        b.5,
        a.4.len(),
        a.1.len()
    );
    assert_eq!(a.0, input.subject, "{name}: mailwire subject");
    assert_eq!(a.2, norm(&input.text), "{name}: mailwire text body");
    assert_eq!(a.1.len(), input.to.len() + input.cc.len(), "{name}: mailwire recipients");
    for (k, (_, _, bytes)) in input.attachments.iter().enumerate() {
        assert_eq!(&a.4[k].1, bytes, "{name}: mailwire attachment {k}");
    }
    for (w, ok) in what.iter().zip(same) {
        assert!(ok, "{name}: the two builders' {w} differ");
    }
}

fn main() {
    let groups: [(&str, Input); 3] = [
        ("typical", typical()),
        ("large-attachment", large_attachment()),
        ("headers-heavy", headers_heavy()),
    ];

    eprintln!("Both outputs parsed back with mailwire_mime::Message::parse (must agree):");
    for (name, input) in &groups {
        sanity(name, input);
    }
    eprintln!();

    let mut c = Criterion::default().configure_from_args();
    for (name, input) in &groups {
        let bytes = mailwire(input).len() as u64;
        let mut g = c.benchmark_group(*name);
        g.throughput(Throughput::Bytes(bytes));
        g.bench_function("mailwire", |b| b.iter(|| black_box(mailwire(black_box(input)))));
        g.bench_function("mail-builder", |b| b.iter(|| black_box(mail_builder(black_box(input)))));
        g.finish();
    }
    c.final_summary();
}
