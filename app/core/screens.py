"""Policy screens: the cheap triage layer a policy declares ("Screen:" lines in its criteria).

Screens only route work — a passage that matches a screen is reasoned over at high effort, the
rest at low — and are never a verdict on their own, except in "triage only" mode, where the
user asked for bulk screening without the model: then each match becomes a finding (layer
``triage``) that a person must review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.documents import Passage
from app.core.policy import Policy


@dataclass(frozen=True)
class ScreenHit:
    section: str
    passage: Passage
    quote: str  # the matched words, exactly as in the passage


def screen_hits(policy: Policy, passages: tuple[Passage, ...]) -> list[ScreenHit]:
    hits = []
    for section in policy.sections:
        for pattern in section.screens:
            regex = re.compile(pattern, re.IGNORECASE)
            for passage in passages:
                match = regex.search(passage.text)
                if match and match.group(0).strip():
                    hits.append(ScreenHit(section.id, passage, match.group(0).strip()))
    return hits


def has_screens(policy: Policy) -> bool:
    return any(section.screens for section in policy.sections)
