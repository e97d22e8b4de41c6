//! The ID parameter list (RFC 2971), sent by both sides.

use crate::encode::Writer;
use crate::lex::{Cursor, PResult};
use crate::string::Str;

/// `id-params-list`: field/value pairs (`"name" "Dovecot"`), or NIL for none.
pub type IdParams = Option<Vec<(Str, Option<Str>)>>;

/// `"(" string SP nstring *(SP string SP nstring) ")" / NIL`.
pub(crate) fn parse_id_params(c: &mut Cursor<'_>) -> PResult<IdParams> {
    const RULE: &str = "id-params-list";
    if c.nil() {
        return Ok(None);
    }
    let pairs = c.paren_list(RULE, true, |c| {
        let field = c.string(RULE)?;
        c.sp(RULE)?;
        let value = c.nstring(RULE)?;
        Ok((field, value))
    })?;
    Ok(Some(pairs))
}

/// Writes an `id-params-list`.
pub(crate) fn encode_id_params(params: &IdParams, w: &mut Writer) {
    match params {
        None => {
            w.raw(b"NIL");
        }
        Some(pairs) => {
            w.list(pairs, |w, (field, value)| {
                w.string(field).sp().nstring(value.as_ref());
            });
        }
    }
}
