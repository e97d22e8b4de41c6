#!/usr/bin/env python3
"""Ask an IMAP server (Dovecot) for RFC 5256 THREAD answers with ``imaplib``.

Usage:
    python3 imap_thread.py HOST PORT JOBS.json

JOBS = [{"user": NAME, "pass": PASSWORD}, ...]. For each job: LOGIN on the
plain IMAP port (a loopback connection counts as secured), SELECT INBOX
read-only, then

    FETCH 1:* (UID INTERNALDATE)
    FETCH 1:* (BODY.PEEK[HEADER.FIELDS (X-MAILWIRE-TAG)])
    THREAD REFERENCES UTF-8 ALL
    THREAD ORDEREDSUBJECT UTF-8 ALL

and LOGOUT. Prints one JSON object per job, one per line, in job order:

    {"user": NAME, "exists": N,
     "uids": [UID of seq 1, ...], "internal": [INTERNALDATE as Unix secs, ...],
     "tags": [X-Mailwire-Tag value, ...],
     "references": "* THREAD ...", "orderedsubject": "* THREAD ..."}

The two THREAD values are the raw untagged response lines as the server
sent them (without CRLF), captured below imaplib's parsing.
"""

import imaplib
import json
import re
import sys

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def days_from_civil(y, m, d):
    # Howard Hinnant's algorithm: days since 1970-01-01.
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def internaldate_secs(text):
    """`02-Jan-2006 15:04:05 +0100` -> Unix seconds."""
    m = re.fullmatch(r"\s*(\d+)-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)", text)
    if not m:
        raise ValueError("bad INTERNALDATE %r" % text)
    day, mon, year, hh, mm, ss, sign, zh, zm = m.groups()
    days = days_from_civil(int(year), MONTHS.index(mon.lower()) + 1, int(day))
    local = days * 86400 + int(hh) * 3600 + int(mm) * 60 + int(ss)
    offset = (int(zh) * 60 + int(zm)) * 60
    return local - offset if sign == "+" else local + offset


def check(typ, data, what):
    if typ != "OK":
        raise RuntimeError("%s: %s %r" % (what, typ, data))


def run(host, port, job):
    conn = imaplib.IMAP4(host, port, timeout=20)
    raw_thread = []
    get_line = conn._get_line

    def recording_get_line():
        line = get_line()
        if line.startswith(b"* THREAD"):
            raw_thread.append(line.decode("ascii"))
        return line

    conn._get_line = recording_get_line
    check(*conn.login(job["user"], job["pass"]), "LOGIN")
    typ, data = conn.select("INBOX", readonly=True)
    check(typ, data, "SELECT")
    exists = int(data[0])
    out = {"user": job["user"], "exists": exists, "uids": [], "internal": [], "tags": []}
    if exists:
        typ, data = conn.fetch("1:*", "(UID INTERNALDATE)")
        check(typ, data, "FETCH UID INTERNALDATE")
        for item in data:
            item = item.decode("ascii") if isinstance(item, bytes) else item[0].decode("ascii")
            seq = int(item.split(" ", 1)[0])
            uid = int(re.search(r"\bUID (\d+)", item).group(1))
            date = re.search(r'INTERNALDATE "([^"]+)"', item).group(1)
            assert seq == len(out["uids"]) + 1, "FETCH answers out of order: %r" % item
            out["uids"].append(uid)
            out["internal"].append(internaldate_secs(date))
        typ, data = conn.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (X-MAILWIRE-TAG)])")
        check(typ, data, "FETCH X-Mailwire-Tag")
        for item in data:
            if not isinstance(item, tuple):
                continue  # the closing ")" of each answer
            seq = int(item[0].decode("ascii").split(" ", 1)[0])
            assert seq == len(out["tags"]) + 1, "FETCH answers out of order: %r" % (item,)
            m = re.search(rb"X-Mailwire-Tag:\s*(\S+)", item[1], re.I)
            out["tags"].append(m.group(1).decode("ascii") if m else None)
    for algorithm in ["REFERENCES", "ORDEREDSUBJECT"]:
        before = len(raw_thread)
        check(*conn.thread(algorithm, "UTF-8", "ALL"), "THREAD " + algorithm)
        if len(raw_thread) != before + 1:
            raise RuntimeError("THREAD %s: %d untagged THREAD lines" % (algorithm, len(raw_thread) - before))
        out[algorithm.lower()] = raw_thread[-1]
    conn.logout()
    return out


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    with open(sys.argv[3], encoding="utf-8") as f:
        jobs = json.load(f)
    for job in jobs:
        print(json.dumps(run(host, port, job)), flush=True)


if __name__ == "__main__":
    main()
