"""What the library's buttons do: new from a template, duplicate, add from a file, draft from a
regulation, delete (user policies, with confirmation), show the folder. Every change goes
through ``app.services.policies``; errors become one dialog with the reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QLabel, QMessageBox

from app.core.errors import UsageError
from app.core.policy import load_policy
from app.runtime.paths import user_policies_dir
from app.services.policies import add_policy, copy_policy, remove_policy
from app.ui.errors import show_error
from app.ui.library_list import LibraryList
from app.ui.session import Session


class LibraryActions(QDialog):
    """The library dialog's actions; the dialog supplies the attributes below."""

    session: Session
    path: Path | None
    editable: bool
    policy_list: LibraryList
    test_result: QLabel

    def refresh(self, select: Path | None = None) -> None:
        raise NotImplementedError

    def confirm_discard(self) -> bool:
        raise NotImplementedError

    def action_buttons(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("New from template…", self.new_policy),
            ("Duplicate to edit…", self.duplicate_policy),
            ("Add from file…", self.add_from_file),
            ("Draft from regulation…", self.draft_from_regulation),
            ("Delete…", self.delete_policy),
            ("Show folder", self.show_folder),
        ]

    def _ask(self, title: str, label: str, text: str = "") -> str:
        value, ok = QInputDialog.getText(self, title, label, text=text)
        return value.strip() if ok else ""

    def new_policy(self) -> None:
        templates = self.session.library.templates()
        if not templates or not self.confirm_discard():
            return
        template = templates[0]
        if len(templates) > 1:
            names = [f"{t.id} — {t.title}" for t in templates]
            name, ok = QInputDialog.getItem(self, "New policy", "Start from:", names, 0, False)
            if not ok:
                return
            template = templates[names.index(name)]
        new_id = self._ask("New policy", "Id of the new policy (lowercase letters, digits, -):")
        title = new_id and self._ask("New policy", "Title of the new policy:", "My house rules")
        if new_id and title and template.path is not None:
            self._copy(template.path, new_id, title, fresh=True)

    def duplicate_policy(self) -> None:
        if self.path is None or not self.confirm_discard():
            return
        try:
            source = load_policy(self.path)
        except Exception as error:
            show_error(self, "Duplicate policy", error)
            return
        new_id = self._ask("Duplicate policy", "Id of the new policy (letters, digits, -):")
        if new_id:
            self._copy(self.path, new_id, f"{source.title} (copy)", fresh=False)

    def _copy(self, source: Path, new_id: str, title: str, *, fresh: bool) -> None:
        try:
            path = copy_policy(source, new_id, title, fresh=fresh)
        except Exception as error:
            show_error(self, "New policy", error)
            return
        self.refresh(select=path)

    def add_from_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Add a policy", "", "Policy files (policy.md *.md);;All files (*)"
        )
        if name:
            self.add_path(Path(name))

    def add_path(self, path: Path) -> None:
        """Add a policy file (with the cases.jsonl beside it); an id in use asks to replace."""
        if not self.confirm_discard():
            return
        try:
            added = add_policy(self.session.library, path)
        except UsageError as error:
            if "already in the library" not in error.detail:
                show_error(self, "The policy was not added", error)
                return
            question = f"{error.detail}.\n\nReplace it? The one it replaces is kept in the "
            if not self._confirm("Replace the policy?", question + "removed-policies folder."):
                return
            try:
                added = add_policy(self.session.library, path, replace=True)
            except Exception as again:
                show_error(self, "The policy was not added", again)
                return
        except Exception as error:
            show_error(self, "The policy was not added", error)
            return
        self.path = None
        self.refresh(select=added.folder / "policy.md")
        draft = (
            " It is a draft: not offered for checks until saved clean."
            if added.policy.draft
            else ""
        )
        self.test_result.setText(f"Added {added.policy.id} with {added.cases} test case(s).{draft}")

    def delete_policy(self) -> None:
        entry = LibraryList.entry(self.policy_list.currentItem())
        if entry is None:
            return
        policy_id = entry.path.parent.name if entry.path.name == "policy.md" else entry.path.name
        if not entry.editable:
            show_error(self, "Delete policy", UsageError(
                f"'{policy_id}' is a bundled policy: bundled policies are part of the app and "
                "cannot be deleted"))  # fmt: skip
            return
        if not self._confirm(
            "Delete policy?",
            f"Delete {policy_id} from your library? It is moved to the removed-policies folder "
            "of your data folder, from where it can be restored.",
        ):
            return
        try:
            removed = remove_policy(self.session.library, policy_id)
        except Exception as error:
            show_error(self, "Delete policy", error)
            return
        self.path = None
        self.refresh()
        note = " The bundled policy of that id is used again." if removed.bundled_now else ""
        self.test_result.setText(f"Deleted {policy_id}: moved to {removed.moved_to}.{note}")

    def show_folder(self) -> None:
        folder = self.path.parent if self.path is not None else user_policies_dir()
        if not folder.is_dir():
            folder = user_policies_dir()
            folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def draft_from_regulation(self) -> None:
        from app.ui.regulation_wizard import RegulationWizard

        if not self.confirm_discard():
            return
        wizard = RegulationWizard(self.session, self)
        wizard.saved.connect(lambda paths: self.refresh(select=paths[0] if paths else None))
        wizard.open()

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes
