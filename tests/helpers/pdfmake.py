"""Build the PDFs the reader tests need with reportlab (a dependency already): scans of known
text (several fonts, skewed, low contrast), mixed text-and-scan files, filled forms,
annotations, hidden text, columns drawn row by row, running footers, hyphenated lines."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, ImageOps
from reportlab.lib.colors import Color, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

WIDTH, HEIGHT = A4
KNOWN_TEXT = [
    "Northwind Capital guarantees a return of nine percent every year.",
    "Past performance is not a reliable indicator of future results.",
    "Your capital is at risk and you may get back less than you invest.",
    "Fees of two percent a year are taken from the fund each quarter.",
    "Complaints go to the Financial Ombudsman Service within eight weeks.",
]


def text_page_pdf(lines: Iterable[str], font: str = "Helvetica", size: float = 12) -> bytes:
    """One A4 page of ``lines`` in a standard PDF font, as a text layer."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setFont(font, size)
    y = HEIGHT - 90
    for line in lines:
        canvas.drawString(72, y, line)
        y -= size * 1.6
    canvas.save()
    return out.getvalue()


def scan_image(pdf: bytes, dpi: int = 200, skew: float = 0.0, contrast: float = 1.0) -> Image.Image:
    """The first page of ``pdf`` as a greyscale 'scan': rendered at ``dpi``, rotated by
    ``skew`` degrees, its ink lightened towards the paper by ``contrast`` (1 = black ink)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        document.close()
    if contrast != 1.0:  # ink goes from 0 to 255*(1-contrast); the paper goes slightly grey
        image = image.point(lambda v: int(255 - (255 - v) * contrast) - 12)
    if skew:
        image = image.rotate(skew, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=243)
    return ImageOps.autocontrast(image, cutoff=0) if contrast == 1.0 else image


def write_pages(path: Path, pages: list[Image.Image | list[str]]) -> Path:
    """A PDF whose pages are scans (an image, no text layer) or text (a list of lines)."""
    canvas = Canvas(str(path), pagesize=A4)
    for page in pages:
        if isinstance(page, Image.Image):
            canvas.drawImage(ImageReader(page), 0, 0, WIDTH, HEIGHT)
        else:
            canvas.setFont("Helvetica", 11)
            y = HEIGHT - 90
            for line in page:
                canvas.drawString(72, y, line)
                y -= 15
        canvas.showPage()
    canvas.save()
    return path


def scanned_page(lines: list[str], **options: float) -> Image.Image:
    return scan_image(text_page_pdf(lines), **options)  # type: ignore[arg-type]


def form_pdf(path: Path, fields: dict[str, str], label_only: bool = False) -> Path:
    """A page with text fields named after ``fields``' keys, filled with its values, and a
    ticked checkbox 'consent'. ``label_only``: no page text at all, only the fields."""
    canvas = Canvas(str(path), pagesize=A4)
    y = HEIGHT - 100
    for name, value in fields.items():
        if not label_only:
            canvas.drawString(72, y + 4, f"{name.title()}:")
        canvas.acroForm.textfield(name=name, tooltip=f"Your {name}", x=180, y=y, width=300,
                                  height=18, value=value)  # fmt: skip
        y -= 40
    canvas.acroForm.checkbox(name="consent", x=180, y=y, checked=True, buttonStyle="check")
    canvas.showPage()
    canvas.save()
    return path


def annotated_pdf(path: Path, body: str, note: str, author: str, box_text: str = "") -> Path:
    """A text page with a sticky note by ``author`` and, if given, a free-text box."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import FreeText, Text
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_page_pdf([body]))))
    sticky = Text(rect=(72, 600, 92, 620), text=note)
    sticky[NameObject("/T")] = TextStringObject(author)
    writer.add_annotation(0, sticky)
    if box_text:
        writer.add_annotation(0, FreeText(text=box_text, rect=(72, 500, 400, 530)))
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def hidden_text_pdf(path: Path, visible: str, white_text: str, tiny_text: str) -> Path:
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setFont("Helvetica", 11)
    canvas.drawString(72, HEIGHT - 100, visible)
    canvas.setFillColor(white)
    canvas.drawString(72, HEIGHT - 130, white_text)
    canvas.setFillColor(Color(0, 0, 0))
    canvas.setFont("Helvetica", 1)
    canvas.drawString(72, HEIGHT - 160, tiny_text)
    canvas.setFont("Helvetica", 11)
    canvas.drawString(72, HEIGHT - 190, "End of the visible text.")
    canvas.showPage()
    canvas.save()
    return path


def row_interleaved_pdf(path: Path, left: list[str], right: list[str]) -> Path:
    """Two columns of prose drawn row by row (left line, right line, next row ...)."""
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setFont("Helvetica", 10)
    y = HEIGHT - 90
    for one, two in zip(left, right, strict=True):
        canvas.drawString(60, y, one)
        canvas.drawString(310, y, two)
        y -= 13
    canvas.showPage()
    canvas.save()
    return path


def paged_pdf(path: Path, pages: list[list[str]], header: str = "", footer: str = "") -> Path:
    """Text pages; ``header``/``footer`` drawn on every page ('{n}' becomes the page number)."""
    canvas = Canvas(str(path), pagesize=A4)
    for number, lines in enumerate(pages, start=1):
        canvas.setFont("Helvetica", 11)
        if header:
            canvas.drawString(72, HEIGHT - 50, header.format(n=number))
        y = HEIGHT - 90
        for line in lines:
            canvas.drawString(72, y, line)
            y -= 15
        if footer:
            canvas.drawString(72, 40, footer.format(n=number))
        canvas.showPage()
    canvas.save()
    return path


def tightly_set_pdf(path: Path, words: list[str], gap: float = 0.8, size: float = 12) -> Path:
    """Each word drawn on its own, ``gap`` points after the last and no space glyph between
    (tightly justified type): pdfminer's default word margin runs such words together."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    canvas = Canvas(str(path), pagesize=A4)
    canvas.setFont("Helvetica", size)
    x, y = 72.0, HEIGHT - 90
    for word in words:
        width = stringWidth(word, "Helvetica", size)
        if x + width > WIDTH - 72:
            x, y = 72.0, y - size * 1.3
        canvas.drawString(x, y, word)
        x += width + gap
    canvas.showPage()
    canvas.save()
    return path
