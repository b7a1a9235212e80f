"""Will a model fit this machine? An estimate from GGUF metadata (or catalogue figures before a
download), the GPU's free memory, and the settings that follow: ``n_gpu_layers`` and ``n_ctx``.

Memory = weights + KV cache + compute. The KV cache is exact arithmetic: every layer keeps
``n_ctx`` positions (sliding-window layers too: the engine asks llama.cpp for full-size SWA caches
so prefix reuse stays correct). On a GPU llama.cpp reserves its worst-case compute buffer, about
one micro-batch of logits (``n_ubatch × n_vocab × 4`` bytes); on the CPU that buffer is allocated
lazily and a typical request touches about half of it (measured on the smoke model, tested).
Without flash attention the buffer must also hold one micro-batch of attention scores,
``n_ubatch × n_ctx × (4 × heads + 8)`` bytes, and takes the larger of the two (llama.cpp reuses
the memory): measured on a 64-head gpt-oss layout, 548 / 1076 / 2132 / 4244 MiB at n_ctx 4k / 8k /
16k / 32k, against a flat 393 MiB (the logits) with flash attention. That term is what caps
gpt-oss (64 heads) near 16k on a 16 GB card, so the engine turns flash attention on whenever
layers run on a GPU (``FitEstimate.flash_attn``); on the CPU it stays off, as measured and tested.

The context starts from the model's trained length (gpt-oss: 131072) unless the catalogue or the
user names one, and halves (not below 4096) until the model fits: gpt-oss's KV cache is small
(48 KiB a token), so a 16 GB card holds 32k-64k of it beside the weights.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

from app.models.gguf_header import GgufInfo

N_UBATCH = 512
RUNTIME_OVERHEAD = 64 * 2**20  # llama.cpp runtime, tokenizer, Python objects
GPU_MARGIN = 512 * 2**20  # what a desktop and the CUDA context keep for themselves
MIN_CTX = 4096


@dataclass(frozen=True)
class ModelShape:
    weights_bytes: int
    n_layers: int
    n_kv_heads: int
    key_length: int
    value_length: int
    n_vocab: int
    max_ctx: int
    n_heads: int = 0  # attention (query) heads: the scores buffer without flash attention

    @classmethod
    def from_gguf(cls, info: GgufInfo) -> ModelShape:
        heads = int(info.arch_value("attention.head_count", 1))
        n_embd = int(info.arch_value("embedding_length", 0))
        head_dim = n_embd // heads if heads else 0
        kv = info.arch_value("attention.head_count_kv", heads)
        tokens = info.metadata.get("tokenizer.ggml.tokens", 0)
        return cls(
            weights_bytes=info.data_bytes,
            n_layers=int(info.arch_value("block_count", 0)),
            n_kv_heads=int(max(kv) if isinstance(kv, list) else kv),
            key_length=int(info.arch_value("attention.key_length", head_dim)),
            value_length=int(info.arch_value("attention.value_length", head_dim)),
            n_vocab=int(tokens if isinstance(tokens, int) else len(tokens)),
            max_ctx=info.context_length or MIN_CTX,
            n_heads=int(max(heads) if isinstance(heads, list) else heads),
        )

    @classmethod
    def from_catalogue(cls, entry: dict[str, Any]) -> ModelShape:
        shape = entry["shape"]
        return cls(
            int(entry["approx_bytes"]),
            shape["n_layers"],
            shape["n_kv_heads"],
            shape["head_dim"],
            shape["head_dim"],
            shape["n_vocab"],
            shape["max_ctx"],
            int(shape.get("n_heads", 0)),
        )

    def kv_bytes(self, n_ctx: int) -> int:
        return self.n_layers * n_ctx * self.n_kv_heads * (self.key_length + self.value_length) * 2

    def compute_bytes(self, *, gpu: bool, n_ctx: int = 0, flash_attn: bool = True) -> int:
        logits = N_UBATCH * self.n_vocab * 4
        scores = 0 if flash_attn else N_UBATCH * n_ctx * (4 * self.n_heads + 8)
        return max(logits if gpu else logits // 2, scores)


@dataclass(frozen=True)
class Gpu:
    name: str
    total_bytes: int
    free_bytes: int


@dataclass(frozen=True)
class FitEstimate:
    n_ctx: int
    n_gpu_layers: int  # -1: all
    weights_bytes: int
    kv_bytes: int
    compute_bytes: int
    gpu: Gpu | None
    ram_bytes: int  # what the process needs in main memory
    vram_bytes: int  # what it needs on the GPU
    fits: bool
    flash_attn: bool = False  # on whenever layers run on the GPU (see the module's notes)

    def summary(self) -> str:
        gib = 2**30
        parts = (
            f"weights {self.weights_bytes / gib:.2f} + context {self.kv_bytes / gib:.2f} "
            f"+ compute {self.compute_bytes / gib:.2f} GiB at n_ctx {self.n_ctx}"
        )
        ram, vram = self.ram_bytes / gib, self.vram_bytes / gib
        if self.gpu is None:
            need, where = f"{ram:.1f} GiB of RAM", "CPU only (no NVIDIA GPU found)"
        elif self.n_gpu_layers == 0:
            need = f"{ram:.1f} GiB of RAM"
            where = (
                f"CPU: it does not fit {self.gpu.name} ({self.gpu.free_bytes / gib:.1f} GiB free)"
            )
        elif self.n_gpu_layers == -1:
            need = f"{vram:.1f} GiB of GPU memory"
            where = f"all layers on {self.gpu.name} ({self.gpu.free_bytes / gib:.1f} GiB free)"
        else:
            need = f"{vram:.1f} GiB of GPU memory and {ram:.1f} GiB of RAM"
            where = f"{self.n_gpu_layers} layers on {self.gpu.name}, the rest on the CPU"
        verdict = "" if self.fits else " — NOT ENOUGH MEMORY: use a smaller --n-ctx or model"
        return f"needs about {need} ({parts}); {where}{verdict}"


def detect_gpu() -> Gpu | None:
    """The NVIDIA GPU with the most free memory, through nvidia-smi; None when there is none."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        out = subprocess.run(
            [smi, "--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    gpus = []
    for line in out.strip().splitlines():
        try:
            name, total, free = (part.strip() for part in line.split(","))
            gpus.append(Gpu(name, int(total) * 2**20, int(free) * 2**20))
        except ValueError:
            continue
    return max(gpus, key=lambda g: g.free_bytes) if gpus else None


def system_ram() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 0


def estimate(
    shape: ModelShape,
    *,
    n_ctx: int | None = None,
    default_ctx: int | None = None,
    gpu: Gpu | None = None,
    ram_bytes: int | None = None,
    n_gpu_layers: int | None = None,
) -> FitEstimate:
    """Settings for this machine. ``n_ctx``/``n_gpu_layers`` given by the user are kept as they
    are; otherwise the context starts from ``default_ctx`` (None: the model's trained context)
    and shrinks (not below 4096) until the model fits."""
    ram = system_ram() if ram_bytes is None else ram_bytes
    start = min(default_ctx or shape.max_ctx, shape.max_ctx)
    contexts = [n_ctx] if n_ctx else _candidate_contexts(start)
    result = None
    for ctx in contexts:
        result = _estimate_at(shape, ctx, gpu, ram, n_gpu_layers)
        if result.fits:
            return result
    assert result is not None
    return result


def _candidate_contexts(start: int) -> list[int]:
    contexts = [start]
    while contexts[-1] // 2 >= MIN_CTX:
        contexts.append(contexts[-1] // 2)
    return contexts


def _estimate_at(
    shape: ModelShape, n_ctx: int, gpu: Gpu | None, ram: int, forced_layers: int | None
) -> FitEstimate:
    kv = shape.kv_bytes(n_ctx)
    cpu_compute = shape.compute_bytes(gpu=False, n_ctx=n_ctx, flash_attn=False)
    gpu_compute = shape.compute_bytes(gpu=True, n_ctx=n_ctx, flash_attn=True)
    cpu_need = shape.weights_bytes + kv + cpu_compute + RUNTIME_OVERHEAD
    layers = 0
    vram = 0
    if gpu is not None:
        gpu_need = shape.weights_bytes + kv + gpu_compute
        room = gpu.free_bytes - GPU_MARGIN
        if forced_layers is not None:
            layers = forced_layers
        elif gpu_need <= room:
            layers = -1
        elif shape.n_layers:
            per_layer = (shape.weights_bytes + kv) / shape.n_layers
            layers = max(0, int((room - gpu_compute) // per_layer))
            layers = min(layers, shape.n_layers - 1)
        share = 1.0 if layers == -1 else layers / max(shape.n_layers, 1)
        on_gpu = int((shape.weights_bytes + kv) * share)
        vram = on_gpu + (gpu_compute if layers else 0)
        if layers:
            # flash attention on: the CPU's part keeps at most its half of the logits
            cpu_need = shape.weights_bytes + kv + RUNTIME_OVERHEAD - on_gpu
            cpu_need += 0 if layers == -1 else shape.compute_bytes(gpu=False)
    elif forced_layers is not None:
        layers = forced_layers
    fits = (ram == 0 or cpu_need <= ram) and (gpu is None or layers == 0 or vram <= gpu.free_bytes)
    flash = gpu is not None and layers != 0
    return FitEstimate(
        n_ctx,
        layers,
        shape.weights_bytes,
        kv,
        gpu_compute if flash else cpu_compute,
        gpu,
        cpu_need,
        vram,
        fits,
        flash,
    )


def estimate_for_entry(entry: dict[str, Any], gpu: Gpu | None) -> FitEstimate:
    """The fit of a catalogue model before it is downloaded, at the context length the engine
    will start from for it (its ``n_ctx``; none: its trained context)."""
    return estimate(
        ModelShape.from_catalogue(entry), default_ctx=int(entry.get("n_ctx") or 0) or None, gpu=gpu
    )
