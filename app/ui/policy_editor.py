"""The policy library: bundled and user policies, and ⚠ the entries that do not load; an
editor with line numbers, a live token count (warns above 600) and lint issues that jump to
their line; the policy's test cases beside it; Save as a new version (refused when the text
does not parse, saved as a draft while lint has errors); unsaved edits are never lost
silently; "Run this policy's tests" on the loaded model."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.lint import TOKENS_HIGH
from app.core.policy import load_policy, read_policy_text
from app.core.progress import CancelToken, Progress
from app.inference.harmony import count_text_tokens
from app.services.policies import lint_policy, save_policy
from app.services.policy_testing import (
    PolicyTestRequest,
    PolicyTestResult,
    cases_file_of,
    run_policy_test,
)
from app.ui.case_editor import CaseEditor
from app.ui.code_editor import CodeEditor
from app.ui.errors import show_error
from app.ui.library_actions import LibraryActions
from app.ui.library_list import LibraryList
from app.ui.session import Session
from app.ui.widgets import hint
from app.ui.worker import Job, start_job

_LINE = Qt.ItemDataRole.UserRole


class PolicyLibraryDialog(LibraryActions, QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("policyLibrary")
        self.setWindowTitle("Policy library")
        self.resize(1180, 760)
        self.session = session
        self.path: Path | None = None
        self.editable = False
        self.job: Job[PolicyTestResult] | None = None
        layout = QHBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        layout.addWidget(splitter)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        self.policy_list = LibraryList()
        self.policy_list.currentItemChanged.connect(self._on_policy_changed)
        left_layout.addWidget(self.policy_list)
        grid = QGridLayout()
        for index, (label, slot) in enumerate(self.action_buttons()):
            button = QPushButton(label)
            button.setObjectName(slot.__name__)
            button.clicked.connect(slot)
            grid.addWidget(button, index // 2, index % 2)
        left_layout.addLayout(grid)
        splitter.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        self.read_only_hint = hint("Bundled policies are read-only: Duplicate to edit a copy.")
        right_layout.addWidget(self.read_only_hint)
        self.tabs = QTabWidget()
        editor_page = QWidget()
        editor_layout = QVBoxLayout(editor_page)
        editor_layout.setContentsMargins(0, 4, 0, 0)
        self.editor = CodeEditor()
        self.editor.setObjectName("policyEditor")
        self.editor.textChanged.connect(self._schedule_lint)
        editor_layout.addWidget(self.editor, 3)
        self.tokens = QLabel("")
        self.tokens.setObjectName("tokenCount")
        editor_layout.addWidget(self.tokens)
        self.issues = QListWidget()
        self.issues.setObjectName("lintIssues")
        self.issues.setToolTip("Click an issue to go to its line")
        self.issues.setWordWrap(True)
        self.issues.itemClicked.connect(self._go_to_issue)
        self.issues.itemActivated.connect(self._go_to_issue)
        editor_layout.addWidget(self.issues, 1)
        self.tabs.addTab(editor_page, "Policy")
        self.cases = CaseEditor(session.library)
        self.cases.saved.connect(self._cases_saved)
        self.tabs.addTab(self.cases, "Test cases")
        right_layout.addWidget(self.tabs, 1)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("Save (new version)")
        self.save_button.setObjectName("savePolicy")
        self.save_button.clicked.connect(self.save)
        self.test_button = QPushButton("Run this policy's tests")
        self.test_button.clicked.connect(self.run_tests)
        self.test_result = QLabel("")
        self.test_result.setObjectName("editorStatus")
        self.test_result.setWordWrap(True)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.test_result, 1)
        right_layout.addLayout(buttons)
        splitter.addWidget(right)
        splitter.setSizes([330, 850])
        self._lint_timer = QTimer(self)
        self._lint_timer.setSingleShot(True)
        self._lint_timer.setInterval(300)  # lint after a pause in typing, not on every key
        self._lint_timer.timeout.connect(self.lint)
        self.refresh()

    # the list ---------------------------------------------------------------------------------
    def refresh(self, select: Path | None = None) -> None:
        self.policy_list.fill(self.session.library.scan(), select)
        if self.policy_list.count() == 0:
            self._show_nothing("The library is empty.")

    def _on_policy_changed(
        self, current: QListWidgetItem | None, old: QListWidgetItem | None
    ) -> None:
        entry = LibraryList.entry(current)
        if entry is None or (self.path is not None and entry.path == self.path):
            return
        if not self.confirm_discard():
            self.policy_list.blockSignals(True)  # stay on the policy with the unsaved edits
            if old is not None:
                self.policy_list.setCurrentItem(old)
            self.policy_list.blockSignals(False)
            return
        if not entry.openable:
            self._show_nothing(f"⚠ {entry.path} does not load: {entry.problem}")
            return
        self.open_path(entry.path, entry.editable)
        if entry.problem:
            self.test_result.setText(f"⚠ Does not load: {entry.problem}. Fix it and save.")

    def _show_nothing(self, message: str) -> None:
        self.path = None
        self.editable = False
        self.editor.setPlainText("")
        self.editor.document().setModified(False)
        self.editor.setReadOnly(True)
        self.save_button.setEnabled(False)
        self.cases.set_policy(None, editable=False)
        self.test_result.setText(message)

    def open_path(self, path: Path, editable: bool | None = None) -> None:
        from app.services.policies import is_user_path

        try:
            text = read_policy_text(path)
        except Exception as error:
            self._show_nothing(f"⚠ {error}")
            return
        self.path = path
        self.editable = is_user_path(path) if editable is None else editable
        self.editor.setPlainText(text)
        self.editor.document().setModified(False)
        self.editor.setReadOnly(not self.editable)
        self.read_only_hint.setVisible(not self.editable)
        self.save_button.setEnabled(self.editable)
        self.test_result.setText("")
        try:
            policy = load_policy(path)
        except Exception:
            policy = None  # a broken policy has no cases to edit until it loads
        self.cases.set_policy(policy, editable=self.editable and policy is not None)
        self.tabs.setTabText(1, f"Test cases ({len(self.cases.cases)})")
        self.lint()

    # editing ----------------------------------------------------------------------------------
    def _schedule_lint(self) -> None:
        self._lint_timer.start()

    def lint(self) -> None:
        text = self.editor.toPlainText()
        _policy, issues = lint_policy(text, self.path)
        tokens = count_text_tokens(text)
        over = tokens > TOKENS_HIGH
        self.tokens.setText(
            f"{tokens} tokens" + (f" — above {TOKENS_HIGH}: shorten it" if over else "")
        )
        self.tokens.setStyleSheet("color: #b3261e; font-weight: 600;" if over else "")
        self.issues.clear()
        for issue in issues:
            item = QListWidgetItem(str(issue))
            item.setData(_LINE, issue.line)
            self.issues.addItem(item)
        if not issues:
            self.issues.addItem("No lint warnings.")

    def _cases_saved(self, count: int) -> None:
        self.tabs.setTabText(1, f"Test cases ({count})")
        self.lint()  # cases count as coverage

    def _go_to_issue(self, item: QListWidgetItem) -> None:
        line = item.data(_LINE)
        if isinstance(line, int) and line > 0:
            self.editor.go_to_line(line)

    def modified(self) -> bool:
        return self.editable and (self.editor.document().isModified() or self.cases.dirty)

    def confirm_discard(self) -> bool:
        """True when there is nothing unsaved, or the user saved or discarded it."""
        if not self.modified():
            return True
        name = self.path.parent.name if self.path else "this policy"
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save your changes to {name}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self.editor.document().setModified(False)
            self.cases.dirty = False
            return True
        return False

    def save(self) -> bool:
        """Save as a new version; a text that does not parse is refused with its line. Lint
        errors make it a draft (kept, not offered for checks) until it is saved clean."""
        if self.path is None or not self.editable:
            return False
        if self.cases.dirty and not self.cases.save():
            return False
        try:
            saved = save_policy(self.path, self.editor.toPlainText())
        except Exception as error:
            line = getattr(error, "line", 0)
            if line:
                self.editor.go_to_line(line)
            show_error(self, "The policy was not saved", error)
            return False
        self.editor.document().setModified(False)
        path = self.path
        self.path = None  # reopened from the saved file
        self.refresh(select=path)
        if saved.draft:
            self.test_result.setText(
                f"Saved as draft {saved.version}: not offered for checks until lint shows no "
                f"errors ({len(saved.errors)} left: {saved.errors[0]})."
            )
        else:
            self.test_result.setText(f"Saved as version {saved.version}.")
        return True

    # tests ------------------------------------------------------------------------------------
    def run_tests(self) -> None:
        if self.path is None:
            return
        try:
            request = PolicyTestRequest(load_policy(self.path))
            cases_file_of(request)
        except Exception as error:
            show_error(self, "Cannot run the tests", error)
            return
        self.test_button.setEnabled(False)
        self.test_result.setText("Running the test cases…")
        session = self.session

        def work(progress: Progress, cancel: CancelToken, _text: object) -> PolicyTestResult:
            store = session.open_store()  # this thread's own connection
            try:
                return run_policy_test(
                    request, session.engine(), store, progress=progress, cancel=cancel
                )
            finally:
                store.close()

        self.job = start_job(
            work,
            "policy tests",
            self,
            on_done=self._on_tests_done,
            on_error=self._on_tests_failed,
            on_progress=lambda e: (
                self.test_result.setText(f"Case {e.done} of {e.total}…") if e.total else None
            ),
        )

    def _on_tests_done(self, result: PolicyTestResult) -> None:
        self.test_button.setEnabled(True)
        overall = result.report.overall
        self.test_result.setText(
            f"{result.report.cases} cases: F1 {_fmt(overall.f1)}, precision "
            f"{_fmt(overall.precision)}, recall {_fmt(overall.recall)} (saved with version "
            f"{result.report.extra.get('version', '')})"
        )

    def _on_tests_failed(self, error: BaseException) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText("")
        show_error(self, "The policy tests stopped", error)

    # closing ----------------------------------------------------------------------------------
    def reject(self) -> None:  # Escape, the window's close button (QDialog.closeEvent)
        if self.confirm_discard():
            super().reject()

    def done(self, result: int) -> None:
        if self.job is not None and not self.job.done:
            self.job.cancel()
        super().done(result)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"
