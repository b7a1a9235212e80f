"""Where each finding's mark goes on a PDF: the quoted words' line boxes on the cited page (a
highlight), else a box around the passage or the page (a square). Pages read by OCR have no
text layer: the caller hands the OCR reader's lines (text and box in PDF points) and the quote
is found among them; a form field's or an annotation's passage is marked on its own box."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.report.annotation import Note, Placement
from app.report.pdf_text import (
    Box,
    PageText,
    find_quote,
    page_texts,
    pdfminer_text,
    span_boxes,
    union,
)

OcrLine = tuple[str, Box]  # a recognised line and its box in PDF points
OcrReader = Callable[[int], list[OcrLine] | None]  # page -> its lines (None: no OCR here)


@dataclass(frozen=True)
class Mark:
    note: Note
    page: int  # from 1
    kind: Literal["highlight", "square"]
    boxes: tuple[Box, ...]  # the highlight's line boxes, or the one box a square draws
    placement: Placement
    # What the box covers: the quoted words, the passage (or its field or annotation), or,
    # when not even the passage was found, the page's text.
    scope: Literal["words", "passage", "page"] = "words"


def locate(
    data: bytes, password: str | None, notes: Sequence[Note], ocr: OcrReader | None = None
) -> list[Mark | None]:
    """A mark per note (None: the note's place is not a page of this file)."""
    import pypdf
    import pypdfium2 as pdfium

    pages = [int(n.location["page"]) for n in notes if isinstance(n.location.get("page"), int)]
    pages += [
        int(n.location["continues"]) for n in notes if isinstance(n.location.get("continues"), int)
    ]
    pdf = pdfium.PdfDocument(data, password=password or None)
    try:
        texts = page_texts(pdf, pages)
    finally:
        pdf.close()
    reader = pypdf.PdfReader(io.BytesIO(data), password=password or None)
    ocr_cache: dict[int, PageText | None] = {}

    def ocr_text(page: int) -> PageText | None:
        if page not in ocr_cache:
            lines = ocr(page) if ocr is not None else None
            ocr_cache[page] = _ocr_page(page, lines) if lines else None
        return ocr_cache[page]

    miner_cache: dict[int, PageText | None] = {}

    def miner_text(page: int) -> PageText | None:
        """pdfminer's reading of an unturned page, when PDFium's order did not hold the words."""
        if page not in miner_cache:
            handle = reader.pages[page - 1]
            box = handle.mediabox
            turned = int(handle.get("/Rotate", 0) or 0) % 360
            origin = (float(box.left), float(box.bottom))
            miner_cache[page] = None if turned else pdfminer_text(data, page, origin)
        return miner_cache[page]

    return [_mark(note, texts, reader, ocr_text, miner_text) for note in notes]


def _mark(
    note: Note,
    texts: dict[int, PageText],
    reader: Any,
    ocr_text: Callable[[int], PageText | None],
    other: Callable[[int], PageText | None],
) -> Mark | None:
    page = note.location.get("page")
    if not isinstance(page, int) or page not in texts:
        return None
    if "field" in note.location or "annotation" in note.location:
        box = _annotation_box(reader, page, note)
        if box is not None:
            return Mark(note, page, "square", (box,), "passage", "passage")
    candidates = [page]
    following = note.location.get("continues")
    if isinstance(following, int) and following in texts:
        candidates.append(following)
    sources = [texts[p] for p in candidates]
    if note.location.get("ocr"):
        recognised = ocr_text(page)
        sources = [recognised] if recognised is not None else []
    if not note.location.get("ocr"):
        sources += [t for t in (other(p) for p in candidates) if t is not None]
    for source in sources:
        span = find_quote(source, note.quote, note.passage_text) if note.quote_verified else None
        boxes = span_boxes(source, *span) if span else []
        if boxes:
            return Mark(note, source.number, "highlight", tuple(boxes), "quote")
    for source in sources:
        around = find_quote(source, note.passage_text)
        boxes = span_boxes(source, *around) if around else []
        if boxes:
            return Mark(note, source.number, "square", (union(boxes),), "passage", "passage")
    return Mark(note, page, "square", (_page_area(texts[page]),), "passage", "page")


def _page_area(page: PageText) -> Box:
    """The page's text when nothing narrower is known, else the page inside a margin."""
    boxes = [b for b in page.boxes if b is not None]
    if boxes:
        return union(boxes)
    margin = min(36.0, page.width / 10, page.height / 10)
    return (margin, margin, page.width - margin, page.height - margin)


def _ocr_page(number: int, lines: list[OcrLine]) -> PageText:
    """OCR lines as a page text; each character gets its share of its line's box by its width
    in Helvetica (OCR gives a box per line, not per letter; proportional widths come closer
    than equal shares on the proportional type most documents use)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text: list[str] = []
    boxes: list[Box | None] = []
    for line, (left, bottom, right, top) in lines:
        if text:
            text.append("\n")
            boxes.append(None)
        widths = [stringWidth(char, "Helvetica", 10) or 5.0 for char in line]
        scale = (right - left) / (sum(widths) or 1.0)
        x = left
        for char, width in zip(line, widths, strict=True):
            text.append(char)
            boxes.append(None if char.isspace() else (x, bottom, x + width * scale, top))
            x += width * scale
    right_edge = max((b[2] for _, b in lines), default=0.0)
    top_edge = max((b[3] for _, b in lines), default=0.0)
    return PageText(number, "".join(text), tuple(boxes), right_edge, top_edge)


def _annotation_box(reader: Any, page: int, note: Note) -> Box | None:
    """The box of the form field or annotation a passage was read from."""
    field = note.location.get("field")
    for reference in reader.pages[page - 1].get("/Annots") or []:
        annotation = reference.get_object()
        subtype = annotation.get("/Subtype")
        if isinstance(field, str):
            if subtype != "/Widget" or _field_name(annotation) != field:
                continue
        elif subtype in ("/Link", "/Popup", "/Widget"):
            continue
        else:
            contents = str(annotation.get("/Contents") or "").strip()
            if not contents or " ".join(contents.split()) not in " ".join(
                note.passage_text.split()
            ):
                continue
        rect = [float(v) for v in annotation.get("/Rect", [])]
        if len(rect) == 4:
            return (
                min(rect[0], rect[2]),
                min(rect[1], rect[3]),
                max(rect[0], rect[2]),
                max(rect[1], rect[3]),
            )
    return None


def _field_name(widget: Any) -> str:
    """The field's fully qualified name: the /T of it and its parents, joined by dots."""
    parts: list[str] = []
    node, seen = widget, 0
    while node is not None and seen < 32:  # a loop of /Parent references ends here
        if "/T" in node:
            parts.append(str(node["/T"]))
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
        seen += 1
    return ".".join(reversed(parts))
