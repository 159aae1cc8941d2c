#!/usr/bin/env bash
# The scaled-out service measured on this machine, in one run (release build):
#   1. worker throughput: N traces queued in Redis first, then 1 (and then 2) `aegis-eval
#      worker` processes started; traces/s from their start until every result is in
#      PostgreSQL;
#   2. end-to-end latency, 202 -> stored: 2 workers, traces sent at a steady RATE for SECS
#      seconds; per trace, its result's evaluation time (stamped as the worker builds the
#      record, just before the batch commits) minus when its 202 came back;
#   3. store writes, PostgreSQL beside SQLite (the store_write bench).
#
#   bash benches/scale/run.sh [N=50000] [RATE=1000] [SECS=20]
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-50000}"
rate="${2:-1000}"
secs="${3:-20}"
target="${CARGO_TARGET_DIR:-target}"
work="$target/scale-bench"
rm -rf "$work" && mkdir -p "$work"
cargo build --release --locked -p aegis-eval >&2
bin="$target/release/aegis-eval"
bash scripts/scale/servers.sh start "$work/servers"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  bash scripts/scale/servers.sh stop "$work/servers"
}
trap cleanup EXIT
# shellcheck disable=SC1091
. "$work/servers/env"
pg="$AEGIS_TEST_POSTGRES"
redis="$AEGIS_TEST_REDIS"
key="$("$bin" orgs create bench --store "$work/svc" | grep '^aegis_')"
org="$("$bin" orgs list --store "$work/svc" | awk '{print $1; exit}')"
schema="$org"
case "$schema" in org_*) ;; *) schema="org_$schema" ;; esac
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
common=(--queue "$redis" --store "$pg" --no-models --no-judge)
"$bin" serve --addr "127.0.0.1:$port" --dir "$work/svc" --workers 0 "${common[@]}" >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done

count() { psql "$pg" -Atc "SELECT count(*) FROM $schema.results" 2>/dev/null || echo 0; }
throughput() {
  local workers="$1"
  psql "$pg" -qc "TRUNCATE $schema.results CASCADE" >/dev/null 2>&1 || true
  python3 benches/scale/load.py fill "$url" "$key" "$n" >/dev/null
  local start end wp=()
  start="$(date +%s.%N)"
  for _ in $(seq "$workers"); do
    "$bin" worker --workers 1 --batch 500 "${common[@]}" >>"$work/worker.log" 2>&1 &
    wp+=($!)
  done
  while [ "$(count)" -lt "$n" ]; do sleep 0.1; done
  end="$(date +%s.%N)"
  for p in "${wp[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
  python3 -c "print(f'workers={$workers}: {$n} traces in {($end-$start):.2f} s = {$n/($end-$start):,.0f} traces/s')"
}
echo "== worker throughput ($n traces queued first, then the workers started)"
throughput 1
throughput 2

echo "== end-to-end latency, 202 -> stored (2 workers, $rate traces/s for $secs s)"
psql "$pg" -qc "TRUNCATE $schema.results CASCADE" >/dev/null 2>&1 || true
for _ in 1 2; do
  "$bin" worker --workers 1 --batch 500 "${common[@]}" >>"$work/worker.log" 2>&1 &
  pids+=($!)
done
python3 benches/scale/load.py steady "$url" "$key" "$rate" "$secs" "$work/accepted.txt"
sent="$(wc -l <"$work/accepted.txt")"
while [ "$(count)" -lt "$sent" ]; do sleep 0.2; done
psql "$pg" -Atc "SELECT key, evaluated_at FROM $schema.results" >"$work/stored.txt"
python3 - "$work/accepted.txt" "$work/stored.txt" <<'PY'
import sys
accepted = dict(l.split() for l in open(sys.argv[1]))
stored = dict(l.strip().split("|") for l in open(sys.argv[2]) if "|" in l)
lat = sorted(int(stored[k]) - int(a) for k, a in accepted.items() if k in stored)
def p(q):
    return lat[min(len(lat) - 1, round((len(lat) - 1) * q))]
print(f"{len(lat)} traces: p50 {p(0.5)} ms, p95 {p(0.95)} ms, p99 {p(0.99)} ms, max {lat[-1]} ms")
PY

echo "== store writes: PostgreSQL beside SQLite (200,000 results in batches of 1,000)"
AEGIS_BENCH_POSTGRES="$pg" cargo bench --locked -p aegis-store --bench store_write -- 200000 1000 2>/dev/null | grep store_write
