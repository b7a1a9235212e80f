"""The reviewed verdict: what a run says once a person has decided its findings (DESIGN.md,
"Reviewed verdict and sign-off"). Pure: the store hands in each policy's standing and each
finding's latest decision; nothing here reads or writes.

Per policy, with the latest decision of each finding (``reset`` and no decision: undecided):
1. any finding accepted or amended                 -> ``violation``
2. else any finding undecided                       -> ``needs_review``
3. else (every finding rejected, or none at all)   -> the policy's ``without_findings``:
   ``compliant`` only when a model answered every window usably and no window answered
   ``needs_review`` without findings; ``not_assessed`` when any part went unjudged (triage
   only, an unusable answer). A policy the model answered ``needs_review``/``not_assessed``
   without findings therefore keeps that.
The run is the worst over its policies (``results.VERDICT_ORDER``) and at best
``needs_review`` while parts of the document are unread. Findings raised by code for no policy
(the built-in ``safeguard-desk`` screens) form a policy of their own that stands ``compliant``
without them: they judge nothing, they only ask a person to look.

The model's verdict is never changed by any of this; the two are shown side by side.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.core.results import worst_verdict
from app.core.types import SEVERITIES, DecisionKind, Severity, Verdict

DECIDED: tuple[DecisionKind, ...] = ("accept", "reject", "amend")  # reset is undecided again


@dataclass(frozen=True)
class PolicyStanding:
    """One policy of a run as the model left it."""

    policy: str
    verdict: Verdict  # the model's verdict for this policy
    without_findings: Verdict  # what stands when every finding is rejected


@dataclass(frozen=True)
class FindingState:
    policy: str
    decision: DecisionKind | None  # the latest decision; None or "reset": undecided


@dataclass(frozen=True)
class ReviewedVerdict:
    verdict: Verdict  # the run's reviewed verdict
    policies: dict[str, Verdict] = field(default_factory=dict)  # per policy, reviewed
    total: int = 0  # findings
    accepted: int = 0
    rejected: int = 0
    amended: int = 0

    @property
    def reviewed(self) -> int:
        return self.accepted + self.rejected + self.amended

    @property
    def undecided(self) -> int:
        return self.total - self.reviewed


def decided(decision: DecisionKind | None) -> DecisionKind | None:
    """The decision that counts: ``reset`` undoes, so it counts as none."""
    return decision if decision in DECIDED else None


def policy_verdict(standing: Verdict, decisions: Sequence[DecisionKind | None]) -> Verdict:
    """Rules 1-3 above for one policy; ``standing`` is its ``without_findings``."""
    counted = [decided(d) for d in decisions]
    if any(d in ("accept", "amend") for d in counted):
        return "violation"
    if any(d is None for d in counted):
        return "needs_review"
    return standing


def reviewed_verdict(
    policies: Sequence[PolicyStanding], findings: Sequence[FindingState], *, unread: bool
) -> ReviewedVerdict:
    by_policy: dict[str, list[DecisionKind | None]] = {p.policy: [] for p in policies}
    for finding in findings:
        by_policy.setdefault(finding.policy, []).append(finding.decision)
    standing = {p.policy: p.without_findings for p in policies}
    verdicts = {
        policy: policy_verdict(standing.get(policy, "compliant"), decisions)
        for policy, decisions in by_policy.items()
    }
    run = worst_verdict(verdicts.values()) if verdicts else "not_assessed"
    if unread:
        run = worst_verdict([run, "needs_review"])  # a person must look at what no one read
    counts = Counter(decided(f.decision) for f in findings)
    return ReviewedVerdict(
        verdict=run,
        policies=verdicts,
        total=len(findings),
        accepted=counts["accept"],
        rejected=counts["reject"],
        amended=counts["amend"],
    )


def reviewed_severity(severity: Severity, amended: dict[str, object] | None) -> Severity:
    """What counts and is shown: the reviewer's amended severity, else the one raised."""
    value = (amended or {}).get("severity")
    return value if value in SEVERITIES else severity


SIGNOFF_WORDS = {
    "approve": "Approved",
    "changes-required": "Changes required",
    "reject": "Rejected",
}


def signoff_line(signoff: dict[str, object] | None) -> str:
    """'Approved by NAME on DATE' (or the other outcomes), 'Not signed off' without one; a
    sign-off followed by a decision is stale and says so. ``signoff`` as in the report JSON:
    ``{"outcome", "note", "reviewer", "at", "stale"}``."""
    if not signoff:
        return "Not signed off"
    words = SIGNOFF_WORDS.get(str(signoff.get("outcome")), str(signoff.get("outcome")))
    line = f"{words} by {signoff.get('reviewer')} on {str(signoff.get('at', ''))[:10]}"
    if signoff.get("stale"):
        line += " (stale: a decision was made after it)"
    return line
