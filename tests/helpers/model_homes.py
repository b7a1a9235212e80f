"""A fake home laid out as LM Studio, Ollama and the Hugging Face cache lay out theirs, with
small generated GGUFs (gpt-oss safeguard and base, gemma3), for the scan, CLI and UI tests."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.gguf_files import Q4_K_M, model_gguf, sha256

LMSTUDIO_REPO = "lmstudio-community/gpt-oss-safeguard-20b-GGUF"
# Environment variables that point the scan elsewhere: a test's home must not see the machine's.
SCAN_ENV = ("OLLAMA_MODELS", "HF_HOME", "HF_HUB_CACHE", "XDG_CACHE_HOME")


def ollama_model(root: Path, library: str, tag: str, gguf: Path | None) -> Path:
    """Ollama's layout: a manifest naming layers by digest, the blobs beside."""
    digest = sha256(gguf) if gguf else "f" * 64
    if gguf is not None:
        (root / "blobs").mkdir(parents=True, exist_ok=True)
        gguf.replace(root / "blobs" / f"sha256-{digest}")
    manifest = root / "manifests" / "registry.ollama.ai" / "library" / library / tag
    manifest.parent.mkdir(parents=True, exist_ok=True)
    layers = [
        {"mediaType": "application/vnd.ollama.image.model", "digest": f"sha256:{digest}",
         "size": 1},
        {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:" + "0" * 64,
         "size": 1},
    ]  # fmt: skip
    manifest.write_text(json.dumps({"schemaVersion": 2, "layers": layers}), encoding="utf-8")
    return manifest


def hf_cache_entry(hub: Path, repo: str, filename: str, gguf: Path) -> Path:
    """The hub cache's layout: blobs named by sha256, snapshots of symlinks, refs."""
    folder = hub / f"models--{repo.replace('/', '--')}"
    digest = sha256(gguf)
    (folder / "blobs").mkdir(parents=True)
    gguf.replace(folder / "blobs" / digest)
    snapshot = folder / "snapshots" / ("c" * 40)
    snapshot.mkdir(parents=True)
    (snapshot / filename).symlink_to(Path("../../blobs") / digest)
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text("c" * 40)
    return snapshot / filename


def fake_home(tmp_path: Path) -> Path:
    """LM Studio (the safeguard model, a gemma3), Ollama (gpt-oss-safeguard:20b without a name
    in its metadata, a manifest whose blob is gone, a library that is not gpt-oss) and an HF
    cache under ``home/hf`` (base gpt-oss-20b)."""
    home = tmp_path / "home"
    lm = home / ".lmstudio" / "models" / LMSTUDIO_REPO
    lm.mkdir(parents=True)
    model_gguf(lm / "gpt-oss-safeguard-20b-MXFP4.gguf", name="Gpt Oss Safeguard 20b")
    gemma = home / ".cache" / "lm-studio" / "models" / "lmstudio-community" / "gemma-3-270m-GGUF"
    gemma.mkdir(parents=True)
    model_gguf(gemma / "gemma-3-270m-it-Q4_K_M.gguf", "gemma3", name="Gemma 3 270m",
               vocabulary="small", file_type=Q4_K_M, context_length=32768)  # fmt: skip
    ollama = home / ".ollama" / "models"
    nameless = model_gguf(tmp_path / "ollama.gguf")[0]  # Ollama's converter writes no name
    ollama_model(ollama, "gpt-oss-safeguard", "20b", nameless)
    ollama_model(ollama, "gpt-oss", "latest", None)  # a blob that is gone
    ollama_model(ollama, "llama3", "8b", None)  # not a gpt-oss library: not looked at
    base = model_gguf(tmp_path / "base.gguf", name="Gpt Oss 20b", basename="gpt-oss")[0]
    hf_cache_entry(home / "hf" / "hub", "ggml-org/gpt-oss-20b-GGUF", "gpt-oss-20b-mxfp4.gguf", base)
    return home
