#!/usr/bin/env bash
# Set up .venv with the dev extras if needed, then run the whole test suite:
# ruff, mypy --strict, import-linter contracts, pytest. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
sg_ensure_venv dev
cd "$SG_ROOT"
export PATH="$SG_VENV/bin:$PATH"
echo "== ruff" && ruff check app tests
echo "== mypy --strict" && mypy
echo "== import-linter" && lint-imports
echo "== pytest" && exec python -m pytest "$@"
