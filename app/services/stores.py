"""Open the store with this installation's audit key and the reviewer's name."""

from __future__ import annotations

from pathlib import Path

from app.runtime.paths import default_db
from app.runtime.secrets import installation_key, user_name
from app.store.repository import Store


def open_store(path: Path | None = None, reviewer: str = "") -> Store:
    """``reviewer``: the name recorded with decisions ("" = the OS user)."""
    key, warning = installation_key()
    return Store(path or default_db(), key, reviewer or user_name(), warning)
