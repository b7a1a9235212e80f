"""The app on the real llama.cpp engine (smoke model), under the socket guard: start-up, the
demo from the welcome page, a full check, the result and a PDF export — no connection leaves
the machine, in this process or in the reader processes it starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.ui.main_window import MainWindow
from app.ui.session import Session
from tests.helpers.app_ui import screenshot
from tests.helpers.network import guard_everything

pytestmark = [pytest.mark.llama, pytest.mark.timeout(600)]


def test_demo_on_the_real_engine_offline(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = guard_everything(tmp_path, monkeypatch)
    session = Session()
    try:
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.show()
        assert window.stack.currentWidget() is window.welcome  # nothing installed here
        window.welcome.demo_button.click()
        page = window.check_page
        assert page.smoke_banner.isVisible()
        assert [p.name for p in page.documents()] == ["demo-investment-flyer.md"]
        page.set_policies(["fin-promo"])
        page.effort.setCurrentText("low")
        page.reasoning_box.setChecked(True)
        with qtbot.waitSignal(page.finished, timeout=480_000):
            page.start_button.click()
        assert page.reasoning.toPlainText().strip()  # the model's output streamed in
        result = window.result_page
        assert window.stack.currentWidget() is result
        assert "SMOKE-TEST MODEL" in result.banner.text()
        assert result.verdict.text() in ("Violation", "Needs review", "Not assessed", "Compliant")
        screenshot(window, "09-demo-smoke-model")
        pdf = tmp_path / "demo.pdf"
        job = result.export(pdf)  # on the worker
        assert job is not None
        qtbot.waitUntil(lambda: job.done, timeout=120_000)
        assert pdf.read_bytes().startswith(b"%PDF")
        assert not attempts.exists(), attempts.read_text(encoding="utf-8")
    finally:
        session.close()
