#!/usr/bin/env bash
# Builds the images the docker runtime runs, from this machine's own Debian binaries, with no registry:
#
#   faultline/etcd:local    /usr/bin/etcd (and etcdctl when installed)
#   faultline/redis:local   /usr/bin/redis-server and /usr/bin/redis-sentinel (both links to redis-check-rdb)
#   faultline/nats:local    /usr/sbin/nats-server (JetStream; a static Go binary)
#   faultline/postgres:local  Debian's postgresql-15: the server and the client tools the start script runs
#                           (initdb, pg_basebackup, pg_rewind, psql, pg_isready), its loadable modules (not the
#                           LLVM JIT), /usr/share/postgresql/15, the time zone database, setpriv and the few
#                           coreutils the script calls, and a postgres user with the host's uid and gid (the
#                           data folders are bind-mounted and owned by the host's postgres user)
#   faultline/pause:local   only /bin/sh: the per-node sandbox that holds a node's network namespace, so its
#                           address and iptables rules outlive kills and restarts of the node's container
#
# Each image is a root filesystem assembled in a temporary folder (the binaries at their host paths, every
# shared library `ldd` names copied with `cp -L` to the path ld.so looks it up by, /etc/passwd and
# /etc/group with root and nobody, /tmp, /data, /var/lib/{etcd,redis}, and dash as /bin/sh for poking
# around with `docker exec`), tarred and `docker import`ed. It needs DOCKER_HOST (scripts/dockerd.sh start
# prints it) and the Debian packages etcd-server, redis-server, nats-server and postgresql-15
# (scripts/install-targets.sh).
#
# Idempotent: an image carries a label with a hash of everything that went into it; when the tag already has
# that hash, nothing is done. A changed binary gives a new hash and a rebuild (the old image is removed).
#
# Elsewhere (a machine with a registry) the official images can be used instead: `faultline run --runtime
# docker --image <image>`. Their binaries live under /usr/local/bin, not /usr/bin, so the target must be told
# the binary path too (`--bin /usr/local/bin/etcd` for quay.io/coreos/etcd or gcr.io/etcd-development/etcd,
# `--bin /usr/local/bin/redis-server` for redis:7). The runtime replaces the image's entrypoint by the
# launcher's command, so the official images' entrypoint scripts (redis' docker-entrypoint.sh, which drops
# to the redis user) do not run: nodes run as root, which the bind-mounted data folders need anyway.
# The sandbox image can be swapped too (the runtime's sandboxImage option): any image whose own command runs
# forever, e.g. Kubernetes' pause image.
set -euo pipefail

VERSION=1   # bump when the layout below changes, so existing images are rebuilt
LABEL=faultline.src

say() { echo "build-images: $*" >&2; }

[ -n "${DOCKER_HOST:-}" ] || { say "DOCKER_HOST is not set (run: eval \"\$(scripts/dockerd.sh start)\"; export DOCKER_HOST)"; exit 1; }
command -v docker >/dev/null 2>&1 || { say "the docker CLI is missing (apt-get install docker.io)"; exit 1; }
timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || { say "no Docker engine answers at $DOCKER_HOST"; exit 1; }

WORK=$(mktemp -d /tmp/faultline-images.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# Copy one host path into the root filesystem at the same path. A symlink is kept as a symlink and its
# target copied too, so argv[0] tricks (redis-sentinel -> redis-check-rdb) keep working.
copy_path() {
  local root=$1 path=$2
  mkdir -p "$root$(dirname "$path")"
  if [ -L "$path" ]; then
    cp -P "$path" "$root$path"
    local target
    target=$(readlink "$path")
    case "$target" in /*) ;; *) target="$(dirname "$path")/$target" ;; esac
    copy_path "$root" "$target"
  else
    cp -L "$path" "$root$path"
  fi
}

# A binary and every library the dynamic loader resolves for it.
copy_binary() {
  local root=$1 bin=$2
  [ -e "$bin" ] || { say "$bin is missing (run scripts/install-targets.sh)"; exit 1; }
  copy_path "$root" "$bin"
  local lib
  # ldd lines: "libx.so => /path (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"; vdso has no file.
  while read -r lib; do
    [ -n "$lib" ] && [ -e "$lib" ] || continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done < <(ldd "$bin" 2>/dev/null | awk '/=> \//{print $3} /^[ \t]*\/[^ ]+ \(/{print $1}')
}

base_layout() {
  local root=$1
  mkdir -p "$root"/{etc,tmp,data,proc,sys,dev,run,var/lib,var/log,root}
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  copy_binary "$root" /usr/bin/dash
  mkdir -p "$root/bin"
  ln -sf /usr/bin/dash "$root/bin/sh"
}

# The postgres image's extras (see the header). The uid/gid must be the host's: the harness chowns the
# bind-mounted node folders to the host's postgres user before the container starts.
postgres_extras() {
  local root=$1 f
  id -u postgres >/dev/null 2>&1 || { say "no postgres user here (run scripts/install-targets.sh)"; exit 1; }
  for f in /usr/lib/postgresql/15/lib/*.so; do
    case "$f" in */llvmjit.so) continue ;; esac
    copy_binary "$root" "$f"
  done
  for f in /usr/bin/setpriv /usr/bin/cat /usr/bin/rm /usr/bin/mkdir /usr/bin/sleep /usr/bin/touch; do copy_binary "$root" "$f"; done
  mkdir -p "$root/usr/share/postgresql"
  cp -a /usr/share/postgresql/15 "$root/usr/share/postgresql/"
  rm -rf "$root/usr/share/postgresql/15/man"
  mkdir -p "$root/usr/share"
  cp -a /usr/share/zoneinfo "$root/usr/share/"
  printf 'postgres:x:%s:%s:PostgreSQL:/var/lib/postgresql:/bin/sh\n' "$(id -u postgres)" "$(id -g postgres)" >>"$root/etc/passwd"
  printf 'postgres:x:%s:\n' "$(id -g postgres)" >>"$root/etc/group"
  mkdir -p "$root/var/lib/postgresql" "$root/var/run/postgresql"
}

# Hash of the inputs: this script's layout version and the content of every file copied.
source_hash() {
  local root=$1
  { echo "v$VERSION"; (cd "$root" && find . -type f -print0 | sort -z | xargs -0 sha256sum); (cd "$root" && find . -type l -printf '%p -> %l\n' | sort); } |
    sha256sum | cut -c1-16
}

# build TAG [--extras FUNCTION] BINARY...: FUNCTION (called with the root folder) adds what is not a binary.
build() {
  local tag=$1 extras=
  shift
  if [ "${1:-}" = --extras ]; then extras=$2; shift 2; fi
  local root="$WORK/${tag//[\/:]/_}"
  mkdir -p "$root"
  base_layout "$root"
  local b
  for b in "$@"; do copy_binary "$root" "$b"; done
  if [ -n "$extras" ]; then "$extras" "$root"; fi
  local hash current old_id
  hash=$(source_hash "$root")
  current=$(docker image inspect --format "{{index .Config.Labels \"$LABEL\"}}" "$tag" 2>/dev/null || true)
  if [ "$current" = "$hash" ]; then
    say "$tag is up to date ($hash)"
    return 0
  fi
  old_id=$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
  tar -C "$root" --numeric-owner -cf - . |
    docker import \
      --change "LABEL $LABEL=$hash" \
      --change "LABEL faultline.image=$tag" \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'WORKDIR /' \
      - "$tag" >/dev/null
  if [ -n "$old_id" ]; then docker image rm "$old_id" >/dev/null 2>&1 || true; fi
  say "built $tag ($hash, $(du -sh "$root" | cut -f1) unpacked)"
}

etcd_bins=(/usr/bin/etcd)
[ -e /usr/bin/etcdctl ] && etcd_bins+=(/usr/bin/etcdctl)
build faultline/etcd:local "${etcd_bins[@]}"
build faultline/redis:local /usr/bin/redis-server /usr/bin/redis-sentinel
build faultline/nats:local /usr/sbin/nats-server
if [ -x /usr/lib/postgresql/15/bin/postgres ]; then
  pg=/usr/lib/postgresql/15/bin
  build faultline/postgres:local --extras postgres_extras "$pg/postgres" "$pg/initdb" "$pg/pg_basebackup" "$pg/pg_rewind" "$pg/psql" "$pg/pg_isready" "$pg/pg_controldata" "$pg/pg_ctl"
else
  say "postgresql-15 is not installed: faultline/postgres:local skipped (scripts/install-targets.sh installs it)"
fi
build faultline/pause:local
