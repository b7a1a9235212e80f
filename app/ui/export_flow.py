"""Export… of a run: the reviewed report as PDF or JSON, offered in the document's own folder
(where a reviewer files it), written on the worker, then a message saying where it went with
Open and Show in folder. An export never replaces the document it reports on."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.core.errors import InputError
from app.core.progress import CancelToken, Progress
from app.services.exports import export_json, export_pdf
from app.ui.errors import show_error
from app.ui.session import Session
from app.ui.worker import Job, start_job

FILTERS = "PDF report (*.pdf);;JSON report (*.json)"


def default_target(document: Path, suffix: str = ".pdf") -> Path:
    """``<document folder>/<stem>-report.pdf``; the home folder when that folder is gone."""
    folder = document.parent if document.parent.is_dir() else Path.home()
    return folder / f"{document.stem}-report{suffix}"


class ExportFlow(QObject):
    running = Signal(bool)  # the page disables its Export button meanwhile

    def __init__(self, session: Session, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.page = parent
        self.job: Job[str] | None = None
        self.done_box: QMessageBox | None = None
        self.target = Path()

    def choose(self, run_id: int, document: Path) -> None:
        name, chosen = QFileDialog.getSaveFileName(
            self.page, "Export the reviewed report", str(default_target(document)), FILTERS
        )
        if not name:
            return
        target = Path(name)
        if not target.suffix:
            target = target.with_suffix(".json" if "json" in chosen.lower() else ".pdf")
        self.export(run_id, document, target)

    def export(self, run_id: int, document: Path, target: Path) -> Job[str] | None:
        """Write the reviewed report on the worker; the job's result is its sha256."""
        if target.exists() and document.exists() and target.samefile(document):
            show_error(
                self.page, "Export refused",
                InputError("is the document itself: choose another file name", path=target),
            )  # fmt: skip
            return None
        session = self.session

        def work(progress: Progress, cancel: CancelToken, _text: object) -> str:
            store = session.open_store()  # this thread's own connection
            try:
                if target.suffix.lower() == ".json":
                    return export_json(store, run_id, target)
                return export_pdf(store, run_id, target)
            finally:
                store.close()

        self.target = target
        self.running.emit(True)
        self.job = start_job(work, "export", self, on_done=self._done, on_error=self._failed)
        return self.job

    def _done(self, digest: str) -> None:
        self.running.emit(False)
        target = self.target
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Report exported",
            f"The reviewed report was written to\n{target}",
            parent=self.page,
        )
        box.setObjectName("exportedDialog")
        box.setInformativeText(
            f"Its sha256 ({digest[:16]}…) is recorded in the audit log, so `safeguard-desk "
            "report verify` can tell it from a changed copy."
        )
        open_file = box.addButton("Open", QMessageBox.ButtonRole.ActionRole)
        show_folder = box.addButton("Show in folder", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        open_file.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(target))))
        show_folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(target.parent)))
        )
        self.done_box = box
        box.open()

    def _failed(self, error: BaseException) -> None:
        self.running.emit(False)
        show_error(self.page, "Export failed", error)
