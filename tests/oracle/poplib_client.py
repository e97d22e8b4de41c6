#!/usr/bin/env python3
"""Drive a POP3 server with Python's ``poplib`` (the interop oracle).

Usage:
    python3 poplib_client.py JOB.json

JOB = {"port": N, "host": "127.0.0.1", "cafile": PATH|null,
       "implicit_tls": false, "steps": [[CONN, OP, ARG...], ...]}

Each step runs OP on the connection named CONN (any string; a connection
is opened with ``poplib.POP3(host, port)``, or ``poplib.POP3_SSL`` trusting
cafile with implicit_tls, the first time its name is used, and again after
``quit`` or ``close``). OPs:

    welcome                     the greeting
    capa                        poplib.capa()
    stls                        poplib.stls(context trusting cafile)
    user NAME / pass PASSWORD   poplib.user / poplib.pass_
    apop NAME SECRET            poplib.apop
    auth MECH NAME PASSWORD     AUTH with PLAIN, LOGIN, CRAM-MD5 or
                                SCRAM-SHA-256 (done here by hand: poplib
                                has no SASL)
    login_retry NAME PASSWORD   USER/PASS, retried for up to 5 s while the
                                answer is -ERR [IN-USE]
    stat / list / uidl / noop / rset
    top MSG LINES / retr MSG / dele MSG
    quit                        poplib.quit()
    close                       close the socket without QUIT
    sleep SECONDS
    write PATH DATA             write a file (DATA: Latin-1 text, one
                                character per octet); no connection

One JSON object is printed: {"results": [RESULT, ...]}, one RESULT per
step:

    {"conn", "op", "ok": true, "resp": str, "lines": [str], "octets": int,
     "stat": [count, size], "capa": {name: [arg]}}     (keys as they apply)
    {"conn", "op", "ok": false, "error": str}          (-ERR or any failure)

Bytes are decoded as Latin-1, so that every octet maps to one character
(U+0000..U+00FF) and the Rust side gets the exact bytes back.
"""

import base64
import hashlib
import hmac
import json
import os
import poplib
import socket
import ssl
import sys
import time


def text(b):
    return b.decode("latin-1") if isinstance(b, (bytes, bytearray)) else str(b)


def error_text(e):
    if isinstance(e, poplib.error_proto) and e.args:
        return text(e.args[0])
    return f"{type(e).__name__}: {e}"


def sasl(conn, mech, user, password):
    """AUTH MECH, with the client side of the mechanism done here."""
    b64 = lambda b: base64.b64encode(b).decode("ascii")
    unb64 = lambda resp: base64.b64decode(resp[2:])
    mech = mech.upper()
    if mech == "PLAIN":
        return conn._shortcmd("AUTH PLAIN " + b64(b"\0" + user.encode() + b"\0" + password.encode()))
    if mech == "LOGIN":
        conn._shortcmd("AUTH LOGIN")
        conn._shortcmd(b64(user.encode()))
        return conn._shortcmd(b64(password.encode()))
    if mech == "CRAM-MD5":
        challenge = unb64(conn._shortcmd("AUTH CRAM-MD5"))
        digest = hmac.new(password.encode(), challenge, hashlib.md5).hexdigest()
        return conn._shortcmd(b64(user.encode() + b" " + digest.encode()))
    if mech == "SCRAM-SHA-256":
        cnonce = base64.b64encode(os.urandom(18)).decode("ascii")
        first_bare = f"n={user},r={cnonce}"
        server_first = unb64(conn._shortcmd("AUTH SCRAM-SHA-256 " + b64(("n,," + first_bare).encode()))).decode()
        fields = dict(kv.split("=", 1) for kv in server_first.split(","))
        if not fields["r"].startswith(cnonce):
            raise poplib.error_proto("server nonce does not extend the client's")
        salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(fields["s"]), int(fields["i"]))
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored_key = hashlib.sha256(client_key).digest()
        final_bare = f"c=biws,r={fields['r']}"
        auth_message = f"{first_bare},{server_first},{final_bare}".encode()
        signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        server_final = unb64(conn._shortcmd(b64(f"{final_bare},p={b64(proof)}".encode()))).decode()
        server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        expected = b64(hmac.new(server_key, auth_message, hashlib.sha256).digest())
        if server_final != "v=" + expected:
            raise poplib.error_proto(f"bad server signature: {server_final}")
        return conn._shortcmd("")
    raise ValueError(f"unknown mechanism {mech}")


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        job = json.load(f)
    host = job.get("host", "127.0.0.1")
    port = int(job["port"])
    cafile = job.get("cafile")
    conns = {}
    results = []

    def context():
        return ssl.create_default_context(cafile=cafile)

    def conn_for(name):
        if name not in conns:
            if job.get("implicit_tls"):
                conns[name] = poplib.POP3_SSL(host, port, context=context(), timeout=20)
            else:
                conns[name] = poplib.POP3(host, port, timeout=20)
        return conns[name]

    for step in job["steps"]:
        name, op, args = step[0], step[1], step[2:]
        r = {"conn": name, "op": op}
        try:
            if op in ("sleep", "write"):
                if op == "sleep":
                    time.sleep(float(args[0]))
                else:
                    with open(args[0], "wb") as f:
                        f.write(args[1].encode("latin-1"))
                r["ok"] = True
                results.append(r)
                continue
            c = conn_for(name)
            if op == "welcome":
                resp = c.getwelcome()
            elif op == "capa":
                caps = c.capa()
                r["capa"] = caps
                resp = b"+OK"
            elif op == "stls":
                resp = c.stls(context())
            elif op == "user":
                resp = c.user(args[0])
            elif op == "pass":
                resp = c.pass_(args[0])
            elif op == "apop":
                resp = c.apop(args[0], args[1])
            elif op == "auth":
                resp = sasl(c, args[0], args[1], args[2])
            elif op == "login_retry":
                deadline = time.monotonic() + 5
                while True:
                    try:
                        c.user(args[0])
                        resp = c.pass_(args[1])
                        break
                    except poplib.error_proto as e:
                        if b"[IN-USE]" not in e.args[0] or time.monotonic() > deadline:
                            raise
                        time.sleep(0.05)
            elif op == "stat":
                count, size = c.stat()
                r["stat"] = [count, size]
                resp = b"+OK"
            elif op in ("list", "uidl"):
                resp, lines, octets = getattr(c, op)()
                r["lines"] = [text(l) for l in lines]
                r["octets"] = octets
            elif op == "top":
                resp, lines, octets = c.top(int(args[0]), int(args[1]))
                r["lines"] = [text(l) for l in lines]
                r["octets"] = octets
            elif op == "retr":
                resp, lines, octets = c.retr(int(args[0]))
                r["lines"] = [text(l) for l in lines]
                r["octets"] = octets
            elif op == "dele":
                resp = c.dele(int(args[0]))
            elif op == "rset":
                resp = c.rset()
            elif op == "noop":
                resp = c.noop()
            elif op == "quit":
                del conns[name]
                resp = c.quit()
            elif op == "close":
                del conns[name]
                try:
                    c.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                c.sock.close()
                c.file.close()
                resp = b"closed"
            else:
                raise ValueError(f"unknown op {op}")
            r["ok"] = True
            r["resp"] = text(resp)
        except Exception as e:  # noqa: BLE001 -- every failure is a result
            r["ok"] = False
            r["error"] = error_text(e)
        results.append(r)
    json.dump({"results": results}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
