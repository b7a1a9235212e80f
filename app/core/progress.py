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
    # The document this event belongs to, when several are checked at once (``--parallel``):
    # the batch view keeps a row per document in flight. "" for a check of one at a time.
    document: str = ""


Progress = Callable[[ProgressEvent], None]


def no_progress(event: ProgressEvent) -> None:
    """The callback to use when nobody is watching."""


class CancelToken:
    """Set by whoever wants the work stopped; checked by the work between steps (and tokens).
    Work that blocks where it cannot check (a socket waiting for a server's next chunk) hooks
    ``on_cancel`` to be woken: the hook closes the socket."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._hooks: dict[int, Callable[[], None]] = {}
        self._next = 0

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            hooks = list(self._hooks.values())
            self._hooks.clear()
        for hook in hooks:
            hook()

    def on_cancel(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Run ``hook`` (on the cancelling thread) when the token is cancelled, at once when it
        already is. Returns the function that removes the hook again."""
        with self._lock:
            if not self._event.is_set():
                key = self._next
                self._next += 1
                self._hooks[key] = hook
                return lambda: self._remove(key)
        hook()
        return lambda: None

    def _remove(self, key: int) -> None:
        with self._lock:
            self._hooks.pop(key, None)

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True (at once) when cancelled meanwhile."""
        return self._event.wait(seconds)

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by the user")
