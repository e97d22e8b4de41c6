//! Side-by-side IMAP response-parsing benchmark: mailwire-imap against
//! imap-codec 1.0.0 (default features, the `quirk_*` ones included) and
//! djc's imap-proto 0.17.0. See README.md ("IMAP") and the stream
//! generators in src/imap.rs.
//!
//! Four groups, each with `Throughput::Bytes(stream bytes)` and the
//! functions `mailwire`, `imap-codec` and `imap-proto`. One iteration
//! parses a whole server stream response by response, through each
//! library's streaming entry point on a byte buffer, `black_box`ing every
//! response:
//!
//! - mailwire: `mailwire_imap::response::decode(&Bytes, &Limits::default())`
//!   returns the response and the bytes it used; the loop goes on with
//!   `buf.slice(used..)`. The stream is turned into one `Bytes` once,
//!   outside the timing (a client's read buffer is already `Bytes`), so a
//!   slice is a reference-count increment; the responses share it.
//! - imap-codec: `ResponseCodec::default().decode(&[u8])` returns the
//!   remaining input and a `Response` borrowing the stream.
//! - imap-proto: `imap_proto::Response::parse(&[u8])` (0.17's entry point;
//!   older releases had `parser::parse_response`), a nom `IResult` with the
//!   remaining input and a `Response` borrowing the stream.
//!
//! The groups (sizes printed at start-up):
//!
//! - `fetch-literals`: 100 Dovecot-style `* n FETCH (UID FLAGS INTERNALDATE
//!   RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY[] {N}…)` responses with
//!   message literals of 1.9–9.4 KB, and the tagged OK.
//! - `fetch-headers`: the same without INTERNALDATE, RFC822.SIZE and the
//!   literals (UID FLAGS ENVELOPE BODYSTRUCTURE): the grammar itself.
//! - `gmail`: 400 `* n FETCH (X-GM-THRID … X-GM-MSGID … X-GM-LABELS (…)
//!   UID n FLAGS (…))`. imap-codec 1.0.0 has no X-GM-* items (its
//!   `msg-att` is RFC 3501's, it rejects the first line), so this group has
//!   only `mailwire` and `imap-proto`; the check below asserts that
//!   imap-codec still rejects it, so that the group gains it if a release
//!   adds them.
//! - `mixed-small`: 20 short sessions: greeting with CAPABILITY, LIST,
//!   STATUS, SELECT's untagged data, SEARCH, STORE/EXPUNGE, IDLE's `+`,
//!   BYE, tagged OK/NO.
//!
//! Before measuring, each library parses every stream once outside the
//! timing: it must consume the whole stream in exactly the number of
//! responses the generator wrote, the FETCH responses must be FETCH
//! responses (`Data::Fetch` for mailwire) with the same sequence numbers
//! in the three, and the number of FETCH items is compared (printed); then
//! each timed function runs once and must count every response. The timed
//! functions are `#[inline(never)]` so that a profiler sees each as one
//! symbol.

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, Throughput};
use imap_codec::ResponseCodec;
use imap_codec::decode::Decoder;
use mailwire_benches::imap::{Stream, streams};
use mailwire_imap::Limits;

/// What the check records of one response: `Some((seq, items))` for a
/// FETCH, `None` for any other response.
type Shape = Option<(u32, usize)>;

// ---------------------------------------------------------------- the timed work

#[inline(never)]
fn mw_parse(stream: &Bytes, limits: &Limits) -> usize {
    let mut buf = stream.clone();
    let mut n = 0;
    while !buf.is_empty() {
        match mailwire_imap::response::decode(&buf, limits) {
            Ok((r, used)) => {
                black_box(&r);
                buf = buf.slice(used..);
                n += 1;
            }
            Err(_) => break,
        }
    }
    n
}

#[inline(never)]
fn codec_parse(stream: &[u8]) -> usize {
    let codec = ResponseCodec::default();
    let mut rest = stream;
    let mut n = 0;
    while !rest.is_empty() {
        match codec.decode(rest) {
            Ok((remaining, r)) => {
                black_box(&r);
                rest = remaining;
                n += 1;
            }
            Err(_) => break,
        }
    }
    n
}

#[inline(never)]
fn proto_parse(stream: &[u8]) -> usize {
    let mut rest = stream;
    let mut n = 0;
    while !rest.is_empty() {
        match imap_proto::Response::parse(rest) {
            Ok((remaining, r)) => {
                black_box(&r);
                rest = remaining;
                n += 1;
            }
            Err(_) => break,
        }
    }
    n
}

// ---------------------------------------------------------------- sanity

/// Where and why a library stopped before the end of a stream.
struct Failure {
    response: usize,
    offset: usize,
    error: String,
    line: String,
}

fn first_line(rest: &[u8]) -> String {
    let end = rest.iter().position(|&b| b == b'\n').map_or(rest.len(), |p| p + 1).min(240);
    String::from_utf8_lossy(&rest[..end]).into_owned()
}

fn mw_shapes(stream: &Bytes, limits: &Limits) -> Result<Vec<Shape>, Failure> {
    use mailwire_imap::response::{Data, Response};
    let mut buf = stream.clone();
    let mut out = Vec::new();
    while !buf.is_empty() {
        let offset = stream.len() - buf.len();
        match mailwire_imap::response::decode(&buf, limits) {
            Ok((r, used)) => {
                assert!(used > 0 && used <= buf.len(), "mailwire: used {used} of {}", buf.len());
                // The framed response must parse the same through
                // `Response::parse`.
                assert!(
                    Response::parse(&buf.slice(..used), limits).is_ok(),
                    "mailwire: Response::parse rejects what decode accepted at {offset}"
                );
                out.push(match &r {
                    Response::Data(Data::Fetch { seq, items }) => Some((seq.get(), items.len())),
                    _ => None,
                });
                buf = buf.slice(used..);
            }
            Err(e) => {
                return Err(Failure {
                    response: out.len(),
                    offset,
                    error: format!("{e:?}"),
                    line: first_line(&buf),
                });
            }
        }
    }
    Ok(out)
}

fn codec_shapes(stream: &[u8]) -> Result<Vec<Shape>, Failure> {
    use imap_codec::imap_types::response::{Data, Response};
    let codec = ResponseCodec::default();
    let mut rest = stream;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let offset = stream.len() - rest.len();
        match codec.decode(rest) {
            Ok((remaining, r)) => {
                out.push(match &r {
                    Response::Data(Data::Fetch { seq, items }) => Some((seq.get(), items.as_ref().len())),
                    _ => None,
                });
                rest = remaining;
            }
            Err(e) => {
                return Err(Failure {
                    response: out.len(),
                    offset,
                    error: format!("{e:?}"),
                    line: first_line(rest),
                });
            }
        }
    }
    Ok(out)
}

fn proto_shapes(stream: &[u8]) -> Result<Vec<Shape>, Failure> {
    use imap_proto::Response;
    let mut rest = stream;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let offset = stream.len() - rest.len();
        match Response::parse(rest) {
            Ok((remaining, r)) => {
                out.push(match &r {
                    Response::Fetch(seq, items) => Some((*seq, items.len())),
                    _ => None,
                });
                rest = remaining;
            }
            Err(e) => {
                return Err(Failure {
                    response: out.len(),
                    offset,
                    error: format!("{e:?}").chars().take(200).collect(),
                    line: first_line(rest),
                });
            }
        }
    }
    Ok(out)
}

/// Libraries known not to parse a stream: (group, library, why).
const EXPECTED_FAILURES: &[(&str, &str, &str)] =
    &[("gmail", "imap-codec", "imap-codec 1.0.0 has no X-GM-THRID/X-GM-MSGID/X-GM-LABELS FETCH items")];

/// Parses `s` with every library; returns the libraries to measure.
/// Panics when a library fails (except as `EXPECTED_FAILURES` says) or
/// when the libraries disagree on the responses.
fn check(s: &Stream, bytes: &Bytes, limits: &Limits) -> Vec<&'static str> {
    let results: [(&'static str, Result<Vec<Shape>, Failure>); 3] = [
        ("mailwire", mw_shapes(bytes, limits)),
        ("imap-codec", codec_shapes(&s.bytes)),
        ("imap-proto", proto_shapes(&s.bytes)),
    ];
    let mut libs = Vec::new();
    let mut reference: Option<(&str, Vec<Shape>)> = None;
    let mut notes = Vec::new();
    for (lib, result) in results {
        let expected = EXPECTED_FAILURES.iter().find(|(g, l, _)| *g == s.name && *l == lib);
        let shapes = match (result, expected) {
            (Ok(shapes), None) => shapes,
            (Ok(_), Some(_)) => {
                panic!("{}: {lib} now parses the stream: remove it from EXPECTED_FAILURES", s.name)
            }
            (Err(f), Some((_, _, why))) => {
                notes.push(format!(
                    "{lib} left out ({why}; it stops at response {}: {})",
                    f.response, f.error
                ));
                continue;
            }
            (Err(f), None) => panic!(
                "{}: {lib} rejects response {} (byte {}): {}\n  line: {:?}",
                s.name, f.response, f.offset, f.error, f.line
            ),
        };
        assert_eq!(shapes.len(), s.responses, "{}: {lib} parses {} responses", s.name, shapes.len());
        let fetches = shapes.iter().filter(|x| x.is_some()).count();
        assert_eq!(fetches, s.fetches, "{}: {lib} sees {fetches} FETCH responses", s.name);
        match &reference {
            None => reference = Some((lib, shapes)),
            Some((rlib, rshapes)) => {
                for (k, (a, b)) in rshapes.iter().zip(&shapes).enumerate() {
                    assert_eq!(a.map(|x| x.0), b.map(|x| x.0), "{}: response {k}: {rlib} / {lib}", s.name);
                    if a != b {
                        notes.push(format!("response {k}: {rlib} has {a:?}, {lib} {b:?} (seq, FETCH items)"));
                    }
                }
            }
        }
        libs.push(lib);
    }
    let items: usize = reference.as_ref().map_or(0, |(_, sh)| sh.iter().flatten().map(|x| x.1).sum());
    eprintln!(
        "{}: {} B, {} responses ({} FETCH, {items} FETCH items); {} parse all of it, same FETCH sequence numbers",
        s.name,
        s.bytes.len(),
        s.responses,
        s.fetches,
        libs.join(", ")
    );
    for n in notes.iter().take(8) {
        eprintln!("  {n}");
    }
    if notes.len() > 8 {
        eprintln!("  … {} more", notes.len() - 8);
    }
    for lib in &libs {
        let n = match *lib {
            "mailwire" => mw_parse(bytes, limits),
            "imap-codec" => codec_parse(&s.bytes),
            _ => proto_parse(&s.bytes),
        };
        assert_eq!(n, s.responses, "{}: timed {lib} counts {n}", s.name);
    }
    libs
}

fn main() {
    let limits = Limits::default();
    let streams = streams();
    // One `Bytes` per stream for mailwire, made once outside the timing.
    let bytes: Vec<Bytes> = streams.iter().map(|s| Bytes::from(s.bytes.clone())).collect();

    eprintln!("Every library parses every stream once, outside the timing:");
    let libs: Vec<Vec<&str>> = streams.iter().zip(&bytes).map(|(s, b)| check(s, b, &limits)).collect();
    eprintln!();

    let mut c = Criterion::default().configure_from_args();
    for ((s, b), libs) in streams.iter().zip(&bytes).zip(&libs) {
        let mut g = c.benchmark_group(s.name);
        g.throughput(Throughput::Bytes(s.bytes.len() as u64));
        for &lib in libs {
            match lib {
                "mailwire" => g.bench_function(lib, |t| t.iter(|| mw_parse(black_box(b), &limits))),
                "imap-codec" => g.bench_function(lib, |t| t.iter(|| codec_parse(black_box(&s.bytes)))),
                _ => g.bench_function(lib, |t| t.iter(|| proto_parse(black_box(&s.bytes)))),
            };
        }
        g.finish();
    }
    c.final_summary();
}
