"""Build tiny random-weight gpt-oss GGUFs with the real o200k_harmony vocabulary (no download).

The layout follows llama.cpp's gpt-oss loader (see ../shared/notes/tiny-gpt-oss-gguf.md): two
layers of width 64, four experts (two used), attention sinks, a sliding window of 8 tokens on every
other layer. Two weight sets:

- ``random``: every weight random, attention and experts active, so outputs depend on the whole
  context (what prefix-cache and sliding-window tests need);
- ``scripted``: attention and experts write nothing to the residual stream, so the next token
  depends only on the current one; embeddings and the output matrix then encode a successor
  table, and greedy generation follows a chosen script of harmony tokens exactly.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path

import numpy as np

VOCAB = 201088
FIRST_SPECIAL = 199998
HIDDEN, HEADS, KV_HEADS, HEAD_DIM = 64, 4, 2, 16
EXPERTS, USED_EXPERTS, EXPERT_FF = 4, 2, 64
LAYERS, WINDOW = 2, 8
GENERATOR_VERSION = "2"


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte-level alphabet: every byte as a printable character."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    chars = keep[:]
    extra = 0
    for byte in range(256):
        if byte not in keep:
            keep.append(byte)
            chars.append(256 + extra)
            extra += 1
    return dict(zip(keep, (chr(c) for c in chars), strict=True))


@cache
def tokenizer_data() -> tuple[list[str], list[int], list[str]]:
    """(tokens, token types, merges) of o200k_harmony, from the verified local vocabulary."""
    from app.inference import harmony

    table = _bytes_to_unicode()
    ranks: dict[bytes, int] = {}
    vocab_file = harmony.vocabulary_dir() / harmony.VOCAB_NAME
    for line in vocab_file.read_text(encoding="ascii").splitlines():
        token, rank = line.split()
        ranks[base64.b64decode(token)] = int(rank)
    by_id = sorted(ranks.items(), key=lambda item: item[1])
    assert by_id[-1][1] == FIRST_SPECIAL - 1
    tokens = ["".join(table[b] for b in token) for token, _ in by_id]
    encoding = harmony.encoding()
    tokens += [encoding.decode_utf8([i]) for i in range(FIRST_SPECIAL, VOCAB)]
    types = [1] * FIRST_SPECIAL + [3] * (VOCAB - FIRST_SPECIAL)  # NORMAL, CONTROL
    # Every split of a token into two tokens is a merge, ranked by the merged token's rank.
    merges = []
    for token, _ in by_id:
        for cut in range(1, len(token)):
            left, right = token[:cut], token[cut:]
            if left in ranks and right in ranks:
                merges.append(("".join(table[b] for b in left), "".join(table[b] for b in right)))
    return tokens, types, [f"{a} {b}" for a, b in merges]


def build(path: Path, weights: dict[str, np.ndarray], split_max_tensors: int = 0) -> Path:
    """Write the model; with ``split_max_tensors`` as a split GGUF (``stem-0000k-of-0000n.gguf``
    beside ``path``, the way llama.cpp's gguf-split names parts)."""
    import gguf

    tokens, types, merges = tokenizer_data()
    writer = gguf.GGUFWriter(str(path), "gpt-oss", split_max_tensors=split_max_tensors)
    writer.add_name("tiny-gpt-oss (random weights, test fixture)")
    writer.add_context_length(131072)
    writer.add_embedding_length(HIDDEN)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(EXPERT_FF)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_key_length(HEAD_DIM)
    writer.add_value_length(HEAD_DIM)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_expert_count(EXPERTS)
    writer.add_expert_used_count(USED_EXPERTS)
    writer.add_expert_feed_forward_length(EXPERT_FF)
    writer.add_sliding_window(WINDOW)
    writer.add_rope_freq_base(150000.0)
    writer.add_rope_scaling_type(gguf.RopeScalingType.YARN)
    writer.add_rope_scaling_factor(32.0)
    writer.add_rope_scaling_orig_ctx_len(4096)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("gpt-4o")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_bos_token_id(199998)
    writer.add_eos_token_id(200002)
    writer.add_pad_token_id(199999)
    writer.add_add_bos_token(False)
    for name, array in weights.items():
        writer.add_tensor(name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _shapes() -> dict[str, tuple[int, ...]]:
    """numpy shapes (ggml's reversed) of every tensor the loader expects."""
    q, kv = HEADS * HEAD_DIM, KV_HEADS * HEAD_DIM
    shapes: dict[str, tuple[int, ...]] = {
        "token_embd.weight": (VOCAB, HIDDEN),
        "output_norm.weight": (HIDDEN,),
        "output.weight": (VOCAB, HIDDEN),
    }
    for layer in range(LAYERS):
        b = f"blk.{layer}."
        shapes |= {
            b + "attn_norm.weight": (HIDDEN,),
            b + "post_attention_norm.weight": (HIDDEN,),
            b + "attn_q.weight": (q, HIDDEN),
            b + "attn_q.bias": (q,),
            b + "attn_k.weight": (kv, HIDDEN),
            b + "attn_k.bias": (kv,),
            b + "attn_v.weight": (kv, HIDDEN),
            b + "attn_v.bias": (kv,),
            b + "attn_output.weight": (HIDDEN, q),
            b + "attn_output.bias": (HIDDEN,),
            b + "attn_sinks.weight": (HEADS,),
            b + "ffn_gate_inp.weight": (EXPERTS, HIDDEN),
            b + "ffn_gate_inp.bias": (EXPERTS,),
            b + "ffn_gate_exps.weight": (EXPERTS, EXPERT_FF, HIDDEN),
            b + "ffn_gate_exps.bias": (EXPERTS, EXPERT_FF),
            b + "ffn_up_exps.weight": (EXPERTS, EXPERT_FF, HIDDEN),
            b + "ffn_up_exps.bias": (EXPERTS, EXPERT_FF),
            b + "ffn_down_exps.weight": (EXPERTS, HIDDEN, EXPERT_FF),
            b + "ffn_down_exps.bias": (EXPERTS, HIDDEN),
        }
    return shapes


def _dtype(name: str, shape: tuple[int, ...]) -> type:
    # Matrices in F16; biases, norms and sinks in F32 (llama.cpp's add_id needs F32 biases).
    return np.float16 if name.endswith(".weight") and len(shape) >= 2 else np.float32


def random_weights(seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = {}
    for name, shape in _shapes().items():
        if name.endswith("norm.weight"):
            array = np.ones(shape)
        else:
            array = rng.normal(0.0, 0.5 if name.startswith(("output", "token")) else 0.2, shape)
        weights[name] = array.astype(_dtype(name, shape))
    return weights


def scripted_weights(successors: dict[int, int]) -> dict[str, np.ndarray]:
    """Greedy decoding emits ``successors[t]`` after token ``t`` (one dimension per entry)."""
    if len(successors) > HIDDEN - 1:
        raise ValueError(f"at most {HIDDEN - 1} successor entries fit in width {HIDDEN}")
    weights = {
        name: np.zeros(shape, dtype=_dtype(name, shape)) for name, shape in _shapes().items()
    }
    for name in weights:
        if name.endswith("norm.weight"):
            weights[name][:] = 1.0
    embedding = weights["token_embd.weight"]
    output = weights["output.weight"]
    for dimension, (token, successor) in enumerate(successors.items(), start=1):
        embedding[token, dimension] = 8.0
        output[successor, dimension] = 60.0
    return weights


def cached_model(kind: str, successors: dict[int, int] | None = None) -> Path:
    """Build once per machine (keyed by generator version and contents), reuse afterwards."""
    import platformdirs

    key = hashlib.sha256(
        f"{GENERATOR_VERSION} {kind} {sorted((successors or {}).items())}".encode()
    ).hexdigest()[:12]
    folder = Path(platformdirs.user_cache_dir("safeguard-desk")) / "test-models"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"tiny-gpt-oss-{kind}-{key}.gguf"
    if not path.exists():
        weights = random_weights() if kind == "random" else scripted_weights(successors or {})
        partial = path.with_suffix(".part")
        build(partial, weights)
        partial.replace(path)
    return path
