from __future__ import annotations

from pathlib import Path

import pytest

from app.core.citations import check_citation, normalise, quote_span
from app.core.documents import Document, Passage
from app.core.policy import parse_policy
from app.core.verdict import Finding
from tests.helpers.policies import GOOD

POLICY = parse_policy(GOOD)
DOCUMENT = Document(
    Path("d.txt"),
    "0" * 64,
    "text/plain",
    1,
    (
        Passage("P1", "Northwind offers a “guaranteed”   12%\nreturn — risk-free.", {"line": 1}),
        Passage("P2", "No risk warning here.", {"line": 3}),
    ),
)


def finding(section: str = "HR-1", passage: str = "P1", quote: str = "") -> Finding:
    return Finding(section, passage, quote, "high", 0.9, "why", "fix")


@pytest.mark.parametrize(
    "quote",
    [
        'offers a "guaranteed" 12% return - risk-free',  # straight quotes, hyphen, one space
        "GUARANTEED",
        "12% return",
    ],
)
def test_quote_found_despite_typography_case_and_whitespace(quote: str) -> None:
    assert check_citation(finding(quote=quote), POLICY, DOCUMENT).verified


@pytest.mark.parametrize(
    ("found", "problem"),
    [
        (finding(section="HR-9", quote="guaranteed"), "section does not exist"),
        (finding(passage="P7", quote="guaranteed"), "passage does not exist"),
        (finding(quote="guaranteed 15%"), "not in the cited passage"),
        (finding(quote="No risk warning"), "not in the cited passage"),  # it is in P2
        (finding(quote="no"), "not in the cited passage"),  # only inside "Northwind"
        (finding(quote=""), "not in the cited passage"),
    ],
)
def test_unverifiable_citations(found: Finding, problem: str) -> None:
    check = check_citation(found, POLICY, DOCUMENT)
    assert not check.verified
    assert problem in check.problem


def test_normalise() -> None:
    assert normalise("  A\u00a0“B”\t—\nc ") == 'a "b" - c'


def test_quote_span_finds_the_words_as_written() -> None:
    from app.core.citations import quote_span

    text = "Earn a guaranteed 11% a year with\nzero risk — “really”."
    start, end = quote_span('a year with zero RISK - "really"', text) or (0, 0)
    assert text[start:end] == "a year with\nzero risk — “really”"
    assert quote_span("guaranteed 12%", text) is None
    assert quote_span("guarantee", text) is None  # word boundaries, as in quote_in


HYPHENATED = Document(
    Path("d.pdf"),
    "0" * 64,
    "application/pdf",
    1,
    (
        Passage("P1", "Returns are guaran-\nteed for a well-\nknown fund.", {"page": 1}),
        Passage("P2", "Seasons 2019-\n2020 were selfemployed years.", {"page": 1}),
    ),
)


@pytest.mark.parametrize(
    ("passage", "quote"),
    [
        ("P1", "Returns are guaranteed"),  # the word whole, as a model quotes it
        ("P1", "guaran-teed"),
        ("P1", "a well-known fund"),
        ("P1", "wellknown"),
        ("P2", "self-employed years"),  # the reader joined a compound: the hyphen is forgiven
    ],
)
def test_quotes_match_across_a_word_splitting_hyphen(passage: str, quote: str) -> None:
    assert check_citation(finding(passage=passage, quote=quote), POLICY, HYPHENATED).verified


@pytest.mark.parametrize(
    ("passage", "quote"),
    [
        ("P1", "guaranteedfor"),  # only the hyphen goes, never a space
        ("P1", "guaranteed fund"),
        ("P1", "well known"),  # a space is not a hyphen
        ("P2", "20192020"),  # digits: a range stays a range
    ],
)
def test_only_the_hyphen_is_forgiven(passage: str, quote: str) -> None:
    assert not check_citation(finding(passage=passage, quote=quote), POLICY, HYPHENATED).verified


def test_quote_span_across_a_kept_hyphen() -> None:
    text = "Returns are guaran-\nteed for a year."
    start, end = quote_span("guaranteed for", text) or (0, 0)
    assert text[start:end] == "guaran-\nteed for"
    assert quote_span("guaranteed", "Returns are guaranteed.") == (12, 22)
