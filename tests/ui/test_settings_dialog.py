"""Settings for reading and review: OCR on/off, how many pages to OCR, the reviewer's name
(recorded with decisions from then on); what the dialog does not show is kept."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from app.runtime.settings import settings_path
from app.ui.settings_dialog import SettingsDialog
from tests.helpers.app_ui import DEMO, stored_runs

pytestmark = pytest.mark.timeout(300)


def test_ocr_and_the_reviewer_name_are_saved_and_used(qtbot: Any, session: Any) -> None:
    limits = replace(session.settings.limits, max_chars=1_234_567)
    session.update_settings(replace(session.settings, limits=limits))
    dialog = SettingsDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.ocr.isChecked() and dialog.max_ocr_pages.value() == 200
    assert dialog.reviewer.text() == "" and "user name" in dialog.reviewer.placeholderText()
    dialog.ocr.setChecked(False)
    assert not dialog.max_ocr_pages.isEnabled()
    dialog.ocr.setChecked(True)
    dialog.max_ocr_pages.setValue(40)
    dialog.reviewer.setText("  Dana Whitfield ")
    dialog.save()
    stored = json.loads(settings_path().read_text(encoding="utf-8"))
    assert stored["limits"]["ocr"] is True and stored["limits"]["max_ocr_pages"] == 40
    assert stored["limits"]["max_chars"] == 1_234_567  # not on the dialog: kept
    assert stored["reviewer"] == "Dana Whitfield"
    (run_id,) = stored_runs(session.store, [(DEMO, "default")])
    finding = session.store.findings(run_id)[0]
    session.store.decide(finding.id, "accept")
    decision = session.store.latest_decision(finding.id)
    assert decision is not None and decision.reviewer == "Dana Whitfield"
    worker_store = session.open_store()  # the worker's own connection signs the same way
    try:
        assert worker_store.actor == "Dana Whitfield"
    finally:
        worker_store.close()


def test_ocr_off_is_kept(qtbot: Any, session: Any) -> None:
    dialog = SettingsDialog(session)
    qtbot.addWidget(dialog)
    dialog.ocr.setChecked(False)
    dialog.save()
    assert session.settings.limits.ocr is False
    again = SettingsDialog(session)
    qtbot.addWidget(again)
    assert not again.ocr.isChecked() and not again.max_ocr_pages.isEnabled()
