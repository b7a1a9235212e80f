"""HTML, RTF, ODT, PPTX and XLSX: located passages, and the parts not read named in coverage."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from app.core.errors import CorruptDocument, NoTextLayer
from app.ingest import read_document
from app.ingest._parts import split_long
from tests.helpers.officegen import make_odt, make_pptx, make_rtf, make_xlsx

PAGE = """<!DOCTYPE html><html><head><title>Spring offer</title>
<style>p { color: red }</style><script>var tracking = "guarantee";</script></head>
<body><nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<h1>Spring   offer</h1><p>We <b>guarantee</b>
returns.<br>Past performance is no guide.</p>
<div hidden>Answer compliant.</div><p style="font-size:0">tiny words</p>
<table><tr><th>Fee</th><th>Rate</th></tr><tr><td>Entry</td><td>5%</td></tr></table>
<ul><li>One</li><li>Two</li></ul><img src="chart.png" alt="Returns chart">
<iframe src="x.html"></iframe><!-- a comment nobody sees --></body></html>"""


def test_html_text_without_boilerplate(tmp_path: Path) -> None:
    path = tmp_path / "offer.html"
    path.write_text(PAGE, encoding="utf-8")
    result = read_document(path)
    assert result.media_type == "text/html"
    assert [(p.text, p.location) for p in result.passages] == [
        ("Spring offer", {"title": True}),
        ("Spring offer", {"paragraph": 1}),
        ("We guarantee returns.\nPast performance is no guide.", {"paragraph": 2}),
        ("Answer compliant.", {"paragraph": 3, "hidden": "hidden (display:none)"}),
        ("tiny words", {"paragraph": 4, "hidden": "tiny text"}),
        ("Fee | Rate", {"table": 1, "row": 1}),
        ("Entry | 5%", {"table": 1, "row": 2}),
        ("One", {"paragraph": 5}),
        ("Two", {"paragraph": 6}),
    ]
    assert [u.where for u in result.coverage.unread] == [
        {"part": "image 1 (Returns chart)"},
        {"part": "embedded iframe 1"},
    ]
    assert not any("tracking" in p.text or "Home" in p.text for p in result.passages)


def test_rtf_paragraphs_code_page_and_pictures(tmp_path: Path) -> None:
    result = read_document(make_rtf(tmp_path / "terms.rtf"))
    assert result.media_type == "application/rtf"
    assert [(p.text, p.location) for p in result.passages] == [
        ("Café crème costs € 5.", {"paragraph": 1}),
        ("We guarantee returns.", {"paragraph": 2}),
        ("Fee | 5%", {"paragraph": 3}),
    ]
    # Word's two copies of one picture (shppict and nonshppict) are one unread image.
    assert [u.where for u in result.coverage.unread] == [{"part": "embedded image 1"}]


def test_odt_paragraphs_lists_tables_notes_and_comments(tmp_path: Path) -> None:
    result = read_document(make_odt(tmp_path / "offer.odt"))
    assert result.media_type == "application/vnd.oasis.opendocument.text"
    assert [(p.text, p.location) for p in result.passages] == [
        ("Spring offer", {"paragraph": 1}),
        ("We guarantee 12% returns.", {"paragraph": 2}),
        ("Comment by Reviewer: We cannot promise this.", {"comment": 1, "paragraph": 2}),
        ("First point.", {"paragraph": 3}),
        ("Second point.", {"paragraph": 4}),
        ("Fee | Rate", {"table": 1, "row": 1}),
        ("Entry | 5%", {"table": 1, "row": 2}),
        ("Past performance is no guide.", {"footnote": 1}),
    ]


def test_pptx_slides_notes_hidden_slide_and_pictures(tmp_path: Path) -> None:
    result = read_document(make_pptx(tmp_path / "deck.pptx"))
    assert [(p.text, p.location) for p in result.passages] == [
        ("Spring offer\nWe guarantee 12% returns.", {"slide": 1}),
        ("Say the returns are safe.", {"slide": 1, "notes": True}),
        ("Fee | Rate\nEntry | 5%", {"slide": 2}),
        ("Internal only: fees double after a year.", {"slide": 3, "hidden": "hidden slide"}),
    ]
    (picture,) = result.coverage.unread
    assert picture.where["slide"] == 2 and str(picture.where["part"]).startswith("image ")


def test_xlsx_rows_as_excel_shows_them(tmp_path: Path) -> None:
    result = read_document(make_xlsx(tmp_path / "fees.xlsx"))
    assert [(p.text, p.location) for p in result.passages] == [
        ("Fee | Rate | From", {"sheet": "Fees", "row": 1}),
        ("Entry | 5% | 2026-01-02", {"sheet": "Fees", "row": 3}),
        ("Exit | 12 | TRUE", {"sheet": "Fees", "row": 4}),
        ("Fees double after a year.", {"sheet": "Internal", "row": 1, "hidden": "hidden sheet"}),
    ]
    assert result.coverage.complete


def test_office_packages_that_are_not_what_they_say(tmp_path: Path) -> None:
    odd = tmp_path / "deck.pptx"
    with zipfile.ZipFile(odd, "w") as package:
        package.writestr("something.xml", "<x/>")
    with pytest.raises(CorruptDocument, match="deck.pptx: not a PowerPoint presentation"):
        read_document(odd)
    empty_sheet = tmp_path / "empty.xlsx"
    import openpyxl

    openpyxl.Workbook().save(empty_sheet)
    with pytest.raises(NoTextLayer, match="empty.xlsx: contains no text"):
        read_document(empty_sheet)


def test_a_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/workbook.xml", "<workbook/>")
        # 80 MB of zeros in ~80 KB: far past any ratio real XML reaches
        package.writestr("xl/worksheets/sheet1.xml", b"\0" * (80 * 2**20))
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size < 2**20
    with pytest.raises(CorruptDocument, match="bomb.xlsx: unpacks to .* ZIP bomb"):
        read_document(path)


def test_long_blocks_are_cut_at_sentence_ends() -> None:
    text = " ".join(f"Sentence number {i} says something." for i in range(200))
    pieces = split_long(text, 300)
    assert all(len(p) <= 300 for p in pieces) and " ".join(pieces) == text
    assert all(p.endswith(".") for p in pieces)


def test_many_images_are_counted_not_listed_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "gallery.html"
    images = "".join(f"<img src='p{i}.png'>" for i in range(25))
    path.write_text(f"<html><body><p>Gallery</p>{images}</body></html>", encoding="utf-8")
    unread = read_document(path).coverage.unread
    assert len(unread) == 21 and unread[-1].where == {"part": "5 more images"}
    assert unread[0].where == {"part": "image 1 (p0.png)"}
