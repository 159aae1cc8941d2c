#!/usr/bin/env bash
# Streams a ~1.1 GB JSONL file (the bundled traces, repeated) through aegis-eval and reports
# peak memory (max RSS) and time: memory must stay flat whatever the input size.
#   usage: bash benches/big_input.sh [MEGABYTES]   (default 1100)
set -euo pipefail
cd "$(dirname "$0")/.."
mb="${1:-1100}"
big="${TMPDIR:-/tmp}/aegis-big-input.jsonl"
target="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --release -p aegis-eval
bytes=$((mb * 1000 * 1000))
: > "$big"
while [ "$(stat -c %s "$big")" -lt "$bytes" ]; do
  for _ in $(seq 200); do cat examples/traces/healthcare.jsonl; done >> "$big"
done
echo "input: $(stat -c %s "$big") bytes, $(wc -l < "$big") traces"
/usr/bin/time -f "max RSS %M KiB, %e s wall, %U s user" \
  "$target/release/aegis-eval" run "$big" --format jsonl --quiet > /dev/null
rm -f "$big"
