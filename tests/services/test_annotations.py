"""Exporting the annotated document of a run: which findings go in (review decides), what the
notes say, the audit entry with the sha256 of the written bytes, and the refusals (the checked
file itself as --out, a wrong suffix, a file that is not the one checked)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pypdf
import pytest

from app.core.errors import InputError
from app.services.annotations import DOCX, export_annotated, suggested_target
from app.services.stores import open_store
from app.store.repository import Store
from tests.helpers.annotate import comment_ranges, run_with_findings
from tests.helpers.officegen import make_docx
from tests.helpers.pdfmake import paged_pdf


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(tmp_path / "s.sqlite3", reviewer="Ana Reviewer")


@pytest.fixture
def docx_run(store: Store, tmp_path: Path) -> tuple[int, Path, list[int]]:
    path = make_docx(tmp_path / "draft.docx")
    run_id = run_with_findings(
        store, path,
        ({"paragraph": 1}, "we guarantee returns"),
        ({"table": 1, "row": 2}, "5%"),
        ({"paragraph": 3}, "after the table"),
    )  # fmt: skip
    ids = [f.id for f in store.findings(run_id)]
    return run_id, path, ids


def test_review_decides_what_goes_in(
    store: Store, docx_run: tuple[int, Path, list[int]], tmp_path: Path
) -> None:
    run_id, _, (first, second, third) = docx_run
    store.decide(first, "accept", "clear breach")
    store.decide(second, "amend", "minor", {"severity": "low"})
    store.decide(third, "reject", "context")
    everything = export_annotated(store, run_id, tmp_path / "all.docx")
    assert (everything.placed, everything.left_out) == (2, 1)  # the rejected one is left out
    store.decide(second, "reset")
    accepted = export_annotated(store, run_id, tmp_path / "accepted.docx", "accepted")
    assert (accepted.placed, accepted.left_out) == (1, 2)
    package = zipfile.ZipFile(io.BytesIO((tmp_path / "all.docx").read_bytes()))
    assert sorted(comment_ranges(package.read("word/document.xml")).values()) == [
        "5%", "we guarantee returns",
    ]  # fmt: skip
    comments = package.read("word/comments.xml").decode()
    assert "Review: accepted by Ana Reviewer on " in comments and ": clear breach" in comments
    assert "LOW (amended from HIGH) · HR-1 First rule" in comments
    assert "Review: amended by Ana Reviewer" in comments and "(severity high → low)" in comments
    assert 'w:author="Safeguard Desk, run 1"' in comments


def test_the_export_is_in_the_audit_log_with_the_file_hash(
    store: Store, docx_run: tuple[int, Path, list[int]], tmp_path: Path
) -> None:
    run_id, _, _ = docx_run
    target = tmp_path / "out" / "annotated.docx"
    done = export_annotated(store, run_id, target)
    assert done.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    entry = store.find_export(done.sha256)
    assert entry is not None and entry.subject == f"run:{run_id}"
    assert entry.payload["file"] == str(target)
    assert store.verify_audit().intact
    assert done.summary().startswith(
        f"annotated DOCX: {target} (run {run_id}): 3 finding(s) placed — 3 on the quoted words"
    )


def test_the_checked_file_is_never_overwritten(
    store: Store, docx_run: tuple[int, Path, list[int]], tmp_path: Path
) -> None:
    run_id, path, _ = docx_run
    before = path.read_bytes()
    for target in (path, tmp_path / "." / "draft.docx"):
        with pytest.raises(
            InputError, match="refusing to write the annotated copy over the checked document"
        ):
            export_annotated(store, run_id, target)
    moved = tmp_path / "moved.docx"
    moved.write_bytes(before)
    with pytest.raises(InputError, match="over the checked document"):
        export_annotated(store, run_id, moved, document=moved)
    assert path.read_bytes() == before
    with pytest.raises(InputError, match=r"is a Word file: its copy is a \.docx"):
        export_annotated(store, run_id, tmp_path / "copy.pdf")


def test_only_the_checked_bytes_are_annotated(
    store: Store, docx_run: tuple[int, Path, list[int]], tmp_path: Path
) -> None:
    run_id, path, _ = docx_run
    moved = tmp_path / "elsewhere" / "draft.docx"
    moved.parent.mkdir()
    moved.write_bytes(path.read_bytes())
    path.unlink()
    with pytest.raises(InputError, match="the checked document not found"):
        export_annotated(store, run_id, tmp_path / "a.docx")
    assert export_annotated(store, run_id, tmp_path / "a.docx", document=moved).placed == 3
    make_docx(path)  # the same content saved again: other bytes (timestamps, ids)
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(InputError, match="not the file run 1 checked"):
        export_annotated(store, run_id, tmp_path / "b.docx")


def test_pdf_and_html_copies(store: Store, tmp_path: Path) -> None:
    pdf = paged_pdf(tmp_path / "flyer.pdf", [["Earn a guaranteed return of nine percent."]])
    run_id = run_with_findings(store, pdf, ({"page": 1}, "guaranteed return"))
    done = export_annotated(store, run_id, tmp_path / "flyer-annotated.pdf")
    assert (done.format, done.placements.quote) == ("pdf", [store.findings(run_id)[0].id])
    reader = pypdf.PdfReader(tmp_path / "flyer-annotated.pdf")
    subtypes = [a.get_object()["/Subtype"] for a in reader.pages[0]["/Annots"]]
    assert subtypes == ["/Highlight", "/Popup"]

    text = tmp_path / "draft.md"
    text.write_text("# Offer\n\nEarn a guaranteed return.\n", encoding="utf-8")
    run_id = run_with_findings(store, text, ({"line": 3}, "guaranteed return"))
    done = export_annotated(store, run_id, tmp_path / "draft.html")
    page = (tmp_path / "draft.html").read_text(encoding="utf-8")
    assert done.format == "html" and ">guaranteed return</mark>" in page
    with pytest.raises(InputError, match=r"annotated as an HTML copy"):
        export_annotated(store, run_id, tmp_path / "draft.txt")


def test_an_incomplete_run_has_nothing_to_annotate(store: Store, tmp_path: Path) -> None:
    from tests.helpers.scripted import DOCUMENT, POLICY, engine

    run_id = store.start_run(DOCUMENT, [POLICY], engine("{}").info, "medium")
    with pytest.raises(InputError, match=f"run {run_id} is running: there are no findings"):
        export_annotated(store, run_id, tmp_path / "x.html")


def test_a_scanned_page_is_highlighted_where_ocr_read_the_words(
    store: Store, tmp_path: Path
) -> None:
    """The page has no text layer: the highlight comes from the OCR reader's line boxes."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from app.ingest import ocr
    from tests.helpers.pdfmake import HEIGHT, KNOWN_TEXT, scanned_page, write_pages

    if ocr.unavailable():
        pytest.skip(ocr.unavailable())
    scan = write_pages(tmp_path / "scan.pdf", [scanned_page(KNOWN_TEXT[:3])])
    quote = "you may get back less than you invest"
    run_id = run_with_findings(store, scan, ({"page": 1, "ocr": True}, quote))
    done = export_annotated(store, run_id, tmp_path / "scan-annotated.pdf")
    assert len(done.placements.quote) == 1
    (highlight,) = [
        a.get_object()
        for a in pypdf.PdfReader(tmp_path / "scan-annotated.pdf").pages[0]["/Annots"]
        if a.get_object()["/Subtype"] == "/Highlight"
    ]
    left, top, right, _, _, bottom = (float(v) for v in highlight["/QuadPoints"][:6])
    # Where text_page_pdf drew the third line (12 pt Helvetica from x=72, 1.6 line spacing).
    line = KNOWN_TEXT[2]
    baseline = HEIGHT - 90 - 2 * 12 * 1.6
    start = 72 + stringWidth(line[: line.index(quote)], "Helvetica", 12)
    end = 72 + stringWidth(line[: line.index(quote) + len(quote)], "Helvetica", 12)
    assert bottom < baseline < top and top - bottom < 30
    assert abs(left - start) < 6 and abs(right - end) < 6


def test_the_suggested_name_is_beside_the_document() -> None:
    assert suggested_target(Path("/d/draft.docx"), DOCX) == Path("/d/draft.annotated.docx")
    assert suggested_target(Path("/d/a.pdf"), "application/pdf") == Path("/d/a.annotated.pdf")
    assert suggested_target(Path("/d/notes.md"), "text/markdown") == Path("/d/notes.annotated.html")
