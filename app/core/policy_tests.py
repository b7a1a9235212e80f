"""Run a policy's labelled cases through an engine and score the answers.

Overall scores treat ``violation`` as the positive class, over the cases labelled violation or
compliant (cases labelled needs_review are ambiguous by design: they appear in the confusion
matrix, not in precision and recall). Per section, a case counts as positive for a section when
it is labelled violation with that section, and as predicted positive when the model's verdict is
violation with a finding citing that section.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.core.documents import Document, Passage
from app.core.engine import Engine
from app.core.pipeline import check_document
from app.core.policy import Policy
from app.core.progress import CancelToken, Progress, ProgressEvent, no_progress

LABELS = ("violation", "compliant", "needs_review")  # what a case may be labelled
# What a check may answer: an unusable answer judged nothing (not_assessed, a column of its own)
PREDICTED = (*LABELS, "not_assessed")


@dataclass(frozen=True)
class CaseOutcome:
    text: str
    expected: str
    expected_sections: tuple[str, ...]
    predicted: str
    predicted_sections: tuple[str, ...]
    parsed: bool  # the final answer was a valid verdict
    indeterminate: bool  # no usable verdict, or an inconsistent one
    latency_s: float
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class Scores:
    precision: float | None
    recall: float | None
    f1: float | None
    support: int  # positive cases


@dataclass
class Report:
    overall: Scores
    sections: dict[str, Scores]
    confusion: dict[str, dict[str, int]]  # expected -> predicted -> count
    cases: int
    parse_rate: float
    indeterminate: int
    mean_latency_s: float
    mean_prompt_tokens: float
    mean_completion_tokens: float
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def case_document(text: str, number: int) -> Document:
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Document(
        Path(f"case-{number}"), sha, "text/plain", 1, (Passage("P1", text, {"line": 1}),)
    )


def run_cases(
    policy: Policy,
    cases: list[dict[str, Any]],
    engine: Engine,
    *,
    effort: str = "low",
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    documents: list[Document] | None = None,
) -> list[CaseOutcome]:
    cancel = cancel or CancelToken()
    outcomes = []
    for number, case in enumerate(cases, start=1):
        cancel.raise_if_cancelled()
        progress(ProgressEvent("testing", number - 1, len(cases), f"case {number}"))
        document = documents[number - 1] if documents else case_document(case["text"], number)
        started = time.perf_counter()
        result = check_document(document, [policy], engine, effort=effort, cancel=cancel)
        (policy_result,) = result.policy_results
        outcomes.append(
            CaseOutcome(
                text=case["text"],
                expected=case["expected"],
                expected_sections=tuple(case.get("sections", []) or []),
                predicted=result.verdict,
                predicted_sections=tuple(sorted({f.finding.section for f in result.findings})),
                parsed="not a valid verdict" not in policy_result.indeterminate,
                indeterminate=bool(policy_result.indeterminate),
                latency_s=time.perf_counter() - started,
                prompt_tokens=sum(r.prompt_tokens for r in policy_result.engine_results),
                completion_tokens=sum(r.completion_tokens for r in policy_result.engine_results),
            )
        )
    progress(ProgressEvent("testing", len(cases), len(cases), "done"))
    return outcomes


def _scores(tp: int, fp: int, fn: int) -> Scores:
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall
        else (0.0 if precision is not None and recall is not None else None)
    )
    return Scores(precision, recall, f1, tp + fn)


def score(outcomes: list[CaseOutcome], section_ids: tuple[str, ...]) -> Report:
    confusion = {e: {p: 0 for p in PREDICTED} for e in LABELS}
    for o in outcomes:
        confusion[o.expected][o.predicted] += 1
    decided = [o for o in outcomes if o.expected != "needs_review"]
    tp = sum(1 for o in decided if o.expected == "violation" and o.predicted == "violation")
    fp = sum(1 for o in decided if o.expected == "compliant" and o.predicted == "violation")
    fn = sum(1 for o in decided if o.expected == "violation" and o.predicted != "violation")
    sections = {}
    for section in section_ids:

        def truth(o: CaseOutcome, s: str = section) -> bool:
            return o.expected == "violation" and s in o.expected_sections

        def guess(o: CaseOutcome, s: str = section) -> bool:
            return o.predicted == "violation" and s in o.predicted_sections

        sections[section] = _scores(
            sum(1 for o in decided if truth(o) and guess(o)),
            sum(1 for o in decided if guess(o) and not truth(o)),
            sum(1 for o in decided if truth(o) and not guess(o)),
        )
    count = len(outcomes) or 1
    return Report(
        overall=_scores(tp, fp, fn),
        sections=sections,
        confusion=confusion,
        cases=len(outcomes),
        parse_rate=sum(1 for o in outcomes if o.parsed) / count,
        indeterminate=sum(1 for o in outcomes if o.indeterminate),
        mean_latency_s=sum(o.latency_s for o in outcomes) / count,
        mean_prompt_tokens=sum(o.prompt_tokens for o in outcomes) / count,
        mean_completion_tokens=sum(o.completion_tokens for o in outcomes) / count,
    )


def flipped(old: list[dict[str, Any]], new: list[CaseOutcome]) -> list[tuple[str, str, str]]:
    """(case text, old verdict, new verdict) for cases whose verdict changed."""
    before = {o["text"]: o["predicted"] for o in old}
    return [
        (o.text, before[o.text], o.predicted)
        for o in new
        if o.text in before and before[o.text] != o.predicted
    ]
