"""What every part of the store shares: the connection, the audit key, the heads kept outside
the database and who is acting.

The key and the head file are handed in by whoever opens the store (``app.services.stores``):
the store never reaches for the keyring itself."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app.runtime.heads import AuditHead, HeadFile
from app.store import audit
from app.store.db import StoreConnection

log = logging.getLogger(__name__)


class StoreBase:
    path: Path
    db: StoreConnection
    key: bytes  # signs the audit log (HMAC)
    heads: HeadFile  # the signed heads kept outside the database
    store_id: str  # this store's id (meta), what its outside head is filed under
    actor: str  # the reviewer's name, recorded with every change

    def _audit(
        self,
        action: str,
        subject: str,
        payload: dict[str, Any],
        rows: Iterable[tuple[str, int]] = (),
    ) -> int:
        """Append an audit entry; call inside the transaction that makes the change, after it,
        naming every (table, id) row the change created, changed or deleted."""
        seq = audit.append(self.db, self.key, self.actor, action, subject, payload, rows)
        if self._save_head not in self.db.after_commit:
            self.db.after_commit.append(self._save_head)
        return seq

    def _save_head(self) -> None:
        """After the commit: the head outside the database follows the log."""
        entries, last = audit.last_entry(self.db)
        try:
            self.heads.save(AuditHead(self.store_id, str(self.path.resolve()), entries, last))
        except Exception:  # committed already; a stale outside head is a prefix and verifies
            log.warning("cannot write the audit head outside the store", exc_info=True)
