#!/usr/bin/env bash
# The venv of the alerts receiver test: the Standard Webhooks reference library, pinned by
# scripts/alerts/constraints.txt. Prints its python.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(bash "$here/../python-venv.sh" alerts)"
if ! "$py" -c "import standardwebhooks, slack_sdk, jsonschema, aiosmtpd" 2>/dev/null; then
  "$py" -m pip install --quiet --disable-pip-version-check -c "$here/constraints.txt" standardwebhooks slack_sdk jsonschema aiosmtpd >&2
fi
echo "$py"
