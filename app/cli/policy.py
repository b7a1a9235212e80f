"""``policy lint``, ``policy test`` and ``eval``: policies treated as tested software."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import options, output, policy_files
from app.cli.output import ProgressPrinter
from app.core.errors import UsageError

if TYPE_CHECKING:  # policies, screens and the pipeline load when a policy command runs
    from app.core.policy_tests import Report


def add_parsers(commands: options.SubParsers) -> None:
    policy = commands.add_parser(
        "policy", help="list, show, lint, test, add, remove and draft policies"
    )
    actions = policy.add_subparsers(dest="policy_command", metavar="ACTION")
    actions.add_parser("list", help="list bundled and user policies").set_defaults(handler=run_list)
    show = actions.add_parser("show", help="print a policy")
    show.add_argument("ref", metavar="ID|PATH")
    show.set_defaults(handler=run_show)
    lint_parser = actions.add_parser("lint", help="check a policy against the authoring advice")
    lint_parser.add_argument("ref", metavar="ID|PATH")
    lint_parser.set_defaults(handler=run_lint)
    test_parser = actions.add_parser("test", help="run a policy's labelled cases and score them")
    test_parser.add_argument("ref", metavar="ID|PATH")
    test_parser.add_argument(
        "--cases", type=Path, help="cases.jsonl (default: the one beside the policy)"
    )
    test_parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    test_parser.add_argument(
        "--min-f1",
        type=options.finite(0.0, 1.0, above=False),
        help="exit 1 when the overall F1 is below this",
    )
    test_parser.add_argument(
        "--compare",
        metavar="VERSION",
        help="list cases whose verdict flipped since the stored run of VERSION",
    )
    test_parser.add_argument("--db", type=Path)
    test_parser.add_argument("--quiet", action="store_true")
    options.add_model_options(test_parser)
    test_parser.set_defaults(handler=run_test)
    policy_files.add_actions(actions)

    evaluate = commands.add_parser("eval", help="score the model on a public benchmark")
    evaluate.add_argument("benchmark", choices=("moderation", "toxicchat", "contractnli"))
    evaluate.add_argument(
        "--data",
        type=Path,
        required=True,
        help="samples-1680.jsonl.gz (moderation), toxic_chat_test.judgebench.json "
        "(toxicchat) or test.json (contractnli)",
    )
    evaluate.add_argument(
        "--category", default="S", help="moderation category (S, H, V, HR, SH, S3, H2, V2)"
    )
    evaluate.add_argument("--limit", type=options.whole(1), help="score only the first N cases")
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("--quiet", action="store_true")
    options.add_model_options(evaluate)
    evaluate.set_defaults(handler=run_eval)


def run_list(args: argparse.Namespace) -> int:
    from app.services.policies import is_user_policy, library

    scan = library().scan()
    for item in scan.policies:
        origin = "  (user)" if is_user_policy(item) else ""
        flags = "  [template]" if item.template else "  [draft]" if item.draft else ""
        print(
            f"{item.id:<18} {item.version:<8} {len(item.sections):>2} sections  "
            f"{item.title}{origin}{flags}"
        )
    for problem in scan.problems:  # listed, never fatal: the rest of the library works
        print(f"⚠ {problem.path}: {problem.problem}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from app.services.policies import library

    item = library().resolve(args.ref)
    print(f"{item.id} {item.version} — {item.title}")
    print(f"sha256 {item.sha256}; sections {', '.join(item.section_ids)}")
    if item.source:
        print(f"source {item.source}")
    print()
    print(item.body, end="")
    return 0


def count_tokens(text: str) -> int:
    from app.inference.harmony import count_text_tokens

    return count_text_tokens(text)


def run_lint(args: argparse.Namespace) -> int:
    from app.services.policies import library

    return lint(library().path_of(args.ref))


def lint(policy_path: Path) -> int:
    from app.core.lint import lint_text, load_cases
    from app.core.policy import read_policy_text

    cases_file = policy_path.parent / "cases.jsonl"
    cases = load_cases(cases_file) if cases_file.exists() else []
    _, issues = lint_text(
        read_policy_text(policy_path), count_tokens, path=policy_path, cases=cases
    )
    for issue in issues:
        print(f"{policy_path}: {issue}")
    errors = sum(1 for i in issues if i.level == "error")
    print(f"{policy_path}: {errors} error(s), {len(issues) - errors} warning(s)")
    return 1 if errors else 0


def run_test(args: argparse.Namespace) -> int:
    from app.services.policies import library
    from app.services.policy_testing import (
        PolicyTestRequest,
        cases_file_of,
        compared_test,
        run_policy_test,
    )
    from app.services.stores import open_store

    request = PolicyTestRequest(library().resolve(args.ref), args.cases, args.effort, args.compare)
    cases_file_of(request)  # no model is loaded for a policy without cases
    store = open_store(args.db)
    try:
        compared_test(request, store)  # nor for a --compare version never tested
        engine = options.load_engine_for(args)
    except BaseException:
        store.close()
        raise
    printer = ProgressPrinter(quiet=args.quiet)
    try:
        result = run_policy_test(request, engine, store, progress=printer)
    finally:
        printer.done()
        store.close()
        engine.close()
    report = result.report
    if args.json:
        print(json.dumps(report.to_json() | {"flipped": result.flipped}, indent=2))
    else:
        print_report(report, f"{request.policy.id} {request.policy.version}")
        for text, before, after in result.flipped:
            print(f"  flipped since {args.compare}: {before} -> {after}: {text[:90]}")
    f1 = report.overall.f1
    if args.min_f1 is not None and (f1 is None or f1 < args.min_f1):
        output.error(f"F1 {_fmt(f1)} is below --min-f1 {args.min_f1}")
        return 1
    return 0


def print_report(report: Report, title: str) -> None:
    from app.core.policy_tests import LABELS, PREDICTED, Scores

    print(
        f"{title}: {report.cases} cases, parse rate {report.parse_rate:.0%}, "
        f"{report.indeterminate} indeterminate, {report.mean_latency_s:.1f} s and "
        f"{report.mean_prompt_tokens:.0f}+{report.mean_completion_tokens:.0f} tokens per case"
    )
    print(f"  {'':<10} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>7}")
    rows: list[tuple[str, Scores]] = [("overall", report.overall), *report.sections.items()]
    for name, s in rows:
        print(
            f"  {name:<10} {_fmt(s.precision):>9} {_fmt(s.recall):>7} {_fmt(s.f1):>6} "
            f"{s.support:>7}"
        )
    print("  confusion (rows: expected, columns: predicted)")
    print(f"  {'':<13}" + "".join(f"{label:>13}" for label in PREDICTED))
    for expected in LABELS:
        print(
            f"  {expected:<13}" + "".join(f"{report.confusion[expected][p]:>13}" for p in PREDICTED)
        )


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def run_eval(args: argparse.Namespace) -> int:
    from app.services.benchmarks import run_benchmark

    engine = options.load_engine_for(args)
    printer = ProgressPrinter(quiet=args.quiet)
    try:
        run = run_benchmark(
            args.benchmark, args.data, engine, category=args.category, limit=args.limit,
            effort=args.effort, progress=printer,
        )  # fmt: skip
    finally:
        printer.done()
        engine.close()
    if not run.outcomes:
        raise UsageError("no labelled cases were selected")
    report = run.report(args.benchmark)
    if args.json:
        print(
            json.dumps(
                report.to_json() | {"benchmark": run.title, "published_f1": run.published_f1},
                indent=2,
            )
        )
        return 0
    print_report(report, f"{run.title} with {engine.info.name} (effort {args.effort})")
    ours = "—" if report.overall.f1 is None else f"{100 * report.overall.f1:.1f}"
    published = run.published_f1
    print(
        f"  F1 ours {ours} | gpt-oss-safeguard-20b published "
        f"{published if published is not None else '— (not published for ContractNLI)'}"
    )
    return 0
