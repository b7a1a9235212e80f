"""The heavier CLI commands (they load pypdf, python-docx and llama.cpp)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from app import cli_batch, cli_output
from app.checking import CheckOptions, NoModel, check_file
from app.core.documents import Document
from app.core.engine import Engine
from app.core.errors import DocumentError, InputError, UsageError, user_text
from app.core.library import PolicyLibrary
from app.core.limits import ExtractionLimits
from app.core.policy import Policy
from app.core.progress import ProgressEvent
from app.engines import EngineOptions, load_engine, server_engine
from app.exports import export_pdf
from app.ingest.isolated import read_isolated
from app.models.catalogue import (
    DEFAULT_MODEL,
    SMOKE_MODEL,
    SMOKE_NOTICE,
    ModelRef,
    default_or_smoke,
    remote_model,
    resolve_model,
)
from app.models.installed import file_sha256
from app.report.json_report import write_json
from app.store.repository import Store

log = logging.getLogger(__name__)


def extract(args: argparse.Namespace) -> int:
    worst = 0
    documents = []
    for path in args.files:
        try:
            documents.append(read_isolated(path, args.password, limits_from(args)))
        except DocumentError as error:
            print(f"safeguard-desk: {user_text(error)}", file=sys.stderr)
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
            cli_output.print_passages(document, sys.stdout)
    return worst


def limits_from(args: argparse.Namespace) -> ExtractionLimits:
    for name in ("max_file_mb", "max_pages", "extract_timeout"):
        if getattr(args, name) <= 0:
            raise InputError(f"--{name.replace('_', '-')} must be more than 0")
    return ExtractionLimits(
        max_file_mb=args.max_file_mb, max_pages=args.max_pages, timeout_s=args.extract_timeout
    )


def check(args: argparse.Namespace, policies: list[Policy], *, demo: bool = False) -> int:
    printer = cli_output.ProgressPrinter(quiet=args.quiet)
    model = _model_for(args, demo)
    notice = SMOKE_NOTICE if model.smoke else ""
    store = Store(args.db)
    if store.key_warning:
        print(f"warning: {store.key_warning}", file=sys.stderr)
    for run_id in store.recovered:
        print(
            f"note: run {run_id} was interrupted earlier and is marked incomplete", file=sys.stderr
        )
    try:
        return _check_files(args, policies, model, notice, store, printer)
    finally:
        store.close()


def _check_files(
    args: argparse.Namespace,
    policies: list[Policy],
    model: ModelRef,
    notice: str,
    store: Store,
    printer: cli_output.ProgressPrinter,
) -> int:
    engines: list[Engine] = []  # loaded once, when the first readable file needs it

    def engine_for_check() -> Engine:
        if not engines:
            printer(ProgressEvent("loading model", 0, 0, model.name))
            engines.append(_load_engine(model, args, args.quiet))
        return engines[0]

    limits = limits_from(args)
    options = CheckOptions(
        recheck=not getattr(args, "full", True),  # the demo has no --full: always full
        escalate=not getattr(args, "no_escalate", False),
        triage_only=getattr(args, "triage_only", False),
        policy_mode=getattr(args, "policy_mode", "separate"),
    )
    files, folders = cli_batch.expand(args.files)
    batch = cli_batch.Batch(store, files, policies, model, args.effort) if folders else None
    queue = [(item.path, item) for item in batch.pending] if batch else [(p, None) for p in files]
    worst = 0
    for number, (path, item) in enumerate(queue, start=1):
        printer(ProgressEvent("document", number - 1, len(queue), str(path)))
        try:
            checked = check_file(
                path,
                policies,
                engine_for_check,
                store,
                effort=args.effort,
                password=args.password,
                limits=limits,
                case=args.case,
                notice=notice,
                progress=printer,
                options=options,
            )
        except DocumentError as error:
            printer.done()
            print(f"safeguard-desk: {user_text(error)}", file=sys.stderr)
            if batch and item:
                batch.failed(item, error.detail)
            worst = 2
            continue
        if batch and item:
            batch.done(item, checked.run_id)
        run_id, result, report, document = (
            checked.run_id,
            checked.result,
            checked.report,
            checked.result.document,
        )
        out = _report_path(args.out, document, len(files), bool(batch), ".json")
        if out is not None:
            printer(ProgressEvent("writing report", 0, 0, str(out)))
            write_json(report, out)
        pdf = _report_path(args.pdf, document, len(files), bool(batch), ".pdf")
        if pdf is not None:
            printer(ProgressEvent("writing PDF report", 0, 0, str(pdf)))
            export_pdf(store, run_id, pdf, args.reasoning)
        printer.done()
        cli_output.print_result(result, sys.stdout, notice)
        for warning in document.warnings:
            print(f"  warning: {warning}")
        print(f"  run: {run_id} (review with 'safeguard-desk review list {run_id}')")
        for written in (out, pdf):
            if written is not None:
                print(f"  report: {written}")
        worst = max(worst, 0 if result.verdict == "compliant" else 1)
    if batch:
        batch.finish(args.out)
        worst = max(worst, _batch_worst(store, batch))
    return worst


def _batch_worst(store: Store, batch: cli_batch.Batch) -> int:
    """A resumed batch's exit code counts the files done before the restart too."""
    worst = 0
    for item in batch.statuses():
        if item.status == "failed":
            worst = 2
        elif item.run_id is not None and store.run(item.run_id)["verdict"] != "compliant":
            worst = max(worst, 1)
    return worst


def replay(args: argparse.Namespace, library: PolicyLibrary) -> int:
    """Re-run a recorded check; refuse with the reason when any input is not what was recorded."""
    try:
        report = json.loads(args.replay.read_text(encoding="utf-8"))
        recorded_doc, recorded_model = report["document"], report["model"]
        settings = recorded_model["settings"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"not a Safeguard Desk report ({error})", path=args.replay) from None
    path = Path(recorded_doc["path"])
    document = read_isolated(path, args.password)
    if document.sha256 != recorded_doc["sha256"]:
        raise InputError(
            f"cannot replay: the document changed (sha256 {document.sha256[:16]}…, "
            f"recorded {recorded_doc['sha256'][:16]}…)",
            path=path,
        )
    policies = []
    for recorded in report["policies"]:
        policy = library.resolve(recorded["id"])
        if policy.sha256 != recorded["sha256"]:
            raise InputError(
                f"cannot replay: policy '{policy.id}' changed (version {policy.version}"
                f", sha256 {policy.sha256[:16]}…; recorded version "
                f"{recorded['version']}, {recorded['sha256'][:16]}…)"
            )
        policies.append(policy)
    model = resolve_model(args.model or recorded_model["name"])
    if file_sha256(model.path) != recorded_model["file_sha256"]:
        raise InputError(
            f"cannot replay: the model file is not the one recorded "
            f"(sha256 {recorded_model['file_sha256'][:16]}…)",
            path=model.path,
        )
    args.files, args.model = [path], args.model or model.name
    args.full = True  # a replay repeats the whole check, nothing carried over
    args.effort, args.n_ctx = settings["effort"], settings["n_ctx"]
    args.seed, args.temperature = settings["seed"], settings["temperature"]
    return check(args, policies)


def engine_for(args: argparse.Namespace) -> Engine:
    """The engine for ``policy test`` and ``eval`` (the model from --model, loaded once)."""
    model = _model_for(args, demo=False)
    if model.smoke and not args.quiet:
        print(SMOKE_NOTICE, file=sys.stderr)
    return _load_engine(model, args, args.quiet)


def _model_for(args: argparse.Namespace, demo: bool) -> ModelRef:
    if getattr(args, "triage_only", False):
        return ModelRef(NoModel.info.name, Path(), False, 0, None)  # no model is used
    if getattr(args, "server", None):
        if not args.server_model:
            raise UsageError("--server needs --server-model NAME (the model's name there)")
        return remote_model(args.server_model)
    if demo and args.model is None:
        model, fell_back = default_or_smoke()
        if fell_back:
            print(
                f"safeguard-desk: {DEFAULT_MODEL} is not installed; the demo uses the "
                f"smoke-test model {SMOKE_MODEL}, whose verdicts are meaningless",
                file=sys.stderr,
            )
        return model
    return resolve_model(args.model)


def _load_engine(model: ModelRef, args: argparse.Namespace, quiet: bool) -> Engine:
    if getattr(args, "server", None):
        return server_engine(args.server, model.name, args.n_ctx, args.seed, args.temperature)
    options = EngineOptions(
        n_ctx=args.n_ctx,
        gpu_layers=args.gpu_layers,
        threads=args.threads,
        seed=args.seed,
        temperature=args.temperature,
    )
    return load_engine(model, options, (lambda line: None) if quiet else _to_stderr)


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


def _report_path(
    out: Path | None, document: Document, count: int, batch: bool, suffix: str
) -> Path | None:
    if out is not None and batch:
        return cli_batch.report_name(out, document.path, suffix)
    if out is None or count == 1:
        return out
    return out.with_name(f"{out.stem}.{document.path.stem}{out.suffix or '.json'}")
