"""Which pages of a PDF were read how: the second pass of the PDF reader. Pages with text
go to the passages; pages without are OCR'd, or listed as unread with the reason (trust rule
2: no silent partial read)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.core.documents import Coverage, Location, Unread
from app.core.errors import NoTextLayer
from app.core.limits import ExtractionLimits
from app.ingest.ocr import MAX_IMAGE_PIXELS, PageOcr
from app.ingest.pages import Page
from app.ingest.quality import fix_visual_arabic, join_vertical_lines

RunOcr = Callable[[list[int]], dict[int, PageOcr]]


@dataclass
class PageScan:
    """What the first pass learnt about one page."""

    text: str | None  # None: the page could not be read
    pixels: int = 0  # its largest image, in pixels
    extras: list[tuple[str, Location]] = field(default_factory=list)
    layout: str = ""  # "glued" or "columns": a signal that pdfminer may read it better


@dataclass
class Accounting:
    """The unread pages with their reasons, and the warnings, as the pages are assigned."""

    limits: ExtractionLimits
    warnings: list[str]
    unread: dict[int, str] = field(default_factory=dict)

    def pages(
        self, scans: list[PageScan], run_ocr: RunOcr
    ) -> tuple[list[Page], list[int], list[int]]:
        """Second pass: each page's content for the passages, and which pages were read how.
        Pages without text are OCR'd (or listed as unread)."""
        text_pages: list[int] = []
        wanted: list[int] = []
        for number, scan in enumerate(scans, start=1):
            if scan.text is not None and scan.text.strip():
                text_pages.append(number)
            elif scan.text is not None and not self.limits.ocr and not scan.pixels:
                text_pages.append(number)  # nothing drawn but vectors: blank as far as we know
            elif scan.pixels > MAX_IMAGE_PIXELS:
                self.unread[number] = "no text layer, and its image is too large to OCR safely"
            elif not self.limits.ocr:
                self.unread[number] = _no_text(scan, "OCR is off")
            else:
                wanted.append(number)
        results = run_ocr(wanted)
        ocr_pages: list[int] = []
        pages: list[Page] = []
        for number, scan in enumerate(scans, start=1):
            page = Page(number, extras=scan.extras)
            if number in results:
                result = results[number]
                if result.why:
                    self.unread[number] = _no_text(scan, result.why)
                elif result.blank:
                    text_pages.append(number)
                else:
                    ocr_pages.append(number)
                    page.paras = result.paras
                    if not result.paras:
                        self.warnings.append(f"page {number}: OCR found no text on it")
            elif number in text_pages and scan.text:
                text = join_vertical_lines(scan.text)
                text, reordered = fix_visual_arabic(text)
                if reordered and "visual" not in " ".join(self.warnings):
                    self.warnings.append(
                        "Arabic text stored in visual order was reordered; check quotes"
                    )
                page.lines = text.replace("\r", "\n").split("\n")
            pages.append(page)
        return pages, sorted(text_pages), ocr_pages

    def coverage(self, count: int, text_pages: list[int], ocr_pages: list[int]) -> Coverage:
        """The coverage, and one warning per reason pages were not read."""
        unread = tuple(Unread({"page": n}, why) for n, why in sorted(self.unread.items()))
        self.warnings.extend(_unread_warnings(self.unread))
        return Coverage(count, tuple(text_pages), tuple(ocr_pages), unread)

    def nothing_read(self, scans: list[PageScan], path: Path) -> NoTextLayer:
        reasons = sorted(set(self.unread.values()))
        if self.unread and len(self.unread) == len(scans):
            return NoTextLayer(f"not read: {'; '.join(reasons)}", path=path)
        if any(scan.pixels for scan in scans) and not self.unread:
            return NoTextLayer("no text found, OCR included", path=path)
        return NoTextLayer("contains no text", path=path)


def _no_text(scan: PageScan, why: str) -> str:
    if scan.text is None:
        return f"the page could not be read (damaged), and {why}"
    return f"no text layer (scanned?) and {why}"


def _unread_warnings(unread: dict[int, str]) -> list[str]:
    """'pages 5-6 not read: no text layer (scanned?) and OCR is off', one line per reason."""
    by_why: dict[str, list[int]] = {}
    for number, why in sorted(unread.items()):
        by_why.setdefault(why, []).append(number)
    lines = []
    for why, numbers in by_why.items():
        ranges: list[list[int]] = []
        for n in numbers:
            if ranges and ranges[-1][-1] == n - 1:
                ranges[-1].append(n)
            else:
                ranges.append([n])
        spans = ", ".join(f"{r[0]}" if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in ranges)
        lines.append(f"page{'s' if len(numbers) > 1 else ''} {spans} not read: {why}")
    return lines
