"""A copy of a PDF with a highlight over each finding's quoted words and the finding as its note.

Written as an incremental update (pypdf): the original file's bytes are the copy's first bytes,
untouched, and the annotations, their appearance streams and the changed page dictionaries
(``/Annots`` only) are appended after them. Each highlight and box carries its own appearance,
so every viewer draws it the same; its note (``/Contents``, shown in a popup) holds the text of
the Word comment."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from app.core.clock import as_utc
from app.report.annotation import Note, Placements
from app.report.pdf_marks import Mark, OcrReader, locate
from app.report.pdf_text import Box, union

# Highlight tints by severity (multiplied over the text, so it stays readable).
TINTS = {
    "critical": (1.0, 0.55, 0.55),
    "high": (1.0, 0.72, 0.35),
    "medium": (1.0, 0.93, 0.3),
    "low": (0.6, 0.85, 1.0),
}
BOX_COLOUR = (0.85, 0.1, 0.1)


class EncryptedPdf(ValueError):
    """The copy would have to be written decrypted or re-encrypted: neither is done silently."""


def annotate_pdf(
    data: bytes, notes: Sequence[Note], ocr: OcrReader | None = None
) -> tuple[bytes, Placements]:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        # pypdf cannot append an update to an encrypted file; writing the copy decrypted would
        # leave the document unprotected on disk, and re-encrypting it would change its
        # permissions: refused instead.
        raise EncryptedPdf(
            "the PDF is encrypted: annotated copies of encrypted PDFs are not supported; "
            "save a decrypted copy, check it, and annotate that"
        )
    marks = locate(data, None, notes, ocr)
    placements = Placements()
    writer = PdfWriter(reader, incremental=True)
    for note, mark in zip(notes, marks, strict=True):
        if mark is None:
            placements.add(note, "unplaced")
            continue
        _add(writer, mark)
        placements.add(note, mark.placement)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), placements


def pdf_date(iso: str) -> str:
    return as_utc(iso).strftime("D:%Y%m%d%H%M%SZ")


def _add(writer: Any, mark: Mark) -> None:
    from pypdf.generic import (
        ArrayObject,
        BooleanObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    note = mark.note
    page = writer.pages[mark.page - 1]
    rect = _grow(union(mark.boxes), 1.0)
    colour = TINTS.get(note.severity, TINTS["medium"]) if mark.kind == "highlight" else BOX_COLOUR
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject(
                "/Highlight" if mark.kind == "highlight" else "/Square"
            ),
            NameObject("/Rect"): _array(rect),
            NameObject("/C"): _array(colour),
            NameObject("/F"): NumberObject(4),  # printed with the page
            NameObject("/T"): TextStringObject(note.author),
            NameObject("/Subj"): TextStringObject(f"Safeguard Desk finding #{note.finding_id}"),
            NameObject("/NM"): TextStringObject(
                f"safeguard-desk-run{note.run_id}-finding{note.finding_id}"
            ),
            NameObject("/Contents"): TextStringObject(note.text(mark.placement)),
            NameObject("/M"): TextStringObject(pdf_date(note.date)),
            NameObject("/CreationDate"): TextStringObject(pdf_date(note.date)),
        }
    )
    if mark.kind == "highlight":
        points: list[float] = []
        for (
            left,
            bottom,
            right,
            top,
        ) in mark.boxes:  # upper-left, upper-right, lower-left, lower-right
            points += [left, top, right, top, left, bottom, right, bottom]
        annotation[NameObject("/QuadPoints")] = ArrayObject(
            FloatObject(round(v, 3)) for v in points
        )
    else:
        annotation[NameObject("/BS")] = DictionaryObject({NameObject("/W"): FloatObject(1.5)})
    annotation[NameObject("/AP")] = DictionaryObject(
        {NameObject("/N"): _appearance(writer, mark, rect, colour)}
    )
    added = writer.add_annotation(mark.page - 1, annotation)  # sets /P, extends /Annots
    popup = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Popup"),
            NameObject("/Rect"): _array(_popup_rect(page, rect)),
            NameObject("/Open"): BooleanObject(False),
            NameObject("/Parent"): added.indirect_reference,
        }
    )
    added[NameObject("/Popup")] = writer.add_annotation(mark.page - 1, popup).indirect_reference


def _appearance(writer: Any, mark: Mark, rect: Box, colour: tuple[float, float, float]) -> Any:
    """The annotation's own drawing: the line boxes filled and multiplied over the text (a
    highlight), or the box stroked (a square)."""
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
    )

    red, green, blue = colour
    if mark.kind == "highlight":
        ops = [f"/GS0 gs {red:.3f} {green:.3f} {blue:.3f} rg"]
        ops += [f"{x:.2f} {y:.2f} {r - x:.2f} {t - y:.2f} re f" for x, y, r, t in mark.boxes]
    else:
        left, bottom, right, top = _grow(mark.boxes[0], 0.25)
        ops = [f"{red:.3f} {green:.3f} {blue:.3f} RG 1.5 w"]
        ops.append(f"{left:.2f} {bottom:.2f} {right - left:.2f} {top - bottom:.2f} re S")
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("ascii"))
    stream.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): _array(rect),
            NameObject("/Resources"): DictionaryObject(
                {
                    NameObject("/ExtGState"): DictionaryObject(
                        {
                            NameObject("/GS0"): DictionaryObject(
                                {
                                    NameObject("/BM"): NameObject("/Multiply"),
                                    NameObject("/ca"): FloatObject(1),
                                }
                            )
                        }
                    )
                }
            ),
            NameObject("/Matrix"): ArrayObject([FloatObject(v) for v in (1, 0, 0, 1, 0, 0)]),
        }
    )
    return writer._add_object(stream)


def _popup_rect(page: Any, rect: Box) -> Box:
    box = page.mediabox
    right = float(box.right)
    top = min(float(box.top), rect[3] + 20)
    return (max(float(box.left), right - 220), max(float(box.bottom), top - 140), right, top)


def _grow(box: Box, by: float) -> Box:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def _array(values: Sequence[float]) -> Any:
    from pypdf.generic import ArrayObject, FloatObject

    return ArrayObject(FloatObject(round(v, 3)) for v in values)
