"""An in-memory keyring backend for tests."""

from __future__ import annotations


class MemoryKeyring:
    """An in-memory keyring backend: tests never touch a real keyring or a secrets file."""

    priority = 1

    def __init__(self) -> None:
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)
