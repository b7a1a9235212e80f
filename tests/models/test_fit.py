from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.models.fit import Gpu, ModelShape, detect_gpu, estimate
from app.models.gguf_header import read_header
from tests.helpers.paths import ROOT

GIB = 2**30
# gpt-oss-20b: 24 layers, 8 KV heads of 64, vocabulary 201088; MXFP4 weights about 12.8 GB.
GPT_OSS_20B = ModelShape(12_800_000_000, 24, 8, 64, 64, 201088, 131072)


def test_kv_cache_arithmetic() -> None:
    assert GPT_OSS_20B.kv_bytes(16384) == 24 * 16384 * 8 * 128 * 2


def test_a_16_gb_gpu_takes_all_layers() -> None:
    fit = estimate(
        GPT_OSS_20B, default_ctx=16384, gpu=Gpu("RTX 4080", 16 * GIB, 15 * GIB), ram_bytes=32 * GIB
    )
    assert (fit.n_gpu_layers, fit.n_ctx, fit.fits) == (-1, 16384, True)
    assert "all layers on RTX 4080" in fit.summary()


def test_a_12_gb_gpu_takes_some_layers() -> None:
    fit = estimate(
        GPT_OSS_20B, default_ctx=16384, gpu=Gpu("RTX 3060", 12 * GIB, 11 * GIB), ram_bytes=32 * GIB
    )
    assert 0 < fit.n_gpu_layers < 24
    assert fit.vram_bytes <= 11 * GIB
    assert "the rest on the CPU" in fit.summary()


def test_cpu_only_and_shrinking_context() -> None:
    roomy = estimate(GPT_OSS_20B, default_ctx=16384, ram_bytes=64 * GIB)
    assert (roomy.n_gpu_layers, roomy.n_ctx) == (0, 16384)
    assert "CPU only" in roomy.summary()
    tight = estimate(GPT_OSS_20B, default_ctx=16384, ram_bytes=13_500_000_000)
    assert tight.n_ctx < 16384 and tight.fits
    hopeless = estimate(GPT_OSS_20B, default_ctx=16384, ram_bytes=8 * GIB)
    assert not hopeless.fits and "NOT ENOUGH MEMORY" in hopeless.summary()


def test_the_users_choices_are_kept() -> None:
    fit = estimate(
        GPT_OSS_20B,
        n_ctx=2048,
        n_gpu_layers=5,
        gpu=Gpu("RTX 4080", 16 * GIB, 15 * GIB),
        ram_bytes=64 * GIB,
    )
    assert (fit.n_ctx, fit.n_gpu_layers) == (2048, 5)


def test_no_gpu_here_means_cpu_only() -> None:
    gpu = detect_gpu()
    assert gpu is None or gpu.total_bytes > 0


MEASURE = """
import json, sys
from pathlib import Path
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) * 1024
from app.core.documents import Passage
from app.core.policy import load_policy
from app.core.progress import CancelToken
from app.core.prompt import build_request
from app.inference.llama_engine import LlamaCppEngine, LlamaSettings
import llama_cpp
base = rss()
engine = LlamaCppEngine(LlamaSettings(model_path=Path(sys.argv[1]), name="smoke", file_sha256="0",
    n_ctx=int(sys.argv[2]), n_threads=2, chat_format="gemma", answer_tokens=64))
policy = load_policy(Path("policies/fin-promo"))
text = "Earn a guaranteed 12% a year with zero risk to your savings. " * 12
engine.judge(build_request(policy, (Passage("P1", text, {"line": 1}),), "low"), CancelToken())
print(json.dumps({"measured": rss() - base}))
"""


@pytest.mark.llama
@pytest.mark.parametrize("n_ctx", [2048, 16384])
def test_estimate_matches_measured_memory_of_the_smoke_model(
    smoke_model_path: Path, n_ctx: int
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(smoke_model_path), str(n_ctx)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(result.stdout.strip().splitlines()[-1])["measured"]
    predicted = estimate(
        ModelShape.from_gguf(read_header(smoke_model_path)), n_ctx=n_ctx, ram_bytes=0
    ).ram_bytes
    assert abs(predicted - measured) / measured < 0.25, (predicted / 2**20, measured / 2**20)
