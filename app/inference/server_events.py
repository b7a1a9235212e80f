"""Reading a chat-completions server's answer: whole (non-streamed) bodies, the message parts of
streamed deltas, whole messages and Ollama's native events, why it stopped, token counts. Pure
functions of the JSON, shared by the server engine's streaming and non-streaming paths."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from app.core.errors import EngineError

MAX_BODY = 16 * 2**20  # a whole (non-streamed) answer is read up to this size


def whole_events(body: bytes) -> Iterator[dict[str, Any]]:
    if len(body) > MAX_BODY:
        raise EngineError(f"the server's answer is larger than {MAX_BODY // 2**20} MB")
    try:
        data = json.loads(body)
    except ValueError:
        raise EngineError("the server's answer is not JSON") from None
    if isinstance(data, dict):
        yield data


def message_parts(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The message parts of one event: streamed deltas, whole messages (a non-streamed answer),
    or Ollama's native ``message``."""
    found = []
    for choice in event.get("choices") or []:
        if isinstance(choice, dict):
            part = choice.get("delta") or choice.get("message")
            if isinstance(part, dict):
                found.append(part)
    if isinstance(event.get("message"), dict):
        found.append(event["message"])
    return found


def finish_reason(event: dict[str, Any]) -> str:
    """Why the server stopped ("length": at max_tokens), from OpenAI's ``finish_reason`` or
    Ollama's ``done_reason``; "" while it goes on."""
    for choice in event.get("choices") or []:
        if isinstance(choice, dict) and isinstance(choice.get("finish_reason"), str):
            return str(choice["finish_reason"])
    reason = event.get("done_reason")
    return reason if isinstance(reason, str) else ""


def text_of(value: object) -> str:
    return value if isinstance(value, str) else ""


def add_usage(event: dict[str, Any], reply: Reply) -> None:
    usage = event.get("usage") or {}
    if usage:
        reply.prompt_tokens = int(usage.get("prompt_tokens") or 0)
        reply.completion_tokens = int(usage.get("completion_tokens") or 0)
    elif event.get("done") and "eval_count" in event:  # Ollama's native API
        reply.prompt_tokens = int(event.get("prompt_eval_count") or 0)
        reply.completion_tokens = int(event.get("eval_count") or 0)


@dataclass
class Reply:
    content: str = ""
    reasoning: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    chunks: int = 0  # streamed pieces with text: about one token each
    finish: str = ""  # the server's finish_reason ("length": cut at max_tokens)
