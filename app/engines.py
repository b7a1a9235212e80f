"""Load the llama.cpp engine for a model with the fit estimate deciding what the user left on
auto. Shared by the CLI and the desktop app (llama.cpp itself is imported only when called)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from app.core.engine import Engine
from app.models.catalogue import ModelRef
from app.models.fit import ModelShape, detect_gpu, estimate
from app.models.gguf_header import read_header
from app.models.installed import file_sha256


@dataclass(frozen=True)
class EngineOptions:
    n_ctx: int | None = None  # None: as large as fits
    gpu_layers: int = 0  # -1: all that fit
    threads: int = os.cpu_count() or 1
    seed: int = 42
    temperature: float = 0.2


def load_engine(
    model: ModelRef, options: EngineOptions, report: Callable[[str], None] = lambda line: None
) -> Engine:
    from app.inference.llama_engine import LlamaCppEngine

    return LlamaCppEngine(llama_settings(model, options, report))


def llama_settings(
    model: ModelRef, options: EngineOptions, report: Callable[[str], None] = lambda line: None
) -> Any:
    """The llama.cpp settings for this model on this machine (``LlamaSettings``)."""
    from app.inference.llama_engine import LlamaSettings

    # Checks never talk to the hub: everything they need is on disk.
    os.environ["HF_HUB_OFFLINE"] = "1"
    shape = ModelShape.from_gguf(read_header(model.path))
    fit = estimate(
        shape,
        n_ctx=options.n_ctx,
        default_ctx=model.n_ctx,
        gpu=detect_gpu(),
        n_gpu_layers=options.gpu_layers,
    )
    report(f"{model.name}: {fit.summary()}")
    return LlamaSettings(
        model_path=model.path,
        name=model.name,
        file_sha256=file_sha256(model.path),
        n_ctx=fit.n_ctx,
        n_gpu_layers=fit.n_gpu_layers,
        n_threads=options.threads,
        seed=options.seed,
        temperature=options.temperature,
        chat_format=model.chat_format,
    )


def server_engine(
    url: str, name: str, n_ctx: int | None, seed: int = 42, temperature: float = 0.2
) -> Engine:
    from app.inference.server_engine import ServerEngine, ServerSettings
    from app.secrets import SERVER_KEY, get_secret

    settings = ServerSettings(
        url, name, api_key=get_secret(SERVER_KEY) or "", seed=seed, temperature=temperature
    )
    return ServerEngine(replace(settings, n_ctx=n_ctx) if n_ctx else settings)
