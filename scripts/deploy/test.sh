#!/usr/bin/env bash
# The Prometheus alert rules checked and unit-tested with promtool (Debian's `prometheus`
# package, installed when missing): every rule of deploy/prometheus/alerts.yml fires on the
# series of deploy/prometheus/alerts.test.yml that should fire it, and not before. That the
# rules and the Grafana dashboard name only metrics the server exports is a cargo test
# (aegis-server/tests/deploy_files.rs).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v promtool >/dev/null 2>&1; then
  echo "installing prometheus (Debian package) for promtool" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus) >&2
fi
promtool check rules deploy/prometheus/alerts.yml
(cd deploy/prometheus && promtool test rules alerts.test.yml)
