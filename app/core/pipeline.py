"""The check pipeline: ingest (done by the caller) -> reason per policy -> validate -> aggregate.

Triage and effort escalation plug in here later; today every passage goes to the model.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.core.citations import check_citation, normalise
from app.core.documents import Document, Location, Passage, format_location
from app.core.engine import EFFORTS, Engine, EngineResult, TokenCallback
from app.core.errors import PromptTooLong, UsageError
from app.core.policy import Policy
from app.core.progress import CancelToken, Progress, ProgressEvent, no_progress
from app.core.prompt import build_request
from app.core.triage import (
    MANIPULATION_POLICY,
    MANIPULATION_SECTION,
    MANIPULATION_TITLE,
    TriageHit,
    manipulation_hits,
)
from app.core.verdict import Finding, VerdictFormatError, parse_verdict

# Tokens kept free in the context for the model's reasoning and answer.
DEFAULT_ANSWER_BUDGET = 2048
WINDOW_OVERLAP = 1  # passages repeated at the start of the next window


@dataclass(frozen=True)
class CheckedFinding:
    policy: str
    finding: Finding
    location: Location
    quote_verified: bool
    problem: str  # why it is unverified; "" when verified
    layer: str = "model"  # which layer raised it: triage | model (| reviewer)

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
        }


@dataclass(frozen=True)
class PolicyResult:
    policy: Policy
    verdict: str
    findings: tuple[CheckedFinding, ...]
    reasoning: str
    raw_final: str
    indeterminate: str  # why no usable verdict came back; "" when one did
    engine_results: tuple[EngineResult, ...]


@dataclass(frozen=True)
class CheckResult:
    document: Document
    effort: str
    policy_results: tuple[PolicyResult, ...]
    timings: dict[str, float] = field(default_factory=dict)
    triage_findings: tuple[CheckedFinding, ...] = ()

    @property
    def verdict(self) -> str:
        verdicts = {r.verdict for r in self.policy_results}
        if self.triage_findings:
            verdicts.add("needs_review")  # a person must look, even if every policy passed
        return worst_verdict(verdicts)

    @property
    def findings(self) -> tuple[CheckedFinding, ...]:
        return self.triage_findings + tuple(f for r in self.policy_results for f in r.findings)


def worst_verdict(verdicts: Iterable[str]) -> str:
    """violation over needs_review over compliant (nothing to judge is compliant)."""
    present = set(verdicts)
    return next((v for v in ("violation", "needs_review") if v in present), "compliant")


def check_document(
    document: Document,
    policies: list[Policy],
    engine: Engine,
    *,
    effort: str = "medium",
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    on_text: TokenCallback | None = None,
    answer_budget: int = DEFAULT_ANSWER_BUDGET,
) -> CheckResult:
    if effort not in EFFORTS:
        raise UsageError(f"effort must be one of {', '.join(EFFORTS)}, not '{effort}'")
    cancel = cancel or CancelToken()
    triage_started = time.perf_counter()
    flagged = tuple(_manipulation_finding(hit) for hit in manipulation_hits(document))
    triage_s = time.perf_counter() - triage_started
    started = time.perf_counter()
    results = []
    for number, policy in enumerate(policies, start=1):
        cancel.raise_if_cancelled()
        progress(ProgressEvent("reasoning", number - 1, len(policies), f"policy {policy.id}"))
        windows = plan_windows(document, policy, engine, effort, answer_budget)
        outputs = []
        for index, window in enumerate(windows, start=1):
            if len(windows) > 1:
                message = f"policy {policy.id}, part {index} of {len(windows)}"
                progress(ProgressEvent("reasoning", number - 1, len(policies), message))
            outputs.append(engine.judge(build_request(policy, window, effort), cancel, on_text))
        progress(ProgressEvent("checking citations", number, len(policies), f"policy {policy.id}"))
        results.append(_validate(policy, document, tuple(outputs)))
    progress(ProgressEvent("reasoning", len(policies), len(policies), "done"))
    return CheckResult(
        document=document,
        effort=effort,
        policy_results=tuple(results),
        timings={"reason_s": round(time.perf_counter() - started, 3), "triage_s": triage_s},
        triage_findings=flagged,
    )


def _manipulation_finding(hit: TriageHit) -> CheckedFinding:
    """A triage finding: raised by code, so its quote is verified by construction."""
    finding = Finding(
        section=MANIPULATION_SECTION,
        passage=hit.passage.id,
        quote=hit.quote,
        severity="high",
        confidence=1.0,
        rationale=(
            f"{MANIPULATION_TITLE}: the text addresses an automated reviewer or imitates chat "
            "control markers. A person must check this passage whatever the model concluded."
        ),
        remediation="Remove the instruction or markup, or confirm it is harmless quoted material.",
    )
    return CheckedFinding(
        MANIPULATION_POLICY, finding, dict(hit.passage.location), True, "", layer="triage"
    )


def plan_windows(
    document: Document, policy: Policy, engine: Engine, effort: str, answer_budget: int
) -> list[tuple[Passage, ...]]:
    """Split the passages into groups whose prompts fit the context window. Consecutive windows
    share ``WINDOW_OVERLAP`` passages, so a finding that needs the passage before it for context
    is not lost at a boundary; the same citation from two windows is kept once (``_validate``).

    Token counts are exact but not free (a whole prompt is rendered and tokenized), so window
    sizes are first estimated from the average passage cost, then checked and adjusted: a few
    counts per window instead of one per passage.
    """
    limit = engine.info.n_ctx - answer_budget
    passages = document.passages

    def cost(window: tuple[Passage, ...]) -> int:
        return engine.count_tokens(build_request(policy, window, effort))

    total = cost(passages)
    if total <= limit:
        return [passages]
    base = cost(())
    per_passage = max(1.0, (total - base) / max(len(passages), 1))
    windows: list[tuple[Passage, ...]] = []
    start = 0
    while start < len(passages):
        size = max(1, min(len(passages) - start, int((limit - base) / per_passage)))
        while size > 1 and cost(passages[start : start + size]) > limit:
            size = max(1, int(size * 0.8))
        if size == 1 and cost(passages[start : start + 1]) > limit:
            passage = passages[start]
            raise PromptTooLong(
                f"passage {passage.id} ({format_location(passage.location)}) with policy "
                f"'{policy.id}' does not fit the model's context of {engine.info.n_ctx} "
                "tokens; use a larger context length or a shorter policy",
                path=document.path,
            )
        for _ in range(8):  # take up room the estimate left unused
            step = max(1, size // 10)
            if start + size + step > len(passages):
                break
            if cost(passages[start : start + size + step]) > limit:
                break
            size += step
        windows.append(passages[start : start + size])
        if start + size >= len(passages):
            break
        start += size - WINDOW_OVERLAP if size > WINDOW_OVERLAP else size
    return windows


def _validate(
    policy: Policy, document: Document, outputs: tuple[EngineResult, ...]
) -> PolicyResult:
    verdicts: list[str] = []
    findings: list[CheckedFinding] = []
    problems: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for output in outputs:
        try:
            parsed = parse_verdict(output.final)
        except VerdictFormatError as error:
            problems.append(f"the model's answer is not a valid verdict: {error}")
            verdicts.append("needs_review")
            continue
        verdict = parsed.verdict
        if verdict == "violation" and not parsed.findings:
            problems.append("the model said 'violation' but cited nothing")
            verdict = "needs_review"
        elif verdict == "compliant" and parsed.findings:
            problems.append("the model said 'compliant' but listed findings")
            verdict = "needs_review"
        verdicts.append(verdict)
        for finding in parsed.findings:
            key = (finding.section, finding.passage, normalise(finding.quote))
            if key in seen:
                continue  # the same citation twice: a model repeating itself
            seen.add(key)
            check = check_citation(finding, policy, document)
            passage = document.passage(finding.passage)
            findings.append(
                CheckedFinding(
                    policy=policy.id,
                    finding=finding,
                    location=dict(passage.location) if passage else {},
                    quote_verified=check.verified,
                    problem=check.problem,
                )
            )
    overall = worst_verdict(verdicts)
    return PolicyResult(
        policy=policy,
        verdict=overall,
        findings=tuple(findings),
        reasoning="\n\n".join(o.analysis for o in outputs if o.analysis),
        raw_final="\n\n".join(o.final for o in outputs),
        indeterminate="; ".join(problems),
        engine_results=outputs,
    )
