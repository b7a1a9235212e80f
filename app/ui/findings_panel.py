"""The findings of a run and the reviewer's actions on them: a filterable list (severity as it
stands after review — an amended one as "high → low" —, policy section, passage, confidence,
review state; rejected findings greyed and struck through; badges for unverified and
carried-over findings), the selected finding's detail with its review line, a note (Enter
saves it with the current decision), and Accept (A) / Reject (R) / Amend / Reset; J and K move
between the findings shown."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
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
from app.ui.finding_html import decision_text, finding_html, severity_text
from app.ui.findings_filter import FindingsFilter
from app.ui.widgets import severity_colour

SEVERITY_COLUMN, REVIEW_COLUMN = 1, 5
REJECTED_COLOUR = QColor("#7b8794")


class FindingsPanel(QSplitter):
    selected = Signal(object)  # StoredFinding
    decision_made = Signal(str, object)  # decision, amended (dict or None)
    note_entered = Signal()  # Enter in the note field

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.findings: list[StoredFinding] = []
        self.clauses: dict[tuple[str, str], str] = {}  # (policy, section) -> clause text
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.filter = FindingsFilter()
        self.filter.changed.connect(self.apply_filter)
        top_layout.addWidget(self.filter)
        self.finding_list = QTreeWidget()
        self.finding_list.setObjectName("findingList")
        self.finding_list.setHeaderLabels(
            ["#", "Severity", "Policy section", "Passage", "Confidence", "Review"]
        )
        self.finding_list.setRootIsDecorated(False)
        self.finding_list.setAlternatingRowColors(True)
        self.finding_list.currentItemChanged.connect(self._on_current_changed)
        top_layout.addWidget(self.finding_list)
        self.addWidget(top)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        self.detail = QTextBrowser()
        self.detail.setObjectName("findingDetail")
        detail_layout.addWidget(self.detail, 1)
        self.note = QLineEdit()
        self.note.setObjectName("noteField")
        self.note.setPlaceholderText(
            "Note for the audit trail (optional; Enter saves it with the current decision)"
        )
        self.note.returnPressed.connect(self.note_entered)
        detail_layout.addWidget(self.note)
        self.note_hint = QLabel("")
        self.note_hint.setObjectName("hint")
        detail_layout.addWidget(self.note_hint)
        buttons = QHBoxLayout()
        self.accept_button = QPushButton("Accept (A)")
        self.reject_button = QPushButton("Reject (R)")
        self.amend_button = QPushButton("Amend severity…")
        self.reset_button = QPushButton("Reset decision")
        self.reset_button.setToolTip("Undo: the finding is undecided again (recorded, not erased)")
        self.accept_button.clicked.connect(lambda: self.decision_made.emit("accept", None))
        self.reject_button.clicked.connect(lambda: self.decision_made.emit("reject", None))
        self.amend_button.clicked.connect(self.amend)
        self.reset_button.clicked.connect(lambda: self.decision_made.emit("reset", None))
        for button in (self.accept_button, self.reject_button, self.amend_button):
            buttons.addWidget(button)
        buttons.addStretch()
        buttons.addWidget(self.reset_button)
        detail_layout.addLayout(buttons)
        self.addWidget(detail)
        self.setSizes([260, 340])

    def install_shortcuts(self, owner: QWidget) -> None:
        """J/K/A/R anywhere on ``owner`` (the result page), not only in the list. A text field
        with the focus keeps its letters (Qt gives them to the field first)."""
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
            item = QTreeWidgetItem([str(number), "", "", "", f"{finding.confidence:.0%}", ""])
            self.finding_list.addTopLevelItem(item)
            self._paint(item, finding)
        self.filter.set_policies(list(dict.fromkeys(f.policy_id for f in self.findings)))
        self.apply_filter()
        for column in range(6):
            self.finding_list.resizeColumnToContents(column)
        self._update_buttons()

    def _paint(self, item: QTreeWidgetItem, finding: StoredFinding) -> None:
        """One row as the review left it."""
        badge = "" if finding.quote_verified else "  ⚠ unverified"
        if finding.carried_from:
            badge += "  ↻ carried over"
        item.setText(SEVERITY_COLUMN, severity_text(finding))
        item.setText(2, f"{finding.policy_id} {finding.section}")
        item.setText(3, finding.passage + badge)
        item.setText(REVIEW_COLUMN, decision_text(finding.decision))
        item.setBackground(SEVERITY_COLUMN, severity_colour(finding.reviewed_severity))
        if finding.reviewed_severity != finding.severity:
            item.setToolTip(
                SEVERITY_COLUMN,
                f"Amended by the reviewer: the model said {finding.severity}, "
                f"{finding.reviewed_severity} counts",
            )
        if not finding.quote_verified:
            item.setToolTip(3, "The quote was not found in the passage: check it by hand.")
        rejected = bool(finding.decision and finding.decision.decision == "reject")
        for column in range(6):  # a rejected finding stays visible, greyed and struck through
            font = item.font(column)
            font.setStrikeOut(rejected and column != REVIEW_COLUMN)
            item.setFont(column, font)
            item.setForeground(column, QBrush(REJECTED_COLOUR) if rejected else QBrush())
        if rejected:
            item.setBackground(SEVERITY_COLUMN, QBrush())

    def show_empty(self, text: str) -> None:
        self.detail.setHtml(text)

    def replace_finding(self, index: int, finding: StoredFinding) -> None:
        """After a decision: the row and the detail show it."""
        self.findings[index] = finding
        item = self.finding_list.topLevelItem(index)
        if item is not None:
            self._paint(item, finding)
        if index == self.current_index():
            self.detail.setHtml(self._html(finding))
            self.note.setText(finding.decision.note if finding.decision else "")
        self.apply_filter()
        self._update_buttons()

    def apply_filter(self) -> None:
        shown = 0
        for index, finding in enumerate(self.findings):
            item = self.finding_list.topLevelItem(index)
            if item is not None:
                item.setHidden(not self.filter.accepts(finding))
                shown += not item.isHidden()
        self.filter.show_count(shown, len(self.findings))
        current = self.finding_list.currentItem()
        if current is None or current.isHidden():
            visible = self._visible()
            if visible:
                self.select_finding(visible[0])

    # selection ------------------------------------------------------------------------------
    def current_index(self) -> int:
        item = self.finding_list.currentItem()
        if item is None or item.isHidden():
            return -1
        return self.finding_list.indexOfTopLevelItem(item)

    def current(self) -> StoredFinding | None:
        index = self.current_index()
        return self.findings[index] if index >= 0 else None

    def _visible(self) -> list[int]:
        items = [self.finding_list.topLevelItem(i) for i in range(len(self.findings))]
        return [index for index, item in enumerate(items) if item and not item.isHidden()]

    def step_finding(self, step: int) -> None:
        """To the next (previous) finding the filter shows."""
        visible = self._visible()
        current = self.current_index()
        later = [i for i in visible if (i > current if step > 0 else i < current)]
        if later:
            self.select_finding(later[0] if step > 0 else later[-1])

    def select_finding(self, index: int) -> None:
        item = self.finding_list.topLevelItem(index)
        if item is not None:
            self.finding_list.setCurrentItem(item)

    def reviewed(self) -> int:
        return sum(1 for finding in self.findings if finding.decision)

    def _on_current_changed(self, current: QTreeWidgetItem | None, _old: Any) -> None:
        index = self.finding_list.indexOfTopLevelItem(current) if current else -1
        self._update_buttons()
        if index < 0:
            return
        finding = self.findings[index]
        self.detail.setHtml(self._html(finding))
        self.note.setText(finding.decision.note if finding.decision else "")
        self.note_hint.setText("")
        self.selected.emit(finding)

    def _update_buttons(self) -> None:
        finding = self.current()
        for button in (self.accept_button, self.reject_button, self.amend_button):
            button.setEnabled(finding is not None)
        self.reset_button.setEnabled(bool(finding and finding.decision))

    def _html(self, finding: StoredFinding) -> str:
        return finding_html(finding, self.clauses.get((finding.policy_id, finding.section), ""))

    def amend(self) -> None:
        finding = self.current()
        if finding is None:
            return
        severity, ok = QInputDialog.getItem(
            self, "Amend finding", "Severity:", list(SEVERITIES),
            SEVERITIES.index(finding.reviewed_severity), False,
        )  # fmt: skip
        if ok and severity != finding.severity:
            self.decision_made.emit("amend", {"severity": severity})
