"""The program's entry point (``safeguard-desk``, ``python -m app``): with no arguments it opens
the desktop app, otherwise it runs a command. The two front ends never import each other;
this is the one place that picks between them."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments:
        from app.cli import main as command_line

        return command_line(arguments)
    return desktop_app()


def desktop_app() -> int:
    """PySide6 is imported only here: commands never pay for Qt."""
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
