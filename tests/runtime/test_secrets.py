from __future__ import annotations

import stat

import keyring
import pytest
from keyring.errors import NoKeyringError

from app.runtime import secrets
from tests.helpers.keyring import MemoryKeyring


def test_token_lives_in_the_keyring(memory_keyring: MemoryKeyring) -> None:
    assert secrets.get_token() is None
    assert secrets.set_token("  hf_abc \n") == ""
    assert memory_keyring.secrets == {(secrets.SERVICE, secrets.HUB_TOKEN): "hf_abc"}
    assert secrets.get_token() == "hf_abc"
    assert not secrets.fallback_file(secrets.HUB_TOKEN).exists()
    secrets.clear_token()
    assert secrets.get_token() is None


def test_without_a_keyring_a_private_file_and_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_keyring(*args: object) -> None:
        raise NoKeyringError("no backend")

    for name in ("get_password", "set_password", "delete_password"):
        monkeypatch.setattr(keyring, name, no_keyring)
    warning = secrets.set_token("hf_fallback")
    path = secrets.fallback_file(secrets.HUB_TOKEN)
    assert str(path) in warning and "no OS keyring" in warning
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert secrets.get_token() == "hf_fallback"
    secrets.clear_token()
    assert not path.exists()


def test_the_key_lives_in_the_keyring(memory_keyring: object) -> None:
    assert secrets.audit_key() is None  # a first run: nothing yet
    key, warning = secrets.create_audit_key()
    again = secrets.audit_key()
    assert again is not None and again[0] == key and len(key) == 32 and warning == ""
