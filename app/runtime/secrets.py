"""Secrets (the hub access token, the audit log's signing key) live in the OS keyring; where
there is none (headless Linux) in app-owned files readable only by the user, with a visible
warning. Never in logs, settings or reports."""

from __future__ import annotations

import contextlib
import getpass
import os
import secrets as random_secrets
from pathlib import Path

from app.runtime.paths import data_dir

SERVICE = "safeguard-desk"
HUB_TOKEN = "huggingface-token"
SERVER_KEY = "server-api-key"  # the on-prem OpenAI-compatible server's key
AUDIT_KEY = "audit-hmac-key"


def fallback_file(name: str) -> Path:
    return data_dir() / "secrets" / name


def get_secret(name: str) -> str | None:
    import keyring  # loads its backends: only when a secret is needed
    from keyring.errors import KeyringError, NoKeyringError

    try:
        value = keyring.get_password(SERVICE, name)
        if value:
            return value
    except (NoKeyringError, KeyringError):
        pass
    try:
        return fallback_file(name).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def set_secret(name: str, value: str) -> str:
    """Store a secret; returns a warning for the user ("" when the OS keyring took it)."""
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    value = value.strip()
    try:
        keyring.set_password(SERVICE, name, value)
        return ""
    except (NoKeyringError, KeyringError):
        path = fallback_file(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
        os.chmod(path, 0o600)
        return f"no OS keyring is available: the secret is stored in {path} (readable only by you)"


def clear_secret(name: str) -> None:
    import keyring
    from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

    with contextlib.suppress(NoKeyringError, PasswordDeleteError, KeyringError):
        keyring.delete_password(SERVICE, name)
    fallback_file(name).unlink(missing_ok=True)


def get_token() -> str | None:
    return get_secret(HUB_TOKEN)


def set_token(token: str) -> str:
    return set_secret(HUB_TOKEN, token)


def clear_token() -> None:
    clear_secret(HUB_TOKEN)


def installation_key() -> tuple[bytes, str]:
    """The audit log's signing key, created on first use: (key, warning); the warning is
    non-empty when no OS keyring exists and the key went to a file."""
    existing = get_secret(AUDIT_KEY)
    if existing:
        return bytes.fromhex(existing), ""
    key = random_secrets.token_hex(32)
    warning = set_secret(AUDIT_KEY, key)
    return bytes.fromhex(key), warning


def user_name() -> str:
    """The OS user: the default reviewer name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
