#!/usr/bin/env bash
# Installs the real implementations that mailwire's interop and
# differential tests run against. Idempotent and quiet; needs root for
# apt-get. Run by .ci/run; run it yourself once on a development machine.
#
# What each test group needs:
#   mime       python3 (the stdlib `email` package is the oracle)
#
# Later crates add their peers here (Dovecot, Postfix/aiosmtpd, dkimpy,
# openssl, rbldnsd, bogofilter).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

need_apt=()
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)

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
