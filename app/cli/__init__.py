"""The ``safeguard-desk`` command line: parse arguments, build typed requests, call services,
print. One module per command group (``check``, ``policy``, ``model``, ``review``, ``history``,
``bench``); each registers its parsers with ``set_defaults(handler=...)``; ``output`` does all
printing.

Exit codes (DESIGN.md): 0 compliant, 1 violations, items needing review or not assessed, 2 bad
input or usage, 3 no usable model. Errors are one line on stderr; tracebacks go to the log file
only.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli import bench, check, history, model, output, policy, review
from app.core.errors import UsageError, as_safeguard_error, exit_code, user_text
from app.runtime.logs import setup_logging

log = logging.getLogger(__name__)
Handler = Callable[[argparse.Namespace], int]


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
    for group in (check, policy, model, review, history, bench):
        group.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; ``argv`` without the program name (default: ``sys.argv[1:]``).
    Returns 0-3 only (DESIGN.md): whatever happens, the user sees one line, never a traceback."""
    _quiet_hooks()
    log_file: Path | None = None
    try:
        log_file = setup_logging()
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exit_:  # argparse already printed a usage line
            return 0 if exit_.code in (0, None) else 2
        handler: Handler | None = getattr(args, "handler", None)
        if handler is None:  # a command group without its action, e.g. "safeguard-desk model"
            raise UsageError(
                f"'{args.command}' needs an action; see safeguard-desk {args.command} -h"
                if args.command
                else "give a command; see safeguard-desk -h"
            )
        return handler(args)
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as shell tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 2
    except BaseException as error:  # the one place errors become user text
        if isinstance(error, SystemExit):
            raise
        named = as_safeguard_error(error)
        if named is not None:  # ours, or an OSError / sqlite error / Ctrl+C with a name
            log.info("command failed: %s", error, exc_info=True)
            output.error(named)
        else:  # a bug: the user gets one line, the log gets the traceback
            log.exception("internal error")
            where = f" ({log_file})" if log_file else ""
            output.error(f"{user_text(error)}{where}")
        return exit_code(error)


def _quiet_hooks() -> None:
    """Errors outside ``main``'s reach (a thread, an object's ``__del__``, interpreter exit)
    go to the log with one line on stderr, never a traceback."""

    def one_line(kind: type[BaseException], error: BaseException, trace: object) -> None:
        log.error("uncaught", exc_info=(kind, error, trace))  # type: ignore[arg-type]
        with contextlib.suppress(Exception):
            output.error(error)

    def thread_hook(hook: threading.ExceptHookArgs) -> None:
        if hook.exc_value is not None:
            one_line(hook.exc_type, hook.exc_value, hook.exc_traceback)

    def unraisable(hook: Any) -> None:
        log.error("unraisable: %s", getattr(hook, "exc_value", None))

    sys.excepthook = one_line
    threading.excepthook = thread_hook
    sys.unraisablehook = unraisable
