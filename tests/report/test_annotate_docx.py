"""The annotated DOCX, read back: one Word comment per finding, its range covering exactly the
quoted words (across formatted runs, a tracked insertion, a hyperlink, a table cell), the body's
text and formatting unchanged around the markers, every other part byte-for-byte the same; a
header's or footnote's finding commented in the main text; LibreOffice opens it and prints the
comments."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from lxml import etree

from app.core.documents import Location
from app.ingest import read_document
from app.report.annotate_docx import annotate_docx
from app.report.annotation import Note
from app.report.docx_text import DocxParts
from tests.helpers.annotate import W, comment_ranges, parts, rich_docx, styled_text
from tests.helpers.officegen import make_docx, numbered_docx
from tests.helpers.paths import corpus_file

BODY = "word/document.xml"


def note(
    number: int, location: Location, passage_text: str, quote: str, verified: bool = True
) -> Note:
    return Note(
        finding_id=number, run_id=7, passage=f"P{number}", passage_text=passage_text,
        location=location, quote=quote, quote_verified=verified, severity="low",
        raised_severity="high", policy="fin-promo", policy_version="1.2.0", section="FP-1",
        section_title="Guaranteed or risk-free returns", rationale="A promise of returns.",
        remediation="Say that returns are not guaranteed.", state="amended",
        review_line="amended by Ana on 2026-11-23 (severity high → low): minor",
        date="2026-11-23T09:30:15.123456+00:00",
    )  # fmt: skip


@pytest.fixture
def rich(tmp_path: Path) -> tuple[bytes, list[Note]]:
    path = rich_docx(tmp_path / "rich.docx")
    passages = {p.id: p for p in read_document(path).passages}
    wanted = [
        ("P1", "guaranteed 12% a year with zero risk", True),  # four runs, bold and italic
        ("P2", "the offer ends tonight", True),
        ("P2", "today, the offer", True),  # overlaps the one before
        ("P4", "2% a year", True),  # inside a tracked insertion
        ("P5", "see our terms", True),  # a plain run and a hyperlink's run
        ("P7", "5% of the amount", True),  # a table cell
        ("P1", "risk-free", False),  # unverified: on the whole passage
    ]
    notes = [
        note(i, passages[pid].location, passages[pid].text, quote, ok)
        for i, (pid, quote, ok) in enumerate(wanted, start=1)
    ]
    return path.read_bytes(), notes


def test_every_comment_covers_exactly_its_quote(rich: tuple[bytes, list[Note]]) -> None:
    original, notes = rich
    annotated, placed = annotate_docx(original, notes)
    assert (placed.quote, placed.passage, placed.unplaced) == ([1, 2, 3, 4, 5, 6], [7], [])
    package = parts(annotated)
    ranges = comment_ranges(package[BODY])
    comments = etree.fromstring(package["word/comments.xml"])
    ours = {
        c.get(f"{W}id"): "\n".join(
            "".join(t.text for t in p.iter(f"{W}t")) for p in c.iter(f"{W}p")
        )
        for c in comments.iter(f"{W}comment")
        if c.get(f"{W}author") == "Safeguard Desk, run 7"
    }
    assert len(ours) == len(notes)
    by_finding = {text.split("finding #")[1].split("\n")[0]: cid for cid, text in ours.items()}
    for item in notes[:6]:
        assert ranges[by_finding[str(item.finding_id)]] == item.quote
    assert ranges[by_finding["7"]] == notes[6].passage_text  # the whole passage
    first = ours[by_finding["1"]].splitlines()
    assert first[0] == "LOW (amended from HIGH) · FP-1 Guaranteed or risk-free returns"
    assert (
        "Why: A promise of returns." in first
        and "Suggested fix: Say that returns are not guaranteed." in first
    )
    assert "Review: amended by Ana on 2026-11-23 (severity high → low): minor" in first
    assert "Quote not verified" in ours[by_finding["7"]]
    dates = {
        c.get(f"{W}date") for c in comments.iter(f"{W}comment") if c.get(f"{W}author") != "Legal"
    }
    assert dates == {"2026-11-23T09:30:15Z"}  # Word's form: no fraction, UTC
    # The reviewer's comment that was there is kept, with its own id and range.
    legal = [c for c in comments.iter(f"{W}comment") if c.get(f"{W}author") == "Legal"]
    assert (
        len(legal) == 1
        and ranges[legal[0].get(f"{W}id")] == "Call us today, the offer ends tonight."
    )


def test_text_formatting_and_other_parts_are_unchanged(rich: tuple[bytes, list[Note]]) -> None:
    original, notes = rich
    annotated, _ = annotate_docx(original, notes)
    before, after = parts(original), parts(annotated)
    changed = {name for name in before if before[name] != after.get(name)}
    # New comments go into the comments part the file already has: nothing else is touched.
    assert changed == {BODY, "word/comments.xml"}
    assert set(after) == set(before)
    assert styled_text(after[BODY]) == styled_text(before[BODY])
    # python-docx opens it and sees the same paragraphs and the comments.
    reopened = docx.Document(io.BytesIO(annotated))
    assert [p.text for p in reopened.paragraphs] == [
        p.text for p in docx.Document(io.BytesIO(original)).paragraphs
    ]
    assert len(list(reopened.comments)) == len(notes) + 1
    # Read again as a document to check, the copy has the same passages plus the comments.
    assert _passages(annotated) == _passages(original)


def _passages(data: bytes) -> list[tuple[str, dict[str, object]]]:
    from app.ingest.word import read_docx

    read = read_docx(Path("copy.docx"), data, "0" * 64)
    return [(p.text, dict(p.location)) for p in read.passages if "comment" not in p.location]


def test_a_new_comments_part_is_registered(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "plain.docx")
    original = path.read_bytes()
    annotated, placed = annotate_docx(
        original, [note(1, {"paragraph": 1}, "First clause: we guarantee returns.", "we guarantee")]
    )
    assert placed.quote == [1]
    before, after = parts(original), parts(annotated)
    assert set(after) - set(before) == {"word/comments.xml"}
    assert b"comments+xml" in after["[Content_Types].xml"]
    assert b'Target="comments.xml"' in after["word/_rels/document.xml.rels"]
    for name in set(before) - {BODY, "[Content_Types].xml", "word/_rels/document.xml.rels"}:
        assert after[name] == before[name], name
    assert list(comment_ranges(after[BODY]).values()) == ["we guarantee"]
    assert next(c.text for c in docx.Document(io.BytesIO(annotated)).comments).startswith("LOW")


def test_header_and_footnote_findings_are_commented_in_the_main_text(tmp_path: Path) -> None:
    """Word keeps comments in the main text (LibreOffice refuses a file with comment marks in a
    header or a footnote): such a finding is a comment at its section's start, or on the note's
    reference mark, and says where the words are."""
    path = make_docx(tmp_path / "plain.docx")
    original = path.read_bytes()
    annotated, placed = annotate_docx(
        original, [note(1, {"header": 1}, "CONFIDENTIAL DRAFT", "DRAFT")]
    )
    assert placed.passage == [1]
    after = parts(annotated)
    assert after["word/header1.xml"] == parts(original)["word/header1.xml"]
    assert list(comment_ranges(after[BODY]).values()) == [""]  # a point at the section's start
    text = next(c.text for c in docx.Document(io.BytesIO(annotated)).comments)
    assert "In the header (the quoted words are there)" in text

    footnotes = corpus_file("docs/mammoth__footnotes.docx")
    data = footnotes.read_bytes()
    annotated, placed = annotate_docx(
        data, [note(1, {"footnote": 1}, "A tachyon walks into a bar.", "walks into")]
    )
    assert placed.passage == [1]
    ranges = comment_ranges(parts(annotated)[BODY])
    assert len(ranges) == 1
    reference = etree.fromstring(parts(annotated)[BODY]).find(f".//{W}footnoteReference")
    assert reference.getparent().getprevious().tag == f"{W}commentRangeStart"  # on the mark


def test_unplaceable_passages_are_counted(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "plain.docx")
    notes = [
        note(1, {"part": "altChunk 1", "paragraph": 1}, "merged", "merged"),
        note(2, {"paragraph": 99}, "gone", "gone"),
    ]
    annotated, placed = annotate_docx(path.read_bytes(), notes)
    assert placed.unplaced == [1, 2]
    assert "word/comments.xml" not in parts(annotated)  # nothing to say: no comments part


def test_suggested_fix_as_a_tracked_change(rich: tuple[bytes, list[Note]]) -> None:
    original, notes = rich
    annotated, placed = annotate_docx(original, [notes[1]], suggest_fixes=True)
    assert placed.quote == [2]
    body = parts(annotated)[BODY]
    root = etree.fromstring(body)
    deletion, insertion = (
        root.find(f".//{W}del[@{W}author='Safeguard Desk, run 7']"),
        root.find(f".//{W}ins[@{W}author='Safeguard Desk, run 7']"),
    )
    assert "".join(t.text for t in deletion.iter(f"{W}delText")) == "the offer ends tonight"
    assert "".join(t.text for t in insertion.iter(f"{W}t")) == notes[1].remediation
    # With the suggestion accepted the reader sees the fix; rejected, the original text.
    from app.ingest.word import read_docx

    accepted = read_docx(Path("copy.docx"), annotated, "0" * 64).passages[1].text
    assert accepted == "Call us today, " + notes[1].remediation + "."
    for element in list(root.iter(f"{W}ins")):
        if element.get(f"{W}author") == "Safeguard Desk, run 7":
            element.getparent().remove(element)
    for text in root.iter(f"{W}delText"):
        if any(
            a.get(f"{W}author") == "Safeguard Desk, run 7" for a in text.iterancestors(f"{W}del")
        ):
            text.tag = f"{W}t"
    rejected = etree.tostring(root)
    assert styled_text(rejected) == styled_text(parts(original)[BODY])


def test_the_walk_reads_the_text_the_reader_reads(tmp_path: Path) -> None:
    """docx_text (report layer) walks the XML again; on these documents it finds each passage's
    words where the reader (ingest) found them."""
    for path in (
        rich_docx(tmp_path / "rich.docx"),
        make_docx(tmp_path / "plain.docx"),
        numbered_docx(tmp_path / "numbered.docx", [(0, "Alpha item"), (1, "Beta item")]),
    ):
        package = parts(path.read_bytes())
        trees = {
            name: etree.fromstring(data)
            for name, data in package.items()
            if name.endswith((".xml", ".rels"))
        }
        rels = {
            r.get("Id"): "word/" + r.get("Target")
            for r in trees["word/_rels/document.xml.rels"]
            if r.get("TargetMode") != "External"
        }
        walker = DocxParts(trees.get, rels)
        for passage in read_document(path).passages:
            if "comment" in passage.location:
                continue
            container = walker.container(passage.location)
            assert container is not None, passage.location
            text = " ".join("".join(a.char for a in container.atoms()).split())
            assert " ".join(passage.text.split()).endswith(text), (passage.text, text)


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_libreoffice_opens_the_copy_and_prints_the_comments(
    rich: tuple[bytes, list[Note]], tmp_path: Path
) -> None:
    import pypdf

    original, notes = rich
    annotated, _ = annotate_docx(original, notes)
    copy = tmp_path / "annotated.docx"
    copy.write_bytes(annotated)
    options = '{"ExportNotes":{"type":"boolean","value":"true"}}'
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", f"pdf:writer_pdf_Export:{options}", "--outdir", str(tmp_path), str(copy)],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    converted = tmp_path / "annotated.pdf"
    assert converted.exists(), "LibreOffice could not load the annotated copy"
    reader = pypdf.PdfReader(converted)
    notes_in_pdf = [
        str(a.get_object().get("/Contents"))
        for page in reader.pages
        for a in page.get("/Annots") or []
        if a.get_object().get("/Subtype") == "/Text"
    ]
    ours = [n for n in notes_in_pdf if "Safeguard" in n or n.startswith("LOW")]
    assert len(ours) == len(notes), notes_in_pdf
    assert "guaranteed 12% a year with zero risk" in reader.pages[0].extract_text()


CORPUS = [
    "docs/pydocx__comments-rich-para.docx",
    "docs/poi__delins.docx",
    "docs/docx4j__Docx4j_GettingStarted.docx",
    "docs/poi__Numbering.docx",
    "docs/docx4j__odd_even_different_first_page.docx",
    "docs/docx4j__arabic_align.docx",
    "docs/mammoth__text-box.docx",
]


@pytest.mark.parametrize("name", CORPUS)
def test_real_documents_keep_their_text_and_get_exact_ranges(name: str) -> None:
    """Word files from other projects (comments, tracked changes, numbering, headers per page
    kind, right-to-left text, a text box): a finding on words 2-4 of every passage (the whole
    passage when shorter, list labels included) lands on exactly those words, or says why not."""
    from app.core.citations import normalise

    path = corpus_file(name)
    notes = []
    for number, passage in enumerate(read_document(path).passages[:40], start=1):
        words = passage.text.split()
        quote = " ".join(words[1:4]) if len(words) > 4 else passage.text
        notes.append(note(number, passage.location, passage.text, quote))
    original = path.read_bytes()
    annotated, placed = annotate_docx(original, notes)
    before, after = parts(original), parts(annotated)
    assert styled_text(after[BODY]) == styled_text(before[BODY])
    for part in set(before) - {BODY, "word/comments.xml", "word/_rels/document.xml.rels"}:
        assert after[part] == before[part] or part == "[Content_Types].xml", part
    ranges = comment_ranges(after[BODY])
    comments = etree.fromstring(after["word/comments.xml"])
    by_finding = {}
    for comment in comments.iter(f"{W}comment"):
        text = "".join(t.text or "" for t in comment.iter(f"{W}t"))
        if "finding #" in text:
            by_finding[int(text.split("finding #")[1].split("Why")[0])] = comment.get(f"{W}id")
    assert sorted(by_finding) == sorted(placed.quote + placed.passage)
    for item in notes:
        if item.finding_id in placed.quote:
            # A row's cells are joined by " | " in the passage; the range runs over the cells.
            covered = re.sub(r"[\s|]", "", normalise(ranges[by_finding[item.finding_id]]))
            quoted = re.sub(r"[\s|]", "", normalise(item.quote))
            assert covered and quoted.endswith(covered), (item.quote, covered)


def test_a_finding_on_a_reviewers_comment_is_on_its_paragraph(tmp_path: Path) -> None:
    path = rich_docx(tmp_path / "rich.docx")
    comment = next(p for p in read_document(path).passages if "comment" in p.location)
    annotated, placed = annotate_docx(
        path.read_bytes(), [note(1, comment.location, comment.text, "Check this")]
    )
    assert placed.passage == [1]
    ranges = comment_ranges(parts(annotated)[BODY])
    assert (
        sorted(ranges.values()).count("Call us today, the offer ends tonight.") == 2
    )  # Legal's and ours
