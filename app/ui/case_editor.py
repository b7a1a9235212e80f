"""A policy's test cases beside the policy: each case's text, expected verdict and sections;
saved to the ``cases.jsonl`` of a user policy (bundled ones are read-only); cases from an
``export dataset`` file can be imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.library import PolicyLibrary
from app.core.policy import Policy
from app.services.policy_cases import EXPECTED, import_cases, read_cases, save_cases
from app.ui.errors import show_error
from app.ui.widgets import hint

_BLANK: dict[str, Any] = {"text": "", "expected": "violation", "sections": []}


class CaseEditor(QWidget):
    saved = Signal(int)  # how many cases were written

    def __init__(self, library: PolicyLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseEditor")
        self.library = library
        self.policy: Policy | None = None
        self.cases: list[dict[str, Any]] = []
        self.dirty = False
        self._loading = False
        layout = QVBoxLayout(self)
        self.read_only_hint = hint(
            "The cases of a bundled policy are read-only: Duplicate to edit a copy."
        )
        layout.addWidget(self.read_only_hint)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.case_list = QTreeWidget()
        self.case_list.setObjectName("caseList")
        self.case_list.setRootIsDecorated(False)
        self.case_list.setHeaderLabels(["Expected", "Sections", "Text"])
        self.case_list.setColumnWidth(0, 110)
        self.case_list.setColumnWidth(1, 90)
        self.case_list.currentItemChanged.connect(
            lambda item, _old: self._show_case(self.case_list.indexOfTopLevelItem(item))
        )
        splitter.addWidget(self.case_list)
        form_box = QWidget()
        form = QFormLayout(form_box)
        self.text = QPlainTextEdit()
        self.text.setObjectName("caseText")
        self.text.setPlaceholderText("The passage to check, as it would appear in a document.")
        self.text.textChanged.connect(self._edited)
        self.expected = QComboBox()
        self.expected.addItems(list(EXPECTED))
        self.expected.currentTextChanged.connect(self._edited)
        self.sections = QListWidget()
        self.sections.setObjectName("caseSections")
        self.sections.setMaximumHeight(60)
        self.sections.setFlow(QListWidget.Flow.LeftToRight)
        self.sections.setWrapping(True)
        self.sections.itemChanged.connect(self._edited)
        form.addRow("Text", self.text)
        form.addRow("Expected verdict", self.expected)
        form.addRow("Sections broken", self.sections)
        splitter.addWidget(form_box)
        splitter.setSizes([260, 300])
        layout.addWidget(splitter, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("New case")
        self.add_button.clicked.connect(self.add_case)
        self.delete_button = QPushButton("Delete case")
        self.delete_button.clicked.connect(self.delete_case)
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip("Cases from a cases.jsonl or an 'export dataset' file")
        self.import_button.clicked.connect(self.choose_import)
        self.save_button = QPushButton("Save cases")
        self.save_button.setObjectName("saveCases")
        self.save_button.clicked.connect(self.save)
        for button in (self.add_button, self.delete_button, self.import_button, self.save_button):
            buttons.addWidget(button)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.status = QLabel("")
        self.status.setObjectName("caseStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.set_policy(None, editable=False)

    # loading ----------------------------------------------------------------------------------
    def set_policy(self, policy: Policy | None, editable: bool) -> None:
        self.policy = policy
        try:
            self.cases = read_cases(policy) if policy is not None else []
            self.status.setText(f"{len(self.cases)} test case(s)." if policy else "")
        except Exception as error:  # a broken cases file is shown, not fatal
            self.cases = []
            self.status.setText(f"⚠ The cases file does not load: {error}")
        self.dirty = False
        self.read_only_hint.setVisible(policy is not None and not editable)
        for widget in (self.add_button, self.delete_button, self.import_button, self.save_button):
            widget.setEnabled(policy is not None and editable)
        self.text.setReadOnly(not editable)
        self.expected.setEnabled(editable)
        self.sections.setEnabled(editable)
        self._fill_list(0)

    def _fill_list(self, select: int) -> None:
        self._loading = True
        self.case_list.clear()
        for case in self.cases:
            self.case_list.addTopLevelItem(QTreeWidgetItem(_summary(case)))
        self._loading = False
        if self.cases:
            self.select_row(min(select, len(self.cases) - 1))
        else:
            self._show_case(-1)

    def select_row(self, row: int) -> None:
        item = self.case_list.topLevelItem(row)
        if item is not None:
            self.case_list.setCurrentItem(item)

    def current_row(self) -> int:
        item = self.case_list.currentItem()
        return self.case_list.indexOfTopLevelItem(item) if item is not None else -1

    def _show_case(self, row: int) -> None:
        case = self.cases[row] if 0 <= row < len(self.cases) else None
        self._loading = True
        self.text.setPlainText(case["text"] if case else "")
        self.expected.setCurrentText(str(case["expected"]) if case else "violation")
        chosen = set(case.get("sections") or []) if case else set()
        self.sections.clear()
        for section_id in self.policy.section_ids if self.policy else ():
            item = QListWidgetItem(section_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = section_id in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.sections.addItem(item)
        self._loading = False

    # editing ----------------------------------------------------------------------------------
    def _edited(self, *_args: object) -> None:
        row = self.current_row()
        if self._loading or not 0 <= row < len(self.cases):
            return
        sections = [
            self.sections.item(i).text()
            for i in range(self.sections.count())
            if self.sections.item(i).checkState() == Qt.CheckState.Checked
        ]
        case = self.cases[row] | {
            "text": self.text.toPlainText(),
            "expected": self.expected.currentText(),
            "sections": sections,
        }
        self.cases[row] = case
        item = self.case_list.topLevelItem(row)
        if item is not None:
            for column, text in enumerate(_summary(case)):
                item.setText(column, text)
        self.dirty = True

    def add_case(self) -> None:
        self.cases.append(dict(_BLANK))
        self.dirty = True
        self._fill_list(len(self.cases) - 1)
        self.text.setFocus()

    def delete_case(self) -> None:
        row = self.current_row()
        if 0 <= row < len(self.cases):
            del self.cases[row]
            self.dirty = True
            self._fill_list(row)

    def save(self) -> bool:
        if self.policy is None:
            return False
        try:
            save_cases(self.policy, self.cases)
        except Exception as error:
            show_error(self, "The test cases were not saved", error)
            return False
        self.dirty = False
        self.status.setText(f"Saved {len(self.cases)} test case(s).")
        self.saved.emit(len(self.cases))
        return True

    def choose_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import test cases", "", "Test cases (*.jsonl);;All files (*)"
        )
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> None:
        if self.policy is None:
            return
        if self.dirty and not self.save():
            return
        try:
            result = import_cases(self.library, path, self.policy.id)
        except Exception as error:
            show_error(self, "The test cases were not imported", error)
            return
        self.set_policy(self.policy, editable=True)
        added = result.added.get(self.policy.id, 0)
        skipped = f"; {len(result.skipped)} skipped: {result.skipped[0]}" if result.skipped else ""
        self.status.setText(f"Imported {added} case(s) from {path.name}{skipped}")
        self.saved.emit(len(self.cases))


def _summary(case: dict[str, Any]) -> list[str]:
    sections = ", ".join(case.get("sections") or []) or "—"
    text = " ".join(str(case.get("text", "")).split()) or "(no text yet)"
    return [str(case.get("expected", "?")), sections, text[:200]]
