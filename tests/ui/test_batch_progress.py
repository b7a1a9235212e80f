"""The batch view's rows for documents in flight at once: fed by the events a parallel check
sends (each names its document), first by hand for exact assertions, then by a real parallel
batch against the loopback busy server, run on the app's worker, and through the check page."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.core.policy import load_policy
from app.core.progress import CancelToken, Progress, ProgressEvent
from app.inference.server_engine import ServerEngine, ServerSettings
from app.services.checking import CheckOptions, CheckRequest, ChecksDone, run_checks
from app.services.stores import open_store
from app.ui.batch_progress import BatchProgress
from app.ui.worker import start_job
from tests.helpers.app_ui import screenshot
from tests.helpers.batch_docs import drafts
from tests.helpers.busy_server import BusyServer
from tests.helpers.paths import ROOT

POLICY = load_policy(ROOT / "policies" / "fin-promo" / "policy.md")


def event(stage: str, document: str = "", done: int = 0, total: int = 0, message: str = "") -> Any:
    return ProgressEvent(stage, done, total, message, document)


def test_a_row_per_document_in_flight_and_a_count_of_those_done(qtbot: Any) -> None:
    view = BatchProgress()
    qtbot.addWidget(view)
    view.on_progress(event("reading", "/d/a.md"))  # one at a time: nothing to show
    assert view.isHidden() and view.in_flight() == {}
    view.on_progress(event("in flight", total=3, message="the server runs 3 at once"))
    assert not view.isHidden()
    for name in ("a", "b", "c"):
        view.on_progress(event("document", f"/d/{name}.md"))
    view.on_progress(event("reasoning", "/d/a.md", 1, 2, "fin-promo"))
    view.on_progress(event("reading", "/d/b.md", 3, 10))
    assert view.in_flight() == {
        "/d/a.md": "Reasoning 1 of 2", "/d/b.md": "Reading 3 of 10",
        "/d/c.md": "Waiting to be read",
    }  # fmt: skip
    view.on_progress(event("document finished", "/d/b.md", 1, 5, "needs_review"))
    assert set(view.in_flight()) == {"/d/a.md", "/d/c.md"}
    assert view.summary.text() == "2 of up to 3 documents in flight on the server · 1 of 5 done"
    assert view.last.text() == "Last done: b.md — needs review"
    view.reset()
    assert view.isHidden() and view.in_flight() == {}


def test_a_real_parallel_batch_on_the_worker_fills_and_empties_the_rows(
    qtbot: Any, tmp_path: Path
) -> None:
    server = BusyServer(chunk_delay_s=0.15).start()  # slow enough to see four at once
    store_path = tmp_path / "s.sqlite3"
    files = sorted(drafts(tmp_path / "drafts", 8).glob("*.md"))
    engine = ServerEngine(ServerSettings(server.url, "stub", timeout_s=60))
    request = CheckRequest(
        policies=(POLICY,), model_name="stub", parallel=4, options=CheckOptions(recheck=False)
    )
    view = BatchProgress()
    qtbot.addWidget(view)
    view.resize(640, 200)
    most = [0]

    def watch(progress_event: ProgressEvent) -> None:
        view.on_progress(progress_event)
        most[0] = max(most[0], len(view.in_flight()))

    def work(progress: Progress, cancel: CancelToken, on_text: Any) -> ChecksDone:
        store = open_store(store_path, "tester")  # this thread's own connection
        try:
            return run_checks(files, request, store, lambda: engine, progress=progress,
                              cancel=cancel)  # fmt: skip
        finally:
            store.close()

    try:
        results: list[ChecksDone] = []
        job = start_job(work, "batch", None, on_done=results.append, on_error=pytest.fail,
                        on_progress=watch)  # fmt: skip
        qtbot.waitUntil(lambda: bool(results), timeout=120_000)
    finally:
        server.stop()
    assert job.done and len(results[0].run_ids) == 8
    assert most[0] == 4  # four rows at once, never more
    assert view.in_flight() == {}
    assert view.summary.text().endswith("8 of 8 done")


def test_the_check_page_shows_the_rows_for_a_server_batch(
    qtbot: Any, session: Any, tmp_path: Path
) -> None:
    from app.ui.main_window import MainWindow

    server = BusyServer(chunk_delay_s=0.1).start()
    try:
        session.settings = replace(session.settings, server_url=server.url,
                                   server_model="stub", parallel=2)  # fmt: skip
        session.engine_factory = lambda model, config: ServerEngine(
            ServerSettings(server.url, "stub", timeout_s=60)
        )
        window = MainWindow(session)
        qtbot.addWidget(window)
        page = window.check_page
        page.add_documents(sorted(drafts(tmp_path / "drafts", 4).glob("*.md")))
        page.set_policies(["fin-promo"])
        page.start_button.click()
        qtbot.waitUntil(lambda: len(page.batch_progress.in_flight()) == 2, timeout=60_000)
        assert not page.batch_progress.isHidden()
        window.resize(1100, 760)
        qtbot.waitUntil(lambda: "Reasoning" in str(page.batch_progress.in_flight()), timeout=60_000)
        screenshot(window, "22-batch")
        qtbot.waitUntil(lambda: page.start_button.isEnabled(), timeout=120_000)
    finally:
        server.stop()
    assert page.batch_progress.summary.text().endswith("4 of 4 done")
    assert len(session.store.runs()) == 4
