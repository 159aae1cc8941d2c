#!/usr/bin/env bash
# OTLP/HTTP trace ingest side by side: `aegis-eval serve` (POST /otlp/v1/traces) against
# Arize Phoenix (POST /v1/traces, pinned by scripts/phoenix/constraints.txt), on this machine,
# one after the other, with the same request bodies and the same load: wrk -t2 -c8 (Debian's
# package, installed here when missing) for SECONDS. Everything shares the cores: the server,
# its workers or insert loop, and wrk.
#
#   bash benches/otlp/run.sh [SECONDS]      (default 30)
#   OTLP_BENCH_ONLY=aegis|phoenix bash benches/otlp/run.sh ...   (one side only)
#   OTLP_BENCH_SCENARIOS="1 3" bash benches/otlp/run.sh ...       (some scenarios only)
#
# Bodies (benches/otlp/make_bodies.py) are recorded exports (examples/otlp) with fresh ids;
# post.lua stamps every request's ids so that no trace or span is ever sent twice. Scenarios:
#   1. openinference-openai.pb as recorded: 2 one-span traces a request (healthcare);
#   2. the same, 50 copies a request: 100 traces, 100 spans (an SDK batch exporter's batch);
#   3. openinference-langchain-agent.pb, 20 copies a request: 20 agent traces of 5 spans
#      (trading).
# For each, a fresh server with an empty store:
#   Aegis: spans accepted per second (aegis_traces_ingested_total x spans per trace, over the
#     load), and traces evaluated and stored per second (aegis_traces_evaluated_total, from the
#     first request until the queue is empty; Tiers 0-2, two workers).
#   Phoenix: spans accepted per second by HTTP (2xx responses x spans per body; Phoenix answers
#     before it has even queued the spans), and spans persisted per second: the rows of its
#     SQLite `spans` table (PHOENIX_WORKING_DIR/phoenix.db), polled until the count has not
#     grown for 10 s, over the time from the first request to the poll that first saw the final
#     count. Phoenix refuses requests with 503 while 20,000 spans wait to be inserted
#     (PHOENIX_MAX_SPANS_QUEUE_SIZE, left at its default). Requests still in flight when wrk
#     stops are not counted by wrk but are stored by either server: so a few more spans than
#     the 2xx responses carried may be persisted.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs="${1:-30}"
only="${OTLP_BENCH_ONLY:-}"
pick="${OTLP_BENCH_SCENARIOS:-1 2 3}"
target="${CARGO_TARGET_DIR:-target}"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)" >&2
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
[ "$only" = phoenix ] || cargo build --quiet --release -p aegis-eval
bin="$target/release/aegis-eval"
py="$(bash scripts/phoenix/setup.sh)"
phoenix_bin="$(dirname "$py")/phoenix"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
wait_up() { # wait_up <url> <log> <tries of 0.2 s>
  for _ in $(seq "$3"); do
    curl -sf "$1/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "the server did not start; its log:" >&2; cat "$2" >&2; exit 1
}
stop() { # SIGTERM, then SIGKILL after 30 s
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
metric_sum() { # metric_sum <name>: the sum of a metric's samples
  curl -s "$url/metrics" | awk -v m="$1" 'index($0, m) == 1 { s += $NF } END { printf "%d\n", s }'
}
meta() { awk -v k="$2" '$1 == k { print $2 }' "$1/meta.txt"; }
load() { # load <bodies> <path> <wrk output> [key domain]: wrk -t2 -c8 for $secs
  OTLP_BENCH_BODIES="$1" OTLP_BENCH_PATH="$2" OTLP_BENCH_KEY="${4:-}" OTLP_BENCH_DOMAIN="${5:-}" \
    wrk -t2 -c8 -d"${secs}s" --timeout 30s -s benches/otlp/post.lua "$url" > "$3"
}
wrk_counts() { # wrk_counts <wrk output>: "requests non2xx socket_errors"
  awk '/requests in/ { r = $1 }
       /Non-2xx or 3xx responses:/ { n = $NF }
       /Socket errors:/ { gsub(",", ""); e = $4 + $6 + $8 + $10 }
       END { printf "%d %d %d\n", r, n, e }' "$1"
}

aegis() { # aegis <bodies> <domain> <n>: prints "spans accepted/s, spans stored/s"
  local b=$1 domain=$2 n=$3
  local dir="$work/aegis-$n"
  local key; key=$("$bin" orgs create bench --store "$dir" | sed -n 3p)
  local port; port=$(free_port)
  "$bin" serve --store "$dir" --addr "127.0.0.1:$port" --workers 2 2>"$dir.log" &
  server_pid=$!
  url="http://127.0.0.1:$port"
  wait_up "$url" "$dir.log" 100
  local t0; t0=$(now)
  load "$b" /otlp/v1/traces "$work/wrk-aegis-$n.txt" "$key" "$domain"
  local t1; t1=$(now)
  local ingested; ingested=$(metric_sum aegis_traces_ingested_total)
  local rejected; rejected=$(metric_sum aegis_lines_rejected_total)
  while [ "$(metric_sum aegis_queue_depth)" != "0" ]; do sleep 0.2; done
  local t2; t2=$(now)
  local stored; stored=$(metric_sum aegis_traces_evaluated_total)
  stop
  python3 - "$(wrk_counts "$work/wrk-aegis-$n.txt")" "$(meta "$b" traces_per_body)" \
    "$(meta "$b" spans_per_body)" "$ingested" "$rejected" "$stored" "$t0" "$t1" "$t2" \
    "$work/result-aegis-$n" <<'EOF'
import sys
(requests, non2xx, errors), tpb, spb, ingested, rejected, stored = (
    map(int, sys.argv[1].split()), *map(int, sys.argv[2:7]))
t0, t1, t2 = map(float, sys.argv[7:10])
ok = requests - non2xx
spt = spb / tpb
acc = ingested * spt / (t1 - t0)
sto = stored * spt / (t2 - t0)
print(f"  Aegis:   {requests} requests, {ok} 2xx, non-2xx {non2xx}, socket errors {errors}; "
      f"{ingested} of {ok * tpb} traces sent queued ({rejected} refused)")
print(f"           accepted {acc:,.0f} spans/s ({ingested / (t1 - t0):,.0f} traces/s) over {t1 - t0:.1f} s")
print(f"           stored   {stored} traces evaluated, queue empty {t2 - t1:.1f} s after the load: "
      f"{stored / (t2 - t0):,.0f} traces/s = {sto:,.0f} spans/s first request to last stored")
open(sys.argv[10], "w").write(f"{acc} {sto}\n")
EOF
}

phoenix() { # phoenix <bodies> <n>
  local b=$1 n=$2
  local dir="$work/phoenix-$n"
  mkdir -p "$dir"
  local port; port=$(free_port)
  local grpc; grpc=$(free_port)
  PHOENIX_HOST=127.0.0.1 PHOENIX_PORT="$port" PHOENIX_GRPC_PORT="$grpc" PHOENIX_WORKING_DIR="$dir" \
    PHOENIX_TELEMETRY_ENABLED=false PHOENIX_ALLOW_EXTERNAL_RESOURCES=false \
    "$phoenix_bin" serve >"$dir.log" 2>&1 &
  server_pid=$!
  url="http://127.0.0.1:$port"
  wait_up "$url" "$dir.log" 600
  local t0; t0=$(now)
  load "$b" /v1/traces "$work/wrk-phoenix-$n.txt"
  local t1; t1=$(now)
  # Phoenix inserts after answering: poll its database until the span count stops growing.
  local persisted
  persisted=$(python3 - "$dir/phoenix.db" <<'EOF'
import sqlite3, sys, time
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
def count():
    return db.execute("SELECT count(*) FROM spans").fetchone()[0]
last, seen = count(), time.time()
while time.time() - seen < 10:
    time.sleep(0.5)
    c = count()
    if c != last:
        last, seen = c, time.time()
traces = db.execute("SELECT count(*) FROM traces").fetchone()[0]
print(last, traces, seen)
EOF
)
  stop
  python3 - "$(wrk_counts "$work/wrk-phoenix-$n.txt")" "$(meta "$b" traces_per_body)" \
    "$(meta "$b" spans_per_body)" $persisted "$t0" "$t1" "$work/result-phoenix-$n" <<'EOF'
import sys
(requests, non2xx, errors), tpb, spb, spans, traces = (
    map(int, sys.argv[1].split()), *map(int, sys.argv[2:6]))
last, t0, t1 = map(float, sys.argv[6:9])
ok = requests - non2xx
acc = ok * spb / (t1 - t0)
per = spans / (max(last, t1) - t0)
print(f"  Phoenix: {requests} requests, {ok} 2xx, non-2xx {non2xx}, socket errors {errors}")
print(f"           accepted {acc:,.0f} spans/s by HTTP ({ok * spb} spans in 2xx requests) over {t1 - t0:.1f} s")
print(f"           persisted {spans} spans ({spans / max(1, ok * spb):.1%} of those), {traces} traces, "
      f"the last {max(0.0, last - t1):.1f} s after the load: {per:,.0f} spans/s first request to last persisted")
open(sys.argv[9], "w").write(f"{acc} {per}\n")
EOF
}

scenarios=(
  # name                 export                            copies bodies domain
  "2-traces-a-request    openinference-openai.pb           1      2000   healthcare"
  "100-traces-a-request  openinference-openai.pb           50     100    healthcare"
  "20-agent-runs         openinference-langchain-agent.pb  20     100    trading"
)

echo "== OTLP/HTTP protobuf ingest, ${secs} s of wrk -t2 -c8 per server and scenario, on $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== Aegis $(git rev-parse --short HEAD) (serve --workers 2, Tiers 0-2) vs Arize Phoenix $("$py" -c 'import importlib.metadata as m; print(m.version("arize-phoenix"))') (SQLite)"
n=0
for s in "${scenarios[@]}"; do
  read -r name export copies count domain <<<"$s"
  n=$((n + 1))
  [[ " $pick " == *" $n "* ]] || continue
  b="$work/bodies-$n"
  "$py" benches/otlp/make_bodies.py "examples/otlp/$export" "$b" --bodies "$count" --copies "$copies" --seed "$n"
  echo "== $n. $name: $export x$copies = $(meta "$b" traces_per_body) traces, $(meta "$b" spans_per_body) spans, $(meta "$b" bytes_per_body) bytes a request ($count bodies, x-aegis-domain: $domain)"
  [ "$only" = phoenix ] || aegis "$b" "$domain" "$n"
  [ "$only" = aegis ] || phoenix "$b" "$n"
done

echo "== Aegis / Phoenix, spans per second"
n=0
for s in "${scenarios[@]}"; do
  read -r name _ <<<"$s"
  n=$((n + 1))
  [[ " $pick " == *" $n "* ]] || continue
  python3 - "$name" $(cat "$work/result-aegis-$n" 2>/dev/null || echo 0 0) \
    $(cat "$work/result-phoenix-$n" 2>/dev/null || echo 0 0) <<'EOF'
import sys
name, (aa, ast, pa, pp) = sys.argv[1], map(float, sys.argv[2:6])
r = lambda a, b: f"{a / b:,.1f}x" if b > 0 else "n/a"
print(f"  {name:22s} accepted {aa:9,.0f} / {pa:9,.0f} = {r(aa, pa):>7s}   "
      f"stored {ast:9,.0f} / persisted {pp:9,.0f} = {r(ast, pp):>7s}")
EOF
done
