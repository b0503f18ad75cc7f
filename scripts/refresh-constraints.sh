#!/usr/bin/env bash
# Rewrites constraints.txt with the newest releases that pyproject.toml's bounds allow: installs
# Panj with every extra into a fresh virtualenv and pins what that installed. Run the tests
# (bash scripts/test.sh) before committing the new pins.
set -euo pipefail
cd "$(dirname "$0")/.."
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
python3 -m venv "$workdir/venv"
"$workdir/venv/bin/python" -m pip install --quiet --upgrade pip
extras="$(python3 -c 'import tomllib; print(",".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]))')"
"$workdir/venv/bin/python" -m pip install --quiet -e ".[$extras]"
{
    echo "# The exact version of every package Panj installs, for every extra: scripts/setup.sh installs"
    echo "# with -c constraints.txt, so the page, the tests and CI all run these. The bounds they satisfy"
    echo "# are in pyproject.toml. Regenerate with: bash scripts/refresh-constraints.sh"
    "$workdir/venv/bin/python" -m pip freeze --exclude-editable | grep -iv '^panj[= @]'
} > "$workdir/constraints.txt"
mv "$workdir/constraints.txt" constraints.txt
echo "constraints.txt: $(grep -vc '^#' constraints.txt) packages pinned"
