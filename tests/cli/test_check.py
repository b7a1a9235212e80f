"""The command line end to end, in subprocesses, as a user runs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import assert_one_line_error, assert_valid_report, run
from tests.helpers.officegen import make_docx
from tests.helpers.paths import ROOT, corpus_file
from tests.helpers.pdfgen import write_pdf


def test_extract_json_shows_passages_and_locations(tmp_path: Path) -> None:
    docx_path = make_docx(tmp_path / "deal.docx")
    pdf_path = write_pdf(tmp_path / "deal.pdf", [["Page one text."], ["Page two text."]])
    result = run("extract", str(docx_path), str(pdf_path), "--json")
    assert result.returncode == 0, result.stderr
    docx_doc, pdf_doc = json.loads(result.stdout)
    assert docx_doc["passages"][1] == {
        "id": "P2",
        "text": "Fee | Amount",
        "location": {"table": 1, "row": 1},
    }
    assert [p["location"] for p in pdf_doc["passages"]] == [{"page": 1}, {"page": 2}]


def test_extract_text_output(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# Heading\n\nBody text.\n", encoding="utf-8")
    result = run("extract", str(path))
    assert result.returncode == 0
    assert "P2\tline 3\tBody text." in result.stdout


@pytest.mark.llama
def test_check_docx_with_the_smoke_model_writes_a_valid_report(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = run(
        "check",
        str(make_docx(tmp_path / "deal.docx")),
        "--policy",
        "fin-promo",
        "--model",
        "smoke-gemma3-270m",
        "--effort",
        "low",
        "--out",
        str(out),
    )
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert_valid_report(report)
    assert next(iter(report)) == "notice" and "meaningless" in report["notice"]
    assert result.stdout.splitlines()[0].startswith("SMOKE-TEST MODEL")
    assert "smoke-gemma3-270m: needs about" in result.stderr  # the fit estimate, before loading
    assert report["policies"][0]["id"] == "fin-promo"
    assert report["model"]["engine"] == "llama.cpp"
    assert report["model"]["settings"]["effort"] == "low"
    assert report["document"]["passages"][0]["location"] == {"paragraph": 1}
    assert report["timings"]["prompt_tokens"] > 0
    assert report["reasoning"][0]["policy"] == "fin-promo"
    assert result.returncode == (0 if report["verdict"] == "compliant" else 1)


@pytest.mark.llama
def test_several_files_one_bad_reports_the_good_and_exits_2(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("We promise a guaranteed return of 9% a year.\n", encoding="utf-8")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 truncated")
    out = tmp_path / "report.json"
    result = run(
        "check",
        str(bad),
        str(good),
        "--policy",
        "fin-promo",
        "--model",
        "smoke-gemma3-270m",
        "--effort",
        "low",
        "--out",
        str(out),
    )
    assert_one_line_error(result, 2, "bad.pdf", "damaged or invalid PDF")
    assert_valid_report(json.loads((tmp_path / "report.good.json").read_text(encoding="utf-8")))


@pytest.mark.llama
def test_demo_writes_report_in_the_current_folder(tmp_path: Path) -> None:
    result = run("demo", "--effort", "low", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert "smoke-test model" in result.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert_valid_report(report)
    assert {p["id"] for p in report["policies"]} == {"fin-promo", "data-protection"}
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    # written where the user did not choose: private (0600), like the store
    for name in ("report.json", "report.pdf"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: _write(d / "cut.pdf", b"%PDF-1.4\n1 0 obj <<"), ["cut.pdf", "damaged"]),
        (lambda d: _write(d / "memo.docx", b"%PDF-1.4\n"), ["memo.docx", "not a valid DOCX"]),
        (lambda d: _write(d / "zip.pdf", b"PK\x03\x04rest"), ["zip.pdf", "not a valid PDF"]),
        (lambda d: _write(d / "blank.txt", b"\n\n"), ["blank.txt", "no text"]),
        (lambda d: d / "missing.txt", ["missing.txt", "not found"]),
        (lambda d: _write(d / "sheet.xyz", b"x"), ["sheet.xyz", "unsupported"]),
    ],
)
def test_bad_files_exit_2_with_one_line(tmp_path: Path, make, words: list[str]) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    for command in (
        ["extract", str(path)],
        ["check", str(path), "--policy", "fin-promo", "--model", "smoke-gemma3-270m"],
    ):
        assert_one_line_error(run(*command), 2, *words)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("pysf__libreoffice-writer-password.pdf", ["password required", "--password"]),
        ("ocrmypdf__c02-22.pdf", ["no text layer (scanned?)", "OCR is off"]),
        ("poi__bug53475-password-is-pass.docx", ["password-protected"]),
        ("ocrmypdf__invalid.pdf", ["damaged or invalid PDF"]),
    ],
)
def test_corpus_bad_inputs_exit_2(name: str, words: list[str]) -> None:
    path = corpus_file(f"docs/{name}")
    # a scan is OCR'd by default (tests/ingest/test_ocr.py); with OCR off it is refused
    no_ocr = ["--no-ocr"] if "c02-22" in name else []
    assert_one_line_error(
        run("check", str(path), "--policy", "fin-promo", "--model", "smoke-gemma3-270m", *no_ocr),
        2,
        name,
        *words,
    )


def test_corpus_password_opens_encrypted_pdf() -> None:
    path = corpus_file("docs/pdfjs__issue6010_2.pdf")
    result = run("extract", str(path), "--password", "æøå")
    assert result.returncode == 0, result.stderr
    assert "Issue 6010" in result.stdout


def test_missing_real_model_exits_3_and_says_how_to_get_it(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("text", encoding="utf-8")
    result = run("check", str(path), "--policy", "fin-promo")
    assert_one_line_error(result, 3, "gpt-oss-safeguard-20b", "model download", "model import")


def test_model_path_that_is_not_gguf_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("text", encoding="utf-8")
    result = run("check", str(path), "--policy", "fin-promo", "--model", str(path))
    assert_one_line_error(result, 3, "not a GGUF model file")


def test_policy_commands(tmp_path: Path) -> None:
    listing = run("policy", "list")
    assert listing.returncode == 0
    for policy_id in ("fin-promo", "data-protection", "anti-bribery", "ad-claims"):
        assert policy_id in listing.stdout
    shown = run("policy", "show", "anti-bribery")
    assert shown.returncode == 0 and "## AB-3 Facilitation payments" in shown.stdout
    assert_one_line_error(run("policy", "show", "nope"), 2, "unknown policy 'nope'", "fin-promo")
    broken = tmp_path / "policy.md"
    broken.write_text("---\nid: x\ntitle: t\nversion: 1\n---\n# Instructions\n", encoding="utf-8")
    assert_one_line_error(run("policy", "show", str(broken)), 2, str(broken), "Criteria")


def test_user_policies_shadow_bundled_ones(isolated_home: Path) -> None:
    folder = isolated_home / "policies" / "fin-promo"
    folder.mkdir(parents=True)
    text = (ROOT / "policies" / "fin-promo" / "policy.md").read_text(encoding="utf-8")
    mine = re.sub(r"^version: .*$", "version: 9.9.9", text, count=1, flags=re.MULTILINE)
    (folder / "policy.md").write_text(mine, "utf-8")
    assert "9.9.9" in run("policy", "show", "fin-promo").stdout


def test_usage_errors_exit_2() -> None:
    assert run("check", "x.txt").returncode == 2  # --policy is required
    assert run("check", "x.txt", "--policy", "fin-promo", "--effort", "max").returncode == 2
    assert run("frobnicate").returncode == 2


def test_internal_errors_are_one_line_and_logged(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    from app import cli
    from app.cli import check

    def explode(args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(check, "run_extract", explode)
    assert cli.main(["extract", "x.txt"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error (RuntimeError)" in err
    log = (isolated_home / "logs" / "safeguard-desk.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "boom" in log


def test_a_closed_pipe_is_not_an_error() -> None:
    result = subprocess.run(
        f"'{sys.executable}' -m app policy list | head -n 1",
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.count("\n") == 1
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
