"""Finding models already on the machine, in a fake home laid out as LM Studio, Ollama and the
Hugging Face cache lay out theirs."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from app.models import scan as scanning
from app.models.catalogue import DEFAULT_MODEL
from app.models.scan import Found, scan
from tests.helpers.gguf_files import model_gguf
from tests.helpers.model_homes import LMSTUDIO_REPO, fake_home


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return fake_home(tmp_path)


def by_where(found: list[Found]) -> dict[str, Found]:
    return {f.where: f for f in found}


def test_lm_studio_ollama_and_the_hf_cache_are_found(home: Path) -> None:
    result = scan(home=home, environ={"HF_HOME": str(home / "hf")})
    found = by_where(result.found)
    assert set(found) == {
        f"LM Studio: {LMSTUDIO_REPO}",
        "LM Studio: lmstudio-community/gemma-3-270m-GGUF",
        "Ollama: gpt-oss-safeguard:20b",
        "Hugging Face cache: ggml-org/gpt-oss-20b-GGUF",
    }
    lm = found[f"LM Studio: {LMSTUDIO_REPO}"]
    assert (lm.origin, lm.architecture, lm.quantization, lm.context_length) == (
        "lmstudio", "gpt-oss", "MXFP4_MOE", 131072,
    )  # fmt: skip
    assert lm.identity.kind == "safeguard" and lm.suggested_name == DEFAULT_MODEL
    assert lm.size == lm.path.stat().st_size and lm.sha256 == ""  # nothing was hashed
    gemma = found["LM Studio: lmstudio-community/gemma-3-270m-GGUF"]
    assert (gemma.architecture, gemma.quantization, gemma.identity.harmony) == (
        "gemma3", "Q4_K_M", False,
    )  # fmt: skip
    assert gemma.identity.note.startswith("this is a gemma3 model, not gpt-oss-safeguard")
    ollama = found["Ollama: gpt-oss-safeguard:20b"]
    assert ollama.path.parent.name == "blobs" and ollama.path.name == f"sha256-{ollama.sha256}"
    assert ollama.identity.kind == "safeguard" and "by its name" in ollama.identity.note
    cached = found["Hugging Face cache: ggml-org/gpt-oss-20b-GGUF"]
    assert cached.path.name == "gpt-oss-20b-mxfp4.gguf" and cached.path.is_symlink()
    assert cached.sha256 == cached.path.resolve().name  # the cache names blobs by sha256
    assert cached.identity.kind == "base" and cached.identity.looks_like == "base"
    assert [(s.path.name, s.reason) for s in result.skipped] == [
        ("latest", f"the manifest's model blob sha256-{'f' * 64} is missing")
    ]
    as_json = json.loads(json.dumps(result.to_dict()))
    row = next(r for r in as_json["found"] if r["origin"] == "ollama")
    assert (row["gpt_oss"], row["harmony"], row["looks_like"]) == (True, True, "safeguard")


def test_ollama_models_env_and_hf_hub_cache_env_are_honoured(home: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere"
    (home / ".ollama" / "models").rename(moved)
    (home / "hf" / "hub").rename(tmp_path / "cache")
    env = {"OLLAMA_MODELS": str(moved), "HF_HUB_CACHE": str(tmp_path / "cache")}
    origins = sorted(f.origin for f in scan(home=home, environ=env).found)
    assert origins == ["hf-cache", "lmstudio", "lmstudio", "ollama"]


def test_extra_folders_split_models_and_unreadable_files(tmp_path: Path) -> None:
    share = tmp_path / "share"
    (share / "deep").mkdir(parents=True)
    parts = model_gguf(share / "deep" / "model.gguf", parts=3)  # no name: could not tell
    (share / "notes.gguf").write_text("not a model", encoding="utf-8")
    whole = model_gguf(share / "whole.gguf", name="Gpt Oss Safeguard 20b")[0]
    (share / "cut.gguf").write_bytes(whole.read_bytes()[:100_000])
    lone = model_gguf(tmp_path / "other.gguf", parts=2)
    lone[1].replace(share / lone[1].name)
    result = scan([share, tmp_path / "missing"], home=tmp_path / "empty-home", environ={})
    (split,) = [f for f in result.found if f.path.name.startswith("model-")]
    assert split.parts == tuple(parts) and split.path == parts[0]
    assert split.size == sum(p.stat().st_size for p in parts)
    assert split.identity.looks_like == "could not tell"
    reasons = {s.path.name: s.reason for s in result.skipped}
    assert reasons == {
        "notes.gguf": "not a GGUF model file (wrong magic bytes)",
        "cut.gguf": "truncated or damaged GGUF header",
        "other-00002-of-00002.gguf": "a part of a split model without part 1",
        "missing": "not a folder",
    }
    assert result.searched == [share]


def test_the_walk_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(30):
        (tmp_path / f"file{index:02d}.txt").write_text("x")
    monkeypatch.setattr(scanning, "MAX_ENTRIES", 10)
    result = scan([tmp_path], home=tmp_path / "none", environ={})
    assert [s.reason for s in result.skipped] == ["stopped after 10 entries"]


def test_only_headers_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An 8 GB model file (sparse on disk): the scan reads its header (a few MB, the
    vocabulary), nothing of the rest."""
    big = model_gguf(tmp_path / "big.gguf", name="Gpt Oss Safeguard 20b")[0]
    header_end = big.stat().st_size
    with big.open("r+b") as handle:
        handle.truncate(8 * 2**30)
    read = {"bytes": 0}
    real_open = Path.open

    def counting_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        handle = real_open(self, *args, **kwargs)
        if isinstance(handle, io.BufferedReader):
            raw_read = handle.read

            def read_counted(size: int = -1) -> bytes:
                data = raw_read(size)
                read["bytes"] += len(data)
                return data

            handle.read = read_counted  # type: ignore[method-assign]
        return handle

    monkeypatch.setattr(Path, "open", counting_open)
    (found,) = scan([tmp_path], home=tmp_path / "none", environ={}).found
    assert found.size == 8 * 2**30
    assert 0 < read["bytes"] <= header_end
    assert os.stat(big).st_blocks * 512 < 2**30  # the test did not fill the disk
