#!/usr/bin/env bash
# Set up everything (with the test tools) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUIREMENTS=requirements-dev.txt bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
