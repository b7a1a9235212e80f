"""The text of one Word paragraph (or table cell, or note) with what Word's view hides from a
reader: tracked changes (read as accepted, with what changed kept beside the text) and text that
is in the file but not visible on the page — hidden (``w:vanish``), white on a white background,
or tiny (under 3 pt). Such text is read, so the model sees what is in the file, and flagged, so
the reviewer knows it does not show. Run formatting is resolved as Word does: the run's own
properties, then its character style, its paragraph's style (``basedOn`` chains followed), then
the document defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
HIDDEN, WHITE, TINY = "hidden (w:vanish)", "white text", "tiny text"
TINY_HALF_POINTS = 6  # under 3 pt: nobody reads that on a page
_CHANGES = {f"{W}ins": "inserted", f"{W}del": "deleted", f"{W}moveTo": "moved here",
            f"{W}moveFrom": "moved away"}  # fmt: skip
_REMOVED = {f"{W}del", f"{W}moveFrom"}  # not in the accepted text
_SKIP = {f"{W}pPr", f"{W}rPr", f"{W}instrText", f"{MC}Fallback", f"{W}commentRangeStart"}
_OFF = ("0", "false", "off")
_PLAIN = ("", "auto", "FFFFFF", "none", "white")
MAX_CHANGE_CHARS = 120
MAX_CHANGES_SHOWN = 8


@dataclass
class Para:
    text: str = ""  # as Word shows it with changes accepted
    hidden: set[str] = field(default_factory=set)
    hidden_text: str = ""
    changes: list[tuple[str, str]] = field(default_factory=list)  # (kind, text), in order
    removed: str = ""  # text of the deletions (a wholly deleted paragraph's marker shows it)


class Formats:
    """Styles of one document, for resolving run properties."""

    def __init__(self, styles: Any) -> None:
        self.styles: dict[str, tuple[str, Any]] = {}  # id -> (basedOn, rPr)
        self.defaults: Any = None
        self.default_paragraph = ""
        if styles is None:
            return
        for style in styles.iter(f"{W}style"):
            based = style.find(f"{W}basedOn")
            style_id = style.get(f"{W}styleId", "")
            self.styles[style_id] = (
                "" if based is None else based.get(f"{W}val", ""),
                style.find(f"{W}rPr"),
            )
            if style.get(f"{W}type") == "paragraph" and style.get(f"{W}default") in ("1", "true"):
                self.default_paragraph = style_id
        self.defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")

    def _chain(self, style_id: str) -> list[Any]:
        found, seen = [], set()
        while style_id and style_id not in seen and style_id in self.styles:
            seen.add(style_id)
            based, rpr = self.styles[style_id]
            if rpr is not None:
                found.append(rpr)
            style_id = based
        return found

    def flags(self, run: Any, paragraph_style: str, shaded: bool) -> set[str]:
        rpr = run.find(f"{W}rPr")
        style = rpr.find(f"{W}rStyle") if rpr is not None else None
        sources = [rpr] if rpr is not None else []
        if style is not None:
            sources += self._chain(style.get(f"{W}val", ""))
        sources += self._chain(paragraph_style or self.default_paragraph)
        if self.defaults is not None:
            sources.append(self.defaults)

        def first(tag: str) -> Any:
            return next((el for s in sources if (el := s.find(f"{W}{tag}")) is not None), None)

        found = set()
        vanish = first("vanish")
        if vanish is not None and vanish.get(f"{W}val", "1").lower() not in _OFF:
            found.add(HIDDEN)
        color = first("color")
        if color is not None and color.get(f"{W}val", "").upper() == "FFFFFF" and not shaded:
            shd, mark = first("shd"), first("highlight")
            if _plain(shd, "fill") and _plain(mark, "val"):
                found.add(WHITE)
        size = first("sz")
        if size is not None:
            try:
                if int(size.get(f"{W}val", "24")) < TINY_HALF_POINTS:
                    found.add(TINY)
            except ValueError:
                pass
        return found


def _plain(element: Any, attribute: str) -> bool:
    """No colour behind the text (so white text on it is invisible)."""
    return element is None or element.get(f"{W}{attribute}", "").upper() in {
        p.upper() for p in _PLAIN
    }


def shaded(element: Any) -> bool:
    """A paragraph or table cell with a coloured background (white text on it is visible)."""
    for props in (f"{W}pPr", f"{W}tcPr"):
        holder = element.find(props)
        if holder is not None and not _plain(holder.find(f"{W}shd"), "fill"):
            return True
    return False


def read_paragraph(paragraph: Any, formats: Formats, on_dark: bool = False) -> Para:
    """Text, hidden text and tracked changes of a ``w:p`` (text boxes inside it included)."""
    ppr = paragraph.find(f"{W}pPr")
    style_el = ppr.find(f"{W}pStyle") if ppr is not None else None
    style = "" if style_el is None else style_el.get(f"{W}val", "")
    dark = on_dark or shaded(paragraph)
    result = Para()
    accepted: list[str] = []
    hidden: list[str] = []
    removed: list[str] = []

    def walk(node: Any, change: list[str] | None, gone: bool, flags: set[str]) -> None:
        for child in node.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag in _CHANGES:
                buffer: list[str] = []
                walk(child, buffer, gone or tag in _REMOVED, flags)
                result.changes.append((_CHANGES[tag], "".join(buffer)))
                if tag in _REMOVED:
                    removed.append("".join(buffer))
                continue
            if tag == f"{W}r":
                walk(child, change, gone, formats.flags(child, style, dark))
                continue
            piece = _piece(child, tag, accepted)
            if piece is None:
                walk(child, change, gone, flags)
                continue
            if change is not None:
                change.append(piece)
            if gone:
                continue
            accepted.append(piece)
            if flags and piece.strip():
                result.hidden |= flags
                hidden.append(piece)

    walk(paragraph, None, False, set())
    result.text = "".join(accepted)
    result.hidden_text = " ".join("".join(hidden).split())
    result.removed = " ".join(" ".join(removed).split())
    result.changes = [(kind, text) for kind, text in result.changes if text.strip()]
    return result


def _piece(node: Any, tag: str, accepted: list[str]) -> str | None:
    """The text a leaf element stands for; None for containers to look into."""
    if tag in (f"{W}t", f"{W}delText"):
        return str(node.text or "")
    if tag == f"{W}tab":
        return "\t"
    if tag in (f"{W}br", f"{W}cr"):
        return "\n"
    if tag == f"{W}p" and accepted:
        accepted.append("\n")  # a paragraph inside a text box starts a new line
    return None


def changed_summary(changes: list[tuple[str, str]]) -> str:
    """'inserted "2% a year.", deleted "10% "': what the prompt shows beside the passage."""
    parts = [f'{kind} "{_clip(text)}"' for kind, text in changes]
    if len(parts) > MAX_CHANGES_SHOWN:
        parts = [*parts[:MAX_CHANGES_SHOWN], f"and {len(parts) - MAX_CHANGES_SHOWN} more"]
    return ", ".join(parts)


def _clip(text: str, limit: int = MAX_CHANGE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clip(text: str, limit: int) -> str:
    return _clip(text, limit)
