"""The side-by-side result: the document as located passages on the left (passages with
findings tinted by severity), the findings on the right. Selecting a finding scrolls to its
passage and highlights the exact quote, and shows the policy clause beside the rationale and
the suggested fix. The reviewer accepts, rejects or amends each finding (J/K move, A/R decide);
every decision is saved at once. The model's raw reasoning is in the Auditor tab, hidden until
View ▸ Auditor tab is switched on."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.citations import quote_span
from app.core.documents import format_location
from app.exports import export_json, export_pdf
from app.ui.errors import show_error
from app.ui.services import Services
from app.ui.widgets import (
    VERDICT_COLOURS,
    VERDICT_WORDS,
    heading,
    severity_colour,
    verdict_style,
)

SEVERITIES = ("low", "medium", "high", "critical")
QUOTE_COLOUR = QColor("#ffd54f")
DECISION_WORDS = {"accept": "✔ accepted", "reject": "✘ rejected", "amend": "✎ amended"}


def clause_html(clause: str) -> str:
    """A policy clause for people: its title in bold, the wrapped lines of the Markdown joined
    into one paragraph, screen lines apart (they are for the triage layer)."""
    lines = [line.strip() for line in clause.strip().splitlines()]
    if not lines:
        return ""
    title = html.escape(lines[0].lstrip("#").strip())
    body = [line for line in lines[1:] if line and not line.lower().startswith("screen")]
    screens = [line for line in lines[1:] if line.lower().startswith("screen")]
    text = f"<b>{title}</b><br>{html.escape(' '.join(body))}"
    for screen in screens:
        text += f"<br><span style='color:#5f6b7a'>{html.escape(screen)}</span>"
    return text


class ResultPage(QWidget):
    new_check = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPage")
        self.services = services
        self.run_id = 0
        self.report: dict[str, Any] = {}
        self.findings: list[dict[str, Any]] = []
        self.positions: dict[str, tuple[int, int]] = {}  # passage id -> document range
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
        self.document_view = QTextBrowser()
        self.document_view.setObjectName("documentView")
        self.document_view.setOpenLinks(False)
        review.addWidget(self.document_view)
        right = QSplitter(Qt.Orientation.Vertical)
        self.finding_list = QTreeWidget()
        self.finding_list.setObjectName("findingList")
        self.finding_list.setHeaderLabels(
            ["#", "Severity", "Policy section", "Passage", "Confidence", "Review"]
        )
        self.finding_list.setRootIsDecorated(False)
        self.finding_list.setAlternatingRowColors(True)
        self.finding_list.currentItemChanged.connect(self._on_finding_changed)
        right.addWidget(self.finding_list)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        self.detail = QTextBrowser()
        self.detail.setObjectName("findingDetail")
        detail_layout.addWidget(self.detail, 1)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note for the audit trail (optional)")
        detail_layout.addWidget(self.note)
        buttons = QHBoxLayout()
        self.accept_button = QPushButton("Accept (A)")
        self.reject_button = QPushButton("Reject (R)")
        self.amend_button = QPushButton("Amend severity…")
        self.accept_button.clicked.connect(lambda: self.decide("accept"))
        self.reject_button.clicked.connect(lambda: self.decide("reject"))
        self.amend_button.clicked.connect(self.amend)
        for button in (self.accept_button, self.reject_button, self.amend_button):
            buttons.addWidget(button)
        buttons.addStretch()
        detail_layout.addLayout(buttons)
        right.addWidget(detail)
        right.setSizes([260, 340])
        review.addWidget(right)
        review.setSizes([620, 560])
        self.tabs.addTab(review, "Review")
        self.reasoning = QPlainTextEdit()
        self.reasoning.setObjectName("auditorReasoning")
        self.reasoning.setReadOnly(True)
        self.auditor_index = self.tabs.addTab(self.reasoning, "Auditor: model reasoning")
        self.tabs.setTabVisible(self.auditor_index, False)  # the model's authors advise it
        for key, action in (
            ("J", lambda: self.step_finding(1)),
            ("K", lambda: self.step_finding(-1)),
            ("A", lambda: self.decide("accept")),
            ("R", lambda: self.decide("reject")),
        ):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)

    # loading --------------------------------------------------------------------------------
    def show_runs(self, run_ids: list[int]) -> None:
        self.runs.blockSignals(True)
        self.runs.clear()
        for run_id in run_ids:
            row = self.services.store.run(run_id)
            name = Path(json.loads(row["report_json"])["document"]["path"]).name
            self.runs.addItem(f"{name} (run {run_id})", run_id)
        self.runs.blockSignals(False)
        self.runs.setVisible(len(run_ids) > 1)
        if run_ids:
            self.load_run(run_ids[0])

    def _on_run_chosen(self, index: int) -> None:
        if index >= 0:
            self.load_run(int(self.runs.itemData(index)))

    def load_run(self, run_id: int) -> None:
        row = self.services.store.run(run_id)
        self.run_id = run_id
        self.report = json.loads(row["report_json"])
        self.findings = self.services.store.findings(run_id)
        verdict = self.report["verdict"]
        self.verdict.setText(VERDICT_WORDS.get(verdict, verdict))
        colour = VERDICT_COLOURS.get(verdict, "#444")
        self.verdict.setStyleSheet(verdict_style(colour))
        self.title.setText(Path(self.report["document"]["path"]).name)
        notice = self.report.get("notice", "")
        warnings = self.report.get("warnings", [])
        lines = ([notice] if notice else []) + [f"Warning: {w}" for w in warnings]
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
        self.banner.setText("\n".join(lines))
        self.banner.setVisible(bool(lines))
        self._fill_document()
        self._fill_findings()
        self.reasoning.setPlainText(
            "\n\n".join(
                f"=== {r['policy']} (effort {r['effort']}) ===\n{r['text']}"
                for r in self.report.get("reasoning", [])
            )
        )
        if self.findings:
            self.select_finding(0)
        else:
            self.detail.setHtml(
                "<p><b>No findings.</b> The model found nothing in this document that breaks "
                "the chosen policies. The verdict and the model's reasoning are kept in the "
                "audit trail; export the report to file it.</p>"
            )
        self._update_counter()

    def _fill_document(self) -> None:
        worst: dict[str, str] = {}
        for finding in self.findings:
            current = worst.get(finding["passage"], "low")
            if SEVERITIES.index(finding["severity"]) >= SEVERITIES.index(current):
                worst[finding["passage"]] = finding["severity"]
        view = self.document_view
        view.clear()
        cursor = QTextCursor(view.document())
        marker = QTextCharFormat()
        marker.setForeground(QColor("#5f6b7a"))
        marker.setFontPointSize(8)
        self.positions = {}
        for number, passage in enumerate(self.report["document"]["passages"]):
            if number:
                cursor.insertBlock()
            cursor.insertText(f"{passage['id']} · {format_location(passage['location'])}\n", marker)
            text_format = QTextCharFormat()
            if passage["id"] in worst:
                text_format.setBackground(severity_colour(worst[passage["id"]]))
            start = cursor.position()
            cursor.insertText(passage["text"], text_format)
            self.positions[passage["id"]] = (start, cursor.position())
            cursor.insertBlock()
        view.moveCursor(QTextCursor.MoveOperation.Start)

    def _fill_findings(self) -> None:
        self.finding_list.clear()
        for number, finding in enumerate(self.findings, start=1):
            badge = "" if finding["quote_verified"] else "  ⚠ unverified"
            if finding.get("carried_from"):
                badge += "  ↻ carried over"
            item = QTreeWidgetItem(
                [
                    str(number),
                    finding["severity"],
                    f"{finding['policy_id']} {finding['section']}",
                    finding["passage"] + badge,
                    f"{finding['confidence']:.0%}",
                    self._decision_text(finding),
                ]
            )
            item.setBackground(1, severity_colour(finding["severity"]))
            if not finding["quote_verified"]:
                item.setToolTip(3, "The quote was not found in the passage: check it by hand.")
            self.finding_list.addTopLevelItem(item)
        for column in range(6):
            self.finding_list.resizeColumnToContents(column)

    @staticmethod
    def _decision_text(finding: dict[str, Any]) -> str:
        decision = finding.get("decision")
        return DECISION_WORDS.get(decision["decision"], "") if decision else "unreviewed"

    # selection ------------------------------------------------------------------------------
    def current_index(self) -> int:
        item = self.finding_list.currentItem()
        return self.finding_list.indexOfTopLevelItem(item) if item else -1

    def step_finding(self, step: int) -> None:
        index = self.current_index() + step
        if 0 <= index < len(self.findings):
            self.select_finding(index)

    def select_finding(self, index: int) -> None:
        item = self.finding_list.topLevelItem(index)
        if item is not None:
            self.finding_list.setCurrentItem(item)

    def _on_finding_changed(self, current: QTreeWidgetItem | None, _old: object) -> None:
        index = self.finding_list.indexOfTopLevelItem(current) if current else -1
        if index < 0:
            return
        finding = self.findings[index]
        self.highlight_quote(finding)
        self.detail.setHtml(self._detail_html(finding))
        self.note.setText(finding["decision"]["note"] if finding.get("decision") else "")

    def highlight_quote(self, finding: dict[str, Any]) -> tuple[int, int]:
        """Select the quote inside its passage (the whole passage when the quote could not be
        verified) and scroll to it. Returns the highlighted range."""
        start, end = self.positions.get(finding["passage"], (0, 0))
        document = self.document_view.document()
        # toPlainText() counts one character per block break, as cursor positions do
        span = quote_span(finding["quote"], document.toPlainText()[start:end])
        if span is not None and finding["quote_verified"]:
            start, end = start + span[0], start + span[1]
        cursor = QTextCursor(document)
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        selection.format.setBackground(QUOTE_COLOUR)
        selection.format.setFontUnderline(True)
        self.document_view.setExtraSelections([selection])
        scroll = QTextCursor(document)
        scroll.setPosition(start)
        self.document_view.setTextCursor(scroll)
        self.document_view.ensureCursorVisible()
        return start, end

    def _detail_html(self, finding: dict[str, Any]) -> str:
        clause = ""
        for policy in self.report.get("policies", []):
            if policy["id"] == finding["policy_id"]:
                clause = policy.get("sections", {}).get(finding["section"], "")
        location = format_location(json.loads(finding["location_json"]))
        warning = (
            ""
            if finding["quote_verified"]
            else "<p style='color:#b3261e'><b>⚠ Unverified citation:</b> the quoted words are "
            "not in the cited passage. "
            "Check the passage yourself before accepting.</p>"
        )
        if finding.get("carried_from"):
            warning += (
                f"<p><i>Carried over from run {finding['carried_from']}: this passage is "
                "unchanged since that check, so the model did not read it again.</i></p>"
            )
        decision = finding.get("decision")
        decided = (
            f"<p><b>Review:</b> {DECISION_WORDS[decision['decision']]} by "
            f"{html.escape(decision['reviewer'])} at {decision['decided_at']}</p>"
            if decision
            else ""
        )
        return (
            f"{warning}<p><b>{html.escape(finding['policy_id'])} {finding['section']}</b> · "
            f"severity <b>{finding['severity']}</b> · confidence "
            f"{finding['confidence']:.0%} · {finding['passage']} ({location}) · raised by "
            f"{finding['layer']}</p>"
            f"<p><b>Quote</b><br><i>“{html.escape(finding['quote'])}”</i></p>"
            f"<table width='100%' cellspacing='6'><tr>"
            f"<td width='50%' valign='top' style='background:#f3f5f8'><b>Policy clause</b><br>"
            f"{clause_html(clause)}</td>"
            f"<td width='50%' valign='top'><b>Why</b><br>{html.escape(finding['rationale'])}"
            f"<br><br><b>Suggested fix</b><br>{html.escape(finding['remediation'])}</td>"
            f"</tr></table>{decided}"
        )

    # review ---------------------------------------------------------------------------------
    def decide(self, decision: str, amended: dict[str, Any] | None = None) -> None:
        index = self.current_index()
        if index < 0:
            return
        finding = self.findings[index]
        try:
            self.services.store.decide(finding["id"], decision, self.note.text(), amended)
        except Exception as error:
            show_error(self, "The decision was not saved", error)
            return
        finding["decision"] = self.services.store.latest_decision(finding["id"])
        item = self.finding_list.topLevelItem(index)
        if item is not None:
            item.setText(5, self._decision_text(finding))
        self.detail.setHtml(self._detail_html(finding))
        self._update_counter()
        self.step_finding(1)

    def amend(self) -> None:
        index = self.current_index()
        if index < 0:
            return
        current = self.findings[index]["severity"]
        severity, ok = QInputDialog.getItem(
            self, "Amend finding", "Severity:", list(SEVERITIES), SEVERITIES.index(current), False
        )
        if ok and severity != current:
            self.decide("amend", {"severity": severity})

    def reviewed(self) -> int:
        return sum(1 for finding in self.findings if finding.get("decision"))

    def _update_counter(self) -> None:
        total = len(self.findings)
        self.counter.setText(f"{self.reviewed()} of {total} reviewed" if total else "")
        for button in (self.accept_button, self.reject_button, self.amend_button):
            button.setEnabled(total > 0)

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

    def export(self, target: Path) -> str:
        """Write the reviewed report; returns its sha256 ('' when it failed and was shown)."""
        try:
            if target.suffix.lower() == ".json":
                return export_json(self.services.store, self.run_id, target)
            return export_pdf(self.services.store, self.run_id, target)
        except Exception as error:
            show_error(self, "Export failed", error)
            return ""

    def show_auditor_tab(self, visible: bool) -> None:
        self.tabs.setTabVisible(self.auditor_index, visible)
