#!/usr/bin/env bash
# The shipped Tier-2 models scored against Tier-1 labels on traces labelled by hand: a trace is
# unsafe/misleading when its expected findings include a rule at the domain's `fail_at`
# severity. Usage: benches/tier2/accuracy.sh [--registry DIR]  (default: compiled-in weights)
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p aegis-eval
bin="${CARGO_TARGET_DIR:-target}/release/aegis-eval"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$bin" inspect healthcare --json >"$tmp/healthcare.json"
"$bin" inspect trading --json >"$tmp/trading.json"
score() { # domain model fail pass traces-stem
    python3 benches/tier2/rule_labels.py "$tmp/$1.json" "$5.jsonl" "$5.expected.json" "$3" "$4" >"$tmp/labels.jsonl"
    "$bin" models eval "$1/$2" --data "$tmp/labels.jsonl" "${@:6}" | sed "s#$tmp/labels.jsonl#$5.jsonl#"
}
score healthcare safety_risk unsafe safe examples/traces/healthcare "$@"
score healthcare safety_risk unsafe safe tests/data/healthcare_holdout "$@"
score healthcare safety_risk unsafe safe tests/data/healthcare_holdout2 "$@"
score trading advice_risk misleading balanced examples/traces/trading "$@"
