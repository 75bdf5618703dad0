#!/usr/bin/env bash
# Fresh Debian 12 to a full test run in one command: installs what is missing, builds everything
# and runs the whole ctest suite (unit, integration, lint). Exits non-zero when anything fails.
# This is what CI runs (.ci/run).
#
# Environment:
#   BUILD_DIR   build directory (default <repo>/build)
#   JOBS        parallel compile and test jobs (default 2)
#   CTEST_ARGS  extra ctest arguments, split on spaces (e.g. "-R storage")
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BUILD_DIR=${BUILD_DIR:-$repo_root/build}
jobs=${JOBS:-2}
read -ra ctest_extra <<<"${CTEST_ARGS:-}"

start=$SECONDS
"$repo_root/deploy/install-deps.sh"
"$repo_root/deploy/build.sh"
echo "test.sh: install + build took $((SECONDS - start)) s"

log=$BUILD_DIR/ctest.log
set +e
# --no-tests=error: a suite that found nothing to run is a failure, not a pass.
# --timeout: a ceiling for tests that set no TIMEOUT of their own, so a hang cannot eat CI's
# whole time budget.
ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error --timeout 600 -j "$jobs" \
  "${ctest_extra[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

echo "test.sh: total $((SECONDS - start)) s, ctest exit code $rc"
# ctest's own summary, repeated last so it is the closing line of the run.
summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n1 || true)
if [[ -n $summary ]]; then
  echo "$summary"
fi
exit "$rc"
