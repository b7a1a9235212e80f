"""Progress reporting and cancellation for long work, shared by the CLI and the desktop app.

Core functions take a ``Progress`` callback and a ``CancelToken``; the UI wraps them in a worker
thread and turns callbacks into signals, the CLI draws a line on stderr.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from app.core.errors import Cancelled


@dataclass(frozen=True)
class ProgressEvent:
    stage: str  # "reading", "triage", "reasoning", "checking citations", "writing report"
    done: int
    total: int  # 0 when unknown
    message: str = ""


Progress = Callable[[ProgressEvent], None]


def no_progress(event: ProgressEvent) -> None:
    """The callback to use when nobody is watching."""


class CancelToken:
    """Set by whoever wants the work stopped; checked by the work between steps (and tokens)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by the user")
