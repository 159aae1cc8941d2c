#!/usr/bin/env bash
# The dashboard with a big store: N results (default 1,000,000) stored for one organisation
# (the bundled healthcare, trading and legal traces over and over, evaluated by `aegis-eval run
# --store`), then the API calls each page makes timed on loopback against a release
# `aegis-eval serve`: the overview's one call (`/v1/analytics/overview`: every figure of the
# page from one computation) and the traces page's (the domain list and the first page of 50,
# unfiltered and filtered). Each call 5 times; the median and the slowest are printed.
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
"$bin" run "$work/traces.jsonl" --store "$db" --no-judge --quiet --format jsonl > /dev/null \
  2>"$work/run.log"
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
echo "== overview page: its one call"
printf '%-36s %s\n' "/v1/analytics/overview" "$(time_call /v1/analytics/overview)"
printf '%-36s %s\n' "/v1/analytics/overview?since=1h" "$(time_call "/v1/analytics/overview?since=1h")"
echo "== traces page: the domain list and the first page of 50"
printf '%-36s %s\n' "/v1/domains" "$(time_call /v1/domains)"
printf '%-36s %s\n' "/v1/traces?limit=50" "$(time_call "/v1/traces?limit=50")"
printf '%-36s %s\n' "…&domain=trading" "$(time_call "/v1/traces?limit=50&domain=trading")"
printf '%-36s %s\n' "…&verdict=fail" "$(time_call "/v1/traces?limit=50&verdict=fail")"
