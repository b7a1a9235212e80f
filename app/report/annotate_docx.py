"""A copy of a DOCX with one Word comment per finding, anchored on the quoted words.

Written at the package level, not through python-docx's ``save`` (which would re-serialise
every part it loaded): each ZIP member is copied as it is, except the parts that receive
comment markers (the document, a header, the footnotes), ``word/comments.xml`` (created or
extended) and, when the comments part is new, the document's relationships and the content
types. In the marked parts only runs are cut where a quote starts and ends, each half keeping
its formatting; the text and formatting are otherwise unchanged."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from app.core.citations import quote_span
from app.report.annotation import Note, Placement, Placements
from app.report.docx_marks import (
    comment_element,
    mark_paragraphs,
    mark_point,
    mark_range,
    split_after,
    split_before,
    suggest,
    word_date,
)
from app.report.docx_text import W_NS, Atom, Container, DocxParts, W

COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
BODY = "word/document.xml"
MAX_PART_BYTES = 256 * 1024 * 1024  # a part larger than this unpacked is refused (a ZIP bomb)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class DocxPackageError(ValueError):
    """The package cannot be annotated (damaged, or a part too large)."""


def annotate_docx(
    data: bytes, notes: Sequence[Note], suggest_fixes: bool = False
) -> tuple[bytes, Placements]:
    package = _Package(data)
    placements = Placements()
    next_id = package.next_id()
    comments: list[tuple[int, Note, Placement, str]] = []
    for note in notes:
        container = package.parts.container(note.location)
        placement: Placement = "unplaced"
        remark = ""
        if container is not None and container.part != BODY:
            placement, remark = _anchor_elsewhere(container, note, next_id)
            package.touched.add(BODY)
        elif container is not None:
            placement = _anchor(container, note, next_id, suggest_fixes)
            package.touched.add(BODY)
        placements.add(note, placement)
        if placement != "unplaced":
            comments.append((next_id, note, placement, remark))
            next_id += 3  # the comment, and the deletion and insertion of a suggestion
    if comments:
        package.add_comments(comments)
    return package.write(), placements


def _anchor(container: Container, note: Note, comment_id: int, suggest_fixes: bool) -> Placement:
    atoms = container.atoms()
    text = "".join(a.char for a in atoms)
    span = _quote_span(note, text) if note.quote_verified else None
    if span is not None and _anchorable(atoms, span):
        _mark_quote(atoms, span, comment_id, note if suggest_fixes else None)
        return "quote"
    # The whole passage: its own stretch of a long paragraph when it can be found, else every
    # paragraph of the container.
    around = quote_span(note.passage_text, text)
    if around is not None and _anchorable(atoms, around):
        _mark_quote(atoms, around, comment_id, None)
        return "passage"
    paragraphs = container.paragraphs
    if not paragraphs:
        return "unplaced"
    mark_paragraphs(paragraphs[0], paragraphs[-1], comment_id)
    return "passage"


def _anchor_elsewhere(container: Container, note: Note, comment_id: int) -> tuple[Placement, str]:
    """A passage in a header, footer or note: the comment goes on the note's reference mark, or
    at the start of the section a header heads, and says so."""
    proxy = container.proxy
    if proxy is None:
        return "unplaced", ""
    text = "".join(a.char for a in container.atoms())
    found = note.quote_verified and quote_span(note.quote, text) is not None
    words = "the quoted words are there" if found else "the quoted words were not found there"
    if proxy.tag == f"{W}r":  # a footnote's or endnote's reference mark
        paragraph = next(a for a in proxy.iterancestors(f"{W}p"))
        mark_range(proxy, proxy, paragraph, comment_id)
        return "passage", f"In {container.where} ({words}); this comment is on its reference mark."
    mark_point(proxy, comment_id)
    return "passage", (
        f"In {container.where} ({words}); Word keeps comments in the main text, so this "
        "comment is at the start of the section it belongs to."
    )


def _anchorable(atoms: list[Atom], span: tuple[int, int]) -> bool:
    """Both ends of the span are characters of runs a comment boundary can sit beside (not a
    separator, not a text box)."""
    return atoms[span[0]].run is not None and atoms[span[1] - 1].run is not None


def _quote_span(note: Note, text: str) -> tuple[int, int] | None:
    """The quote inside the passage's own stretch of the container first (a passage cut from a
    long paragraph, a quote that occurs twice), else anywhere in the container."""
    around = quote_span(note.passage_text, text)
    if around is not None:
        inner = quote_span(note.quote, text[around[0] : around[1]])
        if inner is not None:
            return around[0] + inner[0], around[0] + inner[1]
    found = quote_span(note.quote, text)
    if found is None:  # a quote that starts with the list number Word draws (not in the XML)
        words = note.quote.split(" ")
        for cut in range(1, min(4, len(words))):
            label = " ".join(words[:cut])
            if note.passage_text.startswith(label) and not text.lstrip().startswith(label):
                found = quote_span(" ".join(words[cut:]), text)
                if found is not None:
                    break
    return found


def _mark_quote(
    atoms: list[Atom], span: tuple[int, int], comment_id: int, fix: Note | None
) -> None:
    first, last = atoms[span[0]], atoms[span[1] - 1]
    end_run = split_after(last)
    start_run = split_before(first)
    if first.run is last.run:
        end_run = start_run  # the cut before moved the quote into a new run
    date = word_date(fix.date) if fix is not None else ""
    if (
        fix is not None
        and fix.remediation
        and suggest(start_run, end_run, fix.remediation, comment_id + 1, fix.author, date)
    ):
        deletion = start_run.getparent()
        start_run, end_run = deletion, deletion.getnext()  # the w:del and its w:ins
    mark_range(start_run, end_run, last.paragraph, comment_id)


class _Package:
    def __init__(self, data: bytes) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.names = self.zip.namelist()
        except zipfile.BadZipFile as error:
            raise DocxPackageError(f"not a readable DOCX package ({error})") from None
        for info in self.zip.infolist():
            if info.file_size > MAX_PART_BYTES:
                raise DocxPackageError(f"the part {info.filename} is too large to annotate")
        self.trees: dict[str, Any] = {}
        self.touched: set[str] = set()
        self.new_parts: dict[str, bytes] = {}
        self.rels = self._document_rels()
        if self._tree("word/document.xml") is None:
            raise DocxPackageError("the package has no word/document.xml")
        self.parts = DocxParts(self._tree, {k: v for k, (v, _) in self.rels.items()})

    def _read(self, name: str) -> bytes | None:
        return self.zip.read(name) if name in self.names else None

    def _tree(self, name: str) -> Any:
        if name not in self.trees:
            raw = self._read(name)
            try:
                self.trees[name] = etree.fromstring(raw, _PARSER) if raw else None
            except etree.XMLSyntaxError as error:
                raise DocxPackageError(f"{name} is not well-formed XML ({error})") from None
        return self.trees[name]

    def _document_rels(self) -> dict[str, tuple[str, str]]:
        """Relationship id -> (part name, type) of word/document.xml."""
        root = self._tree("word/_rels/document.xml.rels")
        found = {}
        for rel in root.iterchildren(f"{{{PKG_REL_NS}}}Relationship") if root is not None else ():
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else f"word/{target}"
            found[rel.get("Id", "")] = (part, rel.get("Type", ""))
        return found

    def next_id(self) -> int:
        """A w:id above every one the package uses (comments, changes, bookmarks share the
        space in practice: Word renumbers, other readers do not)."""
        highest = 0
        for name in self.names:
            if name.startswith("word/") and name.endswith(".xml"):
                for value in re.findall(rb'id="(-?\d+)"', self._read(name) or b""):
                    highest = max(highest, int(value))
        return highest + 1

    def add_comments(self, comments: list[tuple[int, Note, Placement, str]]) -> None:
        known = next((p for p, kind in self.rels.values() if kind == COMMENTS_REL), None)
        root = self._tree(known) if known else None
        part = known or ""
        if root is None:
            taken = "word/comments.xml" in self.names
            part = _free_name(self.names) if taken else "word/comments.xml"
            root = etree.Element(f"{W}comments", nsmap={"w": W_NS})
            self.trees[part] = root
            self._register(part)
        for comment_id, note, placement, remark in comments:
            root.append(comment_element(comment_id, note, placement, remark))
        self.touched.add(part)

    def _register(self, part: str) -> None:
        rels = self._tree("word/_rels/document.xml.rels")
        used = {rel.get("Id") for rel in rels}
        number = 1
        while f"rIdSafeguard{number}" in used:
            number += 1
        etree.SubElement(
            rels,
            f"{{{PKG_REL_NS}}}Relationship",
            {
                "Id": f"rIdSafeguard{number}",
                "Type": COMMENTS_REL,
                "Target": part.removeprefix("word/"),
            },
        )
        types = self._tree("[Content_Types].xml")
        etree.SubElement(
            types, f"{{{CT_NS}}}Override", {"PartName": f"/{part}", "ContentType": COMMENTS_TYPE}
        )
        self.touched |= {"word/_rels/document.xml.rels", "[Content_Types].xml"}

    def write(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in self.zip.infolist():
                name = info.filename
                data = self._serialise(name) if name in self.touched else self.zip.read(name)
                target.writestr(info, data, compress_type=info.compress_type)
            for name in sorted(self.touched - set(self.names)):
                target.writestr(name, self._serialise(name))
        return out.getvalue()

    def _serialise(self, name: str) -> bytes:
        root = self.trees[name]
        standalone = root.getroottree().docinfo.standalone if name in self.names else True
        return bytes(
            etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=standalone)
        )


def _free_name(names: list[str]) -> str:
    number = 1
    while f"word/comments{number}.xml" in names:
        number += 1
    return f"word/comments{number}.xml"
