//! Side-by-side full-parse benchmark: mailwire-mime vs mail-parser 1.x vs
//! mailparse 0.18. See README.md and the workload notes in src/lib.rs.
//!
//! Each group is one criterion group with `Throughput::Bytes(total input
//! bytes)`; one iteration parses every message of the group once.

use criterion::{Criterion, Throughput};
use mailwire_benches::{Group, LIBS, MessageParser, Tally, Workload, groups, run};
use std::hint::black_box;

fn sanity_table(groups: &[Group], parser: &MessageParser) {
    eprintln!("What each library decoded in one pass (a check that the work is comparable):");
    eprintln!(
        "{:<20} {:<12} {:>5} {:>6} {:>10} {:>6} {:>10}",
        "group", "library", "msgs", "texts", "text B", "bins", "bin B"
    );
    for (name, msgs, work) in groups {
        if *work != Workload::Full {
            continue;
        }
        for lib in LIBS {
            let t: Tally = run(lib, Workload::Full, parser, msgs);
            eprintln!(
                "{:<20} {:<12} {:>5} {:>6} {:>10} {:>6} {:>10}",
                name, lib, t.messages, t.text_parts, t.text_bytes, t.bin_parts, t.bin_bytes
            );
        }
    }
    eprintln!();
}

fn main() {
    let groups = match groups() {
        Ok(g) => g,
        Err(why) => {
            println!(
                "mailwire-benches: {why}; nothing to benchmark (expected shared/corpus/mime beside the repository)."
            );
            return;
        }
    };
    let parser = MessageParser::default();
    sanity_table(&groups, &parser);

    let mut c = Criterion::default().configure_from_args();
    for (name, msgs, work) in &groups {
        let bytes: u64 = msgs.iter().map(|m| m.len() as u64).sum();
        let mut g = c.benchmark_group(*name);
        g.throughput(Throughput::Bytes(bytes));
        for lib in LIBS {
            g.bench_function(lib, |b| b.iter(|| black_box(run(lib, *work, &parser, msgs))));
        }
        g.finish();
    }
    c.final_summary();
}
