#!/usr/bin/env bash
# A private Docker engine for faultline's docker runtime and its tests.
#
#   scripts/dockerd.sh start    start one on its own socket unless something already answers there; prints
#                               DOCKER_HOST=unix://<socket> (eval-able) once the engine answers
#   scripts/dockerd.sh stop     stop the engine this script started (by the PID in its PID file), nothing else
#   scripts/dockerd.sh status   say whether the private engine answers; exit 0 if it does, 3 if not
#
# Everything lives under paths of its own (socket, PID file, data root, exec root), so a system dockerd, if
# any, is never touched. The default bridge (docker0) is not created: faultline makes one network per run.
# Overrides: FAULTLINE_DOCKER_SOCK, FAULTLINE_DOCKER_ROOT, FAULTLINE_DOCKER_WAIT (seconds, default 60).
set -euo pipefail

SOCK=${FAULTLINE_DOCKER_SOCK:-/var/run/faultline-docker.sock}
PIDFILE=${FAULTLINE_DOCKER_PIDFILE:-/var/run/faultline-docker.pid}
DATA_ROOT=${FAULTLINE_DOCKER_ROOT:-/var/lib/faultline-docker}
EXEC_ROOT=${FAULTLINE_DOCKER_EXEC_ROOT:-/var/run/faultline-docker-exec}
LOG=${FAULTLINE_DOCKER_LOG:-/var/log/faultline-dockerd.log}
WAIT_S=${FAULTLINE_DOCKER_WAIT:-60}
HOST="unix://$SOCK"

say() { echo "dockerd.sh: $*" >&2; }

# True when an engine answers on our socket. Uses curl if present, else the docker CLI; bounded either way.
answers() {
  [ -S "$SOCK" ] || return 1
  if command -v curl >/dev/null 2>&1; then
    [ "$(curl -s --max-time 3 --unix-socket "$SOCK" http://localhost/_ping 2>/dev/null)" = "OK" ]
  else
    timeout 5 docker -H "$HOST" version --format '{{.Server.Version}}' >/dev/null 2>&1
  fi
}

# The PID in our PID file, if that process is still a dockerd (a stale file must not make us kill a stranger).
our_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -d "/proc/$pid" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "dockerd" ] || return 1
  echo "$pid"
}

start() {
  if answers; then
    say "an engine already answers on $SOCK; using it"
    echo "DOCKER_HOST=$HOST"
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    say "must run as root to start dockerd"
    exit 1
  fi
  command -v dockerd >/dev/null 2>&1 || { say "dockerd not found (apt-get install docker.io)"; exit 1; }
  if pid=$(our_pid); then
    say "dockerd $pid from an earlier start does not answer; stopping it first"
    stop_pid "$pid"
  fi
  rm -f "$SOCK"
  mkdir -p "$DATA_ROOT" "$EXEC_ROOT" "$(dirname "$LOG")"
  # setsid: the engine must outlive this shell (CI calls start, then the tests, then stop).
  setsid dockerd \
    --host "$HOST" \
    --pidfile "$PIDFILE" \
    --data-root "$DATA_ROOT" \
    --exec-root "$EXEC_ROOT" \
    --bridge none \
    --log-level warn \
    </dev/null >>"$LOG" 2>&1 &
  local child=$!
  local i
  for ((i = 0; i < WAIT_S * 4; i++)); do
    if answers; then
      say "engine up (pid $(cat "$PIDFILE" 2>/dev/null || echo "$child"), log $LOG)"
      echo "DOCKER_HOST=$HOST"
      return 0
    fi
    if ! kill -0 "$child" 2>/dev/null; then
      say "dockerd exited during start; last log lines:"
      tail -n 20 "$LOG" >&2 || true
      exit 1
    fi
    sleep 0.25
  done
  say "dockerd did not answer on $SOCK within ${WAIT_S}s; stopping it. Last log lines:"
  tail -n 20 "$LOG" >&2 || true
  kill -TERM "$child" 2>/dev/null || true
  exit 1
}

# TERM, wait (bounded) for the engine to stop its containers and exit, then KILL if it is still there.
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 120; i++)); do
    [ -d "/proc/$pid" ] || return 0
    sleep 0.25
  done
  say "dockerd $pid still running after 30s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  local pid
  if ! pid=$(our_pid); then
    say "no dockerd started by this script is running (PID file $PIDFILE)"
    return 0
  fi
  stop_pid "$pid"
  rm -f "$PIDFILE"
  say "stopped dockerd $pid"
}

status() {
  if answers; then
    echo "DOCKER_HOST=$HOST"
    say "engine answers on $SOCK$(pid=$(our_pid) && echo " (pid $pid)")"
    return 0
  fi
  say "no engine answers on $SOCK"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
