"""Ctrl+F in the document: a bar with the words to find, next / previous (Enter, Shift+Enter),
the match count ("3 of 7") and Esc to close. Matches ignore case; the current one is selected
and scrolled to the top third of the view, like a finding's passage."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.ui.document_view import DocumentView


class FindBar(QWidget):
    def __init__(self, view: DocumentView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.view = view
        self.matches: list[tuple[int, int]] = []
        self.current = -1
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Find:"))
        self.field = QLineEdit()
        self.field.setObjectName("findField")
        self.field.setPlaceholderText("words in the document (Enter: next, Shift+Enter: previous)")
        self.field.textChanged.connect(self.search)
        self.field.installEventFilter(self)
        layout.addWidget(self.field, 1)
        self.previous_button = QPushButton("Previous")
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button = QPushButton("Next")
        self.next_button.clicked.connect(lambda: self.step(1))
        self.count = QLabel("")
        self.count.setObjectName("findCount")
        close = QPushButton("✕")
        close.setToolTip("Close (Esc)")
        close.setFixedWidth(28)
        close.clicked.connect(self.close_bar)
        for widget in (self.previous_button, self.next_button, self.count, close):
            layout.addWidget(widget)
        self.setVisible(False)

    def open_bar(self) -> None:
        self.setVisible(True)
        self.field.setFocus()
        self.field.selectAll()

    def close_bar(self) -> None:
        self.setVisible(False)
        self.view.setFocus()

    def search(self, text: str) -> None:
        plain = self.view.document().toPlainText()  # one character per block break, as cursors
        words = text.strip()
        self.matches = (
            [(m.start(), m.end()) for m in re.finditer(re.escape(words), plain, re.IGNORECASE)]
            if words
            else []
        )
        self.current = -1
        self.step(1)

    def step(self, step: int) -> None:
        if not self.matches:
            self.count.setText("no match" if self.field.text().strip() else "")
            return
        self.current = (self.current + step) % len(self.matches)
        start, end = self.matches[self.current]
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.view.setTextCursor(cursor)
        self.view.scroll_to(start)
        self.count.setText(f"{self.current + 1} of {len(self.matches)}")

    def eventFilter(self, watched: object, event: object) -> bool:
        pressed = isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress
        if watched is self.field and pressed:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                self.step(-1 if shift else 1)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
        return False
