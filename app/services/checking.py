"""Checks of documents: read (child process), reason, validate, store, report. The CLI and the
desktop app both call ``run_checks``; only how they show progress and results differs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.core.engine import Engine, TokenCallback
from app.core.errors import DocumentError, ServerFault, user_text
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.core.pipeline import CheckResult, check_document
from app.core.policy import Policy
from app.core.progress import CancelToken, Progress, ProgressEvent, no_progress
from app.core.types import CheckEffort, PolicyMode
from app.ingest.isolated import read_isolated
from app.report.json_report import build_report
from app.services.batch import Batch, SummaryRow, expand, run_started
from app.services.engines import NoModel
from app.services.parallel import Failure, Finished, advertised, bound_check, in_parallel
from app.store.batches import BatchItem
from app.store.repository import Store


@dataclass(frozen=True)
class CheckOptions:
    recheck: bool = True  # keep findings of passages unchanged since the last check
    escalate: bool = True  # re-run doubtful low-effort answers at high effort
    triage_only: bool = False  # screens only, no model (bulk screening)
    policy_mode: PolicyMode = "separate"  # or "combined": all policies in one pass


@dataclass(frozen=True)
class FileOptions:
    """What the user said about one file: its password (an encrypted PDF; never stored) or
    the text encoding chosen after a wrong guess. None: as for every file."""

    password: str | None = None
    encoding: str | None = None


@dataclass(frozen=True)
class CheckRequest:
    """One check of one or more documents, as the user asked for it."""

    policies: tuple[Policy, ...]
    effort: CheckEffort = "medium"
    model_name: str = ""  # names a folder batch (with the policies and effort)
    password: str | None = None  # for every encrypted file (the command line's --password)
    # Per file (the app asks for each encrypted PDF's own password); overrides ``password``.
    files: Mapping[Path, FileOptions] = field(default_factory=dict)
    limits: ExtractionLimits = DEFAULT_LIMITS
    case: str = "default"
    notice: str = ""  # the first line of every report (the smoke model's warning)
    options: CheckOptions = field(default_factory=CheckOptions)
    # Documents in flight at once (a server batches them): 1 one after another; 0 as many as
    # the server says it runs at once (``parallel.advertised``). Engines that run one request
    # at a time (llama.cpp in this process) always get 1.
    parallel: int = 1


@dataclass(frozen=True)
class CheckedFile:
    run_id: int
    result: CheckResult
    report: dict[str, Any]


@dataclass(frozen=True)
class FileOutcome:
    """One document of a check: checked, or the one-line reason it could not be read."""

    path: Path
    number: int  # 1-based, of ``total``
    total: int
    checked: CheckedFile | None = None
    # unreadable (exit 2), or the server kept failing after its retries (exit 3)
    error: Failure | None = None
    in_batch: bool = False  # part of a folder batch (reports are named per document)
    # a batch's run that completed before a crash ticked it off: its report is in the store
    recovered_run: int | None = None


@dataclass
class ChecksDone:
    outcomes: list[FileOutcome] = field(default_factory=list)
    batch: Batch | None = None  # set when folders were given (a resumable queue)
    summary: list[SummaryRow] = field(default_factory=list)  # the batch's rows, resumed included
    summary_file: Path | None = None
    parallel: int = 1  # documents that were in flight at once

    @property
    def run_ids(self) -> list[int]:
        found = [o.checked.run_id if o.checked else o.recovered_run for o in self.outcomes]
        return [run_id for run_id in found if run_id is not None]

    @property
    def errors(self) -> list[Failure]:
        return [o.error for o in self.outcomes if o.error]


def run_checks(
    paths: list[Path],
    request: CheckRequest,
    store: Store,
    engine_for_check: Callable[[], Engine],
    *,
    on_file: Callable[[FileOutcome], None] = lambda outcome: None,
    on_batch: Callable[[Batch], None] = lambda batch: None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    on_text: TokenCallback | None = None,
    summary_folder: Path | None = None,
) -> ChecksDone:
    """Every document in turn, or ``request.parallel`` at once against a server; folders
    become a batch queue in the store that resumes after a crash. A file that cannot be read,
    or that the server kept failing, is reported (``on_file``, in the order documents finish)
    and the others are still checked. ``engine_for_check`` is called when the first readable
    file needs the model, so an unreadable file never costs a model load. Cancel (or any other
    failure past reading) stops the whole check: finished documents stay stored, unfinished
    batch items stay pending. Every progress event of a document names it (``document``)."""
    files, folders = expand(paths)
    done = ChecksDone()
    queue: list[tuple[Path, BatchItem | None]]
    if folders:
        done.batch = Batch(store, files, list(request.policies), request.model_name, request.effort)
        on_batch(done.batch)
        for item in done.batch.recovered:  # finished before a crash, not ticked off: no re-check
            outcome = FileOutcome(item.path, 0, 0, in_batch=True, recovered_run=item.run_id)
            done.outcomes.append(outcome)
            on_file(outcome)
        queue = [(item.path, item) for item in done.batch.pending]
    else:
        queue = [(path, None) for path in files]
    cancel = cancel or CancelToken()
    finished: Iterator[Finished]
    if request.parallel != 1 and not request.options.triage_only and len(queue) > 1:
        engine = engine_for_check()  # a server: nothing to load, and every worker needs it
        count, why = (request.parallel, "") if request.parallel > 1 else advertised(engine)
        if getattr(engine, "slots", None) is None:
            count, why = 1, "the local engine runs one request at a time"
        done.parallel = count
        progress(ProgressEvent("in flight", 0, count, why or f"{count} documents at once"))
        finished = in_parallel(
            queue, count, store, bound_check(request, engine, cancel),
            progress=progress, cancel=cancel,
        )  # fmt: skip
    else:
        finished = _in_turn(queue, request, store, engine_for_check, progress, cancel, on_text)
    for number, result in enumerate(finished, start=1):
        outcome = _record(result, number, len(queue), folders, done.batch)
        progress(ProgressEvent("document finished", number, len(queue), _said(outcome),
                               document=str(result.path)))  # fmt: skip
        done.outcomes.append(outcome)
        on_file(outcome)
    if done.batch:
        done.summary, done.summary_file = done.batch.finish(summary_folder)
    return done


def _in_turn(
    queue: list[tuple[Path, BatchItem | None]],
    request: CheckRequest,
    store: Store,
    engine_for_check: Callable[[], Engine],
    progress: Progress,
    cancel: CancelToken,
    on_text: TokenCallback | None,
) -> Iterator[Finished]:
    for number, (path, item) in enumerate(queue, start=1):
        progress(ProgressEvent("document", number - 1, len(queue), str(path), str(path)))

        def named(event: ProgressEvent, name: str = str(path)) -> None:
            progress(replace(event, document=name))

        def started(run_id: int, item: BatchItem | None = item) -> None:
            if item is not None:
                run_started(store, item, run_id)

        try:
            checked = check_file(
                path, request, store, engine_for_check,
                progress=named, cancel=cancel, on_text=on_text, on_started=started,
            )  # fmt: skip
        except (DocumentError, ServerFault) as error:
            yield Finished(path, item, error=error)
        else:
            yield Finished(path, item, checked=checked)


def _record(
    result: Finished, number: int, total: int, in_batch: bool, batch: Batch | None
) -> FileOutcome:
    """The batch's mark for a finished document (a failed check keeps its run id)."""
    if result.error is not None:
        if batch and result.item:
            run_id = result.error.run_id if isinstance(result.error, ServerFault) else None
            batch.failed(result.item, result.error.detail, run_id)
        return FileOutcome(result.path, number, total, error=result.error, in_batch=in_batch)
    assert result.checked is not None
    if batch and result.item:
        batch.done(result.item, result.checked.run_id)
    return FileOutcome(result.path, number, total, checked=result.checked, in_batch=in_batch)


def _said(outcome: FileOutcome) -> str:
    if outcome.checked is not None:
        return outcome.checked.result.verdict
    return "failed" if isinstance(outcome.error, ServerFault) else "unreadable"


def check_file(
    path: Path,
    request: CheckRequest,
    store: Store,
    engine_for_check: Callable[[], Engine],
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    on_text: TokenCallback | None = None,
    on_started: Callable[[int], None] = lambda run_id: None,
) -> CheckedFile:
    """One document. Raises DocumentError before anything is stored when the file cannot be
    read; any later failure (cancel included) marks the stored run failed and is raised again.
    ``on_started`` gets the run's id as soon as it is stored (a batch records it)."""
    cancel = cancel or CancelToken()
    options = request.options
    started = time.perf_counter()
    own = request.files.get(path, FileOptions())
    password = own.password if own.password is not None else request.password
    document = read_isolated(
        path, password, request.limits, progress, cancel, encoding=own.encoding
    )
    ingest_s = time.perf_counter() - started
    engine = NoModel() if options.triage_only else engine_for_check()
    policies = list(request.policies)
    previous = (
        store.previous_checks(document, policies, engine.info, request.effort)
        if options.recheck
        else {}
    )
    run_id = store.start_run(document, policies, engine.info, request.effort, request.case)
    on_started(run_id)
    try:
        result = check_document(
            document,
            policies,
            engine,
            effort=request.effort,
            progress=progress,
            cancel=cancel,
            on_text=on_text,
            escalate=options.escalate,
            triage_only=options.triage_only,
            policy_mode=options.policy_mode,
            previous=previous,
        )
    except ServerFault as error:  # this document only: named, with its failed run
        store.fail_run(run_id, user_text(error))
        named = ServerFault(error.detail, path=path)
        named.run_id = run_id
        raise named from None
    except BaseException as error:
        store.fail_run(run_id, user_text(error))
        raise
    report = build_report(
        result,
        engine.info,
        timings={"ingest_s": ingest_s, **result.timings},
        notice=request.notice,
    )
    report["run"] = {"id": run_id}
    store.finish_run(run_id, result, report)
    return CheckedFile(run_id, result, report)
