//! Writing header fields: folding (RFC 5322 §2.2.3), RFC 2047 encoded
//! words, display names, addresses, ids and RFC 2231 parameters.
//!
//! Everything here writes through a [`FieldWriter`], which folds before
//! whitespace so that no line passes 78 characters unless a single token is
//! longer than that, and refuses any line past 998. Caller text never
//! reaches the output raw: a byte that could end the field (CR, LF) or
//! confuse a reader (other controls, NUL, `=?`) is always inside an encoded
//! word, a quoted string or a percent-encoded RFC 2231 value.

use std::borrow::Cow;

/// Lines are folded before they pass this many characters (RFC 5322 SHOULD).
pub const FOLD_AT: usize = 78;
/// No line may pass this many characters (RFC 5322 MUST).
pub const MAX_LINE: usize = 998;
/// The longest encoded word RFC 2047 allows.
const MAX_WORD: usize = 75;

/// Writes one field, folding as it goes.
pub(crate) struct FieldWriter<'o> {
    out: &'o mut Vec<u8>,
    eol: &'static [u8],
    start: usize,
    line_start: usize,
    line_has_token: bool,
    longest: usize,
}

impl<'o> FieldWriter<'o> {
    /// Starts `name:` (the name already validated).
    pub(crate) fn new(out: &'o mut Vec<u8>, eol: &'static [u8], name: &str) -> Self {
        let start = out.len();
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        FieldWriter { out, eol, start, line_start: start, line_has_token: false, longest: 0 }
    }

    fn col(&self) -> usize {
        self.out.len() - self.line_start
    }

    /// Characters left on this line for a token after `ws` before the fold
    /// limit.
    fn room(&self, ws: usize) -> usize {
        FOLD_AT.saturating_sub(self.col() + ws + 1)
    }

    /// Writes `tok` after the whitespace `ws` (SP/TAB, at least one), folding
    /// before the whitespace when the line would pass [`FOLD_AT`].
    pub(crate) fn word(&mut self, ws: &[u8], tok: &[u8]) {
        debug_assert!(!ws.is_empty());
        self.fold_before(ws.len(), tok.len());
        self.out.extend_from_slice(ws);
        self.out.extend_from_slice(tok);
        self.line_has_token |= !tok.is_empty();
    }

    /// Writes ` <tok>` (an address in angle brackets) as one word.
    pub(crate) fn angle_word(&mut self, tok: &[u8]) {
        self.fold_before(1, tok.len() + 2);
        self.out.extend_from_slice(b" <");
        self.out.extend_from_slice(tok);
        self.out.push(b'>');
        self.line_has_token = true;
    }

    /// Starts a new line when a token of `len` after `ws` whitespace would
    /// pass [`FOLD_AT`], keeping a column for the `,` or `;` that may be
    /// glued after it. Never right after the field name: readers such as
    /// Python's `email` then keep the fold's space in the value.
    fn fold_before(&mut self, ws: usize, len: usize) {
        if self.line_has_token && len > 0 && self.col() + ws + len + 1 > FOLD_AT {
            self.longest = self.longest.max(self.col());
            self.out.extend_from_slice(self.eol);
            self.line_start = self.out.len();
        }
    }

    /// Writes `tok` glued to what precedes it (no fold point).
    pub(crate) fn glue(&mut self, tok: &[u8]) {
        self.out.extend_from_slice(tok);
    }

    /// Ends the field. Fails, writing nothing, if a line passes [`MAX_LINE`].
    pub(crate) fn finish(self) -> Result<(), &'static str> {
        let longest = self.longest.max(self.col());
        if longest > MAX_LINE {
            self.out.truncate(self.start);
            return Err("a line would pass 998 octets");
        }
        self.out.extend_from_slice(self.eol);
        Ok(())
    }
}

/// Whether `name` is a valid field name (RFC 5322 `ftext`).
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 76 && name.bytes().all(|b| (33..=126).contains(&b) && b != b':')
}

fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// RFC 5322 `atext`.
pub(crate) fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

/// RFC 2045 `token` characters.
fn is_token(b: u8) -> bool {
    (33..=126).contains(&b) && !b"()<>@,;:\\\"/[]?=".contains(&b)
}

/// Where an encoded word stands, which decides what Q may leave literal.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    /// Unstructured text (RFC 2047 §5 (1)).
    Text,
    /// A display name (§5 (3)): only letters, digits and `!*+-/`.
    Phrase,
}

fn q_literal(b: u8, ctx: Context) -> bool {
    let table = match ctx {
        Context::Text => &Q_TEXT,
        Context::Phrase => &Q_PHRASE,
    };
    table[usize::from(b)]
}

const fn q_table(phrase: bool) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 33u8;
    while b <= 126 {
        t[b as usize] = if phrase {
            b.is_ascii_alphanumeric() || matches!(b, b'!' | b'*' | b'+' | b'-' | b'/')
        } else {
            !matches!(b, b'=' | b'?' | b'_')
        };
        b += 1;
    }
    t
}

/// Bytes Q writes as they are in unstructured text (RFC 2047 §5 (1)).
const Q_TEXT: [bool; 256] = q_table(false);
/// Bytes Q writes as they are in a display name (RFC 2047 §5 (3)).
const Q_PHRASE: [bool; 256] = q_table(true);

/// Whitespace runs longer than this are written inside encoded words: a
/// fold before them would make a line of whitespace alone too long.
const LONG_SPACE: usize = 200;

fn has_long_space_run(text: &str) -> bool {
    text.as_bytes().split(|&b| !is_wsp(b)).any(|run| run.len() > LONG_SPACE)
}

/// Whether a word of unstructured text must go into an encoded word:
/// anything but printable ASCII, or text a decoder would take for one.
fn needs_encoding(word: &str) -> bool {
    word.bytes().any(|b| !(33..=126).contains(&b)) || word.contains("=?") || word.len() > MAX_LINE - 100
}

/// Unstructured text (Subject, Comments, any extra header): words that are
/// printable ASCII are written as they are; runs of words that are not
/// become encoded words. Leading and trailing whitespace is dropped, as
/// every reader drops it.
pub(crate) fn unstructured(w: &mut FieldWriter<'_>, text: &str) {
    let text = text.trim_matches([' ', '\t']);
    if has_long_space_run(text) {
        encoded_words(w, b" ", text, Context::Text);
        return;
    }
    let words = split_words(text);
    let mut i = 0;
    while i < words.len() {
        let ws = if i == 0 { " " } else { words[i].0 };
        if !needs_encoding(words[i].1) {
            w.word(ws.as_bytes(), words[i].1.as_bytes());
            i += 1;
            continue;
        }
        // Whitespace between two encoded words is dropped by decoders, so
        // a run of words to encode is encoded as one text, spaces included.
        let mut j = i + 1;
        while j < words.len() && needs_encoding(words[j].1) {
            j += 1;
        }
        let from = words[i].1.as_ptr() as usize - text.as_ptr() as usize;
        let last = words[j - 1].1;
        let to = last.as_ptr() as usize - text.as_ptr() as usize + last.len();
        encoded_words(w, ws.as_bytes(), &text[from..to], Context::Text);
        i = j;
    }
}

/// Splits text into (preceding whitespace, word) pairs.
fn split_words(text: &str) -> Vec<(&str, &str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let ws_start = i;
        while i < b.len() && is_wsp(b[i]) {
            i += 1;
        }
        let start = i;
        while i < b.len() && !is_wsp(b[i]) {
            i += 1;
        }
        if start < i {
            out.push((&text[ws_start..start], &text[start..i]));
        }
    }
    out
}

/// Writes `text` as UTF-8 encoded words, Q or B (by length),
/// each at most 75 characters, never splitting a character, filling the
/// current line before folding.
fn encoded_words(w: &mut FieldWriter<'_>, ws: &[u8], text: &str, ctx: Context) {
    let bytes = text.as_bytes();
    // Q keeps Latin text readable; B wins once Q is a quarter longer.
    let b_len = bytes.len().div_ceil(3) * 4;
    let b64 = q_len(text, ctx) > b_len + b_len / 4;
    let prefix: &[u8] = if b64 { b"=?utf-8?b?" } else { b"=?utf-8?q?" };
    let overhead = prefix.len() + 2;
    let mut ws = ws;
    let mut rest = text;
    let mut tok = Vec::with_capacity(MAX_WORD);
    while !rest.is_empty() {
        let fits = w.room(ws.len()).saturating_sub(overhead);
        let budget = if fits >= 8 { fits.min(MAX_WORD - overhead) } else { MAX_WORD - overhead };
        let take =
            if b64 { chunk(rest, budget, b64_len) } else { chunk(rest, budget, |n, c, _| n + q_len(c, ctx)) };
        tok.clear();
        tok.extend_from_slice(prefix);
        if b64 {
            base64_simd::STANDARD.encode_append(&rest.as_bytes()[..take], &mut tok);
        } else {
            q_encode(&rest.as_bytes()[..take], ctx, &mut tok);
        }
        tok.extend_from_slice(b"?=");
        w.word(ws, &tok);
        ws = b" ";
        rest = &rest[take..];
    }
}

fn q_len(s: &str, ctx: Context) -> usize {
    s.bytes().map(|b| if q_literal(b, ctx) || b == b' ' { 1 } else { 3 }).sum()
}

/// base64 length of a prefix `end` bytes long.
fn b64_len(_: usize, _: &str, end: usize) -> usize {
    end.div_ceil(3) * 4
}

/// The longest prefix of `s` (in whole characters, at least one) whose
/// written length is within `budget`. `len(so_far, next_char, end)` gives
/// the written length of the prefix that ends with `next_char` at `end`.
fn chunk(s: &str, budget: usize, len: impl Fn(usize, &str, usize) -> usize) -> usize {
    let (mut take, mut written) = (0, 0);
    for (i, c) in s.char_indices() {
        let end = i + c.len_utf8();
        let next = len(written, &s[i..end], end);
        if take > 0 && next > budget {
            break;
        }
        (take, written) = (end, next);
    }
    take
}

fn q_encode(bytes: &[u8], ctx: Context, out: &mut Vec<u8>) {
    for &b in bytes {
        if b == b' ' {
            out.push(b'_');
        } else if q_literal(b, ctx) {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'=', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// A display name: atoms as they are, other printable ASCII as a quoted
/// string (folded at its spaces), anything else as encoded words.
pub(crate) fn phrase(w: &mut FieldWriter<'_>, ws: &[u8], name: &str) {
    match NameForm::of(name) {
        NameForm::Encoded => encoded_words(w, ws, name, Context::Phrase),
        NameForm::Atoms => {
            let mut ws = ws;
            for atom in name.split(' ') {
                w.word(ws, atom.as_bytes());
                ws = b" ";
            }
        }
        NameForm::Quoted => {
            // A quoted string, folded at its whitespace (which unfolding keeps).
            write_folded_at_spaces(w, ws, &quote(name));
        }
    }
}

/// How a display name is written.
#[derive(Debug, PartialEq, Eq)]
enum NameForm {
    /// Atoms separated by single spaces, as they are.
    Atoms,
    /// A quoted string: printable ASCII that is not all atoms.
    Quoted,
    /// Encoded words: anything else, and text that looks like an encoded
    /// word (readers decode it, inside quotes too), words too long for a
    /// line and whitespace runs too long to fold before.
    Encoded,
}

impl NameForm {
    /// Decides in one pass over the name.
    fn of(name: &str) -> NameForm {
        let b = name.as_bytes();
        if b.first().is_none_or(|&c| is_wsp(c)) {
            return NameForm::Encoded;
        }
        let (mut atoms, mut word, mut space) = (true, 0, 0);
        for (i, &c) in b.iter().enumerate() {
            if is_wsp(c) {
                atoms &= c == b' ' && space == 0;
                space += 1;
                word = 0;
                if space > LONG_SPACE {
                    return NameForm::Encoded;
                }
            } else if (33..=126).contains(&c) {
                atoms &= is_atext(c);
                word += 1;
                space = 0;
                if word > MAX_LINE - 100 || (c == b'?' && i > 0 && b[i - 1] == b'=') {
                    return NameForm::Encoded;
                }
            } else {
                return NameForm::Encoded;
            }
        }
        if atoms && space == 0 { NameForm::Atoms } else { NameForm::Quoted }
    }
}

/// Writes `text` (no leading whitespace) as words, each after the
/// whitespace run that precedes it, so that every fold lands on a run.
fn write_folded_at_spaces(w: &mut FieldWriter<'_>, ws: &[u8], text: &str) {
    for (k, (run, word)) in split_words(text).into_iter().enumerate() {
        w.word(if k == 0 { ws } else { run.as_bytes() }, word.as_bytes());
    }
    // Trailing whitespace inside the quotes cannot be: the closing quote
    // is always the last word.
}

/// Checks `addr` as `local@domain` and returns it as it must be written
/// (a local part that is not a dot-atom is quoted). Non-ASCII is accepted
/// only when `utf8` (RFC 6532) is set.
pub(crate) fn addr_spec(addr: &str, utf8: bool) -> Result<Cow<'_, str>, &'static str> {
    let Some(at) = addr.rfind('@') else { return Err("no @") };
    let (local, domain) = (&addr[..at], &addr[at + 1..]);
    if local.is_empty() {
        return Err("empty local part");
    }
    if !utf8 && !addr.is_ascii() {
        return Err("non-ASCII address (allow UTF-8 headers, RFC 6532, to send it)");
    }
    if addr.bytes().any(|b| b < 32 || b == 127) {
        return Err("control character in address");
    }
    if !valid_domain(domain) {
        return Err("invalid domain");
    }
    if is_dot_atom(local) {
        return Ok(Cow::Borrowed(addr));
    }
    if local.len() > 2
        && local.starts_with('"')
        && local.ends_with('"')
        && valid_quoted(&local[1..local.len() - 1])
    {
        return Ok(Cow::Borrowed(addr));
    }
    Ok(Cow::Owned(format!("{}@{domain}", quote(local))))
}

fn is_dot_atom(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(|a| !a.is_empty() && a.bytes().all(|b| is_atext(b) || b >= 0x80))
}

fn valid_quoted(s: &str) -> bool {
    let mut esc = false;
    for b in s.bytes() {
        if esc {
            esc = false;
        } else if b == b'\\' {
            esc = true;
        } else if b == b'"' {
            return false;
        }
    }
    !esc
}

fn valid_domain(d: &str) -> bool {
    if let Some(lit) = d.strip_prefix('[') {
        return lit.strip_suffix(']').is_some_and(|l| {
            !l.is_empty() && l.bytes().all(|b| (33..=126).contains(&b) && !b"[]\\".contains(&b))
        });
    }
    !d.is_empty()
        && d.len() <= 255
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b >= 0x80)
        })
}

/// Checks a message id or content id (with or without its angle brackets)
/// and returns it with them.
pub(crate) fn msg_id(id: &str) -> Option<String> {
    let bare = id.trim();
    let bare = bare.strip_prefix('<').and_then(|s| s.strip_suffix('>')).unwrap_or(bare);
    let ok = !bare.is_empty()
        && bare.len() <= 900
        && bare.bytes().all(|b| (33..=126).contains(&b) && !b"<>\"\\".contains(&b))
        && bare.find('@').is_some_and(|at| at > 0 && at + 1 < bare.len());
    ok.then(|| format!("<{bare}>"))
}

/// Writes `; name=value`, quoted, continued or RFC 2231-encoded as the
/// value needs: a token as it is; short printable ASCII quoted; long
/// printable ASCII in quoted sections (`name*0="…"`); anything else
/// percent-encoded UTF-8 (`name*=utf-8''…`, in sections when long).
pub(crate) fn param(w: &mut FieldWriter<'_>, name: &str, value: &str) {
    const SECTION: usize = 60;
    w.glue(b";");
    // A value that looks like an encoded word is percent-encoded, since
    // readers decode encoded words in parameters.
    let printable = value.bytes().all(|b| (32..=126).contains(&b)) && !value.contains("=?");
    if !value.is_empty() && value.bytes().all(is_token) && name.len() + value.len() < SECTION {
        w.word(b" ", format!("{name}={value}").as_bytes());
        return;
    }
    if printable && name.len() + value.len() < SECTION {
        w.word(b" ", format!("{name}={}", quote(value)).as_bytes());
        return;
    }
    let sections = if printable {
        // The two quotes take 2 of the section; an escape takes 2 per character.
        split_sections(value, SECTION - 2, |n, c, _| n + c.len() + usize::from(c == "\"" || c == "\\"))
    } else {
        split_sections(value, SECTION, |n, c, _| n + percent(c).len())
    };
    for (k, section) in sections.iter().enumerate() {
        if k > 0 {
            w.glue(b";");
        }
        let tok = match (printable, sections.len()) {
            (true, _) => format!("{name}*{k}={}", quote(section)),
            (false, 1) => format!("{name}*=utf-8''{}", percent(section)),
            (false, _) if k == 0 => format!("{name}*0*=utf-8''{}", percent(section)),
            (false, _) => format!("{name}*{k}*={}", percent(section)),
        };
        w.word(b" ", tok.as_bytes());
    }
}

/// The legacy `name="…"` form old clients read beside RFC 2231: printable
/// ASCII quoted, anything else as encoded words inside the quotes (what
/// Outlook and Thunderbird write and every reader decodes).
pub(crate) fn legacy_param(w: &mut FieldWriter<'_>, name: &str, value: &str) {
    w.glue(b";");
    let plain = value.bytes().all(|b| (32..=126).contains(&b) || b == b'\t');
    if plain && !value.contains("=?") && !value.starts_with([' ', '\t']) && !has_long_space_run(value) {
        // Folded at its spaces, which a quoted string keeps.
        write_folded_at_spaces(w, b" ", &format!("{name}={}", quote(value)));
        return;
    }
    let mut first = format!("{name}=\"");
    let mut rest = value;
    let overhead = "=?utf-8?b??=".len();
    let mut ws: &[u8] = b" ";
    while !rest.is_empty() {
        let take = chunk(rest, MAX_WORD - overhead - 1, b64_len);
        let mut tok = std::mem::take(&mut first);
        tok.push_str("=?utf-8?b?");
        tok.push_str(&base64_simd::STANDARD.encode_to_string(&rest[..take]));
        tok.push_str("?=");
        rest = &rest[take..];
        if rest.is_empty() {
            tok.push('"');
        }
        w.word(ws, tok.as_bytes());
        ws = b" ";
    }
}

fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

/// RFC 2231 `attribute-char`s as they are, every other byte `%XX`.
fn percent(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for &b in s.as_bytes() {
        if is_token(b) && !b"*'%".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// Splits `s` at character boundaries into pieces whose written length is
/// at most `max` (a piece always holds at least one character).
fn split_sections(s: &str, max: usize, len: impl Fn(usize, &str, usize) -> usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let take = chunk(rest, max, &len);
        out.push(&rest[..take]);
        rest = &rest[take..];
    }
    if out.is_empty() {
        out.push("");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoded_word::decode_unstructured;

    fn field(name: &str, f: impl FnOnce(&mut FieldWriter<'_>)) -> String {
        let mut out = Vec::new();
        let mut w = FieldWriter::new(&mut out, b"\r\n", name);
        f(&mut w);
        w.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    fn value_of(field: &str) -> &str {
        &field[field.find(':').unwrap() + 1..field.len() - 2]
    }

    fn check_lines(s: &str) {
        for line in s.split("\r\n") {
            assert!(line.len() <= FOLD_AT, "line of {}: {line:?}", line.len());
        }
    }

    #[test]
    fn ascii_subject_is_written_as_is_and_folded_at_spaces() {
        let text = "The quick brown fox jumps over the lazy dog ".repeat(4);
        let f = field("Subject", |w| unstructured(w, &text));
        check_lines(&f);
        assert!(f.contains("\r\n "));
        assert_eq!(decode_unstructured(value_of(&f).as_bytes()), text.trim());
    }

    #[test]
    fn non_ascii_runs_become_words_that_decode_back() {
        for text in [
            "Grüße aus Köln",
            "日本語のテキストがとても長い場合には複数の単語に分割される必要があります、そうですね？",
            "mixed ascii then ünïcödé then ascii again and a very long tail of words",
            "has =?utf-8?q?fake?= word",
            "ctl\r\nBcc: evil@example.com",
            "nul\0byte",
            "🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉",
        ] {
            let f = field("Subject", |w| unstructured(w, text));
            check_lines(&f);
            assert!(!value_of(&f).contains("\r\nBcc"), "{f}");
            assert_eq!(decode_unstructured(value_of(&f).as_bytes()), text, "{f}");
            for word in f.split([' ', '\r', '\n']).filter(|w| w.starts_with("=?")) {
                assert!(word.len() <= MAX_WORD, "{word}");
            }
        }
    }

    #[test]
    fn display_names_are_atoms_quoted_or_encoded() {
        let f = field("From", |w| phrase(w, b" ", "Ann Smith"));
        assert_eq!(f, "From: Ann Smith\r\n");
        let f = field("From", |w| phrase(w, b" ", "Smith, Ann \"the\" \\ one"));
        assert_eq!(f, "From: \"Smith, Ann \\\"the\\\" \\\\ one\"\r\n");
        // B is shorter here than Q, which must escape the parentheses.
        let f = field("From", |w| phrase(w, b" ", "Jörg (x)"));
        assert_eq!(f, "From: =?utf-8?b?SsO2cmcgKHgp?=\r\n");
        let f = field("From", |w| phrase(w, b" ", "Jörg Müller"));
        assert_eq!(f, "From: =?utf-8?q?J=C3=B6rg_M=C3=BCller?=\r\n");
    }

    #[test]
    fn addresses_are_checked_and_quoted() {
        assert_eq!(addr_spec("a.b@example.com", false).unwrap(), "a.b@example.com");
        assert_eq!(addr_spec("a b@example.com", false).unwrap(), "\"a b\"@example.com");
        assert_eq!(addr_spec("\"a b\"@example.com", false).unwrap(), "\"a b\"@example.com");
        assert_eq!(addr_spec("x@[192.0.2.1]", false).unwrap(), "x@[192.0.2.1]");
        for bad in ["", "a", "@b", "a@", "a@b..c", "a@b\r\nc", "jö@b.de", "a@-b c"] {
            assert!(addr_spec(bad, false).is_err(), "{bad}");
        }
        assert!(addr_spec("jö@bücher.de", true).is_ok());
    }

    #[test]
    fn ids_are_checked() {
        assert_eq!(msg_id("a@b").as_deref(), Some("<a@b>"));
        assert_eq!(msg_id(" <a.1@b> ").as_deref(), Some("<a.1@b>"));
        for bad in ["", "<>", "a", "a b@c", "a@b\r\nX: y", "<a@b", "@b", "a@"] {
            assert_eq!(msg_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn params_pick_token_quoted_continued_or_extended() {
        let f = field("Content-Type", |w| {
            w.word(b" ", b"text/plain");
            param(w, "charset", "utf-8");
        });
        assert_eq!(f, "Content-Type: text/plain; charset=utf-8\r\n");
        let f = field("Content-Disposition", |w| {
            w.word(b" ", b"attachment");
            param(w, "filename", "my report.pdf");
        });
        assert_eq!(f, "Content-Disposition: attachment; filename=\"my report.pdf\"\r\n");
        let long = "a very long file name that goes on and on and on beyond sixty characters.pdf";
        let f = field("Content-Disposition", |w| {
            w.word(b" ", b"attachment");
            param(w, "filename", long);
        });
        check_lines(&f);
        assert!(f.contains("filename*0=\"") && f.contains("filename*1=\""), "{f}");
        let f = field("Content-Disposition", |w| {
            w.word(b" ", b"attachment");
            param(w, "filename", "Bericht ü.pdf");
        });
        assert_eq!(f, "Content-Disposition: attachment; filename*=utf-8''Bericht%20%C3%BC.pdf\r\n");
        let f = field("Content-Type", |w| {
            w.word(b" ", b"application/pdf");
            legacy_param(w, "name", "Bericht ü.pdf");
        });
        assert_eq!(f, "Content-Type: application/pdf; name=\"=?utf-8?b?QmVyaWNodCDDvC5wZGY=?=\"\r\n");
    }

    #[test]
    fn after_a_long_name_the_first_word_stays_on_the_name_line() {
        // No fold right after the name (Python would keep its space); the
        // first line then holds one word, the rest is folded within 78.
        let name = "X-A-Rather-Long-Header-Name-That-Takes-Up-Most-Of-The-Line";
        let f = field(name, |w| unstructured(w, "ünïcödé text that must be encoded, ünïcödé again"));
        let mut lines = f.split("\r\n");
        let first = lines.next().unwrap();
        assert_eq!(first.split(' ').count(), 2, "{f}");
        lines.for_each(|l| assert!(l.len() <= FOLD_AT, "{l}"));
        assert_eq!(
            decode_unstructured(value_of(&f).as_bytes()),
            "ünïcödé text that must be encoded, ünïcödé again"
        );
    }

    #[test]
    fn long_whitespace_runs_and_words_are_kept_within_998() {
        for text in ["a".to_string() + &" ".repeat(1000) + "b", "x".repeat(1200)] {
            let f = field("Subject", |w| unstructured(w, &text));
            assert!(f.split("\r\n").all(|l| l.len() <= MAX_LINE), "{f}");
            assert_eq!(decode_unstructured(value_of(&f).as_bytes()), text);
            let f = field("To", |w| phrase(w, b" ", &text));
            assert!(f.split("\r\n").all(|l| l.len() <= FOLD_AT), "{f}");
        }
    }

    #[test]
    fn glued_commas_stay_within_78() {
        let f = field("To", |w| {
            phrase(w, b" ", &"a".repeat(58));
            w.angle_word(b"x@example.com");
            w.glue(b",");
            w.word(b" ", b"y@example.com");
        });
        check_lines(&f);
    }

    #[test]
    fn a_token_longer_than_a_line_is_refused() {
        let mut out = Vec::new();
        let mut w = FieldWriter::new(&mut out, b"\r\n", "X");
        w.word(b" ", "x".repeat(1000).as_bytes());
        assert!(w.finish().is_err());
        assert!(out.is_empty());
    }
}
