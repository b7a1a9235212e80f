"""Settings: model, GPU layers, context length, threads, default effort, reading limits (OCR
of scanned pages included), the reviewer's name. One typed schema (``app.core.settings``) with
a version; saved as JSON in the data folder."""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app.core.types import EFFORTS
from app.models.catalogue import catalogue
from app.models.installed import list_installed
from app.runtime.secrets import SERVER_KEY, get_secret, set_secret, user_name
from app.ui.errors import show_error
from app.ui.session import Session

log = logging.getLogger(__name__)


class SettingsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.session = session
        settings = session.settings
        form = QFormLayout(self)
        self.model = QComboBox()
        self.model.addItem("Automatic (the best installed model)", "")
        names = [item.name for item in list_installed()]
        names += [name for name, entry in catalogue().items() if entry.get("python_package")]
        for name in dict.fromkeys(names):
            self.model.addItem(name, name)
        index = self.model.findData(settings.model)
        self.model.setCurrentIndex(max(index, 0))
        self.gpu_layers = _spin(-1, 999, settings.gpu_layers, "Automatic (as many as fit)")
        self.context = _spin(0, 131072, settings.context_length, "Automatic (as large as fits)")
        self.context.setSingleStep(1024)
        self.threads = _spin(0, 256, settings.threads, "Automatic (all cores)")
        self.effort = QComboBox()
        self.effort.addItems(list(EFFORTS))
        self.effort.setCurrentText(settings.default_effort)
        limits = settings.limits
        self.max_mb = _spin(1, 10_000, limits.max_file_mb, "")
        self.max_pages = _spin(1, 100_000, limits.max_pages, "")
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(1, 36_000)
        self.timeout.setValue(limits.timeout_s)
        self.timeout.setSuffix(" s")
        self.ocr = QCheckBox("Read pages without a text layer (scans) by OCR")
        self.ocr.setObjectName("ocrSetting")
        self.ocr.setChecked(limits.ocr)
        self.ocr.setToolTip(
            "Off: such pages are listed as not read, and the verdict is at best needs review"
        )
        self.max_ocr_pages = _spin(1, 100_000, limits.max_ocr_pages, "")
        self.max_ocr_pages.setToolTip("A few seconds a page; pages past it are listed as unread")
        self.ocr.toggled.connect(self.max_ocr_pages.setEnabled)
        self.max_ocr_pages.setEnabled(limits.ocr)
        self.reviewer = QLineEdit(settings.reviewer)
        self.reviewer.setObjectName("reviewerSetting")
        self.reviewer.setMaxLength(100)
        self.reviewer.setPlaceholderText(f"{user_name()} (the computer's user name)")
        self.reviewer.setToolTip("Recorded with every decision and sign-off, and in the audit log")
        self.server_url = QLineEdit(settings.server_url)
        self.server_url.setPlaceholderText("empty: the local model; or http://gpu-server:8000")
        self.server_model = QLineEdit(settings.server_model)
        self.server_model.setPlaceholderText("the model's name on the server")
        self.parallel = _spin(0, 64, settings.parallel, "As many as the server runs at once")
        self.parallel.setObjectName("parallelSetting")
        self.parallel.setToolTip(
            "Documents of one check sent to the server at once (llama.cpp's server says how many "
            "it runs; otherwise 4). The local model always checks one at a time."
        )
        self.server_key = QLineEdit()
        self.server_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.server_key.setPlaceholderText(
            "stored in the keyring" if get_secret(SERVER_KEY) else "API key (optional)"
        )
        form.addRow("Model", self.model)
        form.addRow("GPU layers", self.gpu_layers)
        form.addRow("Context length (tokens)", self.context)
        form.addRow("CPU threads", self.threads)
        form.addRow("Default reasoning effort", self.effort)
        form.addRow("Largest file to read (MB)", self.max_mb)
        form.addRow("Most PDF pages", self.max_pages)
        form.addRow("Reading time limit per file", self.timeout)
        form.addRow("OCR", self.ocr)
        form.addRow("Most pages to OCR per file", self.max_ocr_pages)
        form.addRow("Reviewer name", self.reviewer)
        form.addRow("On-prem server (OpenAI-compatible)", self.server_url)
        form.addRow("Model on the server", self.server_model)
        form.addRow("Documents at once on the server", self.parallel)
        form.addRow("Server API key", self.server_key)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def save(self) -> None:
        current = self.session.settings
        updated = replace(
            current,
            model=str(self.model.currentData() or ""),
            gpu_layers=self.gpu_layers.value(),
            context_length=self.context.value(),
            threads=self.threads.value(),
            default_effort=self.effort.currentText(),
            server_url=self.server_url.text().strip(),
            server_model=self.server_model.text().strip(),
            parallel=self.parallel.value(),
            limits=replace(
                current.limits,  # what the dialog does not show is kept
                max_file_mb=self.max_mb.value(),
                max_pages=self.max_pages.value(),
                timeout_s=self.timeout.value(),
                ocr=self.ocr.isChecked(),
                max_ocr_pages=self.max_ocr_pages.value(),
            ),
            reviewer=self.reviewer.text().strip(),
        )
        try:
            self.session.update_settings(updated)
            if self.server_key.text().strip():
                warning = set_secret(SERVER_KEY, self.server_key.text())
                if warning:
                    log.warning("%s", warning)
        except Exception as error:
            show_error(self, "Settings were not saved", error)
            return
        self.accept()


def _spin(low: int, high: int, value: int, special: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    if special:
        spin.setSpecialValueText(special)  # shown for the lowest value: the automatic choice
    return spin
