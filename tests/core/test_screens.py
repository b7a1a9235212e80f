"""Policy screens: refused when they could hang, bounded when they still might, and blind to
disguises in the text while quoting the original words."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.documents import Document, Passage
from app.core.errors import PolicyError
from app.core.pipeline import check_document
from app.core.policy import Policy, parse_policy
from app.core.screens import ScreenBudget, screen_hits
from app.inference.scripted import Recording, ScriptedEngine
from tests.helpers.policies import policy_text

EVIL = "a" * 40 + "!"


def passages(*texts: str) -> tuple[Passage, ...]:
    return tuple(Passage(f"P{n}", t, {"line": n}) for n, t in enumerate(texts, start=1))


@pytest.mark.timeout(30)
def test_a_nested_quantifier_screen_is_refused_at_load_with_its_line() -> None:
    started = time.monotonic()
    with pytest.raises(PolicyError) as info:
        parse_policy(policy_text("Screen: /(a+)+$/"))
    assert info.value.line == 13
    assert "nested quantifier" in str(info.value) and "line 13" in str(info.value)
    assert time.monotonic() - started < 5


@pytest.mark.timeout(30)
def test_a_screen_that_slips_past_the_check_is_stopped_and_says_so() -> None:
    """(a|aa)+$ has no nested quantifier but backtracks exponentially on 40 a's and a '!'."""
    base = parse_policy(policy_text("Screen: guaranteed"))
    hr1 = replace(base.sections[0], screens=(r"(a|aa)+$", r"\bguaranteed\b"))
    policy = replace(base, sections=(hr1, base.sections[1]))
    started = time.monotonic()
    hits = screen_hits(policy, passages(EVIL, "A guaranteed return."), ScreenBudget(per_search=0.2))
    assert time.monotonic() - started < 5
    assert "took over 0.20 s on passage P1 and was stopped" in hits.cut_short
    assert [(h.section, h.passage.id, h.quote) for h in hits] == [("HR-1", "P2", "guaranteed")]


def test_the_check_budget_stops_screening_and_says_so() -> None:
    policy = parse_policy(policy_text("Screen: guaranteed"))
    ticks = iter([0.0, 0.0, 99.0, 99.0])  # created, first search, then the budget is gone
    budget = ScreenBudget(seconds=1.0, clock=lambda: next(ticks, 99.0))
    hits = screen_hits(policy, passages("guaranteed", "guaranteed too"), budget)
    assert len(hits) == 1
    assert "screen time of 1 s for this check was used up" in hits.cut_short


def test_no_cut_short_when_every_screen_ran() -> None:
    hits = screen_hits(parse_policy(policy_text("Screen: guaranteed")), passages("x"))
    assert (len(hits), hits.cut_short) == (0, "")


@pytest.mark.parametrize(
    "text",
    [
        "A gu\u200baranteed return",  # zero-width space
        "A gu\u0430ranteed return",  # Cyrillic a
        "A \uff47\uff55\uff41\uff52\uff41\uff4e\uff54\uff45\uff45\uff44 return",  # fullwidth
        "A GUAR\u00adANTEED return",  # soft hyphen, capitals
        "A guara\u0301nteed return",  # a combining accent
    ],
)
def test_screens_see_through_disguises_and_quote_the_original(text: str) -> None:
    policy = parse_policy(policy_text('Screen: guaranteed, "risk free"'))
    (hit,) = screen_hits(policy, passages(text))
    assert hit.quote in text and hit.quote != "guaranteed"
    assert hit.quote.startswith(text[2:4])


def test_phrase_screens_cross_disguised_spaces_and_accented_words_match_both_ways() -> None:
    policy = parse_policy(policy_text('Screen: "risk free", "int\u00e9r\u00eat garanti"'))
    texts = ("Totally risk\u00a0free!", "Un interet garanti.", "Un int\u00e9r\u00eat garanti.")
    hits = screen_hits(policy, passages(*texts))
    assert [h.quote for h in hits] == [
        "risk\u00a0free",
        "interet garanti",
        "int\u00e9r\u00eat garanti",
    ]


def test_folding_catches_look_alike_letters_but_leaves_other_scripts_alone() -> None:
    policy = parse_policy(policy_text("Screen: guaranteed, pay"))
    look_alike = "\u0440\u0430\u0443 \u0441\u0442\u043e"  # Cyrillic letters shaped "pay"
    russian = "\u041c\u044b \u0433\u0430\u0440\u0430\u043d\u0442\u0438\u0440\u0443\u0435\u043c"
    assert [h.quote for h in screen_hits(policy, passages(look_alike))] == [look_alike[:3]]
    assert len(screen_hits(policy, passages(russian))) == 0  # "we guarantee", in Russian


def _pathological_policy() -> Policy:
    base = parse_policy(policy_text("Screen: guaranteed"))
    hr1 = replace(base.sections[0], screens=(r"(a|aa)+$",))
    return replace(base, sections=(hr1, base.sections[1]))


def _document(*texts: str) -> Document:
    return Document(Path("d.txt"), "f" * 64, "text/plain", 1, passages(*texts))


@pytest.mark.timeout(60)
def test_a_check_whose_screens_were_cut_short_reasons_at_high_effort_and_says_why() -> None:
    engine = ScriptedEngine([Recording("", json.dumps({"verdict": "compliant", "findings": []}))])
    result = check_document(
        _document(EVIL, "Hello."), [_pathological_policy()], engine, effort="auto"
    )
    assert [r.effort for r in engine.requests] == ["high"]
    (note,) = result.policy_results[0].escalations
    assert note.startswith("screens cut short (screen /(a|aa)+$/ of house-rule HR-1 took over")


@pytest.mark.timeout(60)
def test_triage_only_cut_short_is_at_best_needs_review() -> None:
    engine = ScriptedEngine([Recording("", "{}")])
    result = check_document(_document(EVIL), [_pathological_policy()], engine, triage_only=True)
    (policy_result,) = result.policy_results
    assert policy_result.verdict == "needs_review" and not engine.requests
    assert "screening was cut short" in policy_result.indeterminate
