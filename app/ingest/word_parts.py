"""What a DOCX holds besides its own text: pictures, charts, diagrams and embedded objects (not
read: listed as unread parts where they stand), and altChunks — HTML, RTF, text, MHT or a whole
DOCX that Word merges into the page when it opens the file. Their text is read in place as
``{"part": "altChunk k", ...the chunk's own keys}``; a chunk of another type is unread."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from app.core.documents import Location, Unread
from app.core.errors import DocumentError
from app.ingest._common import PARSER_ERRORS, reason
from app.ingest._parts import CHART, DIAGRAM, IMAGE, OBJECT, Block, blocks_of, under

MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
V = "{urn:schemas-microsoft-com:vml}"
OFFICE = "{urn:schemas-microsoft-com:office:office}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FOUND = {
    f"{A}blip": ("image", IMAGE, (f"{R}embed", f"{R}link")),
    f"{V}imagedata": ("image", IMAGE, (f"{R}id",)),
    f"{OFFICE}OLEObject": ("object", OBJECT, (f"{R}id",)),
    "{http://schemas.openxmlformats.org/drawingml/2006/chart}chart": ("chart", CHART, (f"{R}id",)),
    "{http://schemas.openxmlformats.org/drawingml/2006/diagram}relIds": (
        "diagram",
        DIAGRAM,
        (f"{R}dm",),
    ),
}
_CHUNK_ERRORS: tuple[type[BaseException], ...] = (DocumentError, *PARSER_ERRORS)
MAX_CHUNK_DEPTH = 2  # a DOCX altChunk inside a DOCX altChunk is the most we follow


class Embedded:
    def __init__(self, depth: int = 0) -> None:
        self.unread: list[Unread] = []
        self.warnings: list[str] = []
        self.depth = depth
        self.chunks = 0

    def scan(self, element: Any, rels: Any, place: Location) -> None:
        """List the pictures, charts, diagrams and objects in ``element`` as unread parts."""
        for node in element.iter(*_FOUND):
            if any(a.tag == MC_FALLBACK for a in node.iterancestors()):
                continue  # the same picture again, for programs that cannot draw the choice
            kind, why, attributes = _FOUND[node.tag]
            if node.tag == f"{V}imagedata" and any(
                a.tag == f"{W}object" for a in node.iterancestors()
            ):
                continue  # the preview picture of an embedded object, listed as the object
            target = next((node.get(a) for a in attributes if node.get(a)), "")
            name = _target(rels, target)
            self.unread.append(Unread({"part": f"embedded {kind} {name}".strip(), **place}, why))

    def alt_chunk(self, element: Any, rels: Any, after: int) -> list[Block]:
        """The text of an altChunk (a piece of HTML, RTF, text or DOCX Word imports)."""
        self.chunks += 1
        part_name = f"altChunk {self.chunks}"
        where: Location = {"part": part_name, "after_paragraph": after}
        try:
            part = rels[element.get(f"{R}id", "")].target_part
            content_type, blob = str(part.content_type), bytes(part.blob)
        except (KeyError, AttributeError, ValueError):
            self.unread.append(Unread(where, "altChunk: its part is missing"))
            return []
        try:
            blocks, unread = self._chunk(content_type, blob)
        except _CHUNK_ERRORS as error:
            detail = error.detail if isinstance(error, DocumentError) else reason(error)
            self.unread.append(Unread(where, f"altChunk ({content_type}): {detail}"))
            return []
        if blocks is None:
            self.unread.append(Unread(where, f"altChunk of type {content_type}: not read"))
            return []
        self.unread.extend(Unread(under(part_name, u.where), u.why) for u in unread)
        return [(text, under(part_name, location)) for text, location in blocks]

    def _chunk(self, content_type: str, blob: bytes) -> tuple[list[Block] | None, list[Unread]]:
        from app.ingest.html import html_blocks

        if "html" in content_type:
            return html_blocks(blob)
        if "rtf" in content_type:
            from app.ingest.rtf import rtf_blocks

            return rtf_blocks(blob)
        if content_type == "text/plain":
            from app.ingest.text import decode_text, paragraphs

            text, _ = decode_text(blob, Path("altChunk.txt"))
            return [b for t, loc in paragraphs(text) for b in blocks_of(t, loc)], []
        if content_type in ("message/rfc822", "multipart/related"):  # MHT: a page as MIME
            message = email.message_from_bytes(blob, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            body = message.get_body(("html",))
            markup = body.get_content() if isinstance(body, EmailMessage) else ""
            return html_blocks(markup) if isinstance(markup, str) else ([], [])
        if blob.startswith(b"PK\x03\x04") and self.depth < MAX_CHUNK_DEPTH:
            from app.ingest.word import read_docx

            inner = read_docx(Path("altChunk.docx"), blob, "", depth=self.depth + 1)
            self.warnings.extend(inner.warnings)
            blocks = [(p.text, dict(p.location)) for p in inner.passages]
            return blocks, list(inner.coverage.unread)
        return None, []


def _target(rels: Any, rel_id: str) -> str:
    """The embedded part's file name, such as image1.png (or the link, for a linked one)."""
    try:
        relationship = rels[rel_id]
        if relationship.is_external:
            return f"linked {relationship.target_ref}"[:120]
        return str(relationship.target_part.partname).rsplit("/", 1)[-1]
    except (KeyError, AttributeError, ValueError):
        return ""
