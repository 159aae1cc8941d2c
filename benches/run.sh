#!/usr/bin/env bash
# Runs Aegis's Tier-1 benchmark and the Guardrails AI / Python `re` peers, one after the other on
# the same machine, on the same traces. Results go to stdout; copy them into BENCHMARKS.md.
#   usage: bash benches/run.sh [SECONDS]     (default 5 s per measurement)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-5}"
traces=examples/traces/healthcare.jsonl

echo "## machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(date -u +%Y-%m-%d)"
echo
cargo build --quiet --release -p aegis-runtime --benches >/dev/null
echo "## aegis (Rust, compiled rules)"
cargo bench --quiet -p aegis-runtime --bench tier1 -- "$secs"
echo
py=$(bash benches/peers/setup.sh)
echo "## peers (Python, same traces, one pinned core)"
"$py" benches/peers/guardrails_tier1.py "$traces" "$((secs * 2))"
"$py" benches/peers/guardrails_tier1.py "$traces" "$((secs * 2))" --plain-re
