from __future__ import annotations

import copy
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from app.core.errors import CorruptDocument, NoTextLayer
from app.ingest import read_document
from tests.helpers.officegen import make_docx
from tests.helpers.paths import corpus_file


def test_body_tables_headers_footers_in_order(tmp_path: Path) -> None:
    result = read_document(make_docx(tmp_path / "contract.docx"))
    assert [(p.id, p.text, p.location) for p in result.passages] == [
        ("P1", "First clause: we guarantee returns.", {"paragraph": 1}),
        ("P2", "Fee | Amount", {"table": 1, "row": 1}),
        ("P3", "Entry | 5%", {"table": 1, "row": 2}),
        ("P4", "Third paragraph after the table.", {"paragraph": 3}),
        ("P5", "CONFIDENTIAL DRAFT", {"header": 1}),
        ("P6", "Page footer text", {"footer": 1}),
    ]
    assert result.media_type.endswith("wordprocessingml.document")


def test_paragraph_numbers_match_python_docx(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "numbers.docx")
    paragraphs = docx.Document(str(path)).paragraphs
    for passage in read_document(path).passages:
        if "paragraph" in passage.location:
            assert paragraphs[passage.location["paragraph"] - 1].text == passage.text


def test_tracked_changes_read_as_accepted(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Fees are ")
    body = paragraph._p
    deleted = body.makeelement(qn("w:del"), {qn("w:id"): "1", qn("w:author"): "A"})
    run = copy.deepcopy(paragraph.runs[0]._r)
    text = run.find(qn("w:t"))
    text.tag = qn("w:delText")
    text.text = "10% "
    deleted.append(run)
    inserted = body.makeelement(qn("w:ins"), {qn("w:id"): "2", qn("w:author"): "A"})
    new_run = copy.deepcopy(paragraph.runs[0]._r)
    new_run.find(qn("w:t")).text = "2% a year."
    inserted.append(new_run)
    body.append(deleted)
    body.append(inserted)
    path = tmp_path / "tracked.docx"
    document.save(path)
    (passage,) = read_document(path).passages
    assert passage.text == "Fees are 2% a year."
    assert passage.location == {
        "paragraph": 1,
        "insertions": 1,
        "deletions": 1,
        "changed": 'deleted "10%", inserted "2% a year."',
    }


def test_corpus_tracked_changes_are_marked_and_deleted_text_left_out() -> None:
    passages = read_document(corpus_file("docs/poi__delins.docx")).passages
    marked = [p for p in passages if "insertions" in p.location or "deletions" in p.location]
    assert marked  # 36 changes by one author: the passages holding them say so
    unmarked = [p for p in passages if p not in marked]
    assert all(set(p.location) <= {"paragraph", "table", "row"} for p in unmarked)
    # What changed is said (a change of whitespace only, as in P5 here, is counted, not quoted)
    described = [p for p in marked if "changed" in p.location or p.location.get("deleted")]
    assert len(described) >= len(marked) - 1
    deleted = [p for p in passages if p.location.get("deleted")]
    assert deleted and all(p.text.startswith("[deleted paragraph: ") for p in deleted)


def test_corpus_footnotes_and_comments_are_passages() -> None:
    notes = read_document(corpus_file("docs/mammoth__footnotes.docx")).passages
    assert [(p.text, p.location) for p in notes if "footnote" in p.location] == [
        ("A tachyon walks into a bar.", {"footnote": 1}),
        ("Fin.", {"footnote": 2}),
    ]
    comments = read_document(corpus_file("docs/pydocx__comments-rich-para.docx")).passages
    found = [p for p in comments if "comment" in p.location]
    assert found and all(p.text.startswith("Comment by ") for p in found)
    assert [p.location["comment"] for p in found] == list(range(1, len(found) + 1))


def test_corpus_text_box_content_is_read() -> None:
    (passage,) = read_document(corpus_file("docs/mammoth__text-box.docx")).passages
    assert passage.text == "Datum plane"


def test_document_with_only_empty_paragraphs(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("")
    path = tmp_path / "empty.docx"
    document.save(path)
    with pytest.raises(NoTextLayer, match="empty.docx: contains no text"):
        read_document(path)


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "sheet.docx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(
        CorruptDocument, match=r"the content is a ZIP/Office file \(an Excel workbook"
    ):
        read_document(path)


def test_corpus_password_protected_docx_says_so() -> None:
    with pytest.raises(CorruptDocument, match="password-protected"):
        read_document(corpus_file("docs/poi__bug53475-password-is-pass.docx"))


@pytest.mark.parametrize(
    "name", ["poi__clusterfuzz-POIXWPFFuzzer-4791943399604224.docx", "poi__crash-517626e8.docx"]
)
def test_corpus_broken_docx_is_corrupt(name: str) -> None:
    with pytest.raises(CorruptDocument, match=name):
        read_document(corpus_file(f"docs/{name}"))


def test_corpus_strict_ooxml_gets_a_next_step() -> None:
    path = corpus_file("docs/mammoth__strict-format.docx")
    try:
        document = read_document(path)
    except CorruptDocument as error:
        assert "Strict Open XML" in str(error)
    else:
        assert document.passages


def test_corpus_tables_of_empty_cells_are_no_text() -> None:
    # Three tables whose cells are all empty: rows of " | " separators are not passages.
    with pytest.raises(NoTextLayer, match="empty tables"):
        read_document(corpus_file("docs/pydocx__tbl-having-tables.docx"))
