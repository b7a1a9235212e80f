"""PowerPoint (.pptx) via python-pptx: each slide's text ``{"slide": n}`` (text frames, tables
row by row and grouped shapes, in the slide's shape order), then its speaker notes
``{"slide": n, "notes": true}``. A hidden slide is read and flagged ``"hidden": "hidden slide"``.
Pictures, charts, diagrams, media and embedded objects are listed as unread parts."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from app.core.documents import Coverage, Document, Location, Unread, number_passages
from app.core.errors import CorruptDocument, NoTextLayer
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest._common import PARSER_ERRORS, check_chars, reason
from app.ingest._parts import (
    CHART,
    DIAGRAM,
    IMAGE,
    MEDIA,
    OBJECT,
    ZIP_ERRORS,
    Block,
    blocks_of,
    zip_names,
)

_ERRORS: tuple[type[BaseException], ...] = (*PARSER_ERRORS, *ZIP_ERRORS, SyntaxError)
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def read_pptx(
    path: Path, data: bytes, sha256: str, limits: ExtractionLimits = DEFAULT_LIMITS
) -> Document:
    if "ppt/presentation.xml" not in zip_names(path, data, "PPTX"):
        raise CorruptDocument(
            "not a PowerPoint presentation: the package has no ppt/presentation.xml", path=path
        )
    import pptx
    from pptx.exc import PythonPptxError

    errors: tuple[type[BaseException], ...] = (*_ERRORS, PythonPptxError)
    blocks: list[Block] = []
    unread: list[Unread] = []
    try:
        presentation = pptx.Presentation(io.BytesIO(data))
        for number, slide in enumerate(presentation.slides, start=1):
            location: Location = {"slide": number}
            if slide._element.get("show") in ("0", "false"):
                location["hidden"] = "hidden slide"
            texts = _shape_texts(slide.shapes, number, unread)
            blocks.extend(blocks_of("\n".join(t for t in texts if t), location))
            if slide.has_notes_slide:
                notes = slide.notes_slide.notes_text_frame
                if notes is not None and notes.text.strip():
                    blocks.extend(blocks_of(notes.text.strip(), {**location, "notes": True}))
    except errors as error:
        raise CorruptDocument(f"not a readable PPTX file ({reason(error)})", path=path) from None
    check_chars(blocks, limits, path)
    passages = number_passages(blocks)
    if not passages:
        raise NoTextLayer("contains no text (only pictures or empty slides?)", path=path)
    return Document(path, sha256, MEDIA_TYPE, 1, passages, coverage=Coverage(unread=tuple(unread)))


def _shape_texts(shapes: Any, slide: int, unread: list[Unread]) -> list[str]:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    texts: list[str] = []
    for shape in shapes:
        try:
            kind = shape.shape_type
        except NotImplementedError:  # a shape python-pptx has no type for: judge by its parts
            kind = None
        if kind == MSO_SHAPE_TYPE.GROUP:
            texts.extend(_shape_texts(shape.shapes, slide, unread))
            continue
        if getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                cells = [" ".join(cell.text.split()) for cell in row.cells]
                if any(cells):
                    texts.append(" | ".join(cells))
            continue
        if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            texts.append(shape.text_frame.text.strip())
        what, why = _unread_kind(shape, kind, MSO_SHAPE_TYPE)
        if what:
            unread.append(Unread({"slide": slide, "part": f"{what} '{shape.name}'"}, why))
    return texts


def _unread_kind(shape: Any, kind: Any, types: Any) -> tuple[str, str]:
    if getattr(shape, "has_chart", False) and shape.has_chart:
        return "chart", CHART
    if kind in (types.PICTURE, types.LINKED_PICTURE) or hasattr(shape, "image"):
        return "image", IMAGE
    if kind in (types.MEDIA,):
        return "media", MEDIA
    if kind in (types.EMBEDDED_OLE_OBJECT, types.LINKED_OLE_OBJECT):
        return "embedded object", OBJECT
    if shape._element.tag.endswith("graphicFrame") and not getattr(shape, "has_table", False):
        return "diagram", DIAGRAM  # SmartArt and other frames python-pptx cannot read
    return "", ""
