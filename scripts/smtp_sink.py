#!/usr/bin/env python3
"""A loopback SMTP sink for mailwire's interop tests, built on aiosmtpd (PyPI).

usage: scripts/smtp_sink.py --out DIR [--host 127.0.0.1] [--port 0]
                            [--cert cert.pem --key key.pem] [--user NAME:PASS]
                            [--auth-required] [--no-pipelining]

Prints `smtp_sink listening on HOST:PORT` (the real port when --port is 0)
once connections are accepted, then runs until SIGTERM or SIGINT.

- STARTTLS is offered when --cert and --key are given; AUTH PLAIN and LOGIN
  for the one user of --user, and then only after STARTTLS.
- SMTPUTF8 and 8BITMIME are offered; PIPELINING too (aiosmtpd processes
  pipelined commands in order but never announces the extension, so the
  EHLO hook below adds it). There is no CHUNKING: aiosmtpd has no BDAT.
- Each message is saved as DIR/NNNN.eml: exactly the bytes of the DATA
  payload after the server removed the dot-stuffing (aiosmtpd's
  `original_content`: lines split on CRLF only, nothing rewritten, no
  header added, the final ".\\r\\n" not included). Its envelope goes to
  DIR/NNNN.json first; the .eml appears by a rename, so a file that exists
  is complete.

Clients beware: Python's smtplib dot-stuffs a bytes message after every
LF, while servers unstuff only after CRLF, so send CRLF-only messages when
comparing bytes.
"""
import argparse
import itertools
import json
import logging
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    """The aiosmtpd handler: announce PIPELINING, save every message."""

    def __init__(self, out, pipelining):
        self.out = out
        self.pipelining = pipelining
        self.numbers = itertools.count(1)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname  # aiosmtpd leaves this to a handler that hooks EHLO
        if self.pipelining:
            # the last line is the one without a hyphen; keep it last
            responses = responses[:-1] + ["250-PIPELINING"] + responses[-1:]
        return responses

    async def handle_DATA(self, server, session, envelope):
        n = next(self.numbers)
        stem = os.path.join(self.out, "%04d" % n)
        user = session.auth_data if session.authenticated else None
        if isinstance(user, bytes):
            user = user.decode("utf-8", "replace")
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "mail_options": envelope.mail_options,
            "smtp_utf8": envelope.smtp_utf8,
            "tls": session.ssl is not None,
            "auth_user": user,
            "size": len(envelope.original_content),
        }
        with open(stem + ".json", "w", encoding="utf-8") as f:
            json.dump(meta, f, ensure_ascii=False)
        with open(stem + ".part", "wb") as f:
            f.write(envelope.original_content)
        os.replace(stem + ".part", stem + ".eml")
        return "250 2.0.0 Ok: saved as %04d" % n


class PortZeroController(Controller):
    """A Controller that may listen on port 0 and learns the port it got."""

    def _trigger_server(self):
        if self.port == 0 and self.server is not None:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def authenticator_for(name, password):
    def check(server, session, envelope, mechanism, auth_data):
        good = (
            mechanism in ("PLAIN", "LOGIN")
            and isinstance(auth_data, LoginPassword)
            and auth_data.login == name.encode()
            and auth_data.password == password.encode()
        )
        # handled=False: aiosmtpd sends 235 or 535 itself
        return AuthResult(success=good, handled=False, auth_data=name if good else None)

    return check


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="directory for NNNN.eml and NNNN.json")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0: let the system choose")
    ap.add_argument("--cert", help="PEM certificate chain; enables STARTTLS")
    ap.add_argument("--key", help="PEM private key for --cert")
    ap.add_argument("--user", default="user:pass", help="NAME:PASS that AUTH accepts")
    ap.add_argument("--auth-required", action="store_true", help="refuse MAIL before AUTH")
    ap.add_argument("--no-pipelining", action="store_true", help="do not announce PIPELINING")
    a = ap.parse_args()
    if bool(a.cert) != bool(a.key):
        ap.error("--cert and --key go together")

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    os.makedirs(a.out, exist_ok=True)
    tls = None
    if a.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(a.cert, a.key)
    name, _, password = a.user.partition(":")

    controller = PortZeroController(
        Sink(a.out, pipelining=not a.no_pipelining),
        hostname=a.host,
        port=a.port,
        server_hostname="localhost",
        tls_context=tls,
        authenticator=authenticator_for(name, password),
        auth_required=a.auth_required,
        auth_require_tls=tls is not None,
        enable_SMTPUTF8=True,
        decode_data=False,  # keep bytes; this also makes aiosmtpd announce 8BITMIME
    )
    controller.start()  # returns once a connection succeeded
    print("smtp_sink listening on %s:%d" % (a.host, controller.port), flush=True)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
