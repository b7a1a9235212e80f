"""Logging to a file in the data dir: tracebacks go there, never to the user's screen.

The log holds document names and error details, so it is created 0600 in the private data
folder (rotated files too). A log that cannot be written (disk full, read-only) is dropped
quietly: the standard handler would print "--- Logging error ---" and a traceback on stderr.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
from pathlib import Path

from app.core.errors import SafeguardError
from app.runtime.files import private_dir
from app.runtime.paths import logs_dir, private_data_dir

LOG_NAME = "safeguard-desk.log"


class PrivateLogHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are 0600 and whose failures never reach the terminal."""

    def _open(self) -> io.TextIOWrapper:
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(descriptor, "a", encoding=self.encoding, errors=self.errors)

    def handleError(self, record: logging.LogRecord) -> None:
        # Losing a log line is better than a traceback on the user's terminal.
        return None


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Returns the log file, or None when it cannot be written (then nothing is logged)."""
    root = logging.getLogger()
    root.setLevel(level)
    for old in list(root.handlers):
        if getattr(old, "_safeguard", False):
            root.removeHandler(old)
    handler: logging.Handler
    try:
        private_data_dir()
        folder = private_dir(logs_dir())
        log_file = folder / LOG_NAME
        path: Path | None = log_file
        handler = PrivateLogHandler(log_file, maxBytes=5 * 2**20, backupCount=3, encoding="utf-8")
    except (OSError, SafeguardError):
        path, handler = None, logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    setattr(handler, "_safeguard", True)  # noqa: B010 -- marks our handler for re-setup
    root.addHandler(handler)
    return path
