"""Route llama.cpp's own log lines into our log file instead of the user's terminal."""

from __future__ import annotations

import ctypes
import logging

import llama_cpp

log = logging.getLogger("app.llama_cpp")
# ggml_log_level: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5 (continues the last line)
_LEVELS = {1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}


@llama_cpp.llama_log_callback  # type: ignore[untyped-decorator]
def _to_logging(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    message = text.decode("utf-8", errors="replace").rstrip()
    if message:
        log.log(_LEVELS.get(level, logging.DEBUG), "%s", message)


def install() -> None:
    """Idempotent; the callback object lives at module level so ctypes never frees it."""
    llama_cpp.llama_log_set(_to_logging, ctypes.c_void_p(0))
