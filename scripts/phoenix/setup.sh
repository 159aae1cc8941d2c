#!/usr/bin/env bash
# Creates (once) the Python venv for the OTLP ingest comparison with Arize Phoenix
# (benches/otlp/run.sh) and the results-out test (export-test.sh): arize-phoenix, rotel (a
# Rust OpenTelemetry collector, the OTLP logs receiver) and langfuse (its published API models
# check the scores), with everything they pull in, pinned (opentelemetry-proto also makes the
# request bodies); prints the venv's python. Safe to run again.
#   usage: bash scripts/phoenix/setup.sh   ->   /…/target/phoenix-venv/bin/python
# Phoenix then runs headless as `<venv>/bin/phoenix serve`, configured by environment:
# PHOENIX_HOST, PHOENIX_PORT (HTTP: UI, API and OTLP/HTTP at /v1/traces), PHOENIX_GRPC_PORT
# (OTLP/gRPC), PHOENIX_WORKING_DIR (its SQLite database, phoenix.db), and
# PHOENIX_TELEMETRY_ENABLED=false / PHOENIX_ALLOW_EXTERNAL_RESOURCES=false.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(bash "$here/../python-venv.sh" phoenix)"
if ! "$py" -c 'import phoenix.server.main, opentelemetry.proto, langfuse, rotel' 2>/dev/null; then
  "$py" -m pip install --quiet --disable-pip-version-check -c "$here/constraints.txt" \
    arize-phoenix langfuse rotel >&2
fi
echo "$py"
