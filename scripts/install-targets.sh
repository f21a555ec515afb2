#!/usr/bin/env bash
# Installs what the netns runtime and the etcd / Redis / PostgreSQL / NATS targets need, from Debian's packages.
# Idempotent: packages already present are left alone, and `apt-get update` runs only when one is missing.
# The redis and etcd packages start system services on install; faultline starts its own processes inside
# network namespaces and must never talk to (or collide with) a system instance, so those are stopped and
# disabled here.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "install-targets: must run as root (apt-get, network namespaces and iptables need it)" >&2
  exit 1
fi

# package -> why faultline needs it
declare -A WHY=(
  [etcd-server]="etcd target: the etcd binary run on each node"
  [etcd-client]="etcd target: etcdctl, for poking at a cluster by hand"
  [redis-server]="redis target: the redis-server run on each node"
  [redis-sentinel]="redis target: the Sentinel on each node that elects a new primary"
  [postgresql-15]="postgres target: initdb, pg_basebackup, pg_rewind and postgres, run as the postgres user"
  [nats-server]="nats target: the nats-server (JetStream) run on each node"
  [iptables]="netns runtime: partitions and packet loss as iptables DROP rules (iptables-nft)"
  [iproute2]="netns runtime: ip netns, veth pairs and the hub bridge"
  [libfaketime]="netns runtime: clock faults through LD_PRELOAD for targets that honour it"
  [docker.io]="docker runtime: a local Docker engine (dockerd, containerd, runc) for targets in containers"
  [openssh-server]="ssh runtime tests: sshd in each test namespace (the \"hosts\"); the service itself is left disabled"
  [chromium]="report tests: a headless browser (driven by playwright-core) that opens report.html and faultline serve"
)
ORDER=(etcd-server etcd-client redis-server redis-sentinel postgresql-15 nats-server iptables iproute2 libfaketime docker.io openssh-server chromium)

missing=()
for p in "${ORDER[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    echo "install-targets: $p already installed (${WHY[$p]})"
  else
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-targets: installing ${missing[*]}"
  for p in "${missing[@]}"; do echo "  $p: ${WHY[$p]}"; done
  export DEBIAN_FRONTEND=noninteractive
  # Keep the package scripts from starting services while we install (policy-rc.d exit 101 = "not allowed").
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    created_policy=1
  fi
  trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
  if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
    echo "install-targets: install failed; refreshing the package lists and trying again"
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi

# Stop and disable the system services the packages ship; faultline never uses them.
for svc in redis-server redis-sentinel etcd postgresql nats-server docker containerd ssh; do
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    if systemctl list-unit-files "$svc.service" >/dev/null 2>&1; then
      systemctl stop "$svc" >/dev/null 2>&1 || true
      systemctl disable "$svc" >/dev/null 2>&1 || true
      echo "install-targets: system $svc service stopped (if it ran) and disabled"
    fi
  elif [ -x "/etc/init.d/$svc" ]; then
    "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
    update-rc.d "$svc" disable >/dev/null 2>&1 || true
    echo "install-targets: system $svc service stopped (if it ran) and disabled (sysvinit)"
  fi
done
# Without an init system, a package script may still have started a daemon: end those by PID file.
for pidfile in /run/redis/redis-server.pid /run/sentinel/redis-sentinel.pid /run/redis/redis-sentinel.pid /run/postgresql/15-main.pid; do
  if [ -s "$pidfile" ]; then
    pid=$(head -n 1 "$pidfile")  # postgres adds more lines after the PID
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" && echo "install-targets: stopped the system daemon with PID $pid ($pidfile)"
    fi
  fi
done

# iptables must be the nft flavour on this project's machines; the legacy tables are never touched.
if iptables --version 2>/dev/null | grep -q nf_tables; then
  echo "install-targets: iptables uses nf_tables: ok"
else
  echo "install-targets: warning: iptables is not the nf_tables flavour: $(iptables --version 2>&1)" >&2
fi
for b in etcd redis-server redis-sentinel /usr/lib/postgresql/15/bin/postgres nats-server iptables ip; do
  printf 'install-targets: %-15s %s\n' "$b" "$(command -v "$b" || echo MISSING)"
done
