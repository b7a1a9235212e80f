"""Bounded reads of small files the user names (policies, their test cases).

Trust rule 6: every read is bounded. ``Path.read_bytes()`` on a FIFO blocks forever and on
``/dev/zero`` grows without end; here the file must be a regular file under a size limit, checked
before reading (``stat``) and again on the open descriptor (``fstat``, so a swap between the two
cannot slip a device in), and the read itself stops one byte past the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from app.core.errors import SafeguardError

# Opening a FIFO for reading blocks until a writer appears, unless non-blocking (POSIX only).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def file_kind(mode: int) -> str:
    """'a FIFO', 'a device', … for an error message ('' for a regular file)."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def require_regular_file(path: Path, limit: int, what: str, error: type[SafeguardError]) -> int:
    """For a file read as a stream (a gzip data set): its size, once it is known to be a
    regular file under ``limit``; ``error`` naming the path and the problem otherwise."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise error(f"{what} not found", path=path) from None
    except OSError as problem:
        raise error(f"cannot read {what}: {problem.strerror}", path=path) from None
    kind = file_kind(info.st_mode)
    if kind:
        raise error(f"{what} is {kind}, not a regular file: not read", path=path)
    if info.st_size > limit:
        raise error(f"{what} is {_size(info.st_size)}, over the {_size(limit)} limit", path=path)
    return info.st_size


def read_regular_file(path: Path, limit: int, what: str, error: type[SafeguardError]) -> bytes:
    """The bytes of ``path``, or ``error`` naming the path and the problem."""
    try:
        kind = file_kind(os.stat(path).st_mode)
    except FileNotFoundError:
        raise error(f"{what} not found", path=path) from None
    except OSError as problem:
        raise error(f"cannot read {what}: {problem.strerror}", path=path) from None
    if kind:
        raise error(f"{what} is {kind}, not a regular file: not read", path=path)
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as problem:
        raise error(f"cannot read {what}: {problem.strerror}", path=path) from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        kind = file_kind(info.st_mode)
        if kind:
            raise error(f"{what} is {kind}, not a regular file: not read", path=path)
        if info.st_size > limit:
            size, most = _size(info.st_size), _size(limit)
            raise error(f"{what} is {size}, over the {most} limit", path=path)
        try:
            data = handle.read(limit + 1)
        except OSError as problem:
            raise error(f"cannot read {what}: {problem.strerror}", path=path) from None
    if len(data) > limit:  # grew while we read it
        raise error(f"{what} is over the {_size(limit)} limit", path=path)
    return data


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    return f"{count / 1024:.0f} KB" if count >= 1024 else f"{count} bytes"
