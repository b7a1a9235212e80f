"""Plain text and Markdown: passages are paragraphs (blocks separated by blank lines), long
ones cut at sentence ends. One pass over the lines: 8 MB of short lines reads in seconds."""

from __future__ import annotations

import codecs
from pathlib import Path

import charset_normalizer

from app.core.documents import Document, Location, number_passages
from app.core.errors import CorruptDocument, NoTextLayer
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest._common import check_chars
from app.ingest.passages import MAX_PASSAGE_CHARS, split_long

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). ``encoding`` given (the user's choice after a wrong guess):
    that one. Else BOM first, then UTF-8, then charset-normalizer's best guess."""
    if encoding:
        try:
            return data.decode(encoding, errors="replace"), codecs.lookup(encoding).name
        except LookupError:
            raise CorruptDocument(f"unknown text encoding '{encoding}'", path=path) from None
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
    encoding: str | None = None,
) -> Document:
    """``encoding``: decode with this one instead of detecting (the app offers the choice when
    the guess was a legacy code page)."""
    text, used = decode_text(data, path, encoding)
    if "\x00" in text:
        raise CorruptDocument("binary data, not text", path=path)
    guessed = not encoding and not used.startswith("utf")
    warnings = [f"decoded as {used} (a guess; choose another encoding if the text looks wrong)"]
    blocks = paragraphs(text)
    check_chars(blocks, limits, path)
    passages = number_passages(blocks)
    if not passages:
        raise NoTextLayer("contains no text", path=path)
    return Document(
        path,
        sha256,
        media_type,
        1,
        passages,
        tuple(warnings if guessed else ()),
        encoding=used,
        encoding_guessed=guessed,
    )


def paragraphs(text: str) -> list[tuple[str, Location]]:
    """Blank-line separated blocks, each located by its first line; blocks over
    ``MAX_PASSAGE_CHARS`` are cut at sentence ends (else line ends, else spaces), each piece
    located by the line it starts on."""
    blocks: list[tuple[str, Location]] = []
    current: list[str] = []
    start = 0
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.rstrip())
        elif current:
            blocks.extend(_pieces("\n".join(current), start))
            current = []
    if current:
        blocks.extend(_pieces("\n".join(current), start))
    return blocks


def _pieces(block: str, first_line: int) -> list[tuple[str, Location]]:
    if len(block) <= MAX_PASSAGE_CHARS:
        return [(block, {"line": first_line})]
    out: list[tuple[str, Location]] = []
    line, counted = first_line, 0  # line numbers counted forward once: linear in the block
    for offset, piece in split_long(block):
        line += block.count("\n", counted, offset)
        counted = offset
        out.append((piece, {"line": line}))
    return out
