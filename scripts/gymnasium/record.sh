#!/usr/bin/env bash
# Regenerates the Gymnasium reference trajectories in tests/data/gymnasium/ (CartPole-v1 and
# Pendulum-v1, JSONL, one episode per line) with the pinned venv from setup.sh.
# See tests/data/gymnasium/README.md for the format.
#   usage: bash scripts/gymnasium/record.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="$(bash "$here/setup.sh")"
"$py" "$here/record.py" "$root/tests/data/gymnasium"
