//! Bounds on what a parser accepts, so that no input makes it allocate
//! without limit or recurse without end.

/// Bounds applied while framing and parsing one message.
///
/// The defaults ([`Limits::default`], for a client reading a server) allow
/// what large real mailboxes produce (a `SEARCH` answer listing a million
/// UIDs is about 8 MB); [`Limits::server`] is stricter, for commands from
/// clients that are not yet trusted. Literals larger than a session's
/// streaming threshold never count against these limits: they pass
/// through in chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest line (the bytes between two literals or line ends).
    pub max_line: usize,
    /// Longest literal kept in memory as part of a message.
    pub max_literal: u64,
    /// Longest whole message (lines and literals together).
    pub max_message: u64,
    /// Deepest nesting of parenthesised lists (BODYSTRUCTURE parts,
    /// search-key groups).
    pub max_depth: usize,
    /// Most elements in one list (flags, addresses, sequence-set ranges,
    /// search results …).
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 16 << 20,
            max_literal: 256 << 20,
            max_message: 512 << 20,
            max_depth: 64,
            max_items: 4 << 20,
        }
    }
}

impl Limits {
    /// Limits for a server reading commands: 64 KiB lines (Dovecot's
    /// `imap_max_line_length`), 64 MiB literals (a message in APPEND),
    /// nesting of 32, 100 000 list items.
    pub fn server() -> Self {
        Limits {
            max_line: 64 << 10,
            max_literal: 64 << 20,
            max_message: 80 << 20,
            max_depth: 32,
            max_items: 100_000,
        }
    }
}
