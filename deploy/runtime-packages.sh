#!/usr/bin/env bash
# Prints, one per line, the Debian packages that provide the shared libraries the given ELF
# files load (from ldd). The Docker build uses it so the runtime image carries exactly the
# libraries the binaries need, without a hand-kept list that goes stale.
#
# Usage: deploy/runtime-packages.sh FILE...
set -euo pipefail

if (($# == 0)); then
  echo "usage: $0 FILE..." >&2
  exit 2
fi

ldd_out=$(for f in "$@"; do ldd "$f"; done)
if grep -q 'not found' <<<"$ldd_out"; then
  echo "runtime-packages.sh: unresolved libraries:" >&2
  grep 'not found' <<<"$ldd_out" >&2
  exit 1
fi
mapfile -t libs < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 }' <<<"$ldd_out" | sort -u)
((${#libs[@]} > 0)) || exit 0

# Debian 12 is usr-merged but packages record files under either /lib or /usr/lib, so ask
# dpkg about both spellings of every path in one call, then check each library was matched.
candidates=()
for lib in "${libs[@]}"; do
  candidates+=("${lib#/usr}" "/usr${lib#/usr}")
done
owners=$(dpkg-query -S "${candidates[@]}" 2>/dev/null || true)
declare -A owned=()
while IFS= read -r path; do
  owned[${path#/usr}]=1
done < <(sed -n 's/^.*: \(\/.*\)$/\1/p' <<<"$owners")
for lib in "${libs[@]}"; do
  if [[ -z ${owned[${lib#/usr}]:-} ]]; then
    echo "runtime-packages.sh: no Debian package owns $lib" >&2
    exit 1
  fi
done
# "libfoo1:amd64: /path" -> "libfoo1"
sed -n 's/^\([^:,]*\)[:,].*/\1/p' <<<"$owners" | sort -u
