"""Tools ▸ Models: installed and found models (small generated GGUFs, a fake LM Studio folder),
the active one marked, Make active, Verify, Remove, link a found model in place; the check page
names the active model; errors point to the app's buttons, not to commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from app.models.catalogue import DEFAULT_MODEL
from app.models.installed import import_model, load_installed
from app.runtime.paths import models_dir
from app.runtime.settings import load_settings
from app.ui.main_window import MainWindow
from app.ui.model_manager import ModelManagerDialog
from tests.helpers.app_ui import screenshot
from tests.helpers.gguf_files import model_gguf
from tests.helpers.model_homes import LMSTUDIO_REPO, fake_home

pytestmark = pytest.mark.timeout(300)
BASE_NOTE = "this is the base gpt-oss model, not the gpt-oss-safeguard fine-tune"
GEMMA_NOTE = "this is a gemma3 model, not gpt-oss-safeguard: it can only run smoke checks"


@pytest.fixture
def machine(session: Any, tmp_path: Path) -> Any:
    """A user with LM Studio's copy of the safeguard model (not yet known to us), the base
    gpt-oss-20b linked from a share and a gemma file copied in; nothing chosen in Settings."""
    session.session_model = ""
    session.scan_home = fake_home(tmp_path)
    share = tmp_path / "share"
    share.mkdir()
    base = model_gguf(share / "gpt-oss-20b.gguf", name="Gpt Oss 20b", basename="gpt-oss")[0]
    import_model(base, link=True)
    gemma = model_gguf(tmp_path / "gemma-3-1b.gguf", "gemma3", name="Gemma 3", vocabulary="small")
    import_model(gemma[0])
    return session


def open_manager(qtbot: Any, window: MainWindow) -> ModelManagerDialog:
    window.open_models()
    dialog = window.models_dialog
    qtbot.waitUntil(lambda: len(dialog.rows) >= 4, timeout=30_000)
    qtbot.waitUntil(lambda: dialog.found.rescan_button.isEnabled(), timeout=30_000)
    return dialog


def row_of(dialog: ModelManagerDialog, name: str) -> Any:
    return next(r for r in dialog.rows if r.name == name)


def cell(dialog: ModelManagerDialog, name: str, column: int) -> str:
    index = [r.name for r in dialog.rows].index(name)
    return dialog.table.item(index, column).text()


def test_the_manager_lists_installed_and_found_models_and_marks_the_active_one(
    qtbot: Any, machine: Any
) -> None:
    window = MainWindow(machine)
    qtbot.addWidget(window)
    window.show()
    dialog = open_manager(qtbot, window)
    assert dialog.isVisible() and window.stack.currentWidget() is not window.welcome
    assert {r.name for r in dialog.rows} >= {
        DEFAULT_MODEL, "smoke-gemma3-270m", "gpt-oss-20b", "gemma-3-1b",
    }  # fmt: skip
    assert cell(dialog, DEFAULT_MODEL, 3) == "not installed"
    # no safeguard model: any gpt-oss model is the active one, never the gemma file
    assert cell(dialog, "gpt-oss-20b", 0) == "✔ active" and cell(dialog, "gemma-3-1b", 0) == ""
    assert cell(dialog, "gpt-oss-20b", 3) == "linked (not copied)"
    assert (
        cell(dialog, "gemma-3-1b", 2) == "gemma3"
        and row_of(dialog, "gemma-3-1b").note == GEMMA_NOTE
    )
    assert cell(dialog, "gpt-oss-20b", 6).endswith("…") and "tokens" in cell(
        dialog, "gpt-oss-20b", 7
    )
    dialog.select("gpt-oss-20b")
    assert BASE_NOTE in dialog.detail.text() and "sha256" in dialog.detail.text()
    found = {entry.found.where: entry for entry in dialog.found.found}
    lm_studio = found[f"LM Studio: {LMSTUDIO_REPO}"]
    assert lm_studio.found.identity.kind == "safeguard" and not lm_studio.installed_as
    assert found["Ollama: gpt-oss-safeguard:20b"].found.identity.kind == "safeguard"
    screenshot(dialog, "13-model-manager")


def test_make_active_verify_remove_and_link_a_found_model(qtbot: Any, machine: Any) -> None:
    window = MainWindow(machine)
    qtbot.addWidget(window)
    window.show()
    dialog = open_manager(qtbot, window)
    # Make active: Settings name the model; the check page says which one, with its note
    dialog.select("gemma-3-1b")
    dialog.make_active_button.click()
    assert load_settings().model == "gemma-3-1b" == machine.settings.model
    assert GEMMA_NOTE in dialog.status.text()
    qtbot.waitUntil(lambda: cell(dialog, "gemma-3-1b", 0) == "✔ active", timeout=30_000)
    assert window.check_page.model_label.text() == f"Model: gemma-3-1b — {GEMMA_NOTE}"
    # Verify hashes the file again
    dialog.select("gpt-oss-20b")
    dialog.verify_button.click()
    qtbot.waitUntil(lambda: "verified, sha256" in dialog.status.text(), timeout=30_000)
    assert row_of(dialog, "gpt-oss-20b").sha256 in dialog.status.text()
    # Remove (confirmed): the gemma file goes, and it is no longer the active model
    dialog.select("gemma-3-1b")
    answers = [QMessageBox.StandardButton.Yes]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QMessageBox, "question", lambda *args: answers.pop())
        dialog.remove_button.click()
    qtbot.waitUntil(lambda: "gemma-3-1b" not in {r.name for r in dialog.rows}, timeout=30_000)
    assert not (models_dir() / "gemma-3-1b").exists() and machine.settings.model == ""
    # Link the LM Studio copy found on this computer: it becomes the safeguard model
    entry = next(
        e
        for e in dialog.found.found
        if e.found.where.startswith("LM Studio: lmstudio-community/gpt-oss")
    )
    dialog.found.tree.setCurrentItem(
        dialog.found.tree.topLevelItem(dialog.found.found.index(entry))
    )
    dialog.found.link_button.click()
    qtbot.waitUntil(lambda: load_installed(DEFAULT_MODEL) is not None, timeout=30_000)
    qtbot.waitUntil(lambda: cell(dialog, DEFAULT_MODEL, 0) == "✔ active", timeout=30_000)
    item = load_installed(DEFAULT_MODEL)
    assert item is not None and item.linked and item.path == entry.found.path
    assert cell(dialog, DEFAULT_MODEL, 3) == "linked (not copied)"
    assert window.check_page.model_label.text() == f"Model: {DEFAULT_MODEL}"


def test_errors_point_to_the_apps_buttons_not_to_commands(qtbot: Any, machine: Any) -> None:
    from dataclasses import replace

    machine.update_settings(replace(machine.settings, model="gpt-oss-20b"))
    linked = load_installed("gpt-oss-20b")
    assert linked is not None
    linked.path.write_bytes(linked.path.read_bytes() + b"\0")  # the share's copy changed
    window = MainWindow(machine)
    qtbot.addWidget(window)
    window.show()
    label = window.check_page.model_label.text()
    assert label.startswith("Model: none usable") and "safeguard-desk" not in label
    window.check_page.add_documents([Path(__file__)])
    window.check_page.set_policies(["fin-promo"])
    window.check_page.start_button.click()
    boxes = [w for w in window.findChildren(QMessageBox) if w.objectName() == "errorDialog"]
    assert boxes, "no error dialog"
    text, step = boxes[-1].text(), boxes[-1].informativeText()
    assert "changed since it was imported" in text
    assert "safeguard-desk" not in text + step and "--model" not in text + step
    assert step == (
        "Open Tools ▸ Models and press Verify to accept it again if the change was intended, "
        "or import the file again."
    )


def test_the_welcome_page_offers_what_was_found(qtbot: Any, session: Any, tmp_path: Path) -> None:
    session.session_model = ""
    session.scan_home = fake_home(tmp_path)
    session.scan_environ = {"HF_HOME": str(session.scan_home / "hf")}
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    found = window.welcome.found
    qtbot.waitUntil(lambda: len(found.found) == 4, timeout=30_000)
    gemma = next(i for i, e in enumerate(found.found) if e.found.architecture == "gemma3")
    found.tree.setCurrentItem(found.tree.topLevelItem(gemma))
    assert found.detail.text() == GEMMA_NOTE and found.link_button.isEnabled()
    first = next(i for i, e in enumerate(found.found) if e.found.identity.kind == "safeguard")
    found.tree.setCurrentItem(found.tree.topLevelItem(first))
    with qtbot.waitSignal(window.welcome.model_ready, timeout=30_000):
        found.link_button.click()
    assert window.stack.currentWidget() is window.check_page
    assert load_installed(DEFAULT_MODEL) is not None
