"""Is an extracted text layer readable? And small repairs for text that PDF extractors return
in the wrong shape (vertical CJK one glyph per line, Arabic stored in visual order).

A PDF whose fonts lack a Unicode map still yields "text": Latin-1 soup or a mix of unrelated
scripts. Judging that text would be judging noise, so the readers test it here and either use
another extractor or refuse the file with a clear message.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

# Scripts that belong together in one word count as one family (Japanese mixes all three).
_FAMILIES = {
    "HIRAGANA": "CJK",
    "KATAKANA": "CJK",
    "IDEOGRAPHIC": "CJK",
    "HALFWIDTH": "CJK",
    "FULLWIDTH": "CJK",
    "CJK": "CJK",
}
# Latin-1 punctuation and symbols (¡ … ¿, ×, ÷): rare in real prose, the bulk of GBK or
# Shift_JIS bytes shown as Latin-1.
_LATIN1_SYMBOLS = {chr(c) for c in range(0xA1, 0xC0)} | {"\u00d7", "\u00f7"}
_CID = re.compile(r"\(cid:\d+\)")
_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
GARBLED_LIMIT = 0.3  # share of suspicious signals above which text counts as unreadable
_MIN_LETTERS = 20  # below this there is too little text to judge


_FAMILY_OF: dict[str, str] = {}  # a character's family, looked up once per distinct character
_SAMPLE = 200_000  # letters scored at most: a long text is judged on an even sample


def _family(char: str) -> str:
    family = _FAMILY_OF.get(char)
    if family is None:
        first = unicodedata.name(char, "").split(" ", 1)[0]
        family = _FAMILY_OF.setdefault(char, _FAMILIES.get(first, first))
    return family


def garbled_score(text: str) -> float:
    """0 for ordinary text, towards 1 for noise. The larger of two signals:
    script switches between neighbouring letters (spaces and punctuation skipped, so a line
    that changes language between words scores low), and Latin-1 symbols or ``(cid:N)``
    placeholders among the visible characters."""
    if len(text) > _SAMPLE:  # whole stretches, so neighbouring letters stay neighbours
        step = len(text) // 8
        text = "".join(text[i : i + _SAMPLE // 8] for i in range(0, len(text), step))
    letters = [c for c in text if c.isalpha()]
    if len(letters) < _MIN_LETTERS:
        return 0.0
    family = _family
    families = [family(c) for c in letters]
    switches = sum(1 for a, b in itertools.pairwise(families) if a != b)
    visible = len(text) - sum(1 for c in text if c.isspace())
    odd = sum(1 for c in text if c in _LATIN1_SYMBOLS)
    odd += 5 * len(_CID.findall(text))
    return max(switches / (len(letters) - 1), odd / max(visible, 1))


def is_garbled(text: str) -> bool:
    return garbled_score(text) > GARBLED_LIMIT


def join_vertical_lines(text: str) -> str:
    """Vertical (tategaki) text comes out one glyph per line; join such runs of CJK lines."""
    lines = text.split("\n")
    short = [line for line in lines if line.strip()]
    if not short or sum(len(line.strip()) <= 2 for line in short) < 0.6 * len(short):
        return text
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        if out and stripped and len(stripped) <= 2 and out[-1] and _family(stripped[0]) == "CJK":
            out[-1] += stripped
        else:
            out.append(stripped)
    return "\n".join(out)


def fix_visual_arabic(text: str) -> tuple[str, bool]:
    """Arabic drawn with presentation-form glyphs is usually stored in visual order: the words
    of a line come out right to left reversed. Normalise the glyphs (NFKC) and restore the
    word order of lines that hold no Latin letters. Returns (text, whether anything changed)."""
    if not _PRESENTATION_FORMS.search(text):
        return text, False
    lines = []
    for line in text.split("\n"):
        if _PRESENTATION_FORMS.search(line):
            line = unicodedata.normalize("NFKC", line)
            if not any("LATIN" in unicodedata.name(c, "") for c in line if c.isalpha()):
                line = " ".join(reversed(line.split()))
        lines.append(line)
    return "\n".join(lines), True
