#!/usr/bin/env bash
# Creates (once) the Python venv for the MiniLM comparison: sentence-transformers on PyTorch
# (CPU), pinned; prints the venv's python. Safe to run again. PyPI's torch wheel brings its
# CUDA libraries (a few GB) although only the CPU is used here.
#   usage: bash benches/minilm/setup.sh   ->   /…/target/minilm-venv/bin/python
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
venv="$target/minilm-venv"
py="$venv/bin/python"
if [ ! -x "$py" ]; then
  mkdir -p "$target"
  python3 -m venv "$venv" >&2
fi
if ! "$py" -c 'import sentence_transformers, torch' 2>/dev/null; then
  "$py" -m pip install --quiet --disable-pip-version-check -c "$here/constraints.txt" \
    torch sentence-transformers >&2
fi
echo "$py"
