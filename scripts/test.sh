#!/usr/bin/env bash
# The whole test suite, in timed phases: lint, SQLite, PostgreSQL, Redis/RQ, browser (Chromium).
# PostgreSQL and Redis are throwaway servers started and stopped here.
set -uo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
export PATRON_MODE=test
export CI="${CI:-}"
declare -a SUMMARY=()
FAILED=0

phase() {
  local name=$1; shift
  local start end rc
  start=$(date +%s.%N)
  echo "=== $name"
  "$@"
  rc=$?
  end=$(date +%s.%N)
  local took
  took=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  SUMMARY+=("$(printf '%-28s %8ss  %s' "$name" "$took" "$([ $rc -eq 0 ] && echo ok || echo FAILED)")")
  if [ $rc -ne 0 ]; then FAILED=1; fi
  return $rc
}

summary() {
  echo
  echo "=== phase times"
  for line in "${SUMMARY[@]}"; do echo "$line"; done
}

cleanup() {
  scripts/pg.sh stop >/dev/null 2>&1 || true
  scripts/redis.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

lint() { .venv/bin/ruff check . && .venv/bin/ruff format --check . ; }
migrations_check() { $PY manage.py makemigrations --check --dry-run >/dev/null; }
# Two workers: the machines this runs on have two cores.
WORKERS="${PATRON_TEST_WORKERS:-2}"
tests_sqlite() { .venv/bin/pytest -m "not browser and not redis" -n "$WORKERS" "$@"; }
tests_postgres() {
  local url
  url=$(scripts/pg.sh start) || return 1
  PATRON_DATABASE_URL="$url" .venv/bin/pytest -m "not browser and not redis" -n "$WORKERS" "$@"
  local rc=$?
  scripts/pg.sh stop
  return $rc
}
tests_browser() { .venv/bin/pytest -m browser "$@"; }
# A real Redis (scripts/redis.sh) and an RQ worker: a task round trip and a scheduled job.
tests_redis() {
  local url
  url=$(scripts/redis.sh start) || return 1
  PATRON_TEST_REDIS_URL="$url" .venv/bin/pytest -m redis "$@"
  local rc=$?
  scripts/redis.sh stop
  return $rc
}

START=$(date +%s)
phase "lint (ruff)" lint || { summary; exit 1; }
phase "migrations up to date" migrations_check || { summary; exit 1; }
phase "compile translations" $PY manage.py compilecatalogs || { summary; exit 1; }
phase "tests on SQLite" tests_sqlite "$@"
phase "tests on PostgreSQL" tests_postgres "$@"
phase "tasks via Redis and RQ" tests_redis "$@"
phase "browser tests (Chromium)" tests_browser "$@"
summary
echo "total: $(( $(date +%s) - START )) s"
exit $FAILED
