"""A batch against a real inference server: llama.cpp's ``llama-server`` (built from the pinned
llama-cpp-python's own llama.cpp source) with 4 slots on the smoke GGUF. The same 8 documents,
seed and settings at ``--parallel 1`` and ``--parallel 4``, in one bench run.

What is compared: every document is checked at both levels, every verdict is one the schema
allows and every finding cites a section of the policy and a passage of its document (the
server's grammar for our JSON schema holds under batching), and 4 in flight is not slower.
The findings themselves are not asserted equal: llama.cpp does not give bit-identical logits
to a request whose tokens share a batch with other requests' tokens (its CPU K-quant matmul
takes a tiled kernel for 8 rows or more, a per-row dot product below; its server README says
the same of prompt caching), and the smoke model's near-flat distributions turn such
differences into other tokens. How many documents matched is printed (and in the README)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.policy import load_policy
from app.core.types import VERDICTS
from app.services.server_bench import bench_engine, run_server_bench
from tests.helpers.llama_server import llama_server_binary, running
from tests.helpers.paths import ROOT

POLICY = load_policy(ROOT / "policies" / "fin-promo" / "policy.md")
pytestmark = [pytest.mark.llama, pytest.mark.server, pytest.mark.timeout(3600)]


@pytest.fixture(scope="module")
def llama_server(smoke_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = llama_server_binary()  # built once (cached), or the test is skipped with why
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with running(binary, smoke_model_path, log, slots=4) as url:
        yield url


def test_a_batch_at_parallel_4_checks_what_parallel_1_checks_and_is_not_slower(
    llama_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = bench_engine(llama_server, "smoke-gemma3-270m")
    assert engine.slots() == 4  # llama-server's /props total_slots: the default --parallel
    result = run_server_bench(engine, POLICY, [1, 4], documents=8, effort="low")
    one, four = result["levels"]
    assert (one["checked"], one["failed"], four["checked"], four["failed"]) == (8, 0, 8, 0)
    found = result["findings"]
    assert set(found["1"]) == set(found["4"]) and len(found["1"]) == 8  # the same documents
    for level in ("1", "4"):
        for name, checked in found[level].items():
            assert checked["verdict"] in VERDICTS, (level, name)
            for section, passage, _quote in checked["findings"]:
                assert section in POLICY.section_ids and passage in ("P1", "P2", "P3")
    # Not slower (10 % for a shared machine). With the engine's own reasoning budget generation
    # dominates, which batching speeds up; a budget cut to 128 tokens left prompt evaluation
    # (compute-bound on 2 cores, no gain from batching) dominant and measured 0.79x-1.58x.
    assert four["ratio"] >= 0.9, result["levels"]
    with capsys.disabled():
        print("\nllama-server, smoke model, 8 documents:", json.dumps(result["levels"]))
