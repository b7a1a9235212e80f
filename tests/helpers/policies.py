"""Policy texts and paths shared by the policy, lint, screen, library and pipeline tests."""

from __future__ import annotations

from pathlib import Path

BUNDLED_DIR = Path(__file__).resolve().parents[2] / "policies"

# A small, complete policy; the "{screen}" slot takes an extra line inside criterion HR-1.
TEMPLATE = """---
id: {id}
title: A house rule
version: 1.0.0
{meta}---
# Instructions
Decide.
# Definitions
Words.
# Criteria
## HR-1 First rule
Violates when one.
{screen}
## HR-2 Second rule
Violates when two.
# Examples
## HR-1 violation
> one
## HR-2 violation
> two
## Compliant
> three
## Compliant
> four
"""


def policy_text(screen: str = "", *, policy_id: str = "house-rule", meta: str = "") -> str:
    """The policy above; ``screen`` is put on line 13, the line after HR-1's first line."""
    return TEMPLATE.format(id=policy_id, screen=screen, meta=meta)


def bundled_ids() -> list[str]:
    return sorted(p.parent.name for p in BUNDLED_DIR.glob("*/policy.md"))


# The policy of the pipeline and store tests (front matter with a comment, "HR-2:" heading).
GOOD = """---
id: house-rule   # a comment after the value
title: A house rule
version: 2.1.0
source: https://example.org/rule
---
# Instructions
Decide.
# Definitions
Words.
# Criteria
## HR-1 First rule
Violates when one.
## HR-2: Second rule
Violates when two.
# Examples
## HR-1 violation
> one
"""
