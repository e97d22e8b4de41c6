//! Helpers for the facade's interop tests against real peers: finding the
//! example binaries, skipping (or failing under `CI=true`) when a peer is
//! missing, scratch directories, test certificates, and peer processes that
//! cannot outlive the test binary.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub mod dovecot;

/// Whether we run under CI (`CI=true`), where a missing peer is a failure.
pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// `true` when `available`; otherwise a loud `SKIP:` line naming `test`
/// and `what` is missing, or, under `CI=true`, a panic.
pub fn require(test: &str, what: &str, available: bool) -> bool {
    if available {
        return true;
    }
    if ci() {
        panic!("{test}: {what} is missing, and CI=true: .ci/run must install it (scripts/install-peers.sh)");
    }
    eprintln!("SKIP: {test}: {what} is not installed (run scripts/install-peers.sh); test not run");
    false
}

/// Whether `program args` runs and exits 0.
pub fn runs<S: AsRef<OsStr>>(program: &str, args: &[S]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether `python3` can import `module`.
pub fn python_module(module: &str) -> bool {
    runs("python3", &["-c", &format!("import {module}")])
}

/// The repository root (the facade package).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The example binary `name`, built by `cargo test` next to this test
/// binary (`target/debug/deps/NAME-HASH` → `target/debug/examples/name`).
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let profile = exe.parent().and_then(Path::parent).expect("test binary under target/PROFILE/deps");
    let path = profile.join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "example binary {} is missing: build the examples first (`cargo build --examples`), or run \
         the whole suite with `cargo test --workspace --all-features`, which builds them",
        path.display()
    );
    // `cargo test --test NAME` alone does not rebuild the examples.
    let built = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
    let newer = [format!("examples/{name}.rs"), "examples/net/mod.rs".into()].into_iter().find(|src| {
        let changed = std::fs::metadata(root().join(src)).and_then(|m| m.modified()).ok();
        changed.zip(built).is_some_and(|(c, b)| c > b)
    });
    static WARNED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut warned = WARNED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(src) = newer.filter(|_| !warned.iter().any(|n| n == name)) {
        warned.push(name.to_string());
        eprintln!(
            "WARNING: {} is older than {src}: testing a stale build (run `cargo build --examples`)",
            path.display()
        );
    }
    path
}

/// This process's scratch root, `CARGO_TARGET_TMPDIR/interop/PID`; the
/// first call removes roots left by earlier runs whose process is gone.
fn scratch_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("interop");
        if let Ok(rd) = std::fs::read_dir(&base) {
            for e in rd.flatten() {
                let stale = e
                    .file_name()
                    .to_str()
                    .and_then(|n| n.parse::<u32>().ok())
                    .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists());
                if stale {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let root = base.join(std::process::id().to_string());
        std::fs::create_dir_all(&root).expect("scratch root");
        root
    })
}

/// A scratch directory, removed on drop unless the test is failing (then
/// its path is printed, for the peers' logs and the files).
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A fresh, empty directory `name` under this process's scratch root.
    pub fn new(name: &str) -> Scratch {
        let dir = scratch_root().join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Scratch(dir)
    }

    /// `self/rel`.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept for inspection: {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The files `scripts/test-cert.sh` makes, once per test binary.
pub struct TlsFiles {
    /// The CA certificate clients trust.
    pub ca: PathBuf,
    /// The server's certificate (SAN localhost and 127.0.0.1).
    pub cert: PathBuf,
    /// The server's key.
    pub key: PathBuf,
}

/// A CA and a loopback server certificate (needs `openssl`; check with
/// [`runs`] first).
pub fn test_certs() -> &'static TlsFiles {
    static TLS: OnceLock<TlsFiles> = OnceLock::new();
    TLS.get_or_init(|| {
        let dir = scratch_root().join("tls");
        let out = Command::new("bash")
            .arg(root().join("scripts/test-cert.sh"))
            .arg(&dir)
            .stdin(Stdio::null())
            .output()
            .expect("running scripts/test-cert.sh");
        assert!(
            out.status.success(),
            "scripts/test-cert.sh failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        TlsFiles { ca: dir.join("ca.pem"), cert: dir.join("cert.pem"), key: dir.join("key.pem") }
    })
}

/// The port of `HOST:PORT` (a [`Peer`]'s address).
pub fn port_of(addr: &str) -> u16 {
    addr.rsplit_once(':').and_then(|(_, p)| p.parse().ok()).unwrap_or_else(|| panic!("no port in {addr:?}"))
}

/// A peer process (a server) that cannot outlive the test binary: it runs
/// under a `sh` watchdog that holds a pipe from us and kills the server
/// when that pipe closes — on drop, or when the test process dies however
/// it dies. Its standard error goes to a log file.
pub struct Peer {
    name: String,
    watchdog: Child,
    pipe: Option<ChildStdin>,
    /// What the server printed after the ready prefix (its address).
    pub addr: String,
    /// The server's standard error.
    pub log: PathBuf,
}

impl Peer {
    /// Starts `program args`, waiting (up to 20 s) for a line on its
    /// standard output that starts with `ready` (e.g. `smtp_server
    /// listening on `); the rest of that line becomes [`Peer::addr`].
    pub fn start<S: AsRef<OsStr>>(
        name: &str,
        program: &OsStr,
        args: &[S],
        ready: &str,
        log: PathBuf,
    ) -> Peer {
        let logfile = std::fs::File::create(&log).expect("peer log file");
        let mut watchdog = Command::new("sh")
            .arg("-c")
            .arg(r#""$@" </dev/null & p=$!; read _ignored; kill "$p" 2>/dev/null; wait "$p""#)
            .arg("watchdog")
            .arg(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(logfile)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        let pipe = watchdog.stdin.take();
        let stdout = watchdog.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        let prefix = ready.to_string();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.strip_prefix(&prefix) {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(rest.trim().to_string());
                    }
                }
            }
        });
        let mut peer = Peer { name: name.into(), watchdog, pipe, addr: String::new(), log };
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(addr) => peer.addr = addr,
            Err(_) => {
                let log = std::fs::read_to_string(&peer.log).unwrap_or_default();
                panic!("{name} did not print {ready:?} within 20 s; its stderr:\n{log}");
            }
        }
        peer
    }

    /// The server's standard error so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        drop(self.pipe.take()); // the watchdog's `read` returns: it kills the server
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.watchdog.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                _ => {
                    eprintln!("{}: the watchdog did not stop the server in 10 s; killing it", self.name);
                    let _ = self.watchdog.kill();
                    let _ = self.watchdog.wait();
                    return;
                }
            }
        }
    }
}

/// Runs `cmd` to completion, killing it (and failing) after `limit`.
pub fn run_with_limit(mut cmd: Command, limit: Duration) -> Output {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout")));
    let err = drain(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            break s;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output { status, stdout: out.join().unwrap_or_default(), stderr: err.join().unwrap_or_default() }
}
