"""``check DIR/``: a queue over every supported file, one report each, a summary table, and a
restart that resumes where the queue stopped. The engine is scripted here (exact assertions);
the real engine's path through ``check`` is tested in test_cli.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app import cli
from app.inference.scripted import Recording, ScriptedEngine
from app.services import engines

VERDICT = {"verdict": "compliant", "findings": []}


def folder(tmp_path: Path) -> Path:
    drafts = tmp_path / "drafts"
    (drafts / "sub").mkdir(parents=True)
    (drafts / "a.md").write_text("Our fund may go down as well as up.\n", encoding="utf-8")
    (drafts / "sub" / "b.txt").write_text("Capital at risk.\n", encoding="utf-8")
    (drafts / "sub" / "a.md").write_text("Same name, other folder.\n", encoding="utf-8")
    (drafts / "broken.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (drafts / "notes.xyz").write_bytes(b"not a supported type: skipped")
    return drafts


def scripted(monkeypatch: pytest.MonkeyPatch, fail_on: int | None = None) -> list[int]:
    calls: list[int] = []

    class Engine(ScriptedEngine):
        def judge(self, request: Any, cancel: Any, on_text: Any = None) -> Any:
            calls.append(1)
            if fail_on is not None and len(calls) == fail_on:
                raise KeyboardInterrupt  # the user pressed Ctrl+C, or the machine went down
            return super().judge(request, cancel, on_text)

    engine = Engine([Recording("fine", json.dumps(VERDICT))])
    monkeypatch.setattr(engines, "load_engine", lambda model, config, report: engine)
    return calls


def run(drafts: Path, out: Path, db: Path) -> int:
    return cli.main(
        ["check", str(drafts), "--policy", "fin-promo", "--model", "smoke-gemma3-270m",
         "--out", str(out), "--db", str(db), "--quiet"]
    )  # fmt: skip


def test_a_folder_is_a_queue_with_one_report_each_and_a_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scripted(monkeypatch)
    drafts, out = folder(tmp_path), tmp_path / "reports"
    assert run(drafts, out, tmp_path / "s.sqlite3") == 2  # one file was unreadable
    reports = sorted(out.glob("*.json"))
    assert len(reports) == 3  # a.md, sub/a.md (no overwrite), sub/b.txt
    names = {json.loads(r.read_text(encoding="utf-8"))["document"]["path"] for r in reports}
    assert names == {str(drafts / "a.md"), str(drafts / "sub" / "a.md"), str(drafts / "sub/b.txt")}
    summary = (out / "summary.tsv").read_text(encoding="utf-8").splitlines()
    assert summary[0] == "file\tverdict\tfindings\trun\tproblem"
    assert len(summary) == 5
    assert any("broken.pdf\tunreadable" in line and "damaged" in line for line in summary)
    printed = capsys.readouterr().out
    assert "batch 1: 4 files" in printed


def test_an_interrupted_batch_resumes_with_what_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    drafts, out, db = folder(tmp_path), tmp_path / "reports", tmp_path / "s.sqlite3"
    scripted(monkeypatch, fail_on=2)  # stops while reasoning over the second file
    assert run(drafts, out, db) == 2  # "cancelled"
    calls = scripted(monkeypatch)
    assert run(drafts, out, db) == 2
    captured = capsys.readouterr()
    # a.md was checked and broken.pdf refused before the interruption (sorted order)
    assert "resuming batch 1: 2 of 4 files were already done" in captured.err
    assert len(calls) == 2  # only sub/a.md (interrupted) and sub/b.txt are checked now
    summary = (out / "summary.tsv").read_text(encoding="utf-8").splitlines()[1:]
    assert sorted(line.split("\t")[1] for line in summary) == [
        "compliant", "compliant", "compliant", "unreadable"
    ]  # fmt: skip
    # and a third run starts a new batch: the finished one is not resumed
    scripted(monkeypatch)
    assert run(drafts, out, db) == 2
    assert "resuming" not in capsys.readouterr().err
