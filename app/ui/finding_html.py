"""A finding as the reviewer reads it: the policy clause beside the rationale and the fix, the
review line, and the warnings a person must see (unverified quote, carried over)."""

from __future__ import annotations

import html

from app.core.documents import format_location
from app.store.records import Decision, StoredFinding

DECISION_WORDS = {
    "accept": "✔ accepted",
    "reject": "✘ rejected",
    "amend": "✎ amended",
    "reset": "↺ reset",
}


def clause_html(clause: str) -> str:
    """A policy clause for people: its title in bold, the wrapped lines of the Markdown joined
    into one paragraph, screen lines apart (they are for the triage layer)."""
    lines = [line.strip() for line in clause.strip().splitlines()]
    if not lines:
        return ""
    title = html.escape(lines[0].lstrip("#").strip())
    body = [line for line in lines[1:] if line and not line.lower().startswith("screen")]
    screens = [line for line in lines[1:] if line.lower().startswith("screen")]
    text = f"<b>{title}</b><br>{html.escape(' '.join(body))}"
    for screen in screens:
        text += f"<br><span style='color:#5f6b7a'>{html.escape(screen)}</span>"
    return text


def decision_text(decision: Decision | None) -> str:
    """The Review column: what the latest decision was."""
    return DECISION_WORDS.get(decision.decision, "") if decision else "unreviewed"


def finding_html(finding: StoredFinding, clause: str) -> str:
    location = format_location(finding.location)
    warning = (
        ""
        if finding.quote_verified
        else "<p style='color:#b3261e'><b>⚠ Unverified citation:</b> the quoted words are "
        "not in the cited passage. "
        "Check the passage yourself before accepting.</p>"
    )
    if finding.carried_from:
        warning += (
            f"<p><i>Carried over from run {finding.carried_from}: this passage is "
            "unchanged since that check, so the model did not read it again.</i></p>"
        )
    decision = finding.decision
    decided = (
        f"<p><b>Review:</b> {DECISION_WORDS[decision.decision]} by "
        f"{html.escape(decision.reviewer)} at {decision.decided_at}</p>"
        if decision
        else ""
    )
    return (
        f"{warning}<p><b>{html.escape(finding.policy_id)} {finding.section}</b> · "
        f"severity <b>{finding.severity}</b> · confidence "
        f"{finding.confidence:.0%} · {finding.passage} ({location}) · raised by "
        f"{finding.layer}</p>"
        f"<p><b>Quote</b><br><i>“{html.escape(finding.quote)}”</i></p>"
        f"<table width='100%' cellspacing='6'><tr>"
        f"<td width='50%' valign='top' style='background:#f3f5f8'><b>Policy clause</b><br>"
        f"{clause_html(clause)}</td>"
        f"<td width='50%' valign='top'><b>Why</b><br>{html.escape(finding.rationale)}"
        f"<br><br><b>Suggested fix</b><br>{html.escape(finding.remediation)}</td>"
        f"</tr></table>{decided}"
    )
