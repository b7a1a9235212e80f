"""The findings of a run and the reviewer's actions on them: a list (severity, policy section,
passage, confidence, review state, badges for unverified and carried-over findings), the
selected finding's detail, a note, and Accept (A) / Reject (R) / Amend; J and K move."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.types import SEVERITIES
from app.store.records import StoredFinding
from app.ui.finding_html import decision_text, finding_html
from app.ui.widgets import severity_colour

REVIEW_COLUMN = 5


class FindingsPanel(QSplitter):
    selected = Signal(object)  # StoredFinding
    decision_made = Signal(str, object)  # decision, amended (dict or None)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.findings: list[StoredFinding] = []
        self.clauses: dict[tuple[str, str], str] = {}  # (policy, section) -> clause text
        self.finding_list = QTreeWidget()
        self.finding_list.setObjectName("findingList")
        self.finding_list.setHeaderLabels(
            ["#", "Severity", "Policy section", "Passage", "Confidence", "Review"]
        )
        self.finding_list.setRootIsDecorated(False)
        self.finding_list.setAlternatingRowColors(True)
        self.finding_list.currentItemChanged.connect(self._on_current_changed)
        self.addWidget(self.finding_list)
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
        self.accept_button.clicked.connect(lambda: self.decision_made.emit("accept", None))
        self.reject_button.clicked.connect(lambda: self.decision_made.emit("reject", None))
        self.amend_button.clicked.connect(self.amend)
        for button in (self.accept_button, self.reject_button, self.amend_button):
            buttons.addWidget(button)
        buttons.addStretch()
        detail_layout.addLayout(buttons)
        self.addWidget(detail)
        self.setSizes([260, 340])

    def install_shortcuts(self, owner: QWidget) -> None:
        """J/K/A/R anywhere on ``owner`` (the result page), not only in the list."""
        for key, action in (
            ("J", lambda: self.step_finding(1)),
            ("K", lambda: self.step_finding(-1)),
            ("A", lambda: self.decision_made.emit("accept", None)),
            ("R", lambda: self.decision_made.emit("reject", None)),
        ):
            shortcut = QShortcut(QKeySequence(key), owner)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)

    def show_findings(
        self, findings: list[StoredFinding], clauses: dict[tuple[str, str], str]
    ) -> None:
        self.findings, self.clauses = list(findings), clauses
        self.finding_list.clear()
        for number, finding in enumerate(self.findings, start=1):
            badge = "" if finding.quote_verified else "  ⚠ unverified"
            if finding.carried_from:
                badge += "  ↻ carried over"
            item = QTreeWidgetItem(
                [
                    str(number),
                    finding.severity,
                    f"{finding.policy_id} {finding.section}",
                    finding.passage + badge,
                    f"{finding.confidence:.0%}",
                    decision_text(finding.decision),
                ]
            )
            item.setBackground(1, severity_colour(finding.severity))
            if not finding.quote_verified:
                item.setToolTip(3, "The quote was not found in the passage: check it by hand.")
            self.finding_list.addTopLevelItem(item)
        for column in range(6):
            self.finding_list.resizeColumnToContents(column)
        for button in (self.accept_button, self.reject_button, self.amend_button):
            button.setEnabled(bool(self.findings))

    def show_empty(self, text: str) -> None:
        self.detail.setHtml(text)

    def replace_finding(self, index: int, finding: StoredFinding) -> None:
        """After a decision: the row and the detail show it."""
        self.findings[index] = finding
        item = self.finding_list.topLevelItem(index)
        if item is not None:
            item.setText(REVIEW_COLUMN, decision_text(finding.decision))
        self.detail.setHtml(self._html(finding))

    # selection ------------------------------------------------------------------------------
    def current_index(self) -> int:
        item = self.finding_list.currentItem()
        return self.finding_list.indexOfTopLevelItem(item) if item else -1

    def current(self) -> StoredFinding | None:
        index = self.current_index()
        return self.findings[index] if index >= 0 else None

    def step_finding(self, step: int) -> None:
        index = self.current_index() + step
        if 0 <= index < len(self.findings):
            self.select_finding(index)

    def select_finding(self, index: int) -> None:
        item = self.finding_list.topLevelItem(index)
        if item is not None:
            self.finding_list.setCurrentItem(item)

    def reviewed(self) -> int:
        return sum(1 for finding in self.findings if finding.decision)

    def _on_current_changed(self, current: QTreeWidgetItem | None, _old: Any) -> None:
        index = self.finding_list.indexOfTopLevelItem(current) if current else -1
        if index < 0:
            return
        finding = self.findings[index]
        self.detail.setHtml(self._html(finding))
        self.note.setText(finding.decision.note if finding.decision else "")
        self.selected.emit(finding)

    def _html(self, finding: StoredFinding) -> str:
        return finding_html(finding, self.clauses.get((finding.policy_id, finding.section), ""))

    def amend(self) -> None:
        finding = self.current()
        if finding is None:
            return
        severity, ok = QInputDialog.getItem(
            self, "Amend finding", "Severity:", list(SEVERITIES),
            SEVERITIES.index(finding.severity), False,
        )  # fmt: skip
        if ok and severity != finding.severity:
            self.decision_made.emit("amend", {"severity": severity})
