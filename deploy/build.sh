#!/usr/bin/env bash
# Configures and builds Meridian with CMake + Ninja (ccache when installed). Installs nothing:
# run deploy/install-deps.sh first.
#
# Usage: deploy/build.sh [TARGET...]
#   TARGET is a CMake target or a Ninja output path relative to the build directory
#   (e.g. server/meridiand); none builds everything.
# Environment:
#   BUILD_DIR   build directory (default <repo>/build)
#   JOBS        parallel compile jobs (default 2: the reference machine has 2 cores)
#   CMAKE_ARGS  extra configure arguments, split on spaces (e.g. "-DMERIDIAN_SANITIZE=ON")
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$repo_root/build}
jobs=${JOBS:-2}

configure_args=(-S "$repo_root" -B "$build_dir")
if [[ ! -f $build_dir/CMakeCache.txt ]]; then
  configure_args+=(-G Ninja)
  if command -v ccache >/dev/null 2>&1; then
    configure_args+=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
elif ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$build_dir/CMakeCache.txt"; then
  echo "build.sh: $build_dir was configured with another generator; remove it or set BUILD_DIR" >&2
  exit 1
fi
read -ra extra_args <<<"${CMAKE_ARGS:-}"

# Configure every time: it is cheap and picks up tools installed since the last run (buf).
cmake "${configure_args[@]}" "${extra_args[@]}"

target_args=()
if (($# > 0)); then
  target_args=(--target "$@")
fi
cmake --build "$build_dir" -j "$jobs" "${target_args[@]}"
