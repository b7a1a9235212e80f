"""pdfminer.six as the second PDF reader. pypdf is fast and handles forms well; pdfminer
recovers files whose page tree pypdf cannot follow, reads CJK fonts pypdf garbles, and skips
images instead of decoding them (a JBIG2 bomb page still yields its text)."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTTextContainer
from pdfminer.pdfexceptions import PDFException
from pdfminer.psexceptions import PSException

from app.ingest._common import PARSER_ERRORS
from app.ingest.pdf_layout import glued_words

log = logging.getLogger(__name__)
_TIGHT_WORD_MARGIN = 0.03  # share of a character's size; pdfminer's default is 0.1
# Anything pdfminer raises on a damaged file. It is not careful about its own exception types.
ERRORS: tuple[type[Exception], ...] = (
    PDFException,
    PSException,
    NotImplementedError,
    *PARSER_ERRORS,
)


def page_texts(
    data: bytes,
    password: str,
    max_pages: int,
    on_page: Callable[[int], None] = lambda n: None,
    pages: list[int] | None = None,
) -> list[str]:
    """Text of each page (at most ``max_pages``), or of the ``pages`` given (numbers from 1,
    in page order). Text boxes are separated by a blank line: they are pdfminer's paragraphs,
    and a box's last word must not run into the next box's first. A page whose words ran
    together ("agreementthis": words placed closer than pdfminer's word margin) is laid out
    again with a tighter margin. Raises one of ERRORS if the file is unreadable; pages pdfminer
    cannot lay out come back empty."""
    texts = _texts(data, password, max_pages, on_page, pages, LAParams())
    numbers = pages or list(range(1, len(texts) + 1))
    glued = [n for n, text in zip(numbers, texts, strict=False) if glued_words(text)]
    if glued:
        tight = LAParams(word_margin=_TIGHT_WORD_MARGIN)
        again = dict(
            zip(glued, _texts(data, password, 0, lambda n: None, glued, tight), strict=False)
        )
        texts = [
            again[n] if n in again and not glued_words(again[n]) else text
            for n, text in zip(numbers, texts, strict=False)
        ]
    return texts


def _texts(
    data: bytes,
    password: str,
    max_pages: int,
    on_page: Callable[[int], None],
    pages: list[int] | None,
    laparams: LAParams,
) -> list[str]:
    texts: list[str] = []
    numbers = None if pages is None else {n - 1 for n in pages}
    for layout in extract_pages(
        io.BytesIO(data),
        password=password,
        maxpages=0 if numbers is not None else max_pages,
        page_numbers=numbers,
        laparams=laparams,
    ):
        parts = [element.get_text() for element in layout if isinstance(element, LTTextContainer)]
        texts.append("\n\n".join(part.strip("\n") for part in parts))
        on_page(len(texts))
    return texts
