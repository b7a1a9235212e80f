"""A long PDF's second half read by a forked helper gives exactly what one process gives; a
failing helper costs time, never pages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.limits import ExtractionLimits
from app.ingest import pdf_parallel, read_document
from app.ingest.isolated import read_isolated
from app.ingest.pdf import ReadProgress
from tests.helpers import pdfmake

pytestmark = pytest.mark.skipif(not pdf_parallel.helpers_available(), reason="needs fork, 2 cores")


class Parallel(ReadProgress):
    parallel = True


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # letters that differ on every page: digits alone would make the line a running header
    pages = [[f"Clause {chr(65 + n % 26)}{chr(97 + n // 26)} ends here."] for n in range(1, 61)]
    return pdfmake.paged_pdf(tmp_path_factory.mktemp("book") / "book.pdf", pages)


def test_halves_read_in_parallel_match_one_process(book: Path) -> None:
    limits = ExtractionLimits(ocr=False)
    alone = read_document(book, limits=limits)
    together = read_document(book, limits=limits, on_page=Parallel())
    assert together == alone and together.coverage.text == tuple(range(1, 61))
    assert [p.location for p in together.passages] == [{"page": n} for n in range(1, 61)]


def test_a_failing_helper_leaves_no_page_out(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    original = pdf_parallel.scan_pages

    def failing_in_the_helper(count: int, scan, parallel: bool):  # type: ignore[no-untyped-def]
        def scan_or_fail(first: int, last: int):  # type: ignore[no-untyped-def]
            if os.getpid() != parent:
                raise MemoryError("helper over its memory limit")
            return scan(first, last)

        return original(count, scan_or_fail, parallel)

    monkeypatch.setattr(pdf_parallel, "scan_pages", failing_in_the_helper)
    document = read_document(book, limits=ExtractionLimits(ocr=False), on_page=Parallel())
    assert document.coverage.text == tuple(range(1, 61))
    assert document.passages[-1].location["page"] == 60


def test_the_reader_process_uses_the_helper(book: Path) -> None:
    assert read_isolated(book).coverage.text == tuple(range(1, 61))
