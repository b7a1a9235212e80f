"""Helpers of the non-PDF readers (office packages, e-mail, HTML, RTF): bounds on ZIP packages,
cutting over-long blocks, and putting a part's passages and unread pieces under its name.

``split_long`` overlaps with the PDF side's passage cutting (app/ingest/text.py and _common.py
belong to it); the two can be merged once both land."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

from app.core.documents import Document, Location, Unread
from app.core.errors import CorruptDocument
from app.ingest._common import reason

MAX_PASSAGE_CHARS = 1500
MAX_ZIP_ENTRIES = 20_000  # a real office file has tens to a few thousand parts
MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # a ZIP bomb stops here, before any XML is parsed
MAX_RATIO = 300  # deflate on XML reaches ~100x; a bomb reaches 1000x and more
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    ValueError,
    KeyError,
    OSError,
    EOFError,
    NotImplementedError,
)
Block = tuple[str, Location]
# Why a part was not read, in the words the CLI, the app and the reports show.
IMAGE = "image: text in images is not read"
OBJECT = "embedded object: not read"
CHART = "chart: not read"
DIAGRAM = "diagram (SmartArt): not read"
MEDIA = "audio or video: not read"
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


def zip_names(path: Path, data: bytes, label: str) -> list[str]:
    """The names in an office package, after refusing one that is damaged or would unpack to
    more than we are willing to hold (entry count, total size, compression ratio)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
    except ZIP_ERRORS as error:
        raise CorruptDocument(
            f"damaged {label}: not a valid ZIP package ({reason(error)})", path=path
        ) from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise CorruptDocument(
            f"the package holds {len(infos):,} parts, more than the {MAX_ZIP_ENTRIES:,} "
            "limit (a ZIP bomb?)",
            path=path,
        )
    unpacked = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    if unpacked > MAX_UNPACKED_BYTES or (unpacked > 64 * 2**20 and unpacked / packed > MAX_RATIO):
        raise CorruptDocument(
            f"unpacks to {unpacked // 2**20} MB from {packed // 2**10} KB, over the "
            f"{MAX_UNPACKED_BYTES // 2**20} MB or {MAX_RATIO}x limit (a ZIP bomb?)",
            path=path,
        )
    return [info.filename for info in infos]


def read_member(data: bytes, name: str) -> bytes:
    """One part of a package checked by ``zip_names`` (b"" when absent or damaged)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return package.read(name)
    except ZIP_ERRORS:
        return b""


def split_long(text: str, limit: int = MAX_PASSAGE_CHARS) -> list[str]:
    """Cut a block over ``limit`` characters at line ends, else at sentence ends, else at
    spaces, so each passage stays a size a reviewer can read and a quote can be found in."""
    if len(text) <= limit:
        return [text]
    for pieces, joiner in (
        (text.split("\n"), "\n"),
        (_SENTENCE_END.split(text), " "),
        (text.split(" "), " "),
    ):
        if len(pieces) > 1:
            chunks = _pack(pieces, joiner, limit)
            return [piece for chunk in chunks for piece in split_long(chunk, limit)]
    return [text[i : i + limit] for i in range(0, len(text), limit)]  # one unbroken word


def _pack(pieces: list[str], joiner: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + len(joiner) + len(piece) > limit:
            chunks.append(current)
            current = piece
        else:
            current = f"{current}{joiner}{piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks


def blocks_of(text: str, location: Location) -> list[Block]:
    """A block cut to passage size; every piece keeps the block's location."""
    return [(piece, dict(location)) for piece in split_long(text)]


def under(part: str, location: Location) -> Location:
    """A location inside a named part (an attachment, an embedded chunk): the part's name
    first, its own keys after; a nested part's name is joined with ' > '."""
    inner = location.get("part")
    rest = {k: v for k, v in location.items() if k != "part"}
    return {"part": f"{part} > {inner}" if inner else part, **rest}


def nested(part: str, document: Document) -> tuple[list[Block], list[Unread], list[str]]:
    """A part read as its own document, put under the part's name: its passages as blocks,
    what it could not read, its warnings."""
    blocks: list[Block] = [(p.text, under(part, p.location)) for p in document.passages]
    unread = [Unread(under(part, u.where), u.why) for u in document.coverage.unread]
    warnings = [f"{part}: {w}" for w in document.warnings]
    return blocks, unread, warnings
