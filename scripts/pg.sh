#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks.
#   scripts/pg.sh start [port]   prints the database URL on stdout
#   scripts/pg.sh stop
# The server refuses to run as root, so it runs as the "postgres" user (or nobody) on a data
# directory under a temporary folder. fsync is off: the data is disposable.
set -euo pipefail

STATE_FILE="${PATRON_PG_STATE:-${TMPDIR:-/tmp}/patron-pg-${USER:-root}.dir}"
PORT="${2:-${PATRON_PG_PORT:-55432}}"
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -n "$BIN" ] || { echo "PostgreSQL is not installed (run scripts/system-deps.sh)" >&2; exit 1; }

run_as() {
  if [ "$(id -u)" -eq 0 ]; then
    local user=postgres
    id postgres >/dev/null 2>&1 || user=nobody
    su "$user" -s /bin/sh -c "$1"
  else
    sh -c "$1"
  fi
}

start() {
  if [ -f "$STATE_FILE" ] && [ -d "$(cat "$STATE_FILE")" ]; then stop >/dev/null 2>&1 || true; fi
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/patron-pg.XXXXXX")
  chmod 755 "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    local user=postgres
    id postgres >/dev/null 2>&1 || user=nobody
    chown "$user" "$dir"
  fi
  echo "$dir" > "$STATE_FILE"
  run_as "$BIN/initdb -D $dir/data -U patron --auth=trust -E UTF8 --locale=C.UTF-8 >$dir/initdb.log 2>&1"
  run_as "$BIN/pg_ctl -D $dir/data -l $dir/log -w start -o '-p $PORT -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=${PATRON_PG_MAX_CONNECTIONS:-250}' >/dev/null"
  psql -h 127.0.0.1 -p "$PORT" -U patron -d postgres -qc 'create database patron' >/dev/null
  psql -h 127.0.0.1 -p "$PORT" -U patron -d template1 -qc 'create extension if not exists pg_trgm' >/dev/null
  psql -h 127.0.0.1 -p "$PORT" -U patron -d patron -qc 'create extension if not exists pg_trgm' >/dev/null
  echo "postgres://patron@127.0.0.1:$PORT/patron"
}

stop() {
  [ -f "$STATE_FILE" ] || return 0
  local dir
  dir=$(cat "$STATE_FILE")
  if [ -d "$dir/data" ]; then
    run_as "$BIN/pg_ctl -D $dir/data -m fast -w stop >/dev/null 2>&1" || true
  fi
  rm -rf "$dir" "$STATE_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start [port] | stop" >&2; exit 2 ;;
esac
