"""Row coverage: every table of the schema is covered (or named as not data), a later column
keeps old hashes valid, and a store written before coverage opens, is sealed once and verifies."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.core.errors import AuditKeyError
from app.runtime import secrets
from app.services.stores import open_store
from app.store import audit, coverage
from app.store.db import SCHEMA_VERSION, connect
from tests.helpers.keyring import MemoryKeyring
from tests.helpers.scripted import POLICY
from tests.helpers.stores import edit, old_store


def test_every_table_of_the_schema_is_covered(tmp_path: Path) -> None:
    connection = connect(tmp_path / "s.sqlite3")
    tables = {
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    missing = tables - set(coverage.covered_tables()) - set(coverage.UNCOVERED)
    assert not missing, f"register these tables in app/store/coverage.py: {sorted(missing)}"
    for table in coverage.covered_tables():  # each covered table has the id rows are found by
        columns = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        assert "id" in columns, table


def test_a_later_column_at_its_default_leaves_old_hashes_alone(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "t.sqlite3")
    connection.row_factory = sqlite3.Row
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)")
    connection.execute("INSERT INTO t VALUES (1, 'x')")
    coverage.register("t", coverage.columns("id", "a"))
    try:
        before = coverage.row_hashes(connection, [("t", 1)])
        connection.execute("ALTER TABLE t ADD COLUMN reviewer TEXT NOT NULL DEFAULT ''")
        coverage.register("t", coverage.columns("id", "a", later={"reviewer": ""}))
        assert coverage.row_hashes(connection, [("t", 1)]) == before
        connection.execute("UPDATE t SET reviewer='bob'")
        assert coverage.row_hashes(connection, [("t", 1)]) != before
    finally:
        coverage._COVERED.pop("t")


def test_an_old_store_is_migrated_sealed_and_then_guarded(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    key = bytes(range(32))
    memory_keyring.set_password(secrets.SERVICE, secrets.AUDIT_KEY, key.hex())
    path = tmp_path / "old.sqlite3"
    old_store(path, key)
    store = open_store(path)  # for work: migrates to the current schema and seals the rows
    check = store.verify_audit()
    assert check.intact, check.reason
    assert check.entries == 3 and check.rows == 3  # the case, the document, the run
    (sealed,) = audit.entries(store.db, "store.sealed")
    assert set(json.loads(sealed["payload"])["rows"]) == {"cases:1", "documents:1", "runs:1"}
    version = store.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    assert int(version[0]) == SCHEMA_VERSION
    store.close()
    again = open_store(path)  # sealed once only
    assert len(audit.entries(again.db, "store.sealed")) == 1
    again.close()
    edit(path, "UPDATE runs SET verdict='violation'")
    reopened = open_store(path, for_work=False)
    assert (
        reopened.verify_audit().reason == "runs row 1 was changed after audit entry 3 recorded it"
    )
    reopened.close()


def test_an_old_store_with_a_broken_chain_is_not_sealed(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    key = bytes(range(32))
    memory_keyring.set_password(secrets.SERVICE, secrets.AUDIT_KEY, key.hex())
    path = tmp_path / "old.sqlite3"
    old_store(path, key)
    edit(path, "UPDATE audit_log SET actor='mallory' WHERE seq=1")
    store = open_store(path)
    assert audit.entries(store.db, "store.sealed") == []
    assert store.verify_audit().reason == "audit entry 1 was changed (run.started)"
    store.close()


def test_a_first_run_creates_the_key_but_never_replaces_one(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    store = open_store(tmp_path / "s.sqlite3")  # a first run: the key is made
    assert secrets.audit_key() is not None
    store.save_policy_test(POLICY, "low", "m", {}, [])  # something is signed with it
    store.close()
    memory_keyring.delete_password(secrets.SERVICE, secrets.AUDIT_KEY)
    with pytest.raises(AuditKeyError, match="audit key is missing"):
        open_store(tmp_path / "other.sqlite3")  # heads were signed: not a first run
    assert secrets.audit_key() is None  # and nothing was regenerated
