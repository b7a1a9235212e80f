"""First run: no model yet. Download the real model (the shared download panel: fit estimate,
progress, pause, cancel and resume), use a model already on this computer (LM Studio, Ollama, the
Hugging Face cache), import a GGUF file, or try the demo with the smoke-test model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from app.models.catalogue import DEFAULT_MODEL
from app.ui.errors import show_error
from app.ui.found_models import FoundModels
from app.ui.model_download import DownloadPanel
from app.ui.session import Session
from app.ui.widgets import card, heading
from app.ui.worker import Job, start_job


class WelcomePage(QWidget):
    model_ready = Signal()  # a model was downloaded, linked or imported
    demo_chosen = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        self.session = session
        self._job: Job[object] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 24, 48, 24)
        layout.setSpacing(12)
        layout.addWidget(heading("Welcome to Safeguard Desk", 22))
        intro = QLabel(
            "Safeguard Desk checks documents against your policies with a reasoning model that "
            "runs on this computer. Nothing leaves the machine. To start, it needs the model "
            "once — download it, use a copy already on this computer, import a file someone "
            "gave you, or look around with the demo."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.download = DownloadPanel(DEFAULT_MODEL)
        self.download.downloaded.connect(lambda _item: self.model_ready.emit())
        self.download.busy_changed.connect(self._download_busy)
        # the panel's parts, by the names the page always had
        self.download_button = self.download.download_button
        self.pause_button = self.download.pause_button
        self.cancel_button = self.download.cancel_button
        self.progress = self.download.progress
        self.status = self.download.status
        self.fit_label = self.download.fit_label
        layout.addWidget(
            card(
                "Download the model",
                "OpenAI's open-weight gpt-oss-safeguard-20b from Hugging Face, checked by its "
                "sha256. A paused or interrupted download resumes where it stopped.",
                [self.download],
            )
        )
        self.found = FoundModels(session)
        self.found.imported.connect(self._found_imported)
        layout.addWidget(
            card(
                "Found on this computer",
                "Models LM Studio, Ollama or the Hugging Face cache already hold. Use one in "
                "place (no copy of 12 GB) or copy it in.",
                [self.found],
            ),
            1,
        )
        self.import_button = QPushButton("Import a GGUF file…")
        self.import_button.clicked.connect(self.choose_import)
        self.import_status = QLabel("")
        self.import_status.setWordWrap(True)
        layout.addWidget(
            card(
                "Import a model file",
                "For air-gapped machines: a .gguf file from a USB stick or a share. It is copied "
                "into Safeguard Desk's data folder and hashed.",
                [self.import_button, self.import_status],
            )
        )
        self.demo_button = QPushButton("Open the demo")
        self.demo_button.setObjectName("demoButton")
        self.demo_button.clicked.connect(self.demo_chosen)
        demo_hint = QLabel("Uses the smoke-test model — verdicts meaningless.")
        demo_hint.setObjectName("warningText")
        layout.addWidget(
            card(
                "Try the demo",
                "A sample investment flyer checked with a tiny model that only proves the "
                "pipeline works.",
                [demo_hint, self.demo_button],
            )
        )
        self.found.rescan()

    # download (the shared panel) ------------------------------------------------------------
    def _download_busy(self, busy: bool) -> None:
        self.import_button.setEnabled(not busy)

    def start_download(self) -> None:
        self.download.start()

    def pause_download(self) -> None:
        self.download.pause()

    def cancel_download(self) -> None:
        self.download.cancel()

    # found and imported models --------------------------------------------------------------
    def _found_imported(self, item: Any) -> None:
        if item.kind != "other":  # a gemma file cannot stand in for the real model
            self.model_ready.emit()

    def choose_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import a model file", str(Path.home()), "GGUF models (*.gguf)"
        )
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> None:
        from app.models.installed import import_model

        self.import_button.setEnabled(False)
        self.import_status.setText(f"Importing {path.name}…")
        self._job = start_job(
            lambda progress, cancel, _text: import_model(path, progress=progress, cancel=cancel),
            "import",
            self,
            on_done=self._imported,
            on_error=self._on_import_failed,
            on_progress=lambda event: self.import_status.setText(event.message or event.stage),
        )

    def _imported(self, item: Any) -> None:
        self.import_button.setEnabled(True)
        self.import_status.setText(f"{item.name} imported." + (f" {item.note}" * bool(item.note)))
        if item.kind != "other":
            self.model_ready.emit()

    def _on_import_failed(self, error: BaseException) -> None:
        self.import_button.setEnabled(True)
        self.import_status.setText("")
        show_error(self, "Import failed", error)
