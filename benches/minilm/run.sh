#!/usr/bin/env bash
# Tier-2 speed, side by side in one run: the hashed_ngrams model (traces/s, one core) and MiniLM
# embeddings in candle vs sentence-transformers on PyTorch, same texts, batch 1, 8 and 32.
#   usage: bash benches/minilm/run.sh [min-seconds]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
secs="${1:-5}"
texts=examples/traces/healthcare.jsonl
cargo xtask fetch-model minilm >&2
py="$(bash benches/minilm/setup.sh)"
cargo build --release -q -p aegis-models --example tier2_bench
target="${CARGO_TARGET_DIR:-target}"
RAYON_NUM_THREADS=2 "$target/release/examples/tier2_bench" --weights domains/healthcare/models/safety_risk \
  --texts "$texts" --min-seconds "$secs" --plain-bert
HF_HUB_OFFLINE=1 "$py" benches/minilm/st_bench.py models/all-MiniLM-L6-v2 "$texts" "$secs"
