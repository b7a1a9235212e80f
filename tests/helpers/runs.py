"""Runs recorded in a store from scripted answers: the store, history and report tests build
their runs with this (no file is read, no model loaded)."""

from __future__ import annotations

from collections.abc import Sequence

from app.core.documents import Document
from app.core.pipeline import check_document
from app.core.policy import Policy
from app.report.json_report import build_report
from app.store.repository import Store
from tests.helpers.scripted import DOCUMENT, POLICY, engine, finding

VIOLATION = {
    "verdict": "violation",
    "findings": [finding(), finding(section="HR-2", passage="P2", quote="Contact us")],
}
COMPLIANT = {"verdict": "compliant", "findings": []}


def record_run(
    store: Store,
    *answers: object,
    document: Document = DOCUMENT,
    policies: Sequence[Policy] = (POLICY,),
    case: str = "default",
    triage_only: bool = False,
    recheck: bool = False,
) -> int:
    """A complete run of ``document`` whose model answers ``answers`` (default: VIOLATION);
    ``recheck``: carry over what an earlier run of the same file allows, as ``check`` does."""
    scripted = engine(*(answers or (VIOLATION,)))
    chosen = list(policies)
    previous = store.previous_checks(document, chosen, scripted.info, "medium") if recheck else {}
    result = check_document(document, chosen, scripted, previous=previous, triage_only=triage_only)
    run_id = store.start_run(document, chosen, scripted.info, "medium", case=case)
    report = build_report(result, scripted.info, timings=result.timings)
    report["run"] = {"id": run_id}
    store.finish_run(run_id, result, report)
    return run_id
