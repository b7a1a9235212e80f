"""Bundled Unicode fonts for PDF reports: DejaVu Sans for Latin, Cyrillic, Greek, Hebrew and
Arabic letters, Droid Sans Fallback for CJK. Text is split into runs by which font has the glyph,
so no character is drawn as a box when either font can draw it. PDF draws glyphs left to right as
given, so lines with right-to-left script are shaped (Arabic contextual forms) and put in visual
order first; a long RTL paragraph that reportlab wraps keeps its words in order within each
line, but its lines read top-down in logical order only for single-line passages."""

from __future__ import annotations

import unicodedata
from functools import cache
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.runtime.resources import assets_dir

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


def visual(text: str) -> str:
    """Lines containing right-to-left script, shaped and reordered for left-to-right drawing."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if any(unicodedata.bidirectional(char) in ("R", "AL") for char in line):
            lines[index] = str(get_display(arabic_reshaper.reshape(line)))
    return "\n".join(lines)


def markup(text: str) -> str:
    """Paragraph markup for plain text: escaped, with fallback-font runs where needed."""
    main, extra = register()
    text = visual(text)
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
