#!/usr/bin/env bash
# Creates (once) the Python venv for the peer benchmarks and installs the pinned
# Guardrails AI into it, then prints the venv's python. Safe to run again.
#   usage: bash benches/peers/setup.sh   ->   /…/target/peer-venv/bin/python
set -euo pipefail

GUARDRAILS_VERSION=0.11.0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(bash "$here/../../scripts/python-venv.sh" peer)"

have="$("$py" -c 'from importlib.metadata import version; print(version("guardrails-ai"))' 2>/dev/null || true)"
if [ "$have" != "$GUARDRAILS_VERSION" ]; then
  "$py" -m pip install --quiet --disable-pip-version-check \
    -c "$here/constraints.txt" "guardrails-ai==$GUARDRAILS_VERSION" >&2
fi

echo "$py"
