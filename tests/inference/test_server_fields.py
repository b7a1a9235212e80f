"""The server engine against a loopback stub speaking each server's dialect: where reasoning
arrives (``reasoning``, ``reasoning_content``, ``thinking``; streamed or whole), what the request
carries (effort, sampling), and an empty final answer, which is no verdict."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.documents import Document, Passage
from app.core.engine import EngineResult
from app.core.policy import load_policy
from app.core.progress import CancelToken
from app.core.prompt import build_request
from app.core.validation import validate
from app.core.verdict import parse_verdict
from app.inference.server_engine import EMPTY_FINAL, ServerEngine, ServerSettings
from tests.helpers.paths import ROOT
from tests.helpers.stub_chat_server import REASONING, StubServer

POLICY = load_policy(ROOT / "policies" / "fin-promo" / "policy.md")
PASSAGES = (Passage("P1", "Earn a guaranteed 11% a year with zero risk.", {"line": 1}),)
SECTION = POLICY.section_ids[0]
FINDING = {"section": SECTION, "passage": "P1", "quote": "guaranteed 11% a year",
           "severity": "high", "confidence": 0.9, "rationale": "a guaranteed return",
           "remediation": "remove it"}  # fmt: skip
VERDICT = json.dumps({"verdict": "violation", "findings": [FINDING]})


@pytest.fixture
def stub() -> Iterator[StubServer]:
    server = StubServer(final=VERDICT).start()
    yield server
    server.stop()


def judge(
    stub: StubServer, effort: str = "high", **settings: float
) -> tuple[EngineResult, list[str]]:
    streamed: list[str] = []
    engine = ServerEngine(ServerSettings(stub.url, "gpt-oss-safeguard", n_ctx=8192, **settings))
    result = engine.judge(
        build_request(POLICY, PASSAGES, effort), CancelToken(),
        lambda channel, text: streamed.append(channel),
    )  # fmt: skip
    return result, streamed


@pytest.mark.parametrize("mode", ["sse", "whole", "ndjson"])
@pytest.mark.parametrize("field_name", ["reasoning", "reasoning_content", "thinking"])
def test_reasoning_is_read_from_every_field(stub: StubServer, field_name: str, mode: str) -> None:
    stub.field_name, stub.mode = field_name, mode
    result, streamed = judge(stub)
    assert result.analysis == REASONING
    assert parse_verdict(result.final).verdict == "violation"
    assert result.notes == ()
    assert "analysis" in streamed and "final" in streamed
    # the follow-up carries the reasoning back as the assistant's turn
    assert stub.bodies[1]["messages"][-2] == {"role": "assistant", "content": REASONING}


def test_the_same_reasoning_under_two_names_is_kept_once(stub: StubServer) -> None:
    stub.field_name, stub.also_under = "reasoning", "reasoning_content"
    result, _ = judge(stub)
    assert result.analysis == REASONING
    assert all("top_p" not in body for body in stub.bodies)  # unset: the server's default


def test_the_request_carries_the_effort_and_the_sampling(stub: StubServer) -> None:
    engine = ServerEngine(ServerSettings(stub.url, "m", temperature=1.0, top_p=1.0))
    assert (engine.info.temperature, engine.info.top_p) == (1.0, 1.0)  # reports can say so
    assert ServerEngine(ServerSettings(stub.url, "m")).info.top_p is None  # the server's own
    judge(stub, "medium", temperature=1.0, top_p=0.9)
    for body in stub.bodies:
        assert body["reasoning_effort"] == "medium"
        assert body["chat_template_kwargs"] == {"reasoning_effort": "medium"}
        assert (body["temperature"], body["top_p"]) == (1.0, 0.9)
    assert stub.bodies[0]["messages"][0]["content"].startswith("Reasoning effort: medium.")
    assert "response_format" in stub.bodies[1] and "response_format" not in stub.bodies[0]


@pytest.mark.parametrize("mode", ["sse", "whole"])
def test_an_empty_final_answer_is_no_verdict(stub: StubServer, mode: str) -> None:
    stub.empty_final, stub.mode = True, mode  # the verdict JSON lands in the reasoning field
    result, _ = judge(stub)
    assert result.final == ""  # never taken from the reasoning
    assert result.notes == (EMPTY_FINAL,)
    document = Document(Path("flyer.md"), "0" * 64, "text/markdown", 1, PASSAGES)
    checked = validate(POLICY, document, (result,))
    # an unusable answer judged nothing (docs/contracts.md "Verdict")
    assert checked.verdict == "not_assessed" and not checked.findings
    assert "the answer is empty" in checked.indeterminate


@pytest.mark.parametrize("mode", ["sse", "whole", "ndjson"])
def test_reasoning_cut_at_its_budget_is_noted(stub: StubServer, mode: str) -> None:
    stub.mode, stub.cut_first = mode, True
    result, _ = judge(stub, "medium")
    assert result.notes == ("reasoning stopped at the 1024-token budget of medium effort",)
    assert stub.bodies[0]["max_tokens"] == 1024
    assert parse_verdict(result.final).verdict == "violation"  # the verdict still came


def test_the_server_engine_declares_its_budget() -> None:
    from app.core.engine import TokenBudget

    engine = ServerEngine(ServerSettings("http://127.0.0.1:9", "m", answer_tokens=512))
    assert engine.info.budget == TokenBudget(512, 1024, 2048, 512, 64)
