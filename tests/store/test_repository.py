"""Runs, findings and decisions in the store, and what survives a kill -9."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.canonical import canonical_sha256
from app.core.pipeline import check_document
from app.report.json_report import build_report
from app.services.stores import open_store
from app.store.repository import Store
from tests.helpers.paths import ROOT
from tests.helpers.scripted import DOCUMENT, POLICY, engine, finding


def recorded_run(store: Store) -> int:
    scripted = engine(
        {"verdict": "violation", "findings": [finding(), finding(passage="P2", quote="Contact us")]}
    )
    result = check_document(DOCUMENT, [POLICY], scripted)
    run_id = store.start_run(DOCUMENT, [POLICY], scripted.info, "medium", case="acme")
    report = build_report(result, scripted.info, timings=result.timings)
    store.finish_run(run_id, result, report)
    return run_id


def test_a_run_with_findings_decisions_and_a_dataset(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite3")
    run_id = recorded_run(store)
    row = store.run(run_id)
    assert (row.status, row.verdict) == ("complete", "violation")
    first, second = store.findings(run_id)
    assert first.quote_verified == 1 and first.passage_text == DOCUMENT.passages[0].text
    store.decide(first.id, "accept", "clear breach")
    store.decide(second.id, "amend", "minor", {"severity": "low"})
    store.decide(second.id, "reject", "changed my mind")  # the latest decision counts
    assert store.findings(run_id)[1].decision.decision == "reject"
    cases = store.dataset()
    assert [(c["expected"], c["sections"], c["decision"]) for c in cases] == [
        ("violation", ["HR-1"], "accept"),
        ("compliant", [], "reject"),
    ]
    assert cases[0]["text"] == DOCUMENT.passages[0].text and cases[0]["policy_version"] == "2.1.0"
    assert (cases[0]["model_verdict"], cases[0]["layer"]) == ("violation", "model")
    actions = [r["action"] for r in store.db.execute("SELECT action FROM audit_log ORDER BY seq")]
    assert actions == ["run.started", "run.completed"] + ["finding.decided"] * 3
    assert store.verify_audit().intact


@pytest.mark.parametrize(
    ("decision", "amended", "message"),
    [("approve", None, "must be one of"), ("amend", None, "needs what changes")],
)
def test_bad_decisions(tmp_path: Path, decision: str, amended: object, message: str) -> None:
    store = open_store(tmp_path / "s.sqlite3")
    finding_id = store.findings(recorded_run(store))[0].id
    with pytest.raises(Exception, match=message):
        store.decide(finding_id, decision, "", amended)  # type: ignore[arg-type]
    with pytest.raises(Exception, match="no finding 999"):
        store.decide(999, "accept")


def test_exports_are_recorded_and_found(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite3")
    run_id = recorded_run(store)
    digest = canonical_sha256({"a": 1})
    export_id = store.record_export(run_id, "pdf", digest, "f" * 64, 10, tmp_path / "r.pdf")
    assert store.find_export(digest).subject == f"run:{run_id}"
    assert store.find_export("0" * 64) is None
    assert store.export_of_file("f" * 64).id == export_id
    assert store.export_of_report(digest).run_id == run_id
    assert store.export_entry(export_id).payload["file_sha256"] == "f" * 64
    assert store.export_of_file("0" * 64) is None
    assert store.verify_audit().intact


def test_a_run_of_a_dead_process_is_marked_incomplete(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite3")
    scripted = engine({"verdict": "compliant", "findings": []})
    run_id = store.start_run(DOCUMENT, [POLICY], scripted.info, "low")
    store.db.execute("UPDATE runs SET pid=? WHERE id=?", (2**22 + 12345, run_id))  # no such pid
    store.close()
    again = open_store(tmp_path / "s.sqlite3")
    assert again.recovered == [run_id]
    assert again.run(run_id).status == "incomplete"
    assert again.verify_audit().intact


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite3")
    store.db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    store.close()
    with pytest.raises(Exception, match="newer than this program"):
        open_store(tmp_path / "s.sqlite3")


DECIDER = """
import sys
from pathlib import Path
from app.services.stores import open_store
from app.store.repository import Store
store = open_store(Path(sys.argv[1]))
ids = [int(x) for x in sys.argv[2].split(",")]
print("ready", flush=True)
n = 0
while True:
    store.decide(ids[n % len(ids)], "accept", f"decision {n}")
    n += 1
"""


def test_kill_9_while_saving_decisions_loses_nothing_saved(
    tmp_path: Path, no_keyring: None
) -> None:
    path = tmp_path / "s.sqlite3"
    store = open_store(path)
    ids = [f.id for f in store.findings(recorded_run(store))]
    store.close()
    process = subprocess.Popen(
        [sys.executable, "-c", DECIDER, str(path), ",".join(map(str, ids))],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    time.sleep(1.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    reopened = open_store(path)
    decisions = reopened.db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]
    logged = reopened.db.execute(
        "SELECT COUNT(*) FROM audit_log WHERE action='finding.decided'"
    ).fetchone()[0]
    assert decisions > 10 and decisions == logged  # every saved decision and its entry, together
    notes = [r[0] for r in reopened.db.execute("SELECT note FROM decisions ORDER BY id")]
    assert notes == [f"decision {n}" for n in range(decisions)]  # none lost in between
    assert reopened.verify_audit().intact


@pytest.mark.llama
def test_kill_9_during_a_check_marks_the_run_incomplete(tmp_path: Path, no_keyring: None) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text(
        "\n\n".join(f"Paragraph {i}: returns are guaranteed." for i in range(40)), encoding="utf-8"
    )
    db = tmp_path / "s.sqlite3"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "check",
            str(draft),
            "--policy",
            "fin-promo",
            "--model",
            "smoke-gemma3-270m",
            "--effort",
            "high",
            "--db",
            str(db),
            "--quiet",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    running = False
    while time.monotonic() < deadline and not running:
        time.sleep(0.2)
        if db.exists():
            try:
                peek = sqlite3.connect(db)  # a peek: opening a Store would recover runs
                running = bool(peek.execute("SELECT 1 FROM runs WHERE status='running'").fetchone())
                peek.close()
            except sqlite3.Error:
                running = False
    assert running, "the check never started its run"
    process.send_signal(signal.SIGKILL)
    process.wait()
    reopened = open_store(db)
    (run,) = reopened.runs()
    assert run.status == "incomplete" and reopened.recovered == [run.id]
    assert reopened.findings(run.id) == []  # nothing half-written is shown
    assert reopened.verify_audit().intact
    assert json.loads(
        reopened.db.execute(
            "SELECT payload FROM audit_log WHERE action='run.incomplete'"
        ).fetchone()[0]
    )
