"""A tamper-evident audit log.

Entry N stores ``hash = sha256(prev_hash + canonical JSON of (seq, at, actor, action, subject,
payload))`` and ``hmac = HMAC-SHA256(key, hash)`` with a per-installation key kept in the OS
keyring (handed in by whoever opens the store). Changing an entry breaks its hash; deleting,
inserting or reordering breaks the chain (seq must run 1, 2, 3 … and each prev_hash must be the
previous hash); forging a consistent chain needs the key. A signed head (last seq and hash, in
``meta``) catches entries cut off the end.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from app.core.clock import utc_now

GENESIS = "0" * 64


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
) -> int:
    """Append an entry; call inside the transaction that makes the change it records."""
    last = connection.execute(
        "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    seq, prev = (last["seq"] + 1, last["hash"]) if last else (1, GENESIS)
    at = utc_now("microseconds")
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


@dataclass(frozen=True)
class AuditCheck:
    entries: int
    first_bad: int | None  # seq of the first entry that fails; None when intact
    reason: str

    @property
    def intact(self) -> bool:
        return self.first_bad is None


def verify(connection: sqlite3.Connection, key: bytes) -> AuditCheck:
    rows = connection.execute("SELECT * FROM audit_log ORDER BY seq").fetchall()
    prev = GENESIS
    for expected, row in enumerate(rows, start=1):
        seq = row["seq"]
        if seq != expected:
            what = "missing (deleted?)" if seq > expected else "out of order"
            return AuditCheck(len(rows), expected, f"entry {expected} is {what}")
        if row["prev_hash"] != prev:
            return AuditCheck(
                len(rows),
                seq,
                f"entry {seq} does not follow entry {seq - 1} (inserted, deleted or reordered)",
            )
        body = _body(seq, row["at"], row["actor"], row["action"], row["subject"], row["payload"])
        digest = hashlib.sha256((prev + body).encode()).hexdigest()
        if digest != row["hash"]:
            return AuditCheck(len(rows), seq, f"entry {seq} was changed ({row['action']})")
        if not hmac.compare_digest(_sign(key, digest), row["hmac"]):
            return AuditCheck(len(rows), seq, f"entry {seq} is not signed by this installation")
        prev = digest
    head = connection.execute("SELECT value FROM meta WHERE key='audit_head'").fetchone()
    if rows or head:
        last = f"{len(rows)}:{prev}"
        if head is None or head["value"] != f"{last}:{_sign(key, last)}":
            return AuditCheck(
                len(rows),
                len(rows) + 1 if rows else 1,
                f"the log ends at entry {len(rows)} but was signed for another "
                "end (entries cut off the end?)",
            )
    return AuditCheck(len(rows), None, "intact")


def entries(connection: sqlite3.Connection, action: str | None = None) -> list[sqlite3.Row]:
    if action:
        return connection.execute(
            "SELECT * FROM audit_log WHERE action=? ORDER BY seq", (action,)
        ).fetchall()
    return connection.execute("SELECT * FROM audit_log ORDER BY seq").fetchall()
