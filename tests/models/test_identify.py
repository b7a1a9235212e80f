"""What a GGUF file is, from its header: safeguard, base gpt-oss, could not tell, or not gpt-oss."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.models.gguf_header import read_header
from app.models.identify import HARMONY_CONTROL, identify
from tests.helpers.gguf_files import model_gguf


def made(tmp_path: Path, file: str = "m.gguf", **options: Any) -> Path:
    return model_gguf(tmp_path / file, **options)[0]


def test_the_control_tokens_are_harmonys() -> None:
    from app.inference import harmony

    encoding = harmony.encoding()
    assert {i: encoding.decode_utf8([i]) for i in HARMONY_CONTROL} == HARMONY_CONTROL


def test_a_real_harmony_vocabulary_is_recognised() -> None:
    from tests.helpers.tiny_gptoss import cached_model

    found = identify(read_header(cached_model("random")))  # o200k_harmony, token for token
    assert (found.architecture, found.harmony, found.real) == ("gpt-oss", True, True)


def test_the_smoke_model_is_named_for_what_it_is(smoke_model_path: Path) -> None:
    found = identify(read_header(smoke_model_path))
    assert (found.kind, found.architecture, found.harmony) == ("other", "gemma3", False)
    assert found.note == (
        "this is a gemma3 model, not gpt-oss-safeguard: it can only run smoke checks"
    )
    assert not found.real and found.looks_like == "not gpt-oss"


@pytest.mark.parametrize(
    ("options", "kind", "words"),
    [
        ({"name": "Gpt Oss Safeguard 20b"}, "safeguard", ""),
        ({"name": "Model", "basename": "gpt-oss-safeguard"}, "safeguard", ""),
        ({"name": "Gpt Oss 20b", "basename": "gpt-oss"}, "base", "not the gpt-oss-safeguard"),
        ({"name": "Gpt Oss 20b", "finetune": "abliterated"}, "base", "fine-tune (abliterated)"),
        ({"name": "Safeguard", "base_model": "Gpt Oss 20b"}, "safeguard", ""),
        ({}, "unsure", "could not tell"),
        ({"name": "Model"}, "unsure", "could not tell"),
    ],
)
def test_names_in_the_metadata_decide(
    tmp_path: Path, options: dict[str, Any], kind: str, words: str
) -> None:
    found = identify(read_header(made(tmp_path, **options)))
    assert found.kind == kind and found.real
    assert (words in found.note) if words else (found.note == ""), found


def test_a_name_from_where_it_was_found_counts_only_when_the_file_names_nothing(
    tmp_path: Path,
) -> None:
    quiet = read_header(made(tmp_path))
    found = identify(quiet, "ollama gpt-oss-safeguard:20b")
    assert found.kind == "safeguard" and "by its name (ollama gpt-oss-safeguard:20b)" in found.note
    named = read_header(made(tmp_path, "b.gguf", name="Gpt Oss 20b"))
    assert identify(named, "gpt-oss-safeguard:20b").kind == "base"  # the file's word wins


@pytest.mark.parametrize(
    ("architecture", "vocabulary", "words"),
    [
        ("gpt-oss", "small", "a gpt-oss model without the o200k_harmony vocabulary"),
        ("llama", "harmony", "a llama model, not gpt-oss-safeguard"),
    ],
)
def test_architecture_and_vocabulary_must_both_be_gpt_oss(
    tmp_path: Path, architecture: str, vocabulary: str, words: str
) -> None:
    found = identify(
        read_header(made(tmp_path, architecture=architecture, vocabulary=vocabulary,
                         name="Gpt Oss Safeguard 20b"))
    )  # fmt: skip
    assert found.kind == "other" and words in found.note and "smoke checks" in found.note


def test_a_later_part_of_a_split_model_points_to_the_first(tmp_path: Path) -> None:
    parts = model_gguf(tmp_path / "big.gguf", name="Gpt Oss Safeguard 120b", parts=2)
    assert identify(read_header(parts[0])).kind == "safeguard"
    second = identify(read_header(parts[1]))
    assert second.kind == "other" and "part 2 of 2" in second.note
    assert "00001-of-00002" in second.note
