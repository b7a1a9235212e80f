"""``check``, ``extract`` and ``demo``: arguments in, a typed check request out; the check itself
is ``app.services.checking``. Heavy libraries (pypdf, llama.cpp) load only when a file is read
or a model is used."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import options, output
from app.core.engine import Engine
from app.core.errors import InputError, UsageError
from app.core.progress import ProgressEvent
from app.core.types import POLICY_MODES

if TYPE_CHECKING:  # the services load pypdf, python-docx, keyring: only when a command runs
    from app.core.policy import Policy
    from app.services.batch import Batch
    from app.services.checking import CheckRequest, FileOutcome
    from app.services.engines import ModelChoice
    from app.services.outputs import ReportPaths
    from app.store.repository import Store


def add_parsers(commands: options.SubParsers) -> None:
    check = commands.add_parser("check", help="check documents against policies")
    check.add_argument("files", nargs="*", type=Path, metavar="FILE")
    check.add_argument(
        "--policy",
        action="append",
        metavar="ID|PATH",
        help="a bundled/user policy id or a policy.md path (repeatable)",
    )
    check.add_argument(
        "--replay",
        type=Path,
        metavar="report.json",
        help="re-run a report's check: same document, policies, model and settings",
    )
    options.add_model_options(check)
    check.add_argument(
        "--out",
        type=Path,
        metavar="report.json",
        help="write the JSON report here (several files: one report each, "
        "named report.<document>.json)",
    )
    check.add_argument("--password", help="password of encrypted PDFs")
    options.add_limit_options(check)
    check.add_argument(
        "--policy-mode",
        choices=POLICY_MODES,
        default="separate",
        help="one pass per policy (default), or all policies in one pass (fewer tokens)",
    )
    check.add_argument(
        "--no-escalate",
        action="store_true",
        help="keep low-effort answers even when unsure (default: re-run them at high effort)",
    )
    check.add_argument(
        "--triage-only",
        action="store_true",
        help="bulk screening: the policies' screens only, no model; every match needs review",
    )
    check.add_argument(
        "--full",
        action="store_true",
        help="judge every passage again (default: keep findings of passages unchanged since "
        "the last check of this file with the same policy, model and settings)",
    )
    check.add_argument("--pdf", type=Path, metavar="report.pdf", help="write the PDF audit report")
    check.add_argument(
        "--reasoning",
        action="store_true",
        help="add the model's reasoning to the PDF (auditor appendix)",
    )
    check.add_argument(
        "--parallel",
        type=int,
        metavar="N",
        help="documents in flight at once on a --server (default: Settings, else as many as "
        "the server runs at once: llama.cpp's slots, else 4); the local engine runs one",
    )
    check.add_argument("--db", type=Path, metavar="PATH", help="the store (default: data dir)")
    check.add_argument("--case", default="default", help="case to file the runs under")
    check.add_argument("--quiet", action="store_true", help="no progress on stderr")
    check.set_defaults(handler=run_check)

    extract = commands.add_parser("extract", help="show the passages the model will see")
    extract.add_argument("files", nargs="+", type=Path, metavar="FILE")
    extract.add_argument("--password", help="password of encrypted PDFs")
    options.add_limit_options(extract)
    extract.add_argument("--json", action="store_true", help="print JSON")
    extract.set_defaults(handler=run_extract)

    demo = commands.add_parser("demo", help="a full check of a bundled sample")
    options.add_model_options(demo)
    demo.add_argument("--out", type=Path, metavar="report.json", help="default: ./report.json")
    demo.add_argument("--pdf", type=Path, metavar="report.pdf", help="default: ./report.pdf")
    demo.add_argument("--quiet", action="store_true", help="no progress on stderr")
    demo.set_defaults(handler=run_demo)


@dataclass(frozen=True)
class Outputs:
    """Where a check's reports go and what is printed."""

    out: Path | None = None
    pdf: Path | None = None
    reasoning: bool = False
    quiet: bool = False
    db: Path | None = None
    private: bool = False  # reports written where the user did not choose: 0600
    inputs: tuple[Path, ...] = ()  # files no report may overwrite besides the documents


def run_extract(args: argparse.Namespace) -> int:
    from app.ingest.isolated import read_isolated

    worst = 0
    documents = []
    for path in args.files:
        try:
            documents.append(read_isolated(path, args.password, options.limits(args)))
        except InputError as error:
            output.error(error)
            worst = 2
    if args.json:
        json.dump(
            [d.to_json() | {"warnings": list(d.warnings)} for d in documents],
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        sys.stdout.write("\n")
    else:
        for document in documents:
            output.print_passages(document, sys.stdout)
    return worst


def run_check(args: argparse.Namespace) -> int:
    from app.services.policies import library, resolve_policies

    if args.replay:
        if args.files or args.policy:
            raise UsageError("--replay takes its files and policies from the report")
        return _replay(args)
    if not args.files or not args.policy:
        raise UsageError("check needs FILE... and --policy ID|PATH (or --replay report.json)")
    return _check(args, args.files, resolve_policies(library(), args.policy))


def run_demo(args: argparse.Namespace) -> int:
    from app.services.checking import CheckOptions, CheckRequest
    from app.services.demo import DEMO_CASE, DEMO_POLICIES, demo_document
    from app.services.policies import library, resolve_policies

    policies = resolve_policies(library(), list(DEMO_POLICIES))
    request = CheckRequest(
        policies=tuple(policies), effort=args.effort, case=DEMO_CASE,
        options=CheckOptions(recheck=False),
    )  # fmt: skip
    chosen = args.out is not None or args.pdf is not None
    outputs = Outputs(
        out=args.out if chosen else Path("report.json"),
        pdf=args.pdf if chosen else Path("report.pdf"),
        quiet=args.quiet,
        private=not chosen,
    )
    return _run([demo_document()], request, outputs, args, options.model_choice(args, demo=True))


def _check(args: argparse.Namespace, files: list[Path], policies: list[Policy]) -> int:
    from app.services.checking import CheckOptions, CheckRequest

    request = CheckRequest(
        policies=tuple(policies),
        effort=args.effort,
        password=args.password,
        limits=options.limits(args),
        case=args.case,
        options=CheckOptions(
            recheck=not args.full,
            escalate=not args.no_escalate,
            triage_only=args.triage_only,
            policy_mode=args.policy_mode,
        ),
    )
    policy_files = tuple(p.path for p in policies if p.path is not None)
    replayed = (args.replay,) if getattr(args, "replay", None) else ()
    outputs = Outputs(
        args.out, args.pdf, args.reasoning, args.quiet, args.db, inputs=policy_files + replayed
    )
    choice = options.model_choice(args, triage_only=args.triage_only)
    return _run(files, request, outputs, args, choice)


def _run(
    files: list[Path],
    request: CheckRequest,
    outputs: Outputs,
    args: argparse.Namespace,
    choice: ModelChoice,
) -> int:
    from app.models.catalogue import SMOKE_NOTICE
    from app.runtime.paths import default_db
    from app.runtime.settings import load_settings
    from app.services import engines
    from app.services.batch import expand
    from app.services.checking import run_checks
    from app.services.engines import choose_model
    from app.services.outputs import check_plan, plan_reports
    from app.services.stores import open_store
    from app.store.db import store_files

    expanded, folders = expand(files)
    plan = plan_reports(expanded, outputs.out, outputs.pdf, folders)
    check_plan(plan, expanded, [*outputs.inputs, *store_files(outputs.db or default_db())])
    settings = load_settings()
    config = options.engine_config(args, settings)
    parallel = options.parallel(args, settings.parallel, config.server_url)  # usage first
    chosen = choose_model(choice, settings, config)
    if chosen.note:
        output.tell(chosen.note)
    model = chosen.ref
    request = replace(
        request,
        model_name=model.name,
        notice=SMOKE_NOTICE if model.smoke else "",
        parallel=parallel,
    )
    printer = output.ProgressPrinter(quiet=outputs.quiet)
    loaded: list[Engine] = []  # loaded once, when the first readable file needs it

    def engine_for_check() -> Engine:
        if not loaded:
            printer(ProgressEvent("loading model", 0, 0, model.name))
            report = (lambda line: None) if outputs.quiet else output.to_stderr
            loaded.append(engines.load_engine(model, config, report))
        return loaded[0]

    store = open_store(outputs.db)
    if store.key_warning:
        output.warn(store.key_warning)
    for run_id in store.recovered:
        output.note(f"run {run_id} was interrupted earlier and is marked incomplete")
    try:
        done = run_checks(
            files, request, store, engine_for_check,
            on_file=lambda outcome: _file_done(
                outcome, store, outputs, _paths_of(outcome, plan, expanded), printer,
                request.notice,
            ),
            on_batch=_batch_opened, progress=printer, summary_folder=outputs.out,
        )  # fmt: skip
    finally:
        store.close()
        for engine in loaded:
            engine.close()
    worst = max([_outcome_code(o) for o in done.outcomes] or [0])
    if done.batch:
        output.print_batch(done.batch.id, done.summary, done.summary_file)
        for row in done.summary:  # files done before a restart count too
            worst = max(worst, _row_code(row.run_id, row.verdict))
    return worst


def _outcome_code(outcome: FileOutcome) -> int:
    if outcome.error is not None:
        return outcome.error.exit_code
    if outcome.checked is None:  # a batch item recovered from the store: the summary counts it
        return 0
    return int(outcome.checked.result.verdict != "compliant")


def _row_code(run_id: int | None, verdict: str) -> int:
    """Unreadable 2; the server kept failing 3 (no usable model for it); compliant 0; else 1."""
    if run_id is None:
        return 2
    if verdict == "failed":
        return 3
    return int(verdict != "compliant")


def _batch_opened(batch: Batch) -> None:
    if batch.resumed:
        output.note(
            f"resuming batch {batch.id}: {batch.done_before} of {len(batch.items)} files were "
            "already done"
        )


def _paths_of(outcome: FileOutcome, plan: list[ReportPaths], files: list[Path]) -> ReportPaths:
    """The planned report paths of a document (a resumed batch numbers only what is left)."""
    if not outcome.in_batch:
        return plan[outcome.number - 1]
    for paths, path in zip(plan, files, strict=True):
        if path == outcome.path:
            return paths
    return ReportPaths()


def _file_done(
    outcome: FileOutcome,
    store: Store,
    outputs: Outputs,
    paths: ReportPaths,
    printer: output.ProgressPrinter,
    notice: str,
) -> None:
    from app.services.exports import export_pdf, write_check_report

    if outcome.error is not None:
        printer.done()
        output.error(outcome.error)
        return
    checked = outcome.checked
    if checked is None:  # finished before a crash: its report comes from the store
        assert outcome.recovered_run is not None
        run_id, report = outcome.recovered_run, store.run(outcome.recovered_run).report()
    else:
        run_id, report = checked.run_id, checked.report
    if paths.json is not None:
        printer(ProgressEvent("writing report", 0, 0, str(paths.json)))
        write_check_report(store, run_id, report, paths.json, private=outputs.private)
    if paths.pdf is not None:
        printer(ProgressEvent("writing PDF report", 0, 0, str(paths.pdf)))
        export_pdf(store, run_id, paths.pdf, outputs.reasoning, private=outputs.private)
    printer.done()
    if checked is None:
        print(f"{outcome.path}: {output.verdict_words(report.get('verdict'))}, checked before "
              "the interruption (not checked again)")  # fmt: skip
    else:
        output.print_result(checked.result, sys.stdout, notice)
        model = report.get("model", {})
        if model.get("note"):  # a base gpt-oss, or a file that can only run smoke checks
            print(f"  model: {model['name']}: {model['note']}")
        for warning in checked.result.document.warnings:
            print(f"  warning: {warning}")
    print(f"  run: {run_id} (review with 'safeguard-desk review list {run_id}')")
    for written in (paths.json, paths.pdf):
        if written is not None:
            print(f"  report: {written}")


def _replay(args: argparse.Namespace) -> int:
    """Re-run a recorded check; refuse with the reason when any input is not what was recorded."""
    from app.services.replay import recorded_check

    replay = recorded_check(args.replay, args.password, args.model)
    settings = replay.settings
    # A replay repeats the whole check with the recorded settings: nothing carried over.
    recorded = argparse.Namespace(
        **vars(args)
        | {
            "model": args.model or replay.model.name,
            "full": True,
            "effort": settings["effort"],
            "n_ctx": settings["n_ctx"],
            "seed": settings["seed"],
            "temperature": settings["temperature"],
            "top_p": settings["top_p"],
            "top_k": settings["top_k"],
            "min_p": settings["min_p"],
        }
    )
    return _check(recorded, [replay.document], replay.policies)
