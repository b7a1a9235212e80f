"""The check page's run controls: the case, Start and Cancel, the progress bar and the one
progress line under it (``ProgressLine``: document, stage, policy, time so far, escalations),
redrawn every second so the clock moves while the model thinks."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.progress import ProgressEvent
from app.ui.progress_line import STAGE_WORDS, ProgressLine


class RunBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Case:"))
        self.case = QComboBox()
        self.case.setObjectName("caseChoice")
        self.case.setEditable(True)  # a new name starts a new case
        self.case.setToolTip("Checks of one matter share a case; the Checks page groups by it")
        self.case.setMinimumWidth(160)
        self.start_button = QPushButton("Start check")
        self.start_button.setObjectName("startButton")
        self.start_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setObjectName("checkProgress")
        self.progress.setValue(0)
        for widget in (self.case, self.start_button, self.cancel_button):
            row.addWidget(widget)
        row.addWidget(self.progress, 1)
        layout.addLayout(row)
        self.stage = QLabel("Ready.")
        self.stage.setObjectName("stageLabel")
        self.stage.setWordWrap(True)
        layout.addWidget(self.stage)
        self.line = ProgressLine()
        self.elapsed = QElapsedTimer()
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self.redraw)

    def set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        if running:
            self.progress.setRange(0, 0)
            self.line = ProgressLine()
            self.elapsed.start()
            self.clock.start()
            self.redraw()
        else:
            self.clock.stop()

    def redraw(self) -> None:
        self.stage.setText(self.line.text(self.elapsed.elapsed() / 1000))

    def show_progress(self, event: ProgressEvent) -> None:
        self.line.update(event)
        self.redraw()
        if event.stage == "document":
            return  # the line names it; the bar follows the stages within the document
        words = STAGE_WORDS.get(event.stage, event.stage.capitalize())
        if event.total:
            self.progress.setRange(0, event.total)
            self.progress.setValue(event.done)
            self.progress.setFormat(f"{words} %v of %m")
        else:
            self.progress.setRange(0, 0)

    def stopped(self, text: str, done: bool) -> None:
        self.set_running(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(1 if done else 0)
        self.stage.setText(text)

    def took(self) -> str:
        minutes, seconds = divmod(int(self.elapsed.elapsed() / 1000), 60)
        return f"{minutes}:{seconds:02d}"

    def reset(self) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.resetFormat()
        self.stage.setText("Ready.")
