//! A plain loop over one group and one library, for profilers:
//!
//!     cargo build --release --ignore-rust-version --bin profile-driver
//!     valgrind --tool=callgrind target/release/profile-driver mail-parser-corpus mailwire 20
//!     perf record -g target/release/profile-driver torture mailwire 200
//!
//! Arguments: GROUP LIBRARY [ITERATIONS=100]. `list` prints the groups.

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
    if args.len() < 2 || args[0] == "list" {
        for (n, m, _) in &groups {
            println!("{n}: {} messages, {} bytes", m.len(), m.iter().map(Vec::len).sum::<usize>());
        }
        println!("libraries: {LIBS:?}");
        return;
    }
    let Some((_, msgs, headers)) = groups.iter().find(|(n, _, _)| *n == args[0]) else {
        eprintln!("unknown group {}", args[0]);
        std::process::exit(2);
    };
    let iters: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let parser = MessageParser::default();
    let bytes: usize = msgs.iter().map(Vec::len).sum();
    let start = Instant::now();
    let mut last = Default::default();
    for _ in 0..iters {
        last = std::hint::black_box(run(&args[1], *headers, &parser, msgs));
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
