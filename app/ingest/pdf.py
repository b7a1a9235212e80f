"""PDF via pypdf: each page's text split into paragraph passages located by page."""

from __future__ import annotations

import io
import logging
import statistics
from pathlib import Path
from typing import Any

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, PyPdfError

from app.core.documents import Document, Location, number_passages
from app.core.errors import CorruptDocument, NoTextLayer, PasswordRequired
from app.ingest._common import reason

log = logging.getLogger(__name__)
MAX_PASSAGE_CHARS = 1500
_SENTENCE_END = (".", "!", "?", ":", ";", "。", "！", "？")
# pypdf raises these (and more) on damaged files; all mean "cannot be read as a PDF".
_PARSE_ERRORS = (
    PyPdfError,
    DependencyError,  # a filter pypdf cannot decode here (JBIG2 needs a missing binary)
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    AssertionError,
    RecursionError,
    OSError,
    EOFError,
)


def read_pdf(path: Path, data: bytes, sha256: str, password: str | None) -> Document:
    try:
        reader = _open(path, data, password)
        page_count = len(reader.pages)
    except (PasswordRequired, CorruptDocument):
        raise
    except _PARSE_ERRORS as error:
        log.info("pypdf could not open %s", path, exc_info=True)
        raise CorruptDocument(f"damaged or invalid PDF ({reason(error)})", path=path) from None
    if page_count == 0:
        raise CorruptDocument("PDF has no pages", path=path)
    blocks: list[tuple[str, Location]] = []
    warnings: list[str] = []
    any_images = False
    for number in range(1, page_count + 1):
        try:
            page = reader.pages[number - 1]
            text = page.extract_text() or ""
            any_images = any_images or _has_images(page)
        except _PARSE_ERRORS as error:
            log.info("page %d of %s unreadable", number, path, exc_info=True)
            warnings.append(f"page {number} could not be read ({reason(error)})")
            continue
        blocks.extend((block, {"page": number}) for block in page_paragraphs(text))
    passages = number_passages(blocks)
    if not passages:
        if any_images:
            raise NoTextLayer(
                "no text layer (scanned?) — OCR is not part of this offline tool", path=path
            )
        if warnings:
            raise NoTextLayer(f"no readable text: {'; '.join(warnings)}", path=path)
        raise NoTextLayer("contains no text", path=path)
    return Document(path, sha256, "application/pdf", page_count, passages, tuple(warnings))


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


def _has_images(page: Any) -> bool:
    """Whether the page draws images, looked up without decoding any (bombs stay unopened)."""
    try:
        xobjects = page["/Resources"].get_object().get("/XObject")
        if xobjects is None:
            return False
        for ref in xobjects.get_object().values():
            if ref.get_object().get("/Subtype") == "/Image":
                return True
    except (*_PARSE_ERRORS, PdfReadError):
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
