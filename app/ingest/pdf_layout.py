"""Layout signals that tell the PDF reader to try its second extractor on a page.

pypdf reads text in the order the content stream draws it. That is right for most files, but
some draw two or three columns row by row (pypdf then interleaves them line by line), and some
place every word without a space between (pypdf then glues words: "agreementthis"). pdfminer's
layout analysis groups text by position and handles both; it is slower, so it is only asked
about the pages these cheap signals pick.
"""

from __future__ import annotations

import itertools
import re

# The operators that move to a new text line: absolute (a b c d e f Tm) or relative to the last
# line start (tx ty Td/TD); BT starts from the identity. Operands are read back from the bytes
# just before the operator (a regex that matched the operands too backtracks badly).
_OPERATOR = re.compile(rb"(?<![A-Za-z*'\"])(Tm|Td|TD|BT)(?![A-Za-z*'\"])")
_MIN_ROWS = 8  # rows drawn across columns before the page counts as interleaved
_GLUED_WORD = 25  # letters in a row with no space: longer than nearly every real word
_GLUED_SHARE = 0.4  # of the letters: glued pages are far above, German far below


def glued_words(text: str) -> bool:
    """Much of the text in 'words' far longer than words are: the extractor lost the spaces
    between them. (A few long compounds, as German has, are a small share.)"""
    words = text.split()
    letters = sum(len(word) for word in words)
    if letters < 100:
        return False
    glued = sum(len(word) for word in words if len(word) >= _GLUED_WORD and word.isalpha())
    return glued / letters > _GLUED_SHARE


def interleaved_columns(content: bytes, width: float) -> bool:
    """The page draws text row by row across columns: a line starts far to the right of the
    previous one on the same baseline, again and again. (Columns drawn one after the other
    jump back up the page instead, and read fine.)"""
    starts = _line_starts(content)
    if len(starts) < 2 * _MIN_ROWS:
        return False
    across = sum(
        1
        for (x0, y0), (x1, y1) in itertools.pairwise(starts)
        if x1 - x0 > width / 4 and abs(y1 - y0) < 1.0
    )
    return across >= _MIN_ROWS and across >= 0.25 * len(starts)


def _line_starts(content: bytes) -> list[tuple[float, float]]:
    starts: list[tuple[float, float]] = []
    x = y = 0.0
    for match in _OPERATOR.finditer(content):
        operator = match.group(1)
        if operator == b"BT":
            x = y = 0.0
            continue
        operands = content[max(0, match.start() - 120) : match.start()].split()[-2:]
        try:
            dx, dy = float(operands[0]), float(operands[1])
        except (ValueError, IndexError):
            continue
        x, y = (dx, dy) if operator == b"Tm" else (x + dx, y + dy)
        starts.append((x, y))
    return starts


def has_prose_columns(text: str) -> bool:
    """pdfminer's text (text boxes separated by blank lines) holds boxes of several lines:
    its layout analysis found columns of running text, so its reading order is the better."""
    boxes = [box for box in text.split("\n\n") if box.strip()]
    return sum(1 for box in boxes if box.count("\n") >= 2) >= 2
