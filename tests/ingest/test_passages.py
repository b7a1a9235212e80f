"""Passage cleaning: hyphens, running headers and footers, page-break joins, sentence-end
cuts, and paragraph building that stays linear in the number of lines."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from app.core.citations import check_citation
from app.core.policy import parse_policy
from app.core.verdict import Finding
from app.ingest import passages, read_document, text
from app.ingest.pages import Page, page_blocks
from tests.helpers import pdfmake
from tests.helpers.policies import GOOD

BODY = [
    "The fund invests in shares and bonds; the value of your investment",
    "can go down as well as up, and past results are no promise of future",
    "ones. Returns are guaran-",
    "teed only for the deposit account, which is a well-",
    "known product offered by the bank and a well-known one elsewhere.",
]


def test_line_end_hyphens_are_undone_and_real_compounds_kept() -> None:
    joined = passages.join_lines(BODY[2:5], passages.hyphenated_words(BODY))
    assert "Returns are guaranteed only" in joined
    assert "which is a well-known product" in joined


def test_a_correct_quote_verifies_across_a_line_end_hyphen(tmp_path: Path) -> None:
    document = read_document(pdfmake.paged_pdf(tmp_path / "h.pdf", [BODY]))
    passage = next(p for p in document.passages if "Returns" in p.text)
    finding = Finding("HR-1", passage.id, "Returns are guaranteed only", "high", 0.9, "", "")
    assert check_citation(finding, parse_policy(GOOD), document).verified


_TOPICS = ["fees", "risks", "charges", "taxes", "claims", "refunds", "notices", "limits"]


def _pages(count: int) -> list[list[str]]:
    return [
        [f"This clause is about {_TOPICS[n]} and says so.", f"More on {_TOPICS[n + 1]} here."]
        for n in range(count)
    ]


def test_running_header_footer_and_page_numbers_are_kept_once_labelled(tmp_path: Path) -> None:
    path = pdfmake.paged_pdf(
        tmp_path / "run.pdf", _pages(6), header="Northwind Prospectus 2026",
        footer="Page {n} of 6",
    )  # fmt: skip
    document = read_document(path)
    texts = [p.text for p in document.passages]
    assert texts.count("Northwind Prospectus 2026") == 1
    assert sum("Page" in t and "of 6" in t for t in texts) == 1
    running = {p.text: p.location for p in document.passages if "running" in p.location}
    assert running == {
        "Northwind Prospectus 2026": {"page": 1, "running": "header"},
        "Page 1 of 6": {"page": 1, "running": "footer"},
    }
    assert not any("Northwind" in t and "Clause" in t for t in texts)  # never glued to a clause


def test_lines_repeated_on_few_pages_are_not_running(tmp_path: Path) -> None:
    pages = _pages(6)
    pages[0].insert(0, "Confidential draft")
    pages[3].insert(0, "Confidential draft")
    document = read_document(pdfmake.paged_pdf(tmp_path / "few.pdf", pages))
    assert sum(p.text.count("Confidential draft") for p in document.passages) == 2
    assert not any("running" in p.location for p in document.passages)


def test_a_sentence_split_by_a_page_break_is_joined() -> None:
    pages = [
        Page(1, lines=["Intro.", "", "The adviser must explain every fee before the client"]),
        Page(2, lines=["signs the agreement.", "", "Next clause."]),
    ]
    blocks = page_blocks(pages)
    assert blocks == [
        ("Intro.", {"page": 1}),
        (
            "The adviser must explain every fee before the client\nsigns the agreement.",
            {"page": 1, "continues": 2},
        ),
        ("Next clause.", {"page": 2}),
    ]


def test_a_new_paragraph_on_the_next_page_is_not_joined() -> None:
    pages = [Page(1, lines=["A heading without a stop"]), Page(2, lines=["Another starts here."])]
    assert [b[1] for b in page_blocks(pages)] == [{"page": 1}, {"page": 2}]


def test_a_page_break_hyphen_is_undone_too() -> None:
    pages = [Page(1, lines=["Returns are guaran-"]), Page(2, lines=["teed by the bank."])]
    assert page_blocks(pages) == [
        ("Returns are guaranteed by the bank.", {"page": 1, "continues": 2})
    ]


def test_long_passages_are_cut_at_sentence_ends() -> None:
    sentence = "Each sentence of this clause is about sixty characters long. "
    pieces = passages.split_long(sentence * 60, 1500)
    assert len(pieces) == 3
    for offset, piece in pieces:
        assert len(piece) <= 1500 and piece.endswith("long.")
        assert (sentence * 60)[offset:].startswith(piece)


def test_a_run_without_sentence_ends_is_cut_at_spaces_then_hard() -> None:
    assert all(len(p) <= 100 for _, p in passages.split_long("word " * 100, 100))
    assert [len(p) for _, p in passages.split_long("x" * 250, 100)] == [100, 100, 50]


def _line_events(function: Callable[..., Any], *args: Any) -> int:
    """How many source lines of app/ingest ran: a measure of work that does not depend on
    the machine's speed."""
    count = 0

    def trace(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal count
        if "app/ingest" not in frame.f_code.co_filename:
            return None
        if event == "line":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        function(*args)
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize(
    "build",
    [
        lambda lines: text.paragraphs("\n".join(lines)),
        lambda lines: page_blocks([Page(1, lines=lines)]),
    ],
    ids=["text", "pdf"],
)
def test_paragraph_building_is_linear_in_the_number_of_lines(
    build: Callable[[list[str]], object],
) -> None:
    def lines(n: int) -> list[str]:
        return [f"short line {i} of one long paragraph" for i in range(n)]

    small, large = _line_events(build, lines(500)), _line_events(build, lines(4000))
    assert large < 8 * small * 1.2  # 8 times the lines, about 8 times the work (not 64)


def test_eight_megabytes_of_short_lines_are_read(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    line = "a short line of a very long file\n"
    path.write_text(line * (8 * 2**20 // len(line)), encoding="utf-8")
    document = read_document(path)
    assert sum(len(p.text) for p in document.passages) > 7 * 2**20
    assert max(len(p.text) for p in document.passages) <= passages.MAX_PASSAGE_CHARS
