"""``policy lint``, ``policy test`` and ``eval``: policies treated as tested software."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.cli_output import ProgressPrinter
from app.core.errors import InputError, UsageError
from app.core.lint import lint_text, load_cases
from app.core.policy import Policy
from app.core.policy_tests import LABELS, CaseOutcome, Report, Scores, flipped, run_cases, score


def add_parsers(
    policy_actions: argparse._SubParsersAction,  # type: ignore[type-arg]
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    add_model_options: Any,
) -> None:
    lint = policy_actions.add_parser("lint", help="check a policy against the authoring advice")
    lint.add_argument("ref", metavar="ID|PATH")
    test = policy_actions.add_parser("test", help="run a policy's labelled cases and score them")
    test.add_argument("ref", metavar="ID|PATH")
    test.add_argument("--cases", type=Path, help="cases.jsonl (default: the one beside the policy)")
    test.add_argument("--json", action="store_true", help="print the scores as JSON")
    test.add_argument("--min-f1", type=float, help="exit 1 when the overall F1 is below this")
    test.add_argument(
        "--compare",
        metavar="VERSION",
        help="list cases whose verdict flipped since the stored run of VERSION",
    )
    test.add_argument("--db", type=Path)
    test.add_argument("--quiet", action="store_true")
    add_model_options(test)

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
    evaluate.add_argument("--limit", type=int, help="score only the first N cases")
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("--quiet", action="store_true")
    add_model_options(evaluate)


def count_tokens(text: str) -> int:
    from app.inference.harmony import count_text_tokens

    return count_text_tokens(text)


def lint(policy_path: Path) -> int:
    cases_file = policy_path.parent / "cases.jsonl"
    cases = load_cases(cases_file) if cases_file.exists() else []
    _, issues = lint_text(
        policy_path.read_text(encoding="utf-8"), count_tokens, path=policy_path, cases=cases
    )
    for issue in issues:
        print(f"{policy_path}: {issue}")
    errors = sum(1 for i in issues if i.level == "error")
    print(f"{policy_path}: {errors} error(s), {len(issues) - errors} warning(s)")
    return 1 if errors else 0


def test(args: argparse.Namespace, policy: Policy, engine: Any, store: Any) -> int:
    cases_file = args.cases or (policy.path.parent / "cases.jsonl" if policy.path else None)
    if cases_file is None or not cases_file.exists():
        raise InputError(f"policy '{policy.id}' has no cases.jsonl; give one with --cases")
    cases = load_cases(cases_file)
    if not cases:
        raise InputError("no test cases in the file", path=cases_file)
    printer = ProgressPrinter(quiet=args.quiet)
    outcomes = run_cases(policy, cases, engine, effort=args.effort, progress=printer)
    printer.done()
    report = score(outcomes, policy.section_ids)
    report.extra = {
        "policy": policy.id,
        "version": policy.version,
        "effort": args.effort,
        "model": engine.info.name,
    }
    store.save_policy_test(
        policy, args.effort, engine.info.name, report.to_json(), [asdict(o) for o in outcomes]
    )
    changes = _compare(args, policy, store, outcomes)
    if args.json:
        print(json.dumps(report.to_json() | {"flipped": changes}, indent=2))
    else:
        print_report(report, f"{policy.id} {policy.version}")
        for text, before, after in changes:
            print(f"  flipped since {args.compare}: {before} -> {after}: {text[:90]}")
    f1 = report.overall.f1
    if args.min_f1 is not None and (f1 is None or f1 < args.min_f1):
        print(f"safeguard-desk: F1 {_fmt(f1)} is below --min-f1 {args.min_f1}", file=sys.stderr)
        return 1
    return 0


def _compare(
    args: argparse.Namespace, policy: Policy, store: Any, outcomes: list[CaseOutcome]
) -> list[tuple[str, str, str]]:
    if not args.compare:
        return []
    row = store.policy_test(policy.id, args.compare)
    if row is None:
        raise InputError(f"no stored test run of {policy.id} version {args.compare}")
    return flipped(json.loads(row["outcomes_json"]), outcomes)


def print_report(report: Report, title: str) -> None:
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
    print(f"  {'':<13}" + "".join(f"{label:>13}" for label in LABELS))
    for expected in LABELS:
        print(f"  {expected:<13}" + "".join(f"{report.confusion[expected][p]:>13}" for p in LABELS))


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def evaluate(args: argparse.Namespace, engine: Any) -> int:
    from app.core.evaluation import (
        PUBLISHED_F1,
        load_contractnli,
        load_moderation,
        load_toxicchat,
    )
    from app.core.policy_tests import score
    from app.ingest.text import paragraphs

    printer = ProgressPrinter(quiet=args.quiet)
    outcomes: list[CaseOutcome] = []
    if args.benchmark == "moderation":
        bench = load_moderation(args.data, args.category.upper(), args.limit)
        outcomes = run_cases(
            bench.policy, bench.cases, engine, effort=args.effort, progress=printer
        )
        title, published = bench.name, PUBLISHED_F1["openai-moderation"]
    elif args.benchmark == "toxicchat":
        bench = load_toxicchat(args.data, args.limit)
        outcomes = run_cases(
            bench.policy, bench.cases, engine, effort=args.effort, progress=printer
        )
        title, published = bench.name, PUBLISHED_F1["toxicchat"]
    else:
        from app.core.documents import Document, number_passages
        from app.core.policy_tests import case_document

        for bench, texts in load_contractnli(args.data, args.limit):
            documents = [
                Document(
                    case_document(t, n).path,
                    case_document(t, n).sha256,
                    "text/plain",
                    1,
                    number_passages(paragraphs(t)),
                )
                for n, t in enumerate(texts, start=1)
            ]
            outcomes += run_cases(
                bench.policy,
                bench.cases,
                engine,
                effort=args.effort,
                progress=printer,
                documents=documents,
            )
        title, published = "contractnli", None
    printer.done()
    if not outcomes:
        raise UsageError("no labelled cases were selected")
    section = {"moderation": "MOD-1", "toxicchat": "TC-1", "contractnli": "CN-1"}[args.benchmark]
    report = score(outcomes, (section,))
    if args.json:
        print(
            json.dumps(report.to_json() | {"benchmark": title, "published_f1": published}, indent=2)
        )
        return 0
    print_report(report, f"{title} with {engine.info.name} (effort {args.effort})")
    ours = "—" if report.overall.f1 is None else f"{100 * report.overall.f1:.1f}"
    print(
        f"  F1 ours {ours} | gpt-oss-safeguard-20b published "
        f"{published if published is not None else '— (not published for ContractNLI)'}"
    )
    return 0
