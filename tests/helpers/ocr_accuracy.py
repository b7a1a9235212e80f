"""Word accuracy of OCR against known text: the share of the reference's words that come back
in order (longest matching blocks of words, case and punctuation ignored)."""

from __future__ import annotations

import difflib
import re

_WORD = re.compile(r"[\w%]+")


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def word_accuracy(reference: str, read: str) -> float:
    expected, found = words(reference), words(read)
    if not expected:
        return 1.0 if not found else 0.0
    matcher = difflib.SequenceMatcher(None, expected, found, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(expected)
