#!/usr/bin/env python3
"""What Python's ``email`` package (policy=default) reads from built messages.

Usage:
    python3 py_build_check.py --stdin-list < LIST_OF_PATHS

Used by ``mime/tests/build_roundtrip.rs``: the Rust test builds messages
with ``mailwire_mime::build``, writes them to files, runs this script once
over all of them and compares what Python read with what the builder was
given.

For every input file, in input order, one line of JSON is written:

    {"file": PATH, "ok": true,  "message": MESSAGE}
    {"file": PATH, "ok": false, "error": "..."}

    MESSAGE = {"subject": str|null,              str(msg["subject"])
               "from": [ADDR], "to": [ADDR], "cc": [ADDR],
               "xheaders": [[name, str(header)]], every field named X-*
               "root": PART}
    ADDR    = [display_name or null, addr_spec]
    PART    = {"content_type": get_content_type(),
               "charset": get_content_charset(),
               "disposition": get_content_disposition(),
               "filename": get_filename(),
               "content_id": str(part["content-id"]) or null,
               "description": str(part["content-description"]) or null,
               "xheaders": [[name, str(header)]],
               "defects": [class names of part.defects],
               exactly one of:
               "text": get_content() (text/*),
               "hex": get_content().hex() (other leaves),
               "parts": [PART] (multipart/*),
               "message": MESSAGE (message/rfc822)}

Nothing is normalised here (the Rust side normalises line breaks); a
failing accessor is reported as a defect "py-error: FIELD: ..." and its
value is null.
"""

import email
import email.policy
import json
import sys


def get(defects, field, fn):
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - the oracle must not crash
        defects.append("py-error: %s: %s: %s" % (field, type(exc).__name__, exc))
        return None


def header_str(msg, name):
    h = msg[name]
    return None if h is None else str(h)


def xheaders(msg):
    return [[k, str(v)] for k, v in msg.items() if k.lower().startswith("x-")]


def addresses(msg, name):
    h = msg[name]
    if h is None:
        return []
    return [[a.display_name or None, a.addr_spec] for a in h.addresses]


def message(msg, defects):
    out = {}
    out["subject"] = get(defects, "subject", lambda: header_str(msg, "subject"))
    for key in ("from", "to", "cc"):
        out[key] = get(defects, key, lambda key=key: addresses(msg, key))
    out["xheaders"] = get(defects, "xheaders", lambda: xheaders(msg))
    return out


def part(p):
    defects = []
    out = {
        "content_type": get(defects, "content_type", p.get_content_type),
        "charset": get(defects, "charset", p.get_content_charset),
        "disposition": get(defects, "disposition", p.get_content_disposition),
        "filename": get(defects, "filename", p.get_filename),
        "content_id": get(defects, "content_id", lambda: header_str(p, "content-id")),
        "description": get(defects, "description",
                           lambda: header_str(p, "content-description")),
        "xheaders": get(defects, "xheaders", lambda: xheaders(p)),
    }
    ctype = out["content_type"] or ""
    if p.is_multipart() and ctype.startswith("message/"):
        def nested():
            sub = p.get_payload(0)
            m = message(sub, defects)
            m["root"] = part(sub)
            return m
        out["message"] = get(defects, "message", nested)
    elif p.is_multipart():
        out["parts"] = get(defects, "parts", lambda: [part(c) for c in p.get_payload()])
    elif ctype.startswith("text/"):
        out["text"] = get(defects, "text", p.get_content)
    else:
        out["hex"] = get(defects, "hex", lambda: p.get_content().hex())
    out["defects"] = [type(d).__name__ for d in p.defects] + defects
    return out


def summarize(path):
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        msg = email.message_from_bytes(data, policy=email.policy.default)
        defects = []
        m = message(msg, defects)
        m["root"] = part(msg)
        m["root"]["defects"].extend(defects)
        return {"file": path, "ok": True, "message": m}
    except Exception as exc:  # noqa: BLE001
        return {"file": path, "ok": False, "error": "%s: %s" % (type(exc).__name__, exc)}


def clean(obj):
    """Lone surrogates (bytes Python could not decode) as U+FFFD, so that
    the JSON is valid UTF-8 text."""
    if isinstance(obj, str):
        return obj.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(obj, list):
        return [clean(x) for x in obj]
    if isinstance(obj, dict):
        return {clean(k): clean(v) for k, v in obj.items()}
    return obj


def main(argv):
    if argv[1:] != ["--stdin-list"]:
        sys.stderr.write("usage: py_build_check.py --stdin-list < paths\n")
        return 2
    out = sys.stdout.buffer
    for line in sys.stdin:
        path = line.rstrip("\r\n")
        if not path:
            continue
        text = json.dumps(clean(summarize(path)), ensure_ascii=True)
        out.write(text.encode("ascii"))
        out.write(b"\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
