//! A plain loop over one group and one library, for profilers:
//!
//!     cargo build --release --ignore-rust-version --bin profile-driver
//!     valgrind --tool=callgrind target/release/profile-driver mail-parser-corpus mailwire 20
//!     perf record -g target/release/profile-driver torture mailwire 200
//!
//! Arguments: GROUP LIBRARY [ITERATIONS=100]. `list` prints the groups;
//! `dump GROUP` prints every leaf part as mailwire-mime and mail-parser see
//! it (type, transfer encoding, raw and decoded length), to check that the
//! two libraries did the same work.

use mailwire_benches::{LIBS, MessageParser, groups, run};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let groups = match groups() {
        Ok(g) => g,
        Err(why) => {
            println!("profile-driver: {why}");
            return;
        }
    };
    if args.len() == 2 && args[0] == "dump" {
        let Some((_, msgs, _)) = groups.iter().find(|(n, _, _)| *n == args[1]) else {
            eprintln!("unknown group {}", args[1]);
            std::process::exit(2);
        };
        for (i, m) in msgs.iter().enumerate() {
            dump(i, m);
        }
        return;
    }
    if args.len() < 2 || args[0] == "list" {
        for (n, m, _) in &groups {
            println!("{n}: {} messages, {} bytes", m.len(), m.iter().map(Vec::len).sum::<usize>());
        }
        println!("libraries: {LIBS:?}");
        return;
    }
    let Some((_, msgs, work)) = groups.iter().find(|(n, _, _)| *n == args[0]) else {
        eprintln!("unknown group {}", args[0]);
        std::process::exit(2);
    };
    let iters: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let parser = MessageParser::default();
    let bytes: usize = msgs.iter().map(Vec::len).sum();
    let start = Instant::now();
    let mut last = Default::default();
    for _ in 0..iters {
        last = std::hint::black_box(run(&args[1], *work, &parser, msgs));
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} {}: {iters} iterations, {:.1} MiB/s, {:?}",
        args[0],
        args[1],
        (bytes * iters) as f64 / secs / (1024.0 * 1024.0),
        last
    );
}

fn dump(index: usize, raw: &[u8]) {
    println!("## message {index} ({} bytes)", raw.len());
    let msg = mailwire_mime::Message::parse(raw);
    let scanned: usize =
        msg.parts().iter().filter(|p| p.is_multipart()).map(|p| p.end_offset() - p.body_offset()).sum();
    println!("  mailwire: multipart bodies add up to {scanned} bytes (input {} bytes)", raw.len());
    for (id, p) in msg.parts().iter().enumerate() {
        if !matches!(p.body(), mailwire_mime::PartBody::Leaf) {
            continue;
        }
        let ct = p.content_type();
        let decode = || if p.is_text() { p.decode_text().0.len() } else { p.decoded().len() };
        let len = decode();
        // Decode speed of this part alone (raw MiB/s), to spot slow paths.
        let reps = (4_000_000 / (p.raw_body().len() + 64)).clamp(5, 20_000);
        let t = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(decode());
        }
        let mibs = (p.raw_body().len() * reps) as f64 / t.elapsed().as_secs_f64() / 1048576.0;
        println!(
            "  mailwire    #{id:<3} {}/{} {:?} raw={} out={} {} decode={mibs:.0} MiB/s",
            ct.main_type(),
            ct.subtype().unwrap_or(""),
            p.transfer_encoding(),
            p.raw_body().len(),
            len,
            if p.is_text() { "text" } else { "bytes" }
        );
    }
    let Some(mp) = MessageParser::default().parse(raw) else {
        println!("  mail-parser: no message");
        return;
    };
    for p in mp.parts() {
        use mail_parser::PartKind;
        let (len, what) = match p.kind() {
            PartKind::Text | PartKind::Html => (p.text().map_or(0, |t| t.len()), "text"),
            PartKind::Binary | PartKind::InlineBinary => (p.decoded().len(), "bytes"),
            _ => continue,
        };
        let ct = p
            .content_type()
            .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("")))
            .unwrap_or_else(|| "-".into());
        println!(
            "  mail-parser #{:<3} {ct} {:?} raw={} out={len} {what}",
            p.id(),
            p.encoding(),
            p.raw_body().len()
        );
    }
}
