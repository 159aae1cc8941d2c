#!/usr/bin/env bash
# Creates (once) the Python venv for the Gymnasium recordings and speed comparison: gymnasium
# (no extras: CartPole and Pendulum need no pygame unless rendering) on NumPy, pinned; prints
# the venv's python. Safe to run again.
#   usage: bash scripts/gymnasium/setup.sh   ->   /…/target/gymnasium-venv/bin/python
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(bash "$here/../python-venv.sh" gymnasium)"
if ! "$py" -c 'import gymnasium, numpy' 2>/dev/null; then
  "$py" -m pip install --quiet --disable-pip-version-check -c "$here/constraints.txt" \
    gymnasium >&2
fi
echo "$py"
