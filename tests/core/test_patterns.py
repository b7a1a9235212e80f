"""Screen expressions: nested quantifiers refused, the bounded engine stops the rest."""

from __future__ import annotations

import time

import pytest

from app.core.patterns import ScreenPatternError, compile_screen, nested_quantifier


@pytest.mark.parametrize(
    "pattern",
    [r"(a+)+$", r"(\w+\s?)*", r"(?:a|b+){2,}", r"(x(a*))+", r"((a+))*", r"(a{1,5})+", r"(?i:a+)*"],
)
def test_nested_quantifiers_are_found(pattern: str) -> None:
    problem = nested_quantifier(pattern)
    assert problem.startswith("nested quantifier near")
    with pytest.raises(ScreenPatternError, match="nested quantifier"):
        compile_screen(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        r"\d+% a year",
        r"risk.free",
        r"(ab){3}",
        r"(a{2}){3}",  # fixed counts are not ambiguous
        r"(?>a+)+",  # atomic: no backtracking into the group
        r"(a++)+",  # possessive
        r"[(a+)]+",  # a character class, not a group
        r"\(a+\)+",  # escaped parentheses
        r"(?:[.,]\d+)?",  # an optional group repeats at most once
        r"(a|aa)+$",  # ambiguous, but not nested: left to the engine's timeout
    ],
)
def test_safe_or_undetectable_patterns_pass_the_check(pattern: str) -> None:
    assert nested_quantifier(pattern) == ""
    compile_screen(pattern)


def test_invalid_expression_is_refused_with_the_engine_message() -> None:
    with pytest.raises(ScreenPatternError, match="not a valid expression"):
        compile_screen("([unclosed")


@pytest.mark.timeout(30)
def test_the_engine_stops_an_ambiguous_pattern_by_its_timeout() -> None:
    regex = compile_screen(r"(a|aa)+$")
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        regex.search("a" * 40 + "!", timeout=0.2)
    assert time.monotonic() - started < 5
