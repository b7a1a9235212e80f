"""Opening a PDF with pypdf and looking at its objects without decoding images: the password
rules, XFA-only forms, what a page draws, and its raw content stream."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

from app.core.errors import CorruptDocument, PasswordRequired
from app.ingest._common import PARSER_ERRORS

log = logging.getLogger(__name__)
# pypdf raises these (and more) on damaged files; all mean "cannot be read as a PDF".
PARSE_ERRORS: tuple[type[Exception], ...] = (
    PyPdfError,
    DependencyError,  # a filter pypdf cannot decode here (JBIG2 needs a missing binary)
    *PARSER_ERRORS,
)


def open_pdf(path: Path, data: bytes, password: str | None) -> PdfReader:
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


def is_xfa_only(reader: PdfReader) -> bool:
    """A dynamic XFA form: the catalogue's AcroForm carries /XFA and has no ordinary fields.
    Its pages show a placeholder; judging that placeholder would be judging nothing."""
    try:
        root: Any = reader.trailer["/Root"].get_object()
        form: Any = root.get("/AcroForm")
        if form is None:
            return False
        form = form.get_object()
        return "/XFA" in form and not form.get("/Fields")
    except PARSE_ERRORS:  # PdfReadError is a PyPdfError
        return False


def image_pixels(page: Any) -> int:
    """The largest image the page draws, in pixels (0: none), from the image dictionaries
    alone: nothing is decoded, so a decompression bomb stays unopened. Inline images count
    as small ones."""
    largest = 0
    try:
        xobjects = page["/Resources"].get_object().get("/XObject")
        for ref in xobjects.get_object().values() if xobjects is not None else ():
            image = ref.get_object()
            if image.get("/Subtype") == "/Image":
                pixels = int(image.get("/Width", 1)) * int(image.get("/Height", 1))
                largest = max(largest, pixels, 1)
            elif image.get("/Subtype") == "/Form":  # a form XObject may wrap the scan
                largest = max(largest, image_pixels({"/Resources": image.get("/Resources")}))
    except PARSE_ERRORS:  # PdfReadError is a PyPdfError
        return largest
    return largest


def content_bytes(page: Any) -> bytes:
    """The page's decoded content stream (pypdf caches it after text extraction), or b''."""
    try:
        contents = page.get_contents()
        return bytes(contents.get_data()) if contents is not None else b""
    except PARSE_ERRORS:
        return b""


def page_width(page: Any) -> float:
    try:
        return float(page.mediabox.width) or 612.0
    except PARSE_ERRORS:
        return 612.0
