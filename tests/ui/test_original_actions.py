"""From a result back to the original: the annotated copy (on the worker, recorded in the
audit log), the cited PDF page with the quote marked, the original in the system viewer, and a
decided finding as a test case of a user policy."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.runtime.paths import user_policies_dir
from app.runtime.resources import bundled_policies_dir
from app.ui.main_window import MainWindow
from tests.helpers.app_ui import DEMO, copy_demo, screenshot, stored_runs
from tests.helpers.pdfgen import write_pdf

pytestmark = pytest.mark.timeout(300)


def window_on(qtbot: Any, session: Any, run_id: int) -> MainWindow:
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    window.open_run(run_id)
    return window


def test_an_annotated_copy_is_written_on_the_worker_and_recorded(
    qtbot: Any, session: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (run_id,) = stored_runs(session.store, [(copy_demo(tmp_path, "flyer.md"), "acme")])
    window = window_on(qtbot, session, run_id)
    actions = window.result_page.original
    assert actions.annotate_button.isEnabled() and not actions.page_button.isEnabled()
    target = tmp_path / "flyer.annotated.html"
    proposed: list[str] = []

    def save_name(parent: Any, title: str, default: str, filters: str) -> tuple[str, str]:
        proposed.append(default)
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    actions.choose_annotated()
    assert actions.job is not None
    with qtbot.waitSignal(actions.job.finished, timeout=60_000):
        pass
    assert proposed == [str(tmp_path / "flyer.annotated.html")]  # beside the document
    html = target.read_text(encoding="utf-8")
    assert "<mark" in html and "guaranteed 11%" in html
    qtbot.waitUntil(lambda: actions.done_box is not None and actions.done_box.isVisible())
    assert "on the quoted words" in actions.done_box.informativeText()  # type: ignore[union-attr]
    assert session.store.verify_audit().intact  # the export is an entry of the chain
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.path()) or True)
    actions.open_original()
    assert opened == [str((tmp_path / "flyer.md").resolve())]


def test_a_decided_finding_becomes_a_test_case_of_a_user_policy(
    qtbot: Any, session: Any, tmp_path: Path
) -> None:
    own = user_policies_dir() / "fin-promo"
    shutil.copytree(bundled_policies_dir() / "fin-promo", own)
    (run_id,) = stored_runs(session.store, [(DEMO, "acme")], policy=str(own / "policy.md"))
    window = window_on(qtbot, session, run_id)
    page, actions = window.result_page, window.result_page.original
    assert not actions.case_button.isEnabled()  # undecided: nothing to label the case with
    before = len((own / "cases.jsonl").read_text(encoding="utf-8").splitlines())
    page.panel.select_finding(1)
    page.decide("reject")  # the reviewer says it is no breach: a compliant case
    page.panel.select_finding(1)
    assert actions.case_button.isEnabled()
    actions.add_case()
    lines = (own / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == before + 1
    case = json.loads(lines[-1])
    assert case["expected"] == "compliant" and "five places remain" in case["text"]
    assert actions.done_box is not None and "test case" in actions.done_box.text()


def test_the_cited_pdf_page_is_shown_with_the_quote_marked(
    qtbot: Any, session: Any, tmp_path: Path
) -> None:
    from app.inference.scripted import Recording, ScriptedEngine
    from app.services.checking import CheckOptions, CheckRequest, run_checks
    from tests.helpers.app_ui import finding

    pdf = write_pdf(
        tmp_path / "flyer.pdf",
        [["Northwind Growth Bond", "Earn a guaranteed 11% a year with no risk at all."]],
    )
    answer = {"verdict": "violation", "findings": [finding(passage="P1", quote="guaranteed 11%")]}
    engine = ScriptedEngine([Recording("a promise", json.dumps(answer))])
    request = CheckRequest(
        policies=(session.library.resolve("fin-promo"),), model_name="scripted",
        options=CheckOptions(recheck=False),
    )  # fmt: skip
    (run_id,) = run_checks([pdf], request, session.store, lambda: engine).run_ids
    window = window_on(qtbot, session, run_id)
    page, actions = window.result_page, window.result_page.original
    first = page.findings[0]
    assert first.location.get("page") == 1 and first.quote_verified
    page.panel.select_finding(0)
    assert actions.page_button.isEnabled()
    view = actions.show_page()
    assert view is not None and view.picture is not None
    assert view.picture.placement == "quote" and view.picture.highlights
    assert actions.page_dialog is not None and actions.page_dialog.isVisible()
    screenshot(actions.page_dialog, "21-cited-page")
    for box in window.findChildren(QMessageBox):
        box.close()
