#!/usr/bin/env python3
"""Python's imaplib as the client of examples/imap_server (tests/imap_imaplib.rs).

Usage: imaplib_client.py JOB.json

JOB: {"port": N, "user": U, "pass": P, "cafile": PATH or null,
      "starttls": bool, "scenario": NAME}

Runs the named scenario and prints one JSON object with what it saw.
Message bytes are passed as Latin-1 strings (one character per octet).
ENVELOPE and BODYSTRUCTURE are parsed here, by a small parser of IMAP's
parenthesised lists written for this test, independently of mailwire.
"""
import imaplib
import json
import ssl
import sys
import time


def latin1(b):
    return b.decode("latin-1")


# -- a parser of IMAP s-expressions: atoms, numbers, quoted strings,
#    literals (given as separate parts by imaplib), NIL, and lists.

class Reader:
    def __init__(self, parts):
        # imaplib gives a FETCH response as [(b'prefix {N}', b'literal'), b'rest', ...]
        self.chunks = []
        for p in parts:
            if isinstance(p, tuple):
                self.chunks.append(("text", p[0]))
                self.chunks.append(("literal", p[1]))
            else:
                self.chunks.append(("text", p))
        self.ci = 0
        self.pos = 0

    def _text(self):
        while self.ci < len(self.chunks):
            kind, data = self.chunks[self.ci]
            if kind == "text" and self.pos < len(data):
                return data
            if kind == "literal":
                return None
            self.ci += 1
            self.pos = 0
        return b""

    def peek(self):
        t = self._text()
        if t is None:
            return "literal"
        if t == b"":
            return None
        return chr(t[self.pos])

    def skip_spaces(self):
        while self.peek() == " ":
            self.pos += 1

    def value(self):
        self.skip_spaces()
        c = self.peek()
        if c == "literal":
            data = self.chunks[self.ci][1]
            self.ci += 1
            self.pos = 0
            return data
        t = self._text()
        if c == "(":
            self.pos += 1
            items = []
            while True:
                self.skip_spaces()
                if self.peek() == ")":
                    self.pos += 1
                    return items
                if self.peek() is None:
                    raise ValueError("unterminated list")
                items.append(self.value())
        if c == '"':
            self.pos += 1
            out = bytearray()
            while True:
                b = t[self.pos]
                self.pos += 1
                if b == 0x5C:
                    out.append(t[self.pos])
                    self.pos += 1
                elif b == 0x22:
                    return bytes(out)
                else:
                    out.append(b)
        if c == "{":
            # The header of a literal imaplib split off: skip to the data.
            end = t.index(b"}", self.pos)
            self.pos = end + 1
            self.ci += 1
            self.pos = 0
            return self.value()
        start = self.pos
        while self.pos < len(t) and t[self.pos] not in b" ()":
            if t[self.pos] == ord("["):
                self.pos = t.index(b"]", self.pos)
            self.pos += 1
        atom = t[start:self.pos]
        if atom.upper() == b"NIL":
            return None
        return atom


def parse_fetch(parts):
    """A FETCH response as imaplib returns it -> (seq, {NAME: value})."""
    r = Reader(parts)
    seq = r.value()
    items = r.value()
    out = {}
    for i in range(0, len(items) - 1, 2):
        out[items[i].decode("latin-1").upper()] = items[i + 1]
    return int(seq), out


def fetch_all(conn, command, *args):
    typ, data = getattr(conn, command)(*args) if command != "uid" else conn.uid(*args)
    if typ != "OK":
        raise RuntimeError(f"{command} {args}: {typ} {data}")
    # Group the parts: a new response starts at each tuple or bytes
    # beginning with a digit; closing ")" pieces belong to the previous.
    responses, current = [], []
    for p in data:
        if p is None:
            continue
        head = p[0] if isinstance(p, tuple) else p
        if current and head[:1].isdigit():
            responses.append(current)
            current = []
        current.append(p)
    if current:
        responses.append(current)
    return [parse_fetch(r) for r in responses]


def text(v):
    return None if v is None else latin1(v)


def envelope_summary(env):
    def addrs(lst):
        if lst is None:
            return []
        return [[text(a[0]), text(a[2]), text(a[3])] for a in lst]
    return {
        "date": text(env[0]), "subject": text(env[1]), "from": addrs(env[2]),
        "to": addrs(env[5]), "cc": addrs(env[6]), "in_reply_to": text(env[8]),
        "message_id": text(env[9]),
    }


def structure_summary(body):
    """(type/subtype, [children]) for multiparts; type/subtype for leaves."""
    if isinstance(body[0], list):
        children = []
        i = 0
        while i < len(body) and isinstance(body[i], list):
            children.append(structure_summary(body[i]))
            i += 1
        return {"type": "multipart/" + latin1(body[i]).lower(), "parts": children}
    return {"type": (latin1(body[0]) + "/" + latin1(body[1])).lower(),
            "size": int(body[6]) if body[6] is not None else None}


def connect(job):
    if job.get("implicit_tls"):
        ctx = ssl.create_default_context(cafile=job["cafile"])
        conn = imaplib.IMAP4_SSL("127.0.0.1", job["port"], ssl_context=ctx)
    else:
        conn = imaplib.IMAP4("127.0.0.1", job["port"])
        if job.get("starttls"):
            ctx = ssl.create_default_context(cafile=job["cafile"])
            ctx.check_hostname = False
            conn.starttls(ssl_context=ctx)
    conn.login(job["user"], job["pass"])
    return conn


def scenario_read(job):
    a = connect(job)
    out = {"capabilities": [c if isinstance(c, str) else latin1(c) for c in a.capabilities]}
    typ, lst = a.list()
    out["list"] = [latin1(x) for x in lst if x]
    typ, data = a.select("INBOX")
    out["exists"] = int(data[0])
    msgs = []
    for seq, items in fetch_all(a, "fetch", "1:*", "(UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE BODY.PEEK[])"):
        msgs.append({
            "seq": seq, "uid": int(items["UID"]), "size": int(items["RFC822.SIZE"]),
            "flags": [latin1(f) for f in items["FLAGS"]],
            "internaldate": text(items["INTERNALDATE"]),
            "envelope": envelope_summary(items["ENVELOPE"]),
            "structure": structure_summary(items["BODYSTRUCTURE"]),
            "body": latin1(items["BODY[]"]),
        })
    out["messages"] = msgs
    # Sections: a header field, a part, a partial range, BODY[TEXT].
    sec = {}
    for seq, items in fetch_all(a, "uid", "FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT] BODY.PEEK[1] BODY.PEEK[]<0.20>)"):
        sec[str(seq)] = {k: text(v) for k, v in items.items() if k.startswith("BODY")}
    out["sections"] = sec
    typ, data = a.uid("SEARCH", None, "SUBJECT", '"plain"')
    out["search_subject"] = [int(x) for x in data[0].split()]
    typ, data = a.search(None, "ALL")
    out["search_all"] = [int(x) for x in data[0].split()]
    typ, data = a.search(None, "LARGER", "1000")
    out["search_larger"] = [int(x) for x in data[0].split()]
    typ, data = a.status("INBOX", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)")
    out["status"] = latin1(data[0])
    a.logout()
    return out


def flags_of(conn, spec="1:*"):
    return {str(seq): sorted(latin1(f) for f in items["FLAGS"] if latin1(f) != "\\Recent")
            for seq, items in fetch_all(conn, "fetch", spec, "(FLAGS)")}


def scenario_write(job):
    a = connect(job)
    out = {}
    a.select("INBOX")
    typ, _ = a.store("1:2", "+FLAGS", "(\\Flagged $Work)")
    out["store_add"] = typ
    a.store("2", "-FLAGS", "(\\Flagged)")
    typ, data = a.uid("FETCH", "3", "(UID)")
    uid3 = int(fetch_all(a, "fetch", "3", "(UID)")[0][1]["UID"])
    a.uid("STORE", str(uid3), "FLAGS", "(\\Seen \\Answered)")
    b = connect(job)
    b.select("INBOX")
    out["flags_seen_by_b"] = flags_of(b)

    # APPEND, CREATE, MOVE, EXPUNGE.
    msg = b"From: py@example.org\r\nSubject: appended by imaplib\r\n\r\nappended {3}\r\nbody\r\n"
    typ, data = a.append("INBOX", "(\\Draft)", imaplib.Time2Internaldate(1700000000), msg)
    out["append"] = [typ, latin1(data[0])]
    typ, data = a.create("Archive")
    out["create"] = typ
    typ, data = a.select("INBOX")
    n = int(data[0])
    typ, data = a._simple_command("MOVE", str(n), "Archive")
    out["move"] = typ
    typ, data = b.select("Archive")
    out["archive_exists_b"] = int(data[0])
    got = fetch_all(b, "fetch", "1", "(FLAGS BODY.PEEK[])")[0][1]
    out["archive_body_b"] = latin1(got["BODY[]"])
    out["archive_flags_b"] = sorted(latin1(f) for f in got["FLAGS"] if latin1(f) != "\\Recent")
    a.select("Archive")
    a.store("1", "+FLAGS.SILENT", "(\\Deleted)")
    typ, data = a.expunge()
    out["expunge"] = [typ, [latin1(x) for x in data if x]]
    seen = []
    for _ in range(50):
        typ, data = b.noop()
        seen = [latin1(x) for x in b.untagged_responses.pop("EXPUNGE", [])]
        if seen:
            break
        time.sleep(0.1)
    out["expunge_seen_by_b"] = seen
    a.create("Copies")
    a.select("INBOX")
    typ, data = a.copy("1", "Copies")
    out["copy"] = typ
    typ, data = a.status("Copies", "(MESSAGES)")
    out["copies_status"] = latin1(data[0])
    typ, data = a.list()
    out["list_after"] = [latin1(x) for x in data if x]
    a.logout()
    b.logout()
    return out


def scenario_idle(job):
    a = connect(job)
    b = connect(job)
    typ, data = a.select("INBOX")
    before = int(data[0])
    tag = a._new_tag()
    a.send(tag + b" IDLE\r\n")
    cont = a.readline()
    b.append("INBOX", None, None, b"Subject: while idling\r\n\r\nhi\r\n")
    a.sock.settimeout(10)
    update = a.readline()
    a.send(b"DONE\r\n")
    done = a.readline()
    while not done.startswith(tag):
        done = a.readline()
    a.sock.settimeout(None)
    out = {"before": before, "continuation": latin1(cont), "update": latin1(update), "done": latin1(done)}
    a.logout()
    b.logout()
    return out


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    result = {"read": scenario_read, "write": scenario_write, "idle": scenario_idle}[job["scenario"]](job)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
