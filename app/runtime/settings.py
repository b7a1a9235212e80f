"""The settings file in the data dir (``settings.json``); its schema is ``app.core.settings``."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.errors import InputError
from app.core.settings import Settings, settings_from_json, settings_to_json
from app.runtime.files import atomic_write
from app.runtime.paths import data_dir


def settings_path() -> Path:
    return data_dir() / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    path = path or settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as error:
        raise InputError(
            f"settings file is unreadable ({error}); fix or delete it", path=path
        ) from None
    return settings_from_json(data, path)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Written atomically: a crash while saving leaves the old file, never half a file."""
    path = path or settings_path()
    atomic_write(path, json.dumps(settings_to_json(settings), indent=2))
    return path
