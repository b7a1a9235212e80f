"""The side-by-side result: the document as located passages on the left (``DocumentView``), the
findings and the review actions on the right (``FindingsPanel``). Selecting a finding scrolls to
its passage and highlights the exact quote. Every decision is saved at once. The model's raw
reasoning is in the Auditor tab, hidden until View ▸ Auditor tab is switched on. Exports run on
the worker."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.progress import CancelToken, Progress
from app.core.types import SEVERITY_RANK
from app.services.exports import export_json, export_pdf
from app.store.records import StoredFinding
from app.ui.document_view import DocumentView
from app.ui.errors import show_error
from app.ui.findings_panel import FindingsPanel
from app.ui.session import Session
from app.ui.widgets import VERDICT_COLOURS, VERDICT_WORDS, heading, verdict_style
from app.ui.worker import Job, start_job

NO_FINDINGS = (
    "<p><b>No findings.</b> The model found nothing in this document that breaks the chosen "
    "policies. The verdict and the model's reasoning are kept in the audit trail; export the "
    "report to file it.</p>"
)


class ResultPage(QWidget):
    new_check = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPage")
        self.session = session
        self.run_id = 0
        self.report: dict[str, Any] = {}
        self.export_job: Job[str] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)

        top = QHBoxLayout()
        self.verdict = QLabel("")
        self.verdict.setObjectName("verdictBadge")
        self.title = heading("", 14)
        self.runs = QComboBox()
        self.runs.setObjectName("runChooser")
        self.runs.setVisible(False)
        self.runs.currentIndexChanged.connect(self._on_run_chosen)
        self.counter = QLabel("")
        self.counter.setObjectName("reviewCounter")
        self.export_pdf_button = QPushButton("Export PDF…")
        self.export_pdf_button.clicked.connect(self.choose_pdf_export)
        self.export_json_button = QPushButton("Export JSON…")
        self.export_json_button.clicked.connect(self.choose_json_export)
        back = QPushButton("New check")
        back.clicked.connect(self.new_check)
        top.addWidget(self.verdict)
        top.addWidget(self.title)
        top.addWidget(self.runs)
        top.addStretch()
        top.addWidget(self.counter)
        for button in (self.export_pdf_button, self.export_json_button, back):
            top.addWidget(button)
        layout.addLayout(top)
        self.banner = QLabel("")
        self.banner.setObjectName("smokeBanner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        layout.addWidget(self.banner)

        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        review = QSplitter(Qt.Orientation.Horizontal)
        self.document_view = DocumentView()
        review.addWidget(self.document_view)
        self.panel = FindingsPanel()
        self.panel.selected.connect(self.highlight_quote)
        self.panel.decision_made.connect(self.decide)
        self.panel.install_shortcuts(self)
        review.addWidget(self.panel)
        review.setSizes([620, 560])
        self.tabs.addTab(review, "Review")
        self.reasoning = QPlainTextEdit()
        self.reasoning.setObjectName("auditorReasoning")
        self.reasoning.setReadOnly(True)
        self.auditor_index = self.tabs.addTab(self.reasoning, "Auditor: model reasoning")
        self.tabs.setTabVisible(self.auditor_index, False)  # the model's authors advise it

    @property
    def findings(self) -> list[StoredFinding]:
        return self.panel.findings

    # loading --------------------------------------------------------------------------------
    def show_runs(self, run_ids: list[int]) -> None:
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
        findings = self.session.store.findings(run_id)
        verdict = self.report["verdict"]
        self.verdict.setText(VERDICT_WORDS.get(verdict, verdict))
        self.verdict.setStyleSheet(verdict_style(VERDICT_COLOURS.get(verdict, "#444")))
        self.title.setText(Path(self.report["document"]["path"]).name)
        lines = self._banner_lines()
        self.banner.setText("\n".join(lines))
        self.banner.setVisible(bool(lines))
        self.document_view.show_passages(self.report["document"]["passages"], _tints(findings))
        clauses = {
            (policy["id"], section): clause
            for policy in self.report.get("policies", [])
            for section, clause in policy.get("sections", {}).items()
        }
        self.panel.show_findings(findings, clauses)
        self.reasoning.setPlainText(
            "\n\n".join(
                f"=== {r['policy']} (effort {r['effort']}) ===\n{r['text']}"
                for r in self.report.get("reasoning", [])
            )
        )
        if findings:
            self.panel.select_finding(0)
        else:
            self.panel.show_empty(NO_FINDINGS)
        self._update_counter()

    def _banner_lines(self) -> list[str]:
        notice = self.report.get("notice", "")
        lines = ([notice] if notice else []) + [
            f"Warning: {w}" for w in self.report.get("warnings", [])
        ]
        for verdict in self.report.get("policy_verdicts", []):
            if verdict.get("escalations"):
                lines.append(
                    f"{verdict['policy']}: {len(verdict['escalations'])} low-effort answer(s) "
                    "were unsure and re-checked at high effort (both in the Auditor tab)"
                )
            if verdict.get("passages_judged") is not None:
                lines.append(
                    f"{verdict['policy']}: re-check — the model read "
                    f"{verdict['passages_judged']} changed passage(s); "
                    f"{verdict.get('carried_over', 0)} finding(s) carried over unchanged"
                )
        return lines

    # selection and review -------------------------------------------------------------------
    def highlight_quote(self, finding: StoredFinding) -> tuple[int, int]:
        return self.document_view.highlight(finding.passage, finding.quote, finding.quote_verified)

    def decide(self, decision: str, amended: dict[str, Any] | None = None) -> None:
        index = self.panel.current_index()
        if index < 0:
            return
        finding = self.panel.findings[index]
        try:
            self.session.store.decide(finding.id, decision, self.panel.note.text(), amended)
        except Exception as error:
            show_error(self, "The decision was not saved", error)
            return
        latest = self.session.store.latest_decision(finding.id)
        self.panel.replace_finding(index, replace(finding, decision=latest))
        self._update_counter()
        self.panel.step_finding(1)

    def _update_counter(self) -> None:
        total = len(self.panel.findings)
        self.counter.setText(f"{self.panel.reviewed()} of {total} reviewed" if total else "")

    # export ---------------------------------------------------------------------------------
    def choose_pdf_export(self) -> None:
        default = Path.home() / f"{Path(self.report['document']['path']).stem}-report.pdf"
        name, _ = QFileDialog.getSaveFileName(
            self, "Export PDF report", str(default), "PDF (*.pdf)"
        )
        if name:
            self.export(Path(name))

    def choose_json_export(self) -> None:
        default = Path.home() / f"{Path(self.report['document']['path']).stem}-report.json"
        name, _ = QFileDialog.getSaveFileName(self, "Export JSON", str(default), "JSON (*.json)")
        if name:
            self.export(Path(name))

    def export(self, target: Path) -> Job[str]:
        """Write the reviewed report on the worker; the job's result is its sha256."""
        session, run_id = self.session, self.run_id

        def work(progress: Progress, cancel: CancelToken, _text: object) -> str:
            store = session.open_store()  # this thread's own connection
            try:
                if target.suffix.lower() == ".json":
                    return export_json(store, run_id, target)
                return export_pdf(store, run_id, target)
            finally:
                store.close()

        for button in (self.export_pdf_button, self.export_json_button):
            button.setEnabled(False)
        self.export_job = start_job(
            work, "export", self, on_done=self._on_exported, on_error=self._on_export_failed
        )
        return self.export_job

    def _on_exported(self, digest: str) -> None:
        self._export_finished()

    def _on_export_failed(self, error: BaseException) -> None:
        self._export_finished()
        show_error(self, "Export failed", error)

    def _export_finished(self) -> None:
        for button in (self.export_pdf_button, self.export_json_button):
            button.setEnabled(True)

    def show_auditor_tab(self, visible: bool) -> None:
        self.tabs.setTabVisible(self.auditor_index, visible)


def _tints(findings: list[StoredFinding]) -> dict[str, str]:
    """Each passage's worst severity among its findings."""
    worst: dict[str, str] = {}
    for finding in findings:
        current = worst.get(finding.passage, "low")
        if SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[current]:
            worst[finding.passage] = finding.severity
    return worst
