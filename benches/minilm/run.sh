#!/usr/bin/env bash
# Tier-2 speed, side by side in one run: the hashed_ngrams model (traces/s, one core) and MiniLM
# embeddings in candle vs sentence-transformers on PyTorch, same texts, batch 1, 8 and 32, on two
# sets of texts: the long answers (`output`) of the healthcare examples, and the short questions
# (`input`) of every bundled example trace.
#   usage: bash benches/minilm/run.sh [min-seconds]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
secs="${1:-5}"
target="${CARGO_TARGET_DIR:-target}"
long=examples/traces/healthcare.jsonl
short="$target/minilm-bench-inputs.jsonl"
cargo xtask fetch-model minilm >&2
py="$(bash benches/minilm/setup.sh)"
cargo build --release -q -p aegis-models --example tier2_bench
mkdir -p "$target"
cat examples/traces/*.jsonl > "$short"
bench="$target/release/examples/tier2_bench"
echo "# long texts: the output field of $long" >&2
RAYON_NUM_THREADS=2 "$bench" --weights domains/healthcare/models/safety_risk \
  --texts "$long" --min-seconds "$secs" --plain-bert
HF_HUB_OFFLINE=1 "$py" benches/minilm/st_bench.py models/all-MiniLM-L6-v2 "$long" "$secs"
echo "# short texts: the input field of examples/traces/*.jsonl" >&2
RAYON_NUM_THREADS=2 "$bench" --texts "$short" --field input --min-seconds "$secs"
HF_HUB_OFFLINE=1 "$py" benches/minilm/st_bench.py models/all-MiniLM-L6-v2 "$short" "$secs" input
