"""OpenDocument text (.odt) via odfpy. Headings and paragraphs ``{"paragraph": n}`` in reading
order (list items included, tables not counted), table rows ``{"table": t, "row": r}``, then
footnotes and endnotes ``{"footnote": n}`` / ``{"endnote": n}``, with comments placed after the
paragraph they are on: ``{"comment": n, "paragraph": p}``. Tracked changes are read as accepted
(the deleted text in ``text:tracked-changes`` is left out). Images and embedded objects are
listed as unread parts."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax import SAXException

from app.core.documents import Coverage, Document, Location, Unread, number_passages
from app.core.errors import CorruptDocument, NoTextLayer
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest._common import PARSER_ERRORS, check_chars, reason
from app.ingest._parts import IMAGE, OBJECT, ZIP_ERRORS, Block, blocks_of, zip_names

MEDIA_TYPE = "application/vnd.oasis.opendocument.text"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_CONTAINERS = {
    (TEXT, "list"), (TEXT, "list-item"), (TEXT, "list-header"), (TEXT, "section"),
    (TEXT, "index-body"), (TEXT, "table-of-content"), (TEXT, "alphabetical-index"),
    (TEXT, "illustration-index"), (TEXT, "bibliography"), (TEXT, "soft-page-break"),
    (TABLE, "table-cell"),
}  # fmt: skip
_ROW_GROUPS = {(TABLE, "table-rows"), (TABLE, "table-header-rows"), (TABLE, "table-row-group")}
_ERRORS: tuple[type[BaseException], ...] = (*PARSER_ERRORS, *ZIP_ERRORS, SAXException)
_CELL = (TABLE, "table-cell")
_SKIP = {(TEXT, "tracked-changes"), (TEXT, "note-citation"), (OFFICE, "annotation-end")}


def read_odt(
    path: Path, data: bytes, sha256: str, limits: ExtractionLimits = DEFAULT_LIMITS
) -> Document:
    if "content.xml" not in zip_names(path, data, "ODT"):
        raise CorruptDocument("not an OpenDocument text: the package has no content.xml", path=path)
    from odf.opendocument import load  # type: ignore[import-untyped]

    try:
        document = load(io.BytesIO(data))
        reader = _Reader()
        reader.body(document.text)
    except _ERRORS as error:
        raise CorruptDocument(f"not a readable ODT file ({reason(error)})", path=path) from None
    blocks = reader.blocks + reader.notes
    check_chars(blocks, limits, path)
    passages = number_passages(blocks)
    if not passages:
        raise NoTextLayer("contains no text (only images or empty paragraphs?)", path=path)
    coverage = Coverage(unread=tuple(reader.unread))
    return Document(path, sha256, MEDIA_TYPE, 1, passages, coverage=coverage)


class _Reader:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.notes: list[Block] = []
        self.unread: list[Unread] = []
        self.counters = {"paragraph": 0, "table": 0, "footnote": 0, "endnote": 0, "comment": 0}
        self.images = 0

    def body(self, element: Any) -> None:
        for node in element.childNodes:
            name = getattr(node, "qname", None)
            if name in _SKIP:
                continue
            if name in ((TEXT, "p"), (TEXT, "h")):
                self.paragraph(node)
            elif name == (TABLE, "table"):
                self.table(node)
            elif name in _CONTAINERS or name == (TABLE, "table-row"):
                self.body(node)
            elif name is not None:
                self.body(node)  # unknown wrappers (sequence declarations, forms): look inside

    def paragraph(self, node: Any) -> None:
        self.counters["paragraph"] += 1
        number = self.counters["paragraph"]
        comments: list[str] = []
        text = self.inline(node, comments)
        self.blocks.extend(blocks_of(text, {"paragraph": number}))
        for comment in comments:
            self.counters["comment"] += 1
            location: Location = {"comment": self.counters["comment"], "paragraph": number}
            self.blocks.extend(blocks_of(comment, location))

    def table(self, node: Any) -> None:
        self.counters["table"] += 1
        for number, row in enumerate(_rows(node), start=1):
            cells = [c for c in row.childNodes if getattr(c, "qname", None) == _CELL]
            texts = [" ".join(self.inline(cell, []).split()) for cell in cells]
            if any(texts):
                location: Location = {"table": self.counters["table"], "row": number}
                self.blocks.extend(blocks_of(" | ".join(texts), location))

    def inline(self, node: Any, comments: list[str]) -> str:
        """Text of a paragraph as the reader sees it; notes and comments set aside."""
        parts: list[str] = []
        for child in node.childNodes:
            name = getattr(child, "qname", None)
            if name is None:
                parts.append(getattr(child, "data", ""))
            elif name in _SKIP:
                continue
            elif name == (TEXT, "s"):
                parts.append(" " * int(child.getAttrNS(TEXT, "c") or 1))
            elif name == (TEXT, "tab"):
                parts.append("\t")
            elif name == (TEXT, "line-break"):
                parts.append("\n")
            elif name == (TEXT, "note"):
                self.note(child)
            elif name == (OFFICE, "annotation"):
                comments.append(self.annotation(child))
            elif name in ((DRAW, "image"), (DRAW, "object"), (DRAW, "object-ole")):
                self.images += 1
                kind, why = ("image", IMAGE) if name[1] == "image" else ("object", OBJECT)
                self.unread.append(Unread({"part": f"embedded {kind} {self.images}"}, why))
            elif name in ((TEXT, "p"), (TEXT, "h")):
                parts.append("\n" + self.inline(child, comments))  # in a frame, a cell, a list
            else:
                parts.append(self.inline(child, comments))
        return "".join(parts).strip()

    def note(self, node: Any) -> None:
        kind = "endnote" if node.getAttrNS(TEXT, "note-class") == "endnote" else "footnote"
        self.counters[kind] += 1
        body = [c for c in node.childNodes if getattr(c, "qname", None) == (TEXT, "note-body")]
        text = "\n".join(self.inline(b, []) for b in body)
        self.notes.extend(blocks_of(text, {kind: self.counters[kind]}))

    def annotation(self, node: Any) -> str:
        author = ""
        paragraphs = []
        for child in node.childNodes:
            name = getattr(child, "qname", None)
            if name == ("http://purl.org/dc/elements/1.1/", "creator"):
                author = self.inline(child, [])
            elif name in ((TEXT, "p"), (TEXT, "list")):
                paragraphs.append(self.inline(child, []))
        text = "\n".join(p for p in paragraphs if p)
        return f"Comment by {author or 'unknown'}: {text}" if text else ""


def _rows(node: Any) -> list[Any]:
    """Rows of this table, not of tables nested in its cells (those are read as cell text)."""
    found = []
    for child in node.childNodes:
        name = getattr(child, "qname", None)
        if name == (TABLE, "table-row"):
            found.append(child)
        elif name in _ROW_GROUPS:
            found.extend(_rows(child))
    return found
