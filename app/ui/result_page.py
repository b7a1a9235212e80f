"""The side-by-side result: the document as located passages on the left (``DocumentView``, Ctrl+F
searches it), the findings and the review actions on the right (``FindingsPanel``). Above them
the model's verdict beside the reviewed one, review progress and the sign-off
(``ReviewHeader``), and what of the document was not read. Selecting a finding scrolls to its
passage and highlights the exact quote. Every decision is saved at once and the verdicts follow
it. The model's raw reasoning is in the Auditor tab, hidden until View ▸ Auditor tab."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.store.records import StoredFinding
from app.ui.document_view import DocumentView
from app.ui.errors import show_error
from app.ui.export_flow import ExportFlow
from app.ui.find_bar import FindBar
from app.ui.finding_html import standing_tints
from app.ui.findings_panel import FindingsPanel
from app.ui.original_actions import OriginalActions
from app.ui.result_banner import coverage_lines, notice_lines, reasoning_text
from app.ui.review_header import ReviewHeader
from app.ui.session import Session
from app.ui.signoff_dialog import SignoffDialog
from app.ui.widgets import heading
from app.ui.worker import Job

NO_FINDINGS = (
    "<p><b>No findings.</b> The model raised nothing in this document against the chosen "
    "policies; the verdicts above say what that means (a policy nothing judged is <i>not "
    "assessed</i>). The model's reasoning is kept in the audit trail; export the report to "
    "file it.</p>"
)


class ResultPage(QWidget):
    new_check = Signal()
    show_checks = Signal()
    recheck_encoding = Signal(int)  # check this run's text file again, its encoding chosen

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPage")
        self.session = session
        self.run_id = 0
        self.report: dict[str, Any] = {}
        self.not_checked: list[str] = []  # documents of the same check that could not be read
        self.confirm_box: QMessageBox | None = None
        self.signoff_dialog: SignoffDialog | None = None
        self.exports = ExportFlow(session, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        top = QHBoxLayout()
        checks = QPushButton("◀ Checks")
        checks.setObjectName("checksButton")
        checks.setToolTip("Every check: reopen, review, sign off")
        checks.clicked.connect(self.show_checks)
        self.title = heading("", 14)
        self.runs = QComboBox()
        self.runs.setObjectName("runChooser")
        self.runs.setVisible(False)
        self.runs.currentIndexChanged.connect(self._on_run_chosen)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("The reviewed report as PDF or JSON")
        self.export_button.clicked.connect(self.choose_export)
        self.exports.running.connect(lambda busy: self.export_button.setEnabled(not busy))
        back = QPushButton("New check")
        back.clicked.connect(self.new_check)
        self.original = OriginalActions(session)
        for widget in (checks, self.title, self.runs):
            top.addWidget(widget)
        top.addStretch()
        top.addWidget(self.original)
        top.addWidget(self.export_button)
        top.addWidget(back)
        layout.addLayout(top)
        self.header = ReviewHeader()
        self.header.signoff_button.clicked.connect(self.open_signoff)
        self.verdict, self.counter = self.header.verdict, self.header.counter
        layout.addWidget(self.header)
        self.coverage = QLabel("")
        self.coverage.setObjectName("coverageBanner")
        self.coverage.setWordWrap(True)
        self.coverage.setVisible(False)
        layout.addWidget(self.coverage)
        self.banner = QLabel("")
        self.banner.setObjectName("smokeBanner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner, 1)
        self.encoding_button = QPushButton("Choose the encoding and check again…")
        self.encoding_button.setObjectName("recheckEncoding")
        self.encoding_button.setToolTip("The text encoding was a guess: if the text looks wrong")
        self.encoding_button.clicked.connect(lambda: self.recheck_encoding.emit(self.run_id))
        banner_row.addWidget(self.encoding_button)
        layout.addLayout(banner_row)

        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        review = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.document_view = DocumentView()
        self.find_bar = FindBar(self.document_view)
        left_layout.addWidget(self.find_bar)
        left_layout.addWidget(self.document_view, 1)
        review.addWidget(left)
        self.panel = FindingsPanel()
        self.panel.selected.connect(self.highlight_quote)
        self.panel.selected.connect(self.original.show_finding)
        self.panel.decision_made.connect(self.decide)
        self.panel.note_entered.connect(self.save_note)
        self.panel.install_shortcuts(self)
        review.addWidget(self.panel)
        review.setSizes([620, 560])
        self.tabs.addTab(review, "Review")
        self.reasoning = QPlainTextEdit()
        self.reasoning.setObjectName("auditorReasoning")
        self.reasoning.setReadOnly(True)
        self.auditor_index = self.tabs.addTab(self.reasoning, "Auditor: model reasoning")
        self.tabs.setTabVisible(self.auditor_index, False)  # the model's authors advise it
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.find_bar.open_bar)

    @property
    def findings(self) -> list[StoredFinding]:
        return self.panel.findings

    # loading --------------------------------------------------------------------------------
    def show_runs(self, run_ids: list[int], not_checked: list[str] | None = None) -> None:
        """``not_checked``: "file: why" of documents of the same check that could not be read."""
        self.not_checked = list(not_checked or [])
        self.runs.blockSignals(True)
        self.runs.clear()
        for run_id in run_ids:
            run = self.session.store.run(run_id)
            self.runs.addItem(f"{run.document_path.name} (run {run_id})", run_id)
        self.runs.blockSignals(False)
        self.runs.setVisible(len(run_ids) > 1)
        if run_ids:
            self.load_run(run_ids[0])

    def _on_run_chosen(self, index: int) -> None:
        if index >= 0:
            self.load_run(int(self.runs.itemData(index)))

    def load_run(self, run_id: int) -> None:
        run = self.session.store.run(run_id)
        self.run_id = run_id
        self.report = run.report()
        self.find_bar.close_bar()
        self.title.setText(run.document_path.name)
        self.export_button.setEnabled(run.status == "complete")
        self.original.show_run(run_id, self.report, run.status == "complete")
        self.title.setToolTip(f"{run.document_path} — run {run_id}, case {run.case}")
        lines = notice_lines(self.report, self.not_checked)
        self.banner.setText("\n".join(lines))
        self.banner.setVisible(bool(lines))
        encoding = self.report.get("document", {}).get("encoding") or {}
        self.encoding_button.setVisible(bool(encoding.get("guessed")))
        unread = coverage_lines(self.report)
        self.coverage.setText("\n".join(unread))
        self.coverage.setVisible(bool(unread))
        findings = self.session.store.findings(run_id)
        passages = self.report.get("document", {}).get("passages", [])
        self.document_view.show_passages(passages, standing_tints(findings))
        clauses = {
            (policy["id"], section): clause
            for policy in self.report.get("policies", [])
            for section, clause in policy.get("sections", {}).items()
        }
        self.panel.show_findings(findings, clauses)
        self.reasoning.setPlainText(reasoning_text(self.report))
        if findings:
            self.panel.select_finding(0)
        else:
            self.panel.show_empty(NO_FINDINGS)
        self.refresh_review()

    def refresh_review(self) -> None:
        """The header after any decision or sign-off: verdicts, counts, sign-off line."""
        self.header.show_review(self.report, self.session.store.run_review(self.run_id))

    # selection and review -------------------------------------------------------------------
    def highlight_quote(self, finding: StoredFinding) -> tuple[int, int]:
        return self.document_view.highlight(finding.passage, finding.quote, finding.quote_verified)

    def decide(self, decision: str, amended: dict[str, Any] | None = None) -> None:
        finding = self.panel.current()
        if finding is None:
            return
        if decision == "reset" and finding.decision is None:
            return
        if decision == "accept" and not finding.quote_verified:
            self._confirm_unverified(finding)
            return
        self.record(finding, decision, amended)

    def _confirm_unverified(self, finding: StoredFinding) -> None:
        """Accepting a quote the code could not find in the passage: the reviewer says so."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Accept an unverified finding?",
            f"The quoted words of {finding.policy_id} {finding.section} were not found in "
            f"passage {finding.passage}. Accept it only if you checked the passage yourself.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("confirmUnverified")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText("Accept anyway")

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                self.record(finding, "accept", None)

        box.finished.connect(answered)
        self.confirm_box = box
        box.open()

    def record(
        self,
        finding: StoredFinding,
        decision: str,
        amended: dict[str, Any] | None,
        *,
        step: bool = True,
    ) -> None:
        """Save a decision; the list, tints, verdicts and counts follow; on to the next."""
        index = self.findings.index(finding) if finding in self.findings else -1
        try:
            self.session.store.decide(finding.id, decision, self.panel.note.text(), amended)
        except Exception as error:
            show_error(self, "The decision was not saved", error)
            return
        latest = self.session.store.latest_decision(finding.id)
        if index >= 0:
            self.panel.replace_finding(index, replace(finding, decision=latest))
        self.document_view.retint(standing_tints(self.findings))
        self.refresh_review()
        if step and decision != "reset" and index == self.panel.current_index():
            self.panel.step_finding(1)

    def save_note(self) -> None:
        """Enter in the note field: the note is saved with the finding's current decision."""
        finding = self.panel.current()
        if finding is None:
            return
        if finding.decision is None:
            self.panel.note_hint.setText(
                "Accept (A), Reject (R) or Amend: the note is saved with the decision."
            )
            return
        if finding.decision.note == self.panel.note.text():
            return
        self.record(finding, finding.decision.decision, finding.decision.amended, step=False)
        self.panel.note_hint.setText("Note saved with the decision.")

    # sign-off and export --------------------------------------------------------------------
    def open_signoff(self) -> None:
        review = self.session.store.run_review(self.run_id)
        dialog = SignoffDialog(
            self.title.text(), self.session.store.actor, review.undecided,
            len(review.findings), self,
        )  # fmt: skip
        dialog.accepted.connect(lambda: self._sign_off(dialog))
        self.signoff_dialog = dialog
        dialog.open()

    def _sign_off(self, dialog: SignoffDialog) -> None:
        try:
            self.session.store.sign_off(self.run_id, dialog.outcome(), dialog.note_text())
        except Exception as error:
            show_error(self, "The sign-off was not saved", error)
        self.refresh_review()

    def choose_export(self) -> None:
        self.exports.choose(self.run_id, Path(self.report["document"]["path"]))

    def export(self, target: Path) -> Job[str] | None:
        return self.exports.export(self.run_id, Path(self.report["document"]["path"]), target)

    def show_auditor_tab(self, visible: bool) -> None:
        self.tabs.setTabVisible(self.auditor_index, visible)
