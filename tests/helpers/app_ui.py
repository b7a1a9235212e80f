"""For the desktop app's tests: the demo document, a scripted engine with a recorded answer about
it, and screenshots (saved where the README shows them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.inference.scripted import Recording, ScriptedEngine
from tests.helpers.paths import ROOT

SCREENSHOTS = ROOT / "assets" / "screenshots"
DEMO = ROOT / "assets" / "samples" / "demo-investment-flyer.md"


def finding(**overrides: object) -> dict[str, object]:
    base = {
        "section": "FP-1",
        "passage": "P2",
        "quote": "Earn a guaranteed 11% a year with zero risk to your capital",
        "severity": "critical",
        "confidence": 0.93,
        "rationale": "A fixed return with no risk to capital is promised; FP-1 forbids promising "
        "returns or calling an investment risk-free.",
        "remediation": "Say returns are not guaranteed and capital is at risk.",
    }
    return base | overrides


VERDICT = {
    "verdict": "violation",
    "findings": [
        finding(),
        finding(
            section="FP-4",
            passage="P4",
            quote="Only five places remain, so call us now or miss out",
            severity="high",
            confidence=0.81,
            rationale="Pressure to decide at once (a deadline tonight, scarce places).",
            remediation="Remove the deadline and the scarcity claim.",
        ),
        finding(
            section="FP-3",
            passage="P3",
            quote="turned £10,000 into £25,000",  # not in the text: must show as unverified
            severity="medium",
            confidence=0.55,
            rationale="A past result presented as typical.",
            remediation="Show a balanced range of outcomes and the period.",
        ),
    ],
}
ANALYSIS = "The flyer promises a guaranteed 11% with zero risk (FP-1). It urges readers to act "
ANALYSIS += "tonight (FP-4). The past-performance figure is shown without context (FP-3)."


def scripted_engine() -> ScriptedEngine:
    return ScriptedEngine([Recording(ANALYSIS, json.dumps(VERDICT))])


def screenshot(widget: object, name: str) -> Path:
    """Save what the user sees; the README shows these."""
    from PySide6.QtWidgets import QApplication

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    QApplication.processEvents()  # pending layout requests first (a label's new text)
    assert widget.grab().save(str(path))  # type: ignore[attr-defined]
    return path


def stored_runs(
    store: Any,
    documents: list[tuple[Path, str]],
    policy: str = "fin-promo",
    triage_only: bool = False,
) -> list[int]:
    """Checks made the way the app makes them (``run_checks``, the scripted engine), one per
    (document, case): the history the Checks page lists. Each is judged afresh (no re-check).
    ``policy``: an id or a policy file's path."""
    from app.services.checking import CheckOptions, CheckRequest, run_checks
    from app.services.policies import library

    resolved = library().resolve(policy)
    run_ids = []
    for path, case in documents:
        request = CheckRequest(
            policies=(resolved,), model_name="scripted", case=case,
            options=CheckOptions(recheck=False, triage_only=triage_only),
        )  # fmt: skip
        done = run_checks([path], request, store, scripted_engine)
        assert not done.errors, done.errors
        run_ids += done.run_ids
    return run_ids


def copy_demo(folder: Path, name: str) -> Path:
    """The demo flyer under another name (the scripted answer cites its passages)."""
    target = folder / name
    target.write_bytes(DEMO.read_bytes())
    return target
