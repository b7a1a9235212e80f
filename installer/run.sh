#!/usr/bin/env bash
# Set up .venv (with the smoke-test model) if needed, then run `safeguard-desk ARGS`.
#   ./installer/run.sh demo        a full check of a bundled sample -> report.json (+ report.pdf)
#   ./installer/run.sh             open the desktop app
# SAFEGUARD_GPU=cuda builds llama.cpp with CUDA.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
sg_ensure_venv smoke
exec "$SG_VENV/bin/safeguard-desk" "$@"
