#!/usr/bin/env bash
# Sets up .venv with the test extra, installs Debian's chromium and poppler-utils (pdftoppm, pdfinfo,
# pdftotext, pdftocairo: the figure tests and SVG export), ffmpeg (playback videos) and PostgreSQL with PostGIS (the store's
# tests start a throwaway cluster, tests/pgcluster.py) when missing, checks the code with ruff
# (pyproject.toml's [tool.ruff]) and runs the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
apt_updated=""
apt_install() {
    if [ -z "$apt_updated" ]; then
        $sudo_cmd apt-get update -q
        apt_updated=1
    fi
    $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}
if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null; then
    echo "Installing Debian's chromium and poppler-utils for the browser and figure tests..."
    apt_install chromium poppler-utils
fi
if ! command -v ffmpeg >/dev/null || ! command -v ffprobe >/dev/null; then
    echo "Installing Debian's ffmpeg for the playback videos and their tests..."
    apt_install ffmpeg
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "Installing Debian's postgresql for the store's tests..."
    apt_install postgresql
fi
pg_version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
if [ ! -e "/usr/share/postgresql/$pg_version/extension/postgis.control" ]; then
    echo "Installing Debian's PostGIS for PostgreSQL $pg_version for the store's tests..."
    apt_install "postgresql-$pg_version-postgis-3"
fi
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
