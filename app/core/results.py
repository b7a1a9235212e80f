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


@dataclass(frozen=True)
class CheckResult:
    document: Document
    effort: CheckEffort
    policy_results: tuple[PolicyResult, ...]
    timings: dict[str, float] = field(default_factory=dict)
    triage_findings: tuple[CheckedFinding, ...] = ()

    @property
    def verdict(self) -> Verdict:
        verdicts: set[Verdict] = {r.verdict for r in self.policy_results}
        if self.triage_findings:
            verdicts.add("needs_review")  # a person must look, even if every policy passed
        return worst_verdict(verdicts)

    @property
    def engine_results(self) -> tuple[EngineResult, ...]:
        """Every answer the engine gave for this document, escalations included."""
        return tuple(o for r in self.policy_results for o in r.engine_results)

    @property
    def findings(self) -> tuple[CheckedFinding, ...]:
        return self.triage_findings + tuple(f for r in self.policy_results for f in r.findings)


def worst_verdict(verdicts: Iterable[Verdict]) -> Verdict:
    """violation over needs_review over compliant (nothing to judge is compliant)."""
    present = set(verdicts)
    worst: tuple[Verdict, ...] = ("violation", "needs_review")
    return next((v for v in worst if v in present), "compliant")
