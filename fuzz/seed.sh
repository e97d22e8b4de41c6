#!/usr/bin/env bash
# Seeds the fuzz corpora from the shared MIME test corpus, and the SMTP
# corpora from the samples written out below.
#
#   fuzz/seed.sh [SOURCE_DIR]     (default: /work/shared/corpus/mime)
#
# parse_message: every *.eml and msg_*.txt message, plus the mbox samples.
# header_fields: the "header" strings of mail-parser's field test tables.
# smtp_command:  one command line per file (RFC 5321/3461/4954/... forms).
# smtp_reply:    a split byte, then server replies (greetings, EHLO
#                capability lists, multi-line and enhanced-code replies).
# smtp_server:   an option byte and a split byte, then a whole client side
#                of a conversation (see fuzz_targets/smtp_server.rs).
# Files are named by the SHA-1 of their content, as libFuzzer names its own
# corpus entries, so re-running the script adds nothing twice. The corpus
# directories are git-ignored.
set -euo pipefail

src="${1:-/work/shared/corpus/mime}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
msg_dir="$here/corpus/parse_message"
hdr_dir="$here/corpus/header_fields"
mkdir -p "$msg_dir" "$hdr_dir"

# SMTP seeds need no source directory.
python3 - "$here/corpus" <<'PY'
import hashlib, os, sys

corpus = sys.argv[1]

def put(target, data):
    dir_ = os.path.join(corpus, target)
    os.makedirs(dir_, exist_ok=True)
    path = os.path.join(dir_, hashlib.sha1(data).hexdigest())
    if os.path.exists(path):
        return 0
    with open(path, "wb") as f:
        f.write(data)
    return 1

# smtp_command: one line each, written both without and with its CRLF.
commands = [
    b"EHLO client.example.org",
    b"EHLO [192.0.2.1]",
    b"EHLO [IPv6:2001:db8::1]",
    b"ehlo mail.example.com greeting text is ignored",
    b"HELO relay.example.com",
    b"LHLO lmtp.example.net",
    b"MAIL FROM:<>",
    b"MAIL FROM:<alice@example.org>",
    b"mail from: <alice@example.org> SIZE=1234 BODY=8bitmime",
    b"MAIL FROM:<bounce+SRS0=ab12=cd@lists.example.com> BODY=BINARYMIME SMTPUTF8",
    b"MAIL FROM:<@a.example,@b.example:user@c.example>",
    b"MAIL FROM:<\"john smith\"@example.com> RET=HDRS ENVID=QQ314159",
    b"MAIL FROM:<a@example.com> RET=FULL ENVID=e+3Dmc2+2Bx AUTH=<>",
    b"MAIL FROM:<a@example.com> AUTH=e+3Dmc2@example.com",
    b"MAIL FROM:<a@example.com> REQUIRETLS MT-PRIORITY=-3",
    b"MAIL FROM:<a@example.com> HOLDFOR=604800",
    b"MAIL FROM:<a@example.com> HOLDUNTIL=2026-12-01T16:30:38Z",
    b"MAIL FROM:<a@example.com> HOLDUNTIL=1996-12-19T16:39:57-08:00",
    b"MAIL FROM:<a@example.com> BY=120;R",
    b"MAIL FROM:<a@example.com> BY=-60;NT",
    b"MAIL FROM:<a@example.com> XVERP X-FOO=bar",
    b"MAIL FROM:<\xc3\xa9l\xc3\xa8ve@\xc3\xa9cole.example> SMTPUTF8",
    b"MAIL FROM:<a@[192.0.2.7]> SIZE=18446744073709551615",
    b"MAIL FROM:<a@[x-tag:content]>",
    b"MAIL FROM:<a@example.com> SIZE=18446744073709551616",
    b"MAIL FROM:<a@example.com> MT-PRIORITY=12",
    b"MAIL FROM:<a@example.com> HOLDFOR=1 HOLDUNTIL=2026-01-01T00:00:00Z",
    b"MAIL FROM:<a@example.com> SIZE=1 SIZE=2",
    b"MAIL FROM:<a@example.com> ENVID=a+ZZ",
    b"MAIL FROM:a@example.com",
    b"MAIL FROM:<a@exa mple.com>",
    b"RCPT TO:<bob@example.org>",
    b"RCPT TO:<Postmaster>",
    b"rcpt to:<postmaster@example.org>",
    b"RCPT TO:<bob@example.org> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;bob@example.org",
    b"RCPT TO:<bob@example.org> NOTIFY=NEVER",
    b"RCPT TO:<bob@example.org> ORCPT=rfc822;e+3Dmc2+40example.org",
    b"RCPT TO:<bob@example.org> ORCPT=utf-8;b\\x{00E9}b@example.org",
    b"RCPT TO:<bob@example.org> NOTIFY=NEVER,SUCCESS",
    b"RCPT TO:<>",
    b"RCPT TO:<bob@example.org",
    b"DATA",
    b"BDAT 1000",
    b"BDAT 0 LAST",
    b"BDAT 86 last",
    b"RSET",
    b"VRFY Smith",
    b"VRFY <j\xc3\xb6rg@example.de> SMTPUTF8",
    b"EXPN Example-People",
    b"HELP",
    b"HELP MAIL",
    b"NOOP",
    b"NOOP anything goes here",
    b"QUIT",
    b"STARTTLS",
    b"AUTH PLAIN",
    b"AUTH PLAIN AGFsaWNlAHNlY3JldA==",
    b"AUTH PLAIN =",
    b"AUTH LOGIN",
    b"AUTH CRAM-MD5",
    b"AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=",
    b"AUTH XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==",
    b"XCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2",
    b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>",
    b"MAIL FROM:<a@example.com>\x00",
    b"",
    b"   ",
]
n_cmd = 0
for c in commands:
    n_cmd += put("smtp_command", c)
    n_cmd += put("smtp_command", c + b"\r\n")

# smtp_reply: the first byte chooses the split point (0..127: that offset;
# 128..255: a fraction of the length), then the server's bytes.
replies = [
    b"220 mx.example.com ESMTP Postfix\r\n",
    b"220-mx.example.com ESMTP\r\n220 no UCE\r\n",
    (b"250-mx.example.com at your service, [192.0.2.1]\r\n250-SIZE 35882577\r\n"
     b"250-8BITMIME\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n"
     b"250-CHUNKING\r\n250 SMTPUTF8\r\n"),
    (b"250-smtp.example.net Hello client [198.51.100.4]\r\n250-SIZE\r\n250-AUTH=LOGIN\r\n"
     b"250-AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER\r\n250-DSN\r\n250-BINARYMIME\r\n"
     b"250-REQUIRETLS\r\n250-MT-PRIORITY MIXER\r\n250-FUTURERELEASE 604800 2012-10-11T12:00:00Z\r\n"
     b"250-DELIVERBY 240\r\n250-ETRN\r\n250-VRFY\r\n250-XCLIENT NAME ADDR PROTO HELO\r\n250 HELP\r\n"),
    b"250-lmtp.example\n250-PIPELINING\n250-ENHANCEDSTATUSCODES\n250 8BITMIME\n",
    b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as 4Xyz\r\n",
    (b"550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n"
     b"550-5.1.1 double-checking the recipient's email address for typos or\r\n"
     b"550-5.1.1 unnecessary spaces. For more information, go to\r\n"
     b"550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp\r\n"),
    b"421 4.7.0 mx.example.com Error: too many errors\r\n",
    b"334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0 Authentication successful\r\n",
    b"334 \r\n535 5.7.8 Authentication credentials invalid\r\n",
    b"452 4.5.3 Too many recipients\r\n503 5.5.1 Error: need RCPT command\r\n",
    b"250 2.0.0\r\n250\r\n220 2.0.0 Ready to start TLS\r\n",
    b"554 5.7.1 <unknown[192.0.2.9]>: Client host rejected: Access denied\r\n",
    b"250-a\r\n251 b\r\n250 c\r\n220 ok\r\n",
    b"2500 x\r\n199 too low\r\n25\r\n250 fine\r\n",
    b"250 a\x00b\r\n250-x\r\n250 \xff\xfe not utf-8\r\n",
    b"250-2.0.0 first\r\n250-2.0.0 second\r\n250-5.1.1 other code\r\n250 last\r\n",
    b"550 5.7.606-649 Access denied, banned sending IP [192.0.2.1]\r\n",
    b"451 4.3.0 Temporary lookup failure\r\n450 4.2.0 <a@b>: Recipient address rejected: Greylisted\r\n",
]
n_rep = 0
for r in replies:
    for split in (0x00, 0x05, 0x0c, 0xc0):
        n_rep += put("smtp_reply", bytes([split]) + r)

# smtp_server: option byte (bits: 0x01 LMTP, 0x02 no CHUNKING, 0x04 AUTH
# PLAIN/LOGIN, 0x08 AUTH without TLS, 0x10 small limits, 0x20 STARTTLS,
# 0x40 no ESMTP extras nor enhanced codes, 0x80 AUTH required), a byte
# after each occurrence of which the input is cut, then the client's bytes.
b64 = __import__("base64").b64encode
plain = b64(b"\0alice\0secret")
sessions = [
    (0x00, b"\n", b"EHLO client.example\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n"
                  b"RCPT TO:<c@example.org>\r\nDATA\r\nSubject: hi\r\n\r\n..dot\r\nbody\r\n.\r\nQUIT\r\n"),
    (0x00, b"\x00", b"EHLO client.example\r\nMAIL FROM:<a@example.com> BODY=8BITMIME SIZE=20\r\n"
                    b"RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.org\r\n"
                    b"DATA\r\nx\r\n.\r\nMAIL FROM:<>\r\nRCPT TO:<Postmaster>\r\nDATA\r\ny\r\n.\r\nQUIT\r\n"),
    (0x00, b".", b"HELO old.example\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"
                 b"line\r\n.\r\n"),
    (0x00, b"\n", b"EHLO c\r\nMAIL FROM:<a@example.com> BODY=BINARYMIME\r\nRCPT TO:<b@example.org>\r\n"
                  b"BDAT 5\r\nhello\r\nBDAT 7 LAST\r\n world\n\r\nQUIT\r\n"),
    (0x00, b"T", b"EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT 0 LAST\r\n"
                 b"RSET\r\nNOOP\r\nVRFY postmaster\r\nEXPN list\r\nHELP\r\nQUIT\r\n"),
    (0x01, b"\n", b"LHLO client.example\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n"
                  b"RCPT TO:<c@example.org>\r\nRCPT TO:<d@example.org>\r\nDATA\r\nhi\r\n.\r\n"
                  b"EHLO wrong.example\r\nQUIT\r\n"),
    (0x01, b"\r", b"LHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT 3 LAST\r\nabcQUIT\r\n"),
    (0x0c, b"\n", b"EHLO c\r\nAUTH PLAIN " + plain + b"\r\nMAIL FROM:<a@example.com>\r\nQUIT\r\n"),
    (0x0c, b"\n", b"EHLO c\r\nAUTH PLAIN " + plain + b"\r\nAUTH PLAIN " + plain + b"\r\nQUIT\r\n"),
    (0x0c, b"\n", b"EHLO c\r\nAUTH PLAIN\r\n" + plain + b"\r\nAUTH LOGIN\r\n" + b64(b"alice") + b"\r\n"
                  + b64(b"secret") + b"\r\nQUIT\r\n"),
    (0x0c, b"\n", b"EHLO c\r\nAUTH LOGIN " + b64(b"alice") + b"\r\n" + b64(b"pw") + b"\r\n"
                  b"AUTH LOGIN\r\n*\r\nAUTH PLAIN =\r\nAUTH PLAIN !!!\r\nAUTH CRAM-MD5\r\nQUIT\r\n"),
    (0x8c, b"\n", b"EHLO c\r\nMAIL FROM:<a@example.com>\r\nAUTH PLAIN " + plain + b"\r\n"
                  b"AUTH PLAIN " + plain + b"\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n"
                  b"DATA\r\n.\r\nQUIT\r\n"),
    (0x04, b"\n", b"EHLO c\r\nAUTH PLAIN " + plain + b"\r\nQUIT\r\n"),
    (0x24, b"\n", b"EHLO c\r\nSTARTTLS\r\nMAIL FROM:<injected@example.com>\r\nEHLO c\r\nAUTH PLAIN "
                  + plain + b"\r\nMAIL FROM:<a@example.com>\r\nQUIT\r\n"),
    (0x20, b"S", b"EHLO c\r\nSTARTTLS\r\nEHLO c\r\nSTARTTLS\r\nQUIT\r\n"),
    (0x10, b"\n", b"EHLO c\r\nMAIL FROM:<a@example.com> SIZE=100\r\nMAIL FROM:<a@example.com>\r\n"
                  b"RCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nRCPT TO:<d@example.org>\r\n"
                  b"RCPT TO:<e@example.org>\r\nDATA\r\n" + b"0123456789" * 10 + b"\r\n.\r\nQUIT\r\n"),
    (0x10, b"\n", b"EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT 100 LAST\r\n"
                  + b"x" * 100 + b"NOOP " + b"y" * 100 + b"\r\nQUIT\r\n"),
    (0x10, b"X", b"bogus\r\nMAIL FROM:<a@example.com>\r\n\r\nXYZZY\r\nQUIT\r\n"),
    (0x40, b"\n", b"EHLO c\r\nMAIL FROM:<a@example.com> BODY=8BITMIME\r\nMAIL FROM:<j\xc3\xb6rg@example.de>\r\n"
                  b"MAIL FROM:<a@example.com> SMTPUTF8\r\nRCPT TO:<b@example.org>\r\nQUIT\r\n"),
    (0x00, b"\n", b"EHLO c\r\nMAIL FROM:<j\xc3\xb6rg@example.de> SMTPUTF8\r\nRCPT TO:<\xc3\xa9@example.fr>\r\n"
                  b"DATA\r\n\xc3\xa9\r\n.\r\n"),
    (0x00, b"\n", b"EHLO c\nMAIL FROM:<a@example.com>\nRCPT TO:<b@example.org>\nDATA\nx\n.\nmore\r\n.\r\n"),
    (0x00, b"\n", b"EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"
                  b"a\n.\r\nb\r\n.\nc\r\n.\r\nQUIT\r\n"),
    (0x00, b"\n", b"DATA\r\nRCPT TO:<b@example.org>\r\nEHLO c\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"
                  b"BDAT 1\r\nxMAIL FROM:<a@example.com> XFOO=1\r\nRCPT TO:<b@example.org> NOTIFY=BAD\r\n"
                  b"MAIL FROM:<a@example.com>\r\n" + b"A" * 3000 + b"\r\nQUIT\r\n"),
]
n_srv = 0
for opts, sep, conv in sessions:
    n_srv += put("smtp_server", bytes([opts]) + sep + conv)

print(f"seed.sh: added {n_cmd} command lines, {n_rep} reply streams, {n_srv} server sessions")
PY

if [ ! -d "$src" ]; then
    echo "seed.sh: no corpus at $src" >&2
    exit 1
fi

python3 - "$src" "$msg_dir" "$hdr_dir" <<'PY'
import hashlib, json, os, sys

src, msg_dir, hdr_dir = sys.argv[1:4]

def put(dir_, data):
    name = hashlib.sha1(data).hexdigest()
    path = os.path.join(dir_, name)
    if os.path.exists(path):
        return 0
    with open(path, "wb") as f:
        f.write(data)
    return 1

msgs = 0
for root, _dirs, files in os.walk(src):
    for fn in sorted(files):
        if fn.endswith(".eml") or (fn.startswith("msg_") and fn.endswith(".txt")) or fn.endswith(".mbox"):
            with open(os.path.join(root, fn), "rb") as f:
                msgs += put(msg_dir, f.read())

hdrs = 0
tables = ["address", "date", "content_type", "id", "received", "unstructured", "list"]
base = os.path.join(src, "mail-parser-1.0.1")
for t in tables:
    path = os.path.join(base, t + ".json")
    if not os.path.exists(path):
        print(f"seed.sh: {path} missing, skipped", file=sys.stderr)
        continue
    with open(path, encoding="utf-8") as f:
        for entry in json.load(f):
            h = entry.get("header") if isinstance(entry, dict) else None
            if isinstance(h, str):
                hdrs += put(hdr_dir, h.encode("utf-8", "surrogateescape"))

print(f"seed.sh: added {msgs} messages to {msg_dir}, {hdrs} header values to {hdr_dir}")
PY
