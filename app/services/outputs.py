"""Where a check's reports go, decided before any work, so no output destroys an input.

One document: ``--out`` and ``--pdf`` as given. Several: ``report.<stem>.json`` beside ``--out``
(``report.json``), and when two documents share a stem ``report.<stem>-2.json``, ``-3`` …, in the
order given. A folder batch: one report per document inside the ``--out`` folder
(``app.services.batch.report_name``). Every planned path is checked against the inputs (the
documents, policy files, the store) and the other outputs (``refuse_clobbering``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import OutputError
from app.runtime.files import refuse_clobbering
from app.services.batch import report_name


@dataclass(frozen=True)
class ReportPaths:
    json: Path | None = None
    pdf: Path | None = None


def per_document(out: Path, stem: str, taken: set[str]) -> Path:
    """``report.<stem>.json``, or ``report.<stem>-2.json`` … when that name is taken."""
    suffix = out.suffix or ".json"
    number = 1
    while True:
        name = f"{out.stem}.{stem}{'' if number == 1 else f'-{number}'}{suffix}"
        if name.lower() not in taken:  # case-insensitive file systems too
            taken.add(name.lower())
            return out.with_name(name)
        number += 1


def plan_reports(
    files: list[Path], out: Path | None, pdf: Path | None, batch: bool
) -> list[ReportPaths]:
    """The report paths of each file, in order."""
    if batch:
        for folder, flag in ((out, "--out"), (pdf, "--pdf")):
            if folder is not None and folder.exists() and not folder.is_dir():
                raise OutputError(f"{flag} must be a folder when checking folders", path=folder)
        return [
            ReportPaths(
                report_name(out, path, ".json") if out else None,
                report_name(pdf, path, ".pdf") if pdf else None,
            )
            for path in files
        ]
    if len(files) == 1:
        return [ReportPaths(out, pdf)]
    taken_json: set[str] = set()
    taken_pdf: set[str] = set()
    return [
        ReportPaths(
            per_document(out, path.stem, taken_json) if out else None,
            per_document(pdf, path.stem, taken_pdf) if pdf else None,
        )
        for path in files
    ]


def check_plan(plan: list[ReportPaths], files: list[Path], inputs: Iterable[Path]) -> None:
    """Refuse (OutputError) any planned report that is an input or another report."""
    named: dict[str, Path] = {}
    several = len(plan) > 1
    for number, (paths, source) in enumerate(zip(plan, files, strict=True), start=1):
        for flag, path in (("--out", paths.json), ("--pdf", paths.pdf)):
            if path is not None:
                named[f"{flag} report {number} ({source.name})" if several else flag] = path
    refuse_clobbering(named, [*files, *inputs])
