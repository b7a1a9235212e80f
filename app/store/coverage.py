"""Which rows the audit chain covers, and the canonical form each is hashed in.

Trust rule 5: every row a report shows is covered by the signed audit chain. Each audit entry
carries, under ``payload["rows"]``, the hash of every row its transaction created or changed
(``"runs:3": "<sha256>"``; ``null`` for a row it deleted). ``audit verify`` re-derives the hash
of every row of every covered table and compares: a row that differs from what its latest entry
recorded, a recorded row that is gone, and a row no entry accounts for are each named.

A table is covered by one registration here::

    register("signoffs", columns("id", "run_id", "outcome", "note", "reviewer", "at"))

Rows are found by their integer ``id`` column. A row's hash is the canonical sha256
(``app.core.canonical``) of ``{"table": name, "row": canonical(row)}``. ``columns`` names the
columns in the canonical form; a column added by a later migration goes into ``later`` with its
default, and is left out of the form while it holds that default, so rows hashed before the
column existed still verify. ``tests/store/test_coverage.py`` fails when a table of the schema
is neither registered nor listed in ``UNCOVERED``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from app.core.canonical import canonical_sha256

RowCanonical = Callable[[sqlite3.Row], dict[str, Any]]

# Tables that are not data: the schema version / head, and the log itself.
UNCOVERED = ("meta", "audit_log")

_COVERED: dict[str, RowCanonical] = {}


def register(table: str, canonical: RowCanonical) -> None:
    """Cover ``table``'s rows with the audit chain; ``canonical`` gives a row's hashed form."""
    _COVERED[table] = canonical


def columns(*names: str, later: Mapping[str, Any] | None = None) -> RowCanonical:
    """The canonical form of a row: these columns' values as stored. ``later``: columns added
    after rows were first hashed, with the default they are left out at."""
    added = dict(later or {})

    def canonical(row: sqlite3.Row) -> dict[str, Any]:
        form = {name: row[name] for name in names}
        for name, default in added.items():
            if row[name] != default:
                form[name] = row[name]
        return form

    return canonical


def covered_tables() -> tuple[str, ...]:
    return tuple(_COVERED)


def row_key(table: str, row_id: int) -> str:
    return f"{table}:{row_id}"


def hash_row(table: str, row: sqlite3.Row) -> str:
    return canonical_sha256({"table": table, "row": _COVERED[table](row)})


def row_hashes(
    connection: sqlite3.Connection, rows: Iterable[tuple[str, int]]
) -> dict[str, str | None]:
    """The current hash of each (table, id); None for a row that does not exist (deleted)."""
    hashes: dict[str, str | None] = {}
    for table, row_id in rows:
        if table not in _COVERED:
            raise KeyError(f"table {table} is not covered by the audit chain (register it)")
        row = connection.execute(f"SELECT * FROM {table} WHERE id=?", (row_id,)).fetchone()
        hashes[row_key(table, row_id)] = None if row is None else hash_row(table, row)
    return hashes


def all_rows(connection: sqlite3.Connection) -> list[tuple[str, int]]:
    """Every row of every covered table that exists in this store, table by table, by id."""
    found: list[tuple[str, int]] = []
    present = {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    for table in _COVERED:
        if table in present:
            ids = connection.execute(f"SELECT id FROM {table} ORDER BY id")
            found += [(table, int(r[0])) for r in ids]
    return found


def current_hashes(connection: sqlite3.Connection) -> dict[str, str]:
    """The hash of every row of every covered table, in table order then id order."""
    hashes: dict[str, str] = {}
    present = {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    for table in _COVERED:
        if table not in present:
            continue
        for row in connection.execute(f"SELECT * FROM {table} ORDER BY id"):
            hashes[row_key(table, row["id"])] = hash_row(table, row)
    return hashes


register("cases", columns("id", "name", "created_at"))
register("documents", columns("id", "sha256", "path", "media_type", "pages"))
register(
    "runs",
    columns(
        "id", "case_id", "document_id", "status", "pid", "started_at", "finished_at",
        "model_name", "model_sha256", "engine", "settings_json", "policies_json", "verdict",
        "timings_json", "prompt_tokens", "completion_tokens", "report_json", "note",
        "outcomes_json", "unread",
    ),
)  # fmt: skip
register(
    "findings",
    columns(
        "id", "run_id", "position", "policy_id", "policy_version", "section", "passage",
        "passage_text", "location_json", "quote", "quote_verified", "severity", "confidence",
        "rationale", "remediation", "layer", "model_verdict", "carried_from",
    ),
)  # fmt: skip
register(
    "decisions",
    columns(
        "id", "finding_id", "decision", "note", "amended_json", "reviewer", "decided_at",
        "carried_from_run",
    ),
)  # fmt: skip
register(
    "signoffs",
    columns("id", "run_id", "outcome", "note", "reviewer", "signed_at", "decisions_upto"),
)
register(
    "policy_tests",
    columns(
        "id", "policy_id", "version", "sha256", "effort", "model", "created_at",
        "metrics_json", "outcomes_json",
    ),
)  # fmt: skip
register("batches", columns("id", "key", "created_at", "finished_at"))
register(
    "batch_items", columns("id", "batch_id", "position", "path", "status", "run_id", "message")
)
register(
    "exports",
    columns(
        "id", "run_id", "kind", "path", "report_sha256", "file_sha256", "bytes", "exported_at",
        "reviewer",
    ),
)  # fmt: skip
