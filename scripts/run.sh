#!/usr/bin/env bash
# Set up everything, then run the web service (API, cadre search page, widget) on the bundled
# corpus, and the Telegram bot beside it when $TELEGRAM_BOT_TOKEN is set (see README). Arguments
# go to server.py, e.g. `bash scripts/run.sh --host 0.0.0.0 --port 8080`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python server.py "$@"
