#!/usr/bin/env bash
# The compose topology (deploy/compose/compose.yaml) without containers, on this machine:
# PostgreSQL and Redis (scripts/scale/servers.sh), an API process, two workers and Prometheus
# with the compose topology's own prometheus.yml (addresses and file paths rewritten) and the
# alert rules of deploy/prometheus/alerts.yml. Every port is a free one on loopback.
#
#   bash scripts/deploy/native.sh start <dir>   # writes <dir>/env: URLs, the API key, pids
#   bash scripts/deploy/native.sh stop <dir>
#
# The store takes its password as a deployment would: PostgreSQL checks it (scram-sha-256
# for the role aegis_app), and Aegis reads it from a file (PGPASSWORD_FILE); the metrics token
# likewise (AEGIS_METRICS_TOKEN_FILE), which Prometheus sends. Set AEGIS_BIN for another
# binary than the debug build, NATIVE_INTERVAL for another scrape and rule interval than 15s.
set -euo pipefail
cmd="${1:?start or stop}"
dir="${2:?a directory for the data of the topology}"
cd "$(dirname "$0")/../.."
root="$(pwd)"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "$cmd" in
start)
  # A new topology each start: nothing of an earlier one's data (Prometheus would still show
  # its series for five minutes).
  if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] && [ ! -f "$dir/.aegis-native" ]; then
    echo "$dir is not empty and not a topology of this script's: not removing it" >&2
    exit 2
  fi
  rm -rf "$dir" && mkdir -p "$dir" && touch "$dir/.aegis-native"
  dir="$(cd "$dir" && pwd)"
  bin="${AEGIS_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/aegis-eval}"
  if [ ! -x "$bin" ]; then
    echo "building aegis-eval (cargo build -p aegis-eval)" >&2
    cargo build -q -p aegis-eval
  fi
  if ! command -v prometheus >/dev/null 2>&1; then
    echo "installing prometheus (Debian package)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus) >&2
  fi
  bash scripts/scale/servers.sh start "$dir/servers" >&2
  # shellcheck disable=SC1091
  . "$dir/servers/env"

  # Secrets, as files only their owner reads.
  mkdir -p "$dir/secrets" && chmod 700 "$dir/secrets"
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/secrets/pg-password"
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/secrets/metrics-token"
  chmod 600 "$dir/secrets/"*

  # A role that must give its password (the servers' other roles are trusted on loopback).
  pg_port="${AEGIS_TEST_POSTGRES##*:}"; pg_port="${pg_port%%/*}"
  psql -q -h 127.0.0.1 -p "$pg_port" -U aegis -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE aegis_app LOGIN PASSWORD '$(cat "$dir/secrets/pg-password")'" \
    -c "GRANT CREATE ON DATABASE postgres TO aegis_app" >/dev/null
  hba="$AEGIS_TEST_PG_DATA/pg_hba.conf"
  { echo "host all aegis_app 127.0.0.1/32 scram-sha-256"; cat "$hba"; } >"$hba.new"
  chown --reference="$hba" "$hba.new" && mv "$hba.new" "$hba"
  $AEGIS_TEST_PG_CTL reload >/dev/null
  store="postgres://aegis_app@127.0.0.1:$pg_port/postgres"
  queue="$AEGIS_TEST_REDIS"
  export PGPASSWORD_FILE="$dir/secrets/pg-password"
  export AEGIS_METRICS_TOKEN_FILE="$dir/secrets/metrics-token"
  export AEGIS_QUEUE="$queue" AEGIS_STORE="$store"
  printf "export AEGIS_QUEUE='%s' AEGIS_STORE='%s'\n" "$queue" "$store" >"$dir/store.env"

  # An organisation, its API key and its Tier-0 key (in a keys directory, as from a Secret).
  "$bin" orgs create demo --dir "$dir/service" --tier0-keys "$dir/tier0-keys" \
    >"$dir/org.txt" 2>"$dir/org.log"
  api_key="$(tail -n 1 "$dir/org.txt")"

  api_port="$(free_port)"; w1_port="$(free_port)"; w2_port="$(free_port)"; prom_port="$(free_port)"
  # The API process starts with an empty directory of its own, as a Kubernetes pod does (an
  # emptyDir), and only the keys.
  "$bin" serve --workers 0 --addr "127.0.0.1:$api_port" --dir "$dir/api-dir" \
    --tier0-keys "$dir/tier0-keys" >"$dir/serve.log" 2>&1 &
  echo $! >"$dir/serve.pid"
  for w in 1 2; do
    port_var="w${w}_port"
    "$bin" worker --workers 1 --listen "127.0.0.1:${!port_var}" >"$dir/worker-$w.log" 2>&1 &
    echo $! >"$dir/worker-$w.pid"
  done

  interval="${NATIVE_INTERVAL:-15s}"
  sed -e "s|serve:8420|127.0.0.1:$api_port|" \
      -e "s|worker-1:9420|127.0.0.1:$w1_port|" \
      -e "s|worker-2:9420|127.0.0.1:$w2_port|" \
      -e "s|127.0.0.1:9090|127.0.0.1:$prom_port|" \
      -e "s|/run/secrets/metrics_token|$dir/secrets/metrics-token|" \
      -e "s|/etc/prometheus/alerts.yml|$root/deploy/prometheus/alerts.yml|" \
      -e "s|_interval: 15s|_interval: $interval|" \
      deploy/compose/prometheus.yml >"$dir/prometheus.yml"
  promtool check config "$dir/prometheus.yml" >"$dir/promtool.log" 2>&1 \
    || { cat "$dir/promtool.log" >&2; exit 1; }
  prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/prometheus-data" \
    --web.listen-address="127.0.0.1:$prom_port" >"$dir/prometheus.log" 2>&1 &
  echo $! >"$dir/prometheus.pid"

  for _ in $(seq 1 150); do
    "$bin" health --url "http://127.0.0.1:$api_port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  "$bin" health --url "http://127.0.0.1:$api_port/readyz" >/dev/null \
    || { cat "$dir/serve.log" >&2; echo "the API process did not get ready" >&2; exit 1; }

  cat >"$dir/env" <<ENV
export NATIVE_API='http://127.0.0.1:$api_port'
export NATIVE_WORKERS='http://127.0.0.1:$w1_port http://127.0.0.1:$w2_port'
export NATIVE_PROMETHEUS='http://127.0.0.1:$prom_port'
export NATIVE_API_KEY='$api_key'
export NATIVE_METRICS_TOKEN_FILE='$dir/secrets/metrics-token'
export NATIVE_DIR='$dir'
ENV
  echo "API $api_port, workers $w1_port $w2_port, Prometheus $prom_port; env in $dir/env" >&2
  ;;
stop)
  [ -d "$dir" ] || exit 0
  dir="$(cd "$dir" && pwd)"
  for p in prometheus worker-1 worker-2 serve; do
    if [ -f "$dir/$p.pid" ]; then
      kill "$(cat "$dir/$p.pid")" 2>/dev/null || true
    fi
  done
  for p in prometheus worker-1 worker-2 serve; do
    if [ -f "$dir/$p.pid" ]; then
      for _ in $(seq 1 100); do kill -0 "$(cat "$dir/$p.pid")" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$(cat "$dir/$p.pid")" 2>/dev/null || true
      rm -f "$dir/$p.pid"
    fi
  done
  bash scripts/scale/servers.sh stop "$dir/servers"
  ;;
*)
  echo "usage: native.sh start|stop <dir>" >&2
  exit 2
  ;;
esac
