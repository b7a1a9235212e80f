"""The list of the policy library: every policy that loads (tagged yours/bundled, template,
draft) and, marked ⚠ with their one-line reason, the entries that do not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from app.core.library import LibraryScan
from app.services.policies import is_user_path

_ENTRY = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Entry:
    path: Path
    editable: bool  # in the user's folder
    problem: str = ""  # why it does not load ("" for a policy that loads)

    @property
    def openable(self) -> bool:
        """A broken user policy is opened in the editor so it can be fixed; symlinks, FIFOs
        and devices are never opened."""
        return not self.problem or (
            self.editable and self.path.is_file() and not self.path.is_symlink()
        )


class LibraryList(QListWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("libraryList")
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setStyleSheet(  # a styled item loses the default selection look: give it back
            "QListWidget#libraryList::item { padding: 4px 2px; border-bottom: 1px solid #e3e7ee; }"
            "QListWidget#libraryList::item:selected { background: #2f6fb3; color: white; }"
        )

    def fill(self, scan: LibraryScan, select: Path | None = None) -> None:
        """Problems first (they need the user), then the policies; the selection is ``select``
        or the first policy that loads."""
        self.blockSignals(True)
        self.clear()
        chosen: QListWidgetItem | None = None
        for problem in scan.problems:
            is_file = problem.path.name == "policy.md"
            name = problem.path.parent.name if is_file else problem.path.name
            item = QListWidgetItem(f"⚠ {name} · does not load\n{problem.problem}")
            item.setToolTip(f"{problem.path}: {problem.problem}")
            item.setForeground(QBrush(QColor("#a3261b")))
            item.setData(_ENTRY, Entry(problem.path, is_user_path(problem.path), problem.problem))
            self.addItem(item)
            chosen = item if select is not None and problem.path == select else chosen
        first: QListWidgetItem | None = None
        for policy in scan.policies:
            assert policy.path is not None
            mine = is_user_path(policy.path)
            tags = ["yours" if mine else "bundled"]
            if policy.template:
                tags.append("template")
            if policy.draft:
                tags.append("draft — not offered for checks")
            item = QListWidgetItem(
                f"{policy.id} {policy.version} · {', '.join(tags)}\n{policy.title}"
            )
            item.setToolTip(policy.title)
            item.setData(_ENTRY, Entry(policy.path, mine))
            self.addItem(item)
            first = first or item
            chosen = item if select is not None and policy.path == select else chosen
        self.blockSignals(False)
        target = chosen or first
        if target is not None:
            self.setCurrentItem(target)
        elif self.count():
            self.setCurrentRow(0)

    @staticmethod
    def entry(item: QListWidgetItem | None) -> Entry | None:
        if item is None:
            return None
        value = item.data(_ENTRY)
        return value if isinstance(value, Entry) else None

    def problems(self) -> list[str]:
        return [self.item(r).text() for r in range(self.count()) if self.item(r).text()[:1] == "⚠"]
