"""Back to the original file from a result: an annotated copy for the author (Word comments, PDF
highlights, or an annotated HTML copy), the cited PDF page as it is printed with the quote
marked, the original in the desktop's viewer, and a reviewed finding as a policy test case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import InputError
from app.core.progress import CancelToken, Progress
from app.services.annotations import AnnotatedExport, export_annotated, suggested_target
from app.store.records import StoredFinding
from app.ui.errors import show_error
from app.ui.page_view import PageView, open_in_system_viewer
from app.ui.session import Session
from app.ui.worker import Job, start_job


class OriginalActions(QWidget):
    """A row of buttons in the result header; ``show_run`` and ``show_finding`` keep it current."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.run_id = 0
        self.document = Path()
        self.media_type = ""
        self.finding: StoredFinding | None = None
        self.job: Job[AnnotatedExport] | None = None
        self.page_dialog: QDialog | None = None
        self.done_box: QMessageBox | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.annotate_button = QPushButton("Annotated copy…")
        self.annotate_button.setObjectName("annotateButton")
        self.annotate_button.setToolTip(
            "A copy of the original with the findings in it: Word comments, PDF highlights or "
            "an annotated HTML copy, for the author who must fix the draft"
        )
        self.annotate_button.clicked.connect(self.choose_annotated)
        self.page_button = QPushButton("Show page")
        self.page_button.setObjectName("showPageButton")
        self.page_button.setToolTip("The cited PDF page as it is printed, the quote marked on it")
        self.page_button.clicked.connect(self.show_page)
        self.open_button = QPushButton("Open original")
        self.open_button.setToolTip("The checked file in the desktop's own viewer")
        self.open_button.clicked.connect(self.open_original)
        self.case_button = QPushButton("Add as test case")
        self.case_button.setObjectName("addCaseButton")
        self.case_button.setToolTip(
            "The decided finding's passage, labelled by your decision, into the policy's "
            "cases.jsonl (your own policies only)"
        )
        self.case_button.clicked.connect(self.add_case)
        for button in (self.annotate_button, self.page_button, self.open_button, self.case_button):
            row.addWidget(button)

    def show_run(self, run_id: int, report: dict[str, Any], complete: bool) -> None:
        document = report.get("document", {})
        self.run_id = run_id
        self.document = Path(str(document.get("path", "")))
        self.media_type = str(document.get("media_type", ""))
        self.annotate_button.setEnabled(complete and self.document.is_file())
        self.open_button.setEnabled(self.document.is_file())
        self.show_finding(None)

    def show_finding(self, finding: StoredFinding | None) -> None:
        self.finding = finding
        page = finding.location.get("page") if finding else None
        pdf = self.media_type == "application/pdf" and self.document.is_file()
        self.page_button.setEnabled(bool(pdf and isinstance(page, int)))
        self.case_button.setEnabled(bool(finding and finding.decision))

    # the annotated copy --------------------------------------------------------------------
    def choose_annotated(self) -> None:
        proposed = suggested_target(self.document, self.media_type)
        name, _ = QFileDialog.getSaveFileName(
            self, "Save an annotated copy", str(proposed), f"*{proposed.suffix}"
        )
        if name:
            self.export_annotated(Path(name))

    def export_annotated(self, target: Path) -> Job[AnnotatedExport]:
        session, run_id = self.session, self.run_id

        def work(progress: Progress, cancel: CancelToken, _text: object) -> AnnotatedExport:
            store = session.open_store()  # this thread's own connection
            try:
                return export_annotated(store, run_id, target)
            finally:
                store.close()

        self.annotate_button.setEnabled(False)
        self.job = start_job(
            work, "annotated copy", self, on_done=self._annotated, on_error=self._failed
        )
        return self.job

    def _annotated(self, written: AnnotatedExport) -> None:
        self.annotate_button.setEnabled(True)
        placed = written.placements
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Annotated copy written",
            f"The annotated copy was written to\n{written.target}",
            parent=self,
        )
        box.setObjectName("annotatedDialog")
        box.setInformativeText(f"{placed.summary()}; its sha256 is recorded in the audit log.")
        open_file = box.addButton("Open", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        open_file.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(written.target)))
        )
        self.done_box = box
        box.open()

    def _failed(self, error: BaseException) -> None:
        self.annotate_button.setEnabled(True)
        show_error(self, "The annotated copy was not written", error)

    # the page and the original -------------------------------------------------------------
    def show_page(self) -> PageView | None:
        finding = self.finding
        page = finding.location.get("page") if finding else None
        if finding is None or not isinstance(page, int):
            return None
        view = PageView()
        try:
            view.show_finding(
                self.document, page, finding.quote, finding.quote_verified, finding.passage_text
            )
        except Exception as error:
            show_error(self, "The page cannot be shown", error)
            return None
        dialog = QDialog(self)
        dialog.setObjectName("pageDialog")
        dialog.setWindowTitle(f"{self.document.name} — page {page}")
        layout = QVBoxLayout(dialog)
        layout.addWidget(view)
        dialog.resize(900, 1000)
        self.page_dialog = dialog
        dialog.open()
        return view

    def open_original(self) -> None:
        if not open_in_system_viewer(self.document):
            show_error(
                self, "Open original",
                InputError("no program on this computer opens this file", path=self.document),
            )  # fmt: skip

    # a test case ---------------------------------------------------------------------------
    def add_case(self) -> None:
        from app.services.policy_cases import add_case, case_from_finding

        finding = self.finding
        if finding is None or finding.decision is None:
            return
        try:
            policy = self.session.library.resolve(finding.policy_id)
            number = add_case(policy, case_from_finding(finding, finding.decision))
        except Exception as error:
            show_error(self, "The test case was not added", error)
            return
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Test case added",
            f"Added to policy {policy.id}: it now has {number} test case(s).",
            parent=self,
        )
        box.setObjectName("caseAddedDialog")
        self.done_box = box
        box.open()  # not exec(): the GUI keeps running
