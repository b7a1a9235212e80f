"""A split GGUF, imported with all its parts, loads in llama.cpp from its first part and answers
exactly as the same model in one file (tiny random-weight gpt-oss; greedy decoding)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.documents import Passage
from app.core.policy import load_policy
from app.core.progress import CancelToken
from app.core.prompt import build_request
from app.models.catalogue import resolve_model
from app.models.installed import import_model
from app.runtime.resources import bundled_policies_dir
from tests.helpers import tiny_gptoss

pytestmark = pytest.mark.gptoss
POLICY = load_policy(bundled_policies_dir() / "fin-promo")
PASSAGES = (Passage("P1", "Earn a guaranteed 12% a year with zero risk.", {"line": 1}),)


def _answer(path: Path) -> tuple[str, str]:
    from app.inference.llama_engine import LlamaCppEngine, LlamaSettings

    engine = LlamaCppEngine(
        LlamaSettings(
            model_path=path, name="tiny", file_sha256="0" * 64, n_ctx=2048, n_threads=2,
            temperature=0.0, answer_tokens=64, reasoning_tokens={"low": 16, "medium": 16,
                                                                  "high": 16},
        )
    )  # fmt: skip
    result = engine.judge(build_request(POLICY, PASSAGES, "low"), CancelToken())
    return result.analysis, result.final


def test_a_split_model_loads_from_its_first_part(tmp_path: Path) -> None:
    weights = tiny_gptoss.random_weights()
    tiny_gptoss.build(tmp_path / "tiny-gpt-oss.gguf", weights, split_max_tensors=20)
    parts = sorted(tmp_path.glob("tiny-gpt-oss-*-of-*.gguf"))
    assert len(parts) >= 2
    item = import_model(parts[0], "tiny-split")  # copies every part beside the first
    assert len(item.parts) == len(parts)
    first = resolve_model("tiny-split").path
    assert first == item.part_paths[0] and first.name.endswith(f"-00001-of-{len(parts):05d}.gguf")
    whole = tiny_gptoss.cached_model("random")  # the same weights in one file
    assert _answer(first) == _answer(whole)
