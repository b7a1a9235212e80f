"""The welcome page's download against the fake hub on 127.0.0.1: progress, pause, resume where
it stopped, cancel (the partial file goes), and a drop of documents onto the check page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from app.models.catalogue import DEFAULT_MODEL
from app.models.installed import load_installed
from app.runtime.paths import models_dir
from app.ui.main_window import MainWindow
from tests.helpers.app_ui import DEMO
from tests.helpers.fake_hub import FakeHub, HostedFile
from tests.helpers.gguf_files import small_gguf

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    data = small_gguf(tmp_path / "tiny.gguf")
    fake = FakeHub(
        {"acme/tiny-GGUF/tiny.gguf": HostedFile(data, delay_per_chunk=0.05, chunk=64 * 1024)}
    ).start()
    catalogue = tmp_path / "catalogue.json"
    entry = {"repo_id": "acme/tiny-GGUF", "filename": "tiny.gguf", "approx_bytes": len(data)}
    catalogue.write_text(json.dumps({DEFAULT_MODEL: entry}), encoding="utf-8")
    monkeypatch.setenv("SAFEGUARD_CATALOGUE", str(catalogue))
    monkeypatch.setenv("HF_ENDPOINT", fake.url)
    yield fake
    fake.stop()


def downloading(qtbot: Any, session: Any) -> MainWindow:
    """The first-run window, its download started and some way along."""
    session.session_model = ""
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    window.welcome.download_button.click()
    qtbot.waitUntil(lambda: window.welcome.progress.value() > 50, timeout=30_000)
    return window


def test_download_pause_resume_and_finish(qtbot: Any, session: Any, hub: FakeHub) -> None:
    window = downloading(qtbot, session)
    welcome = window.welcome
    assert welcome.pause_button.isVisible() and welcome.cancel_button.isVisible()
    welcome.pause_download()
    qtbot.waitUntil(lambda: welcome.status.text().startswith("Paused"), timeout=10_000)
    partial = models_dir() / DEFAULT_MODEL / "tiny.gguf.part"
    kept = partial.stat().st_size
    assert kept > 0 and welcome.download_button.text() == "Resume download"
    with qtbot.waitSignal(welcome.model_ready, timeout=60_000):
        welcome.download_button.click()
    installed = load_installed(DEFAULT_MODEL)
    assert installed is not None and installed.path.is_file()
    assert window.stack.currentWidget() is window.check_page  # on to the first check
    assert not partial.exists() and installed.size > kept  # the whole file, verified


def test_cancel_deletes_the_partial_download(qtbot: Any, session: Any, hub: FakeHub) -> None:
    window = downloading(qtbot, session)  # kept: the page lives as long as its window
    welcome = window.welcome
    welcome.cancel_download()
    qtbot.waitUntil(lambda: "cancelled" in welcome.status.text(), timeout=10_000)
    assert not (models_dir() / DEFAULT_MODEL / "tiny.gguf.part").exists()
    assert welcome.download_button.isEnabled()


def test_documents_dropped_on_the_check_page_are_added(qtbot: Any, session: Any) -> None:
    window = MainWindow(session)
    qtbot.addWidget(window)
    page = window.check_page
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(DEMO)), QUrl.fromLocalFile("/tmp/notes.xyz")])
    drop = QDropEvent(
        QPointF(QPoint(10, 10)), Qt.DropAction.CopyAction, mime,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    page.dropEvent(drop)
    assert page.documents() == [DEMO]  # .xyz is not a supported document
