"""Every bundled policy: lint clean, 400-600 o200k tokens, cases that load, a Source line for
every criterion and at least one violation case for each."""

from __future__ import annotations

import re

import pytest

from app.core.lint import TOKENS_HIGH, TOKENS_LOW, lint_text, load_cases
from app.core.policy import load_policy
from app.inference.harmony import count_text_tokens
from tests.helpers.policies import BUNDLED_DIR, bundled_ids

REGULATORY = [
    "finra-2210",
    "sec-marketing-rule",
    "mifid-marketing",
    "cap-code-misleading",
    "eu-consumer-credit",
    "eu-ai-act-art50",
    "ftc-endorsements",
]


def test_the_regulatory_library_is_bundled() -> None:
    assert set(REGULATORY) <= set(bundled_ids())


@pytest.mark.parametrize("policy_id", bundled_ids())
def test_bundled_policy_is_lint_clean_and_tested(policy_id: str) -> None:
    folder = BUNDLED_DIR / policy_id
    text = (folder / "policy.md").read_text(encoding="utf-8")
    cases = load_cases(folder / "cases.jsonl")
    policy, issues = lint_text(text, count_text_tokens, cases=cases)
    assert [str(i) for i in issues if i.level == "error"] == []
    assert issues == []
    assert policy is not None and policy.id == policy_id
    assert TOKENS_LOW <= count_text_tokens(text) <= TOKENS_HIGH
    assert load_policy(folder).sha256  # loads from disk the same way the library does
    if policy.template:
        assert not policy.checkable
        return
    assert len(cases) >= 20
    assert {c["expected"] for c in cases} == {"violation", "compliant", "needs_review"}
    for section in policy.sections:
        cited = [c for c in cases if section.id in c["sections"]]  # type: ignore[operator]
        assert any(c["expected"] == "violation" for c in cited), section.id


@pytest.mark.parametrize("policy_id", REGULATORY)
def test_regulatory_policy_cites_its_source(policy_id: str) -> None:
    policy = load_policy(BUNDLED_DIR / policy_id)
    assert policy.source.startswith("https://")
    assert "draft" in policy.note and "compliance officer" in policy.note
    assert policy.checkable and not policy.template
    assert len(policy.sections) >= 4
    for section in policy.sections:
        sources = re.findall(r"^Source: (.+)$", section.text, re.MULTILINE)
        assert len(sources) == 1, section.id
        assert re.search(r"\d", sources[0]), f"{section.id}: cite the provision, not the act"
    cases = load_cases(BUNDLED_DIR / policy_id / "cases.jsonl")
    assert len(cases) == 21
    assert sum(c["expected"] == "compliant" for c in cases) >= 5  # near-misses and clean text


def test_screens_of_the_bundled_library_match_their_own_violation_cases() -> None:
    """A screen that never fires on its policy's own cases is dead weight; at least one screen
    of each screened criterion matches one of that criterion's violation cases."""
    from app.core.documents import Passage
    from app.core.screens import screen_hits

    for policy_id in REGULATORY:
        policy = load_policy(BUNDLED_DIR / policy_id)
        cases = load_cases(BUNDLED_DIR / policy_id / "cases.jsonl")
        for section in policy.sections:
            if not section.screens:
                continue
            passages = tuple(
                Passage(f"P{n}", str(c["text"]), {"line": n})
                for n, c in enumerate(cases, start=1)
                if section.id in c["sections"] and c["expected"] == "violation"  # type: ignore[operator]
            )
            hits = screen_hits(policy, passages)
            assert any(h.section == section.id for h in hits), f"{policy_id} {section.id}"
            for hit in hits:
                assert hit.quote in hit.passage.text
