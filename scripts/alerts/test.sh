#!/usr/bin/env bash
# Alerts delivered to real receivers on loopback (scripts/alerts/test.py): a webhook receiver
# that checks every signature with the Standard Webhooks reference library, Slack- and
# PagerDuty-shaped receivers, a restart mid-delivery, and a PHI canary. Runs the debug
# aegis-eval in the target dir (built here when missing), or $AEGIS_EVAL_BIN.
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
PYTHONDONTWRITEBYTECODE=1 "$py" "$here/test.py" "$bin"
