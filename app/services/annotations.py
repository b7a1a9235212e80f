"""Findings back in the author's file: a copy of the checked document with each finding as a Word
comment (DOCX), a highlight with a note (PDF) or a marked span with a side note (an HTML copy of
any other format). For the command line (``report annotate``) and the app's "Export annotated
document…".

The copy is made from the very file the run checked (its sha256 must match the run's), never
written over it, and recorded in the audit log with the sha256 of the bytes written. Which
findings go in: ``all`` (default) every finding not rejected by the reviewer, each marked with
its review state; ``accepted``: accepted and amended ones only."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from app.core.clock import utc_now
from app.core.errors import InputError
from app.report.annotation import Note, Placements, ReviewState
from app.store.records import StoredFinding
from app.store.repository import Store

Only = Literal["all", "accepted"]
ONLY_CHOICES: tuple[Only, ...] = ("all", "accepted")
Format = Literal["docx", "pdf", "html"]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUFFIXES: dict[Format, tuple[str, ...]] = {
    "docx": (".docx",),
    "pdf": (".pdf",),
    "html": (".html", ".htm"),
}
_NAMES = {"docx": "a Word file: its copy is a .docx", "pdf": "a PDF: its copy is a .pdf",
          "html": "annotated as an HTML copy (.html)"}  # fmt: skip


@dataclass(frozen=True)
class AnnotatedExport:
    target: Path
    run_id: int
    format: Format
    sha256: str  # of the bytes written (recorded in the audit log)
    placements: Placements
    left_out: int  # findings not included (rejected, or not accepted under --only accepted)

    @property
    def placed(self) -> int:
        return len(self.placements.quote) + len(self.placements.passage)

    def summary(self) -> str:
        """The one line the CLI prints and the app shows."""
        left = f", {self.left_out} left out by review" if self.left_out else ""
        return (
            f"annotated {self.format.upper()}: {self.target} (run {self.run_id}): "
            f"{self.placed} finding(s) placed — {self.placements.summary()}{left}; "
            f"sha256 {self.sha256}"
        )


def suggested_target(document: Path, media_type: str) -> Path:
    """Where the save dialog proposes to write: beside the document, never over it
    (``draft.docx`` -> ``draft.annotated.docx``; ``notes.md`` -> ``notes.annotated.html``)."""
    suffix = SUFFIXES[output_format(media_type)][0]
    return document.with_name(f"{document.stem}.annotated{suffix}")


def output_format(media_type: str) -> Format:
    if media_type == DOCX:
        return "docx"
    return "pdf" if media_type == "application/pdf" else "html"


def export_annotated(
    store: Store,
    run_id: int,
    target: Path,
    only: Only = "all",
    *,
    document: Path | None = None,
    suggest: bool = False,
) -> AnnotatedExport:
    """Write the annotated copy of run ``run_id``'s document to ``target``. ``document``: the
    checked file where it is now, when it moved (it must be the same bytes). Refused from a
    store that fails verification (as every export)."""
    from app.services.exports import require_intact

    require_intact(store)
    run = store.run(run_id)
    if run.status != "complete" or not run.report_json:
        raise InputError(f"run {run_id} is {run.status}: there are no findings to annotate")
    report = run.report()
    source = Path(document) if document is not None else run.document_path
    kind = output_format(str(report.get("document", {}).get("media_type", "")))
    _check_target(target, source, run.document_path, kind, run_id)
    chosen, left_out = _chosen(store, run_id, only)
    notes = [_note(f, report, run_id) for f in chosen]
    if kind == "html":
        data, placements = _html(report, notes, run_id)
    else:
        original = _original(source, run.document_sha256, run_id)
        if kind == "docx":
            data, placements = _docx(original, notes, suggest, source)
        else:
            data, placements = _pdf(original, notes, source)
    from app.runtime.files import atomic_write

    atomic_write(target, data)
    digest = hashlib.sha256(data).hexdigest()
    # No report inside an annotated copy: the file's own bytes are what is recorded and looked up.
    store.record_export(run_id, f"annotated-{kind}", digest, digest, len(data), target)
    return AnnotatedExport(target, run_id, kind, digest, placements, left_out)


def _check_target(target: Path, source: Path, checked: Path, kind: Format, run_id: int) -> None:
    for original in {source, checked}:
        if _same_file(target, original):
            raise InputError(
                "refusing to write the annotated copy over the checked document; "
                "choose another --out",
                path=target,
            )
    if target.suffix.lower() not in SUFFIXES[kind]:
        raise InputError(
            f"run {run_id}'s document is {_NAMES[kind]}; name --out accordingly", path=target
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _chosen(store: Store, run_id: int, only: Only) -> tuple[list[StoredFinding], int]:
    findings = list(store.run_review(run_id).findings)
    keep = {"accept", "amend"} if only == "accepted" else {"accept", "amend", None}
    chosen = [f for f in findings if (f.decision.decision if f.decision else None) in keep]
    return chosen, len(findings) - len(chosen)


def _note(finding: StoredFinding, report: dict[str, Any], run_id: int) -> Note:
    decision = finding.decision
    amended = (decision.amended or {}) if decision else {}
    section = str(amended.get("section") or finding.section)
    state: ReviewState = "not reviewed"
    line = "not reviewed yet"
    if decision is not None:
        state = "amended" if decision.decision == "amend" else "accepted"
        line = f"{state} by {decision.reviewer} on {decision.decided_at[:10]}"
        changes = [f"{k} {finding.severity if k == 'severity' else finding.section} → {v}"
                   for k, v in amended.items()]  # fmt: skip
        if changes:
            line += f" ({', '.join(changes)})"
        if decision.carried_from_run:
            line += f", decided on run {decision.carried_from_run}"
        if decision.note:
            line += f": {decision.note}"
    return Note(
        finding_id=finding.id,
        run_id=run_id,
        passage=finding.passage,
        passage_text=finding.passage_text,
        location=dict(finding.location),
        quote=finding.quote,
        quote_verified=finding.quote_verified,
        severity=finding.reviewed_severity,
        raised_severity=finding.severity,
        policy=finding.policy_id,
        policy_version=finding.policy_version,
        section=section,
        section_title=section_title(report, finding.policy_id, section),
        rationale=finding.rationale,
        remediation=finding.remediation,
        state=state,
        review_line=line,
        date=decision.decided_at if decision else utc_now(),
    )


def section_title(report: dict[str, Any], policy: str, section: str) -> str:
    """'Guaranteed or risk-free returns' from the report's copy of the clause heading."""
    for entry in report.get("policies", []):
        if entry.get("id") == policy:
            text = str((entry.get("sections") or {}).get(section, ""))
            heading = text.splitlines()[0] if text else ""
            return heading.lstrip("#").strip().removeprefix(section).strip()
    return ""


def _original(source: Path, sha256: str, run_id: int) -> bytes:
    from app.core.bounded import read_regular_file
    from app.runtime.settings import load_settings

    limit = load_settings().limits.max_file_bytes
    data = read_regular_file(source, limit, "the checked document", InputError)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise InputError(
            f"not the file run {run_id} checked (its sha256 differs); give the checked "
            "file with --document",
            path=source,
        )
    return data


def _docx(data: bytes, notes: list[Note], suggest: bool, source: Path) -> tuple[bytes, Placements]:
    from app.report.annotate_docx import DocxPackageError, annotate_docx

    try:
        return annotate_docx(data, notes, suggest_fixes=suggest)
    except DocxPackageError as error:
        raise InputError(f"cannot annotate: {error}", path=source) from None


def _pdf(data: bytes, notes: list[Note], source: Path) -> tuple[bytes, Placements]:
    import pypdfium2 as pdfium
    from pypdf.errors import PdfReadError

    from app.report.annotate_pdf import EncryptedPdf, annotate_pdf
    from app.services.page_images import ocr_lines

    try:
        return annotate_pdf(data, notes, lambda page: ocr_lines(data, None, page))
    except EncryptedPdf as error:
        raise InputError(str(error), path=source) from None
    except (PdfReadError, pdfium.PdfiumError) as error:
        raise InputError(f"cannot annotate: {error}", path=source) from None


def _html(report: dict[str, Any], notes: list[Note], run_id: int) -> tuple[bytes, Placements]:
    from app.report.annotate_html import annotate_html

    document = report.get("document", {})
    name = Path(str(document.get("path", "document"))).name
    header = [
        f"Safeguard Desk, run {run_id}: {len(notes)} finding(s) on the text as it was read "
        f"({len(document.get('passages', []))} passages).",
        f"Document sha256 {document.get('sha256', '')}; exported {utc_now()}.",
    ]
    return annotate_html(f"{name} — findings", header, document.get("passages", []), notes)
