"""Checks of documents: read (child process), reason, validate, store, report. The CLI and the
desktop app both call ``run_checks``; only how they show progress and results differs."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.engine import Engine, TokenCallback
from app.core.errors import DocumentError, user_text
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.core.pipeline import CheckResult, check_document
from app.core.policy import Policy
from app.core.progress import CancelToken, Progress, ProgressEvent, no_progress
from app.core.types import CheckEffort, PolicyMode
from app.ingest.isolated import read_isolated
from app.report.json_report import build_report
from app.services.batch import Batch, SummaryRow, expand
from app.services.engines import NoModel
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
    error: DocumentError | None = None
    in_batch: bool = False  # part of a folder batch (reports are named per document)


@dataclass
class ChecksDone:
    outcomes: list[FileOutcome] = field(default_factory=list)
    batch: Batch | None = None  # set when folders were given (a resumable queue)
    summary: list[SummaryRow] = field(default_factory=list)  # the batch's rows, resumed included
    summary_file: Path | None = None

    @property
    def run_ids(self) -> list[int]:
        return [o.checked.run_id for o in self.outcomes if o.checked]

    @property
    def errors(self) -> list[DocumentError]:
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
    """Every document in turn; folders become a batch queue in the store that resumes after a
    crash. A file that cannot be read is reported (``on_file``) and the others are still
    checked. ``engine_for_check`` is called when the first readable file needs the model, so an
    unreadable file never costs a model load. Cancel (or any failure past reading) stops the
    whole check: finished documents stay stored."""
    files, folders = expand(paths)
    done = ChecksDone()
    queue: list[tuple[Path, BatchItem | None]]
    if folders:
        done.batch = Batch(store, files, list(request.policies), request.model_name, request.effort)
        on_batch(done.batch)
        queue = [(item.path, item) for item in done.batch.pending]
    else:
        queue = [(path, None) for path in files]
    for number, (path, item) in enumerate(queue, start=1):
        progress(ProgressEvent("document", number - 1, len(queue), str(path)))
        try:
            checked = check_file(
                path, request, store, engine_for_check,
                progress=progress, cancel=cancel, on_text=on_text,
            )  # fmt: skip
        except DocumentError as error:
            if done.batch and item:
                done.batch.failed(item, error.detail)
            outcome = FileOutcome(path, number, len(queue), error=error, in_batch=folders)
        else:
            if done.batch and item:
                done.batch.done(item, checked.run_id)
            outcome = FileOutcome(path, number, len(queue), checked=checked, in_batch=folders)
        done.outcomes.append(outcome)
        on_file(outcome)
    if done.batch:
        done.summary, done.summary_file = done.batch.finish(summary_folder)
    return done


def check_file(
    path: Path,
    request: CheckRequest,
    store: Store,
    engine_for_check: Callable[[], Engine],
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    on_text: TokenCallback | None = None,
) -> CheckedFile:
    """One document. Raises DocumentError before anything is stored when the file cannot be
    read; any later failure (cancel included) marks the stored run failed and is raised again."""
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
