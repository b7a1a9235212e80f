"""Exports of a finished run: the reviewed report as JSON or as the PDF audit report, and the
check's own JSON report. Each export is recorded in the store (``exports``) and the audit log
with the canonical sha256 of the report it holds and the sha256 of the file's bytes, which
``report verify`` looks up.

An export from the store is refused (``StoreTampered``, exit 2, naming the first bad row or
entry) when the store fails verification: a report must never sign altered data. No export
overwrites the run's document or the store itself (``refuse_clobbering``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from app.core.canonical import canonical_sha256
from app.core.clock import utc_now
from app.core.errors import InputError, StoreTampered
from app.runtime.files import atomic_write, refuse_clobbering
from app.store import db
from app.store.repository import Store


def require_intact(store: Store) -> None:
    """Raise StoreTampered naming the first problem when the store fails ``audit verify``."""
    check = store.verify_audit()
    if not check.intact:
        others = len(check.problems) - 1
        more = f" (and {others} more)" if others > 0 else ""
        raise StoreTampered(
            f"the store fails verification: {check.reason}{more}; nothing was exported "
            "(see 'safeguard-desk audit verify')",
            path=store.path,
        )


def store_files(store: Store) -> list[Path]:
    """The store's own files: never an output."""
    return db.store_files(store.path)


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


def _write(
    store: Store,
    run_id: int,
    kind: str,
    target: Path,
    data: bytes,
    report_sha256: str,
    private: bool,
) -> None:
    inputs = [*store_files(store), store.run(run_id).document_path]
    refuse_clobbering({"report": target}, inputs)
    atomic_write(target, data, private=private, what="report")
    file_sha256 = hashlib.sha256(data).hexdigest()
    store.record_export(run_id, kind, report_sha256, file_sha256, len(data), target)


def export_pdf(
    store: Store, run_id: int, target: Path, reasoning: bool = False, *, private: bool = False
) -> str:
    """The PDF audit report; returns the canonical sha256 of its attached JSON. ``private``:
    a report written where the user did not choose (0600)."""
    from app.report.pdf_report import render_pdf

    require_intact(store)
    data, digest = render_pdf(review_document(store, run_id), reasoning=reasoning)
    _write(store, run_id, "pdf", target, data, digest, private)
    return digest


def export_json(store: Store, run_id: int, target: Path, *, private: bool = False) -> str:
    """The reviewed report (decisions included) as JSON; returns its canonical sha256."""
    require_intact(store)
    review = review_document(store, run_id)
    data = (json.dumps(review, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    digest = canonical_sha256(review)
    _write(store, run_id, "json", target, data, digest, private)
    return digest


def write_check_report(
    store: Store, run_id: int, report: dict[str, Any], target: Path, *, private: bool = False
) -> str:
    """A check's own JSON report (``check --out``), recorded like any export."""
    data = (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    digest = canonical_sha256(report)
    _write(store, run_id, "check-json", target, data, digest, private)
    return digest
