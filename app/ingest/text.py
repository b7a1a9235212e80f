"""Plain text and Markdown: passages are paragraphs (blocks separated by blank lines)."""

from __future__ import annotations

import codecs
from pathlib import Path

import charset_normalizer

from app.core.documents import Document, Location, number_passages
from app.core.errors import CorruptDocument, NoTextLayer
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest._common import check_chars

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
MAX_PASSAGE_CHARS = 1500


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """Return (text, encoding). BOM first, then UTF-8, then charset-normalizer's best guess."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    utf16 = _bomless_utf16(data)  # before UTF-8: UTF-16 ASCII is valid UTF-8 full of NULs
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise CorruptDocument("binary data, not text in any known encoding", path=path)
    return str(best), best.encoding


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as NUL bytes in every other position (for mostly-Latin text);
    charset detectors often call it binary."""
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even_nuls = sample[0::2].count(0) / len(sample[0::2])
    odd_nuls = sample[1::2].count(0) / len(sample[1::2])
    if odd_nuls > 0.3 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.3 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def read_text(
    path: Path,
    data: bytes,
    sha256: str,
    media_type: str,
    limits: ExtractionLimits = DEFAULT_LIMITS,
) -> Document:
    text, encoding = decode_text(data, path)
    if "\x00" in text:
        raise CorruptDocument("binary data, not text", path=path)
    warnings = [] if encoding.startswith("utf") else [f"decoded as {encoding}"]
    blocks = paragraphs(text)
    check_chars(blocks, limits, path)
    passages = number_passages(blocks)
    if not passages:
        raise NoTextLayer("contains no text", path=path)
    return Document(path, sha256, media_type, 1, passages, tuple(warnings))


def paragraphs(text: str) -> list[tuple[str, Location]]:
    """Blank-line separated blocks, each located by its first line; long blocks are split at
    line boundaries so a passage stays a readable size."""
    blocks: list[tuple[str, Location]] = []
    current: list[str] = []
    start = 0
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                start = number
            elif sum(len(x) + 1 for x in current) + len(line) > MAX_PASSAGE_CHARS:
                blocks.append(("\n".join(current), {"line": start}))
                current, start = [], number
            current.append(line.rstrip())
        elif current:
            blocks.append(("\n".join(current), {"line": start}))
            current = []
    if current:
        blocks.append(("\n".join(current), {"line": start}))
    return blocks
