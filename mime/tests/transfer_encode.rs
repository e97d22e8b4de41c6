//! The transfer encoders (`encode_base64`, `encode_quoted_printable`) and
//! `BodyStats`: fixed vectors at every boundary the RFC 2045 rules meet,
//! and property tests that every encoding decodes back with our own
//! decoders and keeps to the line rules.

use mailwire_mime::transfer::{BodyStats, decode_base64, decode_qp, encode_base64, encode_quoted_printable};
use proptest::prelude::*;

fn qp(input: &[u8], text: bool, eol: &[u8]) -> String {
    let mut out = Vec::new();
    encode_quoted_printable(input, text, eol, &mut out);
    String::from_utf8(out).expect("QP output is ASCII")
}

fn qp_text(input: &str) -> String {
    qp(input.as_bytes(), true, b"\r\n")
}

fn b64(input: &[u8], eol: &[u8]) -> String {
    let mut out = Vec::new();
    encode_base64(input, eol, &mut out);
    String::from_utf8(out).expect("base64 output is ASCII")
}

/// `n` times `s`.
fn rep(s: &str, n: usize) -> String {
    s.repeat(n)
}

// ---------------------------------------------------------------------------
// base64

#[test]
fn base64_vectors() {
    assert_eq!(b64(b"", b"\r\n"), "");
    assert_eq!(b64(b"f", b"\r\n"), "Zg==\r\n");
    assert_eq!(b64(b"fo", b"\n"), "Zm8=\n");
    assert_eq!(b64(b"foo", b"\r\n"), "Zm9v\r\n");
    assert_eq!(b64(b"hello", b""), "aGVsbG8=");
    // 57 bytes are exactly one line of 76; 58 start a second one.
    let full = vec![0u8; 57];
    assert_eq!(b64(&full, b"\r\n"), format!("{}\r\n", rep("A", 76)));
    let more = vec![0u8; 58];
    assert_eq!(b64(&more, b"\r\n"), format!("{}\r\nAA==\r\n", rep("A", 76)));
    assert_eq!(b64(&[0xffu8; 114], b"\n"), format!("{0}\n{0}\n", rep("/", 76)));
}

#[test]
fn base64_appends() {
    let mut out = b"head\r\n".to_vec();
    encode_base64(&[0u8; 60], b"\r\n", &mut out);
    assert_eq!(out, format!("head\r\n{}\r\nAAAA\r\n", rep("A", 76)).into_bytes());
}

#[test]
fn base64_matches_a_plain_encoding_for_every_length() {
    for len in 0..400usize {
        let input: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
        let plain = base64_simd::STANDARD.encode_to_string(&input);
        let out = b64(&input, b"\r\n");
        let lines: Vec<&str> = plain.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
        let expected: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
        assert_eq!(out, expected, "length {len}");
    }
}

// ---------------------------------------------------------------------------
// quoted-printable: fixed vectors

#[test]
fn qp_empty_and_equals() {
    assert_eq!(qp_text(""), "");
    assert_eq!(qp(b"", false, b"\r\n"), "");
    assert_eq!(qp_text("="), "=3D");
    assert_eq!(qp_text("a=b=="), "a=3Db=3D=3D");
    assert_eq!(qp_text("plain text"), "plain text");
}

#[test]
fn qp_escapes_are_uppercase_and_cover_controls() {
    assert_eq!(qp(b"\x00\x7f\x80\xff\x1b", true, b"\r\n"), "=00=7F=80=FF=1B");
    assert_eq!(qp_text("café"), "caf=C3=A9");
    assert_eq!(qp_text("~!<>"), "~!<>");
}

#[test]
fn qp_trailing_whitespace() {
    assert_eq!(qp_text("a  "), "a =20");
    assert_eq!(qp_text("a\t"), "a=09");
    assert_eq!(qp_text(" "), "=20");
    assert_eq!(qp_text("a \r\nb\t\r\nc"), "a=20\r\nb=09\r\nc");
    assert_eq!(qp_text("a \nb"), "a=20\r\nb");
    // Whitespace inside a line stays.
    assert_eq!(qp_text("a  b\tc"), "a  b\tc");
    // Before an encoded lone CR the space is not at the end of the line.
    assert_eq!(qp_text(" \r"), " =0D");
    // In binary mode CR LF is content, so the space before it is too.
    assert_eq!(qp(b"a \r\n", false, b"\r\n"), "a =0D=0A");
    assert_eq!(qp(b"a ", false, b"\r\n"), "a=20");
}

#[test]
fn qp_from_lines() {
    assert_eq!(qp_text("From me"), "=46rom me");
    assert_eq!(qp_text("From me\r\nFrom you\nFrom"), "=46rom me\r\n=46rom you\r\nFrom");
    assert_eq!(qp_text("Frome"), "Frome");
    assert_eq!(qp_text("a From b"), "a From b");
    assert_eq!(qp_text("from me"), "from me");
    assert_eq!(qp(b"x\nFrom y", false, b"\r\n"), "x=0AFrom y");
    // A soft break that would start a line with "From " escapes the F.
    assert_eq!(qp_text(&format!("{}From x", rep("a", 75))), format!("{}=\r\n=46rom x", rep("a", 75)));
}

#[test]
fn qp_dot_lines() {
    assert_eq!(qp_text("."), "=2E");
    assert_eq!(qp_text(".\r\n"), "=2E\r\n");
    assert_eq!(qp_text("a\n.\nb"), "a\r\n=2E\r\nb");
    assert_eq!(qp_text(".."), "..");
    assert_eq!(qp_text(".a"), ".a");
    assert_eq!(qp_text("a."), "a.");
    assert_eq!(qp(b".", false, b"\r\n"), "=2E");
    assert_eq!(qp(b".\n", false, b"\r\n"), ".=0A");
}

#[test]
fn qp_line_length_boundaries() {
    let a = |n| rep("a", n);
    // 76 safe characters fit on a line that ends there.
    assert_eq!(qp_text(&a(76)), a(76));
    assert_eq!(qp_text(&format!("{}\r\nb", a(76))), format!("{}\r\nb", a(76)));
    assert_eq!(qp_text(&format!("{}\nb", a(76))), format!("{}\r\nb", a(76)));
    // ... but a line that goes on breaks after 75 (the soft break's `=` is the 76th).
    assert_eq!(qp_text(&a(77)), format!("{}=\r\naa", a(75)));
    assert_eq!(qp_text(&a(150)), format!("{}=\r\n{}", a(75), a(75)));
    assert_eq!(qp_text(&a(151)), format!("{}=\r\n{}", a(75), a(76)));
    assert_eq!(qp_text(&a(152)), format!("{0}=\r\n{0}=\r\naa", a(75)));
    // An escape that ends the input may take columns 74-76 ...
    assert_eq!(qp_text(&format!("{}=", a(73))), format!("{}=3D", a(73)));
    assert_eq!(qp_text(&format!("{}=\r\n", a(73))), format!("{}=3D\r\n", a(73)));
    // ... but not when something follows: the escape moves whole to the next line.
    assert_eq!(qp_text(&format!("{}=b", a(73))), format!("{}=\r\n=3Db", a(73)));
    assert_eq!(qp_text(&format!("{}=b", a(72))), format!("{}=3Db", a(72)));
    assert_eq!(qp_text(&format!("{}=bc", a(72))), format!("{}=3D=\r\nbc", a(72)));
    assert_eq!(qp_text(&format!("{}=", a(74))), format!("{}=\r\n=3D", a(74)));
    // Trailing whitespace, encoded, at the boundary.
    assert_eq!(qp_text(&format!("{} ", a(73))), format!("{}=20", a(73)));
    assert_eq!(qp_text(&format!("{} ", a(74))), format!("{}=\r\n=20", a(74)));
    assert_eq!(qp_text(&format!("{} \r\n", a(75))), format!("{}=\r\n=20\r\n", a(75)));
    // A raw space before a soft break is fine (the line ends in `=`).
    assert_eq!(qp_text(&format!("{} b", a(74))), format!("{} b", a(74)));
    assert_eq!(qp_text(&format!("{} bc", a(74))), format!("{} =\r\nbc", a(74)));
    // The 76th column for the last safe byte before a hard break.
    assert_eq!(qp_text(&format!("{}.", a(75))), format!("{}.", a(75)));
}

#[test]
fn qp_long_lines_of_escapes() {
    let e = |n| rep("=FF", n);
    // 25 escapes are 75 columns: with the soft break, 76.
    assert_eq!(qp(&[0xff; 25], false, b"\r\n"), e(25));
    assert_eq!(qp(&[0xff; 26], false, b"\r\n"), format!("{}=\r\n=FF", e(25)));
    assert_eq!(qp(&[0xff; 100], false, b"\r\n"), format!("{0}=\r\n{0}=\r\n{0}=\r\n{0}", e(25)));
    assert_eq!(qp(&[0xff; 50], false, b"\n"), format!("{0}=\n{0}", e(25)));
    // A safe byte may take the 76th column after 25 escapes, if it ends the input.
    let mut v = vec![0xffu8; 25];
    v.push(b'a');
    assert_eq!(qp(&v, false, b"\r\n"), format!("{}a", e(25)));
    v.push(b'b');
    assert_eq!(qp(&v, false, b"\r\n"), format!("{}=\r\nab", e(25)));
    // Mixed: one safe byte shifts the escapes; no escape is ever split.
    let mut v = vec![b'x'];
    v.extend_from_slice(&[0xff; 30]);
    assert_eq!(qp(&v, false, b"\r\n"), format!("x{}=\r\n{}", e(24), e(6)));
}

#[test]
fn qp_lf_and_crlf_input() {
    assert_eq!(qp(b"a\nb\r\nc", true, b"\r\n"), "a\r\nb\r\nc");
    assert_eq!(qp(b"a\nb\r\nc", true, b"\n"), "a\nb\nc");
    assert_eq!(qp(b"a\nb\r\nc", false, b"\r\n"), "a=0Ab=0D=0Ac");
    assert_eq!(qp(b"\n\n", true, b"\r\n"), "\r\n\r\n");
    assert_eq!(qp(b"a\r\n", true, b"\r\n"), "a\r\n");
}

#[test]
fn qp_lone_cr() {
    assert_eq!(qp_text("a\rb"), "a=0Db");
    assert_eq!(qp_text("a\r"), "a=0D");
    assert_eq!(qp_text("a\r\r\n"), "a=0D\r\n");
    assert_eq!(qp_text("\r\r"), "=0D=0D");
}

#[test]
fn qp_appends() {
    let mut out = b"x: y\r\n\r\n".to_vec();
    encode_quoted_printable(b"=", true, b"\r\n", &mut out);
    assert_eq!(out, b"x: y\r\n\r\n=3D");
}

#[test]
fn qp_vectors_decode_back() {
    for input in ["", "=", "From me\n.\n", "a  \r\nb\t", "a\rb\r\n", "\u{e9}t\u{e9} . From"] {
        let enc = qp_text(input);
        let (dec, defect) = decode_qp(enc.as_bytes());
        assert_eq!(defect, None, "{enc:?}");
        assert_eq!(dec, lf_to_crlf(input.as_bytes()), "{enc:?}");
    }
}

// ---------------------------------------------------------------------------
// BodyStats

#[test]
fn body_stats_vectors() {
    assert_eq!(BodyStats::of(b""), BodyStats::default());
    assert_eq!(
        BodyStats::of(b"hello\r\nworld!\n"),
        BodyStats { len: 14, longest_line: 6, ends_with_newline: true, ..BodyStats::default() }
    );
    assert_eq!(
        BodyStats::of(b"a \r\nb"),
        BodyStats { len: 5, longest_line: 2, trailing_space: true, ..BodyStats::default() }
    );
    assert!(BodyStats::of(b"abc\t").trailing_space);
    assert!(!BodyStats::of(b"abc \r").trailing_space);
    let s = BodyStats::of(b"x\ry\r\n");
    assert!(s.bare_cr);
    assert_eq!(s.longest_line, 3);
    assert!(BodyStats::of(b"end\r").bare_cr);
    assert_eq!(
        BodyStats::of("café\0\x01\x7f\x0b".as_bytes()),
        BodyStats { len: 9, non_ascii: 2, nul: true, controls: 3, longest_line: 9, ..BodyStats::default() }
    );
    let mut long = vec![b'a'; 1000];
    long.push(b'\n');
    long.extend_from_slice("bé ".as_bytes());
    assert_eq!(
        BodyStats::of(&long),
        BodyStats {
            len: 1005,
            non_ascii: 2,
            longest_line: 1000,
            trailing_space: true,
            ..BodyStats::default()
        }
    );
}

/// The plain reading of `BodyStats`' documentation, byte by byte.
fn naive_stats(input: &[u8]) -> BodyStats {
    let mut s =
        BodyStats { len: input.len(), ends_with_newline: input.ends_with(b"\n"), ..BodyStats::default() };
    for (k, &b) in input.iter().enumerate() {
        s.non_ascii += usize::from(b >= 0x80);
        s.nul |= b == 0;
        s.bare_cr |= b == b'\r' && input.get(k + 1) != Some(&b'\n');
        s.controls += usize::from(matches!(b, 1..=8 | 0x0b | 0x0c | 0x0e..=0x1f | 0x7f));
    }
    let mut lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    if input.ends_with(b"\n") || input.is_empty() {
        lines.pop();
    }
    let last = lines.len().saturating_sub(1);
    for (k, line) in lines.iter().enumerate() {
        let line =
            if k < last || input.ends_with(b"\n") { line.strip_suffix(b"\r").unwrap_or(line) } else { line };
        s.longest_line = s.longest_line.max(line.len());
        s.trailing_space |= matches!(line.last(), Some(b' ' | b'\t'));
    }
    s
}

// ---------------------------------------------------------------------------
// Properties

/// Text mode's reading of the input with CR LF as the line break: every
/// lone LF becomes CR LF.
fn lf_to_crlf(input: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(input.len() * 2);
    for (k, &b) in input.iter().enumerate() {
        if b == b'\n' && (k == 0 || input[k - 1] != b'\r') {
            v.push(b'\r');
        }
        v.push(b);
    }
    v
}

/// Text mode's reading of the input with LF as the line break: every CR LF
/// becomes LF.
fn crlf_to_lf(input: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(input.len());
    for (k, &b) in input.iter().enumerate() {
        if b == b'\r' && input.get(k + 1) == Some(&b'\n') {
            continue;
        }
        v.push(b);
    }
    v
}

/// Splits `out` into lines at `eol` (the part after the last `eol` too).
fn lines<'a>(out: &'a [u8], eol: &[u8]) -> Vec<&'a [u8]> {
    let mut v = Vec::new();
    let mut rest = out;
    while let Some(p) = rest.windows(eol.len()).position(|w| w == eol) {
        v.push(&rest[..p]);
        rest = &rest[p + eol.len()..];
    }
    v.push(rest);
    v
}

/// Checks the line rules of a QP encoding; `Err` says which one failed.
fn check_qp_lines(out: &[u8], eol: &[u8]) -> Result<(), String> {
    for line in lines(out, eol) {
        let show = String::from_utf8_lossy(line);
        if line.len() > 76 {
            return Err(format!("line of {}: {show:?}", line.len()));
        }
        if let Some(b) = line.iter().find(|&&b| !(b == b' ' || b == b'\t' || (33..=126).contains(&b))) {
            return Err(format!("byte {b:#x} in {show:?}"));
        }
        if matches!(line.last(), Some(b' ' | b'\t')) {
            return Err(format!("trailing whitespace: {show:?}"));
        }
        if line.starts_with(b"From ") || line == b"." {
            return Err(format!("line with a forbidden byte: {show:?}"));
        }
        // Every `=` starts an escape of two uppercase hex digits, or is the
        // soft break at the very end of the line.
        let mut k = 0;
        while k < line.len() {
            if line[k] == b'=' && k + 1 < line.len() {
                let hex = line.get(k + 1..k + 3).unwrap_or(&[]);
                if hex.len() != 2 || !hex.iter().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b)) {
                    return Err(format!("bad escape at {k}: {show:?}"));
                }
                k += 3;
            } else {
                k += 1;
            }
        }
    }
    if out.ends_with(&[b"=".as_slice(), eol].concat()) {
        return Err("ends with a soft break".into());
    }
    Ok(())
}

/// Input that meets the encoders' rules often: line breaks of both kinds,
/// lone CRs, whitespace, `=`, `From `, `.` lines, 8-bit and controls, and
/// runs long enough to cross the 76-column boundary.
fn texty() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        4 => "[a-zA-Z0-9]{1,12}".prop_map(String::into_bytes),
        1 => "a{70,80}".prop_map(String::into_bytes),
        2 => Just(b" ".to_vec()),
        1 => Just(b"\t".to_vec()),
        2 => Just(b"\r\n".to_vec()),
        2 => Just(b"\n".to_vec()),
        1 => Just(b"\r".to_vec()),
        1 => Just(b"=".to_vec()),
        1 => Just(b"From ".to_vec()),
        1 => Just(b".".to_vec()),
        1 => Just("é".as_bytes().to_vec()),
        1 => any::<u8>().prop_map(|b| vec![b]),
        1 => prop::collection::vec(128u8.., 1..40),
    ];
    prop::collection::vec(token, 0..60).prop_map(|t| t.concat())
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![prop::collection::vec(any::<u8>(), 0..400), texty()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn base64_round_trips(input in bytes(), crlf in any::<bool>()) {
        let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        let mut out = Vec::new();
        encode_base64(&input, eol, &mut out);
        prop_assert_eq!(decode_base64(&out), (input.clone(), None));
        if input.is_empty() {
            prop_assert!(out.is_empty());
        } else {
            prop_assert!(out.ends_with(eol));
            let ls = lines(&out, eol);
            prop_assert_eq!(ls.last().copied(), Some(&b""[..]));
            let ls = &ls[..ls.len() - 1];
            for (k, line) in ls.iter().enumerate() {
                prop_assert!(line.iter().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(b)));
                if k + 1 < ls.len() {
                    prop_assert_eq!(line.len(), 76);
                } else {
                    prop_assert!(!line.is_empty() && line.len() <= 76 && line.len() % 4 == 0);
                }
            }
        }
    }

    #[test]
    fn qp_binary_round_trips(input in bytes(), crlf in any::<bool>()) {
        let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        let mut out = Vec::new();
        encode_quoted_printable(&input, false, eol, &mut out);
        prop_assert_eq!(decode_qp(&out), (input.clone(), None));
        if let Err(e) = check_qp_lines(&out, eol) {
            prop_assert!(false, "{}", e);
        }
        // Only soft breaks: the output never ends with a line break.
        prop_assert!(!out.ends_with(b"\n"));
    }

    #[test]
    fn qp_text_round_trips(input in bytes(), crlf in any::<bool>()) {
        let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        let mut out = Vec::new();
        encode_quoted_printable(&input, true, eol, &mut out);
        let expected = if crlf { lf_to_crlf(&input) } else { crlf_to_lf(&input) };
        prop_assert_eq!(decode_qp(&out), (expected, None));
        if let Err(e) = check_qp_lines(&out, eol) {
            prop_assert!(false, "{}", e);
        }
        // A line break in the output only where the input had one at its end.
        prop_assert_eq!(out.ends_with(eol), input.ends_with(b"\n"));
    }

    #[test]
    fn qp_appends_without_touching_what_is_there(input in bytes(), text in any::<bool>()) {
        let mut alone = Vec::new();
        encode_quoted_printable(&input, text, b"\r\n", &mut alone);
        let mut out = b"prefix".to_vec();
        encode_quoted_printable(&input, text, b"\r\n", &mut out);
        prop_assert_eq!(&out[..6], b"prefix");
        prop_assert_eq!(&out[6..], &alone[..]);
    }

    #[test]
    fn body_stats_match_a_byte_by_byte_reading(input in bytes()) {
        prop_assert_eq!(BodyStats::of(&input), naive_stats(&input));
    }
}

/// Valid encodings our encoders do not write (whitespace before soft
/// breaks, lowercase hex, other line widths) decode as RFC 2045 says.
#[test]
fn decoders_read_valid_encodings_of_other_writers() {
    let cases: &[(&[u8], &[u8])] = &[
        (b"foo \t=\r\nbar", b"foo \tbar"),
        (b"=3d=3D", b"=="),
        (b"line  \r\nx", b"line\r\nx"),
        (b"a=\nb", b"ab"),
        (b"=\r\nb", b"b"),
        (b"a=\r\n=\r\nb", b"ab"),
        (b"\t=\r\n", b"\t"),
        (b"=41 =\r\nB", b"A B"),
        (b"=41 \r\nB", b"A\r\nB"),
        (b"a \t \r\n", b"a\r\n"),
        (b"a=20\t\r\n", b"a \r\n"),
        (b"=0D=0A", b"\r\n"),
        (b"a \r\n \r\n", b"a\r\n\r\n"),
        (b"abc=", b"abc"),
        (b"a=0D\r\n", b"a\r\r\n"),
        (b"  =\r\n  ", b"  "),
    ];
    for (enc, want) in cases {
        let got = decode_qp(enc);
        assert_eq!((&got.0[..], got.1), (*want, None), "{:?}", String::from_utf8_lossy(enc));
    }
    let b: &[(&[u8], &[u8])] = &[
        (b"aGVs\r\nbG8=\r\n", b"hello"),
        (b"aGVsbG8=", b"hello"),
        (b"aGVsbG8", b"hello"),
        (b"aGVs bG8=", b"hello"),
        (b"aGVsbG8=\r\n\r\n", b"hello"),
        (b"aGVs\nbG8=\n", b"hello"),
        (b"aGVs\r\nbG8=  \r\n", b"hello"),
    ];
    for (enc, want) in b {
        let got = decode_base64(enc);
        assert_eq!((&got.0[..], got.1), (*want, None), "{:?}", String::from_utf8_lossy(enc));
    }
    // Line widths other than ours (RFC 2045 allows any up to 76).
    let input: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
    let plain = base64_simd::STANDARD.encode_to_string(&input);
    for w in [4usize, 60, 64, 72, 75, 76] {
        for eol in ["\r\n", "\n"] {
            let s: String = plain
                .as_bytes()
                .chunks(w)
                .map(|c| format!("{}{eol}", std::str::from_utf8(c).unwrap()))
                .collect();
            assert_eq!(decode_base64(s.as_bytes()), (input.clone(), None), "w {w}");
        }
    }
}
