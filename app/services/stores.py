"""Open the store with this installation's audit key, its signed heads and the reviewer's name.

The audit key is created on an installation's first run only: when no key exists but this
installation signed heads before, or the store already holds entries, the key was deleted and
that is an error saying so (a new key would quietly break every earlier signature)."""

from __future__ import annotations

from pathlib import Path

from app.core.errors import AuditKeyError
from app.runtime.heads import HeadFile
from app.runtime.paths import default_db, private_data_dir
from app.runtime.secrets import audit_key, create_audit_key, key_location, user_name
from app.runtime.settings import load_settings
from app.store.db import entry_count
from app.store.repository import Store

MISSING_KEY = (
    "this installation's audit key is missing from {where} (deleted?): restore it from a "
    "backup; without it {what} cannot be verified, and a new key would not match"
)


def reviewer_name(reviewer: str | None = None) -> str:
    """Who decides and signs off: ``reviewer`` when given, else Settings' reviewer, else the
    OS user ("" at any step means the next)."""
    if reviewer is None:
        reviewer = load_settings().reviewer
    return reviewer.strip() or user_name()


def open_store(
    path: Path | None = None, reviewer: str | None = None, *, for_work: bool = True
) -> Store:
    """``reviewer``: the name recorded with decisions and sign-offs (None: from Settings; ""
    or no name there: the OS user). ``for_work=False``: open without the checks and writes of
    opening for work (``audit verify`` and friends)."""
    path = path or default_db()
    if path == default_db():
        private_data_dir()
    found = audit_key()
    if found is None:
        heads = HeadFile(b"")
        if heads.signed_before():
            what = "the audit logs this installation signed"
            raise AuditKeyError(MISSING_KEY.format(where=key_location(), what=what))
        if entry_count(path) != 0:
            what = f"the {entry_count(path)} audit entries of this store"
            raise AuditKeyError(MISSING_KEY.format(where=key_location(), what=what), path=path)
        found = create_audit_key()
    key, warning = found
    return Store(
        path, key, reviewer_name(reviewer), warning, heads=HeadFile(key), for_work=for_work
    )
