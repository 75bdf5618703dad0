#!/usr/bin/env bash
# Fresh Debian 12 to a running server in one command: installs what is missing, builds meridiand
# and the meridian CLI, then runs meridiand in the foreground on an embedded data directory.
# Ctrl-C stops the server; running this again reuses the build and the data.
#
# Environment:
#   BUILD_DIR          build directory (default <repo>/build)
#   JOBS               parallel compile jobs (default 2)
#   MERIDIAN_LISTEN    address to listen on (default 127.0.0.1:7800)
#   MERIDIAN_DATA_DIR  data directory (default <repo>/meridian-data)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BUILD_DIR=${BUILD_DIR:-$repo_root/build}
listen=${MERIDIAN_LISTEN:-127.0.0.1:7800}
data_dir=${MERIDIAN_DATA_DIR:-$repo_root/meridian-data}

"$repo_root/deploy/install-deps.sh"
"$repo_root/deploy/build.sh" server/meridiand clients/cli/meridian

mkdir -p "$data_dir"
cli=$BUILD_DIR/clients/cli/meridian
cat <<MSG

meridiand is starting on $listen, data in $data_dir (Ctrl-C stops it).

Next, in another terminal:
  export MERIDIAN_SERVER=$listen
  $cli register alice --time-zone Europe/Berlin   # first account = admin; asks for a password
  $cli channels create general
  $cli post general "hello from alice"
  $cli history general
  $cli tail                        # live events as they happen; Ctrl-C to stop
  $cli --help                      # every command: dm, thread, react, edit, unread, profile...

MSG
exec "$BUILD_DIR/server/meridiand" --listen "$listen" --data-dir "$data_dir"
