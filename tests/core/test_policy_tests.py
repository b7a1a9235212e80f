"""Metric arithmetic, checked against values computed by hand."""

from __future__ import annotations

import json

import pytest

from app.core.policy import parse_policy
from app.core.policy_tests import flipped, run_cases, score
from app.inference.scripted import Recording, ScriptedEngine

POLICY = parse_policy("""---
id: two-rules
title: Two rules
version: 1.0.0
---
# Instructions
Decide.
# Definitions
None.
# Criteria
## A-1 First
Violates when one.
## A-2 Second
Violates when two.
# Examples
## A-1 violation
> one
""")


def answer(verdict: str, *sections: str) -> Recording:
    findings = [
        {
            "section": s,
            "passage": "P1",
            "quote": "text",
            "severity": "high",
            "confidence": 0.9,
            "rationale": "r",
            "remediation": "f",
        }
        for s in sections
    ]
    return Recording("", json.dumps({"verdict": verdict, "findings": findings}))


CASES = [
    (
        {"text": "case 1 text", "expected": "violation", "sections": ["A-1"]},
        answer("violation", "A-1"),
    ),
    (
        {"text": "case 2 text", "expected": "violation", "sections": ["A-2"]},
        answer("violation", "A-1"),
    ),
    ({"text": "case 3 text", "expected": "violation", "sections": ["A-1"]}, answer("compliant")),
    ({"text": "case 4 text", "expected": "compliant", "sections": []}, answer("violation", "A-2")),
    ({"text": "case 5 text", "expected": "compliant", "sections": []}, answer("compliant")),
    (
        {"text": "case 6 text", "expected": "needs_review", "sections": ["A-1"]},
        answer("violation", "A-1"),
    ),
    ({"text": "case 7 text", "expected": "compliant", "sections": []}, Recording("", '{"verd')),
]


@pytest.fixture(scope="module")
def outcomes():  # type: ignore[no-untyped-def]
    engine = ScriptedEngine([recording for _, recording in CASES])
    return run_cases(POLICY, [case for case, _ in CASES], engine, effort="high")


def test_hand_computed_scores(outcomes) -> None:  # type: ignore[no-untyped-def]
    report = score(outcomes, POLICY.section_ids)
    # overall: TP cases 1,2; FP case 4; FN case 3; case 6 (needs_review) is left out
    assert report.overall.precision == pytest.approx(2 / 3)
    assert report.overall.recall == pytest.approx(2 / 3)
    assert report.overall.f1 == pytest.approx(2 / 3)
    assert report.overall.support == 3
    # TP case 1, FP case 2 (cited A-1, labelled A-2), FN case 3
    a1 = report.sections["A-1"]
    assert (a1.precision, a1.recall, a1.f1, a1.support) == (0.5, 0.5, 0.5, 2)
    # FP case 4, FN case 2, no TP
    a2 = report.sections["A-2"]
    assert (a2.precision, a2.recall, a2.f1, a2.support) == (0.0, 0.0, 0.0, 1)
    # case 7's answer is unusable: not_assessed, a column of its own (issue 15)
    assert report.confusion == {
        "violation": {"violation": 2, "compliant": 1, "needs_review": 0, "not_assessed": 0},
        "compliant": {"violation": 1, "compliant": 1, "needs_review": 0, "not_assessed": 1},
        "needs_review": {"violation": 1, "compliant": 0, "needs_review": 0, "not_assessed": 0},
    }
    assert report.cases == 7
    assert report.parse_rate == pytest.approx(6 / 7)
    assert report.indeterminate == 1


def test_no_positives_gives_no_score_rather_than_zero() -> None:
    engine = ScriptedEngine([answer("compliant")])
    only = run_cases(POLICY, [{"text": "x", "expected": "compliant", "sections": []}], engine)
    report = score(only, POLICY.section_ids)
    assert (report.overall.precision, report.overall.recall, report.overall.f1) == (
        None,
        None,
        None,
    )


def test_flipped_cases(outcomes) -> None:  # type: ignore[no-untyped-def]
    old = [
        {"text": "case 3 text", "predicted": "violation"},
        {"text": "case 5 text", "predicted": "compliant"},
    ]
    assert flipped(old, outcomes) == [("case 3 text", "violation", "compliant")]
