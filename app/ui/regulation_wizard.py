"""Draft policies from a regulation: pick the file, tick the provisions that bind the documents
you check (binding ones come ticked), draft; then the side-by-side view: the regulation's text
on the left, the drafts on the right, and clicking a criterion (or moving the cursor into it)
shows the provision it restates. Drafts are saved into your library as drafts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast, get_args

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.drafting import DocumentKind, DraftSpec
from app.core.progress import CancelToken, Progress
from app.core.regulation import Provision
from app.services.drafting import Drafted, RegulationSource, draft, read_regulation, save_drafts
from app.ui.draft_review import DraftReview
from app.ui.errors import show_error
from app.ui.session import Session
from app.ui.widgets import hint
from app.ui.worker import Job, start_job

_DATA = Qt.ItemDataRole.UserRole


class RegulationWizard(QDialog):
    saved = Signal(list)  # the policy files written

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("regulationWizard")
        self.setWindowTitle("Draft policies from a regulation")
        self.resize(1280, 800)
        self.session = session
        self.source: RegulationSource | None = None
        self.provisions: dict[int, Provision] = {}
        self.job: Job[object] | None = None
        self.stack = QStackedWidget()
        QVBoxLayout(self).addWidget(self.stack)
        self.stack.addWidget(self._choose_page())
        self.stack.addWidget(self._draft_page())

    # page 1: the file and its provisions -----------------------------------------------------
    def _choose_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        form = QFormLayout()
        file_row = QHBoxLayout()
        self.file_label = QLabel("No regulation chosen.")
        choose = QPushButton("Choose regulation…")
        choose.clicked.connect(self.choose_file)
        file_row.addWidget(self.file_label, 1)
        file_row.addWidget(choose)
        form.addRow("Regulation (PDF, DOCX, TXT, HTML…)", file_row)
        self.policy_id = QLineEdit()
        self.policy_id.setObjectName("policyId")
        self.policy_id.setPlaceholderText("e.g. gdpr-consent (lowercase letters, digits, -)")
        form.addRow("Id of the new policy", self.policy_id)
        self.kind = QComboBox()
        self.kind.addItems(list(get_args(DocumentKind)))
        form.addRow("Documents it checks", self.kind)
        self.use_model = QCheckBox("Draft the examples with the installed model")
        self._offer_model()
        form.addRow("", self.use_model)
        layout.addLayout(form)
        layout.addWidget(
            hint(
                "Tick the provisions that bind the documents you check. Those stating a duty "
                "('shall', 'must', 'may not') come ticked."
            )
        )
        self.tree = QTreeWidget()
        self.tree.setObjectName("provisionTree")
        self.tree.setHeaderLabels(["Provision", "Text"])
        self.tree.setColumnWidth(0, 260)
        layout.addWidget(self.tree, 1)
        self.status = QLabel("")
        self.status.setObjectName("wizardStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        row.addStretch()
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        self.draft_button = QPushButton("Draft policies")
        self.draft_button.setObjectName("draftButton")
        self.draft_button.setEnabled(False)
        self.draft_button.clicked.connect(self.make_drafts)
        row.addWidget(cancel)
        row.addWidget(self.draft_button)
        layout.addLayout(row)
        return page

    def _offer_model(self) -> None:
        try:
            usable, why = (
                not self.session.model().smoke,
                "the smoke-test model cannot write examples",
            )
        except Exception:
            usable, why = False, "no model is installed"
        self.use_model.setChecked(usable)
        self.use_model.setEnabled(usable)
        if not usable:
            self.use_model.setText(f"Examples left as gaps for you to write ({why})")

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Choose a regulation")
        if name:
            self.load_file(Path(name))

    def load_file(self, path: Path) -> None:
        self.file_label.setText(str(path))
        self.status.setText(f"Reading {path.name}…")
        self.draft_button.setEnabled(False)
        self.tree.clear()

        def work(progress: Progress, cancel: CancelToken, _text: object) -> object:
            return read_regulation(path, progress=progress, cancel=cancel)

        self.job = start_job(work, "read regulation", self, on_done=self._on_read,
                             on_error=self._failed)  # fmt: skip

    def _on_read(self, result: object) -> None:
        assert isinstance(result, RegulationSource)
        self.source = result
        regulation = result.regulation
        self.provisions = {}
        chapters: dict[str, QTreeWidgetItem] = {}
        for container in regulation.provisions:
            parent: QTreeWidget | QTreeWidgetItem = self.tree
            if container.chapter:
                if container.chapter not in chapters:
                    chapters[container.chapter] = QTreeWidgetItem(self.tree, [container.chapter])
                parent = chapters[container.chapter]
            note = " (feeds # Definitions)" if container.is_definitions else ""
            item = QTreeWidgetItem(parent, [container.ref, container.title + note])
            if container.is_definitions:
                continue
            if not container.children:  # an article without paragraphs is the candidate
                self._tick(item, container, container.binding)
            for child in container.children:
                self._add_item(item, child, top=True)
        self.tree.expandAll()
        binding = len(self.chosen())
        warnings = f" ⚠ {'; '.join(result.warnings)}" if result.warnings else ""
        self.status.setText(f"{regulation.title}: {len(regulation.provisions)} provisions, "
                            f"{binding} ticked as binding.{warnings}")  # fmt: skip
        self.draft_button.setEnabled(True)
        if not self.policy_id.text():
            self.policy_id.setText(_suggest_id(result.path))

    def _add_item(self, parent: QTreeWidgetItem, provision: Provision, top: bool) -> None:
        """A paragraph (ticked when it binds) and, below it, its points (which can be ticked
        instead, to draft one point as its own criterion)."""
        item = QTreeWidgetItem(parent, [provision.ref, " ".join(provision.text.split()[:24])])
        self._tick(item, provision, top and provision.binding)
        for child in provision.children:
            self._add_item(item, child, top=False)

    def _tick(self, item: QTreeWidgetItem, provision: Provision, ticked: bool) -> None:
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(0, Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        item.setData(0, _DATA, id(provision))
        self.provisions[id(provision)] = provision

    def chosen(self) -> list[Provision]:
        """Ticked provisions in document order; a point under a ticked paragraph is in it."""
        found: list[Provision] = []

        def visit(item: QTreeWidgetItem, inside: bool) -> None:
            key = item.data(0, _DATA)
            ticked = key is not None and item.checkState(0) == Qt.CheckState.Checked
            if ticked and not inside:
                found.append(self.provisions[key])
            for index in range(item.childCount()):
                child = item.child(index)
                if child is not None:
                    visit(child, inside or ticked)

        for index in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(index)
            if top is not None:
                visit(top, False)
        return found

    # drafting ----------------------------------------------------------------------------------
    def make_drafts(self) -> None:
        if self.source is None:
            return
        source, chosen = self.source, self.chosen()
        kind = cast(DocumentKind, self.kind.currentText())
        spec = DraftSpec(self.policy_id.text().strip(), kind=kind)
        session, use_model = self.session, self.use_model.isChecked()
        self.status.setText("Drafting…" + (" The model writes the examples." if use_model else ""))
        self.draft_button.setEnabled(False)

        def work(progress: Progress, cancel: CancelToken, _text: object) -> object:
            engine = session.engine() if use_model else None
            return draft(source, chosen, spec, engine, progress=progress, cancel=cancel)

        self.job = start_job(work, "draft policies", self, on_done=self._on_drafted,
                             on_error=self._failed)  # fmt: skip

    def _failed(self, error: BaseException) -> None:
        self.draft_button.setEnabled(self.source is not None)
        self.status.setText("")
        show_error(self, "Drafting from the regulation stopped", error)

    # page 2: side by side ----------------------------------------------------------------------
    def _draft_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.review = DraftReview()
        layout.addWidget(self.review, 1)
        row = QHBoxLayout()
        back = QPushButton("Back")
        back.clicked.connect(lambda: self.stack.setCurrentIndex(0))
        self.save_button = QPushButton("Save to library")
        self.save_button.setObjectName("saveDrafts")
        self.save_button.setToolTip(
            "Saved as drafts (not offered for checks) while lint has errors"
        )
        self.save_button.clicked.connect(self.save)
        row.addWidget(back)
        row.addStretch()
        row.addWidget(self.save_button)
        layout.addLayout(row)
        return page

    def _on_drafted(self, result: object) -> None:
        assert isinstance(result, Drafted) and self.source is not None
        self.draft_button.setEnabled(True)
        self.status.setText("")
        self.review.show_drafts(self.source, result)
        self.stack.setCurrentIndex(1)

    def save(self) -> None:
        try:
            paths = save_drafts(self.session.library, self.review.texts())
        except Exception as error:
            show_error(self, "The drafts were not saved", error)
            return
        self.saved.emit(paths)
        self.accept()

    def done(self, result: int) -> None:
        if self.job is not None and not self.job.done:
            self.job.cancel()
        super().done(result)


def _suggest_id(path: Path) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return stem[:40] or "regulation"
