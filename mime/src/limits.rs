//! Caps on what a parse may build, so that no input can make it use
//! unbounded time or memory.

/// Limits applied while parsing. Exceeding one is reported as a
/// [`Defect`](crate::Defect) and parsing goes on with what fits; it never
/// fails or panics.
///
/// The defaults are far above what real mail needs (the deepest message in
/// the Crispin torture test nests 6 levels) and low enough that a hostile
/// message costs at most a few megabytes of bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Deepest nesting of multipart and message/rfc822 entities (the top
    /// message is depth 0). Deeper entities are kept as opaque leaves.
    pub max_depth: usize,
    /// Most entities in the whole message, nested messages included. Later
    /// parts stay in their parent's body unparsed.
    pub max_parts: usize,
    /// Most header fields kept per entity; later fields are skipped.
    pub max_headers: usize,
    /// Largest header field, in bytes, name and folding included; a longer
    /// field is skipped.
    pub max_header_size: usize,
}

impl Limits {
    /// The default limits: depth 50, 10 000 parts, 10 000 fields per entity,
    /// 1 MiB per field.
    pub const DEFAULT: Limits =
        Limits { max_depth: 50, max_parts: 10_000, max_headers: 10_000, max_header_size: 1 << 20 };

    /// Limits with every cap at its default.
    pub const fn new() -> Self {
        Self::DEFAULT
    }

    /// Sets [`max_depth`](Self::max_depth).
    pub const fn with_max_depth(mut self, n: usize) -> Self {
        self.max_depth = n;
        self
    }

    /// Sets [`max_parts`](Self::max_parts).
    pub const fn with_max_parts(mut self, n: usize) -> Self {
        self.max_parts = n;
        self
    }

    /// Sets [`max_headers`](Self::max_headers).
    pub const fn with_max_headers(mut self, n: usize) -> Self {
        self.max_headers = n;
        self
    }

    /// Sets [`max_header_size`](Self::max_header_size).
    pub const fn with_max_header_size(mut self, n: usize) -> Self {
        self.max_header_size = n;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
