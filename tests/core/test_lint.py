from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.errors import PolicyError
from app.core.lint import VAGUE, gap_marker, lint_text, load_cases
from tests.helpers.policies import GOOD, policy_text


def words(text: str) -> int:
    return 500  # a length inside the recommended range, so only the other rules speak


def messages(text: str, count=words, cases=None) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(issue) for issue in lint_text(text, count, cases=cases)[1]]


def test_a_complete_policy_has_only_the_example_warnings() -> None:
    # GOOD has 1 example and covers HR-1 only
    assert messages(GOOD) == [
        "warning: line 16: 1 example(s); give at least 4, violations and compliant ones",
        "warning: line 14: section HR-2 has no example and no test case",
    ]


def test_cases_count_as_coverage() -> None:
    found = messages(GOOD, cases=[{"text": "x", "expected": "violation", "sections": ["HR-2"]}])
    assert not any("HR-2" in m for m in found)


def test_token_limits() -> None:
    assert any(
        "300 tokens; policies work best at 400-600" in m
        for m in messages(GOOD, count=lambda t: 300)
    )
    assert any(
        m.startswith("error: line 1: 12000 tokens") for m in messages(GOOD, count=lambda t: 12000)
    )


def test_vague_words_with_their_line() -> None:
    text = GOOD.replace("Violates when two.", "Violates when it is usually unfair.")
    found = [m for m in messages(text) if "usually" in m]
    assert found == [
        "warning: line 15: vague wording 'usually': a hedge: the guide for gpt-oss-safeguard "
        "warns it causes false positives and confusion; say exactly when the rule applies, and "
        "send unclear cases to needs_review"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace("## HR-2: Second rule", "## HR-1 Again"),
            "error: line 14: duplicate section id HR-1",
        ),
        (GOOD.replace("## HR-1 First rule", "## First rule"), "does not start with a section id"),
        (
            GOOD.replace("# Definitions\nWords.\n", ""),
            "warning: line 1: no '# Definitions' section",
        ),
    ],
)
def test_structure_problems(text: str, expected: str) -> None:
    assert any(expected in m for m in messages(text))


@pytest.mark.parametrize(
    "word",
    ["appropriate", "where possible", "as necessary", "relevant", "reasonable", "significant",
     "etc.", "generally", "sufficient"],
)  # fmt: skip
def test_the_cookbook_vague_words_each_with_its_reason(word: str) -> None:
    text = policy_text().replace("Violates when two.", f"Violates when two, {word} here.")
    (issue,) = [i for i in lint_text(text, words)[1] if "vague" in i.message]
    assert issue.line == 15 and issue.level == "warning"
    assert issue.message == f"vague wording '{word}': {VAGUE[word]}"
    assert len(VAGUE[word]) > 20  # a reason a person can act on, not just the word


def test_a_phrase_is_reported_once_and_front_matter_is_not_read() -> None:
    text = policy_text(meta="note: as appropriate, etc.\n").replace(
        "Violates when two.", "Violates when two, as appropriate."
    )
    vague = [i for i in lint_text(text, words)[1] if "vague" in i.message]
    assert [(i.line, i.message.split(":")[0]) for i in vague] == [
        (16, "vague wording 'as appropriate'")
    ]
    assert "inappropriate" not in messages(policy_text().replace("two.", "two, inappropriate."))


def test_nested_quantifier_screen_is_an_error_on_its_line_and_linting_goes_on() -> None:
    text = policy_text("Screen: /(a+)+$/").replace("Violates when two.", "Violates, etc.")
    policy, issues = lint_text(text, words)
    assert policy is not None  # the rest of the policy is still checked
    errors = [i for i in issues if i.level == "error"]
    assert len(errors) == 1 and errors[0].line == 13
    assert "nested quantifier" in errors[0].message and "(?>" in errors[0].message
    assert any("vague wording 'etc.'" in i.message for i in issues)
    assert policy.section("HR-1").screens == ()  # type: ignore[union-attr]


def test_an_invalid_screen_is_an_error_on_its_line() -> None:
    issues = lint_text(policy_text("Screen: guaranteed, /([unclosed/"), words)[1]
    assert [(i.level, i.line) for i in issues if "screen" in i.message] == [("error", 13)]


def test_every_issue_has_a_line() -> None:
    broken = [
        GOOD.replace("# Definitions\nWords.\n", ""),
        GOOD.replace("## HR-2: Second rule", "## HR-1 Again"),
        GOOD.replace("---\nid", "id", 1),
        GOOD.replace("Violates when two.", "Screen: /(x*)*/"),
    ]
    for text in broken:
        for issue in lint_text(text, lambda t: 300)[1]:
            assert issue.line >= 1, issue
    duplicate = lint_text(broken[1], words)[1]
    assert str(duplicate[0]) == "error: line 14: duplicate section id HR-1"


@pytest.mark.timeout(20)
def test_cases_files_are_read_bounded(tmp_path: Path) -> None:
    fifo = tmp_path / "cases.jsonl"
    os.mkfifo(fifo)  # reading it would block forever
    with pytest.raises(PolicyError, match="FIFO"):
        load_cases(fifo)
    with pytest.raises(PolicyError, match="device"):
        load_cases(Path("/dev/zero"))
    big = tmp_path / "big.jsonl"
    big.write_bytes(b" " * (16 * 1024 * 1024 + 1))
    with pytest.raises(PolicyError, match="over the 16.0 MB limit"):
        load_cases(big)


def test_marked_gaps_are_errors_on_their_line() -> None:
    text = policy_text().replace("> two", "> " + gap_marker("a passage breaking HR-2"))
    _, issues = lint_text(text, lambda t: 500)
    (gap,) = [i for i in issues if "gap" in i.message]
    assert gap.level == "error"
    assert text.split("\n")[gap.line - 1] == "> [[GAP: a passage breaking HR-2]]"
    assert str(gap).endswith(
        "unfilled gap: a passage breaking HR-2 (a policy with gaps stays a draft)"
    )
    _, clean = lint_text(policy_text(), lambda t: 500)
    assert not [i for i in clean if "gap" in i.message]
