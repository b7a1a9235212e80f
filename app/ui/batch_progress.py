"""The batch view's progress for documents checked at once on a server (``parallel``): a row per
document in flight (its name, its stage, a bar), and a line with how many are done.

Fed by the check's ``ProgressEvent``s, each of which names its document (``event.document``):
``in flight`` (how many at once) shows the widget, ``document`` adds a row, the check's own
stages (reading, reasoning, checking citations) update it, ``document finished`` takes it away
and counts it. It knows nothing else of the check page, so whichever page runs a batch can
hold one and hand it every event.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from app.core.progress import ProgressEvent

STAGES = {  # the words a row shows for the pipeline's stages
    "document": "Waiting to be read",
    "reading": "Reading",
    "triage": "Screening",
    "reasoning": "Reasoning",
    "checking citations": "Checking citations",
}


class _Row:
    def __init__(self, grid: QGridLayout, line: int, name: str) -> None:
        self.name = QLabel(name)
        self.name.setObjectName("batchDocument")
        self.stage = QLabel(STAGES["document"])
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until a stage says how far it is
        self.bar.setTextVisible(False)
        self.bar.setMaximumWidth(160)
        for column, widget in enumerate((self.name, self.stage, self.bar)):
            grid.addWidget(widget, line, column)

    def update(self, event: ProgressEvent) -> None:
        words = STAGES.get(event.stage, event.stage.capitalize())
        detail = f" {event.done} of {event.total}" if event.total else ""
        self.stage.setText(f"{words}{detail}")
        if event.total:
            self.bar.setRange(0, event.total)
            self.bar.setValue(event.done)
        else:
            self.bar.setRange(0, 0)

    def remove(self) -> None:
        for widget in (self.name, self.stage, self.bar):
            widget.setParent(None)
            widget.deleteLater()


class BatchProgress(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchProgress")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel()
        self.summary.setObjectName("batchSummary")
        layout.addWidget(self.summary)
        self._grid = QGridLayout()
        self._grid.setColumnStretch(0, 2)
        self._grid.setColumnStretch(1, 1)
        layout.addLayout(self._grid)
        self.last = QLabel()  # the latest document done and its verdict
        self.last.setObjectName("batchLast")
        layout.addWidget(self.last)
        self._rows: dict[str, _Row] = {}
        self._lines = 0
        self.reset()

    def reset(self) -> None:
        """Empty and hidden, for the next check."""
        for row in self._rows.values():
            row.remove()
        self._rows.clear()
        self.parallel = 0
        self.finished = 0
        self.total = 0
        self.summary.clear()
        self.last.clear()
        self.setVisible(False)

    def in_flight(self) -> dict[str, str]:
        """Document (its path) -> the stage its row shows."""
        return {name: row.stage.text() for name, row in self._rows.items()}

    def on_progress(self, event: ProgressEvent) -> None:
        if event.stage == "in flight":
            self.parallel = event.total
            self.setVisible(True)
            self._show_summary()
            return
        if not event.document or not self.parallel:
            return  # one document at a time: the page's own bar says it all
        name = Path(event.document).name
        if event.stage == "document finished":
            row = self._rows.pop(event.document, None)
            if row is not None:
                row.remove()
            self.finished, self.total = event.done, event.total
            self.last.setText(f"Last done: {name} — {event.message.replace('_', ' ')}")
            self._show_summary()
            return
        row = self._rows.get(event.document)
        if row is None:
            self._lines += 1  # a fresh grid line: removed rows leave theirs empty
            row = self._rows[event.document] = _Row(self._grid, self._lines, name)
        row.update(event)
        self._show_summary()

    def _show_summary(self) -> None:
        done = f"{self.finished} of {self.total} done" if self.total else "starting"
        self.summary.setText(
            f"{len(self._rows)} of up to {self.parallel} documents in flight on the server · {done}"
        )
