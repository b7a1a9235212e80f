"""The words of a request: shared by every engine so all models see the same content.

The cookbook's advice for gpt-oss-safeguard: the policy in the developer message, the output
instructions stated near the top and repeated at the bottom, the content in the user message.
"""

from __future__ import annotations

from app.core.documents import Passage
from app.core.engine import JudgeRequest
from app.core.policy import Policy
from app.core.types import Effort
from app.core.verdict import verdict_schema

OUTPUT_INSTRUCTIONS = """\
Answer with one JSON object and nothing else:
{"verdict": "violation" | "compliant" | "needs_review",
 "findings": [{"section": <policy section id>, "passage": <passage id such as "P3">,
   "quote": <exact words copied from that passage>, "severity": "low"|"medium"|"high"|"critical",
   "confidence": <0.0-1.0>, "rationale": <why this breaks the section>,
   "remediation": <how to fix the wording>}]}
Cite only section ids from the Criteria and passage ids from the content. Copy quotes exactly.
"violation" needs at least one finding; "compliant" has none; use "needs_review" when the content
is ambiguous or the policy does not settle it."""


def developer_message(policy: Policy) -> str:
    return (
        f"You are a compliance reviewer. Judge the content against the policy "
        f"'{policy.title}' (id {policy.id}, version {policy.version}).\n\n"
        f"{OUTPUT_INSTRUCTIONS}\n\n"
        f"--- POLICY ---\n{policy.body.strip()}\n--- END OF POLICY ---\n\n"
        f"Reminder of the output format:\n{OUTPUT_INSTRUCTIONS}"
    )


def user_message(passages: tuple[Passage, ...] | list[Passage]) -> str:
    """Passages labelled with the ids the model must cite, one per line: line breaks inside a
    passage are flattened so its text cannot pose as the start of another passage. A passage
    with tracked changes or with text the page does not show says so in its label, e.g.
    ``[P4 · changed: inserted "2%", deleted "10%"]``: the text is the accepted one, and the model
    judges it knowing what changed."""
    labels = [_label(p) for p in passages]
    lines = ["Content to review, one passage per line, each starting with its id in brackets:"]
    if any(label != p.id for label, p in zip(labels, passages, strict=True)):
        lines.append(ANNOTATIONS)
    lines.extend(
        f"[{label}] {' '.join(p.text.split())}" for label, p in zip(labels, passages, strict=True)
    )
    return "\n".join(lines)


ANNOTATIONS = (
    '(After an id, "changed:" lists tracked changes — the passage shows the text with them '
    'accepted — and "not visible on the page:" says the passage holds hidden, white or tiny '
    "text. Cite only the id.)"
)


def _label(passage: Passage) -> str:
    notes = []
    for key, title in (("changed", "changed"), ("hidden", "not visible on the page")):
        value = passage.location.get(key)
        if isinstance(value, str) and value.strip():
            # One line, and no brackets: document text must not close the label early.
            flat = " ".join(value.split()).replace("[", "(").replace("]", ")")
            notes.append(f"{title}: {flat}")
    return " · ".join([passage.id, *notes])


def build_request(policy: Policy, passages: tuple[Passage, ...], effort: Effort) -> JudgeRequest:
    return JudgeRequest(
        effort=effort,
        policy_text=developer_message(policy),
        content=user_message(passages),
        schema=verdict_schema(policy.section_ids, tuple(p.id for p in passages)),
    )


def combined_developer_message(policies: list[Policy]) -> str:
    """Several policies in one developer message (the model's multi-policy mode): one pass over
    the content instead of one per policy. Section ids must not clash between the policies."""
    blocks = "\n\n".join(
        f"--- POLICY {p.id} (version {p.version}): {p.title} ---\n{p.body.strip()}\n"
        f"--- END OF POLICY {p.id} ---"
        for p in policies
    )
    names = ", ".join(p.id for p in policies)
    return (
        f"You are a compliance reviewer. Judge the content against each of these "
        f"{len(policies)} policies: {names}. A finding cites the section id of the policy it "
        "breaks; the verdict is the worst over all policies.\n\n"
        f"{OUTPUT_INSTRUCTIONS}\n\n{blocks}\n\nReminder of the output format:\n"
        f"{OUTPUT_INSTRUCTIONS}"
    )


def build_combined_request(
    policies: list[Policy], passages: tuple[Passage, ...], effort: Effort
) -> JudgeRequest:
    sections = tuple(s for p in policies for s in p.section_ids)
    return JudgeRequest(
        effort=effort,
        policy_text=combined_developer_message(policies),
        content=user_message(passages),
        schema=verdict_schema(sections, tuple(p.id for p in passages)),
    )
