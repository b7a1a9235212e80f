"""Small generated GGUF files for the model tests: a plain file of a given size, and header-level
look-alikes of gpt-oss (o200k_harmony vocabulary layout), gemma3 and llama models, single or
split into parts the way llama.cpp's gguf-split names and marks them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

HARMONY_VOCAB = 201088
# o200k_harmony's named control tokens (the rest of 199998.. are <|reserved_N|>).
HARMONY_SPECIALS = {
    199998: "<|startoftext|>",
    199999: "<|endoftext|>",
    200002: "<|return|>",
    200003: "<|constrain|>",
    200005: "<|channel|>",
    200006: "<|start|>",
    200007: "<|end|>",
    200008: "<|message|>",
    200012: "<|call|>",
    200018: "<|endofprompt|>",
}
MXFP4_MOE, Q4_K_M, Q8_0 = 38, 15, 7


def small_gguf(path: Path, megabytes: int = 4, architecture: str = "llama") -> bytes:
    """A valid GGUF of about ``megabytes`` MB (one random tensor); returns its bytes."""
    import gguf

    writer = gguf.GGUFWriter(str(path), architecture)
    writer.add_context_length(2048)
    rng = np.random.default_rng(1)
    writer.add_tensor("blob.weight", rng.random((megabytes * 2**18,), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path.read_bytes()


def harmony_tokens() -> list[str]:
    """A token list with o200k_harmony's size and control tokens where they belong (ordinary
    tokens are placeholders: identification reads the layout, not every entry)."""
    tokens = [f"t{i}" for i in range(HARMONY_VOCAB)]
    for index in range(199998, HARMONY_VOCAB):
        tokens[index] = HARMONY_SPECIALS.get(index, f"<|reserved_{index}|>")
    return tokens


def model_gguf(
    path: Path,
    architecture: str = "gpt-oss",
    *,
    name: str | None = None,
    basename: str | None = None,
    finetune: str | None = None,
    base_model: str | None = None,
    vocabulary: str = "harmony",  # "harmony" | "small"
    file_type: int = MXFP4_MOE,
    context_length: int = 131072,
    parts: int = 1,
    tensor_kb: int = 64,
) -> list[Path]:
    """A GGUF that looks like a model of ``architecture`` to a header reader (weights are a few
    random tensors). With ``parts`` > 1 it is split into ``…-0000k-of-0000n.gguf`` files beside
    ``path``; returns the files in order."""
    import gguf

    split = {"split_max_tensors": 1} if parts > 1 else {}
    writer = gguf.GGUFWriter(str(path), architecture, **split)  # type: ignore[arg-type]
    if name is not None:
        writer.add_name(name)
    if basename is not None:
        writer.add_basename(basename)
    if finetune is not None:
        writer.add_finetune(finetune)
    if base_model is not None:
        writer.add_base_model_count(1)
        writer.add_base_model_name(0, base_model)
    writer.add_file_type(file_type)
    writer.add_context_length(context_length)
    writer.add_block_count(2)
    if vocabulary == "harmony":
        writer.add_tokenizer_model("gpt2")
        writer.add_tokenizer_pre("gpt-4o")
        writer.add_token_list(harmony_tokens())
    else:
        writer.add_tokenizer_model("llama")
        writer.add_token_list([f"<tok{i}>" for i in range(300)])
    rng = np.random.default_rng(len(str(path)))
    for index in range(parts):
        writer.add_tensor(f"blk.{index}.w", rng.random((tensor_kb * 256,), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    if parts == 1:
        return [path]
    stem = path.with_suffix("")
    return [Path(f"{stem}-{k:05d}-of-{parts:05d}.gguf") for k in range(1, parts + 1)]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
