"""What the result page must tell before any finding: the smoke model's notice and reading
warnings (one banner), and what of the document was not read or was read by OCR (another,
red: the verdict is at best "needs review" while anything is unread). From the report JSON."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from app.core.documents import unread_place

# PDF readers warn "pages 5-6 not read: why"; the coverage banner lists those pages already.
_UNREAD_WARNING = re.compile(r"^pages? [\d, -]+ not read: ")


def notice_lines(report: dict[str, Any], not_checked: Iterable[str] = ()) -> list[str]:
    notice = report.get("notice", "")
    lines = [notice] if notice else []
    lines += [
        f"Warning: {warning}"
        for warning in report.get("warnings", [])
        if not _UNREAD_WARNING.match(warning)
    ]
    for verdict in report.get("policy_verdicts", []):
        if verdict.get("escalations"):
            lines.append(
                f"{verdict['policy']}: {len(verdict['escalations'])} low-effort answer(s) "
                "were unsure and re-checked at high effort (both in the Auditor tab)"
            )
        if verdict.get("passages_judged") is not None:
            lines.append(
                f"{verdict['policy']}: re-check — the model read "
                f"{verdict['passages_judged']} changed passage(s); "
                f"{verdict.get('carried_over', 0)} finding(s) carried over unchanged"
            )
    lines += [f"Not checked: {line}" for line in not_checked]
    return lines


def coverage_lines(report: dict[str, Any]) -> list[str]:
    """'Not read: pages 5-6 — no text layer (scanned?) and OCR is off', one line per reason
    (pages) or part; then the pages read by OCR."""
    coverage = report.get("document", {}).get("coverage") or {}
    unread = coverage.get("unread") or []
    lines = []
    by_why: dict[str, list[int]] = {}
    for where in unread:
        if set(where) <= {"page", "why"} and isinstance(where.get("page"), int):
            by_why.setdefault(str(where.get("why", "")), []).append(where["page"])
        else:
            lines.append(f"Not read: {unread_place(where)} — {where.get('why', 'not read')}")
    pages = [
        f"Not read: {_pages(numbers)} — {why or 'not read'}" for why, numbers in by_why.items()
    ]
    lines = pages + lines
    if lines:
        lines.insert(
            0,
            f"{len(unread)} part(s) of this document were not read, so no one judged them: "
            "the verdict is at best needs review. Check them by hand.",
        )
    ocr = coverage.get("ocr") or []
    if ocr:
        lines.append(
            f"Read by OCR: {_pages(ocr)} of {coverage.get('pages', '?')} — text recognised from "
            "the page image; quotes on them are checked against that text."
        )
    return lines


def _pages(numbers: list[int]) -> str:
    ranges: list[list[int]] = []
    for number in sorted(numbers):
        if ranges and ranges[-1][-1] == number - 1:
            ranges[-1].append(number)
        else:
            ranges.append([number])
    spans = ", ".join(f"{r[0]}" if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in ranges)
    return f"page{'s' if len(numbers) > 1 else ''} {spans}"


def reasoning_text(report: dict[str, Any]) -> str:
    """The Auditor tab: each policy's reasoning, and where carried-over findings' is."""
    parts = [
        f"=== {r['policy']} (effort {r['effort']}) ===\n{r['text']}"
        for r in report.get("reasoning", [])
    ]
    for verdict in report.get("policy_verdicts", []):
        carried = verdict.get("carried_over", 0)
        if verdict.get("passages_judged") is not None and carried:
            parts.append(
                f"=== {verdict['policy']}: {carried} finding(s) carried over ===\nTheir "
                "reasoning is in the Auditor tab of the run each was first found in (its "
                "number is on the finding: 'carried over from run N')."
            )
    return "\n\n".join(parts)
