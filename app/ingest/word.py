"""DOCX via python-docx: body paragraphs and table rows in document order (text boxes inside
them), then headers and footers, footnotes, endnotes and reviewers' comments. Tracked changes are
read as accepted: inserted text is in, deleted text is out, and the passage's location counts
both (``insertions``, ``deletions``) so a reviewer knows the text was still being edited."""

from __future__ import annotations

import io
import logging
import zipfile
import zlib
from pathlib import Path
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError

from app.core.documents import Document, Location, number_passages
from app.core.errors import CorruptDocument, NoTextLayer
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest._common import check_chars, reason
from app.ingest.word_notes import note_blocks

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # a zip bomb stops here, before any XML is parsed
# What a damaged package makes zipfile, zlib, lxml and python-docx raise.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    ValueError,
    KeyError,
    OSError,
    EOFError,
    NotImplementedError,
)
_DOCX_ERRORS = (
    *_ZIP_ERRORS,
    PackageNotFoundError,
    SyntaxError,
    AttributeError,
    TypeError,
    IndexError,
    RecursionError,
)
_SKIP = {f"{W}del", f"{W}moveFrom", f"{W}delText", MC_FALLBACK, f"{W}instrText"}


def read_docx(
    path: Path, data: bytes, sha256: str, limits: ExtractionLimits = DEFAULT_LIMITS
) -> Document:
    _check_package(path, data)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = body_blocks(document.element.body)
        blocks.extend(header_footer_blocks(document))
    except _DOCX_ERRORS as error:
        log.info("python-docx could not open %s", path, exc_info=True)
        if b"purl.oclc.org/ooxml" in _part(data, "word/document.xml")[:4096]:
            raise CorruptDocument(
                "Strict Open XML documents are not supported; in Word, save it as "
                "'Word Document (.docx)' and try again",
                path=path,
            ) from None
        raise CorruptDocument(
            f"not a readable Word document ({reason(error)})", path=path
        ) from None
    blocks.extend(note_blocks(lambda name: _part(data, name), element_text, tracked))
    check_chars(blocks, limits, path)
    passages = number_passages(blocks)
    if not passages:
        raise NoTextLayer(
            "contains no text (only images, empty tables or empty paragraphs?)", path=path
        )
    return Document(path, sha256, MEDIA_TYPE, 1, passages)


def _check_package(path: Path, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            unpacked = sum(info.file_size for info in package.infolist())
    except _ZIP_ERRORS as error:
        raise CorruptDocument(
            f"damaged DOCX: not a valid ZIP package ({reason(error)})", path=path
        ) from None
    if "word/document.xml" not in names:
        raise CorruptDocument(
            "not a Word document: the package has no word/document.xml", path=path
        )
    if unpacked > MAX_UNPACKED_BYTES:
        raise CorruptDocument(
            f"unpacks to {unpacked // 2**20} MB, more than the {MAX_UNPACKED_BYTES // 2**20} MB "
            "limit (a ZIP bomb?)",
            path=path,
        )


def _part(data: bytes, name: str) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return package.read(name)
    except _ZIP_ERRORS:
        return b""


def body_blocks(body: Any) -> list[tuple[str, Location]]:
    """Paragraphs are numbered by their position among the body's paragraphs (empty ones
    counted, content controls looked into); each table row is one passage."""
    blocks: list[tuple[str, Location]] = []
    counters = {"paragraph": 0, "table": 0}

    def walk(container: Any) -> None:
        for child in container.iterchildren():
            if child.tag == f"{W}p":
                counters["paragraph"] += 1
                location: Location = {"paragraph": counters["paragraph"], **tracked(child)}
                blocks.append((element_text(child), location))
            elif child.tag == f"{W}tbl":
                counters["table"] += 1
                blocks.extend(
                    (text, {"table": counters["table"], "row": row, **marks})
                    for row, (text, marks) in enumerate(table_rows(child), start=1)
                    if text.replace("|", "").strip()  # rows of empty cells are not passages
                )
            elif child.tag == f"{W}sdt":
                for content in child.iterchildren(f"{W}sdtContent"):
                    walk(content)

    walk(body)
    return blocks


def table_rows(table: Any) -> list[tuple[str, dict[str, int]]]:
    rows = []
    for row in table.iterchildren(f"{W}tr"):
        cells = []
        for cell in row.iter(f"{W}tc"):
            if cell.getparent() is not row:
                continue  # nested tables are read through their outer cell's paragraphs
            cells.append(" ".join(element_text(p) for p in cell.iter(f"{W}p")).strip())
        rows.append((" | ".join(cells), tracked(row)))
    return rows


def tracked(element: Any) -> dict[str, int]:
    """How many tracked insertions and deletions an element holds (formatting-only changes and
    inserted paragraph marks not counted); empty when there are none."""
    marks = {}
    for key, tag in (("insertions", f"{W}ins"), ("deletions", f"{W}del")):
        count = sum(1 for node in element.iter(tag) if node.getparent().tag != f"{W}rPr")
        if count:
            marks[key] = count
    return marks


def element_text(element: Any) -> str:
    """Text of an element as Word shows it with changes accepted."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        for child in node.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == f"{W}t":
                parts.append(child.text or "")
            elif tag == f"{W}tab":
                parts.append("\t")
            elif tag in (f"{W}br", f"{W}cr"):
                parts.append("\n")
            elif tag == f"{W}p" and parts:
                parts.append("\n")  # a paragraph inside a text box
                walk(child)
            else:
                walk(child)

    walk(element)
    return "".join(parts)


def header_footer_blocks(document: Any) -> list[tuple[str, Location]]:
    """Each distinct header and footer once (a part shared by sections is not repeated)."""
    blocks: list[tuple[str, Location]] = []
    seen: set[str] = set()
    counters = {"header": 0, "footer": 0}
    for section in document.sections:
        for kind in ("header", "footer"):
            for variant in ("first_page_", "even_page_", ""):
                part = getattr(section, f"{variant}{kind}")
                if part.is_linked_to_previous:
                    continue
                name = str(part.part.partname)
                if name in seen:
                    continue
                seen.add(name)
                element = part._element
                texts = [element_text(p) for p in element.iter(f"{W}p")]
                text = "\n".join(t for t in texts if t.strip())
                if text.strip():
                    counters[kind] += 1
                    blocks.append((text, {kind: counters[kind]}))
    return blocks
