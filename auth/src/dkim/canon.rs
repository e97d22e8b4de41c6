//! Canonicalisation (RFC 6376 §3.4) and the streaming body hash.

use ring::digest::{Context, SHA1_FOR_LEGACY_USE_ONLY, SHA256};

use super::{Canon, HashAlgorithm};

/// A header field canonicalised into `out`: `simple` is the field as it
/// arrived; `relaxed` lower-cases the name, unfolds, turns runs of white
/// space into one space and drops it around the colon and at the end.
/// `with_crlf`: the final line break (every field but the signature's own).
pub(crate) fn header(
    canon: Canon,
    name: &str,
    raw_field: &[u8],
    raw_value: &[u8],
    with_crlf: bool,
    out: &mut Vec<u8>,
) {
    match canon {
        Canon::Simple => {
            // As received on the wire, where every line ends in CRLF: a
            // bare LF (a message kept with LF line ends) counts as CRLF.
            let field = if with_crlf { raw_field } else { strip_crlf(raw_field) };
            let mut prev = 0u8;
            for &b in field {
                if b == b'\n' && prev != b'\r' {
                    out.push(b'\r');
                }
                out.push(b);
                prev = b;
            }
        }
        Canon::Relaxed => {
            out.extend(name.bytes().map(|b| b.to_ascii_lowercase()));
            out.push(b':');
            let mut space = false;
            let mut started = false;
            let mut i = 0;
            while i < raw_value.len() {
                let b = raw_value[i];
                match b {
                    // Unfolding removes the line breaks (CRLF, or a bare
                    // LF); a bare CR is an ordinary character.
                    b'\r' if raw_value.get(i + 1) == Some(&b'\n') => {}
                    b'\n' => {}
                    b' ' | b'\t' => space = started,
                    _ => {
                        if space {
                            out.push(b' ');
                            space = false;
                        }
                        out.push(b);
                        started = true;
                    }
                }
                i += 1;
            }
            if with_crlf {
                out.extend_from_slice(b"\r\n");
            }
        }
    }
}

fn strip_crlf(f: &[u8]) -> &[u8] {
    let f = f.strip_suffix(b"\n").unwrap_or(f);
    f.strip_suffix(b"\r").unwrap_or(f)
}

/// The body hash, computed as the body streams by: canonicalised in
/// chunks of any size (line ends split across chunks included), trailing
/// empty lines held back until more text shows they were not trailing,
/// and cut at `l=` octets when a length is given.
///
/// ```
/// use mailwire_auth::dkim::{BodyHasher, Canon, HashAlgorithm};
///
/// let mut whole = BodyHasher::new(Canon::Relaxed, HashAlgorithm::Sha256, None);
/// whole.update(b"Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n\r\n\r\n");
/// let mut pieces = BodyHasher::new(Canon::Relaxed, HashAlgorithm::Sha256, None);
/// for chunk in b"Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n\r\n\r\n".chunks(3) {
///     pieces.update(chunk);
/// }
/// assert_eq!(whole.finish().0, pieces.finish().0);
/// ```
pub struct BodyHasher {
    canon: Canon,
    ctx: Context,
    limit: Option<u64>,
    /// Canonical octets hashed so far (at most the limit).
    hashed: u64,
    /// Canonical octets in all.
    total: u64,
    /// Empty lines (CRLFs) seen but not yet hashed: they count only if
    /// text follows.
    pending_crlf: u64,
    /// Relaxed: white space seen in the line and not yet written.
    pending_space: bool,
    /// A CR at the end of the last chunk.
    pending_cr: bool,
    /// Whether the current line has content.
    line_has_text: bool,
    /// Whether anything but empty lines came.
    any_text: bool,
    /// Raw body octets seen.
    seen: u64,
    /// Canonical output not yet hashed.
    out: Vec<u8>,
    /// Finds a run of two spaces (built once: it is asked on every line).
    double_space: memchr::memmem::Finder<'static>,
}

/// Canonical output is hashed in blocks of this size.
const HASH_BLOCK: usize = 32 * 1024;

impl BodyHasher {
    /// A hasher for `canon` and `hash`, stopping after `limit` canonical
    /// octets (`l=`) if given.
    pub fn new(canon: Canon, hash: HashAlgorithm, limit: Option<u64>) -> BodyHasher {
        let alg = match hash {
            HashAlgorithm::Sha256 => &SHA256,
            HashAlgorithm::Sha1 => &SHA1_FOR_LEGACY_USE_ONLY,
        };
        BodyHasher {
            canon,
            ctx: Context::new(alg),
            limit,
            hashed: 0,
            total: 0,
            pending_crlf: 0,
            pending_space: false,
            pending_cr: false,
            line_has_text: false,
            any_text: false,
            seen: 0,
            out: Vec::with_capacity(HASH_BLOCK + 1024),
            double_space: memchr::memmem::Finder::new(b"  "),
        }
    }

    fn emit(&mut self, bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let take = match self.limit {
            Some(l) => bytes.len().min(l.saturating_sub(self.hashed) as usize),
            None => bytes.len(),
        };
        if take > 0 {
            // Hashing many small pieces is slow: gather them first.
            self.out.extend_from_slice(&bytes[..take]);
            self.hashed += take as u64;
            if self.out.len() >= HASH_BLOCK {
                self.ctx.update(&self.out);
                self.out.clear();
            }
        }
    }

    /// Canonical bytes hashed straight from the input (after what is
    /// gathered), within the limit.
    fn emit_block(&mut self, block: &[u8]) {
        self.total += block.len() as u64;
        let take = match self.limit {
            Some(l) => block.len().min(l.saturating_sub(self.hashed) as usize),
            None => block.len(),
        };
        if take > 0 {
            if !self.out.is_empty() {
                self.ctx.update(&self.out);
                self.out.clear();
            }
            self.ctx.update(&block[..take]);
            self.hashed += take as u64;
        }
    }

    /// Text is coming on this line: write out what was held back.
    fn flush_pending(&mut self) {
        while self.pending_crlf > 0 {
            self.emit(b"\r\n");
            self.pending_crlf -= 1;
        }
        if self.pending_space {
            self.emit(b" ");
            self.pending_space = false;
        }
    }

    fn end_of_line(&mut self) {
        // Relaxed: white space at the end of a line is dropped.
        self.pending_space = false;
        if self.line_has_text {
            self.emit(b"\r\n");
        } else {
            self.pending_crlf += 1;
        }
        self.line_has_text = false;
    }

    /// Feeds the next chunk of the body (as received, CRLF line ends).
    pub fn update(&mut self, chunk: &[u8]) {
        self.seen += chunk.len() as u64;
        let mut i = 0;
        while i < chunk.len() {
            // Fast path: a whole CRLF line that canonicalisation leaves as
            // it is goes out in one piece.
            if !self.pending_cr && !self.line_has_text && !self.pending_space {
                if let Some(len) = self.plain_line(&chunk[i..]) {
                    if len == 0 {
                        self.pending_crlf += 1;
                        i += 2;
                        continue;
                    }
                    // A run of such lines is contiguous in the input:
                    // hash it in one piece.
                    let mut end = i + len + 2;
                    while let Some(l) = self.plain_line(&chunk[end..]).filter(|&l| l > 0) {
                        end += l + 2;
                    }
                    self.flush_pending();
                    self.emit_block(&chunk[i..end]);
                    self.any_text = true;
                    i = end;
                    continue;
                }
            }
            let b = chunk[i];
            if self.pending_cr {
                self.pending_cr = false;
                if b == b'\n' {
                    self.end_of_line();
                    i += 1;
                    continue;
                }
                // A bare CR is an ordinary character.
                self.text(b"\r");
            }
            match b {
                b'\r' => self.pending_cr = true,
                b' ' | b'\t' if self.canon == Canon::Relaxed => self.pending_space = true,
                _ => {
                    // Copy a run of ordinary bytes at once.
                    let rest = &chunk[i..];
                    let stop = match self.canon {
                        Canon::Relaxed => memchr::memchr3(b'\r', b' ', b'\t', rest),
                        Canon::Simple => memchr::memchr(b'\r', rest),
                    };
                    let end = stop.map_or(chunk.len(), |e| i + e);
                    let run = &chunk[i..end];
                    self.text(run);
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
    }

    /// The length of the line at the start of `rest` (without its CRLF)
    /// if it is complete and canonicalisation would not change it: no bare
    /// CR or LF inside, and for relaxed no tab, no run of spaces and no
    /// space at its end.
    fn plain_line(&self, rest: &[u8]) -> Option<usize> {
        let nl = memchr::memchr(b'\n', rest)?;
        if nl == 0 || rest[nl - 1] != b'\r' {
            return None;
        }
        let line = &rest[..nl - 1];
        if memchr::memchr(b'\r', line).is_some() {
            return None;
        }
        if self.canon == Canon::Relaxed
            && (line.last() == Some(&b' ')
                || memchr::memchr(b'\t', line).is_some()
                || self.double_space.find(line).is_some())
        {
            return None;
        }
        Some(line.len())
    }

    fn text(&mut self, run: &[u8]) {
        if run.is_empty() {
            return;
        }
        // A lone LF in the run is not a line end in DKIM's CRLF world, but
        // real mail has them: treat LF as a line end too.
        let mut start = 0;
        for k in memchr::memchr_iter(b'\n', run) {
            self.text_bytes(&run[start..k]);
            self.end_of_line();
            start = k + 1;
        }
        self.text_bytes(&run[start..]);
    }

    fn text_bytes(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.flush_pending();
        self.emit(bytes);
        self.line_has_text = true;
        self.any_text = true;
    }

    /// The hash, and how many canonical octets it covers and how many
    /// there were in all (`l=` may cover fewer).
    pub fn finish(mut self) -> (Vec<u8>, u64, u64) {
        if self.pending_cr {
            self.pending_cr = false;
            self.text(b"\r");
        }
        if self.line_has_text {
            // The last line had no line end: canonical bodies end in CRLF.
            self.pending_space = false;
            self.emit(b"\r\n");
        }
        // Simple: an empty body is one CRLF. Relaxed: it is empty.
        if !self.any_text && self.canon == Canon::Simple {
            self.emit(b"\r\n");
        }
        let (hashed, total) = (self.hashed, self.total);
        self.ctx.update(&self.out);
        (self.ctx.finish().as_ref().to_vec(), hashed, total)
    }

    /// Raw body octets fed so far.
    pub fn raw_len(&self) -> u64 {
        self.seen
    }
}
