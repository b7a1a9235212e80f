"""Secrets (the hub access token, the audit log's signing key) live in the OS keyring; where
there is none (headless Linux) in app-owned files readable only by the user, with a visible
warning. Never in logs, settings or reports. Secret files are read bounded (a regular file of
at most 64 KB).

The audit key is created once, on an installation's first run. After that a missing key is an
error (``AuditKeyError``), never silently replaced: a new key would make every entry signed
before it fail verification. ``app.services.stores`` decides which case it is."""

from __future__ import annotations

import contextlib
import getpass
import os
import secrets as random_secrets
from pathlib import Path

from app.core.bounded import read_regular_file
from app.core.errors import AuditKeyError, InputError
from app.runtime.paths import data_dir, private_data_dir

MAX_SECRET_BYTES = 64 * 1024

SERVICE = "safeguard-desk"
HUB_TOKEN = "huggingface-token"
SERVER_KEY = "server-api-key"  # the on-prem OpenAI-compatible server's key
AUDIT_KEY = "audit-hmac-key"


def fallback_file(name: str) -> Path:
    return data_dir() / "secrets" / name


def get_secret(name: str) -> str | None:
    return _secret(name)[0]


def _secret(name: str) -> tuple[str | None, bool]:
    """(value, whether it came from the fallback file)."""
    import keyring  # loads its backends: only when a secret is needed
    from keyring.errors import KeyringError, NoKeyringError

    try:
        value = keyring.get_password(SERVICE, name)
        if value:
            return value, False
    except (NoKeyringError, KeyringError):
        pass
    path = fallback_file(name)
    if not os.path.lexists(path):
        return None, False
    raw = read_regular_file(path, MAX_SECRET_BYTES, "secret file", InputError)
    return raw.decode("utf-8", errors="replace").strip() or None, True


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
        private_data_dir()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
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


def key_location() -> str:
    """Where the audit key lives, for messages."""
    path = fallback_file(AUDIT_KEY)
    return str(path) if path.exists() else f"the OS keyring ({SERVICE} / {AUDIT_KEY})"


def audit_key() -> tuple[bytes, str] | None:
    """The installation's audit key and a warning (non-empty when it lives in a file, not a
    keyring); None when there is none. A stored value that is not a key is an AuditKeyError."""
    value, from_file = _secret(AUDIT_KEY)
    if value is None:
        return None
    try:
        key = bytes.fromhex(value)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise AuditKeyError(
            f"the audit key in {key_location()} is not a valid key (changed or damaged): "
            "restore it from a backup; without it the audit log cannot be verified"
        )
    warning = f"no OS keyring: the audit key is in {fallback_file(AUDIT_KEY)}" if from_file else ""
    return key, warning


def create_audit_key() -> tuple[bytes, str]:
    """A new audit key, for an installation's first run only: (key, warning)."""
    key = random_secrets.token_hex(32)
    warning = set_secret(AUDIT_KEY, key)
    return bytes.fromhex(key), warning


def user_name() -> str:
    """The OS user: the default reviewer name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
