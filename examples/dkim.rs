//! DKIM from the command line: sign a message, verify its signatures, and
//! print the key record to publish.
//!
//! ```text
//! cargo run --example dkim -- sign --key KEY.pem --domain D --selector S
//!     [--algorithm rsa-sha256|ed25519-sha256]
//!     [--canon relaxed/relaxed|relaxed/simple|simple/relaxed|simple/simple]
//!     [--headers from:to:subject…] [--body-length] [--timestamp UNIX]
//!     [--expiration UNIX] [--identity USER@D] FILE
//! cargo run --example dkim -- verify --zone ZONEFILE [--now UNIX] [--authserv-id ID] FILE
//! cargo run --example dkim -- record --key KEY.pem [--domain D --selector S]
//! ```
//!
//! FILE may be `-` for standard input.
//!
//! - `sign` writes the signed message to standard output: the
//!   `DKIM-Signature:` field, then the message bytes unchanged. KEY.pem is
//!   an RSA key of 2048 bits or more (PKCS#1 or PKCS#8, what `openssl
//!   genrsa 2048` writes) or an Ed25519 key (PKCS#8, `openssl genpkey
//!   -algorithm ed25519`); the
//!   algorithm follows from the key, and `--algorithm`, if given, must
//!   agree with it. The defaults are the library's: relaxed/relaxed, its
//!   default header list over-signed, no `l=`. `--headers` gives `h=`
//!   exactly (names separated by `:`; a name listed more often than the
//!   field occurs over-signs it). `t=` is `--timestamp`, or the current
//!   time.
//! - `verify` prints one RFC 8601 `Authentication-Results:` field (CRLF
//!   line ends, folded at 78 columns by `mailwire_auth::results`) whose
//!   authserv-id is `--authserv-id` or the machine's host name, with one
//!   `dkim=` result per signature, in the order of the fields:
//!   `dkim=pass|fail|policy|temperror|permerror` (the library has no
//!   `neutral`), then `reason="…"` (why it is not a pass; on a pass, a note
//!   about a key in testing mode, a weak key or the unsigned tail that an
//!   `l=` tag leaves), then `header.d=`, `header.s=`, `header.b=` (the first
//!   8 characters of the signature, RFC 6008) and `header.a=`; or
//!   `dkim=none` when the message has no signature. The keys come from
//!   ZONEFILE, lines `NAME TXT "string" "string"…` (`;` comments). `--now`
//!   is the time of the check (for `x=`), by default the current time. It
//!   exits 0 whatever the results. `--dns` asks the system's resolver
//!   instead (built with the `dns-hickory` feature; refused without it).
//! - `record` prints the value of the TXT record to publish at
//!   `SELECTOR._domainkey.DOMAIN` (`v=DKIM1; k=…; p=…`); with `--domain`
//!   and `--selector` it prints a whole ZONEFILE line instead.
//!
//! Errors go to standard error: exit status 2 for bad usage (unknown
//! options, a key or zone file that does not parse, an `--algorithm` the
//! key does not have, `--dns` without its feature), 1 when a file cannot be read or written or
//! the message cannot be signed (it has no From field).

use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use mailwire_auth::SystemRandom;
use mailwire_auth::dkim::{Algorithm, Canon, DkimResult, Signer, SigningKey, Status, VerifyOptions, verify};
use mailwire_auth::dns::MemoryResolver;
use mailwire_auth::results::{AuthResults, Method, MethodResult, PropertyType, ResultKind};

const USAGE: &str = "usage:
  dkim sign --key KEY.pem --domain D --selector S [--algorithm rsa-sha256|ed25519-sha256]
            [--canon relaxed/relaxed|relaxed/simple|simple/relaxed|simple/simple]
            [--headers from:to:subject...] [--body-length] [--timestamp UNIX]
            [--expiration UNIX] [--identity USER@D] FILE
  dkim verify --zone ZONEFILE [--now UNIX] [--authserv-id ID] FILE
  dkim record --key KEY.pem [--domain D --selector S]";

/// Why the program stops: bad usage (exit 2, with the usage text), a
/// refused argument (exit 2) or a failure (exit 1).
enum Error {
    Usage(String),
    Refused(String),
    Failed(String),
}

use Error::{Failed, Refused, Usage};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("sign") => sign(&args[1..]),
        Some("verify") => verify_command(&args[1..]),
        Some("record") => record(&args[1..]),
        Some("--help" | "-h" | "help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(Usage(format!("unknown command {other:?}"))),
        None => Err(Usage("no command given".into())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Usage(e)) => {
            eprintln!("dkim: {e}");
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
        Err(Refused(e)) => {
            eprintln!("dkim: {e}");
            ExitCode::from(2)
        }
        Err(Failed(e)) => {
            eprintln!("dkim: {e}");
            ExitCode::from(1)
        }
    }
}

/// The options of one command: `--name value` pairs, switches and the
/// positional FILE.
struct Args {
    values: Vec<(String, String)>,
    switches: Vec<String>,
    file: Option<String>,
}

impl Args {
    /// Reads `args`, knowing which options take a value and which are
    /// switches.
    fn parse(args: &[String], with_value: &[&str], switches: &[&str]) -> Result<Args, Error> {
        let mut out = Args { values: Vec::new(), switches: Vec::new(), file: None };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let name = arg.as_str();
            if with_value.contains(&name) {
                let value = it.next().ok_or_else(|| Usage(format!("{name} needs a value")))?;
                if out.values.iter().any(|(n, _)| n == name) {
                    return Err(Usage(format!("{name} given twice")));
                }
                out.values.push((name.to_string(), value.clone()));
            } else if switches.contains(&name) {
                out.switches.push(name.to_string());
            } else if name.starts_with("--") {
                return Err(Usage(format!("unknown option {name}")));
            } else if out.file.replace(name.to_string()).is_some() {
                return Err(Usage("more than one FILE".into()));
            }
        }
        Ok(out)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn required(&self, name: &str) -> Result<&str, Error> {
        self.get(name).ok_or_else(|| Usage(format!("{name} is required")))
    }

    fn has(&self, switch: &str) -> bool {
        self.switches.iter().any(|s| s == switch)
    }

    fn number(&self, name: &str) -> Result<Option<u64>, Error> {
        self.get(name)
            .map(|v| v.parse().map_err(|_| Usage(format!("{name} {v:?}: not a number of seconds"))))
            .transpose()
    }

    fn file(&self) -> Result<&str, Error> {
        self.file.as_deref().ok_or_else(|| Usage("no FILE given".into()))
    }
}

/// A file's bytes (`-`: standard input).
fn read(path: &str) -> Result<Vec<u8>, Error> {
    if path == "-" {
        let mut data = Vec::new();
        std::io::stdin().read_to_end(&mut data).map_err(|e| Failed(format!("standard input: {e}")))?;
        return Ok(data);
    }
    std::fs::read(path).map_err(|e| Failed(format!("{path}: {e}")))
}

fn write_stdout(parts: &[&[u8]]) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    for part in parts {
        out.write_all(part).map_err(|e| Failed(format!("standard output: {e}")))?;
    }
    out.flush().map_err(|e| Failed(format!("standard output: {e}")))
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn load_key(path: &str) -> Result<SigningKey, Error> {
    let pem = read(path)?;
    SigningKey::from_pem(&pem).map_err(|e| Refused(format!("{path}: {e}")))
}

fn sign(args: &[String]) -> Result<(), Error> {
    let args = Args::parse(
        args,
        &[
            "--key",
            "--domain",
            "--selector",
            "--algorithm",
            "--canon",
            "--headers",
            "--timestamp",
            "--expiration",
            "--identity",
        ],
        &["--body-length"],
    )?;
    let key = load_key(args.required("--key")?)?;
    let domain = args.required("--domain")?;
    let selector = args.required("--selector")?;
    if let Some(name) = args.get("--algorithm") {
        let wanted = match name.to_ascii_lowercase().as_str() {
            "rsa-sha256" => Algorithm::RsaSha256,
            "ed25519-sha256" => Algorithm::Ed25519Sha256,
            _ => return Err(Usage(format!("--algorithm {name:?}: rsa-sha256 or ed25519-sha256"))),
        };
        if wanted != key.algorithm() {
            return Err(Refused(format!(
                "--algorithm {} does not match the key, which signs {}",
                wanted.name(),
                key.algorithm().name()
            )));
        }
    }
    let (header_canon, body_canon) = match args.get("--canon") {
        None => (Canon::Relaxed, Canon::Relaxed),
        Some(c) => {
            let word = |w: &str| match w {
                "relaxed" => Some(Canon::Relaxed),
                "simple" => Some(Canon::Simple),
                _ => None,
            };
            c.split_once('/')
                .and_then(|(h, b)| Some((word(h)?, word(b)?)))
                .ok_or_else(|| Usage(format!("--canon {c:?}: HEADER/BODY, each relaxed or simple")))?
        }
    };
    let mut signer = Signer::new(key, domain, selector)
        .with_canonicalization(header_canon, body_canon)
        .with_body_length(args.has("--body-length"))
        .with_timestamp(args.number("--timestamp")?.unwrap_or_else(now));
    if let Some(headers) = args.get("--headers") {
        let names: Vec<&str> = headers.split(':').map(str::trim).collect();
        if names.iter().any(|n| n.is_empty()) {
            return Err(Usage(format!("--headers {headers:?}: names separated by ':'")));
        }
        signer = signer.with_headers(names);
    }
    if let Some(x) = args.number("--expiration")? {
        signer = signer.with_expiration(x);
    }
    if let Some(i) = args.get("--identity") {
        signer = signer.with_identity(i);
    }
    let path = args.file()?;
    let message = read(path)?;
    let field =
        signer.sign(&message, Some(&SystemRandom::new())).map_err(|e| Failed(format!("{path}: {e}")))?;
    write_stdout(&[field.as_bytes(), &message])
}

fn verify_command(args: &[String]) -> Result<(), Error> {
    let args = Args::parse(args, &["--zone", "--now", "--authserv-id"], &["--dns"])?;
    let now = args.number("--now")?.unwrap_or_else(now);
    let authserv_id = match args.get("--authserv-id") {
        Some(id) => id.to_string(),
        None => hostname(),
    };
    if args.has("--dns") {
        let message = read(args.file()?)?;
        let results = dns_verify(&message, &VerifyOptions::at(now))?;
        let field = authentication_results(&authserv_id, &results);
        return write_stdout(&[field.as_bytes()]);
    }
    let zone_path = args.required("--zone")?;
    let zone_text = read(zone_path)?;
    let zone_text =
        String::from_utf8(zone_text).map_err(|_| Refused(format!("{zone_path}: not UTF-8 text")))?;
    let zone =
        MemoryResolver::from_zone_file(&zone_text).map_err(|e| Refused(format!("{zone_path}: {e}")))?;
    let message = read(args.file()?)?;
    let results = verify(&message, &zone, &VerifyOptions::at(now));
    let field = authentication_results(&authserv_id, &results);
    write_stdout(&[field.as_bytes()])
}

/// Verifies with the system's resolver (the `dns-hickory` feature).
#[cfg(feature = "dns-hickory")]
fn dns_verify(
    message: &[u8],
    options: &VerifyOptions,
) -> Result<Vec<mailwire_auth::dkim::DkimResult>, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failed(format!("--dns: {e}")))?;
    let resolver = mailwire_auth::hickory::HickoryResolver::from_system_conf()
        .map_err(|e| Failed(format!("--dns: the system resolver configuration: {e}")))?;
    Ok(runtime.block_on(resolver.verify_dkim(message, options)))
}

/// Without the `dns-hickory` feature there is no resolver to ask.
#[cfg(not(feature = "dns-hickory"))]
fn dns_verify(_: &[u8], _: &VerifyOptions) -> Result<Vec<mailwire_auth::dkim::DkimResult>, Error> {
    Err(Refused(
        "--dns needs the dns-hickory feature (cargo run --features dns-hickory --example dkim); \
         or give the key records with --zone ZONEFILE"
            .into(),
    ))
}

/// The machine's host name (Linux: the kernel's; else `$HOSTNAME`), or
/// `localhost`.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// The `Authentication-Results:` field (RFC 8601), written by
/// [`AuthResults::to_field`]: one `dkim=` result per signature, or
/// `dkim=none`.
fn authentication_results(authserv_id: &str, results: &[DkimResult]) -> String {
    let mut field = AuthResults::new(authserv_id);
    for r in results {
        field.push(method_result(r));
    }
    field.to_field()
}

/// One `dkim=` result: `reason=` when it is not a pass (or when a pass
/// deserves a note), then `header.d=`, `header.s=`, `header.b=` (RFC 6008)
/// and `header.a=`.
fn method_result(r: &DkimResult) -> MethodResult {
    let kind = match r.status {
        Status::Pass => ResultKind::Pass,
        Status::Fail => ResultKind::Fail,
        Status::Policy => ResultKind::Policy,
        Status::TempError => ResultKind::TempError,
        Status::PermError => ResultKind::PermError,
        Status::None => ResultKind::None,
    };
    if r.status == Status::None {
        return MethodResult::new(Method::Dkim, kind);
    }
    let mut notes = Vec::new();
    if let Some(f) = &r.failure {
        notes.push(f.to_string());
    }
    if r.testing {
        notes.push("key in testing mode (t=y)".to_string());
    }
    if r.weak_key {
        notes.push("weak key".to_string());
    }
    if let Some((signed, total)) = r.body_length {
        if total > signed {
            notes.push(format!("l= leaves {} of {total} body octets unsigned", total - signed));
        }
    }
    let reason = (!notes.is_empty()).then(|| notes.join("; "));
    let mut m = MethodResult::dkim(
        kind,
        reason.as_deref(),
        r.domain.as_deref().unwrap_or(""),
        r.selector.as_deref().unwrap_or(""),
        r.signature_prefix.as_deref(),
    );
    if let Some(a) = r.algorithm {
        m = m.property(PropertyType::Header, "a", a.name());
    }
    m
}

fn record(args: &[String]) -> Result<(), Error> {
    let args = Args::parse(args, &["--key", "--domain", "--selector"], &[])?;
    if let Some(file) = &args.file {
        return Err(Usage(format!("record takes no FILE ({file:?})")));
    }
    let key = load_key(args.required("--key")?)?;
    let txt = key.key_record();
    let line = match (args.get("--domain"), args.get("--selector")) {
        (None, None) => format!("{txt}\n"),
        (Some(d), Some(s)) => {
            // A character-string holds at most 255 octets (RFC 1035 §3.3).
            let strings: Vec<String> =
                txt.as_bytes().chunks(255).map(|c| format!("\"{}\"", String::from_utf8_lossy(c))).collect();
            format!("{s}._domainkey.{d} TXT {}\n", strings.join(" "))
        }
        _ => return Err(Usage("--domain and --selector go together".into())),
    };
    write_stdout(&[line.as_bytes()])
}
