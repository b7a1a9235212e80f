"""What the pipeline needs from a reasoning engine. Implemented in app.inference."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from app.core.progress import CancelToken
from app.core.types import Effort

# Sampling defaults, once: every engine's settings and the engine config start from these.
# A fixed seed makes a check repeatable (``check --replay``).
DEFAULT_SEED = 42
# The settings of a plain chat model (the smoke model): a low temperature keeps a 270M model on
# the answer format. gpt-oss runs as its publishers advise (GPT_OSS_SAMPLING).
DEFAULT_TEMPERATURE = 0.2


@dataclass(frozen=True)
class Sampling:
    """How the next token is drawn. top_p 1.0, top_k 0 and min_p 0.0 cut nothing."""

    temperature: float
    top_p: float
    top_k: int
    min_p: float


# gpt-oss as its publishers advise ("We recommend sampling with temperature=1.0 and top_p=1.0",
# the openai/gpt-oss README; Ollama's gpt-oss packages ship temperature 1 and top_p 1), with
# llama.cpp's own cuts (top_k 40, min_p 0.05) switched off, so the report's settings are the
# whole story. The seed stays fixed for replay.
GPT_OSS_SAMPLING = Sampling(temperature=1.0, top_p=1.0, top_k=0, min_p=0.0)
# Plain chat models (the smoke model), unchanged since the smoke tests were measured with them:
# at temperature 1.0 a 270M model leaves the answer format within a few tokens, and its checks
# only prove that the pipeline works.
CHAT_SAMPLING = Sampling(temperature=DEFAULT_TEMPERATURE, top_p=0.95, top_k=40, min_p=0.05)


@dataclass(frozen=True)
class TokenBudget:
    """What one request may generate: the reasoning per effort, then the answer, plus what the
    engine adds between the two (channel headers, a follow-up question). Window planning keeps
    ``reserve(effort)`` free in the context, so a packed window still leaves the model its full
    reasoning budget."""

    low: int
    medium: int
    high: int
    answer: int
    overhead: int = 16

    def reasoning(self, effort: Effort) -> int:
        return {"low": self.low, "medium": self.medium, "high": self.high}[effort]

    def reserve(self, effort: Effort) -> int:
        return self.reasoning(effort) + self.answer + self.overhead


NO_BUDGET = TokenBudget(0, 0, 0, 0, 0)  # an engine that generates nothing (triage only)


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
    # Tokens the engine generates per request (window planning reserves them); engines that
    # leave it at NO_BUDGET reserve nothing beyond the prompt.
    budget: TokenBudget = NO_BUDGET
    note: str = ""  # what the user must be told about the model (base model, not gpt-oss...)


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
