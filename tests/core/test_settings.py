"""Settings: the reviewer's name (recorded with every decision and sign-off) round-trips and is
one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import InputError
from app.core.settings import Settings, settings_from_json, settings_to_json


def test_the_reviewer_round_trips_and_defaults_to_empty() -> None:
    assert Settings().reviewer == ""
    data = settings_to_json(Settings(reviewer="Ana Reviewer"))
    assert data["reviewer"] == "Ana Reviewer"
    assert settings_from_json(data, Path("settings.json")).reviewer == "Ana Reviewer"
    assert settings_from_json({"version": 1}, Path("settings.json")).reviewer == ""


@pytest.mark.parametrize("name", ["Ana\nReviewer", "x" * 101, "tab\there"])
def test_a_reviewer_name_is_one_short_line(name: str) -> None:
    with pytest.raises(InputError, match="reviewer's name"):
        settings_from_json({"version": 1, "reviewer": name}, Path("settings.json"))
