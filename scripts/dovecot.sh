#!/usr/bin/env bash
# Dovecot 2.3 (IMAP + POP3) as a test peer on 127.0.0.1, for the interop tests
# (tests/support_peers/dovecot.rs). Runs as root, without systemd, and keeps
# everything it writes under BASE: another Dovecot (the package's own, or
# another test binary's) cannot clash with it.
#
#   scripts/dovecot.sh start BASE USER PASS CERTDIR
#     -> prints `dovecot ready imap=PORT pop3=PORT imaps=PORT pop3s=PORT`
#   scripts/dovecot.sh stop BASE
#
# CERTDIR holds cert.pem + key.pem from scripts/test-cert.sh (clients trust
# CERTDIR/ca.pem). IMAP and POP3 offer STARTTLS/STLS; IMAPS and POP3S speak
# TLS from the first byte; plaintext login works without TLS too. USER's
# INBOX is the Maildir++ BASE/mail (folders are `.Name` sub-directories),
# owned by the system user `mailtest` (created if missing). Users are read
# from BASE/passwd.d/NAME, one file per user:
#   NAME:{PLAIN}PASS:UID:GID::HOME::[userdb_mail=maildir:DIR]
# and a file added while Dovecot runs is picked up by the next login. (One
# shared passwd file is re-read only when Dovecot stats it, at most once a
# second: a user added just after another login can be refused for up to a
# second. A new file per user is read fresh.)
# DOVECOT_EXTRA, if set, is appended verbatim to BASE/dovecot.conf.
#
# Needs the Debian packages dovecot-imapd and dovecot-pop3d (they create the
# users `dovecot` and `dovenull`; scripts/install-peers.sh installs them) and
# python3. Where /usr/sbin/policy-rc.d denies it, the package's own instance
# is not started; where it is, it uses other ports and directories.
#
# Gotchas:
#  * Every directory above BASE must be searchable by `mailtest` (mktemp -d
#    makes 0700 directories): checked below.
#  * Dovecot serves files as they are when they are CRLF (LF lines become
#    CRLF on the wire). mail_save_crlf = yes makes APPENDed files CRLF too,
#    so the wire bytes equal the file's bytes.
#  * 127.0.0.1 -> 127.0.0.1 counts as a secured connection (local IP ==
#    remote IP). To see the pre-TLS behaviour, connect from 127.0.0.2.
#  * Dovecot daemonizes, so `start` returns; only `stop` (SIGTERM to
#    BASE/run/master.pid) ends it. Shutting down takes ~1.1 s (the master
#    gives its log process 1 s), more if you wait for the zombie to be
#    reaped (`kill -0` succeeds on a zombie): `stop` does not.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin # dovecot, useradd, runuser

usage() {
  echo "usage: $0 start BASE USER PASS CERTDIR | $0 stop BASE" >&2
  exit 1
}

fail() {
  echo "dovecot.sh: $*" >&2
  if [ -n "$log" ] && [ -s "$log" ]; then
    echo "--- $log:" >&2
    cat "$log" >&2
  fi
  exit 1
}

# N distinct free ports on 127.0.0.1 (all bound at once, then released).
free_ports() {
  python3 -c '
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])' "$1"
}

# Waits up to 10 s until 127.0.0.1:PORT greets with a line starting with
# GREETING (or, without GREETING, accepts a connection). A greeting means
# the login process is up and connected to auth; a Dovecot stopped before
# that takes 6 s to stop instead of 1.
wait_port() {
  local line
  for _ in $(seq 1 100); do
    if [ -z "${2:-}" ]; then
      (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    else
      line=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && read -r -t 2 line <&3 && echo "$line") 2>/dev/null) || line=
      case "$line" in
        "$2"*) return 0 ;;
      esac
    fi
    sleep 0.1
  done
  return 1
}

# Whether PID is alive: not gone, and not a zombie (the master daemonizes,
# and an init that is slow to reap leaves it a zombie for a while).
alive() {
  local stat
  stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  case "$stat" in
    '' | Z*) return 1 ;;
  esac
}

# The master's pid, if BASE/run/master.pid names a live dovecot process.
master_pid() {
  local pid
  pid=$(cat "$base/run/master.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && alive "$pid" && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = dovecot ] && echo "$pid"
}

write_conf() {
  cat >"$base/dovecot.conf" <<CONF
# Written by scripts/dovecot.sh. Everything this instance writes is under $base.
base_dir = $base/run
state_dir = $base/state
instance_name = mailwire-$$
log_path = $log
auth_verbose = yes
listen = 127.0.0.1
protocols = imap pop3

# STARTTLS/STLS offered, plaintext login allowed too ("<" reads the file).
ssl = yes
ssl_cert = <$certdir/cert.pem
ssl_key = <$certdir/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
# A failed login is answered after auth_failure_delay (default 2 s); with 0,
# after about 0.5 s.
auth_failure_delay = 0

# Maildir++: INBOX is the Maildir itself, folder Foo is its sub-directory
# .Foo (hierarchy separator "."). A user's passwd entry may override this
# with userdb_mail=maildir:DIR.
mail_location = maildir:$base/mail
mail_save_crlf = yes
first_valid_uid = 1
# UIDL = IMAP UID + UIDVALIDITY: stable across sessions.
pop3_uidl_format = %08Xu%08Xv

passdb {
  driver = passwd-file
  args = scheme=PLAIN $base/passwd.d/%u
}
userdb {
  driver = passwd-file
  args = $base/passwd.d/%u
}

# The ...s listeners speak TLS from the first byte.
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps
    ssl = yes
  }
  chroot =
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $pop3
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $pop3s
    ssl = yes
  }
  chroot =
}
service anvil {
  chroot =
}
# The system users the Debian packages create.
default_login_user = dovenull
default_internal_user = dovecot
${DOVECOT_EXTRA:-}
CONF
}

start() {
  [ "$(id -u)" = 0 ] || fail "must run as root (Dovecot switches to the mail user)"
  command -v dovecot >/dev/null 2>&1 || fail "dovecot is not installed (scripts/install-peers.sh)"
  case "$user$pass" in
    *:* | *$'\n'*) fail "USER and PASS must not contain ':' or newlines" ;;
  esac
  # Dovecot looks up the lower-cased login (auth_username_format = %Lu)
  # in passwd.d/LOGIN.
  case "$user" in
    */* | .* | *[[:upper:]]*) fail "USER must be lower case, without '/', and not start with '.'" ;;
  esac
  [ -f "$certdir/cert.pem" ] && [ -f "$certdir/key.pem" ] ||
    fail "$certdir/cert.pem or key.pem is missing (make them with scripts/test-cert.sh $certdir)"
  if master_pid >/dev/null; then
    fail "a Dovecot already runs for $base (pid $(master_pid)); stop it first"
  fi

  # Two test binaries may get here at once: the loser's useradd fails.
  id mailtest >/dev/null 2>&1 ||
    useradd --system --no-create-home --shell /usr/sbin/nologin mailtest 2>/dev/null ||
    id mailtest >/dev/null 2>&1 || fail "cannot create the user mailtest"
  local uid gid
  uid=$(id -u mailtest)
  gid=$(id -g mailtest)

  mkdir -p "$base/mail/cur" "$base/mail/new" "$base/mail/tmp" "$base/run" "$base/state" "$base/passwd.d"
  chmod 755 "$base"
  chown -R mailtest: "$base/mail"
  log=$base/dovecot.log # fail() prints it from here on
  : >"$log"
  if command -v runuser >/dev/null 2>&1 && ! runuser -u mailtest -- test -x "$base/mail"; then
    fail "mailtest cannot reach $base/mail: make every directory above it searchable (chmod o+x)"
  fi
  echo "$user:{PLAIN}$pass:$uid:$gid::$base/mail::" >"$base/passwd.d/$user"

  # A port picked here can be taken before Dovecot binds it: then try again.
  local attempt ports
  for attempt in 1 2 3; do
    ports=$(free_ports 4) || fail "python3 is needed to find free ports"
    read -r imap pop3 imaps pop3s <<<"$ports"
    write_conf
    # The master binds the listeners, then daemonizes; its own messages
    # before logging starts go to the log too.
    if dovecot -c "$base/dovecot.conf" </dev/null >>"$log" 2>&1; then
      break
    fi
    grep -q 'Address already in use' "$log" && [ "$attempt" -lt 3 ] && continue
    fail "dovecot did not start"
  done
  wait_port "$imap" '* OK' || fail "no IMAP greeting on 127.0.0.1:$imap within 10 s"
  wait_port "$pop3" '+OK' || fail "no POP3 greeting on 127.0.0.1:$pop3 within 10 s"
  for port in "$imaps" "$pop3s"; do
    wait_port "$port" || fail "nothing listens on 127.0.0.1:$port after 10 s"
  done
  echo "dovecot ready imap=$imap pop3=$pop3 imaps=$imaps pop3s=$pop3s"
}

stop() {
  local pid
  pid=$(master_pid) || exit 0 # not running
  kill -TERM "$pid" 2>/dev/null || exit 0
  # Dovecot takes a little over 1 s: its log process gets 1 s to finish.
  for _ in $(seq 1 100); do
    alive "$pid" || exit 0
    sleep 0.1
  done
  fail "dovecot (pid $pid) did not stop within 10 s of SIGTERM"
}

[ $# -ge 2 ] || usage
cmd=$1
base=$2
case "$base" in
  /*) ;;
  *) base=$PWD/$base ;;
esac
log="" # BASE/dovecot.log, once this run writes it
case "$cmd" in
  start)
    [ $# -eq 5 ] || usage
    user=$3
    pass=$4
    certdir=$5
    case "$certdir" in
      /*) ;;
      *) certdir=$PWD/$certdir ;;
    esac
    start
    ;;
  stop)
    [ $# -eq 2 ] || usage
    log=$base/dovecot.log
    stop
    ;;
  *) usage ;;
esac
