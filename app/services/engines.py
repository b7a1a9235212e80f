"""Which model a check uses and how its engine is loaded: the one place the CLI and the desktop
app both go through. ``EngineConfig`` holds every engine default once; the fit estimate decides
what the user left on auto. llama.cpp itself is imported only when an engine is loaded."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.core.engine import (
    CHAT_SAMPLING,
    DEFAULT_SEED,
    GPT_OSS_SAMPLING,
    Engine,
    EngineInfo,
    EngineResult,
    JudgeRequest,
    Sampling,
    TokenCallback,
)
from app.core.errors import EngineError, ModelUnavailable, UsageError
from app.core.progress import CancelToken
from app.core.settings import Settings
from app.models.catalogue import (
    DEFAULT_MODEL,
    SMOKE_MODEL,
    ModelRef,
    remote_model,
    resolve_model,
)
from app.models.fit import FitEstimate, Gpu, ModelShape, detect_gpu, estimate
from app.models.gguf_header import GgufInfo, read_header
from app.models.identify import Identity, identify
from app.models.installed import file_sha256, list_installed

Report = Callable[[str], None]
log = logging.getLogger(__name__)


def _to_log(line: str) -> None:
    """Where a load's report goes when no one prints it (the app): its log file."""
    log.info("%s", line)


@dataclass(frozen=True)
class EngineConfig:
    """How to run the model. Settings give the user's defaults; a command-line flag overrides
    one field (``dataclasses.replace``)."""

    n_ctx: int | None = None  # None: as large as fits, from the model's trained context down
    gpu_layers: int | None = None  # None: as many as fit (fit estimate); -1: all; N: N layers
    threads: int = 0  # 0: every core
    seed: int = DEFAULT_SEED  # fixed: a check can be replayed
    # Sampling: None takes the model's own (GPT_OSS_SAMPLING for gpt-oss, as its publishers
    # advise; CHAT_SAMPLING for other models, the smoke model's as measured); a value, from a
    # flag or a replayed report, overrides.
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    min_p: float | None = None
    server_url: str = ""  # an on-prem OpenAI-compatible server instead of llama.cpp ("": local)

    @classmethod
    def from_settings(cls, settings: Settings) -> EngineConfig:
        return cls(
            n_ctx=settings.context_length or None,
            gpu_layers=None if settings.gpu_layers == -1 else settings.gpu_layers,
            threads=settings.threads,
            server_url=settings.server_url,
        )

    @property
    def thread_count(self) -> int:
        return self.threads or os.cpu_count() or 1

    def sampling(self, gpt_oss: bool) -> Sampling:
        """The model's sampling defaults with what the user set on top."""
        base = GPT_OSS_SAMPLING if gpt_oss else CHAT_SAMPLING
        return Sampling(
            base.temperature if self.temperature is None else self.temperature,
            base.top_p if self.top_p is None else self.top_p,
            base.top_k if self.top_k is None else self.top_k,
            base.min_p if self.min_p is None else self.min_p,
        )


@dataclass(frozen=True)
class ModelChoice:
    """What the user asked for; ``choose_model`` turns it into a model."""

    model: str | None = None  # a catalogue name, an installed name or a GGUF path
    server_model: str = ""  # the model's name on the server (with a server URL)
    demo: bool = False  # the demo: the real model when installed, else the smoke model
    triage_only: bool = False  # screens only: no model at all


class NoModel:
    """The engine of a "triage only" check: screens decide, no model is loaded or asked."""

    info = EngineInfo("triage only (no model)", "0" * 64, "none", 0, 0, 0.0)

    def count_tokens(self, request: JudgeRequest) -> int:
        return 0

    def close(self) -> None:
        pass

    def judge(
        self, request: JudgeRequest, cancel: CancelToken, on_text: TokenCallback | None = None
    ) -> EngineResult:
        raise EngineError("triage only: there is no model to ask")


NO_MODEL = ModelRef(NoModel.info.name, Path(), False, 0, None)


@dataclass(frozen=True)
class ChosenModel:
    ref: ModelRef
    note: str = ""  # said to the user, e.g. that the demo fell back to the smoke model


def choose_model(choice: ModelChoice, settings: Settings, config: EngineConfig) -> ChosenModel:
    """In order: triage only (no model); a server; the model asked for; for the demo the real
    model else the smoke model; the model in Settings; the default model; any installed gpt-oss
    model (a gemma file is used only when asked for by name: it can only run smoke checks).
    Raises ModelUnavailable (exit 3) with the next step when there is none."""
    if choice.triage_only:
        return ChosenModel(NO_MODEL)
    if config.server_url and choice.model is None:
        name = choice.server_model or settings.server_model
        if not name:
            raise UsageError("--server needs --server-model NAME (the model's name there)")
        return ChosenModel(remote_model(name))
    if choice.model:
        return ChosenModel(resolve_model(choice.model))
    if choice.demo:
        try:
            return ChosenModel(resolve_model(DEFAULT_MODEL))
        except ModelUnavailable:
            return ChosenModel(
                resolve_model(SMOKE_MODEL),
                f"{DEFAULT_MODEL} is not installed; the demo uses the smoke-test model "
                f"{SMOKE_MODEL}, whose verdicts are meaningless",
            )
    if settings.model:
        return ChosenModel(resolve_model(settings.model))
    try:
        return ChosenModel(resolve_model(DEFAULT_MODEL))
    except ModelUnavailable:
        for item in list_installed(real_only=True):
            ref = resolve_model(item.name)
            said = f"{DEFAULT_MODEL} is not installed; using {item.name}"
            return ChosenModel(ref, f"{said} ({ref.note})" if ref.note else said)
        raise


def load_engine(model: ModelRef, config: EngineConfig, report: Report = _to_log) -> Engine:
    """The engine for ``model``: the on-prem server's when the config names one, else llama.cpp
    with the fit estimate's settings."""
    if config.server_url:
        return server_engine(config, model.name)
    from app.inference.llama_engine import LlamaCppEngine

    return LlamaCppEngine(llama_settings(model, config, report))


def llama_settings(model: ModelRef, config: EngineConfig, report: Report = _to_log) -> Any:
    """The llama.cpp settings for this model on this machine (``LlamaSettings``). The file's
    header says what it is: a file that is not gpt-oss is named as such (it can only run smoke
    checks) and gets plain-chat sampling; gpt-oss gets its publishers' sampling."""
    from app.inference.llama_engine import LlamaSettings

    # Checks never talk to the hub: everything they need is on disk.
    os.environ["HF_HUB_OFFLINE"] = "1"
    info = read_header(model.path)
    trained = info.context_length
    if config.n_ctx and trained and config.n_ctx > trained:
        raise UsageError(
            f"a context of {config.n_ctx} tokens (--n-ctx, or Settings' context length) is more "
            f"than {model.name} was trained for ({trained} tokens, from its GGUF header): use "
            f"{trained} or less"
        )
    identity = model.identity or identify(info, model.name)
    note = model_note(model, identity)
    if note:
        report(f"{model.name}: {note}")
    fit = fit_for(model, config, detect_gpu(), info)
    report(f"{model.name}: {fit.summary()}")
    sampling = config.sampling(identity.real)
    return LlamaSettings(
        model_path=model.path,
        name=model.name,
        file_sha256=file_sha256(model.path),
        n_ctx=fit.n_ctx,
        n_gpu_layers=fit.n_gpu_layers,
        n_threads=config.thread_count,
        seed=config.seed,
        temperature=sampling.temperature,
        top_p=sampling.top_p,
        top_k=sampling.top_k,
        min_p=sampling.min_p,
        chat_format=model.chat_format,
        flash_attn=fit.flash_attn,
        note=note,
    )


def fit_for(
    model: ModelRef, config: EngineConfig, gpu: Gpu | None, info: GgufInfo | None = None
) -> FitEstimate:
    """The context length and GPU layers a load of ``model`` will use on this machine: the
    user's choices kept, the rest as large as fits (the context from the model's trained
    length). ``model list`` and the model manager show the same figure."""
    return estimate(
        ModelShape.from_gguf(info or read_header(model.path)),
        n_ctx=config.n_ctx,
        default_ctx=model.n_ctx or None,
        gpu=gpu,
        n_gpu_layers=config.gpu_layers,
    )


def model_note(model: ModelRef, identity: Identity) -> str:
    """What every report and the log say about the model ("" for gpt-oss-safeguard). The smoke
    model has its own notice (SMOKE_NOTICE) on every report."""
    if model.smoke:
        return ""
    return model.note or identity.note


def server_engine(config: EngineConfig, model_name: str) -> Engine:
    from app.inference.server_engine import ServerEngine, ServerSettings
    from app.runtime.secrets import SERVER_KEY, get_secret

    sampling = config.sampling(gpt_oss=True)  # the server runs gpt-oss (the product's model)
    settings = ServerSettings(
        config.server_url,
        model_name,
        api_key=get_secret(SERVER_KEY) or "",
        seed=config.seed,
        temperature=sampling.temperature,
        top_p=sampling.top_p,
    )
    return ServerEngine(replace(settings, n_ctx=config.n_ctx) if config.n_ctx else settings)
