"""``policy test --compare VERSION``: the verdicts that flipped since the stored run of that
version (the one before this run, never this run itself), and a version never tested refused
before a single case runs. The scripted engine gives exact answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import InputError
from app.services.policy_testing import PolicyTestRequest, run_policy_test
from app.services.stores import open_store
from app.store.repository import Store
from tests.helpers.scripted import POLICY, engine, finding

VIOLATION = {"verdict": "violation", "findings": [finding(passage="P1")]}
COMPLIANT = {"verdict": "compliant", "findings": []}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "s.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    path = tmp_path / "cases.jsonl"
    rows = [
        {"text": "We promise a guaranteed return.", "expected": "violation", "sections": ["HR-1"]},
        {"text": "Contact us on weekdays.", "expected": "compliant"},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_compare_names_the_verdicts_that_flipped_since_the_stored_run(
    store: Store, cases: Path
) -> None:
    request = PolicyTestRequest(POLICY, cases)
    first = run_policy_test(request, engine(VIOLATION, COMPLIANT), store)
    assert first.flipped == [] and first.report.overall.f1 == 1.0
    again = PolicyTestRequest(POLICY, cases, compare=POLICY.version)
    same = run_policy_test(again, engine(VIOLATION, COMPLIANT), store)
    assert same.flipped == []
    changed = run_policy_test(again, engine(VIOLATION, VIOLATION), store)
    assert changed.flipped == [("Contact us on weekdays.", "compliant", "violation")]


def test_a_version_never_tested_is_refused_before_any_case_runs(store: Store, cases: Path) -> None:
    scripted = engine(VIOLATION, COMPLIANT)
    request = PolicyTestRequest(POLICY, cases, compare="0.0.1")
    with pytest.raises(InputError, match="no stored test run of house-rule version 0.0.1"):
        run_policy_test(request, scripted, store)
    assert scripted.requests == []  # the model was never asked
    assert store.policy_test(POLICY.id, POLICY.version) is None  # nothing was stored either
