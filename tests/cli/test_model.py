"""``safeguard-desk model …`` end to end."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.cli import assert_one_line_error, run
from tests.helpers.gguf_files import small_gguf


def test_list_shows_the_catalogue_with_a_fit_estimate() -> None:
    result = run("model", "list")
    assert result.returncode == 0, result.stderr
    assert "gpt-oss-safeguard-20b" in result.stdout and "not installed" in result.stdout
    assert "smoke-gemma3-270m" in result.stdout
    assert "needs about" in result.stdout and "GiB" in result.stdout


def test_import_verify_list_remove(tmp_path: Path) -> None:
    source = tmp_path / "mine.gguf"
    small_gguf(source, megabytes=2)
    imported = run("model", "import", str(source), "--name", "mine", "--quiet")
    assert imported.returncode == 0, imported.stderr
    assert "mine: installed" in imported.stdout and "llama" in imported.stdout
    assert "OK" in run("model", "verify", "mine").stdout
    assert "mine" in run("model", "list").stdout
    assert run("model", "remove", "mine").returncode == 0
    assert_one_line_error(run("model", "verify", "mine"), 3, "not installed")


def test_bad_imports_exit_3(tmp_path: Path) -> None:
    text = tmp_path / "notes.gguf"
    text.write_text("hello", encoding="utf-8")
    assert_one_line_error(run("model", "import", str(text)), 3, "notes.gguf", "not a GGUF")
    assert_one_line_error(run("model", "import", str(tmp_path / "none.gguf")), 3, "not found")


def test_smoke_model_is_not_removable() -> None:
    assert_one_line_error(run("model", "remove", "smoke-gemma3-270m"), 2, "Python package")


def test_token_from_stdin(isolated_home: Path) -> None:
    import subprocess
    import sys

    from tests.helpers.paths import ROOT

    result = subprocess.run(
        [sys.executable, "-m", "app", "model", "token"],
        input="hf_x\n",
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "token stored" in result.stdout
    assert "hf_x" not in result.stdout + result.stderr
