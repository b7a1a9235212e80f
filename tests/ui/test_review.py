"""The review decides, in the result view: the model's verdict beside the reviewed one, amended
severities shown as such, rejected findings greyed, reset, the unverified-accept confirmation,
the note on Enter, filters, Ctrl+F, the passage in the top third, sign-off, export."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from app.ui.document_view import DocumentView
from app.ui.findings_panel import REVIEW_COLUMN, SEVERITY_COLUMN
from app.ui.main_window import MainWindow
from tests.helpers.app_ui import copy_demo, screenshot, stored_runs

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def opened(qtbot: Any, session: Any, tmp_path: Path) -> MainWindow:
    """A window showing a finished check of the demo flyer (a copy in its own folder)."""
    folder = tmp_path / "drafts"
    folder.mkdir()
    (run_id,) = stored_runs(session.store, [(copy_demo(folder, "spring-flyer.md"), "acme")])
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    window.open_run(run_id)
    return window


def test_decisions_change_the_reviewed_verdict_not_the_models(opened: MainWindow) -> None:
    result = opened.result_page
    header = result.header
    assert (result.verdict.text(), header.reviewed.text()) == ("Violation", "Needs review")
    assert "#1b6e3a" not in header.reviewed.styleSheet()  # never green while undecided
    assert result.counter.text() == "0 of 3 reviewed"
    for index in range(3):
        result.panel.select_finding(index)
        result.record(result.panel.findings[index], "reject", None)
    assert (result.verdict.text(), header.reviewed.text()) == ("Violation", "Compliant")
    assert header.counts.text() == "0 accepted · 3 rejected · 0 amended · 0 to decide"
    item = result.panel.finding_list.topLevelItem(0)
    assert item.font(SEVERITY_COLUMN).strikeOut()  # rejected: greyed and struck through
    assert item.foreground(SEVERITY_COLUMN).color().name() == "#7b8794"
    assert result.document_view.positions  # the passages lost their tint (nothing stands)
    start, _end = result.document_view.positions["P2"]
    cursor = result.document_view.textCursor()
    cursor.setPosition(start + 1)
    assert cursor.charFormat().background().style() == Qt.BrushStyle.NoBrush


def test_amended_severity_is_shown_as_amended_and_reset_undoes(
    opened: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = opened.result_page
    panel = result.panel
    panel.select_finding(0)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args, **kwargs: ("low", True))
    panel.amend_button.click()
    item = panel.finding_list.topLevelItem(0)
    assert item.text(SEVERITY_COLUMN) == "critical → low"  # the model's kept in sight
    assert item.text(REVIEW_COLUMN) == "✎ amended"
    assert result.findings[0].reviewed_severity == "low"
    assert result.findings[0].severity == "critical"
    panel.select_finding(0)
    assert "critical → low" in panel.detail.toPlainText()
    assert "severity → low" in panel.detail.toPlainText()  # the review line names the change
    assert result.header.reviewed.text() == "Violation"  # an amended finding stands
    assert panel.reset_button.isEnabled()
    panel.reset_button.click()
    assert panel.finding_list.topLevelItem(0).text(SEVERITY_COLUMN) == "critical"
    assert panel.finding_list.topLevelItem(0).text(REVIEW_COLUMN) == "unreviewed"
    assert opened.session.store.latest_decision(result.findings[0].id) is None
    assert result.counter.text() == "0 of 3 reviewed"
    assert not panel.reset_button.isEnabled()


def test_accepting_an_unverified_finding_asks_first(opened: MainWindow) -> None:
    result = opened.result_page
    panel = result.panel
    panel.select_finding(2)  # its quote is not in the passage
    panel.accept_button.click()
    box = result.confirm_box
    assert box is not None and box.isVisible() and "not found" in box.text()
    box.button(QMessageBox.StandardButton.No).click()
    assert result.findings[2].decision is None  # not accepted
    panel.select_finding(2)
    panel.accept_button.click()
    assert result.confirm_box is not None
    result.confirm_box.button(QMessageBox.StandardButton.Yes).click()
    assert result.findings[2].decision and result.findings[2].decision.decision == "accept"
    panel.select_finding(0)
    panel.accept_button.click()  # a verified finding: no question
    assert result.findings[0].decision and result.findings[0].decision.decision == "accept"


def test_the_note_is_saved_on_enter_and_shown_in_the_review_line(
    qtbot: Any, opened: MainWindow
) -> None:
    result = opened.result_page
    panel = result.panel
    panel.select_finding(0)
    qtbot.keyClicks(panel.note, "sure")
    qtbot.keyClick(panel.note, Qt.Key.Key_Return)
    assert "Accept (A), Reject (R) or Amend" in panel.note_hint.text()  # nothing to save it on
    assert result.findings[0].decision is None
    panel.reject_button.click()  # the note goes with the decision
    panel.select_finding(0)
    assert result.findings[0].decision and result.findings[0].decision.note == "sure"
    panel.note.clear()
    qtbot.keyClicks(panel.note, "a brochure, not a promise")
    qtbot.keyClick(panel.note, Qt.Key.Key_Return)
    latest = opened.session.store.latest_decision(result.findings[0].id)
    assert latest and (latest.decision, latest.note) == ("reject", "a brochure, not a promise")
    assert "Note: a brochure, not a promise" in panel.detail.toPlainText()
    assert "rejected by" in panel.detail.toPlainText()


def test_findings_filter_by_severity_policy_and_review_state(opened: MainWindow) -> None:
    result = opened.result_page
    panel = result.panel
    filters = panel.filter

    def shown() -> list[int]:
        return [i for i in range(3) if not panel.finding_list.topLevelItem(i).isHidden()]

    filters.severity.setCurrentIndex(filters.severity.findData("high"))
    assert shown() == [1] and panel.current_index() == 1
    assert filters.shown.text() == "1 of 3 shown"
    filters.severity.setCurrentIndex(0)
    panel.select_finding(0)
    panel.reject_button.click()
    filters.review.setCurrentIndex(filters.review.findData("undecided"))
    assert shown() == [1, 2]
    panel.select_finding(1)
    panel.step_finding(1)  # J and K move over the findings shown
    assert panel.current_index() == 2
    filters.review.setCurrentIndex(filters.review.findData("unverified"))
    assert shown() == [2]
    filters.review.setCurrentIndex(0)
    filters.policy.setCurrentIndex(filters.policy.findData("fin-promo"))
    assert shown() == [0, 1, 2]
    assert result.counter.text() == "1 of 3 reviewed"  # filters never change counts


def test_ctrl_f_finds_words_in_the_document(qtbot: Any, opened: MainWindow) -> None:
    result = opened.result_page
    result.document_view.setFocus()
    qtbot.keyClick(result.document_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = result.find_bar
    assert bar.isVisible()
    qtbot.keyClicks(bar.field, "YOU")
    total = result.document_view.toPlainText().lower().count("you")
    assert total > 2 and bar.count.text() == f"1 of {total}"
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert bar.count.text() == f"2 of {total}"
    assert result.document_view.textCursor().selectedText().lower() == "you"
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count.text() == f"1 of {total}"
    bar.field.setText("no such words")
    assert bar.count.text() == "no match"
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_the_selected_passage_scrolls_to_the_top_third(qtbot: Any) -> None:
    view = DocumentView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    passages = [
        {"id": f"P{n}", "text": f"Paragraph {n} says something.", "location": {"line": n}}
        for n in range(1, 201)
    ]
    view.show_passages(passages, {})
    start, _end = view.highlight("P120", "says something", True)
    cursor = view.textCursor()
    cursor.setPosition(start)
    top = view.cursorRect(cursor).top()
    third = view.viewport().height() // 3
    assert abs(top - third) <= 4, (top, third)  # not at the bottom edge


def test_sign_off_is_refused_until_every_finding_is_decided_then_approved(
    opened: MainWindow,
) -> None:
    session = opened.session
    session.update_settings(replace(session.settings, reviewer="Dana Whitfield"))
    result = opened.result_page
    header = result.header
    assert header.signoff.text() == "Not signed off"
    header.signoff_button.click()
    dialog = result.signoff_dialog
    assert dialog is not None and dialog.isVisible()
    approve = dialog.choices["approve"]
    assert not approve.isEnabled() and "3 of 3 finding(s) are undecided" in approve.toolTip()
    dialog.choices["changes-required"].setChecked(True)
    assert not dialog.ok_button.isEnabled()  # a note is required
    dialog.reject()

    for index in range(3):
        result.panel.select_finding(index)
        result.record(result.findings[index], "accept" if index < 2 else "reject", None)
    header.signoff_button.click()
    dialog = result.signoff_dialog
    assert dialog is not None and dialog.choices["approve"].isEnabled()
    assert "Dana Whitfield" in dialog.findChildren(type(header.signoff))[0].text()
    dialog.choices["approve"].setChecked(True)
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert header.signoff.text().startswith("Approved by Dana Whitfield on 20")
    signed = session.store.latest_signoff(result.run_id)
    assert signed and (signed.outcome, signed.reviewer) == ("approve", "Dana Whitfield")
    screenshot(opened, "11-signed-off")

    result.panel.select_finding(2)
    result.panel.reset_button.click()  # a decision after the sign-off makes it stale
    assert header.signoff.text().endswith("(stale: a decision was made after it)")


def test_export_offers_the_documents_folder_and_says_where_it_wrote(
    qtbot: Any, opened: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = opened.result_page
    offered: list[str] = []
    target = tmp_path / "filed" / "spring-report.json"
    target.parent.mkdir()

    def save_name(parent: Any, title: str, default: str, filters: str) -> tuple[str, str]:
        offered.append(default)
        return str(target.with_suffix("")), "JSON report (*.json)"  # no suffix typed

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    opened_urls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened_urls.append(url) or True)
    result.export_button.click()
    assert offered == [str(tmp_path / "drafts" / "spring-flyer-report.pdf")]
    qtbot.waitUntil(lambda: result.exports.done_box is not None, timeout=60_000)
    box = result.exports.done_box
    assert box is not None and str(target) in box.text()
    assert target.is_file() and result.export_button.isEnabled()
    buttons = {button.text(): button for button in box.buttons()}
    buttons["Show in folder"].click()
    buttons["Open"].click()
    assert [url.toLocalFile() for url in opened_urls] == [str(target.parent), str(target)]


def test_not_assessed_is_grey_with_its_reason(qtbot: Any, session: Any, tmp_path: Path) -> None:
    from tests.helpers.policies import policy_text

    policy = tmp_path / "house-rule" / "policy.md"
    policy.parent.mkdir()
    policy.write_text(policy_text(), encoding="utf-8")  # declares no screens
    documents = [(copy_demo(tmp_path, "flyer.md"), "default")]
    (run_id,) = stored_runs(session.store, documents, str(policy), triage_only=True)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.open_run(run_id)
    header = window.result_page.header
    assert header.verdict.text() == "Not assessed" == header.reviewed.text()
    for badge in (header.verdict, header.reviewed):
        assert "#5f6b7a" in badge.styleSheet() and "#1b6e3a" not in badge.styleSheet()
    assert "house-rule: not assessed — triage only, but this policy declares no screens" in (
        header.reason.text()
    )
    assert "verdicts above say what that means" in window.result_page.panel.detail.toPlainText()
