"""Open the store with this installation's audit key and the reviewer's name."""

from __future__ import annotations

from pathlib import Path

from app.runtime.paths import default_db
from app.runtime.secrets import installation_key, user_name
from app.runtime.settings import load_settings
from app.store.repository import Store


def reviewer_name(reviewer: str | None = None) -> str:
    """Who decides and signs off: ``reviewer`` when given, else Settings' reviewer, else the
    OS user ("" at any step means the next)."""
    if reviewer is None:
        reviewer = load_settings().reviewer
    return reviewer.strip() or user_name()


def open_store(path: Path | None = None, reviewer: str | None = None) -> Store:
    """``reviewer``: the name recorded with decisions and sign-offs (None: from Settings; ""
    or no name there: the OS user)."""
    key, warning = installation_key()
    return Store(path or default_db(), key, reviewer_name(reviewer), warning)
