#!/usr/bin/env bash
# Fuzzing with cargo-fuzz (libFuzzer, coverage-guided) on the nightly toolchain the machine
# image carries. Targets: spec_loader, expression, trace_reader, tier0 (fuzz/fuzz_targets/).
# A panic, or an input slower than 100 ms per KB, is a failure; libFuzzer keeps the input in
# fuzz/artifacts/<target>/.
#
#   bash scripts/fuzz.sh <target> <seconds>     one target, seeded from the repository
#   bash scripts/fuzz.sh --smoke [seconds]      every target briefly (what .ci/run does)
#
# cargo-fuzz is installed once into target/tools (from crates.io); the corpus grows in
# fuzz/corpus/<target> (not committed) and is seeded from the bundled specs and traces.
# Standard input is closed for cargo: its rustc probe reads source from standard input, and a
# stray pipe there (a terminal tool's) fails it with the pipe's text as "source".
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="$PWD/target/tools"
export PATH="$TOOLS/bin:$PATH"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  # Installed by a process of its own: a fuzz build started right after an install in the
  # same process was seen to fail cargo's rustc probe.
  (cargo install --locked --quiet --root "$TOOLS" cargo-fuzz </dev/null)
  exec bash "$0" "$@"
fi
# Instrumented builds go to their own target dir: they never invalidate the main one.
export CARGO_TARGET_DIR="$PWD/target/fuzz"

seed() {
  local target=$1 dir="fuzz/corpus/$1"
  mkdir -p "$dir"
  case "$target" in
    spec_loader)
      for f in domains/*/domain_spec.yaml tests/data/*/domain_spec.yaml aegis-codegen/src/new_domain/domain_spec.yaml; do
        cp "$f" "$dir/seed-$(echo "$f" | tr '/' '_')"
      done ;;
    expression)
      local n=0
      grep -h -E '^\s*(- )?(require|forbid|when):' domains/*/domain_spec.yaml tests/data/*/domain_spec.yaml |
        sed -E 's/^\s*(- )?(require|forbid|when):\s*//; s/^"(.*)"$/\1/' |
        while IFS= read -r e; do n=$((n + 1)); printf '%s' "$e" > "$dir/seed-$n"; done ;;
    trace_reader)
      for f in examples/traces/*.jsonl; do head -n 12 "$f" > "$dir/seed-$(basename "$f")"; done
      { echo '['; head -n 3 examples/traces/healthcare.jsonl | paste -sd, -; echo ']'; } > "$dir/seed-array"
      printf '{\n  "output": "pretty",\n  "metadata": {"domain": "healthcare"}\n}\n' > "$dir/seed-pretty" ;;
    tier0)
      local n=0
      for f in examples/traces/*.jsonl; do
        head -n 20 "$f" | while IFS= read -r line; do n=$((n + 1)); printf '%s' "$line" > "$dir/seed-$(basename "$f")-$n"; done
      done ;;
    *) echo "unknown target $target (spec_loader, expression, trace_reader, tier0)" >&2; exit 2 ;;
  esac
}

run() {
  local target=$1 seconds=$2
  seed "$target"
  mkdir -p target/fuzz-logs
  local log="target/fuzz-logs/$target.log"
  echo "=== fuzz $target for ${seconds}s (log: $log)"
  # -s none: no sanitizer (the code under test forbids unsafe); -timeout: libFuzzer's own
  # hang limit per input, far above the 100 ms/KB rule the targets check themselves.
  if ! cargo +nightly fuzz run --fuzz-dir fuzz -s none "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    </dev/null >"$log" 2>&1; then
    grep -E "panicked|slow input|ERROR|SUMMARY|error" "$log" | head -n 20 >&2 || tail -n 40 "$log" >&2
    echo "fuzz $target: FAILED (see $log; the input is in fuzz/artifacts/$target)" >&2
    return 1
  fi
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)" "$log" |
    sed "s/^/  $target /"
}

if [ "${1:-}" = "--smoke" ]; then
  seconds=${2:-20}
  status=0
  for t in spec_loader expression trace_reader tier0; do run "$t" "$seconds" || status=1; done
  exit $status
fi
[ $# -eq 2 ] || { echo "usage: $0 <target> <seconds> | --smoke [seconds]" >&2; exit 2; }
run "$1" "$2"
