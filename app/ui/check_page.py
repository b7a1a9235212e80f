"""Set up and run a check: documents (dialog or drag and drop), policies, effort; then a
progress bar by stage with Cancel, and the model's reasoning streaming into an auditor pane
that stays collapsed unless asked for."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import Cancelled, UsageError
from app.core.progress import ProgressEvent
from app.core.types import CHECK_EFFORTS, CheckEffort
from app.ingest import SUFFIXES
from app.models.catalogue import SMOKE_NOTICE
from app.services.checking import CheckOptions, CheckRequest, ChecksDone
from app.ui.batch_progress import BatchProgress
from app.ui.document_list import DocumentList
from app.ui.errors import show_error
from app.ui.live_reasoning import LiveReasoning
from app.ui.run_bar import RunBar
from app.ui.session import Session
from app.ui.widgets import heading, hint, verdict_word
from app.ui.worker import Job, start_job


class CheckPage(QWidget):
    finished = Signal(object)  # ChecksDone
    show_checks = Signal()  # the Checks page (every earlier check)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkPage")
        self.session = session
        self.job: Job[ChecksDone] | None = None
        self.skipped: list[Path] = []  # files left out of the running check (their status)
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        title_row = QHBoxLayout()
        title_row.addWidget(heading("New check"))
        title_row.addStretch()
        self.checks_button = QPushButton("◀ Checks")
        self.checks_button.setObjectName("checksButton")
        self.checks_button.setToolTip("Every earlier check: reopen, review, sign off")
        self.checks_button.clicked.connect(self.show_checks)
        title_row.addWidget(self.checks_button)
        layout.addLayout(title_row)
        self.smoke_banner = QLabel(f"Demo — {SMOKE_NOTICE}")
        self.smoke_banner.setObjectName("smokeBanner")
        self.smoke_banner.setWordWrap(True)
        self.smoke_banner.setVisible(False)
        layout.addWidget(self.smoke_banner)
        self.model_label = QLabel("")  # the active model, in one line (Tools ▸ Models changes it)
        self.model_label.setObjectName("activeModel")
        layout.addWidget(self.model_label)

        columns = QHBoxLayout()
        documents = QGroupBox("1. Documents")
        documents_layout = QVBoxLayout(documents)
        self.document_hint = hint(
            "Drop documents here (PDF, Word, e-mail, HTML, text and more), or press Add "
            "documents. Each one is looked at when added: its status says whether it can be "
            "checked."
        )
        self.document_list = DocumentList(session.settings.limits)
        self.document_list.add_button.clicked.connect(self.choose_documents)
        self.document_list.changed.connect(self._documents_changed)
        documents_layout.addWidget(self.document_hint)
        documents_layout.addWidget(self.document_list)
        columns.addWidget(documents, 3)

        policies = QGroupBox("2. Policies")
        policies_layout = QVBoxLayout(policies)
        self.policy_list = QListWidget()
        self.policy_list.setObjectName("policyList")
        self.policy_list.setWordWrap(True)
        self.policy_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        policies_layout.addWidget(self.policy_list)
        self.policy_problems = hint("")  # library entries that do not load (never fatal)
        self.policy_problems.setObjectName("policyProblems")
        policies_layout.addWidget(self.policy_problems)
        effort_row = QHBoxLayout()
        effort_row.addWidget(QLabel("Reasoning effort:"))
        self.effort = QComboBox()
        self.effort.addItems(list(CHECK_EFFORTS))
        self.effort.setToolTip(
            "Higher effort reasons longer: slower, usually more careful. 'auto': high where a "
            "policy's screens match, low elsewhere; unsure low-effort answers are re-checked "
            "at high effort."
        )
        effort_row.addWidget(self.effort)
        effort_row.addStretch()
        policies_layout.addLayout(effort_row)
        self.triage_only = QCheckBox("Triage only (the policies' screens, no model)")
        self.triage_only.setToolTip(
            "Bulk screening: every screen match becomes a finding to review; nothing else is "
            "judged."
        )
        policies_layout.addWidget(self.triage_only)
        columns.addWidget(policies, 2)
        layout.addLayout(columns, 3)

        self.run_bar = RunBar()
        bar = self.run_bar
        self.case, self.stage, self.progress = bar.case, bar.stage, bar.progress
        self.start_button, self.cancel_button = bar.start_button, bar.cancel_button
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        layout.addWidget(self.run_bar)
        self.batch_progress = BatchProgress()  # hidden unless documents run at once on a server
        layout.addWidget(self.batch_progress)

        self.reasoning_box = LiveReasoning()
        self.reasoning = self.reasoning_box.text
        self.reasoning_box.toggled.connect(self._show_reasoning)
        layout.addWidget(self.reasoning_box)
        layout.addStretch(0)
        self._layout = layout
        self.refresh_policies()

    def _show_reasoning(self, visible: bool) -> None:
        self._layout.setStretchFactor(self.reasoning_box, 2 if visible else 0)

    # set-up ---------------------------------------------------------------------------------
    def refresh_policies(self) -> None:
        chosen = set(self.chosen_policy_ids()) or set(self.session.settings.default_policies)
        self.policy_list.clear()
        scan = self.session.library.scan()
        problems = [f"⚠ {p.path.parent.name}: {p.problem}" for p in scan.problems]
        self.policy_problems.setText(
            "\n".join([*problems[:3], "Fix them in Tools ▸ Policy library."]) if problems else ""
        )
        self.policy_problems.setVisible(bool(problems))
        for policy in (p for p in scan.policies if p.checkable):  # no templates, no drafts
            item = QListWidgetItem(f"{policy.id} {policy.version} — {policy.title}")
            item.setToolTip(policy.title)
            item.setData(Qt.ItemDataRole.UserRole, policy.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = policy.id in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.policy_list.addItem(item)
        self.effort.setCurrentText(self.session.settings.default_effort)
        self.smoke_banner.setVisible(self._smoke_model())
        self.model_label.setText(self.session.model_line())

    def _smoke_model(self) -> bool:
        try:
            return self.session.model().smoke
        except Exception:
            return False

    def chosen_policy_ids(self) -> list[str]:
        ids = []
        for row in range(self.policy_list.count()):
            item = self.policy_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                ids.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return ids

    def set_policies(self, ids: list[str]) -> None:
        for row in range(self.policy_list.count()):
            item = self.policy_list.item(row)
            wanted = item.data(Qt.ItemDataRole.UserRole) in ids
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def documents(self) -> list[Path]:
        return self.document_list.paths()

    def add_documents(self, paths: list[Path], choose_encoding: bool = False) -> None:
        self.document_list.limits = self.session.settings.limits
        self.document_list.add(paths, choose_encoding)

    def _documents_changed(self) -> None:
        self.document_hint.setVisible(not self.document_list.entries)

    def refresh_cases(self) -> None:
        current = self.case.currentText().strip() or "default"
        self.case.clear()
        self.case.addItems(list(dict.fromkeys(["default", *self.session.store.cases()])))
        self.case.setCurrentText(current)

    def clear(self) -> None:
        """A new check starts clean: no documents, progress or reasoning of the last one."""
        if self.job is not None:
            return  # a running check keeps its page
        self.document_list.clear()
        self.reasoning_box.clear()
        self.run_bar.reset()
        self.batch_progress.reset()

    def choose_documents(self) -> None:
        patterns = " ".join(f"*{suffix}" for suffix in SUFFIXES)
        names, _ = QFileDialog.getOpenFileNames(
            self, "Add documents", str(Path.home()), f"Documents ({patterns})"
        )
        self.add_documents([Path(name) for name in names])

    def remove_selected(self) -> None:
        self.document_list.remove_selected()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        self.add_documents([p for p in paths if p.suffix.lower() in SUFFIXES])
        event.acceptProposedAction()

    # running --------------------------------------------------------------------------------
    def start(self) -> None:
        skipped = self.document_list.skipped()
        paths = [path for path in self.documents() if path not in skipped]
        policy_ids = self.chosen_policy_ids()
        try:
            if not self.documents():
                raise UsageError("add at least one document to check")
            if not paths:
                raise UsageError(
                    "none of the documents can be checked as they are: their statuses say why"
                )
            if not policy_ids:
                raise UsageError("choose at least one policy")
            policies = [self.session.library.resolve(ref) for ref in policy_ids]
            model = self.session.model()
        except Exception as error:
            show_error(self, "Cannot start the check", error)
            return
        request = CheckRequest(
            policies=tuple(policies),
            effort=cast(CheckEffort, self.effort.currentText()),
            model_name=model.name,
            limits=self.session.settings.limits,
            notice=SMOKE_NOTICE if model.smoke else "",
            options=CheckOptions(triage_only=self.triage_only.isChecked()),
            files=self.document_list.options(),  # passwords and encodings, this check only
            case=self.case.currentText().strip() or "default",
            # a server batches documents (0: as many as it runs); the local model runs one
            parallel=self.session.settings.parallel if self.session.settings.server_url else 1,
        )
        self.reasoning_box.clear()
        self.batch_progress.reset()
        self.skipped = skipped
        self.run_bar.set_running(True)
        self.job = start_job(
            self.session.check_work(paths, request, model.name),
            "check",
            self,
            on_done=self._on_finished,
            on_error=self._on_failed,
            on_progress=self._on_progress,
            on_text=self.reasoning_box.append,
        )

    def cancel(self) -> None:
        if self.job is not None:
            self.stage.setText("Cancelling… (the model stops at its next token)")
            self.cancel_button.setEnabled(False)
            self.job.cancel()

    def _on_progress(self, event: ProgressEvent) -> None:
        if event.stage == "document":
            self.document_list.show_running(Path(event.message))
        self.run_bar.show_progress(event)
        self.batch_progress.on_progress(event)

    def _on_finished(self, outcome: ChecksDone) -> None:
        self.job = None
        verdicts = {
            o.checked.run_id: verdict_word(o.checked.report.get("verdict"))
            for o in outcome.outcomes
            if o.checked
        }
        self.document_list.show_outcomes(outcome.outcomes, verdicts)
        text = f"Done in {self.run_bar.took()}: {len(outcome.run_ids)} document(s) checked"
        unread = len(outcome.errors) + len(self.skipped)
        if unread:
            text += f", {unread} not checked (their statuses above say why)"
        self.run_bar.stopped(text + ".", done=True)
        self.finished.emit(outcome)

    def _on_failed(self, error: BaseException) -> None:
        cancelled = isinstance(error, Cancelled)
        self.run_bar.stopped(
            "Cancelled. Finished documents are saved: see Checks." if cancelled else "Stopped.",
            done=False,
        )
        self.job = None
        show_error(self, "The check stopped", error)
