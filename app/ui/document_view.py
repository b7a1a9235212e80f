"""The document as the model saw it: located passages, tinted by the worst severity found in
them; a finding's exact quote is highlighted and scrolled to."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QBrush, QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextBrowser, QTextEdit, QWidget

from app.core.citations import quote_span
from app.core.documents import format_location
from app.ui.widgets import severity_colour

QUOTE_COLOUR = QColor("#ffd54f")


class DocumentView(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentView")
        self.setOpenLinks(False)
        self.positions: dict[str, tuple[int, int]] = {}  # passage id -> document range

    def show_passages(self, passages: list[dict[str, Any]], tints: dict[str, str]) -> None:
        """``passages`` as in the report JSON; ``tints``: passage id -> severity."""
        self.clear()
        cursor = QTextCursor(self.document())
        marker = QTextCharFormat()
        marker.setForeground(QColor("#5f6b7a"))
        marker.setFontPointSize(8)
        self.positions = {}
        for number, passage in enumerate(passages):
            if number:
                cursor.insertBlock()
            cursor.insertText(f"{passage['id']} · {format_location(passage['location'])}\n", marker)
            text_format = QTextCharFormat()
            if passage["id"] in tints:
                text_format.setBackground(severity_colour(tints[passage["id"]]))
            start = cursor.position()
            cursor.insertText(passage["text"], text_format)
            self.positions[passage["id"]] = (start, cursor.position())
            cursor.insertBlock()
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def retint(self, tints: dict[str, str]) -> None:
        """New tints after a review decision, without rebuilding the text (the scroll position
        and the highlighted quote stay)."""
        for passage_id, (start, end) in self.positions.items():
            cursor = QTextCursor(self.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            text_format = QTextCharFormat()
            if passage_id in tints:
                text_format.setBackground(severity_colour(tints[passage_id]))
            else:
                text_format.setBackground(QBrush())  # a merge keeps what is not set: unset it
            cursor.mergeCharFormat(text_format)

    def highlight(self, passage_id: str, quote: str, verified: bool) -> tuple[int, int]:
        """Select the quote inside its passage (the whole passage when the quote could not be
        verified) and scroll to it. Returns the highlighted range."""
        start, end = self.positions.get(passage_id, (0, 0))
        document = self.document()
        # toPlainText() counts one character per block break, as cursor positions do
        span = quote_span(quote, document.toPlainText()[start:end])
        if span is not None and verified:
            start, end = start + span[0], start + span[1]
        cursor = QTextCursor(document)
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        selection.format.setBackground(QUOTE_COLOUR)
        selection.format.setFontUnderline(True)
        self.setExtraSelections([selection])
        self.scroll_to(start)
        return start, end

    def scroll_to(self, position: int) -> None:
        """Bring ``position`` to the top third of the view (not the bottom edge, where
        ``ensureCursorVisible`` leaves it): the passage and what follows it are in sight."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(position)
        top = self.verticalScrollBar().value() + self.cursorRect(cursor).top()
        bar = self.verticalScrollBar()
        bar.setValue(max(bar.minimum(), min(bar.maximum(), top - self.viewport().height() // 3)))
