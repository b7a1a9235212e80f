"""A tamper-evident audit log that covers the data it describes.

Entry N stores ``hash = sha256(prev_hash + canonical JSON of (seq, at, actor, action, subject,
payload))`` and ``hmac = HMAC-SHA256(key, hash)`` with a per-installation key kept in the OS
keyring (handed in by whoever opens the store). Changing an entry breaks its hash; deleting,
inserting or reordering breaks the chain (seq must run 1, 2, 3 … and each prev_hash must be the
previous hash); forging a consistent chain needs the key. A signed head (last seq and hash, in
``meta``) catches entries cut off the end; the same head kept outside the database
(``app.runtime.heads``) catches a deleted log and a replaced or truncated database.

Each entry's payload carries ``"rows"``: the hash of every row its transaction created or
changed (``app.store.coverage``), so ``verify`` also names rows edited, deleted or inserted
behind the log's back. Entries written before row coverage existed have no ``"rows"``; the
first open by a covering version seals the rows it finds (``store.sealed``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.clock import utc_now
from app.core.errors import AuditKeyError, SafeguardError, StoreTampered
from app.runtime.heads import AuditHead
from app.store import coverage

GENESIS = "0" * 64
NEXT_STEP = (
    "; run 'safeguard-desk audit verify' for details (if you restored or replaced this store "
    "on purpose, accept it with 'safeguard-desk audit adopt')"
)


def _body(seq: int, at: str, actor: str, action: str, subject: str, payload: str) -> str:
    return json.dumps(
        [seq, at, actor, action, subject, payload], ensure_ascii=False, separators=(",", ":")
    )


def _sign(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def append(
    connection: sqlite3.Connection,
    key: bytes,
    actor: str,
    action: str,
    subject: str,
    payload: dict[str, Any],
    rows: Iterable[tuple[str, int]] = (),
) -> int:
    """Append an entry; call inside the transaction that makes the change it records, after the
    change: ``rows`` (table, id) are hashed as they are now."""
    last = connection.execute(
        "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    seq, prev = (last["seq"] + 1, last["hash"]) if last else (1, GENESIS)
    at = utc_now("microseconds")
    payload = payload | {"rows": coverage.row_hashes(connection, rows)}
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(
        (prev + _body(seq, at, actor, action, subject, data)).encode()
    ).hexdigest()
    connection.execute(
        "INSERT INTO audit_log(seq, at, actor, action, subject, payload, prev_hash, hash, hmac) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, actor, action, subject, data, prev, digest, _sign(key, digest)),
    )
    head = f"{seq}:{digest}"
    connection.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('audit_head', ?)",
        (f"{head}:{_sign(key, head)}",),
    )
    return seq


def last_entry(connection: sqlite3.Connection) -> tuple[int, str]:
    """(entries, last hash); (0, GENESIS) for an empty log."""
    row = connection.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row["seq"]), str(row["hash"])) if row else (0, GENESIS)


def is_covered(connection: sqlite3.Connection) -> bool:
    """Whether this log records row hashes (every entry since coverage began has ``rows``)."""
    row = connection.execute("SELECT payload FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    if row is None:
        return False
    try:
        return "rows" in json.loads(row["payload"])
    except ValueError:
        return False


@dataclass(frozen=True)
class Problem:
    message: str
    entry: int | None = None  # the entry at fault, or the one that recorded the row
    row: str | None = None  # "findings:12"


@dataclass(frozen=True)
class AuditCheck:
    entries: int
    problems: tuple[Problem, ...] = ()
    rows: int = 0  # rows checked against the log

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def first_bad(self) -> int | None:
        return self.problems[0].entry if self.problems else None

    @property
    def reason(self) -> str:
        return self.problems[0].message if self.problems else "intact"


def verify(
    connection: sqlite3.Connection,
    key: bytes,
    external: AuditHead | None = None,
    check_external: bool = True,
) -> AuditCheck:
    """The chain, the head inside the store, the head outside it (``external``, when
    ``check_external``), then every covered row against what the log recorded."""
    rows = connection.execute("SELECT * FROM audit_log ORDER BY seq").fetchall()
    count = len(rows)
    recorded: dict[str, tuple[str | None, int]] = {}
    covered = False
    prev = GENESIS
    hashes: list[str] = []
    for expected, row in enumerate(rows, start=1):
        seq = row["seq"]
        if seq != expected:
            what = "missing (deleted?)" if seq > expected else "out of order"
            return _broken(count, expected, f"audit entry {expected} is {what}")
        if row["prev_hash"] != prev:
            return _broken(
                count,
                seq,
                f"audit entry {seq} does not follow entry {seq - 1} "
                "(inserted, deleted or reordered)",
            )
        body = _body(seq, row["at"], row["actor"], row["action"], row["subject"], row["payload"])
        digest = hashlib.sha256((prev + body).encode()).hexdigest()
        if digest != row["hash"]:
            return _broken(count, seq, f"audit entry {seq} was changed ({row['action']})")
        if not hmac.compare_digest(_sign(key, digest), row["hmac"]):
            return _broken(
                count, seq, f"audit entry {seq} is not signed by this installation's audit key"
            )
        payload = json.loads(row["payload"])
        if isinstance(payload, dict) and isinstance(payload.get("rows"), dict):
            covered = True
            for name, value in payload["rows"].items():
                recorded[name] = (value, seq)
        prev = digest
        hashes.append(digest)
    head = connection.execute("SELECT value FROM meta WHERE key='audit_head'").fetchone()
    if rows or head:
        last = f"{count}:{prev}"
        if head is None or head["value"] != f"{last}:{_sign(key, last)}":
            return _broken(
                count,
                count + 1 if rows else 1,
                f"the log ends at entry {count} but was signed for another end "
                "(entries cut off the end?)",
            )
    if check_external:
        problem = _external_problem(count, hashes, external, covered)
        if problem:
            return _broken(count, None, problem)
    if not covered:
        return AuditCheck(count)
    return AuditCheck(count, tuple(_row_problems(connection, recorded)), len(recorded))


def _broken(count: int, entry: int | None, message: str) -> AuditCheck:
    return AuditCheck(count, (Problem(message, entry),))


def _external_problem(
    count: int, hashes: list[str], external: AuditHead | None, covered: bool
) -> str:
    if external is None:
        if covered:
            return (
                "the audit head kept outside the store is missing (deleted?): this store's "
                "log cannot be shown to be complete"
            )
        return ""
    if external.entries > count:
        return (
            f"the store has {count} entries but this installation signed {external.entries} "
            "(its log was deleted or cut, or the database was replaced or truncated)"
        )
    if external.entries and hashes[external.entries - 1] != external.hash:
        return (
            f"audit entry {external.entries} is not the one this installation signed "
            "(the database was replaced by another one)"
        )
    return ""


def _row_problems(
    connection: sqlite3.Connection, recorded: dict[str, tuple[str | None, int]]
) -> list[Problem]:
    problems: list[Problem] = []
    current = coverage.current_hashes(connection)
    for name, digest in current.items():
        what = name.replace(":", " row ")
        recorded_hash, seq = recorded.get(name, (None, 0))
        if recorded_hash is None:
            problems.append(
                Problem(f"{what} is in no audit entry (added behind its back?)", None, name)
            )
        elif recorded_hash != digest:
            message = f"{what} was changed after audit entry {seq} recorded it"
            problems.append(Problem(message, seq, name))
    for name, (recorded_hash, seq) in recorded.items():
        if recorded_hash is not None and name not in current:
            message = (
                f"{name.replace(':', ' row ')} is missing (recorded by audit entry {seq}; deleted?)"
            )
            problems.append(Problem(message, seq, name))
    return problems


def quick_check(
    connection: sqlite3.Connection, key: bytes, external: AuditHead | None, path: Path
) -> SafeguardError | None:
    """What opening a store for work checks (cheap: the last entry and the heads): the key
    signs the last entry, and the log extends the head kept outside. None when both hold."""
    count, last = last_entry(connection)
    if count:
        row = connection.execute("SELECT hmac FROM audit_log WHERE seq=?", (count,)).fetchone()
        if not hmac.compare_digest(_sign(key, last), row["hmac"]):
            return AuditKeyError(
                "the store's audit log is not signed with this installation's audit key (the "
                "key was changed or replaced: restore the original key from a backup)",
                path=path,
            )
    hashes: list[str] = []
    if external is not None and 0 < external.entries <= count:
        hashes = [GENESIS] * (external.entries - 1)
        found = connection.execute(
            "SELECT hash FROM audit_log WHERE seq=?", (external.entries,)
        ).fetchone()
        hashes.append(found["hash"] if found else "")
    problem = _external_problem(count, hashes, external, is_covered(connection))
    return StoreTampered(problem + NEXT_STEP, path=path) if problem else None


def entries(connection: sqlite3.Connection, action: str | None = None) -> list[sqlite3.Row]:
    if action:
        return connection.execute(
            "SELECT * FROM audit_log WHERE action=? ORDER BY seq", (action,)
        ).fetchall()
    return connection.execute("SELECT * FROM audit_log ORDER BY seq").fetchall()
