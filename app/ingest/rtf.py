"""RTF via striprtf: each paragraph with text is a passage ``{"paragraph": n}`` (n counts the
paragraphs that have text); a table row's cells are joined by " | ". Pictures and embedded
objects are not read and are listed in the coverage."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from striprtf.striprtf import rtf_to_text

from app.core.documents import Coverage, Document, Unread, number_passages
from app.core.errors import CorruptDocument, NoTextLayer
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest._common import PARSER_ERRORS, check_chars, reason
from app.ingest._parts import IMAGE, OBJECT, Block, blocks_of

_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")
_PICTURE = re.compile(rb"\\pict(?![a-z])")
_OBJECT = re.compile(rb"\\object(?![a-z])")
# Word writes each picture twice: {\*\shppict{\pict..}} and a {\nonshppict{\pict..}} copy.
_COPY = re.compile(rb"\\nonshppict(?![a-z])")


def read_rtf(
    path: Path,
    data: bytes,
    sha256: str,
    media_type: str = "application/rtf",
    limits: ExtractionLimits = DEFAULT_LIMITS,
) -> Document:
    try:
        blocks, unread = rtf_blocks(data)
    except PARSER_ERRORS as error:
        raise CorruptDocument(f"not a readable RTF file ({reason(error)})", path=path) from None
    check_chars(blocks, limits, path)
    passages = number_passages(blocks)
    if not passages:
        raise NoTextLayer("contains no text", path=path)
    return Document(path, sha256, media_type, 1, passages, coverage=Coverage(unread=tuple(unread)))


def rtf_blocks(data: bytes) -> tuple[list[Block], list[Unread]]:
    """Paragraph blocks and the pictures and objects not read. Raises what striprtf raises."""
    # RTF is 7-bit text; bytes beyond ASCII come as \'hh escapes in the document's code page
    plain: str = rtf_to_text(  # type: ignore[no-untyped-call]
        data.decode("latin-1"), encoding=_encoding(data), errors="replace"
    )
    blocks: list[Block] = []
    paragraph = 0
    for line in plain.replace("\r\n", "\n").split("\n"):
        text = line.strip()
        if text.endswith("|"):  # a table row: striprtf ends each cell with "|"
            text = " | ".join(cell.strip() for cell in text[:-1].split("|"))
        if text.replace("|", "").strip():
            paragraph += 1
            blocks.extend(blocks_of(text, {"paragraph": paragraph}))
    pictures = len(_PICTURE.findall(data)) - len(_COPY.findall(data))
    unread = [Unread({"part": f"embedded image {n}"}, IMAGE) for n in range(1, pictures + 1)]
    unread += [
        Unread({"part": f"embedded object {n}"}, OBJECT)
        for n in range(1, len(_OBJECT.findall(data)) + 1)
    ]
    return blocks, unread


def _encoding(data: bytes) -> str:
    match = _CODEPAGE.search(data[:4096])
    if match:
        name = f"cp{int(match.group(1))}"
        try:
            codecs.lookup(name)
            return name
        except LookupError:
            pass
    return "cp1252"
