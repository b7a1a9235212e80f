"""The wizard's side-by-side view: the regulation's text on the left, the drafts on the right
(one tab per policy, editable, with line numbers), the criteria of the open draft each linked
to its provision (click one, or move the cursor into it: the provision is highlighted on the
left), and the draft's lint issues (click one: the editor goes to its line)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.drafting import Drafted, RegulationSource
from app.services.policies import lint_policy
from app.ui.code_editor import CodeEditor
from app.ui.source_view import SourceView

_DATA = Qt.ItemDataRole.UserRole


class DraftReview(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("draftReview")
        self.source: RegulationSource | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(QLabel("<b>The regulation's text</b>"))
        self.source_view = SourceView()
        left_layout.addWidget(self.source_view, 1)
        self.provision_label = QLabel("Click a criterion to see the provision it restates.")
        self.provision_label.setObjectName("provisionLabel")
        self.provision_label.setWordWrap(True)
        left_layout.addWidget(self.provision_label)
        splitter.addWidget(left)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(
            QLabel("<b>The drafts</b> (edit them here, or later in the library)")
        )
        self.drafts = QTabWidget()
        self.drafts.setObjectName("draftTabs")
        self.drafts.currentChanged.connect(lambda _index: self._fill_side_lists())
        right_layout.addWidget(self.drafts, 3)
        lists = QHBoxLayout()
        self.criteria = QListWidget()
        self.criteria.setObjectName("criteriaList")
        self.criteria.setToolTip("Click a criterion to see the provision it restates")
        self.criteria.currentItemChanged.connect(lambda item, _old: self._show_criterion(item))
        self.lint_issues = QListWidget()
        self.lint_issues.setObjectName("draftIssues")
        self.lint_issues.setToolTip("Click an issue to go to its line")
        self.lint_issues.setWordWrap(True)
        self.lint_issues.itemClicked.connect(self._go_to_issue)
        lists.addWidget(self.criteria, 1)
        lists.addWidget(self.lint_issues, 2)
        right_layout.addLayout(lists, 1)
        splitter.addWidget(right)
        splitter.setSizes([540, 740])
        layout.addWidget(splitter, 1)
        self.notes = QLabel("")
        self.notes.setObjectName("draftNotes")
        self.notes.setWordWrap(True)
        layout.addWidget(self.notes)

    def show_drafts(self, source: RegulationSource, drafted: Drafted) -> None:
        self.source = source
        self.source_view.show_regulation(source.regulation)
        self.drafts.clear()
        for item in drafted.drafts:
            editor = CodeEditor()
            editor.setObjectName(f"draft-{item.policy_id}")
            editor.setPlainText(item.text)
            editor.cursorPositionChanged.connect(self._follow_cursor)
            editor.textChanged.connect(self._fill_side_lists)
            self.drafts.addTab(editor, f"{item.policy_id} ({item.tokens} tokens)")
        gaps = "Examples marked [[GAP: …]] are yours to write; lint names each one."
        self.notes.setText(" ".join([*(f"{note}." for note in drafted.notes), gaps]))
        self._fill_side_lists()

    def texts(self) -> list[str]:
        editors = [self.drafts.widget(i) for i in range(self.drafts.count())]
        return [e.toPlainText() for e in editors if isinstance(e, CodeEditor)]

    def editor(self) -> CodeEditor | None:
        widget = self.drafts.currentWidget()
        return widget if isinstance(widget, CodeEditor) else None

    def _fill_side_lists(self) -> None:
        editor = self.editor()
        self.criteria.blockSignals(True)
        self.criteria.clear()
        self.lint_issues.clear()
        if editor is not None:
            for section_id, ref, line in criteria_of(editor.toPlainText()):
                item = QListWidgetItem(f"{section_id}  →  {ref}")
                item.setData(_DATA, (ref, line))
                self.criteria.addItem(item)
            for issue in lint_policy(editor.toPlainText(), None)[1]:
                entry = QListWidgetItem(str(issue))
                entry.setData(_DATA, issue.line)
                self.lint_issues.addItem(entry)
        self.criteria.blockSignals(False)

    def _show_criterion(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        ref, line = item.data(_DATA)
        self.show_source(ref)
        editor = self.editor()
        if editor is not None and editor.current_line() != line:
            editor.blockSignals(True)  # the cursor moved by us: no need to follow it
            editor.go_to_line(line)
            editor.blockSignals(False)

    def _follow_cursor(self) -> None:
        editor = self.editor()
        if editor is None:
            return
        line = editor.current_line()
        for _section_id, ref, start in reversed(criteria_of(editor.toPlainText())):
            if start <= line:
                if ref != self.source_view.shown:
                    self.show_source(ref)
                return

    def show_source(self, ref: str) -> None:
        if self.source is None:
            return
        found = self.source_view.show_provision(ref)
        provision = self.source.regulation.find(ref)
        where = ", ".join(provision.all_passages) if provision else ""
        self.provision_label.setText(
            f"{ref}: passages {where} of {self.source.path.name}"
            if found
            else f"⚠ {ref} is not a provision of this regulation"
        )

    def _go_to_issue(self, item: QListWidgetItem) -> None:
        editor, line = self.editor(), item.data(_DATA)
        if editor is not None and isinstance(line, int):
            editor.go_to_line(line)


def criteria_of(text: str) -> list[tuple[str, str, int]]:
    """(section id, the provision its last Source: line cites, heading line) per criterion."""
    found: list[tuple[str, str, int]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        heading = re.match(r"^## ([A-Z][A-Z0-9]*-\d+[a-z]?)\b", line)
        if heading:
            found.append((heading.group(1), "", number))
        source = re.match(r"^Source:\s*(.+?)\s*$", line)
        if source and found:
            found[-1] = (found[-1][0], source.group(1), found[-1][2])
    return [item for item in found if item[1]]
