"""Where words are on a PDF page: PDFium's text page gives each character's box, so a quote found
in the page's text becomes one rectangle per line it covers. The annotator puts its highlight
there and the app's page view draws the same rectangles (one code for both)."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.citations import quote_span

Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF points (page space)


@dataclass(frozen=True)
class PageText:
    """A page's text as PDFium reads it and each character's (loose) box; whitespace and
    generated line breaks have ``None``."""

    number: int  # from 1
    text: str
    boxes: tuple[Box | None, ...]
    width: float
    height: float


def page_texts(pdf: object, numbers: Sequence[int]) -> dict[int, PageText]:
    """``pdf``: an open ``pypdfium2.PdfDocument``; pages that do not exist are left out."""
    import pypdfium2 as pdfium

    assert isinstance(pdf, pdfium.PdfDocument)
    found: dict[int, PageText] = {}
    for number in sorted(set(numbers)):
        if not 0 < number <= len(pdf):
            continue
        page = pdf[number - 1]
        textpage = page.get_textpage()
        try:
            count = textpage.count_chars()
            text = textpage.get_text_range(0, count) if count else ""
            boxes: list[Box | None] = []
            for index, char in enumerate(text[:count]):
                boxes.append(
                    None if char.isspace() else _box(textpage.get_charbox(index, loose=True))
                )
            boxes.extend([None] * (len(text) - len(boxes)))
            chars, kept = _join_wide(list(text), boxes)
            width, height = page.get_size()
            found[number] = PageText(number, "".join(chars), tuple(kept), width, height)
        finally:
            textpage.close()
            page.close()
    return found


def _box(raw: tuple[float, float, float, float]) -> Box | None:
    left, bottom, right, top = (float(v) for v in raw)
    return (left, bottom, right, top) if right > left and top > bottom else None


def span_boxes(page: PageText, start: int, end: int) -> list[Box]:
    """One box per line of the characters ``start``..``end``: characters whose boxes overlap
    vertically and follow each other left to right are one line (or, set vertically, overlap
    horizontally and follow each other downwards)."""
    lines: list[list[float]] = []
    for box in page.boxes[start:end]:
        if box is None:
            continue
        if lines:
            line = lines[-1]
            middle = (box[1] + box[3]) / 2
            centre = (box[0] + box[2]) / 2
            across = line[1] <= middle <= line[3] and box[0] >= line[0] - 1
            down = line[0] <= centre <= line[2] and box[3] <= line[1] + 2  # vertical writing
            if across or down:
                line[:] = [
                    line[0],
                    min(line[1], box[1]),
                    max(line[2], box[2]),
                    max(line[3], box[3]),
                ]
                continue
        lines.append(list(box))
    return [(a, b, c, d) for a, b, c, d in lines]


def find_quote(page: PageText, quote: str, passage_text: str = "") -> tuple[int, int] | None:
    """Where ``quote`` is on the page, matched as citations are checked (case, spacing,
    typographic marks and line-end hyphens forgiven); inside the passage's own text first, so a
    phrase that occurs twice on a page is found where the finding cites it."""
    if passage_text:
        around = quote_span(passage_text, page.text)
        if around is not None and quote:
            inner = quote_span(quote, page.text[around[0] : around[1]])
            if inner is not None:
                return around[0] + inner[0], around[0] + inner[1]
    return quote_span(quote, page.text) if quote else None


def union(boxes: Sequence[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def pdfminer_text(data: bytes, number: int, origin: tuple[float, float]) -> PageText | None:
    """The page as pdfminer.six lays it out (the reader's second extractor: columns, vertical
    and CJK text come out in another order than PDFium's), each character with its box. Only
    for unturned pages; ``origin``: the media box's lower-left corner (pdfminer measures from
    it, annotations from the page's own origin)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTAnno, LTChar, LTTextContainer

    text: list[str] = []
    boxes: list[Box | None] = []
    dx, dy = origin
    for layout in extract_pages(io.BytesIO(data), page_numbers=[number - 1], laparams=LAParams()):
        for element in layout:
            if not isinstance(element, LTTextContainer):
                continue
            if text:
                text.append("\n")
                boxes.append(None)
            for line in element:
                for char in line if hasattr(line, "__iter__") else ():
                    if isinstance(char, LTChar):
                        for piece in char.get_text():
                            text.append(piece)
                            x0, y0, x1, y1 = char.bbox
                            boxes.append(_box((x0 + dx, y0 + dy, x1 + dx, y1 + dy)))
                    elif isinstance(char, LTAnno):
                        text.append(char.get_text())
                        boxes.append(None)
        text, boxes = _join_wide(text, boxes)
        width, height = float(layout.width), float(layout.height)
        return PageText(number, "".join(text), tuple(boxes), width, height)
    return None


def _join_wide(text: list[str], boxes: list[Box | None]) -> tuple[list[str], list[Box | None]]:
    """Line breaks between two CJK characters taken out: such text has no spaces, and a line
    set vertically comes out of pdfminer a character a line."""
    keep = [
        not (
            char.isspace()
            and 0 < index < len(text) - 1
            and _wide(text[index - 1])
            and _wide(text[index + 1])
        )
        for index, char in enumerate(text)
    ]
    return (
        [c for c, k in zip(text, keep, strict=True) if k],
        [b for b, k in zip(boxes, keep, strict=True) if k],
    )


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")
