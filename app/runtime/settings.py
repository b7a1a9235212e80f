"""The settings file in the data dir (``settings.json``); its schema is ``app.core.settings``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from app.core.bounded import read_regular_file
from app.core.errors import InputError
from app.core.settings import Settings, settings_from_json, settings_to_json
from app.runtime.files import atomic_write
from app.runtime.paths import data_dir


def settings_path() -> Path:
    return data_dir() / "settings.json"


MAX_SETTINGS_BYTES = 1024 * 1024


def load_settings(path: Path | None = None) -> Settings:
    """Read bounded: a regular file of at most 1 MB (a FIFO or a device is refused unread)."""
    path = path or settings_path()
    if not os.path.lexists(path):
        return Settings()
    raw = read_regular_file(path, MAX_SETTINGS_BYTES, "settings file", InputError)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except ValueError as error:
        raise InputError(
            f"settings file is unreadable ({error}); fix or delete it", path=path
        ) from None
    return settings_from_json(data, path)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Written atomically: a crash while saving leaves the old file, never half a file."""
    path = path or settings_path()
    atomic_write(
        path, json.dumps(settings_to_json(settings), indent=2), private=True, what="settings"
    )
    return path
