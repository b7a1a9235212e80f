"""The pipeline with the scripted engine: exact assertions on validation and aggregation."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from app.core.documents import Document, Passage
from app.core.errors import Cancelled, PromptTooLong, UsageError
from app.core.pipeline import check_document
from app.core.policy import parse_policy
from app.core.progress import CancelToken, ProgressEvent
from app.core.prompt import build_request
from app.inference.scripted import Recording, ScriptedEngine
from tests.helpers.policies import GOOD
from tests.helpers.scripted import DOCUMENT, POLICY, engine, finding


def test_violation_with_verified_and_unverified_findings() -> None:
    scripted = engine(
        {"verdict": "violation", "findings": [finding(), finding(passage="P2", section="HR-2")]}
    )
    result = check_document(DOCUMENT, [POLICY], scripted, effort="high")
    assert result.verdict == "violation"
    first, second = result.findings
    assert (first.quote_verified, first.location, first.problem) == (True, {"line": 1}, "")
    assert second.quote_verified is False
    assert second.location == {"line": 3}
    assert second.problem == "the quoted words are not in the cited passage"
    (policy_result,) = result.policy_results
    assert policy_result.reasoning == "thinking"
    assert policy_result.indeterminate == ""
    (request,) = scripted.requests
    assert request.effort == "high"
    assert "[P1] We promise a guaranteed return." in request.content
    assert "## HR-1 First rule" in request.policy_text


def test_duplicate_findings_are_merged() -> None:
    scripted = engine(
        {"verdict": "violation", "findings": [finding(), finding(quote="Guaranteed  RETURN")]}
    )
    assert len(check_document(DOCUMENT, [POLICY], scripted).findings) == 1


def test_unparseable_answer_is_not_assessed_with_raw_text_kept() -> None:
    # contract change (issue 15): an unusable answer judged nothing, so it is not_assessed
    result = check_document(DOCUMENT, [POLICY], engine('{"verdict": "viol'))
    assert result.verdict == "not_assessed"
    (policy_result,) = result.policy_results
    assert (policy_result.judged, policy_result.without_findings) == (False, "not_assessed")
    assert policy_result.raw_final == '{"verdict": "viol'
    assert "not a valid verdict" in policy_result.indeterminate


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"verdict": "violation", "findings": []}, "cited nothing"),
        ({"verdict": "compliant", "findings": [finding()]}, "listed findings"),
    ],
)
def test_inconsistent_answers_need_review(answer: dict[str, object], problem: str) -> None:
    result = check_document(DOCUMENT, [POLICY], engine(answer))
    assert result.verdict == "needs_review"
    assert problem in result.policy_results[0].indeterminate


def test_worst_verdict_wins_across_policies() -> None:
    other = parse_policy(GOOD.replace("id: house-rule", "id: other-rule"))
    scripted = engine(
        {"verdict": "compliant", "findings": []}, {"verdict": "needs_review", "findings": []}
    )
    result = check_document(DOCUMENT, [POLICY, other], scripted)
    assert [r.verdict for r in result.policy_results] == ["compliant", "needs_review"]
    assert result.verdict == "needs_review"
    assert (
        check_document(DOCUMENT, [POLICY], engine({"verdict": "compliant", "findings": []})).verdict
        == "compliant"
    )


def test_progress_is_reported_per_stage() -> None:
    events: list[ProgressEvent] = []
    check_document(
        DOCUMENT, [POLICY], engine({"verdict": "compliant", "findings": []}), progress=events.append
    )
    stages = [e.stage for e in events]
    assert stages[0] == "reasoning" and "checking citations" in stages
    assert events[-1].done == events[-1].total == 1


def test_cancel_stops_before_the_engine_runs() -> None:
    token = CancelToken()
    token.cancel()
    scripted = engine({"verdict": "compliant", "findings": []})
    with pytest.raises(Cancelled):
        check_document(DOCUMENT, [POLICY], scripted, cancel=token)
    assert scripted.requests == []


def test_bad_effort_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="effort"):
        check_document(
            DOCUMENT, [POLICY], engine({"verdict": "compliant", "findings": []}), effort="extreme"
        )


def test_long_documents_are_split_into_windows_that_fit() -> None:
    passages = tuple(Passage(f"P{i}", "word " * 200, {"line": i}) for i in range(1, 11))
    long_document = Document(Path("long.txt"), "b" * 64, "text/plain", 1, passages)
    scripted = ScriptedEngine(
        [Recording("", '{"verdict": "compliant", "findings": []}')], n_ctx=2048 + 900
    )
    result = check_document(long_document, [POLICY], scripted, answer_budget=2048)
    windows = [r.content for r in scripted.requests]
    assert len(windows) > 1
    ids = [[line.split("]")[0][1:] for line in w.splitlines()[1:]] for w in windows]
    flat = [i for window in ids for i in window]
    assert sorted(set(flat), key=lambda i: int(i[1:])) == [f"P{i}" for i in range(1, 11)]
    for before, after in itertools.pairwise(ids):  # windows of several passages overlap by one
        expected_first = before[-1] if len(before) > 1 else f"P{int(before[-1][1:]) + 1}"
        assert after[0] == expected_first
    assert result.verdict == "compliant"


def test_a_passage_that_cannot_fit_is_refused_politely() -> None:
    passages = (Passage("P1", "word " * 5000, {"page": 2}),)
    document = Document(Path("huge.pdf"), "c" * 64, "application/pdf", 2, passages)
    scripted = ScriptedEngine([Recording("", "{}")], n_ctx=4096)
    with pytest.raises(PromptTooLong, match=r"huge.pdf: passage P1 \(page 2\)"):
        check_document(document, [POLICY], scripted)


def test_window_planning_counts_tokens_a_few_times_per_window() -> None:
    from app.core.windows import plan_windows

    passages = tuple(Passage(f"P{i}", "word " * (20 + i % 50), {"line": i}) for i in range(1, 301))
    document = Document(Path("book.txt"), "e" * 64, "text/plain", 1, passages)
    scripted = ScriptedEngine([Recording("", "{}")], n_ctx=4096)
    calls: list[int] = []
    original = scripted.count_tokens

    def counting(request):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(request)

    scripted.count_tokens = counting  # type: ignore[method-assign]
    windows = plan_windows(document, POLICY, scripted, "low", 2048)
    covered = [windows[0][0].id] + [p.id for w in windows for p in w[1:]]
    assert covered == [p.id for p in passages]  # in order; each window starts with the overlap
    limit = 4096 - 2048
    assert all(original(build_request(POLICY, w, "low")) <= limit for w in windows)
    assert len(calls) < 12 * len(windows) < len(passages)


def test_a_finding_in_the_overlap_is_kept_once() -> None:
    from app.core.windows import plan_windows

    passages = tuple(
        Passage(f"P{i}", f"passage {i} " + "word " * 80, {"line": i}) for i in range(1, 9)
    )
    document = Document(Path("long.txt"), "f" * 64, "text/plain", 1, passages)
    scripted = ScriptedEngine([Recording("", "{}")], n_ctx=2048 + 700)
    windows = plan_windows(document, POLICY, scripted, "low", 2048)
    shared = windows[0][-1].id
    found = {
        "verdict": "violation",
        "findings": [finding(passage=shared, quote=f"passage {shared[1:]}")],
    }
    engine_for_all = ScriptedEngine([Recording("", json.dumps(found))], n_ctx=2048 + 700)
    result = check_document(document, [POLICY], engine_for_all, answer_budget=2048)
    assert len(engine_for_all.requests) == len(windows) > 1
    assert [f.finding.passage for f in result.findings] == [shared]
