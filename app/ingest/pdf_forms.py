"""What a PDF page holds outside its content stream: filled form field values (AcroForm
widgets) and annotation texts (sticky notes, text boxes, comments on highlights). Text
extraction never sees them: a filled form read without them shows only its labels.

Objects are looked up without decoding any stream (a hostile file's bombs stay unopened).
"""

from __future__ import annotations

import logging
from typing import Any

from app.core.documents import Location
from app.ingest._common import PARSER_ERRORS

log = logging.getLogger(__name__)
# Annotation kinds whose /Contents is text someone wrote on the document, with the word a
# reviewer knows them by. Links, popups (a copy of their parent's text) and widgets are not.
_KINDS = {
    "/Text": "note",
    "/FreeText": "text box",
    "/Highlight": "highlight",
    "/Underline": "underline",
    "/StrikeOut": "strike-out",
    "/Squiggly": "squiggly underline",
    "/Square": "square",
    "/Circle": "circle",
    "/Line": "line",
    "/Polygon": "polygon",
    "/PolyLine": "polyline",
    "/Ink": "ink",
    "/Stamp": "stamp",
    "/Caret": "caret",
    "/FileAttachment": "file attachment",
    "/Redact": "redaction",
}
_MAX_DEPTH = 16  # parent chains are followed this far (a loop in a hostile file ends here)
_MAX_TEXT = 20_000


def page_extras(page: Any, number: int) -> list[tuple[str, Location]]:
    """Passages for the page's filled fields and annotation texts, in the page's /Annots order
    (a field with several widgets comes once per widget: the caller keeps the first)."""
    try:
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else []
        items = [ref.get_object() for ref in annots]
    except PARSER_ERRORS:
        log.info("could not read the annotations of page %d", number, exc_info=True)
        return []
    blocks: list[tuple[str, Location]] = []
    for annot in items:
        try:
            block = _field(annot, number) if _is_widget(annot) else _note(annot, number)
        except PARSER_ERRORS:
            log.info("skipped a damaged annotation on page %d", number, exc_info=True)
            continue
        if block is not None:
            blocks.append(block)
    return blocks


def _is_widget(annot: Any) -> bool:
    return hasattr(annot, "get") and annot.get("/Subtype") == "/Widget"


def _note(annot: Any, number: int) -> tuple[str, Location] | None:
    if not hasattr(annot, "get"):
        return None
    kind = _KINDS.get(str(annot.get("/Subtype")))
    contents = _text(annot.get("/Contents"))
    if kind is None or not contents:
        return None
    author = _text(annot.get("/T"))
    if kind == "text box":  # typed onto the page: its text is page content
        text = contents
    else:
        text = f"{kind.capitalize()} by {author}: {contents}" if author else contents
    return text, {"page": number, "annotation": kind}


def _field(widget: Any, number: int) -> tuple[str, Location] | None:
    chain = _chain(widget)
    name = ".".join(reversed([t for t in (_text(node.get("/T")) for node in chain) if t]))
    kind = _inherited(chain, "/FT")
    value = _value(_inherited(chain, "/V"), str(kind or ""))
    if not value or not name:
        return None
    label = _text(_inherited(chain, "/TU")) or name.rsplit(".", 1)[-1]
    return f"{label}: {value}", {"page": number, "field": name}


def _chain(node: Any) -> list[Any]:
    """The widget and its parents, nearest first."""
    chain: list[Any] = []
    while node is not None and hasattr(node, "get") and len(chain) < _MAX_DEPTH:
        chain.append(node)
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return chain


def _inherited(chain: list[Any], key: str) -> Any:
    for node in chain:
        value = node.get(key)
        if value is not None:
            return value.get_object() if hasattr(value, "get_object") else value
    return None


def _value(value: Any, kind: str) -> str:
    """A field's value as words: text and choices as written, a ticked box as 'checked'."""
    if value is None:
        return ""
    if kind == "/Sig":
        return "signed" if hasattr(value, "get") else ""
    if kind == "/Btn":
        state = str(value).lstrip("/")
        if state in ("", "Off"):
            return ""
        return "checked" if state in ("Yes", "On", "1") else f"checked ({state})"
    if isinstance(value, list):
        return "; ".join(t for t in (_text(v) for v in value) if t)
    return _text(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "get_object"):
        value = value.get_object()
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return text[:_MAX_TEXT]
