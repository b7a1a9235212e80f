"""Tools ▸ Models: every installed and catalogue model (the active one marked) with what it is,
its size, quantisation, sha256 and the fit a check would use on this machine; Make active,
Verify, Remove, Import (copy or link); the download panel; and the models found on this
computer. The rows come from ``app.services.models`` (the same figures as ``model list``);
long work runs through the one worker helper."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.catalogue import DEFAULT_MODEL
from app.ui.errors import show_error
from app.ui.found_models import FoundModels
from app.ui.model_download import DownloadPanel
from app.ui.session import Session
from app.ui.widgets import STYLE, card, heading
from app.ui.worker import Job, start_job

COLUMNS = ("Active", "Model", "What it is", "State", "Size", "Quantisation", "sha256", "Fit")
STATE_WORDS = {
    "installed": "installed",
    "linked": "linked (not copied)",
    "package": "built in",
    "not installed": "not installed",
    "unusable": "cannot be used",
}


class ModelManagerDialog(QDialog):
    changed = Signal()  # the installed models or the active one changed

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelManager")
        self.setWindowTitle("Models")
        self.setStyleSheet(STYLE)
        self.resize(1180, 860)
        self.session = session
        self.rows: list[Any] = []  # services.models.ModelRow, in the table's order
        self._job: Job[Any] | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Models"))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("modelTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.detail = QLabel("")
        self.detail.setObjectName("modelDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(self.detail.fontMetrics().lineSpacing() * 7)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.make_active_button = QPushButton("Make active")
        self.verify_button = QPushButton("Verify")
        self.remove_button = QPushButton("Remove")
        self.import_button = QPushButton("Import a file (copy)…")
        self.link_button = QPushButton("Link a file in place…")
        self.make_active_button.clicked.connect(self.make_active)
        self.verify_button.clicked.connect(self.verify)
        self.remove_button.clicked.connect(self.remove)
        self.import_button.clicked.connect(lambda: self.choose_import(link=False))
        self.link_button.clicked.connect(lambda: self.choose_import(link=True))
        actions = QHBoxLayout()
        for button in (
            self.make_active_button, self.verify_button, self.remove_button,
            self.import_button, self.link_button,
        ):  # fmt: skip
            actions.addWidget(button)
        actions.addStretch()
        self.status = QLabel("")
        self.status.setObjectName("managerStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.detail)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        self.download = DownloadPanel(DEFAULT_MODEL)
        self.download.downloaded.connect(lambda _item: self._changed())
        layout.addWidget(
            card(
                "Download",
                "From the catalogue's verified sources, tried in order; checked by sha256. A "
                "paused or interrupted download resumes where it stopped.",
                [self.download],
            )
        )
        self.found = FoundModels(session)
        self.found.imported.connect(lambda _item: self._changed())
        layout.addWidget(
            card(
                "Found on this computer",
                "Models LM Studio, Ollama or the Hugging Face cache already hold: use one in "
                "place instead of downloading it again.",
                [self.found],
            ),
            2,
        )
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(close)
        layout.addLayout(row)
        self._selection_changed()
        self.refresh()
        self.found.rescan()

    # the table ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Rows again (headers are read and the GPU asked: off the GUI thread)."""
        from app.services.models import model_rows

        settings = self.session.settings
        self._job = start_job(
            lambda _progress, _cancel, _text: model_rows(settings),
            "model list",
            self,
            on_done=self._show_rows,
            on_error=lambda error: show_error(self, "Models", error),
        )

    def _show_rows(self, rows: list[Any]) -> None:
        selected = self.selected()
        self.rows = list(rows)
        self.table.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            fit = row.fit
            cells = (
                "✔ active" if row.active else "",
                row.name,
                row.label or "—",
                STATE_WORDS[row.state],
                f"{row.size / 2**30:.2f} GB",
                row.quantization or "—",
                f"{row.sha256[:12]}…" if row.sha256 else "—",
                _fit_cell(fit) if fit is not None else "—",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(row.note or row.problem or row.title)
                self.table.setItem(index, column, item)
        self.table.resizeColumnsToContents()
        names = [r.name for r in self.rows]
        keep = names.index(selected.name) if selected and selected.name in names else 0
        if self.rows:
            self.table.selectRow(keep)
        self._selection_changed()

    def selected(self) -> Any | None:
        indexes = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.rows[indexes[0].row()] if indexes and self.rows else None

    def select(self, name: str) -> None:
        self.table.selectRow([r.name for r in self.rows].index(name))

    def _selection_changed(self) -> None:
        row = self.selected()
        self.make_active_button.setEnabled(bool(row and row.usable and not row.active))
        self.verify_button.setEnabled(bool(row and row.sha256))
        self.remove_button.setEnabled(bool(row and row.removable))
        self.detail.setText(_detail(row) if row else "")

    # actions --------------------------------------------------------------------------------
    def make_active(self) -> None:
        from app.services.models import make_active

        row = self.selected()
        if row is None:
            return
        try:
            settings, note = make_active(self.session.settings, row.name)
            self.session.update_settings(settings)
        except Exception as error:
            show_error(self, "The model was not made active", error)
            return
        self.status.setText(f"{row.name} is now the active model." + (f" {note}" * bool(note)))
        self._changed()

    def verify(self) -> None:
        from app.models.installed import verify

        row = self.selected()
        if row is None:
            return
        self._run(
            lambda progress, _cancel, _text: verify(row.name, progress),
            f"Verifying {row.name} (hashing every byte)…",
            lambda item: f"{item.name}: verified, sha256 {item.sha256}.",
        )

    def remove(self) -> None:
        from app.models.installed import remove

        row = self.selected()
        if row is None or not row.removable:
            return
        what = (
            "Only Safeguard Desk's record goes; the file stays where it is."
            if row.linked
            else f"Its file ({row.size / 2**30:.2f} GB) is deleted."
        )
        answer = QMessageBox.question(self, "Remove model", f"Remove {row.name}? {what}")
        if answer != QMessageBox.StandardButton.Yes:
            return
        if self.session.settings.model == row.name:  # no longer the active model
            self.session.update_settings(replace(self.session.settings, model=""))
        self._run(
            lambda _progress, _cancel, _text: remove(row.name),
            f"Removing {row.name}…",
            lambda _folder: f"{row.name} removed." + (" Its file was kept." * row.linked),
        )

    def choose_import(self, *, link: bool) -> None:
        title = "Link a model file in place" if link else "Import a model file"
        name, _ = QFileDialog.getOpenFileName(self, title, str(Path.home()), "GGUF (*.gguf)")
        if name:
            self.import_file(Path(name), link=link)

    def import_file(self, path: Path, *, link: bool = False) -> None:
        from app.models.installed import import_model

        def said(item: Any) -> str:
            how = "linked (not copied)" if item.linked else "imported"
            extra = f" {item.note}" if item.note else ""
            if item.kind == "other":
                extra += " It is not made the active model."
            return f"{item.name}: {how}.{extra}"

        self._run(
            lambda progress, cancel, _text: import_model(
                path, link=link, progress=progress, cancel=cancel
            ),
            f"{'Linking' if link else 'Copying'} {path.name} (hashing it once)…",
            said,
        )

    def _run(self, function: Any, busy: str, done: Any) -> None:
        self._set_busy(True, busy)

        def finished(result: Any) -> None:
            self._set_busy(False, done(result))
            self._changed()

        def failed(error: BaseException) -> None:
            self._set_busy(False, "")
            show_error(self, "Models", error)
            self.refresh()

        self._job = start_job(
            function, "models", self, on_done=finished, on_error=failed,
            on_progress=lambda event: self.status.setText(event.message or event.stage),
        )  # fmt: skip

    def _set_busy(self, busy: bool, status: str) -> None:
        for button in (self.import_button, self.link_button):
            button.setEnabled(not busy)
        if busy:
            for button in (self.make_active_button, self.verify_button, self.remove_button):
                button.setEnabled(False)
        else:
            self._selection_changed()
        self.status.setText(status)

    def _changed(self) -> None:
        self.refresh()
        self.changed.emit()


def _fit_cell(fit: Any) -> str:
    where = "CPU" if fit.gpu is None or fit.n_gpu_layers == 0 else "GPU"
    if fit.gpu is not None and fit.n_gpu_layers > 0:
        where = f"{fit.n_gpu_layers} layers on GPU"
    enough = "" if fit.fits else " — not enough memory"
    return f"{fit.n_ctx:,} tokens, {where}{enough}"


def _detail(row: Any) -> str:
    """The selected model in full (rich text: every value escaped)."""
    lines = [f"<b>{_escape(row.name)}</b> — {_escape(row.title)}"]
    if row.note:
        lines.append(_escape(row.note))
    if row.problem:
        lines.append(f"<b>Cannot be used:</b> {_escape(row.problem)}")
    if row.path is not None:
        linked = " (linked: used where it is)" if row.linked else ""
        lines.append(_escape(f"File: {row.path}{linked}"))
    if row.sha256:
        lines.append(f"sha256 {_escape(row.sha256)}")
    if row.fit is not None:
        lines.append(_escape(f"On this machine it {row.fit.summary()}"))
    return "<br>".join(lines)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
