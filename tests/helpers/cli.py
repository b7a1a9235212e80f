"""Running the command line as a user does (a subprocess), and what every run must look like."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema

from app.core.citations import normalise, quote_in
from tests.helpers.paths import ROOT

SCHEMA = json.loads((ROOT / "app" / "report" / "report-v1.schema.json").read_text())


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=os.environ.copy(),
        timeout=600,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("safeguard-desk:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


def assert_valid_report(report: dict[str, object]) -> None:
    jsonschema.validate(report, SCHEMA)
    passages = {p["id"]: p for p in report["document"]["passages"]}  # type: ignore[index]
    for finding in report["findings"]:  # type: ignore[attr-defined]
        passage = passages.get(finding["passage"])
        if finding["quote_verified"]:
            assert passage is not None
            assert quote_in(normalise(finding["quote"]), normalise(passage["text"]))
            assert finding["location"] == passage["location"]
