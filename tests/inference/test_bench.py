"""``safeguard-desk bench --json`` end to end on the smoke model. Token counts are exact, so the
prompt-token ratio is asserted; times are reported, never asserted (a busy CI machine would make
any time limit flaky)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app import cli

pytestmark = [pytest.mark.llama, pytest.mark.timeout(900)]


def test_bench_prints_one_json_object_with_the_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bench", "--json", "--model", "smoke-gemma3-270m", "--threads", "2"]) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    for side in ("naive", "ours"):
        assert result[side]["prompt_tokens"] > 0 and result[side]["wall_s"] > 0
    assert result["naive"]["requests"] == 10 and result["ours"]["requests"] == 1
    assert result["prompt_tokens_ratio"] >= 3  # the policy is evaluated once, not ten times
    assert result["prompt_tokens_ratio"] == round(
        result["naive"]["prompt_tokens"] / result["ours"]["prompt_tokens"], 2
    )
    ours = result["ours"]
    assert ours["next_document_prompt_tokens"] < ours["next_document_prompt_tokens_total"] / 2
    assert result["overhead"] > 0 and result["wall_ratio"] > 0
    multi = result["multi_policy"]
    assert multi["separate"]["requests"] == 2 and multi["combined"]["requests"] == 1
