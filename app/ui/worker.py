"""The one way the app runs long work off the GUI thread.

``start_job(fn, name, parent, on_done=..., on_error=...)`` runs ``fn(progress, cancel, on_text)``
on a worker thread. The three arguments come from core (a ``Progress`` callback, a
``CancelToken``, a text sink for streamed reasoning); here they become Qt signals, delivered on
the GUI thread in order. The GUI never blocks: ``on_done`` gets the function's result (typed:
``Job[T]``), ``on_error`` the exception it raised (a cancelled job raises ``Cancelled``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal

from app.core.engine import TokenCallback
from app.core.progress import CancelToken, Progress, ProgressEvent

log = logging.getLogger(__name__)
T = TypeVar("T")
JobFunction = Callable[[Progress, CancelToken, TokenCallback], T]


class Job(QObject, Generic[T]):
    # Qt signals carry Python objects; the typed callbacks below are what callers use.
    progress = Signal(object)  # ProgressEvent
    text = Signal(str, str)  # streamed model output: channel ('analysis'/'final'), text
    finished = Signal(object)  # the function's result
    failed = Signal(object)  # the exception it raised

    def __init__(self, function: JobFunction[T], name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cancel_token = CancelToken()
        self.name = name
        self._function = function
        self._thread = threading.Thread(target=self._run, name=f"job: {name}", daemon=True)
        self.done = False

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        """Ask the work to stop; the engine checks between tokens, readers are killed."""
        self.cancel_token.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _emit_text(self, channel: str, text: str) -> None:
        self.text.emit(channel, text)

    def _run(self) -> None:
        try:
            result = self._function(self.progress.emit, self.cancel_token, self._emit_text)
        except BaseException as error:
            if not isinstance(error, Exception):
                log.warning("job %s stopped by %r", self.name, error)
            self.done = True
            self._emit(self.failed, error)
            return
        self.done = True
        self._emit(self.finished, result)

    def _emit(self, signal: Any, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the window that started it was closed: no one to tell
            log.info("job %s finished after its window closed", self.name)


def start_job(
    function: JobFunction[T],
    name: str,
    parent: QObject | None,
    *,
    on_done: Callable[[T], Any],
    on_error: Callable[[BaseException], Any],
    on_progress: Callable[[ProgressEvent], Any] | None = None,
    on_text: Callable[[str, str], Any] | None = None,
) -> Job[T]:
    """Connected before the thread starts, so no early signal is lost."""
    job: Job[T] = Job(function, name, parent)
    job.finished.connect(on_done)
    job.failed.connect(on_error)
    if on_progress is not None:
        job.progress.connect(on_progress)
    if on_text is not None:
        job.text.connect(on_text)
    job.start()
    return job
