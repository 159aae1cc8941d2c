#!/usr/bin/env bash
# Aegis results exported to a real Arize Phoenix (scripts/phoenix/export-test.py): creates the
# pinned Phoenix venv when missing (scripts/phoenix/setup.sh) and runs the test against the
# debug aegis-eval in the target dir (built here when missing), or $AEGIS_EVAL_BIN.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="$(bash "$here/setup.sh")"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
bin="${AEGIS_EVAL_BIN:-$target/debug/aegis-eval}"
if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build --quiet -p aegis-eval)
fi
PYTHONDONTWRITEBYTECODE=1 "$py" "$here/export-test.py" "$bin"
