//! RFC 9051 §9 character classes, as one lookup table.

const ATOM: u8 = 1; // ATOM-CHAR
const ASTRING: u8 = 2; // ASTRING-CHAR
const TAG: u8 = 4; // tag: ASTRING-CHAR except "+"
const LIST: u8 = 8; // list-char
const TEXT: u8 = 16; // TEXT-CHAR

const fn class(b: u8) -> u8 {
    let ctl = b < 0x20 || b == 0x7f;
    let char7 = b >= 0x01 && b <= 0x7f;
    let atom_special = matches!(b, b'(' | b')' | b'{' | b' ' | b'%' | b'*' | b'"' | b'\\' | b']') || ctl;
    let mut c = 0;
    if char7 && !atom_special {
        c |= ATOM | ASTRING | LIST;
        if b != b'+' {
            c |= TAG;
        }
    }
    if b == b']' {
        c |= ASTRING | LIST | TAG;
    }
    if b == b'%' || b == b'*' {
        c |= LIST;
    }
    if char7 && b != b'\r' && b != b'\n' {
        c |= TEXT;
    }
    c
}

static TABLE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = class(i as u8);
        i += 1;
    }
    t
};

/// `ATOM-CHAR`.
#[inline]
pub(crate) fn is_atom_char(b: u8) -> bool {
    TABLE[b as usize] & ATOM != 0
}

/// `ASTRING-CHAR` (ATOM-CHAR and `]`).
#[inline]
pub(crate) fn is_astring_char(b: u8) -> bool {
    TABLE[b as usize] & ASTRING != 0
}

/// A character of a `tag`.
#[inline]
pub(crate) fn is_tag_char(b: u8) -> bool {
    TABLE[b as usize] & TAG != 0
}

/// `list-char` (ATOM-CHAR, `%`, `*`, `]`).
#[inline]
pub(crate) fn is_list_char(b: u8) -> bool {
    TABLE[b as usize] & LIST != 0
}

/// `TEXT-CHAR` (7-bit, no CR or LF).
#[inline]
pub(crate) fn is_text_char(b: u8) -> bool {
    TABLE[b as usize] & TEXT != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(is_atom_char(b'a') && is_atom_char(b'+') && is_atom_char(b'['));
        assert!(!is_atom_char(b']') && is_astring_char(b']'));
        assert!(!is_atom_char(b' ') && !is_atom_char(b'{') && !is_atom_char(0x80));
        assert!(!is_tag_char(b'+') && is_tag_char(b'A'));
        assert!(is_list_char(b'%') && is_list_char(b'*'));
        assert!(!is_text_char(b'\r') && is_text_char(b'"'));
    }
}
