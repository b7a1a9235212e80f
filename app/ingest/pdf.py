"""PDF: pypdf first, pdfminer.six where pypdf fails or returns noise; each page's text split
into paragraph passages located by page."""

from __future__ import annotations

import io
import logging
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

from app.core.documents import Document, Location, number_passages
from app.core.errors import CorruptDocument, GarbledText, NoTextLayer, PasswordRequired, TooLarge
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest import pdf_fallback
from app.ingest._common import PARSER_ERRORS, check_chars, reason
from app.ingest.quality import fix_visual_arabic, is_garbled, join_vertical_lines

log = logging.getLogger(__name__)
MAX_PASSAGE_CHARS = 1500
_SENTENCE_END = (".", "!", "?", ":", ";", "。", "！", "？")
# pypdf raises these (and more) on damaged files; all mean "cannot be read as a PDF".
_PARSE_ERRORS: tuple[type[Exception], ...] = (
    PyPdfError,
    DependencyError,  # a filter pypdf cannot decode here (JBIG2 needs a missing binary)
    *PARSER_ERRORS,
)
PageDone = Callable[[int, int], None]


def read_pdf(
    path: Path,
    data: bytes,
    sha256: str,
    password: str | None,
    limits: ExtractionLimits = DEFAULT_LIMITS,
    on_page: PageDone = lambda done, total: None,
) -> Document:
    warnings: list[str] = []
    repairs = _RepairNotes()
    logging.getLogger("pypdf").addHandler(repairs)
    try:
        return _read(path, data, sha256, password, limits, on_page, warnings, repairs)
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


def _read(
    path: Path,
    data: bytes,
    sha256: str,
    password: str | None,
    limits: ExtractionLimits,
    on_page: PageDone,
    warnings: list[str],
    repairs: _RepairNotes,
) -> Document:
    try:
        reader: PdfReader | None = _open(path, data, password)
        page_count = len(reader.pages) if reader else 0
    except (PasswordRequired, CorruptDocument):
        raise
    except _PARSE_ERRORS as error:
        log.info("pypdf could not open %s; trying pdfminer", path, exc_info=True)
        reader, page_count, open_error = None, 0, reason(error)
    if reader is not None and page_count == 0:
        raise CorruptDocument("PDF has no pages", path=path)
    if page_count > limits.max_pages:
        raise TooLarge(
            f"{page_count} pages, more than the limit of {limits.max_pages}; "
            "raise it in Settings (or --max-pages) if this is expected",
            path=path,
        )
    texts: list[str | None] = []
    any_images = False
    if reader is not None:
        if _is_xfa_only(reader):
            raise NoTextLayer(
                "an XFA form: its content is in form data this tool cannot read, and the pages "
                "only hold a 'please use Adobe Reader' placeholder; print it to PDF and try again",
                path=path,
            )
        for number in range(1, page_count + 1):
            texts.append(_pypdf_page(reader, number, path))
            any_images = any_images or _has_images(reader.pages[number - 1])
            on_page(number, page_count)
    needs_fallback = reader is None or None in texts or is_garbled("\n".join(filter(None, texts)))
    if needs_fallback:
        texts = _with_pdfminer(path, data, password, limits, texts, warnings, on_page)
        if reader is None and not any(texts):
            raise CorruptDocument(f"damaged or invalid PDF ({open_error})", path=path)
        page_count = len(texts)
    blocks: list[tuple[str, Location]] = []
    for number, text in enumerate(texts, start=1):
        if text is None:
            warnings.append(f"page {number} could not be read")
            continue
        text = join_vertical_lines(text)
        text, reordered = fix_visual_arabic(text)
        if reordered and "visual" not in " ".join(warnings):
            warnings.append("Arabic text stored in visual order was reordered; check quotes")
        blocks.extend((block, {"page": number}) for block in page_paragraphs(text))
    check_chars(blocks, limits, path)
    passages = number_passages(blocks)
    if not passages:
        if any_images:
            raise NoTextLayer(
                "no text layer (scanned?) — OCR is not part of this offline tool", path=path
            )
        raise NoTextLayer("contains no text", path=path)
    if is_garbled(" ".join(p.text for p in passages)):
        raise GarbledText(
            "the text layer is garbled (fonts without a Unicode map), so it cannot be judged; "
            "export the PDF again from its source, or print it to a new PDF",
            path=path,
        )
    if any("xref" in line.lower() for line in repairs.seen) and not warnings:
        warnings.append("damaged PDF: its cross-reference table was rebuilt; check the text")
    return Document(path, sha256, "application/pdf", page_count, passages, tuple(warnings))


def _pypdf_page(reader: PdfReader, number: int, path: Path) -> str | None:
    try:
        return reader.pages[number - 1].extract_text() or ""
    except _PARSE_ERRORS:
        log.info("pypdf could not read page %d of %s", number, path, exc_info=True)
        return None


def _with_pdfminer(
    path: Path,
    data: bytes,
    password: str | None,
    limits: ExtractionLimits,
    texts: list[str | None],
    warnings: list[str],
    on_page: PageDone,
) -> list[str | None]:
    """Fill pages pypdf could not read (or the whole file) from pdfminer. Garbled pypdf text
    is replaced only where pdfminer's is readable."""
    try:
        mined = pdf_fallback.page_texts(
            data, password or "", limits.max_pages, lambda n: on_page(n, len(texts) or n)
        )
    except pdf_fallback.ERRORS:
        log.info("pdfminer could not read %s either", path, exc_info=True)
        return texts
    if not texts:
        warnings.append("damaged PDF: recovered with the fallback reader")
        return list(mined)
    merged: list[str | None] = []
    for number, text in enumerate(texts, start=1):
        other = mined[number - 1] if number <= len(mined) else None
        if other is not None and (text is None or (is_garbled(text) and not is_garbled(other))):
            merged.append(other)
        else:
            merged.append(text)
    if merged != texts:
        warnings.append("some pages were read with the fallback reader (pdfminer)")
    return merged


def _open(path: Path, data: bytes, password: str | None) -> PdfReader:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if not reader.is_encrypted:
        return reader
    try:
        # Many PDFs are encrypted only to restrict printing or copying: their user password is
        # empty and they open without asking, as in any viewer. An empty *owner* password does
        # not count: viewers still ask for the user password.
        if reader.decrypt("") == PasswordType.USER_PASSWORD:
            return reader
        if password is None:
            raise PasswordRequired("password required (encrypted PDF); use --password", path=path)
        reader = PdfReader(io.BytesIO(data), strict=False)
        if not reader.decrypt(password):
            raise PasswordRequired("wrong password for this encrypted PDF", path=path)
        return reader
    except NotImplementedError as error:
        raise CorruptDocument(f"unsupported PDF encryption ({error})", path=path) from None
    except FileNotDecryptedError:
        raise PasswordRequired(
            "password required (encrypted PDF); use --password", path=path
        ) from None


def _is_xfa_only(reader: PdfReader) -> bool:
    """A dynamic XFA form: the catalogue's AcroForm carries /XFA and has no ordinary fields.
    Its pages show a placeholder; judging that placeholder would be judging nothing."""
    try:
        root: Any = reader.trailer["/Root"].get_object()
        form: Any = root.get("/AcroForm")
        if form is None:
            return False
        form = form.get_object()
        return "/XFA" in form and not form.get("/Fields")
    except _PARSE_ERRORS:  # PdfReadError is a PyPdfError
        return False


def _has_images(page: Any) -> bool:
    """Whether the page draws images, looked up without decoding any (bombs stay unopened)."""
    try:
        xobjects = page["/Resources"].get_object().get("/XObject")
        if xobjects is None:
            return False
        for ref in xobjects.get_object().values():
            if ref.get_object().get("/Subtype") == "/Image":
                return True
    except _PARSE_ERRORS:  # PdfReadError is a PyPdfError
        return False
    return False


def page_paragraphs(text: str) -> list[str]:
    """Split a page's text into paragraphs: at blank lines, and after a short line that ends a
    sentence (the last line of a paragraph in justified text). Long ones are cut at lines."""
    lines = [line.rstrip() for line in text.replace("\r", "\n").split("\n")]
    long_lines = [len(line) for line in lines if len(line) > 20]
    typical = statistics.median(long_lines) if long_lines else 0
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        current = paragraphs[-1]
        if not line.strip():
            if current:
                paragraphs.append([])
            continue
        if sum(len(x) + 1 for x in current) + len(line) > MAX_PASSAGE_CHARS:
            current = []
            paragraphs.append(current)
        current.append(line)
        if line.endswith(_SENTENCE_END) and len(line) < 0.8 * typical:
            paragraphs.append([])
    return ["\n".join(p) for p in paragraphs if p]
