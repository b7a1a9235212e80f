"""DOCX via python-docx: body paragraphs and table rows in document order (text boxes inside
them, list numbers as Word shows them, altChunks read where they stand), each reviewer's comment
after the paragraph it is on, then headers and footers, footnotes and endnotes.

Tracked changes are read as accepted (inserted text in, deleted text out); the passage's
location counts them (``insertions``, ``deletions``) and says what changed (``changed``), and a
wholly deleted paragraph leaves a marker passage (``deleted``). Hidden, white and tiny text is
read and flagged (``hidden``). Images, charts and embedded objects are unread parts of the
coverage."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError

from app.core.documents import Coverage, Document, Location, number_passages
from app.core.errors import CorruptDocument, NoTextLayer
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest._common import check_chars, reason
from app.ingest._parts import ZIP_ERRORS, Block, blocks_of, read_member, zip_names
from app.ingest.word_notes import comments, note_blocks, parse_part
from app.ingest.word_numbering import Numbering
from app.ingest.word_parts import Embedded
from app.ingest.word_text import (
    HIDDEN,
    TINY,
    WHITE,
    Formats,
    Para,
    changed_summary,
    clip,
    read_paragraph,
    shaded,
)

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DOCX_ERRORS = (
    *ZIP_ERRORS,
    PackageNotFoundError,
    SyntaxError,
    AttributeError,
    TypeError,
    IndexError,
    RecursionError,
)
_HIDDEN_ORDER = (HIDDEN, WHITE, TINY)


def read_docx(
    path: Path,
    data: bytes,
    sha256: str,
    limits: ExtractionLimits = DEFAULT_LIMITS,
    depth: int = 0,
) -> Document:
    if "word/document.xml" not in zip_names(path, data, "DOCX"):
        raise CorruptDocument(
            "not a Word document: the package has no word/document.xml", path=path
        )
    try:
        document = docx.Document(io.BytesIO(data))
        reader = _Reader(document, data, depth)
        blocks = reader.body(document.element.body)
        blocks.extend(reader.headers_and_footers())
        blocks.extend(note_blocks(lambda name: read_member(data, name), reader.note_text))
    except _DOCX_ERRORS as error:
        log.info("python-docx could not open %s", path, exc_info=True)
        if b"purl.oclc.org/ooxml" in read_member(data, "word/document.xml")[:4096]:
            raise CorruptDocument(
                "Strict Open XML documents are not supported; in Word, save it as "
                "'Word Document (.docx)' and try again",
                path=path,
            ) from None
        raise CorruptDocument(
            f"not a readable Word document ({reason(error)})", path=path
        ) from None
    check_chars(blocks, limits, path)
    passages = number_passages(blocks)
    if not passages:
        raise NoTextLayer(
            "contains no text (only images, empty tables or empty paragraphs?)", path=path
        )
    coverage = Coverage(unread=tuple(reader.embedded.unread))
    return Document(path, sha256, MEDIA_TYPE, 1, passages, tuple(reader.warnings), coverage)


def tracked(element: Any) -> dict[str, int]:
    """How many tracked insertions and deletions an element holds (formatting-only changes and
    inserted paragraph marks not counted); empty when there are none."""
    marks = {}
    for key, tag in (("insertions", f"{W}ins"), ("deletions", f"{W}del")):
        count = sum(1 for node in element.iter(tag) if node.getparent().tag != f"{W}rPr")
        if count:
            marks[key] = count
    return marks


def marks(paras: list[Para], element: Any) -> Location:
    """Location keys for what a reader of the page would not see: changes and hidden text."""
    location: Location = dict(tracked(element))
    changes = [change for para in paras for change in para.changes]
    if changes:
        location["changed"] = changed_summary(changes)
    kinds = set().union(*(para.hidden for para in paras)) if paras else set()
    if kinds:
        location["hidden"] = ", ".join(k for k in _HIDDEN_ORDER if k in kinds)
        hidden = " ".join(p.hidden_text for p in paras if p.hidden_text)
        visible = " ".join(" ".join(p.text for p in paras).split())
        if hidden != visible:  # only part of it is hidden: say which words
            location["hidden_text"] = clip(hidden, 200)
    return location


class _Reader:
    def __init__(self, document: Any, data: bytes, depth: int) -> None:
        def read(name: str) -> bytes:
            return read_member(data, name)

        styles = parse_part(read("word/styles.xml"))
        self.document = document
        self.formats = Formats(styles)
        self.numbering = Numbering(parse_part(read("word/numbering.xml")), styles)
        self.embedded = Embedded(depth)
        self.warnings: list[str] = self.embedded.warnings
        self.comments = comments(read, self.note_text)
        self.placed: set[str] = set()
        self.counters = {"paragraph": 0, "table": 0}

    def body(self, body: Any) -> list[Block]:
        """Paragraphs are numbered by their position among the body's paragraphs (empty ones
        counted, content controls looked into); each table row is one passage."""
        blocks: list[Block] = []
        rels = self.document.part.rels
        self._walk(body, rels, blocks)
        # Comments whose anchor was not found in the body (in a header, say) come last.
        for comment_id, (number, text, location) in self.comments.items():
            if comment_id not in self.placed:
                blocks.extend(blocks_of(text, {"comment": number, **location}))
        return blocks

    def _walk(self, container: Any, rels: Any, blocks: list[Block]) -> None:
        for child in container.iterchildren():
            if child.tag == f"{W}p":
                self.counters["paragraph"] += 1
                place: Location = {"paragraph": self.counters["paragraph"]}
                blocks.extend(self._paragraph(child, place))
                self.embedded.scan(child, rels, place)
                self._place_comments(child, place, blocks)
            elif child.tag == f"{W}tbl":
                self.counters["table"] += 1
                self._table(child, rels, blocks)
            elif child.tag == f"{W}sdt":
                for content in child.iterchildren(f"{W}sdtContent"):
                    self._walk(content, rels, blocks)
            elif child.tag == f"{W}altChunk":
                blocks.extend(self.embedded.alt_chunk(child, rels, self.counters["paragraph"]))

    def _paragraph(self, element: Any, place: Location) -> list[Block]:
        para = read_paragraph(element, self.formats)
        location = {**place, **marks([para], element)}
        if not para.text.strip() and para.removed:
            location.pop("changed", None)
            marker = f"[deleted paragraph: {clip(para.removed, 300)}]"
            return [(marker, {**location, "deleted": True})]
        label = self.numbering.label(element)
        text = label + para.text if para.text.strip() else para.text
        return blocks_of(text, location)

    def _table(self, table: Any, rels: Any, blocks: list[Block]) -> None:
        for number, row in enumerate(table.iterchildren(f"{W}tr"), start=1):
            place: Location = {"table": self.counters["table"], "row": number}
            cells, paras = [], []
            for cell in row.iter(f"{W}tc"):
                if cell.getparent() is not row:
                    continue  # nested tables are read through their outer cell's paragraphs
                dark = shaded(cell)
                texts = []
                for p in cell.iter(f"{W}p"):
                    para = read_paragraph(p, self.formats, dark)
                    label = self.numbering.label(p) if para.text.strip() else ""
                    texts.append(label + para.text)
                    paras.append(para)
                cells.append(" ".join(texts).strip())
            text = " | ".join(cells)
            if text.replace("|", "").strip():  # rows of empty cells are not passages
                blocks.extend(blocks_of(text, {**place, **marks(paras, row)}))
            self.embedded.scan(row, rels, place)
            self._place_comments(row, place, blocks)

    def _place_comments(self, element: Any, place: Location, blocks: list[Block]) -> None:
        for tag in (f"{W}commentRangeStart", f"{W}commentReference"):
            for anchor in element.iter(tag):
                comment_id = anchor.get(f"{W}id", "")
                if comment_id in self.comments and comment_id not in self.placed:
                    self.placed.add(comment_id)
                    number, text, location = self.comments[comment_id]
                    blocks.extend(blocks_of(text, {"comment": number, **place, **location}))

    def note_text(self, element: Any) -> tuple[str, Location]:
        """A footnote, endnote or comment: its paragraphs' text and their change/hidden keys."""
        paras = [read_paragraph(p, self.formats) for p in element.iter(f"{W}p")]
        text = "\n".join(p.text for p in paras if p.text.strip())
        return text, marks(paras, element)

    def headers_and_footers(self) -> list[Block]:
        """Each distinct header and footer once (a part shared by sections is not repeated)."""
        blocks: list[Block] = []
        seen: set[str] = set()
        counters = {"header": 0, "footer": 0}
        for section in self.document.sections:
            for kind in ("header", "footer"):
                for variant in ("first_page_", "even_page_", ""):
                    part = getattr(section, f"{variant}{kind}")
                    if part.is_linked_to_previous:
                        continue
                    name = str(part.part.partname)
                    if name in seen:
                        continue
                    seen.add(name)
                    text, location = self.note_text(part._element)
                    place: Location = {}
                    if text.strip():
                        counters[kind] += 1
                        place = {kind: counters[kind]}
                        blocks.append((text, {**place, **location}))
                    self.embedded.scan(part._element, part.part.rels, place)
        return blocks
