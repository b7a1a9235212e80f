"""What every part of the store shares: the connection, the audit key and who is acting.

The key is handed in by whoever opens the store (``app.services.stores``): the store never
reaches for the keyring itself."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from app.store import audit


class StoreBase:
    path: Path
    db: sqlite3.Connection
    key: bytes  # signs the audit log (HMAC)
    actor: str  # the reviewer's name, recorded with every change

    def _audit(self, action: str, subject: str, payload: dict[str, Any]) -> int:
        """Append an audit entry; call inside the transaction that makes the change."""
        return audit.append(self.db, self.key, self.actor, action, subject, payload)
