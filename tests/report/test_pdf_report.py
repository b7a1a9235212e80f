"""The PDF audit report, parsed back with pypdf and rendered with pdftoppm."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from app.core.canonical import canonical_sha256
from app.core.documents import Document, Passage
from app.core.pipeline import check_document
from app.report.json_report import build_report
from app.report.pdf_report import build_pdf, read_attached
from app.services.exports import export_pdf, review_document
from app.services.stores import open_store
from app.store.repository import Store
from tests.helpers.scripted import POLICY, engine, finding

INTERNATIONAL = Document(
    Path("/drafts/международный-проект.txt"),
    "d" * 64,
    "text/plain",
    1,
    (
        Passage("P1", "We guarantee a 12% return.", {"line": 1}),
        Passage("P2", "Гарантированный доход без риска: café, naïve, Straße.", {"line": 3}),
        Passage("P3", "保证每年百分之十二的回报，零风险。", {"line": 5}),
        Passage("P4", "عائد مضمون بنسبة 12٪ سنويا", {"line": 7}),
    ),
)


def reviewed_run(store: Store) -> int:
    scripted = engine(
        {
            "verdict": "violation",
            "findings": [
                finding(quote="guarantee a 12% return", rationale="Promises a fixed return."),
                finding(passage="P3", quote="零风险", severity="critical", rationale="无风险承诺"),
                finding(passage="P2", quote="not in the passage", severity="low"),
                finding(passage="P4", quote="عائد مضمون", severity="medium"),
            ],
        },
        analysis="P1 promises returns; P3 says zero risk.",
    )
    result = check_document(INTERNATIONAL, [POLICY], scripted)
    run_id = store.start_run(INTERNATIONAL, [POLICY], scripted.info, "medium")
    report = build_report(result, scripted.info, timings=result.timings)
    report["run"] = {"id": run_id}
    store.finish_run(run_id, result, report)
    first, second, *_ = store.findings(run_id)
    store.decide(first.id, "accept", "Fixed-return promise — Кириллица ✓")
    store.decide(second.id, "amend", "过度承诺", {"severity": "high"})
    return run_id


@pytest.fixture
def exported(tmp_path: Path, no_keyring: None) -> tuple[Store, int, Path, str]:
    store = open_store(tmp_path / "s.sqlite3")
    run_id = reviewed_run(store)
    target = tmp_path / "report.pdf"
    digest = export_pdf(store, run_id, target, reasoning=True)
    return store, run_id, target, digest


def text_of(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_pdf_holds_hashes_findings_decisions_and_unicode(
    exported: tuple[Store, int, Path, str],
) -> None:
    _, run_id, target, digest = exported
    text = text_of(target)
    for expected in (
        "d" * 64,
        POLICY.sha256,
        "Compliance audit report",
        "VIOLATION",
        "Promises a fixed return.",
        "ACCEPTED by",  # issue 15: each decision drawn as what it did
        "AMENDED by",
        "Not reviewed",
        "UNVERIFIED QUOTE",
        f"report sha256 {digest}",
        "Гарантированный доход",
        "Straße",
        "保证每年",
        "零风险",
        "Кириллица",
        "Auditor appendix",
        "P3 says zero risk",
    ):
        assert expected in text, expected
    import arabic_reshaper

    # Arabic is drawn shaped (contextual forms); pypdf reads RTL runs back in logical order.
    assert arabic_reshaper.reshape("عائد مضمون") in text
    attached = read_attached(target)
    assert canonical_sha256(attached) == digest
    assert attached["run"]["id"] == run_id
    assert [d["decision"] if d else None for d in attached["review"]["decisions"]] == [
        "accept",
        "amend",
        None,
        None,
    ]


def test_reasoning_appendix_is_off_by_default(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite3")
    target = tmp_path / "plain.pdf"
    build_pdf(review_document(store, reviewed_run(store)), target)
    assert "Auditor appendix" not in text_of(target)


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed"
)
def test_pages_render_and_are_not_blank(
    exported: tuple[Store, int, Path, str], tmp_path: Path
) -> None:
    _, _, target, _ = exported
    subprocess.run(
        ["pdftoppm", "-r", "40", "-gray", str(target), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.pgm"))
    assert len(pages) >= 3
    for page in pages:
        ink = _ink(page.read_bytes())
        assert ink > 0.005, f"{page.name} looks blank ({ink:.4f} of pixels have ink)"


def _ink(pgm: bytes) -> float:
    """Share of non-white pixels in a binary PGM (P5)."""
    fields: list[Any] = []
    position = 0
    while len(fields) < 4:
        end = position
        while pgm[end : end + 1].isspace():
            end += 1
        start = end
        while not pgm[end : end + 1].isspace():
            end += 1
        fields.append(pgm[start:end])
        position = end
    width, height = int(fields[1]), int(fields[2])
    pixels = pgm[position + 1 : position + 1 + width * height]
    return sum(1 for value in pixels if value < 200) / len(pixels)


def test_report_verify(exported: tuple[Store, int, Path, str], tmp_path: Path) -> None:
    import os
    import sys

    from tests.helpers.paths import ROOT

    store, _, target, _ = exported
    db = str(store.path)
    store.close()

    def verify(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", "report", "verify", str(path), "--db", db],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=os.environ.copy(),
            check=False,
        )

    good = verify(target)
    assert good.returncode == 0 and "verified" in good.stdout, good.stderr
    forged_review = read_attached(target)
    forged_review["findings"][0]["severity"] = "low"  # someone softens a finding afterwards
    forged = tmp_path / "forged.pdf"
    build_pdf(forged_review, forged)
    bad = verify(forged)
    assert bad.returncode == 1 and "matches no export" in bad.stderr


def test_the_cover_shows_both_verdicts_the_signoff_and_unread_parts(
    tmp_path: Path, no_keyring: None
) -> None:
    from app.core.documents import Coverage, Unread
    from tests.helpers.runs import COMPLIANT, record_run
    from tests.helpers.scripted import DOCUMENT

    image = Unread({"part": "embedded image logo.png", "paragraph": 2}, "image: not read")
    document = Document(
        DOCUMENT.path, DOCUMENT.sha256, DOCUMENT.media_type, 1, DOCUMENT.passages,
        coverage=Coverage(unread=(image,)),
    )  # fmt: skip
    store = open_store(tmp_path / "s.sqlite3", reviewer="Ana Reviewer")
    first = record_run(store, document=document)
    accepted, amended = store.findings(first)
    store.decide(accepted.id, "accept", "a promise of returns")
    store.decide(amended.id, "amend", "only a contact line", {"severity": "low"})
    unsigned = tmp_path / "first.pdf"
    export_pdf(store, first, unsigned)
    cover = " ".join(PdfReader(unsigned).pages[0].extract_text().split())
    assert "Model verdict: VIOLATION" in cover and "Reviewed verdict: VIOLATION" in cover
    assert "Sign-off: Not signed off" in cover
    assert "Not read: embedded image logo.png (paragraph 2) — image: not read" in cover
    assert "After review 2 standing — 0 critical, 1 high, 0 medium, 1 low" in cover

    second = record_run(store, COMPLIANT, document=document, recheck=True)  # carried over
    store.sign_off(second, "approve", "fine for publication")
    signed = tmp_path / "second.pdf"
    export_pdf(store, second, signed)
    text = " ".join(text_of(signed).split())
    assert "Sign-off: Approved by Ana Reviewer on 20" in text
    assert "Sign-off note: fine for publication" in text
    assert "2 of 2 findings reviewed, 2 decided on an earlier run" in text
    assert f"decided on run {first} (carried over)" in text
    assert "[AMENDED] HIGH → LOW" in text and "[ACCEPTED] HIGH" in text
    attached = read_attached(signed)["review"]
    assert attached["signoff"]["outcome"] == "approve"
    assert [d["carried_from_run"] for d in attached["decisions"]] == [first, first]
    store.decide(store.findings(second)[1].id, "reject", "no breach at all")
    stale = tmp_path / "stale.pdf"
    export_pdf(store, second, stale)
    assert "(stale: a decision was made after it)" in " ".join(text_of(stale).split())
    assert "[REJECTED]" in text_of(stale)
    assert store.verify_audit().intact
