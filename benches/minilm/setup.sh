#!/usr/bin/env bash
# Creates (once) the Python venv for the MiniLM comparison: sentence-transformers on PyTorch
# (CPU), pinned; prints the venv's python. Safe to run again. PyPI's torch wheel brings its
# CUDA libraries (a few GB) although only the CPU is used here.
#   usage: bash benches/minilm/setup.sh   ->   /…/target/minilm-venv/bin/python
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(bash "$here/../../scripts/python-venv.sh" minilm)"
if ! "$py" -c 'import sentence_transformers, torch' 2>/dev/null; then
  "$py" -m pip install --quiet --disable-pip-version-check -c "$here/constraints.txt" \
    torch sentence-transformers >&2
fi
echo "$py"
