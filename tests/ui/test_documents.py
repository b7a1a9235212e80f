"""The check page's documents: one status per file when added (not a cascade of dialogs after
the run), a password prompt for an encrypted PDF (never stored), an encoding choice for a
guessed legacy code page; progress that names the document; unread parts in the result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.core.progress import ProgressEvent
from app.ui.encoding_dialog import EncodingDialog
from app.ui.main_window import MainWindow
from app.ui.progress_line import ProgressLine
from app.ui.result_banner import coverage_lines
from tests.helpers.app_ui import DEMO, screenshot
from tests.helpers.pdfgen import encrypted_pdf, write_pdf
from tests.helpers.pdfmake import write_pages

pytestmark = pytest.mark.timeout(300)
FLYER = "Café crème, guaranteed 11% a year.\n\nNo risk to your capital: déjà vu.\n"


def added(qtbot: Any, window: MainWindow, paths: list[Path]) -> Any:
    page = window.check_page
    page.add_documents(paths)
    qtbot.waitUntil(lambda: not page.document_list.pending(), timeout=30_000)
    return page.document_list


def test_each_file_has_a_status_and_no_error_dialogs_follow_the_run(
    qtbot: Any, session: Any, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n%%EOF\n")
    empty = tmp_path / "empty.txt"
    empty.touch()
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    documents = added(qtbot, window, [broken, DEMO, empty, tmp_path / "gone.docx"])
    assert documents.status(DEMO).startswith("text, ")
    assert documents.status(empty) == "the file is empty"
    assert documents.status(tmp_path / "gone.docx") == "file not found"
    assert documents.skipped() == [empty, tmp_path / "gone.docx"]
    window.check_page.set_policies(["fin-promo"])
    screenshot(window, "02-new-check")
    with qtbot.waitSignal(window.check_page.finished, timeout=60_000):
        window.check_page.start_button.click()
    assert window.stack.currentWidget() is window.result_page  # the readable one was checked
    dialogs = [w for w in window.findChildren(QMessageBox) if w.isVisible()]
    assert dialogs == []  # no cascade of error dialogs
    assert "Not checked: broken.pdf: damaged or invalid PDF" in window.result_page.banner.text()
    assert documents.status(broken).startswith("not checked: damaged or invalid PDF")
    assert documents.status(DEMO).startswith("checked: Violation (run ")
    assert window.check_page.stage.text().endswith(
        "1 document(s) checked, 3 not checked (their statuses above say why)."
    )
    assert [run.document_path.name for run in session.store.runs()] == [DEMO.name]


def test_an_encrypted_pdf_asks_for_its_password_for_this_check_only(
    qtbot: Any, session: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = encrypted_pdf(tmp_path / "locked.pdf", [["Earn a guaranteed 11% a year."]], "s3cret")
    answers = iter([("wrong", True), ("s3cret", True)])
    prompts: list[str] = []

    def ask(parent: Any, title: str, label: str, echo: Any, *args: Any) -> tuple[str, bool]:
        prompts.append(label)
        assert echo == echo.Password  # typed unseen
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", ask)
    window = MainWindow(session)
    qtbot.addWidget(window)
    documents = added(qtbot, window, [locked])
    qtbot.waitUntil(lambda: "password given" in documents.status(locked), timeout=30_000)
    assert prompts[0].startswith("locked.pdf is encrypted") and "never saved" in prompts[0]
    assert prompts[1] == "Wrong password for locked.pdf. Try again:"
    assert documents.skipped() == []
    window.check_page.set_policies(["fin-promo"])
    with qtbot.waitSignal(window.check_page.finished, timeout=60_000):
        window.check_page.start_button.click()
    (run,) = session.store.runs()
    assert run.status == "complete"
    stored = json.dumps(run.report()) + session.store.path.read_bytes().decode("latin-1")
    assert "s3cret" not in stored  # never stored
    assert "guaranteed 11%" in run.report()["document"]["passages"][0]["text"]


def test_a_guessed_legacy_encoding_can_be_chosen_and_is_read_so(
    qtbot: Any, session: Any, tmp_path: Path
) -> None:
    legacy = tmp_path / "flyer.txt"
    legacy.write_bytes(FLYER.encode("cp1252") * 20)
    window = MainWindow(session)
    qtbot.addWidget(window)
    documents = added(qtbot, window, [legacy])
    assert "a legacy code page" in documents.status(legacy)
    documents.tree.setCurrentItem(documents.tree.topLevelItem(0))
    assert documents.encoding_button.isEnabled()
    documents.encoding_button.click()
    dialog = documents.findChild(EncodingDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.choice.setCurrentText("no-such-codec")
    assert not dialog.ok_button.isEnabled()
    dialog.choice.setCurrentText("cp1252")
    assert dialog.preview.toPlainText().startswith("Café crème, guaranteed 11%")
    dialog.ok_button.click()
    assert documents.status(legacy).endswith("read as cp1252 (your choice)")
    window.check_page.set_policies(["fin-promo"])
    with qtbot.waitSignal(window.check_page.finished, timeout=60_000):
        window.check_page.start_button.click()
    (run,) = session.store.runs()
    report = run.report()
    assert report["document"]["encoding"] == {"name": "cp1252", "guessed": False}
    assert report["document"]["passages"][0]["text"].startswith("Café crème")


def test_unread_pages_are_a_banner_in_the_result(qtbot: Any, session: Any, tmp_path: Path) -> None:
    from dataclasses import replace

    scan = Image.new("L", (400, 500), 255)
    scan.paste(0, (50, 50, 350, 80))  # ink, and no text layer
    path = write_pages(tmp_path / "mixed.pdf", [["Earn a guaranteed 11% a year."], scan, scan])
    limits = replace(session.settings.limits, ocr=False)
    session.settings = replace(session.settings, limits=limits)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    added(qtbot, window, [path])
    window.check_page.set_policies(["fin-promo"])
    with qtbot.waitSignal(window.check_page.finished, timeout=60_000):
        window.check_page.start_button.click()
    result = window.result_page
    assert result.coverage.isVisible()
    screenshot(window, "12-unread-pages")
    text = result.coverage.text()
    assert "2 part(s) of this document were not read" in text
    assert "Not read: pages 2–3 — no text layer (scanned?) and OCR is off" in text
    assert "not read" not in result.banner.text()  # said once, in the coverage banner
    assert result.header.reviewed.text() == "Needs review"
    assert "at best needs review while 2 part(s) of the document were not read" in (
        result.header.reason.text()
    )


def test_coverage_lines_name_parts_and_ocr_pages() -> None:
    report = {
        "document": {
            "coverage": {
                "pages": 9,
                "text": [1, 2, 3],
                "ocr": [4, 5, 6, 8],
                "unread": [
                    {"page": 7, "why": "no text layer (scanned?) and OCR failed (x)"},
                    {"part": "embedded image image1.png", "paragraph": 2, "why": "image"},
                ],
            }
        }
    }
    assert coverage_lines(report)[1:] == [
        "Not read: page 7 — no text layer (scanned?) and OCR failed (x)",
        "Not read: embedded image image1.png (paragraph 2) — image",
        "Read by OCR: pages 4–6, 8 of 9 — text recognised from the page image; quotes on them "
        "are checked against that text.",
    ]
    assert coverage_lines({"document": {"coverage": {"pages": 2, "text": [1, 2]}}}) == []


def test_the_progress_line_names_document_policy_ocr_and_escalations() -> None:
    line = ProgressLine()
    line.update(ProgressEvent("document", 1, 3, "/drafts/flyer.docx"))
    line.update(ProgressEvent("reading", 2, 9, "flyer.docx: OCR of page 4 (2 of 9 without text)"))
    assert line.text(65) == (
        "Document 2 of 3: flyer.docx · OCR of page 4 (2 of 9 pages without text) · 1:05 elapsed"
    )
    line.update(ProgressEvent("reasoning", 0, 2, "policy fin-promo"))
    assert line.text(5) == (
        "Document 2 of 3: flyer.docx · Reasoning: policy fin-promo (1 of 2) · 0:05 elapsed"
    )
    line.update(ProgressEvent("reasoning", 0, 0, "fin-promo: escalated (verdict needs review)"))
    assert line.text(7).endswith(
        "Reasoning: fin-promo: a low-effort answer was unsure (verdict needs review); re-checking "
        "it at high effort · 0:07 elapsed · 1 low-effort answer(s) escalated to high effort so far"
    )
    single = ProgressLine()
    single.update(ProgressEvent("document", 0, 1, "/drafts/memo.txt"))
    single.update(ProgressEvent("reading", 0, 0, "memo.txt"))
    assert single.text(0) == "memo.txt · Reading · 0:00 elapsed"


def test_a_text_pdf_added_twice_is_listed_once(qtbot: Any, session: Any, tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "terms.pdf", [["Terms."]])
    window = MainWindow(session)
    qtbot.addWidget(window)
    documents = added(qtbot, window, [pdf, pdf])
    documents = added(qtbot, window, [pdf])
    assert documents.paths() == [pdf] and documents.status(pdf).startswith("PDF, ")
    documents.tree.setCurrentItem(documents.tree.topLevelItem(0))
    documents.remove_button.click()
    assert documents.paths() == [] and window.check_page.document_hint.isVisibleTo(window)


def test_a_guessed_encoding_can_be_corrected_from_the_result(
    qtbot: Any, session: Any, tmp_path: Path
) -> None:
    legacy = tmp_path / "flyer.txt"
    legacy.write_bytes(FLYER.encode("cp1252") * 20)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    added(qtbot, window, [legacy])
    window.check_page.set_policies(["fin-promo"])
    with qtbot.waitSignal(window.check_page.finished, timeout=60_000):
        window.check_page.start_button.click()  # read with the guess
    result = window.result_page
    assert result.encoding_button.isVisible() and "a guess" in result.banner.text()
    result.encoding_button.click()
    page = window.check_page
    assert window.stack.currentWidget() is page and page.documents() == [legacy]
    assert page.chosen_policy_ids() == ["fin-promo"]
    qtbot.waitUntil(
        lambda: page.document_list.findChild(EncodingDialog) is not None, timeout=30_000
    )
    dialog = page.document_list.findChild(EncodingDialog)
    assert dialog is not None
    dialog.choice.setCurrentText("cp1252")
    dialog.ok_button.click()
    with qtbot.waitSignal(page.finished, timeout=60_000):
        page.start_button.click()
    assert result.report["document"]["encoding"] == {"name": "cp1252", "guessed": False}
    assert not result.encoding_button.isVisible()
