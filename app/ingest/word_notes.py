"""Footnotes, endnotes and comments of a DOCX. python-docx does not read them, yet they often
carry the text a policy cares about (a disclaimer in a footnote, a reviewer's "we cannot promise
this" in a comment). Each becomes a passage after the body, located by its number."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docx.oxml.parser import parse_xml
from lxml.etree import XMLSyntaxError  # type: ignore[import-untyped]

from app.core.documents import Location

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Word's own separator "notes" (the line above the footnotes) are not content.
_NOT_CONTENT = {"separator", "continuationSeparator", "continuationNotice"}

PartReader = Callable[[str], bytes]
TextOf = Callable[[Any], str]
Marks = Callable[[Any], dict[str, int]]


def note_blocks(read_part: PartReader, text_of: TextOf, marks: Marks) -> list[tuple[str, Location]]:
    blocks: list[tuple[str, Location]] = []
    for part, tag, key in (
        ("word/footnotes.xml", "footnote", "footnote"),
        ("word/endnotes.xml", "endnote", "endnote"),
        ("word/comments.xml", "comment", "comment"),
    ):
        root = _parse(read_part(part))
        if root is None:
            continue
        number = 0
        for note in root.iterchildren(f"{W}{tag}"):
            if note.get(f"{W}type") in _NOT_CONTENT:
                continue
            number += 1
            text = "\n".join(t for t in (text_of(p) for p in note.iter(f"{W}p")) if t.strip())
            if not text.strip():
                continue
            if key == "comment":
                author = note.get(f"{W}author") or "unknown"
                text = f"Comment by {author}: {text}"
            blocks.append((text, {key: number, **marks(note)}))
    return blocks


def _parse(data: bytes) -> Any:
    if not data:
        return None
    try:
        return parse_xml(data)  # python-docx's parser: entities are not resolved
    except XMLSyntaxError:
        return None
