from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from app.core.errors import CorruptDocument, NoTextLayer, PasswordRequired
from app.core.limits import ExtractionLimits
from app.ingest import read_document
from tests.helpers.paths import corpus_file
from tests.helpers.pdfgen import write_pdf


def test_passages_are_located_by_page(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path / "two.pdf",
        [["Clause 1. Returns are guaranteed at 9% a year."], ["Clause 2. Call us today."]],
    )
    document = read_document(path)
    assert document.pages == 2
    assert [(p.text, p.location) for p in document.passages] == [
        ("Clause 1. Returns are guaranteed at 9% a year.", {"page": 1}),
        ("Clause 2. Call us today.", {"page": 2}),
    ]


def test_blank_pages_are_skipped_but_counted(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "gap.pdf", [["Intro text."], [], ["Final text."]])
    document = read_document(path)
    assert document.pages == 3
    assert [p.location for p in document.passages] == [{"page": 1}, {"page": 3}]
    assert document.coverage.text == (1, 2, 3) and document.coverage.complete


def _encrypt(source: Path, target: Path, user: str, owner: str) -> Path:
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    target.write_bytes(buffer.getvalue())
    return target


def test_encrypted_pdf_needs_the_password(tmp_path: Path) -> None:
    plain = write_pdf(tmp_path / "plain.pdf", [["Secret terms apply."]])
    locked = _encrypt(plain, tmp_path / "locked.pdf", "s3cret", "owner")
    with pytest.raises(PasswordRequired, match=r"locked.pdf: password required"):
        read_document(locked)
    with pytest.raises(PasswordRequired, match="wrong password"):
        read_document(locked, password="nope")
    assert read_document(locked, password="s3cret").passages[0].text == "Secret terms apply."


def test_owner_password_only_opens_without_asking(tmp_path: Path) -> None:
    plain = write_pdf(tmp_path / "plain.pdf", [["Open to read."]])
    restricted = _encrypt(plain, tmp_path / "restricted.pdf", "", "owner")
    assert read_document(restricted).passages[0].text == "Open to read."


def test_pdf_without_text_is_refused(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "blank.pdf", [[]])
    with pytest.raises(NoTextLayer, match="contains no text"):
        read_document(path)


def test_truncated_pdf_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    with pytest.raises(CorruptDocument, match=r"cut.pdf: damaged or invalid PDF"):
        read_document(path)


@pytest.mark.parametrize(
    ("name", "password", "expected"),
    [
        ("pysf__libreoffice-writer-password.pdf", "openpassword", "Lorem"),
        ("pypdf__r6-user-password.pdf", "asdfzxcv", "pdf encryption test"),
        ("pdfjs__issue6010_2.pdf", "æøå", "Issue 6010"),
    ],
)
def test_corpus_encrypted(name: str, password: str, expected: str) -> None:
    path = corpus_file(f"docs/{name}")
    with pytest.raises(PasswordRequired, match="password required"):
        read_document(path)
    text = " ".join(p.text for p in read_document(path, password=password).passages)
    assert expected.lower() in text.lower()


@pytest.mark.parametrize("name", ["pypdf__r6-owner-password.pdf", "pdfminer__dmca.pdf"])
def test_corpus_empty_user_password_opens_silently(name: str) -> None:
    assert read_document(corpus_file(f"docs/{name}")).passages


@pytest.mark.parametrize("name", ["ocrmypdf__c02-22.pdf", "ocrmypdf__linn.pdf"])
def test_corpus_scans_are_read_by_ocr_or_named_unread(name: str) -> None:
    document = read_document(corpus_file(f"docs/{name}"))
    assert document.coverage.ocr == (1,) and document.coverage.complete
    assert all(p.location.get("ocr") is True for p in document.passages)
    with pytest.raises(NoTextLayer, match=r"no text layer \(scanned\?\) and OCR is off"):
        read_document(corpus_file(f"docs/{name}"), limits=ExtractionLimits(ocr=False))


def test_corpus_invalid_pdf() -> None:
    with pytest.raises(CorruptDocument, match="ocrmypdf__invalid.pdf"):
        read_document(corpus_file("docs/ocrmypdf__invalid.pdf"))


def test_corpus_multipage_locations_are_real_pages() -> None:
    path = corpus_file("docs/pdfjs__tracemonkey.pdf")
    document = read_document(path)
    reader = PdfReader(path)
    assert document.pages == len(reader.pages) == 14
    for passage in document.passages[::25]:
        page_text = reader.pages[passage.location["page"] - 1].extract_text()
        assert passage.text.splitlines()[0] in page_text
