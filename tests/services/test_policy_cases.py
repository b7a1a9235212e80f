"""A policy's test cases: checked and bounded, saved only for user policies, a reviewed finding
added as a case, an ``export dataset`` file imported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.errors import PolicyError, UsageError
from app.core.lint import load_cases
from app.core.policy import Policy, load_policy
from app.runtime.resources import bundled_policies_dir
from app.services.policies import copy_policy, library
from app.services.policy_cases import (
    MAX_CASE_CHARS,
    add_case,
    case_from_finding,
    check_case,
    import_cases,
    read_cases,
    save_cases,
)
from app.store.records import Decision, StoredFinding


def my_policy() -> Policy:
    source = bundled_policies_dir() / "fin-promo" / "policy.md"
    return load_policy(copy_policy(source, "my-promo", "My promo rules", fresh=False))


def stored_finding(**overrides: object) -> StoredFinding:
    values: dict[str, object] = {
        "id": 12, "run_id": 3, "position": 0, "policy_id": "my-promo", "policy_version": "1.1.0",
        "section": "FP-1", "passage": "P2", "passage_text": "Earn a guaranteed 11% a year.",
        "location": {"line": 3}, "quote": "guaranteed 11%", "quote_verified": True,
        "severity": "high", "confidence": 0.9, "rationale": "r", "remediation": "m",
        "layer": "model", "model_verdict": "violation", "carried_from": 0, "decision": None,
    }  # fmt: skip
    return StoredFinding(**(values | overrides))  # type: ignore[arg-type]


def decision(kind: str, amended: dict[str, object] | None = None) -> Decision:
    return Decision(1, 12, kind, "clear", amended, "ana", "2026-01-01T00:00:00Z")  # type: ignore[arg-type]


def test_cases_are_checked_against_the_policy() -> None:
    policy = my_policy()
    assert check_case({"text": "t", "expected": "compliant"}, policy)["sections"] == []
    with pytest.raises(PolicyError, match="section FP-9 is not in my-promo"):
        check_case({"text": "t", "expected": "violation", "sections": ["FP-9"]}, policy)
    with pytest.raises(PolicyError, match="names the section"):
        check_case({"text": "t", "expected": "violation", "sections": []}, policy)
    with pytest.raises(PolicyError, match="expected verdict"):
        check_case({"text": "t", "expected": "maybe"}, policy)
    with pytest.raises(PolicyError, match="over 20,000 characters"):
        check_case({"text": "x" * (MAX_CASE_CHARS + 1), "expected": "compliant"}, policy)
    with pytest.raises(PolicyError, match="needs its text"):
        check_case({"text": "  ", "expected": "compliant"}, policy)


def test_save_writes_only_user_policies_and_nothing_when_one_case_fails() -> None:
    policy = my_policy()
    before = read_cases(policy)
    assert len(before) == 21
    edited = [*before[:2], {"text": "Capital at risk.", "expected": "compliant", "sections": []}]
    save_cases(policy, edited)
    assert load_cases(policy.path.parent / "cases.jsonl")[2]["text"] == "Capital at risk."  # type: ignore[union-attr]
    with pytest.raises(PolicyError):
        save_cases(policy, [*edited, {"text": "x", "expected": "violation", "sections": ["NO-1"]}])
    assert len(read_cases(policy)) == 3
    bundled = load_policy(bundled_policies_dir() / "fin-promo")
    with pytest.raises(UsageError, match="bundled policy: its cases are read-only"):
        save_cases(bundled, before)


def test_a_reviewed_finding_becomes_a_case() -> None:
    policy = my_policy()
    accepted = case_from_finding(stored_finding(), decision("accept"))
    assert (accepted["text"], accepted["expected"], accepted["sections"]) == (
        "Earn a guaranteed 11% a year.", "violation", ["FP-1"],
    )  # fmt: skip
    assert (accepted["run"], accepted["finding"]) == (3, 12)
    rejected = case_from_finding(stored_finding(), decision("reject"))
    assert (rejected["expected"], rejected["sections"]) == ("compliant", [])
    amended = case_from_finding(stored_finding(), decision("amend", {"section": "FP-2"}))
    assert amended["sections"] == ["FP-2"]
    with pytest.raises(UsageError, match="undecided"):
        case_from_finding(stored_finding(), decision("reset"))
    assert add_case(policy, accepted) == 22
    with pytest.raises(UsageError, match="already has a test case with this text"):
        add_case(policy, accepted)
    assert read_cases(policy)[-1]["finding"] == 12


def test_an_exported_dataset_is_imported_into_user_policies(tmp_path: Path) -> None:
    my_policy()
    rows = [
        {"text": "Guaranteed 9%.", "expected": "violation", "sections": ["FP-1"],
         "policy": "my-promo", "decision": "accept", "run": 4, "finding": 20},
        {"text": "Capital at risk.", "expected": "compliant", "sections": [],
         "policy": "my-promo", "decision": "reject", "run": 4, "finding": 21},
        {"text": "Guaranteed 9%.", "expected": "violation", "sections": ["FP-1"],
         "policy": "my-promo"},  # the same text again
        {"text": "No risk.", "expected": "violation", "sections": ["FP-1"], "policy": "fin-promo"},
        {"text": "Odd.", "expected": "violation", "sections": ["FP-1"], "policy": "my-promo",
         "decision": "reset"},
        {"text": "Other.", "expected": "violation", "sections": ["ZZ-1"], "policy": "my-promo"},
    ]  # fmt: skip
    export = tmp_path / "dataset.jsonl"
    export.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = import_cases(library(), export)
    assert result.added == {"my-promo": 2}
    assert "1 case(s) for fin-promo: bundled (read-only)" in result.skipped
    assert "row 3: my-promo already has this case" in result.skipped
    assert "row 5: its decision was reset (undecided)" in result.skipped
    assert any(line.startswith("row 6: section ZZ-1 is not in my-promo") for line in result.skipped)
    cases = read_cases(load_policy(library().path_of("my-promo")))
    assert cases[-2]["finding"] == 20 and cases[-1]["expected"] == "compliant"
    assert import_cases(library(), export).added == {"my-promo": 0}  # idempotent
    with pytest.raises(UsageError, match="bundled policy"):
        import_cases(library(), export, "fin-promo")
