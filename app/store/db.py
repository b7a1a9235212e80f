"""The SQLite store: WAL journal, versioned schema with forward migrations, explicit transactions.

Every state change and its audit-log entry are written in one transaction, so a crash leaves
either both or neither. Work that must follow a commit (the signed head kept outside the
database) is queued on the connection (``StoreConnection.after_commit``) and runs only once the
transaction committed. The database file is created 0600 (it holds document text); SQLite gives
its -wal and -shm files the same mode.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from app.core.bounded import file_kind
from app.core.errors import CorruptStore, InputError, from_os_error, from_sqlite_error

log = logging.getLogger(__name__)

# Migration N takes the schema from version N to N+1. Append, never edit.
MIGRATIONS = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE cases (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, path TEXT NOT NULL,
        media_type TEXT NOT NULL, pages INTEGER NOT NULL, UNIQUE (sha256, path));
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),
        document_id INTEGER NOT NULL REFERENCES documents(id),
        status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'incomplete', 'failed')),
        pid INTEGER, started_at TEXT NOT NULL, finished_at TEXT,
        model_name TEXT NOT NULL, model_sha256 TEXT NOT NULL, engine TEXT NOT NULL,
        settings_json TEXT NOT NULL, policies_json TEXT NOT NULL,
        verdict TEXT, timings_json TEXT, prompt_tokens INTEGER, completion_tokens INTEGER,
        report_json TEXT, note TEXT);
    CREATE TABLE findings (
        id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
        position INTEGER NOT NULL, policy_id TEXT NOT NULL, policy_version TEXT NOT NULL,
        section TEXT NOT NULL, passage TEXT NOT NULL, passage_text TEXT NOT NULL,
        location_json TEXT NOT NULL, quote TEXT NOT NULL, quote_verified INTEGER NOT NULL,
        severity TEXT NOT NULL, confidence REAL NOT NULL, rationale TEXT NOT NULL,
        remediation TEXT NOT NULL, layer TEXT NOT NULL, model_verdict TEXT NOT NULL);
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY, finding_id INTEGER NOT NULL REFERENCES findings(id),
        decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'amend')),
        note TEXT NOT NULL, amended_json TEXT, reviewer TEXT NOT NULL, decided_at TEXT NOT NULL);
    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        subject TEXT NOT NULL, payload TEXT NOT NULL, prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL, hmac TEXT NOT NULL);
    CREATE INDEX findings_run ON findings(run_id);
    CREATE INDEX decisions_finding ON decisions(finding_id);
    """,
    """
    CREATE TABLE policy_tests (
        id INTEGER PRIMARY KEY, policy_id TEXT NOT NULL, version TEXT NOT NULL,
        sha256 TEXT NOT NULL, effort TEXT NOT NULL, model TEXT NOT NULL, created_at TEXT NOT NULL,
        metrics_json TEXT NOT NULL, outcomes_json TEXT NOT NULL);
    CREATE INDEX policy_tests_version ON policy_tests(policy_id, version);
    """,
    """
    CREATE TABLE batches (
        id INTEGER PRIMARY KEY, key TEXT NOT NULL, created_at TEXT NOT NULL,
        finished_at TEXT);
    CREATE TABLE batch_items (
        id INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL REFERENCES batches(id),
        position INTEGER NOT NULL, path TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
        run_id INTEGER REFERENCES runs(id), message TEXT NOT NULL DEFAULT '');
    CREATE INDEX batches_key ON batches(key);
    ALTER TABLE findings ADD COLUMN carried_from INTEGER NOT NULL DEFAULT 0;
    """,
    # The review decides (issue 15): decisions may be 'reset' and may be carried over from an
    # earlier run; sign-offs; each run's per-policy outcomes and unread-part count, so history
    # computes reviewed verdicts without loading any report. SQLite cannot change a CHECK
    # constraint, so decisions is rebuilt (ids kept: audit entries name them).
    """
    CREATE TABLE decisions_new (
        id INTEGER PRIMARY KEY, finding_id INTEGER NOT NULL REFERENCES findings(id),
        decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'amend', 'reset')),
        note TEXT NOT NULL, amended_json TEXT, reviewer TEXT NOT NULL, decided_at TEXT NOT NULL,
        carried_from_run INTEGER NOT NULL DEFAULT 0);
    INSERT INTO decisions_new(id, finding_id, decision, note, amended_json, reviewer, decided_at)
        SELECT id, finding_id, decision, note, amended_json, reviewer, decided_at FROM decisions;
    DROP TABLE decisions;
    ALTER TABLE decisions_new RENAME TO decisions;
    CREATE INDEX decisions_finding ON decisions(finding_id);
    CREATE TABLE signoffs (
        id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
        outcome TEXT NOT NULL CHECK (outcome IN ('approve', 'changes-required', 'reject')),
        note TEXT NOT NULL, reviewer TEXT NOT NULL, signed_at TEXT NOT NULL,
        decisions_upto INTEGER NOT NULL);
    CREATE INDEX signoffs_run ON signoffs(run_id);
    ALTER TABLE runs ADD COLUMN outcomes_json TEXT;
    ALTER TABLE runs ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;
    UPDATE runs SET
        unread = COALESCE(json_array_length(report_json, '$.document.coverage.unread'), 0),
        outcomes_json = (
            SELECT json_group_array(json_object(
                'policy', json_extract(value, '$.policy'),
                'verdict', json_extract(value, '$.verdict'),
                'indeterminate', json_extract(value, '$.indeterminate')))
            FROM json_each(runs.report_json, '$.policy_verdicts'))
        WHERE report_json IS NOT NULL AND json_valid(report_json);
    CREATE INDEX runs_case ON runs(case_id)
    """,
    # Every export, with the sha256 of the file's bytes: `report verify` looks the file up.
    """
    CREATE TABLE exports (
        id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
        kind TEXT NOT NULL, path TEXT NOT NULL, report_sha256 TEXT NOT NULL,
        file_sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, exported_at TEXT NOT NULL,
        reviewer TEXT NOT NULL);
    CREATE INDEX exports_file ON exports(file_sha256);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


class StoreConnection(sqlite3.Connection):
    """A connection that runs queued callbacks after each commit (``transaction``)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.after_commit: list[Callable[[], None]] = []


def connect(path: Path) -> StoreConnection:
    try:
        kind = file_kind(os.stat(path).st_mode)
    except OSError:
        kind = ""
    if kind:  # SQLite would read a FIFO or a device, or fail with "disk I/O error"
        raise InputError(f"the store is {kind}, not a regular file: not opened", path=path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():  # created private before SQLite creates it with the umask's mode
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError as error:
        raise from_os_error(error, "cannot create the store", path) from None
    try:
        connection = sqlite3.connect(
            path, isolation_level=None, timeout=15, factory=StoreConnection
        )
    except sqlite3.Error as error:
        raise from_sqlite_error(error, path) from None
    try:
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA foreign_keys=ON")
        migrate(connection)
    except sqlite3.Error as error:
        connection.close()
        if isinstance(error, sqlite3.DatabaseError) and "newer" in str(error):
            raise CorruptStore(str(error), path=path) from None
        raise from_sqlite_error(error, path) from None
    return connection


def store_files(path: Path) -> list[Path]:
    """The database and the journal files SQLite keeps beside it: never an output."""
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


def version(connection: sqlite3.Connection) -> int:
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
    ).fetchone()
    if not exists:
        return 0
    row = connection.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(connection: sqlite3.Connection) -> None:
    current = version(connection)
    if current > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            f"schema version {current} is newer than this program ({SCHEMA_VERSION}); update it"
        )
    for number in range(current, SCHEMA_VERSION):
        with transaction(connection):
            for statement in MIGRATIONS[number].split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                (str(number + 1),),
            )


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    connection.execute("BEGIN IMMEDIATE")
    pending = getattr(connection, "after_commit", None)
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        if pending is not None:
            pending.clear()
        raise
    connection.execute("COMMIT")
    while pending:
        callback = pending.pop(0)
        try:
            callback()
        except Exception:  # the change is committed; what follows it must not undo that
            log.exception("after commit")


def entry_count(path: Path) -> int:
    """How many audit entries the store at ``path`` holds (0 when there is no store yet),
    read without creating or changing anything."""
    if not path.is_file() or path.stat().st_size == 0:
        return 0
    with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        try:
            return int(db.execute("SELECT count(*) FROM audit_log").fetchone()[0])
        except sqlite3.Error:
            return 0
