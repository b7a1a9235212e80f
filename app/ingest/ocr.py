"""OCR of PDF pages that have no text layer (scans, signed pages), fully offline.

RapidOCR runs PP-OCR models with onnxruntime on the CPU; its wheel carries the models, so the
offline bundle carries them too and nothing is downloaded at run time. Pages are rendered with
PDFium (pypdfium2). This runs inside the reader child process (``app.ingest.isolated``), so
the memory limit and the kill on cancel or timeout cover it.

The recognised text regions are put back into reading order here: lines by their vertical
position, two columns read one after the other when a gutter splits the page, paragraphs at
wider vertical gaps. Each paragraph keeps the mean confidence of its regions.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.ingest.pages import Para

log = logging.getLogger(__name__)
DPI = 150  # enough for 8-point text; rendering larger costs time and gains no accuracy
MAX_SIDE_PX = 2000  # the detector scales larger images down to this anyway
MAX_IMAGE_PIXELS = 120_000_000  # an embedded image bigger than this is not rendered (a bomb)
_BLANK_INK = 0.00005  # share of dark pixels under which a rendered page counts as blank
_RETRY_BELOW = 0.8  # mean confidence (per letter) under which the page is tried upside down
_engine: Any = None
OcrDone = Callable[[int, int, int], None]  # (pages done, pages to do, page number)


@dataclass(frozen=True)
class PageOcr:
    """What OCR made of one page: its paragraphs, or that it is blank, or why it was not read."""

    paras: list[Para] = field(default_factory=list)
    blank: bool = False
    why: str = ""


@dataclass(frozen=True)
class Region:
    """One recognised text region (a line or part of one), in pixels of the rendered page."""

    text: str
    confidence: float
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def middle(self) -> float:
        return (self.y0 + self.y1) / 2


def unavailable() -> str:
    """Why OCR cannot run in this installation, or '' when it can."""
    try:
        import onnxruntime  # noqa: F401
        import pypdfium2  # noqa: F401
        import rapidocr  # noqa: F401
    except ImportError as error:  # a broken install: the pages are listed as unread
        return f"the OCR engine is not installed ({error.name})"
    return ""


def ocr_pages(
    data: bytes,
    password: str | None,
    numbers: list[int],
    deadline: float,
    on_page: OcrDone = lambda done, total, page: None,
) -> dict[int, PageOcr]:
    """OCR the pages ``numbers`` (from 1) of the PDF in ``data``. Pages left when the
    ``deadline`` (time.monotonic) passes are not started: they come back with a reason, so the
    pages read so far are kept instead of the whole read being killed at the time limit."""
    problem = unavailable()
    if problem:
        return {number: PageOcr(why=problem) for number in numbers}
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data, password=password or None)
    except pdfium.PdfiumError as error:
        return {n: PageOcr(why=f"could not be rendered for OCR ({error})") for n in numbers}
    done: dict[int, PageOcr] = {}
    try:
        for index, number in enumerate(numbers, start=1):
            if time.monotonic() > deadline:
                done[number] = PageOcr(why="OCR stopped: the time limit for reading was near")
                continue
            done[number] = _ocr_page(pdf, number)
            on_page(index, len(numbers), number)
    finally:
        pdf.close()
    return done


def _ocr_page(pdf: Any, number: int) -> PageOcr:
    import pypdfium2 as pdfium

    try:
        image = render(pdf, number - 1)
    except (pdfium.PdfiumError, ValueError, MemoryError) as error:
        log.info("could not render page %d for OCR", number, exc_info=True)
        return PageOcr(why=f"could not be rendered for OCR ({error})")
    if is_blank(image):
        return PageOcr(blank=True)
    try:
        return PageOcr(paras=paragraphs(recognise(image), float(image.shape[1])))
    except Exception as error:  # onnxruntime/OpenCV failures have no common base class
        log.warning("OCR failed on page %d", number, exc_info=True)
        return PageOcr(why=f"OCR failed ({type(error).__name__})")


def _get_engine() -> Any:
    global _engine
    if _engine is None:
        from rapidocr import RapidOCR  # loads onnxruntime and the models: about 2 s, once

        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        # The text detector sees the page at most 1280 px on its longer side (recognition
        # still reads the full-resolution crops): a third less time, the same words on 9 pt
        # text in the benchmark (benchmarks/ocr_accuracy.py).
        _engine = RapidOCR(
            params={
                "Global.log_level": "error",
                "Det.limit_type": "max",
                "Det.limit_side_len": 1280,
            }
        )
    return _engine


def render(pdf: Any, index: int) -> Any:
    """The page as an RGB array at ``DPI``, its longer side at most ``MAX_SIDE_PX``."""
    page = pdf[index]
    try:
        width, height = page.get_size()
        scale = min(DPI / 72, MAX_SIDE_PX / max(width, height, 1.0))
        bitmap = page.render(scale=scale, grayscale=False)
        try:
            return bitmap.to_numpy()[:, :, :3].copy()  # BGR(A) from PDFium, as OpenCV expects
        finally:
            bitmap.close()
    finally:
        page.close()


def is_blank(image: Any) -> bool:
    """Nothing drawn on the page (a blank or separator page): no OCR needed."""
    dark = (image.min(axis=2) < 235).mean()
    return bool(dark < _BLANK_INK)


def recognise(image: Any) -> list[Region]:
    """The text regions OCR finds on a rendered page. RapidOCR's per-line angle classifier is
    off: it turned long lines of monospaced type upside down (73% word accuracy on Courier,
    100% without it). A page scanned upside down reads badly, so a poor reading is tried
    again turned by 180 degrees and the better one kept."""
    regions = _regions(image)
    if _quality(regions) < _RETRY_BELOW:
        turned = _regions(image[::-1, ::-1].copy())
        if _quality(turned) > _quality(regions):
            return turned
    return regions


def _quality(regions: list[Region]) -> float:
    letters = sum(len(r.text) for r in regions)
    return sum(r.confidence * len(r.text) for r in regions) / letters if letters else 0.0


def _regions(image: Any) -> list[Region]:
    result = _get_engine()(image, use_cls=False)
    if result.boxes is None or result.txts is None:
        return []
    regions = []
    for box, text, score in zip(result.boxes, result.txts, result.scores, strict=False):
        xs = [float(point[0]) for point in box]
        ys = [float(point[1]) for point in box]
        if text.strip():
            regions.append(Region(text.strip(), float(score), min(xs), min(ys), max(xs), max(ys)))
    return regions


def paragraphs(regions: list[Region], width: float) -> list[Para]:
    """Regions in reading order as paragraphs of lines, located ``{"ocr": True,
    "confidence": mean}``. A page split by a gutter is read column by column; regions that
    span the gutter (titles, full-width text) end a band of columns."""
    if not regions:
        return []
    gutter = _gutter(regions, width)
    groups: list[list[Region]] = []
    left: list[Region] = []
    right: list[Region] = []
    spanning = False  # whether groups[-1] holds full-width regions
    for region in sorted(regions, key=lambda r: r.middle):
        if gutter is None or region.x0 < gutter < region.x1:
            if left or right:
                groups.extend(g for g in (left, right) if g)
                left, right, spanning = [], [], False
            if spanning:
                groups[-1].append(region)
            else:
                groups.append([region])
                spanning = True
        elif region.x1 <= gutter:
            left.append(region)
        else:
            right.append(region)
    groups.extend(g for g in (left, right) if g)
    return [para for group in groups for para in _group_paragraphs(group)]


def _gutter(regions: list[Region], width: float) -> float | None:
    """An x position in the middle half of the page that few regions cross and that has many
    regions on either side: the space between two columns."""
    best: tuple[int, float] | None = None
    count = len(regions)
    for step in range(25, 76):
        x = width * step / 100
        crossing = sum(1 for r in regions if r.x0 < x < r.x1)
        lefts = sum(1 for r in regions if r.x1 <= x)
        if lefts < 0.2 * count or count - lefts - crossing < 0.2 * count:
            continue
        if crossing <= 0.3 * count and (best is None or crossing < best[0]):
            best = (crossing, x)
    return best[1] if best is not None else None


def _group_paragraphs(regions: list[Region]) -> list[Para]:
    lines: list[list[Region]] = []
    typical = statistics.median(r.height for r in regions)
    for region in sorted(regions, key=lambda r: r.middle):
        if lines and abs(region.middle - statistics.fmean(r.middle for r in lines[-1])) < (
            0.5 * typical
        ):
            lines[-1].append(region)
        else:
            lines.append([region])
    paras: list[list[list[Region]]] = []
    for line in lines:
        if paras:
            previous = paras[-1][-1]
            gap = min(r.y0 for r in line) - max(r.y1 for r in previous)
            if gap <= 0.75 * typical:
                paras[-1].append(line)
                continue
        paras.append([line])
    out = []
    for para in paras:
        texts = [" ".join(r.text for r in sorted(line, key=lambda r: r.x0)) for line in para]
        scores = [r.confidence for line in para for r in line]
        out.append(Para(texts, {"ocr": True, "confidence": round(statistics.fmean(scores), 2)}))
    return out
