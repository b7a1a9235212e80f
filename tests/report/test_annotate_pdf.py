"""The annotated PDF, read back: one highlight per finding on the cited page whose boxes hold
exactly the quoted words (the text inside each box extracted again), the note holding the
finding's text, a box around the passage when the words cannot be found, a form field's and an
annotation's passage boxed where they are; the original bytes untouched (an incremental update),
the page content streams unchanged, and the highlight visible when the page is drawn."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
from PIL import ImageStat

from app.core.citations import normalise
from app.core.documents import Location
from app.ingest import read_document
from app.report.annotate_pdf import annotate_pdf
from app.report.annotation import Note
from tests.helpers.annotate import passage_at, turned_pdf
from tests.helpers.pdfmake import annotated_pdf, form_pdf, paged_pdf

PAGES = [
    ["Northwind Capital guarantees a return of nine", "percent every year, whatever happens."],
    ["Fees: two percent a year.", "Call us now: only five places remain."],
]


def note(
    number: int, location: Location, passage_text: str, quote: str, verified: bool = True
) -> Note:
    return Note(
        finding_id=number, run_id=3, passage=f"P{number}", passage_text=passage_text,
        location=location, quote=quote, quote_verified=verified, severity="high",
        raised_severity="high", policy="fin-promo", policy_version="1.0.0", section="FP-1",
        section_title="Guaranteed returns", rationale="A promise.", remediation="Drop it.",
        state="not reviewed", review_line="not reviewed yet", date="2026-11-23T10:00:00+00:00",
    )  # fmt: skip


def annotations(data: bytes) -> list[tuple[int, dict[str, object]]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [
        (number, annotation.get_object())
        for number, page in enumerate(reader.pages, start=1)
        for annotation in page.get("/Annots") or []
    ]


def text_in(data: bytes, page: int, box: list[float]) -> str:
    """The page's text inside ``box`` (left, bottom, right, top), as PDFium extracts it."""
    pdf = pdfium.PdfDocument(data)
    try:
        textpage = pdf[page - 1].get_textpage()
        return str(
            textpage.get_text_bounded(box[0] + 0.5, box[1] + 0.5, box[2] - 0.5, box[3] - 0.5)
        )
    finally:
        pdf.close()


@pytest.fixture
def draft(tmp_path: Path) -> tuple[Path, list[Note]]:
    path = paged_pdf(tmp_path / "draft.pdf", PAGES)
    document = read_document(path)
    first = passage_at(document, page=1)
    fees = passage_at(document, page=2)
    call = next(p for p in document.passages if "Call us" in p.text)
    notes = [
        note(1, call.location, call.text, "only five places remain"),
        note(2, first.location, first.text, "a return of nine percent"),  # over a line break
        note(3, fees.location, fees.text, "guaranteed forever", verified=False),
        note(4, fees.location, fees.text, "two percent a yearly"),  # verified, but not found
    ]
    return path, notes


def test_one_highlight_per_finding_over_exactly_its_words(draft: tuple[Path, list[Note]]) -> None:
    path, notes = draft
    original = path.read_bytes()
    annotated, placed = annotate_pdf(original, notes)
    assert (placed.quote, placed.passage, placed.unplaced) == ([1, 2], [3, 4], [])
    found = annotations(annotated)
    highlights = sorted(
        ((page, a) for page, a in found if a["/Subtype"] == "/Highlight"),
        key=lambda h: str(h[1]["/NM"]),
    )
    assert [(page, str(a["/NM"])) for page, a in highlights] == [
        (2, "safeguard-desk-run3-finding1"), (1, "safeguard-desk-run3-finding2"),
    ]  # fmt: skip
    for (page, annotation), item in zip(highlights, notes[:2], strict=True):
        quads = [float(v) for v in annotation["/QuadPoints"]]
        lines = [quads[i : i + 8] for i in range(0, len(quads), 8)]
        words = " ".join(text_in(annotated, page, [q[0], q[5], q[2], q[1]]) for q in lines)
        assert normalise(words) == normalise(item.quote)
        assert str(annotation["/Contents"]) == item.text()
        assert str(annotation["/T"]) == "Safeguard Desk, run 3"
        assert str(annotation["/M"]) == "D:20261123100000Z"
        assert annotation["/Popup"].get_object()["/Subtype"] == "/Popup"
        assert "/N" in annotation["/AP"]  # its own appearance: every viewer draws the same
    assert len(lines) == 2  # the second quote runs over two lines: a box each


def test_unfound_words_box_the_passage(draft: tuple[Path, list[Note]]) -> None:
    path, notes = draft
    annotated, _ = annotate_pdf(path.read_bytes(), notes)
    squares = [(page, a) for page, a in annotations(annotated) if a["/Subtype"] == "/Square"]
    assert [page for page, _ in squares] == [2, 2]
    left, bottom, right, top = (float(v) for v in squares[0][1]["/Rect"])
    inside = text_in(annotated, 2, [left, bottom, right, top])
    assert normalise(inside) == normalise(notes[2].passage_text)  # the passage, nothing more
    assert bottom > 500  # not the whole page: the passage's lines at its top
    assert "Quote not verified" in str(squares[0][1]["/Contents"])
    assert "could not be found here" in str(squares[1][1]["/Contents"])


def test_the_original_is_untouched(draft: tuple[Path, list[Note]]) -> None:
    path, notes = draft
    original = path.read_bytes()
    annotated, _ = annotate_pdf(original, notes)
    assert annotated.startswith(original)  # an incremental update: the old bytes come first
    before = pypdf.PdfReader(io.BytesIO(original))
    after = pypdf.PdfReader(io.BytesIO(annotated))
    assert len(after.pages) == len(before.pages)
    for old, new in zip(before.pages, after.pages, strict=True):
        assert new.get_contents().get_data() == old.get_contents().get_data()
        assert new.mediabox == old.mediabox
        assert new.extract_text() == old.extract_text()


def test_the_highlight_is_drawn_on_the_page(draft: tuple[Path, list[Note]]) -> None:
    path, notes = draft
    original = path.read_bytes()
    annotated, _ = annotate_pdf(original, notes[:1])
    (highlight,) = [a for _, a in annotations(annotated) if a["/Subtype"] == "/Highlight"]
    left, bottom, right, top = (float(v) for v in highlight["/Rect"])

    def blue_in_box(data: bytes) -> float:
        pdf = pdfium.PdfDocument(data)
        try:
            image = pdf[1].render(scale=1, may_draw_forms=True).to_pil().convert("RGB")
        finally:
            pdf.close()
        height = image.height
        crop = image.crop(
            (int(left) + 2, int(height - top) + 2, int(right) - 2, int(height - bottom) - 2)
        )
        return float(ImageStat.Stat(crop).mean[2])

    assert blue_in_box(original) > 200  # white paper, black text
    assert blue_in_box(annotated) < 0.8 * blue_in_box(original)  # tinted by the highlight


def test_form_field_and_annotation_passages_are_boxed_where_they_are(tmp_path: Path) -> None:
    form = form_pdf(tmp_path / "form.pdf", {"name": "Jane Doe"})
    passage = passage_at(read_document(form), field="name")
    annotated, placed = annotate_pdf(
        form.read_bytes(), [note(1, passage.location, passage.text, "Jane Doe")]
    )
    assert placed.passage == [1]
    (square,) = [a for _, a in annotations(annotated) if a["/Subtype"] == "/Square"]
    assert [round(float(v)) for v in square["/Rect"]] == [
        179,
        HEIGHT_FIELD_BOTTOM - 1,
        481,
        HEIGHT_FIELD_BOTTOM + 19,
    ]

    sticky = annotated_pdf(tmp_path / "notes.pdf", "Body text.", "We cannot promise this.", "Legal")
    passage = passage_at(read_document(sticky), annotation="note")
    annotated, placed = annotate_pdf(
        sticky.read_bytes(), [note(1, passage.location, passage.text, "cannot promise")]
    )
    assert placed.passage == [1]
    squares = [a for _, a in annotations(annotated) if a["/Subtype"] == "/Square"]
    assert [round(float(v)) for v in squares[0]["/Rect"]] == [71, 599, 93, 621]


HEIGHT_FIELD_BOTTOM = 742  # form_pdf's first field: y = A4 height - 100


def test_pages_that_are_not_in_the_file_are_not_placed(draft: tuple[Path, list[Note]]) -> None:
    path, _ = draft
    annotated, placed = annotate_pdf(
        path.read_bytes(), [note(1, {"page": 9}, "x", "x"), note(2, {"part": "x"}, "x", "x")]
    )
    assert placed.unplaced == [1, 2]
    assert annotations(annotated) == []


def test_turned_and_shifted_pages(tmp_path: Path) -> None:
    """Character boxes and annotations share the page's own space: a page turned by /Rotate
    and one whose media box is off the origin get their highlights on the words."""
    path = turned_pdf(tmp_path / "turned.pdf")
    notes = [
        note(1, {"page": 1}, "Earn a guaranteed return of nine percent.", "guaranteed return"),
        note(2, {"page": 2}, "Second page: zero risk to your capital.", "zero risk"),
    ]
    annotated, placed = annotate_pdf(path.read_bytes(), notes)
    assert placed.quote == [1, 2]
    for page, annotation in annotations(annotated):
        if annotation["/Subtype"] == "/Highlight":
            q = [float(v) for v in annotation["/QuadPoints"]]
            quote = notes[page - 1].quote
            assert normalise(text_in(annotated, page, [q[0], q[5], q[2], q[1]])) == quote


def test_an_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    from app.report.annotate_pdf import EncryptedPdf

    plain = paged_pdf(tmp_path / "plain.pdf", [["Earn a guaranteed return."]])
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(plain))
    writer.encrypt("secret", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(EncryptedPdf, match="encrypted PDFs are not supported"):
        annotate_pdf(buffer.getvalue(), [note(1, {"page": 1}, "x", "x")])


def test_a_passage_joined_over_a_page_break_is_marked_where_its_words_are(tmp_path: Path) -> None:
    path = paged_pdf(
        tmp_path / "joined.pdf",
        [["Our fund pays a fixed income and we", "promise that it will"], ["never lose value."]],
    )
    passage = passage_at(read_document(path), page=1, continues=2)
    notes = [
        note(1, passage.location, passage.text, "never lose value"),  # on the second page
        note(2, passage.location, passage.text, "fixed income"),  # on the first
    ]
    annotated, placed = annotate_pdf(path.read_bytes(), notes)
    assert placed.quote == [1, 2]
    pages = {str(a["/NM"])[-1]: page for page, a in annotations(annotated) if "/NM" in a}
    assert pages == {"1": 2, "2": 1}


@pytest.mark.parametrize(
    "name",
    [
        "docs/pdfjs__tracemonkey.pdf",  # two columns, ligatures, hyphenation
        "docs/pysf__multicolumn.pdf",
        "docs/pdfminer__jo.pdf",  # vertical Japanese: found through pdfminer's reading
        "docs/pysf__habibi.pdf",  # Arabic with presentation forms
    ],
)
def test_real_pdfs_get_a_highlight_on_every_quote(name: str) -> None:
    from tests.helpers.paths import corpus_file

    path = corpus_file(name)
    notes = []
    for number, passage in enumerate(read_document(path).passages[:40], start=1):
        words = passage.text.split()
        notes.append(
            note(
                number,
                passage.location,
                passage.text,
                " ".join(words[2:6]) if len(words) > 6 else passage.text,
            )
        )
    original = path.read_bytes()
    annotated, placed = annotate_pdf(original, notes)
    assert placed.quote == [n.finding_id for n in notes]
    assert annotated.startswith(original)
    highlights = [a for _, a in annotations(annotated) if a["/Subtype"] == "/Highlight"]
    assert len(highlights) == len(notes)
