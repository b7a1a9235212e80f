""" "Found on this computer": GGUF models already in LM Studio's, Ollama's or the Hugging Face
cache's folders (and folders the user adds), each said for what it is, to use in place (linked:
hashed once, never copied) or copy in. Shown on the welcome page and in Tools ▸ Models; the scan
and the import run through the one worker helper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.errors import show_error
from app.ui.session import Session
from app.ui.worker import Job, start_job

COLUMNS = ("What it is", "Size", "Quantisation", "Context", "Found in", "File")


class FoundModels(QWidget):
    imported = Signal(object)  # the Installed model

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.found: list[Any] = []  # services.models.FoundModel, in the list's order
        self._job: Job[Any] | None = None
        self._running = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tree = QTreeWidget()
        self.tree.setObjectName("foundModels")
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setMinimumHeight(90)
        self.tree.setMaximumHeight(170)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.status = QLabel("")
        self.status.setObjectName("foundStatus")
        self.status.setWordWrap(True)
        self.detail = QLabel("")  # what the selected file is, when it is not the safeguard model
        self.detail.setObjectName("warningText")
        self.detail.setWordWrap(True)
        self.link_button = QPushButton("Use in place (link)")
        self.link_button.setToolTip(
            "Register the file where it is: hashed once, never copied; if it changes or moves, "
            "Safeguard Desk stops using it until it is verified again."
        )
        self.copy_button = QPushButton("Copy in")
        self.copy_button.setToolTip("Copy the file into Safeguard Desk's data folder (hashed).")
        self.rescan_button = QPushButton("Search again")
        self.folder_button = QPushButton("Add a folder…")
        self.link_button.clicked.connect(lambda: self.import_selected(link=True))
        self.copy_button.clicked.connect(lambda: self.import_selected(link=False))
        self.rescan_button.clicked.connect(self.rescan)
        self.folder_button.clicked.connect(self.choose_folder)
        buttons = QHBoxLayout()
        for button in (self.link_button, self.copy_button, self.rescan_button, self.folder_button):
            buttons.addWidget(button)
        buttons.addStretch()
        layout.addWidget(self.tree)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self._selection_changed()

    # scanning -------------------------------------------------------------------------------
    def rescan(self) -> None:
        from app.services.models import found_models

        settings, home, environ = (
            self.session.settings, self.session.scan_home, self.session.scan_environ,
        )  # fmt: skip
        self._busy(True, "Looking in LM Studio's, Ollama's and the Hugging Face cache's folders…")
        self._job = start_job(
            lambda _progress, _cancel, _text: found_models(settings, home=home, environ=environ),
            "model scan",
            self,
            on_done=self._scanned,
            on_error=self._failed,
        )

    def _scanned(self, result: tuple[list[Any], Any]) -> None:
        found, scanned = result
        self.found = list(found)
        self.tree.clear()
        for entry in self.found:
            f = entry.found
            what = f.identity.label + (
                f" — installed as {entry.installed_as}" * bool(entry.installed_as)
            )
            item = QTreeWidgetItem(
                [what, f"{f.size / 2**30:.2f} GB", f.quantization, f"{f.context_length:,}",
                 f.where, str(f.path)]
            )  # fmt: skip
            item.setToolTip(0, f.identity.note or f.identity.evidence)
            item.setToolTip(5, str(f.path))
            self.tree.addTopLevelItem(item)
        for column in range(len(COLUMNS) - 1):
            self.tree.resizeColumnToContents(column)
        folders = len(scanned.searched)
        skipped = (
            f"; {len(scanned.skipped)} file(s) could not be read (point here to see why)"
            if scanned.skipped
            else ""
        )
        if not folders:
            said = "No LM Studio, Ollama or Hugging Face cache folder on this computer; Add a "
            said += "folder… to search another"
        elif not self.found:
            said = f"No model file found in the {folders} folder(s) searched"
        else:
            said = f"{len(self.found)} model file(s) found in {folders} folder(s) searched"
        self._busy(False, f"{said}{skipped}.")
        self.status.setToolTip(
            "\n".join(
                ["Searched:", *(str(p) for p in scanned.searched)]
                + [f"Not read: {s.path}: {s.reason}" for s in scanned.skipped]
            )
        )
        first = self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder to search", str(Path.home()))
        if folder:
            self.add_folder(Path(folder))

    def add_folder(self, folder: Path) -> None:
        """Searched from now on (Settings keep it), and searched at once."""
        from dataclasses import replace

        settings = self.session.settings
        if str(folder) not in settings.model_folders:
            try:
                self.session.update_settings(
                    replace(settings, model_folders=(*settings.model_folders, str(folder)))
                )
            except Exception as error:
                show_error(self, "The folder was not added", error)
                return
        self.rescan()

    # importing ------------------------------------------------------------------------------
    def selected(self) -> Any | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        return self.found[self.tree.indexOfTopLevelItem(item)]

    def import_selected(self, *, link: bool) -> None:
        from app.models.installed import import_model

        entry = self.selected()
        if entry is None:
            return
        f = entry.found
        how = "Linking" if link else "Copying"
        self._busy(True, f"{how} {f.path.name} (hashing it once)…")
        self._job = start_job(
            lambda progress, cancel, _text: import_model(
                f.path,
                f.suggested_name or None,
                link=link,
                expected_sha256=f.sha256 or None,
                hint=f.where,
                progress=progress,
                cancel=cancel,
            ),
            "import",
            self,
            on_done=self._imported,
            on_error=self._failed,
            on_progress=lambda event: self.status.setText(event.message or event.stage),
        )

    def _imported(self, item: Any) -> None:
        how = "linked (not copied)" if item.linked else "copied in"
        self._busy(False, f"{item.name}: {how}." + (f" {item.note}" if item.note else ""))
        self.imported.emit(item)
        self.rescan()

    def _failed(self, error: BaseException) -> None:
        self._busy(False, "")
        show_error(self, "Models", error)

    def _busy(self, busy: bool, status: str) -> None:
        for button in (self.rescan_button, self.folder_button):
            button.setEnabled(not busy)
        self.status.setText(status)
        self._running = busy
        self._selection_changed()

    def _selection_changed(self) -> None:
        entry = self.selected()
        usable = entry is not None and not entry.installed_as and not self._running
        self.link_button.setEnabled(usable)
        self.copy_button.setEnabled(usable)
        self.detail.setText(entry.found.identity.note if entry is not None else "")
        self.detail.setVisible(bool(self.detail.text()))
