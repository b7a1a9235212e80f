"""Installed models: one folder per model under the models dir, holding the GGUF file and a
``manifest.json`` (sha256, size, source, header facts). A file only becomes a model by an atomic
rename after it was completely written and hashed, so a half file is never taken for a model."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.core.bounded import read_regular_file
from app.core.clock import utc_now
from app.core.errors import InputError, ModelUnavailable
from app.core.progress import CancelToken, Progress, ProgressEvent, no_progress
from app.models.gguf_header import GgufInfo, read_header
from app.runtime.files import atomic_write
from app.runtime.paths import models_dir

MANIFEST = "manifest.json"
CHUNK = 4 * 2**20
DISK_MARGIN = 256 * 2**20

SMALL_FILE_BYTES = 1024 * 1024  # a manifest or a checksum memo is a few hundred bytes


@dataclass(frozen=True)
class Installed:
    name: str
    file: str
    sha256: str
    size: int
    source: str  # "download" | "import"
    installed_at: str
    architecture: str = ""
    parameters: int = 0
    quantization: str = ""
    context_length: int = 0
    repo_id: str = ""
    revision: str = ""

    @property
    def path(self) -> Path:
        return models_dir() / self.name / self.file


def manifest_path(name: str) -> Path:
    return models_dir() / name / MANIFEST


def load_installed(name: str) -> Installed | None:
    try:  # bounded: a FIFO or a device in the models folder is not read
        raw = read_regular_file(manifest_path(name), SMALL_FILE_BYTES, "manifest", InputError)
        return Installed(**json.loads(raw))
    except (InputError, ValueError, TypeError):
        return None


def list_installed() -> list[Installed]:
    root = models_dir()
    if not root.is_dir():
        return []
    found = [load_installed(folder.name) for folder in sorted(root.iterdir()) if folder.is_dir()]
    return [item for item in found if item is not None and item.path.is_file()]


def record(
    name: str, path: Path, sha256: str, source: str, info: GgufInfo, **extra: str
) -> Installed:
    item = Installed(
        name=name,
        file=path.name,
        sha256=sha256,
        size=path.stat().st_size,
        source=source,
        installed_at=utc_now(),
        architecture=info.architecture,
        parameters=info.parameters,
        quantization=info.quantization,
        context_length=info.context_length,
        **extra,
    )
    atomic_write(manifest_path(name), json.dumps(asdict(item), indent=2) + "\n", private=True)
    remember_sha256(path, sha256)
    return item


def _memo(path: Path) -> tuple[Path, str]:
    stat = path.stat()
    return path.with_name(path.name + ".sha256"), f"{stat.st_size}:{stat.st_mtime_ns}"


def remember_sha256(path: Path, digest: str) -> None:
    """Keep a file's sha256 beside it, keyed by size and mtime: hashing gigabytes on every check
    would cost seconds. A read-only model folder only costs a re-hash next time."""
    memo, key = _memo(path)
    with contextlib.suppress(OSError):
        atomic_write(memo, f"{key} {digest}\n", private=True)


def file_sha256(path: Path) -> str:
    """sha256 of a file, from its memo when the file has not changed since."""
    memo, key = _memo(path)
    try:
        raw = read_regular_file(memo, SMALL_FILE_BYTES, "checksum memo", InputError)
        cached_key, cached = raw.decode("utf-8").split()
        if cached_key == key:
            return cached
    except (InputError, ValueError):
        pass
    digest: str = hash_file(path).hexdigest()
    remember_sha256(path, digest)
    return digest


def hash_file(path: Path, stage: str = "", progress: Progress = no_progress) -> Any:
    """A hashlib sha256 object fed with the whole file (callers may keep feeding it)."""
    digest = hashlib.sha256()
    total = path.stat().st_size
    done, started = 0, time.monotonic()
    with path.open("rb") as reader:
        while block := reader.read(CHUNK):
            digest.update(block)
            done += len(block)
            if stage:
                progress(transfer_event(stage, done, total, started))
    return digest


def check_disk(folder: Path, needed: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if needed + DISK_MARGIN > free:
        raise InputError(
            f"not enough disk space: {needed / 2**30:.1f} GiB needed, {free / 2**30:.1f} GiB free",
            path=folder,
        )


def import_model(
    source: Path,
    name: str | None = None,
    *,
    expected_sha256: str | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> Installed:
    """Copy a GGUF file (from a USB stick, say) into the models dir, hashing as it goes."""
    cancel = cancel or CancelToken()
    info = read_header(source)  # refuses non-GGUF and truncated files before any copying
    name = name or source.stem
    folder = models_dir() / name
    target = folder / source.name
    check_disk(folder, info.file_bytes)
    partial = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    done, started = 0, time.monotonic()
    try:
        with source.open("rb") as reader, partial.open("wb") as writer:
            while block := reader.read(CHUNK):
                cancel.raise_if_cancelled()
                writer.write(block)
                digest.update(block)
                done += len(block)
                progress(transfer_event("copying", done, info.file_bytes, started))
    except BaseException:
        partial.unlink(missing_ok=True)  # a local copy is cheap to redo; never keep half of one
        raise
    sha256 = digest.hexdigest()
    if expected_sha256 and sha256 != expected_sha256:
        partial.unlink(missing_ok=True)
        raise ModelUnavailable(
            f"checksum mismatch: sha256 {sha256[:16]}… but the catalogue expects "
            f"{expected_sha256[:16]}… for '{name}'; the file is damaged or a different build",
            path=source,
        )
    partial.replace(target)
    return record(name, target, sha256, "import", read_header(target))


def verify(name: str, progress: Progress = no_progress) -> Installed:
    item = load_installed(name)
    if item is None or not item.path.is_file():
        raise ModelUnavailable(f"model '{name}' is not installed")
    digest = hash_file(item.path, "verifying", progress)
    actual = digest.hexdigest()
    if actual != item.sha256:
        raise ModelUnavailable(
            f"checksum mismatch: the file changed or is damaged (sha256 {actual[:16]}…, "
            f"recorded {item.sha256[:16]}…); download or import it again",
            path=item.path,
        )
    return item


def remove(name: str) -> Path:
    folder = models_dir() / name
    # a name, never a path: "model remove .." must not delete the data folder
    if not name or name in (".", "..") or Path(name).name != name or "\\" in name:
        raise ModelUnavailable(f"'{name}' is not a model name")
    if load_installed(name) is None and not folder.is_dir():
        raise ModelUnavailable(f"model '{name}' is not installed")
    shutil.rmtree(folder)
    return folder


def transfer_event(
    stage: str, done: int, total: int, started: float, base: int = 0
) -> ProgressEvent:
    """Bytes, rate and time left, for a progress bar. ``base``: bytes that were already there
    when ``started`` (a resumed download), which count as done but not towards the rate."""
    elapsed = max(time.monotonic() - started, 1e-6)
    rate = (done - base) / elapsed
    left = max(total - done, 0) / rate if rate > 0 and total else 0
    message = (
        f"{done / 2**20:.1f}/{total / 2**20:.1f} MB, {rate / 2**20:.1f} MB/s, {_eta(left)} left"
    )
    return ProgressEvent(stage, done, total, message)


def _eta(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"
