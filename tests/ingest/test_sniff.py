"""The format comes from the bytes: mislabelled files get a clear error, not a parse failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import CorruptDocument, InputError, UnsupportedFormat
from app.ingest import read_document
from tests.helpers.mailgen import make_eml
from tests.helpers.officegen import make_docx, make_rtf
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


def test_rtf_html_and_mail_under_txt_are_read_as_what_they_are(tmp_path: Path) -> None:
    rtf = tmp_path / "terms.txt"
    rtf.write_bytes(make_rtf(tmp_path / "terms.rtf").read_bytes())
    result = read_document(rtf)
    assert result.media_type == "application/rtf"
    assert result.passages[0].text == "Café crème costs € 5."
    assert not any("\\rtf" in p.text or "fonttbl" in p.text for p in result.passages)
    assert result.warnings[0] == "named .txt but the content is RTF: read as such"

    page = tmp_path / "page.txt"
    page.write_text("<!DOCTYPE html><html><body><p>We guarantee it.</p>"
                    "<script>var x = 1;</script></body></html>", encoding="utf-8")  # fmt: skip
    result = read_document(page)
    assert result.media_type == "text/html"
    assert [p.text for p in result.passages] == ["We guarantee it."]

    mail = tmp_path / "mail.txt"
    mail.write_bytes(make_eml(tmp_path / "m.eml").read_bytes())
    result = read_document(mail)
    assert result.media_type == "message/rfc822"
    assert result.passages[0].location == {"part": "headers"}
    assert not any("Content-Type" in p.text or "MIME-Version" in p.text for p in result.passages)


def test_text_that_only_looks_like_other_formats_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(
        "A PDF file starts with %PDF-1.7 and ends with %%EOF.\n\nSubject: the header line\n"
        "To: whom it may concern\n",
        encoding="utf-8",
    )
    result = read_document(path)
    assert result.media_type == "text/plain" and not result.warnings
    assert result.passages[0].text.startswith("A PDF file starts with %PDF-1.7")
    markdown = tmp_path / "readme.md"
    markdown.write_text("# Title\n\n<div align='center'>Centered</div>\n", encoding="utf-8")
    assert read_document(markdown).media_type == "text/markdown"


def test_a_pdf_after_a_few_junk_bytes_is_still_a_pdf(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "x.pdf", [["hello"]]).read_bytes()
    path = tmp_path / "junk.txt"
    path.write_bytes(b"X-Gateway: scanned\r\n" + pdf)
    with pytest.raises(CorruptDocument, match="named .txt but is a PDF"):
        read_document(path)


def test_doc_holding_rtf_or_docx_is_read_as_such(tmp_path: Path) -> None:
    rtf_doc = tmp_path / "saved.doc"
    rtf_doc.write_bytes(make_rtf(tmp_path / "t.rtf").read_bytes())
    result = read_document(rtf_doc)
    assert result.media_type == "application/rtf"
    assert result.warnings[0].startswith("named .doc but the content is RTF")
    docx_doc = make_docx(tmp_path / "real.docx").rename(tmp_path / "renamed.doc")
    result = read_document(docx_doc)
    assert result.media_type.endswith("wordprocessingml.document")
    assert result.passages[0].text == "First clause: we guarantee returns."
