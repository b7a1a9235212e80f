"""Benchmark loaders on the real files in ../shared/corpus."""

from __future__ import annotations

import pytest

from app.services.benchmarks import load_contractnli, load_moderation, load_toxicchat
from tests.helpers.paths import corpus_file


def test_moderation_skips_unknown_labels() -> None:
    path = corpus_file("moderation/openai_moderation/samples-1680.jsonl.gz")
    bench = load_moderation(path, "SH")
    labels = [c["expected"] for c in bench.cases]
    assert (labels.count("violation"), labels.count("compliant")) == (51, 1396)  # 233 unknown
    assert bench.policy.section_ids == ("MOD-1",)
    assert len(load_moderation(path, "SH", limit=5).cases) == 5
    with pytest.raises(Exception, match="unknown category"):
        load_moderation(path, "XX")


def test_toxicchat_counts() -> None:
    bench = load_toxicchat(corpus_file("moderation/toxicchat/toxic_chat_test.judgebench.json"))
    labels = [c["expected"] for c in bench.cases]
    assert (len(labels), labels.count("violation")) == (2853, 362)


def test_contractnli_contradiction_is_a_violation() -> None:
    benches = load_contractnli(corpus_file("contracts/contractnli/test.json"))
    assert len(benches) == 17
    total = sum(len(b.cases) for b, _ in benches)
    assert total == sum(len(texts) for _, texts in benches)
    bench, _ = next(b for b in benches if b[0].name == "contractnli/nda-2")
    assert "CN-1" in bench.policy.section_ids
    assert {c["expected"] for c in bench.cases} == {"violation", "compliant"}
    limited = load_contractnli(corpus_file("contracts/contractnli/test.json"), limit=6)
    assert sum(len(b.cases) for b, _ in limited) == 6
