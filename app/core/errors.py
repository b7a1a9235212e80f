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
    │   └── UsageError              command-line arguments that make no sense together
    ├── ModelUnavailable            no usable model (CLI exit 3)
    │   └── DownloadFailed              the hub refused, failed or could not be reached
    ├── EngineError                 the engine failed while running
    │   ├── PromptTooLong           the prompt cannot fit the context window
    │   └── ServerFault             a server kept failing (429/503, dropped connections) after
    │                               its retries: that document is not checked (CLI exit 3)
    └── Cancelled                   the user cancelled long work

Everything that is not a SafeguardError is a bug: the CLI and the app log its traceback and show
a short "internal error" line that points at the log.
"""

from __future__ import annotations

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


class ModelUnavailable(SafeguardError):
    exit_code = 3


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
    exit_code = 130


def user_text(error: BaseException) -> str:
    """One line for a person: ours say what is wrong; anything else is reported as a bug."""
    if isinstance(error, SafeguardError):
        return " ".join(str(error).split())
    if isinstance(error, KeyboardInterrupt):
        return "cancelled"
    return f"internal error ({type(error).__name__}); details are in the log file"


def exit_code(error: BaseException) -> int:
    if isinstance(error, SafeguardError):
        return error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return Cancelled.exit_code
    return 70  # EX_SOFTWARE: a bug, not the user's fault
