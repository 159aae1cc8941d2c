#!/usr/bin/env bash
# The dashboard with a big store: N results (default 1,000,000) stored for one organisation
# (the bundled healthcare, trading and legal traces over and over, evaluated by `aegis-eval run
# --store`), then the API calls each page makes timed on loopback against a release
# `aegis-eval serve`: the overview's five (summary, timeseries, issues, cost, models: made in
# parallel by the page, so the page waits for the slowest) and the traces page's first page of
# 50. Each call 5 times; the median and the slowest are printed.
#
#   bash benches/dashboard/run.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-1000000}"
target="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --release -p aegis-eval
bin="$target/release/aegis-eval"
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
key=$("$bin" orgs create bench --store "$work/svc" | sed -n 3p)
db=$(ls "$work"/svc/orgs/*/store.db)
python3 benches/dashboard/make_traces.py "$n" "$work/traces.jsonl"
t0=$(date +%s.%N)
"$bin" run "$work/traces.jsonl" --store "$db" --no-judge --quiet --format jsonl -o "$work/results.jsonl" \
  --phi-key-file "$db.key" 2>"$work/run.log" || true
t1=$(date +%s.%N)
stored=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from results').fetchone()[0])" "$db")
echo "stored $stored results in $(python3 -c "print(f'{$t1-$t0:.0f}')") s; store $(du -h "$db" | cut -f1)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --store "$work/svc" --addr "127.0.0.1:$port" --workers 1 --no-judge 2>"$work/serve.log" &
pid=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
time_call() { # time_call <path>: median and slowest of 5, seconds
  for _ in 1 2 3 4 5; do
    curl -s -o /dev/null -w "%{time_total}\n" -H "Authorization: Bearer $key" "http://127.0.0.1:$port$1"
  done | sort -n | awk '{ a[NR] = $1 } END { printf "median %.3f s, slowest %.3f s\n", a[3], a[5] }'
}
echo "== overview (the page waits for the slowest of these five, made in parallel)"
for p in /v1/analytics/summary /v1/analytics/timeseries /v1/analytics/issues /v1/analytics/cost /v1/analytics/models; do
  printf '%-28s %s\n' "$p" "$(time_call "$p")"
done
echo "== the whole overview: the five at once"
for _ in 1 2 3; do
  s=$(date +%s.%N)
  for p in /v1/analytics/summary /v1/analytics/timeseries /v1/analytics/issues /v1/analytics/cost /v1/analytics/models; do
    curl -s -o /dev/null -H "Authorization: Bearer $key" "http://127.0.0.1:$port$p" &
  done
  wait $(jobs -p | grep -v "^$pid$") 2>/dev/null || true
  e=$(date +%s.%N)
  python3 -c "print(f'  {($e-$s):.3f} s')"
done
echo "== traces page"
printf '%-28s %s\n' "/v1/traces?limit=50" "$(time_call "/v1/traces?limit=50")"
printf '%-28s %s\n' "…&domain=trading" "$(time_call "/v1/traces?limit=50&domain=trading")"
printf '%-28s %s\n' "…&verdict=fail" "$(time_call "/v1/traces?limit=50&verdict=fail")"
