"""The dependency rules of DESIGN.md, enforced by import-linter in the test run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers.paths import ROOT


def test_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is part of the dev extras"
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "layers: ui | cli -> services" in result.stdout  # the dependency direction
    assert "4 kept, 0 broken" in result.stdout


def test_core_imports_neither_qt_nor_llama() -> None:
    code = (
        "import sys, app.core.pipeline, app.core.library, app.core.citations, app.runtime.paths;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'llama_cpp')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout
