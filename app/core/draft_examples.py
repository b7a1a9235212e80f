"""Examples for a policy draft, drafted by the installed model: the request (a drafting prompt
in the same three harmony messages as a check: system with the effort, developer with the
task, user with the draft's criteria) and how its answer fills the draft's example gaps.

The model only fills gaps the draft marked; what it writes stays in a ``draft: true`` policy
for a person to edit, and a gap it did not fill stays a gap that lint names.
"""

from __future__ import annotations

import json
import re
from typing import Any

from app.core.drafting import KINDS, DocumentKind, PolicyDraft
from app.core.engine import JudgeRequest
from app.core.types import Effort

# Short examples keep the whole answer inside the engine's answer budget (1,024 tokens).
MAX_EXAMPLE_CHARS = 240
DRAFTING_PROMPT = """You write test examples for a compliance policy.

The user message is a policy: its criteria restate a regulation, each under a heading such as
"## ID-1 Title". For every criterion, write one short passage (one or two sentences, at most
240 characters) of {what} that clearly breaks that criterion and no other. Then write
{compliant} short passage(s) of the same kind of document that break none of the criteria.
Write them as the organisation would publish them, with realistic names and figures; never
quote the criteria.

Answer with a JSON object only: {{"examples": [{{"section": "ID-1", "text": "..."}}, ...]}}, with
"section" the criterion's id for a violation, or "compliant"."""
_GAP_EXAMPLE = re.compile(r"^## (\S+) violation$|^## Compliant$")
_GAP_LINE = re.compile(r"^> \[\[GAP:.*\]\]$")


def compliant_gaps(draft: PolicyDraft) -> int:
    return sum(1 for line in draft.text.splitlines() if line == "## Compliant")


def examples_request(
    draft: PolicyDraft, kind: DocumentKind, effort: Effort = "low"
) -> JudgeRequest:
    """The drafting request for one draft: the criteria in the user message, a JSON schema
    that admits only the draft's section ids (or "compliant") and bounded texts."""
    ids = [criterion.section_id for criterion in draft.criteria]
    wanted = len(ids) + compliant_gaps(draft)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "examples": {
                "type": "array",
                "minItems": 1,
                "maxItems": wanted,
                "items": {
                    "type": "object",
                    "properties": {
                        "section": {"type": "string", "enum": [*ids, "compliant"]},
                        "text": {"type": "string", "minLength": 1, "maxLength": MAX_EXAMPLE_CHARS},
                    },
                    "required": ["section", "text"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["examples"],
        "additionalProperties": False,
    }
    prompt = DRAFTING_PROMPT.format(what=KINDS[kind][1], compliant=compliant_gaps(draft))
    return JudgeRequest(effort, prompt, _criteria_only(draft.text), schema)


def _criteria_only(text: str) -> str:
    """The draft's body up to its Examples: what the model needs, without the gaps."""
    body = text.split("\n---\n", 1)[-1]
    return body.split("\n# Examples", 1)[0].strip()


def parse_examples(final: str, draft: PolicyDraft) -> list[tuple[str, str]]:
    """(section id or "compliant", text) from the model's final message; anything that is
    not an example of this draft is dropped. Raises ValueError when it is not the JSON asked
    for."""
    try:
        # strict=False: a raw tab or line break inside a text is the model's formatting, not
        # a broken answer (the grammar lets them through; the text is flattened below anyway)
        data = json.loads(final, strict=False)
    except json.JSONDecodeError as error:
        raise ValueError(f"the model's answer is not JSON ({error.msg})") from None
    items = data.get("examples") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValueError('the model\'s answer has no "examples" list')
    ids = {criterion.section_id for criterion in draft.criteria} | {"compliant"}
    examples = []
    for item in items:
        if not isinstance(item, dict):
            continue
        section, text = item.get("section"), item.get("text")
        if section in ids and isinstance(text, str) and text.strip():
            examples.append((str(section), _one_paragraph(text)))
    return examples


def _one_paragraph(text: str) -> str:
    """An example is one quoted paragraph: no line breaks, no Markdown structure, bounded."""
    flat = " ".join(text.replace("[[", "[").replace("]]", "]").split()).lstrip("#> ")
    return flat[:MAX_EXAMPLE_CHARS]


def fill_gaps(text: str, examples: list[tuple[str, str]]) -> tuple[str, int]:
    """The draft with each example gap (the ``> [[GAP: …]]`` line under ``## ID violation`` or
    ``## Compliant``) replaced by a drafted example for it. Returns (text, gaps filled)."""
    violations: dict[str, str] = {}
    compliant: list[str] = []
    for name, drafted in examples:
        if name == "compliant":
            compliant.append(drafted)
        else:
            violations.setdefault(name, drafted)
    lines = text.split("\n")
    filled = 0
    for index in range(1, len(lines)):
        heading = _GAP_EXAMPLE.match(lines[index - 1])
        if heading is None or not _GAP_LINE.match(lines[index]):
            continue
        section = heading.group(1)
        example: str | None = None
        if section:
            example = violations.pop(section, "") or None
        elif compliant:
            example = compliant.pop(0)
        if example:
            lines[index] = f"> {example}"
            filled += 1
    return "\n".join(lines), filled
