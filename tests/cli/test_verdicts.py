"""What ``check`` says on its summary line and exits with (DESIGN.md): 0 only when a model judged
everything and found nothing; 1 for violations, needs review and not assessed (with the reason
on the summary line); every unread part named. Scripted engine: exact verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import cli
from tests.helpers.policies import GOOD
from tests.helpers.runs import COMPLIANT
from tests.helpers.scripted import use_scripted_engine


def check(tmp_path: Path, draft: Path, *extra: str) -> int:
    return cli.main(
        ["check", str(draft), "--model", "smoke-gemma3-270m", "--db", str(tmp_path / "s.db"),
         "--quiet", *extra]
    )  # fmt: skip


@pytest.fixture
def house_rule(tmp_path: Path) -> str:
    """A policy that declares no screens."""
    path = tmp_path / "house-rule" / "policy.md"
    path.parent.mkdir()
    path.write_text(GOOD, encoding="utf-8")
    return str(path)


def summary(out: str, draft: Path) -> str:
    (line,) = [line for line in out.splitlines() if line.startswith(f"{draft}:")]
    return line


def test_triage_only_without_screens_is_not_assessed(
    tmp_path: Path, house_rule: str, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "flyer.md"
    draft.write_text("Earn a guaranteed 11% a year.\n", encoding="utf-8")
    assert check(tmp_path, draft, "--policy", house_rule, "--triage-only") == 1
    line = summary(capsys.readouterr().out, draft)
    assert line.startswith(f"{draft}: NOT ASSESSED, 0 finding(s) — house-rule: triage only")
    assert "declares no screens: nothing was checked" in line


def test_triage_only_whose_screens_match_nothing_is_not_assessed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "letter.md"
    draft.write_text("Our office is open on weekdays.\n", encoding="utf-8")
    assert check(tmp_path, draft, "--policy", "fin-promo", "--triage-only") == 1
    line = summary(capsys.readouterr().out, draft)
    assert "NOT ASSESSED" in line and "no screen matched" in line


def test_an_unusable_answer_is_not_assessed(
    tmp_path: Path, house_rule: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    use_scripted_engine(monkeypatch, '{"verdict": "compl')
    draft = tmp_path / "flyer.md"
    draft.write_text("Earn a guaranteed 11% a year.\n", encoding="utf-8")
    assert check(tmp_path, draft, "--policy", house_rule, "--effort", "high") == 1
    line = summary(capsys.readouterr().out, draft)
    assert "NOT ASSESSED" in line and "not a valid verdict" in line


def test_compliant_exits_0_but_unread_parts_make_it_needs_review(
    tmp_path: Path, house_rule: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    use_scripted_engine(monkeypatch, COMPLIANT)
    plain = tmp_path / "plain.md"
    plain.write_text("Capital at risk.\n", encoding="utf-8")
    assert check(tmp_path, plain, "--policy", house_rule) == 0
    assert summary(capsys.readouterr().out, plain).startswith(f"{plain}: COMPLIANT")
    page = tmp_path / "page.html"
    page.write_text(
        "<!DOCTYPE html><html><body><p>Capital at risk.</p>"
        '<img src="returns.png" alt="chart of returns"></body></html>',
        encoding="utf-8",
    )
    assert check(tmp_path, page, "--policy", house_rule) == 1
    out = capsys.readouterr().out
    assert summary(out, page).startswith(f"{page}: NEEDS REVIEW")
    (warning,) = [line for line in out.splitlines() if "warning: not read:" in line]
    assert "chart of returns" in warning
