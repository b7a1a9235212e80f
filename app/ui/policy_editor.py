"""The policy library: bundled and user policies; an editor with the four-section template, a
live token count (warns above 600), lint warnings as you type, version bump on save, and
"Run this policy's tests" on the loaded model."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import InputError
from app.core.lint import TOKENS_HIGH, lint_text, load_cases
from app.core.policy import bump_version, load_policy, read_policy_text
from app.core.progress import CancelToken, Progress
from app.inference.harmony import count_text_tokens
from app.runtime.paths import user_policies_dir
from app.runtime.resources import bundled_policies_dir
from app.services.policy_testing import (
    PolicyTestRequest,
    PolicyTestResult,
    cases_file_of,
    run_policy_test,
)
from app.ui.errors import show_error
from app.ui.session import Session
from app.ui.widgets import hint
from app.ui.worker import Job, start_job

TEMPLATE_ID = "house-rules-template"


class PolicyLibraryDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("policyLibrary")
        self.setWindowTitle("Policy library")
        self.resize(1100, 720)
        self.session = session
        self.path: Path | None = None
        self.job: Job[PolicyTestResult] | None = None
        layout = QHBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        layout.addWidget(splitter)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        self.policy_list = QListWidget()
        self.policy_list.setObjectName("libraryList")
        self.policy_list.setWordWrap(True)
        self.policy_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.policy_list.currentItemChanged.connect(self._on_policy_changed)
        left_layout.addWidget(self.policy_list)
        new = QPushButton("New from template…")
        new.clicked.connect(self.new_policy)
        duplicate = QPushButton("Duplicate to edit…")
        duplicate.clicked.connect(self.duplicate_policy)
        left_layout.addWidget(new)
        left_layout.addWidget(duplicate)
        splitter.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        self.read_only_hint = hint("Bundled policies are read-only: Duplicate to edit a copy.")
        right_layout.addWidget(self.read_only_hint)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("policyEditor")
        self.editor.setFont(QFont("DejaVu Sans Mono", 10))
        self.editor.textChanged.connect(self._schedule_lint)
        right_layout.addWidget(self.editor, 3)
        self.tokens = QLabel("")
        self.tokens.setObjectName("tokenCount")
        right_layout.addWidget(self.tokens)
        self.issues = QListWidget()
        self.issues.setObjectName("lintIssues")
        right_layout.addWidget(self.issues, 1)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("Save (new version)")
        self.save_button.clicked.connect(self.save)
        self.test_button = QPushButton("Run this policy's tests")
        self.test_button.clicked.connect(self.run_tests)
        self.test_result = QLabel("")
        self.test_result.setWordWrap(True)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.test_result, 1)
        right_layout.addLayout(buttons)
        splitter.addWidget(right)
        splitter.setSizes([300, 800])
        self._lint_timer = QTimer(self)
        self._lint_timer.setSingleShot(True)
        self._lint_timer.setInterval(300)  # lint after a pause in typing, not on every key
        self._lint_timer.timeout.connect(self.lint)
        self.refresh()

    def refresh(self, select: Path | None = None) -> None:
        self.policy_list.clear()
        for policy in self.session.library.all():
            mine = policy.path is not None and user_policies_dir() in policy.path.parents
            item = QListWidgetItem(
                f"{policy.id} {policy.version} · {'yours' if mine else 'bundled'}\n{policy.title}"
            )
            item.setToolTip(policy.title)
            item.setData(Qt.ItemDataRole.UserRole, str(policy.path))
            self.policy_list.addItem(item)
            if select is not None and policy.path == select:
                self.policy_list.setCurrentItem(item)
        if self.policy_list.currentItem() is None and self.policy_list.count():
            self.policy_list.setCurrentRow(0)

    def _on_policy_changed(self, current: QListWidgetItem | None, _old: object) -> None:
        if current is None:
            return
        self.open_path(Path(str(current.data(Qt.ItemDataRole.UserRole))))

    def open_path(self, path: Path) -> None:
        try:
            text = read_policy_text(path)  # bounded: a FIFO or a device is refused unread
        except InputError as error:
            show_error(self, "Open policy", error)
            return
        self.path = path
        editable = user_policies_dir() in path.parents
        self.editor.setPlainText(text)
        self.editor.setReadOnly(not editable)
        self.read_only_hint.setVisible(not editable)
        self.save_button.setEnabled(editable)
        self.test_result.setText("")
        self.lint()

    def _schedule_lint(self) -> None:
        self._lint_timer.start()

    def lint(self) -> None:
        text = self.editor.toPlainText()
        cases_file = self.path.parent / "cases.jsonl" if self.path else None
        try:
            cases = load_cases(cases_file) if cases_file and cases_file.exists() else []
        except InputError:
            cases = []
        _policy, issues = lint_text(text, count_text_tokens, path=self.path, cases=cases)
        tokens = count_text_tokens(text)
        over = tokens > TOKENS_HIGH
        self.tokens.setText(
            f"{tokens} tokens" + (f" — above {TOKENS_HIGH}: shorten it" if over else "")
        )
        self.tokens.setStyleSheet("color: #b3261e; font-weight: 600;" if over else "")
        self.issues.clear()
        for issue in issues:
            self.issues.addItem(str(issue))
        if not issues:
            self.issues.addItem("No lint warnings.")

    def save(self) -> None:
        if self.path is None:
            return
        text, version = bump_version(self.editor.toPlainText())
        self.path.write_text(text, encoding="utf-8")
        self.refresh(select=self.path)  # reloads the editor from the saved file
        self.test_result.setText(f"Saved as version {version}.")

    def _copy_into_user_dir(self, source_folder: Path, title: str) -> None:
        new_id, ok = QInputDialog.getText(self, title, "Id of the new policy (letters, digits, -):")
        if not ok or not new_id.strip():
            return
        new_id = new_id.strip()
        target = user_policies_dir() / new_id
        if target.exists() or not new_id.replace("-", "").isalnum():
            show_error(self, title, InputError(f"'{new_id}' is taken or not a valid id"))
            return
        shutil.copytree(source_folder, target)
        policy_file = target / "policy.md"
        text = read_policy_text(policy_file)
        old = load_policy(policy_file)
        text = text.replace(f"id: {old.id}", f"id: {new_id}", 1)
        text = text.replace(f"title: {old.title}", f"title: {old.title} (copy)", 1)
        policy_file.write_text(text, encoding="utf-8")
        self.refresh(select=policy_file)

    def new_policy(self) -> None:
        self._copy_into_user_dir(bundled_policies_dir() / TEMPLATE_ID, "New policy")

    def duplicate_policy(self) -> None:
        if self.path is not None:
            self._copy_into_user_dir(self.path.parent, "Duplicate policy")

    def run_tests(self) -> None:
        if self.path is None:
            return
        try:
            request = PolicyTestRequest(load_policy(self.path))
            cases = load_cases(cases_file_of(request))
        except Exception as error:
            show_error(self, "Cannot run the tests", error)
            return
        self.test_button.setEnabled(False)
        self.test_result.setText(f"Running {len(cases)} cases…")
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

    def done(self, result: int) -> None:
        if self.job is not None and not self.job.done:
            self.job.cancel()
        super().done(result)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"
