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
    """A small GGUF that reads as gpt-oss-safeguard (model selection reads its header); the
    scripted engine never loads it."""
    from tests.helpers.gguf_files import model_gguf

    path = tmp_path / "scripted.gguf"
    model_gguf(path, name="gpt-oss-safeguard-20b (scripted test file)", tensor_kb=4)
    return path


@pytest.fixture
def session(fake_model: Path) -> Iterator[object]:
    from app.ui.session import Session

    made = Session()
    made.session_model = str(fake_model)
    made.scan_home = fake_model.parent / "empty-home"  # "Found on this computer": nothing
    made.scan_environ = {}
    made.engine_factory = lambda model, config: scripted_engine()
    yield made
    made.close()
