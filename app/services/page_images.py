"""A PDF page as an image with a finding's quote marked, for the app's page view, and the OCR
reader's lines of a scanned page in page coordinates, for the PDF annotator. Both map between
PDF points and pixels through PDFium (``FPDF_PageToDevice``/``FPDF_DeviceToPage``), so crop
boxes and rotated pages come out where the viewer draws them."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from app.core.errors import InputError, PasswordRequired
from app.report.pdf_text import Box

PixelRect = tuple[int, int, int, int]  # left, top, right, bottom in pixels of the image
MAX_FILE_BYTES = 1024 * 1024 * 1024  # a bound on what the view reads; checks refuse far less
MAX_RENDER_SIDE = 4000  # pixels: a huge page is drawn smaller rather than filling memory


@dataclass(frozen=True)
class PagePicture:
    """What the page view shows: the page's pixels (RGB, ``stride`` bytes a row) and where the
    quote is on them."""

    rgb: bytes
    width: int
    height: int
    stride: int
    page: int
    pages: int
    highlights: tuple[PixelRect, ...] = ()
    # quote: the quoted words are marked; passage: the quote was not found (or is unverified)
    # and the passage is boxed; none: neither was found on the page's text layer.
    placement: Literal["quote", "passage", "none"] = "none"
    notes: tuple[str, ...] = field(default=())


def page_picture(
    path: Path,
    page: int,
    quote: str,
    verified: bool = True,
    passage_text: str = "",
    scale: float = 1.5,
    password: str | None = None,
) -> PagePicture:
    """Page ``page`` (from 1) of the PDF at ``path`` rendered at ``scale`` (1 = 72 dpi) with the
    line boxes of ``quote`` (found as citations are checked) to draw over it."""
    import pypdfium2 as pdfium
    from pypdf.errors import PdfReadError

    from app.core.bounded import read_regular_file
    from app.report.annotation import Note
    from app.report.pdf_marks import locate

    data = read_regular_file(path, MAX_FILE_BYTES, "the document", InputError)
    pdf = _open(data, password, path)
    try:
        if not 0 < page <= len(pdf):
            raise InputError(f"has no page {page} (it has {len(pdf)})", path=path)
        # The annotator's own search (PDFium's characters, then pdfminer's reading): the view
        # marks what the annotated copy marks. Scanned pages are not OCR'd here (seconds on
        # the GUI thread); their caption says the words are not in the text layer.
        (mark,) = locate(
            data, password, [Note.lookup({"page": page}, quote, verified, passage_text)]
        )
        boxes: tuple[Box, ...] = ()
        placement: Literal["quote", "passage", "none"] = "none"
        if mark is not None and mark.scope != "page":
            boxes = mark.boxes
            placement = "quote" if mark.placement == "quote" else "passage"
        handle = pdf[page - 1]
        try:
            width, height = handle.get_size()
            scale = min(scale, MAX_RENDER_SIDE / max(width, height, 1.0))
            bitmap = handle.render(scale=scale)
            try:
                image = bitmap.to_pil().convert("RGB")
            finally:
                bitmap.close()
            rects = tuple(_to_pixels(handle, box, image.width, image.height) for box in boxes)
        finally:
            handle.close()
        return PagePicture(
            image.tobytes(), image.width, image.height, image.width * 3, page, len(pdf),
            rects, placement,
        )  # fmt: skip
    except (pdfium.PdfiumError, PdfReadError) as error:
        raise InputError(f"cannot show page {page} ({error})", path=path) from None
    finally:
        pdf.close()


def _open(source: bytes, password: str | None, where: Path | None = None) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(source, password=password or None)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise PasswordRequired("encrypted: a password is needed", path=where) from None
        raise InputError(f"not a readable PDF ({error})", path=where) from None


def _to_pixels(page: Any, box: Box, width: int, height: int) -> PixelRect:
    import pypdfium2.raw as raw

    corners = []
    for x, y in ((box[0], box[1]), (box[2], box[3])):
        dx, dy = ctypes.c_int(), ctypes.c_int()
        raw.FPDF_PageToDevice(
            page, 0, 0, width, height, 0, x, y, ctypes.byref(dx), ctypes.byref(dy)
        )
        corners.append((dx.value, dy.value))
    (x0, y0), (x1, y1) = corners
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _to_points(page: Any, x: float, y: float, width: int, height: int) -> tuple[float, float]:
    import pypdfium2.raw as raw

    px, py = ctypes.c_double(), ctypes.c_double()
    raw.FPDF_DeviceToPage(
        page, 0, 0, width, height, 0, int(x), int(y), ctypes.byref(px), ctypes.byref(py)
    )
    return px.value, py.value


def ocr_lines(data: bytes, password: str | None, page: int) -> list[tuple[str, Box]] | None:
    """The OCR reader's text regions of one page, in reading order, with their boxes in PDF
    points; None when OCR cannot run here or finds nothing. The same engine and resolution as
    at reading time, so the words match what the model saw."""
    from app.ingest import ocr

    if ocr.unavailable():
        return None
    pdf = _open(data, password)
    try:
        if not 0 < page <= len(pdf):
            return None
        image = ocr.render(pdf, page - 1)
        regions = ocr.recognise(image)
        if not regions:
            return None
        height, width = image.shape[0], image.shape[1]
        handle = pdf[page - 1]
        try:
            lines = []
            for region in _reading_order(regions):
                left, top = _to_points(handle, region.x0, region.y0, width, height)
                right, bottom = _to_points(handle, region.x1, region.y1, width, height)
                box = (min(left, right), min(top, bottom), max(left, right), max(top, bottom))
                lines.append((region.text, box))
            return lines
        finally:
            handle.close()
    finally:
        pdf.close()


def _reading_order(regions: list[Any]) -> list[Any]:
    """Top to bottom, and left to right within a line (regions whose middles are within half a
    line height of each other)."""
    ordered = sorted(regions, key=lambda r: (r.middle, r.x0))
    lines: list[list[Any]] = []
    for region in ordered:
        if lines and abs(region.middle - lines[-1][0].middle) < lines[-1][0].height / 2:
            lines[-1].append(region)
        else:
            lines.append([region])
    return [region for line in lines for region in sorted(line, key=lambda r: r.x0)]
