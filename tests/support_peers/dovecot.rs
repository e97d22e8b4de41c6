//! A real Dovecot 2.3 (IMAP + POP3) on loopback, started by
//! `scripts/dovecot.sh`, one per test binary and shared by its tests.
//!
//! Each test takes its own user with [`Dovecot::new_user`] (own password
//! and Maildir), so tests running in parallel do not see each other's
//! mail; [`MailUser`] puts messages into that Maildir and reads them back.
//! The instance is stopped when the test process exits, however it exits:
//! a watchdog holds a pipe from this process and runs
//! `scripts/dovecot.sh stop` when the pipe closes.
//!
//! Dovecot needs root (it switches to the mail owner, the system user
//! `mailtest`): check [`available`] with [`super::require`] first.
//!
//! What to know about this Dovecot (see also the header of
//! `scripts/dovecot.sh`):
//! - Plaintext login is allowed, and STARTTLS/STLS is offered; IMAPS and
//!   POP3S are implicit TLS; clients trust [`Dovecot::ca`]. A connection
//!   from 127.0.0.1 counts as secured (no LOGINDISABLED): connect from
//!   127.0.0.2 to see the pre-TLS behaviour.
//! - A Maildir is Maildir++: IMAP folder `A.B` is the directory `.A.B`
//!   (hierarchy separator `.`).
//! - Files are served as they are when CRLF (deliver CRLF messages and the
//!   RETR/FETCH bytes equal the file); APPENDed messages are stored CRLF.
//! - Messages get UIDs in delivery order: Dovecot sorts new files by the
//!   time in their names, which [`MailUser::deliver`] makes increase.
//! - UIDL is `%08Xu%08Xv` (UID, UIDVALIDITY); a failed login is answered
//!   after about 0.5 s.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use super::{root, runs, test_certs};

/// The login of the shared user (its Maildir is [`Dovecot::maildir`]).
pub const USER: &str = "mailtest-user";
/// The password of [`USER`].
pub const PASS: &str = "mailtest-pass";

/// Whether [`shared`] can start Dovecot: `dovecot`, `openssl` (for the
/// test certificates) and `python3` (for free ports) are on `PATH`, and
/// this process runs as root.
pub fn available() -> bool {
    let is_root = Command::new("id")
        .arg("-u")
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success() && o.stdout.trim_ascii() == b"0");
    is_root
        && runs("dovecot", &["--version"])
        && runs("openssl", &["version"])
        && runs("python3", &["--version"])
}

/// A running Dovecot, listening on 127.0.0.1.
pub struct Dovecot {
    /// IMAP port (STARTTLS offered).
    pub imap: u16,
    /// POP3 port (STLS offered).
    pub pop3: u16,
    /// IMAPS port (TLS from the first byte).
    pub imaps: u16,
    /// POP3S port (TLS from the first byte).
    pub pop3s: u16,
    /// The shared user's login, [`USER`].
    pub user: String,
    /// The shared user's password, [`PASS`].
    pub pass: String,
    /// The shared user's Maildir (`BASE/mail`); prefer [`Dovecot::new_user`].
    pub maildir: PathBuf,
    /// The CA certificate clients trust (from [`test_certs`]).
    pub ca: PathBuf,
    base: PathBuf,
    /// uid and gid of `mailtest`, the owner of all mail.
    owner: (u32, u32),
    users: Mutex<HashSet<String>>,
    /// Closed only when the process exits: then the watchdog stops Dovecot.
    _watchdog: ChildStdin,
}

/// This test binary's Dovecot, started on first use (which takes about
/// 0.3 s) and shared by all its tests. Panics (in every test that asks)
/// if it cannot start, with Dovecot's log.
pub fn shared() -> &'static Dovecot {
    static DOVECOT: OnceLock<Result<Dovecot, String>> = OnceLock::new();
    match DOVECOT.get_or_init(Dovecot::start) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    }
}

impl Dovecot {
    fn start() -> Result<Dovecot, String> {
        let tls = test_certs();
        let certdir = tls.cert.parent().expect("certificate directory").to_path_buf();
        let base = base_dir();
        let script = root().join("scripts/dovecot.sh");
        let log =
            std::fs::File::create(base.join("watchdog.log")).map_err(|e| format!("watchdog.log: {e}"))?;
        // Runs `start` (which prints the ready line and returns: Dovecot
        // daemonizes), then waits for EOF on its stdin and runs `stop`
        // (also when `start` fails half-way). In its own process group, and
        // ignoring SIGINT/SIGHUP, so that a ^C that kills the tests does
        // not kill it first.
        let mut watchdog = Command::new("sh")
            .arg("-c")
            .arg(
                r#"trap '' INT HUP
bash "$1" start "$2" "$3" "$4" "$5" || { bash "$1" stop "$2"; exit 1; }
exec >/dev/null
read _ignored
exec bash "$1" stop "$2""#,
            )
            .arg("watchdog")
            .arg(&script)
            .arg(&base)
            .args([USER, PASS])
            .arg(&certdir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", script.display()))?;
        let pipe = watchdog.stdin.take().expect("piped stdin");
        let mut line = String::new();
        let _ = BufReader::new(watchdog.stdout.take().expect("piped stdout")).read_line(&mut line);
        let mut ports = [0u16; 4];
        for word in line.strip_prefix("dovecot ready ").unwrap_or_default().split_whitespace() {
            let (key, value) = word.split_once('=').unwrap_or_default();
            if let (Some(i), Ok(port)) =
                (["imap", "pop3", "imaps", "pop3s"].iter().position(|k| *k == key), value.parse())
            {
                ports[i] = port;
            }
        }
        if ports.contains(&0) {
            let _ = watchdog.wait();
            let why = std::fs::read_to_string(base.join("watchdog.log")).unwrap_or_default();
            return Err(format!(
                "scripts/dovecot.sh start {} did not print the ready line (got {line:?}):\n{why}",
                base.display()
            ));
        }
        let maildir = base.join("mail");
        let meta = std::fs::metadata(&maildir).map_err(|e| format!("{}: {e}", maildir.display()))?;
        let [imap, pop3, imaps, pop3s] = ports;
        Ok(Dovecot {
            imap,
            pop3,
            imaps,
            pop3s,
            user: USER.into(),
            pass: PASS.into(),
            maildir,
            ca: tls.ca.clone(),
            base,
            owner: (meta.uid(), meta.gid()),
            users: Mutex::new(HashSet::from([USER.to_string()])),
            _watchdog: pipe,
        })
    }

    /// The shared user ([`USER`], whose Maildir is [`Dovecot::maildir`]).
    /// Tests running in parallel all see its mail: prefer
    /// [`Dovecot::new_user`].
    pub fn shared_user(&self) -> MailUser {
        MailUser {
            name: self.user.clone(),
            pass: self.pass.clone(),
            maildir: self.maildir.clone(),
            owner: self.owner,
        }
    }

    /// A new user `name` (lower-case ASCII letters, digits, `.`, `_`, `-`;
    /// unique in this test binary) with password `NAME-secret` and an
    /// empty Maildir `BASE/users/NAME`; Dovecot accepts it at once.
    pub fn new_user(&self, name: &str) -> MailUser {
        let valid = !name.is_empty()
            && !name.starts_with('.')
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        assert!(valid, "user name {name:?}: use lower-case ASCII letters, digits, '.', '_', '-'");
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        assert!(users.insert(name.to_string()), "user {name:?} exists already: give each test its own name");
        let users_dir = self.base.join("users");
        std::fs::create_dir_all(&users_dir).expect("BASE/users");
        let user = MailUser {
            name: name.into(),
            pass: format!("{name}-secret"),
            maildir: users_dir.join(name),
            owner: self.owner,
        };
        user.make_maildir(&user.maildir);
        // One passwd-file per user (the config reads BASE/passwd.d/%u):
        // Dovecot re-reads a changed passwd-file at most once a second, but
        // reads a file it has not seen yet at once. Written whole, then
        // renamed into place.
        let (uid, gid) = self.owner;
        let dir = user.maildir.display();
        let entry = format!("{name}:{{PLAIN}}{}:{uid}:{gid}::{dir}::userdb_mail=maildir:{dir}\n", user.pass);
        let tmp = self.base.join("passwd.d").join(format!(".{name}.tmp"));
        std::fs::write(&tmp, entry).expect("writing the passwd entry");
        std::fs::rename(&tmp, self.base.join("passwd.d").join(name)).expect("renaming the passwd entry");
        user
    }

    /// The directory all of this instance's files are under.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// Dovecot's log so far (logins, failures, errors), for failure
    /// messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.base.join("dovecot.log")).unwrap_or_default()
    }
}

/// A Dovecot user and its Maildir++.
#[derive(Clone, Debug)]
pub struct MailUser {
    /// The login.
    pub name: String,
    /// The password.
    pub pass: String,
    /// The Maildir: INBOX, and folder `F` in `.F`.
    pub maildir: PathBuf,
    owner: (u32, u32),
}

impl MailUser {
    /// The directory of `folder` (`None` or `INBOX`: the Maildir itself;
    /// IMAP name `A.B`: `.A.B`), whether or not it exists.
    pub fn folder_dir(&self, folder: Option<&str>) -> PathBuf {
        match folder {
            None => self.maildir.clone(),
            Some(f) if f.eq_ignore_ascii_case("INBOX") => self.maildir.clone(),
            Some(f) => {
                assert!(
                    !f.is_empty() && !f.starts_with('.') && !f.contains('/'),
                    "folder {f:?}: not a Maildir++ folder name"
                );
                self.maildir.join(format!(".{f}"))
            }
        }
    }

    /// Puts `bytes` into `folder` (see [`MailUser::folder_dir`]; created
    /// if missing) as a new message, the way an MDA does: written to
    /// `tmp/`, owned by `mailtest`, then renamed into `new/`. Returns its
    /// path in `new/` (Dovecot moves it to `cur/` when a session sees it).
    /// Deliver CRLF text to have the wire bytes equal `bytes`.
    pub fn deliver(&self, folder: Option<&str>, bytes: &[u8]) -> PathBuf {
        let dir = self.folder_dir(folder);
        if dir != self.maildir {
            self.make_maildir(&dir);
            let marker = dir.join("maildirfolder");
            if !marker.exists() {
                std::fs::write(&marker, b"").expect("maildirfolder");
                self.chown(&marker);
            }
        }
        let name = unique_name();
        let tmp = dir.join("tmp").join(&name);
        std::fs::write(&tmp, bytes).unwrap_or_else(|e| panic!("{}: {e}", tmp.display()));
        self.chown(&tmp);
        let new = dir.join("new").join(&name);
        std::fs::rename(&tmp, &new).unwrap_or_else(|e| panic!("{}: {e}", new.display()));
        new
    }

    /// Removes every message of `folder` (the files in `new/` and `cur/`).
    /// Dovecot sees them as expunged; UIDs go on counting.
    pub fn clear(&self, folder: Option<&str>) {
        // A file Dovecot renames (new/ to cur/) meanwhile is removed in the
        // next round.
        for _ in 0..10 {
            let files = self.files(folder);
            if files.is_empty() {
                return;
            }
            for (path, _) in files {
                match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("{}: {e}", path.display()),
                    _ => {}
                }
            }
        }
        panic!("the messages of {:?} in {} kept moving", folder, self.maildir.display());
    }

    /// The messages of `folder` (files in `new/` and `cur/`) with their
    /// bytes, in Dovecot's UID order for new files (time in the name,
    /// then microseconds, then the name).
    pub fn messages(&self, folder: Option<&str>) -> Vec<(PathBuf, Vec<u8>)> {
        // Dovecot may rename a file (new/ to cur/, flags) between listing
        // and reading: then list again.
        'again: for _ in 0..10 {
            let mut out = Vec::new();
            for (path, _) in self.files(folder) {
                match std::fs::read(&path) {
                    Ok(bytes) => out.push((path, bytes)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue 'again,
                    Err(e) => panic!("{}: {e}", path.display()),
                }
            }
            return out;
        }
        panic!("the messages of {:?} in {} kept moving", folder, self.maildir.display());
    }

    /// The files in `new/` and `cur/` of `folder`, sorted.
    fn files(&self, folder: Option<&str>) -> Vec<(PathBuf, (u64, u64, String))> {
        let dir = self.folder_dir(folder);
        let mut files = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(rd) = std::fs::read_dir(dir.join(sub)) else { continue };
            for e in rd.flatten() {
                if e.file_type().is_ok_and(|t| t.is_file()) {
                    let key = order_key(&e.file_name().to_string_lossy());
                    files.push((e.path(), key));
                }
            }
        }
        files.sort_by(|a, b| a.1.cmp(&b.1));
        files
    }

    /// Makes the Maildir `dir` (with `cur`, `new`, `tmp`), owned by `mailtest`.
    fn make_maildir(&self, dir: &Path) {
        for sub in ["cur", "new", "tmp"] {
            let d = dir.join(sub);
            std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
            self.chown(&d);
        }
        self.chown(dir);
    }

    fn chown(&self, path: &Path) {
        let (uid, gid) = self.owner;
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .unwrap_or_else(|e| panic!("chown {}: {e}", path.display()));
    }
}

/// A Maildir file name `SECS.MUSECSPpidQseq.mailwire`, its time strictly
/// later than the previous one's in this process, so that Dovecot, which
/// sorts new files by that time, gives them UIDs in delivery order.
fn unique_name() -> String {
    static LAST: AtomicU64 = AtomicU64::new(0);
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64);
    let mut last = LAST.load(Ordering::Relaxed);
    let micros = loop {
        let next = now.max(last + 1);
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => break next,
            Err(seen) => last = seen,
        }
    };
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    format!("{}.M{:06}P{}Q{seq}.mailwire", micros / 1_000_000, micros % 1_000_000, std::process::id())
}

/// Dovecot's order of Maildir file names: seconds, then the microseconds
/// of an `M` field, then the base name (up to the `:` of the flags).
fn order_key(name: &str) -> (u64, u64, String) {
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    let secs = name[..digits].parse().unwrap_or(0);
    let unique = name[digits..].strip_prefix('.').unwrap_or("");
    let unique = &unique[..unique.find(['.', ':']).unwrap_or(unique.len())];
    let usecs = unique.find('M').map_or(0, |i| {
        let rest = &unique[i + 1..];
        rest[..rest.bytes().take_while(u8::is_ascii_digit).count()].parse().unwrap_or(0)
    });
    let base = name.split(':').next().unwrap_or(name);
    (secs, usecs, base.to_string())
}

/// A fresh `PARENT/PID` for this process's Dovecot, every directory on
/// the way searchable by `mailtest`. PARENT is `CARGO_TARGET_TMPDIR/dovecot`,
/// or, where a directory above that is closed to others (a clone under
/// `/root`), `TMPDIR/mailwire-dovecot`. Stops (in the background) and
/// removes what earlier runs, whose process is gone, left there.
fn base_dir() -> PathBuf {
    let open = |d: &Path| {
        let mode = std::fs::metadata(d).map_or(0, |m| m.permissions().mode());
        if mode & 0o755 != 0o755 {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(mode & 0o7777 | 0o755))
                .unwrap_or_else(|e| panic!("chmod {}: {e}", d.display()));
        }
    };
    let target_tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let searchable = |d: &Path| std::fs::metadata(d).is_ok_and(|m| m.permissions().mode() & 0o001 != 0);
    let parent = if target_tmp.parent().is_some_and(|p| p.ancestors().all(searchable)) {
        std::fs::create_dir_all(target_tmp).unwrap_or_else(|e| panic!("{}: {e}", target_tmp.display()));
        open(target_tmp);
        target_tmp.join("dovecot")
    } else {
        std::env::temp_dir().join("mailwire-dovecot")
    };
    std::fs::create_dir_all(&parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    let open = |d: &Path| {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", d.display()))
    };
    open(&parent);
    let script = root().join("scripts/dovecot.sh");
    for e in std::fs::read_dir(&parent).into_iter().flatten().flatten() {
        let stale = e
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists());
        if stale {
            // Its watchdog has stopped it, or is stopping it (about 1 s);
            // this also catches a Dovecot whose watchdog was killed. In the
            // background: no need to wait for it.
            let _ = Command::new("sh")
                .arg("-c")
                .arg(r#"bash "$0" stop "$1"; rm -rf "$1""#)
                .arg(&script)
                .arg(e.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn();
        }
    }
    let base = parent.join(std::process::id().to_string());
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap_or_else(|e| panic!("{}: {e}", base.display()));
    open(&base);
    base
}
