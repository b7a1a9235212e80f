"""The regulation wizard (pick provisions, draft, side by side: a criterion shows its provision,
save into the library as drafts) and the case editor beside a policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.core.lint import load_cases
from app.inference.scripted import Recording, ScriptedEngine
from app.runtime.paths import user_policies_dir
from app.runtime.resources import bundled_policies_dir
from app.services.policies import copy_policy, library
from app.ui.policy_editor import PolicyLibraryDialog
from app.ui.regulation_wizard import RegulationWizard
from tests.helpers.app_ui import screenshot
from tests.helpers.regulations import EU, write_regulation_pdf

pytestmark = pytest.mark.timeout(300)


def examples_engine() -> ScriptedEngine:
    examples = [
        {"section": "MRFM-1", "text": "Big news from us! Switch today (no sign this is an ad)."},
        {"section": "MRFM-3", "text": "Loans from €99 a month."},
        {"section": "compliant", "text": "Advertisement by Acme Bank Ltd: €99 a month, total "
                                         "cost €1,188."},
    ]  # fmt: skip
    return ScriptedEngine([Recording("drafting", json.dumps({"examples": examples}))])


def test_the_wizard_drafts_side_by_side_and_saves_drafts(
    qtbot: Any, session: Any, tmp_path: Path
) -> None:
    session.engine_factory = lambda model, config: examples_engine()
    wizard = RegulationWizard(session)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.use_model.isEnabled() and wizard.use_model.isChecked()  # a real model is set
    wizard.load_file(write_regulation_pdf(tmp_path / "mrfm.pdf", EU))
    qtbot.waitUntil(wizard.draft_button.isEnabled, timeout=60_000)
    assert wizard.policy_id.text() == "mrfm"
    ticked = [p.ref for p in wizard.chosen()]
    assert ticked == ["Article 3(1)", "Article 3(2)", "Article 4(1)", "Article 4(2)", "Article 5"]
    assert "6 provisions, 5 ticked as binding" in wizard.status.text()
    wizard.kind.setCurrentText("marketing")
    wizard.make_drafts()
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == 1, timeout=60_000)
    review = wizard.review
    assert review.drafts.count() == 1
    criteria = [review.criteria.item(r).text() for r in range(review.criteria.count())]
    assert criteria[3] == "MRFM-4  →  Article 4(2)"
    review.criteria.setCurrentRow(3)  # click a criterion: its provision is shown
    assert review.source_view.shown == "Article 4(2)"
    highlighted = review.source_view.highlighted_text()
    assert highlighted.startswith("    (2) The total cost shall be:")
    assert "(ii) a percentage of the amount borrowed." in highlighted
    assert (
        "passages P" in review.provision_label.text()
        and "mrfm.pdf" in review.provision_label.text()
    )
    editor = review.editor()
    assert editor is not None
    lines = editor.toPlainText().split("\n")
    editor.go_to_line(
        next(n for n, text in enumerate(lines, 1) if text.startswith("## MRFM-5")) + 1
    )
    assert review.source_view.shown == "Article 5"  # the cursor in a criterion follows it too
    assert "3 example(s) drafted by scripted: edit them." in review.notes.text()
    issues = [review.lint_issues.item(r).text() for r in range(review.lint_issues.count())]
    assert sum("unfilled gap" in i for i in issues) == 3  # MRFM-2, 4, 5 left for a person
    review.criteria.setCurrentRow(1)
    screenshot(wizard, "10-regulation-wizard")
    with qtbot.waitSignal(wizard.saved) as saved:
        wizard.save_button.click()
    (path,) = saved.args[0]
    assert path == user_policies_dir() / "mrfm" / "policy.md"
    assert "draft: true" in path.read_text(encoding="utf-8")
    assert "mrfm" in [p.id for p in library().all()]
    assert "mrfm" not in [p.id for p in library().checkable()]


def test_a_wizard_without_a_usable_model_leaves_gaps_and_refuses_a_taken_id(
    qtbot: Any, session: Any, tmp_path: Path
) -> None:
    session.session_model = "smoke-gemma3-270m"
    wizard = RegulationWizard(session)
    qtbot.addWidget(wizard)
    assert not wizard.use_model.isEnabled() and "smoke-test model" in wizard.use_model.text()
    wizard.load_file(write_regulation_pdf(tmp_path / "fin.pdf", EU))
    qtbot.waitUntil(wizard.draft_button.isEnabled, timeout=60_000)
    wizard.policy_id.setText("fin-promo")  # a bundled id
    wizard.make_drafts()
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == 1, timeout=60_000)
    wizard.save()
    boxes = [b.text() for b in wizard.findChildren(QMessageBox) if b.isVisible()]
    assert any("id 'fin-promo' is already in the library (bundled)" in text for text in boxes)
    assert not (user_policies_dir() / "fin-promo").exists()


def test_the_case_editor_beside_a_policy(qtbot: Any, session: Any, tmp_path: Path) -> None:
    path = copy_policy(bundled_policies_dir() / "fin-promo" / "policy.md", "my-promo",
                       "My promo rules", fresh=False)  # fmt: skip
    dialog = PolicyLibraryDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.refresh(select=path)
    cases = dialog.cases
    assert dialog.tabs.tabText(1) == "Test cases (21)" and cases.save_button.isEnabled()
    dialog.tabs.setCurrentIndex(1)
    cases.add_case()
    cases.text.setPlainText("Guaranteed 8% a year, no risk at all.")
    cases.expected.setCurrentText("violation")
    assert cases.save() is False  # a violation case must name its section: refused
    sections = cases.sections
    first = next(
        sections.item(r) for r in range(sections.count()) if sections.item(r).text() == "FP-1"
    )
    first.setCheckState(Qt.CheckState.Checked)
    assert cases.dirty and cases.save()
    stored = load_cases(path.parent / "cases.jsonl")
    assert stored[-1] == {"text": "Guaranteed 8% a year, no risk at all.", "expected": "violation",
                          "sections": ["FP-1"]}  # fmt: skip
    export = tmp_path / "dataset.jsonl"
    export.write_text(json.dumps({"text": "Capital at risk.", "expected": "compliant",
                                  "sections": [], "policy": "my-promo", "run": 2,
                                  "finding": 7}) + "\n", encoding="utf-8")  # fmt: skip
    cases.import_file(export)
    assert "Imported 1 case(s) from dataset.jsonl" in cases.status.text()
    assert len(load_cases(path.parent / "cases.jsonl")) == 23
    cases.select_row(21)
    assert dialog.tabs.tabText(1) == "Test cases (23)"
    screenshot(dialog, "11-case-editor")
    dialog.refresh(select=bundled_policies_dir() / "fin-promo" / "policy.md")
    assert not cases.save_button.isEnabled() and cases.read_only_hint.isVisibleTo(dialog)
