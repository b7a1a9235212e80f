"""Shape extracted lines into passages a model can judge and a reviewer can quote: paragraphs
built in one pass over the lines, line-end hyphens undone, over-long paragraphs cut at sentence
ends. Shared by the text and PDF readers; the page-level clean-up (running headers, sentences
split by a page break) is in ``app.ingest.pages``.

Every function here is linear in its input: a file of millions of short lines must not cost
the square of its length (issue: 8 MB of short lines once took minutes).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from collections.abc import Set as AbstractSet

MAX_PASSAGE_CHARS = 1500
SENTENCE_END = (".", "!", "?", ":", ";", "。", "！", "？")
# The end of a sentence inside a text: a stop (closing quotes or brackets may follow) before
# whitespace, or a CJK stop anywhere.
_SENTENCE_BREAK = re.compile(r"[.!?;:][\"'”’»)\]]*(?=\s)|[。！？]")
# A line that ends in a word broken by a hyphen ("guaran-"), and the lowercase letter that must
# start the next line for the break to count ("teed"). Soft hyphens count too.
_HYPHEN_END = re.compile(r"[^\W\d_]{2}[-\u00ad\u2010]$")
_COMPOUND = re.compile(r"(?<![\w-])([^\W\d_]+)-([^\W\d_]+)(?![\w-])")


def paragraph_lines(lines: Iterable[str]) -> list[list[str]]:
    """Split a page's lines into paragraphs: at blank lines, and after a short line that ends
    a sentence (the last line of a paragraph in justified text)."""
    lines = [line.rstrip() for line in lines]
    long_lines = [len(line) for line in lines if len(line) > 20]
    typical = statistics.median(long_lines) if long_lines else 0
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if not line.strip():
            if current:
                paragraphs.append(current)
                current = []
            continue
        current.append(line)
        if line.endswith(SENTENCE_END) and len(line) < 0.8 * typical:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def hyphenated_words(lines: Iterable[str]) -> set[str]:
    """Compounds written with a hyphen inside a line ("well-known"), lowercased: evidence that a
    hyphen at a line end in the same word is a real one, to keep."""
    found: set[str] = set()
    for line in lines:
        if "-" in line:
            found.update(f"{a}-{b}".lower() for a, b in _COMPOUND.findall(line))
    return found


def join_lines(lines: list[str], compounds: AbstractSet[str] = frozenset()) -> str:
    """The paragraph's lines joined with line breaks, except where a line ends in a word
    broken by a hyphen and the next goes on in lowercase: there the word is rejoined
    ("guaran-" + "teed" -> "guaranteed"), keeping the hyphen only for compounds the document
    writes with one elsewhere ("well-" + "known" -> "well-known")."""
    if not lines:
        return ""
    out = [lines[0]]
    for line in lines[1:]:
        previous = out[-1]
        start = line.lstrip()
        if start[:1].islower() and _HYPHEN_END.search(previous):
            head = previous[:-1]
            word_start = len(head) - len(head.split()[-1]) if head.split() else len(head)
            tail = start.split(maxsplit=1)[0] if start.split() else ""
            compound = f"{head[word_start:]}-{tail}".lower().rstrip(".,;:!?)\"'”’")
            joiner = "-" if compound in compounds else ""
            out[-1] = head + joiner + start
        else:
            out.append(line)
    return "\n".join(out)


def split_long(text: str, limit: int = MAX_PASSAGE_CHARS) -> list[tuple[int, str]]:
    """Cut ``text`` into pieces of at most ``limit`` characters, each at the last sentence end
    inside its window, else the last line break, else the last space (a hard cut only for a
    run with no space at all). Returns (offset in ``text``, piece) pairs. Each cut looks at one
    window only, so the whole is linear in the text's length."""
    pieces: list[tuple[int, str]] = []
    start, size = 0, len(text)
    while start < size:
        while start < size and text[start].isspace():
            start += 1
        if size - start <= limit:
            if start < size:
                pieces.append((start, text[start:].rstrip()))
            break
        end = _cut(text, start, start + limit)
        pieces.append((start, text[start:end].rstrip()))
        start = end
    return pieces


def _cut(text: str, start: int, stop: int) -> int:
    """Where to end a piece that starts at ``start`` and may not reach ``stop``."""
    floor = start + (stop - start) // 3  # a cut earlier than this leaves a stub: look further
    last = None
    for match in _SENTENCE_BREAK.finditer(text, floor, stop):
        last = match.end()
    if last is not None:
        return last
    for separator in ("\n", " "):
        found = text.rfind(separator, floor, stop)
        if found > start:
            return found + 1
    return stop
