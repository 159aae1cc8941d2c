#!/usr/bin/env bash
# Tier 0 end to end: `aegis-eval sanitize` (read JSON lines, detect every class, pseudonymise,
# write JSON lines; wall clock, start-up included, one process) on 50,000 traces whose output is
# the Faker corpus's text (benches/phi/make_corpus.py --seed 7), beside Presidio's
# AnalyzerEngine (analysis only, one thread, models loaded before timing) on the first
# PRESIDIO_DOCS of the same texts, in the same run.
#
#   bash benches/phi/sanitize_speed.sh            # PRESIDIO_DOCS=1000 by default
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-target}"
docs="${DOCS:-50000}"
presidio_docs="${PRESIDIO_DOCS:-1000}"
cargo build --quiet --release -p aegis-eval
py="$(bash benches/phi/setup.sh | tail -n 1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$py" benches/phi/make_corpus.py --seed 7 --docs "$docs" --out "$work/corpus.jsonl" >/dev/null
python3 - "$work" "$presidio_docs" <<'PY'
import json, sys
work, n = sys.argv[1], int(sys.argv[2])
with open(f"{work}/corpus.jsonl") as f, open(f"{work}/traces.jsonl", "w") as t, \
        open(f"{work}/presidio.jsonl", "w") as p:
    for i, line in enumerate(f):
        d = json.loads(line)
        t.write(json.dumps({"id": d["id"], "output": d["text"]}, ensure_ascii=False) + "\n")
        if i < n:
            p.write(line)
PY
bytes=$(stat -c %s "$work/traces.jsonl")
start=$(date +%s.%N)
AEGIS_PHI_KEY=5afe4a7b0c1d2e3f5afe4a7b0c1d2e3f5afe4a7b0c1d2e3f5afe4a7b0c1d2e3f \
  "$target/release/aegis-eval" sanitize "$work/traces.jsonl" -o "$work/out.jsonl" 2>/dev/null
end=$(date +%s.%N)
"$py" benches/phi/presidio_run.py --corpus "$work/presidio.jsonl" --out "$work/presidio-pred.jsonl" \
  --threads 1 > "$work/presidio.json"
python3 - "$docs" "$bytes" "$start" "$end" "$work/presidio.json" <<'PY'
import json, sys
docs, size, start, end = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
p = json.load(open(sys.argv[5]))
secs = end - start
aegis = docs / secs
print(f"aegis-eval sanitize: {docs} traces ({size / 1e6:.1f} MB of JSON) in {secs:.2f} s: {aegis:,.0f} traces/s")
print(f"Presidio AnalyzerEngine: {p['docs']} texts in {p['seconds']:.2f} s: {p['docs_per_sec']:,.1f} texts/s")
print(f"ratio: {aegis / p['docs_per_sec']:,.0f}x")
PY
