#!/usr/bin/env bash
# Installs everything Meridian needs to build, test, benchmark and lint on Debian 12 (bookworm):
# Debian packages through apt, then the buf protobuf linter through npm into <repo>/.cache/tools
# (git-ignored). Idempotent: when everything is present it touches neither apt nor npm and
# returns in well under a second.
#
# Runs as root; as another user it uses sudo for apt when sudo exists.
# Environment:
#   MERIDIAN_TOOLS_DIR  where npm tools go (default <repo>/.cache/tools)
#   BUF_VERSION         exact @bufbuild/buf version (default below); pinned so lint results
#                       do not change under our feet
#   MERIDIAN_SKIP_BUF=1 skip the npm step (e.g. in the Docker build, which does not lint)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools_dir=${MERIDIAN_TOOLS_DIR:-$repo_root/.cache/tools}
buf_version=${BUF_VERSION:-1.75.0}

apt_packages=(
  # toolchain; libclang-rt-dev holds libFuzzer and clang's sanitizer runtimes, which clang
  # only recommends (and this script installs without recommends)
  build-essential cmake ninja-build pkg-config ccache git clang libclang-rt-dev
  # runtime data
  tzdata ca-certificates
  # libraries
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler librocksdb-dev
  libabsl-dev libssl-dev libicu-dev libargon2-dev libstemmer-dev libcurl4-openssl-dev
  libgmime-3.0-dev libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libspdlog-dev
  libsqlite3-dev libxapian-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-aiosmtpd redis-server jq openssl
)
# Any working npm will do for buf. NodeSource's nodejs ships its own npm and conflicts with
# Debian's npm package, so ask apt for Node only when there is no npm at all.
if [[ ${MERIDIAN_SKIP_BUF:-0} != 1 ]] && ! command -v npm >/dev/null 2>&1; then
  apt_packages+=(nodejs npm)
fi

log() { printf 'install-deps: %s\n' "$*"; }

# One dpkg-query call for the whole list: a package counts as present only when fully installed
# ("ii"); half-configured or removed-but-configured packages go back to apt.
declare -A installed=()
while read -r name status; do
  if [[ $status == ii ]]; then installed[$name]=1; fi
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${apt_packages[@]}" 2>/dev/null || true)

missing=()
for pkg in "${apt_packages[@]}"; do
  [[ -n ${installed[$pkg]:-} ]] || missing+=("$pkg")
done

if ((${#missing[@]} > 0)); then
  sudo_cmd=()
  if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1; then
      sudo_cmd=(sudo)
    else
      log "missing packages: ${missing[*]}" >&2
      log "run this script as root (sudo is not installed)" >&2
      exit 1
    fi
  fi
  log "installing ${#missing[@]} Debian package(s): ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
else
  log "all ${#apt_packages[@]} Debian packages present"
fi

if [[ ${MERIDIAN_SKIP_BUF:-0} == 1 ]]; then
  log "skipping buf (MERIDIAN_SKIP_BUF=1)"
  exit 0
fi

# buf's npm package is a Node wrapper (.bin/buf) around a native binary from a per-platform
# optional dependency. Asking the native binary for its version proves it is there and runs,
# without paying for a Node start-up.
buf_bin=$tools_dir/node_modules/.bin/buf
have_version=""
if [[ -x $buf_bin ]]; then
  for native in "$tools_dir"/node_modules/@bufbuild/buf-linux-*/bin/buf; do
    if [[ -x $native ]]; then
      have_version=$("$native" --version 2>/dev/null || true)
      break
    fi
  done
fi
if [[ $have_version == "$buf_version" ]]; then
  log "buf $buf_version present at $buf_bin"
else
  log "installing @bufbuild/buf@$buf_version into $tools_dir"
  mkdir -p "$tools_dir"
  npm install --prefix "$tools_dir" --no-audit --no-fund --no-update-notifier --save-exact \
    --loglevel=error "@bufbuild/buf@$buf_version"
  log "buf $("$buf_bin" --version) installed at $buf_bin"
fi
