from __future__ import annotations

import pytest

from app.core.lint import lint_text, load_cases
from app.runtime.resources import bundled_policies_dir
from tests.helpers.policies import GOOD


def words(text: str) -> int:
    return 500  # a length inside the recommended range, so only the other rules speak


def messages(text: str, count=words, cases=None) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(issue) for issue in lint_text(text, count, cases=cases)[1]]


def test_a_complete_policy_has_only_the_example_warnings() -> None:
    # GOOD has 1 example and covers HR-1 only
    assert messages(GOOD) == [
        "warning: 1 example(s); give at least 4, violations and compliant ones",
        "warning: section HR-2 has no example and no test case",
    ]


def test_cases_count_as_coverage() -> None:
    found = messages(GOOD, cases=[{"text": "x", "expected": "violation", "sections": ["HR-2"]}])
    assert not any("HR-2" in m for m in found)


def test_token_limits() -> None:
    assert any(
        "300 tokens; policies work best at 400-600" in m
        for m in messages(GOOD, count=lambda t: 300)
    )
    assert any(m.startswith("error: 12000 tokens") for m in messages(GOOD, count=lambda t: 12000))


def test_vague_words_with_their_line() -> None:
    text = GOOD.replace("Violates when two.", "Violates when it is usually unfair.")
    assert (
        "warning: line 15: vague wording 'usually': say exactly when the rule applies"
        in messages(text)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("## HR-2: Second rule", "## HR-1 Again"), "error: duplicate section id HR-1"),
        (GOOD.replace("## HR-1 First rule", "## First rule"), "does not start with a section id"),
        (GOOD.replace("# Definitions\nWords.\n", ""), "warning: no '# Definitions' section"),
    ],
)
def test_structure_problems(text: str, expected: str) -> None:
    assert any(expected in m for m in messages(text))


BUNDLED = sorted(p.parent.name for p in bundled_policies_dir().glob("*/policy.md"))


@pytest.mark.parametrize("policy_id", BUNDLED)
def test_bundled_policies_lint_clean_with_enough_cases(policy_id: str) -> None:
    from app.cli.policy import count_tokens

    folder = bundled_policies_dir() / policy_id
    cases = load_cases(folder / "cases.jsonl")
    policy, issues = lint_text(
        (folder / "policy.md").read_text(encoding="utf-8"), count_tokens, cases=cases
    )
    assert issues == []
    assert policy is not None
    if policy_id != "house-rules-template":
        assert len(cases) >= 20
        assert {c["expected"] for c in cases} == {"violation", "compliant", "needs_review"}
        for section in policy.section_ids:
            assert any(section in c["sections"] for c in cases if c["expected"] == "violation")
