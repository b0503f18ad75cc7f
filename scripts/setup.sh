#!/usr/bin/env bash
# Creates .venv in the project root and installs Panj into it (with the extras named as arguments),
# at the exact versions of constraints.txt: a new release cannot change a run without a commit.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [ -n "$extras" ]; then
    .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[$extras]"
else
    .venv/bin/python -m pip install --quiet -c constraints.txt -e .
fi
