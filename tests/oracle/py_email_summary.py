#!/usr/bin/env python3
"""Summarise email messages as seen by Python's ``email`` package (the oracle).

Usage:
    python3 py_email_summary.py FILE...
    find DIR -name '*.eml' | python3 py_email_summary.py --stdin-list

For every input file, in input order, one line of JSON (JSON Lines) is written
to stdout:

    {"file": PATH, "ok": true,  "message": MESSAGE}
    {"file": PATH, "ok": false, "error": "..."}    # Python itself crashed

Each file is parsed with ``email.message_from_bytes(data,
policy=email.policy.default)``.  The Rust differential test
(mailwire-mime) runs this script over generated messages (see
gen_messages.py) and over the shared corpus, parses the same files with the
Rust parser, builds the same shape, and compares field by field.

Shapes (extra keys may be added on PART; consumers should ignore unknown keys):

    MESSAGE = {"headers": [{"name", "raw", "value"}],
               "from": [ADDR], "sender": [ADDR], "reply_to": [ADDR],
               "to": [ADDR], "cc": [ADDR], "bcc": [ADDR],
               "subject": str|null, "date": "RFC 3339"|null,
               "message_id": str|null, "in_reply_to": [str],
               "references": [str], "root": PART}
    ADDR    = {"name": str|null, "address": str|null, "group": str|null}
    PART    = {"content_type", "params", "disposition", "filename", "charset",
               "transfer_encoding", "size", "sha256", "text", "parts",
               "message", "defects"}  (+ "preamble", "epilogue" on multiparts)

Conventions (see the docstrings of the helpers for details):
  * headers[].raw is the value as in the source (after the colon, leading
    blanks stripped, trailing line break stripped, inner folding line breaks
    kept exactly as CRLF or LF); headers[].value is str() of the header object
    Python's default policy builds (decoded and, for some header classes such
    as Date and address headers, re-serialised by Python).
  * Address fields use the first header of that name (like msg[name]).
    A group contributes one ADDR per member, each carrying the group's name;
    an empty group ("Undisclosed recipients:;") contributes a single
    placeholder {"name": null, "address": null, "group": NAME}.
  * On a per-field failure the field is null and the note
    "py-error: <field>: <exception>" is appended to that part's defects
    (message-level fields report into the root part's defects).
  * Strings never contain lone surrogates: bytes that Python kept as
    surrogate escapes are turned back into bytes and decoded as UTF-8 with
    U+FFFD replacement.
"""

import email
import email.policy
import email.utils
import hashlib
import json
import re
import sys

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_MSGID_RE = re.compile(r"<([^<>]*)>")
_WS_RE = re.compile(r"\s+")


def clean(s):
    """Return ``s`` without lone surrogates (JSON consumers reject them)."""
    if s is None or not isinstance(s, str):
        return s
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        pass
    try:
        return s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return s.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def clean_tree(obj):
    if isinstance(obj, str):
        return clean(obj)
    if isinstance(obj, list):
        return [clean_tree(x) for x in obj]
    if isinstance(obj, dict):
        return {clean(k): clean_tree(v) for k, v in obj.items()}
    return obj


def err_note(field, exc):
    return "py-error: %s: %s: %s" % (field, type(exc).__name__, exc)


class Fields:
    """Collects fields; a failing getter yields None plus a defect note."""

    def __init__(self, defects):
        self.defects = defects

    def get(self, field, fn):
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - oracle must never crash
            self.defects.append(err_note(field, exc))
            return None


# --------------------------------------------------------------------------
# message level
# --------------------------------------------------------------------------

def header_list(msg, f):
    out = []
    try:
        items = list(msg.raw_items())
    except Exception as exc:  # noqa: BLE001
        f.defects.append(err_note("headers", exc))
        return None
    for i, (name, raw) in enumerate(items):
        def value(name=name, raw=raw):
            return str(msg.policy.header_fetch_parse(name, raw))
        out.append({
            "name": name,
            "raw": raw if isinstance(raw, str) else str(raw),
            "value": f.get("headers[%d].value" % i, value),
        })
    return out


def addresses(msg, name):
    """ADDR list for the first header ``name`` ([] when absent)."""
    h = msg[name]
    if h is None:
        return []
    out = []
    for g in h.groups:
        gname = g.display_name  # None for a plain mailbox
        if gname is not None and not g.addresses:
            out.append({"name": None, "address": None, "group": gname})
            continue
        for a in g.addresses:
            empty = not a.username and not a.domain
            out.append({
                "name": a.display_name or None,
                "address": None if empty else (a.addr_spec or None),
                "group": gname,
            })
    return out


def subject(msg):
    h = msg["subject"]
    return None if h is None else str(h)


def date(msg):
    h = msg["date"]
    if h is None:
        return None
    dt = getattr(h, "datetime", None)
    if dt is None:
        return None
    s = dt.isoformat()
    if dt.tzinfo is None:  # "-0000": Python returns a naive datetime
        s += "+00:00"
    return s


def msg_ids(msg, name):
    h = msg[name]
    if h is None:
        return []
    ids = [_WS_RE.sub("", m) for m in _MSGID_RE.findall(str(h))]
    return [i for i in ids if i]


def message_id(msg):
    ids = msg_ids(msg, "message-id")
    return ids[0] if ids else None


def summarize_message(msg):
    root_defects = []
    f = Fields(root_defects)
    out = {"headers": header_list(msg, f)}
    for key, hname in (("from", "from"), ("sender", "sender"),
                       ("reply_to", "reply-to"), ("to", "to"), ("cc", "cc"),
                       ("bcc", "bcc")):
        out[key] = f.get(key, lambda h=hname: addresses(msg, h))
    out["subject"] = f.get("subject", lambda: subject(msg))
    out["date"] = f.get("date", lambda: date(msg))
    out["message_id"] = f.get("message_id", lambda: message_id(msg))
    out["in_reply_to"] = f.get("in_reply_to",
                               lambda: msg_ids(msg, "in-reply-to"))
    out["references"] = f.get("references", lambda: msg_ids(msg, "references"))
    root = summarize_part(msg)
    root["defects"].extend(root_defects)
    out["root"] = root
    return out


# --------------------------------------------------------------------------
# part level
# --------------------------------------------------------------------------

def params(part):
    out = {}
    for i, (k, v) in enumerate(part.get_params(failobj=[]) or []):
        if i == 0:
            continue  # the content type itself
        out[k.lower()] = email.utils.collapse_rfc2231_value(v)
    return out


def transfer_encoding(part):
    h = part.get("content-transfer-encoding")
    return None if h is None else str(h).strip().lower()


def decode_text(part, data, charset, defects):
    """Decoded bytes -> str with the part's charset (us-ascii by default,
    like get_content()), errors="replace"."""
    cs = charset or "us-ascii"
    try:
        return data.decode(cs, "replace")
    except LookupError as exc:
        try:
            return part.get_content()
        except Exception as exc2:  # noqa: BLE001
            defects.append("py-error: text: unknown charset %r (%s; %s: %s)"
                           % (cs, exc, type(exc2).__name__, exc2))
            return None


def summarize_part(part):
    defects = []
    f = Fields(defects)
    out = {}
    ctype = f.get("content_type", part.get_content_type)
    out["content_type"] = ctype
    out["params"] = f.get("params", lambda: params(part))
    out["disposition"] = f.get("disposition", part.get_content_disposition)
    out["filename"] = f.get("filename", part.get_filename)
    out["charset"] = f.get("charset", part.get_content_charset)
    out["transfer_encoding"] = f.get("transfer_encoding",
                                     lambda: transfer_encoding(part))
    out["size"] = 0
    out["sha256"] = EMPTY_SHA256
    out["text"] = None
    out["parts"] = []
    out["message"] = None

    is_multi = f.get("is_multipart", part.is_multipart)
    maintype = (ctype or "text/plain").split("/", 1)[0]
    if is_multi and ctype == "message/delivery-status":
        # Python splits the body into blocks of headers (one Message each);
        # the body bytes are not available, so report nothing but a note.
        n = f.get("message", lambda: len(part.get_payload()))
        defects.append("py-note: message/delivery-status parsed into %s "
                       "header blocks" % n)
    elif is_multi and maintype == "message":
        # message/rfc822, message/global -- and every other message/*
        # subtype, which Python also parses as one nested message.
        def nested():
            sub = part.get_payload(0)
            return summarize_message(sub)
        out["message"] = f.get("message", nested)
    elif is_multi:
        def children():
            return [summarize_part(p) for p in part.get_payload()]
        out["parts"] = f.get("parts", children)
        out["preamble"] = f.get("preamble", lambda: part.preamble)
        out["epilogue"] = f.get("epilogue", lambda: part.epilogue)
    else:
        data = f.get("payload", lambda: part.get_payload(decode=True))
        if data is None:
            data = b""
        elif isinstance(data, str):  # should not happen; be safe
            data = data.encode("utf-8", "surrogateescape")
        out["size"] = len(data)
        out["sha256"] = hashlib.sha256(data).hexdigest()
        if maintype == "text":
            out["text"] = f.get(
                "text",
                lambda: decode_text(part, data, out["charset"], defects))
    # Read parser defects last: get_payload(decode=True) may add some.
    parser_defects = [type(d).__name__ for d in part.defects]
    out["defects"] = parser_defects + defects
    return out


# --------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------

def summarize_file(path):
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return {"file": path, "ok": False,
                "error": "read: %s: %s" % (type(exc).__name__, exc)}
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
    except Exception as exc:  # noqa: BLE001
        return {"file": path, "ok": False,
                "error": "%s: %s" % (type(exc).__name__, exc)}
    try:
        summary = summarize_message(msg)
    except Exception as exc:  # noqa: BLE001 - last resort
        return {"file": path, "ok": False,
                "error": "summary: %s: %s" % (type(exc).__name__, exc)}
    return {"file": path, "ok": True, "message": summary}


def main(argv):
    args = argv[1:]
    if args and args[0] in ("-h", "--help"):
        sys.stdout.write(__doc__)
        return 0
    paths = []
    for a in args:
        if a == "--stdin-list":
            paths.extend(line.rstrip("\r\n") for line in sys.stdin
                         if line.rstrip("\r\n"))
        else:
            paths.append(a)
    if not paths:
        sys.stderr.write("usage: py_email_summary.py FILE... | --stdin-list\n")
        return 2
    out = sys.stdout.buffer
    for p in paths:
        rec = clean_tree(summarize_file(p))
        out.write(json.dumps(rec, ensure_ascii=False).encode("utf-8"))
        out.write(b"\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
