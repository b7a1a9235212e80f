from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import ModelUnavailable
from app.models.catalogue import SMOKE_MODEL, catalogue, resolve_model
from app.models.installed import file_sha256


def test_catalogue_names_both_models() -> None:
    entries = catalogue()
    first = entries["gpt-oss-safeguard-20b"]["sources"][0]
    assert first["repo_id"] and first["file"].endswith(".gguf")
    assert entries[SMOKE_MODEL]["smoke"] is True


def test_real_model_missing_says_what_to_do() -> None:
    with pytest.raises(ModelUnavailable, match="model download gpt-oss-safeguard-20b") as info:
        resolve_model(None)
    assert info.value.exit_code == 3


def test_installed_real_model_is_found(isolated_home: Path) -> None:
    entry = catalogue()["gpt-oss-safeguard-20b"]
    path = isolated_home / "models" / "gpt-oss-safeguard-20b" / entry["sources"][1]["file"]
    path.parent.mkdir(parents=True)
    path.write_bytes(b"GGUF")
    ref = resolve_model("gpt-oss-safeguard-20b")
    assert (ref.path, ref.smoke) == (path, False)


def test_smoke_model_comes_from_its_package(smoke_model_path: Path) -> None:
    ref = resolve_model(SMOKE_MODEL)
    assert ref.path == smoke_model_path and ref.smoke and ref.chat_format == "gemma"


def test_paths_must_be_gguf(tmp_path: Path) -> None:
    text = tmp_path / "model.gguf"
    text.write_text("not a model")
    with pytest.raises(ModelUnavailable, match="not a GGUF"):
        resolve_model(str(text))
    with pytest.raises(ModelUnavailable, match="no model 'nonsense'"):
        resolve_model("nonsense")


def test_file_sha256_is_remembered_until_the_file_changes(tmp_path: Path) -> None:
    import hashlib

    path = tmp_path / "m.gguf"
    path.write_bytes(b"GGUF one")
    assert file_sha256(path) == hashlib.sha256(b"GGUF one").hexdigest()
    path.write_bytes(b"GGUF two, longer")
    assert file_sha256(path) == hashlib.sha256(b"GGUF two, longer").hexdigest()
