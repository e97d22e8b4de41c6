#!/usr/bin/env bash
# A throwaway CA and a certificate for loopback test servers.
# usage: scripts/test-cert.sh DIR  -> DIR/ca.pem (trust this), DIR/cert.pem + DIR/key.pem (the server's)
# The server certificate's SAN covers "localhost" and 127.0.0.1. A separate CA is
# needed because rustls (webpki) refuses a CA certificate used as the server's own
# certificate (what `openssl req -x509` makes); Python, swaks and OpenSSL accept both.
set -euo pipefail
dir=${1:?usage: test-cert.sh DIR}
mkdir -p "$dir"
[ -f "$dir/cert.pem" ] && [ -f "$dir/ca.pem" ] && exit 0
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=mailwire test CA" \
  -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout "$dir/key.pem" -out "$dir/req.pem" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$dir/ext.cnf"
openssl x509 -req -in "$dir/req.pem" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial \
  -days 30 -extfile "$dir/ext.cnf" -out "$dir/cert.pem" 2>/dev/null
chmod 600 "$dir/key.pem" "$dir/ca-key.pem"
