"""Several documents in flight at once against a shared inference server (``--parallel N``).

A server such as vLLM or llama.cpp's ``llama-server`` batches the requests it has, so N
documents at once finish in little more time than one. The work is waiting on sockets, so
threads do it: each worker takes the next document from the queue and checks it with its own
store connection (SQLite connections belong to one thread); the calling thread gets every
result and every progress event through one queue, so whatever it does with them (batch
marks, reports, printing, Qt signals) happens on one thread, in the order documents finish.

What can go wrong is kept apart: a document that cannot be read, or that the server kept
failing after its retries (``ServerFault``), is that document's outcome and the others go on;
anything else (Cancel, the server gone, a bug) cancels the documents in flight (their sockets
are shut) and is raised once the workers have stopped, leaving the unfinished items pending.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.engine import Engine
from app.core.errors import DocumentError, ServerFault
from app.core.progress import CancelToken, Progress, ProgressEvent
from app.store.batches import BatchItem
from app.store.repository import Store

if TYPE_CHECKING:
    from app.services.checking import CheckedFile, CheckRequest

DEFAULT_SERVER_PARALLEL = 4  # a server that does not say how many it runs at once (vLLM)
WAIT_S = 0.2  # how often the calling thread looks up from the queue (Ctrl+C lands there)
Failure = DocumentError | ServerFault  # one document's own outcome; the batch goes on


@dataclass(frozen=True)
class Finished:
    """One document done, in the order they finish."""

    path: Path
    item: BatchItem | None
    checked: CheckedFile | None = None
    error: Failure | None = None


def advertised(engine: Engine) -> tuple[int, str]:
    """How many documents to keep in flight when the user left it to us, and why: the
    server's own slot count where it says, else ``DEFAULT_SERVER_PARALLEL``; 1 for an engine
    that runs one request at a time (llama.cpp in this process: one context)."""
    slots = getattr(engine, "slots", None)
    if slots is None:
        return 1, "the local engine runs one request at a time"
    count = slots()
    if isinstance(count, int) and count > 0:
        return count, f"the server runs {count} requests at once (its slots)"
    return DEFAULT_SERVER_PARALLEL, (
        f"the server does not say how many requests it runs at once: {DEFAULT_SERVER_PARALLEL}"
    )


Check = Callable[[Path, BatchItem | None, Store, Progress], "CheckedFile"]


def in_parallel(
    queue_items: list[tuple[Path, BatchItem | None]],
    workers: int,
    store: Store,
    check: Check,
    *,
    progress: Progress,
    cancel: CancelToken,
) -> Iterator[Finished]:
    """Check every document with ``workers`` threads; yields each as it finishes. ``check``
    is ``check_file`` bound to the request and engine, given the worker's own store."""
    todo: queue.SimpleQueue[tuple[Path, BatchItem | None]] = queue.SimpleQueue()
    for entry in queue_items:
        todo.put(entry)
    results: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()
    count = max(1, min(workers, len(queue_items)))
    threads = [
        threading.Thread(
            target=_worker,
            args=(todo, results, store, check, cancel),
            name=f"check worker {n + 1}",
            daemon=True,
        )
        for n in range(count)
    ]
    for thread in threads:
        thread.start()
    running, first_error = count, None
    try:
        while running:
            try:
                kind, value = results.get(timeout=WAIT_S)
            except queue.Empty:
                continue
            if kind == "progress":
                assert isinstance(value, ProgressEvent)
                progress(value)
            elif kind == "finished":
                assert isinstance(value, Finished)
                yield value
            elif kind == "stopped":
                assert isinstance(value, BaseException)
                if first_error is None:
                    first_error = value
                    cancel.cancel()  # the others stop too: their sockets are shut down
            else:
                running -= 1
    finally:
        # Ctrl+C on this thread, or the consumer stopped: nothing may go on in the background.
        if running:
            cancel.cancel()
        for thread in threads:
            thread.join()
    if first_error is not None:
        raise first_error


def _worker(
    todo: queue.SimpleQueue[tuple[Path, BatchItem | None]],
    results: queue.SimpleQueue[tuple[str, object]],
    store: Store,
    check: Check,
    cancel: CancelToken,
) -> None:
    own = None
    try:
        # This thread's own connection, opened without the checks of opening for work: those
        # would mark the other workers' running runs interrupted.
        own = Store(store.path, store.key, store.actor, heads=store.heads, for_work=False)
        while not cancel.cancelled:
            try:
                path, item = todo.get_nowait()
            except queue.Empty:
                return
            name = str(path)

            def forward(event: ProgressEvent, name: str = name) -> None:
                results.put(("progress", replace(event, document=name)))

            forward(ProgressEvent("document", 0, 0, name))
            try:
                checked = check(path, item, own, forward)
            except (DocumentError, ServerFault) as error:
                results.put(("finished", Finished(path, item, error=error)))
            else:
                results.put(("finished", Finished(path, item, checked=checked)))
    except BaseException as error:  # Cancel, the server gone, a bug: the caller raises it
        results.put(("stopped", error))
    finally:
        if own is not None:
            own.close()
        results.put(("exit", None))


def bound_check(request: CheckRequest, engine: Engine, cancel: CancelToken) -> Check:
    """``check_file`` for one worker: the request and the loaded engine fixed."""
    from app.services.batch import run_started
    from app.services.checking import check_file

    def check(path: Path, item: BatchItem | None, store: Store, progress: Progress) -> CheckedFile:
        def started(run_id: int) -> None:
            if item is not None:
                run_started(store, item, run_id)  # on this worker's own connection

        return check_file(
            path, request, store, lambda: engine,
            progress=progress, cancel=cancel, on_started=started,
        )  # fmt: skip

    return check
