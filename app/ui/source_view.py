"""The regulation's own text, provision by provision, with the one a criterion restates
highlighted and scrolled into view (the left half of the wizard's side-by-side view)."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from app.core.regulation import Provision, Regulation


def ref_key(ref: str) -> str:
    return re.sub(r"\s+", "", ref).lower()


class SourceView(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourceView")
        self.setReadOnly(True)
        self.setFont(QFont("DejaVu Sans", 10))
        self.ranges: dict[str, tuple[int, int]] = {}  # ref -> (first line, last line), 0-based
        self.shown = ""  # the ref highlighted now

    def show_regulation(self, regulation: Regulation) -> None:
        lines: list[str] = [regulation.title, ""]
        self.ranges = {}
        chapter = ""
        for container in regulation.provisions:
            if container.chapter and container.chapter != chapter:
                chapter = container.chapter
                lines += [chapter.upper(), ""]
            self._add(container, lines, depth=0)
            lines.append("")
        self.setPlainText("\n".join(lines))
        self.shown = ""

    def _add(self, provision: Provision, lines: list[str], depth: int) -> None:
        first = len(lines)
        indent = "    " * depth
        if depth == 0:
            note = "   (feeds # Definitions)" if provision.is_definitions else ""
            lines.append(f"{provision.ref}  {provision.title}{note}".rstrip())
            if provision.text:
                lines.append(provision.text)
        else:
            lines.append(f"{indent}{provision.label} {provision.text}".rstrip())
        for child in provision.children:
            self._add(child, lines, depth + 1)
        self.ranges[ref_key(provision.ref)] = (first, len(lines) - 1)

    def show_provision(self, ref: str) -> bool:
        """Highlight the provision (and the paragraphs under it) and scroll to it."""
        span = self.ranges.get(ref_key(ref))
        if span is None:
            return False
        document = self.document()
        start = QTextCursor(document.findBlockByNumber(span[0]))
        end_block = document.findBlockByNumber(span[1])
        start.setPosition(
            end_block.position() + end_block.length() - 1, QTextCursor.MoveMode.KeepAnchor
        )
        mark = QTextEdit.ExtraSelection()
        mark.format.setBackground(QColor("#fff1b8"))
        mark.cursor = start
        self.setExtraSelections([mark])
        top = QTextCursor(document.findBlockByNumber(span[0]))
        self.setTextCursor(top)
        self.centerCursor()
        self.shown = ref
        return True

    def highlighted_text(self) -> str:
        selections = self.extraSelections()
        return selections[0].cursor.selectedText().replace("\u2029", "\n") if selections else ""
