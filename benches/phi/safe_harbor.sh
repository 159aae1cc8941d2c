#!/usr/bin/env bash
# Tier 0 end to end (`aegis-eval sanitize`, pseudonyms, one fixed key) on text it was not tuned
# on, scored by benches/phi/safe_harbor.py: leak-recall per class (names US / international),
# clinical and legal tokens kept, documents returned byte-identical.
#
#   bash benches/phi/safe_harbor.sh            # every corpus below that exists
#
# Corpora: the Faker corpora (tests/data/phi: seed 11 tuned on, seed 23 held out, a second
# generator's seed 99), PHI-free clinical notes from two independent generators written by
# helpers who saw no code (tests/data/phi_free_notes: a development set since its first
# measurement; tests/data/phi_free_notes_b: held out), and legal and brokerage texts
# (tests/data/pii_legal_trading: seen once; tests/data/pii_legal_trading_b: held out),
# sanitised with the classes their domain's spec detects.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-target}"
bin="${AEGIS_EVAL_BIN:-$target/release/aegis-eval}"
[ -n "${AEGIS_EVAL_BIN:-}" ] || cargo build --quiet --release -p aegis-eval
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export AEGIS_PHI_KEY=5afe4a7b0c1d2e3f5afe4a7b0c1d2e3f5afe4a7b0c1d2e3f5afe4a7b0c1d2e3f

# score <name> <corpus> [filter-domain] [classes]
score() {
  local name="$1" corpus="$2" domain="${3:-}" classes="${4:-}"
  # One pass: the corpus's lines of this domain, and each as a trace whose output is its text.
  python3 - "$corpus" "$domain" "$work/$name.corpus" "$work/$name.in" <<'PY'
import json, sys
corpus, domain, kept, traces = sys.argv[1:5]
with open(kept, "w", encoding="utf-8") as k, open(traces, "w", encoding="utf-8") as t:
    for line in open(corpus, encoding="utf-8"):
        if line.strip():
            d = json.loads(line)
            if domain and d.get("domain") != domain:
                continue
            k.write(line.rstrip("\n") + "\n")
            t.write(json.dumps({"id": d["id"], "output": d["text"]}, ensure_ascii=False) + "\n")
PY
  local args=()
  [ -z "$classes" ] || args+=(--classes "$classes")
  "$bin" sanitize "$work/$name.in" "${args[@]}" -o "$work/$name.out" 2>/dev/null
  echo "## $name ($corpus${domain:+, $domain}${classes:+; classes $classes})"
  python3 benches/phi/safe_harbor.py "$work/$name.corpus" "$work/$name.out"
}

for seed in 11 23; do
  f=tests/data/phi/faker_corpus_seed$seed.jsonl
  [ ! -f "$f" ] || score "faker-seed$seed" "$f"
done
f=tests/data/phi/alt_templates_seed99.jsonl
[ ! -f "$f" ] || score "alt-seed99" "$f"
f=tests/data/phi_free_notes/notes.jsonl
[ ! -f "$f" ] || score "phi-free-notes (development set)" "$f"
f=tests/data/phi_free_notes_b/notes.jsonl
[ ! -f "$f" ] || score "phi-free-notes-b (held out)" "$f"
legal=$(sed -n 's/^  detect: \[\(.*\)\]$/\1/p' domains/legal/domain_spec.yaml | tr -d ' ')
trading=$(sed -n 's/^  detect: \[\(.*\)\]$/\1/p' domains/trading/domain_spec.yaml | tr -d ' ')
for set in pii_legal_trading pii_legal_trading_b; do
  f=tests/data/$set/cases.jsonl
  if [ -f "$f" ]; then
    score "legal ($set)" "$f" legal "$legal"
    score "trading ($set)" "$f" trading "$trading"
  fi
done
