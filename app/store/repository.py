"""The store: cases, documents, runs, findings, reviewer decisions, sign-offs, exports and policy
tests in SQLite, each change audited in the same transaction. Its parts live beside it:
``runs``, ``reviews``, ``signoffs``, ``history``, ``policy_tests`` (mixins over
``base.StoreBase``); ``records`` and ``review_records`` hold what they return; ``coverage`` says
which rows the audit chain covers.

Opening a store for work checks that this installation's key signs its log and that the log
extends the head kept outside the database (``StoreTampered``/``AuditKeyError`` otherwise, with
the next step); a store written before row coverage is sealed once (``store.sealed``); a run
left 'running' by a process that died is marked 'incomplete'. ``audit verify``, ``audit adopt``
and ``report verify`` open it with ``for_work=False``: nothing is checked or written on open."""

from __future__ import annotations

import secrets
from pathlib import Path

from app.runtime.heads import AuditHead, HeadFile
from app.store import audit, coverage
from app.store.db import connect, transaction
from app.store.history import HistoryMixin
from app.store.policy_tests import PolicyTestsMixin
from app.store.reviews import DECISIONS

__all__ = ["DECISIONS", "Store"]


class Store(HistoryMixin, PolicyTestsMixin):  # history: runs, sign-offs, reviews
    """Open with ``app.services.stores.open_store`` (it fetches the installation's key)."""

    def __init__(
        self,
        path: Path,
        key: bytes,
        actor: str,
        key_warning: str = "",
        *,
        heads: HeadFile,
        for_work: bool = True,
    ) -> None:
        self.path = path
        self.db = connect(path)
        self.key = key
        self.heads = heads
        self.actor = actor
        self.key_warning = key_warning  # non-empty when the key lives in a file, not a keyring
        self.store_id = self._store_id()
        self.recovered: list[int] = []
        if for_work:
            try:
                problem = audit.quick_check(self.db, key, self.outside_head(), path)
                if problem is not None:
                    raise problem
                self._seal_rows_written_before_coverage()
                self.recovered = self.mark_interrupted()
            except BaseException:
                self.db.close()
                raise

    def close(self) -> None:
        self.db.close()

    def _store_id(self) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key='store_id'").fetchone()
        if row:
            return str(row["value"])
        store_id = secrets.token_hex(8)
        with transaction(self.db):
            self.db.execute("INSERT INTO meta(key, value) VALUES ('store_id', ?)", (store_id,))
        return store_id

    def outside_head(self) -> AuditHead | None:
        return self.heads.load(self.store_id, self.path)

    def verify_audit(self) -> audit.AuditCheck:
        return audit.verify(self.db, self.key, self.outside_head())

    def _seal_rows_written_before_coverage(self) -> None:
        """A store from before row coverage: record the rows as found, once, if its chain
        holds (a broken chain is left for ``audit verify`` to report)."""
        if audit.is_covered(self.db):
            return
        rows = coverage.all_rows(self.db)
        entries, _ = audit.last_entry(self.db)
        if not rows and not entries:
            return  # a new store: its first entry starts the coverage
        if not audit.verify(self.db, self.key, check_external=False).intact:
            return
        with transaction(self.db):
            self._audit(
                "store.sealed",
                "store",
                {"reason": "rows written before the audit log covered rows, as found"},
                rows,
            )

    def adopt(self) -> AuditHead | None:
        """Accept this store as it is: an entry records the outside head it replaces, and the
        outside head follows this store from now on. Returns the head replaced."""
        replaced = self.outside_head()
        with transaction(self.db):
            self._audit(
                "store.adopted",
                "store",
                {
                    "replaced_head": None
                    if replaced is None
                    else {"store": replaced.store_id, "entries": replaced.entries,
                          "hash": replaced.hash, "path": replaced.path},
                },
                coverage.all_rows(self.db) if not audit.is_covered(self.db) else (),
            )  # fmt: skip
        return replaced
