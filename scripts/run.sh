#!/usr/bin/env bash
# Sets up .venv and starts the Panj page at http://localhost:8501 on the shipped data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" "$@"
