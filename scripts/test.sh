#!/usr/bin/env bash
# Set up everything (with the test tools) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUIREMENTS=requirements-dev.txt bash scripts/setup.sh

# The browser tests (tests/browser) drive Debian's Chromium through Playwright. Never
# `playwright install`: it downloads browsers of its own, which fails offline.
if [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-noto-color-emoji >/dev/null 2>&1; then
  echo "==> installing Chromium and an emoji font for the browser tests (apt-get)"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-color-emoji
fi

exec .venv/bin/python -m pytest "$@"
