"""Excel (.xlsx) via openpyxl in read-only mode: one passage per non-empty row,
``{"sheet": name, "row": r}``, its cells joined by " | " as Excel shows their values (the values
Excel last computed for formulas; percentages as percentages, dates as dates). A hidden sheet is
read and flagged ``"hidden": "hidden sheet"``. Charts, images, drawings, embedded objects and
cell comments are listed as unread parts."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path
from typing import Any

from app.core.documents import Coverage, Document, Location, Unread, number_passages
from app.core.errors import CorruptDocument, NoTextLayer, TooLarge
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest._common import PARSER_ERRORS, reason
from app.ingest._parts import CHART, IMAGE, OBJECT, ZIP_ERRORS, Block, blocks_of, zip_names

_ERRORS: tuple[type[BaseException], ...] = (*PARSER_ERRORS, *ZIP_ERRORS, SyntaxError)
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_UNREAD_PARTS = (
    (re.compile(r"xl/media/"), "image", IMAGE),
    (re.compile(r"xl/charts/chart\d*\.xml$"), "chart", CHART),
    (re.compile(r"xl/embeddings/"), "embedded object", OBJECT),
    (re.compile(r"xl/drawings/drawing\d*\.xml$"), "drawing", "shapes and text boxes: not read"),
    (re.compile(r"xl/comments\d*\.xml$"), "cell comments", "cell comments: not read"),
    (re.compile(r"xl/threadedComments/"), "threaded comments", "threaded comments: not read"),
)


def read_xlsx(
    path: Path, data: bytes, sha256: str, limits: ExtractionLimits = DEFAULT_LIMITS
) -> Document:
    names = zip_names(path, data, "XLSX")
    if "xl/workbook.xml" not in names:
        raise CorruptDocument(
            "not an Excel workbook: the package has no xl/workbook.xml", path=path
        )
    import openpyxl

    blocks: list[Block] = []
    chars = 0
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                sheet.reset_dimensions()  # a declared A1:XFD1048576 must not pad every row
                for text, location in _rows(sheet):
                    chars += len(text)
                    if chars > limits.max_chars:
                        raise TooLarge(
                            f"more than the limit of {limits.max_chars:,} characters of text",
                            path=path,
                        )
                    blocks.extend(blocks_of(text, location))
        finally:
            book.close()
    except _ERRORS as error:
        raise CorruptDocument(f"not a readable XLSX file ({reason(error)})", path=path) from None
    unread = [
        Unread({"part": f"{what} {name}"}, why)
        for name in names
        for pattern, what, why in _UNREAD_PARTS
        if pattern.match(name) and not name.endswith("/")
    ]
    passages = number_passages(blocks)
    if not passages:
        raise NoTextLayer("contains no text (empty sheets?)", path=path)
    return Document(path, sha256, MEDIA_TYPE, 1, passages, coverage=Coverage(unread=tuple(unread)))


def _rows(sheet: Any) -> Any:
    hidden = sheet.sheet_state in ("hidden", "veryHidden")
    for number, row in enumerate(sheet.iter_rows(), start=1):
        cells = [_shown(cell) for cell in row]
        while cells and not cells[-1]:
            cells.pop()
        if not any(cells):
            continue
        actual = next((c.row for c in row if getattr(c, "row", None)), number)
        location: Location = {"sheet": sheet.title, "row": actual}
        if hidden:
            location["hidden"] = "hidden sheet"
        yield " | ".join(cells), location


def _shown(cell: Any) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    fmt = str(getattr(cell, "number_format", "") or "")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float) and "%" in fmt:
        return f"{value * 100:g}%"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0) and "h" not in fmt.lower():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())
