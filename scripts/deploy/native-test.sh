#!/usr/bin/env bash
# The compose topology run natively (scripts/deploy/native.sh) and checked through Prometheus:
# every target (the API, both workers, Prometheus itself) is scraped and up; traces sent to
# the API are evaluated by the workers and counted in what Prometheus scraped from them; the
# alert rules are loaded and evaluated; a worker killed is seen down, and AegisWorkerDown goes
# pending for it. Scrapes and rule evaluations every 2 s here (15 s in the shipped file).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${CARGO_TARGET_DIR:-target}/deploy-native"
trap 'bash scripts/deploy/native.sh stop "$dir"' EXIT
NATIVE_INTERVAL=2s bash scripts/deploy/native.sh start "$dir"
# shellcheck disable=SC1091
. "$dir/env"
# The store's password really is checked, and read from PGPASSWORD_FILE: a wrong one is
# refused, and the error does not show it.
printf 'not-the-password\n' >"$dir/wrong-password"
if out=$(PGPASSWORD_FILE="$dir/wrong-password" "${AEGIS_BIN:-${CARGO_TARGET_DIR:-target}/debug/aegis-eval}" \
    orgs list --store "$(. "$dir/store.env"; echo "$AEGIS_STORE")" 2>&1); then
  echo "FAILED: a wrong PostgreSQL password was accepted" >&2; exit 1
fi
case "$out" in *not-the-password*) echo "FAILED: the error shows the password: $out" >&2; exit 1;; esac
echo "a wrong password: refused ($(echo "$out" | tail -n 1 | cut -c1-160))"
python3 - <<'PY'
import json, os, signal, sys, time, urllib.parse, urllib.request

api = os.environ["NATIVE_API"]
prom = os.environ["NATIVE_PROMETHEUS"]
workers = os.environ["NATIVE_WORKERS"].split()
key = os.environ["NATIVE_API_KEY"]
d = os.environ["NATIVE_DIR"]

def get(url, headers=None):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
        return r.status, r.read().decode()

def prom_api(path, **params):
    status, body = get(f"{prom}/api/v1/{path}?" + urllib.parse.urlencode(params))
    return json.loads(body)["data"]

def query(expr):
    return prom_api("query", query=expr)["result"]

def until(what, check, seconds=90):
    deadline = time.time() + seconds
    last = None
    while time.time() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception as e:  # a server still starting
            last = e
        time.sleep(1)
    sys.exit(f"FAILED: {what} (last: {last})")

def targets_up(expected):
    active = prom_api("targets")["activeTargets"]
    up = sorted((t["labels"]["job"], t["health"]) for t in active)
    return up if up == expected else None

expected = sorted([("aegis-api", "up"), ("aegis-worker", "up"), ("aegis-worker", "up"), ("prometheus", "up")])
print("targets:", until("every target scraped and up", lambda: targets_up(expected)))

# The metrics need the token: without it a worker refuses them (not on loopback it would 403;
# a wrong token is 401 anywhere).
try:
    get(f"{workers[0]}/metrics", {"Authorization": "Bearer wrong"})
    sys.exit("FAILED: a worker's /metrics answered a wrong token")
except urllib.error.HTTPError as e:
    assert e.code == 401, e.code

# Traces in through the API, evaluated by the workers, counted in what Prometheus scraped.
with open("examples/traces/healthcare.jsonl", "rb") as f:
    body = f.read()
n = sum(1 for line in body.splitlines() if line.strip())
req = urllib.request.Request(f"{api}/v1/traces", data=body, method="POST",
                             headers={"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"})
with urllib.request.urlopen(req, timeout=30) as r:
    assert r.status == 202, r.status
print(f"sent {n} traces: 202")

def evaluated():
    r = query('sum(aegis_traces_evaluated_total{job="aegis-worker"})')
    return r and float(r[0]["value"][1]) == n and r[0]["value"][1]
print("evaluated by the workers, as scraped:", until("the workers' results counted by Prometheus", evaluated))
def ingested():
    r = query('sum(aegis_traces_ingested_total{job="aegis-api"})')
    return r and float(r[0]["value"][1]) == n and r[0]["value"][1]
print("ingested by the API, as scraped:", until("the API's ingest counted by Prometheus", ingested))
def ready():
    r = query('aegis_worker_ready{job="aegis-worker"} == 1')
    return len(r) == 2 and r
until("both workers ready (reaching their queue and store), as scraped", ready)
depth = until("the queue drained, as scraped", lambda: [r for r in query("max(aegis_queue_depth)") if r["value"][1] == "0"])

# The rules: loaded, every one evaluated without error.
def rules_evaluated():
    groups = prom_api("rules")["groups"]
    rules = [r for g in groups for r in g["rules"]]
    ok = len(rules) >= 11 and all(r["health"] == "ok" and not r["lastEvaluation"].startswith("0001") for r in rules)
    return ok and [r["name"] for r in rules]
print("rules evaluated:", until("every alert rule loaded and evaluated", rules_evaluated))

# A worker killed: its target goes down and its alert goes pending (it fires after 5 minutes).
pid = int(open(f"{d}/worker-2.pid").read())
os.kill(pid, signal.SIGKILL)
def worker_down():
    active = prom_api("targets")["activeTargets"]
    return [t["scrapeUrl"] for t in active if t["labels"]["job"] == "aegis-worker" and t["health"] == "down"]
print("down:", until("the killed worker seen down", worker_down))
def pending():
    return query('ALERTS{alertname="AegisWorkerDown", alertstate="pending"}')
print("alert:", until("AegisWorkerDown pending for the killed worker", pending)[0]["metric"])
print("native topology ok")
PY
