"""Read the second half of a long PDF's pages in a forked helper while this process reads
the first half: text extraction is pure Python and bound to one core, and a 352-page book then
takes about half the time on a machine with two cores or more.

Only inside the reader child process (``app.ingest.isolated``): it holds no threads yet (OCR
comes after this pass), so ``fork`` is safe there, and the helper inherits the parsed file,
the memory limit, and the rule that it dies with its parent. Anywhere ``fork`` is missing, or
the helper fails, the pages are read here, one after the other.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
from collections.abc import Callable
from typing import Any, TypeVar

from app.ingest._common import die_with_parent

log = logging.getLogger(__name__)
T = TypeVar("T")
MIN_PAGES = 48  # below this the helper's start costs more than it saves


def helpers_available() -> bool:
    return (os.cpu_count() or 1) >= 2 and hasattr(os, "fork")


def scan_pages(count: int, scan: Callable[[int, int], list[T]], parallel: bool) -> list[T]:
    """``scan(first, last)`` over pages 1..count (``last`` included), the second half in a
    forked helper when ``parallel`` and worth it. (os.fork, not multiprocessing: the reader
    child is a daemon process, which multiprocessing forbids to have children.)"""
    if not parallel or count < MIN_PAGES or not helpers_available():
        return scan(1, count)
    middle = count // 2
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the helper
        os.close(reading)
        _helper(writing, scan, middle + 1, count)
    os.close(writing)
    try:
        first = scan(1, middle)
        second = _collect(reading)
    finally:
        os.close(reading)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    if second is None:
        log.info("the helper reading pages %d-%d failed; reading them here", middle + 1, count)
        second = scan(middle + 1, count)
    return first + second


def _helper(writing: int, scan: Callable[[int, int], list[Any]], first: int, last: int) -> None:
    try:
        die_with_parent()
        try:
            payload = pickle.dumps(("done", scan(first, last)))
        except BaseException as error:  # anything: the parent reads these pages itself
            payload = pickle.dumps(("failed", f"{type(error).__name__}: {error}"[:200]))
        with os.fdopen(writing, "wb") as out:
            out.write(payload)
    finally:
        os._exit(0)  # no atexit handlers, no flushing of the parent's inherited buffers


def _collect(reading: int) -> list[Any] | None:
    chunks = []
    while chunk := os.read(reading, 1 << 20):
        chunks.append(chunk)
    try:
        kind, payload = pickle.loads(b"".join(chunks))
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError):
        return None  # the helper died (memory limit, a crash) before it finished
    if kind != "done":
        log.info("page helper failed: %s", payload)
        return None
    result: list[Any] = payload
    return result
