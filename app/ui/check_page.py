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
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.engine import Engine, TokenCallback
from app.core.errors import Cancelled, UsageError
from app.core.progress import CancelToken, Progress, ProgressEvent
from app.core.types import CHECK_EFFORTS, CheckEffort
from app.ingest import FORMAT_NAMES, SUFFIXES
from app.models.catalogue import SMOKE_NOTICE
from app.services.checking import CheckOptions, CheckRequest, ChecksDone, run_checks
from app.ui.errors import show_error
from app.ui.session import Session
from app.ui.widgets import heading, hint
from app.ui.worker import Job, start_job

STAGE_WORDS = {
    "document": "Document",
    "reading": "Reading",
    "loading model": "Loading the model",
    "triage": "Triage",
    "reasoning": "Reasoning",
    "checking citations": "Checking citations",
}


class CheckPage(QWidget):
    finished = Signal(object)  # ChecksDone

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkPage")
        self.session = session
        self.job: Job[ChecksDone] | None = None
        self._channel = ""
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(heading("New check"))
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
        self.document_list = QListWidget()
        self.document_list.setObjectName("documentList")
        self.document_hint = hint(
            f"Drop documents here ({FORMAT_NAMES}), or press Add documents."
        )
        add = QPushButton("Add documents…")
        add.clicked.connect(self.choose_documents)
        remove = QPushButton("Remove")
        remove.clicked.connect(self.remove_selected)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch()
        documents_layout.addWidget(self.document_hint)
        documents_layout.addWidget(self.document_list)
        documents_layout.addLayout(row)
        columns.addWidget(documents, 3)

        policies = QGroupBox("2. Policies")
        policies_layout = QVBoxLayout(policies)
        self.policy_list = QListWidget()
        self.policy_list.setObjectName("policyList")
        self.policy_list.setWordWrap(True)
        self.policy_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        policies_layout.addWidget(self.policy_list)
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

        run_row = QHBoxLayout()
        self.start_button = QPushButton("Start check")
        self.start_button.setObjectName("startButton")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.stage = QLabel("Ready.")
        self.stage.setObjectName("stageLabel")
        self.progress = QProgressBar()
        self.progress.setObjectName("checkProgress")
        self.progress.setValue(0)
        run_row.addWidget(self.start_button)
        run_row.addWidget(self.cancel_button)
        run_row.addWidget(self.progress, 1)
        layout.addLayout(run_row)
        layout.addWidget(self.stage)

        self.reasoning_box = QGroupBox(
            "Live reasoning (auditor view — the model's raw chain of thought)"
        )
        self.reasoning_box.setCheckable(True)
        self.reasoning_box.setChecked(False)
        box_layout = QVBoxLayout(self.reasoning_box)
        self.reasoning = QPlainTextEdit()
        self.reasoning.setObjectName("liveReasoning")
        self.reasoning.setReadOnly(True)
        self.reasoning.setVisible(False)
        self.reasoning.setPlaceholderText("The model's reasoning appears here while it works.")
        box_layout.addWidget(self.reasoning)
        self.reasoning_box.toggled.connect(self._show_reasoning)
        layout.addWidget(self.reasoning_box)
        layout.addStretch(0)
        self._layout = layout
        self.refresh_policies()

    def _show_reasoning(self, visible: bool) -> None:
        self.reasoning.setVisible(visible)
        self._layout.setStretchFactor(self.reasoning_box, 2 if visible else 0)

    # set-up ---------------------------------------------------------------------------------
    def refresh_policies(self) -> None:
        chosen = set(self.chosen_policy_ids()) or set(self.session.settings.default_policies)
        self.policy_list.clear()
        for policy in self.session.library.all():
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
        return [
            Path(self.document_list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.document_list.count())
        ]

    def add_documents(self, paths: list[Path]) -> None:
        present = set(self.documents())
        for path in paths:
            if path in present:
                continue
            item = QListWidgetItem(f"{path.name}   —   {path.parent}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.document_list.addItem(item)
            present.add(path)
        self.document_hint.setVisible(self.document_list.count() == 0)

    def choose_documents(self) -> None:
        patterns = " ".join(f"*{suffix}" for suffix in SUFFIXES)
        names, _ = QFileDialog.getOpenFileNames(
            self, "Add documents", str(Path.home()), f"Documents ({patterns})"
        )
        self.add_documents([Path(name) for name in names])

    def remove_selected(self) -> None:
        for item in self.document_list.selectedItems():
            self.document_list.takeItem(self.document_list.row(item))
        self.document_hint.setVisible(self.document_list.count() == 0)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        self.add_documents([p for p in paths if p.suffix.lower() in SUFFIXES])
        event.acceptProposedAction()

    # running --------------------------------------------------------------------------------
    def start(self) -> None:
        paths, policy_ids = self.documents(), self.chosen_policy_ids()
        try:
            if not paths:
                raise UsageError("add at least one document to check")
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
        )
        self.reasoning.clear()
        self._channel = ""
        self._set_running(True)
        session = self.session

        def work(progress: Progress, cancel: CancelToken, on_text: TokenCallback) -> ChecksDone:
            store = session.open_store()  # this thread's own connection

            def engine_for_check() -> Engine:
                progress(ProgressEvent("loading model", 0, 0, model.name))
                return session.engine()

            try:
                return run_checks(
                    paths, request, store, engine_for_check,
                    progress=progress, cancel=cancel, on_text=on_text,
                )  # fmt: skip
            finally:
                store.close()

        self.job = start_job(
            work,
            "check",
            self,
            on_done=self._on_finished,
            on_error=self._on_failed,
            on_progress=self._on_progress,
            on_text=self._on_text,
        )

    def cancel(self) -> None:
        if self.job is not None:
            self.stage.setText("Cancelling… (the model stops at its next token)")
            self.cancel_button.setEnabled(False)
            self.job.cancel()

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        if running:
            self.progress.setRange(0, 0)
            self.stage.setText("Starting…")

    def _on_progress(self, event: ProgressEvent) -> None:
        words = STAGE_WORDS.get(event.stage, event.stage.capitalize())
        detail = f": {event.message}" if event.message else ""
        self.stage.setText(f"{words}{detail}")
        if event.total:
            self.progress.setRange(0, event.total)
            self.progress.setValue(event.done)
            self.progress.setFormat(f"{words} %v of %m")
        else:
            self.progress.setRange(0, 0)

    def _on_text(self, channel: str, text: str) -> None:
        cursor = self.reasoning.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        if channel != self._channel:
            self._channel = channel
            label = "reasoning" if channel == "analysis" else "answer"
            cursor.insertText(f"\n— {label} —\n")
        cursor.insertText(text)
        if self.reasoning.isVisible():
            self.reasoning.ensureCursorVisible()

    def _on_finished(self, outcome: ChecksDone) -> None:
        self._set_running(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.stage.setText(f"Done: {len(outcome.run_ids)} document(s) checked.")
        self.job = None
        for error in outcome.errors:
            show_error(self, "A document could not be read", error)
        self.finished.emit(outcome)

    def _on_failed(self, error: BaseException) -> None:
        self._set_running(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.stage.setText("Cancelled." if isinstance(error, Cancelled) else "Stopped.")
        self.job = None
        show_error(self, "The check stopped", error)
