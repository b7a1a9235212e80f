"""``check FOLDER/ --server URL --parallel N`` against a loopback server that behaves like a
shared one under load (tests/helpers/busy_server.py): faults retried, a document the server
keeps refusing failed with its reason while the others go on, a server that dies for good
leaving the queue resumable, and a ``kill -9`` of the command in the middle of a parallel
batch, after which the same command finishes it with every document checked once."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from app import cli
from tests.helpers.batch_docs import drafts, promises
from tests.helpers.busy_server import BusyServer
from tests.helpers.cli import assert_one_line_error
from tests.helpers.cli import run as run_cli
from tests.helpers.paths import ROOT

pytestmark = pytest.mark.timeout(300)


def check_args(folder: Path, out: Path, db: Path, url: str, *extra: str) -> list[str]:
    return ["check", str(folder), "--policy", "fin-promo", "--server", url, "--server-model",
            "stub", "--out", str(out), "--db", str(db), *extra]  # fmt: skip


def summary(out: Path) -> dict[str, list[str]]:
    lines = (out / "summary.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {Path(row[0]).name: row for row in (line.split("\t") for line in lines)}


def running_runs(db: Path) -> int:
    try:
        with contextlib.closing(sqlite3.connect(db, timeout=15)) as connection:
            row = connection.execute("SELECT count(*) FROM runs WHERE status = 'running'")
            return int(row.fetchone()[0])
    except sqlite3.OperationalError:  # no tables yet
        return 0


def completed_runs(db: Path) -> Counter[str]:
    """Completed runs per document name (none while the store is still being created)."""
    try:
        with sqlite3.connect(db, timeout=15) as connection:
            rows = connection.execute(
                "SELECT documents.path FROM runs JOIN documents ON "
                "documents.id = runs.document_id WHERE runs.status = 'complete'"
            ).fetchall()
    except sqlite3.OperationalError:  # no tables yet: the command is migrating the new store
        return Counter()
    return Counter(Path(row[0]).name for row in rows)


def test_faults_are_retried_and_every_document_is_checked_once(
    tmp_path: Path, servers: list[BusyServer], capsys: pytest.CaptureFixture[str]
) -> None:
    # every third request 503 or 429; one answer cut off half way; one death and a restart
    server = BusyServer(fail_every=3, retry_after="0", drop_at=5, die_at=10).start()
    servers.append(server)
    folder, out, db = drafts(tmp_path / "drafts"), tmp_path / "reports", tmp_path / "s.sqlite3"
    code = cli.main([*check_args(folder, out, db, server.url, "--parallel", "4"), "--quiet"])
    assert code == 1  # violations found; nothing failed
    assert server.faults["503"] and server.faults["429"]
    assert server.faults["dropped"] == 1 and server.faults["died"] == 1
    assert 2 <= server.most_in_flight <= 4  # documents at once, never more than asked
    rows = summary(out)
    assert len(rows) == 8 and len(list(out.glob("draft-*.json"))) == 8
    for path in sorted(folder.glob("*.md")):
        verdict = rows[path.name][1]
        assert verdict == ("violation" if promises(path) else "compliant"), path.name
    assert set(server.answered.values()) == {1}  # no document's answer was taken twice
    assert completed_runs(db) == Counter({p.name: 1 for p in folder.glob("*.md")})
    assert "batch 1: 8 files" in capsys.readouterr().out


def test_a_document_the_server_keeps_refusing_fails_and_the_batch_goes_on(
    tmp_path: Path, servers: list[BusyServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server = BusyServer(always_busy="Refuse me", retry_after="0").start()
    servers.append(server)
    folder = drafts(tmp_path / "drafts", 4, {"refused.md": "Refuse me, said the draft.\n"})
    out, db = tmp_path / "reports", tmp_path / "s.sqlite3"
    code = cli.main([*check_args(folder, out, db, server.url, "--parallel", "2"), "--quiet"])
    assert code == 3  # the server kept failing one document: no usable model for it
    rows = summary(out)
    assert rows["refused.md"][1] == "failed"
    assert "kept failing (HTTP 503" in rows["refused.md"][4] and "5 tries" in rows["refused.md"][4]
    assert rows["refused.md"][3]  # the failed run is named, for the audit trail
    assert sorted(rows[name][1] for name in rows if name != "refused.md") == [
        "compliant", "compliant", "violation", "violation"
    ]  # fmt: skip
    assert server.faults["503"] == 5  # one try and four retries, then it gave up
    err = capsys.readouterr().err
    assert "refused.md" in err and "kept failing" in err


def test_a_server_that_dies_for_good_leaves_the_rest_of_the_batch_pending(
    tmp_path: Path, servers: list[BusyServer], capsys: pytest.CaptureFixture[str]
) -> None:
    dying = BusyServer(die_at=9, back_after_s=None).start()
    servers.append(dying)
    folder, out, db = drafts(tmp_path / "drafts"), tmp_path / "reports", tmp_path / "s.sqlite3"
    code = cli.main([*check_args(folder, out, db, dying.url, "--parallel", "4"), "--quiet"])
    assert code == 3
    err = capsys.readouterr().err
    assert "stopped answering" in err and "run the same command again" in err
    assert not (out / "summary.tsv").exists()  # the batch is not finished
    done_before = completed_runs(db)
    assert 0 < sum(done_before.values()) < 8
    back = BusyServer().start()  # the server is back (on another port: same model name)
    servers.append(back)
    assert cli.main([*check_args(folder, out, db, back.url, "--parallel", "4"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"{sum(done_before.values())} of 8 files were already done" in err
    assert completed_runs(db) == Counter({p.name: 1 for p in folder.glob("*.md")})
    # only the documents not done before were asked again, each once
    assert sum(back.answered.values()) == 8 - sum(done_before.values())
    assert len(summary(out)) == 8


def test_kill_9_in_the_middle_of_a_parallel_batch_then_the_same_command_finishes_it(
    tmp_path: Path, servers: list[BusyServer]
) -> None:
    server = BusyServer(chunk_delay_s=0.1).start()  # about 2 s a document
    servers.append(server)
    folder, out, db = drafts(tmp_path / "drafts"), tmp_path / "reports", tmp_path / "s.sqlite3"
    args = check_args(folder, out, db, server.url, "--parallel", "4", "--quiet")
    first = subprocess.Popen(
        [sys.executable, "-m", "app", *args], cwd=ROOT, env=os.environ.copy(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    # Killed with 2 or more documents done and one still being judged (not only being read, which
    # leaves no run behind: under load all four workers can be reading at once).
    while not db.exists() or sum(completed_runs(db).values()) < 2 or not running_runs(db):
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)  # no clean-up of any kind: as a power cut
    first.wait(10)
    done_before = completed_runs(db)
    assert 2 <= sum(done_before.values()) < 8
    second = run_cli(*args)
    assert second.returncode == 1, second.stderr
    assert "resuming batch 1" in second.stderr
    assert "marked incomplete" in second.stderr  # the runs the kill cut short
    assert completed_runs(db) == Counter({p.name: 1 for p in folder.glob("*.md")})
    rows = summary(out)
    assert len(rows) == 8 and len(list(out.glob("draft-*.json"))) == 8
    for path in folder.glob("*.md"):
        report = json.loads(next(out.glob(f"{path.stem}.*.json")).read_text(encoding="utf-8"))
        assert report["verdict"] == ("violation" if promises(path) else "compliant")
        assert rows[path.name][3] == str(report["run"]["id"])


def test_parallel_needs_a_server() -> None:
    result = run_cli("check", "x.md", "--policy", "fin-promo", "--parallel", "2")
    assert_one_line_error(result, 2, "--parallel needs --server")
