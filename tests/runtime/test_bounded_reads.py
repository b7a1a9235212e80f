"""Every read is bounded (trust rule 6), in every process: a FIFO blocks a plain read forever
and /dev/zero never ends, so each file a command reads is refused before reading unless it is a
regular file under its limit. Each command runs as a user runs it (a subprocess, with a
timeout: a hang fails the test) and must exit with one line naming the file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers.cli import assert_one_line_error, run

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")


@pytest.fixture(params=["fifo", "dev-zero"])
def endless(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str]:
    """A path that a plain read would hang on: a FIFO, or a symlink to /dev/zero."""
    path = tmp_path / f"endless-{request.param}"
    if request.param == "fifo":
        os.mkfifo(path)
        return path, "FIFO"
    path.symlink_to("/dev/zero")
    return path, "is a device"


def put(endless: Path, where: Path) -> None:
    where.parent.mkdir(parents=True, exist_ok=True)
    where.unlink(missing_ok=True)
    where.symlink_to(endless)


def test_settings(endless: tuple[Path, str], isolated_home: Path, tmp_path: Path) -> None:
    path, kind = endless
    put(path, isolated_home / "settings.json")
    draft = tmp_path / "d.md"
    draft.write_text("Guaranteed.\n", encoding="utf-8")
    result = run("check", str(draft), "--policy", "fin-promo", "--triage-only", "--quiet")
    assert_one_line_error(result, 2, "settings file", kind)


def test_catalogue_override(endless: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    path, kind = endless
    monkeypatch.setenv("SAFEGUARD_CATALOGUE", str(path))
    assert_one_line_error(run("model", "list"), 3, "catalogue override", kind)


def test_report_to_verify(endless: tuple[Path, str]) -> None:
    path, kind = endless
    assert_one_line_error(run("report", "verify", str(path)), 2, str(path), kind)


def test_report_to_replay(endless: tuple[Path, str]) -> None:
    path, kind = endless
    assert_one_line_error(run("check", "--replay", str(path)), 2, "report to replay", kind)


def test_cases_file(endless: tuple[Path, str]) -> None:
    path, kind = endless
    result = run("policy", "test", "fin-promo", "--cases", str(path))
    assert_one_line_error(result, 2, "test cases file", kind)


def test_policy_file(endless: tuple[Path, str]) -> None:
    path, kind = endless
    assert_one_line_error(run("policy", "lint", str(path)), 2, "policy file", kind)


def test_key_file(endless: tuple[Path, str], isolated_home: Path) -> None:
    """No keyring in the child (headless): the audit key lives in a file."""
    path, kind = endless
    put(path, isolated_home / "secrets" / "audit-hmac-key")
    assert_one_line_error(run("audit", "verify"), 2, "secret file", kind)


def test_oversized_settings_are_refused_unread(isolated_home: Path) -> None:
    settings = isolated_home / "settings.json"
    with settings.open("wb") as handle:
        handle.truncate(2 * 1024 * 1024)  # sparse: 2 MB of nothing, over the 1 MB limit
    result = run("check", str(settings), "--policy", "fin-promo", "--triage-only")
    assert_one_line_error(result, 2, "settings file is 2.0 MB, over the 1.0 MB limit")


def test_a_document_that_is_a_fifo_is_refused_unread(tmp_path: Path) -> None:
    fifo = tmp_path / "draft.md"  # a supported name: only its type gives it away
    os.mkfifo(fifo)
    result = run("check", str(fifo), "--policy", "fin-promo", "--triage-only", "--quiet")
    assert_one_line_error(result, 2, str(fifo), "FIFO", "not read")
