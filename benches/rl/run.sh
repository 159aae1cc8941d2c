#!/usr/bin/env bash
# RL simulator speed, side by side in one run: the CartPole generated from the spec
# (domains/control) and Gymnasium's CartPole-v1 (pinned in scripts/gymnasium/constraints.txt),
# single environment, random actions; then Aegis's vectorised runner on one core and on all.
#   usage: bash benches/rl/run.sh [min-seconds]      (default 5 per measurement)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
secs="${1:-5}"
echo "## machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(date -u +%Y-%m-%d)"
py="$(bash scripts/gymnasium/setup.sh)"
cargo bench --quiet -p aegis-tests --bench simulators --no-run >&2
echo "## aegis (Rust, generated from the spec)"
cargo bench --quiet -p aegis-tests --bench simulators -- "$secs"
echo "## gymnasium (Python)"
"$py" benches/rl/gym_cartpole.py "$secs"
