"""PDF: pypdf first, pdfminer.six where pypdf fails, returns noise or a page's layout calls for
it, OCR for pages without a text layer; every page accounted for in the Document's coverage
(read from text, read by OCR, or unread and why). Filled form fields, annotation texts and
hidden text become passages of their own."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from app.core.documents import (
    Document,
    Location,
    LocationValue,
    number_passages,
)
from app.core.errors import CorruptDocument, GarbledText, NoTextLayer, PasswordRequired, TooLarge
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest import ocr, pdf_forms, pdf_hidden, pdf_layout, pdf_parallel
from app.ingest._common import check_chars, reason
from app.ingest.pages import page_blocks
from app.ingest.pdf_coverage import Accounting, PageScan
from app.ingest.pdf_objects import (
    PARSE_ERRORS,
    content_bytes,
    image_pixels,
    is_xfa_only,
    open_pdf,
    page_width,
)
from app.ingest.quality import is_garbled

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
        self.accounting = Accounting(limits, self.warnings)

    def read(self, sha256: str, repairs: _RepairNotes) -> Document:
        scans = self._scan()
        count = len(scans)
        pages, text_pages, ocr_pages = self.accounting.pages(scans, self._ocr)
        blocks = page_blocks(pages)
        check_chars(blocks, self.limits, self.path)
        passages = number_passages(blocks)
        if not passages:
            raise self.accounting.nothing_read(scans, self.path)
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
        coverage = self.accounting.coverage(count, text_pages, ocr_pages)
        return Document(
            self.path, sha256, "application/pdf", count, passages, tuple(self.warnings), coverage
        )

    def _scan(self) -> list[PageScan]:
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
        scans: list[PageScan] = []
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

    def _scan_range(self, reader: PdfReader, first: int, last: int) -> list[PageScan]:
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

    def _scan_page(self, page: Any, number: int) -> PageScan:
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
            return PageScan(None, pixels)
        extras = pdf_forms.page_extras(page, number)
        if runs:
            text, runs = pdf_hidden.remove_runs(text, runs)
            hidden: list[tuple[str, Location]] = [
                (run, {"page": number, "hidden": why}) for run, why in runs
            ]
            extras = hidden + extras
        return PageScan(text, pixels, extras)

    def _layout_signal(self, page: Any, text: str | None) -> str:
        if not text:
            return ""
        if pdf_layout.glued_words(text):
            return "glued"
        if pdf_layout.interleaved_columns(content_bytes(page), page_width(page)):
            return "columns"
        return ""

    def _with_pdfminer(self, scans: list[PageScan]) -> list[PageScan]:
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
            return [PageScan(text) for text in mined]
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

    def _relayout(self, scans: list[PageScan], layout: dict[int, str]) -> None:
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

    def _ocr(self, numbers: list[int]) -> dict[int, ocr.PageOcr]:
        limit = self.limits.max_ocr_pages
        over = {n: ocr.PageOcr(why=f"over the OCR limit of {limit} pages") for n in numbers[limit:]}
        deadline = self.started + _OCR_SHARE_OF_TIMEOUT * self.limits.timeout_s
        progress = self.on_page.ocr if isinstance(self.on_page, ReadProgress) else None
        done = ocr.ocr_pages(
            self.data, self.password, numbers[:limit], deadline, progress or (lambda d, t, p: None)
        )
        return {**done, **over}


def _once_per_field(scans: list[PageScan]) -> list[PageScan]:
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
