#!/usr/bin/env bash
# End-to-end test of the `meridian` CLI: starts meridiand on a free loopback port with a temp
# data dir, drives every everyday command through the real binaries as two users, restarts the
# server under a running `tail`, and checks outputs and exit codes.
# Usage: cli_e2e_test.sh /path/to/meridian /path/to/meridiand
set -uo pipefail

MERIDIAN=${1:?path to meridian}
MERIDIAND=${2:?path to meridiand}
command -v jq >/dev/null || { echo "cli_e2e_test: jq is required" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-cli-e2e.XXXXXX")
server_pid=""
tail_pid=""
cleanup() {
  [[ -n $tail_pid ]] && kill -9 "$tail_pid" 2>/dev/null
  [[ -n $server_pid ]] && kill -9 "$server_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
die() { echo "FATAL: $*" >&2; [[ -n ${server_log:-} ]] && tail -20 "$server_log" >&2; exit 1; }

# Polls (up to ~15 s) until a command succeeds: readiness, not a timing assumption.
wait_for() {
  local i
  for ((i = 0; i < 150; i++)); do
    if eval "$1"; then return 0; fi
    sleep 0.1
  done
  return 1
}

starts=0
start_server() {  # $1: listen address; each start logs to its own file
  starts=$((starts + 1))
  server_log="$work/server.$starts.log"
  "$MERIDIAND" --listen "$1" --data-dir "$work/data" 2>"$server_log" &
  server_pid=$!
  wait_for "grep -q 'listening on' '$server_log' || ! kill -0 $server_pid 2>/dev/null" ||
    die "meridiand did not start"
  kill -0 "$server_pid" 2>/dev/null || die "meridiand exited"
}

stop_server() {
  kill -TERM "$server_pid" 2>/dev/null
  wait_for "! kill -0 $server_pid 2>/dev/null" || kill -9 "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  server_pid=""
}

# as USER ARGS...: runs meridian with USER's own config dir; stdout to $out, stderr to $err,
# exit code to $rc.
as() {
  local user=$1
  shift
  MERIDIAN_CONFIG_DIR="$work/$user" MERIDIAN_SERVER="127.0.0.1:$port" \
    "$MERIDIAN" "$@" >"$work/out" 2>"$work/err" </dev/null
  rc=$?
  out=$(cat "$work/out")
  err=$(cat "$work/err")
}
expect_rc() {  # expected, description
  [[ $rc == "$1" ]] || fail "$2: exit $rc, expected $1; stdout: $out; stderr: $err"
}
expect_out() {  # extended regex, description
  grep -Eq -- "$1" <<<"$out" || fail "$2: stdout does not match /$1/: $out"
}
expect_no_out() {
  ! grep -Eq -- "$1" <<<"$out" || fail "$2: stdout unexpectedly matches /$1/: $out"
}

# --- No server yet: unreachable is exit 3 with a hint.
port=1
MERIDIAN_PASSWORD=whatever-pw as alice login alice
expect_rc 3 "login with no server"
grep -q "meridiand" <<<"$err" || fail "unreachable hint missing: $err"

start_server 127.0.0.1:0
port=$(grep -o 'port [0-9]*' "$server_log" | head -1 | awk '{print $2}')
[[ $port =~ ^[0-9]+$ && $port != 0 ]] || die "no port in server log"

# --- Accounts.
MERIDIAN_CONFIG_DIR="$work/alice" MERIDIAN_SERVER="127.0.0.1:$port" \
  "$MERIDIAN" register alice --password-stdin --time-zone Europe/Berlin --display-name "Alice A" \
  <<<"correct-horse" >"$work/out" 2>"$work/err"
rc=$? out=$(cat "$work/out") err=$(cat "$work/err")
expect_rc 0 "register alice"
expect_out '^registered and logged in as @alice \(u[0-9]+\)' "register alice"
[[ $(stat -c %a "$work/alice/credentials.json") == 600 ]] || fail "credentials file not 0600"
[[ $(stat -c %a "$work/alice") == 700 ]] || fail "config dir not 0700"

MERIDIAN_PASSWORD=battery-staple as bob register bob --time-zone America/New_York
expect_rc 0 "register bob"
MERIDIAN_PASSWORD=battery-staple as bob register bob
expect_rc 1 "register taken name"
[[ $err == "meridian: error: "* ]] || fail "error format: $err"

as alice whoami
expect_out '@alice' "whoami"
expect_out 'Europe/Berlin' "whoami zone"
as alice whoami --json
[[ $(jq -r .user.name <<<"$out") == alice ]] || fail "whoami --json: $out"

as alice logout
expect_rc 0 "logout"
as alice whoami
expect_rc 4 "whoami after logout"
MERIDIAN_PASSWORD=wrong-password as alice login alice
[[ $rc != 0 ]] || fail "login with a wrong password succeeded"
MERIDIAN_PASSWORD=correct-horse as alice login alice
expect_rc 0 "login"
expect_out '^logged in as @alice' "login"

# --- Channels.
as alice channels create general --topic "Daily chatter"
expect_rc 0 "channels create"
expect_out '^created #general \(c[0-9]+\)' "channels create"
as alice channels create secret --private
expect_rc 0 "channels create --private"
as bob channels join general
expect_rc 0 "join"
as bob channels browse
expect_out '#general' "browse lists general"
expect_no_out '#secret' "browse hides private channels"
as bob channels info secret
expect_rc 1 "info on a private channel of others"
as alice channels invite secret bob
expect_rc 0 "invite"
as bob channels list
expect_out '#secret' "invited channel listed"
as alice channels topic general "Release week"
expect_rc 0 "topic"
as bob channels info general
expect_out 'topic: +Release week' "info shows topic"
as alice channels members general
expect_out '@alice' "members alice"
expect_out '@bob' "members bob"

# --- Messages.
as alice post general "hello @bob"
expect_rc 0 "post"
expect_out '^posted m' "post"
root=$(awk '{print $2}' <<<"$out")
as bob post general --thread "$root" "reply one"
expect_rc 0 "thread reply"
echo "from stdin" | MERIDIAN_CONFIG_DIR="$work/alice" MERIDIAN_SERVER="127.0.0.1:$port" \
  "$MERIDIAN" post general >"$work/out" 2>&1 || fail "post from stdin"
as alice post general "draft" --idempotency-key key-1
draft=$(awk '{print $2}' <<<"$out")
as alice post general "draft" --idempotency-key key-1
expect_out "^already posted $draft\$" "idempotent retry returns the first message"

as alice edit "$draft" "final text"
expect_rc 0 "edit"
as bob edit "$draft" "hijack"
expect_rc 1 "edit by non-author"
as bob react "$root" :tada:
expect_rc 0 "react"
as alice post general "oops"
oops=$(awk '{print $2}' <<<"$out")
as alice delete "$oops"
expect_rc 0 "delete"
as alice pin "$root"
expect_rc 0 "pin"

as alice history general
expect_rc 0 "history"
# Alice reads times in Berlin time, Bob in New York time.
expect_out '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} CES?T  @alice: hello @bob  \['"$root"'\].*\(pinned\) \(1 reply\) :tada: 1' "history root line"
expect_out '@alice: from stdin' "history stdin post"
expect_out '@alice: final text.*\(edited\)' "history edit"
expect_no_out 'draft|hijack' "history old text"
[[ $(grep -c '@alice: draft\|@alice: final text' <<<"$out") == 1 ]] || fail "idempotent post duplicated"
expect_no_out 'reply one' "replies stay in their thread"
as bob history general
expect_out ' E[SD]T  @alice: hello @bob' "history in bob's zone"
as alice history general --limit 2
[[ $(grep -c '\[m' <<<"$out") == 2 ]] || fail "history --limit 2: $out"
grep -q 'more: meridian history general --before' <<<"$err" || fail "history continuation hint: $err"
as alice history general --json
[[ $(jq '.messages | length' <<<"$out") -ge 4 ]] || fail "history --json: $out"
[[ $(jq -r '.messages[0].text' <<<"$out") == "(deleted)" || $(jq -r '.messages[0].deleted' <<<"$out") == true ]] ||
  fail "newest message should be the deleted one: $out"

as alice thread "$root"
expect_rc 0 "thread"
expect_out '^[0-9-]+ [0-9:]+ CES?T  @alice: hello @bob' "thread root"
expect_out '^    [0-9-]+ [0-9:]+ CES?T  @bob: reply one' "thread reply indented"
as bob react "$root" :tada: --remove
expect_rc 0 "react --remove"
as alice thread "$root" --json
[[ $(jq '.root.reactions | length' <<<"$out") == 0 ]] || fail "reaction not removed: $out"
[[ $(jq -r '.replies[0].text' <<<"$out") == "reply one" ]] || fail "thread --json: $out"

# --- Direct messages and unread.
as alice dm bob "psst"
expect_rc 0 "dm with text"
expect_out '^c[0-9]+$' "dm prints the conversation id"
expect_out '^posted m' "dm posts"
as alice post @bob "second dm"
expect_rc 0 "post @user"
# Bob's own posts moved his read marker; this mention comes after it.
as alice post general "ping @bob"
as bob unread
expect_rc 0 "unread"
expect_out '^@alice +2 +0' "dm unread row"
expect_out '^#general +[0-9]+ +1' "mention counted in #general"
as bob unread --json
[[ $(jq '[.counts[] | select(.mentions == "1")] | length' <<<"$out") -ge 1 ]] || fail "unread --json: $out"
as bob read general
expect_rc 0 "read"
expect_out '^marked general read up to [0-9]+' "read"
as bob unread
expect_no_out '^#general' "read channel no longer unread"

# --- Profiles and users.
as alice profile set --hours "mon-fri 09:00-17:00" --status "deep work"
expect_rc 0 "profile set"
expect_out 'mon-fri 09:00-17:00' "profile set shows hours"
as alice profile set --hours "mon-fry 9-17"
expect_rc 2 "bad hours spec"
as bob user alice --json
[[ $(jq '.user.working_hours.intervals | length' <<<"$out") == 5 ]] || fail "hours stored: $out"
[[ $(jq -r '.user.status_text' <<<"$out") == "deep work" ]] || fail "status stored: $out"
as bob users
expect_out '@alice .*Europe/Berlin' "users table"

# --- tail: live events, and resuming by itself across a server restart.
MERIDIAN_CONFIG_DIR="$work/bob" MERIDIAN_SERVER="127.0.0.1:$port" \
  "$MERIDIAN" tail general >"$work/tail.out" 2>"$work/tail.err" </dev/null &
tail_pid=$!
# The tail subscribes "from now"; post until one post is seen, so no event predates the stream.
n=0
wait_for "as alice post general \"live \$((n += 1))\"; grep -q 'live ' '$work/tail.out'" ||
  fail "tail did not show a live post"
stop_server
as alice post general "while down"
expect_rc 3 "post while the server is down"
start_server "127.0.0.1:$port"
as alice post general "after restart"
expect_rc 0 "post after restart"
wait_for "grep -q 'after restart' '$work/tail.out'" || fail "tail did not resume after restart"
kill -INT "$tail_pid"
wait "$tail_pid"
tail_rc=$?
tail_pid=""
[[ $tail_rc == 0 ]] || fail "tail exit code after Ctrl-C: $tail_rc"
grep -q 'resume with: meridian tail --since ' "$work/tail.err" || fail "tail resume hint missing"
# No event printed twice across the reconnect.
dups=$(sort "$work/tail.out" | uniq -d)
[[ -z $dups ]] || fail "tail printed duplicates: $dups"
grep -q '#general  @alice: after restart' "$work/tail.out" || fail "tail line format: $(cat "$work/tail.out")"

as alice channels archive general
expect_rc 0 "archive"
as alice post general "too late"
expect_rc 1 "post to an archived channel"

if ((failures > 0)); then
  echo "cli_e2e_test: $failures failure(s)" >&2
  exit 1
fi
echo "cli_e2e_test: all checks passed"
