"""Footnotes, endnotes and comments of a DOCX. python-docx does not read them, yet they often
carry the text a policy cares about (a disclaimer in a footnote, a reviewer's "we cannot promise
this" in a comment). Notes become passages after the body, located by their number; comments
are placed by the body reader after the paragraph they are anchored on."""

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
TextOf = Callable[[Any], tuple[str, Location]]  # element -> (text, change/hidden keys)


def note_blocks(read_part: PartReader, text_of: TextOf) -> list[tuple[str, Location]]:
    blocks: list[tuple[str, Location]] = []
    for part, tag in (("word/footnotes.xml", "footnote"), ("word/endnotes.xml", "endnote")):
        root = parse_part(read_part(part))
        if root is None:
            continue
        number = 0
        for note in root.iterchildren(f"{W}{tag}"):
            if note.get(f"{W}type") in _NOT_CONTENT:
                continue
            number += 1
            text, marks = text_of(note)
            if text.strip():
                blocks.append((text, {tag: number, **marks}))
    return blocks


def comments(read_part: PartReader, text_of: TextOf) -> dict[str, tuple[int, str, Location]]:
    """Comment id -> (its number in comments.xml order, 'Comment by AUTHOR: …', its keys)."""
    found: dict[str, tuple[int, str, Location]] = {}
    root = parse_part(read_part("word/comments.xml"))
    if root is None:
        return found
    for number, note in enumerate(root.iterchildren(f"{W}comment"), start=1):
        text, marks = text_of(note)
        if text.strip():
            author = note.get(f"{W}author") or "unknown"
            found[note.get(f"{W}id", f"#{number}")] = (
                number,
                f"Comment by {author}: {text}",
                marks,
            )
    return found


def parse_part(data: bytes) -> Any:
    if not data:
        return None
    try:
        return parse_xml(data)  # python-docx's parser: entities are not resolved
    except XMLSyntaxError:
        return None
