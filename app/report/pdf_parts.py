"""What the pages of the PDF report share: styles, colours, a paragraph with the bundled
fonts, a grid table."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Table, TableStyle

from app.report.fonts import BOLD, REGULAR, markup, register

SEVERITY_COLOURS = {"critical": "#8b0000", "high": "#c0392b", "medium": "#d35400", "low": "#7f8c8d"}
VERDICT_COLOURS = {
    "violation": "#c0392b",
    "needs_review": "#d35400",
    "not_assessed": "#5d6d7e",  # grey: nothing was judged, never green
    "compliant": "#1e8449",
}
# Each decision looks different at a glance: accepted, rejected (struck out, grey), amended.
DECISION_COLOURS = {"accept": "#1e8449", "reject": "#7f8c8d", "amend": "#1f5fa8", None: "#d35400"}
DECISION_WORDS = {
    "accept": "ACCEPTED",
    "reject": "REJECTED",
    "amend": "AMENDED",
    None: "NOT REVIEWED",
}


def styles() -> dict[str, ParagraphStyle]:
    register()
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=8.5, leading=11)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
        "hash": ParagraphStyle("hash", parent=base, fontSize=6.6, leading=9),
        "title": ParagraphStyle(
            "title", parent=base, fontName=BOLD, fontSize=18, leading=22, spaceAfter=6
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=BOLD, fontSize=12, leading=15, spaceBefore=10, spaceAfter=4
        ),
        "verdict": ParagraphStyle(
            "verdict", parent=base, fontName=BOLD, fontSize=11.5, leading=15, spaceAfter=1
        ),
        "notice": ParagraphStyle(
            "notice",
            parent=base,
            fontName=BOLD,
            fontSize=10,
            textColor=colors.HexColor("#b03a2e"),
            spaceAfter=6,
        ),
        "warning": ParagraphStyle(
            "warning", parent=base, textColor=colors.HexColor("#8a4b00"), leading=10.5
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "head": ParagraphStyle("head", parent=base, fontName=BOLD, fontSize=8, leading=10),
    }


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """``text`` is plain text (escaped and given the bundled fonts), never markup."""
    return Paragraph(markup(text), style)


def grid(rows: list[list[Any]], widths: list[float], header: bool = False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    table.setStyle(TableStyle(commands))
    return table


def verdict_markup(label: str, verdict: str | None) -> str:
    """'Model verdict: VIOLATION' with the verdict in its colour (markup for a Paragraph)."""
    words = (verdict or "none").replace("_", " ").upper()
    colour = VERDICT_COLOURS.get(verdict or "", "#000000")
    return f'{markup(label)}: <font color="{colour}"><b>{markup(words)}</b></font>'
