#!/usr/bin/env bash
# The `meridian` CLI against a meridiand that speaks TLS only: a self-signed certificate made
# here with openssl, trusted through --ca-file; the session remembers how the server was reached;
# plaintext and an unreadable CA file fail with their exit codes.
# Usage: cli_tls_test.sh /path/to/meridian /path/to/meridiand
set -uo pipefail

MERIDIAN=${1:?path to meridian}
MERIDIAND=${2:?path to meridiand}
command -v openssl >/dev/null || { echo "cli_tls_test: openssl is required" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-cli-tls.XXXXXX")
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill -9 "$server_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
die() { echo "FATAL: $*" >&2; [[ -f $work/server.log ]] && tail -20 "$work/server.log" >&2; exit 1; }

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>"$work/openssl.log" ||
  die "openssl could not make a certificate: $(cat "$work/openssl.log")"
cat >"$work/meridian.toml" <<TOML
[tls]
cert_file = "$work/cert.pem"
key_file = "$work/key.pem"
TOML

"$MERIDIAND" --listen 127.0.0.1:0 --data-dir "$work/data" --config "$work/meridian.toml" \
  2>"$work/server.log" &
server_pid=$!
for ((i = 0; i < 150; i++)); do
  grep -q 'listening on' "$work/server.log" && break
  kill -0 "$server_pid" 2>/dev/null || die "meridiand exited"
  sleep 0.1
done
port=$(sed -n 's/.*listening on .*(port \([0-9]*\),.*/\1/p' "$work/server.log" | head -1)
[[ -n $port ]] || die "no port in the server log"
grep -q 'TLS\|tls' "$work/server.log" || fail "server log does not say it speaks TLS"

# run CONFIG_DIR ARGS...: stdout to $out, stderr to $err, exit code to $rc.
run() {
  local dir=$1
  shift
  MERIDIAN_CONFIG_DIR="$work/$dir" MERIDIAN_PASSWORD=correct-horse-battery \
    "$MERIDIAN" --server "localhost:$port" "$@" >"$work/out" 2>"$work/err" </dev/null
  rc=$?
  out=$(cat "$work/out")
  err=$(cat "$work/err")
}
expect_rc() { [[ $rc == "$1" ]] || fail "$2: exit $rc, expected $1; stdout: $out; stderr: $err"; }

run alice --ca-file "$work/cert.pem" register alice
expect_rc 0 "register over TLS with --ca-file"
run alice whoami
expect_rc 0 "whoami reuses the session's TLS settings"
grep -q '@alice' <<<"$out" || fail "whoami output: $out"
run alice channels create tlsroom
expect_rc 0 "channels create over TLS"
grep -q '"ca_file"' "$work/alice/credentials.json" || fail "credentials do not remember the CA file"

run bob register bob
expect_rc 3 "plaintext to a TLS-only server is unreachable"
run bob --tls register bob
expect_rc 3 "TLS with the system roots does not trust a self-signed server"
run bob --ca-file "$work/missing.pem" register bob
expect_rc 2 "unreadable CA file is a usage error"
grep -q 'missing.pem' <<<"$err" || fail "CA file error does not name the file: $err"
run bob --ca-file "$work/meridian.toml" register bob
expect_rc 2 "a CA file that is not PEM is a usage error"
MERIDIAN_CA_FILE="$work/cert.pem" run bob register bob
expect_rc 0 "MERIDIAN_CA_FILE"

run alice logout
expect_rc 0 "logout over TLS"

if ((failures > 0)); then
  echo "cli_tls_test: $failures failure(s)" >&2
  exit 1
fi
echo "cli_tls_test: all checks passed"
