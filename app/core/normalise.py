"""Text as screens see it: disguises removed, every character traceable to the original.

A draft can split "guaranteed" with a zero-width space, write it with a Cyrillic "а", or in
fullwidth letters; a person reads the word, a plain regular expression does not. Screens (the
policy screens and the manipulation screen) therefore run on two normalised copies of a passage:

- **normalised**: format characters removed (zero-width spaces and joiners, soft hyphens, bidi
  controls, Unicode tag characters: category ``Cf``; plus variation selectors and fillers),
  then NFKC (fullwidth, mathematical and ligature forms become plain letters);
- **folded**: the normalised copy with accents dropped and letters that look like Latin ones
  (Cyrillic, Greek, … from Unicode's confusables list, as packaged by ``confusable-homoglyphs``)
  replaced by them. Only non-ASCII characters are folded: ASCII digits and letters stay as
  written, so "10%" is never read as "lO%".

Each view keeps, for every character, the span of the original text it came from, so a match
in a view maps back to an exact substring of the original: quotes stay verifiable
(``quote in passage.text``), as trust rule 3 needs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

# Characters removed besides category Cf: variation selectors, the combining grapheme joiner,
# Hangul fillers and the Mongolian vowel separator render as nothing but split words.
_INVISIBLE_EXTRA = frozenset(
    [
        0x034F,
        0x115F,
        0x1160,
        0x180E,
        0x3164,
        0xFFA0,
        *range(0xFE00, 0xFE10),
        *range(0xE0100, 0xE01F0),
    ]
)
# Runs that need work: any non-ASCII character, with the ASCII character before it (so that an
# "e" followed by a combining accent is normalised as one unit).
_NON_ASCII = re.compile(r"[\x00-\x7f]?[^\x00-\x7f]+")


@dataclass(frozen=True)
class ScreenText:
    """A view of ``original``: ``text`` plus, per character of it, the original span."""

    original: str
    text: str
    starts: tuple[int, ...] | None  # None: identical to the original
    ends: tuple[int, ...] | None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span behind ``text[start:end]`` (end > start)."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]

    def quote(self, start: int, end: int) -> str:
        """The original words behind a match, trimmed: always a substring of ``original``."""
        if end <= start:
            return ""
        first, last = self.span(start, end)
        return self.original[first:last].strip()


def is_invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or ord(char) in _INVISIBLE_EXTRA


@lru_cache(maxsize=4096)  # each passage is screened once per policy: normalise it once
def screen_views(text: str) -> tuple[ScreenText, ScreenText]:
    """(normalised, folded) views of ``text``; for plain ASCII both are the text itself."""
    if text.isascii():
        same = ScreenText(text, text, None, None)
        return same, same
    normal = _rebuild(text, text, None, None, _normalise_chunk)
    return normal, _rebuild(text, normal.text, normal.starts, normal.ends, _fold_chunk)


def fold_literal(text: str) -> str:
    """What the folded view makes of a word or phrase (for screens written as words)."""
    return screen_views(text)[1].text


def _rebuild(
    original: str,
    source: str,
    starts: tuple[int, ...] | None,
    ends: tuple[int, ...] | None,
    transform: Callable[[str], str],
) -> ScreenText:
    """Apply ``transform`` to each non-ASCII unit of ``source`` (itself a view of
    ``original`` with spans ``starts``/``ends``), carrying the spans along."""
    pieces: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []

    def keep(begin: int, stop: int) -> None:  # source[begin:stop] unchanged
        pieces.append(source[begin:stop])
        if starts is None or ends is None:
            new_starts.extend(range(begin, stop))
            new_ends.extend(range(begin + 1, stop + 1))
        else:
            new_starts.extend(starts[begin:stop])
            new_ends.extend(ends[begin:stop])

    position = 0
    for run in _NON_ASCII.finditer(source):
        keep(position, run.start())
        for begin, stop in _units(source, run.start(), run.end()):
            out = transform(source[begin:stop])
            if not out:
                continue
            first = begin if starts is None else starts[begin]
            last = stop if ends is None else ends[stop - 1]
            pieces.append(out)
            new_starts.extend([first] * len(out))
            new_ends.extend([last] * len(out))
        position = run.end()
    keep(position, len(source))
    return ScreenText(original, "".join(pieces), tuple(new_starts), tuple(new_ends))


def _units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split text[start:end] into a base character plus the combining marks after it."""
    units: list[tuple[int, int]] = []
    begin = start
    for index in range(start + 1, end):
        if not unicodedata.combining(text[index]):
            units.append((begin, index))
            begin = index
    units.append((begin, end))
    return units


def _normalise_chunk(unit: str) -> str:
    kept = "".join(c for c in unit if not is_invisible(c))
    return unicodedata.normalize("NFKC", kept) if kept else ""


def _fold_chunk(unit: str) -> str:
    return "".join(_fold_char(c) for c in unicodedata.normalize("NFD", unit))


@cache
def _fold_char(char: str) -> str:
    if char.isascii():
        return char
    if unicodedata.combining(char):
        return ""  # accents and other marks: "é" is screened as "e"
    return _confusables().get(char, char)


@lru_cache(maxsize=1)
def _confusables() -> dict[str, str]:
    """Non-ASCII character -> the ASCII letter or digit it is confusable with."""
    from confusable_homoglyphs import confusables  # 0.9 MB of data: loaded on first use

    table: dict[str, str] = {}
    for char, homoglyphs in confusables.confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        candidates = [
            h["c"].replace("\u200e", "") for h in homoglyphs if isinstance(h, dict) and "c" in h
        ]
        ascii_ = [c for c in candidates if len(c) == 1 and c.isascii() and c.isalnum()]
        if not ascii_:
            continue
        letters = [c for c in ascii_ if c.isalpha()] or ascii_
        target = letters[0]
        # Unicode maps capital I-like letters (Greek Iota, Cyrillic I) to "l"; screens match
        # ignoring case, so a capital is folded to the capital it reads as.
        if target == "l" and char.isupper():
            target = "I"
        table[char] = target
    return table
