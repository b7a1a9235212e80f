"""Small helpers shared by the readers."""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path

from app.core.documents import Location
from app.core.errors import TooLarge
from app.core.limits import ExtractionLimits

log = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
# What parsing libraries raise on damaged or hostile files besides their own exception types;
# each reader adds its library's own.
PARSER_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    AssertionError,
    RecursionError,
    OSError,
    EOFError,
    ZeroDivisionError,
)


def reason(error: BaseException) -> str:
    """A library's exception as a short phrase for a one-line message."""
    text = " ".join(str(error).split())
    return text[:120] if text else type(error).__name__


def check_chars(blocks: list[tuple[str, Location]], limits: ExtractionLimits, path: Path) -> None:
    """Refuse a document whose text is over the character limit (a bomb of text, or a book
    nobody meant to check in one go)."""
    total = sum(len(text) for text, _ in blocks)
    if total > limits.max_chars:
        raise TooLarge(
            f"{total:,} characters of text, more than the limit of {limits.max_chars:,}",
            path=path,
        )


def die_with_parent() -> None:
    """If the app is killed (kill -9, a crash), the kernel kills this reader too, instead of
    leaving it to chew on a huge file for nobody (Linux; elsewhere the pipe breaks later)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)
    except (OSError, AttributeError):
        log.info("could not tie the reader's life to the app's")
