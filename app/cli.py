"""The ``safeguard-desk`` command: thin; the work is done by core, ingest and inference.

Exit codes (DESIGN.md): 0 compliant, 1 violations or items needing review, 2 bad input or usage,
3 no usable model. Errors are one line on stderr; tracebacks go to the log file only.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from app import cli_audit, cli_bench, cli_model, cli_policy
from app.core.errors import SafeguardError, UsageError, exit_code, user_text
from app.core.library import PolicyLibrary
from app.core.limits import DEFAULT_LIMITS
from app.core.paths import user_policies_dir
from app.core.pipeline import CHECK_EFFORTS
from app.core.policy import Policy
from app.logs import setup_logging
from app.resources import assets_dir, bundled_policies_dir

log = logging.getLogger(__name__)
DEMO_DOCUMENT = "samples/demo-investment-flyer.md"
DEMO_POLICIES = ("fin-promo", "data-protection")


def library() -> PolicyLibrary:
    return PolicyLibrary([user_policies_dir(), bundled_policies_dir()])


def _desktop_app() -> int:
    """No command: open the desktop app (PySide6 is imported only here)."""
    try:
        from app.ui.app import run
    except ImportError as error:  # Qt's system libraries missing on a bare server
        print(
            f"safeguard-desk: the desktop app cannot start ({error}); the command line works: "
            "see 'safeguard-desk --help'",
            file=sys.stderr,
        )
        return 2
    return run()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("safeguard-desk")
    except PackageNotFoundError:  # a plain checkout on sys.path
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safeguard-desk",
        description="Check documents against policies with a local reasoning model.",
    )
    parser.add_argument("--version", action="version", version=f"safeguard-desk {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

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
    _add_model_options(check)
    check.add_argument(
        "--out",
        type=Path,
        metavar="report.json",
        help="write the JSON report here (several files: one report each, "
        "named report.<document>.json)",
    )
    check.add_argument("--password", help="password of encrypted PDFs")
    _add_limit_options(check)
    check.add_argument(
        "--policy-mode",
        choices=("separate", "combined"),
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
    check.add_argument("--db", type=Path, metavar="PATH", help="the store (default: data dir)")
    check.add_argument("--case", default="default", help="case to file the runs under")
    check.add_argument("--quiet", action="store_true", help="no progress on stderr")

    extract = commands.add_parser("extract", help="show the passages the model will see")
    extract.add_argument("files", nargs="+", type=Path, metavar="FILE")
    extract.add_argument("--password", help="password of encrypted PDFs")
    _add_limit_options(extract)
    extract.add_argument("--json", action="store_true", help="print JSON")

    policy = commands.add_parser("policy", help="list or show policies")
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="ACTION")
    policy_commands.add_parser("list", help="list bundled and user policies")
    show = policy_commands.add_parser("show", help="print a policy")
    show.add_argument("ref", metavar="ID|PATH")
    cli_policy.add_parsers(policy_commands, commands, _add_model_options)

    cli_model.add_parser(commands)
    cli_audit.add_parsers(commands)
    cli_bench.add_parser(commands)

    demo = commands.add_parser("demo", help="a full check of a bundled sample")
    _add_model_options(demo, default_model=None)
    demo.add_argument("--out", type=Path, default=Path("report.json"), metavar="report.json")
    demo.add_argument("--pdf", type=Path, default=Path("report.pdf"), metavar="report.pdf")
    demo.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def _add_limit_options(parser: argparse.ArgumentParser) -> None:
    defaults = DEFAULT_LIMITS
    parser.add_argument(
        "--max-file-mb", type=int, default=defaults.max_file_mb, help="largest file to read"
    )
    parser.add_argument(
        "--max-pages", type=int, default=defaults.max_pages, help="most PDF pages to read"
    )
    parser.add_argument(
        "--extract-timeout",
        type=float,
        default=defaults.timeout_s,
        metavar="SECONDS",
        help="stop reading a file after this long",
    )


def _add_model_options(parser: argparse.ArgumentParser, default_model: str | None = None) -> None:
    parser.add_argument(
        "--effort",
        choices=CHECK_EFFORTS,
        default="medium",
        help="reasoning effort; auto: high where a policy's screens match, low elsewhere",
    )
    parser.add_argument(
        "--model",
        default=default_model,
        metavar="NAME|PATH",
        help="catalogue name (gpt-oss-safeguard-20b, smoke-gemma3-270m) or a GGUF file",
    )
    parser.add_argument("--n-ctx", type=int, metavar="N", help="context length in tokens")
    parser.add_argument(
        "--gpu-layers",
        type=int,
        default=0,
        metavar="N",
        help="layers to offload to the GPU (-1: all)",
    )
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, metavar="N")
    parser.add_argument(
        "--server",
        metavar="URL",
        help="use an on-prem OpenAI-compatible server (vLLM, llama.cpp server, Ollama) instead "
        "of a local model; its API key: 'model token --server'",
    )
    parser.add_argument(
        "--server-model", metavar="NAME", help="the model name on that server (with --server)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--temperature", type=float, default=0.2)


def main(argv: list[str] | None = None) -> int:
    log_file = setup_logging()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse already printed a usage line
        return 0 if exit_.code in (0, None) else 2
    if args.command is None:
        return _desktop_app()
    try:
        return _dispatch(args)
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as shell tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (SafeguardError, KeyboardInterrupt) as error:
        log.info("command failed: %s", error, exc_info=True)
        print(f"safeguard-desk: {user_text(error)}", file=sys.stderr)
        return exit_code(error)
    except Exception as error:  # a bug: the user gets one line, the log gets the traceback
        log.exception("internal error")
        where = f" ({log_file})" if log_file else ""
        print(f"safeguard-desk: {user_text(error)}{where}", file=sys.stderr)
        return exit_code(error)


def _dispatch(args: argparse.Namespace) -> int:
    from app import commands  # imports llama.cpp and pypdf: only when a command needs them

    if args.command == "check":
        if args.replay:
            if args.files or args.policy:
                raise UsageError("--replay takes its files and policies from the report")
            return commands.replay(args, library())
        if not args.files or not args.policy:
            raise UsageError("check needs FILE... and --policy ID|PATH (or --replay report.json)")
        return commands.check(args, _policies(args.policy))
    if args.command == "extract":
        return commands.extract(args)
    if args.command == "demo":
        args.files = [assets_dir() / DEMO_DOCUMENT]
        args.password, args.db, args.case, args.reasoning = None, None, "demo", False
        args.max_file_mb, args.max_pages = DEFAULT_LIMITS.max_file_mb, DEFAULT_LIMITS.max_pages
        args.extract_timeout = DEFAULT_LIMITS.timeout_s
        return commands.check(args, _policies(list(DEMO_POLICIES)), demo=True)
    if args.command == "policy":
        return _policy_command(args)
    if args.command == "model":
        return cli_model.run(args)
    if args.command == "eval":
        return cli_policy.evaluate(args, commands.engine_for(args))
    if args.command == "bench":
        return cli_bench.run(args)
    if args.command in ("review", "audit", "report", "export"):
        return cli_audit.run(args)
    raise UsageError(f"unknown command {args.command}")


def _policies(refs: list[str]) -> list[Policy]:
    lib = library()
    policies = [lib.resolve(ref) for ref in refs]
    ids = [p.id for p in policies]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise UsageError(f"policy given twice: {', '.join(duplicates)}")
    return policies


def _policy_command(args: argparse.Namespace) -> int:
    if args.policy_command == "lint":
        return cli_policy.lint(library().path_of(args.ref))
    if args.policy_command == "test":
        from app import commands
        from app.store.repository import Store

        policy = library().resolve(args.ref)
        store = Store(args.db)
        try:
            return cli_policy.test(args, policy, commands.engine_for(args), store)
        finally:
            store.close()
    if args.policy_command == "show":
        policy = library().resolve(args.ref)
        print(f"{policy.id} {policy.version} — {policy.title}")
        print(f"sha256 {policy.sha256}; sections {', '.join(policy.section_ids)}")
        if policy.source:
            print(f"source {policy.source}")
        print()
        print(policy.body, end="")
        return 0
    if args.policy_command == "list":
        for policy in library().all():
            origin = "user" if policy.path and user_policies_dir() in policy.path.parents else ""
            print(
                f"{policy.id:<18} {policy.version:<8} {len(policy.sections):>2} sections  "
                f"{policy.title}" + (f"  ({origin})" if origin else "")
            )
        return 0
    raise UsageError("policy needs an action: list or show ID")


if __name__ == "__main__":
    sys.exit(main())
