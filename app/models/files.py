"""File helpers the model store shares: hashing with progress, a remembered sha256 per file,
atomic writes, the free-space check, and transfer progress events."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import time
from pathlib import Path
from typing import Any

from app.core.bounded import read_regular_file
from app.core.errors import InputError
from app.core.progress import CancelToken, Progress, ProgressEvent, no_progress
from app.runtime.files import atomic_write
from app.runtime.paths import models_dir

CHUNK = 4 * 2**20
DISK_MARGIN = 256 * 2**20
MEMO_DIR = ".sha256"


def _memo(path: Path) -> tuple[Path, str]:
    """Where a file's sha256 is remembered, and the size:mtime key it is valid for. Files in
    our models folder keep it beside them; any other file (a linked model in LM Studio's folder,
    a --model PATH on a share) gets it in our folder: we never write into someone else's."""
    stat = path.stat()
    key = f"{stat.st_size}:{stat.st_mtime_ns}"
    absolute = path.absolute()
    root = models_dir().absolute()
    if absolute.is_relative_to(root):
        return path.with_name(path.name + ".sha256"), key
    name = hashlib.sha256(str(absolute).encode()).hexdigest()[:32]
    return root / MEMO_DIR / f"{name}.sha256", key


def remember_sha256(path: Path, digest: str) -> None:
    """Keep a file's sha256, keyed by size and mtime: hashing gigabytes on every check would
    cost seconds. A read-only models folder only costs a re-hash next time."""
    memo, key = _memo(path)
    with contextlib.suppress(OSError):
        atomic_write(memo, f"{key} {digest}\n")


def forget_sha256(path: Path) -> None:
    with contextlib.suppress(OSError):
        _memo(path)[0].unlink(missing_ok=True)


def file_sha256(path: Path) -> str:
    """sha256 of a file, from its memo when the file has not changed since."""
    memo, key = _memo(path)
    try:
        # bounded: a memo is a line; a FIFO or a device in its place is not read
        raw = read_regular_file(memo, 1024 * 1024, "checksum memo", InputError)
        cached_key, cached = raw.decode("utf-8").split()
        if cached_key == key:
            return cached
    except (OSError, InputError, ValueError):
        pass
    digest: str = hash_file(path).hexdigest()
    remember_sha256(path, digest)
    return digest


def hash_file(
    path: Path,
    stage: str = "",
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    base: int = 0,
    total: int = 0,
) -> Any:
    """A hashlib sha256 object fed with the whole file (callers may keep feeding it).
    ``base``/``total``: bytes already done / in all, when this file is one of several parts."""
    digest = hashlib.sha256()
    total = total or path.stat().st_size
    done, started = base, time.monotonic()
    with path.open("rb") as reader:
        while block := reader.read(CHUNK):
            if cancel is not None:
                cancel.raise_if_cancelled()
            digest.update(block)
            done += len(block)
            if stage:
                progress(transfer_event(stage, done, total, started, base))
    return digest


def check_disk(folder: Path, needed: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if needed + DISK_MARGIN > free:
        raise InputError(
            f"not enough disk space: {needed / 2**30:.1f} GiB needed, {free / 2**30:.1f} GiB free",
            path=folder,
        )


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
