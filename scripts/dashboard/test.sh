#!/usr/bin/env bash
# The dashboard in a real browser (scripts/dashboard/test.py): Debian's chromium driven over
# WebDriver against a real aegis-eval serve on loopback. Screenshots of each page are written
# to <target dir>/dashboard-screens/. Runs the debug aegis-eval in the target dir (built here
# when missing), or $AEGIS_EVAL_BIN.
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
cd "$root"
PYTHONDONTWRITEBYTECODE=1 "$py" "$here/test.py" "$bin" "$target/dashboard-screens"
