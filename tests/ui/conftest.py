"""UI test fixtures: headless Qt, session with a scripted engine, screenshots for the README."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from tests.helpers.app_ui import scripted_engine


@pytest.fixture
def fake_model(scripted_gguf: Path, tmp_path: Path) -> Path:
    """A file that passes as gpt-oss-safeguard for model selection (its header is read and
    identified); the scripted engine never loads it."""
    path = tmp_path / "scripted.gguf"
    shutil.copyfile(scripted_gguf, path)
    return path


@pytest.fixture(scope="session")
def scripted_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.helpers.gguf_files import model_gguf

    path = tmp_path_factory.mktemp("scripted-model") / "scripted.gguf"
    model_gguf(path, name="gpt-oss-safeguard-20b", basename="gpt-oss-safeguard", tensor_kb=4)
    return path


@pytest.fixture
def session(fake_model: Path) -> Iterator[object]:
    from app.ui.session import Session

    made = Session()
    made.session_model = str(fake_model)
    made.engine_factory = lambda model, config: scripted_engine()
    yield made
    made.close()
