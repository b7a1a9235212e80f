"""Text a reader of the printed page would not see: white fill, tiny type, invisible render
mode. It is still read (the model must judge everything the file says) but split out of the
visible text and flagged, so a reviewer learns that part of the document was hidden.

A cheap scan of the page's content stream picks the pages that might hide text; only those are
walked operator by operator (the walk costs several times the plain extraction).
"""

from __future__ import annotations

import math
import re
from typing import Any

TINY_PT = 3.0  # printed size below this cannot be read on paper (fine print is 6 pt)
_WHITE = 0.95
_COLOUR_OPS = re.compile(rb"((?:[-+]?(?:\d+\.?\d*|\.\d+)\s+){1,4})(?:g|rg|k|sc|scn)\b")
_FONT_SIZE = re.compile(rb"/[^\s/\[\]()<>]+\s+([-+]?(?:\d+\.?\d*|\.\d+))\s+Tf\b")
_INVISIBLE = re.compile(rb"(?<![\d.])3\s+Tr\b")
_MAX_RUN = 5000
_COLOUR = frozenset((b"g", b"rg", b"k", b"sc", b"scn"))
_TRACKED = _COLOUR | {b"Tr", b"q", b"Q"}


def may_hide_text(content: bytes, has_images: bool) -> bool:
    """Whether the raw content stream sets a near-white fill, a tiny font size, or (on a page
    without images, where it is not an OCR layer over a scan) invisible text."""
    for match in _COLOUR_OPS.finditer(content):
        if _is_white(match.group(1).split()):
            return True
    for match in _FONT_SIZE.finditer(content):
        try:
            if abs(float(match.group(1))) < TINY_PT:
                return True
        except ValueError:
            continue
    return not has_images and _INVISIBLE.search(content) is not None


def _is_white(values: list[bytes]) -> bool:
    try:
        numbers = [float(v) for v in values]
    except ValueError:
        return False
    if len(numbers) == 4:  # CMYK: no ink
        return all(n <= 1 - _WHITE for n in numbers)
    return len(numbers) in (1, 3) and all(n >= _WHITE for n in numbers)


def extract_with_hidden(page: Any, has_images: bool) -> tuple[str, list[tuple[str, str]]]:
    """The page's text (as pypdf's extract_text gives it) and its hidden text as (text, why)
    runs in content order, from one walk; why is 'white text', 'tiny text' or 'invisible
    text'. Raises what extract_text raises."""
    state = _State(has_images)
    text = page.extract_text(visitor_operand_before=state.operator, visitor_text=state.text)
    state.close()
    return text or "", [(run, why) for run, why in state.runs if run.strip()]


class _State:
    """Follows the fill colour and render mode through q/Q, and collects hidden text."""

    def __init__(self, has_images: bool) -> None:
        self.has_images = has_images
        self.fill: list[float] = [0.0]
        self.mode = 0
        self.stack: list[tuple[list[float], int]] = []
        self.runs: list[tuple[str, str]] = []
        self.current: list[str] = []
        self.why = ""

    def operator(self, op: bytes, args: list[Any], cm: list[float], tm: list[float]) -> None:
        if op not in _TRACKED:  # called for every operator of the page: leave fast
            return
        if op in _COLOUR:
            try:
                self.fill = [float(a) for a in args if isinstance(a, (int, float))]
            except (TypeError, ValueError):
                self.fill = [0.0]
        elif op == b"Tr" and args:
            try:
                self.mode = int(args[0])
            except (TypeError, ValueError):
                self.mode = 0
        elif op == b"q":
            self.stack.append((self.fill, self.mode))
        elif op == b"Q" and self.stack:
            self.fill, self.mode = self.stack.pop()

    def text(self, text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip():
            if self.current:
                self.current.append(text)
            return
        why = self._why(cm, tm, size)
        if why != self.why:
            self.close()
            self.why = why
        if why:
            self.current.append(text)

    def _why(self, cm: list[float], tm: list[float], size: float) -> str:
        if self.mode == 3 and not self.has_images:
            return "invisible text"
        if self.fill and _is_white([str(v).encode() for v in self.fill]):
            return "white text"
        try:
            scale = math.sqrt(abs(tm[0] * tm[3] - tm[1] * tm[2]))
            scale *= math.sqrt(abs(cm[0] * cm[3] - cm[1] * cm[2]))
        except (TypeError, IndexError):
            scale = 1.0
        return "tiny text" if 0 < abs(size) * scale < TINY_PT else ""

    def close(self) -> None:
        if self.current and self.why:
            self.runs.append(("".join(self.current)[:_MAX_RUN], self.why))
        self.current = []
        self.why = ""


def remove_runs(text: str, runs: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]]:
    """``text`` without the hidden runs (matched whitespace-insensitively, in order), and the
    runs as they read in ``text``. A run not found is still returned: it will be shown twice
    rather than not flagged."""
    out: list[tuple[str, str]] = []
    position = 0
    for run, why in runs:
        chars = [re.escape(c) for c in run if not c.isspace()]
        if not chars:
            continue
        match = re.compile(r"\s*".join(chars)).search(text, position)
        if match is None:
            out.append((" ".join(run.split()), why))
            continue
        out.append((" ".join(match.group(0).split()), why))
        text = text[: match.start()] + "\n" + text[match.end() :]
        position = match.start()
    return text, out
