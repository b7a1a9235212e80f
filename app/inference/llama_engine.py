"""The llama.cpp engine (llama-cpp-python): one long-lived ``Llama`` object per model.

Every request runs in two phases on token ids:
1. reasoning, free: gpt-oss writes its analysis channel; other models a short free answer;
2. the verdict, under a JSON-schema grammar: the final message always parses.
Phase 2's prompt extends phase 1's, so llama.cpp re-uses the evaluated prefix and pays only for
the new tokens. The grammar is not applied from the first token because it would forbid the
analysis channel, and it never names an end-of-generation token (that aborts llama.cpp): the
JSON closes, then generation stops on the model's own stop token.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import llama_cpp
from llama_cpp import Llama
from llama_cpp.llama_grammar import LlamaGrammar

from app.core.engine import (
    DEFAULT_SEED,
    DEFAULT_TEMPERATURE,
    EngineInfo,
    EngineResult,
    JudgeRequest,
    TokenBudget,
    TokenCallback,
)
from app.core.errors import ModelUnavailable, PromptTooLong
from app.core.progress import CancelToken
from app.core.types import Effort
from app.inference import harmony, llama_log
from app.inference.chat_template import ChatTemplate, Message

log = logging.getLogger(__name__)

# Reasoning tokens allowed per effort. gpt-oss decides how long it thinks; this is a ceiling
# against runaway generation. Plain chat models do not reason, so they get a short free answer.
HARMONY_REASONING = {"low": 1024, "medium": 4096, "high": 8192}
CHAT_REASONING = {"low": 24, "medium": 48, "high": 96}
FINAL_QUESTION = "Now give the final verdict: the JSON object only, as instructed."


@dataclass(frozen=True)
class LlamaSettings:
    model_path: Path
    name: str
    file_sha256: str
    n_ctx: int = 8192
    n_gpu_layers: int = 0
    n_threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    seed: int = DEFAULT_SEED
    temperature: float = DEFAULT_TEMPERATURE
    top_p: float = 0.95  # nucleus sampling; gpt-oss's publishers advise 1.0 (engine config)
    top_k: int = 40  # 0: off
    min_p: float = 0.05  # 0.0: off
    answer_tokens: int = 1024
    chat_format: str | None = None  # for models without a template in the file
    reasoning_tokens: dict[str, int] | None = None  # per effort; None: by model kind
    # Flash attention: without it llama.cpp reserves n_ctx × n_ubatch × heads × 4 bytes for
    # attention scores (measured: 1 GiB at 8k for gpt-oss's 64 heads), which caps gpt-oss near
    # 16k on a 16 GB card. The engine config turns it on when layers run on a GPU.
    flash_attn: bool = False
    note: str = ""  # what the user must be told about the model (for reports)


@dataclass
class _Generation:
    tokens: list[int]
    evaluated: int
    stop: int | None  # the token that ended it; None when the budget ran out


class LlamaCppEngine:
    def __init__(self, settings: LlamaSettings) -> None:
        self.settings = settings
        llama_log.install()
        try:
            self._llama = Llama(
                model_path=str(settings.model_path),
                n_ctx=settings.n_ctx,
                n_gpu_layers=settings.n_gpu_layers,
                n_threads=settings.n_threads,
                seed=settings.seed,
                swa_full=True,  # sliding-window layers keep every position: prefix reuse is safe
                flash_attn=settings.flash_attn,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as error:
            raise ModelUnavailable(
                f"cannot load the model file ({error})", path=settings.model_path
            ) from None
        # The harmony path needs gpt-oss *and* its vocabulary: the control tokens at their ids.
        gpt_oss = self._llama.metadata.get("general.architecture") == "gpt-oss"
        channel = self._llama.tokenize(b"<|channel|>", add_bos=False, special=True)
        self.harmony = gpt_oss and channel == [harmony.CHANNEL]
        self._template = None if self.harmony else ChatTemplate(self._llama, settings.chat_format)
        self._lock = threading.Lock()  # one Llama context: one request at a time

    @property
    def info(self) -> EngineInfo:
        s = self.settings
        return EngineInfo(
            s.name, s.file_sha256, "llama.cpp", s.n_ctx, s.seed, s.temperature,
            top_p=s.top_p, top_k=s.top_k, min_p=s.min_p, budget=self.budget, note=s.note,
        )  # fmt: skip

    @property
    def budget(self) -> TokenBudget:
        """Reasoning per effort (by model kind unless the settings name it), the answer, and
        the tokens phase 2 adds (harmony's channel header; a chat template's follow-up turn)."""
        table = self.settings.reasoning_tokens or (
            HARMONY_REASONING if self.harmony else CHAT_REASONING
        )
        return TokenBudget(
            table["low"], table["medium"], table["high"], self.settings.answer_tokens,
            16 if self.harmony else 64,
        )  # fmt: skip

    def close(self) -> None:
        with self._lock:
            self._llama.close()

    # -- prompts -------------------------------------------------------------------------------
    def prompt_ids(self, request: JudgeRequest) -> list[int]:
        if self.harmony:
            return harmony.render_prompt(request)
        assert self._template is not None
        return self._template.render(self._chat_messages(request))

    def _chat_messages(self, request: JudgeRequest) -> list[Message]:
        """System + policy first (shared by every request with this policy, so it is cached),
        folded into the user turn for templates that drop system messages."""
        assert self._template is not None
        system = f"Reasoning effort: {request.effort}.\n\n{request.policy_text}"
        if self._template.keeps_system:
            return [("system", [system]), ("user", [request.content])]
        return [("user", [system, "\n\n", request.content])]

    def count_tokens(self, request: JudgeRequest) -> int:
        return len(self.prompt_ids(request))

    def forget_cache(self) -> None:
        """Start the next request from an empty context (benchmarks: the naive baseline)."""
        with self._lock:
            self._llama.n_tokens = 0  # what Llama.reset() does (untyped there)

    def timed_generation(self, prompt: list[int], max_tokens: int) -> tuple[int, float]:
        """Evaluate ``prompt`` from an empty context and generate up to ``max_tokens`` through
        our token loop (cancel checks, end-of-generation checks, callbacks). Returns (tokens
        processed, seconds): what the benchmark compares with bare llama-cpp-python."""
        with self._lock:
            self._llama.n_tokens = 0  # what Llama.reset() does (untyped there)
            started = time.perf_counter()
            generation = self._generate(prompt, max_tokens, None, CancelToken(), lambda t: False)
            return len(prompt) + len(generation.tokens), time.perf_counter() - started

    @property
    def llama(self) -> Llama:
        """The llama-cpp-python object (benchmarks compare against it directly)."""
        return self._llama

    # -- judging -------------------------------------------------------------------------------
    def judge(
        self, request: JudgeRequest, cancel: CancelToken, on_text: TokenCallback | None = None
    ) -> EngineResult:
        with self._lock:
            if self.harmony:
                return self._judge_harmony(request, cancel, on_text)
            return self._judge_chat(request, cancel, on_text)

    def _judge_harmony(
        self, request: JudgeRequest, cancel: CancelToken, on_text: TokenCallback | None
    ) -> EngineResult:
        prompt = harmony.render_prompt(request)
        budget, wanted = self._reasoning_budget(request.effort, len(prompt))
        tracker = harmony.ChannelTracker()
        analysis_parts: list[str] = []

        def watch(token: int) -> bool:
            text = tracker.feed(token)
            if tracker.channel == "analysis" and text:
                analysis_parts.append(text)
                if on_text:
                    on_text("analysis", text)
            # Stop at the end of the analysis message, or as soon as the model opens any other
            # channel: the final message is always written in phase 2, under the grammar.
            return token in (harmony.END, harmony.START) or (
                tracker.channel not in (None, "analysis")
            )

        first = self._generate(prompt, budget, None, cancel, watch)
        notes = []
        if first.stop is None and budget < wanted:
            notes.append(
                f"reasoning stopped at {budget} tokens: the context left room for {budget} of "
                f"the {wanted} {request.effort} effort allows"
            )
        elif first.stop is None:
            notes.append(
                f"reasoning stopped at the {budget}-token budget of {request.effort} effort"
            )
        if analysis_parts:
            kept = _through_analysis(first.tokens)
            second_prompt = (
                prompt + kept + [harmony.END] + harmony.header("final", new_message=True)
            )
        else:
            kept = []
            second_prompt = prompt + harmony.header("final", new_message=False)
        final = self._final(second_prompt, request, cancel, on_text)
        return EngineResult(
            analysis="".join(analysis_parts),
            final=harmony.decode(final.tokens),
            prompt_tokens=len(prompt),
            completion_tokens=len(first.tokens) + len(final.tokens),
            prompt_tokens_evaluated=first.evaluated + final.evaluated,
            notes=tuple(notes),
        )

    def _judge_chat(
        self, request: JudgeRequest, cancel: CancelToken, on_text: TokenCallback | None
    ) -> EngineResult:
        assert self._template is not None
        prompt = self.prompt_ids(request)
        budget, _ = self._reasoning_budget(request.effort, len(prompt))

        def stream(token: int) -> bool:
            if on_text:
                on_text("analysis", self._piece(token))
            return False

        first = self._generate(prompt, budget, None, cancel, stream)
        second_prompt = self._template.render(
            [
                *self._chat_messages(request),
                ("assistant", [first.tokens]),
                ("user", [FINAL_QUESTION]),
            ]
        )
        final = self._final(second_prompt, request, cancel, on_text)
        return EngineResult(
            analysis=self._text(first.tokens),
            final=self._text(final.tokens),
            prompt_tokens=len(prompt),
            completion_tokens=len(first.tokens) + len(final.tokens),
            prompt_tokens_evaluated=first.evaluated + final.evaluated,
        )

    def _final(
        self,
        prompt: list[int],
        request: JudgeRequest,
        cancel: CancelToken,
        on_text: TokenCallback | None,
    ) -> _Generation:
        grammar = LlamaGrammar.from_json_schema(json.dumps(request.schema), verbose=False)
        room = self.settings.n_ctx - len(prompt)
        if room < 64:
            raise PromptTooLong(
                f"no room left for the verdict in the {self.settings.n_ctx}-token context"
            )

        def stream(token: int) -> bool:
            if on_text:
                on_text("final", self._piece(token))
            return False

        return self._generate(
            prompt, min(self.settings.answer_tokens, room), grammar, cancel, stream
        )

    def _reasoning_budget(self, effort: Effort, prompt_len: int) -> tuple[int, int]:
        """(the reasoning tokens this request gets, those its effort allows)."""
        budget = self.budget
        wanted = budget.reasoning(effort)
        room = self.settings.n_ctx - prompt_len - budget.answer - budget.overhead
        if room <= 0:
            raise PromptTooLong(
                f"the prompt takes {prompt_len} tokens; with {self.settings.answer_tokens} for "
                f"the answer it does not fit the {self.settings.n_ctx}-token context"
            )
        return max(0, min(wanted, room)), wanted

    # -- the token loop ------------------------------------------------------------------------
    def _generate(
        self,
        prompt: list[int],
        max_tokens: int,
        grammar: LlamaGrammar | None,
        cancel: CancelToken,
        stop_after: Callable[[int], bool],
    ) -> _Generation:
        cancel.raise_if_cancelled()
        if max_tokens <= 0:
            return _Generation([], 0, None)
        cached = self._common_prefix(prompt)
        evaluated = len(prompt) - min(cached, len(prompt) - 1)
        if cached < len(prompt) - 1:
            # Evaluate all but the last token here, so that the last one is always decoded on
            # its own, as llama-cpp-python does when the whole prompt is already cached: the
            # logits then do not depend on the cache, and a cached run repeats a fresh one.
            self._llama.n_tokens = cached
            self._llama.eval(prompt[cached:-1])
        s = self.settings
        self._llama.set_seed(s.seed)
        tokens: list[int] = []
        vocab = self._llama._model.vocab
        for token in self._llama.generate(
            prompt,
            temp=s.temperature,
            top_k=s.top_k,
            top_p=s.top_p,
            min_p=s.min_p,
            repeat_penalty=1.0,
            grammar=grammar,
        ):
            cancel.raise_if_cancelled()
            if llama_cpp.llama_vocab_is_eog(vocab, token):
                return _Generation(tokens, evaluated, token)
            tokens.append(token)
            if stop_after(token):
                return _Generation(tokens, evaluated, token)
            if len(tokens) >= max_tokens:
                break
        return _Generation(tokens, evaluated, None)

    def _common_prefix(self, prompt: list[int]) -> int:
        """How many leading prompt tokens are already evaluated in the context."""
        cached = self._llama._input_ids[: self._llama.n_tokens]
        same = 0
        for a, b in zip(cached, prompt, strict=False):
            if a != b:
                break
            same += 1
        return same

    def _piece(self, token: int) -> str:
        return self._text([token])

    def _text(self, tokens: list[int]) -> str:
        return bytes(self._llama.detokenize(tokens)).decode("utf-8", errors="replace")


def _through_analysis(tokens: list[int]) -> list[int]:
    """Phase 1's tokens up to, not including, the token that ended the analysis message."""
    for index, token in enumerate(tokens):
        if token in (harmony.END, harmony.START) or (index > 0 and token == harmony.CHANNEL):
            return tokens[:index]
    return tokens
