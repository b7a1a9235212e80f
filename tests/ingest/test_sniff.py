"""The format comes from the bytes: mislabelled files get a clear error, not a parse failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import CorruptDocument, InputError, UnsupportedFormat
from app.ingest import read_document
from tests.helpers.officegen import make_docx
from tests.helpers.pdfgen import write_pdf


def test_docx_named_pdf(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "x.docx").rename(tmp_path / "report.pdf")
    with pytest.raises(
        CorruptDocument, match=r"report.pdf: not a valid PDF file: the content is a ZIP"
    ):
        read_document(path)


def test_pdf_named_docx(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "memo.docx", [["hello"]])
    with pytest.raises(
        CorruptDocument, match=r"memo.docx: not a valid DOCX file: the content is a PDF"
    ):
        read_document(path)


def test_pdf_named_txt(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "notes.txt", [["hello"]])
    with pytest.raises(CorruptDocument, match=r"named .txt but is a PDF"):
        read_document(path)


def test_text_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    path.write_text("just text", encoding="utf-8")
    with pytest.raises(CorruptDocument, match="not a valid PDF file"):
        read_document(path)


def test_unsupported_and_missing(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat, match="unsupported file type '.xyz'.*PowerPoint"):
        read_document(tmp_path / "book.xyz")
    with pytest.raises(InputError, match="nope.txt: file not found"):
        read_document(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_document(tmp_path / "dir.txt" if (tmp_path / "dir.txt").mkdir() is None else tmp_path)
