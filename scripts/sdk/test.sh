#!/usr/bin/env bash
# The Python SDK's tests (sdk/python/tests) against a real `aegis-eval serve` on loopback: the
# client, the LangChain and LlamaIndex callbacks with their real packages, and the OpenTelemetry
# path (OpenInference's LangChain instrumentation + the OTLP/HTTP exporter). Creates (once) the
# venv <target dir>/sdk-venv with the pinned packages of constraints.txt, installs the SDK into
# it, and runs pytest. The server binary is $AEGIS_EVAL_BIN, else the debug build in the target
# dir (built here when missing).
#   usage: bash scripts/sdk/test.sh [pytest args]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="$(bash "$root/scripts/python-venv.sh" sdk)"
if ! "$py" -c 'import setuptools, pytest, langchain_core, llama_index.core, openinference.instrumentation.langchain, opentelemetry.exporter.otlp.proto.http' 2>/dev/null; then
  "$py" -m pip install --quiet --disable-pip-version-check -c "$here/constraints.txt" \
    setuptools pytest langchain-core llama-index-core openinference-instrumentation-langchain \
    opentelemetry-sdk opentelemetry-exporter-otlp-proto-http >&2
fi
# The SDK as a user installs it (its py.typed included), fresh each run, built from a copy so
# that nothing is written into the tree (no build/, no egg-info, no bytecode).
export PYTHONDONTWRITEBYTECODE=1
copy="$(mktemp -d)"
trap 'rm -rf "$copy"' EXIT
cp -r "$root/sdk/python/." "$copy/"
"$py" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
  --force-reinstall "$copy" >&2
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
if [ -z "${AEGIS_EVAL_BIN:-}" ] && [ ! -x "$target/debug/aegis-eval" ]; then
  (cd "$root" && cargo build --quiet -p aegis-eval)
fi
cd "$root/sdk/python"
"$py" -m pytest -q -p no:cacheprovider tests "$@"
