//! The command writer: canonical forms (uppercase keywords, lists in
//! parentheses), strings in the form they carry when it is valid there.

use super::{CommandBody, MetadataDepth, QResyncParams, SelectParams, fetch, list, search, store};
use crate::chars;
use crate::encode::Writer;
use crate::flag::Flag;
use crate::id::encode_id_params;
use crate::mailbox::{Mailbox, encode_list_mailbox};
use crate::string::{Form, Str};

pub(super) fn body(body: &CommandBody, w: &mut Writer) {
    use CommandBody::*;
    match body {
        Capability => simple(w, b"CAPABILITY"),
        Noop => simple(w, b"NOOP"),
        Logout => simple(w, b"LOGOUT"),
        Id(params) => {
            w.raw(b"ID ");
            encode_id_params(params, w);
        }
        Enable(caps) => {
            w.raw(b"ENABLE");
            crate::capability::Capability::encode_list(caps, w);
        }
        StartTls => simple(w, b"STARTTLS"),
        Authenticate { mechanism, initial_response } => {
            w.raw(b"AUTHENTICATE ").raw(mechanism.as_bytes());
            if let Some(ir) = initial_response {
                w.sp();
                if ir.is_empty() {
                    w.byte(b'=');
                } else {
                    w.raw(base64_simd::STANDARD.encode_to_string(ir).as_bytes());
                }
            }
        }
        Login { username, password } => {
            w.raw(b"LOGIN ").astring(username).sp().astring(password);
        }
        Select { mailbox, params } => mailbox_params(w, b"SELECT ", mailbox, params),
        Examine { mailbox, params } => mailbox_params(w, b"EXAMINE ", mailbox, params),
        Create { mailbox, special_use } => {
            w.raw(b"CREATE ");
            mailbox.encode(w);
            if !special_use.is_empty() {
                w.raw(b" (USE ");
                w.list(special_use, |w, a| a.encode(w));
                w.byte(b')');
            }
        }
        Delete(m) => with_mailbox(w, b"DELETE ", m),
        Rename { from, to } => {
            w.raw(b"RENAME ");
            from.encode(w);
            w.sp();
            to.encode(w);
        }
        Subscribe(m) => with_mailbox(w, b"SUBSCRIBE ", m),
        Unsubscribe(m) => with_mailbox(w, b"UNSUBSCRIBE ", m),
        List(l) => list::encode(l, w),
        Lsub { reference, pattern } => {
            w.raw(b"LSUB ");
            reference.encode(w);
            w.sp();
            encode_list_mailbox(w, pattern);
        }
        Namespace => simple(w, b"NAMESPACE"),
        Status { mailbox, items } => {
            w.raw(b"STATUS ");
            mailbox.encode(w);
            w.sp();
            w.list(items, |w, i| i.encode(w));
        }
        Append { mailbox, flags, date, message } => {
            w.raw(b"APPEND ");
            mailbox.encode(w);
            w.sp();
            if !flags.is_empty() {
                Flag::encode_list(flags, w);
                w.sp();
            }
            if let Some(d) = date {
                d.encode(w);
                w.sp();
            }
            literal(w, message);
        }
        Idle => simple(w, b"IDLE"),
        GetQuota(root) => {
            w.raw(b"GETQUOTA ").astring(root);
        }
        GetQuotaRoot(m) => with_mailbox(w, b"GETQUOTAROOT ", m),
        SetQuota { root, limits } => {
            w.raw(b"SETQUOTA ").astring(root).sp();
            w.list(limits, |w, (name, limit)| {
                w.raw(name.as_bytes()).sp().number(*limit);
            });
        }
        GetMetadata { options, mailbox, entries } => {
            w.raw(b"GETMETADATA ");
            if options.max_size.is_some() || options.depth.is_some() {
                w.byte(b'(');
                if let Some(n) = options.max_size {
                    w.raw(b"MAXSIZE ").number(u64::from(n));
                    if options.depth.is_some() {
                        w.sp();
                    }
                }
                if let Some(d) = options.depth {
                    w.raw(match d {
                        MetadataDepth::Zero => b"DEPTH 0",
                        MetadataDepth::One => b"DEPTH 1",
                        MetadataDepth::Infinity => b"DEPTH infinity" as &[u8],
                    });
                }
                w.raw(b") ");
            }
            mailbox.encode(w);
            w.sp();
            match entries.as_slice() {
                [one] => {
                    w.astring(one);
                }
                many => {
                    w.list(many, |w, e| {
                        w.astring(e);
                    });
                }
            }
        }
        SetMetadata { mailbox, entries } => {
            w.raw(b"SETMETADATA ");
            mailbox.encode(w);
            w.sp();
            w.list(entries, |w, (entry, value)| {
                w.astring(entry).sp();
                match value {
                    Some(v) if v.as_bytes().contains(&0) => {
                        w.literal(v.as_bytes(), true, None);
                    }
                    Some(v) => {
                        w.string(v);
                    }
                    None => {
                        w.raw(b"NIL");
                    }
                }
            });
        }
        Compress(a) => {
            w.raw(b"COMPRESS ").raw(a.as_bytes());
        }
        Check => simple(w, b"CHECK"),
        Close => simple(w, b"CLOSE"),
        Unselect => simple(w, b"UNSELECT"),
        Expunge => simple(w, b"EXPUNGE"),
        UidExpunge(set) => {
            w.raw(b"UID EXPUNGE ");
            set.encode(w);
        }
        Search { uid, charset, criteria, returns } => {
            uid_prefix(w, *uid);
            w.raw(b"SEARCH");
            search::encode_returns(w, returns);
            w.sp();
            if let Some(cs) = charset {
                w.raw(b"CHARSET ").astring(cs).sp();
            }
            search::encode_criteria(w, criteria);
        }
        Fetch { uid, set, items, changed_since, vanished } => {
            uid_prefix(w, *uid);
            fetch::encode(w, set, items, *changed_since, *vanished);
        }
        Store { uid, set, action, silent, kind, unchanged_since } => {
            uid_prefix(w, *uid);
            store::encode(w, set, *action, *silent, kind, *unchanged_since);
        }
        Copy { uid, set, mailbox } => {
            uid_prefix(w, *uid);
            w.raw(b"COPY ");
            set.encode(w);
            w.sp();
            mailbox.encode(w);
        }
        Move { uid, set, mailbox } => {
            uid_prefix(w, *uid);
            w.raw(b"MOVE ");
            set.encode(w);
            w.sp();
            mailbox.encode(w);
        }
        Sort { uid, keys, charset, criteria, returns } => {
            uid_prefix(w, *uid);
            w.raw(b"SORT");
            search::encode_returns(w, returns);
            w.sp();
            search::encode_sort_keys(w, keys);
            w.sp().astring(charset).sp();
            search::encode_criteria(w, criteria);
        }
        Thread { uid, algorithm, charset, criteria } => {
            uid_prefix(w, *uid);
            w.raw(b"THREAD ").raw(algorithm.as_bytes()).sp().astring(charset).sp();
            search::encode_criteria(w, criteria);
        }
    }
}

fn simple(w: &mut Writer, name: &[u8]) {
    w.raw(name);
}

fn uid_prefix(w: &mut Writer, uid: bool) {
    if uid {
        w.raw(b"UID ");
    }
}

fn with_mailbox(w: &mut Writer, name: &[u8], mailbox: &Mailbox) {
    w.raw(name);
    mailbox.encode(w);
}

fn mailbox_params(w: &mut Writer, name: &[u8], mailbox: &Mailbox, params: &SelectParams) {
    w.raw(name);
    mailbox.encode(w);
    if !params.condstore && params.qresync.is_none() {
        return;
    }
    w.raw(b" (");
    if params.condstore {
        w.raw(b"CONDSTORE");
        if params.qresync.is_some() {
            w.sp();
        }
    }
    if let Some(q) = &params.qresync {
        qresync(w, q);
    }
    w.byte(b')');
}

fn qresync(w: &mut Writer, q: &QResyncParams) {
    w.raw(b"QRESYNC (").number(u64::from(q.uid_validity.get())).sp().number(q.mod_seq);
    if let Some(known) = &q.known_uids {
        w.sp();
        known.encode(w);
    }
    if let Some((seqs, uids)) = &q.seq_match {
        w.raw(b" (");
        seqs.encode(w);
        w.sp();
        uids.encode(w);
        w.byte(b')');
    }
    w.byte(b')');
}

/// APPEND's message: always a literal, `~{N}` for literal8 or when it
/// holds NUL.
fn literal(w: &mut Writer, message: &Str) {
    let bytes = message.as_bytes();
    match message.form() {
        Form::Literal8 => w.literal(bytes, true, None),
        Form::Literal if !bytes.contains(&0) => w.literal(bytes, false, Some(true)),
        Form::LiteralNonSync if !bytes.contains(&0) => w.literal(bytes, false, Some(false)),
        _ => w.literal(bytes, bytes.contains(&0), None),
    };
}

/// A Gmail label: a system label (`\Inbox`) as it is, others as astrings.
pub(super) fn gm_label(w: &mut Writer, label: &Str) {
    let b = label.as_bytes();
    if let [b'\\', name @ ..] = b {
        if matches!(label.form(), Form::Atom | Form::Auto)
            && !name.is_empty()
            && name.iter().all(|&x| chars::is_atom_char(x))
        {
            w.raw(b);
            return;
        }
    }
    w.astring(label);
}
