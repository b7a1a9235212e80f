"""Read a document in a child process that can be killed: a pathological file (a decompression
bomb, a parser stuck in a loop) costs at most the time and memory limits, never the app.

The child is started with ``spawn`` (not ``fork``): the desktop app has Qt and engine threads
that must not be copied into it. It reports page progress and sends back either the Document
or the error's class and message, rebuilt here so the one exception tree still holds.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import time
from pathlib import Path
from typing import Any

from app.core import errors
from app.core.bounded import file_kind
from app.core.documents import Document
from app.core.errors import CorruptDocument, DocumentError, TooLarge, UnsupportedFormat
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.core.progress import CancelToken, Progress, ProgressEvent, no_progress
from app.ingest._common import die_with_parent

log = logging.getLogger(__name__)
_POLL_S = 0.05


def read_isolated(
    path: Path,
    password: str | None = None,
    limits: ExtractionLimits = DEFAULT_LIMITS,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    encoding: str | None = None,
) -> Document:
    """Like ``read_document``, in a child process bounded by ``limits``. Cancel kills it.
    ``encoding``: a text file's encoding as the user chose it (None: detected). A FIFO, a
    device or a folder is refused here, unread (a FIFO would hold the child until the timeout)."""
    path = Path(path)
    try:
        kind = file_kind(os.stat(path).st_mode)
    except OSError:
        kind = ""  # missing or unreadable: the reader names the problem
    if kind:
        raise UnsupportedFormat(f"is {kind}, not a regular file: not read", path=path)
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child_main, args=(sender, str(path), password, limits, encoding), daemon=True
    )
    progress(ProgressEvent("reading", 0, 0, path.name))
    child.start()
    sender.close()  # ours is closed so a dead child shows as EOF on the receiving end
    deadline = time.monotonic() + limits.timeout_s
    try:
        return _wait(receiver, child, path, limits, deadline, progress, cancel)
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()


def _wait(
    receiver: multiprocessing.connection.Connection,
    child: Any,
    path: Path,
    limits: ExtractionLimits,
    deadline: float,
    progress: Progress,
    cancel: CancelToken | None,
) -> Document:
    while True:
        if cancel is not None:
            cancel.raise_if_cancelled()
        if time.monotonic() > deadline:
            raise TooLarge(
                f"reading it took longer than {limits.timeout_s:.0f} s and was stopped; "
                "raise the limit in Settings (or --extract-timeout) if the file is really that big",
                path=path,
            )
        if not receiver.poll(_POLL_S):
            continue
        try:
            kind, *payload = receiver.recv()
        except EOFError:
            child.join(1)
            raise _died(path, child.exitcode, limits) from None
        if kind == "page":
            done, total = payload
            progress(ProgressEvent("reading", done, total, f"{path.name}: page {done} of {total}"))
        elif kind == "ocr":
            done, total, page = payload
            message = f"{path.name}: OCR of page {page} ({done} of {total} without text)"
            progress(ProgressEvent("reading", done, total, message))
        elif kind == "done":
            document: Document = payload[0]
            return document
        else:
            raise _rebuild(path, *payload)


def _died(path: Path, exitcode: int | None, limits: ExtractionLimits) -> DocumentError:
    log.warning("reader process for %s died with exit code %s", path, exitcode)
    return CorruptDocument(
        f"reading it crashed the reader (exit code {exitcode}); it may be damaged or need "
        f"more than the {limits.max_memory_mb} MB memory limit",
        path=path,
    )


def _rebuild(path: Path, class_name: str, detail: str) -> Exception:
    cls = getattr(errors, class_name, None)
    if isinstance(cls, type) and issubclass(cls, errors.SafeguardError):
        return cls(detail, path=path)
    return CorruptDocument(f"could not be read ({detail})", path=path)


def _child_main(
    sender: multiprocessing.connection.Connection,
    path: str,
    password: str | None,
    limits: ExtractionLimits,
    encoding: str | None = None,
) -> None:
    die_with_parent()
    _limit_memory(limits.max_memory_mb)
    from app.ingest import read_document  # imported here: the parent need not load parsers
    from app.ingest.pdf import ReadProgress
    from app.runtime.logs import setup_logging

    setup_logging()  # parser complaints go to the log file, not to the user's terminal

    class Sender(ReadProgress):
        last = 0.0
        parallel = True  # this process holds no threads: a forked page helper is safe

        def __call__(self, done: int, total: int) -> None:
            now = time.monotonic()
            if now - self.last > 0.1 or done == total:  # at most ~10 messages a second
                self.last = now
                sender.send(("page", done, total))

        def ocr(self, done: int, total: int, page: int) -> None:
            sender.send(("ocr", done, total, page))  # seconds apart: every one is sent

    try:
        document = read_document(Path(path), password, limits, Sender(), encoding=encoding)
        sender.send(("done", document))
    except errors.SafeguardError as error:
        sender.send(("error", type(error).__name__, error.detail))
    except MemoryError:
        sender.send(
            (
                "error",
                "TooLarge",
                f"reading it needs more than the {limits.max_memory_mb} MB memory limit",
            )
        )
    except Exception as error:  # a parser bug on a hostile file: report it, do not crash
        logging.getLogger(__name__).exception("reading %s failed", path)
        sender.send(("error", "CorruptDocument", f"{type(error).__name__}: {error}"[:200]))
    finally:
        sender.close()


def _limit_memory(megabytes: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: the timeout still bounds the damage
        return
    limit = megabytes * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        log.info("could not set a memory limit of %d MB", megabytes)
