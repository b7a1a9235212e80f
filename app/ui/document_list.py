"""The documents of a check, one status each: looked at when added (``app.services.preflight``,
on the worker: exists, size, type by content, password, guessed encoding), and after the run
what became of it (checked, with its verdict; or why it could not be read). An encrypted PDF
asks for its password (kept in memory for this check only, never stored); a text file whose
encoding was guessed offers the choice. No error dialogs after the run: the statuses say it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import PasswordRequired, user_text
from app.core.limits import ExtractionLimits
from app.core.progress import CancelToken, Progress
from app.services.checking import FileOptions, FileOutcome
from app.services.preflight import FileState, FileStatus, inspect_file, password_opens
from app.ui.worker import Job, start_job

STATE_COLOURS = {"error": "#b3261e", "password": "#8a5a00", "encoding": "#8a5a00"}
CHECKING = "checking…"


@dataclass
class Entry:
    path: Path
    status: FileStatus | None = None  # None while the quick look runs
    password: str | None = None  # the user's answer, for this check only
    encoding: str | None = None  # the user's choice
    choose_encoding: bool = False  # offer the choice once looked at (a re-check from a result)


class DocumentList(QWidget):
    changed = Signal()  # statuses changed (the page enables Start, tests wait on it)

    def __init__(self, limits: ExtractionLimits, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.limits = limits
        self.entries: dict[Path, Entry] = {}
        self.jobs: list[Job[list[FileStatus]]] = []
        self.password_job: Job[bool] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tree = QTreeWidget()
        self.tree.setObjectName("documentList")
        self.tree.setHeaderLabels(["Document", "Status"])
        self.tree.setRootIsDecorated(False)
        self.tree.setWordWrap(True)
        self.tree.setColumnWidth(0, 220)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.tree.itemDoubleClicked.connect(lambda *_: self.fix_selected())
        layout.addWidget(self.tree)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add documents…")
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.password_button = QPushButton("Password…")
        self.password_button.clicked.connect(lambda: self.fix_selected("password"))
        self.encoding_button = QPushButton("Encoding…")
        self.encoding_button.clicked.connect(lambda: self.fix_selected("encoding"))
        for button in (
            self.add_button, self.remove_button, self.password_button, self.encoding_button
        ):  # fmt: skip
            row.addWidget(button)
        row.addStretch()
        layout.addLayout(row)
        self._update_buttons()

    # contents -------------------------------------------------------------------------------
    def paths(self) -> list[Path]:
        return list(self.entries)

    def options(self) -> dict[Path, FileOptions]:
        return {
            path: FileOptions(entry.password, entry.encoding)
            for path, entry in self.entries.items()
            if entry.password is not None or entry.encoding
        }

    def skipped(self) -> list[Path]:
        """Files that cannot be checked as they are: unreadable, or a password not given."""
        return [
            path
            for path, entry in self.entries.items()
            if entry.status is not None
            and (
                entry.status.state == "error"
                or (entry.status.state == "password" and entry.password is None)
            )
        ]

    def status(self, path: Path) -> str:
        item = self._item(path)
        return item.text(1) if item else ""

    def clear(self) -> None:
        self.entries.clear()
        self.tree.clear()
        self._update_buttons()
        self.changed.emit()

    def add(self, paths: list[Path], choose_encoding: bool = False) -> None:
        new = [path for path in dict.fromkeys(paths) if path not in self.entries]
        if not new:
            return
        for path in new:
            self.entries[path] = Entry(path, choose_encoding=choose_encoding)
            item = QTreeWidgetItem([path.name, CHECKING])
            item.setData(0, Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(0, str(path))
            self.tree.addTopLevelItem(item)
        limits = self.limits

        def look(progress: Progress, cancel: CancelToken, _text: object) -> list[FileStatus]:
            return [inspect_file(path, limits) for path in new]

        job = start_job(
            look, "look at documents", self, on_done=self._looked, on_error=self._failed
        )
        self.jobs.append(job)
        self.changed.emit()

    def remove_selected(self) -> None:
        current = self.tree.currentItem()
        for item in self.tree.selectedItems() or ([current] if current else []):
            self.entries.pop(Path(item.data(0, Qt.ItemDataRole.UserRole)), None)
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(item))
        self._update_buttons()
        self.changed.emit()

    def pending(self) -> bool:
        return any(entry.status is None for entry in self.entries.values())

    # statuses -------------------------------------------------------------------------------
    def _looked(self, statuses: list[FileStatus]) -> None:
        for status in statuses:
            entry = self.entries.get(status.path)
            if entry is None:
                continue  # removed meanwhile
            entry.status = status
            self._show(entry)
        self._update_buttons()
        self.changed.emit()
        for status in statuses:  # one prompt after another, in the order added
            entry = self.entries.get(status.path)
            if entry is not None and status.state == "password" and entry.password is None:
                self.ask_password(entry.path)
            elif entry is not None and entry.choose_encoding and status.kind == "text":
                self.ask_encoding(entry.path)

    def _failed(self, error: BaseException) -> None:
        for entry in self.entries.values():
            if entry.status is None:
                entry.status = FileStatus(entry.path, "error", user_text(error))
                self._show(entry)
        self.changed.emit()

    def _show(self, entry: Entry, text: str = "") -> None:
        item = self._item(entry.path)
        if item is None or entry.status is None:
            return
        line, colour = (text, "") if text else _line(entry)
        item.setText(1, line)
        item.setToolTip(1, line)
        item.setForeground(1, QBrush(QColor(colour)) if colour else QBrush())

    def show_running(self, path: Path) -> None:
        entry = self.entries.get(path)
        if entry is not None and entry.status is not None:
            self._show(entry, "being checked…")

    def show_outcomes(self, outcomes: list[FileOutcome], verdicts: dict[int, str]) -> None:
        """After the run: each file's result, in place of its status."""
        for outcome in outcomes:
            entry = self.entries.get(outcome.path)
            if entry is None:
                continue
            if outcome.checked is not None:
                run_id = outcome.checked.run_id
                entry.status = replace(
                    entry.status or FileStatus(outcome.path, "ready", ""), state="ready"
                )
                self._show(entry, f"checked: {verdicts.get(run_id, '')} (run {run_id})")
            elif outcome.error is not None:
                error = outcome.error
                state: FileState = "password" if isinstance(error, PasswordRequired) else "error"
                if state == "password":
                    entry.password = None
                message = error.detail.replace("; use --password", "")
                entry.status = FileStatus(outcome.path, state, message)
                self._show(entry, "" if state == "password" else f"not checked: {message}")
        self._update_buttons()
        self.changed.emit()

    # the user's answers ---------------------------------------------------------------------
    def fix_selected(self, what: str = "") -> None:
        """Ask for the selected file's password or encoding (``what``: "" = what it needs)."""
        entry = self._selected()
        if entry is not None and entry.status is not None:
            what = what or entry.status.state
            if what == "password":
                self.ask_password(entry.path)
            elif what == "encoding":
                self.ask_encoding(entry.path)

    def ask_password(self, path: Path, again: bool = False) -> None:
        prompt = f"{path.name} is encrypted. Its password (used for this check only, never saved):"
        if again:
            prompt = f"Wrong password for {path.name}. Try again:"
        password, ok = QInputDialog.getText(
            self, "Password needed", prompt, QLineEdit.EchoMode.Password
        )
        if not ok or path not in self.entries:
            return
        limits = self.limits

        def trial(progress: Progress, cancel: CancelToken, _text: object) -> bool:
            return password_opens(path, password, limits)  # pypdf reads the file: off the GUI

        def tried(opens: bool) -> None:
            entry = self.entries.get(path)
            if entry is None:
                return
            entry.password = password if opens else None
            self._show(entry)
            self.changed.emit()
            if not opens:
                self.ask_password(path, again=True)

        self._show(self.entries[path], "trying the password…")
        self.password_job = start_job(
            trial, "try a password", self, on_done=tried, on_error=self._failed
        )

    def ask_encoding(self, path: Path) -> None:
        from app.ui.encoding_dialog import EncodingDialog

        entry = self.entries[path]
        guess = entry.encoding or (entry.status.encoding if entry.status else "") or "utf-8"
        dialog = EncodingDialog(path, guess, self)
        dialog.setObjectName("encodingDialog")

        def chosen() -> None:
            entry.encoding = dialog.encoding()
            self._show(entry)
            self.changed.emit()

        dialog.accepted.connect(chosen)
        dialog.open()

    # helpers --------------------------------------------------------------------------------
    def _item(self, path: Path) -> QTreeWidgetItem | None:
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == str(path):
                return item
        return None

    def _selected(self) -> Entry | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        return self.entries.get(Path(item.data(0, Qt.ItemDataRole.UserRole)))

    def _update_buttons(self) -> None:
        entry = self._selected()
        state = entry.status.state if entry and entry.status else ""
        self.remove_button.setEnabled(entry is not None)
        self.password_button.setEnabled(state == "password")
        self.encoding_button.setEnabled(state == "encoding" or bool(entry and entry.encoding))


def _line(entry: Entry) -> tuple[str, str]:
    """The status line of a file and its colour ("" for the default)."""
    assert entry.status is not None
    status = entry.status
    head = status.message.split(":")[0]
    if status.state == "password":
        if entry.password is not None:
            return f"{head}: encrypted, password given (for this check only)", ""
        return f"{status.message} — Password… to enter it; skipped until then", STATE_COLOURS[
            "password"
        ]
    if entry.encoding:
        return f"{head}: read as {entry.encoding} (your choice)", ""
    return status.message, STATE_COLOURS.get(status.state, "")
