"""One document through the whole check: read (child process), reason, validate, store, report.
The CLI and the desktop app both call ``check_file``; only how they show progress differs."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.engine import Engine, EngineInfo, EngineResult, JudgeRequest, TokenCallback
from app.core.errors import EngineError, user_text
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.core.pipeline import CheckResult, check_document
from app.core.policy import Policy
from app.core.progress import CancelToken, Progress, no_progress
from app.ingest.isolated import read_isolated
from app.report.json_report import build_report
from app.store.repository import Store


@dataclass(frozen=True)
class CheckOptions:
    recheck: bool = True  # keep findings of passages unchanged since the last check
    escalate: bool = True  # re-run doubtful low-effort answers at high effort
    triage_only: bool = False  # screens only, no model (bulk screening)
    policy_mode: str = "separate"  # or "combined": all policies in one pass


class NoModel:
    """The engine of a "triage only" check: screens decide, no model is loaded or asked."""

    info = EngineInfo("triage only (no model)", "0" * 64, "none", 0, 0, 0.0)

    def count_tokens(self, request: JudgeRequest) -> int:
        return 0

    def judge(
        self, request: JudgeRequest, cancel: CancelToken, on_text: TokenCallback | None = None
    ) -> EngineResult:
        raise EngineError("triage only: there is no model to ask")


@dataclass(frozen=True)
class CheckedFile:
    run_id: int
    result: CheckResult
    report: dict[str, Any]


def check_file(
    path: Path,
    policies: list[Policy],
    engine_for_check: Callable[[], Engine],
    store: Store,
    *,
    effort: str,
    password: str | None = None,
    limits: ExtractionLimits = DEFAULT_LIMITS,
    case: str = "default",
    notice: str = "",
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    on_text: TokenCallback | None = None,
    options: CheckOptions | None = None,
) -> CheckedFile:
    """``engine_for_check`` is called once the file has been read (a file that cannot be read
    never costs a model load). Raises DocumentError before anything is stored when the file
    cannot be read; any later failure (cancel included) marks the stored run failed and is
    raised again."""
    cancel = cancel or CancelToken()
    started = time.perf_counter()
    document = read_isolated(path, password, limits, progress, cancel)
    ingest_s = time.perf_counter() - started
    options = options or CheckOptions()
    engine = NoModel() if options.triage_only else engine_for_check()
    previous = (
        store.previous_checks(document, policies, engine.info, effort) if options.recheck else {}
    )
    run_id = store.start_run(document, policies, engine.info, effort, case)
    try:
        result = check_document(
            document,
            policies,
            engine,
            effort=effort,
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
        result, engine.info, timings={"ingest_s": ingest_s, **result.timings}, notice=notice
    )
    report["run"] = {"id": run_id}
    store.finish_run(run_id, result, report)
    return CheckedFile(run_id, result, report)
