"""From pages of lines to located passages, for paged documents (PDF): running headers,
footers and page numbers are taken out of the pages and kept once, labelled; a sentence that a
page break split is joined again; then each paragraph is cleaned and cut by ``passages``.

Why: in a 352-page book 377 of 1,357 passages had a running footer glued into a clause, and a
quote that runs over a page break could never be verified.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from app.core.documents import Location
from app.ingest.passages import (
    MAX_PASSAGE_CHARS,
    SENTENCE_END,
    hyphenated_words,
    join_lines,
    paragraph_lines,
    split_long,
)

_DIGITS = re.compile(r"\d+")
_ROMAN = re.compile(r"[ivxlcdm]{1,7}")
_NUMBERISH = re.compile(r"[#\W]*")  # a key left with no letters: a page or line number
_MIN_PAGES = 3  # below this, "on half the pages" is not evidence of anything
_SHORT = 60  # a running head is a title and a number, not a sentence


@dataclass
class Para:
    lines: list[str]
    location: Location  # keys beyond "page" for its passages, e.g. {"ocr": True, ...}


@dataclass
class Page:
    """One page's content. ``lines`` (a text layer, split into paragraphs here) or ``paras``
    (OCR, already grouped by layout); ``extras`` are passages that are neither cleaned nor
    joined (form fields, annotations, hidden text)."""

    number: int
    lines: list[str] = field(default_factory=list)
    paras: list[Para] = field(default_factory=list)
    extras: list[tuple[str, Location]] = field(default_factory=list)


def page_blocks(pages: list[Page], limit: int = MAX_PASSAGE_CHARS) -> list[tuple[str, Location]]:
    """Every page's passages in reading order, cleaned (see the module doc). A page's running
    lines (first seen there) and extras follow its body."""
    running = _RunningLines(pages)
    bodies = [running.strip(page) for page in pages]
    compounds = hyphenated_words(line for body, _ in bodies for para in body for line in para.lines)
    blocks: list[tuple[str, Location]] = []
    open_para: tuple[Para, int] | None = None  # ended its page mid-sentence: not yet emitted
    pending: list[tuple[str, Location]] = []  # that page's running lines and extras
    for page, (body, found) in zip(pages, bodies, strict=True):
        if open_para is not None:
            para, start = open_para
            if body and _continues(para, body[0]):
                where = {**para.location, "continues": page.number}
                joined = Para(para.lines + body[0].lines, where)
                boundary = len(join_lines(para.lines, compounds))
                blocks.extend(_emit(joined, start, compounds, limit, boundary, page.number))
                body = body[1:]
            else:
                blocks.extend(_emit(para, start, compounds, limit))
            blocks.extend(pending)
            open_para, pending = None, []
        for index, para in enumerate(body):
            if index == len(body) - 1 and _open_ended(para):
                open_para = (para, page.number)
                break
            blocks.extend(_emit(para, page.number, compounds, limit))
        tail: list[tuple[str, Location]] = [
            (text, {"page": page.number, "running": label}) for text, label in found
        ]
        tail.extend(page.extras)
        if open_para is None:
            blocks.extend(tail)
        else:
            pending = tail
    if open_para is not None:
        blocks.extend(_emit(open_para[0], open_para[1], compounds, limit))
    blocks.extend(pending)
    return blocks


def _emit(
    para: Para,
    page: int,
    compounds: AbstractSet[str],
    limit: int,
    boundary: int | None = None,
    next_page: int = 0,
) -> list[tuple[str, Location]]:
    """The paragraph as passages of at most ``limit`` characters. A joined paragraph's pieces
    after the page break (``boundary``) are located on the next page; the piece that spans it
    says both pages."""
    text = join_lines(para.lines, compounds)
    out: list[tuple[str, Location]] = []
    for offset, piece in split_long(text, limit):
        location: Location = {"page": page, **para.location}
        if boundary is not None:
            if offset >= boundary:
                location = {**location, "page": next_page}
                location.pop("continues", None)
            elif offset + len(piece) <= boundary:
                location.pop("continues", None)
        out.append((piece, location))
    return out


def _open_ended(para: Para) -> bool:
    last = para.lines[-1].rstrip() if para.lines else ""
    return bool(last) and not last.endswith(SENTENCE_END)


def _continues(para: Para, following: Para) -> bool:
    """Whether ``following`` (first on its page) goes on with ``para``'s sentence: the page
    ended mid-sentence and the next begins in lowercase. Text and OCR do not mix."""
    first = following.lines[0].lstrip() if following.lines else ""
    return first[:1].islower() and para.location.get("ocr") == following.location.get("ocr")


class _RunningLines:
    """Lines repeated at the top or bottom of at least half the pages (page numbers as '#')."""

    def __init__(self, pages: list[Page]) -> None:
        with_text = [page for page in pages if page.lines or page.paras]
        self.threshold = max(_MIN_PAGES, math.ceil(len(with_text) / 2))
        self.on_pages: Counter[str] = Counter()
        self.offsets: dict[str, Counter[int]] = {}
        self.enabled = len(with_text) >= _MIN_PAGES
        self.seen: set[str] = set()
        if not self.enabled:
            return
        for page in with_text:
            keys = {_key(line) for line in _lines(page)}
            self.on_pages.update(keys)
            for line in (*_lines(page)[:3], *_lines(page)[-3:]):
                numbers = _DIGITS.findall(line)
                if len(numbers) == 1:
                    counter = self.offsets.setdefault(_key(line), Counter())
                    counter[int(numbers[0][:6]) - page.number] += 1

    def is_running(self, line: str) -> bool:
        key = _key(line)
        if not key:
            return False
        if self.on_pages[key] >= self.threshold:
            return True
        # A chapter's running head with its page number ("INTRODUCTION 7") is on fewer pages,
        # but its number moves with the page: the same offset on at least three pages.
        offsets = self.offsets.get(key)
        return (
            offsets is not None
            and len(key) <= _SHORT
            and offsets.most_common(1)[0][1] >= _MIN_PAGES
        )

    def strip(self, page: Page) -> tuple[list[Para], list[tuple[str, str]]]:
        """The page's body paragraphs without running lines, and the running lines seen for the
        first time here, each with its label."""
        paras = [Para(lines, {}) for lines in paragraph_lines(page.lines)] if page.lines else []
        paras = paras or [Para(list(p.lines), dict(p.location)) for p in page.paras]
        if not self.enabled:
            return paras, []
        flat = [(i, line) for i, para in enumerate(paras) for line in para.lines]
        head = 0
        while head < len(flat) and self.is_running(flat[head][1]):
            head += 1
        tail = len(flat)
        while tail > head and self.is_running(flat[tail - 1][1]):
            tail -= 1
        if head == 0 and tail == len(flat):
            return paras, []
        found = [self._first_time(line, "header") for _, line in flat[:head]]
        found += [self._first_time(line, "footer") for _, line in flat[tail:]]
        body: dict[int, list[str]] = {}
        for i, line in flat[head:tail]:
            body.setdefault(i, []).append(line)
        kept = [Para(lines, paras[i].location) for i, lines in body.items()]
        return kept, [item for item in found if item[0]]

    def _first_time(self, line: str, label: str) -> tuple[str, str]:
        key = _key(line)
        if key in self.seen:
            return "", label
        self.seen.add(key)
        return " ".join(line.split()), "page number" if _NUMBERISH.fullmatch(key) else label


def _lines(page: Page) -> list[str]:
    return page.lines or [line for para in page.paras for line in para.lines]


def _key(line: str) -> str:
    text = " ".join(line.split()).casefold()
    if _ROMAN.fullmatch(text):
        return "#"
    return _DIGITS.sub("#", text)
