#!/usr/bin/env bash
# PHI detection: Aegis (Rust, aegis-phi's phi_detect example) vs Microsoft Presidio, on the
# same synthetic Faker corpus (seed 7, 2000 docs): accuracy tables and a speed comparison.
#   usage: bash benches/phi/run.sh [--presidio-only]
# --presidio-only: if the Aegis step is missing or fails, say so and go on with Presidio
# alone (without it, a failing Aegis step fails the script).
# Outputs go to ${CARGO_TARGET_DIR:-target}/phi/: corpus.jsonl, pred-*.jsonl, *-timing.json,
# score.json. Run it on an otherwise idle machine: the timings are single-threaded.
set -euo pipefail

presidio_only=0
for arg in "$@"; do
  case "$arg" in
    --presidio-only) presidio_only=1 ;;
    *) echo "usage: bash benches/phi/run.sh [--presidio-only]" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
out="$target/phi"
mkdir -p "$out"
corpus="$out/corpus.jsonl"

echo "## machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(date -u +%Y-%m-%d)"
echo

py="$(bash "$here/setup.sh" | tail -n 1)"
"$py" "$here/make_corpus.py" --seed 7 --docs 2000 --out "$corpus"

# ---- Aegis (Rust)
systems=()
rm -f "$out/aegis-timing.json" "$out/pred-aegis.jsonl"
aegis_fail() {
  echo "run.sh: Aegis step failed: $1" >&2
  echo "run.sh: (needs crate aegis-phi with an example phi_detect taking --corpus/--out and" >&2
  echo "run.sh:  printing a JSON timing line on stdout)" >&2
  if [ "$presidio_only" = 1 ]; then
    echo "run.sh: --presidio-only given: continuing with Presidio alone" >&2
    return 0
  fi
  echo "run.sh: pass --presidio-only to run the Presidio side alone" >&2
  exit 1
}
if ! find . \( -path ./target -o -path ./.git -o -path "./${target#"$root"/}" \) -prune \
       -o -name Cargo.toml -print0 | xargs -0 grep -qsE '^name *= *"aegis-phi"'; then
  aegis_fail "no crate named aegis-phi in this workspace"
elif ! cargo run --release --quiet -p aegis-phi --example phi_detect -- \
       --corpus "$corpus" --out "$out/pred-aegis.jsonl" > "$out/aegis-timing.json"; then
  aegis_fail "cargo run -p aegis-phi --example phi_detect exited non-zero"
elif [ ! -s "$out/pred-aegis.jsonl" ]; then
  aegis_fail "phi_detect wrote no predictions to $out/pred-aegis.jsonl"
else
  systems+=(aegis)
fi

# ---- Presidio (Python)
"$py" "$here/presidio_run.py" --corpus "$corpus" --out "$out/pred-presidio.jsonl" --threads 1 \
  > "$out/presidio-timing.json"
systems+=(presidio)

# ---- accuracy
preds=()
for s in "${systems[@]}"; do preds+=(--pred "$s=$out/pred-$s.jsonl"); done
echo "## accuracy (corpus: seed 7, 2000 docs; see benches/phi/README.md for the metrics)"
echo
"$py" "$here/score.py" --corpus "$corpus" "${preds[@]}" --markdown --json "$out/score.json"
echo

# ---- speed
echo "## speed (single thread, analysis time only)"
echo
timings=()
for s in "${systems[@]}"; do timings+=("$s=$out/$s-timing.json"); done
"$py" "$here/speed_table.py" "${timings[@]}"

# Second speed figure: clinical answers as LLMs write them, with almost no PHI (the bundled
# example traces and the two held-out healthcare sets, input + output of each trace). Both
# systems read the same documents.
if [[ " ${systems[*]} " == *" aegis "* ]]; then
  sparse="$out/clinical-answers.jsonl"
  "$py" - "$root" "$sparse" <<'EOF2'
import json, sys
root, dst = sys.argv[1], sys.argv[2]
with open(dst, "w", encoding="utf-8") as out:
    for src in ["examples/traces/healthcare.jsonl", "tests/data/healthcare_holdout.jsonl",
                "tests/data/healthcare_holdout2.jsonl"]:
        with open(f"{root}/{src}", encoding="utf-8") as f:
            for n, line in enumerate(f):
                if line.strip():
                    t = json.loads(line)
                    text = (t.get("input") or "") + "\n" + (t.get("output") or "")
                    out.write(json.dumps({"id": f"{src}:{n + 1}", "text": text, "entities": []}) + "\n")
EOF2
  cargo run --release --quiet -p aegis-phi --example phi_detect -- --corpus "$sparse" \
    > "$out/aegis-sparse-timing.json"
  "$py" "$here/presidio_run.py" --corpus "$sparse" --out "$out/pred-presidio-sparse.jsonl" \
    --threads 1 > "$out/presidio-sparse-timing.json"
  echo
  echo "## speed on clinical answers with almost no PHI (bundled examples + held-out sets)"
  echo
  "$py" "$here/speed_table.py" "aegis=$out/aegis-sparse-timing.json" \
    "presidio=$out/presidio-sparse-timing.json"
fi
