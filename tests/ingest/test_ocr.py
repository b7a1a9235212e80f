"""OCR of pages without a text layer: scans are read, marked as OCR with a confidence, counted
in the coverage, and never dropped in silence when OCR is off or fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.citations import check_citation
from app.core.errors import NoTextLayer
from app.core.limits import ExtractionLimits
from app.core.policy import parse_policy
from app.core.progress import ProgressEvent
from app.core.verdict import Finding
from app.ingest import ocr, read_document
from app.ingest.isolated import read_isolated
from tests.helpers import pdfmake
from tests.helpers.ocr_accuracy import word_accuracy
from tests.helpers.paths import corpus_file
from tests.helpers.policies import GOOD

TEXT_PAGE = ["Page one has a text layer and says fees are two percent."]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Pages 1-2 with text, 3 a scan of known text, 4 a blank scan."""
    path = tmp_path_factory.mktemp("ocr") / "mixed.pdf"
    scan = pdfmake.scanned_page(pdfmake.KNOWN_TEXT)
    blank = pdfmake.scanned_page([])
    return pdfmake.write_pages(path, [TEXT_PAGE, ["Page two, text too."], scan, blank])


def test_a_scanned_page_is_read_by_ocr_and_located_as_such(mixed: Path) -> None:
    document = read_document(mixed)
    assert document.coverage.to_json() == {"pages": 4, "text": [1, 2, 4], "ocr": [3], "unread": []}
    scanned = [p for p in document.passages if p.location["page"] == 3]
    assert scanned and all(p.location["ocr"] is True for p in scanned)
    assert all(0.5 < float(p.location["confidence"]) <= 1.0 for p in scanned)
    read = " ".join(p.text for p in scanned)
    assert word_accuracy(" ".join(pdfmake.KNOWN_TEXT), read) > 0.95
    assert document.warnings == ()


def test_a_citation_on_an_ocr_passage_is_checked_against_the_ocr_text(mixed: Path) -> None:
    document = read_document(mixed)
    passage = next(p for p in document.passages if "nine percent" in p.text)
    policy = parse_policy(GOOD)
    good = Finding("HR-1", passage.id, "guarantees a return of nine percent", "high", 0.9, "", "")
    bad = Finding("HR-1", passage.id, "guarantees a return of ten percent", "high", 0.9, "", "")
    assert check_citation(good, policy, document).verified
    assert not check_citation(bad, policy, document).verified


def test_with_ocr_off_the_scanned_page_is_unread_with_its_reason(mixed: Path) -> None:
    document = read_document(mixed, limits=ExtractionLimits(ocr=False))
    coverage = document.coverage.to_json()
    assert coverage["text"] == [1, 2] and coverage["ocr"] == []
    assert coverage["unread"] == [
        {"page": 3, "why": "no text layer (scanned?) and OCR is off"},
        {"page": 4, "why": "no text layer (scanned?) and OCR is off"},
    ]
    assert "pages 3-4 not read: no text layer (scanned?) and OCR is off" in document.warnings
    assert {p.location["page"] for p in document.passages} == {1, 2}


def test_pages_over_the_ocr_limit_are_unread(tmp_path: Path) -> None:
    scan = pdfmake.scanned_page(pdfmake.KNOWN_TEXT[:1])
    path = pdfmake.write_pages(tmp_path / "two-scans.pdf", [scan, scan])
    document = read_document(path, limits=ExtractionLimits(max_ocr_pages=1))
    assert document.coverage.ocr == (1,)
    assert [u.to_json() for u in document.coverage.unread] == [
        {"page": 2, "why": "no text layer (scanned?) and over the OCR limit of 1 pages"}
    ]


def test_when_ocr_cannot_run_the_pages_are_unread(
    mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "unavailable", lambda: "the OCR engine is not installed (rapidocr)")
    document = read_document(mixed)
    assert document.coverage.unread[0].to_json() == {
        "page": 3,
        "why": "no text layer (scanned?) and the OCR engine is not installed (rapidocr)",
    }


def test_a_fully_scanned_file_is_read_and_with_ocr_off_refused_naming_why(tmp_path: Path) -> None:
    path = pdfmake.write_pages(tmp_path / "scan.pdf", [pdfmake.scanned_page(pdfmake.KNOWN_TEXT)])
    assert read_document(path).coverage.ocr == (1,)
    with pytest.raises(
        NoTextLayer, match=r"scan.pdf: not read: no text layer \(scanned\?\) and OCR is off"
    ):
        read_document(path, limits=ExtractionLimits(ocr=False))


def test_ocr_runs_in_the_reader_process_with_page_progress(mixed: Path) -> None:
    events: list[ProgressEvent] = []
    document = read_isolated(mixed, progress=events.append)
    assert document.coverage.ocr == (3,)
    assert any("OCR of page 3" in e.message for e in events)


def test_corpus_scan_is_read_by_ocr() -> None:
    path = corpus_file("docs/ocrmypdf__linn.pdf")
    truth = corpus_file("docs/ocrmypdf__linn.txt").read_text(encoding="utf-8")
    document = read_document(path)
    assert document.coverage.ocr == (1,)
    assert word_accuracy(truth, " ".join(p.text for p in document.passages)) > 0.85


def test_monospaced_and_upside_down_scans_are_read(tmp_path: Path) -> None:
    lines = [*pdfmake.KNOWN_TEXT, "The adviser must explain each charge before the client signs."]
    image = pdfmake.scan_image(pdfmake.text_page_pdf(lines, font="Courier", size=11))
    path = pdfmake.write_pages(tmp_path / "courier.pdf", [image, image.rotate(180)])
    document = read_document(path)
    for page in (1, 2):
        read = " ".join(p.text for p in document.passages if p.location["page"] == page)
        assert word_accuracy(" ".join(lines), read) > 0.95, (page, read)
