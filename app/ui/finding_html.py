"""A finding as the reviewer reads it: the policy clause beside the rationale and the fix, the
review line, and the warnings a person must see (unverified quote, carried over)."""

from __future__ import annotations

import html

from app.core.documents import format_location
from app.core.types import SEVERITY_RANK
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
    """The Review column: what the latest decision was (and on which run, when it came with a
    finding carried over by a re-check)."""
    if decision is None:
        return "unreviewed"
    text = DECISION_WORDS.get(decision.decision, "")
    if decision.carried_from_run:
        text += f" (on run {decision.carried_from_run})"
    return text


def severity_text(finding: StoredFinding) -> str:
    """The severity that counts; an amended one beside the model's: "high → low"."""
    if finding.reviewed_severity != finding.severity:
        return f"{finding.severity} → {finding.reviewed_severity}"
    return finding.severity


def review_line(decision: Decision) -> str:
    """The finding's review line: what, by whom, when, on which run, the changes and the note."""
    line = (
        f"<b>Review:</b> {DECISION_WORDS[decision.decision]} by "
        f"{html.escape(decision.reviewer)} on {decision.decided_at[:16].replace('T', ' ')}"
    )
    changes = ", ".join(f"{k} → {v}" for k, v in (decision.amended or {}).items())
    if changes:
        line += f" ({html.escape(changes)})"
    if decision.carried_from_run:
        line += f" — decided on run {decision.carried_from_run} (carried over)"
    if decision.note:
        line += f"<br><b>Note:</b> {html.escape(decision.note)}"
    return f"<p>{line}</p>"


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
    decided = review_line(finding.decision) if finding.decision else ""
    return (
        f"{decided}{warning}<p><b>{html.escape(finding.policy_id)} {finding.section}</b> · "
        f"severity <b>{html.escape(severity_text(finding))}</b> · confidence "
        f"{finding.confidence:.0%} · {finding.passage} ({location}) · raised by "
        f"{finding.layer}</p>"
        f"<p><b>Quote</b><br><i>“{html.escape(finding.quote)}”</i></p>"
        f"<table width='100%' cellspacing='6'><tr>"
        f"<td width='50%' valign='top' style='background:#f3f5f8'><b>Policy clause</b><br>"
        f"{clause_html(clause)}</td>"
        f"<td width='50%' valign='top'><b>Why</b><br>{html.escape(finding.rationale)}"
        f"<br><br><b>Suggested fix</b><br>{html.escape(finding.remediation)}</td>"
        f"</tr></table>"
    )


def standing_tints(findings: list[StoredFinding]) -> dict[str, str]:
    """Each passage's worst severity among the findings that stand (rejected ones drop out,
    amended severities count)."""
    worst: dict[str, str] = {}
    for finding in findings:
        if finding.decision and finding.decision.decision == "reject":
            continue
        current = worst.get(finding.passage, "low")
        if SEVERITY_RANK[finding.reviewed_severity] >= SEVERITY_RANK[current]:
            worst[finding.passage] = finding.reviewed_severity
    return worst
