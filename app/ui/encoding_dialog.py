"""Choose a text file's encoding when it was only guessed (a legacy code page): the start of
the file is shown decoded with the choice, so "Café crème" can be told from "CafÃ© crÃ¨me"
by eye. The check then reads the file with the chosen encoding."""

from __future__ import annotations

import codecs
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)

from app.services.preflight import ENCODINGS, preview_text


class EncodingDialog(QDialog):
    def __init__(self, path: Path, guess: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.setWindowTitle(f"Encoding of {path.name}")
        self.resize(640, 420)
        form = QFormLayout(self)
        intro = QLabel(
            f"Safeguard Desk guessed <b>{guess}</b>. If the text below looks wrong (accents "
            "replaced by odd symbols), choose the encoding it was written in."
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.choice = QComboBox()
        self.choice.setObjectName("encodingChoice")
        self.choice.setEditable(True)  # any codec Python knows, beyond the usual list
        self.choice.addItems(list(dict.fromkeys([guess, *ENCODINGS])))
        self.choice.setCurrentText(guess)
        self.choice.currentTextChanged.connect(self._preview)
        form.addRow("Encoding", self.choice)
        self.preview = QPlainTextEdit()
        self.preview.setObjectName("encodingPreview")
        self.preview.setReadOnly(True)
        form.addRow(self.preview)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._preview(guess)

    def encoding(self) -> str:
        return self.choice.currentText().strip()

    def _preview(self, encoding: str) -> None:
        try:
            codecs.lookup(encoding.strip())
            known = True
        except LookupError:
            known = False
        self.ok_button.setEnabled(known)
        try:
            self.preview.setPlainText(preview_text(self.path, encoding.strip()))
        except OSError as error:
            self.preview.setPlainText(f"(cannot read the file: {error.strerror or error})")
