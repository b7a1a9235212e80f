"""Logging to a file in the data dir: tracebacks go there, never to the user's screen."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from app.runtime.paths import logs_dir

LOG_NAME = "safeguard-desk.log"


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Returns the log file, or None when it cannot be written (then nothing is logged)."""
    root = logging.getLogger()
    root.setLevel(level)
    for old in list(root.handlers):
        if getattr(old, "_safeguard", False):
            root.removeHandler(old)
    handler: logging.Handler
    try:
        folder = logs_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LOG_NAME
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=5 * 2**20, backupCount=3, encoding="utf-8"
        )
    except OSError:
        path, handler = None, logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    setattr(handler, "_safeguard", True)  # noqa: B010 -- marks our handler for re-setup
    root.addHandler(handler)
    return path
