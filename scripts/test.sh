#!/usr/bin/env bash
# Sets up .venv with the test extra, installs Debian's chromium and poppler-utils (pdftoppm, pdfinfo,
# pdftotext, pdftocairo: the figure tests and SVG export) when missing, and runs the whole test
# suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null; then
    echo "Installing Debian's chromium and poppler-utils for the browser and figure tests..."
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -q
    $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium poppler-utils
fi
exec .venv/bin/python -m pytest "$@"
