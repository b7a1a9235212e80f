"""Say what a GGUF file is, from its header alone: gpt-oss-safeguard, base gpt-oss, a gpt-oss we
cannot place, or another model that can only run smoke checks. Import, load, scan and the model
manager all ask here, so a file is described the same way everywhere.

The evidence, strongest first: the architecture and the vocabulary (both must be gpt-oss and
o200k_harmony, or the harmony prompt means nothing to the model); then the names the converter
wrote (``general.name``, ``general.basename``, ``general.finetune``, base-model names, tags,
repo URLs); then, only when the file names nothing, a name from where it was found (an Ollama
tag, a Hugging Face repo, the file name), said as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from app.models.gguf_header import GgufInfo

ModelKind = Literal["safeguard", "base", "unsure", "other"]
HARMONY_VOCAB_SIZE = 201088
# o200k_harmony's control tokens at their ids (the same table as app.inference.harmony, which
# this layer may not import; tests/models/test_identify.py checks the two agree).
HARMONY_CONTROL = {
    199998: "<|startoftext|>",
    200002: "<|return|>",
    200005: "<|channel|>",
    200006: "<|start|>",
    200007: "<|end|>",
    200008: "<|message|>",
    200012: "<|call|>",
}
_NAME_KEYS = (
    "general.name",
    "general.basename",
    "general.finetune",
    "general.repo_url",
    "general.source.repo_url",
    "general.source.huggingface.repository",
    "general.base_model.0.name",
    "general.base_model.0.repo_url",
)
_GPT_OSS = re.compile(r"gpt[\s_-]?oss", re.IGNORECASE)
_SAFEGUARD = re.compile(r"safeguard", re.IGNORECASE)
_SPLIT = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$", re.IGNORECASE)


@dataclass(frozen=True)
class Identity:
    kind: ModelKind
    architecture: str
    harmony: bool  # the o200k_harmony vocabulary
    label: str  # short, for lists: "gpt-oss-safeguard", "gpt-oss (base)", "gemma3"
    note: str  # what the user must be told; "" for the safeguard model
    evidence: str  # where the conclusion comes from

    @property
    def real(self) -> bool:
        """A gpt-oss model: it can run real checks (and may become the default model)."""
        return self.kind != "other"

    @property
    def looks_like(self) -> str:
        """The scan's answer to 'safeguard or base?'."""
        return {"safeguard": "safeguard", "base": "base", "unsure": "could not tell"}.get(
            self.kind, "not gpt-oss"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "architecture": self.architecture,
            "harmony": self.harmony,
            "gpt_oss": self.real,
            "looks_like": self.looks_like,
            "label": self.label,
            "note": self.note,
            "evidence": self.evidence,
        }


def is_harmony_vocabulary(info: GgufInfo) -> bool:
    meta = info.metadata
    tokens = meta.get("tokenizer.ggml.tokens")
    size = tokens if isinstance(tokens, int) else len(tokens) if isinstance(tokens, list) else 0
    return (
        meta.get("tokenizer.ggml.model") == "gpt2"
        and size == HARMONY_VOCAB_SIZE
        and all(info.probe_tokens.get(i) == text for i, text in HARMONY_CONTROL.items())
    )


def split_part(info: GgufInfo) -> tuple[int, int]:
    """(part number from 1, parts) of a split GGUF; (1, 1) for a single file."""
    count = int(info.metadata.get("split.count", 0) or 0)
    if count > 1:
        return int(info.metadata.get("split.no", 0)) + 1, count
    match = _SPLIT.search(info.path.name)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 1)


def identify(info: GgufInfo, hint: str = "") -> Identity:
    """What the file is. ``hint``: a name from where it was found ("ollama gpt-oss-safeguard:20b",
    a repo id), used only when the file's own metadata names neither model."""
    part, parts = split_part(info)
    if part > 1:
        return Identity(
            "other", info.architecture, False, f"part {part} of {parts}",
            f"this is part {part} of {parts} of a split model: use the first part "
            f"(…-00001-of-{parts:05d}.gguf)",
            "split.no",
        )  # fmt: skip
    architecture = info.architecture
    harmony = is_harmony_vocabulary(info)
    if architecture != "gpt-oss" or not harmony:
        what = (
            f"a {architecture} model"
            if architecture != "gpt-oss"
            else "a gpt-oss model without the o200k_harmony vocabulary"
        )
        return Identity(
            "other", architecture, harmony, architecture,
            f"this is {what}, not gpt-oss-safeguard: it can only run smoke checks",
            f"general.architecture {architecture!r}"
            + ("" if harmony else ", tokenizer is not o200k_harmony"),
        )  # fmt: skip
    names = _names(info)
    if any(_SAFEGUARD.search(name) for name in names):
        return Identity("safeguard", architecture, True, "gpt-oss-safeguard", "", _said(names))
    finetune = str(info.metadata.get("general.finetune") or "")
    if finetune and not _GPT_OSS.search(finetune):  # another fine-tune of gpt-oss
        return Identity(
            "base", architecture, True, f"gpt-oss ({finetune})",
            f"this is a gpt-oss fine-tune ({finetune}), not gpt-oss-safeguard: checks run, "
            "but it was not trained to judge policies",
            _said(names),
        )  # fmt: skip
    if any(_GPT_OSS.search(name) for name in names):
        return Identity(
            "base", architecture, True, "gpt-oss (base)",
            "this is the base gpt-oss model, not the gpt-oss-safeguard fine-tune: checks run, "
            "but it was not trained to judge policies",
            _said(names),
        )  # fmt: skip
    hints = [h for h in (hint, info.path.name) if h]
    for source in hints:
        if _SAFEGUARD.search(source):
            return Identity(
                "safeguard", architecture, True, "gpt-oss-safeguard",
                f"taken for gpt-oss-safeguard by its name ({source}); the file's metadata does "
                "not name the model",
                f"name {source!r}",
            )  # fmt: skip
    return Identity(
        "unsure", architecture, True, "gpt-oss (could not tell which)",
        "a gpt-oss model; could not tell whether it is the safeguard fine-tune or the base "
        "model (its metadata does not name it)",
        _said(names) if names else "no name in the metadata",
    )  # fmt: skip


def _names(info: GgufInfo) -> list[str]:
    meta = info.metadata
    names = [str(meta[key]) for key in _NAME_KEYS if meta.get(key)]
    tags = meta.get("general.tags")
    if isinstance(tags, list):
        names += [str(tag) for tag in tags]
    return names


def _said(names: list[str]) -> str:
    return "metadata names " + ", ".join(repr(n) for n in names[:3])
