#!/usr/bin/env bash
# What the dashboard's browser test needs: Debian's chromium and chromium-driver (installed
# when missing; apt-get update first), and a venv with Selenium (pinned by constraints.txt),
# which drives the browser over WebDriver. Prints the venv's python.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "installing chromium and chromium-driver (Debian packages)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >&2
fi
py="$(bash "$here/../python-venv.sh" dashboard)"
if ! "$py" -c 'import selenium' 2>/dev/null; then
  "$py" -m pip install --quiet --disable-pip-version-check -c "$here/constraints.txt" selenium >&2
fi
echo "$py"
