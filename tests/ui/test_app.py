"""The desktop app, headless: first run, a full check with the scripted engine, the side-by-side
result with the quote highlighted, review decisions saved at once, export; never freezes."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from app.ui.main_window import MainWindow
from tests.helpers.app_ui import DEMO, screenshot

pytestmark = pytest.mark.timeout(300)


def run_check(qtbot: Any, window: MainWindow, paths: list[Path], policies: list[str]) -> None:
    page = window.check_page
    page.add_documents(paths)
    page.set_policies(policies)
    with qtbot.waitSignal(page.finished, timeout=120_000):
        page.start_button.click()


def test_first_run_offers_download_import_and_demo(qtbot: Any, session: Any) -> None:
    session.session_model = ""  # nothing installed, nothing chosen
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    assert window.stack.currentWidget() is window.welcome
    welcome = window.welcome
    assert "gpt-oss-safeguard-20b" in welcome.download_button.text()
    assert "GB" in welcome.download_button.text()
    assert welcome.import_button.isEnabled() and welcome.demo_button.isEnabled()
    qtbot.waitUntil(lambda: welcome.found.rescan_button.isEnabled(), timeout=30_000)  # scanned
    screenshot(window, "01-welcome")


def test_check_select_highlight_review_export(qtbot: Any, session: Any, tmp_path: Path) -> None:
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    assert window.stack.currentWidget() is window.check_page
    window.check_page.add_documents([DEMO])
    window.check_page.set_policies(["fin-promo"])
    with qtbot.waitSignal(window.check_page.finished, timeout=60_000):
        window.check_page.start_button.click()
    result = window.result_page
    assert window.stack.currentWidget() is result
    assert result.verdict.text() == "Violation"
    assert result.panel.finding_list.topLevelItemCount() == 3
    assert "unverified" in result.panel.finding_list.topLevelItem(2).text(3)
    assert result.counter.text() == "0 of 3 reviewed"

    # the first finding is selected: its exact quote is highlighted in the document
    start, end = result.highlight_quote(result.findings[0])
    selected = result.document_view.document().toPlainText()[start:end]
    # exactly the quoted words, across the line break in the passage
    assert selected == "Earn a guaranteed 11% a year with\nzero risk to your capital"
    assert "Guaranteed or risk-free returns" in result.panel.detail.toPlainText()  # the clause text
    assert "Suggested fix" in result.panel.detail.toPlainText()
    screenshot(window, "03-result")

    # review with the keyboard: A accepts and moves on, R rejects
    result.panel.finding_list.setFocus()
    result.panel.note.setText("agreed: the promise is explicit")
    qtbot.keyClick(result.panel.finding_list, "A")
    assert result.panel.current_index() == 1
    qtbot.keyClick(result.panel.finding_list, "R")
    assert result.counter.text() == "2 of 3 reviewed"
    qtbot.keyClick(result.panel.finding_list, "K")
    assert result.panel.current_index() == 1
    stored = session.store.findings(result.run_id)
    assert [f.decision.decision if f.decision else None for f in stored] == [
        "accept",
        "reject",
        None,
    ]  # saved at once, in the store, with the note
    assert stored[0].decision and stored[0].decision.note == "agreed: the promise is explicit"
    result.panel.select_finding(2)
    screenshot(window, "04-unverified-finding")

    # export: the PDF embeds the reviewed report; the JSON carries the decisions
    pdf, report = tmp_path / "out.pdf", tmp_path / "out.json"
    for target in (pdf, report):  # on the worker: the GUI stays responsive
        job = result.export(target)
        assert job is not None
        with qtbot.waitSignal(job.finished, timeout=60_000) as exported:
            pass
        assert exported.args and len(exported.args[0]) == 64  # the export's sha256
    assert pdf.read_bytes().startswith(b"%PDF")
    decisions = json.loads(report.read_text(encoding="utf-8"))["review"]["decisions"]
    assert [d["decision"] if d else None for d in decisions] == ["accept", "reject", None]

    # the auditor tab is hidden until asked for, and holds the model's reasoning
    assert not result.tabs.isTabVisible(result.auditor_index)
    window.auditor_action.setChecked(True)
    assert result.tabs.isTabVisible(result.auditor_index)
    assert "guaranteed 11%" in result.reasoning.toPlainText()
    result.tabs.setCurrentIndex(result.auditor_index)
    screenshot(window, "05-auditor-tab")


def test_a_full_check_never_blocks_the_gui_thread(qtbot: Any, session: Any) -> None:
    """A heartbeat timer on the GUI thread must never wait more than 100 ms, while a check runs
    on the worker (its engine made slow on purpose)."""
    from tests.helpers.app_ui import scripted_engine

    slow = scripted_engine()
    original = slow.judge

    def slow_judge(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.5)  # stands in for a model thinking
        return original(*args, **kwargs)

    slow.judge = slow_judge  # type: ignore[method-assign]
    session.engine_factory = lambda model, config: slow
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    beats: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))
    heartbeat.start()
    run_check(qtbot, window, [DEMO], ["fin-promo", "ad-claims"])
    heartbeat.stop()
    gaps = [b - a for a, b in itertools.pairwise(beats)]
    assert len(beats) > 100  # the check took seconds and the timer kept ticking
    assert max(gaps) < 0.1, f"GUI thread blocked for {max(gaps) * 1000:.0f} ms"


def test_cancel_stops_the_check_and_marks_the_run(qtbot: Any, session: Any) -> None:
    from app.core.errors import Cancelled
    from tests.helpers.app_ui import scripted_engine

    engine = scripted_engine()
    original = engine.judge

    def waits_for_cancel(request: Any, cancel: Any, on_text: Any = None) -> Any:
        for _ in range(500):  # like the real engine: looks at the token between tokens
            cancel.raise_if_cancelled()
            time.sleep(0.01)
        return original(request, cancel, on_text)

    engine.judge = waits_for_cancel  # type: ignore[method-assign]
    session.engine_factory = lambda model, config: engine
    window = MainWindow(session)
    qtbot.addWidget(window)
    page = window.check_page
    page.add_documents([DEMO])
    page.set_policies(["fin-promo"])
    page.start_button.click()
    qtbot.waitUntil(lambda: "Reasoning: policy fin-promo" in page.stage.text(), timeout=30_000)
    screenshot(window, "06-checking")
    with qtbot.waitSignal(page.job.failed, timeout=10_000) as failed:
        page.cancel_button.click()
    assert isinstance(failed.args[0], Cancelled)
    assert page.stage.text().startswith("Cancelled.")
    assert page.start_button.isEnabled()
    statuses = [row.status for row in session.store.runs()]
    assert statuses == ["failed"]
    _close_dialogs()


def _close_dialogs() -> None:
    from PySide6.QtWidgets import QApplication

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox):
            widget.close()


def test_checking_the_same_draft_again_carries_the_findings_over(qtbot: Any, session: Any) -> None:
    window = MainWindow(session)
    qtbot.addWidget(window)
    run_check(qtbot, window, [DEMO], ["fin-promo"])
    first = window.result_page.run_id
    window.show_check()
    with qtbot.waitSignal(window.check_page.finished, timeout=60_000):
        window.check_page.start_button.click()
    result = window.result_page
    assert result.run_id != first
    assert "re-check — the model read 0 changed passage(s)" in result.banner.text()
    assert all(f.carried_from == first for f in result.findings)
    assert "carried over" in result.panel.finding_list.topLevelItem(0).text(3)
