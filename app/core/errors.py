"""The one exception tree of Safeguard Desk, and the one place that turns errors into user text.

    SafeguardError                  anything we raise on purpose; has a one-line user message
    ├── InputError                  the user's input is unusable (CLI exit 2)
    │   ├── DocumentError           a document cannot be read
    │   │   ├── PasswordRequired        encrypted, no or wrong password
    │   │   ├── NoTextLayer             scanned/image-only or empty
    │   │   │   └── GarbledText             a text layer that is noise (fonts without Unicode)
    │   │   ├── CorruptDocument         damaged, truncated or mislabelled
    │   │   ├── UnsupportedFormat       not a format we read
    │   │   └── TooLarge                over a size, page, character, memory or time limit
    │   ├── PolicyError             a policy file is malformed or unknown
    │   ├── UsageError              command-line arguments that make no sense together
    │   └── OutputError             an output path that would destroy an input or is not a file
    ├── StorageError                a file or folder cannot be read or written (CLI exit 2)
    │   ├── DiskFull                    no space left
    │   ├── NotWritable                 read-only file system or no permission
    │   └── CorruptStore                the store database is damaged or not ours
    ├── AuditError                  the audit trail cannot be trusted (CLI exit 2)
    │   ├── AuditKeyError               the signing key is missing, garbled or another one
    │   └── StoreTampered               the store does not match what this installation signed
    ├── ModelUnavailable            no usable model (CLI exit 3)
    │   └── DownloadFailed              the hub refused, failed or could not be reached
    ├── EngineError                 the engine failed while running
    │   ├── PromptTooLong           the prompt cannot fit the context window
    │   └── ServerFault             a server kept failing (429/503, dropped connections) after
    │                               its retries: that document is not checked (CLI exit 3)
    └── Cancelled                   the user cancelled long work

``as_safeguard_error`` turns what the standard library raises (``OSError``, ``sqlite3.Error``,
``MemoryError``) into one of these, so no ordinary problem reaches the user as a bug. Anything
else is a bug: the CLI and the app log its traceback and show a short "internal error" line that
points at the log. Exit codes are 0-3 only (DESIGN.md): a bug or a cancel is 2.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path


class SafeguardError(Exception):
    """Base class: ``str(error)`` is a one-line message fit for a user."""

    exit_code = 1

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.detail = message
        super().__init__(f"{self.path}: {message}" if self.path is not None else message)


class InputError(SafeguardError):
    exit_code = 2


class DocumentError(InputError):
    pass


class PasswordRequired(DocumentError):
    pass


class NoTextLayer(DocumentError):
    pass


class GarbledText(NoTextLayer):
    pass


class TooLarge(DocumentError):
    pass


class CorruptDocument(DocumentError):
    pass


class UnsupportedFormat(DocumentError):
    pass


class PolicyError(InputError):
    """``line`` is the 1-based line of the policy file the problem is on (0: the whole file);
    the editor and lint use it to point at the line."""

    def __init__(self, message: str, *, path: Path | str | None = None, line: int = 0) -> None:
        super().__init__(f"line {line}: {message}" if line else message, path=path)
        self.detail = message
        self.line = line


class UsageError(InputError):
    pass


class OutputError(InputError):
    """An output path that is an input, another output, a folder, a device or a FIFO."""


class StorageError(SafeguardError):
    exit_code = 2


class DiskFull(StorageError):
    pass


class NotWritable(StorageError):
    pass


class CorruptStore(StorageError):
    pass


class AuditError(SafeguardError):
    exit_code = 2


class AuditKeyError(AuditError):
    pass


class StoreTampered(AuditError):
    pass


class ModelUnavailable(SafeguardError):
    """``cli_step`` / ``app_step``: what to do next, in each front end's own words (a command to
    run; a menu and a button). ``str()`` is the problem with the command-line step, as the CLI
    prints it; the app shows ``problem`` with ``app_step`` (never a command to type)."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        cli_step: str = "",
        app_step: str = "",
    ) -> None:
        super().__init__(f"{message}; {cli_step}" if cli_step else message, path=path)
        self.problem = message
        self.cli_step = cli_step
        self.app_step = app_step


class DownloadFailed(ModelUnavailable):
    pass


class EngineError(SafeguardError):
    exit_code = 1


class PromptTooLong(EngineError):
    exit_code = 2


class ServerFault(EngineError):
    """Retried and still failing: a batch marks the document failed and goes on with the next
    (unlike ``ModelUnavailable``, a server that cannot be reached at all, which stops it).
    ``run_id``: the stored run it failed, once the check has recorded it."""

    exit_code = 3
    run_id: int | None = None


class Cancelled(SafeguardError):
    exit_code = 2


_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_NOT_WRITABLE = {errno.EROFS, errno.EACCES, errno.EPERM}


def from_os_error(error: OSError, doing: str, path: Path | str | None = None) -> SafeguardError:
    """A named error for an ``OSError`` met while ``doing`` something ("writing the report"),
    with the next step. ``path`` defaults to the file the error names."""
    where = path if path is not None else error.filename
    reason = error.strerror or type(error).__name__
    if error.errno in _FULL:
        return DiskFull(
            f"{doing}: no space left on the device; free some space and retry", path=where
        )
    if error.errno in _NOT_WRITABLE:
        return NotWritable(
            f"{doing}: {reason} (read-only or not yours); choose a folder you can write to",
            path=where,
        )
    if error.errno == errno.ENOENT:
        return StorageError(f"{doing}: the file or its folder does not exist", path=where)
    if error.errno == errno.EISDIR:
        return OutputError(f"{doing}: is a folder, not a file", path=where)
    return StorageError(f"{doing}: {reason}", path=where)


def from_sqlite_error(error: sqlite3.Error, path: Path | str | None = None) -> SafeguardError:
    text = str(error)
    lowered = text.lower()
    if "full" in lowered:
        return DiskFull("the store cannot grow: no space left on the device", path=path)
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered:
        return NotWritable(
            f"the store cannot be written ({text}); check the folder's permissions", path=path
        )
    if "locked" in lowered or "busy" in lowered:
        return StorageError(
            "the store is busy (another Safeguard Desk is writing it); retry", path=path
        )
    if isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.ProgrammingError):
        return CorruptStore(
            f"the store is damaged ({text}); restore it from a backup, or move it aside to "
            "start a new one",
            path=path,
        )
    return StorageError(f"the store failed ({text})", path=path)


def as_safeguard_error(error: BaseException) -> SafeguardError | None:
    """What a standard-library error means for the user; None for a bug."""
    if isinstance(error, SafeguardError):
        return error
    if isinstance(error, KeyboardInterrupt):
        return Cancelled("cancelled")
    if isinstance(error, OSError):
        return from_os_error(error, "cannot use the file")
    if isinstance(error, sqlite3.Error):
        return from_sqlite_error(error)
    if isinstance(error, ValueError) and "null byte" in str(error):  # os.stat("a\0b")
        return InputError("a file name holds a NUL character; no file can have that name")
    if isinstance(error, MemoryError):
        return StorageError("out of memory; close other programs or lower the reading limits")
    return None


def user_text(error: BaseException) -> str:
    """One line for a person: ours say what is wrong; anything else is reported as a bug."""
    named = as_safeguard_error(error)
    if named is not None:
        return " ".join(str(named).split())
    return f"internal error ({type(error).__name__}); details are in the log file"


def exit_code(error: BaseException) -> int:
    """0-3 only: a bug is 2 (the command could not be done), never another code."""
    named = as_safeguard_error(error)
    return named.exit_code if named is not None else 2
