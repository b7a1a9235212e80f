"""The Checks page: every check in the store, the start page once anything was checked; filters,
search, grouping by case, reopening a check (also after a restart, and after Cancel)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.ui.history_model import REVIEWED, REVIEWED_VERDICT, SIGNED_BY, SIGNOFF, VERDICT
from app.ui.main_window import MainWindow
from tests.helpers.app_ui import DEMO, copy_demo, screenshot, scripted_engine, stored_runs

pytestmark = pytest.mark.timeout(300)


def three_runs_in_two_cases(session: Any, folder: Path) -> list[int]:
    """Runs 1 and 2 in case 'acme' (run 2 fully rejected and approved), run 3 in 'globex'."""
    documents = [
        (copy_demo(folder, "acme-flyer.md"), "acme"),
        (copy_demo(folder, "acme-brochure.md"), "acme"),
        (copy_demo(folder, "globex-memo.md"), "globex"),
    ]
    runs = stored_runs(session.store, documents)
    for finding in session.store.findings(runs[1]):
        session.store.decide(finding.id, "reject", "not a promise in context")
    session.store.sign_off(runs[1], "approve")
    session.store.decide(session.store.findings(runs[0])[0].id, "accept")
    return runs


def cell(page: Any, run_id: int, column: int) -> str:
    model = page.model
    row = next(i for i, r in enumerate(model.rows) if r.run_id == run_id)
    return str(model.index(row, column).data())


def test_the_checks_page_lists_filters_groups_and_reopens(
    qtbot: Any, session: Any, tmp_path: Path
) -> None:
    first, second, third = three_runs_in_two_cases(session, tmp_path)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    page = window.checks_page
    assert window.stack.currentWidget() is page  # anything checked: the start page
    assert page.visible_runs() == [third, second, first]  # newest first
    assert cell(page, second, VERDICT) == "Violation"  # the model's, on record
    assert cell(page, second, REVIEWED_VERDICT) == "Compliant"  # every finding rejected
    assert cell(page, second, REVIEWED) == "3 of 3 reviewed"
    assert cell(page, second, SIGNOFF).startswith("Approved 20")
    assert cell(page, second, SIGNED_BY) == session.store.actor
    assert cell(page, first, REVIEWED) == "1 of 3 reviewed"
    assert cell(page, first, REVIEWED_VERDICT) == "Violation"  # one accepted finding
    assert cell(page, third, SIGNOFF) == "Not signed off"
    screenshot(window, "10-checks")

    page.verdict.setCurrentIndex(page.verdict.findData("violation"))  # the reviewed verdict
    assert page.visible_runs() == [first]
    assert page.shown.text() == "1 of 3 checks shown"
    page.verdict.setCurrentIndex(page.verdict.findData("needs_review"))  # nothing decided
    assert page.visible_runs() == [third]
    page.verdict.setCurrentIndex(0)
    page.state.setCurrentIndex(page.state.findData("signed off"))
    assert page.visible_runs() == [second]
    page.state.setCurrentIndex(page.state.findData("to review"))
    assert page.visible_runs() == [third, first]
    page.state.setCurrentIndex(0)
    page.case.setCurrentIndex(page.case.findData("globex"))
    assert page.visible_runs() == [third]
    page.case.setCurrentIndex(0)
    qtbot.keyClicks(page.search, "BROCHURE")  # case ignored
    assert page.visible_runs() == [second]
    page.search.clear()

    page.grouped.setChecked(True)
    groups = page.groups
    assert [groups.index(r, 0).data() for r in range(groups.rowCount())] == [
        "acme (2 checks)",
        "globex (1 check)",
    ]
    acme = groups.index(0, 0)
    assert [page.run_at(groups.index(r, 0, acme)) for r in range(groups.rowCount(acme))] == [
        second,
        first,
    ]
    assert page.run_at(acme) == 0  # a case node opens nothing
    page.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # sorting still works grouped
    assert page.run_at(groups.index(0, 0, acme)) == first

    # Enter on the current row reopens that check in the result view
    page.view.setCurrentIndex(groups.index(1, 0, acme))
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    result = window.result_page
    assert window.stack.currentWidget() is result and result.run_id == second
    assert result.header.reviewed.text() == "Compliant"
    assert result.verdict.text() == "Violation"
    window.show_checks()
    page.grouped.setChecked(False)
    index = page.view.model().index(2, 0)  # sorted by run, ascending: run 3 last
    rect = page.view.visualRect(index)
    # a double click is a press, a release and a second press (QTest's alone lacks the first)
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.stack.currentWidget() is result and result.run_id == third


def test_a_check_reopens_after_a_restart(qtbot: Any, session: Any, tmp_path: Path) -> None:
    from app.ui.session import Session

    window = MainWindow(session)
    qtbot.addWidget(window)
    window.check_page.add_documents([DEMO])
    window.check_page.set_policies(["fin-promo"])
    with qtbot.waitSignal(window.check_page.finished, timeout=60_000):
        window.check_page.start_button.click()
    run_id = window.result_page.run_id
    window.result_page.panel.note.setText("explicit promise")
    window.result_page.decide("accept")
    window.close()
    session.close()

    restarted = Session()  # the same data folder, a fresh process's view of it
    try:
        again = MainWindow(restarted)
        qtbot.addWidget(again)
        assert again.stack.currentWidget() is again.checks_page
        assert again.checks_page.visible_runs() == [run_id]
        again.checks_page.open_button.click()
        result = again.result_page
        assert result.run_id == run_id and result.verdict.text() == "Violation"
        assert result.findings[0].decision and result.findings[0].decision.note == (
            "explicit promise"
        )
        assert result.counter.text() == "1 of 3 reviewed"
    finally:
        restarted.close()


def test_after_cancel_the_finished_document_is_reachable_and_new_check_starts_clean(
    qtbot: Any, session: Any, tmp_path: Path
) -> None:
    engine = scripted_engine()
    original = engine.judge

    def second_waits(request: Any, cancel: Any, on_text: Any = None) -> Any:
        while len(engine.requests) >= 1:  # the first document is judged at once
            cancel.raise_if_cancelled()
            time.sleep(0.01)
        return original(request, cancel, on_text)

    engine.judge = second_waits  # type: ignore[method-assign]
    session.engine_factory = lambda model, config: engine
    window = MainWindow(session)
    qtbot.addWidget(window)
    page = window.check_page
    second = copy_demo(tmp_path, "second-flyer.md")
    page.add_documents([DEMO, second])
    page.set_policies(["fin-promo"])
    page.start_button.click()
    qtbot.waitUntil(
        lambda: page.stage.text().startswith(
            "Document 2 of 2: second-flyer.md · Reasoning: policy fin-promo · 0:0"
        ),
        timeout=30_000,
    )  # which document, the stage and policy, the time so far
    assert page.stage.text().endswith(" elapsed")
    with qtbot.waitSignal(page.job.failed, timeout=10_000):
        page.cancel_button.click()
    page.checks_button.click()
    checks = window.checks_page
    assert window.stack.currentWidget() is checks
    statuses = {row.document.name: row.status for row in checks.model.rows}
    assert statuses == {"demo-investment-flyer.md": "complete", "second-flyer.md": "failed"}
    finished = next(r.run_id for r in checks.model.rows if r.status == "complete")
    checks.open_run.emit(finished)
    assert window.result_page.run_id == finished

    # New check from the result page: no documents, progress or reasoning of the last one
    assert page.documents() and page.reasoning.toPlainText()
    window.result_page.new_check.emit()
    assert window.stack.currentWidget() is page
    assert page.documents() == [] and page.reasoning.toPlainText() == ""
    assert page.stage.text() == "Ready." and page.progress.value() == 0
    _close_dialogs()


def _close_dialogs() -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox):
            widget.close()
