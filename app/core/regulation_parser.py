"""Find a regulation's structure in a document's passages (as any reader returns them): the
headings of chapters and provisions, then list markers ("1.", "(1)", "(a)", "(i)", "(A)")
opening paragraphs, nested by the order their styles appear in."""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.core.documents import Passage
from app.core.regulation import Kind, Provision, Regulation

_DASHES = r"[\s.:—–-]*"
_HEADING_MAX = 200  # a heading is a short line; a longer one is a sentence that starts alike
_CHAPTER = re.compile(
    rf"^(chapter|part|title|subpart|section)\s+([IVXLC]+|\d+[A-Z]?|[A-Z])(?![\w(.]){_DASHES}(.*)$",
    re.IGNORECASE,
)
_ARTICLE = re.compile(rf"^(?:article|art\.)\s+(\d+[a-z]?)(?![\w(]){_DASHES}(.*)$", re.IGNORECASE)
_NUMBER = r"\d+[A-Za-z]?(?:[.-]\d+[A-Za-z]?)*"
_SECTION = re.compile(rf"^(?:§+|sec\.|section)\s*({_NUMBER})(?![\w(]){_DASHES}(.*)$", re.I)
_RULE = re.compile(rf"^rule\s+({_NUMBER}(?:\(\d+\)-\d+)?)(?![\w(]){_DASHES}(.*)$", re.I)
# List markers at the start of a line: "1. ", "(1)", "1)", "(a)", "a)", "(i)", "(A)".
_MARKER = re.compile(
    r"^(?:(\d{1,3})\.(?=\s)|\((\d{1,3}|[a-zA-Z]{1,4})\)|(\d{1,3}|[a-z])\)(?=\s))\s*"
)
_SKIP = re.compile(r"^(?:\[\d+ FR [^\]]*\]|(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?)$", re.I)
_LEAD = re.compile(r"^(?:#{1,6}\s+|(?:>\s*)+|[-*•]\s+)+")
_ROMAN = re.compile(r"^(?=[ivx]+$)x{0,3}(?:ix|iv|v?i{0,3})$", re.IGNORECASE)


def parse_regulation(passages: Sequence[Passage], title: str = "") -> Regulation:
    """The structure of a regulation from its passages (as any reader returns them)."""
    parser = _Parser()
    for passage in passages:
        for index, raw in enumerate(passage.text.split("\n")):
            parser.feed(raw, passage.id, new_block=index == 0)
    heading = title or parser.first_line or "Regulation"
    return Regulation(heading, tuple(parser.provisions), " ".join(parser.preamble).strip())


class _Parser:
    def __init__(self) -> None:
        self.provisions: list[Provision] = []
        self.preamble: list[str] = []
        self.first_line = ""
        self.chapter = ""
        self.kinds = ""  # the provision kind the document uses, decided by its first heading
        self.stack: list[Provision] = []  # open paragraphs under the current provision
        self.awaiting_title: Provision | None = None  # a heading whose title may follow
        self.awaiting_chapter = False
        self.last_line = ""

    def feed(self, raw: str, passage: str, new_block: bool) -> None:
        line = " ".join(_LEAD.sub("", raw.strip()).split())
        if not line or _SKIP.match(line):
            return
        if not self.first_line:
            self.first_line = line
        if self._title_line(line):
            return
        if self._heading(line, passage):
            return
        current = self.provisions[-1] if self.provisions else None
        if current is None:
            self.preamble.append(line)
            return
        markers, rest = _markers(line, self.last_line)
        self.last_line = line
        if not markers:
            self._continue(current, line, passage, new_block)
            return
        for marker, dotted in markers:
            self._open(current, marker, passage, dotted)
        if rest:
            self.stack[-1].lines.append(rest)

    def _title_line(self, line: str) -> bool:
        """The line after a bare heading ("Article 6" / "Lawfulness of processing")."""
        waiting, self.awaiting_title = self.awaiting_title, None
        chapter, self.awaiting_chapter = self.awaiting_chapter, False
        short = len(line) <= 90 and not re.search(r"[.;:,]$", line) and not _MARKER.match(line)
        if not short or _is_heading(line):
            return False
        if waiting is not None:
            waiting.title = line
            return True
        if chapter:
            self.chapter = f"{self.chapter} — {line}"
            return True
        return False

    def _heading(self, line: str, passage: str) -> bool:
        if len(line) > _HEADING_MAX:
            return False
        headings: tuple[tuple[Kind, re.Pattern[str]], ...] = (
            ("article", _ARTICLE),
            ("rule", _RULE),
            ("section", _SECTION),
        )
        for kind, pattern in headings:
            match = pattern.match(line)
            if not match or not _heading_title(match.group(2)):
                continue
            if kind == "section" and self.kinds in ("article", "rule") and "§" not in line:
                break  # "Section 2" inside a regulation of articles groups them, like a chapter
            self.kinds = self.kinds or kind
            label = match.group(1)
            ref = {"article": "Article", "rule": "Rule", "section": "§"}[kind] + f" {label}"
            provision = Provision(
                kind, label, ref, _clean_title(match.group(2)), chapter=self.chapter
            )
            provision.passages.append(passage)
            self.provisions.append(provision)
            self.stack = []
            if not provision.title:
                self.awaiting_title = provision
            return True
        match = _CHAPTER.match(line)
        if match and _heading_title(match.group(3)) and not match.group(3)[:1].islower():
            word = match.group(1).capitalize()
            title = _clean_title(match.group(3))
            self.chapter = f"{word} {match.group(2)}" + (f" — {title}" if title else "")
            self.awaiting_chapter = not title
            self.stack = []
            return True
        return False

    def _open(self, current: Provision, marker: str, passage: str, dotted: bool) -> None:
        style = _style(marker, dotted, self.stack)
        depth = next((i for i, open_ in enumerate(self.stack) if open_.style == style), None)
        if depth is not None:
            del self.stack[depth:]
        parent = self.stack[-1] if self.stack else current
        label = f"({marker})"
        child = Provision(
            "paragraph", label, parent.ref + label, chapter=current.chapter, style=style
        )
        child.passages.append(passage)
        parent.children.append(child)
        self.stack.append(child)

    def _continue(self, current: Provision, line: str, passage: str, new_block: bool) -> None:
        """Text without a marker belongs to the open paragraph; but a new block after a list
        that ended with a full stop is the paragraph's next subparagraph."""
        if new_block and len(self.stack) > 1:
            last = self.stack[-1]
            if last.style not in ("1.", "(1)") and last.text.endswith("."):
                del self.stack[1:]
        target = self.stack[-1] if self.stack else current
        target.lines.append(line)
        if passage not in target.passages:
            target.passages.append(passage)


_NOT_AFTER = re.compile(
    r"\b(?:point|points|paragraph|paragraphs|subparagraph|subparagraphs|article|articles|"
    r"section|sections|rule|rules|§)$",
    re.IGNORECASE,
)
_NOT_BEFORE = re.compile(r"^(?:of|thereof|above|below)\b|^(?:and|or|to)\s+\(|^[,;)]", re.I)


def _markers(line: str, previous: str) -> tuple[list[tuple[str, bool]], str]:
    """The list markers opening a line ("(a)(1) text" -> [("a", False), ("1", False)]) and
    the text after them. A marker that is a cross-reference wrapped onto the line ("point\n(a)
    of paragraph 1") is no marker: the line before ends in "point", or "of" follows."""
    if previous and not re.search(r"[.;:]$", previous) and _NOT_AFTER.search(previous):
        return [], line
    found: list[tuple[str, bool]] = []
    rest = line
    while match := _MARKER.match(rest):
        marker = match.group(1) or match.group(2) or match.group(3)
        if marker.isalpha() and not (
            len(marker) == 1 or _ROMAN.match(marker) or marker == marker[0] * len(marker)
        ):
            break  # "(EU)", "(see)": words in brackets, not list markers
        found.append((marker, match.group(1) is not None))
        rest = rest[match.end() :]
        if match.group(1):  # "1." is never followed by another marker on the same line
            break
    if found and _NOT_BEFORE.match(rest):
        return [], line
    return found, rest


def _style(marker: str, dotted: bool, stack: list[Provision]) -> str:
    """The marker's list style; a letter that is also a roman numeral ((i), (v), (x)) is a
    letter when it follows the open letter list's previous letter ((h) then (i))."""
    if marker.isdigit():
        return "1." if dotted else "(1)"
    lower = marker.islower()
    letters = next((p for p in reversed(stack) if p.style == ("(a)" if lower else "(A)")), None)
    if letters is not None and len(marker) == 1:
        previous = letters.label.strip("()")
        if len(previous) == 1 and ord(marker) == ord(previous) + 1:
            return "(a)" if lower else "(A)"
    if _ROMAN.match(marker):
        return "(i)" if lower else "(I)"
    return "(a)" if lower else "(A)"


def _is_heading(line: str) -> bool:
    return any(p.match(line) for p in (_ARTICLE, _RULE, _SECTION, _CHAPTER))


def _heading_title(rest: str) -> bool:
    """A heading's title is short and is not the rest of a sentence ("Article 6 shall…")."""
    words = rest.split()
    return not words or (
        len(words) <= 28 and words[0].lower() not in {"shall", "of", "and", "or", "to", "is"}
    )


def _clean_title(text: str) -> str:
    return text.strip(" .:—–-")
