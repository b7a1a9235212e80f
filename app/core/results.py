"""What a check produces: findings with their checked citations, per-policy results, the
whole check. Shared by the pipeline, the store and the reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from app.core.documents import Document, Location
from app.core.engine import EngineResult
from app.core.policy import Policy
from app.core.types import CheckEffort, Layer, Verdict
from app.core.verdict import Finding


@dataclass(frozen=True)
class CheckedFinding:
    policy: str
    finding: Finding
    location: Location
    quote_verified: bool
    problem: str  # why it is unverified; "" when verified
    layer: Layer = "model"  # which layer raised it
    carried_from: int = 0  # the earlier run this finding was carried over from (0: found now)

    def to_json(self) -> dict[str, object]:
        f = self.finding
        return {
            "policy": self.policy,
            "section": f.section,
            "passage": f.passage,
            "location": dict(self.location),
            "quote": f.quote,
            "quote_verified": self.quote_verified,
            "severity": f.severity,
            "confidence": f.confidence,
            "rationale": f.rationale,
            "remediation": f.remediation,
            "layer": self.layer,
            "problem": self.problem,
            "carried_from_run": self.carried_from,
        }


@dataclass(frozen=True)
class PolicyResult:
    policy: Policy
    verdict: Verdict
    findings: tuple[CheckedFinding, ...]
    reasoning: str
    raw_final: str
    indeterminate: str  # why no usable verdict came back; "" when one did
    engine_results: tuple[EngineResult, ...]
    escalations: tuple[str, ...] = ()  # why low-effort answers were re-run at high effort
    passages_judged: int = -1  # passages sent to the model; -1: all (no re-check)
    # What this policy's verdict is once every finding is rejected (core.review): compliant
    # only when a model answered every window usably; needs_review when a window answered so
    # without findings; not_assessed when any part went unjudged. The defaults claim nothing.
    without_findings: Verdict = "not_assessed"
    judged: bool = False  # a model answered for every passage (in this run or the one carried)
    # What the engine said about its answers, once each with how often: "reasoning stopped at
    # the 4096-token budget (2 of 5 requests)", an empty final answer...
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    document: Document
    effort: CheckEffort
    policy_results: tuple[PolicyResult, ...]
    timings: dict[str, float] = field(default_factory=dict)
    triage_findings: tuple[CheckedFinding, ...] = ()

    @property
    def verdict(self) -> Verdict:
        """The model's verdict over the whole check (never changed by a review)."""
        verdicts: set[Verdict] = {r.verdict for r in self.policy_results}
        if not verdicts:
            return "not_assessed"  # no policy: nothing was judged
        if self.triage_findings or not self.document.coverage.complete:
            # a person must look at flagged passages and at the parts no one read
            verdicts.add("needs_review")
        return worst_verdict(verdicts)

    @property
    def engine_results(self) -> tuple[EngineResult, ...]:
        """Every answer the engine gave for this document, escalations included."""
        return tuple(o for r in self.policy_results for o in r.engine_results)

    @property
    def findings(self) -> tuple[CheckedFinding, ...]:
        return self.triage_findings + tuple(f for r in self.policy_results for f in r.findings)


def engine_notes(outputs: Iterable[EngineResult]) -> tuple[str, ...]:
    """The engine's notes over a policy's requests: each once, in order, with how many of the
    requests it applies to when there were several."""
    answers = list(outputs)
    counts: dict[str, int] = {}
    for output in answers:
        for note in dict.fromkeys(output.notes):
            counts[note] = counts.get(note, 0) + 1
    if len(answers) <= 1:
        return tuple(counts)
    return tuple(f"{note} ({count} of {len(answers)} requests)" for note, count in counts.items())


# The one order of verdicts, worst first: what a person must do next. A breach to fix; then
# findings or answers to look at; then parts no one judged (run a model over them); then
# nothing. Every aggregation (windows -> policy -> check, reviewed or not) takes the first
# present; "at best needs_review" is ``worst_verdict([v, "needs_review"])``.
VERDICT_ORDER: tuple[Verdict, ...] = ("violation", "needs_review", "not_assessed", "compliant")


def worst_verdict(verdicts: Iterable[Verdict]) -> Verdict:
    """The first of VERDICT_ORDER present; nothing at all is ``not_assessed`` (no judgment
    was made, so none may be claimed)."""
    present = set(verdicts)
    return next((v for v in VERDICT_ORDER if v in present), "not_assessed")
