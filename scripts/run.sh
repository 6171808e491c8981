#!/usr/bin/env bash
# Set up everything, then run the assistant on the bundled corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m retrieval chat
