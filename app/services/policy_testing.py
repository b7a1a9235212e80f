"""``policy test`` for the CLI and the app alike: run a policy's labelled cases, score them, store
the result per policy version, and list the cases whose verdict flipped since an earlier one."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.core.bounded import require_regular_file
from app.core.engine import Engine
from app.core.errors import InputError, PolicyError
from app.core.lint import MAX_CASES_BYTES, load_cases
from app.core.policy import Policy
from app.core.policy_tests import CaseOutcome, Report, flipped, run_cases, score
from app.core.progress import CancelToken, Progress, no_progress
from app.core.types import Effort
from app.store.records import StoredPolicyTest
from app.store.repository import Store


@dataclass(frozen=True)
class PolicyTestRequest:
    policy: Policy
    cases_file: Path | None = None  # None: the cases.jsonl beside the policy
    effort: Effort = "low"
    compare: str | None = None  # a stored version to compare verdicts with


@dataclass(frozen=True)
class PolicyTestResult:
    report: Report
    outcomes: list[CaseOutcome]
    flipped: list[tuple[str, str, str]] = field(default_factory=list)  # text, before, after


def cases_file_of(request: PolicyTestRequest) -> Path:
    policy = request.policy
    found = request.cases_file or (policy.path.parent / "cases.jsonl" if policy.path else None)
    if found is None or not os.path.lexists(found):
        raise InputError(f"policy '{policy.id}' has no test cases (no cases.jsonl next to it)")
    # refused here, before a model is loaded, when it is a FIFO, a device or too large
    require_regular_file(found, MAX_CASES_BYTES, "test cases file", PolicyError)
    return found


def compared_test(request: PolicyTestRequest, store: Store) -> StoredPolicyTest | None:
    """The stored run ``--compare`` names (its latest), or None without ``--compare``; a
    version never tested is refused before any case runs."""
    if not request.compare:
        return None
    earlier = store.policy_test(request.policy.id, request.compare)
    if earlier is None:
        raise InputError(f"no stored test run of {request.policy.id} version {request.compare}")
    return earlier


def run_policy_test(
    request: PolicyTestRequest,
    engine: Engine,
    store: Store,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> PolicyTestResult:
    policy = request.policy
    cases_file = cases_file_of(request)
    cases = load_cases(cases_file)
    if not cases:
        raise InputError("no test cases in the file", path=cases_file)
    earlier = compared_test(request, store)  # before this run is stored: it is not "earlier"
    outcomes = run_cases(
        policy, cases, engine, effort=request.effort, progress=progress, cancel=cancel
    )
    report = score(outcomes, policy.section_ids)
    report.extra = {
        "policy": policy.id,
        "version": policy.version,
        "effort": request.effort,
        "model": engine.info.name,
    }
    store.save_policy_test(
        policy, request.effort, engine.info.name, report.to_json(), [asdict(o) for o in outcomes]
    )
    changes: list[tuple[str, str, str]] = []
    if earlier is not None:
        changes = flipped(earlier.outcomes, outcomes)
    return PolicyTestResult(report, outcomes, changes)
