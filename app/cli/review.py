"""``review``, ``audit``, ``report`` and ``export``: the audit trail from the command line.
The reviewer's name on decisions and sign-offs comes from Settings (default: the OS user)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import options, output
from app.cli.options import SubParsers, row_id
from app.core.errors import UsageError
from app.core.types import REVIEW_DECISIONS, SEVERITIES, SIGNOFF_OUTCOMES

if TYPE_CHECKING:  # the store and the exports load only when a command runs
    from app.store.repository import Store


def add_parsers(commands: SubParsers) -> None:
    review = commands.add_parser(
        "review", help="list findings of a run, record decisions, sign a run off"
    )
    actions = review.add_subparsers(dest="review_command", metavar="ACTION")
    listing = actions.add_parser("list", help="findings of a run (default: the latest)")
    listing.add_argument("run", nargs="?", type=row_id)
    listing.add_argument("--json", action="store_true", help="print JSON")
    decide = actions.add_parser(
        "decide", help="accept, reject or amend a finding; reset undoes (undecided again)"
    )
    decide.add_argument("finding", type=row_id)
    decide.add_argument("decision", choices=REVIEW_DECISIONS)
    decide.add_argument("--note", default="")
    decide.add_argument("--severity", choices=SEVERITIES, help="amend: the right severity")
    decide.add_argument("--section", help="amend: the right policy section id")
    signoff = actions.add_parser(
        "signoff", help="approve a run (every finding decided), or ask for changes, or reject"
    )
    signoff.add_argument("run", type=int)
    signoff.add_argument("outcome", choices=SIGNOFF_OUTCOMES)
    signoff.add_argument("--note", default="", help="what and why (needed unless approving)")
    for parser, handler in (
        (listing, _review_list),
        (decide, _review_decide),
        (signoff, _review_signoff),
    ):
        options.add_db_option(parser)
        parser.set_defaults(handler=options.with_store(handler))

    audit = commands.add_parser("audit", help="check the tamper-evident audit log")
    audit_actions = audit.add_subparsers(dest="audit_command", metavar="ACTION")
    verify = audit_actions.add_parser(
        "verify", help="exit 0 when intact, 1 naming the first bad entry"
    )
    verify.add_argument("--db", type=Path)
    verify.set_defaults(handler=options.with_store(_audit_verify, for_work=False))
    adopt = audit_actions.add_parser(
        "adopt",
        help="accept a store restored or replaced on purpose: its log records the head it "
        "replaces, and this installation follows it from now on",
    )
    adopt.add_argument("--db", type=Path)
    adopt.set_defaults(handler=options.with_store(_audit_adopt, for_work=False))

    report = commands.add_parser(
        "report", help="audit reports of a reviewed run (PDF, JSON), the annotated document"
    )
    report_actions = report.add_subparsers(dest="report_command", metavar="ACTION")
    pdf = report_actions.add_parser("pdf", help="write the PDF audit report of a run")
    pdf.add_argument("run", nargs="?", type=row_id, help="run id (default: the latest)")
    pdf.add_argument("--out", type=Path, required=True, metavar="report.pdf")
    pdf.add_argument("--reasoning", action="store_true", help="add the auditor appendix")
    pdf.add_argument("--db", type=Path)
    pdf.set_defaults(handler=options.with_store(_report_pdf))
    as_json = report_actions.add_parser(
        "json", help="write the report of a run with its review (decisions, sign-off)"
    )
    as_json.add_argument("run", nargs="?", type=int, help="run id (default: the latest)")
    as_json.add_argument("--out", type=Path, required=True, metavar="report.json")
    as_json.add_argument("--db", type=Path)
    as_json.set_defaults(handler=options.with_store(_report_json))
    annotate = report_actions.add_parser(
        "annotate",
        help="a copy of the checked document with the findings in it: Word comments (DOCX), "
        "highlights with notes (PDF), an annotated HTML copy (other formats)",
    )
    annotate.add_argument("run", nargs="?", type=int, help="run id (default: the latest)")
    annotate.add_argument("--out", type=Path, required=True, metavar="FILE")
    annotate.add_argument(
        "--only",
        choices=("all", "accepted"),
        default="all",
        help="all: every finding not rejected, marked with its review state (default); "
        "accepted: accepted and amended findings only",
    )
    annotate.add_argument(
        "--document", type=Path, metavar="PATH", help="the checked file, if it has moved"
    )
    annotate.add_argument(
        "--suggest",
        action="store_true",
        help="DOCX: also put each suggested fix in as a tracked change replacing the quote",
    )
    annotate.add_argument("--db", type=Path)
    annotate.set_defaults(handler=options.with_store(_report_annotate))
    check = report_actions.add_parser("verify", help="check a PDF report against the audit log")
    check.add_argument("file", type=Path)
    check.add_argument("--db", type=Path)
    check.set_defaults(handler=options.with_store(_report_verify, for_work=False))

    export = commands.add_parser("export", help="export reviewer-labelled data")
    export_actions = export.add_subparsers(dest="export_command", metavar="WHAT")
    dataset = export_actions.add_parser("dataset", help="decided findings as cases.jsonl")
    dataset.add_argument("--out", type=Path, required=True, metavar="cases.jsonl")
    dataset.add_argument("--db", type=Path)
    dataset.set_defaults(handler=options.with_store(_export_dataset))


def _review_list(store: Store, args: argparse.Namespace) -> int:
    review = store.run_review(args.run)
    if args.json:
        output.print_json(output.review_json(review))
    else:
        output.print_review(review)
    return 0


def _review_decide(store: Store, args: argparse.Namespace) -> int:
    amended = {k: v for k, v in (("severity", args.severity), ("section", args.section)) if v}
    if amended and args.decision != "amend":
        raise UsageError("--severity and --section belong to 'amend'")
    store.decide(args.finding, args.decision, args.note, amended or None)
    what = "reset (undecided again)" if args.decision == "reset" else args.decision
    print(f"finding #{args.finding}: {what} recorded by {store.actor}")
    run_id = store.finding_run(args.finding)
    output.print_review_state(store.run_review(run_id))
    return 0


def _review_signoff(store: Store, args: argparse.Namespace) -> int:
    output.print_signoff(store.sign_off(args.run, args.outcome, args.note))
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


def _report_json(store: Store, args: argparse.Namespace) -> int:
    from app.services.exports import export_json

    run_id = store.run(args.run).id
    digest = export_json(store, run_id, args.out)
    print(f"report: {args.out} (run {run_id}, sha256 {digest})")
    return 0


def _report_annotate(store: Store, args: argparse.Namespace) -> int:
    from app.services.annotations import export_annotated

    run_id = store.run(args.run).id
    done = export_annotated(
        store, run_id, args.out, args.only,
        document=args.document, suggest=args.suggest,
    )  # fmt: skip
    print(done.summary())
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
