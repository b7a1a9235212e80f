from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import Cancelled, ModelUnavailable
from app.core.progress import CancelToken, ProgressEvent
from app.models import installed
from app.models.catalogue import resolve_model
from app.models.gguf_header import read_header
from tests.helpers.gguf import small_gguf


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
