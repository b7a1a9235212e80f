"""Sign off a run: approve, changes required or reject, with a note and the reviewer's name
(Settings). Approve is offered only when every finding is decided (the store refuses it
otherwise, in the same transaction); the other two need a note saying what and why."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.core.types import SIGNOFF_OUTCOMES

CHOICES = {
    "approve": "Approve: the check is right as reviewed; the document may go ahead",
    "changes-required": "Changes required: the document must change before it may go ahead",
    "reject": "Reject: the document may not go ahead",
}


class SignoffDialog(QDialog):
    def __init__(
        self, document: str, reviewer: str, undecided: int, total: int,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("signoffDialog")
        self.setWindowTitle(f"Sign off {document}")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Signed as <b>{reviewer}</b> (Settings ▸ Reviewer name)"))
        self.group = QButtonGroup(self)
        self.choices: dict[str, QRadioButton] = {}
        for outcome in SIGNOFF_OUTCOMES:
            button = QRadioButton(CHOICES[outcome])
            button.setObjectName(f"signoff-{outcome}")
            self.group.addButton(button)
            self.choices[outcome] = button
            layout.addWidget(button)
            button.toggled.connect(self._update)
        approve = self.choices["approve"]
        if undecided:
            approve.setEnabled(False)
            approve.setToolTip(
                f"{undecided} of {total} finding(s) are undecided: decide them before approving"
            )
            layout.addWidget(
                QLabel(f"Approve is not available: {undecided} of {total} finding(s) undecided.")
            )
        self.note = QPlainTextEdit()
        self.note.setObjectName("signoffNote")
        self.note.setPlaceholderText("Note (required to ask for changes or to reject)")
        self.note.textChanged.connect(self._update)
        layout.addWidget(self.note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Sign off")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update()

    def outcome(self) -> str:
        return next((o for o, b in self.choices.items() if b.isChecked()), "")

    def note_text(self) -> str:
        return self.note.toPlainText().strip()

    def _update(self) -> None:
        outcome = self.outcome()
        ready = bool(outcome) and (outcome == "approve" or bool(self.note_text()))
        self.ok_button.setEnabled(ready)
        self.ok_button.setToolTip("" if ready else "Choose an outcome; the other two need a note")
