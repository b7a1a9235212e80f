"""The SQLite store: WAL journal, versioned schema with forward migrations, explicit transactions.

Every state change and its audit-log entry are written in one transaction, so a crash leaves
either both or neither.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.core.errors import InputError

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
]
SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = sqlite3.connect(path, isolation_level=None, timeout=15)
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA foreign_keys=ON")
        migrate(connection)
    except sqlite3.DatabaseError as error:
        raise InputError(f"not a usable Safeguard Desk database ({error})", path=path) from None
    return connection


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
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
