"""The store: cases, documents, runs, findings, reviewer decisions, sign-offs and policy tests in
SQLite, each change audited in the same transaction. Its parts live beside it: ``runs``,
``reviews``, ``signoffs``, ``history``, ``policy_tests`` (mixins over ``base.StoreBase``);
``records`` and ``review_records`` hold what they return.
A run left 'running' by a process that died is marked 'incomplete' when the store is opened."""

from __future__ import annotations

from pathlib import Path

from app.store import audit
from app.store.db import connect
from app.store.history import HistoryMixin
from app.store.policy_tests import PolicyTestsMixin
from app.store.reviews import DECISIONS

__all__ = ["DECISIONS", "Store"]


class Store(HistoryMixin, PolicyTestsMixin):  # history: runs, sign-offs, reviews
    """Open with ``app.services.stores.open_store`` (it fetches the installation's key)."""

    def __init__(self, path: Path, key: bytes, actor: str, key_warning: str = "") -> None:
        self.path = path
        self.db = connect(path)
        self.key = key
        self.actor = actor
        self.key_warning = key_warning  # non-empty when the key lives in a file, not a keyring
        self.recovered = self.mark_interrupted()

    def close(self) -> None:
        self.db.close()

    def verify_audit(self) -> audit.AuditCheck:
        return audit.verify(self.db, self.key)
