"""The audit trail from the command line: check --pdf, review, audit verify, export, replay."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.cli import assert_one_line_error, assert_valid_report, run

pytestmark = pytest.mark.llama


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """One real check (smoke model) with a PDF, shared by the tests of this module."""
    folder = tmp_path_factory.mktemp("audit")
    environment = pytest.MonkeyPatch()
    environment.setenv("SAFEGUARD_HOME", str(folder / "home"))  # the store the module shares
    draft = folder / "draft.md"
    draft.write_text(
        "Earn a guaranteed 12% a year with zero risk.\n\nCall us today.\n", encoding="utf-8"
    )
    paths = {
        "draft": draft,
        "json": folder / "r.json",
        "pdf": folder / "r.pdf",
        "db": folder / "home" / "safeguard.sqlite3",
        "home": folder / "home",
    }
    result = run(
        "check",
        str(draft),
        "--policy",
        "fin-promo",
        "--model",
        "smoke-gemma3-270m",
        "--effort",
        "low",
        "--out",
        str(paths["json"]),
        "--pdf",
        str(paths["pdf"]),
    )
    assert result.returncode in (0, 1), result.stderr
    yield paths
    environment.undo()


@pytest.fixture(autouse=True)
def same_home(checked: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFEGUARD_HOME", str(checked["home"]))


def test_check_records_the_run_and_writes_both_reports(checked: dict[str, Path]) -> None:
    report = json.loads(checked["json"].read_text(encoding="utf-8"))
    assert_valid_report(report)
    assert report["run"]["id"] == 1
    assert checked["pdf"].read_bytes().startswith(b"%PDF")
    verified = run("report", "verify", str(checked["pdf"]))
    assert verified.returncode == 0, verified.stderr
    listing = run("review", "list")
    assert listing.returncode == 0 and listing.stdout.startswith("run 1 (complete")


def test_review_decisions_then_export(checked: dict[str, Path], tmp_path: Path) -> None:
    db = sqlite3.connect(checked["db"])
    finding_ids = [row[0] for row in db.execute("SELECT id FROM findings ORDER BY id")]
    db.close()
    if not finding_ids:
        pytest.skip(
            "the smoke model raised no finding this time; decisions are tested in tests/store"
        )
    assert (
        run("review", "decide", str(finding_ids[0]), "reject", "--note", "not a promise").returncode
        == 0
    )
    assert_one_line_error(
        run("review", "decide", str(finding_ids[0]), "amend"), 2, "needs what changes"
    )
    assert_one_line_error(run("review", "decide", "99999", "accept"), 2, "no finding 99999")
    out = tmp_path / "cases.jsonl"
    exported = run("export", "dataset", "--out", str(out))
    assert exported.returncode == 0
    (case,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (case["expected"], case["note"], case["policy"]) == (
        "compliant",
        "not a promise",
        "fin-promo",
    )
    pdf = tmp_path / "reviewed.pdf"
    assert run("report", "pdf", "--out", str(pdf), "--reasoning").returncode == 0
    assert run("report", "verify", str(pdf)).returncode == 0


def test_audit_verify_detects_tampering(checked: dict[str, Path], tmp_path: Path) -> None:
    import shutil

    intact = run("audit", "verify")
    assert intact.returncode == 0 and "audit log intact" in intact.stdout
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(checked["db"], copy)
    db = sqlite3.connect(copy)
    db.execute("UPDATE audit_log SET payload = replace(payload, 'low', 'LOW') WHERE seq = 1")
    db.commit()
    db.close()
    broken = run("audit", "verify", "--db", str(copy))
    assert broken.returncode == 1
    assert "audit entry 1 was changed" in broken.stderr and "Traceback" not in broken.stderr


def test_replay_repeats_the_check_exactly(checked: dict[str, Path], tmp_path: Path) -> None:
    again = tmp_path / "again.json"
    result = run("check", "--replay", str(checked["json"]), "--out", str(again))
    assert result.returncode in (0, 1), result.stderr
    first = json.loads(checked["json"].read_text(encoding="utf-8"))
    second = json.loads(again.read_text(encoding="utf-8"))
    assert second["findings"] == first["findings"] and second["verdict"] == first["verdict"]
    assert second["reasoning"] == first["reasoning"]
    assert second["model"] == first["model"]


def test_replay_refuses_when_an_input_changed(checked: dict[str, Path], tmp_path: Path) -> None:
    report = json.loads(checked["json"].read_text(encoding="utf-8"))
    changed_doc = tmp_path / "changed.json"
    changed_doc.write_text(
        json.dumps(report | {"document": report["document"] | {"sha256": "0" * 64}})
    )
    assert_one_line_error(run("check", "--replay", str(changed_doc)), 2, "the document changed")
    policies = [report["policies"][0] | {"sha256": "1" * 64}]
    changed_policy = tmp_path / "policy.json"
    changed_policy.write_text(json.dumps(report | {"policies": policies}))
    assert_one_line_error(
        run("check", "--replay", str(changed_policy)), 2, "policy 'fin-promo' changed"
    )
    model = report["model"] | {"file_sha256": "2" * 64}
    changed_model = tmp_path / "model.json"
    changed_model.write_text(json.dumps(report | {"model": model}))
    assert_one_line_error(
        run("check", "--replay", str(changed_model)), 2, "model file is not the one"
    )
    assert_one_line_error(
        run("check", "--replay", str(tmp_path / "none.json")), 2, "report to replay not found"
    )
    assert_one_line_error(
        run("check", "x.md", "--replay", str(checked["json"])), 2, "takes its files"
    )
