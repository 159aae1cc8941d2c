#!/usr/bin/env bash
# Re-records the OTLP/HTTP trace exports in examples/otlp/ (protobuf from the Python
# instrumentations, OTLP/JSON from the Node.js SDK) and regenerates examples/otlp/README.md,
# with the pinned venv and node_modules from setup.sh. Needs no network beyond the installs:
# the collector and the OpenAI-compatible server are local fakes on 127.0.0.1.
#   usage: bash scripts/otlp/record.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="$(bash "$here/setup.sh")"
node_dir="$(dirname "$(dirname "$(dirname "$py")")")/otlp-node"
"$py" "$here/record.py" "$root/examples/otlp" --node-dir "$node_dir"
