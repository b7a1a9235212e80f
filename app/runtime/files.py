"""The one way Safeguard Desk writes a file: to a hidden partial file beside the target
(``.NAME.PID.THREAD.part``), flushed to disk, then renamed over the target. A crash mid-write
leaves the old file or none, never half of one (reports, manifests, settings, the data set).

Trust rule 6, no output destroys an input: only a regular file (or nothing) is ever replaced.
A folder, a device, a FIFO, a socket, or a symlink to one is refused before anything is written
(renaming over ``/dev/full`` would replace the device node); a symlink to a regular file is
written through, so the link stays. ``refuse_clobbering`` checks a command's outputs against its
inputs and each other before any work starts. Every ``OSError`` becomes a named error
(``app.core.errors.from_os_error``: disk full, read-only, missing folder) naming the path.

Modes: ``private=True`` (files the app owns, reports written where the user did not choose)
creates the file 0600; otherwise the user's umask applies. Replacing an existing file keeps its
mode.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from app.core.bounded import file_kind
from app.core.errors import OutputError, from_os_error

_CHUNK = 1 << 20
_PARTIAL_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def writable_target(path: Path, what: str = "output") -> Path:
    """The file a write to ``path`` replaces: ``path`` itself, or the regular file a symlink
    points at. Raises OutputError for anything that is not a regular file."""
    try:
        info = os.stat(path)  # follows symlinks: a link to a FIFO is a FIFO
    except FileNotFoundError:
        if os.path.islink(path):
            raise OutputError(f"{what} is a symlink to nothing: not written", path=path) from None
        return path
    except OSError as error:
        raise from_os_error(error, f"cannot write the {what}", path) from None
    kind = file_kind(info.st_mode)
    if kind:
        raise OutputError(f"{what} is {kind}, not a regular file: not written", path=path)
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


def private_dir(path: Path) -> Path:
    """A folder readable only by its owner (the data folder and those inside it). Missing
    folders above it are created 0700 too (``mkdir(parents=True)`` would give them the umask's
    mode); an existing folder of ours that others can read is closed."""
    try:
        missing = [folder for folder in (path, *path.parents) if not folder.exists()]
        for folder in reversed(missing):
            folder.mkdir(mode=0o700, exist_ok=True)
        info = path.stat()
        if stat.S_IMODE(info.st_mode) != 0o700 and info.st_uid == getattr(os, "getuid", int)():
            os.chmod(path, 0o700)
    except OSError as error:
        raise from_os_error(error, "cannot create the data folder", path) from None
    return path


def atomic_write(
    path: Path, data: bytes | str, *, private: bool = False, what: str = "file"
) -> None:
    """Write ``data`` to ``path`` atomically. ``what`` names it in errors ("report")."""
    target = writable_target(path, what)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    # pid and thread: two writers of one file (the app's workers) never share a partial
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.part")
    doing = f"cannot write the {what}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            keep: int | None = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            keep = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)  # a stale partial of a crashed run with our pid
        # O_EXCL: a partial path planted as a symlink is never followed
        descriptor = os.open(partial, _PARTIAL_FLAGS, 0o600 if private else 0o666)
        try:
            view = memoryview(payload)
            while view:  # os.write may write less than asked
                written = os.write(descriptor, view[:_CHUNK])
                view = view[written:]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if keep is not None:  # the file it replaces keeps its mode (os.chmod: Windows too)
            os.chmod(partial, keep)
        os.replace(partial, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            partial.unlink()
        if isinstance(error, OSError):
            raise from_os_error(error, doing, path) from None
        raise


def same_file(one: Path, other: Path) -> bool:
    """Whether two paths name one file (hard links and symlinks included)."""
    try:
        return os.path.samefile(one, other)
    except OSError:
        return os.path.realpath(one) == os.path.realpath(other)


def refuse_clobbering(outputs: Mapping[str, Path], inputs: Iterable[Path]) -> None:
    """Refuse (OutputError, before any work) outputs that are an input, are the same file as
    another output, or are not regular files. ``outputs`` maps a name for the message
    ("--pdf") to its path."""
    sources = list(inputs)
    seen: dict[str, Path] = {}
    for name, path in outputs.items():
        writable_target(path, f"{name} output")
        for source in sources:
            if same_file(path, source):
                raise OutputError(
                    f"{name} would overwrite an input ({source}): choose another file", path=path
                )
        for other_name, other in seen.items():
            if same_file(path, other):
                raise OutputError(
                    f"{name} and {other_name} name the same file: give each its own", path=path
                )
        seen[name] = path
