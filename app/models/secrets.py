"""The Hugging Face access token: in the OS keyring, or, where there is none (headless Linux), in
an app-owned file readable only by the user, with a visible warning. Never in logs or settings."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import keyring
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from app.core.paths import data_dir

SERVICE = "safeguard-desk"
ACCOUNT = "huggingface-token"


def fallback_file() -> Path:
    return data_dir() / "secrets" / "hf-token"


def get_token() -> str | None:
    try:
        token = keyring.get_password(SERVICE, ACCOUNT)
        if token:
            return token
    except (NoKeyringError, KeyringError):
        pass
    try:
        return fallback_file().read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def set_token(token: str) -> str:
    """Store the token; returns a warning for the user ("" when the OS keyring took it)."""
    token = token.strip()
    try:
        keyring.set_password(SERVICE, ACCOUNT, token)
        return ""
    except (NoKeyringError, KeyringError):
        path = fallback_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
        os.chmod(path, 0o600)
        return f"no OS keyring is available: the token is stored in {path} (readable only by you)"


def clear_token() -> None:
    with contextlib.suppress(NoKeyringError, PasswordDeleteError, KeyringError):
        keyring.delete_password(SERVICE, ACCOUNT)
    fallback_file().unlink(missing_ok=True)
