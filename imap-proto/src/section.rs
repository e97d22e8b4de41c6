//! Body sections: the `[1.2.HEADER.FIELDS (Subject)]` of `BODY[…]` and
//! `BINARY[…]`, and the `<origin.length>` partial ranges.

use std::num::NonZeroU32;

use crate::encode::Writer;
use crate::lex::{Cursor, PResult};
use crate::string::Str;

/// A `section`: a part path and what of that part.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Section {
    /// The part numbers (`1.2` is `[1, 2]`); empty for the whole message.
    pub part: Vec<NonZeroU32>,
    /// What of the part; `None` for all of it.
    pub text: Option<SectionText>,
}

/// `section-msgtext` / `section-text`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SectionText {
    /// `HEADER`.
    Header,
    /// `HEADER.FIELDS (names…)`.
    HeaderFields(Vec<Str>),
    /// `HEADER.FIELDS.NOT (names…)`.
    HeaderFieldsNot(Vec<Str>),
    /// `TEXT`.
    Text,
    /// `MIME` (only after a part number).
    Mime,
}

impl Section {
    /// The whole message (`[]`).
    pub fn whole() -> Section {
        Section::default()
    }

    /// The header of the message (`[HEADER]`).
    pub fn header() -> Section {
        Section { part: Vec::new(), text: Some(SectionText::Header) }
    }

    /// The body of the message (`[TEXT]`).
    pub fn text() -> Section {
        Section { part: Vec::new(), text: Some(SectionText::Text) }
    }

    /// A part (`[1.2]`).
    pub fn part(path: &[u32]) -> Option<Section> {
        let part = path.iter().map(|&n| NonZeroU32::new(n)).collect::<Option<Vec<_>>>()?;
        Some(Section { part, text: None })
    }

    /// `"[" [section-spec] "]"`, at the `[`.
    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<Section> {
        const RULE: &str = "section";
        c.expect(b'[', RULE, "'['")?;
        let mut section = Section::default();
        if c.eat(b']') {
            return Ok(section);
        }
        loop {
            if matches!(c.peek(), Some(b'1'..=b'9')) {
                let n = c.nz_number("section-part")?;
                c.push(&mut section.part, n, "section-part")?;
                if c.eat(b'.') {
                    continue;
                }
                break;
            }
            section.text = Some(if c.eat_ci(b"HEADER.FIELDS.NOT") {
                c.sp(RULE)?;
                SectionText::HeaderFieldsNot(header_list(c)?)
            } else if c.eat_ci(b"HEADER.FIELDS") {
                c.sp(RULE)?;
                SectionText::HeaderFields(header_list(c)?)
            } else if c.eat_ci(b"HEADER") {
                SectionText::Header
            } else if c.eat_ci(b"TEXT") {
                SectionText::Text
            } else if !section.part.is_empty() && c.eat_ci(b"MIME") {
                SectionText::Mime
            } else {
                return Err(c.expected(RULE, "a part number, HEADER, HEADER.FIELDS, TEXT or MIME"));
            });
            break;
        }
        c.expect(b']', RULE, "']'")?;
        Ok(section)
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.byte(b'[');
        for (i, p) in self.part.iter().enumerate() {
            if i > 0 {
                w.byte(b'.');
            }
            w.number(u64::from(p.get()));
        }
        if let Some(text) = &self.text {
            if !self.part.is_empty() {
                w.byte(b'.');
            }
            match text {
                SectionText::Header => {
                    w.raw(b"HEADER");
                }
                SectionText::Text => {
                    w.raw(b"TEXT");
                }
                SectionText::Mime => {
                    w.raw(b"MIME");
                }
                SectionText::HeaderFields(names) => {
                    w.raw(b"HEADER.FIELDS ");
                    w.list(names, |w, n| {
                        w.astring(n);
                    });
                }
                SectionText::HeaderFieldsNot(names) => {
                    w.raw(b"HEADER.FIELDS.NOT ");
                    w.list(names, |w, n| {
                        w.astring(n);
                    });
                }
            }
        }
        w.byte(b']');
    }

    /// `section-binary`: `"[" [section-part] "]"` (RFC 3516), at the `[`.
    pub(crate) fn parse_binary(c: &mut Cursor<'_>) -> PResult<Vec<NonZeroU32>> {
        const RULE: &str = "section-binary";
        c.expect(b'[', RULE, "'['")?;
        let mut part = Vec::new();
        if c.eat(b']') {
            return Ok(part);
        }
        loop {
            let n = c.nz_number("section-part")?;
            c.push(&mut part, n, "section-part")?;
            if !c.eat(b'.') {
                break;
            }
        }
        c.expect(b']', RULE, "']'")?;
        Ok(part)
    }

    /// Writes `section-binary`.
    pub(crate) fn encode_binary(part: &[NonZeroU32], w: &mut Writer) {
        w.byte(b'[');
        for (i, p) in part.iter().enumerate() {
            if i > 0 {
                w.byte(b'.');
            }
            w.number(u64::from(p.get()));
        }
        w.byte(b']');
    }
}

fn header_list(c: &mut Cursor<'_>) -> PResult<Vec<Str>> {
    c.paren_list("header-list", false, |c| c.astring("header-fld-name"))
}

/// `<origin.length>` in a FETCH command: `length` octets from `origin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Partial {
    /// The first octet, counting from 0.
    pub origin: u32,
    /// How many octets.
    pub length: NonZeroU32,
}

impl Partial {
    /// `"<" number "." nz-number ">"`, at the `<`.
    pub(crate) fn parse(c: &mut Cursor<'_>) -> PResult<Partial> {
        const RULE: &str = "partial";
        c.expect(b'<', RULE, "'<'")?;
        let origin = c.number(RULE)?;
        c.expect(b'.', RULE, "'.'")?;
        let length = c.nz_number(RULE)?;
        c.expect(b'>', RULE, "'>'")?;
        Ok(Partial { origin, length })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.byte(b'<').number(u64::from(self.origin)).byte(b'.');
        w.number(u64::from(self.length.get())).byte(b'>');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn round(s: &str) -> String {
        let b = Bytes::copy_from_slice(s.as_bytes());
        let l = crate::Limits::default();
        let sec = Section::parse(&mut Cursor::new(&b, &l)).unwrap();
        let mut w = Writer::default();
        sec.encode(&mut w);
        String::from_utf8(w.finish().into_bytes()).unwrap()
    }

    #[test]
    fn sections() {
        for s in [
            "[]",
            "[HEADER]",
            "[1.2.3]",
            "[1.MIME]",
            "[2.TEXT]",
            "[HEADER.FIELDS (Date From)]",
            "[4.2.HEADER.FIELDS.NOT (Subject)]",
        ] {
            assert_eq!(round(s), s);
        }
        let b = Bytes::from_static(b"[MIME]");
        let l = crate::Limits::default();
        assert!(Section::parse(&mut Cursor::new(&b, &l)).is_err());
    }
}
