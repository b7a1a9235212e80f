"""``policy add / remove / list / cases import / from-regulation`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from app.runtime.paths import user_policies_dir
from tests.helpers.cli import assert_one_line_error, run
from tests.helpers.policies import policy_text
from tests.helpers.regulations import EU, write_regulation_docx, write_regulation_pdf


def incoming(tmp_path: Path, policy_id: str = "house-rule", text: str | None = None) -> Path:
    folder = tmp_path / "in" / policy_id
    folder.mkdir(parents=True)
    (folder / "policy.md").write_text(text or policy_text(policy_id=policy_id), encoding="utf-8")
    return folder


def test_add_list_and_remove(tmp_path: Path) -> None:
    folder = incoming(tmp_path)
    added = run("policy", "add", str(folder))
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("added house-rule 1.0.0 — A house rule (0 test case(s))")
    listing = run("policy", "list")
    assert any(line.startswith("house-rule") and line.endswith("(user)")
               for line in listing.stdout.splitlines())  # fmt: skip
    assert_one_line_error(run("policy", "add", str(folder / "policy.md")), 2,
                          "already in the library (yours)", "--replace")  # fmt: skip
    assert run("policy", "add", str(folder), "--replace").returncode == 0
    assert_one_line_error(run("policy", "remove", "fin-promo"), 2, "bundled policy",
                          "cannot be removed")  # fmt: skip
    removed = run("policy", "remove", "house-rule")
    assert removed.returncode == 0 and "moved to" in removed.stdout
    assert "house-rule " not in run("policy", "list").stdout


def test_a_broken_policy_is_refused_by_add_in_one_line(tmp_path: Path) -> None:
    folder = incoming(tmp_path, "bad", "---\nid: bad\ntitle: Bad\nversion: 1\n---\n# Criteria\n")
    assert_one_line_error(run("policy", "add", str(folder)), 2, "policy.md",
                          "'# Criteria' has no '## ID Title' sections")  # fmt: skip


def test_list_shows_library_problems_and_still_works(tmp_path: Path) -> None:
    broken = user_policies_dir() / "broken"
    broken.mkdir(parents=True)
    (broken / "policy.md").write_text("---\nid: broken\n", encoding="utf-8")
    (user_policies_dir() / "linked").symlink_to(tmp_path)
    result = run("policy", "list")
    assert result.returncode == 0, result.stderr
    assert "fin-promo" in result.stdout and "house-rules-template" in result.stdout
    assert "[template]" in result.stdout
    warnings = [line for line in result.stdout.splitlines() if line.startswith("⚠")]
    assert sorted(warnings) == [
        f"⚠ {broken / 'policy.md'}: line 1: front matter is not closed by a '---' line",
        f"⚠ {user_policies_dir() / 'linked'}: skipped: a symlink (policies must be real files "
        "in the folder)",
    ]
    flyer = tmp_path / "flyer.txt"
    flyer.write_text("Earn a guaranteed 12% a year.\n", encoding="utf-8")
    check = run("check", str(flyer), "--policy", "fin-promo", "--triage-only")
    assert check.returncode == 1, check.stderr  # a check with the others still runs
    assert "broken" not in check.stderr and "Traceback" not in check.stderr


def test_from_regulation_pdf_writes_linted_drafts(tmp_path: Path) -> None:
    pdf = write_regulation_pdf(tmp_path / "mrfm.pdf", EU)
    listing = run("policy", "from-regulation", str(pdf), "--list")
    assert listing.returncode == 0, listing.stderr
    assert "    Article 4 Cost disclosure" in listing.stdout
    assert "      binding  Article 4(2)  The total cost shall be:" in listing.stdout
    out = tmp_path / "drafts"
    args = ["policy", "from-regulation", str(pdf), "--id", "mrfm", "--articles", "3-5",
            "--kind", "marketing", "--out", str(out)]  # fmt: skip
    drafted = run(*args)
    assert drafted.returncode == 0, drafted.stderr
    assert "no model is installed: the examples are left as gaps" in drafted.stderr
    policy = out / "mrfm" / "policy.md"
    assert (f"{policy}: 5 criteria (Article 3(1), Article 3(2), Article 4(1), Article 4(2), "
            "Article 5)") in drafted.stdout  # fmt: skip
    assert "error: line" in drafted.stdout and "unfilled gap" in drafted.stdout
    lint = run("policy", "lint", str(policy))
    assert lint.returncode == 1 and "6 error(s)" in lint.stdout
    assert_one_line_error(run(*args), 2, "already exists")  # never overwritten
    added = run("policy", "add", str(policy.parent))
    assert added.returncode == 0 and "is a draft" in added.stderr
    assert "[draft]" in run("policy", "list").stdout


def test_from_regulation_docx_with_chosen_provisions_and_usage_errors(tmp_path: Path) -> None:
    docx = write_regulation_docx(tmp_path / "mrfm.docx", EU)
    out = tmp_path / "drafts"
    result = run("policy", "from-regulation", str(docx), "--id", "cost", "--provision",
                 "Article 4(2)(b)", "--no-model", "--out", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = (out / "cost" / "policy.md").read_text(encoding="utf-8")
    assert "Source: Article 4(2)(b)" in text and "(i) an amount in euro" in text
    assert_one_line_error(run("policy", "from-regulation", str(docx), "--id", "x"), 2,
                          "needs --id ID and --out DIR")  # fmt: skip
    assert_one_line_error(run("policy", "from-regulation", str(docx), "--id", "x", "--out",
                              str(out), "--articles", "77"), 2, "no article")  # fmt: skip
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear customer, thank you.\n", encoding="utf-8")
    assert_one_line_error(run("policy", "from-regulation", str(letter), "--list"), 2,
                          "letter.txt", "no articles, sections")  # fmt: skip


def test_cases_import_from_an_export(tmp_path: Path) -> None:
    folder = incoming(tmp_path)
    assert run("policy", "add", str(folder)).returncode == 0
    export = tmp_path / "dataset.jsonl"
    rows = [
        {"text": "Rule one broken.", "expected": "violation", "sections": ["HR-1"],
         "policy": "house-rule", "decision": "accept"},
        {"text": "Fine.", "expected": "compliant", "sections": [], "policy": "fin-promo"},
    ]  # fmt: skip
    export.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = run("policy", "cases", "import", str(export))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "house-rule: 1 case(s) added\n"
    assert "fin-promo: bundled (read-only)" in result.stderr
    cases = (user_policies_dir() / "house-rule" / "cases.jsonl").read_text(encoding="utf-8")
    assert json.loads(cases)["text"] == "Rule one broken."
    assert_one_line_error(run("policy", "cases", "import", str(export)), 2, "no case was imported")
