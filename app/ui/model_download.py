"""The one download panel of the app (the welcome page and Tools ▸ Models both show it): the fit
estimate for this machine, Download / Pause / Cancel, progress, and an access token for gated
repositories. A paused or interrupted download resumes where it stopped; Cancel deletes the
partial file. The work runs through the one worker helper (``start_job``)."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
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
from app.ui.worker import Job, start_job

log = logging.getLogger(__name__)


class DownloadPanel(QWidget):
    downloaded = Signal(object)  # the Installed model
    busy_changed = Signal(bool)  # other buttons of the page wait while it runs

    def __init__(self, name: str = DEFAULT_MODEL, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._job: Job[Any] | None = None
        self._paused = False
        entry = catalogue().get(name, {})
        size = entry.get("approx_bytes", 0) / 2**30
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.fit_label = QLabel(fit_text(entry))
        self.fit_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel("")
        self.status.setObjectName("downloadStatus")
        self.status.setWordWrap(True)
        self.download_button = QPushButton(f"Download {name} ({size:.1f} GB)")
        self.download_button.setObjectName("downloadButton")
        self.pause_button = QPushButton("Pause")
        self.cancel_button = QPushButton("Cancel")
        for button in (self.pause_button, self.cancel_button):
            button.setVisible(False)
        self.download_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.pause)
        self.cancel_button.clicked.connect(self.cancel)
        self.token = QLineEdit()
        self.token.setObjectName("hubToken")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(
            "access token, only for a gated repository (kept in the keyring)"
        )
        buttons = QHBoxLayout()
        for button in (self.download_button, self.pause_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addWidget(self.token, 1)
        layout.addWidget(self.fit_label)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)

    @property
    def running(self) -> bool:
        return self._job is not None and not self._job.done

    def start(self) -> None:
        from app.models.download import download
        from app.runtime.secrets import HUB_TOKEN, get_token, set_secret

        typed = self.token.text().strip()
        if typed:
            warning = set_secret(HUB_TOKEN, typed)
            if warning:
                log.warning("%s", warning)
            self.token.clear()
        entry = catalogue()[self.name]
        token = get_token()
        self._paused = False
        self._set_busy(True, "Contacting the hub…")
        self._job = start_job(
            lambda progress, cancel, _text: download(
                self.name, entry, token=token, progress=progress, cancel=cancel
            ),
            "download",
            self,
            on_done=self._on_done,
            on_error=self._on_failed,
            on_progress=self._on_progress,
        )

    def pause(self) -> None:
        if self._job is not None:
            self._paused = True
            self._job.cancel()

    def cancel(self) -> None:
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

    def _on_done(self, item: Any) -> None:
        source = f" from {item.repo_id}" if getattr(item, "repo_id", "") else ""
        note = f" {item.note}" if getattr(item, "note", "") else ""
        self._set_busy(False, f"Downloaded{source} and verified.{note}")
        self.downloaded.emit(item)

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, Cancelled):
            if self._paused:
                self._set_busy(False, "Paused. Press Download to resume where it stopped.")
                self.download_button.setText("Resume download")
                return
            from app.models.download import discard_partial

            discard_partial(self.name, catalogue()[self.name])
            self._set_busy(False, "Download cancelled; the partial file was deleted.")
            return
        self._set_busy(False, "The download stopped; what arrived is kept for a resume.")
        show_error(self, "Download failed", error)

    def _set_busy(self, busy: bool, status: str) -> None:
        self.download_button.setEnabled(not busy)
        self.token.setEnabled(not busy)
        self.pause_button.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.progress.setVisible(busy)
        self.status.setText(status)
        self.busy_changed.emit(busy)


def fit_text(entry: dict[str, Any]) -> str:
    """The catalogue model's fit on this machine, in a sentence."""
    if "shape" not in entry:
        return ""
    gpu = detect_gpu()
    fit = estimate_for_entry(entry, gpu)
    summary = fit.summary().split("; CPU only")[0]  # said once, in our own words
    context = f" with a context of {fit.n_ctx:,} tokens"
    where = f"On this machine ({gpu.name})" if gpu else "No NVIDIA GPU found: it runs on the CPU"
    return (
        f"{where}{context} it {summary}." if gpu else f"{where} (slow); {context[1:]} it {summary}."
    )
