"""Bundled Unicode fonts for PDF reports: DejaVu Sans for Latin, Cyrillic, Greek and Arabic
letters, Droid Sans Fallback for CJK. Text is split into runs by which font has the glyph, so no
character is drawn as a box when either font can draw it."""

from __future__ import annotations

from functools import cache
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.resources import assets_dir

REGULAR, BOLD, FALLBACK = "SG-Sans", "SG-Sans-Bold", "SG-Fallback"


@cache
def register() -> tuple[frozenset[int], frozenset[int]]:
    """Register the fonts once; returns the code points each of the two faces covers."""
    folder = assets_dir() / "fonts"
    regular = TTFont(REGULAR, str(folder / "DejaVuSans.ttf"))
    fallback = TTFont(FALLBACK, str(folder / "DroidSansFallback.ttf"))
    for font in (regular, TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")), fallback):
        pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )
    return frozenset(regular.face.charToGlyph), frozenset(fallback.face.charToGlyph)


def markup(text: str) -> str:
    """Paragraph markup for plain text: escaped, with fallback-font runs where needed."""
    main, extra = register()
    out: list[str] = []
    run: list[str] = []
    in_fallback = False
    for char in text:
        code = ord(char)
        wants_fallback = code not in main and code in extra
        if wants_fallback != in_fallback and run:
            out.append(_run("".join(run), in_fallback))
            run = []
        in_fallback = wants_fallback
        run.append(char)
    if run:
        out.append(_run("".join(run), in_fallback))
    return "".join(out).replace("\n", "<br/>")


def _run(text: str, fallback: bool) -> str:
    escaped = escape(text)
    return f'<font name="{FALLBACK}">{escaped}</font>' if fallback else escaped
