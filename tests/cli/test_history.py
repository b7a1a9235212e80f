"""History, review, sign-off and the reviewed report from the command line. The checks run in
this process on the scripted engine (exact verdicts); every other command runs as a user runs
it (``python -m app``), sharing the store and its key file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import cli
from app.core.settings import Settings
from app.runtime.settings import save_settings
from tests.helpers.cli import assert_one_line_error, assert_valid_report, run
from tests.helpers.policies import GOOD
from tests.helpers.runs import VIOLATION
from tests.helpers.scripted import use_scripted_engine

HISTORY_KEYS = {
    "run", "document", "policies", "created_at", "model", "verdict", "reviewed_verdict",
    "reviewed", "total", "signoff", "status", "case",
}  # fmt: skip


@pytest.fixture
def checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring: None) -> dict[str, str]:
    """Three checks in two cases (acme: a.md, b.md; globex: c.md), each with two findings."""
    save_settings(Settings(reviewer="Ana Reviewer"))
    policy = tmp_path / "house-rule" / "policy.md"
    policy.parent.mkdir()
    policy.write_text(GOOD, encoding="utf-8")
    use_scripted_engine(monkeypatch, VIOLATION)
    db = tmp_path / "s.sqlite3"
    for name, case in (("a.md", "acme"), ("b.md", "acme"), ("c.md", "globex")):
        draft = tmp_path / name
        draft.write_text("We promise a guaranteed return.\n\nContact us.\n", encoding="utf-8")
        code = cli.main(
            ["check", str(draft), "--policy", str(policy), "--model", "smoke-gemma3-270m",
             "--case", case, "--db", str(db), "--quiet"]
        )  # fmt: skip
        assert code == 1
    return {"db": str(db), "folder": str(tmp_path)}


def test_history_lists_every_run_with_its_review_state(checked: dict[str, str]) -> None:
    listed = run("history", "--json", "--db", checked["db"])
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(r["run"], r["case"], Path(r["document"]).name) for r in rows] == [
        (1, "acme", "a.md"), (2, "acme", "b.md"), (3, "globex", "c.md"),
    ]  # fmt: skip
    for row in rows:
        assert row.keys() >= HISTORY_KEYS
        assert (row["verdict"], row["reviewed_verdict"], row["reviewed"], row["total"]) == (
            "violation", "needs_review", 0, 2,
        )  # fmt: skip
        assert (row["policies"], row["signoff"], row["status"]) == (
            ["house-rule"],
            None,
            "complete",
        )
        assert row["model"] == "scripted" and row["created_at"].startswith("20")
    acme = json.loads(run("history", "--case", "acme", "--json", "--db", checked["db"]).stdout)
    assert [r["run"] for r in acme] == [1, 2]
    table = run("history", "--db", checked["db"])
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["run", "date", "case"] and len(lines) == 4
    assert "a.md" in lines[1] and "needs review" in lines[1] and "0/2" in lines[1]
    assert_one_line_error(
        run("history", "--case", "initech", "--db", checked["db"]), 2, "no case 'initech'"
    )


def test_signoff_is_refused_then_accepted_and_the_report_carries_the_review(
    checked: dict[str, str],
) -> None:
    db = checked["db"]
    listing = json.loads(run("review", "list", "1", "--json", "--db", db).stdout)
    first, second = (f["id"] for f in listing["findings"])
    assert (listing["verdict"], listing["reviewed_verdict"]) == ("violation", "needs_review")
    assert_one_line_error(
        run("review", "signoff", "1", "approve", "--db", db), 2, "run 1", "2 of 2", "undecided"
    )
    assert (
        run("review", "decide", str(first), "accept", "--note", "clear", "--db", db).returncode == 0
    )
    amend = run("review", "decide", str(second), "amend", "--severity", "low", "--db", db)
    assert amend.returncode == 0 and "reviewed VIOLATION" in amend.stdout
    reset = run("review", "decide", str(second), "reset", "--db", db)
    assert reset.returncode == 0 and "reset (undecided again)" in reset.stdout
    assert "1 of 2 reviewed" in reset.stdout
    assert_one_line_error(run("review", "signoff", "1", "approve", "--db", db), 2, "1 of 2")
    assert run("review", "decide", str(second), "reject", "--db", db).returncode == 0
    signed = run("review", "signoff", "1", "approve", "--note", "ok to publish", "--db", db)
    assert signed.returncode == 0, signed.stderr
    assert "Approved by Ana Reviewer on 20" in signed.stdout

    listing = json.loads(run("review", "list", "1", "--json", "--db", db).stdout)
    assert (listing["reviewed_verdict"], listing["reviewed"], listing["total"]) == (
        "violation",
        2,
        2,
    )
    decisions = [f["decision"] for f in listing["findings"]]
    assert [(d["decision"], d["reviewer"]) for d in decisions] == [
        ("accept", "Ana Reviewer"), ("reject", "Ana Reviewer"),
    ]  # fmt: skip
    assert listing["signoff"]["outcome"] == "approve" and listing["signoff"]["stale"] is False
    text = run("review", "list", "1", "--db", db).stdout
    assert "accepted — clear" in text and "rejected" in text and "Approved by Ana" in text

    out = Path(checked["folder"]) / "reviewed.json"
    written = run("report", "json", "1", "--out", str(out), "--db", db)
    assert written.returncode == 0, written.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert_valid_report(report)
    assert report["verdict"] == "violation"  # the model's first verdict, on record
    review = report["review"]
    assert (review["verdict"], review["reviewed"], review["total"]) == ("violation", 2, 2)
    assert [d["decision"] for d in review["decisions"]] == ["accept", "reject"]
    assert review["finding_ids"] == [first, second]
    assert {k: review["signoff"][k] for k in ("outcome", "note", "reviewer")} == {
        "outcome": "approve", "note": "ok to publish", "reviewer": "Ana Reviewer",
    }  # fmt: skip
    history = json.loads(run("history", "--json", "--db", db).stdout)[0]
    assert (history["reviewed_verdict"], history["reviewed"]) == ("violation", 2)
    assert (
        history["signoff"]["outcome"] == "approve"
        and history["signoff"]["reviewer"] == "Ana Reviewer"
    )

    # a decision after the sign-off makes it stale, in the list and the history
    assert run("review", "decide", str(second), "accept", "--db", db).returncode == 0
    assert "stale" in run("review", "list", "1", "--db", db).stdout
    assert json.loads(run("history", "--json", "--db", db).stdout)[0]["signoff"]["stale"] is True
    verified = run("audit", "verify", "--db", db)
    assert verified.returncode == 0 and "audit log intact" in verified.stdout
    assert_one_line_error(run("report", "json", "9", "--out", str(out), "--db", db), 2, "no run 9")
