"""A policy's labelled test cases (``cases.jsonl`` beside it): read, edit, add a reviewed
finding as a case, import an ``export dataset`` file. Only user policies are written; every
case is checked against the policy (known sections, an expected verdict, bounded text)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import PolicyError, UsageError
from app.core.library import PolicyLibrary
from app.core.lint import MAX_CASES_BYTES, load_cases
from app.core.policy import Policy
from app.runtime.files import atomic_write
from app.services.policies import CASES_FILE, is_user_policy
from app.store.records import Decision, StoredFinding

EXPECTED = ("violation", "compliant", "needs_review")
MAX_CASE_CHARS = 20_000  # a passage or two; a whole document is not a test case
MAX_CASES = 10_000
# Keys an exported data set carries that are worth keeping with a case: where it came from.
_PROVENANCE = ("note", "run", "finding", "decision", "policy_version")


def cases_path(policy: Policy) -> Path:
    if policy.path is None:
        raise UsageError(f"policy '{policy.id}' has no file")
    return policy.path.parent / CASES_FILE


def read_cases(policy: Policy) -> list[dict[str, Any]]:
    path = cases_path(policy)
    return load_cases(path) if path.exists() else []


def check_case(case: dict[str, Any], policy: Policy) -> dict[str, Any]:
    """The case as stored: ``text``, ``expected``, ``sections`` (and provenance keys), or a
    PolicyError saying what is wrong with it."""
    text = case.get("text")
    if not isinstance(text, str) or not text.strip():
        raise PolicyError("a test case needs its text")
    if len(text) > MAX_CASE_CHARS:
        raise PolicyError(f"a test case's text is over {MAX_CASE_CHARS:,} characters")
    expected = case.get("expected")
    if expected not in EXPECTED:
        raise PolicyError("a test case's expected verdict is violation, compliant or needs_review")
    sections = [str(s) for s in case.get("sections") or []]
    unknown = [s for s in sections if s not in policy.section_ids]
    if unknown:
        raise PolicyError(
            f"section {', '.join(unknown)} is not in {policy.id} ({', '.join(policy.section_ids)})"
        )
    if expected == "violation" and not sections:
        raise PolicyError("a violation case names the section(s) it breaks")
    kept = {"text": text, "expected": expected, "sections": sections}
    return kept | {key: case[key] for key in _PROVENANCE if key in case}


def save_cases(policy: Policy, cases: Sequence[dict[str, Any]]) -> Path:
    """Write a user policy's cases (each checked first; nothing is written if one fails)."""
    if not is_user_policy(policy):
        raise UsageError(
            f"'{policy.id}' is a bundled policy: its cases are read-only; duplicate it to add "
            "your own"
        )
    if len(cases) > MAX_CASES:
        raise PolicyError(f"more than {MAX_CASES:,} test cases")
    lines = [json.dumps(check_case(dict(case), policy), ensure_ascii=False) for case in cases]
    data = "".join(f"{line}\n" for line in lines).encode("utf-8")
    if len(data) > MAX_CASES_BYTES:
        raise PolicyError(f"test cases over {MAX_CASES_BYTES // (1024 * 1024)} MB")
    path = cases_path(policy)
    atomic_write(path, data)
    return path


def case_from_finding(finding: StoredFinding, decision: Decision) -> dict[str, Any]:
    """A reviewed finding as a test case: the passage it quoted, labelled by the reviewer
    (rejected: compliant; accepted or amended: a violation of its section, as amended)."""
    if decision.decision == "reset":
        raise UsageError(f"finding {finding.id} is undecided: decide it before making a case")
    amended = decision.amended or {}
    violation = decision.decision != "reject"
    section = str(amended.get("section") or finding.section)
    return {
        "text": finding.passage_text,
        "expected": "violation" if violation else "compliant",
        "sections": [section] if violation else [],
        "note": decision.note,
        "run": finding.run_id,
        "finding": finding.id,
        "decision": decision.decision,
        "policy_version": finding.policy_version,
    }


def add_case(policy: Policy, case: dict[str, Any]) -> int:
    """Append one case to a user policy's cases (the same text is not added twice).
    Returns how many cases it now has."""
    cases = read_cases(policy)
    checked = check_case(case, policy)
    if any(c["text"] == checked["text"] for c in cases):
        raise UsageError(f"{policy.id} already has a test case with this text")
    cases.append(checked)
    save_cases(policy, cases)
    return len(cases)


@dataclass(frozen=True)
class Imported:
    added: dict[str, int]  # policy id -> cases added
    skipped: list[str] = field(default_factory=list)  # one line per case or policy left out


def import_cases(lib: PolicyLibrary, path: Path, policy_id: str | None = None) -> Imported:
    """Cases from a ``cases.jsonl`` or an ``export dataset`` file into user policies. A row's
    ``policy`` names its policy (``policy_id`` picks one, and takes rows without one); a row
    for a bundled or unknown policy, a duplicate or an invalid row is skipped with a reason."""
    rows = load_cases(path)
    targets = {p.id: p for p in lib.all()}
    if policy_id is not None and policy_id not in targets:
        raise UsageError(f"unknown policy '{policy_id}'")
    if policy_id is not None and not is_user_policy(targets[policy_id]):
        raise UsageError(
            f"'{policy_id}' is a bundled policy: its cases are read-only; duplicate it first"
        )
    grouped: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    skipped: list[str] = []
    for number, row in enumerate(rows, start=1):
        name = str(row.get("policy") or policy_id or "")
        if policy_id is not None and name != policy_id:
            continue
        if not name:
            skipped.append(f"row {number}: names no policy (give --policy ID)")
            continue
        if row.get("decision") == "reset":
            skipped.append(f"row {number}: its decision was reset (undecided)")
            continue
        grouped.setdefault(name, []).append((number, row))
    added: dict[str, int] = {}
    for name, items in grouped.items():
        policy = targets.get(name)
        if policy is None or not is_user_policy(policy):
            why = "not in the library" if policy is None else "bundled (read-only)"
            skipped.append(f"{len(items)} case(s) for {name}: {why}")
            continue
        added[name] = _merge(policy, items, skipped)
    return Imported(added, skipped)


def _merge(policy: Policy, items: Iterable[tuple[int, dict[str, Any]]], skipped: list[str]) -> int:
    cases = read_cases(policy)
    texts = {c["text"] for c in cases}
    count = 0
    for number, row in items:
        try:
            case = check_case(row, policy)
        except PolicyError as error:
            skipped.append(f"row {number}: {error.detail}")
            continue
        if case["text"] in texts:
            skipped.append(f"row {number}: {policy.id} already has this case")
            continue
        texts.add(case["text"])
        cases.append(case)
        count += 1
    if count:
        save_cases(policy, cases)
    return count
