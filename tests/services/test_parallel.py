"""``run_checks`` with several documents in flight against a server (the loopback stand-in of
tests/helpers/busy_server.py): results in the order they finish, on the calling thread, every
progress event naming its document, the server's own slot count as the default, and Cancel
stopping every request in flight at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import Cancelled
from app.core.policy import load_policy
from app.core.progress import CancelToken, ProgressEvent
from app.inference.scripted import Recording, ScriptedEngine
from app.inference.server_engine import ServerEngine, ServerSettings
from app.services.checking import CheckOptions, CheckRequest, FileOutcome, run_checks
from app.services.parallel import advertised
from app.services.stores import open_store
from app.store.repository import Store
from tests.helpers.batch_docs import drafts
from tests.helpers.busy_server import BusyServer
from tests.helpers.paths import ROOT

POLICY = load_policy(ROOT / "policies" / "fin-promo" / "policy.md")
pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "s.sqlite3", "tester")
    yield opened
    opened.close()


def request(parallel: int) -> CheckRequest:
    return CheckRequest(
        policies=(POLICY,), model_name="stub", parallel=parallel,
        options=CheckOptions(recheck=False),
    )  # fmt: skip


def server_engine(url: str) -> ServerEngine:
    return ServerEngine(ServerSettings(url, "stub", timeout_s=60))


def test_results_come_in_the_order_documents_finish_on_the_calling_thread(
    tmp_path: Path, store: Store, servers: list[BusyServer]
) -> None:
    server = BusyServer(slow_text="fund 1.", chunk_delay_s=0.03).start()  # draft-01 is slow
    servers.append(server)
    folder = drafts(tmp_path / "drafts", 6)
    seen: list[tuple[FileOutcome, int]] = []
    events: list[ProgressEvent] = []
    engine = server_engine(server.url)
    done = run_checks(
        [folder], request(3), store, lambda: engine,
        on_file=lambda outcome: seen.append((outcome, threading.get_ident())),
        progress=events.append,
    )  # fmt: skip
    assert done.parallel == 3 and server.most_in_flight == 3
    names = [outcome.path.name for outcome, _ in seen]
    assert sorted(names) == [f"draft-0{n}.md" for n in range(1, 7)]
    assert names[0] != "draft-01.md" and names.index("draft-01.md") >= 3  # finished late
    assert [outcome.number for outcome, _ in seen] == [1, 2, 3, 4, 5, 6]
    assert {ident for _, ident in seen} == {threading.get_ident()}
    staged = [e for e in events if e.stage not in ("in flight",)]
    assert staged and all(e.document for e in staged)  # every event names its document
    reasoning = {e.document for e in events if e.stage == "reasoning"}
    assert len(reasoning) == 6
    finished = [e for e in events if e.stage == "document finished"]
    assert [e.done for e in finished] == [1, 2, 3, 4, 5, 6]
    assert [Path(e.document).name for e in finished] == names


def test_the_default_is_what_the_server_says_it_runs_at_once(
    tmp_path: Path, store: Store, servers: list[BusyServer]
) -> None:
    three = BusyServer(slots=3, chunk_delay_s=0.05).start()
    silent = BusyServer(slots=None).start()  # like vLLM: it does not say
    servers.extend([three, silent])
    assert advertised(server_engine(silent.url))[0] == 4
    assert advertised(ScriptedEngine([Recording("", "{}")]))[0] == 1  # one request at a time
    engine = server_engine(three.url)
    files = sorted(drafts(tmp_path / "d", 6).glob("*.md"))
    done = run_checks(files, request(0), store, lambda: engine)
    assert done.parallel == 3 and three.most_in_flight == 3
    assert len(done.run_ids) == 6


def test_cancel_stops_every_request_in_flight_at_once(
    tmp_path: Path, store: Store, servers: list[BusyServer]
) -> None:
    server = BusyServer(hang_s=120).start()  # the server takes the requests and sits on them
    servers.append(server)
    token = CancelToken()
    engine = server_engine(server.url)
    failure: list[BaseException] = []

    def work() -> None:
        try:
            run_checks(sorted(drafts(tmp_path / "d", 8).glob("*.md")), request(4), store,
                       lambda: engine, cancel=token)  # fmt: skip
        except BaseException as error:
            failure.append(error)

    worker = threading.Thread(target=work)
    worker.start()
    deadline = time.monotonic() + 60
    while server.in_flight < 4:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    cancelled_at = time.monotonic()
    token.cancel()
    worker.join(30)
    assert not worker.is_alive() and time.monotonic() - cancelled_at < 3
    assert isinstance(failure[0], Cancelled)
    statuses = [run.status for run in store.runs()]
    assert statuses == ["failed"] * 4  # the four in flight, recorded; nothing else started
