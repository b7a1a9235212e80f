"""An annotated HTML copy of a document the copy cannot mark in place (text, Markdown, HTML, RTF,
ODT, slides, sheets, e-mail): the document as it was read — every passage in order, with its
place in the file — the quoted words marked, and each finding's note beside its passage.

One self-contained file: inline CSS, no script, no external resource (nothing to fetch when it
is opened), every piece of document and model text escaped."""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from app.core.citations import quote_span
from app.report.annotation import Note, Placement, Placements

# Opened in a browser, the copy may fetch nothing and run nothing, whatever the text holds.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
# A table, not a CSS grid, and colours on the elements themselves: the copy reads the same in a
# browser, a mail client or an office suite that renders only simple HTML.
_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222}
header{border-bottom:1px solid #ccc;margin-bottom:1em}
table{border-collapse:collapse;width:100%}
td{vertical-align:top;padding:.5em .6em;border-bottom:1px solid #eee}
td.doc{width:60%}
.where{color:#777;font-size:12px}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
.whole{border:2px solid #d22;padding:2px 4px}
.note{font-size:13px;border-left:4px solid #e0a800;padding:.2em .7em;margin-bottom:.6em;
 background:#fafafa}
.note p{margin:.15em 0}
sup{color:#555}
"""
_TINTS = {"critical": "#ffb3b3", "high": "#ffc980", "medium": "#ffe066", "low": "#b8dcff"}
_EDGES = {"critical": "#c00000", "high": "#e67300", "medium": "#e0a800", "low": "#3a8ee6"}


def annotate_html(
    title: str,
    header_lines: Sequence[str],
    passages: Sequence[Mapping[str, Any]],
    notes: Sequence[Note],
) -> tuple[bytes, Placements]:
    """``passages``: the report's ``document.passages`` (id, text, location)."""
    by_passage: dict[str, list[tuple[int, Note]]] = {}
    for number, note in enumerate(notes, start=1):
        by_passage.setdefault(note.passage, []).append((number, note))
    known = {str(p.get("id")) for p in passages}
    placements = Placements()
    placed: dict[int, Placement] = {}
    rows = []
    for passage in passages:
        own = by_passage.get(str(passage.get("id")), [])
        text = str(passage.get("text", ""))
        spans: list[tuple[int, int, int, str]] = []  # start, end, number, severity
        whole = []
        for number, note in own:
            span = quote_span(note.quote, text) if note.quote_verified else None
            if span is None:
                whole.append(note)
                placed[note.finding_id] = "passage"
            else:
                spans.append((span[0], span[1], number, note.severity))
                placed[note.finding_id] = "quote"
        body = _marked(text, spans)
        asides = "".join(_aside(number, note, placed[note.finding_id]) for number, note in own)
        css = ' class="text whole"' if whole else ' class="text"'
        where = html.escape(f"{passage.get('id')} · {place_label(passage.get('location') or {})}")
        rows.append(
            f'<tr id="{html.escape(str(passage.get("id")))}"><td class="doc">'
            f'<div class="where">{where}</div><div{css}>{body}</div></td>'
            f'<td class="notes">{asides}</td></tr>'
        )
    for note in notes:
        placements.add(
            note, placed.get(note.finding_id, "unplaced") if note.passage in known else "unplaced"
        )
    head = "".join(f"<p>{html.escape(line)}</p>" for line in header_lines)
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{html.escape(title)}</h1>{head}</header>"
        f"<table>{''.join(rows)}</table></body></html>\n"
    )
    return page.encode("utf-8"), placements


def _marked(text: str, spans: list[tuple[int, int, int, str]]) -> str:
    """``text`` escaped with a ``<mark>`` per stretch covered by quotes; overlapping quotes cut
    the text into stretches, each marked with every finding over it (numbers after the end)."""
    cuts = sorted({0, len(text), *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    out = []
    for start, end in itertools.pairwise(cuts):
        over = [(n, sev) for s, e, n, sev in spans if s <= start and end <= e]
        piece = html.escape(text[start:end])
        if over:
            severity = max(over, key=lambda item: _RANK.get(item[1], 0))[1]
            tint = _TINTS.get(severity, _TINTS["medium"])
            piece = f'<mark class="{severity}" style="background:{tint}">{piece}</mark>'
        out.append(piece)
        ending = [n for s, e, n, _ in spans if e == end]
        if ending:
            out.append("<sup>" + ",".join(f"[{n}]" for n in sorted(ending)) + "</sup>")
    return "".join(out)


_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}


def _aside(number: int, note: Note, placement: Placement) -> str:
    lines = note.lines(placement)
    paragraphs = f"<p><strong>[{number}] {html.escape(lines[0])}</strong></p>"
    paragraphs += "".join(f"<p>{html.escape(line)}</p>" for line in lines[1:])
    by = html.escape(f"{note.author} · {note.date[:10]}")
    edge = _EDGES.get(note.severity, _EDGES["medium"])
    return (
        f'<div class="note {note.severity}" style="border-left:4px solid {edge}">'
        f'{paragraphs}<p class="where">{by}</p></div>'
    )


def place_label(location: Mapping[str, Any]) -> str:
    """'line 3', 'slide 2 · notes', 'part attachment a.docx · paragraph 4'."""
    parts = []
    for key, value in location.items():
        if value is True:
            parts.append(str(key))
        elif value not in (False, None, ""):
            parts.append(f"{key} {value}")
    return " · ".join(parts) or "document"
