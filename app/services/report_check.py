"""``report verify``: is this PDF, byte for byte, one this installation exported, from a store
whose audit trail holds?

The file is checked before it is parsed: a regular file, at most ``MAX_REPORT_BYTES``, starting
with ``%PDF-``. Its sha256 is looked up among the exports; any change to pages, attachment or
metadata changes the bytes, so it is not found, and the attached report tells which export it
claims to be. The attachment is still checked against the export's recorded report sha256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from app.core.bounded import read_regular_file
from app.core.canonical import canonical_sha256
from app.core.errors import InputError
from app.store.repository import Store

MAX_REPORT_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class ReportCheck:
    verified: bool
    message: str  # one line: what was found, or what failed


def read_report_pdf(path: Path) -> bytes:
    data = read_regular_file(path, MAX_REPORT_BYTES, "report", InputError)
    if not data.startswith(b"%PDF-"):
        raise InputError("not a PDF file (it does not start with %PDF-)", path=path)
    return data


def verify_report(store: Store, path: Path) -> ReportCheck:
    data = read_report_pdf(path)
    file_sha256 = hashlib.sha256(data).hexdigest()
    attached_sha256, attachment_problem = _attachment(data)
    export = store.export_of_file(file_sha256)
    if export is None:
        return ReportCheck(False, _unknown(store, file_sha256, attached_sha256, attachment_problem))
    if attached_sha256 != export.report_sha256:
        why = attachment_problem or "its attached report.json differs from the one exported"
        return ReportCheck(False, f"the file matches export {export.id}, but {why}")
    check = store.verify_audit()
    entry = store.export_entry(export.id)
    where = f"audit entry {entry.seq}" if entry else "no audit entry"
    if not check.intact:
        return ReportCheck(
            False,
            f"matches export {export.id} (run {export.run_id}, {where}), but the store fails "
            f"verification: {check.reason}",
        )
    return ReportCheck(
        True,
        f"verified — exported {export.exported_at} by {export.reviewer} (run {export.run_id}, "
        f"export {export.id}, {where}); file sha256 {file_sha256}; audit trail intact "
        f"({check.entries} entries, {check.rows} rows)",
    )


def _attachment(data: bytes) -> tuple[str | None, str]:
    """(canonical sha256 of the attached report, or None; why there is none)."""
    from app.report.pdf_report import read_attached

    try:
        return canonical_sha256(read_attached(data)), ""
    except Exception as error:  # pypdf raises many kinds on a damaged file; all mean "none"
        return None, f"its attached report.json cannot be read ({type(error).__name__}: {error})"


def _unknown(
    store: Store, file_sha256: str, attached_sha256: str | None, attachment_problem: str
) -> str:
    """Why a file this installation never exported fails, as precisely as can be said."""
    if attached_sha256 is not None:
        export = store.export_of_report(attached_sha256)
        if export is not None:
            return (
                f"its attached report is the one exported as export {export.id} (run "
                f"{export.run_id}, {export.exported_at}), but the file's bytes differ from that "
                f"export (sha256 {file_sha256}): its pages, attachment or metadata were changed "
                "after export, or it is another PDF carrying a copied attachment"
            )
        old = store.find_export(attached_sha256)
        if old is not None and "file_sha256" not in old.payload:
            return (
                f"its attached report matches audit entry {old.seq}, written by a version that "
                "did not record the file's own hash: its pages cannot be checked; export it "
                "again"
            )
        return (
            f"this installation never exported this file (sha256 {file_sha256}) and its "
            "attached report matches no export: changed after export, or made elsewhere"
        )
    return (
        f"this installation never exported this file (sha256 {file_sha256}); "
        f"{attachment_problem or 'it has no report attached'}"
    )
