"""What the pipeline needs from a reasoning engine. Implemented in app.inference."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from app.core.progress import CancelToken
from app.core.types import Effort

# Sampling defaults, once: every engine's settings and the engine config start from these.
# A fixed seed makes a check repeatable (``check --replay``).
DEFAULT_SEED = 42
DEFAULT_TEMPERATURE = 0.2


@dataclass(frozen=True)
class JudgeRequest:
    """The three parts of every request (harmony: system, developer, user)."""

    effort: Effort
    policy_text: str  # developer message: the policy with the output instructions
    content: str  # user message: the numbered passages
    schema: dict[str, Any]  # JSON schema the final message must satisfy


@dataclass(frozen=True)
class EngineResult:
    analysis: str  # the model's reasoning (chain of thought), kept for auditors
    final: str  # the final message, expected to be verdict JSON
    prompt_tokens: int  # tokens in the prompt(s)
    completion_tokens: int  # tokens generated
    prompt_tokens_evaluated: int = 0  # prompt tokens actually computed (the rest came from cache)
    notes: tuple[str, ...] = field(default=())  # e.g. "reasoning budget exhausted"


@dataclass(frozen=True)
class EngineInfo:
    name: str  # model name shown in reports
    file_sha256: str
    engine: str  # "llama.cpp", "scripted", ...
    n_ctx: int
    seed: int
    temperature: float
    # None: not set by us (a server's own default); top_p 1.0, top_k 0, min_p 0.0: no cut
    top_p: float | None = None
    top_k: int | None = None
    min_p: float | None = None


class TokenCallback(Protocol):
    def __call__(self, channel: str, text: str) -> None:
        """Streamed text as it is produced ('analysis' or 'final')."""


class Engine(Protocol):
    @property
    def info(self) -> EngineInfo: ...

    def count_tokens(self, request: JudgeRequest) -> int:
        """Prompt tokens this request would take (for planning, before any call)."""
        ...

    def judge(
        self,
        request: JudgeRequest,
        cancel: CancelToken,
        on_text: TokenCallback | None = None,
    ) -> EngineResult: ...

    def close(self) -> None:
        """Free what the engine holds (a llama.cpp context: memory, GPU). Called by whoever
        loaded it, when the work is done; left to the garbage collector at interpreter exit,
        llama-cpp-python prints a traceback."""
        ...
