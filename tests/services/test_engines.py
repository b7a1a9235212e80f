"""The engine config's defaults (gpt-oss samples as its publishers advise, other models keep the
smoke model's settings), what a load says about the file, and which model a check falls back on."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.engine import CHAT_SAMPLING, GPT_OSS_SAMPLING, Sampling
from app.core.errors import ModelUnavailable
from app.core.settings import Settings
from app.models.catalogue import DEFAULT_MODEL, resolve_model
from app.models.fit import Gpu
from app.models.installed import import_model
from app.services import engines
from app.services.engines import EngineConfig, ModelChoice, choose_model, llama_settings
from tests.helpers.gguf_files import model_gguf


def test_gpt_oss_runs_at_temperature_1_and_top_p_1_with_nothing_cut() -> None:
    config = EngineConfig()
    assert config.sampling(gpt_oss=True) == GPT_OSS_SAMPLING == Sampling(1.0, 1.0, 0, 0.0)
    assert config.seed == 42  # kept for replay


def test_other_models_keep_the_smoke_models_settings() -> None:
    assert EngineConfig().sampling(gpt_oss=False) == CHAT_SAMPLING == Sampling(0.2, 0.95, 40, 0.05)


def test_a_flag_overrides_one_field_only() -> None:
    config = EngineConfig(temperature=0.7, top_k=20)
    assert config.sampling(gpt_oss=True) == Sampling(0.7, 1.0, 20, 0.0)


def test_loading_gpt_oss_takes_its_sampling_and_trained_context(tmp_path: Path) -> None:
    path = model_gguf(tmp_path / "safeguard.gguf", name="Gpt Oss Safeguard 20b")[0]
    said: list[str] = []
    settings = llama_settings(resolve_model(str(path)), EngineConfig(), said.append)
    assert (settings.temperature, settings.top_p, settings.top_k, settings.min_p) == (
        1.0, 1.0, 0, 0.0,
    )  # fmt: skip
    assert settings.n_ctx == 131072  # a small file: its trained context fits
    assert settings.note == "" and not any("not gpt-oss" in line for line in said)


def test_loading_a_gemma_file_names_it_and_keeps_chat_sampling(tmp_path: Path) -> None:
    path = model_gguf(tmp_path / "gemma.gguf", "gemma3", name="Gemma 3", vocabulary="small")[0]
    said: list[str] = []
    settings = llama_settings(resolve_model(str(path)), EngineConfig(), said.append)
    note = "this is a gemma3 model, not gpt-oss-safeguard: it can only run smoke checks"
    assert said[0] == f"gemma.gguf: {note}"
    assert settings.note == note
    assert (settings.temperature, settings.top_k) == (0.2, 40)
    assert settings.n_ctx == 8192  # not its trained 131072: smoke checks only


def test_flash_attention_follows_the_gpu_layers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = model_gguf(tmp_path / "safeguard.gguf", name="Gpt Oss Safeguard 20b")[0]
    model = resolve_model(str(path))
    monkeypatch.setattr(engines, "detect_gpu", lambda: None)
    assert llama_settings(model, EngineConfig()).flash_attn is False  # CPU: as tested
    monkeypatch.setattr(engines, "detect_gpu", lambda: Gpu("RTX 4080", 16 * 2**30, 15 * 2**30))
    on_gpu = llama_settings(model, EngineConfig())
    assert on_gpu.flash_attn is True and on_gpu.n_gpu_layers == -1


def test_only_gpt_oss_models_stand_in_for_the_default(tmp_path: Path) -> None:
    gemma = model_gguf(tmp_path / "gemma.gguf", "gemma3", name="Gemma 3", vocabulary="small")[0]
    import_model(gemma)
    with pytest.raises(ModelUnavailable, match=DEFAULT_MODEL):
        choose_model(ModelChoice(), Settings(), EngineConfig())
    base = model_gguf(tmp_path / "gpt-oss-20b.gguf", name="Gpt Oss 20b", basename="gpt-oss")[0]
    import_model(base)
    chosen = choose_model(ModelChoice(), Settings(), EngineConfig())
    assert chosen.ref.name == "gpt-oss-20b"
    assert "not the gpt-oss-safeguard fine-tune" in chosen.ref.note
    assert chosen.note.startswith(f"{DEFAULT_MODEL} is not installed; using gpt-oss-20b")
    by_name = choose_model(ModelChoice(model="gemma"), Settings(), EngineConfig())
    assert by_name.ref.name == "gemma" and "not gpt-oss" in by_name.ref.note  # asked for: used
