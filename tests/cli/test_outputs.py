"""No output destroys an input (trust rule 6), from the command line: every refusal is exit 2
with one line naming the path, before any work; per-document reports never collide. Checks run
``--triage-only`` (no model) in this process."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from app import cli
from tests.helpers.mounts import tmpfs


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main(["check", *args, "--policy", "fin-promo", "--triage-only", "--quiet"])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Logging error" not in err
    return code, err


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("safeguard-desk:")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    path = tmp_path / "v.md"
    path.write_text("Earn a guaranteed 11% a year.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("flag", ["--out", "--pdf"])
def test_a_report_never_replaces_its_document(
    capsys: pytest.CaptureFixture[str], draft: Path, flag: str
) -> None:
    code, err = check(capsys, str(draft), flag, str(draft))
    assert code == 2 and "would overwrite an input" in one_line(err) and str(draft) in err
    assert draft.read_text(encoding="utf-8") == "Earn a guaranteed 11% a year.\n"


def test_json_and_pdf_to_one_file_is_refused(
    capsys: pytest.CaptureFixture[str], draft: Path, tmp_path: Path
) -> None:
    same = tmp_path / "r"
    code, err = check(capsys, str(draft), "--out", str(same), "--pdf", str(same))
    assert code == 2 and "--pdf and --out name the same file" in one_line(err)
    assert not same.exists()


def test_the_policy_and_the_store_are_inputs_too(
    capsys: pytest.CaptureFixture[str], draft: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "mine" / "policy.md"
    policy.parent.mkdir()
    from tests.helpers.policies import GOOD

    policy.write_text(GOOD, encoding="utf-8")
    code = cli.main(["check", str(draft), "--policy", str(policy), "--triage-only", "--quiet",
                     "--out", str(policy)])  # fmt: skip
    assert code == 2 and "would overwrite an input" in one_line(capsys.readouterr().err)
    assert policy.read_text(encoding="utf-8") == GOOD
    db = tmp_path / "s.sqlite3"
    code, err = check(capsys, str(draft), "--db", str(db), "--out", str(db))
    assert code == 2 and "would overwrite an input" in one_line(err)


def test_special_targets_are_refused(
    capsys: pytest.CaptureFixture[str], draft: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    targets = [(tmp_path, "is a folder"), (fifo, "FIFO"), (link, "FIFO")]
    if os.path.exists("/dev/full"):
        targets.append((Path("/dev/full"), "is a device"))
    for target, words in targets:
        code, err = check(capsys, str(draft), "--out", str(target))
        assert code == 2 and words in one_line(err) and str(target) in err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    if os.path.exists("/dev/full"):
        assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_reports_of_documents_with_one_stem_do_not_collide(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.md").write_text(f"From {folder}: guaranteed.\n", encoding="utf-8")
    (tmp_path / "a" / "x.txt").write_text("Also x: guaranteed.\n", encoding="utf-8")
    out = tmp_path / "out" / "report.json"
    files = [tmp_path / "a" / "x.md", tmp_path / "b" / "x.md", tmp_path / "a" / "x.txt"]
    code, err = check(capsys, *map(str, files), "--out", str(out))
    assert code == 1, err
    written = {p.name: json.loads(p.read_text())["document"]["path"] for p in out.parent.iterdir()}
    assert written == {
        "report.x.json": str(files[0]),
        "report.x-2.json": str(files[1]),
        "report.x-3.json": str(files[2]),
    }


def test_a_read_only_target_is_exit_2_naming_it(
    capsys: pytest.CaptureFixture[str], draft: Path, tmp_path: Path
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    with tmpfs(locked, read_only=True) as mounted:
        if not mounted:
            pytest.skip("cannot mount a read-only tmpfs here (tests/runtime covers the mapping)")
        code, err = check(capsys, str(draft), "--out", str(locked / "r.json"))
    assert code == 2 and "read-only" in one_line(err) and str(locked / "r.json") in err


def test_a_full_disk_is_exit_2_naming_the_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    big = tmp_path / "big.md"
    big.write_text("Earn a guaranteed return.\n\n" * 6000, encoding="utf-8")  # a ~1 MB report
    small = tmp_path / "small"
    small.mkdir()
    with tmpfs(small, size_kb=64) as mounted:
        if not mounted:
            pytest.skip("cannot mount a tmpfs here (tests/runtime covers a patched os.write)")
        code, err = check(capsys, str(big), "--out", str(small / "r.json"))
        left = list(small.iterdir())
    assert code == 2 and "no space left" in one_line(err) and str(small / "r.json") in err
    assert left == []  # no partial file left behind


def test_store_exports_never_replace_the_document_or_the_store(
    capsys: pytest.CaptureFixture[str], draft: Path, tmp_path: Path
) -> None:
    db = tmp_path / "s.sqlite3"
    code, _ = check(capsys, str(draft), "--db", str(db))
    assert code == 1
    code = cli.main(["report", "pdf", "1", "--out", str(draft), "--db", str(db)])
    assert code == 2 and "would overwrite an input" in one_line(capsys.readouterr().err)
    code = cli.main(["export", "dataset", "--out", str(db), "--db", str(db)])
    assert code == 2 and "would overwrite an input" in one_line(capsys.readouterr().err)
    assert draft.read_text(encoding="utf-8").startswith("Earn")


def test_the_data_folder_store_and_log_are_private(
    capsys: pytest.CaptureFixture[str], draft: Path, isolated_home: Path
) -> None:
    os.chmod(isolated_home, 0o755)  # as an earlier version left it
    code, _ = check(capsys, str(draft))
    assert code == 1
    mode = {
        p.relative_to(isolated_home).as_posix(): stat.S_IMODE(p.stat().st_mode)
        for p in [isolated_home, *isolated_home.rglob("*")]
    }
    assert mode["."] == 0o700 and mode["logs"] == 0o700 and mode["secrets"] == 0o700
    assert mode["safeguard.sqlite3"] == 0o600 and mode["logs/safeguard-desk.log"] == 0o600
    assert all(m & 0o077 == 0 for name, m in mode.items()), mode


def test_a_read_only_data_folder_is_exit_2_naming_it(
    capsys: pytest.CaptureFixture[str], draft: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "ro"
    locked.mkdir()
    with tmpfs(locked, read_only=True) as mounted:
        if not mounted:
            pytest.skip("cannot mount a read-only tmpfs here")
        monkeypatch.setenv("SAFEGUARD_HOME", str(locked / "home"))
        code, err = check(capsys, str(draft))
    assert code == 2 and "cannot create the data folder" in one_line(err)
    assert str(locked / "home") in err
