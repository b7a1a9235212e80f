"""Tampering with the audit log is caught, at the right entry."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.store import audit
from app.store.db import connect, transaction

KEY = b"k" * 32


@pytest.fixture
def db(tmp_path: Path) -> sqlite3.Connection:
    connection = connect(tmp_path / "store.sqlite3")
    for number in range(1, 6):
        with transaction(connection):
            audit.append(
                connection,
                KEY,
                "alice",
                "test.event",
                f"thing:{number}",
                {"n": number, "text": "ünïcode ✓"},
            )
    return connection


def test_intact_log_verifies(db: sqlite3.Connection) -> None:
    check = audit.verify(db, KEY, check_external=False)
    assert (check.intact, check.entries, check.reason) == (True, 5, "intact")


def test_changed_payload_fails_at_that_entry(db: sqlite3.Connection) -> None:
    db.execute("UPDATE audit_log SET payload = replace(payload, '\"n\":3', '\"n\":4') WHERE seq=3")
    check = audit.verify(db, KEY, check_external=False)
    assert check.first_bad == 3 and "changed" in check.reason


def test_one_flipped_byte_in_any_column_is_caught(db: sqlite3.Connection) -> None:
    db.execute("UPDATE audit_log SET actor = 'alicf' WHERE seq=2")
    assert audit.verify(db, KEY, check_external=False).first_bad == 2


def test_deleted_entry(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM audit_log WHERE seq=2")
    check = audit.verify(db, KEY, check_external=False)
    assert check.first_bad == 2 and "missing" in check.reason


def test_deleted_last_entry_is_caught_by_the_signed_head(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM audit_log WHERE seq=5")
    check = audit.verify(db, KEY, check_external=False)
    assert not check.intact and "cut off the end" in check.reason


def test_reordered_entries(db: sqlite3.Connection) -> None:
    rows = {r["seq"]: dict(r) for r in db.execute("SELECT * FROM audit_log")}
    for seq, other in ((2, 4), (4, 2)):  # swap the contents of entries 2 and 4
        source = rows[other]
        db.execute(
            "UPDATE audit_log SET at=?, actor=?, action=?, subject=?, payload=?, "
            "prev_hash=?, hash=?, hmac=? WHERE seq=?",
            (
                source["at"],
                source["actor"],
                source["action"],
                source["subject"],
                source["payload"],
                source["prev_hash"],
                source["hash"],
                source["hmac"],
                seq,
            ),
        )
    check = audit.verify(db, KEY, check_external=False)
    assert check.first_bad == 2


def test_inserted_forged_entry(db: sqlite3.Connection) -> None:
    for seq in (5, 4, 3):  # make room after entry 2
        db.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", (seq + 1, seq))
    row = db.execute("SELECT * FROM audit_log WHERE seq=2").fetchone()
    db.execute(
        "INSERT INTO audit_log VALUES (3, ?, 'mallory', 'test.event', 'x', '{}', ?, ?, ?)",
        (row["at"], row["hash"], "f" * 64, "0" * 64),
    )
    assert audit.verify(db, KEY, check_external=False).first_bad == 3


def test_another_key_cannot_sign(db: sqlite3.Connection) -> None:
    check = audit.verify(db, b"x" * 32, check_external=False)
    assert check.first_bad == 1 and "not signed" in check.reason
