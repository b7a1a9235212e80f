"""The policy library editor and the settings dialog."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog

from app.runtime.paths import user_policies_dir
from app.runtime.settings import load_settings, settings_path
from app.ui.policy_editor import PolicyLibraryDialog
from app.ui.settings_dialog import SettingsDialog
from tests.helpers.app_ui import screenshot

pytestmark = pytest.mark.timeout(300)


def test_bundled_policies_are_read_only_and_a_copy_is_edited_linted_and_versioned(
    qtbot: Any, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = PolicyLibraryDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.policy_list.count() >= 6
    assert dialog.editor.isReadOnly() and dialog.read_only_hint.isVisible()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("my-promo-rules", True))
    fin_promo = next(
        row for row in range(dialog.policy_list.count())
        if "fin-promo" in dialog.policy_list.item(row).text()
    )  # fmt: skip
    dialog.policy_list.setCurrentRow(fin_promo)
    dialog.duplicate_policy()
    copy = user_policies_dir() / "my-promo-rules" / "policy.md"
    assert copy.is_file() and dialog.path == copy
    assert not dialog.editor.isReadOnly()
    assert "id: my-promo-rules" in copy.read_text(encoding="utf-8")
    assert dialog.tokens.text().endswith("tokens")  # the bundled policy is within 400-600

    # typing a vague word and a lot of text: lint and the token count follow, after a pause
    dialog.editor.appendPlainText("\nFinancial promotions should generally be fair. " * 40)
    qtbot.waitUntil(lambda: "shorten it" in dialog.tokens.text(), timeout=5000)
    issues = [dialog.issues.item(row).text() for row in range(dialog.issues.count())]
    assert any("generally" in issue for issue in issues)
    screenshot(dialog, "07-policy-editor")

    dialog.save()
    saved = copy.read_text(encoding="utf-8")
    assert "version: 1.1.1" in saved  # fin-promo is 1.1.0: a save is a new version
    assert "Saved as version 1.1.1" in dialog.test_result.text()


def test_run_a_policys_tests_from_the_editor(qtbot: Any, session: Any) -> None:
    dialog = PolicyLibraryDialog(session)
    qtbot.addWidget(dialog)
    fin_promo = next(
        row for row in range(dialog.policy_list.count())
        if "fin-promo" in dialog.policy_list.item(row).text()
    )  # fmt: skip
    dialog.policy_list.setCurrentRow(fin_promo)
    dialog.test_button.click()
    qtbot.waitUntil(lambda: "F1" in dialog.test_result.text(), timeout=60_000)
    assert dialog.test_result.text().startswith("21 cases: F1 ")


def test_settings_are_typed_versioned_and_saved(qtbot: Any, session: Any) -> None:
    dialog = SettingsDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.gpu_layers.text() == "Automatic (as many as fit)"
    dialog.effort.setCurrentText("high")
    dialog.threads.setValue(6)
    dialog.max_pages.setValue(800)
    screenshot(dialog, "08-settings")
    dialog.save()
    stored = json.loads(settings_path().read_text(encoding="utf-8"))
    assert stored["version"] == 1 and stored["default_effort"] == "high"
    assert stored["threads"] == 6 and stored["limits"]["max_pages"] == 800
    assert load_settings() == session.settings


def test_a_settings_file_from_a_newer_app_is_refused_clearly() -> None:
    from app.core.errors import InputError

    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text('{"version": 99}', encoding="utf-8")
    with pytest.raises(InputError, match="written by a newer Safeguard Desk"):
        load_settings()
    settings_path().write_text('{"version": 1, "threads": -5}', encoding="utf-8")
    with pytest.raises(InputError, match="threads must be 0"):
        load_settings()


def test_an_on_prem_server_is_a_setting_and_its_key_goes_to_the_keyring(
    qtbot: Any, session: Any, memory_keyring: Any
) -> None:
    from app.runtime.secrets import SERVER_KEY

    session.session_model = ""
    dialog = SettingsDialog(session)
    qtbot.addWidget(dialog)
    dialog.server_url.setText("http://gpu-box.internal:8000")
    dialog.save()  # no model name: refused with a dialog, nothing saved
    assert not settings_path().exists()
    dialog.server_model.setText("gpt-oss-safeguard-120b")
    dialog.server_key.setText("s3cret-key")
    dialog.save()
    stored = json.loads(settings_path().read_text(encoding="utf-8"))
    assert stored["server_url"] == "http://gpu-box.internal:8000"
    assert "s3cret-key" not in settings_path().read_text(encoding="utf-8")
    assert memory_keyring.secrets[("safeguard-desk", SERVER_KEY)] == "s3cret-key"
    assert session.model().name == "gpt-oss-safeguard-120b" and session.has_model()
    from app.ui.session import default_engine_factory

    session.engine_factory = default_engine_factory  # the fixture's is scripted
    engine = session.engine()  # the server engine; nothing is sent until a check runs
    assert engine.info.engine == "openai-compatible server http://gpu-box.internal:8000/v1"
