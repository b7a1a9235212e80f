"""First run: no model yet. Download the real model (with fit estimate, progress, pause,
cancel and resume), import a GGUF file, or try the demo with the smoke-test model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import Cancelled
from app.core.progress import ProgressEvent
from app.models.catalogue import DEFAULT_MODEL, catalogue
from app.models.fit import detect_gpu, estimate_for_entry
from app.ui.errors import show_error
from app.ui.widgets import card, heading
from app.ui.worker import Job, start_job


class WelcomePage(QWidget):
    model_ready = Signal()  # a model was downloaded or imported
    demo_chosen = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        self._job: Job[object] | None = None
        entry = catalogue().get(DEFAULT_MODEL, {})
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.setSpacing(14)
        layout.addWidget(heading("Welcome to Safeguard Desk", 22))
        intro = QLabel(
            "Safeguard Desk checks documents against your policies with a reasoning model that "
            "runs on this computer. Nothing leaves the machine. To start, it needs the model "
            "once — download it, import a file someone gave you, or look around with the demo."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        size = entry.get("approx_bytes", 0) / 2**30
        self.fit_label = QLabel(_fit_text(entry))
        self.fit_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.download_button = QPushButton(f"Download {DEFAULT_MODEL} ({size:.1f} GB)")
        self.download_button.setObjectName("downloadButton")
        self.pause_button = QPushButton("Pause")
        self.cancel_button = QPushButton("Cancel")
        for button in (self.pause_button, self.cancel_button):
            button.setVisible(False)
        self.download_button.clicked.connect(self.start_download)
        self.pause_button.clicked.connect(self.pause_download)
        self.cancel_button.clicked.connect(self.cancel_download)
        buttons = QHBoxLayout()
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch()
        layout.addWidget(
            card(
                "Download the model",
                "OpenAI's open-weight gpt-oss-safeguard-20b from Hugging Face, checked by its "
                "sha256. A paused or interrupted download resumes where it stopped.",
                [self.fit_label, buttons, self.progress, self.status],
            )
        )
        self.import_button = QPushButton("Import a GGUF file…")
        self.import_button.clicked.connect(self.choose_import)
        layout.addWidget(
            card(
                "Import a model file",
                "For air-gapped machines: a .gguf file from a USB stick or a share. It is copied "
                "into Safeguard Desk's data folder and hashed.",
                [self.import_button],
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
        layout.addStretch()

    # download -------------------------------------------------------------------------------
    def start_download(self) -> None:
        from app.models.download import download
        from app.runtime.secrets import get_token

        entry = catalogue()[DEFAULT_MODEL]
        token = get_token()
        self._set_busy(True, "Contacting the hub…")
        self._job = start_job(
            lambda progress, cancel, _text: download(
                DEFAULT_MODEL, entry, token=token, progress=progress, cancel=cancel
            ),
            "download",
            self,
            on_done=self._on_done,
            on_error=self._on_failed,
            on_progress=self._on_progress,
        )

    def pause_download(self) -> None:
        if self._job is not None:
            self._paused = True
            self._job.cancel()

    def cancel_download(self) -> None:
        if self._job is not None:
            self._paused = False
            self._job.cancel()

    def _on_progress(self, event: ProgressEvent) -> None:
        self.progress.setVisible(True)
        if event.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * event.done / event.total))
        else:
            self.progress.setRange(0, 0)
        self.status.setText(event.message or event.stage)

    def _on_done(self, _result: object) -> None:
        self._set_busy(False, "Downloaded and verified.")
        self.model_ready.emit()

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, Cancelled):
            if getattr(self, "_paused", False):
                self._set_busy(False, "Paused. Press Download to resume where it stopped.")
                self.download_button.setText("Resume download")
                return
            from app.models.download import discard_partial

            discard_partial(DEFAULT_MODEL, catalogue()[DEFAULT_MODEL])
            self._set_busy(False, "Download cancelled; the partial file was deleted.")
            return
        self._set_busy(False, "The download stopped; what arrived is kept for a resume.")
        show_error(self, "Download failed", error)

    def _set_busy(self, busy: bool, status: str) -> None:
        self.download_button.setEnabled(not busy)
        self.import_button.setEnabled(not busy)
        self.pause_button.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.progress.setVisible(busy)
        self.status.setText(status)

    # import ---------------------------------------------------------------------------------
    def choose_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import a model file", str(Path.home()), "GGUF models (*.gguf)"
        )
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> None:
        from app.models.installed import import_model

        self._set_busy(True, f"Importing {path.name}…")
        self._job = start_job(
            lambda progress, cancel, _text: import_model(path, progress=progress, cancel=cancel),
            "import",
            self,
            on_done=self._on_done,
            on_error=self._on_import_failed,
            on_progress=self._on_progress,
        )

    def _on_import_failed(self, error: BaseException) -> None:
        self._set_busy(False, "")
        show_error(self, "Import failed", error)


def _fit_text(entry: dict[str, Any]) -> str:
    if "shape" not in entry:
        return ""
    gpu = detect_gpu()
    summary = (
        estimate_for_entry(entry, gpu).summary().split("; CPU only")[0]
    )  # said once, in our own words
    where = f"On this machine ({gpu.name})" if gpu else "No NVIDIA GPU found: it runs on the CPU"
    return f"{where} it {summary}." if gpu else f"{where} (slow) and {summary}."
