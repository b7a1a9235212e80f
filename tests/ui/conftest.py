"""UI test fixtures: headless Qt, session with a scripted engine, screenshots for the README."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from tests.helpers.app_ui import scripted_engine


@pytest.fixture
def fake_model(tmp_path: Path) -> Path:
    """A file that passes as a GGUF for model selection; the scripted engine never reads it."""
    path = tmp_path / "scripted.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 60)
    return path


@pytest.fixture
def session(fake_model: Path) -> Iterator[object]:
    from app.ui.session import Session

    made = Session()
    made.session_model = str(fake_model)
    made.engine_factory = lambda model, config: scripted_engine()
    yield made
    made.close()
