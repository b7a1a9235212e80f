"""What triage alone produces: findings raised by code (manipulation, hidden text) and the
result of a "triage only" check, where screens ran and no model did.

Screens are a pre-filter, never a judgment (trust rule 1): a triage-only policy is
``needs_review`` when a screen matched (every match is a finding for a person) and
``not_assessed`` when none did or the policy declares none. Either way no model judged it, so
rejecting every triage finding leaves it ``not_assessed``, never compliant.
"""

from __future__ import annotations

from app.core.policy import Policy
from app.core.results import CheckedFinding, PolicyResult
from app.core.screens import ScreenHits
from app.core.triage import HIDDEN_SECTION, MANIPULATION_POLICY, TRIAGE_TITLES, TriageHit
from app.core.types import Severity, Verdict
from app.core.verdict import Finding


def triage_only_result(policy: Policy, hits: ScreenHits) -> PolicyResult:
    """Bulk screening without the model: every screen match is a finding for a person."""
    findings = []
    seen: set[tuple[str, str]] = set()
    for hit in hits:
        if (hit.section, hit.passage.id) in seen:
            continue
        seen.add((hit.section, hit.passage.id))
        section = policy.section(hit.section)
        finding = Finding(
            section=hit.section,
            passage=hit.passage.id,
            quote=hit.quote,
            severity="medium",
            confidence=0.5,
            rationale=f"Matched a screen of {hit.section} "
            f"({section.title if section else ''}); triage only, the model did not judge it.",
            remediation="Review the passage against the policy clause.",
        )
        findings.append(
            CheckedFinding(policy.id, finding, dict(hit.passage.location), True, "", "triage")
        )
    verdict: Verdict = "needs_review" if findings or hits.cut_short else "not_assessed"
    if not any(s.screens for s in policy.sections):
        note = "triage only, but this policy declares no screens: nothing was checked"
    elif findings:
        note = "triage only: screens matched, no model judged the policy"
    else:
        note = "triage only: no screen matched, and screens are a pre-filter, not a judgment"
    if hits.cut_short:
        note += f"; screening was cut short: {hits.cut_short}"
    return PolicyResult(
        policy, verdict, tuple(findings), "", "", note, (), passages_judged=0,
        without_findings="not_assessed", judged=False,
    )  # fmt: skip


def triage_finding(hit: TriageHit) -> CheckedFinding:
    """A triage finding: raised by code, so its quote is verified by construction."""
    title = TRIAGE_TITLES[hit.section]
    severity: Severity
    if hit.section == HIDDEN_SECTION:
        severity, rationale, remediation = (
            "medium",
            f"{title} ({hit.reason.removeprefix('hidden in the original: ')}): a reader of the "
            "document does not see this text, but the model reads it. A person must check it "
            "whatever the model concluded.",
            "Remove the hidden text or make it visible, or confirm it is harmless.",
        )
    else:
        what = hit.reason or (
            "the text addresses an automated reviewer or imitates chat control markers"
        )
        severity, rationale, remediation = (
            "high",
            f"{title}: {what}. A person must check this passage whatever the model concluded.",
            "Remove the instruction or markup, or confirm it is harmless quoted material.",
        )
    finding = Finding(
        section=hit.section,
        passage=hit.passage.id,
        quote=hit.quote,
        severity=severity,
        confidence=1.0,
        rationale=rationale,
        remediation=remediation,
    )
    return CheckedFinding(
        MANIPULATION_POLICY, finding, dict(hit.passage.location), True, "", layer="triage"
    )
