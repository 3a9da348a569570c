#!/usr/bin/env bash
# A throwaway Redis for tests and benchmarks: no persistence, its own port.
#   scripts/redis.sh start [port]   prints the URL (redis://127.0.0.1:PORT/0)
#   scripts/redis.sh stop [port]
set -euo pipefail
PORT="${2:-${PATRON_REDIS_PORT:-56379}}"
case "${1:-}" in
  start)
    command -v redis-server >/dev/null || { echo "redis-server is missing (apt-get install redis-server)" >&2; exit 1; }
    if ! redis-cli -p "$PORT" ping >/dev/null 2>&1; then
      redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --logfile "/tmp/patron-redis-$PORT.log" >/dev/null
      for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    echo "redis://127.0.0.1:$PORT/0"
    ;;
  stop)
    redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: $0 start|stop [port]" >&2; exit 2
    ;;
esac
