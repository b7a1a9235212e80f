"""The layered pipeline with the scripted engine: policy screens, effort by triage, escalation,
triage only, re-checking only what changed, and several policies in one pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.documents import Document, Passage
from app.core.errors import PolicyError
from app.core.pipeline import check_document
from app.core.policy import parse_policy
from app.core.recheck import PreviousCheck
from app.core.results import CheckResult
from app.inference.scripted import Recording, ScriptedEngine
from app.report.json_report import build_report
from tests.helpers.policies import GOOD

SCREENED = parse_policy(
    GOOD.replace(
        "Violates when one.", 'Violates when one.\nScreen: guaranteed, "risk free", /\\d+% a year/'
    )
)
OTHER = parse_policy(
    GOOD.replace("id: house-rule", "id: other-rule").replace("HR-1", "OR-1").replace("HR-2", "OR-2")
)


def document(*texts: str, name: str = "draft.txt") -> Document:
    passages = tuple(
        Passage(f"P{n}", text, {"line": 2 * n - 1}) for n, text in enumerate(texts, start=1)
    )
    return Document(Path(name), "a" * 64, "text/plain", 1, passages)


def finding(**overrides: object) -> dict[str, object]:
    base = {
        "section": "HR-1", "passage": "P1", "quote": "guaranteed", "severity": "high",
        "confidence": 0.9, "rationale": "a promise", "remediation": "drop it",
    }  # fmt: skip
    return base | overrides


def engine(*finals: dict[str, object]) -> ScriptedEngine:
    return ScriptedEngine(Recording("thinking", json.dumps(f)) for f in finals)


COMPLIANT = {"verdict": "compliant", "findings": []}


def test_screens_are_parsed_from_the_policy() -> None:
    section = SCREENED.section("HR-1")
    assert section is not None
    assert section.screens == (r"\bguaranteed\b", r"\brisk\s+free\b", r"\d+% a year")
    with pytest.raises(PolicyError, match="not a valid expression"):
        parse_policy(GOOD.replace("Violates when one.", "Screen: /([unclosed/"))


def test_auto_effort_is_high_where_screens_match_and_low_elsewhere() -> None:
    hit = engine({"verdict": "violation", "findings": [finding()]})
    check_document(document("A guaranteed 5% a year.", "Hello."), [SCREENED], hit, effort="auto")
    assert [r.effort for r in hit.requests] == ["high"]
    clean = engine(COMPLIANT)
    check_document(document("Hello.", "Goodbye."), [SCREENED], clean, effort="auto")
    assert [r.effort for r in clean.requests] == ["low"]


@pytest.mark.parametrize(
    ("low_answer", "reason"),
    [
        ({"verdict": "needs_review", "findings": []}, "not sure"),
        ({"verdict": "violation", "findings": [finding(confidence=0.3)]}, "below 50%"),
        ("not json at all", "not a valid verdict"),
    ],
)
def test_doubtful_low_effort_answers_are_rerun_at_high_effort(
    low_answer: object, reason: str
) -> None:
    final = low_answer if isinstance(low_answer, str) else json.dumps(low_answer)
    scripted = ScriptedEngine(
        [Recording("quick look", final),
         Recording("careful look", json.dumps({"verdict": "violation", "findings": [finding()]}))]
    )  # fmt: skip
    result = check_document(document("A guaranteed return."), [SCREENED], scripted, effort="low")
    assert [r.effort for r in scripted.requests] == ["low", "high"]
    (policy_result,) = result.policy_results
    assert policy_result.verdict == "violation"  # the high-effort answer decides
    assert len(policy_result.engine_results) == 2  # both kept for the audit
    assert "quick look" in policy_result.reasoning and "careful look" in policy_result.reasoning
    assert len(policy_result.escalations) == 1 and reason in policy_result.escalations[0]
    report = build_report(result, scripted.info, timings={})
    assert report["policy_verdicts"][0]["escalations"] == list(policy_result.escalations)


def test_triage_disagreement_escalates_and_escalation_can_be_switched_off() -> None:
    scripted = engine(COMPLIANT)
    result = check_document(document("Risk free savings."), [SCREENED], scripted, effort="low")
    assert [r.effort for r in scripted.requests] == ["low", "high"]
    assert "screens matched" in result.policy_results[0].escalations[0]
    quiet = engine(COMPLIANT)
    check_document(document("Risk free."), [SCREENED], quiet, effort="low", escalate=False)
    assert [r.effort for r in quiet.requests] == ["low"]


def test_triage_only_never_asks_the_model() -> None:
    scripted = engine(COMPLIANT)
    result = check_document(
        document("Hello.", "Earn 12% a year, risk free."), [SCREENED], scripted, triage_only=True
    )
    assert scripted.requests == []
    assert result.verdict == "needs_review"
    (hit,) = result.findings  # two screens matched one passage of one section: one finding
    assert (hit.layer, hit.finding.passage, hit.quote_verified) == ("triage", "P2", True)


def _checked(doc: Document, scripted: ScriptedEngine, **kwargs: object) -> CheckResult:
    return check_document(doc, [SCREENED], scripted, effort="high", **kwargs)  # type: ignore[arg-type]


def test_a_new_draft_sends_only_changed_passages_and_keeps_the_other_findings() -> None:
    first_draft = document("Intro.", "A guaranteed return.", "Middle.", "More.", "Old ending.")
    first = _checked(
        first_draft, engine({"verdict": "violation", "findings": [finding(passage="P2")]})
    )
    report = build_report(first, engine(COMPLIANT).info, timings={})
    previous = {SCREENED.id: PreviousCheck.from_report(7, report, SCREENED.id)}

    # a paragraph added at the top shifts every id; only the end changed in substance
    second_draft = document(
        "New intro.", "Intro.", "A guaranteed return.", "Middle.", "More.", "New ending."
    )
    scripted = engine(COMPLIANT)
    second = _checked(second_draft, scripted, previous=previous)
    (sent,) = scripted.requests
    assert "[P1] New intro." in sent.content and "[P2] Intro." in sent.content  # with context
    assert "[P6] New ending." in sent.content and "[P5] More." in sent.content
    assert "guaranteed" not in sent.content  # unchanged and far from a change: not sent
    (carried,) = second.findings
    assert (carried.finding.passage, carried.carried_from) == ("P3", 7)  # re-mapped to its new id
    assert second.verdict == "violation"  # the carried violation still counts
    assert second.policy_results[0].passages_judged == 4

    untouched = engine(COMPLIANT)
    again = _checked(first_draft, untouched, previous=previous)
    assert untouched.requests == []  # nothing changed: no model call at all
    assert again.verdict == "violation" and again.findings[0].carried_from == 7


def test_several_policies_in_one_pass() -> None:
    both = {
        "verdict": "violation",
        "findings": [finding(), finding(section="OR-2", passage="P2", quote="Call")],
    }
    scripted = engine(both)
    result = check_document(
        document("A guaranteed return.", "Call now."), [SCREENED, OTHER], scripted,
        effort="medium", policy_mode="combined",
    )  # fmt: skip
    (request,) = scripted.requests
    assert "POLICY house-rule" in request.policy_text and "POLICY other-rule" in request.policy_text
    assert [r.verdict for r in result.policy_results] == ["violation", "violation"]
    assert [[f.finding.section for f in r.findings] for r in result.policy_results] == [
        ["HR-1"], ["OR-2"]
    ]  # fmt: skip
    separate = engine(COMPLIANT)
    check_document(document("Hello."), [SCREENED, OTHER], separate, policy_mode="separate")
    assert len(separate.requests) == 2
