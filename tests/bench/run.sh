#!/usr/bin/env bash
# Reproduces tests/bench/RESULTS.md's server-load section: builds meridiand and meridian-bench,
# records the machine, and runs every scenario at full size with one progress line per scenario
# (on stderr) and one result row per measurement (on stdout and in the results file).
#
# Usage: tests/bench/run.sh [BUILD_DIR] [extra meridian-bench flags, e.g. --only 3 or --smoke]
# Environment: OUT_DIR (default BUILD_DIR/bench-results) receives machine.txt, results.txt and
# results.md.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${1:-$repo_root/build}
shift || true
out_dir=${OUT_DIR:-$build_dir/bench-results}
mkdir -p "$out_dir"

if [[ ! -f $build_dir/CMakeCache.txt ]]; then
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build_dir" --target meridiand meridian-bench

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git -C "$repo_root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  build_type=$(grep -E '^CMAKE_BUILD_TYPE' "$build_dir/CMakeCache.txt" | cut -d= -f2)
  echo "build type: ${build_type:-RelWithDebInfo, the project default}"
  echo "kernel: $(uname -sr)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|Socket|CPU max MHz)' || true
  free -g
  redis-server --version 2>/dev/null || echo "redis-server: not installed (fan-out baseline skipped)"
} > "$out_dir/machine.txt"
cat "$out_dir/machine.txt" >&2

bench=$(find "$build_dir" -name meridian-bench -type f -perm -u+x | head -n 1)
meridiand=$(find "$build_dir" -name meridiand -type f -perm -u+x | head -n 1)
"$bench" --meridiand "$meridiand" --markdown "$out_dir/results.md" "$@" | tee "$out_dir/results.txt"
echo "results: $out_dir/results.txt and $out_dir/results.md" >&2
