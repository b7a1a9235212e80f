"""``history``: every check in the store, with the model's verdict, the reviewed verdict, how
far the review got and the sign-off (the app's Checks page shows the same rows)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.cli import options, output
from app.cli.options import SubParsers

if TYPE_CHECKING:
    from app.store.repository import Store


def add_parsers(commands: SubParsers) -> None:
    history = commands.add_parser(
        "history", help="every check: document, verdicts, review state, sign-off"
    )
    history.add_argument("--case", metavar="NAME", help="only the runs of this case")
    history.add_argument("--json", action="store_true", help="print JSON (one object a run)")
    options.add_db_option(history)
    history.set_defaults(handler=options.with_store(_history))


def _history(store: Store, args: argparse.Namespace) -> int:
    rows = store.history(args.case)
    if args.json:
        output.print_json([row.to_json() for row in rows])
    else:
        output.print_history(rows)
    return 0
