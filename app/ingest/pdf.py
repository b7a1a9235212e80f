"""PDF: pypdf first, pdfminer.six where pypdf fails, returns noise or a page's layout calls for
it, OCR for pages without a text layer; every page accounted for in the Document's coverage
(read from text, read by OCR, or unread and why). Filled form fields, annotation texts and
hidden text become passages of their own."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from app.core.documents import (
    Coverage,
    Document,
    Location,
    LocationValue,
    Unread,
    number_passages,
)
from app.core.errors import CorruptDocument, GarbledText, NoTextLayer, PasswordRequired, TooLarge
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest import ocr, pdf_forms, pdf_hidden, pdf_layout, pdf_parallel
from app.ingest._common import check_chars, reason
from app.ingest.pages import Page, page_blocks
from app.ingest.pdf_objects import (
    PARSE_ERRORS,
    content_bytes,
    image_pixels,
    is_xfa_only,
    open_pdf,
    page_width,
)
from app.ingest.quality import fix_visual_arabic, is_garbled, join_vertical_lines

log = logging.getLogger(__name__)
PageDone = Callable[[int, int], None]
_INLINE_IMAGE = re.compile(rb"\bBI\b")
_OCR_SHARE_OF_TIMEOUT = 0.8  # OCR starts no page after this share of the reading time limit


class ReadProgress:
    """An ``on_page`` that also hears about OCR: ``self(done, total)`` for pages read from their
    text layer, ``ocr(done, total, page)`` while pages are OCR'd (seconds each). ``parallel``:
    this is the reader child process, where a forked helper may read half the pages."""

    parallel = False

    def __call__(self, done: int, total: int) -> None:
        """A text page was read."""

    def ocr(self, done: int, total: int, page: int) -> None:
        """A page was OCR'd."""


@dataclass
class _Scan:
    """What the first pass learnt about one page."""

    text: str | None  # None: the page could not be read
    pixels: int = 0  # its largest image, in pixels
    extras: list[tuple[str, Location]] = field(default_factory=list)
    layout: str = ""  # "glued" or "columns": a signal that pdfminer may read it better


def read_pdf(
    path: Path,
    data: bytes,
    sha256: str,
    password: str | None,
    limits: ExtractionLimits = DEFAULT_LIMITS,
    on_page: PageDone = lambda done, total: None,
) -> Document:
    repairs = _RepairNotes()
    logging.getLogger("pypdf").addHandler(repairs)
    try:
        return _Reader(path, data, password, limits, on_page).read(sha256, repairs)
    finally:
        logging.getLogger("pypdf").removeHandler(repairs)
        if repairs.seen:
            log.info("pypdf repaired %s: %s", path, "; ".join(repairs.seen[:5]))


class _RepairNotes(logging.Handler):
    """pypdf only logs when it rebuilds a broken cross-reference table; keep those lines so
    the document can carry a warning that it was damaged."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())


class _Reader:
    def __init__(
        self,
        path: Path,
        data: bytes,
        password: str | None,
        limits: ExtractionLimits,
        on_page: PageDone,
    ) -> None:
        self.path, self.data, self.password, self.limits = path, data, password, limits
        self.on_page = on_page
        self.started = time.monotonic()
        self.warnings: list[str] = []
        self.unread: dict[int, str] = {}

    def read(self, sha256: str, repairs: _RepairNotes) -> Document:
        scans = self._scan()
        count = len(scans)
        pages, text_pages, ocr_pages = self._pages(scans)
        blocks = page_blocks(pages)
        check_chars(blocks, self.limits, self.path)
        passages = number_passages(blocks)
        if not passages:
            raise self._nothing_read(scans)
        if is_garbled(" ".join(p.text for p in passages)):
            raise GarbledText(
                "the text layer is garbled (fonts without a Unicode map), so it cannot be "
                "judged; export the PDF again from its source, or print it to a new PDF",
                path=self.path,
            )
        if any("xref" in line.lower() for line in repairs.seen) and not self.warnings:
            self.warnings.append(
                "damaged PDF: its cross-reference table was rebuilt; check the text"
            )
        unread = tuple(Unread({"page": n}, why) for n, why in sorted(self.unread.items()))
        self.warnings.extend(_unread_warnings(self.unread))
        coverage = Coverage(count, tuple(text_pages), tuple(ocr_pages), unread)
        return Document(
            self.path, sha256, "application/pdf", count, passages, tuple(self.warnings), coverage
        )

    def _scan(self) -> list[_Scan]:
        """First pass: each page's text layer (pypdf, pdfminer where needed), images, form
        values, annotations and hidden text."""
        open_error = ""
        try:
            reader: PdfReader | None = open_pdf(self.path, self.data, self.password)
            count = len(reader.pages) if reader is not None else 0
        except (PasswordRequired, CorruptDocument):
            raise
        except PARSE_ERRORS as error:
            log.info("pypdf could not open %s; trying pdfminer", self.path, exc_info=True)
            reader, count, open_error = None, 0, reason(error)
        if reader is not None and count == 0:
            raise CorruptDocument("PDF has no pages", path=self.path)
        if count > self.limits.max_pages:
            raise TooLarge(
                f"{count} pages, more than the limit of {self.limits.max_pages}; "
                "raise it in Settings (or --max-pages) if this is expected",
                path=self.path,
            )
        scans: list[_Scan] = []
        if reader is not None:
            if is_xfa_only(reader):
                raise NoTextLayer(
                    "an XFA form: its content is in form data this tool cannot read, and the "
                    "pages only hold a 'please use Adobe Reader' placeholder; print it to PDF "
                    "and try again",
                    path=self.path,
                )
            parallel = isinstance(self.on_page, ReadProgress) and self.on_page.parallel
            scans = _once_per_field(
                pdf_parallel.scan_pages(
                    count, lambda a, b: self._scan_range(reader, a, b), parallel
                )
            )
        layout = {n: scan.layout for n, scan in enumerate(scans, start=1) if scan.layout}
        texts = [scan.text for scan in scans]
        if reader is None or None in texts or is_garbled("\n".join(filter(None, texts))):
            scans = self._with_pdfminer(scans)
            if reader is None and not any(scan.text for scan in scans):
                raise CorruptDocument(f"damaged or invalid PDF ({open_error})", path=self.path)
        elif layout:
            self._relayout(scans, layout)
        return scans

    def _scan_range(self, reader: PdfReader, first: int, last: int) -> list[_Scan]:
        """Pages ``first``..``last``. Only the range that starts at page 1 reports progress: a
        forked helper writing to the same pipe would garble it."""
        scans = []
        for number in range(first, last + 1):
            page = reader.pages[number - 1]
            scan = self._scan_page(page, number)
            scan.layout = self._layout_signal(page, scan.text)
            scans.append(scan)
            if first == 1:
                self.on_page(number, len(reader.pages))
        return scans

    def _scan_page(self, page: Any, number: int) -> _Scan:
        content = content_bytes(page)  # decoded once: pypdf keeps it for the extraction
        pixels = image_pixels(page) or (1 if _INLINE_IMAGE.search(content) else 0)
        runs: list[tuple[str, str]] = []
        try:
            if pdf_hidden.may_hide_text(content, pixels > 0):
                text, runs = pdf_hidden.extract_with_hidden(page, pixels > 0)
            else:
                text = page.extract_text() or ""
        except PARSE_ERRORS:
            log.info("pypdf could not read page %d of %s", number, self.path, exc_info=True)
            return _Scan(None, pixels)
        extras = pdf_forms.page_extras(page, number)
        if runs:
            text, runs = pdf_hidden.remove_runs(text, runs)
            hidden: list[tuple[str, Location]] = [
                (run, {"page": number, "hidden": why}) for run, why in runs
            ]
            extras = hidden + extras
        return _Scan(text, pixels, extras)

    def _layout_signal(self, page: Any, text: str | None) -> str:
        if not text:
            return ""
        if pdf_layout.glued_words(text):
            return "glued"
        if pdf_layout.interleaved_columns(content_bytes(page), page_width(page)):
            return "columns"
        return ""

    def _with_pdfminer(self, scans: list[_Scan]) -> list[_Scan]:
        """Fill pages pypdf could not read (or the whole file) from pdfminer. Garbled pypdf
        text is replaced only where pdfminer's is readable."""
        from app.ingest import pdf_fallback  # pdfminer loads only for the files that need it

        try:
            mined = pdf_fallback.page_texts(
                self.data,
                self.password or "",
                self.limits.max_pages,
                lambda n: self.on_page(n, len(scans) or n),
            )
        except pdf_fallback.ERRORS:
            log.info("pdfminer could not read %s either", self.path, exc_info=True)
            return scans
        if not scans:
            self.warnings.append("damaged PDF: recovered with the fallback reader")
            return [_Scan(text) for text in mined]
        replaced = False
        for number, scan in enumerate(scans, start=1):
            other = mined[number - 1] if number <= len(mined) else None
            if other is not None and (
                scan.text is None or (is_garbled(scan.text) and not is_garbled(other))
            ):
                scan.text, replaced = other, True
        if replaced:
            self.warnings.append("some pages were read with the fallback reader (pdfminer)")
        return scans

    def _relayout(self, scans: list[_Scan], layout: dict[int, str]) -> None:
        """Read the pages a layout signal picked with pdfminer's layout analysis, and keep its
        text where it is the better reading."""
        from app.ingest import pdf_fallback

        numbers = sorted(layout)
        try:
            mined = pdf_fallback.page_texts(self.data, self.password or "", 0, pages=numbers)
        except pdf_fallback.ERRORS:
            log.info("pdfminer could not lay out %s", self.path, exc_info=True)
            mined = []
        for number, other in zip(numbers, mined, strict=False):
            scan = scans[number - 1]
            if layout[number] == "glued" and other.strip() and not pdf_layout.glued_words(other):
                scan.text = other
                self.warnings.append(
                    f"page {number}: words ran together; read with layout analysis"
                )
            elif layout[number] == "columns":
                if pdf_layout.has_prose_columns(other):
                    scan.text = other
                self.warnings.append(
                    f"page {number}: text in columns drawn row by row; the reading order may "
                    "interleave them, check quotes there"
                )

    def _pages(self, scans: list[_Scan]) -> tuple[list[Page], list[int], list[int]]:
        """Second pass: each page's content for the passages, and which pages were read how.
        Pages without text are OCR'd (or listed as unread)."""
        text_pages: list[int] = []
        wanted: list[int] = []
        for number, scan in enumerate(scans, start=1):
            if scan.text is not None and scan.text.strip():
                text_pages.append(number)
            elif scan.text is not None and not self.limits.ocr and not scan.pixels:
                text_pages.append(number)  # nothing drawn but vectors: blank as far as we know
            elif scan.pixels > ocr.MAX_IMAGE_PIXELS:
                self.unread[number] = "no text layer, and its image is too large to OCR safely"
            elif not self.limits.ocr:
                self.unread[number] = _no_text(scan, "OCR is off")
            else:
                wanted.append(number)
        results = self._ocr(wanted, scans)
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

    def _ocr(self, numbers: list[int], scans: list[_Scan]) -> dict[int, ocr.PageOcr]:
        limit = self.limits.max_ocr_pages
        over = {n: ocr.PageOcr(why=f"over the OCR limit of {limit} pages") for n in numbers[limit:]}
        deadline = self.started + _OCR_SHARE_OF_TIMEOUT * self.limits.timeout_s
        progress = self.on_page.ocr if isinstance(self.on_page, ReadProgress) else None
        done = ocr.ocr_pages(
            self.data, self.password, numbers[:limit], deadline, progress or (lambda d, t, p: None)
        )
        return {**done, **over}

    def _nothing_read(self, scans: list[_Scan]) -> NoTextLayer:
        reasons = sorted(set(self.unread.values()))
        if self.unread and len(self.unread) == len(scans):
            return NoTextLayer(f"not read: {'; '.join(reasons)}", path=self.path)
        if any(scan.pixels for scan in scans) and not self.unread:
            return NoTextLayer("no text found, OCR included", path=self.path)
        return NoTextLayer("contains no text", path=self.path)


def _once_per_field(scans: list[_Scan]) -> list[_Scan]:
    """A field's value once, where it first appears (a radio group has a widget per button,
    a field may have widgets on several pages)."""
    seen: set[LocationValue] = set()
    for scan in scans:
        kept = []
        for text, location in scan.extras:
            name = location.get("field")
            if name is not None and name in seen:
                continue
            if name is not None:
                seen.add(name)
            kept.append((text, location))
        scan.extras = kept
    return scans


def _no_text(scan: _Scan, why: str) -> str:
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
