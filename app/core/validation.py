"""Turn the model's answers for one policy into checked findings and a verdict.

Each answer covers one window of passages. An answer that is not a usable verdict judged
nothing: that window is ``not_assessed`` (never compliant). An answer that contradicts itself
(violation citing nothing, compliant listing findings) is ``needs_review``."""

from __future__ import annotations

from app.core.citations import check_citation, citation_key
from app.core.documents import Document
from app.core.engine import EngineResult
from app.core.policy import Policy
from app.core.results import CheckedFinding, PolicyResult, worst_verdict
from app.core.types import Verdict
from app.core.verdict import VerdictFormatError, parse_verdict


def validate(policy: Policy, document: Document, outputs: tuple[EngineResult, ...]) -> PolicyResult:
    verdicts: list[Verdict] = []
    without: list[Verdict] = []  # each window's verdict once its findings are rejected
    findings: list[CheckedFinding] = []
    problems: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for output in outputs:
        try:
            parsed = parse_verdict(output.final)
        except VerdictFormatError as error:
            problems.append(f"the model's answer is not a valid verdict: {error}")
            verdicts.append("not_assessed")
            without.append("not_assessed")
            continue
        verdict: Verdict = parsed.verdict
        if verdict == "violation" and not parsed.findings:
            problems.append("the model said 'violation' but cited nothing")
            verdict = "needs_review"
        elif verdict == "compliant" and parsed.findings:
            problems.append("the model said 'compliant' but listed findings")
            verdict = "needs_review"
        verdicts.append(verdict)
        # with findings, the findings carry the window's doubt: rejected, nothing is left
        without.append("compliant" if parsed.findings else verdict)
        for finding in parsed.findings:
            key = citation_key(finding)
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
        without_findings=worst_verdict(without),
        judged=bool(outputs) and "not_assessed" not in without,
    )
