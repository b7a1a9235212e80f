"""The policy library never breaks the app: a broken user policy is listed with ⚠ and its reason
while the app starts and the check page offers the good ones; saving, unsaved edits, new from
template, lint issues that jump to their line, add from file, delete, show folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.runtime.paths import user_policies_dir
from app.runtime.resources import bundled_policies_dir
from app.services.policies import copy_policy, library
from app.ui.check_page import CheckPage
from app.ui.main_window import MainWindow
from app.ui.policy_editor import PolicyLibraryDialog
from tests.helpers.app_ui import screenshot
from tests.helpers.paths import ROOT
from tests.helpers.policies import policy_text

pytestmark = pytest.mark.timeout(300)
BROKEN = "---\nid: broken\ntitle: Broken\nversion: 1.0.0\n# Criteria\n"  # front matter not closed


@pytest.fixture(autouse=True)
def discard_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dialog closed with unsaved edits at the end of a test asks; a test that cares answers
    itself (``answer``), the rest discard rather than wait for a click that never comes."""
    answer(monkeypatch, QMessageBox.StandardButton.Discard)


def broken_policy() -> Path:
    path = user_policies_dir() / "broken" / "policy.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(BROKEN, encoding="utf-8")
    return path


def my_copy(policy_id: str = "my-promo") -> Path:
    return copy_policy(bundled_policies_dir() / "fin-promo" / "policy.md", policy_id,
                       "My promo rules", fresh=False)  # fmt: skip


def select(dialog: PolicyLibraryDialog, text: str) -> None:
    rows = [
        r for r in range(dialog.policy_list.count()) if text in dialog.policy_list.item(r).text()
    ]
    dialog.policy_list.setCurrentRow(rows[0])


def answer(monkeypatch: pytest.MonkeyPatch, button: QMessageBox.StandardButton) -> list[str]:
    asked: list[str] = []

    def question(parent: object, title: str, text: str, *args: object) -> object:
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_a_broken_user_policy_never_stops_the_app(qtbot: Any, session: Any) -> None:
    broken = broken_policy()
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    offered = window.check_page.policy_list
    ids = [str(offered.item(r).data(256)) for r in range(offered.count())]  # Qt.UserRole
    assert "fin-promo" in ids and "broken" not in ids
    assert "house-rules-template" not in ids  # a template is never offered for checks
    problems = window.check_page.policy_problems
    assert (
        problems.isVisibleTo(window)
        and "⚠ broken: line 1: front matter is not closed" in problems.text()
    )

    dialog = PolicyLibraryDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    (entry,) = dialog.policy_list.problems()
    assert entry.startswith("⚠ broken · does not load\nline 1: front matter is not closed")
    assert dialog.policy_list.item(0).text() == entry  # first: it needs the user
    assert dialog.path is not None and "ad-claims" in str(dialog.path)  # a policy that loads
    screenshot(dialog, "09-library-problem")
    select(dialog, "⚠ broken")
    assert dialog.path == broken and not dialog.editor.isReadOnly()  # opened to be fixed
    assert "Does not load" in dialog.test_result.text()
    dialog.editor.setPlainText(policy_text(policy_id="broken"))
    assert dialog.save()
    assert dialog.policy_list.problems() == [] and "broken" in [p.id for p in library().checkable()]


def test_the_app_starts_with_a_broken_policy_in_the_user_folder(tmp_path: Path) -> None:
    broken_policy()
    shot = tmp_path / "start.png"
    env = os.environ | {"SAFEGUARD_SCREENSHOT": str(shot), "QT_QPA_PLATFORM": "offscreen"}
    started = subprocess.run([sys.executable, "-m", "app"], cwd=ROOT, env=env, timeout=120,
                             capture_output=True, text=True, check=False)  # fmt: skip
    assert started.returncode == 0, started.stderr
    assert shot.stat().st_size > 1000  # the first window was shown


def test_save_refuses_unparsable_text_and_keeps_lint_errors_as_a_draft(
    qtbot: Any, session: Any
) -> None:
    path = my_copy()
    dialog = PolicyLibraryDialog(session)
    qtbot.addWidget(dialog)
    select(dialog, "my-promo")
    original = path.read_text(encoding="utf-8")
    dialog.editor.setPlainText(original.replace("---\n", "", 1))  # no front matter
    assert not dialog.save()
    assert path.read_text(encoding="utf-8") == original  # refused: the file is untouched
    gap = original.replace("# Examples\n", "# Examples\n## FP-1 violation\n> [[GAP: one]]\n")
    dialog.editor.setPlainText(gap)
    assert dialog.save()
    assert "Saved as draft 1.1.1: not offered for checks" in dialog.test_result.text()
    assert "draft: true" in path.read_text(encoding="utf-8")
    page = CheckPage(session)
    qtbot.addWidget(page)
    offered = [page.policy_list.item(r).text() for r in range(page.policy_list.count())]
    assert not any(text.startswith("my-promo ") for text in offered)
    assert any("draft — not offered for checks" in dialog.policy_list.item(r).text()
               for r in range(dialog.policy_list.count()))  # fmt: skip
    dialog.editor.setPlainText(path.read_text(encoding="utf-8").replace("> [[GAP: one]]", "> x"))
    assert dialog.save() and "Saved as version 1.1.2." in dialog.test_result.text()
    assert "draft:" not in path.read_text(encoding="utf-8")


def test_unsaved_edits_prompt_before_switching_and_closing(
    qtbot: Any, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = my_copy()
    dialog = PolicyLibraryDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    select(dialog, "my-promo")
    dialog.editor.appendPlainText("\nAn edit.")
    asked = answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    select(dialog, "fin-promo 1.1.0")
    assert asked == ["Save your changes to my-promo?"]
    assert dialog.path == path and dialog.editor.toPlainText().endswith("An edit.")
    assert "my-promo" in dialog.policy_list.currentItem().text()
    answer(monkeypatch, QMessageBox.StandardButton.Discard)
    select(dialog, "fin-promo 1.1.0")
    assert dialog.path == bundled_policies_dir() / "fin-promo" / "policy.md"
    assert "An edit." not in path.read_text(encoding="utf-8")
    select(dialog, "my-promo")
    dialog.editor.appendPlainText("\nKept.")
    answer(monkeypatch, QMessageBox.StandardButton.Save)
    dialog.close()
    assert path.read_text(encoding="utf-8").endswith("Kept.\n") or "Kept." in path.read_text(
        "utf-8"
    )
    assert not dialog.isVisible()


def test_new_from_template_has_a_clean_title(
    qtbot: Any, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([("press-rules", True), ("Press release rules", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: next(answers))
    dialog = PolicyLibraryDialog(session)
    qtbot.addWidget(dialog)
    dialog.new_policy()
    path = user_policies_dir() / "press-rules" / "policy.md"
    assert dialog.path == path
    text = path.read_text(encoding="utf-8")
    assert "title: Press release rules\n" in text and "version: 1.0.0" in text
    assert "template:" not in text and "(copy)" not in text
    assert "press-rules" in [p.id for p in library().checkable()]


def test_lint_issues_jump_to_their_line_and_lines_are_numbered(qtbot: Any, session: Any) -> None:
    my_copy()
    dialog = PolicyLibraryDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    select(dialog, "my-promo")
    dialog.editor.appendPlainText("\nPromotions should generally be fair.")
    dialog.lint()
    rows = range(dialog.issues.count())
    item = next(dialog.issues.item(r) for r in rows if "generally" in dialog.issues.item(r).text())
    line = int(item.text().split("line ")[1].split(":")[0])
    dialog.issues.itemClicked.emit(item)
    assert dialog.editor.current_line() == line
    assert "generally" in dialog.editor.textCursor().block().text()
    assert dialog.editor.numbers.width() >= dialog.editor.margin_width() > 0


def test_add_from_file_replace_delete_and_show_folder(
    qtbot: Any, session: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    source = tmp_path / "house-rule" / "policy.md"
    source.parent.mkdir()
    source.write_text(policy_text(), encoding="utf-8")
    dialog = PolicyLibraryDialog(session)
    qtbot.addWidget(dialog)
    dialog.add_path(source)
    assert dialog.path == user_policies_dir() / "house-rule" / "policy.md"
    assert dialog.test_result.text() == "Added house-rule with 0 test case(s)."
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    dialog.add_path(source)  # the same id again: asks, then replaces
    assert "already in the library (yours)" in asked[0]
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    dialog.show_folder()
    assert opened == [str(user_policies_dir() / "house-rule")]
    dialog.delete_policy()
    assert "Delete house-rule from your library?" in asked[-1]
    assert not (user_policies_dir() / "house-rule").exists()
    assert "moved to" in dialog.test_result.text()
    select(dialog, "fin-promo 1.1.0")
    dialog.delete_policy()  # bundled: refused with the reason, nothing asked
    assert len(asked) == 2
    errors = [box.text() for box in dialog.findChildren(QMessageBox) if box.isVisible()]
    assert any("bundled policies are part of the app" in text for text in errors)
