"""No verdict claims what no one judged (trust rule 1): triage only, screens that matched
nothing, unusable answers and unread parts never come out compliant. Scripted engine: exact."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.documents import Coverage, Document, Passage, Unread
from app.core.pipeline import check_document
from app.core.policy import parse_policy
from app.core.recheck import PreviousCheck
from app.inference.scripted import Recording, ScriptedEngine
from app.report.json_report import build_report
from tests.helpers.policies import GOOD
from tests.helpers.scripted import DOCUMENT, POLICY, engine, finding

SCREENED = parse_policy(GOOD.replace("Violates when one.", "Violates when one.\nScreen: zebra"))
COMPLIANT = {"verdict": "compliant", "findings": []}


def test_triage_only_without_screens_is_not_assessed() -> None:
    result = check_document(DOCUMENT, [POLICY], engine(COMPLIANT), triage_only=True)
    assert result.verdict == "not_assessed"
    (policy,) = result.policy_results
    assert (policy.verdict, policy.judged, policy.without_findings) == (
        "not_assessed", False, "not_assessed",
    )  # fmt: skip
    assert "declares no screens: nothing was checked" in policy.indeterminate


def test_triage_only_with_screens_that_match_nothing_is_not_assessed() -> None:
    result = check_document(DOCUMENT, [SCREENED], engine(COMPLIANT), triage_only=True)
    assert result.verdict == "not_assessed" and result.findings == ()
    assert "no screen matched" in result.policy_results[0].indeterminate
    assert "not a judgment" in result.policy_results[0].indeterminate


def test_triage_only_with_a_match_needs_review_and_stays_unjudged() -> None:
    doc = Document(
        Path("zoo.txt"), "b" * 64, "text/plain", 1, (Passage("P1", "A zebra!", {"line": 1}),)
    )
    result = check_document(doc, [SCREENED], engine(COMPLIANT), triage_only=True)
    assert result.verdict == "needs_review"
    (policy,) = result.policy_results
    assert (policy.judged, policy.without_findings) == (False, "not_assessed")


def two_windows(*answers: object) -> tuple[Document, ScriptedEngine]:
    """A document the engine must see in two windows, and one scripted answer per window."""
    passages = tuple(Passage(f"P{i}", f"{'word ' * 200}{i}", {"line": i}) for i in range(1, 5))
    doc = Document(Path("long.txt"), "c" * 64, "text/plain", 1, passages)
    recordings = [Recording("", a if isinstance(a, str) else json.dumps(a)) for a in answers]
    return doc, ScriptedEngine(recordings, n_ctx=2048 + 1300)  # windows P1-P3, P3-P4


def test_one_unusable_window_leaves_the_policy_not_assessed() -> None:
    doc, scripted = two_windows(COMPLIANT, '{"verdict": "compl')
    result = check_document(doc, [POLICY], scripted, answer_budget=2048, effort="high")
    assert len(scripted.requests) == 2
    (policy,) = result.policy_results
    assert policy.verdict == "not_assessed" and result.verdict == "not_assessed"
    assert policy.judged is False and "not a valid verdict" in policy.indeterminate


def test_a_violation_beside_an_unusable_window_cannot_become_compliant() -> None:
    violation = {"verdict": "violation", "findings": [finding(passage="P1", quote="word")]}
    doc, scripted = two_windows(violation, "not json at all")
    result = check_document(doc, [POLICY], scripted, answer_budget=2048, effort="high")
    (policy,) = result.policy_results
    assert policy.verdict == "violation"
    assert policy.without_findings == "not_assessed"  # rejecting the finding leaves this


def test_a_window_unsure_without_findings_keeps_needs_review_when_findings_go() -> None:
    violation = {"verdict": "violation", "findings": [finding(passage="P1", quote="word")]}
    doc, scripted = two_windows(violation, {"verdict": "needs_review", "findings": []})
    (policy,) = check_document(
        doc, [POLICY], scripted, answer_budget=2048, effort="high"
    ).policy_results
    assert (policy.verdict, policy.without_findings, policy.judged) == (
        "violation", "needs_review", True,
    )  # fmt: skip


def test_an_unusable_low_answer_escalated_to_an_unusable_high_one_is_not_assessed() -> None:
    scripted = engine("garbage", "more garbage")
    result = check_document(DOCUMENT, [POLICY], scripted, effort="low")
    assert [r.effort for r in scripted.requests] == ["low", "high"]
    assert result.verdict == "not_assessed"


def test_a_model_that_judged_everything_and_found_nothing_is_compliant() -> None:
    result = check_document(DOCUMENT, [POLICY], engine(COMPLIANT))
    assert result.verdict == "compliant"
    (policy,) = result.policy_results
    assert (policy.judged, policy.without_findings) == (True, "compliant")


def test_unread_parts_make_the_check_at_best_needs_review() -> None:
    unread = Coverage(unread=(Unread({"part": "embedded image image1.png"}, "image"),))
    doc = Document(
        DOCUMENT.path, DOCUMENT.sha256, "text/plain", 1, DOCUMENT.passages, coverage=unread
    )
    result = check_document(doc, [POLICY], engine(COMPLIANT))
    assert result.policy_results[0].verdict == "compliant"  # what the model said of what it read
    assert result.verdict == "needs_review"
    violation = {"verdict": "violation", "findings": [finding()]}
    assert check_document(doc, [POLICY], engine(violation)).verdict == "violation"


def test_no_policy_is_not_assessed() -> None:
    assert check_document(DOCUMENT, [], engine(COMPLIANT)).verdict == "not_assessed"


def test_a_recheck_carries_the_earlier_judgment_standing() -> None:
    unsure = {"verdict": "needs_review", "findings": [finding()]}
    first = check_document(DOCUMENT, [POLICY], engine(unsure))
    report = build_report(first, engine(COMPLIANT).info, timings={})
    entry = report["policy_verdicts"][0]
    assert (entry["without_findings"], entry["judged"]) == ("compliant", True)
    previous = {POLICY.id: PreviousCheck.from_report(3, report, POLICY.id)}
    again = check_document(DOCUMENT, [POLICY], engine(COMPLIANT), previous=previous)
    (policy,) = again.policy_results
    assert policy.findings[0].carried_from == 3
    assert (policy.judged, policy.without_findings) == (True, "compliant")


def test_older_reports_without_the_standing_are_read_cautiously() -> None:
    from app.core.recheck import policy_standing

    assert policy_standing({"verdict": "violation", "indeterminate": ""}) == ("compliant", True)
    assert policy_standing({"verdict": "needs_review", "indeterminate": ""}) == (
        "needs_review", True,
    )  # fmt: skip
    assert policy_standing({"verdict": "needs_review", "indeterminate": "triage only: x"}) == (
        "not_assessed", False,
    )  # fmt: skip
