"""Opening the store: the reviewer recorded with decisions and sign-offs comes from Settings,
else the OS user."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.settings import Settings


def test_the_store_records_settings_reviewer_or_the_os_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.runtime.settings import save_settings
    from app.services import stores

    monkeypatch.setattr(stores, "user_name", lambda: "os-user")
    assert stores.reviewer_name() == "os-user"  # no settings file yet
    save_settings(Settings(reviewer="  Ana Reviewer "))
    assert stores.reviewer_name() == "Ana Reviewer"
    assert stores.reviewer_name("") == "os-user"  # asked for explicitly: the OS user
    store = stores.open_store(tmp_path / "s.sqlite3")
    assert store.actor == "Ana Reviewer"
    store.close()
