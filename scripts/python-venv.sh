#!/usr/bin/env bash
# Creates (once) the Python venv `<target dir>/<name>-venv` that the benchmarks and recording
# scripts install their pinned packages into, and prints its python. The target dir is
# $CARGO_TARGET_DIR (relative to the repository), else target/. Safe to run again.
#   usage: bash scripts/python-venv.sh <name>   ->   /…/target/<name>-venv/bin/python
set -euo pipefail
name="${1:?usage: python-venv.sh <name>}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
venv="$target/$name-venv"
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$target"
  python3 -m venv "$venv" >&2
fi
echo "$venv/bin/python"
