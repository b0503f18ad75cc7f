#!/usr/bin/env bash
# Sets up .venv and starts the Panj page at http://localhost:8501 on the shipped data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The last line before Streamlit's own output says where the page and its store are. Streamlit
# takes the last --server.port or --server.address it is given, so this reads them the same way.
port="${PORT:-8501}"
host=localhost
previous=""
for argument in "$@"; do
    case "$previous" in
        --server.port) port="$argument" ;;
        --server.address) host="$argument" ;;
    esac
    case "$argument" in
        --server.port=*) port="${argument#*=}" ;;
        --server.address=*) host="${argument#*=}" ;;
    esac
    previous="$argument"
done
case "$host" in
    0.0.0.0 | "::") host=localhost ;;  # every interface: this machine reaches it at localhost
esac
store="$(.venv/bin/python -c 'from geo.cli import store_location; print(store_location())')"
echo "Panj: the page is at http://$host:$port; its store is $store."
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" "$@"
