#!/usr/bin/env bash
# Installs a built Meridian as a system service (optional; the quick start does not need it):
#   binaries   -> $PREFIX/bin (meridiand, meridian, meridian-plugin-runner when built)
#   plugins    -> $PREFIX/lib/meridian/plugins (every plugins/**/*.so in the build)
#   config     -> /etc/meridian/meridian.toml (from deploy/meridian.example.toml; an existing
#                 file is never overwritten)
#   unit       -> /etc/systemd/system/meridiand.service
#   user       -> system user and group `meridian`, owning the data directory /var/lib/meridian
# Build first: deploy/install-deps.sh && deploy/build.sh
#
# Environment:
#   BUILD_DIR  build directory (default <repo>/build)
#   PREFIX     install prefix (default /usr/local; the unit file expects /usr/local)
#   DESTDIR    stage into this root instead of / (packaging, Docker); skips the user and systemd
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$repo_root/build}
prefix=${PREFIX:-/usr/local}
destdir=${DESTDIR:-}

log() { printf 'install.sh: %s\n' "$*"; }

if [[ -z $destdir && $EUID -ne 0 ]]; then
  log "run as root (or set DESTDIR to stage the files elsewhere)" >&2
  exit 1
fi

required=("$build_dir/server/meridiand" "$build_dir/clients/cli/meridian")
for bin in "${required[@]}"; do
  if [[ ! -x $bin ]]; then
    log "$bin is missing: run deploy/install-deps.sh && BUILD_DIR=$build_dir deploy/build.sh" >&2
    exit 1
  fi
done

bin_dir=$destdir$prefix/bin
plugin_dir=$destdir$prefix/lib/meridian/plugins
etc_dir=$destdir/etc/meridian
unit_dir=$destdir/etc/systemd/system

install -d -m 0755 "$bin_dir" "$plugin_dir" "$unit_dir"
install -m 0755 "${required[@]}" "$bin_dir/"
runner=$(find "$build_dir" -type f -name meridian-plugin-runner -perm -u+x -print -quit)
if [[ -n $runner ]]; then
  install -m 0755 "$runner" "$bin_dir/"
fi
if [[ -d $build_dir/plugins ]]; then
  find "$build_dir/plugins" -type f -name '*.so' -exec install -m 0644 {} "$plugin_dir/" \;
fi
log "installed binaries into $bin_dir, plugins into $plugin_dir"

if [[ -z $destdir ]] && ! getent passwd meridian >/dev/null; then
  useradd --system --user-group --home-dir /var/lib/meridian --no-create-home \
    --shell /usr/sbin/nologin --comment "Meridian server" meridian
  log "created system user meridian"
fi
if [[ -z $destdir ]]; then
  # systemd's StateDirectory= would create it too; doing it here also serves a manual start.
  install -d -m 0750 -o meridian -g meridian /var/lib/meridian
fi

install -d -m 0755 "$etc_dir"
if [[ -e $etc_dir/meridian.toml ]]; then
  log "kept existing $etc_dir/meridian.toml (compare with deploy/meridian.example.toml)"
else
  install -m 0640 "$repo_root/deploy/meridian.example.toml" "$etc_dir/meridian.toml"
  if [[ -z $destdir ]]; then
    chgrp meridian "$etc_dir/meridian.toml"
  fi
  log "wrote $etc_dir/meridian.toml"
fi

install -m 0644 "$repo_root/deploy/meridiand.service" "$unit_dir/meridiand.service"
log "installed $unit_dir/meridiand.service"

if [[ -z $destdir ]]; then
  if [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload
    log "next: edit /etc/meridian/meridian.toml, then: systemctl enable --now meridiand"
  else
    log "systemd is not running here; start by hand:" \
      "sudo -u meridian $prefix/bin/meridiand --config /etc/meridian/meridian.toml"
  fi
fi
