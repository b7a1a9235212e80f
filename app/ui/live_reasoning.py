"""The model's reasoning streaming in while a check runs: an auditor pane, collapsed unless
asked for (the model's authors advise not showing the raw chain of thought to end users)."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QPlainTextEdit, QVBoxLayout, QWidget


class LiveReasoning(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Live reasoning (auditor view — the model's raw chain of thought)", parent)
        self.setCheckable(True)
        self.setChecked(False)
        layout = QVBoxLayout(self)
        self.text = QPlainTextEdit()
        self.text.setObjectName("liveReasoning")
        self.text.setReadOnly(True)
        self.text.setVisible(False)
        self.text.setPlaceholderText("The model's reasoning appears here while it works.")
        layout.addWidget(self.text)
        self.toggled.connect(self.text.setVisible)
        self._channel = ""

    def clear(self) -> None:
        self.text.clear()
        self._channel = ""

    def append(self, channel: str, text: str) -> None:
        """Streamed model output; a label line when the channel changes."""
        cursor = self.text.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        if channel != self._channel:
            self._channel = channel
            label = "reasoning" if channel == "analysis" else "answer"
            cursor.insertText(f"\n— {label} —\n")
        cursor.insertText(text)
        if self.text.isVisible():
            self.text.ensureCursorVisible()
