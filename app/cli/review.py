"""``review``, ``audit``, ``report`` and ``export``: the audit trail from the command line."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import output
from app.cli.options import SubParsers, row_id
from app.core.errors import UsageError
from app.core.types import REVIEW_DECISIONS, SEVERITIES

if TYPE_CHECKING:  # the store and the exports load only when a command runs
    from app.store.repository import Store


def add_parsers(commands: SubParsers) -> None:
    review = commands.add_parser("review", help="list findings of a run and record decisions")
    actions = review.add_subparsers(dest="review_command", metavar="ACTION")
    listing = actions.add_parser("list", help="findings of a run (default: the latest)")
    listing.add_argument("run", nargs="?", type=row_id)
    decide = actions.add_parser("decide", help="accept, reject or amend a finding")
    decide.add_argument("finding", type=row_id)
    decide.add_argument("decision", choices=REVIEW_DECISIONS)
    decide.add_argument("--note", default="")
    decide.add_argument("--severity", choices=SEVERITIES, help="amend: the right severity")
    decide.add_argument("--section", help="amend: the right policy section id")
    for parser, handler in ((listing, _review_list), (decide, _review_decide)):
        parser.add_argument("--db", type=Path, help="the store (default: the data dir's)")
        parser.set_defaults(handler=_with_store(handler))

    audit = commands.add_parser("audit", help="check the tamper-evident audit log")
    audit_actions = audit.add_subparsers(dest="audit_command", metavar="ACTION")
    verify = audit_actions.add_parser(
        "verify", help="exit 0 when intact, 1 naming the first bad entry"
    )
    verify.add_argument("--db", type=Path)
    verify.set_defaults(handler=_with_store(_audit_verify, for_work=False))
    adopt = audit_actions.add_parser(
        "adopt",
        help="accept a store restored or replaced on purpose: its log records the head it "
        "replaces, and this installation follows it from now on",
    )
    adopt.add_argument("--db", type=Path)
    adopt.set_defaults(handler=_with_store(_audit_adopt, for_work=False))

    report = commands.add_parser("report", help="PDF audit reports")
    report_actions = report.add_subparsers(dest="report_command", metavar="ACTION")
    pdf = report_actions.add_parser("pdf", help="write the PDF audit report of a run")
    pdf.add_argument("run", nargs="?", type=row_id, help="run id (default: the latest)")
    pdf.add_argument("--out", type=Path, required=True, metavar="report.pdf")
    pdf.add_argument("--reasoning", action="store_true", help="add the auditor appendix")
    pdf.add_argument("--db", type=Path)
    pdf.set_defaults(handler=_with_store(_report_pdf))
    check = report_actions.add_parser("verify", help="check a PDF report against the audit log")
    check.add_argument("file", type=Path)
    check.add_argument("--db", type=Path)
    check.set_defaults(handler=_with_store(_report_verify, for_work=False))

    export = commands.add_parser("export", help="export reviewer-labelled data")
    export_actions = export.add_subparsers(dest="export_command", metavar="WHAT")
    dataset = export_actions.add_parser("dataset", help="decided findings as cases.jsonl")
    dataset.add_argument("--out", type=Path, required=True, metavar="cases.jsonl")
    dataset.add_argument("--db", type=Path)
    dataset.set_defaults(handler=_with_store(_export_dataset))


def _with_store(
    handler: Callable[[Store, argparse.Namespace], int], *, for_work: bool = True
) -> Callable[[argparse.Namespace], int]:
    """The command with the store it names (``--db``) opened around it. ``for_work=False``:
    the commands that examine a store, which must open even one that fails its checks."""

    def run(args: argparse.Namespace) -> int:
        from app.services.stores import open_store

        store = open_store(args.db, for_work=for_work)
        try:
            return handler(store, args)
        finally:
            store.close()

    return run


def _review_list(store: Store, args: argparse.Namespace) -> int:
    run = store.run(args.run)
    findings = store.findings(run.id)
    decided = sum(1 for f in findings if f.decision)
    print(
        f"run {run.id} ({run.status}, verdict {run.verdict or '—'}): "
        f"{decided} of {len(findings)} reviewed"
    )
    for f in findings:
        state = f.decision.decision if f.decision else "unreviewed"
        flag = "" if f.quote_verified else " UNVERIFIED"
        print(
            f"  #{f.id:<5} [{f.severity}] {f.policy_id} {f.section} {f.passage}"
            f'{flag}  {state}: "{" ".join(f.quote.split())[:80]}"'
        )
    return 0


def _review_decide(store: Store, args: argparse.Namespace) -> int:
    amended = {k: v for k, v in (("severity", args.severity), ("section", args.section)) if v}
    if amended and args.decision != "amend":
        raise UsageError("--severity and --section belong to 'amend'")
    store.decide(args.finding, args.decision, args.note, amended or None)
    print(f"finding #{args.finding}: {args.decision} recorded")
    return 0


def _audit_verify(store: Store, args: argparse.Namespace) -> int:
    check = store.verify_audit()
    if check.intact:
        rows = f", {check.rows} rows" if check.rows else " (rows not covered yet)"
        print(f"audit log intact: {check.entries} entries{rows} ({store.path})")
        return 0
    output.error(f"{store.path}: audit check failed: {check.reason}")
    for problem in check.problems[1:20]:
        output.to_stderr(f"  also: {problem.message}")
    if len(check.problems) > 20:
        output.to_stderr(f"  and {len(check.problems) - 20} more problems")
    return 1


def _audit_adopt(store: Store, args: argparse.Namespace) -> int:
    from app.store import audit

    own = audit.verify(store.db, store.key, check_external=False)
    if not own.intact:
        output.error(f"{store.path}: not adopted: the store itself fails: {own.reason}")
        return 1
    replaced = store.adopt()
    was = (
        f"the head this installation signed before ({replaced.entries} entries, for "
        f"{replaced.path}) is replaced"
        if replaced
        else "there was no head for it"
    )
    print(f"adopted {store.path}: {own.entries + 1} entries; {was}, and the log records it")
    return 0


def _report_pdf(store: Store, args: argparse.Namespace) -> int:
    from app.services.exports import export_pdf, require_intact

    require_intact(store)  # before looking the run up: a deleted run is a finding too
    run_id = store.run(args.run).id
    digest = export_pdf(store, run_id, args.out, args.reasoning)
    print(f"report: {args.out} (run {run_id}, sha256 {digest})")
    return 0


def _report_verify(store: Store, args: argparse.Namespace) -> int:
    from app.services.report_check import verify_report

    result = verify_report(store, args.file)
    if not result.verified:
        output.error(f"{args.file}: not verified: {result.message}")
        return 1
    print(f"{args.file}: {result.message}")
    return 0


def _export_dataset(store: Store, args: argparse.Namespace) -> int:
    from app.runtime.files import atomic_write, refuse_clobbering
    from app.services.exports import store_files

    refuse_clobbering({"--out": args.out}, store_files(store))
    cases = store.dataset()
    lines = "".join(json.dumps(case, ensure_ascii=False) + "\n" for case in cases)
    atomic_write(args.out, lines, what="data set")
    print(f"{len(cases)} reviewed finding(s) written to {args.out}")
    return 0
