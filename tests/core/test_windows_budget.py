"""Window planning keeps the engine's whole reasoning budget for the effort plus the answer free
in the context (one number, from the engine), and the engine's notes reach the policy result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.documents import Document, Passage
from app.core.engine import TokenBudget
from app.core.errors import PromptTooLong
from app.core.pipeline import check_document
from app.core.prompt import build_request
from app.core.windows import plan_windows
from app.inference.scripted import Recording, ScriptedEngine
from tests.helpers.scripted import POLICY

# gpt-oss's reasoning per effort in the llama.cpp engine, and its answer reserve
GPT_OSS = TokenBudget(low=1024, medium=4096, high=8192, answer=1024, overhead=16)
COMPLIANT = Recording("", json.dumps({"verdict": "compliant", "findings": []}))
N_CTX = 16384


def long_document(passages: int = 120, words: int = 60) -> Document:
    found = tuple(
        Passage(f"P{i}", f"passage {i} " + "word " * words, {"line": i})
        for i in range(1, passages + 1)
    )
    return Document(Path("long.txt"), "a" * 64, "text/plain", 1, found)


def test_the_reserve_is_the_efforts_reasoning_plus_the_answer() -> None:
    assert GPT_OSS.reserve("low") == 1024 + 1024 + 16
    assert GPT_OSS.reserve("medium") == 4096 + 1024 + 16
    assert GPT_OSS.reserve("high") == 8192 + 1024 + 16


@pytest.mark.parametrize("effort", ["low", "medium", "high"])
def test_every_window_leaves_the_full_reasoning_budget(effort: str) -> None:
    scripted = ScriptedEngine([COMPLIANT], n_ctx=N_CTX, budget=GPT_OSS)
    document = long_document()
    windows = plan_windows(document, POLICY, scripted, effort)  # type: ignore[arg-type]
    limit = N_CTX - GPT_OSS.reserve(effort)  # type: ignore[arg-type]
    prompts = [scripted.count_tokens(build_request(POLICY, w, effort)) for w in windows]  # type: ignore[arg-type]
    assert all(prompt <= limit for prompt in prompts)
    # packed: each window but the last leaves less than two passages' worth of the limit free
    per_passage = 60 * 5 // 4 + 4
    assert all(limit - prompt < 2 * per_passage for prompt in prompts[:-1])
    assert N_CTX - max(prompts) >= GPT_OSS.reasoning(effort) + GPT_OSS.answer  # type: ignore[arg-type]


def test_higher_effort_means_smaller_windows_and_the_pipeline_plans_with_it() -> None:
    counts = {}
    for effort in ("low", "medium", "high"):
        scripted = ScriptedEngine([COMPLIANT], n_ctx=N_CTX, budget=GPT_OSS)
        check_document(long_document(passages=500), [POLICY], scripted, effort=effort)
        assert all(
            scripted.count_tokens(r) <= N_CTX - GPT_OSS.reserve(effort)  # type: ignore[arg-type]
            for r in scripted.requests
        )
        counts[effort] = len(scripted.requests)
    assert counts["low"] < counts["medium"] < counts["high"]


def test_auto_plans_for_high_effort() -> None:
    auto = ScriptedEngine([COMPLIANT], n_ctx=N_CTX, budget=GPT_OSS)
    high = ScriptedEngine([COMPLIANT], n_ctx=N_CTX, budget=GPT_OSS)
    check_document(long_document(), [POLICY], auto, effort="auto", escalate=False)
    check_document(long_document(), [POLICY], high, effort="high")
    assert [r.content for r in auto.requests] == [r.content for r in high.requests]


def test_an_explicit_answer_budget_overrides_the_engines() -> None:
    scripted = ScriptedEngine([COMPLIANT], n_ctx=N_CTX, budget=GPT_OSS)
    windows = plan_windows(long_document(), POLICY, scripted, "high", answer_budget=2048)
    assert all(
        scripted.count_tokens(build_request(POLICY, w, "high")) <= N_CTX - 2048 for w in windows
    )
    assert len(windows) < len(plan_windows(long_document(), POLICY, scripted, "high"))


def test_a_passage_that_leaves_no_room_to_reason_is_refused_with_the_figures() -> None:
    scripted = ScriptedEngine([COMPLIANT], n_ctx=12_000, budget=GPT_OSS)
    document = long_document(passages=1, words=2500)  # about 3,100 tokens: fits low, not high
    assert len(plan_windows(document, POLICY, scripted, "low")) == 1
    with pytest.raises(
        PromptTooLong, match=r"context of 12000 tokens with 9232 kept for its reasoning"
    ):
        check_document(document, [POLICY], scripted, effort="high")


def test_the_engines_notes_reach_the_policy_result_once_with_a_count() -> None:
    note = "reasoning stopped at the 4096-token budget of medium effort"
    scripted = ScriptedEngine([COMPLIANT], n_ctx=N_CTX, budget=GPT_OSS, notes=(note,))
    result = check_document(long_document(passages=300), [POLICY], scripted, effort="medium")
    requests = len(scripted.requests)
    assert requests > 1
    (policy_result,) = result.policy_results
    assert policy_result.notes == (f"{note} ({requests} of {requests} requests)",)
    single = ScriptedEngine([COMPLIANT], budget=GPT_OSS, notes=(note,))
    short = check_document(long_document(passages=2), [POLICY], single, effort="medium")
    assert short.policy_results[0].notes == (note,)
