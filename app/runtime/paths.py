"""Where Safeguard Desk keeps its data: the platform data dir, or ``$SAFEGUARD_HOME``."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def data_dir() -> Path:
    override = os.environ.get("SAFEGUARD_HOME")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("safeguard-desk", appauthor=False))


def models_dir() -> Path:
    return data_dir() / "models"


def user_policies_dir() -> Path:
    return data_dir() / "policies"


def logs_dir() -> Path:
    return data_dir() / "logs"


def default_db() -> Path:
    return data_dir() / "safeguard.sqlite3"


def private_data_dir() -> Path:
    """The data folder, created (or closed) 0700: it holds document text and the audit store."""
    from app.runtime.files import private_dir

    return private_dir(data_dir())
