"""Runs over real generated files whose findings quote exact words, for the annotated-copy tests;
and what those tests read back out of a DOCX (comment ranges, the text without the markers)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from app.core.documents import Document, Passage
from app.ingest import read_document
from app.store.repository import Store
from tests.helpers.runs import record_run
from tests.helpers.scripted import finding

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MARKERS = {f"{W}commentRangeStart", f"{W}commentRangeEnd"}


def passage_at(document: Document, **location: object) -> Passage:
    """The passage whose location has these keys and values."""
    for passage in document.passages:
        if all(passage.location.get(k) == v for k, v in location.items()):
            return passage
    raise AssertionError(f"no passage at {location}: {[p.location for p in document.passages]}")


def run_with_findings(store: Store, path: Path, *quotes: tuple[dict[str, object], str]) -> int:
    """A complete run of the file at ``path`` whose model found each ``quote`` in the passage at
    each location (HR-1, high)."""
    document = read_document(path)
    found = [
        finding(passage=passage_at(document, **where).id, quote=quote, rationale=f"about {quote}")
        for where, quote in quotes
    ]
    return record_run(store, {"verdict": "violation", "findings": found}, document=document)


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def comment_ranges(xml: bytes) -> dict[str, str]:
    """Comment id -> the text Word shows between its range start and end (tracked deletions
    left out), in one part."""
    root = etree.fromstring(xml)
    open_ranges: dict[str, list[str]] = {}
    done: dict[str, str] = {}
    for element in root.iter():
        if element.tag == f"{W}commentRangeStart":
            open_ranges[element.get(f"{W}id")] = []
        elif element.tag == f"{W}commentRangeEnd":
            done[element.get(f"{W}id")] = "".join(open_ranges.pop(element.get(f"{W}id")))
        elif element.tag in (f"{W}t", f"{W}tab") and not _deleted(element):
            text = "\t" if element.tag == f"{W}tab" else element.text or ""
            for pieces in open_ranges.values():
                pieces.append(text)
    return done


def _deleted(element: Any) -> bool:
    return any(a.tag == f"{W}del" for a in element.iterancestors())


def styled_text(xml: bytes) -> list[list[tuple[str, bytes]]]:
    """Per paragraph, each character with its run's properties (canonical XML): equal for two
    parts when the text and its formatting are the same, however the runs are cut. Comment
    markers and comment reference runs are left out."""
    root = etree.fromstring(xml)
    paragraphs = []
    for paragraph in root.iter(f"{W}p"):
        chars: list[tuple[str, bytes]] = []
        for run in paragraph.iter(f"{W}r"):
            if run.find(f"{W}commentReference") is not None:
                continue
            properties = run.find(f"{W}rPr")
            style = etree.tostring(properties, method="c14n") if properties is not None else b""
            for child in run:
                if child.tag in (f"{W}t", f"{W}delText"):
                    chars += [(c, style) for c in child.text or ""]
                elif child.tag == f"{W}tab":
                    chars.append(("\t", style))
        paragraphs.append(chars)
    return paragraphs


def without_markers(xml: bytes) -> bytes:
    """The part as canonical XML with comment markers and reference runs taken out and runs
    merged back, for comparing structure besides the text."""
    root = etree.fromstring(xml)
    for element in list(root.iter(*MARKERS)):
        element.getparent().remove(element)
    for reference in list(root.iter(f"{W}commentReference")):
        run = reference.getparent()
        run.getparent().remove(run)
    return etree.tostring(root, method="c14n")


def rich_docx(path: Path) -> Path:
    """Quotes across differently formatted runs, overlapping quotes in one paragraph, a tracked
    insertion, a hyperlink, a table row, a header, and a reviewer's comment already there."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml

    from tests.helpers.officegen import W_NS, tracked_run

    document = docx.Document()
    first = document.add_paragraph("Earn a ")  # paragraph 1
    first.add_run("guaranteed 12%").bold = True
    first.add_run(" a year with ")
    first.add_run("zero risk").italic = True
    first.add_run(".")
    second = document.add_paragraph("Call us today, the offer ends tonight.")  # paragraph 2
    document.add_comment(second.runs, text="Check this.", author="Legal")
    third = document.add_paragraph("Fees are ")  # paragraph 3
    tracked_run(third, "del", "10% a year", 1)
    tracked_run(third, "ins", "2% a year", 2)
    fourth = document.add_paragraph("For the details see ")  # paragraph 4
    rel = document.part.relate_to("https://example.com/terms", RT.HYPERLINK, is_external=True)
    fourth._p.append(
        parse_xml(
            f'<w:hyperlink {W_NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships" r:id="{rel}"><w:r><w:t>our terms</w:t></w:r></w:hyperlink>'
        )
    )
    fourth.add_run(" and conditions.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Fee", "Amount"
    table.cell(1, 0).text, table.cell(1, 1).text = "Entry fee", "5% of the amount"
    document.sections[0].header.paragraphs[0].text = "CONFIDENTIAL DRAFT"
    document.save(path)
    return path


def turned_pdf(path: Path) -> Path:
    """Two text pages: the first turned a quarter (/Rotate 90), the second with its media box
    away from the origin: highlights must still land on the words."""
    import pypdf
    from pypdf.generic import RectangleObject

    from tests.helpers.pdfmake import paged_pdf

    plain = paged_pdf(
        path.with_name("plain.pdf"),
        [
            ["Earn a guaranteed return of nine percent."],
            ["Second page: zero risk to your capital."],
        ],
    )
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(plain))
    writer.pages[0].rotate(90)
    box = RectangleObject([40, 300, 500, 842])
    writer.pages[1].mediabox = box
    writer.pages[1].cropbox = box
    writer.write(path)
    return path
