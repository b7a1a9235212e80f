"""``report annotate`` as a user runs it: one line saying what was written and how many findings
were placed; the review's decisions decide what goes in; the checked file is never the output."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from app import cli
from tests.helpers.annotate import comment_ranges
from tests.helpers.cli import assert_one_line_error, run
from tests.helpers.policies import GOOD
from tests.helpers.runs import VIOLATION
from tests.helpers.scripted import use_scripted_engine


@pytest.fixture
def checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring: None) -> dict[str, Path]:
    """A DOCX checked on the scripted engine: 'guaranteed return' (P1), 'Contact us' (P2)."""
    policy = tmp_path / "house-rule" / "policy.md"
    policy.parent.mkdir()
    policy.write_text(GOOD, encoding="utf-8")
    draft = tmp_path / "draft.docx"
    document = docx.Document()
    document.add_paragraph("We promise a guaranteed return.")
    document.add_paragraph("Contact us.")
    document.save(draft)
    use_scripted_engine(monkeypatch, VIOLATION)
    db = tmp_path / "s.sqlite3"
    code = cli.main(
        ["check", str(draft), "--policy", str(policy), "--model", "smoke-gemma3-270m",
         "--db", str(db), "--quiet"]
    )  # fmt: skip
    assert code == 1
    return {"draft": draft, "db": db, "folder": tmp_path}


def test_annotate_writes_the_copy_and_says_so_in_one_line(checked: dict[str, Path]) -> None:
    out = checked["folder"] / "draft.annotated.docx"
    result = run("report", "annotate", "1", "--out", str(out), "--db", str(checked["db"]))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"annotated DOCX: {out} (run 1): 2 finding(s) placed — 2 on the quoted words"
    )
    assert "0 not placed" in lines[0] and "sha256 " in lines[0]
    ranges = comment_ranges(zipfile.ZipFile(io.BytesIO(out.read_bytes())).read("word/document.xml"))
    assert sorted(ranges.values()) == ["Contact us", "guaranteed return"]
    audit = run("audit", "verify", "--db", str(checked["db"]))
    assert audit.returncode == 0, audit.stderr


def test_only_accepted_findings(checked: dict[str, Path]) -> None:
    db = str(checked["db"])
    assert run("review", "decide", "1", "accept", "--db", db).returncode == 0
    assert run("review", "decide", "2", "reject", "--note", "fine", "--db", db).returncode == 0
    out = checked["folder"] / "accepted.docx"
    result = run("report", "annotate", "--out", str(out), "--only", "accepted", "--db", db)
    assert result.returncode == 0, result.stderr
    assert "1 finding(s) placed" in result.stdout and "1 left out by review" in result.stdout
    comments = [c.text for c in docx.Document(out).comments]
    assert len(comments) == 1 and "Review: accepted by " in comments[0]


def test_refusals_are_one_line_with_exit_2(checked: dict[str, Path]) -> None:
    db = str(checked["db"])
    before = checked["draft"].read_bytes()
    same = run("report", "annotate", "1", "--out", str(checked["draft"]), "--db", db)
    assert_one_line_error(same, 2, "refusing to write the annotated copy over the checked document")
    assert checked["draft"].read_bytes() == before
    wrong = run("report", "annotate", "1", "--out", str(checked["folder"] / "x.pdf"), "--db", db)
    assert_one_line_error(wrong, 2, "x.pdf", ".docx")
    missing = run("report", "annotate", "9", "--out", str(checked["folder"] / "x.docx"), "--db", db)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
