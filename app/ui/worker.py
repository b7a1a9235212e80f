"""The one way the app runs long work off the GUI thread.

``start_job(fn)`` runs ``fn(progress, cancel, on_text)`` on a worker thread. The three callbacks
come from core (a ``Progress`` callback, a ``CancelToken``, a text sink for streamed reasoning);
here they become Qt signals, delivered on the GUI thread in order. The GUI never blocks: it
gets ``finished`` with the result or ``failed`` with the exception (a cancelled job fails with
``Cancelled``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.engine import TokenCallback
from app.core.progress import CancelToken, Progress

log = logging.getLogger(__name__)
JobFunction = Callable[[Progress, CancelToken, TokenCallback], Any]


class Job(QObject):
    progress = Signal(object)  # ProgressEvent
    text = Signal(str, str)  # streamed model output: channel ('analysis'/'final'), text
    finished = Signal(object)  # the function's result
    failed = Signal(object)  # the exception it raised

    def __init__(self, function: JobFunction, name: str, parent: QObject | None = None) -> None:
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
            self.failed.emit(error)
            return
        self.done = True
        self.finished.emit(result)


def start_job(function: JobFunction, name: str, parent: QObject | None = None) -> Job:
    job = Job(function, name, parent)
    job.start()
    return job
