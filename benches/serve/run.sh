#!/usr/bin/env bash
# Load on `aegis-eval serve` over loopback with wrk (Debian's package, installed here when
# missing): sustained ingest-to-stored throughput, /v1/evaluate latency for Tiers 0-1, and
# resident memory over a soak. Everything runs on this machine: the server, its workers and
# wrk share the cores.
#
#   bash benches/serve/run.sh [INGEST_SECONDS] [SOAK_SECONDS]     (defaults: 60 and 600)
#
# Phases:
#   1. ingest: wrk POSTs the 54 bundled healthcare traces per request (ids made unique) to
#      /v1/traces for INGEST_SECONDS (Tiers 0-2, two worker threads); then the queue drains.
#      Reports traces accepted per second, and traces stored per second from the first request
#      to the last result stored (the sustained ingest-to-stored rate).
#   2. evaluate: a server with --no-models (Tiers 0-1); wrk POSTs one trace to /v1/evaluate
#      for 30 s with 4 connections; wrk's latency percentiles.
#   3. soak: ingest as in 1 for SOAK_SECONDS, sampling the server's VmRSS every 10 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
ingest_s="${1:-60}"
soak_s="${2:-600}"
target="${CARGO_TARGET_DIR:-target}"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)" >&2
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
cargo build --quiet --release -p aegis-eval
bin="$target/release/aegis-eval"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start() { # start <dir> <extra args...>: starts a server, sets server_pid and url
  local dir=$1; shift
  local port; port=$(free_port)
  "$bin" serve --store "$dir" --addr "127.0.0.1:$port" --workers 2 "$@" 2>"$dir.log" &
  server_pid=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 100); do
    curl -sf "$url/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the server did not start; its log:" >&2; cat "$dir.log" >&2; exit 1
}
stop() { kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""; }
metric_sum() { # metric_sum <name>: the sum of a metric's samples
  curl -s "$url/metrics" | awk -v m="$1" 'index($0, m) == 1 { s += $NF } END { printf "%d\n", s }'
}
rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$server_pid/status"; }
# The process's own memory (heap, stacks): VmRSS also counts the store's memory-mapped pages,
# which are the kernel's file cache and grow with the store.
anon_kib() { awk '/RssAnon/ { print $2 }' "/proc/$server_pid/status"; }
now() { date +%s.%N; }

ingest_phase() { # ingest_phase <seconds> <label>
  local secs=$1 label=$2
  local before; before=$(metric_sum aegis_traces_evaluated_total)
  local t0; t0=$(now)
  AEGIS_BENCH_KEY="$key" wrk -t2 -c8 -d"${secs}s" -s benches/serve/ingest.lua "$url" > "$work/wrk-$label.txt"
  local t1; t1=$(now)
  local accepted; accepted=$(metric_sum aegis_traces_ingested_total)
  while [ "$(metric_sum aegis_queue_depth)" != "0" ]; do sleep 0.2; done
  local t2; t2=$(now)
  local stored=$(( $(metric_sum aegis_traces_evaluated_total) - before ))
  local non2xx; non2xx=$(grep -oE 'Non-2xx or 3xx responses: [0-9]+' "$work/wrk-$label.txt" | grep -oE '[0-9]+$' || echo 0)
  python3 - "$accepted" "$stored" "$t0" "$t1" "$t2" "$non2xx" <<'EOF'
import sys
accepted, stored, t0, t1, t2, non2xx = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:6]), sys.argv[6]
print(f"  accepted: {accepted} traces in {t1 - t0:.1f} s = {accepted / (t1 - t0):,.0f} traces/s (non-2xx responses: {non2xx})")
print(f"  stored:   {stored} results, the queue empty {t2 - t1:.1f} s after the load stopped: {stored / (t2 - t0):,.0f} traces/s ingest-to-stored")
EOF
}

echo "== aegis-eval serve on $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== 1. ingest (Tiers 0-2), ${ingest_s} s of wrk -t2 -c8, 54 traces a request"
key=$("$bin" orgs create bench --store "$work/ingest" | sed -n 3p)
start "$work/ingest"
ingest_phase "$ingest_s" ingest
echo "  server VmRSS after: $(( $(rss_kib) / 1024 )) MiB, of which its own (RssAnon) $(( $(anon_kib) / 1024 )) MiB"
stop

echo "== 2. /v1/evaluate (Tiers 0-1: --no-models), 30 s of wrk -t1 -c4 --latency"
key=$("$bin" orgs create bench --store "$work/evaluate" | sed -n 3p)
# hc-002: a clean answer (no Tier-1 issue).
sed -n 2p examples/traces/healthcare.jsonl > /tmp/aegis-bench-one.json
start "$work/evaluate" --no-models
AEGIS_BENCH_KEY="$key" AEGIS_BENCH_TRACE=/tmp/aegis-bench-one.json \
  wrk -t1 -c4 -d30s --latency -s benches/serve/evaluate.lua "$url" > "$work/wrk-evaluate.txt"
grep -E "Requests/sec|^ +(50|75|90|99)%|Non-2xx" "$work/wrk-evaluate.txt" | sed 's/^ */  /'
stop

echo "== 3. soak: ingest for ${soak_s} s, RssAnon and VmRSS every 10 s (printed each minute)"
key=$("$bin" orgs create bench --store "$work/soak" | sed -n 3p)
start "$work/soak"
(
  i=0
  while kill -0 "$server_pid" 2>/dev/null; do
    anon=$(anon_kib 2>/dev/null) || break
    echo "$anon" >> "$work/rss.txt"
    if [ $((i % 6)) -eq 0 ]; then
      echo "  t=$((i * 10))s RssAnon $((anon / 1024)) MiB, VmRSS $(( $(rss_kib) / 1024 )) MiB, evaluated $(metric_sum aegis_traces_evaluated_total)"
    fi
    i=$((i + 1))
    sleep 10
  done
) &
sampler=$!
ingest_phase "$soak_s" soak
kill "$sampler" 2>/dev/null || true
python3 - "$work/rss.txt" <<'EOF'
import sys
v = [int(x) / 1024 for x in open(sys.argv[1]).read().split()]
n = len(v)
first, last = v[: max(1, n // 10)], v[-max(1, n // 10):]
print(f"  RssAnon over {n} samples: min {min(v):.0f} MiB, max {max(v):.0f} MiB; "
      f"first tenth mean {sum(first) / len(first):.0f} MiB, last tenth mean {sum(last) / len(last):.0f} MiB")
EOF
stop
