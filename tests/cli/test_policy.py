"""``policy lint``, ``policy test`` and ``eval`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import assert_one_line_error, run
from tests.helpers.paths import ROOT, corpus_file


def test_lint_passes_on_every_bundled_policy() -> None:
    for folder in sorted((ROOT / "policies").glob("*/policy.md")):
        result = run("policy", "lint", folder.parent.name)
        assert result.returncode == 0, result.stdout
        assert "0 error(s), 0 warning(s)" in result.stdout


def test_lint_reports_errors_with_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "policy.md"
    bad.write_text("---\nid: bad\ntitle: Bad\nversion: 1\n---\n# Instructions\nDecide.\n", "utf-8")
    result = run("policy", "lint", str(bad))
    assert result.returncode == 1
    assert "error: line 1: no '# Criteria' section" in result.stdout


@pytest.mark.llama
def test_policy_test_with_the_smoke_model(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    lines = (
        (ROOT / "policies" / "fin-promo" / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    )
    cases.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    args = [
        "policy",
        "test",
        "fin-promo",
        "--cases",
        str(cases),
        "--model",
        "smoke-gemma3-270m",
        "--effort",
        "low",
        "--quiet",
    ]
    table = run(*args)
    assert table.returncode == 0, table.stderr
    assert "fin-promo 1.1.0: 2 cases, parse rate" in table.stdout and "confusion" in table.stdout
    # Compared with the run above (same model, seed and settings: nothing flips), and held to
    # --min-f1 1: the smoke model's F1 is whatever it is, but the same every run, so the exit
    # code must be 1 exactly when that F1 is short of perfect.
    data = run(*args, "--json", "--compare", "1.1.0", "--min-f1", "1")
    report = json.loads(data.stdout)
    assert report["cases"] == 2 and set(report["sections"]) == {"FP-1", "FP-2", "FP-3", "FP-4"}
    assert report["flipped"] == []
    assert report["extra"]["version"] == "1.1.0"
    f1 = report["overall"]["f1"]
    if f1 is None or f1 < 1:
        assert data.returncode == 1 and "below --min-f1" in data.stderr
    else:
        assert data.returncode == 0, data.stderr
    above = run(*args, "--min-f1", "1.01")
    assert above.returncode == 2 and "at most 1" in above.stderr
    # a version never tested is refused before the model loads
    assert_one_line_error(run(*args, "--compare", "0.9"), 2, "no stored test run")


@pytest.mark.llama
@pytest.mark.parametrize(
    ("benchmark", "data", "published"),
    [
        ("moderation", "moderation/openai_moderation/samples-1680.jsonl.gz", "82.9"),
        ("toxicchat", "moderation/toxicchat/toxic_chat_test.judgebench.json", "79.9"),
        ("contractnli", "contracts/contractnli/test.json", "— (not published"),
    ],
)
def test_eval_runs_on_each_benchmark(benchmark: str, data: str, published: str) -> None:
    result = run(
        "eval",
        benchmark,
        "--data",
        str(corpus_file(data)),
        "--limit",
        "1",
        "--model",
        "smoke-gemma3-270m",
        "--effort",
        "low",
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    assert "1 cases" in result.stdout and f"published {published}" in result.stdout


def test_eval_needs_real_data(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    assert_one_line_error(
        run(
            "eval", "contractnli", "--data", str(missing), "--model", "smoke-gemma3-270m", "--quiet"
        ),
        2,
        "ContractNLI file not found",
    )
