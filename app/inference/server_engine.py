"""An engine for an on-prem OpenAI-compatible server (vLLM, llama.cpp's server, Ollama,
``python -m llama_cpp.server``): for teams that run the 120b model on a shared GPU machine.

Same two phases as the local engine: the model reasons freely first (the reasoning is kept when
the server returns it, or the first answer otherwise), then writes the verdict under the
server's structured output (``json_schema``; servers that only know llama-cpp-python's
``json_object`` + schema form get that after a 4xx).

Servers name the reasoning differently: ``reasoning`` (vLLM since late 2025), ``reasoning_content``
(llama.cpp's server, older vLLM), ``thinking`` (Ollama's native API); all three are read, from
streamed deltas and from whole (non-streamed) messages alike. The reasoning effort is passed as
``reasoning_effort``, in ``chat_template_kwargs`` (llama.cpp's server hands it to gpt-oss's
template there) and in the system message. An empty final answer is no verdict: gpt-oss behind
some servers with structured output writes nothing there, and the pipeline then reports the
policy as indeterminate rather than read anything else as the answer.

Responses are streamed; Cancel stops between chunks and wakes a request still waiting for the
server (its socket is shut down). Several documents may be judged at once on one engine (a
batch with ``--parallel``): nothing here is per request but the structured-output form. A busy
server (429/503) or a dropped connection is retried with backoff (``server_http``); a stream
that ends without its end marker was dropped, never a short answer. The API key comes from the
keyring and goes only to the configured server.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from app.core.engine import (
    DEFAULT_SEED,
    DEFAULT_TEMPERATURE,
    EngineInfo,
    EngineResult,
    JudgeRequest,
    TokenBudget,
    TokenCallback,
)
from app.core.errors import Cancelled, EngineError, ModelUnavailable, PromptTooLong, ServerFault
from app.core.progress import CancelToken
from app.core.settings import check_server_url
from app.inference.server_events import (
    MAX_BODY,
    Reply,
    add_usage,
    finish_reason,
    message_parts,
    text_of,
    whole_events,
)
from app.inference.server_http import (
    Retryable,
    RetryPolicy,
    TimedOut,
    get_json_field,
    post,
    stream_events,
)

log = logging.getLogger(__name__)
FINAL_QUESTION = (
    "Now give your verdict as the JSON object described in the instructions, and nothing else."
)
REASONING_TOKENS = {"low": 512, "medium": 1024, "high": 2048}
REASONING_FIELDS = ("reasoning_content", "reasoning", "thinking")
EMPTY_FINAL = (
    "the server returned an empty final answer (no verdict; a known failure of gpt-oss behind "
    "some servers with structured output)"
)


@dataclass(frozen=True)
class ServerSettings:
    base_url: str  # e.g. http://gpu-server.internal:8000 (with or without /v1)
    model: str  # the model name the server knows
    api_key: str = ""
    n_ctx: int = 32768
    timeout_s: float = 600.0
    answer_tokens: int = 1024
    seed: int = DEFAULT_SEED
    temperature: float = DEFAULT_TEMPERATURE
    top_p: float | None = None  # None: not sent (the server's own default)
    reasoning_tokens: dict[str, int] | None = None  # per effort; None: REASONING_TOKENS
    retry: RetryPolicy = field(default_factory=RetryPolicy)


class ServerEngine:
    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        base = check_server_url(settings.base_url).rstrip("/")  # never file:// or ftp://
        self._api = base if base.endswith("/v1") else f"{base}/v1"
        self._format = "json_schema"  # becomes "json_object" for llama-cpp-python's server
        # Once the server has answered, a refused connection means it went down (or restarts):
        # worth retrying. Before that it means a wrong address: said at once.
        self._reached = False
        self._rng = random.Random()

    @property
    def info(self) -> EngineInfo:
        identity = f"{self._api}|{self.settings.model}".encode()
        return EngineInfo(
            name=self.settings.model,
            file_sha256=hashlib.sha256(identity).hexdigest(),  # no file here: the endpoint
            engine=f"openai-compatible server {self._api}",
            n_ctx=self.settings.n_ctx,
            seed=self.settings.seed,
            temperature=self.settings.temperature,
            top_p=self.settings.top_p,
            budget=self.budget,
        )

    @property
    def budget(self) -> TokenBudget:
        """The first call's tokens per effort, the verdict's, and room for the follow-up turn
        (the prompt is counted with our vocabulary, an estimate for the server's)."""
        table = self.settings.reasoning_tokens or REASONING_TOKENS
        return TokenBudget(
            table["low"], table["medium"], table["high"], self.settings.answer_tokens, 64
        )

    def close(self) -> None:
        pass  # one HTTP connection per request: nothing held between them

    def slots(self) -> int | None:
        """How many requests the server runs at once, where it says: llama.cpp's server's
        ``GET /props`` ``total_slots``. None when it does not (vLLM does not expose its
        ``max_num_seqs``)."""
        root = self._api[: -len("/v1")]
        value = get_json_field(f"{root}/props", self.settings.api_key, 10.0, "total_slots")
        return (
            value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
        )

    def count_tokens(self, request: JudgeRequest) -> int:
        """With the o200k vocabulary (gpt-oss's own; an estimate for other models) plus room
        for the chat template's markers."""
        from app.inference.harmony import count_text_tokens

        return count_text_tokens(f"{request.policy_text}\n{request.content}") + 64

    def judge(
        self, request: JudgeRequest, cancel: CancelToken, on_text: TokenCallback | None = None
    ) -> EngineResult:
        prompt_tokens = self.count_tokens(request)
        room = self.settings.n_ctx - prompt_tokens - self.settings.answer_tokens
        if room <= 0:
            raise PromptTooLong(
                f"the prompt takes about {prompt_tokens} tokens; it does not fit the server's "
                f"{self.settings.n_ctx}-token context with room for the answer"
            )
        messages = [
            {
                "role": "system",
                "content": f"Reasoning effort: {request.effort}.\n\n{request.policy_text}",
            },
            {"role": "user", "content": request.content},
        ]
        budget = min((self.settings.reasoning_tokens or REASONING_TOKENS)[request.effort], room)
        first = self._stream(messages, budget, request.effort, None, cancel, on_text, "analysis")
        analysis = first.reasoning or first.content
        follow_up = [
            *messages,
            {"role": "assistant", "content": first.content or first.reasoning},
            {"role": "user", "content": FINAL_QUESTION},
        ]
        final = self._final(follow_up, request, cancel, on_text)
        notes = [] if final.content.strip() else [EMPTY_FINAL]
        if first.finish == "length":  # the server cut the first answer at max_tokens
            notes.insert(
                0, f"reasoning stopped at the {budget}-token budget of {request.effort} effort"
            )
        if final.reasoning:  # reasoning the server kept apart while it wrote the verdict
            analysis = f"{analysis}\n\n{final.reasoning}" if analysis else final.reasoning
        # Servers that send no usage figures (llama-cpp-python's) get our own: the estimate for
        # the prompt, one token per streamed chunk; what the server took from its cache is
        # unknown, so all prompt tokens count as evaluated.
        first_prompt = first.prompt_tokens or prompt_tokens
        final_prompt = final.prompt_tokens or prompt_tokens + (
            first.completion_tokens or first.chunks
        )
        return EngineResult(
            analysis=analysis,
            final=final.content,
            prompt_tokens=first_prompt,
            completion_tokens=(first.completion_tokens or first.chunks)
            + (final.completion_tokens or final.chunks),
            prompt_tokens_evaluated=first_prompt + final_prompt,
            notes=tuple(notes),
        )

    def _final(
        self,
        messages: list[dict[str, str]],
        request: JudgeRequest,
        cancel: CancelToken,
        on_text: TokenCallback | None,
    ) -> Reply:
        for _attempt in range(2):
            try:
                return self._stream(
                    messages, self.settings.answer_tokens, request.effort,
                    self._response_format(request.schema), cancel, on_text, "final",
                )  # fmt: skip
            except _Rejected:
                if self._format == "json_object":
                    raise EngineError("the server refused structured output") from None
                log.info("server refused json_schema; using json_object with a schema")
                self._format = "json_object"
        raise EngineError("the server refused structured output")

    def _response_format(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self._format == "json_schema":
            return {
                "type": "json_schema",
                "json_schema": {"name": "verdict", "schema": schema, "strict": True},
            }
        return {"type": "json_object", "schema": schema}

    def _stream(
        self,
        messages: list[dict[str, str]],
        max_tokens: int,
        effort: str,
        response_format: dict[str, Any] | None,
        cancel: CancelToken,
        on_text: TokenCallback | None,
        channel: str,
    ) -> Reply:
        body: dict[str, Any] = {
            "model": self.settings.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": self.settings.temperature,
            "seed": self.settings.seed,
            "stream": True,
            "stream_options": {"include_usage": True},
            "reasoning_effort": effort,
            "chat_template_kwargs": {"reasoning_effort": effort},
        }
        if self.settings.top_p is not None:
            body["top_p"] = self.settings.top_p
        if response_format is not None:
            body["response_format"] = response_format
        started = time.monotonic()
        retry = self.settings.retry
        for attempt in range(retry.attempts):
            try:
                return self._attempt(body, cancel, on_text, channel)
            except Retryable as fault:
                self._reached = self._reached or not fault.refused  # it did answer (503...)
                if fault.refused and not self._reached:
                    raise self._unreachable(fault.reason) from None
                if attempt + 1 == retry.attempts:
                    raise self._gave_up(fault, attempt + 1, time.monotonic() - started) from None
                wait = retry.delay(attempt, fault.retry_after, self._rng)
                log.warning("server %s: %s; try %d in %.1f s", self._api, fault.reason,
                            attempt + 2, wait)  # fmt: skip
                if cancel.wait(wait):
                    raise Cancelled("cancelled by the user") from None
            except TimedOut as fault:
                raise ServerFault(f"the server {self._api} did not answer: {fault}") from None
        raise AssertionError("unreachable: the last try raises")

    def _unreachable(self, reason: str) -> ModelUnavailable:
        return ModelUnavailable(
            f"cannot reach the server {self._api} ({reason}); check the address in Settings "
            "and that the server is running"
        )

    def _gave_up(
        self, fault: Retryable, tries: int, seconds: float
    ) -> ModelUnavailable | ServerFault:
        if fault.refused:  # it answered before and is gone now: stop, the rest stays queued
            return ModelUnavailable(
                f"the server {self._api} stopped answering ({fault.reason}, {tries} tries over "
                f"{seconds:.0f} s); run the same command again when it is back"
            )
        return ServerFault(
            f"the server {self._api} kept failing ({fault.reason}; {tries} tries over "
            f"{seconds:.0f} s)"
        )

    def _attempt(
        self,
        body: dict[str, Any],
        cancel: CancelToken,
        on_text: TokenCallback | None,
        channel: str,
    ) -> Reply:
        reply = Reply()
        for event in self._events(body, cancel):
            add_usage(event, reply)
            reply.finish = finish_reason(event) or reply.finish
            for message in message_parts(event):
                # the first field present: some servers send the same text under two names
                thinking = next(
                    (t for key in REASONING_FIELDS if (t := text_of(message.get(key)))), ""
                )
                text = text_of(message.get("content"))
                if thinking or text:
                    reply.chunks += 1
                if thinking:
                    reply.reasoning += thinking
                    if on_text:
                        on_text("analysis", thinking)
                if text:
                    reply.content += text
                    if on_text:
                        on_text(channel, text)
        return reply

    def _events(self, body: dict[str, Any], cancel: CancelToken) -> Iterator[dict[str, Any]]:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self.settings.api_key:
            headers["Authorization"] = f"Bearer {self.settings.api_key}"
        cancel.raise_if_cancelled()
        url = f"{self._api}/chat/completions"
        data = json.dumps(body).encode()
        with post(url, data, headers, self.settings.timeout_s, cancel) as response:
            self._reached = True
            if response.status >= 400:
                self._refused(response.status, response.read(300), body)
            kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if kind == "application/json":  # the whole message at once, not a stream
                yield from whole_events(response.read(MAX_BODY + 1))
                return
            yield from stream_events(response, MAX_BODY, cancel)

    def _refused(self, status: int, detail_bytes: bytes, body: dict[str, Any]) -> None:
        detail = detail_bytes.decode("utf-8", errors="replace")
        refused_format = "response_format" in detail or (
            400 <= status < 500 and status not in (401, 403)
        )  # llama-cpp-python's server answers 500 to a response_format it does not know
        if "response_format" in body and refused_format:
            raise _Rejected(detail)
        if status in (401, 403):
            raise ModelUnavailable(
                f"the server {self._api} refused the API key (HTTP {status}); set it in Settings"
            )
        raise EngineError(f"the server {self._api} answered HTTP {status}: {detail}")


class _Rejected(Exception):
    """The server said 4xx to the request's structured-output form."""
