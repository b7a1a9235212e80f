"""``policy add``, ``policy remove``, ``policy cases import`` and ``policy from-regulation``:
the commands that change the user's policy library."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from app.cli import options, output
from app.cli.output import ProgressPrinter
from app.core.drafting import DocumentKind, DraftSpec
from app.core.regulation import Provision

if TYPE_CHECKING:  # the drafting service loads ingest and the tokenizer: only when it runs
    from app.services.drafting import RegulationSource


def add_actions(actions: options.SubParsers) -> None:
    add = actions.add_parser("add", help="add a policy file or folder to your library")
    add.add_argument("path", type=Path, metavar="PATH", help="policy.md or the folder holding it")
    add.add_argument("--replace", action="store_true", help="replace a policy with the same id")
    add.set_defaults(handler=run_add)
    remove = actions.add_parser("remove", help="remove one of your policies")
    remove.add_argument("policy_id", metavar="ID")
    remove.set_defaults(handler=run_remove)

    cases = actions.add_parser("cases", help="a policy's test cases")
    cases_actions = cases.add_subparsers(dest="cases_command", metavar="ACTION")
    imported = cases_actions.add_parser(
        "import", help="add cases from a cases.jsonl or an 'export dataset' file"
    )
    imported.add_argument("file", type=Path, metavar="FILE")
    imported.add_argument("--policy", metavar="ID", help="only this policy's rows (and rows "
                          "that name no policy)")  # fmt: skip
    imported.set_defaults(handler=run_cases_import)

    draft = actions.add_parser(
        "from-regulation", help="draft policies from a regulation's text (PDF, DOCX, TXT, HTML…)"
    )
    draft.add_argument("file", type=Path, metavar="FILE")
    draft.add_argument("--id", dest="policy_id", metavar="ID", help="id of the new policy")
    draft.add_argument("--articles", metavar="A-B", help="articles, sections or rules, e.g. 3-7")
    draft.add_argument(
        "--provision",
        action="append",
        default=[],
        metavar="REF",
        help="a provision to draft, e.g. 'Article 5(1)(a)' (repeatable)",
    )
    draft.add_argument("--kind", choices=get_args(DocumentKind), default="general",
                       help="the kind of document the policy checks")  # fmt: skip
    draft.add_argument("--out", type=Path, metavar="DIR", help="folder for the drafts")
    draft.add_argument("--list", action="store_true", help="only list the provisions found")
    draft.add_argument("--model", metavar="NAME|PATH", help="the model that drafts examples")
    draft.add_argument("--no-model", action="store_true", help="leave the examples as gaps")
    options.add_limit_options(draft)
    draft.set_defaults(handler=run_from_regulation)


def run_add(args: argparse.Namespace) -> int:
    from app.services.policies import add_policy, library

    added = add_policy(library(), args.path, replace=args.replace)
    policy = added.policy
    print(f"added {policy.id} {policy.version} — {policy.title} ({added.cases} test case(s)) "
          f"to {added.folder}")  # fmt: skip
    if added.moved_aside:
        output.note(f"the policy it replaced was moved to {added.moved_aside}")
    if added.shadows_bundled:
        output.note(f"your copy is used instead of the bundled policy {policy.id}")
    if policy.draft:
        output.note(f"{policy.id} is a draft: it is not offered for checks until saved clean")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from app.services.policies import library, remove_policy

    removed = remove_policy(library(), args.policy_id)
    print(f"removed {removed.policy_id}: moved to {removed.moved_to}")
    if removed.bundled_now:
        output.note(f"the bundled policy {removed.policy_id} is used again")
    return 0


def run_cases_import(args: argparse.Namespace) -> int:
    from app.core.errors import UsageError
    from app.services.policies import library
    from app.services.policy_cases import import_cases

    result = import_cases(library(), args.file, args.policy)
    for line in result.skipped:
        output.warn(f"{args.file}: {line}")
    for policy_id, count in result.added.items():
        print(f"{policy_id}: {count} case(s) added")
    if not any(result.added.values()):
        raise UsageError(f"{args.file}: no case was imported")
    return 0


def run_from_regulation(args: argparse.Namespace) -> int:
    from app.core.errors import UsageError
    from app.services.drafting import choose_provisions, read_regulation

    source = read_regulation(args.file, options.limits(args))
    for warning in source.warnings:
        output.warn(f"{args.file}: {warning}")
    regulation = source.regulation
    if args.list:
        print_structure(regulation.title, regulation.provisions)
        return 0
    if not args.policy_id or args.out is None:
        raise UsageError("from-regulation needs --id ID and --out DIR (or --list)")
    chosen = choose_provisions(regulation, args.articles, args.provision)
    spec = DraftSpec(args.policy_id, kind=args.kind)
    return _draft_and_write(args, source, chosen, spec)


def _draft_and_write(
    args: argparse.Namespace,
    source: RegulationSource,
    chosen: list[Provision],
    spec: DraftSpec,
) -> int:
    from app.runtime.settings import load_settings
    from app.services.drafting import draft, drafting_engine, write_drafts

    engine, why = (
        (None, "--no-model: the examples are left as gaps")
        if args.no_model
        else (drafting_engine(load_settings(), args.model))
    )
    if why:
        output.note(why)
    printer = ProgressPrinter()
    try:
        drafted = draft(source, chosen, spec, engine, progress=printer)
    finally:
        printer.done()
    for line in drafted.notes:
        output.note(line)
    paths = write_drafts(drafted.drafts, args.out)
    for item, path in zip(drafted.drafts, paths, strict=True):
        issues = drafted.issues[item.policy_id]
        errors = sum(1 for issue in issues if issue.level == "error")
        refs = ", ".join(c.ref for c in item.criteria)
        print(f"{path}: {len(item.criteria)} criteria ({refs}), {item.tokens} tokens, "
              f"{errors} lint error(s), {len(issues) - errors} warning(s)")  # fmt: skip
        for issue in issues:
            print(f"  {issue}")
    print(f"{len(paths)} draft(s) marked 'draft: true': not offered for checks. Fill the gaps, "
          "check each criterion against its Source, then save it clean in the app's policy "
          "library, or remove 'draft: true' and 'safeguard-desk policy add' it.")  # fmt: skip
    return 0


def print_structure(title: str, provisions: Sequence[Provision]) -> None:
    print(title)
    chapter = None
    for container in provisions:
        if container.chapter != chapter:
            chapter = container.chapter
            if chapter:
                print(f"  {chapter}")
        mark = "  (definitions)" if container.is_definitions else ""
        print(f"    {container.ref} {container.title}{mark}")
        for item in container.children if not container.is_definitions else []:
            flag = "binding" if item.binding else "       "
            print(f"      {flag}  {item.ref}  {' '.join(item.text.split()[:10])}")
