"""Checks: every check in the store, the app's start page once anything was checked. One row a
run (document, policies, date, model, the model's and the reviewed verdict, "5 of 9
reviewed", sign-off and who signed); filter by reviewed verdict, review state and case, search
document names, group by case; Enter, a double click or Open reopens a check in the result
view. The rows come from ``Store.history`` (four queries, however many runs)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.core.results import VERDICT_ORDER
from app.ui.history_model import (
    DATE,
    DOCUMENT,
    REVIEW_STATES,
    RUN_ID_ROLE,
    CaseGroups,
    HistoryFilter,
    HistoryModel,
)
from app.ui.session import Session
from app.ui.widgets import heading, hint, verdict_word


class ChecksPage(QWidget):
    open_run = Signal(int)  # a run id to show in the result view
    new_check = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checksPage")
        self.session = session
        self.model = HistoryModel()
        self.filtered = HistoryFilter()
        self.filtered.setSourceModel(self.model)
        self.groups = CaseGroups()
        self.groups.setSourceModel(self.filtered)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        top = QHBoxLayout()
        top.addWidget(heading("Checks"))
        top.addStretch()
        new = QPushButton("New check…")
        new.setObjectName("newCheckButton")
        new.clicked.connect(self.new_check)
        top.addWidget(new)
        layout.addLayout(top)

        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("checksSearch")
        self.search.setPlaceholderText("Search document names")
        self.search.setClearButtonEnabled(True)
        self.verdict = QComboBox()
        self.verdict.setObjectName("verdictFilter")
        self.verdict.setToolTip("The reviewed verdict (after the reviewer's decisions)")
        self.verdict.addItem("Any reviewed verdict", "any")
        for verdict in VERDICT_ORDER:
            self.verdict.addItem(verdict_word(verdict), verdict)
        self.state = QComboBox()
        self.state.setObjectName("stateFilter")
        for key, words in REVIEW_STATES.items():
            self.state.addItem(words, key)
        self.case = QComboBox()
        self.case.setObjectName("caseFilter")
        self.grouped = QCheckBox("Group by case")
        self.grouped.setObjectName("groupByCase")
        filters.addWidget(self.search, 2)
        for widget in (self.verdict, self.state, self.case, self.grouped):
            filters.addWidget(widget)
        layout.addLayout(filters)

        self.view = QTreeView()
        self.view.setObjectName("checksView")
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setUniformRowHeights(True)
        self.view.setSortingEnabled(True)
        self.view.activated.connect(self._activated)  # Enter and double click
        layout.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        self.open_button = QPushButton("Open")
        self.open_button.setObjectName("openCheckButton")
        self.open_button.clicked.connect(lambda: self._activated(self.view.currentIndex()))
        self.shown = QLabel("")
        self.shown.setObjectName("hint")
        bottom.addWidget(self.open_button)
        bottom.addWidget(self.shown)
        bottom.addStretch()
        layout.addLayout(bottom)
        self.empty = hint("No checks yet: start one with New check. Every check is kept here.")
        layout.addWidget(self.empty)

        self.search.textChanged.connect(self._filter)
        for combo in (self.verdict, self.state, self.case):
            combo.currentIndexChanged.connect(self._filter)
        self.grouped.toggled.connect(self._group)
        self._group(False)
        self.view.sortByColumn(DATE, Qt.SortOrder.DescendingOrder)  # newest first

    def refresh(self) -> None:
        """Read the history again (after a check, a decision or a sign-off)."""
        rows = self.session.store.history()
        self.model.set_rows(rows)
        chosen = self.case.currentData() or ""
        self.case.blockSignals(True)
        self.case.clear()
        self.case.addItem("Every case", "")
        for case in self.session.store.cases():
            self.case.addItem(case, case)
        self.case.setCurrentIndex(max(0, self.case.findData(chosen)))
        self.case.blockSignals(False)
        self._filter()
        self.empty.setVisible(not rows)
        self.view.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.header().setSectionResizeMode(DOCUMENT, QHeaderView.ResizeMode.Stretch)

    def _filter(self) -> None:
        self.filtered.set_filter(
            verdict=self.verdict.currentData() or "any",
            state=self.state.currentData() or "any",
            case=self.case.currentData() or "",
            search=self.search.text(),
        )
        if self.grouped.isChecked():
            self.view.expandAll()
        shown, total = self.filtered.rowCount(), self.model.rowCount()
        self.shown.setText(f"{shown} of {total} checks shown" if shown != total else "")
        self._select_first()

    def _group(self, grouped: bool) -> None:
        self.view.setModel(self.groups if grouped else self.filtered)
        self.view.setRootIsDecorated(grouped)
        if grouped:
            self.view.expandAll()
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self._select_first()

    def _select_first(self) -> None:
        model = self.view.model()
        first = model.index(0, 0)
        if self.grouped.isChecked() and first.isValid():
            first = model.index(0, 0, first)
        if first.isValid() and not self.run_at(self.view.currentIndex()):
            self.view.setCurrentIndex(first)
        self._current_changed(self.view.currentIndex())

    def _current_changed(self, current: QModelIndex, _previous: object = None) -> None:
        self.open_button.setEnabled(bool(self.run_at(current)))

    def run_at(self, index: QModelIndex) -> int:
        """The run of a row (0: none, or a case node)."""
        if not index.isValid():
            return 0
        value = index.siblingAtColumn(0).data(RUN_ID_ROLE)
        return int(value) if value else 0

    def visible_runs(self) -> list[int]:
        """The runs the filter shows, in the view's order (for tests and keyboard users)."""
        return [
            int(self.filtered.index(row, 0).data(RUN_ID_ROLE))
            for row in range(self.filtered.rowCount())
        ]

    def _activated(self, index: QModelIndex) -> None:
        run_id = self.run_at(index)
        if run_id:
            self.open_run.emit(run_id)
