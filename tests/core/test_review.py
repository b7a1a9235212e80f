"""The reviewed verdict, rule by rule, as hand-written truth tables (DESIGN.md, "Reviewed verdict
and sign-off"); the one order of verdicts; sign-off lines."""

from __future__ import annotations

import pytest

from app.core.results import VERDICT_ORDER, worst_verdict
from app.core.review import (
    FindingState,
    PolicyStanding,
    policy_verdict,
    reviewed_severity,
    reviewed_verdict,
    signoff_line,
)
from app.core.types import DecisionKind, Verdict

A, R, M, X, U = "accept", "reject", "amend", "reset", None  # X: reset, U: undecided


@pytest.mark.parametrize(
    ("standing", "decisions", "expected"),
    [
        # any accepted or amended finding -> violation, whatever else
        ("compliant", [A], "violation"),
        ("compliant", [M], "violation"),
        ("compliant", [A, R], "violation"),
        ("compliant", [R, M], "violation"),
        ("compliant", [A, U], "violation"),
        ("not_assessed", [A], "violation"),  # triage only: the reviewer judged it a breach
        ("needs_review", [M, U, R], "violation"),
        # else any undecided (or reset) finding -> needs_review
        ("compliant", [U], "needs_review"),
        ("compliant", [R, U], "needs_review"),
        ("compliant", [X], "needs_review"),
        ("compliant", [R, X], "needs_review"),
        ("not_assessed", [U], "needs_review"),
        # else every finding rejected -> what stands without them
        ("compliant", [R], "compliant"),
        ("compliant", [R, R, R], "compliant"),
        ("not_assessed", [R], "not_assessed"),  # no model judged every passage
        ("needs_review", [R], "needs_review"),  # a window answered needs_review on its own
        # no findings at all -> the policy keeps the model's answer
        ("compliant", [], "compliant"),
        ("needs_review", [], "needs_review"),
        ("not_assessed", [], "not_assessed"),
    ],
)
def test_policy_rules(
    standing: Verdict, decisions: list[DecisionKind | None], expected: Verdict
) -> None:
    assert policy_verdict(standing, decisions) == expected


def standing(policy: str, verdict: Verdict, without: Verdict) -> PolicyStanding:
    return PolicyStanding(policy, verdict, without)


@pytest.mark.parametrize(
    ("policies", "findings", "unread", "expected"),
    [
        # the run is the worst over its policies
        (
            [standing("a", "violation", "compliant"), standing("b", "compliant", "compliant")],
            [("a", R)],
            False,
            "compliant",
        ),
        (
            [standing("a", "violation", "compliant"), standing("b", "compliant", "compliant")],
            [("a", A)],
            False,
            "violation",
        ),
        (
            [
                standing("a", "violation", "compliant"),
                standing("b", "not_assessed", "not_assessed"),
            ],
            [("a", R)],
            False,
            "not_assessed",
        ),
        (
            [
                standing("a", "violation", "compliant"),
                standing("b", "not_assessed", "not_assessed"),
            ],
            [("a", U)],
            False,
            "needs_review",
        ),
        (
            [
                standing("a", "violation", "compliant"),
                standing("b", "needs_review", "needs_review"),
            ],
            [("a", A)],
            False,
            "violation",
        ),
        # at best needs_review while parts are unread
        ([standing("a", "compliant", "compliant")], [], True, "needs_review"),
        ([standing("a", "violation", "compliant")], [("a", R)], True, "needs_review"),
        ([standing("a", "violation", "compliant")], [("a", A)], True, "violation"),
        ([standing("a", "not_assessed", "not_assessed")], [], True, "needs_review"),
        # code's own findings (no policy): undecided asks for review, rejected drop out
        ([standing("a", "compliant", "compliant")], [("safeguard-desk", U)], False, "needs_review"),
        ([standing("a", "compliant", "compliant")], [("safeguard-desk", R)], False, "compliant"),
        ([standing("a", "compliant", "compliant")], [("safeguard-desk", A)], False, "violation"),
        # a triage-only run whose screen matches are all rejected was still judged by no one
        ([standing("a", "needs_review", "not_assessed")], [("a", R)], False, "not_assessed"),
        # no policy at all: nothing judged
        ([], [], False, "not_assessed"),
    ],
)
def test_run_rules(
    policies: list[PolicyStanding],
    findings: list[tuple[str, DecisionKind | None]],
    unread: bool,
    expected: Verdict,
) -> None:
    states = [FindingState(policy, decision) for policy, decision in findings]
    assert reviewed_verdict(policies, states, unread=unread).verdict == expected


def test_counts_follow_the_latest_decision() -> None:
    states = [FindingState("a", d) for d in (A, R, M, X, U, R)]
    result = reviewed_verdict([standing("a", "violation", "compliant")], states, unread=False)
    assert (result.total, result.accepted, result.rejected, result.amended) == (6, 1, 2, 1)
    assert (result.reviewed, result.undecided) == (4, 2)
    assert result.policies == {"a": "violation"}


def test_one_order_of_verdicts() -> None:
    assert VERDICT_ORDER == ("violation", "needs_review", "not_assessed", "compliant")
    assert worst_verdict(["compliant", "not_assessed"]) == "not_assessed"
    assert worst_verdict(["not_assessed", "needs_review"]) == "needs_review"
    assert worst_verdict(["needs_review", "violation", "compliant"]) == "violation"
    assert worst_verdict(["compliant"]) == "compliant"
    assert worst_verdict([]) == "not_assessed"  # nothing judged claims nothing


def test_amended_severity_counts() -> None:
    assert reviewed_severity("critical", {"severity": "low"}) == "low"
    assert reviewed_severity("critical", {"section": "FP-2"}) == "critical"
    assert reviewed_severity("high", None) == "high"
    assert reviewed_severity("high", {"severity": "enormous"}) == "high"


@pytest.mark.parametrize(
    ("signoff", "line"),
    [
        (None, "Not signed off"),
        (
            {"outcome": "approve", "reviewer": "Ana", "at": "2026-11-23T10:00:00+00:00"},
            "Approved by Ana on 2026-11-23",
        ),
        (
            {"outcome": "changes-required", "reviewer": "Bo", "at": "2026-11-24T00:00:00+00:00"},
            "Changes required by Bo on 2026-11-24",
        ),
        (
            {"outcome": "reject", "reviewer": "Cy", "at": "2026-11-25T00:00:00+00:00"},
            "Rejected by Cy on 2026-11-25",
        ),
        (
            {"outcome": "approve", "reviewer": "Ana", "at": "2026-11-23", "stale": True},
            "Approved by Ana on 2026-11-23 (stale: a decision was made after it)",
        ),
    ],
)
def test_signoff_lines(signoff: dict[str, object] | None, line: str) -> None:
    assert signoff_line(signoff) == line
