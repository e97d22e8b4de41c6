//! Shared helpers for the tests that read `../shared/corpus`.
#![allow(dead_code)]

use std::path::PathBuf;

/// The corpus folder `rel` under `../shared/corpus`, or `None` (after a
/// loud message) when it is absent on a developer's machine. Under
/// `CI=true` a missing corpus is a failure.
pub fn corpus(rel: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus").join(rel);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "corpus folder {} is missing, and CI=true: the shared corpora must be present in CI",
            dir.display()
        );
    }
    eprintln!(
        "SKIP: corpus folder {} is absent (a fresh clone has no ../shared); test not run",
        dir.display()
    );
    None
}

/// Every file under `dir` (recursively) whose name satisfies `keep`, sorted.
pub fn files(dir: &std::path::Path, keep: &dyn Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().and_then(|n| n.to_str()).is_some_and(keep) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Whether `python3` is present. Without it, skip loudly, or fail under CI.
pub fn python3() -> bool {
    let ok =
        std::process::Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("python3 is missing, and CI=true: .ci/run must install it (scripts/install-peers.sh)");
        }
        eprintln!(
            "SKIP: python3 not found; the differential test against Python's email package was not run"
        );
    }
    ok
}
