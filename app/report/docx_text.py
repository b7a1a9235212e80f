"""Where a passage of a DOCX is in its XML, and which runs hold each of its characters.

The body is walked the way the reader (``app.ingest.word``) numbers it: paragraphs of the body
and of block content controls counted in order, tables counted at the same levels, a row's
cells read through their paragraphs; headers and footers in section order (first page, even,
default; each part once, those with text counted); footnotes and endnotes in their part's order,
Word's separator notes skipped. A paragraph's text is read as the reader reads it: tracked
insertions in, deletions out, text boxes included, field codes left out. Each character keeps
the element it came from, so a quote found in the text can be cut out of the runs exactly.

(The report layer may not import the readers, so the walk is written again here; a test keeps
the two texts equal on the generated documents.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.core.documents import Location

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_SKIP = {f"{W}pPr", f"{W}rPr", f"{W}instrText", f"{MC}Fallback", f"{W}commentRangeStart"}
_GONE = {f"{W}del", f"{W}moveFrom"}  # tracked deletions: not in the text Word shows
_VARIANT_NAMES = {"first": "first-page ", "even": "even-page ", "default": ""}
_NOT_CONTENT = {"separator", "continuationSeparator", "continuationNotice"}


@dataclass(frozen=True)
class Atom:
    """One character of a container's text. ``node`` is the ``w:t``/``w:tab``/``w:br`` it
    comes from and ``offset`` its index in that node's text; separators between paragraphs
    and cells have no node. ``run`` is None for text that cannot carry a comment boundary
    (inside a text box, or a separator)."""

    char: str
    node: Any = None
    offset: int = 0
    run: Any = None
    paragraph: Any = None


@dataclass(frozen=True)
class Container:
    """The paragraphs a passage lives in (one for a body paragraph; a row's cell paragraphs;
    a header's, a footnote's) and the part holding them."""

    part: str  # word/document.xml, word/header1.xml, word/footnotes.xml ...
    paragraphs: tuple[Any, ...]
    cell_starts: frozenset[int] = frozenset()  # indexes of paragraphs that start a new cell
    # Outside the body (a header, a note), where the comment goes in the body instead: Word
    # anchors comments in the main text only (LibreOffice refuses a file with comment marks
    # in a header or a footnote). A note's reference mark (a ``w:r``), or a paragraph whose
    # start takes a comment without range (the first paragraph of the section a header heads).
    proxy: Any = None
    where: str = ""  # "footnote 2", "the header" ...

    def atoms(self) -> list[Atom]:
        """The container's text, a character at a time (recomputed after every change)."""
        found: list[Atom] = []
        for index, paragraph in enumerate(self.paragraphs):
            if index:
                separator = " | " if index in self.cell_starts else "\n"
                found.extend(Atom(char) for char in separator)
            found.extend(paragraph_atoms(paragraph))
        return found


def paragraph_atoms(paragraph: Any) -> list[Atom]:
    atoms: list[Atom] = []

    def walk(node: Any, run: Any, nested: bool) -> None:
        for child in node.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP or tag in _GONE:
                continue
            if tag == f"{W}r":
                walk(child, child, nested)
            elif tag == f"{W}t":
                anchor = None if nested else run
                atoms.extend(
                    Atom(c, child, i, anchor, paragraph) for i, c in enumerate(child.text or "")
                )
            elif tag == f"{W}tab":
                atoms.append(Atom("\t", child, 0, None if nested else run, paragraph))
            elif tag in (f"{W}br", f"{W}cr"):
                atoms.append(Atom("\n", child, 0, None if nested else run, paragraph))
            elif tag == f"{W}p":  # a paragraph in a text box: read, but not anchored on
                if atoms:
                    atoms.append(Atom("\n"))
                walk(child, None, True)
            else:
                walk(child, run, nested)

    walk(paragraph, None, False)
    return atoms


class DocxParts:
    """The parsed XML parts of one package, and the passages' containers in them."""

    def __init__(self, parse: Callable[[str], Any], rels: dict[str, str]) -> None:
        self.parse = parse  # part name -> parsed root (cached by the caller), None if absent
        self.rels = rels  # relationship id of word/document.xml -> part name
        self.body = parse("word/document.xml").find(f"{W}body")

    def container(self, location: Location) -> Container | None:
        """Where a passage located ``location`` is; None for places a copy cannot mark
        (altChunks, attachments, a comment anchored outside the body)."""
        if "part" in location:
            return None
        for kind in ("footnote", "endnote"):
            if kind in location:
                return self._note(kind, int(location[kind]))
        for kind in ("header", "footer"):
            if kind in location:
                return self._header(kind, int(location[kind]))
        if "table" in location and "row" in location:
            return self._row(int(location["table"]), int(location["row"]))
        if "paragraph" in location:
            paragraph = self._body_blocks()[0].get(int(location["paragraph"]))
            return Container("word/document.xml", (paragraph,)) if paragraph is not None else None
        return None

    def _body_blocks(self) -> tuple[dict[int, Any], dict[int, Any]]:
        paragraphs: dict[int, Any] = {}
        tables: dict[int, Any] = {}

        def walk(container: Any) -> None:
            for child in container.iterchildren():
                if child.tag == f"{W}p":
                    paragraphs[len(paragraphs) + 1] = child
                elif child.tag == f"{W}tbl":
                    tables[len(tables) + 1] = child
                elif child.tag == f"{W}sdt":
                    for content in child.iterchildren(f"{W}sdtContent"):
                        walk(content)

        walk(self.body)
        return paragraphs, tables

    def _row(self, table_number: int, row_number: int) -> Container | None:
        table = self._body_blocks()[1].get(table_number)
        rows = list(table.iterchildren(f"{W}tr")) if table is not None else []
        if not 0 < row_number <= len(rows):
            return None
        row = rows[row_number - 1]
        paragraphs: list[Any] = []
        starts: set[int] = set()
        for cell in row.iter(f"{W}tc"):
            if cell.getparent() is not row:
                continue
            starts.add(len(paragraphs))
            paragraphs.extend(cell.iter(f"{W}p"))
        return Container("word/document.xml", tuple(paragraphs), frozenset(starts - {0}))

    def _note(self, kind: str, number: int) -> Container | None:
        part = f"word/{kind}s.xml"
        root = self.parse(part)
        if root is None:
            return None
        notes = [
            n for n in root.iterchildren(f"{W}{kind}") if n.get(f"{W}type") not in _NOT_CONTENT
        ]
        if not 0 < number <= len(notes):
            return None
        note = notes[number - 1]
        mark = next(
            (
                ref.getparent()
                for ref in self.body.iter(f"{W}{kind}Reference")
                if ref.get(f"{W}id") == note.get(f"{W}id") and ref.getparent().tag == f"{W}r"
            ),
            None,
        )
        return Container(part, tuple(note.iter(f"{W}p")), proxy=mark, where=f"{kind} {number}")

    def _section_start(self, sections: list[Any], index: int) -> Any:
        """The first body paragraph of section ``index`` (a section ends with the paragraph
        whose properties hold its ``w:sectPr``; the last one's is the body's own)."""
        paragraphs = list(self.body.iterchildren(f"{W}p"))
        start = 0
        if index:
            previous = sections[index - 1].getparent().getparent()  # sectPr -> pPr -> p
            start = paragraphs.index(previous) + 1 if previous in paragraphs else 0
        return paragraphs[start] if start < len(paragraphs) else None

    def _header(self, kind: str, number: int) -> Container | None:
        seen: set[str] = set()
        count = 0
        sections = self.body.xpath("./w:p/w:pPr/w:sectPr | ./w:sectPr", namespaces={"w": W_NS})
        for index, section in enumerate(sections):
            for variant in ("first", "even", "default"):
                reference = next(
                    (
                        r
                        for r in section.iterchildren(f"{W}{kind}Reference")
                        if r.get(f"{W}type", "default") == variant
                    ),
                    None,
                )
                part = (
                    self.rels.get(reference.get(f"{{{R_NS}}}id", ""))
                    if reference is not None
                    else None
                )
                if part is None or part in seen:
                    continue
                seen.add(part)
                root = self.parse(part)
                paragraphs = tuple(root.iter(f"{W}p")) if root is not None else ()
                if not "".join(a.char for p in paragraphs for a in paragraph_atoms(p)).strip():
                    continue  # the reader counts only headers and footers with text
                count += 1
                if count == number:
                    where = f"the {_VARIANT_NAMES[variant]}{kind}"
                    return Container(
                        part, paragraphs, proxy=self._section_start(sections, index), where=where
                    )
        return None
