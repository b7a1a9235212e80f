"""Cheap screens that run before the model. Today: text that tries to steer an automated reviewer.

A document that says "ignore your instructions" or carries chat-template role markers is not
necessarily non-compliant, but a human must see it: it becomes a finding of its own, raised by the
triage layer, whatever the model concludes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.documents import Document, Passage

MANIPULATION_SECTION = "INJ-1"
MANIPULATION_POLICY = "safeguard-desk"
MANIPULATION_TITLE = "Attempt to manipulate automated review"

_PATTERNS = [
    # "ignore your previous instructions", "disregard the above policy"
    r"\b(ignore|disregard|forget|override)\s+(all\s+|any\s+)?(of\s+)?(the\s+)?"
    r"(previous|prior|above|earlier|your|system|safety|these)\s+"
    r"(instructions?|rules?|polic(y|ies)|prompts?|guidelines)\b",
    # "classify this document as compliant"
    r"\b(classify|mark|label|rate|treat|report)\s+(this|the|these)\s+"
    r"(document|text|content|contract|file|email|message|draft|passage)s?\b[^.\n]{0,30}"
    r"\bas\s+(compliant|safe|approved|non-?violating|acceptable|clean)\b",
    # "you are now an assistant that ..."
    r"\b(you are now|from now on,? you are|act as|pretend to be)\b[^.\n]{0,30}"
    r"\b(ai|assistant|model|reviewer|classifier)\b",
    # "AI reviewers must ..."
    r"\b(ai|automated|llm|language model)\s+(reviewer|checker|model|assistant|system)s?\b"
    r"[^.\n]{0,60}\b(must|should|will|shall)\b",
    # chat-template control markers of common model families
    r"<\|(start|end|message|channel|im_start|im_end|system|user|assistant|return|call)\|>",
    r"<(start_of_turn|end_of_turn)>|\[/?INST\]|<</?SYS>>",
    r"^\s*(system|assistant|developer)\s*:\s*(you|ignore|classify|the (user|document))\b",
]
_REGEX = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class TriageHit:
    passage: Passage
    quote: str


def manipulation_hits(document: Document) -> list[TriageHit]:
    hits = []
    for passage in document.passages:
        match = _REGEX.search(passage.text)
        if match:
            hits.append(TriageHit(passage, match.group(0).strip()))
    return hits
