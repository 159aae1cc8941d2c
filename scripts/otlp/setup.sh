#!/usr/bin/env bash
# Creates (once) what scripts/otlp/record.py needs, pinned: the Python venv (OpenTelemetry SDK +
# OTLP/HTTP protobuf exporter, openai, langchain-core, the OTel GenAI openai-v2, Traceloop
# OpenLLMetry and OpenInference instrumentations) from constraints.txt, and the Node.js packages
# (OTel JS SDK, OTLP/HTTP JSON exporter, openai, OpenInference openai instrumentation) from
# package.json + package-lock.json via `npm ci` into <target dir>/otlp-node (never the tracked
# tree). Prints the venv's python. Safe to run again.
#   usage: bash scripts/otlp/setup.sh   ->   /…/target/otlp-venv/bin/python
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(bash "$here/../python-venv.sh" otlp)"
if ! "$py" -c 'import openai, langchain_core, opentelemetry.sdk, opentelemetry.exporter.otlp.proto.http, opentelemetry.instrumentation.openai_v2, opentelemetry.instrumentation.openai, openinference.instrumentation.openai, openinference.instrumentation.langchain' 2>/dev/null; then
  "$py" -m pip install --quiet --disable-pip-version-check -c "$here/constraints.txt" \
    openai langchain-core opentelemetry-sdk opentelemetry-exporter-otlp-proto-http \
    opentelemetry-instrumentation-openai-v2 opentelemetry-util-genai \
    opentelemetry-instrumentation-openai openinference-instrumentation-openai \
    openinference-instrumentation-langchain >&2
fi
# The Node.js side lives beside the venv: <target dir>/otlp-node.
node_dir="$(dirname "$(dirname "$(dirname "$py")")")/otlp-node"
mkdir -p "$node_dir"
if ! cmp -s "$here/package-lock.json" "$node_dir/package-lock.json" \
   || [ ! -d "$node_dir/node_modules/@arizeai/openinference-instrumentation-openai" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$node_dir/"
  (cd "$node_dir" && npm ci --no-audit --no-fund --silent) >&2
fi
echo "$py"
