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

# --- Search: highlighted snippets, counts, paging, --json and malformed queries.
as bob search '"final text"'
expect_rc 0 "search a phrase"
expect_out "@alice: \\[final\\] \\[text\\]  \\[$draft\\]\$" "search highlights the phrase"
grep -qx '1 of 1 match' <<<"$err" || fail "search count: $err"
as bob search 'draft'
expect_out '^no matches$' "an edit's old text is not found"
as alice search 'hello OR final OR stdin' -n 2
[[ $(grep -c '\[m' <<<"$out") == 2 ]] || fail "search -n 2: $out"
grep -qx '2 of 3 matches' <<<"$err" || fail "search total: $err"
token=$(sed -n 's/^more: the same search with --page-token //p' <<<"$err")
[[ -n $token ]] || fail "search continuation hint: $err"
first_page=$out
as alice search 'hello OR final OR stdin' -n 2 --page-token "$token"
expect_rc 0 "search --page-token"
[[ $(grep -c '\[m' <<<"$out") == 1 ]] || fail "search second page: $out"
grep -qF -- "$(grep -o '\[m[0-9-]*\]$' <<<"$out")" <<<"$first_page" && fail "second page repeats: $out"
grep -q '^more:' <<<"$err" && fail "a hint after the last page: $err"
as alice search 'hello' --page-token "$token"
expect_rc 1 "a page token of another query"
as alice --json search 'stdin'
[[ $(jq -r '.hits[0].snippet.text' <<<"$out") == "from stdin" ]] || fail "search --json: $out"
[[ $(jq '.hits[0].snippet.highlights | length' <<<"$out") == 1 ]] || fail "search --json highlights: $out"
as alice search '"unbalanced'
expect_rc 1 "a malformed query"
grep -q 'byte 0: unbalanced quote' <<<"$err" || fail "malformed query message: $err"

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

# --- Asynchronous first: scheduled send, reminders, notifications, reply-by, catch-up, overlap,
# and the note about recipients outside their working hours. Nothing here waits for time to
# pass: delivery timing is tested in the server with a fake clock.
# far_hours ZONE: one working hour a day, half a day away from now in ZONE, so that whoever has
# it is certainly outside working hours while this test runs.
far_hours() {
  local away=$(((10#$(TZ=$1 date +%H) + 12) % 24))
  printf 'daily %02d:00-%02d:00' "$away" $((away + 1))
}
# Carol (Kolkata) is out of hours now: her "next working day" is hours away.
MERIDIAN_PASSWORD=carol-password as carol register carol --time-zone Asia/Kolkata
expect_rc 0 "register carol"
as carol profile set --hours "$(far_hours Asia/Kolkata)"
expect_rc 0 "carol's hours"
as alice schedule "see you tomorrow" --to general --at "in 3h"
expect_rc 0 "schedule"
expect_out '^scheduled s[0-9]+ to #general for [0-9-]+ [0-9:]+ CES?T$' "schedule"
sched=$(grep -o '^scheduled s[0-9]*' <<<"$out" | awk '{print $2}')
as alice schedule "good morning" --to @carol --next-working-day
expect_rc 0 "schedule --next-working-day"
expect_out '^scheduled s[0-9]+ to @carol for .*next working day' "schedule to a DM"
as alice schedule list
expect_rc 0 "schedule list"
expect_out "^$sched +[0-9-]+ [0-9:]+ CES?T +#general +see you tomorrow\$" "schedule list row"
expect_out ' @carol +good morning$' "schedule list DM row"
as alice schedule edit "$sched" "see you soon" --at "in 2 days"
expect_rc 0 "schedule edit"
expect_out "^updated $sched, now s[0-9]+: sends " "schedule edit"
edited=$(grep -o 'now s[0-9]*' <<<"$out" | awk '{print $2}')
as alice schedule list --json
[[ $(jq '.scheduled_messages | length' <<<"$out") == 2 ]] || fail "schedule list --json: $out"
[[ $(jq -r ".scheduled_messages[] | select(.id == \"$edited\") | .text" <<<"$out") == "see you soon" ]] ||
  fail "edited text: $out"
as alice schedule cancel "$edited"
expect_rc 0 "schedule cancel"
expect_out "^cancelled $edited\$" "schedule cancel"
as alice schedule list
expect_no_out 'see you' "cancelled message listed"
as alice schedule cancel "$edited"
expect_rc 1 "cancel twice"
as alice schedule "too late" --to general --at "2020-01-01 09:00"
expect_rc 2 "schedule in the past"
grep -q 'in the past' <<<"$err" || fail "past time error: $err"
as alice schedule "when?" --to general --at "someday"
expect_rc 2 "schedule with an unreadable time"
as alice schedule "x" --to general --next-working-day
expect_rc 2 "--next-working-day to a channel"
as bob schedule list
expect_out '^no scheduled messages$' "schedules are private"

as alice remind "water the plants" --at "in 2h"
expect_rc 0 "remind"
expect_out '^reminder r[0-9]+: will remind you at ' "remind"
rem=$(grep -o '^reminder r[0-9]*' <<<"$out" | awk '{print $2}')
as alice remind @carol "$root" --at "their next morning"
expect_rc 0 "remind someone about a message"
expect_out 'will remind @carol at ' "remind @carol"
as alice remind list
expect_out "^$rem +[0-9-]+ [0-9:]+ CES?T +@alice +water the plants\$" "remind list row"
expect_out "@carol +\\[$root\\]" "remind list message row"
as alice remind snooze "$rem" --for 30m
expect_rc 0 "remind snooze"
expect_out "^snoozed $rem until " "remind snooze"
as alice remind reschedule "$rem" --at "tomorrow 8:00"
expect_rc 0 "remind reschedule"
expect_out "^rescheduled $rem to [0-9-]+ 08:00 CES?T" "remind reschedule to 08:00 Berlin"
as alice remind cancel "$rem"
expect_rc 0 "remind cancel"
as alice remind list
expect_no_out 'water the plants' "cancelled reminder listed"
as alice remind --at "in 1h"
expect_rc 2 "remind without text"

# Bob has no working hours yet, so he is always reachable: every mention and DM notifies now.
as alice post general "draft two"
draft2=$(awk '{print $2}' <<<"$out")
as alice edit "$draft2" "draft two, @bob please look"
as bob notifications --unseen
expect_rc 0 "notifications"
expect_out '^\* [0-9-]+ [0-9:]+ E[SD]T  mention from @alice in #general: ping @bob  \[msg:m' "notification line"
expect_out 'direct message from @alice in @alice: second dm' "DM notification"
expect_out 'mention from @alice in #general: draft two, @bob please look' "edit that adds a mention notifies"
grep -q 'unseen' <<<"$err" || fail "unseen hint: $err"
as bob notifications --json
unseen=$(jq -r .unseen_count <<<"$out")
first=$(jq -r '.notifications[0].id' <<<"$out")
as bob notifications seen "$first"
expect_rc 0 "notifications seen"
expect_out '^marked 1 notification seen$' "notifications seen"
as bob notifications --json
[[ $(jq -r .unseen_count <<<"$out") == $((unseen - 1)) ]] || fail "unseen count after seen: $out"
as bob notifications seen --all
expect_out "^marked $((unseen - 1)) notifications seen\$" "notifications seen --all"
as bob notifications --unseen
expect_out '^no unseen notifications$' "all seen"
as bob notifications list
expect_out '^  [0-9-]+' "seen notifications still listed"
as bob notifications seen
expect_rc 2 "notifications seen without ids"
as bob notifications seen msg:m999-1
expect_rc 1 "unknown notification id"

# Reply-by: Alice waits for Bob's answer; Bob's reply in the thread ends the wait.
as alice post general "which option, @bob?" --reply-by "in 2d" --reply-from @bob
expect_rc 0 "post --reply-by"
ask=$(awk '{print $2}' <<<"$out")
as alice post general "no deadline given" --reply-from @bob
expect_rc 2 "--reply-from without --reply-by"
as bob awaiting
expect_out "^[0-9-]+ [0-9:]+ E[SD]T  @alice in #general: which option, @bob\\?  \\[$ask\\]\$" "awaiting my reply"
expect_out '^    reply by [0-9-]+ [0-9:]+ E[SD]T — waiting for @bob$' "awaiting deadline line"
as alice awaiting --mine
expect_out "\\[$ask\\]" "awaiting --mine"
as bob post general --thread "$ask" "option B"
as bob awaiting
expect_out '^nothing is waiting for your reply$' "reply ends the wait"
as alice awaiting --mine --json
[[ $(jq '.items | length' <<<"$out") == 0 ]] || fail "awaiting --mine after the reply: $out"

# Catch-up: a mention and a DM for Bob, then walk the queue.
as bob read general
as alice post general "catch up, @bob"
as alice post @bob "one more dm"
as bob catchup
expect_rc 0 "catchup without a terminal"
expect_out '^[0-9]+ items? to catch up on: [0-9]+ unread, [0-9]+ mentions?$' "catchup summary"
expect_out '^\[1/[0-9]+\] mentions in #general  [0-9]+ unread, 1 mention$' "mentions first"
expect_out '^    [0-9-]+ [0-9:]+ E[SD]T  @alice: catch up, @bob' "first unread message"
expect_out '^\[2/[0-9]+\] direct messages with @alice' "then direct messages"
as bob catchup --all
expect_out '^\[1/[0-9]+\] mentions in #general' "listing marks nothing"
# Interactive walk: mark the first item, then quit; the next run resumes at the DM.
printf '\nq\n' | MERIDIAN_CONFIG_DIR="$work/bob" MERIDIAN_SERVER="127.0.0.1:$port" \
  "$MERIDIAN" catchup -i >"$work/out" 2>"$work/err"
rc=$? out=$(cat "$work/out") err=$(cat "$work/err")
expect_rc 0 "catchup -i"
expect_out '^stopped; the rest stays unread' "catchup quit"
as bob catchup --all
expect_out '^\[1/[0-9]+\] direct messages with @alice' "catchup resumes after the item read"
expect_no_out 'mentions in #general' "read item gone"
as bob catchup --all --mark-read
expect_rc 0 "catchup --mark-read"
expect_out '^marked [0-9]+ items? read$' "catchup --mark-read"
as bob catchup --all
expect_out '^nothing to catch up on$' "queue empty after --mark-read"
as bob catchup --json
[[ $(jq -r .total_items <<<"$out") == 0 ]] || fail "catchup --json: $out"

# Overlap of #general (Alice in Berlin, Bob in New York, both Mon-Fri 09:00-17:00), shown in
# Alice's zone. A week in June, when both observe daylight saving time: 15:00-17:00 in Berlin.
as bob profile set --hours "mon-fri 09:00-17:00"
as alice overlap general --week 2026-06-17
expect_rc 0 "overlap"
expect_out '^times in Europe/Berlin, 30-minute slots$' "overlap zone"
expect_out '^           00  02  04  06  08  10  12  14  16  18  20  22$' "overlap ruler"
expect_out '^Mon 06-15  \.{30}#{4}\.{14}$' "overlap Monday row"
expect_out '^Sat 06-20  \.{48}$' "overlap Saturday row"
expect_out '^Fri 2026-06-19 15:00-17:00$' "overlap range"
as alice overlap @bob --week 2026-06-17 --json
[[ $(jq -r .everyone_slot_count <<<"$out") == 20 ]] || fail "overlap --json: $out"
as alice overlap general @bob
expect_rc 2 "overlap of a channel and people"

# The note about recipients outside their working hours.
as bob profile set --hours "$(far_hours America/New_York)"
expect_rc 0 "profile set for the note"
note='^note: it is [0-9]{2}:[0-9]{2} [A-Z][a-z]{2} for @bob \(America/New_York\), outside working hours — notification held until'
as alice post general "late ping @bob"
expect_rc 0 "post with a mention"
grep -Eq "$note" <<<"$err" || fail "post note: $err"
as alice post @bob "late dm"
grep -Eq "$note" <<<"$err" || fail "DM note: $err"
as alice post general "late ping @bob" --quiet
[[ -z $err ]] || fail "--quiet printed: $err"
as alice post general "late ping @bob" --json
[[ -z $err ]] || fail "--json printed a note: $err"
as alice post general "wake up @bob" --urgent
grep -q 'marked urgent, so they are notified now' <<<"$err" || fail "urgent note: $err"
as alice post general "hi @here"
[[ -z $err ]] || fail "@here note: $err"
as alice post general "hello @carol"
grep -q '^note: @carol is not a member of #general and was not notified$' <<<"$err" ||
  fail "non-member note: $err"
as bob notifications --unseen
expect_no_out 'late ping' "held notification delivered early"
expect_out 'wake up @bob' "urgent notification delivered"

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

# --- tail --since: what was missed is replayed in order, once (the server sends the replay in
# batches, which tail unpacks), and nothing from before the cursor comes back.
since=$(sed -n 's/.*resume with: meridian tail --since \([0-9][0-9]*\).*/\1/p' "$work/tail.err" | tail -n 1)
[[ -n $since ]] || fail "no cursor in the resume hint: $(cat "$work/tail.err")"
for i in $(seq 1 40); do
  as alice post general "missed $i"
  [[ $rc == 0 ]] || fail "post 'missed $i': exit $rc: $err"
done
MERIDIAN_CONFIG_DIR="$work/bob" MERIDIAN_SERVER="127.0.0.1:$port" \
  "$MERIDIAN" tail --since "$since" general >"$work/replay.out" 2>"$work/replay.err" </dev/null &
tail_pid=$!
wait_for "grep -q 'caught up' '$work/replay.err'" || fail "tail --since did not catch up"
kill -INT "$tail_pid"
wait "$tail_pid"
tail_pid=""
expected=$(seq 1 40 | sed 's/^/missed /')
replayed=$(grep -o 'missed [0-9]*' "$work/replay.out")
[[ $replayed == "$expected" ]] || fail "tail --since replay out of order or incomplete: $replayed"
grep -q 'after restart' "$work/replay.out" && fail "tail --since replayed an event before its cursor"

as alice channels archive general
expect_rc 0 "archive"
as alice post general "too late"
expect_rc 1 "post to an archived channel"

if ((failures > 0)); then
  echo "cli_e2e_test: $failures failure(s)" >&2
  exit 1
fi
echo "cli_e2e_test: all checks passed"
