"""Input validation: server URLs are http(s) only, numbers finite and in range, ids within what
the store can hold, and a context no longer than the model was trained for (its GGUF header)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import cli
from app.core.errors import InputError
from app.runtime.settings import load_settings
from tests.helpers.gguf_files import small_gguf


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    path = tmp_path / "d.md"
    path.write_text("Earn a guaranteed return.\n", encoding="utf-8")
    return path


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = cli.main(list(argv))
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    "url", ["file:///etc", "ftp://gpu-box/", "http://", "gpu-box:8000", "javascript:alert(1)"]
)
def test_only_http_servers(capsys: pytest.CaptureFixture[str], draft: Path, url: str) -> None:
    err = refused(capsys, "check", str(draft), "--policy", "fin-promo", "--server", url,
                  "--server-model", "m")  # fmt: skip
    assert "http:// or https:// URL" in err


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--extract-timeout", "nan"), ("--extract-timeout", "inf"), ("--extract-timeout", "-1"),
        ("--extract-timeout", "0"), ("--max-file-mb", "0"), ("--max-file-mb", "1e3"),
        ("--max-pages", "-3"), ("--temperature", "nan"), ("--temperature", "-0.5"),
        ("--n-ctx", "-1"), ("--n-ctx", "0"), ("--threads", "-2"), ("--gpu-layers", "-2"),
        ("--seed", "-1"),
    ],
)  # fmt: skip
def test_numbers_are_finite_and_in_range(
    capsys: pytest.CaptureFixture[str], draft: Path, flag: str, value: str
) -> None:
    err = refused(capsys, "check", str(draft), "--policy", "fin-promo", flag, value)
    assert flag in err


def test_ids_the_store_cannot_hold_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["review", "list", "99999999999999999999"],
        ["review", "decide", "-1", "accept"],
        ["report", "pdf", "0", "--out", "x.pdf"],
    ):
        assert "is not an id" in refused(capsys, *argv)


def test_a_context_longer_than_trained_says_so(
    capsys: pytest.CaptureFixture[str], draft: Path, tmp_path: Path
) -> None:
    model = tmp_path / "tiny.gguf"
    small_gguf(model, megabytes=1)  # trained context 2048 in its header
    err = refused(capsys, "check", str(draft), "--policy", "fin-promo", "--model", str(model),
                  "--n-ctx", "999999999", "--quiet")  # fmt: skip
    line = next(line for line in err.splitlines() if line.startswith("safeguard-desk:"))
    assert "999999999" in line and "trained for (2048 tokens" in line


@pytest.mark.parametrize(
    ("limits", "words"),
    [({"timeout_s": "NaN"}, "timeout_s"), ({"max_pages": -1}, "max_pages"),
     ({"max_file_mb": "Infinity"}, "max_file_mb")],
)  # fmt: skip
def test_settings_limits_are_finite_and_positive(
    tmp_path: Path, limits: dict[str, object], words: str
) -> None:
    path = tmp_path / "settings.json"
    text = json.dumps({"version": 1, "limits": limits}).replace('"NaN"', "NaN")
    path.write_text(text.replace('"Infinity"', "Infinity"), encoding="utf-8")
    with pytest.raises(InputError, match=words):
        load_settings(path)


def test_settings_server_must_be_http(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"server_url": "file:///x", "server_model": "m"}), encoding="utf-8")
    with pytest.raises(InputError, match="http:// or https://"):
        load_settings(path)


@pytest.mark.parametrize(
    "text", ["not json", "[]", '{"document": {}}', '{"document": {"path": "x", "sha256": "y"}, '
     '"model": {"settings": {"effort": "low"}}, "policies": []}'],
)  # fmt: skip
def test_a_report_to_replay_that_is_not_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str
) -> None:
    report = tmp_path / "r.json"
    report.write_text(text, encoding="utf-8")
    assert "not a Safeguard Desk report" in refused(capsys, "check", "--replay", str(report))
