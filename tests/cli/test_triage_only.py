"""Bulk screening from the command line: ``--triage-only`` runs the policies' screens and no
model (so it needs none), and every match is a finding for a person."""

from __future__ import annotations

import json
from pathlib import Path

from app import cli


def test_triage_only_needs_no_model_and_flags_screen_matches(tmp_path: Path) -> None:
    draft = tmp_path / "flyer.md"
    draft.write_text(
        "Earn a guaranteed 11% a year.\n\nOffer ends tonight.\n\nCall us on weekdays.\n",
        encoding="utf-8",
    )
    out = tmp_path / "report.json"
    code = cli.main(
        ["check", str(draft), "--policy", "fin-promo", "--triage-only", "--out", str(out),
         "--model", "no-such-model-is-installed", "--quiet"]
    )  # fmt: skip
    assert code == 1  # needs review
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["model"]["name"] == "triage only (no model)"
    assert report["verdict"] == "needs_review"
    assert [(f["section"], f["passage"], f["quote"], f["layer"]) for f in report["findings"]] == [
        ("FP-1", "P1", "guaranteed", "triage"),
        ("FP-4", "P2", "tonight", "triage"),
    ]
    assert "triage only" in report["policy_verdicts"][0]["indeterminate"]


def test_a_screen_finding_in_the_pdf_shows_its_policy_clause(tmp_path: Path) -> None:
    from pypdf import PdfReader

    draft = tmp_path / "flyer.md"
    draft.write_text("Earn a guaranteed 11% a year.\n", encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    code = cli.main(
        ["check", str(draft), "--policy", "fin-promo", "--triage-only", "--pdf", str(pdf),
         "--quiet"]
    )  # fmt: skip
    assert code == 1
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())
    assert "FP-1 Guaranteed or risk-free returns" in text
    assert "Attempt to manipulate" not in text  # that clause is only for the built-in screen
