"""HTML via BeautifulSoup (lxml's parser): the text a browser shows, in reading order, as
paragraphs and table rows. Scripts, styles, templates and navigation menus are left out: code and
menus are not what the page says. Text a browser would not show (``hidden``, ``display:none``)
is read but flagged, so a reviewer sees what the page hides. Images and embedded objects are
listed as unread parts. Also reads the HTML body of e-mails and DOCX altChunks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import CData, Comment, NavigableString, Tag

from app.core.documents import Coverage, Document, Location, Unread, number_passages
from app.core.errors import NoTextLayer
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest._common import check_chars
from app.ingest._parts import IMAGE, OBJECT, Block, blocks_of

_DROP = ("script", "style", "noscript", "template", "nav", "head")
_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "html", "legend", "li", "main", "ol", "p", "pre",
    "section", "summary", "ul", "caption",
}  # fmt: skip
_EMBEDDED = ("iframe", "object", "embed", "video", "audio", "canvas", "svg")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_TINY_STYLE = re.compile(r"font-size\s*:\s*0(\.\d+)?(px|pt|em|rem|%)?\s*(;|$)", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")
MAX_LISTED_IMAGES = 20  # after these, one line counts the rest


def read_html(
    path: Path,
    data: bytes,
    sha256: str,
    media_type: str = "text/html",
    limits: ExtractionLimits = DEFAULT_LIMITS,
) -> Document:
    blocks, unread = html_blocks(data)
    check_chars(blocks, limits, path)
    passages = number_passages(blocks)
    if not passages:
        raise NoTextLayer(
            "contains no text (an empty page, or only scripts and images?)", path=path
        )
    return Document(path, sha256, media_type, 1, passages, coverage=Coverage(unread=tuple(unread)))


def html_text(markup: str | bytes) -> str:
    """The page's visible text as one string (paragraphs on their own lines)."""
    return "\n".join(text for text, _ in html_blocks(markup)[0])


def html_blocks(markup: str | bytes, skip_cid: bool = False) -> tuple[list[Block], list[Unread]]:
    """Paragraph blocks ``{"paragraph": n}`` and table rows ``{"table": t, "row": r}``, plus
    the title ``{"title": True}``; and the images and objects not read. ``skip_cid``: images
    an e-mail carries as attachments (``cid:``) are listed with the attachments instead."""
    soup = BeautifulSoup(markup, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()  # never shown by a browser
    for tag in soup.find_all(_DROP):
        tag.decompose()
    unread = _embedded(soup, skip_cid)
    walker = _Walker()
    walker.walk(soup, hidden="")
    walker.flush()
    blocks: list[Block] = [(title, {"title": True})] if title else []
    return blocks + walker.blocks, unread


def _embedded(soup: BeautifulSoup, skip_cid: bool) -> list[Unread]:
    unread: list[Unread] = []
    images = [img for img in soup.find_all("img") if isinstance(img, Tag)]
    if skip_cid:
        images = [i for i in images if not str(i.get("src", "")).lower().startswith("cid:")]
    for number, image in enumerate(images[:MAX_LISTED_IMAGES], start=1):
        src = str(image.get("src", ""))
        name = str(image.get("alt", "")).strip() or (
            "inline data" if src.startswith("data:") else src.rsplit("/", 1)[-1][:80]
        )
        unread.append(Unread({"part": f"image {number} ({name or 'no name'})"}, IMAGE))
    if len(images) > MAX_LISTED_IMAGES:
        unread.append(Unread({"part": f"{len(images) - MAX_LISTED_IMAGES} more images"}, IMAGE))
    for tag_name in _EMBEDDED:
        for number, tag in enumerate(soup.find_all(tag_name), start=1):
            unread.append(Unread({"part": f"embedded {tag_name} {number}"}, OBJECT))
            tag.decompose()
    return unread


def _hidden_by(tag: Tag) -> str:
    style = str(tag.get("style", ""))
    if tag.has_attr("hidden") or _HIDDEN_STYLE.search(style):
        return "hidden (display:none)"
    if _TINY_STYLE.search(style):
        return "tiny text"
    return ""


class _Walker:
    """Collects inline text into the current block; a block element ends it."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.pieces: list[str] = []
        self.flags: set[str] = set()
        self.paragraph = 0
        self.table = 0

    def walk(self, node: Any, hidden: str, pre: bool = False) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) not in (NavigableString, CData):
                    continue  # a doctype, declaration or processing instruction: not shown
                text = str(child)
                self.pieces.append(text if pre else _SPACES.sub(" ", text))
                if hidden and text.strip():
                    self.flags.add(hidden)
                continue
            if not isinstance(child, Tag):
                continue
            flag = _hidden_by(child) or hidden
            name = child.name
            if name == "br":
                self.pieces.append("\n")
            elif name == "table":
                self.flush()
                self._table(child, flag)
            elif name in _BLOCKS:
                self.flush()
                self.walk(child, flag, pre or name == "pre")
                self.flush()
            else:
                if name in ("td", "th"):
                    self.pieces.append(" ")
                self.walk(child, flag, pre)

    def flush(self) -> None:
        lines = "".join(self.pieces).split("\n")
        text = "\n".join(line.strip() for line in lines if line.strip())
        if text:
            self.paragraph += 1
            location: Location = {"paragraph": self.paragraph}
            if self.flags:
                location["hidden"] = ", ".join(sorted(self.flags))
            self.blocks.extend(blocks_of(text, location))
        self.pieces, self.flags = [], set()

    def _table(self, table: Tag, hidden: str) -> None:
        self.table += 1
        number = 0
        for row in table.find_all("tr"):
            if row.find_parent("table") is not table:
                continue  # a nested table is read as its outer cell's text
            cells = [c for c in row.find_all(["td", "th"]) if c.find_parent("tr") is row]
            texts = [" ".join(c.get_text(" ").split()) for c in cells]
            number += 1
            if not any(texts):
                continue
            location: Location = {"table": self.table, "row": number}
            flag = hidden or next((f for c in cells if (f := _hidden_in(c))), "")
            if flag:
                location["hidden"] = flag
            self.blocks.extend(blocks_of(" | ".join(texts), location))


def _hidden_in(cell: Tag) -> str:
    for tag in [cell, *cell.find_all(True)]:
        if isinstance(tag, Tag) and (flag := _hidden_by(tag)):
            return flag
    return ""
