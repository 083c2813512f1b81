#!/usr/bin/env bash
# The throughput comparison of issue 26 in one command: the pipeline next to plain axios against the
# same fake Cloud API, on PostgreSQL and on SQLite, BENCH_RUNS runs each (default 3), with the load
# average and the SQL statements per message printed beside every figure. Prints, asserts nothing.
#   npm run bench:throughput
#   BENCH_RUNS=5 BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:throughput
# BENCH_NO_BUILD=1 skips `npm run build` (the benchmarks load the built plugin, dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
export TOWN_CRIER_TEST_DB_POOL_MAX="${TOWN_CRIER_TEST_DB_POOL_MAX:-10}"
PG_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
mkdir -p bench/results
LOG="bench/results/throughput-$(date -u +%Y-%m-%dT%H-%M-%S).log"
[ "${BENCH_NO_BUILD:-}" = 1 ] || npm run build > /dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average at start $(cut -d' ' -f1-3 /proc/loadavg); full output in $LOG"
for db in postgres sqlite; do
  if [ "$db" = postgres ]; then export DATABASE_URL="$PG_URL"; else unset DATABASE_URL; fi
  npx vitest run --config bench/vitest.config.ts bench/broadcast-pipeline.bench.ts -t throughput >> "$LOG" 2>&1 || { echo "the $db run failed: see $LOG"; exit 1; }
done
# The per-run lines and the two summaries (PostgreSQL first).
grep -E '^(throughput( run)? |  (plain axios|pipeline|incl\. publish|ratio|SQL per message|load average) )' "$LOG"
