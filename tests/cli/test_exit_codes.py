"""One exit-code rule (DESIGN.md): 0, 1, 2 or 3, never a traceback, whatever the arguments.
Hypothesis builds command lines from the commands and adversarial arguments (endless files,
FIFOs, folders, devices, damaged stores, nan/inf, huge ids, non-http URLs, random text) and runs
each in this process."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import cli

# Each command with what it needs (P: a path, N: a number, T: text, U: a URL), then options
# it may get. Left out: the demo and bench (they load the smoke model), model download
# (network), model scan (walks the disks).
COMMANDS: list[tuple[list[str], list[tuple[str, str]]]] = [
    (["check", "P", "--policy", "fin-promo", "--triage-only", "--quiet"],
     [("--out", "P"), ("--pdf", "P"), ("--db", "P"), ("--max-file-mb", "N"),
      ("--extract-timeout", "N"), ("--max-pages", "N"), ("--case", "T"), ("--full", ""),
      ("--password", "T"), ("--policy", "P"), ("--reasoning", "")]),
    (["check", "P", "--policy", "fin-promo", "--quiet"],
     [("--n-ctx", "N"), ("--server", "U"), ("--server-model", "T"), ("--model", "P"),
      ("--temperature", "N"), ("--threads", "N"), ("--gpu-layers", "N"), ("--seed", "N")]),
    (["check", "--replay", "P"], [("--out", "P")]),
    (["extract", "P"], [("--json", ""), ("--max-file-mb", "N"), ("P", "")]),
    (["policy", "show", "P"], []),
    (["policy", "lint", "P"], []),
    (["policy", "list"], []),
    (["policy", "test", "fin-promo"], [("--cases", "P"), ("--min-f1", "N"), ("--effort", "T")]),
    (["review", "list"], [("N", ""), ("--db", "P")]),
    (["review", "decide", "N", "accept"], [("--note", "T"), ("--db", "P")]),
    (["review", "decide", "N", "amend"], [("--severity", "T"), ("--section", "T")]),
    (["audit", "verify"], [("--db", "P")]),
    (["audit", "adopt"], [("--db", "P")]),
    (["report", "verify", "P"], [("--db", "P")]),
    (["report", "pdf", "--out", "P"], [("N", ""), ("--db", "P"), ("--reasoning", "")]),
    (["export", "dataset", "--out", "P"], [("--db", "P")]),
    (["model", "import", "P"], []),
    (["model", "remove", "T"], []),
    (["model", "verify", "T"], []),
    (["model", "list"], []),
    ([], [("T", "")]),
]  # fmt: skip
NUMBERS = ["nan", "inf", "-inf", "-1", "0", "1", "2", "99999999999999999999", "1e309", "1e-320"]
URLS = ["file:///etc", "http://", "ftp://x/", "https://", "http:///x", "gopher://a", "x"]
TEXT = ["..", ".", "/", "-", "--", "", "fin-promo", "accept", "low", "auto", "\x00", "../x"]


@pytest.fixture(scope="module")
def arena() -> Iterator[Path]:
    """Files that break naive readers and writers, in a private folder."""
    folder = Path(tempfile.mkdtemp(prefix="exit-codes-"))
    (folder / "draft.md").write_text("Earn a guaranteed 11% a year.\n", encoding="utf-8")
    (folder / "garbage.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    (folder / "fake.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    (folder / "empty.md").write_bytes(b"")
    (folder / "folder").mkdir()
    os.mkfifo(folder / "fifo")
    os.mkfifo(folder / "fifo.md")
    (folder / "to-zero").symlink_to("/dev/zero")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def paths(arena: Path) -> list[str]:
    names = ["draft.md", "garbage.sqlite3", "fake.pdf", "empty.md", "folder", "fifo", "fifo.md",
             "to-zero", "missing.md", "folder/a.json", "folder/a.pdf", "folder/s.db"]  # fmt: skip
    return [str(arena / name) for name in names] + ["/dev/zero", "/dev/null", "/dev/full"]


def argument(kind: str, arena: Path) -> st.SearchStrategy[str]:
    choices = {"P": paths(arena), "N": NUMBERS, "U": URLS, "T": TEXT}[kind]
    return st.sampled_from(choices) | st.text(max_size=10)


@settings(
    max_examples=int(os.environ.get("EXIT_CODE_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_command_line_exits_0_to_3_without_a_traceback(
    data: st.DataObject, arena: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    base, optional = data.draw(st.sampled_from(COMMANDS))
    argv = [data.draw(argument(w, arena)) if w in "PNTU" and w else w for w in base]
    for flag, value in (
        data.draw(st.lists(st.sampled_from(optional), max_size=4)) if optional else []
    ):
        argv += [data.draw(argument(flag, arena))] if flag in ("P", "N", "T") else [flag]
        if value:
            argv.append(data.draw(argument(value, arena)))
    (arena / "draft.md").write_text("Earn a guaranteed 11% a year.\n", encoding="utf-8")
    here = os.getcwd()
    os.chdir(arena / "folder")  # anything a random --out names lands here
    try:
        code = cli.main(argv)
    finally:
        os.chdir(here)
    _, err = capfd.readouterr()
    assert code in (0, 1, 2, 3), (argv, code, err)
    assert "Traceback" not in err and "Logging error" not in err, (argv, err)
    assert "internal error" not in err, (argv, err)
    if code == 2:  # bad input: said in words (argparse's usage lines, or our one line)
        assert err.strip(), argv
    assert stat.S_ISFIFO(os.stat(arena / "fifo").st_mode)  # never replaced by a file
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
