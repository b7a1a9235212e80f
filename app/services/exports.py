"""Exports of a finished run: the reviewed report as JSON or as the PDF audit report. Each
export is recorded in the audit log with the sha256 of what was written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.canonical import canonical_sha256
from app.core.clock import utc_now
from app.core.errors import InputError
from app.report.json_report import write_json
from app.store.repository import Store


def review_document(store: Store, run_id: int) -> dict[str, Any]:
    """The run's report JSON (the model's verdict unchanged) with ``review``: the reviewed
    verdict, counts, each finding's decision and the sign-off. What a PDF report shows and
    embeds, and what ``report json`` writes (docs/contracts.md, "Report of a reviewed run")."""
    run = store.run(run_id)
    if run.status != "complete" or not run.report_json:
        raise InputError(f"run {run_id} is {run.status}: there is no complete report to export")
    report = run.report()
    review = store.run_review(run_id)
    report["run"] = {"id": run_id, "status": run.status, "case": run.case}
    report["review"] = {
        **review.to_json(),
        "reviewer": store.actor,  # who exported it
        "exported_at": utc_now(),
    }
    return report


def export_pdf(store: Store, run_id: int, target: Path, reasoning: bool = False) -> str:
    from app.report.pdf_report import build_pdf

    digest = build_pdf(review_document(store, run_id), target, reasoning=reasoning)
    store.record_export(run_id, digest, target)
    return digest


def export_json(store: Store, run_id: int, target: Path) -> str:
    """The reviewed report (decisions included) as JSON; returns its canonical sha256."""
    review = review_document(store, run_id)
    write_json(review, target)
    digest = canonical_sha256(review)
    store.record_export(run_id, digest, target)
    return digest
