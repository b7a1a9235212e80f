from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.errors import Cancelled, InputError, ModelUnavailable
from app.core.progress import CancelToken, ProgressEvent
from app.models import installed
from app.models.catalogue import DEFAULT_MODEL, resolve_model
from app.models.gguf_header import read_header
from tests.helpers.gguf_files import model_gguf, sha256, small_gguf


@pytest.fixture
def gguf_file(tmp_path: Path) -> Path:
    path = tmp_path / "usb" / "house-model.gguf"
    path.parent.mkdir()
    small_gguf(path, megabytes=9)
    return path


def test_header_facts(gguf_file: Path) -> None:
    info = read_header(gguf_file)
    assert info.architecture == "llama"
    assert info.context_length == 2048
    assert info.parameters == 9 * 2**18
    assert info.data_bytes <= info.file_bytes


def test_import_copies_hashes_and_installs(gguf_file: Path) -> None:
    events: list[ProgressEvent] = []
    item = installed.import_model(gguf_file, "house", progress=events.append)
    assert item.path.read_bytes() == gguf_file.read_bytes()
    assert events[-1].done == events[-1].total == gguf_file.stat().st_size
    assert installed.list_installed() == [item]
    assert resolve_model("house").path == item.path
    assert installed.verify("house") == item
    installed.remove("house")
    assert installed.list_installed() == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"not a model at all", "not a GGUF"), (None, "truncated GGUF")],
)
def test_import_refuses_bad_files(
    gguf_file: Path, tmp_path: Path, content: bytes | None, reason: str
) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(content if content is not None else gguf_file.read_bytes()[:3_000_000])
    with pytest.raises(ModelUnavailable, match=reason) as info:
        installed.import_model(bad, "bad")
    assert str(info.value).startswith(str(bad))
    assert installed.list_installed() == []


def test_import_checks_the_catalogue_sha256(gguf_file: Path) -> None:
    with pytest.raises(ModelUnavailable, match="checksum mismatch"):
        installed.import_model(gguf_file, "house", expected_sha256="0" * 64)
    assert not list((installed.models_dir() / "house").glob("*.gguf*"))


def test_cancelled_import_leaves_nothing(gguf_file: Path) -> None:
    token = CancelToken()

    def cancel(event: ProgressEvent) -> None:
        token.cancel()

    with pytest.raises(Cancelled):
        installed.import_model(gguf_file, "house", progress=cancel, cancel=token)
    assert not [p for p in (installed.models_dir() / "house").iterdir() if p.is_file()]


def test_verify_catches_a_changed_file(gguf_file: Path) -> None:
    item = installed.import_model(gguf_file, "house")
    with item.path.open("r+b") as handle:
        handle.seek(-1, 2)
        last = handle.read(1)[0]
        handle.seek(-1, 2)
        handle.write(bytes([last ^ 0xFF]))
    with pytest.raises(ModelUnavailable, match="checksum mismatch"):
        installed.verify("house")


@pytest.fixture
def safeguard(tmp_path: Path) -> Path:
    folder = tmp_path / "lmstudio" / "lmstudio-community" / "gpt-oss-safeguard-20b-GGUF"
    folder.mkdir(parents=True)
    return model_gguf(folder / "gpt-oss-safeguard-20b-MXFP4.gguf", name="Gpt Oss Safeguard 20b")[0]


def test_a_linked_model_stays_where_it_is(safeguard: Path) -> None:
    before = sorted(p.name for p in safeguard.parent.iterdir())
    events: list[ProgressEvent] = []
    item = installed.import_model(safeguard, link=True, progress=events.append)
    assert item.name == DEFAULT_MODEL  # the catalogue's file name: the catalogue's model
    assert (item.linked, item.source, item.path) == (True, "link", safeguard.absolute())
    assert item.sha256 == sha256(safeguard) and item.kind == "safeguard"
    assert events[-1].stage == "hashing" and events[-1].done == safeguard.stat().st_size
    folder = installed.models_dir() / DEFAULT_MODEL
    assert [p.name for p in folder.iterdir()] == ["manifest.json"]  # nothing copied
    assert sorted(p.name for p in safeguard.parent.iterdir()) == before  # nothing written there
    assert resolve_model(DEFAULT_MODEL).path == safeguard.absolute()
    assert installed.list_installed() == [item]
    assert installed.file_sha256(safeguard) == item.sha256  # remembered in our folder


def test_a_changed_or_missing_linked_file_is_reported_not_used(safeguard: Path) -> None:
    item = installed.import_model(safeguard, link=True)
    with safeguard.open("ab") as handle:
        handle.write(b"appended")
    assert "changed since it was imported" in installed.install_problem(item)
    with pytest.raises(ModelUnavailable, match="changed since it was imported.*model verify"):
        resolve_model(DEFAULT_MODEL)
    assert installed.list_installed() == []  # not offered for use
    assert [problem for _, problem in installed.list_all()] == [installed.install_problem(item)]
    with pytest.raises(ModelUnavailable, match="checksum mismatch"):
        installed.verify(DEFAULT_MODEL)
    safeguard.unlink()
    with pytest.raises(ModelUnavailable, match="is missing .it was linked, not copied"):
        resolve_model(DEFAULT_MODEL)


def test_verify_accepts_a_touched_but_unchanged_linked_file(safeguard: Path) -> None:
    installed.import_model(safeguard, link=True)
    stat = safeguard.stat()
    os.utime(safeguard, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    with pytest.raises(ModelUnavailable):
        resolve_model(DEFAULT_MODEL)
    again = installed.verify(DEFAULT_MODEL)  # same bytes: accepted with the new time
    assert again.mtime_ns == stat.st_mtime_ns + 10**9
    assert resolve_model(DEFAULT_MODEL).path == safeguard.absolute()


def test_removing_a_linked_model_deletes_only_our_manifest(safeguard: Path) -> None:
    data = safeguard.read_bytes()
    installed.import_model(safeguard, link=True)
    folder = installed.remove(DEFAULT_MODEL)
    assert not folder.exists() and safeguard.read_bytes() == data
    assert installed.load_installed(DEFAULT_MODEL) is None


def test_copy_stays_the_default_and_keeps_the_identity(safeguard: Path) -> None:
    item = installed.import_model(safeguard)
    assert not item.linked and item.path.parent == installed.models_dir() / DEFAULT_MODEL
    assert item.path.read_bytes() == safeguard.read_bytes()
    assert installed.load_installed(DEFAULT_MODEL) == item


def test_a_name_cannot_be_taken_twice_by_a_link(safeguard: Path, gguf_file: Path) -> None:
    installed.import_model(gguf_file, "house")
    with pytest.raises(InputError, match="already installed"):
        installed.import_model(safeguard, "house", link=True)


def test_a_model_that_is_not_gpt_oss_is_named_and_not_made_the_default(tmp_path: Path) -> None:
    gemma = model_gguf(tmp_path / "gemma-3-270m-it-Q4_K_M.gguf", "gemma3", vocabulary="small")[0]
    with pytest.raises(
        InputError,
        match="this is a gemma3 model, not gpt-oss-safeguard: it can "
        "only run smoke checks; it cannot be installed as gpt-oss-safeguard-20b",
    ):
        installed.import_model(gemma, DEFAULT_MODEL)
    renamed = gemma.with_name("gpt-oss-safeguard-20b-MXFP4.gguf")  # a misleading file name
    gemma.rename(renamed)
    item = installed.import_model(renamed, link=True)
    assert item.name == "gpt-oss-safeguard-20b-MXFP4" and item.kind == "other"
    assert item.note.startswith("this is a gemma3 model")
    with pytest.raises(ModelUnavailable, match="model download"):
        resolve_model(DEFAULT_MODEL)  # still no default model
    assert installed.list_installed(real_only=True) == []  # nor a stand-in for it
    assert resolve_model(item.name).note == item.note


def test_base_gpt_oss_is_accepted_with_a_note(tmp_path: Path) -> None:
    base = model_gguf(tmp_path / "gpt-oss-20b-mxfp4.gguf", name="Gpt Oss 20b", basename="gpt-oss")
    item = installed.import_model(base[0], DEFAULT_MODEL, link=True)
    assert item.kind == "base" and "not the gpt-oss-safeguard fine-tune" in item.note
    assert resolve_model(DEFAULT_MODEL).note == item.note  # shown wherever the model is named


@pytest.mark.parametrize("link", [False, True])
def test_a_split_model_brings_all_its_parts(tmp_path: Path, link: bool) -> None:
    parts = model_gguf(tmp_path / "gpt-oss-safeguard-120b-MXFP4.gguf",
                       name="Gpt Oss Safeguard 120b", parts=3)  # fmt: skip
    item = installed.import_model(parts[0], "big", link=link)
    assert [p.sha256 for p in item.parts] == [sha256(p) for p in parts]
    assert item.size == sum(p.stat().st_size for p in parts)
    assert [p.read_bytes() for p in item.part_paths] == [p.read_bytes() for p in parts]
    assert resolve_model("big").path == item.part_paths[0]
    assert installed.verify("big") == item
    with pytest.raises(InputError, match="part 2 of 3 of a split model: use the first part"):
        installed.import_model(parts[1], "again")
    parts[2].unlink()
    with pytest.raises(InputError, match="part 3 of 3 is missing"):
        installed.import_model(parts[0], "again")


def test_checksums_of_files_outside_our_folder_are_remembered_in_it(tmp_path: Path) -> None:
    path = tmp_path / "m.gguf"
    path.write_bytes(b"GGUF one")
    assert installed.file_sha256(path) == installed.file_sha256(path)
    assert [p.name for p in tmp_path.iterdir()] == ["m.gguf"]  # nothing written beside it
    assert list((installed.models_dir() / ".sha256").iterdir())
