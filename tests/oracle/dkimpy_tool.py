#!/usr/bin/env python3
"""dkimpy (PyPI ``dkimpy``, import name ``dkim``) as a DKIM oracle, in batches.

Usage:
    python3 dkimpy_tool.py [BATCH.json] > ANSWERS.json

(the batch from the file, or else from standard input)

BATCH = {"keys": {NAME: {"alg": "rsa-sha256" | "ed25519-sha256",
                         "pem": PEM text}, ...},
         "zone": {DNS NAME: TXT record (strings joined), ...},
         "jobs": [JOB, ...]}

Messages travel as hex (``"msg"``), so that every octet (8-bit text,
CR and LF) arrives as it is. A JOB is one of

    {"op": "sign", "msg": HEX, "key": NAME, "domain": D, "selector": S,
     "canon": ["relaxed", "simple"], "headers": [NAME, ...] | null,
     "length": bool, "linesep": "\\r\\n" | "\\n"}
        -> {"ok": true, "sig": HEX of the DKIM-Signature field (with its
            line end)} or {"ok": false, "error": TEXT}

    {"op": "verify", "msg": HEX, "idx": 0}
        -> {"ok": bool, "error": TEXT or null, "body_len": N or null}
        where ``body_len`` is the length of the body as dkimpy
        canonicalises it for that signature's c= (before l= is applied),
        and ``error`` is what dkimpy logged or raised when it said no.

The answers are one JSON array, in job order. ``dkim.sign`` is called with
``signature_algorithm``, ``canonicalize``, ``include_headers``, ``length``
and ``linesep``; ``DKIM.verify`` with a ``dnsfunc`` that serves ``zone``
(names are looked up in lower case without the final dot; a missing name
answers nothing, as NXDOMAIN would). An Ed25519 key arrives as the PKCS#8
PEM that ``openssl genpkey -algorithm ed25519`` writes; dkimpy wants the
base64 of its 32-byte seed, which is the last 32 octets of that DER.
"""

import base64
import json
import logging
import re
import sys

import dkim
from dkim.canonicalization import CanonicalizationPolicy
from dkim.util import parse_tag_value


class Collect(logging.Handler):
    """Keeps what dkimpy logs, to say why it answered no."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        if record.levelno >= logging.INFO:
            self.lines.append(record.getMessage())


def private_key(spec):
    pem = spec["pem"].encode("ascii")
    if spec["alg"] == "ed25519-sha256":
        body = re.search(rb"-----BEGIN PRIVATE KEY-----(.*?)-----END", pem, re.DOTALL)
        der = base64.b64decode(b"".join(body.group(1).split()))
        return base64.b64encode(der[-32:])
    return pem


def main():
    if len(sys.argv) > 1:
        with open(sys.argv[1], "rb") as f:
            batch = json.load(f)
    else:
        batch = json.load(sys.stdin)
    keys = {name: (spec["alg"].encode(), private_key(spec)) for name, spec in batch["keys"].items()}
    zone = {name.lower().rstrip("."): rec.encode("latin-1") for name, rec in batch.get("zone", {}).items()}

    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode("ascii", "replace")
        return zone.get(name.lower().rstrip("."))

    handler = Collect()
    logger = logging.getLogger("dkimpy_tool")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)

    out = []
    for job in batch["jobs"]:
        msg = bytes.fromhex(job["msg"])
        handler.lines = []
        if job["op"] == "sign":
            alg, key = keys[job["key"]]
            headers = job.get("headers")
            try:
                sig = dkim.sign(
                    msg,
                    job["selector"].encode(),
                    job["domain"].encode(),
                    key,
                    canonicalize=tuple(c.encode() for c in job.get("canon", ["relaxed", "simple"])),
                    signature_algorithm=alg,
                    include_headers=None if headers is None else [h.encode() for h in headers],
                    length=bool(job.get("length")),
                    linesep=job.get("linesep", "\r\n").encode(),
                    logger=logger,
                )
                out.append({"ok": True, "sig": sig.hex()})
            except Exception as e:  # dkimpy raises several kinds; report them all
                out.append({"ok": False, "error": "%s: %s" % (type(e).__name__, e)})
        elif job["op"] == "verify":
            ok, error, body_len, d = False, None, None, None
            try:
                # Parsing the message may raise too (MessageFormatError).
                d = dkim.DKIM(msg, logger=logger)
                ok = bool(d.verify(idx=job.get("idx", 0), dnsfunc=dnsfunc))
            except Exception as e:
                error = "%s: %s" % (type(e).__name__, e)
            try:
                sigs = [v for k, v in d.headers if k.lower() == b"dkim-signature"]
                tags = parse_tag_value(sigs[job.get("idx", 0)])
                policy = CanonicalizationPolicy.from_c_value(tags.get(b"c", b"simple/simple"))
                body_len = len(policy.canonicalize_body(d.body))
            except Exception:
                pass
            if not ok and error is None:
                error = "; ".join(handler.lines) or "verify returned False"
            out.append({"ok": ok, "error": None if ok else error, "body_len": body_len})
        else:
            out.append({"ok": False, "error": "unknown op %r" % job["op"]})
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
