"""Downloads against a fake hub on 127.0.0.1: real HTTP, redirects, range requests."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import Cancelled, DownloadFailed, InputError
from app.core.progress import CancelToken, ProgressEvent
from app.models.catalogue import catalogue, resolve_model
from app.models.download import download
from app.models.installed import load_installed
from tests.helpers.fake_hub import COMMIT, FakeHub, HostedFile
from tests.helpers.gguf_files import small_gguf
from tests.helpers.paths import ROOT

ENTRY = {"repo_id": "acme/tiny-GGUF", "filename": "tiny.gguf", "approx_bytes": 4_200_000}


@pytest.fixture(scope="module")
def model_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return small_gguf(tmp_path_factory.mktemp("gguf") / "tiny.gguf")


@pytest.fixture
def hub(model_bytes: bytes) -> Iterator[FakeHub]:
    fake = FakeHub({"acme/tiny-GGUF/tiny.gguf": HostedFile(model_bytes)}).start()
    yield fake
    fake.stop()


@pytest.fixture
def catalogue_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps({"tiny-test": ENTRY}), encoding="utf-8")
    monkeypatch.setenv("SAFEGUARD_CATALOGUE", str(path))
    return path


def test_download_verifies_records_and_only_downloads(hub: FakeHub, model_bytes: bytes) -> None:
    events: list[ProgressEvent] = []
    item = download("tiny-test", ENTRY, endpoint=hub.url, progress=events.append)
    assert item.path.read_bytes() == model_bytes
    assert item.sha256 == hub.files["acme/tiny-GGUF/tiny.gguf"].sha256
    assert (item.source, item.repo_id, item.revision) == ("download", "acme/tiny-GGUF", COMMIT)
    assert load_installed("tiny-test") == item
    downloading = [e for e in events if e.stage == "downloading"]
    assert downloading[-1].done == downloading[-1].total == len(model_bytes)
    assert all(a.done <= b.done for a, b in itertools.pairwise(downloading))
    assert "MB/s" in downloading[-1].message and "left" in downloading[-1].message
    assert hub.paths() == [
        "/api/models/acme/tiny-GGUF/revision/main?blobs=true",  # the file list with LFS metadata
        f"/acme/tiny-GGUF/resolve/{COMMIT}/tiny.gguf",  # pinned to the listed commit
        "/cdn/acme/tiny-GGUF/tiny.gguf",
    ]
    assert all("authorization" not in {k.lower() for k in h} for _, _, h in hub.requests)
    assert not list(item.path.parent.glob("*.part*"))


def test_token_goes_to_the_hub_and_never_to_the_cdn(hub: FakeHub) -> None:
    download("tiny-test", ENTRY, endpoint=hub.url, token="hf_secret_token")
    auth = {
        path.split("/")[1]: {k.lower(): v for k, v in headers.items()}.get("authorization")
        for _, path, headers in hub.requests
    }
    assert auth == {"api": "Bearer hf_secret_token", "acme": "Bearer hf_secret_token", "cdn": None}


def test_checksum_mismatch_is_quarantined(hub: FakeHub) -> None:
    hub.files["acme/tiny-GGUF/tiny.gguf"].advertised_sha256 = "ab" * 32
    with pytest.raises(DownloadFailed, match="checksum mismatch") as info:
        download("tiny-test", ENTRY, endpoint=hub.url)
    assert "quarantined" in str(info.value)
    folder = Path(os.environ["SAFEGUARD_HOME"]) / "models" / "tiny-test"
    assert [p.name.split("-")[0] for p in folder.iterdir()] == ["tiny.gguf.quarantined"]
    assert load_installed("tiny-test") is None


def cancel_part_way(hub: FakeHub) -> None:
    """A download cancelled once a megabyte has arrived (its partial file is kept)."""
    token = CancelToken()

    def cancel_soon(event: ProgressEvent) -> None:
        if event.stage == "downloading" and event.done >= 1_000_000:
            token.cancel()

    with pytest.raises(Cancelled):
        download("tiny-test", ENTRY, endpoint=hub.url, progress=cancel_soon, cancel=token)


def test_cancel_keeps_a_partial_that_the_next_run_resumes(hub: FakeHub, model_bytes: bytes) -> None:
    cancel_part_way(hub)
    folder = Path(os.environ["SAFEGUARD_HOME"]) / "models" / "tiny-test"
    partial = folder / "tiny.gguf.part"
    kept = partial.stat().st_size
    assert 1_000_000 <= kept < len(model_bytes)
    assert not (folder / "tiny.gguf").exists()
    item = download("tiny-test", ENTRY, endpoint=hub.url)
    assert item.path.read_bytes() == model_bytes
    ranges = [h.get("Range") or h.get("range") for m, p, h in hub.requests if p.startswith("/cdn")]
    assert ranges[-1] == f"bytes={kept}-"


def test_a_new_commit_that_keeps_the_file_does_not_restart(
    hub: FakeHub, model_bytes: bytes
) -> None:
    cancel_part_way(hub)
    hub.commit = "f" * 40  # the model card was edited upstream; the GGUF is the same
    item = download("tiny-test", ENTRY, endpoint=hub.url)
    ranges = [h.get("Range") or h.get("range") for m, p, h in hub.requests if p.startswith("/cdn")]
    assert ranges[-1] is not None and ranges[-1] != "bytes=0-"
    assert (item.revision, item.path.read_bytes()) == ("f" * 40, model_bytes)


def test_resume_after_kill_9(hub: FakeHub, model_bytes: bytes, catalogue_override: Path) -> None:
    hosted = hub.files["acme/tiny-GGUF/tiny.gguf"]
    hosted.delay_per_chunk = 0.02  # about 3 MB/s: slow enough to kill half way
    command = [
        sys.executable,
        "-m",
        "app",
        "model",
        "download",
        "tiny-test",
        "--endpoint",
        hub.url,
        "--quiet",
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    partial = Path(os.environ["SAFEGUARD_HOME"]) / "models" / "tiny-test" / "tiny.gguf.part"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        not partial.exists() or partial.stat().st_size < 1_500_000
    ):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    kept = partial.stat().st_size
    assert 1_500_000 <= kept < len(model_bytes)
    hosted.delay_per_chunk = 0
    result = subprocess.run(
        command, cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    ranges = [h.get("Range") or h.get("range") for m, p, h in hub.requests if p.startswith("/cdn")]
    assert ranges[-1] == f"bytes={kept}-"  # continued; did not start from zero
    assert resolve_model("tiny-test").path.read_bytes() == model_bytes


@pytest.mark.parametrize(
    ("where", "status", "words"),
    [
        ("status", 404, "not found"),
        ("status", 401, "model token"),
        ("status", 403, "access denied"),
        ("status", 500, "HTTP 500"),
        ("cdn_status", 500, "HTTP 500"),
        ("cdn_status", 403, "access denied"),
    ],
)
def test_http_errors_are_explained(hub: FakeHub, where: str, status: int, words: str) -> None:
    setattr(hub.files["acme/tiny-GGUF/tiny.gguf"], where, status)
    with pytest.raises(DownloadFailed, match=words) as info:
        download("tiny-test", ENTRY, endpoint=hub.url)
    assert info.value.exit_code == 3
    assert "\n" not in str(info.value)


def test_a_hanging_hub_times_out_with_a_clear_message(hub: FakeHub) -> None:
    hub.files["acme/tiny-GGUF/tiny.gguf"].hang = True
    started = time.monotonic()
    with pytest.raises(DownloadFailed, match="timed out"):
        download("tiny-test", ENTRY, endpoint=hub.url, timeout=1.0)
    assert time.monotonic() - started < 30


def test_an_unreachable_hub_fails_fast() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the probe is closed
    started = time.monotonic()
    with pytest.raises(DownloadFailed, match="cannot reach .* model import FILE"):
        download("tiny-test", ENTRY, endpoint=f"http://127.0.0.1:{port}", timeout=2.0)
    assert time.monotonic() - started < 30


def test_not_enough_disk_space(hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(InputError, match="not enough disk space"):
        download("tiny-test", ENTRY, endpoint=hub.url)
    assert not [p for _, p, _ in hub.requests if p.startswith("/cdn")]  # nothing fetched


def test_the_catalogue_can_be_overridden(catalogue_override: Path) -> None:
    assert catalogue()["tiny-test"]["repo_id"] == "acme/tiny-GGUF"
    assert "gpt-oss-safeguard-20b" in catalogue()


def test_cli_download_errors_are_one_line(hub: FakeHub, catalogue_override: Path) -> None:
    hub.files["acme/tiny-GGUF/tiny.gguf"].status = 404
    result = subprocess.run(
        [sys.executable, "-m", "app", "model", "download", "tiny-test", "--endpoint", hub.url],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 3
    errors = [line for line in result.stderr.splitlines() if line.startswith("safeguard-desk:")]
    assert len(errors) == 1 and "not found" in errors[0] and "Traceback" not in result.stderr


def test_a_planted_token_is_used_but_never_written_anywhere(
    hub: FakeHub, catalogue_override: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.errors import NoKeyringError

    from app.runtime import secrets

    def no_keyring(*args: object) -> None:
        raise NoKeyringError("headless")

    monkeypatch.setattr(keyring, "set_password", no_keyring)
    planted = "hf_PLANTED_token_must_not_leak"
    secrets.set_token(planted)  # the 0600 fallback file, as on a headless machine
    result = subprocess.run(
        [sys.executable, "-m", "app", "model", "download", "tiny-test", "--endpoint", hub.url],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    sent = [h for _, p, h in hub.requests if "/resolve/" in p]
    assert {k.lower(): v for k, v in sent[0].items()}["authorization"] == f"Bearer {planted}"
    assert planted not in result.stdout + result.stderr
    holders = [
        p.relative_to(isolated_home).as_posix()
        for p in isolated_home.rglob("*")
        if p.is_file() and planted.encode() in p.read_bytes()
    ]
    assert holders == ["secrets/huggingface-token"]  # not the log, the manifest or anything else
    assert (isolated_home / "logs" / "safeguard-desk.log").exists()
