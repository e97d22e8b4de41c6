#!/usr/bin/env bash
# Installs the real implementations that mailwire's interop and
# differential tests run against. Idempotent and quiet; needs root for
# apt-get. Run by .ci/run; run it yourself once on a development machine.
#
# What each test group needs:
#   mime       python3 (the stdlib `email` package is the oracle)
#   smtp       python3 with aiosmtpd (PyPI; the sink in scripts/smtp_sink.py
#              and the server our client talks to), smtplib (stdlib) and
#              swaks as clients of our example server, openssl for
#              scripts/test-cert.sh
#   pop3/imap  Dovecot (dovecot-imapd, dovecot-pop3d) as the server our
#              clients talk to (scripts/dovecot.sh; the tests run it as root)
#   dkim       python3 with dkimpy (PyPI, import name `dkim`) and PyNaCl
#              (its Ed25519), driven by tests/oracle/dkimpy_tool.py; openssl
#              to generate the test keys
#
# Later crates add their peers here (Postfix, rbldnsd, bogofilter).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
# Dovecot is in /usr/sbin, which a normal user's PATH often lacks.
export PATH=$PATH:/usr/sbin:/sbin

need_apt=()
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-pip)
command -v swaks >/dev/null 2>&1 || need_apt+=(swaks)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v dovecot >/dev/null 2>&1 || need_apt+=(dovecot-imapd dovecot-pop3d)

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-peers: need root to apt-get install ${need_apt[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

python3 - <<'PY'
import sys, email, email.policy
assert sys.version_info >= (3, 8), "python3 >= 3.8 needed for the email oracle"
print("install-peers: python3", sys.version.split()[0], "with email package: ok")
PY

# aiosmtpd from PyPI. A Debian python3 is EXTERNALLY-MANAGED (PEP 668) and
# refuses a plain `pip install`: there, install python3-aiosmtpd with
# apt-get, or use a venv first on PATH.
if ! python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  python3 -m pip install -q aiosmtpd
fi
python3 -c 'import aiosmtpd, smtplib; print("install-peers: aiosmtpd", aiosmtpd.__version__, "and smtplib: ok")'

# dkimpy (and PyNaCl, which its ed25519-sha256 needs) from PyPI; same PEP
# 668 caveat as aiosmtpd (Debian: python3-dkim and python3-nacl).
if ! python3 -c 'import dkim, nacl' >/dev/null 2>&1; then
  python3 -m pip install -q dkimpy pynacl
fi
python3 -c 'import dkim, nacl, importlib.metadata as m; print("install-peers: dkimpy", m.version("dkimpy"), "with pynacl", m.version("pynacl") + ": ok")'

echo "install-peers: $(swaks --version 2>/dev/null | head -n 1): ok"
echo "install-peers: $(openssl version): ok"
echo "install-peers: dovecot $(dovecot --version): ok"
