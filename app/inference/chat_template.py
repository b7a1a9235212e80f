"""Prompts for models that are not gpt-oss, through their own chat template, as token ids.

The template is rendered with placeholder slots instead of content; the template's own text is
tokenized with special tokens allowed, each content slot with special tokens *not* allowed, and
the ids are joined. Rendering the whole prompt as one string and tokenizing it with specials (what
``create_chat_completion`` does) would let a document's ``<end_of_turn>`` become a control token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from llama_cpp import Llama, llama_chat_format

from app.core.errors import ModelUnavailable

_SLOT = "\u2063SGDSLOT{}\u2063"  # invisible separator + a name no real content contains
_SLOT_RE = re.compile("\u2063SGDSLOT(\\d+)\u2063")

# A message's content is a list of pieces: text (tokenized as plain text) or ready token ids.
Piece = str | Sequence[int]
Message = tuple[str, list[Piece]]  # (role, pieces)


class ChatTemplate:
    def __init__(self, llama: Llama, chat_format: str | None) -> None:
        self._llama = llama
        self._format = _formatter(llama, chat_format)
        self._keeps_system: bool | None = None

    @property
    def keeps_system(self) -> bool:
        """Whether the template shows a system message (Gemma's drops it silently)."""
        if self._keeps_system is None:
            probe = self._format(
                [
                    {"role": "system", "content": _SLOT.format(0)},
                    {"role": "user", "content": _SLOT.format(1)},
                ]
            )
            self._keeps_system = _SLOT.format(0) in probe
        return self._keeps_system

    def render(self, messages: list[Message]) -> list[int]:
        """Token ids for the conversation followed by the assistant's generation prompt."""
        slots: list[list[Piece]] = []
        rendered_messages = []
        for role, pieces in messages:
            rendered_messages.append({"role": role, "content": _SLOT.format(len(slots))})
            slots.append(pieces)
        text = self._format(rendered_messages)
        ids: list[int] = []
        position = 0
        for match in _SLOT_RE.finditer(text):
            ids.extend(self._template_ids(text[position : match.start()], first=not ids))
            for piece in slots[int(match.group(1))]:
                ids.extend(self._content_ids(piece))
            position = match.end()
        ids.extend(self._template_ids(text[position:], first=not ids))
        return ids

    def _template_ids(self, text: str, *, first: bool) -> list[int]:
        if not text:
            return []
        ids = list(self._llama.tokenize(text.encode("utf-8"), add_bos=first, special=True))
        bos = self._llama.token_bos()
        if first and len(ids) > 1 and ids[0] == ids[1] == bos:
            ids = ids[1:]  # the template wrote its own BOS too
        return ids

    def _content_ids(self, piece: Piece) -> list[int]:
        if isinstance(piece, str):
            return list(self._llama.tokenize(piece.encode("utf-8"), add_bos=False, special=False))
        return list(piece)


def _formatter(llama: Llama, chat_format: str | None) -> Callable[[list[dict[str, Any]]], str]:
    if chat_format:
        function = getattr(llama_chat_format, f"format_{chat_format.replace('-', '_')}", None)
        if function is None:
            raise ModelUnavailable(f"unknown chat format '{chat_format}'")
        return lambda messages: str(function(messages=messages).prompt)
    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        raise ModelUnavailable(
            "the model file has no chat template; give its chat format (for example 'gemma')"
        )
    model = llama._model
    eos_id, bos_id = llama.token_eos(), llama.token_bos()
    jinja = llama_chat_format.Jinja2ChatFormatter(
        template=template,
        eos_token=model.token_get_text(eos_id) if eos_id != -1 else "",
        bos_token=model.token_get_text(bos_id) if bos_id != -1 else "",
    )
    return lambda messages: str(jinja(messages=messages).prompt)  # type: ignore[arg-type]
