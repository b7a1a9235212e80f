"""Re-check only what changed: a new draft of a document already checked with the same policy,
model and settings keeps the findings of its unchanged passages (matched by their text, not by
their ids, which shift when a paragraph is added) and sends only the changed passages — with
one neighbour on each side for context — to the model."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from app.core.citations import normalise
from app.core.documents import Document, Passage
from app.core.results import CheckedFinding
from app.core.types import Verdict
from app.core.verdict import Finding


def passage_key(text: str) -> str:
    """Equal for passages a reader would call unchanged (case and spacing aside)."""
    return hashlib.sha256(normalise(text).encode()).hexdigest()


@dataclass(frozen=True)
class PreviousCheck:
    """One policy's result in an earlier run of the same document (from its report JSON)."""

    run_id: int
    verdict: Verdict
    indeterminate: str
    passage_keys: frozenset[str]
    findings: tuple[dict[str, Any], ...]  # report findings, with "passage_text" added
    without_findings: Verdict = "not_assessed"  # see PolicyResult.without_findings
    judged: bool = False

    @classmethod
    def from_report(cls, run_id: int, report: dict[str, Any], policy_id: str) -> PreviousCheck:
        texts = {p["id"]: p["text"] for p in report["document"]["passages"]}
        verdict = next(
            (v for v in report.get("policy_verdicts", []) if v["policy"] == policy_id), None
        )
        if verdict is None:
            raise KeyError(policy_id)
        findings = tuple(
            f | {"passage_text": texts.get(f["passage"], "")}
            for f in report.get("findings", [])
            if f["policy"] == policy_id
        )
        without, judged = policy_standing(verdict)
        return cls(
            run_id,
            verdict["verdict"],
            verdict.get("indeterminate", ""),
            frozenset(passage_key(t) for t in texts.values()),
            findings,
            without,
            judged,
        )


def policy_standing(entry: dict[str, Any]) -> tuple[Verdict, bool]:
    """(without_findings, judged) of a report's ``policy_verdicts`` entry. Reports written
    before these keys existed get the cautious reading: a policy with a note (triage only, an
    unusable answer) was not judged; a note-free one was, and its findings carried its doubt."""
    if "without_findings" in entry and "judged" in entry:
        return entry["without_findings"], bool(entry["judged"])
    if entry.get("indeterminate") or entry.get("verdict") == "not_assessed":
        return "not_assessed", False
    return (
        "compliant" if entry.get("verdict") in ("compliant", "violation") else "needs_review"
    ), True


def split(
    document: Document, policy_id: str, previous: PreviousCheck
) -> tuple[tuple[Passage, ...], tuple[CheckedFinding, ...]]:
    """(passages the model must see again, findings carried over from the earlier run)."""
    if previous.indeterminate or (previous.verdict != "compliant" and not previous.findings):
        return document.passages, ()  # nothing to attribute to passages: judge it all again
    by_key = {passage_key(p.text): p for p in document.passages}
    carried = []
    for old in previous.findings:
        passage = by_key.get(passage_key(old["passage_text"]))
        if passage is None:
            continue  # its passage changed or went away: the model looks at it again
        finding = Finding(
            section=old["section"],
            passage=passage.id,
            quote=old["quote"],
            severity=old["severity"],
            confidence=float(old["confidence"]),
            rationale=old["rationale"],
            remediation=old["remediation"],
        )
        carried.append(
            CheckedFinding(
                policy=policy_id,
                finding=finding,
                location=dict(passage.location),
                quote_verified=bool(old["quote_verified"]),
                problem=old.get("problem", ""),
                layer=old.get("layer", "model"),
                carried_from=previous.run_id,
            )
        )
    changed = {
        index
        for index, passage in enumerate(document.passages)
        if passage_key(passage.text) not in previous.passage_keys
    }
    with_context = {i + step for i in changed for step in (-1, 0, 1)}
    judged = tuple(p for i, p in enumerate(document.passages) if i in with_context)
    return judged, tuple(carried)
